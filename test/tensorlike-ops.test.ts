// TF.js's TensorLike in every tensor argument of the ops beyond the element-wise ones: matMul,
// the shape, slicing and joining ops, clip, cumsum, topk, the convolutions and pooling, the
// activations, the losses, the metrics and the image ops take a number, nested arrays or a
// typed array wherever they take a tensor (a temporary tensor, freed after the op, also when
// it throws). For each op: the array form gives the tensor form's bits, and TF.js 4.22 (cpu)
// gives the same values where it has the op; no handle is left behind; ragged arrays and
// values that are not TensorLike are errors naming the op and the argument; and under `grad`
// an array argument is a constant whose freed temporary does not disturb the tape.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's main entry leaves gradients unregistered; tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose, thrown } from './setup.js';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');

/** `n` values from 1 (so that products and sums are exact and distinct), shaped as nested arrays. */
type Nested = number | Nested[];
function nested(shape: number[], f: (i: number) => number = (i) => i + 1): Nested {
  let i = 0;
  const build = (d: number): Nested => (d === shape.length ? f(i++) : Array.from({ length: shape[d] }, () => build(d + 1)));
  return build(0);
}

type Out = nr.Tensor | nr.Tensor[] | { [k: string]: nr.Tensor };
type TfOut = tf.Tensor | tf.Tensor[] | { [k: string]: tf.Tensor };

interface Case {
  /** The op as errors name it. */
  op: string;
  /** A label for the test (default `op`). */
  label?: string;
  args: unknown[];
  /** The TensorLike arguments: position and name. A name ending in `[]` is a list (concat, stack). */
  like: Array<[number, string]>;
  run: (...a: never[]) => Out;
  /** The same call on TF.js (on the same arrays), where TF.js has the op. */
  tf?: (...a: never[]) => TfOut;
}

const outputs = <T>(r: T | T[] | { [k: string]: T }): T[] => (Array.isArray(r) ? r : r instanceof nr.Tensor || r instanceof tf.Tensor ? [r as T] : Object.values(r as { [k: string]: T }));
const bits = (t: nr.Tensor) => Array.from(new Uint32Array(t.data().buffer));

const img = nested([1, 4, 4, 2], (i) => ((i * 7) % 11) - 5); // [1, 4, 4, 2]
const filt = nested([2, 2, 2, 3], (i) => ((i * 5) % 7) - 3); // [2, 2, 2, 3]
const probs = [[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]];
const onehot = [[0, 1, 0], [1, 0, 0]];
const rgb = nested([1, 2, 2, 3], (i) => (i % 5) / 4);
const picture = nested([2, 12, 12], (i) => ((i * 37) % 101) / 100);
const picture2 = nested([2, 12, 12], (i) => ((i * 41) % 103) / 103);

const CASES: Case[] = [
  { op: 'zerosLike', args: [[[1, 2, 3]]], like: [[0, 'x']], run: (x) => nr.zerosLike(x), tf: (x) => tf.zerosLike(x) },
  { op: 'onesLike', args: [[[1], [2]]], like: [[0, 'x']], run: (x) => nr.onesLike(x), tf: (x) => tf.onesLike(x) },
  { op: 'clone', args: [[1.5, -2]], like: [[0, 'x']], run: (x) => nr.clone(x), tf: (x) => tf.clone(x) },
  { op: 'cast', args: [[[1, 0], [0, 1]], 'float32'], like: [[0, 'x']], run: (x, d) => nr.cast(x, d), tf: (x, d) => tf.cast(x, d) },
  { op: 'matMul', args: [[[1, 2], [3, 4]], [[5], [6]]], like: [[0, 'a'], [1, 'b']], run: (a, b) => nr.matMul(a, b), tf: (a, b) => tf.matMul(a, b) },
  { op: 'matMul', label: 'matMul (transposes, typed rows)', args: [[Float32Array.from([1, 2]), Float32Array.from([3, 4])], [[5, 6], [7, 8], [9, 10]], true, true], like: [[0, 'a'], [1, 'b']], run: (a, b, ta, tb) => nr.matMul(a, b, ta, tb) },
  { op: 'dot', args: [[1, 2, 3], [4, 5, 6]], like: [[0, 'a'], [1, 'b']], run: (a, b) => nr.dot(a, b), tf: (a, b) => tf.dot(a, b) },
  { op: 'dot', label: 'dot (matrix · vector)', args: [[[1, 2], [3, 4]], [5, 6]], like: [[0, 'a'], [1, 'b']], run: (a, b) => nr.dot(a, b), tf: (a, b) => tf.dot(a, b) },
  { op: 'outerProduct', args: [[1, 2], [3, 4, 5]], like: [[0, 'a'], [1, 'b']], run: (a, b) => nr.outerProduct(a, b), tf: (a, b) => tf.outerProduct(a, b) },
  { op: 'reshape', args: [[1, 2, 3, 4, 5, 6], [2, 3]], like: [[0, 'x']], run: (x, s) => nr.reshape(x, s), tf: (x, s) => tf.reshape(x, s) },
  { op: 'transpose', args: [[[1, 2, 3], [4, 5, 6]]], like: [[0, 'x']], run: (x) => nr.transpose(x), tf: (x) => tf.transpose(x) },
  { op: 'squeeze', args: [[[[1], [2]]]], like: [[0, 'x']], run: (x) => nr.squeeze(x), tf: (x) => tf.squeeze(x) },
  { op: 'expandDims', args: [Float32Array.from([1, 2]), 1], like: [[0, 'x']], run: (x, a) => nr.expandDims(x, a), tf: (x, a) => tf.expandDims(x, a) },
  { op: 'slice', args: [[[1, 2, 3], [4, 5, 6]], [0, 1], [2, 2]], like: [[0, 'x']], run: (x, b, s) => nr.slice(x, b, s), tf: (x, b, s) => tf.slice(x, b, s) },
  { op: 'split', args: [[[1, 2, 3, 4], [5, 6, 7, 8]], 2, 1], like: [[0, 'x']], run: (x, n, a) => nr.split(x, n, a), tf: (x, n, a) => tf.split(x, n, a) },
  { op: 'gather', args: [[10, 20, 30], [2, 0, 2]], like: [[0, 'x']], run: (x, i) => nr.gather(x, i), tf: (x, i) => tf.gather(x, i) },
  { op: 'gather', label: 'gather (Int32Array indices)', args: [[[1, 2], [3, 4]], Int32Array.from([1, 0]), 1], like: [[0, 'x']], run: (x, i, a) => nr.gather(x, i, a), tf: (x, i, a) => tf.gather(x, i, a) },
  { op: 'oneHot', args: [[0, 2, 5], 3], like: [], run: (i, d) => nr.oneHot(i, d), tf: (i, d) => tf.oneHot(i, d) },
  { op: 'reverse', args: [[[1, 2], [3, 4]], 1], like: [[0, 'x']], run: (x, a) => nr.reverse(x, a), tf: (x, a) => tf.reverse(x, a) },
  { op: 'concat', args: [[[1], [2, 3], Float32Array.from([4])]], like: [[0, 'tensors[]']], run: (l) => nr.concat(l), tf: (l) => tf.concat(l) },
  { op: 'concat', label: 'concat (axis 1)', args: [[[[1], [2]], [[3, 4], [5, 6]]], 1], like: [[0, 'tensors[]']], run: (l, a) => nr.concat(l, a), tf: (l, a) => tf.concat(l, a) },
  { op: 'stack', args: [[[1, 2], [3, 4]], 1], like: [[0, 'tensors[]']], run: (l, a) => nr.stack(l, a), tf: (l, a) => tf.stack(l, a) },
  { op: 'tile', args: [[[1], [2]], [1, 3]], like: [[0, 'x']], run: (x, r) => nr.tile(x, r), tf: (x, r) => tf.tile(x, r) },
  { op: 'pad', args: [[[1, 2]], [[1, 0], [0, 2]], -1], like: [[0, 'x']], run: (x, p, c) => nr.pad(x, p, c), tf: (x, p, c) => tf.pad(x, p, c) },
  { op: 'mirrorPad', args: [[1, 2, 3], [[2, 1]], 'reflect'], like: [[0, 'x']], run: (x, p, m) => nr.mirrorPad(x, p, m), tf: (x, p, m) => tf.mirrorPad(x, p, m) },
  { op: 'clipByValue', args: [[-2, 0.5, 3, NaN], -1, 1], like: [[0, 'x']], run: (x, lo, hi) => nr.clipByValue(x, lo, hi), tf: (x, lo, hi) => tf.clipByValue(x, lo, hi) },
  { op: 'cumsum', args: [[[1, 2], [3, 4]], 1, true, true], like: [[0, 'x']], run: (x, a, e, r) => nr.cumsum(x, a, e, r), tf: (x, a, e, r) => tf.cumsum(x, a, e, r) },
  { op: 'topk', args: [[[1, 5, 3], [2, 2, 0]], 2], like: [[0, 'x']], run: (x, k) => nr.topk(x, k), tf: (x, k) => tf.topk(x, k) },
  { op: 'conv2d', args: [img, filt, 1, 'same'], like: [[0, 'x'], [1, 'filter']], run: (x, f, s, p) => nr.conv2d(x, f, s, p), tf: (x, f, s, p) => tf.conv2d(x, f, s, p) },
  { op: 'conv1d', args: [nested([1, 5, 2]), nested([2, 2, 1], (i) => i - 2), 1, 'valid'], like: [[0, 'x'], [1, 'filter']], run: (x, f, s, p) => nr.conv1d(x, f, s, p), tf: (x, f, s, p) => tf.conv1d(x, f, s, p) },
  { op: 'conv2dTranspose', args: [nested([1, 2, 2, 1]), nested([2, 2, 1, 1]), [1, 4, 4, 1], 2, 'same'], like: [[0, 'x'], [1, 'filter']], run: (x, f, o, s, p) => nr.conv2dTranspose(x, f, o, s, p), tf: (x, f, o, s, p) => tf.conv2dTranspose(x, f, o, s, p) },
  { op: 'maxPool', args: [img, 2, 2, 'valid'], like: [[0, 'x']], run: (x, k, s, p) => nr.maxPool(x, k, s, p), tf: (x, k, s, p) => tf.maxPool(x, k, s, p) },
  { op: 'avgPool', args: [img, [2, 2], 1, 'same'], like: [[0, 'x']], run: (x, k, s, p) => nr.avgPool(x, k, s, p), tf: (x, k, s, p) => tf.avgPool(x, k, s, p) },
  { op: 'relu', args: [[-1, 0, 2]], like: [[0, 'x']], run: (x) => nr.relu(x), tf: (x) => tf.relu(x) },
  { op: 'relu', label: 'relu (a number)', args: [-3], like: [[0, 'x']], run: (x) => nr.relu(x), tf: (x) => tf.relu(x) },
  { op: 'sigmoid', args: [[-1, 0, 2]], like: [[0, 'x']], run: (x) => nr.sigmoid(x), tf: (x) => tf.sigmoid(x) },
  { op: 'tanh', args: [[-1, 0, 2]], like: [[0, 'x']], run: (x) => nr.tanh(x), tf: (x) => tf.tanh(x) },
  { op: 'elu', args: [[-1, 0, 2]], like: [[0, 'x']], run: (x) => nr.elu(x), tf: (x) => tf.elu(x) },
  { op: 'selu', args: [[-1, 0, 2]], like: [[0, 'x']], run: (x) => nr.selu(x), tf: (x) => tf.selu(x) },
  { op: 'softplus', args: [[-1, 0, 2]], like: [[0, 'x']], run: (x) => nr.softplus(x), tf: (x) => tf.softplus(x) },
  { op: 'softmax', args: [[[1, 2, 3], [1, 1, 1]]], like: [[0, 'x']], run: (x) => nr.softmax(x), tf: (x) => tf.softmax(x) },
  { op: 'logSoftmax', args: [[1, 2, 3]], like: [[0, 'x']], run: (x) => nr.logSoftmax(x), tf: (x) => tf.logSoftmax(x) },
  { op: 'leakyRelu', args: [[-1, 0, 2], 0.1], like: [[0, 'x']], run: (x, a) => nr.leakyRelu(x, a), tf: (x, a) => tf.leakyRelu(x, a) },
  { op: 'prelu', args: [[[-1, 2], [-3, 4]], [0.1, 0.5]], like: [[0, 'x'], [1, 'alpha']], run: (x, a) => nr.prelu(x, a), tf: (x, a) => tf.prelu(x, a) },
  { op: 'step', args: [[-1, 0, 2], 0.5], like: [[0, 'x']], run: (x, a) => nr.step(x, a), tf: (x, a) => tf.step(x, a) },
  { op: 'activation', args: [[-1, 0, 2], 'gelu'], like: [[0, 'x']], run: (x, s) => nr.activation(x, s) },
  { op: 'activationGrad', args: [[-1, 0, 2], [1, 2, 3], 'sigmoid'], like: [[0, 'x'], [1, 'dy']], run: (x, dy, s) => nr.activationGrad(x, dy, s) },
  { op: 'preluGrad', args: [[-1, 0, 2], 0.25, [1, 2, 3]], like: [[0, 'x'], [1, 'alpha'], [2, 'dy']], run: (x, a, dy) => nr.preluGrad(x, a, dy) },
  { op: 'argMax', args: [[[1, 5, 3], [7, 2, 0]], 1], like: [[0, 'x']], run: (x, a) => nr.argMax(x, a), tf: (x, a) => tf.argMax(x, a) },
  { op: 'argMin', args: [[[1, 5, 3], [7, 2, 0]], 1], like: [[0, 'x']], run: (x, a) => nr.argMin(x, a), tf: (x, a) => tf.argMin(x, a) },
  { op: 'moments', label: 'moments', args: [[[1, 2], [3, 5]], 0], like: [[0, 'x']], run: (x, a) => nr.moments(x, a), tf: (x, a) => tf.moments(x, a) },
  { op: 'logicalNot', args: [[0, 1, 2]], like: [[0, 'x']], run: (x) => nr.logicalNot(x) },
  { op: 'isNaN', args: [[0, NaN, Infinity]], like: [[0, 'x']], run: (x) => nr.isNaN(x), tf: (x) => tf.isNaN(x) },
  { op: 'isInf', args: [[0, NaN, -Infinity]], like: [[0, 'x']], run: (x) => nr.isInf(x), tf: (x) => tf.isInf(x) },
  { op: 'isFinite', args: [[0, NaN, Infinity]], like: [[0, 'x']], run: (x) => nr.isFinite(x), tf: (x) => tf.isFinite(x) },
  { op: 'meanSquaredError', label: 'losses.meanSquaredError', args: [onehot, probs], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.losses.meanSquaredError(t, p), tf: (t, p) => tf.losses.meanSquaredError(t, p) },
  { op: 'meanAbsoluteError', label: 'losses.meanAbsoluteError', args: [onehot, probs], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.losses.meanAbsoluteError(t, p), tf: (t, p) => tf.losses.absoluteDifference(t, p) },
  { op: 'categoricalCrossentropy', label: 'losses.categoricalCrossentropy', args: [onehot, probs], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.losses.categoricalCrossentropy(t, p) },
  { op: 'lossGradient', label: 'losses.lossGradient', args: ['mse', onehot, probs], like: [[1, 'yTrue'], [2, 'yPred']], run: (l, t, p) => nr.losses.lossGradient(l, t, p) },
  { op: 'metrics.binaryAccuracy', args: [[[1, 0], [0, 1]], [[0.9, 0.7], [0.2, 0.6]]], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.metrics.binaryAccuracy(t, p), tf: (t, p) => tfl.metrics.binaryAccuracy(tf.tensor(t), tf.tensor(p)) },
  { op: 'metrics.categoricalAccuracy', args: [onehot, probs], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.metrics.categoricalAccuracy(t, p), tf: (t, p) => tfl.metrics.categoricalAccuracy(tf.tensor(t), tf.tensor(p)) },
  { op: 'metrics.sparseCategoricalAccuracy', args: [[1, 2], probs], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.metrics.sparseCategoricalAccuracy(t, p) },
  { op: 'metrics.meanSquaredError', args: [onehot, probs], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.metrics.meanSquaredError(t, p), tf: (t, p) => tfl.metrics.meanSquaredError(tf.tensor(t), tf.tensor(p)) },
  { op: 'metrics.precision', args: [[1, 0, 1, 1], [1, 1, 0, 1]], like: [[0, 'yTrue'], [1, 'yPred']], run: (t, p) => nr.metrics.precision(t, p), tf: (t, p) => tfl.metrics.precision(tf.tensor(t), tf.tensor(p)) },
  { op: 'psnr', args: [picture, picture2], like: [[0, 'a'], [1, 'b']], run: (a, b) => nr.psnr(a, b) },
  { op: 'ssim', args: [picture, picture2, { windowSize: 7 }], like: [[0, 'a'], [1, 'b']], run: (a, b, o) => nr.ssim(a, b, o) },
  { op: 'resizeBilinear', label: 'image.resizeBilinear', args: [img, [3, 5]], like: [[0, 'images']], run: (x, s) => nr.image.resizeBilinear(x, s), tf: (x, s) => tf.image.resizeBilinear(x, s) },
  { op: 'resizeNearestNeighbor', label: 'image.resizeNearestNeighbor', args: [img, [8, 2]], like: [[0, 'images']], run: (x, s) => nr.image.resizeNearestNeighbor(x, s), tf: (x, s) => tf.image.resizeNearestNeighbor(x, s) },
  { op: 'flipLeftRight', label: 'image.flipLeftRight', args: [img], like: [[0, 'image']], run: (x) => nr.image.flipLeftRight(x), tf: (x) => tf.image.flipLeftRight(x) },
  { op: 'rgbToGrayscale', label: 'image.rgbToGrayscale', args: [rgb], like: [[0, 'image']], run: (x) => nr.image.rgbToGrayscale(x), tf: (x) => tf.image.rgbToGrayscale(x) },
  { op: 'grayscaleToRGB', label: 'image.grayscaleToRGB', args: [nested([2, 2, 1])], like: [[0, 'image']], run: (x) => nr.image.grayscaleToRGB(x), tf: (x) => tf.image.grayscaleToRGB(x) },
];

/** `c.args` with every TensorLike argument made a tensor (the tensor form). */
function asTensors(c: Case): { args: unknown[]; made: nr.Tensor[] } {
  const args = c.args.slice();
  const made: nr.Tensor[] = [];
  const t = (v: unknown) => { const x = nr.tensor(v as nr.TensorValues); made.push(x); return x; };
  for (const [i, name] of c.like) args[i] = name.endsWith('[]') ? (args[i] as unknown[]).map(t) : t(args[i]);
  return { args, made };
}

const call = (c: Case, args: unknown[]): Out => (c.run as (...a: unknown[]) => Out)(...args);
const handles = () => nr.memory().numHandles;

describe('the array form equals the tensor form, bit for bit, and frees its temporaries', () => {
  for (const c of CASES) {
    it(c.label ?? c.op, () => {
      const start = handles();
      const tensors = asTensors(c);
      const byTensor = outputs(call(c, tensors.args));
      const mid = handles();
      const byArray = outputs(call(c, c.args));
      // The arrays' temporaries are gone: only the results are new.
      expect(handles() - mid).toBe(byArray.length);
      expect(byArray.map((t) => t.shape)).toEqual(byTensor.map((t) => t.shape));
      expect(byArray.map(bits)).toEqual(byTensor.map(bits));
      [...byArray, ...byTensor, ...tensors.made].forEach((t) => t.dispose());
      expect(handles()).toBe(start);
    });
  }
});

describe('against TF.js 4.22 (cpu) on the same arrays', () => {
  for (const c of CASES.filter((k) => k.tf)) {
    it(c.label ?? c.op, () => {
      const want = tf.tidy(() => outputs((c.tf as (...a: unknown[]) => TfOut)(...c.args)).map((t) => ({ shape: t.shape, vals: Array.from(t.dataSync()) })));
      const got = outputs(call(c, c.args));
      try {
        expect(got.map((t) => t.shape)).toEqual(want.map((w) => w.shape));
        // Data movement and integer arithmetic are exact; transcendental functions agree to float32 rounding.
        got.forEach((t, i) => expectClose(t.data(), Float32Array.from(want[i].vals), 2e-6, 1e-6));
      } finally {
        got.forEach((t) => t.dispose());
      }
    });
  }
});

/** Not TensorLike: a string, an object, a function, null, a boolean, a BigInt, an ArrayBuffer. */
const GARBAGE: unknown[] = ['x', {}, () => 1, null, true, 5n, new ArrayBuffer(8)];

describe('ragged arrays and values that are not TensorLike name the op and the argument; nothing leaks', () => {
  for (const c of CASES) {
    it(c.label ?? c.op, () => {
      const start = handles();
      const re = (s: string) => s.replace(/[.[\]]/g, '\\$&');
      for (const [i, name] of c.like) {
        const list = name.endsWith('[]');
        const at = list ? `${name.slice(0, -2)}[1]` : name;
        /** `c.args` with `v` at the argument (the second entry of a list), the others arrays still. */
        const withValue = (v: unknown) => {
          const args = c.args.slice();
          if (list) args[i] = [(args[i] as unknown[])[0], v];
          else args[i] = v;
          return args;
        };
        for (const g of GARBAGE) {
          const err = thrown(() => call(c, withValue(g)));
          expect(err, `${c.op} ${at} = ${String(g)}`).toBeInstanceOf(nr.InvalidArgumentError);
          expect((err as Error).message).toMatch(new RegExp(`^${re(c.op)}: ${re(at)} must be a Tensor, a number or an array of numbers, got `));
        }
        const ragged = thrown(() => call(c, withValue([[1, 2], [3]])));
        expect(ragged).toBeInstanceOf(nr.ShapeError);
        expect((ragged as Error).message).toBe(`${c.op}: ${at}: values are ragged: values[1] is an array of length 1, expected an array of length 2 (inferred shape [2,2])`);
        const nan = thrown(() => call(c, withValue([[1, 'a']])));
        expect((nan as Error).message).toBe(`${c.op}: ${at}: values[0][1] is the string "a", not a number`);
        expect(handles(), `${c.op} ${at}: a temporary was left`).toBe(start);
      }
    });
  }

  it("gather's and oneHot's indices keep their own messages and also take typed arrays", () => {
    const start = handles();
    expect((thrown(() => nr.gather([1, 2], [[0], [1, 0]])) as Error).message).toMatch(/^gather: indices are ragged: indices\[1\]/);
    expect((thrown(() => nr.gather([1, 2], 'i' as never)) as Error).message).toBe('gather: indices must be a Tensor, a number or an array of numbers, got the string "i"');
    expect((thrown(() => nr.gather([1, 2], new DataView(new ArrayBuffer(4)) as never)) as Error).message).toBe('gather: indices must be a Tensor, a number or an array of numbers, got an object (DataView)');
    expect((thrown(() => nr.gather([1, 2], [2])) as Error).message).toMatch(/^gather: /);
    expect((thrown(() => nr.oneHot({} as never, 2)) as Error).message).toBe('oneHot: indices must be a Tensor, a number or an array of numbers, got an object (Object)');
    const t = nr.oneHot(Uint8Array.from([1, 0]), 2);
    expect(t.array()).toEqual([[0, 1], [1, 0]]);
    t.dispose();
    expect(handles()).toBe(start);
  });
});

describe('an op that throws after making its temporaries frees them', () => {
  const cases: Array<[string, () => unknown, new (...a: never[]) => Error, RegExp]> = [
    ['matMul shapes', () => nr.matMul([[1, 2]], [[1, 2]]), nr.ShapeError, /^matMul: inner dimensions differ: a is \[1,2\], b is \[1,2\]$/],
    ['matMul transposes', () => nr.matMul([[1]], [[1]], 'yes' as never), nr.InvalidArgumentError, /^matMul: transposeA must be true or false/],
    ['matMul b garbage after a', () => nr.matMul([[1]], 'b' as never), nr.InvalidArgumentError, /^matMul: b must be a Tensor/],
    ['dot ranks', () => nr.dot([[[1]]], [1]), nr.InvalidArgumentError, /^dot: needs vectors or matrices/],
    ['outerProduct ranks', () => nr.outerProduct([[1]], [1]), nr.InvalidArgumentError, /^outerProduct: needs two vectors/],
    ['reshape size', () => nr.reshape([1, 2, 3], [2, 2]), nr.ShapeError, /^reshape: /],
    ['transpose perm', () => nr.transpose([[1, 2]], [0, 0]), nr.InvalidArgumentError, /^transpose: /],
    ['squeeze axis', () => nr.squeeze([[1, 2]], [1]), nr.InvalidArgumentError, /^squeeze: /],
    ['slice begin', () => nr.slice([1, 2], 'a' as never), nr.InvalidArgumentError, /^slice: begin must be/],
    ['split count', () => nr.split([1, 2, 3], 2), nr.ShapeError, /^split: /],
    ['gather index', () => nr.gather([1, 2], [5]), nr.InvalidArgumentError, /^gather: /],
    ['concat ranks', () => nr.concat([[1], [[2]]]), nr.ShapeError, /^concat: tensors\[1\] has rank 2/],
    ['stack axis', () => nr.stack([[1], [2]], 5), nr.InvalidArgumentError, /^stack: /],
    ['tile reps', () => nr.tile([1, 2], [1, 2]), nr.InvalidArgumentError, /^tile: /],
    ['pad paddings', () => nr.pad([1, 2], [[1]] as never), nr.InvalidArgumentError, /^pad: paddings\[0\]/],
    ['mirrorPad mode', () => nr.mirrorPad([1, 2], [[1, 1]], 'x' as never), nr.InvalidArgumentError, /^mirrorPad: mode/],
    ['clipByValue bounds', () => nr.clipByValue([1, 2], 2, 1), nr.InvalidArgumentError, /^clipByValue: min \(2\)/],
    ['cumsum axis', () => nr.cumsum([1, 2], 3), nr.InvalidArgumentError, /^cumsum: /],
    ['topk k', () => nr.topk([1, 2], 3), nr.InvalidArgumentError, /^topk: /],
    ['conv2d channels', () => nr.conv2d(img, nested([1, 1, 3, 1]), 1, 'same'), nr.InvalidArgumentError, /^conv2d: filter has 3 input channels/],
    ['conv1d pad', () => nr.conv1d(nested([1, 3, 1]), nested([1, 1, 1]), 1, 'full' as never), nr.InvalidArgumentError, /^conv1d: pad must be/],
    ['conv2dTranspose outputShape', () => nr.conv2dTranspose(nested([1, 2, 2, 1]), nested([2, 2, 1, 1]), [1, 9, 9, 1], 2, 'same'), nr.InvalidArgumentError, /^conv2dTranspose: /],
    ['maxPool window', () => nr.maxPool(nested([1, 1, 1, 1]), 2, 1, 'valid'), nr.InvalidArgumentError, /^maxPool: /],
    ['softmax scalar', () => nr.softmax(3), nr.InvalidArgumentError, /^softmax: x must have at least one dimension/],
    ['prelu alpha shape', () => nr.prelu([[1, 2]], [1, 2, 3]), nr.ShapeError, /^prelu: alpha has shape \[3\]/],
    ['preluGrad dy', () => nr.preluGrad([1, 2], 0.1, [1]), nr.ShapeError, /^preluGrad: dy has shape \[1\]/],
    ['activationGrad dy', () => nr.activationGrad([1, 2], [1], 'relu'), nr.ShapeError, /^relu: dy has shape \[1\]/],
    ['loss shapes', () => nr.losses.meanSquaredError([1, 2], [[1, 2, 3]]), nr.ShapeError, /^meanSquaredError: /],
    ['metric shapes', () => nr.metrics.binaryAccuracy([[1, 0]], [[1, 0, 1]]), nr.ShapeError, /^metrics\.binaryAccuracy: yTrue has shape \[1,2\]/],
    ['psnr shapes', () => nr.psnr([[1, 2]], [[1, 2, 3]]), nr.ShapeError, /^psnr: a and b must have the same shape/],
    ['ssim window', () => nr.ssim(picture, picture2, { windowSize: 13 }), nr.InvalidArgumentError, /^ssim: /],
    ['resize size', () => nr.image.resizeBilinear(img, [2] as never), nr.InvalidArgumentError, /^resizeBilinear: size must be/],
    ['flipLeftRight rank', () => nr.image.flipLeftRight([[1, 2]]), nr.InvalidArgumentError, /^flipLeftRight: image must have rank 4/],
    ['argMax axis', () => nr.argMax([1, 2], 1), nr.InvalidArgumentError, /^argMax: axis 1 is out of range/],
  ];
  for (const [name, f, cls, msg] of cases) {
    it(name, () => {
      const start = handles();
      const tensors = nr.memory().numTensors;
      const err = thrown(f);
      expect(err, name).toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(msg);
      expect(handles()).toBe(start);
      expect(nr.memory().numTensors).toBe(tensors);
    });
  }

  it('inside tidy too, and the scope ends with nothing live', () => {
    const start = handles();
    expect(() => nr.tidy(() => nr.matMul([[1, 2]], [[1, 2]]))).toThrow(nr.ShapeError);
    const kept = nr.tidy(() => nr.add(nr.matMul([[1, 2]], [[3], [4]]), nr.concat([[1]])));
    expect(kept.array()).toEqual([[12]]);
    kept.dispose();
    expect(handles()).toBe(start);
  });
});

describe('under grad an array argument is a constant, and freeing its temporary is safe', () => {
  const tfGrad = (f: (x: tf.Tensor) => tf.Tensor, x: number[][] | number[]) => tf.tidy(() => Array.from(tf.grad(f)(tf.tensor(x)).dataSync()));

  it('matMul with an array a: d/dw sum(a·w) = aᵀ·1, as TF.js', () => {
    const start = handles();
    const w = nr.tensor([[0.5], [-1]]);
    const g = nr.grad((v: nr.Tensor) => nr.matMul([[1, 2], [3, 4]], v).sum())(w);
    expect(Array.from(g.data())).toEqual([4, 6]);
    expect(Array.from(g.data())).toEqual(tfGrad((v) => tf.sum(tf.matMul([[1, 2], [3, 4]], v)), [[0.5], [-1]]));
    // The same through the transposed form with both arguments given as arrays around the source.
    const g2 = nr.grad((v: nr.Tensor) => nr.matMul(nr.matMul([[1, 2]], v, false, false), [[2, 3]]).sum())(w);
    expect(Array.from(g2.data())).toEqual(tfGrad((v) => tf.sum(tf.matMul(tf.matMul([[1, 2]], v), [[2, 3]])), [[0.5], [-1]]));
    [w, g, g2].forEach((t) => t.dispose());
    expect(handles()).toBe(start);
  });

  it('concat with array entries around the source: its gradient, as TF.js', () => {
    const start = handles();
    const x = nr.tensor([1, -2]);
    const f = (v: nr.Tensor) => nr.concat([[5], v, Float32Array.from([7, 8])]).square().mul([1, 2, 3, 4, 5]).sum();
    const g = nr.grad(f)(x);
    expect(Array.from(g.data())).toEqual(tfGrad((v) => tf.sum(tf.mul(tf.square(tf.concat([[5], v, [7, 8]])), [1, 2, 3, 4, 5])), [1, -2]));
    expect(Array.from(g.data())).toEqual([2 * 1 * 2, 2 * -2 * 3]);
    [x, g].forEach((t) => t.dispose());
    expect(handles()).toBe(start);
  });

  it('softmax of an array is a constant factor; softmax of the source mixed with an array alpha in prelu', () => {
    const start = handles();
    const x = nr.tensor([0.5, -1, 2]);
    const g = nr.grad((v: nr.Tensor) => nr.mul(nr.softmax([1, 2, 3]), v).sum())(x);
    expectClose(g.data(), Float32Array.from(tfGrad((v) => tf.sum(tf.mul(tf.softmax([1, 2, 3]), v)), [0.5, -1, 2])), 1e-6, 1e-7);
    const g2 = nr.grad((v: nr.Tensor) => nr.softmax(nr.prelu(v, [0.1, 0.2, 0.3])).mul([1, 2, 3]).sum())(x);
    expectClose(g2.data(), Float32Array.from(tfGrad((v) => tf.sum(tf.mul(tf.softmax(tf.prelu(v, tf.tensor([0.1, 0.2, 0.3]))), [1, 2, 3])), [0.5, -1, 2])), 1e-5, 1e-6);
    [x, g, g2].forEach((t) => t.dispose());
    expect(handles()).toBe(start);
  });

  it('a freed temporary whose handle slot is reused before the backward pass does not change the gradient', () => {
    const start = handles();
    const w = nr.tensor([[1], [2]]);
    const f = (v: nr.Tensor) => {
      const y = nr.matMul([[3, 4]], v); // the temporary [[3, 4]] is freed here
      const z = nr.tensor([[10]]); // likely in the freed slot
      const u = nr.matMul(nr.reshape([1, 1], [1, 2]), v); // another temporary, freed
      return nr.add(nr.add(y, z), u).sum();
    };
    for (let i = 0; i < 3; i++) {
      const { value, grad } = nr.valueAndGrad(f)(w);
      expect(value.item()).toBe(3 + 8 + 10 + 3);
      expect(Array.from(grad.data())).toEqual([4, 5]);
      value.dispose();
      grad.dispose();
    }
    w.dispose();
    expect(handles()).toBe(start);
  });
});

describe('the signatures take TensorLike (a compile-time check, run once)', () => {
  it('calls without casts', () => {
    const results = nr.tidy(() => [
      nr.matMul([[1, 2]], [[3], [4]]).item(),
      nr.dot([1, 2], [3, 4]).item(),
      nr.concat([[1], [2, 3]]).size,
      nr.stack([[1], new Float32Array([2])]).size,
      nr.softmax([1, 1]).size,
      nr.reshape(new Int32Array([1, 2]), [2, 1]).rank,
      nr.losses.meanSquaredError([1], [3]).item(),
      nr.metrics.meanAbsoluteError([[1]], [[3]]).item(),
      nr.conv2d(nested([1, 2, 2, 1]) as number[][][][], [[[[1]]]], 1, 'valid').size,
      nr.topk([3, 1, 2]).values.item(),
    ]);
    expect(results).toEqual([11, 11, 3, 2, 2, 2, 4, 2, 4, 3]);
  });
});
