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
// A first round warms the code and the tables up.
await run(true);
const h0 = await heap();
await run(true);
const h1 = await heap();
await run(false);
const h2 = await heap();
await nested();
const h3 = await heap();
console.log(JSON.stringify({ builtBytesPerModel: (h1 - h0) / N, unbuiltBytesPerModel: (h2 - h1) / N, nestedBytesPerModel: (h3 - h2) / N, memory: nr.memory() }));
