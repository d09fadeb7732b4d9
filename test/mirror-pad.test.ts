// mirrorPad against TF.js 4.22 (CPU): the values bit for bit (a copy) in both modes on ranks 1
// to 4, odd shapes and the largest paddings each mode allows; the gradient against central
// differences and the closed form (each entry collects the dy of its mirror images). TF.js's
// gradient is wrong (it slices dy as pad's does, dropping the mirrored part): shown here.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as nr from '../ts/index.js';
import { thrown as thrownAny } from './setup.js';
import { bits, close, rng, sizeOf, uniform, weightedDiff, weightedRun, weightedRunTf } from './oracle.js';

await tf.setBackend('cpu');
const thrown = (f: () => unknown) => thrownAny(f) as Error;
type Mode = 'reflect' | 'symmetric';
type Pads = Array<[number, number]>;

const CASES: Array<{ shape: number[]; reflect: Pads; symmetric: Pads }> = [
  { shape: [5], reflect: [[4, 2]], symmetric: [[5, 3]] },
  { shape: [3, 4], reflect: [[2, 1], [0, 3]], symmetric: [[3, 0], [1, 4]] },
  { shape: [2, 3, 2], reflect: [[1, 1], [2, 2], [1, 0]], symmetric: [[2, 2], [3, 1], [0, 2]] },
  { shape: [1, 4, 3, 2], reflect: [[0, 0], [1, 3], [2, 2], [0, 1]], symmetric: [[1, 1], [4, 4], [0, 3], [2, 0]] },
];

/** The value and dL/dx of L = Σ c ⊙ mirrorPad(x) (only the value with `c` null). */
function nrRun(x: Float32Array, shape: number[], p: Pads, mode: Mode, c: Float32Array | null) {
  const r = weightedRun((v) => nr.mirrorPad(v, p, mode), [{ values: x, shape }], c);
  return { ...r, g: r.grads[0] };
}

describe('mirrorPad', () => {
  it("gives TF.js's values bit for bit in both modes, up to the largest paddings", () => {
    const r = rng(3);
    for (const k of CASES) {
      for (const mode of ['reflect', 'symmetric'] as const) {
        const x = uniform(r, sizeOf(k.shape), -5, 5);
        const got = nrRun(x, k.shape, k[mode], mode, null);
        const want = weightedRunTf((v) => tf.mirrorPad(v, k[mode], mode), [{ values: x, shape: k.shape }], null);
        expect(got.shape, `${mode} ${k.shape}`).toEqual(want.shape);
        expect(bits(got.y), `${mode} ${k.shape}`).toEqual(bits(want.y));
      }
    }
  });

  it('every rank 1–5 with no padding, the widest padding of each mode and whole last rows, bit for bit with tf.mirrorPad', () => {
    const r = rng(5);
    const all = [3, 1, 4, 2, 5];
    for (let rank = 1; rank <= 5; rank++) {
      const shape = all.slice(0, rank);
      const x = uniform(r, sizeOf(shape), -5, 5);
      for (const mode of ['reflect', 'symmetric'] as const) {
        const max = (d: number) => (mode === 'symmetric' ? d : d - 1);
        const cases: Pads[] = [
          shape.map(() => [0, 0]),
          shape.map((d) => [max(d), max(d)]),
          shape.map((d, i) => (i === rank - 1 ? [0, 0] : [Math.min(1, max(d)), Math.min(2, max(d))])),
        ];
        for (const p of cases) {
          const got = nrRun(x, shape, p, mode, null);
          const want = weightedRunTf((v) => tf.mirrorPad(v, p, mode), [{ values: x, shape }], null);
          expect(got.shape, `${mode} ${shape} ${JSON.stringify(p)}`).toEqual(want.shape);
          expect(bits(got.y), `${mode} ${shape} ${JSON.stringify(p)}`).toEqual(bits(want.y));
        }
      }
    }
  });

  it('has the gradient of the copy it is (central differences), where TF.js drops the mirrored part', () => {
    const r = rng(4);
    for (const k of CASES) {
      for (const mode of ['reflect', 'symmetric'] as const) {
        const x = uniform(r, sizeOf(k.shape), -1, 1);
        const c = uniform(r, sizeOf(nrRun(x, k.shape, k[mode], mode, null).shape), 0.5, 1.5);
        const got = nrRun(x, k.shape, k[mode], mode, c).g!;
        const fd = weightedDiff((v) => nr.mirrorPad(v, k[mode], mode), { values: x, shape: k.shape }, c);
        close(got, fd, 1e-3, `${mode} ${k.shape}`);
        // Σ dL/dx = Σ c: every output reads exactly one entry.
        expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(c.reduce((a, b) => a + b, 0), 3);
      }
    }
    // TF.js 4.22: the gradient of [1, 2, 3] reflected by [[2, 1]] (reads 3 2 1 2 3 2) under dy = 1
    // is [1, 3, 2]; TF.js gives [1, 1, 1] (pad's slice).
    const ours = nr.tidy(() => nr.grad((v: nr.Tensor) => nr.mirrorPad(v, [[2, 1]], 'reflect').sum())(nr.tensor([1, 2, 3])).data());
    expect(Array.from(ours)).toEqual([1, 3, 2]);
    const theirs = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.mirrorPad(v as tf.Tensor1D, [[2, 1]], 'reflect')))(tf.tensor([1, 2, 3])).dataSync());
    expect(Array.from(theirs)).toEqual([1, 1, 1]);
  });

  it('is a Tensor method; errors name the pair, the limit and the shape', () => {
    nr.tidy(() => {
      const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(Array.from(x.mirrorPad([[0, 0], [2, 0]], 'symmetric').data())).toEqual([2, 1, 1, 2, 3, 5, 4, 4, 5, 6]);
      expect(thrown(() => nr.mirrorPad(x, [[0, 0], [3, 0]], 'reflect')).message).toBe("mirrorPad: paddings[1] = [3, 0] must be between 0 and 2 (its length 3 minus 1, mode 'reflect') for x of shape [2,3]");
      expect(thrown(() => nr.mirrorPad(x, [[0, 3], [0, 0]], 'symmetric')).message).toMatch(/paddings\[0\] = \[0, 3\] must be between 0 and 2 \(its length 2, mode 'symmetric'\)/);
      expect(thrown(() => nr.mirrorPad(x, [[0, 0]], 'reflect')).message).toMatch(/paddings has 1 pairs but x has rank 2/);
      expect(thrown(() => nr.mirrorPad(x, [[0, 0], [1, 1]], 'constant' as never)).message).toBe('mirrorPad: mode must be \'reflect\' or \'symmetric\', got the string "constant"');
      expect(thrown(() => nr.mirrorPad(nr.scalar(1), [], 'reflect')).message).toMatch(/scalar/);
      expect(nr.mirrorPad(nr.zeros([0, 2]), [[0, 0], [1, 2]], 'symmetric').shape).toEqual([0, 5]);
    });
  });
});
