/**
 * The models, data and fits of `test/split-step.test.ts`: named-loss fits whose bits are kept
 * in `test/fixtures/fused-step-bits.json` (written by the fused step before it was split into
 * the halves a loss function's step shares), and the same models with loss functions.
 */
import * as nr from '../ts/index.js';
import { rng } from './oracle.js';

export const N = 23; // batches of 8: 8, 8, 7
export const IN = 5;

export function data(seed: number, out: number, n = N): { x: Float32Array; y: Float32Array } {
  const r = rng(seed);
  return { x: Float32Array.from({ length: n * IN }, () => r() * 2 - 1), y: Float32Array.from({ length: n * out }, () => r() * 2 - 1) };
}

/** dense(8, tanh, kernel l2, activity l1) → dropout(0.25) → dense(out, act, kernel l1l2, bias l2). */
export function regularizedMlp(out: number, act: 'linear' | 'softmax' = 'linear'): nr.Sequential {
  return nr.sequential({
    seed: 11,
    layers: [
      nr.layers.dense({ units: 8, activation: 'tanh', inputShape: [IN], kernelRegularizer: nr.regularizers.l2({ l2: 0.02 }), activityRegularizer: nr.regularizers.l1({ l1: 0.01 }) }),
      nr.layers.dropout({ rate: 0.25 }),
      nr.layers.dense({ units: out, activation: act, kernelRegularizer: nr.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: nr.regularizers.l2({ l2: 0.05 }) }),
    ],
  });
}

/** A variational autoencoder on IN features: dense(8, relu) → variational(2) | dense(IN, sigmoid). */
export function vae(): nr.Autoencoder {
  const encoder = nr.sequential({ seed: 12, layers: [nr.layers.dense({ inputShape: [IN], units: 8, activation: 'relu' }), nr.layers.variational({ units: 2 })] });
  const decoder = nr.sequential({ seed: 13, layers: [nr.layers.dense({ inputShape: [2], units: IN, activation: 'sigmoid' })] });
  return nr.autoencoder({ encoder, decoder, seed: 0 });
}

/** What a fit leaves: its history and the weights as plain numbers (float32 values, exact in JSON). */
export interface Trained {
  history: Record<string, number[]>;
  weights: number[][];
}

export async function trained(model: nr.Sequential, x: nr.Tensor, y: nr.Tensor | null, fit: nr.FitArgs): Promise<Trained> {
  const h = y === null ? await (model as nr.Autoencoder).fit(x, { verbose: 0, ...fit }) : await model.fit(x, y, { verbose: 0, ...fit });
  const w = model.getWeights();
  const weights = w.map((t) => Array.from(t.data()));
  nr.dispose(w);
  return { history: h.history as Record<string, number[]>, weights };
}

/** The named-loss fits whose bits the fixture keeps. */
export const FUSED_CASES: Array<{ name: string; run: () => Promise<Trained> }> = [
  {
    name: 'mse, adam, regularizers and dropout, shuffled',
    run: async () => {
      const m = regularizedMlp(3);
      const { x, y } = data(1, 3);
      const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])];
      m.compile({ optimizer: nr.optimizers.adam(0.02), loss: 'meanSquaredError' });
      const r = await trained(m, nx, ny, { epochs: 3, batchSize: 8, seed: 5 });
      nr.dispose([nx, ny, m]);
      return r;
    },
  },
  {
    name: 'softmax + categoricalCrossentropy (fused logits), sgd, regularizers, class weights',
    run: async () => {
      const m = regularizedMlp(3, 'softmax');
      const { x } = data(2, 3);
      const y = Float32Array.from({ length: N * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
      const [nx, ny] = [nr.tensor(x, [N, IN]), nr.tensor(y, [N, 3])];
      m.compile({ optimizer: nr.optimizers.sgd(0.2), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const r = await trained(m, nx, ny, { epochs: 3, batchSize: 8, shuffle: false, classWeight: { 0: 1, 1: 2, 2: 0.5 } });
      nr.dispose([nx, ny, m]);
      return r;
    },
  },
  {
    name: 'variational autoencoder, binaryCrossentropy summed over features, adam',
    run: async () => {
      const m = vae();
      const r0 = rng(3);
      const x = nr.tensor(Float32Array.from({ length: N * IN }, () => r0()), [N, IN]);
      m.compile({ optimizer: nr.optimizers.adam(0.01), loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
      const r = await trained(m, x, null, { epochs: 3, batchSize: 8, seed: 2 });
      nr.dispose([x, m, m.encoder, m.decoder]);
      return r;
    },
  },
];
