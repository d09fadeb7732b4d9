// Every exported tensor op under `grad` (issue 7, item 3): each op either has a gradient that
// matches central finite differences, is a constant by definition (its gradient is zero, as in
// TF.js), or has no gradient rule and makes `grad` throw an error naming it when a source flows
// through it. A new export that is in none of the lists below fails the first test.
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

type T = nr.Tensor;
interface Diff {
  /** Input shapes; every input is differentiated. */
  shapes: number[][];
  /** Input range; inputs are kept at least 0.1 away from 0 when the range crosses it. */
  range?: [number, number];
  /** Fixed inputs instead of random ones (to stay away from ties). */
  inputs?: number[][];
  f: (...xs: T[]) => T;
}

const c = (v: number[], s?: number[]) => nr.tensor(v, s);

/** Two inputs at least 0.3 apart element-wise (maximum/minimum have a kink at ties). */
const TIE_FREE = [
  [0.5, -0.3, 0.9, -0.8, 0.2, 0.6],
  [0.1, 0.4, -0.5, 0.7, 0.8, -0.2],
];

/** Ops with a gradient, checked against finite differences. */
const DIFFERENTIABLE: Record<string, Diff> = {
  add: { shapes: [[2, 3], [3]], f: (a, b) => nr.add(a, b) },
  sub: { shapes: [[2, 3], [2, 1]], f: (a, b) => nr.sub(a, b) },
  mul: { shapes: [[2, 3], [3]], f: (a, b) => nr.mul(a, b) },
  div: { shapes: [[2, 3], [3]], range: [0.5, 2], f: (a, b) => nr.div(a, b) },
  pow: { shapes: [[2, 3], [3]], range: [0.5, 1.5], f: (a, b) => nr.pow(a, b) },
  maximum: { shapes: [[2, 3], [2, 3]], inputs: TIE_FREE, f: (a, b) => nr.maximum(a, b) },
  minimum: { shapes: [[2, 3], [2, 3]], inputs: TIE_FREE, f: (a, b) => nr.minimum(a, b) },
  neg: { shapes: [[4]], f: (x) => nr.neg(x) },
  abs: { shapes: [[4]], f: (x) => nr.abs(x) },
  exp: { shapes: [[4]], f: (x) => nr.exp(x) },
  log: { shapes: [[4]], range: [0.5, 2], f: (x) => nr.log(x) },
  sqrt: { shapes: [[4]], range: [0.5, 2], f: (x) => nr.sqrt(x) },
  square: { shapes: [[4]], f: (x) => nr.square(x) },
  reciprocal: { shapes: [[4]], range: [0.5, 2], f: (x) => nr.reciprocal(x) },
  log1p: { shapes: [[4]], range: [0.1, 2], f: (x) => nr.log1p(x) },
  expm1: { shapes: [[4]], f: (x) => nr.expm1(x) },
  sin: { shapes: [[4]], f: (x) => nr.sin(x) },
  cos: { shapes: [[4]], f: (x) => nr.cos(x) },
  tan: { shapes: [[4]], range: [-1.2, 1.2], f: (x) => nr.tan(x) },
  asin: { shapes: [[4]], range: [-0.8, 0.8], f: (x) => nr.asin(x) },
  acos: { shapes: [[4]], range: [-0.8, 0.8], f: (x) => nr.acos(x) },
  atan: { shapes: [[4]], range: [-3, 3], f: (x) => nr.atan(x) },
  sinh: { shapes: [[4]], range: [-2, 2], f: (x) => nr.sinh(x) },
  cosh: { shapes: [[4]], range: [-2, 2], f: (x) => nr.cosh(x) },
  asinh: { shapes: [[4]], range: [-3, 3], f: (x) => nr.asinh(x) },
  acosh: { shapes: [[4]], range: [1.2, 3], f: (x) => nr.acosh(x) },
  atanh: { shapes: [[4]], range: [-0.8, 0.8], f: (x) => nr.atanh(x) },
  erf: { shapes: [[4]], range: [-2, 2], f: (x) => nr.erf(x) },
  rsqrt: { shapes: [[4]], range: [0.5, 2], f: (x) => nr.rsqrt(x) },
  atan2: { shapes: [[2, 3], [3]], f: (a, b) => nr.atan2(a, b) },
  // Inputs away from the jumps of mod (where a / b is an integer).
  mod: { shapes: [[2, 3], [2, 3]], inputs: [[0.7, 1.3, -2.1, 0.4, 1.9, -0.9], [1.1, 0.6, 1.7, -0.3, -0.7, 0.4]], f: (a, b) => nr.mod(a, b) },
  sum: { shapes: [[2, 3]], f: (x) => nr.sum(x, 1) },
  mean: { shapes: [[2, 3]], f: (x) => nr.mean(x, 0) },
  max: { shapes: [[2, 3]], f: (x) => nr.max(x, 1) },
  min: { shapes: [[2, 3]], f: (x) => nr.min(x, 1) },
  prod: { shapes: [[2, 3]], f: (x) => nr.prod(x, 1) },
  variance: { shapes: [[2, 3]], f: (x) => nr.variance(x, 1) },
  moments: { shapes: [[2, 3]], f: (x) => { const m = nr.moments(x, 1); return nr.add(m.mean, m.variance); } },
  clipByValue: { shapes: [[6]], f: (x) => nr.clipByValue(x, -0.5, 0.5) },
  where: { shapes: [[4], [4]], f: (a, b) => nr.where(c([1, 0, 0, 1]), a, b) },
  matMul: { shapes: [[2, 3], [3, 2]], f: (a, b) => nr.matMul(a, b) },
  dot: { shapes: [[3], [3, 2]], f: (a, b) => nr.dot(a, b) },
  outerProduct: { shapes: [[3], [2]], f: (a, b) => nr.outerProduct(a, b) },
  reshape: { shapes: [[2, 3]], f: (x) => nr.reshape(x, [3, 2]) },
  transpose: { shapes: [[2, 3]], f: (x) => nr.transpose(x) },
  squeeze: { shapes: [[1, 3]], f: (x) => nr.squeeze(x) },
  expandDims: { shapes: [[3]], f: (x) => nr.expandDims(x, 1) },
  slice: { shapes: [[3, 3]], f: (x) => nr.slice(x, [1, 0], [2, 2]) },
  split: { shapes: [[4, 2]], f: (x) => { const [a, b, d] = nr.split(x, [1, 2, 1]); return nr.concat([b, a.mul(2), d.mul(3)]); } },
  gather: { shapes: [[3, 2]], f: (x) => nr.gather(x, [2, 0, 2]) },
  concat: { shapes: [[2, 2], [1, 2]], f: (a, b) => nr.concat([a, b, a]) },
  stack: { shapes: [[3], [3]], f: (a, b) => nr.stack([a, b], 1) },
  tile: { shapes: [[2, 1]], f: (x) => nr.tile(x, [2, 3]) },
  reverse: { shapes: [[2, 3]], f: (x) => nr.reverse(x, [1]) },
  pad: { shapes: [[2, 3]], f: (x) => nr.pad(x, [[1, 0], [2, 1]], 0.5) },
  cumsum: { shapes: [[2, 3]], f: (x) => nr.cumsum(x, 1, true, true) },
  topk: { shapes: [[2, 4]], f: (x) => nr.topk(x, 2).values },
  conv2d: { shapes: [[2, 4, 3, 2], [2, 2, 2, 3]], f: (x, w) => nr.conv2d(x, w, [2, 1], 'same', 'NHWC', 1) },
  conv1d: { shapes: [[2, 5, 3], [2, 3, 2]], f: (x, w) => nr.conv1d(x, w, 2, 'same', 'NWC', 1) },
  // Dilated (TF.js 4.22 has no gradient there; the undilated ones are checked against tf.grads
  // in test/depthwise-conv.test.ts).
  depthwiseConv2d: { shapes: [[1, 5, 4, 2], [2, 2, 2, 2]], f: (x, w) => nr.depthwiseConv2d(x, w, 1, 'same', 'NHWC', 2) },
  separableConv2d: { shapes: [[1, 4, 4, 2], [2, 2, 2, 2], [1, 1, 4, 3]], f: (x, d, p) => nr.separableConv2d(x, d, p, 1, 'valid', 2) },
  conv2dTranspose: { shapes: [[2, 2, 3, 2], [3, 2, 1, 2]], f: (x, w) => nr.conv2dTranspose(x, w, [2, 5, 6, 1], 2, 'valid') },
  conv1dTranspose: { shapes: [[2, 3, 2], [3, 2, 2]], f: (x, w) => nr.conv1dTranspose(x, w, [2, 7, 2], 2, 'valid') },
  avgPool: { shapes: [[1, 3, 4, 2]], f: (x) => nr.avgPool(x, 2, 1, 'same') },
  // Distinct values, so no window ties (max has a kink there).
  maxPool: { shapes: [[3, 3, 2]], inputs: [[0.1, -0.5, 0.9, 0.3, -0.2, 0.7, 0.45, -0.9, 0.05, 0.6, 0.8, -0.35, 0.25, 0.5, -0.7, 0.15, 0.35, -0.1]], f: (x) => nr.maxPool(x, 2, 1, 'valid') },
  // image.* (also Tensor methods): linear in the image, for every option.
  resizeBilinear: { shapes: [[1, 3, 2, 2]], f: (x) => nr.image.resizeBilinear(x, [4, 5], false, true) },
  resizeNearestNeighbor: { shapes: [[3, 4, 1]], f: (x) => nr.image.resizeNearestNeighbor(x, [5, 2], true) },
  flipLeftRight: { shapes: [[2, 2, 3, 1]], f: (x) => nr.image.flipLeftRight(x) },
  rgbToGrayscale: { shapes: [[2, 2, 3]], f: (x) => nr.image.rgbToGrayscale(x) },
  grayscaleToRGB: { shapes: [[3, 1]], f: (x) => nr.image.grayscaleToRGB(x) },
  // linalg.*: bandPart's mask (one rule, the core's), gramSchmidt through its parts.
  bandPart: { shapes: [[2, 3, 4]], f: (x) => nr.linalg.bandPart(x, 1, 0) },
  gramSchmidt: { shapes: [[2, 3]], f: (x) => nr.linalg.gramSchmidt(x) },
  mirrorPad: { shapes: [[3, 2]], f: (x) => nr.mirrorPad(x, [[2, 1], [1, 0]], 'reflect') },
  clone: { shapes: [[3]], f: (x) => nr.clone(x) },
  cast: { shapes: [[3]], f: (x) => nr.cast(x, 'float32') },
  activation: { shapes: [[4]], f: (x) => nr.activation(x, 'tanh') },
  relu: { shapes: [[6]], f: (x) => nr.relu(x) },
  leakyRelu: { shapes: [[6]], f: (x) => nr.leakyRelu(x, { alpha: 0.3 }) },
  prelu: { shapes: [[2, 3], [3]], f: (x, a) => nr.prelu(x, a) },
  softplus: { shapes: [[4]], f: (x) => nr.softplus(x) },
  sigmoid: { shapes: [[4]], f: (x) => nr.sigmoid(x) },
  tanh: { shapes: [[4]], f: (x) => nr.tanh(x) },
  softmax: { shapes: [[2, 3]], f: (x) => nr.softmax(x) },
  logSoftmax: { shapes: [[2, 3]], f: (x) => nr.logSoftmax(x) },
  elu: { shapes: [[6]], f: (x) => nr.elu(x) },
  selu: { shapes: [[6]], f: (x) => nr.selu(x) },
  gelu: { shapes: [[6]], f: (x) => nr.gelu(x) },
  swish: { shapes: [[6]], f: (x) => nr.swish(x) },
  silu: { shapes: [[6]], f: (x) => nr.silu(x) },
  hardSigmoid: { shapes: [[6]], range: [-2, 2], f: (x) => nr.hardSigmoid(x) },
  softsign: { shapes: [[6]], f: (x) => nr.softsign(x) },
  mish: { shapes: [[6]], range: [-3, 3], f: (x) => nr.mish(x) },
  geluNew: { shapes: [[6]], range: [-3, 3], f: (x) => nr.geluNew(x) },
  // Away from the kinks at ±3 (where Keras's one-sided values are tested in test/keras-hard-silu-dice.test.ts).
  hardSilu: { shapes: [[6]], inputs: [[-4, -2.5, -0.7, 0.4, 2.2, 4.5]], f: (x) => nr.hardSilu(x) },
  linear: { shapes: [[4]], f: (x) => nr.linear(x, { slope: 2, intercept: 1 }) },
  // Ops composed in TypeScript (ts/ops/logsumexp.ts, norm.ts, arithmetic.ts, …); see
  // test/composite-ops.test.ts for their TF.js comparisons.
  logSumExp: { shapes: [[2, 3]], f: (x) => nr.logSumExp(x, -1, true) },
  logSigmoid: { shapes: [[6]], range: [-4, 4], f: (x) => nr.logSigmoid(x) },
  relu6: { shapes: [[6]], inputs: [[-1, 0.5, 2, 5.5, 6.5, 3]], f: (x) => nr.relu6(x) },
  cappedRelu: { shapes: [[6]], inputs: [[-1, 0.5, 1.2, 1.4, 1.7, 3]], f: (x) => nr.cappedRelu(x, { maxValue: 1.5 }) },
  norm: { shapes: [[2, 3]], f: (x) => nr.add(nr.norm(x), nr.norm(x, 1, [1, 0])) },
  euclideanNorm: { shapes: [[2, 3]], f: (x) => nr.euclideanNorm(x, 0) },
  addN: { shapes: [[2, 3], [2, 3], [2, 3]], f: (a, b, d) => nr.addN([a, b.mul(2), d, a]) },
  squaredDifference: { shapes: [[2, 3], [3]], f: (a, b) => nr.squaredDifference(a, b) },
  divNoNan: { shapes: [[2, 3], [3]], range: [0.5, 2], f: (a, b) => nr.divNoNan(a, b) },
  unstack: { shapes: [[2, 3]], f: (x) => { const [a, b, d] = nr.unstack(x, 1); return nr.stack([d, a.mul(2), b]); } },
  broadcastTo: { shapes: [[3, 1]], f: (x) => nr.broadcastTo(x, [2, 3, 4]) },
  diag: { shapes: [[2, 2]], f: (x) => nr.diag(x) },
  meshgrid: { shapes: [[3], [2]], f: (a, b) => { const [p, q] = nr.meshgrid(a, b); return nr.add(p, q.mul(3)); } },
  // TF.js ports (ts/ops/*.ts). cumprod is multilinear, so central differences are exact also at
  // the zeros its gradient must handle (a product with a zero in it).
  cumprod: { shapes: [[2, 4]], inputs: [[0.5, 0, 1.2, -0.7, 0.9, -1.1, 0, 0]], f: (x) => nr.concat([nr.cumprod(x, 1), nr.cumprod(x, 1, true, true), nr.cumprod(x, -1, false, true)]) },
  // Row 1 is dropped (id −1), row 3 too (id 3 ≥ numSegments); segment 2 is empty; rows 0 and 2 share segment 1.
  unsortedSegmentSum: { shapes: [[4, 2]], f: (x) => nr.unsortedSegmentSum(x, c([1, -1, 1, 2]), 3) },
  // W.r.t. updates; index 0 is listed twice (its updates add up), row 1 and 3 of the output get none.
  scatterND: { shapes: [[3, 2]], f: (u) => nr.scatterND(c([0, 2, 0], [3, 1]), u, [4, 2]) },
  // Index 1 is listed twice: the last update wins, so the first gets no gradient; tensor's rows 1 and 3 get none.
  tensorScatterUpdate: { shapes: [[4, 2], [3, 2]], f: (t, u) => nr.tensorScatterUpdate(t, c([1, 3, 1], [3, 1]), u) },
  // W.r.t. sparseValues and defaultValue; [0, 1] is listed twice (the last value wins).
  sparseToDense: { shapes: [[3], []], f: (v, d) => nr.sparseToDense(c([0, 1, 2, 0, 0, 1], [3, 2]), v, [3, 2], d) },
  // The tuple [1, 0] is picked twice (both dy slices add up); x[0, *] is never picked.
  gatherND: { shapes: [[3, 2, 2]], f: (x) => nr.gatherND(x, c([1, 0, 2, 1, 1, 0], [3, 2])) },
  // Backwards with step 2 on axis 0 and step 2 on axis 1; then a shrunk axis with a new axis after an ellipsis.
  stridedSlice: { shapes: [[4, 5]], f: (x) => nr.concat([nr.reshape(nr.stridedSlice(x, [3, 0], [0, 5], [-2, 2]), [-1]), nr.reshape(nr.stridedSlice(x, [0, 1, 0], [0, 4, 0], [1, 2, 1], 0, 0, 1, 4, 0), [-1]), nr.stridedSlice(x, [2], [3], [1], 0, 0, 0, 0, 1)]) },
  depthToSpace: { shapes: [[2, 2, 1, 8]], f: (x) => nr.depthToSpace(x, 2) },
  spaceToBatchND: { shapes: [[2, 3, 2, 2]], f: (x) => nr.spaceToBatchND(x, [2, 2], [[1, 0], [0, 2]]) },
  batchToSpaceND: { shapes: [[4, 2, 2, 1]], f: (x) => nr.batchToSpaceND(x, [2, 2], [[1, 0], [0, 3]]) },
  // alpha 1 so the normalisation, not only the division, shapes the gradient; rank 3 and rank 4.
  localResponseNormalization: { shapes: [[1, 2, 1, 5], [2, 1, 6]], f: (x, y) => nr.concat([nr.reshape(nr.localResponseNormalization(x, 2, 1, 1, 0.75), [-1]), nr.reshape(nr.localResponseNormalization(y, 1, 0.5, 2, 0.5), [-1])]) },
  // W.r.t. x, mean, variance, offset and scale (variance ≥ 0.2: away from the pole at −ε); rank-1
  // parameters, x's shape, size-1 axes, and offset/scale left out (TF.js 4.22's gradient throws there).
  batchNorm: { shapes: [[2, 3], [3], [3], [3], [3]], range: [0.2, 1.5], f: (x, m, v, o, s) => nr.batchNorm(x, m, v, o, s, 0.01) },
  batchNorm2d: { shapes: [[2, 3], [2, 3], [2, 3], [2, 3], [2, 3]], range: [0.2, 1.5], f: (x, m, v, o, s) => nr.batchNorm2d(x, m, v, o, s) },
  batchNorm3d: { shapes: [[2, 1, 3], [3], [3]], range: [0.2, 1.5], f: (x, m, v) => nr.batchNorm3d(x, m, v, null, null, 0.1) },
  batchNorm4d: { shapes: [[1, 2, 2, 2], [1, 1, 1, 2], [1, 1, 1, 2], [1, 1, 1, 2], [1, 2, 1, 2]], range: [0.2, 1.5], f: (x, m, v, o, s) => nr.batchNorm4d(x, m, v, o, s) },
  // Max and avg, dilated ('same' pools the padding's zeros, 'valid') and strided. Distinct values
  // 0.045 and 0.03 apart, none within 0.02 of 0 (max has a kink at ties, also with a padding zero).
  pool: {
    shapes: [[1, 5, 4, 2], [5, 4, 3]],
    inputs: [Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) * 0.045 - 0.8775), Array.from({ length: 60 }, (_, i) => ((i * 23) % 60) * 0.03 - 0.885)],
    f: (x, y) => nr.concat([nr.pool(x, 2, 'max', 'same', 2), nr.pool(x, [1, 2], 'avg', 'same', [1, 2]), nr.pool(x, [2, 1], 'max', 'valid', [2, 1])].map((t) => nr.reshape(t, [-1])).concat([nr.pool(y, [2, 2], 'avg', 'valid', [2, 1]), nr.pool(y, 2, 'max', 'valid', 1, 2), y.pool(3, 'avg', 'same', 2)].map((t) => nr.reshape(t, [-1])))),
  },
  // A fixed seed gives the same mask at every evaluation (it drops 3 of the 8 entries).
  dropout: { shapes: [[2, 4]], f: (x) => nr.dropout(x, 0.5, undefined, 3) },
  // W.r.t. v, x and a tensor decay (inputs in [0.2, 0.8]: decay must be in [0, 1)); debiased and not.
  movingAverage: { shapes: [[3], [3], []], range: [0.2, 0.8], f: (v, x, d) => nr.concat([nr.movingAverage(v, x, d, 3), nr.movingAverage(v, x, d, null, false)]) },
  // A label summed in one input only (i: folded before the product), a contracted one (j), and a transpose.
  einsum: { shapes: [[2, 3], [3, 4]], f: (a, b) => nr.concat([nr.einsum('ij,jk->k', a, b), nr.reshape(nr.einsum('ij,jk->ki', a, b), [-1]), nr.reshape(nr.einsum('ij->ji', a), [-1])]) },
  slice1d: { shapes: [[5]], f: (x) => nr.slice1d(x, 1, 3) },
  slice2d: { shapes: [[3, 4]], f: (x) => nr.slice2d(x, [1, 1], [2, -1]) },
  slice3d: { shapes: [[2, 3, 2]], f: (x) => nr.slice3d(x, [1, 0, 1], [1, 2, 1]) },
  slice4d: { shapes: [[2, 2, 3, 2]], f: (x) => nr.slice4d(x, [0, 1, 1, 0], [2, 1, 2, 1]) },
  reverse1d: { shapes: [[4]], f: (x) => nr.reverse1d(x) },
  reverse2d: { shapes: [[2, 3]], f: (x) => nr.reverse2d(x, 1) },
  reverse3d: { shapes: [[2, 3, 2]], f: (x) => nr.reverse3d(x, [0, 2]) },
  reverse4d: { shapes: [[2, 1, 3, 2]], f: (x) => nr.reverse4d(x) },
  pad1d: { shapes: [[3]], f: (x) => nr.pad1d(x, [2, 1], 0.5) },
  pad2d: { shapes: [[2, 3]], f: (x) => nr.pad2d(x, [[1, 0], [0, 2]]) },
  pad3d: { shapes: [[2, 1, 2]], f: (x) => nr.pad3d(x, [[0, 1], [1, 1], [0, 0]], -1) },
  pad4d: { shapes: [[1, 2, 2, 1]], f: (x) => nr.pad4d(x, [[0, 0], [1, 0], [0, 1], [1, 1]]) },
  concat1d: { shapes: [[3], [2]], f: (a, b) => nr.concat1d([a, b, a]) },
  concat2d: { shapes: [[2, 2], [2, 1]], f: (a, b) => nr.concat2d([a, b.mul(2), a], 1) },
  concat3d: { shapes: [[1, 2, 2], [2, 2, 2]], f: (a, b) => nr.concat3d([b, a], 0) },
  concat4d: { shapes: [[1, 2, 1, 2], [1, 2, 2, 2]], f: (a, b) => nr.concat4d([a, b, a.mul(3)], 2) },
  // TF.js's utilities for ported code (test/porting-utils.test.ts compares them with TF.js):
  // ensureShape returns its input; frame is pad + gather (overlapping frames, a padded end,
  // and whole frames only); maxPoolWithArgmax's result is maxPool (distinct values: no ties).
  ensureShape: { shapes: [[2, 3]], f: (x) => nr.ensureShape(x, [null, 3]) },
  frame: { shapes: [[7]], f: (x) => nr.concat([nr.reshape(nr.signal.frame(x, 3, 2, true, 0.5), [-1]), nr.reshape(nr.signal.frame(x, 2, 3), [-1])]) },
  // The classic RBF design matrix: under grad it is composed of the ops above (the rbf layer's
  // derivatives; test/rbf-classic.test.ts compares them with the layer's), w.r.t. x, the
  // centers and the widths (kept positive), for every kernel.
  rbfFeatures: {
    shapes: [[3, 2], [2, 2], [2]],
    inputs: [[0.3, -0.2, 0.9, 0.5, -0.7, 0.1], [0, 0.4, 1, -0.5], [0.8, 1.4]],
    f: (x, cs, w) => nr.concat(['gaussian', 'multiquadric', 'inverseMultiquadric'].map((kernel) => nr.rbfFeatures(x, cs, w, { kernel: kernel as nr.RbfKernelName })), 1),
  },
  maxPoolWithArgmax: { shapes: [[3, 3, 2]], inputs: [[0.1, -0.5, 0.9, 0.3, -0.2, 0.7, 0.45, -0.9, 0.05, 0.6, 0.8, -0.35, 0.25, 0.5, -0.7, 0.15, 0.35, -0.1]], f: (x) => nr.maxPoolWithArgmax(x, 2, 1, 'same', true).result },
};

/** Losses, differentiated with respect to `yPred` (`yTrue` is a constant). */
const LOSSES: Record<string, Diff> = {
  // Both forms: neurite's (the Rust kernel) and TF.js's (weights, a reduction).
  meanSquaredError: { shapes: [[2, 3]], f: (p) => nr.add(nr.losses.meanSquaredError(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p), nr.losses.meanSquaredError(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p, c([1, 0, 2], [3]), nr.Reduction.SUM)) },
  meanAbsoluteError: { shapes: [[2, 3]], range: [1.2, 2], f: (p) => nr.losses.meanAbsoluteError(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p) },
  huber: { shapes: [[2, 3]], f: (p) => nr.losses.huber(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p, { delta: 0.5 }) },
  binaryCrossentropy: { shapes: [[2, 3]], range: [0.2, 0.8], f: (p) => nr.losses.binaryCrossentropy(c([0, 1, 1, 0, 1, 0], [2, 3]), p) },
  categoricalCrossentropy: { shapes: [[2, 3]], range: [0.2, 0.8], f: (p) => nr.losses.categoricalCrossentropy(c([0, 1, 0, 0.3, 0.3, 0.4], [2, 3]), p) },
  sparseCategoricalCrossentropy: { shapes: [[2, 3]], f: (p) => nr.losses.sparseCategoricalCrossentropy(c([2, 0], [2]), p, { fromLogits: true }) },
  kullbackLeiblerDivergence: { shapes: [[2, 3]], range: [0.2, 0.8], f: (p) => nr.losses.kullbackLeiblerDivergence(c([0.2, 0.5, 0.3, 0.1, 0.1, 0.8], [2, 3]), p) },
  hinge: { shapes: [[2, 3]], range: [-0.8, 0.8], f: (p) => nr.losses.hinge(c([1, -1, 1, -1, 1, -1], [2, 3]), p) },
  meanAbsolutePercentageError: { shapes: [[2, 3]], range: [1.2, 2], f: (p) => nr.losses.meanAbsolutePercentageError(c([0.1, -0.5, 0.9, 2, 0.3, 0.4], [2, 3]), p) },
  meanSquaredLogarithmicError: { shapes: [[2, 3]], range: [0.2, 2], f: (p) => nr.losses.meanSquaredLogarithmicError(c([0.1, -0.5, 0.9, 0, 3, 0.4], [2, 3]), p) },
  logcosh: { shapes: [[2, 3]], range: [-2, 2], f: (p) => nr.losses.logcosh(c([0.1, -0.5, 0.9, 0, 3, 0.4], [2, 3]), p, { reduction: 'none' }) },
  poisson: { shapes: [[2, 3]], range: [0.2, 3], f: (p) => nr.losses.poisson(c([1, 0, 3, 2, -1, 0.5], [2, 3]), p) },
  squaredHinge: { shapes: [[2, 3]], range: [-0.8, 0.8], f: (p) => nr.losses.squaredHinge(c([1, 0, 1, 0, 1, 0], [2, 3]), p, { reduction: 'sumOverFeatures' }) },
  categoricalHinge: { shapes: [[2, 3]], inputs: [[0.3, -0.2, 0.9, 0.5, -0.7, 0.1]], f: (p) => nr.losses.categoricalHinge(c([0, 1, 0, 0.2, 0.3, 0.5], [2, 3]), p) },
  cosineProximity: { shapes: [[2, 3]], f: (p) => nr.losses.cosineProximity(c([0.1, 0.5, -0.9, 0, 0, 0], [2, 3]), p) },
  dice: { shapes: [[2, 3]], range: [0.1, 0.9], f: (p) => nr.losses.dice(c([0, 1, 1, 0, 1, 0.5], [2, 3]), p) },
  // TF.js's tf.losses forms (ts/weighted_losses.ts), composed of the ops above; test/losses-tfjs.test.ts
  // compares them with TF.js. Weights with zeros, every reduction; w.r.t. the predictions/logits.
  computeWeightedLoss: { shapes: [[2, 3]], f: (l) => nr.add(nr.losses.computeWeightedLoss(l, c([1, 0, 2], [3])), nr.losses.computeWeightedLoss(l, c([0.5, 2], [2, 1]), nr.Reduction.MEAN)) },
  absoluteDifference: { shapes: [[2, 3]], range: [1.2, 2], f: (p) => nr.losses.absoluteDifference(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p, c([1, 0.5], [2, 1]), nr.Reduction.SUM) },
  cosineDistance: { shapes: [[2, 3]], f: (p) => nr.losses.cosineDistance(c([0.6, 0, 0.8, 0, 1, 0], [2, 3]), p, 1, c([2, 1], [2, 1]), nr.Reduction.NONE) },
  hingeLoss: { shapes: [[2, 3]], range: [-0.8, 0.8], f: (p) => nr.losses.hingeLoss(c([1, 0, 1, 0, 1, 0], [2, 3]), p, c([1, 0, 2], [3])) },
  huberLoss: { shapes: [[2, 3]], f: (p) => nr.losses.huberLoss(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p, 2, 0.5, nr.Reduction.MEAN) },
  logLoss: { shapes: [[2, 3]], range: [0.2, 0.8], f: (p) => nr.losses.logLoss(c([0, 1, 0.3, 0, 1, 0.5], [2, 3]), p, null, 1e-3) },
  // x = 0 included: the gradient there is σ(0) − z (as TF.js's).
  sigmoidCrossEntropy: { shapes: [[2, 3]], inputs: [[0, -0.5, 2, 0.3, -1.7, 0]], f: (p) => nr.losses.sigmoidCrossEntropy(c([0, 1, 0.3, 0, 1, 0.5], [2, 3]), p, c([1, 3, 0], [3]), 0.1, nr.Reduction.SUM) },
  // Rows of labels summing to 1: there TF.js's gradient (softmax − labels) is the derivative.
  softmaxCrossEntropy: { shapes: [[2, 3]], range: [-2, 2], f: (p) => nr.losses.softmaxCrossEntropy(c([0, 1, 0, 0.3, 0.3, 0.4], [2, 3]), p, c([1, 2]), 0.1, nr.Reduction.MEAN) },
};

/**
 * The Keras-form losses differentiated w.r.t. `yTrue` and `yPred` at once (a target may be
 * another network's output, as in TF.js where losses are made of ops). The hinges' targets must be
 * ±1 or 0/1, so finite differences cannot move them (test/losses-ported.test.ts checks squaredHinge's): test/losses-per-sample.test.ts compares
 * its target gradient with TF.js's; sparse targets are class indices, without a gradient.
 */
const T6 = [0.15, 0.55, 0.85, 0.3, 0.65, 0.4];
const LOSS_TARGETS: Record<string, Diff> = {
  meanSquaredError: { shapes: [[2, 3], [2, 3]], f: (t, p) => nr.losses.meanSquaredError(t, p, { reduction: 'sumOverFeatures' }) },
  meanAbsoluteError: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.meanAbsoluteError(t, p) },
  huber: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.5]], f: (t, p) => nr.losses.huber(t, p, { delta: 0.3, reduction: 'none' }) },
  binaryCrossentropy: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.3, 0.7, 0.4, 0.6, 0.2, 0.5]], f: (t, p) => nr.add(nr.losses.binaryCrossentropy(t, p, { labelSmoothing: 0.2 }), nr.losses.binaryCrossentropy(t, p, { fromLogits: true, reduction: 'none' }).sum()) },
  categoricalCrossentropy: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.3, 0.7, 0.4, 0.6, 0.2, 0.5]], f: (t, p) => nr.add(nr.losses.categoricalCrossentropy(t, p), nr.losses.categoricalCrossentropy(t, p, { fromLogits: true, labelSmoothing: 0.1, reduction: 'none' }).sum()) },
  kullbackLeiblerDivergence: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.3, 0.7, 0.4, 0.6, 0.2, 0.5]], f: (t, p) => nr.losses.kullbackLeiblerDivergence(t, p) },
  meanAbsolutePercentageError: { shapes: [[2, 3], [2, 3]], inputs: [[0.15, -0.55, 0.85, 0.3, 0.65, -0.4], [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.meanAbsolutePercentageError(t, p) },
  meanSquaredLogarithmicError: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.meanSquaredLogarithmicError(t, p, { reduction: 'none' }) },
  logcosh: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.logcosh(t, p) },
  poisson: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.poisson(t, p, { reduction: 'sumOverFeatures' }) },
  categoricalHinge: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.categoricalHinge(t, p, { reduction: 'none' }) },
  cosineProximity: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.cosineProximity(t, p) },
  dice: { shapes: [[2, 3], [2, 3]], inputs: [T6, [0.5, 0.1, 0.3, 0.9, 0.2, 0.8]], f: (t, p) => nr.losses.dice(t, p) },
};

/** metrics.* (made of the ops above): the error and cross-entropy metrics w.r.t. `yPred`. */
const METRICS: Record<string, Diff> = {
  meanSquaredError: { shapes: [[2, 3]], f: (p) => nr.metrics.meanSquaredError(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p) },
  meanAbsoluteError: { shapes: [[2, 3]], range: [1.2, 2], f: (p) => nr.metrics.meanAbsoluteError(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p) },
  meanAbsolutePercentageError: { shapes: [[2, 3]], range: [1.2, 2], f: (p) => nr.metrics.meanAbsolutePercentageError(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p) },
  cosineProximity: { shapes: [[2, 3]], f: (p) => nr.metrics.cosineProximity(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p) },
  r2Score: { shapes: [[2, 3]], f: (p) => nr.metrics.r2Score(c([0.1, 0.5, 0.9, 0.2, 0.3, 0.4], [2, 3]), p) },
  binaryCrossentropy: { shapes: [[2, 3]], range: [0.2, 0.8], f: (p) => nr.metrics.binaryCrossentropy(c([0, 1, 1, 0, 1, 0], [2, 3]), p) },
  categoricalCrossentropy: { shapes: [[2, 3]], range: [0.2, 0.8], f: (p) => nr.metrics.categoricalCrossentropy(c([0, 1, 0, 0.3, 0.3, 0.4], [2, 3]), p) },
};
/** metrics.* that are step functions of `yPred` (accuracies, precision, recall, auc, f1Score): constants. */
const METRIC_CONSTANTS: Record<string, (p: T) => T> = {
  binaryAccuracy: (p) => nr.metrics.binaryAccuracy(c([0, 1, 1, 0], [2, 2]), p.reshape([2, 2])),
  categoricalAccuracy: (p) => nr.metrics.categoricalAccuracy(c([0, 1, 1, 0], [2, 2]), p.reshape([2, 2])),
  sparseCategoricalAccuracy: (p) => nr.metrics.sparseCategoricalAccuracy(c([1, 0], [2]), p.reshape([2, 2])),
  precision: (p) => nr.metrics.precision(c([0, 1, 1, 0], [2, 2]), nr.round(p).reshape([2, 2])),
  recall: (p) => nr.metrics.recall(c([0, 1, 1, 0], [2, 2]), nr.round(p).reshape([2, 2])),
  // Counts at thresholds (computed in JS from the values): a scalar with no path back to yPred.
  auc: (p) => nr.metrics.auc(c([0, 1, 1, 0], [2, 2]), nr.sigmoid(p).reshape([2, 2])),
  f1Score: (p) => nr.metrics.f1Score(c([0, 1, 1, 0], [2, 2]), nr.sigmoid(p).reshape([2, 2])),
};
const METRIC_ALIASES = ['mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE'];

/**
 * Ops whose result is a constant by definition (piecewise constant, integer-valued, random, or
 * made from plain numbers): under `grad` they pass no gradient — zeros, as in TF.js.
 */
const CONSTANT: Record<string, (x: T) => T> = {
  sign: (x) => nr.sign(x),
  floor: (x) => nr.floor(x),
  ceil: (x) => nr.ceil(x),
  round: (x) => nr.round(x),
  equal: (x) => nr.equal(x, 0.5),
  notEqual: (x) => nr.notEqual(x, 0.5),
  greater: (x) => nr.greater(x, 0),
  greaterEqual: (x) => nr.greaterEqual(x, 0),
  less: (x) => nr.less(x, 0),
  lessEqual: (x) => nr.lessEqual(x, 0),
  logicalAnd: (x) => nr.logicalAnd(x, x),
  logicalOr: (x) => nr.logicalOr(x, 0),
  logicalXor: (x) => nr.logicalXor(x, 1),
  logicalNot: (x) => nr.logicalNot(x),
  isNaN: (x) => nr.isNaN(x),
  isInf: (x) => nr.isInf(x),
  isFinite: (x) => nr.isFinite(x),
  argMax: (x) => nr.argMax(x),
  argMin: (x) => nr.argMin(x),
  oneHot: (x) => nr.oneHot(nr.round(nr.abs(x)), 3),
  // By definition, not by its values: the output moves with x (central differences would see the
  // identity), but the tape passes no gradient through it (Keras 3's stop_gradient).
  stopGradient: (x) => nr.stopGradient(x),
  stairStep: (x) => nr.stairStep(x),
  unitStep: (x) => nr.unitStep(x),
  heaviside: (x) => nr.heaviside(x),
  step: (x) => nr.step(x, 0.5),
  randomUniform: (x) => nr.mul(x, 0).add(nr.randomUniform(x.shape, { seed: 1 })),
  randomNormal: (x) => nr.mul(x, 0).add(nr.randomNormal(x.shape, { seed: 1 })),
  truncatedNormal: (x) => nr.mul(x, 0).add(nr.truncatedNormal(x.shape, { seed: 1 })),
  tensor: () => nr.tensor([1, 2, 3, 4]),
  tensor1d: () => nr.tensor1d([1, 2, 3, 4]),
  tensor2d: () => nr.tensor2d([1, 2, 3, 4], [2, 2]),
  tensor3d: () => nr.tensor3d([[[1, 2]], [[3, 4]]]),
  tensor4d: () => nr.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]),
  scalar: () => nr.scalar(2),
  zeros: (x) => nr.zeros(x.shape),
  ones: (x) => nr.ones(x.shape),
  fill: (x) => nr.fill(x.shape, 3),
  zerosLike: (x) => nr.zerosLike(x),
  onesLike: (x) => nr.onesLike(x),
  eye: () => nr.eye(2),
  range: () => nr.range(4),
  linspace: () => nr.linspace(0, 1, 4),
  all: (x) => nr.all(x, 0),
  any: (x) => nr.any(x),
  tensor5d: () => nr.tensor5d([1, 2], [1, 1, 1, 1, 2]),
  tensor6d: () => nr.tensor6d([1, 2], [1, 1, 1, 1, 1, 2]),
  // TF.js ports whose results are integers (indices, counts, positions, draws), with x flowing
  // into them (TF.js 4.22 has no gradient for these: grad throws there).
  unique: (x) => nr.unique(nr.concat([x, nr.reverse(x)])).indices,
  bincount: (x) => nr.bincount(nr.round(nr.abs(x)), [], 3),
  denseBincount: (x) => nr.denseBincount(nr.reshape(nr.round(nr.abs(x)), [2, 2]), [], 3, true),
  searchSorted: (x) => nr.searchSorted(c([-1, 0, 0.5, 2]), x, 'right'),
  lowerBound: (x) => nr.lowerBound(c([-1, 0, 0.5, 2]), x),
  upperBound: (x) => nr.upperBound(c([-1, 0, 0.5, 2]), x),
  multinomial: (x) => nr.multinomial(x, 5, 1),
  randomStandardNormal: (x) => nr.mul(x, 0).add(nr.randomStandardNormal(x.shape, 'float32', 1)),
  randomUniformInt: (x) => nr.mul(x, 0).add(nr.randomUniformInt(x.shape, -3, 4, 1)),
  // math.confusionMatrix: counts made from the values read out (a tensor made from numbers, as
  // bincount's counts), so x flowing into it gets zeros (TF.js: a oneHot/matMul of int32 tensors).
  confusionMatrix: (x) => nr.math.confusionMatrix(nr.round(nr.abs(x)), c([0, 1, 1, 2]), 3),
  // Made from plain numbers (TF.js's rand, and its signal windows).
  rand: (x) => nr.mul(x, 0).add(nr.rand(x.shape, () => 0.5)),
  hannWindow: (x) => nr.mul(x, 0).add(nr.signal.hannWindow(4)),
  hammingWindow: (x) => nr.mul(x, 0).add(nr.signal.hammingWindow(4)),
  // image ops computed in JS from the values read out whose results are indices, scores or a
  // step (TF.js 4.22 has no gradient for them).
  nonMaxSuppression: (x) => nr.image.nonMaxSuppression(c([0, 0, 1, 1, 0, 0, 2, 2, 5, 5, 6, 6, 0, 0, 1, 2], [4, 4]), x, 4),
  nonMaxSuppressionWithScore: (x) => nr.image.nonMaxSuppressionWithScore(c([0, 0, 1, 1, 0, 0, 2, 2, 5, 5, 6, 6, 0, 0, 1, 2], [4, 4]), x, 4, 0.9, -Infinity, 0.5).selectedScores,
  nonMaxSuppressionPadded: (x) => nr.image.nonMaxSuppressionPadded(c([0, 0, 1, 1, 0, 0, 2, 2, 5, 5, 6, 6, 0, 0, 1, 2], [4, 4]), x, 4, 0.5, 0, true).selectedIndices,
  threshold: (x) => nr.image.threshold(nr.reshape(nr.mul(nr.abs(x), 200), [2, 2, 1]), 'otsu'),
};

/**
 * Ops whose gradient is not their derivative, by TF.js's choice: `floorDiv` is differentiated
 * as `div` (a straight-through estimate; TensorFlow and JAX give zeros). Checked against `div`.
 */
const AS_IN_TFJS: Record<string, { as: (a: T, b: T) => T; f: (a: T, b: T) => T }> = {
  floorDiv: { as: (a, b) => nr.div(a, b), f: (a, b) => nr.floorDiv(a, b) },
};

/** Ops with no gradient rule: a source flowing through them makes `grad` throw naming them. */
const NO_RULE: Record<string, { name: RegExp; f: (x: T) => T }> = {
  activationGrad: { name: /activationGrad has no gradient rule/, f: (x) => nr.activationGrad(x, nr.onesLike(x), 'relu') },
  preluGrad: { name: /preluGrad has no gradient rule/, f: (x) => nr.preluGrad(x, 0.2, nr.onesLike(x)).dx },
  lossGradient: { name: /lossGrad has no gradient rule/, f: (x) => nr.losses.lossGradient('mse', nr.zerosLike(x), x) },
  // Deliberately without a rule: the choice of nearest neighbours and the closed-form solve (a
  // Cholesky factorisation in the core) are not recorded on the tape.
  rbfWidths: { name: /rbfWidths has no gradient rule/, f: (x) => nr.rbfWidths(nr.reshape(x, [2, 2]), { neighbors: 1 }) },
  leastSquares: { name: /leastSquares has no gradient rule/, f: (x) => nr.leastSquares(nr.reshape(x, [2, 2]), c([1, 2], [2, 1])) },
  kmeans: { name: /kmeans has no gradient rule/, f: (x) => nr.kmeans(nr.reshape(x, [4, 1]), { k: 2, seed: 1 }).centers },
  psnr: { name: /psnr has no gradient rule/, f: (x) => nr.psnr(nr.reshape(x, [2, 2]), c([0, 0, 1, 1], [2, 2])) },
  // As TF.js 4.22 (its Householder loop goes through `greater`, which has no gradient).
  qr: { name: /linalg\.qr has no gradient rule/, f: (x) => nr.linalg.qr(nr.reshape(x, [2, 2]))[0] },
  ssim: { name: /ssim has no gradient rule/, f: (x) => nr.ssim(nr.reshape(x, [2, 2]), c([0, 0, 1, 1], [2, 2]), { windowSize: 1 }) },
  // Image ops computed in JS from the values read out: TF.js 4.22 has no gradient for them and
  // throws ("gradient function not found"); they were silent zeros here (a gradient tester's finding).
  cropAndResize: { name: /cropAndResize has no gradient rule/, f: (x) => nr.mul(x, 0).add(nr.reshape(nr.image.cropAndResize(nr.reshape(x, [1, 2, 2, 1]), [[0, 0, 1, 1]], [0], [2, 2]), [4])) },
  transform: { name: /transform has no gradient rule/, f: (x) => nr.image.transform(nr.reshape(x, [1, 2, 2, 1]), [0.5, 0.1, 0.2, 0, 1, 0.3, 0, 0], 'bilinear', 'reflect') },
  rotateWithOffset: { name: /rotateWithOffset has no gradient rule/, f: (x) => nr.image.rotateWithOffset(nr.reshape(x, [1, 2, 2, 1]), 0.3) },
};

/** Exports that are not tensor ops: classes, namespaces, gradient functions, scopes, setup. */
const NOT_OPS = [
  'Activation', 'Autoencoder', 'autoencoder', 'AveragePooling2D', 'BatchNormalization', 'Normalization', 'Conv2D', 'Conv2DTranspose', 'Conv1DTranspose', 'DepthwiseConv2D', 'SeparableConv2D', 'Embedding', 'RepeatVector', 'Permute', 'Rescaling', 'Dot', 'ThresholdedReLU', 'Masking', 'LeakyReLU', 'ELU', 'ReLU', 'Softmax', 'GaussianDropout', 'AlphaDropout', 'SpatialDropout1D', 'Cropping2D', 'ZeroPadding2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'MaxPooling2D', 'UpSampling2D', 'Callback', 'Dense', 'DisposedError', 'Dropout', 'EarlyStopping', 'Flatten',
  'GaussianNoise', 'IOError', 'InputLayer', 'InvalidArgumentError', 'KernelLayer', 'Layer', 'LayerNormalization', 'LayerVariable', 'LearningRateSchedule', 'MAX_ELEMENTS',
  'NeuriteError', 'NonFiniteError', 'Neuron', 'Optimizer', 'OutOfMemoryError', 'PCA', 'PReLU', 'Perceptron', 'RBF', 'RBFNetwork', 'RBF_KERNELS',
  'ReduceLROnPlateau', 'LearningRateScheduler', 'ModelCheckpoint', 'MonitorCallback', 'Reshape', 'SaltAndPepper', 'Sequential', 'ShapeError', 'Tensor', 'TerminateOnNaN', 'Variational', 'WasmPanicError',
  'callbacks', 'codecs', 'collapseLinear', 'compression', 'constraints', 'Constraint', 'data', 'dispose', 'grad', 'grads', 'image', 'init', 'initializers', 'io', 'keep', 'layers', 'losses', 'metrics', 'memory',
  'loadLayersModel', 'loadModel', 'neuron', 'optimizers', 'train', 'pca', 'perceptron', 'progressBar', 'rbfNetwork', 'regularizers', 'schedules', 'sequential',
  'setDebug', 'setSeed', 'shutdown', 'threads', 'threadsReady', 'tidy', 'valueAndGrad', 'valueAndGrads', 'variable', 'variableGrads', 'customGrad',
  'exportTrainingState', 'importTrainingState', 'optimizerFromConfig',
  'input', 'model', 'SymbolicTensor', 'Merge', 'Concatenate', 'Conv1D', 'MaxPooling1D', 'AveragePooling1D', 'GlobalMaxPooling1D', 'GlobalAveragePooling1D', 'UpSampling1D', 'ZeroPadding1D', 'Cropping1D',
  // TF.js's engine calls, the browser namespace, and the async ops (a Promise cannot run under grad).
  'ready', 'version', 'getBackend', 'setBackend', 'enableProdMode', 'enableDebugMode', 'env', 'serialization', 'print', 'browser', 'booleanMaskAsync', 'whereAsync', 'setdiff1dAsync',
  // TF.js's tf.Reduction enum (also losses.Reduction), and the tf.math namespace (its ops are listed by name).
  'Reduction', 'math',
  // The tf.linalg namespace (its ops are listed by name).
  'linalg',
  // TF.js's model names: LayersModel (Sequential), the CustomCallback class, the tf.models
  // namespace (modelFromJSON, async) and the tf.Rank enum.
  'LayersModel', 'CustomCallback', 'models', 'Rank',
  // TF.js's utilities that are not tensor ops: the TensorBuffer (JS memory), timing and memory
  // profiling, a number (enclosingPowerOfTwo), the async inTopKAsync, and the tf.signal
  // namespace (its ops are listed by name).
  'buffer', 'TensorBuffer', 'time', 'profile', 'nextFrame', 'disposeVariables', 'enclosingPowerOfTwo', 'inTopKAsync', 'signal',
  // TF.js's tf.util namespace: plain JavaScript helpers (shuffles, shapes, arrays, timing).
  'util',
];

/** Values in `range`, at least 0.1 away from 0 (kinks of relu/abs) when the range crosses it. */
function values(seed: number, n: number, [lo, hi]: [number, number]): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => {
    let v = lo + (hi - lo) * r();
    if (lo < 0 && hi > 0 && Math.abs(v) < 0.1) v = v < 0 ? -0.1 - 0.1 * r() : 0.1 + 0.1 * r();
    return v;
  });
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Checks grads(Σ f(xs)·w) against central differences for every input element. */
function checkDiff(name: string, d: Diff): void {
  const inputs = d.inputs?.map((v) => v.slice()) ?? d.shapes.map((s, k) => values(7 + 31 * k + name.length, size(s), d.range ?? [-1, 1]));
  const out = nr.tidy(() => d.f(...inputs.map((v, k) => nr.tensor(v, d.shapes[k]))));
  const w = values(99, out.size, [0.5, 1.5]);
  const wShape = [...out.shape];
  out.dispose();
  const objective = (...xs: T[]) => nr.sum(nr.mul(d.f(...xs), nr.tensor(w, wShape)));
  const xs = inputs.map((v, k) => nr.tensor(v, d.shapes[k]));
  const g = nr.grads(objective)(xs);
  const at = (vs: number[][]) => nr.tidy(() => objective(...vs.map((v, k) => nr.tensor(v, d.shapes[k]))).item());
  const eps = 1e-2;
  inputs.forEach((v, k) => {
    const got = g[k].data();
    for (let i = 0; i < v.length; i++) {
      const plus = inputs.map((u) => u.slice());
      const minus = inputs.map((u) => u.slice());
      plus[k][i] += eps;
      minus[k][i] -= eps;
      const num = (at(plus) - at(minus)) / (2 * eps);
      if (!(Math.abs(got[i] - num) <= 2e-2 + 2e-2 * Math.abs(num))) {
        throw new Error(`${name}: d/dx${k}[${i}] is ${got[i]}, finite differences give ${num}`);
      }
    }
  });
  [...g, ...xs].forEach((t) => t.dispose());
}

describe('grad covers every exported op', () => {
  it('every export is differentiable, a constant, rule-less (and says so), or not an op', () => {
    const listed = new Set([...Object.keys(DIFFERENTIABLE), ...Object.keys(CONSTANT), ...Object.keys(NO_RULE), ...Object.keys(AS_IN_TFJS), ...NOT_OPS]);
    const missing = Object.keys(nr).filter((k) => !listed.has(k));
    expect(missing, 'new exports must be added to a list in test/grad-coverage.test.ts').toEqual([]);
    const stale = [...listed].filter((k) => !(k in nr) && !(k in nr.losses) && !(k in nr.image) && !(k in nr.math) && !(k in nr.signal) && !(k in nr.linalg));
    expect(stale).toEqual([]);
    expect(Object.keys(nr.math).filter((k) => !listed.has(k)), 'math.* ops must be in a list too').toEqual([]);
    expect(Object.keys(nr.signal).filter((k) => !listed.has(k)), 'signal.* ops must be in a list too').toEqual([]);
    expect(Object.keys(nr.linalg).filter((k) => !listed.has(k)), 'linalg.* ops must be in a list too').toEqual([]);
    const lossNames = Object.keys(nr.losses).filter((k) => k !== 'lossGradient' && k !== 'Reduction');
    expect(lossNames.sort()).toEqual(Object.keys(LOSSES).sort());
    expect(Object.keys(nr.metrics).filter((k) => !METRIC_ALIASES.includes(k)).sort()).toEqual([...Object.keys(METRICS), ...Object.keys(METRIC_CONSTANTS)].sort());
  });

  it('every Tensor method that is an op is in a list too', () => {
    const notOps = ['constructor', 'shape', 'rank', 'size', 'dtype', 'isDisposed', 'fromEndedInstance', 'handleFor', 'dispose', 'data', 'dataSync', 'array', 'arraySync', 'item', 'toString', 'print'];
    // TF.js's reshaping and dtype methods: reshape/cast under other names (their gradients pass
    // through unchanged: test/composite-ops.test.ts).
    notOps.push('flatten', 'as1D', 'as2D', 'as3D', 'as4D', 'as5D', 'asScalar', 'reshapeAs', 'asType', 'toFloat');
    // TF.js's casts to int32 and bool: always an error (float32 is the only dtype; test/porting-web.test.ts).
    notOps.push('toInt', 'toBool');
    // TF.js's TensorBuffer copies of the values (JS memory, not tensors).
    notOps.push('bufferSync', 'buffer');
    const listed = new Set([...Object.keys(DIFFERENTIABLE), ...Object.keys(CONSTANT), ...Object.keys(NO_RULE), ...Object.keys(AS_IN_TFJS), ...notOps]);
    expect(Object.getOwnPropertyNames(nr.Tensor.prototype).filter((k) => !listed.has(k))).toEqual([]);
  });

  for (const [name, d] of Object.entries(DIFFERENTIABLE)) {
    it(`${name}: gradient matches finite differences`, () => {
      const before = nr.memory().numTensors;
      checkDiff(name, d);
      expect(nr.memory().numTensors).toBe(before);
    });
  }

  for (const [name, { as, f }] of Object.entries(AS_IN_TFJS)) {
    it(`${name}: differentiated as TF.js does`, () => {
      const before = nr.memory().numTensors;
      const a = nr.tensor([[0.7, -1.3, 2.1], [0.4, 1.9, -0.9]]);
      const b = nr.tensor([1.1, -0.6, 1.7]);
      const w = nr.tensor([0.5, 1.5, -1]);
      const [got, want] = [f, as].map((op) => nr.grads((x: T, y: T) => nr.sum(nr.mul(op(x, y), w)))([a, b]).map((g) => { const v = Array.from(g.data()); g.dispose(); return v; }));
      expect(got).toEqual(want);
      [a, b, w].forEach((t) => t.dispose());
      expect(nr.memory().numTensors).toBe(before);
    });
  }

  for (const [name, d] of Object.entries(LOSSES)) {
    it(`losses.${name}: gradient w.r.t. yPred matches finite differences`, () => checkDiff(name, d));
  }

  for (const [name, d] of Object.entries(LOSS_TARGETS)) {
    it(`losses.${name}: gradient w.r.t. yTrue and yPred matches finite differences`, () => checkDiff(name, d));
  }

  for (const [name, d] of Object.entries(METRICS)) {
    it(`metrics.${name}: gradient w.r.t. yPred matches finite differences`, () => checkDiff(name, d));
  }

  for (const [name, f] of Object.entries(METRIC_CONSTANTS)) {
    it(`metrics.${name}: a constant, zero gradient`, () => {
      const x = nr.tensor([0.3, -0.7, 1.6, 0.4]);
      const g = nr.grad((x) => nr.add(nr.mul(nr.sum(f(x)), 0.5), nr.sum(nr.mul(x, 0))))(x);
      expect(Array.from(g.data())).toEqual([0, 0, 0, 0]);
      g.dispose();
      x.dispose();
    });
  }

  for (const [name, f] of Object.entries(CONSTANT)) {
    it(`${name}: a constant, zero gradient`, () => {
      const x = nr.tensor([0.3, -0.7, 1.6, 0.4]);
      const g = nr.grad((x) => nr.add(nr.mul(nr.sum(f(x)), 0.5), nr.sum(nr.mul(x, 0))))(x);
      expect(Array.from(g.data())).toEqual([0, 0, 0, 0]);
      g.dispose();
      x.dispose();
    });
  }

  for (const [name, { name: msg, f }] of Object.entries(NO_RULE)) {
    it(`${name}: no gradient rule, so grad throws naming it`, () => {
      const x = nr.tensor([0.3, -0.7, 1.6, 0.4]);
      const before = nr.memory().numTensors;
      expect(() => nr.grad((x) => nr.sum(f(x)))(x)).toThrow(msg);
      expect(nr.memory().numTensors).toBe(before);
      x.dispose();
    });
  }
});
