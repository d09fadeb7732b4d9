/**
 * A model with several inputs packs them side by side into one tensor for the core
 * (`ts/models/packing.ts`): `predict` packs whole batches of about 16 MiB of input at a time
 * (the extra memory is a chunk, not a copy of all of `x`; set small here) with the same values; `fit` and `evaluate`, which pack all of `x`,
 * say so when that copy does not fit, and what to do. The packing's `concat` (along axis 1) is
 * watched here: its sizes, and an out-of-memory error made on demand.
 */
import { describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import { setPredictChunkBytes } from '../ts/models/sequential.js';
import './setup.js';

const watch = vi.hoisted(() => ({ rows: [] as number[], failBeyond: Infinity }));

vi.mock('../ts/ops/joining.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../ts/ops/joining.js')>();
  const errors = await import('../ts/errors.js');
  return {
    ...real,
    concat: (ts: Parameters<typeof real.concat>[0], axis?: number) => {
      const list = ts as unknown as Array<{ shape: number[] }>;
      if (axis === 1 && list.length > 0) {
        const rows = list[0].shape[0];
        watch.rows.push(rows);
        if (rows > watch.failBeyond) throw new errors.OutOfMemoryError('concat: out of memory allocating 188160000 bytes');
      }
      return real.concat(ts, axis);
    },
  };
});


function twoInOneOut() {
  const a = nr.input({ shape: [6], name: 'left' }), b = nr.input({ shape: [2, 2], name: 'right' });
  const h = nr.layers.concatenate().apply([a, nr.layers.flatten().apply(b) as nr.SymbolicTensor]) as nr.SymbolicTensor;
  const out = nr.layers.dense({ units: 3, activation: 'tanh', name: 'head' }).apply(h) as nr.SymbolicTensor;
  const m = nr.model({ inputs: [a, b], outputs: out, seed: 5 });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

function twoInTwoOut() {
  const a = nr.input({ shape: [6], name: 'left' }), b = nr.input({ shape: [4], name: 'right' });
  const h = nr.layers.dense({ units: 5, activation: 'relu' }).apply(nr.layers.concatenate().apply([a, b]) as nr.SymbolicTensor) as nr.SymbolicTensor;
  const o1 = nr.layers.dense({ units: 2, name: 'score' }).apply(h) as nr.SymbolicTensor;
  const o2 = nr.layers.dense({ units: 1, name: 'flag', activation: 'sigmoid' }).apply(h) as nr.SymbolicTensor;
  return nr.model({ inputs: [a, b], outputs: [o1, o2], seed: 9 });
}

const bits = (t: nr.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.data()).buffer));

describe('predict of a model with several inputs packs one batch at a time', () => {
  it('100 rows at batchSize 32, chunks of 2 batches: packs of 64 and 36 rows, the same bits as the model on the concatenated rows', () => {
    const m = twoInOneOut();
    const a = nr.randomNormal([100, 6], { seed: 1 }), b = nr.randomNormal([100, 2, 2], { seed: 2 });
    watch.rows.length = 0;
    const was = setPredictChunkBytes(64 * 40); // 64 rows of 10 float32s
    const p = m.predict([a, b], { batchSize: 32 }) as nr.Tensor;
    expect(watch.rows).toEqual([64, 36]);
    // Smaller than a batch: one batch a chunk.
    setPredictChunkBytes(40);
    watch.rows.length = 0;
    const one = m.predict([a, b], { batchSize: 32 }) as nr.Tensor;
    expect(watch.rows).toEqual([32, 32, 32, 4]);
    expect(bits(one)).toEqual(bits(p));
    one.dispose();
    setPredictChunkBytes(was);
    expect(p.shape).toEqual([100, 3]);
    // The same model as one input of the 10 features side by side (what the core saw before,
    // packed whole): a dense layer of the same weights, predicted in the same batches.
    const flat = nr.concat([a, nr.reshape(b, [100, 4])], 1);
    const seq = nr.sequential({ layers: [nr.layers.dense({ units: 3, activation: 'tanh', inputShape: [10] })] });
    seq.setWeights(m.getLayer('head').getWeights());
    const q = seq.predict(flat, { batchSize: 32 });
    expect(bits(p)).toEqual(bits(q));
    // Every batch size gives the same bits (one batch: packed whole, as before).
    for (const [bs, chunkRows] of [[1, 10], [7, 14], [100, 100], [256, 256], [32, 1e6]]) {
      const prev = setPredictChunkBytes(chunkRows * 40);
      const r = m.predict([a, b], { batchSize: bs }) as nr.Tensor;
      setPredictChunkBytes(prev);
      expect(bits(r)).toEqual(bits(p));
      r.dispose();
    }
    nr.dispose([a, b, p, flat, q, seq, m]);
  });

  it('two outputs: a list of whole outputs, the same bits at any batch size, nothing leaked', () => {
    const m = twoInTwoOut();
    const a = nr.randomNormal([70, 6], { seed: 3 }), b = nr.randomNormal([70, 4], { seed: 4 });
    const whole = m.predict([a, b], { batchSize: 70 }) as nr.Tensor[];
    const tensors = nr.memory().numTensors;
    watch.rows.length = 0;
    const was = setPredictChunkBytes(16 * 40);
    const parts = m.predict({ right: b, left: a }, { batchSize: 16 }) as nr.Tensor[];
    setPredictChunkBytes(was);
    expect(watch.rows).toEqual([16, 16, 16, 16, 6]);
    expect(parts.map((t) => t.shape)).toEqual([[70, 2], [70, 1]]);
    parts.forEach((t, i) => expect(bits(t)).toEqual(bits(whole[i])));
    expect(nr.memory().numTensors).toBe(tensors + 2);
    nr.dispose([...whole, ...parts, a, b, m]);
  });

  it("a bad list is refused before any batch runs, with predict's messages", () => {
    const m = twoInOneOut();
    const a = nr.zeros([40, 6]), b = nr.zeros([39, 2, 2]);
    watch.rows.length = 0;
    expect(() => m.predict([a, b], { batchSize: 8 })).toThrow(/^predict: x\[0\] \(left\) has 40 samples but x\[1\] \(right\) has 39/);
    expect(() => m.predict([a], { batchSize: 8 })).toThrow(/^predict: x must be a list of 2 tensors, one for each of left, right/);
    expect(watch.rows).toEqual([]);
    nr.dispose([a, b, m]);
  });
});

describe('fit and evaluate pack all of x: out of memory says so and what to do', () => {
  it('fit, evaluate and trainOnBatch name the packed copy, its bytes and the way around it', async () => {
    const m = twoInOneOut();
    const a = nr.zeros([50, 6]), b = nr.zeros([50, 2, 2]), y = nr.zeros([50, 3]);
    const tensors = nr.memory().numTensors;
    watch.failBeyond = 40;
    try {
      const copy = 'a model with 2 inputs packs x \\(left \\[50,6\\], right \\[50,2,2\\]\\) side by side into one \\[50,10\\] tensor of 2000 bytes \\(0\\.0 MiB\\), a copy beside the tensors given, before it runs; ';
      await expect(m.fit([a, b], y, { verbose: 0 })).rejects.toThrow(new RegExp(`^fit: out of memory: ${copy}train from a dataset instead, fitDataset \\(it packs one batch at a time\\), or call fit on chunks of the rows in turn \\(concat: out of memory allocating 188160000 bytes\\)$`));
      expect(() => m.evaluate([a, b], y)).toThrow(new RegExp(`^evaluate: out of memory: ${copy}evaluate from a dataset instead, evaluateDataset`));
      expect(() => m.trainOnBatch([a, b], y)).toThrow(new RegExp(`^trainOnBatch: out of memory: ${copy}pass fewer rows`));
      expect(() => m.predict([a, b], { batchSize: 50 })).toThrow(/^predict: out of memory: a model with 2 inputs packs x .*; pass a smaller batchSize \(predict packs whole batches of about 16 MiB of input at a time, at least one batch\), or predict chunks of the rows in turn/);
      // Chunks of at most 40 rows: it runs; a chunk that does not fit is said with its rows.
      const was = setPredictChunkBytes(40 * 40);
      try {
        const p = m.predict([a, b], { batchSize: 40 }) as nr.Tensor;
        expect(p.shape).toEqual([50, 3]);
        p.dispose();
        setPredictChunkBytes(45 * 40);
        expect(() => m.predict([a, b], { batchSize: 45 })).toThrow(/^predict: out of memory: a model with 2 inputs packs 45 rows of x at a time \(left \[50,6\], right \[50,2,2\]\) side by side into one \[45,10\] tensor of 1800 bytes/);
      } finally {
        setPredictChunkBytes(was);
      }
    } finally {
      watch.failBeyond = Infinity;
    }
    expect(nr.memory().numTensors).toBe(tensors);
    nr.dispose([a, b, y, m]);
  });
});
