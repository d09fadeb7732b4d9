// The dot, thresholdedReLU, gaussianDropout, alphaDropout and spatialDropout1d layers: dot and
// thresholdedReLU against TF.js Layers 4.22 on the CPU backend (same weights: outputs, input
// gradients, a matrix-factorization recommender trained in both) and central differences; the
// noise layers against their closed forms (statistics over many seeds), their gradients as the
// noise they drew, their determinism (same seed, same bits, for 1 to 3 threads); saved and
// loaded in TF.js's format both ways; bad options and inputs named in errors.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown as thrownAny } from './setup.js';
import { bits, centralDiff, close, copyWeights, expectSameBitsForThreads, rng, tfArtifacts, uniform, nrGraphLib, TF_GRAPH, type GraphLib as Lib } from './oracle.js';

await tf.setBackend('cpu');
const thrown = (f: () => unknown) => (thrownAny(f) as Error).message;

/* eslint-disable @typescript-eslint/no-explicit-any */
const NR = nrGraphLib(5);
const TF = TF_GRAPH;

describe('dot: values and gradients as TF.js', () => {
  // [per-sample shape of input 0, of input 1, axes, output per-sample shape]
  const cases: Array<[number[], number[], number | [number, number], number[]]> = [
    [[5], [5], 1, [1]],
    [[5], [5], -1, [1]],
    [[7], [7], [1, 1], [1]],
    [[4, 3], [5, 3], 2, [4, 5]],
    [[3, 4], [3, 5], 1, [4, 5]],
    [[4, 3], [3, 5], [2, 1], [4, 5]],
    [[3, 4], [5, 3], [1, 2], [4, 5]],
    [[4, 3], [3], [-1, -1], [4]],
    [[3], [3, 5], [1, 1], [5]],
    [[1, 1], [1, 1], 2, [1, 1]],
  ];
  for (const normalize of [false, true]) {
    for (const [s0, s1, axes, out] of cases) {
      it(`${JSON.stringify(s0)} · ${JSON.stringify(s1)}, axes ${JSON.stringify(axes)}${normalize ? ', normalize' : ''}`, () => {
        const graph = (L: Lib): any => {
          const a = L.input({ shape: s0 });
          const b = L.input({ shape: s1 });
          return L.model({ inputs: [a, b], outputs: L.layers.dot({ axes, normalize }).apply([a, b]) });
        };
        const n = graph(NR) as nr.Sequential;
        const t = graph(TF) as tfl.LayersModel;
        try {
          expect(n.outputShape).toEqual(t.outputShape);
          expect(t.outputs[0].shape.slice(1)).toEqual(out);
          const batch = 3;
          const r = rng(s0.length * 7 + s1.length);
          const xs = [s0, s1].map((s) => uniform(r, batch * s.reduce((p, q) => p * q, 1), -2, 2));
          // A zero vector in the first sample (normalize divides it by sqrt(1e-7)).
          if (s0.length === 1) xs[0].fill(0, 0, s0[0]);
          const shapes = [[batch, ...s0], [batch, ...s1]];
          const w = uniform(r, batch * out.reduce((p, q) => p * q, 1), -1, 1);
          const want = tf.tidy(() => (t.predict(xs.map((x, i) => tf.tensor(x, shapes[i]))) as tf.Tensor).dataSync());
          const got = nr.tidy(() => n.predict<nr.Tensor>(xs.map((x, i) => nr.tensor(x, shapes[i]))).data());
          close(got, want, 1e-6, 'predict');
          const tg = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(t.predict([a, b]) as tf.Tensor, tf.tensor(w, [batch, ...out]))))(xs.map((x, i) => tf.tensor(x, shapes[i]))).map((g) => g.dataSync()));
          const loss = (a: nr.Tensor, b: nr.Tensor) => n.predict<nr.Tensor>([a, b]).mul(nr.tensor(w, [batch, ...out])).sum();
          const ng = expectNoLeak(() => nr.tidy(() => nr.grads(loss as (...a: nr.Tensor[]) => nr.Tensor)(xs.map((x, i) => nr.tensor(x, shapes[i]))).map((g) => g.data())));
          ng.forEach((g, i) => {
            close(g, tg[i], 1e-5, `dL/dx${i} vs TF.js`);
            expect(g.some((v) => v !== 0)).toBe(true);
            // Central differences in float64 over float32 outputs (h = 1e-2, away from the zero vector).
            const fd = centralDiff((v) => nr.tidy(() => loss(...((i === 0 ? [nr.tensor(v, shapes[0]), nr.tensor(xs[1], shapes[1])] : [nr.tensor(xs[0], shapes[0]), nr.tensor(v, shapes[1])]) as [nr.Tensor, nr.Tensor])).data()[0]), xs[i]);
            const skip = normalize && s0.length === 1 ? s0[0] : 0;
            close(g.slice(skip), fd.slice(skip), 3e-3, `dL/dx${i} vs central differences`);
          });
        } finally {
          n.dispose();
          t.dispose();
        }
      });
    }
  }
});

describe('dot: a matrix-factorization recommender trains as in TF.js', () => {
  // 9 users, 7 items, 4 factors; 23 ratings (every user and item, repeats) in batches of 5.
  const r = rng(17);
  const n = 23;
  const users = Float32Array.from({ length: n }, (_, i) => (i < 9 ? i : Math.floor(r() * 9)));
  const items = Float32Array.from({ length: n }, (_, i) => (i < 7 ? 6 - i : Math.floor(r() * 7)));
  const ratings = uniform(r, n, -1, 1);
  const recommender = (L: Lib, normalize: boolean): any => {
    const u = L.input({ shape: [1], name: 'user' });
    const i = L.input({ shape: [1], name: 'item' });
    const eu = L.layers.flatten({ name: 'fu' }).apply(L.layers.embedding({ inputDim: 9, outputDim: 4, name: 'users' }).apply(u));
    const ei = L.layers.flatten({ name: 'fi' }).apply(L.layers.embedding({ inputDim: 7, outputDim: 4, name: 'items' }).apply(i));
    return L.model({ inputs: [u, i], outputs: L.layers.dot({ axes: 1, normalize, name: 'score' }).apply([eu, ei]) });
  };
  for (const normalize of [false, true]) {
    for (const [opt, make] of [
      ['sgd', () => [nr.optimizers.sgd({ learningRate: 0.5 }), tf.train.sgd(0.5)]],
      ['adam', () => [nr.optimizers.adam({ learningRate: 0.05 }), tf.train.adam(0.05)]],
    ] as const) {
      it(`${normalize ? 'cosine' : 'dot-product'} scores, ${opt}: the same losses and embeddings (1e-5)`, async () => {
        const m = recommender(NR, normalize) as nr.Sequential;
        const t = recommender(TF, normalize) as tfl.LayersModel;
        try {
          copyWeights(m, t);
          const before = nr.tidy(() => m.getWeights().map((w) => w.data()));
          const [no, to] = make() as [nr.Optimizer, tf.Optimizer];
          m.compile({ optimizer: no, loss: 'meanSquaredError' });
          t.compile({ optimizer: to, loss: 'meanSquaredError' });
          const fit = { epochs: 4, batchSize: 5, shuffle: false, verbose: 0 } as const;
          const nx = [nr.tensor(users, [n, 1]), nr.tensor(items, [n, 1])];
          const ny = nr.tensor(ratings, [n, 1]);
          const h = await m.fit(nx, ny, fit).finally(() => nr.dispose([...nx, ny]));
          const tx = [tf.tensor(users, [n, 1]), tf.tensor(items, [n, 1])];
          const ty = tf.tensor(ratings, [n, 1]);
          const th = await t.fit(tx, ty, fit).finally(() => tf.dispose([...tx, ty]));
          close(h.history.loss as number[], th.history.loss as number[], 1e-5, 'losses');
          expect((h.history.loss as number[]).at(-1)!).toBeLessThan((h.history.loss as number[])[0]);
          for (const name of ['users', 'items']) {
            const [got] = m.getLayer(name).getWeights();
            const [want] = t.getLayer(name).getWeights();
            close(got.data(), want.dataSync(), 1e-5, `${name} after training`);
            got.dispose();
          }
          const after = nr.tidy(() => m.getWeights().map((w) => w.data()));
          expect(after.every((a, i) => a.some((v, k) => v !== before[i][k])), 'both tables moved').toBe(true);
        } finally {
          m.dispose();
          t.dispose();
        }
      });
    }
  }

  it('saves in TF.js\'s format: TF.js loads it and predicts the same; neurite loads TF.js\'s save and a TF.js-built model', async () => {
    const m = recommender(NR, true) as nr.Sequential;
    const x = [Float32Array.from([0, 8, 3]), Float32Array.from([6, 0, 2])];
    try {
      const a = await m.toArtifacts();
      const dot = (a.modelTopology as any).config.layers.find((l: any) => l.class_name === 'Dot');
      expect(dot.config).toEqual({ axes: 1, normalize: true, name: 'score', trainable: true });
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      const want = nr.tidy(() => m.predict<nr.Tensor>(x.map((v) => nr.tensor(v, [3, 1]))).data());
      close(tf.tidy(() => (tm.predict(x.map((v) => tf.tensor(v, [3, 1]))) as tf.Tensor).dataSync()), want, 1e-6, 'TF.js predicts neurite\'s file');
      const back = (await nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts)) as nr.Sequential;
      expect(bits(nr.tidy(() => back.predict<nr.Tensor>(x.map((v) => nr.tensor(v, [3, 1]))).data()))).toEqual(bits(want));
      back.dispose();
      tm.dispose();
      // A TF.js-built model with a pair of negative axes over [n, d] and [d] inputs.
      const a0 = tfl.input({ shape: [4, 3] });
      const b0 = tfl.input({ shape: [3] });
      const tb = tfl.model({ inputs: [a0, b0], outputs: tfl.layers.dot({ axes: [-1, -1] }).apply([a0, b0]) as tfl.SymbolicTensor });
      const loaded = (await nr.loadModel((await tfArtifacts(tb)) as nr.ModelArtifacts)) as nr.Sequential;
      const xs = [uniform(rng(1), 24, -1, 1), uniform(rng(2), 6, -1, 1)];
      const tw = tf.tidy(() => (tb.predict([tf.tensor(xs[0], [2, 4, 3]), tf.tensor(xs[1], [2, 3])]) as tf.Tensor).dataSync());
      close(nr.tidy(() => loaded.predict<nr.Tensor>([nr.tensor(xs[0], [2, 4, 3]), nr.tensor(xs[1], [2, 3])]).data()), tw, 1e-6, 'a TF.js-built dot');
      expect((loaded.getLayer(loaded.layers[2].name) as nr.Dot).axes).toEqual([-1, -1]);
      loaded.dispose();
      tb.dispose();
    } finally {
      m.dispose();
    }
  });
});

describe('dot: errors name the inputs and their shapes', () => {
  it('wrong input counts, ranks, axes and sizes', () => {
    const a = nr.input({ shape: [3] });
    const b = nr.input({ shape: [4] });
    const c = nr.input({ shape: [2, 3] });
    const d = nr.input({ shape: [2, 2, 3] });
    expect(thrown(() => nr.layers.dot({ axes: 1 }).apply([a, b]))).toMatch(/dot: the axes must have the same size: input 0 has 3 on axis 1 and input 1 has 4 on axis 1 \(batch included; per-sample shapes \[3\], \[4\]\)/);
    expect(thrown(() => nr.layers.dot({ axes: 1 }).apply([a, a, a]))).toMatch(/dot: takes exactly 2 inputs, got 3 \(per-sample shapes \[3\], \[3\], \[3\]\)/);
    expect(thrown(() => nr.layers.dot({ axes: 1 }).apply(a))).toMatch(/merges a list of symbolic tensors/);
    expect(thrown(() => nr.layers.dot({ axes: 1 }).apply([c, d]))).toMatch(/input 1 must be \[batch, d\] or \[batch, n, d\].*per-sample shapes \[2,3\], \[2,2,3\]/);
    expect(thrown(() => nr.layers.dot({ axes: 0 }).apply([a, a]))).toMatch(/axes\[0\] = 0 is the batch axis/);
    expect(thrown(() => nr.layers.dot({ axes: [1, 3] }).apply([a, c]))).toMatch(/axes\[1\] = 3 is out of range for input 1, of rank 3/);
    expect(thrown(() => nr.layers.dot({} as never))).toMatch(/dot: axes is required/);
    expect(thrown(() => nr.layers.dot({ axes: [1] as never }))).toMatch(/dot: axes must be an integer or a pair/);
    expect(thrown(() => nr.layers.dot({ axes: 1.5 }))).toMatch(/dot: axes must be an integer/);
    expect(thrown(() => nr.layers.dot({ axes: 1, normalize: 'yes' as never }))).toMatch(/dot: normalize must be/);
    expect(thrown(() => nr.layers.dot({ axes: 1, nomalize: true } as never))).toMatch(/did you mean 'normalize'/);
    expect(thrown(() => nr.sequential({ layers: [nr.layers.dot({ axes: 1, inputShape: [3] })] }).build())).toMatch(/dot: takes exactly 2 inputs, got 1 .*graph model/);
  });

  it('predict with inputs of the wrong shapes names them', () => {
    const a = nr.input({ shape: [3] });
    const b = nr.input({ shape: [3] });
    const m = nr.model({ inputs: [a, b], outputs: nr.layers.dot({ axes: 1 }).apply([a, b]) });
    try {
      expect(thrown(() => m.predict([nr.zeros([2, 3]), nr.zeros([2, 4])]))).toMatch(/\[2,4\]/);
      expect(thrown(() => m.predict([nr.zeros([2, 3]), nr.zeros([3, 3])]))).toMatch(/2.*3|3.*2/);
      expect(thrown(() => m.predict([nr.zeros([2, 3])]))).toMatch(/x must be a list of 2 tensors/);
    } finally {
      m.dispose();
    }
  });
});

describe('thresholdedReLU as TF.js', () => {
  it('values (bits) as TF.js\'s layer, dL/dx as TF.js\'s x·step(x − θ) and central differences, for theta 1 (default), 0 and 0.5, with ties, ±0, ±Infinity and NaN', () => {
    const x = Float32Array.from([-2, -0.5, -0, 0, 0.25, 0.5, 0.75, 1, 1.5, 3, Infinity, -Infinity, NaN, 1e-30, -1e30]);
    const w = uniform(rng(4), x.length, -1, 1);
    for (const theta of [undefined, 0, 0.5]) {
      const args = theta === undefined ? {} : { theta };
      const n = nr.sequential({ layers: [nr.layers.thresholdedReLU({ inputShape: [x.length], ...args })] });
      const t = tfl.sequential({ layers: [tfl.layers.thresholdedReLU({ inputShape: [x.length], ...args })] });
      try {
        const want = tf.tidy(() => (t.predict(tf.tensor(x, [1, x.length])) as tf.Tensor).dataSync());
        expect(bits(nr.tidy(() => n.predict(nr.tensor(x, [1, x.length])).data()))).toEqual(bits(want));
        const finite = x.map((v) => (Number.isFinite(v) ? v : 2));
        // TF.js 4.22 cannot differentiate its own layer (no gradient for Greater, asserted): the
        // oracle is the same value as x·step(x − θ), whose gradient TF.js has.
        expect(() => tf.grad((v: tf.Tensor) => tf.sum(t.predict(v) as tf.Tensor))(tf.tensor(finite, [1, x.length]))).toThrow(/gradient function not found for Greater/);
        const th = theta ?? 1;
        const tg = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mul(v, tf.step(tf.sub(v, th))), tf.tensor(w, [1, x.length]))))(tf.tensor(finite, [1, x.length])).dataSync());
        const ng = nr.tidy(() => nr.grad((v) => n.predict(v).mul(nr.tensor(w, [1, x.length])).sum())(nr.tensor(finite, [1, x.length])).data());
        // Equal values (TF.js's adds the step's zero gradient, so a −0 of ours is its +0).
        close(ng, tg, 1e-7, 'dL/dx vs TF.js');
        close(ng, Array.from(finite, (v, i) => (v > th ? w[i] : 0)), 1e-7, 'dL/dx, the closed form');
        // Central differences away from the kink (h = 1e-3 < the distance of every value to θ).
        const away = Float32Array.from([-2, -0.3, 0.2, 0.7, 1.3, 3]).filter((v) => Math.abs(v - th) > 0.01);
        const fd = centralDiff((v) => nr.tidy(() => n.predict(nr.tensor(Float32Array.from({ length: x.length }, (_, i) => v[i] ?? 0), [1, x.length])).data().slice(0, away.length).reduce((a, b) => a + b, 0)), away, 1e-3);
        close(Array.from(fd), Array.from(away, (v) => (v > th ? 1 : 0)), 1e-3, 'central differences');
      } finally {
        n.dispose();
        t.dispose();
      }
    }
  });

  it('trains as TF.js\'s ops would (one SGD step of dense → thresholdedReLU → dense vs TF.js\'s dense layers and x·step(x − θ), 1e-5), saves as TF.js\'s ThresholdedReLU', async () => {
    const build = (L: Lib): any => {
      const i = L.input({ shape: [5] });
      const h = L.layers.thresholdedReLU({ theta: 0.2, name: 'th' }).apply(L.layers.dense({ units: 6, name: 'h' }).apply(i));
      return L.model({ inputs: i, outputs: L.layers.dense({ units: 2, name: 'o' }).apply(h) });
    };
    const m = build(NR) as nr.Sequential;
    const t = build(TF) as tfl.LayersModel;
    try {
      copyWeights(m, t);
      const r = rng(8);
      const [x, y] = [uniform(r, 11 * 5, -2, 2), uniform(r, 11 * 2, -1, 1)];
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      const h = await m.fit(nr.tensor(x, [11, 5]), nr.tensor(y, [11, 2]), { epochs: 1, batchSize: 11, shuffle: false, verbose: 0 });
      const [hd, od] = [t.getLayer('h'), t.getLayer('o')];
      const vars = [...hd.trainableWeights, ...od.trainableWeights].map((v) => v.read() as tf.Variable);
      const loss = tf.tidy(() => tf.train.sgd(0.1).minimize(() => {
        const z = hd.apply(tf.tensor(x, [11, 5])) as tf.Tensor;
        const a = tf.mul(z, tf.step(tf.sub(z, 0.2)));
        return tf.losses.meanSquaredError(tf.tensor(y, [11, 2]), od.apply(a) as tf.Tensor) as tf.Scalar;
      }, true, vars)!.dataSync()[0]);
      close(h.history.loss as number[], [loss], 1e-5, 'loss');
      for (const name of ['h', 'o']) {
        const got = m.getLayer(name).getWeights();
        t.getLayer(name).getWeights().forEach((wt, k) => close(got[k].data(), wt.dataSync(), 1e-5, `${name} weight ${k}`));
        nr.dispose(got);
      }
      const a = await m.toArtifacts();
      expect((a.modelTopology as any).config.layers[2]).toMatchObject({ class_name: 'ThresholdedReLU', config: { theta: 0.2, name: 'th', trainable: true } });
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      expect(tm.layers[2].getClassName()).toBe('ThresholdedReLU');
      const back = (await nr.loadModel((await tfArtifacts(tm)) as nr.ModelArtifacts)) as nr.Sequential;
      expect((back.getLayer('th') as nr.ThresholdedReLU).theta).toBe(0.2);
      const xt = uniform(r, 10, -2, 2);
      expect(bits(nr.tidy(() => back.predict(nr.tensor(xt, [2, 5])).data()))).toEqual(bits(nr.tidy(() => m.predict(nr.tensor(xt, [2, 5])).data())));
      back.dispose();
      tm.dispose();
    } finally {
      m.dispose();
      t.dispose();
    }
  });

  it('refuses theta < 0, NaN, Infinity and non-numbers', () => {
    expect(thrown(() => nr.layers.thresholdedReLU({ theta: -0.1 }))).toBe('thresholdedReLU: theta must be a finite number >= 0, got -0.1');
    expect(thrown(() => nr.layers.thresholdedReLU({ theta: NaN }))).toMatch(/theta must be a finite number >= 0, got NaN/);
    expect(thrown(() => nr.layers.thresholdedReLU({ theta: Infinity }))).toMatch(/got Infinity/);
    expect(thrown(() => nr.layers.thresholdedReLU({ theta: '1' as never }))).toMatch(/theta must be a finite number >= 0, got/);
  });
});

/** `n` standard normal float32 values (Box–Muller over a seeded uniform stream). */
function standardNormal(seed: number, n: number): Float32Array {
  const r = rng(seed);
  const z = Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
  // Standardized exactly (sample mean 0, variance 1), so the layer's expectation is 0 and 1.
  const m = z.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(z.reduce((a, b) => a + (b - m) ** 2, 0) / n);
  return Float32Array.from(z, (v) => (v - m) / sd);
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
const variance = (v: ArrayLike<number>) => {
  const m = mean(v);
  return Array.from(v).reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
};

/** One training-mode output of a one-layer model with `seed` on x, and dL/dx for L = Σ y (the same draws). */
function trainingRun(layer: () => nr.Layer, seed: number, x: Float32Array, shape: number[]): { y: Float32Array; dx: Float32Array } {
  const m = nr.sequential({ seed, layers: [layer()] });
  try {
    let y!: Float32Array;
    const dx = nr.tidy(() => nr.grad((v) => {
      const out = m.apply(v, { training: true });
      y = out.data();
      return out.sum();
    })(nr.tensor(x, shape)).data());
    return { y, dx };
  } finally {
    m.dispose();
  }
}

describe('the noise layers: closed-form statistics over many seeds, gradients, determinism', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => i * 7 + 1);

  it('gaussianDropout multiplies by N(1, rate/(1 − rate)); dL/dx is that noise', () => {
    const x = Float32Array.from({ length: 500 }, (_, i) => 0.5 + (i % 5));
    for (const rate of [0.1, 0.5]) {
      const noise: number[] = [];
      for (const seed of seeds) {
        const { y, dx } = trainingRun(() => nr.layers.gaussianDropout({ inputShape: [50], rate }), seed, x, [10, 50]);
        y.forEach((v, i) => expect(v).toBe(Math.fround(x[i] * dx[i])));
        noise.push(...dx);
      }
      const want = rate / (1 - rate);
      const N = noise.length;
      // 5 standard errors: sqrt(σ²/N) for the mean, σ²·sqrt(2/N) for the variance.
      expect(Math.abs(mean(noise) - 1)).toBeLessThan(5 * Math.sqrt(want / N));
      expect(Math.abs(variance(noise) - want)).toBeLessThan(5 * want * Math.sqrt(2 / N));
    }
  });

  it('alphaDropout keeps the mean (0) and variance (1) of a standardized input (TF.js 4.22 does not: asserted)', () => {
    const x = standardNormal(3, 1000);
    for (const rate of [0.1, 0.3]) {
      const ys: number[] = [];
      let dropped = 0;
      for (const seed of seeds) {
        const { y, dx } = trainingRun(() => nr.layers.alphaDropout({ inputShape: [100], rate }), seed, x, [10, 100]);
        ys.push(...y);
        dropped += dx.filter((d) => d === 0).length;
        // Kept: a·x + b with dL/dx = a; dropped: a·α' + b with dL/dx = 0.
        const a = dx.find((d) => d !== 0)!;
        expect(a).toBeCloseTo(((1 - rate) * (1 + rate * 1.7580993408473766 ** 2)) ** -0.5, 6);
      }
      const N = ys.length;
      expect(Math.abs(mean(ys))).toBeLessThan(0.02);
      expect(Math.abs(variance(ys) - 1)).toBeLessThan(0.03);
      expect(Math.abs(dropped / N - rate)).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / N));
    }
    // TF.js 4.22 sets dropped values to +1.758 (x·kept + (kept − 1)·α'): its mean moves.
    const ty = tf.tidy(() => (tfl.layers.alphaDropout({ rate: 0.3 }).apply(tf.tensor(x, [10, 100]), { training: true }) as tf.Tensor).dataSync());
    expect(mean(ty)).toBeGreaterThan(0.3);
  });

  it('spatialDropout1d drops whole channels: each (sample, channel) all zero or all scaled, at rate', () => {
    const [b, s, c] = [6, 5, 20];
    const x = Float32Array.from({ length: b * s * c }, (_, i) => 1 + (i % 7));
    const rate = 0.4;
    let dropped = 0;
    for (const seed of seeds) {
      const { y, dx } = trainingRun(() => nr.layers.spatialDropout1d({ inputShape: [s, c], rate }), seed, x, [b, s, c]);
      for (let i = 0; i < b; i++) {
        for (let ch = 0; ch < c; ch++) {
          const at = (t: number) => (i * s + t) * c + ch;
          const m = dx[at(0)];
          expect([0, Math.fround(1 / (1 - rate))]).toContain(m);
          dropped += m === 0 ? 1 : 0;
          for (let t = 0; t < s; t++) {
            expect(dx[at(t)]).toBe(m);
            expect(y[at(t)]).toBe(Math.fround(x[at(t)] * m));
          }
        }
      }
    }
    const N = seeds.length * b * c;
    expect(Math.abs(dropped / N - rate)).toBeLessThan(5 * Math.sqrt((rate * (1 - rate)) / N));
  });

  it('inference (predict, apply without training) is the identity; rate 0 is the identity in training', () => {
    const x = uniform(rng(2), 24, -3, 3);
    for (const make of [
      (rate: number) => nr.layers.gaussianDropout({ inputShape: [4, 6], rate }),
      (rate: number) => nr.layers.alphaDropout({ inputShape: [4, 6], rate }),
      (rate: number) => nr.layers.spatialDropout1d({ inputShape: [4, 6], rate }),
    ]) {
      const m = nr.sequential({ seed: 1, layers: [make(0.5)] });
      const z = nr.sequential({ seed: 1, layers: [make(0)] });
      try {
        expect(bits(nr.tidy(() => m.predict(nr.tensor(x, [1, 4, 6])).data()))).toEqual(bits(x));
        expect(bits(nr.tidy(() => m.apply(nr.tensor(x, [1, 4, 6])).data()))).toEqual(bits(x));
        expect(bits(nr.tidy(() => z.apply(nr.tensor(x, [1, 4, 6]), { training: true }).data()))).toEqual(bits(x));
        expect(bits(nr.tidy(() => m.apply(nr.tensor(x, [1, 4, 6]), { training: true }).data()))).not.toEqual(bits(x));
      } finally {
        m.dispose();
        z.dispose();
      }
    }
  });

  it('fit: the same seed gives the same weights, for 1, 2 and 3 threads; another seed other weights', async () => {
    const r = rng(6);
    const [x, y] = [uniform(r, 16 * 3 * 4, -1, 1), uniform(r, 16 * 2, -1, 1)];
    const run = async (seed: number) => {
      const m = nr.sequential({ seed, layers: [
        nr.layers.spatialDropout1d({ inputShape: [3, 4], rate: 0.3 }),
        nr.layers.flatten(),
        nr.layers.dense({ units: 8, activation: 'selu' }),
        nr.layers.alphaDropout({ rate: 0.2 }),
        nr.layers.gaussianDropout({ rate: 0.3 }),
        nr.layers.thresholdedReLU({ theta: 0.1 }),
        nr.layers.dense({ units: 2 }),
      ] });
      try {
        m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
        await m.fit(nr.tensor(x, [16, 3, 4]), nr.tensor(y, [16, 2]), { epochs: 3, batchSize: 5, verbose: 0 });
        return nr.tidy(() => m.getWeights().map((w) => Array.from(new Uint32Array(w.data().buffer.slice(0)))));
      } finally {
        m.dispose();
      }
    };
    await expectSameBitsForThreads(() => run(3));
    expect(await run(4)).not.toEqual(await run(3));
  });

  it('saves as TF.js\'s classes and config keys; TF.js loads the file (inference: the identity in both); neurite loads TF.js\'s models', async () => {
    const m = nr.sequential({ seed: 2, layers: [
      nr.layers.gaussianDropout({ inputShape: [3, 4], rate: 0.2, name: 'g' }),
      nr.layers.alphaDropout({ rate: 0.1, name: 'a' }),
      nr.layers.spatialDropout1d({ rate: 0.3, name: 's' }),
      nr.layers.thresholdedReLU({ name: 't' }),
    ] });
    try {
      const a = await m.toArtifacts();
      expect((a.modelTopology as any).config.layers.map((l: any) => [l.class_name, l.config])).toEqual([
        ['GaussianDropout', { rate: 0.2, name: 'g', trainable: true, batch_input_shape: [null, 3, 4], dtype: 'float32' }],
        ['AlphaDropout', { rate: 0.1, name: 'a', trainable: true }],
        ['SpatialDropout1D', { rate: 0.3, noise_shape: null, seed: null, name: 's', trainable: true }],
        ['ThresholdedReLU', { theta: 1, name: 't', trainable: true }],
      ]);
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      expect(tm.layers.map((l) => l.getClassName())).toEqual(['GaussianDropout', 'AlphaDropout', 'SpatialDropout1D', 'ThresholdedReLU']);
      const x = uniform(rng(1), 24, -3, 3);
      const want = tf.tidy(() => (tm.predict(tf.tensor(x, [2, 3, 4])) as tf.Tensor).dataSync());
      expect(bits(nr.tidy(() => m.predict(nr.tensor(x, [2, 3, 4])).data()))).toEqual(bits(want));
      tm.dispose();
      // TF.js-built: each class with its own options.
      const t = tfl.sequential({ layers: [
        tfl.layers.spatialDropout1d({ inputShape: [3, 4], rate: 0.25, seed: 9 }),
        tfl.layers.gaussianDropout({ rate: 0.5 }),
        tfl.layers.alphaDropout({ rate: 0.05 }),
        tfl.layers.thresholdedReLU({ theta: 0.7 }),
      ] });
      const back = (await nr.loadModel((await tfArtifacts(t)) as nr.ModelArtifacts)) as nr.Sequential;
      const [s, g, al, th] = back.layers as [nr.SpatialDropout1D, nr.GaussianDropout, nr.AlphaDropout, nr.ThresholdedReLU];
      expect([s.rate, s.seed, g.rate, al.rate, th.theta]).toEqual([0.25, 9, 0.5, 0.05, 0.7]);
      const tw = tf.tidy(() => (t.predict(tf.tensor(x, [2, 3, 4])) as tf.Tensor).dataSync());
      expect(bits(nr.tidy(() => back.predict(nr.tensor(x, [2, 3, 4])).data()))).toEqual(bits(tw));
      const text = back.summary(null);
      for (const cls of ['SpatialDropout1D', 'GaussianDropout', 'AlphaDropout', 'ThresholdedReLU']) expect(text).toContain(`(${cls})`);
      back.dispose();
      t.dispose();
    } finally {
      m.dispose();
    }
  });

  it('refuses rates outside [0, 1), a spatialDropout1d on other ranks, and noiseShape', () => {
    for (const name of ['gaussianDropout', 'alphaDropout', 'spatialDropout1d'] as const) {
      for (const rate of [-0.1, 1, 1.5, NaN]) {
        expect(thrown(() => (nr.layers[name] as (a: object) => nr.Layer)({ rate }))).toMatch(new RegExp(`^${name}: rate must be a number in \\[0, 1\\), got`));
      }
      expect(thrown(() => (nr.layers[name] as (a: object) => nr.Layer)({}))).toMatch(new RegExp(`^${name}: rate must be a number in \\[0, 1\\), got undefined`));
    }
    expect(thrown(() => nr.sequential({ layers: [nr.layers.spatialDropout1d({ inputShape: [4], rate: 0.2 })] }).build())).toMatch(/spatialDropout1d: expects per-sample inputs of shape \[steps, channels\].*got per-sample shape \[4\]/);
    expect(thrown(() => nr.layers.alphaDropout({ rate: 0.2, noiseShape: [1, 2] as never }))).toMatch(/alphaDropout: noiseShape must be null or absent/);
    expect(thrown(() => nr.layers.gaussianDropout({ rate: 0.2, seed: 1 } as never))).toMatch(/there is no per-layer seed/);
  });
});
