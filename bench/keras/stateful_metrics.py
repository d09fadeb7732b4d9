"""Keras 3 (JAX backend, CPU) as the oracle of the metrics neurite accumulates over the epoch
(`compile({ metrics: ['precision', 'recall', 'auc', 'f1Score', 'r2Score', 'rmse'] })`, Keras 3's
stateful `Precision()`, `Recall()`, `AUC()`, `F1Score()`, `R2Score()`, `RootMeanSquaredError()`),
read by test/stateful-metrics.test.ts.

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/stateful_metrics.py

writes test/fixtures/keras3-stateful-metrics.json (committed, so CI needs no Python). What it pins:
- A stateful metric's epoch value is computed from counts or sums over every batch of the epoch
  (reset at each epoch's start), so it is the metric of the whole epoch's predictions (made
  before each batch's update), independent of the batch size: `evaluate` with batch sizes 4 and
  the whole set give one value. `val_` metrics start from zero for each validation pass.
- `metrics` are unweighted: `sample_weight` weighs the loss only (the `binary` case).
- A batch without a positive (the first batch of `binary`) does not pull the epoch's precision
  or recall down, as a mean of batch values would.
Cases (23 training samples in batches of 5: an uneven last batch of 3; SGD, shuffle=False,
2 epochs, 11 validation samples; starting weights by layer name; float32 values in their
shortest decimal form):
- `binary`: sigmoid output of one unit, binary cross-entropy, sample weights; Precision, Recall,
  AUC, F1Score(average='macro', threshold=0.5) (neurite's 'f1Score' on one unit).
- `multilabel`: three sigmoid units; Precision, Recall, AUC(num_thresholds=50, curve='PR'),
  F1Score(average='weighted', threshold=0.4).
- `softmax`: four softmax units, categorical cross-entropy; AUC (every entry one pool),
  F1Score(average='macro') (threshold None: each row's largest), Precision.
- `regression`: two linear units, mse, targets of different means and spreads per column;
  R2Score (per column, then their mean), RootMeanSquaredError.
Each case also has the metrics of the whole set of fixed predictions (`standalone`: AUC with
each curve and summation method, F1 with each average) for `metrics.auc` and `metrics.f1Score`.
"""

from fixture_util import f32, fixture, fnum, history, logs, set_seeded, weights_of, write_fixture  # first: it sets the Keras backend


import keras
import numpy as np
from keras import layers, metrics

OUT = fixture("keras3-stateful-metrics.json")
N, NV, BATCH, EPOCHS = 23, 11, 5, 2


def run(name, units, activation, loss, make_metrics, x, y, xv, yv, w=None, lr=0.1):
    def fresh():
        m = keras.Sequential([keras.Input((x.shape[1],)), layers.Dense(6, activation="tanh", name="hidden"), layers.Dense(units, activation=activation, name="out")], name=f"{name}_case")
        set_seeded(m, 7)
        m.compile(optimizer=keras.optimizers.SGD(lr), loss=loss, metrics=make_metrics())
        return m

    m = fresh()
    out = {"name": name, "weights": weights_of(m), "x": f32(x), "y": f32(y), "xv": f32(xv), "yv": f32(yv)}
    if w is not None:
        out["w"] = f32(w)
    out["evaluate4"] = logs(m.evaluate(x, y, batch_size=4, return_dict=True, verbose=0))
    out["evaluateAll"] = logs(m.evaluate(x, y, batch_size=N, return_dict=True, verbose=0))
    h = m.fit(x, y, sample_weight=w, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0, validation_data=(xv, yv))
    out["fit"] = {"history": history(h), "weights": weights_of(m)}
    return out


def standalone(y, p):
    """Whole-set values of fixed predictions for metrics.auc and metrics.f1Score."""
    out = {"y": f32(y), "p": f32(p)}
    for curve in ("ROC", "PR"):
        for method in ("interpolation", "minoring", "majoring"):
            for t in (200, 7):
                m = metrics.AUC(num_thresholds=t, curve=curve, summation_method=method)
                m.update_state(y, p)
                out[f"auc_{curve}_{method}_{t}"] = fnum(m.result())
    for average in ("micro", "macro", "weighted"):
        for threshold in (None, 0.5, 0.3):
            m = metrics.F1Score(average=average, threshold=threshold)
            m.update_state(y, p)
            out[f"f1_{average}_{threshold}"] = fnum(m.result())
    return out


def main():
    rng = np.random.default_rng(21)
    x = rng.normal(0, 1, (N, 5)).astype(np.float32)
    xv = rng.normal(0, 1, (NV, 5)).astype(np.float32)
    # Binary: the first batch (samples 0-4) has no positive.
    yb = (rng.random((N, 1)) < 0.45).astype(np.float32)
    yb[:BATCH] = 0
    yb[BATCH] = 1
    ybv = (rng.random((NV, 1)) < 0.5).astype(np.float32)
    w = rng.uniform(0, 2, N).astype(np.float32)
    w[3] = 0
    binary = run("binary", 1, "sigmoid", "binary_crossentropy",
                 lambda: [metrics.Precision(name="precision"), metrics.Recall(name="recall"), metrics.AUC(name="auc"), metrics.F1Score(average="macro", threshold=0.5)], x, yb, xv, ybv, w, lr=0.5)

    ym = (rng.random((N, 3)) < 0.4).astype(np.float32)
    ymv = (rng.random((NV, 3)) < 0.4).astype(np.float32)
    multilabel = run("multilabel", 3, "sigmoid", "binary_crossentropy",
                     lambda: [metrics.Precision(name="precision"), metrics.Recall(name="recall"), metrics.AUC(num_thresholds=50, curve="PR", name="auc"), metrics.F1Score(average="weighted", threshold=0.4)], x, ym, xv, ymv)

    ys = np.eye(4, dtype=np.float32)[rng.integers(0, 4, N)]
    ysv = np.eye(4, dtype=np.float32)[rng.integers(0, 4, NV)]
    softmax = run("softmax", 4, "softmax", "categorical_crossentropy",
                  lambda: [metrics.AUC(name="auc"), metrics.F1Score(average="macro"), metrics.Precision(name="precision")], x, ys, xv, ysv)

    def targets(n):
        return np.stack([rng.normal(0, 1, n), 3 + rng.normal(0, 0.5, n)], axis=1).astype(np.float32)

    yr, yrv = targets(N), targets(NV)
    regression = run("regression", 2, None, "mse", lambda: [metrics.R2Score(), metrics.RootMeanSquaredError()], x, yr, xv, yrv, lr=0.05)

    # Fixed predictions with ties, exact 0 and 1, and values on the thresholds' grid.
    y = (rng.random((40, 3)) < 0.4).astype(np.float32)
    p = rng.random((40, 3)).astype(np.float32)
    p[0, 0], p[1, 1], p[2, 2], p[3, 0], p[4, 1] = 0.0, 1.0, 0.5, 1 / 6, 0.5
    p[5:9, 0] = 0.25
    fixture_obj = {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "note": "bench/keras/stateful_metrics.py; fit batch_size 5 (23 samples) epochs 2 shuffle False, SGD; evaluate batch sizes 4 and 23",
        "cases": [binary, multilabel, softmax, regression],
        "standalone": standalone(y, p),
    }
    write_fixture(OUT, fixture_obj)


if __name__ == "__main__":
    main()
