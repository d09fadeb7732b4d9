/**
 * The transforms of `compression`: the 1-D DCT (`compression.dct.forward1d` / `inverse1d`)
 * against scipy.fft's `dct` / `idct` with `norm='ortho'` (test/fixtures/scipy-dct1d.json,
 * written by bench/keras/dct1d.py); the gradients of all four DCTs against their closed form
 * (the adjoint of an orthonormal transform is its inverse) and central differences; the
 * gradients of the DWTs (Haar and CDF 9/7: the transposes) against central differences and the
 * adjoint identity, and CDF 5/3's refusal.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { compression, InvalidArgumentError } from '../ts/index.js';

failTestsThatLeak();

interface Case { name: string; shape: number[]; blockSize?: number; x: number[]; forward: number[]; inverse: number[] }
const fixture = JSON.parse(readFileSync(new URL('./fixtures/scipy-dct1d.json', import.meta.url), 'utf8')) as { cases: Case[] };
const { dct } = compression;

/**
 * The largest error of `got` against `want` per block of `n`, in units of that block's largest
 * value: the core computes in float64 and rounds once, so each value is within one float32
 * rounding of scipy's, plus float64 cancellation next to the block's largest values.
 */
function worst(got: Float32Array, want: number[], n: number): number {
  let w = 0;
  for (let b = 0; b < want.length; b += n) {
    const block = want.slice(b, b + n);
    const max = Math.max(...block.map(Math.abs));
    block.forEach((v, i) => {
      const err = Math.abs(got[b + i] - v) - 2 ** -24 * Math.abs(v);
      if (max > 0) w = Math.max(w, err / max);
      else w = Math.max(w, Math.abs(got[b + i]));
    });
  }
  return w;
}

function throwsInvalid(f: () => unknown, re: RegExp): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected InvalidArgumentError matching ${re}`).toBeInstanceOf(InvalidArgumentError);
  expect((err as Error).message).toMatch(re);
}

describe('compression.dct 1-D', () => {
  it(`equals scipy.fft.dct / idct (norm='ortho') on ${fixture.cases.length} cases: odd, prime and power-of-two lengths, blocks, zero, huge and tiny rows`, () => {
    for (const c of fixture.cases) {
      nr.tidy(() => {
        const x = nr.tensor(c.x, c.shape);
        const opts = c.blockSize === undefined ? undefined : { blockSize: c.blockSize };
        const n = c.blockSize ?? c.shape[c.shape.length - 1];
        const f = dct.forward1d(x, opts);
        const i = dct.inverse1d(x, opts);
        expect(f.shape, c.name).toEqual(c.shape);
        expect(worst(f.dataSync(), c.forward, n), `forward ${c.name}`).toBeLessThan(1e-12);
        expect(worst(i.dataSync(), c.inverse, n), `inverse ${c.name}`).toBeLessThan(1e-12);
        // Each undoes the other, up to float32 rounding of the coefficients.
        expect(worst(dct.inverse1d(f, opts).dataSync(), c.x, n), `round trip ${c.name}`).toBeLessThan(1e-6);
      });
    }
  });

  it('a constant is one DC coefficient (√n × value); an impulse is the cosine basis at 0; Parseval holds at length 1000', () => {
    nr.tidy(() => {
      expect(Array.from(dct.forward1d(nr.tensor([1, 1, 1, 1])).dataSync())).toEqual([2, 0, 0, 0]);
      // X[k] = a(k)·cos(πk(2·0 + 1)/2n), a(0) = √(1/n), a(k) = √(2/n).
      const impulse = dct.forward1d(nr.oneHot(nr.tensor([0]), 9)).dataSync();
      impulse.forEach((v, k) => expect(v, `k=${k}`).toBeCloseTo(Math.sqrt((k === 0 ? 1 : 2) / 9) * Math.cos((Math.PI * k) / 18), 7));
      const x = nr.randomNormal([3, 1000], { seed: 4 });
      const ex = nr.sum(nr.square(x)).item();
      expect(Math.abs(nr.sum(nr.square(dct.forward1d(x))).item() - ex) / ex).toBeLessThan(1e-6);
      // Empty tensors and length-1 axes pass through.
      expect(dct.forward1d(nr.zeros([3, 0])).shape).toEqual([3, 0]);
      expect(Array.from(dct.inverse1d(nr.tensor([[2.5], [-1]])).dataSync())).toEqual([2.5, -1]);
    });
  });

  it('is differentiable: the gradient of each DCT is the other, also inside a custom loss', () => {
    nr.tidy(() => {
      const x = nr.randomNormal([2, 12], { seed: 1 });
      const w = nr.randomNormal([2, 12], { seed: 2 });
      const cases: [string, (t: nr.Tensor) => nr.Tensor, (t: nr.Tensor) => nr.Tensor][] = [
        ['forward1d', (t) => dct.forward1d(t), (t) => dct.inverse1d(t)],
        ['inverse1d', (t) => dct.inverse1d(t), (t) => dct.forward1d(t)],
        ['forward1d blocks', (t) => dct.forward1d(t, { blockSize: 3 }), (t) => dct.inverse1d(t, { blockSize: 3 })],
        ['forward2d', (t) => dct.forward2d(t.reshape([6, 4]), { blockSize: 2 }).reshape([2, 12]), (t) => dct.inverse2d(t.reshape([6, 4]), { blockSize: 2 }).reshape([2, 12])],
        ['inverse2d', (t) => dct.inverse2d(t.reshape([6, 4]), { blockSize: 2 }).reshape([2, 12]), (t) => dct.forward2d(t.reshape([6, 4]), { blockSize: 2 }).reshape([2, 12])],
      ];
      for (const [name, f, adjoint] of cases) {
        const g = nr.grad((t: nr.Tensor) => nr.sum(nr.mul(f(t), w)))(x);
        const want = adjoint(w).dataSync();
        g.dataSync().forEach((v, i) => expect(Math.abs(v - want[i]), `${name} [${i}]`).toBeLessThan(1e-6));
        // Central differences of a nonlinear objective through the transform.
        const obj = (t: nr.Tensor) => nr.sum(nr.square(nr.sub(f(t), w)));
        const gx = nr.grad(obj)(x).dataSync();
        const xv = x.dataSync();
        const eps = 1e-2;
        for (const i of [0, 5, 11, 17, 23]) {
          const at = (d: number) => nr.tidy(() => obj(nr.tensor(xv.map((v, j) => (j === i ? v + d : v)), [2, 12])).item());
          expect(Math.abs(gx[i] - (at(eps) - at(-eps)) / (2 * eps)), `${name} finite differences [${i}]`).toBeLessThan(1e-2);
        }
      }
    });
  });

  it('trains a model through a frequency-domain loss as through the same loss in time', async () => {
    // The DCT is orthonormal, so the mean squared error of the coefficients is the mean squared
    // error of the signals: the same seeded model trains to the same history and weights (up
    // to rounding) with either loss; the spectral one's gradient goes through forward1d's rule.
    const x = nr.randomNormal([32, 16], { seed: 5 });
    const y = nr.reverse(x, -1);
    const spectral = (yt: nr.Tensor, yp: nr.Tensor) => nr.mean(nr.square(nr.sub(dct.forward1d(yt), dct.forward1d(yp))), -1);
    const trained = async (loss: nr.LossSpec) => {
      const model = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [16], units: 16, useBias: false })] });
      model.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.5 }), loss });
      const { history } = await model.fit(x, y, { epochs: 20, batchSize: 8, shuffle: false, verbose: 0 });
      const weights = model.getWeights();
      const w = weights[0].dataSync().slice();
      nr.dispose([...weights, model]);
      return { loss: history.loss, w };
    };
    const time = await trained('meanSquaredError');
    const freq = await trained(spectral);
    expect(time.loss[19]).toBeLessThan(time.loss[0] / 10);
    freq.loss.forEach((v, i) => expect(Math.abs(v - time.loss[i]), `epoch ${i}`).toBeLessThan(1e-5 * time.loss[0]));
    freq.w.forEach((v, i) => expect(Math.abs(v - time.w[i]), `weight ${i}`).toBeLessThan(1e-5));
    nr.dispose([x, y]);
  });

  it('bad input: a scalar, a block that does not divide, absurd blocks, unknown options', () => {
    nr.tidy(() => {
      throwsInvalid(() => dct.forward1d(nr.scalar(1)), /^compression\.dct\.forward1d: x must have rank >= 1 \(\[\.\.\., length\]\), got a scalar/);
      throwsInvalid(() => dct.inverse1d(nr.zeros([2, 10]), { blockSize: 4 }), /^compression\.dct\.inverse1d: the last axis \(10 values, shape \[2, 10\]\) must be a multiple of blockSize 4/);
      throwsInvalid(() => dct.forward1d(nr.zeros([4]), { blockSize: 0 }), /blockSize must be an integer in \[1, 262144\], got 0/);
      throwsInvalid(() => dct.forward1d(nr.zeros([4]), { blockSize: 2.5 }), /blockSize must be an integer in \[1, 262144\], got 2\.5/);
      throwsInvalid(() => dct.forward1d(nr.zeros([262_145])), /the last axis has 262145 values, more than the longest block \(262144\); give a blockSize that divides it, or frame the signal/);
      throwsInvalid(() => dct.forward1d(nr.zeros([8]), { blocksize: 4 } as never), /did you mean 'blockSize'/);
    });
  });
});

describe('compression.dwt gradients', () => {
  const { dwt } = compression;

  it('haar and cdf97, forward and inverse, at odd sizes and several levels: central differences and ⟨T x, y⟩ = ⟨x, ∇⟩', () => {
    for (const wavelet of ['haar', 'cdf97'] as const) {
      for (const [shape, levels] of [[[5, 6], 2], [[2, 1, 9], 3], [[4, 4], 1]] as [number[], number][]) {
        for (const f of ['forward2d', 'inverse2d'] as const) {
          const name = `${wavelet} ${f} [${shape}] levels ${levels}`;
          nr.tidy(() => {
            const t = (a: nr.Tensor) => dwt[f](a, { wavelet, levels });
            const x = nr.randomNormal(shape, { seed: 11 });
            const y = nr.randomNormal(shape, { seed: 12 });
            // The gradient of ⟨T x, y⟩ in x is Tᵀ y: check the adjoint identity with it.
            const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(t(a), y)))(x);
            const lhs = nr.sum(nr.mul(t(x), y)).item();
            const rhs = nr.sum(nr.mul(x, g)).item();
            expect(Math.abs(lhs - rhs), `${name}: ${lhs} vs ${rhs}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
            // A nonlinear objective, by central differences at a few elements.
            const obj = (a: nr.Tensor) => nr.sum(nr.square(nr.sub(t(a), y)));
            const gx = nr.grad(obj)(x).dataSync();
            const xv = x.dataSync();
            const eps = 1e-2;
            for (const i of [0, 1, Math.floor(xv.length / 2), xv.length - 1]) {
              const at = (d: number) => nr.tidy(() => obj(nr.tensor(xv.map((v, j) => (j === i ? v + d : v)), shape)).item());
              const num = (at(eps) - at(-eps)) / (2 * eps);
              expect(Math.abs(gx[i] - num), `${name} [${i}]: ${gx[i]} vs ${num}`).toBeLessThan(2e-2 + 1e-3 * Math.abs(num));
            }
          });
        }
      }
    }
  });

  it('cdf97 is not orthogonal: forward2d\'s gradient is its transpose, not inverse2d', () => {
    nr.tidy(() => {
      const y = nr.randomNormal([7, 7], { seed: 3 });
      const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(dwt.forward2d(a, { wavelet: 'cdf97', levels: 2 }), y)))(nr.zeros([7, 7]));
      const inv = dwt.inverse2d(y, { wavelet: 'cdf97', levels: 2 });
      expect(nr.max(nr.abs(nr.sub(g, inv))).item()).toBeGreaterThan(1e-2);
    });
  });

  it('cdf53 (integer lifting, floors) has no gradient: an error that names it', () => {
    nr.tidy(() => {
      const x = nr.tensor([[1, 2, 3, 4], [5, 6, 7, 8]]);
      // A tester's report: the error said "compression.dwt.forward2d has no gradient rule", as if
      // no wavelet had one; it names cdf53 and the differentiable wavelets.
      expect(() => nr.grad((a: nr.Tensor) => nr.sum(dwt.forward2d(a, { wavelet: 'cdf53' })))(x)).toThrow(
        /^grad: compression\.dwt\.forward2d with wavelet 'cdf53' has no gradient \(an integer transform: its lifting steps round down\), and the result depends on it through a tensor being differentiated; use wavelet 'haar' or 'cdf97' \(linear, with gradients\), or compute the cdf53 transform outside grad$/,
      );
      expect(() => nr.grad((a: nr.Tensor) => nr.sum(dwt.inverse2d(a, { wavelet: 'cdf53' })))(x)).toThrow(/^grad: compression\.dwt\.inverse2d with wavelet 'cdf53' has no gradient .*use wavelet 'haar' or 'cdf97'/);
      expect(() => nr.grad((a: nr.Tensor) => nr.sum(dwt.forward2d(a, { wavelet: 'cdf53' })))(x)).toThrow(InvalidArgumentError);
      // As a constant (on a tensor that is not differentiated) it is fine.
      const c = nr.tensor([[8, 7, 6, 5], [4, 3, 2, 1]]);
      const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(a, dwt.forward2d(c, { wavelet: 'cdf53' }))))(x);
      expect(Array.from(g.dataSync())).toEqual(Array.from(dwt.forward2d(c, { wavelet: 'cdf53' }).dataSync()));
    });
  });
});
