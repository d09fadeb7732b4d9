// tensor.toString(verbose), tensor.print(verbose) and print(x, verbose) write TF.js 4.22's text,
// character for character (tfjs-core's tensorToString), so logs diff clean across a port.
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './setup.js';
import * as nr from '../ts/index.js';

const specials = [NaN, Infinity, -Infinity, -0, 0, 1e-8, -1e-8, 1e30, -1e30, 1e21, 5e-8, 1e-7, 0.1, 1 / 3, -2.5, 123.456789, 16777217, 3.4e38, 1.5e-45];

/** A deterministic mix of small integers, fractions of every width, negatives and the specials. */
function values(n: number, seed: number): number[] {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => {
    const r = next();
    if (r < 0.15) return specials[Math.floor(next() * specials.length)];
    if (r < 0.45) return Math.round((next() - 0.5) * 200);
    if (r < 0.75) return (next() - 0.5) * 10 ** Math.round(next() * 6 - 3);
    return Math.round(next() * 10);
  });
}

const shapes: number[][] = [
  [], [0], [1], [3], [20], [21], [40],
  [1, 1], [1, 2], [2, 1], [2, 2], [3, 4], [0, 3], [3, 0], [20, 20], [21, 2], [2, 21], [25, 25], [22, 1],
  [1, 1, 1], [2, 3, 4], [0, 0, 0], [2, 0, 3], [21, 1, 2], [1, 21, 3], [3, 2, 22], [4, 4, 4],
  [2, 2, 2, 2], [1, 21, 1, 3], [2, 1, 0, 2], [3, 1, 2, 1],
  [2, 1, 2, 1, 2], [3, 2, 1, 2, 22], [1, 1, 1, 1, 1],
  [1, 2, 1, 2, 1, 2], [2, 2, 2, 2, 2, 2],
];

describe("tensor.toString(verbose): TF.js 4.22's text", () => {
  it('is the same string as tf.tensor(v, shape).toString(verbose) for ranks 0–6, summarized or not, empty, NaN, ±Infinity, tiny and huge values', async () => {
    await tf.setBackend('cpu');
    let cases = 0;
    for (const [k, shape] of shapes.entries()) {
      for (const seed of [1, 2, 3]) {
        const v = values(shape.reduce((a, b) => a * b, 1), 97 * k + seed);
        using t = nr.tensor(v, shape);
        const tt = tf.tensor(v, shape);
        for (const verbose of [false, true]) expect(t.toString(verbose), `${JSON.stringify(shape)} seed ${seed} verbose ${verbose}`).toBe(tt.toString(verbose));
        tt.dispose();
        cases++;
      }
    }
    // Each special alone as a scalar and in a column, and rows of one kind (integers, negatives).
    for (const v of [...specials, 2, -7]) {
      for (const shape of [[], [1], [1, 1], [2, 1]]) {
        const vals = shape.length === 2 && shape[0] === 2 ? [v, 1] : [v];
        using t = nr.tensor(vals, shape);
        const tt = tf.tensor(vals, shape);
        expect(t.toString(), `${v} ${JSON.stringify(shape)}`).toBe(tt.toString());
        tt.dispose();
        cases++;
      }
    }
    for (const vals of [[1, 2, 3, 4, 5, 6], [-1, -22, 333, -4444, 5, 6], [0.5, 0.25, 0.125, 1e-7, 1e-8, 0]]) {
      using t = nr.tensor(vals, [2, 3]);
      const tt = tf.tensor(vals, [2, 3]);
      expect(t.toString(true)).toBe(tt.toString(true));
      tt.dispose();
      cases++;
    }
    expect(cases).toBe(195);
  });

  it('shows the known TF.js layout', () => {
    using t = nr.tensor([[1, 2.5], [-3, 4]]);
    expect(t.toString()).toBe('Tensor\n    [[1 , 2.5],\n     [-3, 4  ]]');
    expect(t.toString(true)).toBe('Tensor\n  dtype: float32\n  rank: 2\n  shape: [2,2]\n  values:\n    [[1 , 2.5],\n     [-3, 4  ]]');
    using s = nr.scalar(0.1);
    expect(s.toString()).toBe('Tensor\n    0.10000000149011612'); // a scalar is String(v), as TF.js
    expect(() => t.toString(1 as never)).toThrow('toString: verbose must be true or false, got 1');
  });

  it('print(verbose), tf.print and nr.print log what TF.js logs', async () => {
    await tf.setBackend('cpu');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const verbose of [false, true]) {
        const v = values(2 * 3 * 22, 5);
        using t = nr.tensor(v, [2, 3, 22]);
        const tt = tf.tensor(v, [2, 3, 22]);
        log.mockClear();
        t.print(verbose);
        nr.print(t, verbose);
        tt.print(verbose);
        tf.print(tt, verbose);
        tt.dispose();
        const calls = log.mock.calls;
        expect(calls.map((c) => c.length)).toEqual([1, 1, 1, 1]);
        expect(calls[0][0]).toBe(calls[2][0]);
        expect(calls[1][0]).toBe(calls[3][0]);
      }
    } finally {
      log.mockRestore();
    }
  });

  it('console.log of a tensor (inspect) shows the verbose text; a disposed one its shape', () => {
    const t = nr.tensor([[1, 2], [3, 4]]);
    expect(inspect(t)).toBe(t.toString(true));
    t.dispose();
    expect(inspect(t)).toBe('Tensor(disposed, shape=[2,2])');
    expect(t.toString()).toBe('Tensor(disposed, shape=[2,2])');
  });

  it('console.log of a model shows its layers; a disposed one says it is disposed (it printed as a model with no layers)', () => {
    const m = nr.sequential({ name: 'printed', layers: [nr.layers.dense({ inputShape: [2], units: 1, name: 'd1' })] });
    expect(inspect(m)).toMatch(/^Sequential \{[\s\S]*name: 'printed'[\s\S]*layers: \[[\s\S]*d1/);
    m.dispose();
    expect(inspect(m)).toBe("Sequential { name: 'printed', disposed: true }");
  });
});
