// The tensor ops conv2d, conv2dTranspose, maxPool and avgPool (TF.js's names and argument order) against
// TF.js 4.22 on the CPU backend: values and gradients (through grad, with a non-uniform
// upstream) on rank-3 and rank-4 inputs, odd sizes, strides larger than the window, non-square
// windows, dilation, empty batches and huge values. Where TF.js has no gradient (dilated
// convolutions) or refuses the arguments (strides and dilations both above 1), the oracle is
// TF.js on the equivalent undilated filter (zeros between the taps); where its gradient is wrong
// (avgPool with 'same', see test/conv.test.ts) central differences of the forward. The ops run
// the layers' kernels and backward rules: conv2d equals layers.conv2d's output bit for bit.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown as thrownAny } from './setup.js';
import { bits, close, rng, sizeOf, uniform, weightedDiff, weightedRun, weightedRunTf } from './oracle.js';

await tf.setBackend('cpu');
const thrown = (f: () => unknown) => thrownAny(f) as Error;

type Pad = 'valid' | 'same';
type Pair2 = [number, number];

/** The filter with `d − 1` zeros between its taps: the undilated filter of the same convolution. */
function dilate(w: Float32Array, [kh, kw, cin, cout]: number[], [dh, dw]: Pair2): { values: Float32Array; shape: number[] } {
  const [eh, ew] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
  const out = new Float32Array(eh * ew * cin * cout);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < cin * cout; k++) out[((i * dh) * ew + j * dw) * cin * cout + k] = w[(i * kw + j) * cin * cout + k];
  return { values: out, shape: [eh, ew, cin, cout] };
}

/** The taps of a dilated filter's gradient back at the filter's own positions. */
function undilate(g: Float32Array, [kh, kw, cin, cout]: number[], [dh, dw]: Pair2): Float32Array {
  const ew = (kw - 1) * dw + 1;
  const out = new Float32Array(kh * kw * cin * cout);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < cin * cout; k++) out[(i * kw + j) * cin * cout + k] = g[((i * dh) * ew + j * dw) * cin * cout + k];
  return out;
}

const CONV: Array<{ name: string; x: number[]; w: number[]; strides: Pair2; pad: Pad; dilations: Pair2; scale?: number }> = [
  { name: '3×3 valid, odd sizes', x: [3, 7, 6, 2], w: [3, 3, 2, 4], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  { name: '[3,2] strides [2,1] same', x: [2, 9, 5, 3], w: [3, 2, 3, 2], strides: [2, 1], pad: 'same', dilations: [1, 1] },
  { name: 'stride 3 larger than the 2×2 window, same', x: [1, 8, 8, 2], w: [2, 2, 2, 2], strides: [3, 3], pad: 'same', dilations: [1, 1] },
  { name: 'one image (rank 3), 1×1 filter', x: [5, 4, 3], w: [1, 1, 3, 5], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  { name: 'one image, dilation [2,3], same', x: [7, 9, 2], w: [2, 3, 2, 3], strides: [1, 1], pad: 'same', dilations: [2, 3] },
  { name: 'dilation 2 with strides 2 (TF.js refuses the pair), valid', x: [2, 9, 8, 1], w: [3, 2, 1, 2], strides: [2, 2], pad: 'valid', dilations: [2, 2] },
  { name: 'huge values (1e18)', x: [2, 5, 5, 2], w: [3, 3, 2, 2], strides: [1, 2], pad: 'same', dilations: [1, 1], scale: 1e18 },
  { name: 'an empty batch', x: [0, 5, 5, 2], w: [3, 3, 2, 2], strides: [1, 1], pad: 'same', dilations: [1, 1] },
  { name: 'one channel 3×3 same (a grayscale first layer: window rows copied four lanes at a time)', x: [2, 9, 7, 1], w: [3, 3, 1, 4], strides: [1, 1], pad: 'same', dilations: [1, 1] },
  { name: 'one channel 3×3 valid', x: [3, 8, 10, 1], w: [3, 3, 1, 5], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  { name: 'one channel [2,4] strides [2,1] same', x: [2, 7, 6, 1], w: [2, 4, 1, 3], strides: [2, 1], pad: 'same', dilations: [1, 1] },
  // Several channels read in place (a window row's kw·c taps as one run, up to 256 taps).
  { name: 'RGB 3×3 same, 17 filters (an RGB first layer; the last filter panel partial)', x: [2, 11, 9, 3], w: [3, 3, 3, 17], strides: [1, 1], pad: 'same', dilations: [1, 1] },
  { name: 'RGB 5×5 valid', x: [2, 9, 8, 3], w: [5, 5, 3, 8], strides: [1, 1], pad: 'valid', dilations: [1, 1] },
  { name: 'RGB 3×3 stride 2 same', x: [2, 10, 9, 3], w: [3, 3, 3, 16], strides: [2, 2], pad: 'same', dilations: [1, 1] },
  { name: 'RGB 1×1 image under a 3×5 same window, one filter', x: [2, 1, 1, 3], w: [3, 5, 3, 1], strides: [1, 1], pad: 'same', dilations: [1, 1] },
  { name: 'two channels, dilation [2,1] (in place) same', x: [2, 9, 9, 2], w: [3, 3, 2, 5], strides: [1, 1], pad: 'same', dilations: [2, 1] },
  { name: '8 channels 3×3 same (in place; 9 and more are gathered)', x: [1, 6, 5, 8], w: [3, 3, 8, 9], strides: [1, 1], pad: 'same', dilations: [1, 1] },
];

describe('conv2d', () => {
  for (const k of CONV) {
    it(`${k.name}: values and both gradients as TF.js (1e-5)`, () => {
      const r = rng(sizeOf(k.x) + 7 * sizeOf(k.w));
      const s = k.scale ?? 1;
      const x = { values: uniform(r, sizeOf(k.x), -s, s), shape: k.x };
      const w = { values: uniform(r, sizeOf(k.w), -1, 1), shape: k.w };
      const got = weightedRun((a, b) => nr.conv2d(a, b, k.strides, k.pad, 'NHWC', k.dilations), [x, w], null);
      const c = uniform(r, sizeOf(got.shape), -1, 1);
      const n = weightedRun((a, b) => nr.conv2d(a, b, k.strides, k.pad, 'NHWC', k.dilations), [x, w], c);
      const dilated = k.dilations[0] > 1 || k.dilations[1] > 1;
      // TF.js on the undilated equivalent: its dL/dx is ours, its dL/dfilter at the taps is ours.
      const wd = dilated ? dilate(w.values, k.w, k.dilations) : w;
      const t = weightedRunTf((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, k.strides, k.pad), [x, wd], c);
      expect(n.shape).toEqual(t.shape);
      close(n.y, t.y, 1e-5 * s, `${k.name}: y`);
      close(n.grads[0], t.grads[0], 1e-5, `${k.name}: dL/dx`);
      close(n.grads[1], dilated ? undilate(t.grads[1], k.w, k.dilations) : t.grads[1], 1e-5 * s, `${k.name}: dL/dfilter`);
      if (dilated) {
        // And TF.js's own dilated forward, where it has one (strides 1).
        if (k.strides[0] === 1 && k.strides[1] === 1) close(n.y, weightedRunTf((a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, k.pad, 'NHWC', k.dilations), [x, w], c, false).y, 1e-5, `${k.name}: TF.js dilated y`);
        else expect(thrown(() => tf.tidy(() => tf.conv2d(tf.tensor4d(x.values, k.x as [number, number, number, number]), tf.tensor4d(w.values, k.w as [number, number, number, number]), k.strides, k.pad, 'NHWC', k.dilations))).message).toMatch(/strides or dilations must be 1/);
      }
    });
  }

  it('equals layers.conv2d (no bias, linear) bit for bit: the same kernel and the same rule', () => {
    const r = rng(5);
    const x = nr.tensor(uniform(r, 3 * 9 * 7 * 3, -1, 1), [3, 9, 7, 3]);
    const layer = nr.layers.conv2d({ inputShape: [9, 7, 3], filters: 4, kernelSize: [3, 2], strides: [2, 1], padding: 'same', dilationRate: 1, useBias: false });
    const m = nr.sequential({ seed: 3, layers: [layer] });
    const [kernel] = m.getWeights();
    const viaOp = nr.conv2d(x, kernel, [2, 1], 'same');
    const viaLayer = m.predict(x) as nr.Tensor;
    expect(bits(viaOp.data())).toEqual(bits(viaLayer.data()));
    // The gradient through the layer (model weights) equals the op's.
    const c = nr.tensor(uniform(r, viaOp.size, -1, 1), [...viaOp.shape]);
    const { value, grads } = nr.variableGrads(() => (m.predict(x) as nr.Tensor).mul(c).sum());
    const [, dW] = nr.grads((a: nr.Tensor, b: nr.Tensor) => nr.conv2d(a, b, [2, 1], 'same').mul(c).sum())([x, kernel]);
    expect(Object.keys(grads)).toEqual([`${layer.name}/kernel`]);
    expect(bits(grads[`${layer.name}/kernel`].data())).toEqual(bits(dW.data()));
    nr.dispose([x, m, kernel, viaOp, viaLayer, c, value, grads, dW]);
  });

  it('a filter learns from examples with an optimizer (a custom training loop on the tape)', () => {
    // Targets from a known 3×3 edge filter; a variable filter fitted by Adam recovers it.
    const r = rng(12);
    const truth = nr.tensor([1, 0, -1, 2, 0, -2, 1, 0, -1], [3, 3, 1, 1]);
    const x = nr.tensor(uniform(r, 16 * 10 * 10, 0, 1), [16, 10, 10, 1]);
    const y = nr.conv2d(x, truth, 1, 'same');
    const w = nr.variable(nr.zeros([3, 3, 1, 1]));
    const opt = nr.optimizers.adam(0.05);
    let before = 0;
    let loss = Infinity;
    for (let step = 0; step < 300; step++) {
      // Adam makes its moment slots on the first step.
      if (step === 1) before = nr.memory().numTensors;
      const l = opt.minimize(() => nr.conv2d(x, w, 1, 'same').sub(y).square().mean(), true) as nr.Tensor;
      loss = l.item();
      l.dispose();
    }
    expect(nr.memory().numTensors).toBe(before);
    expect(loss).toBeLessThan(1e-5);
    close(w.data(), truth.data(), 1e-2, 'learned filter');
    nr.dispose([truth, x, y, w, opt]);
  });

  it('zero channels, rows, columns or filters: zeros of the right shape and zero gradients (a chunk size of zero used to trap)', () => {
    for (const [xs, ws, pad, want] of [
      [[1, 3, 3, 0], [2, 2, 0, 2], 'valid', [1, 2, 2, 2]],
      [[1, 0, 3, 1], [2, 2, 1, 2], 'same', [1, 0, 3, 2]],
      [[3, 0, 2], [1, 1, 2, 3], 'same', [3, 0, 3]],
      [[2, 4, 4, 2], [3, 3, 2, 0], 'same', [2, 4, 4, 0]],
    ] as Array<[number[], number[], Pad, number[]]>) {
      expectNoLeak(() => nr.tidy(() => {
        const x = nr.ones(xs);
        const w = nr.ones(ws);
        const y = nr.conv2d(x, w, 1, pad);
        expect([...y.shape], JSON.stringify(xs)).toEqual(want);
        expect(y.data().every((v) => v === 0)).toBe(true);
        const [dx, dw] = nr.grads((a: nr.Tensor, b: nr.Tensor) => nr.conv2d(a, b, 1, pad).sum())([x, w]);
        expect([...dx.shape, ...dw.shape]).toEqual([...xs, ...ws]);
        expect([...dx.data(), ...dw.data()].every((v) => v === 0)).toBe(true);
        for (const op of [nr.maxPool, nr.avgPool]) expect([...op(x, 2, 1, 'same').shape]).toEqual(xs);
      }));
    }
    // A layer fed zero samples, as before.
    const m = nr.sequential({ layers: [nr.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3 })] });
    const y = m.predict(nr.zeros([0, 4, 4, 1])) as nr.Tensor;
    expect([...y.shape]).toEqual([0, 2, 2, 2]);
    nr.dispose([m, y]);
  });

  it("'same' padding: a NaN or infinite filter tap that meets only padding is skipped, as TF.js, depthwiseConv2d and conv2dTranspose (it made NaN); values and gradients as TF.js", () => {
    // The report's cases first: conv1d [3] with taps [Inf, 2, 5] is 6.
    expectNoLeak(() => nr.tidy(() => {
      expect(Array.from(nr.conv1d([[[3]]], [[[Infinity]], [[2]], [[5]]], 1, 'same').data())).toEqual([6]);
      const f2 = [[[[NaN]], [[1]], [[1]]], [[[1]], [[2]], [[1]]], [[[1]], [[1]], [[1]]]];
      expect(Array.from(nr.conv2d([[[[3]]]], f2, 1, 'same').data())).toEqual([6]);
      expect(Array.from(nr.depthwiseConv2d([[[[3]]]], f2, 1, 'same').data())).toEqual([6]);
    }));
    const r = rng(41);
    for (const [xs, ws, strides, taps] of [
      [[2, 5, 6, 1], [3, 3, 1, 2], 1, [[0, Infinity], [17, NaN]]],
      [[1, 4, 7, 3], [3, 2, 3, 4], 2, [[0, -Infinity], [23, NaN], [5, Infinity]]],
      [[2, 3, 3, 2], [5, 5, 2, 1], 1, [[0, NaN], [49, Infinity]]],
    ] as Array<[number[], number[], number, Array<[number, number]>]>) {
      const x = uniform(r, sizeOf(xs), -1, 1);
      const w = uniform(r, sizeOf(ws), -1, 1);
      for (const [at, v] of taps) w[at] = v;
      const oy = tf.tidy(() => tf.conv2d(tf.tensor4d(x, xs as [number, number, number, number]), tf.tensor4d(w, ws as [number, number, number, number]), strides, 'same'));
      const want = Float32Array.from(oy.dataSync());
      const dy = uniform(r, want.length, -1, 1);
      const [wdx, wdw] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, 'same'), tf.tensor(dy, oy.shape))))([tf.tensor(x, xs), tf.tensor(w, ws)]).map((g) => Float32Array.from(g.dataSync())));
      const ys = oy.shape;
      oy.dispose();
      const [got, dx, dw] = expectNoLeak(() => nr.tidy(() => {
        const [a, b] = [nr.tensor(x, xs), nr.tensor(w, ws)];
        const [gx, gw] = nr.grads((p: nr.Tensor, q: nr.Tensor) => nr.conv2d(p, q, strides, 'same').mul(nr.tensor(dy, ys)).sum())([a, b]);
        return [nr.conv2d(a, b, strides, 'same').data(), gx.data(), gw.data()];
      }));
      // Non-finite values exactly (where a tap meets the input), the others within 1e-5.
      const agree = (g: ArrayLike<number>, t: ArrayLike<number>, what: string) => {
        const nonFinite = (v: ArrayLike<number>) => Array.from(v, (u) => (Number.isFinite(u) ? 0 : u));
        expect(nonFinite(g), what).toEqual(nonFinite(t));
        close(Array.from(g, (u) => (Number.isFinite(u) ? u : 0)), Array.from(t, (u) => (Number.isFinite(u) ? u : 0)), 1e-5, what);
      };
      const what = JSON.stringify([xs, ws]);
      expect(want.some((v) => Number.isFinite(v)) && want.some((v) => !Number.isFinite(v)), what).toBe(true);
      agree(got, want, what);
      agree(dx, wdx, `${what} dx`);
      agree(dw, wdw, `${what} dw`);
    }
  });

  it("TF.js's numeric pad 0 is 'valid' (mnist-core's maxPool([2, 2], 2, 0)): the same values as TF.js's", () => {
    const v = uniform(rng(41), 2 * 6 * 5 * 3, -1, 1);
    const wv = uniform(rng(42), 3 * 3 * 3 * 2, -1, 1);
    const x = nr.tensor(v, [2, 6, 5, 3]), w = nr.tensor(wv, [3, 3, 3, 2]);
    const tx = tf.tensor4d(v, [2, 6, 5, 3]), tw = tf.tensor4d(wv, [3, 3, 3, 2]);
    const pairs: Array<[nr.Tensor, tf.Tensor]> = [
      [nr.maxPool(x, [2, 2], 2, 0), tf.maxPool(tx, [2, 2], 2, 0)],
      [nr.avgPool(x, 2, 1, 0), tf.avgPool(tx, 2, 1, 0)],
      [x.maxPool([2, 2], 2, 0), tf.maxPool(tx, [2, 2], 2, 'valid')],
      [nr.conv2d(x, w, 1, 0), tf.conv2d(tx, tw, 1, 0)],
      [nr.depthwiseConv2d(x, nr.tensor(wv.slice(0, 27), [3, 3, 3, 1]), 1, 0), tf.depthwiseConv2d(tx, tf.tensor4d(wv.slice(0, 27), [3, 3, 3, 1]), 1, 0)],
    ];
    pairs.forEach(([a, b], i) => {
      expect(a.shape).toEqual(b.shape);
      close(a.data(), b.dataSync(), 1e-6, `pair ${i}`);
    });
    for (const t of [x, w, ...pairs.map((p) => p[0])]) t.dispose();
    tf.dispose([tx, tw, ...pairs.map((p) => p[1])]);
  });

  it('errors name the op, the argument and the shapes', () => {
    const x = nr.zeros([2, 5, 4, 3]);
    const w = nr.zeros([3, 3, 3, 2]);
    expect(thrown(() => nr.conv2d(nr.zeros([5, 4]), w, 1, 'same'))).toMatchObject({ name: 'InvalidArgumentError', message: 'conv2d: x must have rank 4 [batch, height, width, channels] or 3 [height, width, channels] (channels last), got shape [5,4]' });
    expect(thrown(() => nr.conv2d(x, nr.zeros([3, 3, 2]), 1, 'same')).message).toBe('conv2d: filter must have rank 4 [filterHeight, filterWidth, inChannels, outChannels], got shape [3,3,2]');
    expect(thrown(() => nr.conv2d(x, nr.zeros([3, 3, 2, 2]), 1, 'same')).message).toBe("conv2d: filter has 2 input channels (shape [3,3,2,2]) but x has 3 (shape [2,5,4,3]): filter[2] must equal x's last dimension");
    expect(thrown(() => nr.conv2d(x, nr.zeros([6, 3, 3, 2]), 1, 'valid')).message).toBe("conv2d: the rows window (6) does not fit the input's height of 5 with padding 'valid' (per-sample input [5, 4, 3]); use padding 'same' or a smaller window");
    expect(thrown(() => nr.conv2d(x, w, 1, 'valid', 'NHWC', 3)).message).toBe("conv2d: the rows window (7 once dilated) does not fit the input's height of 5 with padding 'valid' (per-sample input [5, 4, 3]); use padding 'same' or a smaller window");
    expect(thrown(() => nr.conv2d(x, w, 1, 1 as never)).message).toBe("conv2d: pad must be 'valid', 'same' or 0, got 1 (numeric paddings other than 0, which is 'valid', and explicit paddings are not supported: pad x with pad() first, then use 'valid')");
    expect(thrown(() => nr.conv2d(x, w, 1, 'same', 'NCHW' as never)).message).toBe("conv2d: dataFormat must be 'NHWC' ([batch, height, width, channels]), the only layout neurite has; got \"NCHW\"");
    expect(thrown(() => nr.conv2d(x, w, 1, 'same', 'NHWC', 1, 'floor' as never)).message).toBe("conv2d: dimRoundingMode applies to a numeric pad, which neurite does not support; leave it out (got \"floor\")");
    expect(thrown(() => nr.conv2d(x, w, [1, 0] as never, 'same')).message).toBe('conv2d: strides[1] must be an integer in [1, 65536], got 0');
    // An array is TF.js's TensorLike (a temporary tensor): checked as a filter; a string is not.
    expect(thrown(() => nr.conv2d(x, [1], 1, 'same')).message).toBe('conv2d: filter must have rank 4 [filterHeight, filterWidth, inChannels, outChannels], got shape [1]');
    expect(thrown(() => nr.conv2d(x, 'w' as never, 1, 'same')).message).toBe('conv2d: filter must be a Tensor, a number or an array of numbers, got the string "w"');
    w.dispose();
    expect(thrown(() => nr.conv2d(x, w, 1, 'same'))).toMatchObject({ name: 'DisposedError' });
    x.dispose();
  });
});

const TRANSPOSE: Array<{ name: string; x: number[]; w: number[]; out: number[]; strides: Pair2; pad: Pad }> = [
  { name: '7×7 → 14×14, stride 2 same (a decoder\'s upsampling)', x: [2, 7, 7, 3], w: [3, 3, 2, 3], out: [2, 14, 14, 2], strides: [2, 2], pad: 'same' },
  { name: 'stride 2 valid, the larger of the two output sizes that fit', x: [1, 3, 4, 2], w: [3, 3, 1, 2], out: [1, 8, 10, 1], strides: [2, 2], pad: 'valid' },
  { name: 'stride 1 valid, [3,2] filter, one image (rank 3)', x: [4, 5, 2], w: [3, 2, 3, 2], out: [6, 6, 3], strides: [1, 1], pad: 'valid' },
  { name: 'strides [3,1] same, odd sizes', x: [3, 3, 5, 1], w: [2, 3, 2, 1], out: [3, 7, 5, 2], strides: [3, 1], pad: 'same' },
];

describe('conv2dTranspose', () => {
  for (const k of TRANSPOSE) {
    it(`${k.name}: values and both gradients as TF.js (1e-5)`, () => {
      const r = rng(sizeOf(k.x) + 5 * sizeOf(k.out));
      const x = { values: uniform(r, sizeOf(k.x), -1, 1), shape: k.x };
      const w = { values: uniform(r, sizeOf(k.w), -1, 1), shape: k.w };
      const c = uniform(r, sizeOf(k.out), -1, 1);
      const n = weightedRun((a, b) => nr.conv2dTranspose(a, b, k.out, k.strides, k.pad), [x, w], c);
      const t = weightedRunTf((a, b) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, k.out as [number, number, number, number], k.strides, k.pad), [x, w], c);
      expect(n.shape).toEqual(t.shape);
      close(n.y, t.y, 1e-5, `${k.name}: y`);
      close(n.grads[0], t.grads[0], 1e-5, `${k.name}: dL/dx`);
      close(n.grads[1], t.grads[1], 1e-5, `${k.name}: dL/dfilter`);
    });
  }

  it('a decoder upsamples a code with a learned filter: conv2d then conv2dTranspose trained to reconstruct', () => {
    // 8×8 images of two blobs, a stride-2 conv down to 4×4×4 and a transposed conv back up,
    // both filters variables trained by Adam: the reconstruction error falls by 10×.
    const r = rng(21);
    const imgs = nr.tensor(Float32Array.from({ length: 16 * 64 }, (_, i) => {
      const [n, y, x] = [Math.floor(i / 64), Math.floor(i / 8) % 8, i % 8];
      const [cy, cx] = [2 + (n % 4), 2 + Math.floor(n / 4)];
      return Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / 4);
    }), [16, 8, 8, 1]);
    const down = nr.variable(nr.tensor(uniform(r, 3 * 3 * 4, -0.3, 0.3), [3, 3, 1, 4]));
    const up = nr.variable(nr.tensor(uniform(r, 3 * 3 * 4, -0.3, 0.3), [3, 3, 1, 4]));
    const recon = () => nr.conv2dTranspose(nr.relu(nr.conv2d(imgs, down, 2, 'same')), up, [16, 8, 8, 1], 2, 'same');
    const err = () => nr.tidy(() => recon().sub(imgs).square().mean().item());
    const opt = nr.optimizers.adam(0.02);
    const before = err();
    for (let i = 0; i < 300; i++) opt.minimize(() => recon().sub(imgs).square().mean());
    expect(err()).toBeLessThan(before / 10);
    nr.dispose([imgs, down, up, opt]);
  });

  it('errors name the shapes that do not go together', () => {
    const x = nr.zeros([2, 3, 3, 4]);
    const w = nr.zeros([3, 3, 2, 4]);
    expect(thrown(() => nr.conv2dTranspose(x, w, [2, 9, 7, 2], 2, 'valid'))).toMatchObject({ name: 'InvalidArgumentError', message: "conv2dTranspose: outputShape [2, 9, 7, 2] does not go with x of shape [2,3,3,4]: with a 3 × 3 filter, strides [2, 2] and pad 'valid', the outputs whose conv2d is x's 3 × 3 have height 7 to 8 and width 7 to 8" });
    expect(thrown(() => nr.conv2dTranspose(x, w, [2, 7, 7, 3], 2, 'valid')).message).toBe('conv2dTranspose: filter has 2 output channels (filter[2], shape [3,3,2,4]) but outputShape has 3: they must be equal');
    expect(thrown(() => nr.conv2dTranspose(x, nr.zeros([3, 3, 2, 5]), [2, 7, 7, 2], 2, 'valid')).message).toBe("conv2dTranspose: filter has 5 input channels (filter[3], shape [3,3,2,5]) but x has 4 (shape [2,3,3,4]): filter[3] must equal x's last dimension");
    expect(thrown(() => nr.conv2dTranspose(x, w, [7, 7, 2], 2, 'valid')).message).toBe('conv2dTranspose: outputShape [7,7,2] has rank 3 but x has rank 4 (shape [2,3,3,4]): both are one image (rank 3) or a batch (rank 4)');
    expect(thrown(() => nr.conv2dTranspose(x, w, [3, 7, 7, 2], 2, 'valid')).message).toBe('conv2dTranspose: outputShape [3,7,7,2] has batch 3 but x has 2 images (shape [2,3,3,4])');
    expect(thrown(() => nr.conv2dTranspose(x, w, [2, 7, 7, 2], 2, 3 as never)).message).toMatch(/^conv2dTranspose: pad must be 'valid', 'same' or 0, got 3 \(numeric/);
    nr.dispose([x, w]);
  });
});

const POOL: Array<{ name: string; x: number[]; size: Pair2; strides: Pair2; pad: Pad; quantum?: number }> = [
  { name: '2×2 stride 2 valid, odd sizes (a row and a column left out)', x: [3, 7, 5, 2], size: [2, 2], strides: [2, 2], pad: 'valid' },
  { name: '3×3 stride 2 same, overlapping windows', x: [2, 8, 9, 3], size: [3, 3], strides: [2, 2], pad: 'same' },
  { name: '[3,1] strides [1,2] same, one image (rank 3)', x: [6, 7, 2], size: [3, 1], strides: [1, 2], pad: 'same' },
  { name: 'stride 3 larger than the 2×2 window, valid', x: [2, 8, 8, 1], size: [2, 2], strides: [3, 3], pad: 'valid' },
  { name: 'ties (values on a grid of 0.5)', x: [2, 6, 6, 2], size: [3, 2], strides: [1, 1], pad: 'valid', quantum: 0.5 },
  { name: 'an empty batch', x: [0, 4, 4, 2], size: [2, 2], strides: [2, 2], pad: 'same' },
  { name: '2×2 stride 2 valid, 16 channels (four lanes at a time)', x: [2, 9, 7, 16], size: [2, 2], strides: [2, 2], pad: 'valid' },
  { name: '3×3 stride 1 same, 4 channels, ties', x: [1, 5, 6, 4], size: [3, 3], strides: [1, 1], pad: 'same', quantum: 0.5 },
];

describe('conv2d with one input channel (the window read in place, no patches)', () => {
  it('gives the bits of matMul over the patches gathered in JS: padding, strides, dilation, 1 to 19 filters, a 17×17 window (more taps than one GEMM block)', () => {
    const cases: Array<[number[], number[], Pair2, Pad, Pair2]> = [
      [[3, 9, 11, 1], [3, 3, 1, 16], [1, 1], 'same', [1, 1]], [[2, 8, 7, 1], [3, 3, 1, 5], [1, 1], 'valid', [1, 1]],
      [[2, 9, 10, 1], [2, 4, 1, 19], [2, 3], 'same', [1, 1]], [[1, 12, 12, 1], [3, 3, 1, 8], [1, 1], 'same', [2, 2]],
      [[1, 7, 6, 1], [1, 2, 1, 1], [1, 1], 'valid', [1, 1]], [[1, 20, 20, 1], [17, 17, 1, 3], [1, 1], 'valid', [1, 1]],
    ];
    for (const [xs, ws, strides, pad, dil] of cases) {
      const r = rng(sizeOf(xs) + sizeOf(ws));
      const xv = uniform(r, sizeOf(xs), -1, 1), wv = uniform(r, sizeOf(ws), -1, 1);
      const got = nr.tidy(() => nr.conv2d(nr.tensor(xv, xs), nr.tensor(wv, ws), strides, pad, 'NHWC', dil).data());
      // TF.js's placement: the output size and the padding before (same: half the total, rounded down).
      const [n, h, w] = xs, [kh, kw, , f] = ws;
      const span = (k: number, d: number) => (k - 1) * d + 1;
      const out = (size: number, k: number, s: number, d: number) => (pad === 'same' ? Math.ceil(size / s) : Math.floor((size - span(k, d)) / s) + 1);
      const [oh, ow] = [out(h, kh, strides[0], dil[0]), out(w, kw, strides[1], dil[1])];
      const before = (size: number, o: number, k: number, s: number, d: number) => (pad === 'same' ? Math.floor(Math.max((o - 1) * s + span(k, d) - size, 0) / 2) : 0);
      const [pt, pl] = [before(h, oh, kh, strides[0], dil[0]), before(w, ow, kw, strides[1], dil[1])];
      const patches: number[] = [];
      for (let s = 0; s < n; s++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const [iy, ix] = [oy * strides[0] + i * dil[0] - pt, ox * strides[1] + j * dil[1] - pl];
        patches.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? xv[(s * h + iy) * w + ix] : 0);
      }
      const want = nr.tidy(() => nr.matMul(nr.tensor(patches, [n * oh * ow, kh * kw]), nr.tensor(wv, [kh * kw, f])).data());
      expect(got.length, `${xs} ${ws}`).toBe(n * oh * ow * f);
      expect(bits(got), `${xs} ${ws} ${strides} ${pad} ${dil}`).toEqual(bits(want));
    }
  });
});

describe('maxPool and avgPool', () => {
  for (const k of POOL) {
    it(`${k.name}: values and gradients as TF.js (avgPool 'same': central differences)`, () => {
      const r = rng(sizeOf(k.x) + 3);
      const x = { values: uniform(r, sizeOf(k.x), -1, 1, k.quantum ?? 0), shape: k.x };
      for (const kind of ['maxPool', 'avgPool'] as const) {
        const f = (a: nr.Tensor) => nr[kind](a, k.size, k.strides, k.pad);
        const shape = weightedRun(f, [x], null).shape;
        const c = uniform(r, sizeOf(shape), -1, 1);
        const n = weightedRun(f, [x], c);
        const t = weightedRunTf((a) => tf[kind](a as tf.Tensor4D, k.size, k.strides, k.pad), [x], c);
        const what = `${kind} ${k.name}`;
        expect(n.shape, what).toEqual(t.shape);
        // Max is exact; the mean's order of additions may differ from TF.js's.
        if (kind === 'maxPool') expect(bits(n.y), what).toEqual(bits(t.y));
        else close(n.y, t.y, 1e-6, `${what}: y`);
        const fd = kind === 'avgPool' && k.pad === 'same';
        close(n.grads[0], fd ? weightedDiff(f, x, c) : t.grads[0], fd ? 1e-3 : 1e-6, `${what}: dL/dx`);
      }
    });
  }

  it("TF.js's avgPool gradient with 'same' is the one that is wrong (so the oracle above is central differences)", () => {
    const x = { values: uniform(rng(4), 25, -1, 1), shape: [1, 5, 5, 1] };
    const c = uniform(rng(5), 9, -1, 1);
    const f = (a: nr.Tensor) => nr.avgPool(a, 3, 2, 'same');
    const fd = weightedDiff(f, x, c);
    const worst = (g: ArrayLike<number>) => Math.max(...Array.from(g, (v, i) => Math.abs(v - fd[i])));
    expect(worst(weightedRun(f, [x], c).grads[0])).toBeLessThan(1e-4);
    expect(worst(weightedRunTf((a) => tf.avgPool(a as tf.Tensor4D, 3, 2, 'same'), [x], c).grads[0])).toBeGreaterThan(0.05);
  });

  it('maxPool outside a tape (no argmax kept, row by row) gives the bits of the taped form: NaN, ±0, -Infinity, 1 to 16 channels', () => {
    const specials = [NaN, 0, -0, -Infinity, Infinity];
    for (const [shape, size, strides, pad] of [
      [[2, 6, 7, 16], 2, 2, 'valid'], [[1, 5, 5, 4], 3, 1, 'same'], [[2, 7, 6, 8], [3, 2], [2, 1], 'same'], [[1, 6, 6, 3], 2, 2, 'valid'], [[1, 9, 8, 1], 3, 2, 'same'],
    ] as Array<[number[], Pair2 | number, Pair2 | number, Pad]>) {
      const r = rng(sizeOf(shape));
      const values = uniform(r, sizeOf(shape), -1, 1, 0.5).map((v, i) => (i % 5 === 0 ? specials[(i / 5) % specials.length] : v));
      const x = nr.tensor(values, shape);
      const plain = nr.maxPool(x, size, strides, pad);
      const { value, grad } = nr.valueAndGrad((a: nr.Tensor) => nr.maxPool(a, size, strides, pad))(x);
      expect(bits(plain.data()), `${shape} ${size} ${strides} ${pad}`).toEqual(bits(value.data()));
      nr.dispose([x, plain, value, grad]);
    }
  });

  it('NaN propagates through maxPool (TF.js skips it), and ±Infinity are values', () => {
    const x = nr.tensor([NaN, 1, 2, 3, Infinity, -Infinity, 0, 5], [1, 2, 4, 1]);
    expect(Array.from(nr.maxPool(x, 2, 2, 'valid').data())).toEqual([NaN, 5]);
    expect(Array.from(nr.maxPool(x.slice([0, 0, 2, 0], [1, 2, 2, 1]), [2, 1], 1, 'valid').data())).toEqual([2, 5]);
    expect(Array.from(nr.avgPool(x.slice([0, 0, 1, 0], [1, 2, 1, 1]), [2, 1], 1, 'valid').data())).toEqual([-Infinity]);
    x.dispose();
  });

  it('errors name the op and the argument', () => {
    const x = nr.zeros([2, 5, 4, 3]);
    expect(thrown(() => nr.maxPool(nr.zeros([4, 3]), 2, 2, 'valid'))).toMatchObject({ name: 'InvalidArgumentError', message: 'maxPool: x must have rank 4 [batch, height, width, channels] or 3 [height, width, channels] (channels last), got shape [4,3]' });
    expect(thrown(() => nr.avgPool(x, 6, 1, 'valid')).message).toBe("avgPool: the rows window (6) does not fit the input's height of 5 with padding 'valid' (per-sample input [5, 4, 3]); use padding 'same' or a smaller window");
    expect(thrown(() => nr.maxPool(x, 0, 1, 'valid')).message).toBe('maxPool: filterSize must be an integer in [1, 65536], got 0');
    expect(thrown(() => x.avgPool(2, 2, [[1, 1]] as never)).message).toBe("avgPool: pad must be 'valid', 'same' or 0, got [[1,1]] (numeric paddings other than 0, which is 'valid', and explicit paddings are not supported: pad x with pad() first, then use 'valid')");
    expect(thrown(() => x.maxPool(2, 2, 'same', 'round' as never)).message).toBe("maxPool: dimRoundingMode applies to a numeric pad, which neurite does not support; leave it out (got \"round\")");
    x.dispose();
  });
});
