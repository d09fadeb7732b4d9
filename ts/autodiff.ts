/**
 * Automatic differentiation for user code: `grad`, `grads`, `valueAndGrad`, `valueAndGrads`,
 * `variableGrads`, and trainable `variable`s (TF.js names and semantics).
 *
 * While `f` runs, the Rust core records every op on a tape (inputs and outputs are kept
 * copy-on-write, so intermediates can be disposed); the reverse sweep then runs each op's
 * backward rule in WebAssembly. Tapes do not nest: a `grad` inside another `grad` throws.
 *
 * Every op is on the tape: ops without a gradient by definition (comparisons, `argMax`,
 * `round`, `oneHot`, random ops, constructors) are constants, as in TF.js; ops with no
 * backward rule (`activationGrad`, `lossGradient`, `fit`, the classic algorithms) make the
 * gradient throw an error naming them when a source flows through them — a gradient is never
 * silently zero. As in TF.js, a source the result depends on only through constants (`sign`,
 * `round`, `oneHot` …) gets zeros, and a source no op leads from to the result is an error for
 * `grad`/`grads`/`valueAndGrad(s)` ("Cannot compute gradient of y=f(x) with respect to x" in
 * TF.js); `variableGrads` and `minimize` leave out the variables `f` does not use and throw
 * when it uses none (a forward pass run before the call, outside `f`). A model's `predict` and `apply` (and an
 * autoencoder's `encode`/`decode`) are differentiated with respect to their input and, as
 * sources of `variableGrads`, to the model's weights (`LayerVariable`s).
 *
 * The gradient functions never dispose what the caller passed (the inputs, `dy`, or a tensor
 * made outside `f` that `f` returns), take any number of sources, and free everything they
 * made when they throw.
 *
 * @example
 * const f = (x: Tensor) => x.square().sum();           // f(x) = Σx²
 * const df = grad(f);
 * df(tensor([1, 2, 3])).print();                        // [2, 4, 6]
 */
import { call, check, outPtr, readOut, withWords, words } from './engine.js';
import { DisposedError, InvalidArgumentError, inOp } from './errors.js';
import { boolArg, describe } from './ops/convert.js';
import { clone, stopGradient } from './ops/creation.js';
import { keep, onAbandoned, settleAbandoned, tidy, tidyNoted, turnNow } from './scope.js';
import { Tensor, wrapHandle, type Scalar } from './tensor.js';
import type { Rank } from './types.js';
import { LayerVariable } from './layers/variable.js';
import { LateWeakRef } from './late_weak_ref.js';
import { nextName, sawName } from './names.js';

export { LayerVariable } from './layers/variable.js';

/**
 * A trainable tensor whose values can be replaced in place (`assign`). `R` is its rank when the
 * type checker knows it, as TF.js's `Variable<R>`: `variable(w2d)` is a `Variable<'R2'>`, whose
 * `arraySync()` is a `number[][]`.
 */
export interface Variable<R extends Rank = Rank> extends Tensor<R> {
  /** A unique name (the key in `variableGrads(...).grads`). */
  readonly name: string;
  /** Whether `variableGrads` and `optimizer.minimize` include it by default. */
  trainable: boolean;
  /** Replaces the values (same shape) in place. */
  assign(value: Tensor<R>): void;
}

/**
 * The live variables, held weakly: a variable nobody references can still be
 * garbage-collected (and its memory freed by the finalizer), as any tensor.
 */
const live = new Set<LateWeakRef<Variable>>();

/** The live, undisposed variables in creation order; forgets collected and disposed ones. */
function liveVariables(): Variable[] {
  const out: Variable[] = [];
  for (const ref of live) {
    const v = ref.deref();
    // A variable of an ended instance is not live: minimize() without a varList would
    // otherwise fail on it until the user disposed it.
    if (v === undefined || v.isDisposed || v.fromEndedInstance) {
      live.delete(ref);
      ref.clear();
    } else out.push(v);
  }
  return out;
}

/**
 * A trainable copy of `initial`. Dispose it like any tensor. As in TF.js, a variable made
 * inside `tidy` is not disposed when the scope ends. Variables are tracked weakly: one
 * that is no longer referenced is freed by the garbage collector like any tensor (and leaves
 * `variableGrads`' default list). Made inside a function being differentiated, it is a new
 * leaf, as in TF.js: no gradient flows through it back to `initial`.
 *
 * @throws {@link DisposedError} naming `variable` and `initial` when `initial` is disposed;
 * {@link InvalidArgumentError} when `trainable` is not a boolean or `name` not a string.
 * @example const w = variable(randomNormal([3, 1], { seed: 1 }), true, 'w');
 */
export function variable<R extends Rank = Rank>(initial: Tensor<R>, trainable = true, name?: string): Variable<R> {
  if (!(initial instanceof Tensor)) throw new InvalidArgumentError(`variable: initial value must be a Tensor, got ${describe(initial)}`);
  // A disposed initial value is named as variable's own argument (not as clone's `x`).
  initial.handleFor('variable', 'initial');
  const isTrainable = boolArg('variable', 'trainable', trainable, true);
  if (name !== undefined && typeof name !== 'string') throw new InvalidArgumentError(`variable: name must be a string, got ${describe(name)}`);
  if (name !== undefined) sawName(name);
  const n = name ?? nextName('variable');
  // Checked before the copy is made, so a rejected name leaks nothing.
  if (liveVariables().some((other) => other.name === n)) throw new InvalidArgumentError(`variable: a live variable is already named '${n}'`);
  // As TF.js, a variable outlives the tidy scope it is made in (it is state, not a temporary).
  // A copy with no gradient back to `initial`: made inside a differentiated function it is a
  // new leaf, as TF.js's (its creation is not on the tape), so a gradient never flows through
  // it to what it was made from — nor to a value it no longer holds after `assign`.
  const v = keep(stopGradient(initial)) as Variable<R>;
  Object.defineProperty(v, 'name', { value: n, enumerable: true });
  v.trainable = isTrainable;
  // Not enumerable: postMessage and structuredClone copy enumerable properties, and a function
  // among them was a DataCloneError quoting its source (a variable now arrives as a tensor does,
  // a plain object of its fields).
  Object.defineProperty(v, 'assign', {
    value: (value: Tensor) => {
      const dst = v.handleFor('assign', 'variable');
      if (!(value instanceof Tensor)) throw new InvalidArgumentError(`assign: value must be a Tensor, got ${describe(value)}`);
      const src = value.handleFor('assign', 'value');
      call((e) => check(e.nr_tensor_assign(dst, src)));
    },
    writable: true,
    configurable: true,
  });
  live.add(new LateWeakRef(v));
  return v;
}

/**
 * Disposes every live {@link variable} (trainable or not), as TF.js `tf.disposeVariables()`
 * disposes the variables its engine registered; their names become free for new variables.
 * Tensors, models and optimizers are left alone: dispose those with `dispose()`.
 *
 * Difference from TF.js 4.22: a model's weights are not variables here (they belong to the
 * model and go with `model.dispose()`), nor is an optimizer's state, so both are kept; TF.js
 * registers each layer weight and optimizer slot as an engine variable and disposes them too,
 * which breaks every model it made.
 *
 * @example
 * const w = variable(zeros([2]));
 * disposeVariables();
 * w.isDisposed;   // true
 */
export function disposeVariables(): void {
  for (const v of liveVariables()) v.dispose();
}

/** The trainable weights of every live model (set by `Sequential`). */
let modelVariables: () => LayerVariable[] = () => [];

/** @internal Set by `Sequential`. */
export function setModelVariables(f: () => LayerVariable[]): void {
  modelVariables = f;
}

/** A trainable tensor or a model's weight: what `variableGrads` and the optimizers train. */
export type TrainableVariable = Variable | LayerVariable;

/**
 * @internal The live variable or trainable model weight named `name`, if any (TF.js's
 * gradient maps are keyed by name); an error when several live models' weights have the name.
 */
export function variableNamed(op: string, name: string): TrainableVariable | undefined {
  const v = liveVariables().find((x) => x.name === name);
  if (v) return v;
  const ws = modelVariables().filter((w) => w.name === name);
  if (ws.length > 1) throw new InvalidArgumentError(`${op}: ${ws.length} live models have a weight named '${name}'; give their layers unique names, or pass { variable, grad } pairs`);
  return ws[0];
}

/**
 * @internal What `variableGrads` and `minimize` train by default, as TF.js: every live
 * trainable variable, then the trainable weights of every live model.
 */
export function defaultVariables(): TrainableVariable[] {
  return [...trainableVariables(), ...modelVariables()];
}

/** @internal The live trainable variables, in creation order. */
export function trainableVariables(): Variable[] {
  return liveVariables().filter((v) => v.trainable);
}

/**
 * The tape from `nr_tape_begin` to `nr_tape_end`: `'recording'` while a gradient function runs
 * its `f` (the core's tape records), `'sweeping'` while its gradients are computed (nothing is
 * recorded: customGrad's gradFunc runs plain ops), `'closed'` otherwise.
 */
let tape: 'closed' | 'recording' | 'sweeping' = 'closed';
/** The turn ({@link turnNow}) in which the tape opened: `taped` is synchronous, so a tape still open in a later turn was abandoned. */
let tapeTurn = -1;

/**
 * Ends a tape a gradient function left open when JS stopped it (Ctrl-C, a vm timeout: no
 * finally runs), anywhere from just before `nr_tape_begin` to just after `nr_tape_end` (the
 * TS state is set first and cleared last, so it never says closed while the core records).
 * Run when a tidy is found abandoned (`f` runs in one, a loop's step usually too) and when the
 * next gradient begins in a later turn.
 */
function endAbandonedTape(): void {
  if (tape === 'closed') return;
  try { call((e) => e.nr_tape_end()); } catch { /* the instance was replaced: no tape */ }
  tape = 'closed';
  endCustoms();
}
onAbandoned(endAbandonedTape);

/**
 * @internal Whether a tape records: for the few calls whose results are made from JS numbers
 * (the tape cannot see through them), so that they refuse rather than give a zero gradient.
 */
export function tapeRecording(): boolean {
  return tape === 'recording';
}

/** What `taped` returns: `value` is disposed by the caller only when `made` (f created it). */
/** @internal */
export interface Taped {
  value: Tensor;
  /** Whether `f` created `value` (false when it returned an input or an outside tensor). */
  made: boolean;
  grads: Array<Tensor | null>;
  /** The sources the gradients are for (a default list is made after `f` ran). */
  sources: Array<Tensor | LayerVariable>;
  /** With a default list: the trainable variables that were live before `f` and that `f` disposed. */
  disposedByF: Tensor[];
  /**
   * Per source: its gradient is zeros only because the result depends on it through ops with
   * no gradient (`round`, comparisons, `argMax` …; the core's flag).
   */
  constantOnly: boolean[];
}

/**
 * Runs `op`'s call into the tape, whose errors name themselves `grad` (`grad: …`, `… outside
 * grad`), naming `op` instead: the call the user made. Errors `f` raised never pass here.
 */
function onTape<T>(op: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (op !== 'grad' && err instanceof Error && err.message.startsWith('grad: ')) {
      inOp(op, err, 'grad');
      err.message = err.message.replace(/\boutside grad\b/g, `outside ${op}`);
    }
    throw err;
  }
}

/**
 * @internal Runs `f` on a recording tape and returns its value and the gradients of the value
 * (seeded with `dy`, default ones) with respect to `sources`; a source the value does not
 * depend on is an error (or `null` with `allowUnused`); one it depends on only through
 * constants gets zeros. Any number of sources: long lists go
 * through an allocation. Never disposes a source, `dy`, or a value `f` did not create; on
 * any error, everything made here is disposed.
 */
export function taped(op: string, f: () => Tensor, given: Array<Tensor | LayerVariable> | (() => Array<Tensor | LayerVariable>), dy?: Tensor, allowUnused = false): Taped {
  // The argument as the caller wrote it: grad(f)(x), grads(f)([…]) (args[i]), variableGrads(f, varList).
  const what = (i: number): string => (allowUnused ? `varList[${i}]` : op === 'grad' || op === 'valueAndGrad' ? 'x' : `args[${i}]`);
  // An empty list given: nothing to differentiate with respect to (it was said as "there are no
  // trainable variables"; TF.js: "gradients() received an empty list of xs").
  if (Array.isArray(given) && given.length === 0) {
    throw new InvalidArgumentError(
      allowUnused
        ? `${op}: varList is empty; give the variables to differentiate with respect to (model.trainableWeights, variable(...)s), or leave it out for every trainable one`
        : `${op}: args is an empty list; give the tensors to differentiate with respect to (${op}(f)([x, y]) for f(x, y))`,
    );
  }
  // A default list is made after f ran: f may build a model (its first predict), whose weights
  // then belong in it.
  (typeof given === 'function' ? [] : given).forEach((s, i) => {
    if (s instanceof LayerVariable && allowUnused) {
      s.assertLive(op); // its id is asked for after f ran
      return;
    }
    if (!(s instanceof Tensor)) {
      // A number or an array (grad(f)(3)): gradients are taken at tensors, so say how to make one.
      const make = allowUnused ? '' : typeof s === 'number' ? `; make one with scalar(${s})` : Array.isArray(s) || ArrayBuffer.isView(s) ? '; make one with tensor(values)' : '';
      throw new InvalidArgumentError(`${op}: ${what(i)} must be a ${allowUnused ? 'variable or a layer weight' : 'Tensor'}, got ${describe(s)}${make}`);
    }
    s.handleFor(op, what(i));
  });
  if (dy !== undefined && !(dy instanceof Tensor)) throw new InvalidArgumentError(`${op}: dy must be a Tensor, got ${describe(dy)}`);
  // The variables live before f runs: a default list that f empties was emptied by f.
  const before = typeof given === 'function' ? liveVariables().filter((v) => v.trainable) : [];
  const liveBefore = before.length;
  // A gradient JS stopped in an earlier turn (Ctrl-C) left its tape open: its tidy ends it.
  settleAbandoned();
  const now = turnNow();
  if (tape !== 'closed' && tapeTurn !== now) endAbandonedTape();
  const was = tape;
  tape = 'recording';
  tapeTurn = now;
  try {
    onTape(op, () => call((e) => check(e.nr_tape_begin())));
  } catch (err) {
    tape = was; // a tape records already (a gradient inside f): it stays open
    throw err;
  }
  let value: Tensor | undefined;
  let sources: Array<Tensor | LayerVariable> = [];
  let made = false;
  const grads: Array<Tensor | null> = [];
  let constantOnly: boolean[] = [];
  try {
    // What f made and did not return is freed when it returns, as TF.js's: a tensor of it read
    // afterwards says so (it blamed a tidy() the caller never wrote).
    value = tidyNoted(`${op}'s f, which runs in a tidy() as TF.js's: keep() a tensor inside f to read it after ${op} returns`, () => {
      const v = f();
      if (!(v instanceof Tensor)) throw new InvalidArgumentError(`${op}: f must return a Tensor, got ${describe(v)}`);
      return v;
    });
    const hy = value.handleFor(op, 'f(x)');
    made = onTape(op, () =>
      call((e) => {
        check(e.nr_tape_made(hy, outPtr(0)));
        return readOut(0) === 1;
      }),
    );
    sources = typeof given === 'function' ? given() : given;
    if (sources.length === 0) {
      throw new InvalidArgumentError(
        liveBefore > 0
          ? `${op}: f disposed the variables it was to be differentiated with respect to (${liveBefore} trainable variable${liveBefore === 1 ? ' was' : 's were'} live before it ran, none after); dispose them after the call`
          : `${op}: there are no trainable variables; create them with variable(...), or use a model (its trainable weights are variables)`,
      );
    }
    // Re-checked after f ran: f may have disposed a source or dy. A weight is asked for its id
    // now, while its layer is surely alive (ids are only unique among live layers).
    const ids = sources.flatMap((s, i) => (s instanceof LayerVariable ? s.sourceId(op) : [s.handleFor(op, what(i)), 0]));
    const hdy = dy === undefined ? 0 : dy.handleFor(op, 'dy');
    const n = sources.length;
    // The sweep records nothing (the core's tape pauses too): customGrad's gradFunc runs plain ops.
    tape = 'sweeping';
    // One handle per source, then (the list has room for 2n) one flag per source; or, where
    // the sweep stops at a customGrad function, its key and its output's gradient.
    let step: Step = onTape(op, () =>
      call((e) =>
        withWords(op, 2 * n, (p, cap) => {
          words(p, 2 * n).set(ids);
          check(e.nr_tape_gradient(hy, hdy, p, n, p, cap, outPtr(0)));
          return stepOf(p, n);
        }),
      ),
    );
    while (step.key !== 0) step = customGradient(step, n);
    const written = step.written;
    const out = written.slice(0, n);
    constantOnly = written.slice(n).map((f) => f === 1);
    for (let i = 0; i < out.length; i++) {
      try {
        if (out[i] === 0 && !allowUnused) {
          // No op leads from this source to the result (a source reached only through
          // constants such as round gets zeros from the core): as TF.js, an error.
          throw new InvalidArgumentError(`${op}: the result of f does not depend on ${what(i)} (shape [${(sources[i] as Tensor).shape}]): no operation leads from it to the result, so it has no gradient (TF.js: "Cannot compute gradient of y=f(x) with respect to x"); compute the result from it inside f, or leave it out`);
        }
        grads.push(out[i] !== 0 ? wrapHandle(out[i]) : null);
      } catch (err) {
        call((e) => out.slice(i).forEach((h) => h !== 0 && e.nr_tensor_free(h)));
        throw err;
      }
    }
    return { value, made, grads, sources, constantOnly, disposedByF: before.filter((v) => v.isDisposed) };
  } catch (err) {
    if (value !== undefined && made) value.dispose();
    for (const g of grads) g?.dispose();
    throw err;
  } finally {
    call((e) => e.nr_tape_end());
    tape = 'closed';
    endCustoms();
  }
}

/** Where a sweep is: done (`key` 0, the words it wrote), or stopped at customGrad function `key`. */
interface Step {
  key: number;
  /** The handle of the gradient of that function's output (the caller's). */
  dy: number;
  written: number[];
}

function stepOf(p: number, n: number): Step {
  const key = readOut(0);
  return { key, dy: readOut(1), written: key === 0 ? Array.from(words(p, 2 * n)) : [] };
}

/** A customGrad call recorded on the tape: its gradient function and what it saved. */
interface CustomRecord {
  gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];
  saved: Tensor[];
  inputs: number;
}

/** The customGrad calls of the tape recording now, by key (the core's `Recorded::Custom`). */
const customs = new Map<number, CustomRecord>();

/** Frees what the customGrad calls of the tape that ended saved. */
function endCustoms(): void {
  for (const c of customs.values()) c.saved.forEach((t) => t.dispose());
  customs.clear();
}

/**
 * Runs the gradient function of the customGrad call the sweep stopped at and gives its input
 * gradients to the core, which goes on: the next step. What the gradient function makes is
 * freed once the core has it.
 */
function customGradient(step: Step, n: number): Step {
  const op = 'customGrad';
  const dy = wrapHandle(step.dy);
  try {
    const rec = customs.get(step.key);
    if (!rec) throw new InvalidArgumentError(`${op}: the sweep reached a customGrad function (${step.key}) that this tape did not record`);
    return tidy(() => {
      let r: Tensor | Tensor[];
      try {
        r = rec.gradFunc(dy, rec.saved.slice());
      } catch (err) {
        // A forward tensor the gradFunc closed over, freed when the scope it was made in ended.
        if (err instanceof DisposedError && err.message.includes(' (freed at the end of ')) {
          // The scope's own advice (keep() it) is not the fix here: save() is.
          err.message = err.message.replace(/ \(freed at the end of (?:the tidy\(\) it was made in; return it from the function or keep\(\) it|\w+'s f, which runs in a tidy\(\) as TF\.js's: keep\(\) a tensor inside f to read it after \w+ returns)\)/, ' (freed at the end of the scope it was made in)');
          err.message += "; gradFunc runs during the gradient, after that scope: hand the forward tensors it needs to f's save([...]) and read them from gradFunc's second argument (saved)";
        }
        throw err;
      }
      const gs = Array.isArray(r) ? r : [r];
      if (gs.length !== rec.inputs) {
        throw new InvalidArgumentError(`${op}: gradFunc must return one gradient per input of f (${rec.inputs}: a tensor${rec.inputs === 1 ? '' : ' or an array of tensors'}), got ${Array.isArray(r) ? `an array of ${gs.length}` : describe(r)}`);
      }
      const hs = gs.map((g, i) => {
        if (!(g instanceof Tensor)) throw new InvalidArgumentError(`${op}: gradFunc must return tensors, one per input of f; gradient ${i} is ${describe(g)}`);
        return g.handleFor(op, `gradient ${i}`);
      });
      return call((e) =>
        withWords(op, Math.max(2 * n, hs.length), (p, cap) => {
          words(p, hs.length).set(hs);
          check(e.nr_tape_custom_give(p, hs.length, p, cap, outPtr(0)));
          return stepOf(p, n);
        }),
      );
    });
  } finally {
    dy.dispose();
  }
}

/** What `customGrad`'s `f` returns: the value and the function that gives its inputs' gradients. */
export interface CustomGradientResult<T extends Tensor = Tensor> {
  value: T;
  /**
   * The gradients of `f`'s inputs (one per input, each of its input's shape) given `dy`, the
   * gradient of `value`, and the tensors `f` passed to `save`.
   */
  gradFunc: (dy: T, saved: Tensor[]) => Tensor | Tensor[];
}

/** The function `customGrad` passes to `f` last: the tensors to keep for `gradFunc`. */
export type GradSaveFunc = (save: Tensor[]) => void;

/** TF.js's `CustomGradientFunc`: `f(...inputs, save)` returns `{ value, gradFunc }`. */
export type CustomGradientFunc<T extends Tensor = Tensor> = (...inputs: Array<Tensor | GradSaveFunc>) => CustomGradientResult<T>;

/**
 * A function whose gradient you give (TF.js's `tf.customGrad`): `f(...inputs, save)` returns
 * `{ value, gradFunc }`; `grad`, `variableGrads`, `minimize` and the rest differentiate the
 * result of `customGrad(f)(...inputs)` with respect to `inputs` by `gradFunc(dy, saved)` (one
 * gradient per input, each of its input's shape) instead of through the ops `f` ran, which are
 * not differentiated. Tensors `gradFunc` needs from the forward pass go through `save` (as in
 * TF.js, they stay alive until the gradient is computed; other tensors `f` made are freed with
 * the enclosing scope). Outside a gradient, the function just returns `value`. Gradients flow
 * only to the inputs: a variable `f` reads without taking it as an input gets none from it.
 * `gradFunc` runs once per call that the result depends on, during the gradient, and its ops
 * are not differentiated (no second order).
 *
 * @example
 * // A straight-through clip: the forward clips, the gradient passes unchanged.
 * const clipST = customGrad((x, save) => ({ value: (x as Tensor).clipByValue(-1, 1), gradFunc: (dy) => dy }));
 * grad((x) => clipST(x).sum())(tensor([-3, 0.5, 2])).print(); // [1, 1, 1]
 */
export function customGrad<T extends Tensor = Tensor>(f: CustomGradientFunc<T>): (...inputs: Tensor[]) => T {
  const op = 'customGrad';
  checkFn(op, f);
  return (...inputs: Tensor[]): T => {
    const hs = inputs.map((x, i) => {
      if (!(x instanceof Tensor)) throw new InvalidArgumentError(`${op}: the arguments of customGrad(f)(x1, x2, …) must all be tensors; argument ${i} is ${describe(x)}`);
      return x.handleFor(op, `argument ${i}`);
    });
    let saved: Tensor[] = [];
    const save: GradSaveFunc = (ts) => {
      if (!Array.isArray(ts) || !ts.every((t) => t instanceof Tensor)) throw new InvalidArgumentError(`${op}: save takes an array of tensors, got ${describe(ts)}`);
      ts.forEach((t, i) => t.handleFor(op, `save([…])[${i}]`));
      saved = ts.slice();
    };
    let gradFunc: CustomRecord['gradFunc'] = () => [];
    const kept: Tensor[] = [];
    // As in TF.js, f runs in a scope of its own: what it made besides its value is freed, and
    // what it saved is kept (as copies) for the gradient.
    const value = tidy(() => {
      const res = f(...inputs, save);
      if (res === null || typeof res !== 'object' || !(res.value instanceof Tensor)) {
        throw new InvalidArgumentError(`${op}: f must return an object { value, gradFunc } whose value is a Tensor, got ${res !== null && typeof res === 'object' ? `value ${describe(res.value)}` : describe(res)}`);
      }
      if (typeof res.gradFunc !== 'function') throw new InvalidArgumentError(`${op}: f must return an object { value, gradFunc } whose gradFunc is a function, got ${describe(res.gradFunc)}`);
      gradFunc = res.gradFunc as CustomRecord['gradFunc'];
      if (tape === 'recording') {
        // Disposed between save() and f's return: said as such (it said "clone: x is a disposed
        // tensor"), before any copy is kept.
        const gone = saved.findIndex((t) => t.isDisposed);
        if (gone >= 0) throw new DisposedError(`${op}: save([…])[${gone}] (shape [${saved[gone].shape}]) was disposed before f returned; save keeps copies of its tensors when f returns, so dispose them after that, or leave them to f's scope, which frees what f made`);
        saved.forEach((t) => kept.push(keep(clone(t))));
      }
      return res.value;
    });
    if (tape !== 'recording') return value;
    const hv = value.handleFor(op, 'f(...).value');
    const key = customs.size + 1;
    let out: number;
    try {
      out = call((e) =>
        withWords(op, hs.length, (p) => {
          words(p, hs.length).set(hs);
          check(e.nr_tape_custom(key, p, hs.length, hv, outPtr(0)));
          return readOut(0);
        }),
      );
    } catch (err) {
      kept.forEach((t) => t.dispose());
      throw err;
    }
    // The saved tensors outlive the scope (freed when the gradient is done).
    customs.set(key, { gradFunc, saved: kept, inputs: inputs.length });
    return wrapHandle(out) as T;
  };
}

/**
 * @internal `out`, which `op` computed in JavaScript from `inputs` and has no gradient rule
 * for (as TF.js 4.22 has none): while a tape records, a gradient that has to flow through it
 * is an error naming `op`, as the core's ops without a rule give — never the silent zeros of a
 * constant. Outside a tape, `out` itself.
 */
export function withoutGradient(op: string, inputs: Tensor[], out: Tensor): Tensor {
  if (tape !== 'recording') return out;
  const r = customGrad(() => ({
    value: out,
    gradFunc: (): never => {
      throw new InvalidArgumentError(`${op} has no gradient rule, and the result depends on it through a tensor being differentiated; compute ${op} outside grad, or on values that do not depend on the sources`);
    },
  }))(...inputs);
  out.dispose();
  return r;
}

function checkFn(op: string, f: unknown): void {
  if (typeof f !== 'function') throw new InvalidArgumentError(`${op}: f must be a function, got ${describe(f)}`);
}

/**
 * `x ↦ df/dx`. `f` must map a tensor to a tensor; `dy` (of `f(x)`'s shape) seeds the
 * gradient, by default ones (a non-scalar `f(x)` then gives the gradient of its sum, as TF.js
 * and `jax.vjp` with ones). `f` may call tensor ops and a model's `predict` (or an
 * autoencoder's `encode`/`decode`). The gradient is of first order: a `grad` inside `f` (a
 * derivative of a derivative, or `df/dx` inside a loss minimized over weights) is an error; for
 * a network's derivatives with respect to its inputs inside a loss, propagate them through
 * the layers by hand (forward mode: beside `z = x·W + b` and `h = tanh(z)` carry
 * `z' = x'·W`, `h' = (1 − h²) ⊙ z'` and, for a second derivative, `z'' = x''·W` and
 * `h'' = (1 − h²) ⊙ z'' − 2h ⊙ (1 − h²) ⊙ z'²`, from `x' = 1`, `x'' = 0`; a dense layer's
 * weights are its `trainableWeights`, read inside `f` with `w.read()`), then differentiate
 * that loss as usual (`minimize`, `variableGrads`): PyTorch's `grad(create_graph=True)` and
 * JAX's nested `grad` in a physics-informed network's residual `u'' + u`.
 *
 * @example
 * const dfdx = grad((x) => x.square().sum())(tensor([1, 2, 3])); // [2, 4, 6]
 */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  checkFn('grad', f);
  return (x, dy) => {
    const { value, made, grads } = taped('grad', () => f(x), [x], dy);
    if (made) value.dispose();
    return grads[0] as Tensor;
  };
}

/** `[x₁…xₙ] ↦ [∂f/∂x₁…∂f/∂xₙ]`. */
export function grads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => Tensor[] {
  checkFn('grads', f);
  return (args, dy) => {
    if (!Array.isArray(args)) throw new InvalidArgumentError(`grads: args must be an array of tensors, got ${describe(args)}`);
    const { value, made, grads: g } = taped('grads', () => f(...args), args, dy);
    if (made) value.dispose();
    return g as Tensor[];
  };
}

/**
 * `x ↦ { value: f(x), grad: df/dx }`. Typed as TF.js's: `value` has the type `f` returns and
 * `grad` the type of `x` (`valueAndGrad((x: Tensor1D) => sum<Scalar>(x.square()))` gives a
 * `Scalar` value and a `Tensor1D` gradient).
 */
export function valueAndGrad<I extends Tensor = Tensor, O extends Tensor = Tensor>(f: (x: I) => O): (x: I, dy?: O) => { value: O; grad: I } {
  checkFn('valueAndGrad', f);
  return (x, dy) => {
    const { value, grads: g } = taped('valueAndGrad', () => f(x), [x], dy);
    return { value: value as O, grad: g[0] as I };
  };
}

/** `[x₁…xₙ] ↦ { value, grads }`; `value` has the type `f` returns, as TF.js's. */
export function valueAndGrads<O extends Tensor = Tensor>(f: (...args: Tensor[]) => O): (args: Tensor[], dy?: O) => { value: O; grads: Tensor[] } {
  checkFn('valueAndGrads', f);
  return (args, dy) => {
    if (!Array.isArray(args)) throw new InvalidArgumentError(`valueAndGrads: args must be an array of tensors, got ${describe(args)}`);
    const { value, grads: g } = taped('valueAndGrads', () => f(...args), args, dy);
    return { value: value as O, grads: g as Tensor[] };
  };
}

/**
 * The value of `f()` (a scalar) and its gradients with respect to `varList`, keyed by name.
 * By default, as TF.js: every live trainable variable and the trainable weights of every live
 * model (`model.trainableWeights`, keyed `layerName/kernel` …), through `model.predict`,
 * `model.apply` and an autoencoder's `encode`/`decode`. Variables and weights `f` does not use
 * are left out (as TF.js: no zeros for them), and so are the ones in `varList` that are not
 * trainable (a frozen layer's weights, `variable(t, false)`: TF.js gives them no gradient) and
 * the ones `f` reaches only through ops with no gradient (`stopGradient`, `round`, `floor`,
 * comparisons, …: Keras's `None`; TF.js gives zeros there), which `minimize` would not step:
 * every gradient returned is one to apply, so `applyGradients({ ...criticGrads, ...actorGrads })`
 * of an actor that reads its critic through `stopGradient` keeps the critic's gradients.
 *
 * @throws {@link InvalidArgumentError} when `f()` depends on none of the variables (as TF.js):
 * the forward pass must run inside `f`, not before the call; and when it depends on them only
 * through ops with no gradient.
 * @example
 * const { value, grads } = variableGrads(() => losses.meanSquaredError(y, model.predict(x)));
 * optimizer.applyGradients(grads); // trains the model's weights
 */
export function variableGrads(f: () => Tensor, varList?: TrainableVariable[]): { value: Scalar; grads: Record<string, Tensor> } {
  const { value, grads } = variableGradsOf('variableGrads', f, varList);
  return { value, grads };
}

/**
 * `varList` without the variables that are not trainable (`variable(t, false)`, the weights of a
 * frozen layer or model, moving statistics): as TF.js, they get no gradient and no update, so
 * `minimize(f, false, model.weights)` with a frozen part trains only the rest. Throws when none is
 * trainable (TF.js's "none of the variables is trainable").
 */
function trainableOf(op: string, varList: TrainableVariable[]): TrainableVariable[] {
  // As TF.js: a plain tensor is no variable (minimize would compute its gradient and update nothing).
  const plain = varList.findIndex((v) => v instanceof Tensor && typeof (v as { trainable?: unknown }).trainable !== 'boolean');
  if (plain >= 0) {
    throw new InvalidArgumentError(
      `${op}: varList[${plain}] is a tensor (shape [${varList[plain].shape}]), not a variable: varList takes variables, which ${op === 'minimize' ? 'minimize updates in place' : 'the gradients are keyed by'}; ` +
        'make your parameters with variable(t), and pass a model\'s weights as model.trainableWeights (model.getWeights() returns copies)',
    );
  }
  const frozen = (v: unknown): boolean => (v instanceof LayerVariable || v instanceof Tensor) && (v as { trainable?: unknown }).trainable === false;
  if (!varList.some(frozen)) return varList;
  const kept = varList.filter((v) => !frozen(v));
  if (kept.length > 0) return kept;
  const names = varList.slice(0, 4).map((v) => v.name).join(', ');
  throw new InvalidArgumentError(
    `${op}: none of the ${varList.length} variable${varList.length === 1 ? '' : 's'} in varList is trainable (${names}${varList.length > 4 ? ', …' : ''}): ` +
      'frozen layers and models, variable(t, false) and moving statistics get no gradient, as in TF.js; set trainable = true on the layer (or model), or pass trainable ones (model.trainableWeights)',
  );
}

/**
 * @internal {@link variableGrads} for `op`, also returning the variables the gradients are
 * for (`varList`, or the default list as it was after `f` ran). For `minimize` the gradients
 * come as `pairs` (each variable with its own, those reached only through ops without a
 * gradient left out) and `grads` is empty: a step needs no names, so two variables of one name
 * (layers of the same name in two models) are both stepped, as TF.js steps them (its variable
 * names are unique). For `variableGrads`, `pairs` is empty.
 */
export function variableGradsOf(op: string, f: () => Tensor, varList?: TrainableVariable[]): { value: Tensor; grads: Record<string, Tensor>; pairs: Array<{ variable: TrainableVariable; grad: Tensor }>; vars: TrainableVariable[] } {
  checkFn(op, f);
  if (varList !== undefined && !Array.isArray(varList)) throw new InvalidArgumentError(`${op}: varList must be an array of variables or layer weights, got ${describe(varList)}`);
  if (varList?.length === 0) throw new InvalidArgumentError(`${op}: varList is empty (a model's trainableWeights are [] until it is built: call model.build() first, or leave varList out to train every live model's weights)`);
  const { value, made, grads: g, sources, constantOnly, disposedByF } = taped(op, f, varList === undefined ? defaultVariables : trainableOf(op, varList), undefined, true);
  const vars = sources as TrainableVariable[];
  const drop = (err: Error): never => {
    if (made) value.dispose();
    g.forEach((t) => t?.dispose());
    throw err;
  };
  // As TF.js (before the rank check, as there): a loss made outside f trains nothing.
  if (g.every((t) => t === null)) {
    const n = vars.length;
    // Two causes that "not connected" would hide: a variable f disposed, and copies of weights.
    if (disposedByF.length > 0) {
      const names = disposedByF.map((v) => (v as Variable).name).join(', ');
      drop(new InvalidArgumentError(`${op}: f disposed the variable${disposedByF.length === 1 ? '' : 's'} ${names}, so ${disposedByF.length === 1 ? 'it has' : 'they have'} no gradient; dispose variables after the call`));
    }
    const given = varList === undefined ? `trainable variable${n === 1 ? '' : 's'} (varList left out: every live variable and model weight)` : `variable${n === 1 ? '' : 's'} in varList`;
    const none = n === 1 ? `the 1 ${given} is not connected to the result of f(), which does not depend on it` : `none of the ${n} ${given} is connected to the result of f(), which depends on none of them`;
    drop(new InvalidArgumentError(`${op}: ${none} (no gradient); run the forward pass inside f, e.g. () => losses.meanSquaredError(y, model.predict(x)), not before the call`));
  }
  // Connected only through ops with no gradient: no variable has a gradient (Keras's None), so
  // say why (TF.js gives zeros, and steps with them in silence).
  if (g.every((t, i) => t === null || constantOnly[i])) {
    drop(new InvalidArgumentError(
      `${op}: f() depends on the variables only through ops with no gradient (stopGradient, round, floor, ceil, sign, comparisons, argMax/argMin, oneHot, …), so no variable has a gradient${op === 'minimize' ? ' and none is stepped' : ''} ` +
        '(Keras and PyTorch give such variables none too; TF.js gives zeros, and a step with them moves them only by momentum or weight decay); ' +
        'keep a differentiable path from them to the loss (e.g. the loss on the unrounded predictions), or a straight-through form such as the step activations\' { straightThrough: true }',
    ));
  }
  if (value.rank !== 0) drop(new InvalidArgumentError(`${op}: f must return a scalar, got shape [${value.shape}]`));
  if (op === 'minimize') {
    const pairs: Array<{ variable: TrainableVariable; grad: Tensor }> = [];
    vars.forEach((v, i) => {
      const t = g[i];
      if (!t) return;
      const first = vars.indexOf(v);
      // Not stepped (see applyGradients' gradientPairs); a variable listed twice is an error, as below.
      if (constantOnly[i]) return void t.dispose();
      if (first !== i) drop(new InvalidArgumentError(`${op}: varList lists variable '${v.name}' twice (at ${first} and ${i}): list each variable once`));
      pairs.push({ variable: v, grad: t });
    });
    return { value, grads: {}, pairs, vars };
  }
  const out: Record<string, Tensor> = {};
  vars.forEach((v, i) => {
    const t = g[i];
    if (!t) return;
    // Reached only through ops with no gradient (stopGradient, round, …): left out, as Keras's
    // None (TF.js gives zeros): applyGradients would skip them as minimize does, and zeros in
    // the result would replace a real gradient when results are merged ({ ...critic, ...actor })
    // and be stepped once an op (a clip) made them plain tensors.
    if (constantOnly[i]) return void t.dispose();
    const key = v.name ?? `x${i}`;
    const before = out[key];
    if (before !== undefined) {
      const first = gradientOf.get(before)!.variable;
      // The same variable twice: listed twice, or through a model and a model holding it
      // ([...g.trainableWeights, ...gan.trainableWeights] gives g's variables twice).
      const why = first === v
        ? `varList lists variable '${key}' twice (at ${vars.indexOf(first)} and ${i}): list each variable once`
        : `two variables with gradients are named '${key}' (layers of two models with the same name? a copy made by fromConfig keeps them); gradients are keyed by name, so pass a varList with only one model's weights (model.trainableWeights), freeze the other (a DQN's target network: target.trainable = false), or give the layers unique names; optimizer.minimize(f, false, varList) needs no names: it steps each variable with its own gradient (both models' here)`;
      drop(new InvalidArgumentError(`${op}: ${why}`));
    }
    out[key] = t;
    gradientOf.set(t, { variable: v, constant: false });
  });
  return { value, grads: out, pairs: [], vars };
}

/**
 * The variable each gradient `variableGrads` returned is for, and whether `f` reached it only
 * through ops without a gradient (its zeros are Keras's and PyTorch's None): `applyGradients`
 * of those gradients by name (and so `minimize`, which steps through it) updates that very
 * variable, not another of the same name, and skips the constant ones.
 */
const gradientOf = new WeakMap<Tensor, { variable: TrainableVariable; constant: boolean }>();

/** @internal See {@link gradientOf}. */
export function variableOfGradient(t: Tensor): { variable: TrainableVariable; constant: boolean } | undefined {
  return gradientOf.get(t);
}
