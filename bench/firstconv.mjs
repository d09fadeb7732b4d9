// conv2d with few input channels (an RGB first layer) and, as controls, more channels:
// neurite (dist/index.js, one thread) vs TF.js `wasm` (SIMD, XNNPACK convolutions, one thread),
// in the same process and the same run.
//
// One timed call = conv2d + read the result back (neurite `data()`, TF.js `dataSync()`) +
// dispose. Inputs are made once per case (deterministic values), outside the timing; every
// TF.js result is checked against neurite's before timing, and every contender warmed up.
// Forward only: TF.js 4.22's `wasm` backend has no `Conv2DBackpropFilter` kernel (the run
// checks that it still fails), and TF.js `cpu`'s conv2d gradients ran 200-900x slower than
// neurite's on these shapes, no useful peer (bench/cnn.mjs times whole training steps).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// For its side effect: it registers TF.js's gradients (the probe of the wasm backend's).
import '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { initTfWasm, relDiff } from './tfjs.mjs';
import { lcgValues, tfWasmGrads, warmCompare } from './lib.mjs';

/** The cases: input and filter shapes (`[kh, kw, in, out]`), padding, strides (1 unless `s`).
 * The first three are RGB first layers; the last three controls (8 and 16 channels, one). */
export const CASES = [
  { x: [8, 64, 64, 3], f: [3, 3, 3, 16], pad: 'same' },
  { x: [16, 27, 27, 3], f: [5, 5, 3, 8], pad: 'valid' },
  { x: [8, 64, 64, 3], f: [3, 3, 3, 16], pad: 'same', s: 2 },
  { x: [8, 32, 32, 8], f: [3, 3, 8, 16], pad: 'same' },
  { x: [8, 32, 32, 16], f: [3, 3, 16, 32], pad: 'same' },
  { x: [8, 28, 28, 1], f: [3, 3, 1, 16], pad: 'valid' },
];
const size = (s) => s.reduce((a, b) => a * b, 1);
const label = (c) => `x ${c.x.join('×')}, filter ${c.f.join('×')}, '${c.pad}'${c.s ? `, stride ${c.s}` : ''}`;

/** Runs every case; see bench/run.mjs for the module contract. */
export async function run(ctx) {
  const timed = (contenders) => warmCompare(ctx, contenders);
  await nr.init({ threads: 1 }); // one thread, as TF.js wasm here
  const tfWasm = await initTfWasm();
  const conv = (lib, strides = 1, pad = 'same') => (x, f) => lib.conv2d(x, f, strides, pad);

  // Does TF.js wasm have the backward kernels? (4.22 does not.)
  const wasmGrads = await tfWasmGrads(tf, conv(tf), () => [tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 1])]);
  // Counted after the probe, whose failure may leave its inputs behind.
  const nrBefore = nr.memory().numTensors;
  const tfBefore = tf.memory().numTensors;

  const rows = [];
  const data = [];
  let worstDiff = 0;
  for (const c of CASES) {
    const xv = lcgValues(size(c.x), 11 + size(c.x));
    const fv = lcgValues(size(c.f), 13 + size(c.f));
    const x = nr.tensor(xv, c.x);
    const f = nr.tensor(fv, c.f);
    const ref = nr.tidy(() => conv(nr, c.s, c.pad)(x, f).data());
    const [tx, tw] = [tf.tensor(xv, c.x), tf.tensor(fv, c.f)];
    const d = relDiff(ref, tf.tidy(() => conv(tf, c.s, c.pad)(tx, tw).dataSync()));
    worstDiff = Math.max(worstDiff, d);
    if (!(d <= 1e-5)) throw new Error(`${label(c)}: neurite and TF.js wasm differ by ${d} (relative)`);

    ctx.log(`conv2d ${label(c)} …`);
    const fwd = await timed({
      neurite: {
        fn: () => {
          const r = conv(nr, c.s, c.pad)(x, f);
          r.data();
          r.dispose();
        },
      },
      'tfjs-wasm': {
        fn: () => {
          const r = conv(tf, c.s, c.pad)(tx, tw);
          r.dataSync();
          r.dispose();
        },
      },
    });
    x.dispose();
    f.dispose();
    tf.dispose([tx, tw]);
    const cell = (s) => `${ctx.fmt(s.median, 2)} (${ctx.fmt(s.min, 2)}–${ctx.fmt(s.max, 2)})`;
    rows.push([label(c), cell(fwd.neurite), cell(fwd['tfjs-wasm']), `**${(fwd['tfjs-wasm'].median / fwd.neurite.median).toFixed(2)}×**`]);
    data.push({ case: label(c), x: c.x, filter: c.f, pad: c.pad, strides: c.s ?? 1, forwardMs: fwd });
  }

  if (nr.memory().numTensors !== nrBefore) throw new Error('firstconv bench leaked neurite tensors');
  if (tf.memory().numTensors !== tfBefore) throw new Error('firstconv bench leaked TF.js tensors');
  return {
    tables: [
      {
        title: 'conv2d forward, few input channels and controls, ms per call (median, min–max)',
        columns: ['case', 'neurite', 'TF.js wasm', 'neurite ÷ TF.js (speed)'],
        rows,
        notes: [
          'one call = conv2d + read-back (neurite `data()`, TF.js `dataSync()`) + dispose',
          `stride 1 unless given; ${ctx.quick ? 'quick run' : 'up to 9 interleaved samples per contender'}; ${ctx.clock === 'cpu' ? 'process CPU time' : 'wall time'}`,
          `TF.js ${tf.version_core}, wasm backend: ${tfWasm.binary}, ${tfWasm.threads} thread(s); neurite on one thread; every TF.js result checked against neurite's (worst relative difference ${worstDiff.toExponential(1)})`,
          `TF.js wasm has conv2d's gradient kernels: ${wasmGrads}`,
        ],
      },
    ],
    data: { tfjs: tf.version_core, tfWasm, wasmGrads, cases: data },
  };
}
