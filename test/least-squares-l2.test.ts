// leastSquares's l2 is read by the core as a float32: a positive l2 that rounds to 0 there was
// solved as l2 = 0, and the error then said "(l2 = 0) …; pass l2 > 0" to a caller who had.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

describe('leastSquares l2 below float32', () => {
  it('a positive l2 that rounds to 0 in float32 is refused, saying so', () => {
    const e = (l2: number): string => {
      try {
        nr.leastSquares([[1, 1], [2, 2]], [1, 2], { l2 });
      } catch (err) {
        expect(err).toBeInstanceOf(nr.InvalidArgumentError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(e(1e-50)).toBe('leastSquares: l2 is 1e-50, which rounds to 0 in float32 (neurite computes in float32; the smallest positive l2 is 1.401298464324817e-45); pass l2 = 0 for no ridge, or a larger l2 (e.g. 1e-6)');
    expect(e(5e-46)).toMatch(/^leastSquares: l2 is 5e-46, which rounds to 0 in float32/);
  });

  it('the smallest float32 l2 and l2 = 0 are still taken', () => {
    // 2^-149 is a float32 (subnormal): a ridge, so the dependent column is solved.
    const x = nr.leastSquares([[1, 0], [0, 1]], [1, 2], { l2: 2 ** -149 });
    expect(Array.from(x.data())).toEqual([1, 2]);
    x.dispose();
    const y = nr.leastSquares([[2, 1], [1, 3]], [5, 10], { l2: 0 });
    expect(Array.from(y.data()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 3]);
    y.dispose();
    // The old message for a real l2 = 0 stays.
    expect(() => nr.leastSquares([[1, 1], [2, 2]], [1, 2])).toThrow(/\(l2 = 0\).*pass l2 > 0 \(e\.g\. 1e-6\)/);
  });
});
