// linalg.qr, linalg.bandPart and linalg.gramSchmidt against TF.js 4.22 (tf.linalg, the cpu
// backend) as a live oracle: the same inputs, the same outputs to a stated tolerance. qr also
// against its definition (Q·R = x, QᵀQ = I, R upper triangular) where TF.js fails (a zero
// column: NaN; a batch of tall matrices: a reshape error). Gradients: bandPart's against
// tf.grad and central differences; gramSchmidt's against tf.grad; qr's is an error, as TF.js's.
import { describe, expect, it } from 'vitest';
import { tf } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

const { linalg } = nr;

/** `n` values in [-1, 1) from seed `seed`. */
function values(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => 2 * r() - 1);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Q·R − x, QᵀQ − I (max abs) and the largest |R| below the diagonal, per batch of [m, n] matrices. */
function defects(x: Float32Array, q: nr.Tensor, r: nr.Tensor, m: number, n: number): { rec: number; orth: number; lower: number } {
  const [qd, rd] = [q.dataSync(), r.dataSync()];
  const k = q.shape[q.shape.length - 1];
  const batch = x.length / (m * n || 1);
  let [rec, orth, lower] = [0, 0, 0];
  for (let b = 0; b < batch; b++) {
    const Q = (i: number, j: number) => qd[b * m * k + i * k + j];
    const R = (i: number, j: number) => rd[b * k * n + i * n + j];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += Q(i, l) * R(l, j);
        rec = Math.max(rec, Math.abs(s - x[b * m * n + i * n + j]));
      }
    }
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let l = 0; l < m; l++) s += Q(l, i) * Q(l, j);
        orth = Math.max(orth, Math.abs(s - (i === j ? 1 : 0)));
      }
      for (let j = 0; j < Math.min(i, n); j++) lower = Math.max(lower, Math.abs(R(i, j)));
    }
  }
  return { rec, orth, lower };
}

describe('linalg.qr', () => {
  it('matches TF.js\'s Q and R (the same Householder signs) for tall, wide and square matrices, reduced and full', () => {
    expectNoLeak(() => nr.tidy(() => {
      const shapes: Array<[number, number]> = [[3, 2], [2, 3], [4, 4], [5, 3], [3, 5], [1, 1], [1, 4], [4, 1], [7, 7], [9, 4]];
      let seed = 1;
      for (const [m, n] of shapes) {
        for (const full of [false, true]) {
          const v = values(m * n, seed++);
          const [tq, tr] = tf.linalg.qr(tf.tensor2d(v, [m, n]), full);
          const [q, r] = linalg.qr(nr.tensor(v, [m, n]), full);
          expect(q.shape, `${m}x${n} ${full}`).toEqual(tq.shape);
          expect(r.shape, `${m}x${n} ${full}`).toEqual(tr.shape);
          // Same signs, values within 2e-5 (TF.js runs in float32, neurite's reflections in float64).
          expect(maxDiff(q.dataSync(), tq.dataSync()), `Q ${m}x${n} ${full}`).toBeLessThan(2e-5);
          expect(maxDiff(r.dataSync(), tr.dataSync()), `R ${m}x${n} ${full}`).toBeLessThan(2e-5);
          const d = defects(Float32Array.from(v), q, r, m, n);
          expect(d.rec).toBeLessThan(1e-6);
          expect(d.orth).toBeLessThan(1e-6);
          expect(d.lower).toBe(0);
          tf.dispose([tq, tr]);
          q.dispose();
          r.dispose();
        }
      }
    }));
  });

  it('batches over the leading axes (TF.js\'s own result per matrix); a batch of tall reduced matrices works (TF.js 4.22 throws)', () => {
    expectNoLeak(() => nr.tidy(() => {
      for (const [shape, full] of [[[2, 3, 3], true], [[2, 3, 3], false], [[3, 2, 4], false], [[2, 2, 5, 3], false], [[2, 2, 5, 3], true]] as Array<[number[], boolean]>) {
        const [m, n] = shape.slice(-2) as [number, number];
        const batch = shape.slice(0, -2).reduce((a, b) => a * b, 1);
        const v = values(batch * m * n, 7);
        const [q, r] = linalg.qr(nr.tensor(v, shape), full);
        const k = m >= n && !full ? n : m;
        expect(q.shape).toEqual([...shape.slice(0, -2), m, k]);
        expect(r.shape).toEqual([...shape.slice(0, -2), k, n]);
        const [qd, rd] = [q.dataSync(), r.dataSync()];
        for (let b = 0; b < batch; b++) {
          const [tq, tr] = tf.linalg.qr(tf.tensor2d(v.slice(b * m * n, (b + 1) * m * n), [m, n]), full);
          expect(maxDiff(qd.slice(b * m * k, (b + 1) * m * k), tq.dataSync())).toBeLessThan(2e-5);
          expect(maxDiff(rd.slice(b * k * n, (b + 1) * k * n), tr.dataSync())).toBeLessThan(2e-5);
          tf.dispose([tq, tr]);
        }
        q.dispose();
        r.dispose();
      }
      // TF.js 4.22's batched reduced QR of tall matrices reshapes R to x's shape and throws.
      expect(() => tf.linalg.qr(tf.ones([2, 3, 2]))).toThrow(/Size\(8\) must match the product of shape 2,3,2/);
    }));
  });

  it('a zero column, huge and tiny values, zero rows: still Q·R = x and QᵀQ = I (TF.js gives NaN on a zero column); NaN propagates', () => {
    expectNoLeak(() => nr.tidy(() => {
      const cases: Array<[number[], number, number, number]> = [
        [[0, 1, 0, 2], 2, 2, 1e-6],
        [[0, 0, 0, 0, 0, 0], 3, 2, 0],
        [[3e37, 1e38, -2e38, 3e38], 2, 2, 3e31],
        [[3e-38, 1e-38, -2e-38, 3e-38, 1e-39, 5e-39], 3, 2, 1e-44],
        [[1e20, 1, 1e-20, 1], 2, 2, 1e14],
      ];
      for (const [v, m, n, tol] of cases) {
        const [q, r] = linalg.qr(nr.tensor(v, [m, n]));
        const d = defects(Float32Array.from(v), q, r, m, n);
        expect(d.rec, `${v}`).toBeLessThanOrEqual(tol);
        expect(d.orth, `${v}`).toBeLessThan(1e-6);
        expect(Array.from(q.dataSync()).every(Number.isFinite)).toBe(true);
        q.dispose();
        r.dispose();
      }
      const [tq] = tf.linalg.qr(tf.tensor2d([[0, 1], [0, 2]]));
      expect(Number.isNaN(tq.dataSync()[0])).toBe(true);
      tq.dispose();
      const [qn, rn] = linalg.qr(nr.tensor([[1, Number.NaN], [3, 4]]));
      expect(Array.from(rn.dataSync()).some(Number.isNaN)).toBe(true);
      const [q0, r0] = linalg.qr(nr.zeros([0, 3]));
      expect([q0.shape, r0.shape]).toEqual([[0, 0], [0, 3]]);
      const [q1, r1] = linalg.qr(nr.zeros([3, 0]), true);
      expect([q1.shape, r1.shape, Array.from(q1.dataSync())]).toEqual([[3, 3], [3, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]]);
      nr.dispose([qn, rn, q0, r0, q1, r1]);
    }));
  });

  it('bad input: rank < 2 and a non-boolean fullMatrices name the argument; grad through qr is an error naming linalg.qr, as TF.js has none', () => {
    expectNoLeak(() => nr.tidy(() => {
      const v = nr.tensor([1, 2, 3]);
      expect(() => linalg.qr(v)).toThrow(/^linalg\.qr: x must have rank >= 2, got shape \[3\] \(rank 1\)$/);
      expect(() => linalg.qr(nr.scalar(2))).toThrow(/x must have rank >= 2, got shape \[\] \(rank 0\)/);
      const x = nr.tensor([[1, 2], [3, 4]]);
      expect(() => linalg.qr(x, 1 as never)).toThrow(/^linalg\.qr: fullMatrices must be true or false, got 1$/);
      expect(() => nr.grad((a: nr.Tensor) => nr.sum(linalg.qr(a)[0]))(x)).toThrow(/linalg\.qr has no gradient rule/);
      expect(() => nr.grad((a: nr.Tensor) => nr.sum(linalg.qr(a)[1]))(x)).toThrow(/linalg\.qr has no gradient rule/);
      // TF.js: no gradient either (its loop goes through `greater`).
      expect(() => tf.grad((a: tf.Tensor) => tf.sum(tf.linalg.qr(a as tf.Tensor2D)[0]))(tf.tensor2d([[1, 2], [3, 4]]))).toThrow(/gradient function not found for Greater/);
      nr.dispose([v, x]);
    }));
  });
});

describe('linalg.bandPart', () => {
  it('matches TF.js on every band of odd, batched and empty shapes; NaN outside the band is 0', () => {
    expectNoLeak(() => nr.tidy(() => {
      for (const shape of [[4, 4], [3, 5], [5, 2], [2, 3, 4], [2, 1, 3, 3], [1, 1], [0, 3], [2, 0, 2]]) {
        const [m, n] = shape.slice(-2) as [number, number];
        const size = shape.reduce((a, b) => a * b, 1);
        const v = values(size, size + 3);
        for (let lo = -1; lo <= m; lo++) {
          for (let up = -1; up <= n; up++) {
            const y = linalg.bandPart(nr.tensor(v, shape), lo, up);
            if (size === 0) {
              // TF.js 4.22 cannot reshape an empty batch ("Cannot infer the missing size").
              expect(y.shape).toEqual(shape);
              y.dispose();
              continue;
            }
            const t = tf.linalg.bandPart(tf.tensor(v, shape), lo, up);
            expect(y.shape).toEqual(t.shape);
            expect(Array.from(y.dataSync()), `${shape} ${lo} ${up}`).toEqual(Array.from(t.dataSync()));
            t.dispose();
            y.dispose();
          }
        }
      }
      const y = linalg.bandPart(nr.tensor([[Number.NaN, Number.POSITIVE_INFINITY], [Number.NaN, 3]]), 0, 0);
      expect(Array.from(y.dataSync())).toEqual([Number.NaN, 0, 0, 3]);
      const t = tf.linalg.bandPart(tf.tensor2d([[Number.NaN, Number.POSITIVE_INFINITY], [Number.NaN, 3]]), 0, 0);
      expect(Array.from(t.dataSync())).toEqual([Number.NaN, 0, 0, 3]);
      nr.dispose([y]);
      t.dispose();
    }));
  });

  it('TF.js\'s argument checks, with the argument and the shape named', () => {
    expectNoLeak(() => nr.tidy(() => {
      const x = nr.ones([3, 4]);
      expect(() => linalg.bandPart(x, 4, 0)).toThrow(/^linalg\.bandPart: numLower \(4\) must not be greater than the number of rows \(3\) of x's shape \[3, 4\]$/);
      expect(() => linalg.bandPart(x, 0, 5)).toThrow(/numUpper \(5\) must not be greater than the number of columns \(4\)/);
      expect(() => linalg.bandPart(x, 1.5, 0)).toThrow(/^linalg\.bandPart: numLower must be an integer, got 1\.5$/);
      expect(() => linalg.bandPart(x, 0, '1' as never)).toThrow(/numUpper must be an integer, got the string "1"/);
      const v = nr.ones([3]);
      expect(() => linalg.bandPart(v, 0, 0)).toThrow(/^linalg\.bandPart: x must have rank >= 2, got shape \[3\] \(rank 1\)$/);
      // TF.js's messages, for comparison.
      expect(() => tf.linalg.bandPart(tf.ones([3, 4]), 4, 0)).toThrow(/numLower \(4\) must not be greater than the number of rows \(3\)/);
      nr.dispose([x, v]);
    }));
  });

  it('its gradient is the band of the incoming gradient: tf.grad and central differences', () => {
    expectNoLeak(() => nr.tidy(() => {
      const v = values(2 * 3 * 4, 11);
      const w = values(2 * 3 * 4, 12);
      for (const [lo, up] of [[0, 0], [1, -1], [-1, 2], [2, 1]]) {
        const f = (a: nr.Tensor) => nr.sum(nr.mul(nr.square(linalg.bandPart(a, lo, up)), nr.tensor(w, [2, 3, 4])));
        const g = nr.grad(f)(nr.tensor(v, [2, 3, 4]));
        const tg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.square(tf.linalg.bandPart(a, lo, up)), tf.tensor(w, [2, 3, 4]))))(tf.tensor(v, [2, 3, 4]));
        expect(maxDiff(g.dataSync(), tg.dataSync())).toBeLessThan(1e-6);
        // Central differences in float64 of the same function.
        const fd = v.map((_, i) => {
          const at = (d: number) => v.reduce((s, x, j) => {
            const [r, c] = [Math.floor(j / 4) % 3, j % 4];
            const inBand = (lo < 0 || r - c <= lo) && (up < 0 || c - r <= up);
            const xv = j === i ? x + d : x;
            return s + (inBand ? xv * xv * w[j] : 0);
          }, 0);
          return (at(1e-4) - at(-1e-4)) / 2e-4;
        });
        expect(maxDiff(g.dataSync(), fd)).toBeLessThan(1e-5);
        g.dispose();
        tg.dispose();
      }
    }));
  });
});

describe('linalg.gramSchmidt', () => {
  it('matches TF.js for an array of vectors and for a 2-D tensor, with its gradient', () => {
    expectNoLeak(() => nr.tidy(() => {
      for (const [n, d] of [[1, 1], [2, 2], [3, 5], [4, 4], [2, 7]]) {
        const v = values(n * d, n * 10 + d);
        const t = tf.linalg.gramSchmidt(tf.tensor2d(v, [n, d])) as tf.Tensor2D;
        const y = linalg.gramSchmidt(nr.tensor(v, [n, d]));
        expect(y.shape).toEqual([n, d]);
        expect(maxDiff(y.dataSync(), t.dataSync())).toBeLessThan(2e-6);
        const rows = Array.from({ length: n }, (_, i) => nr.tensor(v.slice(i * d, (i + 1) * d)));
        const ys = linalg.gramSchmidt(rows);
        expect(ys.length).toBe(n);
        ys.forEach((r, i) => expect(maxDiff(r.dataSync(), t.dataSync().slice(i * d, (i + 1) * d))).toBeLessThan(2e-6));
        // The gradient through it (TF.js's is made of the same ops; TF.js 4.22's fails for one
        // vector: its split's gradient concatenates nothing).
        if (n === 1) {
          tf.dispose([t]);
          nr.dispose([y, ...rows, ...ys]);
          continue;
        }
        const wts = values(n * d, 99);
        const g = nr.grad((a: nr.Tensor) => nr.sum(nr.mul(linalg.gramSchmidt(a), nr.tensor(wts, [n, d]))))(nr.tensor(v, [n, d]));
        const tg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.linalg.gramSchmidt(a as tf.Tensor2D) as tf.Tensor, tf.tensor2d(wts, [n, d]))))(tf.tensor2d(v, [n, d]));
        expect(maxDiff(g.dataSync(), tg.dataSync()), `${n}x${d}`).toBeLessThan(1e-5);
        tf.dispose([t, tg]);
        nr.dispose([y, ...rows, ...ys, g]);
      }
    }));
  });

  it('bad input names the argument and the shapes; a dependent vector gives NaN, as TF.js', () => {
    expectNoLeak(() => nr.tidy(() => {
      expect(() => linalg.gramSchmidt([])).toThrow(/^linalg\.gramSchmidt: xs must not be empty$/);
      const [a, b, c] = [nr.tensor([1, 0]), nr.tensor([1, 1, 1]), nr.ones([2, 2, 2])];
      expect(() => linalg.gramSchmidt([a, b])).toThrow(/^linalg\.gramSchmidt: the vectors must have one length, got xs\[0\] of shape \[2\] and xs\[1\] of shape \[3\]$/);
      expect(() => linalg.gramSchmidt(c)).toThrow(/xs must be a 2-D tensor \(or an array of 1-D tensors\), got shape \[2,2,2\]/);
      expect(() => linalg.gramSchmidt([c])).toThrow(/xs\[0\] must be a 1-D tensor, got shape \[2,2,2\]/);
      const wide = nr.ones([3, 2]);
      expect(() => linalg.gramSchmidt(wide)).toThrow(/the number of vectors \(3\) exceeds their length \(2\)/);
      expect(() => linalg.gramSchmidt([1, 2] as never)).toThrow(/xs\[0\] must be a Tensor, got 1/);
      expect(linalg.gramSchmidt(nr.zeros([0, 3])).shape).toEqual([0, 3]);
      const dep = linalg.gramSchmidt(nr.tensor([[1, 0], [2, 0]]));
      expect(Number.isNaN(dep.dataSync()[2])).toBe(true);
      const tdep = tf.linalg.gramSchmidt(tf.tensor2d([[1, 0], [2, 0]])) as tf.Tensor;
      expect(Number.isNaN(tdep.dataSync()[2])).toBe(true);
      tdep.dispose();
      nr.dispose([a, b, c, wide, dep]);
    }));
  });
});
