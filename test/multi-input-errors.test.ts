/**
 * Errors of a model with several inputs name the tensors the caller gave (which input, its
 * shape, the position in it), not the one tensor the inputs are packed into for the core
 * (`ts/models/packing.ts`).
 */
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

function triplet() {
  const a = nr.input({ shape: [784], name: 'anchor' }), p = nr.input({ shape: [784], name: 'pos' }), n = nr.input({ shape: [784], name: 'neg' });
  const d = nr.layers.dense({ units: 8 });
  const m = nr.model({ inputs: [a, p, n], outputs: nr.layers.concatenate().apply([d.apply(a), d.apply(p), d.apply(n)]), seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

const good = (seed: number) => nr.randomUniform([5, 784], { seed });
const withBad = (at: number, v: number) => nr.tensor(Array.from({ length: 5 * 784 }, (_, i) => (i === at ? v : 0.5)), [5, 784]);

describe('a model with several inputs names the input a bad value is in', () => {
  it('NaN in the third input (neg[2][10]): fit, evaluate, trainOnBatch, fitDataset and validationData say x[2] (neg) at [2,10]', async () => {
    const m = triplet();
    const xs = [good(1), good(2), withBad(2 * 784 + 10, NaN)];
    const y = nr.zeros([5, 24]);
    const tensors = nr.memory().numTensors;
    await expect(m.fit(xs, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fit: x\[2\] \(neg\) contains NaN at \[2,10\] \(shape \[5,784\]\); clean the data first/);
    expect(() => m.evaluate(xs, y)).toThrow(/^evaluate: x\[2\] \(neg\) contains NaN at \[2,10\] \(shape \[5,784\]\)/);
    expect(() => m.trainOnBatch(xs, y)).toThrow(/^trainOnBatch: x\[2\] \(neg\) contains NaN at \[2,10\] \(shape \[5,784\]\)/);
    const ok = [good(3), good(4), good(5)];
    await expect(m.fit(ok, y, { epochs: 1, verbose: 0, validationData: [xs, y] })).rejects.toThrow(/^fit: validationData\[0\]\[2\] \(neg\) contains NaN at \[2,10\] \(shape \[5,784\]\)/);
    expect(nr.memory().numTensors).toBe(tensors + ok.length);
    const rows = [0, 1, 2, 3, 4].map((i) => xs.map((t) => nr.reshape(nr.slice(t, [i], [1]), [784])));
    const targets = rows.map(() => nr.zeros([24]));
    const ds = nr.data.zip({ xs: nr.data.array(rows), ys: nr.data.array(targets) }).batch(5);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fitDataset: xs\[2\] \(neg\) contains NaN at \[2,10\] \(shape \[5,784\]\)/);
    nr.dispose([...rows.flat(), ...targets, ...xs, ...ok, y, m]);
  });

  it('Infinity in the second input at its first value: x[1] (pos) at [0,0]', async () => {
    const m = triplet();
    const xs = [good(1), withBad(0, Infinity), good(3)];
    const y = nr.zeros([5, 24]);
    await expect(m.fit(xs, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/^fit: x\[1\] \(pos\) contains Infinity at \[0,0\] \(shape \[5,784\]\)/);
    nr.dispose([...xs, y, m]);
  });

  it('a y with another number of samples names x[0] and its own shape, not the packed [5,2352]', async () => {
    const m = triplet();
    const xs = [good(1), good(2), good(3)];
    const y = nr.zeros([4, 24]);
    const said = (op: string) => new RegExp(`^${op}: x\\[0\\] \\(anchor\\) has 5 samples \\(shape \\[5,784\\]\\) but y has 4 \\(shape \\[4,24\\]\\); the first dimension of both is the batch$`);
    await expect(m.fit(xs, y, { epochs: 1, verbose: 0 })).rejects.toThrow(said('fit'));
    expect(() => m.evaluate(xs, y)).toThrow(said('evaluate'));
    expect(() => m.trainOnBatch(xs, y)).toThrow(said('trainOnBatch'));
    nr.dispose([...xs, y, m]);
  });
});

describe('a model with several inputs given one tensor', () => {
  it("says 'one Tensor' and its shape (it said 'an object (Tensor)': a recsys tester's finding)", () => {
    const m = triplet();
    const x = good(1);
    expect(() => m.predict(x)).toThrow(/^predict: x must be a list of 3 tensors, one for each of anchor, pos, neg, got one Tensor \(shape \[5,784\]\)$/);
    nr.dispose([x, m]);
  });
});
