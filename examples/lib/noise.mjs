// Corrupting images and measuring what is left, shared by the examples that denoise MNIST
// (autoencoders.mjs, cnn.mjs): seeded Gaussian noise as bench/keras/autoencoders.py adds it, and
// PSNR over every pixel of a set, in float64.

/** `n` seeded standard normals (Box–Muller over `rand`, e.g. mulberry32). */
export function normals(n, rand) {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rand(), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** clip(x + σ·N(0, 1), 0, 1), as bench/keras/autoencoders.py's gaussian_corrupt. */
export function gaussianCorrupt(x, rand, sigma = 0.5) {
  const z = normals(x.length, rand);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i] + sigma * z[i]));
  return out;
}

/** Squared error summed over the pixels of each 784-pixel image, mean over the images. */
export function sqErrPerImage(x, p) {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - p[i]) ** 2;
  return s / (x.length / 784);
}

/** PSNR of `p` against `x` (pixels in [0, 1]), 10·log10(1 / MSE) over all pixels of the set. */
export const psnrDb = (x, p) => 10 * Math.log10(1 / (sqErrPerImage(x, p) / 784));
