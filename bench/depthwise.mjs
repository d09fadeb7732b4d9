// depthwiseConv2d: neurite (dist/index.js, one thread) vs TF.js `wasm` (SIMD, XNNPACK's
// depthwise kernels, one thread), in the same process and the same run.
//
// Forward: one timed call = depthwiseConv2d + read the result back (neurite `data()`, TF.js
// `dataSync()`) + dispose. Forward + backward: the gradients with respect to x and the filter
// for a given dy (`grads`, both read back). TF.js 4.22's `wasm` backend has no
// `DepthwiseConv2dNativeBackpropInput`/`BackpropFilter` kernels (the run checks that it still
// fails), so the backward is compared with TF.js `cpu`, as bench/cnn.mjs does for training.
// Inputs are made once per case (deterministic values), outside the timing; every TF.js result
// is checked against neurite's before timing, and every contender warmed up.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// For its side effect: it registers TF.js's gradients (tf.grads needs depthwiseConv2d's).
import '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { initTfWasm, relDiff } from './tfjs.mjs';
import { lcgValues, tfWasmGrads, warmCompare } from './lib.mjs';

/** The cases: input and filter shapes (`[kh, kw, c, multiplier]`), strides (1 unless `s`),
 * 'same'. The last three: a large multiplier on few channels, and multiplier 1 on RGB. */
export const CASES = [
  { x: [1, 56, 56, 32], f: [3, 3, 32, 1] },
  { x: [8, 28, 28, 64], f: [3, 3, 64, 1] },
  { x: [1, 14, 14, 256], f: [3, 3, 256, 1] },
  { x: [4, 16, 16, 8], f: [5, 5, 8, 2] },
  { x: [8, 56, 56, 3], f: [3, 3, 3, 8] },
  { x: [1, 56, 56, 1], f: [3, 3, 1, 16], s: 2 },
  { x: [8, 56, 56, 3], f: [3, 3, 3, 1] },
];
const PAD = 'same';

const size = (s) => s.reduce((a, b) => a * b, 1);
const label = (c) => `x ${c.x.join('×')}, filter ${c.f.join('×')}${c.s ? `, stride ${c.s}` : ''}`;

/** Runs every case; see bench/run.mjs for the module contract. */
export async function run(ctx) {
  const timed = (contenders) => warmCompare(ctx, contenders);
  await nr.init({ threads: 1 }); // one thread, as TF.js wasm here
  const tfWasm = await initTfWasm();
  const conv = (lib, strides = 1) => (x, f) => lib.depthwiseConv2d(x, f, strides, PAD);

  // Does TF.js wasm have the backward kernels? (4.22 does not.)
  const wasmGrads = await tfWasmGrads(tf, conv(tf), () => [tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1])]);
  const backBackend = wasmGrads === 'yes' ? 'wasm' : 'cpu';
  // Counted after the probe, whose failure may leave its inputs behind.
  const nrBefore = nr.memory().numTensors;
  const tfBefore = tf.memory().numTensors;

  const fwdRows = [];
  const bwdRows = [];
  const data = [];
  let worstDiff = 0;
  for (const c of CASES) {
    const xv = lcgValues(size(c.x), 11 + size(c.x));
    const fv = lcgValues(size(c.f), 13 + size(c.f));
    const x = nr.tensor(xv, c.x);
    const f = nr.tensor(fv, c.f);
    const y = nr.tidy(() => conv(nr, c.s)(x, f));
    const ref = y.data();
    const yShape = y.shape;
    const dyv = lcgValues(ref.length, 17 + ref.length);
    const dy = nr.tensor(dyv, yShape);
    const nrGrads = nr.grads(conv(nr, c.s));
    const [nrDx, nrDf] = nr.tidy(() => nrGrads([x, f], dy).map((g) => g.data()));
    y.dispose();

    const tfIn = {};
    for (const backend of ['wasm', backBackend]) {
      await tf.setBackend(backend);
      tfIn[backend] ??= [tf.tensor(xv, c.x), tf.tensor(fv, c.f), tf.tensor(dyv, yShape)];
    }
    // Correctness first: TF.js wasm's forward, and the backward backend's gradients.
    await tf.setBackend('wasm');
    const d = relDiff(ref, tf.tidy(() => conv(tf, c.s)(tfIn.wasm[0], tfIn.wasm[1]).dataSync()));
    worstDiff = Math.max(worstDiff, d);
    if (!(d <= 1e-5)) throw new Error(`${label(c)}: neurite and TF.js wasm differ by ${d} (relative)`);
    await tf.setBackend(backBackend);
    const tfGrads = tf.grads(conv(tf, c.s));
    const [bx, bf, bdy] = tfIn[backBackend];
    const [gx, gf] = tf.tidy(() => tfGrads([bx, bf], bdy).map((g) => g.dataSync()));
    for (const [name, got, want] of [['dx', gx, nrDx], ['dfilter', gf, nrDf]]) {
      const e = relDiff(want, got);
      worstDiff = Math.max(worstDiff, e);
      if (!(e <= 1e-4)) throw new Error(`${label(c)}: neurite's and TF.js ${backBackend}'s ${name} differ by ${e} (relative)`);
    }

    ctx.log(`depthwise ${label(c)} …`);
    const fwd = await timed({
      neurite: {
        fn: () => {
          const r = conv(nr, c.s)(x, f);
          r.data();
          r.dispose();
        },
      },
      'tfjs-wasm': {
        before: () => tf.setBackend('wasm'),
        fn: () => {
          const r = conv(tf, c.s)(tfIn.wasm[0], tfIn.wasm[1]);
          r.dataSync();
          r.dispose();
        },
      },
    });
    const bwd = await timed({
      neurite: {
        fn: () => {
          for (const g of nrGrads([x, f], dy)) {
            g.data();
            g.dispose();
          }
        },
      },
      [`tfjs-${backBackend}`]: {
        before: () => tf.setBackend(backBackend),
        fn: () => {
          for (const g of tfGrads([bx, bf], bdy)) {
            g.dataSync();
            g.dispose();
          }
        },
      },
    });
    x.dispose();
    f.dispose();
    dy.dispose();
    tf.dispose(Object.values(tfIn).flat());

    const cell = (s) => `${ctx.fmt(s.median, 2)} (${ctx.fmt(s.min, 2)}–${ctx.fmt(s.max, 2)})`;
    const other = `tfjs-${backBackend}`;
    fwdRows.push([label(c), cell(fwd.neurite), cell(fwd['tfjs-wasm']), `**${(fwd['tfjs-wasm'].median / fwd.neurite.median).toFixed(2)}×**`]);
    bwdRows.push([label(c), cell(bwd.neurite), cell(bwd[other]), `**${(bwd[other].median / bwd.neurite.median).toFixed(2)}×**`]);
    data.push({ case: label(c), x: c.x, filter: c.f, forwardMs: fwd, backwardMs: bwd });
  }

  if (nr.memory().numTensors !== nrBefore) throw new Error('depthwise bench leaked neurite tensors');
  if (tf.memory().numTensors !== tfBefore) throw new Error('depthwise bench leaked TF.js tensors');
  const common = [
    `stride 1 unless given, padding '${PAD}'; ${ctx.quick ? 'quick run' : 'up to 9 interleaved samples per contender'}; ${ctx.clock === 'cpu' ? 'process CPU time' : 'wall time'}`,
    `TF.js ${tf.version_core}, wasm backend: ${tfWasm.binary}, ${tfWasm.threads} thread(s); neurite on one thread; every TF.js result checked against neurite's (worst relative difference ${worstDiff.toExponential(1)})`,
  ];
  return {
    tables: [
      {
        title: 'depthwiseConv2d forward, ms per call (median, min–max)',
        columns: ['case', 'neurite', 'TF.js wasm', 'neurite ÷ TF.js (speed)'],
        rows: fwdRows,
        notes: ['one call = depthwiseConv2d + read-back (neurite `data()`, TF.js `dataSync()`) + dispose', ...common],
      },
      {
        title: `depthwiseConv2d forward + backward (dx and dfilter for a given dy), ms per call (median, min–max)`,
        columns: ['case', 'neurite', `TF.js ${backBackend}¹`, 'neurite ÷ TF.js (speed)'],
        rows: bwdRows,
        notes: [
          'one call = `grads(depthwiseConv2d)([x, filter], dy)` + read-back of both gradients + dispose',
          ...common,
          `¹ TF.js wasm has depthwiseConv2d's gradient kernels: ${wasmGrads}`,
        ],
      },
    ],
    data: { tfjs: tf.version_core, tfWasm, wasmGrads, backwardAgainst: backBackend, cases: data },
  };
}
