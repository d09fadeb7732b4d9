// image.resizeBilinear and image.resizeNearestNeighbor against TF.js 4.22 on the CPU backend:
// the values bit for bit (neurite computes the sources and blends in f64 as TF.js's kernel) on
// rank-3 and rank-4 images, odd and non-square sizes, up and down, 1×1 and from 1×1, every
// option, huge and tiny values; gradients (of Σ c ⊙ y) within 1e-5 of TF.js where TF.js's
// gradient is right (square images without halfPixelCenters) and of central differences
// everywhere (the resize is linear in the image, so they are accurate to rounding). TF.js 4.22's
// gradients are wrong for non-square images (height and width swapped) and ignore
// halfPixelCenters: both shown here; its nearest gradient with alignCorners never returns for
// images one pixel high or wide (not run). upSampling2d is this resize: its nearest factors such as
// 49, where TF.js's f64 source (1/49)·49 < 1, give TF.js's bits too.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown as thrownAny } from './setup.js';
import { bits, close, rng, sizeOf, uniform, weightedDiff, weightedRun, weightedRunTf } from './oracle.js';

await tf.setBackend('cpu');
const thrown = (f: () => unknown) => thrownAny(f) as Error;

type Method = 'resizeBilinear' | 'resizeNearestNeighbor';
const METHODS: Method[] = ['resizeBilinear', 'resizeNearestNeighbor'];
/** [alignCorners, halfPixelCenters]: TF.js allows every pair but both true. */
const OPTIONS: Array<[boolean, boolean]> = [[false, false], [true, false], [false, true]];

const CASES: Array<{ name: string; x: number[]; size: [number, number] }> = [
  { name: 'up, non-integer factors, odd sizes', x: [2, 3, 5, 2], size: [7, 8] },
  { name: 'down, non-square', x: [1, 9, 6, 3], size: [4, 5] },
  { name: 'one image (rank 3), up by 2', x: [4, 4, 1], size: [8, 8] },
  { name: 'to 1×1', x: [2, 5, 3, 1], size: [1, 1] },
  { name: 'from 1×1', x: [1, 1, 1, 4], size: [3, 2] },
  { name: 'one row to one column', x: [1, 1, 7, 2], size: [5, 1] },
  { name: 'same size', x: [1, 4, 6, 1], size: [4, 6] },
];

const nrResize = (m: Method, x: nr.Tensor, size: [number, number], ac: boolean, hp: boolean) => nr.image[m](x, size, ac, hp);
const tfResize = (m: Method, x: tf.Tensor, size: [number, number], ac: boolean, hp: boolean) => tf.image[m](x as tf.Tensor4D, size, ac, hp);

/** The value and dL/dx of L = Σ c ⊙ resize(x) (only the value with `c` null), in neurite and TF.js. */
function nrRun(m: Method, x: Float32Array, shape: number[], size: [number, number], ac: boolean, hp: boolean, c: Float32Array | null) {
  const r = weightedRun((v) => nrResize(m, v, size, ac, hp), [{ values: x, shape }], c);
  return { ...r, g: r.grads[0] };
}

function tfRun(m: Method, x: Float32Array, shape: number[], size: [number, number], ac: boolean, hp: boolean, c: Float32Array | null) {
  const r = weightedRunTf((v) => tfResize(m, v, size, ac, hp), [{ values: x, shape }], c);
  return { ...r, g: r.grads[0] };
}

describe('image.resizeBilinear / resizeNearestNeighbor', () => {
  it("give TF.js's values bit for bit for every option, shape and scale", () => {
    const r = rng(11);
    let checked = 0;
    for (const m of METHODS) {
      for (const [ac, hp] of OPTIONS) {
        for (const k of CASES) {
          const x = uniform(r, sizeOf(k.x), -3, 3);
          const got = nrRun(m, x, k.x, k.size, ac, hp, null);
          const want = tfRun(m, x, k.x, k.size, ac, hp, null);
          expect(got.shape, `${m} ${k.name} ac=${ac} hp=${hp}`).toEqual(want.shape);
          expect(bits(got.y), `${m} ${k.name} ac=${ac} hp=${hp}`).toEqual(bits(want.y));
          checked++;
        }
      }
    }
    expect(checked).toBe(METHODS.length * OPTIONS.length * CASES.length);
  });

  it('keep huge, tiny and negative values as TF.js does (no overflow in the blend of ±1e38)', () => {
    const x = new Float32Array([1e38, -1e38, 3e-39, -2.5, 3.4e38, 1e-30, -0, 7]);
    for (const m of METHODS) {
      for (const [ac, hp] of OPTIONS) {
        const got = nrRun(m, x, [1, 2, 4, 1], [3, 7], ac, hp, null);
        const want = tfRun(m, x, [1, 2, 4, 1], [3, 7], ac, hp, null);
        expect(bits(got.y), `${m} ac=${ac} hp=${hp}`).toEqual(bits(want.y));
      }
    }
  });

  it('have gradients equal to central differences for every option, and to TF.js where its gradient is right', () => {
    const r = rng(12);
    for (const m of METHODS) {
      for (const [ac, hp] of OPTIONS) {
        for (const k of CASES) {
          const x = uniform(r, sizeOf(k.x), -1, 1);
          const c = uniform(r, sizeOf(nrRun(m, x, k.x, k.size, ac, hp, null).shape), 0.5, 1.5);
          const got = nrRun(m, x, k.x, k.size, ac, hp, c).g!;
          const what = `${m} ${k.name} ac=${ac} hp=${hp}`;
          const fd = weightedDiff((v) => nrResize(m, v, k.size, ac, hp), { values: x, shape: k.x }, c);
          close(got, fd, 1e-3, `${what} vs central differences`);
          const [h, w] = k.x.slice(-3);
          // TF.js's nearest gradient with alignCorners never returns for one-pixel-high or -wide
          // images (its search window is 1/0 pixels), so it is not asked there.
          const tfHangs = m === 'resizeNearestNeighbor' && ac && (h === 1 || w === 1);
          if (h === w && !hp && !tfHangs) close(got, tfRun(m, x, k.x, k.size, ac, hp, c).g!, 1e-5, `${what} vs TF.js`);
        }
      }
    }
  });

  it("differ from TF.js 4.22's gradients exactly where those are wrong (documented)", () => {
    // Non-square: TF.js's bilinear gradient has the image's height and width swapped.
    const x = uniform(rng(13), 2 * 3 * 1, -1, 1);
    expect(thrown(() => tfRun('resizeBilinear', x, [1, 2, 3, 1], [4, 6], false, false, new Float32Array(24).fill(1))).message).toMatch(/size|shape/i);
    // halfPixelCenters: TF.js's gradient samples as if it were false, and no longer sums what
    // the forward read (the total weight of each output is 1, so Σ dL/dx must be Σ c).
    const sq = uniform(rng(14), 16, -1, 1);
    const c = uniform(rng(15), 36, 0.5, 1.5);
    const sumC = c.reduce((a, b) => a + b, 0);
    const ours = nrRun('resizeBilinear', sq, [1, 4, 4, 1], [6, 6], false, true, c).g!;
    const theirs = tfRun('resizeBilinear', sq, [1, 4, 4, 1], [6, 6], false, true, c).g!;
    expect(ours.reduce((a, b) => a + b, 0)).toBeCloseTo(sumC, 4);
    const diff = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
    expect(diff).toBeGreaterThan(0.05);
  });

  it('are Tensor methods, take one image or a batch, and leave nothing behind', () => {
    expectNoLeak(() => nr.tidy(() => {
      const x = nr.tensor(uniform(rng(16), 2 * 3 * 3 * 2, 0, 1), [2, 3, 3, 2]);
      expect(bits(x.resizeBilinear([5, 4], true).data())).toEqual(bits(nr.image.resizeBilinear(x, [5, 4], true).data()));
      expect(bits(x.resizeNearestNeighbor([2, 7]).data())).toEqual(bits(nr.image.resizeNearestNeighbor(x, [2, 7]).data()));
      const one = nr.tensor(uniform(rng(17), 9, 0, 1), [3, 3, 1]);
      expect(one.resizeBilinear([6, 6]).shape).toEqual([6, 6, 1]);
      // Empty batches, zero sizes and no channels give empty results of the right shape.
      expect(nr.image.resizeBilinear(nr.zeros([0, 3, 3, 1]), [5, 5]).shape).toEqual([0, 5, 5, 1]);
      expect(nr.image.resizeNearestNeighbor(nr.zeros([2, 3, 3, 1]), [0, 4]).shape).toEqual([2, 0, 4, 1]);
      expect(nr.image.resizeBilinear(nr.zeros([3, 3, 0]), [2, 2]).shape).toEqual([2, 2, 0]);
    }));
  });

  it('name the argument and the shapes in their errors', () => {
    const x = nr.zeros([1, 4, 4, 1]);
    const cases: Array<[() => unknown, RegExp]> = [
      [() => nr.image.resizeBilinear(nr.zeros([4, 4]), [2, 2]), /resizeBilinear: images must have rank 4 .* got shape \[4, ?4\]/],
      [() => nr.image.resizeBilinear(x, [2, 2], true, true), /resizeBilinear: alignCorners and halfPixelCenters cannot both be true/],
      [() => nr.image.resizeNearestNeighbor(x, [2] as unknown as [number, number]), /resizeNearestNeighbor: size must be \[newHeight, newWidth\], got \[2\]/],
      [() => nr.image.resizeBilinear(x, [2, 1.5]), /resizeBilinear: size\[1\] must be an integer in \[0, 2147483647\], got 1\.5/],
      [() => nr.image.resizeBilinear(x, [-1, 2]), /size\[0\] must be an integer in \[0, 2147483647\], got -1/],
      [() => nr.image.resizeBilinear(x, [2, 2], 1 as unknown as boolean), /resizeBilinear: alignCorners must be true or false, got 1/],
      [() => nr.image.resizeNearestNeighbor(x, [2, 2], false, 'yes' as unknown as boolean), /halfPixelCenters must be true or false/],
      [() => nr.image.resizeBilinear(nr.zeros([1, 0, 3, 1]), [2, 2]), /resizeBilinear: images of 0 × 3 pixels have nothing to resize to size \[2, 2\]/],
      [() => nr.image.resizeBilinear(x, [1 << 20, 1 << 20]), /resizeBilinear/],
    ];
    for (const [f, re] of cases) expect(thrown(f).message).toMatch(re);
    x.dispose();
    expect(thrown(() => nr.image.resizeBilinear(x, [2, 2])).name).toBe('DisposedError');
  });
});

describe('upSampling2d is the resize', () => {
  it("gives TF.js's bits for nearest factors whose f64 source rounds down (49) and for bilinear", () => {
    const x = uniform(rng(18), 2 * 2 * 3 * 2, -1, 1);
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      const m = nr.sequential({ layers: [nr.layers.upSampling2d({ inputShape: [2, 3, 2], size: [49, 3], interpolation })] });
      const t = tfl.sequential({ layers: [tfl.layers.upSampling2d({ inputShape: [2, 3, 2], size: [49, 3], interpolation })] });
      const got = nr.tidy(() => m.predict(nr.tensor(x, [2, 2, 3, 2])).data());
      const want = tf.tidy(() => (t.predict(tf.tensor(x, [2, 2, 3, 2])) as tf.Tensor).dataSync());
      expect(bits(got), interpolation).toEqual(bits(want));
      // Row 49 of the nearest output reads row 0 (TF.js's ⌊(1/49)·49⌋ = 0), not row 1.
      if (interpolation === 'nearest') expect(got[49 * 9 * 2]).toBe(x[0]);
      m.dispose();
      t.dispose();
    }
  });
});
