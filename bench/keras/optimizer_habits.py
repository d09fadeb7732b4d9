"""Keras 3 (JAX backend, CPU) as the oracle of every optimizer's `weightDecay` (with
`excludeFromWeightDecay`, under a learning-rate schedule) and of
`callbacks.learningRateScheduler` (test/weight-decay.test.ts, test/lr-scheduler.test.ts).
TF.js has neither (its optimizers have no weight decay, its callbacks no scheduler), so Keras 3
is the reference:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/optimizer_habits.py

writes test/fixtures/keras3-optimizer-habits.json (committed, so CI needs no Python):
- `decay`: a dense 5 → 3 (tanh) → 2 model with fixed weights, MSE, 7 samples, `fit(batch_size=7,
  epochs=4, shuffle=False)` (4 full-batch steps) with `ExponentialDecay(0.05, 2, 0.5)` as the
  rate, for SGD, Adam, RMSprop, Adagrad and AdamW with `weight_decay=0.1` (AdamW 0.2), each with
  and without `exclude_from_weight_decay(var_names=['bias'])`, plus SGD without decay (the
  control): the weights after, by layer name.
  The optimizers are those whose Keras 3 rule is neurite's for a rate that changes (not SGD
  with momentum: Keras keeps the rate inside the velocity) and whose ε sits where neurite's
  does up to the bias correction (Adam: Keras adds ε to the uncorrected √v, an effective
  ε·√(1 − β₂ᵏ); Adam and AdamW run with ε = 1e-12 on both sides, where that does not show).
- `scheduler`: the same model, SGD(0.1), `fit(batch_size=3, epochs=3, shuffle=False)` with
  `LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)` (the rate 0.1,
  0.05, 0.025): the history (`loss`, `learning_rate` per epoch) and the weights after.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import f32, fixture, write_fixture  # first: it sets the Keras backend


import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-optimizer-habits.json")


def make(start=None):
    m = keras.Sequential([keras.Input((5,)), layers.Dense(3, activation="tanh", name="d1"), layers.Dense(2, name="d2")])
    if start is None:
        rng = np.random.default_rng(7)
        for layer in m.layers:
            layer.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32) for w in layer.get_weights()])
    else:
        for layer in m.layers:
            layer.set_weights([np.asarray(w, dtype=np.float32) for w in start[layer.name]])
    return m


def weights_of(m):
    return {layer.name: [f32(w) for w in layer.get_weights()] for layer in m.layers}


rng = np.random.default_rng(3)
x = rng.normal(0, 1, (7, 5)).astype(np.float32)
y = rng.normal(0, 1, (7, 2)).astype(np.float32)
start = weights_of(make())


def schedule():
    return keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)


# Keras adds ε to the uncorrected √v (neurite and TF.js to the corrected one): with ε = 1e-7 a
# weight whose gradient is tiny moved 7e-6 apart in 4 steps. A negligible ε leaves the rules equal.
ADAM_EPSILON = 1e-12

OPTIMIZERS = {
    "sgd": lambda wd: keras.optimizers.SGD(schedule(), weight_decay=wd),
    "adam": lambda wd: keras.optimizers.Adam(schedule(), epsilon=ADAM_EPSILON, weight_decay=wd),
    "rmsprop": lambda wd: keras.optimizers.RMSprop(schedule(), epsilon=1e-7, weight_decay=wd),
    "adagrad": lambda wd: keras.optimizers.Adagrad(schedule(), initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=wd),
    "adamw": lambda wd: keras.optimizers.AdamW(schedule(), weight_decay=wd, epsilon=ADAM_EPSILON),
}

decay = []
for name, make_opt in OPTIMIZERS.items():
    wd = 0.2 if name == "adamw" else 0.1
    for exclude in ([], ["bias"]):
        m = make(start)
        opt = make_opt(wd)
        if exclude:
            opt.exclude_from_weight_decay(var_names=exclude)
        m.compile(optimizer=opt, loss="mse")
        h = m.fit(x, y, batch_size=7, epochs=4, shuffle=False, verbose=0)
        decay.append({"optimizer": name, "epsilon": ADAM_EPSILON if name.startswith("adam") else 1e-7, "weightDecay": wd, "exclude": exclude, "loss": [f32(v) for v in h.history["loss"]], "weights": weights_of(m)})
m = make(start)
m.compile(optimizer=keras.optimizers.SGD(schedule()), loss="mse")
m.fit(x, y, batch_size=7, epochs=4, shuffle=False, verbose=0)
decay.append({"optimizer": "sgd", "weightDecay": 0, "exclude": [], "weights": weights_of(m)})

m = make(start)
m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
h = m.fit(x, y, batch_size=3, epochs=3, shuffle=False, verbose=0, callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)])
scheduler = {"history": {k: [f32(v) for v in vs] for k, vs in h.history.items()}, "weights": weights_of(m)}

out = {"keras": keras.__version__, "x": f32(x), "y": f32(y), "start": start, "schedule": {"initialLearningRate": 0.05, "decaySteps": 2, "decayRate": 0.5}, "decay": decay, "scheduler": scheduler}
write_fixture(OUT, out)
