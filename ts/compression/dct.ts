/**
 * `compression.dct`: the orthonormal 2-D DCT on N×N blocks (`crates/core/src/compression/dct.rs`).
 *
 * API shape: `x` is a Float32 tensor `[..., height, width]` whose last two axes are images
 * (any leading axes are a batch); height and width must be multiples of `blockSize`
 * (default 8), else an `InvalidArgumentError`: the transform does not pad (as scipy's `dctn`,
 * which has no blocks at all, pads nothing). `codecs.dct` pads an image of any size by
 * repeating its last row and column; here, pad first (`pad`, or `mirrorPad(x, [[0, (8 - h % 8) % 8],
 * [0, (8 - w % 8) % 8]], 'symmetric')`) and crop the inverse. Each block is replaced by its coefficients, DC at the block's top-left. The
 * forward transform is DCT-II with the orthonormal scaling (energy preserving; for 8×8 this
 * is JPEG's DCT), the inverse is DCT-III, so `inverse2d(forward2d(x))` returns `x` up to
 * rounding.
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { need } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { checkKeys, intOption } from '../classic/common.js';

/** Options of the DCT. */
export interface DctOptions {
  /** The block side N, 1..64 (default 8). */
  blockSize?: number | undefined;
}

function run(op: string, x: Tensor, options: DctOptions | undefined, inverse: number): Tensor {
  const o = checkKeys(op, options, ['blockSize']);
  const n = intOption(op, 'blockSize', o.blockSize ?? 8, 1, 64);
  const h = need(op, 'x', x);
  return call((e) => {
    check(e.nr_dct2d(h, n, inverse, outPtr(0)));
    return wrapHandle(readOut(0));
  });
}

/**
 * Forward blockwise DCT-II.
 * @example
 * compression.dct.forward2d(ones([8, 8])); // 8 at [0, 0], zeros elsewhere
 */
export function forward2d(x: Tensor, options?: DctOptions): Tensor {
  return run('compression.dct.forward2d', x, options, 0);
}

/** Inverse blockwise DCT (DCT-III), the inverse of {@link forward2d}. */
export function inverse2d(x: Tensor, options?: DctOptions): Tensor {
  return run('compression.dct.inverse2d', x, options, 1);
}
