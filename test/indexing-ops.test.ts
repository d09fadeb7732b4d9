// The indexing ops composed in TypeScript (ts/ops/gather_nd.ts, strided_slice.ts, unique.ts,
// bincount.ts, search_sorted.ts, masking.ts), checked live against TF.js 4.22 (cpu backend) on
// ranks 1 to 5, odd and empty sizes, negative values and indices, duplicates, NaN and −0;
// the documented differences from TF.js against plain-JS references; the gradients of gatherND
// and stridedSlice; error messages; and that every op (also a failing one) leaves
// memory().numHandles where it was.
//
// Gradient oracles: TF.js 4.22 registers no gradient for GatherNd or StridedSlice (tf.grad
// throws "gradient function not found", checked below), so gatherND's gradient is compared
// with tf.scatterND(indices, dy, x.shape) (TF's own definition of that gradient) and
// stridedSlice's with tf.grad of a TF.js gather of the positions the slice picks (computed
// from TF.js's slice_util.sliceInfo, not from neurite's code).
//
// Tolerances: none. Every op here moves values (exact), counts, or adds weights in float32 in
// the same order as TF.js's kernels; the gradients add duplicates in index order as
// tf.scatterND does. Values are compared bit for bit (Object.is: NaN matches NaN, −0 ≠ +0).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's main entry leaves gradients unregistered; tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';
import { gatherND } from '../ts/ops/gather_nd.js';
import { stridedSlice } from '../ts/ops/strided_slice.js';
import { unique } from '../ts/ops/unique.js';
import { bincount, denseBincount } from '../ts/ops/bincount.js';
import { lowerBound, searchSorted, upperBound } from '../ts/ops/search_sorted.js';
import { booleanMaskAsync, setdiff1dAsync, whereAsync } from '../ts/ops/masking.js';

await tf.setBackend('cpu');

type Read = { shape: number[]; values: number[] };

/** Shape and values of a neurite result, the result disposed. */
function read(t: nr.Tensor): Read {
  const r = { shape: [...t.shape], values: Array.from(t.data()) };
  t.dispose();
  return r;
}

/** Shape and values of a TF.js result, the result disposed. */
function readTf(t: tf.Tensor): Read {
  const r = { shape: t.shape.slice(), values: Array.from(t.dataSync() as ArrayLike<number>) };
  t.dispose();
  return r;
}

/** Same shape and the same values bit for bit (NaN matches NaN; −0 and +0 differ). */
function same(got: Read, want: Read, what: string): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expect(got.values.length, `${what}: size`).toBe(want.values.length);
  const i = got.values.findIndex((v, k) => !Object.is(v, want.values[k]));
  if (i >= 0) throw new Error(`${what}: element ${i} is ${Object.is(got.values[i], -0) ? '-0' : got.values[i]}, expected ${Object.is(want.values[i], -0) ? '-0' : want.values[i]}`);
}

/** Runs `f` (which reads its results out) in a tidy scope and asserts it leaves no handle behind. */
function run<T>(f: () => T): T {
  const before = nr.memory().numHandles;
  const r = nr.tidy(f);
  expect(nr.memory().numHandles).toBe(before);
  return r;
}

/** What `f` threw, asserting that it left every handle count where it found it. */
function throwsClean(f: () => unknown): Error {
  const before = nr.memory();
  const err = thrown(() => nr.tidy(() => {
    f();
  }));
  const after = nr.memory();
  expect(after.numHandles, 'numHandles').toBe(before.numHandles);
  expect(after.numTensors, 'numTensors').toBe(before.numTensors);
  expect(err, 'the call should throw').toBeInstanceOf(nr.NeuriteError);
  return err as Error;
}

/** What the Promise `f()` rejected with, asserting no handle was left behind. */
async function rejectsClean(f: () => Promise<unknown>): Promise<Error> {
  const before = nr.memory();
  let err: unknown;
  let p: Promise<unknown> | undefined;
  try {
    p = f();
  } catch (e) {
    throw new Error(`threw synchronously instead of rejecting: ${(e as Error).message}`);
  }
  try {
    await p;
  } catch (e) {
    err = e;
  }
  const after = nr.memory();
  expect(after.numHandles, 'numHandles').toBe(before.numHandles);
  expect(err, 'the Promise should reject').toBeInstanceOf(nr.NeuriteError);
  return err as Error;
}

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A TF.js tensor of any shape, typed as TF.js's bincount signatures want (they name 1-D). */
const asTf1d = (v: number[], shape: number[], dtype?: 'int32'): tf.Tensor1D => tf.tensor(v, shape, dtype) as tf.Tensor as tf.Tensor1D;

/** A seeded source of test data. */
function rand(seed: number) {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  return {
    r,
    int,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)],
    /** `n` float32 values in [-5, 5), some integers, with a NaN and a −0 now and then. */
    values: (n: number): number[] => Array.from({ length: n }, () => {
      const u = r();
      if (u < 0.03) return NaN;
      if (u < 0.06) return -0;
      if (u < 0.3) return int(-4, 4);
      return Math.fround(-5 + 10 * r());
    }),
    shape: (rank: number, lo: number, hi: number): number[] => Array.from({ length: rank }, () => int(lo, hi)),
  };
}

/** Row-major strides of `shape`. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

// ---------------------------------------------------------------------------------------------
describe('gatherND vs TF.js', () => {
  /** The expected result of gatherND, in plain JS. */
  function refGatherND(x: number[], xs: number[], idx: number[], is: number[]): Read {
    const k = is[is.length - 1];
    const n = sizeOf(is.slice(0, -1));
    const rest = xs.slice(k);
    const rs = sizeOf(rest);
    const st = stridesOf(xs);
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      let off = 0;
      for (let j = 0; j < k; j++) off += idx[i * k + j] * st[j];
      for (let q = 0; q < rs; q++) values.push(x[off + q]);
    }
    return { shape: [...is.slice(0, -1), ...rest], values };
  }

  it('ranks 1 to 5, tuple lengths 0 to rank, batches of rank 1 to 3, duplicates, odd sizes', () => {
    const g = rand(1);
    let compared = 0;
    for (let trial = 0; trial < 300; trial++) {
      const xs = g.shape(g.int(1, 5), 1, 5);
      const k = g.int(0, xs.length);
      const is = [...g.shape(g.int(0, 2), 0, 4), k];
      const x = g.values(sizeOf(xs));
      const idx = Array.from({ length: sizeOf(is) }, (_, p) => g.int(0, xs[p % Math.max(k, 1)] - 1));
      if (k > 0 && idx.length >= 2 * k) for (let j = 0; j < k; j++) idx[k + j] = idx[j]; // a repeated tuple
      const what = `gatherND x [${xs}] indices [${is}] ${JSON.stringify(idx)}`;
      const got = run(() => read(gatherND(nr.tensor(x, xs), nr.tensor(idx, is))));
      same(got, refGatherND(x, xs, idx, is), `${what} (reference)`);
      same(got, readTf(tf.tidy(() => tf.gatherND(tf.tensor(x, xs), tf.tensor(idx, is, 'int32')))), what);
      compared++;
    }
    expect(compared).toBe(300);
  });

  it('k = 0 (whole x per tuple), empty indices, empty slices; empty x (TF.js 4.22 throws "input is empty")', () => {
    const x = [1, -2, NaN, -0, 5, 6];
    for (const [xs, idx, is] of [
      [[2, 3], [], [3, 0]], [[6], [], [0, 1]], [[2, 3], [], [0, 2]], [[3, 2], [2, 0, 2], [3, 1]], [[1, 6], [0, 5, 0, 0], [2, 2]],
    ] as Array<[number[], number[], number[]]>) {
      const what = `x [${xs}] indices [${is}]`;
      const got = run(() => read(gatherND(nr.tensor(x, xs), nr.tensor(idx, is))));
      same(got, readTf(tf.tidy(() => tf.gatherND(tf.tensor(x, xs), tf.tensor(idx, is, 'int32')))), what);
    }
    // Empty x: a result with no values (or no tuples) instead of TF.js's error.
    for (const [xs, idx, is, shape] of [[[0, 3], [], [0, 1], [0, 3]], [[3, 0], [2, 1], [2, 1], [2, 0]], [[2, 2, 0], [1, 0], [1, 2], [1, 0]]] as Array<[number[], number[], number[], number[]]>) {
      expect(thrown(() => tf.tidy(() => tf.gatherND(tf.zeros(xs), tf.tensor(idx, is, 'int32')))), `TF.js on x [${xs}]`).toMatchObject({ message: expect.stringMatching(/input is empty/) });
      same(run(() => read(gatherND(nr.zeros(xs), nr.tensor(idx, is)))), { shape, values: [] }, `empty x [${xs}]`);
    }
    // A rank-0 x with k = 0 (TF.js requires rank ≥ 1).
    same(run(() => read(gatherND(7, nr.zeros([2, 0])))), { shape: [2], values: [7, 7] }, 'scalar x');
  });

  it('gradient: dy scattered back, repeated tuples adding up, as tf.scatterND (TF.js has no GatherNd gradient)', () => {
    expect(thrown(() => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.gatherND(t, tf.tensor([[0]], [1, 1], 'int32')))(tf.ones([2]))))).toMatchObject({ message: expect.stringMatching(/gradient function not found for GatherNd/) });
    const g = rand(2);
    for (let trial = 0; trial < 60; trial++) {
      const xs = g.shape(g.int(1, 4), 1, 4);
      const k = g.int(1, xs.length);
      const is = [...g.shape(g.int(1, 2), 1, 5), k];
      const idx = Array.from({ length: sizeOf(is) }, (_, p) => g.int(0, xs[p % k] - 1));
      const ys = [...is.slice(0, -1), ...xs.slice(k)];
      const x = g.values(sizeOf(xs)).map((v) => (Number.isNaN(v) ? 1 : v));
      const dy = g.values(sizeOf(ys)).map((v) => (Number.isNaN(v) ? 2 : v));
      const got = run(() => read(nr.grad((t) => gatherND(t, idx.length ? nr.tensor(idx, is) : nr.zeros(is)))(nr.tensor(x, xs), nr.tensor(dy, ys))));
      const want = readTf(tf.tidy(() => tf.scatterND(tf.tensor(idx, is, 'int32'), tf.tensor(dy, ys), xs)));
      // scatterND adds into +0, so an entry reached only by −0 reads +0 there; compare sums.
      same({ shape: got.shape, values: got.values.map((v) => v + 0) }, { shape: want.shape, values: want.values.map((v) => v + 0) }, `grad x [${xs}] indices [${is}] ${JSON.stringify(idx)}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('stridedSlice vs TF.js', () => {
  type Spec = { xs: number[]; begin: number[]; end: number[]; strides: number[]; masks: [number, number, number, number, number] };

  /** TF.js's resolution of the spec (slice_util.sliceInfo), or null when TF.js rejects it. */
  function info(s: Spec) {
    try {
      return tf.slice_util.sliceInfo(s.xs, s.begin, s.end, s.strides, ...s.masks);
    } catch {
      return null;
    }
  }

  /** The expected values: TF.js's resolved begin/end/strides walked in plain JS. */
  function refSlice(x: number[], s: Spec, inf: NonNullable<ReturnType<typeof info>>): { read: Read; flat: number[] } {
    const sizes = inf.begin.map((b, a) => {
      const len = inf.end[a] - b;
      const st = inf.strides[a];
      return len === 0 || len < 0 !== st < 0 ? 0 : Math.ceil(len / st);
    });
    const xst = stridesOf(s.xs);
    const flat: number[] = [];
    const at = new Array<number>(sizes.length).fill(0);
    const n = sizeOf(sizes);
    for (let i = 0; i < n; i++) {
      flat.push(at.reduce((off, t, a) => off + (inf.begin[a] + t * inf.strides[a]) * xst[a], 0));
      for (let d = sizes.length - 1; d >= 0; d--) {
        if (++at[d] < sizes[d]) break;
        at[d] = 0;
      }
    }
    return { read: { shape: inf.finalShape, values: flat.map((p) => x[p]) }, flat };
  }

  /**
   * The cases TF.js 4.22's cpu kernel gets wrong: a shrunk axis on its general (strided) path,
   * and a stride-1 slice whose end comes before its begin (a negative slice size).
   */
  function tfBug(s: Spec, inf: NonNullable<ReturnType<typeof info>>): string | null {
    // A shrunk axis: an entry with its shrink bit set that is neither the ellipsis nor a new axis.
    const [, , ellipsis, newAxis, shrink] = s.masks;
    const shrunk = s.begin.some((_, i) => ((shrink >> i) & 1) === 1 && ((ellipsis >> i) & 1) === 0 && ((newAxis >> i) & 1) === 0);
    if (!inf.isIdentity && !inf.sliceDim0 && !inf.isSimpleSlice && shrunk) return 'shrink on the strided path';
    if (!inf.isIdentity && (inf.sliceDim0 || inf.isSimpleSlice) && inf.begin.some((b, a) => inf.end[a] < b)) return 'negative slice size';
    return null;
  }

  function randomSpec(g: ReturnType<typeof rand>): Spec {
    const xs = g.shape(g.int(1, 5), 1, 6).map((d) => (g.r() < 0.06 ? 0 : d));
    const len = g.int(1, xs.length + 1);
    const bound = (a: number) => xs[Math.min(a, xs.length - 1)] + 1;
    const strides = Array.from({ length: len }, () => g.pick([1, 1, 2, 3, -1, -1, -2, -3]));
    const begin = Array.from({ length: len }, (_, a) => g.int(-bound(a), bound(a)));
    const end = Array.from({ length: len }, (_, a) => g.int(-bound(a), bound(a)));
    // Most ranges run the way their stride goes (else the axis is mostly empty).
    for (let a = 0; a < len; a++) {
      const fwd = (v: number) => (v < 0 ? v + bound(a) - 1 : v);
      if (g.r() < 0.7 && fwd(begin[a]) < fwd(end[a]) !== strides[a] > 0) [begin[a], end[a]] = [end[a], begin[a]];
    }
    const maskOf = (p: number) => Array.from({ length: len + 1 }, (_, i) => (g.r() < p ? 1 << i : 0)).reduce((a, b) => a | b, 0);
    const ellipsis = g.r() < 0.2 ? 1 << g.int(0, len - 1) : 0;
    return { xs, begin, end, strides, masks: [maskOf(0.25), maskOf(0.25), ellipsis, maskOf(0.12), maskOf(0.1)] };
  }

  it('random specs on ranks 1 to 5: negative strides, every mask, out-of-range begin/end, empty results', () => {
    const g = rand(3);
    let matched = 0;
    let bugs = 0;
    let invalid = 0;
    let empty = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const s = randomSpec(g);
      const x = g.values(sizeOf(s.xs));
      const what = `stridedSlice x [${s.xs}] begin ${JSON.stringify(s.begin)} end ${JSON.stringify(s.end)} strides ${JSON.stringify(s.strides)} masks ${JSON.stringify(s.masks)}`;
      const inf = info(s);
      if (!inf) {
        const err = throwsClean(() => stridedSlice(nr.tensor(x, s.xs), s.begin, s.end, s.strides, ...s.masks));
        expect(err.message, what).toMatch(/^stridedSlice: /);
        expect(err, what).toBeInstanceOf(nr.InvalidArgumentError);
        invalid++;
        continue;
      }
      const got = run(() => read(stridedSlice(nr.tensor(x, s.xs), s.begin, s.end, s.strides, ...s.masks)));
      const ref = refSlice(x, s, inf);
      same(got, ref.read, `${what} (reference)`);
      if (got.values.length === 0) empty++;
      const bug = tfBug(s, inf);
      let tfRes: Read | Error;
      try {
        tfRes = readTf(tf.tidy(() => tf.stridedSlice(tf.tensor(x, s.xs), s.begin, s.end, s.strides, ...s.masks)));
      } catch (e) {
        tfRes = e as Error;
      }
      if (bug === null) {
        if (tfRes instanceof Error) throw new Error(`${what}: TF.js threw ${tfRes.message}`);
        same(got, tfRes, what);
        matched++;
      } else bugs++;
    }
    // Most cases are compared with TF.js itself; its known wrong cases with the reference only.
    expect(matched).toBeGreaterThan(900);
    expect(bugs).toBeGreaterThan(20);
    expect(invalid).toBeGreaterThan(20);
    expect(empty).toBeGreaterThan(50);
    expect(1500 - invalid - empty).toBeGreaterThan(400);
  });

  it('hand-picked cases: reversal, ellipsis in the middle, new axes, shrink with negative begin, x[::-2]', () => {
    const x = Array.from({ length: 2 * 3 * 4 }, (_, i) => i - 7.5);
    const xs = [2, 3, 4];
    const cases: Array<[number[], number[], number[] | undefined, ...number[]]> = [
      [[0], [0], [-1], 1, 1],
      [[0, 0, 0], [0, 0, 0], [-1, -1, -1], 7, 7],
      [[0, 1], [0, 3], [1, 1], 0, 0, 1], // [..., 1:3]
      [[1, 0, 0], [2, 0, 0], [1, 1, 1], 0, 0, 2, 0, 1], // [1, ...]
      [[0, 0, 1], [0, 0, 4], [1, 1, 2], 0, 0, 0, 3], // [newaxis, newaxis, 1:4:2]
      [[-1, 0, -1], [0, 0, 0], [1, 1, 1], 0, 2, 0, 0, 5], // [-1, :, -1]
      [[5, -10, 10], [-10, 10, -10], [-1, 2, -3]],
      [[1, 1], [3, 3], undefined],
      [[0, 0, 0], [2, 3, 4], undefined, 0, 0, 0, 0, 0],
      [[0], [0], [-2], 1, 1, 0, 0, 0], // x[::-2]
    ];
    for (const [begin, end, strides, ...masks] of cases) {
      const what = `stridedSlice ${JSON.stringify([begin, end, strides, masks])}`;
      const got = run(() => read(stridedSlice(nr.tensor(x, xs), begin, end, strides, ...masks)));
      same(got, readTf(tf.tidy(() => tf.stridedSlice(tf.tensor(x, xs), begin, end, strides, ...masks))), what);
    }
    // null masks are 0, as TF.js reads them.
    same(run(() => read(stridedSlice(nr.tensor(x, xs), [1], [2], [1], null as never, null as never, null as never, null as never, null as never))), readTf(tf.stridedSlice(tf.tensor(x, xs), [1], [2], [1])), 'null masks');
    // A rank-0 x: nothing to slice; a new axis makes it [1].
    same(run(() => read(stridedSlice(3, [], []))), { shape: [], values: [3] }, 'scalar');
    same(run(() => read(stridedSlice(3, [0], [1], [1], 0, 0, 0, 1))), readTf(tf.stridedSlice(tf.scalar(3), [0], [1], [1], 0, 0, 0, 1)), 'scalar, new axis');
  });

  it("TF.js 4.22's wrong cases: shrink with a step elsewhere, stride 1 with end before begin", () => {
    const x = tf.tensor2d([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    const xn = nr.tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    // x[1, 0:4:2] is [4, 6]; TF.js reads [1, 2].
    expect(Array.from(tf.stridedSlice(x, [1, 0], [2, 4], [1, 2], 0, 0, 0, 0, 1).dataSync())).toEqual([1, 2]);
    same(run(() => read(stridedSlice(xn, [1, 0], [2, 4], [1, 2], 0, 0, 0, 0, 1))), { shape: [2], values: [4, 6] }, 'shrink + step');
    // x[:, 3:1] is empty; TF.js throws.
    expect(thrown(() => tf.stridedSlice(x, [0, 3], [3, 1], [1, 1]))).toBeInstanceOf(Error);
    same(run(() => read(stridedSlice(xn, [0, 3], [3, 1], [1, 1]))), { shape: [3, 0], values: [] }, 'end before begin');
    same(run(() => read(stridedSlice([0, 1, 2, 3, 4], [3], [2]))), { shape: [0], values: [] }, 'end before begin, 1-D');
    x.dispose();
    xn.dispose();
  });

  it('gradient: dy at the picked positions, zeros elsewhere, vs tf.grad of a TF.js gather of those positions', () => {
    expect(thrown(() => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.stridedSlice(t, [0], [1]))(tf.ones([2]))))).toMatchObject({ message: expect.stringMatching(/gradient function not found for StridedSlice/) });
    const g = rand(4);
    let done = 0;
    for (let trial = 0; done < 150 && trial < 2000; trial++) {
      const s = randomSpec(g);
      const inf = info(s);
      if (!inf) continue;
      const x = g.values(sizeOf(s.xs)).map((v) => (Number.isNaN(v) ? 1 : v));
      const { read: ref, flat } = refSlice(x, s, inf);
      const dy = g.values(sizeOf(ref.shape)).map((v) => (Number.isNaN(v) ? 3 : v));
      const what = `grad x [${s.xs}] ${JSON.stringify([s.begin, s.end, s.strides, s.masks])}`;
      const got = run(() => read(nr.grad((t) => stridedSlice(t, s.begin, s.end, s.strides, ...s.masks))(nr.tensor(x, s.xs), nr.tensor(dy, ref.shape))));
      // TF.js's gather gradient fails on an empty dy (its unsortedSegmentSum); the answer is zeros.
      const want = flat.length === 0
        ? { shape: s.xs, values: x.map(() => 0) }
        : readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.tensor1d(flat, 'int32')), ref.shape))(tf.tensor(x, s.xs), tf.tensor(dy, ref.shape))));
      // TF.js adds dy into +0 (unsortedSegmentSum), so a −0 in dy reads +0 there; compare sums.
      same({ shape: got.shape, values: got.values.map((v) => v + 0) }, { shape: want.shape, values: want.values.map((v) => v + 0) }, what);
      done++;
    }
    expect(done).toBe(150);
  });
});

// ---------------------------------------------------------------------------------------------
describe('unique vs TF.js', () => {
  it('ranks 1 to 5, every axis both ways, duplicates, NaN (one entry), −0 and +0 (one entry, the first kept)', () => {
    const g = rand(5);
    for (let trial = 0; trial < 400; trial++) {
      const rank = g.int(1, 5);
      const xs = g.shape(rank, 0, rank > 2 ? 3 : 7);
      // Few distinct values, so that slices repeat too.
      const pool = rank === 1 ? [NaN, -0, 0, 1, -1, 2.5, -3] : [0, 1, -0, NaN];
      const x = Array.from({ length: sizeOf(xs) }, () => g.pick(pool));
      const axis = g.int(-rank, rank - 1);
      const what = `unique x [${xs}] ${JSON.stringify(x.map(String))} axis ${axis}`;
      const got = run(() => {
        const r = unique(nr.tensor(x, xs), axis);
        return { values: read(r.values), indices: read(r.indices) };
      });
      const want = tf.tidy(() => {
        const r = tf.unique(tf.tensor(x, xs), axis);
        return { values: readTf(r.values), indices: readTf(r.indices) };
      });
      same(got.values, want.values, `${what} values`);
      same(got.indices, want.indices, `${what} indices`);
    }
  });

  it('the documented examples, the first −0 kept, empty axes', () => {
    const r = unique([NaN, 1, NaN, -0, 0, 1]);
    same(read(r.values), { shape: [3], values: [NaN, 1, -0] }, 'values');
    same(read(r.indices), { shape: [6], values: [0, 1, 0, 2, 2, 1] }, 'indices');
    const e = unique(nr.zeros([3, 0]), 0);
    same(read(e.values), { shape: [1, 0], values: [] }, 'empty slices are equal');
    same(read(e.indices), { shape: [3], values: [0, 0, 0] }, 'empty slices: indices');
  });
});

// ---------------------------------------------------------------------------------------------
describe('bincount and denseBincount vs TF.js', () => {
  it('bincount: x of rank 0 to 3 (read flat), values at and past size skipped, weights or counts', () => {
    const g = rand(6);
    for (let trial = 0; trial < 300; trial++) {
      const xs = g.shape(g.int(0, 3), 0, 5);
      const size = g.int(0, 7);
      const x = Array.from({ length: sizeOf(xs) }, () => g.int(0, size + 2));
      const weighted = g.r() < 0.6;
      const w = weighted ? g.values(x.length).map((v) => (Number.isNaN(v) ? 0.5 : v)) : [];
      const ws = weighted ? xs : [0];
      const what = `bincount x [${xs}] ${JSON.stringify(x)} weights ${JSON.stringify(w)} size ${size}`;
      const got = run(() => read(bincount(nr.tensor(x, xs), nr.tensor(w, ws), size)));
      same(got, readTf(tf.tidy(() => tf.bincount(asTf1d(x, xs, 'int32'), asTf1d(w, ws), size))), what);
    }
  });

  it('denseBincount: 1-D and 2-D x, weights, binaryOutput on 2-D as TF.js', () => {
    const g = rand(7);
    for (let trial = 0; trial < 300; trial++) {
      const xs = g.shape(g.int(1, 2), 0, 6);
      const size = g.int(0, 6);
      const x = Array.from({ length: sizeOf(xs) }, () => g.int(0, size + 1));
      const weighted = g.r() < 0.5;
      const w = weighted ? g.values(x.length).map((v) => (Number.isNaN(v) ? -1 : v)) : [];
      const ws = weighted ? xs : [0];
      const binary = xs.length === 2 && g.r() < 0.4;
      const what = `denseBincount x [${xs}] ${JSON.stringify(x)} weights ${JSON.stringify(w)} size ${size} binary ${binary}`;
      const got = run(() => read(denseBincount(nr.tensor(x, xs), nr.tensor(w, ws), size, binary)));
      same(got, readTf(tf.tidy(() => tf.denseBincount(asTf1d(x, xs, 'int32'), asTf1d(w, ws), size, binary))), what);
    }
  });

  it('binaryOutput with a 1-D x gives 0/1 (TF.js 4.22 ignores it and counts)', () => {
    expect(Array.from(tf.denseBincount(tf.tensor1d([1, 1, 2], 'int32'), tf.tensor1d([]), 3, true).dataSync())).toEqual([0, 2, 1]);
    same(run(() => read(denseBincount([1, 1, 2, 9], [], 4, true))), { shape: [4], values: [0, 1, 1, 0] }, '1-D binary');
    same(run(() => read(denseBincount([1, 1, 2], [5, 6, 7], 3, true))), { shape: [3], values: [0, 1, 1] }, '1-D binary, weights ignored');
  });
});

// ---------------------------------------------------------------------------------------------
describe('searchSorted, lowerBound, upperBound vs TF.js', () => {
  it('1-D, batched 2-D and 3-D, both sides, duplicates, values equal to entries, NaN and ±Infinity', () => {
    const g = rand(8);
    for (let trial = 0; trial < 300; trial++) {
      const lead = g.shape(g.int(0, 2), 1, 3);
      const n = g.int(1, 9);
      const m = g.int(1, 6);
      const rows = sizeOf(lead);
      const seq: number[] = [];
      for (let r = 0; r < rows; r++) seq.push(...Array.from({ length: n }, () => g.int(-4, 4) / 2).sort((a, b) => a - b));
      const vals = Array.from({ length: rows * m }, () => (g.r() < 0.1 ? g.pick([NaN, Infinity, -Infinity]) : g.int(-5, 5) / 2));
      const ss = [...lead, n];
      const vs = [...lead, m];
      for (const side of ['left', 'right'] as const) {
        const what = `searchSorted [${ss}] ${JSON.stringify(seq)} values [${vs}] ${JSON.stringify(vals)} ${side}`;
        const want = readTf(tf.tidy(() => tf.searchSorted(tf.tensor(seq, ss), tf.tensor(vals, vs), side)));
        // TF.js returns the 2-D [rows, m] reshape; neurite keeps values's shape.
        expect(want.shape, what).toEqual([rows, m]);
        const expected = { shape: vs, values: want.values };
        same(run(() => read(searchSorted(nr.tensor(seq, ss), nr.tensor(vals, vs), side))), expected, what);
        const bound = side === 'left' ? lowerBound : upperBound;
        same(run(() => read(bound(nr.tensor(seq, ss), nr.tensor(vals, vs)))), expected, `${what} (${bound.name})`);
      }
    }
  });

  it('the default side is left; empty rows give 0 and empty values an empty result (TF.js 4.22 throws)', () => {
    same(run(() => read(searchSorted([0, 3, 9, 10, 10], [0, 4, 10]))), { shape: [3], values: [0, 2, 3] }, 'left');
    same(run(() => read(upperBound([0, 3, 9, 10, 10], [0, 4, 10]))), { shape: [3], values: [1, 2, 5] }, 'right');
    expect(thrown(() => tf.searchSorted(tf.zeros([0]), [1]))).toMatchObject({ message: expect.stringMatching(/Cannot infer the missing size/) });
    same(run(() => read(searchSorted(nr.zeros([0]), [1, -1]))), { shape: [2], values: [0, 0] }, 'empty rows');
    same(run(() => read(searchSorted(nr.zeros([2, 0]), nr.zeros([2, 3]), 'right'))), { shape: [2, 3], values: [0, 0, 0, 0, 0, 0] }, 'empty batched rows');
    same(run(() => read(searchSorted([1, 2], nr.zeros([0])))), { shape: [0], values: [] }, 'empty values');
    same(run(() => read(searchSorted(nr.zeros([0, 4]), nr.zeros([0, 2])))), { shape: [0, 2], values: [] }, 'no rows');
    // Rows may be split differently over the leading axes, as TF.js allows: [1, 3] with [2].
    same(run(() => read(searchSorted([[1, 2, 3]], [2.5, 0]))), { shape: [2], values: [2, 0] }, '[1, N] rows with [V] values');
  });
});

// ---------------------------------------------------------------------------------------------
describe('booleanMaskAsync, whereAsync, setdiff1dAsync vs TF.js', () => {
  it('booleanMaskAsync: mask ranks 1 to 3 at every axis that fits, ranks 1 to 5, all-false and all-true masks', async () => {
    const g = rand(9);
    for (let trial = 0; trial < 200; trial++) {
      const xs = g.shape(g.int(1, 5), 0, 4);
      const axis = g.int(0, xs.length - 1);
      const k = g.int(1, Math.min(3, xs.length - axis));
      const ms = xs.slice(axis, axis + k);
      const p = g.pick([0, 0.5, 1]);
      const mask = Array.from({ length: sizeOf(ms) }, () => (g.r() < p ? 1 : 0));
      const x = g.values(sizeOf(xs));
      const what = `booleanMaskAsync x [${xs}] mask [${ms}] ${JSON.stringify(mask)} axis ${axis}`;
      const before = nr.memory().numHandles;
      const nx = nr.tensor(x, xs);
      const nm = nr.tensor(mask, ms);
      const got = read(await booleanMaskAsync(nx, nm, axis));
      nr.dispose([nx, nm]);
      expect(nr.memory().numHandles, `${what}: handles`).toBe(before);
      const tx = tf.tensor(x, xs);
      const tm = tf.tensor(mask, ms, 'bool');
      const want = readTf(await tf.booleanMaskAsync(tx, tm, axis));
      tf.dispose([tx, tm]);
      same(got, want, what);
    }
  });

  it('booleanMaskAsync: NaN and fractions in the mask count as true, negative axes, 2-D masks', async () => {
    const x = nr.tensor([[1, 2], [3, 4], [5, 6]]);
    same(read(await booleanMaskAsync(x, [NaN, 0, 0.25])), { shape: [2, 2], values: [1, 2, 5, 6] }, 'NaN and 0.25 are true');
    same(read(await booleanMaskAsync(x, [0, 1], -1)), { shape: [3, 1], values: [2, 4, 6] }, 'axis -1');
    same(read(await booleanMaskAsync(x, [[1, 0], [0, 1], [0, 0]], -2)), { shape: [2], values: [1, 4] }, '2-D mask, axis -2');
    same(read(await booleanMaskAsync(x, [0, 0, 0])), { shape: [0, 2], values: [] }, 'nothing picked');
    same(read(await booleanMaskAsync(x, [0, 1, 1], null)), { shape: [2, 2], values: [3, 4, 5, 6] }, 'axis null is 0, as TF.js');
    x.dispose();
  });

  it('whereAsync: ranks 0 to 5, all-false, NaN as true', async () => {
    const g = rand(10);
    for (let trial = 0; trial < 150; trial++) {
      const xs = g.shape(g.int(0, 5), 0, 4);
      const p = g.pick([0, 0.3, 1]);
      const c = Array.from({ length: sizeOf(xs) }, () => (g.r() < p ? 1 : 0));
      const what = `whereAsync [${xs}] ${JSON.stringify(c)}`;
      const got = read(await whereAsync(nr.tensor(c, xs)));
      const tc = tf.tensor(c, xs, 'bool');
      same(got, readTf(await tf.whereAsync(tc)), what);
      tc.dispose();
    }
    same(read(await whereAsync([NaN, 0, -0, 0.5])), { shape: [2, 1], values: [0, 3] }, 'NaN and 0.5 are true');
    same(read(await whereAsync(0)), { shape: [0, 0], values: [] }, 'false scalar');
  });

  it('setdiff1dAsync: duplicates in x kept, NaN and ±0 matched, empty x and y', async () => {
    const g = rand(11);
    for (let trial = 0; trial < 200; trial++) {
      const pool = [NaN, -0, 0, 1, -1, 2.5, 3, -7];
      const x = Array.from({ length: g.int(0, 9) }, () => g.pick(pool));
      const y = Array.from({ length: g.int(0, 4) }, () => g.pick(pool));
      const what = `setdiff1dAsync ${JSON.stringify(x.map(String))} ${JSON.stringify(y.map(String))}`;
      const [o, i] = await setdiff1dAsync(nr.tensor(x, [x.length]), nr.tensor(y, [y.length]));
      const tx = tf.tensor1d(x);
      const ty = tf.tensor1d(y);
      const [wo, wi] = await tf.setdiff1dAsync(tx, ty);
      tf.dispose([tx, ty]);
      same(read(o), readTf(wo), `${what} out`);
      same(read(i), readTf(wi), `${what} indices`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('errors: the op and argument named, the class, nothing leaked', () => {
  it('gatherND', () => {
    const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(throwsClean(() => gatherND(x, [[0, 3]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'gatherND: indices[0,1] is 3, out of range for axis 1 of x (size 3); x shape [2,3], indices shape [1,2]' });
    expect(throwsClean(() => gatherND(x, [[1, 0], [-1, 0]]))).toMatchObject({ message: 'gatherND: indices[1,0] is -1, out of range for axis 0 of x (size 2); x shape [2,3], indices shape [2,2]' });
    expect(throwsClean(() => gatherND(x, [[1.5]]))).toMatchObject({ message: 'gatherND: indices[0,0] is 1.5, not an integer; x shape [2,3], indices shape [1,1]' });
    expect(throwsClean(() => gatherND(x, [[NaN, 0]]))).toMatchObject({ message: 'gatherND: indices[0,0] is NaN, not an integer; x shape [2,3], indices shape [1,2]' });
    expect(throwsClean(() => gatherND(x, [[0, 0, 0]]))).toMatchObject({ message: 'gatherND: the index tuples (the last axis of indices) have 3 entries, more than the rank 2 of x; x shape [2,3], indices shape [1,3]' });
    expect(throwsClean(() => gatherND(x, 0))).toMatchObject({ message: 'gatherND: indices must have rank 1 or more (its last axis holds the index tuples), got a scalar; x shape [2,3], indices shape []' });
    expect(throwsClean(() => gatherND(x, 'a' as never))).toMatchObject({ message: 'gatherND: indices must be a Tensor, a number or an array of numbers, got the string "a"' });
    const past = "past 2^24: float32, neurite's only dtype, holds integers exactly only up to 2^24 = 16777216";
    expect(throwsClean(() => gatherND(nr.zeros([2 ** 24 + 3, 0]), [[2 ** 24 + 2]]))).toMatchObject({ message: `gatherND: indices[0,0] is 16777218, ${past}` });
    expect(throwsClean(() => gatherND(nr.zeros([5000, 5000, 0]), [[4000, 4000]]))).toMatchObject({ message: `gatherND: the row that indices[0] names in x's first 2 axes flattened is 20004000 (x shape [5000,5000,0], indices shape [1,2]), ${past}` });
    expect(throwsClean(() => gatherND(nr.zeros([1, 2 ** 16]), nr.zeros([2 ** 14, 1])))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^gatherND: out of memory allocating 4294967296 bytes: the result \[16384,65536\]/) });
    x.dispose();
  });

  it('stridedSlice', () => {
    const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(throwsClean(() => stridedSlice(x, [0, 0], [2, 3], [1, 0]))).toMatchObject({ name: 'InvalidArgumentError', message: 'stridedSlice: strides[1] is 0 (for axis 1 of x, shape [2,3]); strides must not be 0' });
    expect(throwsClean(() => stridedSlice(x, [0], [2, 3]))).toMatchObject({ message: 'stridedSlice: begin, end and strides must have the same length, got 1, 2 and 1 (begin [0], end [2,3], strides undefined)' });
    expect(throwsClean(() => stridedSlice(x, [2], [3], [1], 0, 0, 0, 0, 1))).toMatchObject({ message: 'stridedSlice: begin[0] = 2 is out of range for axis 0 of x (size 2, shape [2,3]), which bit 0 of shrinkAxisMask shrinks to one index' });
    expect(throwsClean(() => stridedSlice(x, [0, 0, 0], [1, 1, 1], [1, 1, 1]))).toMatchObject({ message: 'stridedSlice: entry 2 of begin/end/strides names axis 2, but x has rank 2 (shape [2,3]); there are more entries than axes (not counting new axes and the ellipsis)' });
    expect(throwsClean(() => stridedSlice(x, [0, 0], [1, 1], [1, 1], 0, 0, 3))).toMatchObject({ message: 'stridedSlice: ellipsisMask 3 has more than one bit set; a slice has at most one ellipsis' });
    expect(throwsClean(() => stridedSlice(x, [1], [0], [-1], 0, 0, 0, 0, 1))).toMatchObject({ message: 'stridedSlice: strides[0] is -1, but bit 0 of shrinkAxisMask is set; a shrunk axis takes one index and needs a positive stride' });
    expect(throwsClean(() => stridedSlice(x, [0.5], [1]))).toMatchObject({ message: 'stridedSlice: begin[0] must be an integer, got 0.5 (begin [0.5])' });
    expect(throwsClean(() => stridedSlice(x, 0 as never, [1]))).toMatchObject({ message: 'stridedSlice: begin must be an array of integers, got 0' });
    expect(throwsClean(() => stridedSlice(x, [0], [1], [1], -1))).toMatchObject({ message: 'stridedSlice: beginMask must be an integer in [0, 2147483647], got -1' });
    expect(throwsClean(() => stridedSlice(x, [NaN], [1]))).toMatchObject({ message: 'stridedSlice: begin[0] must be an integer, got NaN (begin [NaN])' });
    const z = Array(15).fill(0);
    expect(throwsClean(() => stridedSlice(nr.zeros(Array(20).fill(1)), z, z, z.map(() => 1), 0, 0, 0, 0x7fff))).toMatchObject({ message: expect.stringMatching(/^stridedSlice: the result would have rank 35 .*more than 32$/) });
    x.dispose();
  });

  it('unique, bincount, denseBincount, searchSorted', () => {
    expect(throwsClean(() => unique(3))).toMatchObject({ name: 'InvalidArgumentError', message: 'unique: x must have rank 1 or more, got a scalar' });
    expect(throwsClean(() => unique([[1]], 2))).toMatchObject({ message: 'unique: axis 2 is out of range for a tensor of rank 2 (shape [1,1])' });
    expect(throwsClean(() => unique([1], 0.5))).toMatchObject({ message: 'unique: axis must be an integer, got 0.5' });
    expect(throwsClean(() => bincount([1, -1], [], 3))).toMatchObject({ name: 'InvalidArgumentError', message: 'bincount: x[1] is -1; x must hold non-negative integers (x shape [2])' });
    expect(throwsClean(() => bincount([[1, 2.5]], [], 3))).toMatchObject({ message: 'bincount: x[0,1] is 2.5; x must hold non-negative integers (x shape [1,2])' });
    expect(throwsClean(() => bincount([NaN], [], 3))).toMatchObject({ message: 'bincount: x[0] is NaN; x must hold non-negative integers (x shape [1])' });
    expect(throwsClean(() => bincount([1, 2], [1, 2, 3], 3))).toMatchObject({ name: 'ShapeError', message: 'bincount: weights must have as many values as x (2) or none, got weights shape [3] for x shape [2]' });
    expect(throwsClean(() => bincount([1], [], 1.5))).toMatchObject({ message: 'bincount: size must be a non-negative integer, got 1.5' });
    expect(throwsClean(() => bincount([1], [], -1))).toMatchObject({ message: 'bincount: size must be a non-negative integer, got -1' });
    expect(throwsClean(() => bincount([1], [], 2 ** 40))).toMatchObject({ name: 'OutOfMemoryError' });
    expect(throwsClean(() => denseBincount([[[1]]], [], 3))).toMatchObject({ message: 'denseBincount: x must be 1-D or 2-D, got rank 3 (shape [1,1,1])' });
    expect(throwsClean(() => denseBincount([[0, 1], [2, -3]], [], 3))).toMatchObject({ message: 'denseBincount: x[1,1] is -3; x must hold non-negative integers (x shape [2,2])' });
    expect(throwsClean(() => denseBincount([1], [], 3, 1 as never))).toMatchObject({ message: 'denseBincount: binaryOutput must be true or false, got 1' });
    expect(throwsClean(() => denseBincount(nr.zeros([2 ** 16, 1]), [], 2 ** 16))).toMatchObject({ name: 'OutOfMemoryError' });
    expect(throwsClean(() => searchSorted([[1, 2], [3, 4]], [1]))).toMatchObject({ name: 'ShapeError', message: 'searchSorted: sortedSequence holds 2 row(s) (shape [2,2]) but values holds 1 (shape [1]); the axes before the last must hold as many rows in both' });
    expect(throwsClean(() => searchSorted([1, 2], 1))).toMatchObject({ message: 'searchSorted: values must have rank 1 or more (its last axis holds the values for each row), got a scalar' });
    expect(throwsClean(() => lowerBound(1, [1]))).toMatchObject({ message: 'lowerBound: sortedSequence must have rank 1 or more (its last axis holds the sorted rows), got a scalar' });
    expect(throwsClean(() => searchSorted([1], [1], 'middle' as never))).toMatchObject({ message: 'searchSorted: side must be \'left\' or \'right\', got "middle"' });
    expect(throwsClean(() => upperBound([1], null as never))).toMatchObject({ message: 'upperBound: values must be a Tensor, a number or an array of numbers, got null' });
  });

  it('the async ops reject (never throw) with the op named, and leave nothing behind', async () => {
    const x = nr.tensor([[1, 2], [3, 4]]);
    expect(await rejectsClean(() => booleanMaskAsync(x, [1, 0, 1]))).toMatchObject({ name: 'ShapeError', message: "booleanMaskAsync: mask shape [3] must match the shape of tensor's axes 0..0, which is [2] (tensor shape [2,2], axis 0)" });
    expect(await rejectsClean(() => booleanMaskAsync(x, 1))).toMatchObject({ name: 'InvalidArgumentError', message: 'booleanMaskAsync: mask must have rank 1 or more, got a scalar (tensor shape [2,2])' });
    expect(await rejectsClean(() => booleanMaskAsync(x, [[1, 0], [0, 1]], 1))).toMatchObject({ message: 'booleanMaskAsync: axis must be an integer in [-2, 0] so that the 2 axes of mask (shape [2,2]) fit in tensor (shape [2,2]), got 1' });
    expect(await rejectsClean(() => booleanMaskAsync(x, [1, 0], 0.5))).toMatchObject({ message: expect.stringMatching(/^booleanMaskAsync: axis must be an integer in \[-2, 1\] .* got 0\.5$/) });
    expect(await rejectsClean(() => whereAsync({} as never))).toMatchObject({ message: 'whereAsync: condition must be a Tensor, a number or an array of numbers, got an object (Object)' });
    expect(await rejectsClean(() => setdiff1dAsync([[1]], [1]))).toMatchObject({ message: 'setdiff1dAsync: x must be 1-D, got shape [1,1]' });
    expect(await rejectsClean(() => setdiff1dAsync([1], 1))).toMatchObject({ message: 'setdiff1dAsync: y must be 1-D, got shape []' });
    const d = nr.tensor([1]);
    d.dispose();
    expect(await rejectsClean(() => setdiff1dAsync(d, [1]))).toMatchObject({ name: 'DisposedError', message: 'setdiff1dAsync: x is a disposed tensor (shape [1])' });
    x.dispose();
  });

  it('a disposed tensor and garbage arguments, for every op', () => {
    const d = nr.tensor([1, 2]);
    d.dispose();
    expect(throwsClean(() => gatherND(d, [[0]]))).toMatchObject({ name: 'DisposedError', message: 'gatherND: x is a disposed tensor (shape [2])' });
    expect(throwsClean(() => stridedSlice(d, [0], [1]))).toMatchObject({ name: 'DisposedError', message: 'stridedSlice: x is a disposed tensor (shape [2])' });
    expect(throwsClean(() => unique(d))).toMatchObject({ name: 'DisposedError' });
    expect(throwsClean(() => bincount([1], d, 2))).toMatchObject({ name: 'DisposedError', message: 'bincount: weights is a disposed tensor (shape [2])' });
    expect(throwsClean(() => denseBincount('x' as never, [], 2))).toMatchObject({ message: 'denseBincount: x must be a Tensor, a number or an array of numbers, got the string "x"' });
    expect(throwsClean(() => searchSorted(d, [1]))).toMatchObject({ name: 'DisposedError' });
    expect(throwsClean(() => stridedSlice([[1, 2], [3]] as never, [0], [1]))).toMatchObject({ name: 'ShapeError', message: expect.stringMatching(/^stridedSlice: x: values are ragged/) });
  });
});

// ---------------------------------------------------------------------------------------------
describe('TensorLike arguments', () => {
  it('nested arrays, numbers and typed arrays give what tensors give', async () => {
    const x = [[1, 2, 3], [4, 5, 6]];
    const both = (a: () => nr.Tensor, b: () => nr.Tensor, what: string) => same(run(() => read(a())), run(() => read(b())), what);
    both(() => gatherND(x, [[1, 2]]), () => gatherND(nr.tensor(x), nr.tensor([[1, 2]])), 'gatherND');
    both(() => stridedSlice(x, [0, 2], [2, 0], [1, -1]), () => stridedSlice(nr.tensor(x), [0, 2], [2, 0], [1, -1]), 'stridedSlice');
    both(() => unique(new Float32Array([3, 1, 3])).values, () => unique(nr.tensor([3, 1, 3])).values, 'unique');
    both(() => bincount(new Int32Array([0, 2, 2]), [], 3), () => bincount(nr.tensor([0, 2, 2]), nr.zeros([0]), 3), 'bincount');
    both(() => searchSorted([1, 2, 3], [2]), () => searchSorted(nr.tensor([1, 2, 3]), nr.tensor([2])), 'searchSorted');
    same(read(await booleanMaskAsync(x, [0, 1])), { shape: [1, 3], values: [4, 5, 6] }, 'booleanMaskAsync');
    const before = nr.memory().numHandles;
    const [o, i] = await setdiff1dAsync([5, 6, 7], [6]);
    same(read(o), { shape: [2], values: [5, 7] }, 'setdiff1dAsync');
    same(read(i), { shape: [2], values: [0, 2] }, 'setdiff1dAsync indices');
    expect(nr.memory().numHandles).toBe(before);
  });
});
