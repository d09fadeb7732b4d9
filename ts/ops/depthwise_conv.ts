/**
 * `depthwiseConv2d` and `separableConv2d` (TF.js names and arguments): the depthwise kernel of
 * the wasm core (`ops/depthwise.rs`, with its backward rule), and for the separable form a 1×1
 * {@link conv2d} after it.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { pair, show, withTensors, type TensorLike } from './convert.js';
import { runOp } from './run.js';
import { conv2d, noRounding, padArg, type OpPadding, type Size2D } from './convolution.js';

/** `x` as `[batch, h, w, c]` and whether it was one image; `filter` checked to be `[fh, fw, c, m]`. */
function checked(op: string, x: Tensor, filter: Tensor, arg: string, dataFormat: unknown): boolean {
  if (x.rank !== 3 && x.rank !== 4) throw new InvalidArgumentError(`${op}: x must be [batch, height, width, inChannels] or [height, width, inChannels], got shape ${show(x.shape)}`);
  if (filter.rank !== 4) throw new InvalidArgumentError(`${op}: ${arg} must be [filterHeight, filterWidth, inChannels, channelMultiplier], got shape ${show(filter.shape)}`);
  const c = x.shape[x.rank - 1];
  if (filter.shape[2] !== c) {
    throw new InvalidArgumentError(`${op}: ${arg} has ${filter.shape[2]} input channels (shape ${show(filter.shape)}) but x has ${c} (shape ${show(x.shape)})`);
  }
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new InvalidArgumentError(`${op}: dataFormat must be 'NHWC' ([batch, height, width, channels]), the only layout neurite has; got ${show(dataFormat)}`);
  }
  return x.rank === 3;
}

/** The depthwise convolution of checked arguments: the wasm kernel, with its backward rule. */
function depthwise(op: string, x: Tensor, filter: Tensor, strides: Size2D, pad: OpPadding, dilations: Size2D, dimRoundingMode: never | undefined): Tensor {
  const hx = x.handleFor(op, 'x');
  const hf = filter.handleFor(op, 'filter');
  const [sh, sw] = pair(op, 'strides', strides);
  const same = padArg(op, pad);
  const [dh, dw] = pair(op, 'dilations', dilations, [1, 1]);
  noRounding(op, dimRoundingMode);
  return runOp((e, out) => e.nr_depthwise_conv2d(hx, hf, sh, sw, dh, dw, same, out));
}

/**
 * Depthwise 2-D convolution, as TF.js `depthwiseConv2d`: each input channel `c` of `x`
 * (`[batch, h, w, inChannels]` or one image `[h, w, inChannels]`) is convolved with its own
 * `channelMultiplier` filters `filter[:, :, c, :]` (`filter`: `[fh, fw, inChannels,
 * channelMultiplier]`); output channel `c·channelMultiplier + m` is filter `m` of channel `c`.
 * `pad` is `'valid'` or `'same'`; strides and dilations above 1 may be combined (TF.js
 * requires one of them to be 1). Differentiable with respect to `x` and `filter`.
 *
 * @example depthwiseConv2d(images, filter, 1, 'same')   // [n, h, w, c·m]
 * @throws {@link InvalidArgumentError} for ranks or channel counts that do not fit, a layout
 *   other than `'NHWC'`, or the arguments conv2d rejects (named as depthwiseConv2d's).
 */
export function depthwiseConv2d<T extends Tensor = Tensor>(x: T | TensorLike, filter: TensorLike, strides: Size2D, pad: OpPadding, dataFormat: 'NHWC' = 'NHWC', dilations: Size2D = 1, dimRoundingMode?: never): T {
  const op = 'depthwiseConv2d';
  return withTensors(op, { x, filter }, (t) => {
    checked(op, t.x, t.filter, 'filter', dataFormat);
    return depthwise(op, t.x, t.filter, strides, pad, dilations, dimRoundingMode);
  }) as T;
}

/**
 * Depthwise separable 2-D convolution, as TF.js `separableConv2d`: {@link depthwiseConv2d}
 * with `depthwiseFilter` (`[fh, fw, inChannels, channelMultiplier]`), then a 1×1
 * {@link conv2d} with `pointwiseFilter` (`[1, 1, inChannels·channelMultiplier, outChannels]`)
 * that mixes the channels. Differentiable with respect to `x` and both filters.
 *
 * @example separableConv2d(images, dw, pw, 1, 'same')   // [n, h, w, outChannels]
 * @throws {@link InvalidArgumentError} when the filters' shapes do not fit `x` or each other,
 *   and for the arguments depthwiseConv2d rejects.
 */
export function separableConv2d<T extends Tensor = Tensor>(
  x: T | TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: Size2D, pad: OpPadding, dilation: Size2D = 1, dataFormat: 'NHWC' = 'NHWC',
): T {
  const op = 'separableConv2d';
  return withTensors(op, { x, depthwiseFilter, pointwiseFilter }, (t) => {
    checked(op, t.x, t.depthwiseFilter, 'depthwiseFilter', dataFormat);
    const pw = t.pointwiseFilter;
    const inner = t.depthwiseFilter.shape[2] * t.depthwiseFilter.shape[3];
    if (pw.rank !== 4 || pw.shape[0] !== 1 || pw.shape[1] !== 1 || pw.shape[2] !== inner) {
      throw new InvalidArgumentError(
        `${op}: pointwiseFilter must be [1, 1, ${inner}, outChannels] (inChannels·channelMultiplier = ${inner} from depthwiseFilter ${show(t.depthwiseFilter.shape)}), got shape ${show(pw.shape)}`,
      );
    }
    return composite(op, () => conv2d(depthwise(op, t.x, t.depthwiseFilter, strides, pad, dilation, undefined), pw, 1, 'valid'));
  }) as T;
}
