// Element-wise ops, broadcasts, reductions and image resizing: neurite (dist/index.js) vs TF.js `wasm` (SIMD)
// and TF.js `cpu`, in the same process and the same run.
//
// One timed call = the op + dispose of its result (no read-back: these ops are memory-bound
// and a copy out would dominate). Inputs are made once per case, outside the timing. Each
// TF.js result is checked against neurite's before timing. Cases cover the simd128 kernels
// (same shape, scalar broadcast), the broadcast walk (`[n,k] ⊕ [k]` and `[n,k] ⊕ [n,1]`
// with long and short rows, which take the blocked path), and reductions over the last and
// the leading axis (the latter reduced without a transpose), and `image.resizeBilinear` /
// `resizeNearestNeighbor` (upSampling2d's kernel) at ×2 and other factors and modes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as nr from '../dist/index.js';
import { initTfWasm, relDiff } from './tfjs.mjs';
import { lcgValues } from './lib.mjs';

/** `args` are input shapes; `f(lib, ...tensors)` is the op in either library; `tol` the relative
 * difference allowed from TF.js (default 1e-5, sums 1e-3). */
export const CASES = [
  { name: 'add, same shape', args: [[1000, 1000], [1000, 1000]], f: (l, a, b) => l.add(a, b) },
  { name: 'mul by scalar', args: [[1000, 1000], []], f: (l, a, b) => l.mul(a, b) },
  { name: 'maximum(x, 0) (relu)', args: [[1000, 1000], []], f: (l, a, b) => l.maximum(a, b) },
  { name: 'add row [n,k]+[k]', args: [[1000, 1000], [1000]], f: (l, a, b) => l.add(a, b) },
  { name: 'add column [n,k]+[n,1]', args: [[1000, 1000], [1000, 1]], f: (l, a, b) => l.add(a, b) },
  { name: 'sub short row [n,3]-[3]', args: [[300000, 3], [3]], f: (l, a, b) => l.sub(a, b) },
  { name: 'div short column [n,10]/[n,1]', args: [[100000, 10], [100000, 1]], f: (l, a, b) => l.div(a, b) },
  { name: 'mul outer [n,1]*[1,k]', args: [[1000, 1], [1, 1000]], f: (l, a, b) => l.mul(a, b) },
  { name: 'sqrt(|x|)', args: [[1000, 1000]], f: (l, a) => l.sqrt(a), positive: true },
  { name: 'neg', args: [[1000, 1000]], f: (l, a) => l.neg(a) },
  { name: 'exp', args: [[1000, 1000]], f: (l, a) => l.exp(a) },
  { name: 'log', args: [[1000, 1000]], f: (l, a) => l.log(a), positive: true },
  { name: 'sum, all', args: [[1000, 1000]], f: (l, a) => l.sum(a) },
  { name: 'sum, last axis', args: [[1000, 1000]], f: (l, a) => l.sum(a, -1) },
  { name: 'sum, axis 0', args: [[1000, 1000]], f: (l, a) => l.sum(a, 0) },
  { name: 'max, last axis', args: [[1000, 1000]], f: (l, a) => l.max(a, -1) },
  { name: 'max, axis 0', args: [[1000, 1000]], f: (l, a) => l.max(a, 0) },
  { name: 'mean, axis 0 (batch 128×784)', args: [[128, 784]], f: (l, a) => l.mean(a, 0) },
  // Reductions over a short last axis (many rows of 2–10 values) and over a short middle axis.
  { name: 'sum, rows of 4', args: [[262144, 4]], f: (l, a) => l.sum(a, -1) },
  { name: 'sum, rows of 2', args: [[1000000, 2]], f: (l, a) => l.sum(a, -1) },
  { name: 'mean, rows of 3', args: [[100000, 3]], f: (l, a) => l.mean(a, -1) },
  { name: 'max, rows of 10', args: [[65536, 10]], f: (l, a) => l.max(a, -1) },
  { name: 'argMax, rows of 7', args: [[4096, 7]], f: (l, a) => l.argMax(a, -1) },
  { name: 'argMax, rows of 4', args: [[262144, 4]], f: (l, a) => l.argMax(a, -1) },
  { name: 'logSumExp, rows of 4', args: [[262144, 4]], f: (l, a) => l.logSumExp(a, -1) },
  { name: 'moments, rows of 3 (variance)', args: [[100000, 3]], f: (l, a) => l.tidy(() => l.moments(a, -1).variance) },
  { name: 'softmax, rows of 4', args: [[262144, 4]], f: (l, a) => l.softmax(a) },
  { name: 'sum, middle axis of 7', args: [[512, 7, 64]], f: (l, a) => l.sum(a, 1) },
  { name: 'max, middle axis of 7', args: [[512, 7, 64]], f: (l, a) => l.max(a, 1) },
  { name: 'softmax, rows of 10 (batch 256)', args: [[256, 10]], f: (l, a) => l.softmax(a) },
  { name: 'softmax, rows of 1000', args: [[1000, 1000]], f: (l, a) => l.softmax(a) },
  // Broadcasts against a short last axis (`[n,k] ⊕ [n,1]`: a mean or a maximum subtracted per row,
  // `[n,k] ⊕ [k]`: a per-feature scale) and leading-axis reductions of a short inner axis (batch
  // statistics of a small layer), 2^20 values each; `--case=k = ` runs these.
  { name: 'add same shape, k = 4', args: [[262144, 4], [262144, 4]], f: (l, a, b) => l.add(a, b) },
  { name: 'sub column [n,k]-[n,1], k = 2', args: [[524288, 2], [524288, 1]], f: (l, a, b) => l.sub(a, b) },
  { name: 'sub column [n,k]-[n,1], k = 3', args: [[349525, 3], [349525, 1]], f: (l, a, b) => l.sub(a, b) },
  { name: 'sub column [n,k]-[n,1], k = 4', args: [[262144, 4], [262144, 1]], f: (l, a, b) => l.sub(a, b) },
  { name: 'mul column [n,k]*[n,1], k = 8', args: [[131072, 8], [131072, 1]], f: (l, a, b) => l.mul(a, b) },
  { name: 'div column [n,k]/[n,1], k = 16', args: [[65536, 16], [65536, 1]], f: (l, a, b) => l.div(a, b) },
  { name: 'maximum column [n,1],[n,k], k = 5', args: [[209715, 1], [209715, 5]], f: (l, a, b) => l.maximum(a, b) },
  { name: 'mul row [n,k]*[k], k = 4', args: [[262144, 4], [4]], f: (l, a, b) => l.mul(a, b) },
  { name: 'add row [n,k]+[1,k], k = 10', args: [[104857, 10], [1, 10]], f: (l, a, b) => l.add(a, b) },
  { name: 'sum, axis 0, k = 2', args: [[524288, 2]], f: (l, a) => l.sum(a, 0) },
  { name: 'mean, axis 0, k = 8', args: [[131072, 8]], f: (l, a) => l.mean(a, 0) },
  { name: 'max, axis 0, k = 4', args: [[262144, 4]], f: (l, a) => l.max(a, 0) },
  { name: 'moments, axis 0, k = 16 (variance)', args: [[65536, 16]], f: (l, a) => l.tidy(() => l.moments(a, 0).variance), tol: 1e-4 },
  // Image resizing (upSampling2d's kernel): memory-bound too, one output per few inputs.
  { name: 'resizeBilinear ×2', args: [[64, 14, 14, 8]], f: (l, a) => l.image.resizeBilinear(a, [28, 28]) },
  { name: 'resizeBilinear ×2', args: [[8, 28, 28, 16]], f: (l, a) => l.image.resizeBilinear(a, [56, 56]) },
  { name: 'resizeBilinear ×2', args: [[1, 64, 64, 32]], f: (l, a) => l.image.resizeBilinear(a, [128, 128]) },
  { name: 'resizeBilinear ×2, RGB', args: [[1, 64, 64, 3]], f: (l, a) => l.image.resizeBilinear(a, [128, 128]) },
  { name: 'resizeBilinear ×2, alignCorners', args: [[8, 28, 28, 16]], f: (l, a) => l.image.resizeBilinear(a, [56, 56], true) },
  { name: 'resizeBilinear ×1.5, halfPixelCenters', args: [[8, 28, 28, 16]], f: (l, a) => l.image.resizeBilinear(a, [42, 42], false, true) },
  { name: 'resizeBilinear ×0.625 (down)', args: [[1, 64, 64, 32]], f: (l, a) => l.image.resizeBilinear(a, [40, 40]) },
  { name: 'resizeNearestNeighbor ×2', args: [[8, 28, 28, 16]], f: (l, a) => l.image.resizeNearestNeighbor(a, [56, 56]) },
];

const size = (s) => s.reduce((a, b) => a * b, 1);

/** Deterministic values in [-1, 1) (or [0, 2) when `positive`). */
const values = (len, seed, positive) => lcgValues(len, seed, positive ? 0 : -1, positive ? 2 : 1);



/** Runs every case; see bench/run.mjs for the module contract. */
export async function run(ctx) {
  await nr.init({ threads: 1 }); // single-thread tables; bench/threads.mjs compares thread counts
  await initTfWasm();
  const nrBefore = nr.memory().numTensors;
  const rows = [];
  const data = [];
  // `--case=text` runs only the cases whose name contains `text` (`--case=rows of` for the short rows).
  const only = ctx.args.find((a) => a.startsWith('--case='))?.slice('--case='.length);
  for (const c of CASES) {
    if (only && !c.name.includes(only)) continue;
    const vals = c.args.map((s, i) => values(size(s), 17 * i + size(s), c.positive));
    const xs = c.args.map((s, i) => nr.tensor(vals[i], s));
    const ref = nr.tidy(() => c.f(nr, ...xs).data());
    const tfIn = {};
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      tfIn[backend] = c.args.map((s, i) => tf.tensor(vals[i], s));
      const got = tf.tidy(() => c.f(tf, ...tfIn[backend]).dataSync());
      const d = relDiff(ref, got);
      // Sums of many values in [-1, 1) cancel, and each library adds in its own order.
      if (!(d <= (c.tol ?? (c.name.startsWith('sum') ? 1e-3 : 1e-5)))) throw new Error(`${c.name}: neurite and TF.js ${backend} differ by ${d} (relative)`);
    }
    const tfContender = (backend) => ({
      before: () => tf.setBackend(backend),
      fn: () => c.f(tf, ...tfIn[backend]).dispose(),
    });
    ctx.log(`elementwise ${c.name} …`);
    const t = await ctx.compare({
      neurite: { fn: () => c.f(nr, ...xs).dispose() },
      'tfjs-wasm': tfContender('wasm'),
      'tfjs-cpu': tfContender('cpu'),
    });
    for (const x of xs) x.dispose();
    for (const ts of Object.values(tfIn)) tf.dispose(ts);
    const cell = (s) => `${ctx.fmt(s.median * 1e3, 0)} (${ctx.fmt(s.min * 1e3, 0)}–${ctx.fmt(s.max * 1e3, 0)})`;
    const ratio = (other) => t[other].median / t.neurite.median;
    const shapes = c.args.map((s) => `[${s}]`).join(' ');
    rows.push([c.name, shapes, cell(t.neurite), cell(t['tfjs-wasm']), cell(t['tfjs-cpu']), `**${ratio('tfjs-wasm').toFixed(2)}×**`, `${ratio('tfjs-cpu').toFixed(1)}×`]);
    data.push({ case: c.name, shapes: c.args, ms: t });
  }
  if (nr.memory().numTensors !== nrBefore) throw new Error('elementwise bench leaked neurite tensors');
  return {
    tables: [
      {
        title: 'Element-wise ops, reductions and image resizing, µs per call (median, min–max)',
        columns: ['case', 'shapes', 'neurite', 'TF.js wasm', 'TF.js cpu', 'wasm ÷ neurite', 'cpu ÷ neurite'],
        rows,
        notes: [
          `one call = op + dispose of the result (no read-back); ${ctx.quick ? 'quick run' : 'up to 9 interleaved samples per contender'}`,
          `TF.js ${tf.version_core} (wasm: SIMD binary, default threads); every result checked against neurite (relative difference ≤ 1e-5, sums ≤ 1e-3)`,
        ],
      },
    ],
    data: { tfjs: tf.version_core, cases: data },
  };
}
