// Saving and loading in neurite's own terms (issue 11, the format part): round trips for every
// layer, activation, initializer config and optimizer (predictions bit-identical, getConfig
// equal, training continues identically), autoencoders, perceptrons and RBF networks, handlers,
// the optimizer-state slots of includeOptimizer, and the error catalogue of loadModel — each bad
// file an InvalidArgumentError naming the field, with memory() back at its baseline.
import { describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import { ACTIVATIONS } from '../ts/wasm/codes.js';
import { INITIALIZERS } from '../ts/layers/initializers.js';
import './setup.js';
import { normals } from './rng.js';

const { layers, optimizers, schedules, initializers, regularizers } = nr;
type Seq = nr.Sequential;

/** Disposes a model and the models nested in it. */
function disposeAll(m: Seq): void {
  for (const l of m.layers) if (l instanceof nr.Sequential) disposeAll(l);
  m.dispose();
}

const bits = (t: nr.Tensor): number[] => Array.from(new Uint32Array(t.data().buffer));

/** Saves `m`, loads it back, and checks config equality and bit-identical predictions on `x`. */
async function roundTrip(m: Seq, inputShape: number[], train = false): Promise<Seq> {
  const x = nr.tensor(normals(11)(6 * inputShape.reduce((a, b) => a * b, 1)), [6, ...inputShape]);
  if (train) {
    const y = m.predict(x);
    m.compile({ optimizer: optimizers.sgd(0.05), loss: 'mse' });
    const target = y.add(0.5);
    m.trainOnBatch(x, target);
    [y, target].forEach((t) => t.dispose());
  }
  const a = await m.toArtifacts();
  const l = (await nr.loadModel(a)) as Seq;
  expect(l.getConfig()).toEqual(m.getConfig());
  // Config alone: a fresh model of the same structure.
  const fresh = (m instanceof nr.Autoencoder ? nr.Autoencoder.fromConfig : nr.sequential.fromConfig)(JSON.parse(JSON.stringify(m.getConfig())));
  expect(fresh.getConfig()).toEqual(m.getConfig());
  disposeAll(fresh);
  const y1 = m.predict(x);
  const y2 = l.predict(x);
  expect(bits(y2)).toEqual(bits(y1));
  [x, y1, y2].forEach((t) => t.dispose());
  return l;
}

describe('round trips: predictions bit-identical, getConfig equal', () => {
  const layerCases: Array<[string, () => nr.Layer[], number[]]> = [
    ['dense (every option)', () => [layers.dense({ inputShape: [4], units: 3, activation: 'tanh', useBias: false, kernelInitializer: 'heUniform', kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.02 }), activityRegularizer: regularizers.l1() })], [4]],
    ['dense on rank-3 input', () => [layers.dense({ inputShape: [2, 4], units: 3, biasInitializer: initializers.constant({ value: 0.5 }), biasRegularizer: 'l2' })], [2, 4]],
    ['activation', () => [layers.dense({ inputShape: [4], units: 3 }), layers.activation({ activation: 'softmax' })], [4]],
    ['activation leakyRelu (TF.js LeakyReLU)', () => [layers.dense({ inputShape: [4], units: 3 }), layers.activation({ activation: { name: 'leakyRelu', alpha: 0.3 } })], [4]],
    ['dropout', () => [layers.dense({ inputShape: [4], units: 3 }), layers.dropout({ rate: 0.4 })], [4]],
    ['gaussianNoise', () => [layers.gaussianNoise({ inputShape: [4], stddev: 0.3 }), layers.dense({ units: 2 })], [4]],
    ['batchNormalization', () => [layers.dense({ inputShape: [4], units: 3 }), layers.batchNormalization({ momentum: 0.9, epsilon: 1e-2, center: false })], [4]],
    ['layerNormalization', () => [layers.dense({ inputShape: [4], units: 3 }), layers.layerNormalization({ epsilon: 1e-5, scale: false })], [4]],
    ['prelu (rank 1 and rank 2)', () => [layers.prelu({ inputShape: [2, 3], alphaInitializer: initializers.constant({ value: 0.1 }), alphaRegularizer: regularizers.l2() }), layers.flatten(), layers.prelu()], [2, 3]],
    ['flatten and reshape', () => [layers.reshape({ inputShape: [6], targetShape: [3, -1] }), layers.dense({ units: 2 }), layers.flatten()], [6]],
    ['inputLayer', () => [layers.inputLayer({ inputShape: [3] }), layers.dense({ units: 2, trainable: false }), layers.dense({ units: 1 })], [3]],
    ['rbf', () => [layers.rbf({ inputShape: [2], units: 3, kernel: 'inverseMultiquadric', widths: [0.5, 1, 2], centersInitializer: initializers.randomNormal({ stddev: 0.5 }) }), layers.dense({ units: 1 })], [2]],
    ['rbf with given centers', () => [layers.rbf({ inputShape: [2], units: 2, centers: [[0, 1], [1, 0]], widths: 0.7 })], [2]],
    ['saltAndPepper', () => [layers.saltAndPepper({ inputShape: [4], rate: 0.2, low: -1, high: 2 }), layers.dense({ units: 2 })], [4]],
    ['variational', () => [layers.dense({ inputShape: [4], units: 3 }), layers.variational({ units: 2, klWeight: 0.5 })], [4]],
    ['klSparsity', () => [layers.dense({ inputShape: [4], units: 3, activation: 'sigmoid', activityRegularizer: regularizers.klSparsity({ target: 0.1, weight: 2 }) })], [4]],
  ];
  for (const [name, make, shape] of layerCases) {
    it(name, async () => {
      const before = nr.memory();
      const m = nr.sequential({ seed: 5, layers: make() });
      const l = await roundTrip(m, shape, true);
      disposeAll(l);
      disposeAll(m);
      expect(nr.memory().numTensors).toBe(before.numTensors);
      expect(nr.memory().numHandles).toBe(before.numHandles);
    });
  }

  it('every activation, with and without parameters', async () => {
    const specs: nr.ActivationSpec[] = [
      ...ACTIVATIONS, 'silu',
      { name: 'linear', slope: 2, intercept: -1 }, { name: 'stairStep', step: 0.25, straightThrough: true }, { name: 'unitStep', threshold: 0.1 },
      { name: 'heaviside', atZero: 1 }, { name: 'sign', straightThrough: true }, { name: 'sign', atZero: -1 }, { name: 'leakyRelu', alpha: 0.01 }, { name: 'elu', alpha: 0.5 },
    ];
    for (const activation of specs) {
      const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [3], units: 4, activation }), layers.activation({ activation })] });
      const l = await roundTrip(m, [3]);
      l.dispose();
      m.dispose();
    }
  });

  it("'sign' saved before its atZero option loads as it was, +1 at 0; atZero is kept", async () => {
    const atZero = async (activation: nr.ActivationSpec, drop: boolean): Promise<[unknown, number[]]> => {
      const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1, activation, kernelInitializer: 'zeros' })] });
      const a = await m.toArtifacts();
      const topo = a.modelTopology as { config: { layers: Array<{ config: { activation: { config: Record<string, unknown> } } }> } };
      const saved = topo.config.layers[0].config.activation;
      if (drop) delete saved.config.at_zero; // the config as files before atZero hold it
      const l = await nr.loadModel(a);
      const got = nr.tidy(() => Array.from(l.predict(nr.tensor([[0, 0], [1, -1]])).dataSync()));
      l.dispose();
      m.dispose();
      return [saved, got];
    };
    expect(await atZero('sign', true)).toEqual([{ class_name: 'neurite>sign', config: { straight_through: false } }, [1, 1]]);
    expect(await atZero({ name: 'sign', atZero: -1 }, false)).toEqual([{ class_name: 'neurite>sign', config: { straight_through: false, at_zero: -1 } }, [-1, -1]]);
  });

  it('every initializer config', async () => {
    const specs: nr.InitializerSpec[] = [
      ...INITIALIZERS, initializers.constant({ value: -0.3 }), initializers.randomUniform({ minval: -2, maxval: 3 }),
      initializers.randomNormal({ mean: 1, stddev: 0.2 }), initializers.truncatedNormal({ mean: -1, stddev: 0.1 }),
      initializers.orthogonal({ gain: 0.5, seed: 3 }), initializers.identity({ gain: 2 }),
      initializers.varianceScaling({ scale: 3, mode: 'fanAvg', distribution: 'untruncatedNormal', seed: 1 }),
    ];
    for (const init of specs) {
      // orthogonal needs a weight of rank >= 2 (not the bias), identity a square one.
      const name = typeof init === 'string' ? init : init.name;
      const n = name === 'identity' ? 4 : 3;
      const bias = name === 'orthogonal' || name === 'identity' ? 'zeros' : init;
      const m = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [n], units: 4, kernelInitializer: init, biasInitializer: bias })] });
      const l = await roundTrip(m, [n]);
      // The initializer survives as itself: a fresh model from the config draws the same weights.
      const fresh = nr.Sequential.fromConfig(m.getConfig());
      fresh.build();
      const [w1, w2] = [m.getWeights(), fresh.getWeights()];
      expect(w2.map(bits)).toEqual(w1.map(bits));
      [...w1, ...w2].forEach((t) => t.dispose());
      [l, m, fresh].forEach((x) => x.dispose());
    }
  });

  it('every optimizer, schedule and clipping mode: the compile config is restored and training continues identically', async () => {
    const opts: Array<() => nr.Optimizer> = [
      () => optimizers.sgd(0.1), () => optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
      () => optimizers.adam({ learningRate: 0.01, beta1: 0.8 }), () => optimizers.adam({ amsgrad: true }),
      () => optimizers.adamw({ weightDecay: 0.01 }), () => optimizers.rmsprop({ centered: true, momentum: 0.5 }), () => optimizers.adagrad({ epsilon: 1e-6 }),
      () => optimizers.sgd({ learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5, staircase: true }) }),
      () => optimizers.adam({ learningRate: schedules.stepDecay({ initialLearningRate: 0.1, drop: 0.5, every: 1, warmupSteps: 1 }) }),
      () => optimizers.rmsprop({ learningRate: schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 3, alpha: 0.1 }) }),
      () => optimizers.adagrad({ learningRate: schedules.constant({ learningRate: 0.2 }) }),
      () => optimizers.sgd({ learningRate: 0.1, clipValue: 0.01 }), () => optimizers.adam({ clipNorm: 0.1 }), () => optimizers.adamw({ globalClipNorm: 0.1 }),
    ];
    const x = nr.tensor(normals(3)(8 * 3), [8, 3]);
    const y = nr.tensor(normals(4)(8 * 2), [8, 2]);
    for (const make of opts) {
      const m = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), layers.dense({ units: 2 })] });
      m.compile({ optimizer: make(), loss: { name: 'huber', delta: 0.5 }, metrics: ['mae', 'acc'] });
      const l = (await nr.loadModel(await m.toArtifacts())) as Seq;
      expect(l.compiledInfo('t').optimizer.getConfig()).toEqual(m.compiledInfo('t').optimizer.getConfig());
      expect(l.compiledInfo('t').metricNames).toEqual(['mae', 'acc']);
      for (let i = 0; i < 3; i++) expect(l.trainOnBatch(x, y)).toEqual(m.trainOnBatch(x, y));
      const [w1, w2] = [m.getWeights(), l.getWeights()];
      expect(w2.map(bits)).toEqual(w1.map(bits));
      [...w1, ...w2].forEach((t) => t.dispose());
      [l, m].forEach((s) => s.dispose());
    }
    [x, y].forEach((t) => t.dispose());
  });

  it('a model given its input shape by build() (no inputShape on the first layer) saves it as batch_input_shape', async () => {
    const m = nr.sequential({ layers: [layers.dense({ units: 3 }), layers.dense({ units: 1 })] });
    m.build([5]);
    const l = await roundTrip(m, [5]);
    expect((l.layers[0] as nr.Layer).inputShape).toEqual([null, 5]);
    [l, m].forEach((x) => x.dispose());
  });

  it('weightNames() names the layers inside nested models (it named the nested model)', () => {
    const inner = nr.sequential({ name: 'inner', layers: [layers.dense({ inputShape: [2], units: 2, name: 'd_in' }), layers.batchNormalization({ name: 'bn_in' })] });
    const m = nr.sequential({ layers: [inner, layers.dense({ units: 1, name: 'd_out' })] });
    // TF.js's order: the trainable weights, then the moving statistics (test/weight-order.test.ts).
    expect(m.weightNames()).toEqual(['d_in/kernel', 'd_in/bias', 'bn_in/gamma', 'bn_in/beta', 'd_out/kernel', 'd_out/bias', 'bn_in/moving_mean', 'bn_in/moving_variance']);
    [m, inner].forEach((x) => x.dispose());
  });

  it('a nested model and a frozen nested model keep their structure and weights', async () => {
    const inner = nr.sequential({ name: 'inner', layers: [layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), layers.batchNormalization()] });
    inner.trainable = false;
    const m = nr.sequential({ seed: 7, layers: [inner, layers.dense({ units: 2 })] });
    const a = await m.toArtifacts();
    // Frozen weights come after the trainable ones, as TF.js orders them.
    expect(a.weightSpecs!.map((w) => w.name)).toEqual(['dense_' + (m.layers[1] as nr.Layer).name.split('_')[1] + '/kernel', (m.layers[1] as nr.Layer).name + '/bias', ...(inner.layers.map((l) => l.name)).flatMap((n, i) => (i === 0 ? [`${n}/kernel`, `${n}/bias`] : [`${n}/gamma`, `${n}/beta`, `${n}/moving_mean`, `${n}/moving_variance`]))]);
    const l = await roundTrip(m, [3]);
    expect(l.layers[0]).toBeInstanceOf(nr.Sequential);
    expect((l.layers[0] as Seq).trainable).toBe(false);
    disposeAll(l);
    disposeAll(m);
  });
});

describe('autoencoders, perceptrons, RBF networks', () => {
  it('an autoencoder loads as an Autoencoder, whose encode/decode give the same codes', async () => {
    const encoder = nr.sequential({ name: 'enc', layers: [layers.dense({ inputShape: [6], units: 3, activation: 'sigmoid' })] });
    const decoder = nr.sequential({ name: 'dec', layers: [layers.dense({ units: 6, activation: 'sigmoid' })] });
    const ae = nr.autoencoder({ encoder, decoder, seed: 9 });
    const l = await roundTrip(ae, [6]);
    expect(l).toBeInstanceOf(nr.Autoencoder);
    const x = nr.tensor(normals(5)(12), [2, 6]);
    const [c1, c2] = [ae.encode(x), (l as nr.Autoencoder).encode(x)];
    expect(bits(c2)).toEqual(bits(c1));
    expect(nr.Autoencoder.fromConfig(ae.getConfig())).toBeInstanceOf(nr.Autoencoder);
    [x, c1, c2].forEach((t) => t.dispose());
    disposeAll(l);
    [ae, encoder, decoder].forEach((m) => m.dispose());
  });

  it('an autoencoder of two single layers round-trips too', async () => {
    const ae = nr.autoencoder({ encoder: layers.dense({ inputShape: [4], units: 2, activation: 'relu' }), decoder: layers.dense({ units: 4 }), seed: 2 });
    const l = await roundTrip(ae, [4]);
    expect(l).toBeInstanceOf(nr.Autoencoder);
    expect((l as nr.Autoencoder).encoder).toBeInstanceOf(nr.Dense);
    [l, ae].forEach((m) => m.dispose());
  });

  it('a perceptron round-trips with its weights, bias and options', async () => {
    const p = nr.perceptron({ inputs: 2, output: 'binary', learningRate: 0.5, threshold: 0.1, seed: 4 });
    p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1], { maxEpochs: 50 });
    const q = await nr.loadModel(await p.toArtifacts());
    expect(q).toBeInstanceOf(nr.Perceptron);
    const pq = q as nr.Perceptron;
    expect(pq.getConfig()).toEqual(p.getConfig());
    expect(pq.weights).toEqual(p.weights);
    expect(pq.bias).toBe(p.bias);
    expect(Array.from(nr.tidy(() => (pq.predict([[0, 0], [1, 1], [0.5, 0.7]]) as nr.Tensor).data()))).toEqual(Array.from(nr.tidy(() => (p.predict([[0, 0], [1, 1], [0.5, 0.7]]) as nr.Tensor).data())));
    [p, pq].forEach((x) => x.dispose());
  });

  it('an RBF network round-trips fitted (predictions bit-identical) and unfitted', async () => {
    const x = nr.tensor(normals(6)(40 * 2), [40, 2]);
    const y = nr.tidy(() => x.square().sum(1, true));
    const net = nr.rbfNetwork({ centers: 5, seed: 2, widthScale: 1.5 });
    await net.fit(x, y);
    const l = await nr.loadModel(await net.toArtifacts());
    expect(l).toBeInstanceOf(nr.RBFNetwork);
    const ln = l as nr.RBFNetwork;
    expect(ln.getConfig()).toEqual(net.getConfig());
    const [p1, p2] = [net.predict(x), ln.predict(x)];
    expect(bits(p2)).toEqual(bits(p1));
    const empty = nr.rbfNetwork({ centers: 3 });
    const le = (await nr.loadModel(await empty.toArtifacts())) as nr.RBFNetwork;
    expect(le.getConfig()).toEqual(empty.getConfig());
    expect(() => le.model).toThrow(/call fit/);
    [x, y, p1, p2].forEach((t) => t.dispose());
    [net, ln, empty, le].forEach((n) => n.dispose());
  });

  it('an RBF network whose config and model disagree, or whose width is 0, is refused, nothing left allocated; a negative width loads', async () => {
    const x = nr.tensor(normals(9)(40 * 2), [40, 2]);
    const y = nr.tidy(() => x.sum(1, true));
    const net = nr.rbfNetwork({ centers: 5, seed: 1 });
    await net.fit(x, y);
    const good = await net.toArtifacts();
    const edit = (f: (a: nr.ModelArtifacts) => void): nr.ModelArtifacts => {
      const a = { ...good, modelTopology: JSON.parse(JSON.stringify(good.modelTopology)), weightData: (good.weightData as ArrayBuffer).slice(0) };
      f(a);
      return a;
    };
    const cfg = (a: nr.ModelArtifacts) => (a.modelTopology as { config: Record<string, unknown> }).config;
    const inner = (a: nr.ModelArtifacts) => ((cfg(a).model as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config);
    const before = nr.memory().numHandles;
    await expect(nr.loadModel(edit((a) => { cfg(a).centers = 6; }))).rejects.toThrow(/^loadModel: modelTopology\.config\.model\.config\.layers\[0\]\.config\.units is 5 but modelTopology\.config\.centers is 6/);
    await expect(nr.loadModel(edit((a) => { cfg(a).kernel = 'multiquadric'; }))).rejects.toThrow(/\.kernel is "gaussian" but modelTopology\.config\.kernel is "multiquadric"/);
    await expect(nr.loadModel(edit((a) => { inner(a).kernel = 'multiquadric'; }))).rejects.toThrow(/\.kernel is "multiquadric" but modelTopology\.config\.kernel is "gaussian"/);
    // The weights are centers [5, 2], widths [5], kernel [5, 1], bias [1]: widths start at value 10.
    const zeroWidth = edit((a) => { new Float32Array(a.weightData as ArrayBuffer)[12] = 0; });
    await expect(nr.loadModel(zeroWidth)).rejects.toThrow(/widths` of layer 0\) holds 0 at flat index 2; it must be != 0 \(a width enters squared\)/);
    // A width that training took through 0 (a tester's fit ended at -0.00043, and the saved
    // model did not load): it enters squared, so it loads and predicts as its absolute value.
    const negative = edit((a) => { const w = new Float32Array(a.weightData as ArrayBuffer); w[12] = -w[12]; });
    const back = (await nr.loadModel(negative)) as nr.RBFNetwork;
    const [want, got] = [net.predict(x), back.predict(x)];
    expect(bits(got)).toEqual(bits(want));
    nr.dispose([want, got, back]);
    expect(nr.memory().numHandles).toBe(before);
    // The same rule for setWeights, on a layer and on batch normalization's moving variance.
    const m = nr.sequential({ layers: [nr.layers.rbf({ inputShape: [2], units: 3 }), nr.layers.batchNormalization()] });
    m.build();
    const ws = m.getWeights();
    const zero = nr.zeros([3]);
    expect(() => m.setWeights([ws[0], zero, ...ws.slice(2)])).toThrow(/^setWeights: weight 1 \(`widths` of layer 0\) holds 0 at flat index 0; it must be != 0 \(a width enters squared\)$/);
    const neg = nr.tensor([1, -0.5, 1]);
    expect(() => m.setWeights([...ws.slice(0, 5), neg])).toThrow(/^setWeights: weight 5 \(`moving_variance` of layer 1\) holds -0\.5 at flat index 1; it must be >= 0$/);
    [x, y, zero, neg, ...ws].forEach((t) => t.dispose());
    [net, m].forEach((n) => n.dispose());
  });
});

describe("loadLayersModel (TF.js's name): a Keras model typed as a Sequential", () => {
  it('loads a sequential, a graph model with two inputs and an autoencoder; a perceptron or an RBF network is an error naming it, nothing left allocated', async () => {
    const a = nr.input({ shape: [3], name: 'a' });
    const b = nr.input({ shape: [2], name: 'b' });
    const h = layers.dense({ units: 4, activation: 'relu', name: 'h' }).apply(layers.concatenate().apply([a, b]) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const g = nr.model({ inputs: [a, b], outputs: [layers.dense({ units: 1, name: 'p' }).apply(h) as nr.SymbolicTensor, layers.dense({ units: 2, name: 'q' }).apply(h) as nr.SymbolicTensor] });
    const loaded = await nr.loadLayersModel(await g.toArtifacts());
    expect(loaded).toBeInstanceOf(nr.Sequential);
    const [xa, xb] = [nr.tensor(normals(7)(6), [2, 3]), nr.tensor(normals(8)(4), [2, 2])];
    // The list form type-checks on the result with no narrowing (this file is type-checked).
    const [p1, q1] = loaded.predict<nr.Tensor[]>([xa, xb]);
    const [p0, q0] = g.predict<nr.Tensor[]>([xa, xb]);
    expect([bits(p1), bits(q1)]).toEqual([bits(p0), bits(q0)]);
    const ae = nr.autoencoder({ encoder: layers.dense({ inputShape: [4], units: 2 }), decoder: layers.dense({ units: 4 }), seed: 1 });
    const la = await nr.loadLayersModel(await ae.toArtifacts());
    expect(la).toBeInstanceOf(nr.Autoencoder);
    [xa, xb, p1, q1, p0, q0].forEach((t) => t.dispose());
    [g, loaded, ae, la].forEach((m) => m.dispose());

    const before = nr.memory().numHandles;
    const p = nr.perceptron({ inputs: 2, seed: 1 });
    const net = nr.rbfNetwork({ centers: 3 });
    await expect(nr.loadLayersModel(await p.toArtifacts())).rejects.toThrow(/^loadLayersModel: the file holds a neurite Perceptron, not a layers model; load it with loadModel$/);
    await expect(nr.loadLayersModel(await net.toArtifacts())).rejects.toThrow(/holds a neurite RBFNetwork/);
    await expect(nr.loadLayersModel({ modelTopology: {} } as nr.ModelArtifacts)).rejects.toThrow(nr.InvalidArgumentError);
    [p, net].forEach((m) => m.dispose());
    expect(nr.memory().numHandles).toBe(before);
  });
});

describe('handlers and save results', () => {
  it('model.save hands the artifacts to a handler and returns its SaveResult; loadModel takes a { load } handler', async () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2 })] });
    let stored: nr.ModelArtifacts | undefined;
    const r = await m.save({ async save(a) { stored = a; return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON', weightDataBytes: (a.weightData as ArrayBuffer).byteLength } }; } });
    expect(r.modelArtifactsInfo.weightDataBytes).toBe(24);
    expect(stored!.format).toBe('layers-model');
    const l = (await nr.loadModel({ load: async () => stored! })) as Seq;
    expect(l.getConfig()).toEqual(m.getConfig());
    [m, l].forEach((x) => x.dispose());
  });

  it('a bad save target or option is an InvalidArgumentError', async () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2 })] });
    // (The message comes from ts/io/router.ts, which the storage handlers replace: only its start is checked.)
    await expect(m.save(42 as never)).rejects.toThrow(/^save: .*42/);
    await expect(m.save({ load: async () => ({}) } as never)).rejects.toThrow(nr.InvalidArgumentError);
    await expect(m.toArtifacts({ includeOptimiser: true } as never)).rejects.toThrow("toArtifacts: unknown option 'includeOptimiser' — did you mean 'includeOptimizer'? (known: includeOptimizer)");
    m.dispose();
  });
});

describe("includeOptimizer: the training state travels as optimizer weights (TF.js's form when TF.js has the optimizer) and JSON", () => {
  const data = () => [nr.randomUniform([40, 3], { seed: 1 }), nr.randomUniform([40, 2], { seed: 2 })];
  const make = (optimizer: nr.Optimizer | nr.OptimizerName = nr.optimizers.adam({ learningRate: 0.01 })): Seq => {
    const m = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), layers.dense({ units: 2 })] });
    m.compile({ optimizer, loss: 'mse' });
    return m;
  };
  const hex = (m: Seq): string => m.getWeights().map((w) => { const h = Buffer.from(w.data().buffer).toString('hex'); w.dispose(); return h; }).join('');

  it("saves the slots after the model weights in TF.js's form (iter, then each slot of every weight) with trainingConfig; the loaded model resumes bit-identically", async () => {
    const [x, y] = data();
    const ref = make();
    await ref.fit(x, y, { epochs: 3, batchSize: 8, seed: 4, verbose: 0 });
    const m = make();
    await m.fit(x, y, { epochs: 2, batchSize: 8, seed: 4, verbose: 0 });
    const a = await m.toArtifacts({ includeOptimizer: true });
    const opt = a.weightSpecs!.slice(4);
    expect(a.weightSpecs!.slice(0, 4).every((w) => w.group === undefined || w.group === 'model')).toBe(true);
    expect(opt.map((w) => w.group)).toEqual(Array(9).fill('optimizer'));
    expect(opt[0]).toEqual({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
    expect(new DataView(a.weightData as ArrayBuffer).getInt32(4 * (12 + 4 + 8 + 2), true)).toBe(10);
    const names = a.weightSpecs!.slice(0, 4).map((w) => w.name);
    expect(opt.slice(1).map((w) => w.name)).toEqual([...names.map((n) => `${n}/m`), ...names.map((n) => `${n}/v`)]);
    expect(a.trainingConfig).toMatchObject({ loss: 'mean_squared_error', optimizer_config: { class_name: 'Adam' } });
    expect((a.userDefinedMetadata as { neurite: { training: { step: number } } }).neurite.training.step).toBe(10);
    // An optimizer TF.js cannot represent (a schedule) keeps neurite's form: optimizer/<weight>/<slot>, weight by weight, and no trainingConfig.
    const s = make(nr.optimizers.adam({ learningRate: nr.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 5, decayRate: 0.5 }) }));
    await s.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const b = await s.toArtifacts({ includeOptimizer: true });
    expect(b.trainingConfig).toBeUndefined();
    expect(b.weightSpecs!.slice(4).map((w) => w.name.split('/').slice(-2).join('/'))).toEqual(['kernel/m', 'kernel/v', 'bias/m', 'bias/v', 'kernel/m', 'kernel/v', 'bias/m', 'bias/v']);
    expect(b.weightSpecs!.slice(4).every((w) => w.name.startsWith('optimizer/'))).toBe(true);
    s.dispose();
    // So does a layer frozen after training: its weights' slots are not fresh, and TF.js's form
    // (slots of trainable weights only) would lose them for neurite's exact resume.
    const f = make();
    await f.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    f.layers[0].trainable = false;
    const fa = await f.toArtifacts({ includeOptimizer: true });
    expect(fa.trainingConfig).toBeUndefined();
    expect(fa.weightSpecs!.filter((w) => w.group === 'optimizer').every((w) => w.name.startsWith('optimizer/'))).toBe(true);
    f.dispose();
    const l = (await nr.loadModel(a)) as Seq;
    await l.fit(x, y, { epochs: 3, initialEpoch: 2, batchSize: 8, seed: 4, verbose: 0 });
    expect(hex(l)).toBe(hex(ref));
    // Without the optimizer, the resumed run starts Adam afresh: other bits (so the check can fail).
    const fresh = (await nr.loadModel(await m.toArtifacts())) as Seq;
    fresh.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    await fresh.fit(x, y, { epochs: 3, initialEpoch: 2, batchSize: 8, seed: 4, verbose: 0 });
    expect(hex(fresh)).not.toBe(hex(ref));
    [x, y, ref, m, l, fresh].forEach((t) => t.dispose());
  });

  it("TF.js's int32 step counter holds steps past float32's 2^24 exactly, and the model loads back at that step", async () => {
    const m = make();
    const [x, y] = data();
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const step = 2 ** 24 + 3;
    nr.importTrainingState(m, { ...nr.exportTrainingState(m), step });
    const a = await m.toArtifacts({ includeOptimizer: true });
    const at = a.weightSpecs!.findIndex((w) => w.name === 'iter');
    const offset = a.weightSpecs!.slice(0, at).reduce((n, w) => n + 4 * w.shape.reduce((p, d) => p * d, 1), 0);
    expect(new DataView(a.weightData as ArrayBuffer).getInt32(offset, true)).toBe(step);
    const l = (await nr.loadModel(a)) as Seq;
    expect(nr.exportTrainingState(l).step).toBe(step);
    [x, y, m, l].forEach((t) => t.dispose());
  });

  it('an import that fails names the field and frees the model it was loading', async () => {
    const m = make();
    const [x, y] = data();
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const a = await m.toArtifacts({ includeOptimizer: true });
    // The file says SGD with momentum while its slots are Adam's m and v.
    const meta = JSON.parse(JSON.stringify(a.userDefinedMetadata)) as { neurite: { training: { optimizer: Record<string, unknown> } } };
    meta.neurite.training.optimizer = { ...meta.neurite.training.optimizer, name: 'sgd', momentum: 0.9 };
    const before = nr.memory();
    // The record matches the file (nothing but the record was edited): a real mismatch, an error that says how to load the weights alone.
    await expect(nr.loadModel({ ...a, userDefinedMetadata: meta })).rejects.toThrow(/^loadModel: .*state\.optimizer is "sgd" but model .* is compiled with adam.* \(load with \{ compile: false \} to load the weights alone\)$/);
    // So is a training state of a format this version does not read.
    const v2 = JSON.parse(JSON.stringify(a.userDefinedMetadata)) as { neurite: { training: { extra: Record<string, unknown> } } };
    v2.neurite.training.extra.formatVersion = 2;
    await expect(nr.loadModel({ ...a, userDefinedMetadata: v2 })).rejects.toThrow(/state\.extra\.formatVersion must be 1 \(this version of neurite reads only that\), got 2 \(load with \{ compile: false \} to load the weights alone\)$/);
    const w = (await nr.loadModel({ ...a, userDefinedMetadata: v2 }, { compile: false })) as Seq;
    expect(hex(w)).toBe(hex(m));
    w.dispose();
    expect(nr.memory().numTensors).toBe(before.numTensors);
    expect(nr.memory().numHandles).toBe(before.numHandles);
    [x, y, m].forEach((t) => t.dispose());
  });

  it('compile: false loads the model alone (the state skipped); a non-finite slot is an error that allowNonFinite does not lift and that names compile: false', async () => {
    const [x, y] = data();
    const m = make();
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const a = await m.toArtifacts({ includeOptimizer: true });
    const l = (await nr.loadModel(a, { compile: false })) as Seq;
    expect(hex(l)).toBe(hex(m));
    expect(() => l.compiledInfo('x')).toThrow(/must be compiled/);
    l.dispose();
    const slot = a.weightSpecs!.findIndex((w) => w.group === 'optimizer' && w.name !== 'iter');
    const b = clone(a);
    new Float32Array(b.weightData)[4 * 3 + 4 + 4 * 2 + 2 + 1 + 1] = NaN; // in the first slot, after the 4 model weights and iter
    expect(b.weightSpecs![slot].name).toMatch(/\/kernel\/m$/);
    const msg = `loadModel: weight '${b.weightSpecs![slot].name}' (weightSpecs[${slot}]) has a non-finite value NaN at index 1; optimizer state must be finite (allowNonFinite covers the model weights only): load with { compile: false } to skip the state`;
    await expect(nr.loadModel(b)).rejects.toThrow(msg);
    await expect(nr.loadModel(b, { allowNonFinite: true })).rejects.toThrow(msg);
    const w = (await nr.loadModel(b, { compile: false })) as Seq;
    expect(hex(w)).toBe(hex(m));
    // A state without a compile config cannot be restored: the error says how to skip it. (An
    // optimizer TF.js lacks, a schedule: the file has no trainingConfig, and the record still
    // matches the file without its compile part.)
    const s = make(nr.optimizers.adam({ learningRate: nr.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 5, decayRate: 0.5 }) }));
    await s.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const c = clone(await s.toArtifacts({ includeOptimizer: true }));
    s.dispose();
    expect(c.trainingConfig).toBeUndefined();
    delete (c.userDefinedMetadata as { neurite: { compile?: unknown } }).neurite.compile;
    await expect(nr.loadModel(c)).rejects.toThrow('loadModel: userDefinedMetadata.neurite.training is present but the file has no compile config: the optimizer state needs the optimizer (load with { compile: false } to skip the state)');
    [x, y, m, w].forEach((t) => t.dispose());
  });

  it("the record is used only with the file it was written with (its fingerprint 'wrote'); without one it is set aside with one warning", async () => {
    const [x, y] = data();
    const m = make();
    await m.fit(x, y, { epochs: 2, batchSize: 8, seed: 4, verbose: 0 });
    const a = await m.toArtifacts({ includeOptimizer: true });
    expect((a.userDefinedMetadata as { neurite: { wrote: string } }).neurite.wrote).toMatch(/^[0-9a-f]{8}$/);
    // The same fingerprint for the same trainingConfig with its keys in another order.
    const b = clone(a);
    b.trainingConfig = Object.fromEntries(Object.entries(b.trainingConfig).reverse());
    const warned: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((msg: unknown) => void warned.push(String(msg)));
    try {
      const same = (await nr.loadModel(b)) as Seq;
      expect(warned).toEqual([]);
      expect(nr.exportTrainingState(same).extra).toEqual(nr.exportTrainingState(m).extra);
      same.dispose();
      // Another learning rate in trainingConfig: the file is compiled as it says.
      const c = clone(a);
      c.trainingConfig.optimizer_config.config.learningRate = 0.5;
      const other = (await nr.loadModel(c)) as Seq;
      expect(other.compiledInfo('t').optimizer.getConfig()).toMatchObject({ name: 'adam', learningRate: 0.5 });
      expect(nr.exportTrainingState(other).step).toBe(10); // from TF.js's iter
      expect(nr.exportTrainingState(other).extra.epochsCompleted).toBeUndefined(); // not from the record
      other.dispose();
      // A record without a fingerprint (an older neurite's) is set aside too.
      const d = clone(a);
      delete d.userDefinedMetadata.neurite.wrote;
      (await nr.loadModel(d)).dispose();
      expect(warned).toHaveLength(2);
      expect(warned[1]).toMatch(/^loadModel: userDefinedMetadata\.neurite \(neurite's compile and training record\) has no fingerprint \(an older neurite wrote it\): /);
      // compile: false never looks at the record.
      (await nr.loadModel(d, { compile: false })).dispose();
      expect(warned).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
    [x, y, m].forEach((t) => t.dispose());
  });

  it('needs a compiled model', async () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2 })] });
    await expect(m.toArtifacts({ includeOptimizer: true })).rejects.toThrow(/includeOptimizer needs a compiled model/);
    m.dispose();
  });
});

/** A valid small model file to mutate. */
async function sample(): Promise<nr.ModelArtifacts> {
  const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), layers.batchNormalization(), layers.dense({ units: 2 })] });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const a = await m.toArtifacts();
  m.dispose();
  return a;
}

// `any`: a file to mutate freely.
const clone = (a: nr.ModelArtifacts): any => ({ ...JSON.parse(JSON.stringify({ ...a, weightData: null })), weightData: (a.weightData as ArrayBuffer).slice(0) });

describe('the error catalogue: every bad file is an InvalidArgumentError naming the field, nothing left allocated', () => {
  const cases: Array<[string, (a: ReturnType<typeof clone>) => unknown, string | RegExp]> = [
    ['not an object', () => 42, 'loadModel: expected model artifacts { modelTopology, weightSpecs, weightData }, a handler with load(), or a URL, got 42'],
    ['wrong format', (a) => ({ ...a, format: 'graph-model' }), "loadModel: format must be 'layers-model', got \"graph-model\" (TF.js graph models are not supported: save the Keras model in the Layers format)"],
    ['a JSON that is not a model', () => ({ hello: 'world' }), /^loadModel: got an object \(Object\) with the key hello, which is neither model artifacts \(it has no modelTopology\) nor an IOHandler \(it has no load\(\)\)/],
    ['a topology that is not a model', (a) => ({ ...a, modelTopology: { class_name: 'Dense', config: {} } }), "loadModel: modelTopology.class_name 'Dense' is a model class neurite does not support; supported: Sequential, Model, Functional, neurite>Perceptron, neurite>RBFNetwork"],
    ['layers is not a list', (a) => ((a.modelTopology.config.layers = 'x'), a), 'loadModel: modelTopology.config.layers must be an array of layer configs, got the string "x"'],
    ['a bad layer option', (a) => ((a.modelTopology.config.layers[0].config.units = -4), a), 'loadModel: modelTopology.config.layers[0].config.units must be a positive integer, got -4'],
    ['a layer option its constructor rejects', (a) => ((a.modelTopology.config.layers[1].config.momentum = 2), a), /^loadModel: modelTopology\.config\.layers\[1\]: batchNormalization: momentum must be a number in \[0, 1\], got 2$/],
    ['an unknown activation', (a) => ((a.modelTopology.config.layers[0].config.activation = 'swiglu'), a), /^loadModel: modelTopology\.config\.layers\[0\]\.config\.activation is an activation neurite does not support: "swiglu"; supported: linear, relu/],
    ['a misspelt key, its key missing', (a) => { const c = a.modelTopology.config.layers[0].config; c.actiration = c.activation; delete c.activation; return a; }, /^loadModel: modelTopology\.config\.layers\[0\]\.config\.actiration is not a key of a Dense config, and 'activation' is missing: a misspelt or damaged 'activation'\? \(it would load with its default\)$/],
    ['a misspelt key of a layer inside a nested model', (a) => ({ ...a, modelTopology: { class_name: 'Sequential', config: { name: 'outer', layers: [{ ...a.modelTopology, config: { ...a.modelTopology.config, layers: a.modelTopology.config.layers.map((l: { class_name: string; config: Record<string, unknown> }, i: number) => (i === 2 ? { ...l, config: { ...l.config, use_bais: l.config.use_bias, use_bias: undefined } } : l)) } }] } } }), /^loadModel: modelTopology\.config\.layers\[0\]\.config\.layers\[2\]\.config\.use_bais is not a key of a Dense config, and 'use_bias' is missing/],
    ['a constraint neurite does not have', (a) => ((a.modelTopology.config.layers[0].config.kernel_constraint = { class_name: 'RadialConstraint', config: {} }), a), /^loadModel: modelTopology\.config\.layers\[0\]\.config\.kernel_constraint\.class_name 'RadialConstraint' is a constraint neurite does not support/],
    ['a missing weight', (a) => ({ ...a, weightSpecs: a.weightSpecs.slice(0, -1), weightData: a.weightData.slice(0, -16) }), /^loadModel: weightSpecs has no weight 'batchNormalization_\d+\/moving_variance' \(the layer at modelTopology\.config\.layers\[1\] needs it, shape \[4\]\); pass \{ strict: false \} to load the weights the file has and draw the others$/],
    ["Keras 3's variable paths (the model's name first)", (a) => ({ ...a, weightSpecs: a.weightSpecs.map((w: { name: string }) => ({ ...w, name: `sequential/${w.name}` })) }), /^loadModel: weightSpecs has no weight '(\w+)\/kernel'; it has 'sequential\/\1\/kernel', a Keras 3 variable path: name the weights '<layer>\/<weight>' as TF\.js does \('\1\/kernel'\) \(the layer at modelTopology\.config\.layers\[0\] needs it/],
    ['an extra weight', (a) => ({ ...a, weightSpecs: [...a.weightSpecs, { name: 'extra/kernel', shape: [1], dtype: 'float32' }], weightData: concat(a.weightData, 4) }), /^loadModel: weightSpecs\[8\]\.name 'extra\/kernel' is not a weight of this model \(its weights: dense_\d+\/kernel, /],
    ['weightData too short', (a) => ({ ...a, weightData: a.weightData.slice(0, 100) }), /^loadModel: weightData is too short: weightSpecs\[\d\] \('[^']+', shape \[\d+(,\d+)?\]\) ends at byte \d+, but weightData has 100 bytes$/],
    // eslint-disable-next-line no-sparse-arrays
    ['a hole in a weightData list', (a) => ({ ...a, weightData: [a.weightData.slice(0, 8), , a.weightData.slice(8)] }), 'loadModel: weightData[1] must be an ArrayBuffer, got undefined'],
    ['a detached weightData', (a) => (structuredClone(a.weightData, { transfer: [a.weightData] }), a), 'loadModel: weightData is a detached ArrayBuffer (it was transferred, by postMessage or structuredClone with transfer, and holds nothing here any more)'],
    ['a detached buffer in a weightData list', (a) => {
      const gone = a.weightData.slice(8);
      structuredClone(gone, { transfer: [gone] });
      return { ...a, weightData: [a.weightData.slice(0, 8), gone] };
    }, /^loadModel: weightData\[1\] is a detached ArrayBuffer/],
    ['weightData too long', (a) => ({ ...a, weightData: concat(a.weightData, 3) }), /^loadModel: weightData is too long: weightSpecs describe \d+ bytes \(\d+ float32 values\), but weightData has \d+ bytes$/],
    ['a shape that does not fit the topology', (a) => ((a.weightSpecs[0].shape = [4, 3]), a), /^loadModel: weightSpecs\[0\]\.shape of 'dense_\d+\/kernel' is \[4,3\], but the topology needs \[3,4\]$/],
    ['a NaN weight', (a) => (new Float32Array(a.weightData)[5] = NaN, a), /^loadModel: weight 'dense_\d+\/kernel' \(weightSpecs\[0\]\) has a non-finite value NaN at index 5; pass \{ allowNonFinite: true \} to load it anyway$/],
    ['an infinite weight', (a) => (new Float32Array(a.weightData)[13] = -Infinity, a), /has a non-finite value -Infinity at index 1;/],
    ['a 10 GB claimed size', (a) => ((a.weightSpecs[0].shape = [50000, 50000]), a), /^loadModel: weightSpecs\[0\]\.shape of 'dense_\d+\/kernel' is \[50000,50000\]: 2500000000 values, more than the 536870911 one tensor can hold$/],
    ['10 GB over many entries', (a) => ({ ...a, weightSpecs: Array.from({ length: 10 }, (_, i) => ({ name: `w${i}`, shape: [1 << 28], dtype: 'float32' })) }), /^loadModel: weightData is too short: weightSpecs\[0\] \('w0', shape \[268435456\]\) ends at byte 1073741824, but weightData has \d+ bytes$/],
    ['a huge layer in the topology', (a) => ((a.modelTopology.config.layers[0].config.batch_input_shape = [null, 400000]), (a.modelTopology.config.layers[0].config.units = 4000), a), /^loadModel: modelTopology\.config\.layers\[0\]: weight 'dense_\d+\/kernel' would have shape \[400000,4000\] \(1600000000 values\), more than the 536870911 one tensor can hold$/],
    ['an int32 weight', (a) => ((a.weightSpecs[1].dtype = 'int32'), a), /^loadModel: weightSpecs\[1\]\.dtype of 'dense_\d+\/bias' must be 'float32', got the string "int32"$/],
    // Quantized weights load (test/io-quantized.test.ts); bytes for float32 ones do not fit them.
    ['a quantized weight whose bytes are float32', (a) => ((a.weightSpecs[1].quantization = { dtype: 'uint8', scale: 1, min: 0 }), a), /^loadModel: weightData is too long: weightSpecs describe \d+ bytes \(\d+ values, some quantized\), but weightData has \d+ bytes$/],
    ['a quantization neither TF.js nor neurite has', (a) => ((a.weightSpecs[1].quantization = { dtype: 'int4' }), a), /^loadModel: weightSpecs\[1\]\.quantization of 'dense_\d+\/bias' has dtype the string "int4"; the quantized dtypes are 'uint8', 'uint16' and 'float16' \(as TF\.js's\)$/],
    ['a duplicate weight name', (a) => ((a.weightSpecs[1].name = a.weightSpecs[0].name), a), /^loadModel: weightSpecs\[1\]\.name 'dense_\d+\/kernel' appears twice in the manifest$/],
    ['no input shape', (a) => (delete a.modelTopology.config.layers[0].config.batch_input_shape, a), 'loadModel: modelTopology has no input shape: the first layer needs batch_input_shape to give its weights a shape'],
    ['duplicate layer names', (a) => ((a.modelTopology.config.layers[2].config.name = a.modelTopology.config.layers[0].config.name), a), /^loadModel: the name 'dense_\d+' is used twice \(modelTopology\.config\.layers\[0\] and modelTopology\.config\.layers\[2\]\)/],
    ['an unknown optimizer', (a) => (delete a.userDefinedMetadata.neurite, (a.trainingConfig.optimizer_config.class_name = 'Nadam'), a), "loadModel: trainingConfig.optimizer_config.class_name 'Nadam' is an optimizer neurite does not support; supported: SGD, Momentum, Adam, RMSProp, Adagrad, Adamax, Adadelta (or load with { compile: false })"],
    ['an unknown loss', (a) => ((a.userDefinedMetadata.neurite.compile.loss = 'binaryFocalCrossentropy'), a), /^loadModel: userDefinedMetadata\.neurite\.compile: compile: unknown loss 'binaryFocalCrossentropy'/],
    ['a functional model without layers', (a) => ({ ...a, modelTopology: { class_name: 'Model', config: {} } }), 'loadModel: modelTopology.config.layers must be an array of layer configs, got undefined'],
    // Models nested 20,000 deep overflow the recursive checks: said so, not "malformed". (A
    // chain of thousands of layers loads: test/model-graph-scale.test.ts.)
    ['models nested far deeper than real ones', () => {
      let m: object = { class_name: 'Activation', config: { name: 'a', activation: 'linear', batch_input_shape: [null, 4] } };
      for (let i = 0; i < 20000; i++) m = { class_name: 'Sequential', config: { name: `s${i}`, layers: [m] } };
      return { modelTopology: m, format: 'layers-model', weightSpecs: [], weightData: new ArrayBuffer(0) };
    }, /^loadModel: modelTopology is nested or chained too deeply to load \(Maximum call stack size exceeded\); real models have at most a few hundred levels$/],
  ];
  for (const [name, mutate, msg] of cases) {
    it(name, async () => {
      const a = clone(await sample());
      const before = nr.memory();
      const err = await nr.loadModel(mutate(a) as nr.ModelArtifacts).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(nr.InvalidArgumentError);
      if (typeof msg === 'string') expect((err as Error).message).toBe(msg);
      else expect((err as Error).message).toMatch(msg);
      const after = nr.memory();
      expect([after.numTensors, after.numHandles]).toEqual([before.numTensors, before.numHandles]);
    });
  }

  it('a failure inside the core while building (rbf centers of the wrong width) frees everything made', async () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 2 }), layers.rbf({ units: 2, centers: [[0, 1], [1, 0]] })] });
    const a = clone(await m.toArtifacts());
    m.dispose();
    a.modelTopology.config.layers[1].config.centers = [0, 1, 2, 1, 0, 2]; // 2 units × 3 inputs, but the input has 2
    const before = nr.memory();
    const err = await nr.loadModel(a).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(nr.NeuriteError);
    expect((err as Error).message).toBe('loadModel: building modelTopology: rbf: centers has 6 values but 2 units × 2 input features need 4');
    const after = nr.memory();
    expect([after.numTensors, after.numHandles]).toEqual([before.numTensors, before.numHandles]);
  });

  it('weightData may be a view, a list of buffers (TF.js 4.x), or a buffer from another realm', async () => {
    const a = await sample();
    const data = new Uint8Array(a.weightData as ArrayBuffer);
    const { runInNewContext } = await import('node:vm');
    const foreign = runInNewContext('new ArrayBuffer(n)', { n: data.length }) as ArrayBuffer;
    expect(foreign instanceof ArrayBuffer).toBe(false);
    new Uint8Array(foreign).set(data);
    const forms: unknown[] = [data, new DataView(data.buffer), [data.slice(0, 16).buffer, data.slice(16).buffer], foreign];
    const want = (await nr.loadModel(a)) as Seq;
    const x = nr.tensor([[1, 2, 3]]);
    for (const weightData of forms) {
      const m = (await nr.loadModel({ ...a, weightData: weightData as ArrayBuffer })) as Seq;
      expect(nr.tidy(() => bits(m.predict(x)))).toEqual(nr.tidy(() => bits(want.predict(x))));
      m.dispose();
    }
    [x, want].forEach((d) => d.dispose());
  });

  it('allowNonFinite loads NaN weights with a warning naming them; compile: false skips the compile config', async () => {
    const a = clone(await sample());
    new Float32Array(a.weightData)[0] = NaN;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    a.trainingConfig.optimizer_config.class_name = 'Adamax';
    delete a.userDefinedMetadata.neurite;
    const m = (await nr.loadModel(a, { allowNonFinite: true, compile: false })) as Seq;
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^loadModel: weights with NaN or infinite values: dense_\d+\/kernel$/));
    warn.mockRestore();
    expect(() => m.compiledInfo('x')).toThrow(/must be compiled/);
    m.dispose();
    await expect(nr.loadModel(a, { strictly: true } as never)).rejects.toThrow("loadModel: unknown option 'strictly' — did you mean 'strict'? (known: compile, allowNonFinite, strict, onProgress, requestInit, fetchFunc, weightPathPrefix)");
    await expect(nr.loadModel(a, { allowNonFinit: true } as never)).rejects.toThrow("loadModel: unknown option 'allowNonFinit' — did you mean 'allowNonFinite'? (known: compile, allowNonFinite, strict, onProgress, requestInit, fetchFunc, weightPathPrefix)");
  });
});

describe('versions', () => {
  it("generatedBy and keras_version name this package's version", async () => {
    const { readFileSync } = await import('node:fs');
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [1], units: 1 })] });
    const a = await m.toArtifacts();
    expect([a.generatedBy, (a.modelTopology as nr.ModelConfig).keras_version]).toEqual([`neurite ${version}`, `neurite ${version}`]);
    m.dispose();
  });
});

describe('loadModel arguments', () => {
  it('rejects bad sources and options with an InvalidArgumentError naming loadModel', async () => {
    const bad: Array<[unknown, unknown, RegExp]> = [
      [undefined, undefined, /^loadModel: expected model artifacts .*, got undefined$/],
      [null, undefined, /^loadModel: expected model artifacts .*, got null$/],
      ['file://does-not-exist/x', undefined, /^loadModel\b/], // no handler in this build, or no such file with one
      [{ load: 'no' }, undefined, /^loadModel: source.load must be a function \(an IOHandler's load, returning the artifacts\), got the string "no"$/],
      [[], undefined, /^loadModel: expected model artifacts .*, got an array of length 0$/],
      [{ load: async () => 5 }, undefined, /^loadModel: the handler's load\(\) returned 5; expected model artifacts /],
      [{}, null, /^loadModel: options must be an object like \{ compile: false \}, got null$/],
      [{}, { compile: 1 }, /^loadModel: compile must be true or false, got 1$/],
      [{}, { allowNonFinite: 'yes' }, /^loadModel: allowNonFinite must be true or false, got the string "yes"$/],
    ];
    for (const [source, options, msg] of bad) {
      const err = await nr.loadModel(source as never, options as never).then(() => null, (e: unknown) => e);
      expect(err, String(msg)).toBeInstanceOf(nr.InvalidArgumentError);
      expect((err as Error).message).toMatch(msg);
    }
  });
});

function concat(b: ArrayBuffer, extra: number): ArrayBuffer {
  const out = new Uint8Array(b.byteLength + extra);
  out.set(new Uint8Array(b));
  return out.buffer;
}
