// Numeric hardening (issue 7): shape arithmetic that overflows is an error (never a saturated
// or wrapped dimension), zero-size RBF inputs give empty results instead of a panic, and sizes
// past the address space are NeuriteErrors that leave the instance and its tensors intact.
import { describe, expect, it } from 'vitest';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';

const { layers } = nr;

/** A tensor made at the start whose bits must never change, and a fixed small computation. */
function canary(): { check: () => void; dispose: () => void } {
  const values = Float32Array.from([1.5, -2.25, 3.125, 0, -0]);
  const t = nr.tensor(values);
  return {
    check() {
      expect(Array.from(new Uint32Array(t.data().buffer))).toEqual(Array.from(new Uint32Array(values.buffer)));
      const s = nr.tidy(() => nr.sum(nr.mul(t, t)).data()[0]);
      expect(s).toBeCloseTo(1.5 ** 2 + 2.25 ** 2 + 3.125 ** 2, 5);
    },
    dispose: () => t.dispose(),
  };
}

/** Runs `f`, which must throw `type` (never a WasmPanicError) with a message matching `msg`. */
function throwsNeurite(f: () => unknown, type: new (...a: never[]) => nr.NeuriteError, msg: RegExp): void {
  const err = thrown(f);
  expect(err).toBeInstanceOf(type);
  expect(err).not.toBeInstanceOf(nr.WasmPanicError);
  expect((err as Error).message).toMatch(msg);
}

describe('shape arithmetic overflow is an error', () => {
  it('tile of a [0, 3] tensor by [2³¹ − 1, 2³¹ − 1] throws (it returned shape [0, 4294967295])', () => {
    const c = canary();
    using x = nr.zeros([0, 3]);
    throwsNeurite(() => nr.tile(x, [2 ** 31 - 1, 2 ** 31 - 1]), nr.InvalidArgumentError, /^tile: (output dimension 1 .* = 3 × 2147483647 overflows: a dimension must be at most 4294967295|axis 1 of the result would have 6442450941 entries)/);
    // Zero-size results whose dimensions fit are still fine.
    using y = nr.tile(x, [2 ** 31 - 1, 1]);
    expect(y.shape).toEqual([0, 3]);
    c.check();
    c.dispose();
  });

  it('concat whose joined axis passes 2³² − 1 throws', () => {
    // On wasm32 a dimension (even of a zero-size tensor) is at most 2²⁹ − 1 elements' worth,
    // so it takes 9 inputs of 2²⁹ − 1 to pass 2³² − 1.
    using a = nr.zeros([0, 2 ** 29 - 1]);
    throwsNeurite(() => nr.concat(Array(9).fill(a), 1), nr.InvalidArgumentError, /^concat: the joined axis 1 after tensors\[8\] = 4294967288 \+ 536870911 overflows/);
    throwsNeurite(() => nr.concat([a, a], 1), nr.InvalidArgumentError, /^concat: shape \[0,1073741822\] is too large/);
    using z = nr.zeros([0, 0]);
    using ok = nr.concat([a, z], 1);
    expect(ok.shape).toEqual([0, 2 ** 29 - 1]);
  });

  it('a broadcast whose result is too large is an OutOfMemoryError', () => {
    using a = nr.zeros([1, 2 ** 20]);
    using b = nr.zeros([2 ** 20, 1]);
    throwsNeurite(() => nr.add(a, b), nr.OutOfMemoryError, /out of memory/);
  });
});

describe('RBF with zero centers or zero features', () => {
  for (const kernel of nr.RBF_KERNELS) {
    it(`${kernel}: zero centers give an [n, 0] result (it panicked: chunk size must be non-zero)`, () => {
      using x = nr.tensor([[1, 2], [3, 4], [5, 6]]);
      using c = nr.zeros([0, 2]);
      using w = nr.zeros([0]);
      using f = nr.rbfFeatures(x, c, w, { kernel });
      expect(f.shape).toEqual([3, 0]);
      // Zero features: every row is at every center, φ(0).
      using x0 = nr.zeros([3, 0]);
      using c0 = nr.zeros([2, 0]);
      using w0 = nr.tensor([1, 2]);
      using f0 = nr.rbfFeatures(x0, c0, w0, { kernel });
      expect(f0.shape).toEqual([3, 2]);
      expect(Array.from(f0.data())).toEqual(Array(6).fill(1));
    });
  }

  it('kmeans with k = 0 is an InvalidArgumentError', () => {
    using x = nr.tensor([[1, 2], [3, 4]]);
    throwsNeurite(() => nr.kmeans(x, { k: 0 }), nr.InvalidArgumentError, /^kmeans: k/);
  });
});

describe('out of memory is an error the instance survives', () => {
  it('a dense layer whose weights need more than 4 GiB', () => {
    const c = canary();
    const before = nr.memory();
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [70000], units: 20000 })] });
    throwsNeurite(() => m.build(), nr.OutOfMemoryError, /^layer 'dense_\d+' \(dense\): its weights for per-sample input shape \[70000\] would need a tensor of 1400000000 float32 values \(5600000000 bytes\), more than one tensor may hold/);
    m.dispose();
    c.check();
    expect(nr.memory().numTensors).toBe(before.numTensors);
    c.dispose();
  });

  it('fit whose batch activations need more than 4 GiB fails, and the model keeps working', async () => {
    const c = canary();
    using x = nr.ones([2000, 1]);
    using y = nr.ones([2000, 1]);
    using m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [1], units: 600000 }), layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = nr.memory().numTensors;
    let err: unknown;
    try {
      await m.fit(x, y, { epochs: 1, batchSize: 2000, verbose: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(nr.OutOfMemoryError);
    expect((err as Error).message).toMatch(/^fit: dense: out of memory allocating 4800000000 bytes/); // the core error names fit (inOp)
    expect(nr.memory().numTensors).toBe(before);
    // The same model trains on batches that fit.
    using xs = nr.ones([4, 1]);
    using ys = nr.ones([4, 1]);
    const h = await m.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    c.check();
    c.dispose();
  });

  it('leastSquares with a huge column count (p² normal matrix) is an OutOfMemoryError, not a panic', () => {
    const c = canary();
    using a = nr.zeros([0, 100000]);
    using b = nr.zeros([0]);
    throwsNeurite(() => nr.leastSquares(a, b, { l2: 1 }), nr.OutOfMemoryError, /^leastSquares: out of memory/);
    c.check();
    c.dispose();
  });

  it('weights shared with the caller (setWeights, getWeights) are copied on write: training leaves their tensors as they were', async () => {
    using m = nr.sequential({ seed: 3, layers: [layers.dense({ inputShape: [2], units: 2 }), layers.batchNormalization()] });
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const given = m.getWeights().map((w) => nr.tidy(() => nr.add(w, 0.5)));
    m.setWeights(given);
    const held = m.getWeights();
    const snapshot = [...given, ...held].map((t) => Array.from(t.data()));
    using x = nr.tensor([[1, 2], [3, -1], [0, 1], [2, 2]]);
    using y = nr.tensor([[1, 0], [0, 1], [1, 1], [0, 0]]);
    await m.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    expect([...given, ...held].map((t) => Array.from(t.data()))).toEqual(snapshot);
    const after = m.getWeights();
    expect(Array.from(after[0].data())).not.toEqual(snapshot[0]);
    [...given, ...held, ...after].forEach((t) => t.dispose());
  });
});
