/**
 * Errors thrown by neurite. Every error is a {@link NeuriteError} with a `code`; the message
 * names the operation, the argument and the shapes or values involved, e.g.
 * `matMul: inner dimensions differ: a is [2,3], b is [4,5]`.
 */
import { STATUS } from './wasm/codes.js';
import type { Tensor } from './tensor.js';
import type { History } from './models/fit.js';

/** Machine-readable error codes. The first seven mirror the C ABI status codes. */
export type ErrorCode =
  | 'InvalidArgument'
  | 'ShapeMismatch'
  | 'InvalidHandle'
  | 'OutOfMemory'
  | 'Internal'
  | 'Panic'
  | 'NonFinite'
  | 'Disposed'
  | 'NotInitialized'
  | 'IO';

/**
 * The kinds of a neurite error (its class's and its base classes' `errorKind`), under a
 * `Symbol.for` key shared by every copy of the library: strings, so a bundler renaming or
 * minifying the classes (`ShapeError2`, `qe`) does not change them.
 */
const ERROR_KINDS = Symbol.for('neurite.errorKinds');

/** The frames a stack keeps at least (where the runtime lets it be set: V8). */
const STACK_FRAMES = 64;

/**
 * @internal Raises V8's `Error.stackTraceLimit` to {@link STACK_FRAMES} while a stack is taken
 * (its default 10 can be all neurite's frames: a matMul inside a loss inside fit), returning
 * what puts it back; nothing elsewhere (the limit is V8's). For errors and debug-mode stacks.
 */
export function deeperStacks(): () => void {
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit !== 'number' || limit >= STACK_FRAMES) return () => undefined;
  E.stackTraceLimit = STACK_FRAMES;
  return () => void (E.stackTraceLimit = limit);
}

/**
 * The base class of every error neurite throws. `instanceof` also recognises the errors of
 * another copy of neurite in the same program (`neurite` and `neurite/url` both imported, or a
 * library's install beside the app's): `e instanceof ShapeError` holds for any copy's
 * ShapeError. (Sent to another thread with `postMessage`, an error keeps its message and stack
 * but not its class or `code`: send `{ name, code, message }` instead.)
 */
export class NeuriteError extends Error {
  /** The class's kind for `instanceof` across copies of neurite (see {@link ERROR_KINDS}). */
  static readonly errorKind: string = 'NeuriteError';
  /** What kind of failure this is. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    // With 64 frames the stack reaches the user's line past neurite's own.
    const restore = deeperStacks();
    try {
      super(message, options);
    } finally {
      restore();
    }
    this.code = code;
    this.name = 'NeuriteError';
    const kinds: string[] = [];
    for (let c = new.target as unknown; c !== Error && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'errorKind')) kinds.push((c as typeof NeuriteError).errorKind);
    }
    Object.defineProperty(this, ERROR_KINDS, { value: kinds });
  }

  /** An instance of this copy's class, or an error of another copy of neurite of the same kind. */
  static override [Symbol.hasInstance](v: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, v)) return true;
    if (v === null || typeof v !== 'object' || !Object.hasOwn(this, 'errorKind')) return false;
    const kinds = (v as { [ERROR_KINDS]?: unknown })[ERROR_KINDS];
    return Array.isArray(kinds) && kinds.includes(this.errorKind);
  }
}

/** An argument is invalid on its own: a bad dimension, axis, option or value. */
export class InvalidArgumentError extends NeuriteError {
  /** The class's kind for `instanceof InvalidArgumentError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'InvalidArgumentError';
  constructor(message: string) {
    super('InvalidArgument', message);
    this.name = 'InvalidArgumentError';
  }
}

/** Shapes do not fit together (matMul inner dims, broadcasting, value counts). */
export class ShapeError extends NeuriteError {
  /** The class's kind for `instanceof ShapeError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'ShapeError';
  constructor(message: string) {
    super('ShapeMismatch', message);
    this.name = 'ShapeError';
  }
}

/** A tensor or model was used after `dispose()`, or belongs to an instance that was reset. */
export class DisposedError extends NeuriteError {
  /** The class's kind for `instanceof DisposedError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'DisposedError';
  constructor(message: string) {
    super('Disposed', message);
    this.name = 'DisposedError';
  }
}

/**
 * WebAssembly memory is exhausted, a requested size is absurd, or every handle is in use (about
 * a million tensors and models live at once, whatever their size). The message says what is
 * live; disposing what is no longer needed (`dispose()`, `tidy()`) is the cure for all three.
 */
export class OutOfMemoryError extends NeuriteError {
  /** The class's kind for `instanceof OutOfMemoryError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'OutOfMemoryError';
  constructor(message: string) {
    super('OutOfMemory', message);
    this.name = 'OutOfMemoryError';
  }
}

/**
 * A training step diverged: a gradient is NaN or infinite, so the step was refused and nothing
 * changed (weights, optimizer state and step count are those before it). The message names the
 * weight, its layer and the step (`fit`'s also carries the epochs before it, in `history`). Lower
 * the learning rate, clip gradients (`clipNorm`, `clipValue`), or check the data for NaN;
 * `callbacks.terminateOnNaN()` turns it into a stop.
 */
export class NonFiniteError extends NeuriteError {
  /** The class's kind for `instanceof NonFiniteError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'NonFiniteError';
  /**
   * When `fit` or `fitDataset` diverged: the epochs completed before the refused step, as the
   * `History` it would have returned (the loss curve up to the divergence). Undefined for the
   * other calls.
   */
  history?: History;
  constructor(message: string) {
    super('NonFinite', message);
    this.name = 'NonFiniteError';
  }
}

/**
 * The WebAssembly instance trapped: a bug in neurite (a Rust panic). The message carries the
 * panic message. neurite replaces the instance; tensors created before are no longer valid.
 * Also thrown by the call after one that JS interrupted (Ctrl-C in a REPL, a `vm` timeout) at a
 * moment it could not recover from (see README, REPLs and notebooks): the message says so.
 */
export class WasmPanicError extends NeuriteError {
  /** The class's kind for `instanceof WasmPanicError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'WasmPanicError';
  constructor(message: string, cause?: unknown) {
    super('Panic', message, { cause });
    this.name = 'WasmPanicError';
  }
}

/**
 * Reading or writing a model failed for a reason outside the arguments, which a retry may not
 * meet again: the network (a refused or dropped connection, a request aborted by the caller's
 * `signal`: the `AbortError` is the `cause`), a server's answer (an HTTP status other than 2xx:
 * `status` holds it, and the message the start of the answer's body), the storage (a full
 * disk, a read error, an IndexedDB transaction that failed). The message names the step, the
 * URL or path and the reason. A wrong argument (a missing file, a malformed model.json, a
 * permission a Deno script was not given) stays an {@link InvalidArgumentError}.
 */
export class IOError extends NeuriteError {
  /** The class's kind for `instanceof IOError` across copies of neurite (as {@link NeuriteError.errorKind}). */
  static override readonly errorKind: string = 'IOError';
  /** The HTTP status of the answer that failed (`500`), or `undefined` for other failures. */
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super('IO', message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IOError';
    this.status = options?.status;
  }
}

/** Errors built from an ABI status (raised by the core), for {@link inOp}. */
const fromCore = new WeakSet<object>();

/** Builds the error for a non-zero ABI status. */
export function errorFromStatus(status: number, message: string): NeuriteError {
  const err = ((): NeuriteError => {
    // By the status's name (STATUS: Rust's `Status`, checked by test/codes.test.ts), not its number.
    switch (STATUS[status] as (typeof STATUS)[number] | undefined) {
      case 'InvalidArgument': return new InvalidArgumentError(message);
      case 'ShapeMismatch': return new ShapeError(message);
      // The facade checks every handle before a call: one the core finds dead was disposed
      // during the call, by code the call ran (a getter, a Proxy trap, a callback).
      case 'InvalidHandle': return new DisposedError(`${message} (disposed during the call: by a getter, a Proxy or a callback it ran?)`);
      case 'OutOfMemory': return new OutOfMemoryError(message);
      case 'Internal': return new NeuriteError('Internal', message);
      case 'NonFinite': return new NonFiniteError(message);
      default: return new NeuriteError('Internal', `unexpected status ${status}: ${message}`);
    }
  })();
  fromCore.add(err);
  return err;
}

/** @internal Whether `e` is Node's permission model's refusal (`--permission`, Node 20's `--experimental-permission`). */
export function isNodeDenial(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ERR_ACCESS_DENIED';
}

/** @internal Whether `e` is Deno's refusal of a permission (`NotCapable`; `PermissionDenied` before Deno 2). */
export function isDenoDenial(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'NotCapable' || name === 'PermissionDenied';
}

/**
 * @internal `[Name: message: cause]` of something thrown, to end a message with: Node's fetch
 * puts the reason in the cause ("fetch failed: connect ECONNREFUSED").
 */
export function thrownDetail(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { message?: string } } | null;
  return `[${err?.name ?? 'Error'}: ${err?.message ?? String(e)}${err?.cause?.message ? `: ${err.cause.message}` : ''}]`;
}

/** The names the core gives its training steps' own errors (a layer's name its kind instead). */
const TRAINING_OPS = new Set(['fit', 'fitDataset', 'trainOnBatch', 'train', 'step']);

/**
 * @internal Names the public method `op` in an error the core raised while running it: a
 * core error whose message does not already start with `op` (e.g. a layer's or a loss's own
 * `dense: …`) gets `op: ` in front — the same object, so its class, code and stack are kept.
 * When the core names the step by its own name `coreOp` (its `predict` under `encode`), that
 * name is replaced by `op` instead. Errors from elsewhere (the caller's callbacks, TS-side
 * checks) are returned unchanged.
 */
export function inOp(op: string, err: unknown, coreOp?: string): unknown {
  if (err instanceof NeuriteError && fromCore.has(err)) {
    const m = err.message;
    if (coreOp !== undefined && coreOp !== op && m.startsWith(`${coreOp}: `)) err.message = `${op}: ${m.slice(coreOp.length + 2)}`;
    else if (!(m.startsWith(`${op}:`) || m.startsWith(`${op} (`))) err.message = `${op}: ${m}`;
    // A layer's output for a whole batch beyond one tensor (engine.ts tooLarge): the batch size is the fix.
    const layer = /^(\w+): out of memory .*whatever is freed$/.exec(m);
    const training = op === 'fit' || op === 'fitDataset' || op === 'trainOnBatch';
    if (err instanceof OutOfMemoryError && layer && training && TRAINING_OPS.has(layer[1])) {
      // Named by the step, not a layer: its own state, a block per weight for the optimizer's
      // slots (Adam's m and v together), which the batch size does not change.
      err.message += `; not a layer's output but the step's own state, most likely the optimizer's: it keeps its slots for a weight in one block (adam and adamax 2 values per weight value, amsgrad 3, rmsprop 1 to 3, adagrad and sgd with momentum 1, plain sgd none), so a weight of more than 2^29 / slots values cannot train with it, whatever the batch size: use an optimizer with fewer slots, or make the largest layer smaller`;
    } else if (err instanceof OutOfMemoryError && layer && training) {
      err.message += `; ${op} runs each batch through a layer as one tensor (here a ${layer[1]} layer's output): ${op === 'trainOnBatch' ? 'pass fewer rows' : 'pass a smaller batchSize'}, or make the layer narrower`;
    }
  }
  return err;
}

/**
 * @internal `err` (the core's check of `x` and `y`: `x contains NaN at flat index 2042 (shape
 * [256,8])`, `target[2042] is NaN`) with the sample and position that flat index is in, for
 * `x` and `y` of rank 2 or more: `(sample 255, feature 2)`. A tensor packed from several
 * inputs or outputs (`packed`) gets the sample alone, its row being the inputs side by side.
 */
export function placeBadValue(err: unknown, x: Tensor | null, y: Tensor | null, packed: { x: boolean; y: boolean } = { x: false, y: false }): unknown {
  if (!(err instanceof NeuriteError)) return err;
  const where = (t: Tensor | null, flat: number, part: string, isPacked: boolean): string => {
    if (t === null || t.isDisposed || t.rank < 2) return '';
    const inner = t.shape.slice(1);
    const width = inner.reduce((a, b) => a * b, 1);
    if (width <= 0) return '';
    const sample = Math.floor(flat / width);
    if (isPacked) return ` (sample ${sample})`;
    let r = flat % width;
    const idx = inner.map((_, k) => {
      const below = inner.slice(k + 1).reduce((a, b) => a * b, 1);
      const i = Math.floor(r / below);
      r %= below;
      return i;
    });
    return idx.length === 1 ? ` (sample ${sample}, ${part} ${idx[0]})` : ` (sample ${sample}, position [${idx.join(', ')}] in it)`;
  };
  err.message = err.message
    .replace(/\bx contains (\S+) at flat index (\d+) \(shape \[[\d,]*\]\)/, (all: string, _v: string, i: string) => all + where(x, Number(i), 'feature', packed.x))
    .replace(/\btarget\[(\d+)\]( =| is)/, (_all: string, i: string, rest: string) => `target[${i}]${where(y, Number(i), 'output', packed.y)}${rest}`);
  return err;
}
