// A model's layer list and names (a name once per model, `model.layers` a frozen copy), and
// graphs of thousands of layers: built, saved and loaded without recursion (a 6000-layer chain
// overflowed the call stack) and with one call into the core for all the weights (a call per
// weight walked the whole model: quadratic). The round trips are checked against TF.js.
import { describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import './setup.js';
import { close, tf } from './oracle.js';
import * as nr from '../ts/index.js';

/** A chain of `n` dense layers of one unit (`units` wide at the input). */
function chain(n: number, units = 1): { m: nr.Sequential; names: string[] } {
  const x = nr.input({ shape: [units] });
  let y = x;
  for (let k = 0; k < n; k++) y = nr.layers.dense({ units: 1, activation: k % 2 ? 'tanh' : 'linear' }).apply(y) as nr.SymbolicTensor;
  const m = nr.model({ inputs: x, outputs: y, seed: 3 });
  return { m, names: m.layers.map((l) => l.name) };
}

describe('layer names are unique in a model', () => {
  it('sequential and add refuse a second layer of the same name (Keras; TF.js refused it only when saving)', () => {
    const a = () => nr.layers.dense({ units: 2, inputShape: [4], name: 'a' });
    // TF.js makes it (and throws at save); Keras's Sequential refuses the add.
    expect(tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [4], name: 'a' }), tfl.layers.dense({ units: 2, name: 'a' })] }).layers).toHaveLength(2);
    expect(() => nr.sequential({ layers: [a(), nr.layers.dense({ units: 2, name: 'a' })] })).toThrow(
      /^add: model sequential_\d+ already has a layer named 'a' \(layers\[0\]\); layer names must be unique in a model: give the new layer another name$/,
    );
    const m = nr.sequential({ layers: [a()] });
    expect(() => m.add(nr.layers.dense({ units: 3, name: 'a' }))).toThrow(/already has a layer named 'a'/);
    const inner = nr.sequential({ name: 'a', layers: [nr.layers.dense({ units: 2 })] });
    expect(() => m.add(inner)).toThrow(/already has a layer named 'a' \(layers\[0\]\); .* give the new model another name$/);
    // Refused: the model is as it was, and takes a layer of another name.
    expect(m.layers.map((l) => l.name)).toEqual(['a']);
    m.add(nr.layers.dense({ units: 3, name: 'b' }));
    expect(m.getLayer('b').outputShape).toEqual([null, 3]);
    nr.dispose([m, inner]);
  });

  it('a layer shared by two models, and a name reused in another model, are fine', async () => {
    const shared = nr.layers.dense({ units: 3, inputShape: [2], name: 'shared' });
    const m1 = nr.sequential({ layers: [shared, nr.layers.dense({ units: 1, name: 'head' })] });
    const m2 = nr.sequential({ layers: [shared, nr.layers.dense({ units: 2, name: 'head' })] });
    // A nested model holding the outer model's layer names: a name is unique per model.
    const outer = nr.sequential({ layers: [nr.layers.dense({ units: 2, inputShape: [2], name: 'in' }), m2] });
    expect(outer.predict(nr.ones([1, 2])).shape).toEqual([1, 2]);
    expect(((await nr.loadModel(await m1.toArtifacts())) as nr.Sequential).layers.map((l) => l.name)).toEqual(['shared', 'head']);
    // The graph API says the same of its own layers.
    const x = nr.input({ shape: [2] });
    expect(() => nr.model({ inputs: x, outputs: nr.layers.dense({ units: 1, name: 'b' }).apply(nr.layers.dense({ units: 1, name: 'b' }).apply(x)) as nr.SymbolicTensor })).toThrow(
      "model: two layers are named 'b'; layer names must be unique in a model",
    );
    nr.dispose([outer, m1, m2]);
  });
});

describe('model.layers', () => {
  it('is a frozen copy: editing it throws and leaves the model whole', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ units: 2, inputShape: [3] }), nr.layers.dense({ units: 4 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.layers;
    expect(Object.isFrozen(before)).toBe(true);
    expect(m.layers).toBe(before); // the same copy until the model changes (no copy per read)
    expect(() => (m.layers as unknown[]).pop()).toThrow(TypeError);
    expect(() => (m.layers as unknown[]).push(nr.layers.dense({ units: 1 }))).toThrow(TypeError);
    expect(m.layers).toHaveLength(2);
    expect(m.countParams()).toBe(3 * 2 + 2 + 2 * 4 + 4);
    expect(m.predict(nr.ones([1, 3])).shape).toEqual([1, 4]);
    const a = await m.toArtifacts();
    expect(a.weightSpecs!.map((w) => w.shape)).toEqual([[3, 2], [2], [2, 4], [4]]);
    // add gives a new list; the one handed out before stays as it was.
    const s = nr.sequential({ layers: [nr.layers.dense({ units: 2, inputShape: [3] })] });
    const one = s.layers;
    s.add(nr.layers.dense({ units: 1 }));
    expect([one.length, s.layers.length]).toEqual([1, 2]);
    nr.dispose([m, s]);
  });
});

describe('graphs of thousands of layers', () => {
  it('a 6000-layer chain is a model (no call-stack overflow), and loads back', async () => {
    const { m, names } = chain(6000);
    expect(m.layers).toHaveLength(6001);
    const a = await m.toArtifacts();
    const back = (await nr.loadModel(a)) as nr.Sequential;
    expect(back.layers.map((l) => l.name)).toEqual(names);
    const x = nr.tensor([[0.5], [-1]]);
    expect(back.predict(x).dataSync()).toEqual(m.predict(x).dataSync());
    nr.dispose([m, back, x]);
  }, 120_000);

  it('a 400-layer chain saves as TF.js does and loads into TF.js to its outputs', async () => {
    const { m } = chain(400, 3);
    const a = await m.toArtifacts();
    const got = m.getWeights();
    expect(a.weightSpecs!.map((w) => w.name)).toEqual(m.weights.map((w) => w.name));
    expect(a.weightSpecs).toHaveLength(800);
    const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    try {
      // TF.js reads the same weights and computes the same outputs.
      tm.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(got[i].dataSync()));
      const x = [0.3, -0.2, 0.9, 1.5, 0.1, -0.7];
      close(tf.tidy(() => (tm.predict(tf.tensor(x, [2, 3])) as tf.Tensor).dataSync()), nr.tidy(() => m.predict(nr.tensor(x, [2, 3])).dataSync()), 1e-5, 'TF.js predict');
      // A NaN in the file is named after the file's weight, as before.
      const bytes = new Float32Array((a.weightData as ArrayBuffer).slice(0));
      bytes[bytes.length - 1] = NaN;
      await expect(nr.loadModel({ ...a, weightData: bytes.buffer })).rejects.toThrow(/^loadModel: .*'dense_\d+\/bias'.* NaN/);
    } finally {
      tm.dispose();
      nr.dispose([m, ...got]);
    }
  }, 60_000);
});
