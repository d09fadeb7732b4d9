// A denoising 1-D convolutional autoencoder: strided conv1d down, conv1dTranspose (Keras 3's
// Conv1DTranspose) back up, trained to map noisy sines to the clean ones; held-out signals
// (other frequencies, phases, amplitudes and noise) are denoised and the noise removed is
// reported in dB: 10·log10(MSE(noisy, clean) / MSE(denoised, clean)).
// Bar (exits non-zero if missed): at least 6 dB of the noise removed on the held-out signals,
// and the model saved and loaded predicts the same bits.
import { init, sequential, layers, optimizers, tensor, tidy, loadModel, memory } from '../dist/index.js';

await init();
const STEPS = 64;
const NOISE = 0.35;

/** `n` sines of STEPS steps (random frequency, phase and amplitude) and their noisy copies, from a seeded generator. */
function signals(n, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (s + 0x6d2b79f5) >>> 0), (((s ^ (s >>> 15)) * (1 | s)) >>> 0) / 4294967296);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const clean = new Float32Array(n * STEPS);
  const noisy = new Float32Array(n * STEPS);
  for (let i = 0; i < n; i++) {
    const [f, p, a] = [0.05 + 0.25 * rand(), 2 * Math.PI * rand(), 0.5 + 0.5 * rand()];
    for (let t = 0; t < STEPS; t++) {
      const v = a * Math.sin(f * t + p) + 0.3 * a * Math.sin(2.3 * f * t);
      clean[i * STEPS + t] = v;
      noisy[i * STEPS + t] = v + NOISE * gauss();
    }
  }
  return { clean: tensor(clean, [n, STEPS, 1]), noisy: tensor(noisy, [n, STEPS, 1]) };
}

const train = signals(1024, 1);
const test = signals(256, 2);
const ae = sequential({
  seed: 1,
  layers: [
    layers.conv1d({ inputShape: [STEPS, 1], filters: 16, kernelSize: 7, strides: 2, padding: 'same', activation: 'relu' }), // 64 → 32
    layers.conv1d({ filters: 16, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }), // 32 → 16
    layers.conv1dTranspose({ filters: 16, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' }), // 16 → 32
    layers.conv1dTranspose({ filters: 1, kernelSize: 7, strides: 2, padding: 'same' }), // 32 → 64
  ],
});
ae.summary();
ae.compile({ optimizer: optimizers.adam({ learningRate: 0.003 }), loss: 'meanSquaredError' });
const t0 = performance.now();
const { history } = await ae.fit(train.noisy, train.clean, { epochs: 25, batchSize: 32, verbose: 0 });
console.log(`trained 25 epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s: loss ${history.loss[0].toFixed(4)} → ${history.loss.at(-1).toFixed(4)}`);

const mse = (a, b) => tidy(() => a.sub(b).square().mean().dataSync()[0]);
const denoised = ae.predict(test.noisy);
const before = mse(test.noisy, test.clean);
const after = mse(denoised, test.clean);
const removed = 10 * Math.log10(before / after);
console.log(`held-out signals: noise MSE ${before.toFixed(4)} → ${after.toFixed(4)} after denoising: ${removed.toFixed(2)} dB of the noise removed`);

// Saved (Keras 3's Conv1DTranspose class in a TF.js Layers file) and loaded, it predicts the same bits.
const back = await loadModel(await ae.toArtifacts());
const again = back.predict(test.noisy);
const same = tidy(() => again.dataSync().every((v, i) => Object.is(v, denoised.dataSync()[i])));
console.log(`saved and loaded: ${same ? 'the same bits' : 'DIFFERENT values'}`);

for (const t of [train.clean, train.noisy, test.clean, test.noisy, denoised, again, ae, back]) t.dispose();
const left = memory().numTensors;
if (removed < 6 || !same || left !== 0) {
  console.error(`bar missed: ${removed.toFixed(2)} dB removed (want ≥ 6), reload ${same ? 'same' : 'different'}, ${left} tensors left`);
  process.exit(1);
}
