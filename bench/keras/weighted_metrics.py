"""Keras 3 (JAX backend, CPU) as the oracle of `compile({ weightedMetrics })` (Keras 3's
`weighted_metrics`; TF.js has none), read by test/weighted-metrics.test.ts.

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/weighted_metrics.py

writes test/fixtures/keras3-weighted-metrics.json (committed, so CI needs no Python). What it pins:
- A weighted metric is Σ wᵢ·mᵢ / Σ wᵢ over every sample of the epoch (or of `evaluate`), mᵢ the
  metric of sample i (a mean over its last axis for mae/mse; 0 or 1 for an accuracy); a plain
  `metrics` entry stays unweighted (Σ mᵢ / n). Each is accumulated over the batches, so an
  uneven last batch weighs by its samples (or its Σ w), not as a whole batch.
- Names (keras/src/trainers/compile_utils.py, CompileMetrics.result): a weighted metric keeps its
  name unless a plain metric already has it, then it is `weighted_<name>`; with several outputs
  both are prefixed by the output name (`reg_mae`, `reg_weighted_mae`); validation adds `val_`.
- `class_weight` weighs the weighted metrics (and the loss) as the sample weights it becomes
  (keras/src/trainers/data_adapters/data_adapter_utils.py, class_weight_to_sample_weights); Keras 3
  refuses `class_weight` with several outputs and together with `sample_weight`.
Cases (float32 values in their shortest decimal form; starting weights by layer name):
- `one`: a dense model, 7 samples in batches of 3 (an uneven last batch of 1), mse with
  `metrics=['mae']` and `weighted_metrics=['mae', 'mse']`; sample weights with zeros not summing
  to n: `evaluate`, `evaluate` without weights (then weighted = plain), and `fit` for 2 epochs
  (SGD, shuffle=False) with `validation_data=(xv, yv, wv)`.
- `softmax`: categorical cross-entropy with `metrics=['accuracy']`, `weighted_metrics=['accuracy']`,
  `class_weight={0: 0.5, 1: 2, 2: 0}`: `fit` 2 epochs, and `evaluate` with the class weights'
  sample weights given explicitly (Keras's evaluate takes no class_weight).
- `two`: a graph model with two outputs `reg` (mse) and `cls` (categorical cross-entropy);
  `metrics={'reg': ['mae']}`, `weighted_metrics={'reg': ['mae'], 'cls': ['accuracy']}`, sample
  weights per output: `evaluate` and `fit` 2 epochs with `validation_split=0.3`.
"""

from fixture_util import f32, fixture, fnum, history, logs, set_seeded, weights_of, write_fixture  # first: it sets the Keras backend


import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-weighted-metrics.json")


def one_case():
    rng = np.random.default_rng(11)
    x = rng.normal(0, 1, (7, 4)).astype(np.float32)
    y = rng.normal(0, 1, (7, 2)).astype(np.float32)
    w = np.array([1.5, 0.0, 2.0, 0.25, 3.0, 0.0, 1.0], np.float32)
    xv, yv = rng.normal(0, 1, (4, 4)).astype(np.float32), rng.normal(0, 1, (4, 2)).astype(np.float32)
    wv = np.array([0.5, 2.0, 0.0, 1.0], np.float32)

    def fresh():
        m = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="sigmoid", name="hidden"), layers.Dense(2, name="out")], name="one_case")
        set_seeded(m, 5)
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"], weighted_metrics=["mae", "mse"])
        return m

    m = fresh()
    out = {"name": "one", "weights": weights_of(m), "x": f32(x), "y": f32(y), "w": f32(w), "xv": f32(xv), "yv": f32(yv), "wv": f32(wv)}
    out["evaluate"] = logs(m.evaluate(x, y, sample_weight=w, batch_size=3, return_dict=True, verbose=0))
    out["evaluateUnweighted"] = logs(m.evaluate(x, y, batch_size=3, return_dict=True, verbose=0))
    # The closed form of the weighted mae over the 7 samples (the per-sample mean over the last axis).
    p = np.asarray(m.predict(x, verbose=0))
    per = np.mean(np.abs(p - y), axis=-1)
    out["closedFormWeightedMae"] = fnum(np.sum(per * w) / np.sum(w))
    m = fresh()
    h = m.fit(x, y, sample_weight=w, batch_size=3, epochs=2, shuffle=False, verbose=0, validation_data=(xv, yv, wv))
    out["fit"] = {"history": history(h), "weights": weights_of(m)}
    return out


def softmax_case():
    rng = np.random.default_rng(12)
    x = rng.normal(0, 1, (7, 3)).astype(np.float32)
    labels = rng.integers(0, 3, 7)
    y = np.eye(3, dtype=np.float32)[labels]
    class_weight = {0: 0.5, 1: 2.0, 2: 0.0}
    cw = np.array([class_weight[int(k)] for k in labels], np.float32)

    def fresh():
        m = keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="softmax", name="out")], name="softmax_case")
        set_seeded(m, 5)
        m.compile(optimizer=keras.optimizers.SGD(0.5), loss="categorical_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
        return m

    m = fresh()
    out = {"name": "softmax", "weights": weights_of(m), "x": f32(x), "y": f32(y), "classWeight": {str(k): v for k, v in class_weight.items()}, "classSampleWeights": f32(cw)}
    out["evaluate"] = logs(m.evaluate(x, y, sample_weight=cw, batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    h = m.fit(x, y, class_weight=class_weight, batch_size=3, epochs=2, shuffle=False, verbose=0)
    out["fit"] = {"history": history(h), "weights": weights_of(m)}
    return out


def two_case():
    rng = np.random.default_rng(13)
    x = rng.normal(0, 1, (7, 4)).astype(np.float32)
    ya = rng.normal(0, 1, (7, 2)).astype(np.float32)
    yb = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 7)]
    wa = np.array([2.0, 0.0, 1.0, 0.5, 1.0, 3.0, 0.0], np.float32)
    wb = np.array([0.25, 1.0, 0.0, 2.0, 1.0, 1.0, 4.0], np.float32)

    def fresh():
        inp = keras.Input((4,), name="inp")
        h = layers.Dense(3, activation="tanh", name="hidden")(inp)
        a = layers.Dense(2, name="reg")(h)
        b = layers.Dense(3, activation="softmax", name="cls")(h)
        m = keras.Model(inp, {"reg": a, "cls": b}, name="two_case")
        set_seeded(m, 5)
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss={"reg": "mse", "cls": "categorical_crossentropy"}, metrics={"reg": ["mae"]}, weighted_metrics={"reg": ["mae"], "cls": ["accuracy"]})
        return m

    m = fresh()
    out = {"name": "two", "weights": weights_of(m), "x": f32(x), "ya": f32(ya), "yb": f32(yb), "wa": f32(wa), "wb": f32(wb)}
    out["evaluate"] = logs(m.evaluate(x, {"reg": ya, "cls": yb}, sample_weight={"reg": wa, "cls": wb}, batch_size=3, return_dict=True, verbose=0))
    m = fresh()
    h = m.fit(x, {"reg": ya, "cls": yb}, sample_weight={"reg": wa, "cls": wb}, batch_size=3, epochs=2, shuffle=False, verbose=0, validation_split=0.3)
    out["fit"] = {"history": history(h), "weights": weights_of(m)}
    return out


def main():
    fixture = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/weighted_metrics.py; evaluate batch_size 3, fit batch_size 3 epochs 2 shuffle False, SGD",
        "cases": [one_case(), softmax_case(), two_case()],
    }
    write_fixture(OUT, fixture)


if __name__ == "__main__":
    main()
