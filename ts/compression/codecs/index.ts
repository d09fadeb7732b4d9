/**
 * `codecs`: lossy grayscale image codecs, `dct` (JPEG-style) and `wavelet` (CDF 9/7), each
 * with `encode(image, { quality })` → bytes and `decode(bytes)` → image.
 */
export * as dct from './dct.js';
export * as wavelet from './wavelet.js';
export { bitsPerPixel, type GrayImage, type ImageCodecOptions } from './image.js';
