/**
 * The detection-side `image.*` ops (ts/image/crop_and_resize.ts, non_max_suppression.ts,
 * threshold.ts, transform.ts): cropAndResize, nonMaxSuppression, nonMaxSuppressionWithScore,
 * nonMaxSuppressionPadded (and their Async forms, whose rejections must be NeuriteErrors
 * naming the Async op), threshold, transform and rotateWithOffset.
 *
 * Valid calls run over random shapes: 1-pixel images, zero batches and zero channels, empty box
 * lists, crop size 1, boxes past the edges, flipped and of zero area, integer-grid boxes whose
 * IoUs tie the threshold exactly, tied scores, NaN / ±Infinity / −0 scores, every method,
 * interpolation and fill mode, transforms with a projective denominator that is exactly 0 at
 * some pixel, and TensorLike arguments now and then. Invalid calls: wrong ranks and shapes,
 * out-of-range and fractional boxInd, non-finite boxes and transforms, NaN thresholds, bad
 * maxOutputSize / cropSize / outputShape, unknown method / interpolation / fillMode strings,
 * bad booleans and fill values, disposed tensors and non-tensor junk; they must throw (or
 * reject) a NeuriteError naming the op. 'either': outputs that hold no values but whose shape
 * is over the core's limit (the core may refuse the shape) and a maxOutputSize of 2^31 or more
 * (TF.js takes it; neurite's integer arguments stop at 2^31 − 1).
 *
 * The references below are plain JS written from TF.js's documented semantics (its CPU
 * kernels' sample positions and interpolation), not from neurite's code:
 *   - cropAndResize, bilinear and nearest: exact (bit for bit);
 *   - hard NMS (nonMaxSuppression, WithScore with σ = 0, Padded with and without padding):
 *     the indices (and scores, valid counts) exactly;
 *   - threshold 'binary': exact; 'otsu': a threshold function of the gray level (every 255
 *     pixel on one side of every 0 pixel, none of gray > 254 on the 0 side), and exact against
 *     a float64 Otsu unless two different splits come within 1e-5 of each other;
 *   - transform, every fill mode and both interpolations: per pixel (the fill modes' folds
 *     transcribed from TensorFlow's map_coordinate, which the TSDoc says neurite follows,
 *     quirks included), near ties of the rounding skipped; and, independently of those folds,
 *     'reflect' / 'wrap' with nearest interpolation read only values of the image or the fill,
 *     with bilinear stay in their hull;
 *   - rotateWithOffset: per pixel (rounding ties skipped);
 *   - soft-NMS (σ > 0): shapes, distinct in-range indices, |score| ≤ the box's score and above
 *     scoreThreshold, the best box first, pairwise IoU of the kept boxes below the threshold,
 *     scores non-increasing when no candidate is negative.
 * Every valid call is made a second time in its check (the sync form for an Async call) and
 * must give the same bits.
 */
import { bits, compare, compareShape, Mismatch } from '../checks.mjs';
import { badInt, garbage, tensorLike } from '../values.mjs';

const f32 = Math.fround;
const sizeOf = (s) => s.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------
// Arguments.

const SPECIALS = [NaN, Infinity, -Infinity, -0, 3.4e38, -3.4e38, 1e-40];

/** Pixel values: real, bytes (0–255), small integers (ties), with specials in 20% of images. */
function pixels(rng, n, kind = rng.pick(['real', 'byte', 'small'])) {
  const sp = rng.chance(0.2) ? 0.1 : 0;
  return Array.from({ length: n }, () => {
    if (rng.chance(sp)) return rng.pick(SPECIALS);
    if (kind === 'byte') return rng.chance(0.7) ? rng.int(0, 255) : rng.uniform(0, 255);
    if (kind === 'small') return rng.int(-2, 2);
    return rng.uniform(-3, 3);
  });
}

/** A tensor argument: a fresh pool tensor, or (now and then) its values as TensorLike. */
function tensorArg(ctx, shape, vals, likeP = 0.12) {
  const e = ctx.fresh(shape, vals);
  if (ctx.rng.chance(likeP)) {
    const like = tensorLike(ctx.rng, e);
    if (like !== null) return { arg: like, vals: e.vals, shape };
  }
  return { arg: e.t, vals: e.vals, shape };
}

/** Non-tensor junk or a disposed tensor where a tensor belongs. */
function junk(ctx) {
  return ctx.rng.chance(0.4) ? ctx.disposed() : garbage(ctx.rng);
}

/** Drops trailing `undefined` arguments (the same call, shorter to read). */
function trim(args, keep) {
  const out = args.slice();
  while (out.length > keep && out[out.length - 1] === undefined) out.pop();
  return out;
}

/** `expect` from validity flags. */
const expectOf = (ok, either) => (!ok ? 'error' : either ? 'either' : 'ok');

/**
 * Whether `v` is within 1e-9 (relative) of a half but not exactly on it: Math.round of it may
 * go either way under another order of the same arithmetic. An exact half (0.5 scales, shifts
 * by 0.5, odd sizes about the centre) is kept: the documented formula gives it exactly and it
 * rounds up.
 */
function nearHalf(v) {
  const f = v - Math.floor(v);
  return f !== 0.5 && Math.abs(f - 0.5) < 1e-9 * Math.max(1, Math.abs(v));
}

/** Whether `v` is within 1e-9 (relative) of an integer. */
function nearInt(v) {
  const f = v - Math.floor(v);
  return Math.min(f, 1 - f) < 1e-9 * Math.max(1, Math.abs(v));
}

/** The tensors of a result (a tensor, or a plain object of them), by key. */
function parts(res) {
  return res && typeof res === 'object' && !Array.isArray(res) && Object.getPrototypeOf(res) === Object.prototype ? res : { result: res };
}

/**
 * Determinism: `again()` (the same call, synchronous) must give the same shapes and bits as
 * `first`. The second results are disposed.
 */
function sameTwice(nr, what, first, again) {
  const second = again();
  const a = parts(first);
  const b = parts(second);
  try {
    for (const k of Object.keys(a)) {
      const x = a[k];
      const y = b[k];
      if (!(y instanceof nr.Tensor)) throw new Mismatch(`${what}: a second identical call gave no tensor ${k}`);
      if (x.shape.join() !== y.shape.join()) throw new Mismatch(`${what}: ${k} has shape [${x.shape}], a second identical call [${y.shape}]`);
      const bx = bits(x.dataSync());
      const by = bits(y.dataSync());
      const i = bx.findIndex((v, j) => v !== by[j]);
      if (i >= 0) throw new Mismatch(`${what}: ${k} element ${i} is ${x.dataSync()[i]}, a second identical call gave ${y.dataSync()[i]} (not deterministic)`);
    }
  } finally {
    for (const t of Object.values(b)) if (t instanceof nr.Tensor) t.dispose();
  }
}

/** Checks that `res` is a plain object holding tensors under `keys`. */
function expectObject(nr, what, res, keys) {
  if (!res || typeof res !== 'object' || keys.some((k) => !(res[k] instanceof nr.Tensor))) {
    throw new Mismatch(`${what}: resolved to ${res instanceof nr.Tensor ? 'a tensor' : typeof res}, not { ${keys.join(', ')} } of tensors`);
  }
}

// ---------------------------------------------------------------------------------------------
// cropAndResize.

/** A box [y1, x1, y2, x2]: inside, on the quarter grid, past the edges, flipped, a point, a line, the whole image, huge. */
function cropBox(rng) {
  const u = () => rng.uniform(0, 1);
  switch (rng.weighted({ inside: 4, grid: 3, past: 2, flipped: 2, point: 1, line: 1, full: 1, huge: 0.3 })) {
    case 'inside': {
      const [y1, y2] = [u(), u()].sort((a, b) => a - b);
      const [x1, x2] = [u(), u()].sort((a, b) => a - b);
      return [y1, x1, y2, x2];
    }
    case 'grid': return Array.from({ length: 4 }, () => rng.pick([0, 0.25, 0.5, 0.75, 1]));
    case 'past': return Array.from({ length: 4 }, () => (rng.chance(0.2) ? rng.pick([-1, 2, -0.5, 1.5]) : rng.uniform(-1, 2)));
    case 'flipped': {
      const [y2, y1] = [u(), u()].sort((a, b) => a - b);
      const [x2, x1] = [u(), u()].sort((a, b) => a - b);
      return rng.chance(0.5) ? [y1, x1, y2, x2] : [y1, x2, y2, x1];
    }
    case 'point': {
      const y = rng.chance(0.5) ? rng.pick([0, 0.5, 1]) : u();
      const x = rng.chance(0.5) ? rng.pick([0, 0.5, 1]) : u();
      return [y, x, y, x];
    }
    case 'line': {
      const y = u();
      return rng.chance(0.5) ? [y, u(), y, u()] : [u(), y, u(), y];
    }
    case 'huge': return Array.from({ length: 4 }, () => rng.pick([3e38, -3e38, 1e30, -1e30, 0.5]));
    default: return rng.chance(0.7) ? [0, 0, 1, 1] : [1, 1, 0, 0];
  }
}

/**
 * Where TF.js's CropAndResize samples one axis of a box: `count` positions from `a·(size−1)`
 * in steps of `(b−a)·(size−1)/(count−1)` (the step computed once, as its kernel), or the
 * box's centre for a count of 1.
 */
function samplePositions(a, b, size, count) {
  if (count === 1) return [0.5 * (a + b) * (size - 1)];
  const step = ((b - a) * (size - 1)) / (count - 1);
  return Array.from({ length: count }, (_, i) => a * (size - 1) + i * step);
}

/** cropAndResize in plain JS: `[n, ch, cw, c]` crops of the float32 image. */
function cropRef(img, [, H, W, C], boxes, ind, [ch, cw], nearest, fill) {
  const n = ind.length;
  const shape = [n, ch, cw, C];
  if (n === 0 || C === 0) return { shape, vals: [] };
  const at = (b, y, x, k) => img[((b * H + y) * W + x) * C + k];
  const lerp = (p, q, t) => p + (q - p) * t;
  const vals = [];
  for (let i = 0; i < n; i++) {
    const ys = samplePositions(boxes[4 * i], boxes[4 * i + 2], H, ch);
    const xs = samplePositions(boxes[4 * i + 1], boxes[4 * i + 3], W, cw);
    const b = ind[i];
    for (const sy of ys) {
      for (const sx of xs) {
        for (let k = 0; k < C; k++) {
          if (!(sy >= 0 && sy <= H - 1 && sx >= 0 && sx <= W - 1)) vals.push(fill);
          else if (nearest) vals.push(at(b, Math.round(sy), Math.round(sx), k));
          else {
            const top = Math.floor(sy);
            const bottom = Math.ceil(sy);
            const left = Math.floor(sx);
            const right = Math.ceil(sx);
            const fx = sx - left;
            const fy = sy - top;
            vals.push(lerp(lerp(at(b, top, left, k), at(b, top, right, k), fx), lerp(at(b, bottom, left, k), at(b, bottom, right, k), fx), fy));
          }
        }
      }
    }
  }
  return { shape, vals };
}

const cropOp = {
  name: 'image.cropAndResize', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fault = rng.chance(0.25)
      ? rng.pick(['rank', 'empty', 'boxesShape', 'boxesNonFinite', 'boxIndShape', 'boxIndValue', 'boxIndValue', 'cropSize', 'cropSize', 'method', 'extrap', 'oom', 'junk'])
      : null;
    let ok = true;
    let either = false;
    const n = rng.chance(0.1) ? 0 : rng.int(1, 5);
    const batch = n === 0 && rng.chance(0.3) ? 0 : rng.int(1, 3);
    const h = rng.chance(0.25) ? 1 : rng.int(1, 6);
    const w = rng.chance(0.25) ? 1 : rng.int(1, 6);
    let c = rng.chance(0.05) ? 0 : rng.int(1, 3);
    let ch = rng.chance(0.3) ? 1 : rng.int(1, 6);
    let cw = rng.chance(0.3) ? 1 : rng.int(1, 6);
    // Zero channels: no values, whatever the crop size. Kept to 300×300 positions: the kernel
    // walks every output position even with no channels (a [2^31 − 1, 2^31 − 1] crop of a
    // zero-channel image never returns; reported with this family).
    if (c === 0 && rng.chance(0.5)) [ch, cw] = [rng.int(1, 300), rng.int(1, 300)];
    let cropSize = [ch, cw];
    if (fault === 'oom') {
      cropSize = rng.pick([[65536, 65536], [2 ** 31 - 1, 2 ** 31 - 1], [40000, 40000]]);
      // Values over MAX_ELEMENTS: OutOfMemoryError. No crops: no values, but the shape is over
      // the core's limit. Never zero channels with boxes (the kernel would walk 2^32 positions).
      if (n > 0) {
        c = Math.max(c, 1);
        ok = false;
      } else either = true;
    }
    let imgShape = [batch, h, w, c];
    if (fault === 'rank') {
      imgShape = rng.pick([[h, w, c], [batch, h, w, c, 1], [h * w * c], []]);
      ok = false;
    } else if (fault === 'empty') {
      imgShape = rng.chance(0.5) ? [batch, 0, w, c] : [batch, h, 0, c];
      ok = false;
    }
    const image = tensorArg(ctx, imgShape, pixels(rng, sizeOf(imgShape)), 0.08);

    const boxVals = [];
    for (let i = 0; i < n; i++) boxVals.push(...cropBox(rng));
    let boxShape = [n, 4];
    if (fault === 'boxesShape') {
      boxShape = rng.pick([[n, 3], [n, 5], [4 * n], [n, 4, 1], [1, n, 4], [n, 2, 2]]);
      while (boxVals.length < sizeOf(boxShape)) boxVals.push(rng.uniform(0, 1));
      boxVals.length = sizeOf(boxShape);
      ok = false;
    } else if (fault === 'boxesNonFinite' && n > 0) {
      boxVals[rng.int(0, 4 * n - 1)] = rng.pick([NaN, Infinity, -Infinity]);
      ok = false;
    }
    const boxes = tensorArg(ctx, boxShape, boxVals);

    const indVals = Array.from({ length: n }, () => (batch === 0 ? 0 : rng.chance(0.05) ? -0 : rng.int(0, batch - 1)));
    let indShape = [n];
    if (fault === 'boxIndShape') {
      indShape = rng.pick([[n + 1], [n, 1], [1, n], [], ...(n > 0 ? [[n - 1]] : [])]);
      while (indVals.length < sizeOf(indShape)) indVals.push(0);
      indVals.length = sizeOf(indShape);
      ok = false;
    } else if (fault === 'boxIndValue' && n > 0) {
      // The batch size itself (one past the last image) most often: the off-by-one.
      indVals[rng.int(0, n - 1)] = rng.chance(0.4) ? batch : rng.pick([batch + 1, -1, 0.5, batch - 0.5, -0.5, NaN, Infinity, -Infinity, 2 ** 31, 1e-40]);
      ok = false;
    }
    if (batch === 0 && n > 0) ok = false;
    const boxInd = rng.chance(0.15) && indShape.length === 1 ? { arg: Array.from(indVals), vals: Float32Array.from(indVals) } : tensorArg(ctx, indShape, indVals);

    if (fault === 'cropSize') {
      cropSize = rng.pick([[0, cw], [ch, 0], [1.5, cw], [NaN, 1], [ch], [ch, cw, 1], 'abc', undefined, null, [2 ** 31, 1], ['2', 2], [-1, 2], ch, [ch, Infinity], {}]);
      ok = false;
    }
    let method = rng.pick([undefined, 'bilinear', 'nearest', 'nearest']);
    if (fault === 'method') {
      method = rng.pick(['bicubic', 'Bilinear', 'NEAREST', null, 0, 'area', '']);
      ok = false;
    }
    let extrap = rng.pick([undefined, 0, 0, -1, 0.5, NaN, Infinity, -Infinity, 1e-40, -0, rng.uniform(-3, 3), 1e39]);
    if (fault === 'extrap') {
      extrap = rng.pick(['0', null, {}, [0], true, 1n]);
      ok = false;
    }
    let imageArg = image.arg;
    let boxesArg = boxes.arg;
    let indArg = boxInd.arg;
    if (fault === 'junk') {
      const which = rng.int(0, 2);
      if (which === 0) imageArg = junk(ctx);
      else if (which === 1) boxesArg = junk(ctx);
      else indArg = junk(ctx);
      ok = false;
    }
    const args = trim([imageArg, boxesArg, indArg, cropSize, method, extrap], 4);
    const f = () => nr.image.cropAndResize(...args);
    return {
      op: 'image.cropAndResize', args, names: ['cropAndResize'], expect: expectOf(ok, either), handlesNeutral: true,
      run: f,
      check: (t) => {
        if (!(t instanceof nr.Tensor)) throw new Mismatch('image.cropAndResize: did not return a tensor');
        const ref = cropRef(image.vals, imgShape, boxes.vals, boxInd.vals, cropSize, method === 'nearest', extrap ?? 0);
        compare(`image.cropAndResize (${method ?? 'bilinear'}, TF.js's sampling in plain JS)`, t, ref, true);
        sameTwice(nr, 'image.cropAndResize', t, f);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Non-maximum suppression.

/** `n` boxes: an integer grid (exact IoU ties), random, clusters, duplicates, zero-area, huge. */
function nmsBoxes(rng, n) {
  const mode = rng.weighted({ grid: 3, random: 3, cluster: 3, dup: 1, degenerate: 1, huge: 0.5 });
  const out = [];
  if (mode === 'cluster' || mode === 'dup') {
    const bases = Array.from({ length: mode === 'dup' ? rng.int(1, 2) : rng.int(1, 3) }, () => {
      const y = rng.uniform(0, 4);
      const x = rng.uniform(0, 4);
      return [y, x, y + rng.uniform(0.2, 2), x + rng.uniform(0.2, 2)];
    });
    for (let i = 0; i < n; i++) {
      const b = rng.pick(bases).slice();
      if (mode === 'cluster') for (let k = 0; k < 4; k++) b[k] += rng.uniform(-0.3, 0.3);
      // Either corner first.
      if (rng.chance(0.2)) [b[0], b[2]] = [b[2], b[0]];
      if (rng.chance(0.2)) [b[1], b[3]] = [b[3], b[1]];
      out.push(...b);
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    if (mode === 'grid') out.push(rng.int(0, 4), rng.int(0, 4), rng.int(0, 4), rng.int(0, 4));
    else if (mode === 'random') out.push(rng.uniform(-1, 2), rng.uniform(-1, 2), rng.uniform(-1, 2), rng.uniform(-1, 2));
    else if (mode === 'degenerate') {
      const y = rng.int(0, 3);
      const x = rng.int(0, 3);
      out.push(...(rng.chance(0.5) ? [y, x, y, x + rng.int(0, 2)] : [y, x, y + rng.int(1, 2), x + rng.int(1, 2)]));
    } else out.push(...Array.from({ length: 4 }, () => rng.pick([1e30, -1e30, 3e38, -3e38, 0, 1, 1e-30])));
  }
  return out;
}

/** `n` scores: distinct, tied, with specials (NaN, ±Infinity, ±0), all equal, or negative. */
function nmsScores(rng, n) {
  const mode = rng.weighted({ distinct: 3, ties: 3, specials: 2, equal: 1, negative: 1 });
  const eq = rng.pick([0.5, 0, -1, Infinity]);
  return Array.from({ length: n }, () => {
    switch (mode) {
      case 'distinct': return rng.uniform(0, 1);
      case 'ties': return rng.pick([0.1, 0.5, 0.5, 0.9, 1]);
      case 'specials': return rng.chance(0.35) ? rng.pick([NaN, Infinity, -Infinity, -0, 0, 1e-40]) : rng.uniform(0, 1);
      case 'equal': return eq;
      default: return rng.uniform(-2, 1);
    }
  });
}

/** The IoU of boxes i and j (each corner pair in either order); 0 when either has no area. */
function iou(B, i, j) {
  const side = (p, q) => [Math.min(p, q), Math.max(p, q)];
  const [ay0, ay1] = side(B[4 * i], B[4 * i + 2]);
  const [ax0, ax1] = side(B[4 * i + 1], B[4 * i + 3]);
  const [by0, by1] = side(B[4 * j], B[4 * j + 2]);
  const [bx0, bx1] = side(B[4 * j + 1], B[4 * j + 3]);
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Greedy (hard) NMS: the boxes scoring above `scoreThr` (NaN never does), best score first and
 * the lower index first on ties; a box is kept when its IoU with every kept box is below
 * `iouThr`; at most min(maxOutputSize, numBoxes).
 */
function hardNms(B, S, max, iouThr, scoreThr) {
  const order = [];
  for (let i = 0; i < S.length; i++) if (S[i] > scoreThr) order.push(i);
  order.sort((a, b) => S[b] - S[a] || a - b);
  const keep = [];
  const limit = Math.min(max, S.length);
  for (const i of order) {
    if (keep.length >= limit) break;
    if (keep.every((j) => iou(B, i, j) < iouThr)) keep.push(i);
  }
  return keep;
}

/** Soft-NMS's selections: what can be said without re-running its lazy re-scoring. */
function checkSoft(what, idxT, scT, B, S, max, iouThr, scoreThr, hardFirst) {
  const n = S.length;
  const limit = Math.min(max, n);
  const k = idxT.shape[0];
  if (idxT.shape.length !== 1 || scT.shape.length !== 1 || scT.shape[0] !== k) throw new Mismatch(`${what}: selectedIndices [${idxT.shape}] and selectedScores [${scT.shape}] are not two vectors of one length`);
  if (k > limit) throw new Mismatch(`${what}: ${k} selections, more than min(maxOutputSize, numBoxes) = ${limit}`);
  const idx = idxT.dataSync();
  const sc = scT.dataSync();
  const seen = new Set();
  for (let i = 0; i < k; i++) {
    const b = idx[i];
    if (!Number.isInteger(b) || b < 0 || b >= n || seen.has(b)) throw new Mismatch(`${what}: selectedIndices[${i}] = ${b} is not a new box index in [0, ${n})`);
    seen.add(b);
    const orig = S[b];
    if (!(orig > scoreThr)) throw new Mismatch(`${what}: box ${b} (score ${orig}) was selected with scoreThreshold ${scoreThr}`);
    if (!(Math.abs(sc[i]) <= Math.abs(orig)) || (orig > 0 && sc[i] < 0) || (orig < 0 && sc[i] > 0)) throw new Mismatch(`${what}: selectedScores[${i}] = ${sc[i]} for box ${b} of score ${orig}: soft-NMS only multiplies by a weight in (0, 1]`);
    if (Number.isFinite(scoreThr) && !(sc[i] >= f32(scoreThr))) throw new Mismatch(`${what}: selectedScores[${i}] = ${sc[i]} is not above scoreThreshold ${scoreThr}`);
    for (let j = 0; j < i; j++) {
      if (!(iou(B, b, idx[j]) < iouThr)) throw new Mismatch(`${what}: boxes ${idx[j]} and ${b} were both kept with IoU ${iou(B, b, idx[j])} ≥ iouThreshold ${iouThr}`);
    }
  }
  if (hardFirst !== undefined && limit > 0) {
    if (k === 0) throw new Mismatch(`${what}: nothing selected, but box ${hardFirst} scores above the threshold`);
    if (idx[0] !== hardFirst || sc[0] !== S[hardFirst]) throw new Mismatch(`${what}: the first selection is box ${idx[0]} (score ${sc[0]}), expected the best box ${hardFirst} (score ${S[hardFirst]})`);
  }
  if (S.every((s) => !(s > scoreThr) || s >= 0)) {
    for (let i = 1; i < k; i++) if (sc[i] > sc[i - 1]) throw new Mismatch(`${what}: selectedScores rise from ${sc[i - 1]} to ${sc[i]} at ${i} (non-negative scores only fall)`);
  }
}

const NMS = {
  nonMaxSuppression: { kind: 'plain', sync: 'nonMaxSuppression' },
  nonMaxSuppressionAsync: { kind: 'plain', sync: 'nonMaxSuppression', async: true },
  nonMaxSuppressionWithScore: { kind: 'score', sync: 'nonMaxSuppressionWithScore' },
  nonMaxSuppressionWithScoreAsync: { kind: 'score', sync: 'nonMaxSuppressionWithScore', async: true },
  nonMaxSuppressionPadded: { kind: 'padded', sync: 'nonMaxSuppressionPadded' },
  nonMaxSuppressionPaddedAsync: { kind: 'padded', sync: 'nonMaxSuppressionPadded', async: true },
};

const nmsOp = {
  name: 'image.nonMaxSuppression*', weight: 6,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fn = rng.weighted({ nonMaxSuppression: 3, nonMaxSuppressionAsync: 1, nonMaxSuppressionWithScore: 3, nonMaxSuppressionWithScoreAsync: 1, nonMaxSuppressionPadded: 2, nonMaxSuppressionPaddedAsync: 1 });
    const { kind, sync, async } = NMS[fn];
    const fault = rng.chance(0.25)
      ? rng.pick(['boxesShape', 'scoresShape', 'nonFinite', 'max', 'max', 'iou', 'score', 'extra', 'junk'])
      : null;
    let ok = true;
    let either = false;
    const n = rng.chance(0.1) ? 0 : rng.chance(0.15) ? rng.int(13, 40) : rng.int(1, 12);
    const boxVals = nmsBoxes(rng, n);
    let boxShape = [n, 4];
    if (fault === 'boxesShape') {
      boxShape = rng.pick([[n, 3], [n, 5], [4 * n], [n, 4, 1], [1, n, 4]]);
      while (boxVals.length < sizeOf(boxShape)) boxVals.push(rng.uniform(0, 1));
      boxVals.length = sizeOf(boxShape);
      ok = false;
    } else if (fault === 'nonFinite' && n > 0) {
      boxVals[rng.int(0, 4 * n - 1)] = rng.pick([NaN, Infinity, -Infinity]);
      ok = false;
    }
    const boxes = tensorArg(ctx, boxShape, boxVals);
    const scoreVals = nmsScores(rng, n);
    let scoreShape = [n];
    if (fault === 'scoresShape') {
      scoreShape = rng.pick([[n + 1], [n, 1], [1, n], ...(n > 0 ? [[n - 1]] : []), []]);
      while (scoreVals.length < sizeOf(scoreShape)) scoreVals.push(0.5);
      scoreVals.length = sizeOf(scoreShape);
      ok = false;
    }
    const scores = rng.chance(0.12) && scoreShape.length === 1
      ? { arg: rng.chance(0.5) ? Array.from(scoreVals) : Float32Array.from(scoreVals), vals: Float32Array.from(scoreVals) }
      : tensorArg(ctx, scoreShape, scoreVals);

    let max = rng.pick([n, n, n, rng.int(0, n + 3), rng.int(1, n + 3), 0, -0, 1, 2, 2 ** 31 - 1]);
    if (rng.chance(0.02)) max = rng.pick([2 ** 31, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER]);
    if (fault === 'max') max = rng.pick([-1, 1.5, NaN, Infinity, -Infinity, '3', null, undefined, [3], -0.5, badInt(rng)]);
    // An integer ≥ 0; TF.js takes any count, neurite's integer arguments stop at 2^31 − 1.
    if (!(typeof max === 'number' && Number.isInteger(max) && max >= 0)) ok = false;
    else if (max > 2 ** 31 - 1) either = true;
    let iouThr = rng.pick([undefined, null, 0.5, 0.5, 0, 1, -0, 0.3, 1 / 3, 0.7, rng.uniform(0, 1)]);
    if (fault === 'iou') {
      iouThr = rng.pick([NaN, -0.1, 1.1, Infinity, -Infinity, '0.5', true, [0.5], 1.0000001]);
      ok = false;
    }
    // One of the scores now and then (a tie: not above it); a NaN score gives 0.5 instead.
    const tie = n > 0 ? scores.vals[rng.int(0, n - 1)] : 0;
    let scoreThr = rng.pick([undefined, undefined, null, -Infinity, -Infinity, 0, -0, 0.5, rng.chance(0.3) ? Infinity : 0.1, rng.uniform(-1, 1), Number.isNaN(tie) ? 0.5 : tie]);
    if (fault === 'score') {
      scoreThr = rng.pick([NaN, '0', {}, true, [0]]);
      ok = false;
    }
    let extra;
    if (kind === 'score') extra = rng.pick([undefined, null, 0, 0, -0, 0.5, 1, 1e-3, 0.1, rng.uniform(0, 1)]);
    else if (kind === 'padded') extra = rng.pick([undefined, true, true, false]);
    if (fault === 'extra') {
      if (kind === 'score') extra = rng.pick([NaN, -0.5, 1.5, '0', Infinity, true]);
      else if (kind === 'padded') extra = rng.pick([1, 0, 'true', null, {}]);
      else extra = undefined;
      ok = kind === 'plain' && ok;
    }
    let boxesArg = boxes.arg;
    let scoresArg = scores.arg;
    if (fault === 'junk') {
      if (rng.chance(0.5)) boxesArg = junk(ctx);
      else scoresArg = junk(ctx);
      ok = false;
    }
    const args = trim([boxesArg, scoresArg, max, iouThr, scoreThr, ...(kind === 'plain' ? [] : [extra])], 2);
    const iouV = iouThr ?? 0.5;
    const scoreV = scoreThr ?? -Infinity;
    const sigma = kind === 'score' ? extra ?? 0 : 0;
    const line = `${async ? 'await ' : ''}image.${fn}(${args.map((a) => ctx.show(a)).join(', ')})`;
    const again = () => nr.image[sync](...args);
    return {
      op: `image.${fn}`, args, line, names: [fn], expect: expectOf(ok, either), handlesNeutral: true,
      run: () => nr.image[fn](...args),
      check: (res) => {
        const what = `image.${fn}`;
        const B = boxes.vals;
        const S = scores.vals;
        const keep = hardNms(B, S, max, iouV, scoreV);
        if (kind === 'plain') {
          if (!(res instanceof nr.Tensor)) throw new Mismatch(`${what}: did not ${async ? 'resolve to' : 'return'} a tensor`);
          compare(`${what} (greedy NMS in plain JS)`, res, { shape: [keep.length], vals: keep }, true);
        } else if (kind === 'score') {
          expectObject(nr, what, res, ['selectedIndices', 'selectedScores']);
          if (sigma === 0) {
            compare(`${what} selectedIndices (σ = 0: greedy NMS in plain JS)`, res.selectedIndices, { shape: [keep.length], vals: keep }, true);
            compare(`${what} selectedScores (σ = 0: the boxes' scores)`, res.selectedScores, { shape: [keep.length], vals: keep.map((i) => S[i]) }, true);
          } else {
            checkSoft(`${what} (soft-NMS, σ = ${sigma})`, res.selectedIndices, res.selectedScores, B, S, max, iouV, scoreV, keep[0]);
          }
        } else {
          expectObject(nr, what, res, ['selectedIndices', 'validOutputs']);
          const padTo = extra === true ? Math.min(max, n) : keep.length;
          const want = [...keep, ...new Array(padTo - keep.length).fill(0)];
          compare(`${what} selectedIndices (greedy NMS in plain JS${extra === true ? ', padded with 0s' : ''})`, res.selectedIndices, { shape: [want.length], vals: want }, true);
          compare(`${what} validOutputs`, res.validOutputs, { shape: [], vals: [keep.length] }, true);
        }
        sameTwice(nr, `${what}${async ? ` against ${sync}` : ''}`, res, again);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// threshold.

/** TF.js's luma weights as the float32 scalars its `mul` sees. */
const LUMA = [f32(0.2989), f32(0.587), f32(0.114)];

/** The gray level of each pixel: the value (1 channel) or the float32 luma sum (3 channels). */
function grayOf(vals, c) {
  if (c === 1) return Array.from(vals);
  const out = [];
  for (let i = 0; i + 2 < vals.length; i += 3) {
    const r = f32(vals[i] * LUMA[0]);
    const g = f32(vals[i + 1] * LUMA[1]);
    const b = f32(vals[i + 2] * LUMA[2]);
    out.push(f32(f32(r + g) + b));
  }
  return out;
}

/** Round half to even (TF.js's round). */
function roundEven(v) {
  const lo = Math.floor(v);
  const d = v - lo;
  if (d !== 0.5) return Math.round(v);
  return lo % 2 === 0 ? lo : lo + 1;
}

/**
 * Otsu's threshold in float64: the gray levels rounded half to even into 256 bins (levels over
 * 255 left out), the split t in 0..254 with the largest between-class variance
 * wF·wB·(μF − μB)² (classes 0..t and t+1..255, both non-empty), the first on ties; −1 when no
 * split has both classes. `{ t }`, or null when a split of other bins that binarises the
 * image differently comes within 1e-5 (relative) of the best (float32 may pick either).
 */
function otsuRef(gray) {
  const hist = new Array(256).fill(0);
  for (const g of gray) {
    const l = roundEven(g);
    if (l <= 255) hist[Math.abs(l)]++;
  }
  const n = gray.length;
  const v = [];
  // The class sizes of each split: splits with the same one hold the same bins (the ones
  // between are empty), so float32 gives them the same variance too and takes the first.
  const below = [];
  for (let t = 0; t < 255; t++) {
    let s1 = 0;
    let a = 0;
    let s2 = 0;
    let b = 0;
    for (let i = 0; i < 256; i++) {
      if (i <= t) {
        s1 += hist[i];
        a += i * hist[i];
      } else {
        s2 += hist[i];
        b += i * hist[i];
      }
    }
    const d = a / s1 - b / s2;
    below.push(s1);
    v.push(s1 > 0 && s2 > 0 ? (s1 / n) * (s2 / n) * d * d : -Infinity);
  }
  const best = Math.max(-Infinity, ...v);
  if (!(best > 0)) return { t: -1 };
  const near = [];
  v.forEach((x, t) => {
    if (x >= best * (1 - 1e-5)) near.push(t);
  });
  // Another split within 1e-5 of the best: float32 may pick either, unless they binarise alike.
  const t = v.indexOf(best);
  const side = (u) => gray.map((g) => g > u).join();
  if (near.some((u) => below[u] !== below[t] && side(u) !== side(t))) return null;
  return { t };
}

/** Threshold image values: bytes, byte-valued floats, a few levels, dense neighbouring levels, values near 0 and −0.5, over 255, specials. */
function thresholdPixels(rng, n, otsu) {
  const kind = rng.weighted({ bytes: 2, floats: 2, few: 2, dense: 3, edge: 1, constant: 1 });
  // Dense: neighbouring levels all populated, so a threshold one level off changes pixels.
  const base = rng.int(0, 250);
  const spread = rng.int(1, 6);
  const sp = rng.chance(otsu ? 0.05 : 0.2) ? 0.1 : 0;
  const levels = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)];
  const k = rng.int(1, 3);
  return Array.from({ length: n }, () => {
    if (rng.chance(sp)) return rng.pick([NaN, Infinity, -Infinity, -0, -0.6, -1, 300, 1e30]);
    switch (kind) {
      case 'bytes': return rng.int(0, 255);
      case 'floats': return rng.uniform(0, 255);
      case 'few': return levels[rng.int(0, k - 1)];
      case 'dense': return base + rng.int(0, spread) + (rng.chance(0.2) ? rng.pick([0.25, -0.25, 0.5]) : 0);
      case 'edge': return rng.pick([-0.5, -0.4, 0, 0.5, 1.5, 2.5, 127.5, 254.5, 255, 255.5, 256, 127, 128]);
      default: return levels[0];
    }
  });
}

const thresholdOp = {
  name: 'image.threshold', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fault = rng.chance(0.22) ? rng.pick(['rank', 'channels', 'method', 'inverted', 'thresh', 'junk']) : null;
    let ok = true;
    const h = rng.chance(0.05) ? 0 : rng.chance(0.2) ? 1 : rng.int(1, 8);
    const w = rng.chance(0.2) ? 1 : rng.int(1, 8);
    const c = rng.pick([1, 1, 3]);
    let method = rng.pick([undefined, 'binary', 'binary', 'otsu', 'otsu']);
    const otsu = method === 'otsu';
    let shape = [h, w, c];
    if (fault === 'rank') {
      shape = rng.pick([[h, w], [1, h, w, c], [h * w * c], []]);
      ok = false;
    } else if (fault === 'channels') {
      shape = [h, w, rng.pick([0, 2, 4])];
      ok = false;
    }
    const img = tensorArg(ctx, shape, thresholdPixels(rng, sizeOf(shape), otsu));
    if (fault === 'method') {
      method = rng.pick(['OTSU', 'Binary', 'mean', null, 0, '']);
      ok = false;
    }
    let inverted = rng.pick([undefined, false, true]);
    if (fault === 'inverted') {
      inverted = rng.pick([1, 0, 'true', null, {}]);
      ok = false;
    }
    const v = rng.uniform(0, 1);
    let thresh = rng.pick([undefined, undefined, 0.5, 0, 1, -0.1, 1.5, Infinity, -Infinity, v, f32(rng.int(0, 255) / 255), -0]);
    if (fault === 'thresh') {
      thresh = rng.pick([NaN, '0.5', null, {}, [0.5], true]);
      ok = false;
    }
    let imageArg = img.arg;
    if (fault === 'junk') {
      imageArg = junk(ctx);
      ok = false;
    }
    const gray = ok ? grayOf(img.vals, c) : [];
    // Otsu needs gray levels that are finite and round (half to even) to 0 or more.
    if (ok && method === 'otsu' && gray.some((g) => !(Number.isFinite(g) && g >= -0.5))) ok = false;
    const args = trim([imageArg, method, inverted, thresh], 1);
    const f = () => nr.image.threshold(...args);
    return {
      op: 'image.threshold', args, names: ['threshold'], expect: ok ? 'ok' : 'error', handlesNeutral: true,
      run: f,
      check: (t) => {
        if (!(t instanceof nr.Tensor)) throw new Mismatch('image.threshold: did not return a tensor');
        const inv = inverted === true;
        compareShape('image.threshold', t, [h, w, 1]);
        const out = t.dataSync();
        const bad = out.findIndex((x) => x !== 0 && x !== 255);
        if (bad >= 0) throw new Mismatch(`image.threshold: element ${bad} is ${out[bad]}, not 0 or 255`);
        if (method !== 'otsu') {
          const level = f32(f32(thresh ?? 0.5) * 255);
          const want = gray.map((g) => ((inv ? g <= level : g > level) ? 255 : 0));
          compare(`image.threshold ('binary' at ${level}, ${c === 3 ? 'TF.js\'s luma, ' : ''}plain JS)`, t, { shape: [h, w, 1], vals: want }, true);
        } else {
          // A threshold t in [−1, 254]: 255 exactly where gray > t (inverted: gray ≤ t).
          const hi = inv ? 0 : 255;
          let maxLow = -Infinity;
          let minHigh = Infinity;
          gray.forEach((g, i) => {
            if (out[i] === hi) minHigh = Math.min(minHigh, g);
            else maxLow = Math.max(maxLow, g);
          });
          if (!(maxLow < minHigh)) throw new Mismatch(`image.threshold ('otsu'${inv ? ', inverted' : ''}): not a threshold of the gray level: a pixel of gray ${maxLow} is ${255 - hi} but one of gray ${minHigh} is ${hi}`);
          if (maxLow > 254) throw new Mismatch(`image.threshold ('otsu'${inv ? ', inverted' : ''}): a pixel of gray ${maxLow} is ${255 - hi}; Otsu's threshold is at most 254`);
          const ref = otsuRef(gray);
          if (ref) {
            const want = gray.map((g) => ((inv ? g <= ref.t : g > ref.t) ? 255 : 0));
            compare(`image.threshold ('otsu'${inv ? ', inverted' : ''}: Otsu's threshold ${ref.t} in plain JS)`, t, { shape: [h, w, 1], vals: want }, true);
          }
        }
        sameTwice(nr, 'image.threshold', t, f);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// transform.

/** One transform row [a0, a1, a2, b0, b1, b2, c0, c1] for an h×w image. */
function transformRow(rng, h, w) {
  switch (rng.weighted({ identity: 2, shift: 3, scale: 2, rotate: 2, affine: 2, projective: 1, kzero: 1, flip: 1, huge: 0.5 })) {
    case 'identity': return [1, 0, 0, 0, 1, 0, 0, 0];
    case 'shift': {
      const t = (n) => (rng.chance(0.6) ? rng.int(-2 * n - 1, 2 * n + 1) : rng.chance(0.3) ? rng.int(-n, n) + 0.5 : rng.uniform(-n, n));
      return [1, 0, t(w), 0, 1, t(h), 0, 0];
    }
    case 'scale': {
      const s = () => rng.pick([0.5, 2, -1, 1.5, 0.25, rng.uniform(-2, 2)]);
      return [s(), 0, rng.int(-1, 2), 0, s(), rng.int(-1, 2), 0, 0];
    }
    case 'rotate': {
      const a = rng.pick([Math.PI / 2, Math.PI, -Math.PI / 2, rng.uniform(-Math.PI, Math.PI)]);
      const cx = (w - 1) / 2;
      const cy = (h - 1) / 2;
      const co = Math.cos(a);
      const si = Math.sin(a);
      return [co, -si, cx - co * cx + si * cy, si, co, cy - si * cx - co * cy, 0, 0];
    }
    case 'affine': return [...Array.from({ length: 6 }, () => rng.uniform(-2, 2)), 0, 0];
    case 'projective': return [...Array.from({ length: 6 }, () => rng.uniform(-2, 2)), rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4)];
    case 'kzero': {
      // k = c0·x + c1·y + 1 is exactly 0 at x (or y) = 1, 2 or 4.
      const c = -1 / rng.pick([1, 2, 4]);
      return [1, rng.uniform(-1, 1), 0, 0, 1, 0, ...(rng.chance(0.5) ? [c, 0] : [0, c])];
    }
    case 'flip': return rng.chance(0.5) ? [-1, 0, w - 1, 0, 1, 0, 0, 0] : [1, 0, 0, 0, -1, h - 1, 0, 0];
    default: return Array.from({ length: 8 }, (_, i) => (i < 6 ? rng.pick([1e6, -1e6, 1e30, 0, 1]) : rng.pick([0, 0, 1e-6])));
  }
}

/**
 * Where a fill mode sends the input coordinate `v` on an axis of `len` pixels: TensorFlow's
 * `map_coordinate` (image_ops.h), which TF.js's Transform kernel and the TSDoc follow, quirks
 * included. 'constant' leaves it (a point outside reads the fill); 'nearest' clamps it into
 * [0, len − 1]; 'reflect' folds it about the edges with period 2·len ([dcba|abcd|dcba]);
 * 'wrap' shifts it by multiples of len counted in steps of len − 1 (exact about one image past
 * an edge, clamped to the edge farther out). Every mode but 'constant' ends clamped to
 * [0, len − 1] (0 for an empty axis).
 */
function foldCoord(v, len, mode) {
  const clampIn = (u) => Math.max(0, Math.min(u, len - 1));
  if (mode === 'constant') return v;
  if (mode === 'nearest' || (v >= 0 && v <= len - 1)) return clampIn(v);
  if (len <= 1) return clampIn(0);
  if (mode === 'reflect') {
    const period = 2 * len;
    if (v < 0) {
      // Into (−2·len, 0], then mirrored: −1 → 0, −len → len − 1, −len − 1 → len − 1.
      const u = period * Math.trunc(-v / period) + v;
      return clampIn(u < -len ? u + period : -u - 1);
    }
    const u = v - period * Math.trunc(v / period);
    return clampIn(u >= len ? period - u - 1 : u);
  }
  // 'wrap'
  const steps = Math.trunc((v < 0 ? -v : v) / (len - 1));
  return clampIn(v < 0 ? v + len * (steps + 1) : v - len * steps);
}

/**
 * transform in plain JS, from TF.js's documented mapping: output (x, y) reads the input at
 * ((a0·x + a1·y + a2)/k, (b0·x + b1·y + b2)/k), k = c0·x + c1·y + 1 (the fill where k = 0),
 * each coordinate sent through the fill mode ({@link foldCoord}); 'nearest' interpolation
 * rounds (Math.round), 'bilinear' weighs the four pixels around the point, the fill for those
 * outside the image. Elements whose rounding is a near tie are skipped (mag Infinity).
 */
function transformRef(img, [B, H, W, C], T, perImage, interp, mode, fill, oh, ow) {
  const vals = [];
  const mag = [];
  const pixel = (b, y, x, k) => (y >= 0 && y < H && x >= 0 && x < W ? img[((b * H + y) * W + x) * C + k] : fill);
  for (let b = 0; b < B; b++) {
    const r = perImage ? 8 * b : 0;
    const [a0, a1, a2, b0, b1, b2, c0, c1] = Array.from(T.subarray(r, r + 8));
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const k = c0 * x + c1 * y + 1;
        if (k === 0) {
          for (let ch = 0; ch < C; ch++) {
            vals.push(fill);
            mag.push(0);
          }
          continue;
        }
        const px = (a0 * x + a1 * y + a2) / k;
        const py = (b0 * x + b1 * y + b2) / k;
        const sx = foldCoord(px, W, mode);
        const sy = foldCoord(py, H, mode);
        const shaky = Math.abs(k) < 1e-9;
        if (interp === 'bilinear') {
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const wx = [x0 + 1 - sx, sx - x0];
          const wy = [y0 + 1 - sy, sy - y0];
          const edge = nearInt(sx) || nearInt(sy);
          for (let ch = 0; ch < C; ch++) {
            const p = [[pixel(b, y0, x0, ch), pixel(b, y0, x0 + 1, ch)], [pixel(b, y0 + 1, x0, ch), pixel(b, y0 + 1, x0 + 1, ch)]];
            const row = (i) => wx[0] * p[i][0] + wx[1] * p[i][1];
            vals.push(wy[0] * row(0) + wy[1] * row(1));
            let m = 0;
            for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) m += Math.abs(wy[i] * wx[j] * p[i][j]);
            // A non-finite pixel under a weight that is 0 or not: NaN or ±Infinity.
            const nonFinite = p.flat().some((v) => !Number.isFinite(v));
            mag.push(shaky || (nonFinite && edge) ? Infinity : nonFinite ? 0 : m);
          }
        } else {
          const shakyRound = shaky || nearHalf(sx) || nearHalf(sy);
          const ix = Math.round(sx);
          const iy = Math.round(sy);
          for (let ch = 0; ch < C; ch++) {
            vals.push(pixel(b, iy, ix, ch));
            mag.push(shakyRound ? Infinity : 0);
          }
        }
      }
    }
  }
  return { shape: [B, oh, ow, C], vals, mag };
}

/** 'reflect' / 'wrap': nearest reads an image value (of its batch and channel) or the fill; bilinear stays in their hull. */
function checkMapped(what, t, img, [B, H, W, C], interp, fill) {
  const out = t.dataSync();
  const per = out.length / Math.max(B, 1);
  const fillF = f32(fill);
  for (let b = 0; b < B; b++) {
    for (let ch = 0; ch < C; ch++) {
      const src = [];
      for (let i = 0; i < H * W; i++) src.push(img[(b * H * W + i) * C + ch]);
      const allowed = new Set([...src, fillF].map((v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? 0 : v)));
      const finite = src.every(Number.isFinite) && Number.isFinite(fillF);
      const lo = Math.min(fillF, ...src);
      const hi = Math.max(fillF, ...src);
      const tol = 1e-5 * Math.max(Math.abs(lo), Math.abs(hi)) + 1e-30;
      for (let i = b * per + ch; i < (b + 1) * per; i += C) {
        const v = out[i];
        if (interp === 'nearest') {
          if (!allowed.has(Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? 0 : v)) throw new Mismatch(`${what}: element ${i} is ${v}, which is neither a value of image ${b} channel ${ch} nor the fill ${fillF}`);
        } else if (finite && !(v >= lo - tol && v <= hi + tol)) {
          throw new Mismatch(`${what}: element ${i} is ${v}, outside [${lo}, ${hi}] (the values of image ${b} channel ${ch} and the fill): bilinear weights are in [0, 1]`);
        }
      }
    }
  }
}

const transformOp = {
  name: 'image.transform', weight: 4,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fault = rng.chance(0.25)
      ? rng.pick(['rank', 'tshape', 'tshape', 'nonFinite', 'interp', 'fillMode', 'fillValue', 'outputShape', 'outputShape', 'oom', 'junk'])
      : null;
    let ok = true;
    let either = false;
    const batch = rng.chance(0.07) ? 0 : rng.int(1, 3);
    const h = rng.chance(0.04) ? 0 : rng.chance(0.2) ? 1 : rng.int(1, 5);
    const w = rng.chance(0.04) ? 0 : rng.chance(0.2) ? 1 : rng.int(1, 5);
    let c = rng.chance(0.05) ? 0 : rng.int(1, 3);
    let outShape = rng.chance(0.5) ? undefined : rng.chance(0.1) ? null : [rng.chance(0.05) ? 0 : rng.int(1, 6), rng.chance(0.05) ? 0 : rng.int(1, 6)];
    // Zero channels, a larger output (kept small: as cropAndResize, the kernel walks every
    // output position even with no channels).
    if (c === 0 && rng.chance(0.5)) outShape = [rng.int(1, 200), rng.int(1, 200)];
    let outArg = outShape;
    if (fault === 'oom') {
      outArg = outShape = rng.pick([[65536, 65536], [2 ** 31 - 1, 2 ** 31 - 1], [30000, 30000]]);
      // Never zero channels over a batch: the kernel would walk every output position.
      if (batch > 0) {
        c = Math.max(c, 1);
        ok = false;
      } else either = true;
    }
    let imgShape = [batch, h, w, c];
    if (fault === 'rank') {
      imgShape = rng.pick([[h, w, c], [batch, h, w, c, 1], [h * w]]);
      ok = false;
    }
    const image = tensorArg(ctx, imgShape, pixels(rng, sizeOf(imgShape)), 0.08);
    // [8] or [1, 8] (one for every image), or [batch, 8].
    const form = rng.pick(['one', 'row', 'each', 'each']);
    const perImage = form === 'each' && batch !== 1;
    const rowsN = form === 'each' ? batch : 1;
    const tVals = [];
    for (let i = 0; i < rowsN; i++) tVals.push(...transformRow(rng, h, w));
    let tShape = form === 'one' ? [8] : [rowsN, 8];
    if (fault === 'tshape') {
      tShape = rng.pick([[batch + 1, 8], [1, 7], [7], [9], [1, 8, 1], [2, 4], [], [batch, 9], [16]]);
      if (tShape.length === 2 && tShape[1] === 8 && (tShape[0] === 1 || tShape[0] === batch)) tShape = [1, 9];
      while (tVals.length < sizeOf(tShape)) tVals.push(0);
      tVals.length = sizeOf(tShape);
      ok = false;
    } else if (fault === 'nonFinite' && tVals.length > 0) {
      tVals[rng.int(0, tVals.length - 1)] = rng.pick([NaN, Infinity, -Infinity]);
      ok = false;
    }
    const transforms = tensorArg(ctx, tShape, tVals);
    let interp = rng.pick([undefined, 'nearest', 'bilinear', 'bilinear']);
    if (fault === 'interp') {
      interp = rng.pick(['linear', 'NEAREST', null, 1, 'bicubic']);
      ok = false;
    }
    let fillMode = rng.pick([undefined, 'constant', 'reflect', 'wrap', 'nearest']);
    if (fault === 'fillMode') {
      fillMode = rng.pick(['mirror', 'zero', 'Constant', null, 0, 'symmetric', '']);
      ok = false;
    }
    let fillValue = rng.pick([undefined, 0, -1, 7, NaN, Infinity, -0, rng.uniform(-3, 3)]);
    if (fault === 'fillValue') {
      fillValue = rng.pick(['0', null, [0], {}, true]);
      ok = false;
    }
    if (fault === 'outputShape') {
      outArg = rng.pick([[1], [1, 2, 3], [-1, 2], [1.5, 2], 'abc', [NaN, 1], [2 ** 31, 1], {}, 4, [2, Infinity]]);
      ok = false;
    }
    let imageArg = image.arg;
    let tArg = transforms.arg;
    if (fault === 'junk') {
      if (rng.chance(0.5)) imageArg = junk(ctx);
      else tArg = junk(ctx);
      ok = false;
    }
    const args = trim([imageArg, tArg, interp, fillMode, fillValue, outArg], 2);
    const f = () => nr.image.transform(...args);
    return {
      op: 'image.transform', args, names: ['transform'], expect: expectOf(ok, either), handlesNeutral: true,
      run: f,
      check: (t) => {
        if (!(t instanceof nr.Tensor)) throw new Mismatch('image.transform: did not return a tensor');
        const [oh, ow] = outShape ?? [h, w];
        const mode = fillMode ?? 'constant';
        const ip = interp ?? 'nearest';
        const fill = fillValue ?? 0;
        const what = `image.transform (${ip}, ${mode})`;
        compareShape(what, t, [batch, oh, ow, c]);
        if (batch * oh * ow * c > 0) {
          compare(`${what} in plain JS`, t, transformRef(image.vals, imgShape, transforms.vals, perImage, ip, mode, fill, oh, ow), false);
          if (mode === 'reflect' || mode === 'wrap') checkMapped(what, t, image.vals, [batch, h, w, c], ip, fill);
        }
        sameTwice(nr, 'image.transform', t, f);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// rotateWithOffset.

/**
 * rotateWithOffset in plain JS: output (x, y) copies the input pixel nearest to (x, y) turned
 * by `radians` about (cx, cy) = (w·fx, h·fy), or the fill from outside the image. Elements
 * whose rounding is a tie are skipped (mag Infinity).
 */
function rotateRef(img, [B, H, W, C], radians, fills, fx, fy) {
  const cx = W * fx;
  const cy = H * fy;
  const sin = Math.sin(radians);
  const cos = Math.cos(radians);
  const vals = [];
  const mag = [];
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const u = (x - cx) * cos - (y - cy) * sin + cx;
        const v = (x - cx) * sin + (y - cy) * cos + cy;
        const sx = Math.round(u);
        const sy = Math.round(v);
        const inside = sx >= 0 && sx < W && sy >= 0 && sy < H;
        const shaky = nearHalf(u) || nearHalf(v);
        for (let k = 0; k < C; k++) {
          vals.push(inside ? img[((b * H + sy) * W + sx) * C + k] : fills[k]);
          mag.push(shaky ? Infinity : 0);
        }
      }
    }
  }
  return { shape: [B, H, W, C], vals, mag };
}

const rotateOp = {
  name: 'image.rotateWithOffset', weight: 3,
  gen(ctx) {
    const { rng, nr } = ctx;
    const fault = rng.chance(0.22) ? rng.pick(['rank', 'radians', 'fill', 'fill', 'center', 'junk']) : null;
    let ok = true;
    const batch = rng.chance(0.07) ? 0 : rng.int(1, 2);
    const h = rng.chance(0.05) ? 0 : rng.chance(0.2) ? 1 : rng.int(1, 6);
    const w = rng.chance(0.05) ? 0 : rng.chance(0.2) ? 1 : rng.int(1, 6);
    const c = rng.chance(0.05) ? 0 : rng.chance(0.1) ? 5 : rng.int(1, 4);
    let shape = [batch, h, w, c];
    if (fault === 'rank') {
      shape = rng.pick([[h, w, c], [batch, h, w, c, 1], [h]]);
      ok = false;
    }
    // Now and then a tensor the fuzzer holds (another op's result, of any shape): rank 4 or an error.
    const held = !fault && rng.chance(0.15) ? ctx.pick((e) => e.size <= 2000 && e.vals.length === e.size) : null;
    if (held) {
      shape = held.shape.slice();
      if (shape.length !== 4) ok = false;
    }
    const image = held ? { arg: held.t, vals: held.vals, shape } : tensorArg(ctx, shape, pixels(rng, sizeOf(shape)), 0.08);
    const ch4 = shape[3];
    let radians = rng.pick([0, Math.PI / 2, Math.PI, -Math.PI / 2, 2 * Math.PI, rng.uniform(-7, 7), 1e-9, 1e6, -0, Math.PI / 4]);
    if (fault === 'radians') {
      radians = rng.pick([NaN, Infinity, -Infinity, '1', undefined, null, [1]]);
      ok = false;
    }
    let fill = rng.pick([undefined, 0, 0, -1, 255, NaN, Infinity, rng.uniform(-3, 3), [10, 20, 30], [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)]]);
    // [r, g, b] fills 4 channels at most.
    if (Array.isArray(fill) && !(ch4 <= 4)) ok = false;
    if (fault === 'fill') {
      fill = rng.pick(['0', null, [1, 2], [1, 2, 3, 4], [1, 2, '3'], {}, true, [1, 2, null]]);
      ok = false;
    }
    let center = rng.pick([undefined, undefined, 0.5, 0, 1, -0.5, 2, [0, 0], [1, 1], [rng.uniform(-0.5, 1.5), rng.uniform(-0.5, 1.5)], rng.uniform(0, 1)]);
    if (fault === 'center') {
      center = rng.pick([NaN, Infinity, [0.5], [0.5, NaN], [0.5, Infinity], '0.5', null, [0.5, 0.5, 0.5], {}, ['0', 0]]);
      ok = false;
    }
    let imageArg = image.arg;
    if (fault === 'junk') {
      imageArg = junk(ctx);
      ok = false;
    }
    const args = trim([imageArg, radians, fill, center], 2);
    const f = () => nr.image.rotateWithOffset(...args);
    return {
      op: 'image.rotateWithOffset', args, names: ['rotateWithOffset'], expect: ok ? 'ok' : 'error', handlesNeutral: true,
      run: f,
      check: (t) => {
        if (!(t instanceof nr.Tensor)) throw new Mismatch('image.rotateWithOffset: did not return a tensor');
        const fv = fill ?? 0;
        const fills = Array.isArray(fv) ? [fv[0], fv[1], fv[2], 255].slice(0, ch4) : new Array(ch4).fill(fv);
        const [fx, fy] = Array.isArray(center) ? center : [center ?? 0.5, center ?? 0.5];
        compare('image.rotateWithOffset (plain JS)', t, rotateRef(image.vals, shape, radians, fills, fx, fy), true);
        sameTwice(nr, 'image.rotateWithOffset', t, f);
      },
    };
  },
};

/** The plain-JS references, for tests of the family itself. */
export { cropRef, foldCoord, hardNms, iou, otsuRef, rotateRef, transformRef };

export default {
  name: 'image_detection',
  weight: 2,
  ops: [cropOp, nmsOp, thresholdOp, transformOp, rotateOp],
};
