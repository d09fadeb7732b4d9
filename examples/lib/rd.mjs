// Rate–distortion helpers shared by examples/compression.mjs and bench/compression.mjs:
// PSNR-vs-bpp curves of neurite's DCT and wavelet codecs and of jpeg-js (baseline JPEG),
// and linear interpolation of a curve at a given rate. Bits per pixel always count every
// byte of the stream (headers and tables included).
import jpeg from 'jpeg-js';
import { psnr8 } from './pgm.mjs';

export const QUALITIES = [2, 5, 10, 15, 20, 30, 40, 50, 60, 75, 85, 95];

/** jpeg-js as a grayscale codec (R = G = B in, R out). */
export const jpegJs = {
  encode(img, { quality }) {
    const n = img.width * img.height;
    const rgba = new Uint8Array(4 * n);
    for (let i = 0; i < n; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = img.data[i];
      rgba[4 * i + 3] = 255;
    }
    return new Uint8Array(jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data);
  },
  decode(bytes) {
    const d = jpeg.decode(bytes, { useTArray: true });
    const data = new Uint8Array(d.width * d.height);
    for (let i = 0; i < data.length; i++) data[i] = d.data[4 * i];
    return { data, width: d.width, height: d.height };
  },
};

/** `[{ quality, bpp, psnr }]` of `codec` on `img`, sorted by rate. */
export function curve(codec, img, qualities = QUALITIES) {
  return qualities
    .map((quality) => {
      const bytes = codec.encode(img, { quality });
      const back = codec.decode(bytes);
      return { quality, bpp: (8 * bytes.length) / (img.width * img.height), psnr: psnr8(img.data, back.data) };
    })
    .sort((a, b) => a.bpp - b.bpp);
}

/** PSNR of a curve at `bpp` by linear interpolation (NaN outside the curve's range). */
export function psnrAt(points, bpp) {
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (a.bpp <= bpp && bpp <= b.bpp) return a.psnr + ((bpp - a.bpp) / (b.bpp - a.bpp || 1)) * (b.psnr - a.psnr);
  }
  return NaN;
}

/** The average PSNR of `images` (one curve each) at `bpp`. */
export function meanPsnrAt(curves, bpp) {
  const v = curves.map((c) => psnrAt(c, bpp));
  return v.reduce((s, x) => s + x, 0) / v.length;
}
