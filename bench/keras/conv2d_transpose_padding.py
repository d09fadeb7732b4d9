"""Keras 3 (JAX backend, CPU) as the oracle of neurite's `layers.conv2dTranspose` with Keras 3's
`output_padding` (and dilation_rate; TF.js 4.22's Conv2DTranspose has neither), for
test/conv2d-transpose-padding.test.ts:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/conv2d_transpose_padding.py

writes test/fixtures/keras3-conv2d-transpose-padding.json (committed, so CI needs no Python):
- `cases`: one Conv2DTranspose layer each (strides 1, 2, 3 and [2, 3]; 'same' and 'valid';
  output_padding 0, 1, 2 and per-axis pairs; even and non-square kernels, a kernel smaller than
  its stride; dilation 2 and [1, 3] with stride 1, which is where Keras allows it; odd sizes, a
  1 × 1 image; 1 to 3 channels; use_bias False; inputs of N(0, 1), times 1e3 and 1e-4; one case
  without output_padding), in a Sequential of that layer alone, seeded with N(0, 0.7) weights
  (`fixture_util.set_seeded`): its `to_json()`, the input `x` [4, h, w, c], Keras's output
  shape, `predict`, the gradients of `sum(y·g)` in x, the kernel and the bias (JAX's `grad`
  through `stateless_call`) for a fixed `g`, one `train_on_batch` and two epochs of `fit` (SGD
  0.05, mean squared error, batches of 3, in order) to a fixed target `y`;
- `autoencoder`: 13 × 13 → 7 × 7 → 13 × 13 (Conv2D 4, kernel 3, stride 2, 'same', relu →
  Conv2DTranspose 1, kernel 3, stride 2, 'same', output_padding 0; TF.js's sizes would give
  14 × 14) on 12 noisy blobs whose targets are the clean blobs: its `to_json()`, its weights
  before, six epochs of `fit` (SGD 0.2, batches of 4, in order), the weights and `predict`
  after;
- `refused`: Keras's own errors for output paddings not below the strides and for strides and
  dilation both above 1 (the rules neurite's messages state).
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fit_record, fixture, set_seeded, trained_case, weights_of, write_fixture  # first: it sets the Keras backend

import platform

import jax
import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-conv2d-transpose-padding.json")

# (name, Conv2DTranspose options, [h, w, in channels], input scale)
CASES = [
    ("s2 same op0 odd", dict(filters=2, kernel_size=3, strides=2, padding="same", output_padding=0), [7, 5, 2], 1.0),
    ("s2 same op1 tanh", dict(filters=2, kernel_size=3, strides=2, padding="same", output_padding=1, activation="tanh"), [5, 6, 1], 1.0),
    ("s3 valid k2x4 op[2,1]", dict(filters=2, kernel_size=(2, 4), strides=3, output_padding=(2, 1)), [3, 3, 2], 1.0),
    ("s[2,3] same k4 op[1,2]", dict(filters=2, kernel_size=4, strides=(2, 3), padding="same", output_padding=(1, 2)), [4, 3, 3], 1.0),
    ("s3 same k5 op[0,2] sigmoid", dict(filters=2, kernel_size=5, strides=3, padding="same", output_padding=(0, 2), activation="sigmoid"), [4, 2, 2], 1.0),
    ("s2 same k2 op0 even", dict(filters=1, kernel_size=2, strides=2, padding="same", output_padding=0), [5, 3, 2], 1.0),
    ("s2 valid k1 op1", dict(filters=2, kernel_size=1, strides=2, output_padding=1), [3, 4, 2], 1.0),
    ("d2 same op0", dict(filters=2, kernel_size=3, dilation_rate=2, padding="same", output_padding=0), [5, 6, 2], 1.0),
    ("d[1,3] valid k3x2 op0", dict(filters=3, kernel_size=(3, 2), dilation_rate=(1, 3), output_padding=0), [4, 5, 1], 1.0),
    ("one pixel, no bias", dict(filters=1, kernel_size=3, strides=2, padding="same", output_padding=1, use_bias=False), [1, 1, 3], 1.0),
    ("huge inputs s2 valid op1", dict(filters=2, kernel_size=3, strides=2, output_padding=1), [3, 3, 2], 1e3),
    ("tiny inputs s3 same op2", dict(filters=1, kernel_size=3, strides=3, padding="same", output_padding=2), [2, 3, 1], 1e-4),
    ("no output_padding s2 same k4", dict(filters=2, kernel_size=4, strides=2, padding="same"), [3, 3, 2], 1.0),
]
LR = 0.05


def case(name, opts, shape, scale):
    rng = np.random.default_rng(len(name) * 31 + shape[0] * 7 + shape[1])

    def fresh():
        m = keras.Sequential([keras.Input(tuple(shape)), layers.Conv2DTranspose(name="t", **opts)], name="m")
        set_seeded(m, 7)
        m.compile(optimizer=keras.optimizers.SGD(LR), loss="mse")
        return m

    return trained_case(fresh, rng, lambda m: {
        "name": name,
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()},
        "json": m.to_json(),
        "inputShape": shape,
        "outputShape": list(m.output_shape[1:]),
        "weights": weights_of(m),
    }, scale)


def autoencoder():
    rng = np.random.default_rng(21)
    yy, xx = np.mgrid[0:13, 0:13].astype(np.float32)
    cy, cx = rng.uniform(3, 10, (2, 12, 1, 1))
    r = rng.uniform(1.5, 3.5, (12, 1, 1))
    clean = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r**2)).astype(np.float32)[..., None]
    noisy = (clean + rng.normal(0, 0.2, clean.shape)).astype(np.float32)

    m = keras.Sequential(
        [
            keras.Input((13, 13, 1)),
            layers.Conv2D(4, 3, strides=2, padding="same", activation="relu", name="enc"),
            layers.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=0, name="dec"),
        ],
        name="ae",
    )
    return fit_record(m, noisy, clean, 22, 0.2, batch_size=4)


def refused():
    """Keras's own refusals, for the messages' rules: each options dict and Keras's error."""
    out = []
    for opts in [dict(strides=2, output_padding=2), dict(strides=(2, 3), output_padding=(1, 3)), dict(output_padding=1), dict(strides=2, dilation_rate=2)]:
        try:
            layers.Conv2DTranspose(filters=1, kernel_size=3, **opts)
            out.append({"options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}, "error": None})
        except ValueError as e:
            out.append({"options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}, "error": str(e).split(".")[0]})
    return out


def main():
    out = {
        "generator": "bench/keras/conv2d_transpose_padding.py",
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "jax": jax.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "lr": LR,
        "cases": [case(*c) for c in CASES],
        "autoencoder": autoencoder(),
        "refused": refused(),
    }
    write_fixture(OUT, out, compact=True)


if __name__ == "__main__":
    main()
