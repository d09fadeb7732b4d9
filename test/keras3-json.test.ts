// Keras 3 topologies (`model.to_json()`) read by models.modelFromJSON, Sequential.fromConfig (once
// the storage code, which holds the Keras 3 reader, is loaded) and loadModel, against Keras 3 itself: test/fixtures/keras3-models.json holds five Keras 3 models
// (bench/keras/keras3_models.py, Keras 3.15.1 on JAX, CPU), their weights and their predictions
// for a fixed input. Each topology is loaded, given Keras's weights (in neurite's getWeights()
// order, which is Keras's `trainable_weights + non_trainable_weights`; layer by layer; and, for
// models without non-trainable weights, `get_weights()` as it is) and must predict what Keras
// predicted within 1e-5 relative + 1e-6 absolute (float32 through up to 16 layers and two
// libraries' summation orders; the largest difference seen, as a fraction of that bound, is
// printed after the first block). Then what neurite does not implement is refused, each
// message naming the field, and TF.js/Keras 2 configs keep their messages.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose, failTestsThatLeak, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/* eslint-disable @typescript-eslint/no-explicit-any */
interface Weight { path: string; layer: string; trainable: boolean; shape: number[]; data: number[] }
interface Fixture {
  versions: Record<string, string>;
  models: Record<string, {
    topology: any;
    weights: Weight[];
    trainableFirst: number[];
    inputs: Array<{ shape: number[]; data: number[] }>;
    outputs: Array<{ shape: number[]; data: number[] }>;
  }>;
}
const FIXTURE: Fixture = JSON.parse(readFileSync(new URL('./fixtures/keras3-models.json', import.meta.url), 'utf8'));
const RTOL = 1e-5;
const ATOL = 1e-6;
/** A deep copy of a model's topology, to edit. */
const topo = (name: string): any => structuredClone(FIXTURE.models[name].topology);
const NAMES = Object.keys(FIXTURE.models);
let worst = 0;

/** neurite's predictions for a fixture model's inputs, as flat arrays. */
function predict(m: nr.Sequential, name: string): Float32Array[] {
  const f = FIXTURE.models[name];
  return nr.tidy(() => {
    const xs = f.inputs.map((x) => nr.tensor(x.data, x.shape));
    const y = m.predict(xs.length === 1 ? xs[0] : xs) as nr.Tensor | nr.Tensor[];
    return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync().slice());
  });
}

function expectKerasOutputs(m: nr.Sequential, name: string): void {
  const got = predict(m, name);
  const want = FIXTURE.models[name].outputs;
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.length).toBe(want[i].data.length);
    expectClose(g, want[i].data, RTOL, ATOL);
    g.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - want[i].data[j]) / (ATOL + RTOL * Math.abs(want[i].data[j])))));
  });
}

/** `weights` (fixture entries) as tensors, given to `set`, then disposed. */
function withTensors(weights: Weight[], set: (ts: nr.Tensor[]) => void): void {
  const ts = weights.map((w) => nr.tensor(w.data, w.shape));
  try {
    set(ts);
  } finally {
    ts.forEach((t) => t.dispose());
  }
}

/** The weight name neurite (TF.js) gives a Keras 3 weight: `layer/name`; Keras 3's DepthwiseConv2D calls its kernel `kernel`, TF.js `depthwise_kernel`. */
function tfName(f: Fixture['models'][string], w: Weight): string {
  const short = w.path.split('/').pop() as string;
  const cls = (function find(layers: any[]): string | undefined {
    for (const l of layers) {
      if (l.config?.name === w.layer) return l.class_name;
      const inner = l.config?.layers ? find(l.config.layers) : undefined;
      if (inner) return inner;
    }
    return undefined;
  })(f.topology.config.layers);
  return `${w.layer}/${cls === 'DepthwiseConv2D' && short === 'kernel' ? 'depthwise_kernel' : short}`;
}

/** A layer of `m` (or of a model nested in it) by name. */
function layerNamed(m: nr.Sequential, name: string): nr.Layer {
  for (const l of m.layers) {
    if (l.name === name && !(l instanceof nr.Sequential)) return l;
    if (l instanceof nr.Sequential) {
      try {
        return layerNamed(l, name);
      } catch {
        // not in this one
      }
    }
  }
  throw new Error(`no layer ${name} in ${m.name}`);
}

// First in the file: the storage code (models.modelFromJSON's, loadModel's) is not loaded yet.
describe('Sequential.fromConfig before the storage code is loaded', () => {
  it('says to read a Keras 3 config with models.modelFromJSON (the Keras 3 reader is in the storage chunk), and reads it once that code is loaded', async () => {
    expect(invalidMessage(() => nr.Sequential.fromConfig(topo('mlp')))).toBe('fromConfig: config is a Keras 3 model config (model.to_json()), which neurite reads with its storage code, not loaded yet: read it with await models.modelFromJSON(config) (or loadModel), which loads that code first');
    (await nr.models.modelFromJSON(topo('mlp'))).dispose();
    nr.Sequential.fromConfig(topo('mlp')).dispose();
  });
});

describe('Keras 3 to_json() models predict as Keras 3 with its weights', () => {
  afterAll(() => console.log(`keras3-json: largest |neurite − Keras| / (atol + rtol·|Keras|) = ${worst.toFixed(3)} (≤ 1 passes)`));

  it('the fixture is what the generator wrote (Keras 3 on JAX) and its topologies are Keras 3\'s', () => {
    expect(FIXTURE.versions.keras.startsWith('3.')).toBe(true);
    expect(FIXTURE.versions.backend).toBe('jax');
    for (const name of NAMES) {
      const t = FIXTURE.models[name].topology;
      expect(t.module, name).toBeDefined();
      expect(JSON.stringify(t)).toContain('DTypePolicy');
    }
    expect(JSON.stringify(FIXTURE.models.functional.topology)).toContain('__keras_tensor__');
  });

  for (const name of NAMES) {
    it(`${name}: modelFromJSON, then setWeights in trainable_weights + non_trainable_weights order`, async () => {
      const f = FIXTURE.models[name];
      const m = await nr.models.modelFromJSON(topo(name));
      try {
        withTensors(f.trainableFirst.map((i) => f.weights[i]), (ts) => m.setWeights(ts));
        expectKerasOutputs(m, name);
        // neurite's weight names are Keras's layer/weight names (TF.js's name for a depthwise kernel).
        expect(m.weightNames()).toEqual(f.trainableFirst.map((i) => tfName(f, f.weights[i])));
      } finally {
        m.dispose();
      }
    });

    it(`${name}: Sequential.fromConfig, then each layer's get_weights() into layer.setWeights`, () => {
      const f = FIXTURE.models[name];
      const m = nr.Sequential.fromConfig(topo(name));
      try {
        nr.tidy(() => {
          m.predict(f.inputs.length === 1 ? nr.zeros(f.inputs[0].shape) : f.inputs.map((x) => nr.zeros(x.shape))); // builds it
        });
        const owners = [...new Set(f.weights.map((w) => w.layer))];
        for (const owner of owners) withTensors(f.weights.filter((w) => w.layer === owner), (ts) => layerNamed(m, owner).setWeights(ts));
        expectKerasOutputs(m, name);
      } finally {
        m.dispose();
      }
    });
  }

  it('conv1d with batch_shape [null, null, 3] (what Keras 3 writes for keras.Input((None, 3))): Keras\'s outputs at the fixture\'s length, and any other length runs', async () => {
    const f = FIXTURE.models.conv1d;
    const t = topo('conv1d');
    expect(t.config.layers[0].config.batch_shape).toEqual([null, 12, 3]);
    t.config.layers[0].config.batch_shape = [null, null, 3];
    const m = await nr.models.modelFromJSON(t);
    try {
      expect(m.inputShape).toEqual([null, null, 3]);
      withTensors(f.trainableFirst.map((i) => f.weights[i]), (ts) => m.setWeights(ts));
      expectKerasOutputs(m, 'conv1d');
      for (const len of [8, 31]) expect(nr.tidy(() => m.predict(nr.ones([2, len, 3])).shape)).toEqual([2, 2]);
      // Too short for its 'valid' average pooling: named (Keras and TF.js give an empty or NaN result).
      expect(() => nr.tidy(() => m.predict(nr.ones([1, 4, 3])))).toThrow(/predict: x of shape \[1,4,3\] \(per-sample \[4,3\], input shape \[null,3\]\) does not fit the model: .*averagePooling1d/);
    } finally {
      m.dispose();
    }
  });

  it('model.get_weights() is that order when a model has no non-trainable weights; with BatchNormalization it is not, and setWeights refuses it', async () => {
    for (const name of ['mlp', 'cnn_up', 'conv1d']) expect(FIXTURE.models[name].trainableFirst).toEqual(FIXTURE.models[name].weights.map((_, i) => i));
    const f = FIXTURE.models.cnn;
    expect(f.trainableFirst).not.toEqual(f.weights.map((_, i) => i));
    const m = await nr.models.modelFromJSON(topo('cnn'));
    try {
      // Keras 3's get_weights() puts the moving statistics after gamma and beta; TF.js's order puts them last.
      withTensors(f.weights, (ts) => expect(() => m.setWeights(ts)).toThrow('setWeights: weight 12 (`moving_mean` of layer 1) has shape [4] but the value has shape [12,5]'));
    } finally {
      m.dispose();
    }
  });

  it('loadModel reads a Keras 3 topology with TF.js-named weights, and a neurite save of it is TF.js\'s format that loads back', async () => {
    for (const name of ['cnn', 'functional', 'cnn_up']) {
      const f = FIXTURE.models[name];
      const ordered = f.trainableFirst.map((i) => f.weights[i]);
      const data = new Float32Array(ordered.flatMap((w) => w.data));
      const artifacts = {
        modelTopology: topo(name), format: 'layers-model',
        weightSpecs: ordered.map((w) => ({ name: tfName(f, w), shape: w.shape, dtype: 'float32' as const })),
        weightData: data.buffer,
      };
      const m = (await nr.loadModel(artifacts)) as nr.Sequential;
      let again: nr.Sequential | undefined;
      try {
        expectKerasOutputs(m, name);
        const saved = await m.toArtifacts();
        const text = JSON.stringify(saved.modelTopology);
        for (const k3 of ['DTypePolicy', 'registered_name', '"module"', 'batch_shape', '__keras_tensor__', 'build_config', 'negative_slope']) expect(text, `${name}: ${k3}`).not.toContain(k3);
        again = (await nr.loadModel(saved)) as nr.Sequential;
        expectKerasOutputs(again, name);
      } finally {
        m.dispose();
        again?.dispose();
      }
    }
  });

  it('modelFromJSON reads a model.json whose modelTopology is Keras 3\'s; the config Keras 3 edits by hand (batch_shape renamed) too', async () => {
    const m = await nr.models.modelFromJSON({ modelTopology: topo('mlp') });
    const t = topo('mlp');
    const input = t.config.layers[0].config;
    input.batch_input_shape = input.batch_shape;
    delete input.batch_shape;
    const edited = await nr.models.modelFromJSON(t);
    try {
      expect(m.inputShape).toEqual([null, 6]);
      expect(edited.inputShape).toEqual([null, 6]);
    } finally {
      m.dispose();
      edited.dispose();
    }
  });

  it("Keras 3's activation objects read as the activations they name", async () => {
    const f = FIXTURE.models.mlp;
    const forms: Array<[unknown, unknown]> = [
      [{ module: 'keras.activations', class_name: 'function', config: 'tanh', registered_name: 'tanh' }, 'tanh'],
      [{ module: 'keras.layers', class_name: 'ReLU', config: { name: 'r', max_value: 6, negative_slope: 0, threshold: 0 }, registered_name: null }, 'relu6'],
      [{ module: 'keras.layers', class_name: 'ReLU', config: { name: 'r', max_value: 0.5, negative_slope: 0, threshold: 0 }, registered_name: null }, { class_name: 'neurite>cappedRelu', config: { max_value: 0.5 } }],
      [{ module: 'keras.layers', class_name: 'ELU', config: { name: 'e', alpha: 0.5 }, registered_name: null }, { class_name: 'neurite>elu', config: { alpha: 0.5 } }],
      [{ module: 'keras.layers', class_name: 'Activation', config: { name: 'a', activation: 'sigmoid' }, registered_name: null }, 'sigmoid'],
      [{ module: 'keras.layers', class_name: 'Softmax', config: { name: 's', axis: -1 }, registered_name: null }, 'softmax'],
    ];
    for (const [form, same] of forms) {
      const out = await Promise.all([form, same].map(async (act) => {
        const t = topo('mlp');
        t.config.layers[1].config.activation = act;
        const m = await nr.models.modelFromJSON(t);
        try {
          withTensors(f.trainableFirst.map((i) => f.weights[i]), (ts) => m.setWeights(ts));
          return predict(m, 'mlp')[0];
        } finally {
          m.dispose();
        }
      }));
      expect(Array.from(out[0]), JSON.stringify(form)).toEqual(Array.from(out[1]));
    }
  });

  it('a tf.keras 2.13+ file (module and registered_name on its layers, keras_version 2.x) is read as Keras 2', () => {
    const t = {
      class_name: 'Sequential', keras_version: '2.15.0', backend: 'tensorflow',
      config: { name: 's', layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'in' }, registered_name: null },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'd', trainable: true, dtype: 'float32', units: 2, activation: 'hard_sigmoid', kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null } }, registered_name: null, build_config: { input_shape: [null, 3] } },
      ] },
    };
    // Keras 2's hard_sigmoid is neurite's (a Keras 3 file's is refused above).
    const m = nr.Sequential.fromConfig(t);
    m.dispose();
  });

  it('a Keras 3 Sequential without an InputLayer (not built) loads without an input shape, as a TF.js one does', () => {
    const t = topo('mlp');
    t.config.layers.shift();
    delete t.build_config;
    t.config.build_input_shape = null;
    const m = nr.Sequential.fromConfig(t);
    try {
      expect(m.layers.map((l) => l.name)).toEqual(FIXTURE.models.mlp.topology.config.layers.slice(1).map((l: any) => l.config.name));
      expect(m.inputShape ?? null).toBeNull();
    } finally {
      m.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** The first layer of class `cls` in a topology (nested models searched too). */
function layerOf(t: any, cls: string): any {
  const find = (layers: any[]): any => {
    for (const l of layers) {
      if (l.class_name === cls) return l;
      const inner = l.config?.layers ? find(l.config.layers) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  const l = find(t.config.layers);
  if (!l) throw new Error(`no ${cls} layer`);
  return l;
}

/** fromConfig's message for the fixture model `name` after `edit`. */
function refusal(name: string, edit: (t: any) => void): string {
  const t = topo(name);
  edit(t);
  return invalidMessage(() => nr.Sequential.fromConfig(t));
}

const POLICY = (n: string) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name: n }, registered_name: null });

describe('what neurite does not implement is refused, naming the Keras 3 field', () => {
  const cases: Array<[string, string, (t: any) => void, string]> = [
    ['a mixed-precision dtype policy', 'mlp', (t) => (t.config.layers[1].config.dtype = POLICY('mixed_float16')),
      `fromConfig: config.config.layers[1].config.dtype is Keras 3's dtype policy "mixed_float16" ("DTypePolicy"): neurite computes in float32 and reads only the policy 'float32' (Keras's default)`],
    ['a bfloat16 policy on the model', 'mlp', (t) => (t.config.dtype = POLICY('bfloat16')),
      `fromConfig: config.config.dtype is Keras 3's dtype policy "bfloat16" ("DTypePolicy")`],
    ['a quantized Dense', 'mlp', (t) => (t.config.layers[1].config.dtype = { module: 'keras', class_name: 'QuantizedDTypePolicy', config: { name: 'int8_from_float32' }, registered_name: null }),
      `config.config.layers[1].config.dtype is Keras 3's dtype policy "int8_from_float32" ("QuantizedDTypePolicy")`],
    ["Keras 3's hard_sigmoid", 'mlp', (t) => (t.config.layers[1].config.activation = 'hard_sigmoid'),
      "config.config.layers[1].config.activation is Keras 3's 'hard_sigmoid', relu6(x + 3) / 6, which neurite does not have: neurite's hard_sigmoid is TF.js's and Keras 2's clip(0.2·x + 0.5, 0, 1)"],
    ['a lambda activation', 'mlp', (t) => (t.config.layers[1].config.activation = { value: ['4wEAAAAA', null, null] }),
      'config.config.layers[1].config.activation is a Python function Keras 3 serialized as its bytecode'],
    ['an activation Keras 3 has and neurite does not', 'mlp', (t) => (t.config.layers[1].config.activation = 'celu'),
      'config.config.layers[1].config.activation is an activation neurite does not support: "celu"; supported: linear, relu,'],
    ['a grouped convolution', 'cnn', (t) => (layerOf(t, 'Conv2D').config.groups = 2),
      "config.config.layers[1].config.groups must be 1: neurite's convolutions are not grouped, got 2"],
    ['batch renormalization', 'cnn', (t) => (layerOf(t, 'BatchNormalization').config.renorm = true),
      "config.config.layers[2].config.renorm must be false or null: neurite's batchNormalization has no batch renormalization, got true"],
    ['RMS layer normalization', 'mlp', (t) => (layerOf(t, 'LayerNormalization').config.rms_scaling = true),
      "config.config.layers[4].config.rms_scaling must be false or null: neurite's layerNormalization centres and scales (no RMS scaling), got true"],
    ['a LoRA Dense', 'mlp', (t) => Object.assign(t.config.layers[1].config, { lora_rank: 4, lora_alpha: 4 }),
      'config.config.layers[1].config.lora_rank must be null or 0: a LoRA-enabled Dense has lora_kernel_a/lora_kernel_b weights neurite does not have'],
    ['a quantization config', 'mlp', (t) => (t.config.layers[1].config.quantization_config = { mode: 'int8' }),
      'config.config.layers[1].config.quantization_config must be null: neurite reads float32 weights, not a quantized layer'],
    ['bilinear upsampling', 'cnn_up', (t) => (layerOf(t, 'UpSampling2D').config.interpolation = 'bilinear'),
      "config.config.layers[2].config.interpolation is 'bilinear', which Keras 3 samples at half-pixel centres"],
    ['global pooling that keeps its axes', 'conv1d', (t) => (layerOf(t, 'GlobalAveragePooling1D').config.keepdims = true),
      "config.config.layers[5].config.keepdims must be false or null: neurite's global pooling outputs [batch, channels], got true"],
    ['a channels_first MaxPooling1D', 'conv1d', (t) => (layerOf(t, 'MaxPooling1D').config.data_format = 'channels_first'),
      `config.config.layers[2].config.data_format must be 'channels_last' ([batch, steps, channels]), the only layout neurite has, got "channels_first"`],
    ['a channels_first AveragePooling1D', 'conv1d', (t) => (layerOf(t, 'AveragePooling1D').config.data_format = 'channels_first'),
      `config.config.layers[4].config.data_format must be 'channels_last' ([batch, steps, channels]), the only layout neurite has, got "channels_first"`],
    ['a ragged input', 'mlp', (t) => (t.config.layers[0].config.ragged = true),
      'config.config.layers[0].config.ragged must be false or null: neurite has no ragged tensors, got true'],
    ['an initializer over chosen axes', 'mlp', (t) => (t.config.layers[1].config.kernel_initializer.config.input_axes = [0]),
      'config.config.layers[1].config.kernel_initializer.config.input_axes must be null: neurite computes an initializer\'s fans from the kernel\'s shape'],
    ['a layer neurite does not have', 'mlp', (t) => (t.config.layers[2] = { module: 'keras.layers', class_name: 'GRU', config: { name: 'gru', units: 4 }, registered_name: null }),
      "config.config.layers[2].class_name 'GRU' is a Keras 3 layer neurite does not support; supported: Dense,"],
    ['a call argument (training=True)', 'functional', (t) => (layerOf(t, 'BatchNormalization').inbound_nodes[0].kwargs = { training: true }),
      "config.config.layers[12].inbound_nodes[0].kwargs.training must be null or false: neurite's layers take no call arguments (mask, …) but training: false, got true"],
    ['a second positional argument', 'functional', (t) => layerOf(t, 'BatchNormalization').inbound_nodes[0].args.push(true),
      'config.config.layers[12].inbound_nodes[0].args must hold one input (a tensor, or a list of tensors for a merge layer)'],
    ['a reference to a layer that is not there', 'functional', (t) => (layerOf(t, 'BatchNormalization').inbound_nodes[0].args[0].config.keras_history = ['nope', 0, 0]),
      "config.config.layers[12].inbound_nodes[0].args[0].config.keras_history[0] names 'nope', which is not in layers"],
    ['a call a layer does not have', 'functional', (t) => (layerOf(t, 'BatchNormalization').inbound_nodes[0].args[0].config.keras_history = ['shared', 2, 0]),
      "config.config.layers[12].inbound_nodes[0].args[0].config.keras_history[1] is call 2 of Dense 'shared', which has 2 calls (0…1)"],
    ['a second output of a layer', 'functional', (t) => (layerOf(t, 'BatchNormalization').inbound_nodes[0].args[0].config.keras_history = ['h', 0, 1]),
      "config.config.layers[12].inbound_nodes[0].args[0].config.keras_history[2] reads output 1 of 'h', but neurite's layers and nested models have one output"],
    ['dict inputs', 'functional', (t) => (t.config.input_layers = { a: ['a', 0, 0], b: ['b', 0, 0] }),
      "config.config.input_layers is a dict (keys a, b): neurite's models take their inputs and outputs as lists, so build the Keras model with keras.Model([inputs], [outputs])"],
  ];
  for (const [what, name, edit, want] of cases) {
    it(what, () => {
      expect(refusal(name, edit)).toContain(want);
    });
  }

  it('loadModel and modelFromJSON say the same, under their own names', async () => {
    const t = topo('mlp');
    t.config.layers[1].config.dtype = POLICY('mixed_float16');
    await expect(nr.models.modelFromJSON(t)).rejects.toThrow(`models.modelFromJSON: modelTopology.config.layers[1].config.dtype is Keras 3's dtype policy "mixed_float16"`);
    await expect(nr.loadModel({ modelTopology: t, weightSpecs: [], weightData: new ArrayBuffer(0) })).rejects.toThrow(`loadModel: modelTopology.config.layers[1].config.dtype is Keras 3's dtype policy "mixed_float16"`);
  });

  it("a call's kwargs training: false (Keras's bn(x, training=False)) is read as apply(x, { training: false })", async () => {
    const t = topo('functional');
    const bn = layerOf(t, 'BatchNormalization');
    bn.inbound_nodes[0].kwargs = { training: false };
    const m = await nr.models.modelFromJSON(t);
    const c = m.getConfig() as unknown as { config: { layers: Array<{ name: string; inbound_nodes: unknown[][][] }> } };
    expect(c.config.layers.find((l) => l.name === bn.config.name)?.inbound_nodes[0][0][3]).toEqual({ training: false });
    m.dispose();
  });

  it('a graph whose wiring is refused frees the nested models made for it (an io fuzz find: the nested model leaked a handle)', async () => {
    (await nr.models.modelFromJSON(topo('mlp'))).dispose(); // the Keras 3 reader loaded
    const t = topo('functional');
    // proj_b feeds the shared layer that input a (6 values) also feeds: 5 values is a mismatch.
    t.config.layers.find((l: any) => l.config.name === 'proj_b').config.units = 5;
    const before = nr.memory();
    expect(invalidMessage(() => nr.Sequential.fromConfig(t))).toMatch(/layer shared \(dense\) was first applied to per-sample input shape \[6\], but here it receives \[5\]/);
    expect([nr.memory().numTensors, nr.memory().numHandles]).toEqual([before.numTensors, before.numHandles]);
  });

  // A tester's report: the standard functional text classifier did not load ("args must hold one
  // input … got 2 arguments", naming a layer the user never wrote).
  it("a functional text model's mask, written by Keras 3 as a NotEqual(ids, 0) op layer passed as kwargs.mask, is the embedding's own: the model loads and predicts as Keras", async () => {
    const k = JSON.parse(readFileSync(new URL('./fixtures/keras3-mask-op.json', import.meta.url), 'utf8')) as { topology: any; weights: number[][][] | number[][]; x: number[][]; pred: number[][] };
    expect(k.topology.config.layers.map((l: any) => l.class_name)).toContain('NotEqual');
    using m = await nr.models.modelFromJSON(k.topology);
    expect(m.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Embedding', 'Dense', 'GlobalAveragePooling1D', 'Dense']);
    nr.tidy(() => m.setWeights((k.weights as unknown[]).map((w) => nr.tensor(w as number[]))));
    const got = nr.tidy(() => (m.predict(nr.tensor(k.x)) as nr.Tensor).arraySync() as number[][]);
    expectClose(got.flat(), k.pred.flat(), 1e-5, 1e-6);
    // The pooling averages the real tokens only: padding more changes nothing.
    const padded = nr.tidy(() => (m.predict(nr.tensor(k.x.map((r) => [...r, 0, 0, 0]))) as nr.Tensor).arraySync() as number[][]);
    expectClose(padded.flat(), got.flat(), 1e-6, 1e-7);
    // Read other than as a mask, a NotEqual stays, and is refused as before.
    const t = JSON.parse(JSON.stringify(k.topology));
    const gap = t.config.layers.find((l: any) => l.class_name === 'GlobalAveragePooling1D');
    gap.inbound_nodes[0].args = [gap.inbound_nodes[0].kwargs.mask];
    gap.inbound_nodes[0].kwargs = {};
    expect(await nr.models.modelFromJSON(t).then(() => '', (e: Error) => e.message)).toMatch(/NotEqual|args/);
  });

  it('TF.js and Keras 2 configs keep their messages', () => {
    const dense = (config: Record<string, unknown>) => ({ class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 3], ...config } }] } });
    expect(invalidMessage(() => nr.Sequential.fromConfig(dense({ dtype: 'float16' })))).toBe("fromConfig: config.config.layers[0].config.dtype must be 'float32' (neurite computes in float32), got \"float16\"");
    // Keras 2's own policy object is not Keras 3's DTypePolicy: the Keras 2 message.
    expect(invalidMessage(() => nr.Sequential.fromConfig(dense({ dtype: { class_name: 'Policy', config: { name: 'float32' } } })))).toContain("config.config.layers[0].config.dtype must be 'float32' (neurite computes in float32), got");
    const emb = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'GRU', config: { name: 'e', batch_input_shape: [null, 3] } }] } };
    expect(invalidMessage(() => nr.Sequential.fromConfig(emb))).toContain("fromConfig: config.config.layers[0].class_name 'GRU' is a layer class neurite does not support; supported: Dense,");
    const input = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'InputLayer', config: { name: 'i', batch_shape: [null, 3] } }] } };
    // batch_shape alone (no other Keras 3 mark) reads as Keras 3's.
    const m = nr.Sequential.fromConfig(input);
    m.dispose();
  });
});
