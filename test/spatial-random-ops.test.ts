// TF.js ops neurite composes in TypeScript (ts/ops/depth_to_space.ts, space_to_batch.ts,
// local_response_normalization.ts, dropout_op.ts, random_extra.ts, moving_average.ts,
// einsum.ts), checked live against TF.js 4.22 (cpu backend; tf.grad/tf.grads where TF.js has
// the gradient, a TF.js composition or an index reference where it has not) on odd and empty
// sizes, NaN, ±Infinity, huge and tiny values; the random ops statistically (fixed seeds, so
// the tests are deterministic) and for determinism; error classes and messages; and that no
// call, also a failing one, leaves a handle behind.
//
// Tolerances (|a − e| ≤ atol + rtol·|e|; both sides float32):
// - exact (0): depthToSpace, spaceToBatchND, batchToSpaceND and their gradients (permutations,
//   padding, cropping), dropout (TF.js's formula on the same uniform draw), the multinomial
//   cases with one possible outcome.
// - localResponseNormalization: rtol 1e-5, atol 1e-7 (neurite sums float32 squares in a tree,
//   TF.js in float64 one by one); gradient rtol 1e-5, atol 1e-6 (TF.js's LRNGrad also
//   accumulates in float64; the two terms of the derivative partly cancel).
// - movingAverage: rtol 1e-6, atol 1e-7 (the same float32 operations; pow may differ by an
//   ulp); gradients rtol 1e-5, atol 1e-7.
// - einsum: rtol 1e-5, atol 1e-5 (matMul's summation order vs TF.js's products-then-sum over
//   up to 9 terms of size ≤ 5); gradients the same against tf.grads of a mul/sum/transpose
//   composition (TF.js 4.22 has no einsum gradient).
// - statistics (fixed seeds): chi-square below the 0.1 % critical value for its degrees of
//   freedom; sample means within 5 standard errors, standard deviations within 1 %.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { EXACT, expectSame, noHandleLeak, read, readTf, run, sizeOf, uniform, type Read } from './op-helpers.js';
import { depthToSpace } from '../ts/ops/depth_to_space.js';
import { batchToSpaceND, spaceToBatchND } from '../ts/ops/space_to_batch.js';
import { localResponseNormalization } from '../ts/ops/local_response_normalization.js';
import { dropout } from '../ts/ops/dropout_op.js';
import { multinomial, randomStandardNormal, randomUniformInt } from '../ts/ops/random_extra.js';
import { movingAverage } from '../ts/ops/moving_average.js';
import { einsum } from '../ts/ops/einsum.js';

await tf.setBackend('cpu');

/** Values with the specials spread over them: NaN, ±Infinity, huge and tiny, ±0. */
function withSpecials(v: Float32Array): Float32Array {
  const specials = [NaN, Infinity, -Infinity, 1e30, -1e-30, -0, 3e38];
  specials.forEach((s, i) => {
    if (v.length > 3 * i) v[3 * i] = s;
  });
  return v;
}

/** Chi-square statistic of `counts` against the probabilities `p` (over `n` draws). */
function chiSquare(counts: number[], p: number[], n: number): number {
  return counts.reduce((s, c, i) => s + (c - n * p[i]) ** 2 / (n * p[i]), 0);
}

/** 0.1 % critical values of the chi-square distribution, by degrees of freedom. */
const CHI2_999: Record<number, number> = { 1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 5: 20.52, 6: 22.46, 9: 27.88 };

afterEach(() => nr.setSeed(0));

describe('depthToSpace vs TF.js', () => {
  const cases: Array<[number[], number]> = [[[1, 1, 1, 4], 2], [[2, 3, 5, 8], 2], [[1, 2, 3, 27], 3], [[3, 1, 2, 18], 3], [[1, 2, 1, 16], 4], [[2, 2, 3, 4], 2], [[0, 2, 2, 4], 2], [[1, 0, 3, 4], 2], [[1, 2, 2, 0], 2], [[1, 1, 1, 50], 5]];

  it('values (exact, NaN/±Infinity/huge/tiny included), odd and empty sizes', () => {
    let seed = 1;
    for (const [shape, b] of cases) {
      const x = withSpecials(uniform(seed++, sizeOf(shape), -5, 5));
      const want = readTf(tf.tidy(() => tf.depthToSpace(tf.tensor4d(x, shape as [number, number, number, number]), b)));
      expectSame(run(() => read(depthToSpace(nr.tensor(x, shape), b))), want, EXACT, `${JSON.stringify(shape)} b ${b}`);
    }
    // TensorLike x and the default dataFormat spelled out.
    expectSame(run(() => read(depthToSpace([[[[1, 2, 3, 4]]]], 2, 'NHWC'))), { shape: [1, 2, 2, 1], values: Float32Array.from([1, 2, 3, 4]) }, EXACT);
  });

  it('gradient: dy moved back to where each value came from (TF.js has no DepthToSpace gradient)', () => {
    let seed = 50;
    for (const [shape, b] of cases) {
      const n = sizeOf(shape);
      // Where each output value comes from, by TF.js's forward run on the indices.
      const from = readTf(tf.tidy(() => tf.depthToSpace(tf.tensor4d(Float32Array.from({ length: n }, (_, i) => i), shape as [number, number, number, number]), b)));
      const dy = uniform(seed++, n, -2, 2);
      const want = new Float32Array(n);
      from.values.forEach((src, k) => (want[src] = dy[k]));
      const got = run(() => read(nr.grad((t) => depthToSpace(t, b))(nr.tensor(uniform(seed++, n, -1, 1), shape), nr.tensor(dy, from.shape))));
      expectSame(got, { shape, values: want }, EXACT, `grad ${JSON.stringify(shape)}`);
    }
  });

  it('errors: rank, blockSize, dataFormat (NCHW throws, as TF.js cpu), depth not divisible', () => {
    const x = nr.zeros([1, 1, 1, 4]);
    expect(thrown(() => depthToSpace(x, 2, 'NCHW' as 'NHWC'))).toMatchObject({ name: 'InvalidArgumentError', message: "depthToSpace: dataFormat 'NCHW' is not supported (channels last only, as TF.js's cpu backend); transpose x to [batch, height, width, depth] with perm [0, 2, 3, 1] first" });
    // TF.js's cpu kernel refuses NCHW too.
    expect(() => tf.tidy(() => tf.depthToSpace(tf.zeros([1, 4, 1, 1]) as tf.Tensor4D, 2, 'NCHW'))).toThrow(/Only NHWC dataFormat supported on CPU/);
    expect(thrown(() => depthToSpace(x, 2, 'nhwc' as never))).toMatchObject({ message: 'depthToSpace: dataFormat must be \'NHWC\', got "nhwc"' });
    expect(thrown(() => depthToSpace(x, 1))).toMatchObject({ name: 'InvalidArgumentError', message: 'depthToSpace: blockSize must be an integer in [2, 2147483647], got 1' });
    expect(thrown(() => depthToSpace(x, 2.5))).toMatchObject({ message: 'depthToSpace: blockSize must be an integer in [2, 2147483647], got 2.5' });
    expect(thrown(() => depthToSpace(x, NaN))).toMatchObject({ message: 'depthToSpace: blockSize must be an integer in [2, 2147483647], got NaN' });
    expect(thrown(() => depthToSpace(nr.zeros([1, 1, 4]), 2))).toMatchObject({ name: 'InvalidArgumentError', message: 'depthToSpace: x must have rank 4 [batch, height, width, depth], got shape [1,1,4]' });
    expect(thrown(() => depthToSpace(nr.zeros([1, 1, 1, 6]), 2))).toMatchObject({ name: 'ShapeError', message: 'depthToSpace: the depth of x (6, shape [1,1,1,6]) must be divisible by blockSize² = 4 (blockSize 2)' });
    expect(thrown(() => depthToSpace(nr.zeros([1, 1, 1, 12]), 3))).toMatchObject({ name: 'ShapeError', message: 'depthToSpace: the depth of x (12, shape [1,1,1,12]) must be divisible by blockSize² = 9 (blockSize 3)' });
    expect(thrown(() => depthToSpace(nr.zeros([1, 1, 1, 0]), 2 ** 30))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^depthToSpace: /) });
    expect(thrown(() => depthToSpace('x' as never, 2))).toMatchObject({ message: 'depthToSpace: x must be a Tensor, a number or an array of numbers, got the string "x"' });
    x.dispose();
    expect(thrown(() => depthToSpace(x, 2))).toMatchObject({ name: 'DisposedError' });
  });
});

describe('spaceToBatchND and batchToSpaceND vs TF.js', () => {
  // [shape, blockShape, paddings]
  const cases: Array<[number[], number[], Array<[number, number]>]> = [
    [[1, 4, 4, 1], [2, 2], [[0, 0], [0, 0]]],
    [[2, 3, 5, 2], [2, 3], [[1, 0], [0, 1]]],
    [[1, 5, 3], [3], [[1, 0]]],
    [[2, 6], [2], [[0, 0]]],
    [[3, 2], [], []],
    [[2, 1, 7, 2, 3], [1, 3], [[0, 0], [1, 1]]],
    [[1, 2, 2, 3], [4, 1], [[1, 1], [0, 0]]],
    [[0, 4, 4, 1], [2, 2], [[0, 0], [2, 2]]],
    [[2, 0, 3, 1], [2, 3], [[0, 2], [0, 0]]],
    [[3, 7, 1, 2], [5, 1], [[2, 1], [0, 0]]],
  ];

  it('spaceToBatchND: values (exact) with paddings, rest axes, empty tensors; batchToSpaceND undoes it', () => {
    let seed = 100;
    for (const [shape, block, pads] of cases) {
      const x = withSpecials(uniform(seed++, sizeOf(shape), -5, 5));
      const what = `${JSON.stringify(shape)} ${JSON.stringify(block)} ${JSON.stringify(pads)}`;
      const want = readTf(tf.tidy(() => tf.spaceToBatchND(tf.tensor(x, shape), block, pads)));
      const got = run(() => read(spaceToBatchND(nr.tensor(x, shape), block, pads)));
      expectSame(got, want, EXACT, `spaceToBatchND ${what}`);
      // batchToSpaceND with the paddings as crops gives x back (in both libraries).
      if (block.length > 0) {
        const back = readTf(tf.tidy(() => tf.batchToSpaceND(tf.tensor(want.values, want.shape), block, pads)));
        expectSame(back, { shape, values: x }, EXACT, `TF.js round trip ${what}`);
      }
      const ours = run(() => read(batchToSpaceND(nr.tensor(got.values, got.shape), block, pads)));
      expectSame(ours, { shape, values: x }, EXACT, `batchToSpaceND round trip ${what}`);
    }
  });

  it('batchToSpaceND: crops of every size up to the whole axis (exact vs TF.js)', () => {
    let seed = 150;
    const cropCases: Array<[number[], number[], Array<[number, number]>]> = [
      [[4, 1, 1, 1], [2, 2], [[0, 0], [0, 0]]],
      [[8, 1, 3, 2], [2, 4], [[1, 0], [2, 3]]],
      [[6, 2, 5], [3], [[2, 2]]],
      [[4, 1, 1, 1], [2, 2], [[1, 1], [0, 0]]],
      [[12, 2, 2, 3], [3, 2], [[0, 5], [1, 0]]],
      [[0, 2, 2, 1], [2, 2], [[1, 0], [0, 1]]],
    ];
    for (const [shape, block, crops] of cropCases) {
      const x = withSpecials(uniform(seed++, sizeOf(shape), -3, 3));
      const want = readTf(tf.tidy(() => tf.batchToSpaceND(tf.tensor(x, shape), block, crops)));
      expectSame(run(() => read(batchToSpaceND(nr.tensor(x, shape), block, crops))), want, EXACT, `batchToSpaceND ${JSON.stringify([shape, block, crops])}`);
    }
  });

  it('gradients vs tf.grad (each is the other applied to dy)', () => {
    let seed = 200;
    for (const [shape, block, pads] of cases.filter(([, b]) => b.length > 0)) {
      const x = uniform(seed++, sizeOf(shape), -2, 2);
      const ys = run(() => read(spaceToBatchND(nr.tensor(x, shape), block, pads))).shape;
      const dy = uniform(seed++, sizeOf(ys), -2, 2);
      const want = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.spaceToBatchND(t, block, pads))(tf.tensor(x, shape), tf.tensor(dy, ys))));
      const got = run(() => read(nr.grad((t) => spaceToBatchND(t, block, pads))(nr.tensor(x, shape), nr.tensor(dy, ys))));
      expectSame(got, want, EXACT, `spaceToBatchND grad ${JSON.stringify(shape)}`);
      // batchToSpaceND's gradient, from the space-to-batch shape back.
      const dz = uniform(seed++, sizeOf(shape), -2, 2);
      const want2 = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.batchToSpaceND(t, block, pads))(tf.tensor(dy, ys), tf.tensor(dz, shape))));
      const got2 = run(() => read(nr.grad((t) => batchToSpaceND(t, block, pads))(nr.tensor(dy, ys), nr.tensor(dz, shape))));
      expectSame(got2, want2, EXACT, `batchToSpaceND grad ${JSON.stringify(shape)}`);
    }
  });

  it('errors: rank, block sizes, paddings and crops (negative, too many, too large), divisibility', () => {
    const x = nr.zeros([1, 4, 4, 1]);
    expect(thrown(() => spaceToBatchND(x, [2, 2], [[-1, 1], [0, 0]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'spaceToBatchND: paddings[0][0] must be an integer in [0, 2147483647], got -1' });
    expect(thrown(() => spaceToBatchND(nr.zeros([1, 3, 4, 1]), [2, 2], [[0, 0], [0, 0]]))).toMatchObject({ name: 'ShapeError', message: 'spaceToBatchND: axis 1 of x padded (0 + 3 + 0 = 3) must be divisible by blockShape[0] = 2 (x shape [1,3,4,1], blockShape [2,2], paddings [[0,0],[0,0]])' });
    expect(thrown(() => spaceToBatchND(x, [0, 2], [[0, 0], [0, 0]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'spaceToBatchND: blockShape[0] must be an integer in [1, 2147483647], got 0' });
    expect(thrown(() => spaceToBatchND(x, [2, 2], [[0, 0]]))).toMatchObject({ message: 'spaceToBatchND: paddings has 1 pairs (paddings [[0,0]]) but blockShape has 2 entries; they must match' });
    expect(thrown(() => spaceToBatchND(x, [2, 2], [[0, 0], [0]] as never))).toMatchObject({ message: 'spaceToBatchND: paddings[1] must be a pair [before, after], got an array of length 1' });
    expect(thrown(() => spaceToBatchND(nr.zeros([2, 4]), [2, 2], [[0, 0], [0, 0]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'spaceToBatchND: x has rank 2 (shape [2,4]) but needs rank >= 3: a batch axis and one axis per entry of blockShape (2)' });
    expect(thrown(() => spaceToBatchND(x, 2 as never, [[0, 0]]))).toMatchObject({ message: 'spaceToBatchND: blockShape must be an array of integers >= 1, got 2' });
    expect(thrown(() => spaceToBatchND(x, [2, 2], [[0, 2 ** 30], [0, 2 ** 30]]))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^spaceToBatchND: out of memory allocating .* the padded x/) });
    expect(thrown(() => batchToSpaceND(nr.zeros([3, 1, 1, 1]), [2, 2], [[0, 0], [0, 0]]))).toMatchObject({ name: 'ShapeError', message: 'batchToSpaceND: the batch of x (3, shape [3,1,1,1]) must be divisible by the product of blockShape (2 · 2 = 4)' });
    expect(thrown(() => batchToSpaceND(nr.zeros([4, 1, 1, 1]), [2, 2], [[0, 3], [0, 0]]))).toMatchObject({ name: 'InvalidArgumentError', message: 'batchToSpaceND: crops[0] = [0, 3] removes 3 entries from axis 1, which holds 2 (1 · blockShape[0] = 2; x shape [4,1,1,1])' });
    // TF.js 4.22 keeps the whole axis for such crops (slice size −1): a silent wrong shape.
    expect(tf.tidy(() => tf.batchToSpaceND(tf.zeros([4, 1, 1, 1]), [2, 2], [[0, 3], [0, 0]]).shape)).toEqual([1, 2, 2, 1]);
    expect(thrown(() => batchToSpaceND(nr.zeros([4, 1, 1, 1]), [2, 2], [[-1, 0], [0, 0]]))).toMatchObject({ message: 'batchToSpaceND: crops[0][0] must be an integer in [0, 2147483647], got -1' });
    expect(thrown(() => batchToSpaceND(nr.zeros([4, 1]), [2, 2], [[0, 0], [0, 0]]))).toMatchObject({ message: 'batchToSpaceND: x has rank 2 (shape [4,1]) but needs rank >= 3: a batch axis and one axis per entry of blockShape (2)' });
    expect(thrown(() => batchToSpaceND(nr.zeros([4, 1, 1]), [2.5], [[0, 0]]))).toMatchObject({ message: 'batchToSpaceND: blockShape[0] must be an integer in [1, 2147483647], got 2.5' });
    // An empty blockShape is a copy (TF.js throws a TypeError for batchToSpaceND).
    expectSame(run(() => read(batchToSpaceND([[1, 2], [3, 4]], [], []))), { shape: [2, 2], values: Float32Array.from([1, 2, 3, 4]) }, EXACT);
    x.dispose();
  });
});

/** TF.js's localResponseNormalization, values read out. */
const tfLrn = (x: Float32Array, shape: number[], r: number, bias: number, alpha: number, beta: number): Read =>
  readTf(tf.tidy(() => {
    const t: tf.Tensor = tf.tensor(x, shape);
    return tf.localResponseNormalization(t as tf.Tensor4D, r, bias, alpha, beta);
  }));

describe('localResponseNormalization vs TF.js', () => {
  const params: Array<[number, number, number, number]> = [[5, 1, 1, 0.5], [0, 1, 1, 0.5], [1, 2, 1e-4, 0.75], [2, 1, 0.5, 1], [10, 0.5, 2, 0.3], [3, 1e-3, 1, 2], [4, 2, 1e-4, -0.5]];
  const shapes = [[1, 3, 4, 7], [2, 2, 3, 1], [2, 3, 5], [1, 1, 1, 16], [3, 1, 2, 9], [1, 1, 2, 2]];

  it('values over radii 0 to 10, rank 3 and 4, depth 1 to 16, values in [-5, 5] and [-1e15, 1e15]', () => {
    let seed = 300;
    for (const shape of shapes) {
      for (const [r, bias, alpha, beta] of params) {
        for (const [lo, hi] of [[-5, 5], [-1e15, 1e15], [-1e-3, 1e-3]]) {
          const x = uniform(seed++, sizeOf(shape), lo, hi);
          const got = run(() => read(localResponseNormalization(nr.tensor(x, shape), r, bias, alpha, beta)));
          expectSame(got, tfLrn(x, shape, r, bias, alpha, beta), [1e-5, 1e-7], `LRN ${JSON.stringify(shape)} r ${r} bias ${bias} alpha ${alpha} beta ${beta} in [${lo}, ${hi})`);
        }
      }
    }
  });

  it('defaults (5, 1, 1, 0.5), TensorLike x, NaN and ±Infinity stay in their windows, empty tensors', () => {
    const x = Float32Array.from([1, Infinity, 3, 4, 5, 6, 7, 8, NaN, 1, 2, 3, -Infinity, 0, -0, 2]);
    expectSame(run(() => read(localResponseNormalization(nr.tensor(x, [1, 2, 1, 8]), 1))), tfLrn(x, [1, 2, 1, 8], 1, 1, 1, 0.5), [1e-5, 1e-7], 'specials r 1');
    expectSame(run(() => read(localResponseNormalization(nr.tensor(x, [1, 1, 2, 8])))), tfLrn(x, [1, 1, 2, 8], 5, 1, 1, 0.5), [1e-5, 1e-7], 'specials defaults');
    expectSame(run(() => read(localResponseNormalization([[[1, 2, 3, 4]]], 1))), { shape: [1, 1, 4], values: Float32Array.from([1 / Math.sqrt(6), 2 / Math.sqrt(15), 3 / Math.sqrt(30), 4 / Math.sqrt(26)]) }, [1e-6, 0]);
    for (const shape of [[0, 2, 2, 3], [1, 1, 1, 0], [2, 0, 3]]) {
      expectSame(run(() => read(localResponseNormalization(nr.zeros(shape), 2))), tfLrn(new Float32Array(0), shape, 2, 1, 1, 0.5), EXACT, `empty ${JSON.stringify(shape)}`);
    }
  });

  it('documented difference: squares are float32, so |x| above ~1.8e19 overflows where TF.js squares in float64', () => {
    const x = Float32Array.from([1e30, 1, 2]);
    const got = run(() => read(localResponseNormalization(nr.tensor(x, [1, 1, 1, 3]), 1)));
    // x² is Infinity in float32: 1e30 / ∞ = 0 and 1 / ∞ = 0 (the third window holds only 1 and 2).
    expectClose(got.values, [0, 0, 2 / Math.sqrt(6)], 1e-6, 0);
    expectClose(tfLrn(x, [1, 1, 1, 3], 1, 1, 1, 0.5).values, [1, 1e-30, 2 / Math.sqrt(6)], 1e-6, 0);
  });

  it('gradient vs tf.grad (TF.js LRNGrad), radii 0 to 6, rank 3 and 4', () => {
    let seed = 400;
    for (const shape of shapes) {
      for (const [r, bias, alpha, beta] of params) {
        const x = uniform(seed++, sizeOf(shape), -3, 3);
        const dy = uniform(seed++, sizeOf(shape), -2, 2);
        const want = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.localResponseNormalization(t as tf.Tensor4D, r, bias, alpha, beta))(tf.tensor(x, shape), tf.tensor(dy, shape))));
        const got = run(() => read(nr.grad((t) => localResponseNormalization(t, r, bias, alpha, beta))(nr.tensor(x, shape), nr.tensor(dy, shape))));
        expectSame(got, want, [1e-5, 1e-6], `LRN grad ${JSON.stringify(shape)} r ${r} bias ${bias} alpha ${alpha} beta ${beta}`);
      }
    }
  });

  it('errors: rank, depthRadius (TF.js: an integer; negative sums an empty window there), non-finite parameters', () => {
    const x = nr.zeros([1, 1, 1, 3]);
    expect(thrown(() => localResponseNormalization(nr.zeros([2, 3]), 1))).toMatchObject({ name: 'InvalidArgumentError', message: 'localResponseNormalization: x must have rank 4 [batch, height, width, depth] or rank 3 [height, width, depth], got shape [2,3]' });
    expect(thrown(() => localResponseNormalization(x, 1.5))).toMatchObject({ message: 'localResponseNormalization: depthRadius must be an integer in [0, 2147483647], got 1.5' });
    expect(thrown(() => localResponseNormalization(x, -1))).toMatchObject({ message: 'localResponseNormalization: depthRadius must be an integer in [0, 2147483647], got -1' });
    expect(thrown(() => localResponseNormalization(x, 1, NaN))).toMatchObject({ message: 'localResponseNormalization: bias must be a finite number, got NaN' });
    expect(thrown(() => localResponseNormalization(x, 1, 1, Infinity))).toMatchObject({ message: 'localResponseNormalization: alpha must be a finite number, got Infinity' });
    expect(thrown(() => localResponseNormalization(x, 1, 1, 1, '0.5' as never))).toMatchObject({ message: 'localResponseNormalization: beta must be a finite number, got the string "0.5"' });
    x.dispose();
  });
});

describe('dropout', () => {
  /** TF.js's dropout formula on a given uniform draw (TF.js's own draw uses another generator). */
  const tfFormula = (x: Float32Array, shape: number[], u: Read, rate: number): Read =>
    readTf(tf.tidy(() => tf.mul(tf.tensor(x, shape), tf.div(tf.floor(tf.add(tf.tensor(u.values, u.shape), 1 - rate)), 1 - rate))));

  it("is TF.js's formula on the draw of randomUniform(noiseShape, { seed }), bit for bit", () => {
    let seed = 500;
    const cases: Array<[number[], Array<number | null> | undefined, number]> = [
      [[7], undefined, 0.5], [[3, 5], [3, 1], 0.1], [[2, 3, 4], [1, 3, 1], 0.9], [[2, 3, 4], [3, 4], 0.25], [[4, 6], [null, 1], 0.999], [[5], [1], 0.3], [[], undefined, 0.5], [[0, 3], [0, 1], 0.5], [[33], undefined, 1e-7],
    ];
    for (const [shape, noiseShape, rate] of cases) {
      const x = withSpecials(uniform(seed, sizeOf(shape), -4, 4));
      const ns = noiseShape ? noiseShape.map((d, i) => (d === null ? shape[i] : d)) : shape;
      const u = run(() => read(nr.randomUniform(ns, { seed })));
      const got = run(() => read(dropout(nr.tensor(x, shape), rate, noiseShape, seed)));
      expectSame(got, tfFormula(x, shape, u, rate), EXACT, `dropout ${JSON.stringify(shape)} ${JSON.stringify(noiseShape)} rate ${rate}`);
      // TF.js's own dropout has the same shape and the same kept value x / (1 − rate) (its mask differs).
      const theirs = readTf(tf.tidy(() => tf.dropout(tf.tensor(x, shape), rate, noiseShape as number[] | undefined, seed)));
      expect(theirs.shape).toEqual(got.shape);
      seed++;
    }
  });

  it('keeps a fraction 1 − rate, scaled by 1 / (1 − rate); noiseShape drops whole slices together', () => {
    const n = 100000;
    for (const rate of [0.1, 0.3, 0.5, 0.8]) {
      const v = run(() => read(dropout(nr.ones([n]), rate, undefined, 11))).values;
      const keptValue = Math.fround(1 / Math.fround(1 - rate));
      let kept = 0;
      let other = 0;
      for (const y of v) {
        if (y === keptValue) kept++;
        else if (y !== 0) other++;
      }
      expect(other, `values other than 0 and ${keptValue}`).toBe(0);
      // Within 5 standard errors of 1 − rate.
      expect(Math.abs(kept / n - (1 - rate))).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / n));
    }
    const y = run(() => read(dropout(nr.ones([50, 4, 3]), 0.5, [50, 1, 3], 2)));
    for (let b = 0; b < 50; b++) {
      for (let c = 0; c < 3; c++) {
        const col = [0, 1, 2, 3].map((h) => y.values[(b * 4 + h) * 3 + c]);
        expect(new Set(col).size, `sample ${b} channel ${c}`).toBe(1);
      }
    }
  });

  it('rate 0 gives a copy; the same seed gives the same mask, another seed another; unseeded calls follow setSeed', () => {
    const x = nr.tensor([1, NaN, -Infinity, 4]);
    const c = dropout(x, 0);
    expect(c).not.toBe(x);
    expectSame(read(c), { shape: [4], values: Float32Array.from([1, NaN, -Infinity, 4]) }, EXACT);
    x.dispose();
    const a = run(() => read(dropout(nr.ones([64]), 0.5, undefined, 3)));
    const b = run(() => read(dropout(nr.ones([64]), 0.5, undefined, 3)));
    const other = run(() => read(dropout(nr.ones([64]), 0.5, undefined, 4)));
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(a.values)).not.toEqual(Array.from(other.values));
    nr.setSeed(9);
    const g1 = run(() => [read(dropout(nr.ones([64]), 0.5)), read(dropout(nr.ones([64]), 0.5))]);
    nr.setSeed(9);
    const g2 = run(() => [read(dropout(nr.ones([64]), 0.5)), read(dropout(nr.ones([64]), 0.5))]);
    expect(Array.from(g1[0].values)).toEqual(Array.from(g2[0].values));
    expect(Array.from(g1[1].values)).toEqual(Array.from(g2[1].values));
    expect(Array.from(g1[0].values)).not.toEqual(Array.from(g1[1].values));
  });

  it('gradient: dy times the mask, as tf.grad of the same formula', () => {
    const x = uniform(600, 24, -2, 2);
    const dy = uniform(601, 24, -1, 1);
    const u = run(() => read(nr.randomUniform([2, 1, 4], { seed: 5 })));
    const want = readTf(tf.tidy(() => tf.grad((t: tf.Tensor) => tf.mul(t, tf.div(tf.floor(tf.add(tf.tensor(u.values, u.shape), 0.6)), 0.6)))(tf.tensor(x, [2, 3, 4]), tf.tensor(dy, [2, 3, 4]))));
    const got = run(() => read(nr.grad((t) => dropout(t, 0.4, [2, 1, 4], 5))(nr.tensor(x, [2, 3, 4]), nr.tensor(dy, [2, 3, 4]))));
    expectSame(got, want, EXACT, 'dropout grad');
  });

  it('errors: rate, noiseShape, seed', () => {
    const x = nr.ones([4]);
    for (const rate of [1, -0.1, NaN, Infinity]) expect(thrown(() => dropout(x, rate))).toMatchObject({ name: 'InvalidArgumentError', message: `dropout: rate must be a number in [0, 1), got ${rate}` });
    expect(thrown(() => dropout(x, '0.5' as never))).toMatchObject({ message: 'dropout: rate must be a number in [0, 1), got the string "0.5"' });
    expect(thrown(() => dropout(x, 0.5, [2, 4]))).toMatchObject({ name: 'ShapeError', message: "dropout: noiseShape [2,4] does not broadcast to x's shape [4]: each of its axes must be 1 or x's size, aligned at the end" });
    // TF.js 4.22 broadcasts x up instead: the result is [2, 4].
    expect(tf.tidy(() => tf.dropout(tf.ones([4]), 0.5, [2, 4], 1).shape)).toEqual([2, 4]);
    expect(thrown(() => dropout(x, 0.5, [3]))).toMatchObject({ name: 'ShapeError' });
    expect(thrown(() => dropout(x, 0.5, [-1]))).toMatchObject({ name: 'InvalidArgumentError', message: 'dropout: noiseShape[0] must be a non-negative integer, got -1 (noiseShape [-1])' });
    expect(thrown(() => dropout(x, 0.5, 4 as never))).toMatchObject({ message: 'dropout: noiseShape must be an array of dimensions, got 4' });
    expect(thrown(() => dropout(x, 0.5, undefined, 'abc' as never))).toMatchObject({ name: 'InvalidArgumentError', message: 'dropout: seed must be an integer between 0 and 2^53, got the string "abc"' });
    expect(thrown(() => dropout(x, 0.5, undefined, -1))).toMatchObject({ message: 'dropout: seed must be an integer between 0 and 2^53, got -1' });
    expect(thrown(() => dropout(x, 0, undefined, 1.5))).toMatchObject({ message: 'dropout: seed must be an integer between 0 and 2^53, got 1.5' });
    x.dispose();
  });
});

describe('randomStandardNormal, randomUniformInt, multinomial', () => {
  it('randomStandardNormal: randomNormal(shape, { seed }) bit for bit; mean 0 and std 1; seeded and global draws', () => {
    const a = run(() => read(randomStandardNormal([3, 7], 'float32', 42)));
    const b = run(() => read(nr.randomNormal([3, 7], { seed: 42 })));
    expectSame(a, b, EXACT);
    expectSame(run(() => read(randomStandardNormal([3, 7], undefined, 42))), a, EXACT);
    // The seed as randomNormal's options take it; an empty object is no seed.
    expectSame(run(() => read(randomStandardNormal([3, 7], { seed: 42 }))), a, EXACT);
    nr.setSeed(3);
    const g0 = run(() => read(randomStandardNormal([5], {})));
    nr.setSeed(3);
    expectSame(run(() => read(nr.randomNormal([5]))), g0, EXACT);
    expect(thrown(() => randomStandardNormal([2], { seed: -1 }))).toMatchObject({ name: 'InvalidArgumentError', message: 'randomStandardNormal: seed must be an integer between 0 and 2^53, got -1' });
    expect(thrown(() => randomStandardNormal([2], { sed: 1 } as never))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^randomStandardNormal: unknown option 'sed'.*'seed'/) });
    expect(thrown(() => randomStandardNormal([2], { seed: 1 } as never, 1 as never))).toMatchObject({ message: 'randomStandardNormal: an options object must be the last argument: (shape, { seed })' });
    expect(thrown(() => (randomStandardNormal as (...a: unknown[]) => unknown)([2], 'float32', 1, 2))).toMatchObject({ message: 'randomStandardNormal: too many arguments (4); expected (shape, dtype, seed) or (shape, { seed })' });
    const v = run(() => read(randomStandardNormal([200000], 'float32', 7))).values;
    let s = 0;
    let q = 0;
    for (const z of v) s += z;
    const mean = s / v.length;
    for (const z of v) q += (z - mean) ** 2;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(v.length));
    expect(Math.abs(Math.sqrt(q / v.length) - 1)).toBeLessThan(0.01);
    nr.setSeed(3);
    const g1 = run(() => read(randomStandardNormal([5])));
    nr.setSeed(3);
    expectSame(run(() => read(randomStandardNormal([5]))), g1, EXACT);
    expect(run(() => read(randomStandardNormal([0, 4], 'float32', 1))).shape).toEqual([0, 4]);
    expect(thrown(() => randomStandardNormal([2], 'int32' as never, 1))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^randomStandardNormal: dtype must be 'float32'/) });
    expect(thrown(() => randomStandardNormal([2, -1]))).toMatchObject({ message: 'randomStandardNormal: shape[1] must be a non-negative integer, got -1 (shape [2,-1])' });
    expect(thrown(() => randomStandardNormal([2], 'float32', 2 ** 54))).toMatchObject({ message: 'randomStandardNormal: seed must be an integer between 0 and 2^53, got 18014398509481984' });
    expect(thrown(() => randomStandardNormal([2 ** 20, 2 ** 20]))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^randomStandardNormal: out of memory/) });
  });

  it('randomUniformInt: uniform integers in [minval, maxval) (chi-square), negative ranges included, float32 results', () => {
    for (const [lo, hi, seed] of [[-3, 4, 1], [0, 10, 2], [5, 7, 3], [-1000, -994, 4], [0, 2, 5]]) {
      const n = 70000;
      const v = run(() => read(randomUniformInt([n], lo, hi, seed))).values;
      const k = hi - lo;
      const counts = new Array(k).fill(0);
      let outside = 0;
      for (const x of v) {
        if (Number.isInteger(x) && x >= lo && x < hi) counts[x - lo]++;
        else outside++;
      }
      expect(outside, `values outside the integers of [${lo}, ${hi})`).toBe(0);
      expect(chiSquare(counts, new Array(k).fill(1 / k), n), `chi-square [${lo}, ${hi})`).toBeLessThan(CHI2_999[k - 1]);
    }
    // The documented difference: TF.js 4.22 truncates towards zero, so -3 never comes and 0 comes twice as often.
    const theirs = tf.tidy(() => Array.from(tf.randomUniformInt([7000], -3, 4, 1).dataSync()));
    expect(theirs.includes(-3)).toBe(false);
    expect(theirs.filter((x) => x === 0).length).toBeGreaterThan(1.6 * theirs.filter((x) => x === 1).length);
    // The widest range: every value an integer below maxval; a prefix of a larger draw is the smaller draw.
    const wide = run(() => read(randomUniformInt([1000], -(2 ** 24), 2 ** 24, 9))).values;
    expect(wide.every((x) => Number.isInteger(x) && x >= -(2 ** 24) && x < 2 ** 24)).toBe(true);
    expect(Array.from(run(() => read(randomUniformInt([10], -(2 ** 24), 2 ** 24, 9))).values)).toEqual(Array.from(wide.slice(0, 10)));
    expectSame(run(() => read(randomUniformInt([2, 3], 0, 5, 8))), run(() => read(randomUniformInt([2, 3], 0, 5, 8))), EXACT);
    nr.setSeed(4);
    const g = run(() => read(randomUniformInt([20], 0, 100)));
    nr.setSeed(4);
    expectSame(run(() => read(randomUniformInt([20], 0, 100))), g, EXACT);
    // The seed as randomUniform's options take it, and everything as options: the same integers.
    const p = run(() => read(randomUniformInt([4, 5], -7, 9, 11)));
    expectSame(run(() => read(randomUniformInt([4, 5], -7, 9, { seed: 11 }))), p, EXACT);
    expectSame(run(() => read(randomUniformInt([4, 5], { minval: -7, maxval: 9, seed: 11 }))), p, EXACT);
    nr.setSeed(4);
    expectSame(run(() => read(randomUniformInt([20], { minval: 0, maxval: 100 }))), g, EXACT);
    nr.setSeed(4);
    expectSame(run(() => read(randomUniformInt([20], 0, 100, {}))), g, EXACT);
  });

  it('randomUniformInt errors', () => {
    expect(thrown(() => randomUniformInt([2], 3, 3, 1))).toMatchObject({ name: 'InvalidArgumentError', message: 'randomUniformInt: minval (3) must be less than maxval (3)' });
    expect(thrown(() => randomUniformInt([2], 0.5, 3))).toMatchObject({ message: 'randomUniformInt: minval must be an integer in [-16777216, 16777216], got 0.5' });
    expect(thrown(() => randomUniformInt([2], 0, 2 ** 25))).toMatchObject({ message: 'randomUniformInt: maxval must be an integer in [-16777216, 16777216], got 33554432' });
    expect(thrown(() => randomUniformInt([2], 0, NaN))).toMatchObject({ message: 'randomUniformInt: maxval must be an integer in [-16777216, 16777216], got NaN' });
    expect(thrown(() => randomUniformInt([2], 0, 3, -2))).toMatchObject({ message: 'randomUniformInt: seed must be an integer between 0 and 2^53, got -2' });
    // The seed as an options object, or everything as options: the same errors, named.
    expect(thrown(() => randomUniformInt([2], 0, 3, { seed: 1.5 }))).toMatchObject({ message: 'randomUniformInt: seed must be an integer between 0 and 2^53, got 1.5' });
    expect(thrown(() => randomUniformInt([2], 0, 3, { seeds: 1 } as never))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^randomUniformInt: unknown option 'seeds'.*'seed'/) });
    expect(thrown(() => randomUniformInt([2], { minval: 0 } as never))).toMatchObject({ message: 'randomUniformInt: maxval must be an integer in [-16777216, 16777216], got undefined' });
    expect(thrown(() => randomUniformInt([2], { minval: 0, maxval: 3, min: 1 } as never))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^randomUniformInt: unknown option 'min'/) });
    expect(thrown(() => randomUniformInt([2], { minval: 0, maxval: 3 } as never, 3 as never))).toMatchObject({ message: 'randomUniformInt: an options object must be the last argument: (shape, { minval, maxval, seed })' });
    expect(thrown(() => (randomUniformInt as (...a: unknown[]) => unknown)([2], 0, 3, 1, 2))).toMatchObject({ message: 'randomUniformInt: too many arguments (5); expected (shape, minval, maxval, seed) or (shape, { minval, maxval, seed })' });
    expect(thrown(() => randomUniformInt('x' as never, 0, 3))).toMatchObject({ message: 'randomUniformInt: shape must be an array of dimensions, got the string "x"' });
  });

  it('multinomial: outcome frequencies (chi-square) for logits and normalized probabilities, 1-D and 2-D', () => {
    const n = 60000;
    const freq = (v: Float32Array, k: number, row = 0, perRow = v.length): number[] => {
      const c = new Array(k).fill(0);
      for (let j = 0; j < perRow; j++) c[v[row * perRow + j]]++;
      return c;
    };
    // Logits log(1), log(2), log(3), -Infinity: probabilities 1/6, 2/6, 3/6, 0.
    const v1 = run(() => read(multinomial([0, Math.log(2), Math.log(3), -Infinity], n, 17))).values;
    const c1 = freq(v1, 4);
    expect(c1[3]).toBe(0);
    expect(chiSquare(c1.slice(0, 3), [1 / 6, 2 / 6, 3 / 6], n)).toBeLessThan(CHI2_999[2]);
    // Two rows of normalized probabilities; the second's last outcome takes what the others leave (0.6).
    const v2 = run(() => read(multinomial([[0.1, 0.2, 0.3, 0.4], [0.2, 0.2, 0.0, 0.1]], n, 18, true)));
    expect(v2.shape).toEqual([2, n]);
    expect(chiSquare(freq(v2.values, 4, 0, n), [0.1, 0.2, 0.3, 0.4], n)).toBeLessThan(CHI2_999[3]);
    const c2 = freq(v2.values, 4, 1, n);
    expect(c2[2]).toBe(0);
    expect(chiSquare([c2[0], c2[1], c2[3]], [0.2, 0.2, 0.6], n)).toBeLessThan(CHI2_999[2]);
    // Rows draw independently (TF.js reuses one stream per row): two equal rows do not give equal samples.
    const v3 = run(() => read(multinomial([[0, 0], [0, 0]], 64, 19))).values;
    expect(Array.from(v3.slice(0, 64))).not.toEqual(Array.from(v3.slice(64)));
    // Large logits (softmax is shifted by the maximum) and 1e-30 differences: uniform.
    const v4 = run(() => read(multinomial([1e30, 1e30], n, 20))).values;
    expect(chiSquare(freq(v4, 2), [0.5, 0.5], n)).toBeLessThan(CHI2_999[1]);
  });

  it('multinomial: one possible outcome gives it always (as TF.js); shapes; determinism', () => {
    for (const [logits, normalized] of [[[-Infinity, 3, -Infinity], false], [[[0, 1, 0], [1, 0, 0]], true], [[[5, -Infinity], [-Infinity, -2]], false], [[0, 0, 1], true]] as Array<[number[] | number[][], boolean]>) {
      const want = readTf(tf.tidy(() => tf.cast(tf.multinomial(tf.tensor(logits) as tf.Tensor1D, 9, 1, normalized), 'float32')));
      expectSame(run(() => read(multinomial(logits, 9, 1, normalized))), want, EXACT, `multinomial ${JSON.stringify(logits)}`);
    }
    expect(run(() => read(multinomial([1, 2], 0, 1))).shape).toEqual(readTf(tf.tidy(() => tf.multinomial(tf.tensor1d([1, 2]), 0, 1))).shape);
    expect(run(() => read(multinomial([[1, 2]], 0, 1))).shape).toEqual([1, 0]);
    expect(run(() => read(multinomial(nr.zeros([0, 3]), 4, 1))).shape).toEqual([0, 4]);
    const a = run(() => read(multinomial([[1, 2, 3], [3, 2, 1]], 50, 5)));
    expectSame(run(() => read(multinomial([[1, 2, 3], [3, 2, 1]], 50, 5))), a, EXACT);
    expect(Array.from(run(() => read(multinomial([[1, 2, 3], [3, 2, 1]], 50, 6))).values)).not.toEqual(Array.from(a.values));
    nr.setSeed(2);
    const g = run(() => read(multinomial([1, 2, 3], 30)));
    nr.setSeed(2);
    expectSame(run(() => read(multinomial([1, 2, 3], 30))), g, EXACT);
  });

  it('multinomial over 50,000 outcomes: never one of a -Infinity logit, and the tail drawn its share (TF.js\'s float32 running sum drew the first and never the last 31 outcomes)', () => {
    const V = 50000;
    const banned = Float32Array.from({ length: V }, (_, i) => (i < 30000 ? 0 : -Infinity));
    const b = run(() => read(multinomial(nr.tensor(banned), 200000, 3))).values;
    expect(b.reduce((a, x) => Math.max(a, x), 0)).toBeLessThan(30000);
    const u = run(() => read(multinomial(nr.zeros([V]), 400000, 4))).values;
    let tail = 0;
    for (const i of u) if (i >= V - 100) tail++;
    // 100 of 50,000 outcomes: 800 expected, sd ~28 (TF.js's sum never reached 31 of them).
    expect(Math.abs(tail - 800)).toBeLessThan(150);
    expect(u.reduce((a, x) => Math.max(a, x), 0)).toBeGreaterThanOrEqual(V - 5);
  });

  it('multinomial errors', () => {
    expect(thrown(() => multinomial([1], 3, 1))).toMatchObject({ name: 'InvalidArgumentError', message: 'multinomial: logits must have at least 2 outcomes (its last axis), got shape [1]' });
    expect(thrown(() => multinomial(nr.zeros([2, 2, 2]), 3, 1))).toMatchObject({ message: 'multinomial: logits must have rank 1 [numOutcomes] or 2 [batch, numOutcomes], got shape [2,2,2]' });
    expect(thrown(() => multinomial([1, NaN], 3, 1))).toMatchObject({ message: 'multinomial: logits[1] is NaN; logits must be finite or -Infinity (an outcome of probability 0)' });
    expect(thrown(() => multinomial([[1, 2], [Infinity, 0]], 3, 1))).toMatchObject({ message: 'multinomial: logits[1][0] is Infinity; logits must be finite or -Infinity (an outcome of probability 0)' });
    expect(thrown(() => multinomial([[1, 2], [-Infinity, -Infinity]], 3, 1))).toMatchObject({ message: 'multinomial: row 1 of logits is -Infinity everywhere: no outcome has a probability above 0' });
    expect(thrown(() => multinomial([0.5, -0.1, 0.6], 3, 1, true))).toMatchObject({ message: 'multinomial: with normalized = true logits are probabilities and must be finite and >= 0, got logits[1] = -0.1' });
    expect(thrown(() => multinomial([1, 2], -1, 1))).toMatchObject({ message: 'multinomial: numSamples must be an integer in [0, 2147483647], got -1' });
    expect(thrown(() => multinomial([1, 2], 1.5, 1))).toMatchObject({ message: 'multinomial: numSamples must be an integer in [0, 2147483647], got 1.5' });
    expect(thrown(() => multinomial([1, 2], 3, 1, 1 as never))).toMatchObject({ message: 'multinomial: normalized must be true or false, got 1' });
    expect(thrown(() => multinomial([1, 2], 3, 0.5))).toMatchObject({ message: 'multinomial: seed must be an integer between 0 and 2^53, got 0.5' });
    expect(thrown(() => multinomial(nr.zeros([2 ** 15, 2]), 2 ** 15, 1))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^multinomial: out of memory allocating 4294967296 bytes: the result \[32768,32768\]/) });
  });
});

describe('movingAverage vs TF.js', () => {
  it('debiased and not, decay and step as numbers or scalar tensors, NaN/±Infinity in x', () => {
    let seed = 700;
    for (const shape of [[], [5], [3, 4], [2, 1, 3], [0, 2]]) {
      for (const [decay, step, debias] of [[0.9, 1, true], [0.99, 3, true], [0, 2, true], [0.5, 10.5, true], [0.9, undefined, false], [1, undefined, false], [0.999, 1000, true]] as Array<[number, number | undefined, boolean]>) {
        const v = uniform(seed++, sizeOf(shape), -3, 3);
        const x = withSpecials(uniform(seed++, sizeOf(shape), -3, 3));
        const want = readTf(tf.tidy(() => tf.movingAverage(tf.tensor(v, shape), tf.tensor(x, shape), decay, step, debias)));
        const what = `${JSON.stringify(shape)} decay ${decay} step ${step} ${debias}`;
        expectSame(run(() => read(movingAverage(nr.tensor(v, shape), nr.tensor(x, shape), decay, step, debias))), want, [1e-6, 1e-7], what);
        expectSame(run(() => read(movingAverage(nr.tensor(v, shape), nr.tensor(x, shape), nr.scalar(decay), step === undefined ? undefined : nr.scalar(step), debias))), want, [1e-6, 1e-7], `${what} (scalar tensors)`);
      }
    }
    expectSame(run(() => read(movingAverage([0, 0], [1, 2], 0.9, 1))), { shape: [2], values: Float32Array.from([1, 2]) }, [1e-6, 0]);
  });

  it('gradients vs tf.grads (v, x and a tensor decay)', () => {
    const v = uniform(800, 6, -2, 2);
    const x = uniform(801, 6, -2, 2);
    const dy = uniform(802, 6, -1, 1);
    for (const [step, debias] of [[3, true], [undefined, false]] as Array<[number | undefined, boolean]>) {
      const want = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.movingAverage(a, b, d as tf.Scalar, step, debias))([tf.tensor(v, [2, 3]), tf.tensor(x, [2, 3]), tf.scalar(0.8)], tf.tensor(dy, [2, 3])).map(readTf));
      const got = run(() => nr.grads((a, b, d) => movingAverage(a, b, d, step, debias))([nr.tensor(v, [2, 3]), nr.tensor(x, [2, 3]), nr.scalar(0.8)], nr.tensor(dy, [2, 3])).map(read));
      got.forEach((g, i) => expectSame(g, want[i], [1e-5, 1e-7], `movingAverage grad ${i} step ${step}`));
    }
  });

  it('errors: shapes, a missing step, decay and step out of range or not scalars', () => {
    const v = nr.zeros([2]);
    expect(thrown(() => movingAverage(v, [1, 2, 3], 0.9, 1))).toMatchObject({ name: 'ShapeError', message: 'movingAverage: v has shape [2] but x has shape [3]; they must be equal' });
    expect(thrown(() => movingAverage(v, [1, 2], 0.9))).toMatchObject({ name: 'InvalidArgumentError', message: 'movingAverage: step is required when zeroDebias is true (the number of updates so far, 1 for the first), got undefined' });
    expect(thrown(() => movingAverage(v, [1, 2], 1.5, 1))).toMatchObject({ message: 'movingAverage: decay must be a number in [0, 1], got 1.5' });
    expect(thrown(() => movingAverage(v, [1, 2], NaN, 1))).toMatchObject({ message: 'movingAverage: decay must be a number in [0, 1], got NaN' });
    expect(thrown(() => movingAverage(v, [1, 2], 0.9, 0))).toMatchObject({ message: 'movingAverage: step must be a finite number > 0 (the number of updates, 1 for the first), got 0' });
    // TF.js divides by zero there.
    expect(tf.tidy(() => Array.from(tf.movingAverage(tf.ones([2]), tf.zeros([2]), 0.9, 0).dataSync()))).toEqual([-Infinity, -Infinity]);
    expect(thrown(() => movingAverage(v, [1, 2], 1, 5))).toMatchObject({ message: 'movingAverage: decay must be below 1 when zeroDebias is true (1 − decay^step would be 0), got 1' });
    expect(thrown(() => movingAverage(v, [1, 2], nr.tensor([0.9]), 1))).toMatchObject({ message: 'movingAverage: decay must be a number or a scalar tensor, got a tensor of shape [1]' });
    expect(thrown(() => movingAverage(v, [1, 2], 0.9, 1, 'yes' as never))).toMatchObject({ message: 'movingAverage: zeroDebias must be true or false, got the string "yes"' });
    expect(thrown(() => movingAverage(v, [1, 2], '0.9' as never, 1))).toMatchObject({ message: 'movingAverage: decay must be a Tensor, a number or an array of numbers, got the string "0.9"' });
    v.dispose();
  });
});

/** A TF.js einsum made of transpose, reshape, mul and sum (TF.js 4.22 has no einsum gradient). */
function tfEinsumRef(equation: string, ...ts: tf.Tensor[]): tf.Tensor {
  const [lhs, out] = equation.split('->');
  const terms = lhs.split(',');
  const all = [...new Set([...out, ...terms.join('')])];
  const expanded = ts.map((t, i) => {
    const labels = [...terms[i]];
    const present = all.filter((l) => labels.includes(l));
    const moved = present.length > 1 ? tf.transpose(t, present.map((l) => labels.indexOf(l))) : t;
    return tf.reshape(moved, all.map((l) => (labels.includes(l) ? t.shape[labels.indexOf(l)] : 1)));
  });
  const prod = expanded.length === 2 ? tf.mul(expanded[0], expanded[1]) : expanded[0];
  const summed = all.map((l, i) => (out.includes(l) ? -1 : i)).filter((i) => i >= 0);
  const s = summed.length > 0 ? tf.sum(prod, summed) : prod;
  const kept = all.filter((l) => out.includes(l));
  return kept.length > 1 ? tf.transpose(s, [...out].map((l) => kept.indexOf(l))) : tf.reshape(s, s.shape);
}

describe('einsum vs TF.js', () => {
  // [equation, shapes]
  const cases: Array<[string, number[][]]> = [
    ['ij,jk->ik', [[3, 5], [5, 2]]],
    ['ij,jk->ki', [[1, 4], [4, 7]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['bij,bkj->bki', [[3, 1, 5], [3, 2, 5]]],
    ['i,j->ij', [[4], [3]]],
    ['i,i->', [[7], [7]]],
    ['ij,ij->ij', [[2, 3], [2, 3]]],
    ['ij,ij->', [[3, 3], [3, 3]]],
    ['ij->ji', [[2, 5]]],
    ['ij->i', [[3, 4]]],
    ['ijk->kij', [[2, 3, 4]]],
    ['ijk->j', [[2, 3, 4]]],
    ['ijk->', [[2, 3, 1]]],
    ['ij->ij', [[2, 2]]],
    ['ij,k->ijk', [[2, 3], [4]]],
    ['abc,cd->abd', [[2, 3, 4], [4, 5]]],
    ['abc,bd->cad', [[2, 3, 4], [3, 5]]],
    ['ijk,jl->il', [[2, 3, 4], [3, 5]]],
    ['bqd,bkd->bqk', [[2, 3, 4], [2, 5, 4]]],
    ['ij,jk->ik', [[3, 0], [0, 2]]],
    ['ij,jk->ik', [[0, 3], [3, 2]]],
    ['ij,jk->ik', [[2, 3], [3, 0]]],
    ['i,j->ij', [[0], [3]]],
    [',->', [[], []]],
    ['i,->i', [[3], []]],
    ['->', [[]]],
    ['Ab,bC->CA', [[2, 3], [3, 4]]],
  ];

  it('values on matmuls, batches, outer and dot products, reductions, transposes, odd and empty sizes', () => {
    let seed = 900;
    for (const [eq, shapes] of cases) {
      const xs = shapes.map((s) => uniform(seed++, sizeOf(s), -2, 2));
      const want = readTf(tf.tidy(() => tf.einsum(eq, ...xs.map((x, i) => tf.tensor(x, shapes[i])))));
      const got = run(() => read(einsum(eq, ...xs.map((x, i) => nr.tensor(x, shapes[i])))));
      expectSame(got, want, [1e-5, 1e-5], `einsum ${eq} ${JSON.stringify(shapes)}`);
      // The composition the gradients are checked against is TF.js's einsum too.
      const ref = readTf(tf.tidy(() => tfEinsumRef(eq, ...xs.map((x, i) => tf.tensor(x, shapes[i])))));
      expectSame(ref, want, [1e-5, 1e-5], `reference ${eq}`);
    }
    // Spaces are ignored; TensorLike operands.
    expectSame(run(() => read(einsum(' ij , jk -> ik ', [[1, 2]], [[3], [4]]))), { shape: [1, 1], values: Float32Array.from([11]) }, EXACT);
  });

  it('documented difference: labels summed in one input only, where TF.js 4.22 gives wrong shapes (checked against the composition)', () => {
    let seed = 950;
    for (const [eq, shapes, tfShape] of [['ij,jk->', [[3, 5], [5, 2]], [2]], ['ij,jk->k', [[3, 5], [5, 2]], [2, 5]], ['ij,k->', [[2, 3], [4]], [4]], ['ij,kj->', [[2, 3], [4, 3]], [4]], ['ij,kl->', [[2, 3], [4, 5]], [4, 5]]] as Array<[string, number[][], number[]]>) {
      const xs = shapes.map((s) => uniform(seed++, sizeOf(s), -2, 2));
      const want = readTf(tf.tidy(() => tfEinsumRef(eq, ...xs.map((x, i) => tf.tensor(x, shapes[i])))));
      expectSame(run(() => read(einsum(eq, ...xs.map((x, i) => nr.tensor(x, shapes[i]))))), want, [1e-5, 1e-5], `einsum ${eq}`);
      expect(readTf(tf.tidy(() => tf.einsum(eq, ...xs.map((x, i) => tf.tensor(x, shapes[i]))))).shape, `TF.js ${eq}`).toEqual(tfShape);
    }
  });

  it('NaN, ±Infinity, huge and tiny values propagate as in TF.js', () => {
    const a = Float32Array.from([1, Infinity, 2, 3, NaN, 1, -Infinity, 0, 1e30, 1e-30, 2, 3]);
    const b = Float32Array.from([0, 1, 2, 1e30, 1, 0, -1e-30, 2]);
    for (const [eq, sa, sb] of [['ij,jk->ik', [3, 4], [4, 2]], ['ij,j->i', [2, 4], [4]], ['i,j->ij', [12], [8]], ['ij,kj->ik', [6, 2], [4, 2]], ['ij,kj->ik', [3, 4], [2, 4]]] as Array<[string, number[], number[]]>) {
      const aa = a.slice(0, sizeOf(sa));
      const bb = b.slice(0, sizeOf(sb));
      const want = readTf(tf.tidy(() => tf.einsum(eq, tf.tensor(aa, sa), tf.tensor(bb, sb))));
      expectSame(run(() => read(einsum(eq, nr.tensor(aa, sa), nr.tensor(bb, sb)))), want, [1e-5, 1e-5], `specials ${eq}`);
    }
  });

  it('labels summed in one input only: every product formed when the other input is not finite (as TF.js), empty sums 0', () => {
    const cases: Array<[string, number[], number[], number[], number[]]> = [
      ['i,l->i', [1, Infinity, -2], [3], [2, -1], [2]],
      ['i,l->i', [0, 1], [2], [Infinity, 1], [2]],
      ['lj,->l', [-2, 1, Infinity, -Infinity, 2, 3], [3, 2], [Infinity], []],
      [',ijb->', [-Infinity], [], [], [4, 1, 0]],
      ['ij,kl->', [1, NaN, 2, 3], [2, 2], [1, 2], [1, 2]],
      ['ij,jk->k', [1, -1, 2, Infinity], [2, 2], [1, 2, 0, 3], [2, 2]],
      ['ij,jk->i', [2, 3, 4, 5], [2, 2], [Infinity, -Infinity, 1, 2], [2, 2]],
    ];
    for (const [eq, a, sa, b, sb] of cases) {
      const want = readTf(tf.tidy(() => tfEinsumRef(eq, tf.tensor(a, sa), tf.tensor(b, sb))));
      expectSame(run(() => read(einsum(eq, nr.tensor(a, sa), nr.tensor(b, sb)))), want, [1e-6, 1e-6], `einsum ${eq} ${JSON.stringify([a, b])}`);
    }
    // Σₗ ∞·yₗ over y = [2, −1] is ∞ − ∞ = NaN (not ∞·Σₗ yₗ = ∞).
    expect(Number.isNaN(run(() => read(einsum('i,l->i', [Infinity], [2, -1]))).values[0])).toBe(true);
    // With finite values the label is summed first: the same values, and its gradient.
    expectSame(run(() => read(einsum('ij,jk->k', [[1, 2], [3, 4]], [[1, 0], [0, 1]]))), { shape: [2], values: Float32Array.from([4, 6]) }, EXACT);
  });

  it('gradients vs tf.grads of the mul/sum/transpose composition, both operands', () => {
    let seed = 1000;
    for (const [eq, shapes] of cases) {
      const xs = shapes.map((s) => uniform(seed++, sizeOf(s), -2, 2));
      const ys = run(() => read(einsum(eq, ...xs.map((x, i) => nr.tensor(x, shapes[i]))))).shape;
      const dy = uniform(seed++, sizeOf(ys), -1, 1);
      const got = run(() => nr.grads((...ts: nr.Tensor[]) => einsum(eq, ...ts))(xs.map((x, i) => nr.tensor(x, shapes[i])), nr.tensor(dy, ys)).map(read));
      // TF.js's Multiply gradient fails on empty broadcast operands: there the gradient is 0 (or empty).
      const want = shapes.some((s) => sizeOf(s) === 0)
        ? shapes.map((s) => ({ shape: s, values: new Float32Array(sizeOf(s)) }))
        : tf.tidy(() => tf.grads((...ts: tf.Tensor[]) => tfEinsumRef(eq, ...ts))(xs.map((x, i) => tf.tensor(x, shapes[i])), tf.tensor(dy, ys)).map(readTf));
      got.forEach((g, i) => expectSame(g, want[i], [1e-5, 1e-5], `einsum grad ${eq} operand ${i}`));
    }
  });

  it('errors: the subset TF.js supports, tensor counts, ranks, label sizes', () => {
    const a = nr.ones([2, 3]);
    const b = nr.ones([3, 4]);
    expect(thrown(() => einsum('ij,jk', a, b))).toMatchObject({ name: 'InvalidArgumentError', message: "einsum: equation \"ij,jk\" has no '->'; the output labels must be given explicitly (e.g. 'ij,jk->ik')" });
    expect(thrown(() => einsum('ij->j->i', a))).toMatchObject({ message: "einsum: equation \"ij->j->i\" has more than one '->'" });
    expect(thrown(() => einsum('...ij->ij', a))).toMatchObject({ message: "einsum: equation \"...ij->ij\" uses an ellipsis ('...'), which is not supported (as TF.js); name every axis" });
    expect(thrown(() => einsum('ii->i', nr.ones([2, 2])))).toMatchObject({ message: "einsum: equation \"ii->i\" names label 'i' twice in input 0 ('ii'); repeated labels in one input (traces, diagonals) are not supported (as TF.js)" });
    expect(thrown(() => einsum('ij->ii', a))).toMatchObject({ message: "einsum: equation \"ij->ii\" names label 'i' twice in the output" });
    expect(thrown(() => einsum('ij->k', a))).toMatchObject({ message: "einsum: equation \"ij->k\" has output label 'k', which no input has" });
    expect(thrown(() => einsum('i,i,i->i', a, a, a))).toMatchObject({ message: 'einsum: equation "i,i,i->i" has 3 inputs; einsum supports one or two (as TF.js)' });
    expect(thrown(() => einsum('i1->i', a))).toMatchObject({ message: 'einsum: equation "i1->i" has "1" in input 0; labels are letters a-z and A-Z' });
    expect(thrown(() => einsum('ij,jk->ik', a))).toMatchObject({ message: 'einsum: the equation "ij,jk->ik" has 2 input(s) but 1 tensor(s) were given' });
    expect(thrown(() => einsum('ijk->ij', a))).toMatchObject({ message: "einsum: tensors[0] has rank 2 (shape [2,3]) but the equation names 3 axes for it ('ijk')" });
    expect(thrown(() => einsum('ij,jk->ik', a, nr.ones([4, 2])))).toMatchObject({ name: 'ShapeError', message: "einsum: label 'j' has size 3 in tensors[0] (shape [2,3]) but 4 in tensors[1] (shape [4,2])" });
    expect(thrown(() => einsum('ij,ij->ij', a, nr.ones([1, 3])))).toMatchObject({ name: 'ShapeError' });
    expect(thrown(() => einsum(5 as never, a))).toMatchObject({ message: "einsum: equation must be a string such as 'ij,jk->ik', got 5" });
    expect(thrown(() => einsum('i,j->ij', nr.zeros([40000]), nr.zeros([40000])))).toMatchObject({ name: 'OutOfMemoryError', message: expect.stringMatching(/^einsum: out of memory allocating 6400000000 bytes: the result shape \[40000,40000\]/) });
    expect(thrown(() => einsum('ij->ji', 'x' as never))).toMatchObject({ message: 'einsum: tensors[0] must be a Tensor, a number or an array of numbers, got the string "x"' });
    a.dispose();
    b.dispose();
  });
});

describe('memory: every op, and every failing op, leaves numHandles where it was', () => {
  it('successes and failures, TensorLike temporaries, inside grad', () => {
    const x4 = nr.ones([2, 2, 2, 4]);
    const calls: Array<[string, () => unknown, boolean]> = [
      ['depthToSpace', () => depthToSpace(x4, 2), false],
      ['depthToSpace bad (TensorLike temp)', () => depthToSpace([[[[1, 2, 3]]]], 2), true],
      ['spaceToBatchND', () => spaceToBatchND(x4, [2, 2], [[1, 1], [0, 0]]), false],
      ['spaceToBatchND bad', () => spaceToBatchND([[[1]]], [2], [[0, 0]]), true],
      ['batchToSpaceND', () => batchToSpaceND(x4, [2], [[1, 1]]), false],
      ['batchToSpaceND bad crops', () => batchToSpaceND(x4, [2], [[3, 2]]), true],
      ['LRN', () => localResponseNormalization(x4, 2), false],
      ['LRN rank 3', () => localResponseNormalization([[[1, 2, 3]]], 7), false],
      ['LRN bad', () => localResponseNormalization([[1, 2]]), true],
      ['dropout', () => dropout(x4, 0.5, [2, 1, 1, 4], 3), false],
      ['dropout unseeded', () => dropout([1, 2, 3], 0.5), false],
      ['dropout bad noiseShape', () => dropout([1, 2, 3], 0.5, [2]), true],
      ['randomStandardNormal', () => randomStandardNormal([3], 'float32', 1), false],
      ['randomUniformInt', () => randomUniformInt([3], 0, 5, 1), false],
      ['randomUniformInt bad', () => randomUniformInt([3], 5, 0, 1), true],
      ['multinomial', () => multinomial([[1, 2], [3, 4]], 5, 1), false],
      ['multinomial normalized', () => multinomial([0.5, 0.5], 5, 1, true), false],
      ['multinomial bad values (TensorLike temp)', () => multinomial([1, NaN], 5, 1), true],
      ['movingAverage', () => movingAverage([1, 2], [3, 4], 0.9, 2), false],
      ['movingAverage bad decay (temps)', () => movingAverage([1, 2], [3, 4], [0.9] as never, 2), true],
      ['einsum', () => einsum('bij,bjk->bik', x4.reshape([4, 2, 4]), nr.ones([4, 4, 3])), false],
      ['einsum one operand', () => einsum('ijkl->lk', x4), false],
      ['einsum bad sizes', () => einsum('ij,jk->ik', [[1, 2]], [[1, 2]]), true],
      ['grad LRN', () => nr.grad((t) => localResponseNormalization(t, 1))(x4), false],
      ['grad einsum', () => nr.grads((a, b) => einsum('ij,jk->ik', a, b))([nr.ones([2, 3]), nr.ones([3, 2])]), false],
      ['grad spaceToBatchND', () => nr.grad((t) => spaceToBatchND(t, [2], [[0, 0]]))(x4), false],
      ['grad throwing inside', () => nr.grad((t) => einsum('ij->ji', t))(x4), true],
    ];
    for (const [name, f, throws] of calls) {
      const err = noHandleLeak(f);
      if (throws) expect(err, name).toBeInstanceOf(nr.NeuriteError);
      else expect(err, name).toBeUndefined();
    }
    x4.dispose();
  });
});
