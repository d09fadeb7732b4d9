/**
 * `image`: TF.js's `tf.image` ops neurite has (resizing, flips and colour conversions), and the
 * image quality metrics (also exported at the top level as `psnr` and `ssim`).
 */
export { resizeBilinear, resizeNearestNeighbor } from './resize.js';
export { flipLeftRight, rgbToGrayscale, grayscaleToRGB } from './color.js';
export { psnr, type PsnrArgs } from './psnr.js';
export { ssim, type SsimArgs } from './ssim.js';
