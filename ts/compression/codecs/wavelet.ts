/**
 * `codecs.wavelet`: a wavelet grayscale codec (`crates/core/src/compression/codecs/wavelet_codec.rs`):
 * CDF 9/7 over up to 6 levels, one dead-zone uniform quantiser of step
 * `Δ = 0.5 · 2^((100 − quality)/12)` for every subband (reconstruction at `(|q| + 0.35)·Δ`),
 * and context-adaptive binary range coding (contexts: subband class, the neighbours'
 * magnitudes, whether the parent coefficient is non-zero). Any width and height.
 * Error bound: RMS error ≤ 1.5·Δ + 0.5.
 */
import { CODEC, type Bytes, type DecodeOptions } from '../bytes.js';
import { decodeImage, encodeImage, type GrayImage, type GrayImageInput, type ImageCodecOptions } from './image.js';

/** Encodes a grayscale image. */
export function encode(image: GrayImageInput, options?: ImageCodecOptions): Uint8Array {
  return encodeImage('codecs.wavelet.encode', CODEC.wavelet, image, options);
}

/** Decodes a stream from {@link encode}; malformed streams throw `InvalidArgumentError`. */
export function decode(bytes: Bytes, options?: DecodeOptions): GrayImage {
  return decodeImage('codecs.wavelet.decode', CODEC.wavelet, bytes, options);
}

/** The quantisation step Δ for `quality`. */
export function step(quality: number): number {
  return 0.5 * 2 ** ((100 - quality) / 12);
}
