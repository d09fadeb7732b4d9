/**
 * Runs one fuzz seed in a worker thread with a watchdog: a call that blocks for more than
 * `hangMs` (a synchronous hang inside WebAssembly) terminates the worker, and the report names
 * that call. Used by the CLI (`npm run fuzz`) and by `test/fuzz.test.ts`.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export const DIST = join(ROOT, 'dist', 'index.js');

/**
 * Fuzzes `seed` for `calls` calls; resolves to the driver's summary (plus a `hang` failure if
 * the watchdog fired).
 */
export function fuzzSeed({ seed, calls, keepGoing = false, heavy = false, hangMs = 20000, families, dist = DIST }) {
  if (!existsSync(dist)) throw new Error(`fuzz: ${dist} is missing; run \`npm run build\` first`);
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(HERE, 'worker.mjs'), {
      workerData: { dist: pathToFileURL(dist).href, seed, calls, keepGoing, heavy, families },
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    const recent = [];
    /** Failures reported so far, kept in case the worker has to be terminated. */
    const earlier = [];
    let last = { i: -1, line: '' };
    // The worker's start (importing the bundle, init) is not a call: on a loaded machine it took
    // more than hangMs, and the self-test's hang had no call to name. It gets 15 s more.
    let lastAt = Date.now() + 15_000;
    const timer = setInterval(() => {
      if (Date.now() - lastAt < hangMs) return;
      clearInterval(timer);
      worker.terminate();
      resolve({
        seed, calls: last.i + 1, requested: calls, hung: true,
        failures: [...earlier, {
          cls: 'hang', op: /^r\d+ = (?:await )?([\w.]+)/.exec(last.line)?.[1] ?? '?', index: last.i, line: last.line, seed, count: 1,
          message: `no progress for ${hangMs} ms: the worker was terminated during this call`,
          replay: `npm run fuzz -- --seed ${seed} --calls ${last.i + 1}`, snippet: last.line, recent: recent.slice(),
        }],
        errorsByClass: {}, errorsByOp: {}, callsByOp: {},
      });
    }, 500);
    worker.on('message', (m) => {
      lastAt = Date.now();
      if (m.type === 'call') {
        last = m;
        recent.push(m.line);
        if (recent.length > 30) recent.shift();
      } else if (m.type === 'failure') {
        earlier.push(m.f);
      } else if (m.type === 'done') {
        clearInterval(timer);
        worker.terminate();
        resolve(m.summary);
      }
    });
    worker.on('error', (e) => { clearInterval(timer); reject(e); });
    worker.on('exit', (code) => {
      clearInterval(timer);
      resolve({
        seed, calls: last.i + 1, requested: calls, crashed: true,
        failures: [...earlier, { cls: 'crash', op: '?', index: last.i, line: last.line, seed, count: 1, message: `the worker exited with code ${code}`, replay: `npm run fuzz -- --seed ${seed} --calls ${last.i + 1}`, snippet: last.line, recent: recent.slice() }],
        errorsByClass: {}, errorsByOp: {}, callsByOp: {},
      });
    });
  });
}

/** A readable report of one seed's summary. */
export function formatReport(s, { full = true } = {}) {
  const lines = [];
  const rate = s.callsPerSecond ? `, ${s.callsPerSecond} calls/s` : '';
  lines.push(`neurite fuzz: seed ${s.seed}, ${s.calls} calls (${s.valid ?? '?'} valid, ${s.invalid ?? '?'} invalid, ${s.either ?? '?'} either) in ${s.ms ?? '?'} ms${rate}`);
  const byClass = Object.entries(s.errorsByClass ?? {}).sort((a, b) => b[1] - a[1]);
  if (byClass.length) lines.push(`  thrown errors by class: ${byClass.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const fails = Object.entries(s.failuresByClass ?? {}).sort((a, b) => b[1] - a[1]);
  if (fails.length) lines.push(`  failures by class: ${fails.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const byOp = Object.entries(s.errorsByOp ?? {}).sort((a, b) => b[1] - a[1]);
  if (byOp.length && full) lines.push(`  thrown errors by op: ${byOp.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (s.unhandled?.length) lines.push(`  unhandled rejections: ${s.unhandled.length}: ${s.unhandled[0].slice(0, 200)}`);
  const fs = s.failures ?? [];
  lines.push(fs.length === 0 ? '  no failures' : `  ${fs.length} distinct failure(s):`);
  for (const f of [...fs].sort((a, b) => a.index - b.index)) {
    lines.push('');
    lines.push(`  [${f.cls}] ${f.op} at call ${f.index} (seed ${f.seed}, seen ${f.count}×): ${f.message}`);
    lines.push(`    replay: ${f.replay}`);
    lines.push('    reproduction:');
    for (const l of f.snippet.split('\n')) lines.push(`      ${l}`);
    if (full) {
      lines.push('    last calls:');
      for (const l of f.recent.slice(-12)) lines.push(`      ${l}`);
    }
  }
  return lines.join('\n');
}
