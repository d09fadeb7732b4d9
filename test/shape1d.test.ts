// layers.upSampling1d, layers.zeroPadding1d and layers.cropping1d (Keras 3's UpSampling1D,
// ZeroPadding1D and Cropping1D; TF.js 4.22 has none of them) against Keras 3 itself:
// test/fixtures/keras3-shape1d.json, written by bench/keras/shape1d.py (Keras 3.15 on JAX, CPU),
// holds three sequential models of 7 steps and 3 channels (conv1d → upSampling1d →
// zeroPadding1d → cropping1d → conv1d; conv1d → maxPooling1d → upSampling1d 3 → cropping1d →
// conv1d; an integer padding and the defaults) and a functional 1-D U-Net step on 9 steps (the
// skip concatenated after upSampling1d and cropping1d) with Keras's weights, output shapes, predictions, the
// gradients of sum(y·g) in x and every weight, one train_on_batch and two epochs of fit, and
// each model's to_json(). Then each layer alone with its values placed by hand (sizes 1, 3
// and 49, zero rows, zero steps, unknown steps, 1e±30), central differences through a chain,
// the options' errors, masks (refused at build, as Keras 3 drops them), configs and saving.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAll, expectKeras3Fixture, expectKerasGradients, expectTrainsAsKeras, type TrainedCase, setLayerWeights, T, type Nested, type Weights } from './keras-fixture.js';
import { centralDiff, close as closeTo, rng, uniform } from './oracle.js';
import { errorText, failTestsThatLeak, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/** A fixture case: the layer fixtures' common fields and this generator's own. */
interface Case extends TrainedCase {
  json: string;
  layers: Array<[string, number | [number, number]]>;
  outputShape: number[];
  weights: Weights;
  weightNames: string[];
  predict: Nested;
}
const F: { keras: string; backend: string; lr: number; cases: Case[] } = JSON.parse(readFileSync(new URL('./fixtures/keras3-shape1d.json', import.meta.url), 'utf8'));

/** The generator's sequential models (bench/keras/shape1d.py), from neurite's factories, names as Keras's. */
const MODELS: Record<string, () => nr.Layer[]> = {
  chain: () => [
    nr.layers.conv1d({ name: 'c1', inputShape: [7, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
    nr.layers.upSampling1d({ name: 'up', size: 2 }),
    nr.layers.zeroPadding1d({ name: 'pad', padding: [1, 2] }),
    nr.layers.cropping1d({ name: 'crop', cropping: [2, 1] }),
    nr.layers.conv1d({ name: 'c2', filters: 2, kernelSize: 3 }),
  ],
  pool: () => [
    nr.layers.conv1d({ name: 'c1', inputShape: [7, 3], filters: 3, kernelSize: 2, padding: 'same', activation: 'relu' }),
    nr.layers.maxPooling1d({ name: 'pool', poolSize: 3, padding: 'same' }),
    nr.layers.upSampling1d({ name: 'up', size: 3 }),
    nr.layers.cropping1d({ name: 'crop', cropping: 1 }),
    nr.layers.conv1d({ name: 'c2', filters: 3, kernelSize: 1 }),
  ],
  'pad int': () => [
    nr.layers.zeroPadding1d({ name: 'pad', inputShape: [7, 3], padding: 2 }),
    nr.layers.conv1d({ name: 'c1', filters: 2, kernelSize: 5, activation: 'sigmoid' }),
    nr.layers.upSampling1d({ name: 'up' }),
    nr.layers.cropping1d({ name: 'crop' }),
  ],
};

/** The generator's functional model: a 1-D U-Net step whose skip joins the upsampled path after a crop. */
function unet(): nr.Sequential {
  const x = nr.input({ shape: [9, 3], name: 'x' });
  const a = nr.layers.conv1d({ name: 'c1', filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }).apply(x);
  const d = nr.layers.maxPooling1d({ name: 'pool', poolSize: 2, padding: 'same' }).apply(a); // 9 → 5
  const u = nr.layers.cropping1d({ name: 'crop', cropping: [0, 1] }).apply(nr.layers.upSampling1d({ name: 'up', size: 2 }).apply(d)); // 10 → 9
  const j = nr.layers.zeroPadding1d({ name: 'pad', padding: [2, 0] }).apply(nr.layers.concatenate({ name: 'join' }).apply([a, u])); // 11
  return nr.model({ inputs: x, outputs: nr.layers.conv1d({ name: 'c2', filters: 2, kernelSize: 3 }).apply(j) });
}

function modelOf(c: Case): nr.Sequential {
  const m = c.name === 'unet' ? unet() : nr.sequential({ layers: MODELS[c.name]() });
  setLayerWeights(m, c.weights);
  m.compile({ optimizer: nr.optimizers.sgd(F.lr), loss: 'meanSquaredError' });
  return m;
}

/** The shape layers of `m` as the fixture lists them: [class, size or [start, end]]. */
const shapeLayers = (m: nr.Sequential): Array<[string, unknown]> =>
  m.layers.flatMap((l): Array<[string, unknown]> => {
    if (l instanceof nr.UpSampling1D) return [['UpSampling1D', l.size]];
    if (l instanceof nr.ZeroPadding1D) return [['ZeroPadding1D', l.amounts]];
    if (l instanceof nr.Cropping1D) return [['Cropping1D', l.amounts]];
    return [];
  });

describe('upSampling1d, zeroPadding1d and cropping1d against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expectKeras3Fixture(F, ['chain', 'pool', 'pad int', 'unet']);
  });

  it("predicts as Keras (1e-5), with Keras's output shapes", () => {
    for (const c of F.cases) {
      using m = modelOf(c);
      expect(shapeLayers(m), c.name).toEqual(c.layers);
      expect(m.outputShape, c.name).toEqual([null, ...c.outputShape]);
      nr.tidy(() => closeAll(m.predict(T(c.x)).dataSync(), c.predict, `${c.name}: predict`));
    }
  });

  it("gives Keras's (JAX's) gradients in x and in every weight (the tape through predict)", () => {
    for (const c of F.cases) {
      using m = modelOf(c);
      const names = expectKerasGradients(m, c);
      expect(names.map((n) => n.replace(/_\d+\//, '/')), c.name).toEqual(c.weightNames.map((n) => n.replace(/^m\//, '')));
    }
  });

  it('trains as Keras: one trainOnBatch, two epochs of fit (SGD, mean squared error, batches of 3 in order)', async () => {
    for (const c of F.cases) await expectTrainsAsKeras(c, modelOf);
  });

  it("loads each Keras 3 to_json() model (modelFromJSON) and, given Keras's weights, predicts as Keras", async () => {
    for (const c of F.cases) {
      const m = (await nr.models.modelFromJSON(JSON.parse(c.json))) as nr.Sequential;
      try {
        expect(shapeLayers(m), c.name).toEqual(c.layers);
        expect(m.outputShape, c.name).toEqual([null, ...c.outputShape]);
        setLayerWeights(m, c.weights);
        nr.tidy(() => closeAll(m.predict(T(c.x)).dataSync(), c.predict, `${c.name}: loaded predict`));
      } finally {
        m.dispose();
      }
    }
  });
});

/** `[b, n, c]` values 1, 2, 3, … */
const iota = (b: number, n: number, c: number) => Float32Array.from({ length: b * n * c }, (_, i) => i + 1);

/** Runs `layer` alone on `x` `[b, n, c]`: its output and dL/dx of sum(y·g) for a g of its own. */
function runAlone(layer: nr.Layer, x: Float32Array, [b, n, c]: number[]): { y: Float32Array; shape: readonly number[]; g: Float32Array; dx: Float32Array } {
  using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [null, c] }), layer] });
  return nr.tidy(() => {
    const xt = nr.tensor(x, [b, n, c]);
    const yt = m.predict(xt);
    const g = Float32Array.from({ length: yt.size }, (_, i) => Math.cos(i * 0.37));
    const gt = nr.tensor(g, yt.shape);
    const dx = nr.grad((t: nr.Tensor) => m.predict(t).mul(gt).sum())(xt);
    return { y: yt.dataSync().slice(), shape: yt.shape, g, dx: dx.dataSync().slice() };
  });
}

/**
 * Output step t of each sample reads input step `src(t)` (or is 0 when it gives -1); dL/dx of an
 * input step is the sum of g over the output steps that read it.
 */
function expectPlaced(layer: () => nr.Layer, [b, n, c]: number[], m: number, src: (t: number) => number, what: string, x = iota(b, n, c)): void {
  const r = runAlone(layer(), x, [b, n, c]);
  expect(r.shape, what).toEqual([b, m, c]);
  const want = new Float32Array(b * m * c);
  const dx = new Float32Array(b * n * c);
  for (let s = 0; s < b; s++) {
    for (let t = 0; t < m; t++) {
      const i = src(t);
      for (let ch = 0; ch < c; ch++) {
        if (i >= 0) {
          want[(s * m + t) * c + ch] = x[(s * n + i) * c + ch];
          dx[(s * n + i) * c + ch] += r.g[(s * m + t) * c + ch];
        }
      }
    }
  }
  expect(Array.from(r.y), `${what}: values`).toEqual(Array.from(want));
  closeTo(r.dx, dx, 1e-6, `${what}: dL/dx`);
}

describe('each layer alone, values placed by hand', () => {
  it('upSampling1d repeats each step size times, exactly (sizes 1, 2, 3, 49; TF.js-style nearest would misplace steps at 49)', () => {
    for (const [size, n, c, b] of [[1, 5, 2, 2], [2, 7, 3, 2], [3, 1, 2, 1], [49, 3, 1, 2]]) {
      expectPlaced(() => nr.layers.upSampling1d({ size }), [b, n, c], n * size, (t) => Math.floor(t / size), `size ${size}`);
    }
    expectPlaced(() => nr.layers.upSampling1d(), [1, 4, 1], 8, (t) => t >> 1, 'default size 2');
  });

  it('zeroPadding1d puts zero steps before and after', () => {
    for (const [padding, n, c, b] of [[1, 7, 3, 2], [[0, 3], 2, 1, 1], [[2, 0], 5, 2, 3], [[4, 4], 1, 1, 1]] as Array<[nr.Border1D, number, number, number]>) {
      const [s, e] = typeof padding === 'number' ? [padding, padding] : padding;
      expectPlaced(() => nr.layers.zeroPadding1d({ padding }), [b, n, c], s + n + e, (t) => (t >= s && t < s + n ? t - s : -1), `padding ${JSON.stringify(padding)}`);
    }
    expectPlaced(() => nr.layers.zeroPadding1d(), [1, 3, 2], 5, (t) => (t >= 1 && t < 4 ? t - 1 : -1), 'default padding 1');
  });

  it('cropping1d cuts steps at both ends', () => {
    for (const [cropping, n, c, b] of [[1, 7, 3, 2], [[0, 3], 4, 1, 1], [[2, 0], 5, 2, 3], [[3, 3], 7, 1, 1]] as Array<[nr.Border1D, number, number, number]>) {
      const [s, e] = typeof cropping === 'number' ? [cropping, cropping] : cropping;
      expectPlaced(() => nr.layers.cropping1d({ cropping }), [b, n, c], n - s - e, (t) => t + s, `cropping ${JSON.stringify(cropping)}`);
    }
    expectPlaced(() => nr.layers.cropping1d(), [2, 3, 1], 1, (t) => t + 1, "default cropping 1 (Keras's (1, 1))");
  });

  it('zero rows and values of 1e±30 (copied, never rounded); a model refuses sequences of 0 steps before the layers (the core takes them: one_d.rs)', () => {
    expectPlaced(() => nr.layers.upSampling1d({ size: 3 }), [0, 4, 2], 12, (t) => Math.floor(t / 3), 'upSampling1d, batch 0');
    expectPlaced(() => nr.layers.cropping1d({ cropping: [1, 0] }), [0, 4, 2], 3, (t) => t + 1, 'cropping1d, batch 0');
    const big = Float32Array.from({ length: 2 * 5 * 2 }, (_, i) => (i % 2 ? -1e30 : 1e-30) * (i + 1));
    expectPlaced(() => nr.layers.upSampling1d({ size: 2 }), [2, 5, 2], 10, (t) => t >> 1, 'upSampling1d, 1e±30', big);
    expectPlaced(() => nr.layers.zeroPadding1d({ padding: 1 }), [2, 5, 2], 7, (t) => (t >= 1 && t < 6 ? t - 1 : -1), 'zeroPadding1d, 1e±30', big);
    expectPlaced(() => nr.layers.cropping1d({ cropping: [0, 4] }), [2, 5, 2], 1, (t) => t, 'cropping1d, 1e±30', big);
    using m = nr.sequential({ layers: [nr.layers.upSampling1d({ inputShape: [null, 2] })] });
    expect(errorText(() => nr.tidy(() => m.predict(nr.zeros([2, 0, 2]))))).toMatch(/null: any size from 1\), got \[2,0,2\]/);
  });

  it('unknown steps (inputShape [null, c]): the output steps are unknown and follow each input', () => {
    using m = nr.sequential({
      layers: [nr.layers.upSampling1d({ inputShape: [null, 2], size: 3 }), nr.layers.zeroPadding1d({ padding: [1, 0] }), nr.layers.cropping1d({ cropping: [0, 2] })],
    });
    expect(m.outputShape).toEqual([null, null, 2]);
    expect([1, 4, 7].map((n) => nr.tidy(() => m.predict(nr.zeros([2, n, 2])).shape))).toEqual([[2, 2, 2], [2, 11, 2], [2, 20, 2]]);
  });
});

describe('upSampling1d, zeroPadding1d, cropping1d: central differences, errors, masks, configs', () => {
  it('dL/dx and dL/dW through conv1d → upSampling1d → zeroPadding1d → cropping1d → conv1d match central differences', () => {
    using m = nr.sequential({
      layers: [
        nr.layers.conv1d({ inputShape: [5, 2], filters: 3, kernelSize: 2, activation: 'tanh' }),
        nr.layers.upSampling1d({ size: 3 }),
        nr.layers.zeroPadding1d({ padding: [2, 1] }),
        nr.layers.cropping1d({ cropping: [1, 3] }),
        nr.layers.conv1d({ filters: 2, kernelSize: 3, strides: 2 }),
      ],
      seed: 5,
    });
    const shape = [2, 5, 2];
    const r = rng(17);
    const xs = uniform(r, 20, -1, 1);
    const out = [2, ...(m.outputShape as number[]).slice(1)];
    expect(out).toEqual([2, 5, 2]);
    const c = uniform(r, 20, -1, 1);
    const lossOf = (x: nr.Tensor) => m.predict(x).mul(nr.tensor(c, out)).sum();
    const loss = (v: Float32Array) => nr.tidy(() => lossOf(nr.tensor(v, shape)).dataSync()[0]);
    const got = nr.tidy(() => nr.grad(lossOf)(nr.tensor(xs, shape)).dataSync().slice());
    closeTo(got, centralDiff(loss, xs), 2e-3, 'dL/dx');
    const first = m.layers[0].getWeights();
    const k0 = first[0].dataSync().slice();
    const lossW = (v: Float32Array) => {
      const t = nr.tensor(v, [...first[0].shape]);
      m.layers[0].setWeights([t, first[1]]);
      t.dispose();
      return loss(xs);
    };
    const dW = nr.tidy(() => {
      const { grads } = nr.variableGrads(() => lossOf(nr.tensor(xs, shape)), m.trainableWeights);
      return grads[m.trainableWeights[0].name].dataSync().slice();
    });
    closeTo(dW, centralDiff(lossW, k0), 2e-3, 'dL/dW of the first conv1d');
    nr.dispose(first);
  });

  it('refuses bad options naming them; unknown keys suggest the nearest', () => {
    expect(invalidMessage(() => nr.layers.upSampling1d({ size: 0 }))).toBe('upSampling1d: size must be an integer in [1, 65536], got 0');
    expect(invalidMessage(() => nr.layers.upSampling1d({ size: 1.5 }))).toMatch(/^upSampling1d: size must be an integer .*1\.5/);
    expect(invalidMessage(() => nr.layers.upSampling1d({ size: [2, 2] as never }))).toBe('upSampling1d: size must be a positive integer or a list of one, got [2,2]');
    expect(invalidMessage(() => nr.layers.zeroPadding1d({ padding: -1 }))).toMatch(/^zeroPadding1d: padding must be an integer in \[0, 65536\], got -1/);
    expect(invalidMessage(() => nr.layers.zeroPadding1d({ padding: [1, 0.5] }))).toMatch(/^zeroPadding1d: padding\[1\] must be an integer in \[0, 65536\], got 0\.5/);
    expect(invalidMessage(() => nr.layers.zeroPadding1d({ padding: [1, 2, 3] as never }))).toBe('zeroPadding1d: padding must be an integer or a pair [start, end] of integers from 0 to 65536, got [1,2,3]');
    expect(invalidMessage(() => nr.layers.zeroPadding1d({ dataFormat: 'channelsFirst' as never }))).toMatch(/dataFormat must be 'channelsLast' \(\[batch, steps, channels\]\)/);
    expect(invalidMessage(() => nr.layers.cropping1d({ cropping: 'all' as never }))).toBe('cropping1d: cropping must be an integer or a pair [start, end] of integers from 0 to 65536, got "all"');
    expect(invalidMessage(() => nr.layers.cropping1d({ croping: 1 } as never))).toMatch(/croping.*cropping/);
    expect(invalidMessage(() => nr.layers.upSampling1d({ sizes: 2 } as never))).toMatch(/sizes.*size/);
    expect(invalidMessage(() => nr.layers.zeroPadding1d({ paddings: 2 } as never))).toMatch(/paddings.*padding/);
  });

  it('a crop that leaves no steps and inputs that are not [batch, steps, channels] are errors naming the shapes', () => {
    // The model is built at its first use (here summary).
    const build = (layers: () => nr.Layer[]) =>
      errorText(() => {
        const m = nr.sequential({ layers: layers() });
        try {
          m.summary(null);
        } finally {
          m.dispose();
        }
      });
    expect(build(() => [nr.layers.cropping1d({ name: 'c', inputShape: [3, 2], cropping: [2, 1] })])).toContain(".layers[0] (cropping1d c): cropping [2,1] leaves nothing of the per-sample input [3,2]: the steps cut (3) must be fewer than the input's 3 steps");
    expect(build(() => [nr.layers.upSampling1d({ name: 'u', inputShape: [4, 4, 2] })])).toContain('(upSampling1d u) expects per-sample inputs of shape [steps, channels], got per-sample shape [4,4,2]');
    // More steps than a dimension holds (70000 × 65536 wrapped around to 292552704 before).
    expect(build(() => [nr.layers.upSampling1d({ inputShape: [70000, 1], size: 65536 })])).toContain('upSampling1d: the output steps (steps × size) is 4587520000, more than a dimension holds (4294967295)');
    expect(build(() => [nr.layers.zeroPadding1d({ name: 'p', inputShape: [4] })])).toContain('(zeroPadding1d p) expects per-sample inputs of shape [steps, channels], got per-sample shape [4]');
    // At unknown steps, a sequence too short for the crop is an error when it comes.
    using m = nr.sequential({ layers: [nr.layers.cropping1d({ inputShape: [null, 2], cropping: [1, 1] })] });
    expect(errorText(() => nr.tidy(() => m.predict(nr.zeros([1, 2, 2]))))).toMatch(/^ShapeError: predict: x of shape \[1,2,2\] .* layer 'cropping1d_\d+' \(cropping1d, per-sample input shape \[null, 2\]\) cannot take \[2, 2\]: cropping \[1, 1\] leaves nothing of the per-sample input \[2, 2\]: the steps cut \(2\) must be fewer than the input's 2 steps$/);
    expect(errorText(() => nr.tidy(() => m.predict(nr.zeros([1, 2]))))).toMatch(/expected input of shape \[batch,null,2\].*got \[1,2\]/);
  });

  it('a mask reaching any of them is refused when the model is built (its first use; Keras 3 drops it with a warning)', () => {
    for (const layer of [() => nr.layers.upSampling1d(), () => nr.layers.zeroPadding1d(), () => nr.layers.cropping1d()]) {
      const l = layer();
      using m = nr.sequential({ layers: [nr.layers.masking({ inputShape: [6, 2] }), l, nr.layers.globalAveragePooling1d()] });
      const e = errorText(() => nr.tidy(() => m.predict(nr.ones([1, 6, 2]))));
      expect(e, l.kind).toContain(`InvalidArgumentError: build: layer '${l.name}' (${l.kind}) cannot take the mask that layer '${m.layers[0].name}' (masking) makes yet`);
    }
  });

  it('getConfig/fromConfig, summary, className; saved (Keras 3 class names and configs) and loaded it predicts the same', async () => {
    const ls = [nr.layers.upSampling1d({ name: 'u', size: 3 }), nr.layers.zeroPadding1d({ name: 'p', padding: [0, 2] }), nr.layers.cropping1d({ name: 'c', cropping: [1, 0] })] as const;
    expect(ls.map((l) => l.getClassName())).toEqual(['UpSampling1D', 'ZeroPadding1D', 'Cropping1D']);
    expect([nr.UpSampling1D.className, nr.ZeroPadding1D.className, nr.Cropping1D.className]).toEqual(['UpSampling1D', 'ZeroPadding1D', 'Cropping1D']);
    expect(ls.map((l) => l.getConfig())).toMatchObject([{ name: 'u', size: 3 }, { name: 'p', padding: [0, 2] }, { name: 'c', cropping: [1, 0] }]);
    const copies = [nr.layers.upSampling1d(ls[0].getConfig() as never), nr.layers.zeroPadding1d(ls[1].getConfig() as never), nr.layers.cropping1d(ls[2].getConfig() as never)] as const;
    expect([copies[0].size, copies[1].amounts, copies[2].amounts]).toEqual([3, [0, 2], [1, 0]]);
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [5, 2] }), ...ls], seed: 3 });
    let text = '';
    m.summary((s: string) => (text += `${s}\n`));
    expect(text).toMatch(/u \(UpSampling1D\)\s+\[null,15,2\]\s+0/);
    expect(text).toMatch(/p \(ZeroPadding1D\)\s+\[null,17,2\]\s+0/);
    expect(text).toMatch(/c \(Cropping1D\)\s+\[null,16,2\]\s+0/);
    const art = await m.toArtifacts();
    const cfgs = (art.modelTopology as { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } }).config.layers.slice(1);
    expect(cfgs.map((l) => l.class_name)).toEqual(['UpSampling1D', 'ZeroPadding1D', 'Cropping1D']);
    expect(cfgs.map((l) => l.config)).toMatchObject([{ size: 3 }, { padding: [0, 2], data_format: 'channels_last' }, { cropping: [1, 0] }]);
    const back = (await nr.loadModel(art)) as nr.Sequential;
    try {
      const x = uniform(rng(4), 2 * 5 * 2, -1, 1);
      const y0 = nr.tidy(() => m.predict(nr.tensor(x, [2, 5, 2])).dataSync().slice());
      const y1 = nr.tidy(() => back.predict(nr.tensor(x, [2, 5, 2])).dataSync().slice());
      expect(Array.from(y1)).toEqual(Array.from(y0));
      expect(shapeLayers(back)).toEqual([['UpSampling1D', 3], ['ZeroPadding1D', [0, 2]], ['Cropping1D', [1, 0]]]);
    } finally {
      back.dispose();
    }
  });

  it("reads Keras's forms of the amounts (a number, a pair, missing: the defaults) and refuses channels_first", async () => {
    const model = (layer: Record<string, unknown>) => ({
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 6, 2], name: 'in' } }, layer] },
    });
    const read = async (class_name: string, config: Record<string, unknown>) => {
      const m = (await nr.models.modelFromJSON(model({ class_name, config: { name: 'l', ...config } }) as never)) as nr.Sequential;
      try {
        return [shapeLayers(m)[0][1], m.outputShape];
      } finally {
        m.dispose();
      }
    };
    expect(await read('UpSampling1D', {})).toEqual([2, [null, 12, 2]]);
    expect(await read('ZeroPadding1D', { padding: 2 })).toEqual([[2, 2], [null, 10, 2]]);
    expect(await read('ZeroPadding1D', {})).toEqual([[1, 1], [null, 8, 2]]);
    expect(await read('Cropping1D', { cropping: [0, 5] })).toEqual([[0, 5], [null, 1, 2]]);
    expect(await read('Cropping1D', {})).toEqual([[1, 1], [null, 4, 2]]);
    const refused = (cls: string, config: Record<string, unknown>) => read(cls, config).then(() => '', (e: unknown) => String(e));
    expect(await refused('ZeroPadding1D', { padding: 1, data_format: 'channels_first' })).toMatch(/data_format must be 'channels_last' \(\[batch, steps, channels\]\)/);
    expect(await refused('Cropping1D', { cropping: [1, 2, 3] })).toMatch(/cropping must be an integer or a pair \[start, end\].*\[1,2,3\]/);
    expect(await refused('Cropping1D', { cropping: [3, 3] })).toMatch(/cropping \[3,3\] leaves nothing of the per-sample input \[6,2\]/);
    expect(await refused('UpSampling1D', { size: 0 })).toMatch(/size must be a positive integer/);
  });
});
