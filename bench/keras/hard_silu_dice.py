"""Keras 3 (JAX backend, CPU) as the oracle of neurite's `hardSilu` activation and `dice` loss
(test/keras-hard-silu-dice.test.ts). TF.js has neither, so Keras 3 is the reference:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/hard_silu_dice.py

writes test/fixtures/keras3-hard-silu-dice.json (committed, so CI needs no Python):
- `hardSilu`: `keras.activations.hard_silu` at fixed float32 points (the kinks ±3 included) and its
  gradient (`jax.grad` of the sum: what Keras trains with);
- `model`: a Keras 3 Sequential with `activation="hard_silu"` (`model.to_json()`), seeded
  weights and its predictions;
- `dice`: `keras.losses.Dice()(y_true, y_pred)` (the default `axis=None`: one value over every
  element of the batch) and its gradients with respect to `y_pred` and `y_true`, on several cases;
- `fit`: one `train_on_batch` of a Dense + sigmoid model compiled with `loss="dice"` and
  `SGD(0.5)`: the loss and the weights after the step.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fixture, flat32, write_fixture  # first: it sets the Keras backend

import json
import platform

import jax
import jax.numpy as jnp
import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-hard-silu-dice.json")


def hard_silu():
    x = np.concatenate(
        [
            np.array([-1e30, -100.0, -4.0, -3.0, -2.9999998, -1.5, -0.5, 0.0, 0.5, 1.0, 2.9999998, 3.0, 3.0000002, 4.0, 100.0, 1e30], np.float32),
            np.random.default_rng(7).uniform(-5, 5, 40).astype(np.float32),
        ]
    )
    y = keras.activations.hard_silu(x)
    g = jax.grad(lambda v: jnp.sum(keras.activations.hard_silu(v)))(jnp.asarray(x))
    assert keras.activations.get("hard_swish") is keras.activations.hard_silu
    return {"x": flat32(x), "y": flat32(y), "dx": flat32(g)}


def model():
    rng = np.random.default_rng(11)
    m = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="hard_silu"), layers.Dense(3, activation="hard_silu")], name="hard_silu_mlp")
    m.set_weights([rng.normal(0, 1.5, w.shape).astype(np.float32) for w in m.get_weights()])
    x = np.random.default_rng(12).normal(0, 2, (6, 5)).astype(np.float32)
    return {
        "topology": json.loads(m.to_json()),
        "weights": [{"shape": list(w.shape), "data": flat32(w)} for w in m.get_weights()],
        "input": {"shape": list(x.shape), "data": flat32(x)},
        "output": {"shape": [6, 3], "data": flat32(m.predict(x, verbose=0))},
    }


def dice_cases():
    rng = np.random.default_rng(21)
    doc_t = np.array([[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]], np.float32)
    doc_p = np.array([[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]], np.float32)
    cases = {
        "keras docstring [2,2,2,1]": (doc_t, doc_p),
        "0/1 targets [4,3]": ((rng.uniform(size=(4, 3)) > 0.5).astype(np.float32), rng.uniform(size=(4, 3)).astype(np.float32)),
        "soft targets [3,5]": (rng.uniform(size=(3, 5)).astype(np.float32), rng.uniform(size=(3, 5)).astype(np.float32)),
        "one row [1,7]": ((rng.uniform(size=(1, 7)) > 0.3).astype(np.float32), rng.uniform(size=(1, 7)).astype(np.float32)),
        "all zero [2,3]": (np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)),
        "zero targets [2,3]": (np.zeros((2, 3), np.float32), rng.uniform(size=(2, 3)).astype(np.float32)),
        "large values [2,4]": (rng.uniform(0, 1000, (2, 4)).astype(np.float32), rng.uniform(0, 1000, (2, 4)).astype(np.float32)),
        "negative predictions [3,2]": (rng.uniform(size=(3, 2)).astype(np.float32), rng.normal(0, 2, (3, 2)).astype(np.float32)),
    }
    loss = keras.losses.Dice()
    out = []
    for name, (t, p) in cases.items():
        value = loss(t, p)
        dp = jax.grad(lambda q: loss(jnp.asarray(t), q))(jnp.asarray(p))
        dt = jax.grad(lambda s: loss(s, jnp.asarray(p)))(jnp.asarray(t))
        out.append({"name": name, "shape": list(t.shape), "yTrue": flat32(t), "yPred": flat32(p), "loss": float(str(np.float32(value))), "dPred": flat32(dp), "dTrue": flat32(dt)})
    return out


def fit():
    rng = np.random.default_rng(31)
    m = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="sigmoid")])
    m.set_weights([rng.normal(0, 1, w.shape).astype(np.float32) for w in m.get_weights()])
    before = [w.copy() for w in m.get_weights()]
    x = rng.normal(0, 1, (6, 4)).astype(np.float32)
    y = (rng.uniform(size=(6, 3)) > 0.5).astype(np.float32)
    m.compile(optimizer=keras.optimizers.SGD(0.5), loss="dice")
    loss = m.train_on_batch(x, y)
    return {
        "x": {"shape": list(x.shape), "data": flat32(x)},
        "y": {"shape": list(y.shape), "data": flat32(y)},
        "learningRate": 0.5,
        "weightsBefore": [{"shape": list(w.shape), "data": flat32(w)} for w in before],
        "loss": float(str(np.float32(loss))),
        "weightsAfter": [{"shape": list(w.shape), "data": flat32(w)} for w in m.get_weights()],
    }


def main():
    keras.utils.set_random_seed(1)
    fixture = {
        "description": "Keras 3's hard_silu activation and Dice loss (values, gradients, a to_json() model, one train_on_batch), the oracle of test/keras-hard-silu-dice.test.ts. Generated by bench/keras/hard_silu_dice.py; do not edit by hand.",
        "generator": "/tmp/kv/bin/python bench/keras/hard_silu_dice.py (venv from bench/keras/requirements.txt)",
        "versions": {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__, "python": platform.python_version(), "backend": keras.backend.backend()},
        "hardSilu": hard_silu(),
        "model": model(),
        "dice": dice_cases(),
        "fit": fit(),
    }
    write_fixture(OUT, fixture, compact=True)


if __name__ == "__main__":
    main()
