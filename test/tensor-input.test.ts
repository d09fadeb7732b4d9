// What tensor creation (ops/convert.ts `flatten`/`makeTensor`, and what builds on them) and the
// codecs do with three kinds of input a break-testing report found silently misread:
// - a typed array whose buffer was transferred away (postMessage with transfer, structuredClone
//   with { transfer }): it reads as empty, so `tensor(f)` gave shape [0] and the codecs threw a
//   raw TypeError; now an InvalidArgumentError that says the buffer is detached (`attachedArg`);
// - values that do not fill a huge shape: `tensor(new Float32Array(4), [65536, 65536])` was an
//   OutOfMemoryError about 17 GB; now the ShapeError of any mismatch, with nothing allocated;
// - finite numbers beyond float32's range (`1e39`): stored as Infinity, as TF.js stores them;
//   now an InvalidArgumentError naming the index and the value (`f32Value`).
import { describe, expect, it } from 'vitest';
import { detached, thrown } from './setup.js';
import * as nr from '../ts/index.js';

const { compression, codecs } = nr;

/** The error `f` throws, as `Name: message`, checking that it left no tensor behind and grew no memory. */
function error(f: () => unknown): string {
  const before = nr.memory();
  const err = thrown(() => nr.tidy(() => void f()));
  const after = nr.memory();
  expect(after.numTensors, 'tensors left behind').toBe(before.numTensors);
  expect(after.wasmBytes, 'memory grown').toBe(before.wasmBytes);
  return String(err);
}

const DETACHED = 'whose ArrayBuffer is detached (transferred, e.g. by postMessage(message, [buffer]) or structuredClone(value, { transfer })), so it holds no values any more; pass a copy (array.slice()) or use the array before transferring its buffer';

describe('typed arrays whose buffer was transferred (detached)', () => {
  it('tensor creation refuses them, for every element type, with or without a shape, nested or as a TensorLike', () => {
    const f = detached(Float32Array);
    expect(f.length).toBe(0);
    expect(error(() => nr.tensor(f))).toBe(`InvalidArgumentError: tensor: values is a Float32Array ${DETACHED}`);
    expect(error(() => nr.tensor(f, [2, 2]))).toBe(`InvalidArgumentError: tensor: values is a Float32Array ${DETACHED}`);
    expect(error(() => nr.tensor(f, [0]))).toMatch(/^InvalidArgumentError: tensor: values is a Float32Array whose ArrayBuffer is detached/);
    for (const Type of [Float64Array, Int32Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint32Array] as Array<new (b: ArrayBuffer) => ArrayBufferView>) {
      expect(error(() => nr.tensor(detached(Type) as never))).toMatch(new RegExp(`^InvalidArgumentError: tensor: values is a ${Type.name} whose ArrayBuffer is detached`));
    }
    expect(error(() => nr.tensor1d(detached(Float64Array)))).toMatch(/^InvalidArgumentError: tensor1d: values is a Float64Array whose ArrayBuffer is detached/);
    expect(error(() => nr.tensor2d(f, [0, 4]))).toMatch(/^InvalidArgumentError: tensor2d: values is a Float32Array whose ArrayBuffer is detached/);
    // Rows that are typed arrays: the first, or a later one (which read as a ragged row).
    expect(error(() => nr.tensor([f, f]))).toMatch(/^InvalidArgumentError: tensor: values\[0\] is a Float32Array whose ArrayBuffer is detached/);
    expect(error(() => nr.tensor([new Float32Array(2), f]))).toMatch(/^InvalidArgumentError: tensor: values\[1\] is a Float32Array whose ArrayBuffer is detached/);
    const x = nr.tensor([1, 2]);
    expect(error(() => nr.add(x, f))).toMatch(/^InvalidArgumentError: add: b: values is a Float32Array whose ArrayBuffer is detached/);
    expect(error(() => nr.gather(x, detached(Int32Array)))).toMatch(/^InvalidArgumentError: gather: indices is a Int32Array whose ArrayBuffer is detached/);
    x.dispose();
    expect(error(() => nr.buffer([2], 'float32', f))).toMatch(/^InvalidArgumentError: buffer: values is a Float32Array whose ArrayBuffer is detached/);
    // ImageData-like pixels: 0 × 0 matched the 0 bytes a detached array reads as.
    expect(error(() => nr.browser.fromPixels({ data: detached(Uint8ClampedArray), width: 0, height: 0 }))).toMatch(/^InvalidArgumentError: fromPixels: pixels\.data is a Uint8ClampedArray whose ArrayBuffer is detached/);
  });

  it('a dataset batching detached arrays says so (it made a tensor of shape [2, 0])', async () => {
    const f = detached(Float32Array);
    const err = await nr.data.array([f, f]).batch(2).toArray().then(() => null, (e: unknown) => e);
    expect(String(err)).toMatch(/^InvalidArgumentError: batch: the elements' arrays do not make one tensor: element 0 of the batch is a Float32Array whose ArrayBuffer is detached/);
  });

  it('empty arrays that are not detached are still empty tensors (zero-length views, shared memory)', () => {
    const read = (t: nr.Tensor) => nr.tidy(() => [t.shape, Array.from(t.data())]);
    expect(read(nr.tensor(new Float32Array(0)))).toEqual([[0], []]);
    expect(read(nr.tensor(new Float32Array(new ArrayBuffer(8), 8)))).toEqual([[0], []]);
    expect(read(nr.tensor(new Float32Array(new SharedArrayBuffer(8), 8), [0, 3]))).toEqual([[0, 3], []]);
    // Where ArrayBuffer.prototype.detached exists (Node 22, browsers) it is what is read.
    const b = new ArrayBuffer(0);
    Object.defineProperty(b, 'detached', { value: true });
    expect(error(() => nr.tensor(new Float32Array(b)))).toMatch(/whose ArrayBuffer is detached/);
  });

  it('the codecs refuse detached input, output and image data with the same message (they threw a raw TypeError)', () => {
    const u8 = detached(Uint8Array);
    for (const [name, c] of [['huffman', compression.huffman], ['lzw', compression.lzw], ['rle', compression.rle]] as const) {
      expect(error(() => c.encode(u8))).toBe(`InvalidArgumentError: compression.${name}.encode: bytes is a Uint8Array ${DETACHED}`);
      expect(error(() => c.decode(u8))).toMatch(new RegExp(`^InvalidArgumentError: compression\\.${name}\\.decode: bytes is a Uint8Array whose ArrayBuffer is detached`));
      const stream = c.encode(new Uint8Array(100).fill(7));
      expect(error(() => c.decode(stream, { output: detached(Uint8ClampedArray) }))).toMatch(new RegExp(`^InvalidArgumentError: compression\\.${name}\\.decode: output is a Uint8ClampedArray whose ArrayBuffer is detached`));
    }
    expect(error(() => compression.huffman.encode(detached(Uint8ClampedArray)))).toMatch(/^InvalidArgumentError: compression\.huffman\.encode: bytes is a Uint8ClampedArray whose ArrayBuffer is detached/);
    expect(error(() => compression.huffman.codeLengths(detached(Uint32Array)))).toMatch(/^InvalidArgumentError: compression\.huffman\.codeLengths: frequencies is a Uint32Array whose ArrayBuffer is detached/);
    for (const [name, c] of [['dct', codecs.dct], ['wavelet', codecs.wavelet]] as const) {
      // width × height = 0 matched the 0 bytes a detached array reads as: an empty image was encoded.
      expect(error(() => c.encode({ data: u8, width: 0, height: 0 }))).toBe(`InvalidArgumentError: codecs.${name}.encode: image.data is a Uint8Array ${DETACHED}`);
      expect(error(() => c.decode(u8))).toMatch(new RegExp(`^InvalidArgumentError: codecs\\.${name}\\.decode: bytes is a Uint8Array whose ArrayBuffer is detached`));
    }
    expect(error(() => codecs.bitsPerPixel(u8, { width: 1, height: 1 }))).toMatch(/^InvalidArgumentError: codecs\.bitsPerPixel: bytes is a Uint8Array whose ArrayBuffer is detached/);
  });
});

describe('values that do not fill the shape given', () => {
  it('is the ShapeError of any mismatch, also for a shape too large for any tensor, before anything is allocated', () => {
    expect(error(() => nr.tensor(new Float32Array(4), [65536, 65536]))).toBe('ShapeError: tensor: 4 values do not fill shape [65536,65536], which needs 4294967296');
    expect(error(() => nr.tensor([1, 2], [2 ** 20, 2 ** 20]))).toBe('ShapeError: tensor: 2 values do not fill shape [1048576,1048576], which needs 1099511627776');
    expect(error(() => nr.tensor2d(new Float32Array(4), [65536, 65536]))).toBe('ShapeError: tensor2d: 4 values do not fill shape [65536,65536], which needs 4294967296');
    expect(error(() => nr.tensor([1], new Array(32).fill(2 ** 32 - 1)))).toMatch(/^ShapeError: tensor: 1 values do not fill shape \[.*\], which needs more than 2\^53$/);
    // Values that are too many are still refused as such, before they are read.
    expect(error(() => nr.tensor(new Array(2 ** 15).fill(new Array(2 ** 15).fill(0))))).toMatch(/^OutOfMemoryError: tensor: out of memory allocating 4294967296 bytes: values of shape \[32768,32768\]/);
  });
});

describe('finite numbers beyond float32 range', () => {
  const MAX = 3.4028234663852886e38; // the largest float32
  const LAST = 3.4028235677973362e38; // the largest double float32 rounds down to MAX, not to Infinity

  it('are refused where values become a tensor, naming the index and the value; the largest float32 passes', () => {
    const why = "beyond float32's range (|x| <= 3.4028234663852886e38, what neurite stores): it would become";
    expect(error(() => nr.tensor([1e39]))).toBe(`InvalidArgumentError: tensor: values[0] is 1e+39, ${why} Infinity; pass Infinity if that is what you mean`);
    expect(error(() => nr.tensor(new Float64Array([0, -1e39])))).toBe(`InvalidArgumentError: tensor: values[1] is -1e+39, ${why} -Infinity; pass Infinity if that is what you mean`);
    expect(error(() => nr.tensor([[1, 2], [3, 1e300]]))).toMatch(/^InvalidArgumentError: tensor: values\[1\]\[1\] is 1e\+300, beyond float32's range/);
    expect(error(() => nr.tensor([Float64Array.of(1), Float64Array.of(-1e39)]))).toMatch(/^InvalidArgumentError: tensor: values\[1\]\[0\] is -1e\+39, beyond float32's range/);
    expect(error(() => nr.tensor(1e39))).toMatch(/^InvalidArgumentError: tensor: values is 1e\+39, beyond float32's range/);
    expect(error(() => nr.scalar(-1e39))).toMatch(/^InvalidArgumentError: scalar: value is -1e\+39, beyond float32's range/);
    expect(error(() => nr.fill([2], 1e39))).toMatch(/^InvalidArgumentError: fill: value is 1e\+39, beyond float32's range/);
    const x = nr.tensor([1, 2]);
    expect(error(() => nr.mul(x, 1e39))).toMatch(/^InvalidArgumentError: mul: b is 1e\+39, beyond float32's range/);
    expect(error(() => nr.add(x, [1, 1e39]))).toMatch(/^InvalidArgumentError: add: b: values\[1\] is 1e\+39, beyond float32's range/);
    x.dispose();
    expect(error(() => nr.buffer([1], 'float32', [1e39]))).toMatch(/^InvalidArgumentError: buffer: values\[0\] is 1e\+39, beyond float32's range/);
    expect(error(() => nr.buffer([1]).set(1e39, 0))).toMatch(/^InvalidArgumentError: TensorBuffer\.set: value is 1e\+39, beyond float32's range/);
    expect(error(() => nr.tensor([2 ** 128 - 2 ** 103]))).toMatch(/beyond float32's range/);
    // The largest values float32 holds, ±Infinity, NaN and underflow to 0 pass as before.
    const got = nr.tidy(() => Array.from(nr.tensor([MAX, -LAST, Infinity, -Infinity, NaN, 1e-50]).data()));
    expect(got).toEqual([MAX, -MAX, Infinity, -Infinity, NaN, 0]);
    expect(nr.tidy(() => Array.from(nr.tensor(new Float64Array([LAST, -MAX])).data()))).toEqual([MAX, -MAX]);
  });
});

describe('32-bit integers float32 cannot hold', () => {
  // An Int32Array index past 2^24 was rounded in silence, and gather read another element
  // (TF.js keeps the index exact in an int32 tensor); a plain array's index was refused already.
  it('are refused from Int32Array and Uint32Array, naming the index, the value and its rounding; exact ones pass', () => {
    expect(error(() => nr.tensor(new Int32Array([0, 16777217])))).toBe('InvalidArgumentError: tensor: values[1] is 16777217 (of an Int32Array), which float32, neurite\'s only dtype, cannot hold exactly: integers past 2^24 = 16777216 round (this one to 16777216); keep integers within ±2^24 (indices and counts), or pass Float32Array.from(values) to round them knowingly');
    expect(error(() => nr.tensor(new Uint32Array([4294967295])))).toMatch(/^InvalidArgumentError: tensor: values\[0\] is 4294967295 \(of a Uint32Array\).* \(this one to 4294967296\)/);
    expect(error(() => nr.tensor(new Int32Array([-16777219]), [1, 1]))).toMatch(/values\[0\] is -16777219/);
    // Rows that are integer arrays too (TF.js's [Int32Array, …]).
    expect(error(() => nr.tensor([Int32Array.of(0, 1), Int32Array.of(2, 16777217)]))).toMatch(/^InvalidArgumentError: tensor: values\[1\]\[1\] is 16777217 \(of an Int32Array\)/);
    const x = nr.range(0, 20);
    expect(error(() => nr.gather(x, new Int32Array([16777217])))).toMatch(/^InvalidArgumentError: gather: .*16777217/);
    x.dispose();
    // Exact ones (within ±2^24, or even ones a float32 holds) keep their values.
    const exact = [16777216, -16777216, 16777218, 2 ** 31 - 128, -(2 ** 31)];
    expect(nr.tidy(() => Array.from(nr.tensor(Int32Array.from(exact)).dataSync()))).toEqual(exact);
    expect(nr.tidy(() => Array.from(nr.tensor(Uint32Array.of(2 ** 32 - 256)).dataSync()))).toEqual([2 ** 32 - 256]);
    // Rounding, asked for.
    expect(nr.tidy(() => Array.from(nr.tensor(Float32Array.from(Int32Array.of(16777217))).dataSync()))).toEqual([16777216]);
  });
});

describe('a tensor that went through postMessage or structuredClone', () => {
  it('arrives as a plain object: tensor() says so and what to post instead', () => {
    const t = nr.tensor([[1, 2], [3, 4]]);
    const cloned = structuredClone(t) as never;
    t.dispose();
    expect(error(() => nr.tensor(cloned))).toBe('InvalidArgumentError: tensor: values must be a number, an array or a typed array, got an object (Object) (a tensor posted to or from a worker, or structuredClone()d, arrives as a plain object: post t.dataSync() and t.shape instead, and make it again with tensor(data, shape))');
    // The ops and the models say so too (a model read { id } as inputs by name: "x has a key 'id'
    // that is not an input"; helper-332), and a variable clones as a tensor does (its own assign
    // function was a DataCloneError quoting its source).
    const t2 = nr.tensor([[1, 2]]);
    const posted = structuredClone(t2) as never;
    t2.dispose();
    const hint = /got an object \(Object\) \(a tensor posted to or from a worker, or structuredClone\(\)d, arrives as a plain object: post t\.dataSync\(\) and t\.shape instead/;
    expect(error(() => nr.add(posted, 1))).toMatch(/^InvalidArgumentError: add: a must be a Tensor, a number or an array of numbers, got an object \(Object\) \(a tensor posted/);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    expect(error(() => m.predict(posted))).toMatch(/^InvalidArgumentError: predict: x must be a Tensor, got an object \(Object\) \(a tensor posted/);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(error(() => m.trainOnBatch(posted, posted))).toMatch(hint);
    // In a list, the element is named (it said the list was no tensor, and to make one of it).
    expect(error(() => m.predict([posted] as never))).toMatch(/^InvalidArgumentError: predict: x\[0\] must be a Tensor, got an object \(Object\) \(a tensor posted/);
    // A model weight posted arrives as its name and dtype.
    const w = structuredClone(m.layers[0]!.weights[0]) as never;
    expect(Object.keys(w)).toEqual(['name', 'dtype']);
    expect(error(() => nr.add(w, 1))).toMatch(/got an object \(Object\) \(a tensor posted/);
    m.dispose();
    const v = nr.variable(nr.tensor([1, 2]), true, 'posted_v');
    const pv = structuredClone(v) as never;
    expect(Object.keys(pv)).toEqual(['id', 'name', 'trainable']);
    expect(error(() => nr.tensor(pv))).toMatch(hint);
    v.dispose();
    // Other objects get no such hint.
    expect(error(() => nr.tensor({ id: 'x' } as never))).not.toMatch(/posted/);
    expect(error(() => nr.tensor(new Map() as never))).toMatch(/got an? .*Map[^(]*$/);
    expect(error(() => nr.tensor({ a: 1 } as never))).not.toMatch(/posted/);
  });
});

describe('nested arrays are read in one pass that builds no strings per value', () => {
  // flatten fills a float64 array in place and names a position only when it reports one: it
  // took 12.5 ms for 256 × 784 nested numbers (4.5× a hand copy into a Float32Array), now ~2.8.
  it('gives the values of a hand-flattened Float32Array, for ranks 1–4, booleans and typed rows', () => {
    const g = (i: number): number => Math.sin(i * 1.7) * 10 ** ((i % 9) - 4);
    for (const shape of [[7], [3, 5], [2, 3, 4], [2, 1, 3, 2], [4, 0], [0]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const flat = Array.from({ length: n }, (_, i) => g(i));
      const nest = (off: number, d: number): unknown => d === shape.length - 1 ? flat.slice(off, off + shape[d]) : Array.from({ length: shape[d] }, (_, i) => nest(off + i * shape.slice(d + 1).reduce((a, b) => a * b, 1), d + 1));
      const nested = shape.length === 1 ? flat : nest(0, 0);
      nr.tidy(() => {
        const t = nr.tensor(nested as number[]);
        expect(t.shape).toEqual(shape);
        expect(Array.from(t.dataSync())).toEqual(Array.from(Float32Array.from(flat)));
      });
    }
    nr.tidy(() => {
      expect(Array.from(nr.tensor([[true, false], [false, true]] as unknown as number[][]).dataSync())).toEqual([1, 0, 0, 1]);
      expect(Array.from(nr.tensor([new Float32Array([1, 2]), new Float32Array([3, 4])] as unknown as number[][]).dataSync())).toEqual([1, 2, 3, 4]);
    });
  });

  it('still names the position of a bad value or a ragged row at any depth', () => {
    expect(error(() => nr.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 'x']]] as unknown as number[]))).toBe("InvalidArgumentError: tensor: values[1][1][1] is the string \"x\", not a number");
    expect(error(() => nr.tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]))).toBe('ShapeError: tensor: values are ragged: values[1][1] is an array of length 1, expected an array of length 2 (inferred shape [2,2,2])');
    expect(error(() => nr.tensor([[1, 2], [3, 1e39]]))).toMatch(/^InvalidArgumentError: tensor: values\[1\]\[1\] is 1e\+39, beyond float32's range/);
    expect(error(() => nr.tensor([[1, 2], [3, [4]]] as unknown as number[]))).toMatch(/^InvalidArgumentError: tensor: values\[1\]\[1\] is .*, not a number$/);
  });
});

describe('rows that are typed arrays, in any order with plain rows (helper-324)', () => {
  it('a plain row before a typed one is the same tensor as every other order (it was "ragged: length 2, expected length 2")', () => {
    const F = Float32Array.of(3, 4);
    for (const v of [[[1, 2], F], [Float32Array.of(1, 2), [3, 4]], [Float64Array.of(1, 2), Int32Array.of(3, 4)], [[1, 2], Array.from(F)]]) {
      const t = nr.tensor(v as number[][]);
      expect([t.shape, Array.from(t.data())]).toEqual([[2, 2], [1, 2, 3, 4]]);
      t.dispose();
    }
    const deep = nr.tensor([[[1, 2]], [Float32Array.of(3, 4)]] as unknown as number[][][]);
    expect(deep.shape).toEqual([2, 1, 2]);
    deep.dispose();
    const empty = nr.tensor([[], new Float32Array(0)] as unknown as number[][]);
    expect(empty.shape).toEqual([2, 0]);
    empty.dispose();
    using s = nr.add([[1, 2], F] as unknown as number[][], 0);
    expect(s.arraySync()).toEqual([[1, 2], [3, 4]]);
    // A typed row of another length is ragged, with its length; beyond float32 range, named.
    expect(() => nr.tensor([[1, 2], Float32Array.of(3)] as unknown as number[][])).toThrow('tensor: values are ragged: values[1] is an array of length 1, expected an array of length 2 (inferred shape [2,2])');
    expect(() => nr.tensor([[1, 2], Float64Array.of(3, 1e39)] as unknown as number[][])).toThrow(/values\[1\]\[1\]/);
  });
});
