// A denoising 1-D convolutional autoencoder: strided conv1d down, conv1dTranspose (Keras 3's
// Conv1DTranspose) back up, trained to map noisy sines to the clean ones; held-out signals
// (other frequencies, phases, amplitudes and noise) are denoised and the noise removed is
// reported in dB: 10·log10(MSE(noisy, clean) / MSE(denoised, clean)).
// Then the Keras way without learned upsampling on signals of an odd length (63 steps):
// zeroPadding1d to 64, conv1d + maxPooling1d down, upSampling1d + conv1d back up, cropping1d
// to 63 (Keras 3's ZeroPadding1D, UpSampling1D and Cropping1D).
// The classical baseline for comparison: hard thresholding in the DCT domain (compression.dct
// forward1d/inverse1d, any length, here 63) at Donoho and Johnstone's universal threshold.
// Bar (exits non-zero if missed): at least 6 dB of the noise removed on the held-out signals
// by each model, and the models saved and loaded predict the same bits.
import { init, sequential, layers, optimizers, tensor, tidy, loadModel, memory, compression, abs, greaterEqual, where, zerosLike } from '../dist/index.js';

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

// The Keras way on 63 steps: pooling down, upSampling1d back up, the odd step padded and cropped.
const odd = (t) => t.slice([0, 0, 0], [-1, STEPS - 1, -1]);
const [trainOdd, testOdd] = [train, test].map((d) => ({ clean: odd(d.clean), noisy: odd(d.noisy) }));
const pooled = sequential({
  seed: 1,
  layers: [
    layers.zeroPadding1d({ inputShape: [STEPS - 1, 1], padding: [0, 1] }), // 63 → 64
    layers.conv1d({ filters: 16, kernelSize: 7, padding: 'same', activation: 'relu' }),
    layers.maxPooling1d({ poolSize: 2 }), // 64 → 32
    layers.conv1d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
    layers.maxPooling1d({ poolSize: 2 }), // 32 → 16
    layers.upSampling1d({ size: 2 }), // 16 → 32
    layers.conv1d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
    layers.upSampling1d({ size: 2 }), // 32 → 64
    layers.conv1d({ filters: 1, kernelSize: 7, padding: 'same' }),
    layers.cropping1d({ cropping: [0, 1] }), // 64 → 63
  ],
});
pooled.compile({ optimizer: optimizers.adam({ learningRate: 0.003 }), loss: 'meanSquaredError' });
const t1 = performance.now();
const h2 = (await pooled.fit(trainOdd.noisy, trainOdd.clean, { epochs: 25, batchSize: 32, verbose: 0 })).history;
console.log(`maxPooling1d/upSampling1d on ${STEPS - 1} steps: trained 25 epochs in ${((performance.now() - t1) / 1000).toFixed(1)} s: loss ${h2.loss[0].toFixed(4)} → ${h2.loss.at(-1).toFixed(4)}`);
const denoisedOdd = pooled.predict(testOdd.noisy);
const [beforeOdd, afterOdd] = [mse(testOdd.noisy, testOdd.clean), mse(denoisedOdd, testOdd.clean)];
const removedOdd = 10 * Math.log10(beforeOdd / afterOdd);
console.log(`held-out signals of ${STEPS - 1} steps: noise MSE ${beforeOdd.toFixed(4)} → ${afterOdd.toFixed(4)}: ${removedOdd.toFixed(2)} dB of the noise removed`);
const backOdd = await loadModel(await pooled.toArtifacts());
const againOdd = backOdd.predict(testOdd.noisy);
const sameOdd = tidy(() => againOdd.dataSync().every((v, i) => Object.is(v, denoisedOdd.dataSync()[i])));
console.log(`saved and loaded (Keras 3's ZeroPadding1D, UpSampling1D, Cropping1D classes): ${sameOdd ? 'the same bits' : 'DIFFERENT values'}`);

// The baseline: an orthonormal DCT keeps white noise white (σ = NOISE on every coefficient),
// while the sines gather in a few coefficients; zero those below σ·√(2 ln n) and transform back.
const threshold = NOISE * Math.sqrt(2 * Math.log(STEPS - 1));
const thresholded = tidy(() => {
  const c = compression.dct.forward1d(testOdd.noisy.squeeze([2]));
  return compression.dct.inverse1d(where(greaterEqual(abs(c), threshold), c, zerosLike(c))).expandDims(2);
});
const removedDct = 10 * Math.log10(beforeOdd / mse(thresholded, testOdd.clean));
console.log(`baseline, DCT hard thresholding at σ√(2 ln n) = ${threshold.toFixed(2)} on the same ${STEPS - 1} steps: ${removedDct.toFixed(2)} dB of the noise removed`);
thresholded.dispose();

for (const t of [train.clean, train.noisy, test.clean, test.noisy, denoised, again, ae, back]) t.dispose();
for (const t of [trainOdd.clean, trainOdd.noisy, testOdd.clean, testOdd.noisy, denoisedOdd, againOdd, pooled, backOdd]) t.dispose();
const left = memory().numTensors;
if (removed < 6 || removedOdd < 6 || !same || !sameOdd || left !== 0) {
  console.error(`bar missed: ${removed.toFixed(2)} and ${removedOdd.toFixed(2)} dB removed (want ≥ 6 each), reload ${same && sameOdd ? 'same' : 'different'}, ${left} tensors left`);
  process.exit(1);
}
