// layers.conv2dTranspose with Keras 3's outputPadding and dilationRate (TF.js 4.22's
// Conv2DTranspose has neither) against Keras 3 itself: test/fixtures/keras3-conv2d-transpose-
// padding.json, written by bench/keras/conv2d_transpose_padding.py (Keras 3.15 on JAX, CPU),
// holds thirteen layers (strides 1, 2, 3 and [2, 3], 'same'/'valid', output_padding 0/1/2 and
// per-axis pairs, even and non-square kernels, a kernel below its stride, dilation 2 and [1, 3],
// odd sizes, a 1 × 1 image, no bias, inputs times 1e3 and 1e-4, one without output_padding) with
// Keras's weights, output shapes, predictions, gradients of sum(y·g) in x, kernel and bias, one
// train_on_batch and two epochs of fit; a 13 → 7 → 13 convolutional autoencoder trained six
// epochs; and Keras's own refusals. Then the options' errors, the saved configs (and what TF.js
// does with them), and the conv2dTranspose op at the sizes outputPadding gives.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, closeAll, expectKeras3Fixture, expectKerasGradients, expectTrainsAsKeras, expectWeights, setLayerWeights, T, type Nested, type TrainedCase, type Weights } from './keras-fixture.js';
import { rng, uniform } from './oracle.js';
import { failTestsThatLeak, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/** A fixture case: the layer fixtures' common fields and this generator's own. */
interface Case extends TrainedCase {
  options: Record<string, unknown>;
  json: string;
  inputShape: [number, number, number];
  outputShape: [number, number, number];
  weights: Weights;
  predict: Nested;
}
const F: {
  keras: string;
  backend: string;
  lr: number;
  cases: Case[];
  autoencoder: { json: string; x: Nested; y: Nested; weights: Weights; history: { loss: number[] }; after: Weights; predict: Nested };
  refused: Array<{ options: Record<string, unknown>; error: string | null }>;
} = JSON.parse(readFileSync(new URL('./fixtures/keras3-conv2d-transpose-padding.json', import.meta.url), 'utf8'));

/** Keras's options in neurite's names. */
const KEYS: Record<string, string> = { kernel_size: 'kernelSize', output_padding: 'outputPadding', dilation_rate: 'dilationRate', use_bias: 'useBias' };
const optionsOf = (o: Record<string, unknown>): nr.Conv2DTransposeArgs => Object.fromEntries(Object.entries(o).map(([k, v]) => [KEYS[k] ?? k, v])) as never;
/** A Keras option as neurite's pair. */
const pairOf = (v: unknown, def: number): [number, number] => (v === undefined ? [def, def] : typeof v === 'number' ? [v, v] : (v as [number, number]));

/** The case's layer alone, named as Keras's (`t`), with Keras's weights, compiled as the generator. */
function modelOf(c: Case): nr.Sequential {
  const m = nr.sequential({ layers: [nr.layers.conv2dTranspose({ name: 't', inputShape: c.inputShape, ...optionsOf(c.options) })] });
  setLayerWeights(m, c.weights);
  m.compile({ optimizer: nr.optimizers.sgd(F.lr), loss: 'meanSquaredError' });
  return m;
}

describe('conv2dTranspose with outputPadding against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expectKeras3Fixture(F, [
      's2 same op0 odd', 's2 same op1 tanh', 's3 valid k2x4 op[2,1]', 's[2,3] same k4 op[1,2]', 's3 same k5 op[0,2] sigmoid', 's2 same k2 op0 even', 's2 valid k1 op1',
      'd2 same op0', 'd[1,3] valid k3x2 op0', 'one pixel, no bias', 'huge inputs s2 valid op1', 'tiny inputs s3 same op2', 'no output_padding s2 same k4',
    ]);
  });

  it("predicts as Keras, with Keras's output sizes ((h − 1)·s + k_eff − 2·pad + outputPadding) and kernel [kh, kw, filters, in]", () => {
    for (const c of F.cases) {
      using m = modelOf(c);
      expect(m.outputShape, c.name).toEqual([null, ...c.outputShape]);
      const f = c.outputShape[2];
      const want = [[...pairOf(c.options.kernel_size, 0), f, c.inputShape[2]], ...(c.options.use_bias === false ? [] : [[f]])];
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

  it("loads each Keras 3 to_json() model (modelFromJSON) with its output_padding and, given Keras's weights, predicts as Keras", async () => {
    for (const c of F.cases) {
      const m = (await nr.models.modelFromJSON(JSON.parse(c.json))) as nr.Sequential;
      try {
        const l = m.getLayer('t') as nr.Conv2DTranspose;
        const op = c.options.output_padding;
        expect([l.kernelSize, l.strides, l.padding, l.outputPadding, l.dilationRate], c.name).toEqual([
          pairOf(c.options.kernel_size, 0), pairOf(c.options.strides, 1), c.options.padding ?? 'valid', op === undefined ? null : pairOf(op, 0), pairOf(c.options.dilation_rate, 1),
        ]);
        expect(m.outputShape, c.name).toEqual([null, ...c.outputShape]);
        setLayerWeights(m, c.weights);
        nr.tidy(() => closeAll(m.predict(T(c.x)).dataSync(), c.predict, `${c.name}: loaded predict`));
      } finally {
        m.dispose();
      }
    }
  });

  it('a 13 → 7 → 13 convolutional autoencoder (conv2d stride 2 → conv2dTranspose stride 2, outputPadding 0) trains as Keras\'s from the same weights', async () => {
    const a = F.autoencoder;
    // Built from neurite's factories and, separately, from Keras's to_json().
    const built = nr.sequential({
      layers: [
        nr.layers.conv2d({ name: 'enc', inputShape: [13, 13, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        nr.layers.conv2dTranspose({ name: 'dec', filters: 1, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 }),
      ],
    });
    const loaded = (await nr.models.modelFromJSON(JSON.parse(a.json))) as nr.Sequential;
    const [x, y] = [T(a.x), T(a.y)];
    try {
      for (const m of [built, loaded]) {
        expect(m.outputShape).toEqual([null, 13, 13, 1]);
        setLayerWeights(m, a.weights);
        m.compile({ optimizer: nr.optimizers.sgd(0.2), loss: 'meanSquaredError' });
        const h = await m.fit(x, y, { epochs: 6, batchSize: 4, shuffle: false, verbose: 0 });
        // 18 SGD steps through two layers in two libraries' summation orders.
        h.history.loss.forEach((v, i) => close(v as number, a.history.loss[i], `autoencoder: fit loss ${i}`, 1e-4));
        expectWeights(m, a.after, 'autoencoder: weights after fit', 1e-4);
        nr.tidy(() => closeAll(m.predict(x).dataSync(), a.predict, 'autoencoder: predict after fit', 1e-4));
        expect(h.history.loss[5]).toBeLessThan(h.history.loss[0] * 0.6);
      }
    } finally {
      nr.dispose([x, y, built, loaded]);
    }
  });
});

describe('conv2dTranspose outputPadding: options, configs, the op', () => {
  it("refuses what Keras refuses, naming the values and the strides", async () => {
    const make = (o: Record<string, unknown>) => () => nr.layers.conv2dTranspose({ filters: 1, kernelSize: 3, ...o } as never);
    // Keras 3 refuses each of these (the fixture holds its errors).
    for (const r of F.refused) {
      expect(r.error, JSON.stringify(r.options)).not.toBeNull();
      expect(invalidMessage(make(optionsOf(r.options) as never)), JSON.stringify(r.options)).toMatch(/^conv2dTranspose: (outputPadding must be less than strides|strides > 1 is not supported together with dilationRate > 1)/);
    }
    expect(invalidMessage(make({ strides: 2, outputPadding: 2 }))).toBe("conv2dTranspose: outputPadding must be less than strides (Keras 3's rule: the extra rows and columns are each fewer than one stride), got outputPadding [2,2] with strides [2,2]");
    expect(invalidMessage(make({ strides: [2, 3], outputPadding: [1, 3] }))).toBe("conv2dTranspose: outputPadding must be less than strides (Keras 3's rule: the extra rows and columns are each fewer than one stride), got outputPadding [1,3] with strides [2,3]");
    expect(invalidMessage(make({ strides: [1, 2], dilationRate: [2, 1] }))).toBe('conv2dTranspose: strides > 1 is not supported together with dilationRate > 1 (as Keras 3), got strides [1,2] and dilationRate [2,1]');
    expect(invalidMessage(make({ strides: 2, outputPadding: -1 }))).toMatch(/^conv2dTranspose: outputPadding must be an integer.*-1/);
    expect(invalidMessage(make({ strides: 2, outputPadding: [1, 0.5] }))).toMatch(/^conv2dTranspose: outputPadding\[1\] must be an integer.*0\.5/);
    expect(invalidMessage(make({ strides: 2, outputPadding: [1] }))).toBe('conv2dTranspose: outputPadding must be a non-negative integer or a pair [rows, columns] of them, got [1]');
    expect(invalidMessage(make({ strides: 2, outputPadding: '1' }))).toMatch(/^conv2dTranspose: outputPadding must be an integer/);
    expect(invalidMessage(make({ outputPading: 1 }))).toMatch(/outputPading.*outputPadding/);
    // null is Keras's default (TF.js's sizes).
    expect(nr.layers.conv2dTranspose({ filters: 1, kernelSize: 3, outputPadding: null }).outputPadding).toBeNull();
    // A Keras 3 file with a bad output_padding is refused by its path.
    const edit = (v: unknown) => {
      const j = JSON.parse(F.cases[0].json);
      j.config.layers[1].config.output_padding = v; // layers[0] is the InputLayer
      return nr.models.modelFromJSON(j);
    };
    await expect(edit([2, 1])).rejects.toThrow(/outputPadding must be less than strides.*got outputPadding \[2,1\] with strides \[2,2\]/);
    await expect(edit([-1, 0])).rejects.toThrow(/layers\[1\]\.config\.output_padding must be a non-negative integer or a pair of them, got \[-1,0\]/);
  });

  it("saved (TF.js's format) output_padding and dilation_rate are written only when set, and load back", async () => {
    const x = uniform(rng(5), 2 * 5 * 4 * 2, -1, 1);
    for (const [opts, keys] of [
      [{ strides: [2, 3], padding: 'same', outputPadding: [1, 2] }, { output_padding: [1, 2] }],
      [{ dilationRate: [2, 1], outputPadding: 0 }, { output_padding: [0, 0], dilation_rate: [2, 1] }],
      [{ strides: 2 }, {}],
    ] as Array<[Partial<nr.Conv2DTransposeArgs>, Record<string, unknown>]>) {
      using m = nr.sequential({ layers: [nr.layers.conv2dTranspose({ name: 'up', inputShape: [5, 4, 2], filters: 2, kernelSize: 3, ...opts })], seed: 3 });
      const cfg = m.getLayer('up').getConfig();
      expect('outputPadding' in cfg, JSON.stringify(opts)).toBe(opts.outputPadding !== undefined);
      const art = await m.toArtifacts();
      const saved = (art.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config;
      expect(Object.keys(saved).filter((k) => k === 'output_padding' || k === 'dilation_rate').sort(), JSON.stringify(opts)).toEqual(Object.keys(keys).sort());
      expect(saved).toMatchObject(keys);
      const back = (await nr.loadModel(art)) as nr.Sequential;
      try {
        expect(back.outputShape).toEqual(m.outputShape);
        expect((back.getLayer('up') as nr.Conv2DTranspose).outputPadding).toEqual((m.getLayer('up') as nr.Conv2DTranspose).outputPadding);
        const [y0, y1] = [m, back].map((n) => nr.tidy(() => Array.from(n.predict(nr.tensor(x, [2, 5, 4, 2])).dataSync())));
        expect(y1).toEqual(y0);
      } finally {
        back.dispose();
      }
    }
  });

  it("TF.js ignores a saved output_padding (its layer has none): it builds its own sizes, 14 × 14 where neurite's is 13 × 13", async () => {
    using m = nr.sequential({ layers: [nr.layers.conv2dTranspose({ inputShape: [7, 7, 1], filters: 1, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 })] });
    expect(m.outputShape).toEqual([null, 13, 13, 1]);
    const art = await m.toArtifacts();
    const t = await tfl.models.modelFromJSON({ modelTopology: art.modelTopology as never });
    expect(t.outputs[0].shape).toEqual([null, 14, 14, 1]);
    t.dispose();
  });

  it("the conv2dTranspose op takes the sizes outputPadding gives (its output is the layer's before bias), and its error gives the valid range", () => {
    // Every linear case without dilation: conv2dTranspose(x, kernel, Keras's size) + bias is
    // Keras's predict, except 'same' with an even kernel and outputPadding 0, whose size no
    // conv2d with TensorFlow's padding maps back to x's (the op refuses it, naming the range).
    let checked = 0;
    for (const c of F.cases) {
      if (c.options.activation !== undefined || c.options.dilation_rate !== undefined) continue;
      const [kernel, bias] = c.weights.t;
      const s = pairOf(c.options.strides, 1);
      const pad = (c.options.padding ?? 'valid') as 'same' | 'valid';
      const out = [4, ...c.outputShape];
      const k = pairOf(c.options.kernel_size, 0);
      const evenSame = pad === 'same' && c.options.output_padding !== undefined && k.some((v, i) => v % 2 === 0 && pairOf(c.options.output_padding, 0)[i] === 0);
      if (evenSame) {
        const [h, w] = c.inputShape;
        expect(invalidMessage(() => nr.tidy(() => nr.conv2dTranspose(T(c.x), T(kernel), out, s, pad))), c.name).toBe(
          `conv2dTranspose: outputShape [${out.join(', ')}] does not go with x of shape [4,${c.inputShape.join(',')}]: with a ${k[0]} × ${k[1]} filter, strides [${s.join(', ')}] and pad 'same', the outputs whose conv2d is x's ${h} × ${w} have height ${(h - 1) * s[0] + 1} to ${h * s[0]} and width ${(w - 1) * s[1] + 1} to ${w * s[1]}`,
        );
        continue;
      }
      nr.tidy(() => {
        const y = nr.conv2dTranspose(T(c.x), T(kernel), out, s, pad);
        expect(y.shape, c.name).toEqual(out);
        closeAll((bias === undefined ? y : y.add(T(bias))).dataSync(), c.predict, `${c.name}: the op`);
      });
      checked++;
    }
    expect(checked).toBe(8);
    // One pixel through a 3 × 3 filter with stride 2 'valid': heights 3 and 4 are both x's 1 row.
    nr.tidy(() => {
      const [x, f] = [nr.ones([1, 1, 1, 1]), nr.ones([3, 3, 1, 1])];
      expect(nr.conv2dTranspose(x, f, [1, 4, 3, 1], 2, 'valid').shape).toEqual([1, 4, 3, 1]);
      expect(invalidMessage(() => nr.conv2dTranspose(x, f, [1, 5, 3, 1], 2, 'valid'))).toMatch(/have height 3 to 4 and width 3 to 4$/);
    });
  });
});
