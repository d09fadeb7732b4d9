// Porting TF.js Layers apps (issue: what new users reported): configs that TF.js writes load in
// neurite and are written back unchanged (reshape's null, initializer seeds and spellings, a
// batch normalization's non-default initializers, dropout's seed, a positive axis), config
// neurite cannot implement is refused with a clear error (a bad constraint config, noise shapes, ReLU caps
// other than 6, flatten channels first), TF.js's constructor options and
// factory aliases exist, PReLU starts from TF.js's zeros, and the cosmetics are TF.js's
// (summary's class names, getClassName, no default seed in a config, symbolic tensor names).
// TF.js 4.22 (tfjs-layers, CPU backend) is the oracle throughout.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's chained ops (TF.js's orthogonal initializer calls t.flatten()), as @tensorflow/tfjs registers them.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { failTestsThatLeak, invalidMessage } from './setup.js';
import { close, expectLayersAsTfjs, expectTfjsRoundTrip, rng, tfArtifacts, uniform } from './oracle.js';

await tf.setBackend('cpu');
const { layers } = nr;
const Invalid = nr.InvalidArgumentError;

failTestsThatLeak();
const invalid = invalidMessage;

/** What the promise rejected with, checked to be an InvalidArgumentError; its message. */
async function rejected(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected an InvalidArgumentError').toBeInstanceOf(Invalid);
  return (e as Error).message;
}

type Config = { class_name: string; config: { layers: Array<{ class_name: string; config: Record<string, unknown> }>; [k: string]: unknown } };
/** The layer configs of a model config (TF.js's `modelTopology` or neurite's `getConfig()`). */
const layerConfigs = (c: unknown) => (c as Config).config.layers.map((l) => l.config);

/** Loads TF.js model `tm` (with its weights) in neurite; checks predict agrees on `xShape` inputs. */
async function loadFromTfjs(tm: tfl.LayersModel, xShape: number[]): Promise<{ m: nr.Sequential; a: tf.io.ModelArtifacts }> {
  const a = await tfArtifacts(tm);
  const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
  const x = uniform(rng(xShape.length), xShape.reduce((p, d) => p * d, 1), -2, 2);
  const want = tf.tidy(() => (tm.predict(tf.tensor(x, xShape)) as tf.Tensor).dataSync());
  close(nr.tidy(() => m.predict(nr.tensor(x, xShape)).data()), want, 1e-5, 'predict as TF.js');
  return { m, a };
}

describe('configs TF.js writes load, and are written back as TF.js wrote them', () => {
  it("reshape's inferred dimension: TF.js's null loads and is written as null; neurite's file loads in TF.js", async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [8], units: 8 }), tfl.layers.reshape({ targetShape: [-1, 4] }), tfl.layers.dense({ units: 3 })] });
    const { m, a } = await loadFromTfjs(tm, [3, 8]);
    expect(layerConfigs(a.modelTopology)[1].target_shape).toEqual([null, 4]);
    expect(layerConfigs(m.getConfig())).toEqual(layerConfigs(a.modelTopology));
    expect((m.layers[1] as nr.Reshape).targetShape).toEqual([-1, 4]);
    // The constructor takes null as TF.js does; the file says null, as TF.js's.
    const own = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [8], units: 8 }), layers.reshape({ targetShape: [null, 4] }), layers.dense({ units: 3 })] });
    expect(layerConfigs(own.getConfig())[1].target_shape).toEqual([null, 4]);
    await expectTfjsRoundTrip(own, uniform(rng(1), 16, -1, 1), [2, 8], ['Dense', 'Reshape', 'Dense']);
    // A file that says -1 (which TF.js reads too) keeps its -1.
    const minus = structuredClone(a.modelTopology) as Config;
    minus.config.layers[1].config.target_shape = [-1, 4];
    const m2 = (await nr.loadModel({ ...(a as nr.ModelArtifacts), modelTopology: minus })) as nr.Sequential;
    expect(layerConfigs(m2.getConfig())[1].target_shape).toEqual([-1, 4]);
    expect(invalid(() => layers.reshape({ targetShape: [null, null] }))).toBe('reshape: targetShape may have at most one -1 or null (inferred), got [null,null]');
    [m, m2, own].forEach((x) => x.dispose());
    tm.dispose();
  });

  it("initializer seeds and TF.js's VarianceScaling spellings are written back unchanged", async () => {
    const tm = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tfl.initializers.varianceScaling({ distribution: 'truncatedNormal', seed: 1, mode: 'fanAvg' }), biasInitializer: tfl.initializers.randomNormal({ seed: 3 }) }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }), biasInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 9 }) }),
    ] });
    const { m, a } = await loadFromTfjs(tm, [4, 3]);
    expect(layerConfigs(a.modelTopology)[0].kernel_initializer).toEqual({ class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', seed: 1 } });
    expect(layerConfigs(m.getConfig())).toEqual(layerConfigs(a.modelTopology));
    // And once more through neurite's own file.
    const again = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    expect(layerConfigs(again.getConfig())).toEqual(layerConfigs(a.modelTopology));
    // fromConfig reads them too (neurite can start from each: the seeds are kept, not drawn from).
    const fresh = nr.Sequential.fromConfig(tm.toJSON(null, false) as unknown as nr.ModelConfig);
    expect(layerConfigs(fresh.getConfig())).toEqual(layerConfigs(a.modelTopology));
    [m, again, fresh].forEach((x) => x.dispose());
    tm.dispose();
  });

  it('the constructors take TF.js\'s per-initializer seed and kernelInitializer \'varianceScaling\', and save them as TF.js does', () => {
    const pairs: Array<[nr.Layer, tfl.layers.Layer]> = [
      [layers.dense({ inputShape: [3], units: 2, kernelInitializer: nr.initializers.glorotNormal({ seed: 1 }), biasInitializer: nr.initializers.randomNormal({ mean: 1, seed: 3 }) }),
        tfl.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }), biasInitializer: tfl.initializers.randomNormal({ mean: 1, seed: 3 }) })],
      [layers.dense({ units: 2, kernelInitializer: 'varianceScaling', biasInitializer: nr.initializers.truncatedNormal({ seed: 4 }) }),
        tfl.layers.dense({ units: 2, kernelInitializer: 'varianceScaling', biasInitializer: tfl.initializers.truncatedNormal({ seed: 4 }) })],
      [layers.conv1d({ filters: 1, kernelSize: 1, kernelInitializer: nr.initializers.heUniform({ seed: 5 }), biasInitializer: nr.initializers.randomUniform({ seed: 6 }) }),
        tfl.layers.conv1d({ filters: 1, kernelSize: 1, kernelInitializer: tfl.initializers.heUniform({ seed: 5 }), biasInitializer: tfl.initializers.randomUniform({ seed: 6 }) })],
    ];
    const m = nr.sequential({ layers: [...pairs.slice(0, 2).map((p) => p[0]), layers.reshape({ targetShape: [2, 1] }), pairs[2][0]] });
    const tm = tfl.sequential({ layers: [...pairs.slice(0, 2).map((p) => p[1]), tfl.layers.reshape({ targetShape: [2, 1] }), pairs[2][1]] });
    const mine = layerConfigs(m.getConfig());
    const theirs = layerConfigs(tm.toJSON(null, false));
    for (const i of [0, 1, 3]) {
      for (const k of ['kernel_initializer', 'bias_initializer']) expect(mine[i][k], `${i} ${k}`).toEqual(theirs[i][k]);
    }
    expect(nr.initializers.randomNormal({ seed: 3 })).toEqual({ name: 'randomNormal', params: [0, 0.05], seed: 3 });
    m.dispose();
    tm.dispose();
  });

  it("a batch normalization's non-default initializers load with the weights and are written back; fromConfig refuses them", async () => {
    const tm = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [4], units: 3 }),
      tfl.layers.batchNormalization({ gammaInitializer: tfl.initializers.constant({ value: 2 }), betaInitializer: tfl.initializers.constant({ value: 0.5 }), movingVarianceInitializer: 'zeros' }),
    ] });
    const { m, a } = await loadFromTfjs(tm, [5, 4]);
    expect(layerConfigs(m.getConfig())).toEqual(layerConfigs(a.modelTopology));
    // The weights are the file's (TF.js's initial γ = 2, β = 0.5), not neurite's defaults.
    const ws = m.layers[1].getWeights();
    expect(ws.slice(0, 2).map((w) => Array.from(w.data()))).toEqual([[2, 2, 2], [0.5, 0.5, 0.5]]);
    nr.dispose(ws);
    // The same from a model.json and its weights file (the reading names the file in messages).
    const dir = mkdtempSync(join(tmpdir(), 'neurite-bn-init-'));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    try {
      const fromFile = (await nr.loadModel(`file://${dir}`)) as nr.Sequential;
      expect(layerConfigs(fromFile.getConfig())).toEqual(layerConfigs(a.modelTopology));
      fromFile.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const msg = invalid(() => nr.Sequential.fromConfig(tm.toJSON(null, false) as unknown as nr.ModelConfig));
    expect(msg).toBe('fromConfig: config.config.layers[1].config.beta_initializer is {"class_name":"Constant","config":{"value":0.5}}, which neurite keeps for saving but cannot start from (neurite\'s batchNormalization starts beta at 0): a model made from this config alone would start from other weights. It loads with its weights (loadModel of a model with an input shape), which make it harmless');
    expect(invalid(() => nr.Sequential.fromConfig(m.getConfig()))).toMatch(/^fromConfig: config\.config\.layers\[1\]\.config\.beta_initializer is /);
    // Ones (or Constant(1)) is what neurite starts from: no question there.
    const ones = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [2], gammaInitializer: tfl.initializers.constant({ value: 1 }) })] });
    nr.Sequential.fromConfig(ones.toJSON(null, false) as unknown as nr.ModelConfig).dispose();
    m.dispose();
    tm.dispose();
    ones.dispose();
  });

  it('Orthogonal and VarianceScaling of another scale (once kept without being drawn) load, start from the config, and are written back', async () => {
    const tm = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [3], units: 3, kernelInitializer: 'orthogonal' }),
      tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.varianceScaling({ scale: 0.5, mode: 'fanOut', distribution: 'uniform', seed: 2 }) }),
    ] });
    const { m, a } = await loadFromTfjs(tm, [4, 3]);
    expect(layerConfigs(m.getConfig())).toEqual(layerConfigs(a.modelTopology));
    // fromConfig draws them (test/initializer-kinds.test.ts checks what it draws) and writes them back.
    const fresh = nr.Sequential.fromConfig(tm.toJSON(null, false) as unknown as nr.ModelConfig);
    expect(layerConfigs(fresh.getConfig())).toEqual(layerConfigs(a.modelTopology));
    fresh.dispose();
    // Without an input shape the file has no weights: the model starts from the initializers.
    const topo = structuredClone(a.modelTopology) as Config;
    delete topo.config.layers[0].config.batch_input_shape;
    (await nr.loadModel({ modelTopology: topo, weightSpecs: [], weightData: new ArrayBuffer(0) })).dispose();
    // A name that is no initializer at all is still an error.
    topo.config.layers[1].config.kernel_initializer = { class_name: 'Orthogonall', config: {} };
    expect(await rejected(nr.loadModel({ ...(a as nr.ModelArtifacts), modelTopology: topo }))).toMatch(/kernel_initializer\.class_name 'Orthogonall' is an initializer neurite does not support/);
    m.dispose();
    tm.dispose();
  });

  it("dropout's seed loads and is written back; the constructor takes it as TF.js's does", async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3 }), tfl.layers.dropout({ rate: 0.5, seed: 4 })] });
    const { m, a } = await loadFromTfjs(tm, [2, 3]);
    expect(layerConfigs(m.getConfig())).toEqual(layerConfigs(a.modelTopology));
    const own = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 3 }), layers.dropout({ rate: 0.5, seed: 4, noiseShape: null })] });
    expect(layerConfigs(own.getConfig())[1]).toEqual({ ...layerConfigs(a.modelTopology)[1], name: own.layers[1].name });
    expect((own.layers[1] as nr.Dropout).seed).toBe(4);
    [m, own].forEach((x) => x.dispose());
    tm.dispose();
  });

  it('a positive last axis (batchNormalization after a conv2d, layerNormalization as [1]) loads and is written back', async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [4, 4, 2], filters: 3, kernelSize: 3 }), tfl.layers.batchNormalization({ axis: 3 }), tfl.layers.flatten(), tfl.layers.layerNormalization()] });
    const { m, a } = await loadFromTfjs(tm, [2, 4, 4, 2]);
    expect([layerConfigs(a.modelTopology)[1].axis, layerConfigs(a.modelTopology)[3].axis]).toEqual([3, [1]]);
    expect(layerConfigs(m.getConfig())).toEqual(layerConfigs(a.modelTopology));
    const wrong = structuredClone(a.modelTopology) as Config;
    wrong.config.layers[1].config.axis = 2;
    expect(await rejected(nr.loadModel({ ...(a as nr.ModelArtifacts), modelTopology: wrong }))).toBe('loadModel: modelTopology.config.layers[1].config: axis must be the last axis, -1 or 3: neurite normalizes over the last axis only, got 2');
    m.dispose();
    tm.dispose();
  });
});

describe('config neurite cannot implement is a clear error', () => {
  it('weight constraints: a config neurite cannot read is named (null, their default, is accepted)', async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, kernelConstraint: tfl.constraints.maxNorm({ maxValue: 2 }) })] });
    const a = (await tfArtifacts(tm)) as nr.ModelArtifacts;
    const m = await nr.loadModel(a);
    m.dispose();
    ((a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config.kernel_constraint as { config: Record<string, unknown> }).config.max_value = 'big';
    expect(await rejected(nr.loadModel(a))).toBe('loadModel: modelTopology.config.layers[0].config.kernel_constraint.config: maxValue must be a finite number >= 0, got the string "big"');
    expect(invalid(() => layers.batchNormalization({ name: 'b', gammaConstraint: {} as never }))).toBe('batchNormalization b: gammaConstraint must be a constraint (constraints.maxNorm(), …) or one of \'maxNorm\', \'minMaxNorm\', \'nonNeg\', \'unitNorm\', got {}');
    layers.dense({ units: 2, kernelConstraint: null, biasConstraint: null });
    layers.separableConv2d({ filters: 2, kernelSize: 2, depthwiseConstraint: null, pointwiseConstraint: null });
    tm.dispose();
  });

  it("dropout's noiseShape: only null", async () => {
    expect(invalid(() => layers.dropout({ rate: 0.5, noiseShape: [1, 3] as never }))).toBe('dropout: noiseShape must be null or absent: neurite drops each value independently (no mask shared along an axis), got [1,3]');
    const tm = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 3 }), tfl.layers.dropout({ rate: 0.5, noiseShape: [1, 3] })] });
    expect(await rejected(nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts))).toBe('loadModel: modelTopology.config.layers[1].config.noise_shape must be null: neurite drops each value independently (no mask shared along an axis), got [1,3]');
    tm.dispose();
  });

  it("ReLU's maxValue 6 is relu6, bit for bit TF.js's ReLU({ maxValue: 6 }) with its gradient at the kinks; another cap loads from TF.js's file and predicts as TF.js; a negative cap is an error", async () => {
    const x = [-0, Number.NaN, 0, 6, 7, -1, Infinity, -Infinity, 3, Math.fround(5.999999), 1e-30, 6.0000005];
    const shape = [1, x.length];
    const m = nr.sequential({ layers: [layers.reLU({ inputShape: [x.length], maxValue: 6 })] });
    const tr = tfl.layers.reLU({ inputShape: [x.length], maxValue: 6 });
    const tm = tfl.sequential({ layers: [tr] });
    const want = tf.tidy(() => Array.from((tm.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync()));
    const wantG = tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => tf.sum(tr.apply(t) as tf.Tensor))(tf.tensor(x, shape)).dataSync()));
    expect(nr.tidy(() => Array.from(m.predict(nr.tensor(x, shape)).data()))).toEqual(want);
    expect(nr.tidy(() => Array.from(nr.grad((t) => m.predict(t).sum())(nr.tensor(x, shape)).data()))).toEqual(wantG);
    expect(wantG.slice(2, 5)).toEqual([0, 1, 0]); // the kinks: 0 at 0, 1 at 6
    // TF.js's file loads (as relu6) and predicts the same.
    const { m: loaded } = await loadFromTfjs(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4 }), tfl.layers.reLU({ maxValue: 6 })] }), [5, 3]);
    expect(layerConfigs(loaded.getConfig())[1].max_value).toBe(6);
    expect(invalid(() => layers.reLU({ maxValue: -5 }))).toBe('reLU: maxValue must be null (no cap) or a finite number >= 0, got -5');
    expect(layerConfigs(nr.sequential({ layers: [layers.reLU({ inputShape: [2], maxValue: null })] }).getConfig())[0].max_value).toBe(null);
    const five = tfl.sequential({ layers: [tfl.layers.reLU({ inputShape: [2], maxValue: 5 })] });
    const fromFive = await nr.loadModel((await tfArtifacts(five)) as nr.ModelArtifacts);
    const xs = [-1, 0, 2.5, 5, 7];
    const wantFive = tf.tidy(() => Array.from((five.predict(tf.tensor([xs.slice(0, 2), xs.slice(2, 4)])) as tf.Tensor).dataSync()));
    expect(nr.tidy(() => Array.from(fromFive.predict(nr.tensor([xs.slice(0, 2), xs.slice(2, 4)])).dataSync()))).toEqual(wantFive);
    expect(layerConfigs(fromFive.getConfig())[0].max_value).toBe(5);
    [m, loaded, fromFive].forEach((v) => v.dispose());
    [tm, five].forEach((v) => v.dispose());
  });

  it("flatten's dataFormat: channelsLast (saved as TF.js saves it); channelsFirst, which orders the values otherwise, is an error", async () => {
    const m = nr.sequential({ layers: [layers.flatten({ inputShape: [2, 3], dataFormat: 'channelsLast' }), layers.flatten({ dtype: 'float32' })] });
    const tm = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 3], dataFormat: 'channelsLast' })] });
    expect({ ...layerConfigs(m.getConfig())[0], name: 'f' }).toEqual({ ...layerConfigs(tm.toJSON(null, false))[0], name: 'f' });
    expect(layerConfigs(m.getConfig())[1]).not.toHaveProperty('data_format');
    expect(invalid(() => layers.flatten({ dataFormat: 'channelsFirst' as never }))).toMatch(/^flatten: dataFormat must be 'channelsLast' .*, the only layout neurite has; got "channelsFirst"$/);
    // TF.js's channels first moves the channels last first: another order, which a file may not hide.
    const cf = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 3, 4], dataFormat: 'channelsFirst' })] });
    const y = tf.tidy(() => Array.from((cf.predict(tf.reshape(tf.range(0, 24), [1, 2, 3, 4])) as tf.Tensor).dataSync()));
    expect(y.slice(0, 4)).toEqual([0, 12, 1, 13]);
    expect(await rejected(nr.loadModel((await tfArtifacts(cf)) as nr.ModelArtifacts))).toBe("loadModel: modelTopology.config.layers[0].config.data_format must be 'channels_last' (the values flattened in their order), the only layout neurite has, got \"channels_first\"");
    m.dispose();
    [tm, cf].forEach((v) => v.dispose());
  });

  it("PReLU after a rank-3 tensor with TF.js's default sharedAxes (one alpha per element) loads, and a shared axis beyond the input is named", async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.prelu({ inputShape: [2, 3], alphaInitializer: tfl.initializers.constant({ value: 0.3 }) })] });
    const { m, a } = await loadFromTfjs(tm, [4, 2, 3]);
    expect(layerConfigs(m.getConfig())[0].shared_axes).toBeNull();
    m.dispose();
    layerConfigs(a.modelTopology)[0].shared_axes = [1, 3];
    expect(await rejected(nr.loadModel(a as nr.ModelArtifacts))).toBe('loadModel: modelTopology.config.layers[0].config.shared_axes has an axis beyond the per-sample input [2,3] (axes 1 to 2), got [1,3]');
    tm.dispose();
  });
});

describe("TF.js's constructor options and factory names", () => {
  it('dense({ inputDim }) is inputShape [inputDim], as TF.js; a different inputShape beside it is an error', () => {
    // (The kernel initializer is given: TF.js's dense defaults to glorotNormal, neurite's to Keras's glorotUniform.)
    const m = nr.sequential({ layers: [layers.dense({ units: 2, inputDim: 3, name: 'd', kernelInitializer: 'glorotUniform' })] });
    const tm = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputDim: 3, name: 'd', kernelInitializer: 'glorotUniform' })] });
    expect(m.inputShape).toEqual([null, 3]);
    expect(m.outputShape).toEqual(tm.outputShape);
    // (TF.js writes no dtype for a first layer given by inputDim, and 'float32' for one given by inputShape: neurite writes it for both.)
    expect(layerConfigs(m.getConfig())[0]).toEqual({ ...layerConfigs(tm.toJSON(null, false))[0], dtype: 'float32' });
    layers.dense({ units: 2, inputDim: 3, inputShape: [3] });
    expect(invalid(() => layers.dense({ units: 2, inputDim: 3, inputShape: [4] }))).toBe('dense: inputDim 3 and inputShape [4] disagree; give one (inputDim: n is inputShape: [n])');
    expect(invalid(() => layers.dense({ units: 2, inputDim: 0 }))).toBe(`dense: inputDim must be an integer in [1, ${nr.MAX_ELEMENTS}], got 0`);
    m.dispose();
    tm.dispose();
  });

  it("dtype 'float32' on any layer; any other dtype says float32 is the only one", () => {
    for (const make of [
      () => layers.dense({ units: 1, dtype: 'float32' }), () => layers.conv2d({ filters: 1, kernelSize: 1, dtype: 'float32' }),
      () => layers.dropout({ rate: 0.1, dtype: 'float32' }), () => layers.leakyReLU({ dtype: 'float32' }), () => layers.reLU({ dtype: 'float32', maxValue: 6 }),
      () => layers.batchNormalization({ dtype: 'float32' }), () => layers.inputLayer({ inputShape: [2], dtype: 'float32' }), () => layers.add({ dtype: 'float32' }),
    ]) expect(make()).toBeInstanceOf(nr.Layer);
    expect(invalid(() => layers.dense({ units: 1, dtype: 'int32' as never }))).toMatch(/^dense: dtype must be 'float32' \(float32 is the only dtype neurite supports today; .*\), got the string "int32"$/);
    expect(invalid(() => layers.elu({ dtype: 'bool' as never }))).toMatch(/^activation: dtype must be 'float32' \(float32 is the only dtype/);
  });

  it('batchNormalization and layerNormalization take axis -1, and the positive last axis when the input shape gives the rank', () => {
    layers.batchNormalization({ axis: -1 });
    layers.layerNormalization({ axis: -1 });
    layers.layerNormalization({ axis: [-1] });
    const m = nr.sequential({ layers: [layers.batchNormalization({ inputShape: [2, 2, 3], axis: 3, name: 'bn' })] });
    const tm = tfl.sequential({ layers: [tfl.layers.batchNormalization({ inputShape: [2, 2, 3], axis: 3, name: 'bn' })] });
    expect(layerConfigs(m.getConfig())[0]).toEqual(layerConfigs(tm.toJSON(null, false))[0]);
    expect(invalid(() => layers.batchNormalization({ axis: 3 }))).toBe('batchNormalization: axis must be the last axis, -1 (a positive axis only when the input shape is known, to check that it is the last): neurite normalizes over the last axis only, got 3');
    expect(invalid(() => layers.batchNormalization({ axis: 1, inputShape: [2, 3] }))).toBe('batchNormalization: axis must be the last axis, -1 or 2: neurite normalizes over the last axis only, got 1');
    expect(invalid(() => layers.layerNormalization({ axis: [1, 2] }))).toMatch(/^layerNormalization: axis must be the last axis, -1 .*got \[1,2\]$/);
    m.dispose();
    tm.dispose();
  });

  // Every alias TF.js exports (tfjs-layers' exports_layers.js) of a layer neurite has.
  const ARGS: Record<string, object> = {
    dense: { units: 2 }, activation: { activation: 'relu' }, dropout: { rate: 0.5 }, gaussianNoise: { stddev: 1 }, reshape: { targetShape: [2] },
    inputLayer: { inputShape: [2] }, conv2d: { filters: 1, kernelSize: 1 }, conv2dTranspose: { filters: 1, kernelSize: 1 }, conv1d: { filters: 1, kernelSize: 1 },
    depthwiseConv2d: { kernelSize: 1 }, separableConv2d: { filters: 1, kernelSize: 1 }, cropping2D: { cropping: 1 }, embedding: { inputDim: 2, outputDim: 2 }, repeatVector: { n: 2 }, permute: { dims: [1] }, rescaling: { scale: 2 },
    dot: { axes: 1 }, gaussianDropout: { rate: 0.5 }, alphaDropout: { rate: 0.5 }, spatialDropout1d: { rate: 0.5 },
  };
  /** TF.js's tf.layers members neurite does not have (layers it lacks, and the Layer/RNN classes, which neurite exports at the top level if at all). */
  const TFJS_ONLY = ['conv3d', 'conv3dTranspose', 'averagePooling3d', 'avgPool3d', 'avgPooling3d',
    'maxPooling3d', 'gru', 'gruCell', 'lstm', 'lstmCell', 'simpleRNN', 'simpleRNNCell', 'convLstm2d', 'convLstm2dCell', 'rnn', 'stackedRNNCells', 'bidirectional', 'timeDistributed',
    'masking', 'centerCrop', 'resizing', 'categoryEncoding', 'randomWidth', 'RNN', 'RNNCell'];

  it("every tf.layers factory and alias of a layer neurite has exists, and makes a layer of TF.js's class (getClassName)", () => {
    const tfNames = Object.keys(tfl.layers);
    expect(tfNames.filter((k) => !(k in layers) && !TFJS_ONLY.includes(k))).toEqual([]);
    const t = tfl.layers as unknown as Record<string, (a: object) => { getClassName(): string }>;
    const n = layers as unknown as Record<string, (a: object) => unknown>;
    // neurite's reLU, elu and softmax make activation layers, saved as TF.js's Activation (below);
    // Layer is the base class in both (layers.Layer, as TF.js's tf.layers.Layer).
    for (const k of tfNames.filter((name) => name in layers && !['input', 'reLU', 'elu', 'softmax', 'Layer'].includes(name))) {
      const mine = n[k](ARGS[k] ?? {}) as nr.Layer;
      expect(mine.getClassName(), k).toBe(t[k](ARGS[k] ?? {}).getClassName());
    }
    // tf.layers.input is tf.input.
    const x = layers.input({ shape: [2], name: 'alias_in' });
    expect([x.name, x.shape]).toEqual(['alias_in', [null, 2]]);
    // The layers only neurite has, by their own names (saved as neurite>RBF, …).
    expect([layers.rbf({ units: 2 }), layers.saltAndPepper({ rate: 0.1 }), layers.variational({ units: 2 })].map((l) => l.getClassName())).toEqual(['RBF', 'SaltAndPepper', 'Variational']);
  });

  it("PReLU starts from TF.js's zeros, and says so in its config", () => {
    const m = nr.sequential({ layers: [layers.prelu({ inputShape: [3], name: 'p' })] });
    const tm = tfl.sequential({ layers: [tfl.layers.prelu({ inputShape: [3], name: 'p' })] });
    const [alpha] = m.layers[0].getWeights();
    expect(Array.from(alpha.data())).toEqual([0, 0, 0]);
    alpha.dispose();
    expect(layerConfigs(m.getConfig())[0]).toEqual(layerConfigs(tm.toJSON(null, false))[0]);
    // And a default PReLU computes TF.js's default PReLU (copied weights, predict and dL/dx).
    expectLayersAsTfjs('prelu default', [[layers.dense({ inputShape: [4], units: 5 }), tfl.layers.dense({ inputShape: [4], units: 5 })], [layers.prelu(), tfl.layers.prelu()]], [3, 4], { seed: 3 });
    m.dispose();
    tm.dispose();
  });
});

describe("TF.js's cosmetics", () => {
  /** The `(Type)` column of a summary, TF.js's or neurite's; TF.js's input layer rows left out. */
  const types = (text: string) => [...text.matchAll(/^\S+ \((\w+)\)/gm)].map((g) => g[1]).filter((t) => t !== 'InputLayer' && t !== 'type');
  const tfSummary = (m: tfl.LayersModel) => {
    const lines: string[] = [];
    m.summary(200, undefined, (l: string) => lines.push(l));
    return lines.join('\n');
  };

  it("summary shows TF.js's class names, nested sequential and graph models included", () => {
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 3 }), layers.batchNormalization()] });
    const m = nr.sequential({ layers: [inner, layers.dropout({ rate: 0.1 }), layers.dense({ units: 2 })] });
    const tInner = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3 }), tfl.layers.batchNormalization()] });
    const tm = tfl.sequential({ layers: [tInner, tfl.layers.dropout({ rate: 0.1 }), tfl.layers.dense({ units: 2 })] });
    expect(types(m.summary(null) as string)).toEqual(types(tfSummary(tm)));
    expect(types(m.summary(null) as string)).toEqual(['Sequential', 'Dropout', 'Dense']);
    const x = nr.input({ shape: [4] });
    const g = nr.model({ inputs: x, outputs: layers.add().apply([layers.dense({ units: 4 }).apply(x) as nr.SymbolicTensor, x]) as nr.SymbolicTensor });
    const tx = tfl.input({ shape: [4] });
    const tg = tfl.model({ inputs: tx, outputs: tfl.layers.add().apply([tfl.layers.dense({ units: 4 }).apply(tx) as tfl.SymbolicTensor, tx]) as tfl.SymbolicTensor });
    expect(types(g.summary(null) as string)).toEqual(types(tfSummary(tg)));
    expect(types(g.summary(null) as string)).toEqual(['Dense', 'Add']);
    [g, m, inner].forEach((v) => v.dispose());
    [tm, tg].forEach((v) => v.dispose());
  });

  it("getConfig writes no seed when it is the default 0 (TF.js writes none), and a seed that matters round-trips", () => {
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2 })] });
    const m = nr.sequential({ layers: [inner] });
    const tm = tfl.sequential({ layers: [tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2 })] })] });
    const mine = m.getConfig() as unknown as Config;
    const theirs = tm.toJSON(null, false) as unknown as Config;
    expect(Object.keys(mine.config).sort()).toEqual(Object.keys(theirs.config).sort());
    expect(Object.keys((mine.config.layers[0] as unknown as Config).config).sort()).toEqual(Object.keys((theirs.config.layers[0] as unknown as Config).config).sort());
    const x = nr.input({ shape: [2] });
    const g = nr.model({ inputs: x, outputs: layers.dense({ units: 1 }).apply(x) });
    expect(g.getConfig().config).not.toHaveProperty('seed');
    const inner6 = nr.sequential({ seed: 6, layers: [layers.dense({ inputShape: [2], units: 2 })] });
    const seeded = nr.sequential({ seed: 5, layers: [inner6] });
    const c = seeded.getConfig() as unknown as Config;
    expect([c.config.seed, (c.config.layers[0] as unknown as Config).config.seed]).toEqual([5, 6]);
    const back = nr.Sequential.fromConfig(c as unknown as nr.ModelConfig);
    expect([back.seed, (back.layers[0] as nr.Sequential).seed]).toEqual([5, 6]);
    [back, seeded, inner6, g, m, inner].forEach((v) => v.dispose());
    tm.dispose();
  });

  it("symbolic tensors have TF.js's names: an input its layer's, an output <layer>/<layer>, further uses _1, _2", () => {
    const a = nr.input({ shape: [3], name: 'inA' });
    const d = layers.dense({ units: 2, name: 'd1' });
    const [h, h2] = [d.apply(a), d.apply(a)];
    const s = layers.add({ name: 'addx' }).apply([h, h2]);
    const g = nr.model({ inputs: a, outputs: s });
    const ta = tfl.input({ shape: [3], name: 'inA' });
    const td = tfl.layers.dense({ units: 2, name: 'd1' });
    const [th, th2] = [td.apply(ta), td.apply(ta)] as tfl.SymbolicTensor[];
    const ts = tfl.layers.add({ name: 'addx' }).apply([th, th2]) as tfl.SymbolicTensor;
    const tg = tfl.model({ inputs: ta, outputs: ts });
    expect([a.name, h.name, h2.name, s.name]).toEqual([ta.name, th.name, th2.name, ts.name]);
    expect([a.name, h.name, h2.name, s.name]).toEqual(['inA', 'd1/d1', 'd1/d1_1', 'addx/addx']);
    expect([g.inputs[0].name, g.outputs[0].name]).toEqual([tg.inputs[0].name, tg.outputs[0].name]);
    g.dispose();
    tg.dispose();
  });

  it('getClassName of an activation layer is the class it is saved as', () => {
    expect(layers.leakyReLU().getClassName()).toBe(tfl.layers.leakyReLU().getClassName());
    expect(layers.activation({ activation: 'tanh' }).getClassName()).toBe('Activation');
    expect(layers.activation({ activation: 'leakyRelu' }).getClassName()).toBe('LeakyReLU'); // saved as one
    // TF.js's ReLU, ELU and Softmax layers are activation layers of TF.js's classes, saved as those.
    expect([layers.reLU(), layers.elu(), layers.softmax()].map((l) => l.getClassName())).toEqual([tfl.layers.reLU(), tfl.layers.elu(), tfl.layers.softmax()].map((l) => l.getClassName()));
  });

  it("an activation layer of its own class is named after its factory (leakyReLU_1, not activation_1)", () => {
    const made = [layers.leakyReLU(), layers.elu(), layers.reLU({ maxValue: 6 }), layers.softmax(), layers.leakyReLU(), layers.activation({ activation: 'relu' })];
    const names = made.map((l) => l.name.replace(/_\d+$/, ''));
    expect(names).toEqual(['leakyReLU', 'elu', 'reLU', 'softmax', 'leakyReLU', 'activation']);
    const n = (l: { name: string }) => Number(l.name.split('_').at(-1));
    expect(n(made[4])).toBe(n(made[0]) + 1);
  });
});
