// Issue 12: the thread pool. neurite with 1 vs 2 threads (two copies of the bundle in one
// process, `?t1` / `?t2`, so the contenders interleave sample by sample), against TF.js `wasm`
// (training) and onnxruntime-web (inference, the same MLP as an ONNX graph written below),
// and the relaxed-SIMD module against the plain one.
//
//   GEMM 512³ and the MLP shapes of bench/matmul.mjs (plain and transposed): ms per call
//   MNIST MLP 784-128-64-10 training, batch 128: samples/s of one fit epoch
//   inference at batch 256: samples/s
//   relaxed vs plain SIMD GEMM, one thread
//   the MNIST CNN of bench/cnn.mjs: training (batch 64) and inference (batch 256, against
//   TF.js wasm, which cannot train it), samples/s
//
// A busy core ruins thread speedups (TOOLCHAIN.md §4): check the load line `npm run bench`
// prints first. Numbers here are never assertions.
import v8 from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { CASES } from './matmul.mjs';
import { cnnLayers } from './cnn.mjs';
import { loadMnist } from '../examples/data/mnist.mjs';
import { initTfWasm } from './tfjs.mjs';
import { crossThreadRoundTrip, lcgValues, mnistMlp } from './lib.mjs';
import { importInstance } from '../scripts/instance.mjs';

// Node 20 validates relaxed-SIMD modules only with this flag (TOOLCHAIN.md §5); set before any compile.
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const ms = (x) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
const cell = (s, f = ms) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
const ratio = (a, b) => `**${(a / b).toFixed(2)}×**`;

const values = (n, seed) => lcgValues(n, seed, -0.5, 0.5);

const mlp = (nr) => mnistMlp(nr);

// --- a minimal ONNX (protobuf) writer: enough for MatMul/Add/Relu/Softmax with float initializers.
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const bytesField = (field, bytes) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const str = (field, s) => bytesField(field, [...new TextEncoder().encode(s)]);
const int = (field, n) => [...key(field, 0), ...varint(n)];

function tensorProto(name, dims, data) {
  return [...dims.flatMap((d) => int(1, d)), ...int(2, 1), ...str(8, name), ...bytesField(9, [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)])];
}
function valueInfo(name, dims) {
  const shape = dims.flatMap((d) => bytesField(1, typeof d === 'string' ? str(2, d) : int(1, d)));
  const tensorType = [...int(1, 1), ...bytesField(2, shape)];
  return [...str(1, name), ...bytesField(2, bytesField(1, tensorType))];
}
function node(op, inputs, outputs, attrs = []) {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(4, op), ...attrs];
}

/** The MLP (weights `ws` = [W1, b1, W2, b2, W3, b3] as Float32Arrays, W as [in, out]) as ONNX bytes. */
function onnxMlp(ws, shapes) {
  const names = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'];
  const nodes = [
    node('MatMul', ['x', 'W1'], ['h1m']), node('Add', ['h1m', 'b1'], ['h1a']), node('Relu', ['h1a'], ['h1']),
    node('MatMul', ['h1', 'W2'], ['h2m']), node('Add', ['h2m', 'b2'], ['h2a']), node('Relu', ['h2a'], ['h2']),
    node('MatMul', ['h2', 'W3'], ['h3m']), node('Add', ['h3m', 'b3'], ['h3a']),
    node('Softmax', ['h3a'], ['y']), // opset 13: axis -1 by default
  ];
  const graph = [
    ...nodes.flatMap((n) => bytesField(1, n)),
    ...str(2, 'mlp'),
    ...names.flatMap((n, i) => bytesField(5, tensorProto(n, shapes[i], ws[i]))),
    ...bytesField(11, valueInfo('x', ['N', 784])),
    ...bytesField(12, valueInfo('y', ['N', 10])),
  ];
  return new Uint8Array([...int(1, 8), ...bytesField(8, [...str(1, ''), ...int(2, 13)]), ...bytesField(7, graph)]);
}

/**
 * Samples/s of each contender's `epoch()` (async, returns the samples it trained), `reps`
 * times each after one warm-up, the contenders interleaved: `{ name: [samples/s, …] }`.
 */
async function interleavedRates(contenders, reps) {
  const rates = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const f of Object.values(contenders)) await f();
  for (let i = 0; i < reps; i++) {
    for (const [k, f] of Object.entries(contenders)) {
      const t0 = performance.now();
      const n = await f();
      rates[k].push(n / ((performance.now() - t0) / 1000));
    }
  }
  return rates;
}

export async function run(ctx) {
  const [n1, n2, nRelaxed] = await Promise.all([importInstance(), importInstance(), importInstance()]);
  await n1.init({ threads: 1 });
  await n2.init({ threads: 2 });
  await nRelaxed.init({ threads: 1, relaxedSimd: true });
  const t2 = n2.threads();
  if (t2.count !== 2) ctx.log(`warning: 2 threads requested, ${t2.count} running (${t2.reason})`);
  const relaxedInfo = nRelaxed.threads();
  const tables = [];
  const data = {};

  // --- GEMM
  // The ceiling of a 2-thread speedup for a call taking t1 on one thread: the part of the
  // call no thread divides (f: the facade, the handle, a 1×1 product) stays whole, the rest
  // halves at best, and the split costs at least a round trip between the threads (rt).
  ctx.log('per-call cost and cross-thread round trip …');
  const one = [n1, n2].map((nr) => [nr.tensor([0.5], [1, 1]), nr.tensor([2], [1, 1])]);
  const fixed = await ctx.compare({ t1: { fn: () => n1.matMul(...one[0]).dispose() }, t2: { fn: () => n2.matMul(...one[1]).dispose() } });
  one.flat().forEach((t) => t.dispose());
  const f = Math.min(fixed.t1.median, fixed.t2.median);
  const rt = await crossThreadRoundTrip();
  const ceiling = (t1) => t1 / (f + (t1 - f) / 2 + rt);
  data.fixed = { perCallMs: f, roundTripMs: rt };
  const gemmRows = [];
  const cases = [{ group: 'square', a: [512, 512], b: [512, 512] }, ...CASES.filter((c) => c.group !== 'square' && c.a[0] !== 1)];
  for (const c of cases) {
    const ta = c.ta ?? false;
    const tb = c.tb ?? false;
    const av = values(c.a[0] * c.a[1], 7);
    const bv = values(c.b[0] * c.b[1], 13);
    const ins = [n1, n2, nRelaxed].map((nr) => [nr.tensor(av, c.a), nr.tensor(bv, c.b)]);
    const call = (nr, [a, b]) => () => nr.matMul(a, b, ta, tb).dispose();
    const label = `${c.a.join('×')}${ta ? 'ᵀ' : ''} · ${c.b.join('×')}${tb ? 'ᵀ' : ''}`;
    ctx.log(`gemm ${label} …`);
    const r = await ctx.compare({ t1: { fn: call(n1, ins[0]) }, t2: { fn: call(n2, ins[1]) }, relaxed: { fn: call(nRelaxed, ins[2]) } });
    gemmRows.push([label, cell(r.t1), cell(r.t2), ratio(r.t1.median, r.t2.median), `${ceiling(r.t1.median).toFixed(2)}×`, cell(r.relaxed), ratio(r.t1.median, r.relaxed.median)]);
    data[`gemm ${label}`] = r;
    ins.flat().forEach((t) => t.dispose());
  }
  tables.push({
    title: 'matMul, ms per call (median, min–max): 1 vs 2 threads, and relaxed SIMD on 1 thread',
    columns: ['shape', '1 thread', '2 threads', 'speedup', 'ceiling', 'relaxed, 1 thread', 'relaxed ÷ plain'],
    rows: gemmRows,
    notes: [
      `ceiling: the most any split over 2 threads could give for that call here, t1 ÷ (f + (t1 − f) ÷ 2 + rt), with f = ${(f * 1000).toFixed(2)} µs per call that no thread divides (a 1×1 matMul and its dispose) and rt = ${(rt * 1000).toFixed(2)} µs for a round trip between two threads through shared memory (bench/lib.mjs crossThreadRoundTrip), both measured in this run`,`relaxed module in use: ${relaxedInfo.relaxedSimd}${relaxedInfo.relaxedReason ? ` (${relaxedInfo.relaxedReason})` : ''}`],
  });

  // --- training, batch 128
  ctx.log('training …');
  const tfWasm = await initTfWasm();
  const { train } = loadMnist({ trainSize: 4096, seed: 1 });
  const N = ctx.quick ? 1024 : 4096;
  const reps = ctx.quick ? 2 : 5;
  const xs = train.x.subarray(0, N * 784);
  const ys = train.y.subarray(0, N * 10);
  const epochOf = (nr) => {
    const x = nr.tensor(xs, [N, 784]);
    const y = nr.tensor(ys, [N, 10]);
    const m = mlp(nr);
    return { run: async () => (await m.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 }), N), dispose: () => [x, y, m].forEach((o) => o.dispose()) };
  };
  const e1 = epochOf(n1);
  const e2 = epochOf(n2);
  await tf.setBackend('wasm');
  const tx = tf.tensor2d(xs, [N, 784]);
  const ty = tf.tensor2d(ys, [N, 10]);
  const tm = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  tm.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const tfEpoch = async () => (await tm.fit(tx, ty, { epochs: 1, batchSize: 128, verbose: 0, shuffle: true }), N);
  const rates = await interleavedRates({ t1: e1.run, t2: e2.run, tf: tfEpoch }, reps);
  e1.dispose();
  e2.dispose();
  tf.dispose([tx, ty]);
  tm.dispose();
  const tr = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, ctx.stats(v)]));
  const sps = (x) => Math.round(x).toLocaleString('en-US');
  data.training = tr;

  // --- inference, batch 256: neurite vs onnxruntime-web with the same weights
  ctx.log('inference …');
  const m1 = mlp(n1);
  const m2 = mlp(n2);
  const ws = m1.getWeights();
  const wData = ws.map((w) => w.data());
  const shapes = ws.map((w) => w.shape);
  m2.setWeights(ws.map((w) => n2.tensor(w.data(), w.shape)));
  ws.forEach((w) => w.dispose());
  const xv = xs.subarray(0, 256 * 784);
  const x1 = n1.tensor(xv, [256, 784]);
  const x2 = n2.tensor(xv, [256, 784]);
  const ort = await import('onnxruntime-web');
  const onnx = onnxMlp(wData, shapes);
  const sessions = {};
  const ortNotes = [];
  for (const threads of [1, 2]) {
    try {
      ort.env.wasm.numThreads = threads;
      sessions[threads] = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
    } catch (err) {
      ortNotes.push(`onnxruntime-web with ${threads} thread(s) failed: ${err.message}`);
    }
  }
  const feeds = { x: new ort.Tensor('float32', Float32Array.from(xv), [256, 784]) };
  // Same answer first.
  const ref = m1.predict(x1);
  const refData = ref.data();
  ref.dispose();
  let maxDiff = 0;
  for (const s of Object.values(sessions)) {
    const out = (await s.run(feeds)).y.data;
    for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - refData[i]));
  }
  const infSamples = { t1: [], t2: [], ort1: [], ort2: [] };
  const timeIt = async (f, iters) => {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await f();
    return (256 * iters) / ((performance.now() - t0) / 1000);
  };
  const nPredict = (m, x) => () => { const p = m.predict(x, { batchSize: 256 }); p.data(); p.dispose(); };
  const contenders = [['t1', nPredict(m1, x1)], ['t2', nPredict(m2, x2)], ...Object.entries(sessions).map(([k, s]) => [`ort${k}`, () => s.run(feeds)])];
  for (const [, f] of contenders) for (let i = 0; i < 5; i++) await f();
  for (let r = 0; r < (ctx.quick ? 3 : 7); r++) for (const [k, f] of contenders) infSamples[k].push(await timeIt(f, ctx.quick ? 5 : 20));
  const inf = Object.fromEntries(Object.entries(infSamples).filter(([, v]) => v.length).map(([k, v]) => [k, ctx.stats(v)]));
  data.inference = inf;
  [m1, m2, x1, x2].forEach((o) => o.dispose());
  for (const s of Object.values(sessions)) await s.release?.();

  tables.push({
    title: 'MNIST MLP 784-128-64-10: training (batch 128) and inference (batch 256), samples/s (median, min–max)',
    columns: ['case', 'neurite, 1 thread', 'neurite, 2 threads', '2 ÷ 1 threads', 'peer', 'peer samples/s', 'neurite 2 threads ÷ peer'],
    rows: [
      ['train, batch 128', cell(tr.t1, sps), cell(tr.t2, sps), ratio(tr.t2.median, tr.t1.median), `TF.js wasm (${tfWasm.threads} thread)`, cell(tr.tf, sps), ratio(tr.t2.median, tr.tf.median)],
      ...(inf.ort1 ? [['predict, batch 256', cell(inf.t1, sps), cell(inf.t2, sps), ratio(inf.t2.median, inf.t1.median), 'onnxruntime-web, 1 thread', cell(inf.ort1, sps), ratio(inf.t2.median, inf.ort1.median)]] : []),
      ...(inf.ort2 ? [['predict, batch 256', '', '', '', 'onnxruntime-web, 2 threads', cell(inf.ort2, sps), ratio(inf.t2.median, inf.ort2.median)]] : []),
    ],
    notes: [
      `training: one fit epoch over ${N} real MNIST digits, Adam 1e-3, median of ${reps} epochs after a warm-up, contenders interleaved; TF.js ${tf.version_core} wasm (${tfWasm.binary}). TF.js wasm's threaded build is not run (bench/tfjs.mjs selects the SIMD build; its threaded build was not tried in Node).`,
      `inference: predict + read back; onnxruntime-web ${ort.env.versions?.web ?? ''} with the same weights as an ONNX graph (MatMul/Add/Relu/Softmax), max |difference| ${maxDiff.toExponential(1)}`,
      ...ortNotes,
    ],
  });
  // --- the MNIST CNN of bench/cnn.mjs: training (batch 64) and inference (batch 256)
  ctx.log('cnn …');
  const NC = ctx.quick ? 256 : 1024;
  const cnnOf = (nr) => {
    const x = nr.tensor(xs.subarray(0, NC * 784), [NC, 28, 28, 1]);
    const y = nr.tensor(ys.subarray(0, NC * 10), [NC, 10]);
    const xp = nr.tensor(xv, [256, 28, 28, 1]);
    const m = nr.sequential({ seed: 1, layers: cnnLayers(nr.layers) });
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
    return {
      train: async () => (await m.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 }), NC),
      predict: () => { const p = m.predict(xp, { batchSize: 256 }); p.data(); p.dispose(); },
      dispose: () => [x, y, xp, m].forEach((o) => o.dispose()),
    };
  };
  const c1 = cnnOf(n1);
  const c2 = cnnOf(n2);
  await tf.setBackend('wasm');
  const tcm = tfl.sequential({ layers: cnnLayers(tfl.layers) });
  const tcx = tf.tensor4d(xv, [256, 28, 28, 1]);
  const tfPredict = () => { const p = tcm.predict(tcx, { batchSize: 256 }); p.dataSync(); p.dispose(); };
  const cnnTrain = await interleavedRates({ t1: c1.train, t2: c2.train }, reps);
  // The MobileNet-style variant: batch normalization after each convolution, the second one
  // depthwise-separable (the threaded depthwise kernels and batch norm's row passes).
  const sepLayers = (L) => [
    L.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, useBias: false }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.separableConv2d({ filters: 32, kernelSize: 3, useBias: false }), L.batchNormalization(), L.reLU(), L.maxPooling2d({ poolSize: 2 }),
    L.flatten(), L.dense({ units: 10, activation: 'softmax' }),
  ];
  const sepOf = (nr) => {
    const x = nr.tensor(xs.subarray(0, NC * 784), [NC, 28, 28, 1]);
    const y = nr.tensor(ys.subarray(0, NC * 10), [NC, 10]);
    const m = nr.sequential({ seed: 1, layers: sepLayers(nr.layers) });
    m.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
    return { train: async () => (await m.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 }), NC), dispose: () => [x, y, m].forEach((o) => o.dispose()) };
  };
  const s1 = sepOf(n1);
  const s2 = sepOf(n2);
  const sepTrain = await interleavedRates({ t1: s1.train, t2: s2.train }, reps);
  s1.dispose();
  s2.dispose();
  const cnnPredict = { t1: [], t2: [], tf: [] };
  const cnnContenders = [['t1', c1.predict], ['t2', c2.predict], ['tf', tfPredict]];
  for (const [, f] of cnnContenders) for (let i = 0; i < 3; i++) f();
  for (let r = 0; r < (ctx.quick ? 3 : 7); r++) for (const [k, f] of cnnContenders) cnnPredict[k].push(await timeIt(f, ctx.quick ? 2 : 5));
  c1.dispose();
  c2.dispose();
  tcm.dispose();
  tf.dispose(tcx);
  const ct = Object.fromEntries(Object.entries(cnnTrain).map(([k, v]) => [k, ctx.stats(v)]));
  const cp = Object.fromEntries(Object.entries(cnnPredict).map(([k, v]) => [k, ctx.stats(v)]));
  const st = Object.fromEntries(Object.entries(sepTrain).map(([k, v]) => [k, ctx.stats(v)]));
  data.cnn = { train: ct, predict: cp, separableTrain: st };
  tables.push({
    title: 'MNIST CNN (bench/cnn.mjs): training (batch 64) and inference (batch 256), samples/s (median, min–max)',
    columns: ['case', 'neurite, 1 thread', 'neurite, 2 threads', '2 ÷ 1 threads', 'peer', 'peer samples/s', 'neurite 2 threads ÷ peer'],
    rows: [
      ['train, batch 64', cell(ct.t1, sps), cell(ct.t2, sps), ratio(ct.t2.median, ct.t1.median), 'TF.js wasm', 'cannot train', ''],
      ['predict, batch 256', cell(cp.t1, sps), cell(cp.t2, sps), ratio(cp.t2.median, cp.t1.median), `TF.js wasm (${tfWasm.threads} thread)`, cell(cp.tf, sps), ratio(cp.t2.median, cp.tf.median)],
      ['train, batch 64: batch norm + separable', cell(st.t1, sps), cell(st.t2, sps), ratio(st.t2.median, st.t1.median), 'TF.js wasm', 'cannot train', ''],
    ],
    notes: [
      `training: one fit epoch over ${NC} real MNIST digits, Adam 1e-3, median of ${reps} epochs after a warm-up, interleaved (TF.js 4.22's wasm backend has no Conv2DBackpropFilter: see the CNN table of npm run bench); inference: predict + read back, contenders interleaved`,
      'batch norm + separable: conv 3×3×16 (no bias) → batchNormalization → relu → max pool → separableConv2d 3×3 to 32 (no bias) → batchNormalization → relu → max pool → dense 10 softmax (TF.js 4.22 wasm has no depthwise gradient kernels either)',
    ],
  });

  n1.shutdown();
  n2.shutdown();
  nRelaxed.shutdown();
  return { tables, data };
}
