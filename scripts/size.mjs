#!/usr/bin/env node
// `npm run size`: the gzipped footprint of the built package (after `npm run build`) and what
// takes the space in the wasm. test/size.test.ts checks the same figures against BUDGET.
//   node scripts/size.mjs [--top N]
// The function list comes from build/core.names.wasm (written by `npm run build:wasm`: the
// shipped module's code with its name section), when its code is dist/url/core.wasm's.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { analyse, report } from './wasm-sizes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Size budget in gzipped bytes (gzip -9): about 15% above the build of 2026-11-30 (url 242.3 kB =
 * JS 27.0 + wasm 215.3; inline 329.2 kB), so the code being added to the core meanwhile fits.
 * The goal is 150 kB for neurite/url; what stands in the way is the wasm code itself (see
 * `npm run size`): wasm-opt -Oz saves 1.5%, opt-level "s" on std and dependencies 0.7%, and
 * opt-level "s"/"z" on the core slows the matMul kernels several times. Lower it when the wasm
 * shrinks. Raised by 10 kB (url) and 15 kB (inline) with issue 9's autoencoder layers
 * (saltAndPepper, variational, klSparsity, sumOverFeatures): the wasm grew from 240.3 to
 * 253.6 kB gzipped (main at 6266635 vs the merge, both built by scripts/build-wasm.mjs).
 * Raised again with issue 10's codecs (Huffman, LZW, RLE, DCT, DWT, two image codecs, range
 * coder) and issue 9's PCA/psnr/ssim: the wasm grew to 290.8 kB gzipped (url total 323.5 kB,
 * inline 436.9 kB); the budgets keep ~6% headroom. Shrinking it is open work (issue 8).
 * Raised with issue 11 (save/load: the TF.js Layers format, Keras configs, six storage
 * handlers, training state): the JS grew from 40.5 to 59.4 kB gzipped, the wasm to 301.2 kB
 * (url total 360.6 kB, inline 479.0 kB).
 * Raised with issue 12 (threads): the threaded wasm with the pool and the split kernels is
 * 304.4 kB gzipped against 293.5 kB for the plain build of the sources before the pool
 * (+10.9 kB), the JS gained init options, the pool and the worker's source (+~3 kB), and
 * worker.js (0.5 kB) is counted. The opt-in core-relaxed.wasm (304.1 kB) is fetched only on
 * request and not counted. Budgets: the merged figures plus ~4% headroom (see the test log).
 * Lowered with issue 8's footprint work: the cold code (codecs, PCA, classic models, image
 * metrics, configs and state import/export, checks, the gradient tape's bookkeeping, the
 * data-movement ops, the C ABI glue) is compiled with `#[optimize(size)]` in the wasm build
 * while the kernels and the training step keep opt-level 3, and the exports share one
 * out-of-line body for storing/recording results and for errors: the wasm went from 313.1 to
 * 273.3 kB gzipped (url total 376.2 -> 336.5 kB, inline 497.7 -> 439.7 kB), with the GEMM,
 * elementwise, reduction and optimizer-update functions unchanged. Budgets: those figures
 * plus ~4%. The lossless codecs (Huffman, LZW, RLE, Adler-32) then went back to full
 * optimisation for their speed bars (+2.8 kB: url 341.0 kB, inline 446.4 kB).
 * Lowered when messages stopped printing floats with `{}` (neurite_core::error::js_number, no
 * core::fmt float code: flt2dec's Grisu/Dragon4, bignum and tables are gone, test/size.test.ts
 * keeps them out): the wasm went from 278.1 to 269.8 kB gzipped (770.3 -> 746.2 kB raw), url
 * total 341.3 -> 333.0 kB, inline 447.1 -> 434.9 kB. Budgets: those figures plus ~1%.
 * The GEMM's per-thread packing and uninitialised output (issue 12) added 1.4 kB; the codec
 * header's "wrong magic" message stopped using `{:?}` on a string (which linked Rust's
 * Unicode escape tables): -4.3 kB. url 330.2 kB, inline 431.6 kB; budgets plus ~1%.
 * The three std sorts (driftsort/ipnsort, 17.6 kB raw) replaced by neurite_core::sort's
 * heapsort: -6.3 kB, url 323.9 kB, inline 423.5 kB; budgets plus ~1%.
 * The inline entry carries the wasm packed (raw DEFLATE level 9, then base64; init() inflates
 * it) instead of base64 of the module: 1176 -> 557 kB raw, 423.5 -> 326.2 kB gzipped; then with
 * LZMA (xz -9e, unpacked by ts/wasm/lzma.ts) instead of DEFLATE: 477 kB raw, 266.2 kB gzipped.
 * The storage code (save/load handlers, loadModel's reading: ts/io/store.ts) became a chunk of
 * its own in neurite/url, imported on first use: url JS 62.7 -> 57.5 kB (io.js 7.1 kB on
 * demand), url total 324.1 -> 319.0 kB; the inline entry keeps it inside (+1.4 kB for the
 * deferred handlers).
 * binaryen's wasm-opt -O3 after the link (scripts/build-wasm.mjs): wasm 260.8 -> 252.5 kB,
 * url total 310.7 kB, inline 262.9 kB. Budgets: those plus ~1%.
 * The tape and prod's gradient stopped using std's HashMap (a sorted-vector map, a sort): no
 * hashbrown or SipHash in the wasm: 252.5 -> 248.9 kB (url 307.1 kB, inline 260.1 kB).
 * Raised with the fixes of a new-user pass (issue 8: setWeights' finite check, the codecs'
 * input checks and Uint8ClampedArray, decodeBatch, the autoencoder's target defaults and
 * shape checks, did-you-mean on loadModel/save options): JS 57.4 -> 58.6 kB, wasm +0.3 kB;
 * url 309.1 kB, inline 262.8 kB. Budgets: those plus ~1%.
 * Raised with a second new-user pass (TF.js forms: step, cast, clone, leCun initializers, the
 * reLU/leakyReLU/elu/softmax layers, applyGradients by name, summary's printFn, onYield,
 * Tensor2D-style type names, shape hints), loadModel without the initializers (a build flag,
 * the finite check in wasm), the WebKit threads reason and bundle lines cut at 1,000
 * characters (so an uncaught error's source line does not print the whole bundle: +0.4 kB):
 * JS 58.6 -> 60.6 kB, wasm +0.4 kB; url 311.5 kB, inline 265.5 kB. Budgets: those plus ~1%.
 * Raised with fit's classWeight (the weighted per-row loss in the training step, +1.2 kB of
 * wasm), the blocked 16-lane sums with a pairwise chunk tree (+0.6 kB), earlyStopping's
 * baseline, print(verbose), TF.js's metric keys and the CDN worker fallback: JS 60.6 -> 61.4
 * kB, wasm 250.4 -> 252.2 kB; url 314.2 kB, inline 267.9 kB. Budgets: those plus ~1%.
 * Then per-layer weights, getLayer and grad through predict (JS 62.3 kB, wasm 253.6 kB: url
 * 316.4, inline 269.8, within the budgets). Raised with custom training loops (a model's
 * weights as variables: the tape's weight sources, nr_model_weight_id, reads of a weight on the
 * tape, batch norm's and the variational layer's traced parameter gradients; model.apply with
 * training and its replay mode; LayerVariable, the weights lists, the optimizers' model-weight
 * path; encodeDistribution on the tape with an affine record): wasm 253.6 -> 259.7 kB, JS
 * 62.3 -> 63.7 kB; url 324.0 kB, inline 275.8 kB. Budgets: those plus ~1%.
 * Raised with TF.js's model management and picked files (io.listModels, removeModel,
 * copyModel, moveModel, browserFiles, fromMemory, withSaveHandler): their code is in the lazily
 * loaded storage chunk (io.js 8.3 -> 10.2 kB, not budgeted) but for thin wrappers, so url grows
 * 0.6 kB (325.7 kB); the inline entry carries the chunk: 276.8 -> 279.1 kB. Budgets: plus ~1%.
 * Then adamax and adadelta (wasm +0.9 kB, JS +0.7 kB): url 327.4 kB, inline 280.2 kB, within.
 * Raised with reverse, pad and cumsum (three ops with their exports, tape rules and checks:
 * wasm +2.8 kB, JS +0.3 kB): url 330.5 kB, inline 282.8 kB; and topk (+2.0 kB: its sort, the
 * two-output export, the scatter backward): url 332.6 kB, inline 284.7 kB. Budgets: plus ~0.5%.
 * Then metrics.* (TF.js's tf.metrics, JS only, +0.8 kB): url 333.4 kB, inline 285.5 kB, within;
 * logical ops and checkpoints in TF.js's form (+0.6 kB of JS): url 334.0 kB, inline 286.2 kB.
 * Budgets: those plus ~0.3%.
 * Raised with convolutional networks (conv2d, max/average pooling and their global forms,
 * upSampling2d: window geometry, im2col/col2im around affine's rule, pooling kernels, six layer
 * kinds with their configs and messages, about 27 kB of raw wasm code; TF.js topology and
 * options in JS): wasm 266.6 -> 279.5 kB, JS 66.8 -> 69.0 kB; url 349.1 kB, inline 297.9 kB.
 * Budgets: those plus ~1%.
 * The inline wasm's text went from base64 to base85 (scripts/base85.mjs: 1.25x the packed bytes
 * instead of 1.33x) to bring the inline entry's Vite chunk back under Vite's 500 kB warning
 * (508.1 -> 490.7 kB; dist/index.js 546.9 -> 529.6 kB): gzip codes 85 equally likely
 * characters in 6.49 bits each against their 6.41 bits of information, so the gzipped inline
 * entry grows 297.9 -> 299.8 kB. Inline budget: that plus ~1%.
 * Raised with the tensor ops conv2d, maxPool and avgPool (TF.js's forms, their tape rules and
 * messages; the kernels are the layers'): wasm 279.5 -> 282.4 kB, JS 69.0 -> 69.6 kB; url
 * 352.5 kB, inline 303.0 kB (Vite chunk 494.9 kB). Budgets: those plus ~1%.
 * Raised with conv2dTranspose (op, tape rule, shape checks), the single-channel patch gathering
 * and the trap fix for empty convolutions: wasm 282.4 -> 285.3 kB, JS 69.6 -> 69.9 kB; url
 * 355.7 kB, inline 305.7 kB (Vite chunk 498.8 kB: 1.2 kB under Vite's warning, see the bundler
 * test). Budgets: those plus ~1%.
 * The inline wasm's text went from base85 to basE91 (scripts/base91.mjs: ~1.23 characters per
 * packed byte instead of 1.25) for room under Vite's warning: the Vite chunk 498.8 -> 494.5 kB
 * (the gzipped entry about the same).
 * The default entry became chunks as neurite/url is (dist/index.js re-exports dist/neurite.js):
 * its wasm text with the LZMA and basE91 decoders is dist/wasm.js, imported by init(), so an
 * app's bundler makes two chunks of about 230 and 275 kB (Vite's warning is per chunk: before,
 * one chunk of 494 kB); its storage code is dist/io.js, imported on the first save or load as
 * in neurite/url, and no longer counted: inline 305.2 -> 295.6 kB gzipped (io.js 10.3 kB).
 * Inline budget: that plus ~1%.
 * Raised with the conv2dTranspose layer (its build, forward and backward around conv's rules,
 * config and messages; the TF.js topology in JS): wasm 285.3 -> 287.1 kB (743.4 -> 747.7 kB
 * raw), JS 69.9 -> 70.1 kB; url 357.8 kB, inline 297.4 kB. Budgets: those plus ~1%.
 * Raised with zeroPadding2d and cropping2d (one layer around the pad and slice ops' rules, its
 * checks and messages; the TF.js topology and the amounts' three forms in JS): wasm 287.1 ->
 * 288.5 kB, url 359.9 kB, inline 299.1 kB. Budgets: those plus ~1%.
 * upSampling2d's bilinear interpolation (TF.js's resizeBilinear in f64, its adjoint): wasm
 * 288.5 -> 289.7 kB, url 361.0 kB, inline 300.0 kB, within the budgets.
 * Raised with the image.resizeBilinear / resizeNearestNeighbor ops (every TF.js option, the
 * sources per axis, the adjoint, the tape rule and the export; upSampling2d now runs them):
 * wasm 289.4 -> 291.7 kB, JS 70.8 -> 71.0 kB; url 363.3 kB, inline 301.4 kB. Marking the
 * resize's helpers optimize(size) made the module 9 kB larger (LLVM), so only its forward and
 * backward are. Budgets: those plus ~0.5%. image.flipLeftRight, rgbToGrayscale and
 * grayscaleToRGB (JS over existing ops): JS 71.0 -> 71.3 kB; url 363.5 kB, inline 301.7 kB.
 * Raised with mirrorPad (checks and messages, per-axis source tables, forward and adjoint,
 * the export): wasm 291.7 -> 293.9 kB (+5.8 kB of code), JS 71.4 kB; url 365.8 kB, inline
 * 303.4 kB. Budgets: those plus ~0.5%.
 * Raised with graph models (the functional API: the wiring's build, forward and backward, seven
 * merge layers with TF.js's checks and messages, two exports; input/model/SymbolicTensor in
 * JS): wasm 293.8 -> 303.7 kB (+22 kB of raw code; optimize(size) on the merges' and the
 * wiring's forward and backward saved 1 kB), JS 71.4 -> 73.7 kB; url 378.0 kB, inline
 * 313.2 kB. Budgets: those plus ~0.5%. Saving and loading them in TF.js's functional format
 * (graphToKeras, graphFromKeras, shapes through the wiring): JS 73.7 -> 75.4 kB; url 379.6 kB,
 * inline 314.9 kB. Budgets: those plus ~0.5%.
 * Raised with the 1-D layers (conv1d with causal padding, max/average and global pooling: one
 * wrapper around the 2-D layers; their classes, configs and shape rules in JS): wasm 303.7 ->
 * 306.2 kB, JS 75.4 -> 76.6 kB; url 383.3 kB, inline 318.0 kB. Budgets: those plus ~0.5%.
 * Raised with graph models of several inputs and outputs (the wiring's packed inputs and
 * outputs, a loss, weight and metrics per output in the training step with each output's
 * softmax/sigmoid fused with its cross-entropy, the compile layout, one export; packing,
 * per-output compile options and the functional format's lists in JS): wasm 306.2 -> 314.6 kB
 * (+21 kB of raw code: the per-output loss and its checks 6 kB, the wiring's packing 5 kB),
 * JS 76.9 -> 80.1 kB; url 395.2 kB, inline 328.8 kB. Budgets: those plus ~0.5%.
 * Raised with a layer applied more than once in a graph (its uses stacked along the batch axis
 * and split back, forward and backward; the further uses' checks and messages, one export; the
 * ordering by layer and TF.js's per-call inbound nodes in JS): wasm 314.6 -> 319.2 kB (+11.6 kB
 * of raw code: the wiring's forward and backward over uses 6 kB, the build's checks 3 kB), JS
 * 80.1 -> 81.3 kB; url 401.0 kB, inline 333.5 kB. Budgets: those plus ~0.5%.
 * Raised after the CNN speed work filled that margin (2026-12-02: a layer's bias and activation
 * on the GEMM's bands with an in-place activation through a stack buffer, the 4x4 SIMD
 * transposes of the packing, the patch kernels split over the pool, a kept patch buffer —
 * partly paid back by the training step's single path, -0.8 kB — and loadLayersModel in JS):
 * wasm 319.2 -> 320.4 kB, JS 81.3 -> 81.9 kB; url 402.8 kB, inline 335.2 kB (14 bytes under
 * its budget). Budgets: those plus ~0.5%.
 * Raised with the second round of CNN speed work (2026-12-02: convolutions in cache-sized
 * blocks of patches on the pool, max and average pooling row by row with SIMD steps, and the
 * one-channel convolution read in place by its own 4x8 and 1x8 tiles, +4.3 kB of raw code for
 * those two tile shapes): wasm 320.4 -> 324.5 kB; url 406.9 kB, inline 338.6 kB. CNN inference
 * on one thread went from 0.82-0.86x to ~1.05-1.10x TF.js wasm. Budgets: those plus ~0.5%.
 * Raised with the first-hour fixes of 2026-12-02 (optimal length-limited Huffman codes by
 * package-merge, weight domains checked by setWeights and loading, the perceptron's overflow
 * check: +3.9 kB of raw code; in JS layer.output and the sequential models' symbolic chain,
 * channels-last psnr/ssim, the tape's "not connected" errors, the loader's typo check):
 * wasm 324.5 -> 326.1 kB, JS 81.9 -> 83.9 kB; url 410.5 kB, inline 341.9 kB. Budgets: those
 * plus ~0.5%. Then prelu's alpha broadcast to x as tf.prelu's (+1.6 kB raw, 0.6 kB gzipped,
 * after a first version with its own broadcast loop cost +5 kB raw): url 411.1 kB, inline
 * 342.3 kB, within those budgets. Raised again the same day with the tape's reachability
 * (unused inputs vs constants), the metrics' target checks and binaryAccuracy as TF.js's
 * (+3.4 kB raw), and in JS the layer weights' building, progress fixes and messages: wasm
 * 326.7 -> 328.0 kB, JS 83.9 -> 84.2 kB; url 412.8 kB, inline 343.7 kB. Budgets: those plus ~0.5%.
 * Raised with TF.js's missing math ops (2026-12-03): tan, asin, acos, atan, sinh, cosh, asinh,
 * acosh, atanh, erf, rsqrt, atan2, mod and floorDiv as wasm ops with backward rules, computed in
 * f64 for TF.js's bits (f64 libm tan, atan/atan2, the hyperbolic functions, expm1/log1p, fmod:
 * ~5 kB; 17 kernels, their rules and dispatch ~8 kB; asin/acos through atan2 and the binary
 * ops' f64 bodies out of line saved 4.7 kB of a first +19 kB), and memory().modelBytes: wasm
 * 328.0 -> 334.2 kB (+14.6 kB raw). In JS, 16 composed ops (logSumExp, norm, addN, unstack,
 * broadcastTo, ...), ~30 Tensor methods and TensorLike arguments for every tensor op: JS
 * 84.2 -> 88.3 kB; url 423.0 kB, inline 352.4 kB. Budgets: those plus ~0.5%.
 * Raised with a third round of TF.js ports (2026-12-03): in wasm, cumprod (a fold shared with
 * cumsum, its exact backward) and unsortedSegmentSum (the scatter-add, its gather backward),
 * two exports: 334.2 -> 336.7 kB (+6.5 kB raw). In JS (~38 kB minified, 11 kB gzipped), 45
 * functions made of existing ops: the scatters (scatterND, tensorScatterUpdate, sparseToDense;
 * 4.5 kB minified with the shared index tuples), stridedSlice (3.7), einsum (3.8),
 * browser.fromPixels/toPixels (4.0), spaceToBatchND/batchToSpaceND (3.2), the random ops
 * (randomStandardNormal, randomUniformInt, multinomial: 2.7), the async masks (2.6), bincount,
 * searchSorted, unique, gatherND, depthToSpace, localResponseNormalization, dropout,
 * movingAverage, the rank forms (slice1d ... concat4d: 1.7) and ready/setBackend/print: JS 88.3
 * -> 99.2 kB; url 436.5 kB, inline 365.1 kB. Budgets: those plus ~0.5%. (A lazily loaded
 * chunk cannot hold them: they are synchronous, as in TF.js.) Then depthwiseConv2d and
 * separableConv2d (JS, made of conv2d: +0.7 kB): url 437.1 kB, inline 365.7 kB, within.
 * Raised with depthwiseConv2d's own kernel (forward and backward over the window's taps, the
 * tape rule and the export: +10.0 kB raw, 4.8 kB gzipped; it runs 7-15x faster than one conv2d
 * per channel): wasm 341.5 kB, url 441.8 kB, inline 369.0 kB. Budgets: those plus ~0.5%.
 * Raised with the depthwiseConv2d and separableConv2d layers (2026-12-03; one layer around the
 * depthwise kernel's and affine's rules: config, build, forward, backward and their messages;
 * two classes, their TF.js topology and shape rules in JS): wasm 341.5 -> 344.5 kB, JS 99.9 ->
 * 100.8 kB; url 445.8 kB, inline 372.5 kB. Budgets: those plus ~0.5%.
 * Raised with the same day's TF.js ports (2026-12-03): the activations relu6, mish and geluNew
 * as kernels (wasm 344.5 -> 344.9 kB); batchNorm and pool composed in JS (+1.1 kB); tf.data
 * and fitDataset/evaluateDataset (+9.9 kB, of which the iteration stages, batching and the
 * training loop over a dataset, 5.5 kB, load on first use as data.js next to io.js; what stays
 * is the synchronous Dataset pipeline with its checks and fitDataset's argument checks, 4.4 kB):
 * JS 100.8 -> 106.2 kB; url 451.6 kB, inline 378.1 kB. Budgets: those plus ~0.5%.
 * Raised with depthwiseConv2d's SIMD kernels (blocks of 16/8/4 channels summed in registers
 * over the taps, runs of positions with the same taps, the multiplier > 1 and backward paths:
 * +4.5 kB raw; forward 1.3-13x and forward+backward 10-15x faster, the same bits): wasm 344.9
 * -> 346.6 kB; url 453.4 kB, inline 379.6 kB. Budgets: those plus ~0.5%.
 * Raised with 2026-12-03's second batch: depthwiseConv2d on the thread pool (forward lines, dx
 * bands, dfilter blocks combined in order) and batch normalization's row kernels (SIMD, on the
 * pool): wasm 346.6 -> 350.4 kB; in JS, TF.js's tf.losses forms with weights and Reduction
 * (~2 kB), the remaining top-level utilities (buffer/TensorBuffer, time, profile, signal
 * windows and frame, inTopKAsync, maxPoolWithArgmax, ...: ~3.4 kB), data.csv's checks (1.2 kB;
 * its reader loads with data.js, 5.5 -> 8.0 kB with the shared pass loop) and TF.js weight
 * names: JS 106.2 -> 112.8 kB; url 463.7 kB, inline 388.8 kB. Budgets: those plus ~0.5%.
 * Raised with two new users' reports (2026-12-03, session 26), all in JS (the wasm is the same
 * 350.4 kB): TF.js's tf.image.cropAndResize, the six nonMaxSuppression forms, threshold,
 * transform and rotateWithOffset (~4 kB: synchronous ops, as in TF.js, so not a lazy chunk),
 * util (~1.6 kB), yieldEvery, Sequential.getInputAt/getOutputAt, the learned codec's CRC-32,
 * and messages that say more (the nested-model hints, storage per runtime, toInt/toBool, a loss
 * without a name): JS 112.8 -> 120.1 kB; url 471.1 kB, inline 396.1 kB. Budgets: those plus ~0.5%.
 * Raised with three new users' reports (2026-12-03, session 27): TF.js's weight order, the
 * porting API (userDefinedMetadata, toJSON/modelFromJSON, inputNames, model.optimizer, dict
 * inputs, loadModel's options), configs kept verbatim, layer class names, exact-integer and
 * float32-range checks, detached arrays, the zero-gradient check, per-sample losses,
 * differentiable rbfFeatures, dataset yields, the learned codec's fingerprint: JS 120.1 ->
 * 129.0 kB (the storage chunk 10.7 -> 12.4 kB); the wasm +0.7 kB (fit's unfused rule for
 * clipped rows). url 480.6 kB, inline 405.6 kB. Budgets: those plus ~0.5%.
 * Raised with session 28 (2026-12-04): in the wasm, the losses' gradients w.r.t. their targets
 * (a silent zero before; seven backward_target rules), per-sample losses and rbfFeatures'
 * gradient as Rust ops with tape rules (replacing ~2 kB of TS that re-implemented them):
 * wasm 351.1 -> 355.0 kB; in JS, the memory-pressure warning, the CSP and Deno relaxed-SIMD
 * messages and the conditional web types: JS 129.0 -> 129.6 kB. url 485.1 kB, inline 408.7 kB.
 * Budgets: those plus ~0.5%.
 * Raised with the image codecs' stored mode and quality scale and activity regularizers on
 * convolutions (wasm 355.0 -> 356.6 kB), then the GEMM's streaming path for few-row products
 * (kernels/matmul_stream.rs: batch-1 inference of wide dense layers reads B once in place,
 * 1.3-1.8x faster, their transposed forms up to 3x; +5.5 kB; a first version with a kernel per
 * row count and a 16-row one was +7.3 kB): wasm 356.6 -> 362.1 kB. url 492.3 kB, inline
 * 414.9 kB. Budgets: those plus ~0.5%. Then, within them: fit/compile as TF.js (onBatchEnd's
 * own logs, recompiling keeps the optimizer state, terminateOnNaN on a refused step, metric
 * names) and messages for TF.js tensors, loss functions and extra arguments: JS 129.7 -> 130.6
 * kB; url 493.2 kB, inline 415.8 kB.
 * Raised (session 29) for: resizeBilinear's row passes and depthwiseConv2d's splatted and
 * grouped walks (1.5-1.9x and 2-4x faster; +2.5 kB), softmax on SIMD lanes, the NonFinite
 * status and the refused overflowing loss, the tape's constant-only flags: wasm 362.0 -> 365.8
 * kB. JS 130.6 -> 134.8 kB: a beginner's mistakes as errors (JS operators on tensors, tidy
 * misuse, a tensor from another copy, y forgotten, init sources, extra arguments: +1.7 kB),
 * fit's sampleWeight, the compiled optimizer's view, NonFiniteError, the Keras 3 config
 * detection (its reader is in the storage chunk), the one-value softmax/cross-entropy checks,
 * "not in neurite yet" layers. url 501.2 kB, inline 422.6 kB. Budgets: those plus ~0.2%.
 * Raised (session 30) for JS 135.1 -> 136.4 kB: data.csv's stream sources (the source checks and
 * types in the main bundle, ~0.3 kB; the streaming reader is in the dataset chunk, 8.2 -> 9.8 kB),
 * fit's refusal of a frozen model or one without trainable weights, the DisposedError of a freed
 * layer, the custom-loop messages (getWeights copies, a variable f disposed, a LayerVariable in
 * an op, frozen varList entries), float32 checks of layer numbers, the read-only shape, status
 * classes by name; the wasm 365.6 -> 365.4 kB. url 502.4 kB, inline 423.7 kB. Budgets: those
 * plus ~0.2%.
 * Raised with one optimizer state for fit and minimize (applyGradients/minimize on a compiled
 * model's weights step its trainer: Trainer::apply_given, nr_model_apply_gradients, and the
 * routing in ts/optimizers.ts; ~1.1 kB of it the size-compiled update, ~0.6 kB the ABI glue),
 * and the codec and wavelet names for the id checks: wasm 365.4 -> 367.1 kB, JS 136.4 -> 137.0
 * kB; url 504.6 kB, inline 425.6 kB. Budgets: those plus ~0.2%.
 * Raised (s31) for untrusted inputs and shapes at add: the learned codec's payload bound,
 * over-read limit and kept weight fingerprint (~0.8 kB), options read as own keys and
 * built-ins refused, the Keras-only layer hints, in-place re-threading, shape checks at add
 * and outputShape before build, load and resize messages (JS 137.2 -> 139.1 kB); the wasm
 * 367.6 -> 367.9 kB (sumOverFeatures over every axis of a sample, the add check against the
 * model's nodes). url 507.7 kB, inline 428.2 kB. Budgets: those plus ~0.2%.
 * Raised (s31) for column sums, means and variances over a leading axis summed pairwise (a
 * plain f32 row-by-row sum of 2,000,000 rows was 1.5 % off): wasm 367.9 -> 368.7 kB; with the
 * workers' stacks reused on re-threading and the cross-copy marks, url 509.2 kB, inline 429.6 kB.
 * Budgets: those plus ~0.2%.
 * Raised (s32) for the facade's checks (JS only, +0.7 kB): a built layer or model refused at
 * add/apply where another input shape arrives, frozen models' variables frozen in every model
 * sharing their layers, init refusing a module that is not neurite's before anything changes.
 * url 510.4 kB, inline 430.7 kB.
 * Raised by the measured growth for the seven losses TF.js's compile takes and neurite lacked
 * (meanAbsolutePercentageError, meanSquaredLogarithmicError, logcosh, poisson, squaredHinge,
 * categoricalHinge, cosineProximity: crates/core/src/losses/, each compiled for size and kept
 * out of line; their names, aliases and TSDoc'd functions in ts/losses.ts): against a build of
 * main at a255dcc with the same scripts, wasm 368,783 -> 371,084 B (+2,301), JS 140,304 ->
 * 140,569 B (+265); url 509,657 -> 512,223 B (+2,566), inline 429,965 -> 432,034 B (+2,069).
 * Budgets: the s32 ones above plus that growth.
 * Raised (s32, perf) by the measured growth of four slow paths made fast: topk's bounded heap,
 * prod's gradient as prefix × suffix products, pad's and mirrorPad's row copies, and elu/selu
 * on a simd128 expm1 kernel (the one hot addition): wasm +2.4 kB raw, +0.7 kB gzipped
 * (measured against the build of a255dcc). Budgets: +0.7 and +0.8 kB.
 * Raised by the measured growth of the classic-parts fixes (branch classic): leastSquares by
 * Householder QR instead of Cholesky on the normal equations (compiled for size), kmeans'
 * error for more clusters than distinct rows, rbfNetwork.fit's own finite checks and error
 * names, r2Score's exact zero denominator for a constant target. Against the build of main
 * at ab52a64 with the same scripts: wasm 953,900 -> 954,818 B raw, 371,901 -> 372,233 B
 * gzipped (+332); JS 141,918 -> 142,109 B (+191); url 514,389 -> 514,912 B (+523), inline
 * 434,266 -> 434,742 B (+476). Budgets: the previous ones plus that growth.
 * With the session's later facade checks (tidy's containers and scope, holes in lists, take's
 * element, Proxy tensors, weightData holes; JS only): url 515,177 B, inline 435,005 B.
 * Budgets: those plus ~0.05%.
 * Raised (s32, perf2) by the measured growth of the standalone-op kernels (argMax/argMin along
 * the last axis, oneHot, rsqrt, log1p/softplus/logSigmoid and cosh on simd128 kernels,
 * multinomial's guide table, searchSorted): wasm +9.3 kB raw, +2.0 kB gzipped. Budgets: +2.1
 * and +1.5 kB (measured on the branch against ab52a64: url 514.4 -> 516.5 kB, inline 434.3 ->
 * 435.7 kB).
 * With the reviewer's fixes (topk's whole-row path for large k, tidy/dispose walks, the
 * depthwise getters): url 517,872 B, inline 437,016 B. Budgets: those plus ~0.05%.
 * Raised (s33, lead) by kmeans' nInit and init (several seeded runs keeping the least inertia,
 * random seeding by distinct rows, one run from given centers: wasm +2.8 kB raw, +1.2 kB
 * gzipped), plain-object callbacks' model/params and the binding of a layer in an unbuilt
 * model (JS): url 517,872 -> 519,712 B, inline 437,016 -> 438,576 B. Budgets: those plus ~0.05%.
 * Raised (s33, lossfn) by compile's loss and metric functions (JS only: the tape step, the
 * batch gathering and evaluation of models compiled with functions, the metrics.* names,
 * their checks and messages, saving without the functions): JS 458,538 -> 469,074 B raw,
 * 142,735 -> 146,286 B gzipped; url 517,872 -> 521,423 B, inline 437,016 -> 440,567 B
 * (both +3,551, measured against 66e66b7 built the same way). Budgets: the previous ones plus
 * that growth.
 * Raised with the embedding, repeatVector, permute and rescaling layers (s33, seqlayers; four
 * layer kinds with their configs, builds, checks and messages: embedding ~4.4 kB raw of code
 * (its lookup, the scatter-add into its weight's gradient, the index check shared with gather),
 * permute ~2.9 kB, repeatVector ~2.4 kB, rescaling 0.3 kB (an activation layer), and
 * Layer::check_data, which checks a model's whole input before batching, ~1 kB; in JS the
 * three classes, their TF.js topology both ways and shape rules). Against the build of main at
 * 66e66b7 with the same scripts: wasm 964,570 -> 977,061 B raw, 374,567 -> 378,916 B gzipped
 * (+4,349); JS 142,735 -> 144,561 B gzipped (+1,826); url 517,872 -> 524,047 B (+6,175),
 * inline 437,016 -> 441,790 B (+4,774). Budgets: the previous ones plus that growth.
 * Raised by the model-persistence fixes (branch iofix; JS only, the wasm unchanged): the
 * fingerprint neurite's record carries at save (sorted-key JSON and FNV-1a over trainingConfig
 * and the optimizer weights) and setUserDefinedMetadata's non-finite check, in the main bundle;
 * the stale-record check, network errors mid-body, file:// percent-decoding and modelFromJSON's
 * file:// reading in io.js (15,214 -> 15,915 B, loaded on first save/load, not counted here).
 * Against 66e66b7 with the same scripts: url 517,872 -> 518,131 B (+259), inline 437,016 ->
 * 437,270 B (+254). Budgets: the previous ones plus that growth.
 * Raised (s33, constraints) by the measured growth of weight constraints: in wasm the four
 * rules and their slice walk (norms in float64), their ABI checks and messages (kind, values,
 * axes against the weight's shape, a missing weight), the node's install at build, the
 * trainer's projection after each update and its scratch reserved up front, setWeights' update
 * mode, and the exports nr_model_constrain / nr_constraint_apply: 964,570 -> 980,740 B raw,
 * 374.6 -> 381.2 kB gzipped (+6.5 kB); in JS ts/constraints.ts (factories, Constraint with
 * apply/getConfig, names) and the layers' option checks: 142.7 -> 144.5 kB (+1.8 kB); the
 * save/load code is in io.js. url 517,872 -> 526,173 B, inline 437,016 -> 443,579 B. Budgets:
 * the previous ones plus that growth. (Where the 16 kB of wasm go is not yet broken down by function: a build
 * with names would say; the first build was 42 kB larger, through f64::clamp's float-printing
 * assertion, a Debug-formatted shape and sort_unstable.)
 * Raised (s33, opsfix) by the measured growth of the differential tester's fixes: variance's
 * correction term (the sum_dev/acc_dev simd kernels and a third pass by columns), prod in
 * float64 (row and column kernels), conv2d's second sum where a non-finite filter tap meets
 * the padding, unsortedSegmentSum's out-of-range message, the expm1/abs/prelu rules. Against
 * the build of 66e66b7 with the same scripts: wasm 964,570 -> 969,271 B raw, 374,567 ->
 * 376,460 B gzipped (+1,893; prod's column kernel at full optimisation is 145 B of it, and
 * 1.6x faster than at opt-level "s"); url 517,872 -> 519,769 B (+1,897), inline 437,016 ->
 * 438,459 B (+1,443). Budgets: the previous ones plus that growth.
 * With the fixes of the session's reviewer (kmeans relocates an empty cluster to the farthest
 * sample, as scikit-learn; callbacks of any class get model/params; a metric function that
 * disposes yTrue is named; a layer in two unbuilt models builds the first): url 540,072 B,
 * inline 455,786 B measured with everything above merged. Budgets: those plus ~0.05%.
 * Lowered (s33, trim) by the trimmed constraint and layer code (install_constraints out of
 * line, one odometer body for the projection's two passes, resolve's shape text only on its
 * error path, one out-of-line message for the layers without a fused backward): wasm -3.2 kB
 * raw, -0.8 kB gzipped (measured on the branch against f8f6855); with everything merged: url
 * 539,361 B, inline 455,250 B. Budgets: those plus ~0.05%.
 * Raised (s34, morelayers) by the layers dot, thresholdedReLU, gaussianDropout, alphaDropout
 * and spatialDropout1d (five core layers, their TS classes and io): wasm 998,207 ->
 * 1,020,925 B raw (+7.8 kB gzipped; the Box–Muller and powf of the noise layers' draws and the
 * dot's strided loops and normalization), JS +1.2 kB gzipped; url 548,461 B, inline 462,273 B
 * measured on the branch against 1337055. Budgets: those plus ~0.05%.
 * Raised (s34, config) by the measured growth of complete layer configs: in JS the converters
 * between TF.js's two config forms (getConfig's camelCase and toJSON's snake_case), the layer
 * config writer and reader on the saved model's code (layerConfig, layerFromConfig), the
 * factories' test for the serialized form, and inputLayer's `sparse` (the twenty hand-written
 * partial getConfig overrides went); in wasm the check of an input's values named by argument
 * (validationData x) and the out-of-range index printed as given: against main at 1337055 built
 * by the same scripts, JS 148,151 -> 148,553 B (+402), wasm 388,182 -> 388,268 B (+86); url
 * 539,233 -> 539,721 B, inline 455,113 -> 455,595 B. Budgets: the previous ones plus that growth.
 * Raised (s34, lossstep) by the split training step a loss function trains on (the fused
 * step's halves as out-of-line functions both steps call, the split step's checked state in
 * model/split.rs, nr_model_step_forward/_backward and nr_model_predict_terms with their
 * messages, ts/models/split-step.ts): wasm +5.5 kB raw, +1.8 kB gzipped, JS +0.2 kB; url
 * 539,233 -> 541,293 B, inline 455,113 -> 456,948 B (measured against 1337055). Budgets: those
 * plus ~0.05%.
 * Raised (s34, lead) by IOError and its uses (http, files, IndexedDB, data.csv, init), the
 * instance endings named in messages, the removal of killed saves' temporary files and the
 * one-pass flatten of tensor(): with morelayers, config and lossstep merged, url 551,370 B,
 * inline 464,672 B. Budgets: those plus ~0.05%.
 * Raised (s34, shapes) for layers shared at several input shapes: Layer::resize in 20 layer
 * kinds (the shape rule of each build, checking the axes the weights fix), the node setting a
 * layer for each forward's shape, a graph model's batches per shape (the kept inputs and the
 * backward that runs the earlier batches' forward again, adding the weight gradients), each
 * model's per-layer shapes, nr_layer_refit_shape and the new messages: wasm 998,207 ->
 * 1,013,934 B raw (+15.7 kB), +6.2 kB gzipped (measured on the branch against 1337055, the
 * same scripts); url 545,760 B, inline 460,259 B. Budgets: those plus ~0.05%.
 * Raised (s34, recfix) by errors that name what the user passed and the global max pooling's
 * tie rule: the embedding-id check of every model input with the layer's and the input's names
 * (nr_model_names, the names kept by the core, the per-input split), the inputs' names and
 * shapes in "x has no samples", the global max pooling's backward through the max reduction's
 * rule (input and output kept, not an argmax): wasm 1,020,925 -> 1,026,079 B raw; url 548,461
 * -> 550,660 B (+2,199), inline 462,273 -> 464,208 B (+1,935), against the measures above
 * (not rebuilt). Budgets: those plus ~0.05%.
 * Raised (s34, lazygrad) by gradients allocated on first need (Param::grad_mut and its
 * OutOfMemory path at each backward that writes a gradient, the update's allocation) and
 * loading's in-place weight write (nr_model_fill_weight, the facade's fillWeight): wasm
 * 1,026,586 -> 1,028,363 B raw (+370 B gzipped), JS +45 B gzipped; url 551,370 -> 551,785 B,
 * inline 464,672 -> 465,199 B (against main at b0012bb, whose url build was already 90 B over
 * its budget). Budgets: those plus ~0.05%.
 * Raised (s35, opcost) by the small op's shortcuts, all in JS (the wasm is the same): tidy's
 * lone-result path, the activations' default encodings, f32 lists written in place
 * (writeF32Args), shapes read in place, dispose's own free, a weight read without its name, fit's
 * per-batch index tensor with a loss function, the optimizer's parameter list kept: JS +275 B
 * gzipped; url 560,673 -> 560,988 B, inline 472,298 -> 472,612 B (against dcb6353, built the
 * same way). Budgets: those plus ~0.05%.
 * Raised (s35, contrib) by Keras 3's hard_silu activation (forward, backward, the registry's
 * arms) and Dice loss (forward, both gradients, the reduction and sample-weight refusals and
 * their messages), and their TS facade and TSDoc: wasm 1,048,208 -> 1,050,762 B raw (+876 B
 * gzipped), JS +22 B gzipped; url 560,673 -> 561,571 B, inline 472,298 -> 473,114 B (against
 * main's dist at dcb6353, same scripts). Budgets: those plus ~0.05%.
 * Raised (s35, varlen) by unknown (null) per-sample sizes: model/varlen.rs (the build at two
 * stand-in sizes, the unknown output axes, the flatten and weight-axis refusals and their
 * messages with null, fit_to's per-call refit and its message), the refit at every export that
 * takes x, the layers' shapes with null in nr_model_layer_info and Node's shown shape: the
 * linked module before wasm-opt 418,755 -> 424,597 B gzipped (dcb6353 and the branch built by
 * the same cargo command), core.wasm 1,060,103 B raw, 413,288 B gzipped (main's build of
 * dcb6353: 407,414); url 567,190 B, inline 478,002 B. Budgets: those plus ~0.05%.
 * Lowered (s35, trim; issue 8) with the wasm's functions listed by name (build/core.names.wasm,
 * `npm run size`, `node scripts/wasm-sizes.mjs --diff`): integer lists in messages through
 * error::ints instead of {:?} (Debug's list builders and the integers' Debug gone: about -1.8 kB
 * raw code), the layer options' range errors through one layers::out_of_range (-1.0 kB raw,
 * from_abi 21.5 -> 20.5 kB), erf's tables built by a named function compiled for size (-1.7 kB
 * raw): wasm 1,048,208 -> 1,043,485 B raw, 407,414 -> 406,173 B gzipped; url 560,673 ->
 * 559,432 B, inline 472,298 -> 471,755 B (against main at dcb6353, the same scripts). Budgets:
 * those plus ~0.05%.
 * Set (s35, merge) to the build of all of the above together with the browser fixes (lead:
 * localStorage's kept model, relative load paths, the image and worker messages) and tidy's
 * shared HTTP error: url 568,043 B, inline 478,973 B (session start dcb6353: 560,613 B and
 * 472,212 B; +7.4 kB, of which unknown sizes +5.9 kB). Budgets: those plus ~0.05%.
 * Raised (s35, lead) by the message of a null-size layer given a size it cannot take (its own
 * arm, "conv1d (per-sample input shape [null, 1]) cannot take [2, 1]: …", instead of "was built
 * for …, but here it receives …"): url 568,163 B (+120), inline 479,230 B (+257).
 * Raised (s36, varlen2) by unknown (null) sizes in graph models with several inputs or outputs
 * and in nested models: the per-call input shapes a packed x carries (nr_tensor_set_parts, the
 * handle table's list), fit_to's several-input arm and its messages, the stand-in builds of
 * several inputs, a nested model's resize, the outputs' per-call shapes (nr_model_output_dims):
 * wasm +4.2 kB gzipped; url 571.8 kB, inline 482.5 kB (+3.9 kB, +3.6 kB).
 * Raised (s36, layerapi) by the layer and model introspection of TF.js, all in JS (the wasm is
 * the same): layer.outputShape, batchInputShape, inboundNodes, built and dtype, shapes batch
 * first with the ambiguous-use errors naming each use's shape, model.built and the lists of
 * shapes of a model with several inputs or outputs, setWeights' count error with the expected
 * and given shapes, and their TSDoc: url 567,915 -> 568,516 B (+601), inline 478,933 -> 479,539 B
 * (+606) (against bb477d8, the same core.wasm, the same scripts). Budgets: those plus ~0.05%.
 * Together with the lead's (LateWeakRef for the weak model/variable lists, the .keras/.h5 file
 * messages, a sequential null-size model's symbolic chain): url 572,628 B, inline 483,240 B.
 * Raised (s36, percall) by the custom-loop step's per-call work: an optimizer not compiled into
 * a model updates the model's weights in place in nr_optimizer_apply (weight references, the
 * checks and the domain refusal before any update, the constraint after: about +5 kB raw), and
 * the cache of freed blocks in front of dlmalloc (crates/wasm/src/alloc.rs, about +2 kB raw):
 * wasm 1,058,423 -> 1,068,663 B raw, 413,342 -> 417,370 B gzipped; url 567,915 -> 572,135 B,
 * inline 478,933 -> 481,840 B (against this branch's start, bb477d8, the same scripts). Budgets:
 * those plus ~0.05%. Merged with the above: url 577,781 B, inline 486,324 B (the null sizes' and
 * the in-place update's code together came out ~1 kB larger than the two measured apart).
 * Raised (s36, seeds) by unseeded models, networks and shuffles drawing their seed from the
 * global generator (drawSeed, the given-or-drawn seed of models, perceptrons, RBF networks,
 * kmeans and dataset.shuffle, the config's given seed) and the { seed } options of
 * randomStandardNormal/randomUniformInt: url JS 154,225 -> 154,685 B; url 568,137 -> 568,597 B
 * (+460), inline 479,163 -> 479,631 B (+468), against main at 376d11c built with the same wasm.
 * Budgets: those plus ~0.05%.
 * Raised (s36, varlen3) by unknown (null) lengths in autoencoders and their messages: the
 * range of layers an autoencoder's encode/decode runs asked its shapes at the call's length
 * (Sequential::range_at), encodeDistribution set for x's length, a too-short sequence said in
 * 1-D terms (OneD::fits: kernelSize, dilationRate, poolSize and the steps needed) by a layer
 * that names itself; in JS an embedding without an input shape taking any length, the sparse
 * self-target of an autoencoder and the messages: wasm +1,123 B, JS +231 B gzipped; url
 * 572,628 -> 573,982 B (+1,354; c89e3b7 with its merge-built core.wasm against this build),
 * inline 484,347 B (about +1.3 kB). Budgets: those plus ~0.05%.
 * All of session 36 merged (varlen2, layerapi, percall, seeds, varlen3 and the lead's): url
 * 579,865 B, inline 487,943 B (session start bb477d8: 567,901 B and 478,919 B; +12.0 kB, of
 * which the wasm +9.4 kB: null sizes in graphs, nesting and autoencoders +5.3 kB, the in-place
 * optimizer update and the allocator cache +4.0 kB). With the lead's late fixes from a wide &
 * deep porter's findings (int32 input ids in loaded topologies, predict by input name, Keras's
 * list of metric lists, the 'sin' activation hint, the packed input's own shape in messages):
 * url 580,099 B, inline 488,173 B. Budgets: those plus ~0.05%.
 * Lowered (s37, size) by a pass over the wasm: no panic locations (-Z location-detail=none:
 * data 83.2 -> 58.9 kB raw, -11.4 kB gzipped), std's optimize_for_size feature (-1.3 kB),
 * simd128 greater/greaterEqual as less/lessEqual swapped (-0.3 kB): wasm 1,082,146 ->
 * 1,048,711 B raw, 423.4 -> 410.4 kB gzipped; url 579,992 -> 567,061 B, inline 487,919 ->
 * 479,041 B (main at 9db6f22 against this build). Budgets: those plus ~1%.
 * Session 37 misc (initializer seeds through the ABI, a noise stream per shape, static
 * className on every layer class and outboundNodes): url 581,642 B, inline 489,378 B (+1.65 kB
 * and +1.46 kB over main's 579,992 / 487,919: wasm +0.9 kB, JS +0.7 kB). Budgets plus ~0.05%.
 * Raised (s37, weights) by sample weights everywhere Keras 3 takes them (evaluate, trainOnBatch,
 * per output, per step, validation, dataset elements): wasm +752 B, url JS +1,174 B gzipped;
 * url 579,992 -> 581,941 B, inline 487,919 -> 489,710 B (against main 9db6f22's build).
 * Budgets: those plus ~0.05%.
 * All of session 37 merged (size, misc, weights, and the lead's PyTorch/brain.js habit fixes:
 * the logits warning, a tensor's inspect hooks): url 571,403 B, inline 483,049 B
 * (session start 9db6f22: 579,992 B and 487,919 B). Budgets: those plus ~0.1%.
 * Raised (s37, habits) by forgotten models' warning and memory().numModels (url and inline +332
 * B, within the budgets) and optimizer.learningRate = x for a custom loop's optimizer, its
 * setLearningRate, the compiled case's message and model.learningRate's checks (+289 / +286 B):
 * url 572,024 B, inline 483,667 B. Budgets: those plus ~0.05%. With reduceLROnPlateau's guard
 * against a rate below float32 (+19 / +17 B): url 572,043 B, inline 483,684 B.
 * With the lead's fixes from a Keras 3 porter's findings (classWeight's one-hot check, Keras's
 * accuracy in callbacks' logs, the nested-weights hint): url 572,374 B, inline 484,017 B
 * (session start 9db6f22: 579,992 / 487,919). Budgets: those plus ~0.05%.
 * Raised (s38, lead) by a Kaggle user's and a PINN researcher's findings: callbacks.modelCheckpoint,
 * the monitor direction rule, the precision/recall warning, the AUC, soft-label and empty-CSV
 * hints (JS only, +1,608 / +1,613 B): url 573,982 B, inline 485,630 B. Budgets plus ~0.05%.
 * s38 polish: models' className (LayersModel a class), the LeakyReLU/ELU/ReLU/Softmax layer
 * classes, fit's verbose through console.log in browsers (+443 / +449 B): url 572,817 B, inline
 * 484,466 B. Budgets: those plus ~0.05%.
 * s38 polish: compile({ weightedMetrics }) (the core's weighted metrics and compile section,
 * core.wasm 1,051,854 -> 1,054,272 B raw, 410,150 -> 411,324 B gzipped; the TS names and
 * aggregation): +1,662 / +1,603 B, url 574,479 B, inline 486,069 B. Budgets: those plus ~0.05%.
 * Raised (s38, mask) by sparseCategoricalCrossentropy's ignoreClass (the loss, its target check,
 * evaluate's per-batch means for a masked loss, the option): wasm +2.0 kB gzipped; url 572,374 ->
 * 574,376 B, inline 484,017 -> 485,697 B. Budgets: those plus ~0.05%.
 * Raised (s38, mask) by embedding({ maskZero }) masks: the layers' masking rules, the sequential
 * forward that carries a mask and its build check, globalAveragePooling1d's masked mean and its
 * backward, the masked loss weights and metrics, evaluate per batch (+13.4 kB raw, +7.0 kB
 * gzipped over main's wasm with ignoreClass): url 574,376 -> 578,918 B, inline 485,697 ->
 * 489,356 B. Then evaluate's masked batches and the masked forward out of line, optimize(size)
 * (they were inlined into nr_model_evaluate and forward_range): url 578,807 B, inline 489,304 B.
 * Budgets: those plus ~0.05%.
 * With weightDecay on every optimizer (the shared decay, nr_model_exclude_from_decay, the
 * exclusion list of nr_optimizer_apply), model.learningRate = 0, stopGradient
 * (nr_stop_gradient) and callbacks.learningRateScheduler (wasm +917 B gzipped): url 572,374 ->
 * 573,792 B (+1,418), inline 484,017 -> 485,254 B (+1,237). Budgets: those plus ~0.05%.
 * Raised (s38, norm) by layers.normalization (Keras 3's Normalization: the core layer, wasm
 * +2,442 B gzipped; adapt's float64 statistics and the layer class, JS +1,585 B): url 578,075 B,
 * inline 489,514 B against main 5e86b0f's build at 574,048 / 485,693 (already past the old
 * budgets). Budgets: those plus ~0.05%.
 * All of session 38 merged (the lead's callback and hint fixes, polish, mask, optim, norm):
 * url 589,791 B, inline 498,825 B (wasm 423,489 B, url JS 165,732 B; session start 1196da7:
 * 572,374 / 484,017, wasm 412.2 kB). Budgets: those plus ~0.05%.
 * Raised (s39, callbacks; TS only) by callbacks.MonitorCallback, excludeFromWeightDecay's
 * RegExps and unmatched-name check, and normalization's eager apply/getWeights and un-adapted
 * save (JS +1.2 kB gzipped): url 590,297 -> 591,489 B, inline 499,282 -> 500,537 B against
 * main f5705a3's build. Budgets: those plus ~0.05%.
 * Raised (s39, masking) by layers.masking (TF.js's and Keras 3's Masking: the core layer, its
 * kind id, the mask messages naming it; the TS class and its saving): url 589,868 -> 591,545 B
 * (+1,677), inline 498,913 -> 500,287 B (+1,374) over main f5705a3's build. Budgets: those plus ~0.05%.
 * Then batchNormalization's masked training moments and their backward (Masking::Use), with
 * masking's build message without Debug formatting: url 591,631 B (+86), inline 500,434 B
 * (+147), within those budgets.
 * Lowered (s39, size; issue 8): the exports' guard and handles::with closures compiled for size
 * as the exports are (an optimize(size) function does not pass it to its closures, whose callees
 * were inlined at opt-level 3: -3.7 kB raw), no str slicing panic path (varlen's messages took
 * `&s[1..]`: core::str::slice_error_fail, char's Debug and the Unicode tables, -3.3 kB raw code
 * and -2.7 kB data), and optimize(size) on six cold functions (codec header, stand-in builds,
 * Sequential::add, set_input_grad_all out of line: -2.4 kB). No kernel or training-step function
 * changed beyond call names and data addresses (wasm-dis of both builds). wasm 1,077,383 ->
 * 1,065,547 B raw, 423,496 -> 417,824 B gzipped; JS the same (165,802 B); url 589,868 ->
 * 584,196 B, inline 498,913 -> 494,761 B. Budgets: those plus ~1% (inline 0.9%: not above the old).
 * All of session 39 merged (the lead's edge-runtime and many-models fixes, callbacks, masking,
 * size): url 588,661 B, inline 498,771 B (wasm 419.7 kB, url JS 168.4 kB; session start
 * f5705a3: 589,868 / 498,913, wasm 423.5 kB, JS 165.8 kB). Budgets: those plus ~0.05%.
 * Raised (s40, lead; TS only) by the NumPy-habit argument checks (reductions, argMax, cumsum,
 * linspace, norm), NumPy's alignment of nan/inf and signed −0, and the console display of
 * layers, weights and tensors of an ended instance: url 588,661 -> 589,417 B (+756), inline
 * 498,771 -> 499,523 B (+752). Budgets: those plus ~0.05%.
 * Raised (s40, coldstart) by the default init()'s workers starting at the first call large
 * enough to split (the core's wanted word and its export: wasm +88 B; the engine's lazy start,
 * threadsReady(): JS +408 B): url 588,665 -> 589,161 B, inline 498,771 -> 499,177 B over main
 * 987d90d's build. Budgets: those plus ~0.01%. Then isResponseLike without the global Response:
 * url 589,148 B, inline 499,165 B.
 * Raised (s40, handles) by nr_live_counts, setWeights from arrays (nr_model_weight_spans, the
 * facade's checks), dispose()'s DisposeResult (params_freed, nr_model_free's counts) and
 * Error::OutOfHandles: wasm +2,145 B gzipped (+4.0 kB raw code: the DisposeResult count 2.2 kB,
 * the spans export 1.5 kB, the counts export 0.2 kB), JS +633 B: url 588,665 -> 591,443 B,
 * inline 498,771 -> 500,902 B over main 987d90d's build. Budgets: those plus ~0.05%.
 * Raised (s40, handles) by setWeights from arrays checked in the core after the copy
 * (nr_model_weight_commit: SIMD checks, the old values put back on an error; the JS scan it
 * replaces cost 2.4 ns a value): wasm +1,724 B gzipped, url 591,443 -> 593,096 B, inline
 * 500,902 -> 502,043 B. Budgets: those plus ~0.05%.
 * Raised (s40, fmask): masks in graph models (each node's mask beside its value, check_masks as
 * a walk over the nodes, Keras 3's merge rules and masked multiply/maximum/minimum): wasm
 * +12.5 kB raw, +6.0 kB gzipped; url 588,665 -> 594,418 B, inline 498,771 -> 503,312 B.
 * Budgets: those plus ~0.05%.
 * Raised (s40, fmask): several outputs each with its own mask (packed per sample, each head's
 * loss masked by its own; the masked multiply folded with the plain one): wasm +1.4 kB raw,
 * +0.7 kB gzipped; url 594,418 -> 595,092 B, inline 503,312 -> 503,982 B. Budgets: those plus ~0.05%.
 * Raised (s40, interrupt) by recovering interrupted calls (phase words in guard, run and the
 * allocator, the recovery exports; engine's afterInterrupt, the abandoned-tidy check): url
 * 588,661 -> 591,164 B (+2,503), inline 498,771 -> 501,007 B (+2,236). Budgets: those plus ~0.02%.
 * All of session 40 merged (the lead's NumPy/REPL fixes, the lazy worker start, handles and
 * setWeights from arrays, masks in graph models, recovery from interrupted calls): url
 * 603,483 B, inline 510,687 B (wasm 431.5 kB, url JS 171.4 kB; session start 987d90d:
 * 588,661 / 498,771). Budgets: those plus ~0.05%.
 * Raised (s41, customGrad): the tape's sweep stops at a customGrad function and goes on with the
 * gradients JS gives (Sweep/Step/give in the core, nr_tape_custom and nr_tape_custom_give, the
 * facade's customGrad): wasm +6.3 kB raw (+2.4 kB gzipped), JS +0.7 kB gzipped; url 603,521 ->
 * 606,690 B, inline 510,722 -> 513,758 B. Budgets: those plus ~0.05%.
 * Raised (s41, reduce) by the short-row reductions (kernels/reduce_rows.rs: sum, max, min,
 * argMax/argMin and variance four rows at a time on SIMD lanes, softmax's block of short rows):
 * wasm +9.3 kB raw code, +2.4 kB gzipped; url 603,521 -> 605,966 B, inline 510,722 -> 512,539 B.
 * Budgets: those plus ~0.05%.
 * Raised (s41, fshare) by masks through shared layers and nested models (each use's own mask
 * stacked as the uses' inputs, Masking::Model, check_masks' walk into nested models): wasm
 * +5.2 kB raw code, +1.95 kB gzipped; url 603,521 -> 605,428 B, inline 510,722 -> 512,210 B
 * over main 323c095's build. Budgets: those plus ~0.05%.
 * Raised (s41, fshare) by masks at concatenate along the steps (Merge::concat_masks) and dot
 * (dropped, as Keras 3): wasm +1.5 kB raw code, +0.8 kB gzipped; url 605,428 -> 606,131 B,
 * inline 512,210 -> 512,847 B. Budgets: those plus ~0.05%.
 * Raised (s41, codecfix): the wavelet codec's LL quantiser (wasm +318 B gzipped) and the learned
 * codec's toJSON()/description checks (JS ~+1.2 kB): url 603,521 -> 605,089 B, inline
 * 510,722 -> 512,090 B over main 323c095's build. Budgets: those plus ~0.05%.
 * Raised (s41, layerux) by the Keras-port messages and options (custom layer subclasses refused,
 * ops on SymbolicTensors, Keras's verbose in predict/evaluate/callbacks, epoch gaps, NaN by
 * sample), all JS: url 603,521 -> 605,732 B (+2,211), inline 510,722 -> 512,931 B (+2,209).
 * Budgets: those plus ~0.05%.
 * Raised (s41, linalg) by linalg.qr/bandPart/gramSchmidt and the orthogonal, varianceScaling and
 * identity initializers (Householder QR, the band mask and its rule, two exports, Init::fill's
 * shape checks): wasm +9.6 kB raw, +3.7 kB gzipped; url 603,521 -> 608,111 B, inline 510,722
 * -> 514,551 B. Budgets: those plus ~0.05%.
 * Lowered (s41, size; issue 8): a tensor's fields dropped by one out-of-line Drop (the
 * shape's free and the Arc's count were inlined at each of the ~330 places a tensor is
 * dropped: -14.0 kB raw, -3.9 kB gzipped; the 122 kernel, pool-closure and optimizer-update
 * functions byte-identical, wasm-dis) and terser's two passes (-0.1 kB): wasm 1,098,986 ->
 * 1,084,932 B raw, 431,467 -> 427,602 B gzipped; url 603,483 -> 599,465 B, inline 510,687 ->
 * 508,303 B (main at 323c095 against this build, the same scripts). Tried and dropped:
 * #[inline(never)] on the 243 optimize(size) functions without it (+0.5 kB: binaryen's -O3
 * inlines single-caller functions after LLVM compiled them for size, so the exports' 29 % is
 * those bodies, not O3 copies), handles::with through a dyn FnMut (+10 kB: the body twice,
 * call_mut and the call_once shim), Shape's list dropped out of line (+0.1 kB); wasm-opt -O3
 * twice (-1.2 kB) changes the GEMM's code and waits for a quiet-machine benchmark.
 * Budgets: those plus ~0.05%.
 * All of session 41 merged (customGrad, the short-row reductions, masks through shared layers
 * and nested models, the codec fixes and FORMATS.md, the Keras-port messages, linalg and the
 * new initializers, the tensor Drop): url 617,309 B (JS 176.9 kB, wasm 439.8 kB), inline
 * 523,387 B (session start 323c095: 603,521 / 510,722). Budgets: those plus ~0.05%.
 * Session 42's seq1d: PReLU's sharedAxes (α of any shape, the prelu op in the layer, Keras's
 * fans, the resize message), Haar's odd end, the channel-axis hint, the second-copy warning and
 * the missing-core.wasm advice: url 617,309 -> 619,547 B (+2,238), inline 523,387 -> 525,151 B
 * (+1,764). Budgets: those plus ~0.05%.
 * Raised (s42, maskfix) by masks as an argument of the forward (Layer::forward_with_mask, a
 * default per layer type in the vtables, and Node::forward_masked): wasm +1.25 kB raw code;
 * url 617,402 -> 617,913 B (+511), inline 523,477 -> 523,782 B (+305) over main 37953fa's build.
 * Budgets: those plus ~0.05%.
 * Wavelet stream version 5 (the LL band's MED prediction and its decoder loop): url 617,402 ->
 * 617,798 B (+396), inline 523,477 -> 523,855 B (+378); budgets those plus ~100 B.
 * Raised (s42, conv1dt) by layers.conv1dTranspose (Keras 3's Conv1DTranspose: kind 46 on
 * conv2dTranspose's layer with dilation and output padding, wasm +0.8 kB gzipped) and the
 * conv1dTranspose op, the layer class and its configs (JS +1.0 kB): url 617,402 -> 619,199 B,
 * inline 523,477 -> 525,105 B over main 37953fa's build. Budgets: those plus ~0.05%.
 * Raised (s42, bcast) by broadcasts against short rows (kernels/broadcast_rows: blocks, the
 * column swizzles) and leading-axis reductions of short rows (kernels/reduce_columns: the sums'
 * four-chain leaves for rows of 2, 3 and 4 values, 6.7 kB raw of the 11.6 kB, and max/min in
 * blocks): wasm +11.6 kB raw, +4.8 kB gzipped; url 617,402 -> 622,150 B, inline 523,477 ->
 * 527,025 B over main 37953fa's build. Budgets: those plus ~0.05%.
 * All of session 42 merged (PReLU's sharedAxes and the testers' fixes, masks as a forward
 * argument, wavelet v5, conv1dTranspose, the short-row broadcasts and leading-axis reductions):
 * url 626,921 B (JS 179.0 kB, wasm 445.2 kB), inline 530,933 B (session start 37953fa:
 * 617,309 / 523,387). Budgets: those plus ~0.05%.
 * Raised (s43) by stopped gradients that recover (the guarded nr_tape_end/nr_alloc/nr_dealloc,
 * the sweep's abandonable rules, the tape's turn stamp: +0.2 kB), `version`, autoencoder
 * datasets of inputs alone and Keras-positional hints (+0.3 kB): url 626,921 -> 627,402 B,
 * inline 530,933 -> 531,405 B. Budgets: those plus ~0.05%.
 * Raised (s43, oned) by Keras 3's upSampling1d, zeroPadding1d, cropping1d (kinds 47-49 on the
 * 2-D layers through OneD) and the up-sampling and padding lengths checked against a
 * dimension's range (they wrapped around on wasm32): wasm +2.1 kB raw code, +0.95 kB gzipped;
 * the classes, configs and spec shapes: JS +0.75 kB; url 627,107 -> 628,802 B, inline
 * 531,108 -> 532,518 B over main 83a07ba's build. Budgets: those plus ~0.05%.
 * All of session 43 merged: url 629,272 B, inline 533,080 B (session start 7d8fb6d: 626,921 /
 * 530,933). Budgets: those plus ~0.05%.
 * Raised (s44) by the 1-D DCT of any length (compression/fft.rs: radix-2 and Bluestein FFTs in
 * f64, 2.7 kB raw; dct1d and Makhoul's reordering 1.5 kB; f64 sin, 0.85 kB) and the DCTs'
 * gradient rule, nr_dct2d becoming nr_dct(dims): wasm +3.8 kB gzipped, url 629,272 ->
 * 633,155 B, inline 533,080 -> 536,180 B. Budgets: those plus ~0.05%.
 * Raised (s44) by the DWT's gradient (the transposed lifting steps, dwt.rs's Pass): +0.3 kB,
 * url 633,461 B, inline 536,394 B. Budgets: those plus ~0.05%.
 * Raised (s44) by the web-app tester's fixes: TF.js's class-style optimizer names, the
 * not-a-secure-context reason, an HTML page given for the wasm or a model.json said as such
 * (JS +0.47 kB): url 633,933 B, inline 536,870 B. Budgets: those plus ~0.05%.
 * Raised (s44, papercuts) by summary's expandNested, earlyStopping's startFromEpoch, data.csv's
 * missing values, HistoryLogs (JS +0.5 kB) and the f64 learning-rate factor (wasm +0.1 kB
 * gzipped): url 634,521 B, inline 537,345 B. Budgets: those plus ~0.05%.
 * Raised (s45) by TF.js's env() (JS +0.5 kB), autoencoder's ownsParts and the Keras 3
 * restoreBestWeights rule (JS +0.2 kB) and the C ABI's Limit family (the DCT block limits the
 * facade checks, from one Rust table: wasm +0.3 kB gzipped): url 635,390 B, inline 538,319 B.
 * Budgets: those plus ~0.05%.
 * Raised (s45) by the testers' fixes: merge layers of different ranks (wasm +0.5 kB), numBytes
 * counting a buffer once (+0.2 kB), pad 0, serialization.registerClass, data.csv of file://
 * URLs, History.params, the resume fixes (applySteps, epochs counted on, JSON slots), the saved
 * current rate and nameless serialized options (JS +1.1 kB), less TF.js's print format (-0.5
 * kB): url 636,778 B, inline 539,434 B. Budgets: those plus ~0.05%.
 * Raised (s45) by the second round: the file:// weights checksum, LateWeakRef settling in a
 * task, gradients that remember their variable, and image ops that refuse a gradient (JS +0.4
 * kB): url 637,182 B, inline 539,835 B. Budgets: those plus ~0.05%.
 * Raised (s46) by the tape's gradient of some outputs of a graph model (the sweep's column
 * record, Wiring::layers_reached: wasm +2.0 kB gzipped), workers freeing their kernels' buffers
 * and the bit readers' padding check (+0.4 kB), numDataBuffers, and the testers' JS fixes
 * (symbolic apply's kwargs, the dataset/io error classes, prefetch, save's model.json limit, the
 * too-large result message, threadsReady/shutdown races: +1.5 kB): url 640,657 B, inline
 * 543,152 B. Budgets: those plus ~0.05%.
 * Raised (s46) by the second round: weights read and written in one call each and the graph
 * walks on a stack of their own (wasm +1.0 kB: the fix for quadratic save/load of deep models),
 * unique layer names and the frozen model.layers, the Keras porting checks (a model subclass's
 * call/train_step, Input in sequential, fit(dataset), modelCheckpoint with a loss function),
 * fitDataset's NaN position, 3/Unknown (JS +1.4 kB): url 643,103 B, inline 545,228 B. Budgets:
 * those plus ~0.05%.
 * Raised (s46) by the RL tester's fixes: an array's named keys in dispose/tidy, null seeds, the
 * frozen-order hint of setWeights, an optimizer's own state carried into compile, a model's
 * console.log (JS +0.6 kB): url 643,672 B, inline 545,795 B. Budgets: those plus ~0.05%.
 * Raised (s46) by setWeights matching one getWeights call's copies across a frozen order, the
 * refusal of a step under a running fit and the README-era hints (JS +0.2 kB): url 643,973 B,
 * inline 546,099 B. Budgets: those plus ~0.05%.
 * Raised (s47) by apply(symbolic, { training: false }) honoured (Mode::Held, the wiring's held
 * layers, the kwargs saved and read: wasm +0.4, JS +0.5 kB), batch norm's moments of large
 * offsets (the shifted sum: +1.2 kB raw in its forward), kmeans' f64 inertia, and the testers'
 * fixes (loaders' manifest and device checks, Deno's timer yields, unload hook and inspect,
 * scikit-learn's option names, messages: JS +0.6 kB): url 646,005 B, inline 548,170 B.
 * Budgets: those plus ~0.05%.
 * Raised (s47) by the second round: Keras 3's NotEqual mask op read as the embedding's mask,
 * modelCheckpoint's positional form and Deno hint, browserFiles' renamed downloads, losses'
 * sample positions, the early monitor check (JS +0.5 kB); the flat-rows reshape hint and the
 * image side message (wasm +0.2 kB): url 646,833 B, inline 548,920 B. Budgets: those plus
 * ~0.05%. (Lines of 200 characters instead of 1,000 cost 2.1 kB and did not bound the longest,
 * a string literal: not taken.)
 * Raised (s48) by the training loop's own chunk (train.js, loaded on the first fit): the inline
 * app's code chunk in Vite was 500.7 kB, over its 500 kB advice, and is 493.4 kB; compressed
 * apart, the two chunks cost 1.1 kB more than the one: url 647,962 B, inline 550,101 B. Budgets:
 * those plus ~0.05%.
 * Raised (s48) by six testers' fixes, all in JS but adam's epsilon check (wasm +0.02 kB): the
 * leak report's place, setWeights' nested arrays and genome hint, add()'s builder, the metric
 * functions' pinned names, 'crossentropy' picked as TF.js, classWeight lists, the transfer
 * fixes (node 0 of a sequential model's layers, apply at other input shapes, trainable
 * setters, the fit warning, summary's showTrainable: +0.5 kB) and the dataset fixes (in the
 * main chunk +0.1 kB; data.js 10.8 -> 11.6 kB): url 649,400 B, inline 551,523 B. Budgets: those
 * plus ~0.05%.
 * Raised (s48) by tanh's simd128 kernel (wasm +0.1 kB; ~10x faster than libm's scalar tanhf)
 * and the TSDoc testers' fixes (the layers object typed for hover docs, the activation layers'
 * name prefixes, pinned loss names: JS +0.3 kB): url 649,791 B, inline 551,895 B. Budgets:
 * those plus ~0.05%.
 * Lowered (s49): toArtifacts' and save's conversions (the TF.js training config and optimizer
 * state, io/training.ts) moved to the storage chunk (main chunk -10.3 kB minified, -3.2 kB
 * gzipped; io.js 18.3 -> 21.6 kB), against Sequential pop() and add() on a built model, graph
 * layers in TF.js's order, the porting and testers' fixes (JS +1.6 kB) and the mish, geluNew
 * and logSoftmax simd128 kernels with out-of-line transcendental kernels (wasm -0.2 kB): url
 * 648,716 B, inline 551,310 B. Budgets: those plus ~0.05%.
 * Raised (s50) by KL annealing (a variational layer's klWeight set in the core through a new
 * ABI call, nr_model_set_kl_weight: wasm +1.1 kB raw, ~+0.45 kB gzipped), pow's exact route for
 * whole and half exponents (3-35x faster, correctly rounded: wasm +0.1 kB), the losses of empty
 * predictions moved from the facade into the core (wasm +0.2 kB raw, JS -0.4 kB raw), and the
 * testers' fixes in JS (+0.3 kB gzipped: a worker that exits replaced, the chunk-copy check for
 * tsx, bitsPerPixel of batches, LayerVariable val/write, messages): url 649,878 B, inline
 * 552,363 B. Budgets: those plus ~0.05%.
 * Lowered (s51): LLVM's runtime unrolling off (-Cllvm-args=-unroll-runtime=false in
 * scripts/build-wasm.mjs; the element-wise zip and the accumulating update unrolled by hand to
 * keep their speed): wasm -8.2 kB gzipped, against the porting and testers' fixes (metricsNames,
 * TF.js's history params, a 1-D x on every input path, non-finite gradients naming the layer,
 * a diverged fit's history, the normalization's adapted shape: JS +0.7 kB) and kmeans' distinct
 * rows in its error (wasm +0.5 kB): url 643,415 B, inline 547,323 B. Budgets: those plus ~0.05%.
 * Raised (s52) by Node's no-source-line marker on the ~440 minified lines that make errors
 * (scripts/rollup-throw-lines.mjs: an uncaught error printed 1,000 characters of bundle above
 * its message; +1.3 kB gzipped per entry; a max_line_len of 4,000 would have paid for it, but
 * Bun prints six lines of context around an error): url 644,873 B, inline 548,821 B. Budgets:
 * those plus ~0.05%.
 * Raised (s52) by the testers' fixes in JS (+1.3 kB gzipped: init keeping the instance for its
 * own source, the worker shipped as its built text in a string, the permission and no-WebAssembly
 * errors, monitors of logs a user's callback writes, a pending adapt named, reductions by Keras's
 * names, psnr/ssim's range warning, a variable listed twice) and the channels-first hint in the
 * core (wasm +0.2 kB; the sigmoid/tanh kernels' sign-bit OR is 14 B smaller): url 646,337 B,
 * inline 550,215 B. Budgets: those plus ~0.05%.
 * Lowered (s52): fitDataset's and evaluateDataset's option checks moved into the dataset chunk
 * (data.js, loaded by their first call; a Vite app's main chunk of neurite/url had reached
 * 500.7 kB, over Vite's warning, and is 496.7 kB): url 645,085 B, inline 548,963 B. Budgets:
 * those plus ~0.05%. Then conv2d's forward in place for up to 8 input channels (wasm +0.1 kB
 * gzipped): url 645,195 B, inline 549,036 B, within them.
 * Raised (s53) by features, JS +4.1 kB gzipped: compile's accumulated metrics (precision,
 * recall, r2Score, rmse, auc, f1Score as Keras 3's, metric-state.ts, +1.4 kB), layer.apply on a
 * tensor (models/eager.ts), conv2dTranspose's outputPadding options, the capped ReLU, the sign
 * activation's atZero and tensors as the classic models' weights, huffman.codes, and the
 * #__PURE__ marks terser now keeps so that apps tree-shake (+79 B; a Vite app's code chunk
 * 500.2 -> 438.0 kB); wasm +0.8 kB (conv2dTranspose's output padding and its op's range
 * message, the capped ReLU and sign's atZero): url 650,049 B, inline 553,739 B. Budgets: those
 * plus ~0.05%. Then the facade's step reads the core's order of the epoch (nr_model_order, so
 * that a metric function changes no batch): url 650,228 B, inline 553,947 B, within them.
 * Raised (s54, serving) by the service tester's fixes in the router and the warnings (+0.55 kB
 * gzipped per entry, measured against the same build without them: url 650,472 -> 651,024 B,
 * inline 554,190 -> 554,738 B): URL objects read as their href, file: without '//' read or
 * refused with what is wrong, a scheme without its '//' and a Windows path named, debug mode's
 * leak warning for a tensor made before setDebug(true). Budgets: the old ones plus that.
 * Raised (s54) by the TF.js converter's quantized weights read back as float32 (uint8, uint16,
 * float16: their checks and messages, in the main chunk as loadModel(artifacts) reads them
 * there), tensor()'s refusal of 32-bit integers float32 cannot hold, fit's out-of-memory hint,
 * conv1dTranspose's range message in 1-D terms, eager apply giving back its seed, the panic
 * message read from the trapped instance, and the core's empty least squares: +0.9 kB gzipped
 * per entry; url 651,935 B, inline 555,660 B. Budgets: those plus ~0.05%.
 * Raised (s54, async fixes) by fit's awaited async cleanup and the training error that keeps
 * the cleanup's (alsoFailed), the stopTraining warning for onTrainBegin and the note naming
 * the hook that set it, the init() after shutdown() that starts again, and the shutdown
 * message of calls after shutdown(): +0.4 kB gzipped per entry (url 651,958 -> 652,357 B,
 * inline 555,683 -> 556,086 B, against the same build without them). Budgets: the old ones
 * plus that.
 * Raised (s54) by the messages of neurite bundled into an inline worker (Vite's
 * ?worker&inline, a blob: URL): neurite/url's core.wasm, and the chunks imported on first use,
 * say so and what works (ts/inline_worker.ts), and neurite/url's pool starts there from a Blob
 * URL: +596 B gzipped for url (651,958 -> 652,554 B), +304 B for inline (555,683 -> 555,987 B),
 * measured against the same build without them. Budgets: the old ones plus that.
 * Then the variance's gradient with the exact mean and pow's exponent gradient as TF.js's
 * (wasm +0.1 kB gzipped): url 653,279 B, inline 556,526 B. Budgets: those plus ~0.05%.
 * Raised (s55) from url 653,319 / inline 556,567 B (the start of the session) to url 656,265 /
 * inline 558,970 B: the layer-weights-beyond-one-tensor error (Error::TooLarge, its message
 * and the layer's name; core.wasm +1.27 kB gzipped, much of it the module compressing less
 * well after the change), the codec fixes (LZW's one allocation and payload bound, the output
 * cap checked before decoding, FORMATS.md's version/parameter pairs, trailing bytes refused by
 * the image codecs, wavelet.step's check: +0.7 kB url, +0.4 kB inline), the sparse-target metric
 * message (+0.3 kB), and the facade's messages (a failed init named, customGrad's save hint,
 * graph outputs of one name, nested and direct uses of a layer, the duplicate-name fix: +0.75 kB
 * JS). Budgets: those plus ~0.05%.
 * Then (s55) merge layers applied to tensors (a hidden graph model), callbacks that skip an
 * epoch a stop left unvalidated, adapt's pair warning, endless check and yields, the for-await
 * yields, data.csv's UTF-16 and path advice: +0.94 kB url (657,209 B), +0.95 kB inline
 * (559,918 B). Budgets: those plus ~0.05%.
 * Raised (s56) from url 657,330 / inline 560,042 B (the start of the session) to url 658,656 /
 * inline 561,372 B: testers' fixes in the main bundle — the learned codec's imageShape check,
 * fromPixels' cross-origin message, the CORS hint of HTTP loads, debug mode's stacks, Pace by
 * the clock, 64-bit shuffle keys, loadModel's draws, data.csv's finalizer, the constructors'
 * messages, customGrad's save check, Layer's Symbol.dispose and subclass check (+1.3 kB).
 * optimizer.getWeights/setWeights (2.3 kB gzipped) live in the storage chunk (io.js), not
 * budgeted. Then (s56) the masked JS metrics (nr_model_output_mask and the rows they keep),
 * the allocator's drain on a failed allocation, the split-memory message, Deno's in-place
 * save, the padding-label hint and TF.js's nested-shape rule: url 659,913 B, inline 562,244 B.
 * Then (s56) the logit-metrics warning, collapseLinear's unbuilt check, PCA's cutoff and the
 * copies' recorded shapes: url 660,317 B, inline 562,575 B. Budgets: those plus ~0.05%.
 * Then (s57, interop) the main bundle's part of the TF.js/Keras interop fixes (the 1-D
 * poolings' data_format and keepdims and the convolutions' groups refused, Keras ≤ 2.2's
 * Sequential config as a list, BatchNormalization's axis as a list of one) and the commits
 * since: url 660,656 B, inline 562,914 B (about +150 B each against the branch's start).
 * Budgets: those plus ~0.05%.
 * Then (s57, logits) the crossentropies on logits on the SIMD exp, softplus and sigmoid
 * kernels (a row's log-sum-exp in f64 lanes, the gradient from the same exponentials: training
 * with fromLogits up to 1.9× faster): url 662,226 B, inline 564,332 B, +0.88 / +0.59 kB
 * against the branch's start (661,346 / 563,740 B, already past the budgets by the commits
 * since them). Budgets: those plus ~0.05%.
 * Then (s57, the testers' fixes: the leak-place parsing of Firefox's and Safari's stacks,
 * multinomial's float64 shares, the out-of-memory and stack-limit messages, enableDebugMode,
 * the dumb-terminal bar, memory()'s size read in JS, the RBF width guard): url 662,864 B,
 * inline 565,092 B. Budgets: those plus ~0.05%.
 * Then (s58, the testers' fixes: RBF distances in f64 out of float32's range, the kept
 * training output for metrics computed in TS (two exports), regularizers as TF.js's L1L2 with
 * apply, the host timers and microtasks fakes cannot hold, the TextDecoder fallback, the edge
 * and Workers guards, the bundler-relative wasm URL, the messages): url 665,420 B (JS
 * 206.9 kB, wasm 457.9 kB), inline 567,581 B; then zone.js's macrotasks around init, fit and
 * fitDataset and their yields: url 665,694 B, inline 567,883 B. Budgets: those plus ~0.05%.
 * Then (s59, the testers' fixes: klSparsity's apply and its dead-unit gradient, the activation
 * parameters checked when a layer is made, generated names that skip given ones, the tensors'
 * and layers' ids, the posted-tensor and two-installs messages, the cdf53 and NaN-loss
 * messages, the factories taking their own configs): url 669,164 B (JS 210.2 kB, wasm
 * 458.4 kB), inline 571,237 B. Budgets: those plus ~0.05%.
 * Then (s60, seventeen testers' findings: multi-input predict in chunks and its messages, loss
 * functions of any shape and their gradient check, a default save keeping a schedule's
 * position, PCA's transforms as ops and its float64 variances, eye's batchShape, computeMask,
 * the codecs' hints, real-path turns for file:// folders, the dot-output warning, the
 * probability warnings; wasm: the tape's hash map, klSparsity.apply as a core op, the RBF
 * kernels' float64 paths, null-step shape hints): url 679,477 B (JS 218.1 kB, wasm 460.8 kB),
 * inline 581,332 B (+10.3 kB, +10.1 kB). Budgets: those plus ~0.05%.
 */
export const BUDGET = {
  /** `neurite/url`: dist/url/index.js + neurite.js + train.js + core.wasm + worker.js. */
  url: 679820,
  /** `neurite`: dist/index.js + neurite.js + train.js + wasm.js (the wasm LZMA-packed, as basE91). */
  inline: 581620,
};

const gz = (buf) => gzipSync(buf, { level: 9 }).length;

/** Raw and gzipped sizes of the built entries. */
export function measure(dist = join(root, 'dist')) {
  const file = (p) => {
    const b = readFileSync(join(dist, p));
    return { raw: b.length, gzip: gz(b) };
  };
  // The entry re-exports neurite.js; io.js (the storage code) is imported on the first save or
  // load and data.js (the dataset code) when a dataset is first iterated or trained on, so they
  // are listed but not budgeted (like the relaxed-SIMD module). train.js (the training loop) is
  // imported on the first fit: budgeted with the entry, as training is what most apps do.
  const sum = (parts) => parts.map(file).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }));
  const js = sum(['url/index.js', 'url/neurite.js', 'url/train.js']);
  const io = file('url/io.js');
  const data = file('url/data.js');
  const wasm = file('url/core.wasm');
  // The pool worker is fetched whenever more than one thread runs; the relaxed-SIMD module
  // only on request (init({ relaxedSimd: true })), so it is listed but not budgeted.
  const worker = file('url/worker.js');
  const relaxed = file('url/core-relaxed.wasm');
  // The default entry: the same split, and its wasm text in a chunk imported by init().
  const inline = sum(['index.js', 'neurite.js', 'train.js', 'wasm.js']);
  const inlineIo = file('io.js');
  const inlineData = file('data.js');
  return { urlJs: js, io, data, wasm, worker, relaxed, url: { raw: js.raw + wasm.raw + worker.raw, gzip: js.gzip + wasm.gzip + worker.gzip }, inline, inlineIo, inlineData };
}

/**
 * build/core.names.wasm (the shipped module with its name section, written by build:wasm)
 * when it holds dist/url/core.wasm's code (same sections and function sizes), else null.
 */
export function namedWasm() {
  const namesFile = join(root, 'build/core.names.wasm');
  if (!existsSync(namesFile)) return null;
  const named = readFileSync(namesFile);
  const [x, y] = [analyse(named), analyse(readFileSync(join(root, 'dist/url/core.wasm')))];
  const plain = (a) => a.sections.filter((s) => !s.name.startsWith('custom'));
  const same = x.bodies.length === y.bodies.length && x.bodies.every((f, i) => f.size === y.bodies[i].size)
    && plain(x).length === plain(y).length && plain(x).every((s, i) => s.size === plain(y)[i].size);
  return same ? named : null;
}

/** The table printed by `npm run size` and by the size test. */
export function table(m = measure()) {
  const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
  const row = (name, v, budget) =>
    `${name.padEnd(44)} ${kB(v.raw).padStart(10)} ${kB(v.gzip).padStart(10)} gzip` +
    (budget ? `   budget ${kB(budget)} (${((100 * v.gzip) / budget).toFixed(0)}% used)` : '');
  return [
    row('dist/url/index.js + neurite.js + train.js', m.urlJs),
    row('dist/url/core.wasm', m.wasm),
    row('dist/url/worker.js', m.worker),
    row('neurite/url (JS + wasm + worker)', m.url, BUDGET.url),
    row('dist/url/io.js (on first save/load)', m.io),
    row('dist/url/data.js (on first dataset use)', m.data),
    row('dist/url/core-relaxed.wasm (opt-in)', m.relaxed),
    row('neurite (index, neurite, train, wasm .js)', m.inline, BUDGET.inline),
    row('dist/io.js (on first save/load)', m.inlineIo),
    row('dist/data.js (on first dataset use)', m.inlineData),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--top');
  const top = i > 0 ? Number(process.argv[i + 1]) : 20;
  console.log(table());
  const named = namedWasm();
  if (named) {
    console.log(`\ncore.wasm (dist/url/core.wasm, names from build/core.names.wasm):`);
    console.log(report(named, top));
  } else {
    const stale = existsSync(join(root, 'build/core.names.wasm'));
    console.log(`\ncore.wasm (dist/url/core.wasm${stale ? '; build/core.names.wasm is of another build: run `npm run build`' : ''}):`);
    console.log(report(readFileSync(join(root, 'dist/url/core.wasm')), top));
  }
}
