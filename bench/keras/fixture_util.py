"""What the Keras 3 fixture generators share: the backend (JAX on the CPU, set before Keras is
imported, so import this module first), values written as float32 in their shortest decimal
form, seeded weights, and where a fixture goes (test/fixtures/, committed, so CI needs no Python).
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def fixture(name):
    """The path of test/fixtures/<name>."""
    return os.path.join(HERE, "..", "..", "test", "fixtures", name)


def f32(a):
    """A float32 array as a nested list of Python floats, each the shortest decimal that rounds back to it."""
    a = np.asarray(a, dtype=np.float32)
    return float(str(np.float32(a))) if a.ndim == 0 else [f32(v) for v in a]


def flat32(a):
    """A float32 array as a flat list (row-major) of Python floats, each the shortest decimal that rounds back to it."""
    return [float(str(x)) for x in np.asarray(a, dtype=np.float32).ravel()]


def fnum(v):
    """One value as float32, in its shortest decimal form."""
    return float(str(np.float32(v)))


def set_seeded(m, seed):
    """Every weight of `m` drawn from N(0, 0.7) with numpy's generator `seed` (the fixtures hold them)."""
    rng = np.random.default_rng(seed)
    for layer in m.layers:
        ws = layer.get_weights()
        if ws:
            layer.set_weights([rng.normal(0, 0.7, w.shape).astype(np.float32) for w in ws])


def weights_of(m):
    """The weights of each layer of `m` that has some, by layer name."""
    return {layer.name: [f32(w) for w in layer.get_weights()] for layer in m.layers if layer.get_weights()}


def logs(d):
    """A dict of logs (evaluate's return_dict) as float32 values."""
    return {k: fnum(v) for k, v in d.items()}


def history(h):
    """A History's values per epoch, as float32."""
    return {k: [fnum(v) for v in vs] for k, vs in h.history.items()}


def write_fixture(path, obj, compact=False):
    """Writes `obj` as JSON to `path` (indented by one space, or without spaces when `compact`),
    with a final newline, and says where it went."""
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":")) if compact else json.dump(obj, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")
