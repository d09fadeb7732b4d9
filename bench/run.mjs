// Benchmark runner: `npm run bench` (builds first) or `node bench/run.mjs [module...] [options]`.
//
//   node bench/run.mjs                  run every module in MODULES
//   node bench/run.mjs matmul           run one module
//   --quick                             fewer repeats (a smoke run; numbers are rougher)
//   --wait-quiet[=SECONDS]              wait (default up to 300 s) for the machine to go quiet
//   --clock=cpu                         time with process CPU time instead of wall time (for a
//                                       busy machine: leaves out time spent waiting for a core)
//
// A module is `bench/<name>.mjs` exporting `async function run(ctx)` that returns
// `{ tables: [{ title, columns, rows, notes? }], data? }`. The runner prints every table as
// Markdown and writes everything to bench/results/latest.json (merged per module, so running
// one module keeps the others' last results). To add a benchmark, write the module and add its
// name to MODULES.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arch, cpus, platform } from 'node:os';
import { compare, fmt, machineLoad, markdownTable, setClock, stats } from './lib.mjs';

const MODULES = ['matmul', 'elementwise', 'opcost', 'training', 'graph', 'cnn', 'firstconv', 'depthwise', 'customloop', 'autoencoders', 'compression', 'saveload', 'threads'];

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]));
const option = (name) => args.find((a) => a.startsWith(`${name}=`))?.split('=')[1];
const wanted = args.filter((a) => !a.startsWith('--'));

const unknown = wanted.filter((w) => !MODULES.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark module(s): ${unknown.join(', ')}; available: ${MODULES.join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? wanted : MODULES;

async function checkQuiet() {
  const waitS = flags.has('--wait-quiet') ? Number(option('--wait-quiet') ?? 300) : 0;
  const deadline = Date.now() + waitS * 1000;
  let load = await machineLoad();
  while (!load.quiet && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5000));
    load = await machineLoad();
  }
  const desc = `load average ${load.load1.toFixed(2)} on ${load.cores} cores, CPU ${load.busy === null ? '?' : Math.round(load.busy * 100) + '%'} busy`;
  if (load.quiet) console.log(`machine is quiet (${desc})\n`);
  else console.warn(`WARNING: the machine is busy (${desc}); numbers will be noisy. Re-run when it is idle (or pass --wait-quiet, or --clock=cpu).\n`);
  return { ...load, description: desc };
}

const clock = option('--clock') ?? 'wall';
setClock(clock);
const load = await checkQuiet();
if (clock === 'cpu') console.log('timing with process CPU time (--clock=cpu), not wall time\n');
const quick = flags.has('--quick');
const ctx = {
  quick,
  clock,
  args,
  /** Progress lines go to stderr so stdout stays clean Markdown. */
  log: (...a) => console.error(...a),
  compare: (contenders, opts = {}) => compare(contenders, quick ? { repeats: 3, batchMs: 20, budgetMs: 2000, ...opts } : opts),
  stats,
  fmt,
};

const resultsPath = join(here, 'results', 'latest.json');
let previous = {};
try {
  previous = JSON.parse(readFileSync(resultsPath, 'utf8')).modules ?? {};
} catch {
  // first run, or an unreadable file: start afresh
}

const results = {};
for (const name of selected) {
  const mod = await import(`./${name}.mjs`);
  const t0 = Date.now();
  const out = await mod.run(ctx);
  const seconds = (Date.now() - t0) / 1000;
  for (const table of out.tables) console.log(markdownTable(table) + '\n');
  console.error(`(${name}: ${seconds.toFixed(1)} s)\n`);
  results[name] = { ...out, date: new Date().toISOString(), seconds, load, quick, clock };
}

mkdirSync(dirname(resultsPath), { recursive: true });
const env = { node: process.version, v8: process.versions.v8, platform: platform(), arch: arch(), cpu: cpus()[0]?.model, cores: cpus().length };
writeFileSync(resultsPath, JSON.stringify({ env, modules: { ...previous, ...results } }, null, 2) + '\n');
console.error(`results written to ${resultsPath}`);
