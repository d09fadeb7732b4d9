// Shared by the fit suites (fit-lifecycle, fit-reset, resume, model-checkpoint): a small compiled
// model, matching data, the error a rejected fit gave, and a model's weights as exact bits.
import * as nr from '../ts/index.js';

/** A compiled `[3] → dense(4, tanh) → dense(2)` model (SGD 0.1, mse). */
export function model(seed = 1): nr.Sequential {
  const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), nr.layers.dense({ units: 2 })] });
  m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  return m;
}

/** `n` samples `[n, 3]` → `[ny, 2]` (`ny = n` unless a test wants a mismatch). */
export function data(n = 10, ny = n): { x: nr.Tensor; y: nr.Tensor } {
  return { x: nr.tensor(Array.from({ length: n * 3 }, (_, i) => Math.sin(i)), [n, 3]), y: nr.tensor(Array.from({ length: ny * 2 }, (_, i) => Math.cos(i)), [ny, 2]) };
}

/** The error `p` rejects with; fails if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected fit to fail');
}

/** The exact bits of every weight of `m`, as hex (one string per weight). */
export function weightBits(m: nr.Sequential): string[] {
  return m.getWeights().map((w) => {
    const d = w.data();
    w.dispose();
    return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length), (u) => u.toString(16).padStart(8, '0')).join('');
  });
}
