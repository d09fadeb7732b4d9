#!/usr/bin/env node
// Speed of two builds of core.wasm side by side, in one process, interleaved (so machine load
// hits both alike): `node scripts/compare-wasm.mjs a.wasm b.wasm [rounds]`. Each build gets its
// own instance of neurite/url (a copy of dist/url, see instance.mjs). Prints, per
// case, the median CPU µs per call of each (process CPU time, so waiting for a core on a busy
// machine is left out) and the ratio b ÷ a (> 1: b is slower). Used to check that a size
// optimisation (wasm-opt, opt-level) does not slow the hot kernels; see `npm run size`.
import { readFileSync } from 'node:fs';
import { importInstance } from './instance.mjs';

const [fa, fb, roundsArg] = process.argv.slice(2);
if (!fa || !fb) {
  console.error('usage: node scripts/compare-wasm.mjs a.wasm b.wasm [rounds]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 15);

async function load(file) {
  const nr = await importInstance();
  await nr.init(readFileSync(file));
  return nr;
}

/** The cases: each returns a function that runs one timed call. */
function cases(nr) {
  const a = nr.randomNormal([1000, 1000], { seed: 1 });
  const b = nr.randomNormal([1000, 1000], { seed: 2 });
  const m = nr.randomNormal([256, 256], { seed: 3 });
  const p = nr.randomNormal([128, 784], { seed: 4 });
  const w = nr.randomNormal([784, 128], { seed: 5 });
  const x = nr.randomUniform([512, 784], { seed: 6 });
  const y = nr.oneHot(nr.tensor(Array.from({ length: 512 }, (_, i) => i % 10)), 10);
  const model = nr.sequential({ seed: 1, layers: [
    nr.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    nr.layers.dense({ units: 64, activation: 'relu' }),
    nr.layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
  const once = (f) => () => { f().dispose(); };
  return {
    'add [1000,1000]': once(() => a.add(b)),
    'mul scalar [1000,1000]': once(() => a.mul(2)),
    'relu [1000,1000]': once(() => nr.relu(a)),
    'sum axis 0 [1000,1000]': once(() => a.sum(0)),
    'exp [1000,1000]': once(() => a.exp()),
    'matMul 256³': once(() => m.matMul(m)),
    'matMul 128×784×128': once(() => p.matMul(w)),
    'matMul ᵀa 784×128×128': once(() => nr.matMul(p, p.matMul(w), true, false)),
    'train step batch 64 (×8)': async () => { await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 }); },
  };
}

const A = cases(await load(fa));
const B = cases(await load(fb));
const times = Object.fromEntries(Object.keys(A).map((k) => [k, { a: [], b: [] }]));
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
// Repetitions per sample: enough for about 20 ms of CPU, so the µs clock resolution is no issue.
const reps = {};
for (const k of Object.keys(A)) {
  await A[k]();
  const t0 = cpu();
  await A[k]();
  reps[k] = Math.max(1, Math.min(200, Math.round(20_000 / Math.max(1, cpu() - t0))));
}
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(A)) {
    for (const [side, fns] of r % 2 ? [['b', B], ['a', A]] : [['a', A], ['b', B]]) {
      await fns[k]();
      const t0 = cpu();
      for (let i = 0; i < reps[k]; i++) await fns[k]();
      times[k][side].push((cpu() - t0) / reps[k]);
    }
  }
}
console.log(`| case | ${fa} CPU µs | ${fb} CPU µs | b ÷ a |\n|---|---:|---:|---:|`);
for (const [k, { a, b }] of Object.entries(times)) {
  const ma = median(a), mb = median(b);
  console.log(`| ${k} | ${ma.toFixed(0)} | ${mb.toFixed(0)} | ${(mb / ma).toFixed(2)} |`);
}
