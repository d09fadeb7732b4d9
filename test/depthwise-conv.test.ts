// depthwiseConv2d and separableConv2d (the wasm kernel ops/depthwise.rs; separable adds a 1×1
// conv2d) against
// TF.js 4.22 (cpu backend): values and the gradients with respect to x and every filter, on
// odd sizes, 'valid' and 'same', strides, dilations, channel multipliers 1–3, one image or a
// batch. Tolerance: rtol 1e-5, atol 1e-5 (float32 sums in another order than TF.js's).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as nr from '../ts/index.js';
import { depthwiseConv2d, separableConv2d } from '../ts/ops/depthwise_conv.js';
import { expectSame, noHandleLeak, read, readTf, sizeOf, uniform } from './op-helpers.js';

await tf.setBackend('cpu');

const TOL: [number, number] = [1e-5, 1e-5];

type Case = { x: number[]; f: [number, number, number, number]; strides: number; pad: 'valid' | 'same'; dil: number };
const CASES: Case[] = [
  { x: [2, 7, 6, 3], f: [3, 3, 3, 1], strides: 1, pad: 'valid', dil: 1 },
  { x: [1, 8, 9, 2], f: [3, 2, 2, 3], strides: 2, pad: 'same', dil: 1 },
  { x: [2, 9, 7, 4], f: [2, 3, 4, 2], strides: 1, pad: 'same', dil: 2 },
  { x: [5, 5, 1], f: [5, 5, 1, 2], strides: 1, pad: 'valid', dil: 1 },
  { x: [1, 4, 4, 1], f: [1, 1, 1, 1], strides: 3, pad: 'same', dil: 1 },
];

describe('depthwiseConv2d and separableConv2d vs TF.js', () => {
  it('depthwiseConv2d: values and gradients with respect to x and filter', () => {
    let seed = 1;
    for (const c of CASES) {
      const xv = uniform(seed++, sizeOf(c.x), -1, 1);
      const fv = uniform(seed++, sizeOf(c.f), -1, 1);
      const what = JSON.stringify(c);
      const tfF = (x: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dil);
      const nrF = (x: nr.Tensor, f: nr.Tensor) => depthwiseConv2d(x, f, c.strides, c.pad, 'NHWC', c.dil);
      const want = readTf(tfF(tf.tensor(xv, c.x), tf.tensor(fv, c.f)));
      expectSame(read(nrF(nr.tensor(xv, c.x), nr.tensor(fv, c.f))), want, TOL, what);
      // TF.js 4.22 has no gradient for dilations above 1 (grad-coverage checks it against
      // finite differences).
      if (c.dil > 1) continue;
      const w = uniform(seed++, sizeOf(want.shape), -1, 1);
      const [gx, gf] = tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tfF(x, f), tf.tensor(w, want.shape))))([tf.tensor(xv, c.x), tf.tensor(fv, c.f)]);
      const [nx, nf] = nr.grads((x: nr.Tensor, f: nr.Tensor) => nr.sum(nr.mul(nrF(x, f), nr.tensor(w, want.shape))))([nr.tensor(xv, c.x), nr.tensor(fv, c.f)]);
      expectSame(read(nx), readTf(gx), TOL, `${what} dx`);
      expectSame(read(nf), readTf(gf), TOL, `${what} dfilter`);
    }
  });

  it('separableConv2d: values and gradients with respect to x and both filters', () => {
    let seed = 100;
    for (const c of CASES.filter((k) => k.x.length === 4)) {
      const pw: [number, number, number, number] = [1, 1, c.f[2] * c.f[3], 3];
      const xv = uniform(seed++, sizeOf(c.x), -1, 1);
      const dv = uniform(seed++, sizeOf(c.f), -1, 1);
      const pv = uniform(seed++, sizeOf(pw), -1, 1);
      const what = JSON.stringify(c);
      const tfF = (x: tf.Tensor, d: tf.Tensor, p: tf.Tensor) => tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, c.strides, c.pad, c.dil);
      const nrF = (x: nr.Tensor, d: nr.Tensor, p: nr.Tensor) => separableConv2d(x, d, p, c.strides, c.pad, c.dil);
      const want = readTf(tfF(tf.tensor(xv, c.x), tf.tensor(dv, c.f), tf.tensor(pv, pw)));
      expectSame(read(nrF(nr.tensor(xv, c.x), nr.tensor(dv, c.f), nr.tensor(pv, pw))), want, TOL, what);
      if (c.dil > 1) continue;
      const w = uniform(seed++, sizeOf(want.shape), -1, 1);
      const tg = tf.grads((x: tf.Tensor, d: tf.Tensor, p: tf.Tensor) => tf.sum(tf.mul(tfF(x, d, p), tf.tensor(w, want.shape))))([tf.tensor(xv, c.x), tf.tensor(dv, c.f), tf.tensor(pv, pw)]);
      const ng = nr.grads((x: nr.Tensor, d: nr.Tensor, p: nr.Tensor) => nr.sum(nr.mul(nrF(x, d, p), nr.tensor(w, want.shape))))([nr.tensor(xv, c.x), nr.tensor(dv, c.f), nr.tensor(pv, pw)]);
      ng.forEach((g, i) => expectSame(read(g), readTf(tg[i]), TOL, `${what} gradient ${i}`));
    }
  });

  it('zero channels give an empty result; strides and dilations above 1 together equal conv2d channel by channel (TF.js refuses them)', () => {
    const y = depthwiseConv2d(nr.zeros([1, 4, 4, 0]), nr.zeros([2, 2, 0, 3]), 1, 'valid');
    expect(y.shape).toEqual([1, 3, 3, 0]);
    y.dispose();
    // Against the definition: channel c of x with filter [:, :, c, :] through conv2d.
    const xv = uniform(7, 2 * 9 * 9 * 2, -1, 1);
    const fv = uniform(8, 2 * 2 * 2 * 1, -1, 1);
    const got = read(depthwiseConv2d(nr.tensor(xv, [2, 9, 9, 2]), nr.tensor(fv, [2, 2, 2, 1]), 2, 'same', 'NHWC', 2));
    const want = nr.tidy(() => {
      const x = nr.tensor(xv, [2, 9, 9, 2]);
      const f = nr.tensor(fv, [2, 2, 2, 1]);
      const parts = [0, 1].map((ch) => nr.conv2d(nr.slice(x, [0, 0, 0, ch], [-1, -1, -1, 1]), nr.slice(f, [0, 0, ch, 0], [2, 2, 1, 1]), 2, 'same', 'NHWC', 2));
      return read(nr.concat(parts, 3));
    });
    expectSame(got, want, TOL, 'strides 2, dilations 2');
  });

  it('name what is wrong and leak nothing', () => {
    const msg = (f: () => unknown) => String(noHandleLeak(f));
    expect(msg(() => depthwiseConv2d(nr.zeros([1, 4, 4, 2]), nr.zeros([2, 2, 3, 1]), 1, 'valid'))).toBe(
      'InvalidArgumentError: depthwiseConv2d: filter has 3 input channels (shape [2,2,3,1]) but x has 2 (shape [1,4,4,2])',
    );
    expect(msg(() => depthwiseConv2d(nr.zeros([4, 4]), nr.zeros([2, 2, 1, 1]), 1, 'valid'))).toBe(
      'InvalidArgumentError: depthwiseConv2d: x must be [batch, height, width, inChannels] or [height, width, inChannels], got shape [4,4]',
    );
    expect(msg(() => depthwiseConv2d(nr.zeros([1, 4, 4, 1]), nr.zeros([2, 2, 1, 1]), 1, 'full' as 'same'))).toBe('InvalidArgumentError: depthwiseConv2d: pad must be \'valid\', \'same\' or 0, got "full"');
    expect(msg(() => depthwiseConv2d(nr.zeros([1, 4, 4, 1]), nr.zeros([2, 2, 1, 1]), 1, 'same', 'NCHW' as 'NHWC'))).toMatch(/^InvalidArgumentError: depthwiseConv2d: dataFormat must be 'NHWC'/);
    expect(msg(() => depthwiseConv2d(nr.zeros([1, 2, 2, 1]), nr.zeros([3, 3, 1, 1]), 1, 'valid'))).toMatch(/^\w+Error: depthwiseConv2d: /);
    expect(msg(() => separableConv2d(nr.zeros([1, 4, 4, 2]), nr.zeros([2, 2, 2, 2]), nr.zeros([1, 1, 3, 5]), 1, 'same'))).toBe(
      'InvalidArgumentError: separableConv2d: pointwiseFilter must be [1, 1, 4, outChannels] (inChannels·channelMultiplier = 4 from depthwiseFilter [2,2,2,2]), got shape [1,1,3,5]',
    );
  });
});
