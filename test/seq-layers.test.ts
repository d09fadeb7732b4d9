// The embedding, repeatVector, permute and rescaling layers against TF.js Layers on the CPU
// backend (same weights: the same outputs, input gradients, training steps and saved models),
// the embedding's weight gradient against its closed form (a scatter-add of dL/dy into the rows
// each index picked), and bad indices and options named in errors.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown as thrownAny } from './setup.js';
import { close, expectFitAsTfjs, expectLayersAsTfjs, expectSameBitsForThreads, expectTfjsRoundTrip, rng, tfArtifacts, uniform } from './oracle.js';

await tf.setBackend('cpu');
const { layers } = nr;
const thrown = (f: () => unknown) => thrownAny(f) as Error;

/** `n` indices in `[0, dim)` from `r`, with 0 and dim − 1 at the start and a repeat. */
function indices(r: () => number, n: number, dim: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.floor(r() * dim);
  v[0] = 0;
  v[1] = dim - 1;
  v[2] = dim - 1;
  return v;
}

const oneHot = (r: () => number, rows: number, k: number): Float32Array => {
  const y = new Float32Array(rows * k);
  for (let i = 0; i < rows; i++) y[i * k + Math.floor(r() * k)] = 1;
  return y;
};

describe('embedding: a text classifier trains as in TF.js', () => {
  // inputDim 11 and outputDim 5 (odd), 10 samples of 6 indices in batches of 4 (a last batch of
  // 2), with 0, inputDim − 1 and repeated indices in the first batch.
  const r = rng(3);
  const x = indices(r, 10 * 6, 11);
  const y3 = oneHot(r, 10, 3);
  const y1 = Float32Array.from({ length: 10 }, () => (r() < 0.5 ? 1 : 0));
  for (const [opt, make] of [
    ['sgd', [() => nr.optimizers.sgd(0.5), () => tf.train.sgd(0.5)]],
    ['adam', [() => nr.optimizers.adam(0.05), () => tf.train.adam(0.05)]],
  ] as const) {
    it(`embedding → flatten → dense softmax, ${opt}`, async () => {
      await expectFitAsTfjs(`flatten ${opt}`, [
        [layers.embedding({ inputDim: 11, outputDim: 5, inputLength: 6 }), tfl.layers.embedding({ inputDim: 11, outputDim: 5, inputLength: 6 })],
        [layers.flatten(), tfl.layers.flatten()],
        [layers.dense({ units: 3, activation: 'softmax' }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
      ], { seed: 4, x, xShape: [10, 6], y: y3, yShape: [10, 3], loss: 'categoricalCrossentropy', optimizer: [make[0], make[1]], epochs: 3, batchSize: 4, outputShape: [3] });
    });
    it(`embedding → globalAveragePooling1d → dense sigmoid, ${opt}`, async () => {
      await expectFitAsTfjs(`pooling ${opt}`, [
        [layers.embedding({ inputDim: 11, outputDim: 5, inputShape: [6], embeddingsInitializer: 'randomNormal' }), tfl.layers.embedding({ inputDim: 11, outputDim: 5, inputShape: [6] })],
        [layers.globalAveragePooling1d(), tfl.layers.globalAveragePooling1d({})],
        [layers.dense({ units: 1, activation: 'sigmoid' }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })],
      ], { seed: 9, x, xShape: [10, 6], y: y1, yShape: [10, 1], loss: 'binaryCrossentropy', optimizer: [make[0], make[1]], epochs: 3, batchSize: 4, outputShape: [1] });
    });
  }

  it('an l2 regularizer on the embeddings trains as in TF.js', async () => {
    await expectFitAsTfjs('l2', [
      [layers.embedding({ inputDim: 11, outputDim: 5, inputLength: 6, embeddingsRegularizer: nr.regularizers.l2({ l2: 0.1 }) }),
        tfl.layers.embedding({ inputDim: 11, outputDim: 5, inputLength: 6, embeddingsRegularizer: tfl.regularizers.l2({ l2: 0.1 }) })],
      [layers.flatten(), tfl.layers.flatten()],
      [layers.dense({ units: 3, activation: 'softmax' }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
    ], { seed: 6, x, xShape: [10, 6], y: y3, yShape: [10, 3], loss: 'categoricalCrossentropy', optimizer: [() => nr.optimizers.sgd(0.5), () => tf.train.sgd(0.5)], epochs: 2, batchSize: 4 });
  });
});

describe('embedding: outputs and gradients', () => {
  /** A one-layer model of each library with neurite's weights, for per-sample index shape `shape`. */
  function pair(shape: number[], inputDim: number, outputDim: number) {
    const n = nr.sequential({ seed: 2, layers: [layers.embedding({ inputDim, outputDim, inputShape: shape, embeddingsInitializer: nr.initializers.randomUniform({ minval: -1, maxval: 1 }) })] });
    const input = tfl.input({ shape });
    const t = tfl.model({ inputs: input, outputs: tfl.layers.embedding({ inputDim, outputDim }).apply(input) as tfl.SymbolicTensor });
    n.build();
    const [e] = n.getWeights();
    const table = e.data();
    e.dispose();
    t.layers[1].setWeights([tf.tensor(table, [inputDim, outputDim])]);
    return { n, t, table };
  }

  // Rank 1 (one index per sample: [batch] → [batch, outputDim]), 2 and 3 ([batch, 2, 3]).
  for (const shape of [[], [7], [2, 3]]) {
    it(`per-sample index shape ${JSON.stringify(shape)}: the rows of the table, as TF.js, and dE as the scatter-add of dL/dy`, () => {
      const [inputDim, outputDim] = [9, 3];
      const { n, t, table } = pair(shape, inputDim, outputDim);
      try {
        const xShape = [5, ...shape];
        const size = xShape.reduce((a, b) => a * b, 1);
        const x = indices(rng(shape.length + 1), size, inputDim);
        const got = nr.tidy(() => n.predict(nr.tensor(x, xShape)).data());
        const want = tf.tidy(() => (t.apply(tf.tensor(x, xShape)) as tf.Tensor).dataSync());
        expect(Array.from(got)).toEqual(Array.from(want));
        expect(n.outputShape).toEqual([null, ...shape, outputDim]);
        // y = E[x]: each output row is the table's row (bit for bit).
        for (let k = 0; k < size; k++) expect(Array.from(got.slice(k * outputDim, (k + 1) * outputDim))).toEqual(Array.from(table.slice(x[k] * outputDim, (x[k] + 1) * outputDim)));
        // L = Σ w·y: dL/dE[i] = Σ over the positions holding i of w at that position (closed form),
        // through variableGrads (the tape) and as TF.js's variableGrads.
        const w = uniform(rng(11), size * outputDim, -1, 1);
        const dE = new Float64Array(inputDim * outputDim);
        for (let k = 0; k < size; k++) for (let c = 0; c < outputDim; c++) dE[x[k] * outputDim + c] += w[k * outputDim + c];
        const loss = () => n.predict(nr.tensor(x, xShape)).mul(nr.tensor(w, [...xShape, outputDim])).sum();
        const g = expectNoLeak(() => nr.tidy(() => Object.values(nr.variableGrads(loss, n.trainableWeights).grads)[0].data()));
        close(g, dE, 1e-5, 'dE (closed form)');
        const tg = tf.tidy(() => Object.values(tf.variableGrads(() => tf.sum(tf.mul(t.apply(tf.tensor(x, xShape)) as tf.Tensor, tf.tensor(w, [...xShape, outputDim]))) as tf.Scalar).grads)[0].dataSync());
        close(g, tg, 1e-5, 'dE (TF.js)');
        expect(g.some((v) => v !== 0)).toBe(true);
        // The indices have no gradient (TF.js 4.22 throws "The gradient of input indices must have
        // 'float32' dtype, but has 'int32'"): zeros.
        const dx = nr.tidy(() => nr.grad((xt) => n.predict(xt).mul(nr.tensor(w, [...xShape, outputDim])).sum())(nr.tensor(x, xShape)).data());
        expect(Array.from(dx)).toEqual(new Array(size).fill(0));
        expect(() => tf.tidy(() => tf.grad((xt: tf.Tensor) => tf.sum(t.apply(xt) as tf.Tensor))(tf.tensor(x, xShape)))).toThrow(/gradient of input indices must have 'float32' dtype/);
      } finally {
        n.dispose();
        t.dispose();
      }
    });
  }

  it('optimizer.minimize moves only the rows the batch used, by lr times their summed gradient', () => {
    const { n, t, table } = pair([4], 6, 2);
    t.dispose();
    try {
      const x = new Float32Array([1, 1, 5, 0, 5, 1, 1, 1]);
      const w = uniform(rng(4), 8 * 2, -1, 1);
      const opt = nr.optimizers.sgd(0.25);
      nr.tidy(() => opt.minimize(() => n.predict(nr.tensor(x, [2, 4])).mul(nr.tensor(w, [2, 4, 2])).sum(), false, n.trainableWeights));
      const [e] = n.getWeights();
      const after = e.data();
      e.dispose();
      const want = Float64Array.from(table);
      x.forEach((i, k) => {
        for (let c = 0; c < 2; c++) want[i * 2 + c] -= 0.25 * w[k * 2 + c];
      });
      close(after, want, 1e-6, 'after one step');
      for (const unused of [2, 3, 4]) expect(Array.from(after.slice(unused * 2, unused * 2 + 2))).toEqual(Array.from(table.slice(unused * 2, unused * 2 + 2)));
    } finally {
      n.dispose();
    }
  });

  it('training gives the same bits on 1, 2 and 3 threads', async () => {
    const r = rng(8);
    const x = indices(r, 64 * 12, 50);
    const y = oneHot(r, 64, 4);
    await expectSameBitsForThreads(async () => {
      const m = nr.sequential({ seed: 1, layers: [layers.embedding({ inputDim: 50, outputDim: 16, inputLength: 12 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' })] });
      m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const [xt, yt] = [nr.tensor(x, [64, 12]), nr.tensor(y, [64, 4])];
      await m.fit(xt, yt, { epochs: 2, batchSize: 16, verbose: 0 });
      nr.dispose([xt, yt]);
      const out = m.getWeights();
      m.dispose();
      return out.map((w) => {
        const d = Array.from(new Uint32Array(w.data().buffer.slice(0)));
        w.dispose();
        return d;
      });
    });
  });
});

describe('embedding: bad indices are errors naming the value and its position', () => {
  const make = () => {
    const m = nr.sequential({ seed: 1, layers: [layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3, name: 'words' }), layers.flatten(), layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };
  const big = (at: number, v: number) => {
    const x = new Float32Array(50 * 3);
    x[at] = v;
    return nr.tensor(x, [50, 3]);
  };

  it('predict, evaluate and fit name the layer and the position in x (TF.js truncates 1.5 to 1; its CPU backend refuses 4 without a position)', async () => {
    using m = make();
    // Sample 40 lies in the second batch of 32: its position is still in x's terms.
    using x = big(40 * 3 + 2, 4);
    expect(thrown(() => m.predict(x)).message).toBe("predict: layer 'words' (embedding): x[40,2] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; x has shape [50,3])");
    using y = nr.zeros([50, 1]);
    const before = nr.tidy(() => m.getWeights().map((w) => w.data()));
    const err = await m.fit(x, y, { epochs: 1, verbose: 0 }).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/^fit: layer 'words' \(embedding\): x\[40,2\] = 4 is out of range \[0, 4\)/);
    // Refused before the first step: no weight moved.
    expect(nr.tidy(() => m.getWeights().map((w) => w.data()))).toEqual(before);
    expect(thrown(() => m.evaluate(x, y)).message).toMatch(/^evaluate: layer 'words' \(embedding\): x\[40,2\] = 4 is out of range/);
    using half = big(7, 1.5);
    expect(thrown(() => m.predict(half)).message).toBe("predict: layer 'words' (embedding): x[2,1] = 1.5 is not an integer (x has shape [50,3])");
    using neg = big(0, -1);
    expect(thrown(() => m.predict(neg)).message).toMatch(/x\[0,0\] = -1 is out of range \[0, 4\)/);
    using nan = big(5, NaN);
    expect(thrown(() => m.predict(nan)).message).toMatch(/x\[1,2\] = NaN is not an integer/);
  });

  it("fit's validation data: validationData is named once, then its position, validationSplit the position in x; a huge index is printed as given", async () => {
    using m = make();
    using x = big(0, 0);
    using y = nr.zeros([50, 1]);
    // The bad index is in validationData's x (row 3), not in the training x.
    using vx = nr.tensor([[0, 1, 2], [3, 0, 1], [1, 1, 1], [0, 7, 0]]);
    using vy = nr.zeros([4, 1]);
    const before = nr.tidy(() => m.getWeights().map((w) => w.data()));
    const fit = (o: nr.FitArgs) => m.fit(x, y, { epochs: 1, verbose: 0, ...o }).then(() => null, (e: Error) => e);
    expect((await fit({ validationData: [vx, vy] }))?.message).toBe("fit: validationData: layer 'words' (embedding): x[3,1] = 7 is out of range [0, 4) of the embedding's rows (inputDim 4; x has shape [4,3])");
    // validationSplit 0.2 validates on rows 40..49: sample 45 is named as x[45], where it is.
    using xs = big(45 * 3 + 1, 5);
    expect((await m.fit(xs, y, { epochs: 1, verbose: 0, validationSplit: 0.2 }).then(() => null, (e: Error) => e))?.message).toBe("fit: layer 'words' (embedding): x[45,1] = 5 is out of range [0, 4) of the embedding's rows (inputDim 4; x has shape [50,3])");
    // Refused before the first step: no weight moved.
    expect(nr.tidy(() => m.getWeights().map((w) => w.data()))).toEqual(before);
    // 1e30 and -1e30 were printed as 9223372036854775807 and its negative (the float saturated to an i64).
    for (const [v, text] of [[1e30, '1000000000000000000000000000000'], [-1e30, '-1000000000000000000000000000000'], [3e9, '3000000000']] as const) {
      using h = big(4, v);
      expect(thrown(() => m.predict(h)).message).toBe(`predict: layer 'words' (embedding): x[1,1] = ${text} is out of range [0, 4) of the embedding's rows (inputDim 4; x has shape [50,3])`);
    }
    using hv = nr.tensor([[0, 0, 0], [0, 0, 1e30]]);
    using hy = nr.zeros([2, 1]);
    expect((await fit({ validationData: [hv, hy] }))?.message).toMatch(/^fit: validationData: layer 'words' \(embedding\): x\[1,2\] = 1000000000000000000000000000000 is out of range/);
  });

  it('under grad and inside a graph model after another layer, the layer names its input', () => {
    using m = make();
    using x = big(4, 9);
    expect(thrown(() => nr.grad((xt) => m.predict(xt).sum())(x)).message).toMatch(/layer 'words' \(embedding\): x\[1,1\] = 9 is out of range \[0, 4\)/);
    // After a rescaling the embedding reads a computed tensor: the check runs in its forward,
    // whose error names the layer too (it did not: "predict: embedding: input[0,2] = 4 …").
    const inp = nr.input({ shape: [3] });
    const e = layers.embedding({ inputDim: 4, outputDim: 2, name: 'scaled_ids' }).apply(layers.rescaling({ scale: 2 }).apply(inp));
    using g = nr.model({ inputs: inp, outputs: layers.flatten().apply(e) });
    using small = nr.tensor([[0, 1, 2]]);
    expect(thrown(() => g.predict(small)).message).toBe("predict: layer 'scaled_ids' (embedding): input[0,2] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [1,3])");
  });
});

describe('embedding: with several model inputs, a bad index names the layer, the input and its position there', () => {
  const T = (v: number[], shape = [v.length, 1]) => nr.tensor(v, shape);
  const recommender = (shared: boolean) => {
    const u = nr.input({ shape: [1], name: 'user' });
    const i = nr.input({ shape: [1], name: 'item' });
    const ue = layers.embedding({ inputDim: 1000, outputDim: 4, name: shared ? 'ids' : 'user_emb' });
    const ie = shared ? ue : layers.embedding({ inputDim: 1000, outputDim: 4, name: 'item_emb' });
    const both = layers.concatenate().apply([ue.apply(u) as nr.SymbolicTensor, ie.apply(i) as nr.SymbolicTensor]) as nr.SymbolicTensor;
    const m = nr.model({ inputs: [u, i], outputs: layers.dense({ units: 1 }).apply(layers.flatten().apply(both)) as nr.SymbolicTensor, seed: 1 });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };

  it('predict, fit, evaluate and trainOnBatch: the user or the item, never the packed input', async () => {
    using m = recommender(false);
    using u = T([1, 2, 3]);
    using badU = T([1, 1000, 3]);
    using it2 = T([5, 999, 0]);
    using badI = T([5, 6, -1]);
    using bigI = T([5, 6, 1000]);
    using y = nr.zeros([3, 1]);
    expect(thrown(() => m.predict([u, bigI])).message).toBe("predict: layer 'item_emb' (embedding) on input 'item': item[2,0] = 1000 is out of range [0, 1000) of the embedding's rows (inputDim 1000; item has shape [3,1])");
    expect(thrown(() => m.predict([badU, it2])).message).toBe("predict: layer 'user_emb' (embedding) on input 'user': user[1,0] = 1000 is out of range [0, 1000) of the embedding's rows (inputDim 1000; user has shape [3,1])");
    expect(thrown(() => m.predict([u, badI])).message).toBe("predict: layer 'item_emb' (embedding) on input 'item': item[2,0] = -1 is out of range [0, 1000) of the embedding's rows (inputDim 1000; item has shape [3,1])");
    const before = nr.tidy(() => m.getWeights().map((w) => w.data()));
    const err = await m.fit([u, badI], y, { epochs: 1, verbose: 0 }).then(() => null, (e: Error) => e);
    expect(err?.message).toBe("fit: layer 'item_emb' (embedding) on input 'item': item[2,0] = -1 is out of range [0, 1000) of the embedding's rows (inputDim 1000; item has shape [3,1])");
    expect(nr.tidy(() => m.getWeights().map((w) => w.data()))).toEqual(before);
    expect(thrown(() => m.evaluate([badU, it2], y)).message).toMatch(/^evaluate: layer 'user_emb' \(embedding\) on input 'user': user\[1,0\] = 1000 is out of range/);
    expect(thrown(() => m.trainOnBatch([badU, it2], y)).message).toMatch(/^trainOnBatch: layer 'user_emb' \(embedding\) on input 'user': user\[1,0\] = 1000/);
    // Good ids still run.
    using ok = m.predict([u, it2]) as nr.Tensor;
    expect(ok.shape).toEqual([3, 1]);
  });

  it('one embedding shared by both inputs names the input that holds the bad id', () => {
    using m = recommender(true);
    using good = T([1, 2]);
    using bad = T([3, 1000]);
    expect(thrown(() => m.predict([good, bad])).message).toMatch(/^predict: layer 'ids' \(embedding\) on input 'item': item\[1,0\] = 1000/);
    expect(thrown(() => m.predict([bad, good])).message).toMatch(/^predict: layer 'ids' \(embedding\) on input 'user': user\[1,0\] = 1000/);
  });
});

describe('repeatVector, permute and rescaling: outputs and input gradients as TF.js', () => {
  const CASES: Array<[string, () => Array<[nr.Layer, tfl.layers.Layer]>, number[]]> = [
    ['dense 5→3 → repeatVector 4 → permute [2, 1] → rescaling → flatten → dense', () => [
      [layers.dense({ inputShape: [5], units: 3, activation: 'tanh' }), tfl.layers.dense({ inputShape: [5], units: 3, activation: 'tanh' })],
      [layers.repeatVector({ n: 4 }), tfl.layers.repeatVector({ n: 4 })],
      [layers.permute({ dims: [2, 1] }), tfl.layers.permute({ dims: [2, 1] })],
      [layers.rescaling({ scale: 0.37, offset: -0.25 }), tfl.layers.rescaling({ scale: 0.37, offset: -0.25 })],
      [layers.flatten(), tfl.layers.flatten()],
      [layers.dense({ units: 2 }), tfl.layers.dense({ units: 2 })],
    ], [3, 5]],
    ['permute [3, 1, 2] of [3, 4, 5] → rescaling by 255 (no offset)', () => [
      [layers.permute({ inputShape: [3, 4, 5], dims: [3, 1, 2] }), tfl.layers.permute({ inputShape: [3, 4, 5], dims: [3, 1, 2] })],
      [layers.rescaling({ scale: 1 / 255 }), tfl.layers.rescaling({ scale: 1 / 255 })],
    ], [2, 3, 4, 5]],
    ['repeatVector 1 of one feature, one sample', () => [
      [layers.repeatVector({ inputShape: [1], n: 1 }), tfl.layers.repeatVector({ inputShape: [1], n: 1 })],
    ], [1, 1]],
  ];
  for (const [name, make, xShape] of CASES) {
    it(name, () => expectLayersAsTfjs(name, make(), xShape, { seed: 13, oracle: 'tf' }));
  }

  it('rescaling gives the bits of TF.js (x·scale, then + offset, in float32), also on huge and tiny values', () => {
    const x = new Float32Array([0, 1, -1, 255, 3e38, -3e38, 1e-45, 0.1, 127.5]);
    using m = nr.sequential({ layers: [layers.rescaling({ inputShape: [9], scale: 1 / 127.5, offset: -1 })] });
    const t = tfl.sequential({ layers: [tfl.layers.rescaling({ inputShape: [9], scale: 1 / 127.5, offset: -1 })] });
    const got = nr.tidy(() => m.predict(nr.tensor(x, [1, 9])).data());
    const want = tf.tidy(() => (t.predict(tf.tensor(x, [1, 9])) as tf.Tensor).dataSync());
    expect(Array.from(got)).toEqual(Array.from(want));
    t.dispose();
  });

  it('fit through repeatVector, permute and rescaling as TF.js', async () => {
    const r = rng(21);
    await expectFitAsTfjs('rearrange', [
      [layers.dense({ inputShape: [3], units: 5, activation: 'relu' }), tfl.layers.dense({ inputShape: [3], units: 5, activation: 'relu' })],
      [layers.repeatVector({ n: 3 }), tfl.layers.repeatVector({ n: 3 })],
      [layers.permute({ dims: [2, 1] }), tfl.layers.permute({ dims: [2, 1] })],
      [layers.rescaling({ scale: -1.5, offset: 0.5 }), tfl.layers.rescaling({ scale: -1.5, offset: 0.5 })],
      [layers.conv1d({ filters: 2, kernelSize: 2 }), tfl.layers.conv1d({ filters: 2, kernelSize: 2 })],
      [layers.flatten(), tfl.layers.flatten()],
    ], { seed: 3, x: uniform(r, 7 * 3, -1, 1), xShape: [7, 3], y: uniform(r, 7 * 8, -1, 1), yShape: [7, 8], loss: 'meanSquaredError', optimizer: [() => nr.optimizers.adam(0.02), () => tf.train.adam(0.02)], epochs: 3, batchSize: 3, outputShape: [8] });
  });
});

describe('graph models', () => {
  it('embedding shared by two branches, then rescaling, repeatVector and permute: predict and fit as TF.js', async () => {
    /** The same graph in either library (`L` its layers namespace, `I` its input), named alike. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const graph = (L: any, I: any, M: any) => {
      const inp = I({ shape: [6], name: 'tokens' });
      const e = L.embedding({ inputDim: 11, outputDim: 4, name: 'emb' }).apply(inp);
      const a = L.globalAveragePooling1d({ name: 'pool' }).apply(e);
      const b = L.dense({ units: 4, activation: 'tanh', name: 'proj' }).apply(L.flatten({ name: 'flat' }).apply(e));
      const c = L.rescaling({ scale: 0.5, offset: 0.1, name: 'scale' }).apply(L.add({ name: 'sum' }).apply([a, b]));
      const d = L.permute({ dims: [2, 1], name: 'swap' }).apply(L.repeatVector({ n: 3, name: 'rep' }).apply(c));
      return M({ inputs: inp, outputs: L.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(L.flatten({ name: 'flat2' }).apply(d)) });
    };
    using n = graph(layers, nr.input, nr.model) as nr.Sequential;
    const t = graph(tfl.layers, tfl.input, tfl.model) as tfl.LayersModel;
    try {
      n.build();
      for (const l of n.layers) {
        const ws = l.getWeights();
        if (ws.length) tf.tidy(() => t.getLayer(l.name).setWeights(ws.map((w) => tf.tensor(w.data(), [...w.shape]))));
        nr.dispose(ws);
      }
      const r = rng(40);
      const x = indices(r, 9 * 6, 11);
      const y = oneHot(r, 9, 2);
      close(nr.tidy(() => n.predict(nr.tensor(x, [9, 6])).data()), tf.tidy(() => (t.predict(tf.tensor(x, [9, 6])) as tf.Tensor).dataSync()), 1e-6, 'predict');
      n.compile({ optimizer: nr.optimizers.adam(0.05), loss: 'categoricalCrossentropy' });
      t.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
      const fit = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 } as const;
      const [nx, ny, tx, ty] = [nr.tensor(x, [9, 6]), nr.tensor(y, [9, 2]), tf.tensor(x, [9, 6]), tf.tensor(y, [9, 2])];
      const h = await n.fit(nx, ny, fit).finally(() => nr.dispose([nx, ny]));
      const th = await t.fit(tx, ty, fit).finally(() => tf.dispose([tx, ty]));
      close(h.history.loss, th.history.loss as number[], 1e-5, 'losses');
      const [emb] = n.getLayer('emb').getWeights();
      close(emb.data(), t.getLayer('emb').getWeights()[0].dataSync(), 1e-5, 'embeddings after training');
      emb.dispose();
    } finally {
      t.dispose();
    }
  });
});

describe('saving and loading', () => {
  it("neurite → TF.js → neurite: classes, predictions, weight bytes; summary names the classes", async () => {
    const r = rng(31);
    using m = nr.sequential({ seed: 7, layers: [
      layers.embedding({ inputDim: 13, outputDim: 3, inputLength: 4, name: 'emb' }), layers.permute({ dims: [2, 1] }), layers.rescaling({ scale: 2, offset: 1 }),
      layers.flatten(), layers.dense({ units: 2 }), layers.repeatVector({ n: 3 }), layers.flatten(),
    ] });
    m.build();
    const x = indices(r, 5 * 4, 13);
    const { want } = await expectTfjsRoundTrip(m, x, [5, 4], ['Embedding', 'Permute', 'Rescaling', 'Flatten', 'Dense', 'RepeatVector', 'Flatten']);
    // neurite's own save, loaded back: the same bits, the same options.
    const again = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    expect(nr.tidy(() => again.predict(nr.tensor(x, [5, 4])).data())).toEqual(want);
    const mine = (s: nr.Sequential) => s.layers.filter((l): l is nr.Layer => l instanceof nr.Layer && ['embedding', 'permute', 'rescaling', 'repeatVector'].includes(l.kind)).map((l) => l.getConfig());
    expect(mine(again)).toEqual(mine(m));
    expect(mine(m).length).toBe(4);
    again.dispose();
    const text = m.summary(null) as string;
    for (const row of [/emb \(Embedding\)\s+\[null,4,3\]\s+39/, /\(Permute\)\s+\[null,3,4\]\s+0/, /\(Rescaling\)\s+\[null,3,4\]\s+0/, /\(RepeatVector\)\s+\[null,3,2\]\s+0/]) expect(text).toMatch(row);
  });

  it("a model TF.js saved with each layer (rank-1 and rank-3 indices too) loads and predicts as TF.js", async () => {
    const cases: Array<[() => tfl.LayersModel, number[], boolean]> = [
      [() => tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 8, outputDim: 3, inputLength: 5 }), tfl.layers.globalAveragePooling1d({}), tfl.layers.dense({ units: 2, activation: 'softmax' })] }), [4, 5], true],
      [() => {
        const i = tfl.input({ shape: [] });
        return tfl.model({ inputs: i, outputs: tfl.layers.embedding({ inputDim: 8, outputDim: 3 }).apply(i) as tfl.SymbolicTensor });
      }, [6], true],
      [() => tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 8, outputDim: 3, inputShape: [2, 3] }), tfl.layers.reshape({ targetShape: [6, 3] })] }), [3, 2, 3], true],
      [() => {
        const i = tfl.input({ shape: [4] });
        const h = tfl.layers.repeatVector({ n: 2 }).apply(tfl.layers.dense({ units: 3 }).apply(i)) as tfl.SymbolicTensor;
        const p = tfl.layers.permute({ dims: [2, 1] }).apply(h) as tfl.SymbolicTensor;
        return tfl.model({ inputs: i, outputs: tfl.layers.rescaling({ scale: 0.5, offset: 2 }).apply(p) as tfl.SymbolicTensor });
      }, [3, 4], false],
    ];
    for (const [make, xShape, ints] of cases) {
      const tm = make();
      const size = xShape.reduce((a, b) => a * b, 1);
      const x = ints ? indices(rng(size), size, 8) : uniform(rng(size), size, -2, 2);
      const want = tf.tidy(() => (tm.apply(tf.tensor(x, xShape)) as tf.Tensor).dataSync());
      const a = await tfArtifacts(tm);
      tm.dispose();
      const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
      const got = nr.tidy(() => m.predict(nr.tensor(x, xShape)).data());
      close(got, want, 1e-6, `loaded ${xShape}`);
      m.dispose();
    }
  });

  it('a TF.js Embedding without input_length (batch_input_shape [null, null]) loads and runs at any length; mask_zero loads (test/masking.test.ts)', async () => {
    const tm = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 8, outputDim: 3 })] });
    const a = await tfArtifacts(tm);
    const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    expect(m.inputShape).toEqual([null, null]);
    expect(m.outputShape).toEqual(tm.outputShape);
    for (const len of [1, 5]) {
      const x = Array.from({ length: 2 * len }, (_, i) => (i * 3) % 8);
      close(nr.tidy(() => m.predict(nr.tensor(x, [2, len])).data()), tf.tidy(() => (tm.predict(tf.tensor(x, [2, len])) as tf.Tensor).dataSync()), 1e-6, `length ${len}`);
    }
    m.dispose();
    tm.dispose();
    const masked = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 8, outputDim: 3, inputLength: 2, maskZero: true })] });
    const b = await tfArtifacts(masked);
    masked.dispose();
    const m2 = (await nr.loadModel(b as nr.ModelArtifacts)) as nr.Sequential;
    expect((m2.layers[0] as nr.Embedding).maskZero).toBe(true);
    m2.dispose();
  });
});

describe('options', () => {
  it('embedding', () => {
    expect(thrown(() => layers.embedding({ inputDim: 4 } as never)).message).toMatch(/^embedding: inputDim and outputDim are required/);
    expect(thrown(() => layers.embedding({ inputDim: 0, outputDim: 2 })).message).toBe('embedding: inputDim must be an integer in [1, 16777215], got 0');
    expect(thrown(() => layers.embedding({ inputDim: 4, outputDim: 2.5 })).message).toBe('embedding: outputDim must be an integer in [1, 16777215], got 2.5');
    expect(thrown(() => layers.embedding({ inputDim: 4, outputDim: 2, maskZero: 'yes' as never })).message).toMatch(/^embedding: maskZero must be a boolean, got the string "yes"/);
    expect(thrown(() => layers.embedding({ inputDim: 4, outputDim: 2, embeddingsConstraint: 'maxNorm' as never })).message).toMatch(/^embedding: embeddingsConstraint must be null or absent: an embedding layer takes no constraint yet/);
    expect(thrown(() => layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3, inputShape: [4] })).message).toMatch(/^embedding: inputLength 3 and inputShape \[4\] disagree/);
    expect(thrown(() => layers.embedding({ inputDim: 4, outputDim: 2, inputLenght: 3 } as never)).message).toMatch(/did you mean 'inputLength'/);
    expect(thrown(() => layers.embedding({ inputDim: 2 ** 24 - 1, outputDim: 2 ** 24 - 1 })).message).toMatch(/more than the \d+ one tensor can hold/);
    expect(layers.embedding({ inputDim: 4, outputDim: 2, inputLength: [2, 3] }).inputShape).toEqual([null, 2, 3]);
  });

  it('repeatVector, permute, rescaling', () => {
    expect(thrown(() => layers.repeatVector({} as never)).message).toBe('repeatVector: n is required, e.g. repeatVector({ n: 3 })');
    expect(thrown(() => layers.repeatVector({ n: 0 })).message).toBe('repeatVector: n must be an integer in [1, 16777215], got 0');
    for (const [dims, msg] of [[[1, 1], /permute: dims \[1,1\] must be a permutation of 1\.\.2/], [[0, 1], /dims\[0\] must be an integer in \[1, 2\], got 0/], [[1, 3], /dims\[1\] must be an integer in \[1, 2\], got 3/], [[], /dims must be an array of 1 to 31 axes/]] as const) {
      expect(thrown(() => layers.permute({ dims: dims as unknown as number[] })).message).toMatch(msg);
    }
    // TF.js 4.22 refuses every dims of 10 or more axes (it sorts a copy as strings); neurite takes them.
    const ten = [2, 1, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(() => tfl.layers.permute({ dims: ten })).toThrow(/must contain consecutive integers/);
    using m = nr.sequential({ layers: [layers.permute({ inputShape: [2, 1, 1, 1, 1, 1, 1, 1, 1, 3], dims: ten })] });
    expect(m.outputShape).toEqual([null, 1, 2, 1, 1, 1, 1, 1, 1, 1, 3]);
    expect(thrown(() => nr.sequential({ layers: [layers.permute({ inputShape: [3, 2], dims: [1] })] })).message).toMatch(/permute_\d+\): dims \[1\] has 1 entries but the per-sample input shape \[3,2\] has 2 axes/);
    expect(thrown(() => nr.sequential({ layers: [layers.repeatVector({ inputShape: [3, 2], n: 2 })] })).message).toMatch(/\(repeatVector repeatVector_\d+\) expects per-sample inputs of shape \[features\], got per-sample shape \[3,2\]/);
    expect(thrown(() => layers.rescaling({} as never)).message).toBe('rescaling: scale is required, e.g. rescaling({ scale: 1 / 255 })');
    expect(thrown(() => layers.rescaling({ scale: NaN })).message).toBe('rescaling: scale must be a finite number, got NaN');
    expect(thrown(() => layers.rescaling({ scale: 1, offset: 1e39 })).message).toMatch(/^rescaling: offset must be a finite number in float32/);
  });
});
