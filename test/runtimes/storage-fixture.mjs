// The model artifacts the storage suites save and load (test/browser-storage.test.ts in every
// browser, test/browser-io.test.ts for downloads:// in Chromium): every field TF.js writes, and
// weights whose bytes catch any reordering or re-encoding (−0, a subnormal-adjacent 1e-7, 1e30).
export const WEIGHTS = Array.from(new Uint8Array(new Float32Array([0.1, -2.5, 3.75, 1e-7, -0, 42, 7.125, -1 / 3, 0.3, 1e30, -5, 2]).buffer));
export const ARTIFACTS = {
  modelTopology: { class_name: 'Sequential', config: { name: 'io', layers: [{ class_name: 'Dense', config: { units: 2 } }] }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
  format: 'layers-model',
  generatedBy: 'neurite browser test',
  convertedBy: null,
  weightSpecs: [
    { name: 'dense/kernel', shape: [5, 2], dtype: 'float32' },
    { name: 'dense/bias', shape: [2], dtype: 'float32' },
  ],
  trainingConfig: { loss: 'meanSquaredError' },
  userDefinedMetadata: { epoch: 2 },
};
