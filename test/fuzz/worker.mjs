/**
 * The fuzzer's worker thread: loads the built library (dist/), runs the driver and posts every
 * call line before it runs, so the parent can name the call that hangs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFuzz } from './driver.mjs';

const { dist, seed, calls, keepGoing, heavy, families } = workerData;
const nr = await import(dist);
await nr.init();
// Rejections the library leaves unhandled (e.g. from a fit it abandoned) are failures too.
const unhandled = [];
process.on('unhandledRejection', (r) => unhandled.push(String(r?.stack ?? r)));
const summary = await runFuzz({
  nr, seed, calls, keepGoing, heavy, families,
  onCall: (i, line) => parentPort.postMessage({ type: 'call', i, line }),
});
summary.unhandled = unhandled;
parentPort.postMessage({ type: 'done', summary });
