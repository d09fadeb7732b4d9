/**
 * Seeded fuzz test of `loadModel` (issue 11, "Bad input"): valid artifacts of several models
 * (every layer kind, a nested model, an autoencoder, a perceptron, an RBF network, a graph
 * model with two inputs and two outputs, compiled and not; two of them with the TF.js
 * converter's quantized weights) are mutated — JSON fields deleted or given values of other types, numbers nudged or made
 * huge, class names swapped, manifest entries dropped or duplicated, weight bytes flipped,
 * truncated or extended — and loaded. Every outcome is a model (disposed again) or a
 * NeuriteError; never a TypeError, a RangeError, a trap or a hang, and memory() is back at its
 * baseline after every case.
 *
 * A new seed each run (printed); set IO_FUZZ_SEED to replay one, IO_FUZZ_CASES for a longer run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

const { layers, optimizers, schedules, regularizers } = nr;
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const SEED = env.IO_FUZZ_SEED !== undefined ? Number(env.IO_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const CASES = env.IO_FUZZ_CASES !== undefined ? Number(env.IO_FUZZ_CASES) : 3000;
/** The topology-only cases: a third as many. */
const THIRD = Math.ceil(CASES / 3);

type Json = unknown;
interface Sample { json: Record<string, Json>; data: Uint8Array }

async function samples(): Promise<Sample[]> {
  const made: Array<{ toArtifacts(): Promise<nr.ModelArtifacts>; dispose(): void }> = [];
  const m1 = nr.sequential({ seed: 1, layers: [
    layers.dense({ inputShape: [4], units: 5, activation: 'relu', kernelRegularizer: regularizers.l2() }), layers.batchNormalization(), layers.layerNormalization(),
    layers.dropout({ rate: 0.1 }), layers.reshape({ targetShape: [5, 1] }), layers.prelu(), layers.flatten(), layers.activation({ activation: { name: 'leakyRelu', alpha: 0.1 } }),
    layers.dense({ units: 3, activation: { name: 'stairStep', step: 0.5 } }),
  ] });
  m1.compile({ optimizer: optimizers.adam({ learningRate: schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 5 }) }), loss: 'mse', metrics: ['mae'] });
  const m2 = nr.sequential({ seed: 2, layers: [layers.rbf({ inputShape: [2], units: 3 }), layers.gaussianNoise({ stddev: 0.1 }), layers.dense({ units: 2 }), layers.variational({ units: 2 })] });
  m2.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'categoricalCrossentropy' });
  const inner = nr.sequential({ name: 'inner', layers: [layers.inputLayer({ inputShape: [3] }), layers.saltAndPepper({ rate: 0.1 }), layers.dense({ units: 2, activation: 'sigmoid', activityRegularizer: regularizers.klSparsity() })] });
  const m3 = nr.sequential({ layers: [inner, layers.dense({ units: 3 })] });
  const ae = nr.autoencoder({ encoder: nr.sequential({ layers: [layers.dense({ inputShape: [4], units: 2 })] }), decoder: layers.dense({ units: 4 }) });
  const p = nr.perceptron({ inputs: 3, weights: [1, -1, 0.5], bias: 0.25 });
  const net = nr.rbfNetwork({ centers: 3, seed: 1 });
  const x = nr.tensor([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5]]);
  const y = nr.tensor([[0], [1], [1], [0], [0.5]]);
  await net.fit(x, y);
  [x, y].forEach((t) => t.dispose());
  // A graph model with two inputs and two outputs (a merge, a skip, a layer applied twice: an
  // inbound node per call), compiled with a loss per output.
  const a = nr.input({ shape: [3] }), b = nr.input({ shape: [2, 2] });
  const h = layers.dense({ units: 4, activation: 'relu' }).apply(layers.concatenate().apply([a, layers.flatten().apply(b)]));
  const shared = layers.dense({ units: 3, activation: 'tanh' });
  const out1 = layers.dense({ units: 3, name: 'out1' }).apply(layers.add().apply([shared.apply(a), shared.apply(layers.dense({ units: 3 }).apply(h))]));
  const out2 = layers.dense({ units: 2, activation: 'softmax', name: 'out2' }).apply(h);
  const g = nr.model({ inputs: [a, b], outputs: [out1, out2], seed: 3 });
  g.compile({ optimizer: 'adam', loss: ['mse', 'categoricalCrossentropy'], metrics: { out2: ['accuracy'] }, lossWeights: [1, 0.5] });
  // Session 42's loaders: conv1dTranspose (Keras 3's output padding) and PReLU's shared axes.
  const m4 = nr.sequential({ seed: 4, layers: [
    layers.conv1d({ inputShape: [6, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same' }), layers.prelu({ sharedAxes: [1] }),
    layers.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 }),
    // Keras 3's 1-D shape layers: 6 steps → 12 → 15 → 12.
    layers.upSampling1d(), layers.zeroPadding1d({ padding: [1, 2] }), layers.cropping1d({ cropping: [2, 1] }),
  ] });
  m4.compile({ optimizer: 'sgd', loss: 'mse' });
  made.push(m1, m2, m3, ae, p, net, g, m4);
  const out: Sample[] = [];
  for (const m of made) {
    const a = await m.toArtifacts();
    out.push({ json: JSON.parse(JSON.stringify({ ...a, weightData: null })), data: new Uint8Array(a.weightData as ArrayBuffer) });
  }
  // The TF.js converter's quantized weights (uint8, float16 and float32 entries in turn), of m1 and m4.
  for (const i of [0, 7]) out.push(quantized(out[i]));
  for (const m of made) m.dispose();
  inner.dispose();
  (ae.encoder as nr.Sequential).dispose();
  return out;
}

/** `s` with its weights stored as the TF.js converter's uint8 (`q · scale + min`), float16 and float32 in turn. */
function quantized(s: Sample): Sample {
  const json = structuredClone(s.json);
  const specs = json.weightSpecs as Array<{ shape: number[]; quantization?: object }>;
  const f32 = new Float32Array(s.data.slice().buffer);
  const parts: Uint8Array[] = [];
  let at = 0;
  specs.forEach((spec, i) => {
    const w = f32.subarray(at, (at += spec.shape.reduce((a, b) => a * b, 1)));
    if (i % 3 === 0) {
      const min = Math.min(0, ...w), scale = (Math.max(0, ...w) - min) / 255 || 1;
      spec.quantization = { dtype: 'uint8', scale, min };
      parts.push(Uint8Array.from(w, (v) => Math.round((v - min) / scale)));
    } else if (i % 3 === 1) {
      spec.quantization = { dtype: 'float16' };
      // float32 bits to half bits by truncation (the weights are small: normal halves or 0).
      const bits = new Uint32Array(Float32Array.from(w).buffer);
      const e = (b: number) => ((b >>> 23) & 0xff) - 112;
      parts.push(new Uint8Array(Uint16Array.from(bits, (b) => (e(b) > 0 && e(b) < 31 ? ((b >>> 16) & 0x8000) | (e(b) << 10) | ((b >>> 13) & 0x3ff) : 0)).buffer));
    } else parts.push(new Uint8Array(w.slice().buffer));
  });
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((k, p) => (data.set(p, k), k + p.length), 0);
  return { json, data };
}

/** Every path to a value inside `v` (object keys and array indices). */
function paths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

const NAMES = ['Sequential', 'Dense', 'neurite>RBF', 'Conv2D', 'neurite>Perceptron', 'neurite>RBFNetwork', 'VarianceScaling', 'L1L2', 'Adam', 'layers-model', 'graph-model', 'float32', 'int32', 'optimizer', 'relu', '__proto__', 'constructor'];

function mutateJson(r: () => number, root: Record<string, Json>, data: Uint8Array): { json: Record<string, Json>; data: Uint8Array } {
  const pick = (n: number) => Math.floor(r() * n);
  const json = JSON.parse(JSON.stringify(root)) as Record<string, Json>;
  let bytes = data.slice();
  const all = paths(json).filter((p) => p.length > 0);
  const values: unknown[] = [null, undefined, 0, -1, 1.5, 1e10, 2 ** 31, 2 ** 53, -0, NaN, Infinity, 'x', '', true, false, [], {}, [1, 2], [null, 3], { class_name: 'Dense', config: {} }];
  const k = 1 + pick(3);
  for (let j = 0; j < k; j++) {
    const op = pick(10);
    if (op >= 7) {
      // weight bytes
      switch (op) {
        case 7: if (bytes.length) bytes[pick(bytes.length)] ^= 1 << pick(8); break;
        case 8: bytes = bytes.slice(0, pick(bytes.length + 1)); break;
        default: { const e = new Uint8Array(bytes.length + 1 + pick(12)); e.set(bytes); bytes = e; break; }
      }
      continue;
    }
    const p = all[pick(all.length)];
    let parent: any = json;
    for (const key of p.slice(0, -1)) parent = parent?.[key];
    if (parent === null || typeof parent !== 'object') continue;
    const key = p[p.length - 1];
    const cur = parent[key];
    switch (op) {
      case 0: if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key]; break;
      case 1: parent[key] = values[pick(values.length)]; break;
      case 2: if (typeof cur === 'number') parent[key] = [cur + 1, cur - 1, cur * 2, -cur, cur * 1e6, 0][pick(6)]; else parent[key] = values[pick(values.length)]; break;
      case 3: parent[key] = NAMES[pick(NAMES.length)]; break;
      case 4: if (Array.isArray(parent)) parent.push(structuredClone(cur)); else parent[`${String(key)}_x`] = cur; break; // duplicate
      case 5: { const other = all[pick(all.length)]; let v: any = json; for (const kk of other) v = v?.[kk]; parent[key] = v === undefined ? null : structuredClone(v); break; } // a value from elsewhere
      default: if (typeof cur === 'string') parent[key] = cur.slice(0, pick(cur.length + 1)) + (r() < 0.5 ? '_' : ''); else if (Array.isArray(cur)) parent[key] = cur.slice().reverse(); break;
    }
  }
  return { json, data: bytes };
}

describe('fuzz: loadModel on mutated valid artifacts', () => {
  it(`${CASES} mutations: a model or a NeuriteError, memory back at baseline (seed ${SEED})`, async () => {
    console.log(`io-fuzz seed ${SEED} (replay with IO_FUZZ_SEED=${SEED})`);
    const base = await samples();
    // Unmutated, every sample loads (the quantized ones too: else their mutations prove little).
    for (const s of base) {
      const warn = console.warn;
      console.warn = () => {};
      try {
        (await nr.loadModel({ ...s.json, weightData: s.data.slice().buffer } as nr.ModelArtifacts)).dispose();
      } finally {
        console.warn = warn;
      }
    }
    const r = mulberry32(SEED);
    const before = nr.memory();
    let loaded = 0;
    const kinds = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const s = base[i % base.length];
      const { json, data } = mutateJson(r, s.json, s.data);
      const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      const warn = console.warn;
      console.warn = () => {};
      let m: nr.LoadedModel | null = null;
      try {
        m = await nr.loadModel({ ...json, weightData: buf } as nr.ModelArtifacts, { allowNonFinite: r() < 0.1 });
        loaded++;
      } catch (err) {
        // loadModel turns a stray TypeError into "the artifacts are malformed (…)": a gap in its checks, so a failure here.
        if (!(err instanceof nr.NeuriteError) || err.message.includes('the artifacts are malformed')) throw new Error(`case ${i} (seed ${SEED}): ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}\n${JSON.stringify(json).slice(0, 2000)}`);
        kinds.set(err.constructor.name, (kinds.get(err.constructor.name) ?? 0) + 1);
      } finally {
        console.warn = warn;
      }
      if (m instanceof nr.Sequential) {
        const all = (x: nr.Sequential): nr.Sequential[] => [x, ...x.layers.flatMap((l) => (l instanceof nr.Sequential ? all(l) : []))];
        for (const x of all(m).reverse()) x.dispose();
      } else m?.dispose();
      const now = nr.memory();
      if (now.numTensors !== before.numTensors || now.numHandles !== before.numHandles) {
        throw new Error(`case ${i} (seed ${SEED}): memory ${now.numTensors} tensors / ${now.numHandles} handles, baseline ${before.numTensors} / ${before.numHandles}\n${JSON.stringify(json).slice(0, 2000)}`);
      }
    }
    console.log(`io-fuzz: ${loaded} of ${CASES} mutated files loaded, errors ${JSON.stringify(Object.fromEntries(kinds))}`);
    expect(loaded).toBeLessThan(CASES);
  }, 300_000);

  // Not built: a mutated config may describe gigabytes of weights (loadModel's fuzz above builds
  // only what matches the small weight files).
  it(`${THIRD} mutated topologies through sequential.fromConfig: a model or a NeuriteError (seed ${SEED + 1})`, async () => {
    const base = (await samples()).filter((s) => ['Sequential', 'Model'].includes((s.json.modelTopology as { class_name: string }).class_name));
    const r = mulberry32(SEED + 1);
    const before = nr.memory();
    for (let i = 0; i < THIRD; i++) {
      const { json } = mutateJson(r, { t: base[i % base.length].json.modelTopology }, new Uint8Array(0));
      let m: nr.Sequential | null = null;
      try {
        m = nr.sequential.fromConfig(json.t as nr.ModelConfig);
      } catch (err) {
        if (!(err instanceof nr.NeuriteError)) throw new Error(`case ${i} (seed ${SEED + 1}): ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}\n${JSON.stringify(json).slice(0, 2000)}`);
      }
      if (m) {
        const all = (x: nr.Sequential): nr.Sequential[] => [x, ...x.layers.flatMap((l) => (l instanceof nr.Sequential ? all(l) : []))];
        for (const x of all(m).reverse()) x.dispose();
      }
    }
    const now = nr.memory();
    expect([now.numTensors, now.numHandles]).toEqual([before.numTensors, before.numHandles]);
  }, 300_000);

  // Keras 3 topologies (model.to_json(), test/fixtures/keras3-models.json) through the Keras 3
  // reader, mutated the same way; fromConfig, not built, for the reason above.
  it(`${THIRD} mutated Keras 3 topologies through sequential.fromConfig: a model or a NeuriteError (seed ${SEED + 2})`, async () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/keras3-models.json', import.meta.url), 'utf8')) as { models: Record<string, { topology: Record<string, Json> }> };
    const base = Object.values(fixture.models).map((m) => m.topology);
    // The Keras 3 reader is in the storage chunk: loaded by one valid read.
    (await nr.models.modelFromJSON(base[0] as never)).dispose();
    const r = mulberry32(SEED + 2);
    const before = nr.memory();
    for (let i = 0; i < THIRD; i++) {
      const { json } = mutateJson(r, { t: base[i % base.length] }, new Uint8Array(0));
      let m: nr.Sequential | null = null;
      let why = '';
      try {
        m = nr.sequential.fromConfig(json.t as nr.ModelConfig);
      } catch (err) {
        why = String(err);
        if (!(err instanceof nr.NeuriteError)) throw new Error(`case ${i} (seed ${SEED + 2}): ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}\n${JSON.stringify(json).slice(0, 2000)}`);
      }
      if (m) {
        const all = (x: nr.Sequential): nr.Sequential[] => [x, ...x.layers.flatMap((l) => (l instanceof nr.Sequential ? all(l) : []))];
        for (const x of all(m).reverse()) x.dispose();
      }
      const now = nr.memory();
      if (now.numTensors !== before.numTensors || now.numHandles !== before.numHandles) {
        throw new Error(`case ${i} (seed ${SEED + 2}): memory ${now.numTensors} tensors / ${now.numHandles} handles, baseline ${before.numTensors} / ${before.numHandles}; ${m ? 'loaded' : `refused: ${why}`}\n${JSON.stringify(json).slice(0, 3000)}`);
      }
    }
  }, 300_000);
});
