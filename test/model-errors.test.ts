// User mistakes with models and layers: each throws a NeuriteError subclass with a precise
// message — never a WebAssembly trap, never a bare TypeError — and leaves nothing behind.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import './setup.js';

const { layers, optimizers } = nr;

/** Asserts that `f` throws (or rejects with) an error of class `cls` whose message matches `msg`. */
async function expectError(f: () => unknown, cls: new (...a: never[]) => nr.NeuriteError, msg: string | RegExp): Promise<void> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(nr.NeuriteError);
  expect(err).not.toBeInstanceOf(nr.WasmPanicError);
  const m = (err as Error).message;
  if (typeof msg === 'string') expect(m).toBe(msg);
  else expect(m).toMatch(msg);
}

const { InvalidArgumentError: Invalid, ShapeError: Shape, DisposedError: Disposed } = nr;
/** Models created by the tests (disposed at the end, so that leaks of failed calls show). */
const models: nr.Sequential[] = [];
const model = (units = 3, activation: nr.ActivationName = 'softmax', inputShape = [4]) => {
  const m = nr.sequential({ layers: [layers.dense({ inputShape, units, activation })] });
  models.push(m);
  return m;
};
/** Tensors created by a test, disposed at the end. */
const owned: nr.Tensor[] = [];
const t = (v: number[] | number[][], shape?: number[]) => {
  const x = nr.tensor(v, shape);
  owned.push(x);
  return x;
};
const z = (shape: number[]) => {
  const x = nr.zeros(shape);
  owned.push(x);
  return x;
};

// Before any describe body runs (they run at collection time).
const start = nr.memory();
afterAll(() => {
  owned.forEach((x) => x.dispose());
});

describe('input shapes', () => {
  const m = model();
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const y = z([5, 3]);
  const want = (op: string, got: string) => `${op}: expected input of shape [batch,4] (the first dimension is the batch), got ${got}`;

  it('predict, fit, evaluate and trainOnBatch name both shapes and the batch dimension', async () => {
    await expectError(() => m.predict(z([5, 3])), Shape, want('predict', '[5,3]'));
    await expectError(() => m.predict(z([4])), Shape, `${want('predict', '[4]')}; for one sample, add the batch axis: x.reshape([1,4]) or x.expandDims(0)`);
    await expectError(() => m.predict(z([5, 4, 1])), Shape, want('predict', '[5,4,1]'));
    await expectError(() => m.fit(z([5, 3]), y, { verbose: 0 }), Shape, want('fit', '[5,3]'));
    await expectError(() => m.evaluate(z([5, 3]), y), Shape, want('evaluate', '[5,3]'));
    await expectError(() => m.trainOnBatch(z([5, 3]), y), Shape, want('trainOnBatch', '[5,3]'));
    await expectError(() => m.fit(z([5, 4]), y, { verbose: 0, validationData: [z([5, 3]), y] }), Shape, want('fit: validationData', '[5,3]'));
  });

  it("a vector for a one-feature input is that many samples, as TF.js's standardizeInputData reads it (fit(tensor1d(xs), …) in its tutorials; it was refused with the reshape)", async () => {
    const make = () => {
      const m1 = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [1], units: 4, activation: 'tanh' }), layers.dense({ units: 1 })] });
      m1.compile({ optimizer: 'adam', loss: 'mse' });
      return m1;
    };
    const [a, b] = [make(), make()];
    const xs = nr.tensor1d([-1, 0.5, 2, 3]);
    const x2 = xs.reshape([4, 1]);
    const ys = nr.tensor1d([1, 0, -1, 2]);
    const before = nr.memory().numTensors;
    // The same bits as the [n, 1] form, in every entry point; nothing left behind.
    const la = (await a.fit(xs, ys, { epochs: 3, batchSize: 2, verbose: 0, validationData: [xs, ys] })).history.loss;
    const lb = (await b.fit(x2, ys, { epochs: 3, batchSize: 2, verbose: 0, validationData: [x2, ys] })).history.loss;
    expect(la).toEqual(lb);
    expect(a.trainOnBatch(xs, ys)).toBe(b.trainOnBatch(x2, ys));
    const [pa, pb] = [a.predict(xs), b.predict(x2)];
    expect(Array.from(pa.dataSync())).toEqual(Array.from(pb.dataSync()));
    // TF.js with the same weights reads the 1-D x the same way: [4, 1], the same values.
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [1], units: 4, activation: 'tanh' }), tfl.layers.dense({ units: 1 })] });
    const tw = nr.tidy(() => a.getWeights().map((w) => tf.tensor(w.dataSync(), [...w.shape])));
    t.setWeights(tw);
    const tx = tf.tensor1d([-1, 0.5, 2, 3]);
    const tp = t.predict(tx) as tf.Tensor;
    expect(pa.shape).toEqual(tp.shape);
    Array.from(tp.dataSync()).forEach((v, i) => expect(pa.dataSync()[i]).toBeCloseTo(v, 5));
    tf.dispose([tp, tx, ...tw]);
    t.dispose();
    const [ea, eb] = [a.evaluate(xs, ys) as nr.Tensor, b.evaluate(x2, ys) as nr.Tensor];
    expect(ea.item()).toBe(eb.item());
    // Under the tape the reshape is recorded: the gradient w.r.t. the 1-D x has its shape.
    const [ga, gb] = [nr.grad((x: nr.Tensor) => a.predict(x).sum())(xs), nr.grad((x: nr.Tensor) => b.predict(x).sum())(x2)];
    expect([ga.shape, Array.from(ga.dataSync())]).toEqual([[4], Array.from(gb.dataSync())]);
    nr.dispose([pa, pb, ea, eb, ga, gb]);
    expect(nr.memory().numTensors).toBe(before);
    // A vector for an input of more features stays an error with the fix.
    await expectError(() => m.predict(z([4])), Shape, `${want('predict', '[4]')}; for one sample, add the batch axis: x.reshape([1,4]) or x.expandDims(0)`);
    nr.dispose([xs, x2, ys]);
    a.dispose();
    b.dispose();
  });

  it('a vector for a one-feature input reads as [n, 1] on the autoencoder paths (encode, decode of a one-feature code, encodeDistribution, fit) and for an input of a graph model with several (TF.js reads each 1-D input so); they refused it', async () => {
    const before = nr.memory().numTensors;
    const xs = nr.tensor1d([-1, 0.5, 2, 3]);
    const x2 = xs.reshape([4, 1]);
    const same = (a: nr.Tensor, b: nr.Tensor, what: string) => {
      expect([a.shape, Array.from(a.dataSync())], what).toEqual([b.shape, Array.from(b.dataSync())]);
      nr.dispose([a, b]);
    };
    const ae = () => {
      const encoder = nr.sequential({ seed: 4, layers: [layers.dense({ inputShape: [1], units: 3, activation: 'tanh' }), layers.dense({ units: 1 })] });
      const a = nr.autoencoder({ encoder, decoder: layers.dense({ units: 1 }), seed: 4, ownsParts: true });
      a.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      return a;
    };
    const [a, b] = [ae(), ae()];
    same(a.encode(xs), b.encode(x2), 'encode');
    same(a.decode(xs), b.decode(x2), 'decode of a code of one feature');
    same(a.reconstruct(xs), b.reconstruct(x2), 'reconstruct');
    const [ha, hb] = [await a.fit(xs, { epochs: 2, batchSize: 2, verbose: 0, validationData: xs }), await b.fit(x2, { epochs: 2, batchSize: 2, verbose: 0, validationData: x2 })];
    expect(ha.history).toEqual(hb.history);
    expect(a.trainOnBatch(xs)).toBe(b.trainOnBatch(x2));
    const [ea, eb] = [a.evaluate(xs) as nr.Tensor, b.evaluate(x2) as nr.Tensor];
    same(ea, eb, 'evaluate');
    a.dispose();
    b.dispose();
    using vae = nr.sequential({ seed: 5, layers: [layers.dense({ inputShape: [1], units: 3 }), layers.variational({ units: 2 })] });
    const [da, db] = [vae.encodeDistribution(xs), vae.encodeDistribution(x2)];
    same(da.mean, db.mean, 'encodeDistribution mean');
    same(da.logVar, db.logVar, 'encodeDistribution logVar');
    // A graph model with an input of one feature beside another: the same as the [n, 1] form,
    // and as TF.js 4.22 with the same weights.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const graph = (L: any) => {
      const [u, v] = [L.input({ shape: [1], name: 'u' }), L.input({ shape: [2], name: 'v' })];
      const h = L.layers.dense({ units: 3, activation: 'tanh', name: 'h' }).apply(L.layers.concatenate({ name: 'c' }).apply([u, v]));
      return L.model({ inputs: [u, v], outputs: L.layers.dense({ units: 1, name: 'o' }).apply(h) });
    };
    using g = graph({ ...nr, model: (o: nr.ModelArgs) => nr.model({ ...o, seed: 6 }) }) as nr.LayersModel;
    const vs = nr.tensor([[1, 2], [0, -1], [0.5, 0.5], [3, 1]]);
    same(g.predict([xs, vs]) as nr.Tensor, g.predict([x2, vs]) as nr.Tensor, 'graph predict');
    const t = graph(tfl) as tfl.LayersModel;
    for (const l of g.layers) {
      const ws = l.getWeights();
      if (ws.length > 0) tf.tidy(() => t.getLayer(l.name).setWeights(ws.map((w) => tf.tensor(w.dataSync(), [...w.shape]))));
      nr.dispose(ws);
    }
    const [tu, tv] = [tf.tensor1d([-1, 0.5, 2, 3]), tf.tensor([[1, 2], [0, -1], [0.5, 0.5], [3, 1]])];
    const tp = t.predict([tu, tv]) as tf.Tensor;
    const np = g.predict([xs, vs]) as nr.Tensor;
    expect(np.shape).toEqual(tp.shape);
    Array.from(tp.dataSync()).forEach((v, i) => expect(np.dataSync()[i]).toBeCloseTo(v, 5));
    tf.dispose([tu, tv, tp]);
    t.dispose();
    g.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ys = nr.tensor1d([1, 0, -1, 2]);
    expect(g.trainOnBatch({ u: xs, v: vs }, ys)).toBeTypeOf('number');
    nr.dispose([np, vs, ys, xs, x2]);
    expect(nr.memory().numTensors).toBe(before);
  });

  it('a multi-dimensional input shape is spelled out', async () => {
    const m2 = nr.sequential({ layers: [layers.flatten({ inputShape: [2, 3] }), layers.dense({ units: 1 })] });
    await expectError(() => m2.predict(z([4, 3, 2])), Shape, 'predict: expected input of shape [batch,2,3] (the first dimension is the batch), got [4,3,2]');
    m2.dispose();
  });

  it('x and y with different sample counts, and empty data', async () => {
    await expectError(() => m.fit(z([5, 4]), z([4, 3]), { verbose: 0 }), Shape, 'fit: x has 5 samples (shape [5,4]) but y has 4 (shape [4,3]); the first dimension of both is the batch');
    await expectError(() => m.evaluate(z([5, 4]), z([6, 3])), Shape, 'evaluate: x has 5 samples but y has shape [6,3] (the first dimension of both is the batch)');
    await expectError(() => m.fit(z([0, 4]), z([0, 3]), { verbose: 0 }), Shape, 'fit: x has no samples (shape [0,4]); at least one is needed');
    // With several inputs: each input's name and shape as given, not the packed [0, 2].
    const [u, i] = [nr.input({ shape: [1], name: 'user' }), nr.input({ shape: [2, 3], name: 'item' })];
    const emb = (t: nr.SymbolicTensor) => layers.flatten().apply(layers.embedding({ inputDim: 10, outputDim: 4 }).apply(t) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const two = nr.model({ inputs: [u, i], outputs: layers.dense({ units: 1 }).apply(layers.concatenate().apply([emb(u), emb(i)])) as nr.SymbolicTensor });
    two.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const empty = [z([0, 1]), z([0, 2, 3])];
    const none = two.predict(empty) as nr.Tensor;
    expect(none.shape).toEqual([0, 1]);
    none.dispose();
    await expectError(() => two.fit(empty, z([0, 1]), { verbose: 0 }), Shape, 'fit: x has no samples (user [0,1], item [0,2,3]); at least one is needed');
    await expectError(() => two.evaluate(empty, z([0, 1])), Shape, 'evaluate: x has no samples (user [0,1], item [0,2,3]); at least one is needed');
    await expectError(() => two.trainOnBatch(empty, z([0, 1])), Shape, 'trainOnBatch: x has no samples (user [0,1], item [0,2,3]); at least one is needed');
    two.dispose();
    await expectError(() => m.fit(z([5, 4]), y, { verbose: 0, validationData: [z([5, 4]), z([2, 3])] }), Shape, 'fit: validationData: x has 5 samples (shape [5,4]) but y has 2 (shape [2,3]); the first dimension of both is the batch');
  });
});

describe('labels that do not fit the loss', () => {
  it('one-hot targets of the wrong shape, or not probabilities', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await expectError(() => m.fit(z([5, 4]), z([5, 4]), { verbose: 0 }), Shape, 'fit: categoricalCrossentropy on y: targets of shape [5,4] do not match predictions of shape [5,3]');
    await expectError(() => m.evaluate(z([5, 4]), t([0, 1, 2, 0, 1])), Shape, "evaluate: categoricalCrossentropy on y: targets of shape [5] do not match predictions of shape [5,3]; these look like class indices: compile with loss 'sparseCategoricalCrossentropy', or one-hot encode them with oneHot(y, 3)");
    await expectError(() => m.trainOnBatch(z([2, 4]), t([[0, 2, 0], [1, 0, 0]])), Invalid, 'trainOnBatch: categoricalCrossentropy on y: target[1] (sample 0, output 1) = 2 is not a probability: targets must be in [0, 1]');
    m.dispose();
  });

  it('sparse labels out of range, not integers, or one-hot', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expectError(() => m.fit(z([5, 4]), t([0, 1, 2, 3, 0]), { verbose: 0 }), Invalid, 'fit: sparseCategoricalCrossentropy on y: target[3] = 3 is not a class index: targets must be integers in [0, 3) for 3 classes');
    await expectError(() => m.fit(z([3, 4]), t([0, -1, 2]), { verbose: 0 }), Invalid, /target\[1\] = -1 is not a class index: targets must be integers in \[0, 3\) for 3 classes; a padding label is skipped with compile\(\{ loss: \{ name: 'sparseCategoricalCrossentropy', ignoreClass: -1 \} \}\), or pad the labels of masked steps with 0$/);
    await expectError(() => m.evaluate(z([3, 4]), t([0, 1.5, 2])), Invalid, /target\[1\] = 1\.5 is not a class index/);
    await expectError(() => m.fit(z([5, 4]), z([5, 3]), { verbose: 0 }), Shape, "fit: sparseCategoricalCrossentropy on y: targets must be class indices of shape [5] (the prediction shape [5,3] without its last axis), got shape [5,3]; these look like one-hot rows: compile with loss 'categoricalCrossentropy', or pass the class indices, y.argMax(-1)");
    m.dispose();
  });

  it('metrics check the targets as the losses do (a metric never reads part of them)', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['categoricalAccuracy'] });
    await expectError(() => m.fit(z([5, 4]), t([0, 1, 2, 0, 1]), { verbose: 0 }), Shape, "fit: categoricalAccuracy on y: compares targets with predictions value by value, so they need the predictions' shape [5,3], got [5]; for class indices use sparseCategoricalAccuracy (or 'accuracy', which follows the loss)");
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['sparseCategoricalAccuracy'] });
    await expectError(() => m.evaluate(z([2, 4]), t([[0, 1, 0], [1, 0, 0]])), Shape, 'evaluate: sparseCategoricalAccuracy on y: takes class indices of shape [2] (or [2,1] with a last axis of 1) for predictions of shape [2,3], got targets of shape [2,3]; for one-hot targets use categoricalAccuracy');
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'sparseCategoricalAccuracy'] });
    expect(m.evaluate(z([2, 4]), t([[0], [2]]), { returnDict: true })).toHaveProperty('acc');
    m.dispose();
    // A metric given to every output of a graph model meets one whose loss takes class indices:
    // said so (it said "need the predictions' shape [2,3], got [2]" of targets given as [2,1]).
    const x = nr.input({ shape: [2] });
    const g = nr.model({ inputs: x, outputs: [nr.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(x) as nr.SymbolicTensor, nr.layers.dense({ units: 1, name: 'reg' }).apply(x) as nr.SymbolicTensor] });
    g.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], metrics: ['mae'] });
    await expectError(() => g.fit(z([2, 2]), [t([[0], [2]]), t([[1], [2]])], { verbose: 0 }), Shape, "fit: mae on y[0] (output 0): compares targets with predictions value by value, but output 0's loss (sparseCategoricalCrossentropy) takes class indices as its targets, not values of the predictions' shape [2,3]: give each output its own metrics (compile's metrics as an object by output name or a list per output)");
    g.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], metrics: { cls: ['accuracy'], reg: ['mae'] } });
    expect(Object.keys(g.evaluate(z([2, 2]), [t([[0], [2]]), t([[1], [2]])], { returnDict: true }))).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_acc', 'reg_mae']);
    g.dispose();
  });

  it("binaryAccuracy compares the targets as they are, as TF.js's (a soft or out-of-range target never matches)", async () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'zeros', biasInitializer: 'ones' })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['accuracy', 'binaryAccuracy'] });
    const y = [0.9, 2, 0, 1];
    const r = m.evaluate(z([4, 1]), t(y.map((v) => [v])), { returnDict: true }) as Record<string, number>;
    const { tf } = await import('./oracle.js');
    const tfl = await import('@tensorflow/tfjs-layers');
    const want = tf.tidy(() => tf.mean(tfl.metrics.binaryAccuracy(tf.tensor(y, [4, 1]), tf.ones([4, 1]))).dataSync()[0]);
    expect(want).toBe(0.25);
    expect([r.acc, r.binaryAccuracy]).toEqual([want, want]);
    m.dispose();
  });

  it('hinge labels must be ±1 or 0/1, binary targets in [0, 1]', async () => {
    const m = model(1, 'tanh');
    m.compile({ optimizer: 'sgd', loss: 'hinge' });
    await expectError(() => m.fit(z([3, 4]), t([[-1], [0], [1]]), { verbose: 0 }), Invalid, 'fit: hinge on y: target[1] (sample 1, output 0) = 0: hinge targets must be all in {-1, 1} or all in {0, 1}');
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    await expectError(() => m.fit(z([2, 4]), t([[1], [-0.5]]), { verbose: 0 }), Invalid, 'fit: binaryCrossentropy on y: target[1] (sample 1, output 0) = -0.5 is not a probability: targets must be in [0, 1]');
    m.dispose();
  });
});

describe('NaN and Infinity in the data', () => {
  const m = model();
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const bad = () => t([[0, 0, 0, 0], [0, NaN, 0, 0]]);

  it('in x', async () => {
    await expectError(() => m.fit(bad(), t([0, 1]), { verbose: 0 }), Invalid, 'fit: x contains NaN at flat index 5 (shape [2,4]) (sample 1, feature 1); clean the data first');
    await expectError(() => m.evaluate(bad(), t([0, 1])), Invalid, 'evaluate: x contains NaN at flat index 5 (shape [2,4]) (sample 1, feature 1); clean the data first');
    await expectError(() => m.trainOnBatch(t([[0, 0, Infinity, 0]]), t([0])), Invalid, 'trainOnBatch: x contains Infinity at flat index 2 (shape [1,4]) (sample 0, feature 2); clean the data first');
  });

  it('in x at any position: the first one is named (block edges of the vectorized search)', async () => {
    // 300 × 4 values: the search tests blocks of 256 (16 lanes at a time), then the rest.
    for (const i of [0, 15, 16, 255, 256, 257, 1007, 1023, 1024, 1199]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const v = new Float32Array(1200).fill(0.5);
        v[i] = bad;
        if (i < 1199) v[1199] = NaN;
        const word = Number.isNaN(bad) ? 'NaN' : String(bad);
        const [x, y] = [nr.tensor(v, [300, 4]), nr.zeros([300])];
        await expectError(() => m.evaluate(x, y), Invalid, `evaluate: x contains ${word} at flat index ${i} (shape [300,4]) (sample ${Math.floor(i / 4)}, feature ${i % 4}); clean the data first`);
        x.dispose();
        y.dispose();
      }
    }
    // The largest finite values and subnormals pass.
    const ok = new Float32Array(1200).fill(3.4e38);
    ok[700] = -3.4e38;
    ok[701] = 1e-40;
    nr.tidy(() => {
      expect(() => m.evaluate(nr.tensor(ok, [300, 4]), nr.zeros([300]))).not.toThrow();
    });
  });

  it('in y', async () => {
    await expectError(() => m.fit(z([3, 4]), t([0, NaN, 1]), { verbose: 0 }), Invalid, 'fit: sparseCategoricalCrossentropy on y: target[1] is NaN; targets must be finite numbers');
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expectError(() => m.evaluate(z([1, 4]), t([[0, -Infinity, 0]])), Invalid, 'evaluate: meanSquaredError on y: target[1] (sample 0, output 1) is -Infinity; targets must be finite numbers');
    await expectError(() => m.trainOnBatch(z([1, 4]), t([[0, NaN, 0]])), Invalid, 'trainOnBatch: meanSquaredError on y: target[1] (sample 0, output 1) is NaN; targets must be finite numbers');
    await expectError(() => m.fit(z([2, 4]), z([2, 3]), { verbose: 0, validationData: [z([1, 4]), z([1, 2])] }), Shape, 'fit: validationData: meanSquaredError on y: targets of shape [1,2] do not match predictions of shape [1,3]');
  });

  it('core errors name the model method that raised them, keeping their class', async () => {
    const { errorFromStatus, inOp } = await import('../ts/errors.js');
    const e = errorFromStatus(2, 'dense: x of shape [2,5] does not fit');
    expect(inOp('fit', e)).toBe(e);
    expect(e).toBeInstanceOf(Shape);
    expect(e.message).toBe('fit: dense: x of shape [2,5] does not fit');
    expect((inOp('fit', e) as Error).message).toBe('fit: dense: x of shape [2,5] does not fit'); // once
    const own = errorFromStatus(1, 'fit: validationData: x has 5 samples');
    expect((inOp('fit', own) as Error).message).toBe('fit: validationData: x has 5 samples');
    // Errors that do not come from the core (a callback's, a TS-side check's) are left alone.
    const mine = new Invalid('earlyStopping: monitor');
    expect((inOp('fit', mine) as Error).message).toBe('earlyStopping: monitor');
  });
});

describe('compile', () => {
  const m = model();
  const x = z([2, 4]);
  const y = z([2, 3]);

  it('fit, evaluate, trainOnBatch and learningRate before compile', async () => {
    const msg = (op: string) => `${op}: the model must be compiled first: call model.compile({ optimizer, loss })`;
    await expectError(() => m.fit(x, y), Invalid, msg('fit'));
    await expectError(() => m.evaluate(x, y), Invalid, msg('evaluate'));
    await expectError(() => m.trainOnBatch(x, y), Invalid, msg('trainOnBatch'));
    await expectError(() => m.learningRate, Invalid, msg('learningRate'));
  });

  it('unknown loss, optimizer and metric names list the valid ones', async () => {
    // @ts-expect-error: an unknown loss name is a type error too
    await expectError(() => m.compile({ optimizer: 'sgd', loss: 'crossentropy' }), Invalid, /^compile: unknown loss 'crossentropy' \(known: meanSquaredError, meanAbsoluteError, huber, binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy, kullbackLeiblerDivergence, hinge, meanAbsolutePercentageError, meanSquaredLogarithmicError, logcosh, poisson, squaredHinge, categoricalHinge, cosineProximity, dice, mse, mae, kld, mape, MAPE, msle, MSLE, cosineSimilarity, logCosh\)$/);
    await expectError(() => m.compile({ optimizer: 'nadam' as 'adam', loss: 'mse' }), Invalid, 'compile: optimizer must be one of sgd, adam, adamw, rmsprop, adagrad, adamax, adadelta (or TF.js\'s SGD, Adam, AdamW, RMSProp, Adagrad, Adamax, Adadelta) or optimizers.<name>({...}), got the string "nadam"'); // Nadam is another algorithm: no 'did you mean adam'
    // @ts-expect-error: an unknown metric name is a type error too
    await expectError(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy', 'f1'] }), Invalid, 'compile: unknown metric "f1"; valid: accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, mse, mae (aliases: acc, meanSquaredError, meanAbsoluteError, MSE, MAE), the accumulated precision, Precision, recall, Recall, r2Score, R2Score, rmse, RMSE, rootMeanSquaredError, RootMeanSquaredError, auc, AUC, f1Score, F1Score (auc and f1Score also as { name, ...options }), the metrics.* names categoricalCrossentropy, crossentropy, ce, sparseCategoricalCrossentropy, binaryCrossentropy, mape, MAPE, meanAbsolutePercentageError, cosine, cosineProximity, or a function (yTrue, yPred) => Tensor');
    await expectError(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: 42 as never }), Invalid, "compile: metrics must be an array of names or functions, e.g. ['accuracy'], got 42");
    await expectError(() => m.compile({ optimizer: 'sgd' } as nr.CompileArgs), Invalid, "compile: loss is required, e.g. loss: 'categoricalCrossentropy'");
    await expectError(() => m.compile({ optimizer: 'sgd', loss: { name: 'huber', delta: -1 } }), Invalid, 'huber: delta must be a finite number > 0, got -1');
    // A loss object without its name: a misspelt key is named, else the missing name is asked for.
    await expectError(() => m.compile({ optimizer: 'sgd', loss: { nme: 'binaryCrossentropy', reduction: 'sumOverFeatures' } as never }), Invalid, "compile: unknown loss key 'nme' — did you mean 'name'? (known: name, reduction, delta, fromLogits, labelSmoothing, ignoreClass)");
    await expectError(() => m.compile({ optimizer: 'sgd', loss: { reduction: 'mean' } as never }), Invalid, "compile: the loss object { reduction } has no name: give one, e.g. { name: 'binaryCrossentropy', reduction: … }");
    await expectError(() => m.compile({ optimizer: 'sgd', loss: {} as never }), Invalid, "compile: the loss object {} has no name: give one, e.g. { name: 'binaryCrossentropy' }");
    // A single metric name is fine (as TF.js).
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: 'mae' });
    expect((m.evaluate(x, y) as nr.Tensor[]).map((r) => (r.dispose(), r.shape))).toEqual([[], []]);
  });

  it('unknown activation names list the valid ones', async () => {
    await expectError(() => layers.dense({ units: 3, activation: 'relux' as nr.ActivationName }), Invalid, /^dense: unknown activation 'relux' — did you mean 'relu'\?; valid names: linear, .*relu, .*softmax, .*gelu, swish/);
    await expectError(() => layers.activation({ activation: 'tanhh' as nr.ActivationName }), Invalid, /^activation: unknown activation 'tanhh' — did you mean 'tanh'\?; valid names: /);
    await expectError(() => layers.dense({ units: 3, kernelInitializer: 'xavier' as 'zeros' }), Invalid, /^dense: unknown kernelInitializer "xavier"; valid: zeros, ones, constant, .*heNormal/);
  });
});

describe('bad layer and fit options', () => {
  it('layer options', async () => {
    await expectError(() => layers.dense({ units: 0 }), Invalid, 'dense: units must be an integer in [1, 16777215], got 0');
    await expectError(() => layers.dense({ units: 2.5 }), Invalid, 'dense: units must be an integer in [1, 16777215], got 2.5');
    await expectError(() => layers.dense({} as nr.DenseArgs), Invalid, 'dense: units must be an integer in [1, 16777215], got undefined');
    await expectError(() => layers.dense(null as unknown as nr.DenseArgs), Invalid, 'dense: expected an options object, got null');
    await expectError(() => layers.dropout({ rate: 1 }), Invalid, 'dropout: rate must be a number in [0, 1), got 1');
    await expectError(() => layers.dropout({ rate: -0.1 }), Invalid, 'dropout: rate must be a number in [0, 1), got -0.1');
    await expectError(() => (layers.dropout as (a?: unknown) => unknown)(), Invalid, 'dropout: rate must be a number in [0, 1), got undefined');
    await expectError(() => layers.gaussianNoise({ stddev: -1 }), Invalid, 'gaussianNoise: stddev must be a finite number >= 0, got -1');
    await expectError(() => layers.batchNormalization({ momentum: 2 }), Invalid, 'batchNormalization: momentum must be a number in [0, 1], got 2');
    await expectError(() => layers.batchNormalization({ epsilon: 0 }), Invalid, 'batchNormalization: epsilon must be a positive number, got 0');
    await expectError(() => layers.layerNormalization({ epsilon: -1 }), Invalid, 'layerNormalization: epsilon must be a positive number, got -1');
    await expectError(() => (layers.activation as (a?: unknown) => unknown)({}), Invalid, "activation: the activation option is required, e.g. layers.activation({ activation: 'relu' })");
    await expectError(() => layers.reshape({ targetShape: [2.5] }), Invalid, 'reshape: targetShape[0] must be an integer in [-1, 536870911], got 2.5');
    await expectError(() => layers.dense({ units: 2, inputShape: [0] }), Invalid, 'dense: inputShape[0] must be an integer in [1, 536870911], got 0');
    await expectError(() => layers.dense({ units: 2, kernelRegularizer: nr.regularizers.l1({ l1: -1 }) }), Invalid, 'regularizers.l1: l1 must be a finite number >= 0, got -1');
  });

  it('every config argument is checked and named (the fuzzer found raw TypeErrors and wrapped integers)', async () => {
    const bad = <T>(v: unknown) => v as T;
    // Initializer objects other than { name, params } (a seed key crashed with a TypeError).
    await expectError(() => layers.dense({ units: 2, kernelInitializer: bad({ name: 'glorotUniform', seed: 'x' }) }), Invalid, 'dense: kernelInitializer: seed must be a finite number, got the string "x"');
    await expectError(() => layers.dense({ units: 2, kernelInitializer: bad({ name: 'glorotUniform', sed: 1 }) }), Invalid,
      'dense: kernelInitializer has an unknown key \'sed\' (an initializer is a name or { name, params, seed }), got {"name":"glorotUniform","sed":1}');
    await expectError(() => layers.dense({ units: 2, biasInitializer: bad({ name: 'constant', params: [NaN, 0] }) }), Invalid, 'dense: biasInitializer: params must be two finite numbers, got [NaN,0]');
    await expectError(() => layers.dense({ units: 2, kernelInitializer: bad(5) }), Invalid, /^dense: kernelInitializer must be an initializer name or an initializer object, got 5;/);
    await expectError(() => layers.prelu({ alphaInitializer: bad({ name: 'randomUniform', params: [1, 1] }) }), Invalid, 'prelu: alphaInitializer: minval must be less than maxval, got minval 1 and maxval 1');
    // The factories check their options (null crashed with a TypeError).
    for (const f of ['constant', 'randomUniform', 'randomNormal', 'truncatedNormal', 'zeros', 'glorotUniform'] as const) {
      await expectError(() => (nr.initializers[f] as (o: unknown) => unknown)(null), Invalid, `initializers.${f}: options must be an object, got null`);
    }
    await expectError(() => nr.initializers.randomNormal({ stddev: -1 }), Invalid, 'initializers.randomNormal: stddev must be >= 0, got -1');
    // TF.js seeds each initializer; neurite keeps the seed for saving (the model's seed draws): checked as a number.
    await expectError(() => nr.initializers.randomUniform({ seed: '1' } as never), Invalid, 'initializers.randomUniform: seed must be a finite number, got the string "1"');
    await expectError(() => nr.initializers.glorotUniform({ seed: NaN }), Invalid, 'initializers.glorotUniform: seed must be a finite number, got NaN');
    await expectError(() => nr.initializers.randomUniform({ sed: 1 } as never), Invalid, "initializers.randomUniform: unknown option 'sed' — did you mean 'seed'? (known: minval, maxval, seed)");
    expect(nr.initializers.constant({ value: 0.5 })).toEqual({ name: 'constant', params: [0.5, 0] });
    for (const f of ['l1', 'l2', 'l1l2'] as const) {
      await expectError(() => (nr.regularizers[f] as (o: unknown) => unknown)(null), Invalid, `regularizers.${f}: options must be an object, got null`);
    }
    await expectError(() => layers.dense({ units: 2, biasRegularizer: bad({ l1: 0.1, l2: 0, l3: 1 }) }), Invalid, 'dense: biasRegularizer has an unknown key \'l3\' (a regularizer is { l1, l2 }), got {"l1":0.1,"l2":0,"l3":1}');
    await expectError(() => layers.dense({ units: 2, activityRegularizer: bad({ l1: '1', l2: 0 }) }), Invalid, /^dense: activityRegularizer must be 'l1', 'l2', 'l1l2' or regularizers.l1l2/);
    // Integers go through one checked conversion with a range: 2^32 is not read as 0.
    await expectError(() => nr.sequential({ layers: [layers.dense({ units: 1, inputShape: [2 ** 32] })] }), Invalid, 'dense: inputShape[0] must be an integer in [1, 536870911], got 4294967296');
    await expectError(() => layers.dense({ units: 1, batchInputShape: [null, 3, 2 ** 32 + 1] }), Invalid, 'dense: batchInputShape[2] must be an integer in [1, 536870911], got 4294967297');
    await expectError(() => layers.dense({ units: 1, inputShape: [2 ** 20, 2 ** 20] }), Invalid, 'dense: inputShape [1048576,1048576] has 1099511627776 elements per sample, more than the 536870911 one tensor can hold');
    await expectError(() => layers.dense({ units: 2 ** 32 }), Invalid, 'dense: units must be an integer in [1, 16777215], got 4294967296');
    await expectError(() => layers.rbf({ units: 2 ** 32 + 3 }), Invalid, 'rbf: units must be an integer in [1, 16777215], got 4294967299');
    await expectError(() => layers.reshape({ targetShape: [2 ** 32] }), Invalid, 'reshape: targetShape[0] must be an integer in [-1, 536870911], got 4294967296');
    await expectError(() => layers.reshape({ targetShape: [-1, -1] }), Invalid, 'reshape: targetShape may have at most one -1 or null (inferred), got [-1,-1]');
    // Booleans and names.
    await expectError(() => layers.dense({ units: 1, useBias: bad(0) }), Invalid, 'dense: useBias must be true or false, got 0');
    await expectError(() => layers.dropout({ rate: 0.5, trainable: bad('no') }), Invalid, 'dropout: trainable must be true or false, got the string "no"');
    await expectError(() => layers.batchNormalization({ center: bad(1) }), Invalid, 'batchNormalization: center must be true or false, got 1');
    await expectError(() => layers.layerNormalization({ scale: bad({}) }), Invalid, 'layerNormalization: scale must be true or false, got an object (Object)');
    await expectError(() => layers.flatten({ name: bad(5) }), Invalid, 'flatten: name must be a non-empty string, got 5');
  });

  it('layers that cannot be built for the input shape', async () => {
    const m = nr.sequential({ layers: [layers.reshape({ targetShape: [3] })] });
    await expectError(() => m.build([4]), Shape, 'reshape: cannot reshape x of shape [4] (4 elements) to [3] (3 elements)');
    m.dispose();
    // With the input shape known, at add, as TF.js (the layer is not added).
    await expectError(() => nr.sequential({ layers: [layers.reshape({ inputShape: [4], targetShape: [3] })] }), Invalid, /^add: sequential_\d+\.layers\[0\] \(reshape reshape_\d+\): targetShape \[3\] does not fit the per-sample input shape \[4\] \(4 values\)$/);
    await expectError(() => nr.sequential({ layers: [layers.dense({ units: 3 })] }).predict(z([1, 4])), Invalid, /^predict: model sequential_\d+ does not know its input shape; give the first layer an inputShape/);
    // Said as the call that needed the weights, not as a build() never written (helper-329).
    await expectError(() => nr.sequential({ layers: [layers.dense({ units: 3 })] }).setWeights([]), Invalid, /^setWeights: model sequential_\d+ does not know its input shape; give the first layer an inputShape/);
    // TF.js's static form fromConfig(cls, config) says how it is written here.
    const config = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 1 })] }).getConfig();
    await expectError(() => (nr.Sequential.fromConfig as (...a: unknown[]) => unknown)(nr.Sequential, config), Invalid, "fromConfig: config is a class (Sequential): TF.js's static form fromConfig(cls, config) is fromConfig(config) here (Sequential.fromConfig(config), sequential.fromConfig(config))");
    // The example names the first layer's kind and a shape of its kind.
    await expectError(() => nr.sequential({ layers: [layers.conv2d({ filters: 2, kernelSize: 3 })] }).predict(z([1, 5, 5, 1])), Invalid, /e\.g\. layers\.conv2d\(\{ inputShape: \[28, 28, 1\], … \}\) \(TF\.js also asks for it; Keras 3 builds on the first batch\)$/);
    // An embedding without one takes any length, as TF.js's (batchInputShape [null, null]: test/varlen-more.test.ts).
    const anyLength = nr.sequential({ layers: [layers.embedding({ inputDim: 50, outputDim: 4 }), layers.globalAveragePooling1d()] });
    expect(nr.tidy(() => anyLength.predict(z([2, 5])).shape)).toEqual([2, 4]);
    anyLength.dispose();
    // A 1-D layer's hint also gives a shape of any length.
    await expectError(() => nr.sequential({ layers: [layers.maxPooling1d()] }).predict(z([1, 5, 2])), Invalid, /e\.g\. layers\.maxPooling1d\(\{ inputShape: \[100, 8\], … \}\), or inputShape: \[null, 8\] for sequences of any length/);
    await expectError(() => nr.sequential({ layers: [layers.flatten(), layers.dense({ units: 2 })] }).predict(z([1, 28, 28])), Invalid, /e\.g\. layers\.flatten\(\{ inputShape: \[28, 28\], … \}\) \(TF\.js also asks for it; Keras 3 builds on the first batch\)$/);
    await expectError(() => nr.sequential({ layers: [layers.dense({ units: 2 })] }).predict(z([1, 4])), Invalid, /e\.g\. layers\.dense\(\{ inputShape: \[784\], … \}\) \(TF\.js also asks for it; Keras 3 builds on the first batch\)$/);
    await expectError(() => nr.sequential().build([4]), Invalid, /^build: model sequential_\d+ has no layers$/);
    // TF.js's batch shape with a null batch dimension is the per-sample shape after it; a null elsewhere is an error.
    const [a1, a2] = [nr.sequential({ layers: [layers.dense({ units: 3 })] }), nr.sequential({ layers: [layers.dense({ units: 3 })] })];
    a1.build([null, 5]);
    a2.build([5]);
    expect([a1.inputShape, a1.outputShape]).toEqual([[null, 5], [null, 3]]);
    expect(a1.countParams()).toBe(a2.countParams());
    await expectError(() => nr.sequential({ layers: [layers.dense({ units: 3 })] }).build([5, null] as never), Invalid, /^build: inputShape\[1\] must be/);
    a1.dispose();
    a2.dispose();
    // Weights beyond one tensor: said of the layer's weights (it said "the result of this call").
    await expectError(() => nr.sequential({ layers: [layers.dense({ inputShape: [100000], units: 16000000, name: 'wide' })] }).build(), nr.OutOfMemoryError, "layer 'wide' (dense): its weights for per-sample input shape [100000] would need a tensor of 1600000000000 float32 values (6400000000000 bytes), more than one tensor may hold (2^29 - 1 float32 values, 2 GiB): make the layer smaller (fewer units or filters, a smaller kernel or vocabulary) or its input");
    await expectError(() => nr.tidy(() => layers.conv2d({ filters: 60000, kernelSize: 3 }).apply(nr.zeros([1, 8, 8, 1000]))), nr.OutOfMemoryError, /^apply: layer conv2d_\d+ \(conv2d\) on x of per-sample shape \[8,8,1000\]: (conv2d: )?its weights for per-sample input shape \[8, 8, 1000\] would need a tensor of 540000000 float32 values \(2160000000 bytes\), more than one tensor may hold .*a smaller kernel or vocabulary\) or its input$/);
  });

  it('model structure', async () => {
    const m = model();
    m.build();
    // A built model takes a layer (test/sequential-pop.test.ts); one nested in a built model cannot change.
    const nested = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 3 })] });
    const outer = nr.sequential({ layers: [nested, layers.dense({ units: 1 })] });
    outer.summary(() => {});
    await expectError(() => nested.add(layers.dense({ units: 2 })), Invalid, new RegExp(`^add: model ${nested.name} is nested in model ${outer.name}, which is built, so its layers cannot change`));
    for (const x of [outer, nested]) x.dispose();
    await expectError(() => nr.sequential({ layers: [42 as unknown as nr.Layer] }), Invalid, 'add: expected a layer (e.g. layers.dense({...})) or a sequential model, got 42');
    await expectError(() => nr.sequential({ layers: 42 as unknown as nr.Layer[] }), Invalid, 'sequential: layers must be an array of layers, got 42');
    await expectError(() => nr.sequential({ seed: -1 }), Invalid, 'sequential: seed must be an integer between 0 and 2^53 - 1, got -1');
    const inner = model();
    nr.sequential({ layers: [inner] });
    nr.sequential({ layers: [inner] }); // a model can sit in several models (shared)
    await expectError(() => nr.sequential({ layers: [inner, inner] }), Invalid, /^add: model sequential_\d+ is already in model sequential_\d+ \(directly or inside a nested model\); a layer can be used once per model for now$/);
    await expectError(() => m.setWeights([z([2])]), Invalid, /^setWeights: model sequential_\d+ has 2 weights \(\[\d+,\d+\], \[\d+\]\), got 1 tensor \(\[2\]\)$/);
    m.dispose();
  });

  it('setWeights refuses non-finite values (unless allowNonFinite) and changes nothing when it fails', async () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 2 })] });
    const values = () => {
      const ws = m.getWeights();
      const v = ws.map((w) => Array.from(w.dataSync()));
      nr.dispose(ws);
      return v;
    };
    const before = values();
    const kernel = nr.tensor([[1, 2], [3, 4], [5, 6]]);
    const bias = nr.tensor([Infinity, 1]);
    const [nanKernel, zeros2, zeros3] = [nr.tensor([[1, 2], [3, NaN], [5, 6]]), nr.zeros([2]), nr.zeros([3])];
    await expectError(() => m.setWeights([kernel, bias]), Invalid, 'setWeights: weight 1 (`bias` of layer 0) holds Infinity at flat index 0; weights must be finite (pass { allowNonFinite: true } to set it anyway)');
    await expectError(() => m.setWeights([nanKernel, zeros2]), Invalid, /^setWeights: weight 0 \(`kernel` of layer 0\) holds NaN at flat index 3;/);
    // The kernel came before the bad bias, and a shape error after a good weight: neither was set.
    await expectError(() => m.setWeights([kernel, zeros3]), nr.ShapeError, /^setWeights: weight 1 \(`bias` of layer 0\) has shape \[2\] but the value has shape \[3\]/);
    expect(values()).toEqual(before);
    await expectError(() => m.setWeights([kernel, bias], { allowNonFinit: true } as never), Invalid, /^setWeights: unknown option 'allowNonFinit' — did you mean 'allowNonFinite'\?/);
    await expectError(() => m.setWeights([kernel, bias], { allowNonFinite: 1 } as never), Invalid, 'setWeights: allowNonFinite must be true or false, got 1');
    m.setWeights([kernel, bias], { allowNonFinite: true });
    expect(values()[1]).toEqual([Infinity, 1]);
    nr.dispose([kernel, bias, nanKernel, zeros2, zeros3]);
    m.dispose();
  });

  it('fit, predict and evaluate options', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const [x, y] = [z([5, 4]), z([5, 3])];
    await expectError(() => m.fit(x, y, { batchSize: 0 }), Invalid, 'fit: batchSize must be a positive integer, got 0');
    await expectError(() => m.fit(x, y, { batchSize: 1.5 }), Invalid, 'fit: batchSize must be a positive integer, got 1.5');
    await expectError(() => m.predict(x, { batchSize: 0 }), Invalid, 'predict: batchSize must be a positive integer, got 0');
    await expectError(() => m.evaluate(x, y, { batchSize: -2 }), Invalid, 'evaluate: batchSize must be a positive integer, got -2');
    await expectError(() => m.fit(x, y, { epochs: -1 }), Invalid, 'fit: epochs must be an integer >= 0, got -1');
    await expectError(() => m.fit(x, y, { validationSplit: 1 }), Invalid, 'fit: validationSplit must be a number in [0, 1), got 1');
    // As TF.js: ⌊5·(1 − 0.9)⌋ = 0 samples would train.
    await expectError(() => m.fit(x, y, { validationSplit: 0.9 }), Invalid, 'fit: validationSplit 0.9 of 5 samples leaves 5 for validation and 0 for training; both need at least 1');
    await expectError(() => m.fit(x, y, { validationSplit: 1e-17 }), Invalid, 'fit: validationSplit 1e-17 of 5 samples leaves 0 for validation and 5 for training; both need at least 1');
    await expectError(() => m.fit(x, y, { yieldEveryMs: -1, verbose: 0 }), Invalid, 'fit: yieldEveryMs must be a number >= 0, got -1');
    await expectError(() => m.fit(x, y, null as unknown as nr.FitArgs), Invalid, 'fit: options must be an object like { epochs: 10, batchSize: 32 }, got null');
    await expectError(() => m.fit(x, y, { verbose: 0, callbacks: [null as unknown as nr.CallbackHooks] }), Invalid, 'fit: callbacks[0] must be an object with hooks such as onEpochEnd, got null');
    await expectError(() => m.predict([[1, 2, 3, 4]] as unknown as nr.Tensor), Invalid, 'predict: x must be a Tensor, got an array of length 1; make one from the values with tensor(x) (nested arrays give the shape, e.g. tensor([[0, 1], [1, 0]]) is [2, 2]), and dispose it when done');
    await expectError(() => nr.callbacks.earlyStopping({ patience: -1 }), Invalid, 'earlyStopping: patience must be a non-negative integer, got -1');
    await expectError(() => nr.callbacks.reduceLROnPlateau({ factor: 1 }), Invalid, 'reduceLROnPlateau: factor must be in (0, 1), got 1');
    await expectError(() => (m.learningRate = -1), Invalid, 'learningRate: must be a finite number >= 0, got -1');
    await expectError(() => (m.learningRate = NaN), Invalid, 'learningRate: must be a finite number >= 0, got NaN');
    await expectError(() => (m.learningRate = '0.1' as unknown as number), Invalid, 'learningRate: must be a finite number >= 0, got the string "0.1"');
    // A rate whose factor on the compiled one leaves float32 would have changed nothing (the core only reads then).
    const lr = m.learningRate;
    await expectError(() => (m.learningRate = 1e-50), Invalid, new RegExp(`^learningRate: 1e-50 is too small beside the compiled rate ${lr}: its factor on the compiled rate, [0-9.e-]+, is 0 in float32 \\(set 0 to freeze the weights by rate\\)$`));
    await expectError(() => (m.learningRate = 1e300), Invalid, new RegExp(`^learningRate: 1e\\+300 is too large beside the compiled rate ${lr}: its factor on the compiled rate, [0-9.e+]+, is Infinity in float32`));
    expect(m.learningRate).toBe(lr);
    m.learningRate = 1e-30; // tiny but representable: set
    expect(m.learningRate).toBeCloseTo(1e-30, 36);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0 }), loss: 'mse' });
    await expectError(() => (m.learningRate = 0.1), Invalid, 'learningRate: the compiled learning rate is 0 at step 1, so 0.1 cannot be reached by rescaling it; compile with a non-zero learningRate (a schedule\'s warm-up or decay to 0 can be rescaled where it is not 0)');
    m.learningRate = 0; // 0 on a rate of 0: nothing to rescale, accepted
    expect(m.learningRate).toBe(0);
    m.dispose();
  });
});

describe('use after dispose', () => {
  it('every model method throws DisposedError', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.dispose();
    const [x, y] = [z([2, 4]), z([2, 3])];
    const msg = (op: string) => new RegExp(`^${op}: model sequential_\\d+ is disposed$`);
    await expectError(() => m.predict(x), Disposed, msg('predict'));
    await expectError(() => m.fit(x, y), Disposed, msg('fit'));
    await expectError(() => m.evaluate(x, y), Disposed, msg('evaluate'));
    await expectError(() => m.trainOnBatch(x, y), Disposed, msg('trainOnBatch'));
    await expectError(() => m.compile({ optimizer: 'sgd', loss: 'mse' }), Disposed, msg('compile'));
    await expectError(() => m.getWeights(), Disposed, msg('getWeights'));
    await expectError(() => m.setWeights([]), Disposed, msg('setWeights'));
    await expectError(() => m.summary(() => {}), Disposed, msg('summary'));
    await expectError(() => m.learningRate, Disposed, msg('learningRate'));
    await expectError(() => m.add(layers.dense({ units: 1 })), Disposed, msg('add'));
    // A model that was never built or compiled says the same.
    const never = model();
    never.dispose();
    await expectError(() => never.fit(x, y), Disposed, msg('fit'));
  });

  it('disposed tensors passed to a model', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.zeros([2, 4]);
    x.dispose();
    await expectError(() => m.predict(x), Disposed, 'predict: x is a disposed tensor (shape [2,4])');
    await expectError(() => m.fit(z([2, 4]), x), Disposed, 'fit: y is a disposed tensor (shape [2,4])');
    m.dispose();
  });
});

describe('after all these errors', () => {
  it('the module still works, and no model or tensor was leaked by a failed call', () => {
    owned.forEach((x) => x.dispose());
    owned.length = 0;
    models.forEach((m) => m.dispose());
    // Models whose build failed were freed by build itself; nothing else is left.
    expect(nr.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes, numHandles: start.numHandles });
    using m = model(2, 'linear');
    using x = nr.ones([3, 4]);
    using y = m.predict(x);
    expect(y.shape).toEqual([3, 2]);
  });
});

describe('error stacks', () => {
  // V8 keeps 10 frames by default; neurite's own calls filled them (matMul inside a loss inside
  // fit, concat), so the stack never reached the line that made the mistake.
  it("reach the caller's line past neurite's own frames, and leave Error.stackTraceLimit as it was", async () => {
    // Fewer than neurite's own frames (V8's default 10 was, in the bundle; vitest raises it).
    const runner = Error.stackTraceLimit;
    Error.stackTraceLimit = 3;
    const limit = Error.stackTraceLimit;
    const a = nr.zeros([2, 3]);
    const b = nr.zeros([4, 5]);
    const deep = (k: number): unknown => (k === 0 ? nr.tidy(() => nr.matMul(a, b)) : deep(k - 1));
    let stack = '';
    try {
      deep(3);
    } catch (e) {
      expect(e).toBeInstanceOf(nr.ShapeError);
      stack = (e as Error).stack ?? '';
    }
    expect(stack).toMatch(/model-errors\.test\.ts/);
    expect(Error.stackTraceLimit).toBe(limit);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    m.compile({ optimizer: 'sgd', loss: function shapes(t: nr.Tensor, p: nr.Tensor) { return nr.matMul(t, nr.transpose(nr.zeros([5, 5]))).add(p.sum()); } });
    const x = nr.zeros([4, 3]);
    const y = nr.zeros([4, 2]);
    const err = await m.fit(x, y, { verbose: 0 }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/^fit: the loss function 'shapes' threw: matMul: /);
    expect(err?.stack).toMatch(/model-errors\.test\.ts/);
    Error.stackTraceLimit = runner;
    nr.dispose([a, b, x, y, m]);
  });
});
