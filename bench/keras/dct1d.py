"""scipy.fft as the oracle of neurite's 1-D DCT (`compression.dct.forward1d` / `inverse1d`:
scipy's `dct(x, type=2, norm='ortho')` and `idct(x, type=2, norm='ortho')` over the last axis),
for test/transforms.test.ts. scipy comes with JAX (bench/keras/requirements.txt):

    python3 bench/keras/dct1d.py

writes test/fixtures/scipy-dct1d.json (committed, so CI needs no Python): `cases`, each with
the input `shape`, an optional `blockSize` (scipy then transforms each block of the last axis
alone: the axis reshaped to [..., length / blockSize, blockSize]), the float32 input `x`, and
`forward` and `inverse`, scipy's float64 transforms of `x` rounded to float32. Lengths are odd,
prime, powers of two and not; values include a large offset, huge and tiny magnitudes and an
all-zero row.
"""

from fixture_util import fixture, flat32, write_fixture

import numpy as np
import scipy
from scipy.fft import dct, idct

OUT = fixture("scipy-dct1d.json")


def case(name, x, block=None):
    x = np.asarray(x, dtype=np.float32)
    shape = list(x.shape)
    v = x.astype(np.float64)
    if block is not None:
        v = v.reshape(*shape[:-1], shape[-1] // block, block)
    fwd = dct(v, type=2, norm="ortho", axis=-1).reshape(shape)
    inv = idct(v, type=2, norm="ortho", axis=-1).reshape(shape)
    out = {"name": name, "shape": shape, "x": flat32(x), "forward": flat32(fwd), "inverse": flat32(inv)}
    if block is not None:
        out["blockSize"] = block
    return out


def main():
    rng = np.random.default_rng(44)
    cases = []
    for n in [1, 2, 3, 5, 8, 13, 64, 100, 127, 128, 360, 1000, 1024, 2053]:
        cases.append(case(f"length {n}", rng.normal(0, 1, (2 if n < 1000 else 1, n))))
    cases.append(case("batch [2, 3, 17], an offset", rng.normal(5, 2, (2, 3, 17))))
    rows = rng.normal(0, 1, (4, 30))
    rows[1] = 0.0
    rows[2] *= 1e30
    rows[3] *= 1e-30
    cases.append(case("a zero row, huge and tiny rows", rows))
    cases.append(case("one vector [7]", rng.uniform(-1, 1, (7,))))
    t = np.arange(256) / 256.0
    chirp = np.sin(2 * np.pi * (5 + 40 * t) * t)
    cases.append(case("blocks of 32 of a chirp", chirp.reshape(1, 256), block=32))
    cases.append(case("blocks of 7", rng.normal(0, 1, (3, 21)), block=7))
    write_fixture(OUT, {"scipy": scipy.__version__, "numpy": np.__version__, "cases": cases}, compact=True)


main()
