// layers.normalization (Keras 3's keras.layers.Normalization; TF.js 4.22 has none) against Keras 3
// itself: test/fixtures/keras3-normalization.json, written by bench/keras/normalization.py (Keras
// 3.15.1 on JAX), holds float32 data, Keras's adapted mean/variance, the same statistics in
// float64 NumPy, and Keras's outputs (adapt on 37 rows with a feature at 1e6 ± 1, a constant one
// and a 1e-4-scale one; invert; axis -1, 1, [1, 2], null; mean/variance given and broadcast; a
// to_json() model). neurite's adapt is float64: its statistics match NumPy's float64 ones within
// float32 rounding (rtol 1e-6), where Keras's own float32 adapt is 2 % off on the 1e6 feature's
// variance. Outputs match Keras within 1e-5 relative (the 1e6 feature against Keras's formula on
// the float64 statistics, bit for bit in float32). Then fit: a model with the layer trains as the
// same model fed pre-standardized data, and leaves the statistics alone; gradients; errors; save.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { expectClose, failTestsThatLeak, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';

interface Case {
  axis: number | number[] | null; invert: boolean; shape: number[]; x: number[]; testShape: number[]; test: number[];
  statShape: number[]; kerasMean: number[]; kerasVariance: number[]; mean64: number[]; variance64: number[]; y: number[];
}
interface Given { options: Record<string, unknown>; shape: number[]; x: number[]; y: number[] }
const F: {
  keras: string; backend: string;
  features: Record<'array' | 'invert', Case>;
  axes: Record<'last' | 'rows' | 'both' | 'none', Case>;
  given: Record<string, Given>;
  model: { json: string; weights: Array<{ name: string; shape: number[]; values: number[] }>; x: number[]; y: number[] };
} = JSON.parse(readFileSync(new URL('./fixtures/keras3-normalization.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const f32 = Math.fround;
/** Keras's forward in float32 on statistics `m`, `v` (each rounded to float32 as weights are). */
function kerasForm(x: number, m: number, v: number, invert: boolean): number {
  const s = f32(Math.max(f32(Math.sqrt(f32(v))), f32(1e-7)));
  const v32 = f32(x);
  return invert ? f32(f32(m) + f32(v32 * s)) : f32(f32(v32 - f32(m)) / s);
}

/** A model holding only `layer` for per-sample inputs `shape`, its predictions for `x`. */
function predictWith(layer: nr.Layer, shape: number[], x: number[], xShape: number[]): Float32Array {
  using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: shape }), layer] });
  return nr.tidy(() => m.predict(nr.tensor(x, xShape)).dataSync().slice());
}

function weightsOf(layer: nr.Layer): Float32Array[] {
  return layer.getWeights().map((t) => {
    const d = t.dataSync().slice();
    t.dispose();
    return d;
  });
}

describe('normalization against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect(F.keras.startsWith('3.')).toBe(true);
    expect(F.backend).toBe('jax');
  });

  it('adapt on 37 rows (1e6 ± 1, constant, 1e-4 scale): float64 statistics; outputs as Keras', () => {
    const c = F.features.array;
    const norm = nr.layers.normalization();
    const x = nr.tensor(c.x, c.shape);
    norm.adapt(x);
    x.dispose();
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [5] }), norm] });
    const [mean, variance] = weightsOf(norm);
    expect(norm.weights.length).toBe(2);
    // NumPy's float64 statistics, rounded to float32 (the constant feature's variance is exactly 0).
    expectClose(mean, c.mean64, 1e-7, 0);
    expectClose(variance, c.variance64, 1e-6, 0);
    expect(variance[1]).toBe(0);
    // Keras's float32 adapt: the same within its own rounding but for the 1e6 feature's variance (0.3152 against 0.3087).
    expectClose(mean, c.kerasMean, 1e-6, 0);
    expectClose(variance.slice(1), c.kerasVariance.slice(1), 1e-5, 0);
    expect(Math.abs(c.kerasVariance[0] - c.variance64[0]) / c.variance64[0]).toBeGreaterThan(0.01);
    const y = nr.tidy(() => m.predict(nr.tensor(c.test, c.testShape)).dataSync().slice());
    // Keras's formula on neurite's statistics, bit for bit; Keras's outputs within 1e-5 where
    // its statistics agree (every feature but the 1e6 one). The constant feature: (4 − 3)/1e-7.
    y.forEach((v, i) => expect(v).toBe(kerasForm(c.test[i], mean[i % 5], variance[i % 5], false)));
    const cols = (a: ArrayLike<number>) => Array.from(a).filter((_, i) => i % 5 !== 0);
    expectClose(cols(y), cols(c.y), 1e-5, 1e-6);
    expect(y[10 * 5 + 1]).toBeCloseTo(1e7, -1);
  });

  it('adapt from nested arrays and from a dataset of batches (8, 8, 8, 8, 5; [xs, ys] and { xs, ys }) gives the same statistics', async () => {
    const c = F.features.array;
    const rows: number[][] = [];
    for (let i = 0; i < 37; i++) rows.push(c.x.slice(5 * i, 5 * i + 5));
    const a = nr.layers.normalization();
    a.adapt(rows);
    const b = nr.layers.normalization();
    await b.adapt(nr.data.array(rows).batch(8));
    const d = nr.layers.normalization();
    await d.adapt(nr.data.zip({ xs: nr.data.array(rows), ys: nr.data.array(rows.map(() => [1])) }).batch(8));
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [5] }), a, nr.layers.dense({ units: 1 })] });
    using mb = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [5] }), b] });
    using md = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [5] }), d] });
    for (const x of [m, mb, md]) x.build();
    const [ma, va] = weightsOf(a);
    const [mb2, vb] = weightsOf(b);
    const [md2, vd] = weightsOf(d);
    expectClose(ma, c.mean64, 1e-7, 0);
    expectClose(va, c.variance64, 1e-6, 0);
    expectClose(mb2, c.mean64, 1e-7, 0);
    expectClose(vb, c.variance64, 1e-6, 0);
    expect(Array.from(md2)).toEqual(Array.from(mb2));
    expect(Array.from(vd)).toEqual(Array.from(vb));
  });

  // A data engineer's cases: [x, y] rows (batch() stacks them into one [n, 2, 1] tensor, as
  // TF.js) were read as inputs in silence, labels in the statistics; an endless dataset hung
  // the process; a long adapt held the event loop for the whole call.
  it('a dataset of [features, label] rows is said (the statistics read both), an endless one refused, and a long adapt lets timers run', async () => {
    const xs = Array.from({ length: 100 }, (_, i) => [i]);
    const pairs = xs.map(([x]) => [[x], [1000 + x]]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const [ds, read] of [[nr.data.array(pairs).batch(10), 'batch() stacks them into one tensor, here [10,2,1], as TF.js'], [nr.data.array(pairs), 'each a batch of 2 samples']] as const) {
        warn.mockClear();
        const n = nr.layers.normalization();
        await n.adapt(ds);
        expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([`normalization.adapt: the dataset's elements are arrays of 2 arrays, read as inputs (${read}); if they are [features, label] pairs, the labels are in the statistics: give the elements as { xs, ys } objects, data.array(pairs.map(([xs, ys]) => ({ xs, ys }))), or zip two datasets, data.zip({ xs, ys })`]);
        n.dispose();
      }
      // As the warning says: { xs, ys } reads the features alone, and says nothing.
      warn.mockClear();
      const n = nr.layers.normalization();
      await n.adapt(nr.data.array(pairs.map(([x, y]) => ({ xs: x, ys: y }))).batch(10));
      expect(warn).not.toHaveBeenCalled();
      using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [1] }), n] });
      m.build();
      const [mean, variance] = weightsOf(n);
      expect([mean[0], variance[0]]).toEqual([49.5, 833.25]);
    } finally {
      warn.mockRestore();
    }
    await expect(nr.layers.normalization().adapt(nr.data.array(xs).batch(10).repeat())).rejects.toThrow("normalization.adapt: the dataset is endless (size Infinity, e.g. after repeat()), so adapt would never end; adapt to ds.take(n) (Keras's adapt takes steps for this)");
    // 20,000 in-memory batches: a 5 ms timer fires during the adapt.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await nr.layers.normalization().adapt(nr.data.array(Array.from({ length: 20000 }, (_, i) => [[i % 7]])));
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('invert: mean + x·max(√variance, ε), as Keras', () => {
    const c = F.features.invert;
    const norm = nr.layers.normalization({ invert: true });
    nr.tidy(() => norm.adapt(nr.tensor(c.x, c.shape)));
    const y = predictWith(norm, [5], c.test, c.testShape);
    expectClose(y, c.y, 1e-5, 1e-6);
  });

  for (const name of ['last', 'rows', 'both', 'none'] as const) {
    it(`axis ${JSON.stringify(F.axes[name].axis)} on [9, 3, 4] samples: statistics of shape ${JSON.stringify(F.axes[name].statShape)}, outputs as Keras`, () => {
      const c = F.axes[name];
      const norm = nr.layers.normalization({ axis: c.axis });
      const x = nr.tensor(c.x, c.shape);
      norm.adapt(x);
      x.dispose();
      using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3, 4] }), norm] });
      const [mean, variance] = weightsOf(norm);
      expect(norm.weights.map((w) => w.shape)).toEqual([c.statShape, c.statShape]);
      expectClose(mean, c.mean64, 1e-6, 1e-6);
      expectClose(variance, c.variance64, 1e-6, 0);
      expectClose(mean, c.kerasMean, 1e-5, 1e-5);
      expectClose(variance, c.kerasVariance, 1e-5, 0);
      const y = nr.tidy(() => m.predict(nr.tensor(c.test, c.testShape)).dataSync().slice());
      expectClose(y, c.y, 1e-5, 1e-6);
    });
  }

  for (const [name, g] of Object.entries(F.given)) {
    it(`mean and variance given (${name}: ${JSON.stringify(g.options)}), as Keras`, () => {
      const norm = nr.layers.normalization(g.options as nr.NormalizationArgs);
      const y = predictWith(norm, g.shape.slice(1), g.x, g.shape);
      expectClose(y, g.y, 1e-6, 1e-6);
    });
  }

  it("a Keras 3 to_json() model loads and, given Keras's weights, predicts as Keras", async () => {
    const m = (await nr.models.modelFromJSON(JSON.parse(F.model.json))) as nr.Sequential;
    try {
      expect(m.getLayer('norm').getClassName()).toBe('Normalization');
      const ws = F.model.weights.map((w) => nr.tensor(w.values, w.shape));
      m.setWeights(ws);
      nr.dispose(ws);
      const y = nr.tidy(() => m.predict(nr.tensor(F.model.x, [7, 3])).dataSync().slice());
      expectClose(y, F.model.y, 1e-5, 1e-6);
    } finally {
      m.dispose();
    }
  });
});

describe('normalization in training', () => {
  it('fit with the layer equals fit on pre-standardized data; the statistics stay; gradients reach the input', async () => {
    const n = 29;
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = 1e6 + Math.sin(i * 1.7);
      const b = 50 + 10 * Math.cos(i * 0.9);
      const c = 1e-3 * Math.sin(i * 2.3);
      x.push(a, b, c);
      y.push((a - 1e6) * 0.5 + (b - 50) / 10 - c * 100);
    }
    const norm = nr.layers.normalization();
    nr.tidy(() => norm.adapt(nr.tensor(x, [n, 3])));
    const hidden = () => [nr.layers.dense({ units: 4, activation: 'tanh' }), nr.layers.dense({ units: 1 })];
    using a = nr.sequential({ seed: 3, layers: [nr.layers.inputLayer({ inputShape: [3] }), norm, ...hidden()] });
    using b = nr.sequential({ seed: 3, layers: [nr.layers.inputLayer({ inputShape: [3] }), ...hidden()] });
    a.build();
    b.build();
    nr.tidy(() => b.setWeights(a.getWeights().filter((_, i) => i < 4)));
    const [mean, variance] = weightsOf(norm);
    const xs = x.map((v, i) => kerasForm(v, mean[i % 3], variance[i % 3], false));
    for (const m of [a, b]) m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    const ta = nr.tensor(x, [n, 3]);
    const tb = nr.tensor(xs, [n, 3]);
    const ty = nr.tensor(y, [n, 1]);
    try {
      const ha = await a.fit(ta, ty, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
      const hb = await b.fit(tb, ty, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
      expect(ha.history.loss).toEqual(hb.history.loss);
      const wa = a.getWeights();
      const wb = b.getWeights();
      // neurite lists non-trainable weights last: the dense layers', then mean and variance.
      wb.forEach((w, i) => expect(Array.from(wa[i].dataSync())).toEqual(Array.from(w.dataSync())));
      expect(Array.from(wa[4].dataSync())).toEqual(Array.from(mean));
      expect(Array.from(wa[5].dataSync())).toEqual(Array.from(variance));
      expect(norm.trainableWeights).toEqual([]);
      nr.dispose([...wa, ...wb]);
      // dL/dx through the layer: dy / max(√v, ε) per feature (the tape runs the layer's backward).
      using only = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), norm] });
      const w = [0.5, -2, 3];
      const g = nr.tidy(() => nr.grad((t: nr.Tensor) => only.predict(t).mul(nr.tensor(w)).sum())(nr.tensor(x.slice(0, 6), [2, 3])).dataSync().slice());
      g.forEach((v, i) => expect(v).toBeCloseTo(w[i % 3] / Math.sqrt(variance[i % 3]), 3));
      // Central differences through the inverted layer and a dense one.
      const inv = nr.layers.normalization({ mean: [1, 2, 3], variance: [4, 0.25, 9], invert: true });
      using m2 = nr.sequential({ seed: 1, layers: [nr.layers.inputLayer({ inputShape: [3] }), inv, nr.layers.dense({ units: 2, activation: 'tanh' })] });
      const x0 = [0.3, -0.2, 0.1];
      const f = (v: number[]) => nr.tidy(() => m2.predict(nr.tensor(v, [1, 3])).sum().dataSync()[0]);
      const ga = nr.tidy(() => nr.grad((t: nr.Tensor) => m2.predict(t).sum())(nr.tensor(x0, [1, 3])).dataSync().slice());
      const h = 1e-2;
      x0.forEach((_, i) => {
        const up = x0.slice();
        const dn = x0.slice();
        up[i] += h;
        dn[i] -= h;
        expect(ga[i]).toBeCloseTo((f(up) - f(dn)) / (2 * h), 2);
      });
    } finally {
      nr.dispose([ta, tb, ty]);
    }
  });

  it("an adapted normalization first in a model gives it the data's input shape (Keras 3 builds it in adapt; it asked for an inputShape)", async () => {
    const norm = nr.layers.normalization();
    using x = nr.randomNormal([12, 4], { seed: 1 });
    norm.adapt(x);
    const hidden = () => [nr.layers.dense({ units: 3, activation: 'tanh' })];
    using a = nr.sequential({ seed: 5, layers: [norm, ...hidden()] });
    // Known before anything builds it, as a model given inputShape: [4].
    expect([a.inputShape, a.outputShape, a.inputs[0]!.shape, a.built]).toEqual([[null, 4], [null, 3], [null, 4], true]);
    using b = nr.sequential({ seed: 5, layers: [nr.layers.normalization({ inputShape: [4] }), ...hidden()] });
    a.build();
    b.build();
    nr.tidy(() => b.layers[0]!.setWeights(norm.getWeights()));
    expect(a.inputs[0]!.shape).toEqual([null, 4]);
    nr.tidy(() => {
      expect(Array.from(a.predict(x).dataSync())).toEqual(Array.from(b.predict(x).dataSync()));
    });
    // Sequences whose lengths differ between batches: that size is unknown (null).
    const seq = nr.layers.normalization();
    using short = nr.ones([2, 5, 3]);
    using long = nr.tensor(new Float32Array(42).fill(3), [2, 7, 3]);
    await seq.adapt(nr.data.array([short, long]));
    using s = nr.sequential({ layers: [seq, nr.layers.conv1d({ filters: 2, kernelSize: 2 })] });
    s.build();
    expect(s.inputs[0]!.shape).toEqual([null, null, 3]);
    nr.tidy(() => {
      expect(s.predict(nr.zeros([1, 9, 3])).shape).toEqual([1, 8, 2]);
    });
    // Not adapted yet: the error asks for an inputShape, as before.
    using c = nr.sequential({ layers: [nr.layers.normalization(), nr.layers.dense({ units: 1 })] });
    expect(() => c.build()).toThrow(/^build: model sequential_\d+ does not know its input shape; give the first layer an inputShape, e\.g\. layers\.normalization\(\{ inputShape: \[784\], … \}\)/);
  });

  it('adapt after the model is built writes the weights in place; a model built later gets them too', () => {
    const norm = nr.layers.normalization({ axis: null });
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [2] }), norm] });
    m.build();
    nr.tidy(() => norm.adapt(nr.tensor([[1, 2], [3, 4]])));
    const y = nr.tidy(() => m.predict(nr.tensor([[2.5, 2.5]])).dataSync().slice());
    expect(Array.from(y)).toEqual([0, 0]);
    expect(weightsOf(norm).map((w) => Array.from(w))).toEqual([[2.5], [1.25]]);
  });
});

describe('normalization in a graph model', () => {
  it('applied to a symbolic input, adapted before: the graph model standardizes; saved and loaded as a Model config', async () => {
    const norm = nr.layers.normalization({ name: 'g_norm' });
    norm.adapt([[0, 10], [2, 30], [4, 20]]);
    const inp = nr.input({ shape: [2] });
    const out = nr.layers.dense({ units: 1, name: 'g_out', kernelInitializer: 'ones' }).apply(norm.apply(inp) as nr.SymbolicTensor);
    const m = nr.model({ inputs: inp, outputs: out as nr.SymbolicTensor });
    try {
      // mean [2, 20], variance [8/3, 200/3]: (x − m)/σ summed by a kernel of ones.
      const y = nr.tidy(() => m.predict(nr.tensor([[4, 30]])).dataSync()[0]);
      expect(y).toBeCloseTo(2 / Math.sqrt(8 / 3) + 10 / Math.sqrt(200 / 3), 5);
      const back = await nr.loadModel(await m.toArtifacts());
      try {
        expect(nr.tidy(() => back.predict(nr.tensor([[4, 30]])).dataSync()[0])).toBe(y);
      } finally {
        back.dispose();
      }
    } finally {
      m.dispose();
    }
  });
});

describe('normalization errors, config, saving', () => {
  it('a dataset of single samples (a CSV mapped to arrays, not batched) adapts as its rows do, read 128 at a time as Keras 3 batches it', async () => {
    const c = F.features.array;
    const rows: number[][] = [];
    for (let i = 0; i < 300; i++) rows.push(c.x.slice((5 * i) % 180, ((5 * i) % 180) + 5).map((v, j) => v + i * 1e-3 * j));
    const a = nr.layers.normalization();
    a.adapt(rows);
    const b = nr.layers.normalization();
    // Was: "each dataset element must be a batch tensor (or [xs, ys], { xs, ys }), got an array of length 5".
    await b.adapt(nr.data.array(rows.map((r) => [...r])).map((r) => r as number[]));
    const bw = b.getWeights();
    const aw = a.getWeights();
    expectClose(bw[0].dataSync(), aw[0].dataSync(), 1e-7, 0);
    expectClose(bw[1].dataSync(), aw[1].dataSync(), 1e-6, 0);
    nr.dispose([...aw, ...bw]);
    const bad = nr.layers.normalization();
    await expect(bad.adapt(nr.data.array(['a', 'b'] as never))).rejects.toThrow(/^normalization\.adapt: each dataset element must be a batch \(a tensor or nested arrays \[samples, \.\.\.\]\), one sample \(an array of numbers\), or \[xs, ys\] or \{ xs, ys \} of those; got /);
  });

  it("a model used while its normalization's adapt(dataset) runs says to await it (was: 'no mean and variance yet: call adapt'); given statistics say the input shape to declare", async () => {
    const norm = nr.layers.normalization();
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [2] }), norm, nr.layers.dense({ units: 1 })] });
    m.compile({ loss: 'mse', optimizer: 'sgd' });
    using x = nr.tensor([[1, 2], [3, 5]]);
    using y = nr.tensor([[1], [2]]);
    const pending = norm.adapt(nr.data.array([[1, 2], [3, 5]]).batch(1));
    const msg = `layer ${norm.name} of model ${m.name} is still reading its statistics: adapt(dataset) returns a promise (Keras's adapt is synchronous); await layer.adapt(dataset) before`;
    expect(() => m.predict(x)).toThrow(`predict: ${msg} predict`);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(`fit: ${msg} fit`);
    // In a nested model too.
    using outer = nr.sequential({ layers: [m] });
    expect(() => outer.predict(x)).toThrow(`predict: layer ${norm.name} of model ${outer.name} is still reading`);
    await pending;
    nr.tidy(() => {
      expect(Array.from((m.predict(x) as nr.Tensor).dataSync()).every(Number.isFinite)).toBe(true);
    });
    // A failed adapt leaves nothing pending.
    const broken = nr.layers.normalization();
    using mb = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [2] }), broken] });
    await expect(broken.adapt(nr.data.array([[1, NaN]]).batch(1))).rejects.toThrow(/NaN/);
    expect(() => nr.tidy(() => mb.predict(x))).toThrow(/no mean and variance yet/);
    // Given statistics: the example of the missing inputShape has their size (it said [784]).
    using g = nr.sequential({ layers: [nr.layers.normalization({ mean: new Array(12).fill(0), variance: new Array(12).fill(1) }), nr.layers.dense({ units: 1 })] });
    expect(() => g.build()).toThrow(/give the first layer an inputShape, e\.g\. layers\.normalization\(\{ inputShape: \[12\], … \}\)/);
    using sc = nr.sequential({ layers: [nr.layers.normalization({ mean: 3, variance: 4 }), nr.layers.dense({ units: 1 })] });
    expect(() => sc.build()).toThrow(/e\.g\. layers\.normalization\(\{ inputShape: \[number of features\], … \}\)/);
  });

  it('used before adapt: an error saying to call adapt; NaN in the data names the feature', () => {
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), nr.layers.normalization()] });
    const e = (() => {
      try {
        nr.tidy(() => m.predict(nr.zeros([2, 3])));
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(e).toMatch(/adapt/);
    const norm = nr.layers.normalization();
    expect(invalidMessage(() => norm.adapt([[1, 2, 3], [4, NaN, 6]]))).toMatch(/NaN .*feature \[1\]/);
    expect(invalidMessage(() => norm.adapt([]))).toMatch(/no samples|data/);
    expect(invalidMessage(() => nr.layers.normalization({ axis: 0 }))).toMatch(/batch axis/);
    expect(invalidMessage(() => nr.layers.normalization({ mean: [1, 2] }))).toMatch(/together/);
    expect(invalidMessage(() => nr.layers.normalization({ mean: [1, 2], variance: [1] }))).toMatch(/same shape/);
    expect(invalidMessage(() => nr.layers.normalization({ mean: [1], variance: [-1] }))).toMatch(/>= 0/);
    expect(invalidMessage(() => nr.layers.normalization({ invrt: true } as never))).toMatch(/did you mean 'invert'/);
    const built = nr.layers.normalization();
    built.adapt([[1, 2, 3], [2, 3, 4]]);
    using m3 = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), built] });
    m3.build();
    expect(invalidMessage(() => built.adapt([[1, 2], [3, 4]]))).toMatch(/\[3\].*\[2\]/);
    const wrong = nr.layers.normalization({ mean: [1, 2], variance: [1, 1] });
    using m4 = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), wrong] });
    expect(() => m4.build()).toThrow(/broadcast/);
  });

  it("adapt to data of another width than a known input shape is refused at once, keeping the good statistics (was: accepted, then the build failed and the next predict said adapt was never called)", () => {
    const norm = nr.layers.normalization({ inputShape: [3] });
    using m = nr.sequential({ layers: [norm, nr.layers.dense({ units: 1, kernelInitializer: 'ones' })] });
    norm.adapt([[1, 2, 3], [3, 4, 5]]);
    expect(invalidMessage(() => norm.adapt([[1, 2], [3, 4]]))).toMatch(/takes inputs of shape \[null, ?3\] \(its inputShape\), \[3\] on its kept axes .* data have \[2\]/);
    // Not built yet: the model's input before the layer is what it takes.
    const later = nr.layers.normalization();
    using m2 = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [4, 5] }), later] });
    expect(invalidMessage(() => nr.tidy(() => later.adapt(nr.zeros([2, 4, 2]))))).toMatch(/\(where it is in a model\), \[5\] .* \[2\]/);
    nr.tidy(() => later.adapt(nr.ones([2, 6, 5]))); // another length, the same features: the statistics fit
    // A layer with no known shape takes any width, as before.
    const free = nr.layers.normalization();
    free.adapt([[1, 2]]);
    free.adapt([[1, 2, 3]]);
    // The first statistics were kept: (x − 2) / 1 per feature.
    const y = nr.tidy(() => m.predict(nr.tensor([[3, 4, 5]])).dataSync()[0]);
    expect(y).toBeCloseTo(3, 6);
    expect(nr.tidy(() => m2.predict(nr.ones([1, 4, 5])).shape)).toEqual([1, 4, 5]);
  });

  it('getConfig/fromConfig, summary, className; saved and loaded it predicts the same', async () => {
    const norm = nr.layers.normalization({ axis: [-1], name: 'std' });
    norm.adapt([[1, 10], [3, 30], [8, 20]]);
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [2] }), norm, nr.layers.dense({ units: 1 })] });
    m.build();
    expect(norm.getClassName()).toBe('Normalization');
    expect(nr.Normalization.className).toBe('Normalization');
    const cfg = norm.getConfig();
    expect(cfg).toMatchObject({ axis: [-1], invert: false, mean: null, variance: null });
    const copy = nr.layers.normalization(cfg as nr.NormalizationArgs);
    expect(copy.axis).toEqual([-1]);
    let text = '';
    m.summary((l: string) => (text += `${l}\n`));
    expect(text).toMatch(/std \(Normalization\)/);
    const art = await m.toArtifacts();
    const back = (await nr.loadModel(art)) as nr.Sequential;
    try {
      const x = [[2, 15], [-1, 0]];
      const y0 = nr.tidy(() => m.predict(nr.tensor(x)).dataSync().slice());
      const y1 = nr.tidy(() => back.predict(nr.tensor(x)).dataSync().slice());
      expect(Array.from(y1)).toEqual(Array.from(y0));
      expect(back.getLayer('std').getWeights().map((t) => t.dispose() ?? t.shape)).toEqual([[2], [2]]);
    } finally {
      back.dispose();
    }
  });
});

// Outside a model, as Keras 3: adapt builds the layer, so getWeights() holds its statistics
// (Keras's [mean, variance, count]; neurite keeps no count) and norm(x) runs eagerly. The
// eager apply must give the bits the layer gives inside a model, and Keras's outputs.
describe('normalization outside a model: getWeights after adapt, eager apply', () => {
  const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
  const eager = (norm: nr.Normalization, x: number[], shape: number[]) => nr.tidy(() => norm.apply(nr.tensor(x, shape)).dataSync().slice());

  it("getWeights() after adapt is [mean, variance] in the kept axes' shape, the bits a model holding the layer has", () => {
    for (const name of ['last', 'rows', 'both', 'none'] as const) {
      const c = F.axes[name];
      const norm = nr.layers.normalization({ axis: c.axis });
      expect(norm.getWeights()).toEqual([]); // never adapted: none, as an unbuilt layer
      nr.tidy(() => norm.adapt(nr.tensor(c.x, c.shape)));
      const ws = norm.getWeights();
      expect(ws.map((t) => t.shape)).toEqual([c.statShape, c.statShape]);
      const [mean, variance] = ws.map((t) => t.dataSync().slice());
      nr.dispose(ws);
      expectClose(mean, c.mean64, 1e-6, 1e-6);
      expectClose(variance, c.variance64, 1e-6, 0);
      expect(norm.getWeights(true)).toEqual([]); // not trainable
      using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3, 4] }), norm] });
      m.build();
      const [m2, v2] = weightsOf(norm);
      expect([bits(m2), bits(v2)]).toEqual([bits(mean), bits(variance)]);
    }
    // Given statistics: Keras's layer has no weights (they are its config), so none outside a model.
    expect(nr.layers.normalization({ mean: [1, 2], variance: [1, 1] }).getWeights()).toEqual([]);
  });

  it("apply(tensor): the model's bits for adapted (every axis case, invert) and given statistics, and Keras's outputs", () => {
    const cases = [
      { c: F.features.array, args: {}, sample: [5] },
      { c: F.features.invert, args: { invert: true }, sample: [5] },
      ...(['last', 'rows', 'both', 'none'] as const).map((n) => ({ c: F.axes[n], args: { axis: F.axes[n].axis }, sample: [3, 4] })),
    ];
    for (const { c, args, sample } of cases) {
      const norm = nr.layers.normalization(args as nr.NormalizationArgs);
      nr.tidy(() => norm.adapt(nr.tensor(c.x, c.shape)));
      const y = eager(norm, c.test, c.testShape);
      expect(y.length).toBe(c.test.length);
      const inModel = predictWith(norm, sample, c.test, c.testShape);
      expect(bits(y)).toEqual(bits(inModel));
      // In the model again (the model's weights now) and out of it (disposed): the same bits.
      expect(bits(eager(norm, c.test, c.testShape))).toEqual(bits(inModel));
      if (c !== F.features.array) expectClose(y, c.y, 1e-5, 1e-6); // the 1e6 feature: Keras's float32 adapt is 2 % off there
    }
    for (const [name, g] of Object.entries(F.given)) {
      const norm = nr.layers.normalization(g.options as nr.NormalizationArgs);
      const y = eager(norm, g.x, g.shape);
      expect(bits(y), name).toEqual(bits(predictWith(norm, g.shape.slice(1), g.x, g.shape)));
      expectClose(y, g.y, 1e-6, 1e-6);
    }
  });

  it('apply(tensor) on odd inputs: zero rows, other batch sizes, huge and tiny values, gradients 1/max(√variance, ε)', () => {
    const norm = nr.layers.normalization();
    norm.adapt([[1e18, 1e-30, 3], [-1e18, -1e-30, 3], [5e17, 0, 3]]);
    expect(nr.tidy(() => norm.apply(nr.zeros([0, 3])).shape)).toEqual([0, 3]);
    const x = [3e38, 1e-38, 3, -3e38, -1e-45, 4, 0, 0, 1e7];
    const [mean, variance] = weightsOf(norm);
    const y = eager(norm, x, [3, 3]);
    expect(bits(y)).toEqual(bits(predictWith(norm, [3], x, [3, 3])));
    y.forEach((v, i) => expect(v).toBe(kerasForm(x[i], mean[i % 3], variance[i % 3], false)));
    const g = nr.tidy(() => nr.grad((t: nr.Tensor) => nr.sum(norm.apply(t)))(nr.tensor(x, [3, 3])).dataSync().slice());
    g.forEach((v, i) => expect(v).toBeCloseTo(1 / Math.max(Math.sqrt(variance[i % 3]), 1e-7), 0));
    expect(Array.from(g.slice(0, 3)).map((v, i) => Math.abs(v * Math.max(Math.sqrt(variance[i]), f32(1e-7)) - 1) < 1e-6)).toEqual([true, true, true]);
  });

  it('apply(tensor) errors name the layer, the shapes and the fix', () => {
    const fresh = nr.layers.normalization({ name: 'fresh' });
    expect(invalidMessage(() => nr.tidy(() => fresh.apply(nr.tensor([[1, 2]]))))).toBe('normalization.apply: layer fresh has no mean and variance yet: call layer.adapt(data) on the training data (or give mean and variance when making it) first');
    const norm = nr.layers.normalization({ name: 'std' });
    norm.adapt([[1, 2, 3], [2, 4, 8]]);
    expect(invalidMessage(() => nr.tidy(() => norm.apply(nr.tensor([[1, 2]]))))).toBe('normalization.apply: layer std: x has shape [1,2], [2] on the kept axes (axis [-1]), but the statistics have shape [3]');
    expect(invalidMessage(() => nr.tidy(() => norm.apply(nr.scalar(1))))).toBe('normalization.apply: layer std: x must be [batch, ...], got a scalar');
    expect(invalidMessage(() => nr.tidy(() => nr.layers.normalization({ axis: 2 }).apply(nr.tensor([[1, 2]]))))).toMatch(/^normalization\.apply: layer normalization\w*: axis 2 is out of range for x of shape \[1,2\]/);
    expect(invalidMessage(() => nr.tidy(() => nr.layers.normalization({ axis: -2 }).apply(nr.tensor([[1, 2]]))))).toMatch(/axis -2 is the batch axis for x of shape \[1,2\]/);
    // A layer in a model that is used before adapt: the model's NaN statistics, the same error.
    const inModel = nr.layers.normalization({ name: 'held' });
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [2] }), inModel] });
    m.build();
    expect(invalidMessage(() => nr.tidy(() => inModel.apply(nr.tensor([[1, 2]]))))).toMatch(/^normalization\.apply: layer held has no mean and variance yet/);
  });
});

// Keras 3's Normalization.build makes an un-adapted layer's mean zeros and variance ones
// (add_weight initializers), and that is what Keras saves. neurite's core marks "never adapted"
// with NaN (a forward is an error); saved, the file holds Keras's 0 and 1 instead.
describe('normalization saved before adapt', () => {
  it("holds Keras 3's initial statistics (mean 0, variance 1) with a warning; loads without allowNonFinite and passes its input through, as Keras's", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      using inner = nr.sequential({ name: 'inner', layers: [nr.layers.inputLayer({ inputShape: [3] }), nr.layers.normalization({ name: 'inner_norm', axis: null })] });
      using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), nr.layers.normalization({ name: 'raw' }), inner, nr.layers.dense({ units: 2, name: 'out' })] });
      m.build();
      const art = await m.toArtifacts();
      const data = new Float32Array(art.weightData as ArrayBuffer);
      let at = 0;
      const saved: Record<string, number[]> = {};
      for (const w of art.weightSpecs!) {
        const n = w.shape.reduce((a, b) => a * b, 1);
        saved[w.name] = Array.from(data.slice(at, at + n));
        at += n;
      }
      expect([saved['raw/mean'], saved['raw/variance'], saved['inner_norm/mean'], saved['inner_norm/variance']]).toEqual([[0, 0, 0], [1, 1, 1], [0], [1]]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(['raw', 'inner_norm'].map((l) => `toArtifacts: layer ${l} (normalization) was never adapted: saved with Keras 3's initial statistics, mean 0 and variance 1, so the loaded layer passes its input through unchanged (as Keras's); call adapt(data) before saving to keep the data's statistics`));
      // The live model still refuses to run the layer; the loaded one is Keras's un-adapted layer.
      expect(() => nr.tidy(() => m.predict(nr.zeros([1, 3])))).toThrow(/adapt/);
      const back = (await nr.loadModel(art)) as nr.Sequential;
      try {
        const x = [[1e6, -2, 3e-5], [0, 0, 0]];
        const viaDense = nr.tidy(() => {
          const ws = back.getLayer('out').getWeights();
          const y = nr.add(nr.matMul(nr.tensor(x), ws[0]), ws[1]).dataSync().slice();
          nr.dispose(ws);
          return y;
        });
        expect(Array.from(nr.tidy(() => back.predict(nr.tensor(x)).dataSync().slice()))).toEqual(Array.from(viaDense));
        expect(weightsOf(back.getLayer('raw') as nr.Layer).map((w) => Array.from(w))).toEqual([[0, 0, 0], [1, 1, 1]]);
      } finally {
        back.dispose();
      }
      // An adapted layer saves its statistics, with no warning.
      warn.mockClear();
      const norm = nr.layers.normalization({ name: 'fitted' });
      norm.adapt([[1, 2], [3, 6]]);
      using fitted = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [2] }), norm] });
      const a2 = await fitted.toArtifacts();
      expect(Array.from(new Float32Array(a2.weightData as ArrayBuffer))).toEqual([2, 4, 1, 4]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
