// Porting from TF.js (issue 8): the TF.js positional forms beside the options objects, the
// `train.*` names, `tensor1d…4d`, unsupported dtypes, and "did you mean" for unknown option keys
// and names everywhere options are read.
import { describe, expect, it, vi } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';

const Invalid = nr.InvalidArgumentError;

function throws(f: () => unknown, msg: string | RegExp): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${String(msg)}`).toBeInstanceOf(Invalid);
  if (typeof msg === 'string') expect((err as Error).message).toBe(msg);
  else expect((err as Error).message).toMatch(msg);
}

const same = (a: () => nr.Tensor, b: () => nr.Tensor) =>
  expectNoLeak(() => nr.tidy(() => {
    expect(Array.from(a().data())).toEqual(Array.from(b().data()));
  }));

describe('TF.js positional forms', () => {
  it('randomUniform(shape, min, max, dtype, seed) equals the options form', () => {
    same(() => nr.randomUniform([3, 4], -2, 3, 'float32', 42), () => nr.randomUniform([3, 4], { min: -2, max: 3, seed: 42 }));
    same(() => nr.randomUniform([5], -2, undefined, undefined, 7), () => nr.randomUniform([5], { min: -2, seed: 7 }));
    same(() => nr.randomUniform([5], undefined as unknown as number, 0.5, 'float32', 7), () => nr.randomUniform([5], { max: 0.5, seed: 7 }));
  });

  it('randomNormal and truncatedNormal (shape, mean, stddev, dtype, seed) equal the options form', () => {
    same(() => nr.randomNormal([8], 1, 0.5, 'float32', 3), () => nr.randomNormal([8], { mean: 1, stddev: 0.5, seed: 3 }));
    same(() => nr.truncatedNormal([8], 1, 0.5, undefined, 3), () => nr.truncatedNormal([8], { mean: 1, stddev: 0.5, seed: 3 }));
  });

  it('random positional arguments of the wrong kind are errors, never ignored', () => {
    throws(() => nr.randomUniform([2], 0, 1, 'int32' as never, 1), /^randomUniform: dtype must be 'float32' \(float32 is the only dtype neurite supports today.*\), got the string "int32"; for random whole numbers use randomUniformInt\(shape, minval, maxval, \{ seed \}\)$/);
    throws(() => nr.randomNormal([2], 0, '1' as never), 'randomNormal: stddev (argument 3) must be a number, got the string "1"');
    throws(() => nr.randomUniform([2], { min: 0 } as never, 1 as never), /^randomUniform: expected \(shape, options\) or \(shape, min, max, dtype, seed\) with numbers, got an object/);
    throws(() => (nr.randomNormal as (...a: unknown[]) => nr.Tensor)([2], 0, 1, 'float32', 1, 2), 'randomNormal: too many arguments (6); expected (shape, mean, stddev, dtype, seed)');
    throws(() => nr.randomNormal([2], 0, 1, 'float32', 1.5), /^randomNormal: seed must be an integer/);
    // The two forms mixed: an options object where TF.js's dtype goes.
    throws(() => nr.randomUniform([2], 0, 1, { seed: 1 } as never), "randomUniform: argument 4 is the dtype in TF.js's positional form (shape, min, max, dtype, seed), got an object (Object); pass the seed fifth (randomUniform(shape, 0, 1, 'float32', seed)) or every option in one object (randomUniform(shape, { min, max, seed }))");
  });

  it('leakyRelu(x, alpha), softmax(x, dim), logSoftmax(x, axis) and their methods', () => {
    const x = nr.tensor([[-2, 1, 3], [0.5, -1, 2]]);
    same(() => nr.leakyRelu(x, 0.1), () => nr.leakyRelu(x, { alpha: 0.1 }));
    same(() => x.leakyRelu(0.1), () => nr.leakyRelu(x, { alpha: 0.1 }));
    same(() => nr.softmax(x, 0), () => nr.softmax(x, { axis: 0 }));
    same(() => x.softmax(0), () => nr.softmax(x, { axis: 0 }));
    same(() => x.logSoftmax(-1), () => nr.logSoftmax(x, { axis: -1 }));
    // Not the same as the default: the axis is really used.
    expect(nr.tidy(() => Array.from(nr.softmax(x, 0).data()))).not.toEqual(nr.tidy(() => Array.from(nr.softmax(x).data())));
    throws(() => nr.leakyRelu(x, true as never), 'leakyRelu: alpha must be a number or { alpha }, got boolean true');
    throws(() => nr.softmax(x, 0.5), 'softmax: axis must be an integer, got 0.5');
    throws(() => nr.softmax(x, '0' as never), 'softmax: options must be an object, got the string "0"');
    x.dispose();
  });

  it('optimizers.adam(0.01) and the other factories take the TF.js positional form', () => {
    expect(nr.optimizers.adam(0.01).getConfig()).toEqual(nr.optimizers.adam({ learningRate: 0.01 }).getConfig());
    expect(nr.optimizers.adam(0.01, 0.8, 0.99, null).getConfig()).toEqual(nr.optimizers.adam({ learningRate: 0.01, beta1: 0.8, beta2: 0.99 }).getConfig());
    expect(nr.optimizers.sgd(0.1).getConfig()).toEqual(nr.optimizers.sgd({ learningRate: 0.1 }).getConfig());
    expect(nr.optimizers.rmsprop(0.01, 0.95, 0.5, 1e-6, true).getConfig()).toEqual(nr.optimizers.rmsprop({ learningRate: 0.01, rho: 0.95, momentum: 0.5, epsilon: 1e-6, centered: true }).getConfig());
    expect(nr.optimizers.adagrad(0.05, 0.2).getConfig()).toEqual(nr.optimizers.adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.2 }).getConfig());
    expect(nr.optimizers.adamw(0.01, 0.1).getConfig()).toEqual(nr.optimizers.adamw({ learningRate: 0.01, weightDecay: 0.1 }).getConfig());
    expect(nr.optimizers.adamax(0.01, 0.8, 0.99, null, 0.1).getConfig()).toEqual(nr.optimizers.adamax({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, decay: 0.1 }).getConfig());
    expect(nr.optimizers.adadelta(1, 0.9, 1e-6).getConfig()).toEqual(nr.optimizers.adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-6 }).getConfig());
    const sched = nr.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(nr.optimizers.sgd(sched).learningRate).toBe(sched);
  });

  it('train.* is the tf.train namespace: sgd, momentum, adam, rmsprop, adagrad, adamax, adadelta', () => {
    expect(Object.keys(nr.train).sort()).toEqual(['adadelta', 'adagrad', 'adam', 'adamax', 'momentum', 'rmsprop', 'sgd']);
    expect(nr.train.adam(0.01).getConfig()).toEqual(nr.optimizers.adam({ learningRate: 0.01 }).getConfig());
    expect(nr.train.momentum(0.1, 0.9, true).getConfig()).toEqual(nr.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }).getConfig());
    throws(() => nr.train.momentum({ learningRate: 0.1 } as never, 0.9), /^optimizers\.momentum: learningRate must be a number or a schedule, got an object/);
  });

  it('optimizer arguments of the wrong kind are errors', () => {
    throws(() => nr.optimizers.adam('0.01' as never), 'optimizers.adam: the first argument must be the learning rate (a number or a schedule) or an options object, got the string "0.01"');
    throws(() => nr.train.sgd(null as never), 'optimizers.sgd: the first argument must be the learning rate (a number or a schedule) or an options object, got null');
    throws(() => nr.optimizers.rmsprop([0.01] as never), /^optimizers\.rmsprop: the first argument must be the learning rate \(a number or a schedule\) or an options object, got an array/);
    expect(nr.optimizers.adam().getConfig()).toEqual(nr.optimizers.adam({}).getConfig());
    throws(() => nr.optimizers.adam(0.01, '0.9' as never), 'optimizers.adam: beta1 must be a finite number within float32 range, got the string "0.9"');
    throws(() => nr.optimizers.rmsprop(0.01, 0.9, 0, 1e-7, 1 as never), 'optimizers.rmsprop: centered must be a boolean, got 1');
    throws(() => (nr.optimizers.sgd as (...a: unknown[]) => unknown)(0.1, 0.9), 'optimizers.sgd: too many arguments (2); the positional form is (learningRate)');
    throws(() => nr.optimizers.adam({} as never, 0.9 as never), /^optimizers\.adam: expected an options object or \(learningRate, beta1, beta2, epsilon\), got an object/);
  });

  it('tensor1d … tensor4d check the rank', () => {
    expectNoLeak(() => nr.tidy(() => {
      expect(nr.tensor1d([1, 2, 3]).shape).toEqual([3]);
      expect(nr.tensor2d([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
      expect(nr.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]).shape).toEqual([3, 2]);
      expect(nr.tensor3d([1, 2, 3, 4], [1, 2, 2]).shape).toEqual([1, 2, 2]);
      expect(nr.tensor4d([[[[1]]]]).shape).toEqual([1, 1, 1, 1]);
      expect(Array.from(nr.tensor2d(new Float32Array([1, 2, 3, 4]), [2, 2]).data())).toEqual([1, 2, 3, 4]);
    }));
    expectNoLeak(() => {
      throws(() => nr.tensor1d([[1, 2]]), 'tensor1d: values have rank 2 (shape [1,2]), expected rank 1');
      throws(() => nr.tensor2d([1, 2, 3, 4]), 'tensor2d: values have rank 1 (shape [4]), expected rank 2; for flat values pass the shape');
      throws(() => nr.tensor3d([1, 2], [2] as never), 'tensor3d: shape must have 3 dimension(s), got [2]');
      throws(() => nr.tensor1d([1], 'int32' as never), /^tensor1d: dtype must be 'float32' \(float32 is the only dtype neurite supports today/);
    });
  });

  it('rows may be typed arrays, as in TF.js: tensor2d([Float32Array, …]) (it was "values[0] is an object (Float32Array)")', () => {
    const rows = [new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])];
    same(() => nr.tensor2d(rows), () => nr.tensor([[1, 2, 3], [4, 5, 6]]));
    same(() => nr.tensor(rows, [2, 3]), () => nr.tensor([[1, 2, 3], [4, 5, 6]]));
    same(() => nr.tensor3d([[new Uint8Array([1, 2])], [new Uint8Array([3, 4])]]), () => nr.tensor([[[1, 2]], [[3, 4]]]));
    expectNoLeak(() => nr.tidy(() => { expect(nr.tensor2d(rows).shape).toEqual([2, 3]); }));
    expect(() => nr.tensor([new Float32Array(3), new Float32Array(2)])).toThrow(new nr.ShapeError('tensor: values are ragged: values[1] is an array of length 2, expected an array of length 3 (inferred shape [2,3])'));
    expect(() => nr.tensor([new Float32Array(2), 5] as never)).toThrow(new nr.ShapeError('tensor: values are ragged: values[1] is 5, expected an array of length 2 (inferred shape [2,2])'));
    throws(() => nr.tensor([new BigInt64Array(2)] as never), 'tensor: values[0] is an object (BigInt64Array), not a number');
  });

  it('x.clone() is a copy, as TF.js (it was not a function)', () => {
    const x = nr.tensor([1, 2]);
    same(() => x.clone(), () => x);
    x.dispose();
  });

  it('model.predictOnBatch(x) is TF.js\'s: predict over all of x as one batch, a list for several inputs (it was not a function)', () => {
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), nr.layers.dense({ units: 2, activation: 'softmax' })] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), tfl.layers.dense({ units: 2, activation: 'softmax' })] });
    t.setWeights(m.getWeights().map((w) => tf.tensor(w.data(), [...w.shape])));
    const values = Array.from({ length: 45 }, (_, i) => Math.sin(i * 1.7));
    const x = nr.tensor(values, [15, 3]);
    expectNoLeak(() => nr.tidy(() => {
      const p = m.predictOnBatch(x);
      expect(Array.from(p.data())).toEqual(Array.from(m.predict(x, { batchSize: 15 }).data()));
      const want = (t.predictOnBatch(tf.tensor2d(values, [15, 3])) as tf.Tensor).dataSync();
      p.data().forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
    }));
    const a = nr.input({ shape: [3] }), b = nr.input({ shape: [2] });
    const g = nr.model({ inputs: [a, b], outputs: nr.layers.concatenate().apply([nr.layers.dense({ units: 2 }).apply(a), b]) as nr.SymbolicTensor, seed: 1 });
    const y = nr.tensor(values.slice(0, 30), [15, 2]);
    expectNoLeak(() => nr.tidy(() => {
      expect(Array.from(g.predictOnBatch<nr.Tensor>([x, y]).data())).toEqual(Array.from(g.predict<nr.Tensor>([x, y], { batchSize: 15 }).data()));
    }));
    const wide = nr.zeros([2, 5]);
    expect(() => m.predictOnBatch(wide)).toThrow(/^predictOnBatch: expected input of shape/);
    nr.dispose([m, g, x, y, wide]);
    t.dispose();
  });

  it("cast(x, 'float32') and x.cast('float32') are copies; other dtypes say float32 is the only one (cast was missing)", () => {
    const x = nr.tensor([[1.5, -2]]);
    same(() => nr.cast(x, 'float32'), () => x);
    same(() => x.cast('float32'), () => x);
    throws(() => nr.cast(x, 'int32' as never), /^cast: dtype must be 'float32' \(float32 is the only dtype neurite supports today; .*got the string "int32"$/);
    throws(() => x.cast(undefined as never), "cast: dtype is required ('float32', the only dtype neurite supports today)");
    expectNoLeak(() => nr.tidy(() => { expect(Array.from(nr.grad((t) => nr.cast(t, 'float32').mul(3).sum())(x).data())).toEqual([3, 3]); }));
    x.dispose();
  });

  it("dtypes other than float32 ('int32', 'bool') say float32 is the only dtype", () => {
    for (const f of [() => nr.zeros([2], 'int32' as never), () => nr.tensor([1], null, 'bool' as never), () => nr.range(0, 3, 1, 'int32' as never)]) {
      throws(f, /dtype must be 'float32' \(float32 is the only dtype neurite supports today; ints and booleans are stored as float32 values\), got the string "(int32|bool)"(; leave the dtype out: .*)?$/);
    }
  });
});

describe('TF.js spellings of names', () => {
  it("initializers 'leCunNormal' / 'leCunUniform' (TF.js) are Keras's lecunNormal / lecunUniform", () => {
    const x = nr.tensor([[1, -2, 3]]);
    for (const [tfjs, keras] of [['leCunNormal', 'lecunNormal'], ['leCunUniform', 'lecunUniform']] as const) {
      const out = [tfjs, keras, nr.initializers[tfjs](), nr.initializers[keras]()].map((init) => {
        const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [3], units: 4, kernelInitializer: init })] });
        const y = Array.from(m.predict(x).data());
        const config = JSON.stringify((m.getConfig().config.layers as Array<{ config: Record<string, unknown> }>)[0].config.kernel_initializer);
        m.dispose();
        return [y, config];
      });
      for (const o of out) expect(o).toEqual(out[1]);
    }
    x.dispose();
  });
});

describe("TF.js's activation layers: layers.leakyReLU, reLU, elu, softmax (they were 'not a function')", () => {
  const run = (layer: nr.Layer, v: number[][]) => {
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [v[0].length] }), layer] });
    using x = nr.tensor(v);
    using y = m.predict(x);
    return { y: Array.from(y.data()), config: m.getConfig().config.layers as Array<{ class_name: string; config: Record<string, unknown> }> };
  };
  it('compute what the ops do, with the layers\' TF.js defaults (leakyReLU alpha 0.3)', () => {
    const v = [[-2, -0.5, 0, 1.5]];
    const f = (t: (x: nr.Tensor) => nr.Tensor) => expectNoLeak(() => nr.tidy(() => Array.from(t(nr.tensor(v)).data())));
    expect(run(nr.layers.leakyReLU(), v).y).toEqual(f((x) => nr.leakyRelu(x, 0.3)));
    expect(run(nr.layers.leakyReLU({ alpha: 0.1 }), v).y).toEqual(f((x) => nr.leakyRelu(x, 0.1)));
    expect(run(nr.layers.reLU(), v).y).toEqual(f((x) => nr.relu(x)));
    expect(run(nr.layers.elu({ alpha: 0.5 }), v).y).toEqual(f((x) => nr.elu(x, { alpha: 0.5 })));
    expect(run(nr.layers.softmax({ axis: -1 }), v).y).toEqual(f((x) => nr.softmax(x)));
    // Saved as TF.js saves them: a leaky ReLU as its LeakyReLU class.
    const saved = run(nr.layers.leakyReLU({ alpha: 0.1, name: 'lr' }), v).config[1];
    expect([saved.class_name, saved.config.alpha, saved.config.name]).toEqual(['LeakyReLU', 0.1, 'lr']);
    // A negative slope, as TF.js's LeakyReLU takes (Keras 3 refuses it).
    const neg = run(nr.layers.leakyReLU({ alpha: -0.5 }), v);
    expect(neg.y).toEqual(f((x) => nr.leakyRelu(x, -0.5)));
    expect(neg.y).toEqual([1, 0.25, -0, 1.5]);
    expect(neg.config[1].config.alpha).toBe(-0.5);
  });
  it('check their options, naming the layer', () => {
    throws(() => nr.layers.leakyReLU({ alpha: NaN }), 'leakyReLU: alpha must be a finite number, got NaN');
    throws(() => nr.layers.elu({ alpha: -1 }), 'elu: alpha must be a finite number >= 0, got -1');
    throws(() => nr.layers.elu({ alpha: '1' } as never), 'elu: alpha must be a number, got the string "1"');
    throws(() => nr.layers.reLU({ maxValue: -1 }), 'reLU: maxValue must be null (no cap) or a finite number >= 0, got -1');
    throws(() => nr.layers.softmax({ axis: 0 }), 'softmax: axis must be -1 (softmax layers normalise over the last axis), got 0');
    throws(() => nr.layers.leakyReLU({ alpa: 0.1 } as never), /^leakyReLU: unknown option 'alpa' — did you mean 'alpha'\?/);
  });
});

describe("print(verbose): TF.js's text", () => {
  it('print(true) and print() log what TF.js logs (the whole text: test/print.test.ts has many more tensors)', async () => {
    await tf.setBackend('cpu');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void lines.push(m));
    try {
      for (const [values, shape] of [[[1, 2, 3, 4], [2, 2]], [[3], []], [[], [0, 3]]] as Array<[number[], number[]]>) {
        using t = nr.tensor(values, shape);
        const tt = tf.tensor(values, shape);
        for (const verbose of [true, false]) {
          lines.length = 0;
          t.print(verbose);
          tt.print(verbose);
          expect(lines[0], JSON.stringify(shape)).toBe(lines[1]);
          expect(lines[0]).toBe(t.toString(verbose));
        }
        tt.dispose();
      }
      using t = nr.tensor([1]);
      expect(() => t.print('yes' as never)).toThrow('print: verbose must be true or false, got the string "yes"');
    } finally {
      log.mockRestore();
    }
  });
});

describe('metric names in the logs', () => {
  // TF.js's keys, read from its own fit: the name given to compile, but 'accuracy' logs as acc.
  it("are TF.js's: the name given to compile, 'accuracy' and 'acc' both log acc / val_acc (checked against tfjs-layers)", async () => {
    await tf.setBackend('cpu');
    using x = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    using y = nr.tensor([[0], [1], [1], [0]]);
    for (const metrics of [['acc'], ['accuracy'], ['accuracy', 'mse', 'mae', 'binaryAccuracy']] as const) {
      using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: [...metrics] });
      const h = await m.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, y] });
      const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
      t.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: [...metrics] });
      const [tx, ty] = [tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]), tf.tensor2d([[0], [1], [1], [0]])];
      const th = await t.fit(tx, ty, { epochs: 1, verbose: 0, validationData: [tx, ty] });
      expect(Object.keys(h.history).sort(), metrics.join()).toEqual(Object.keys(th.history).sort());
      tf.dispose([tx, ty]);
      t.dispose();
    }
    // So is the saved compile config: the names as given.
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy'] });
    const a = await m.toArtifacts();
    expect((a.userDefinedMetadata as { neurite: { compile: { metrics: string[] } } }).neurite.compile.metrics).toEqual(['accuracy']);
  });

  it("a monitor named as Keras logs it ('val_accuracy', 'accuracy') watches TF.js's acc log (a Keras 3 porter's most common line; it was an error naming val_acc)", async () => {
    using x = nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    using y = nr.tensor([[0], [1], [1], [0]]);
    using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const es = nr.callbacks.earlyStopping({ monitor: 'val_accuracy', patience: 1 });
    const h = await m.fit(x, y, { epochs: 6, verbose: 0, validationData: [x, y], callbacks: [es] });
    // XOR's accuracy does not move with one sigmoid unit: the second epoch fails to beat the first.
    expect(es.best).toBe(h.history.val_acc[0]);
    expect(h.epoch).toEqual([0, 1]);
    const ck = nr.callbacks.modelCheckpoint({ filepath: { save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }) }, monitor: 'accuracy', saveBestOnly: true });
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [ck] });
    expect(ck.best).toBeGreaterThanOrEqual(0);
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nr.callbacks.reduceLROnPlateau({ monitor: 'val_accuracy' })] }))
      .rejects.toThrow("reduceLROnPlateau: monitor 'val_accuracy' needs validation data");
  });
});

describe("unknown option keys suggest the nearest known one ('did you mean')", () => {
  it('fit, compile, evaluate, predict, sequential', async () => {
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    using x = nr.zeros([4, 2]);
    using y = nr.zeros([4, 1]);
    await expect(m.fit(x, y, { epoch: 3 } as never)).rejects.toThrow("fit: unknown option 'epoch' — did you mean 'epochs'? (known: ");
    await expect(m.fit(x, y, { batchsize: 3 } as never)).rejects.toThrow("did you mean 'batchSize'?");
    // epochs is where training ends: initialEpoch past it runs nothing (a Keras and TF.js rule that surprises).
    await expect(m.fit(x, y, { epochs: 3, initialEpoch: 5, verbose: 0 })).rejects.toThrow('fit: initialEpoch 5 is past epochs 3, so no epoch would run: epochs is the index training ends at, not how many more to run (as Keras and TF.js): for 3 more epochs pass epochs: 8');
    expect((await m.fit(x, y, { epochs: 3, initialEpoch: 3, verbose: 0 })).epoch).toEqual([]);
    throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metric: ['mae'] } as never), "compile: unknown option 'metric' — did you mean 'metrics'? (known: optimizer, loss, metrics, weightedMetrics, lossWeights)");
    throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', learningRate: 0.01 } as never), "compile: unknown option 'learningRate': the learning rate is the optimizer's: compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), … }) (known: optimizer, loss, metrics, weightedMetrics, lossWeights)");
    throws(() => m.evaluate(x, y, { batch_size: 2 } as never), /^evaluate: unknown option 'batch_size' — did you mean 'batchSize'\?/);
    throws(() => m.predict(x, { batch: 2 } as never), /^predict: unknown option 'batch' — did you mean 'batchSize'\?/);
    throws(() => nr.sequential({ layer: [] } as never), /^sequential: unknown option 'layer' — did you mean 'layers'\?/);
  });

  it('random ops, activations, optimizers, losses, callbacks and initializers', () => {
    throws(() => nr.randomNormal([2], { std: 1 } as never), "randomNormal: unknown option 'std' — did you mean 'stddev'? (known: mean, stddev, seed)");
    throws(() => nr.randomUniform([2], { mn: 0 } as never), /^randomUniform: unknown option 'mn' — did you mean 'min'\?/);
    using x = nr.zeros([2]);
    throws(() => nr.leakyRelu(x, { alpah: 0.1 } as never), "leakyRelu: unknown option 'alpah' — did you mean 'alpha'? (known: alpha)");
    throws(() => nr.softmax(x, { axes: 0 } as never), /^softmax: unknown option 'axes' — did you mean 'axis'\?/);
    throws(() => nr.optimizers.adam({ learning_rate: 0.1 } as never), /^optimizers\.adam: unknown option 'learning_rate' — did you mean 'learningRate'\?/);
    throws(() => nr.optimizers.adam({ beta_1: 0.1 } as never), /^optimizers\.adam: unknown option 'beta_1' — did you mean 'beta1'\?/);
    throws(() => nr.losses.huber(x, x, { detla: 1 } as never), /^huber: unknown option 'detla' — did you mean 'delta'\?/);
    throws(() => nr.callbacks.earlyStopping({ patient: 2 } as never), /^earlyStopping: unknown option 'patient' — did you mean 'patience'\?/);
    throws(() => nr.initializers.randomNormal({ std: 1 } as never), /^initializers\.randomNormal: unknown option 'std' — did you mean 'stddev'\?/);
    throws(() => nr.progressBar({ throttle: 10 } as never), /^progressBar: unknown option 'throttle' — did you mean 'throttleMs'\?/);
    // Nothing close: no suggestion, just the list.
    throws(() => nr.randomNormal([2], { zzzzzz: 1 } as never), "randomNormal: unknown option 'zzzzzz' (known: mean, stddev, seed)");
    // Other libraries' spellings (Keras 2's lr, TF.js rmsprop's decay); another algorithm gets no suggestion.
    throws(() => nr.optimizers.adam({ lr: 0.1 } as never), /^optimizers\.adam: unknown option 'lr' — did you mean 'learningRate'\?/);
    throws(() => nr.optimizers.rmsprop({ decay: 0.9 } as never), /^optimizers\.rmsprop: unknown option 'decay' — did you mean 'rho'\?/);
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    throws(() => m.compile({ optimizer: 'nadam' as never, loss: 'mse' }), /^compile: optimizer must be one of sgd, adam, .*got the string "nadam"$/);
    // TF.js's class-style names (its getOptimizer map), the same optimizer as TF.js makes.
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
    for (const name of ['SGD', 'Adam', 'RMSProp', 'Adagrad', 'Adadelta', 'Adamax'] as const) {
      m.compile({ optimizer: name, loss: 'mse' });
      t.compile({ optimizer: name, loss: 'meanSquaredError' });
      expect(m.optimizer?.getClassName(), name).toBe(t.optimizer.getClassName());
    }
    t.dispose();
    m.compile({ optimizer: 'AdamW', loss: 'mse' }); // Keras's class name
    expect(m.optimizer?.getClassName()).toBe('AdamW');
    throws(() => m.compile({ optimizer: 'ADAM' as never, loss: 'mse' }), /got the string "ADAM" — did you mean 'adam'\?/);
  });

  it("feature detection works on every namespace as on TF.js: a layer neurite lacks is undefined, not an error (typeof layers.lstm threw)", () => {
    const L = nr.layers as unknown as Record<string, ((args?: unknown) => unknown) | undefined>;
    const T = tfl.layers as unknown as Record<string, unknown>;
    // Every factory of TF.js's tf.layers is a function here or undefined, never a throw, and
    // `in`, Object.keys and typeof agree, as on TF.js's namespace.
    const missing: string[] = [];
    for (const k of Object.keys(T)) {
      const kind = typeof L[k];
      expect(['function', 'undefined'], k).toContain(kind);
      expect(k in L, k).toBe(kind !== 'undefined');
      expect(Object.keys(L).includes(k), k).toBe(kind !== 'undefined');
      expect(typeof T[k], k).toBe('function');
      if (kind === 'undefined') missing.push(k);
    }
    expect(missing).toEqual(expect.arrayContaining(['lstm', 'gru', 'conv3d', 'timeDistributed']));
    // TF.js's, Keras's and misspelled names alike: undefined, skipped by ?.(), and a call is JS's
    // own TypeError (as on TF.js, whose namespace gives the same for names it lacks).
    for (const k of ['lstm', 'gru', 'conv3d', 'lambda', 'upSampling3d', 'dens']) {
      expect(typeof L[k], k).toBe('undefined');
      expect(k in L, k).toBe(false);
      expect(L[k]?.({ units: 1 }), k).toBeUndefined();
      expect(() => L[k]!({ units: 1 }), k).toThrow(TypeError);
    }
    for (const k of ['lambda', 'upSampling3d', 'dens']) {
      expect(typeof T[k], k).toBe('undefined');
      expect(k in T, k).toBe(false);
      expect(() => (T[k] as (a: unknown) => unknown)({ units: 1 }), k).toThrow(TypeError);
    }
    expect(typeof L.dense).toBe('function');
    expect('dense' in L && 'Layer' in L).toBe(true);
    expect(L.dense?.({ units: 1 })).toBeInstanceOf(nr.layers.Layer);
    expect(Object.keys(nr.layers)).toEqual(expect.arrayContaining(['dense', 'embedding', 'Layer']));
    // The other namespaces: an unknown name is undefined and not `in` them, every listed one is there.
    const spaces = { losses: nr.losses, metrics: nr.metrics, optimizers: nr.optimizers, train: nr.train, initializers: nr.initializers, regularizers: nr.regularizers, constraints: nr.constraints, callbacks: nr.callbacks, models: nr.models, io: nr.io, data: nr.data, util: nr.util, math: nr.math, signal: nr.signal, image: nr.image, schedules: nr.schedules };
    for (const [name, ns] of Object.entries(spaces)) {
      const o = ns as unknown as Record<string, unknown>;
      for (const k of ['lstm', 'noSuchName', 'then']) {
        expect(typeof o[k], `${name}.${k}`).toBe('undefined');
        expect(k in o, `${name}.${k}`).toBe(false);
      }
      expect(Object.keys(o).length, name).toBeGreaterThan(0);
      for (const k of Object.keys(o)) expect(typeof o[k], `${name}.${k}`).not.toBe('undefined');
    }
  });

  it('layer options: every layer rejects unknown keys (they were silently ignored)', () => {
    throws(() => nr.layers.dense({ units: 3, activaton: 'relu' } as never), /^dense: unknown option 'activaton' — did you mean 'activation'\? \(known: units, .*activation, .*, name, trainable, inputShape, batchInputShape, dtype\)$/);
    throws(() => nr.layers.dense({ units: 3, input_shape: [2] } as never), /^dense: unknown option 'input_shape' — did you mean 'inputShape'\?/);
    throws(() => nr.layers.gaussianNoise({ stddev: 0.1, seed: 1 } as never), "gaussianNoise: there is no per-layer seed; a model's random draws (initial weights, dropout and noise masks) come from its seed: sequential({ seed, layers }), or an initializer's own (initializers.glorotUniform({ seed }))");
    throws(() => nr.layers.dropout({ rate: 0.1, sed: 1 } as never), "dropout: unknown option 'sed' — did you mean 'seed'? (known: rate, noiseShape, seed, name, trainable, inputShape, batchInputShape, dtype)");
    throws(() => nr.layers.batchNormalization({ momentun: 0.9 } as never), /^batchNormalization: unknown option 'momentun' — did you mean 'momentum'\?/);
    throws(() => nr.layers.flatten({ dataFomat: 'channelsLast' } as never), /^flatten: unknown option 'dataFomat' — did you mean 'dataFormat'\? \(known: dataFormat, name, trainable, inputShape, batchInputShape, dtype\)$/);
    throws(() => nr.layers.variational({ units: 2, kl_weight: 1 } as never), /^variational: unknown option 'kl_weight' — did you mean 'klWeight'\?/);
    throws(() => nr.layers.rbf({ units: 2, kernal: 'gaussian' } as never), /^rbf: unknown option 'kernal' — did you mean 'kernel'\?/);
  });

  it("a key that ends a known one suggests it: perceptron.fit({ epochs }) → 'maxEpochs' (no suggestion before)", async () => {
    using p = nr.perceptron({ inputs: 2, seed: 1 });
    using x = nr.tensor([[0, 0], [1, 1]]);
    using y = nr.tensor([-1, 1]);
    expect(() => p.fit(x, y, { epochs: 5 } as never)).toThrow(new Invalid("fit: unknown option 'epochs' — did you mean 'maxEpochs'? (known: maxEpochs, shuffle, pocket)"));
    throws(() => nr.layers.dropout({ size: 1 } as never), "dropout: unknown option 'size' (known: rate, noiseShape, seed, name, trainable, inputShape, batchInputShape, dtype)"); // under 5 letters: too short to guess from the end
  });

  it('unknown names suggest too: losses, metrics, activations, optimizers, initializers', () => {
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    throws(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredErorr' as never }), /^compile: unknown loss 'meanSquaredErorr' — did you mean 'meanSquaredError'\?/);
    throws(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acuracy' as never] }), /^compile: unknown metric "acuracy" — did you mean 'accuracy'\?/);
    throws(() => m.compile({ optimizer: 'adma' as never, loss: 'mse' }), /got the string "adma" — did you mean 'adam'\?$/);
    throws(() => nr.layers.dense({ units: 1, activation: 'reul' as never }), /^dense: unknown activation 'reul' — did you mean 'relu'\?/);
    throws(() => nr.layers.dense({ units: 1, kernelInitializer: 'heNormall' as never }), /^dense: unknown kernelInitializer "heNormall" — did you mean 'heNormal'\?/);
  });
});
