// reverse, pad, cumsum and topk against TF.js 4.22 (`cpu` backend): values bit for bit on shapes of
// rank 1–4 with odd and zero sizes, every axis set / padding / exclusive-reverse combination,
// huge and tiny values (cumsum's float32 additions in TF.js's order); gradients against
// tf.grad with a non-uniform upstream (cumsum's against its linear map built from TF.js's
// forward: TF.js's own cumsum gradient is broken off the last axis; topk's against the
// scatter to TF.js's indices: TF.js has no topk gradient); the Tensor methods; errors that name
// the argument.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';
import { normals } from './rng.js';

await tf.setBackend('cpu');

const SHAPES = [[5], [1], [0], [3, 4], [2, 0, 3], [2, 3, 1, 5], [7, 2, 3]];
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Values with huge, tiny and ordinary magnitudes, so float32 rounding in sums shows. */
function values(shape: number[], seed: number): Float32Array {
  const g = normals(seed)(size(shape));
  return Float32Array.from(g, (v, i) => (i % 7 === 3 ? v * 1e7 : i % 5 === 1 ? v * 1e-6 : v));
}

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** neurite's f(x) and TF.js's g(x) on the same values: same shape, same bits. */
function sameBits(shape: number[], seed: number, f: (x: nr.Tensor) => nr.Tensor, g: (x: tf.Tensor) => tf.Tensor, what: string) {
  const v = values(shape, seed);
  const x0 = tf.tensor(v, shape);
  const out = g(x0);
  const want = { shape: out.shape, data: out.dataSync().slice() };
  tf.dispose([x0, out]);
  expectNoLeak(() => nr.tidy(() => {
    const got = f(nr.tensor(v, shape));
    expect(got.shape, what).toEqual(want.shape);
    expect(bits(got.data()), what).toEqual(bits(want.data));
  }));
}

/** d(sum(w · f(x)))/dx from neurite and TF.js (w a fixed non-uniform weight on the output). */
function sameGrad(shape: number[], seed: number, f: (x: nr.Tensor) => nr.Tensor, g: (x: tf.Tensor) => tf.Tensor, what: string, exact = true) {
  const v = values(shape, seed).map((x) => Math.max(-10, Math.min(10, x)));
  const want = tf.tidy(() => {
    const x = tf.tensor(v, shape);
    const out = g(x);
    const w = tf.tensor(Float32Array.from({ length: out.size }, (_, i) => (i % 3) - 0.5 + i / 8), out.shape);
    return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(g(t), w)))(x).dataSync().slice();
  });
  nr.tidy(() => {
    const x = nr.tensor(v, shape);
    const out = f(x);
    const w = nr.tensor(Float32Array.from({ length: out.size }, (_, i) => (i % 3) - 0.5 + i / 8), out.shape);
    const got = nr.grad((t: nr.Tensor) => nr.sum(nr.mul(f(t), w)))(x).data();
    if (exact) expect(bits(got), what).toEqual(bits(want));
    else Array.from(got).forEach((a, i) => expect(Math.abs(a - want[i]), `${what} [${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
  });
}

/**
 * For a linear `f`: d(sum(w · f(x)))/dx_k = Σ_j w_j · f(e_k)_j, from TF.js's forward alone on
 * the unit vectors (TF.js 4.22's own cumsum gradient has the wrong shape off the last axis).
 */
function linearGrad(shape: number[], seed: number, f: (x: nr.Tensor) => nr.Tensor, g: (x: tf.Tensor) => tf.Tensor, what: string) {
  const n = size(shape);
  const want = Array.from({ length: n }, (_, k) => tf.tidy(() => {
    const e = new Float32Array(n);
    e[k] = 1;
    const y = g(tf.tensor(e, shape)).dataSync();
    return Array.from(y).reduce((acc: number, yj: number, j: number) => acc + yj * ((j % 3) - 0.5 + j / 8), 0);
  }));
  nr.tidy(() => {
    const x = nr.tensor(values(shape, seed), shape);
    const w = nr.tensor(Float32Array.from({ length: n }, (_, j) => (j % 3) - 0.5 + j / 8), shape);
    const got = nr.grad((t: nr.Tensor) => nr.sum(nr.mul(f(t), w)))(x).data();
    Array.from(got).forEach((a, i) => expect(Math.abs(a - want[i]), `${what} [${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
  });
}

describe('reverse', () => {
  it('every axis subset (negative axes too) and the default, bit for bit with tf.reverse; gradient = reverse(dy)', () => {
    SHAPES.forEach((shape, k) => {
      const r = shape.length;
      for (let mask = 0; mask < 2 ** r; mask++) {
        const axes = [...Array(r).keys()].filter((a) => mask & (1 << a)).map((a) => (a % 2 ? a - r : a));
        sameBits(shape, k, (x) => nr.reverse(x, axes), (x) => tf.reverse(x, axes), `reverse ${JSON.stringify(shape)} ${JSON.stringify(axes)}`);
        if (size(shape) > 0) sameGrad(shape, k, (x) => nr.reverse(x, axes), (x) => tf.reverse(x, axes), `grad reverse ${JSON.stringify(shape)} ${JSON.stringify(axes)}`);
      }
      sameBits(shape, k, (x) => nr.reverse(x), (x) => tf.reverse(x), `reverse ${JSON.stringify(shape)} (all axes)`);
    });
    sameBits([3, 2], 9, (x) => x.reverse(0), (x) => tf.reverse(x, 0), 'the Tensor method, one axis as a number');
    sameBits([], 9, (x) => nr.reverse(x), (x) => tf.reverse(x), 'a scalar');
  });

  it('errors name the axis and the shape', () => {
    const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(thrown(() => nr.reverse(x, [0, 2]))).toMatchObject({ name: 'InvalidArgumentError', message: 'reverse: axis 2 is out of range for a tensor of rank 2 (shape [2,3])' });
    expect(thrown(() => nr.reverse(x, [1, -1]))).toMatchObject({ message: 'reverse: axis -1 is listed twice in axes [1, -1] (x has shape [2,3])' });
    expect(thrown(() => nr.reverse(x, [0.5]))).toMatchObject({ message: 'reverse: axis[0] must be an integer, got 0.5 (axis [0.5])' });
    expect(thrown(() => nr.reverse(x, 'all' as never))).toMatchObject({ message: 'reverse: axis must be a number or an array of integers, got the string "all"' });
    x.dispose();
    expect(thrown(() => nr.reverse(x))).toMatchObject({ name: 'DisposedError' });
  });
});

describe('pad', () => {
  const PADS = (r: number, k: number) => Array.from({ length: r }, (_, i) => [(i + k) % 3, (2 * i + k) % 2] as [number, number]);

  it('paddings per axis and constant values (0, -1.5, NaN, -0) bit for bit with tf.pad; gradient = the interior of dy', () => {
    SHAPES.forEach((shape, k) => {
      for (const value of [0, -1.5, NaN, -0]) {
        const p = PADS(shape.length, k);
        sameBits(shape, k, (x) => nr.pad(x, p, value), (x) => tf.pad(x, p, value), `pad ${JSON.stringify(shape)} ${JSON.stringify(p)} ${value}`);
      }
      const p = PADS(shape.length, k + 1);
      if (size(shape) > 0) sameGrad(shape, k, (x) => nr.pad(x, p, 2), (x) => tf.pad(x, p, 2), `grad pad ${JSON.stringify(shape)} ${JSON.stringify(p)}`);
    });
    sameBits([2, 2], 3, (x) => x.pad([[0, 3], [1, 0]]), (x) => tf.pad(x, [[0, 3], [1, 0]]), 'the Tensor method, default value 0');
    // TF.js refuses a scalar ("pad(scalar) is not defined"); with no axes there is nothing to pad.
    nr.tidy(() => { expect(nr.pad(nr.scalar(2.5), []).arraySync()).toBe(2.5); });
  });

  it('every rank 1–5 with no padding, full-width padding (each axis by its length, both sides) and whole last rows, bit for bit with tf.pad; the gradient of slice places dy back', () => {
    const all = [3, 1, 4, 2, 5];
    for (let r = 1; r <= 5; r++) {
      const shape = all.slice(0, r);
      const cases: Array<Array<[number, number]>> = [
        shape.map(() => [0, 0]),
        shape.map((d) => [d, d]),
        shape.map((_, i) => (i === r - 1 ? [0, 0] : [1, 2])),
        shape.map((_, i) => [i % 2, (i + 1) % 3]),
      ];
      for (const p of cases) {
        sameBits(shape, r, (x) => nr.pad(x, p, -1.5), (x) => tf.pad(x, p, -1.5), `pad ${JSON.stringify(shape)} ${JSON.stringify(p)}`);
        // slice's backward is the same block copy: the gradient of sum(w · slice(y)) is w placed at the block.
        const outer = shape.map((d, i) => d + p[i][0] + p[i][1]);
        sameGrad(outer, r, (y) => nr.slice(y, p.map((q) => q[0]), shape), (y) => tf.slice(y, p.map((q) => q[0]), shape), `grad slice ${JSON.stringify(outer)} ${JSON.stringify(p)}`);
      }
    }
  });

  it('errors name the pair, the value and the shape; sizes are checked before allocating', () => {
    const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(thrown(() => nr.pad(x, [[1, 1]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'pad: paddings has 1 pairs but x has rank 2 (shape [2,3]); give one [before, after] per axis' });
    expect(thrown(() => nr.pad(x, [[0, 0], [-1, 0]]))).toMatchObject({ message: 'pad: paddings[1][0] must be an integer in [0, 2147483647], got -1' });
    expect(thrown(() => nr.pad(x, [[0, 0], [1] as never]))).toMatchObject({ message: 'pad: paddings[1] must be a pair [before, after], got an array of length 1' });
    expect(thrown(() => nr.pad(x, 2 as never))).toMatchObject({ message: 'pad: paddings must be an array of [before, after] pairs, one per axis, got 2' });
    expect(thrown(() => nr.pad(x, [[0, 0], [0, 0]], '1' as never))).toMatchObject({ message: 'pad: constantValue must be a number, got the string "1"' });
    // Too many elements is an OutOfMemoryError, as for every op, before anything is allocated.
    expect(thrown(() => nr.pad(x, [[2 ** 30, 2 ** 30], [0, 0]]))).toMatchObject({ name: 'OutOfMemoryError' });
    expect((thrown(() => nr.pad(x, [[2 ** 30, 2 ** 30], [0, 0]])) as Error).message).toMatch(/^pad: out of memory allocating \d+ bytes: the result \[2147483650,3\] has 6442450950 elements/);
    x.dispose();
  });
});

describe('cumsum', () => {
  it('every axis, exclusive and reverse, bit for bit with tf.cumsum (float32 additions in its order); gradient = cumsum(dy) the other way', () => {
    SHAPES.forEach((shape, k) => {
      for (let axis = -shape.length; axis < shape.length; axis++) {
        for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]]) {
          const what = `cumsum ${JSON.stringify(shape)} axis ${axis} exclusive ${exclusive} reverse ${reverse}`;
          // TF.js 4.22's cumsum mishandles negative axes (its permutation goes wrong): it gets the positive one.
          const tfAxis = axis < 0 ? axis + shape.length : axis;
          sameBits(shape, k, (x) => nr.cumsum(x, axis, exclusive, reverse), (x) => tf.cumsum(x, tfAxis, exclusive, reverse), what);
          if (size(shape) > 0 && size(shape) <= 60) linearGrad(shape, k, (x) => nr.cumsum(x, axis, exclusive, reverse), (x) => tf.cumsum(x, tfAxis, exclusive, reverse), `grad ${what}`);
        }
      }
    });
    sameBits([4], 1, (x) => x.cumsum(), (x) => tf.cumsum(x), 'the Tensor method, defaults');
    // A large running sum loses the small terms exactly as float32 does.
    const t = nr.cumsum(nr.tensor([1e8, 1, 1, 1, -1e8]));
    expect(Array.from(t.data())).toEqual([1e8, 1e8, 1e8, 1e8, 0]);
    t.dispose();
  });

  it('errors name the argument', () => {
    const x = nr.tensor([[1, 2], [3, 4]]);
    expect(thrown(() => nr.cumsum(x, 2))).toMatchObject({ name: 'InvalidArgumentError', message: 'cumsum: axis 2 is out of range for a tensor of rank 2 (shape [2,2])' });
    expect(thrown(() => nr.cumsum(nr.scalar(1)))).toMatchObject({ message: 'cumsum: x is a scalar (shape []); cumsum runs along an axis of a tensor of rank >= 1 (reshape it to [1] first)' });
    expect(thrown(() => nr.cumsum(x, 0, 1 as never))).toMatchObject({ message: 'cumsum: exclusive must be true or false, got 1' });
    expect(thrown(() => nr.cumsum(x, 0, false, 'yes' as never))).toMatchObject({ message: 'cumsum: reverse must be true or false, got the string "yes"' });
    expect(thrown(() => nr.cumsum(x, 0.5))).toMatchObject({ message: 'cumsum: axis must be an integer, got 0.5' });
    x.dispose();
  });
});

describe('topk', () => {
  it('every k on rows with ties, bit for bit with tf.topk (values and indices); the values\' gradient scatters to the chosen entries', () => {
    for (const [shape, seed] of [[[6], 1], [[3, 7], 2], [[2, 2, 5], 3], [[4, 1], 4], [[0, 3], 5], [[3, 0], 6]] as Array<[number[], number]>) {
      const n = shape[shape.length - 1];
      // Rounded to a coarse grid, so rows have ties (equal values keep their order); + 0 turns
      // −0 into +0 (TF.js ranks them equal, neurite +0 first, as max: the next test).
      const v = Float32Array.from(values(shape, seed), (x) => Math.round(x * 2) / 2 + 0);
      for (let k = 0; k <= n; k++) {
        const what = `topk ${JSON.stringify(shape)} k ${k}`;
        const t = tf.tensor(v, shape);
        const want = tf.topk(t, k);
        const [wv, wi] = [want.values.dataSync().slice(), want.indices.dataSync().slice()];
        tf.dispose([t, want.values, want.indices]);
        expectNoLeak(() => nr.tidy(() => {
          const x = nr.tensor(v, shape);
          const got = nr.topk(x, k);
          expect(got.values.shape, what).toEqual([...shape.slice(0, -1), k]);
          expect(bits(got.values.data()), what).toEqual(bits(wv));
          expect(Array.from(got.indices.data()), what).toEqual(Array.from(wi));
          if (x.size === 0 || k === 0) return;
          // d(sum(w · values))/dx: w at each chosen index, 0 elsewhere (written out from TF.js's indices).
          const w = Float32Array.from({ length: wv.length }, (_, i) => 1 + (i % 4) - i / 16);
          const g = nr.grad((t: nr.Tensor) => nr.sum(nr.mul(nr.topk(t, k).values, nr.tensor(w, got.values.shape))))(x).data();
          const ref = new Float32Array(x.size);
          wi.forEach((idx, i) => { ref[Math.floor(i / k) * n + idx] += w[i]; });
          expect(Array.from(g), `grad ${what}`).toEqual(Array.from(ref));
        }));
      }
    }
  });

  it('long rows (the bounded heap of k): k = 1, 2, n/2, n − 1 and n on random, tied, ascending, descending and constant rows, bit for bit with tf.topk', () => {
    const r = normals(11);
    for (const n of [257, 1001]) {
      const rows: Array<[string, Float32Array]> = [
        ['random', Float32Array.from(r(n))],
        ['ties', Float32Array.from(r(n), (x) => Math.round(x * 2) / 2 + 0)],
        ['ascending', Float32Array.from({ length: n }, (_, i) => i)],
        ['descending', Float32Array.from({ length: n }, (_, i) => -i)],
        ['constant', new Float32Array(n).fill(1.5)],
      ];
      for (const [name, row] of rows) {
        // Two rows (the heap starts afresh on each): the row and its reverse.
        const v = Float32Array.from([...row, ...row.slice().reverse()]);
        for (const k of [1, 2, n >> 1, n - 1, n]) {
          const what = `topk ${name} [2, ${n}] k ${k}`;
          const t = tf.tensor(v, [2, n]);
          const want = tf.topk(t, k);
          const [wv, wi] = [want.values.dataSync().slice(), want.indices.dataSync().slice()];
          tf.dispose([t, want.values, want.indices]);
          nr.tidy(() => {
            const got = nr.topk(nr.tensor(v, [2, n]), k);
            expect(bits(got.values.data()), what).toEqual(bits(wv));
            expect(Array.from(got.indices.data()), what).toEqual(Array.from(wi));
          });
        }
      }
    }
  });

  it('NaN ranks first and +0 above −0 (as max); the default k is 1; the indices are a constant under grad', () => {
    nr.tidy(() => {
      const x = nr.tensor([2, NaN, -0, 0, 2]);
      const { values, indices } = x.topk(5);
      expect(Array.from(indices.data())).toEqual([1, 0, 4, 3, 2]);
      expect(Object.is(values.data()[3], 0) && Object.is(values.data()[4], -0)).toBe(true);
      expect(Array.from(nr.topk(nr.tensor([[1, 3, 2]])).indices.data())).toEqual([1]);
      const g = nr.grad((t: nr.Tensor) => nr.sum(nr.topk(t, 2).indices))(nr.tensor([1, 3, 2]));
      expect(Array.from(g.data())).toEqual([0, 0, 0]);
    });
  });

  it('errors name k and the shape', () => {
    const x = nr.tensor([[1, 2, 3]]);
    expect(thrown(() => nr.topk(x, 4))).toMatchObject({ name: 'InvalidArgumentError', message: 'topk: k must be in [0, 3] (the last axis of x, shape [1,3]), got 4' });
    expect(thrown(() => nr.topk(x, -1))).toMatchObject({ message: 'topk: k must be an integer in [0, 2147483647], got -1' });
    expect(thrown(() => nr.topk(x, 1.5))).toMatchObject({ message: 'topk: k must be an integer in [0, 2147483647], got 1.5' });
    expect(thrown(() => nr.topk(x, 1, 'yes' as never))).toMatchObject({ message: 'topk: sorted must be true or false, got the string "yes"' });
    expect(thrown(() => nr.topk(nr.scalar(1)))).toMatchObject({ message: 'topk: x is a scalar (shape []); topk takes the k largest entries along the last axis of a tensor of rank >= 1' });
    x.dispose();
  });
});

describe("gather with TF.js's batchDims", () => {
  it('values and gradients as TF.js, on batches before, at and away from the axis; bad indices and shapes are errors', () => {
    const cases: Array<{ x: number[]; idx: number[]; axis: number; b: number }> = [
      { x: [2, 3, 4], idx: [2, 5], axis: 1, b: 1 },
      { x: [2, 3, 4], idx: [2, 3, 2], axis: 2, b: 2 },
      { x: [2, 4, 3, 5], idx: [2, 2], axis: 2, b: 1 },
      { x: [3, 5], idx: [3, 2, 2], axis: 1, b: -2 },
      { x: [2, 3, 1], idx: [2, 3, 0], axis: 2, b: 2 },
    ];
    for (const { x, idx, axis, b } of cases) {
      const xs = Float32Array.from({ length: x.reduce((p, d) => p * d, 1) }, (_, i) => Math.sin(i * 0.7) * 10);
      const bAbs = b < 0 ? b + idx.length : b;
      const size = x[axis];
      const is = Float32Array.from({ length: idx.reduce((p, d) => p * d, 1) }, (_, i) => (i * 7 + 3) % size);
      // TF.js's values; the gradient by scattering dy back to where each output came from (TF.js
      // 4.22's GatherV2 gradient with batchDims fails on some of these shapes).
      const [shape, y] = tf.tidy(() => {
        const r = tf.gather(tf.tensor(xs, x), tf.tensor(is, idx, 'int32'), axis, b);
        return [r.shape, Array.from(r.dataSync())] as const;
      });
      const strides = (d: number[]) => d.map((_, i) => d.slice(i + 1).reduce((p, v) => p * v, 1));
      const [xsT, isT, osT] = [strides(x), strides(idx), strides(shape)];
      const [batch, mid, idxRest] = [bAbs, axis - bAbs, idx.length - bAbs];
      const g = new Array<number>(xs.length).fill(0);
      for (let o = 0; o < y.length; o++) {
        const at = osT.map((st, k) => Math.floor(o / st) % shape[k]);
        const bi = at.slice(0, batch), mi = at.slice(batch, batch + mid), ii = at.slice(batch + mid, batch + mid + idxRest), ri = at.slice(batch + mid + idxRest);
        const which = is[[...bi, ...ii].reduce((p, v, k) => p + v * isT[k], 0)];
        const src = [...bi, ...mi, which, ...ri].reduce((p, v, k) => p + v * xsT[k], 0);
        expect(xs[src], `y[${o}]`).toBe(y[o]);
        g[src] += 1 + o;
      }
      const want = { shape, y, g };
      const got = expectNoLeak(() => nr.tidy(() => {
        const tx = nr.tensor(xs, x), ti = nr.tensor(is, idx);
        const y = nr.gather(tx, ti, axis, b);
        const dy = nr.tensor(Float32Array.from({ length: y.size }, (_, i) => 1 + i), y.shape);
        const g = nr.grad((t: nr.Tensor) => nr.gather(t, ti, axis, b).mul(dy).sum())(tx);
        return { shape: y.shape, y: Array.from(y.dataSync()), g: Array.from(g.dataSync()) };
      }));
      expect(got, `x [${x}] indices [${idx}] axis ${axis} batchDims ${b} (${bAbs})`).toEqual(want);
    }
    const x = nr.tensor(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    expectNoLeak(() => {
      // The first bad index by its position, as the core's gather names it (this named the
      // extreme value alone, and called NaN out of range).
      expect(() => nr.gather(x, [[0, 4], [1, 2]], 2, 1)).toThrow(/^gather: indices\[0,1\] = 4 is out of range \[0, 4\) for axis 2 of x \(shape \[2,3,4\]\)$/);
      expect(() => nr.gather(x, [[2, 0], [1, 3]], 1, 1)).toThrow(/^gather: indices\[1,1\] = 3 is out of range \[0, 3\) for axis 1 of x \(shape \[2,3,4\]\)$/);
      expect(() => nr.gather(x, [[0, NaN], [0.5, 0]], 1, 1)).toThrow(/^gather: indices\[0,1\] = NaN is not an integer \(indices has shape \[2,2\]\)$/);
      expect(() => nr.gather(x, [[0, 1], [-1, 0]], 1, 1)).toThrow(/^gather: indices\[1,0\] = -1 is out of range \[0, 3\)/);
      expect(() => nr.gather(x, [[0, -1]], 1, 1)).toThrow(/^gather: with batchDims 1, x and indices must share their first 1 axes, got x \[2,3,4\] and indices \[1,2\]$/);
      expect(() => nr.gather(x, [[0, 1], [1, 0]], 1, 2)).toThrow(/^gather: batchDims 2 must be in \[-2, 2\] and at most axis \(1\)/);
    });
    x.dispose();
  });
});
