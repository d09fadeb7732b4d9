// TF.js set-up shared by the benchmark modules: the `wasm` backend from the package's own
// files (checked to be the SIMD build), and the result comparison used before timing.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export { tf };

let tfWasmReady = null;

/** Initialises TF.js `wasm` once per process (several modules use it) and selects it. */
export async function initTfWasm() {
  tfWasmReady ??= initTfWasmOnce();
  const info = await tfWasmReady;
  await tf.setBackend('wasm');
  return info;
}

async function initTfWasmOnce() {
  const require = createRequire(import.meta.url);
  const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + '/';
  const names = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
  // A file map whose lookups are recorded: after setWasmPaths' own completeness check, the one
  // lookup left is the binary the backend actually instantiates.
  const looked = [];
  const map = new Proxy(Object.fromEntries(names.map((n) => [n, distDir + n])), {
    get(target, key) {
      if (typeof key === 'string' && names.includes(key)) looked.push(key);
      return target[key];
    },
  });
  setWasmPaths(map);
  looked.length = 0;
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('TF.js wasm backend failed to initialise');
  const binary = looked.at(-1);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  if (binary !== 'tfjs-backend-wasm-simd.wasm' || !simd) {
    throw new Error(`TF.js wasm loaded ${binary} (SIMD support: ${simd}), not the SIMD build: the comparison would be unfair`);
  }
  return { binary, threads: getThreadsCount() };
}

/** Largest |x - y| relative to the largest |y|. */
export function relDiff(x, y) {
  let d = 0;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / Math.max(s, 1e-30);
}
