// loadModel builds without running the initializers (the core leaves the weights zero, then
// every weight is set from the file): the loaded model must behave bit for bit as one built
// normally and given the same weights — predictions, seeded and unseeded fit, the dropout,
// noise and variational draws, the optimizer — and a weight the caller does not give is an
// error, never a zero left in place.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import { firstNonFinite } from '../ts/ops/convert.js';
import './setup.js';
import { normals } from './rng.js';

const { layers, initializers, optimizers } = nr;
type Seq = nr.Sequential;

const bits = (t: nr.Tensor): number[] => Array.from(new Uint32Array(t.data().buffer));

function weightBits(m: Seq): number[][] {
  const w = m.getWeights();
  const out = w.map(bits);
  w.forEach((t) => t.dispose());
  return out;
}

function disposeAll(m: Seq): void {
  for (const l of m.layers) if (l instanceof nr.Sequential) disposeAll(l);
  m.dispose();
}

/** Every layer that draws initial values or random masks, and a nested model. */
function model(): Seq {
  const inner = nr.sequential({ name: 'inner', layers: [layers.dense({ units: 5, activation: 'relu' })] });
  return nr.sequential({
    seed: 5,
    layers: [
      layers.dense({ inputShape: [4], units: 6, activation: 'tanh', biasInitializer: initializers.randomNormal({ stddev: 0.1 }) }),
      layers.prelu({ alphaInitializer: initializers.randomUniform({ minval: 0.1, maxval: 0.3 }) }),
      layers.batchNormalization(),
      layers.gaussianNoise({ stddev: 0.2 }),
      layers.dropout({ rate: 0.3 }),
      layers.saltAndPepper({ rate: 0.1 }),
      inner,
      layers.rbf({ units: 4, centersInitializer: initializers.randomNormal({ stddev: 0.5 }) }),
      layers.layerNormalization(),
      layers.variational({ units: 3, klWeight: 0.5 }),
      layers.dense({ units: 2 }),
    ],
  });
}

const compileArgs = (): nr.CompileArgs => ({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });

afterEach(() => vi.restoreAllMocks());

describe('loadModel skips the initializers', () => {
  it('a loaded model predicts and trains (seeded and not) bit-identically to one built normally and given the same weights', async () => {
    const before = nr.memory();
    const x = nr.tensor(normals(3)(16 * 4), [16, 4]);
    const y = nr.tensor(normals(4)(16 * 2), [16, 2]);
    const m = model();
    m.compile(compileArgs());
    await m.fit(x, y, { epochs: 1, batchSize: 4, seed: 2, verbose: 0 });

    const spy = vi.spyOn(nr.Sequential.prototype, 'buildWithWeights');
    const loaded = (await nr.loadModel(await m.toArtifacts())) as Seq;
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();

    const ref = nr.sequential.fromConfig(m.getConfig());
    ref.build([4]);
    const w = m.getWeights();
    ref.setWeights(w);
    w.forEach((t) => t.dispose());
    ref.compile(compileArgs());
    expect(weightBits(loaded)).toEqual(weightBits(ref));

    const [p1, p2] = [ref.predict(x), loaded.predict(x)];
    expect(bits(p2)).toEqual(bits(p1));
    for (const args of [{ seed: 7 }, {}]) {
      const h1 = await ref.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, ...args });
      const h2 = await loaded.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, ...args });
      expect(h2.history.loss).toEqual(h1.history.loss);
      expect(weightBits(loaded)).toEqual(weightBits(ref));
    }
    const [q1, q2] = [ref.predict(x), loaded.predict(x)];
    expect(bits(q2)).toEqual(bits(q1));
    [x, y, p1, p2, q1, q2].forEach((t) => t.dispose());
    [m, loaded, ref].forEach(disposeAll);
    expect(nr.memory().numTensors).toBe(before.numTensors);
    expect(nr.memory().numHandles).toBe(before.numHandles);
  });

  it('autoencoders and RBF networks load through the same path', async () => {
    const spy = vi.spyOn(nr.Sequential.prototype, 'buildWithWeights');
    const ae = nr.autoencoder({ encoder: layers.dense({ inputShape: [4], units: 2 }), decoder: layers.dense({ units: 4 }), seed: 3 });
    const la = await nr.loadModel(await ae.toArtifacts());
    expect(la).toBeInstanceOf(nr.Autoencoder);
    expect(spy).toHaveBeenCalledTimes(1);
    const x = nr.tensor(normals(6)(20 * 2), [20, 2]);
    const y = nr.tidy(() => x.square().sum(1, true));
    const net = nr.rbfNetwork({ centers: 4, seed: 2 });
    await net.fit(x, y); // fit builds its model with its computed weights the same way
    expect(spy).toHaveBeenCalledTimes(2);
    const ln = (await nr.loadModel(await net.toArtifacts())) as nr.RBFNetwork;
    expect(spy).toHaveBeenCalledTimes(3);
    const [p1, p2] = [net.predict(x), ln.predict(x)];
    expect(bits(p2)).toEqual(bits(p1));
    [x, y, p1, p2].forEach((t) => t.dispose());
    [ae, la as Seq].forEach((m) => m.dispose());
    [net, ln].forEach((n) => n.dispose());
  });

  it('buildWithWeights with a weight missing throws and sets nothing: the weights are zeros, never drawn values (nested models too)', () => {
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 2, biasInitializer: 'ones' })] });
    const m = nr.sequential({ seed: 1, layers: [inner, layers.dense({ units: 2 })] });
    const w = [nr.zeros([3, 2]), nr.zeros([2]), nr.zeros([2, 2])];
    expect(() => m.buildWithWeights([3], w)).toThrow(/has 4 weights \(.*\), got 3 tensors \(/);
    expect(weightBits(m).flat().every((b) => b === 0)).toBe(true);
    // A normal build draws them.
    const n = nr.sequential({ seed: 1, layers: [nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 2 })] }), layers.dense({ units: 2 })] });
    n.build();
    expect(weightBits(n)[0].some((b) => b !== 0)).toBe(true);
    w.forEach((t) => t.dispose());
    [m, n].forEach(disposeAll);
  });
});

describe('the weight checks', () => {
  it('firstNonFinite (perceptron and optimizer-slot weights) finds the first NaN or ±Infinity at any position, and only those', () => {
    for (const n of [0, 1, 3, 4, 5, 8, 9, 1001]) {
      const v = new Float32Array(n).map((_, i) => (i % 7) - 3.5);
      v[n >> 1] = -0;
      expect(firstNonFinite(v)).toBe(-1);
      v.fill(3.4028234663852886e38, 0, Math.min(n, 2)); // the largest float32 is finite
      expect(firstNonFinite(v)).toBe(-1);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, n >> 1, n - 1].filter((i) => i >= 0 && i < n)) {
          const w = v.slice();
          w[at] = bad;
          if (at + 1 < n) w[n - 1] = NaN; // a later one is not the first
          expect(firstNonFinite(w)).toBe(at);
        }
      }
    }
  });
});
