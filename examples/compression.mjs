// Compression (issue 10): lossless ratios and speeds of Huffman, LZW and RLE, and the
// rate–distortion curves (PSNR vs bits per pixel, whole streams) of neurite's DCT and wavelet
// codecs and jpeg-js on the shipped photographs (test/data/images, see its LICENSE.md) and on
// held-out MNIST digits. Writes examples/out/compression.png (curves + side-by-side crops)
// and exits non-zero below the bars it checks:
//   - Huffman within 1 % (plus header and table) of the order-0 entropy of text, MNIST's
//     bytes and random bytes;
//   - the DCT codec's PSNR ≥ jpeg-js's at equal bpp on the photographs;
//   - the wavelet codec ≥ 1 dB above the DCT codec at 0.25 bpp on each photograph;
//   - the learned codec (codecs.learned: autoencoders trained here, seeded, on the 8,000
//     training digits) above both the DCT and the wavelet codec on held-out MNIST digits at
//     low rates: every codec on its operational curve (best stream of ≤ r bpp), the learned
//     one wins from the lowest rate DCT or wavelet reach up to at least 0.65 bpp (below that
//     only the learned codec has streams).
// (The speed bars are measured by `npm run bench`, never asserted.)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, compression, codecs, tensor } from '../dist/index.js';
import { loadMnist } from './data/mnist.mjs';
import { COLORS, outDir, panelGrid } from './lib/plot.mjs';
import { readPgm, psnr8 } from './lib/pgm.mjs';
import { curve, jpegJs, psnrAt, QUALITIES } from './lib/rd.mjs';
import { learnedCurve, paretoFront } from './lib/learned-rd.mjs';

await init();
const here = dirname(fileURLToPath(import.meta.url));
const failures = [];
const bar = (ok, what) => {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// ---- lossless ---------------------------------------------------------------------------
const text = new Uint8Array(Buffer.concat([readFileSync(join(here, '..', 'README.md')), readFileSync(join(here, '..', 'CONTRIBUTING.md')), readFileSync(join(here, '..', 'ts', 'tensor.ts'))]));
const mnist = loadMnist({ trainSize: 8000, seed: 1 });
const digitBytes = Uint8Array.from(mnist.test.x.subarray(0, 784 * 500), (v) => Math.round(v * 255));
let s = 7;
const random = Uint8Array.from({ length: 300_000 }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24));
const runs = Uint8Array.from({ length: 4_000_000 }, (_, i) => Math.floor(i / 1000) % 5);
const entropy = (b) => {
  const h = new Array(256).fill(0);
  for (const v of b) h[v]++;
  return h.reduce((e, c) => (c ? e - (c / b.length) * Math.log2(c / b.length) : e), 0) * b.length / 8;
};
const time = (f) => {
  const t0 = performance.now();
  let n = 0;
  do { f(); n++; } while (performance.now() - t0 < 150);
  return (performance.now() - t0) / n;
};
console.log('\nlossless: size (% of input) and MB/s (rough; `npm run bench` measures against fflate and lz-string)');
console.log('input      bytes      entropy  huffman        lzw            rle');
for (const [name, x] of [['text', text], ['mnist', digitBytes], ['random', random], ['long runs', runs]]) {
  const cells = [];
  for (const c of [compression.huffman, compression.lzw, compression.rle]) {
    const enc = c.encode(x);
    const back = c.decode(enc);
    if (Buffer.compare(back, x) !== 0) throw new Error(`${name}: round trip failed`);
    const mbs = x.length / 1e6 / (time(() => c.encode(x)) / 1e3);
    cells.push(`${(100 * enc.length / x.length).toFixed(1).padStart(5)} % ${mbs.toFixed(0).padStart(5)}`);
  }
  console.log(`${name.padEnd(10)} ${String(x.length).padStart(8)}  ${(100 * entropy(x) / x.length).toFixed(1).padStart(5)} %  ${cells.join('   ')}`);
}
// Huffman against the order-0 entropy of its input, the stream's header and code table
// excluded (14 + 128 bytes; 14 + 130 in runs mode): on text the plain code, on MNIST's bytes
// (78 % zeros) runs mode, which codes runs of the dominant byte and lands below the entropy.
for (const [name, x] of [['text', text], ['MNIST bytes', digitBytes], ['random', random]]) {
  const enc = compression.huffman.encode(x);
  const overhead = enc[4] === 3 ? 14 + 130 : enc[4] === 2 ? 14 : 14 + 128;
  const codes = enc.length - overhead, h = entropy(x);
  const mode = enc[4] === 3 ? 'runs mode' : enc[4] === 2 ? 'stored' : 'plain';
  bar(codes <= h * 1.01 + 1, `Huffman on ${name} (${mode}): ${codes} bytes of codes vs order-0 entropy ${h.toFixed(0)} bytes (${codes >= h ? '+' : ''}${(100 * (codes / h - 1)).toFixed(2)} %, bar +1 %)`);
}

// ---- rate–distortion ----------------------------------------------------------------------
const CODECS = { dct: codecs.dct, wavelet: codecs.wavelet, 'jpeg-js': jpegJs };
const photos = ['camera', 'coins'].map((n) => ({ name: n, img: readPgm(join(here, '..', 'test', 'data', 'images', `${n}.pgm`)) }));
const curves = {};
for (const p of photos) curves[p.name] = Object.fromEntries(Object.entries(CODECS).map(([k, c]) => [k, curve(c, p.img)]));
// MNIST: 200 held-out digits, bpp from the total bytes, PSNR from the total squared error.
const digits = Array.from({ length: 200 }, (_, i) => ({ data: digitBytes.subarray(784 * i, 784 * (i + 1)), width: 28, height: 28 }));
curves.mnist = Object.fromEntries(Object.entries(CODECS).map(([k, c]) => [k, QUALITIES.map((quality) => {
  let bytes = 0;
  const all = new Uint8Array(784 * digits.length), back = new Uint8Array(784 * digits.length);
  digits.forEach((d, i) => {
    const e = c.encode(d, { quality });
    bytes += e.length;
    all.set(d.data, 784 * i);
    back.set(c.decode(e).data, 784 * i);
  });
  return { quality, bpp: (8 * bytes) / (784 * digits.length), psnr: psnr8(all, back) };
}).sort((a, b) => a.bpp - b.bpp)]));
// The learned codec: two autoencoders (codes of 16 and 64 units), each at 2..8 bits per unit.
const xTrain = tensor(mnist.train.x, [mnist.train.n, 784]);
const learned = await learnedCurve(xTrain, digits);
xTrain.dispose();
const learnedFront = paretoFront(learned.points);

for (const [name, c] of Object.entries(curves)) {
  console.log(`\n${name}: quality → bpp / PSNR dB`);
  for (const [k, pts] of Object.entries(c)) console.log(`  ${k.padEnd(8)} ${[...pts].sort((a, b) => a.quality - b.quality).map((p) => `q${p.quality} ${p.bpp.toFixed(2)}/${p.psnr.toFixed(1)}`).join('  ')}`);
}
console.log(`  learned  ${learned.points.map((p) => `${p.label} ${p.bpp.toFixed(2)}/${p.psnr.toFixed(1)}`).join('  ')}  (training ${learned.seconds.toFixed(1)} s)`);
console.log('\nPSNR (dB) at equal bits per pixel (linear interpolation along each curve; – = outside its range)');
console.log('image    bpp    dct      wavelet  jpeg-js');
const f = (v) => (Number.isNaN(v) ? '   –   ' : v.toFixed(2).padStart(7));
for (const name of Object.keys(curves)) {
  for (const bpp of [0.25, 0.5, 1, 1.5, 2, 4]) {
    const c = curves[name];
    console.log(`${name.padEnd(8)} ${bpp.toFixed(2)}  ${f(psnrAt(c.dct, bpp))}  ${f(psnrAt(c.wavelet, bpp))}  ${f(psnrAt(c['jpeg-js'], bpp))}`);
  }
}

// The learned codec on MNIST: its best PSNR at a rate ≤ r (the operational rate–distortion
// curve: a codec may always spend fewer bits) against DCT and wavelet at r.
const bestPointAtMost = (bpp) => learned.points.filter((p) => p.bpp <= bpp).reduce((a, p) => (!a || p.psnr > a.psnr ? p : a), null);
const bestAtMost = (bpp) => bestPointAtMost(bpp)?.psnr ?? -Infinity;
console.log('\nMNIST, low rates: PSNR (dB) at r bpp; learned = its best point at ≤ r (– = no stream that small)');
console.log('r      learned  dct      wavelet  jpeg-js');
const g = (v) => (Number.isFinite(v) ? v.toFixed(2).padStart(7) : '   –   ');
const mn = curves.mnist;
for (const r of [0.15, 0.2, 0.3, 0.5, 0.7, 0.75, 1, 1.5]) {
  console.log(`${r.toFixed(2)}  ${g(bestAtMost(r))}  ${g(psnrAt(mn.dct, r))}  ${g(psnrAt(mn.wavelet, r))}  ${g(psnrAt(mn['jpeg-js'], r))}   ${bestPointAtMost(r)?.label ?? ''}`);
}
// Every codec on its operational curve (its best stream of ≤ r bpp; none = −∞): where is the
// learned codec above both hand-made ones, starting from the lowest rate either of them reaches?
const opAt = (pts, r) => pts.filter((p) => p.bpp <= r).reduce((m, p) => Math.max(m, p.psnr), -Infinity);
const lowestHandMade = Math.min(mn.dct[0].bpp, mn.wavelet[0].bpp);
let upTo = NaN;
for (let r = lowestHandMade; r <= 2; r += 0.005) {
  if (bestAtMost(r) > Math.max(opAt(mn.dct, r), opAt(mn.wavelet, r))) upTo = r;
  else break;
}
const LOW = 0.65;
bar(upTo >= LOW, `MNIST: learned codec above DCT and wavelet at low rates: the only codec below ${lowestHandMade.toFixed(2)} bpp, and above both from there up to ${upTo.toFixed(2)} bpp (bar: up to ≥ ${LOW}; at ${LOW}: learned ${bestAtMost(LOW).toFixed(2)} dB, wavelet ${opAt(mn.wavelet, LOW).toFixed(2)}, DCT ${Number.isFinite(opAt(mn.dct, LOW)) ? opAt(mn.dct, LOW).toFixed(2) : 'no stream'})`);
const lowest = Math.min(mn.dct[0].psnr, mn.wavelet[0].psnr);
const cheapest = learnedFront.find((p) => p.psnr >= lowest);
console.log(`the learned codec reaches ${lowest.toFixed(2)} dB (the lower PSNR of DCT/wavelet at quality 2) at ${cheapest ? cheapest.bpp.toFixed(3) : '–'} bpp; DCT needs ${mn.dct[0].bpp.toFixed(3)}, wavelet ${mn.wavelet[0].bpp.toFixed(3)}`);

// Bars on the photographs.
const gains = [];
for (const p of photos) {
  const c = curves[p.name];
  const lo = Math.max(c.dct[0].bpp, c['jpeg-js'][0].bpp), hi = Math.min(c.dct.at(-1).bpp, c['jpeg-js'].at(-1).bpp);
  let worst = Infinity;
  for (let k = 0; k <= 20; k++) {
    const bpp = lo + ((hi - lo) * k * 0.999) / 20;
    worst = Math.min(worst, psnrAt(c.dct, bpp) - psnrAt(c['jpeg-js'], bpp));
  }
  bar(worst >= 0, `${p.name}: DCT codec ≥ jpeg-js at every equal bpp in [${lo.toFixed(2)}, ${hi.toFixed(2)}] (smallest margin ${worst.toFixed(2)} dB)`);
  const g = psnrAt(c.wavelet, 0.25) - psnrAt(c.dct, 0.25);
  gains.push(g);
  console.log(`${p.name}: wavelet − DCT at 0.25 bpp = ${g.toFixed(2)} dB`);
}
photos.forEach((p, i) => bar(gains[i] >= 1, `${p.name}: wavelet ≥ DCT + 1 dB at 0.25 bpp (${gains[i].toFixed(2)} dB)`));

// ---- chart: three RD panels, then crops of camera at about 0.5 bpp -------------------------
const CROP = 96, SCALE = 2;
const { canvas, panel } = panelGrid(1, 4, { cellWidth: 300, cellHeight: 230, header: 36, title: 'RATE-DISTORTION: PSNR (DB) VS BITS PER PIXEL' });
const colors = { dct: COLORS.blue, wavelet: COLORS.green, 'jpeg-js': COLORS.orange, learned: COLORS.red };
curves['mnist '] = { ...curves.mnist, learned: learnedFront };
curves.mnist = { ...curves.mnist, learned: learnedFront };
const yRange = { camera: [15, 50], coins: [15, 50], mnist: [10, 50], 'mnist ': [10, 30] };
['camera', 'coins', 'mnist', 'mnist '].forEach((name, i) => {
  const c = curves[name];
  const maxBpp = name === 'mnist' ? 8 : name === 'mnist ' ? 1.5 : 3;
  const [y0, y1] = yRange[name];
  const p = panel(0, i, { x: [0, maxBpp], y: [y0, y1], title: name === 'mnist ' ? 'MNIST, LOW RATES' : `${name.toUpperCase()} (BPP 0-${maxBpp}, PSNR ${y0}-${y1})` });
  p.axes({ zero: false });
  for (const [k, pts] of Object.entries(c)) {
    const shown = pts.filter((q) => q.bpp <= maxBpp);
    p.polyline(shown.map((q) => q.bpp), shown.map((q) => Math.min(y1, q.psnr)), colors[k], 2);
    p.points(shown.map((q) => q.bpp), shown.map((q) => Math.min(y1, q.psnr)), colors[k], 2.5);
  }
  p.legend(Object.keys(c).map((k) => [k, colors[k]]), { corner: 'bottom-right' });
});
const chartH = canvas.height;
// Crops: enlarge the canvas downwards by hand (a second canvas would need a second PNG).
const cam = photos[0].img;
const nearest = (codec, target) => QUALITIES.map((q) => ({ q, bytes: codec.encode(cam, { quality: q }) })).reduce((best, e) => (Math.abs(8 * e.bytes.length / (cam.width * cam.height) - target) < Math.abs(8 * best.bytes.length / (cam.width * cam.height) - target) ? e : best));
const crops = [['original', cam.data, NaN]];
for (const [k, c] of Object.entries(CODECS)) {
  const e = nearest(c, 0.5);
  const back = c.decode(e.bytes).data;
  crops.push([`${k} ${(8 * e.bytes.length / (cam.width * cam.height)).toFixed(2)} BPP`, back, psnr8(cam.data, back)]);
}
const rowH = CROP * SCALE + 40;
const full = { width: canvas.width, height: chartH + rowH, rgb: new Uint8Array(canvas.width * (chartH + rowH) * 3).fill(255) };
full.rgb.set(canvas.rgb);
Object.assign(canvas, full);
const [cx, cy] = [80, 40];
crops.forEach(([label, data, p], i) => {
  const x0 = 20 + i * (CROP * SCALE + 24), y0 = chartH + 24;
  for (let y = 0; y < CROP * SCALE; y++) for (let x = 0; x < CROP * SCALE; x++) {
    const v = data[(cy + Math.floor(y / SCALE)) * cam.width + cx + Math.floor(x / SCALE)];
    canvas.fillRect(x0 + x, y0 + y, 1, 1, [v, v, v]);
  }
  canvas.text(x0, y0 - 14, `${label.toUpperCase()}${Number.isNaN(p) ? '' : ` ${p.toFixed(1)} DB`}`, COLORS.black, 1);
});
// A held-out digit at the learned codec's cheapest point that matches DCT/wavelet at quality 2, next to them.
const digit = digits[0];
const learnedAe = cheapest ? [[`LEARNED ${(8 * cheapest.sample.bytes / 784).toFixed(2)}`, cheapest.sample.data]] : [];
const digitCells = [['DIGIT', digit.data], ...learnedAe, ...['dct', 'wavelet'].map((k) => {
  const bytes = codecs[k].encode(digit, { quality: 2 });
  return [`${k.toUpperCase()} ${(8 * bytes.length / 784).toFixed(2)}`, codecs[k].decode(bytes).data];
})];
const DS = 4;
digitCells.forEach(([label, data], i) => {
  const x0 = 20 + 4 * (CROP * SCALE + 24) + i * (28 * DS + 20), y0 = chartH + 24;
  for (let y = 0; y < 28 * DS; y++) for (let x = 0; x < 28 * DS; x++) {
    const v = data[Math.floor(y / DS) * 28 + Math.floor(x / DS)];
    canvas.fillRect(x0 + x, y0 + y, 1, 1, [v, v, v]);
  }
  canvas.text(x0, y0 - 14, label, COLORS.black, 1);
});
canvas.text(20 + 4 * (CROP * SCALE + 24), chartH + 24 + 28 * DS + 10, 'HELD-OUT DIGIT, BPP OF ITS STREAM', COLORS.black, 1);

console.log(`\nwrote ${canvas.save(join(outDir(), 'compression.png'))}`);

if (failures.length) {
  console.error(`\n${failures.length} bar(s) missed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
