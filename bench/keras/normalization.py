"""Keras 3 (JAX backend, CPU) as the oracle of neurite's `layers.normalization` (Keras 3's
`keras.layers.Normalization`; TF.js 4.22 has no such layer), for test/normalization.test.ts:

    python3 -m venv /tmp/kv && /tmp/kv/bin/pip install -r bench/keras/requirements.txt
    /tmp/kv/bin/python bench/keras/normalization.py

writes test/fixtures/keras3-normalization.json (committed, so CI needs no Python). Each case
holds its float32 data, Keras's adapted `mean`/`variance` weights, the same statistics in
float64 NumPy from the float32 data (the exact values neurite's float64 adapt should give),
and Keras's predictions on other data:
- `features`: 37 rows (odd) of 5 features: one at 1e6 ± 1, a constant one, one at 1e-4
  scale, one N(0, 1), one at -5e4 ± 100, adapted on the array (Keras 3.15's adapt of a list
  of batches needs TensorFlow installed, which this generator does not use: neurite's dataset
  path is tested against the float64 statistics instead); `invert` on the same statistics;
- `axes`: `[n, 3, 4]` samples with `axis` -1, 1, (1, 2) and None;
- `given`: `mean`/`variance` given at construction (a vector, a scalar broadcast, a `(4,)`
  pair broadcast over kept axes (1, 2) from the right);
- `model`: a Sequential Input → Normalization (adapted) → Dense (`to_json()`), its weights in
  neurite's order (trainable, then non-trainable, without Keras's always-0 `count`) and its
  predictions.
Values are float32, written in their shortest float32 decimal form.
"""

from fixture_util import fixture, flat32, write_fixture  # first: it sets the Keras backend

import platform

import keras
import numpy as np
from keras import layers

OUT = fixture("keras3-normalization.json")


def f64(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def reference(x, keep):
    """float64 mean and population variance of float32 `x` over every axis but `keep`."""
    red = tuple(d for d in range(x.ndim) if d not in keep)
    x64 = x.astype(np.float64)
    return x64.mean(axis=red), x64.var(axis=red)


def case(x, test, axis=-1, invert=False, batches=None):
    layer = layers.Normalization(axis=axis, invert=invert)
    layer.adapt(x if batches is None else [x[i : i + batches] for i in range(0, len(x), batches)])
    ndim = x.ndim
    keep = () if axis is None else tuple(sorted(a % ndim for a in ((axis,) if isinstance(axis, int) else axis)))
    m, v = reference(x, keep)
    y = np.asarray(layer(test))
    return {
        "axis": axis if axis is None or isinstance(axis, int) else list(axis),
        "invert": invert,
        "batches": batches,
        "shape": list(x.shape),
        "x": flat32(x),
        "testShape": list(test.shape),
        "test": flat32(test),
        "statShape": list(layer.adapt_mean.shape),
        "kerasMean": flat32(layer.adapt_mean.numpy()),
        "kerasVariance": flat32(layer.adapt_variance.numpy()),
        "mean64": f64(m),
        "variance64": f64(v),
        "y": flat32(y),
    }


def features():
    rng = np.random.default_rng(3)
    n = 37
    cols = [
        1e6 + rng.uniform(-1, 1, n),
        np.full(n, 3.0),
        rng.normal(0, 1e-4, n),
        rng.normal(0, 1, n),
        -5e4 + rng.uniform(-100, 100, n),
    ]
    x = np.stack(cols, axis=1).astype(np.float32)
    test = np.stack([1e6 + rng.uniform(-2, 2, 11), np.array([3.0] * 10 + [4.0]), rng.normal(0, 2e-4, 11), rng.normal(0, 2, 11), -5e4 + rng.uniform(-200, 200, 11)], axis=1).astype(np.float32)
    return {
        "array": case(x, test),
        "invert": case(x, rng.normal(0, 1, (11, 5)).astype(np.float32), invert=True),
    }


def axes():
    rng = np.random.default_rng(4)
    x = (rng.normal(0, 1, (9, 3, 4)) * np.arange(1, 13).reshape(3, 4) + np.arange(12).reshape(3, 4) * 10).astype(np.float32)
    test = rng.normal(0, 5, (3, 3, 4)).astype(np.float32)
    return {"last": case(x, test, axis=-1), "rows": case(x, test, axis=1), "both": case(x, test, axis=(1, 2)), "none": case(x, test, axis=None)}


def given():
    rng = np.random.default_rng(5)
    out = {}
    for name, shape, kw in [
        ("vector", (6, 3), {"mean": [1.0, -2.0, 3.5], "variance": [4.0, 0.25, 0.0]}),
        ("scalar", (6, 3), {"mean": 3.0, "variance": 2.0}),
        ("broadcast", (5, 3, 4), {"axis": (1, 2), "mean": [0.0, 1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0, 16.0]}),
        ("inverted", (6, 3), {"mean": [1.0, -2.0, 3.5], "variance": [4.0, 0.25, 9.0], "invert": True}),
    ]:
        layer = layers.Normalization(**kw)
        x = rng.normal(0, 3, shape).astype(np.float32)
        out[name] = {"options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}, "shape": list(shape), "x": flat32(x), "y": flat32(layer(x))}
    return out


def model():
    rng = np.random.default_rng(6)
    x = np.stack([1e6 + rng.uniform(-1, 1, 23), rng.normal(5, 2, 23), np.full(23, -1.0)], axis=1).astype(np.float32)
    norm = layers.Normalization(name="norm")
    norm.adapt(x)
    m = keras.Sequential([keras.Input((3,)), norm, layers.Dense(2, name="out")], name="normalized")
    m.get_layer("out").set_weights([rng.normal(0, 1, (3, 2)).astype(np.float32), rng.normal(0, 1, (2,)).astype(np.float32)])
    test = x[:7]
    weights = [v for v in m.trainable_weights + m.non_trainable_weights if v.path.split("/")[-1] != "count"]
    return {
        "json": m.to_json(),
        "weights": [{"name": v.path, "shape": list(v.shape), "values": flat32(v.numpy())} for v in weights],
        "x": flat32(test),
        "y": flat32(m.predict(test, verbose=0)),
    }


def main():
    out = {
        "generator": "bench/keras/normalization.py",
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "features": features(),
        "axes": axes(),
        "given": given(),
        "model": model(),
    }
    write_fixture(OUT, out)


if __name__ == "__main__":
    main()
