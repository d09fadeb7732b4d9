/** `pool` (TF.js's op): max or average pooling with optional dilations, as TF.js composes it. */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { noRounding, padArg, avgPool, maxPool, type OpPadding, type Size2D } from './convolution.js';
import { pair, show, withTensors, type TensorLike } from './convert.js';
import { reshape } from './shape.js';
import { batchToSpaceND, spaceToBatchND } from './space_to_batch.js';

/** `'max'`: the largest value of each window; `'avg'`: their mean. */
export type PoolingType = 'avg' | 'max';

/**
 * Max or average pooling of `input` (`[batch, height, width, channels]` or `[height, width,
 * channels]`) over `windowShape` windows whose taps are `dilations` apart, as TF.js
 * `pool(input, windowShape, poolingType, pad, dilations, strides)`. Without dilation it is
 * {@link maxPool} or {@link avgPool} with `strides`. With dilations above 1 it is TF.js's (and
 * TensorFlow's) composition: {@link spaceToBatchND} by the dilations (zero padding of
 * `(windowShape − 1) · dilations` for `'same'`, split as `'same'` splits it, and at the end up
 * to a multiple of the dilation), an undilated `'valid'` pooling, then {@link batchToSpaceND}
 * cropping that end padding. Each output axis is `⌈in / stride⌉` long with `'same'` and
 * `⌊(in − span) / stride⌋ + 1` with `'valid'` (`span = (window − 1) · dilation + 1`). Note
 * (TF.js's semantics, kept): with `'same'` and dilations above 1 the zeros of that padding are
 * pooled like values (a max over negative values near the border gives 0, an average there
 * counts them), where the undilated `'same'` leaves padding out. Max is exact; avg sums in
 * float32 as {@link avgPool} does. Differentiable through the ops it is made of.
 *
 * Differences from TF.js 4.22: a `poolingType` other than `'avg'` or `'max'` is an error
 * (TF.js max-pools for any other value); a numeric pad other than 0 (which TF.js's `pool`
 * reads as `'valid'`, and so does this) and explicit paddings are errors; `dimRoundingMode` is
 * refused (it only applies to numeric pads). As in {@link maxPool} and {@link avgPool}: a
 * `'valid'` window that does not fit the input is an error (TF.js returns an empty tensor), a
 * max window holding NaN gives NaN (TF.js's CPU kernel skips NaN), and the gradient of an
 * undilated `'same'` avg is the derivative of the forward (TF.js's divides by the whole window
 * also where the padding cuts it).
 *
 * @example pool(images, 3, 'max', 'same', 2)             // dilated max pooling, [n, h, w, c]
 * @example pool(images, [2, 2], 'avg', 'valid', 1, 2)     // = avgPool(images, 2, 2, 'valid')
 * @throws {@link InvalidArgumentError} when `input` is not rank 3 or 4, `windowShape`,
 *   `dilations` or `strides` is not a positive integer or a pair of them, `poolingType` is
 *   not `'avg'` or `'max'`, `pad` is not `'valid'` or `'same'` (or 0), a dilation and a stride
 *   are both above 1 (TF.js's rule: strides or dilations must be all 1), a `'valid'` window
 *   does not fit, or `dimRoundingMode` is given; {@link OutOfMemoryError} when the padded input
 *   of a dilated pooling would be too large.
 */
export function pool<T extends Tensor = Tensor>(input: T | TensorLike, windowShape: Size2D, poolingType: PoolingType, pad: OpPadding, dilations?: Size2D | null, strides?: Size2D | null, dimRoundingMode?: never): T {
  const op = 'pool';
  return withTensors(op, { input }, (t) => {
    const s = t.input.shape;
    if (s.length !== 3 && s.length !== 4) {
      throw new InvalidArgumentError(`${op}: input must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got shape [${s}]`);
    }
    const [kh, kw] = pair(op, 'windowShape', windowShape);
    if (poolingType !== 'avg' && poolingType !== 'max') throw new InvalidArgumentError(`${op}: poolingType must be 'avg' or 'max', got ${show(poolingType)}`);
    const same = padArg(op, pad) === 1;
    const padding = same ? 'same' : 'valid';
    const [dh, dw] = dilations === undefined || dilations === null ? [1, 1] : pair(op, 'dilations', dilations);
    const [sh, sw] = strides === undefined || strides === null ? [1, 1] : pair(op, 'strides', strides);
    noRounding(op, dimRoundingMode);
    const dilated = dh > 1 || dw > 1;
    if (dilated && (sh > 1 || sw > 1)) {
      throw new InvalidArgumentError(`${op}: either strides or dilations must be 1, got strides [${sh},${sw}] and dilations [${dh},${dw}] (a dilated pooling has stride 1, as in TF.js)`);
    }
    const [n, h, w, c] = s.length === 4 ? s : [1, ...s];
    // The window's span with its dilation.
    const [eh, ew] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
    if (!same && (eh > h || ew > w)) {
      const span = dilated ? ` dilated by [${dh},${dw}] (spanning [${eh},${ew}])` : '';
      throw new InvalidArgumentError(`${op}: the window [${kh},${kw}]${span} does not fit the input's height and width [${h},${w}] with pad 'valid' (input shape [${s}]); use pad 'same' or a smaller window`);
    }
    const fn = poolingType === 'max' ? maxPool : avgPool;
    if (!dilated) return composite(op, () => fn(t.input, [kh, kw], [sh, sw], padding));
    const x4 = (): Tensor => (s.length === 4 ? t.input : reshape(t.input, [n, h, w, c]));
    const back = (y: Tensor): Tensor => (s.length === 4 ? y : reshape(y, y.shape.slice(1)));
    // An empty input gives an empty output (its shape: stride 1, so h × w with 'same').
    if (t.input.size === 0) return composite(op, () => back(reshape(x4(), same ? [n, h, w, c] : [n, h - eh + 1, w - ew + 1, c])));
    const block = [dh, dw];
    // TF.js's base paddings ('same': the dilated window's extent minus 1, the odd one at the
    // end, a multiple of the dilation) and the end padding that makes each axis divisible.
    const base = [eh - 1, ew - 1].map((e) => [Math.floor(e / 2), e - Math.floor(e / 2)] as [number, number]);
    const extra = [h, w].map((d, i) => (block[i] - (d % block[i])) % block[i]);
    const paddings = block.map((_, i): [number, number] => (same ? [base[i][0], base[i][1] + extra[i]] : [0, extra[i]]));
    const crops = block.map((_, i): [number, number] => [0, extra[i]]);
    return composite(op, () => back(batchToSpaceND(fn(spaceToBatchND(x4(), block, paddings), [kh, kw], 1, 'valid'), block, crops)));
  }) as T;
}
