// The 1-D layers (conv1d with 'valid', 'same' and 'causal' padding, strides and dilation;
// max/average pooling; global pooling) against TF.js's tf.layers: values, dL/dx, training,
// TF.js's kernel shape, and saving and loading both ways.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { centralDiff, close, expectFitAsTfjs, expectLayersAsTfjs, expectTfjsRoundTrip, rng, tf, uniform } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

describe('1-D layers against TF.js', () => {
  it('conv1d (every padding, strides, dilation, odd sizes) and the poolings: outputs and dL/dx', () => {
    const convs: Array<[string, Record<string, unknown>, number[]]> = [
      ['valid', { filters: 3, kernelSize: 3 }, [2, 9, 2]],
      ['same, stride 2', { filters: 2, kernelSize: 4, strides: 2, padding: 'same' }, [3, 11, 3]],
      ['same, dilation 2', { filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh' }, [2, 10, 1]],
      ['kernel 1, relu', { filters: 5, kernelSize: 1, activation: 'relu' }, [4, 1, 3]],
    ];
    for (const [name, cfg, shape] of convs) {
      // TF.js 4.22 has no gradient for dilated convolutions: central differences there.
      expectLayersAsTfjs(`conv1d ${name}`, [[nr.layers.conv1d({ inputShape: shape.slice(1), ...cfg } as never), tfl.layers.conv1d({ inputShape: shape.slice(1), ...cfg } as never)]], shape, { seed: shape[1], oracle: cfg.dilationRate ? 'fd' : 'tf' });
    }
    const pools: Array<[string, (o: object) => [nr.Layer, tfl.layers.Layer], number[]]> = [
      ['maxPooling1d', (o) => [nr.layers.maxPooling1d(o), tfl.layers.maxPooling1d(o)], [2, 9, 3]],
      ['averagePooling1d same stride 1', (o) => [nr.layers.averagePooling1d({ ...o, poolSize: 3, strides: 1, padding: 'same' }), tfl.layers.averagePooling1d({ ...o, poolSize: 3, strides: 1, padding: 'same' })], [2, 7, 2]],
      ['globalMaxPooling1d', (o) => [nr.layers.globalMaxPooling1d(o), tfl.layers.globalMaxPooling1d(o)], [3, 5, 4]],
      ['globalAveragePooling1d', (o) => [nr.layers.globalAveragePooling1d(o), tfl.layers.globalAveragePooling1d(o)], [3, 5, 4]],
    ];
    for (const [name, make, shape] of pools) {
      // A conv first, so the pooling's input is not the model's (and its dL/dx flows on).
      const conv = (): [nr.Layer, tfl.layers.Layer] => [nr.layers.conv1d({ inputShape: shape.slice(1), filters: shape[2], kernelSize: 1 }), tfl.layers.conv1d({ inputShape: shape.slice(1), filters: shape[2], kernelSize: 1 })];
      const [c, p] = [conv(), make({})];
      // TF.js 4.22's average-pooling gradient with 'same' divides by the whole window (known): central differences there.
      expectLayersAsTfjs(name, [[c[0], c[1]], [p[0], p[1]]], shape, { seed: 2, oracle: name.includes('same') ? 'fd' : 'tf' });
    }
  });

  it('causal conv1d is TF.js\'s conv1d op on the input padded with (k − 1)·d zero steps before (TF.js\'s layer cannot run it)', () => {
    const cases: Array<[Record<string, unknown>, number[]]> = [
      [{ filters: 4, kernelSize: 3, dilationRate: 2, activation: 'tanh' }, [2, 10, 1]],
      [{ filters: 2, kernelSize: [2], strides: [3], useBias: false }, [1, 13, 2]],
      [{ filters: 3, kernelSize: 4 }, [3, 2, 2]],
    ];
    for (const [cfg, shape] of cases) {
      const m = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: shape.slice(1), padding: 'causal', ...cfg } as never)], seed: shape[1] });
      try {
        const [k, d, s] = [Number(cfg.kernelSize), Number(cfg.dilationRate ?? 1), Number(cfg.strides ?? 1)];
        const ws = m.getWeights();
        const [W, b] = ws.map((w) => tf.tensor(w.data(), [...w.shape]));
        nr.dispose(ws);
        const act = (z: tf.Tensor) => (cfg.activation === 'tanh' ? tf.tanh(z) : z);
        const f = (xt: tf.Tensor) => act(tf.add(tf.conv1d(tf.pad(xt as tf.Tensor3D, [[0, 0], [(k - 1) * d, 0], [0, 0]]), W as tf.Tensor3D, s, 'valid', 'NWC', d), b ?? tf.scalar(0)));
        const r = rng(shape[1]);
        const x = uniform(r, shape.reduce((p, q) => p * q, 1), -2, 2);
        const want = tf.tidy(() => f(tf.tensor(x, shape)));
        const outShape = want.shape;
        close(nr.tidy(() => m.predict(nr.tensor(x, shape)).data()), want.dataSync(), 1e-5, `causal ${JSON.stringify(cfg)}: predict`);
        const c = uniform(r, outShape.reduce((p, q) => p * q, 1), -1, 1);
        const got = nr.tidy(() => nr.grad((xt) => m.predict(xt).mul(nr.tensor(c, outShape)).sum())(nr.tensor(x, shape)).data());
        // TF.js 4.22 has no gradient for dilated convolutions: central differences there.
        const wantG = d > 1
          ? centralDiff((v) => nr.tidy(() => m.predict(nr.tensor(v, shape)).mul(nr.tensor(c, outShape)).sum().data()[0]), x)
          : tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(f(xt), tf.tensor(c, outShape))))(tf.tensor(x, shape)).dataSync());
        close(got, wantG, d > 1 ? 2e-3 : 1e-5, `causal ${JSON.stringify(cfg)}: dL/dx`);
        tf.dispose([W, b, want]);
      } finally {
        m.dispose();
      }
    }
    // TF.js 4.22's conv1d layer computes a causal layer's output shape as 'valid' and throws when run.
    const t = tfl.sequential({ layers: [tfl.layers.conv1d({ inputShape: [10, 1], filters: 1, kernelSize: 3, padding: 'causal' })] });
    expect(t.outputs[0].shape).toEqual([null, 8, 1]);
    expect(() => t.predict(tf.zeros([1, 10, 1]))).toThrow(/CAUSAL padding mode in conv1dWithBias is not implemented yet/);
    t.dispose();
  });

  it('conv1d has TF.js\'s kernel shape; a causal output does not see later steps', () => {
    const m = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [6, 2], filters: 3, kernelSize: 3, padding: 'causal' })], seed: 1 });
    try {
      expect(m.getWeights().map((w) => w.shape)).toEqual([[3, 2, 3], [3]]);
      const x = uniform(rng(3), 12, -1, 1);
      const y0 = nr.tidy(() => m.predict(nr.tensor(x, [1, 6, 2])).data());
      const later = x.slice();
      later[10] += 1; // step 5
      const y1 = nr.tidy(() => m.predict(nr.tensor(later, [1, 6, 2])).data());
      expect(Array.from(y1.slice(0, 15))).toEqual(Array.from(y0.slice(0, 15)));
      expect(y1[15]).not.toBe(y0[15]);
    } finally {
      m.dispose();
    }
  });

  it('trains as TF.js (conv1d, pooling, strided same conv1d, global pooling, dense)', async () => {
    const r = rng(11);
    const x = uniform(r, 6 * 12 * 2, -1, 1);
    const y = uniform(r, 6 * 2, 0, 1);
    await expectFitAsTfjs('1-D network', [
      [nr.layers.conv1d({ inputShape: [12, 2], filters: 4, kernelSize: 3, activation: 'relu' }), tfl.layers.conv1d({ inputShape: [12, 2], filters: 4, kernelSize: 3, activation: 'relu' })],
      [nr.layers.maxPooling1d({}), tfl.layers.maxPooling1d({})],
      [nr.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' }), tfl.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' })],
      [nr.layers.globalAveragePooling1d(), tfl.layers.globalAveragePooling1d({})],
      [nr.layers.dense({ units: 2 }), tfl.layers.dense({ units: 2 })],
    ], { seed: 5, x, xShape: [6, 12, 2], y, yShape: [6, 2], loss: 'meanSquaredError', optimizer: [() => nr.optimizers.adam({ learningRate: 0.01 }), () => tf.train.adam(0.01)], epochs: 3, batchSize: 4 });
  });

  it('saves and loads in TF.js\'s format both ways', async () => {
    const m = nr.sequential({ seed: 2, layers: [
      nr.layers.conv1d({ inputShape: [10, 2], filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2 }),
      nr.layers.averagePooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
      nr.layers.maxPooling1d({}),
      nr.layers.globalMaxPooling1d(),
    ] });
    try {
      await expectTfjsRoundTrip(m, uniform(rng(4), 40, -1, 1), [2, 10, 2], ['Conv1D', 'AveragePooling1D', 'MaxPooling1D', 'GlobalMaxPooling1D']);
    } finally {
      m.dispose();
    }
  });

  it('the conv1d op is TF.js\'s: values and gradients for x and filter, one sequence or a batch', () => {
    const cases: Array<[number[], number[], number, 'valid' | 'same', number]> = [
      [[2, 9, 3], [3, 3, 2], 1, 'valid', 1],
      [[3, 11, 2], [4, 2, 5], 2, 'same', 1],
      [[7, 1], [2, 1, 3], 3, 'same', 1],
      [[2, 10, 2], [3, 2, 2], 1, 'same', 2],
    ];
    for (const [xs, fs, s, pad, d] of cases) {
      const r = rng(xs[0] * 7 + fs[0]);
      const x = uniform(r, xs.reduce((p, q) => p * q, 1), -2, 2);
      const f = uniform(r, fs.reduce((p, q) => p * q, 1), -1, 1);
      const want = tf.tidy(() => {
        const [a, b]: tf.Tensor[] = [tf.tensor(x, xs), tf.tensor(f, fs)];
        return tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, s, pad, 'NWC', d as never);
      });
      const got = expectNoLeak(() => nr.tidy(() => nr.conv1d(nr.tensor(x, xs), nr.tensor(f, fs), s, pad, 'NWC', d).data()));
      expect(nr.tidy(() => [...nr.tensor(x, xs).conv1d(nr.tensor(f, fs), s, pad, 'NWC', d).shape])).toEqual(want.shape);
      close(got, want.dataSync(), 1e-5, `conv1d ${xs} ${fs} ${s} ${pad} ${d}`);
      const c = uniform(r, want.size, -1, 1);
      const [gx, gf] = nr.tidy(() => nr.grads((a: nr.Tensor, b: nr.Tensor) => nr.conv1d(a, b, s, pad, 'NWC', d).mul(nr.tensor(c, want.shape)).sum())([nr.tensor(x, xs), nr.tensor(f, fs)]).map((g) => g.data()));
      if (d === 1) {
        const [tx, tfl2] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, s, pad, 'NWC', d as never), tf.tensor(c, want.shape))))([tf.tensor(x, xs), tf.tensor(f, fs)]).map((g) => g.dataSync()));
        close(gx, tx, 1e-5, 'conv1d dL/dx');
        close(gf, tfl2, 1e-5, 'conv1d dL/dfilter');
      } else {
        // TF.js 4.22 has no gradient for dilated convolutions.
        const loss = (v: Float32Array, which: 0 | 1) => nr.tidy(() => nr.conv1d(nr.tensor(which ? x : v, xs), nr.tensor(which ? v : f, fs), s, pad, 'NWC', d).mul(nr.tensor(c, want.shape)).sum().data()[0]);
        close(gx, centralDiff((v) => loss(v, 0), x), 2e-3, 'dilated conv1d dL/dx');
        close(gf, centralDiff((v) => loss(v, 1), f), 2e-3, 'dilated conv1d dL/dfilter');
      }
      want.dispose();
    }
    expect(() => nr.conv1d(nr.zeros([2, 3, 4, 1]), nr.zeros([1, 1, 1]), 1, 'valid')).toThrow(/^conv1d: x must be \[batch, width, inChannels\] or \[width, inChannels\], got shape \[2,3,4,1\]$/);
    expect(() => nr.conv1d(nr.zeros([2, 3, 4]), nr.zeros([1, 4]), 1, 'valid')).toThrow(/^conv1d: filter must be \[filterWidth, inChannels, outChannels\], got shape \[1,4\]$/);
    expect(() => nr.conv1d(nr.zeros([2, 3, 4]), nr.zeros([1, 3, 1]), 1, 'valid')).toThrow(/^conv1d: filter has 3 input channels \(shape \[1,3,1\]\) but x has 4 \(shape \[2,3,4\]\)$/);
    expect(() => nr.conv1d(nr.zeros([2, 2, 1]), nr.zeros([3, 1, 1]), 1, 'valid')).toThrow(/^conv1d: /);
  });

  it('says what is wrong', () => {
    expect(() => nr.layers.conv1d({ filters: 2 } as never)).toThrow(/^conv1d: kernelSize is required/);
    expect(() => nr.layers.conv1d({ filters: 2, kernelSize: [2, 2] as never })).toThrow(/kernelSize must be a positive integer or a list of one, got \[2,2\]/);
    expect(() => nr.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'full' as never })).toThrow(/padding must be 'valid', 'same' or 'causal', got "full"/);
    expect(() => nr.layers.maxPooling1d({ padding: 'causal' as never })).toThrow(/padding must be 'valid' or 'same'/);
    expect(() => nr.layers.globalAveragePooling1d({ dataFormat: 'channelsFirst' as never })).toThrow(/dataFormat must be 'channelsLast'/);
    expect(() => nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [2, 1], filters: 1, kernelSize: 3 })] })).toThrow(/^add: .*\(conv1d conv1d_\d+\): kernelSize 3 needs sequences of at least 3 steps with padding 'valid', got 2 \(per-sample input \[2,1\]\); use padding 'same' or 'causal', a smaller kernelSize or longer sequences$/);
    const m = nr.sequential({ layers: [nr.layers.conv1d({ filters: 1, kernelSize: 3 })] });
    expect(() => m.build([2, 1])).toThrow(/^conv1d: kernelSize 3 needs sequences of at least 3 steps with padding 'valid', got 2 \(per-sample input \[2, 1\]\); use padding 'same' or 'causal', a smaller kernelSize or longer sequences$/);
    m.dispose();
    expect(() => nr.sequential({ layers: [nr.layers.maxPooling1d({ inputShape: [4, 2, 1] })] })).toThrow(/^add: .*maxPooling1d.*expects per-sample inputs of shape \[steps, channels\], got per-sample shape \[4,2,1\]/);
    const r = nr.sequential({ layers: [nr.layers.maxPooling1d()] });
    expect(() => r.build([4, 2, 1])).toThrow(/maxPooling1d: expects per-sample inputs of shape \[steps, channels\], got \[4, 2, 1\]/);
    r.dispose();
  });
});
