// Cold start (issue #12's serverless case): what a fresh Node process pays before its first
// answer, with the default `init()` against `init({ threads: 1 })`. Each sample is a new
// process (this file run with `--child`), so nothing is warm: no compiled module, no workers.
//
//   node bench/coldstart.mjs [--runs=15] [--entry=url|default] [--variants=default,t1,...] [--dist=DIR]
//
// `--dist` measures another build (another checkout's dist/); several, comma-separated, are
// measured side by side (a before/after: `--dist=/tmp/before/dist,dist`).
//
// Variants: `default` (`init()`), `t1` (`init({ threads: 1 })`), `t2` (`init({ threads: 2 })`),
// `ready` (`init()`, then awaiting `threadsReady()`: every worker joined, as `init()` did
// before the workers waited for a large call), `spawn` (`init()`, then `threadsReady()` not
// awaited: the workers start at once and join while the program goes on).
// Per process (ms, from `performance.now()`, i.e. since the process started):
//   import   the entry imported
//   init     `await init(...)` alone
//   predict  building a 784-128-10 dense model and its first `predict` of one row (read back)
//   first    import + init + predict: the cold start a function's first request waits for
//   cpu      CPU time of the whole process (every thread, Node's start-up included) at that
//            point: a worker starting meanwhile costs CPU time even where it costs no wall
//            time (a function billed or throttled by CPU share)
//   fit      then one epoch of `fit` over 2,048 rows (batch 128) of that model: whether the
//            threads help a program that does run large ops (the pool, if any, has started by then)
//   count    `threads().count` right after init, and after the fit
//   exit     the whole process, spawn to exit, measured by the parent (a worker still
//            starting or running must not hold the process up)
// Prints medians (and min–max) per variant, the variants' samples interleaved, so load on the
// machine hits them alike. Numbers here are never assertions.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const entryName = option('entry', 'url');
const dists = option('dist', fileURLToPath(new URL('../dist', import.meta.url))).split(',');
const entry = pathToFileURL(`${dists[0]}/${entryName === 'url' ? 'url/index.js' : 'index.js'}`).href;

const OPTIONS = { default: undefined, t1: { threads: 1 }, t2: { threads: 2 }, ready: undefined, spawn: undefined };

async function child(variant) {
  const t0 = performance.now();
  const nr = await import(entry);
  const tImport = performance.now();
  await nr.init(OPTIONS[variant]);
  if (variant === 'ready') await nr.threadsReady?.(); // a build without it waits in init
  if (variant === 'spawn') void nr.threadsReady?.();
  const tInit = performance.now();
  const countInit = nr.threads().count;
  const model = nr.sequential({ layers: [nr.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), nr.layers.dense({ units: 10, activation: 'softmax' })] });
  const x1 = nr.zeros([1, 784]);
  const y1 = model.predict(x1);
  y1.dataSync();
  const tPredict = performance.now();
  const cpu = process.cpuUsage();
  x1.dispose();
  y1.dispose();
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const rows = 2048;
  const x = nr.randomUniform([rows, 784], { seed: 1 });
  const y = nr.oneHot(nr.tensor(Array.from({ length: rows }, (_, i) => i % 10), [rows]), 10);
  const tFit0 = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0, shuffle: false });
  const tFit = performance.now();
  const out = { import: tImport - t0, init: tInit - tImport, predict: tPredict - tInit, first: tPredict - t0, cpu: (cpu.user + cpu.system) / 1000, fit: tFit - tFit0, countInit, countFit: nr.threads().count };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function sample(variant, dist) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', variant, `--entry=${entryName}`, `--dist=${dist}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      const exit = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${variant}: the child exited with ${code}`));
      resolve({ ...JSON.parse(text), exit });
    });
  });
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function parent() {
  const runs = Number(option('runs', 15));
  const variants = option('variants', 'default,t1').split(',');
  for (const v of variants) if (!(v in OPTIONS)) throw new Error(`unknown variant ${v}: use ${Object.keys(OPTIONS).join(', ')}`);
  const rows = dists.flatMap((d, i) => variants.map((v) => ({ d, v, label: dists.length > 1 ? `${v} (dist ${i + 1})` : v })));
  const samples = new Map(rows.map((r) => [r, []]));
  for (let i = 0; i < runs; i++) {
    for (const r of rows) samples.get(r).push(await sample(r.v, r.d));
    process.stderr.write(`\r${i + 1}/${runs}`);
  }
  process.stderr.write('\n');
  const cols = ['import', 'init', 'predict', 'first', 'cpu', 'fit', 'exit'];
  console.log(`neurite ${entryName === 'url' ? 'neurite/url' : 'default entry'} (${dists.map((d, i) => `dist ${i + 1}: ${d}`).join('; ')}), Node ${process.versions.node}, ${runs} fresh processes per variant; ms, median (min–max)\n`);
  console.log(`| variant | ${cols.join(' | ')} | count after init, after fit |`);
  console.log(`|---|${cols.map(() => '---|').join('')}---|`);
  for (const r of rows) {
    const s = samples.get(r);
    const cell = (k) => {
      const xs = s.map((r) => r[k]);
      return `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    };
    const counts = (k) => [...new Set(s.map((r) => r[k]))].join('/');
    console.log(`| ${r.label} | ${cols.map(cell).join(' | ')} | ${counts('countInit')}, ${counts('countFit')} |`);
  }
}

if (args[0] === '--child') await child(args[1]);
else await parent();
