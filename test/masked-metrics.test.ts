// The metrics computed in JS (crossentropies, precision, recall, auc, f1Score, r2Score, metric
// functions…) on an output that carries a mask (an embedding with maskZero, a masking layer)
// count the real steps only, as the core's metrics (accuracy, mse, mae) and the loss do, and as
// Keras 3 weighs every metric by the output's mask. They counted the padding (a sequence
// tester's report: the loss and the binaryCrossentropy metric of one model disagreed).
// Reference: float64 over the real steps of the model's own predictions.
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

const X = [[1, 2, 3, 0, 0], [4, 5, 0, 0, 0], [2, 2, 2, 2, 1], [0, 0, 0, 0, 0]]; // 10 real steps of 20; the last row all padding
const Y = [[1, 0, 1, 1, 1], [0, 1, 1, 1, 1], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]]; // labels at padded steps are 1

/** Pairs [label, prediction] at the real steps (and at all of them). */
function pairs(p: number[][][]): { real: Array<[number, number]>; all: Array<[number, number]> } {
  const real: Array<[number, number]> = [];
  const all: Array<[number, number]> = [];
  X.forEach((r, i) => r.forEach((v, t) => {
    const e: [number, number] = [Y[i][t], p[i][t][0]];
    all.push(e);
    if (v !== 0) real.push(e);
  }));
  return { real, all };
}
const bce = (s: Array<[number, number]>) => s.reduce((a, [t, q]) => a - (t * Math.log(q) + (1 - t) * Math.log(1 - q)), 0) / s.length;
const recall = (s: Array<[number, number]>) => s.filter(([t, q]) => t === 1 && q > 0.5).length / s.filter(([t]) => t === 1).length;
const precision = (s: Array<[number, number]>) => s.filter(([t, q]) => t === 1 && q > 0.5).length / s.filter(([, q]) => q > 0.5).length;
const accuracy = (s: Array<[number, number]>) => s.filter(([t, q]) => (q > 0.5) === (t === 1)).length / s.length;

describe('metrics computed in JS on a masked per-step output', () => {
  it('count the real steps only: crossentropy equals the loss, recall, precision and a metric function as over the real steps', async () => {
    const m = nr.sequential({ seed: 7, layers: [nr.layers.embedding({ inputDim: 6, outputDim: 4, maskZero: true, inputShape: [null] }), nr.layers.dense({ units: 1, activation: 'sigmoid' })] });
    const x = nr.tensor(X), y = nr.tensor(Y.map((r) => r.map((v) => [v])));
    const p = m.predict(x);
    const { real, all } = pairs(p.arraySync() as number[][][]);
    p.dispose();
    // The reference can fail: over every step the values differ.
    expect(Math.abs(bce(real) - bce(all))).toBeGreaterThan(1e-3);
    expect(recall(real)).not.toBeCloseTo(recall(all), 3);
    function myAcc(yt: nr.Tensor, yp: nr.Tensor): nr.Tensor {
      return nr.metrics.binaryAccuracy(yt, yp);
    }
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'binaryCrossentropy', 'recall', 'precision', myAcc] });
    const e = m.evaluate(x, y, { returnDict: true });
    expect(e.loss).toBeCloseTo(bce(real), 5);
    expect(e.binaryCrossentropy).toBeCloseTo(bce(real), 5);
    expect(e.acc).toBeCloseTo(accuracy(real), 6);
    expect(e.myAcc).toBeCloseTo(accuracy(real), 6);
    expect(e.recall).toBeCloseTo(recall(real), 6);
    expect(e.precision).toBeCloseTo(precision(real), 6);
    // In batches of 3 (10 real steps, then a batch of padding only): the metrics count real
    // steps over the whole set, as the core's accuracy (and Keras 3's metrics, which add
    // Σ v·mask and Σ mask over the batches); the loss is each batch's mean weighted by its
    // samples, as Keras 3's loss tracker (the padding batch's loss is 0).
    const b = m.evaluate(x, y, { batchSize: 3, returnDict: true });
    expect(b.loss).toBeCloseTo((bce(real) * 3) / 4, 5);
    expect(b.acc).toBeCloseTo(accuracy(real), 6);
    expect(b.binaryCrossentropy).toBeCloseTo(bce(real), 5);
    expect(b.myAcc).toBeCloseTo(accuracy(real), 6);
    expect(b.recall).toBeCloseTo(recall(real), 6);
    // fit: one batch, its metrics from the weights before the step, as its loss.
    const h = await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false, validationData: [x, y] });
    expect(h.history.binaryCrossentropy[0]).toBeCloseTo(bce(real), 5);
    expect(h.history.recall[0]).toBeCloseTo(recall(real), 6);
    expect(h.history.val_binaryCrossentropy[0]).toBeCloseTo(h.history.val_loss[0], 5);
    for (const t of [m, x, y]) t.dispose();
  });

  it('a graph model with a masked per-step output and a pooled one: each output its own rows', () => {
    const ids = nr.input({ shape: [null] });
    const emb = nr.layers.embedding({ inputDim: 6, outputDim: 4, maskZero: true }).apply(ids) as nr.SymbolicTensor;
    const steps = nr.layers.dense({ units: 1, activation: 'sigmoid', name: 'steps' }).apply(emb) as nr.SymbolicTensor;
    const pooled = nr.layers.globalAveragePooling1d().apply(emb) as nr.SymbolicTensor;
    const whole = nr.layers.dense({ units: 1, activation: 'sigmoid', name: 'whole' }).apply(pooled) as nr.SymbolicTensor;
    const m = nr.model({ inputs: ids, outputs: [steps, whole], seed: 3 });
    const x = nr.tensor(X);
    const ys = nr.tensor(Y.map((r) => r.map((v) => [v])));
    const yw = nr.tensor([[1], [0], [1], [0]]);
    const [ps, pw] = m.predict<nr.Tensor[]>(x);
    const { real } = pairs(ps.arraySync() as number[][][]);
    const wholePairs = (pw.arraySync() as number[][]).map((r, i): [number, number] => [[1, 0, 1, 0][i], r[0]]);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['binaryCrossentropy'] });
    const e = m.evaluate([x], [ys, yw], { returnDict: true });
    expect(e.steps_binaryCrossentropy).toBeCloseTo(bce(real), 5);
    expect(e.whole_binaryCrossentropy).toBeCloseTo(bce(wholePairs), 5);
    for (const t of [m, x, ys, yw, ps, pw]) t.dispose();
  });
});
