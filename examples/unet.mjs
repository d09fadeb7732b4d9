// A graph model (the functional API) on real MNIST: a small U-Net that removes noise, against the
// same encoder-decoder without its skip connections.
//
// Both networks add Gaussian noise to their input while they train, code each digit down to
// 7×7 and back up with strided transposed convolutions; the U-Net also concatenates each
// upsampled map with the encoder's map of the same size (input → layers.concatenate → …), which
// gives the decoder the detail that the 7×7 code loses. Same seed, data, optimizer and epochs;
// judged by the PSNR of held-out digits with noise added before and after denoising.
// Exits non-zero if a bar is missed, so CI checks it.
import { init, input, model, layers, optimizers, tensor, tidy, memory, loadModel } from '../dist/index.js';
import { loadMnist, mulberry32 } from './data/mnist.mjs';
import { gaussianCorrupt, psnrDb } from './lib/noise.mjs';

const STD = 0.4;
const EPOCHS = 5;
const TRAIN = 4000;
// Bars (the run is seeded, so the results are the same bits every time; these sit below them).
const UNET_GAIN_GOAL = 6; // dB over the noisy input
const SKIP_GAIN_GOAL = 1; // dB of the U-Net over the same network without skips

await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const x = tensor(train.x.subarray(0, TRAIN * 784), [TRAIN, 28, 28, 1]);

/** The encoder-decoder, with or without the skip connections. */
function denoiser(skips, seed) {
  const conv = (filters) => layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  const up = (filters) => layers.conv2dTranspose({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' });
  const join = (a, b) => (skips ? layers.concatenate().apply([a, b]) : a);
  const clean = input({ shape: [28, 28, 1] });
  const noisy = layers.gaussianNoise({ stddev: STD }).apply(clean); // training only
  const e1 = conv(8).apply(noisy); // 28×28×8
  const e2 = conv(16).apply(layers.maxPooling2d({}).apply(e1)); // 14×14×16
  const code = conv(16).apply(layers.maxPooling2d({}).apply(e2)); // 7×7×16
  const d2 = conv(16).apply(join(up(16).apply(code), e2)); // 14×14
  const d1 = conv(8).apply(join(up(8).apply(d2), e1)); // 28×28
  const out = layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }).apply(d1);
  return model({ inputs: clean, outputs: out, seed, name: skips ? 'unet' : 'plain' });
}

const noisy = gaussianCorrupt(test.x, mulberry32(7), STD);
const pNoisy = psnrDb(test.x, noisy);
const results = {};
for (const skips of [true, false]) {
  const m = denoiser(skips, 3);
  if (skips) m.summary();
  m.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'binaryCrossentropy' });
  const t0 = performance.now();
  await m.fit(x, x, { epochs: EPOCHS, batchSize: 64, seed: 2, verbose: 0 });
  const secs = (performance.now() - t0) / 1000;
  const denoised = tidy(() => m.predict(tensor(noisy, [test.n, 28, 28, 1]), { batchSize: 256 }).data());
  results[m.name] = psnrDb(test.x, denoised);
  console.log(`${m.name.padEnd(5)} (${m.countParams()} weights, ${EPOCHS} epochs over ${TRAIN} digits in ${secs.toFixed(1)} s): PSNR of ${test.n} held-out digits ${pNoisy.toFixed(2)} dB noisy → ${results[m.name].toFixed(2)} dB denoised`);
  if (skips) {
    // Saved in TF.js's functional format and loaded back: the same outputs, bit for bit.
    const again = await loadModel(await m.toArtifacts());
    const probe = tensor(noisy.subarray(0, 16 * 784), [16, 28, 28, 1]);
    const [a, b] = tidy(() => [m.predict(probe).data(), again.predict(probe).data()]);
    if (!a.every((v, i) => Object.is(v, b[i]))) {
      console.log('FAILED: the loaded U-Net predicts other values');
      process.exitCode = 1;
    }
    probe.dispose();
    again.dispose();
  }
  m.dispose();
}
x.dispose();

const gain = results.unet - pNoisy;
const overPlain = results.unet - results.plain;
console.log(`\nU-Net: +${gain.toFixed(2)} dB over the noisy digits, +${overPlain.toFixed(2)} dB over the same network without skip connections`);
if (!(gain >= UNET_GAIN_GOAL)) {
  console.log(`FAILED: the U-Net gained less than ${UNET_GAIN_GOAL} dB`);
  process.exitCode = 1;
}
if (!(overPlain >= SKIP_GAIN_GOAL)) {
  console.log(`FAILED: the skip connections gained less than ${SKIP_GAIN_GOAL} dB`);
  process.exitCode = 1;
}
console.log(`live tensors at exit: ${memory().numTensors}`);
