/**
 * `collapseLinear`: a stack of dense layers without a nonlinearity is one dense layer.
 *
 * With `yₖ = aₖ·(yₖ₋₁·Wₖ + bₖ) + cₖ` (a `linear` activation with slope `aₖ` and intercept
 * `cₖ`; the default activation is slope 1, intercept 0), composing gives `y = x·W + b` with
 * `W = W₁·a₁·W₂·a₂ ⋯` and `b` folded the same way: `b ← (b·Wₖ + bₖ)·aₖ + cₖ`. Depth without
 * nonlinearity adds no expressive power — which is why hidden layers need activations.
 */
import { InvalidArgumentError } from '../errors.js';
import { encodeActivation } from '../activations.js';
import { Activation, Dense, InputLayer } from '../layers/core.js';
import { Sequential } from '../models/sequential.js';
import { show } from '../ops/convert.js';
import { eye, fill, zeros } from '../ops/creation.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';

/** Slope and intercept of a linear activation spec, or null if it is not linear. */
function linearParts(spec: unknown): { slope: number; intercept: number } | null {
  if (spec === undefined) return { slope: 1, intercept: 0 };
  // Names and aliases as layers read them ('identity' is 'linear').
  const a = encodeActivation('collapseLinear', spec);
  return a.name === 'linear' ? { slope: a.params[0], intercept: a.params[1] } : null;
}

/** `(b·Wk + bk)·a + c`, with absent terms left out (`null` when everything is absent). */
function foldBias(b: Tensor | null, Wk: Tensor, bk: Tensor | null, slope: number, intercept: number): Tensor | null {
  const units = Wk.shape[1];
  const through: Tensor | null = b === null ? null : b.reshape([1, b.size]).matMul(Wk).reshape([units]);
  const sum: Tensor | null = through === null ? bk : bk === null ? through : through.add(bk);
  if (sum === null) return intercept !== 0 ? fill([units], intercept) : null;
  return sum.mul(slope).add(intercept);
}

/**
 * Composes the weights of a model made only of `dense` layers with linear activations
 * (`'linear'`, `'identity'`, or `{ name: 'linear', slope, intercept }`: `mx + b`), and of
 * `activation` layers with such an activation, into a new model with a single dense layer that
 * computes the same function (up to float rounding).
 * The input model must be built (it is, after `predict`, `compile` or `fit`).
 *
 * @example
 * const deep = sequential({ layers: [layers.dense({ inputShape: [3], units: 8 }), layers.dense({ units: 2 })] });
 * const one = collapseLinear(deep); // one dense layer, [3] → [2]
 * // deep.predict(x) ≈ one.predict(x)
 */
export function collapseLinear(model: Sequential): Sequential {
  if (!(model instanceof Sequential)) throw new InvalidArgumentError(`collapseLinear: model must be a Sequential, got ${typeof model}`);
  const stack = model.layers.filter((l) => !(l instanceof InputLayer));
  if (stack.length === 0) throw new InvalidArgumentError(`collapseLinear: model ${model.name} has no layers`);
  const parts = stack.map((l, i) => {
    if (!(l instanceof Dense) && !(l instanceof Activation)) {
      const kind = l instanceof Sequential ? 'sequential model' : `${l.kind} layer`;
      throw new InvalidArgumentError(`collapseLinear: layer ${i} (${l.name}) is a ${kind}; only dense layers (and activation layers) with linear activations compose into one`);
    }
    const act = linearParts(l.activation);
    if (!act) {
      throw new InvalidArgumentError(`collapseLinear: layer ${i} (${l.name}) has activation ${show(l.activation)}; only a linear activation (or none) composes`);
    }
    return { dense: l instanceof Dense, useBias: l instanceof Dense && l.args.useBias !== false, ...act };
  });
  const inputShape = model.inputDims;
  // Unbuilt and without an input shape, its layers have no weights (a TypeError followed).
  // (`built` builds a model that knows its input shape.)
  if (!model.built) throw new InvalidArgumentError(`collapseLinear: model ${model.name} is not built, so its layers have no weights yet; give its first layer an inputShape, or call model.build([features]) (or predict) first`);
  // Each layer's own weights (kernel, bias): the model's list is in TF.js's order, which puts
  // a frozen layer's weights last.
  const weights = stack.flatMap((l) => (l instanceof Dense ? l.getWeights() : []));
  const { kernel, bias } = tidy(() => {
    let k = 0;
    let W: Tensor | null = null;
    let b: Tensor | null = null;
    for (const p of parts) {
      // An activation layer is a dense layer whose kernel is the identity.
      const Wk: Tensor = p.dense ? weights[k++] : eye(W ? W.shape[1] : (inputShape ?? [1]).at(-1)!);
      const bk = p.useBias ? weights[k++] : null;
      // W ← W·Wk·a, b ← (b·Wk + bk)·a + c
      W = (W ? W.matMul(Wk) : Wk).mul(p.slope);
      b = foldBias(b, Wk, bk, p.slope, p.intercept);
    }
    const kernel = W as Tensor;
    return { kernel, bias: b ?? zeros([kernel.shape[1]]) };
  });
  for (const w of weights) w.dispose();
  const shape = inputShape ?? [kernel.shape[0]];
  const out = new Sequential({ name: `${model.name}_collapsed`, layers: [new Dense({ inputShape: shape, units: kernel.shape[1] })] });
  try {
    out.buildWithWeights(shape, [kernel, bias]);
  } catch (err) {
    out.dispose();
    throw err;
  } finally {
    kernel.dispose();
    bias.dispose();
  }
  return out;
}
