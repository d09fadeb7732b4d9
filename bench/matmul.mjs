// matMul throughput: neurite (dist/index.js) vs TF.js `wasm` (XNNPACK, SIMD) and TF.js `cpu`,
// in the same process and the same run.
//
// One timed call = matMul + read the result back into JS + dispose it, on every contender
// (neurite `data()`, TF.js `dataSync()`), so the copy out of wasm memory is paid by all.
// Inputs are made once per case, outside the timing. GFLOP/s = 2·m·k·n / time.
// Each contender's result is checked against neurite's before timing.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as nr from '../dist/index.js';
import { initTfWasm, relDiff } from './tfjs.mjs';
import { lcgValues } from './lib.mjs';

/**
 * The cases: `a` and `b` are the stored shapes; `ta`/`tb` transpose them in the product.
 * Squares, the layers of a 784-128-64-10 MLP at batch 128 (forward, then the gradients
 * xᵀ·dy and dy·Wᵀ, which must be as fast as the plain form), and batch-1 inference.
 */
export const CASES = [
  ...[64, 128, 256, 512, 1024].map((s) => ({ group: 'square', a: [s, s], b: [s, s] })),
  { group: 'mlp', a: [128, 784], b: [784, 128] },
  { group: 'mlp', a: [128, 128], b: [128, 64] },
  { group: 'mlp', a: [128, 64], b: [64, 10] },
  { group: 'mlp', a: [1, 784], b: [784, 128] },
  { group: 'grad', a: [128, 784], b: [128, 128], ta: true },
  { group: 'grad', a: [128, 64], b: [128, 64], tb: true },
  { group: 'grad', a: [128, 128], b: [784, 128], tb: true },
];

/** `m, k, n` of a case. */
function dims({ a, b, ta = false, tb = false }) {
  const [m, k] = ta ? [a[1], a[0]] : a;
  const n = tb ? b[0] : b[1];
  return { m, k, n };
}

/** A label such as `(128×784)ᵀ · 128×128`. */
export function label({ a, b, ta = false, tb = false }) {
  const s = (d, t) => (t ? `(${d.join('×')})ᵀ` : d.join('×'));
  return `${s(a, ta)} · ${s(b, tb)}`;
}

/** Deterministic values in [-1, 1), so every contender multiplies the same data. */
const values = (len, seed) => lcgValues(len, seed);

/** Initialises TF.js `wasm` from the package's own files and reports which binary it loaded. */


/** Runs every case; see bench/run.mjs for the module contract. */
export async function run(ctx) {
  await nr.init({ threads: 1 }); // single-thread tables; bench/threads.mjs compares thread counts
  await tf.setBackend('cpu');
  const tfWasm = await initTfWasm();
  ctx.log(`TF.js ${tf.version_core}: wasm backend uses ${tfWasm.binary}, ${tfWasm.threads} thread(s)`);
  const nrBefore = nr.memory().numTensors;
  const tfBefore = tf.memory().numTensors;

  const rows = [];
  const data = [];
  let worstDiff = 0;
  for (const c of CASES) {
    const { m, k, n } = dims(c);
    const ta = c.ta ?? false;
    const tb = c.tb ?? false;
    const av = values(c.a[0] * c.a[1], m * 7 + k);
    const bv = values(c.b[0] * c.b[1], n * 13 + k + 1);
    const x = nr.tensor(av, c.a);
    const y = nr.tensor(bv, c.b);
    const tfIn = {};
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      tfIn[backend] = [tf.tensor(av, c.a), tf.tensor(bv, c.b)];
    }
    // Correctness first: each TF.js result must agree with neurite's.
    const ref = nr.tidy(() => nr.matMul(x, y, ta, tb).data());
    for (const backend of ['wasm', 'cpu']) {
      await tf.setBackend(backend);
      const got = tf.tidy(() => tf.matMul(tfIn[backend][0], tfIn[backend][1], ta, tb).dataSync());
      const d = relDiff(ref, got);
      worstDiff = Math.max(worstDiff, d);
      if (!(d <= 1e-5 * Math.sqrt(k))) throw new Error(`${label(c)}: neurite and TF.js ${backend} differ by ${d} (relative)`);
    }

    const tfContender = (backend) => {
      const [p, q] = tfIn[backend];
      return {
        before: () => tf.setBackend(backend),
        fn: () => {
          const r = tf.matMul(p, q, ta, tb);
          r.dataSync();
          r.dispose();
        },
      };
    };
    ctx.log(`matmul ${label(c)} …`);
    const t = await ctx.compare({
      neurite: {
        fn: () => {
          const r = nr.matMul(x, y, ta, tb);
          r.data();
          r.dispose();
        },
      },
      'tfjs-wasm': tfContender('wasm'),
      'tfjs-cpu': tfContender('cpu'),
    });
    x.dispose();
    y.dispose();
    for (const ts of Object.values(tfIn)) tf.dispose(ts);

    const gflop = (2 * m * k * n) / 1e9;
    const rate = (s) => ({ median: gflop / (s.median / 1e3), min: gflop / (s.max / 1e3), max: gflop / (s.min / 1e3) });
    const g = Object.fromEntries(Object.entries(t).map(([name, s]) => [name, rate(s)]));
    const cell = (r) => `${ctx.fmt(r.median)} (${ctx.fmt(r.min)}–${ctx.fmt(r.max)})`;
    const ratio = (other) => t[other].median / t.neurite.median;
    rows.push([
      label(c),
      `${m}×${k}×${n}`,
      cell(g.neurite),
      cell(g['tfjs-wasm']),
      cell(g['tfjs-cpu']),
      `**${ratio('tfjs-wasm').toFixed(2)}×**`,
      `${ratio('tfjs-cpu').toFixed(1)}×`,
      `${ctx.fmt(t.neurite.median * 1e3, 0)}`,
    ]);
    data.push({ case: label(c), group: c.group, m, k, n, transposeA: ta, transposeB: tb, ms: t, gflops: g });
  }

  if (nr.memory().numTensors !== nrBefore) throw new Error('matmul bench leaked neurite tensors');
  if (tf.memory().numTensors !== tfBefore) throw new Error('matmul bench leaked TF.js tensors');
  return {
    tables: [
      {
        title: 'matMul, GFLOP/s (median, min–max)',
        columns: ['case', 'm×k×n', 'neurite', 'TF.js wasm', 'TF.js cpu', 'neurite ÷ wasm', 'neurite ÷ cpu', 'neurite µs'],
        rows,
        notes: [
          `one call = matMul + read-back (neurite \`data()\`, TF.js \`dataSync()\`) + dispose; ${ctx.quick ? 'quick run' : 'up to 9 interleaved samples per contender'}; ${ctx.clock === 'cpu' ? 'process CPU time' : 'wall time'}`,
          `TF.js ${tf.version_core}, wasm backend: ${tfWasm.binary}, ${tfWasm.threads} thread(s); every result checked against neurite (worst relative difference ${worstDiff.toExponential(1)})`,
          'ᵀ: the operand is stored as shown and transposed in the product (`transposeA` / `transposeB`)',
        ],
      },
    ],
    data: { tfjs: tf.version_core, tfWasm, cases: data },
  };
}
