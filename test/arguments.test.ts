// Argument validation of the public API (issue 7, items 9, 14, 15, 23 and 24): booleans that
// are never read from objects, integers that never wrap on their way into WebAssembly, sizes
// checked before anything is allocated, typed arrays that are really arrays of numbers, and a
// table that calls every public function with bad arguments and expects a NeuriteError that
// names the function — never a TypeError, a RangeError, a trap or a silent wrong answer.
import { afterAll, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { detached, expectNoLeak } from './setup.js';

/** Asserts that `f` throws a NeuriteError of class `cls` whose message matches `msg`. */
function throws(f: () => unknown, cls: new (...a: never[]) => nr.NeuriteError, msg: string | RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  const m = (err as Error).message;
  if (typeof msg === 'string') expect(m).toBe(msg);
  else expect(m).toMatch(msg);
}

const { InvalidArgumentError: Invalid, OutOfMemoryError: Oom } = nr;
const owned: nr.Tensor[] = [];
const t = <T extends nr.Tensor>(x: T): T => (owned.push(x), x);
afterAll(() => owned.forEach((x) => x.dispose()));
// The storage chunk (models.modelFromJSON's) loaded up front: importing it inside a probe gave the
// garbage collector time to free tensors other probes dropped, which moved the tensor count.
await import('../ts/io/store.js');

describe('item 9: booleans are booleans (matMul transposes, keepDims, …)', () => {
  const a = t(nr.tensor([[1, 2, 3], [4, 5, 6]])); // [2,3]
  const b = t(nr.tensor([[1, 0], [0, 1], [1, 1]])); // [3,2]
  const plain = [4, 5, 10, 11];

  it('matMul(a, b, { transposeA: false }) does not transpose a (it used to: an object read as true)', () => {
    expect(Array.from(nr.tidy(() => nr.matMul(a, b, { transposeA: false }).data()))).toEqual(plain);
    expect(Array.from(nr.tidy(() => a.matMul(b, { transposeA: false, transposeB: false }).data()))).toEqual(plain);
  });

  it('both forms transpose when asked, with the same result', () => {
    const bt = t(nr.transpose(b));
    const viaBool = nr.tidy(() => nr.matMul(a, bt, false, true).data());
    const viaOpts = nr.tidy(() => nr.matMul(a, bt, { transposeB: true }).data());
    expect(Array.from(viaOpts)).toEqual(plain);
    expect(Array.from(viaBool)).toEqual(plain);
    const at = t(nr.transpose(a));
    expect(Array.from(nr.tidy(() => nr.matMul(at, b, { transposeA: true }).data()))).toEqual(plain);
    expect(Array.from(nr.tidy(() => at.matMul(b, true).data()))).toEqual(plain);
  });

  it('anything else in a transpose position is an InvalidArgumentError', () => {
    const bad = (f: () => unknown, msg: string) => throws(() => expectNoLeak(f), Invalid, msg);
    bad(() => nr.matMul(a, b, 1 as never), 'matMul: transposeA must be true or false, got 1');
    bad(() => nr.matMul(a, b, 'true' as never), 'matMul: transposeA must be true or false, got the string "true"');
    bad(() => nr.matMul(a, b, false, {} as never), 'matMul: transposeB must be true or false, got an object (Object)');
    bad(() => nr.matMul(a, b, null as never), 'matMul: transposeA must be true or false, got null');
    bad(() => nr.matMul(a, b, { transposeC: true } as never), "matMul: unknown option 'transposeC' — did you mean 'transposeA'? (known: transposeA, transposeB)");
    bad(() => nr.matMul(a, b, { transposeA: 1 } as never), 'matMul: transposeA must be a boolean, got 1');
    bad(() => (nr.matMul as (...a: unknown[]) => nr.Tensor)(a, b, { transposeA: true }, true), 'matMul: with an options object as the third argument, there is no fourth argument (got boolean true)');
    bad(() => a.matMul(b, [true] as never), 'matMul: transposeA must be true or false, got an array of length 1');
  });

  it('keepDims must be a boolean in every reduction (an object or 1 is not true)', () => {
    const x = t(nr.ones([2, 3]));
    for (const op of ['sum', 'mean', 'max', 'min', 'prod', 'variance'] as const) {
      expect(nr[op](x, 1, true).shape).toEqual([2, 1]);
      for (const v of [{}, 1, 'yes', null, { keepDims: true }]) {
        throws(() => expectNoLeak(() => nr[op](x, 1, v as never)), Invalid, new RegExp(`^${op}: keepDims must be true or false, got `));
        throws(() => expectNoLeak(() => x[op](1, v as never)), Invalid, new RegExp(`^${op}: keepDims must be true or false, got `));
      }
    }
    throws(() => nr.moments(x, 0, {} as never), Invalid, 'moments: keepDims must be true or false, got an object (Object)');
  });

  it('other boolean positions: setDebug, fit shuffle, earlyStopping restoreBestWeights', async () => {
    throws(() => nr.setDebug({} as never), Invalid, 'setDebug: on must be true or false, got object');
    throws(() => nr.setDebug(1 as never), Invalid, 'setDebug: on must be true or false, got number');
    throws(() => nr.callbacks.earlyStopping({ restoreBestWeights: 1 as never }), Invalid, 'earlyStopping: restoreBestWeights must be true or false, got 1');
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = t(nr.zeros([4, 2]));
    const y = t(nr.zeros([4, 1]));
    await expect(m.fit(x, y, { shuffle: 0 as never, verbose: 0 })).rejects.toThrow('fit: shuffle must be true or false, got 0');
    await expect(m.fit(x, y, { verbose: 3 as never })).rejects.toThrow("fit: verbose must be 0, 1, 2, 'auto' or a boolean (Keras's values; true is 1), got 3");
    await expect(m.fit(x, y, { verbose: 'true' as never })).rejects.toThrow("fit: verbose must be 0, 1, 2, 'auto' or a boolean (Keras's values; true is 1), got the string \"true\"");
    m.dispose();
  });

  it('trainable switches of layers and nested models must be booleans (refused when set)', () => {
    const dense = nr.layers.dense({ inputShape: [2], units: 2, name: 'tsw' });
    const inner = nr.sequential({ layers: [dense], name: 'tswInner' });
    const m = nr.sequential({ layers: [inner, nr.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = t(nr.zeros([4, 2]));
    const y = t(nr.zeros([4, 1]));
    throws(() => ((dense as { trainable: unknown }).trainable = 0), Invalid, 'trainable: layer tsw takes true or false, got 0');
    throws(() => ((dense as { trainable: unknown }).trainable = 'false'), Invalid, 'trainable: layer tsw takes true or false, got the string "false"');
    throws(() => ((inner as { trainable: unknown }).trainable = { frozen: true }), Invalid, 'trainable: model tswInner takes true or false, got an object (Object)');
    expect([dense.trainable, inner.trainable, dense.trainableWeights.length]).toEqual([true, true, 2]);
    dense.trainable = false;
    expect(dense.trainableWeights).toEqual([]);
    expect(typeof m.trainOnBatch(x, y)).toBe('number');
    m.dispose();
  });
});

describe('item 14: integers never wrap on their way into WebAssembly', () => {
  const x = t(nr.tensor([[1, 2, 3], [4, 5, 6]]));

  it('sum(x, 2**32) used to sum over axis 0; now an error naming op, argument, value and rank', () => {
    throws(() => nr.sum(x, 2 ** 32), Invalid, 'sum: axis 4294967296 is out of range for a tensor of rank 2 (shape [2,3])');
    throws(() => x.mean([0, 2 ** 32 + 1]), Invalid, 'mean: axis 4294967297 is out of range for a tensor of rank 2 (shape [2,3])');
    throws(() => nr.max(x, -(2 ** 32)), Invalid, 'max: axis -4294967296 is out of range for a tensor of rank 2 (shape [2,3])');
    throws(() => nr.argMax(x, 2 ** 32), Invalid, 'argMax: axis 4294967296 is out of range for a tensor of rank 2 (shape [2,3])');
    throws(() => nr.argMin(x, 2 ** 32 + 1), Invalid, 'argMin: axis 4294967297 is out of range for a tensor of rank 2 (shape [2,3])');
    throws(() => nr.sum(x, [0, 0.5]), Invalid, 'sum: axis must be an integer, got 0.5');
  });

  it('transpose(x, [2**32 + 1, 2**32]) used to transpose; now an error', () => {
    throws(() => nr.transpose(x, [2 ** 32 + 1, 2 ** 32]), Invalid, 'transpose: perm[0] must be an integer in [-2147483648, 2147483647], got 4294967297 (perm [4294967297,4294967296])');
    throws(() => x.transpose([1, 2 ** 32]), Invalid, /^transpose: perm\[1\] must be an integer in \[-2147483648, 2147483647\], got 4294967296/);
    // Negative entries still count from the end, as before.
    expect(nr.tidy(() => nr.transpose(x, [-1, 0]).shape)).toEqual([3, 2]);
  });

  it('every other integer argument: squeeze, expandDims, split, gather, concat, stack, slice, tile, reshape, oneHot, softmax', () => {
    const big = 2 ** 32;
    const cases: Array<[() => unknown, RegExp]> = [
      [() => nr.squeeze(x, big), /^squeeze: axis must be an integer in \[-2147483648, 2147483647\], got 4294967296$/],
      [() => nr.squeeze(x, [big]), /^squeeze: axis\[0\] must be an integer in \[-2147483648, 2147483647\], got 4294967296/],
      [() => nr.expandDims(x, big), /^expandDims: axis must be an integer in \[-2147483648, 2147483647\], got 4294967296$/],
      [() => nr.split(x, 1, big), /^split: axis must be an integer in \[-2147483648, 2147483647\], got 4294967296$/],
      [() => nr.split(x, big + 1), /^split: numOrSizeSplits must be an integer in \[-2147483648, 2147483647\], got 4294967297$/],
      [() => nr.split(x, [big + 2, -big]), /^split: numOrSizeSplits\[0\] must be an integer/],
      [() => nr.gather(x, [0], big), /^gather: axis must be an integer in \[-2147483648, 2147483647\], got 4294967296$/],
      [() => nr.gather(x, [0], 0, big), /^gather: batchDims must be an integer in \[-2147483648, 2147483647\], got 4294967296$/],
      [() => x.gather([0], 0, 1), /^gather: batchDims 1 must be in \[-1, 1\] and at most axis \(0\)/],
      [() => nr.concat([x, x], big), /^concat: axis must be an integer in \[-2147483648, 2147483647\], got 4294967296$/],
      [() => nr.stack([x, x], big + 1), /^stack: axis must be an integer in \[-2147483648, 2147483647\], got 4294967297$/],
      [() => nr.slice(x, [big], [1]), /^slice: begin\[0\] must be an integer in \[-2147483648, 2147483647\], got 4294967296/],
      [() => nr.slice(x, [0, 0], [1, big + 3]), /^slice: size\[1\] must be an integer in \[-2147483648, 2147483647\], got 4294967299/],
      [() => nr.tile(x, [big + 1, 1]), /^tile: reps\[0\] must be an integer in \[-2147483648, 2147483647\], got 4294967297/],
      [() => nr.reshape(x, [big + 6]), /^reshape: shape\[0\] must be a non-negative integer or -1, got 4294967302/],
      [() => nr.oneHot([0], big + 2), /^oneHot: depth must be a non-negative integer, got 4294967298$/],
      [() => nr.softmax(x, { axis: big - 1 }), /^softmax: axis must be an integer in \[-2147483648, 2147483647\], got 4294967295$/],
    ];
    for (const [f, msg] of cases) throws(() => expectNoLeak(f), Invalid, msg);
  });

  it('a hole in a shape, axis or index list is an error naming it (map skipped holes: zeros([2,,3] as never) had size NaN, sum(x, [1,,] as never) summed axis 0 too)', () => {
    /* eslint-disable no-sparse-arrays */
    const m = nr.tensor([[1, 2, 3], [4, 5, 6]]);
    const cases: Array<[() => unknown, RegExp]> = [
      [() => nr.zeros([2, , 3] as never), /^zeros: shape\[1\] must be a non-negative integer, got undefined \(shape \[2,,3\]\)$/],
      [() => nr.ones([2, , 3] as never), /^ones: shape\[1\] must be a non-negative integer, got undefined/],
      [() => nr.buffer([2, , 2] as never), /^buffer: shape\[1\] must be a non-negative integer, got undefined/],
      [() => nr.tensor([1, 2, 3, 4], [2, ,] as never), /^tensor: shape\[1\] must be a non-negative integer, got undefined/],
      [() => nr.sum(m, [1, ,] as never), /^sum: axis must be an integer, got undefined$/],
      [() => nr.mean(m, [,] as never), /^mean: axis must be an integer, got undefined$/],
      [() => nr.transpose(m, [1, ,] as never), /^transpose: perm\[1\] must be an integer, got undefined/],
      [() => nr.reverse(m, [, 1] as never), /^reverse: axis\[0\] must be an integer, got undefined/],
      [() => nr.slice(m, [, 1] as never, [2, 2]), /^slice: begin\[0\] must be an integer, got undefined/],
      [() => nr.broadcastTo(m, [2, , 3] as never), /^broadcastTo: shape\[1\] must be a non-negative integer, got undefined/],
      [() => nr.tile(m, [2, ,] as never), /^tile: reps\[1\] must be an integer, got undefined/],
      [() => nr.pad(m, [[0, 0], ,] as never), /^pad: paddings\[1\] must be a pair \[before, after\], got undefined$/],
      [() => nr.mirrorPad(m, [[0, 0], ,] as never, 'reflect'), /^mirrorPad: paddings\[1\] must be a pair/],
      [() => nr.reshape(m, [3, ,] as never), /^reshape: shape\[1\] must be a non-negative integer or -1, got undefined/],
      [() => nr.stack([m, , m] as never), /^stack: tensors\[1\] must be/],
      [() => nr.gather(m, [0, , 1] as never), /^gather: indices\[1\] is undefined, not a number/],
    ];
    for (const [f, msg] of cases) throws(() => expectNoLeak(f), Invalid, msg);
    // reshape reads the shape once: a Proxy that changes it after the check changes nothing.
    let reads = 0;
    const lying = new Proxy([3, 2], { get: (t, k, r) => (k === '1' && reads++ > 0 ? 2 ** 40 : Reflect.get(t, k, r)) });
    const r = nr.reshape(m, lying);
    expect(r.shape).toEqual([3, 2]);
    nr.dispose([m, r]);
    // A Proxy of a typed array is no typed array: said so (was "a typed array, got an object (Float32Array)").
    expect(() => nr.tensor(new Proxy(new Float32Array(3), {}) as never)).toThrow(/got an object \(Float32Array\) that is not a real Float32Array \(a Proxy of one\?\): pass the typed array itself$/);
  });
});

describe('item 15: sizes are checked before anything is allocated', () => {
  /** Runs `f`, which must fail fast with OutOfMemoryError naming `op`, without growing memory. */
  function tooBig(op: string, f: () => unknown): void {
    const before = nr.memory();
    const t0 = performance.now();
    throws(f, Oom, new RegExp(`^${op}: out of memory allocating (\\d+|more than 2\\^53) bytes: .* more than the 536870911 \\(2\\^29 - 1\\) one tensor can hold$`));
    // Before: 5–15 s building a 4 GiB JS array for linspace(0, 1, 2**30).
    expect(performance.now() - t0).toBeLessThan(250);
    const after = nr.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.wasmBytes).toBe(before.wasmBytes);
  }

  it('MAX_ELEMENTS is what one wasm32 allocation can hold', () => {
    expect(nr.MAX_ELEMENTS).toBe(2 ** 29 - 1);
    expect(nr.MAX_ELEMENTS * 4).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('a result the core finds too large says so (was only "out of memory allocating N bytes")', () => {
    const [a, b] = [nr.zeros([1e5, 1]), nr.zeros([1, 1e5])];
    throws(() => nr.matMul(a, b), Oom, /^matMul: out of memory allocating 40000000000 bytes, more than one tensor may hold \(2\^29 - 1 float32 values, 2 GiB\): the result of this call is too large, whatever is freed/);
    nr.dispose([a, b]);
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 4096 })] });
    using x = nr.zeros([140000, 2]);
    throws(() => m.predict(x), Oom, /^predict: out of memory allocating \d+ bytes, more than one tensor may hold .*; predict's result for every row is one tensor: pass fewer rows per call/);
  });

  it('linspace and range', () => {
    tooBig('linspace', () => nr.linspace(0, 1, 2 ** 53 + 1)); // was a plain RangeError
    tooBig('linspace', () => nr.linspace(0, 1, 2 ** 30)); // was 4 GiB of JS first
    tooBig('linspace', () => nr.linspace(0, 1, nr.MAX_ELEMENTS + 1));
    tooBig('range', () => nr.range(0, 2 ** 30 - 1)); // was 4 GiB of JS first
    tooBig('range', () => nr.range(0, 2 ** 32));
    tooBig('range', () => nr.range(-1e308, 1e308, 1));
    tooBig('range', () => nr.range(0, 1, 1e-12));
    throws(() => nr.linspace(0, 1, 1.5), Invalid, 'linspace: num must be a non-negative integer, got 1.5');
    throws(() => nr.range(0, NaN), Invalid, 'range: stop must be a finite number, got NaN');
  });

  it('zeros, ones, fill, tensor(values, shape), random*, oneHot, eye, tile', () => {
    tooBig('zeros', () => nr.zeros([2 ** 30]));
    tooBig('zeros', () => nr.zeros([2 ** 16, 2 ** 16, 2 ** 16]));
    tooBig('ones', () => nr.ones([2 ** 15, 2 ** 15]));
    tooBig('fill', () => nr.fill([nr.MAX_ELEMENTS + 1], 3));
    tooBig('tensor', () => nr.tensor(new Array(2 ** 15).fill(new Array(2 ** 15).fill(0)))); // a shape too large for its values is a ShapeError (tensor-input.test.ts)
    tooBig('randomUniform', () => nr.randomUniform([2 ** 30]));
    tooBig('randomNormal', () => nr.randomNormal([2 ** 31, 2]));
    tooBig('truncatedNormal', () => nr.truncatedNormal([2 ** 32 - 1]));
    tooBig('oneHot', () => nr.oneHot([0, 1], 2 ** 29));
    const idx = t(nr.tensor([0, 1, 2, 3]));
    tooBig('oneHot', () => nr.oneHot(idx, 2 ** 28));
    tooBig('eye', () => nr.eye(2 ** 15, 2 ** 15));
    tooBig('eye', () => nr.eye(2 ** 32 - 1));
    const small = t(nr.zeros([2, 3]));
    tooBig('tile', () => nr.tile(small, [2 ** 14, 2 ** 14]));
    // Zero-size tensors are legal while the product of their other axes could be held
    // (the core's invariant: no partial product of a shape's dimensions can overflow).
    expect(nr.tidy(() => nr.zeros([0, 2 ** 20, 2 ** 8]).shape)).toEqual([0, 2 ** 20, 2 ** 8]);
    expect(nr.tidy(() => nr.oneHot([], 2 ** 28).shape)).toEqual([0, 2 ** 28]);
    throws(() => nr.zeros([0, 2 ** 32 - 1]), Invalid, /^zeros: shape \[0,4294967295\] is too large/);
    // A dimension of the result beyond u32 is an error even when another axis is 0 (issue 7 item 22, TS side).
    const empty = t(nr.zeros([0, 3]));
    throws(() => nr.tile(empty, [2 ** 31 - 1, 2 ** 31 - 1]), Invalid, /^tile: axis 1 of the result would have 6442450941 entries/);
  });

  it('values are written straight into WebAssembly memory (range, linspace, eye, ones, fill)', () => {
    nr.tidy(() => {
      expect(Array.from(nr.range(1, 10, 3).data())).toEqual([1, 4, 7]);
      expect(Array.from(nr.range(3).data())).toEqual([0, 1, 2]);
      expect(Array.from(nr.range(0, -1, -0.5).data())).toEqual([0, -0.5]);
      // TF.js's rule: the default step counts down when stop < start; another step pointing away
      // from stop gives nothing (TF.js 4.22 counts up for 0 < step < 1 there).
      expect(Array.from(nr.range(0, -3).data())).toEqual([0, -1, -2]);
      expect(Array.from(nr.range(2, -1, 1).data())).toEqual([2, 1, 0]);
      expect(nr.range(0, -3, 2).shape).toEqual([0]);
      expect(nr.range(0, -3, 0.5).shape).toEqual([0]);
      expect(nr.range(0, 3, -1).shape).toEqual([0]);
      expect(Array.from(nr.linspace(0, 1, 5).data())).toEqual([0, 0.25, 0.5, 0.75, 1]);
      expect(Array.from(nr.linspace(2, 3, 1).data())).toEqual([2]);
      expect(nr.linspace(2, 3, 0).shape).toEqual([0]);
      expect(Array.from(nr.eye(2, 3).data())).toEqual([1, 0, 0, 0, 1, 0]);
      expect(Array.from(nr.ones([2, 2]).data())).toEqual([1, 1, 1, 1]);
      expect(Array.from(nr.fill([3], -2).data())).toEqual([-2, -2, -2]);
      expect(nr.eye(0).shape).toEqual([0, 0]);
    });
  });

  it('dtype, where TF.js takes one, must be float32', () => {
    nr.tidy(() => {
      expect(nr.zeros([2], 'float32').shape).toEqual([2]);
      expect(nr.tensor([1, 2], [2], 'float32').shape).toEqual([2]);
      expect(nr.range(0, 3, 1, 'float32').size).toBe(3);
    });
    throws(() => nr.zeros([2], 'int32' as never), Invalid, "zeros: dtype must be 'float32' (float32 is the only dtype neurite supports today; ints and booleans are stored as float32 values), got the string \"int32\"");
    throws(() => nr.ones([2], 'bool' as never), Invalid, /^ones: dtype must be 'float32'/);
    throws(() => nr.fill([2], 1, 'int32' as never), Invalid, /^fill: dtype must be 'float32'/);
    throws(() => nr.tensor([1], [1], 'int32' as never), Invalid, /^tensor: dtype must be 'float32'/);
    // TF.js code passes 'int32' for indices: the fix is said (it named only the dtype rule).
    throws(() => nr.scalar(1, 'int32' as never), Invalid, /^scalar: dtype must be 'float32' .*got the string "int32"; leave the dtype out: indices and labels are float32 tensors of whole numbers here/);
    throws(() => nr.tensor1d([0, 2], 'int32' as never), Invalid, /; leave the dtype out/);
    expect(typeof nr.enableDebugMode).toBe('function');
    throws(() => nr.range(0, 3, 1, 'int32' as never), Invalid, /^range: dtype must be 'float32'/);
    // eye takes TF.js's batchShape (test/eye-batch.test.ts); its dtype is float32 as every op's.
    expect(nr.tidy(() => nr.eye(2, 2, [3]).shape)).toEqual([3, 2, 2]);
  });
});

describe('item 23: only typed arrays of numbers are values', () => {
  it('a DataView is not a typed array (it used to give shape [undefined])', () => {
    const dv = new DataView(new ArrayBuffer(16));
    throws(() => nr.tensor(dv as never), Invalid, /^tensor: values must be a number array or a typed array of numbers .*, got an object \(DataView\)$/);
    throws(() => nr.tensor(dv as never, [4]), Invalid, /got an object \(DataView\)$/);
    throws(() => nr.tensor(new BigInt64Array(2) as never), Invalid, /got an object \(BigInt64Array\)$/);
    throws(() => nr.tensor(new BigUint64Array(0) as never), Invalid, /got an object \(BigUint64Array\)$/);
    throws(() => nr.gather(t(nr.zeros([3])), dv as never), Invalid, /^gather: indices must be a Tensor, a number or an array of numbers, got an object \(DataView\)$/);
  });

  it('every typed array of numbers works, with its values', () => {
    const kinds = [Float32Array, Float64Array, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array];
    for (const K of kinds) {
      const v = nr.tidy(() => nr.tensor(new K([1, 2, 3, 4]), [2, 2]).data());
      expect(Array.from(v), K.name).toEqual([1, 2, 3, 4]);
    }
  });

  it('self-nesting arrays and absurd nesting do not hang', () => {
    const a: unknown[] = [];
    a.push(a);
    throws(() => nr.tensor(a as never), Invalid, 'tensor: values are nested more than 32 deep (the maximum rank is 32)');
    throws(() => nr.tensor([1], new Array(33).fill(1)), Invalid, 'tensor: shape has rank 33, which exceeds the maximum rank 32');
  });
});

describe('NumPy habits: an argument past the last is an error, not dropped', () => {
  const x = t(nr.tensor([[1, 2, 3], [4, 5, 6]]));
  const bad = (f: () => unknown, msg: string) => throws(() => expectNoLeak(f), Invalid, msg);
  const REDUCE = "keepDims comes right after axis (NumPy's dtype and out are not arguments here: tensors are float32)";
  const DDOF = 'the variance divides by the count (ddof 0, as TF.js moments); for the sample variance (ddof 1) multiply it by n / (n − 1)';

  it('variance and moments with a ddof, and their sample-variance recipe', () => {
    bad(() => (nr.variance as (...a: unknown[]) => unknown)(x, 1, false, 1), `variance: takes 3 arguments (x, axis, keepDims), got 4; ${DDOF}`);
    bad(() => (nr.moments as (...a: unknown[]) => unknown)(x, 1, false, 1), `moments: takes 3 arguments (x, axis, keepDims), got 4; ${DDOF}`);
    bad(() => (x.variance as (...a: unknown[]) => unknown)(1, false, 1), `variance: takes 2 arguments (axis, keepDims), got 3; ${DDOF}`);
    // The recipe the message gives is NumPy's ddof=1: [1, 2, 3] → 1, [4, 5, 6] → 1.
    expect(Array.from(nr.tidy(() => nr.variance(x, 1).mul(3 / 2).dataSync()))).toEqual([1, 1]);
  });

  it('the reductions, argMax/argMin, cumsum/cumprod, norm and linspace, as functions and methods', () => {
    for (const op of ['sum', 'mean', 'max', 'min', 'prod'] as const) {
      bad(() => (nr[op] as (...a: unknown[]) => unknown)(x, 1, true, 'float32'), `${op}: takes 3 arguments (x, axis, keepDims), got 4; ${REDUCE}`);
      bad(() => (x[op] as (...a: unknown[]) => unknown).call(x, 1, true, undefined), `${op}: takes 2 arguments (axis, keepDims), got 3; ${REDUCE}`);
    }
    const KEEP = "to keep the axis as size 1 (NumPy's keepdims), expandDims(argMax(x, axis), axis)";
    bad(() => (nr.argMax as (...a: unknown[]) => unknown)(x, 1, true), `argMax: takes 2 arguments (x, axis), got 3; ${KEEP}`);
    bad(() => (nr.argMin as (...a: unknown[]) => unknown)(x, 1, true), `argMin: takes 2 arguments (x, axis), got 3; ${KEEP}`);
    bad(() => (x.argMax as (...a: unknown[]) => unknown)(1, true), `argMax: takes 1 argument (axis), got 2; ${KEEP}`);
    const SCAN = "these are TF.js's arguments (NumPy's dtype and out are not arguments here: tensors are float32)";
    bad(() => (nr.cumsum as (...a: unknown[]) => unknown)(x, 1, false, false, 'x'), `cumsum: takes 4 arguments (x, axis, exclusive, reverse), got 5; ${SCAN}`);
    bad(() => (x.cumprod as (...a: unknown[]) => unknown)(1, false, false, 'x'), `cumprod: takes 3 arguments (axis, exclusive, reverse), got 4; ${SCAN}`);
    bad(() => (nr.norm as (...a: unknown[]) => unknown)(x, 2, 1, true, 'extra'), 'norm: takes 4 arguments (x, ord, axis, keepDims), got 5');
    bad(() => (x.norm as (...a: unknown[]) => unknown)(2, 1, true, 'extra'), 'norm: takes 3 arguments (ord, axis, keepDims), got 4');
    bad(() => (nr.linspace as (...a: unknown[]) => unknown)(0, 1, 5, false), "linspace: takes 3 arguments (start, stop, num), got 4; the last value is always stop (NumPy's endpoint=False is linspace(start, stop - (stop - start) / num, num))");
    // The endpoint=False recipe: NumPy's linspace(0, 1, 5, endpoint=False).
    expect(Array.from(nr.tidy(() => nr.linspace(0, 1 - 1 / 5, 5).dataSync()))).toEqual(Array.from(Float32Array.of(0, 0.2, 0.4, 0.6, 0.8)));
  });

  it('every argument given, even as undefined, is still fine', () => {
    const same = (a: nr.Tensor, b: nr.Tensor) => {
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      a.dispose();
      b.dispose();
    };
    same(nr.variance(x, undefined, undefined), nr.variance(x));
    same(x.sum(undefined, undefined), nr.sum(x));
    same(nr.argMax(x, undefined), nr.argMax(x, 0));
    same(x.cumsum(1, undefined, undefined), nr.cumsum(x, 1));
    same(nr.norm(x, undefined, undefined, undefined), nr.norm(x));
  });
});

// ---- item 24: every public function, every argument ----------------------------------------

/**
 * Bad values per kind of argument. A `?` suffix marks an optional argument: `undefined` is
 * then a valid value and is not probed.
 */
/** An array that contains itself (messages that print arguments must not loop or throw). */
const cyclic: unknown[] = [2];
cyclic.push(cyclic);
/** BigInts, symbols and cycles in integer positions used to escape as raw TypeErrors ("Do not know how to serialize a BigInt"). */
const EXOTIC = [5n, [5n], Symbol('s'), [Symbol('s')], cyclic];
const BAD: Record<string, unknown[]> = {
  tensor: [undefined, null, 1, NaN, 'x', true, {}, [1, 2], new Float32Array(2), 1n],
  tensorLike: [undefined, null, 'x', true, {}, [[1, 2], [3]], ['a'], 1n, [1e39], detached(Float32Array)], // arrays of numbers are TensorLike (as TF.js); ragged or non-numeric ones are not
  int: [undefined, null, 'x', true, {}, [], NaN, 1.5, Infinity, 2 ** 32, -(2 ** 32), 2 ** 53, 1n, Symbol('s')],
  axes: [undefined, 'x', true, {}, NaN, 1.5, Infinity, 2 ** 32, -(2 ** 32), [NaN], [2 ** 32], ['0'], ...EXOTIC],
  bool: [undefined, null, 0, 1, 'true', {}, [], NaN],
  number: [undefined, null, 'x', true, {}, [1], 1n],
  finite: [undefined, null, 'x', true, {}, [1], NaN, Infinity, -Infinity, 1n],
  shape: [undefined, null, 'x', 3, {}, [NaN], [-1], [1.5], ['2'], [2 ** 32], [2 ** 20, 2 ** 20], new Array(33).fill(1), ...EXOTIC],
  intList: [undefined, null, 'x', {}, [NaN], [1.5], ['1'], [2 ** 32], true, ...EXOTIC],
  options: [null, 'x', 1, [], { bogus: 1 }],
  values: [undefined, null, 'x', {}, new DataView(new ArrayBuffer(8)), new BigInt64Array(2), [1, 'a'], [[1], 2], [[1, 2], [3]], Symbol('s'), [1e39], new Float64Array([1, -1e39]), detached(Float32Array)],
  indices: [undefined, null, 'x', {}, [1, 'a'], [[1], 2], new DataView(new ArrayBuffer(4)), [2 ** 24 + 1], Int32Array.of(2 ** 24 + 1), detached(Int32Array), ...EXOTIC],
  tensors: [undefined, null, 'x', {}, 1, [1], [null], ['x']],
  fn: [undefined, null, 1, 'x', {}],
  activation: [undefined, null, 1, {}, 'nope', { name: 'nope' }, { name: 'relu', alpha: 1 }],
  model: [undefined, null, 1, 'x', {}],
  nonNegInt: [undefined, null, 'x', {}, NaN, -1, 1.5, 2 ** 32 + 1],
  /** A size per spatial axis (kernel, strides, dilations): a positive integer or a pair of them. */
  size2d: [undefined, null, 'x', true, {}, 0, -1, 1.5, NaN, 65537, [], [1], [1, 2, 3], [0, 1], [1, 1.5], ['1', 1], ...EXOTIC],
  /** conv2dTranspose's outputShape: 3 or 4 non-negative integers that go with x. */
  outputShape: [undefined, null, 'x', 3, {}, [], [6, 8], [2, 6, 8, 1, 1], [3, 6, 8, 1], [2, 6, 8, 2], [2, 9, 9, 1], [2, -1, 8, 1], [2, 6.5, 8, 1], ['2', 6, 8, 1], ...EXOTIC],
  /** conv1dTranspose's outputShape: 2 or 3 non-negative integers that go with x. */
  outputShape1d: [undefined, null, 'x', 3, {}, [], [10], [2, 10, 1, 1], [3, 10, 1], [2, 10, 2], [2, 13, 1], [2, -1, 1], [2, 6.5, 1], ['2', 10, 1], ...EXOTIC],
  /** image.resize*'s size: [newHeight, newWidth], non-negative integers whose output fits. */
  resizeSize: [undefined, null, 'x', 3, {}, [], [2], [2, 2, 2], [-1, 2], [1.5, 2], ['2', 2], [NaN, 2], [2 ** 31, 2], [2 ** 20, 2 ** 20], ...EXOTIC],
  /** conv2d/maxPool/avgPool's pad: 'valid', 'same' or TF.js's numeric 0 ('valid') only. */
  pad2d: [undefined, null, 'SAME', 'causal', 'x', 1, -0.5, [], {}, [[0, 0], [1, 1], [1, 1], [0, 0]]],
  /** conv1d's stride and dilation: a positive integer up to 65536. */
  stride1d: [undefined, null, 'x', true, {}, 0, -1, 1.5, NaN, 65537, [1]],
  /** conv1d's dataFormat: 'NWC' only. */
  dataFormatNWC: [null, 'NCW', 'NHWC', 1, {}],
  /** conv2d's dataFormat: 'NHWC' only. */
  dataFormat: [undefined, null, 'NCHW', 'channelsLast', 1, {}],
  /** TF.js's dimRoundingMode, which only applies to a numeric pad (not supported): always refused. */
  noRounding: ['floor', 'ceil', null, 1],
  /** pad's `[before, after]` pairs. */
  paddings: [undefined, null, 'x', 1, {}, [[1]], [[1, 2, 3]], [[-1, 0]], [[1.5, 0]], [[NaN, 0]], [['1', 0]], [1, 2], [[0, 0]], [[0, 0], [0, 0], [0, 0]]],
  /** mirrorPad's mode. */
  mirrorMode: [undefined, null, 'REFLECT', 'constant', 1, {}],
  bytes: [undefined, null, 'x', 1, {}, [1, 2], new Float32Array(2), new Int8Array(2), detached(Uint8Array)],
  image: [undefined, null, 'x', 1, [], {}, { data: [1], width: 1, height: 1 }, { data: new Uint8Array(4), width: 3, height: 1 }, { data: new Uint8Array(1), width: 1.5, height: 1 }, { data: detached(Uint8Array), width: 0, height: 0 }],
  seed: [undefined, null, 'x', {}, NaN, -1, 1.5, 2 ** 53 + 2],
  /** TF.js positional `alpha` beside `{ alpha }`: a number or an options object. */
  alpha: [null, 'x', true, [1], 1n, Symbol('s')],
  /** TF.js positional `dim` beside `{ axis }`: an integer or an options object. */
  axis: [null, 'x', true, [], NaN, 1.5, Infinity, 2 ** 32, -(2 ** 32), 1n, Symbol('s')],
  dtype: [undefined, null, 'int32', 'bool', 'float64', 1, {}],
  /** An exportTrainingState result (the good one comes from an adam model with 2 weights). */
  trainingState: [undefined, null, 1, 'x', [], {}, { optimizer: { name: 'adam' }, step: -1, extra: {}, tensors: [] }, { optimizer: { name: 'sgd' }, step: 0, extra: { formatVersion: 1, seed: 0, lrScale: 1 }, tensors: [] }],
  /** An optimizer's getConfig(). */
  optimizerConfig: [undefined, null, 'adam', 1, [], {}, { name: 'nope' }, { name: 'adam', learningRate: 'x' }, { name: 'adam', learningRate: { name: 'x' } }, { name: 'sgd', momentum: 2 }, { name: 'adam', bogus: 1 }],
  /** What `dispose` takes: a disposable, or arrays and plain objects of them (other values are skipped, as tf.dispose: only a function is refused). */
  container: [() => 1],
  /** searchSorted's side: 'left' or 'right' only. */
  side: [null, 'LEFT', 'both', 1, true, {}],
  /** pool's poolingType: 'avg' or 'max' only (TF.js max-pools for anything else). */
  poolingType: [undefined, null, 'MAX', 'mean', 'min', 1, {}],
  /** A probability in [0, 1) (dropout's rate). */
  rate: [undefined, null, 'x', true, {}, [0.5], NaN, -0.1, 1, Infinity, 1n],
  /** An einsum equation for two tensors of shapes [2, 3] and [3, 1]: outside the subset, or not matching them. */
  equation: [undefined, null, 1, {}, ['ij,jk->ik'], 'ij,jk', 'ij,jk->ik->ik', '...j,jk->k', 'ii,jk->ik', 'i1,jk->ik', 'ij,jk->ii', 'ij,jk->iz', 'ij,jk,kl->il', 'i,jk->ik', 'ij,ik->jk'],
  /** fromPixels's numChannels: 1, 3 or 4. */
  numChannels: [null, 'x', true, {}, 0, 2, 5, 3.5, NaN, '3', 1n],
  /** toPixels's canvas: a canvas with a 2-D context (none exists in Node). */
  canvas: [1, 'x', true, {}, []],
  /** setBackend's name: one of TF.js's backends. */
  backend: [undefined, null, 1, {}, 'WASM', 'webgpl', ['wasm']],
  /** cropAndResize's method: 'bilinear' or 'nearest' only. */
  cropMethod: [null, 'BILINEAR', 'area', 1, {}],
  /** threshold's method: 'binary' or 'otsu' only. */
  thresholdMethod: [null, 'OTSU', 'adaptive', 1, {}],
  /** transform's interpolation: 'nearest' or 'bilinear' only. */
  interpolation: [null, 'linear', 'NEAREST', 1, {}],
  /** transform's fillMode: 'constant', 'reflect', 'wrap' or 'nearest' only (TF.js reads anything else as 'constant'). */
  fillMode: [null, 'symmetric', 'CONSTANT', 1, {}],
  /** A plain JSON object (setUserDefinedMetadata; `undefined` clears it, so it is valid). */
  jsonObject: [null, 1, 'x', [], new Date(0), { a: new Date(0) }, { f: () => 1 }, { a: [1, Symbol('s')] }, Object.create(null), { neurite: {} }],
  /** An argument that must be left out (CustomCallback's yieldEvery, modelFromJSON's customObjects: fit's and neurite's business). */
  absent: [null, 'auto', 1, {}],
  /** A model topology (what model.toJSON() gives, parsed) or { modelTopology, weightsManifest, pathPrefix }. */
  modelTopology: [undefined, null, 1, 'x', [], {}, { class_name: 'Nope', config: {} }, { modelTopology: 1 }, { modelTopology: {}, bogus: 1 }, { modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [] }],
  /** The receiver of a method: not probed. */
  self: [],
  /** Anything is valid (util.assert's condition, read for its truthiness as TF.js): not probed. */
  any: [],
  /** An array or typed array (util's shuffles and flatten; not a DataView). */
  array: [undefined, null, 'x', 1, {}, true, new DataView(new ArrayBuffer(4)), 1n, Symbol('s')],
  /** An array, a typed array, or null/undefined (util.arraysEqual's operands; flatten's result). */
  arrayOrNull: ['x', 1, {}, true, new DataView(new ArrayBuffer(4)), 1n, Symbol('s')],
  /** Dimensions to multiply (util.sizeFromShape): non-negative integers, with no limit on their product. */
  dims: [undefined, null, 'x', 3, {}, [NaN], [-1], [1.5], ['2'], [Infinity], ...EXOTIC],
};

function badValues(kind: string): unknown[] {
  const optional = kind.endsWith('?');
  const base = BAD[optional ? kind.slice(0, -1) : kind];
  if (!base) throw new Error(`no bad values for kind ${kind}`);
  // An optional seed may also be null, as TF.js's (no seed: the global generator's next draw).
  return optional ? base.filter((v) => v !== undefined && !(kind === 'seed?' && v === null)) : base;
}

type Entry = {
  /** The public name (a function, `Tensor.method`, `Sequential.method`, `namespace.fn`). */
  name: string;
  /** The op named in errors (default: the last part of `name`). */
  op?: string | RegExp;
  call: (...a: unknown[]) => unknown;
  /** Valid arguments (made fresh for each probe). */
  good: () => unknown[];
  kinds: string[];
  /** Per argument position, bad values that are in fact valid there. */
  allow?: Record<number, unknown[]>;
  /** An async function (TF.js's `*Async`, `setBackend`, …): it returns a Promise that rejects, never throws. */
  async?: true;
};

const X = t(nr.tensor([[1, 2, 3], [4, 5, 6]]));
const V = t(nr.tensor([1, 2, 3]));
const C = t(nr.tensor([[0, 0], [1, 1]]));
const W = t(nr.tensor([1, 1]));
const pts = t(nr.tensor([[0, 0], [0, 1], [1, 0], [1, 1], [5, 5], [5, 6]]));
const labels = t(nr.tensor([[0], [0], [0], [1], [1], [1]]));
const A2 = t(nr.tensor([[2, 1], [1, 3]]));
/** Two 3×4 images with 2 channels, and a 2×2 filter from 2 to 3 channels. */
const IMG = t(nr.ones([2, 3, 4, 2]));
const FILTER = t(nr.ones([2, 2, 2, 3]));
const SEQ = t(nr.ones([2, 5, 2]));
const FILTER1D = t(nr.ones([2, 2, 3]));
const TFILTER1D = t(nr.ones([2, 1, 2]));
/** A transposed convolution's 2×2 filter from 2 channels to 1. */
const TFILTER = t(nr.ones([2, 2, 1, 2]));
/** A pointwise filter for IMG through FILTER as a depthwise filter (2 channels × 3). */
const PWFILTER = t(nr.ones([1, 1, 6, 2]));
/** Tensors shared by every probe (never disposed by one). */
const SHARED = new Set<unknown>([X, V, C, W, A2, pts, labels, IMG, FILTER, TFILTER, PWFILTER, SEQ, FILTER1D, TFILTER1D]);
const fnOf = (name: string) => (nr as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
const method = (name: string) => (self: unknown, ...a: unknown[]) => (self as Record<string, (...a: unknown[]) => unknown>)[name](...a);

const binaryNames = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'atan2', 'mod', 'floorDiv'];
const unaryNames = ['neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'sign', 'floor', 'ceil', 'round', 'reciprocal', 'log1p', 'expm1', 'sin', 'cos',
  'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'erf', 'rsqrt'];
const reduceNames = ['sum', 'mean', 'max', 'min', 'prod', 'variance'];
const plainActivations = ['relu', 'softplus', 'sigmoid', 'tanh', 'selu', 'gelu', 'swish', 'silu', 'hardSigmoid', 'softsign', 'relu6', 'mish', 'geluNew', 'hardSilu'];
const optionActivations: Array<[string, Record<string, unknown>]> = [
  ['leakyRelu', { alpha: 0.1 }], ['elu', { alpha: 1 }], ['softmax', { axis: -1 }], ['logSoftmax', { axis: 0 }],
  ['linear', { slope: 2 }], ['stairStep', { step: 1, straightThrough: true }], ['unitStep', { threshold: 0, straightThrough: false }], ['heaviside', { atZero: 0.5, straightThrough: true }],
  ['cappedRelu', { maxValue: 1 }],
];

const built = () => {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
};

const builtAdam = () => {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
};

/** A tiny VAE encoder: dense, then a variational layer. */
const vaeEncoder = () => nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 }), nr.layers.variational({ units: 1 })] });

/** A tiny untrained autoencoder 4 → 2 → 4 (2×2 images), shared by the codecs.learned probes. */
let tinyAeShared: nr.Autoencoder | undefined;
function tinyAe(): nr.Autoencoder {
  if (!tinyAeShared) {
    tinyAeShared = nr.autoencoder({ encoder: nr.layers.dense({ inputShape: [4], units: 2, activation: 'sigmoid' }), decoder: nr.layers.dense({ units: 4, activation: 'sigmoid' }) });
    SHARED.add(tinyAeShared); // never disposed by a probe
  }
  return tinyAeShared;
}
const tinyCodec = () => nr.codecs.learned.fromAutoencoder(tinyAe(), { imageShape: [2, 2], bits: 3 });
afterAll(() => tinyAeShared?.dispose());

const TABLE: Entry[] = [
  // creation
  { name: 'tensor', call: fnOf('tensor'), good: () => [[1, 2, 3, 4], [2, 2]], kinds: ['values', 'shape?'], allow: { 1: [null] } },
  { name: 'tensor1d', call: fnOf('tensor1d'), good: () => [[1, 2, 3], 'float32'], kinds: ['values', 'dtype?'] },
  ...[2, 3, 4].map((r): Entry => ({ name: `tensor${r}d`, call: fnOf(`tensor${r}d`), good: () => [[1, 2, 3, 4], [4, 1, 1, 1].slice(0, r), 'float32'], kinds: ['values', 'shape?', 'dtype?'], allow: { 1: [null] } })),
  { name: 'scalar', call: fnOf('scalar'), good: () => [3], kinds: ['number'], allow: { 0: [true] } },
  { name: 'zeros', call: fnOf('zeros'), good: () => [[2, 2]], kinds: ['shape'] },
  { name: 'ones', call: fnOf('ones'), good: () => [[2, 2]], kinds: ['shape'] },
  { name: 'fill', call: fnOf('fill'), good: () => [[2, 2], 3], kinds: ['shape', 'number'] },
  { name: 'zerosLike', call: fnOf('zerosLike'), good: () => [X], kinds: ['tensorLike'] },
  { name: 'onesLike', call: fnOf('onesLike'), good: () => [X], kinds: ['tensorLike'] },
  { name: 'clone', call: fnOf('clone'), good: () => [X], kinds: ['tensorLike'] },
  { name: 'stopGradient', call: fnOf('stopGradient'), good: () => [X], kinds: ['tensorLike'] },
  { name: 'cast', call: fnOf('cast'), good: () => [X, 'float32'], kinds: ['tensorLike', 'dtype'] },
  { name: 'Tensor.cast', op: 'cast', call: method('cast'), good: () => [X, 'float32'], kinds: ['self', 'dtype'] },
  { name: 'eye', call: fnOf('eye'), good: () => [2, 3], kinds: ['nonNegInt', 'nonNegInt?'], allow: { 1: [null] } },
  { name: 'range', call: fnOf('range'), good: () => [0, 5, 1], kinds: ['finite', 'finite?', 'finite?'], allow: { 1: [null] } },
  { name: 'linspace', call: fnOf('linspace'), good: () => [0, 1, 5], kinds: ['finite', 'finite', 'nonNegInt'] },
  // element-wise, reductions, selection
  ...binaryNames.map((n): Entry => ({ name: n, call: fnOf(n), good: () => [X, 2], kinds: ['tensorLike', 'tensorLike'] })),
  ...binaryNames.map((n): Entry => ({ name: `Tensor.${n}`, op: n, call: method(n), good: () => [X, V], kinds: ['self', 'tensorLike'] })),
  ...unaryNames.filter((n) => n !== 'sign').map((n): Entry => ({ name: n, call: fnOf(n), good: () => [X], kinds: ['tensorLike'] })), // TF.js's TensorLike: exp([1, 2])
  { name: 'sign', call: fnOf('sign'), good: () => [X, { straightThrough: true }], kinds: ['tensorLike', 'options?'] },
  ...reduceNames.map((n): Entry => ({ name: n, call: fnOf(n), good: () => [X, 1, true], kinds: ['tensorLike', 'axes?', 'bool?'], allow: { 1: [null] } })),
  ...reduceNames.map((n): Entry => ({ name: `Tensor.${n}`, op: n, call: method(n), good: () => [X, 1, true], kinds: ['self', 'axes?', 'bool?'], allow: { 1: [null] } })),
  { name: 'moments', call: fnOf('moments'), good: () => [X, 1, false], kinds: ['tensorLike', 'axes?', 'bool?'], allow: { 1: [null] } },
  { name: 'argMax', call: fnOf('argMax'), good: () => [X, 1], kinds: ['tensorLike', 'int?'] },
  { name: 'argMin', call: fnOf('argMin'), good: () => [X, 1], kinds: ['tensorLike', 'int?'] },
  { name: 'clipByValue', call: fnOf('clipByValue'), good: () => [X, 0, 1], kinds: ['tensorLike', 'number', 'number'] },
  { name: 'where', call: fnOf('where'), good: () => [X, X, 0], kinds: ['tensorLike', 'tensorLike', 'tensorLike'] },
  // matrices and shapes
  { name: 'matMul', call: fnOf('matMul'), good: () => [X, X, false, true], kinds: ['tensorLike', 'tensorLike', 'bool?', 'bool?'] },
  { name: 'Tensor.matMul', op: 'matMul', call: method('matMul'), good: () => [X, X, false, true], kinds: ['self', 'tensorLike', 'bool?', 'bool?'] },
  { name: 'dot', call: fnOf('dot'), good: () => [V, V], kinds: ['tensorLike', 'tensorLike'] },
  { name: 'outerProduct', call: fnOf('outerProduct'), good: () => [V, V], kinds: ['tensorLike', 'tensorLike'] },
  { name: 'reshape', call: fnOf('reshape'), good: () => [X, [3, 2]], kinds: ['tensorLike', 'shape'], allow: { 1: [[-1]] } },
  { name: 'transpose', call: fnOf('transpose'), good: () => [X, [1, 0]], kinds: ['tensorLike', 'intList?'], allow: { 1: [null] } },
  { name: 'squeeze', call: fnOf('squeeze'), good: () => [X], kinds: ['tensorLike', 'axes?'], allow: { 1: [null] } },
  { name: 'expandDims', call: fnOf('expandDims'), good: () => [X, 1], kinds: ['tensorLike', 'int?'] },
  { name: 'slice', call: fnOf('slice'), good: () => [X, [0, 1], [1, 2]], kinds: ['tensorLike', 'intList', 'intList?'], allow: { 2: [null] } },
  { name: 'split', call: fnOf('split'), good: () => [X, 3, 1], kinds: ['tensorLike', 'intList', 'int?'] },
  { name: 'gather', call: fnOf('gather'), good: () => [X, [1, 0], 0], kinds: ['tensorLike', 'indices', 'int?'] },
  { name: 'oneHot', call: fnOf('oneHot'), good: () => [[0, 2], 3, 1, 0], kinds: ['indices', 'nonNegInt', 'number?', 'number?'] },
  { name: 'concat', call: fnOf('concat'), good: () => [[X, X], 1], kinds: ['tensors', 'int?'] },
  { name: 'stack', call: fnOf('stack'), good: () => [[X, X], 1], kinds: ['tensors', 'int?'] },
  { name: 'tile', call: fnOf('tile'), good: () => [X, [2, 1]], kinds: ['tensorLike', 'intList'] },
  { name: 'reverse', call: fnOf('reverse'), good: () => [X, [0, 1]], kinds: ['tensorLike', 'axes?'], allow: { 1: [null] } },
  { name: 'pad', call: fnOf('pad'), good: () => [X, [[1, 0], [0, 2]], -1], kinds: ['tensorLike', 'paddings', 'number?'] },
  { name: 'mirrorPad', call: fnOf('mirrorPad'), good: () => [X, [[1, 0], [0, 2]], 'reflect'], kinds: ['tensorLike', 'paddings', 'mirrorMode'] },
  { name: 'Tensor.mirrorPad', op: 'mirrorPad', call: method('mirrorPad'), good: () => [X, [[2, 2], [3, 3]], 'symmetric'], kinds: ['self', 'paddings', 'mirrorMode'] },
  { name: 'cumsum', call: fnOf('cumsum'), good: () => [X, 1, true, false], kinds: ['tensorLike', 'int?', 'bool?', 'bool?'] },
  { name: 'topk', call: fnOf('topk'), good: () => [X, 2, true], kinds: ['tensorLike', 'nonNegInt?', 'bool?'] },
  { name: 'conv2d', call: fnOf('conv2d'), good: () => [IMG, FILTER, 1, 'same', 'NHWC', 1], kinds: ['tensorLike', 'tensorLike', 'size2d', 'pad2d', 'dataFormat?', 'size2d?', 'noRounding'] },
  { name: 'conv1d', call: fnOf('conv1d'), good: () => [SEQ, FILTER1D, 1, 'same', 'NWC', 1], kinds: ['tensorLike', 'tensorLike', 'stride1d', 'pad2d', 'dataFormatNWC?', 'stride1d?', 'noRounding'] },
  { name: 'Tensor.conv1d', op: 'conv1d', call: method('conv1d'), good: () => [SEQ, FILTER1D, 2, 'valid'], kinds: ['self', 'tensorLike', 'stride1d', 'pad2d', 'dataFormatNWC?', 'stride1d?', 'noRounding'] },
  { name: 'conv1dTranspose', call: fnOf('conv1dTranspose'), good: () => [SEQ, TFILTER1D, [2, 10, 1], 2, 'same'], kinds: ['tensorLike', 'tensorLike', 'outputShape1d', 'stride1d', 'pad2d'] },
  { name: 'Tensor.conv1dTranspose', op: 'conv1dTranspose', call: method('conv1dTranspose'), good: () => [SEQ, TFILTER1D, [2, 6, 1], 1, 'valid'], kinds: ['self', 'tensorLike', 'outputShape1d', 'stride1d', 'pad2d'] },
  { name: 'conv2dTranspose', call: fnOf('conv2dTranspose'), good: () => [IMG, TFILTER, [2, 6, 8, 1], 2, 'same'], kinds: ['tensorLike', 'tensorLike', 'outputShape', 'size2d', 'pad2d', 'noRounding'] },
  { name: 'Tensor.conv2dTranspose', op: 'conv2dTranspose', call: method('conv2dTranspose'), good: () => [IMG, TFILTER, [2, 4, 5, 1], 1, 'valid'], kinds: ['self', 'tensorLike', 'outputShape', 'size2d', 'pad2d', 'noRounding'] },
  { name: 'maxPool', call: fnOf('maxPool'), good: () => [IMG, 2, 1, 'valid'], kinds: ['tensorLike', 'size2d', 'size2d', 'pad2d', 'noRounding'] },
  { name: 'avgPool', call: fnOf('avgPool'), good: () => [IMG, [2, 1], [1, 2], 'same'], kinds: ['tensorLike', 'size2d', 'size2d', 'pad2d', 'noRounding'] },
  { name: 'Tensor.conv2d', op: 'conv2d', call: method('conv2d'), good: () => [IMG, FILTER, [1, 2], 'valid'], kinds: ['self', 'tensorLike', 'size2d', 'pad2d', 'dataFormat?', 'size2d?', 'noRounding'] },
  { name: 'depthwiseConv2d', call: fnOf('depthwiseConv2d'), good: () => [IMG, FILTER, 1, 'same', 'NHWC', 1], kinds: ['tensorLike', 'tensorLike', 'size2d', 'pad2d', 'dataFormat?', 'size2d?', 'noRounding'] },
  { name: 'Tensor.depthwiseConv2d', op: 'depthwiseConv2d', call: method('depthwiseConv2d'), good: () => [IMG, FILTER, [1, 2], 'valid'], kinds: ['self', 'tensorLike', 'size2d', 'pad2d', 'dataFormat?', 'size2d?'] },
  { name: 'separableConv2d', call: fnOf('separableConv2d'), good: () => [IMG, FILTER, PWFILTER, 1, 'same', 1, 'NHWC'], kinds: ['tensorLike', 'tensorLike', 'tensorLike', 'size2d', 'pad2d', 'size2d?', 'dataFormat?'] },
  { name: 'Tensor.separableConv2d', op: 'separableConv2d', call: method('separableConv2d'), good: () => [IMG, FILTER, PWFILTER, 2, 'same'], kinds: ['self', 'tensorLike', 'tensorLike', 'size2d', 'pad2d', 'size2d?', 'dataFormat?'] },
  { name: 'Tensor.maxPool', op: 'maxPool', call: method('maxPool'), good: () => [IMG, 2, 2, 'same'], kinds: ['self', 'size2d', 'size2d', 'pad2d', 'noRounding'] },
  { name: 'Tensor.avgPool', op: 'avgPool', call: method('avgPool'), good: () => [IMG, 1, 1, 'valid'], kinds: ['self', 'size2d', 'size2d', 'pad2d', 'noRounding'] },
  { name: 'image.resizeBilinear', op: 'resizeBilinear', call: (...a) => nr.image.resizeBilinear(...(a as Parameters<typeof nr.image.resizeBilinear>)), good: () => [IMG, [5, 7], true], kinds: ['tensorLike', 'resizeSize', 'bool?', 'bool?'] },
  { name: 'linalg.qr', op: 'linalg.qr', call: (...a) => nr.linalg.qr(...(a as Parameters<typeof nr.linalg.qr>)), good: () => [X, true], kinds: ['tensorLike', 'bool?'] },
  { name: 'linalg.bandPart', op: 'linalg.bandPart', call: (...a) => nr.linalg.bandPart(...(a as Parameters<typeof nr.linalg.bandPart>)), good: () => [X, 1, -1], kinds: ['tensorLike', 'int', 'int'] },
  { name: 'image.resizeNearestNeighbor', op: 'resizeNearestNeighbor', call: (...a) => nr.image.resizeNearestNeighbor(...(a as Parameters<typeof nr.image.resizeNearestNeighbor>)), good: () => [IMG, [2, 1], false, true], kinds: ['tensorLike', 'resizeSize', 'bool?', 'bool?'] },
  { name: 'image.flipLeftRight', op: 'flipLeftRight', call: (x) => nr.image.flipLeftRight(x as nr.Tensor), good: () => [IMG], kinds: ['tensorLike'] },
  { name: 'image.rgbToGrayscale', op: 'rgbToGrayscale', call: (x) => nr.image.rgbToGrayscale(x as nr.Tensor), good: () => [t(nr.ones([2, 3]))], kinds: ['tensorLike'] },
  { name: 'image.grayscaleToRGB', op: 'grayscaleToRGB', call: (x) => nr.image.grayscaleToRGB(x as nr.Tensor), good: () => [t(nr.ones([2, 1]))], kinds: ['tensorLike'] },
  { name: 'image.cropAndResize', op: 'cropAndResize', call: (...a) => (nr.image.cropAndResize as (...a: unknown[]) => unknown)(...a), good: () => [IMG, [[0, 0, 1, 1], [1, 1, -0.5, 0]], [1, 0], [2, 3], 'nearest', 1], kinds: ['tensorLike', 'tensorLike', 'tensorLike', 'resizeSize', 'cropMethod?', 'number?'] },
  ...(['nonMaxSuppression', 'nonMaxSuppressionAsync', 'nonMaxSuppressionWithScore', 'nonMaxSuppressionWithScoreAsync', 'nonMaxSuppressionPadded', 'nonMaxSuppressionPaddedAsync'] as const).map((n): Entry => ({
    name: `image.${n}`, op: n, call: (...a) => (nr.image[n] as (...a: unknown[]) => unknown)(...a),
    good: () => [[[0, 0, 1, 1], [0, 0, 0.5, 0.5]], [0.5, 0.7], 2, 0.5, 0, ...(n.startsWith('nonMaxSuppressionWithScore') ? [0.5] : n.startsWith('nonMaxSuppressionPadded') ? [true] : [])],
    kinds: ['tensorLike', 'tensorLike', 'nonNegInt', 'rate?', 'number?', ...(n.startsWith('nonMaxSuppressionWithScore') ? ['rate?'] : n.startsWith('nonMaxSuppressionPadded') ? ['bool?'] : [])],
    // null thresholds are the defaults (as TF.js); an IoU threshold or a sigma of 1 is valid.
    allow: { 3: [null, 1], 4: [null], 5: [null, 1] },
    ...(n.endsWith('Async') ? { async: true as const } : {}),
  })),
  { name: 'image.threshold', op: 'threshold', call: (...a) => (nr.image.threshold as (...a: unknown[]) => unknown)(...a), good: () => [[[[1], [200]], [[30], [128]]], 'otsu', true, 0.5], kinds: ['tensorLike', 'thresholdMethod?', 'bool?', 'number?'] },
  { name: 'image.transform', op: 'transform', call: (...a) => (nr.image.transform as (...a: unknown[]) => unknown)(...a), good: () => [IMG, [[1, 0, 0.5, 0, 1, 0, 0, 0]], 'bilinear', 'wrap', 2, [3, 5]], kinds: ['tensorLike', 'tensorLike', 'interpolation?', 'fillMode?', 'number?', 'resizeSize?'], allow: { 5: [null] } },
  { name: 'image.rotateWithOffset', op: 'rotateWithOffset', call: (...a) => (nr.image.rotateWithOffset as (...a: unknown[]) => unknown)(...a), good: () => [IMG, 0.5, 3, [0.25, 0.75]], kinds: ['tensorLike', 'finite', 'number?', 'finite?'] },
  { name: 'Tensor.resizeBilinear', op: 'resizeBilinear', call: method('resizeBilinear'), good: () => [IMG, [0, 3]], kinds: ['self', 'resizeSize', 'bool?', 'bool?'] },
  { name: 'Tensor.resizeNearestNeighbor', op: 'resizeNearestNeighbor', call: method('resizeNearestNeighbor'), good: () => [IMG, [6, 6], true], kinds: ['self', 'resizeSize', 'bool?', 'bool?'] },
  ...['logicalAnd', 'logicalOr', 'logicalXor'].map((name): Entry => ({ name, call: fnOf(name), good: () => [X, V], kinds: ['tensorLike', 'tensorLike'], allow: { 0: [1], 1: [1] } })),
  ...['logicalNot', 'isNaN', 'isInf', 'isFinite'].map((name): Entry => ({ name, call: fnOf(name), good: () => [X], kinds: ['tensorLike'] })),
  // the chainable methods of Tensor (the receiver is not probed)
  { name: 'Tensor.argMax', op: 'argMax', call: method('argMax'), good: () => [X, 1], kinds: ['self', 'int?'] },
  { name: 'Tensor.argMin', op: 'argMin', call: method('argMin'), good: () => [X, 1], kinds: ['self', 'int?'] },
  { name: 'Tensor.dot', op: 'dot', call: method('dot'), good: () => [V, V], kinds: ['self', 'tensorLike'] },
  { name: 'Tensor.transpose', op: 'transpose', call: method('transpose'), good: () => [X, [1, 0]], kinds: ['self', 'intList?'], allow: { 1: [null] } },
  { name: 'Tensor.reshape', op: 'reshape', call: method('reshape'), good: () => [X, [3, 2]], kinds: ['self', 'shape'], allow: { 1: [[-1]] } },
  { name: 'Tensor.squeeze', op: 'squeeze', call: method('squeeze'), good: () => [X], kinds: ['self', 'axes?'], allow: { 1: [null] } },
  { name: 'Tensor.expandDims', op: 'expandDims', call: method('expandDims'), good: () => [X, 1], kinds: ['self', 'int?'] },
  { name: 'Tensor.slice', op: 'slice', call: method('slice'), good: () => [X, [0, 1], [1, 2]], kinds: ['self', 'intList', 'intList?'], allow: { 2: [null] } },
  { name: 'Tensor.split', op: 'split', call: method('split'), good: () => [X, 3, 1], kinds: ['self', 'intList', 'int?'] },
  { name: 'Tensor.gather', op: 'gather', call: method('gather'), good: () => [X, [1, 0], 0], kinds: ['self', 'indices', 'int?'] },
  { name: 'Tensor.oneHot', op: 'oneHot', call: method('oneHot'), good: () => [V, 4, 1, 0], kinds: ['self', 'nonNegInt', 'number?', 'number?'] },
  { name: 'Tensor.tile', op: 'tile', call: method('tile'), good: () => [X, [2, 1]], kinds: ['self', 'intList'] },
  { name: 'Tensor.concat', op: 'concat', call: method('concat'), good: () => [X, [X], 1], kinds: ['self', 'tensorLike', 'int?'] },
  { name: 'Tensor.stack', op: 'stack', call: method('stack'), good: () => [X, X, 1], kinds: ['self', 'tensorLike', 'int?'] },
  { name: 'Tensor.clipByValue', op: 'clipByValue', call: method('clipByValue'), good: () => [X, 0, 1], kinds: ['self', 'number', 'number'] },
  { name: 'Tensor.where', op: 'where', call: method('where'), good: () => [X, X, 0], kinds: ['self', 'tensorLike', 'tensorLike'] },
  { name: 'Tensor.leakyRelu', op: 'leakyRelu', call: method('leakyRelu'), good: () => [X, { alpha: 0.1 }], kinds: ['self', 'options?'], allow: { 1: [1] } },
  { name: 'Tensor.elu', op: 'elu', call: method('elu'), good: () => [X, { alpha: 1 }], kinds: ['self', 'options?'] },
  { name: 'Tensor.prelu', op: 'prelu', call: method('prelu'), good: () => [X, 0.2], kinds: ['self', 'tensorLike'] },
  { name: 'Tensor.softmax', op: 'softmax', call: method('softmax'), good: () => [X, { axis: 0 }], kinds: ['self', 'options?'], allow: { 1: [1] } },
  { name: 'Tensor.logSoftmax', op: 'logSoftmax', call: method('logSoftmax'), good: () => [X, { axis: 0 }], kinds: ['self', 'options?'], allow: { 1: [1] } },
  // random
  { name: 'randomUniform', call: fnOf('randomUniform'), good: () => [[2, 2], { min: -1, max: 1, seed: 1 }], kinds: ['shape', 'options?'], allow: { 1: [1] } },
  { name: 'randomNormal', call: fnOf('randomNormal'), good: () => [[2, 2], { seed: 1 }], kinds: ['shape', 'options?'], allow: { 1: [1] } },
  { name: 'truncatedNormal', call: fnOf('truncatedNormal'), good: () => [[2, 2], { seed: 1 }], kinds: ['shape', 'options?'], allow: { 1: [1] } },
  // the TF.js positional forms (shape, a, b, dtype, seed)
  ...['randomUniform', 'randomNormal', 'truncatedNormal'].map((n): Entry => ({ name: `${n} (positional)`, op: n, call: fnOf(n), good: () => [[2, 2], -1, 1, 'float32', 1], kinds: ['shape', 'finite', 'finite?', 'dtype?', 'seed?'], allow: { 1: [undefined] } })),
  { name: 'setSeed', call: fnOf('setSeed'), good: () => [0], kinds: ['seed'] },
  // activations
  ...plainActivations.map((n): Entry => ({ name: n, op: n === 'silu' ? 'swish' : n, call: fnOf(n), good: () => [X], kinds: ['tensorLike'] })),
  ...optionActivations.map(([n, o]): Entry => ({ name: n, call: fnOf(n), good: () => [X, o], kinds: ['tensorLike', 'options?'], allow: ['leakyRelu', 'softmax', 'logSoftmax'].includes(n) ? { 1: [1] } : undefined })),
  // the TF.js positional forms leakyRelu(x, alpha), softmax(x, dim), logSoftmax(x, axis)
  { name: 'leakyRelu (alpha)', op: 'leakyRelu', call: fnOf('leakyRelu'), good: () => [X, 0.1], kinds: ['tensorLike', 'alpha'] },
  { name: 'Tensor.leakyRelu (alpha)', op: 'leakyRelu', call: method('leakyRelu'), good: () => [X, 0.1], kinds: ['self', 'alpha'] },
  // TF.js's step(x, alpha): alpha is an optional number
  { name: 'step', call: fnOf('step'), good: () => [X, 0.5], kinds: ['tensorLike', 'number?'] },
  { name: 'Tensor.step', op: 'step', call: method('step'), good: () => [X, 0.5], kinds: ['self', 'number?'] },
  ...['softmax', 'logSoftmax'].flatMap((n): Entry[] => [
    { name: `${n} (axis)`, op: n, call: fnOf(n), good: () => [X, 0], kinds: ['tensorLike', 'axis'] },
    { name: `Tensor.${n} (axis)`, op: n, call: method(n), good: () => [X, 0], kinds: ['self', 'axis'] },
  ]),
  { name: 'activation', call: fnOf('activation'), good: () => [X, 'relu', { axis: -1 }], kinds: ['tensorLike', 'activation', 'options?'], allow: { 2: [1] } },
  { name: 'activationGrad', call: fnOf('activationGrad'), good: () => [X, X, 'sigmoid'], kinds: ['tensorLike', 'tensorLike', 'activation', 'options?'], allow: { 3: [1] } },
  { name: 'prelu', call: fnOf('prelu'), good: () => [X, 0.2], kinds: ['tensorLike', 'tensorLike'] },
  { name: 'preluGrad', call: fnOf('preluGrad'), good: () => [X, 0.2, X], kinds: ['tensorLike', 'tensorLike', 'tensorLike'] },
  // memory
  { name: 'tidy', call: fnOf('tidy'), good: () => [() => 1], kinds: ['fn'] },
  { name: 'keep', call: (x) => nr.tidy(() => nr.keep(x as nr.Tensor)), good: () => [nr.zeros([1])], kinds: ['tensor'] },
  { name: 'dispose', call: fnOf('dispose'), good: () => [[nr.zeros([1]), { b: nr.zeros([2]) }]], kinds: ['container'] },
  { name: 'setDebug', call: fnOf('setDebug'), good: () => [false], kinds: ['bool'] },
  // models
  { name: 'sequential', call: fnOf('sequential'), good: () => [{ seed: 1 }], kinds: ['options?'] },
  { name: 'input', call: fnOf('input'), good: () => [{ shape: [3], name: 'x_in' }], kinds: ['options'] },
  { name: 'model', call: (o) => nr.model(o as never).dispose(), good: () => { const x = nr.input({ shape: [3] }); return [{ inputs: x, outputs: nr.layers.dense({ units: 2 }).apply(x), seed: 1 }]; }, kinds: ['options'] },
  { name: 'autoencoder', call: fnOf('autoencoder'), good: () => [{ encoder: nr.layers.dense({ inputShape: [3], units: 2 }), decoder: nr.layers.dense({ units: 3 }) }], kinds: ['options'] },
  { name: 'Sequential.predict', op: 'predict', call: (x, o) => nr.tidy(() => { using m = built(); return m.predict(x as nr.Tensor, o as never); }), good: () => [X.slice([0, 0], [2, 3]), { batchSize: 1 }], kinds: ['tensor', 'options?'] },
  { name: 'Sequential.predictOnBatch', op: 'predictOnBatch', call: (x) => nr.tidy(() => { using m = built(); return m.predictOnBatch(x as nr.Tensor); }), good: () => [X.slice([0, 0], [2, 3])], kinds: ['tensor'] },
  { name: 'Sequential.evaluate', op: 'evaluate', call: (x, y, o) => nr.tidy(() => { using m = built(); return m.evaluate(x as nr.Tensor, y as nr.Tensor, o as never); }), good: () => [X, nr.zeros([2, 2]), { batchSize: 1 }], kinds: ['tensor', 'tensor', 'options?'] },
  { name: 'Sequential.trainOnBatch', op: 'trainOnBatch', call: (x, y) => { using m = built(); return m.trainOnBatch(x as nr.Tensor, y as nr.Tensor); }, good: () => [X, nr.zeros([2, 2])], kinds: ['tensor', 'tensor'] },
  { name: 'Sequential.encodeDistribution', op: 'encodeDistribution', call: (x) => { using m = vaeEncoder(); const d = m.encodeDistribution(x as nr.Tensor); d.mean.dispose(); d.logVar.dispose(); }, good: () => [X], kinds: ['tensor'] },
  { name: 'exportTrainingState', call: (m) => nr.exportTrainingState(m as never), good: () => [built()], kinds: ['model'] },
  { name: 'importTrainingState', call: (m, s) => nr.importTrainingState(m as never, s as never), good: () => { const m = builtAdam(); return [m, nr.exportTrainingState(m)]; }, kinds: ['model', 'trainingState'] },
  { name: 'optimizerFromConfig', call: (c) => nr.optimizerFromConfig(c), good: () => [{ name: 'adam', learningRate: { name: 'cosineDecay', initialLearningRate: 0.1, decaySteps: 10 }, amsgrad: true }], kinds: ['optimizerConfig'] },
  { name: 'Sequential.compile', op: 'compile', call: (o) => { using m = built(); m.compile(o as never); }, good: () => [{ optimizer: 'adam', loss: 'mse' }], kinds: ['options'] },
  { name: 'Sequential.setWeights', op: 'setWeights', call: (w) => { using m = built(); m.setWeights(w as never); }, good: () => [[nr.zeros([3, 2]), nr.zeros([2])]], kinds: ['tensors'] },
  { name: 'Sequential.summary', op: 'summary', call: (p) => { using m = built(); return m.summary(p as never); }, good: () => [() => {}], kinds: ['fn?'], allow: { 0: [null, 1, {}] } }, // {}: the options form, summary({ expandNested })
  { name: 'Sequential.build', op: 'build', call: (s) => { using m = nr.sequential({ layers: [nr.layers.dense({ units: 1 })] }); m.build(s as never); }, good: () => [[3]], kinds: ['shape'] },
  { name: 'Sequential.toJSON', op: 'toJSON', call: (u, r) => { using m = built(); return m.toJSON(u, r as never); }, good: () => [null, false], kinds: ['any', 'bool?'] },
  { name: 'Sequential.setUserDefinedMetadata', op: 'setUserDefinedMetadata', call: (o) => { using m = built(); m.setUserDefinedMetadata(o as never); }, good: () => [{ labels: ['a', 'b'], n: 1, nested: { ok: true, none: null } }], kinds: ['jsonObject'] },
  { name: 'CustomCallback', call: (o, y) => new nr.CustomCallback(o as never, y as never), good: () => [{ onEpochEnd: () => {} }], kinds: ['options', 'absent'] },
  { name: 'models.modelFromJSON', op: 'models.modelFromJSON', call: (c, o) => nr.models.modelFromJSON(c as never, o as never), good: () => [{ class_name: 'Sequential', config: { name: 'from_json', layers: [{ class_name: 'Dense', config: { name: 'd_from_json', units: 2, batch_input_shape: [null, 3] } }] } }], kinds: ['modelTopology', 'absent'], async: true },
  { name: 'progressBar', call: fnOf('progressBar'), good: () => [{ throttleMs: 10, out: { write() {} } }], kinds: ['options?'] },
  { name: 'callbacks.earlyStopping', op: 'earlyStopping', call: (o) => nr.callbacks.earlyStopping(o as never), good: () => [{ patience: 2, monitor: 'loss', mode: 'min', minDelta: 0 }], kinds: ['options?'] },
  { name: 'callbacks.learningRateScheduler', op: 'learningRateScheduler', call: (f) => nr.callbacks.learningRateScheduler(f as never), good: () => [(_epoch: number, lr: number) => lr], kinds: ['fn'] },
  { name: 'callbacks.reduceLROnPlateau', op: 'reduceLROnPlateau', call: (o) => nr.callbacks.reduceLROnPlateau(o as never), good: () => [{ factor: 0.5, cooldown: 1, minLr: 0 }], kinds: ['options?'] },
  { name: 'callbacks.modelCheckpoint', op: 'modelCheckpoint', call: (o) => nr.callbacks.modelCheckpoint(o as never), good: () => [{ filepath: 'file:///tmp/neurite-ckpt-{epoch}', saveBestOnly: true, monitor: 'loss' }], kinds: ['options'] },
  // classic networks
  { name: 'neuron', call: fnOf('neuron'), good: () => [{ weights: [1, 1], bias: 0 }], kinds: ['options'] },
  { name: 'Neuron.forward', op: 'neuron', call: (x) => nr.tidy(() => nr.neuron({ weights: [1, 1] }).forward(x as never)), good: () => [[1, 2]], kinds: ['values'] },
  { name: 'perceptron', call: fnOf('perceptron'), good: () => [{ inputs: 2 }], kinds: ['options'] },
  { name: 'Perceptron.fit', op: 'fit', call: (x, y, o) => { using p = nr.perceptron({ inputs: 2, output: 'binary' }); return p.fit(x as never, y as never, o as never); }, good: () => [[[0, 0], [1, 1]], [0, 1], { maxEpochs: 2 }], kinds: ['values', 'values', 'options?'] },
  { name: 'Perceptron.predict', op: 'predict', call: (x) => nr.tidy(() => { using p = nr.perceptron({ inputs: 2 }); return p.predict(x as never); }), good: () => [[[0, 0], [1, 1]]], kinds: ['values'] },
  { name: 'kmeans', call: (x, o) => nr.tidy(() => nr.kmeans(x as nr.Tensor, o as never)), good: () => [pts, { k: 2, seed: 1 }], kinds: ['tensorLike', 'options'] },
  { name: 'leastSquares', call: fnOf('leastSquares'), good: () => [A2, W, { l2: 0.1 }], kinds: ['tensorLike', 'tensorLike', 'options?'] },
  { name: 'rbfFeatures', call: fnOf('rbfFeatures'), good: () => [pts, C, W, { kernel: 'gaussian' }], kinds: ['tensorLike', 'tensorLike', 'tensorLike', 'options?'] },
  { name: 'rbfWidths', call: fnOf('rbfWidths'), good: () => [C, { neighbors: 1 }], kinds: ['tensorLike', 'options?'] },
  { name: 'rbfNetwork', call: fnOf('rbfNetwork'), good: () => [{ centers: 2 }], kinds: ['options'] },
  { name: 'RBFNetwork.fit', op: 'fit', call: async (x, y, o) => { using net = nr.rbfNetwork({ centers: 2 }); return await net.fit(x as never, y as never, o as never); }, good: () => [pts, [[1], [2], [3], [4], [5], [6]], { epochs: 1 }], kinds: ['tensorLike', 'tensorLike', 'options?'], async: true },
  { name: 'collapseLinear', call: (m) => { const out = nr.collapseLinear(m as never); out.dispose(); }, good: () => [built()], kinds: ['model'] },
  // dimensionality reduction and image metrics
  { name: 'pca', call: fnOf('pca'), good: () => [{ components: 1 }], kinds: ['options'] },
  { name: 'PCA.fit', op: 'pca.fit', call: (x) => { using p = nr.pca({ components: 1 }); p.fit(x as never); }, good: () => [[[0, 0], [1, 2], [2, 1]]], kinds: ['values'] },
  { name: 'PCA.transform', op: 'pca.transform', call: (x) => nr.tidy(() => { using p = nr.pca({ components: 1 }).fit(pts); return p.transform(x as never); }), good: () => [[[0, 0], [1, 1]]], kinds: ['values'] },
  { name: 'PCA.inverseTransform', op: 'pca.inverseTransform', call: (z) => nr.tidy(() => { using p = nr.pca({ components: 1 }).fit(pts); return p.inverseTransform(z as never); }), good: () => [[[0.5], [1]]], kinds: ['values'] },
  { name: 'psnr', call: fnOf('psnr'), good: () => [X, X, { maxValue: 6 }], kinds: ['tensorLike', 'tensorLike', 'options?'] },
  { name: 'ssim', call: fnOf('ssim'), good: () => [X, X, { maxValue: 6, windowSize: 2 }], kinds: ['tensorLike', 'tensorLike', 'options?'] },
  // schedules
  { name: 'schedules.constant', op: 'schedules.constant', call: (o) => nr.schedules.constant(o as never), good: () => [{ learningRate: 0.1 }], kinds: ['options'] },
  // compression and codecs (issue 10)
  ...(['huffman', 'lzw', 'rle'] as const).flatMap((c) => [
    // huffman and rle take no options: an options object with any key is refused too.
    { name: `compression.${c}.encode`, op: `compression.${c}.encode`, call: (b: unknown, o: unknown) => (nr.compression[c].encode as (b: unknown, o?: unknown) => Uint8Array)(b, o), good: () => [new Uint8Array([1, 2, 3]), {}], kinds: ['bytes', 'options?'] },
    { name: `compression.${c}.decode`, op: `compression.${c}.decode`, call: (b: unknown, o: unknown) => nr.compression[c].decode(b as never, o as never), good: () => [nr.compression[c].encode(new Uint8Array([1, 2, 3])), { maxOutputBytes: 100 }], kinds: ['bytes', 'options?'] },
  ]),
  { name: 'compression.huffman.codeLengths', op: 'compression.huffman.codeLengths', call: (f, o) => nr.compression.huffman.codeLengths(f as never, o as never), good: () => [[1, 2, 3], { maxLength: 15 }], kinds: ['intList', 'options?'] },
  { name: 'compression.huffman.codes', op: 'compression.huffman.codes', call: (l) => nr.compression.huffman.codes(l as never), good: () => [[1, 2, 2]], kinds: ['intList'] },
  ...(['dct', 'dwt'] as const).flatMap((c) => (['forward2d', 'inverse2d'] as const).map((f) => ({
    name: `compression.${c}.${f}`, op: `compression.${c}.${f}`, call: (x: unknown, o: unknown) => nr.compression[c][f](x as never, o as never), good: () => [X, c === 'dct' ? { blockSize: 1 } : { wavelet: 'haar', levels: 1 }], kinds: ['tensor', 'options?'],
  }))),
  ...(['forward1d', 'inverse1d'] as const).map((f) => ({
    name: `compression.dct.${f}`, op: `compression.dct.${f}`, call: (x: unknown, o: unknown) => nr.compression.dct[f](x as never, o as never), good: () => [X, { blockSize: 1 }], kinds: ['tensor', 'options?'],
  })),
  ...(['dct', 'wavelet'] as const).flatMap((c) => [
    { name: `codecs.${c}.encode`, op: `codecs.${c}.encode`, call: (im: unknown, o: unknown) => nr.codecs[c].encode(im as never, o as never), good: () => [{ data: new Uint8Array(6), width: 3, height: 2 }, { quality: 50 }], kinds: ['image', 'options?'] },
    { name: `codecs.${c}.decode`, op: `codecs.${c}.decode`, call: (b: unknown, o: unknown) => nr.codecs[c].decode(b as never, o as never), good: () => [nr.codecs[c].encode({ data: new Uint8Array(6), width: 3, height: 2 }), {}], kinds: ['bytes', 'options?'] },
  ]),
  // codecs.learned: a tiny untrained autoencoder on 2×2 images
  { name: 'codecs.learned.create', op: 'codecs.learned.create', call: (o) => nr.codecs.learned.create(o as never), good: () => [{ encoder: nr.layers.dense({ inputShape: [4], units: 2, activation: 'sigmoid' }), decoder: nr.layers.dense({ units: 4, activation: 'sigmoid' }), imageShape: [2, 2], bits: 3 }], kinds: ['options'] },
  { name: 'codecs.learned.fromAutoencoder', op: 'codecs.learned.fromAutoencoder', call: (ae, o) => nr.codecs.learned.fromAutoencoder(ae as never, o as never), good: () => [tinyAe(), { imageShape: [2, 2], bits: 3 }], kinds: ['model', 'options'] },
  { name: 'LearnedCodec.encode', op: 'codecs.learned.encode', call: (im) => { using c = tinyCodec(); return c.encode(im as never); }, good: () => [{ data: new Uint8Array(4), width: 2, height: 2 }], kinds: ['image'], allow: { 0: [[]] } },
  { name: 'LearnedCodec.decode', op: 'codecs.learned.decode', call: (b, o) => { using c = tinyCodec(); return c.decode(b as never, o as never); }, good: () => { using c = tinyCodec(); return [c.encode({ data: new Uint8Array(4), width: 2, height: 2 }), { maxOutputBytes: 100 }]; }, kinds: ['bytes', 'options?'] },
  { name: 'LearnedCodec.decodeBatch', op: 'codecs.learned.decodeBatch', call: (b, o) => { using c = tinyCodec(); return c.decodeBatch(b as never, o as never); }, good: () => { using c = tinyCodec(); return [c.encode([{ data: new Uint8Array(4), width: 2, height: 2 }]), { maxOutputBytes: 100 }]; }, kinds: ['bytes', 'options?'] },
  { name: 'schedules.exponentialDecay', op: 'schedules.exponentialDecay', call: (o) => nr.schedules.exponentialDecay(o as never), good: () => [{ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }], kinds: ['options'] },
  { name: 'schedules.stepDecay', op: 'schedules.stepDecay', call: (o) => nr.schedules.stepDecay(o as never), good: () => [{ initialLearningRate: 0.1, every: 10, drop: 0.5 }], kinds: ['options'] },
  { name: 'schedules.cosineDecay', op: 'schedules.cosineDecay', call: (o) => nr.schedules.cosineDecay(o as never), good: () => [{ initialLearningRate: 0.1, decaySteps: 10 }], kinds: ['options'] },
  // Ops composed in TypeScript (test/composite-ops.test.ts), and their Tensor methods. `ord` is
  // probed with the bad numbers (null, strings, objects, BigInts: none is an order).
  ...['logSumExp', 'euclideanNorm', 'all', 'any'].flatMap((n): Entry[] => [
    { name: n, call: fnOf(n), good: () => [X, 1, true], kinds: ['tensorLike', 'axes?', 'bool?'], allow: { 1: [null] } },
    { name: `Tensor.${n}`, op: n, call: method(n), good: () => [X, 1, true], kinds: ['self', 'axes?', 'bool?'], allow: { 1: [null] } },
  ]),
  { name: 'norm', call: fnOf('norm'), good: () => [X, 1, [0, 1], true], kinds: ['tensorLike', 'number?', 'axes?', 'bool?'], allow: { 2: [null] } },
  { name: 'Tensor.norm', op: 'norm', call: method('norm'), good: () => [X, Infinity, -1, false], kinds: ['self', 'number?', 'axes?', 'bool?'], allow: { 2: [null] } },
  ...['logSigmoid', 'diag'].map((n): Entry => ({ name: n, call: fnOf(n), good: () => [X], kinds: ['tensorLike'] })),
  ...['squaredDifference', 'divNoNan'].flatMap((n): Entry[] => [
    { name: n, call: fnOf(n), good: () => [X, V], kinds: ['tensorLike', 'tensorLike'] },
    { name: `Tensor.${n}`, op: n, call: method(n), good: () => [X, 2], kinds: ['self', 'tensorLike'] },
  ]),
  { name: 'addN', call: fnOf('addN'), good: () => [[X, X, X]], kinds: ['tensors'], allow: { 0: [[1]] } },
  { name: 'unstack', call: fnOf('unstack'), good: () => [X, 1], kinds: ['tensorLike', 'int?'] },
  { name: 'Tensor.unstack', op: 'unstack', call: method('unstack'), good: () => [X, -1], kinds: ['self', 'int?'] },
  { name: 'broadcastTo', call: fnOf('broadcastTo'), good: () => [V, [2, 3]], kinds: ['tensorLike', 'shape'] },
  { name: 'Tensor.broadcastTo', op: 'broadcastTo', call: method('broadcastTo'), good: () => [X, [2, 2, 3]], kinds: ['self', 'shape'] },
  { name: 'meshgrid', call: fnOf('meshgrid'), good: () => [V, X, { indexing: 'ij' }], kinds: ['tensorLike?', 'tensorLike?', 'options?'] },
  ...[5, 6].map((r): Entry => ({ name: `tensor${r}d`, call: fnOf(`tensor${r}d`), good: () => [[1, 2, 3, 4], [4, 1, 1, 1, 1, 1].slice(0, r), 'float32'], kinds: ['values', 'shape?', 'dtype?'], allow: { 1: [null] } })),
  { name: 'Tensor.as2D', op: 'as2D', call: method('as2D'), good: () => [X, 3, 2], kinds: ['self', 'int', 'int'] },
  { name: 'Tensor.as3D', op: 'as3D', call: method('as3D'), good: () => [X, 3, 1, 2], kinds: ['self', 'int', 'int', 'int'] },
  { name: 'Tensor.reshapeAs', op: 'reshapeAs', call: method('reshapeAs'), good: () => [X, V.concat(V)], kinds: ['self', 'tensor'] },
  { name: 'Tensor.asType', op: 'cast', call: method('asType'), good: () => [X, 'float32'], kinds: ['self', 'dtype'] },
  // TF.js ports (ts/ops/*.ts, ts/backend.ts, ts/browser/pixels.ts) and their Tensor methods.
  { name: 'cumprod', call: fnOf('cumprod'), good: () => [X, 1, true, false], kinds: ['tensorLike', 'int?', 'bool?', 'bool?'] },
  { name: 'Tensor.cumprod', op: 'cumprod', call: method('cumprod'), good: () => [X, -1, false, true], kinds: ['self', 'int?', 'bool?', 'bool?'] },
  { name: 'unsortedSegmentSum', call: fnOf('unsortedSegmentSum'), good: () => [X, [1, 0], 3], kinds: ['tensorLike', 'indices', 'nonNegInt'] },
  { name: 'Tensor.unsortedSegmentSum', op: 'unsortedSegmentSum', call: method('unsortedSegmentSum'), good: () => [X, [3, 0], 4], kinds: ['self', 'indices', 'nonNegInt'] },
  { name: 'scatterND', call: fnOf('scatterND'), good: () => [[[0], [2]], [5, 6], [4]], kinds: ['indices', 'tensorLike', 'shape'] },
  { name: 'tensorScatterUpdate', call: fnOf('tensorScatterUpdate'), good: () => [V, [[0], [2]], [5, 6]], kinds: ['tensorLike', 'indices', 'tensorLike'] },
  { name: 'sparseToDense', call: fnOf('sparseToDense'), good: () => [[0, 2], [5, 6], [4], 9], kinds: ['indices', 'tensorLike', 'shape', 'tensorLike?'] },
  { name: 'gatherND', call: fnOf('gatherND'), good: () => [X, [[1, 0], [0, 2]]], kinds: ['tensorLike', 'indices'] },
  { name: 'stridedSlice', call: fnOf('stridedSlice'), good: () => [X, [0, 2], [2, 0], [1, -2], 0, 0, 0, 0, 0], kinds: ['tensorLike', 'intList', 'intList', 'intList?', 'nonNegInt?', 'nonNegInt?', 'nonNegInt?', 'nonNegInt?', 'nonNegInt?'], allow: { 3: [null], 4: [null], 5: [null], 6: [null], 7: [null], 8: [null] } },
  { name: 'Tensor.stridedSlice', op: 'stridedSlice', call: method('stridedSlice'), good: () => [X, [1], [2], null, 0, 0, 0, 0, 1], kinds: ['self', 'intList', 'intList', 'intList?', 'nonNegInt?', 'nonNegInt?', 'nonNegInt?', 'nonNegInt?', 'nonNegInt?'], allow: { 3: [null], 4: [null], 5: [null], 6: [null], 7: [null], 8: [null] } },
  { name: 'unique', call: fnOf('unique'), good: () => [X, 1], kinds: ['tensorLike', 'int?'] },
  { name: 'Tensor.unique', op: 'unique', call: method('unique'), good: () => [V, -1], kinds: ['self', 'int?'] },
  { name: 'bincount', call: fnOf('bincount'), good: () => [[1, 1, 2, 5], [0.5, 1, 2, 1], 3], kinds: ['tensorLike', 'tensorLike', 'nonNegInt'] },
  { name: 'denseBincount', call: fnOf('denseBincount'), good: () => [[[1, 1, 3], [0, 3, 3]], [], 4, true], kinds: ['tensorLike', 'tensorLike', 'nonNegInt', 'bool?'] },
  { name: 'searchSorted', call: fnOf('searchSorted'), good: () => [[0, 3, 9, 10, 10], V, 'right'], kinds: ['tensorLike', 'tensorLike', 'side?'] },
  ...['lowerBound', 'upperBound'].map((n): Entry => ({ name: n, call: fnOf(n), good: () => [[[0, 3, 9], [1, 2, 3]], [[9], [0]]], kinds: ['tensorLike', 'tensorLike'] })),
  { name: 'booleanMaskAsync', call: fnOf('booleanMaskAsync'), good: () => [X, [1, 0, 1], 1], kinds: ['tensorLike', 'tensorLike', 'int?'], allow: { 2: [null] }, async: true },
  { name: 'whereAsync', call: fnOf('whereAsync'), good: () => [X], kinds: ['tensorLike'], async: true },
  { name: 'setdiff1dAsync', call: fnOf('setdiff1dAsync'), good: () => [V, [2]], kinds: ['tensorLike', 'tensorLike'], async: true },
  { name: 'depthToSpace', call: fnOf('depthToSpace'), good: () => [nr.ones([1, 1, 2, 8]), 2, 'NHWC'], kinds: ['tensorLike', 'int', 'dataFormat?'] },
  { name: 'Tensor.depthToSpace', op: 'depthToSpace', call: method('depthToSpace'), good: () => [nr.ones([2, 1, 1, 4]), 2], kinds: ['self', 'int', 'dataFormat?'] },
  ...['spaceToBatchND', 'batchToSpaceND'].flatMap((n): Entry[] => [
    { name: n, call: fnOf(n), good: () => [nr.ones([4, 2, 2, 1]), [2, 2], [[0, 0], [0, 0]]], kinds: ['tensorLike', 'intList', 'paddings'] },
    { name: `Tensor.${n}`, op: n, call: method(n), good: () => [nr.ones([4, 1, 2, 1]), [2, 1], [[1, 0], [0, 0]]], kinds: ['self', 'intList', 'paddings'] },
  ]),
  { name: 'localResponseNormalization', call: fnOf('localResponseNormalization'), good: () => [IMG, 1, 1, 2, 0.75], kinds: ['tensorLike', 'nonNegInt?', 'finite?', 'finite?', 'finite?'] },
  { name: 'Tensor.localResponseNormalization', op: 'localResponseNormalization', call: method('localResponseNormalization'), good: () => [nr.ones([2, 2, 3]), 2], kinds: ['self', 'nonNegInt?', 'finite?', 'finite?', 'finite?'] },
  // batchNorm's offset, scale and varianceEpsilon may be null (TF.js's `== null`: left out).
  { name: 'batchNorm', call: fnOf('batchNorm'), good: () => [IMG, [1, 2], [0.5, 1], [0, 1], [2, 1], 0.01], kinds: ['tensorLike', 'tensorLike', 'tensorLike', 'tensorLike?', 'tensorLike?', 'finite?'], allow: { 3: [null], 4: [null], 5: [null] } },
  { name: 'Tensor.batchNorm', op: 'batchNorm', call: method('batchNorm'), good: () => [X, [[1, 2, 3]], [[1, 1, 1]], null, [[2, 2, 2]]], kinds: ['self', 'tensorLike', 'tensorLike', 'tensorLike?', 'tensorLike?', 'finite?'], allow: { 3: [null], 4: [null], 5: [null] } },
  ...[2, 3, 4].map((r): Entry => ({ name: `batchNorm${r}d`, call: fnOf(`batchNorm${r}d`), good: () => [nr.ones([2, 1, 3, 2].slice(4 - r)), [1, 2], [1, 1], [0, 1], [3, 3], 1e-3], kinds: ['tensorLike', 'tensorLike', 'tensorLike', 'tensorLike?', 'tensorLike?', 'finite?'], allow: { 3: [null], 4: [null], 5: [null] } })),
  // pool's dilations and strides may be null (TF.js's defaults); pad 0 is TF.js's 'valid'.
  { name: 'pool', call: fnOf('pool'), good: () => [IMG, 2, 'max', 'same', 2, 1], kinds: ['tensorLike', 'size2d', 'poolingType', 'pad2d', 'size2d?', 'size2d?', 'noRounding'], allow: { 3: [0], 4: [null], 5: [null] } },
  { name: 'Tensor.pool', op: 'pool', call: method('pool'), good: () => [IMG, [2, 1], 'avg', 'valid', 1, [1, 2]], kinds: ['self', 'size2d', 'poolingType', 'pad2d', 'size2d?', 'size2d?', 'noRounding'], allow: { 3: [0], 4: [null], 5: [null] } },
  { name: 'dropout', call: fnOf('dropout'), good: () => [X, 0.5, [2, 1], 1], kinds: ['tensorLike', 'rate', 'shape?', 'seed?'], allow: { 2: [null] } },
  { name: 'randomStandardNormal', call: fnOf('randomStandardNormal'), good: () => [[2, 2], 'float32', 1], kinds: ['shape', 'dtype?', 'seed?'] },
  // An empty options object as the seed is no seed, as randomUniform's.
  { name: 'randomUniformInt', call: fnOf('randomUniformInt'), good: () => [[2, 2], -3, 5, 1], kinds: ['shape', 'int', 'int', 'seed?'], allow: { 3: [{}, null] } },
  { name: 'randomStandardNormal (options)', op: 'randomStandardNormal', call: fnOf('randomStandardNormal'), good: () => [[2, 2], { seed: 1 }], kinds: ['shape', 'options?'] },
  { name: 'randomUniformInt (seed options)', op: 'randomUniformInt', call: fnOf('randomUniformInt'), good: () => [[2, 2], -3, 5, { seed: 1 }], kinds: ['shape', 'int', 'int', 'options?'], allow: { 3: [1, null] } }, // a number there is the positional seed
  { name: 'randomUniformInt (options)', op: 'randomUniformInt', call: fnOf('randomUniformInt'), good: () => [[2, 2], { minval: -3, maxval: 5, seed: 1 }], kinds: ['shape', 'options'] },
  { name: 'multinomial', call: fnOf('multinomial'), good: () => [[[0, 1, 2], [0.2, 0.3, 0.5]], 3, 1, false], kinds: ['tensorLike', 'nonNegInt', 'seed?', 'bool?'] },
  { name: 'movingAverage', call: fnOf('movingAverage'), good: () => [V, [4, 5, 6], 0.9, 2, true], kinds: ['tensorLike', 'tensorLike', 'tensorLike', 'tensorLike?', 'bool?'] },
  { name: 'einsum', call: fnOf('einsum'), good: () => [' ij, jk -> ik', X, [[1], [2], [3]]], kinds: ['equation', 'tensorLike', 'tensorLike'] },
  { name: 'slice1d', call: fnOf('slice1d'), good: () => [V, 1, 2], kinds: ['tensorLike', 'int', 'int'] },
  ...[2, 3, 4].map((r): Entry => ({ name: `slice${r}d`, call: fnOf(`slice${r}d`), good: () => [nr.ones([3, 2, 4, 1].slice(0, r)), [1, 0, 2, 0].slice(0, r), [2, -1, 1, 1].slice(0, r)], kinds: ['tensorLike', 'intList', 'intList?'], allow: { 2: [null] } })),
  { name: 'reverse1d', call: fnOf('reverse1d'), good: () => [V], kinds: ['tensorLike'] },
  ...[2, 3, 4].map((r): Entry => ({ name: `reverse${r}d`, call: fnOf(`reverse${r}d`), good: () => [nr.ones([3, 2, 4, 1].slice(0, r)), [0, -1]], kinds: ['tensorLike', 'axes?'], allow: { 1: [null] } })),
  // pad1d takes one [before, after] pair: [1, 2] is a good one.
  { name: 'pad1d', call: fnOf('pad1d'), good: () => [V, [1, 2], -1], kinds: ['tensorLike', 'paddings', 'number?'], allow: { 1: [[1, 2]] } },
  ...[2, 3, 4].map((r): Entry => ({ name: `pad${r}d`, call: fnOf(`pad${r}d`), good: () => [nr.ones([3, 2, 4, 1].slice(0, r)), [[1, 0], [0, 2], [1, 1], [0, 0]].slice(0, r), 0.5], kinds: ['tensorLike', 'paddings', 'number?'], allow: r === 3 ? { 1: [[[0, 0], [0, 0], [0, 0]]] } : undefined })),
  { name: 'concat1d', call: fnOf('concat1d'), good: () => [[V, [4, 5]]], kinds: ['tensors'] },
  ...[2, 3, 4].map((r): Entry => ({ name: `concat${r}d`, call: fnOf(`concat${r}d`), good: () => [[nr.ones([1, 2, 1, 3].slice(0, r)), nr.ones([1, 2, 1, 3].slice(0, r))], r - 1], kinds: ['tensors', 'int?'] })),
  { name: 'print', call: (x, v) => { const log = console.log; console.log = () => {}; try { nr.print(x as never, v as never); } finally { console.log = log; } }, good: () => [X, true], kinds: ['tensorLike', 'bool?'] },
  { name: 'setBackend', call: fnOf('setBackend'), good: () => ['cpu'], kinds: ['backend'], async: true },
  { name: 'browser.fromPixels', op: 'fromPixels', call: (p, c) => nr.browser.fromPixels(p as never, c as never), good: () => [{ data: new Uint8Array(8), width: 2, height: 1 }, 4], kinds: ['image', 'numChannels?'] },
  { name: 'browser.fromPixelsAsync', op: 'fromPixels', call: (p, c) => nr.browser.fromPixelsAsync(p as never, c as never), good: () => [{ data: new Uint8Array(4), width: 1, height: 1 }, 1], kinds: ['image', 'numChannels?'], async: true },
  { name: 'browser.toPixels', op: 'toPixels', call: (im, cv) => nr.browser.toPixels(im as never, cv as never), good: () => [nr.tensor([[0.5, 1], [0, 0.25]]), null], kinds: ['tensorLike', 'canvas?'], async: true },
  // TF.js's utilities for ported code (ts/ops/buffer.ts, ts/performance.ts, …; test/porting-utils.test.ts).
  // buffer's dtype and values may be null (TF.js's default).
  { name: 'buffer', call: fnOf('buffer'), good: () => [[2, 2], 'float32', new Float32Array(4)], kinds: ['shape', 'dtype?', 'values?'], allow: { 1: [null], 2: [null] } },
  { name: 'time', call: fnOf('time'), good: () => [() => 1], kinds: ['fn'], async: true },
  { name: 'profile', call: fnOf('profile'), good: () => [() => 1], kinds: ['fn'], async: true },
  { name: 'enclosingPowerOfTwo', call: fnOf('enclosingPowerOfTwo'), good: () => [5], kinds: ['number'] },
  { name: 'ensureShape', call: fnOf('ensureShape'), good: () => [X, [2, null]], kinds: ['tensorLike', 'shape'] },
  { name: 'rand', call: fnOf('rand'), good: () => [[2, 2], () => 0.5, 'float32'], kinds: ['shape', 'fn', 'dtype?'], allow: { 2: [null] } },
  { name: 'inTopKAsync', call: fnOf('inTopKAsync'), good: () => [X, [2, 0], 2], kinds: ['tensorLike', 'tensorLike', 'nonNegInt?'], async: true },
  { name: 'maxPoolWithArgmax', call: fnOf('maxPoolWithArgmax'), good: () => [IMG, 2, 1, 'valid', true], kinds: ['tensorLike', 'size2d', 'size2d', 'pad2d', 'bool?'] },
  { name: 'signal.frame', call: (...a) => (nr.signal.frame as (...a: unknown[]) => unknown)(...a), good: () => [V, 2, 1, true, -1], kinds: ['tensorLike', 'nonNegInt', 'nonNegInt', 'bool?', 'number?'] },
  ...['hannWindow', 'hammingWindow'].map((n): Entry => ({ name: `signal.${n}`, call: (l) => (nr.signal as unknown as Record<string, (l: unknown) => unknown>)[n](l), good: () => [5], kinds: ['nonNegInt'] })),
  { name: 'Tensor.toFloat', op: 'toFloat', call: method('toFloat'), good: () => [X], kinds: ['self'] },
  // tf.util (ts/util.ts; test/porting-web.test.ts). Seeds are Dataset.shuffle's: strings are seeds too, null is none.
  ...(['shuffle', 'createShuffledIndices'] as const).map((n): Entry => ({ name: `util.${n}`, op: `util.${n}`, call: (a, s) => (nr.util[n] as (...a: unknown[]) => unknown)(a, s), good: () => [n === 'shuffle' ? [1, 2, 3] : 4, 5], kinds: [n === 'shuffle' ? 'array' : 'nonNegInt', 'seed?'], allow: { 1: ['x', null] } })),
  { name: 'util.shuffleCombo', op: 'util.shuffleCombo', call: (a, b, s) => nr.util.shuffleCombo(a as never, b as never, s as never), good: () => [[1, 2, 3], new Float32Array(3), 'seed'], kinds: ['array', 'array', 'seed?'], allow: { 2: ['x', null] } },
  { name: 'util.sizeFromShape', op: 'util.sizeFromShape', call: (s) => nr.util.sizeFromShape(s as never), good: () => [[2, 3]], kinds: ['dims'] },
  { name: 'util.arraysEqual', op: 'util.arraysEqual', call: (a, b) => nr.util.arraysEqual(a as never, b as never), good: () => [[1, 2], new Int32Array([1, 2])], kinds: ['arrayOrNull', 'arrayOrNull'] },
  { name: 'util.flatten', op: 'util.flatten', call: (a, r, k) => nr.util.flatten(a as never, r as never, k as never), good: () => [[[1, 2], [3, [4]]], [], true], kinds: ['array', 'arrayOrNull?', 'bool?'] },
  { name: 'util.now', op: 'util.now', call: () => nr.util.now(), good: () => [], kinds: [] },
  { name: 'util.assert', op: 'util.assert', call: (c, m) => nr.util.assert(c, m as never), good: () => [true, () => 'never shown'], kinds: ['any', 'fn'], allow: { 1: ['x'] } },
];

/** A bad value, for assertion messages. */
function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return 'a symbol';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (Array.isArray(v)) return v === cyclic ? '[2, <itself>]' : `[${v.map(show).join(',')}]`;
  return JSON.stringify(v) ?? String(v);
}

/** Disposes whatever a call returned (tensors, lists, result objects, models). */
function release(v: unknown): void {
  if (v === null || typeof v !== 'object' || SHARED.has(v) || v === cyclic) return;
  if (typeof (v as { dispose?: unknown }).dispose === 'function') (v as { dispose(): void }).dispose();
  else if (Array.isArray(v)) v.forEach(release);
  else if (Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(release);
}

/** Runs `f` with fresh tensors from `good()`, disposing what it made; returns the error, if any. */
function probe(e: Entry, args: unknown[]): unknown {
  try {
    release(e.call(...args));
    return null;
  } catch (err) {
    return err;
  }
}

/**
 * {@link probe} for an async function: its error is the Promise's rejection. A synchronous
 * throw or a result that is not a Promise is reported as a TypeError (so the entry fails).
 */
async function probeAsync(e: Entry, args: unknown[]): Promise<unknown> {
  let p: unknown;
  try {
    p = e.call(...args);
  } catch (err) {
    return new TypeError(`threw instead of rejecting: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
  if (!(p instanceof Promise)) return new TypeError(`returned ${show(p)}, not a Promise`);
  try {
    release(await p);
    return null;
  } catch (err) {
    return err;
  }
}

describe('item 24: every public function rejects bad arguments with a NeuriteError naming it', () => {
  it('the table covers every function exported by the modules of this facade', () => {
    // Functions owned by other modules (autodiff, losses, optimizers, layers) are probed in their own suites (customGrad: test/custom-grad.test.ts).
    // loadModel and loadLayersModel are async (their rejections are probed in test/io.test.ts); threads/threadsReady/shutdown take no
    // arguments and are probed in test/threads.test.ts (issue 12); so do TF.js's ready, getBackend and enableProdMode, and env (its methods take the arguments)
    // (test/porting-engine.test.ts).
    // nextFrame and disposeVariables take no arguments either (test/porting-utils.test.ts).
    const elsewhere = new Set(['init', 'memory', 'threads', 'threadsReady', 'shutdown', 'grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads', 'customGrad', 'variable', 'loadModel', 'loadLayersModel', 'ready', 'getBackend', 'enableProdMode', 'enableDebugMode', 'env', 'nextFrame', 'disposeVariables']);
    const isClass = (f: unknown) => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));
    const exported = Object.entries(nr).filter(([k, v]) => typeof v === 'function' && !isClass(v) && !elsewhere.has(k)).map(([k]) => k);
    const covered = new Set(TABLE.map((e) => e.name));
    expect(exported.filter((k) => !covered.has(k))).toEqual([]);
    for (const [k, v] of Object.entries(nr.schedules)) if (typeof v === 'function' && !isClass(v)) expect(covered.has(`schedules.${k}`), k).toBe(true);
    for (const k of Object.keys(nr.callbacks)) if (k !== 'terminateOnNaN') expect(covered.has(`callbacks.${k}`), k).toBe(true);
    for (const k of Object.keys(nr.image)) if (k !== 'psnr' && k !== 'ssim') expect(covered.has(`image.${k}`), k).toBe(true);
    for (const k of Object.keys(nr.browser)) expect(covered.has(`browser.${k}`), k).toBe(true);
    for (const k of Object.keys(nr.signal)) expect(covered.has(`signal.${k}`), k).toBe(true);
    for (const k of Object.keys(nr.util)) expect(covered.has(`util.${k}`), k).toBe(true);
  });

  for (const e of TABLE) {
    it(e.name, async () => {
      const run = (args: unknown[]) => (e.async ? probeAsync(e, args) : probe(e, args));
      // The valid call works (so a failure below is about the bad argument).
      const before0 = nr.memory().numTensors;
      const good = e.good();
      const err0 = await run(good);
      release(good);
      expect(err0, `${e.name} with valid arguments`).toBe(null);
      expect(nr.memory().numTensors).toBe(before0);
      const op = e.op ?? e.name.split('.').pop()!;
      const opRe = typeof op === 'string' ? new RegExp(`^${op.replace(/\./g, '\\.')}( \\([^)]*\\))?: `) : op;
      for (const [i, kind] of e.kinds.entries()) {
        for (const bad of badValues(kind)) {
          if (e.allow?.[i]?.some((a) => Object.is(a, bad) || (typeof a === 'object' && a !== null && show(a) === show(bad)))) continue;
          const before = nr.memory().numTensors;
          const args = e.good();
          const replaced = args[i];
          args[i] = bad;
          const err = await run(args);
          release(args);
          release(replaced);
          const what = `${e.name} argument ${i} (${kind}) = ${show(bad)}`;
          expect(err, `${what}: expected an error`).not.toBe(null);
          expect(err, `${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`).toBeInstanceOf(nr.NeuriteError);
          expect(err).not.toBeInstanceOf(nr.WasmPanicError);
          expect((err as Error).message, what).toMatch(opRe);
          expect(nr.memory().numTensors, `${what}: leaked`).toBe(before);
        }
      }
    });
  }
});

describe('typed arrays from another realm', () => {
  it('are recognised by their tag, not by instanceof', async () => {
    const vm = await import('node:vm');
    const foreign = vm.runInNewContext('new Float64Array([1, 2, 3])') as Float64Array;
    expect(foreign instanceof Float64Array).toBe(false);
    expect(Array.from(nr.tidy(() => nr.tensor(foreign).data()))).toEqual([1, 2, 3]);
    const dv = vm.runInNewContext('new DataView(new ArrayBuffer(4))');
    throws(() => nr.tensor(dv), Invalid, /got an object \(DataView\)$/);
  });
});

describe('names that are keys of every JS object', () => {
  // 'constructor', 'toString', '__proto__' … are keys of every object literal: a name table
  // read with table[name] answers them with Object.prototype's functions (the io fuzzer found
  // `loss: 'constructor'` crashing the did-you-mean lookup with a TypeError).
  const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
  const model = () => nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [2] })] });
  const uses: Record<string, (k: string) => unknown> = {
    loss: (k) => { const m = model(); try { m.compile({ optimizer: 'sgd', loss: k as never }); } finally { m.dispose(); } },
    metric: (k) => { const m = model(); try { m.compile({ optimizer: 'sgd', loss: 'mse', metrics: [k as never] }); } finally { m.dispose(); } },
    optimizer: (k) => { const m = model(); try { m.compile({ optimizer: k as never, loss: 'mse' }); } finally { m.dispose(); } },
    activation: (k) => nr.layers.dense({ units: 1, activation: k as never }),
    initializer: (k) => nr.layers.dense({ units: 1, kernelInitializer: k as never }),
    'layer option': (k) => nr.layers.dense({ units: 1, [k]: 1 } as never),
    'optimizer option': (k) => nr.optimizers.adam(JSON.parse(`{"${k}": 1}`)),
    'fit option': async (k) => {
      const [m, x, y] = [model(), nr.zeros([2, 2]), nr.zeros([2, 1])];
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      try { await m.fit(x, y, JSON.parse(`{"${k}": 1}`)); } finally { nr.dispose([m, x, y]); }
    },
    'monitor': async (k) => {
      const [m, x, y] = [model(), nr.zeros([2, 2]), nr.zeros([2, 1])];
      m.compile({ optimizer: 'sgd', loss: 'mse' });
      try { await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [nr.callbacks.earlyStopping({ monitor: k })] }); } finally { nr.dispose([m, x, y]); }
    },
  };
  for (const [what, use] of Object.entries(uses)) {
    it(`${what}: a NeuriteError naming the key`, async () => {
      const before = nr.memory().numTensors;
      for (const k of KEYS) {
        let err: unknown = null;
        try {
          await use(k);
        } catch (e) {
          err = e;
        }
        expect(err, `${what} ${k}`).toBeInstanceOf(nr.InvalidArgumentError);
        expect((err as Error).message, `${what} ${k}`).toContain(k);
      }
      expect(nr.memory().numTensors).toBe(before);
    });
  }
});

describe('layer numbers are checked as the float32 the core computes with', () => {
  it('a rate that rounds to 1, an epsilon or width that rounds to 0, a stddev that overflows', () => {
    expect(() => nr.layers.dropout({ rate: 0.99999999 })).toThrow('dropout: rate must be a number in [0, 1) in float32, which the layer computes with; got 0.99999999, which is 1 in float32');
    expect(() => nr.layers.batchNormalization({ epsilon: 1e-50 })).toThrow(/^batchNormalization: epsilon must be a positive number in float32, .*got 1e-50, which is 0 in float32/);
    expect(() => nr.layers.rbf({ units: 2, widths: 1e-46 })).toThrow(/^rbf: widths must be a finite number > 0 in float32/);
    expect(() => nr.layers.gaussianNoise({ stddev: 1e39 })).toThrow(/^gaussianNoise: stddev must be a finite number >= 0 in float32, .*which is Infinity in float32/);
    expect(nr.layers.dropout({ rate: 0.9999999 }).rate).toBe(0.9999999); // below 1 in float32 too
  });
});

describe('classes made by ops and factories, called with new from JS', () => {
  // Their declarations hide the constructor (protected); a JS caller's `new Tensor()` made an
  // object that failed later with a TypeError ("reading 'length'") or a DisposedError of handle 0.
  it('say what makes them', () => {
    const make = (C: unknown) => () => new (C as new () => unknown)();
    expect(make(nr.Tensor)).toThrow(new nr.InvalidArgumentError('Tensor: tensors are made by ops (tensor(), zeros(), randomNormal(), …), not with new Tensor()'));
    expect(make(nr.Optimizer)).toThrow(/^Optimizer: optimizers are made by their factories \(optimizers\.sgd\(…\), optimizers\.adam\(…\), …, or train\.\*\), not with new$/);
    expect(make(nr.LearningRateSchedule)).toThrow(/^LearningRateSchedule: schedules are made by their factories/);
    expect(make(nr.SymbolicTensor)).toThrow(/^SymbolicTensor: symbolic tensors are made by input\(\{ shape \}\) and layer\.apply\(x\), not with new$/);
    expect(make(nr.LayerVariable)).toThrow(/^LayerVariable: a layer's weights are made by the layer/);
    expect(make(nr.Constraint)).toThrow(/^Constraint: constraints are made by their factories/);
    for (const C of [nr.Tensor, nr.Optimizer, nr.LearningRateSchedule, nr.SymbolicTensor, nr.LayerVariable, nr.Constraint]) {
      try {
        make(C)();
      } catch (e) {
        expect(e, C.name).toBeInstanceOf(nr.InvalidArgumentError);
      }
    }
  });
});
