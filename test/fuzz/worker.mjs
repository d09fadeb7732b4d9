/**
 * The fuzzer's worker thread: loads the built library (dist/), runs the driver and posts every
 * call line before it runs, so the parent can name the call that hangs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz } from './driver.mjs';

const { dist, seed, calls, keepGoing, heavy, families } = workerData;
const nr = await import(dist);
await nr.init();
// Rejections the library leaves unhandled (e.g. from a fit it abandoned) are failures too.
const unhandled = [];
process.on('unhandledRejection', (r) => unhandled.push(String(r?.stack ?? r)));
// In keep-going mode a corrupted instance is replaced by a new one from the same bytes.
const wasm = new URL('../../dist/url/core.wasm', import.meta.url);
const reinit = existsSync(wasm) ? () => nr.init(readFileSync(wasm)) : null;
const summary = await runFuzz({
  nr, seed, calls, keepGoing, heavy, families, reinit,
  onCall: (i, line) => parentPort.postMessage({ type: 'call', i, line }),
  onFailure: (f) => parentPort.postMessage({ type: 'failure', f }),
});
summary.unhandled = unhandled;
parentPort.postMessage({ type: 'done', summary });
