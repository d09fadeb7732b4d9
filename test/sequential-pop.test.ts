// Sequential pop() and add() on a built model, against TF.js 4.22's: the same outputs, weights
// kept, memory freed, a compiled model compiled again before it trains, and what cannot change.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyWeights, rng, tf, uniform } from './oracle.js';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';

const { layers } = nr;

/** A trained-looking base: 4 → 8 → 6 → 3 (softmax), with a seed. */
const base = (seed = 7) =>
  nr.sequential({
    seed,
    layers: [
      layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'a' }),
      layers.dense({ units: 6, activation: 'tanh', name: 'b' }),
      layers.dense({ units: 3, activation: 'softmax', name: 'c' }),
    ],
  });
const tfBase = () =>
  tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [4], units: 8, activation: 'relu', name: 'a' }),
      tfl.layers.dense({ units: 6, activation: 'tanh', name: 'b' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'c' }),
    ],
  });
const bits = (ws: nr.Tensor[]) => {
  const out = ws.map((w) => Array.from(w.dataSync()));
  nr.dispose(ws);
  return out;
};

describe('pop() and add() on a built model', () => {
  it('give TF.js\'s outputs and shapes, and keep the other layers\' weights', () => {
    const m = base();
    let t = tfBase();
    copyWeights(m, t);
    const data = uniform(rng(1), 5 * 4, -2, 2);
    const x = nr.tensor(data, [5, 4]);
    const tx = tf.tensor(data, [5, 4]);
    const kept = bits([...m.getLayer('a').getWeights(), ...m.getLayer('b').getWeights()]);
    m.pop();
    t.pop();
    expect(m.layers.map((l) => l.name)).toEqual(['a', 'b']);
    expect(m.outputShape).toEqual(t.outputShape);
    expect(m.outputs[0].shape).toEqual(t.outputs[0].shape);
    const compare = (what: string) => {
      const p = m.predict(x) as nr.Tensor;
      const q = t.predict(tx) as tf.Tensor;
      close(p.dataSync(), q.dataSync() as Float32Array, 1e-6, what);
      p.dispose();
      q.dispose();
    };
    compare('after pop');
    expect(bits([...m.getLayer('a').getWeights(), ...m.getLayer('b').getWeights()])).toEqual(kept);
    m.add(layers.dense({ units: 2, activation: 'sigmoid', name: 'd' }));
    t.add(tfl.layers.dense({ units: 2, activation: 'sigmoid', name: 'd' }));
    expect(m.outputShape).toEqual([null, 2]);
    expect(m.outputs[0].shape).toEqual(t.outputs[0].shape);
    expect(m.getLayer('d').getWeights().map((w) => w.shape)).toEqual([[6, 2], [2]]);
    // TF.js 4.22's predict after pop() then add() leaves the added layer out (5 × 6 values, the
    // popped model's output): compared with a TF.js model made of the three layers instead.
    const stale = t.predict(tx) as tf.Tensor;
    expect(stale.shape).toEqual([5, 6]);
    stale.dispose();
    t.dispose();
    t = tfl.sequential({ layers: [...tfBase().layers.slice(0, 2), tfl.layers.dense({ units: 2, activation: 'sigmoid', name: 'd' })] });
    copyWeights(m, t);
    compare('after add');
    expect(bits([...m.getLayer('a').getWeights(), ...m.getLayer('b').getWeights()])).toEqual(kept);
    expect(m.countParams()).toBe(t.countParams());
    nr.dispose([x]);
    tx.dispose();
    m.dispose();
    t.dispose();
  });

  it('frees the popped layer\'s weights, and a loop of them does not grow memory', () => {
    const m = base();
    m.build(); // TF.js builds a model whose input shape is known when it is made
    const before = nr.memory();
    m.pop();
    const after = nr.memory();
    expect(before.modelBytes - after.modelBytes).toBe((6 * 3 + 3) * 4);
    expect(after.numModels).toBe(before.numModels);
    for (let i = 0; i < 50; i++) {
      m.add(layers.dense({ units: 3 }));
      m.pop();
    }
    expect(nr.memory()).toMatchObject({ modelBytes: after.modelBytes, numBytes: after.numBytes, numModels: after.numModels, numTensors: after.numTensors });
    m.dispose();
  });

  it("says a popped layer's weights went with pop(), not with a dispose (it blamed one that never happened)", () => {
    const m = base();
    m.build();
    const c = m.getLayer('c') as nr.Layer;
    m.pop();
    const msg = (thrown(() => c.getWeights()) as Error).message;
    expect(msg).toMatch(/^getWeights: layer c has no weights: model sequential_\d+'s pop\(\) took it out, and as the last model holding it freed its weights with it .*copy them before pop\(\) \(layer\.getWeights\(\)\) or keep another model holding the layer$/);
    expect(msg).not.toMatch(/disposed/);
    // Another model cannot build it again (new weights in silence): that says pop() too.
    const other = nr.sequential({ layers: [layers.dense({ inputShape: [6], units: 6 }), c] });
    expect((thrown(() => other.build()) as Error).message).toMatch(/^build: layer c's weights were freed when model sequential_\d+'s pop\(\) took it out \(the last model holding it\), so sequential_\d+ cannot use them; /);
    other.dispose();
    m.dispose();
  });

  it('leaves a popped layer that another live model holds its weights', () => {
    const m = base();
    const c = m.getLayer('c') as nr.Layer;
    const other = nr.sequential({ layers: [layers.dense({ inputShape: [6], units: 6, name: 'z' }), c] });
    const x = nr.ones([2, 6]);
    const y0 = other.predict(x) as nr.Tensor;
    m.pop();
    const y1 = other.predict(x) as nr.Tensor;
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    nr.dispose([x, y0, y1]);
    m.dispose();
    other.dispose();
  });

  it('is seeded: the same model popped and added twice gets the same new weights', () => {
    const run = () => {
      const m = base(11);
      m.pop();
      m.add(layers.dense({ units: 5, name: 'h' }));
      const w = bits(m.getLayer('h').getWeights());
      m.dispose();
      return w;
    };
    const [a, b] = [run(), run()];
    expect(a).toEqual(b);
    expect(a[0].some((v) => v !== 0)).toBe(true);
  });

  it('needs compile again before training, then trains the new head (transfer learning)', async () => {
    const m = base();
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    m.pop();
    m.add(layers.dense({ units: 2, activation: 'softmax', name: 'head' }));
    const x = nr.tensor(uniform(rng(2), 32 * 4, -1, 1), [32, 4]);
    const y = nr.oneHot(nr.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2)), 2);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(new nr.InvalidArgumentError('fit: the model must be compiled again: its layers changed (pop()) since it was compiled, and its optimizer state, loss and metrics were made for the layers it had: call model.compile({ optimizer, loss })'));
    expect(m.optimizer).toBeUndefined();
    // The classic recipe: freeze the trunk, train the head.
    for (const l of m.layers.slice(0, -1)) l.trainable = false;
    const trunkWeights = () => bits([...m.getLayer('a').getWeights(), ...m.getLayer('b').getWeights()]);
    const trunk = trunkWeights();
    const head = bits(m.getLayer('head').getWeights());
    m.compile({ optimizer: nr.optimizers.adam(0.05), loss: 'categoricalCrossentropy' });
    const h = await m.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0 });
    expect(h.history.loss[4]).toBeLessThan(h.history.loss[0] as number);
    expect(trunkWeights()).toEqual(trunk);
    expect(bits(m.getLayer('head').getWeights())).not.toEqual(head);
    nr.dispose([x, y]);
    m.dispose();
  });

  it('saves and loads the changed model', async () => {
    const m = base();
    m.pop();
    m.add(layers.dense({ units: 2, name: 'd' }));
    const copy = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    const x = nr.ones([3, 4]);
    const [p, q] = [m.predict(x) as nr.Tensor, copy.predict(x) as nr.Tensor];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    expect(copy.layers.map((l) => l.name)).toEqual(['a', 'b', 'd']);
    nr.dispose([x, p, q]);
    m.dispose();
    copy.dispose();
  });

  it('pops every layer of a built model, then builds again for the input shape it had', () => {
    const m = base();
    m.build();
    m.pop();
    m.pop();
    m.pop();
    expect(m.layers.length).toBe(0);
    expect(m.built).toBe(false);
    expect(thrown(() => m.pop())).toMatchObject({ message: `pop: model ${m.name} has no layers` });
    expect(m.inputShape).toEqual([null, 4]);
    m.add(layers.dense({ units: 2 }));
    expect(m.built).toBe(true);
    expect([m.inputShape, m.outputShape]).toEqual([[null, 4], [null, 2]]);
    m.dispose();
  });

  it('pops a layer of an unbuilt model (its name free again)', () => {
    const m = nr.sequential({ layers: [layers.dense({ units: 3, name: 'p' }), layers.dense({ units: 2, name: 'q' })] });
    m.pop();
    m.add(layers.dense({ units: 5, name: 'q' }));
    m.build([7]);
    expect(m.outputShape).toEqual([null, 5]);
    m.dispose();
  });

  it('keeps the symbolic output up to date (TF.js\'s model.outputs after add and pop)', () => {
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 3, name: 'p' })] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, name: 'p' })] });
    expect(m.outputs[0].shape).toEqual([null, 3]);
    for (const L of [layers, tfl.layers] as const) (L === layers ? m : t).add(L.dense({ units: 2, name: 'q' }) as never);
    expect(m.outputs[0].shape).toEqual(t.outputs[0].shape);
    expect(m.outputs[0].shape).toEqual([null, 2]);
    // A graph model of its symbolic ends has both layers, as TF.js's.
    const g = nr.model({ inputs: m.inputs, outputs: m.outputs });
    expect(g.layers.map((l) => l.name).slice(1)).toEqual(['p', 'q']);
    g.dispose();
    const fresh = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 3 }), layers.dense({ units: 2 })] });
    void fresh.outputs;
    fresh.pop();
    expect(fresh.outputs[0].shape).toEqual([null, 3]);
    for (const x of [m, fresh]) x.dispose();
    t.dispose();
  });

  it('refuses what it cannot change, naming why', async () => {
    const inner = base();
    const outer = nr.sequential({ layers: [inner, layers.dense({ units: 1 })] });
    outer.build();
    const fix = `make a new model from its layers instead, which shares their weights (sequential({ layers: ${inner.name}.layers.slice(0, -1) }) for pop, sequential({ layers: [...${inner.name}.layers, layer] }) for add)`;
    expect(thrown(() => inner.pop())).toMatchObject({ message: `pop: model ${inner.name} is nested in model ${outer.name}, which is built, so its layers cannot change (${outer.name}'s would); ${fix}` });
    expect(thrown(() => inner.add(layers.dense({ units: 1 })))).toMatchObject({ message: `add: model ${inner.name} is nested in model ${outer.name}, which is built, so its layers cannot change (${outer.name}'s would); ${fix}` });
    expect(inner.layers.length).toBe(3);
    outer.dispose();
    inner.dispose();

    const used = base();
    const inp = nr.input({ shape: [4] });
    const g = nr.model({ inputs: inp, outputs: used.apply(inp) as nr.SymbolicTensor });
    expect(thrown(() => used.pop())).toMatchObject({ message: `pop: model ${used.name} is nested in model ${g.name}, which is built, so its layers cannot change (${g.name}'s would); make a new model from its layers instead, which shares their weights (sequential({ layers: ${used.name}.layers.slice(0, -1) }) for pop, sequential({ layers: [...${used.name}.layers, layer] }) for add)` });
    expect(thrown(() => g.pop())).toMatchObject({ message: expect.stringMatching(/^pop: model \S+ is a graph model/) });
    g.dispose();
    used.dispose();

    // An autoencoder's layers are its encoder and decoder.
    const enc = nr.sequential({ layers: [layers.dense({ inputShape: [6], units: 2 })] });
    const ae = nr.autoencoder({ encoder: enc, decoder: nr.sequential({ layers: [layers.dense({ units: 6 })] }) });
    expect(thrown(() => ae.pop())).toMatchObject({ message: `pop: autoencoder ${ae.name}'s layers are its encoder and its decoder; pop a layer of one of them before the autoencoder is built, or make a new autoencoder` });
    expect(thrown(() => ae.add(layers.dense({ units: 1 })))).toMatchObject({ message: expect.stringMatching(/^add: autoencoder \S+'s layers are its encoder and its decoder/) });
    ae.build();
    expect(thrown(() => enc.pop())).toMatchObject({ message: expect.stringMatching(/^pop: model \S+ is nested in model autoencoder_\d+, which is built/) });
    ae.dispose();
    enc.dispose();

    // A layer that does not fit the output leaves the model as it was (built, compiled).
    const m = base();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(thrown(() => m.add(layers.conv2d({ filters: 1, kernelSize: 1 })))).toBeInstanceOf(Error);
    expect([m.layers.length, m.built, m.optimizer !== undefined]).toEqual([3, true, true]);
    // Not while it trains.
    const x = nr.ones([4, 4]);
    const y = nr.ones([4, 3]);
    let inFit: unknown;
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: () => void (inFit ??= thrown(() => m.pop())) } });
    expect(inFit).toMatchObject({ message: expect.stringMatching(/^pop: model \S+ is training \(a fit\(\) call has not finished\)/) });
    expect(m.layers.length).toBe(3);
    nr.dispose([x, y]);
    m.dispose();
    expect(thrown(() => m.pop())).toBeInstanceOf(nr.DisposedError);
  });
});

describe("a later layer's own inputShape", () => {
  it('that is not what it receives is refused at add, as TF.js refuses it (a new head with the old one\'s inputShape after pop() reported and saved [null, 64] on 32 inputs; helper-340)', () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 32 }), nr.layers.dense({ units: 10 })] });
    m.pop();
    expect(() => m.add(nr.layers.dense({ inputShape: [64], units: 2, name: 'bad' }))).toThrow(
      /^add: layer bad \(dense\) declares per-sample input shape \[64\], but here it receives \[32\] from the layer before it; leave out its inputShape/,
    );
    expect(m.layers.length).toBe(1);
    // The same shape is fine (a redundant declaration), as is none.
    m.add(nr.layers.dense({ inputShape: [32], units: 2 }));
    expect(m.outputShape).toEqual([null, 2]);
    m.dispose();
  });
});
