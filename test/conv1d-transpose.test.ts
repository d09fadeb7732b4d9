// layers.conv1dTranspose (Keras 3's Conv1DTranspose; TF.js 4.22 has no such layer) against Keras
// 3 itself: test/fixtures/keras3-conv1d-transpose.json, written by
// bench/keras/conv1d_transpose.py (Keras 3.15 on JAX, CPU), holds ten layers (strides 1-3,
// 'same'/'valid', output_padding None/0/1/2, dilation 2 and 3, odd lengths, one step, 1-4
// channels, no bias) with Keras's weights, output shapes, predictions, gradients of sum(y·g) in
// x, kernel and bias, one train_on_batch and two epochs of fit; and a 1-D convolutional
// autoencoder (conv1d stride 2 → conv1dTranspose stride 2) trained six epochs. Then central
// differences, the options' errors, the configs, saving and loading, and any number of steps;
// the conv1dTranspose op (neurite's own) against TF.js's conv2dTranspose on one-row images.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { close, closeAll, expectKeras3Fixture, expectKerasGradients, expectTrainsAsKeras, type TrainedCase, expectWeights, setLayerWeights, T, type Nested, type Weights } from './keras-fixture.js';
import { centralDiff, close as closeTo, rng, tf, uniform } from './oracle.js';
import { errorText, failTestsThatLeak, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/** A fixture case: the layer fixtures' common fields and this generator's own. */
interface Case extends TrainedCase {
  options: Record<string, unknown>;
  json: string;
  inputShape: [number, number];
  outputShape: number[];
  weights: Weights;
  predict: Nested;
}
const F: {
  keras: string;
  backend: string;
  lr: number;
  cases: Case[];
  autoencoder: { json: string; x: Nested; y: Nested; weights: Weights; history: { loss: number[] }; after: Weights; predict: Nested };
} = JSON.parse(readFileSync(new URL('./fixtures/keras3-conv1d-transpose.json', import.meta.url), 'utf8'));

/** Keras's options in neurite's names. */
const KEYS: Record<string, string> = { kernel_size: 'kernelSize', output_padding: 'outputPadding', dilation_rate: 'dilationRate', use_bias: 'useBias' };
const optionsOf = (c: Case): nr.Conv1DTransposeArgs => Object.fromEntries(Object.entries(c.options).map(([k, v]) => [KEYS[k] ?? k, v])) as never;

/** The case's layer alone, named as Keras's (`t`), with Keras's weights, compiled as the generator. */
function modelOf(c: Case): nr.Sequential {
  const m = nr.sequential({ layers: [nr.layers.conv1dTranspose({ name: 't', inputShape: c.inputShape, ...optionsOf(c) })] });
  setLayerWeights(m, c.weights);
  m.compile({ optimizer: nr.optimizers.sgd(F.lr), loss: 'meanSquaredError' });
  return m;
}

describe('conv1dTranspose against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expectKeras3Fixture(F, ['s1 valid', 's2 same tanh', 's2 valid k4', 's3 same op2', 's2 same k4 op0', 's3 valid k2 op1', 'd2 same sigmoid', 'd3 valid op0', 'one step, no bias', 's2 same k2 op1 odd']);
  });

  it("predicts as Keras, with Keras's output shapes and kernel shape [kernelSize, filters, in]", () => {
    for (const c of F.cases) {
      using m = modelOf(c);
      expect(m.outputShape, c.name).toEqual([null, ...c.outputShape]);
      const f = c.outputShape[1];
      const want = [[c.options.kernel_size, f, c.inputShape[1]], ...(c.options.use_bias === false ? [] : [[f]])];
      expect(m.getLayer('t').getWeights().map((w) => w.dispose() ?? w.shape), c.name).toEqual(want);
      nr.tidy(() => closeAll(m.predict(T(c.x)).dataSync(), c.predict, `${c.name}: predict`));
    }
  });

  it("gives Keras's (JAX's) gradients in x, the kernel and the bias (the tape through predict)", () => {
    for (const c of F.cases) {
      using m = modelOf(c);
      expectKerasGradients(m, c);
    }
  });

  it('trains as Keras: one trainOnBatch, two epochs of fit (SGD, mean squared error, batches of 3 in order)', async () => {
    for (const c of F.cases) await expectTrainsAsKeras(c, modelOf);
  });

  it("loads each Keras 3 to_json() model (modelFromJSON) and, given Keras's weights, predicts as Keras", async () => {
    for (const c of F.cases) {
      const m = (await nr.models.modelFromJSON(JSON.parse(c.json))) as nr.Sequential;
      try {
        const l = m.getLayer('t') as nr.Conv1DTranspose;
        expect(l.getClassName()).toBe('Conv1DTranspose');
        expect([l.kernelSize, l.strides, l.padding, l.outputPadding, l.dilationRate], c.name).toEqual([c.options.kernel_size, c.options.strides ?? 1, c.options.padding ?? 'valid', c.options.output_padding ?? null, c.options.dilation_rate ?? 1]);
        setLayerWeights(m, c.weights);
        nr.tidy(() => closeAll(m.predict(T(c.x)).dataSync(), c.predict, `${c.name}: loaded predict`));
      } finally {
        m.dispose();
      }
    }
  });

  it("a 1-D convolutional autoencoder (conv1d stride 2 → conv1dTranspose stride 2) trains as Keras's from the same weights", async () => {
    const a = F.autoencoder;
    // Built from neurite's factories and, separately, from Keras's to_json().
    const built = nr.sequential({
      layers: [
        nr.layers.conv1d({ name: 'enc', inputShape: [32, 1], filters: 8, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }),
        nr.layers.conv1dTranspose({ name: 'dec', filters: 1, kernelSize: 5, strides: 2, padding: 'same' }),
      ],
    });
    const loaded = (await nr.models.modelFromJSON(JSON.parse(a.json))) as nr.Sequential;
    const [x, y] = [T(a.x), T(a.y)];
    try {
      for (const m of [built, loaded]) {
        setLayerWeights(m, a.weights);
        m.compile({ optimizer: nr.optimizers.sgd(0.1), loss: 'meanSquaredError' });
        const h = await m.fit(x, y, { epochs: 6, batchSize: 8, shuffle: false, verbose: 0 });
        // 18 SGD steps through two layers in two libraries' summation orders.
        h.history.loss.forEach((v, i) => close(v as number, a.history.loss[i], `autoencoder: fit loss ${i}`, 1e-4));
        expectWeights(m, a.after, 'autoencoder: weights after fit', 1e-4);
        nr.tidy(() => closeAll(m.predict(x).dataSync(), a.predict, 'autoencoder: predict after fit', 1e-4));
        expect(h.history.loss[5]).toBeLessThan(h.history.loss[0] / 4);
      }
    } finally {
      nr.dispose([x, y, built, loaded]);
    }
  });
});

describe('conv1dTranspose: central differences, options, configs, lengths', () => {
  /** Layers whose gradients in x and in the weights are checked against central differences. */
  const LAYERS: Array<[nr.Conv1DTransposeArgs, [number, number]]> = [
    [{ filters: 2, kernelSize: 4, strides: 3, padding: 'same', outputPadding: 1, activation: 'tanh' }, [5, 2]],
    [{ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'valid', outputPadding: 0 }, [4, 1]],
    [{ filters: 1, kernelSize: 5, strides: 2, padding: 'valid', useBias: false }, [3, 3]],
  ];

  it('dL/dx and dL/dW match central differences of the forward', () => {
    for (const [opts, shape] of LAYERS) {
      using m = nr.sequential({ layers: [nr.layers.conv1dTranspose({ inputShape: shape, ...opts })], seed: 5 });
      const r = rng(shape[0] * 7 + shape[1]);
      const xs = uniform(r, 2 * shape[0] * shape[1], -1, 1);
      const out = [2, ...(m.outputShape as number[]).slice(1)];
      const c = uniform(r, out.reduce((p, q) => p * q, 1), -1, 1);
      const loss = (v: Float32Array) => nr.tidy(() => m.predict(nr.tensor(v, [2, ...shape])).mul(nr.tensor(c, out)).sum().dataSync()[0]);
      const got = nr.tidy(() => nr.grad((xt: nr.Tensor) => m.predict(xt).mul(nr.tensor(c, out)).sum())(nr.tensor(xs, [2, ...shape])).dataSync().slice());
      closeTo(got, centralDiff(loss, xs), 2e-3, `${JSON.stringify(opts)}: dL/dx`);
      const kernel = m.getLayer(m.layers[0].name).getWeights();
      const k0 = kernel[0].dataSync().slice();
      const rest = kernel.slice(1);
      const lossW = (v: Float32Array) => {
        const t = nr.tensor(v, [...kernel[0].shape]);
        m.layers[0].setWeights([t, ...rest]);
        t.dispose();
        return loss(xs);
      };
      const dW = nr.tidy(() => {
        const { grads } = nr.variableGrads(() => m.predict(nr.tensor(xs, [2, ...shape])).mul(nr.tensor(c, out)).sum(), m.trainableWeights);
        return grads[m.trainableWeights[0].name].dataSync().slice();
      });
      closeTo(dW, centralDiff(lossW, k0), 2e-3, `${JSON.stringify(opts)}: dL/dW`);
      nr.dispose(kernel);
    }
  });

  it("refuses bad options with Keras's rules, naming the values; unknown keys suggest the nearest", () => {
    const make = (o: Record<string, unknown>) => () => nr.layers.conv1dTranspose({ filters: 2, kernelSize: 3, ...o } as never);
    expect(invalidMessage(make({ strides: 2, outputPadding: 2 }))).toBe("conv1dTranspose: outputPadding must be less than strides (Keras 3's rule: the extra steps are fewer than one stride), got outputPadding 2 with strides 2");
    expect(invalidMessage(make({ outputPadding: 1 }))).toContain('got outputPadding 1 with strides 1');
    expect(invalidMessage(make({ strides: 2, dilationRate: 2 }))).toBe('conv1dTranspose: strides > 1 is not supported together with dilationRate > 1 (as Keras 3), got strides 2 and dilationRate 2');
    expect(invalidMessage(make({ padding: 'causal' }))).toBe(`conv1dTranspose: padding must be 'valid' or 'same', got "causal" ('causal' is conv1d's only: Keras's Conv1DTranspose has none)`);
    expect(invalidMessage(make({ outputPadding: -1, strides: 2 }))).toMatch(/conv1dTranspose: outputPadding must be an integer .*-1/);
    expect(invalidMessage(make({ outputPadding: [1, 1], strides: 2 }))).toBe('conv1dTranspose: outputPadding must be a non-negative integer or a list of one, got [1,1]');
    expect(invalidMessage(make({ kernelSize: undefined }))).toContain('conv1dTranspose: kernelSize is required');
    expect(invalidMessage(make({ filters: 0 }))).toMatch(/conv1dTranspose: filters must be/);
    expect(invalidMessage(make({ outputPading: 1 }))).toMatch(/outputPading.*outputPadding/);
    expect(invalidMessage(make({ dataFormat: 'channelsFirst' }))).toMatch(/dataFormat must be 'channelsLast' \(\[batch, steps, channels\]\)/);
    // Inputs of the wrong shape are refused before the layer runs.
    using m = nr.sequential({ layers: [nr.layers.conv1dTranspose({ inputShape: [4, 2], filters: 2, kernelSize: 3 })] });
    const wrong = (shape: number[]) => errorText(() => nr.tidy(() => m.predict(nr.zeros(shape))));
    expect(wrong([1, 4, 3])).toBe('ShapeError: predict: expected input of shape [batch,4,2] (the first dimension is the batch), got [1,4,3]');
    expect(wrong([1, 4])).toMatch(/^ShapeError: predict: expected input of shape \[batch,4,2\]/);
  });

  it('getConfig/fromConfig, summary, className; saved and loaded (Keras 3 class name) it predicts the same', async () => {
    const l = nr.layers.conv1dTranspose({ name: 'up', filters: 3, kernelSize: 4, strides: 2, padding: 'same', outputPadding: 1, activation: 'relu', kernelConstraint: nr.constraints.maxNorm({ maxValue: 2 }) });
    expect(l.getClassName()).toBe('Conv1DTranspose');
    expect(nr.Conv1DTranspose.className).toBe('Conv1DTranspose');
    const cfg = l.getConfig();
    expect(cfg).toMatchObject({ filters: 3, kernelSize: [4], strides: [2], padding: 'same', outputPadding: [1], dilationRate: [1], activation: 'relu', useBias: true });
    const copy = nr.layers.conv1dTranspose(cfg as never);
    expect([copy.kernelSize, copy.strides, copy.outputPadding, copy.padding]).toEqual([4, 2, 1, 'same']);
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [5, 2] }), l], seed: 3 });
    let text = '';
    m.summary((s: string) => (text += `${s}\n`));
    expect(text).toMatch(/up \(Conv1DTranspose\)\s+\[null,9,3\]\s+27/);
    const art = await m.toArtifacts();
    const layerCfg = (art.modelTopology as { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } }).config.layers[1];
    expect(layerCfg.class_name).toBe('Conv1DTranspose');
    expect(layerCfg.config).toMatchObject({ kernel_size: [4], strides: [2], output_padding: [1], dilation_rate: [1], data_format: 'channels_last' });
    expect(art.weightSpecs?.map((w) => w.shape)).toEqual([[4, 3, 2], [3]]);
    const back = (await nr.loadModel(art)) as nr.Sequential;
    try {
      const x = uniform(rng(4), 2 * 5 * 2, -1, 1);
      const y0 = nr.tidy(() => m.predict(nr.tensor(x, [2, 5, 2])).dataSync().slice());
      const y1 = nr.tidy(() => back.predict(nr.tensor(x, [2, 5, 2])).dataSync().slice());
      expect(Array.from(y1)).toEqual(Array.from(y0));
      expect((back.getLayer('up') as nr.Conv1DTranspose).outputPadding).toBe(1);
    } finally {
      back.dispose();
    }
  });

  it('huge and tiny inputs: without a bias the layer is linear, y(c·x) = c·y(x) at c = 1e30 and 1e-30', () => {
    using m = nr.sequential({ layers: [nr.layers.conv1dTranspose({ inputShape: [7, 3], filters: 2, kernelSize: 5, strides: 3, padding: 'same', outputPadding: 2, useBias: false })], seed: 9 });
    const x = uniform(rng(21), 2 * 7 * 3, -1, 1);
    const y = nr.tidy(() => m.predict(nr.tensor(x, [2, 7, 3])).dataSync().slice());
    for (const c of [1e30, 1e-30]) {
      const yc = nr.tidy(() => m.predict(nr.tensor(x.map((v) => v * c), [2, 7, 3])).dataSync().slice());
      expect(yc.every(Number.isFinite), `c ${c}`).toBe(true);
      closeTo(yc.map((v) => v / c), y, 1e-5, `y(${c}·x) / ${c}`);
    }
  });

  it("takes any number of steps (inputShape [null, c]) with Keras's lengths, also at other lengths than it was built for", () => {
    // [kernel, strides, padding, outputPadding, dilation] → the length for 1, 4 and 7 steps.
    const rules: Array<[number, number, 'same' | 'valid', number | null, number, number[]]> = [
      [3, 2, 'same', null, 1, [2, 8, 14]],
      [3, 2, 'valid', null, 1, [3, 9, 15]],
      [4, 2, 'same', 0, 1, [0, 6, 12]],
      [5, 3, 'same', 2, 1, [3, 12, 21]],
      [2, 3, 'valid', 1, 1, [3, 12, 21]],
      [3, 1, 'valid', 0, 3, [7, 10, 13]],
    ];
    for (const [kernelSize, strides, padding, outputPadding, dilationRate, want] of rules) {
      using m = nr.sequential({ layers: [nr.layers.conv1dTranspose({ inputShape: [null, 2], filters: 1, kernelSize, strides, padding, outputPadding, dilationRate })] });
      expect(m.outputShape).toEqual([null, null, 1]);
      const got = [1, 4, 7].map((n) => nr.tidy(() => m.predict(nr.zeros([2, n, 2])).shape[1]));
      expect(got, JSON.stringify([kernelSize, strides, padding, outputPadding, dilationRate])).toEqual(want);
    }
  });
});

describe('the conv1dTranspose op (neurite\'s own) against TF.js\'s conv2dTranspose on one-row images', () => {
  // [x shape, filter [k, out, in], outputShape, stride, pad]
  const CASES: Array<[number[], number[], number[], number, 'valid' | 'same']> = [
    [[2, 5, 3], [3, 2, 3], [2, 11, 2], 2, 'valid'],
    [[2, 5, 3], [3, 2, 3], [2, 10, 2], 2, 'same'],
    [[1, 4, 1], [4, 3, 1], [1, 12, 3], 3, 'same'],
    [[3, 2], [2, 1, 2], [6, 1], 2, 'valid'],
    [[2, 3, 2], [1, 2, 2], [2, 3, 2], 1, 'valid'],
  ];

  it('values and the gradients in x and the filter as tf.grads through TF.js (1e-5)', () => {
    for (const [xs, fs, out, s, pad] of CASES) {
      const what = JSON.stringify([xs, fs, out, s, pad]);
      const r = rng(xs.length + fs[0] * 3 + s);
      const size = (d: number[]) => d.reduce((p, q) => p * q, 1);
      const [xv, fv, cv] = [uniform(r, size(xs), -1, 1), uniform(r, size(fs), -1, 1), uniform(r, size(out), -1, 1)];
      // One sequence as a batch of one (TF.js 4.22's gradient of a rank-3 conv2dTranspose has the wrong shape).
      const img = (d: number[]): [number, number, number, number] => [d.length === 3 ? d[0] : 1, 1, d[d.length - 2], d[d.length - 1]];
      const tfF = (x: tf.Tensor, f: tf.Tensor) => tf.reshape(tf.conv2dTranspose(tf.reshape(x, img(xs)) as tf.Tensor4D, tf.reshape(f, [1, fs[0], fs[1], fs[2]]) as tf.Tensor4D, img(out), [1, s], pad), out);
      const want = tf.tidy(() => {
        const [x, f, c] = [tf.tensor(xv, xs), tf.tensor(fv, fs), tf.tensor(cv, out)];
        const y = tfF(x, f).dataSync().slice();
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tfF(a, b), c)))([x, f]);
        return [y, dx.dataSync().slice(), df.dataSync().slice()];
      });
      const got = nr.tidy(() => {
        const [x, f, c] = [nr.tensor(xv, xs), nr.tensor(fv, fs), nr.tensor(cv, out)];
        const y = nr.conv1dTranspose(x, f, out, s, pad);
        expect(y.shape, what).toEqual(out);
        expect(Array.from(x.conv1dTranspose(f, out, s, pad).dataSync()), `${what}: the Tensor method`).toEqual(Array.from(y.dataSync()));
        const [dx, df] = nr.grads((a: nr.Tensor, b: nr.Tensor) => nr.conv1dTranspose(a, b, out, s, pad).mul(c).sum())([x, f]);
        return [y.dataSync().slice(), dx.dataSync().slice(), df.dataSync().slice()];
      });
      ['y', 'dL/dx', 'dL/dfilter'].forEach((n, i) => closeTo(got[i], want[i], 1e-5, `${what}: ${n}`));
    }
  });

  it("is the layer's forward without output padding (its kernel, plus the bias); errors name the op and the shapes", () => {
    using m = nr.sequential({ layers: [nr.layers.conv1dTranspose({ inputShape: [5, 3], filters: 2, kernelSize: 3, strides: 2, padding: 'same', biasInitializer: 'ones' })], seed: 2 });
    nr.tidy(() => {
      const x = nr.tensor(uniform(rng(9), 30, -1, 1), [2, 5, 3]);
      const [k, b] = m.getWeights();
      closeTo(m.predict(x).dataSync(), nr.conv1dTranspose(x, k, [2, 10, 2], 2, 'same').add(b).dataSync(), 1e-6, 'layer vs op');
      k.dispose();
      b.dispose();
    });
    const x = nr.ones([2, 5, 3]);
    const f = nr.ones([3, 2, 3]);
    const f4 = nr.ones([3, 2, 4]);
    try {
      // Said of sequences (the conv2dTranspose it runs would name one-row images [2, 1, 5, 3]).
      expect(invalidMessage(() => nr.conv1dTranspose(x, f, [2, 13, 2], 2, 'same'))).toBe("conv1dTranspose: outputShape [2,13,2] does not go with x of shape [2,5,3]: with a filter of width 3, stride 2 and pad 'same', the widths whose conv1d is x's 5 are 9 to 10, got 13");
      expect(invalidMessage(() => nr.conv1dTranspose(x, f, [2, 10, 2], 2, 'valid'))).toMatch(/the widths whose conv1d is x's 5 are 11 to 12, got 10$/);
      expect(invalidMessage(() => nr.conv1dTranspose(x, f, [2, 8, 2], 1, 'valid'))).toMatch(/stride 1 and pad 'valid', the widths whose conv1d is x's 5 are 7, got 8$/);
      nr.conv1dTranspose(x, f, [2, 7, 2], 1, 'valid').dispose(); // the one width
      expect(errorText(() => nr.conv1dTranspose(x, f4, [2, 10, 2], 2, 'same'))).toMatch(/conv1dTranspose: filter has 4 input channels \(filter\[2\]/);
      expect(errorText(() => nr.conv1dTranspose(x, f, [2, 10, 3], 2, 'same'))).toMatch(/conv1dTranspose: filter has 2 output channels \(filter\[1\]/);
      expect(invalidMessage(() => nr.conv1dTranspose(x, f, [3, 10, 2], 2, 'same'))).toBe('conv1dTranspose: outputShape [3,10,2] has batch 3 but x has 2 sequences (shape [2,5,3])');
    } finally {
      nr.dispose([x, f, f4]);
    }
  });
});
