// Shared layers (issue 9, "Models that share layers"): a layer or model placed in several
// models is one object with one set of weights, and the plain autoencoder built on it.
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';

const { layers } = nr;

/** Seeded values in [0, 1). */
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
}

function vals(ts: nr.Tensor[]): number[][] {
  const v = ts.map((t) => Array.from(t.dataSync()));
  ts.forEach((t) => t.dispose());
  return v;
}

function live() {
  const m = nr.memory();
  return { numHandles: m.numHandles, numTensors: m.numTensors, numBytes: m.numBytes };
}

function parts(d = 12, code = 3) {
  const encoder = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [d], units: code, activation: 'relu' })] });
  const decoder = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [code], units: d, activation: 'sigmoid' })] });
  return { encoder, decoder };
}

describe('models that share layers', () => {
  it("the issue's code runs as written, and training the outer model trains the inner ones", async () => {
    const before = live();
    {
      using x = nr.tensor(rand(40 * 12, 3), [40, 12]);
      const { encoder, decoder } = parts();
      const ae = nr.sequential({ layers: [encoder, decoder] });
      ae.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      const w0 = vals(ae.getWeights());
      await ae.fit(x, x, { epochs: 5, batchSize: 16, verbose: 0 });
      using codes = encoder.predict(x); // dimensionality reduction
      using images = decoder.predict(codes); // generation from codes
      using direct = ae.predict(x);
      const w = vals(ae.getWeights());
      expect(w.map((a, i) => a.some((v, k) => v !== w0[i][k]))).toEqual([true, true, true, true]);
      // The inner models see exactly the outer model's weights.
      expect(vals(encoder.getWeights())).toEqual(w.slice(0, 2));
      expect(vals(decoder.getWeights())).toEqual(w.slice(2));
      // codes = relu(x·W + b) with the trained weights, computed here in plain JS.
      const [k, b] = w;
      const xs = Array.from(x.dataSync());
      const want = Array.from({ length: 40 * 3 }, (_, idx) => {
        const [r, c] = [Math.floor(idx / 3), idx % 3];
        let z = b[c];
        for (let i = 0; i < 12; i++) z += xs[r * 12 + i] * k[i * 3 + c];
        return Math.max(0, z);
      });
      Array.from(codes.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
      expect(Array.from(images.dataSync())).toEqual(Array.from(direct.dataSync()));
      for (const m of [encoder, ae, decoder]) m.dispose();
    }
    expect(live()).toEqual(before);
  });

  it('setWeights on any holder is seen by every holder', () => {
    const { encoder, decoder } = parts();
    const ae = nr.sequential({ layers: [encoder, decoder] });
    ae.build();
    const ones = encoder.getWeights().map((t) => {
      const o = nr.onesLike(t);
      t.dispose();
      return o;
    });
    encoder.setWeights(ones);
    expect(vals(ae.getWeights()).slice(0, 2).flat().every((v) => v === 1)).toBe(true);
    const ws = ae.getWeights();
    const zeros = nr.zerosLike(ws[2]);
    ae.setWeights(ws.map((t, i) => (i === 2 ? zeros : t)));
    expect(vals(decoder.getWeights())[0].every((v) => v === 0)).toBe(true);
    // (zeros was left to the finalizer once: later tests' memory baselines then moved with GC.)
    [...ones, ...ws, zeros].forEach((t) => t.dispose());
    expect(ae.countParams()).toBe(encoder.countParams() + decoder.countParams());
    expect(ae.weightNames()).toHaveLength(4);
    expect(ae.summary(() => {})).toMatch(/Total params: 87\n/);
    for (const m of [ae, encoder, decoder]) m.dispose();
  });

  for (const order of [['inner', 'outer'], ['outer', 'inner'], ['decoder', 'outer', 'inner']] as const) {
    it(`dispose order ${order.join(', ')}: the rest keeps working, memory goes back to baseline`, async () => {
      const before = live();
      const x = nr.tensor(rand(8 * 12, 5), [8, 12]);
      const { encoder, decoder } = parts();
      const ae = nr.sequential({ layers: [encoder, decoder] });
      ae.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const byName = { inner: encoder, decoder, outer: ae };
      const used: nr.Sequential[] = [];
      for (const n of order) {
        byName[n].dispose();
        used.push(byName[n]);
        for (const m of [encoder, decoder, ae].filter((m) => !used.includes(m))) {
          // Still alive and usable: predict, and training if compiled.
          const input = m === decoder ? nr.zeros([2, 3]) : x;
          m.predict(input).dispose();
          if (m === ae) await ae.fit(x, x, { epochs: 1, batchSize: 4, verbose: 0 });
          if (input !== x) input.dispose();
        }
        expect(() => byName[n].predict(x)).toThrow(nr.DisposedError);
      }
      for (const m of [encoder, decoder, ae]) m.dispose();
      x.dispose();
      expect(live()).toEqual(before);
    });
  }

  it('a nested model built first, then nested, then compiled and trained alone', async () => {
    const before = live();
    const x = nr.tensor(rand(16 * 12, 9), [16, 12]);
    const y = nr.tensor(rand(16 * 3, 10), [16, 3]);
    const { encoder, decoder } = parts();
    using p0 = encoder.predict(x); // built alone first
    const ae = nr.sequential({ layers: [encoder, decoder] });
    using p1 = ae.predictRange('test', x, 0, 1);
    expect(Array.from(p1.dataSync())).toEqual(Array.from(p0.dataSync())); // the same weights, not rebuilt
    encoder.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await encoder.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const wEnc = vals(encoder.getWeights());
    expect(vals(ae.getWeights()).slice(0, 2)).toEqual(wEnc);
    ae.compile({ optimizer: 'adam', loss: 'meanSquaredError' }); // its own optimizer state
    await ae.fit(x, x, { epochs: 1, batchSize: 4, verbose: 0 });
    await encoder.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }); // still compiled with sgd
    expect(vals(ae.getWeights()).slice(0, 2)).toEqual(vals(encoder.getWeights()));
    for (const t of [x, y, p0, p1]) t.dispose();
    for (const m of [ae, encoder, decoder]) m.dispose();
    expect(live()).toEqual(before);
  });

  it('a layer shared by two independent models; freezing it freezes it in both', async () => {
    const before = live();
    const x = nr.tensor(rand(16 * 4, 11), [16, 4]);
    const shared = layers.dense({ inputShape: [4], units: 5, activation: 'tanh' });
    const a = nr.sequential({ seed: 1, layers: [shared, layers.dense({ units: 2 })] });
    const b = nr.sequential({ seed: 2, layers: [shared, layers.dense({ units: 1 })] });
    a.build();
    b.build();
    expect(vals(b.getWeights()).slice(0, 2)).toEqual(vals(a.getWeights()).slice(0, 2));
    b.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y = nr.ones([16, 1]);
    await b.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const wa = vals(a.getWeights());
    expect(vals(b.getWeights()).slice(0, 2)).toEqual(wa.slice(0, 2));
    shared.trainable = false;
    a.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y2 = nr.ones([16, 2]);
    await a.fit(x, y2, { epochs: 2, batchSize: 8, verbose: 0 });
    await b.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    // Frozen, the shared layer's weights come after the trainable ones (TF.js's order).
    expect(vals(a.getWeights()).slice(-2)).toEqual(wa.slice(0, 2));
    // a disposed first: b still holds the layer, and a third model shares it from b.
    a.dispose();
    const c = nr.sequential({ layers: [shared] });
    expect(vals(c.getWeights())).toEqual(wa.slice(0, 2));
    b.dispose();
    expect(vals(c.getWeights())).toEqual(wa.slice(0, 2)); // c alone holds it now
    c.predict(x).dispose();
    c.dispose();
    // No model holds the layer any more: its weights are gone, and a new model using it is an
    // error (it drew fresh weights in silence before; TF.js: "LayerVariable … is already disposed").
    const d = nr.sequential({ seed: 9, layers: [shared] });
    expect(() => d.getWeights()).toThrow(nr.DisposedError);
    expect(() => d.predict(x)).toThrow(/^build: layer dense_\d+'s weights were freed with the last model that held it \(disposed\), so sequential_\d+ cannot use them; keep a model holding the layer alive/);
    expect(() => nr.model({ inputs: nr.input({ shape: [4] }), outputs: shared.apply(nr.input({ shape: [4] })) })).toThrow();
    d.dispose();
    for (const t of [x, y, y2]) t.dispose();
    expect(live()).toEqual(before);
  });

  it('bad cases: the same layer twice, a model inside itself, shape conflicts', () => {
    const d = layers.dense({ inputShape: [4], units: 3 });
    expect(() => nr.sequential({ layers: [d, d] })).toThrow(/^add: layer dense_\d+ is already in model sequential_\d+ \(directly or inside a nested model\); a layer can be used once per model for now/);
    const inner = nr.sequential({ layers: [d] });
    expect(() => nr.sequential({ layers: [inner, d] })).toThrow(nr.InvalidArgumentError);
    const outer = nr.sequential({ layers: [inner] });
    expect(() => inner.add(outer)).toThrow(/^add: a model cannot contain itself \(model sequential_\d+ contains model sequential_\d+\)$/);
    // A built encoder whose output does not fit the decoder.
    const { encoder } = parts(12, 3);
    const wrong = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 12 })] });
    encoder.build();
    expect(() => nr.autoencoder({ encoder, decoder: wrong })).toThrow(/^autoencoder: encoder sequential_\d+ outputs per-sample shape \[3\] but decoder sequential_\d+ expects \[4\]$/);
    // Found at add (TF.js too): a built model placed after a layer of another width.
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 5 })] });
    expect(() => m.add(encoder)).toThrow(nr.InvalidArgumentError);
    expect(() => m.add(encoder)).toThrow(/^add: model sequential_\d+ was built for per-sample input shape \[12\], but here it receives \[5\]; a model keeps the input shape/);
    expect(m.layers.length).toBe(1);
    // The core still refuses it at build when add could not know (an input shape given later).
    const late = nr.sequential({ layers: [layers.dense({ units: 5 }), encoder] });
    expect(() => late.build([2])).toThrow(/sequential was already built for per-sample input shape \[12\], but here it receives \[5\]/);
    for (const x of [inner, outer, encoder, wrong, m, late]) x.dispose();
  });


  it('a layer built in one model for one width is refused where another width arrives, at add or apply (as TF.js)', () => {
    const d = layers.dense({ units: 4, name: 'shared4' });
    const drop = layers.dropout({ rate: 0.1, name: 'drop3' });
    const a = nr.sequential({ layers: [layers.dense({ inputShape: [5], units: 3 }), drop, d] });
    a.build();
    // Was accepted here and failed at the first predict.
    const b = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 7 })] });
    expect(() => b.add(d)).toThrow(nr.InvalidArgumentError);
    expect(() => b.add(d)).toThrow(/^add: layer shared4 \(dense\) was built \(in model sequential_\d+\) for per-sample input shape \[3\], but here it receives \[7\]: its weights fit 3 on the last axis, not 7; a layer keeps its weights wherever it is used/);
    expect(b.layers.length).toBe(1);
    expect(b.outputShape).toEqual([null, 7]);
    // A layer without weights takes the other shape (as TF.js): each model keeps its own.
    b.add(drop);
    expect(b.outputShape).toEqual([null, 7]);
    nr.tidy(() => {
      expect(b.predict(nr.ones([2, 2])).shape).toEqual([2, 7]);
    });
    // Where the width fits, it is shared.
    const c = nr.sequential({ layers: [layers.dense({ inputShape: [6], units: 3 }), d] });
    expect(c.outputShape).toEqual([null, 4]);
    // In a graph model: at apply.
    expect(() => d.apply(nr.input({ shape: [7] }))).toThrow(/^apply: layer shared4 \(dense\) was built \(in model sequential_\d+\) for per-sample input shape \[3\]/);
    expect(d.apply(nr.input({ shape: [3] })).shape).toEqual([null, 4]);
    // A layer without weights applied to symbolic tensors only is not bound (TF.js reuses it at
    // any shape): an activation applied to [3], then added where [7] arrives.
    const act = layers.activation({ activation: 'relu' });
    act.apply(nr.input({ shape: [3] }));
    const e = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 7 }), act] });
    nr.tidy(() => {
      expect(e.predict(nr.ones([1, 2])).shape).toEqual([1, 7]);
    });
    expect(layers.flatten().apply(nr.input({ shape: [5, 6] })).shape).toEqual([null, 30]);
    // A hole in an inputShape is named (it gave outputShape [2, undefined, 1]).
    // eslint-disable-next-line no-sparse-arrays
    expect(() => layers.dense({ units: 1, inputShape: [2, , 3] as never })).toThrow(/^dense: inputShape\[1\] must be an integer in \[1, \d+\], got undefined$/);
    for (const m of [a, b, c, e]) m.dispose();
  });
  it('a layer in a model not built yet whose input shape is known is bound to the shape it gets there (TF.js builds that model when it is made)', () => {
    const d = layers.dense({ units: 4, name: 'pending4' });
    const act = layers.activation({ activation: 'tanh' });
    const a = nr.sequential({ layers: [layers.dense({ inputShape: [5], units: 3 }), act, d] });
    // Was accepted, and the error came at a's first predict.
    expect(() => d.apply(nr.input({ shape: [7] }))).toThrow(/^apply: layer pending4 \(dense\) is in model sequential_\d+, where it gets per-sample input shape \[3\], but here it receives \[7\]: its weights fit 3 on the last axis, not 7; a layer keeps its weights wherever it is used \(shared between models or used twice\), so only the other axes may differ$/);
    const b = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 7 })] });
    expect(() => b.add(d)).toThrow(/^add: layer pending4 \(dense\) is in model sequential_\d+, where it gets per-sample input shape \[3\], but here it receives \[7\]/);
    expect(b.layers.length).toBe(1);
    // A layer without weights is not bound by it (TF.js reuses one at any shape).
    expect(act.apply(nr.input({ shape: [7] })).shape).toEqual([null, 7]);
    // Where the shape fits, the layer is shared, and both models work.
    const c = nr.sequential({ layers: [layers.dense({ inputShape: [6], units: 3 }), d] });
    expect(d.apply(nr.input({ shape: [3] })).shape).toEqual([null, 4]);
    nr.tidy(() => {
      expect(a.predict(nr.ones([2, 5])).shape).toEqual([2, 4]);
      expect(c.predict(nr.ones([2, 6])).shape).toEqual([2, 4]);
      expect(b.predict(nr.ones([2, 2])).shape).toEqual([2, 7]);
    });
    // In two such models it has its weights before either is used, as TF.js (was none until
    // one was built, and setWeights refused "not built yet").
    const twice = layers.dense({ units: 2 });
    const m1 = nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 5 }), twice] });
    const m2 = nr.sequential({ layers: [layers.dense({ inputShape: [3], units: 5 }), twice] });
    const w = twice.getWeights();
    expect(w.map((t) => t.shape)).toEqual([[5, 2], [2]]);
    twice.setWeights([nr.ones([5, 2]), nr.zeros([2])]);
    // Both models use those weights: two equal columns give two equal outputs.
    nr.tidy(() => {
      for (const [m, n] of [[m1, 4], [m2, 3]] as const) {
        const [p, q] = m.predict(nr.ones([1, n])).dataSync();
        expect([p === q, p !== 0]).toEqual([true, true]);
      }
    });
    nr.dispose(w);
    // A model without a known input shape does not bind its layers.
    const free = layers.dense({ units: 2 });
    const u = nr.sequential({ layers: [layers.dense({ units: 3 }), free] });
    expect(free.apply(nr.input({ shape: [9] })).shape).toEqual([null, 2]);
    for (const m of [a, b, c, u, m1, m2]) m.dispose();
  });
  it('determinism by seed is unchanged for models without sharing', () => {
    const make = () => nr.sequential({ seed: 7, layers: [layers.dense({ inputShape: [3], units: 4 }), layers.dense({ units: 2 })] });
    const [a, b] = [make(), make()];
    a.build();
    b.build();
    expect(vals(a.getWeights())).toEqual(vals(b.getWeights()));
    a.dispose();
    b.dispose();
  });
});

describe('autoencoder()', () => {
  it('encode, decode, reconstruct and fit(x) with the input as the target', async () => {
    const before = live();
    const x = nr.tensor(rand(32 * 12, 21), [32, 12]);
    const { encoder, decoder } = parts();
    const ae = nr.autoencoder({ encoder, decoder, seed: 3 });
    expect(ae.encoder).toBe(encoder);
    expect(ae.decoder).toBe(decoder);
    ae.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy' });
    const h = await ae.fit(x, { epochs: 20, batchSize: 8, verbose: 0 });
    expect(h.history.loss.at(-1)).toBeLessThan(h.history.loss[0]);
    // The same training with an explicit y = x gives the same history.
    const twin = nr.autoencoder({ encoder: parts().encoder, decoder: parts().decoder, seed: 3 });
    twin.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy' });
    const h2 = await twin.fit(x, x, { epochs: 20, batchSize: 8, verbose: 0 });
    expect(h2.history.loss).toEqual(h.history.loss);
    using z = ae.encode(x);
    using zInner = encoder.predict(x);
    expect(Array.from(z.dataSync())).toEqual(Array.from(zInner.dataSync()));
    using r = ae.reconstruct(x);
    using r2 = ae.decode(z);
    expect(Array.from(r2.dataSync())).toEqual(Array.from(r.dataSync()));
    // Disposing the shared encoder does not break the autoencoder.
    encoder.dispose();
    using z2 = ae.encode(x);
    expect(Array.from(z2.dataSync())).toEqual(Array.from(z.dataSync()));
    await ae.fit(x, { epochs: 1, batchSize: 8, verbose: 0 });
    await expect(ae.fit(x, { epochs: 1 } as never, {})).rejects.toThrow(nr.InvalidArgumentError);
    for (const m of [ae, decoder, twin, twin.encoder as nr.Sequential, twin.decoder as nr.Sequential]) m.dispose();
    x.dispose();
    for (const t of [z, zInner, r, r2, z2]) t.dispose();
    expect(live()).toEqual(before);
  });

  it('bad arguments are InvalidArgumentErrors naming the argument', () => {
    expect(() => nr.autoencoder({ encoder: 3 as never, decoder: layers.dense({ units: 2 }) })).toThrow(/^autoencoder: encoder must be a sequential model or a layer, got 3$/);
    expect(() => nr.autoencoder(null as never)).toThrow(nr.InvalidArgumentError);
    expect(() => nr.autoencoder({ encoder: layers.dense({ units: 2 }), decoder: layers.dense({ units: 2 }), code: 3 } as never)).toThrow(/unknown option 'code'/);
  });
});
