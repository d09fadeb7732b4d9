/**
 * `codecs`: lossy grayscale image codecs, `dct` (JPEG-style) and `wavelet` (CDF 9/7), each
 * with `encode(image, { quality })` → bytes and `decode(bytes)` → image, and `learned`: an
 * autoencoder turned into a codec for the kind of images it was trained on.
 */
export * as dct from './dct.js';
export * as wavelet from './wavelet.js';
export * as learned from './learned.js';
export type { LearnedCodec, LearnedCodecDescription, LearnedCodecOptions, LearnedCodecRestoreOptions } from './learned.js';
export { bitsPerPixel, type GrayImage, type GrayImageInput, type ImageCodecOptions, type ImageDecodeOptions } from './image.js';
