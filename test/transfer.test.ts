// Transfer learning and model surgery against TF.js 4.22 (and Keras 3 where TF.js has no such
// thing): a pretrained model's layers reused in a new graph (their node numbering, whatever is
// read first), a convolutional trunk on larger images, trainable switches and summary's
// "Trainable" column.
import { describe, expect, it, vi } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { close, copyWeights, rng, tf, uniform } from './oracle.js';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = { input: any; layers: any; model: any; sequential: any };
const TF: Lib = tfl;
const NR: Lib = nr;

/** A small pretrained base (three dense layers), as both libraries make it. */
const denseBase = (L: Lib) => L.sequential({ layers: [L.layers.dense({ inputShape: [4], units: 8, name: 'a' }), L.layers.dense({ units: 6, name: 'b' }), L.layers.dense({ units: 2, name: 'c' })] });

describe('a base model\'s layer reused in a new graph', () => {
  for (const readFirst of [false, true]) {
    it(`keeps node 0 in the base, as TF.js, ${readFirst ? 'its inputs read before' : 'nothing of it read before'} the reuse`, () => {
      const run = (L: Lib) => {
        const base = denseBase(L);
        if (readFirst) void base.inputs;
        const b = base.getLayer('b');
        const inp = L.input({ shape: [8] });
        const other = L.model({ inputs: inp, outputs: L.layers.dense({ units: 1 }).apply(b.apply(inp)) });
        // The base's own node first: a model of its first layers from its inputs.
        const part = L.model({ inputs: base.inputs, outputs: b.getOutputAt(0) });
        return { base, b, other, part };
      };
      const [t, n] = [run(TF), run(NR)];
      expect(n.b.inboundNodes.length).toBe(t.b.inboundNodes.length);
      expect(n.b.inboundNodes.length).toBe(2);
      expect(n.b.getOutputAt(0).shape).toEqual(t.b.getOutputAt(0).shape);
      expect(n.b.getInputAt(1).shape).toEqual(t.b.getInputAt(1).shape);
      expect(n.part.outputShape).toEqual(t.part.outputShape);
      expect(n.part.layers.map((l: nr.Layer) => l.name).slice(1)).toEqual(['a', 'b']);
      expect(() => t.b.output).toThrow(/multiple inbound nodes/);
      expect(thrown(() => n.b.output)).toMatchObject({ message: 'output: layer b has been applied 2 times (in graph models, or in models sharing it), so its output is ambiguous; use getOutputAt(i) with i in 0..1' });
      // The part shares the base's weights: the same values as the base's first two layers.
      const x = nr.tensor(uniform(rng(3), 12, -1, 1), [3, 4]);
      const head = nr.sequential({ layers: [n.base.getLayer('a'), n.base.getLayer('b')] });
      const [p, q] = [n.part.predict(x) as nr.Tensor, head.predict(x) as nr.Tensor];
      expect(Array.from(p.dataSync())).toEqual(Array.from(q.dataSync()));
      nr.dispose([x, p, q]);
      for (const m of [n.other, n.part, head, n.base]) m.dispose();
    });
  }

  it('saves the new graph the same way in either order (its own nodes numbered from 0), and TF.js loads it', async () => {
    const files: string[] = [];
    for (const readFirst of [true, false]) {
      const base = denseBase(NR) as nr.Sequential;
      if (readFirst) void base.inputs;
      const inp = nr.input({ shape: [8], name: 'in' });
      const g = nr.model({ inputs: inp, outputs: nr.layers.dense({ units: 1, name: 'h' }).apply((base.getLayer('b') as nr.Layer).apply(inp)), name: 'g' });
      const art = await g.toArtifacts();
      const cfg = (art.modelTopology as any).config;
      files.push(JSON.stringify(cfg.layers.map((l: any) => [l.config.name, l.inbound_nodes])));
      const t = await tfl.loadLayersModel(tf.io.fromMemory(art as any));
      expect(t.outputShape).toEqual([null, 1]);
      t.dispose();
      g.dispose();
      base.dispose();
    }
    expect(files[0]).toBe(files[1]);
    expect(JSON.parse(files[0])).toEqual([['in', []], ['b', [[['in', 0, 0, {}]]]], ['h', [[['b', 0, 0, {}]]]]]);
  });
});

describe('a convolutional trunk declared with inputShape, on larger images', () => {
  const trunk = (L: Lib) => L.sequential({ layers: [
    L.layers.conv2d({ inputShape: [12, 12, 1], filters: 3, kernelSize: 3, activation: 'relu', name: 'c1' }),
    L.layers.batchNormalization({ name: 'bn' }),
    L.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
    L.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2' }),
    L.layers.flatten({ name: 'f' }),
    L.layers.dense({ units: 2, name: 'd' }),
  ] });
  /** The trunk's convolutional layers on 20×20 images, then a new head (fully-convolutional transfer). */
  const wider = (L: Lib, base: any) => {
    const inp = L.input({ shape: [20, 20, 1], name: 'big' });
    let h = inp;
    for (const name of ['c1', 'bn', 'p1', 'c2']) h = base.getLayer(name).apply(h);
    const out = L.layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(L.layers.globalAveragePooling2d({ name: 'gap' }).apply(h));
    return L.model({ inputs: inp, outputs: out });
  };

  it('runs as TF.js (which warns), sharing the weights, while the base keeps its shape', () => {
    const nb = trunk(NR) as nr.Sequential;
    const tb = trunk(TF);
    copyWeights(nb, tb);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [n, t] = [wider(NR, nb) as nr.Sequential, wider(TF, tb)];
    warn.mockRestore();
    copyWeights(n, t);
    const xs = uniform(rng(7), 2 * 20 * 20, 0, 1);
    const got = n.predict(nr.tensor(xs, [2, 20, 20, 1])) as nr.Tensor;
    close(got.dataSync(), (t.predict(tf.tensor(xs, [2, 20, 20, 1])) as tf.Tensor).dataSync(), 1e-5, 'the wider model');
    expect(n.outputShape).toEqual(t.outputShape);
    const small = uniform(rng(8), 2 * 12 * 12, 0, 1);
    const base = nb.predict(nr.tensor(small, [2, 12, 12, 1])) as nr.Tensor;
    close(base.dataSync(), (tb.predict(tf.tensor(small, [2, 12, 12, 1])) as tf.Tensor).dataSync(), 1e-5, 'the base after the reuse');
    // Each use has its own shapes; a single shape is ambiguous now (TF.js: "multiple inbound nodes").
    const c1 = nb.getLayer('c1') as nr.Layer;
    expect([c1.getOutputAt(0).shape, c1.getOutputAt(1).shape]).toEqual([tb.getLayer('c1').getOutputAt(0).shape, tb.getLayer('c1').getOutputAt(1).shape]);
    expect(() => tb.getLayer('c1').outputShape).toThrow(/multiple inbound nodes with different output shapes/);
    expect(thrown(() => c1.outputShape)).toMatchObject({ message: 'outputShape: layer c1 (conv2d) has been applied 2 times with different output shapes (0: [null,10,10,3], 1: [null,18,18,3]), so its outputShape is ambiguous; use getOutputAt(i).shape' });
    expect(thrown(() => c1.inputShape)).toMatchObject({ message: expect.stringMatching(/^inputShape: layer c1 \(conv2d\) has been applied 2 times with different input shapes \(0: \[\[null,12,12,1\]\], 1: \[\[null,20,20,1\]\]\)/) });
    expect(c1.batchInputShape).toEqual([null, 12, 12, 1]);
    nr.dispose([got, base]);
    for (const m of [n, nb]) m.dispose();
    for (const m of [t, tb]) m.dispose();
  });

  it('refuses a use the weights do not fit, naming their shape', () => {
    const nb = trunk(NR) as nr.Sequential;
    expect(thrown(() => (nb.getLayer('c1') as nr.Layer).apply(nr.input({ shape: [20, 20, 3] })))).toMatchObject({
      name: 'InvalidArgumentError',
      message: expect.stringMatching(/^apply: layer c1 \(conv2d\) is in model sequential_\d+, where it gets per-sample input shape \[12,12,1\], but here it receives \[20,20,3\]: its weights fit 1 on the channels \(last axis\), not 3;/),
    });
    nb.build();
    expect(thrown(() => (nb.getLayer('d') as nr.Layer).apply(nr.input({ shape: [64] })))).toMatchObject({
      message: expect.stringMatching(/^apply: layer d \(dense\) was built \(in model sequential_\d+\) for per-sample input shape \[100\], but here it receives \[64\]: its weights fit 100 on the last axis, not 64;/),
    });
    nb.dispose();
  });
});

describe('trainable switches', () => {
  it('a change during fit (gradual unfreezing in a callback) warns once and takes effect at the next fit, as TF.js', async () => {
    const run = async (L: Lib, lib: 'nr' | 'tf') => {
      const m = L.sequential({ layers: [L.layers.dense({ inputShape: [3], units: 4, name: 'body' }), L.layers.dense({ units: 1, name: 'top' })] });
      m.getLayer('body').trainable = false;
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const T = lib === 'nr' ? nr : tf;
      const x = (T as any).tensor(uniform(rng(1), 24, -1, 1), [8, 3]);
      const y = (T as any).tensor(uniform(rng(2), 8, -1, 1), [8, 1]);
      const body = () => Array.from((m.getLayer('body').getWeights()[0] as any).dataSync() as Float32Array);
      const start = body();
      const unfreeze = { onEpochEnd: async () => { m.getLayer('body').trainable = true; } };
      await m.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [unfreeze] });
      const afterFirst = body();
      await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
      return { unchanged: afterFirst.every((v, i) => v === start[i]), trainedLater: body().some((v, i) => v !== afterFirst[i]) };
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const n = await run(NR, 'nr');
    const calls = warn.mock.calls.map((c) => c[0]);
    const t = await run(TF, 'tf'); // TF.js warns of a "discrepancy" in its second fit
    warn.mockRestore();
    // The rest of that fit ignores it in both; TF.js also ignores it in later fits until the
    // next compile, where neurite reads the switches at each fit.
    expect([n.unchanged, t.unchanged]).toEqual([true, true]);
    expect([n.trainedLater, t.trainedLater]).toEqual([true, false]);
    expect(calls).toEqual(['fit: the trainable switch of body changed during fit (in onEpochEnd), which reads the switches as it starts (as TF.js and Keras): the change takes effect at the next fit, trainOnBatch or gradient; to unfreeze layers in stages, call fit once per stage']);
  });
});

describe('summary({ showTrainable: true })', () => {
  it('adds Keras 3\'s Trainable column: Y, N (frozen, also by a model holding it), - without weights', () => {
    const base = nr.sequential({ name: 'base', layers: [nr.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'c1' }), nr.layers.batchNormalization({ name: 'bn' }), nr.layers.flatten({ name: 'f' })] });
    base.trainable = false;
    const net = nr.sequential({ name: 'net', layers: [base, nr.layers.dense({ units: 3, name: 'head' })] });
    // Keras 3.15.1, the same model: net.summary(show_trainable=True, expand_nested=True) gives the
    // rows base 28 N, └ c1 20 N, └ bn 8 N, └ f 0 -, head 219 Y (Trainable centred), totals 247 / 219 / 28.
    expect(net.summary({ showTrainable: true, expandNested: true, print: null })).toBe([
      'Model: net',
      '________________________________________________________________',
      'Layer (type)                  Output shape  Param #  Trainable',
      '================================================================',
      'base (Sequential)             [null,72]          28      N',
      '   └ c1 (Conv2D)              [null,6,6,2]       20      N',
      '   └ bn (BatchNormalization)  [null,6,6,2]        8      N',
      '   └ f (Flatten)              [null,72]           0      -',
      'head (Dense)                  [null,3]          219      Y',
      '================================================================',
      'Total params: 247',
      'Trainable params: 219',
      'Non-trainable params: 28',
      '________________________________________________________________',
    ].join('\n'));
    // A graph model: after "Connected to", as Keras 3; an input layer has no weights.
    const x = nr.input({ shape: [8, 8, 1], name: 'x' });
    const g = nr.model({ name: 'g', inputs: x, outputs: nr.layers.dense({ units: 2, name: 'o' }).apply(base.apply(x, { training: false })) });
    const rows = g.summary({ showTrainable: true, print: null }).split('\n').slice(2, 7);
    expect(rows).toEqual([
      'Layer (type)       Output shape  Param #  Connected to  Trainable',
      '===================================================================',
      'x (InputLayer)     [null,8,8,1]        0                    -',
      'base (Sequential)  [null,72]          28  x                 N',
      'o (Dense)          [null,2]          146  base              Y',
    ]);
    // Without the option the table is as before.
    expect(net.summary(null).split('\n')[2]).toBe('Layer (type)       Output shape  Param #');
    expect(thrown(() => net.summary({ showTrainable: 'yes' } as never))).toMatchObject({ message: 'summary: showTrainable must be true or false, got the string "yes"' });
    for (const m of [g, net, base]) m.dispose();
  });
});

describe("a graph model's layers in TF.js's and Keras's order", () => {
  it('lists two heads depth by depth, as TF.js 4.22 (and Keras 3), in layers, getLayer(index) and summary rows', () => {
    const run = (L: Lib, deep: boolean) => {
      const ia = L.input({ shape: [6], name: 'ia' });
      const ib = L.input({ shape: [6], name: 'ib' });
      const dA = L.layers.dense({ units: 6, name: 'dA' }).apply(ia);
      const dB = L.layers.dense({ units: 6, name: 'dB' }).apply(ib);
      const cc = L.layers.concatenate({ name: 'cc' }).apply([dA, dB]);
      const ad = L.layers.add({ name: 'ad' }).apply([dA, dB]);
      const head = (x: unknown, name: string, units: number) => (deep ? L.layers.dense({ units, name: `${name}2` }).apply(L.layers.dense({ units: 4, name: `${name}1` }).apply(x)) : L.layers.dense({ units, name }).apply(x));
      return L.model({ inputs: [ia, ib], outputs: [head(cc, 'cls', 2), head(ad, 'reg', 1)] });
    };
    for (const deep of [false, true]) {
      const [t, n] = [run(TF, deep), run(NR, deep)];
      const names = t.layers.map((l: { name: string }) => l.name);
      expect(names).toEqual(deep ? ['ia', 'ib', 'dA', 'dB', 'cc', 'ad', 'cls1', 'reg1', 'cls2', 'reg2'] : ['ia', 'ib', 'dA', 'dB', 'cc', 'ad', 'cls', 'reg']);
      expect(n.layers.map((l: { name: string }) => l.name)).toEqual(names);
      expect(names.map((_: string, i: number) => n.getLayer(undefined, i).name)).toEqual(names);
      const rows: string[] = [];
      n.summary(200, undefined, (line: string) => rows.push(line));
      const at = names.map((name: string) => rows.findIndex((r) => r.startsWith(`${name} (`)));
      expect(at.every((r: number, i: number) => r >= 0 && (i === 0 || r > at[i - 1]))).toBe(true);
      // The weights follow the same order, and the model still computes the same.
      copyWeights(n, t);
      const x = [uniform(rng(1), 12, -1, 1), uniform(rng(2), 12, -1, 1)];
      const p = n.predict(x.map((v) => nr.tensor(v, [2, 6]))) as nr.Tensor[];
      const q = t.predict(x.map((v) => tf.tensor(v, [2, 6]))) as tf.Tensor[];
      p.forEach((y, i) => close(y.dataSync(), q[i].dataSync() as Float32Array, 1e-6, `output ${i}`));
      n.dispose();
    }
  });
});
