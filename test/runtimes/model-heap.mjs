// Run with `node --expose-gc`: builds and disposes many models (and makes many layers that are
// never built) and reports the JS heap each one leaves behind. A service that builds a model
// per request must keep no JS memory per model (test/finalizer.test.ts). Prints one JSON line.
import * as nr from '../../dist/index.js';
import { settle } from './gc-settle.mjs';

await nr.init({ threads: 1 });
const heap = async () => {
  await settle();
  return process.memoryUsage().heapUsed;
};
const N = 20_000;
const run = async (build) => {
  for (let i = 0; i < N; i++) {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2 }), nr.layers.dense({ units: 1 })] });
    if (build) m.build();
    m.dispose();
    if (i % 1000 === 0) await null;
  }
};
// A model nested in another, disposed first (its layers live on in the outer one), then the outer.
const nested = async () => {
  for (let i = 0; i < N; i++) {
    const inner = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
    const outer = nr.sequential({ layers: [inner, nr.layers.dense({ units: 1 })] });
    outer.build();
    inner.dispose();
    outer.dispose();
    if (i % 1000 === 0) await null;
  }
};
// Without yielding (a neuroevolution loop): the heap is measured inside the same job, where a
// WeakRef made in it would keep its target alive (ECMAScript's KeepDuringJob): models, their
// optimizers and symbolic inputs, and variables made and disposed in the loop must not be.
const inOneJob = (make) => {
  for (let i = 0; i < 200; i++) make(i);
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) make(i);
  global.gc();
  return (process.memoryUsage().heapUsed - before) / N;
};
const dense = (i) => nr.sequential({ seed: i, layers: [nr.layers.dense({ inputShape: [5], units: 8, activation: 'sigmoid' }), nr.layers.dense({ units: 2 })] });
const sync = {
  built: inOneJob((i) => { const m = dense(i); m.build(); m.dispose(); }),
  compiled: inOneJob((i) => { const m = dense(i); m.compile({ optimizer: nr.train.adam(0.01), loss: 'mse' }); m.dispose(); }),
  symbolic: inOneJob((i) => { const m = dense(i); void m.inputs; m.dispose(); }),
  variable: inOneJob(() => { const z = nr.zeros([2]); const v = nr.variable(z); v.dispose(); z.dispose(); }),
};
// Loaded and disposed in an async loop that never reaches a macrotask (each await a promise
// already settled, as loadModel from artifacts is): the job never ends inside the loop either.
const src = dense(0);
const artifacts = await src.toArtifacts();
src.dispose();
const loadedInALoop = async () => {
  const loop = async (n) => {
    for (let i = 0; i < n; i++) (await nr.loadModel(artifacts, { compile: false })).dispose();
  };
  await loop(200);
  global.gc();
  const before = process.memoryUsage().heapUsed;
  await loop(2000);
  global.gc();
  return (process.memoryUsage().heapUsed - before) / 2000;
};
// The smaller of two rounds: one round's figure moved with the collector's timing (138–217 B on
// an idle 2-core machine, 303 once under two test runs); the regression it guards was 4.6 kB.
sync.loaded = Math.min(await loadedInALoop(), await loadedInALoop());
await settle();

// A first round warms the code and the tables up.
await run(true);
const h0 = await heap();
await run(true);
const h1 = await heap();
await run(false);
const h2 = await heap();
await nested();
const h3 = await heap();
console.log(JSON.stringify({ sync, builtBytesPerModel: (h1 - h0) / N, unbuiltBytesPerModel: (h2 - h1) / N, nestedBytesPerModel: (h3 - h2) / N, memory: nr.memory() }));
