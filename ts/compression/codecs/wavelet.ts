/**
 * `codecs.wavelet`: a wavelet grayscale codec (`crates/core/src/compression/codecs/wavelet_codec.rs`):
 * CDF 9/7 over up to 6 levels, one dead-zone uniform quantiser of step
 * `Δ = 0.5 + 24·s(quality)` for every subband, `s` libjpeg's quality scaling (`50/quality`
 * below 50, `2 − quality/50` from 50 on, as the DCT codec's tables), so Δ falls smoothly from
 * about 1200 at quality 1 through 24.5 at 50 to 0.5 at 100 (reconstruction at
 * `(|q| + 0.35)·Δ`). Quality numbers are not the DCT codec's: at one quality this codec spends
 * fewer bits and on photographs gives a lower PSNR; compare the two at equal bits per pixel,
 * and context-adaptive binary range coding (contexts: subband class, the neighbours'
 * magnitudes, whether the parent coefficient is non-zero). Any width and height up to 65,536
 * (within `maxOutputBytes` when decoding: 64 MiB by default).
 * The levels come from the smaller side (the largest `l ≤ 6` with `min(w, h) >> l ≥ 6`, at
 * least 1 when it is ≥ 2): a thin image gets few, and a 1-pixel-high or -wide one (a 1-D
 * signal such as audio, `[1, n]`) none, so it is only quantised: qualities up to ~38 then
 * write the same stream, and a sine of 44,100 samples takes 2–2.5× the bytes, at up to 2× the
 * error, of the same samples as 2 rows. For 1-D signals use `dwt.forward2d` on `[1, n]` (it
 * transforms the row) with your own quantiser, or fold the samples into rows of a square-ish
 * image.
 * Error bound: RMS error ≤ 1.5·Δ + 0.5. When the coded stream would be longer than the pixels
 * (noise at a high quality), the image is stored as it is (exact, 8 bits per pixel + 16–20
 * bytes). The coarsest low-pass band (the image's local means) has its own step,
 * `min(Δ, 32·2^levels)`, rounded to the nearest level, so the mean survives every quality (a
 * small image at a low quality decoded to flat grey 128 before; each block's mean is kept
 * within 16 grey levels, and at the lowest qualities flat black and white come back exactly),
 * and is coded as differences from a prediction by its neighbours (JPEG-LS's MED). Streams
 * are version 5; version-4 streams (that band's step `min(Δ, 16·2^levels)`, no prediction),
 * version-3 streams (that band quantised as the others) and version-2 streams (also the step
 * `0.5 · 2^((100 − quality)/12)`), written by earlier builds, still decode as they did.
 */
import { CODEC, type Bytes } from '../bytes.js';
import { decodeImage, encodeImage, qualityArg, type GrayImage, type GrayImageInput, type ImageCodecOptions, type ImageDecodeOptions } from './image.js';
import type { ArrayBufferBytes } from '../../web-types.js';

/**
 * Encodes a grayscale image. Images over 64 MiB of pixels (more than 8192 × 8192) encode, but
 * decode only with a larger cap: `codecs.wavelet.decode(stream, { maxOutputBytes: Infinity })`
 * (or width × height) for a stream you trust.
 */
export function encode(image: GrayImageInput, options?: ImageCodecOptions): ArrayBufferBytes {
  return encodeImage('codecs.wavelet.encode', CODEC.wavelet, image, options);
}

/** Decodes a stream from {@link encode}; malformed streams throw `InvalidArgumentError`. */
export function decode(bytes: Bytes, options?: ImageDecodeOptions): GrayImage {
  return decodeImage('codecs.wavelet.decode', CODEC.wavelet, bytes, options);
}

/**
 * The quantisation step Δ for `quality`: `0.5 + 24·(quality < 50 ? 50/quality : 2 − quality/50)`.
 * `quality` must be an integer in [1, 100], as {@link encode} takes it (anything else throws
 * `InvalidArgumentError`: 0 gave Infinity, NaN gave NaN).
 */
export function step(quality: number): number {
  const q = qualityArg('codecs.wavelet.step', quality);
  return 0.5 + 24 * (q < 50 ? 50 / q : 2 - q / 50);
}
