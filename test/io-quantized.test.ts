// Quantized weights as the TF.js converter writes them (`tensorflowjs_converter
// --quantize_uint8 / --quantize_uint16 / --quantize_float16`): each weight stored as uint8 or
// uint16 with a `scale` and `min` (a value is q · scale + min), or as IEEE half floats; read
// back as float32 when loaded (ts/io/artifacts.ts `readWeightSpecs`), as TF.js 4.22's
// `decodeWeights` does. They were refused ("convert the model without quantization"), which a
// user holding only the files cannot do.
//
// Oracle: TF.js 4.22 loading the same quantized artifacts (`tf.loadLayersModel(fromMemory)`):
// the weights must be bit-identical (both compute q · scale + min in double precision and round
// once; a half is exactly a float32), and so the predictions agree as in test/io-interop.test.ts.
// The quantization itself is written here in the converter's manner (scale = (max − min) /
// (2^bits − 1) over a range holding 0, min nudged so that 0 is a level, q = round((w − min) /
// scale); float16 by round-to-nearest-even); what is checked is the reading of its bytes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectClose } from './setup.js';
import * as nr from '../ts/index.js';
import { normals } from './rng.js';
import { tfArtifacts } from './oracle.js';

await tf.setBackend('cpu');

type Q = 'uint8' | 'uint16' | 'float16';

/** float32 → IEEE half bits, round to nearest even (NumPy's astype(float16)). */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const b = new Uint32Array(f.buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = man >>> shift;
    const rest = man & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = man >>> 13;
  const rest = man & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** The converter's affine quantization of `w` to `bits` bits: the stored integers, scale and min. */
function affine(w: Float32Array, bits: 8 | 16): { q: number[]; scale: number; min: number } {
  let lo = Math.min(0, ...w), hi = Math.max(0, ...w);
  if (lo === hi) hi = lo + 1;
  const levels = 2 ** bits - 1;
  const scale = (hi - lo) / levels;
  // Nudged so that 0 is a level (tensorflowjs/quantization.py _get_affine_quantization_range).
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  return { q: Array.from(w, (v) => Math.min(levels, Math.max(0, Math.round((v - min) / scale)))), scale, min };
}

/** `artifacts` with every weight quantized to `dtype` (the specs and the bytes, in manifest order). */
function quantize(a: tf.io.ModelArtifacts, dtype: Q): tf.io.ModelArtifacts {
  const data = new Uint8Array(a.weightData as ArrayBuffer);
  const parts: Uint8Array[] = [];
  let at = 0;
  const specs = a.weightSpecs!.map((s) => {
    const n = s.shape.reduce((p, q) => p * q, 1);
    const w = new Float32Array(data.slice(at, at + 4 * n).buffer);
    at += 4 * n;
    if (dtype === 'float16') {
      parts.push(new Uint8Array(Uint16Array.from(w, toHalf).buffer));
      return { ...s, quantization: { dtype } };
    }
    const { q, scale, min } = affine(w, dtype === 'uint8' ? 8 : 16);
    parts.push(new Uint8Array((dtype === 'uint8' ? Uint8Array.from(q) : Uint16Array.from(q)).buffer));
    return { ...s, quantization: { dtype, scale, min, original_dtype: 'float32' } };
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let k = 0;
  for (const p of parts) {
    bytes.set(p, k);
    k += p.byteLength;
  }
  return { ...a, weightSpecs: specs as tf.io.WeightsManifestEntry[], weightData: bytes.buffer };
}

/** A small TF.js model with odd sizes (a uint8 weight of odd length shifts the next one off 4-byte alignment). */
function tfModel(): tfl.Sequential {
  return tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [5], units: 7, activation: 'tanh', biasInitializer: 'randomNormal' }),
    tfl.layers.batchNormalization({ betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform', movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones' }),
    tfl.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
}

const X = normals(11)(9 * 5);

/** A tf.keras 2.15 model's training_config as tensorflowjs_converter writes it (Keras's compile, snake_case). */
const CONVERTER_TRAINING = {
  loss: 'categorical_crossentropy', metrics: ['accuracy'], weighted_metrics: null, loss_weights: null,
  optimizer_config: { class_name: 'Adam', config: { name: 'Adam', weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, jit_compile: false, is_legacy_optimizer: false, learning_rate: 0.002, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
};

describe('quantized weights (the TF.js converter)', () => {
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    it(`${dtype}: the weights are TF.js's bit for bit and the predictions agree`, async () => {
      const m = tfModel();
      const q = quantize(await tfArtifacts(m), dtype);
      const theirs = await tfl.loadLayersModel(tf.io.fromMemory(q));
      const mine = await nr.loadModel(q as nr.ModelArtifacts) as nr.Sequential;
      try {
        const want = theirs.getWeights().map((w) => Array.from(w.dataSync()));
        const got = nr.tidy(() => mine.getWeights().map((w) => Array.from(w.dataSync())));
        expect(got).toEqual(want);
        // Not the float32 weights: the quantization changed them (else this proves nothing).
        const original = m.getWeights().map((w) => Array.from(w.dataSync()));
        expect(got).not.toEqual(original);
        const p = nr.tidy(() => Array.from(mine.predict(nr.tensor(X, [9, 5])).dataSync()));
        const e = tf.tidy(() => Array.from((theirs.predict(tf.tensor2d(X, [9, 5])) as tf.Tensor).dataSync()));
        expectClose(p, e, 1e-6, 1e-7);
      } finally {
        mine.dispose();
        theirs.dispose();
        m.dispose();
      }
    });
  }

  it('from model.json and weights.bin on disk (file://) as tensorflowjs_converter writes them (the Keras config wrapped in model_config, beside training_config), mixed with float32 entries', async () => {
    const m = tfModel();
    const a = await tfArtifacts(m);
    // The first weight uint8 (35 bytes: the next starts unaligned), the rest float16 and float32.
    const q8 = quantize(a, 'uint8'), q16 = quantize(a, 'float16');
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Uint8Array[] = [];
    const sizes = (x: tf.io.ModelArtifacts) => x.weightSpecs!.map((s) => s.shape.reduce((p, k) => p * k, 1) * (s.quantization ? (s.quantization.dtype === 'uint8' ? 1 : 2) : 4));
    const slice = (x: tf.io.ModelArtifacts, i: number) => {
      const sz = sizes(x);
      const from = sz.slice(0, i).reduce((p, k) => p + k, 0);
      return new Uint8Array(x.weightData as ArrayBuffer, from, sz[i]);
    };
    a.weightSpecs!.forEach((_, i) => {
      const src = i === 0 ? q8 : i % 2 === 1 ? q16 : a;
      specs.push(src.weightSpecs![i]);
      parts.push(slice(src, i));
    });
    const bin = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let k = 0;
    for (const p of parts) {
      bin.set(p, k);
      k += p.byteLength;
    }
    const dir = mkdtempSync(join(tmpdir(), 'neurite-quantized-'));
    // The converter's model.json wraps the Keras config: { keras_version, backend, model_config, training_config }.
    const { class_name, config } = a.modelTopology as { class_name: string; config: unknown };
    const modelTopology = { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name, config }, training_config: CONVERTER_TRAINING };
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }] }));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), bin);
    const mixed = { ...a, modelTopology, weightSpecs: specs, weightData: bin.slice().buffer };
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(mixed));
    const mine = await nr.loadModel(`file://${dir}/model.json`) as nr.Sequential;
    try {
      expect(nr.tidy(() => mine.getWeights().map((w) => Array.from(w.dataSync())))).toEqual(theirs.getWeights().map((w) => Array.from(w.dataSync())));
      // Compiled from training_config, which TF.js 4.22 ignores (its model loads uncompiled).
      expect(mine.compiledInfo('t').optimizer.getConfig()).toMatchObject({ name: 'adam', learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
      expect([mine.compiledInfo('t').loss, mine.compiledInfo('t').metricNames]).toEqual(['categoricalCrossentropy', ['accuracy']]);
    } finally {
      mine.dispose();
      theirs.dispose();
      m.dispose();
    }
  });

  it('half floats: every one of the 65,536 bit patterns reads as TF.js reads it (subnormals, ±0, ±Infinity, NaN)', async () => {
    const halves = new Uint16Array(65536).map((_, i) => i);
    const spec = { name: 'w', shape: [65536], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
    const want = tf.io.decodeWeights(halves.buffer, [spec]).w.dataSync();
    // The same specs and bytes through neurite's loader, as the weights of a layer.
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 65536, use_bias: false, activation: 'linear', batch_input_shape: [null, 1], kernel_initializer: { class_name: 'Zeros', config: {} } } }] } };
    const mine = await nr.loadModel({ modelTopology: topology, weightSpecs: [{ ...spec, name: 'd/kernel', shape: [1, 65536] }], weightData: halves.buffer }, { allowNonFinite: true }) as nr.Sequential;
    try {
      const got = nr.tidy(() => mine.getWeights()[0].dataSync().slice());
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(got[0x0001]).toBe(2 ** -24); // the smallest subnormal
      expect(got[0x7bff]).toBe(65504); // the largest half
      expect(got[0xfc00]).toBe(-Infinity);
    } finally {
      mine.dispose();
    }
  });

  it('what is wrong with a quantized entry is said, naming it, before anything is built', async () => {
    const m = tfModel();
    const q = quantize(await tfArtifacts(m), 'uint8');
    m.dispose();
    const bad = (edit: (s: Record<string, unknown>) => void, data = q.weightData) => {
      const specs = q.weightSpecs!.map((s) => ({ ...s, quantization: { ...s.quantization } })) as unknown as Array<Record<string, unknown>>;
      edit(specs[1]);
      return { ...q, weightSpecs: specs, weightData: data } as unknown as nr.ModelArtifacts;
    };
    const fails = async (a: nr.ModelArtifacts): Promise<string> => {
      const before = nr.memory().numModels;
      const e = await nr.loadModel(a).then(() => null, (err: unknown) => err);
      expect(nr.memory().numModels).toBe(before);
      return String(e);
    };
    expect(await fails(bad((s) => ((s.quantization as Record<string, unknown>).dtype = 'int4')))).toMatch(/^InvalidArgumentError: loadModel: weightSpecs\[1\]\.quantization of 'dense_\w+\/bias' has dtype the string "int4"; the quantized dtypes are 'uint8', 'uint16' and 'float16'/);
    expect(await fails(bad((s) => delete (s.quantization as Record<string, unknown>).scale))).toMatch(/weightSpecs\[1\]\.quantization of 'dense_\w+\/bias': a uint8 weight needs a finite scale \(each value is q · scale \+ min\), got undefined/);
    expect(await fails(bad((s) => ((s.quantization as Record<string, unknown>).min = NaN)))).toMatch(/needs a finite min/);
    expect(await fails(bad((s) => (s.quantization = 'uint8')))).toMatch(/weightSpecs\[1\]\.quantization of 'dense_\w+\/bias' must be an object \{ dtype, scale, min \}/);
    expect(await fails(bad(() => {}, (q.weightData as ArrayBuffer).slice(0, 40)))).toMatch(/^InvalidArgumentError: loadModel: weightData is too short: weightSpecs\[1\] \('dense_\w+\/bias', shape \[7\] of uint8 values\) ends at byte 42, but weightData has 40 bytes$/);
    expect(await fails(bad(() => {}, new Uint8Array([...new Uint8Array(q.weightData as ArrayBuffer), 0]).buffer))).toMatch(/weightData is too long: weightSpecs describe \d+ bytes \(\d+ values, some quantized\)/);
    // A quantized value read back beyond float32's range is the non-finite weight error.
    expect(await fails(bad((s) => ((s.quantization as Record<string, unknown>).scale = 1e38)))).toMatch(/weight 'dense_\w+\/bias' .* has a non-finite value Infinity/);
  });
});
