"""Keras 3 (JAX backend, CPU) as the oracle of neurite's masks (test/masking.test.ts): TF.js uses
masks only in its RNNs, so Keras 3 is the reference:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/masking.py

writes test/fixtures/keras3-masking.json (committed, so CI needs no Python).

Keras 3's rules: `Embedding(mask_zero=True)` masks the steps whose index is 0, `Masking(v)` the
steps whose features all equal v (and zeroes them); layers with `supports_masking` (Dense,
LayerNormalization, Dropout, ...) pass the mask on; `GlobalAveragePooling1D` averages over the
unmasked steps (a row with every step masked is 0/0 = NaN in Keras: not in these cases); a loss
on the masked output divides the sum over the unmasked steps by their number (sample weights
multiply, the count stays: keras/src/losses/loss.py `apply_mask`); a metric weights each step
by the mask (`reduction_metrics.py`).

Cases (weights by layer name, fixed data with padded rows of different lengths, one row
entirely padded in the taggers):
- `tagger`: Embedding(mask_zero) → Dense(relu) → LayerNormalization → Dense(softmax) per step,
  sparse categorical cross-entropy with `accuracy`: predict, evaluate (batch size 3 over 7
  rows), evaluate with temporal sample weights [n, T], train_on_batch, fit (SGD, batch size 3,
  2 epochs, shuffle=False) without and with the weights.
- `pooled`: Embedding(mask_zero) → GlobalAveragePooling1D → Dense(softmax), categorical
  cross-entropy on one label per row: the same calls (no weights).
- `masking`: Masking(0) → Dense(relu) → Dense(softmax) per step on float features [n, T, f],
  padded steps all 0, two rows entirely padded, real steps with one or two of their three
  features 0 (kept: a step is masked only when all are), per-step sample weights [n, T]; and
  the model's `to_json()` (Keras 3's Masking config, loaded by neurite).
- `maskValue`: Masking(-1) → Dense(softmax) with -1 as the padding and real values of -1 and 0.
- `batchnorm`: Masking(0) → Dense → BatchNormalization(momentum 0.9) → Dense(softmax) per step:
  in training Keras 3's BatchNormalization takes the moments over the unmasked steps only
  (`_moments` with a mask: Σ m·x / (Σ m + 1e-7)); train_on_batch and fit give the moving mean
  and variance after the steps (checked here against numpy's masked moments, so the fixture
  pins the masked rule, not the plain one). Inference uses the moving statistics.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import f32, fixture, masked_case, padded, set_seeded, write_fixture  # first: it sets the Keras backend


import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-masking.json")


def run(name, make, loss, x, y, w, lr, fix=None):
    def fresh():
        m = make()
        set_seeded(m, 5)
        if fix:
            fix(m)
        m.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=["accuracy"])
        return m

    return masked_case(name, fresh, x, {"x": f32(x)}, y, w, lr)


def tagger():
    rng = np.random.default_rng(11)
    n, t, v, c = 7, 6, 7, 4
    x = padded(rng, n, t, v, [6, 4, 1, 0, 3, 6, 2])  # row 3 entirely padded
    y = rng.integers(0, c, (n, t)).astype(np.float32)  # labels at the padding too: the mask drops them
    w = rng.choice(np.array([0.5, 1.0, 2.0], np.float32), (n, t)).astype(np.float32)

    def make():
        return keras.Sequential([
            keras.Input((t,)),
            layers.Embedding(v, 3, mask_zero=True, name="emb"),
            layers.Dense(5, activation="relu", name="hidden"),
            layers.LayerNormalization(name="ln"),
            layers.Dense(c, activation="softmax", name="out"),
        ], name="tagger")

    return run("tagger", make, "sparse_categorical_crossentropy", x, y, w, 0.5)


def pooled():
    rng = np.random.default_rng(12)
    n, t, v, c = 7, 5, 6, 3
    x = padded(rng, n, t, v, [5, 2, 1, 4, 3, 1, 5])
    y = np.eye(c, dtype=np.float32)[rng.integers(0, c, n)]

    def make():
        return keras.Sequential([
            keras.Input((t,)),
            layers.Embedding(v, 4, mask_zero=True, name="emb"),
            layers.GlobalAveragePooling1D(name="pool"),
            layers.Dense(c, activation="softmax", name="out"),
        ], name="pooled")

    out = run("pooled", make, "categorical_crossentropy", x, y, None, 0.5)
    # A row with every step padded: Keras 3 divides 0 by 0 (NaN); neurite gives 0.
    m = make()
    set_seeded(m, 5)
    pool = keras.Model(m.inputs, m.get_layer("pool").output)
    out["allPaddedPool"] = [str(v) for v in np.asarray(pool.predict(np.zeros((1, t), np.float32), verbose=0))[0]]
    return out


def masking():
    rng = np.random.default_rng(13)
    n, t, f, c = 8, 4, 3, 3
    x = rng.normal(0, 1, (n, t, f)).astype(np.float32)
    for i, L in enumerate([4, 2, 1, 3, 0, 4, 0, 2]):  # rows 4 and 6 entirely padded
        x[i, L:] = 0
    # Real steps with some features 0 (not all): they are kept.
    x[0, 1, 0] = 0
    x[3, 2, :2] = 0
    x[5, 0, 1:] = 0
    y = rng.integers(0, c, (n, t)).astype(np.float32)
    w = rng.choice(np.array([0.5, 1.0, 2.0], np.float32), (n, t)).astype(np.float32)

    def make():
        return keras.Sequential([
            keras.Input((t, f)),
            layers.Masking(0.0, name="mask"),
            layers.Dense(5, activation="relu", name="hidden"),
            layers.Dense(c, activation="softmax", name="out"),
        ], name="masking")

    out = run("masking", make, "sparse_categorical_crossentropy", x, y, w, 0.5)
    out["json"] = make().to_json()
    return out


def mask_value():
    rng = np.random.default_rng(14)
    n, t, f, c = 5, 3, 2, 2
    x = rng.normal(0, 1, (n, t, f)).astype(np.float32)
    for i, L in enumerate([3, 1, 0, 2, 3]):
        x[i, L:] = -1
    x[0, 0, 0] = -1  # a real step with one feature at the padding value
    x[1, 0, :] = 0  # a real step of zeros: 0 is not the padding here
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        return keras.Sequential([keras.Input((t, f)), layers.Masking(-1.0, name="mask"), layers.Dense(c, activation="softmax", name="out")], name="maskValue")

    return run("maskValue", make, "sparse_categorical_crossentropy", x, y, None, 0.5)


def batchnorm():
    rng = np.random.default_rng(15)
    n, t, f, h, c = 7, 4, 3, 4, 3
    x = rng.normal(0, 1, (n, t, f)).astype(np.float32)
    for i, L in enumerate([4, 2, 1, 3, 0, 4, 2]):
        x[i, L:] = 0
    y = rng.integers(0, c, (n, t)).astype(np.float32)

    def make():
        return keras.Sequential([
            keras.Input((t, f)),
            layers.Masking(0.0, name="mask"),
            layers.Dense(h, name="hidden"),
            layers.BatchNormalization(momentum=0.9, name="bn"),
            layers.Dense(c, activation="softmax", name="out"),
        ], name="batchnorm")

    def fix(m):
        # A moving variance must be >= 0: the seeded N(0, 0.7) draw of set_seeded is replaced.
        g, b, mm, mv = m.get_layer("bn").get_weights()
        m.get_layer("bn").set_weights([g, b, mm, np.abs(mv) + 0.5])

    out = run("batchnorm", make, "sparse_categorical_crossentropy", x, y, None, 0.5, fix)
    # The statistics of train_on_batch's step are the masked moments of the hidden layer's
    # output over the real steps (not over all n·T): checked here with numpy.
    m = make()
    set_seeded(m, 5)
    fix(m)
    mm0 = m.get_layer("bn").get_weights()[2]
    hid = np.asarray(keras.Model(m.inputs, m.get_layer("hidden").output)(x)).reshape(-1, h)
    keep = np.any(x != 0, axis=-1).reshape(-1)
    real = hid[keep].mean(axis=0)
    mm1 = np.asarray(out["trainOnBatch"]["weights"]["bn"][2], np.float32)
    assert np.allclose(mm1, 0.9 * mm0 + 0.1 * real, atol=1e-5), (mm1, 0.9 * mm0 + 0.1 * real)
    assert not np.allclose(mm1, 0.9 * mm0 + 0.1 * hid.mean(axis=0), atol=1e-3)
    return out


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/masking.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "cases": [tagger(), pooled(), masking(), mask_value(), batchnorm()],
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()
