// Convolutional networks on real MNIST, on the demo's seeded 8,000/2,000 split:
//   1. a classifier: conv 3×3×16 → max pool → conv 3×3×32 → max pool → dense 10 softmax, five
//      epochs of Adam, against the demo's MLP (95.9 % after 25 epochs);
//   2. a convolutional denoising autoencoder: Gaussian noise on the input during training,
//      conv + max pool down to 7×7×8, strided conv2dTranspose back up, judged by the PSNR of
//      held-out digits with noise added before and after denoising;
//   3. the classifier with its second convolution made depthwise-separable (MobileNet's block:
//      a 3×3 depthwiseConv2d per channel, then a 1×1 convolution to 32 channels), against the
//      first's accuracy with a fraction of that layer's weights.
// Exits non-zero if a bar is missed, so CI checks it.
import { init, tensor, sequential, layers, optimizers, memory, tidy } from '../dist/index.js';
import { loadMnist, mulberry32 } from './data/mnist.mjs';
import { gaussianCorrupt, psnrDb } from './lib/noise.mjs';

const ACCURACY_GOAL = 0.96;
const SEPARABLE_ACCURACY_GOAL = 0.95;
const PSNR_GAIN_GOAL = 3.5; // dB over the noisy input
await init();
const { train, test } = loadMnist({ trainSize: 8000, seed: 1 });
const xTrain = tensor(train.x, [train.n, 28, 28, 1]);
const yTrain = tensor(train.y, [train.n, 10]);
const xTest = tensor(test.x, [test.n, 28, 28, 1]);
const yTest = tensor(test.y, [test.n, 10]);
let failed = false;

// ---------- 1. classifier ----------
const cnn = sequential({
  seed: 1,
  layers: [
    layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
cnn.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
cnn.summary();
let t0 = performance.now();
const EPOCHS = 5;
await cnn.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 64, seed: 1, verbose: 1 });
const secs = (performance.now() - t0) / 1000;
const acc = tidy(() => cnn.evaluate(xTest, yTest, { batchSize: 256 })[1].item());
console.log(`\nCNN: test accuracy ${(acc * 100).toFixed(2)}% on ${test.n} held-out digits after ${EPOCHS} epochs (${cnn.countParams()} weights), ${Math.round((EPOCHS * train.n) / secs)} samples/s`);
if (!(acc >= ACCURACY_GOAL)) {
  console.log(`FAILED: accuracy below the goal of ${ACCURACY_GOAL * 100}%`);
  failed = true;
}

// ---------- 2. convolutional denoising autoencoder ----------
const STD = 0.4;
const denoiser = sequential({
  seed: 2,
  layers: [
    layers.gaussianNoise({ inputShape: [28, 28, 1], stddev: STD }), // training only
    layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.maxPooling2d({}), // 14×14
    layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.maxPooling2d({}), // 7×7×8: the code
    layers.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), // 14×14
    layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), // 28×28
    layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
  ],
});
denoiser.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'binaryCrossentropy' });
t0 = performance.now();
const AE_EPOCHS = 4;
const xAe = xTrain.slice([0, 0, 0, 0], [4000, 28, 28, 1]);
await denoiser.fit(xAe, xAe, { epochs: AE_EPOCHS, batchSize: 64, seed: 2, verbose: 0 });
const aeSecs = (performance.now() - t0) / 1000;

// Held-out digits with the same noise (a seeded N(0, STD²), clipped to [0, 1]).
const noisy = gaussianCorrupt(test.x, mulberry32(7), STD);
const denoised = tidy(() => denoiser.predict(tensor(noisy, [test.n, 28, 28, 1]), { batchSize: 256 }).data());
const [pNoisy, pDenoised] = [psnrDb(test.x, noisy), psnrDb(test.x, denoised)];
console.log(`denoising autoencoder (code 7×7×8 = 392 values, ${denoiser.countParams()} weights, ${AE_EPOCHS} epochs over 4,000 digits in ${aeSecs.toFixed(1)} s): PSNR of held-out digits ${pNoisy.toFixed(2)} dB noisy → ${pDenoised.toFixed(2)} dB denoised`);
if (!(pDenoised - pNoisy >= PSNR_GAIN_GOAL)) {
  console.log(`FAILED: denoising gained less than ${PSNR_GAIN_GOAL} dB`);
  failed = true;
}

// ---------- 3. the classifier with a depthwise-separable second convolution ----------
const separable = sequential({
  seed: 1,
  layers: [
    layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }),
    layers.maxPooling2d({ poolSize: 2 }),
    layers.separableConv2d({ filters: 32, kernelSize: 3, activation: 'relu' }), // 3·3·16 + 16·32 weights (+ 32 biases)
    layers.maxPooling2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
separable.compile({ optimizer: optimizers.adam({ learningRate: 2e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
t0 = performance.now();
await separable.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 64, seed: 1, verbose: 0 });
const sepSecs = (performance.now() - t0) / 1000;
const sepAcc = tidy(() => separable.evaluate(xTest, yTest, { batchSize: 256 })[1].item());
const [convW, sepW] = [cnn.layers[2].countParams(), separable.layers[2].countParams()];
console.log(`separable CNN: test accuracy ${(sepAcc * 100).toFixed(2)}% after ${EPOCHS} epochs; its second convolution has ${sepW} weights against conv2d's ${convW} (${(convW / sepW).toFixed(1)}× fewer), ${Math.round((EPOCHS * train.n) / sepSecs)} samples/s`);
if (!(sepAcc >= SEPARABLE_ACCURACY_GOAL)) {
  console.log(`FAILED: the separable CNN's accuracy is below the goal of ${SEPARABLE_ACCURACY_GOAL * 100}%`);
  failed = true;
}

for (const t of [xTrain, yTrain, xTest, yTest, xAe]) t.dispose();
separable.dispose();
cnn.dispose();
denoiser.dispose();
console.log(`live tensors at exit: ${memory().numTensors}`);
if (failed) process.exit(1);
