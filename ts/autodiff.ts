/**
 * Automatic differentiation for user code: `grad`, `grads`, `valueAndGrad`, `valueAndGrads`,
 * `variableGrads`, and trainable `variable`s (TF.js names and semantics).
 *
 * While `f` runs, the Rust core records every op on a tape (inputs and outputs are kept
 * copy-on-write, so intermediates can be disposed); the reverse sweep then runs each op's
 * backward rule in WebAssembly. Tapes do not nest: a `grad` inside another `grad` throws.
 *
 * @example
 * const f = (x: Tensor) => x.square().sum();           // f(x) = Σx²
 * const df = grad(f);
 * df(tensor([1, 2, 3])).print();                        // [2. 4. 6.]
 */
import { argPtr, call, check, readArgs } from './engine.js';
import { InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import { zerosLike, clone } from './ops/creation.js';
import { tidy } from './scope.js';
import { Tensor, wrapHandle } from './tensor.js';

/** A trainable tensor whose values can be replaced in place (`assign`). */
export interface Variable extends Tensor {
  /** A unique name (the key in `variableGrads(...).grads`). */
  readonly name: string;
  /** Whether `variableGrads` and `optimizer.minimize` include it by default. */
  trainable: boolean;
  /** Replaces the values (same shape) in place. */
  assign(value: Tensor): void;
}

const live = new Set<Variable>();
let counter = 0;

/**
 * A trainable copy of `initial`. Dispose it like any tensor.
 *
 * @example const w = variable(randomNormal([3, 1], { seed: 1 }), true, 'w');
 */
export function variable(initial: Tensor, trainable = true, name?: string): Variable {
  if (!(initial instanceof Tensor)) throw new InvalidArgumentError(`variable: initial value must be a Tensor, got ${describe(initial)}`);
  const v = clone(initial) as Variable;
  const n = name ?? `variable_${++counter}`;
  for (const other of live) {
    if (other.isDisposed) live.delete(other);
    else if (other.name === n) throw new InvalidArgumentError(`variable: a live variable is already named '${n}'`);
  }
  Object.defineProperty(v, 'name', { value: n, enumerable: true });
  v.trainable = trainable;
  v.assign = (value: Tensor) => {
    const dst = v.handleFor('assign', 'variable');
    if (!(value instanceof Tensor)) throw new InvalidArgumentError(`assign: value must be a Tensor, got ${describe(value)}`);
    const src = value.handleFor('assign', 'value');
    call((e) => check(e.nr_tensor_assign(dst, src)));
  };
  live.add(v);
  return v;
}

/** @internal The live trainable variables, in creation order. */
export function trainableVariables(): Variable[] {
  return [...live].filter((v) => !v.isDisposed && v.trainable);
}

/**
 * Runs `f` on a recording tape and returns its value and the gradients of the value
 * (seeded with `dy`, default ones) with respect to `sources`; a source the value does not
 * depend on gets zeros (or `null` with `allowUnused`).
 */
function taped(op: string, f: () => Tensor, sources: Tensor[], dy?: Tensor, allowUnused = false): { value: Tensor; grads: Array<Tensor | null> } {
  const handles = sources.map((s, i) => s.handleFor(op, `x[${i}]`));
  if (handles.length > 1000) throw new InvalidArgumentError(`${op}: at most 1000 sources per call, got ${handles.length}`);
  call((e) => check(e.nr_tape_begin()));
  try {
    const value = tidy(() => {
      const v = f();
      if (!(v instanceof Tensor)) throw new InvalidArgumentError(`${op}: f must return a Tensor, got ${describe(v)}`);
      return v;
    });
    const hy = value.handleFor(op, 'f(x)');
    const hdy = dy === undefined ? 0 : dy.handleFor(op, 'dy');
    const out: number[] = call((e) => {
      const p = argPtr();
      new Uint32Array(e.memory.buffer, p, handles.length).set(handles);
      check(e.nr_tape_gradient(hy, hdy, p, handles.length, p + 4 * handles.length));
      return Array.from(readArgs(2 * handles.length).subarray(handles.length));
    });
    const grads = out.map((h, i) => (h !== 0 ? wrapHandle(h) : allowUnused ? null : zerosLike(sources[i])));
    return { value, grads };
  } finally {
    call((e) => e.nr_tape_end());
  }
}

function checkFn(op: string, f: unknown): void {
  if (typeof f !== 'function') throw new InvalidArgumentError(`${op}: f must be a function, got ${describe(f)}`);
}

/** `x ↦ df/dx`. `f` must map a tensor to a tensor; `dy` seeds non-scalar outputs. */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  checkFn('grad', f);
  return (x, dy) => {
    const { value, grads } = taped('grad', () => f(x), [x], dy);
    value.dispose();
    return grads[0] as Tensor;
  };
}

/** `[x₁…xₙ] ↦ [∂f/∂x₁…∂f/∂xₙ]`. */
export function grads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => Tensor[] {
  checkFn('grads', f);
  return (args, dy) => {
    if (!Array.isArray(args)) throw new InvalidArgumentError(`grads: args must be an array of tensors, got ${describe(args)}`);
    const { value, grads: g } = taped('grads', () => f(...args), args, dy);
    value.dispose();
    return g as Tensor[];
  };
}

/** `x ↦ { value: f(x), grad: df/dx }`. */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => { value: Tensor; grad: Tensor } {
  checkFn('valueAndGrad', f);
  return (x, dy) => {
    const { value, grads: g } = taped('valueAndGrad', () => f(x), [x], dy);
    return { value, grad: g[0] as Tensor };
  };
}

/** `[x₁…xₙ] ↦ { value, grads }`. */
export function valueAndGrads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => { value: Tensor; grads: Tensor[] } {
  checkFn('valueAndGrads', f);
  return (args, dy) => {
    if (!Array.isArray(args)) throw new InvalidArgumentError(`valueAndGrads: args must be an array of tensors, got ${describe(args)}`);
    const { value, grads: g } = taped('valueAndGrads', () => f(...args), args, dy);
    return { value, grads: g as Tensor[] };
  };
}

/**
 * The value of `f()` (a scalar) and its gradients with respect to `varList` (default: every
 * live trainable variable), keyed by variable name. Variables `f` does not use are left out.
 */
export function variableGrads(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  checkFn('variableGrads', f);
  const vars = varList ?? trainableVariables();
  if (vars.length === 0) throw new InvalidArgumentError('variableGrads: there are no trainable variables; create them with variable(...)');
  const { value, grads: g } = taped('variableGrads', f, vars, undefined, true);
  if (value.rank !== 0) {
    value.dispose();
    g.forEach((t) => t?.dispose());
    throw new InvalidArgumentError(`variableGrads: f must return a scalar, got shape [${value.shape}]`);
  }
  const out: Record<string, Tensor> = {};
  vars.forEach((v, i) => {
    const t = g[i];
    if (t) out[v.name ?? `x${i}`] = t;
  });
  return { value, grads: out };
}
