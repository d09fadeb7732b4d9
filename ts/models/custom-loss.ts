/**
 * `compile` with functions: a loss function (`compile({ loss: (yTrue, yPred) => … })`) and
 * metric functions (or the `metrics.*` names such as `'precision'`), as TF.js takes them.
 *
 * - A loss function: `fit`'s step split in two core calls around the loss (`split-step.ts`).
 *   The core's forward half runs the model with training behaviour and returns its outputs;
 *   here the losses of every output (functions, and named losses as the tensor op `losses.*`
 *   runs them) and their weighted sum are differentiated on the gradient tape with respect to
 *   the outputs alone; the core's backward half takes `dL/dyPred` and runs `fit`'s backward —
 *   the KL and penalty terms with their gradients, as the fused step adds them — and update
 *   (the model's optimizer state, step, learning rate, clipping and constraints). The loss
 *   reported is the data loss plus the KL and penalties, as a named loss's.
 * - Metric functions (and the accumulated metrics) with named losses: the fused one-call step
 *   stays, keeping its forward's output, which the functions then see: the output the loss was
 *   taken of (training behaviour, before the update), as Keras 3 and TF.js compute metrics.
 *
 * Every value is the mean of what the function returns on the batch, as TF.js; the epoch's and
 * `evaluate`'s values are the means over batches weighted by their sizes, as TF.js's — except
 * the accumulated metrics (`'precision'`, `'auc'`, …; `metric-state.ts`), whose states the
 * batches add to ({@link MetricStates}: one set per epoch, per evaluation, per validation pass),
 * and whose value after a batch is the state's result so far: the last one is the whole set's.
 */
import { argPtr, call, check, writeArgs } from '../engine.js';
import { DisposedError, InvalidArgumentError, NeuriteError, NonFiniteError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { describe } from '../ops/convert.js';
import { tidy } from '../scope.js';
import { taped } from '../autodiff.js';
import { zerosLike } from '../ops/creation.js';
import { mean, sum } from '../ops/reduce.js';
import { add, mul } from '../ops/binary.js';
import { reshape } from '../ops/shape.js';
import { gather, slice } from '../ops/slicing.js';
import { f32Bits, REDUCTIONS } from '../options.js';
import { runOp } from '../ops/run.js';
import * as metricFns from '../metrics.js';
import type { CompiledInfo, CustomHead, CustomMetric, CustomSpec } from './compile.js';
import type { MetricState } from '../metric-state.js';
import type { Part } from './packing.js';
import { predictTerms, stepBackward, stepCancel, stepForward, type StepLoss } from './split-step.js';
import { unpack } from './packing.js';
import type { Sequential } from './sequential.js';

/**
 * A loss as `compile` resolved it (`lossAbi`'s kind, parameters and reduction id) on
 * `yTrue`/`yPred`, as the tensor op `losses.*` runs it (differentiable on the tape): a scalar,
 * or one value per sample with the reduction `'none'`.
 */
function compiledLoss(op: string, abi: { kind: number; params: number[]; reduction: number }, yTrue: Tensor, yPred: Tensor): Tensor {
  const [t, p] = [yTrue.handleFor(op, 'yTrue'), yPred.handleFor(op, 'yPred')];
  const params = [...abi.params, abi.reduction];
  return runOp((e, out) => e.nr_loss(abi.kind, writeArgs(op, f32Bits(params)), params.length, p, t, out));
}

/** How a message names a user's function: `the loss function 'wmse'` (`of output 'a'` with several outputs). */
function named(kind: 'loss' | 'metric', fn: { readonly name: string }, head: CustomHead, many: boolean): string {
  const name = fn.name ? `'${fn.name}'` : '(anonymous)';
  return `the ${kind} function ${name}${many ? ` of output '${head.name}'` : ''}`;
}

/**
 * Calls a user's loss or metric function (named `what` in errors) on a batch of `n` samples and
 * checks its result: a live Tensor. Its mean is the value, so any shape is taken, as TF.js's
 * `fit` and `evaluate` take `mean(fn(yTrue, yPred))` (an NT-Xent giving `[2n]` per-pair
 * losses); `weighted` (sample or class weights) needs one value per sample, `[n, …]`,
 * or a scalar, for the weights to multiply each sample's values (TF.js's `mul(loss, weights)`
 * is not defined otherwise either).
 */
function callUser(op: string, what: string, fn: (t: Tensor, p: Tensor) => unknown, y: Tensor, p: Tensor, weighted = false): Tensor {
  const n = p.shape[0];
  let v: unknown;
  try {
    v = fn(y, p);
  } catch (err) {
    // neurite's own error (an op's ShapeError inside the function, made by this throw) says which
    // function it came from; the user's own error object goes on untouched, as TF.js and Keras
    // pass it: a DOMException's message (signal.throwIfAborted()) has no setter, a frozen one
    // none either, and one thrown again from a later batch would have gained the prefix twice.
    if (err instanceof NeuriteError && !Object.isFrozen(err) && !err.message.startsWith(`${op}: ${what} threw: `)) {
      err.message = `${op}: ${what} threw: ${err.message}`;
      throw err;
    }
    if (err instanceof Error || (typeof err === 'object' && err !== null)) throw err;
    throw new InvalidArgumentError(`${op}: ${what} threw ${describe(err)}`);
  }
  if (!(v instanceof Tensor)) {
    const hint = typeof v === 'number' ? ' (build it from tensor ops so that it stays on the tape, e.g. mean(square(sub(yPred, yTrue)), -1))' : '';
    throw new InvalidArgumentError(`${op}: ${what} returned ${describe(v)}; it must return a Tensor, usually one value per sample (shape [${n}] or [${n}, …]; a result of any shape is averaged, but with sampleWeight or classWeight it must be one value per sample or a scalar)${hint}`);
  }
  if (y.isDisposed) throw new DisposedError(`${op}: ${what} disposed yTrue, which ${op} still needs (a loss or metric function must not dispose its arguments)`);
  if (v.isDisposed) throw new DisposedError(`${op}: ${what} returned a disposed tensor (return the result, dispose only what it is made from)`);
  if (weighted && v.rank > 0 && v.shape[0] !== n) {
    throw new ShapeError(`${op}: ${what} returned a tensor of shape [${v.shape}] for a batch of ${n} samples (yTrue [${y.shape}], yPred [${p.shape}]); with sampleWeight or classWeight it must return one value per sample (shape [${n}] or [${n}, …]) or a scalar, for each sample's weight to multiply its values (without weights a result of any shape is averaged)`);
  }
  return v;
}

/** `w` (one weight per sample, or per step `[n, T]`) shaped to multiply `v` (`[n, …]` or a scalar) per sample (per step). */
function perSample(op: string, w: Tensor, v: Tensor): Tensor {
  if (w.rank > 1) {
    if (w.size !== v.size) throw new ShapeError(`${op}: a weight per step (sampleWeight of shape [${w.shape}]) needs the loss to give a value per step, got shape [${v.shape}]`);
    return reshape(w, v.shape);
  }
  return v.rank <= 1 ? w : reshape(w, [w.shape[0], ...new Array<number>(v.rank - 1).fill(1)]);
}

/** One output's loss on the batch, a scalar (differentiable on the tape): the mean of a function's values, or the named loss. */
function headLoss(op: string, head: CustomHead, many: boolean, y: Tensor, p: Tensor, w: Tensor | null): Tensor {
  if (head.fn) {
    const v = callUser(op, named('loss', head.fn, head, many), head.fn, y, p, w !== null);
    return w ? mean(mul(v, perSample(op, w, v))) : mean(v);
  }
  if (!w) return compiledLoss(op, head.abi, y, p);
  if (head.abi.reduction !== REDUCTIONS.indexOf('mean')) {
    throw new InvalidArgumentError(`${op}: sample or class weights with the loss '${head.loss}' and reduction '${REDUCTIONS[head.abi.reduction]}' beside a loss function are not supported; use reduction 'mean', or weight the samples in a loss function`);
  }
  const v = compiledLoss(op, { ...head.abi, reduction: REDUCTIONS.indexOf('none') }, y, p);
  return mean(mul(v, perSample(op, w, v)));
}

/** The function computing a metric the core would (`'accuracy'` resolved from the output and loss, as TF.js does). */
function builtinFn(m: CustomMetric, head: CustomHead, p: Tensor): (t: Tensor, p: Tensor) => Tensor {
  switch (m.builtin) {
    case 'accuracy':
      if (p.shape.at(-1) === 1 || head.loss === 'binaryCrossentropy') return metricFns.binaryAccuracy;
      return head.loss === 'sparseCategoricalCrossentropy' ? metricFns.sparseCategoricalAccuracy : metricFns.categoricalAccuracy;
    case 'binaryAccuracy': return metricFns.binaryAccuracy;
    case 'categoricalAccuracy': return metricFns.categoricalAccuracy;
    case 'sparseCategoricalAccuracy': return metricFns.sparseCategoricalAccuracy;
    case 'mse': return metricFns.meanSquaredError;
    default: return metricFns.meanAbsoluteError;
  }
}

/**
 * @internal The states of the accumulated metrics of a compile (`spec`), one per metric in log
 * order (null for the others): what the batches of one epoch, one `evaluate` or one validation
 * pass add to.
 */
export type MetricStates = Array<MetricState | null>;

/** @internal New (empty) {@link MetricStates} for `spec`. */
export function newStates(spec: CustomSpec): MetricStates {
  return spec.heads.flatMap((h) => h.metrics.map((m) => (m.state ? m.state() : null)));
}

/**
 * @internal The positions, in the results `[loss, …metrics, …]`, of the accumulated metrics of
 * `info`: a batch gives their value so far, so the set's is the last batch's, not a mean.
 */
export function accumulatedColumns(info: CompiledInfo): Set<number> {
  const flags = info.custom?.heads.flatMap((h) => h.metrics.map((m) => m.state !== null)) ?? [];
  return new Set(flags.flatMap((on, k) => (on ? [1 + k] : [])));
}

/**
 * The real rows of each output of the model's last forward (Keras 3's `_keras_mask`, set by an
 * embedding with `maskZero` or a masking layer): per output a `[n, …rows]` mask of 1s (a real
 * row) and 0s (padding), or null when no mask reaches the outputs.
 */
function outputMasks(op: string, model: Sequential, preds: Tensor[]): Array<Tensor | null> {
  const h = model.handle(op);
  const packed = runOp((e, out) => e.nr_model_output_mask(h, out));
  if (packed.size === 0) return preds.map(() => null);
  const n = preds[0].shape[0];
  const rows = preds.map((p) => p.shape.slice(1, -1));
  if (preds.length === 1) return [reshape(packed, [n, ...rows[0]])];
  // Several outputs: per sample, each output's rows one after the other.
  const sizes = rows.map((r) => r.reduce((a, b) => a * b, 1));
  const all = reshape(packed, [n, sizes.reduce((a, b) => a + b, 0)]);
  let at = 0;
  return rows.map((r, q) => {
    const t = reshape(slice(all, [0, at], [n, sizes[q]]), [n, ...r]);
    at += sizes[q];
    return t;
  });
}

/** `y` and `p` at the rows `mask` keeps (the core's `compute_masked`): `[k, …]` each; null when every row is padding. */
function realRows(y: Tensor, p: Tensor, mask: Tensor): [Tensor, Tensor] | null {
  const m = mask.data();
  const keep: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) keep.push(i);
  if (keep.length === 0) return null;
  const rows = (t: Tensor) => gather(reshape(t, [m.length, t.size / m.length]), keep);
  return [rows(y), rows(p)];
}

/**
 * The mean of a metric function's values `v` over the real rows (`mask`, `[n, …rows]`), as
 * Keras 3 weighs a metric by the output's mask: the values of a row (`v` of shape
 * `[n, …rows, …]`) averaged, then the mean over the rows the mask keeps (0 when none). Values
 * of another shape (one per sample, or a scalar) are not per row: their plain mean.
 */
function maskedMean(v: Tensor, mask: Tensor | null): number {
  if (!mask || v.rank < mask.rank || mask.shape.some((d, i) => v.shape[i] !== d)) return mean(v).item();
  const perRow = v.rank === mask.rank ? v : mean(v, Array.from({ length: v.rank - mask.rank }, (_, i) => mask.rank + i));
  const real = sum(mask).item();
  return real === 0 ? 0 : sum(mul(perRow, mask)).item() / real;
}

/**
 * The batch values of the metrics of `spec` computed here (`all`: every metric; else only those
 * the core does not compute), in log order: the mean of each function's result, as TF.js, or an
 * accumulated metric's result after adding the batch to its state in `states`. On an output
 * with a mask (`masks`), as the core's metrics: a function's values are averaged over the real
 * rows, and an accumulated metric adds the real rows only (Keras 3 weighs every metric by the
 * mask; these counted the padding).
 */
function metricValues(op: string, spec: CustomSpec, ys: Tensor[], preds: Tensor[], all: boolean, states: MetricStates, masks: Array<Tensor | null> = []): number[] {
  const many = spec.heads.length > 1;
  const out: number[] = [];
  let k = 0;
  spec.heads.forEach((head, q) => {
    const mask = masks[q] ?? null;
    for (const m of head.metrics) {
      const state = states[k++];
      if (m.core >= 0 && !all) continue;
      if (state) {
        tidy(() => {
          const real = mask ? realRows(ys[q], preds[q], mask) : [ys[q], preds[q]];
          if (real) state.update(op, real[0], real[1]);
        });
        out.push(state.result());
        continue;
      }
      out.push(tidy(() => {
        // A metric given by name runs neurite's function, whose own name a minifier may have changed: its name as given.
        const what = m.user ? named('metric', m.fn!, head, many) : `the metric '${m.name}'${many ? ` of output '${head.name}'` : ''}`;
        let v: Tensor;
        try {
          v = m.fn ? callUser(op, what, m.fn, ys[q], preds[q]) : builtinFn(m, head, preds[q])(ys[q], preds[q]);
        } catch (err) {
          // The core's hint (skip padding with the loss's ignoreClass) does not reach a metric.
          if (!m.user && err instanceof NeuriteError && /ignoreClass/.test(err.message)) {
            err.message += `; the metric '${m.name}' itself takes no ignoreClass (Keras 3's neither): with one on the loss, leave the metric out of metrics (the loss, logged as loss, skips the padding) or give a metric function that drops those rows`;
          }
          throw err;
        }
        return maskedMean(v, mask);
      }));
    }
  });
  return out;
}

/**
 * `y` at the rank of the output `p` where the two differ by a last axis of size 1: a target
 * `[n]` for an output `[n, 1]` is `[n, 1]` (TF.js makes a 1-D target `[n, 1]` before the loss;
 * Keras 3 squeezes or expands that axis), `[n, T]` for `[n, T, 1]` is `[n, T, 1]`, and `[n, 1]`
 * for `[n]` is `[n]`. A loss or metric function then sees targets of the output's shape, so
 * the usual `sub(yPred, yTrue)` does not broadcast `[n, 1]` against `[n]` to `[n, n]` (the
 * named losses, in the core, read them so already). Other shapes are passed as given.
 */
function sameRank(y: Tensor, p: Tensor): Tensor {
  if (y.rank === p.rank - 1 && p.shape[p.rank - 1] === 1) return reshape(y, [...y.shape, 1]);
  if (y.rank === p.rank + 1 && y.shape[y.rank - 1] === 1) return reshape(y, y.shape.slice(0, -1));
  return y;
}

/**
 * `y` (packed for a model with several outputs) as one tensor per output, each at its output's
 * rank ({@link sameRank}; new tensors then, else `[y]`). A size the parts do not know (0: a
 * `null` length) is the output's in `preds`.
 */
function splitTargets(y: Tensor, parts: Part[] | null, preds: Tensor[]): Tensor[] {
  if (!parts) return [sameRank(y, preds[0])];
  const n = y.shape[0];
  let at = 0;
  return parts.map((p, q) => {
    const shape = p.shape.map((d, i) => (d === 0 ? preds[q].shape[1 + i] : d));
    const s = shape.reduce((a, b) => a * b, 1);
    const t = reshape(slice(y, [0, at], [n, s]), [n, ...shape]);
    at += s;
    return sameRank(t, preds[q]);
  });
}

/**
 * Sample weights (`[n]`, or `[n, outputs]` for several; with a weight per step `[n, Σ rows]`)
 * as one tensor per output: `[n]`, or `[n, ...rows]` (the output's shape without its last axis).
 */
function splitWeights(model: Sequential, w: Tensor | null, outputs: number): Array<Tensor | null> {
  if (!w) return new Array<Tensor | null>(outputs).fill(null);
  const n = w.shape[0];
  const t = model.weightTargets(n);
  if (w.rank === 1) return [w];
  if (w.shape[1] === outputs && outputs > 1) return Array.from({ length: outputs }, (_, q) => reshape(slice(w, [0, q], [n, 1]), [n]));
  const ks = t.rows.map((r) => (r ? r.reduce((a, b) => a * b, 1) : 0));
  let at = 0;
  return ks.map((k, q) => {
    const part = outputs === 1 ? w : slice(w, [0, at], [n, k]);
    at += k;
    return reshape(part, [n, ...(t.rows[q] ?? [w.size / Math.max(n, 1)])]);
  });
}

/**
 * The values the core's results `core` (`[loss, coreMetrics…, kl, regularization, outputLosses…]`)
 * become with the metric values computed here (`own`, in log order) put in their places.
 */
function merged(spec: CustomSpec, core: ArrayLike<number>, own: readonly number[]): number[] {
  const c = spec.coreMetrics;
  const metrics: number[] = [];
  let k = 0;
  for (const head of spec.heads) for (const m of head.metrics) metrics.push(m.core >= 0 ? core[1 + m.core] : own[k++]);
  const outputs = spec.heads.length > 1 ? Array.from({ length: spec.heads.length }, (_, q) => core[3 + c + q]) : [];
  return [core[0], ...metrics, core[1 + c], core[2 + c], ...outputs];
}

/**
 * @internal One training step on the batch `xb`/`yb` (the core's packed forms; `w` one weight
 * per sample, `[n]` or `[n, outputs]`, or null), writing `[loss, …metrics, kl, regularization,
 * …outputLosses]` to `out` (as much as it has room for), as the core's step does. The
 * accumulated metrics add the batch to `states` (the epoch's; by default the batch's own).
 */
export function customStep(op: string, model: Sequential, info: CompiledInfo, xb: Tensor, yb: Tensor, w: Tensor | null, out: Float32Array, states: MetricStates = newStates(info.custom!)): void {
  const spec = info.custom!;
  if (spec.tape) return tapeStep(op, model, info, xb, yb, w, out, states);
  const n = xb.shape[0];
  const h = model.handle(op);
  const [hx, hy, hw] = [xb.handleFor(op, 'x'), yb.handleFor(op, 'y'), w ? w.handleFor(op, 'sampleWeight') : 0];
  // The metrics read the output the loss was taken of: the step's own forward (training
  // behaviour, before the update), which the core keeps for them, as Keras 3 and TF.js compute
  // every metric. (An inference pass before the step gave other values under batch
  // normalization and dropout — a training AUC of 0.5 at accuracy 0.88 — and cost a forward.)
  call((e) => check(e.nr_model_keep_output(h, 1)));
  let core: number[];
  let packed: Tensor;
  try {
    core = call((e) => {
      // The weighted step of fit, on this batch's rows in order.
      check(e.nr_model_shuffle(h, n, 0, 0));
      check(e.nr_model_train_batch(h, hx, hy, hw, 0, n, argPtr()));
      return Array.from(new Float32Array(e.memory.buffer, argPtr(), 3 + spec.coreMetrics + (spec.heads.length > 1 ? spec.heads.length : 0)));
    });
    packed = runOp((e, o) => e.nr_model_take_output(h, o));
  } finally {
    call((e) => check(e.nr_model_keep_output(h, 0)));
  }
  let own: number[];
  try {
    own = tidy(() => {
      const parts = model.outputParts();
      const preds = parts ? unpack(packed, parts) : [packed];
      return metricValues(op, spec, splitTargets(yb, model.targetParts(op), preds), preds, false, states, outputMasks(op, model, preds));
    });
  } finally {
    packed.dispose();
  }
  out.set(merged(spec, core, own).slice(0, out.length));
}

/**
 * The step of a model compiled with a loss function (see the module doc): the core's forward
 * half, the losses' gradient with respect to the outputs on the tape, the core's backward half.
 */
function tapeStep(op: string, model: Sequential, info: CompiledInfo, xb: Tensor, yb: Tensor, w: Tensor | null, out: Float32Array, states: MetricStates): void {
  const spec = info.custom!;
  const many = spec.heads.length > 1;
  tidy(() => {
    const ws = splitWeights(model, w, spec.heads.length);
    const preds = stepForward(op, model, xb);
    let open = true;
    try {
      // After the forward (its sizes fill the unknown ones), inside the open step.
      const ys = splitTargets(yb, model.targetParts(op), preds);
      const losses: number[] = [];
      // The outputs are the sources: a function that ignores one output leaves it no gradient (zeros).
      const { value, grads } = taped(op, () => {
        let total: Tensor | null = null;
        spec.heads.forEach((head, q) => {
          const l = headLoss(op, head, many, ys[q], preds[q], ws[q]);
          const v = l.item();
          if (!Number.isFinite(v)) {
            const what = head.fn ? named('loss', head.fn, head, many) : `the loss '${head.loss}'${many ? ` of output '${head.name}'` : ''}`;
            throw new NonFiniteError(`${op}: ${what} gave ${v} on this batch (nothing was updated); check the function and the data for NaN, or lower the learning rate`);
          }
          losses.push(v);
          const weighted = many ? mul(l, head.weight) : l;
          total = total === null ? weighted : add(total, weighted);
        });
        return total!;
      }, preds, undefined, true);
      if (grads.every((g) => g === null)) {
        throw new InvalidArgumentError(`${op}: the loss does not depend on the model's output (yPred), so the weights get no gradient; compute the loss function's result from yPred`);
      }
      const dp = grads.map((g, q) => g ?? zerosLike(preds[q]));
      open = false; // the backward half closes the step, whatever happens
      // One output: the value is that output's loss, read above (a second read cost a call).
      let r: StepLoss;
      try {
        r = stepBackward(op, model, dp, many ? value.item() : losses[0]);
      } catch (err) {
        // A weight's gradient not finite while the loss is: first whether the loss's own
        // gradient was (sqrt or a norm at 0), read only on this path (a step reads none of dp).
        throw err instanceof NonFiniteError ? (lossGradientNotFinite(op, spec, many, dp, losses, err) ?? err) : err;
      }
      out.set([r.loss, ...metricValues(op, spec, ys, preds, true, states), r.kl, r.regularization, ...(many ? losses : [])].slice(0, out.length));
    } finally {
      if (open) stepCancel(model);
    }
  });
}

/**
 * The error for a step whose weight gradients were not finite (`err`, the core's) because the
 * losses' gradient with respect to an output (`dp`, one per output) was not, though the loss
 * values (`losses`) were: the function and where, with the usual cause and fix; null when
 * every value of `dp` is finite (the model's own backward overflowed: `err` says so).
 */
function lossGradientNotFinite(op: string, spec: CustomSpec, many: boolean, dp: Tensor[], losses: number[], err: NonFiniteError): NonFiniteError | null {
  for (let q = 0; q < dp.length; q++) {
    const g = dp[q];
    if (g.isDisposed) continue;
    const values = g.data();
    const at = values.findIndex((v) => !Number.isFinite(v));
    if (at < 0) continue;
    const head = spec.heads[q];
    const what = head.fn ? named('loss', head.fn, head, many) : `the loss '${head.loss}'${many ? ` of output '${head.name}'` : ''}`;
    const inner = g.shape.slice(1);
    const width = inner.reduce((a, b) => a * b, 1);
    const sample = width > 0 ? Math.floor(at / width) : 0;
    let r = width > 0 ? at % width : 0;
    const pos = inner.map((_, k) => {
      const below = inner.slice(k + 1).reduce((a, b) => a * b, 1);
      const i = Math.floor(r / below);
      r %= below;
      return i;
    });
    const where = `sample ${sample}${pos.length > 0 ? `, position [${pos.join(', ')}] of yPred [${g.shape}]` : ''}`;
    const value = losses[q] === undefined ? '' : ` (the loss itself is ${losses[q]})`;
    const e = new NonFiniteError(
      `${op}: the gradient of ${what} with respect to yPred is ${values[at]} at ${where}, though its value is finite${value}; nothing was updated. ` +
        `An op in the function has no finite derivative there, most often sqrt or a norm at 0 (a distance between equal vectors, x / norm(x) of a zero vector): ` +
        `put an epsilon inside, sqrt(add(sumOfSquares, 1e-12)) or div(x, add(norm(x), 1e-12)) instead of sqrt(sumOfSquares) or div(x, norm(x))`,
    );
    // The core's error (which weight's gradient it found not finite) stays reachable.
    (e as { cause?: unknown }).cause = err;
    return e;
  }
  return null;
}

/**
 * @internal `[loss, …metrics, kl, regularization, …outputLosses]` on all of `x`/`y` (the core's
 * packed forms) in batches of `batchSize`: each value the mean of the batch values weighted by
 * their sizes, as TF.js's `evaluate`, except the accumulated metrics: their states' results
 * after the last batch (`states`: where an evaluation over several calls, a dataset's batches,
 * accumulates; by default new ones). With named losses the core computes its part over the
 * same batches; with a loss function everything is computed here.
 */
export function customEvaluate(op: string, model: Sequential, info: CompiledInfo, x: Tensor, y: Tensor, batchSize: number, w: Tensor | null = null, states: MetricStates = newStates(info.custom!)): number[] {
  const spec = info.custom!;
  const many = spec.heads.length > 1;
  const n = x.shape[0] ?? 0;
  if (n === 0) throw new InvalidArgumentError(`${op}: x has no samples`);
  let core: number[] | null = null;
  if (!spec.tape) {
    const h = model.handle(op);
    const [hx, hy, hw] = [x.handleFor(op, 'x'), y.handleFor(op, 'y'), w ? w.handleFor(op, 'sampleWeight') : 0];
    core = call((e) => {
      check(e.nr_model_check_data(h, hx, hy, 1));
      check(e.nr_model_evaluate(h, hx, hy, hw, batchSize, argPtr()));
      return Array.from(new Float32Array(e.memory.buffer, argPtr(), 3 + spec.coreMetrics + (many ? spec.heads.length : 0)));
    });
  }
  const parts = model.targetParts(op);
  const width = spec.heads.reduce((a, hd) => a + hd.metrics.length, 0);
  // [data loss, metrics…, output losses…, kl, regularization], each summed × batch size.
  const sums = new Float64Array(1 + width + spec.heads.length + 2);
  const [klAt, regAt] = [sums.length - 2, sums.length - 1];
  // Each value metricValues gives: its output, and whether it is an accumulated metric's (then
  // its last value counts). Its batches weigh the batch's samples, or on a masked output its
  // real rows (the core's evaluate counts real steps over the whole set).
  const values = spec.heads.flatMap((hd, q) => hd.metrics.filter((m) => spec.tape || m.core < 0).map((m) => ({ q, accumulated: m.state !== null })));
  const weights = new Float64Array(values.length);
  let last: number[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    tidy(() => {
      const xb = count === n ? x : slice(x, [start], [count]);
      const yb = count === n ? y : slice(y, [start], [count]);
      let preds: Tensor[];
      if (spec.tape) {
        // With the KL and penalties, which a named loss's evaluate (the core's) computes itself.
        const r = predictTerms(op, model, xb);
        preds = r.preds;
        sums[klAt] += r.kl * count;
        sums[regAt] += r.regularization * count;
      } else {
        preds = model.coreForward(op, xb, false, count);
      }
      const ys = splitTargets(yb, parts, preds);
      // A loss function refuses a masked output (the core's split step): masks only without one.
      const masks = spec.tape ? [] : outputMasks(op, model, preds);
      const vals = (last = metricValues(op, spec, ys, preds, spec.tape, states, masks));
      const real = masks.map((m) => (m ? sum(m).item() : count));
      let total = 0;
      if (spec.tape) {
        const ws = splitWeights(model, w && (count === n ? w : slice(w, [start], [count])), spec.heads.length);
        spec.heads.forEach((head, q) => {
          const l = headLoss(op, head, many, ys[q], preds[q], ws[q]).item();
          sums[1 + width + q] += l * count;
          total += (many ? head.weight : 1) * l;
        });
      }
      sums[0] += total * count;
      vals.forEach((v, i) => {
        const wt = real[values[i].q] ?? count;
        sums[1 + i] += v * wt;
        weights[i] += wt;
      });
    });
  }
  const mean = (i: number): number => {
    if (i < 1 || i > width) return sums[i] / n;
    return values[i - 1].accumulated ? last[i - 1] : weights[i - 1] > 0 ? sums[i] / weights[i - 1] : 0;
  };
  if (core) {
    const own = values.map((_, i) => mean(1 + i));
    return merged(spec, core, own);
  }
  // As the core's evaluate (and TF.js's): the loss is the data loss plus the KL, without the penalties.
  const kl = mean(klAt);
  return [mean(0) + kl, ...Array.from({ length: width }, (_, i) => mean(1 + i)), kl, mean(regAt), ...(many ? spec.heads.map((_, q) => mean(1 + width + q)) : [])];
}
