"""Keras 3 (JAX backend, CPU) as the oracle of neurite's sample weights (test/sample-weights.test.ts).
TF.js's fit refuses `sampleWeight` and its trainOnBatch and evaluate take none, so Keras 3 is the
reference:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/sample_weights.py

writes test/fixtures/keras3-sample-weights.json (committed, so CI needs no Python). Each case is a
small model with fixed weights (by layer name: `[kernel, bias]`, or `[embeddings]`), data, and
what Keras 3 gives with `sample_weight` (weights with zeros, not summing to n):
- `evaluate` (`batch_size=3` over 7 samples: batches that do not divide n) with `return_dict`;
- `train_on_batch(x, y, sample_weight)`: the logs and the weights after the step;
- `fit(x, y, sample_weight, batch_size=3, epochs=2, shuffle=False)` with SGD: the history and the
  weights after, once with `validation_split=0.3` (the held-out samples' weights weigh
  `val_loss`) and once with `validation_data=(xv, yv, wv)`.
Cases: `dense` (one output, MSE), `softmax` (categorical cross-entropy with `accuracy`, which
Keras leaves unweighted), `two` (a graph model with two outputs: sample weights as a list with
None and as a dict by output name), `temporal` (embedding + dense per token, `sample_weight` of
shape [n, T]: Keras multiplies each step's loss and divides the sum by n·T).
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import f32, fixture, fnum, history, logs, set_seeded, weights_of, write_fixture  # first: it sets the Keras backend


import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-sample-weights.json")


def run(name, make, x, y, w, xv, yv, wv, loss, metrics=None, lr=0.1, extra=None):
    """Every call on a fresh copy of the same starting weights."""

    def fresh():
        m = make()
        set_seeded(m, 5)
        m.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=metrics)
        return m

    m = fresh()
    start = weights_of(m)
    out = {"name": name, "weights": start, "x": f32(x), "y": f32(y) if not isinstance(y, (list, dict)) else None}
    out["evaluate"] = logs(m.evaluate(x, y, sample_weight=w, batch_size=3, return_dict=True, verbose=0))
    out["evaluateUnweighted"] = logs(m.evaluate(x, y, batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    out["trainOnBatch"] = {"logs": logs(m.train_on_batch(x, y, sample_weight=w, return_dict=True)), "weights": weights_of(m)}
    m = fresh()
    h = m.fit(x, y, sample_weight=w, batch_size=3, epochs=2, shuffle=False, verbose=0, validation_split=0.3)
    out["fitSplit"] = {"history": history(h), "weights": weights_of(m)}
    m = fresh()
    h = m.fit(x, y, sample_weight=w, batch_size=3, epochs=2, shuffle=False, verbose=0, validation_data=(xv, yv, wv))
    out["fitValidation"] = {"history": history(h), "weights": weights_of(m)}
    if extra:
        extra(fresh, out)
    return out


def dense_case():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (7, 4)).astype(np.float32)
    y = rng.normal(0, 1, (7, 2)).astype(np.float32)
    w = np.array([1.5, 0.0, 2.0, 0.25, 3.0, 0.0, 1.0], np.float32)  # sums to 7.75, zeros
    xv, yv = rng.normal(0, 1, (4, 4)).astype(np.float32), rng.normal(0, 1, (4, 2)).astype(np.float32)
    wv = np.array([0.5, 2.0, 0.0, 1.0], np.float32)

    def make():
        return keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="sigmoid", name="hidden"), layers.Dense(2, name="out")], name="dense_case")

    c = run("dense", make, x, y, w, xv, yv, wv, "mse")
    c.update(w=f32(w), xv=f32(xv), yv=f32(yv), wv=f32(wv))
    return c


def softmax_case():
    rng = np.random.default_rng(2)
    x = rng.normal(0, 1, (7, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 7)]
    w = np.array([0.0, 4.0, 1.0, 0.5, 0.0, 2.5, 1.0], np.float32)
    xv = rng.normal(0, 1, (5, 3)).astype(np.float32)
    yv = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 5)]
    wv = np.array([1.0, 0.0, 3.0, 0.5, 2.0], np.float32)

    def make():
        return keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="softmax", name="out")], name="softmax_case")

    c = run("softmax", make, x, y, w, xv, yv, wv, "categorical_crossentropy", metrics=["accuracy"], lr=0.5)
    c.update(w=f32(w), xv=f32(xv), yv=f32(yv), wv=f32(wv))
    return c


def two_case():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 1, (7, 4)).astype(np.float32)
    ya = rng.normal(0, 1, (7, 2)).astype(np.float32)
    yb = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 7)]
    wa = np.array([2.0, 0.0, 1.0, 0.5, 1.0, 3.0, 0.0], np.float32)
    wb = np.array([0.25, 1.0, 0.0, 2.0, 1.0, 1.0, 4.0], np.float32)

    def make(by_name=False):
        inp = keras.Input((4,), name="inp")
        h = layers.Dense(3, activation="tanh", name="hidden")(inp)
        a = layers.Dense(2, name="reg")(h)
        b = layers.Dense(3, activation="softmax", name="cls")(h)
        # Keras 3 takes y and sample_weight by output name for a model whose outputs are a dict.
        return keras.Model(inp, {"reg": a, "cls": b} if by_name else [a, b], name="two_case")

    def fresh(by_name=False):
        m = make(by_name)
        set_seeded(m, 5)
        if by_name:  # the same weights as the list model's, by layer name (its layers' order differs)
            src = fresh()
            for layer in m.layers:
                if layer.get_weights():
                    layer.set_weights(src.get_layer(layer.name).get_weights())
        loss = {"reg": "mse", "cls": "categorical_crossentropy"} if by_name else ["mse", "categorical_crossentropy"]
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
        return m

    out = {"name": "two", "weights": weights_of(fresh()), "x": f32(x), "ya": f32(ya), "yb": f32(yb), "wa": f32(wa), "wb": f32(wb)}
    m = fresh()
    out["evaluateList"] = logs(m.evaluate(x, [ya, yb], sample_weight=[wa, wb], batch_size=3, return_dict=True, verbose=0))
    out["evaluateDict"] = logs(fresh(True).evaluate(x, {"reg": ya, "cls": yb}, sample_weight={"reg": wa, "cls": wb}, batch_size=3, return_dict=True, verbose=0))
    # None for an output: that output's loss unweighted (Keras: weight 1 per sample).
    out["evaluateNone"] = logs(m.evaluate(x, [ya, yb], sample_weight=[wa, None], batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    out["trainOnBatch"] = {"logs": logs(m.train_on_batch(x, [ya, yb], sample_weight=[wa, wb], return_dict=True)), "weights": weights_of(m)}
    m = fresh()
    h = m.fit(x, [ya, yb], sample_weight=[wa, wb], batch_size=3, epochs=2, shuffle=False, verbose=0)
    out["fit"] = {"history": history(h), "weights": weights_of(m)}
    return out


def temporal_case():
    rng = np.random.default_rng(4)
    n, t, v, c = 7, 5, 6, 4
    x = rng.integers(0, v, (n, t)).astype(np.float32)
    y = np.eye(c, dtype=np.float32)[rng.integers(0, c, (n, t))]
    w = rng.choice(np.array([0.0, 0.5, 1.0, 2.0], np.float32), (n, t)).astype(np.float32)
    w[:, -2:] = 0.0  # padding steps
    xv = rng.integers(0, v, (4, t)).astype(np.float32)
    yv = np.eye(c, dtype=np.float32)[rng.integers(0, c, (4, t))]
    wv = np.ones((4, t), np.float32)
    wv[0, 3:] = 0.0

    def make():
        return keras.Sequential([keras.Input((t,)), layers.Embedding(v, 3, name="emb"), layers.Dense(c, activation="softmax", name="out")], name="temporal_case")

    c_ = run("temporal", make, x, y, w, xv, yv, wv, "categorical_crossentropy", lr=0.5)
    c_.update(w=f32(w), xv=f32(xv), yv=f32(yv), wv=f32(wv))
    # The denominator: Keras 3 divides the sum of w·loss by n·T (the loss's size), not by Σw.
    m = make()
    set_seeded(m, 5)
    p = np.asarray(m.predict(x, verbose=0))
    per_step = -np.sum(y * np.log(np.clip(p, 1e-7, 1 - 1e-7)), axis=-1)
    c_["closedForm"] = fnum(np.sum(per_step * w) / (n * t))
    return c_


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/sample_weights.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "cases": [dense_case(), softmax_case(), temporal_case()],
        "two": two_case(),
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()
