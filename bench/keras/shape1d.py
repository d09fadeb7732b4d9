"""Keras 3 (JAX backend, CPU) as the oracle of neurite's 1-D shape layers `layers.upSampling1d`,
`layers.zeroPadding1d` and `layers.cropping1d` (Keras 3's `UpSampling1D`, `ZeroPadding1D` and
`Cropping1D`; TF.js 4.22 has none of them), for test/shape1d.test.ts:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/shape1d.py

writes test/fixtures/keras3-shape1d.json (committed, so CI needs no Python):
- `cases`: small Sequential models of 7 steps and 3 channels (odd lengths throughout), seeded
  with N(0, 0.7) weights (`fixture_util.set_seeded`):
  - `chain`: Conv1D 4, kernel 3, 'same', tanh → UpSampling1D 2 (14) → ZeroPadding1D (1, 2)
    (17) → Cropping1D (2, 1) (14) → Conv1D 2, kernel 3, 'valid' (12);
  - `pool`: Conv1D 3, kernel 2, 'same', relu → MaxPooling1D 3, 'same' (3) → UpSampling1D 3
    (9) → Cropping1D 1 (7) → Conv1D 3, kernel 1 (the Keras way of restoring an odd length);
  - `pad int`: ZeroPadding1D 2 (11) → Conv1D 2, kernel 5, 'valid', sigmoid (7) → UpSampling1D
    (default 2) → Cropping1D (default (1, 1)) (12);
  each with its `to_json()`, the shape layers' classes and amounts (`layers`), the input `x` [4, 7, 3], Keras's output shape, `predict`, the
  gradients of `sum(y·g)` in x and in every weight (JAX's `grad` through `stateless_call`) for
  a fixed `g`, one `train_on_batch` and two epochs of `fit` (SGD 0.05, mean squared error,
  batches of 3, in order) to a fixed target `y`;
- `unet`: the same for a functional model on 9 steps: Conv1D 4 'same' tanh → MaxPooling1D 2
  'same' (5) → UpSampling1D 2 (10) → Cropping1D (0, 1) (9), concatenated with the Conv1D's
  output (the skip), → ZeroPadding1D (2, 0) (11) → Conv1D 2, kernel 3 (9).
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fixture, set_seeded, trained_case, weights_of, write_fixture  # first: it sets the Keras backend

import platform

import jax
import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-shape1d.json")
LR = 0.05
STEPS, CHANNELS = 7, 3


def chain():
    return [
        layers.Conv1D(4, 3, padding="same", activation="tanh", name="c1"),
        layers.UpSampling1D(2, name="up"),
        layers.ZeroPadding1D((1, 2), name="pad"),
        layers.Cropping1D((2, 1), name="crop"),
        layers.Conv1D(2, 3, name="c2"),
    ]


def pool():
    return [
        layers.Conv1D(3, 2, padding="same", activation="relu", name="c1"),
        layers.MaxPooling1D(3, padding="same", name="pool"),
        layers.UpSampling1D(3, name="up"),
        layers.Cropping1D(1, name="crop"),
        layers.Conv1D(3, 1, name="c2"),
    ]


def pad_int():
    return [
        layers.ZeroPadding1D(2, name="pad"),
        layers.Conv1D(2, 5, activation="sigmoid", name="c1"),
        layers.UpSampling1D(name="up"),
        layers.Cropping1D(name="crop"),
    ]


def unet():
    """A functional 1-D U-Net step on 9 steps: the skip joins the upsampled path after a crop."""
    x = keras.Input((STEPS + 2, CHANNELS), name="x")
    a = layers.Conv1D(4, 3, padding="same", activation="tanh", name="c1")(x)
    d = layers.MaxPooling1D(2, padding="same", name="pool")(a)  # 9 -> 5
    u = layers.UpSampling1D(2, name="up")(d)  # 10
    u = layers.Cropping1D((0, 1), name="crop")(u)  # 9
    j = layers.Concatenate(name="join")([a, u])
    j = layers.ZeroPadding1D((2, 0), name="pad")(j)  # 11
    return keras.Model(x, layers.Conv1D(2, 3, name="c2")(j), name="m")  # 9


CASES = [("chain", chain), ("pool", pool), ("pad int", pad_int), ("unet", unet)]
SHAPE = ("UpSampling1D", "ZeroPadding1D", "Cropping1D")


def case(name, make):
    rng = np.random.default_rng(len(name) * 31 + 5)

    def fresh():
        m = make() if name == "unet" else keras.Sequential([keras.Input((STEPS, CHANNELS)), *make()], name="m")
        set_seeded(m, 7)
        m.compile(optimizer=keras.optimizers.SGD(LR), loss="mse")
        return m

    return trained_case(fresh, rng, lambda m: {
        "name": name,
        "json": m.to_json(),
        "layers": [[type(l).__name__, l.get_config().get("size", l.get_config().get("padding", l.get_config().get("cropping")))] for l in m.layers if type(l).__name__ in SHAPE],
        "outputShape": list(m.output_shape[1:]),
        "weights": weights_of(m),
        "weightNames": [v.path for v in m.trainable_variables],
    })


def main():
    out = {
        "generator": "bench/keras/shape1d.py",
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "lr": LR,
        "cases": [case(*c) for c in CASES],
    }
    write_fixture(OUT, out, compact=True)


if __name__ == "__main__":
    main()
