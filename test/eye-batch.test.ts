// eye(numRows, numColumns, batchShape): the identity repeated over batch axes, against TF.js
// 4.22 live (tf.eye tiles the matrix to [...batchShape, rows, columns]).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');
import { expectNoLeak } from './setup.js';

describe('eye with batchShape', () => {
  it('matches tf.eye for 1, 2 and 3 batch axes, square and not, and empty axes', () => {
    const cases: [number, number | undefined, number[]][] = [
      [3, undefined, [2]],
      [2, 3, [4]],
      [3, 2, [2, 3]],
      [1, 4, [2, 1, 3]],
      [2, 2, [0]],
      [0, 3, [2]],
    ];
    for (const [r, c, b] of cases) {
      const want = tf.tidy(() => {
        const t = tf.eye(r, c, b as [number]);
        return { shape: t.shape, data: Array.from(t.dataSync()) };
      });
      const got = nr.eye(r, c, b);
      expect(got.shape, `eye(${r}, ${c}, [${b}])`).toEqual(want.shape);
      expect(Array.from(got.data()), `eye(${r}, ${c}, [${b}])`).toEqual(want.data);
      got.dispose();
    }
  });

  it('an empty or absent batchShape is the plain matrix; more axes than TF.js takes work too', () => {
    expect(nr.eye(2, 3, []).shape).toEqual([2, 3]);
    expect(nr.eye(2, 3, null).shape).toEqual([2, 3]);
    const t = nr.eye(2, 2, [1, 1, 1, 2]);
    expect(t.shape).toEqual([1, 1, 1, 2, 2, 2]);
    expect(Array.from(t.data())).toEqual([1, 0, 0, 1, 1, 0, 0, 1]);
    t.dispose();
  });

  it('bad batch shapes are named; a batch too large is refused before allocating', () => {
    expect(() => nr.eye(2, 2, [1.5])).toThrow(/^eye: batchShape\[0\] must be a non-negative integer, got 1\.5/);
    expect(() => nr.eye(2, 2, [-1])).toThrow(nr.InvalidArgumentError);
    expect(() => nr.eye(2, 2, 3 as never)).toThrow(/^eye: batchShape must be an array of dimensions, got 3/);
    expect(() => nr.eye(2, 2, new Array(31).fill(1))).toThrow(/^eye: batchShape has 31 axes, so the result's rank 33 exceeds the maximum rank 32/);
    expect(() => nr.eye(2 ** 12, 2 ** 12, [2 ** 12])).toThrow(nr.OutOfMemoryError);
  });

  it('leaves nothing behind', () => {
    expectNoLeak(() => nr.eye(3, 3, [2, 2]).dispose());
  });
});
