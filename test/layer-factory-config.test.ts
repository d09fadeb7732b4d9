/**
 * Every layer factory takes its own layer's `getConfig()` back (the README's
 * `layers.<factory>(layer.getConfig())`): the same config again, and after `setWeights` the same
 * predictions. Also the option checks that used to be deferred or lossy: `masking`'s infinite
 * `maskValue` (saved, never loadable), activation parameters out of range (refused only at
 * compile), `inputShape` disagreeing with `batchInputShape`, the saved snake_case activation
 * names (`'hard_silu'`), and `spatialDropout1d`'s input rank and `noiseShape: null`.
 */
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { invalidMessage } from './setup.js';

const { layers } = nr;
type Cfg = Record<string, unknown>;
type AnyFactory = (args: unknown) => nr.Layer;

/** A representative layer of each factory, with non-default options: [factory, options, per-sample input shape ('int': embedding ids)]. */
const CASES: ReadonlyArray<readonly [keyof typeof layers, Cfg, number[] | 'int' | 'merge' | 'none']> = [
  ['dense', { inputShape: [4], units: 3, activation: 'tanh', kernelRegularizer: nr.regularizers.l2({ l2: 0.1 }), biasConstraint: nr.constraints.nonNeg() }, [4]],
  ['dense', { inputShape: [4], units: 3, activation: { name: 'cappedRelu', maxValue: 1.5 }, useBias: false }, [4]],
  ['activation', { inputShape: [4], activation: 'leakyRelu' }, [4]],
  ['activation', { inputShape: [4], activation: { name: 'leakyRelu', alpha: 0.1 } }, [4]],
  ['activation', { inputShape: [4], activation: 'relu6' }, [4]],
  ['activation', { inputShape: [4], activation: 'softmax' }, [4]],
  ['activation', { inputShape: [4], activation: { name: 'elu', alpha: 0.5 } }, [4]],
  ['activation', { inputShape: [4], activation: 'cappedRelu' }, [4]],
  ['activation', { inputShape: [4], activation: 'hard_silu' }, [4]],
  ['activation', { inputShape: [4], activation: { name: 'stairStep', step: 0.25, straightThrough: true } }, [4]],
  ['leakyReLU', { inputShape: [4], alpha: 0.1 }, [4]],
  ['reLU', { inputShape: [4], maxValue: 2 }, [4]],
  ['elu', { inputShape: [4], alpha: 0.5 }, [4]],
  ['softmax', { inputShape: [4], axis: -1 }, [4]],
  ['prelu', { inputShape: [4] }, [4]],
  ['thresholdedReLU', { inputShape: [4], theta: 0.3 }, [4]],
  ['dropout', { inputShape: [4], rate: 0.3, seed: 5 }, [4]],
  ['gaussianNoise', { inputShape: [4], stddev: 0.3 }, [4]],
  ['gaussianDropout', { inputShape: [4], rate: 0.3 }, [4]],
  ['alphaDropout', { inputShape: [4], rate: 0.3 }, [4]],
  ['saltAndPepper', { inputShape: [4], rate: 0.3 }, [4]],
  ['spatialDropout1d', { inputShape: [6, 2], rate: 0.2 }, [6, 2]],
  ['spatialDropout1d', { inputShape: [6, 2], rate: 0.2, seed: 3 }, [6, 2]],
  ['batchNormalization', { inputShape: [4], momentum: 0.8, epsilon: 0.01, center: false }, [4]],
  ['layerNormalization', { inputShape: [4], epsilon: 0.01, scale: false }, [4]],
  ['flatten', { inputShape: [2, 3] }, [2, 3]],
  ['reshape', { inputShape: [4], targetShape: [2, 2] }, [4]],
  ['inputLayer', { inputShape: [4] }, 'none'],
  ['rbf', { inputShape: [4], units: 3 }, [4]],
  ['variational', { inputShape: [4], units: 2 }, [4]],
  ['conv2d', { inputShape: [5, 5, 2], filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: 'same', activation: 'relu' }, [5, 5, 2]],
  ['conv2dTranspose', { inputShape: [3, 3, 2], filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }, [3, 3, 2]],
  ['depthwiseConv2d', { inputShape: [5, 5, 2], kernelSize: 2, depthMultiplier: 2 }, [5, 5, 2]],
  ['separableConv2d', { inputShape: [5, 5, 2], filters: 3, kernelSize: 2, depthMultiplier: 2 }, [5, 5, 2]],
  ['zeroPadding2d', { inputShape: [3, 3, 2], padding: [[1, 0], [0, 2]] }, [3, 3, 2]],
  ['cropping2d', { inputShape: [5, 5, 2], cropping: [[1, 0], [0, 2]] }, [5, 5, 2]],
  ['cropping2D', { inputShape: [5, 5, 2], cropping: [[0, 1], [2, 0]] }, [5, 5, 2]],
  ['maxPooling2d', { inputShape: [5, 5, 2], poolSize: [2, 3] }, [5, 5, 2]],
  ['maxPool2d', { inputShape: [5, 5, 2], poolSize: 2, strides: 1 }, [5, 5, 2]],
  ['averagePooling2d', { inputShape: [5, 5, 2], poolSize: 2, padding: 'same' }, [5, 5, 2]],
  ['avgPool2d', { inputShape: [5, 5, 2], poolSize: 3 }, [5, 5, 2]],
  ['avgPooling2d', { inputShape: [5, 5, 2], poolSize: [2, 1] }, [5, 5, 2]],
  ['globalMaxPooling2d', { inputShape: [5, 5, 2] }, [5, 5, 2]],
  ['globalMaxPool2d', { inputShape: [5, 5, 2] }, [5, 5, 2]],
  ['globalAveragePooling2d', { inputShape: [5, 5, 2] }, [5, 5, 2]],
  ['upSampling2d', { inputShape: [3, 3, 2], size: [2, 3], interpolation: 'bilinear' }, [3, 3, 2]],
  ['add', {}, 'merge'],
  ['subtract', {}, 'merge'],
  ['multiply', {}, 'merge'],
  ['average', {}, 'merge'],
  ['maximum', {}, 'merge'],
  ['minimum', {}, 'merge'],
  ['concatenate', { axis: -1 }, 'merge'],
  ['dot', { axes: 1, normalize: true }, 'merge'],
  ['conv1d', { inputShape: [6, 2], filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2 }, [6, 2]],
  ['conv1dTranspose', { inputShape: [4, 2], filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }, [4, 2]],
  ['upSampling1d', { inputShape: [3, 2], size: 3 }, [3, 2]],
  ['zeroPadding1d', { inputShape: [3, 2], padding: [1, 2] }, [3, 2]],
  ['cropping1d', { inputShape: [5, 2], cropping: [1, 2] }, [5, 2]],
  ['maxPooling1d', { inputShape: [6, 2], poolSize: 2, strides: 1 }, [6, 2]],
  ['maxPool1d', { inputShape: [6, 2], poolSize: 3 }, [6, 2]],
  ['averagePooling1d', { inputShape: [6, 2], poolSize: 3, padding: 'same' }, [6, 2]],
  ['avgPool1d', { inputShape: [6, 2], poolSize: 2 }, [6, 2]],
  ['avgPooling1d', { inputShape: [6, 2], poolSize: 2, strides: 1 }, [6, 2]],
  ['globalMaxPooling1d', { inputShape: [6, 2] }, [6, 2]],
  ['globalMaxPool1d', { inputShape: [6, 2] }, [6, 2]],
  ['globalAveragePooling1d', { inputShape: [6, 2] }, [6, 2]],
  ['embedding', { inputShape: [3], inputDim: 5, outputDim: 2, maskZero: true }, 'int'],
  ['repeatVector', { inputShape: [4], n: 2 }, [4]],
  ['permute', { inputShape: [2, 3], dims: [2, 1] }, [2, 3]],
  ['rescaling', { inputShape: [4], scale: 2, offset: 1 }, [4]],
  ['normalization', { inputShape: [4], mean: [1, 2, 3, 4], variance: [1, 2, 3, 4] }, [4]],
  ['masking', { inputShape: [3, 2], maskValue: -1 }, [3, 2]],
];

/** Keys of `layers` that are no layer factory: `input` makes a symbolic tensor, `Layer` is the base class. */
const NOT_LAYERS = new Set(['input', 'Layer']);

const bits = (a: ArrayLike<number>): number[] => Array.from(a, (v) => (Object.is(v, -0) ? -0 : v));

/** The outputs of `layer` (in a model of its own, seeded by `seed`) on `x`, after `weights` when given. */
function run(layer: nr.Layer, shape: number[] | 'int' | 'merge', seed: number, weights?: nr.Tensor[]): { out: number[]; weights: nr.Tensor[]; dispose: () => void } {
  let m: nr.LayersModel;
  let xs: nr.Tensor[];
  if (shape === 'merge') {
    const a = nr.input({ shape: [3] });
    const b = nr.input({ shape: [3] });
    m = nr.model({ inputs: [a, b], outputs: layer.apply([a, b]) as nr.SymbolicTensor, seed });
    xs = [nr.randomUniform([2, 3], { seed: 3, minval: -2, maxval: 2 }), nr.randomUniform([2, 3], { seed: 4, minval: -2, maxval: 2 })];
  } else {
    m = nr.sequential({ seed, layers: [layer] });
    xs = [shape === 'int' ? nr.tensor([[1, 0, 4], [2, 3, 0]]) : nr.randomUniform([2, ...shape], { seed: 3, minval: -2, maxval: 2 })];
  }
  if (weights) nr.tidy(() => layer.setWeights(weights));
  const out = nr.tidy(() => bits((m.predict(xs.length === 1 ? xs[0] : xs) as nr.Tensor).dataSync()));
  const w = layer.getWeights();
  return { out, weights: w, dispose: () => { m.dispose(); xs.forEach((x) => x.dispose()); } };
}

describe('layers.<factory>(layer.getConfig()) for every factory', () => {
  it('the table has a case for every factory of `layers` that makes a layer', () => {
    const covered = new Set(CASES.map(([f]) => f));
    const missing = Object.keys(layers).filter((k) => !covered.has(k as keyof typeof layers) && !NOT_LAYERS.has(k));
    expect(missing).toEqual([]);
  });

  for (const [f, args, shape] of CASES) {
    it(`${f}(${JSON.stringify(args, (k, v) => (k === 'kernelRegularizer' || k === 'biasConstraint' ? v?.constructor?.name : v))})`, () => {
      const factory = layers[f] as unknown as AnyFactory;
      const l1 = factory(args);
      if (shape === 'none') {
        const cfg = l1.getConfig();
        const l2 = factory(cfg);
        expect(l2.getConfig()).toEqual(cfg);
        expect(l2.getClassName()).toBe(l1.getClassName());
        return;
      }
      const a = run(l1, shape, 1);
      try {
        const cfg = l1.getConfig();
        const l2 = factory(cfg);
        expect(l2.getClassName()).toBe(l1.getClassName());
        const b = run(l2, shape, 2, a.weights);
        try {
          expect(l2.getConfig()).toEqual(cfg);
          expect(b.out).toEqual(a.out);
          // And the weights, bit for bit.
          expect(b.weights.map((w) => bits(w.dataSync()))).toEqual(a.weights.map((w) => bits(w.dataSync())));
        } finally {
          b.weights.forEach((w) => w.dispose());
          b.dispose();
        }
      } finally {
        a.weights.forEach((w) => w.dispose());
        a.dispose();
      }
    });
  }

  it("layers.activation reads getConfig()'s leaky ReLU form { alpha } (saved as TF.js's LeakyReLU, whose JSON is unchanged); alpha beside an activation is an error", async () => {
    const l = layers.activation({ inputShape: [3], activation: { name: 'leakyRelu', alpha: 0.1 } });
    expect(l.getConfig()).toEqual({ alpha: 0.1, name: l.name, trainable: true, batchInputShape: [null, 3], dtype: 'float32' });
    const m = nr.sequential({ layers: [l] });
    const saved = JSON.parse(JSON.stringify((await m.toArtifacts()).modelTopology)) as { config: { layers: Array<{ class_name: string; config: Cfg }> } };
    expect(saved.config.layers[0]).toMatchObject({ class_name: 'LeakyReLU', config: { alpha: 0.1 } });
    expect(Object.keys(saved.config.layers[0].config)).not.toContain('activation');
    m.dispose();
    const back = layers.activation({ alpha: 0.1 } as never) as nr.Activation;
    expect(back.activation).toEqual({ name: 'leakyRelu', alpha: 0.1 });
    expect(back.getClassName()).toBe('LeakyReLU');
    expect(invalidMessage(() => layers.activation({ alpha: 0.1, activation: 'relu' } as never))).toBe(
      "activation: alpha is the option of a leaky ReLU's config (getConfig()'s form of an activation layer computing leakyRelu: { alpha, name, … }), but activation is given too (\"relu\"); give the slope in the spec instead: activation: { name: 'leakyRelu', alpha: 0.1 }",
    );
    expect(invalidMessage(() => layers.activation({ alpha: Infinity } as never))).toBe('activation: leakyRelu: alpha must be a finite number, got Infinity');
  });

  it('spatialDropout1d takes noiseShape null (what getConfig() writes) and refuses another', () => {
    expect(layers.spatialDropout1d({ rate: 0.1, noiseShape: null }).rate).toBe(0.1);
    expect(invalidMessage(() => layers.spatialDropout1d({ rate: 0.1, noiseShape: [1, 1, 2] } as never))).toBe(
      'spatialDropout1d: noiseShape must be null or absent: its noise shape is always [batch, 1, channels] (one draw per sample and channel, shared by the steps), got [1,1,2]',
    );
  });
});

describe('masking: maskValue must be finite (a model with ±Infinity saved, but no loader read it back)', () => {
  it('refuses ±Infinity and NaN when the layer is made, saying why', () => {
    for (const v of [Infinity, -Infinity, NaN]) {
      expect(invalidMessage(() => layers.masking({ maskValue: v }))).toBe(
        `masking: maskValue must be a finite number (NaN equals no value, so it would mask nothing; with ±Infinity the model could be saved but never loaded, every loader refusing a non-finite mask_value, and fit refuses non-finite inputs anyway), got ${v}`,
      );
    }
  });
  it('a large finite value (Infinity in float32, finite in the file) still saves and loads', async () => {
    const m = nr.sequential({ seed: 1, layers: [layers.masking({ inputShape: [2, 2], maskValue: -1e39 }), layers.globalAveragePooling1d(), layers.dense({ units: 1 })] });
    const c = await nr.loadModel(await m.toArtifacts());
    expect(((c as nr.Sequential).layers[0] as nr.Masking).maskValue).toBe(-1e39);
    m.dispose();
    c.dispose();
  });
});

describe('activation parameters are checked when the layer is made, naming the layer and the option', () => {
  const cases: ReadonlyArray<readonly [nr.ActivationSpec, string]> = [
    [{ name: 'cappedRelu', maxValue: -1 }, 'cappedRelu: maxValue must be a finite number >= 0, got -1'],
    [{ name: 'cappedRelu', maxValue: Infinity }, 'cappedRelu: maxValue must be a finite number >= 0, got Infinity'],
    [{ name: 'heaviside', atZero: 5 }, 'heaviside: atZero must be a finite number in [0, 1], got 5'],
    [{ name: 'sign', atZero: -2 }, 'sign: atZero must be a finite number in [-1, 1], got -2'],
    [{ name: 'stairStep', step: -0.5 }, 'stairStep: step must be a finite number > 0, got -0.5'],
    [{ name: 'stairStep', step: 1e-50 }, 'stairStep: step must be a finite number > 0, got 1e-50 (0 as a float32)'],
    [{ name: 'elu', alpha: NaN }, 'elu: alpha must be a finite number >= 0, got NaN'],
    [{ name: 'linear', slope: Infinity }, 'linear: slope must be a finite number, got Infinity'],
    [{ name: 'unitStep', threshold: -Infinity }, 'unitStep: threshold must be a finite number, got -Infinity'],
    [{ name: 'leakyRelu', alpha: NaN }, 'leakyRelu: alpha must be a finite number, got NaN'],
  ];
  const makers: ReadonlyArray<readonly [string, (a: nr.ActivationSpec) => unknown]> = [
    ['dense', (activation) => layers.dense({ units: 4, activation })],
    ['activation', (activation) => layers.activation({ activation })],
    ['conv2d', (activation) => layers.conv2d({ filters: 2, kernelSize: 2, activation })],
    ['conv2dTranspose', (activation) => layers.conv2dTranspose({ filters: 2, kernelSize: 2, activation })],
    ['conv1d', (activation) => layers.conv1d({ filters: 2, kernelSize: 2, activation })],
    ['conv1dTranspose', (activation) => layers.conv1dTranspose({ filters: 2, kernelSize: 2, activation })],
    ['depthwiseConv2d', (activation) => layers.depthwiseConv2d({ kernelSize: 2, activation })],
    ['separableConv2d', (activation) => layers.separableConv2d({ filters: 2, kernelSize: 2, activation })],
  ];
  for (const [op, make] of makers) {
    it(op, () => {
      for (const [spec, msg] of cases) expect(invalidMessage(() => make(spec))).toBe(op === 'activation' ? `activation: ${msg}` : `${op}: activation: ${msg}`);
    });
  }

  it("the layers' ranges are the core's: at and around each boundary, a layer refuses exactly what the op (checked by the core) refuses, with its message", () => {
    const probe: ReadonlyArray<readonly [string, string, number[]]> = [
      ['linear', 'slope', [0, -5, 5, 3.4e38]], ['linear', 'intercept', [-3.4e38, 0]], ['unitStep', 'threshold', [-1, 0, 1]],
      ['stairStep', 'step', [-1, -0, 0, 1e-45, 1e-46, 1, 3e38]], ['heaviside', 'atZero', [-1e-7, 0, 0.5, 1, 1.0000001, 1.00000001, 2]],
      ['sign', 'atZero', [-1.0000001, -1, 0, 1, 1.0000001, -1.00000001]], ['leakyRelu', 'alpha', [-3, 0, 3]],
      ['elu', 'alpha', [-1e-7, -0, 0, 1e-45, 5]], ['cappedRelu', 'maxValue', [-1e-7, -0, 0, 6, 1e-45, 3e38]],
    ];
    const x = nr.tensor([-1, 0, 1]);
    try {
      for (const [name, k, values] of probe) {
        for (const v of values) {
          const spec = { name, [k]: v } as unknown as nr.ActivationSpec;
          let core: string | null = null;
          try {
            nr.tidy(() => nr.activation(x, spec));
          } catch (e) {
            core = (e as Error).message;
          }
          let layer: string | null = null;
          try {
            layers.activation({ activation: spec });
          } catch (e) {
            layer = (e as Error).message;
          }
          const what = `${name}.${k} = ${v}`;
          expect(layer === null, what).toBe(core === null);
          // The core says the float32 value; the layer says the value given, and the float32 one when it differs.
          if (core !== null) expect(layer!.replace(/ \(.* as a float32\)$/, ''), what).toBe(`activation: ${core.replace(/got .*$/, `got ${Object.is(v, -0) ? '-0' : String(v)}`)}`);
        }
      }
    } finally {
      x.dispose();
    }
  });
});

describe('inputShape with batchInputShape', () => {
  it('agreeing, they make the one shape (the batch from batchInputShape)', () => {
    const l = layers.dense({ units: 2, inputShape: [3], batchInputShape: [8, 3] });
    expect(l.batchInputShape).toEqual([8, 3]);
    expect(layers.conv1d({ filters: 1, kernelSize: 1, inputShape: [null, 2], batchInputShape: [null, null, 2] }).batchInputShape).toEqual([null, null, 2]);
  });
  it('disagreeing, they are an error naming both (TF.js silently takes batchInputShape)', () => {
    expect(invalidMessage(() => layers.dense({ units: 2, inputShape: [3], batchInputShape: [null, 5] }))).toBe(
      'dense: inputShape [3] and batchInputShape [null,5] disagree (batchInputShape is [batch, ...inputShape]); give one of them (TF.js would silently use batchInputShape)',
    );
    // As a getConfig() spread with a new inputShape: said, not silently kept.
    const cfg = layers.repeatVector({ n: 2, inputShape: [4] }).getConfig();
    expect(invalidMessage(() => layers.repeatVector({ ...cfg, inputShape: [7] } as never))).toMatch(/^repeatVector: inputShape \[7\] and batchInputShape \[null,4\] disagree/);
  });
});

describe("the saved activation names ('hard_silu', …) are taken wherever an activation name is", () => {
  const pairs = [['hard_silu', 'hardSilu'], ['hard_swish', 'hardSilu'], ['log_softmax', 'logSoftmax'], ['hard_sigmoid', 'hardSigmoid'], ['gelu_new', 'geluNew']] as const;
  for (const [saved, name] of pairs) {
    it(`'${saved}' is '${name}'`, async () => {
      const x = nr.tensor([[-4, -1, 0, 0.5, 4]]);
      try {
        expect(Array.from(nr.tidy(() => nr.activation(x, saved as nr.ActivationSpec).dataSync()))).toEqual(Array.from(nr.tidy(() => nr.activation(x, name).dataSync())));
        const a = nr.sequential({ seed: 1, name: `by_${saved}`, layers: [layers.dense({ inputShape: [5], units: 3, activation: saved as nr.ActivationSpec })] });
        const b = nr.sequential({ seed: 1, name: `by_${name}`, layers: [layers.dense({ inputShape: [5], units: 3, activation: name })] });
        expect(Array.from(nr.tidy(() => (a.predict(x) as nr.Tensor).dataSync()))).toEqual(Array.from(nr.tidy(() => (b.predict(x) as nr.Tensor).dataSync())));
        // Saved under the same name either way.
        const json = async (m: nr.Sequential): Promise<string> => JSON.stringify((await m.toArtifacts()).modelTopology).replaceAll(m.layers[0].name, 'L').replaceAll(m.name, 'M');
        expect(await json(a)).toBe(await json(b));
        a.dispose();
        b.dispose();
      } finally {
        x.dispose();
      }
    });
  }
});

describe('spatialDropout1d checks its input rank when its inputShape gives it', () => {
  it('refuses an inputShape that is not [steps, channels], as sequential() refuses a conv1d on one', () => {
    for (const s of [[3], [3, 3, 2]]) {
      expect(invalidMessage(() => layers.spatialDropout1d({ rate: 0.1, inputShape: s }))).toBe(
        `spatialDropout1d: expects per-sample inputs of shape [steps, channels] (a batch [batch, steps, channels], as TF.js's SpatialDropout1D), got per-sample shape ${JSON.stringify(s)} (its inputShape)`,
      );
    }
    expect(invalidMessage(() => layers.spatialDropout1d({ rate: 0.1, batchInputShape: [null, 3] }))).toMatch(/got per-sample shape \[3\] \(its batchInputShape\)$/);
    expect(layers.spatialDropout1d({ rate: 0.1, inputShape: [null, 3] }).batchInputShape).toEqual([null, null, 3]);
  });
});

describe('spatialDropout1d after a layer of another rank', () => {
  it('is refused when the model learns the shape (here add), as the other 1-D layers, not at the first predict', () => {
    expect(() => nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3 }), nr.layers.spatialDropout1d({ rate: 0.2 })] })).toThrow(
      /^add: sequential_\d+\.layers\[1\] \(spatialDropout1d spatialDropout1d_\d+\) expects per-sample inputs of shape \[steps, channels\], got per-sample shape \[3\]$/,
    );
  });
  it("takes the saved activation names as types too ('hard_silu' in a typed spec)", () => {
    const spec: nr.ActivationSpec = 'hard_silu';
    const l = nr.layers.dense({ units: 1, activation: spec });
    expect(l.getConfig().activation).toBe('hardSilu');
  });
});

describe("a serialized initializer beside the factories' objects", () => {
  it('says the serialized form switches the options to a saved config, and what to give instead (it named a class_name never written; helper-335)', () => {
    const vs = { className: 'VarianceScaling', config: { scale: 2, mode: 'fanOut', distribution: 'truncatedNormal', seed: 3 } };
    const msg = invalidMessage(() => layers.dense({ inputShape: [4], units: 3, kernelInitializer: vs as never, kernelRegularizer: nr.regularizers.l2({ l2: 0.01 }) }));
    expect(msg).toMatch(/kernelRegularizer/);
    expect(msg).toMatch(/; kernelInitializer is TF\.js's serialized form \(\{ className, config \}\), which makes dense read all its options as a saved layer config, where kernelRegularizer is not in that form: give kernelInitializer as a factory's object/);
    // Alone it is fine (TF.js's factories take it).
    const l = layers.dense({ inputShape: [4], units: 3, kernelInitializer: vs as never });
    expect((l.getConfig().kernelInitializer as { className: string }).className).toBe('VarianceScaling');
  });
});
