// Sequences of calls a random fuzzer does not make (found by a break-test of the public API):
// state that must outlive a tidy scope, and what a scope may not take from work still running.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

describe('variables and tidy', () => {
  it('a variable made inside tidy outlives the scope, as in TF.js; the scope\'s temporaries do not', () => {
    const before = nr.memory().numTensors;
    let v!: nr.Variable;
    const t = nr.tidy(() => {
      const init = nr.tensor([1, 2]).mul(2);
      v = nr.variable(init);
      return v.sum();
    });
    expect(v.isDisposed).toBe(false);
    expect(Array.from(v.dataSync())).toEqual([2, 4]);
    expect(nr.memory().numTensors).toBe(before + 2); // v and the returned sum
    // It still trains, outside any scope.
    const opt = nr.train.sgd(0.5);
    nr.tidy(() => opt.minimize(() => v.square().sum() as nr.Scalar, false, [v]));
    expect(Array.from(v.dataSync())).toEqual([0, 0]);
    for (const d of [v, t, opt]) d.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });
});
