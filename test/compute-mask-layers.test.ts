// layer.computeMask on the two layers that make a mask, against TF.js 4.22 live (an exploratory
// tester's finding: `tf.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true })
// .computeMask(tf.tensor([[1, 0]]))` gives [[1, 0]] in TF.js, and neurite had no computeMask).
// Embedding's is notEqual(inputs, 0) with maskZero and null without; Masking's is
// any(x != maskValue) over the last axis; both ignore the mask given (TF.js's overrides in
// tfjs-layers' layers/embeddings.js and layers/core.js). TF.js's masks are bool; neurite's are
// float32 1 and 0 (its comparisons' and logical reductions' form), so the values are compared as
// numbers, and the shapes exactly. The other layers have no computeMask (TF.js's Layer default
// passes the input's mask on: that needs each layer's mask rule, which the core holds).
// Then the README's Porting row on feature detection, which listed UpSampling1D, ZeroPadding1D
// and Cropping1D as Keras layers "in neither library" with a reshape workaround: neurite has
// them (TF.js 4.22 does not).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { failTestsThatLeak } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/** TF.js's mask as numbers and its shape, or null. */
function tfMask(layer: { computeMask(x: tf.Tensor, mask?: tf.Tensor): tf.Tensor | tf.Tensor[] | null }, values: number[], shape: number[]): { shape: number[]; values: number[] } | null {
  const x = tf.tensor(values, shape);
  const m = layer.computeMask(x) as tf.Tensor | null;
  const r = m === null ? null : { shape: m.shape, values: Array.from(m.dataSync()) };
  tf.dispose([x, m ?? []]);
  return r;
}

/** neurite's mask as numbers and its shape (disposed), or null; its dtype must be float32. */
function nrMask(layer: { computeMask(x: nr.Tensor | nr.Tensor[], mask?: nr.Tensor | nr.Tensor[] | null): nr.Tensor | null }, values: number[], shape: number[], list = false, given?: nr.Tensor): { shape: number[]; values: number[] } | null {
  const x = nr.tensor(values, shape);
  try {
    const m = layer.computeMask(list ? [x] : x, given);
    if (m === null) return null;
    expect(m.dtype).toBe('float32');
    const r = { shape: m.shape, values: Array.from(m.dataSync()) };
    m.dispose();
    return r;
  } finally {
    x.dispose();
  }
}

const CASES: Array<[number[], number[]]> = [
  [[1, 0], [1, 2]],
  [[3, 0, 4, 0, 0, 0], [2, 3]],
  [[0, 2, 0, 1], [4]],
  [[1, 0, 0, 2, 0, 3, 4, 0], [2, 2, 2]],
];

describe('embedding.computeMask, as TF.js 4.22', () => {
  it("with maskZero: 1 where the index is not 0, of the input's shape (the tester's [[1, 0]] first)", () => {
    const ours = nr.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true });
    const theirs = tfl.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true });
    for (const [values, shape] of CASES) {
      const want = tfMask(theirs, values, shape);
      expect(want).not.toBeNull();
      expect(nrMask(ours, values, shape)).toEqual(want);
    }
    expect(nrMask(ours, [1, 0], [1, 2])).toEqual({ shape: [1, 2], values: [1, 0] });
    ours.dispose();
  });

  it('without maskZero: null (the layer makes no mask)', () => {
    const ours = nr.layers.embedding({ inputDim: 5, outputDim: 2 });
    const theirs = tfl.layers.embedding({ inputDim: 5, outputDim: 2 });
    expect(tfMask(theirs, [1, 0], [1, 2])).toBeNull();
    expect(nrMask(ours, [1, 0], [1, 2])).toBeNull();
  });
});

describe('masking.computeMask, as TF.js 4.22', () => {
  it('1 for a step with some feature not equal to maskValue, over the last axis', () => {
    const x = [0, 0, 1, 0, 2.5, 2.5, -1, -1, 0, 2.5, 0, 0, -1, 3, 2.5, -1];
    for (const maskValue of [0, 2.5, -1]) {
      const ours = nr.layers.masking({ maskValue });
      const theirs = tfl.layers.masking({ maskValue });
      for (const shape of [[2, 4, 2], [4, 4], [1, 2, 4, 2], [16]]) {
        const want = tfMask(theirs, x, shape);
        expect(nrMask(ours, x, shape)).toEqual(want);
      }
      }
    expect(nrMask(nr.layers.masking(), [1, 2, 0, 0, 0, 3], [1, 3, 2])).toEqual({ shape: [1, 3], values: [1, 0, 1] });
  });
});

describe('the arguments, as TF.js takes them', () => {
  it('a list of one tensor is that tensor; the given mask is not read (the layer makes the mask)', () => {
    const emb = nr.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true });
    const masking = nr.layers.masking({ maskValue: 1 });
    const given = nr.tensor([[0, 0]]);
    expect(nrMask(emb, [1, 0], [1, 2], true)).toEqual({ shape: [1, 2], values: [1, 0] });
    expect(nrMask(emb, [1, 0], [1, 2], false, given)).toEqual({ shape: [1, 2], values: [1, 0] });
    expect(nrMask(masking, [1, 1, 0, 1], [1, 2, 2], true, given)).toEqual({ shape: [1, 2], values: [0, 1] });
    given.dispose();
  });

  it('anything but one tensor is an error naming the layer and what it got', () => {
    const emb = nr.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, name: 'ids' });
    const masking = nr.layers.masking({ name: 'pad' });
    const a = nr.tensor([[1, 0]]);
    const b = nr.tensor([[1, 0]]);
    try {
      expect(() => emb.computeMask([[1, 0]] as never)).toThrow(nr.InvalidArgumentError);
      expect(() => emb.computeMask([[1, 0]] as never)).toThrow(/^computeMask: layer ids \(embedding\) takes one tensor, the layer's input \(or a list of one\), got a list of 1 value \(an array of length 2\)$/);
      expect(() => masking.computeMask([a, b])).toThrow(/^computeMask: layer pad \(masking\) takes one tensor, the layer's input \(or a list of one\), got a list of 2 values \(a tensor of shape \[1,2\], a tensor of shape \[1,2\]\)$/);
      expect(() => masking.computeMask('x' as never)).toThrow(/^computeMask: layer pad \(masking\) takes one tensor, the layer's input \(or a list of one\), got the string "x"$/);
      // Without maskZero too: a wrong argument is not hidden behind the null.
      expect(() => nr.layers.embedding({ inputDim: 5, outputDim: 2, name: 'plain' }).computeMask(undefined as never)).toThrow(/^computeMask: layer plain \(embedding\) takes one tensor, .*got undefined$/);
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe("README's Porting from TF.js: feature detection", () => {
  const row = readFileSync(new URL('../README.md', import.meta.url), 'utf8').split('\n').find((l) => l.startsWith('| feature detection:'));

  it("names no layer neurite has as a Keras layer in neither library, and the 1-D shape layers as neurite's (TF.js 4.22 has none)", () => {
    expect(row).toBeDefined();
    const neither = row!.slice(row!.indexOf('Keras layers in neither library'));
    const named = neither.split(/[.;] /).map((part) => part.match(/^[^—]*?`([A-Z]\w+)` —/)?.[1]).filter((n) => n !== undefined);
    expect(named).toEqual(['Lambda', 'ActivityRegularization']);
    const layers = nr.layers as unknown as Record<string, unknown>;
    for (const k of ['lambda', 'activityRegularization']) expect(layers[k]).toBeUndefined();
    for (const k of ['upSampling1d', 'zeroPadding1d', 'cropping1d']) {
      expect(typeof layers[k]).toBe('function');
      expect((tfl.layers as unknown as Record<string, unknown>)[k]).toBeUndefined();
      expect(row).toContain(`\`layers.${k}\``);
    }
    expect(row).not.toMatch(/reshape `\[steps, channels\]`/);
  });
});
