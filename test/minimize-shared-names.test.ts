/**
 * `minimize` (and `applyGradients` with `{ variable, grad }` pairs) needs no variable names:
 * the weights of two models whose layers share a name (`hidden/kernel`) both train, as in
 * TF.js (which names the second model's weights `hidden/kernel_1`), bit for bit as the two
 * models trained apart. `variableGrads`, which keys its gradients by name, keeps its error
 * for such a collision and names `minimize` as the way out.
 */
import { describe, expect, it } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/** float32 values as base64 of their bytes: equal strings are equal bits. */
const bits = (v: nr.LayerVariable): string => Buffer.from(nr.tidy(() => v.read().dataSync()).buffer).toString('base64');

describe('minimize on two models whose layers share a name', () => {
  it('trains both (as TF.js, whose second model names its weights hidden/kernel_1); variableGrads says to use minimize', () => {
    const mk = (seed: number) => {
      const m = nr.sequential({ seed, layers: [nr.layers.dense({ units: 3, inputShape: [2], activation: 'tanh', name: 'hidden' }), nr.layers.dense({ units: 1, name: 'out' })] });
      m.build();
      return m;
    };
    const x = nr.tensor([[1, 2], [-1, 0.5], [0.3, -0.7]]), y = nr.tensor([[1], [0], [0.5]]);
    const [a, b] = [mk(1), mk(2)];
    // The reference: the same two models stepped apart (their losses add, so the gradients are each model's own).
    const [ra, rb] = [mk(1), mk(2)];
    const opt = nr.optimizers.adam(0.05);
    const [oa, ob] = [nr.optimizers.adam(0.05), nr.optimizers.adam(0.05)];
    const both = () => nr.losses.meanSquaredError(y, a.predict(x)).add(nr.losses.meanSquaredError(y, b.predict(x)));
    for (let i = 0; i < 3; i++) {
      nr.tidy(() => opt.minimize(both, false, [...a.trainableWeights, ...b.trainableWeights]));
      nr.tidy(() => oa.minimize(() => nr.losses.meanSquaredError(y, ra.predict(x)), false, ra.trainableWeights));
      nr.tidy(() => ob.minimize(() => nr.losses.meanSquaredError(y, rb.predict(x)), false, rb.trainableWeights));
    }
    expect(a.trainableWeights.map(bits)).toEqual(ra.trainableWeights.map(bits));
    expect(b.trainableWeights.map(bits)).toEqual(rb.trainableWeights.map(bits));
    // Without a varList (every live model's weights, as TF.js) too.
    const [ka, kb] = [bits(a.trainableWeights[0]), bits(b.trainableWeights[0])];
    expectNoLeak(() => nr.tidy(() => opt.minimize(both)));
    expect([bits(a.trainableWeights[0]) !== ka, bits(b.trainableWeights[0]) !== kb]).toEqual([true, true]);
    // variableGrads keys by name: the collision stays an error, which names the way out.
    expect(() => nr.variableGrads(both)).toThrow(/^variableGrads: two variables with gradients are named 'hidden\/kernel' .*; optimizer\.minimize\(f, false, varList\) needs no names: it steps each variable with its own gradient \(both models' here\)$/);
    // applyGradients with { variable, grad } pairs needs no names either.
    expectNoLeak(() => nr.tidy(() => opt.applyGradients([...a.trainableWeights, ...b.trainableWeights].map((v) => ({ variable: v, grad: nr.ones(v.shape) })))));
    nr.dispose([x, y, a, b, ra, rb, opt, oa, ob]);
  });
});
