/**
 * `codecs.learned` (issue 10, "Learned compression"): an autoencoder trained (seeded) on real
 * MNIST digits as a codec. The stream decodes to exactly decoder(quantised code); the rate
 * counts every byte; PSNR grows with bits; malformed streams and bad arguments throw
 * InvalidArgumentErrors naming the codec; mutated streams never escape as anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detached, expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './compression-helpers.js';
import { crc32 } from '../ts/compression/crc32.js';
import { descriptionCrc } from '../ts/compression/codecs/learned.js';
import * as zlib from 'node:zlib';

const { codecs, InvalidArgumentError, DisposedError } = nr;
type Img = nr.codecs.GrayImage;

const { loadMnist } = (await import('../examples/data/mnist.mjs' as string)) as {
  loadMnist: (o: { trainSize: number; seed: number }) => { train: { x: Float32Array }; test: { x: Float32Array } };
};
const mnist = loadMnist({ trainSize: 8000, seed: 1 });
const N_TRAIN = 2000;
const xTrain = nr.tensor(mnist.train.x.subarray(0, 784 * N_TRAIN), [N_TRAIN, 784]);
const digits: Img[] = Array.from({ length: 100 }, (_, i) => ({
  data: Uint8Array.from(mnist.test.x.subarray(784 * i, 784 * (i + 1)), (v) => Math.round(v * 255)),
  width: 28,
  height: 28,
}));

async function train(codeSize: number, seed = 1, epochs = 3): Promise<nr.Autoencoder> {
  // The parts declare their input shapes, so each is built with its own seed (0 for both: the
  // weights this test was tuned on); the autoencoder's seed chooses the shuffles.
  const encoder = nr.sequential({ seed: 0, layers: [nr.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }), nr.layers.dense({ units: codeSize })] });
  const decoder = nr.sequential({ seed: 0, layers: [nr.layers.dense({ inputShape: [codeSize], units: 64, activation: 'relu' }), nr.layers.dense({ units: 784, activation: 'sigmoid' })] });
  const ae = nr.autoencoder({ encoder, decoder, seed });
  ae.compile({ optimizer: nr.optimizers.adam({ learningRate: 3e-3 }), loss: 'binaryCrossentropy' });
  await ae.fit(xTrain, { epochs, batchSize: 64, seed, verbose: 0 });
  return ae;
}

/** decoder(quantised encoder(x)) as bytes, computed here without the codec. */
function reference(ae: nr.Autoencoder, codec: nr.codecs.LearnedCodec, images: Img[]): Uint8Array[] {
  const L1 = 2 ** codec.bits - 1;
  return nr.tidy(() => {
    const x = nr.tensor(Float32Array.from(images.flatMap((im) => Array.from(im.data, (v) => v / 255))), [images.length, 784]);
    const z = ae.encode(x).dataSync();
    const k = codec.codeSize;
    const zq = new Float32Array(z.length);
    for (let i = 0; i < z.length; i++) {
      const lo = codec.ranges[2 * (i % k)], hi = codec.ranges[2 * (i % k) + 1];
      const q = Math.min(L1, Math.max(0, Math.round(((z[i] - lo) / (hi - lo)) * L1)));
      zq[i] = lo + ((hi - lo) * q) / L1;
    }
    const y = ae.decode(nr.tensor(zq, [images.length, k])).dataSync();
    return images.map((_, i) => Uint8Array.from(y.subarray(784 * i, 784 * (i + 1)), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
  });
}

/**
 * The codec's fingerprint, from its definition in learned.ts: the CRC-32 of the CRC-32 of its
 * probability tables (xTrain's symbol counts + 1, scaled to 2^16, cumulative, uint32), the
 * code's shape (uint32), the ranges (float64), the decoder's weight sizes (uint32) and values
 * (float32, in getWeights() order), all little-endian; 4 bytes, little-endian.
 */
function fingerprint(ae: nr.Autoencoder, codec: nr.codecs.LearnedCodec): Uint8Array {
  const L = 2 ** codec.bits, L1 = L - 1, k = codec.codeSize;
  const z = nr.tidy(() => ae.encode(xTrain).dataSync());
  const cum = new Uint32Array(k * (L + 1));
  for (let j = 0; j < k; j++) {
    const lo = codec.ranges[2 * j], hi = codec.ranges[2 * j + 1];
    const counts = new Array<number>(L).fill(0);
    for (let i = j; i < z.length; i += k) counts[Math.min(L1, Math.max(0, Math.round(((z[i] - lo) / (hi - lo)) * L1)))]++;
    for (let q = 0; q < L; q++) cum[j * (L + 1) + q + 1] = cum[j * (L + 1) + q] + 1 + Math.floor((counts[q] * (65536 - L)) / N_TRAIN);
  }
  const le = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const bytes = (a: Float32Array | Float64Array | Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const weights = ae.decoder.getWeights();
  const parts = [le(crc32([bytes(cum)])), bytes(Uint32Array.of(k)), bytes(codec.ranges), bytes(Uint32Array.from(weights, (w) => w.size)), ...weights.map((w) => bytes(w.dataSync()))];
  weights.forEach((w) => w.dispose());
  return le(crc32(parts));
}

function throwsInvalid(f: () => unknown, msg: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, `expected an InvalidArgumentError matching ${msg}`).toBeInstanceOf(InvalidArgumentError);
  expect((err as Error).message).toMatch(msg);
}

/** What the pinned training of the README recipe gives on this build (see its test; 14.40 dB: past the mean digit's 11.7). */
const PINNED_TRAINING = { crc: '75e4c2e5', bytes: 900, psnr: '14.4003' };

let ae16: nr.Autoencoder;
let ae8: nr.Autoencoder;
beforeAll(async () => {
  ae16 = await train(16);
  ae8 = await train(8);
}, 120_000);
afterAll(() => {
  ae16.dispose();
  ae8.dispose();
  xTrain.dispose();
});

describe('codecs.learned: round trip and rate', () => {
  it('decode(encode(x)) is exactly decoder(quantised code), for one image and for batches, at 1..8 bits', () => {
    for (const bits of [1, 2, 4, 6, 8]) {
      for (const range of [[0, 1], 'data'] as Array<[number, number] | 'data'>) {
        const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits, data: xTrain, range });
        const want = reference(ae16, codec, digits);
        const batch = expectNoLeak(() => codec.decodeBatch(codec.encode(digits)));
        expect(Array.isArray(batch)).toBe(true);
        expect(batch.length).toBe(digits.length);
        batch.forEach((im, i) => {
          expect(im.width).toBe(28);
          expect(im.height).toBe(28);
          expect(Buffer.compare(im.data, want[i]), `bits ${bits}, range ${range}, image ${i}`).toBe(0);
        });
        for (const i of [0, 7, 99]) {
          const one: Img = codec.decode(codec.encode(digits[i]));
          expect(Array.isArray(one)).toBe(false);
          expect(Buffer.compare(one.data, want[i])).toBe(0);
        }
        codec.dispose();
      }
    }
  });

  it('create({ encoder, decoder }) gives the same streams as fromAutoencoder, and owns only the model it made', () => {
    const a = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4, range: [0, 1], data: xTrain });
    const b = codecs.learned.create({ encoder: ae16.encoder, decoder: ae16.decoder, imageShape: [28, 28], bits: 4, range: [0, 1], data: xTrain });
    expect(Buffer.compare(a.encode(digits), b.encode(digits))).toBe(0);
    b.dispose();
    // The shared layers live on in ae16.
    expect(Buffer.compare(a.encode(digits), a.encode(digits))).toBe(0);
    expect(() => b.encode(digits[0])).toThrow(DisposedError);
    a.dispose();
    a.dispose(); // idempotent
    expect(ae16.isDisposed).toBe(false);
  });

  it('the stream is a 13-byte header (magic, version, bits, h, w, code size, count, length, CRC-32) plus the payload, and bpp counts all of it', () => {
    const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 5, range: [0, 1], data: xTrain });
    const fp = fingerprint(ae16, codec);
    for (const d of digits.slice(0, 20)) {
      const s = codec.encode(d);
      expect(Array.from(s.subarray(0, 8))).toEqual([0x4e, 0x4c, 3, 5, 28, 28, 16, 2]);
      expect(s[8]).toBe(s.length - 13);
      // The CRC-32 of the header before it, the payload and the codec's fingerprint.
      expect(s.subarray(9, 13).reduce((a, b, i) => a + b * 2 ** (8 * i), 0)).toBe(crc32([s.subarray(0, 9), s.subarray(13), fp]));
      expect(codecs.bitsPerPixel(s, d)).toBe((8 * s.length) / 784);
    }
    const many = codec.encode(digits);
    expect(Array.from(many.subarray(0, 7))).toEqual([0x4e, 0x4c, 3, 5, 28, 28, 16]);
    expect(Array.from(many.subarray(7, 9))).toEqual([0xc9, 0x01]); // count: varint of 2 · 100 + 1 (an array)
    // A batch's rate: the pixels of all its images (one image's size gave 100× the rate).
    expect(codecs.bitsPerPixel(many, digits)).toBe((8 * many.length) / (784 * digits.length));
    codec.dispose();
  });

  it('without data every symbol costs its bits; the learned tables spend fewer bytes than that', () => {
    const flat = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4 });
    const fitted = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4, range: [0, 1], data: xTrain });
    const uniform = flat.encode(digits);
    // 100 × 16 symbols × 4 bits = 800 bytes, + 2 termination bits, trailing zero bytes dropped.
    const header = 15; // 7 bytes, count and payload length (2-byte varints each), CRC-32
    expect(uniform.length - header).toBeGreaterThanOrEqual(790);
    expect(uniform.length - header).toBeLessThanOrEqual(801);
    const learned = fitted.encode(digits);
    expect(learned.length).toBeLessThan(0.85 * uniform.length);
    // Same quantiser (range [0, 1]): same images back.
    const [a, b] = [flat.decodeBatch(uniform), fitted.decodeBatch(learned)];
    a.forEach((im, i) => expect(Buffer.compare(im.data, b[i].data)).toBe(0));
    flat.dispose();
    fitted.dispose();
  });

  it('the arithmetic coder spends the ideal code length of its tables (counts + 1, scaled to 2^16) to within 0.2 % + 24 bits', () => {
    for (const bits of [2, 5, 8]) {
      const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits, data: xTrain, range: 'data' });
      const L = 2 ** bits, L1 = L - 1, k = codec.codeSize;
      const q = (z: Float32Array) => Array.from(z, (v, i) => {
        const lo = codec.ranges[2 * (i % k)], hi = codec.ranges[2 * (i % k) + 1];
        return Math.min(L1, Math.max(0, Math.round(((v - lo) / (hi - lo)) * L1)));
      });
      const train = q(nr.tidy(() => ae16.encode(xTrain).dataSync()));
      const freq = Array.from({ length: k }, (_, j) => {
        const c = new Array(L).fill(0);
        for (let i = j; i < train.length; i += k) c[train[i]]++;
        return c.map((v) => 1 + Math.floor((v * (65536 - L)) / N_TRAIN));
      });
      const totals = freq.map((f) => f.reduce((a, b) => a + b, 0));
      const x = nr.tensor(Float32Array.from(digits.flatMap((d) => Array.from(d.data, (v) => v / 255))), [digits.length, 784]);
      const held = q(nr.tidy(() => ae16.encode(x).dataSync()));
      x.dispose();
      let ideal = 0;
      held.forEach((s, i) => (ideal -= Math.log2(freq[i % k][s] / totals[i % k])));
      const stream = codec.encode(digits);
      // Header: 7 bytes, count (2-byte varint for 100 images), payload length (varint), check.
      let at = 9, len = 0, shift = 0;
      for (;;) { const b = stream[at++]; len += (b & 0x7f) * 2 ** shift; shift += 7; if (b < 0x80) break; }
      at += 4; // CRC-32
      expect(stream.length - at).toBe(len);
      expect(8 * len, `bits ${bits}: payload ${8 * len} bits, ideal ${ideal.toFixed(1)}`).toBeLessThanOrEqual(ideal * 1.002 + 24);
      expect(8 * len).toBeGreaterThanOrEqual(ideal * 0.998 - 24);
      codec.dispose();
    }
  });

  it('PSNR (the library psnr) grows with bits on held-out digits, and the rate with it', () => {
    const x = nr.tensor(Float32Array.from(digits.flatMap((d) => Array.from(d.data))), [digits.length, 784]);
    let prev = { psnr: -Infinity, bytes: 0 };
    for (const bits of [1, 2, 3, 4, 5, 6]) {
      const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits, data: xTrain, range: 'data' });
      const bytes = codec.encode(digits);
      const back = codec.decodeBatch(bytes);
      const y = nr.tensor(Float32Array.from(back.flatMap((d) => Array.from(d.data))), [digits.length, 784]);
      const p = nr.tidy(() => nr.mean(nr.psnr(x, y, { maxValue: 255, imageShape: [28, 28] })).item());
      y.dispose();
      codec.dispose();
      expect(p, `bits ${bits}`).toBeGreaterThan(prev.psnr);
      expect(bytes.length, `bits ${bits}`).toBeGreaterThan(prev.bytes);
      prev = { psnr: p, bytes: bytes.length };
    }
    expect(prev.psnr).toBeGreaterThan(13); // the mean digit alone gives 11.7 dB
    x.dispose();
  });

  it('is deterministic: same seed, same training, same streams; another seed, other streams', async () => {
    const again = await train(16);
    const other = await train(16, 2);
    const codecOf = (ae: nr.Autoencoder) => codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 4, range: [0, 1], data: xTrain });
    const [a, b, c] = [ae16, again, other].map(codecOf);
    const s = a.encode(digits);
    expect(Buffer.compare(s, b.encode(digits))).toBe(0);
    expect(Buffer.compare(s, a.encode(digits))).toBe(0);
    expect(Buffer.compare(s, c.encode(digits))).not.toBe(0);
    for (const x of [a, b, c, again, other]) x.dispose();
  }, 120_000);

  // The README's learned-codec numbers come from seeded training (examples/lib/learned-rd.mjs):
  // a reviewer saw 0.15 dB less. Training is bit-identical at 1 and 2 threads; this pins a small
  // run of the README's recipe (every model seeded; 4 epochs on 2,000 digits) to the bits of the
  // build the numbers were measured with. A change here means training changed: re-measure the
  // README's table ("Compression: the learned codec on MNIST") and update the pin with it.
  it('seeded training of the README recipe is bit-identical at 1 and 2 threads, and pinned', async () => {
    const start = nr.threads().count;
    const runs: Array<{ crc: string; bytes: number; psnr: string }> = [];
    try {
      for (const threads of [1, 2]) {
        await nr.init({ threads });
        const encoder = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), nr.layers.dense({ units: 16 })] });
        const decoder = nr.sequential({ seed: 2, layers: [nr.layers.gaussianNoise({ inputShape: [16], stddev: 0.01 }), nr.layers.dense({ units: 128, activation: 'relu' }), nr.layers.dense({ units: 784, activation: 'sigmoid' })] });
        const ae = nr.autoencoder({ encoder, decoder, seed: 1 });
        ae.compile({ optimizer: nr.optimizers.adam({ learningRate: 2e-3 }), loss: 'binaryCrossentropy' });
        await ae.fit(xTrain, { epochs: 4, batchSize: 64, seed: 1, verbose: 0 });
        const codec = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 5, range: 'data', data: xTrain });
        const stream = codec.encode(digits);
        const back = codec.decodeBatch(stream);
        let se = 0;
        digits.forEach((d, i) => d.data.forEach((v, j) => (se += (v - back[i]!.data[j]!) ** 2)));
        runs.push({ crc: crc32([stream]).toString(16), bytes: stream.length, psnr: (10 * Math.log10((255 * 255) / (se / (784 * digits.length)))).toFixed(4) });
        codec.dispose();
        for (const m of [ae, encoder, decoder]) m.dispose();
      }
    } finally {
      await nr.init({ threads: start });
    }
    expect(runs[1], 'two threads against one').toEqual(runs[0]);
    expect(runs[0], 'training changed: re-measure the README table and update this pin').toEqual(PINNED_TRAINING);
  }, 120_000);

  it('an empty batch round-trips to an empty array', () => {
    const codec = codecs.learned.fromAutoencoder(ae8, { imageShape: [28, 28], bits: 3 });
    expect(codec.decodeBatch(codec.encode([]))).toEqual([]);
    codec.dispose();
  });

  it('decode gives the image of a stream of one and refuses a batch, pointing at decodeBatch; decodeBatch reads both', () => {
    const codec = codecs.learned.fromAutoencoder(ae8, { imageShape: [28, 28], bits: 3 });
    const one = codec.encode(digits[0]);
    const image: Img = codec.decode(one);
    expect(image.width).toBe(28);
    const [again, ...rest] = codec.decodeBatch(one);
    expect(rest).toEqual([]);
    expect(Buffer.compare(again.data, image.data)).toBe(0);
    const msg = (n: number) => `codecs.learned.decode: the stream holds a batch of ${n} image${n === 1 ? '' : 's'} (from encode([...])); decode it with codec.decodeBatch(bytes)`;
    throwsInvalid(() => codec.decode(codec.encode(digits.slice(0, 3))), new RegExp(`^${msg(3).replace(/[.()[\]]/g, '\\$&')}$`));
    throwsInvalid(() => codec.decode(codec.encode([digits[0]])), new RegExp(`^${msg(1).replace(/[.()[\]]/g, '\\$&')}$`));
    throwsInvalid(() => codec.decode(codec.encode([])), /^codecs\.learned\.decode: the stream holds a batch of 0 images/);
    throwsInvalid(() => codec.decodeBatch(Uint8Array.of(1, 2, 3, 4)), /^codecs\.learned\.decodeBatch: wrong magic/);
    codec.dispose();
  });
});

// A break-testing report: after more training, or setWeights, an old stream still decoded, to
// another image. The stream's CRC-32 now covers a fingerprint of the decoder's weights (read at
// each encode and decode), the ranges and the tables, with no byte added.
describe('codecs.learned: a stream decodes only with the model it was encoded with', () => {
  const otherModel = /^codecs\.learned\.decode: CRC-32 mismatch \(.*\): the stream is damaged, or was encoded with different model weights/;

  it('other decoder weights (setWeights, one value changed, more training) fail the check instead of giving another image', async () => {
    const ae = await train(8, 5, 1);
    const codec = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 4, range: 'data', data: xTrain });
    const s = codec.encode(digits[0]);
    const image = codec.decode(s);
    const saved = ae.decoder.getWeights();
    const zeros = saved.map((w) => nr.zerosLike(w));
    ae.decoder.setWeights(zeros);
    throwsInvalid(() => codec.decode(s), otherModel);
    const nudged = saved.map((w, i) => {
      const v = w.dataSync().slice();
      if (i === saved.length - 1) v[3] += 1e-3;
      return nr.tensor(v, w.shape);
    });
    ae.decoder.setWeights(nudged);
    throwsInvalid(() => codec.decode(s), otherModel);
    // The weights back: the same image.
    ae.decoder.setWeights(saved);
    expect(Buffer.compare(codec.decode(s).data, image.data)).toBe(0);
    await ae.fit(xTrain, { epochs: 1, batchSize: 64, seed: 1, verbose: 0 });
    throwsInvalid(() => codec.decodeBatch(s), /^codecs\.learned\.decodeBatch: CRC-32 mismatch .*different model weights/);
    // A stream of the trained model decodes with it.
    expect(codec.decode(codec.encode(digits[0])).width).toBe(28);
    for (const t of [...saved, ...zeros, ...nudged]) t.dispose();
    codec.dispose();
    ae.dispose();
  });

  it('another codec decodes a stream if its weights, ranges and tables are the same, and refuses it if not', () => {
    const opts = { imageShape: [28, 28] as [number, number], bits: 4, range: [0, 1] as [number, number], data: xTrain };
    const a = codecs.learned.fromAutoencoder(ae16, opts);
    const s = a.encode(digits.slice(0, 3));
    const twin = codecs.learned.create({ encoder: ae16.encoder, decoder: ae16.decoder, ...opts });
    expect(twin.decodeBatch(s).map((im) => Buffer.from(im.data).toString('hex'))).toEqual(a.decodeBatch(s).map((im) => Buffer.from(im.data).toString('hex')));
    const fewer = nr.slice(xTrain, [0, 0], [500, 784]);
    const otherTables = codecs.learned.fromAutoencoder(ae16, { ...opts, data: fewer });
    const otherRange = codecs.learned.fromAutoencoder(ae16, { ...opts, range: [-0.5, 1.5] });
    for (const c of [otherTables, otherRange]) throwsInvalid(() => c.decodeBatch(s), /^codecs\.learned\.decodeBatch: CRC-32 mismatch .*different model weights \(or quantisation ranges or probability tables\)/);
    // The ranges are read as a copy: writing into it changes nothing (NaN or lo > hi there made
    // streams that no codec rebuilt from toJSON() would read).
    const ranges = a.ranges;
    ranges[0] = NaN;
    expect(a.ranges[0]).toBe(twin.ranges[0]);
    expect(a.decodeBatch(s).length).toBe(3);
    expect(a.toJSON()).toEqual(twin.toJSON());
    for (const c of [a, twin, otherTables, otherRange]) c.dispose();
    fewer.dispose();
  });

  it('toJSON() describes the ranges and tables: another process rebuilds the codec from the saved model and it, without the training data, and decodes bit for bit', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFileSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'nr-learned-'));
    try {
      const ae = await train(16, 3, 1);
      const a = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 5, range: 'data', data: xTrain });
      const description = a.toJSON();
      expect([description.format, description.version, description.bits, description.codeSize, description.ranges.length, description.frequencies.length]).toEqual(['neurite-learned-codec', 1, 5, 16, 32, 16 * 32]);
      expect(Array.from(a.ranges)).toEqual(description.ranges);
      // In this process: a codec from the description gives the same streams and images.
      const b = codecs.learned.fromAutoencoder(ae, { description: JSON.parse(JSON.stringify(a)) as nr.codecs.LearnedCodecDescription });
      const streams = digits.slice(0, 20).map((d) => a.encode(d));
      streams.forEach((st, i) => expect(Buffer.compare(b.encode(digits[i]), st)).toBe(0));
      const images = streams.map((st) => Buffer.from(a.decode(st).data).toString('hex'));
      expect(streams.map((st) => Buffer.from(b.decode(st).data).toString('hex'))).toEqual(images);
      // A codec built from other training data (the tester's case) cannot decode them.
      const fewer = nr.slice(xTrain, [0, 0], [1000, 784]);
      const other = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 5, range: 'data', data: fewer });
      throwsInvalid(() => other.decode(streams[0]), /CRC-32 mismatch/);
      // Another process (the built package, one thread): the saved model and the description only.
      await ae.save(`file://${dir}/model`);
      writeFileSync(join(dir, 'codec.json'), JSON.stringify(a));
      writeFileSync(join(dir, 'streams.json'), JSON.stringify(streams.map((st) => Buffer.from(st).toString('base64'))));
      const dist = new URL('../dist/index.js', import.meta.url).href;
      const script = `
        import { readFileSync } from 'node:fs';
        const nr = await import(${JSON.stringify(dist)});
        await nr.init({ threads: 1 });
        const ae = await nr.loadModel(${JSON.stringify(`file://${dir}/model/model.json`)});
        const codec = nr.codecs.learned.fromAutoencoder(ae, { description: JSON.parse(readFileSync(${JSON.stringify(join(dir, 'codec.json'))}, 'utf8')) });
        const streams = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'streams.json'))}, 'utf8'));
        process.stdout.write(JSON.stringify(streams.map((s) => Buffer.from(codec.decode(Buffer.from(s, 'base64')).data).toString('hex'))));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
      expect(JSON.parse(out)).toEqual(images);
      for (const c of [a, b, other]) c.dispose();
      fewer.dispose();
      ae.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('a damaged or mismatched description is refused with an error naming the field', () => {
    const a = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4, range: 'data', data: xTrain });
    const d = a.toJSON();
    const load = (desc: unknown, extra: Record<string, unknown> = {}) => () => codecs.learned.fromAutoencoder(ae16, { description: desc, ...extra } as never);
    const edit = (f: (c: Record<string, unknown>) => void) => {
      const c = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
      f(c);
      return c;
    };
    throwsInvalid(load(edit((c) => ((c.frequencies as number[])[5] += 1))), /description\.check 0x[0-9a-f]{8} does not match its contents \(their CRC-32 is 0x[0-9a-f]{8}\): the description is damaged or was edited/);
    throwsInvalid(load(edit((c) => ((c.ranges as number[])[3] += 1e-9))), /description\.check .* does not match/);
    throwsInvalid(load(edit((c) => (c.version = 2))), /description\.version 2 is not supported \(this library reads version 1\)/);
    throwsInvalid(load(edit((c) => (c.format = 'x'))), /description\.format must be 'neurite-learned-codec', got "x"/);
    throwsInvalid(load(edit((c) => delete c.frequencies)), /description\.frequencies must be an array of codeSize·2\^bits = 16·16 = 256 integers/);
    throwsInvalid(load(edit((c) => (c.frequencies as number[]).pop())), /description\.frequencies must be an array of .* 256 integers, got 255/);
    throwsInvalid(load(edit((c) => ((c.frequencies as number[])[7] = 0))), /description\.frequencies\[7\] must be an integer in \[1, 65536\], got 0/);
    throwsInvalid(load(edit((c) => ((c.frequencies as number[])[0] = 60000))), /description\.frequencies of unit 0 \(entries 0\.\.15\) sum to \d+, more than 65536/);
    throwsInvalid(load(edit((c) => ((c.ranges as number[])[2] = NaN))), /description\.ranges\[2\] must be a finite number/);
    throwsInvalid(load(edit((c) => ((c.ranges as number[])[0] = 1e9))), /description\.ranges of unit 0: lo 1000000000 > hi/);
    throwsInvalid(load(edit((c) => (c.bits = 9))), /description\.bits must be an integer in \[1, 8\], got 9/);
    throwsInvalid(load(edit((c) => (c.extra = 1))), /description: unknown field 'extra' \(known: format, version, imageShape/);
    throwsInvalid(load('{"format":1}'), /description is a string; pass the object: JSON\.parse\(text\)/);
    throwsInvalid(load([1]), /description must be the object codec\.toJSON\(\) returned \(or its JSON\.parse'd text\), got an array/);
    throwsInvalid(load(d, { range: 'data', data: xTrain }), /pass either description \(a saved codec\) or range \(to build one\), not both/);
    throwsInvalid(load(d, { bits: 5 }), /bits 5 differs from description\.bits 4/);
    throwsInvalid(load(d, { imageShape: [28, 27] }), /imageShape \[28,27\] differs from description\.imageShape \[28,28\]/);
    // Another model's description: its code size differs.
    throwsInvalid(() => codecs.learned.fromAutoencoder(ae8, { description: d }), /description\.codeSize is 16 but this autoencoder's encoder gives 8 code units per image \(a description of another model\?\)/);
    // The description as it was loads, and the other side gives the same streams.
    const b = load(d)();
    expect(Buffer.compare(b.encode(digits[1]), a.encode(digits[1]))).toBe(0);
    b.dispose();
    a.dispose();
  });

  it('fuzz: 2,000 mutated descriptions, as they are and re-signed: a codec or an error naming the description, never a trap or another error', () => {
    const a = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4, range: 'data', data: xTrain });
    const d = JSON.parse(JSON.stringify(a)) as Record<string, unknown>;
    const stream = a.encode(digits[2]);
    const r = mulberry32(4111);
    const pick = (n: number) => Math.floor(r() * n);
    const odd = [0, -1, 1, 2, 7, 8, 9, 255, 256, 65535, 65536, 65537, 1e9, -1e-9, 0.5, NaN, Infinity, -Infinity, 2 ** 32, null, '1', [], {}, true];
    const keys = ['format', 'version', 'imageShape', 'bits', 'codeSize', 'ranges', 'frequencies', 'check'];
    const mutate = (c: Record<string, unknown>): void => {
      const k = keys[pick(keys.length)];
      const v = c[k];
      switch (pick(6)) {
        case 0: c[k] = odd[pick(odd.length)]; break;
        case 1: delete c[k]; break;
        case 2: if (Array.isArray(v) && v.length) v[pick(v.length)] = odd[pick(odd.length)]; break;
        case 3: if (Array.isArray(v)) { if (r() < 0.5) v.pop(); else v.push(odd[pick(odd.length)]); } break;
        case 4: if (Array.isArray(v) && v.length) { const i = pick(v.length); if (typeof v[i] === 'number') v[i] = (v[i] as number) * (r() < 0.5 ? 2 : -1) + pick(3) - 1; } break;
        default: if (typeof v === 'number') c[k] = v + pick(5) - 2; break;
      }
    };
    /** A valid check for whatever the contents now are (numbers where the loader reads numbers), so the loader's other checks are reached. */
    const resign = (c: Record<string, unknown>): void => {
      const s = Array.isArray(c.imageShape) ? (c.imageShape as number[]) : [0, 0];
      const nums = (x: unknown) => (Array.isArray(x) ? x.map(Number) : []);
      c.check = descriptionCrc(Number(s[0]) >>> 0, Number(s[1]) >>> 0, Number(c.bits) >>> 0, Number(c.codeSize) >>> 0, Float64Array.from(nums(c.ranges)), Uint32Array.from(nums(c.frequencies)));
    };
    const before = nr.memory().numTensors;
    let loaded = 0, refused = 0;
    for (let i = 0; i < 2000; i++) {
      const c = JSON.parse(JSON.stringify(d)) as Record<string, unknown>;
      for (let j = 1 + pick(3); j > 0; j--) mutate(c);
      if (i % 2 === 1) resign(c);
      try {
        const codec = codecs.learned.fromAutoencoder(ae16, { description: c as never });
        loaded++;
        // A codec from a valid-looking description works: it encodes, and decodes its own streams
        // or refuses another codec's with an error (its tables may differ).
        codec.decode(codec.encode(digits[2]));
        try { codec.decode(stream); } catch (err) { if (!(err instanceof nr.InvalidArgumentError)) throw err; }
        codec.dispose();
      } catch (err) {
        if (!(err instanceof nr.InvalidArgumentError)) throw new Error(`mutation ${i} (${JSON.stringify(c).slice(0, 200)}) gave ${String(err)}`);
        // The description's fields are named, or (its imageShape read against the model) imageShape.
        if (!/^codecs\.learned\.fromAutoencoder: (description|the autoencoder takes per-sample shape \[784\] \(784 values\) but imageShape \[)/.test((err as Error).message)) throw new Error(`mutation ${i} (${JSON.stringify(c).slice(0, 300)}): ${(err as Error).message}`);
        refused++;
      }
    }
    expect(loaded + refused).toBe(2000);
    expect(refused).toBeGreaterThan(1000);
    expect(loaded).toBeGreaterThan(0); // re-signed edits that stay valid (a range moved within its unit) load and work
    expect(nr.memory().numTensors).toBe(before);
    a.dispose();
  });

  it('refuses bytes and images whose buffer was transferred (detached)', () => {
    const codec = codecs.learned.fromAutoencoder(ae8, { imageShape: [28, 28], bits: 3 });
    const gone = detached(Uint8Array, 784);
    throwsInvalid(() => codec.encode({ data: gone, width: 28, height: 28 }), /^codecs\.learned\.encode: image\.data is a Uint8Array whose ArrayBuffer is detached/);
    throwsInvalid(() => codec.decode(gone), /^codecs\.learned\.decode: bytes is a Uint8Array whose ArrayBuffer is detached/);
    codec.dispose();
  });
});

describe('codecs.learned: bad input', () => {
  const op = (name: string) => new RegExp(`^codecs\\.learned\\.${name}: `);

  it('decode names truncation, magic, version, bits, dims, code size, trailing bytes, corruption and maxOutputBytes', () => {
    const c16 = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4, range: [0, 1], data: xTrain });
    const c8 = codecs.learned.fromAutoencoder(ae8, { imageShape: [28, 28], bits: 4, range: [0, 1], data: xTrain });
    const s = c16.encode(digits.slice(0, 5));
    for (let n = 0; n < s.length; n++) throwsInvalid(() => c16.decode(s.subarray(0, n)), /^codecs\.learned\.decode: (truncated stream|CRC-32 mismatch)/);
    const edit = (i: number, v: number) => { const t = s.slice(); t[i] = v; return t; };
    throwsInvalid(() => c16.decode(edit(0, 0x4e ^ 1)), /^codecs\.learned\.decode: wrong magic 0x4f4c \(expected 0x4e4c, "NL"\)/);
    throwsInvalid(() => c16.decode(codecs.dct.encode(digits[0], { quality: 50 })), /wrong magic/);
    throwsInvalid(() => c16.decode(edit(2, 1)), /^codecs\.learned\.decode: unsupported version 1 \(this decoder reads version 3\)$/);
    throwsInvalid(() => c16.decode(edit(2, 2)), /^codecs\.learned\.decode: unsupported version 2 \(this decoder reads version 3\)$/);
    throwsInvalid(() => c16.decode(edit(3, 5)), /^codecs\.learned\.decode: the stream has 5-bit symbols but this codec uses 4 bits$/);
    throwsInvalid(() => c16.decode(edit(4, 27)), /^codecs\.learned\.decode: the stream holds 28×27 images but this codec decodes 28×28 images$/);
    throwsInvalid(() => c16.decode(c8.encode(digits[0])), /^codecs\.learned\.decode: the stream has a code of 8 units per image but this codec's encoder gives 16/);
    throwsInvalid(() => c16.decode(Uint8Array.from([...s, 0])), /^codecs\.learned\.decode: 1 unexpected bytes after the \d+-byte payload$/);
    throwsInvalid(() => c16.decode(edit(s.length - 1, s[s.length - 1] ^ 0x10)), /^codecs\.learned\.decode: CRC-32 mismatch \(the stream says 0x[0-9a-f]{8}, its bytes with this codec's model give 0x[0-9a-f]{8}\): the stream is damaged, or was encoded with different model weights \(or quantisation ranges or probability tables\) than this codec has now$/);
    throwsInvalid(() => c16.decode(edit(4, 0xff)), /^codecs\.learned\.decode: the stream holds 16×3711 images/);
    throwsInvalid(() => c16.decode(Uint8Array.of(0x4e, 0x4c, 3, 4, 28, 28, 16, 0xff, 0xff, 0xff, 0xff, 0x7f)), /the header's image count is not a varint below 2\^32/);
    // The cap counts what decoding allocates: 5 bytes per code unit (symbol, float32 decoder
    // input) and per pixel (float32 decoder output, byte): 5 · (16 + 784) per image.
    throwsInvalid(() => c16.decode(s, { maxOutputBytes: 5 * 4000 - 1 }), /^codecs\.learned\.decode: the stream claims 5 images of 28×28, which take 20000 bytes to decode \(4000 per image: 5 for each of its 16 code units, the symbol and the decoder's float32 input, and 5 for each of its 784 pixels, the decoder's float32 output and the byte\), more than maxOutputBytes = 19999; for a stream you trust, pass \{ maxOutputBytes \} to raise it$/);
    expect(c16.decodeBatch(s, { maxOutputBytes: 5 * 4000 }).length).toBe(5);
    throwsInvalid(() => c16.decode(edit(7, 4)), /^codecs\.learned\.decode: the stream says one image but holds 2$/);
    throwsInvalid(() => c16.decode('x' as never), /^codecs\.learned\.decode: bytes must be a Uint8Array/);
    throwsInvalid(() => c16.decode(s, { bogus: 1 } as never), /unknown option 'bogus'/);
    c16.dispose();
    c8.dispose();
  });

  // A new user's report: the default [0, 1] on a linear code clipped it silently (PSNR 10.9 dB
  // against 13.8 with range: 'data'). An explicit range is the user's choice and is kept.
  it("every codec entry point's errors name the function called: a corrupt stream for decode, decodeBatch and the image codecs' decode; a disposed autoencoder for encode, decode and decodeBatch (they named ae.encode and getWeights)", () => {
    const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 4, range: [0, 1] });
    const damage = (s: Uint8Array) => {
      const t = s.slice();
      t[t.length - 1] ^= 0x10;
      return t;
    };
    throwsInvalid(() => codec.decode(damage(codec.encode(digits[0]))), /^codecs\.learned\.decode: CRC-32 mismatch/);
    throwsInvalid(() => codec.decodeBatch(damage(codec.encode(digits.slice(0, 3)))), /^codecs\.learned\.decodeBatch: CRC-32 mismatch/);
    for (const c of ['dct', 'wavelet'] as const) {
      const s = codecs[c].encode(digits[0], { quality: 50 });
      throwsInvalid(() => codecs[c].decode(damage(s)), new RegExp(`^codecs\\.${c}\\.decode: checksum mismatch`));
      throwsInvalid(() => codecs[c].decode(s.subarray(0, 10)), new RegExp(`^codecs\\.${c}\\.decode: truncated stream`));
    }
    codec.dispose();
    // fromAutoencoder's codec uses the caller's model: disposed first, each call says so.
    const ae = nr.autoencoder({ encoder: ae16.encoder, decoder: ae16.decoder });
    const own = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 4, range: [0, 1] });
    const [one, batch] = [own.encode(digits[0]), own.encode(digits.slice(0, 2))];
    ae.dispose();
    const gone = (name: string) => `codecs.learned.${name}: the codec's autoencoder ${ae.name} is disposed (fromAutoencoder does not own it): dispose it after the codec`;
    expect(() => own.encode(digits[0])).toThrow(new DisposedError(gone('encode')));
    expect(() => own.decode(one)).toThrow(new DisposedError(gone('decode')));
    expect(() => own.decodeBatch(batch)).toThrow(new DisposedError(gone('decodeBatch')));
    expect(own.toJSON().codeSize, 'the description needs no model').toBe(16);
    own.dispose();
  });

  it('with data, the default range [0, 1] on a code far outside it is an error; an explicit range is kept', () => {
    const z = nr.tidy(() => ae16.encode(xTrain).dataSync());
    const outside = z.filter((v) => v < -1 / 30 || v > 1 + 1 / 30).length / z.length;
    expect(outside, 'the test code leaves [0, 1]').toBeGreaterThan(0.01);
    throwsInvalid(() => codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], data: xTrain }), new RegExp(`^codecs\\.learned\\.fromAutoencoder: ${(100 * outside).toFixed(1).replace('.', '\\.')} % of data's code values fall outside the default range \\[0, 1\\] \\(they span -?[\\d.]+ to [\\d.]+\\) and would be clipped: pass range: 'data' \\(each unit's min and max over data\\) or range: \\[lo, hi\\]$`));
    codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], data: xTrain, range: [0, 1] }).dispose();
    codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], data: xTrain, range: 'data' }).dispose();
    codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28] }).dispose(); // no data: nothing to check
  });

  it('encode and the constructors check their arguments', () => {
    const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28] });
    throwsInvalid(() => codec.encode({ data: new Uint8Array(100), width: 10, height: 10 }), /^codecs\.learned\.encode: image is 10×10 with 100 bytes, but this codec takes 28×28 images \(784 bytes\)$/);
    throwsInvalid(() => codec.encode([digits[0], null as never]), /^codecs\.learned\.encode: images\[1\] must be \{ data: Uint8Array, width, height \}/);
    throwsInvalid(() => codec.encode({ data: new Float32Array(784), width: 28, height: 28 } as never), /^codecs\.learned\.encode: image\.data must be a Uint8Array/);
    codec.dispose();
    const make = (o: unknown) => () => codecs.learned.fromAutoencoder(ae16, o as never);
    throwsInvalid(make(undefined), op('fromAutoencoder'));
    throwsInvalid(make({ imageShape: [28] }), /imageShape must be \[height, width\]/);
    // The values, not "an array of length 2".
    throwsInvalid(make({ imageShape: [1e5, 1e5] }), /imageShape must be \[height, width\] with integers in \[1, 65535\], got \[100000,100000\]$/);
    throwsInvalid(make({ imageShape: [20, 20] }), /takes per-sample shape \[784\] \(784 values\) but imageShape \[20,20\] has 400 pixels/);
    for (const bits of [0, 9, 2.5, '4']) throwsInvalid(make({ imageShape: [28, 28], bits }), /bits must be an integer in \[1, 8\]/);
    throwsInvalid(make({ imageShape: [28, 28], range: [1, 1] }), /range must be \[lo, hi\] with finite lo < hi, or 'data'/);
    throwsInvalid(make({ imageShape: [28, 28], range: 'data' }), /range 'data' needs data/);
    throwsInvalid(make({ imageShape: [28, 28], data: [1, 2] }), /data must be a Tensor of images/);
    throwsInvalid(make({ imageShape: [28, 28], foo: 1 }), /unknown option 'foo'/);
    throwsInvalid(() => codecs.learned.fromAutoencoder({} as never, { imageShape: [28, 28] }), /^codecs\.learned\.fromAutoencoder: ae must be an Autoencoder/);
    nr.tidy(() => throwsInvalid(make({ imageShape: [28, 28], data: nr.zeros([3, 100]) }), /data has 300 values, not a positive multiple of 28×28 = 784/));
    throwsInvalid(() => codecs.learned.create({ encoder: 1, decoder: ae16.decoder, imageShape: [28, 28] } as never), /^codecs\.learned\.create: encoder must be a sequential model or a layer/);
    // A decoder that does not give back an image.
    const small = nr.sequential({ layers: [nr.layers.dense({ inputShape: [16], units: 10 })] });
    throwsInvalid(() => codecs.learned.create({ encoder: ae16.encoder, decoder: small, imageShape: [28, 28] }), /the decoder gives 10 values per image but imageShape \[28,28\] has 784 pixels/);
    small.dispose();
    // A model whose input has rows and columns says the image's: the same pixel count in
    // another layout is refused (it was reshaped into the model's input and decoded as noise).
    const convEnc = nr.sequential({ seed: 0, layers: [nr.layers.conv2d({ inputShape: [28, 28, 1], filters: 2, kernelSize: 4, strides: 4 }), nr.layers.flatten()] });
    const convDec = nr.sequential({ seed: 0, layers: [nr.layers.dense({ inputShape: [98], units: 784 }), nr.layers.reshape({ targetShape: [28, 28, 1] })] });
    for (const shape of [[14, 56], [56, 14], [1, 784]]) {
      throwsInvalid(() => codecs.learned.create({ encoder: convEnc, decoder: convDec, imageShape: shape as [number, number] }), new RegExp(`^codecs\\.learned\\.create: the autoencoder takes images of 28 rows × 28 columns \\(per-sample shape \\[28,28,1\\]\\) but imageShape is \\[${shape.join(',')}\\]; give imageShape \\[28,28\\]$`));
    }
    const ok = codecs.learned.create({ encoder: convEnc, decoder: convDec, imageShape: [28, 28] });
    expect(ok.decode(ok.encode(digits[0])).width).toBe(28);
    ok.dispose();
    convEnc.dispose();
    convDec.dispose();
  });

  it('fuzz: 3,000 mutated valid streams decode or throw an InvalidArgumentError naming the codec', () => {
    const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 5, range: [0, 1], data: xTrain });
    const streams = [codec.encode(digits[3]), codec.encode(digits.slice(10, 14)), codec.encode([digits[50]])];
    const r = mulberry32(1010);
    const pick = (n: number) => Math.floor(r() * n);
    const before = nr.memory().numTensors;
    let rejected = 0, decoded = 0;
    for (let i = 0; i < 3000; i++) {
      let m = streams[i % streams.length].slice();
      for (let j = 1 + pick(3); j > 0; j--) {
        switch (pick(6)) {
          case 0: m[pick(m.length)] ^= 1 << pick(8); break;
          case 1: m[pick(m.length)] = pick(256); break;
          case 2: m = m.slice(0, pick(m.length + 1)); break;
          case 3: m = Uint8Array.from([...m, ...Array.from({ length: 1 + pick(8) }, () => pick(256))]); break;
          case 4: { const at = pick(m.length + 1); m = Uint8Array.from([...m.subarray(0, at), pick(256), ...m.subarray(at)]); break; }
          default: if (m.length > 8) m[4 + pick(5)] = pick(256); break; // header fields
        }
        if (m.length === 0) break;
      }
      try {
        const out = codec.decode(m, { maxOutputBytes: 1 << 16 });
        const list = Array.isArray(out) ? out : [out];
        for (const im of list) expect(im.data.length).toBe(784);
        decoded++;
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw new Error(`mutation ${i} gave ${String(err)}`);
        expect(err.message).toMatch(/^codecs\.learned\.decode: /);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(2500);
    expect(decoded + rejected).toBe(3000);
    expect(nr.memory().numTensors).toBe(before);
    codec.dispose();
  });

  // Version 1's 8-bit check let ~0.4 % of these through as another image (a new user's report).
  it('20,000 streams with one or two payload bytes changed are all refused (CRC-32)', () => {
    const codec = codecs.learned.fromAutoencoder(ae16, { imageShape: [28, 28], bits: 6, data: xTrain, range: 'data' });
    const s = codec.encode(digits[7]);
    const start = s.length - s[8]; // the payload
    const r = mulberry32(2026);
    const pick = (n: number) => Math.floor(r() * n);
    let silent = 0;
    for (let i = 0; i < 20000; i++) {
      const m = s.slice();
      const flips = 1 + pick(2);
      for (let j = 0; j < flips; j++) m[start + pick(s.length - start)] ^= 1 + pick(255);
      if (m.every((v, k) => v === s[k])) continue; // two flips that cancel
      try {
        codec.decode(m);
        silent++;
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidArgumentError);
      }
    }
    expect(silent).toBe(0);
    codec.dispose();
  });

  it('crc32 is the IEEE CRC-32 of zlib and PNG', () => {
    const text = (t: string) => new TextEncoder().encode(t);
    expect(crc32([text('123456789')])).toBe(0xcbf43926);
    expect(crc32([])).toBe(0);
    expect(crc32([text('1234'), text(''), text('56789')])).toBe(0xcbf43926);
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff);
    // Node's zlib (20.15+), else the polynomial bit by bit.
    const bitwise = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const v of b) { c ^= v; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
      return (c ^ 0xffffffff) >>> 0;
    };
    const reference = (zlib as { crc32?: (b: Uint8Array) => number }).crc32 ?? bitwise;
    expect(crc32([big])).toBe(reference(big));
    expect(crc32([big])).toBe(bitwise(big));
  });
});
