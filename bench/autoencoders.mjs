// Autoencoder training speed (issue 9): the deep autoencoder 784-128-64-32-64-128-784 (relu,
// sigmoid output, BCE, Adam 1e-3, batch 256) and the VAE 784-400-20 (BCE summed over pixels +
// KL, Adam 1e-3, batch 128) on real MNIST digits, neurite against TF.js `wasm` (SIMD) and TF.js
// `cpu` in the same process. Samples/s of one training epoch (shuffled batches), the median of
// several epochs after a warm-up epoch, contenders interleaved epoch by epoch. With
// `--clock=cpu` epochs are timed with process CPU time (for a busy machine).
//
// TF.js has no VAE layer: its VAE is a hand-written training loop with the same math —
// variables for the five dense maps, `z = μ + exp(½·log σ²)·ε` with ε from `tf.randomNormal`,
// BCE on sigmoid outputs clipped to [1e-7, 1 − 1e-7] summed over pixels plus the KL, averaged
// over the batch, minimised with `tf.train.adam(1e-3).minimize` (which uses `tf.variableGrads`).
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { loadMnist } from '../examples/data/mnist.mjs';
import { initTfWasm, tf } from './tfjs.mjs';
import { median } from './lib.mjs';

const DEEP = [128, 64, 32, 64, 128];

function clockMs(ctx) {
  if (ctx.clock !== 'cpu') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function neuriteDeep() {
  const enc = [], dec = [];
  DEEP.forEach((u, i) => (i <= 2 ? enc : dec).push(nr.layers.dense({ units: u, activation: 'relu', ...(i === 0 ? { inputShape: [784] } : i === 3 ? { inputShape: [32] } : {}) })));
  dec.push(nr.layers.dense({ units: 784, activation: 'sigmoid' }));
  const ae = nr.autoencoder({ encoder: nr.sequential({ layers: enc }), decoder: nr.sequential({ layers: dec }), seed: 1 });
  ae.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: 'binaryCrossentropy' });
  return ae;
}

function neuriteVae() {
  const encoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [784], units: 400, activation: 'relu' }), nr.layers.variational({ units: 20 })] });
  const decoder = nr.sequential({ layers: [nr.layers.dense({ inputShape: [20], units: 400, activation: 'relu' }), nr.layers.dense({ units: 784, activation: 'sigmoid' })] });
  const vae = nr.autoencoder({ encoder, decoder, seed: 1 });
  vae.compile({ optimizer: nr.optimizers.adam({ learningRate: 1e-3 }), loss: { name: 'binaryCrossentropy', reduction: 'sumOverFeatures' } });
  return vae;
}

function tfDeep() {
  const m = tfl.sequential({
    layers: [...DEEP.map((u, i) => tfl.layers.dense({ units: u, activation: 'relu', ...(i === 0 ? { inputShape: [784] } : {}) })), tfl.layers.dense({ units: 784, activation: 'sigmoid' })],
  });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  return m;
}

/** The TF.js VAE: variables and one epoch of a tf.variableGrads-based Adam loop. */
function tfVae() {
  const glorot = (i, o) => tf.variable(tf.randomUniform([i, o], -Math.sqrt(6 / (i + o)), Math.sqrt(6 / (i + o)), 'float32', 1));
  const zeros = (o) => tf.variable(tf.zeros([o]));
  const v = {
    w1: glorot(784, 400), b1: zeros(400), wm: glorot(400, 20), bm: zeros(20), wl: glorot(400, 20), bl: zeros(20),
    w2: glorot(20, 400), b2: zeros(400), w3: glorot(400, 784), b3: zeros(784),
  };
  const opt = tf.train.adam(1e-3);
  const varList = Object.values(v);
  const loss = (x) => {
    const h = tf.relu(tf.add(tf.matMul(x, v.w1), v.b1));
    const mu = tf.add(tf.matMul(h, v.wm), v.bm);
    const lv = tf.add(tf.matMul(h, v.wl), v.bl);
    const z = tf.add(mu, tf.mul(tf.exp(tf.mul(lv, 0.5)), tf.randomNormal(mu.shape)));
    const h2 = tf.relu(tf.add(tf.matMul(z, v.w2), v.b2));
    const p = tf.clipByValue(tf.sigmoid(tf.add(tf.matMul(h2, v.w3), v.b3)), 1e-7, 1 - 1e-7);
    const rec = tf.neg(tf.sum(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))), 1));
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, lv), tf.square(mu)), tf.exp(lv)), 1));
    return tf.mean(tf.add(rec, kl));
  };
  return {
    /** One shuffled epoch over `x` ([n, 784]) in batches of `batchSize`; returns n. */
    async epoch(x, batchSize) {
      const n = x.shape[0];
      const order = tf.util.createShuffledIndices(n);
      for (let s = 0; s < n; s += batchSize) {
        const idx = tf.tensor1d(Int32Array.from(order.subarray(s, Math.min(n, s + batchSize))), 'int32');
        const xb = tf.gather(x, idx);
        const l = opt.minimize(() => loss(xb), true, varList);
        await l.data();
        tf.dispose([idx, xb, l]);
      }
      return n;
    },
    dispose() {
      tf.dispose(varList);
      opt.dispose();
    },
  };
}

/** Times each contender's `epoch()` `reps` times after a warm-up, interleaved; samples/s. */
async function interleaved(ctx, contenders, reps) {
  for (const c of contenders) await c.epoch();
  const rates = contenders.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const t0 = clockMs(ctx);
      const n = await contenders[i].epoch();
      rates[i].push(n / ((clockMs(ctx) - t0) / 1000));
    }
  }
  return rates.map((xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length }));
}

export async function run(ctx) {
  await nr.init({ threads: 1 }); // single-thread tables; bench/threads.mjs compares thread counts
  const tfWasm = await initTfWasm();
  const { train } = loadMnist({ trainSize: 8000, seed: 1 });
  const N = ctx.quick ? 2048 : 8000;
  const NCPU = Math.min(N, ctx.quick ? 512 : 2048); // TF.js cpu is slow: fewer samples per epoch
  const reps = ctx.quick ? 2 : 5;
  const xs = train.x.subarray(0, N * 784);
  const rows = [];
  const data = {};
  const cell = (r) => `${Math.round(r.median).toLocaleString('en-US')} (${Math.round(r.min).toLocaleString('en-US')}–${Math.round(r.max).toLocaleString('en-US')})`;

  for (const kind of ['deep', 'vae']) {
    ctx.log(`autoencoders: ${kind} …`);
    const batchSize = kind === 'deep' ? 256 : 128;
    const nx = nr.tensor(xs, [N, 784]);
    const nm = kind === 'deep' ? neuriteDeep() : neuriteVae();
    const contenders = [{ name: 'neurite', epoch: async () => (await nm.fit(nx, { epochs: 1, batchSize, verbose: 0 }), N) }];
    const cleanup = [() => nm.dispose(), () => nx.dispose()];
    for (const backend of ['wasm', 'cpu']) {
      const n = backend === 'cpu' ? NCPU : N;
      await tf.setBackend(backend);
      const tx = tf.tensor2d(xs.subarray(0, n * 784), [n, 784]);
      const tm = kind === 'deep' ? tfDeep() : tfVae();
      const epoch = kind === 'deep'
        ? async () => (await tm.fit(tx, tx, { epochs: 1, batchSize, verbose: 0, shuffle: true }), n)
        : async () => tm.epoch(tx, batchSize);
      // Each TF.js contender runs on its own backend: select it before every epoch.
      contenders.push({ name: `tfjs-${backend}`, epoch: async () => (await tf.setBackend(backend), epoch()) });
      cleanup.push(() => (tf.setBackend(backend), tf.dispose(tx), tm.dispose()));
    }
    const [neurite, wasm, cpu] = await interleaved(ctx, contenders, reps);
    for (const f of cleanup) await f();
    const label = kind === 'deep' ? 'deep AE 784-128-64-32-64-128-784, batch 256' : 'VAE 784-400-20, batch 128';
    rows.push([label, cell(neurite), cell(wasm), cell(cpu), `**${(neurite.median / wasm.median).toFixed(1)}×**`, `${(neurite.median / cpu.median).toFixed(1)}×`]);
    data[kind] = { neurite, 'tfjs-wasm': wasm, 'tfjs-cpu': cpu, batchSize };
  }
  await tf.setBackend('wasm');

  return {
    tables: [
      {
        title: 'Autoencoder training on MNIST: samples/s (median, min–max)',
        columns: ['model', 'neurite', 'TF.js wasm', 'TF.js cpu', 'neurite ÷ wasm', 'neurite ÷ cpu'],
        rows,
        notes: [
          `one training epoch over ${N} real MNIST digits (TF.js cpu: ${NCPU}), shuffled, Adam 1e-3; median of ${reps} epochs after a warm-up, contenders interleaved; ${ctx.clock === 'cpu' ? 'process CPU time' : 'wall time'}`,
          'deep AE: BCE (mean over pixels), the libraries\' own fit; VAE: BCE summed over pixels + KL — neurite `layers.variational` with `reduction: \'sumOverFeatures\'` in `fit`, TF.js a hand-written loop with the same math (`tf.train.adam().minimize`, i.e. `tf.variableGrads`, ε from `tf.randomNormal`)',
          `TF.js ${tf.version_core} (wasm: ${tfWasm.binary}, ${tfWasm.threads} thread)`,
        ],
      },
    ],
    data,
  };
}
