// A fixed training and predict loop for counting instructions (repeatable on a busy machine,
// unlike timings): run it under callgrind for two builds of the core and compare the totals,
// minus an init-only run (V8 compiles the whole module up front with --no-liftoff).
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node --no-liftoff --single-threaded bench/instructions.mjs build/core.wasm train|predict|none
// (s37: dense 32-64-64-10 with Adam for 4 epochs of 256 rows, a small conv net for 3 epochs,
// then 300 single-row predicts; about 1.6e9 instructions each for train and predict.)
import { readFileSync } from 'node:fs';
const nr = await import('../dist/url/index.js');
await nr.init({ threads: 1, source: readFileSync(process.argv[2]) });
const what = process.argv[3] ?? 'all';
if (what === 'none') { console.log('init only'); process.exit(0); }
nr.setSeed(7);
const rnd = (n) => { const a = new Float32Array(n); let s = 12345; for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; a[i] = (s / 2 ** 32) * 2 - 1; } return a; };
const N = 256;
if (what === 'train' || what === 'all') {
  const x = nr.tensor2d(rnd(N * 32), [N, 32]);
  const lab = new Float32Array(N * 10); for (let i = 0; i < N; i++) lab[i * 10 + (i * 7) % 10] = 1;
  const y = nr.tensor2d(lab, [N, 10]);
  const m = nr.sequential({ seed: 1 });
  m.add(nr.layers.dense({ units: 64, activation: 'relu', inputShape: [32] }));
  m.add(nr.layers.dense({ units: 64, activation: 'tanh' }));
  m.add(nr.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const h = await m.fit(x, y, { epochs: 4, batchSize: 32, shuffle: false, verbose: 0 });
  console.log('dense loss', h.history.loss.at(-1));
  const xi = nr.tensor4d(rnd(64 * 8 * 8 * 2), [64, 8, 8, 2]);
  const yi = nr.tensor2d(lab.subarray(0, 640), [64, 10]);
  const c = nr.sequential({ seed: 2 });
  c.add(nr.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 2] }));
  c.add(nr.layers.maxPooling2d({ poolSize: 2 }));
  c.add(nr.layers.flatten());
  c.add(nr.layers.dense({ units: 10, activation: 'softmax' }));
  c.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const hc = await c.fit(xi, yi, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
  console.log('cnn loss', hc.history.loss.at(-1));
  if (what === 'all') globalThis.model = m;
  nr.dispose([x, y, xi, yi]);
  if (what === 'train') { m.dispose(); }
  c.dispose();
}
if (what === 'predict' || what === 'all') {
  let m = globalThis.model;
  if (!m) { m = nr.sequential({ seed: 1 }); m.add(nr.layers.dense({ units: 64, activation: 'relu', inputShape: [32] })); m.add(nr.layers.dense({ units: 10, activation: 'softmax' })); }
  const x1 = nr.tensor2d(rnd(32), [1, 32]);
  let s = 0;
  for (let i = 0; i < 300; i++) { const p = m.predict(x1); s += p.dataSync()[0]; p.dispose(); }
  console.log('predict sum', s);
  x1.dispose(); m.dispose();
}
console.log('memory', JSON.stringify(nr.memory()));
