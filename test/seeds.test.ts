// Models, networks and shuffles made without a seed draw it from the global generator when
// they are made (`setSeed` restarts it): two of them differ, the same program after the same
// setSeed repeats them bit for bit, an explicit seed is untouched by the global state, and the
// initial weights still have the initializer's distribution (closed-form glorotUniform bounds,
// mean and variance; across models a KS test against the uniform CDF and no correlation).
import { afterEach, describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { drawSeed } from '../ts/ops/random.js';
import { mix32, mixSeed } from '../ts/data/random.js';

afterEach(() => nr.setSeed(0));

/** A tester's neuroevolution brain: dense 5 → 8 (tanh) → 2 (softmax), no seed. */
const brain = (seed?: number): nr.Sequential => nr.sequential({
  ...(seed === undefined ? {} : { seed }),
  layers: [nr.layers.dense({ inputShape: [5], units: 8, activation: 'tanh' }), nr.layers.dense({ units: 2, activation: 'softmax' })],
});

/** The bits of every weight of `m`, as one string (builds the model). */
function bits(m: nr.Sequential): string {
  const ws = m.getWeights();
  const s = ws.map((w) => Array.from(new Uint32Array(w.data().slice().buffer), (u) => u.toString(16)).join(',')).join(';');
  for (const w of ws) w.dispose();
  return s;
}

/** Builds, reads and disposes models made by `make`; returns their weights' bits. */
function population(n: number, make: (i: number) => nr.Sequential): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = make(i);
    out.push(bits(m));
    m.dispose();
  }
  return out;
}

describe('unseeded models draw their seed from the global generator', () => {
  it("250 unseeded brains are 250 different brains (the tester's sketch), and setSeed repeats them", () => {
    const before = nr.memory().numTensors;
    const a = population(250, () => brain());
    expect(new Set(a).size).toBe(250);
    // setSeed(i) before each model now changes it (it did nothing before): 250 distinct, and
    // the same i gives the same brain.
    const b = population(250, (i) => (nr.setSeed(i), brain()));
    expect(new Set(b).size).toBe(250);
    expect(population(3, (i) => (nr.setSeed(i), brain()))).toEqual(b.slice(0, 3));
    expect(nr.memory().numTensors).toBe(before);
    expect(nr.memory().modelBytes).toBe(0);
  });

  it('the same program after the same setSeed gives the same bits; another seed other bits', () => {
    const program = (): string[] => {
      const out: string[] = [];
      const m1 = brain();
      const r = nr.randomNormal([3]); // an unseeded op between two models draws from the same generator
      out.push(Array.from(r.data()).join(','));
      r.dispose();
      const m2 = brain();
      out.push(bits(m1), bits(m2), String(m1.seed), String(m2.seed));
      m1.dispose();
      m2.dispose();
      return out;
    };
    nr.setSeed(3);
    const first = program();
    nr.setSeed(3);
    expect(program()).toEqual(first);
    expect(first[1]).not.toBe(first[2]);
    nr.setSeed(4);
    const other = program();
    for (let i = 0; i < first.length; i++) expect(other[i]).not.toEqual(first[i]);
  });

  it('the seed is drawn once, when the model is made, and model.seed tells it', () => {
    nr.setSeed(9);
    const expected = [drawSeed('t'), drawSeed('t'), drawSeed('t')];
    expect(new Set(expected).size).toBe(3);
    for (const s of expected) expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
    nr.setSeed(9);
    const m = brain();
    // Building, predicting and reading weights later draw nothing more.
    const x = nr.zeros([1, 5]);
    (m.predict(x) as nr.Tensor).dispose();
    x.dispose();
    const n = brain();
    const o = nr.sequential(); // no layers yet: drawn all the same, at construction
    expect([m.seed, n.seed, o.seed]).toEqual(expected);
    // A model made with the drawn seed is the same model.
    const same = brain(m.seed);
    expect(bits(same)).toBe(bits(m));
    for (const k of [m, n, o, same]) k.dispose();
  });

  it('an explicit seed gives the same bits whatever the global generator did', () => {
    nr.setSeed(1);
    const a = brain(5);
    nr.setSeed(2);
    const r = nr.randomUniform([10]);
    const b = brain(5);
    expect(bits(b)).toBe(bits(a));
    expect(a.seed).toBe(5);
    // …and takes nothing from the generator: the next unseeded model is the one it would have been.
    nr.setSeed(2);
    const r2 = nr.randomUniform([10]);
    const c = brain();
    nr.setSeed(2);
    const r3 = nr.randomUniform([10]);
    const s0 = brain(0);
    const d = brain();
    expect(d.seed).toBe(c.seed);
    expect(bits(s0)).not.toBe(bits(d));
    for (const t of [r, r2, r3]) t.dispose();
    for (const m of [a, b, c, s0, d]) m.dispose();
  });

  it('a rejected option draws nothing', () => {
    nr.setSeed(6);
    const want = drawSeed('t');
    nr.setSeed(6);
    expect(() => nr.sequential({ seed: -1 })).toThrow(/sequential: seed must be an integer between 0 and 2\^53 - 1, got -1/);
    expect(() => nr.sequential({ seed: 1.5 })).toThrow(/sequential: seed must be an integer between 0 and 2\^53 - 1, got 1.5/);
    expect(() => nr.sequential({ seed: 2 ** 53 })).toThrow(/sequential: seed must be an integer between 0 and 2\^53 - 1, got 9007199254740992/);
    expect(() => nr.sequential({ layers: 'dense' as never })).toThrow(/sequential: layers must be an array of layers/);
    expect(() => nr.sequential({ sede: 1 } as never)).toThrow(/sequential: unknown option 'sede'.*seed/);
    const m = nr.sequential();
    expect(m.seed).toBe(want);
    m.dispose();
  });

  it('the graph API and autoencoders draw theirs too', () => {
    const graph = (): nr.Sequential => {
      const x = nr.input({ shape: [4] });
      return nr.model({ inputs: x, outputs: nr.layers.dense({ units: 3 }).apply(x) as nr.SymbolicTensor });
    };
    const ae = (): nr.Sequential => nr.autoencoder({ encoder: nr.layers.dense({ inputShape: [6], units: 2 }), decoder: nr.layers.dense({ units: 6 }) });
    for (const make of [graph, ae]) {
      nr.setSeed(2);
      const [a, b] = [make(), make()];
      nr.setSeed(2);
      const [c, d] = [make(), make()];
      expect(bits(a)).not.toBe(bits(b));
      expect([bits(c), bits(d)]).toEqual([bits(a), bits(b)]);
      for (const m of [a, b, c, d]) m.dispose();
    }
  });
});

describe('the initial weights keep their distribution', () => {
  it('glorotUniform over 400 unseeded models: within ±√(6/(fanIn+fanOut)), mean 0 and variance limit²/3, uniform and uncorrelated across models', () => {
    const fanIn = 20, units = 30, models = 400;
    const limit = Math.sqrt(6 / (fanIn + units));
    const all: number[] = [];
    const first: number[] = []; // kernel[0][0] of each model: one draw per model seed
    const last: number[] = []; // kernel[19][29]
    for (let i = 0; i < models; i++) {
      const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [fanIn], units })] });
      const [k, b] = m.getWeights();
      const v = k.data();
      for (const x of v) all.push(x);
      first.push(v[0]);
      last.push(v[v.length - 1]);
      expect(Array.from(b.data()).every((x) => x === 0)).toBe(true);
      k.dispose();
      b.dispose();
      m.dispose();
    }
    const n = all.length;
    expect(all.reduce((m, x) => Math.max(m, Math.abs(x)), 0)).toBeLessThanOrEqual(limit);
    const mean = all.reduce((s, x) => s + x, 0) / n;
    const variance = all.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    // Closed form for U(−a, a): mean 0 (sd a/√(3n)), variance a²/3 (sd √(4a⁴/45n)); 5 sd.
    expect(Math.abs(mean)).toBeLessThan(5 * limit / Math.sqrt(3 * n));
    expect(Math.abs(variance - limit ** 2 / 3)).toBeLessThan(5 * Math.sqrt(4 * limit ** 4 / 45 / n));
    // Across models (the drawn seeds): Kolmogorov–Smirnov against U(−a, a) at α = 0.001
    // (1.95/√n), and no correlation between two models in a row or two weights of one.
    for (const v of [first, last]) {
      const s = [...v].sort((p, q) => p - q);
      let d = 0;
      s.forEach((x, i) => {
        const cdf = (x + limit) / (2 * limit);
        d = Math.max(d, Math.abs(cdf - i / models), Math.abs(cdf - (i + 1) / models));
      });
      expect(d).toBeLessThan(1.95 / Math.sqrt(models));
    }
    const corr = (p: number[], q: number[]): number => {
      const mp = p.reduce((s, x) => s + x, 0) / p.length, mq = q.reduce((s, x) => s + x, 0) / q.length;
      let c = 0, vp = 0, vq = 0;
      p.forEach((x, i) => { c += (x - mp) * (q[i] - mq); vp += (x - mp) ** 2; vq += (q[i] - mq) ** 2; });
      return c / Math.sqrt(vp * vq);
    };
    // |r| of independent samples has sd 1/√n: 4.5 sd.
    expect(Math.abs(corr(first.slice(1), first.slice(0, -1)))).toBeLessThan(4.5 / Math.sqrt(models - 1));
    expect(Math.abs(corr(first, last))).toBeLessThan(4.5 / Math.sqrt(models));
  });
});

describe('dropout, noise and shuffles follow the model seed', () => {
  const data = (): [nr.Tensor, nr.Tensor] => [nr.randomUniform([24, 5], { seed: 1 }), nr.randomUniform([24, 2], { seed: 2 })];
  /** Two unseeded models with the same starting weights, each trained one epoch; their weights after. */
  async function twins(layers: () => nr.Layer[], shuffle: boolean): Promise<[string, string]> {
    const [x, y] = data();
    const a = nr.sequential({ layers: layers() });
    const b = nr.sequential({ layers: layers() });
    nr.tidy(() => b.setWeights(a.getWeights()));
    expect(bits(b)).toBe(bits(a));
    for (const m of [a, b]) {
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 1, batchSize: 6, shuffle, verbose: 0 });
    }
    const out: [string, string] = [bits(a), bits(b)];
    for (const t of [x, y]) t.dispose();
    a.dispose();
    b.dispose();
    return out;
  }
  const dense = () => [nr.layers.dense({ inputShape: [5], units: 4, activation: 'tanh' }), nr.layers.dense({ units: 2 })];
  const dropped = () => [nr.layers.dense({ inputShape: [5], units: 4, activation: 'tanh' }), nr.layers.dropout({ rate: 0.5 }), nr.layers.dense({ units: 2 })];
  const noisy = () => [nr.layers.gaussianNoise({ inputShape: [5], stddev: 0.5 }), nr.layers.dense({ units: 2 })];

  it("two unseeded models' shuffles differ; the same setSeed repeats them", async () => {
    nr.setSeed(4);
    const [a, b] = await twins(dense, true);
    expect(b).not.toBe(a);
    nr.setSeed(4);
    expect(await twins(dense, true)).toEqual([a, b]);
    // Without shuffling or random layers, the same start gives the same training.
    const [c, d] = await twins(dense, false);
    expect(d).toBe(c);
  });

  it("two unseeded models' dropout and noise masks differ; the same setSeed repeats them", async () => {
    for (const layers of [dropped, noisy]) {
      nr.setSeed(5);
      const [a, b] = await twins(layers, false);
      expect(b).not.toBe(a);
      nr.setSeed(5);
      expect(await twins(layers, false)).toEqual([a, b]);
    }
  });
});

describe('configs and saved models record a given seed only', () => {
  it('getConfig: no seed for an unseeded model, the seed when given (0 too)', () => {
    const a = brain(), b = brain(0), c = brain(7);
    expect('seed' in a.getConfig().config).toBe(false);
    expect((b.getConfig().config as { seed?: number }).seed).toBe(0);
    expect((c.getConfig().config as { seed?: number }).seed).toBe(7);
    // fromConfig: a given seed makes the same initial weights; none draws a new seed.
    const b2 = nr.sequential.fromConfig(b.getConfig()), c2 = nr.sequential.fromConfig(c.getConfig());
    const a2 = nr.sequential.fromConfig(a.getConfig());
    expect([b2.seed, c2.seed]).toEqual([0, 7]);
    expect([bits(b2), bits(c2)]).toEqual([bits(b), bits(c)]);
    expect(a2.seed).not.toBe(a.seed);
    expect(bits(a2)).not.toBe(bits(a));
    // A graph model's config too.
    const x = nr.input({ shape: [3] });
    const g = nr.model({ inputs: x, outputs: nr.layers.dense({ units: 2 }).apply(x) as nr.SymbolicTensor });
    const gs = nr.model({ inputs: x, outputs: g.outputs[0], seed: 0 });
    expect('seed' in g.getConfig().config).toBe(false);
    expect((gs.getConfig().config as { seed?: number }).seed).toBe(0);
    for (const m of [a, b, c, a2, b2, c2, g, gs]) m.dispose();
  });

  it('loadModel: the weights from the file; an unseeded model gets a new seed, a seeded one keeps it', async () => {
    const a = brain(), s = brain(3);
    const la = await nr.loadModel(await a.toArtifacts()) as nr.Sequential;
    const ls = await nr.loadModel(await s.toArtifacts()) as nr.Sequential;
    expect(bits(la)).toBe(bits(a));
    expect(la.seed).not.toBe(a.seed);
    expect(ls.seed).toBe(3);
    for (const m of [a, s, la, ls]) m.dispose();
  });

  it('loads awaited together get their seeds in call order, whichever read finishes first (one draw per call)', async () => {
    const a = await brain().toArtifacts(), b = await brain().toArtifacts();
    /** An IOHandler whose load resolves after `ms`. */
    const slow = (art: nr.io.ModelArtifacts, ms: number): nr.io.IOHandler => ({ load: () => new Promise((r) => setTimeout(() => r(art), ms)) });
    const seedsOf = async (msA: number, msB: number) => {
      nr.setSeed(7);
      const ms = await Promise.all([nr.loadModel(slow(a, msA)), nr.loadModel(slow(b, msB))]) as nr.Sequential[];
      const seeds = ms.map((m) => m.seed);
      const next = drawSeed('t'); // what the program draws next
      for (const m of ms) m.dispose();
      return [...seeds, next];
    };
    const first = await seedsOf(1, 30);
    expect(await seedsOf(30, 1)).toEqual(first);
    expect(new Set(first).size).toBe(3);
    // A seeded model in the file keeps its seed; the call still takes its one draw.
    nr.setSeed(7);
    const s = await nr.loadModel(await brain(3).toArtifacts()) as nr.Sequential;
    const after = drawSeed('t');
    nr.setSeed(7);
    drawSeed('t');
    expect([s.seed, after]).toEqual([3, drawSeed('t')]);
    s.dispose();
  });

  it("model.seed is the imported training state's seed, which drives training from then on", async () => {
    const m = brain(5);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = nr.ones([4, 5]), y = nr.zeros([4, 2]);
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const state = nr.exportTrainingState(m);
    const other = brain(9);
    other.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await other.fit(x, y, { epochs: 1, verbose: 0 }); // builds it
    expect(other.seed).toBe(9);
    nr.importTrainingState(other, state);
    expect(other.seed).toBe(5);
    other.compile({ optimizer: 'sgd', loss: 'meanSquaredError' }); // a fresh state: its own seed again
    expect(other.seed).toBe(9);
    for (const t of [m, other, x, y]) t.dispose();
  });

  it('perceptron and rbfNetwork draw theirs when made and save it; kmeans draws per call', async () => {
    nr.setSeed(8);
    const p1 = nr.perceptron({ inputs: 2 }), p2 = nr.perceptron({ inputs: 2 });
    const r1 = nr.rbfNetwork({ centers: 3 }), r2 = nr.rbfNetwork({ centers: 3 });
    nr.setSeed(8);
    const want = [drawSeed('t'), drawSeed('t'), drawSeed('t'), drawSeed('t')];
    expect([p1.seed, p2.seed, r1.seed, r2.seed]).toEqual(want);
    expect(new Set(want).size).toBe(4);
    expect(nr.perceptron({ inputs: 2, seed: 0 }).seed).toBe(0);
    const loaded = await nr.loadModel(await p1.toArtifacts()) as unknown as nr.Perceptron;
    expect(loaded.seed).toBe(p1.seed);
    // kmeans: an unseeded call is the call with the next drawn seed.
    const x = nr.randomUniform([60, 2], { seed: 3 });
    nr.setSeed(12);
    const seed = drawSeed('t');
    nr.setSeed(12);
    const got = nr.kmeans(x, { k: 5 });
    const ref = nr.kmeans(x, { k: 5, seed });
    expect(Array.from(got.centers.data())).toEqual(Array.from(ref.centers.data()));
    expect(got.inertia).toBe(ref.inertia);
    // Given centers draw nothing.
    nr.setSeed(12);
    const init = nr.tensor([[0, 0], [1, 1]]);
    const fixed = nr.kmeans(x, { k: 2, init });
    expect(drawSeed('t')).toBe(seed);
    for (const t of [x, got.centers, got.labels, ref.centers, ref.labels, init, fixed.centers, fixed.labels]) t.dispose();
    for (const m of [p1, p2, loaded]) m.dispose();
    r1.dispose();
    r2.dispose();
  });
});

describe('model copies', () => {
  it("the README's copy recipe leaves no tensors: tidy frees getWeights' copies", () => {
    const m = brain(1);
    m.build();
    const before = nr.memory().numTensors;
    const copies: nr.Sequential[] = [];
    for (let i = 0; i < 250; i++) {
      const copy = nr.sequential.fromConfig(m.getConfig());
      nr.tidy(() => copy.setWeights(m.getWeights()));
      copies.push(copy);
    }
    expect(nr.memory().numTensors).toBe(before);
    expect(bits(copies[249])).toBe(bits(m));
    for (const c of copies) c.dispose();
    m.dispose();
  });
});

describe("a layer's initial weights: the model seed and the layer's position (the documented rule)", () => {
  const kernels = (ls: nr.Layer[]): number[][] => {
    using m = nr.sequential({ seed: 1, layers: ls });
    m.build();
    return ls.filter((l) => l.getWeights().length > 0).map((l) => {
      const ws = l.getWeights();
      const k = Array.from(ws[0].data());
      ws.forEach((w) => w.dispose());
      return k;
    });
  };
  it('inserting a layer before one changes its weights; appending or renaming does not; seeded initializers keep theirs', () => {
    const d = (units: number, more: Partial<nr.DenseArgs> = {}) => nr.layers.dense({ units, ...more });
    const base = kernels([d(8, { inputShape: [4] }), d(3)]);
    const inserted = kernels([d(8, { inputShape: [4] }), nr.layers.dropout({ rate: 0.5 }), d(3)]);
    const appended = kernels([d(8, { inputShape: [4] }), d(3), d(2)]);
    const renamed = kernels([d(8, { inputShape: [4], name: 'other_a' }), d(3, { name: 'other_b' })]);
    expect(inserted[0]).toEqual(base[0]);
    expect(inserted[1]).not.toEqual(base[1]);
    expect(appended.slice(0, 2)).toEqual(base);
    expect(renamed).toEqual(base);
    const seeded = (extra: nr.Layer[]) => kernels([d(8, { inputShape: [4] }), ...extra, d(3, { kernelInitializer: nr.initializers.glorotUniform({ seed: 7 }) })]).at(-1);
    expect(seeded([nr.layers.dropout({ rate: 0.5 })])).toEqual(seeded([]));
  });
});

describe('mixSeed: one seed mixer for the global draws and the nested parts', () => {
  // The formula drawSeed used before it was shared: domain 0 keeps every pinned stream.
  const before = (seed: number, stream: number): number => {
    const lo = mix32(((seed % 2 ** 32) ^ mix32((stream + 0x9e3779b9) >>> 0)) >>> 0);
    const hi = mix32((Math.floor(seed / 2 ** 32) ^ mix32((lo ^ 0x85ebca6b) >>> 0) ^ stream) >>> 0);
    return (hi & 0x1fffff) * 2 ** 32 + lo;
  };
  it('domain 0 is the old draw; another domain gives other seeds in [0, 2^53) for the same streams', () => {
    const seeds = [0, 1, 42, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    const seen = new Set<number>();
    for (const s of seeds) {
      for (const k of [0, 1, 2, 7, 1000]) {
        expect(mixSeed(s, k)).toBe(before(s, k));
        const n = mixSeed(s, k, 1);
        expect(Number.isInteger(n) && n >= 0 && n < 2 ** 53).toBe(true);
        expect(n).not.toBe(mixSeed(s, k));
        seen.add(n);
      }
    }
    expect(seen.size).toBe(seeds.length * 5);
  });
  it("a seeded model's unseeded nested parts: the same seed gives the same whole, another seed another", () => {
    const whole = (seed: number): string => {
      const inner = nr.sequential({ layers: [nr.layers.dense({ units: 3 })] });
      const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [4], units: 5 }), inner] });
      const s = bits(m);
      m.dispose();
      inner.dispose();
      return s;
    };
    expect(whole(5)).toBe(whole(5));
    expect(whole(5)).not.toBe(whole(6));
  });
});
