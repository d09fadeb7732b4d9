// The cost of one op call on small tensors, where the call (argument checks, handles, the
// tidy scope, the tape) rather than the arithmetic is the time, beside TF.js `cpu` and `wasm`
// (SIMD, one thread) in the same process:
//   - a chain of five small ops, `tidy(() => relu(matMul(mul(add(a, b), b), w)).sum())` on
//     [32,16] tensors and a [16,16] weight: time per op;
//   - a custom training step on a 16-32-4 MLP at batch 32 (relu, MSE, SGD): `variableGrads` and
//     `optimizer.minimize` over `model.predict`, against neurite's fused `trainOnBatch`;
//   - `fit` of a 4-8-3 MLP at batch 32 with MSE written as a loss function against the named
//     `'mse'` (as bench/lossfn.mjs: the split step's per-op calls are the difference).
// Reported as ratios; the times are medians (min–max) of interleaved samples (bench/lib.mjs).
//   node bench/run.mjs opcost [--clock=cpu]
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { initTfWasm } from './tfjs.mjs';
import { lcgValues, median } from './lib.mjs';

const us = (ms) => (ms * 1000).toFixed(ms < 0.01 ? 2 : 1);
const cell = (r, scale = 1) => `${us(r.median / scale)} (${us(r.min / scale)}–${us(r.max / scale)})`;

/** CPU time per batch (ms) of one epoch of `fit`, median of `reps` epochs after a warm-up (as bench/lossfn.mjs). */
async function fitPerBatch(loss, reps) {
  const n = 8192;
  const batch = 32;
  const x = nr.tensor(lcgValues(n * 4, 1), [n, 4]);
  const y = nr.tensor(lcgValues(n * 3, 2, 0, 1), [n, 3]);
  const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 8, activation: 'tanh', inputShape: [4] }), nr.layers.dense({ units: 3 })] });
  m.compile({ optimizer: nr.optimizers.adam(1e-3), loss });
  await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
  const times = [];
  for (let r = 0; r < reps; r++) {
    const t0 = process.cpuUsage();
    await m.fit(x, y, { epochs: 1, batchSize: batch, verbose: 0 });
    const t = process.cpuUsage(t0);
    times.push((t.user + t.system) / 1000 / (n / batch));
  }
  nr.dispose([x, y, m]);
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

export async function run(ctx) {
  await nr.init({ threads: 1 });
  const tfWasm = await initTfWasm();
  const res = {};

  ctx.log('opcost: op chain …');
  {
    const [va, vb, vw] = [lcgValues(512, 1), lcgValues(512, 2), lcgValues(256, 3)];
    const [a, b, w] = [nr.tensor(va, [32, 16]), nr.tensor(vb, [32, 16]), nr.tensor(vw, [16, 16])];
    const chain = () => nr.tidy(() => nr.relu(nr.matMul(nr.mul(nr.add(a, b), b), w)).sum()).dispose();
    const tfChain = (ta, tb, tw) => () => tf.tidy(() => tf.sum(tf.relu(tf.matMul(tf.mul(tf.add(ta, tb), tb), tw)))).dispose();
    await tf.setBackend('cpu');
    const cpuT = [tf.tensor2d(va, [32, 16]), tf.tensor2d(vb, [32, 16]), tf.tensor2d(vw, [16, 16])];
    await tf.setBackend('wasm');
    const wasmT = [tf.tensor2d(va, [32, 16]), tf.tensor2d(vb, [32, 16]), tf.tensor2d(vw, [16, 16])];
    res.chain = await ctx.compare({
      neurite: { fn: chain },
      'TF.js cpu': { fn: tfChain(...cpuT), before: () => tf.setBackend('cpu') },
      'TF.js wasm': { fn: tfChain(...wasmT), before: () => tf.setBackend('wasm') },
    });
    tf.dispose(wasmT);
    await tf.setBackend('cpu');
    tf.dispose(cpuT);
    nr.dispose([a, b, w]);
  }

  ctx.log('opcost: 16-32-4 MLP steps …');
  {
    const x = nr.tensor(lcgValues(32 * 16, 4), [32, 16]);
    const y = nr.tensor(lcgValues(32 * 4, 5), [32, 4]);
    const mk = () => {
      const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 32, activation: 'relu', inputShape: [16] }), nr.layers.dense({ units: 4 })] });
      m.compile({ optimizer: nr.optimizers.sgd(1e-3), loss: 'meanSquaredError' });
      return m;
    };
    const [m1, m2, m3] = [mk(), mk(), mk()];
    const opt = nr.optimizers.sgd(1e-3);
    const loss = (m) => () => nr.losses.meanSquaredError(y, m.predict(x));
    const v2 = m2.trainableWeights;
    const v3 = m3.trainableWeights;
    const tfSide = (backend) => {
      const tm = tfl.sequential({ layers: [tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [16] }), tfl.layers.dense({ units: 4 })] });
      const tx = tf.tensor2d(lcgValues(32 * 16, 4), [32, 16]);
      const ty = tf.tensor2d(lcgValues(32 * 4, 5), [32, 4]);
      const topt = tf.train.sgd(1e-3);
      const vars = tm.trainableWeights.map((v) => v.read());
      const f = () => tf.losses.meanSquaredError(ty, tm.predict(tx));
      return {
        minimize: { fn: () => tf.tidy(() => topt.minimize(f, false, vars)), before: () => tf.setBackend(backend) },
        grads: { fn: () => tf.tidy(() => { tf.variableGrads(f, vars); }), before: () => tf.setBackend(backend) },
        dispose: () => { tf.dispose([tx, ty]); topt.dispose(); tm.dispose(); },
      };
    };
    await tf.setBackend('cpu');
    const tcpu = tfSide('cpu');
    await tf.setBackend('wasm');
    const twasm = tfSide('wasm');
    res.mlp = await ctx.compare({
      trainOnBatch: { fn: () => m1.trainOnBatch(x, y) },
      minimize: { fn: () => nr.tidy(() => opt.minimize(loss(m2), false, v2)) },
      variableGrads: { fn: () => nr.tidy(() => { nr.variableGrads(loss(m3), v3); }) },
      'TF.js cpu minimize': tcpu.minimize,
      'TF.js cpu variableGrads': tcpu.grads,
      'TF.js wasm minimize': twasm.minimize,
      'TF.js wasm variableGrads': twasm.grads,
    });
    twasm.dispose();
    await tf.setBackend('cpu');
    tcpu.dispose();
    nr.dispose([x, y, m1, m2, m3, opt]);
  }

  ctx.log('opcost: loss-function fit …');
  {
    const reps = ctx.quick ? 3 : 7;
    const fnMse = function mse(yTrue, yPred) {
      return nr.mean(nr.square(nr.sub(yPred, yTrue)), -1);
    };
    res.named = await fitPerBatch('mse', reps);
    res.fn = await fitPerBatch(fnMse, reps);
  }

  const c = res.chain;
  const mlp = res.mlp;
  const ratio = (a, b) => `**${(a.median / b.median).toFixed(2)}×**`;
  return {
    tables: [
      {
        title: 'One small op: tidy(() => relu(matMul(mul(add(a, b), b), w)).sum()) on [32,16] · [16,16], µs per op (5 ops)',
        columns: ['', 'neurite', 'TF.js cpu', 'TF.js wasm', 'neurite ÷ cpu', 'neurite ÷ wasm'],
        rows: [['per op', cell(c.neurite, 5), cell(c['TF.js cpu'], 5), cell(c['TF.js wasm'], 5), ratio(c.neurite, c['TF.js cpu']), ratio(c.neurite, c['TF.js wasm'])]],
        notes: [`TF.js ${tf.version_core} (wasm: ${tfWasm.binary}, ${tfWasm.threads} thread); neurite on one thread; the chain's time ÷ 5, including tidy`],
      },
      {
        title: 'A training step on a 16-32-4 MLP (relu, MSE, SGD), batch 32: µs per step',
        columns: ['step', 'neurite', '÷ trainOnBatch', 'TF.js cpu', 'TF.js wasm', 'neurite ÷ wasm'],
        rows: [
          ['trainOnBatch (one fused call)', cell(mlp.trainOnBatch), '1', '', '', ''],
          ['minimize(() => mse(y, model.predict(x)))', cell(mlp.minimize), ratio(mlp.minimize, mlp.trainOnBatch), cell(mlp['TF.js cpu minimize']), cell(mlp['TF.js wasm minimize']), ratio(mlp.minimize, mlp['TF.js wasm minimize'])],
          ['variableGrads(() => mse(y, model.predict(x)))', cell(mlp.variableGrads), ratio(mlp.variableGrads, mlp.trainOnBatch), cell(mlp['TF.js cpu variableGrads']), cell(mlp['TF.js wasm variableGrads']), ratio(mlp.variableGrads, mlp['TF.js wasm variableGrads'])],
        ],
      },
      {
        title: 'fit of a 4-8-3 MLP (tanh, Adam), batch 32: CPU µs per batch, MSE as a function against \'mse\'',
        columns: ['loss', 'neurite', '÷ \'mse\''],
        rows: [
          ["'mse' (the fused step)", cell(res.named), '1'],
          ['(yTrue, yPred) => mean(square(sub(yPred, yTrue)), -1)', cell(res.fn), ratio(res.fn, res.named)],
        ],
        notes: ['8192 random samples, epochs of 256 batches, median of epochs after a warm-up, process CPU time'],
      },
    ],
    data: res,
  };
}
