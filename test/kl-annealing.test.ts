// KL annealing: `layer.klWeight = w` on a built variational layer changes β in the core for
// every model holding the layer, from the next training step. TF.js has no VAE, so the reference
// is the closed form of the KL term, β · mean_batch Σ_units −½(1 + log σ² − μ² − σ²), computed in
// float64 from the model's own μ and log σ² (encodeDistribution) at the step's weights; and a
// change made inside fit must train bit for bit as the same change made between two fits.
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

const { layers } = nr;
const N = 12, F = 5, U = 3;
const rand = mulberry32(7);
const xs = Array.from({ length: N * F }, () => rand());

/** `[dense(4, tanh), variational(U), dense(F, sigmoid)]`, seeded; its variational layer. */
function vae(klWeight = 1, seed = 3): { m: nr.Sequential; v: nr.Variational } {
  const v = layers.variational({ units: U, klWeight });
  const m = nr.sequential({ seed, layers: [layers.dense({ inputShape: [F], units: 4, activation: 'tanh' }), v, layers.dense({ units: F, activation: 'sigmoid' })] });
  m.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.05 }), loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
  return { m, v };
}

/** The KL (β = 1) of the model's code for `x`, in closed form from its μ and log σ², averaged over the rows. */
function klOf(m: nr.Sequential, x: nr.Tensor): number {
  const { mean, logVar } = m.encodeDistribution(x);
  const mu = mean.dataSync(), lv = logVar.dataSync();
  let s = 0;
  for (let i = 0; i < mu.length; i++) s += -0.5 * (1 + lv[i] - mu[i] * mu[i] - Math.exp(lv[i]));
  mean.dispose();
  logVar.dispose();
  return s / x.shape[0];
}

const relClose = (got: number, want: number) => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(2e-6 * Math.abs(want) + 1e-12);

describe('klWeight set during training (KL annealing)', () => {
  it('each epoch reports the kl of the β set in onEpochBegin: β·KL in closed form from μ, σ at that point', async () => {
    const { m, v } = vae(0.5);
    const x = nr.tensor(xs, [N, F]);
    const betas = [0, 0.25, 1, 2.5, 1];
    const want: number[] = [];
    const { history } = await m.fit(x, x, {
      epochs: betas.length,
      batchSize: N, verbose: 0, // one step per epoch: its kl is that of the weights at the epoch's start
      callbacks: {
        onEpochBegin: (epoch) => {
          v.klWeight = betas[epoch];
          want.push(betas[epoch] * klOf(m, x));
        },
      },
    });
    expect(history.kl[0]).toBe(0);
    history.kl.forEach((kl, i) => relClose(kl, want[i]));
    expect(want[3]).toBeGreaterThan(0.01); // a KL worth comparing
    expect(v.klWeight).toBe(1);
    x.dispose();
    m.dispose();
  });

  it('a β set in onEpochBegin trains bit for bit as the same β set between two fits, and differently from a fixed β', async () => {
    const x = nr.tensor(xs, [N, F]);
    const run = async (how: 'callback' | 'between' | 'fixed') => {
      const { m, v } = vae(0.2);
      const opts = { batchSize: 4, verbose: 0 } as const;
      if (how === 'between') {
        await m.fit(x, x, { ...opts, epochs: 2 });
        v.klWeight = 1.5;
        await m.fit(x, x, { ...opts, epochs: 2 });
      } else {
        await m.fit(x, x, { ...opts, epochs: 4, callbacks: { onEpochBegin: (e) => void (how === 'callback' && e === 2 && (v.klWeight = 1.5)) } });
      }
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      nr.dispose(m.getWeights());
      m.dispose();
      return w;
    };
    const [callback, between, fixed] = [await run('callback'), await run('between'), await run('fixed')];
    expect(callback).toEqual(between);
    expect(callback).not.toEqual(fixed);
    x.dispose();
  });

  it('a β set in onBatchBegin takes effect at that batch: each batch reports β·KL of its own rows', async () => {
    const { m, v } = vae(0.5);
    const x = nr.tensor(xs, [N, F]);
    const rows = [0, 1, 2].map((b) => x.slice([4 * b, 0], [4, F]));
    const want: number[] = [];
    const got: number[] = [];
    await m.fit(x, x, {
      epochs: 1,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchBegin: (b) => {
          if (b === 1) v.klWeight = 2;
          want.push(v.klWeight * klOf(m, rows[b]));
        },
        onBatchEnd: (_b, logs) => void got.push(logs!.kl as number),
      },
    });
    expect(want.length).toBe(3);
    got.forEach((kl, i) => relClose(kl, want[i]));
    nr.dispose([x, ...rows]);
    m.dispose();
  });
});

describe('klWeight after build: evaluate, save and load, shared layers', () => {
  it('evaluate uses the new β; getConfig and the saved model carry it; the loaded model computes with it', async () => {
    const { m, v } = vae(1);
    const x = nr.tensor(xs, [N, F]);
    await m.fit(x, x, { epochs: 1, batchSize: 4, verbose: 0 });
    const kl1 = (m.evaluate(x, x, { returnDict: true }) as Record<string, number>).kl;
    v.klWeight = 0.3;
    const ev = m.evaluate(x, x, { returnDict: true }) as Record<string, number>;
    relClose(ev.kl, 0.3 * kl1);
    relClose(ev.kl, 0.3 * klOf(m, x));
    expect(v.getConfig().klWeight).toBe(0.3);
    const saved = await m.toArtifacts();
    expect(JSON.stringify(saved.modelTopology)).toContain('"kl_weight":0.3');
    const loaded = (await nr.loadModel(saved)) as nr.Sequential;
    const lv = loaded.layers.find((l) => l instanceof nr.Variational) as nr.Variational;
    expect(lv.klWeight).toBe(0.3);
    loaded.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
    const back = loaded.evaluate(x, x, { returnDict: true }) as Record<string, number>;
    expect(back.kl).toBe(ev.kl);
    expect(back.loss).toBe(ev.loss);
    x.dispose();
    m.dispose();
    loaded.dispose();
  });

  it('a layer shared by two models: both see the new β, also a model built after the change; before any build it is the option', async () => {
    const v = layers.variational({ units: U, klWeight: 0.7 });
    v.klWeight = 1; // not built yet: the option the build takes
    const encoder = nr.sequential({ seed: 5, layers: [layers.dense({ inputShape: [F], units: 4, activation: 'tanh' }), v] });
    const make = () => nr.sequential({ seed: 6, layers: [encoder, layers.dense({ units: F, activation: 'sigmoid' })] });
    const compile = (m: nr.Sequential) => m.compile({ optimizer: 'sgd', loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
    const a = make();
    compile(a);
    const x = nr.tensor(xs, [N, F]);
    const kl = (m: nr.Sequential) => (m.evaluate(x, x, { returnDict: true }) as Record<string, number>).kl;
    const k = klOf(encoder, x);
    relClose(kl(a), k);
    v.klWeight = 3;
    const b = make(); // built after the change: shares the layer, β = 3
    compile(b);
    relClose(kl(a), 3 * k);
    relClose(kl(b), 3 * k);
    v.klWeight = 0.5;
    relClose(kl(a), 0.5 * k);
    relClose(kl(b), 0.5 * k);
    x.dispose();
    nr.dispose([a, b, encoder]);
  });

  it('bad values throw naming the layer and the value, and change nothing; 100 assignments leave memory as it was', () => {
    const { m, v } = vae(0.5);
    const x = nr.tensor(xs, [N, F]);
    m.build();
    const kl = () => (m.evaluate(x, x, { returnDict: true }) as Record<string, number>).kl;
    const before = kl();
    for (const [w, shown] of [[-1, '-1'], [NaN, 'NaN'], [Infinity, 'Infinity'], ['1', 'the string "1"'], [null, 'null']] as const) {
      expect(() => ((v as { klWeight: unknown }).klWeight = w)).toThrow(new nr.InvalidArgumentError(`variational: klWeight of layer ${v.name} must be a finite number >= 0, got ${shown}`));
    }
    expect(() => (v.klWeight = 1e39)).toThrow(new nr.InvalidArgumentError(`variational: klWeight of layer ${v.name} must be a finite number >= 0, got 1e+39`)); // Infinity in float32
    expect(v.klWeight).toBe(0.5);
    expect(kl()).toBe(before);
    const mem = nr.memory();
    for (let i = 0; i < 100; i++) v.klWeight = i / 50;
    const { numHandles, numTensors, numBytes, wasmBytes } = nr.memory();
    expect({ numHandles, numTensors, numBytes, wasmBytes }).toEqual({ numHandles: mem.numHandles, numTensors: mem.numTensors, numBytes: mem.numBytes, wasmBytes: mem.wasmBytes });
    relClose(kl(), (99 / 50 / 0.5) * before);
    x.dispose();
    m.dispose();
  });
});
