// The time per batch of `fit` with MSE written as a loss function (the split step: the core's
// forward half, the loss differentiated on the tape w.r.t. the output, the core's backward half)
// against the named `'mse'` (the fused one-call step), on a 4-8-3 MLP at batch 32 and the MNIST
// MLP 784-128-64-10 at batch 64 (Adam, one thread, random data: the time does not depend on the
// values). CPU time per batch, median (min–max) of 7 epochs after a warm-up epoch, each case
// in its own model.
//   node bench/lossfn.mjs [path/to/dist/index.js]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const bundle = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : '../dist/index.js';
const nr = await import(bundle);
await nr.init({ threads: 1 });

const fnMse = function mse(yTrue, yPred) {
  return nr.mean(nr.square(nr.sub(yPred, yTrue)), -1);
};

function model(sizes, acts) {
  return nr.sequential({ seed: 1, layers: sizes.slice(1).map((units, i) => nr.layers.dense({ units, activation: acts[i], ...(i === 0 ? { inputShape: [sizes[0]] } : {}) })) });
}

async function perBatch(sizes, acts, n, batch, loss) {
  const x = nr.randomUniform([n, sizes[0]], { min: -1, max: 1, seed: 1 });
  const y = nr.randomUniform([n, sizes.at(-1)], { seed: 2 });
  const m = model(sizes, acts);
  m.compile({ optimizer: nr.optimizers.adam(1e-3), loss });
  await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 }); // warm-up
  const times = [];
  for (let r = 0; r < 7; r++) {
    // CPU time of this process (one thread): on a shared machine, wall time mostly measures
    // the other processes.
    const t0 = process.cpuUsage();
    await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
    const t = process.cpuUsage(t0);
    times.push((t.user + t.system) / 1000 / Math.ceil(n / batch));
  }
  nr.dispose([x, y, m]);
  times.sort((a, b) => a - b);
  return times;
}

const show = (t) => `${t[3].toFixed(3)} ms (${t[0].toFixed(3)}–${t[6].toFixed(3)})`;
for (const [name, sizes, acts, n, batch] of [
  ['4-8-3 MLP, batch 32', [4, 8, 3], ['tanh', 'linear'], 16384, 32],
  ['MNIST MLP 784-128-64-10, batch 64', [784, 128, 64, 10], ['relu', 'relu', 'softmax'], 4096, 64],
]) {
  const named = await perBatch(sizes, acts, n, batch, 'mse');
  const fn = await perBatch(sizes, acts, n, batch, fnMse);
  console.log(`${name}: 'mse' ${show(named)}, loss function ${show(fn)}: ×${(fn[3] / named[3]).toFixed(2)}`);
}
