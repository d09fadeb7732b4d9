// An initializer with its own seed (TF.js's `initializers.glorotUniform({ seed })`) draws the
// weights it fills from that seed alone: the same seeded initializer gives the same bits in two
// models whatever their seeds, and, as TF.js's (checked live: TF.js 4.22 restarts
// `randomUniform(shape, lo, hi, dtype, seed)` from the seed on each call), the same values to
// two weights of one shape. Weights without a seed still come from the model's seed. The
// distribution is checked in closed form (glorotUniform's bounds, mean and variance; heNormal's
// truncation at 2σ and its variance), and the seed survives getConfig, fromConfig and a saved
// file.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { seedWords } from '../ts/layers/initializers.js';

const { layers, initializers } = nr;

/** The bits of every weight of `m` (building it), one hex string per weight. */
function bits(m: nr.Sequential): string[] {
  return nr.tidy(() => m.getWeights().map((w) => Array.from(new Uint32Array(w.data().slice().buffer), (u) => u.toString(16)).join(',')));
}

/** dense 4 → 6 (kernel from `init`) → dense 3 (unseeded), with model seed `seed`. */
const net = (init: nr.InitializerSpec, seed?: number): nr.Sequential =>
  nr.sequential({ ...(seed === undefined ? {} : { seed }), layers: [layers.dense({ inputShape: [4], units: 6, kernelInitializer: init }), layers.dense({ units: 3 })] });

describe('a seeded initializer draws from its own seed', () => {
  it('the same seeded initializer in two models of different seeds (and none): the same bits; the unseeded weights differ', () => {
    expectNoLeak(() => {
      const init = initializers.glorotUniform({ seed: 7 });
      const ms = [net(init, 1), net(init, 2), net(init)];
      const [a, b, c] = ms.map(bits);
      expect(b[0]).toBe(a[0]);
      expect(c[0]).toBe(a[0]);
      // The second layer's kernel is the model seed's: three different draws.
      expect(new Set([a[2], b[2], c[2]]).size).toBe(3);
      // A copy of the options (a plain object, as a saved config gives it) is the same initializer.
      const plain = net({ name: 'glorotUniform', params: [0, 0], seed: 7 }, 3);
      expect(bits(plain)[0]).toBe(a[0]);
      for (const m of [...ms, plain]) m.dispose();
    });
  });

  it('different seeds draw different weights; no seed draws the model seed\'s, as before', () => {
    expectNoLeak(() => {
      const seeds = [0, 1, 7, 2 ** 32 + 7, 2 ** 53, -7, 0.5, 1e300];
      const ks = seeds.map((s) => {
        const m = net(initializers.glorotUniform({ seed: s }), 1);
        const k = bits(m)[0];
        m.dispose();
        return k;
      });
      expect(new Set(ks).size).toBe(seeds.length);
      // Unseeded: the model's seed decides (the name, the factory without options, the object without a seed: one draw).
      const same = [net('glorotUniform', 4), net(initializers.glorotUniform(), 4), net({ name: 'glorotUniform', params: [0, 0] }, 4)].map((m) => {
        const k = bits(m)[0];
        m.dispose();
        return k;
      });
      expect(new Set(same).size).toBe(1);
      expect(ks).not.toContain(same[0]);
    });
  });

  it('as TF.js: one seeded initializer gives two weights of one shape the same values, and two models the same weights', () => {
    // The oracle: TF.js 4.22's behaviour with the same initializer object (its values are its
    // own generator's; the rule is what is compared).
    const tinit = tfl.initializers.glorotUniform({ seed: 11 });
    const tm = (): tfl.Sequential => tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 5, kernelInitializer: tinit }), tfl.layers.dense({ units: 5, kernelInitializer: tinit })] });
    const [t1, t2] = [tm(), tm()];
    const tk = (m: tfl.Sequential, i: number): number[] => Array.from(m.layers[i].getWeights()[0].dataSync());
    expect(tk(t1, 1)).toEqual(tk(t1, 0));
    expect(tk(t2, 0)).toEqual(tk(t1, 0));
    t1.dispose();
    t2.dispose();
    tf.disposeVariables();
    expectNoLeak(() => {
      const init = initializers.glorotUniform({ seed: 11 });
      const nm = (seed: number): nr.Sequential => nr.sequential({ seed, layers: [layers.dense({ inputShape: [5], units: 5, kernelInitializer: init }), layers.dense({ units: 5, kernelInitializer: init })] });
      const [n1, n2] = [nm(1), nm(2)];
      const [w1, w2] = [bits(n1), bits(n2)];
      expect(w1[2]).toBe(w1[0]);
      expect(w2[0]).toBe(w1[0]);
      n1.dispose();
      n2.dispose();
    });
  });

  it('every layer with an initializer option takes its seed: conv2d, conv1d, depthwise and separable, embedding, prelu, rbf, biases', () => {
    expectNoLeak(() => {
      const s = (seed: number) => initializers.randomNormal({ mean: 0.5, stddev: 2, seed });
      const cases: Array<[string, (seed: number) => nr.Layer, number[]]> = [
        ['conv2d', (k) => layers.conv2d({ filters: 2, kernelSize: 2, kernelInitializer: s(k), biasInitializer: s(k + 1) }), [4, 4, 2]],
        ['conv2dTranspose', (k) => layers.conv2dTranspose({ filters: 2, kernelSize: 2, kernelInitializer: s(k), biasInitializer: s(k + 1) }), [4, 4, 2]],
        ['conv1d', (k) => layers.conv1d({ filters: 2, kernelSize: 2, kernelInitializer: s(k), biasInitializer: s(k + 1) }), [5, 2]],
        ['depthwiseConv2d', (k) => layers.depthwiseConv2d({ kernelSize: 2, depthwiseInitializer: s(k), biasInitializer: s(k + 1), useBias: true }), [4, 4, 2]],
        ['separableConv2d', (k) => layers.separableConv2d({ filters: 3, kernelSize: 2, depthwiseInitializer: s(k), pointwiseInitializer: s(k + 2), biasInitializer: s(k + 1) }), [4, 4, 2]],
        ['embedding', (k) => layers.embedding({ inputDim: 7, outputDim: 3, embeddingsInitializer: s(k) }), [2]],
        ['prelu', (k) => layers.prelu({ alphaInitializer: s(k) }), [3]],
        ['rbf', (k) => layers.rbf({ units: 4, centersInitializer: s(k) }), [3]],
      ];
      for (const [name, make, x] of cases) {
        const m = (seed: number, k: number): nr.Sequential => nr.sequential({ seed, layers: [layers.inputLayer({ inputShape: x }), make(k)] });
        const [a, b, c] = [m(1, 40), m(2, 40), m(1, 50)];
        const [wa, wb, wc] = [a, b, c].map(bits);
        expect(wb, name).toEqual(wa);
        // rbf's widths are constants, not drawn: every other weight differs with the seed.
        wa.forEach((w, i) => { if (!(name === 'rbf' && i === 1)) expect(wc[i], `${name} weight ${i}`).not.toBe(w); });
        for (const mm of [a, b, c]) mm.dispose();
      }
    });
  });

  it('the distribution is the initializer\'s: glorotUniform within ±√(6/(fanIn+fanOut)), mean 0, variance limit²/3; heNormal truncated at 2σ, variance 2/fanIn', () => {
    expectNoLeak(() => {
      const [fanIn, units] = [300, 200];
      const g = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [fanIn], units, kernelInitializer: initializers.glorotUniform({ seed: 2026 }) })] });
      const h = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [fanIn], units, kernelInitializer: initializers.heNormal({ seed: 2026 }) })] });
      const [kg, kh] = nr.tidy(() => [g.getWeights()[0].data(), h.getWeights()[0].data()]);
      const n = kg.length;
      const limit = Math.sqrt(6 / (fanIn + units));
      const moments = (v: Float32Array): [number, number] => {
        const mean = v.reduce((s, x) => s + x, 0) / v.length;
        return [mean, v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length];
      };
      const [mg, vg] = moments(kg);
      expect(kg.reduce((m, x) => Math.max(m, Math.abs(x)), 0)).toBeLessThanOrEqual(limit);
      // U(−a, a): mean sd a/√(3n), variance a²/3 with sd √(4a⁴/45n); 5 sd.
      expect(Math.abs(mg)).toBeLessThan(5 * limit / Math.sqrt(3 * n));
      expect(Math.abs(vg - limit ** 2 / 3)).toBeLessThan(5 * Math.sqrt(4 * limit ** 4 / 45 / n));
      // heNormal: N(0, σ) truncated at ±2σ with σ = √(2/fanIn)/0.8796 (Keras), so the variance
      // is 2/fanIn; |x| ≤ 2σ; the variance's sd is about √(2/n)·var (5 sd).
      const sigma = Math.sqrt(2 / fanIn) / 0.87962566;
      const [mh, vh] = moments(kh);
      expect(kh.reduce((m, x) => Math.max(m, Math.abs(x)), 0)).toBeLessThanOrEqual(2 * sigma * (1 + 1e-6));
      expect(Math.abs(mh)).toBeLessThan(5 * Math.sqrt(2 / fanIn / n));
      expect(Math.abs(vh - 2 / fanIn)).toBeLessThan(5 * Math.sqrt(2 / n) * (2 / fanIn));
      g.dispose();
      h.dispose();
    });
  });

  it('the seed round-trips: getConfig, fromConfig (fresh weights: the same) and a saved file', async () => {
    const before = nr.memory().numTensors;
    const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [4], units: 6, kernelInitializer: initializers.heUniform({ seed: 99 }), biasInitializer: initializers.randomUniform({ minval: -1, maxval: 1, seed: 5 }) }), layers.rbf({ units: 2, centersInitializer: initializers.randomNormal({ seed: 3 }) })] });
    const cfg = m.getConfig();
    const dense = (cfg.config as { layers: Array<{ config: Record<string, { config: { seed?: number } }> }> }).layers[0].config;
    expect([dense.kernel_initializer.config.seed, dense.bias_initializer.config.seed]).toEqual([99, 5]);
    // fromConfig with another model seed: the seeded weights are drawn again, the same bits.
    const copy = nr.sequential.fromConfig({ ...cfg, config: { ...(cfg.config as object), seed: 2 } } as never);
    const [wm, wc] = [bits(m), bits(copy)];
    expect(wc).toEqual(wm);
    // A saved file keeps the seeds in TF.js's form (seed in the initializer's config).
    const art = await m.toArtifacts();
    const text = JSON.stringify(art.modelTopology);
    expect(text).toMatch(/"class_name":"VarianceScaling","config":\{"scale":2,"mode":"fan_in","distribution":"uniform","seed":99\}/);
    expect(text).toMatch(/"centers_initializer":\{"class_name":"RandomNormal","config":\{"mean":0,"stddev":0.05,"seed":3\}\}/);
    const loaded = await nr.loadModel(art) as nr.Sequential;
    expect(bits(loaded)).toEqual(wm);
    const again = (loaded.getConfig().config as { layers: Array<{ config: Record<string, { config: { seed?: number } }> }> }).layers[0].config;
    expect([again.kernel_initializer.config.seed, again.bias_initializer.config.seed]).toEqual([99, 5]);
    for (const x of [m, copy, loaded]) x.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });

  it('the key is the seed itself: a seeded randomUniform initializer fills a weight with randomUniform(shape, { seed })\'s values', () => {
    // The random op with an explicit seed draws stream 0 of the Philox key `seed` (rng.rs), as
    // the initializer does: the same values show the seed crossed the ABI intact (above 2³² too).
    expectNoLeak(() => {
      for (const seed of [0, 7, 2 ** 40 + 3, 2 ** 53]) {
        const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [3], units: 5, kernelInitializer: initializers.randomUniform({ minval: -1, maxval: 2, seed }) })] });
        const [k, r] = nr.tidy(() => [m.getWeights()[0].data(), nr.randomUniform([15], { min: -1, max: 2, seed }).data()]);
        // (The op computes lo + (hi − lo)·u with other roundings: within 1 ulp of 2; another key would differ by O(1).)
        expect(Math.max(...Array.from(k, (v, i) => Math.abs(v - r[i]))), `seed ${seed}`).toBeLessThanOrEqual(2 ** -22);
        m.dispose();
      }
    });
  });

  it('seed words: integers up to 2⁵³ are themselves, anything else its float64 bits; 22 + 22 + 20 bits', () => {
    expect(seedWords(0)).toEqual([0, 0, 0]);
    expect(seedWords(7)).toEqual([7, 0, 0]);
    expect(seedWords(2 ** 22 + 1)).toEqual([1, 1, 0]);
    expect(seedWords(2 ** 44 * 3 + 5)).toEqual([5, 0, 3]);
    expect(seedWords(2 ** 53)).toEqual([0, 0, 2 ** 9]);
    // -0.5: 0xBFE0000000000000.
    expect(seedWords(-0.5)).toEqual([0, 0, 0xbfe00]);
    for (const s of [1.5, -1, 2 ** 60, Number.MAX_VALUE]) {
      const [a, b, c] = seedWords(s);
      expect(a < 2 ** 22 && b < 2 ** 22 && c < 2 ** 20 && [a, b, c].every(Number.isInteger)).toBe(true);
    }
    expect(() => initializers.glorotUniform({ seed: Number.NaN })).toThrow(/^initializers\.glorotUniform: seed must be a finite number, got NaN$/);
    expect(() => initializers.glorotUniform({ seed: '7' as never })).toThrow(/seed must be a finite number, got the string "7"/);
  });
});
