// The learned codec of examples/compression.mjs: small seeded autoencoders trained on MNIST
// digits, turned into codecs.learned codecs, and their rate–distortion points (bits per pixel
// from every byte of each one-digit stream, PSNR of the total squared error over the digits).
import { autoencoder, codecs, layers, optimizers, sequential } from '../../dist/index.js';
import { psnr8 } from './pgm.mjs';

/**
 * Trains 784 → `hidden` (relu) → `codeSize` (linear) → `hidden` (relu) → 784 (sigmoid),
 * seeded, binary cross-entropy, Adam. Gaussian noise on the code in training only (the
 * decoder's first layer, identity at inference) stands in for the quantisation error, so
 * the decoder learns to tolerate it.
 *
 * Every model is seeded: the encoder with `seed`, the decoder with `seed + 1` (each declares
 * its input shape, so each builds its weights with its own seed), the autoencoder and `fit`
 * with `seed` (the shuffles and the noise). Unseeded parts would draw their seeds from the
 * global generator, so their weights would depend on how many unseeded models and random
 * calls the program made before (the second autoencoder's differed from the same one trained
 * alone) — the README's numbers could not be reproduced from the recipe alone.
 *
 * The code is linear, quantised over each unit's range on the training set: a sigmoid code
 * layer stalled at the mean digit (loss 0.263, 11.7 dB) in every seeded run we tried here
 * (Adam 5e-4 to 2e-3, with or without the noise; TF.js's layers stall the same way on this
 * architecture, loss 0.263 after 3 epochs, while a relu code trains).
 */
export async function trainCodeAe(xTrain, { codeSize, epochs = 8, seed = 1, hidden = 128, noise = 0.01, code = 'linear', learningRate = 2e-3 }) {
  const encoder = sequential({ seed, layers: [
    layers.dense({ inputShape: [784], units: hidden, activation: 'relu' }),
    layers.dense({ units: codeSize, activation: code }),
  ] });
  const decoder = sequential({ seed: seed + 1, layers: [
    layers.gaussianNoise({ inputShape: [codeSize], stddev: noise }),
    layers.dense({ units: hidden, activation: 'relu' }),
    layers.dense({ units: 784, activation: 'sigmoid' }),
  ] });
  const ae = autoencoder({ encoder, decoder, seed });
  ae.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'binaryCrossentropy' });
  await ae.fit(xTrain, { epochs, batchSize: 64, seed, verbose: 0 });
  return ae;
}

/** `{ bpp, psnr, bytes }` of `codec` on `digits` (GrayImages), one stream per digit. */
export function learnedPoint(codec, digits) {
  let bytes = 0;
  const px = digits[0].data.length;
  const all = new Uint8Array(digits.length * px), back = new Uint8Array(digits.length * px);
  digits.forEach((d, i) => {
    const e = codec.encode(d);
    bytes += e.length;
    all.set(d.data, i * px);
    back.set(codec.decode(e).data, i * px);
  });
  return { bpp: (8 * bytes) / all.length, psnr: psnr8(all, back), bytes };
}

/** The points no other point beats (lower or equal rate and higher PSNR), by rate. */
export function paretoFront(points) {
  const sorted = [...points].sort((a, b) => a.bpp - b.bpp || b.psnr - a.psnr);
  const out = [];
  for (const p of sorted) if (!out.length || p.psnr > out.at(-1).psnr) out.push(p);
  return out;
}

/**
 * Trains one autoencoder per code size and measures each at every `bits`; returns all points
 * (`{ label, codeSize, bits, bpp, psnr, sample }`, `sample` = `digits[0]` through the codec)
 * and the seconds spent training.
 */
export async function learnedCurve(xTrain, digits, { codeSizes = [16, 64], bits = [2, 3, 4, 5, 6, 8], epochs = 16 } = {}) {
  const points = [];
  let seconds = 0;
  for (const codeSize of codeSizes) {
    const t0 = performance.now();
    const ae = await trainCodeAe(xTrain, { codeSize, epochs });
    seconds += (performance.now() - t0) / 1e3;
    for (const b of bits) {
      const codec = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: b, data: xTrain, range: 'data' });
      const sample = codec.encode(digits[0]);
      points.push({ label: `k${codeSize}/${b}b`, codeSize, bits: b, ...learnedPoint(codec, digits), sample: { bytes: sample.length, data: codec.decode(sample).data } });
      codec.dispose();
    }
    ae.dispose();
  }
  return { points, seconds };
}
