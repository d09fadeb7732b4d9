// logicalAnd/Or/Xor/Not, isNaN, isInf, isFinite against TF.js 4.22 (`cpu`): TF.js's bool
// inputs are neurite's float32 values cast to bool (non-zero, NaN included, is true), its bool
// outputs compared as 0/1; broadcasting pairs, ±0, ±∞ and NaN; constants under grad.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as nr from '../ts/index.js';
import { expectNoLeak, thrown } from './setup.js';

await tf.setBackend('cpu');

const SPECIAL = [0, -0, 1, -2.5, NaN, Infinity, -Infinity, 1e-40, 3.4e38];

describe('logical ops and the NaN/∞ tests', () => {
  it('logicalAnd, logicalOr, logicalXor on broadcast pairs with every special value, as TF.js on the values cast to bool', () => {
    const a = SPECIAL.flatMap((v) => SPECIAL.map(() => v)); // [81]: every pair
    const b = SPECIAL.flatMap(() => SPECIAL);
    const cases: Array<[number[], number[], number[], number[]]> = [
      [a, [81], b, [81]],
      [SPECIAL, [9, 1], SPECIAL, [9]], // [9, 1] with [9]: [9, 9]
    ];
    for (const name of ['logicalAnd', 'logicalOr', 'logicalXor'] as const) {
      for (const [av, as, bv, bs] of cases) {
        const want = tf.tidy(() => Array.from(tf.cast(tf[name](tf.cast(tf.tensor(av, as), 'bool'), tf.cast(tf.tensor(bv, bs), 'bool')), 'float32').dataSync()));
        expectNoLeak(() => nr.tidy(() => { expect(Array.from(nr[name](nr.tensor(av, as), nr.tensor(bv, bs)).data()), name).toEqual(want); }));
      }
    }
    nr.tidy(() => { expect(Array.from(nr.logicalAnd(nr.tensor([2, 0]), 1).data())).toEqual([1, 0]); });
  });

  it('logicalNot, isNaN, isInf, isFinite', () => {
    const x = SPECIAL;
    const tfx = () => tf.tensor(x);
    const pairs: Array<[(t: nr.Tensor) => nr.Tensor, () => tf.Tensor]> = [
      [nr.logicalNot, () => tf.logicalNot(tf.cast(tfx(), 'bool'))],
      [nr.isNaN, () => tf.isNaN(tfx())],
      [nr.isInf, () => tf.isInf(tfx())],
      [nr.isFinite, () => tf.isFinite(tfx())],
    ];
    for (const [f, g] of pairs) {
      const want = tf.tidy(() => Array.from(tf.cast(g(), 'float32').dataSync()));
      expectNoLeak(() => nr.tidy(() => { expect(Array.from(f(nr.tensor(x)).data()), f.name).toEqual(want); }));
    }
  });

  it('constants under grad; errors name the op', () => {
    nr.tidy(() => {
      const g = nr.grad((t: nr.Tensor) => nr.add(nr.logicalAnd(t, t), nr.isFinite(t)).sum())(nr.tensor([1, 0, 2]));
      expect(Array.from(g.data())).toEqual([0, 0, 0]);
      expect(thrown(() => nr.logicalOr(nr.tensor([1, 2]), nr.tensor([1, 2, 3])))).toMatchObject({ name: 'ShapeError' });
      expect((thrown(() => nr.logicalOr(nr.tensor([1, 2]), nr.tensor([1, 2, 3]))) as Error).message).toMatch(/^logicalOr: shapes \[2\] and \[3\] cannot be broadcast together/);
      expect(thrown(() => nr.logicalAnd('x' as never, 1))).toMatchObject({ name: 'InvalidArgumentError', message: 'logicalAnd: a must be a Tensor, a number or an array of numbers, got the string "x"' });
      expect(thrown(() => nr.isNaN('x' as never))).toMatchObject({ name: 'InvalidArgumentError', message: 'isNaN: x must be a Tensor, a number or an array of numbers, got the string "x"' });
    });
  });
});
