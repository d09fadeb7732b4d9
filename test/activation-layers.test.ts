// TF.js's dedicated activation layers (LeakyReLU, ELU, ReLU, Softmax) as classes of their own,
// against TF.js 4.22 live: the class, `className`, `getClassName()`, `getConfig()` (keys and
// values), `instanceof`, the saved model.json's `class_name` and `config` (compared with TF.js's
// own save of the same model), and that the file loads in TF.js (same predictions, 1e-6) and
// back in neurite (same classes, same bits). What they compute is the activation layer's: the
// values are compared with TF.js's layer on inputs with huge, tiny and zero entries.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose, expectNoLeak, invalidMessage } from './setup.js';
import { tfArtifacts } from './oracle.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Each factory with the options tried: TF.js's defaults and a non-default value. */
const CASES: Array<[string, string, object]> = [
  ['leakyReLU', 'LeakyReLU', {}], ['leakyReLU', 'LeakyReLU', { alpha: 0.1 }], ['leakyReLU', 'LeakyReLU', { alpha: -0.5 }],
  ['elu', 'ELU', {}], ['reLU', 'ReLU', {}], ['reLU', 'ReLU', { maxValue: 6 }], ['reLU', 'ReLU', { maxValue: 1.5 }], ['reLU', 'ReLU', { maxValue: 0 }],
  ['softmax', 'Softmax', {}],
];
/** The config without its name (numbered differently in each library). */
const unnamed = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'name'));

describe("TF.js's activation layers are classes of their own", () => {
  it('className, getClassName(), instanceof and getConfig() as TF.js', () => {
    const classes: Record<string, any> = { LeakyReLU: nr.LeakyReLU, ELU: nr.ELU, ReLU: nr.ReLU, Softmax: nr.Softmax };
    for (const [f, cls, args] of CASES) {
      const n = (nr.layers as any)[f](args) as nr.Layer;
      const t = (tfl.layers as any)[f](args);
      const what = `${f}(${JSON.stringify(args)})`;
      expect([n.getClassName(), (n.constructor as any).className], what).toEqual([t.getClassName(), t.constructor.className]);
      expect(n.getClassName(), what).toBe(cls);
      expect(n, what).toBeInstanceOf(classes[cls]);
      expect(n, what).toBeInstanceOf(nr.Activation);
      expect(n.kind, what).toBe('activation');
      const [nc, tc] = [n.getConfig(), t.getConfig()];
      // TF.js's undefined (an uncapped ReLU's maxValue) is null here, as every getConfig();
      // TF.js's default softmax axis is 1 (its op takes only the last axis: 1 for 2-D inputs),
      // neurite's -1 (the last at any rank; TF.js loads it).
      const want = { ...unnamed(tc), ...(f === 'reLU' && tc.maxValue === undefined ? { maxValue: null } : {}), ...(f === 'softmax' ? { axis: -1 } : {}) };
      expect(unnamed(nc), what).toEqual(want);
      expect(Object.keys(nc).sort(), what).toEqual(Object.keys(tc).sort());
      // The factory takes its config back.
      const again = (nr.layers as any)[f]({ ...nc, name: `${n.name}_again` }) as nr.Layer;
      expect(unnamed(again.getConfig()), what).toEqual(unnamed(nc));
    }
    // Another class's instance is not one of these; a plain activation layer stays 'Activation'.
    expect(nr.layers.elu()).not.toBeInstanceOf(nr.LeakyReLU);
    const plain = nr.layers.activation({ activation: 'elu' });
    expect([plain.getClassName(), plain instanceof nr.ELU, (plain.constructor as any).className]).toEqual(['Activation', false, 'Activation']);
    expect(tfl.layers.activation({ activation: 'elu' }).getClassName()).toBe('Activation');
  });

  it('bad options are errors naming the option (and the nearest key)', () => {
    expect(invalidMessage(() => nr.layers.leakyReLU({ alpha: Infinity }))).toBe('leakyReLU: alpha must be a finite number, got Infinity');
    expect(invalidMessage(() => nr.layers.elu({ alpha: -1 }))).toBe('elu: alpha must be a finite number >= 0, got -1');
    expect(invalidMessage(() => nr.layers.elu({ alpha: '1' as never }))).toBe('elu: alpha must be a number, got the string "1"');
    expect(invalidMessage(() => nr.layers.reLU({ maxValue: -1 }))).toBe('reLU: maxValue must be null (no cap) or a finite number >= 0, got -1');
    expect(invalidMessage(() => nr.layers.reLU({ maxValue: Infinity }))).toBe('reLU: maxValue must be null (no cap) or a finite number >= 0, got Infinity');
    expect(invalidMessage(() => nr.layers.reLU({ maxValue: '3' as never }))).toBe('reLU: maxValue must be a number, got the string "3"');
    expect(invalidMessage(() => nr.layers.softmax({ axis: 1 }))).toBe('softmax: axis must be -1 (softmax layers normalise over the last axis), got 1');
    expect(invalidMessage(() => nr.layers.leakyReLU({ alhpa: 0.1 } as never))).toMatch(/^leakyReLU: unknown option 'alhpa'.*alpha/);
  });

  it('saved as TF.js saves them; the file loads in TF.js (same predictions) and back in neurite (same classes, bits)', async () => {
    const x = new Float32Array([-3e4, -1, -1e-30, 0, 1e-30, 0.5, 2, 7, 3e4, -0.25, 1.5, -6]);
    const build = (L: any, seq: any) => seq({ layers: [
      L.layers.dense({ units: 4, inputShape: [3], name: 'd', kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      L.layers.leakyReLU({ alpha: 0.1, name: 'a1' }), L.layers.elu({ name: 'a2' }), L.layers.reLU({ maxValue: 6, name: 'a3' }),
      L.layers.reLU({ name: 'a4' }), L.layers.leakyReLU({ name: 'a5' }), L.layers.reLU({ maxValue: 0.75, name: 'a7' }), L.layers.softmax({ name: 'a6' }),
    ] });
    const n = build(nr, nr.sequential) as nr.Sequential;
    const t = build(tfl, tfl.sequential);
    try {
      const a = await n.toArtifacts();
      const tt = await tfArtifacts(t);
      const layersOf = (art: any) => (art.modelTopology as any).model_config?.config?.layers ?? (art.modelTopology as any).config.layers;
      const view = (ls: any[]) => ls.slice(1).map((l: any) => [l.class_name, unnamed(l.config)]);
      const tfView = view(layersOf(tt)).map(([c, cfg]: any) => [c, c === 'Softmax' ? { ...cfg, axis: -1 } : cfg]);
      expect(view(layersOf(a))).toEqual(tfView);
      // TF.js loads neurite's file and predicts as neurite (and as TF.js's own model).
      const tm = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
      try {
        expect(tm.layers.slice(1).map((l) => l.getClassName())).toEqual(['LeakyReLU', 'ELU', 'ReLU', 'ReLU', 'LeakyReLU', 'ReLU', 'Softmax']);
        const want = nr.tidy(() => n.predict(nr.tensor(x, [4, 3])).data());
        expectClose(tf.tidy(() => (tm.predict(tf.tensor(x, [4, 3])) as tf.Tensor).dataSync()), want, 1e-6, 1e-7);
        expectClose(tf.tidy(() => (t.predict(tf.tensor(x, [4, 3])) as tf.Tensor).dataSync()), want, 1e-6, 1e-7);
        // neurite loads TF.js's save of it (softmax axis 1 kept) and its own: the classes and bits.
        for (const art of [a, await tfArtifacts(tm), tt]) {
          const m = (await nr.loadModel(art as nr.ModelArtifacts)) as nr.Sequential;
          expect(m.layers.slice(1).map((l) => (l as nr.Layer).getClassName())).toEqual(['LeakyReLU', 'ELU', 'ReLU', 'ReLU', 'LeakyReLU', 'ReLU', 'Softmax']);
          expect(m.layers[1]).toBeInstanceOf(nr.LeakyReLU);
          expect((m.layers[1] as nr.LeakyReLU).alpha).toBe(0.1);
          expect((m.layers[3] as nr.ReLU).maxValue).toBe(6);
          expect((m.layers[4] as nr.ReLU).maxValue).toBe(null);
          expect((m.layers[6] as nr.ReLU).maxValue).toBe(0.75);
          if (art !== a) m.setWeights(n.getWeights());
          expect(nr.tidy(() => m.predict(nr.tensor(x, [4, 3])).data())).toEqual(want);
          m.dispose();
        }
        // A loaded TF.js softmax keeps its file's axis 1 when saved again.
        const back = (await nr.loadModel(tt as nr.ModelArtifacts)) as nr.Sequential;
        expect(layersOf(await back.toArtifacts()).at(-1).config.axis).toBe(1);
        back.dispose();
      } finally {
        tm.dispose();
      }
    } finally {
      n.dispose();
      t.dispose();
    }
  });

  it("ReLU with any maxValue: TF.js 4.22's layer's values and gradients, at the kinks (0, the cap) too; relu6's bits unchanged", () => {
    const x = [-1e30, -3, -1e-30, -0, 0, 1e-30, 1e-3, 0.1, 0.75, 1.5, 1.5000001, 2, 6, 7, 1e30, -Infinity, Infinity];
    const dy = x.map((_, i) => i + 1);
    for (const maxValue of [1.5, 0.75, 0.1, 1e-3, 0, 6, 2.5e38]) {
      const what = `maxValue ${maxValue}`;
      const tl = tfl.layers.reLU({ maxValue });
      const nl = nr.layers.reLU({ maxValue });
      const tx = tf.tensor(x);
      const want = tf.tidy(() => Array.from((tl.apply(tx) as tf.Tensor).dataSync()));
      // The layer's call is clipByValue(relu(x), 0, maxValue) (tfjs-layers' ReLU.call); its ops
      // run in tfjs-layers' own copy of the engine, so tf.grad differentiates that composition.
      const call = (v: tf.Tensor) => tf.clipByValue(tf.relu(v), 0, maxValue);
      expect(tf.tidy(() => Array.from(call(tx).dataSync())), what).toEqual(want);
      // With maxValue 0, TF.js's clipByValue is fill(0) (min == max), which tf.grad refuses as not
      // depending on x: the gradient is 0 everywhere.
      const wantGrad = maxValue === 0 ? x.map(() => 0) : tf.tidy(() => Array.from(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(call(v), tf.tensor(dy))))(tx).dataSync()));
      tx.dispose();
      const m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [x.length] }), nl] });
      const [got, grad] = expectNoLeak(() => nr.tidy(() => {
        const t = nr.tensor([x]);
        return [Array.from(m.predict(t).dataSync()), Array.from(nr.grad((v) => m.predict(v).mul(nr.tensor([dy])).sum())(t).dataSync())];
      }));
      // TF.js's relu passes -0 through (neurite's relu6 gives +0 there): equal as numbers.
      expect(got.map((v) => v + 0), what).toEqual(want.map((v) => v + 0));
      expect(grad, what).toEqual(wantGrad);
      // The op and the activation spec are the layer.
      expect(nr.tidy(() => Array.from(nr.cappedRelu(x, { maxValue }).dataSync())), what).toEqual(got);
      expect(nr.tidy(() => Array.from(nr.activationGrad(x, dy, { name: 'cappedRelu', maxValue }).dataSync())), what).toEqual(grad);
      m.dispose();
    }
    // cappedRelu at 6 and relu6 give the same bits (relu6 runs the same kernel with cap 6).
    const bits = (t: nr.Tensor) => Array.from(new Uint32Array(t.dataSync().slice().buffer));
    expect(nr.tidy(() => bits(nr.cappedRelu(x)))).toEqual(nr.tidy(() => bits(nr.relu6(x))));
    expect(nr.tidy(() => bits(nr.activationGrad(x, dy, 'cappedRelu')))).toEqual(nr.tidy(() => bits(nr.activationGrad(x, dy, 'relu6'))));
    // NaN stays NaN (value and gradient), neurite's rule for every activation.
    expect(nr.tidy(() => [nr.cappedRelu([NaN], { maxValue: 1 }).dataSync()[0], nr.activationGrad([NaN], [1], { name: 'cappedRelu', maxValue: 1 }).dataSync()[0]])).toEqual([NaN, NaN]);
    expect(() => nr.cappedRelu([1], { maxValue: -0.5 })).toThrow('cappedRelu: maxValue must be a finite number >= 0, got -0.5');
  });

  it('compute what the activation layer computes; a config round trip leaves no tensor live', () => {
    expectNoLeak(() => {
      const x = nr.tensor([-2, -0.5, 0, 0.5, 8, -1e-38], [2, 3]);
      for (const [f, , args] of CASES) {
        const n = (nr.layers as any)[f](args) as nr.Activation;
        const plain = nr.layers.activation({ activation: n.activation });
        const m1 = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), n] });
        const m2 = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3] }), plain] });
        const copy = nr.sequential.fromConfig(m1.getConfig());
        expect(copy.layers.at(-1)?.constructor, f).toBe(n.constructor);
        const [a, b, c] = nr.tidy(() => [m1, m2, copy].map((m) => m.predict(x).data()));
        expect(a, f).toEqual(b);
        expect(c, f).toEqual(a);
        for (const m of [m1, m2, copy]) m.dispose();
      }
      x.dispose();
    });
  });
});
