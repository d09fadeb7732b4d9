import type { WebAssemblyMemory } from '../web-types.js';

/**
 * The raw exports of `crates/wasm`, typed. Pointers and handles are u32 values; every call
 * that can fail returns an i32 status (0 = OK). See `crates/wasm/src/lib.rs` for the contract:
 * every pointer must lie in the scratch area or in a live `nr_alloc` block (see
 * `withWords` in `engine.ts`), and list outputs take their capacity.
 */
export interface RawExports {
  memory: WebAssemblyMemory;
  nr_init(salt: number): number;
  nr_last_error_ptr(): number;
  nr_last_error_len(): number;
  nr_panic_ptr(): number;
  nr_panic_len(): number;
  nr_scratch_ptr(): number;
  nr_result_info_ptr(): number;
  nr_alloc(bytes: number, align: number): number;
  nr_dealloc(ptr: number, bytes: number, align: number): void;
  /** `[live objects, live tensors, tensor bytes, linear memory bytes, model bytes, tensor buffers]` (6 u32). */
  nr_memory(out: number): number;
  /** `[live objects, live tensors, live models]` (3 u32) from counters, without `nr_memory`'s walk over every live model. */
  nr_live_counts(out: number): number;
  nr_enum_name(kind: number, id: number): number;
  nr_debug_panic(n: number): number;
  /** The interrupt phase words `[in_call, abandonable, allocating]` (`neurite_core::interrupt`). */
  nr_interrupt_state_ptr(): number;
  /** 1 once the workers finished the tasks of a job an interrupted call left (0: not yet). */
  nr_interrupt_settle(): number;
  /** Frees the borrows an interrupted call left; 1 when everything is free. */
  nr_interrupt_recover(): number;

  // The thread pool (crates/wasm/src/exports/threads.rs; present in every build, refusing
  // workers in the plain one). `memory` above is the imported shared memory in the threaded build.
  nr_threads_configure(workers: number): number;
  nr_worker_main(index: number): number;
  nr_threads_joined(): number;
  nr_threads_stop(): number;
  nr_threads_fault_ptr(): number;
  nr_threads_wanted_ptr(): number;
  nr_threads_set_min_work(n: number): void;
  nr_threads_min_work(): number;
  nr_debug_panic_in_worker(nTasks: number): number;

  nr_tensor_new(shape: number, rank: number, outHandle: number, outData: number): number;
  nr_tensor_free(h: number): number;
  nr_tensor_shape(h: number, out: number): number;
  nr_tensor_data(h: number, out: number): number;
  nr_tensor_first_non_finite(h: number, out: number): number;
  nr_tensor_clone(x: number, out: number): number;
  nr_stop_gradient(x: number, out: number): number;

  nr_unary(op: number, x: number, out: number): number;
  nr_binary(op: number, a: number, b: number, out: number): number;
  nr_clip(x: number, min: number, max: number, out: number): number;
  nr_where(condition: number, a: number, b: number, out: number): number;
  nr_reduce(op: number, x: number, axes: number, nAxes: number, keepDims: number, out: number): number;
  nr_activation(kind: number, params: number, nParams: number, x: number, axis: number, out: number): number;
  nr_activation_grad(kind: number, params: number, nParams: number, x: number, dy: number, axis: number, out: number): number;
  nr_prelu(x: number, alpha: number, out: number): number;
  nr_prelu_grad(x: number, alpha: number, dy: number, outDx: number, outDalpha: number): number;
  nr_matmul(a: number, b: number, transposeA: number, transposeB: number, out: number): number;
  nr_transpose(x: number, perm: number, nPerm: number, hasPerm: number, out: number): number;
  nr_reshape(x: number, shape: number, rank: number, out: number): number;

  nr_slice(x: number, begin: number, nBegin: number, size: number, nSize: number, out: number): number;
  nr_concat(list: number, n: number, axis: number, out: number): number;
  nr_stack(list: number, n: number, axis: number, out: number): number;
  nr_split(x: number, byCount: number, count: number, sizes: number, nSizes: number, axis: number, first: number, out: number, outCap: number, outN: number): number;
  nr_squeeze(x: number, axes: number, nAxes: number, hasAxes: number, out: number): number;
  nr_expand_dims(x: number, axis: number, out: number): number;
  nr_gather(x: number, indices: number, axis: number, out: number): number;
  nr_one_hot(indices: number, depth: number, on: number, off: number, out: number): number;
  nr_tile(x: number, reps: number, nReps: number, out: number): number;
  nr_reverse(x: number, axes: number, nAxes: number, out: number): number;
  nr_linalg_qr(x: number, full: number, outQ: number, outR: number): number;
  nr_linalg_band_part(x: number, numLower: number, numUpper: number, out: number): number;
  nr_pad(x: number, paddings: number, nPairs: number, value: number, out: number): number;
  nr_mirror_pad(x: number, paddings: number, nPairs: number, symmetric: number, out: number): number;
  nr_cumsum(x: number, axis: number, exclusive: number, reverse: number, out: number): number;
  nr_cumprod(x: number, axis: number, exclusive: number, reverse: number, out: number): number;
  nr_unsorted_segment_sum(x: number, segmentIds: number, numSegments: number, out: number): number;
  nr_conv2d(x: number, filter: number, strideH: number, strideW: number, dilationH: number, dilationW: number, same: number, out: number): number;
  nr_depthwise_conv2d(x: number, filter: number, strideH: number, strideW: number, dilationH: number, dilationW: number, same: number, out: number): number;
  nr_conv2d_transpose(x: number, filter: number, outH: number, outW: number, outC: number, strideH: number, strideW: number, same: number, out: number): number;
  nr_pool2d(x: number, max: number, sizeH: number, sizeW: number, strideH: number, strideW: number, same: number, out: number): number;
  nr_resize(images: number, newH: number, newW: number, bilinear: number, alignCorners: number, halfPixelCenters: number, out: number): number;
  nr_topk(x: number, k: number, outValues: number, outIndices: number): number;
  nr_random_uniform(shape: number, rank: number, min: number, max: number, seedLo: number, seedHi: number, stream: number, out: number): number;
  nr_random_normal(shape: number, rank: number, mean: number, stddev: number, seedLo: number, seedHi: number, stream: number, out: number): number;
  nr_truncated_normal(shape: number, rank: number, mean: number, stddev: number, seedLo: number, seedHi: number, stream: number, out: number): number;

  nr_loss(kind: number, params: number, nParams: number, pred: number, target: number, out: number): number;
  nr_loss_grad(kind: number, params: number, nParams: number, pred: number, target: number, out: number): number;
  nr_kl_sparsity(target: number, weight: number, x: number, out: number): number;
  nr_optimizer_check(kind: number, params: number, nParams: number, clipMode: number, clipValue: number): number;
  nr_optimizer_state(kind: number, params: number, nParams: number, param: number, out: number): number;
  nr_schedule_lr(kind: number, params: number, nParams: number, step: number, out: number): number;
  nr_optimizer_apply(kind: number, params: number, nParams: number, schedKind: number, sched: number, nSched: number, step: number, clipMode: number, clipValue: number, vars: number, nVars: number, weights: number, nWords: number, noDecay: number, nNoDecay: number): number;

  nr_model_new(seedLo: number, seedHi: number, out: number): number;
  nr_model_add(model: number, kind: number, params: number, n: number): number;
  nr_model_add_model(outer: number, inner: number): number;
  nr_model_add_shared(model: number, src: number, path: number, pathLen: number): number;
  nr_model_build(model: number, shape: number, rank: number, skipInit: number): number;
  nr_model_layer_info(model: number, i: number, out: number): number;
  nr_model_wire(model: number, layer: number, inputs: number, n: number): number;
  nr_model_wire_io(model: number, shapes: number, words: number, outputs: number, nOut: number): number;
  nr_model_names(model: number, names: number, n: number): number;
  nr_tensor_set_parts(x: number, shapes: number, words: number): number;
  nr_model_output_dims(model: number, q: number, out: number): number;
  /** The mask of the last forward at the output rows as a `[rows]` tensor to `out` (empty when none reaches the output). */
  nr_model_output_mask(model: number, out: number): number;
  nr_model_wire_use(model: number, layer: number, inputs: number, n: number): number;
  nr_layer_output_shape(kind: number, params: number, n: number, nInputs: number, shapes: number, words: number, out: number): number;
  nr_layer_refit_shape(kind: number, params: number, n: number, nInputs: number, shapes: number, words: number, out: number): number;
  nr_model_predict(model: number, x: number, batchSize: number, out: number): number;
  nr_model_predict_range(model: number, x: number, start: number, end: number, batchSize: number, out: number): number;
  nr_model_apply(model: number, x: number, training: number, out: number): number;
  nr_model_compile(model: number, params: number, n: number): number;
  nr_model_check_data(model: number, x: number, y: number, op: number): number;
  nr_model_shuffle(model: number, n: number, epoch: number, shuffle: number): number;
  /** The samples `order[start .. start + count]` of the epoch (see `nr_model_shuffle`) as u32 to `out`. */
  nr_model_order(model: number, start: number, count: number, out: number): number;
  nr_model_train_batch(model: number, x: number, y: number, w: number, start: number, count: number, out: number): number;
  nr_model_train_on_batch(model: number, x: number, y: number, w: number, out: number): number;
  /** Whether the fused training steps keep their forward's output (`on` 1; 0 stops and frees it), for metrics computed in TS. */
  nr_model_keep_output(model: number, on: number): number;
  /** The output the last fused step kept (packed, for several outputs): its handle to `out`, taken. */
  nr_model_take_output(model: number, out: number): number;
  /** The forward half of a split training step (a loss function's, `models/split-step.ts`): the output's handle to `out`; opens the step. */
  nr_model_step_forward(model: number, x: number, out: number): number;
  /** The backward half from `dL/dyPred` (`dp`; 0 cancels the open step) for the data loss `data`: `[loss, kl, regularization]` to `out`. */
  nr_model_step_backward(model: number, dp: number, data: number, out: number): number;
  /** Inference on `x` for a loss computed in TS (`evaluate` with a loss function): the output's handle to `out`, `[kl, regularization]` (f32) to `terms`. */
  nr_model_predict_terms(model: number, x: number, out: number, terms: number): number;
  nr_model_evaluate(model: number, x: number, y: number, w: number, batchSize: number, out: number): number;
  nr_model_num_weights(model: number, path: number, pathLen: number, out: number): number;
  /** Copies of weights `from .. from + count` at the path in one call: `[handle, layer, trainable, name]` per weight (`cap` u32 at `out`), `name` indexing the distinct names the message buffer lists, each ending in a newline. */
  nr_model_get_weights(model: number, path: number, pathLen: number, from: number, count: number, out: number, cap: number): number;
  /** `[address, length]` of every weight at the path (`cap` u32 at `out`), for `setWeights` from arrays; with `stage` 1 each weight gets a fresh buffer (the address) until `nr_model_weight_commit`. */
  nr_model_weight_spans(model: number, path: number, pathLen: number, stage: number, out: number, cap: number): number;
  /** Checks the staged weights listed in `checked` (as `nr_model_set_weight` checks a value) and keeps them (`keep` 1), or puts every staged weight's old values back (on an error, or `keep` 0). */
  nr_model_weight_commit(model: number, path: number, pathLen: number, checked: number, nChecked: number, allowNonFinite: number, keep: number): number;
  nr_model_set_weight(model: number, path: number, pathLen: number, i: number, value: number, checkOnly: number, allowNonFinite: number): number;
  /** Loading, for the `n` weights listed at `list`: phase 0 writes `[address, length]` of each one's values to fill in place; phases 1 and 2 check them in the list's order (domain: an error; phase 1 also writes the list position and flat index of the first non-finite value, or 2^32 - 1 twice). */
  nr_model_fill_weights(model: number, list: number, n: number, phase: number, out: number): number;
  /** Sets a layer's weight constraint (`option`: an index of `CONSTRAINT_OPTIONS`; `params`: the kind's values, then its axes). */
  nr_model_constrain(model: number, path: number, pathLen: number, option: number, kind: number, params: number, n: number): number;
  /** `out = constraint(x)` (`constraint.apply`). */
  nr_constraint_apply(kind: number, params: number, n: number, x: number, out: number): number;
  nr_model_weight_id(model: number, path: number, pathLen: number, i: number, out: number): number;
  nr_model_set_trainable(model: number, layer: number, on: number): number;
  nr_model_lr(model: number, scale: number, out: number): number;
  nr_model_exclude_from_decay(model: number, idx: number, n: number): number;
  nr_model_train_state(model: number, out: number): number;
  nr_model_get_slots(model: number, i: number, out: number): number;
  nr_model_set_train_state(model: number, header: number, nHeader: number, slots: number, nSlots: number): number;
  /**
   * One step of the model's trainer (fit's optimizer state, step, rate and clipping, no
   * weight regularizers) from `nPairs` pairs `[core weight index, gradient handle]` at `pairs`
   * (`optimizer.applyGradients`/`minimize` on the weights of the model it is compiled into);
   * zero pairs only count a step. Errors name `applyGradients`; a failed call changes nothing.
   */
  nr_model_apply_gradients(model: number, pairs: number, nPairs: number): number;
  /** Frees a model handle; unless `out` is 0, first writes `[weights freed, models still holding it]` there (`dispose()`'s `DisposeResult`). */
  nr_model_free(model: number, out: number): number;
  nr_model_loss_terms(model: number, out: number): number;
  nr_model_encode_distribution(model: number, x: number, out: number): number;
  nr_model_layer_distribution(model: number, path: number, pathLen: number, x: number, out: number): number;
  /** `layer.klWeight = w` on the variational layer at `path` (shared by every model holding it). */
  nr_model_set_kl_weight(model: number, path: number, pathLen: number, w: number): number;
  nr_tensor_assign(dst: number, src: number): number;
  nr_tape_begin(): number;
  nr_tape_end(): number;
  /**
   * Gradients of `y` w.r.t. the `n` sources (see the Rust doc); `custom` (2 words) gets `0, 0`
   * when they were written to `out`, or the key of the `customGrad` function the sweep stopped
   * at and a new handle with its output's gradient: `nr_tape_custom_give` goes on.
   */
  nr_tape_gradient(y: number, dy: number, sources: number, n: number, out: number, outCap: number, custom: number): number;
  /** Records a `customGrad` result: a new tensor with `value`'s values, the output of function `key` of the `n` tensors at `inputs`. */
  nr_tape_custom(key: number, inputs: number, n: number, value: number, out: number): number;
  /** The `m` input gradients (handles) of the `customGrad` function the sweep stopped at; then goes on as `nr_tape_gradient`. */
  nr_tape_custom_give(grads: number, m: number, out: number, outCap: number, custom: number): number;
  nr_tape_made(h: number, out: number): number;

  nr_neuron_forward(weights: number, bias: number, act: number, nAct: number, x: number, out: number): number;
  nr_perceptron_new(inputs: number, binary: number, learningRate: number, threshold: number, seedLo: number, seedHi: number, out: number): number;
  nr_perceptron_set_weights(p: number, weights: number, bias: number): number;
  nr_perceptron_weights(p: number, out: number, outBias: number): number;
  nr_perceptron_fit(p: number, x: number, y: number, maxEpochs: number, shuffle: number, pocket: number, outErrors: number, outInfo: number): number;
  nr_perceptron_predict(p: number, x: number, out: number): number;
  nr_perceptron_free(p: number): number;
  nr_kmeans(x: number, k: number, maxIterations: number, tolerance: number, seedLo: number, seedHi: number, nInit: number, random: number, init: number, out: number, info: number): number;
  nr_rbf_widths(centers: number, neighbors: number, scale: number, out: number): number;
  nr_rbf_features(x: number, centers: number, widths: number, kernel: number, out: number): number;
  nr_least_squares(a: number, b: number, l2: number, out: number): number;

  nr_pca_new(components: number, whiten: number, out: number): number;
  nr_pca_fit(p: number, x: number): number;
  nr_pca_get(p: number, part: number, out: number): number;
  nr_pca_get_f64(p: number, part: number, out: number, cap: number): number;
  nr_pca_check(p: number, x: number, inverse: number): number;
  nr_pca_free(p: number): number;
  nr_psnr(a: number, b: number, maxValue: number, hasShape: number, h: number, w: number, out: number): number;
  nr_ssim(a: number, b: number, maxValue: number, windowSize: number, sigma: number, k1: number, k2: number, hasShape: number, h: number, w: number, out: number): number;
  nr_compress(codec: number, ptr: number, len: number, param: number, width: number, height: number, out: number): number;
  nr_decompress(codec: number, ptr: number, len: number, maxOutput: number, outputCap: number, out: number): number;
  nr_compress_release(): number;
  nr_huffman_code_lengths(freqs: number, n: number, maxLen: number, out: number, cap: number): number;
  nr_dct(x: number, block: number, inverse: number, dims: number, out: number): number;
  nr_dwt2d(x: number, wavelet: number, levels: number, inverse: number, out: number): number;
}
