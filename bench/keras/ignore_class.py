"""Keras 3 (JAX backend, CPU) as the oracle of `sparseCategoricalCrossentropy({ ignoreClass })`
(test/ignore-class.test.ts). TF.js's loss has no `ignore_class`, so Keras 3 is the reference:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/ignore_class.py

writes test/fixtures/keras3-ignore-class.json (committed, so CI needs no Python).

Keras 3's rule (keras/src/losses/losses.py `sparse_categorical_crossentropy` and
keras/src/losses/loss.py `apply_mask`): an entry whose target is `ignore_class` gives 0 and is
masked out; under the default reduction the sum is divided by the number of *valid* entries
(`divide_no_nan`: a batch where every entry is ignored gives 0, not NaN); sample weights
multiply the valid entries and do not change the denominator.

- `functions`: the loss function (`keras.losses.SparseCategoricalCrossentropy(ignore_class=…)`)
  on tensors of odd sizes, ranks 2 and 3, probabilities and logits, an ignored class inside and
  outside `[0, classes)`, and every entry ignored: the loss, `reduction=None`'s per-entry values
  and the gradient in `y_pred` (`jax.grad`).
- `models`: `compile(loss=SparseCategoricalCrossentropy(ignore_class=-1), metrics=["accuracy"])`
  on a dense softmax classifier (the first batch of 3 entirely ignored) and a per-token tagger
  (embedding + dense softmax, targets [n, T] with -1 at the padding): `evaluate` (batch size 3
  over 7 samples), `train_on_batch`, `fit` (SGD, batch size 3, 2 epochs, shuffle=False), with and
  without sample weights. The accuracy is not masked (Keras's metric sees the -1 as a miss).
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import f32, fixture, fnum, logs, set_seeded, weights_of, write_fixture  # first: it sets the Keras backend


import jax
import jax.numpy as jnp
import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-ignore-class.json")


def function_case(name, y, p, from_logits, ignore):
    y = np.asarray(y, np.float32)
    p = np.asarray(p, np.float32)
    fn = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=ignore)
    none = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=ignore, reduction=None)
    loss = fn(y, p)
    grad = jax.grad(lambda q: fn(jnp.asarray(y), q))(jnp.asarray(p))
    return {
        "name": name, "yTrue": f32(y), "yPred": f32(p), "fromLogits": from_logits, "ignoreClass": ignore,
        "loss": fnum(loss), "none": f32(none(y, p)), "grad": f32(grad),
    }


def functions():
    rng = np.random.default_rng(7)
    probs = lambda *s: (lambda e: e / e.sum(-1, keepdims=True))(np.exp(rng.normal(0, 1, s)))
    out = []
    out.append(function_case("probs 5x3, two ignored", [0, -1, 2, -1, 1], probs(5, 3), False, -1))
    out.append(function_case("logits 2x3x4, ignore 255", [[1, 255, 3], [255, 0, 2]], rng.normal(0, 2, (2, 3, 4)), True, 255))
    out.append(function_case("logits 3x5, ignore class 0 (in range)", [0, 4, 0], rng.normal(0, 1, (3, 5)), True, 0))
    out.append(function_case("probs 4x3, every entry ignored", [-1, -1, -1, -1], probs(4, 3), False, -1))
    out.append(function_case("logits 1x2, none ignored", [1], rng.normal(0, 1, (1, 2)), True, -1))
    out.append(function_case("huge logits 3x3, one ignored", [2, -1, 0], np.array([[80, -80, 0], [1e4, 0, 0], [-50, 50, 3]]), True, -1))
    return out


def model_case(name, make, x, y, w, lr):
    def fresh():
        m = make()
        set_seeded(m, 5)
        loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=-1)
        m.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=["accuracy"])
        return m

    m = fresh()
    out = {"name": name, "lr": lr, "weights": weights_of(m), "x": f32(x), "y": f32(y), "w": f32(w)}
    out["predict"] = f32(m.predict(x, verbose=0))
    out["evaluate"] = logs(m.evaluate(x, y, batch_size=3, return_dict=True, verbose=0))
    out["evaluateWeighted"] = logs(m.evaluate(x, y, sample_weight=w, batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    out["trainOnBatch"] = {"logs": logs(m.train_on_batch(x, y, return_dict=True)), "weights": weights_of(m)}
    for key, sw in (("fit", None), ("fitWeighted", w)):
        m = fresh()
        h = m.fit(x, y, sample_weight=sw, batch_size=3, epochs=2, shuffle=False, verbose=0)
        out[key] = {"history": {k: [fnum(v) for v in vs] for k, vs in h.history.items()}, "weights": weights_of(m)}
    return out


def models():
    rng = np.random.default_rng(8)
    x = rng.normal(0, 1, (7, 4)).astype(np.float32)
    y = np.array([-1, -1, -1, 2, 0, -1, 1], np.float32)  # the first batch of 3 entirely ignored
    w = np.array([1.0, 2.0, 0.5, 3.0, 0.0, 1.0, 0.5], np.float32)

    def dense():
        return keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax", name="out")], name="dense")

    n, t, v, c = 7, 5, 6, 4
    xt = rng.integers(1, v, (n, t)).astype(np.float32)
    yt = rng.integers(0, c, (n, t)).astype(np.float32)
    lengths = [5, 3, 1, 4, 2, 5, 3]
    for i, L in enumerate(lengths):
        xt[i, L:] = 0
        yt[i, L:] = -1
    wt = rng.choice(np.array([0.5, 1.0, 2.0], np.float32), (n, t)).astype(np.float32)

    def tagger():
        return keras.Sequential([keras.Input((t,)), layers.Embedding(v, 3, name="emb"), layers.Dense(c, activation="softmax", name="out")], name="tagger")

    return [model_case("dense", dense, x, y, w, 0.5), model_case("tagger", tagger, xt, yt, wt, 0.5)]


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/ignore_class.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "functions": functions(),
        "models": models(),
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()
