/**
 * `signal`: TF.js's `tf.signal` namespace — `hannWindow`, `hammingWindow` and `frame`. TF.js's
 * `stft` is not here: it needs complex numbers (an FFT), which neurite does not have.
 */
export { hannWindow, hammingWindow } from './ops/signal_window.js';
export { frame } from './ops/frame.js';
