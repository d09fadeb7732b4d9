/**
 * `compression.dct`: the orthonormal discrete cosine transform, 2-D on N×N blocks
 * (`forward2d`, `inverse2d`) and 1-D over the last axis, of any length (`forward1d`,
 * `inverse1d`); `crates/core/src/compression/dct.rs`.
 *
 * 2-D: `x` is a Float32 tensor `[..., height, width]` whose last two axes are images
 * (any leading axes are a batch); height and width must be multiples of `blockSize`
 * (default 8), else an `InvalidArgumentError`: the transform does not pad (as scipy's `dctn`,
 * which has no blocks at all, pads nothing). `codecs.dct` pads an image of any size (sides up to
 * 65,536) by repeating its last row and column; here, pad first (`pad`, or `mirrorPad(x, [[0, (8 - h % 8) % 8],
 * [0, (8 - w % 8) % 8]], 'symmetric')`) and crop the inverse. Each block is replaced by its coefficients, DC at the block's top-left. The
 * forward transform is DCT-II with the orthonormal scaling (energy preserving; for 8×8 this
 * is JPEG's DCT), the inverse is DCT-III, so `inverse2d(forward2d(x))` returns `x` up to
 * rounding.
 *
 * 1-D: `x` is `[..., length]`; by default the whole last axis is one block, which is scipy's
 * `scipy.fft.dct(x, type=2, norm='ortho', axis=-1)` (and `idct` for `inverse1d`); a
 * `blockSize` that divides the length transforms each block of it alone (at most 262,144
 * values per block: frame longer signals with `signal.frame`). Computed in float64 through an
 * FFT, O(N log N) at every length.
 *
 * All four are differentiable (`grad`, custom losses): each transform is orthonormal, so the
 * gradient of one is the other applied to the output's gradient. TF.js has no DCT.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { need } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { checkKeys, intOption } from '../classic/common.js';
import { LIMITS } from './limits.js';

/** Options of the DCT. */
export interface DctOptions {
  /**
   * The block side N: 1..64 for the 2-D transforms (default 8); 1..262144 for the 1-D ones,
   * a divisor of the last axis (default: the whole last axis).
   */
  blockSize?: number | undefined;
}

function run(op: string, x: Tensor, options: DctOptions | undefined, inverse: number, oneD: boolean): Tensor {
  const o = checkKeys(op, options, ['blockSize']);
  const n = oneD ? (o.blockSize === undefined ? 0 : intOption(op, 'blockSize', o.blockSize, 1, LIMITS.dct1dMaxBlock)) : intOption(op, 'blockSize', o.blockSize ?? 8, 1, LIMITS.dct2dMaxBlock);
  const h = need(op, 'x', x);
  return call((e) => {
    check(e.nr_dct(h, n, inverse, oneD ? 1 : 2, outPtr(0)));
    return wrapHandle(readOut(0));
  });
}

/**
 * Forward blockwise DCT-II.
 * @example
 * compression.dct.forward2d(ones([8, 8])); // 8 at [0, 0], zeros elsewhere
 */
export function forward2d(x: Tensor, options?: DctOptions): Tensor {
  return run('compression.dct.forward2d', x, options, 0, false);
}

/** Inverse blockwise DCT (DCT-III), the inverse of {@link forward2d}. */
export function inverse2d(x: Tensor, options?: DctOptions): Tensor {
  return run('compression.dct.inverse2d', x, options, 1, false);
}

/**
 * Forward 1-D DCT-II (orthonormal) over the last axis, as scipy's `dct(x, norm='ortho')`.
 * @example
 * compression.dct.forward1d(tensor([1, 1, 1, 1])); // [2, 0, 0, 0]
 * compression.dct.forward1d(signal, { blockSize: 32 }); // each 32 samples alone
 */
export function forward1d(x: Tensor, options?: DctOptions): Tensor {
  return run('compression.dct.forward1d', x, options, 0, true);
}

/** Inverse 1-D DCT (DCT-III, orthonormal), the inverse of {@link forward1d}: scipy's `idct(x, norm='ortho')`. */
export function inverse1d(x: Tensor, options?: DctOptions): Tensor {
  return run('compression.dct.inverse1d', x, options, 1, true);
}
