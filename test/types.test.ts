// The shipped declarations, as a user's TypeScript sees them: a small strict program importing
// `neurite` and `neurite/url` from the installed tarball type-checks under every common target
// and module resolution, WITHOUT skipLibCheck (so the .d.ts files themselves are checked), with
// and without @types/node, and with the default lib (no esnext.disposable: Symbol.dispose and
// the Disposable interface that a `using` declaration needs must still be declared, without
// clashing with TypeScript's esnext.disposable or @types/node where those are present). The
// declarations bring no DOM: a Node program with `lib: ["es2022"]` still may not name
// `document`, and both it and a browser program passing real DOM objects (ImageData, Blob,
// Request, fetch's RequestInit) type-check. Options given as `undefined` type-check under
// exactOptionalPropertyTypes. Uses the `typescript` dev dependency's compiler API.
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
// The oldest TypeScript the README promises (5.2, the first with `using`): its Uint8Array is not
// generic, so `Uint8Array<ArrayBuffer>` in a declaration was an error there (TS2315).
import ts52 from 'typescript-5.2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, packAndInstall, type Packed } from './runtimes/packed.js';
import { ROOT } from './runtimes/expect.js';

/**
 * What an autoencoder's parts are typed as (a user's report: the README's dispose loop failed
 * `tsc --strict`, and `ae.encoder.predict` needed a cast). Checked against the shipped
 * declarations below and against the sources (`the sources' types`), which needs no build.
 */
const AUTOENCODER_TYPES = `
    import { autoencoder, sequential, layers, randomUniform, Autoencoder, Sequential, Layer, type Tensor } from 'neurite';
    const aex = randomUniform([4, 8], { seed: 1 });
    const ae = autoencoder({
      encoder: sequential({ layers: [layers.dense({ inputShape: [8], units: 2 })] }),
      decoder: sequential({ layers: [layers.dense({ inputShape: [2], units: 8 })] }),
    });
    // A sequential encoder keeps predict, with no cast.
    const aeCodes: Tensor = ae.encoder.predict(aex);
    // The README's loop (its compression example) type-checks: every element has dispose.
    for (const d of [aex, aeCodes, ae, ae.encoder, ae.decoder]) d.dispose();
    // A layer encoder stays a layer: no predict, no summary (its dispose frees only what its
    // apply on a tensor made; the model holding it frees its weights).
    const lae = autoencoder({ encoder: layers.dense({ inputShape: [8], units: 2 }), decoder: layers.dense({ units: 8 }) });
    const aeLayer: Layer = lae.encoder;
    // @ts-expect-error: a layer has no predict
    lae.encoder.predict(aex);
    // @ts-expect-error: nor summary
    lae.decoder.summary();
    // Mixed, and the default (Sequential | Layer) every inferred form is assignable to.
    const mixed = autoencoder({ encoder: ae.encoder, decoder: lae.decoder });
    const anyAe: Autoencoder[] = [ae, lae, mixed, new Autoencoder({ encoder: ae.encoder, decoder: ae.decoder })];
    mixed.encoder.predict(aex).dispose();
    // fromConfig cannot know what the parts are: the union, narrowed by instanceof.
    const copy = Autoencoder.fromConfig(ae.getConfig());
    const part: Sequential | Layer = autoencoder.fromConfig(ae.getConfig()).decoder;
    // @ts-expect-error: maybe a layer
    copy.encoder.predict(aex);
    if (copy.encoder instanceof Sequential) copy.encoder.predict(aex).dispose();
    // @ts-expect-error: the encoder is not a string
    autoencoder({ encoder: 'dense', decoder: lae.decoder });
    console.log(aeLayer, anyAe, part);
`;

/**
 * TF.js code as testers ported it under `tsc --strict` (nodenext): rank-typed tensors give
 * rank-typed arrays (`array(): ArrayMap[R]`), `shape` is a `number[]`, explicit ranks as TF.js
 * writes them (`tensor<Rank.R2>`, `reshape<Tensor2D>`) compile, and the errors TF.js's types
 * give stay errors. Checked against the shipped declarations and against the sources.
 */
const RANK_TYPES = `
    import * as tf from 'neurite';
    import { Rank, type ArrayMap, type NestedArray, type Tensor } from 'neurite';
    const xs = tf.tensor2d([[1, 2], [3, 4]]);
    const rows: number[][] = xs.arraySync();
    const firstRow: number[] = xs.arraySync()[0];
    const widths: number[] = (await xs.array()).map((r) => r.length);
    const v = tf.tensor1d([1, 2, 3]);
    const values: number[] = v.arraySync();
    const one: number = tf.scalar(3).arraySync() + tf.scalar(1).array();
    const cube: number[][][] = tf.tensor3d([[[1]]]).array();
    const t4: number[][][][] = tf.tensor4d([[[[1]]]]).arraySync();
    const t5: number[][][][][] = tf.tensor5d([[[[[1]]]]]).arraySync();
    const t6: number[][][][][][] = tf.tensor6d([[[[[[1]]]]]]).arraySync();
    // Ranks named as TF.js names them, on the creation ops and reshape.
    const named: tf.Tensor2D = tf.tensor<Rank.R2>([1, 2, 3, 4], [2, 2]);
    const generic: tf.Tensor<tf.Rank.R2> = named;
    const z: number[][] = tf.zeros<Rank.R2>([2, 3]).arraySync();
    const o: number[] = tf.ones<Rank.R3>([1, 2, 3]).arraySync()[0][1];
    const f: number[] = tf.fill<tf.Rank.R1>([3], 7).arraySync();
    const rn: number[][] = tf.randomNormal<Rank.R2>([2, 2], 0, 1, 'float32', 1).arraySync();
    const ru: number[] = tf.randomUniform<Rank.R1>([2], { seed: 1 }).arraySync();
    const r: number[][] = tf.reshape<Rank.R2>(v, [3, 1]).arraySync();
    const rm: number[][] = v.reshape<tf.Tensor2D>([1, 3]).arraySync();
    const sq: number[] = tf.squeeze<tf.Tensor1D>(tf.zeros([1, 3])).arraySync();
    const ex: number[][] = v.expandDims<tf.Tensor2D>(0).arraySync();
    const as2: number[][] = v.as2D(1, 3).arraySync();
    const flat: number[] = xs.flatten().arraySync().concat(xs.as1D().arraySync());
    const sc: number = v.sum().asScalar().arraySync();
    const like: number[][] = tf.zerosLike(xs).arraySync().concat(tf.clone(xs).arraySync(), tf.transpose(xs).arraySync());
    // Ops that keep the rank keep it in the type.
    const kept: number[][] = xs.relu().abs().transpose().clipByValue(0, 1).softmax().clone().arraySync();
    const ranged: number[] = tf.range(0, 3).arraySync().concat(tf.linspace(0, 1, 3).arraySync());
    const eye: number[][] = tf.eye(2).arraySync();
    // shape is a number[]: TF.js's way of copying a tensor, and helpers typed for TF.js.
    const w = tf.randomUniform([2, 3]);
    const copy: Tensor = tf.tensor(w.dataSync(), w.shape);
    const dims: number[] = w.shape;
    const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
    const reshaped = xs.reshape(w.shape);
    // An op of unknown rank fits a rank-typed name (TF.js's ops return a generic T).
    const h: tf.Tensor2D = xs.matMul(xs).add(1);
    const takes2d = (t: tf.Tensor2D): number[][] => t.arraySync();
    const pred = w.mul(2);
    takes2d(pred);
    // An unknown rank gives the union, which every NestedArray use still takes, or the array the use names.
    const u = pred.arraySync();
    const nested: NestedArray = u;
    const predRows: number[][] = pred.arraySync();
    if (Array.isArray(u)) console.log(u.length);
    const am: ArrayMap[Rank.R2] = rows;
    // The ops typed by rank later (convolutions, pooling, topk, batchNorm, variable, gradients)
    // keep compiling code written before: a Tensor or nested arrays in give a Tensor out.
    const img: Tensor = tf.randomNormal([1, 4, 4, 1], { seed: 1 });
    const convRows: number[][][][] = tf.conv2d(img, [[[[1]]]], 1, 'same').arraySync();
    const fromNested: Tensor = tf.maxPool([[[[1], [2]], [[3], [4]]]], 1, 1, 'valid').add(img.conv2d(tf.ones([1, 1, 1, 1]), 1, 'same'));
    const best: number[][] = tf.topk(pred, 1).values.arraySync();
    const wVar: Tensor = tf.variable(pred);
    const g2d: tf.Tensor2D = tf.valueAndGrad((x) => x.square().sum())(pred).grad;
    const bnAny: Tensor = tf.batchNorm(img, [0], [1]);
    const resized: tf.Tensor4D = tf.image.resizeBilinear(img, [2, 2]);
    // Inside another op (whose T then comes from the use), a result's values stay readable.
    const nestedConv: number[][][][] = tf.relu(img.conv2d(tf.ones([1, 1, 1, 1]), 1, 'same')).arraySync();
    const nestedOps = [tf.relu(tf.conv2d([[[[1]]]], [[[[1]]]], 1, 'same')), tf.sigmoid(tf.image.rgbToGrayscale(img)), tf.relu(tf.denseBincount([0, 1], [], 2))].map((t) => t.arraySync());
    console.log(convRows, fromNested, best, wVar, g2d, bnAny, resized, nestedConv, nestedOps);
    // @ts-expect-error: a Tensor2D's array() is number[][], not number[] (as TF.js)
    const notFlat: number[] = xs.array();
    // @ts-expect-error: nor a number
    const notScalar: number = xs.arraySync();
    // @ts-expect-error: a Tensor1D's is number[]
    const notMatrix: number[][] = v.arraySync();
    // @ts-expect-error: a scalar's is a number
    tf.scalar(1).arraySync()[0];
    // @ts-expect-error: a tensor of unknown rank may be a scalar: index it once its rank is named
    pred.arraySync()[0];
    // @ts-expect-error: never a string
    const notString: string = pred.arraySync();
    // @ts-expect-error: the ranks are R0 to R6
    const noRank: tf.Tensor<'R7'> = xs;
    // @ts-expect-error: tensor2d's shape has two dimensions
    tf.tensor2d([1, 2, 3], [1, 2, 3]);
    // @ts-expect-error: the shape itself is read-only
    w.shape = [3, 2];
    // @ts-expect-error: channels last only, as conv2d's dataFormat (it is a runtime error)
    const nchw = () => tf.depthToSpace(img, 2, 'NCHW');
    // getConfig()'s type is every layer's: the factory takes it with the cast its TSDoc shows.
    const again = tf.layers.dense(tf.layers.dense({ units: 2 }).getConfig() as unknown as tf.DenseArgs);
    console.log(nchw, again);
    console.log(rows, firstRow, widths, values, one, cube, t4, t5, t6, generic, z, o, f, rn, ru, r, rm, sq, ex, as2, flat, sc, like, kept, ranged, eye,
      copy, dims, sizeOf(w.shape), reshaped, h, nested, predRows, am, notFlat, notScalar, notMatrix, notString, noRank);
    export {};
`;

/**
 * TF.js code written against TF.js 4.22's own declarations, importing 'tfjs': it type-checks
 * there (the reference) and against neurite's sources, and its 7 negative cases are errors in
 * both. neurite's types are looser than TF.js's in one way only, on purpose: tensors of every
 * rank are assignable to each other (a `Tensor` where a `Tensor2D` is asked for), as before
 * the rank was typed, and a `Tensor`'s `arraySync()` takes the type its use names.
 */
const TFJS_PORT = `
    import * as tf from 'tfjs';
    import { Rank, type Tensor } from 'tfjs';
    const xs = tf.tensor2d([[1, 2], [3, 4]]);
    const rows: number[][] = xs.arraySync();
    const firstRow: number[] = xs.arraySync()[0];
    const widths: number[] = (await xs.array()).map((r) => r.length);
    const v = tf.tensor1d([1, 2, 3]);
    const values: number[] = (await v.array()).concat(v.arraySync());
    const s: number = tf.scalar(3).arraySync();
    const cube: number[][][] = tf.tensor3d([[[1]]]).arraySync();
    const batch: number[][][][] = tf.tensor4d([[[[1]]]]).arraySync();
    const named: tf.Tensor2D = tf.tensor<Rank.R2>([1, 2, 3, 4], [2, 2]);
    const generic: tf.Tensor<tf.Rank.R2> = named;
    const z: number[][] = tf.zeros<Rank.R2>([2, 3]).arraySync();
    const o: number[] = tf.ones<Rank.R3>([1, 2, 3]).arraySync()[0][1];
    const rn: number[][] = tf.randomNormal<Rank.R2>([2, 2]).arraySync();
    const r: number[][] = tf.reshape<Rank.R2>(v, [3, 1]).arraySync();
    const rm: number[][] = v.reshape<tf.Tensor2D>([1, 3]).arraySync();
    const sq: number[] = tf.squeeze<tf.Tensor1D>(tf.zeros([1, 3])).arraySync();
    const ex: number[][] = v.expandDims<tf.Tensor2D>(0).arraySync();
    const as2: number[][] = v.as2D(1, 3).arraySync();
    const flat: number[] = xs.flatten().arraySync().concat(tf.range(0, 3).arraySync(), tf.linspace(0, 1, 3).arraySync());
    const kept: number[][] = xs.abs().neg().clone().arraySync().concat(tf.clone(xs).arraySync(), tf.eye(2).arraySync());
    const w = tf.randomUniform([2, 3]);
    const copy: Tensor = tf.tensor(w.dataSync(), w.shape);
    const dims: number[] = w.shape;
    const h: tf.Tensor2D = xs.matMul(xs).add(1);
    // @ts-expect-error: a Tensor2D's arraySync() is number[][]
    const notFlat: number[] = xs.arraySync();
    // @ts-expect-error: not a number
    const notScalar: number = xs.arraySync();
    // @ts-expect-error: a Tensor1D's is number[]
    const notMatrix: number[][] = v.arraySync();
    // @ts-expect-error: a scalar's is a number
    tf.scalar(1).arraySync()[0];
    // @ts-expect-error: a tensor of unknown rank may be a scalar
    w.arraySync()[0];
    // @ts-expect-error: the rank of a tensor2d's values
    const notCube: number[][][] = (await xs.array());
    // @ts-expect-error: shape is read-only
    w.shape = [3, 2];
    console.log(rows, firstRow, widths, values, s, cube, batch, generic, z, o, rn, r, rm, sq, ex, as2, flat, kept, copy, dims, h, notFlat, notScalar, notMatrix, notCube);
    export {};
`;

/**
 * TF.js's generic results as a TF.js port uses them, against TF.js 4.22's declarations (core,
 * layers and the chained ops, as \`@tensorflow/tfjs\` exports them) and neurite's: binary ops,
 * reductions, matMul, concat and the ops whose argument gives the rank return TF.js's \`T\`
 * (named by a type argument, by the use, or inferred from the argument), and the results TF.js
 * leaves of unknown rank stay so (stack, oneHot, predict). Its 9 negative cases fail in both.
 */
const TFJS_OPS_PORT = `
    import * as tf from 'tfjs';
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[5, 6], [7, 8]]);
    const v = tf.tensor1d([1, 2]);
    // Binary ops and their chains: the result takes the rank its use names, or the one given.
    const chain: tf.Tensor2D = a.add(b).mul(2).sub(a).div(b);
    const fn: tf.Tensor2D = tf.add(a, b);
    const rows: number[][] = tf.maximum<tf.Tensor2D>(a, 0).arraySync();
    const row: number[] = a.sub<tf.Tensor2D>(v).arraySync()[0];
    const sq: number[][] = tf.squaredDifference<tf.Tensor2D>(a, b).arraySync().concat(a.pow<tf.Tensor2D>(2).arraySync(), tf.mul<tf.Tensor2D>(a, b).arraySync());
    const cmp: number[][] = a.greater<tf.Tensor2D>(2).arraySync().concat(tf.equal<tf.Tensor2D>(a, b).arraySync(), tf.logicalAnd<tf.Tensor2D>(a, b).arraySync());
    // Reductions: a scalar sum as a number, an axis kept.
    const total: number = tf.sum<tf.Scalar>(a).arraySync();
    const avg: number = a.mean<tf.Scalar>().arraySync() + tf.max<tf.Scalar>(a).arraySync() + a.min<tf.Scalar>().arraySync();
    const colMax: number[] = a.max<tf.Tensor1D>(0).arraySync();
    const kept: number[][] = tf.mean<tf.Tensor2D>(a, 1, true).arraySync();
    const s: tf.Scalar = tf.sum(a);
    const ss: number = s.arraySync();
    const labels: number[] = tf.argMax<tf.Tensor1D>(a, 1).arraySync().concat(a.argMax<tf.Tensor1D>(-1).arraySync());
    const lse: number[] = tf.logSumExp<tf.Tensor1D>(a, 1).arraySync();
    // matMul indexed as 2-D.
    const m00: number = tf.matMul<tf.Tensor2D>(a, b).arraySync()[0][0];
    const mm: tf.Tensor2D = tf.matMul(a, b, false, true);
    const mRow: number[] = mm.arraySync()[1];
    // concat keeps its inputs' rank; stack gives a Tensor.
    const cat: number[][] = tf.concat([a, b]).arraySync();
    const cat1: number[] = tf.concat([a, b], 1).arraySync()[1];
    const catM: number[][] = a.concat(b).arraySync().concat(a.concat([b, a], 1).arraySync());
    const stacked = tf.stack([a, b]) as tf.Tensor3D;
    const st: number[][] = stacked.arraySync()[0];
    // The ops whose argument gives the rank keep it.
    const kept2: number[][] = tf.relu(a).arraySync().concat(tf.sigmoid(a).arraySync(), tf.tanh(a).arraySync(), tf.exp(a).arraySync(), tf.abs(a).arraySync(), tf.neg(a).arraySync(), tf.sqrt(a).arraySync(), tf.square(a).arraySync(), tf.softmax(a).arraySync(), tf.log(a).arraySync());
    const sel: number[][] = tf.where(tf.greater(a, 2), a, b).arraySync().concat(tf.clipByValue(a, 0, 3).arraySync(), tf.gather(a, [1, 0]).arraySync(), tf.reverse(a).arraySync(), tf.tile(a, [1, 2]).arraySync());
    const sl: number[][] = tf.slice(a, [0, 0], [1, 2]).arraySync().concat(a.slice([0, 0], [1, 1]).arraySync(), a.gather([0]).arraySync(), tf.pad(a, [[1, 1], [0, 0]]).arraySync());
    const ca: number[][] = tf.cast(a, 'float32').arraySync().concat(tf.transpose(a).arraySync(), tf.leakyRelu(a, 0.1).arraySync(), tf.elu(a).arraySync());
    const ed: number[] = tf.expandDims<tf.Tensor3D>(a).arraySync()[0][0];
    const parts: tf.Tensor2D[] = tf.split<tf.Tensor2D>(a, 2, 1);
    const p0: number[] = parts[0].arraySync()[0];
    const oh = tf.oneHot([0, 1], 3) as tf.Tensor2D;
    const ohRow: number[] = oh.arraySync()[0];
    const y: tf.Tensor2D = tf.tidy(() => tf.matMul(a, b).add(1));
    // @ts-expect-error: without a type argument matMul's rank is unknown, so a row is not there to index
    tf.matMul(a, b).arraySync()[0];
    // @ts-expect-error: sum's rank is not known either: not a number
    const notNumber: number = tf.sum(a).dataSync();
    // @ts-expect-error: the rank a type argument names: a Tensor1D's values are number[]
    const notRows: number[][] = tf.sum<tf.Tensor1D>(a, 0).arraySync();
    // @ts-expect-error: relu keeps a Tensor2D's rank: a value is not an array
    tf.relu(a).arraySync()[0][0][0];
    // @ts-expect-error: concat of Tensor2Ds is a Tensor2D
    const notCube: number[][][] = tf.concat([a, b]).arraySync();
    // @ts-expect-error: stack's result is a Tensor of unknown rank
    tf.stack([a, b]).arraySync()[0];
    // @ts-expect-error: a type argument is a Tensor
    tf.add<number>(a, b);
    // @ts-expect-error: oneHot's result is a Tensor of unknown rank
    tf.oneHot([0, 1], 3).arraySync()[0];
    // Layers: apply and predict give what TF.js users cast them to.
    const xs = tf.tensor2d([[1, 2], [3, 4]]);
    const inp = tf.input({ shape: [2] });
    const hidden = tf.layers.dense({ units: 3, activation: 'relu' }).apply(inp) as tf.SymbolicTensor;
    const net = tf.model({ inputs: inp, outputs: tf.layers.dense({ units: 1 }).apply(hidden) as tf.SymbolicTensor });
    const out = net.apply(xs) as tf.Tensor;
    const out2: number[][] = (net.apply(xs, { training: true }) as tf.Tensor2D).arraySync();
    const pred = net.predict(xs) as tf.Tensor2D;
    const first: number = pred.arraySync()[0][0];
    const seq = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    const p2: number[] = (seq.predict(xs) as tf.Tensor2D).arraySync()[1];
    // @ts-expect-error: predict's result must be named before it is indexed
    seq.predict(xs).arraySync()[0];
    console.log(chain, fn, rows, row, sq, cmp, total, avg, colMax, kept, ss, labels, lse, m00, mRow, cat, cat1, catM, st, kept2, sel, sl, ca, ed, p0, ohRow, y, notNumber, notRows, notCube, out, out2, first, p2);
    export {};
`;

/**
 * The ops whose TF.js 4.22 declarations are rank-specific or generic beyond the binary ops and
 * reductions, as a TF.js port of a convolutional block uses them, against TF.js's declarations
 * and neurite's: convolutions and pooling keep the input's rank (`conv2d(x4d, f, 1, 'same')` is
 * a `Tensor4D`), batchNorm is `Tensor<R>` and batchNorm4d a `Tensor4D`, the `tf.image` ops,
 * depthToSpace, spaceToBatchND, cumsum, topk, unique and scatterND as TF.js types them,
 * `variable<R>` a `Variable<R>`, `buffer<R>` a `TensorBuffer<R>`, valueAndGrad's value and
 * gradient typed by `f`, variableGrads' value a `Scalar`, the losses' `<T, O>` and the
 * rank-specific forms (`slice2d`, `concat1d`, …). Its 12 negative cases fail in both.
 */
const TFJS_CONV_PORT = `
    import * as tf from 'tfjs';
    // A small convolutional block written with the ops, as a TF.js port writes one.
    const images = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3]);
    const one = tf.zeros<tf.Rank.R3>([8, 8, 3]);
    const filter = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4]);
    const conv: tf.Tensor4D = tf.conv2d(images, filter, 1, 'same');
    const c4: number[][][][] = tf.conv2d(images, filter, [1, 1], 'valid', 'NHWC', 1).arraySync();
    const c3: number[][][] = tf.conv2d(one, filter, 1, 'same').arraySync();
    const mean = tf.mean<tf.Tensor1D>(conv, [0, 1, 2]);
    const variance = tf.moments(conv, [0, 1, 2]).variance as tf.Tensor1D;
    const normed: number[][][][] = tf.batchNorm(conv, mean, variance).arraySync().concat(tf.batchNorm4d(conv, mean, variance, undefined, undefined, 1e-3).arraySync());
    const bn2: number[][] = tf.batchNorm2d(tf.zeros<tf.Rank.R2>([2, 4]), mean, variance).arraySync();
    const pooled: number[][][][] = tf.maxPool(tf.relu(conv), 2, 2, 'valid').arraySync().concat(tf.avgPool(conv, [2, 2], 2, 'same').arraySync(), tf.pool(conv, 2, 'max', 'same').arraySync());
    const p3: number[][][] = tf.maxPool(one, 2, 2, 'valid').arraySync().concat(tf.localResponseNormalization(one).arraySync());
    const dwFilter = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 2]);
    const pwFilter = tf.randomNormal<tf.Rank.R4>([1, 1, 6, 4]);
    const dws: number[][][][] = tf.depthwiseConv2d(images, dwFilter, 1, 'same').arraySync().concat(tf.separableConv2d(images, dwFilter, pwFilter, 1, 'same').arraySync());
    const signal = tf.zeros<tf.Rank.R3>([2, 10, 3]);
    const c1: number[][][] = tf.conv1d(signal, tf.randomNormal<tf.Rank.R3>([3, 3, 4]), 1, 'same').arraySync();
    const up: number[][][][] = tf.conv2dTranspose(conv, filter, [2, 8, 8, 3], 1, 'same').arraySync();
    // The chained forms: the result's type named, by a type argument or by the use.
    const mc: tf.Tensor4D = images.conv2d(filter, 1, 'same');
    const mp: number[][][][] = images.maxPool<tf.Tensor4D>(2, 2, 'valid').arraySync();
    const mp3: tf.Tensor3D = one.avgPool(2, 2, 'same');
    const lrn: number[][][][] = conv.localResponseNormalization<tf.Tensor4D>().arraySync();
    const mbn: number[][][][] = conv.batchNorm(mean, variance).arraySync();
    const rs: number[][][][] = images.resizeBilinear<tf.Tensor4D>([4, 4]).arraySync();
    // tf.image.
    const small: number[][][][] = tf.image.resizeBilinear(images, [4, 4]).arraySync().concat(tf.image.flipLeftRight(images).arraySync(), tf.image.rgbToGrayscale(images).arraySync());
    const near: number[][][] = tf.image.resizeNearestNeighbor(one, [4, 4], false, true).arraySync();
    const rgb: number[][][][] = tf.image.grayscaleToRGB(tf.image.rgbToGrayscale(images)).arraySync();
    const crops: number[][][][] = tf.image.cropAndResize(images, [[0, 0, 1, 1]], [0], [4, 4]).arraySync().concat(tf.image.rotateWithOffset(images, 0.5).arraySync());
    const keep: number[] = tf.image.nonMaxSuppression([[0, 0, 1, 1], [0, 0, 1, 1]], [0.9, 0.8], 1).arraySync();
    const thr: number[][][] = tf.image.threshold(tf.zeros<tf.Rank.R3>([4, 4, 1])).arraySync();
    // Blocks and space.
    const d2s: number[][][][] = tf.depthToSpace(tf.zeros<tf.Rank.R4>([1, 2, 2, 4]), 2).arraySync();
    const s2b: number[][][][] = tf.batchToSpaceND(tf.spaceToBatchND(images, [2, 2], [[0, 0], [0, 0]]), [2, 2], [[0, 0], [0, 0]]).arraySync();
    const ms2b: tf.Tensor4D = images.spaceToBatchND<tf.Rank.R4>([2, 2], [[0, 0], [0, 0]]);
    // Scans, top-k, unique, scatter.
    const v = tf.tensor1d([3, 1, 2, 3]);
    const logits = tf.tensor2d([[1, 5, 3], [2, 2, 0]]);
    const sums: number[] = tf.cumsum<tf.Tensor1D>(v).arraySync().concat(tf.cumprod<tf.Tensor1D>(v, 0, true).arraySync(), v.cumsum<tf.Rank.R1>().arraySync());
    const { values, indices } = tf.topk(logits, 2);
    const top: number[][] = values.arraySync().concat(indices.arraySync(), logits.topk(1).indices.arraySync());
    const u = tf.unique(v);
    const distinct: number[] = u.values.arraySync().concat(u.indices.arraySync());
    const scattered: number[] = tf.scatterND<tf.Rank.R1>([[0], [2]], [5, 6], [4]).arraySync().concat(tf.tensorScatterUpdate(v, [[0]], [9]).arraySync());
    const dense: number[][] = tf.sparseToDense<tf.Rank.R2>([[0, 1]], [3], [2, 2]).arraySync();
    // Variables, buffers, gradients.
    const w = tf.variable(tf.zeros<tf.Rank.R2>([3, 2]));
    const wRows: number[][] = w.arraySync();
    const wv: tf.Variable<tf.Rank.R2> = w;
    w.assign(tf.ones<tf.Rank.R2>([3, 2]));
    const buf = tf.buffer<tf.Rank.R2>([2, 2]);
    buf.set(3, 0, 1);
    const tb: tf.TensorBuffer<tf.Rank.R2> = buf;
    const bufRows: number[][] = buf.toTensor().arraySync().concat(logits.bufferSync().toTensor().arraySync());
    const vg = tf.valueAndGrad((x: tf.Tensor1D) => tf.sum<tf.Scalar>(x.square()));
    const { value, grad } = vg(v);
    const val: number = value.arraySync();
    const gv: number[] = grad.arraySync();
    const vgs = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => tf.sum<tf.Scalar>(a.mul(b)))([v, v]);
    const vgsValue: number = vgs.value.arraySync();
    const { value: cost, grads } = tf.variableGrads(() => tf.sum<tf.Scalar>(w.square()));
    const costValue: number = cost.arraySync();
    const loss = tf.train.sgd(0.1).minimize(() => tf.sum<tf.Scalar>(w.square()), true);
    const lossValue: number | undefined = loss?.arraySync();
    const xe: number = tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(logits, logits).arraySync() + tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(v, v).arraySync();
    // The rank-specific forms and the other ops TF.js types by rank.
    const ranked: number[][] = tf.slice2d(logits, [0, 0], [1, 2]).arraySync().concat(tf.reverse2d(logits).arraySync(), tf.pad2d(logits, [[0, 0], [1, 1]]).arraySync(), tf.concat2d([logits, logits], 0).arraySync());
    const ranked1: number[] = tf.concat1d([v, v]).arraySync().concat(tf.slice1d(v, 0, 2).arraySync(), tf.signal.hannWindow(4).arraySync(), tf.bincount(tf.tensor1d([0, 1, 1]), [], 3).arraySync());
    const mats: number[][] = tf.outerProduct(v, v).arraySync().concat(tf.math.confusionMatrix([0, 1], [1, 1], 2).arraySync(), tf.linalg.bandPart(logits, 0, -1).arraySync(), tf.broadcastTo<tf.Rank.R2>(v, [2, 4]).arraySync());
    const kept: number[][] = tf.logSigmoid(logits).arraySync().concat(tf.unsortedSegmentSum(logits, [0, 0], 1).arraySync(), v.reshapeAs(tf.zeros<tf.Rank.R2>([2, 2])).arraySync());
    const avgV: number[] = tf.movingAverage(v, v, 0.9, 1).arraySync();
    const where: number[][] = (await tf.whereAsync(logits)).arraySync();
    const hits: number[] = (await tf.inTopKAsync(logits, tf.tensor1d([1, 0]))).arraySync();
    // @ts-expect-error: conv2d of a Tensor4D is a Tensor4D
    const notMatrix: number[][] = tf.conv2d(images, filter, 1, 'same').arraySync();
    // @ts-expect-error: maxPool of one image is a Tensor3D: a value is not an array
    tf.maxPool(one, 2, 2, 'valid').arraySync()[0][0][0][0];
    // @ts-expect-error: topk keeps the rank of x
    tf.topk(v).values.arraySync()[0][0];
    // @ts-expect-error: variableGrads' value is a Scalar
    const notValues: number[] = tf.variableGrads(() => tf.sum<tf.Scalar>(w.square())).value.arraySync();
    // @ts-expect-error: the gradient has the type of x
    const notRows: number[][] = vg(v).grad.arraySync();
    // @ts-expect-error: flipLeftRight is a Tensor4D
    const notCube: number[][][] = tf.image.flipLeftRight(images).arraySync();
    // @ts-expect-error: a variable keeps its rank
    const notFlat: number[] = w.arraySync();
    // @ts-expect-error: the buffer's rank is its tensor's
    buf.toTensor().arraySync()[0][0][0];
    // @ts-expect-error: batchNorm keeps x's rank
    const notBatch: number[] = tf.batchNorm(conv, mean, variance).arraySync();
    // @ts-expect-error: depthToSpace is a Tensor4D
    const notImage: number[][] = tf.depthToSpace(tf.zeros<tf.Rank.R4>([1, 2, 2, 4]), 2).arraySync();
    // @ts-expect-error: a scatterND of the rank named
    tf.scatterND<tf.Rank.R1>([[0]], [5], [4]).arraySync()[0][0];
    // @ts-expect-error: the loss type named
    const notLoss: number[] = tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(logits, logits).arraySync();
    console.log(c4, c3, normed, bn2, pooled, p3, dws, c1, up, mc, mp, mp3, lrn, mbn, rs, small, near, rgb, crops, keep, thr, d2s, s2b, ms2b, sums, top, distinct, scattered, dense,
      wRows, wv, tb, bufRows, val, gv, vgsValue, grads, costValue, lossValue, xe, ranked, ranked1, mats, kept, avgV, where, hits, notMatrix, notValues, notRows, notCube, notFlat, notBatch, notImage, notLoss);
    export {};
`;

let packed: Packed;
beforeAll(async () => {
  packed = await packAndInstall('neurite-types-');
  writeFileSync(join(packed.dir, 'main.ts'), `
    import { init, tensor, randomNormal, tidy, memory, ShapeError, NeuriteError, Tensor, Optimizer, LearningRateSchedule, SymbolicTensor, LayerVariable, Constraint, type WasmSource } from 'neurite';
    import * as url from 'neurite/url';

    const src: WasmSource = new URL('https://example.com/core.wasm');
    await init();
    await url.init(src);
    // Every documented form of init's argument type-checks; misspelt options do not.
    const wasmBytes = new Uint8Array(8);
    const mod: WebAssembly.Module = await WebAssembly.compile(wasmBytes);
    const inits = [init(mod), init(wasmBytes), init(wasmBytes.buffer), init('./core.wasm'), init(new URL('file:///core.wasm')),
      url.init(fetch('/core.wasm')), url.init(await fetch('/core.wasm')), init({ threads: 2 }), url.init({ relaxedSimd: true, threads: 1 }),
      init({ source: mod, threads: 1 }), url.init({ source: 'https://cdn.example/core.wasm' }), init(undefined)];
    // @ts-expect-error: 'thread' is not an option
    init({ thread: 2 });
    // @ts-expect-error: threads is a number
    url.init({ threads: 'auto' });
    // @ts-expect-error: 'foo' is not an option
    init({ threads: 2, foo: 1 });
    // @ts-expect-error: a number is no source
    init(2);
    // Classes made by ops and factories: \`new\` is a type error (stripInternal left them a
    // public constructor of no arguments, and new Tensor() failed at run time).
    // @ts-expect-error: tensors are made by ops
    new Tensor();
    // @ts-expect-error: optimizers by their factories
    new Optimizer();
    // @ts-expect-error: schedules by theirs
    new LearningRateSchedule();
    // @ts-expect-error: symbolic tensors by input() and apply()
    new SymbolicTensor();
    // @ts-expect-error: weights by their layer
    new LayerVariable();
    // @ts-expect-error: constraints by their factories
    new Constraint();
    const t: Tensor = tensor([[1, 2]]).matMul(randomNormal([2, 3], { seed: 42, stddev: 0.1 }));
    const n: number = tidy(() => t.sum().item());
    t[Symbol.dispose]();
    const u: url.Tensor = url.zeros([2]);
    // loadLayersModel (TF.js's name) is typed as the Sequential it returns: the list form of
    // predict type-checks with no narrowing; loadModel's union needs instanceof first.
    const layersModel: url.Sequential = await url.loadLayersModel('https://example.com/model.json');
    const outs: url.Tensor[] = layersModel.predict<url.Tensor[]>([u, u]);
    const anyModel = await url.loadModel('https://example.com/model.json');
    // @ts-expect-error: a Perceptron or RBFNetwork does not take a list
    anyModel.predict([u, u]);
    if (anyModel instanceof url.Sequential) outs.push(anyModel.predict<url.Tensor[]>([u, u])[0]);
    u.dispose();
    const e: NeuriteError = new ShapeError('x');
    // @ts-expect-error: an unknown option is a type error
    randomNormal([2], { std: 1 });

    // Names are string-literal unions (Keras aliases included): typos fail to compile.
    const { sequential, layers, optimizers, train, tensor2d } = url;
    const model = sequential({ layers: [layers.dense({ units: 2, inputShape: [2], activation: 'silu', kernelInitializer: 'heNormal' })] });
    model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acc', 'mae'] });
    model.compile({ optimizer: optimizers.adam(0.01), loss: { name: 'huber', delta: 2 }, metrics: 'accuracy' });
    model.compile({ optimizer: train.sgd(0.1), loss: 'categoricalCrossentropy' });
    // @ts-expect-error: a loss name typo
    model.compile({ optimizer: 'adam', loss: 'meanSquaredErorr' });
    // @ts-expect-error: a metric name typo
    model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] });
    // @ts-expect-error: an optimizer name typo
    model.compile({ optimizer: 'adma', loss: 'mse' });
    // @ts-expect-error: an activation name typo
    layers.dense({ units: 1, activation: 'reul' });
    // @ts-expect-error: an initializer name typo
    layers.dense({ units: 1, kernelInitializer: 'heNormall' });
    // evaluate's type follows returnDict.
    const x2 = tensor2d([[1, 2]]);
    const logs: Record<string, number> = model.evaluate(x2, x2, { returnDict: true });
    const scores: url.Tensor | url.Tensor[] = model.evaluate(x2, x2);
    // @ts-expect-error: with returnDict the result is not a tensor
    const notTensor: url.Tensor = model.evaluate(x2, x2, { returnDict: true });
    // loadModel's union names Autoencoder, and instanceof narrows it.
    const loaded: url.LoadedModel = await url.loadModel('file:///m');
    if (loaded instanceof url.Autoencoder) loaded.encode(x2).dispose();
    // @ts-expect-error: not every loaded model has encode()
    loaded.encode(x2);
    // Canvas bytes (Uint8ClampedArray) are accepted by the byte and image codecs.
    const clamped = new Uint8ClampedArray(4);
    const packedBytes: Uint8Array[] = [url.compression.huffman.encode(clamped), url.compression.lzw.decode(clamped), url.codecs.dct.encode({ data: clamped, width: 2, height: 2 })];
    // @ts-expect-error: huffman.encode takes no options
    url.compression.huffman.encode(clamped, { maxBits: 12 });
    // The learned codec's decode gives one image (a batch stream has decodeBatch).
    const codecOf = (c: url.codecs.LearnedCodec, bytes: Uint8Array) => [c.decode(bytes).width, c.decodeBatch(bytes).length];
    // TF.js code ports with its types: rank-typed names, summary(lineLength, positions, printFn),
    // applyGradients(grads) with variableGrads' map, step(x, alpha).
    const typed: [url.Scalar, url.Tensor1D, url.Tensor2D, url.Tensor3D, url.Tensor4D] = [url.scalar(1), url.tensor1d([1]), x2, url.tensor3d([[[1]]]), url.tensor4d([[[[1]]]])];
    model.summary(undefined, undefined, (line: string) => console.log(line));
    const text: string = model.summary(null);
    const w = url.variable(url.zeros([2]));
    const { value, grads } = url.variableGrads(() => w.square().sum());
    optimizers.sgd({ learningRate: 0.1 }).applyGradients(grads);
    // minimize(f, true) returns the cost as a Tensor (a PINN user's strict tsc needed a '!').
    const cost: url.Tensor = optimizers.adam(0.1).minimize(() => w.square().sum(), true, [w]);
    // @ts-expect-error: without returnCost there is no cost
    const noCost: url.Tensor = optimizers.adam(0.1).minimize(() => w.square().sum());
    console.log(cost.dataSync(), noCost);
    url.train.adam(0.1).applyGradients([{ name: w.name, tensor: grads[w.name] }]);
    // @ts-expect-error: a gradient map holds tensors
    url.train.adam(0.1).applyGradients({ w: 1 });
    const stepped: url.Tensor = url.step(x2, 0.5).add(x2.step());
    // A TF.js-style callback subclass (a Kaggle user's checkpoint): override on a hook, and
    // this.model's predict and save (it was typed as the four members fit steers).
    class Checkpoint extends url.Callback {
      override async onEpochEnd(epoch: number, logs?: url.Logs) {
        this.model.predict(x2).dispose();
        await this.model.save('file:///ckpt/' + epoch);
        console.log(logs?.loss);
      }
    }
    console.log(new Checkpoint());
    console.log(typed, text, value, stepped);
    console.log(packedBytes, codecOf, logs, scores, notTensor, url.randomUniform([2], -1, 1, 'float32', 3), url.leakyRelu(x2, 0.1), x2.softmax(0));
    console.log(n, e.message, memory().numTensors, url.memory().numTensors, inits);
  `);
  writeFileSync(join(packed.dir, 'autoencoder.ts'), AUTOENCODER_TYPES);
  writeFileSync(join(packed.dir, 'ranks.ts'), RANK_TYPES);
  // The README's `using` block (a user's report: "Cannot find global type 'Disposable'" for
  // targets es2020 and es2022 with the default lib).
  writeFileSync(join(packed.dir, 'using.ts'), `
    import { init, zeros, memory } from 'neurite';
    await init();
    {
      using t = zeros([1024, 1024]);
      console.log(t.shape);
    }
    console.log(memory().numTensors);
  `);
  // Real DOM objects where the API takes them (a browser program: the default lib has the DOM).
  writeFileSync(join(packed.dir, 'dom.ts'), `
    import { browser, codecs, data, loadModel, io } from 'neurite';
    const canvas = document.createElement('canvas');
    const pixels = [browser.fromPixels(new ImageData(2, 2)), browser.fromPixels(canvas), browser.fromPixels(new OffscreenCanvas(2, 2)),
      browser.fromPixels(await createImageBitmap(new ImageData(2, 2))), browser.fromPixels(document.createElement('img'))];
    const sets = [data.csv(new Blob(['a\\n1'])), data.csv(new Request('https://example.com/a.csv')), data.csv(new URL('https://example.com/a.csv')),
      data.csv(await fetch('https://example.com/a.csv')), data.csv('https://example.com/a.csv')];
    await loadModel('https://example.com/model.json', { requestInit: { credentials: 'include', headers: { a: 'b' } }, fetchFunc: fetch });
    io.http('https://example.com/model.json', { fetchFunc: (input, init) => fetch(input, init), requestInit: { cache: 'no-store' } });
    // @ts-expect-error: requestInit is fetch's RequestInit
    await loadModel('https://example.com/model.json', { requestInit: { credentials: 'sometimes' } });
    // @ts-expect-error: an RGBA ImageData is not a gray image (it failed only at run time)
    codecs.dct.encode(new ImageData(2, 2));
    codecs.wavelet.encode({ data: new ImageData(2, 2).data.subarray(0, 4), width: 2, height: 2 });
    console.log(pixels, sets);
  `);
  // A Node program whose lib has no DOM: neurite's API type-checks and \`document\` stays unknown.
  writeFileSync(join(packed.dir, 'node.ts'), `
    import { init, tensor, browser, data, loadModel, type Tensor } from 'neurite';
    import * as url from 'neurite/url';
    await init();
    await init({ threads: 2 });
    await url.init(new Uint8Array(8));
    const t: Tensor = tensor([1, 2]);
    const px: Tensor = browser.fromPixels({ data: new Uint8Array(4), width: 1, height: 1 });
    const rows = await data.csv(new Uint8Array(0)).toArray();
    const m = await loadModel('file:///tmp/model/model.json');
    // @ts-expect-error: no DOM in this program, neurite's types included
    document.body.textContent = 'a Node program';
    export { t, px, rows, m };
  `);
  writeFileSync(join(packed.dir, 'console.d.ts'), 'declare var console: { log(...data: unknown[]): void };\n');
  // The same with @types/node: its URL, Blob, fetch, Response and RequestInit fit (a URL
  // object also where a model URL is taken).
  writeFileSync(join(packed.dir, 'node-web.ts'), `
    import { data, loadModel, loadLayersModel, sequential, io } from 'neurite';
    import * as url from 'neurite/url';
    import { pathToFileURL } from 'node:url';
    const byUrl = [await loadModel(pathToFileURL('/tmp/m')), await loadLayersModel(new URL('https://example.com/model.json'))];
    await sequential().save(pathToFileURL('/tmp/m2'));
    await io.copyModel(pathToFileURL('/tmp/m'), new URL('file:///tmp/m3'));
    io.http(new URL('https://example.com/model.json'));
    console.log(byUrl);
    await url.init(new URL('file:///tmp/core.wasm'));
    await url.init(fetch('https://example.com/core.wasm'));
    await url.init(await fetch('https://example.com/core.wasm'));
    const sets = [data.csv(new Blob(['a\\n1'])), data.csv(new URL('https://example.com/a.csv')), data.csv(await fetch('https://example.com/a.csv'))];
    const m = await loadModel('https://example.com/model.json', { requestInit: { headers: { a: 'b' } }, fetchFunc: fetch });
    // @ts-expect-error: no DOM in this program, neurite's types included
    document.body.textContent = 'a Node program';
    export { sets, m };
  `);
  // exactOptionalPropertyTypes: an option given as undefined means its default (a user's
  // report: init({ threads: maybe }) and fit(x, y, { batchSize: undefined }) were errors).
  writeFileSync(join(packed.dir, 'exact.ts'), `
    import { init, sequential, layers, tensor2d, optimizers, randomNormal, data, loadModel, callbacks, schedules, matMul, type FitArgs, type Tensor, type SymbolicTensor, type EvaluateDatasetArgs } from 'neurite';
    import * as url from 'neurite/url';
    declare const maybe: number | undefined;
    declare const flag: boolean | undefined;
    await init({ threads: maybe, relaxedSimd: flag, source: undefined });
    await url.init({ threads: undefined, relaxedSimd: undefined });
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2], activation: undefined, useBias: flag, kernelInitializer: undefined, name: undefined })], name: undefined, seed: maybe });
    m.add(layers.conv2d({ filters: 1, kernelSize: 1, strides: undefined, padding: undefined }));
    m.compile({ optimizer: optimizers.adam({ learningRate: maybe, beta1: undefined, clipNorm: undefined }), loss: 'mse', metrics: undefined });
    const x = tensor2d([[1, 2]]);
    const args: FitArgs = { epochs: maybe, batchSize: undefined, verbose: undefined, callbacks: undefined, validationData: undefined };
    await m.fit(x, x, { batchSize: undefined, epochs: maybe, shuffle: flag, seed: maybe });
    await m.fit(x, x, args);
    m.predict(x, { batchSize: maybe, verbose: flag });
    m.evaluate(x, x, { batchSize: undefined });
    matMul(x, x, { transposeA: flag, transposeB: undefined });
    randomNormal([2], { seed: maybe, mean: undefined, stddev: undefined });
    callbacks.earlyStopping({ patience: maybe, monitor: undefined });
    schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: undefined, warmupSteps: maybe });
    await loadModel('file:///m', { compile: flag, strict: undefined, onProgress: undefined });
    await m.save('file:///m', { includeOptimizer: flag });
    data.csv(new Uint8Array(0), { hasHeader: flag, delimiter: undefined, columnConfigs: { a: { isLabel: flag, dtype: undefined } } });
    // @ts-expect-error: a required option is still required
    layers.dense({ units: undefined });
    // A boolean known at run time only (a helper passing its own options on): either result.
    // The overloads took false | undefined or true, and refused the exported options types.
    const anyEval: Tensor | Tensor[] | Record<string, number> = m.evaluate(x, x, { returnDict: flag });
    const evalSet = (args: EvaluateDatasetArgs) => m.evaluateDataset(data.array([{ xs: x, ys: x }]), args);
    const asJson: string | object = m.toJSON(null, flag ?? true);
    // Layer.apply on a Tensor | SymbolicTensor (a block helper), as TF.js's apply takes it.
    const block = (t: Tensor | SymbolicTensor): Tensor | SymbolicTensor => layers.dense({ units: 1 }).apply(t);
    export { anyEval, evalSet, asJson, block };
  `);
});
afterAll(() => packed?.cleanup());

type Combo = { target: string; module: string; moduleResolution: string };
const combos: Combo[] = [];
for (const target of ['ES2020', 'ES2022', 'ESNext']) {
  combos.push({ target, module: 'Node16', moduleResolution: 'Node16' });
  combos.push({ target, module: 'NodeNext', moduleResolution: 'NodeNext' });
  combos.push({ target, module: 'ESNext', moduleResolution: 'Bundler' });
}

/** Type-checks `files` (by default the browser programs: main.ts, autoencoder.ts, ranks.ts, using.ts, dom.ts) with `options`; returns the diagnostics as text. */
function check(options: ts.CompilerOptions, files = ['main.ts', 'autoencoder.ts', 'ranks.ts', 'using.ts', 'dom.ts'], compiler: typeof ts = ts): string[] {
  const program = compiler.createProgram(files.map((f) => join(packed.dir, f)), {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    skipDefaultLibCheck: true,
    ...options,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(packed.dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} ` : '';
    return `${where}TS${d.code}: ${compiler.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

const parse = (c: Combo) => ({
  target: ts.ScriptTarget[c.target as keyof typeof ts.ScriptTarget],
  module: ts.ModuleKind[c.module as keyof typeof ts.ModuleKind],
  moduleResolution: ts.ModuleResolutionKind[c.moduleResolution as keyof typeof ts.ModuleResolutionKind],
});

describe('shipped declarations (no skipLibCheck)', () => {
  for (const c of combos) {
    it(`target ${c.target}, module ${c.module}, resolution ${c.moduleResolution}, default lib, no @types/node`, () => {
      expect(check({ ...parse(c), types: [] })).toEqual([]);
    });
  }

  it("with the old node10 resolution, which reads no exports map: 'neurite/url' finds its types through typesVersions (a library author's older tsconfig)", () => {
    expect(check({ target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10, types: [] })).toEqual([]);
  });

  it(`with TypeScript ${ts52.version}, the oldest the README promises (its Uint8Array is not generic)`, () => {
    for (const c of [combos[1], combos[4], combos[8]]) expect(check({ ...parse(c), types: [] }, undefined, ts52 as unknown as typeof ts)).toEqual([]);
  });

  it("with @types/node and/or TypeScript's esnext.disposable (both also declare Symbol.dispose and Disposable: the shim merges with them)", () => {
    const typeRoots = [join(process.cwd(), 'node_modules/@types')];
    expect(check({ ...parse(combos[4]), types: ['node'], typeRoots, lib: ['lib.esnext.d.ts', 'lib.dom.d.ts'] })).toEqual([]);
    expect(check({ ...parse(combos[1]), types: ['node'], typeRoots, lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts', 'lib.dom.d.ts'] })).toEqual([]);
    for (const c of [combos[0], combos[4]]) expect(check({ ...parse(c), types: ['node'], typeRoots })).toEqual([]);
    for (const c of [combos[0], combos[4]]) expect(check({ ...parse(c), types: [], lib: [c.target === 'ES2020' ? 'lib.es2020.full.d.ts' : 'lib.es2022.full.d.ts', 'lib.esnext.disposable.d.ts'] })).toEqual([]);
    // Six whole programs with @types/node: ~25 s on an idle 2-core machine, 72 s under load 12.
  }, 240_000);

  it('a `using` declaration needs the shim: without its Disposable the check fails as the user saw (the check can fail)', () => {
    const shim = join(packed.pkg, 'dist/types/disposable.d.ts');
    const good = readFileSync(shim, 'utf8');
    try {
      writeFileSync(shim, good.replace(/interface Disposable \{[^}]*\}/, ''));
      expect(check({ ...parse(combos[1]), types: [] }, ['using.ts'])).toEqual(["TS2318: Cannot find global type 'Disposable'."]);
    } finally {
      writeFileSync(shim, good);
    }
  });

  it('in a Node project whose lib has no DOM, with or without @types/node: the API type-checks and `document` stays unknown', () => {
    const typeRoots = [join(process.cwd(), 'node_modules/@types')];
    for (const c of [combos[1], combos[4], combos[7]]) {
      // Without @types/node nothing declares console (the README's blocks log): a one-line stand-in.
      expect(check({ ...parse(c), types: [], lib: ['lib.es2022.d.ts'] }, ['node.ts', 'using.ts', 'autoencoder.ts', 'console.d.ts'])).toEqual([]);
      expect(check({ ...parse(c), types: ['node'], typeRoots, lib: ['lib.es2022.d.ts'] }, ['node.ts', 'node-web.ts', 'using.ts', 'autoencoder.ts'])).toEqual([]);
    }
    // The check can fail: with the DOM, the @ts-expect-error on document is unused.
    expect(check({ ...parse(combos[1]), types: [] }, ['node.ts'])).toEqual([expect.stringMatching(/^node\.ts:\d+ TS2578: Unused '@ts-expect-error' directive/)]);
  });

  it('options given as undefined type-check under exactOptionalPropertyTypes', () => {
    for (const c of [combos[1], combos[8]]) expect(check({ ...parse(c), types: [], exactOptionalPropertyTypes: true }, ['exact.ts', 'main.ts', 'autoencoder.ts'])).toEqual([]);
  });

  it('a type error in the consumer is reported (the check can fail)', () => {
    const file = join(packed.dir, 'main.ts');
    const good = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, `${good}\nconst bad: string = tensor([1]).sum().item();\n`);
      expect(check({ ...parse(combos[1]), types: [] }).join('\n')).toMatch(/TS2322/);
    } finally {
      writeFileSync(file, good);
    }
  });

  it("loadModel's declared type names Autoencoder (what editors show)", () => {
    const load = readFileSync(join(packed.pkg, 'dist/types/io/load.d.ts'), 'utf8');
    expect(load).toMatch(/export type LoadedModel = Sequential \| Autoencoder \| Perceptron \| RBFNetwork;/);
  });

  it('internal members stay out of the declarations (editors offered layer.kind, layer.abiParams)', () => {
    const dts = join(packed.pkg, 'dist/types');
    const all = (readdirSync(dts, { recursive: true }) as string[]).filter((f) => f.endsWith('.d.ts')).map((f) => readFileSync(join(dts, f), 'utf8')).join('\n');
    expect(all).not.toMatch(/^\s*abiParams\(/m);
    expect(all).not.toMatch(/OPTIMIZER_PARAMS|CLIP_MODES|const SPECS/);
    // The one public `kind`: the discriminant of a klSparsity activity regularizer.
    expect(all.match(/^\s*(abstract )?readonly kind\b.*$/gm)).toEqual(["    readonly kind: 'klSparsity';"]);
  });

  it('neurite/url has its own declarations, and no declaration carries the wasm', () => {
    const pkg = JSON.parse(readFileSync(join(packed.pkg, 'package.json'), 'utf8'));
    expect(pkg.exports['./url'].types).toBe('./dist/types/url.d.ts');
    const dts = join(packed.pkg, 'dist/types');
    const big = (readdirSync(dts, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.d.ts') && statSync(join(dts, f)).size > 50_000);
    expect(big).toEqual([]);
    const inline = readFileSync(join(dts, 'wasm/inline.generated.d.ts'), 'utf8');
    expect(inline).toContain('export declare const WASM_LZMA: string;');
    expect(inline.length).toBeLessThan(300);
  });
});

describe("the sources' types (ts/index.ts as 'neurite'; no build needed)", () => {
  // One program over a few snippets importing 'neurite', mapped to ts/index.ts; only the
  // snippets' own diagnostics are asked for (the sources are type-checked by `npm run typecheck`).
  const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const aeBlocks = codeBlocks(README).filter((b) => b.lang === 'js' && b.code.includes('autoencoder('));
  const snippets: Record<string, string> = {
    'autoencoder.ts': AUTOENCODER_TYPES,
    'ranks.ts': RANK_TYPES,
    // The check can fail: a layer part has no summary.
    'layer-part.ts': `import { autoencoder, layers } from 'neurite';
      const lae = autoencoder({ encoder: layers.dense({ inputShape: [8], units: 2 }), decoder: layers.dense({ units: 8 }) });
      for (const d of [lae, lae.encoder]) d.summary();`,
    ...Object.fromEntries(aeBlocks.map((b) => [`readme-${b.line}.ts`, `${b.code}\nexport {};\n`])),
  };
  let dir: string;
  let program: ts.Program;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'neurite-source-types-'));
    for (const [f, code] of Object.entries(snippets)) writeFileSync(join(dir, f), code);
    const { options } = ts.parseJsonConfigFileContent({ extends: join(ROOT, 'tsconfig.json') }, ts.sys, ROOT);
    program = ts.createProgram(Object.keys(snippets).map((f) => join(dir, f)), {
      ...options, noEmit: true, noUnusedLocals: false, paths: { neurite: [join(ROOT, 'ts/index.ts')] },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const diagnostics = (file: string): string[] => {
    const sf = program.getSourceFile(join(dir, file));
    if (!sf) throw new Error(`${file} is not in the program`);
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) =>
      `${file}:${sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  };

  it('an autoencoder keeps the types of its parts: a Sequential encoder predicts without a cast, a Layer stays a Layer, fromConfig gives the union', () => {
    expect(diagnostics('autoencoder.ts')).toEqual([]);
  });

  it("rank-typed tensors as TF.js's: tensor2d(…).arraySync() is number[][], shape is number[], explicit ranks compile, rank mismatches stay errors", () => {
    expect(diagnostics('ranks.ts')).toEqual([]);
  });

  it('the rank checks can fail: without their @ts-expect-error, each negative case is the error TF.js gives', () => {
    const lines = RANK_TYPES.split('\n');
    const negatives = lines.flatMap((l, i) => (/@ts-expect-error/.test(l) ? [i] : []));
    expect(negatives.length).toBe(10);
    const d = mkdtempSync(join(tmpdir(), 'neurite-rank-negatives-'));
    try {
      writeFileSync(join(d, 'ranks.ts'), lines.map((l, i) => (negatives.includes(i) ? '' : l)).join('\n'));
      const { options } = ts.parseJsonConfigFileContent({ extends: join(ROOT, 'tsconfig.json') }, ts.sys, ROOT);
      const p = ts.createProgram([join(d, 'ranks.ts')], { ...options, noEmit: true, noUnusedLocals: false, paths: { neurite: [join(ROOT, 'ts/index.ts')] } });
      const sf = p.getSourceFile(join(d, 'ranks.ts'))!;
      const errs = p.getSemanticDiagnostics(sf).map((x) => `${sf.getLineAndCharacterOfPosition(x.start ?? 0).line} TS${x.code}: ${ts.flattenDiagnosticMessageText(x.messageText, '\n').split('\n')[0]}`);
      // One error on each line that had the directive, and none elsewhere.
      expect(errs.map((e) => Number(e.split(' ')[0]))).toEqual(negatives.map((i) => i + 1));
      expect(errs.join('\n')).toMatch(/Type 'number\[\]\[\]' is not assignable to type 'number\[\]'/);
      expect(errs.join('\n')).toMatch(/Cannot assign to 'shape' because it is a read-only property/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("TF.js-typed code: the same programs type-check against TF.js 4.22's declarations (the reference) and neurite's, and their negative cases fail in both", () => {
    const d = mkdtempSync(join(tmpdir(), 'neurite-tfjs-port-'));
    const run = (paths: Record<string, string[]>): string[] => {
      const p = ts.createProgram([join(d, 'port.ts')], {
        strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler, baseUrl: ROOT, paths,
      });
      const sf = p.getSourceFile(join(d, 'port.ts'))!;
      return [...p.getSyntacticDiagnostics(sf), ...p.getSemanticDiagnostics(sf)].map((x) =>
        `${sf.getLineAndCharacterOfPosition(x.start ?? 0).line} TS${x.code}: ${ts.flattenDiagnosticMessageText(x.messageText, '\n').split('\n')[0]}`);
    };
    // Real paths: node_modules may be a symlink, and TypeScript would read two copies of TF.js's tensor.d.ts.
    const core = realpathSync(join(ROOT, 'node_modules/@tensorflow/tfjs-core/dist'));
    const layers = realpathSync(join(ROOT, 'node_modules/@tensorflow/tfjs-layers/dist'));
    // What @tensorflow/tfjs exports: core and layers; the chained methods (x.matMul, x.reshape)
    // are declared by the chained ops' augmentations.
    writeFileSync(join(d, 'tfjs.ts'), `export * from '${join(core, 'index.js')}';\nexport * from '${join(layers, 'index.js')}';\n` +
      `import '${join(core, 'public/chained_ops/register_all_chained_ops.js')}';\n`);
    const tfjs = { tfjs: [join(d, 'tfjs.ts')] };
    const neurite = { tfjs: [join(ROOT, 'ts/index.ts')] };
    try {
      for (const [program, count] of [[TFJS_PORT, 7], [TFJS_OPS_PORT, 9], [TFJS_CONV_PORT, 12]] as const) {
        const lines = program.split('\n');
        const negatives = lines.flatMap((l, i) => (/@ts-expect-error/.test(l) ? [i + 1] : []));
        expect(negatives.length).toBe(count);
        writeFileSync(join(d, 'port.ts'), program);
        expect(run(tfjs)).toEqual([]);
        expect(run(neurite)).toEqual([]);
        // Without the directives: an error on each of their lines, in both, and nowhere else.
        writeFileSync(join(d, 'port.ts'), lines.map((l) => (/@ts-expect-error/.test(l) ? '' : l)).join('\n'));
        for (const errs of [run(tfjs), run(neurite)]) {
          expect([...new Set(errs.map((e) => Number(e.split(' ')[0])))]).toEqual(negatives);
        }
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the check fails where it should: a Layer part has no summary', () => {
    expect(diagnostics('layer-part.ts')).toEqual([expect.stringMatching(/^layer-part\.ts:3 TS2339: Property 'summary' does not exist on type 'Dense \| Autoencoder<Dense, Dense>'/)]);
  });

  it("History.history.loss is number[] under noUncheckedIndexedAccess (no '!'); other logs stay possibly undefined, and TF.js-style code type-checks", () => {
    const code = `import { sequential, layers, tensor, type History, type HistoryLogs } from 'neurite';
      const m = sequential({ layers: [layers.dense({ inputShape: [2], units: 1 })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
      const h: History = await m.fit(tensor([[1, 2]]), tensor([[1]]), { epochs: 2, validationSplit: 0 });
      const losses: number[] = h.history.loss;
      const last: number | undefined = h.history.loss[h.history.loss.length - 1];
      const mae: number[] | undefined = h.history.mae;
      // @ts-expect-error: a metric the run may not log is possibly undefined there
      const mae2: number[] = h.history.mae;
      const byName: number[] | undefined = h.history['val_loss'];
      for (const [k, v] of Object.entries(h.history)) console.log(k, v.length);
      const logs: HistoryLogs = { loss: [1], mae: [2] };
      const plain: Record<string, number[]> = h.history;
      console.log(losses, last, mae, mae2, byName, logs, plain, Object.keys(h.history));
      export {};`;
    const d = mkdtempSync(join(tmpdir(), 'neurite-history-types-'));
    try {
      writeFileSync(join(d, 'history.ts'), code);
      const { options } = ts.parseJsonConfigFileContent({ extends: join(ROOT, 'tsconfig.json') }, ts.sys, ROOT);
      const p = ts.createProgram([join(d, 'history.ts')], { ...options, noEmit: true, noUnusedLocals: false, noUncheckedIndexedAccess: true, paths: { neurite: [join(ROOT, 'ts/index.ts')] } });
      const sf = p.getSourceFile(join(d, 'history.ts'))!;
      expect([...p.getSyntacticDiagnostics(sf), ...p.getSemanticDiagnostics(sf)].map((x) => ts.flattenDiagnosticMessageText(x.messageText, '\n'))).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("the README's autoencoder examples type-check under strict (their dispose loops name ae.encoder and ae.decoder)", () => {
    expect(aeBlocks.length).toBeGreaterThanOrEqual(2);
    expect(aeBlocks.some((b) => /\bae\.encoder, ae\.decoder\]\) d\.dispose\(\)/.test(b.code))).toBe(true);
    for (const b of aeBlocks) expect(diagnostics(`readme-${b.line}.ts`)).toEqual([]);
  });
});
