/**
 * Convolution and pooling tensor ops: conv2d (strides, dilations, both together, 'valid' and
 * 'same', one image or a batch, empty batches, no output channels), conv2dTranspose (every
 * output size that fits), maxPool/avgPool and the image resizes, against
 * the plain-JS references; bad arguments now and then (a filter of other channels, a window
 * that does not fit, numeric padding, NCHW, rank 2 inputs).
 */
import { compare } from '../checks.mjs';
import * as R from '../reference.mjs';
import { tensorLike } from '../values.mjs';

/** A rank-3 reference result from a rank-4 one of a single image. */
const oneImage = (r) => ({ ...r, shape: r.shape.slice(1) });

/** Image shape [n, h, w, c] and whether x is passed as one image of rank 3. */
function images(rng) {
  const rank3 = rng.chance(0.3);
  const n = rank3 ? 1 : rng.pick([0, 1, 2, 3]);
  // Now and then zero rows, columns or channels (nothing to compute: zeros, never a trap).
  const size = () => (rng.chance(0.05) ? 0 : rng.int(1, 7));
  return { rank3, dims: [n, size(), size(), rng.chance(0.05) ? 0 : rng.int(1, 3)] };
}

const conv2dOp = {
  name: 'conv2d', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const { rank3, dims } = images(rng);
    const [, h, w, c] = dims;
    const k = [rng.int(1, 4), rng.int(1, 4)];
    const f = rng.pick([0, 1, 2, 3]);
    const s = [rng.int(1, 3), rng.int(1, 3)];
    const d = rng.chance(0.3) ? [rng.int(1, 3), rng.int(1, 3)] : [1, 1];
    const same = rng.chance(0.5);
    const fits = same || (h >= (k[0] - 1) * d[0] + 1 && w >= (k[1] - 1) * d[1] + 1);
    let xShape = rank3 ? dims.slice(1) : dims;
    let wShape = [...k, c, f];
    // TF.js's numeric pad 0 is 'valid'.
    let pad = same ? 'same' : rng.chance(0.2) ? 0 : 'valid';
    let dataFormat = 'NHWC';
    let expect = fits ? 'ok' : 'error';
    if (rng.chance(0.15)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: wShape = [...k, c + 1, f]; break;
        case 1: pad = rng.pick([1, -1, [[0, 0], [1, 1], [1, 1], [0, 0]], 'SAME']); break;
        case 2: dataFormat = 'NCHW'; break;
        default: xShape = [h, w];
      }
    }
    const x = ctx.tensorOf(xShape);
    // Finite filters: a padded zero times ±Infinity is NaN in the patch product, which the
    // reference (it skips the padding) would not give.
    const W = ctx.fresh(wShape, Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2)));
    const strides = s[0] === s[1] && rng.chance(0.5) ? s[0] : s;
    const dilations = d[0] === d[1] && rng.chance(0.5) ? d[0] : d;
    // Now and then x or the filter as nested arrays (TF.js's TensorLike, a temporary tensor).
    const xa = rng.chance(0.1) ? tensorLike(rng, x) ?? x.t : x.t;
    const wa = rng.chance(0.1) ? tensorLike(rng, W) ?? W.t : W.t;
    return {
      args: [xa, wa, strides, pad, dataFormat, dilations], expect,
      run: () => nr.conv2d(xa, wa, strides, pad, dataFormat, dilations),
      check: (t) => {
        const ref = R.conv2d({ shape: dims, vals: x.ref.vals }, W.ref, null, { k, s, d, same });
        compare('conv2d (a plain-JS convolution)', t, rank3 ? oneImage(ref) : ref, false);
      },
    };
  },
};

/** depthwiseConv2d (its own kernel), against the plain-JS depthwise convolution. */
const depthwiseOp = {
  name: 'depthwiseConv2d', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const { rank3, dims } = images(rng);
    const [n, h, w, c] = dims;
    const k = [rng.int(1, 3), rng.int(1, 3)];
    const m = rng.int(1, 2);
    const s = [rng.int(1, 2), rng.int(1, 2)];
    const d = rng.chance(0.3) ? [2, 1] : [1, 1];
    const same = rng.chance(0.5);
    const fits = same || (h >= (k[0] - 1) * d[0] + 1 && w >= (k[1] - 1) * d[1] + 1);
    let wShape = [...k, c, m];
    let expect = fits ? 'ok' : 'error';
    if (rng.chance(0.1)) {
      expect = 'error';
      wShape = [...k, c + 1, m];
    }
    const x = ctx.tensorOf(rank3 ? dims.slice(1) : dims);
    const W = ctx.fresh(wShape, Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2)));
    const pad = same ? 'same' : 'valid';
    return {
      args: [x.t, W.t, s, pad, 'NHWC', d], expect,
      run: () => nr.depthwiseConv2d(x.t, W.t, s, pad, 'NHWC', d),
      check: (t) => {
        const ref = R.depthwiseConv2d({ shape: dims, vals: x.ref.vals }, W.ref, null, { k, s, d, same });
        compare('depthwiseConv2d (a plain-JS depthwise convolution)', t, rank3 ? oneImage(ref) : ref, false);
      },
    };
  },
};

const transposeOp = {
  name: 'conv2dTranspose', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const { rank3, dims } = images(rng);
    const [n, h, w, ci] = dims;
    const k = [rng.int(1, 4), rng.int(1, 4)];
    const s = [rng.int(1, 3), rng.int(1, 3)];
    const same = rng.chance(0.5);
    const co = rng.int(0, 3);
    // An output size whose conv2d gives x's: valid (in−1)·s + k … + s − 1, same (in−1)·s + 1 … in·s.
    const outLen = (len, a) => (same ? (len - 1) * s[a] + rng.int(1, s[a]) : (len - 1) * s[a] + k[a] + rng.int(0, s[a] - 1));
    let out = [n, Math.max(0, outLen(h, 0)), Math.max(0, outLen(w, 1)), co];
    let wShape = [...k, co, ci];
    const goes = (len, o, a) => R.windowPlace(o, k[a], s[a], 1, same).out === len && (same || o >= k[a]);
    let expect = goes(h, out[1], 0) && goes(w, out[2], 1) ? 'ok' : 'error';
    if (rng.chance(0.15)) {
      expect = 'error';
      // (A batch of another size only where there is a batch: rank 4.)
      switch (rng.int(0, rank3 ? 1 : 2)) {
        case 0: out = [n, out[1] + s[0] * 2 + 1, out[2], co]; break;
        case 1: wShape = [...k, co, ci + 1]; break;
        default: out = [n + 1, out[1], out[2], co];
      }
    }
    const x = ctx.tensorOf(rank3 ? dims.slice(1) : dims);
    const W = ctx.fresh(wShape, Array.from({ length: wShape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2)));
    const outArg = rank3 ? out.slice(1) : out;
    return {
      args: [x.t, W.t, outArg, s, same ? 'same' : 'valid'], expect,
      run: () => nr.conv2dTranspose(x.t, W.t, outArg, s, same ? 'same' : 'valid'),
      check: (t) => {
        const ref = R.conv2dTranspose({ shape: dims, vals: x.ref.vals }, W.ref, out, { s, same });
        compare('conv2dTranspose (a plain-JS transposed convolution)', t, rank3 ? oneImage(ref) : ref, false);
      },
    };
  },
};

const poolOp = {
  name: 'pool2d', weight: 2,
  gen(ctx) {
    const { rng, nr } = ctx;
    const max = rng.chance(0.5);
    const op = max ? 'maxPool' : 'avgPool';
    const { rank3, dims } = images(rng);
    const [, h, w] = dims;
    const k = [rng.int(1, 4), rng.int(1, 4)];
    const s = [rng.int(1, 3), rng.int(1, 3)];
    const same = rng.chance(0.5);
    let xShape = rank3 ? dims.slice(1) : dims;
    let size = k[0] === k[1] && rng.chance(0.5) ? k[0] : k;
    let pad = same ? 'same' : rng.chance(0.2) ? 0 : 'valid';
    let expect = same || (h >= k[0] && w >= k[1]) ? 'ok' : 'error';
    if (rng.chance(0.15)) {
      expect = 'error';
      switch (rng.int(0, 2)) {
        case 0: size = rng.pick([0, [2, 0], -1, 1.5, [1, 2, 3]]); break;
        case 1: pad = rng.pick([1, 'full', null]); break;
        default: xShape = [h * w];
      }
    }
    const x = ctx.tensorOf(xShape);
    return {
      op, args: [x.t, size, s, pad], expect,
      run: () => nr[op](x.t, size, s, pad),
      check: (t) => {
        const ref = R.pool2d({ shape: dims, vals: x.ref.vals }, { k, s, same, max });
        compare(`${op} (a plain-JS pooling)`, t, rank3 ? oneImage(ref) : ref, max);
      },
    };
  },
};

/**
 * image.resizeBilinear / resizeNearestNeighbor up and down, every option, empty outputs, bad
 * arguments now and then (both options true, a size that is not a pair of non-negative integers,
 * a non-boolean option, rank-2 images, an empty image to a non-empty size), against TF.js's
 * kernel in plain JS bit for bit.
 */
const resizeOp = {
  name: 'resize', weight: 1,
  gen(ctx) {
    const { rng, nr } = ctx;
    const bilinear = rng.chance(0.5);
    const op = bilinear ? 'resizeBilinear' : 'resizeNearestNeighbor';
    const { rank3, dims } = images(rng);
    const [, h, w] = dims;
    let size = [rng.chance(0.05) ? 0 : rng.int(1, 9), rng.chance(0.05) ? 0 : rng.int(1, 9)];
    let [ac, hp] = rng.pick([[false, false], [true, false], [false, true]]);
    let xShape = rank3 ? dims.slice(1) : dims;
    let expect = (h === 0 || w === 0) && size[0] > 0 && size[1] > 0 ? 'error' : 'ok';
    if (rng.chance(0.15)) {
      expect = 'error';
      switch (rng.int(0, 3)) {
        case 0: [ac, hp] = [true, true]; break;
        case 1: size = rng.pick([[2], [2, -1], [1.5, 2], 3, [2, '2']]); break;
        case 2: ac = rng.pick([1, 'true', null]); break;
        default: xShape = [h, w];
      }
    }
    const x = ctx.tensorOf(xShape);
    return {
      op, args: [x.t, size, ac, hp], expect,
      run: () => nr.image[op](x.t, size, ac, hp),
      check: (t) => {
        const ref = R.resize({ shape: dims, vals: x.ref.vals }, { size, bilinear, alignCorners: ac, halfPixelCenters: hp });
        compare(`${op} (TF.js's kernel in plain JS)`, t, rank3 ? oneImage(ref) : ref, true);
      },
    };
  },
};

export default { name: 'convolution', weight: 2, ops: [conv2dOp, depthwiseOp, transposeOp, poolOp, resizeOp] };
