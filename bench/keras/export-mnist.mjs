// Writes the seeded 8,000/2,000 MNIST split that neurite's examples use
// (examples/data/mnist.mjs `loadMnist({ trainSize: 8000, seed: 1 })`) to a scratch binary
// for bench/keras/autoencoders.py, so Keras trains on exactly the same digits.
//
//   node bench/keras/export-mnist.mjs [outFile]     (default: bench/results/mnist-8000-2000-seed1.bin)
//
// Layout (little-endian): magic "NMN1", u32 trainN, u32 testN, u32 features (784),
// then train x (f32 trainN*784), test x (f32 testN*784), train labels (i32 trainN), test labels (i32 testN).
// The file is not committed (bench/results is gitignored); the fixture records its SHA-256.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../../examples/data/mnist.mjs';

const TRAIN_SIZE = 8000;
const SEED = 1;
const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? resolve(here, '../results/mnist-8000-2000-seed1.bin'));

const { train, test } = loadMnist({ trainSize: TRAIN_SIZE, seed: SEED });
const features = train.x.length / train.n;
const header = new Uint8Array(16);
header.set(new TextEncoder().encode('NMN1'), 0);
const view = new DataView(header.buffer);
view.setUint32(4, train.n, true);
view.setUint32(8, test.n, true);
view.setUint32(12, features, true);

// Typed arrays are little-endian on every platform Node runs on; assert rather than assume.
if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('export-mnist: big-endian host is not supported');
const parts = [header, train.x, test.x, train.ids, test.ids].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const bytes = Buffer.concat(parts);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bytes);
const sha256 = createHash('sha256').update(bytes).digest('hex');
console.log(`export-mnist: wrote ${out} (train ${train.n}, test ${test.n}, ${features} features, ${bytes.length} bytes, sha256 ${sha256})`);
