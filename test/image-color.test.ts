// image.flipLeftRight, image.rgbToGrayscale and image.grayscaleToRGB against TF.js 4.22 (CPU):
// values (bit for bit for the flip and the copy; for the weighted sum, which TF.js
// computes through einsum, within one rounding: 1 ulp for pixels ≥ 0, 1.2e-7 of Σ|wᵢxᵢ| when
// signs mix) on odd shapes and ranks, gradients against the closed forms (the
// flip's dy flipped back, the luma weights times dy, the three copies' sum), errors naming the
// shape.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as nr from '../ts/index.js';
import { thrown as thrownAny } from './setup.js';
import { bits, close, rng, sizeOf, uniform, weightedRun, weightedRunTf } from './oracle.js';

await tf.setBackend('cpu');
const thrown = (f: () => unknown) => thrownAny(f) as Error;

/** neurite's value and dL/dx of L = Σ c ⊙ f(x), with the weights `w = c(output size)`. */
function nrRun(f: (x: nr.Tensor) => nr.Tensor, x: Float32Array, shape: number[], c: (n: number) => Float32Array) {
  const input = [{ values: x, shape }];
  const w = c(weightedRun(f, input, null).y.length);
  const r = weightedRun(f, input, w);
  return { ...r, g: r.grads[0], w };
}

/** TF.js's value of f(x). */
const tfValue = (f: (x: tf.Tensor) => tf.Tensor, x: Float32Array, shape: number[]) => weightedRunTf(f, [{ values: x, shape }], null);

const weights = (seed: number) => (n: number) => uniform(rng(seed), n, 0.5, 1.5);

describe('image.flipLeftRight / rgbToGrayscale / grayscaleToRGB', () => {
  it("flipLeftRight: TF.js's bits; the gradient is dy flipped back", () => {
    const shape = [2, 3, 5, 2];
    const x = uniform(rng(1), sizeOf(shape), -2, 2);
    const got = nrRun((v) => nr.image.flipLeftRight(v), x, shape, weights(2));
    const want = tfValue((v) => tf.image.flipLeftRight(v as tf.Tensor4D), x, shape);
    expect(got.shape).toEqual(want.shape);
    expect(bits(got.y)).toEqual(bits(want.y));
    const back = tfValue((v) => tf.image.flipLeftRight(v as tf.Tensor4D), got.w, shape).y;
    expect(bits(got.g)).toEqual(bits(back));
  });

  it("rgbToGrayscale: TF.js's values (to one rounding) on ranks 2 to 4; the gradient is the luma weights times dy", () => {
    for (const shape of [[5, 3], [4, 3, 3], [2, 3, 1, 3]]) {
      const x = uniform(rng(shape.length), sizeOf(shape), -300, 300);
      const got = nrRun((v) => nr.image.rgbToGrayscale(v), x, shape, weights(3));
      const want = tfValue((v) => tf.image.rgbToGrayscale(v as tf.Tensor2D), x, shape);
      expect(got.shape).toEqual(want.shape);
      close(got.y, want.y, 3e-7, `rgbToGrayscale ${shape}`);
      const luma = [0.2989, 0.587, 0.114];
      close(got.g, Float32Array.from(got.g, (_, i) => got.w[Math.floor(i / 3)] * Math.fround(luma[i % 3])), 1e-6, `d/dx ${shape}`);
    }
    // Pixels ≥ 0 (no cancellation): within 1 ulp of TF.js.
    const px = uniform(rng(9), 64 * 64 * 3, 0, 255);
    const a = new Int32Array(nrRun((v) => nr.image.rgbToGrayscale(v), px, [64, 64, 3], weights(10)).y.buffer);
    const b = new Int32Array(Float32Array.from(tfValue((v) => tf.image.rgbToGrayscale(v as tf.Tensor3D), px, [64, 64, 3]).y).buffer);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThanOrEqual(1);
  });

  it("grayscaleToRGB: TF.js's bits; the gradient sums the three copies", () => {
    for (const shape of [[4, 1], [2, 3, 4, 1]]) {
      const x = uniform(rng(7), sizeOf(shape), -2, 2);
      const got = nrRun((v) => nr.image.grayscaleToRGB(v), x, shape, weights(8));
      const want = tfValue((v) => tf.image.grayscaleToRGB(v as tf.Tensor2D), x, shape);
      expect(got.shape).toEqual(want.shape);
      expect(bits(got.y)).toEqual(bits(want.y));
      close(got.g, Float32Array.from(got.g, (_, i) => got.w[3 * i] + got.w[3 * i + 1] + got.w[3 * i + 2]), 1e-6, `d/dx ${shape}`);
    }
  });

  it('name the shape in their errors', () => {
    nr.tidy(() => {
      expect(thrown(() => nr.image.flipLeftRight(nr.zeros([3, 5, 2]))).message).toMatch(/^flipLeftRight: image must have rank 4 .* got shape \[3, ?5, ?2\]/);
      expect(thrown(() => nr.image.rgbToGrayscale(nr.zeros([2, 4]))).message).toMatch(/^rgbToGrayscale: image must have rank 2 or more and 3 channels in its last axis, got shape \[2, ?4\]/);
      expect(thrown(() => nr.image.rgbToGrayscale(nr.zeros([3]))).message).toMatch(/rank 2 or more/);
      expect(thrown(() => nr.image.grayscaleToRGB(nr.zeros([2, 3]))).message).toMatch(/^grayscaleToRGB: image must have rank 2 or more and 1 channel in its last axis, got shape \[2, ?3\]/);
      expect(thrown(() => nr.image.grayscaleToRGB([1] as never)).name).toBe('InvalidArgumentError');
    });
  });
});
