"""Keras 3's Orthogonal, Identity and VarianceScaling initializers, for
test/initializer-kinds.test.ts: a model config (model.to_json()) that uses them (neurite must
read it, draw its weights and save the same initializer configs back), and statistics of large
draws of each (neurite's draws must have the same variance: the formula, checked on both).

Run: python3 bench/keras/initializers.py (Keras 3.15.1 on JAX, CPU; see requirements.txt).
Writes test/fixtures/keras3-initializers.json.
"""

import json

from fixture_util import fixture, fnum, flat32  # sets the backend first

import keras
import numpy as np

I = keras.initializers


def model():
    return keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(4, kernel_initializer=I.Orthogonal(gain=1.5, seed=3), name="orth"),
        keras.layers.Dense(4, kernel_initializer=I.Identity(gain=0.5), name="ident"),
        keras.layers.Dense(6, kernel_initializer=I.VarianceScaling(scale=2.0, mode="fan_avg", distribution="uniform", seed=5), name="vs_uniform"),
        keras.layers.Dense(3, kernel_initializer=I.VarianceScaling(scale=0.5, mode="fan_out", distribution="untruncated_normal"), name="vs_plain"),
        keras.layers.Dense(3, kernel_initializer="orthogonal", name="orth_default"),
        keras.layers.Dense(5, kernel_initializer=I.VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=9), name="vs_trunc"),
    ])


def stats(init, shape, gram=False):
    v = np.asarray(init(shape), dtype=np.float64)
    flat = v.reshape(-1, shape[-1])
    s = {"shape": list(shape), "mean": float(v.mean()), "variance": float(v.var()), "max_abs": float(np.abs(v).max())}
    if gram:
        # Orthogonality: WᵀW (tall) or WWᵀ (wide), gain²·I up to rounding.
        s["gram"] = flat32(flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T)
    return s


def main():
    m = model()
    draws = {
        "orthogonal_64x32_gain2": stats(I.Orthogonal(gain=2.0, seed=1), (64, 32), True),
        "orthogonal_3x5": stats(I.Orthogonal(seed=2), (3, 5), True),
        "orthogonal_2x3x4": stats(I.Orthogonal(seed=3), (2, 3, 4), True),
    }
    for mode in ["fan_in", "fan_out", "fan_avg"]:
        for dist in ["uniform", "truncated_normal", "untruncated_normal"]:
            draws[f"vs_{mode}_{dist}"] = stats(I.VarianceScaling(scale=2.0, mode=mode, distribution=dist, seed=7), (400, 300))
    out = {
        "source": "bench/keras/initializers.py, Keras " + keras.__version__ + " on JAX (CPU)",
        "model": json.loads(m.to_json()),
        "kernels": {l.name: flat32(l.kernel.numpy()) for l in m.layers},
        # Keras 3.15's Identity writes no gain in its config (get_config returns {}): the
        # "ident" kernel above is 0.5·I, the config reads back as gain 1.
        "identity_config": I.Identity(gain=0.5).get_config(),
        "draws": {k: {**v, "mean": fnum(v["mean"]), "variance": fnum(v["variance"]), "max_abs": fnum(v["max_abs"])} for k, v in draws.items()},
    }
    with open(fixture("keras3-initializers.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
