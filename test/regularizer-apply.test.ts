// A regularizer's own methods (TF.js's L1L2 class): apply(x) for a custom loop's penalty,
// getConfig and getClassName, against TF.js 4.22 — value, gradient under the tape, and the
// options a layer still reads from it. (They were plain { l1, l2 } objects: `.apply` was a
// TypeError for a TF.js matrix-factorization loop.)
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { rng, tf, uniform } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

const CASES: Array<[string, () => ReturnType<typeof nr.regularizers.l1l2>, () => { apply(x: tf.Tensor): tf.Scalar; getConfig(): object; getClassName(): string }]> = [
  ['l1', () => nr.regularizers.l1({ l1: 0.03 }), () => tfl.regularizers.l1({ l1: 0.03 })],
  ['l2', () => nr.regularizers.l2({ l2: 0.2 }), () => tfl.regularizers.l2({ l2: 0.2 })],
  ['l1l2', () => nr.regularizers.l1l2({ l1: 0.5, l2: 1e-4 }), () => tfl.regularizers.l1l2({ l1: 0.5, l2: 1e-4 })],
  ['l1l2 both 0', () => nr.regularizers.l1l2({ l1: 0, l2: 0 }), () => tfl.regularizers.l1l2({ l1: 0, l2: 0 })],
];

describe('regularizers: apply, getConfig and getClassName as TF.js', () => {
  for (const [name, mk, mkTf] of CASES) {
    it(`${name}: the penalty and its gradient equal TF.js's (odd shape, negative and huge values)`, () => {
      const v = uniform(rng(name.length), 7 * 5, -3, 3);
      v[3] = 0;
      v[7] = -1e18;
      const r = mk(), t = mkTf();
      const want = tf.tidy(() => t.apply(tf.tensor(v, [7, 5])).dataSync()[0]);
      const none = r.l1 === 0 && r.l2 === 0;
      const wantGrad = none ? new Float32Array(v.length) : tf.tidy(() => tf.grad((x: tf.Tensor) => t.apply(x))(tf.tensor(v, [7, 5])).dataSync());
      // |x|'s gradient at 0 is 0 here (as TensorFlow, PyTorch and JAX; README "Gradients at
      // kinks"), TF.js's −1: l1's term at v[3] = 0 is left out of TF.js's.
      wantGrad[3] = 0; // and l2's is 0 there
      expectNoLeak(() => {
        const got = nr.tidy(() => r.apply(nr.tensor(v, [7, 5])).dataSync()[0]);
        expect(got).toBe(want);
        if (none) {
          // As TF.js's tape: a penalty of 0 is a constant, with no path from x.
          expect(() => nr.tidy(() => nr.grad((x: nr.Tensor) => r.apply(x))(nr.tensor(v, [7, 5])))).toThrow(/^grad: the result of f does not depend on x/);
        } else {
          const g = nr.tidy(() => nr.grad((x: nr.Tensor) => r.apply(x))(nr.tensor(v, [7, 5])).dataSync());
          expect(Array.from(g)).toEqual(Array.from(wantGrad));
        }
      });
      expect(r.getConfig()).toEqual(t.getConfig());
      expect(r.getClassName()).toBe(t.getClassName());
      expect(r.apply(nr.scalar(2)).rank).toBe(0);
    });
  }

  it('a custom loop adds it to its loss (variableGrads of the penalty on a variable), and a layer still takes it as an option', () => {
    const table = nr.variable(nr.tensor([[1, -2], [3, 0]]));
    const reg = nr.regularizers.l2({ l2: 0.1 });
    const { value, grads } = nr.variableGrads(() => reg.apply(table), [table]);
    expect(value.dataSync()[0]).toBeCloseTo(1.4, 6);
    expect(Array.from(grads[table.name].dataSync())).toEqual([0.2, -0.4, 0.6, 0].map(Math.fround));
    nr.dispose([value, grads[table.name], table]);
    // As a layer's option it is the same as its coefficients given by hand.
    const losses = [reg, { l1: 0, l2: 0.1 }].map((kernelRegularizer) => {
      const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [2], units: 1, kernelRegularizer })] });
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      const l = nr.tidy(() => (m.evaluate(nr.ones([2, 2]), nr.zeros([2, 1])) as nr.Tensor).dataSync()[0]);
      m.dispose();
      return l;
    });
    expect(losses[0]).toBe(losses[1]);
    // The coefficients stay the only keys (a spread or a hand-made { l1, l2 } is the same option).
    expect(Object.keys(reg)).toEqual(['l1', 'l2']);
  });
});
