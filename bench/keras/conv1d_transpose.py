"""Keras 3 (JAX backend, CPU) as the oracle of neurite's `layers.conv1dTranspose` (Keras 3's
`keras.layers.Conv1DTranspose`; TF.js 4.22 has no such layer), for
test/conv1d-transpose.test.ts:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/conv1d_transpose.py

writes test/fixtures/keras3-conv1d-transpose.json (committed, so CI needs no Python):
- `cases`: one Conv1DTranspose layer each (strides 1, 2 and 3; 'same' and 'valid';
  output_padding None, 0, 1 and 2; dilation 2 and 3; odd lengths, one step; 1 to 4 channels;
  use_bias False; linear, tanh, sigmoid), in a Sequential of that layer alone, seeded with N(0,
  0.7) weights (`fixture_util.set_seeded`): its `to_json()`, the input `x` [4, n, c], Keras's
  output shape, `predict`, the gradients of `sum(y·g)` in x, the kernel and the bias (JAX's
  `grad` through `stateless_call`) for a fixed `g`, one `train_on_batch` and two epochs of
  `fit` (SGD 0.05, mean squared error, batches of 3, in order) to a fixed target `y`;
- `autoencoder`: a 1-D convolutional autoencoder (Conv1D 8, kernel 5, stride 2, 'same', tanh →
  Conv1DTranspose 1, kernel 5, stride 2, 'same', linear) on 24 noisy sines of 32 steps whose
  targets are the clean sines: its `to_json()`, its weights before, six epochs of `fit`
  (SGD 0.1, batches of 8, in order), the weights and `predict` after.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fit_record, fixture, set_seeded, trained_case, weights_of, write_fixture  # first: it sets the Keras backend

import platform

import jax
import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-conv1d-transpose.json")

# (name, Conv1DTranspose options, steps, in channels)
CASES = [
    ("s1 valid", dict(filters=2, kernel_size=3), 5, 1),
    ("s2 same tanh", dict(filters=3, kernel_size=3, strides=2, padding="same", activation="tanh"), 7, 2),
    ("s2 valid k4", dict(filters=2, kernel_size=4, strides=2), 6, 3),
    ("s3 same op2", dict(filters=2, kernel_size=5, strides=3, padding="same", output_padding=2), 4, 2),
    ("s2 same k4 op0", dict(filters=1, kernel_size=4, strides=2, padding="same", output_padding=0), 5, 1),
    ("s3 valid k2 op1", dict(filters=2, kernel_size=2, strides=3, output_padding=1), 3, 2),
    ("d2 same sigmoid", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same", activation="sigmoid"), 6, 2),
    ("d3 valid op0", dict(filters=3, kernel_size=2, dilation_rate=3, output_padding=0), 5, 1),
    ("one step, no bias", dict(filters=1, kernel_size=3, strides=2, padding="same", output_padding=1, use_bias=False), 1, 4),
    ("s2 same k2 op1 odd", dict(filters=2, kernel_size=2, strides=2, padding="same", output_padding=1), 9, 3),
]
LR = 0.05


def case(name, opts, n, c):
    rng = np.random.default_rng(len(name) * 31 + n)

    def fresh():
        m = keras.Sequential([keras.Input((n, c)), layers.Conv1DTranspose(name="t", **opts)], name="m")
        set_seeded(m, 7)
        m.compile(optimizer=keras.optimizers.SGD(LR), loss="mse")
        return m

    return trained_case(fresh, rng, lambda m: {
        "name": name,
        "options": {k: v for k, v in opts.items()},
        "json": m.to_json(),
        "inputShape": [n, c],
        "outputShape": list(m.output_shape[1:]),
        "weights": weights_of(m),
    })


def autoencoder():
    rng = np.random.default_rng(11)
    t = np.arange(32, dtype=np.float32)
    freq = rng.uniform(0.15, 0.45, (24, 1))
    phase = rng.uniform(0, 2 * np.pi, (24, 1))
    clean = np.sin(freq * t + phase).astype(np.float32)[..., None]
    noisy = (clean + rng.normal(0, 0.3, clean.shape)).astype(np.float32)

    m = keras.Sequential(
        [
            keras.Input((32, 1)),
            layers.Conv1D(8, 5, strides=2, padding="same", activation="tanh", name="enc"),
            layers.Conv1DTranspose(1, 5, strides=2, padding="same", name="dec"),
        ],
        name="ae",
    )
    return fit_record(m, noisy, clean, 12, 0.1, batch_size=8)


def main():
    out = {
        "generator": "bench/keras/conv1d_transpose.py",
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "lr": LR,
        "cases": [case(*c) for c in CASES],
        "autoencoder": autoencoder(),
    }
    write_fixture(OUT, out, compact=True)


if __name__ == "__main__":
    main()
