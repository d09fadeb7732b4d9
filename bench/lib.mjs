// Shared helpers for benchmark modules: timing, statistics, machine load, Markdown tables.
//
// Timing model: a "sample" is the mean time of one call over a batch of calls long enough
// (≥ `batchMs`) for the clock to be accurate. Each case takes `repeats` samples and reports
// the median and the min–max range. `compare()` interleaves the contenders sample by sample,
// so a burst of load from another process hits all of them alike instead of one.
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

let clock = 'wall';
/**
 * Chooses what a sample measures: `'wall'` (elapsed time, the default) or `'cpu'` (this
 * process's user + system CPU time). Every contender runs single-threaded on the main
 * thread, so on a quiet machine the two agree; on a busy one CPU time leaves out the time
 * the process waited for a core, which wall time does not.
 */
export function setClock(c) {
  if (c !== 'wall' && c !== 'cpu') throw new Error(`unknown clock ${c}: use wall or cpu`);
  clock = c;
}

/** The current clock in milliseconds. */
function now() {
  if (clock === 'wall') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median of a list of numbers (the mean of the two middle values for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** `{ median, min, max, n }` of a list of samples. */
/** Times a synchronous call, returning ms per call (median of `reps` batches of `iters`, after up to 20 warm-up calls). */
export function timeSync(fn, iters, reps) {
  for (let i = 0; i < Math.min(iters, 20); i++) fn();
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    ms.push((performance.now() - t0) / iters);
  }
  return median(ms);
}

/**
 * Samples/s of `epoch()` (async, returns the samples it trained): `reps` runs after one
 * warm-up, as `{ median, min, max }`.
 */
export async function timeEpochs(epoch, reps) {
  await epoch();
  const rates = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const n = await epoch();
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) };
}

export function stats(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/**
 * Prepares one contender for `compare`: warms `fn` up, then picks how many calls make one
 * sample last about `batchMs`. A call slower than `batchMs` is its own sample.
 */
function calibrate(fn, batchMs) {
  let warm = 0;
  const t0 = now();
  do {
    fn();
    warm++;
  } while (warm < 3 && now() - t0 < batchMs);
  const t1 = now();
  fn();
  const one = Math.max(now() - t1, 1e-4);
  return Math.max(1, Math.round(batchMs / one));
}

function sample(fn, iters) {
  const t0 = now();
  for (let i = 0; i < iters; i++) fn();
  return (now() - t0) / iters;
}

/**
 * Times several contenders on the same case. `contenders` maps a name to
 * `{ fn, before?, after? }`: `fn` is one timed call, `before()`/`after()` run around each of
 * that contender's samples, untimed (e.g. switching the TF.js backend).
 * Returns `{ [name]: { median, min, max, n } }` in milliseconds per call.
 *
 * `repeats` samples are taken per contender, except that a contender whose samples are slow
 * stops once it has spent `budgetMs` and has at least 3 samples.
 */
export async function compare(contenders, { repeats = 9, batchMs = 40, budgetMs = 8000 } = {}) {
  const names = Object.keys(contenders);
  const iters = {};
  const samples = {};
  const spent = {};
  for (const name of names) {
    const c = contenders[name];
    await c.before?.();
    iters[name] = calibrate(c.fn, batchMs);
    await c.after?.();
    samples[name] = [];
    spent[name] = 0;
  }
  for (let r = 0; r < repeats; r++) {
    for (const name of names) {
      if (samples[name].length >= 3 && spent[name] > budgetMs) continue;
      const c = contenders[name];
      await c.before?.();
      const ms = sample(c.fn, iters[name]);
      await c.after?.();
      samples[name].push(ms);
      spent[name] += ms * iters[name];
    }
  }
  return Object.fromEntries(names.map((n) => [n, stats(samples[n])]));
}

/**
 * {@link compare} after each contender has run for a while untimed (300 ms, 100 with
 * `ctx.quick`): V8 compiles wasm functions with its baseline compiler first and swaps in the
 * optimized code once a function is hot (later on a busy machine), so the first samples would
 * time the baseline code.
 */
export async function warmCompare(ctx, contenders) {
  for (const c of Object.values(contenders)) {
    await c.before?.();
    for (const t0 = performance.now(); performance.now() - t0 < (ctx.quick ? 100 : 300); ) c.fn();
    await c.after?.();
  }
  return ctx.compare(contenders);
}

/**
 * Whether TF.js's wasm backend has the gradient kernels of `f` (TF.js 4.22 has none for the
 * convolutions): `'yes'`, or `'no: '` and its error. Leaves the backend on wasm.
 */
export async function tfWasmGrads(tf, f, inputs) {
  await tf.setBackend('wasm');
  try {
    tf.tidy(() => tf.grads(f)(inputs()).forEach((g) => g.dataSync()));
    return 'yes';
  } catch (e) {
    return `no: ${e.message}`;
  }
}

/** Fraction of CPU time (0–1, all cores) spent busy over `ms` milliseconds; null off Linux. */
export async function cpuBusy(ms = 500) {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + (f[4] || 0);
      return { idle, total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (!a || !b || b.total === a.total) return null;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Describes how busy the machine is: the 1-minute load average per core and the busy fraction
 * over the last half second. `quiet` is false when either says another process competes for
 * the CPU, which makes the numbers noisy.
 */
export async function machineLoad() {
  const cores = cpus().length;
  const load1 = loadavg()[0];
  const busy = await cpuBusy(500);
  const quiet = load1 / cores < 0.25 && (busy === null || busy < 0.15);
  return { cores, load1, busy, quiet };
}

/**
 * The shortest round trip between two threads through shared memory, in milliseconds: the
 * calling thread stores a number, a worker spinning on that word copies it to a word on
 * another cache line, the calling thread spins until it sees it. A pool that splits a call
 * over two threads pays at least this much per call (the worker must learn that there is work,
 * and the caller that it is done), whatever the pool's design. Best of `rounds` averages over
 * `iters` round trips each.
 */
export async function crossThreadRoundTrip({ rounds = 5, iters = 100_000 } = {}) {
  const { Worker } = await import('node:worker_threads');
  const words = new Int32Array(new SharedArrayBuffer(128));
  const worker = new Worker(
    `const a = new Int32Array(require('node:worker_threads').workerData);
     for (let seen = 0;;) { const v = Atomics.load(a, 0); if (v === -1) break; if (v !== seen) { seen = v; Atomics.store(a, 16, v); } }`,
    { eval: true, workerData: words.buffer },
  );
  try {
    let next = 0;
    const trips = (n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        Atomics.store(words, 0, ++next);
        while (Atomics.load(words, 16) !== next);
      }
      return (performance.now() - t0) / n;
    };
    trips(1); // waits for the worker to start
    trips(iters); // warm-up
    let best = Infinity;
    for (let r = 0; r < rounds; r++) best = Math.min(best, trips(iters));
    return best;
  } finally {
    Atomics.store(words, 0, -1);
    await worker.terminate();
  }
}

/** Formats a number with `digits` significant-ish decimals (no exponent for the usual range). */
export function fmt(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(digits);
  return x.toFixed(digits + 1);
}

/** Renders a table `{ title, columns, rows, notes }` (rows are arrays of cells) as Markdown. */
export function markdownTable({ title, columns, rows, notes = [] }) {
  const out = [];
  if (title) out.push(`### ${title}`, '');
  out.push(`| ${columns.join(' | ')} |`);
  out.push(`|${columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const row of rows) out.push(`| ${row.map((c) => String(c)).join(' | ')} |`);
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  return out.join('\n');
}

/**
 * The benches' MNIST MLP 784-128-64-10 (relu, relu, softmax; seed 1) on the neurite module
 * `nr`, compiled with Adam 1e-3 and categorical cross-entropy (plus `metrics`).
 */
/**
 * `len` deterministic values in [lo, hi) from a 32-bit LCG seeded with `seed`, so every
 * contender of a benchmark computes on the same data.
 */
export function lcgValues(len, seed, lo = -1, hi = 1) {
  const v = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return v;
}

export function mnistMlp(nr, { metrics = [] } = {}) {
  const m = nr.sequential({
    seed: 1,
    layers: [
      nr.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
      nr.layers.dense({ units: 64, activation: 'relu' }),
      nr.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics });
  return m;
}
