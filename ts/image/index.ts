/**
 * `image`: TF.js's `tf.image` ops (resizing, flips and colour conversions, crops, non-maximum
 * suppression, thresholding, rotations and projective transforms), and the image quality
 * metrics (also exported at the top level as `psnr` and `ssim`).
 */
export { resizeBilinear, resizeNearestNeighbor } from './resize.js';
export { flipLeftRight, rgbToGrayscale, grayscaleToRGB } from './color.js';
export { cropAndResize } from './crop_and_resize.js';
export {
  nonMaxSuppression,
  nonMaxSuppressionAsync,
  nonMaxSuppressionWithScore,
  nonMaxSuppressionWithScoreAsync,
  nonMaxSuppressionPadded,
  nonMaxSuppressionPaddedAsync,
} from './non_max_suppression.js';
export { threshold } from './threshold.js';
export { transform, rotateWithOffset } from './transform.js';
export { psnr, type PsnrArgs } from './psnr.js';
export { ssim, type SsimArgs } from './ssim.js';
