"""Keras 3 (JAX backend, CPU) as the oracle of `earlyStopping({ startFromEpoch })`
(test/early-stopping-keras3.test.ts). TF.js's EarlyStopping has no `start_from_epoch`, so Keras 3
is the reference:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/early_stopping.py

writes test/fixtures/keras3-early-stopping.json (committed, so CI needs no Python): for each case,
a real `model.fit` of a one-unit Dense model whose epoch logs get a scripted `score` (a callback
before `EarlyStopping` writes `script[epoch]`, so the monitor is known exactly), run with
`EarlyStopping(monitor="score", ...)` (the mode given: Keras 3 cannot read it from `score`) over `epochs` (from `initial_epoch`): the epochs that ran
(`history.epoch`), `stopped_epoch`, and with `restore_best_weights` the `best_epoch` and `best`.
"""

from fixture_util import fixture, fnum, write_fixture  # first: it sets the Keras backend

import keras
import numpy as np

OUT = fixture("keras3-early-stopping.json")

SCRIPTS = {
    # Improves for three epochs, then gets worse.
    "falls_then_rises": [5, 4, 3, 3.5, 3.6, 3.7, 3.8, 3.9, 4, 4.1],
    # A warm-up in which the loss rises (what start_from_epoch is for), then a plateau.
    "warmup": [1, 2, 3, 4, 0.5, 0.45, 0.45, 0.46, 0.47, 0.44],
    "flat": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    # A score (mode max).
    "score_max": [0.2, 0.25, 0.3, 0.3, 0.31, 0.29, 0.28, 0.4, 0.41, 0.42],
}

CASES = []
for script in ["falls_then_rises", "warmup", "flat"]:
    for start in [0, 1, 3, 4, 9, 10, 12]:
        for patience in [0, 1, 2]:
            CASES.append({"script": script, "args": {"mode": "min", "startFromEpoch": start, "patience": patience}})
CASES += [
    {"script": "warmup", "args": {"mode": "min", "startFromEpoch": 3, "patience": 2, "restoreBestWeights": True}},
    {"script": "warmup", "args": {"mode": "min", "startFromEpoch": 4, "patience": 1, "restoreBestWeights": True}},
    {"script": "warmup", "args": {"mode": "min", "startFromEpoch": 2, "patience": 2, "minDelta": 0.02, "restoreBestWeights": True}},
    {"script": "falls_then_rises", "args": {"mode": "min", "startFromEpoch": 1, "patience": 1, "baseline": 3.2}},
    {"script": "falls_then_rises", "args": {"mode": "min", "startFromEpoch": 3, "patience": 2, "baseline": 3.55}},
    {"script": "score_max", "args": {"startFromEpoch": 2, "patience": 1, "mode": "max"}},
    {"script": "score_max", "args": {"startFromEpoch": 5, "patience": 1, "mode": "max", "restoreBestWeights": True}},
    # restore_best_weights with a baseline no epoch beats: Keras 3 still puts back the best epoch.
    {"script": "falls_then_rises", "args": {"mode": "min", "startFromEpoch": 2, "patience": 2, "baseline": 1, "restoreBestWeights": True}},
    {"script": "warmup", "args": {"mode": "min", "patience": 11, "baseline": 0.1, "restoreBestWeights": True}},
    {"script": "score_max", "args": {"mode": "max", "patience": 20, "baseline": 0.9, "restoreBestWeights": True}},
    # Resumed training: Keras counts epochs from initial_epoch, and so does start_from_epoch.
    {"script": "warmup", "initialEpoch": 2, "args": {"mode": "min", "startFromEpoch": 4, "patience": 1}},
    {"script": "warmup", "initialEpoch": 5, "args": {"mode": "min", "startFromEpoch": 3, "patience": 1}},
]

KERAS_NAMES = {"startFromEpoch": "start_from_epoch", "patience": "patience", "restoreBestWeights": "restore_best_weights", "minDelta": "min_delta", "baseline": "baseline", "mode": "mode"}


class Feed(keras.callbacks.Callback):
    """Writes script[epoch] into the epoch's logs as `score` (the logs dict is shared by every callback after it)."""

    def __init__(self, script):
        super().__init__()
        self.script = script

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = self.script[epoch]


def run(case):
    script = SCRIPTS[case["script"]]
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    x = np.ones((4, 2), np.float32)
    y = np.zeros((4, 1), np.float32)
    es = keras.callbacks.EarlyStopping(monitor="score", **{KERAS_NAMES[k]: v for k, v in case["args"].items()})
    h = m.fit(x, y, epochs=len(script), initial_epoch=case.get("initialEpoch", 0), batch_size=4, verbose=0, callbacks=[Feed(script), es])
    out = {**case, "epochs": list(h.epoch), "stoppedEpoch": es.stopped_epoch}
    if case["args"].get("restoreBestWeights"):
        out["bestEpoch"] = es.best_epoch
        out["best"] = None if es.best is None else fnum(es.best)
    return out


def main():
    write_fixture(OUT, {"keras": keras.__version__, "scripts": SCRIPTS, "cases": [run(c) for c in CASES]})


if __name__ == "__main__":
    main()
