import * as nr from './dist/index.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
await nr.init({ threads: 1 });
await tf.setBackend('wasm'); await tf.ready();
const time = (f, n = 30) => { for (let i = 0; i < 3; i++) f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t0) / n; };
for (const [x, f] of [[[1, 56, 56, 32], [3, 3, 32, 1]], [[8, 28, 28, 64], [3, 3, 64, 1]], [[1, 14, 14, 256], [3, 3, 256, 1]], [[4, 16, 16, 8], [5, 5, 8, 2]]]) {
  const xn = nr.randomNormal(x, { seed: 1 }); const fn = nr.randomNormal(f, { seed: 2 });
  const xt = tf.randomNormal(x); const ft = tf.randomNormal(f);
  const a = time(() => nr.tidy(() => { nr.depthwiseConv2d(xn, fn, 1, 'same').data(); }));
  const b = time(() => tf.tidy(() => { tf.depthwiseConv2d(xt, ft, 1, 'same').dataSync(); }));
  console.log(`depthwiseConv2d x [${x}] f [${f}]: neurite ${a.toFixed(3)} ms, tfjs-wasm ${b.toFixed(3)} ms, neurite/tfjs ${(b / a).toFixed(2)}x`);
}
