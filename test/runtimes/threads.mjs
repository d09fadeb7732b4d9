// The thread-pool check every runtime runs against the BUILT bundles (Node, Deno, and the
// browsers' pages and Workers). Plain ESM with no dependencies.
//
// `threadsReport(nr, counts)` inits with each thread count in turn, trains a seeded MNIST-sized
// MLP and the smoke's seeded model, and returns the weight bits per count: they must be equal
// for every count (test/threads.test.ts, browser.test.ts and deno.test.ts compare them).
//
// Run directly it prints the report as one JSON line and then just ENDS (no shutdown()): the
// process must exit by itself although workers were started.
//   node test/runtimes/threads.mjs inline|url 1,2,3,8 [busy]   (a count may be `default`: init())
//   deno run [--allow-read] test/runtimes/threads.mjs inline|url 1,2,3,8 [busy]
// `busy` ends the script right after a large matMul, while the workers still spin.
import { hexBits, seededTraining } from './smoke.mjs';

/** A seeded MNIST-like MLP (784 → 64 → 10, 256 samples, 2 epochs): the bits of its weights. */
export async function mlpTraining(nr) {
  const x = nr.randomUniform([256, 784], { seed: 21 });
  const labels = nr.floor(nr.mul(nr.randomUniform([256], { seed: 22 }), 10));
  const y = nr.oneHot(labels, 10);
  const model = nr.sequential({
    seed: 23,
    layers: [nr.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }), nr.layers.dense({ units: 10, activation: 'softmax' })],
  });
  model.compile({ optimizer: nr.optimizers.adam({ learningRate: 0.001 }), loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 2, batchSize: 32, seed: 24, verbose: 0 });
  const ws = model.getWeights();
  const hex = ws.map((w) => hexBits(w.data())).join('');
  const p = model.predict(x);
  const predictHex = hexBits(p.data());
  for (const t of [x, labels, y, p, ...ws]) t.dispose();
  model.dispose();
  return { hex, predictHex };
}

/**
 * Per thread count: what `threads()` reported and the training bits. Never throws. A count
 * `'default'` is a fresh `init()` without options (its workers start at the first call large
 * enough to split, during the training): its run adds `ready`, the count `threadsReady()`
 * gives after the training.
 */
export async function threadsReport(nr, counts) {
  const runs = [];
  try {
    for (const threads of counts) {
      if (threads === 'default') {
        nr.shutdown();
        await nr.init();
      } else await nr.init({ threads });
      const info = nr.threads();
      const mlp = await mlpTraining(nr);
      const smoke = await seededTraining(nr);
      const ready = threads === 'default' ? { ready: (await nr.threadsReady()).count, requested: info.requested } : {};
      runs.push({ threads, count: info.count, reason: info.reason, memoryThreads: nr.memory().threads, mlpHex: mlp.hex, predictHex: mlp.predictHex, trainHex: smoke.hex, ...ready });
    }
    return { runs };
  } catch (e) {
    return { runs, error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` };
  }
}

/**
 * `init({ threads: 2, relaxedSimd: true })`, then plain: what `threads()` said and the same
 * product (67×129 · 129×45, seeded) from each module. Relaxed SIMD fuses the multiply-add, so
 * the two agree within rounding, not bit for bit. Never throws.
 */
export async function relaxedReport(nr) {
  const gemm = () => {
    const a = nr.randomNormal([67, 129], { seed: 1 });
    const b = nr.randomNormal([129, 45], { seed: 2 });
    const c = a.matMul(b);
    const out = Array.from(c.data());
    for (const t of [a, b, c]) t.dispose();
    return out;
  };
  try {
    await nr.init({ threads: 2, relaxedSimd: true });
    const info = nr.threads();
    const relaxed = gemm();
    await nr.init({ threads: 2 });
    return { info, relaxed, plain: gemm() };
  } catch (e) {
    return { error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` };
  }
}

const isDeno = typeof globalThis.Deno !== 'undefined';
const args = isDeno ? globalThis.Deno.args : typeof process !== 'undefined' ? process.argv.slice(2) : [];
const isMain = isDeno ? import.meta.main : typeof process !== 'undefined' && process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const [entry, list = '1,2', mode] = args;
  if (entry !== 'inline' && entry !== 'url') throw new Error(`threads.mjs: entry must be "inline" or "url", got ${entry}`);
  const nr = entry === 'url' ? await import('../../dist/url/index.js') : await import('../../dist/index.js');
  const report = await threadsReport(nr, list.split(',').map((c) => (c === 'default' ? c : Number(c))));
  if (mode === 'busy') {
    const a = nr.randomUniform([512, 512], { seed: 1 });
    const b = a.matMul(a);
    report.busy = b.shape;
  }
  console.log(JSON.stringify(report));
}
