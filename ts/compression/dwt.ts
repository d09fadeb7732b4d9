/**
 * `compression.dwt`: separable 2-D discrete wavelet transforms in lifting form
 * (`crates/core/src/compression/dwt.rs`).
 *
 * API shape: `x` is a Float32 tensor `[..., height, width]` of any size (not only powers of
 * two; borders use whole-sample symmetric extension). Each level splits the current
 * low-pass region into `⌈h/2⌉ × ⌈w/2⌉` LL (top-left), HL (right), LH (below) and HH; the
 * next level transforms LL (the Mallat layout of JPEG 2000). `haar` is orthonormal at even
 * sizes; the last sample of an odd line pairs with its mirror image (as PyWavelets'
 * `symmetric` and `periodization` modes), so its low-pass coefficient is the sample times √2
 * and a constant has no detail at any level. `cdf97` (JPEG 2000's lossy filter) is biorthogonal, scaled so that one quantisation
 * step suits every subband (a unit coefficient's synthesis vector has norm 0.55..1.66), but it
 * does not preserve energy exactly: with even sides a constant image keeps its energy, while
 * each odd side `n` of a level's region multiplies a constant or smooth image's coefficient
 * energy by `(n+1)/n` (its two end low-pass coefficients sit on the symmetric extension's
 * mirror axes; 7×7: 1.31×, 9×9 at 3 levels: 3.16×), and their synthesis vectors are
 * correspondingly shorter, so quantising them costs no more. `cdf53` is the integer JPEG 2000
 * lossless filter, computed exactly on integers (of magnitude below 2^31): `inverse2d`
 * restores what `forward2d` gave exactly. A result that float32 cannot hold exactly (an odd
 * integer past 2^24) is an error, not a rounded value; inputs below 2^20 in magnitude always
 * fit at one level (a 2-D step at most quadruples magnitudes).
 *
 * One-dimensional signals: a signal of `n` samples is the `[1, n]` image (a batch of windows
 * `[b, 1, n]`): its column has one sample, which every level leaves as it is, so each level
 * splits the row alone, `⌈n/2⌉` low-pass then `⌊n/2⌋` detail coefficients, with no padding and
 * no extra coefficients (PyWavelets' `wavedec` in its default `symmetric` mode gives
 * `⌊(n + len − 1)/2⌋` of each). Against PyWavelets, one level of `cdf97` is `pywt.dwt(x,
 * 'bior4.4', mode='reflect')` cropped (offset 2) with the detail negated, and `haar` is
 * `pywt.dwt(x, 'haar', mode='periodization')` with the detail negated. Deeper levels are this
 * transform iterated on the cropped low-pass band (`pywt.dwt` then the crop, level by level),
 * which samples another phase than `pywt.wavedec`'s padded bands from level 3 on (for `haar` on
 * power-of-two lengths the two agree), so port thresholds, not coefficient indices.
 *
 * Gradients (`grad`, a loss on wavelet coefficients): `haar` and `cdf97` are linear, and the
 * gradient of each transform is its transpose applied to the output's gradient (for `cdf97`,
 * biorthogonal, that is not the other transform). `cdf53` rounds in every lifting step and
 * has none: a gradient through it is an `InvalidArgumentError` (`grad: compression.dwt.forward2d
 * with wavelet 'cdf53' has no gradient …`) that points to `haar` and `cdf97`.
 *
 * @example
 * const x = tensor2d(signal, [1, signal.length]);        // one signal as a 1-row image
 * const c = compression.dwt.forward2d(x, { wavelet: 'cdf97', levels: 3 });
 */
import { call, check, outPtr, readOut } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { describe, need } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import { checkKeys, intOption } from '../classic/common.js';

/** The wavelets. */
export const WAVELETS = ['haar', 'cdf53', 'cdf97'] as const;
/** A wavelet by name (see {@link WAVELETS}). */
export type WaveletName = (typeof WAVELETS)[number];

/** Options of the DWT. */
export interface DwtOptions {
  /** Which wavelet (default `'cdf97'`). */
  wavelet?: WaveletName | undefined;
  /**
   * How many levels, 0..16 (default 1). Each level transforms the low band of the one before,
   * halving its sides (rounding up), so an `H × W` image has at most ⌈log₂ max(H, W)⌉ levels
   * that change anything: more (4 on an 8×8 image, as pywt's "level too high") give the same
   * coefficients as that many.
   */
  levels?: number | undefined;
}

function run(op: string, x: Tensor, options: DwtOptions | undefined, inverse: number): Tensor {
  const o = checkKeys(op, options, ['wavelet', 'levels']);
  const name = o.wavelet ?? 'cdf97';
  const id = WAVELETS.indexOf(name as WaveletName);
  if (id < 0) throw new InvalidArgumentError(`${op}: wavelet must be one of ${WAVELETS.join(', ')}, got ${describe(name)}`);
  const levels = intOption(op, 'levels', o.levels ?? 1, 0, 16);
  const h = need(op, 'x', x);
  return call((e) => {
    check(e.nr_dwt2d(h, id, levels, inverse, outPtr(0)));
    return wrapHandle(readOut(0));
  });
}

/**
 * Forward 2-D DWT of `x` (`[..., height, width]`, any sizes), `levels` times on the low band.
 * Conventions (details in the module's notes): the Mallat layout, LL top-left, then HL
 * (right), LH (below), HH; `haar` is orthonormal (`[1, 2]` → `[2.1213, 0.7071]`: low-pass
 * `(a + b)/√2`, detail `(b − a)/√2`, the negative of PyWavelets' `pywt.dwt` detail), and
 * `cdf97` has a low-pass gain of √2 per axis (a constant image of ones gives LL = 2, as
 * `bior4.4`), with details negated against PyWavelets too; an odd side's last sample pairs
 * with its mirror image (so energy is not kept exactly there), but an axis of length 1 is left
 * as it is (a `[1, n]` image is the 1-D transform of its row; PyWavelets gives `√2·x` for one
 * sample); `cdf53` is an integer transform that `inverse2d` undoes exactly, with two limits,
 * each an `InvalidArgumentError` when broken: the values must be integers of magnitude below
 * 2^31, and every result (each coefficient, and each value between lifting steps) must be an
 * integer float32 holds exactly, as all below 2^24 are and only some past it (`[[2 ** 25, 2]]`
 * is refused: a coefficient of 16777217). Inputs below 2^20 in magnitude always fit at one
 * level (a 2-D level at most quadruples magnitudes); each further level can grow the low band
 * by up to about 2.25× (1.5 per axis, the 5/3 low-pass filter's absolute sum), so deep
 * transforms of large values may need them scaled down. The lifting steps run in float32:
 * values beyond about 3e37 can overflow inside them (haar of `[2e38, 2e38]` gives Infinity
 * where `(a + b)/√2` = 2.8e38 would fit), so scale such data down first.
 * @example
 * const c = compression.dwt.forward2d(image, { wavelet: 'cdf53', levels: 3 });
 * compression.dwt.inverse2d(c, { wavelet: 'cdf53', levels: 3 }); // == image, exactly
 */
export function forward2d(x: Tensor, options?: DwtOptions): Tensor {
  return run('compression.dwt.forward2d', x, options, 0);
}

/** Inverse 2-D DWT with the same wavelet and levels as the forward transform. */
export function inverse2d(x: Tensor, options?: DwtOptions): Tensor {
  return run('compression.dwt.inverse2d', x, options, 1);
}
