// Soak for "long training must not grow memory", not run by `npm test`:
//
//   node [--expose-gc] test/stress/soak.mjs [threads=1] [cycles=120] [out.json] [snapshots=20,100]
//
// Runs "nightly retrain" cycles in one process, as a service would: build an MLP on
// MNIST-shaped data (fresh digits and noise each cycle, hidden width varying between cycles so
// models of different sizes are allocated), fit it, save it through file:// and through the
// in-memory handlers (`io.withSaveHandler`, `toArtifacts`), load both back (`loadModel` of the
// folder and of `io.fromMemory`), predict, then the same for an autoencoder, and dispose
// everything. After each cycle (with --expose-gc: after a forced gc) it samples
// process.memoryUsage(), the WebAssembly memory's size and neurite's memory(), and prints a
// least-squares slope per cycle over the last 50 cycles of each series. With a snapshot list it
// writes a heap snapshot after those cycles (`soak-<cycle>.heapsnapshot` beside out.json) for
// `node test/stress/snapshot-diff.mjs a b`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import * as nr from '../../dist/index.js';
import { loadMnist, mulberry32 } from '../../examples/data/mnist.mjs';
import { retrain, saveAndLoadVia, summarize } from './soak-cycle.mjs';

const threads = Number(process.argv[2] ?? 1);
const cycles = Number(process.argv[3] ?? 120);
const outPath = process.argv[4] ?? null;
const snapAt = new Set((process.argv[5] ?? '').split(',').filter(Boolean).map(Number));
const gc = globalThis.gc ?? null;

await nr.init({ threads });
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const TRAIN = 2048;
const dir = mkdtempSync(join(tmpdir(), 'neurite-soak-'));

/** Fresh data for a cycle: TRAIN digits drawn from the pool, with pixel noise. */
function freshData(c) {
  const rand = mulberry32(1000 + c);
  const x = new Float32Array(TRAIN * 784);
  const y = new Float32Array(TRAIN * 10);
  for (let r = 0; r < TRAIN; r++) {
    const k = Math.floor(rand() * train.n);
    for (let j = 0; j < 784; j++) x[r * 784 + j] = Math.min(1, Math.max(0, train.x[k * 784 + j] + (rand() - 0.5) * 0.1));
    y.set(train.y.subarray(k * 10, k * 10 + 10), r * 10);
  }
  return { x, y };
}

async function cycle(c) {
  const { x: xs, y: ys } = freshData(c);
  const x = nr.tensor(xs, [TRAIN, 784]);
  const y = nr.tensor(ys, [TRAIN, 10]);
  const xt = nr.tensor(test.x.subarray(0, 500 * 784), [500, 784]);
  const labels = nr.tensor(test.ids.subarray(0, 500).map(Number));
  try {
    return await retrain(nr, c, { x, y, xt, labels }, (model, tag) => saveAndLoadVia(nr, `file://${join(dir, tag)}`, model));
  } finally {
    for (const d of [x, y, xt, labels]) d.dispose();
  }
}

/**
 * Resident bytes by kind of mapping (Linux, /proc/self/smaps): `wasm` the WebAssembly memory
 * (V8 reserves 8 GiB for it: its pages in use, read-write, then the rest, inaccessible), `brk` the C heap ([heap]), `anon` other
 * anonymous mappings (V8's heap and code pages, malloc's mmap'd arenas, worker stacks), `file`
 * mapped files (node's binary, shared libraries). Zeros elsewhere.
 */
function smaps() {
  const out = { wasm: 0, brk: 0, anon: 0, file: 0 };
  if (!existsSync('/proc/self/smaps')) return out;
  const maps = [];
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[3];
      maps.push({ from: parseInt(head[1], 16), to: parseInt(head[2], 16), kind: path === '[heap]' ? 'brk' : path === '' || path.startsWith('[') ? 'anon' : 'file', rss: 0 });
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) maps.at(-1).rss = Number(rss[1]) * 1024;
  }
  // The reservation's inaccessible rest is one mapping of over 4 GiB; the used pages are the
  // anonymous mapping that ends where it begins.
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    const next = maps[i + 1];
    const wasm = m.kind === 'anon' && (m.to - m.from >= 2 ** 32 || (next?.from === m.to && next.kind === 'anon' && next.to - next.from >= 2 ** 32));
    out[wasm ? 'wasm' : m.kind] += m.rss;
  }
  return out;
}

const rows = [];
const t0 = performance.now();
for (let c = 1; c <= cycles; c++) {
  const r = await cycle(c);
  await new Promise((res) => setTimeout(res, 0));
  if (gc) { gc(); gc(); }
  const mu = process.memoryUsage();
  const m = nr.memory();
  const sm = smaps();
  rows.push({ cycle: c, rss: mu.rss, rssWasm: sm.wasm, rssBrk: sm.brk, rssAnon: sm.anon, rssFile: sm.file, heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, external: mu.external, arrayBuffers: mu.arrayBuffers,
    wasmBytes: m.wasmBytes, numTensors: m.numTensors, numModels: m.numModels, numHandles: m.numHandles, numBytes: m.numBytes, modelBytes: m.modelBytes,
    numLeaked: m.numLeaked, loss: r.loss, acc: r.acc, ms: Math.round(performance.now() - t0) });
  if (c % 10 === 0 || c === 1) {
    const mb = (b) => (b / 1048576).toFixed(1);
    console.log(`cycle ${c}: rss ${mb(mu.rss)} (wasm ${mb(sm.wasm)} brk ${mb(sm.brk)} anon ${mb(sm.anon)} file ${mb(sm.file)}) heap ${mb(mu.heapUsed)} ext ${mb(mu.external)} ab ${mb(mu.arrayBuffers)} wasm ${mb(m.wasmBytes)} MB; tensors ${m.numTensors} models ${m.numModels} handles ${m.numHandles} leaked ${m.numLeaked}; acc ${r.acc.toFixed(3)}`);
  }
  if (snapAt.has(c)) {
    if (gc) { gc(); gc(); }
    const file = join(outPath ? dirname(outPath) : '.', `soak-t${threads}${gc ? '-gc' : ''}-${c}.heapsnapshot`);
    v8.writeHeapSnapshot(file);
    console.log(`wrote ${file}`);
  }
}
rmSync(dir, { recursive: true, force: true });

const summary = summarize(rows, ['rss', 'rssWasm', 'rssBrk', 'rssAnon', 'rssFile', 'heapUsed', 'external', 'arrayBuffers', 'wasmBytes', 'numHandles', 'numTensors', 'numModels']);
console.log(JSON.stringify({ threads, gc: !!gc, cycles, summary }, null, 1));
if (outPath) writeFileSync(outPath, JSON.stringify({ threads, gc: !!gc, cycles, rows, summary }));
await nr.shutdown?.();
