/**
 * Convolution and pooling on tensors, as TF.js's `conv2d`, `conv2dTranspose`, `maxPool` and
 * `avgPool` (channels last). The layers `layers.conv2d`, `layers.maxPooling2d` and `layers.averagePooling2d` run the
 * same kernels and backward rules (`crates/core/src/ops/{conv,pool}.rs`). `x` and `filter` may
 * be any TensorLike (nested arrays, as TF.js), temporary tensors freed after the op.
 */
import { inOp, InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { intArg, pair, show, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';
import { expandDims, squeeze } from './shape.js';
import { tidy } from '../scope.js';

/** A size per spatial axis, `n` meaning `[n, n]` (TF.js's `kernelSize`, `strides`, `poolSize`, `dilations`, …). */
export type Size2D = number | [number, number];

/** `'valid'`: the window only where it fits; `'same'`: zeros around so that `out = ⌈in / stride⌉`. */
export type Padding = 'valid' | 'same';

/** The ops' `pad`: a {@link Padding}, or TF.js's numeric pad `0`, which is `'valid'`. */
export type OpPadding = Padding | 0;

/** @internal `'same'` → 1, `'valid'` (or TF.js's numeric 0) → 0; TF.js's other numeric and explicit paddings get a way round. */
export function padArg(op: string, v: unknown): 0 | 1 {
  if (v === 'valid' || v === 0) return 0;
  if (v === 'same') return 1;
  const hint = typeof v === 'number' || Array.isArray(v) ? ` (numeric paddings other than 0, which is 'valid', and explicit paddings are not supported: pad x with pad() first, then use 'valid')` : '';
  throw new InvalidArgumentError(`${op}: pad must be 'valid', 'same' or 0, got ${show(v)}${hint}`);
}

/** @internal Only TF.js's default rounding (none is needed without numeric padding). */
export function noRounding(op: string, v: unknown): void {
  if (v !== undefined) throw new InvalidArgumentError(`${op}: dimRoundingMode applies to a numeric pad, which neurite does not support; leave it out (got ${show(v)})`);
}

/**
 * 2-D convolution of `x` (`[batch, height, width, inChannels]`, or one image `[height, width,
 * inChannels]`) with `filter` (`[filterHeight, filterWidth, inChannels, outChannels]`), as TF.js
 * `conv2d`: the result is `[batch, outHeight, outWidth, outChannels]` (rank 3 for a rank-3 `x`).
 * `pad` is `'valid'` or `'same'`; `dilations` spread the filter (atrous convolution). Unlike
 * TF.js, strides and dilations above 1 may be combined. Differentiable with respect to `x` and
 * `filter`.
 *
 * @example conv2d(images, filter, 1, 'same')                 // [n, h, w, out]
 * @example conv2d(images, filter, [2, 2], 'valid', 'NHWC', 2)  // strided, dilated
 */
export function conv2d<T extends Tensor = Tensor>(x: T | TensorLike, filter: TensorLike, strides: Size2D, pad: OpPadding, dataFormat: 'NHWC' = 'NHWC', dilations: Size2D = 1, dimRoundingMode?: never): T {
  const op = 'conv2d';
  return withTensors(op, { x, filter }, ({ x, filter }) => {
    const hx = x.handleFor(op, 'x');
    const hf = filter.handleFor(op, 'filter');
    const [sh, sw] = pair(op, 'strides', strides);
    const same = padArg(op, pad);
    if (dataFormat !== undefined && dataFormat !== 'NHWC') {
      throw new InvalidArgumentError(`${op}: dataFormat must be 'NHWC' ([batch, height, width, channels]), the only layout neurite has; got ${show(dataFormat)}`);
    }
    const [dh, dw] = pair(op, 'dilations', dilations, [1, 1]);
    noRounding(op, dimRoundingMode);
    return runOp((e, out) => e.nr_conv2d(hx, hf, sh, sw, dh, dw, same, out));
  }) as T;
}

/**
 * A 1-D convolution (TF.js `conv1d`): `x` `[batch, width, inChannels]` (or one sequence,
 * rank 2), `filter` `[filterWidth, inChannels, outChannels]`, `stride` and `dilation` numbers,
 * `pad` `'valid'` or `'same'`. It is {@link conv2d} on each sequence as an image one row high
 * (TF.js computes it so too): the same values and gradients, with respect to `x` and `filter`.
 *
 * @example conv1d(signal, filter, 1, 'same')   // [b, 100, 1] with [5, 1, 8] → [b, 100, 8]
 */
export function conv1d<T extends Tensor = Tensor>(x: T | TensorLike, filter: TensorLike, stride: number, pad: OpPadding, dataFormat: 'NWC' = 'NWC', dilation = 1, dimRoundingMode?: never): T {
  return withTensors('conv1d', { x, filter }, ({ x, filter }) => conv1dOf(x, filter, stride, pad, dataFormat, dilation, dimRoundingMode)) as T;
}

function conv1dOf(x: Tensor, filter: Tensor, stride: number, pad: OpPadding, dataFormat: 'NWC', dilation: number, dimRoundingMode: unknown): Tensor {
  const op = 'conv1d';
  if (x.rank !== 2 && x.rank !== 3) throw new InvalidArgumentError(`${op}: x must be [batch, width, inChannels] or [width, inChannels], got shape ${show(x.shape)}`);
  if (filter.rank !== 3) throw new InvalidArgumentError(`${op}: filter must be [filterWidth, inChannels, outChannels], got shape ${show(filter.shape)}`);
  const s = intArg(op, 'stride', stride, 1, 65536);
  padArg(op, pad);
  if (dataFormat !== undefined && dataFormat !== 'NWC') {
    throw new InvalidArgumentError(`${op}: dataFormat must be 'NWC' ([batch, width, channels]), the only layout neurite has; got ${show(dataFormat)}`);
  }
  const d = intArg(op, 'dilation', dilation, 1, 65536);
  noRounding(op, dimRoundingMode);
  if (filter.shape[1] !== x.shape[x.rank - 1]) {
    throw new ShapeError(`${op}: filter has ${filter.shape[1]} input channels (shape ${show(filter.shape)}) but x has ${x.shape[x.rank - 1]} (shape ${show(x.shape)})`);
  }
  const row = x.rank - 2; // the axis of the one-row images' height
  try {
    return tidy(() => squeeze(conv2d(expandDims(x, row), expandDims(filter, 0), [1, s], pad, 'NHWC', [1, d]), [row]));
  } catch (err) {
    throw inOp(op, err, 'conv2d');
  }
}

/**
 * The transpose of {@link conv2d} (TF.js `conv2dTranspose`, sometimes called deconvolution): the
 * gradient of a `conv2d` with respect to its input, used as a learned upsampling in decoders.
 * `x` is `[batch, height, width, inChannels]` (or one image, rank 3), `filter` `[filterHeight,
 * filterWidth, outChannels, inChannels]`, `outputShape` `[batch, outHeight, outWidth,
 * outChannels]` (rank 3 for one image): a `conv2d` of an image of that shape with `filter`,
 * `strides` and `pad` must give x's height and width (with strides above 1 several output sizes
 * do, hence the argument): for x's height `h`, `(h − 1)·s + 1` to `h·s` with `'same'` and
 * `(h − 1)·s + k` to `h·s + k − 1` with `'valid'` (the error names the range), which holds
 * every size of Keras 3's `output_padding` except with `'same'`, an even filter and no output
 * padding. Differentiable with respect to `x` and `filter`.
 *
 * @example conv2dTranspose(codes, filter, [n, 14, 14, 1], 2, 'same')   // 7×7 → 14×14
 * conv2dTranspose(codes, filter, [n, 13, 13, 1], 2, 'same')   // 7×7 → 13×13 (Keras's outputPadding 0 with a 3×3 filter)
 */
export function conv2dTranspose<T extends Tensor = Tensor>(x: T | TensorLike, filter: TensorLike, outputShape: number[], strides: Size2D, pad: OpPadding, dimRoundingMode?: never): T {
  const op = 'conv2dTranspose';
  return withTensors(op, { x, filter }, ({ x, filter }) => conv2dTransposeOf(x, filter, outputShape, strides, pad, dimRoundingMode)) as T;
}

function conv2dTransposeOf(x: Tensor, filter: Tensor, outputShape: number[], strides: Size2D, pad: OpPadding, dimRoundingMode: unknown): Tensor {
  const op = 'conv2dTranspose';
  const hx = x.handleFor(op, 'x');
  const hf = filter.handleFor(op, 'filter');
  if (!Array.isArray(outputShape) || (outputShape.length !== 3 && outputShape.length !== 4)) {
    throw new InvalidArgumentError(`${op}: outputShape must be [batch, height, width, channels] or [height, width, channels], got ${show(outputShape)}`);
  }
  const dims = outputShape.map((d, i) => intArg(op, `outputShape[${i}]`, d, 0));
  if (dims.length !== x.rank) {
    throw new InvalidArgumentError(`${op}: outputShape ${show(outputShape)} has rank ${dims.length} but x has rank ${x.rank} (shape ${show(x.shape)}): both are one image (rank 3) or a batch (rank 4)`);
  }
  if (dims.length === 4 && dims[0] !== x.shape[0]) {
    throw new InvalidArgumentError(`${op}: outputShape ${show(outputShape)} has batch ${dims[0]} but x has ${x.shape[0]} images (shape ${show(x.shape)})`);
  }
  const [oh, ow, oc] = dims.slice(-3);
  const [sh, sw] = pair(op, 'strides', strides);
  const same = padArg(op, pad);
  noRounding(op, dimRoundingMode);
  return runOp((e, out) => e.nr_conv2d_transpose(hx, hf, oh, ow, oc, sh, sw, same, out));
}

/**
 * The transpose of {@link conv1d} (neurite's own: TF.js has no 1-D transpose op; TensorFlow's
 * `tf.nn.conv1d_transpose` without dilation): the gradient of a `conv1d` with respect to its
 * input, a learned upsampling of sequences. `x` is `[batch, width, inChannels]` (or one
 * sequence, rank 2), `filter` `[filterWidth, outChannels, inChannels]` (Keras's
 * Conv1DTranspose kernel), `outputShape` `[batch, outWidth, outChannels]` (rank 2 for one
 * sequence): a `conv1d` of a sequence of that shape with `filter`, `stride` and `pad` must give
 * x's width. It is {@link conv2dTranspose} on each sequence as an image one row high: the same
 * values and gradients, with respect to `x` and `filter`.
 *
 * @example conv1dTranspose(codes, filter, [n, 100, 1], 2, 'same')   // [n, 50, 8] with [5, 1, 8] → [n, 100, 1]
 */
export function conv1dTranspose<T extends Tensor = Tensor>(x: T | TensorLike, filter: TensorLike, outputShape: number[], stride: number, pad: OpPadding): T {
  return withTensors('conv1dTranspose', { x, filter }, ({ x, filter }) => conv1dTransposeOf(x, filter, outputShape, stride, pad)) as T;
}

function conv1dTransposeOf(x: Tensor, filter: Tensor, outputShape: number[], stride: number, pad: OpPadding): Tensor {
  const op = 'conv1dTranspose';
  if (x.rank !== 2 && x.rank !== 3) throw new InvalidArgumentError(`${op}: x must be [batch, width, inChannels] or [width, inChannels], got shape ${show(x.shape)}`);
  if (filter.rank !== 3) throw new InvalidArgumentError(`${op}: filter must be [filterWidth, outChannels, inChannels], got shape ${show(filter.shape)}`);
  if (!Array.isArray(outputShape) || outputShape.length !== x.rank) {
    throw new InvalidArgumentError(`${op}: outputShape must be [batch, width, channels] for x of shape [batch, width, inChannels] ([width, channels] for one sequence), got ${show(outputShape)} with x of shape ${show(x.shape)}`);
  }
  const dims = outputShape.map((d, i) => intArg(op, `outputShape[${i}]`, d, 0));
  if (dims.length === 3 && dims[0] !== x.shape[0]) {
    throw new InvalidArgumentError(`${op}: outputShape ${show(outputShape)} has batch ${dims[0]} but x has ${x.shape[0]} sequences (shape ${show(x.shape)})`);
  }
  const s = intArg(op, 'stride', stride, 1, 65536);
  const same = padArg(op, pad);
  if (filter.shape[2] !== x.shape[x.rank - 1]) {
    throw new ShapeError(`${op}: filter has ${filter.shape[2]} input channels (filter[2], shape ${show(filter.shape)}) but x has ${x.shape[x.rank - 1]} (shape ${show(x.shape)}): filter[2] must equal x's last dimension`);
  }
  if (filter.shape[1] !== dims[dims.length - 1]) {
    throw new ShapeError(`${op}: filter has ${filter.shape[1]} output channels (filter[1], shape ${show(filter.shape)}) but outputShape ${show(outputShape)} has ${dims[dims.length - 1]}: they must be equal`);
  }
  // The widths whose conv1d with this filter, stride and pad is x's, said in 1-D terms (the
  // conv2dTranspose below would name its one-row images).
  const w = x.shape[x.rank - 2], k = filter.shape[0], outW = dims[dims.length - 2];
  const lo = same ? (w - 1) * s + 1 : (w - 1) * s + k, hi = same ? w * s : w * s + k - 1;
  if (w > 0 && (outW < lo || outW > hi)) {
    throw new InvalidArgumentError(`${op}: outputShape ${show(outputShape)} does not go with x of shape ${show(x.shape)}: with a filter of width ${k}, stride ${s} and pad '${same ? 'same' : 'valid'}', the widths whose conv1d is x's ${w} are ${lo === hi ? lo : `${lo} to ${hi}`}, got ${outW}`);
  }
  const row = x.rank - 2; // the axis of the one-row images' height
  const out = [...dims.slice(0, row), 1, ...dims.slice(row)];
  try {
    return tidy(() => squeeze(conv2dTranspose(expandDims(x, row), expandDims(filter, 0), out, [1, s], pad), [row]));
  } catch (err) {
    throw inOp(op, err, 'conv2dTranspose');
  }
}

function pool(op: 'maxPool' | 'avgPool', x: TensorLike, filterSize: Size2D, strides: Size2D, pad: OpPadding, dimRoundingMode: unknown): Tensor {
  return withTensors(op, { x }, ({ x }) => {
    const h = x.handleFor(op, 'x');
    const [kh, kw] = pair(op, 'filterSize', filterSize);
    const [sh, sw] = pair(op, 'strides', strides);
    const same = padArg(op, pad);
    noRounding(op, dimRoundingMode);
    return runOp((e, out) => e.nr_pool2d(h, op === 'maxPool' ? 1 : 0, kh, kw, sh, sw, same, out));
  });
}

/**
 * The largest value of each `filterSize` window of `x` (`[batch, height, width, channels]` or
 * `[height, width, channels]`), channel by channel, as TF.js `maxPool`. A window holding NaN
 * gives NaN. The gradient goes to the first largest value of each window in row-major order
 * (TF.js's choice for ties).
 *
 * @example maxPool(images, 2, 2, 'valid')   // halves height and width
 */
export function maxPool<T extends Tensor = Tensor>(x: T | TensorLike, filterSize: Size2D, strides: Size2D, pad: OpPadding, dimRoundingMode?: never): T {
  return pool('maxPool', x, filterSize, strides, pad, dimRoundingMode) as T;
}

/**
 * The mean of each `filterSize` window of `x` (`[batch, height, width, channels]` or `[height,
 * width, channels]`), channel by channel, as TF.js `avgPool`; with `'same'`, over the window's
 * positions inside the input (the padding is not counted, as TensorFlow).
 *
 * @example avgPool(images, [3, 3], 1, 'same')
 */
export function avgPool<T extends Tensor = Tensor>(x: T | TensorLike, filterSize: Size2D, strides: Size2D, pad: OpPadding, dimRoundingMode?: never): T {
  return pool('avgPool', x, filterSize, strides, pad, dimRoundingMode) as T;
}
