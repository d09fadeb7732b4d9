// What a Keras autoencoder/anomaly-detection port ran into (the s41 tester's repros): layer
// subclasses whose call() never ran (a silent wrong result), ops on the symbolic tensors of a
// functional VAE, verbose values Keras writes every day, progress lines that skipped epochs in a
// pipe, encodeDistribution on a two-input model, and where a NaN in the data sits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureStdout, invalidMessage } from './setup.js';
import * as nr from '../ts/index.js';
import { formatLog } from '../ts/format.js';

afterEach(() => vi.restoreAllMocks());

const HELP = /custom layer code does not run in neurite: its layers run in the WebAssembly core.*layers\.variational.*layers\.add, layers\.multiply.*customGrad/;


describe('subclassing a layer (Keras and TF.js customise layers so; here the core runs them)', () => {
  it('a subclass of a built-in layer that overrides call, build, computeOutputShape or apply is refused when made', () => {
    // The tester's DoubledDense: predict gave 3, not 6, with no error.
    class DoubledDense extends nr.Dense {
      call(inputs: nr.Tensor): nr.Tensor {
        return nr.mul(inputs, 2);
      }
    }
    const m = invalidMessage(() => new DoubledDense({ units: 1, inputShape: [1], kernelInitializer: 'ones', useBias: false }));
    expect(m).toMatch(/^new DoubledDense\(\): the class overrides call\(\), but /);
    expect(m).toMatch(HELP);
    class Built extends nr.Dense {
      build(): void {}
    }
    expect(invalidMessage(() => new Built({ units: 1 }))).toMatch(/^new Built\(\): the class overrides build\(\)/);
    class Shaped extends nr.Conv2D {
      computeOutputShape(s: number[]): number[] {
        return s;
      }
    }
    expect(invalidMessage(() => new Shaped({ filters: 1, kernelSize: 1 }))).toMatch(/overrides computeOutputShape\(\)/);
    class Applied extends nr.Dense {
      override apply(x: never): never {
        return super.apply(x) as never;
      }
    }
    expect(invalidMessage(() => new Applied({ units: 1 }))).toMatch(/overrides apply\(\)/);
    // Further down the chain: the override is in a base class of the user's.
    class Deeper extends DoubledDense {}
    expect(invalidMessage(() => new Deeper({ units: 1 }))).toMatch(/^new Deeper\(\): its base class DoubledDense overrides call\(\)/);
  });

  it('a call given as an instance field (which the constructor cannot see) is refused where the layer enters a model', () => {
    class Field extends nr.Dense {
      call = (x: nr.Tensor) => nr.mul(x, 2);
    }
    const d = new Field({ units: 1, inputShape: [1] });
    expect(invalidMessage(() => nr.sequential({ layers: [d] }))).toMatch(/^add: layer dense_\d+ has its own call, but custom layer code/);
    const d2 = new Field({ units: 1 });
    expect(invalidMessage(() => d2.apply(nr.input({ shape: [1] })))).toMatch(/^apply: layer dense_\d+ has its own call/);
  });

  it('a subclass of Layer itself (class Scale extends Layer, new Scale({})) is refused with the same help', () => {
    // The JavaScript habit: no kind, so the options object used to become the kind ('[object Object]_1').
    const Base = nr.Layer as unknown as new (...a: unknown[]) => object;
    class Scale extends Base {}
    const m = invalidMessage(() => new Scale({}));
    expect(m).toMatch(/^new Scale\(\): the Layer constructor's first argument must be one of neurite's layer kinds \(dense, activation, .*\), got an object \(Object\); a subclass of Layer is not a layer neurite can run: custom layer code/);
    expect(invalidMessage(() => new Scale())).toMatch(/got undefined; a subclass of Layer/);
    class Sampling extends Base {
      call(x: unknown): unknown {
        return x;
      }
    }
    expect(invalidMessage(() => new Sampling({}))).toMatch(/^new Sampling\(\): the class overrides call\(\)/);
    // A TS author's form, with a real kind (the declarations show the protected constructor):
    // it was made, printed as '<undefined name=dense_1 …>' and failed in predict with a TypeError.
    class Typed extends Base {
      constructor(args: object) {
        super('dense', args, ['units']);
      }
    }
    expect(invalidMessage(() => new Typed({ units: 2 }))).toMatch(/^new Typed\(\): a subclass of Layer itself is not a layer neurite can run \(whatever kind it passes to super, here 'dense'\): custom layer code/);
  });

  it('a subclass that only adds fields and methods runs, saves and loads as its built-in class', async () => {
    class Named extends nr.Dense {
      readonly note = 'encoder head';
      describeMe(): string {
        return `${this.name}: ${this.note}`;
      }
    }
    const d = new Named({ units: 1, inputShape: [1], kernelInitializer: 'ones', useBias: false, name: 'head' });
    expect(d.describeMe()).toBe('head: encoder head');
    const m = nr.sequential({ layers: [d] });
    const x = nr.tensor([[3]]);
    const y = m.predict(x);
    expect(y.dataSync()[0]).toBe(3);
    const loaded = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    expect(loaded.layers[0].getClassName()).toBe('Dense');
    const y2 = loaded.predict(x);
    expect(y2.dataSync()[0]).toBe(3);
    [x, y, y2, m, loaded].forEach((o) => o.dispose());
  });

  it("TF.js's serialization.registerClass(cls) refuses a class with code of its own with the same help (the custom-layer example dies there first), and returns a fields-only subclass", () => {
    class Antirectifier extends nr.Dense {
      call(x: nr.Tensor): nr.Tensor {
        return x;
      }
      static override readonly className = 'Antirectifier';
    }
    expect(invalidMessage(() => nr.serialization.registerClass(Antirectifier))).toMatch(/^serialization\.registerClass\(Antirectifier\): the class overrides call\(\), but custom layer code does not run in neurite/);
    expect(invalidMessage(() => nr.serialization.registerClass(Antirectifier))).toMatch(HELP);
    class Named extends nr.Dense {
      readonly note = 'x';
    }
    expect(nr.serialization.registerClass(Named)).toBe(Named);
    // A subclass of Layer itself (no code of its own to refuse) was accepted.
    class Bare extends (nr.Layer as unknown as new (...a: unknown[]) => object) {}
    expect(invalidMessage(() => nr.serialization.registerClass(Bare as never))).toMatch(/^serialization\.registerClass\(Bare\): a subclass of Layer itself is none of neurite's layers/);
    class MyRegularizer {
      apply(): number {
        return 0;
      }
    }
    expect(invalidMessage(() => nr.serialization.registerClass(MyRegularizer))).toMatch(/^serialization\.registerClass\(MyRegularizer\): neurite saves and loads only its own classes/);
    expect(invalidMessage(() => nr.serialization.registerClass(3 as never))).toBe('serialization.registerClass: cls must be a class, got 3');
  });
});

describe('ops on the symbolic tensors of a functional model (a Keras VAE port)', () => {
  it('say that ops cannot run on them, and what to use: variational, the merge layers, the Lambda row', () => {
    const inp = nr.input({ shape: [8] });
    const h = nr.layers.dense({ units: 4, activation: 'relu' }).apply(inp) as nr.SymbolicTensor;
    const zMean = nr.layers.dense({ units: 2, name: 'z_mean' }).apply(h) as nr.SymbolicTensor;
    const zLogVar = nr.layers.dense({ units: 2, name: 'z_log_var' }).apply(h) as nr.SymbolicTensor;
    const before = nr.memory().numTensors;
    const m = invalidMessage(() => nr.mul(zLogVar as never, 0.5));
    expect(m).toMatch(/^mul: a must be a Tensor, a number or an array of numbers, got a SymbolicTensor \(z_log_var\/z_log_var, shape \[null,2\]\), a value of a functional model being built, with no data: ops cannot run on symbolic tensors \(TF\.js refuses them too; Keras 3 would wrap the op in a layer\)\./);
    expect(m).toContain('layers.variational');
    expect(m).toContain('layers.add, layers.subtract, layers.multiply');
    expect(m).toContain("the README's Porting table, Keras's Lambda");
    expect(invalidMessage(() => nr.add(zMean as never, zLogVar as never))).toMatch(/^add: a must be a Tensor.*got a SymbolicTensor \(z_mean\/z_mean/);
    expect(invalidMessage(() => nr.exp(zLogVar as never))).toMatch(/^exp: x must be a Tensor.*got a SymbolicTensor/);
    const model = nr.model({ inputs: inp, outputs: zMean });
    expect(invalidMessage(() => model.predict(h as never))).toMatch(/^predict: x must be a Tensor, got a SymbolicTensor \(dense_\d+\/dense_\d+, shape \[null,4\]\)/);
    expect(nr.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe("verbose as Keras writes it (0, 1, 2, 'auto', booleans)", () => {
  function net() {
    const x = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = nr.tensor([[0], [1], [1], [0]]);
    const model = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 4, activation: 'tanh' }), nr.layers.dense({ units: 1 })] });
    model.compile({ optimizer: nr.optimizers.sgd(0.1), loss: 'mse', metrics: ['mae'] });
    return { x, y, model, dispose: () => [x, y, model].forEach((o) => o.dispose()) };
  }

  it('predict accepts every value and prints nothing (as TF.js; Keras draws a bar)', async () => {
    const { x, model, dispose } = net();
    for (const verbose of [0, 1, 2, 'auto', true, false] as const) {
      const out = await captureStdout(() => model.predict(x, { verbose }).dispose());
      expect(out, String(verbose)).toBe('');
    }
    expect(invalidMessage(() => model.predict(x, { verbose: 3 as never }))).toBe("predict: verbose must be 0, 1, 2, 'auto' or a boolean (Keras's values; true is 1), got 3");
    dispose();
  });

  it("evaluate: 0 and the default print nothing (TF.js); 1, 2, true and 'auto' print Keras's last line with the results", async () => {
    const { x, y, model, dispose } = net();
    const start = nr.memory().numTensors;
    const { loss, mae } = model.evaluate(x, y, { returnDict: true });
    for (const verbose of [undefined, 0, false] as const) expect(await captureStdout(() => model.evaluate(x, y, { verbose, returnDict: true }))).toBe('');
    for (const verbose of [1, 2, true, 'auto'] as const) {
      const out = await captureStdout(() => model.evaluate(x, y, { verbose, batchSize: 3, returnDict: true }));
      expect(out).toMatch(new RegExp(`^2/2 - \\d+s - \\d+ms/step - loss: ${formatLog(loss).replace('.', '\\.')} - mae: ${formatLog(mae).replace('.', '\\.')}\\n$`));
    }
    // The tensors form too, and evaluateDataset (TF.js accepts only 0 there).
    const out = await captureStdout(() => (model.evaluate(x, y, { verbose: 1 }) as nr.Tensor[]).forEach((t) => t.dispose()));
    expect(out).toMatch(/^1\/1 - \d+s - \d+ms\/step - loss: \S+ - mae: \S+\n$/);
    const ds = nr.data.zip({ xs: nr.data.array([x]), ys: nr.data.array([y]) });
    expect(await captureStdout(() => model.evaluateDataset(ds, { verbose: 2, returnDict: true }))).toMatch(/^\d+s - loss: \S+ - mae: \S+\n$/);
    expect(nr.memory().numTensors).toBe(start);
    expect(invalidMessage(() => model.evaluate(x, y, { verbose: 'yes' as never }))).toMatch(/^evaluate: verbose must be 0, 1, 2, 'auto' or a boolean/);
    dispose();
  });

  it('fit takes booleans (true is 1, false is 0)', async () => {
    const { x, y, model, dispose } = net();
    expect(await captureStdout(() => model.fit(x, y, { epochs: 2, verbose: false }))).toBe('');
    const lines = (await captureStdout(() => model.fit(x, y, { epochs: 2, verbose: true }))).split(/[\r\n]+/).filter((l) => l.replace(/\x1b\[K/g, '') !== '');
    expect(lines.some((l) => l.includes('Epoch 2/2'))).toBe(true);
    await expect(model.fit(x, y, { verbose: 3 as never })).rejects.toThrow("fit: verbose must be 0, 1, 2, 'auto' or a boolean (Keras's values; true is 1), got 3");
    dispose();
  });

  it("earlyStopping({ verbose: 1 }) prints Keras 3's lines; reduceLROnPlateau too; modelCheckpoint takes true", async () => {
    const { x, y, model, dispose } = net();
    // minDelta huge: no epoch improves, so it stops at the second epoch (patience 1).
    const es = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 1, minDelta: 1e9, verbose: 1, restoreBestWeights: true });
    const rl = nr.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, minDelta: 1e9, factor: 0.5, verbose: true });
    const out = await captureStdout(() => model.fit(x, y, { epochs: 20, verbose: 0, callbacks: [es, rl] }));
    expect(out).toBe('\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05.\nEpoch 2: early stopping\nRestoring model weights from the end of the best epoch: 1.\n');
    // Quiet by default.
    const quiet = nr.callbacks.earlyStopping({ monitor: 'loss', patience: 1, minDelta: 1e9 });
    expect(await captureStdout(() => model.fit(x, y, { epochs: 20, verbose: 0, callbacks: [quiet] }))).toBe('');
    expect(invalidMessage(() => nr.callbacks.earlyStopping({ verbose: 2 as never }))).toBe("earlyStopping: verbose must be 0, 1 or a boolean (Keras's values; true is 1), got 2");
    expect(invalidMessage(() => nr.callbacks.reduceLROnPlateau({ verbose: 'auto' as never }))).toMatch(/^reduceLROnPlateau: verbose must be 0, 1 or a boolean/);
    expect(() => nr.callbacks.modelCheckpoint({ filepath: 'file://x', verbose: true })).not.toThrow();
    dispose();
  });
});

describe("fit's progress off a terminal (a pipe, a log file)", () => {
  it("prints every epoch's line of a 12-epoch run, not only the first and last", async () => {
    const x = nr.randomUniform([64, 5], { seed: 1 });
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [5], units: 5 })] });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    // Fast epochs (a clock of 1 ms per reading): the old rule kept only the first and last
    // lines (about one a second); a run this short now prints them all, as Keras off a terminal.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 1));
    const out = await captureStdout(() => m.fit(x, x, { epochs: 12, batchSize: 32 }));
    vi.restoreAllMocks();
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}/12`));
    [x, m].forEach((o) => o.dispose());
  });

  it('a run of more than 100 epochs is thinned to about a line a second, and says how many epochs it left out', async () => {
    const x = nr.randomUniform([8, 3], { seed: 2 });
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 3 })] });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    // A clock of 20 ms per reading (fit reads it several times an epoch): lines are thinned.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 20));
    const out = await captureStdout(() => m.fit(x, x, { epochs: 250, batchSize: 8 }));
    vi.restoreAllMocks();
    const lines = out.split('\n').filter((l) => l !== '');
    const shown = lines.filter((l) => l.startsWith('Epoch ')).map((l) => Number(l.split(' ')[1].split('/')[0]));
    const gaps = lines.filter((l) => l.startsWith('… '));
    expect(shown[0]).toBe(1);
    expect(shown.at(-1)).toBe(250);
    expect(shown.length).toBeLessThan(125);
    expect(gaps.length).toBeGreaterThan(3);
    expect(gaps[0]).toMatch(/^… \d+ epochs not shown \(about one epoch line a second is kept in a run of more than 100 epochs; verbose: 1 or 2 prints every epoch\)$/);
    expect(gaps.slice(1).every((g) => /^… \d+ epochs? not shown$/.test(g))).toBe(true);
    // Each gap line sits between two epoch lines and counts exactly the epochs between them.
    lines.forEach((l, i) => {
      if (!l.startsWith('… ')) return;
      const n = Number(l.split(' ')[1]);
      const [a, b] = [lines[i - 1], lines[i + 1]].map((e) => Number(e.split(' ')[1].split('/')[0]));
      expect(b - a - 1).toBe(n);
    });
    expect(shown.length + gaps.reduce((s, g) => s + Number(g.split(' ')[1]), 0)).toBe(250);
    [x, m].forEach((o) => o.dispose());
  });
});

describe('a graph model with two inputs (a conditional VAE)', () => {
  it("encodeDistribution([x, label]) names the cause and the variational layer's own encodeDistribution, which works", () => {
    const xi = nr.input({ shape: [4], name: 'pixels' });
    const li = nr.input({ shape: [3], name: 'label' });
    const h = nr.layers.dense({ units: 5 }).apply(nr.layers.concatenate().apply([xi, li]) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const vl = nr.layers.variational({ units: 2, name: 'vz' });
    const z = vl.apply(h) as nr.SymbolicTensor;
    const out = nr.layers.dense({ units: 4 }).apply(nr.layers.concatenate().apply([z, li]) as nr.SymbolicTensor) as nr.SymbolicTensor;
    const cvae = nr.model({ inputs: [xi, li], outputs: out, name: 'cvae', seed: 1 });
    const x = nr.randomUniform([6, 4], { seed: 3 });
    const lab = nr.oneHot(nr.tensor([0, 1, 2, 0, 1, 2]), 3);
    const before = nr.memory().numTensors;
    expect(invalidMessage(() => cvae.encodeDistribution([x, lab] as never))).toBe("encodeDistribution: model cvae has 2 inputs (pixels, label), and encodeDistribution runs a model of one input: make the model of what its variational layer vz reads and call the layer's own, vz.encodeDistribution(model({ inputs: cvae.inputs, outputs: cvae.getLayer('vz').input }).predict(xs)), xs a tensor per input (pixels, label); got an array of length 2");
    expect(nr.memory().numTensors).toBe(before);
    // The suggested code runs.
    const sub = nr.model({ inputs: cvae.inputs, outputs: cvae.getLayer('vz').input as nr.SymbolicTensor });
    const hv = sub.predict([x, lab]) as nr.Tensor;
    const { mean, logVar } = vl.encodeDistribution(hv);
    expect(mean.shape).toEqual([6, 2]);
    expect(logVar.shape).toEqual([6, 2]);
    [mean, logVar, hv, x, lab, sub, cvae].forEach((o) => o.dispose());
  });
});

describe('a NaN in the data is placed by sample', () => {
  it('fit, evaluate, trainOnBatch and validationData name the sample and feature of a flat index', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [8], units: 8 })] });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const v = new Float32Array(256 * 8);
    v[2042] = NaN;
    const bad = nr.tensor(v, [256, 8]);
    const ok = nr.zeros([256, 8]);
    const start = nr.memory().numTensors;
    const fitError = async (p: Promise<unknown>) => ((await p.then(() => null, (e: Error) => e)) as Error).message;
    expect(await fitError(m.fit(bad, ok, { verbose: 0 }))).toBe('fit: x contains NaN at flat index 2042 (shape [256,8]) (sample 255, feature 2); clean the data first');
    expect(await fitError(m.fit(ok, bad, { verbose: 0 }))).toBe('fit: meanSquaredError on y: target[2042] (sample 255, output 2) is NaN; targets must be finite numbers');
    expect(await fitError(m.fit(ok, ok, { verbose: 0, validationData: [bad, ok] }))).toBe('fit: validationData: x contains NaN at flat index 2042 (shape [256,8]) (sample 255, feature 2); clean the data first');
    expect(await fitError(m.fit(ok, ok, { verbose: 0, validationData: [ok, bad] }))).toBe('fit: validationData: meanSquaredError on y: target[2042] (sample 255, output 2) is NaN; targets must be finite numbers');
    // validationSplit: positions in the whole x.
    expect(await fitError(m.fit(bad, ok, { verbose: 0, validationSplit: 0.25 }))).toContain('(sample 255, feature 2)');
    expect(invalidMessage(() => m.evaluate(bad, ok))).toBe('evaluate: x contains NaN at flat index 2042 (shape [256,8]) (sample 255, feature 2); clean the data first');
    expect(invalidMessage(() => m.trainOnBatch(bad, ok))).toBe('trainOnBatch: x contains NaN at flat index 2042 (shape [256,8]) (sample 255, feature 2); clean the data first');
    expect(nr.memory().numTensors).toBe(start);
    [bad, ok, m].forEach((o) => o.dispose());
  });

  it('rank 3 gives the position within the sample; rank 1 the output; a packed two-input model the input and the position in it', async () => {
    const seq = nr.sequential({ layers: [nr.layers.flatten({ inputShape: [3, 2] }), nr.layers.dense({ units: 1 })] });
    seq.compile({ optimizer: 'sgd', loss: 'mse' });
    const v = new Float32Array(4 * 3 * 2);
    v[6 + 2 * 2 + 1] = Infinity; // sample 1, [2, 1]
    const x3 = nr.tensor(v, [4, 3, 2]);
    const y = nr.zeros([4, 1]);
    expect(invalidMessage(() => seq.evaluate(x3, y))).toBe('evaluate: x contains Infinity at flat index 11 (shape [4,3,2]) (sample 1, position [2, 1] in it); clean the data first');
    const one = nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 1 })] });
    one.compile({ optimizer: 'sgd', loss: 'mse' });
    const y1 = nr.tensor([0, NaN, 0, 0]).reshape([4, 1]);
    expect(invalidMessage(() => one.evaluate(nr.zeros([4, 1]), y1))).toBe('evaluate: meanSquaredError on y: target[1] (sample 1, output 0) is NaN; targets must be finite numbers');
    // Two inputs packed side by side per sample: the input given and the position in it (test/multi-input-errors.test.ts).
    const a = nr.input({ shape: [2] }), b = nr.input({ shape: [3] });
    const g = nr.model({ inputs: [a, b], outputs: nr.layers.dense({ units: 1 }).apply(nr.layers.concatenate().apply([a, b]) as nr.SymbolicTensor) as nr.SymbolicTensor });
    g.compile({ optimizer: 'sgd', loss: 'mse' });
    const xb = nr.tensor([[0, 0, 0], [0, 0, 0], [0, NaN, 0], [0, 0, 0]]);
    const xa = nr.zeros([4, 2]);
    expect(invalidMessage(() => g.evaluate([xa, xb], y))).toMatch(/^evaluate: x\[1\] \(\w+\) contains NaN at \[2,1\] \(shape \[4,3\]\); clean the data first$/);
    [seq, x3, y, one, y1, g, xa, xb].forEach((o) => o.dispose());
  });

  it('validationData: [x] or a bare tensor keeps its error (as Keras and TF.js) and says how to validate an autoencoder', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 4 })] });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    const x = nr.zeros([8, 4]);
    const hint = '; for a model trained as an autoencoder, fit(x, x), pass validationData: [xVal, xVal] (a model made with autoencoder() also takes validationData: xVal, a tensor alone, as its own target)';
    await expect(m.fit(x, x, { verbose: 0, validationData: [x] as never })).rejects.toThrow(`fit: validationData must be [x, y] or [x, y, sampleWeight] (as in Keras and TF.js), got an array of length 1${hint}`);
    await expect(m.fit(x, x, { verbose: 0, validationData: x as never })).rejects.toThrow(`got an object (Tensor)${hint}`);
    // The hint's fix works; and autoencoder() takes the bare tensor.
    const h = await m.fit(x, x, { verbose: 0, validationData: [x, x] });
    expect(Object.keys(h.history)).toEqual(['loss', 'val_loss']);
    [m, x].forEach((o) => o.dispose());
  });
});

describe("Keras's positional constructors (the s43 tester's repros)", () => {
  it('Sequential([...]) and Dense(4)-style calls say which option the value belongs to', () => {
    expect(invalidMessage(() => nr.sequential([nr.layers.dense({ units: 2 })] as never))).toBe(
      "sequential: options must be an object, got an array of length 1; pass the layers as its layers option, sequential({ layers: [...] }) (TF.js's form of Keras's Sequential([...]))",
    );
    expect(invalidMessage(() => nr.layers.dense(4 as never))).toBe("dense: expected an options object, got 4; Keras's first argument is the units option here: layers.dense({ units: 4 })");
    expect(invalidMessage(() => nr.layers.dropout(0.5 as never))).toMatch(/layers\.dropout\(\{ rate: 0\.5 \}\)$/);
    expect(invalidMessage(() => nr.layers.conv2d(32 as never))).toMatch(/layers\.conv2d\(\{ filters: 32 \}\)$/);
    expect(invalidMessage(() => nr.layers.activation('relu' as never))).toMatch(/layers\.activation\(\{ activation: "relu" \}\)$/);
    expect(invalidMessage(() => nr.layers.reshape([2, 3] as never))).toMatch(/layers\.reshape\(\{ targetShape: \[2,3\] \}\)$/);
    // No guess where there is nothing to place.
    expect(invalidMessage(() => nr.layers.dense(null as never))).toBe('dense: expected an options object, got null');
    // A value JSON cannot write is still shown (a BigInt made the hint itself throw a TypeError).
    expect(invalidMessage(() => nr.layers.dense(4n as never))).toMatch(/layers\.dense\(\{ units: 4 \}\)$/);
  });

  it("a model subclass with call() or trainStep (Keras's subclassed model, train_step) is refused when made: neurite never calls them (it ran the base layers in silence)", () => {
    class M extends nr.LayersModel {
      call(x: nr.Tensor): nr.Tensor {
        return x;
      }
    }
    expect(invalidMessage(() => new M({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] }))).toMatch(/^new M\(\): the class overrides call\(\), which neurite never calls: a model runs its layers in the WebAssembly core \(Keras's subclassed call\(\) and train_step are not ported\)\. Build the model from layers/);
    class TS extends nr.Sequential {
      trainStep(): void {}
    }
    class Deeper extends TS {}
    expect(invalidMessage(() => new Deeper())).toMatch(/^new Deeper\(\): the class overrides trainStep\(\)/);
    // A class field the constructor cannot see: refused at compile.
    class F extends nr.Sequential {
      train_step = (): void => {};
    }
    const f = new F({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
    expect(invalidMessage(() => f.compile({ optimizer: 'sgd', loss: 'mse' }))).toMatch(/^compile: model sequential_\d+ has its own train_step, which neurite never calls/);
    f.dispose();
    // A subclass of its own fields and methods is fine.
    class Named extends nr.Sequential {
      describe(): string {
        return `${this.name}: ${this.layers.length} layers`;
      }
    }
    using n = new Named({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
    expect(n.describe()).toMatch(/: 1 layers$/);
  });

  it("Keras 3's Sequential([keras.Input(shape), …]): an input() first gives the model its input shape (it was a paragraph about ops on symbolic tensors)", () => {
    using m = nr.sequential({ seed: 3, layers: [nr.input({ shape: [4] }) as never, nr.layers.dense({ units: 2 })] });
    using same = nr.sequential({ seed: 3, layers: [nr.layers.inputLayer({ inputShape: [4] }), nr.layers.dense({ units: 2 })] });
    expect(m.inputs[0].shape).toEqual([null, 4]);
    const [a, b] = nr.tidy(() => [m.predict(nr.ones([3, 4])).dataSync(), same.predict(nr.ones([3, 4])).dataSync()]);
    expect(Array.from(a)).toEqual(Array.from(b));
    using late = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
    expect(invalidMessage(() => late.add(nr.input({ shape: [2] }) as never))).toMatch(/^add: input\(\) \(Keras 3's keras\.Input\) gives a sequential model its input shape, so it must come first; model sequential_\d+ has 1 layer already$/);
  });

  it("Keras's positional regularizers.l2(0.002) and one-hot targets with sparseCategoricalCrossentropy say what to write", async () => {
    expect(invalidMessage(() => nr.regularizers.l2(0.002 as never))).toBe("regularizers.l2: options must be an object, got 0.002; Keras's first argument is the l2 option here: regularizers.l2({ l2: 0.002 })");
    expect(invalidMessage(() => nr.regularizers.l1l2(0.01 as never))).toBe("regularizers.l1l2: options must be an object, got 0.01; Keras's first argument is the l1 option here: regularizers.l1l2({ l1: 0.01 })");
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    using x = nr.ones([5, 4]);
    using y = nr.oneHot(nr.tensor([0, 1, 2, 0, 1]), 3);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(/; these look like one-hot rows: compile with loss 'categoricalCrossentropy', or pass the class indices, y\.argMax\(-1\)$/);
  });

  it("a dataset of no known size counts its batches as Keras 3 does, 3/Unknown (it printed a bare 3)", async () => {
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const ds = nr.data.generator(function* () {
      for (let i = 0; i < 3; i++) yield { xs: nr.ones([4, 2]), ys: nr.ones([4, 1]) };
    });
    const out = await captureStdout(() => m.fitDataset(ds, { epochs: 1, verbose: 1 }));
    expect(out).toMatch(/^Epoch 1\/1 3\/Unknown - /m);
  });

  it("Keras's model.fit(dataset) / evaluate(dataset) / predict(dataset) name the dataset methods (fit blamed a missing y and mentioned autoencoders)", async () => {
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const ds = nr.data.array(Array.from({ length: 10 }, () => ({ xs: [1, 2, 3, 4], ys: [1, 2] }))).batch(5);
    await expect(m.fit(ds as never, { epochs: 1 } as never)).rejects.toThrow(/^fit: x is a Dataset, and fit takes tensors \(as TF\.js's; Keras's fit\(dataset\) is not ported\): train on its \{ xs, ys \} batches with model\.fitDataset\(dataset, \{ epochs: 5 \}\)$/);
    await expect(m.fit(ds as never, undefined as never)).rejects.toThrow(/^fit: x is a Dataset/);
    expect(invalidMessage(() => m.evaluate(ds as never, { batchSize: 4 } as never))).toMatch(/^evaluate: x is a Dataset.*model\.evaluateDataset\(dataset\)$/);
    expect(invalidMessage(() => m.predict(ds as never))).toMatch(/^predict: x is a Dataset.*for await \(const b of dataset\) model\.predict\(b\.xs\)\)$/);
  });

  it("normalization().adapt on rows with a missing value names adapt (it named 'tensor')", () => {
    const norm = nr.layers.normalization();
    expect(invalidMessage(() => norm.adapt([[1, 2], [undefined as never, 3]]))).toBe('normalization.adapt: values[1][0] is undefined, not a number');
  });
});
