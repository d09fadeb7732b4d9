// The transcendental element-wise ops: neurite (dist/, one thread) vs TF.js `wasm` (the SIMD
// build, one thread), in one process, interleaved sample by sample, process CPU time (a busy
// machine's waits are left out). Each TF.js result is compared with neurite's first (the
// largest difference relative to the largest value is printed). Prints median µs per call
// (op + dispose of the result) and neurite ÷ TF.js (< 1: neurite is faster); JSON_OUT=file
// also writes the rows as JSON.
// usage: node bench/transcendental.mjs [dist dir] [rounds] [name filter]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initTfWasm, relDiff } from './tfjs.mjs';
const dist = new URL(process.argv[2] ? `file://${process.argv[2]}/` : '../dist/', import.meta.url).href;
const rounds = Number(process.argv[3] ?? 9);
const only = process.argv[4];
const nr = await import(dist + 'index.js');
await nr.init({ threads: 1 });
await initTfWasm();
const vals = (n, lo, hi, seed) => { const a = new Float32Array(n); let s = seed >>> 0; for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = lo + (hi - lo) * (s / 4294967296); } return a; };
const cases = [];
for (const n of [1e5, 1e6]) {
  const tag = n === 1e5 ? '1e5' : '1e6';
  cases.push({ name: `exp ${tag}`, n, f: (l, a) => l.exp(a), lo: -10, hi: 10 });
  cases.push({ name: `log ${tag}`, n, f: (l, a) => l.log(a), lo: 0.001, hi: 100 });
  cases.push({ name: `sigmoid ${tag}`, n, f: (l, a) => l.sigmoid(a), lo: -10, hi: 10 });
  cases.push({ name: `tanh ${tag}`, n, f: (l, a) => l.tanh(a), lo: -5, hi: 5 });
  cases.push({ name: `softplus ${tag}`, n, f: (l, a) => l.softplus(a), lo: -10, hi: 10 });
  cases.push({ name: `erf ${tag}`, n, f: (l, a) => l.erf(a), lo: -3, hi: 3 });
  // TF.js has no gelu op: its layers' 'gelu' is x·½·(1 + erf(x/√2)), four ops.
  cases.push({ name: `gelu ${tag}`, n, f: (l, a) => (l === tf ? tf.tidy(() => tf.mul(tf.mul(a, 0.5), tf.add(tf.erf(tf.mul(a, Math.SQRT1_2)), 1))) : l.gelu(a)), lo: -3, hi: 3 });
  for (const c of [10, 128, 1000]) {
    cases.push({ name: `softmax rows ${c} ${tag}`, n, shape: [Math.round(n / c), c], f: (l, a) => l.softmax(a), lo: -5, hi: 5 });
    cases.push({ name: `logSoftmax rows ${c} ${tag}`, n, shape: [Math.round(n / c), c], f: (l, a) => l.logSoftmax(a), lo: -5, hi: 5 });
  }
  for (const e of [2, 3, 0.5, -1, 1.5, 2.5]) cases.push({ name: `pow ^${e} ${tag}`, n, f: (l, a) => l.pow(a, e), lo: 0.1, hi: 4 });
}
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
function time(fn, reps) { const t = cpu(); for (let i = 0; i < reps; i++) fn(); return (cpu() - t) / reps; }
const out = [];
for (const c of cases) {
  if (only && !c.name.includes(only)) continue;
  const shape = c.shape ?? [c.n];
  const n = shape.reduce((a, b) => a * b, 1);
  const v = vals(n, c.lo, c.hi, n + 7);
  const x = nr.tensor(v, shape);
  const tx = tf.tensor(v, shape);
  const ref = c.f(nr, x);
  const r = ref.data();
  const got = tf.tidy(() => c.f(tf, tx).dataSync());
  const d = relDiff(r, got);
  if (!(d <= 1e-5)) throw new Error(`${c.name}: neurite and TF.js wasm differ by ${d} (relative)`);
  ref.dispose();
  const fa = () => c.f(nr, x).dispose();
  const fb = () => c.f(tf, tx).dispose();
  for (let i = 0; i < 3; i++) { fa(); fb(); }
  const reps = Math.max(1, Math.round(20 / Math.max(time(fa, 3), time(fb, 3), 0.001)));
  const A = [], B = [];
  for (let i = 0; i < rounds; i++) { if (i % 2) { B.push(time(fb, reps)); A.push(time(fa, reps)); } else { A.push(time(fa, reps)); B.push(time(fb, reps)); } }
  const a = median(A) * 1e3, b = median(B) * 1e3;
  out.push({ name: c.name, nr: a, tf: b, ratio: a / b, diff: d });
  console.log(`${c.name.padEnd(26)} neurite ${a.toFixed(0).padStart(6)} µs  tfjs-wasm ${b.toFixed(0).padStart(6)} µs  nr/tf ${(a / b).toFixed(2)}  rel.diff ${d.toExponential(1)}`);
  x.dispose(); tx.dispose();
}
if (process.env.JSON_OUT) (await import('node:fs')).writeFileSync(process.env.JSON_OUT, JSON.stringify(out));
