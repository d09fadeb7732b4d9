// Habits brought from brain.js and PyTorch that used to end in a silent wrong result or a
// puzzle: console.log of a tensor, logits under a loss that reads probabilities (and the
// reverse), evaluate's `accuracy`, artifacts that went through JSON, arrays where tensors go.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('console.log of a tensor (Node and Deno inspect)', () => {
  it("shows TF.js's verbose text: dtype, rank, shape and the values", () => {
    const t = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(inspect(t)).toBe('Tensor\n  dtype: float32\n  rank: 2\n  shape: [2,3]\n  values:\n    [[1, 2, 3],\n     [4, 5, 6]]');
    const s = nr.scalar(3);
    expect(inspect(s)).toBe('Tensor\n  dtype: float32\n  rank: 0\n  shape: []\n  values:\n    3');
    // Inside an object too, as console.log({ t }) prints it (Node indents the lines).
    expect(inspect({ s })).toBe('{\n  s: Tensor\n    dtype: float32\n    rank: 0\n    shape: []\n    values:\n      3\n}');
    // Deno's hook gives the same text.
    const deno = (s as unknown as Record<symbol, () => string>)[Symbol.for('Deno.customInspect')]();
    expect(deno).toBe(inspect(s));
    t.dispose();
    s.dispose();
    expect(inspect(t)).toBe('Tensor(disposed, shape=[2,3])');
  });

  it('layers and their weights show as Keras 3 shows them, not their private fields', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 3, name: 'hidden' }), nr.layers.dropout({ rate: 0.5 })] });
    m.build();
    m.layers[1].trainable = false;
    expect(m.layers.map((l) => inspect(l))).toEqual(['<Dense name=hidden trainable=true>', `<Dropout name=${m.layers[1].name} trainable=false>`]);
    expect(m.layers[0].weights.map((w) => inspect(w))).toEqual(['<LayerVariable hidden/kernel shape=[2,3] dtype=float32 trainable=true>', '<LayerVariable hidden/bias shape=[3] dtype=float32 trainable=true>']);
    expect(inspect({ m })).toContain('layers: [\n      <Dense name=hidden trainable=true>,'); // a model keeps its public fields, its layers shown so
    const [kernel] = m.layers[0].weights;
    m.dispose();
    expect(inspect(kernel)).toBe('<LayerVariable hidden/kernel shape=[2,3] dtype=float32 disposed>');
  });

  it('keeps the public type; its one own key is its id, as TF.js has one', () => {
    const t = nr.tensor([1]);
    expect(Object.keys(t)).toEqual(['id']);
    expect(JSON.stringify(t)).toBe(`{"id":${t.id}}`);
    t.dispose();
  });
});

describe('logits and probabilities under a cross-entropy', () => {
  const data = () => ({ x: nr.randomNormal([12, 4], { seed: 1 }), y: nr.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]) });
  const train = async (last: nr.Layer, loss: unknown, y?: nr.Tensor) => {
    const { x, y: labels } = data();
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 5, inputShape: [4], activation: 'relu' }), last] });
    m.compile({ optimizer: 'sgd', loss: loss as nr.CompileArgs['loss'] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const target = y ?? labels;
    await m.fit(x, target, { epochs: 1, verbose: 0 });
    await m.fit(x, target, { epochs: 1, verbose: 0 }); // once per compile
    m.trainOnBatch(x, target);
    const said = warn.mock.calls.map((c) => String(c[0]));
    warn.mockRestore();
    for (const t of [x, labels, m]) t.dispose();
    if (y) y.dispose();
    return said;
  };

  it('warns once when a linear output meets a loss on probabilities (PyTorch CrossEntropyLoss habit)', async () => {
    const said = await train(nr.layers.dense({ units: 3, name: 'logits' }), 'sparseCategoricalCrossentropy');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^fit: model \S+'s output comes from layer logits with a 'linear' activation \(logits, as after PyTorch's nn\.Linear\), but sparseCategoricalCrossentropy reads its predictions as probabilities/);
    expect(said[0]).toContain("give logits activation: 'softmax', or compile with loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true }");
  });

  it('warns when fromLogits follows a softmax or sigmoid (Keras warns too)', async () => {
    const said = await train(nr.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }), { name: 'sparseCategoricalCrossentropy', fromLogits: true });
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^fit: sparseCategoricalCrossentropy was compiled with fromLogits: true, but model \S+'s output comes from layer probs's 'softmax', so it is not logits and the loss applies softmax twice/);
    const y = nr.tensor([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0], [12, 1]);
    const bin = await train(nr.layers.dense({ units: 1, activation: 'sigmoid', name: 'p' }), { name: 'binaryCrossentropy', fromLogits: true }, y);
    expect(bin).toHaveLength(1);
    expect(bin[0]).toContain("layer p's 'sigmoid'");
  });

  it("warns once when a dot layer's score (matrix factorisation) meets binaryCrossentropy, and not with fromLogits (it said nothing: a recsys tester's finding)", async () => {
    const fitDot = async (loss: unknown) => {
      const u = nr.input({ shape: [1] });
      const i = nr.input({ shape: [1] });
      const eu = nr.layers.flatten().apply(nr.layers.embedding({ inputDim: 6, outputDim: 3 }).apply(u)) as nr.SymbolicTensor;
      const ei = nr.layers.flatten().apply(nr.layers.embedding({ inputDim: 6, outputDim: 3 }).apply(i)) as nr.SymbolicTensor;
      const score = nr.layers.dot({ axes: 1, name: 'score' }).apply([eu, ei]) as nr.SymbolicTensor;
      const m = nr.model({ inputs: [u, i], outputs: score });
      m.compile({ optimizer: 'sgd', loss: loss as nr.CompileArgs['loss'] });
      const [xu, xi, y] = [nr.tensor([[0], [1], [2], [3]]), nr.tensor([[5], [4], [3], [2]]), nr.tensor([[1], [0], [1], [0]])];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      await m.fit([xu, xi], y, { epochs: 2, verbose: 0 });
      const said = warn.mock.calls.map((c) => String(c[0]));
      warn.mockRestore();
      for (const t of [xu, xi, y, m]) t.dispose();
      return said;
    };
    const said = await fitDot('binaryCrossentropy');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^fit: model \S+'s output comes from layer score, a dot product \(a score such as matrix factorisation's user·item, not a probability\), but binaryCrossentropy reads its predictions as probabilities, so it trains on a wrong, clipped loss; compile with loss: \{ name: 'binaryCrossentropy', fromLogits: true \}, or add an activation layer \('sigmoid'\) after score$/);
    expect(await fitDot({ name: 'binaryCrossentropy', fromLogits: true })).toEqual([]);
    expect(await fitDot('meanSquaredError')).toEqual([]);
  });

  it('says nothing when they agree, or where the output is not a plain activation', async () => {
    expect(await train(nr.layers.dense({ units: 3 }), { name: 'sparseCategoricalCrossentropy', fromLogits: true })).toEqual([]);
    expect(await train(nr.layers.dense({ units: 3, activation: 'softmax' }), 'sparseCategoricalCrossentropy')).toEqual([]);
    expect(await train(nr.layers.softmax(), 'sparseCategoricalCrossentropy')).toEqual([]);
    expect(await train(nr.layers.dense({ units: 3 }), 'meanSquaredError', nr.oneHot(nr.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]), 3))).toEqual([]);
  });

  it("'precision' and 'recall' by name after a sigmoid are Keras 3's (threshold 0.5), with no warning (TF.js's counted only a prediction of exactly 1, so both logged 0: a Kaggle user's report)", async () => {
    const x = nr.randomNormal([12, 4], { seed: 1 });
    const y = nr.tensor([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0], [12, 1]);
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 5, inputShape: [4], activation: 'relu' }), nr.layers.dense({ units: 1, activation: 'sigmoid', name: 'p' })] });
    m.compile({ optimizer: nr.optimizers.sgd(0.5), loss: 'binaryCrossentropy', metrics: ['precision', 'recall'] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await m.fit(x, y, { epochs: 20, verbose: 0, batchSize: 12 });
    const said = warn.mock.calls.map((c) => String(c[0]));
    warn.mockRestore();
    expect(said).toEqual([]);
    // Against the counts of predict's output thresholded at 0.5, made here.
    const logs = m.evaluate(x, y, { returnDict: true, batchSize: 5 });
    const p = m.predict(x).dataSync();
    const t = y.dataSync();
    let tp = 0, fp = 0, fn = 0;
    t.forEach((v, i) => { if (p[i] > 0.5) { if (v === 1) tp++; else fp++; } else if (v === 1) fn++; });
    expect(tp).toBeGreaterThan(0);
    expect([logs.precision, logs.recall]).toEqual([expect.closeTo(tp / (tp + fp), 6), expect.closeTo(tp / (tp + fn), 6)]);
    m.dispose();
    x.dispose();
    y.dispose();
  });

  it('follows a graph model to its output layer, and a nested model to its last layer', async () => {
    const inp = nr.input({ shape: [4] });
    const out = nr.layers.dense({ units: 3, name: 'head' }).apply(nr.layers.dense({ units: 5, activation: 'relu' }).apply(inp) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const g = nr.model({ inputs: inp, outputs: out });
    const outer = nr.sequential({ layers: [g] });
    for (const m of [g, outer]) {
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const x = nr.randomNormal([6, 4], { seed: 2 });
      const y = nr.tensor([0, 1, 2, 0, 1, 2]);
      m.trainOnBatch(x, y);
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toContain('comes from layer head with a \'linear\' activation');
      warn.mockRestore();
      x.dispose();
      y.dispose();
    }
    outer.dispose();
    g.dispose();
  });
});

describe('evaluate with returnDict', () => {
  it("reads Keras's accuracy as TF.js's acc, as fit's history does", () => {
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = nr.randomNormal([8, 3], { seed: 4 });
    const y = nr.tensor([0, 1, 1, 0, 1, 0, 0, 1]);
    const logs = m.evaluate(x, y, { returnDict: true });
    expect(Object.keys(logs)).toEqual(['loss', 'acc']);
    expect(logs.accuracy).toBe(logs.acc);
    expect(JSON.parse(JSON.stringify(logs))).toEqual({ loss: logs.loss, acc: logs.acc });
    for (const t of [x, y, m]) t.dispose();
  });
});

describe('mistakes with data formats', () => {
  it('names JSON as what emptied the weights of artifacts that went through it', async () => {
    const m = nr.sequential({ seed: 5, layers: [nr.layers.dense({ units: 2, inputShape: [3] })] });
    const viaJson = JSON.parse(JSON.stringify(await m.toArtifacts())) as nr.ModelArtifacts;
    const text = await nr.loadModel(viaJson).then(() => 'loaded', (e: unknown) => String(e));
    expect(text).toMatch(/weightData must be an ArrayBuffer \(or a list of them\), got an object \(Object\) \(an empty object: JSON\.stringify turns an ArrayBuffer into \{\}/);
    m.dispose();
  });

  it("suggests epochs for brain.js's iterations", async () => {
    const m = nr.sequential({ seed: 7, layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [nr.zeros([2, 2]), nr.zeros([2, 1])];
    const text = await m.fit(x, y, { iterations: 20 } as unknown as nr.FitArgs).then(() => 'trained', (e: unknown) => String(e));
    expect(text).toMatch(/^InvalidArgumentError: fit: unknown option 'iterations' — did you mean 'epochs'\?/);
    for (const t of [x, y, m]) t.dispose();
  });

  it('suggests tensor() for arrays given where a tensor goes (brain.js takes arrays)', () => {
    const m = nr.sequential({ seed: 6, layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
    const e = thrown(() => m.predict([[0, 1], [1, 0]] as unknown as nr.Tensor)) as Error;
    expect(e.message).toMatch(/must be a Tensor, got an array of length 2; make one from the values with tensor\(x\)/);
    m.dispose();
  });
});

describe('Keras habits with weights and logs', () => {
  it("refuses classWeight on class indices per step ([n, T]) instead of reading them as one-hot rows", async () => {
    const m = nr.sequential({ seed: 8, layers: [nr.layers.embedding({ inputDim: 6, outputDim: 3, inputShape: [4] }), nr.layers.dense({ units: 5, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const tok = nr.tensor([[1, 2, 3, 0], [4, 5, 0, 0], [1, 1, 2, 3]]);
    const tags = nr.tensor([[3, 0, 4, 1], [2, 2, 0, 0], [1, 4, 3, 2]]);
    const text = await m.fit(tok, tags, { classWeight: { 0: 0.2, 1: 1, 2: 2, 3: 1.5, 4: 0.7 }, epochs: 1, verbose: 0 }).then(() => 'trained', (e: unknown) => String(e));
    expect(text).toBe(
      'ShapeError: fit: classWeight reads y of shape [3,4] as one-hot (or probability) rows [n, classes], but row 0 holds 3 ([3, 0, 4, 1]); for class indices per step ([n, T], a tagger\'s targets) weight each step instead: sampleWeight of shape [n, T] holding each step\'s class weight (Keras 3 refuses classWeight there too; TF.js weighs each row by the class of its argMax, a step index)',
    );
    // One-hot rows keep working.
    const c = nr.sequential({ seed: 9, layers: [nr.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    c.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const [x, y] = [nr.zeros([2, 2]), nr.tensor([[0, 1, 0], [1, 0, 0]])];
    await c.fit(x, y, { classWeight: { 0: 1, 1: 2, 2: 1 }, epochs: 1, verbose: 0 });
    // Soft and multi-label rows train, weighted by their argMax's class as TF.js (test/model.test.ts
    // compares with TF.js's fit); it is the first of equal values: class 2's weight is never asked for.
    for (const rows of [[[0.2, 0.8, 0], [1, 0, 0]], [[1, 0, 1], [0.5, 0.5, 0]]]) {
      using t = nr.tensor(rows);
      const h = await c.fit(x, t, { classWeight: { 0: 1, 1: 2 }, epochs: 1, verbose: 0 });
      expect(h.history.loss).toHaveLength(1);
    }
    for (const t of [tok, tags, m, c, x, y]) t.dispose();
  });

  it('classWeight as a list of numbers, one per class index (an object with keys 0, 1, … in TF.js), trains as the object', async () => {
    const make = () => {
      const m = nr.sequential({ seed: 10, layers: [nr.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
      m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      return m;
    };
    const [a, b] = [make(), make()];
    using x = nr.tensor([[0, 1], [1, 0], [1, 1], [0.5, 0.2]]);
    using y = nr.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    const ha = await a.fit(x, y, { classWeight: { 0: 1, 1: 3, 2: 0.5 }, epochs: 2, verbose: 0 });
    const hb = await b.fit(x, y, { classWeight: [1, 3, 0.5], epochs: 2, verbose: 0 });
    expect(hb.history.loss).toEqual(ha.history.loss);
    const plain = make();
    const hp = await plain.fit(x, y, { epochs: 2, verbose: 0 });
    expect(hp.history.loss).not.toEqual(ha.history.loss);
    for (const m of [a, b, plain]) m.dispose();
  });

  it("gives callbacks Keras's accuracy and val_accuracy beside TF.js's acc and val_acc", async () => {
    const m = nr.sequential({ seed: 10, layers: [nr.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = nr.randomNormal([8, 3], { seed: 11 });
    const y = nr.tensor([0, 1, 1, 0, 1, 0, 0, 1]);
    const seen: Array<[string[], number | undefined, number | undefined]> = [];
    const h = await m.fit(x, y, {
      epochs: 1, batchSize: 4, verbose: 0, validationSplit: 0.25,
      callbacks: [{
        onBatchEnd: (_b: number, logs?: Record<string, number>) => void seen.push([Object.keys(logs ?? {}), logs?.accuracy, logs?.acc]),
        onEpochEnd: (_e: number, logs?: Record<string, number>) => void seen.push([Object.keys(logs ?? {}), logs?.val_accuracy, logs?.val_acc]),
      }],
    });
    for (const [keys, alias, key] of seen) {
      expect(keys).not.toContain('accuracy');
      expect(alias).toBe(key);
      expect(typeof key).toBe('number');
    }
    expect(Object.keys(h.history)).toEqual(['loss', 'acc', 'val_loss', 'val_acc']);
    for (const t of [x, y, m]) t.dispose();
  });

  it('says a nested array of sample weights needs to be a tensor', async () => {
    const m = nr.sequential({ seed: 12, layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [nr.zeros([3, 2]), nr.zeros([3, 1])];
    const text = await m.fit(x, y, { sampleWeight: [[1], [2], [3]] as unknown as number[], verbose: 0 }).then(() => 'trained', (e: unknown) => String(e));
    expect(text).toMatch(/sampleWeight must be a tensor of shape \[3\] or an array of 3 numbers \(one weight per sample\), got an array of length 3 whose entries are arrays \(as numpy's tolist\(\) gives\): make it a tensor, tensor\(sampleWeight\), of shape \[3, 1\]/);
    // Inputs and targets by name type-check in trainOnBatch, as in predict.
    const a = nr.input({ shape: [2], name: 'a' });
    const g = nr.model({ inputs: a, outputs: nr.layers.dense({ units: 1, name: 'out' }).apply(a) as nr.SymbolicTensor });
    g.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(typeof g.trainOnBatch({ a: x }, { out: y })).toBe('number');
    for (const t of [x, y, m, g]) t.dispose();
  });
});
