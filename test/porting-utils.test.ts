// TF.js's top-level utilities that ported code uses (ts/ops/buffer.ts, ts/performance.ts,
// ts/ops/{ensure_shape,rand,enclosing_power_of_two,window,frame,in_top_k,max_pool_with_argmax}.ts,
// disposeVariables in ts/autodiff.ts, the signal namespace in ts/signal.ts), against TF.js 4.22
// (cpu backend) on odd sizes (length 0, 1, 2 and odd lengths, frames with padEnd, ties in
// inTopK and in the pooling windows), then the documented differences, every error, and that
// each call (also a failing one) leaves memory().numTensors where it was.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's main entry leaves gradients unregistered; tf.grad needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { errorText, expectClose, rejectionText, thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');

let tensorsBefore = 0;
beforeEach(() => {
  tensorsBefore = nr.memory().numTensors;
});
afterEach(() => {
  expect(nr.memory().numTensors, 'tensors left alive by the test').toBe(tensorsBefore);
});

/** The values of `t` as a plain array, then disposes it. */
function take(t: nr.Tensor): { shape: number[]; values: number[] } {
  const r = { shape: [...t.shape], values: Array.from(t.data()) };
  t.dispose();
  return r;
}
function takeTf(t: tf.Tensor): { shape: number[]; values: number[] } {
  const r = { shape: [...t.shape], values: Array.from(t.dataSync()) };
  t.dispose();
  return r;
}
const err = errorText;
const rejection = rejectionText;
/** Small integers, so that ties are frequent. */
function ties(seed: number, n: number, levels = 4): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(r() * levels) - 1);
}
const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

describe('buffer, TensorBuffer, t.bufferSync(), t.buffer()', () => {
  const SHAPES = [[], [1], [5], [2, 3], [3, 1, 2], [2, 3, 4], [0], [2, 0, 3]];

  it('shape, size, rank, strides, locToIndex and indexToLoc as TF.js, on every index', () => {
    for (const s of SHAPES) {
      const b = nr.buffer(s);
      const t = tf.buffer(s);
      expect([b.shape, b.size, b.rank, b.strides, b.dtype], `[${s}]`).toEqual([t.shape, t.size, t.rank, t.strides, t.dtype]);
      expect(b.values).toBeInstanceOf(Float32Array);
      expect(Array.from(b.values)).toEqual(Array.from(t.values));
      for (let i = 0; i < b.size; i++) {
        const loc = t.indexToLoc(i);
        expect(b.indexToLoc(i), `[${s}] index ${i}`).toEqual(loc);
        expect(b.locToIndex(loc)).toBe(t.locToIndex(loc));
      }
    }
  });

  it('set and get write and read what TF.js does; toTensor gives its tensor', () => {
    for (const s of SHAPES.filter((s) => s.length > 0)) {
      const b = nr.buffer(s);
      const t = tf.buffer(s);
      const r = mulberry32(s.length + 7);
      for (let i = 0; i < b.size; i++) {
        const loc = t.indexToLoc(i);
        const v = Math.fround(r() * 10 - 5);
        b.set(v, ...loc);
        t.set(v, ...loc);
      }
      for (let i = 0; i < b.size; i++) expect(b.get(...t.indexToLoc(i))).toBe(t.get(...t.indexToLoc(i)));
      expect(take(b.toTensor()), `[${s}]`).toEqual(takeTf(t.toTensor()));
    }
  });

  it('values: a Float32Array is used as is (as TF.js), other arrays are copied; toTensor copies', () => {
    const v = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = nr.buffer([2, 3], 'float32', v);
    expect(b.values).toBe(v);
    b.set(9, 1, 1);
    expect(v[4]).toBe(9);
    const t = b.toTensor();
    b.set(7, 0, 0);
    expect(Array.from(t.data())).toEqual([1, 2, 3, 4, 9, 6]);
    t.dispose();
    expect(Array.from(nr.buffer([3], undefined, [1.5, 2, 3]).values)).toEqual([1.5, 2, 3]);
    expect(Array.from(nr.buffer([2], 'float32', new Int32Array([4, -5])).values)).toEqual([4, -5]);
    expect(Array.from(new nr.TensorBuffer([2], 'float32', new Float64Array([0.5, 1])).values)).toEqual([0.5, 1]);
    // dtype null is TF.js's default too.
    expect(nr.buffer([1], null as unknown as 'float32').size).toBe(1);
  });

  it('a scalar buffer: get() and set(v) with no location (TF.js: set(v) throws, get() reads values[0])', () => {
    const b = nr.buffer([]);
    b.set(5);
    expect(b.get()).toBe(5);
    expect(b.locToIndex([])).toBe(0);
    expect(b.indexToLoc(0)).toEqual([]);
    expect(take(b.toTensor())).toEqual({ shape: [], values: [5] });
    expect(String(thrown(() => tf.buffer([]).set(5)))).toMatch(/must match the rank \(0\)/);
  });

  it('t.bufferSync() and await t.buffer() hold a copy of the values, as TF.js', async () => {
    const x = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    const tx = tf.tensor([[1, 2, 3], [4, 5, 6]]);
    const b = x.bufferSync();
    const tb = tx.bufferSync();
    expect([b.shape, b.strides, b.get(1, 2), Array.from(b.values)]).toEqual([tb.shape, tb.strides, tb.get(1, 2), Array.from(tb.values)]);
    b.set(0, 0, 0);
    expect(x.data()[0]).toBe(1);
    const a = await x.buffer();
    expect(Array.from(a.values)).toEqual(Array.from((await tx.buffer()).values));
    x.dispose();
    tx.dispose();
    expect(err(() => x.bufferSync())).toBe('DisposedError: bufferSync: tensor is a disposed tensor (shape [2,3])');
    expect(await rejection(() => x.buffer())).toBe('DisposedError: buffer: tensor is a disposed tensor (shape [2,3])');
  });

  it('bad locations are errors naming the location and the shape (TF.js does not check)', () => {
    const b = nr.buffer([2, 3]);
    expect(err(() => b.get(2, 0))).toBe('InvalidArgumentError: TensorBuffer.get: location [2,0] is out of bounds for shape [2,3]: index 0 (2) is not in [0, 2)');
    expect(err(() => b.set(1, 1, -1))).toBe('InvalidArgumentError: TensorBuffer.set: location [1,-1] is out of bounds for shape [2,3]: index 1 (-1) is not in [0, 3)');
    expect(err(() => b.set(1, 0.5, 1))).toBe('InvalidArgumentError: TensorBuffer.set: location [0.5,1] is invalid for shape [2,3]: index 0 is 0.5, not an integer');
    expect(err(() => b.get(0, '1' as unknown as number))).toBe('InvalidArgumentError: TensorBuffer.get: location [0,"1"] is invalid for shape [2,3]: index 1 is the string "1", not an integer');
    expect(err(() => b.get(1))).toBe('InvalidArgumentError: TensorBuffer.get: location [1] has 1 index, but the buffer has rank 2 (shape [2,3]): give one per axis');
    expect(err(() => b.get())).toMatch(/location \[\] has 0 indices, but the buffer has rank 2/);
    expect(err(() => b.set(1, 0, 0, 0))).toMatch(/TensorBuffer.set: location \[0,0,0\] has 3 indices/);
    expect(err(() => nr.buffer([]).get(0))).toBe('InvalidArgumentError: TensorBuffer.get: location [0] has 1 index, but the buffer has rank 0 (shape []): give one per axis (none for a scalar)');
    expect(err(() => b.locToIndex([1, 3]))).toMatch(/^InvalidArgumentError: TensorBuffer.locToIndex: location \[1,3\] is out of bounds for shape \[2,3\]/);
    expect(err(() => b.locToIndex(1 as unknown as number[]))).toBe('InvalidArgumentError: TensorBuffer.locToIndex: locs must be an array of indices, got 1');
    expect(err(() => b.indexToLoc(6))).toBe('InvalidArgumentError: TensorBuffer.indexToLoc: index must be an integer in [0, 6) for shape [2,3], got 6');
    expect(err(() => b.indexToLoc(-1))).toMatch(/got -1$/);
    expect(err(() => b.indexToLoc(1.5))).toMatch(/got 1.5$/);
    expect(err(() => b.set('3' as unknown as number, 0, 0))).toBe('InvalidArgumentError: TensorBuffer.set: value must be a number, got the string "3"');
    // TF.js writes past the end (a silent no-op on a typed array) and reads anywhere in range per axis.
    const t = tf.buffer([2, 3]);
    expect(() => t.set(1, 5, 5)).not.toThrow();
    expect(t.locToIndex([1, 3])).toBe(6);
  });

  it('dtype, shape and values errors', () => {
    const dtypeMsg = "dtype must be 'float32' (float32 is the only dtype neurite supports today; ints and booleans are stored as float32 values)";
    expect(err(() => nr.buffer([2], 'int32' as 'float32'))).toBe(`InvalidArgumentError: buffer: ${dtypeMsg}, got the string "int32"`);
    expect(err(() => nr.buffer([2], 'bool' as 'float32'))).toBe(`InvalidArgumentError: buffer: ${dtypeMsg}, got the string "bool"`);
    expect(err(() => new nr.TensorBuffer([2], 'int32' as 'float32'))).toBe(`InvalidArgumentError: TensorBuffer: ${dtypeMsg}, got the string "int32"`);
    // The same error zeros gives.
    expect(err(() => nr.zeros([2], 'int32' as 'float32'))).toBe(`InvalidArgumentError: zeros: ${dtypeMsg}, got the string "int32"`);
    expect(err(() => nr.buffer([2, -1]))).toMatch(/^InvalidArgumentError: buffer: shape\[1\] must be a non-negative integer, got -1/);
    expect(err(() => nr.buffer(3 as unknown as number[]))).toBe('InvalidArgumentError: buffer: shape must be an array of dimensions, got 3');
    expect(err(() => nr.buffer([2, 2], 'float32', new Float32Array(3)))).toBe('ShapeError: buffer: 3 values do not fill shape [2,2], which needs 4');
    expect(err(() => nr.buffer([2], 'float32', [1, 'a'] as unknown as number[]))).toBe('InvalidArgumentError: buffer: values[1] is the string "a", not a number');
    expect(err(() => nr.buffer([2], 'float32', 'ab' as unknown as number[]))).toMatch(/^InvalidArgumentError: buffer: values must be a Float32Array/);
    expect(err(() => nr.buffer([2 ** 20, 2 ** 10]))).toMatch(/^OutOfMemoryError: buffer: out of memory/);
  });
});

describe('tensor(nested values, shape) as TF.js', () => {
  // A time-series idiom: windows as number[][] given the shape [n, W, 1]. TF.js flattens the
  // innermost axis of the values over the shape's last axes; neurite refused it.
  it('the innermost axis may spread over the last axes of the shape; the outer ones must match', () => {
    const same = (values: number[][] | number[][][], shape: number[]) => {
      const t = nr.tensor(values, shape);
      const r = tf.tensor(values, shape);
      expect(t.shape).toEqual(r.shape);
      expect(Array.from(t.dataSync())).toEqual(Array.from(r.dataSync()));
      t.dispose();
      r.dispose();
    };
    same([[1, 2], [3, 4]], [2, 2, 1]);
    same([[1, 2, 3, 4], [5, 6, 7, 8]], [2, 2, 2]);
    same([[[1, 2], [3, 4]]], [1, 2, 2, 1]);
    for (const [values, shape] of [[[[1, 2], [3, 4]], [4, 1]], [[[1, 2], [3, 4]], [4]], [[[1, 2], [3, 4]], [1, 2, 2]]] as const) {
      expect(() => tf.tensor(values as unknown as number[][], shape as unknown as number[])).toThrow();
      expect(err(() => nr.tensor(values as unknown as number[][], shape as unknown as number[]))).toBe(`ShapeError: tensor: values have shape [2,2] but shape [${shape}] was given (only the innermost axis may spread over the shape's last axes, as TF.js)`);
    }
  });
});

describe('time, profile, nextFrame', () => {
  it('time(f) resolves with wallMs and kernelMs (the same here), the keys of TF.js CPU backend', async () => {
    const x = nr.randomNormal([30, 30], { seed: 1 });
    const info = await nr.time(() => x.matMul(x).dispose());
    const tfInfo = await tf.time(() => tf.tidy(() => tf.matMul(tf.ones([30, 30]), tf.ones([30, 30]))).dispose());
    expect(Object.keys(info).sort()).toEqual(Object.keys(tfInfo).sort());
    expect(info.wallMs).toBeGreaterThanOrEqual(0);
    expect(info.kernelMs).toBe(info.wallMs);
    x.dispose();
  });

  it('time(f) awaits a Promise f returns (TF.js times only the synchronous part)', async () => {
    const info = await nr.time(() => new Promise((r) => setTimeout(r, 30)));
    expect(info.wallMs).toBeGreaterThanOrEqual(25);
  });

  it("time and profile reject with f's error, or when f is not a function", async () => {
    expect(await rejection(() => nr.time(() => { throw new Error('boom'); }))).toBe('Error: boom');
    expect(await rejection(() => nr.time(async () => { throw new Error('later'); }))).toBe('Error: later');
    expect(await rejection(() => nr.time(3 as unknown as () => void))).toBe('InvalidArgumentError: time: f must be a function, got 3');
    expect(await rejection(() => nr.profile(() => { throw new RangeError('p'); }))).toBe('RangeError: p');
    expect(await rejection(() => nr.profile(null as unknown as () => void))).toBe('InvalidArgumentError: profile: f must be a function, got null');
  });

  it("profile(f): newTensors and newBytes as TF.js's, on TF.js's example and an async f", async () => {
    const mine = await nr.profile(() => {
      const x = nr.tensor1d([1, 2, 3]);
      let x2 = x.square();
      x2.dispose();
      x2 = x.square();
      x2.dispose();
      return x;
    });
    const theirs = await tf.profile(() => {
      const x = tf.tensor1d([1, 2, 3]);
      let x2 = tf.square(x);
      x2.dispose();
      x2 = tf.square(x);
      x2.dispose();
      return x;
    });
    expect([mine.newBytes, mine.newTensors]).toEqual([theirs.newBytes, theirs.newTensors]);
    expect([mine.newBytes, mine.newTensors]).toEqual([12, 1]);
    expect(mine.result).toBeInstanceOf(nr.Tensor);
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    expect([mine.kernels, mine.kernelNames]).toEqual([[], []]);
    (mine.result as nr.Tensor).dispose();
    (theirs.result as tf.Tensor).dispose();

    const async = await nr.profile(async () => {
      const a = nr.zeros([4]);
      await new Promise((r) => setTimeout(r, 1));
      return [a, nr.ones([2, 2])];
    });
    expect([async.newTensors, async.newBytes]).toEqual([2, 32]);
    expect(async.peakBytes).toBeGreaterThanOrEqual(nr.memory().numBytes + nr.memory().modelBytes);
    nr.dispose(async.result);

    // A freed tensor: newTensors 0, newBytes 0; peakBytes is the most seen (at the start here).
    const before = nr.memory().numBytes + nr.memory().modelBytes;
    const freed = await nr.profile(() => nr.zeros([100]).dispose());
    expect([freed.newTensors, freed.newBytes, freed.peakBytes, freed.result]).toEqual([0, 0, before, undefined]);
    // A plain value passes through; TF.js's peakBytes is -Infinity when no kernel ran.
    expect((await nr.profile(() => 3)).result).toBe(3);
    expect((await tf.profile(() => 3)).peakBytes).toBe(-Infinity);
  });

  it('profile counts variables (tensors) and model state (modelBytes) in its bytes, as TF.js counts its variables', async () => {
    const info = await nr.profile(() => {
      const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
      nr.tidy(() => {
        m.predict(nr.zeros([1, 3]));
      });
      return m;
    });
    expect(info.newTensors).toBe(0);
    expect(info.newBytes).toBeGreaterThanOrEqual((3 * 2 + 2) * 4);
    info.result.dispose();
  });

  it('nextFrame() resolves through requestAnimationFrame where there is one, else setImmediate, else setTimeout', async () => {
    await expect(nr.nextFrame()).resolves.toBeUndefined();
    const g = globalThis as { requestAnimationFrame?: unknown; setImmediate?: unknown };
    const raf = vi.fn((f: () => void) => setTimeout(f, 0));
    g.requestAnimationFrame = raf;
    try {
      await nr.nextFrame();
      expect(raf).toHaveBeenCalledTimes(1);
    } finally {
      delete g.requestAnimationFrame;
    }
    const immediate = g.setImmediate;
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      g.setImmediate = undefined;
      await nr.nextFrame();
      expect(spy).toHaveBeenCalled();
    } finally {
      g.setImmediate = immediate;
      spy.mockRestore();
    }
  });
});

describe('disposeVariables', () => {
  it('disposes every live variable (trainable or not), as TF.js; tensors and models stay', () => {
    const t = nr.tensor([1, 2]);
    const a = nr.variable(t, true, 'dv_a');
    const b = nr.variable(t, false, 'dv_b');
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones' })] });
    nr.tidy(() => {
      m.predict(nr.zeros([1, 2]));
    });
    const numVariables = nr.memory().numTensors;
    nr.disposeVariables();
    expect([a.isDisposed, b.isDisposed, t.isDisposed]).toEqual([true, true, false]);
    expect(nr.memory().numTensors).toBe(numVariables - 2);
    // The model's weights are not variables: it still runs.
    expect(nr.tidy(() => m.predict(nr.tensor([[1, 2]])).data()[0])).toBe(3);
    // The names are free again.
    const again = nr.variable(t, true, 'dv_a');
    nr.disposeVariables();
    expect(again.isDisposed).toBe(true);
    nr.disposeVariables(); // none left: harmless
    t.dispose();
    m.dispose();
  });

  it("TF.js's disposes its variables too", () => {
    const before = tf.memory().numTensors;
    const init = tf.ones([2]);
    tf.variable(init);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.disposeVariables();
    expect(tf.memory().numTensors).toBe(before + 1);
    init.dispose();
  });
});

describe('enclosingPowerOfTwo, ensureShape, rand', () => {
  it("enclosingPowerOfTwo is TF.js's number, on integers, fractions, 0, negatives and NaN", () => {
    const values = [1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 300, 1000, 4096, 1e6, 1.5, 0.75, 0.51, 0.5, 0.3, 1e-3, 0, -1, -0.5, NaN, Infinity, 2 ** 28, 2 ** 30, 2 ** 29 + 1, 123456789];
    for (const v of values) expect(nr.enclosingPowerOfTwo(v), String(v)).toBe(tf.enclosingPowerOfTwo(v));
  });

  it('enclosingPowerOfTwo is exact at every power of two (TF.js doubles 2^29, 2^31, …)', () => {
    for (let k = 0; k < 60; k++) expect(nr.enclosingPowerOfTwo(2 ** k), `2^${k}`).toBe(2 ** k);
    expect([tf.enclosingPowerOfTwo(2 ** 29), tf.enclosingPowerOfTwo(2 ** 31)]).toEqual([2 ** 30, 2 ** 32]);
    expect(err(() => nr.enclosingPowerOfTwo('8' as unknown as number))).toBe('InvalidArgumentError: enclosingPowerOfTwo: value must be a number, got the string "8"');
  });

  it('ensureShape returns x itself when the shapes agree (null matches any size), as TF.js', () => {
    const cases: Array<[number[], Array<number | null>]> = [
      [[4], [4]], [[4], [null]], [[2, 2], [null, 2]], [[2, 2], [2, null]], [[], []], [[1, 3, 1], [1, null, 1]], [[0, 2], [0, 2]],
      [[4], [3]], [[2, 2], [2]], [[2, 2], [2, 2, 1]], [[], [1]], [[2, 3], [null, 2]], [[0, 2], [null, 3]],
    ];
    for (const [s, shape] of cases) {
      const x = nr.zeros(s);
      const tx = tf.zeros(s);
      const ok = thrown(() => tf.ensureShape(tx, shape as number[])) === undefined;
      if (ok) expect(nr.ensureShape(x, shape), `[${s}] vs ${JSON.stringify(shape)}`).toBe(x);
      else expect(err(() => nr.ensureShape(x, shape))).toBe(`ShapeError: ensureShape: x has shape [${s}], which is not compatible with the expected shape ${JSON.stringify(shape)}`);
      x.dispose();
      tx.dispose();
    }
    // An array comes back as the same array (TF.js returns its argument too).
    const arr = [[1, 2], [3, 4]];
    expect(nr.ensureShape(arr, [2, null])).toBe(arr);
    expect(tf.ensureShape(arr as unknown as tf.Tensor, [2, 2])).toBe(arr);
    expect(err(() => nr.ensureShape([1, 2, 3], [2]))).toBe('ShapeError: ensureShape: x has shape [3], which is not compatible with the expected shape [2]');
  });

  it('ensureShape: the identity under grad; errors for a bad shape argument or x', () => {
    const x = nr.tensor([1, 2, 3]);
    const g = nr.grad((x: nr.Tensor) => nr.ensureShape(x, [null]).square().sum())(x);
    expect(Array.from(g.data())).toEqual([2, 4, 6]);
    g.dispose();
    expect(err(() => nr.ensureShape(x, null as unknown as number[]))).toBe('InvalidArgumentError: ensureShape: shape must be an array of dimensions (null for any size), got null');
    expect(String(thrown(() => tf.ensureShape(tf.zeros([1]), null as unknown as number[])))).toMatch(/not compatible/);
    expect(err(() => nr.ensureShape(x, [-1]))).toBe('InvalidArgumentError: ensureShape: shape[0] must be a non-negative integer or null, got -1 (shape [-1])');
    expect(err(() => nr.ensureShape(x, [undefined as unknown as null]))).toMatch(/shape\[0\] must be a non-negative integer or null, got undefined/);
    expect(err(() => nr.ensureShape('x' as unknown as nr.Tensor, [1]))).toBe('InvalidArgumentError: ensureShape: x must be a Tensor, a number or an array of numbers, got the string "x"');
    x.dispose();
    expect(err(() => nr.ensureShape(x, [3]))).toBe('DisposedError: ensureShape: x is a disposed tensor (shape [3])');
  });

  it('rand calls randFunction once per element, row-major, and stores float32 values as TF.js', () => {
    for (const s of [[], [0], [1], [2, 3], [3, 1, 5]]) {
      let i = 0;
      let j = 0;
      const f = () => Math.PI * i++ - 2;
      const g = () => Math.PI * j++ - 2;
      expect(take(nr.rand(s, f)), `[${s}]`).toEqual(takeTf(tf.rand(s, g)));
      expect(i).toBe(sizeOf(s));
    }
    // NaN and ±Infinity pass unchecked (as TF.js).
    const odd = [NaN, Infinity, -Infinity, 1e40];
    let k = 0;
    expect(take(nr.rand([4], () => odd[k++], 'float32')).values).toEqual([NaN, Infinity, -Infinity, Infinity]);
    // A constant under grad.
    const x = nr.tensor([1, 2]);
    const gr = nr.grad((x: nr.Tensor) => x.mul(nr.rand([2], () => 3)).sum())(x);
    expect(Array.from(gr.data())).toEqual([3, 3]);
    gr.dispose();
    x.dispose();
  });

  it('rand: errors for the shape, dtype, randFunction and what it returns (TF.js stores NaN)', () => {
    expect(err(() => nr.rand([2], () => 'a' as unknown as number))).toBe('InvalidArgumentError: rand: randFunction returned the string "a" for element 0, not a number');
    let n = 0;
    expect(err(() => nr.rand([3], () => (n++ < 2 ? 1 : (undefined as unknown as number))))).toBe('InvalidArgumentError: rand: randFunction returned undefined for element 2, not a number');
    expect(Array.from(tf.rand([1], () => 'a' as unknown as number).dataSync())).toEqual([NaN]);
    expect(err(() => nr.rand([2], 5 as unknown as () => number))).toBe('InvalidArgumentError: rand: randFunction must be a function, got 5');
    expect(err(() => nr.rand([2], Math.random, 'int32' as 'float32'))).toMatch(/^InvalidArgumentError: rand: dtype must be 'float32'/);
    expect(err(() => nr.rand([1.5], Math.random))).toMatch(/^InvalidArgumentError: rand: shape\[0\] must be a non-negative integer, got 1.5/);
    expect(err(() => nr.rand([2], () => { throw new Error('inner'); }))).toBe('Error: inner');
    expect(err(() => nr.rand([2 ** 30], Math.random))).toMatch(/^OutOfMemoryError: rand:/);
  });
});

describe('signal.hannWindow, signal.hammingWindow', () => {
  const LENGTHS = [0, 2, 3, 4, 5, 6, 7, 10, 11, 64, 101];

  it("TF.js's bits for even (periodic) and odd (symmetric) lengths, 0 included", () => {
    for (const n of LENGTHS) {
      expect(take(nr.signal.hannWindow(n)), `hann ${n}`).toEqual(takeTf(tf.signal.hannWindow(n)));
      expect(take(nr.signal.hammingWindow(n)), `hamming ${n}`).toEqual(takeTf(tf.signal.hammingWindow(n)));
    }
  });

  it("length 1 is [1] (TensorFlow's and NumPy's; TF.js's is [NaN])", () => {
    expect(take(nr.signal.hannWindow(1))).toEqual({ shape: [1], values: [1] });
    expect(take(nr.signal.hammingWindow(1))).toEqual({ shape: [1], values: [1] });
    expect(takeTf(tf.signal.hannWindow(1)).values).toEqual([NaN]);
  });

  it('constants under grad, and errors for a length that is not a non-negative integer', () => {
    const x = nr.tensor([1, 2, 3]);
    const g = nr.grad((x: nr.Tensor) => x.mul(nr.signal.hannWindow(3)).sum())(x);
    expect(Array.from(g.data())).toEqual([0, 1, 0]);
    g.dispose();
    x.dispose();
    for (const [v, got] of [[-1, '-1'], [2.5, '2.5'], ['3', 'the string "3"'], [NaN, 'NaN'], [undefined, 'undefined']] as const) {
      expect(err(() => nr.signal.hannWindow(v as number))).toBe(`InvalidArgumentError: hannWindow: windowLength must be an integer in [0, 2147483647], got ${got}`);
    }
    expect(err(() => nr.signal.hammingWindow(-2))).toMatch(/^InvalidArgumentError: hammingWindow: windowLength must be an integer/);
    expect(err(() => nr.signal.hannWindow(2 ** 30))).toMatch(/^OutOfMemoryError: hannWindow:/);
  });
});

describe('signal.frame', () => {
  it('the frames TF.js gives: signals of length 0, 1, 2 and odd, every step, with and without padEnd', () => {
    for (const n of [0, 1, 2, 3, 5, 7, 10]) {
      const values = Array.from({ length: n }, (_, i) => i * 1.5 - 2);
      const x = nr.tensor1d(values);
      const tx = tf.tensor1d(values);
      for (const len of [1, 2, 3, 4, 8]) {
        for (const step of [1, 2, 3, 5]) {
          for (const [padEnd, padValue] of [[false, 0], [true, 0], [true, -7.5]] as const) {
            const what = `n ${n}, frameLength ${len}, frameStep ${step}, padEnd ${padEnd}, padValue ${padValue}`;
            expect(take(nr.signal.frame(x, len, step, padEnd, padValue)), what).toEqual(takeTf(tf.signal.frame(tx, len, step, padEnd, padValue)));
          }
        }
      }
      x.dispose();
      tx.dispose();
    }
  });

  it("gradients w.r.t. the signal as TF.js's (overlaps add up, padding gets none), within 1e-6", () => {
    const values = [0.5, -1, 2, 3.5, -0.25, 1, 4];
    for (const [len, step, padEnd] of [[3, 2, true], [3, 1, false], [2, 3, true], [4, 4, true], [1, 2, false], [9, 2, true]] as const) {
      const r = mulberry32(len * 10 + step);
      const x = nr.tensor1d(values);
      const tx = tf.tensor1d(values);
      const probe = nr.tidy(() => nr.signal.frame(x, len, step, padEnd, 9));
      const w = Array.from({ length: probe.size }, () => Math.fround(r() * 2 - 1));
      const wShape = [...probe.shape];
      probe.dispose();
      const g = nr.grad((s: nr.Tensor) => nr.signal.frame(s, len, step, padEnd, 9).mul(nr.tensor(w, wShape)).sum())(x);
      const tg = tf.grad((s: tf.Tensor) => tf.sum(tf.mul(tf.signal.frame(s as tf.Tensor1D, len, step, padEnd, 9), tf.tensor(w, wShape))))(tx);
      // A sample in several frames sums their gradients, in another order than TF.js (an ulp or two).
      const [mine, theirs] = [take(g), takeTf(tg)];
      expect(mine.shape).toEqual(theirs.shape);
      expectClose(mine.values, theirs.values, 1e-6, 1e-7);
      x.dispose();
      tx.dispose();
    }
  });

  it('takes an array (TF.js returns no frames for one: it reads its size)', () => {
    expect(take(nr.signal.frame([1, 2, 3], 2, 1))).toEqual({ shape: [2, 2], values: [1, 2, 2, 3] });
    expect(takeTf(tf.signal.frame([1, 2, 3] as unknown as tf.Tensor1D, 2, 1)).shape).toEqual([0, 2]);
    expect(take(nr.signal.frame([1, 2, 3, 4, 5], 3, 2, true))).toEqual({ shape: [3, 3], values: [1, 2, 3, 3, 4, 5, 5, 0, 0] });
  });

  it('past 2^24 samples (float32 indices are no longer exact) the frames are sliced one by one', () => {
    const n = 2 ** 24 + 10;
    const x = nr.range(0, n);
    const f = nr.signal.frame(x, 3, 2 ** 22, true, -1);
    expect(f.shape).toEqual([5, 3]);
    const want: number[] = [];
    const xs = x.data();
    for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) want.push(i * 2 ** 22 + j < n ? xs[i * 2 ** 22 + j] : -1);
    expect(Array.from(f.data())).toEqual(want);
    f.dispose();
    x.dispose();
  });

  it('errors: a signal that is not 1-D, a frame length or step below 1, padEnd or padValue of the wrong type', () => {
    const x = nr.tensor([1, 2, 3, 4]);
    expect(err(() => nr.signal.frame([[1, 2], [3, 4]], 1, 1))).toBe("InvalidArgumentError: frame: signal must be 1-D (TF.js's frame takes a Tensor1D), got shape [2,2]");
    expect(err(() => nr.signal.frame(5, 1, 1))).toBe("InvalidArgumentError: frame: signal must be 1-D (TF.js's frame takes a Tensor1D), got shape []");
    expect(err(() => nr.signal.frame(x, 0, 1))).toBe('InvalidArgumentError: frame: frameLength must be an integer in [1, 2147483647], got 0');
    expect(err(() => nr.signal.frame(x, 2, 0))).toBe('InvalidArgumentError: frame: frameStep must be an integer in [1, 2147483647], got 0');
    expect(err(() => nr.signal.frame(x, 2.5, 1))).toMatch(/frameLength must be an integer in \[1, 2147483647\], got 2.5/);
    expect(err(() => nr.signal.frame(x, 2, 1, 'yes' as unknown as boolean))).toBe('InvalidArgumentError: frame: padEnd must be true or false, got the string "yes"');
    expect(err(() => nr.signal.frame(x, 2, 1, true, '0' as unknown as number))).toBe('InvalidArgumentError: frame: padValue must be a number, got the string "0"');
    expect(err(() => nr.signal.frame('abc' as unknown as nr.Tensor, 2, 1))).toBe('InvalidArgumentError: frame: signal must be a Tensor, a number or an array of numbers, got the string "abc"');
    expect(err(() => nr.signal.frame(x, 2 ** 28, 1, true))).toMatch(/^OutOfMemoryError: frame: out of memory allocating 4294967296 bytes: the frames \[4, 268435456\]/);
    x.dispose();
    expect(err(() => nr.signal.frame(x, 2, 1))).toBe('DisposedError: frame: signal is a disposed tensor (shape [4])');
  });
});

describe('inTopKAsync', () => {
  it("TF.js's answers with ties (equal predictions rank in index order), every k, several batch shapes", async () => {
    for (const [shape, seed] of [[[1, 1], 1], [[3, 4], 2], [[2, 3, 5], 3], [[6, 7], 4], [[4, 2], 5]] as const) {
      const classes = shape[shape.length - 1];
      const rows = sizeOf(shape) / classes;
      const p = ties(seed, sizeOf(shape), 3);
      const r = mulberry32(seed + 100);
      const targets = Array.from({ length: rows }, () => Math.floor(r() * classes));
      const tShape = shape.slice(0, -1);
      const x = nr.tensor(p, [...shape]);
      const t = nr.tensor(targets, tShape);
      const tx = tf.tensor(p, [...shape]);
      const tt = tf.tensor(targets, tShape);
      for (let k = 1; k <= classes; k++) {
        expect(take(await nr.inTopKAsync(x, t, k)), `shape [${shape}], k ${k}`).toEqual(takeTf(await tf.inTopKAsync(tx, tt, k)));
      }
      nr.dispose([x, t]);
      tf.dispose([tx, tt]);
    }
  });

  it('ties and ±0 as TF.js; NaN ranks above every number (as topk)', async () => {
    const p = [[1, 3, 3, 2], [1, 3, 3, 2], [0, -0, 5, 5], [-0, 0, 1, 1]];
    for (const k of [1, 2, 3]) {
      for (const targets of [[1, 2, 1, 0], [2, 3, 0, 1], [0, 1, 3, 1]]) {
        expect(take(await nr.inTopKAsync(p, targets, k)), `k ${k}, targets [${targets}]`).toEqual(takeTf(await tf.inTopKAsync(tf.tensor(p), tf.tensor(targets), k)));
      }
    }
    expect(take(await nr.inTopKAsync([[1, NaN, 5, NaN]], [2], 1)).values).toEqual([0]);
    expect(take(await nr.inTopKAsync([[1, NaN, 5, NaN]], [2], 3)).values).toEqual([1]);
    expect(take(await nr.inTopKAsync([[1, NaN, 5, NaN]], [3], 1)).values).toEqual([0]);
    expect(take(await nr.inTopKAsync([[1, NaN, 5, NaN]], [3], 2)).values).toEqual([1]);
    expect(take(await nr.inTopKAsync([[1, NaN, 5, NaN]], [1], 1)).values).toEqual([1]);
  });

  it('TF.js\'s example; a batch of 0 rows; the result is float32 1/0 with targets\' shape', async () => {
    const p = nr.tensor2d([[20, 10, 40, 30], [30, 50, -20, 10]]);
    const t = nr.tensor1d([2, 0]);
    const got = await nr.inTopKAsync(p, t);
    expect([got.dtype, got.shape, Array.from(got.data())]).toEqual(['float32', [2], [1, 0]]);
    nr.dispose([got, p, t]);
    const empty = nr.zeros([0, 3]);
    const none = nr.zeros([0]);
    expect(take(await nr.inTopKAsync(empty, none, 2))).toEqual({ shape: [0], values: [] });
    nr.dispose([empty, none]);
  });

  it('errors reject the Promise, and leave nothing behind', async () => {
    expect(await rejection(() => nr.inTopKAsync([1, 2, 3], [0]))).toBe('InvalidArgumentError: inTopKAsync: predictions must have rank 2 or more ([...batch, classes]), got shape [3]');
    expect(await rejection(() => nr.inTopKAsync([[1, 2, 3]], [[0]]))).toBe('ShapeError: inTopKAsync: targets must have the shape of predictions without its last axis, [1]; got [1,1] (predictions [1,3])');
    expect(await rejection(() => nr.inTopKAsync([[1, 2], [3, 4]], [0]))).toBe('ShapeError: inTopKAsync: targets must have the shape of predictions without its last axis, [2]; got [1] (predictions [2,2])');
    for (const [k, got] of [[0, '0'], [4, '4'], [1.5, '1.5'], ['1', 'the string "1"']] as const) {
      expect(await rejection(() => nr.inTopKAsync([[1, 2, 3]], [0], k as number))).toBe(`InvalidArgumentError: inTopKAsync: k must be an integer in [1, 3] (the last dimension of predictions, shape [1,3]), got ${got}`);
    }
    for (const t of [-1, 3, 0.5, NaN]) {
      expect(await rejection(() => nr.inTopKAsync([[1, 2, 3], [4, 5, 6]], [0, t]))).toBe(`InvalidArgumentError: inTopKAsync: targets holds ${t} at flat position 1, not a class index in [0, 3) (predictions [2,3])`);
    }
    // TF.js answers 0 for a target that is not a class index.
    expect(takeTf(await tf.inTopKAsync(tf.tensor([[1, 2, 3]]), tf.tensor([7]), 3)).values).toEqual([0]);
    expect(await rejection(() => nr.inTopKAsync('p' as unknown as nr.Tensor, [0]))).toBe('InvalidArgumentError: inTopKAsync: predictions must be a Tensor, a number or an array of numbers, got the string "p"');
    const p = nr.tensor([[1, 2]]);
    p.dispose();
    expect(await rejection(() => nr.inTopKAsync(p, [0]))).toBe('DisposedError: inTopKAsync: predictions is a disposed tensor (shape [1,2])');
  });
});

describe('maxPoolWithArgmax', () => {
  const SHAPES = [[1, 3, 3, 1], [2, 5, 4, 3], [1, 4, 4, 2], [3, 2, 7, 1], [1, 1, 1, 2]];
  const CONFIGS: Array<[number | [number, number], number | [number, number], 'valid' | 'same']> = [
    [1, 1, 'valid'], [2, 2, 'valid'], [2, 1, 'same'], [3, 2, 'same'], [[2, 3], [1, 2], 'same'], [[1, 2], 1, 'valid'], [3, 3, 'same'],
  ];

  it("TF.js's results and indexes, ties included (the first maximum in row-major order), with and without the batch", () => {
    let seed = 0;
    for (const s of SHAPES) {
      const v = ties(++seed, sizeOf(s), 3);
      const x = nr.tensor(v, s);
      const tx = tf.tensor4d(v, s as [number, number, number, number]);
      for (const [f, st, pad] of CONFIGS) {
        if (pad === 'valid' && (s[1] < (Array.isArray(f) ? f[0] : f) || s[2] < (Array.isArray(f) ? f[1] : f))) continue;
        for (const withBatch of [false, true]) {
          const what = `[${s}] filter ${f} strides ${st} ${pad} includeBatchInIndex ${withBatch}`;
          const mine = nr.maxPoolWithArgmax(x, f, st, pad, withBatch);
          const theirs = tf.maxPoolWithArgmax(tx, f, st, pad, withBatch);
          expect(take(mine.result), what).toEqual(takeTf(theirs.result));
          expect(take(mine.indexes), what).toEqual(takeTf(theirs.indexes));
        }
      }
      x.dispose();
      tx.dispose();
    }
  });

  it('result is maxPool (differentiable, its gradient); indexes a float32 constant', () => {
    const v = [0.1, -0.5, 0.9, 0.3, -0.2, 0.7, 0.45, -0.9, 0.05, 0.6, 0.8, -0.35, 0.25, 0.5, -0.7, 0.15, 0.35, -0.1];
    const x = nr.tensor(v, [1, 3, 3, 2]);
    const g = nr.grad((x: nr.Tensor) => nr.maxPoolWithArgmax(x, 2, 1, 'valid').result.sum())(x);
    const want = nr.grad((x: nr.Tensor) => nr.maxPool(x, 2, 1, 'valid').sum())(x);
    expect(Array.from(g.data())).toEqual(Array.from(want.data()));
    const { result, indexes } = nr.maxPoolWithArgmax(x, 2, 1, 'valid');
    expect(indexes.dtype).toBe('float32');
    nr.dispose([g, want, result, indexes, x]);
  });

  it('a rank-3 x is one image (TF.js 4.22 throws); NaN and -Infinity windows (TF.js skips NaN, gives -1)', () => {
    const img = [1, 5, 3, 2, 0, 7, 7, 1, 4];
    const x3 = nr.tensor(img, [3, 3, 1]);
    const r3 = nr.maxPoolWithArgmax(x3, 2, 1, 'valid');
    x3.dispose();
    const r4 = tf.maxPoolWithArgmax(tf.tensor4d(img, [1, 3, 3, 1]), 2, 1, 'valid');
    expect(r3.result.shape).toEqual([2, 2, 1]);
    expect(take(r3.indexes).values).toEqual(takeTf(r4.indexes).values);
    expect(take(r3.result).values).toEqual(takeTf(r4.result).values);
    expect(String(thrown(() => tf.maxPoolWithArgmax(tf.tensor3d(img, [3, 3, 1]) as unknown as tf.Tensor4D, 2, 1, 'valid')))).toMatch(/Error/);
    const odd = nr.maxPoolWithArgmax([[[[1], [NaN]], [[NaN], [2]]], [[[-Infinity], [-Infinity]], [[-Infinity], [-Infinity]]]], 2, 2, 'valid', true);
    expect(take(odd.result).values).toEqual([NaN, -Infinity]);
    expect(take(odd.indexes).values).toEqual([1, 4]);
    const t = tf.maxPoolWithArgmax(tf.tensor4d([1, NaN, NaN, 2, -Infinity, -Infinity, -Infinity, -Infinity], [2, 2, 2, 1]), 2, 2, 'valid', true);
    expect(takeTf(t.indexes).values).toEqual([3, -1]);
    t.result.dispose();
  });

  it('errors name maxPoolWithArgmax and leave nothing behind', () => {
    const x = nr.zeros([1, 4, 4, 1]);
    expect(err(() => nr.maxPoolWithArgmax(x, 2, 2, 1 as unknown as 'same'))).toMatch(/^InvalidArgumentError: maxPoolWithArgmax: pad must be 'valid', 'same' or 0, got 1/);
    expect(err(() => nr.maxPoolWithArgmax(x, 0, 2, 'same'))).toBe('InvalidArgumentError: maxPoolWithArgmax: filterSize must be an integer in [1, 65536], got 0');
    expect(err(() => nr.maxPoolWithArgmax(x, 2, [1, 0] as [number, number], 'same'))).toBe('InvalidArgumentError: maxPoolWithArgmax: strides[1] must be an integer in [1, 65536], got 0');
    expect(err(() => nr.maxPoolWithArgmax(x, 2, 2, 'same', 1 as unknown as boolean))).toBe('InvalidArgumentError: maxPoolWithArgmax: includeBatchInIndex must be true or false, got 1');
    expect(err(() => nr.maxPoolWithArgmax([[1, 2], [3, 4]], 1, 1, 'valid'))).toBe('InvalidArgumentError: maxPoolWithArgmax: x must be [batch, height, width, channels] or [height, width, channels], got shape [2,2]');
    expect(err(() => nr.maxPoolWithArgmax(x, 5, 1, 'valid'))).toMatch(/^\w+Error: maxPoolWithArgmax: /);
    x.dispose();
    expect(err(() => nr.maxPoolWithArgmax(x, 2, 2, 'same'))).toBe('DisposedError: maxPoolWithArgmax: x is a disposed tensor (shape [1,4,4,1])');
  });
});
