// Deep equality of tensors, layers and models, as test suites use it (vitest's toEqual, Node's
// assert.deepStrictEqual): with no own enumerable property every tensor was deep-equal to every
// other (values, shapes, a disposed one) and so was every model, so `expect(predict(x))
// .toEqual(expected)` passed whatever it predicted (helper-328). Each now has an own `id`, as
// TF.js's tensors and layers do: two are deep-equal only when they are one object.
import { deepStrictEqual, notDeepStrictEqual } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';

describe('deep equality', () => {
  it('two tensors are never deep-equal, even of equal values; one tensor is', () => {
    const a = nr.tensor([1, 2]);
    const b = nr.tensor([3, 4]);
    const c = nr.tensor([1, 2]);
    const s = nr.scalar(1);
    const gone = nr.tensor([1, 2]);
    gone.dispose();
    for (const other of [b, c, s, gone]) {
      expect(isDeepStrictEqual(a, other)).toBe(false);
      expect(a).not.toEqual(other);
      expect(a).not.toStrictEqual(other);
      notDeepStrictEqual(a, other);
    }
    expect(a).toEqual(a);
    deepStrictEqual(a, a);
    // The ids are distinct integers, increasing as tensors are made (TF.js's tensor.id).
    expect(Number.isInteger(a.id) && b.id > a.id && c.id > b.id).toBe(true);
    // What to write instead: compare the values.
    expect(a.arraySync()).toEqual(c.arraySync());
    for (const t of [a, b, c, s]) t.dispose();
  });
  it('two models or layers are never deep-equal; a model is deep-equal to itself', () => {
    const make = (units: number) => nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units })] });
    const m1 = make(2);
    const m2 = make(4);
    expect(isDeepStrictEqual(m1, m2)).toBe(false);
    expect(m1).not.toEqual(m2);
    expect(isDeepStrictEqual(m1, m1)).toBe(true);
    expect(nr.layers.dense({ units: 1, name: 'same_a' })).not.toEqual(nr.layers.dense({ units: 1, name: 'same_a' }));
    expect(m1.id).not.toBe(m2.id);
    expect(m1.layers[0]!.id).not.toBe(m2.layers[0]!.id);
    m1.dispose();
    m2.dispose();
  });
});
