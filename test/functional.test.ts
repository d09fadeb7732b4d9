// The functional API (input, layer.apply, model) and the merge layers, against TF.js's
// tf.input / tf.model built from the same code: values (bit for bit where TF.js's kernels are
// exact), gradients through predict, and training (same initial weights, optimizer and
// batches), plus errors, nesting, sharing and memory.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { bits, close, copyWeights, expectTfjsRoundTrip, rng, tf, tfArtifacts, uniform, nrGraphLib, TF_GRAPH, type GraphLib as Lib } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** What a graph needs from a library: TF.js and neurite spell it the same way. */
const NR = nrGraphLib(11);
const TF = TF_GRAPH;

/** A residual block, a skip connection, a gate and a softmax head: each value read twice. */
function residualNet(L: Lib): any {
  const x = L.input({ shape: [6] });
  const h = L.layers.dense({ units: 5, activation: 'tanh', name: 'h' }).apply(x);
  const f = L.layers.dense({ units: 5, activation: 'relu', name: 'f' }).apply(h);
  const r = L.layers.add({ name: 'r' }).apply([h, f]);
  const c = L.layers.concatenate({ name: 'c' }).apply([r, x]);
  const g = L.layers.dense({ units: 11, activation: 'sigmoid', name: 'g' }).apply(c);
  const m = L.layers.multiply({ name: 'm' }).apply([g, c]);
  const o = L.layers.dense({ units: 3, activation: 'softmax', name: 'o' }).apply(m);
  return L.model({ inputs: x, outputs: o });
}

/** Two branches and their maximum averaged at the output (a merge output: no fused loss gradient). */
function averagedNet(L: Lib): any {
  const x = L.input({ shape: [4] });
  const a = L.layers.dense({ units: 2, activation: 'tanh', name: 'a' }).apply(x);
  const b = L.layers.dense({ units: 2, name: 'b' }).apply(x);
  const s = L.layers.maximum({ name: 's' }).apply([a, b]);
  return L.model({ inputs: x, outputs: L.layers.average({ name: 'avg' }).apply([a, b, s]) });
}

describe('model({ inputs, outputs }) against tf.model', () => {
  it('predicts as TF.js, and grad through predict is TF.js\'s', () => {
    for (const [build, xShape] of [[residualNet, [7, 6]], [averagedNet, [5, 4]]] as const) {
      const n = residualNet === build ? build(NR) : build(NR);
      const t = build(TF) as tfl.LayersModel;
      try {
        copyWeights(n, t);
        expect(n.outputShape).toEqual(t.outputShape);
        const r = rng(xShape[0]);
        const x = uniform(r, xShape[0] * xShape[1], -2, 2);
        const want = tf.tidy(() => (t.predict(tf.tensor(x, [...xShape])) as tf.Tensor).dataSync());
        close(nr.tidy(() => n.predict(nr.tensor(x, [...xShape])).data()), want, 1e-6, `${build.name}: predict`);
        const outShape = [xShape[0], ...(n.outputShape as number[]).slice(1)];
        const w = uniform(r, outShape[0] * outShape[1], -1, 1);
        const got = expectNoLeak(() => nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor(w, outShape)).sum())(nr.tensor(x, [...xShape])).data()));
        const wantG = tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(t.predict(xt) as tf.Tensor, tf.tensor(w, outShape))))(tf.tensor(x, [...xShape])).dataSync());
        close(got, wantG, 1e-5, `${build.name}: dL/dx`);
        expect(got.some((v) => v !== 0)).toBe(true);
      } finally {
        n.dispose();
        t.dispose();
      }
    }
  });

  it('every merge layer gives TF.js\'s bits and gradients (ties included)', () => {
    // Branches that are exact in both libraries (relu, identity), with values rounded to
    // quarters so that maximum and minimum meet ties. TF.js has no subtract layer (Keras
    // does): its oracle is tf.sub of the same branches. TF.js 4.22's concatenate layer joins
    // along the last axis for every negative axis (its backend's concatenate turns any axis < 0
    // into -1, while its output shape uses the axis given): the oracle of axis -2 is tf.concat.
    const cases: Array<[string, (L: Lib, xs: any[]) => any]> = [
      ['add', (L, xs) => L.layers.add().apply(xs)],
      ['subtract', (L, xs) => L.layers.subtract().apply(xs.slice(0, 2))],
      ['multiply', (L, xs) => L.layers.multiply().apply(xs)],
      ['average', (L, xs) => L.layers.average().apply(xs)],
      ['maximum', (L, xs) => L.layers.maximum().apply(xs)],
      ['minimum', (L, xs) => L.layers.minimum().apply(xs)],
      ['concatenate', (L, xs) => L.layers.concatenate().apply(xs)],
      ['concatenate axis 1', (L, xs) => L.layers.concatenate({ axis: 1 }).apply(xs)],
      ['concatenate axis -2', (L, xs) => L.layers.concatenate({ axis: -2 }).apply(xs.slice(1))],
    ];
    const xShape = [3, 2, 5];
    const r = rng(5);
    const x = uniform(r, 30, -2, 2, 0.25);
    for (const [name, merge] of cases) {
      const graph = (L: Lib): any => {
        const i = L.input({ shape: [2, 5] });
        const a = L.layers.activation({ activation: 'relu' }).apply(i);
        const b = L.layers.activation({ activation: 'linear' }).apply(a);
        return L.model({ inputs: i, outputs: merge(L, [i, a, b]) });
      };
      const n = graph(NR) as nr.Sequential;
      const direct: Record<string, (xt: tf.Tensor) => tf.Tensor> = {
        subtract: (xt) => tf.sub(xt, tf.relu(xt)),
        'concatenate axis -2': (xt) => tf.concat([tf.relu(xt), tf.relu(xt)], -2),
      };
      const t = direct[name] ? null : (graph(TF) as tfl.LayersModel);
      const run = (xt: tf.Tensor): tf.Tensor => (t ? (t.predict(xt) as tf.Tensor) : direct[name](xt));
      try {
        const want = tf.tidy(() => run(tf.tensor(x, xShape)).dataSync());
        const y = nr.tidy(() => n.predict(nr.tensor(x, xShape)).data());
        expect(bits(y), `${name}: values`).toEqual(bits(want));
        const outShape = [3, ...(n.outputShape as number[]).slice(1)];
        const w = uniform(r, outShape.reduce((p, q) => p * q, 1), -1, 1);
        const got = nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor(w, outShape)).sum())(nr.tensor(x, xShape)).data());
        const wantG = tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(run(xt), tf.tensor(w, outShape))))(tf.tensor(x, xShape)).dataSync());
        close(got, wantG, 1e-6, `${name}: dL/dx`);
      } finally {
        n.dispose();
        t?.dispose();
      }
    }
  });

  it('TF.js 4.22\'s concatenate layer joins along the last axis for any negative axis (asserted)', () => {
    const i = tfl.input({ shape: [2, 5] });
    const t = tfl.model({ inputs: i, outputs: tfl.layers.concatenate({ axis: -2 }).apply([i, i]) as tfl.SymbolicTensor });
    try {
      expect(t.outputs[0].shape).toEqual([null, 4, 5]);
      expect(tf.tidy(() => (t.predict(tf.zeros([3, 2, 5])) as tf.Tensor).shape)).toEqual([3, 2, 10]);
    } finally {
      t.dispose();
    }
    const n = nr.input({ shape: [2, 5] });
    const m = nr.model({ inputs: n, outputs: nr.layers.concatenate({ axis: -2 }).apply([n, nr.layers.activation({ activation: 'relu' }).apply(n)]) });
    expect(nr.tidy(() => m.predict(nr.zeros([3, 2, 5])).shape)).toEqual([3, 4, 5]);
    m.dispose();
  });

  it('fit trains as TF.js: same losses and weights (fused softmax head, and a merge output)', async () => {
    const runs: Array<[(L: Lib) => any, number[], number, string, () => [nr.Optimizer, tf.Optimizer]]> = [
      [residualNet, [10, 6], 3, 'categoricalCrossentropy', () => [nr.optimizers.adam({ learningRate: 0.01 }), tf.train.adam(0.01)]],
      [averagedNet, [9, 4], 2, 'meanSquaredError', () => [nr.optimizers.sgd({ learningRate: 0.1 }), tf.train.sgd(0.1)]],
    ];
    for (const [build, xShape, outUnits, loss, opts] of runs) {
      const n = build(NR) as nr.Sequential;
      const t = build(TF) as tfl.LayersModel;
      const r = rng(xShape[0] * 31);
      const x = uniform(r, xShape[0] * xShape[1], -2, 2);
      // Targets in [0, 1) that do not sum to 1 per row.
      const y = uniform(r, xShape[0] * outUnits, 0, 1);
      try {
        copyWeights(n, t);
        const before = nr.tidy(() => n.getWeights().map((v) => v.data()));
        const [no, to] = opts();
        n.compile({ optimizer: no, loss: loss as nr.LossName });
        t.compile({ optimizer: to, loss });
        const fit = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 } as const;
        const [nx, ny] = [nr.tensor(x, xShape), nr.tensor(y, [xShape[0], outUnits])];
        const h = await n.fit(nx, ny, fit).finally(() => nr.dispose([nx, ny]));
        const [tx, ty] = [tf.tensor(x, xShape), tf.tensor(y, [xShape[0], outUnits])];
        const th = await t.fit(tx, ty, fit).finally(() => tf.dispose([tx, ty]));
        close(h.history.loss, th.history.loss as number[], 1e-5, `${build.name}: losses`);
        const after = nr.tidy(() => n.getWeights().map((v) => v.data()));
        expect(after.some((a, i) => a.some((v, k) => v !== before[i][k])), 'training moved the weights').toBe(true);
        for (const l of n.layers.slice(1)) {
          const ws = l.getWeights();
          const want = t.getLayer(l.name).getWeights();
          expect(ws.length, l.name).toBe(want.length);
          ws.forEach((w, i) => close(w.data(), want[i].dataSync(), 1e-5, `${build.name}: ${l.name} weight ${i}`));
          nr.dispose(ws);
        }
      } finally {
        n.dispose();
        t.dispose();
      }
    }
  });
});

describe('the functional API', () => {
  it('builds a model that is a Sequential in all but its wiring', () => {
    const x = nr.input({ shape: [3], name: 'pixels' });
    expect(x.shape).toEqual([null, 3]);
    expect(x.rank).toBe(2);
    const dense = nr.layers.dense({ units: 4, activation: 'relu', name: 'hidden' });
    const h = dense.apply(x);
    expect(h).toBeInstanceOf(nr.SymbolicTensor);
    expect(h.shape).toEqual([null, 4]);
    expect(h.sourceLayer).toBe(dense);
    expect(h.inputs).toEqual([x]);
    const y = nr.layers.concatenate({ name: 'skip' }).apply([h, x]);
    expect(y.shape).toEqual([null, 7]);
    const m = nr.model({ inputs: x, outputs: y, name: 'net', seed: 3 });
    try {
      expect(m).toBeInstanceOf(nr.Sequential);
      expect(m.layers.map((l) => l.name)).toEqual(['pixels', 'hidden', 'skip']);
      expect(m.inputs).toEqual([x]);
      expect(m.outputs).toEqual([y]);
      expect(m.inputShape).toEqual([null, 3]);
      expect(m.outputShape).toEqual([null, 7]);
      const text = m.summary(null);
      expect(text).toMatch(/Connected to/);
      expect(text).toMatch(/skip \(Concatenate\)\s+\[null,7\]\s+0\s+hidden, pixels/);
      // Its input layer is listed first, as TF.js and Keras list it: row i is model.layers[i].
      expect(text).toMatch(/\n\S+ \(InputLayer\)\s+\[null,3\]\s+0\n/);
      const body = text.split('\n').slice(4, 4 + m.layers.length).map((line) => line.split(' ')[0]);
      expect(body).toEqual(m.layers.map((l) => l.name));
      expect(text).toMatch(/Total params: 16/);
      // The same seed, the same bits.
      const twin = nr.model({ inputs: x, outputs: nr.layers.dense({ units: 2 }).apply(x), seed: 3 });
      twin.dispose();
      const again = (): number[] => {
        const a = nr.input({ shape: [3] });
        const b = nr.model({ inputs: a, outputs: nr.layers.concatenate().apply([nr.layers.dense({ units: 4, activation: 'relu' }).apply(a), a]), seed: 3 });
        const out = nr.tidy(() => bits(b.predict(nr.tensor([[1, -2, 0.5]])).data()));
        b.dispose();
        return out;
      };
      expect(again()).toEqual(again());
      expect(nr.tidy(() => bits(m.predict(nr.tensor([[1, -2, 0.5]])).data()))).toEqual(again());
    } finally {
      m.dispose();
    }
  });

  it('nests and shares: a sequential model inside a graph, a graph inside a sequential model', async () => {
    const encoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2, activation: 'tanh' })], seed: 1 });
    const x = nr.input({ shape: [4] });
    const code = encoder.apply(x);
    expect(code.shape).toEqual([null, 2]);
    const shared = nr.layers.dense({ units: 4, name: 'shared_decoder' });
    const g = nr.model({ inputs: x, outputs: nr.layers.add().apply([x, shared.apply(code)]), seed: 2 });
    const outer = nr.sequential({ layers: [g, nr.layers.dense({ units: 1 })], seed: 4 });
    const other = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2 }), shared], seed: 5 });
    const data = nr.tensor(uniform(rng(2), 32, -1, 1), [8, 4]);
    try {
      outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const before = nr.tidy(() => encoder.predict(data).data());
      const sharedBefore = nr.tidy(() => shared.getWeights()[0].data());
      const t = nr.zeros([8, 1]);
      await outer.fit(data, t, { epochs: 2, verbose: 0 });
      t.dispose();
      // Training the outer model trained the encoder inside the graph and the shared layer.
      expect(nr.tidy(() => encoder.predict(data).data())).not.toEqual(before);
      other.build();
      expect(nr.tidy(() => shared.getWeights()[0].data())).not.toEqual(sharedBefore);
      expect(nr.tidy(() => bits(other.getLayer('shared_decoder').getWeights()[0].data()))).toEqual(nr.tidy(() => bits(shared.getWeights()[0].data())));
      // The graph inside runs as the graph on its own does.
      const y = nr.tidy(() => outer.predict(data).data());
      const [k, b] = (outer.layers[1] as nr.Layer).getWeights();
      const manual = nr.tidy(() => g.predict(data).matMul(k).add(b).data());
      nr.dispose([k, b]);
      close(y, manual, 1e-6, 'the graph inside a sequential model');
    } finally {
      for (const d of [data, outer, other, g, encoder]) d.dispose();
    }
  });

  it('says what is wrong', () => {
    const x = nr.input({ shape: [3] });
    const d = nr.layers.dense({ units: 2, name: 'd1' });
    const h = d.apply(x);
    expect(() => nr.input({} as never)).toThrow(/^input: shape is required/);
    expect(() => nr.input({ shape: [3], dtype: 'int32' as never })).toThrow(/float32 is the only dtype/);
    expect(() => nr.input({ shape: [3], shap: 1 } as never)).toThrow(/did you mean 'shape'/);
    expect(() => d.apply([1, 2, 3] as never)).toThrow(/^apply: layer d1 takes a tensor \[batch, \.\.\.\] \(run at once\) or symbolic tensors .*got an array of length 3$/);
    expect(() => nr.layers.add().apply(x)).toThrow(/merges a list of symbolic tensors, e\.g\. apply\(\[a, b\]\); got one/);
    expect(() => nr.layers.add().apply([x])).toThrow(/at least 2 inputs, got 1/);
    expect(() => nr.layers.subtract().apply([x, x, x])).toThrow(/exactly 2 inputs, got 3/);
    expect(() => nr.layers.add({ name: 'sum' }).apply([x, h])).toThrow(/^apply: layer sum: add: inputs must have the same per-sample shape \(or 1 where they differ; shapes of other ranks meet at their last axes\), got \[3\], \[2\]$/);
    expect(() => nr.layers.concatenate({ axis: 0 }).apply([x, h])).toThrow(/batch axis/);
    expect(() => nr.layers.dense({ units: 2 }).apply([x, h])).toThrow(/takes one input, got a list of 2/);
    expect(() => nr.layers.conv2d({ filters: 1, kernelSize: 2, name: 'cv' }).apply(x)).toThrow(/^apply: layer cv: /);
    expect(() => nr.layers.dense({ units: 2, inputShape: [5] }).apply(x)).toThrow(/^apply: layer dense_\d+ \(dense\) was declared \(inputShape\) with per-sample input shape \[5\], but here it receives \[3\]: its weights fit 5 on the last axis, not 3;/);
    expect(() => nr.layers.inputLayer({ inputShape: [3] }).apply(x)).toThrow(/is an input layer/);
    // Keras's base(inputs, training=False) holds (test/training-mode.test.ts); training: true is
    // refused, as are other keys; {} and undefined are TF.js's empty kwargs.
    const base = nr.sequential({ layers: [nr.layers.dropout({ rate: 0.5, inputShape: [3] })] });
    for (const l of [base, nr.layers.dropout({ rate: 0.5 })] as Array<{ apply(x: unknown, k?: unknown): unknown }>) {
      expect(l.apply(x, { training: false })).toHaveProperty('training', false);
      expect(() => l.apply(x, { training: true })).toThrow(/^apply: training: true on a symbolic tensor/);
      expect(() => l.apply(x, { trainng: false })).toThrow(/^apply: unknown option 'trainng'.*did you mean 'training'/);
      expect(() => l.apply(x, 'x')).toThrow(/^apply: options must be an object, got/);
      expect(l.apply(x, {})).toHaveProperty('shape');
      expect(l.apply(x, undefined)).toHaveProperty('shape');
    }
    base.dispose();
    expect(() => nr.model({ inputs: x, outputs: x })).toThrow(/outputs is the input input_\d+ itself; every output must be computed by a layer/);
    expect(() => nr.model({ inputs: h, outputs: x })).toThrow(/inputs must come from input/);
    expect(() => nr.model({ inputs: [x, x], outputs: h })).toThrow(/inputs\[1\] is inputs\[0\] again/);
    expect(() => nr.model({ inputs: x, outputs: [] })).toThrow(/outputs must be a symbolic tensor or a list of them, got an empty list/);
    expect(() => nr.model({ inputs: x, outputs: 3 as never })).toThrow(/outputs must be a symbolic tensor/);
    expect(() => nr.model({ inputs: x, outputs: h, seeds: 1 } as never)).toThrow(/did you mean 'seed'/);
    const other = nr.input({ shape: [2], name: 'other_in' });
    expect(() => nr.model({ inputs: x, outputs: nr.layers.add().apply([h, other]) })).toThrow(/depends on other_in .* the graph is disconnected/);
    const twice = nr.layers.dense({ units: 3, name: 'twice' });
    expect(() => nr.model({ inputs: x, outputs: twice.apply(twice.apply(x)) })).toThrow(/layer twice is applied to twice\/twice, which is computed from its own output; the uses of a layer run together/);
    const m = nr.model({ inputs: x, outputs: h });
    try {
      expect(() => m.add(nr.layers.dense({ units: 1 }))).toThrow(/is a graph model .* make a new model instead/);
      const s = nr.sequential({ layers: [nr.layers.dense({ units: 1 })] });
      expect(() => s.inputs).toThrow(/^inputs: model sequential_\d+ does not know its input shape yet, so it has no symbolic inputs; give its first layer an inputShape, or build it/);
      s.dispose();
      // A merge layer in a sequential model.
      const bad = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 }), nr.layers.add()] });
      expect(() => bad.build()).toThrow(/add: a merge layer takes a list of at least 2 inputs, got 1 .* need a graph model/);
      bad.dispose();
    } finally {
      m.dispose();
    }
    expect(() => m.apply(x)).toThrow(/disposed/);
  });

  it('custom loops, freezing, dropout and batch norm, and an autoencoder of graph models', async () => {
    const r = rng(8);
    const x = nr.tensor(uniform(r, 24, -1, 1), [6, 4]);
    const y = nr.tensor(uniform(r, 12, 0, 1), [6, 2]);
    const made: Array<{ dispose(): void }> = [x, y];
    try {
      // A custom loop over apply(x, { training: true }) takes the step trainOnBatch takes (SGD).
      const a = averagedNet(NR) as nr.Sequential;
      const b = averagedNet(NR) as nr.Sequential;
      made.push(a, b);
      b.setWeights(a.getWeights());
      a.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      a.trainOnBatch(x, y);
      nr.optimizers.sgd({ learningRate: 0.1 }).minimize(() => nr.losses.meanSquaredError(y, b.apply(x, { training: true })), false, b.trainableWeights);
      const w = (m: nr.Sequential) => nr.tidy(() => m.getWeights().map((t) => t.data()));
      w(a).forEach((v, i) => close(v, w(b)[i], 1e-6, `custom loop weight ${i}`));
      // A frozen layer of a graph stays as it is; the others train.
      // (By name: a frozen layer's weights move after the trainable ones, as in TF.js.)
      const frozen = a.getLayer('a') as nr.Layer;
      frozen.trainable = false;
      const named = (m: nr.Sequential) => new Map(m.weightNames().map((k, j) => [k, w(m)[j]]));
      const before = named(a);
      await a.fit(x, y, { epochs: 2, verbose: 0 });
      const after = named(a);
      expect(after.get('a/kernel')).toEqual(before.get('a/kernel'));
      expect(after.get('b/kernel')).not.toEqual(before.get('b/kernel'));
      // Dropout and batch normalization in a branch: fit runs their training behaviour, predict
      // their inference one (no dropout: predict is deterministic and differs from apply with training).
      const i = nr.input({ shape: [4] });
      const h = nr.layers.dropout({ rate: 0.5 }).apply(nr.layers.dense({ units: 8, activation: 'relu' }).apply(i));
      const n = nr.layers.batchNormalization().apply(nr.layers.dense({ units: 4 }).apply(i));
      const g = nr.model({ inputs: i, outputs: nr.layers.dense({ units: 2 }).apply(nr.layers.concatenate().apply([h, n])), seed: 4 });
      made.push(g);
      g.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const h0 = await g.fit(x, y, { epochs: 3, verbose: 0 });
      expect(h0.history.loss.every(Number.isFinite)).toBe(true);
      const p1 = nr.tidy(() => bits(g.predict(x).data()));
      expect(nr.tidy(() => bits(g.predict(x).data()))).toEqual(p1);
      expect(nr.tidy(() => bits(g.apply(x, { training: true }).data()))).not.toEqual(p1);
      // An autoencoder whose encoder is a graph model.
      const ei = nr.input({ shape: [4] });
      const encoder = nr.model({ inputs: ei, outputs: nr.layers.dense({ units: 2, activation: 'tanh' }).apply(nr.layers.concatenate().apply([ei, nr.layers.dense({ units: 3 }).apply(ei)])), seed: 5 });
      const decoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 4 })], seed: 6 });
      const ae = nr.autoencoder({ encoder, decoder, seed: 7 });
      made.push(ae, decoder, encoder);
      ae.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      await ae.fit(x, { epochs: 2, verbose: 0 });
      expect(nr.tidy(() => bits(ae.encode(x).data()))).toEqual(nr.tidy(() => bits(encoder.predict(x).data())));
    } finally {
      for (const d of made) d.dispose();
    }
  });

  it('leaks nothing: building, training and predicting a graph model many times', async () => {
    const x = nr.tensor(uniform(rng(1), 40, -1, 1), [10, 4]);
    const y = nr.tensor(uniform(rng(2), 20, 0, 1), [10, 2]);
    const round = async (): Promise<void> => {
      const m = averagedNet(NR) as nr.Sequential;
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 2, batchSize: 3, verbose: 0 });
      m.predict(x).dispose();
      m.dispose();
    };
    await round();
    const before = nr.memory();
    for (let i = 0; i < 5; i++) await round();
    const after = nr.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    nr.dispose([x, y]);
  });
});

describe('saving and loading graph models (TF.js\'s functional format)', () => {
  it('round-trips through TF.js both ways: TF.js loads neurite\'s file, neurite loads TF.js\'s', async () => {
    const m = residualNet(NR) as nr.Sequential;
    try {
      await expectTfjsRoundTrip(m, uniform(rng(3), 42, -2, 2), [7, 6], ['InputLayer', 'Dense', 'Dense', 'Add', 'Concatenate', 'Dense', 'Multiply', 'Dense']);
    } finally {
      m.dispose();
    }
  });

  it('a sequential model nested in a graph round-trips (TF.js numbers its call 1)', async () => {
    const encoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3, activation: 'tanh', name: 'enc_d' })], name: 'enc' });
    const x = nr.input({ shape: [4] });
    const m = nr.model({ inputs: x, outputs: nr.layers.dense({ units: 2, name: 'head' }).apply(nr.layers.concatenate().apply([encoder.apply(x), x])), seed: 3 });
    try {
      expect(m.name).toMatch(/^model_\d+$/);
      const enc = (m.getConfig().config.layers as Array<{ inbound_nodes: unknown }>)[2].inbound_nodes;
      expect(enc).toEqual([[['enc', 1, 0, {}], [m.layers[0].name, 0, 0, {}]]]);
      await expectTfjsRoundTrip(m, uniform(rng(1), 20, -1, 1), [5, 4], ['InputLayer', 'Sequential', 'Concatenate', 'Dense']);
    } finally {
      m.dispose();
      encoder.dispose();
    }
  });

  it('a graph model nested in a graph or in a sequential model loads: TF.js-built (1e-6) and neurite\'s own (same bits, and TF.js loads it)', async () => {
    // TF.js: a residual block as a functional model, used inside a functional and a sequential model.
    const block = (L: Lib, name: string): any => {
      const x = L.input({ shape: [4] });
      const h = L.layers.dense({ units: 4, activation: 'tanh', name: `${name}_d` }).apply(x);
      return L.model({ inputs: x, outputs: L.layers.add({ name: `${name}_add` }).apply([x, h]), name } as never);
    };
    const x = uniform(rng(8), 20, -2, 2);
    const tIn = block(TF, 'tblock');
    const tx = tfl.input({ shape: [4] });
    const tGraph = tfl.model({ inputs: tx, outputs: tfl.layers.dense({ units: 2, name: 'thead' }).apply(tIn.apply(tx)) as tfl.SymbolicTensor });
    const tSeq = tfl.sequential({ layers: [block(TF, 'sblock'), tfl.layers.dense({ units: 3, name: 'shead' })] });
    try {
      for (const t of [tGraph, tSeq]) {
        const n = (await nr.loadModel((await tfArtifacts(t)) as nr.ModelArtifacts)) as nr.Sequential;
        try {
          const want = tf.tidy(() => (t.predict(tf.tensor(x, [5, 4])) as tf.Tensor).dataSync());
          close(nr.tidy(() => n.predict(nr.tensor(x, [5, 4])).data()), want, 1e-6, `${t.name}: predict after loading`);
          expect(n.layers.some((l) => l instanceof nr.Sequential && l.graphWiring !== null)).toBe(true);
        } finally {
          for (const l of n.layers) if (l instanceof nr.Sequential) l.dispose();
          n.dispose();
        }
      }
    } finally {
      [tGraph, tSeq].forEach((t) => t.dispose()); // each disposes the block inside it
    }
    // neurite's: a graph model inside a graph model, saved, loaded to the same bits; TF.js loads it.
    const inner = block(NR, 'nblock') as nr.Sequential;
    const nx = nr.input({ shape: [4] });
    const outer = nr.model({ inputs: nx, outputs: nr.layers.dense({ units: 2, name: 'nhead' }).apply(inner.apply(nx)), seed: 5 });
    try {
      const again = (await nr.loadModel(await outer.toArtifacts())) as nr.Sequential;
      const [a, b] = nr.tidy(() => [outer.predict(nr.tensor(x, [5, 4])).data(), again.predict(nr.tensor(x, [5, 4])).data()]);
      expect(b).toEqual(a);
      for (const l of again.layers) if (l instanceof nr.Sequential) l.dispose();
      again.dispose();
      await expectTfjsRoundTrip(outer, x, [5, 4], ['InputLayer', 'Model', 'Dense']);
    } finally {
      outer.dispose();
      inner.dispose();
    }
    // A nested model with two outputs is refused, naming what reads its second output.
    const two = tfl.input({ shape: [4] });
    const pair = tfl.model({ inputs: two, outputs: [tfl.layers.dense({ units: 1 }).apply(two), tfl.layers.dense({ units: 2 }).apply(two)] as tfl.SymbolicTensor[] });
    const ox = tfl.input({ shape: [4] });
    const outs = pair.apply(ox) as tfl.SymbolicTensor[];
    const host = tfl.model({ inputs: ox, outputs: tfl.layers.concatenate().apply(outs) as tfl.SymbolicTensor });
    try {
      const a = await tfArtifacts(host);
      await expect(nr.loadModel(a as nr.ModelArtifacts)).rejects.toThrow(/inbound_nodes\[0\]\[1\]\[2\] reads output 1 of 'model\d+', but neurite's layers and nested models have one output/);
      // Only its first output read: the nested model itself is refused.
      const c = JSON.parse(JSON.stringify(a.modelTopology));
      c.config.layers[2].inbound_nodes[0][1][2] = 0;
      await expect(nr.loadModel({ ...a, modelTopology: c } as nr.ModelArtifacts)).rejects.toThrow(/a functional model with 1 inputs and 2 outputs nested in another model; a nested model needs one input and one output/);
    } finally {
      host.dispose(); // and the pair inside it
    }
  });

  it('loads a model TF.js built with tf.model; getConfig writes what TF.js\'s toJSON writes', async () => {
    const t = averagedNet(TF) as tfl.LayersModel;
    const x = uniform(rng(4), 20, -2, 2);
    try {
      const n = (await nr.loadModel((await tfArtifacts(t)) as nr.ModelArtifacts)) as nr.Sequential;
      try {
        expect(n.graphWiring).toEqual([[0], [0], [1, 2], [1, 2, 3]]);
        const want = tf.tidy(() => (t.predict(tf.tensor(x, [5, 4])) as tf.Tensor).dataSync());
        close(nr.tidy(() => n.predict(nr.tensor(x, [5, 4])).data()), want, 1e-6, 'predict after loading');
        // The whole config but neurite's seed (key order aside).
        const strip = (o: unknown): unknown => (Array.isArray(o) ? o.map(strip) : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'seed').sort().map(([k, v]) => [k, strip(v)])) : o);
        expect(strip(n.getConfig().config)).toEqual(strip((t.toJSON(null, false) as unknown as { config: unknown }).config));
        expect(n.getConfig().class_name).toBe('Model');
        // fromConfig: a fresh graph model (its own weights) of the same wiring.
        const copy = nr.Sequential.fromConfig(n.getConfig());
        expect(copy.graphWiring).toEqual(n.graphWiring);
        expect(copy.outputShape).toEqual([null, 2]);
        copy.dispose();
      } finally {
        n.dispose();
      }
    } finally {
      t.dispose();
    }
  });

  it('resumes training after save and load with the optimizer (the same bits as not stopping)', async () => {
    const x = nr.tensor(uniform(rng(5), 36, -2, 2), [9, 4]);
    const y = nr.tensor(uniform(rng(6), 18, 0, 1), [9, 2]);
    const fit = { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 } as const;
    const a = averagedNet(NR) as nr.Sequential;
    const b = averagedNet(NR) as nr.Sequential;
    try {
      b.setWeights(a.getWeights());
      for (const m of [a, b]) m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      await a.fit(x, y, fit);
      await b.fit(x, y, fit);
      const saved = await b.toArtifacts({ includeOptimizer: true });
      const c = (await nr.loadModel(saved)) as nr.Sequential;
      try {
        await a.fit(x, y, fit);
        await c.fit(x, y, fit);
        const w = (m: nr.Sequential) => nr.tidy(() => m.getWeights().flatMap((t) => bits(t.data())));
        expect(w(c)).toEqual(w(a));
      } finally {
        c.dispose();
      }
    } finally {
      for (const d of [a, b, x, y]) d.dispose();
    }
  });

  it('says what it cannot load', async () => {
    const m = averagedNet(NR) as nr.Sequential;
    const config = m.getConfig();
    m.dispose();
    const edit = (f: (c: Record<string, any>) => void) => {
      const c = JSON.parse(JSON.stringify(config));
      f(c.config);
      return () => nr.Sequential.fromConfig(c);
    };
    expect(edit((c) => c.output_layers.push(c.output_layers[0]))).toThrow(/output_layers\[1\] names '\w+' again/);
    expect(edit((c) => c.output_layers.push(['nope', 0, 0]))).toThrow(/output_layers\[1\] names 'nope', which is not in layers/);
    expect(edit((c) => (c.input_layers = []))).toThrow(/input_layers must list the layers as \[\[name, 0, 0\], …\]/);
    expect(edit((c) => c.layers[1].inbound_nodes.push([['input_x', 0, 0, {}]]))).toThrow(/inbound_nodes\[1\]\[0\] names 'input_x', which is not in layers/);
    expect(edit((c) => c.layers[1].inbound_nodes.push([]))).toThrow(/inbound_nodes\[1\] must list what the call reads/);
    expect(edit((c) => (c.layers[1].inbound_nodes = []))).toThrow(/inbound_nodes must hold a node per call of the layer/);
    expect(edit((c) => (c.layers[3].inbound_nodes[0][0][0] = 'nope'))).toThrow(/names 'nope', which is not in layers/);
    expect(edit((c) => (c.layers[1].inbound_nodes[0][0][1] = -1))).toThrow(/must be \[layerName, nodeIndex, 0, \{\}\]/);
    expect(edit((c) => (c.layers[1].inbound_nodes[0][0][1] = 1))).toThrow(/\[1\] must be 0 for InputLayer 'input_\d+', got 1/);
    expect(edit((c) => (c.layers[3].inbound_nodes[0][0][1] = 1))).toThrow(/\[1\] must be 0 for Dense '\w+' \(a layer applied once\), got 1/);
    expect(edit((c) => (c.layers[1].inbound_nodes[0][0][3] = { training: true }))).toThrow(/\[3\] must be \{\} or \{ training: false \} \(other call arguments, such as training: true or mask, are not supported\), got/);
    expect(edit((c) => c.layers[3].inbound_nodes[0].pop())).toThrow(/\(maximum s\): takes at least 2 inputs/);
    expect(edit((c) => c.layers[1].inbound_nodes[0].push(c.layers[1].inbound_nodes[0][0]))).toThrow(/gives Dense 'a' 2 inputs; only merge layers/);
    expect(edit((c) => (c.input_layers = [['a', 0, 0]]))).toThrow(/names 'a', which is not an InputLayer/);
  });
});

describe("layer.output and model.inputs: a model of part of another (Keras's get_layer('code').output)", () => {
  it('a sequential autoencoder gives its encoder, sharing the weights, in either order of access, as TF.js', async () => {
    const x = nr.tensor(uniform(rng(5), 6 * 10, 0, 1), [6, 10]);
    type Args = { inputShape?: number[]; units: number; activation: 'relu' | 'tanh' | 'sigmoid'; name: string };
    const spec: Args[] = [
      { inputShape: [10], units: 8, activation: 'relu', name: 'h' },
      { units: 3, activation: 'tanh', name: 'code' },
      { units: 10, activation: 'sigmoid', name: 'out' },
    ];
    const ae = nr.sequential({ layers: spec.map((a) => nr.layers.dense(a)) });
    ae.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await ae.fit(x, x, { epochs: 3, batchSize: 3, verbose: 0 });
    // outputs first, then inputs (the layer's use is made through the one model holding it).
    const code = ae.getLayer('code').output as nr.SymbolicTensor;
    expect(code.shape).toEqual([null, 3]);
    const encoder = nr.model({ inputs: ae.inputs, outputs: code });
    expect(encoder.layers.map((l) => l.name).slice(1)).toEqual(['h', 'code']);
    // The same layers (one set of weights): the codes equal a sequential model sharing them.
    const shared = nr.sequential({ layers: [ae.getLayer('h'), ae.getLayer('code')] });
    const [a, b] = [encoder.predict(x) as nr.Tensor, shared.predict(x) as nr.Tensor];
    expect(bits(a.dataSync())).toEqual(bits(b.dataSync()));
    // TF.js: the same idiom on the same weights gives the same codes.
    const tae = tfl.sequential({ layers: spec.map((a) => tfl.layers.dense(a)) });
    tae.setWeights(ae.getWeights().map((w) => { const t = tf.tensor(w.dataSync(), [...w.shape]); w.dispose(); return t; }));
    const tenc = tfl.model({ inputs: tae.inputs, outputs: tae.getLayer('code').output as tfl.SymbolicTensor });
    close(a.dataSync(), (tenc.predict(tf.tensor(x.dataSync(), [...x.shape])) as tf.Tensor).dataSync(), 1e-6, 'codes against TF.js');
    expect(ae.input).toBe(ae.inputs[0]);
    expect(ae.output).toBe(ae.outputs[0]);
    expect(ae.getLayer('h').input).toBe(ae.inputs[0]);
    for (const t of [x, a, b]) t.dispose();
    for (const m of [encoder, shared, ae]) m.dispose();
  });

  it("a graph model's layers, a loaded graph model's, merge layers, and the errors", async () => {
    const x = nr.input({ shape: [4], name: 'x_in' });
    const h = nr.layers.dense({ units: 5, activation: 'relu', name: 'hid' }).apply(x);
    const cat = nr.layers.concatenate({ name: 'cat' }).apply([x, h]);
    const y = nr.layers.dense({ units: 2, name: 'y' }).apply(cat);
    const g = nr.model({ inputs: x, outputs: y });
    expect(g.getLayer('hid').output).toBe(h);
    expect(g.getLayer('cat').input).toEqual([x, h]);
    expect(g.getLayer('x_in').output).toBe(x);
    expect(g.getLayer('x_in').input).toBe(x);
    const loaded = (await nr.loadModel(await g.toArtifacts())) as nr.Sequential;
    const part = nr.model({ inputs: loaded.inputs, outputs: loaded.getLayer('cat').output as nr.SymbolicTensor });
    const data = nr.tensor(uniform(rng(6), 3 * 4, -1, 1), [3, 4]);
    const upToH = nr.model({ inputs: g.inputs, outputs: h });
    const [p1, p2] = [part.predict(data) as nr.Tensor, nr.tidy(() => nr.concat([data, upToH.predict(data) as nr.Tensor], 1))];
    expect(bits(p1.dataSync())).toEqual(bits(p2.dataSync()));
    // Errors: never applied, applied twice, a bad index.
    const lone = nr.layers.dense({ units: 1, name: 'lone' });
    expect(() => lone.output).toThrow(/^output: layer lone is not connected yet, so it has no symbolic output: apply it to a symbolic tensor \(layer\.apply\(x\)\), or put it in a model whose input shape is known/);
    const twice = nr.layers.dense({ units: 4, name: 'twice2' });
    const u0 = twice.apply(x);
    const u1 = twice.apply(nr.input({ shape: [4] }));
    expect(() => twice.output).toThrow(/^output: layer twice2 has been applied 2 times .* use getOutputAt\(i\) with i in 0\.\.1$/);
    expect(() => twice.input).toThrow(/use getInputAt\(i\)/);
    expect([twice.getOutputAt(0), twice.getOutputAt(1)]).toEqual([u0, u1]);
    expect(twice.getInputAt(0)).toBe(x);
    expect(() => twice.getOutputAt(2)).toThrow(/^getOutputAt: layer twice2 has 2 uses .* index must be an integer in 0\.\.1, got 2$/);
    // A layer in two sequential models: ambiguous until one of them makes its chain.
    const d = nr.layers.dense({ units: 2, name: 'in_two' });
    const [s1, s2] = [nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 4 }), d] }), nr.sequential({ layers: [nr.layers.dense({ inputShape: [5], units: 4 }), ...[]] })];
    s2.add(d);
    expect(() => d.output).toThrow(/is not connected yet/);
    expect((s1.output as nr.SymbolicTensor).sourceLayer).toBe(d);
    expect(d.output).toBe(s1.output);
    for (const t of [data, p1, p2]) t.dispose();
    for (const m of [g, upToH, loaded, part, s1, s2]) m.dispose();
  });

  it("an autoencoder()'s encoder layers: ae.inputs do not reach them, and the error says what does", () => {
    const encoder = nr.sequential({ name: 'enc', layers: [nr.layers.dense({ inputShape: [8], units: 4, name: 'eh' }), nr.layers.dense({ units: 2, name: 'ecode' })] });
    const decoder = nr.sequential({ name: 'dec', layers: [nr.layers.dense({ inputShape: [2], units: 8 })] });
    const ae = nr.autoencoder({ encoder, decoder, name: 'ae' });
    const [aeIn, encIn] = [ae.inputs[0].sourceLayer.name, encoder.inputs[0].sourceLayer.name];
    expect(() => nr.model({ inputs: ae.inputs, outputs: encoder.getLayer('ecode').output as nr.SymbolicTensor })).toThrow(
      `model: the output depends on ${encIn} (per-sample shape [8]), which is not the model's input ${aeIn}: the graph is disconnected. ${encIn} is the input of model enc, and ae's inputs reach enc as one step, not the layers inside it: to output a value computed inside enc, build the model from that model's own inputs: model({ inputs: enc.inputs, outputs: … })`,
    );
    // The same stray input without an outer model: the hint names only the model it belongs to.
    const other = nr.input({ shape: [8], name: 'other8' });
    expect(() => nr.model({ inputs: other, outputs: encoder.getLayer('ecode').output as nr.SymbolicTensor })).toThrow(
      `model: the output depends on ${encIn} (per-sample shape [8]), which is not the model's input other8: the graph is disconnected. ${encIn} is the input of model enc: to output a value computed inside enc, build the model from that model's own inputs: model({ inputs: enc.inputs, outputs: … })`,
    );
    // An input another model was built from, left out of inputs beside one that model shares:
    // the plain error (the hint said to output a value computed inside that model).
    const [ia, ib] = [nr.input({ shape: [2], name: 'ia2' }), nr.input({ shape: [3], name: 'ib3' })];
    const cat = nr.layers.concatenate().apply([ia, ib]);
    const good = nr.model({ inputs: [ia, ib], outputs: cat, name: 'good' });
    expect(() => nr.model({ inputs: ia, outputs: cat })).toThrow(/^model: the output depends on ib3 \(per-sample shape \[3\]\), which is not the model's input ia2: the graph is disconnected$/);
    good.dispose();
    // What works: the nested model's own inputs, or the encoder's step in ae (its node 1).
    const codes = nr.model({ inputs: encoder.inputs, outputs: encoder.getLayer('ecode').output as nr.SymbolicTensor });
    const step = nr.model({ inputs: ae.inputs, outputs: encoder.getOutputAt(1) });
    expect(codes.layers.map((l) => l.name).slice(1)).toEqual(['eh', 'ecode']);
    expect(step.layers.map((l) => l.name).slice(1)).toEqual(['enc']);
    expectNoLeak(() => nr.tidy(() => {
      const x = nr.randomUniform([3, 8], { seed: 4 });
      const want = bits(ae.encode(x).dataSync());
      expect(bits((codes.predict(x) as nr.Tensor).dataSync())).toEqual(want);
      expect(bits((step.predict(x) as nr.Tensor).dataSync())).toEqual(want);
    }));
    for (const m of [codes, step, ae, encoder, decoder]) m.dispose();
  });

  it("a model's getOutputAt/getInputAt (TF.js LayersModel's): node 0 is its own, node i its i-th application; an error names the index", () => {
    // TF.js: the same calls on the same graph.
    for (const L of [{ nr: true }, { nr: false }]) {
      const lib = L.nr ? NR : TF;
      const x = lib.input({ shape: [4] });
      const inner = lib.model({ inputs: x, outputs: lib.layers.dense({ units: 3 }).apply(x) });
      const [a, b] = [lib.input({ shape: [4] }), lib.input({ shape: [4] })];
      const [ya, yb] = [inner.apply(a), inner.apply(b)];
      expect(inner.getOutputAt(0)).toBe(inner.outputs[0]);
      expect(inner.getInputAt(0)).toBe(x);
      expect([inner.getOutputAt(1), inner.getOutputAt(2)]).toEqual([ya, yb]);
      expect([inner.getInputAt(1), inner.getInputAt(2)]).toEqual([a, b]);
      expect(() => inner.getOutputAt(3)).toThrow(L.nr ? /index must be an integer in 0\.\.2, got 3$/ : /at node 3, but the layer has only 3 inbound nodes/);
      if (L.nr) (inner as nr.Sequential).dispose();
    }
    // A sequential model: node 1 is its step in a model holding it (made on first use, as layer.output).
    const encoder = nr.sequential({ name: 'gEnc', layers: [nr.layers.dense({ inputShape: [5], units: 2 })] });
    const decoder = nr.sequential({ name: 'gDec', layers: [nr.layers.dense({ units: 5 })] });
    expect(() => encoder.getOutputAt(1)).toThrow(
      'getOutputAt: model gEnc has only node 0, its own inputs and outputs (it was never applied to a symbolic tensor: by model.apply(x), or as a step of another model whose symbolic inputs were made), so the index must be 0, got 1',
    );
    const ae = nr.autoencoder({ encoder, decoder, name: 'gAe' });
    const step = encoder.getOutputAt(1) as nr.SymbolicTensor;
    expect(step.sourceLayer).toBe(encoder);
    expect(encoder.getInputAt(1)).toBe(ae.inputs[0]);
    expect(decoder.getInputAt(1)).toBe(step);
    expect(decoder.getOutputAt(1)).toBe(ae.outputs[0]);
    expect(encoder.getOutputAt(0)).toBe(encoder.outputs[0]);
    expect(() => encoder.getOutputAt(2)).toThrow(
      'getOutputAt: model gEnc has 2 nodes (0: its own inputs and outputs; 1: its application to symbolic tensors, by model.apply(x) or as a step of another model), so the index must be an integer in 0..1, got 2',
    );
    expect(() => encoder.getInputAt(-1)).toThrow(/^getInputAt: model gEnc has 2 nodes .* got -1$/);
    expect(() => encoder.getOutputAt('1' as never)).toThrow(/^getOutputAt: model gEnc has 2 nodes .* got the string "1"$/);
    encoder.apply(nr.input({ shape: [5] }));
    expect(() => encoder.getOutputAt(3)).toThrow(/has 3 nodes \(0: its own inputs and outputs; 1\.\.2: its applications to symbolic tensors, .*in 0\.\.2, got 3$/);
    // Node 0 needs the input shape, as model.output does.
    const shapeless = nr.sequential({ name: 'gNoShape', layers: [nr.layers.dense({ units: 2 })] });
    expect(() => shapeless.getOutputAt(0)).toThrow(/^getOutputAt: model gNoShape does not know its input shape yet/);
    for (const m of [ae, encoder, decoder, shapeless]) m.dispose();
  });
});
