// `setWeights` with each weight's values as a Float32Array, a Float64Array or an array of
// numbers (Keras's `set_weights` takes arrays; TF.js only tensors): bit-identical to the tensor
// path (the reference: `setWeights(tensors)`, itself checked against TF.js in
// layer-weights.test.ts), the same checks and messages, nothing changed by a failed call, and
// no memory left behind.
import { describe, expect, it } from 'vitest';
import { detached, failTestsThatLeak, thrown } from './setup.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/** A deterministic float in [-1, 1) for index `i` of stream `s`. */
const val = (s: number, i: number) => Math.fround(Math.sin(s * 1000 + i * 12.9898) * 0.999);

/** A model with dense, batch normalization (a weight that must be >= 0) and prelu layers, of odd sizes. */
function net(seed: number): nr.Sequential {
  const m = nr.sequential({
    seed,
    layers: [nr.layers.dense({ inputShape: [7], units: 5 }), nr.layers.batchNormalization(), nr.layers.prelu(), nr.layers.dense({ units: 3 })],
  });
  m.build();
  return m;
}

/** The bit patterns of every weight of `m` (in getWeights order). */
function bits(m: nr.Sequential): number[][] {
  return nr.tidy(() => m.getWeights().map((w) => Array.from(new Uint32Array(w.dataSync().buffer))));
}

/** New values for `m`'s weights, as `getWeights()` shapes them (variances positive). */
function values(m: nr.Sequential, s: number): Float32Array[] {
  return nr.tidy(() => m.getWeights().map((w, k) => Float32Array.from({ length: w.size }, (_, i) => (m.weightNames()[k].endsWith('moving_variance') ? 0.5 + Math.abs(val(s + k, i)) : val(s + k, i)))));
}

describe('setWeights from arrays', () => {
  it('writes the same bits as setWeights(tensors), for a model and for a layer', () => {
    const start = nr.memory();
    const [a, b] = [net(1), net(2)];
    const vs = values(a, 3);
    const shapes = nr.tidy(() => a.getWeights().map((w) => w.shape.slice()));
    nr.tidy(() => a.setWeights(vs.map((v, k) => nr.tensor(v, shapes[k]))));
    b.setWeights(vs);
    expect(bits(b)).toEqual(bits(a));
    expect(nr.tidy(() => Array.from(b.predict(nr.ones([2, 7])).dataSync()))).toEqual(nr.tidy(() => Array.from(a.predict(nr.ones([2, 7])).dataSync())));
    // A Float64Array and a plain array are rounded to float32 as tensor() rounds them.
    const wide = vs.map((v, k) => Float64Array.from(v, (x, i) => x + (k === 0 && i === 0 ? 1e-9 : 0)));
    nr.tidy(() => a.setWeights(wide.map((v, k) => nr.tensor(v, shapes[k]))));
    b.setWeights(wide.map((v, k) => (k % 2 ? Array.from(v) : v)));
    expect(bits(b)).toEqual(bits(a));
    // Tiny and huge finite values: a value below float32's smallest becomes 0 in both.
    const extreme = vs.map((v) => Float64Array.from(v, (_, i) => [1e-46, 3e38, 1.5e-45, -0][i % 4]));
    nr.tidy(() => a.setWeights(extreme.map((v, k) => nr.tensor(v, shapes[k]))));
    b.setWeights(extreme);
    expect(bits(b)).toEqual(bits(a));
    // Tensors and arrays mixed.
    nr.tidy(() => b.setWeights(vs.map((v, k) => (k % 2 ? nr.tensor(v, shapes[k]) : v))));
    nr.tidy(() => a.setWeights(vs.map((v, k) => nr.tensor(v, shapes[k]))));
    expect(bits(b)).toEqual(bits(a));
    // A layer's own weights.
    const [la, lb] = [a.getLayer(3) as nr.Layer, b.getLayer(3) as nr.Layer];
    const k3 = Float32Array.from({ length: 15 }, (_, i) => val(9, i));
    nr.tidy(() => la.setWeights([nr.tensor(k3, [5, 3]), nr.tensor([1, 2, 3])]));
    lb.setWeights([k3, [1, 2, 3]]);
    expect(bits(b)).toEqual(bits(a));
    a.dispose();
    b.dispose();
    expect(nr.memory().modelBytes).toBe(start.modelBytes);
    expect(nr.memory().numHandles).toBe(start.numHandles);
  });

  it('a getWeights copy keeps the old values, and memory stays flat over many writes', () => {
    const m = net(4);
    const before = m.getWeights();
    const old = before.map((w) => Array.from(w.dataSync()));
    const vs = values(m, 5);
    m.setWeights(vs);
    expect(before.map((w) => Array.from(w.dataSync()))).toEqual(old);
    nr.dispose(before);
    const start = nr.memory();
    for (let i = 0; i < 200; i++) m.setWeights(vs.map((v) => v.map((x) => x * 0.5 + i * 1e-3)));
    const end = nr.memory();
    expect([end.numTensors, end.numHandles, end.modelBytes, end.wasmBytes]).toEqual([start.numTensors, start.numHandles, start.modelBytes, start.wasmBytes]);
    m.dispose();
  });

  it('checks every weight first, with the tensor path’s messages, and a failed call changes nothing', () => {
    const m = net(6);
    const vs = values(m, 7);
    const shapes = nr.tidy(() => m.getWeights().map((w) => w.shape.slice()));
    m.setWeights(vs);
    const kept = bits(m);
    const msg = (f: () => unknown) => {
      const e = thrown(f) as Error;
      return `${e.name}: ${e.message}`;
    };
    // A wrong length names the weight, its shape and both lengths.
    const short = vs.map((v, k) => (k === 1 ? v.subarray(1) : v));
    expect(msg(() => m.setWeights(short))).toBe('ShapeError: setWeights: weight 1 (`bias` of layer 0) has shape [5] (5 values), but weights[1] has 4 values');
    // NaN, ±Infinity and a float64 beyond float32's range: the same message as a tensor's.
    for (const bad of [NaN, Infinity, -Infinity]) {
      const withBad = vs.map((v, k) => (k === 3 ? Float64Array.from(v, (x, i) => (i === 2 ? bad : x)) : v));
      const viaTensor = msg(() => nr.tidy(() => m.setWeights(withBad.map((v, k) => nr.tensor(v, shapes[k])))));
      expect(viaTensor).toMatch(/^InvalidArgumentError: setWeights: weight 3 \(`beta` of layer 1\) holds -?(NaN|Infinity) at flat index 2; weights must be finite/);
      expect(msg(() => m.setWeights(withBad))).toBe(viaTensor);
      expect(msg(() => m.setWeights(withBad.map((v) => Array.from(v))))).toBe(viaTensor);
      expect(msg(() => m.setWeights(withBad.map((v) => Float32Array.from(v))))).toBe(viaTensor);
    }
    // A float64 beyond float32's range is refused as tensor() refuses it, even with allowNonFinite.
    const huge = vs.map((v, k) => (k === 3 ? Float64Array.from(v, (x, i) => (i === 2 ? -1e39 : x)) : v));
    expect(msg(() => nr.tensor(huge[3]))).toMatch(/^InvalidArgumentError: tensor: values\[2\] is -1e\+39, beyond float32's range/);
    expect(msg(() => m.setWeights(huge, { allowNonFinite: true }))).toBe(
      "InvalidArgumentError: setWeights: weights[3][2] is -1e+39, beyond float32's range (|x| <= 3.4028234663852886e38, what neurite stores): it would become -Infinity; pass Infinity if that is what you mean",
    );
    // A Float32Array whose buffer was transferred away.
    expect(msg(() => m.setWeights(vs.map((v, k) => (k === 0 ? detached(Float32Array) : v))))).toMatch(/^InvalidArgumentError: setWeights: weights\[0\] .*detached/);
    // The weight's domain: a moving variance must be >= 0.
    const negative = vs.map((v, k) => (m.weightNames()[k].endsWith('moving_variance') ? v.map((x, i) => (i === 4 ? -0.25 : x)) : v));
    const viaTensor = msg(() => nr.tidy(() => m.setWeights(negative.map((v, k) => nr.tensor(v, shapes[k])))));
    expect(viaTensor).toBe('InvalidArgumentError: setWeights: weight 8 (`moving_variance` of layer 1) holds -0.25 at flat index 4; it must be >= 0');
    expect(msg(() => m.setWeights(negative))).toBe(viaTensor);
    // Not numbers.
    expect(msg(() => m.setWeights(vs.map((v, k) => (k === 0 ? [[...v.subarray(0, 5)]] : v)) as never))).toBe('ShapeError: setWeights: weight 0 (`kernel` of layer 0) has shape [7,5], but weights[0] is a nested array of shape [1,5]');
    expect(msg(() => m.setWeights(vs.map((v, k) => (k === 0 ? [[1, 2], [3]] : v)) as never))).toMatch(/^ShapeError: setWeights: weights\[0\]: values are ragged/);
    expect(msg(() => m.setWeights(vs.map((v, k) => (k === 2 ? Array.from(v, (x, i) => (i === 1 ? String(x) : x)) : v)) as never))).toMatch(/^InvalidArgumentError: setWeights: weights\[2\]\[1\] must be a number \(the values flat, in row-major order\), got the string/);
    expect(msg(() => m.setWeights(vs.map((v, k) => (k === 2 ? new Int32Array(v.length) : v)) as never))).toMatch(
      /^InvalidArgumentError: setWeights: weights\[2\] must be a Tensor, a Float32Array, a Float64Array or an array of numbers \(the weight's values in row-major order\), got /,
    );
    expect(msg(() => m.setWeights(vs.slice(1)))).toBe(`InvalidArgumentError: setWeights: model ${m.name} has 9 weights, got 8 weights (5 values, 5 values, 5 values, 5 values, 15 values, 3 values, 5 values, 5 values)`);
    const small = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 3 })] });
    small.build();
    expect(msg(() => small.setWeights([new Float32Array(6)]))).toBe(`InvalidArgumentError: setWeights: model ${small.name} has 2 weights ([2,3], [3]), got 1 weight (6 values)`);
    // Every weight's values in one array (a neuroevolution genome): how to split it.
    expect(msg(() => small.setWeights([new Float32Array(9)]))).toBe(`InvalidArgumentError: setWeights: model ${small.name} has 2 weights ([2,3], [3]), got 1 weight (9 values); that is every weight's values in one array: give one array per weight, e.g. its subarrays of 6, 3 values in turn`);
    small.dispose();
    expect(bits(m)).toEqual(kept);
    // allowNonFinite lets NaN in, as for tensors (not a negative variance).
    const nan = vs.map((v, k) => (k === 0 ? v.map(() => NaN) : v));
    m.setWeights(nan, { allowNonFinite: true });
    expect(nr.tidy(() => Number.isNaN(m.getWeights()[0].dataSync()[3]))).toBe(true);
    m.dispose();
  });

  it('takes nested arrays (as Keras’s set_weights takes nested lists) of each weight’s shape: the same bits as flat', () => {
    const [a, b] = [net(11), net(12)];
    const vs = values(a, 13);
    const shapes = nr.tidy(() => a.getWeights().map((w) => w.shape.slice()));
    // Each weight as nested arrays of its shape (rows of the kernels), the vectors flat.
    const nestedOf = (v: Float32Array, shape: number[]): number[] | number[][] => (shape.length < 2 ? Array.from(v) : Array.from({ length: shape[0] }, (_, r) => Array.from(v.subarray(r * shape[1], (r + 1) * shape[1]))));
    a.setWeights(vs);
    b.setWeights(vs.map((v, k) => nestedOf(v, shapes[k])));
    expect(bits(b)).toEqual(bits(a));
    // A layer's too.
    const layer = b.getLayer(3) as nr.Layer;
    const k = nr.tidy(() => layer.getWeights().map((w) => ({ v: w.dataSync().map((x) => x + 1), s: w.shape.slice() })));
    layer.setWeights(k.map(({ v, s }) => nestedOf(v, s)));
    expect(nr.tidy(() => Array.from(layer.getWeights()[0].dataSync()))).toEqual(Array.from(k[0].v));
    // The transposed shape of the same count is refused, not read in the wrong order.
    const e = thrown(() => layer.setWeights([Array.from({ length: 3 }, () => [0, 0, 0, 0, 0]), [0, 0, 0]] as never)) as Error;
    expect(e.message).toBe(`setWeights: layer ${layer.name}: weight 0 (\`kernel\`) has shape [5,3], but weights[0] is a nested array of shape [3,5]`);
    a.dispose();
    b.dispose();
  });

  it('a layer’s messages name the layer, as for tensors', () => {
    const m = net(8);
    const out = m.getLayer(3) as nr.Layer;
    const e = thrown(() => out.setWeights([new Float32Array(15), new Float32Array(2)])) as Error;
    expect(e).toBeInstanceOf(nr.ShapeError);
    expect(e.message).toBe(`setWeights: layer ${out.name}: weight 1 (\`bias\`) has shape [3] (3 values), but weights[1] has 2 values`);
    const viaTensor = thrown(() => nr.tidy(() => out.setWeights([nr.zeros([5, 3]), nr.tensor([0, NaN, 0])]))) as Error;
    expect((thrown(() => out.setWeights([new Float32Array(15), [0, NaN, 0]])) as Error).message).toBe(viaTensor.message);
    m.dispose();
  });
});
