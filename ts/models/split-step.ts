/**
 * `fit`'s training step in two calls, with the loss computed here between them — the step of a
 * model compiled with a loss function (`custom-loss.ts`).
 *
 * - {@link stepForward}: the core's forward with training behaviour (`nr_model_step_forward`),
 *   the layers keeping what backward needs; the outputs `yPred` as tensors (not on any tape).
 * - the caller differentiates its loss with respect to `yPred` alone (on the gradient tape);
 * - {@link stepBackward}: `dL/dyPred` and the data loss to the core (`nr_model_step_backward`),
 *   which runs `fit`'s backward from there — the variational layers' KL and the activity and
 *   weight penalties with their gradients, exactly as the fused step adds them — then the update
 *   with the model's optimizer state, step, schedule, clipping and constraints. The loss it
 *   reports is the data loss plus the penalties, as `fit`'s history (and TF.js's) reports it.
 *
 * Both halves are the fused step's own code (`crates/core/src/model/split.rs`); the core checks
 * the open step: a second forward, a backward without a forward, a gradient of the wrong shape
 * or the model running in between are errors, never a wrong update.
 */
import { argPtr, call, check } from '../engine.js';
import { inOp, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { runOp } from '../ops/run.js';
import { concat } from '../ops/joining.js';
import { reshape } from '../ops/shape.js';
import { tidy } from '../scope.js';
import { unpack } from './packing.js';
import type { Sequential } from './sequential.js';

/** The core's name for the halves in its messages, which name the caller's op instead. */
const CORE_OP = 'trainStep';

/**
 * @internal The forward half on the batch `x` (the core's packed input): one tensor per output
 * (the caller's to dispose). Opens the step: {@link stepBackward} or {@link stepCancel} closes it.
 */
export function stepForward(op: string, model: Sequential, x: Tensor): Tensor[] {
  const h = model.handle(op);
  const hx = x.handleFor(op, 'x');
  let packed: Tensor;
  try {
    packed = runOp((e, o) => e.nr_model_step_forward(h, hx, o));
  } catch (err) {
    throw inOp(op, err, CORE_OP);
  }
  const parts = model.outputParts();
  return parts ? unpack(packed, parts) : [packed];
}

/** What {@link stepBackward} reports: the step's loss (data + kl + regularization) and its parts. */
export interface StepLoss {
  loss: number;
  kl: number;
  regularization: number;
}

/**
 * @internal The backward half of the open step: `dLdyPred` holds `dL/dyPred` per output (each
 * of its output's shape), `dataLoss` the loss they are the gradient of. Closes the step.
 */
export function stepBackward(op: string, model: Sequential, dLdyPred: readonly Tensor[], dataLoss: number): StepLoss {
  const h = model.handle(op);
  const parts = model.outputParts();
  const count = parts ? parts.length : 1;
  try {
    if (dLdyPred.length !== count) {
      throw new ShapeError(`${op}: ${dLdyPred.length} gradients (dL/dyPred) for a model with ${count} output${count === 1 ? '' : 's'}`);
    }
    dLdyPred.forEach((g, q) => g.handleFor(op, `dL/dyPred[${q}]`));
  } catch (err) {
    stepCancel(model);
    throw err;
  }
  return tidy(() => {
    let dp = dLdyPred[0];
    if (parts) {
      const n = dp.shape[0];
      dLdyPred.forEach((g, q) => {
        const want = [n, ...parts[q].shape];
        if (g.shape.join() !== want.join()) {
          stepCancel(model);
          throw new ShapeError(`${op}: dL/dyPred[${q}] (output '${parts[q].name}') has shape [${g.shape}] but the output has shape [${want}]`);
        }
      });
      dp = concat(dLdyPred.map((g, q) => reshape(g, [n, parts[q].shape.reduce((a, b) => a * b, 1)])), 1);
    }
    const hd = dp.handleFor(op, 'dL/dyPred');
    try {
      return call((e) => {
        check(e.nr_model_step_backward(h, hd, dataLoss, argPtr()));
        const v = new Float32Array(e.memory.buffer, argPtr(), 3);
        return { loss: v[0], kl: v[1], regularization: v[2] };
      });
    } catch (err) {
      // The update, shared with fit's step, names itself fit (a gradient that is not finite):
      // trainOnBatch's or fitDataset's error then begins with its own name, not both.
      const e = model.nameLayerIn(err);
      throw inOp(op, e, e instanceof Error && e.message.startsWith('fit: ') ? 'fit' : CORE_OP);
    }
  });
}

/** @internal Closes the open step, if any, without an update (nothing to do for a disposed model). */
export function stepCancel(model: Sequential): void {
  if (model.isDisposed) return;
  const h = model.handle('fit');
  call((e) => check(e.nr_model_step_backward(h, 0, 0, 0)));
}

/**
 * @internal Inference on the batch `x` for a loss computed here (`evaluate` of a model compiled
 * with a loss function): one tensor per output, the variational layers' KL at inference (which
 * `evaluate` adds to the loss, as TF.js) and the weight and activity penalties (logged beside it).
 */
export function predictTerms(op: string, model: Sequential, x: Tensor): { preds: Tensor[]; kl: number; regularization: number } {
  const h = model.handle(op);
  const hx = x.handleFor(op, 'x');
  let terms: number[] = [];
  let packed: Tensor;
  try {
    packed = runOp((e, o) => {
      const status = e.nr_model_predict_terms(h, hx, o, argPtr());
      if (status === 0) terms = Array.from(new Float32Array(e.memory.buffer, argPtr(), 2));
      return status;
    });
  } catch (err) {
    throw inOp(op, err, 'evaluate');
  }
  const parts = model.outputParts();
  return { preds: parts ? unpack(packed, parts) : [packed], kl: terms[0], regularization: terms[1] };
}
