/**
 * The transforms of `compression`: the orthonormal DCTs, 1-D over the last axis in blocks of any
 * length (`compression.dct.forward1d/inverse1d`) and 2-D on N×N blocks (`forward2d/inverse2d`),
 * checked against their definition computed directly in float64 (O(N²) per block); and invalid
 * calls (scalars, blocks that do not divide the axes, bad block sizes).
 */
import { compare } from '../checks.mjs';
import { badInt } from '../values.mjs';

const size = (s) => s.reduce((a, b) => a * b, 1);

/** The DCT-II (or DCT-III when `inverse`) matrix entry: output `k` from input `i`, length `n`. */
function basis(n, k, i, inverse) {
  const [u, j] = inverse ? [i, k] : [k, i];
  return Math.sqrt((u === 0 ? 1 : 2) / n) * Math.cos((Math.PI * (2 * j + 1) * u) / (2 * n));
}

/**
 * The transform of `vals` (row-major `shape`) along `axis` (counted from the end: 1 the last,
 * 2 the one before), in blocks of `n`; with `absolute`, Σ|vals|·√(2/n) over each block (the
 * comparison's tolerance scale: the FFT mixes every value of a block into every output, so an
 * output whose exact terms cancel, such as 3.4e38·cos(π/2), carries rounding of the block's
 * largest values, in either computation).
 */
function along(shape, vals, axis, n, inverse, absolute = false) {
  const len = shape[shape.length - axis];
  const stride = axis === 1 ? 1 : shape[shape.length - 1];
  const out = new Array(vals.length).fill(0);
  for (let o = 0; o < vals.length; o++) {
    const pos = Math.floor(o / stride) % len;
    const start = pos - (pos % n);
    const base = o - pos * stride;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = vals[base + (start + i) * stride];
      const c = basis(n, pos - start, i, inverse);
      s += absolute ? Math.abs(v) * Math.sqrt(2 / n) : v * c;
    }
    out[o] = s;
  }
  return out;
}

const dct1dOp = {
  name: 'compression.dct.forward1d/inverse1d', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const inverse = rng.chance(0.5);
    const fn = inverse ? 'inverse1d' : 'forward1d';
    const e = ctx.any(400);
    const r = e.shape.length;
    const len = r ? e.shape[r - 1] : 0;
    const divisors = [];
    for (let d = 1; d <= len; d++) if (len % d === 0) divisors.push(d);
    let block = divisors.length && rng.chance(0.4) ? rng.pick(divisors) : undefined;
    if (rng.chance(0.15)) block = rng.pick([0, -1, 262_145, len + 1, badInt(rng)]);
    const n = block ?? len;
    const valid = r > 0 && Number.isInteger(n) && n <= 262_144 && (block === undefined || (n >= 1 && len % n === 0));
    const opts = block === undefined ? undefined : { blockSize: block };
    return {
      op: `compression.dct.${fn}`, args: opts ? [e.t, opts] : [e.t], expect: valid ? 'ok' : 'error',
      run: () => nr.compression.dct[fn](e.t, opts),
      check: (t) => {
        const vals = n > 0 ? along(e.shape, e.ref.vals, 1, n, inverse) : Array.from(e.ref.vals);
        const mag = n > 0 ? along(e.shape, e.ref.vals, 1, n, inverse, true) : [];
        compare(`compression.dct.${fn} (the definition in float64)`, t, { shape: e.shape, vals, mag }, false);
      },
    };
  },
};

const dct2dOp = {
  name: 'compression.dct.forward2d/inverse2d', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const inverse = rng.chance(0.5);
    const fn = inverse ? 'inverse2d' : 'forward2d';
    const n = rng.pick([1, 2, 3, 4, 8]);
    const lead = rng.pick([[], [2], [1, 3]]);
    let shape = [...lead, n * rng.int(0, 3), n * rng.int(1, 3)];
    let expect = 'ok';
    if (rng.chance(0.15)) {
      shape = rng.pick([[n + 1, n], [7], [], [n, 2 * n + 1]]);
      expect = n === 1 && shape.length >= 2 ? 'ok' : 'error';
    }
    const x = ctx.tensorOf(shape);
    const opts = n === 8 && rng.chance(0.5) ? undefined : { blockSize: n };
    return {
      op: `compression.dct.${fn}`, args: opts ? [x.t, opts] : [x.t], expect,
      run: () => nr.compression.dct[fn](x.t, opts),
      check: (t) => {
        // Separable: along the last axis, then along the one before.
        const vals = along(shape, along(shape, x.ref.vals, 1, n, inverse), 2, n, inverse);
        const mag = along(shape, along(shape, x.ref.vals, 1, n, inverse, true), 2, n, inverse, true);
        compare(`compression.dct.${fn} (the definition in float64)`, t, { shape, vals, mag }, false);
      },
    };
  },
};

export default {
  name: 'transforms',
  weight: 1,
  ops: [dct1dOp, dct2dOp],
};
