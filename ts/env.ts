/**
 * TF.js's `tf.env()`, for code ported from TF.js: the flags that mean something in neurite.
 * TF.js registers a backend's flags when the backend is imported and throws for any other
 * (`Cannot set flag WEBGL_PACK as it has not been registered`); neurite has one backend, its
 * WebAssembly core, so TF.js's WebGL, WebGPU and CPU tuning flags are errors here too, saying
 * which flags there are.
 */
import { InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import { isNode, runtimeKind } from './runtime.js';
import { isDebug, setDebug } from './scope.js';
import { workersUnavailable } from './threads/detect.js';

/** A flag's value. */
export type FlagValue = boolean | number;

/** The flags neurite knows, with a setter for those `set` changes. */
const FLAGS: Record<string, [get: () => FlagValue, set?: (v: boolean) => void]> = {
  // TF.js's rule: a page or a Web Worker.
  IS_BROWSER: [() => ['page', 'worker'].includes(runtimeKind())],
  IS_NODE: [() => isNode],
  IS_TEST: [() => false],
  DEBUG: [isDebug, setDebug],
  PROD: [() => !isDebug(), (v) => setDebug(!v)],
  WASM_HAS_SIMD_SUPPORT: [() => true],
  // Whether this runtime lets workers share memory (threads() says how many run).
  WASM_HAS_MULTITHREAD_SUPPORT: [() => workersUnavailable() === null],
};
const NAMES = Object.keys(FLAGS);

/** The flag `flag`'s entry; for `set`, also checks that it is settable and `value` a boolean. */
function entry(op: string, flag: unknown, value?: unknown): (typeof FLAGS)[string] {
  const e = typeof flag === 'string' && Object.hasOwn(FLAGS, flag) ? FLAGS[flag] : undefined;
  let why = '';
  if (!e) {
    const backend = typeof flag === 'string' && /^(WEBGL|WEBGPU|CPU|WASM)_/.test(flag) ? " (neurite has one backend, its WebAssembly core: TF.js's backend flags do not apply here; drop the call)" : '';
    why = `no flag ${typeof flag === 'string' ? `'${flag}'` : describe(flag)}${backend}; neurite's flags are ${NAMES.join(', ')}`;
  } else if (op.startsWith('set') && !e[1]) why = `flag '${flag}' is read-only; ${op} changes DEBUG and PROD`;
  else if (op.startsWith('set') && typeof value !== 'boolean') why = `flag '${flag}' takes true or false, got ${describe(value)}`;
  if (why) throw new InvalidArgumentError(`env().${op}: ${why}`);
  return e!;
}

/** `get`, and a check of the value's type for `getBool` / `getNumber`. */
function read(op: string, flag: string, type?: 'boolean' | 'number'): FlagValue {
  const v = entry(op, flag)[0]();
  if (type && typeof v !== type) throw new InvalidArgumentError(`env().${op}: flag '${flag}' is not a ${type} (it is ${v})`);
  return v;
}

/** TF.js's `Environment` for the flags neurite has (see {@link env}). */
export interface Environment {
  /** The flag's value; an unknown flag is an `InvalidArgumentError` that lists the flags. */
  get(flag: string): FlagValue;
  /** {@link Environment.get} for a boolean flag. */
  getBool(flag: string): boolean;
  /** {@link Environment.get} for a number flag (none yet: every flag is boolean). */
  getNumber(flag: string): number;
  /** TF.js's async read: the same value, resolved. */
  getAsync(flag: string): Promise<FlagValue>;
  /** Sets `DEBUG` or `PROD` (booleans); the others are read-only, and unknown flags are errors. */
  set(flag: string, value: FlagValue): void;
  /** Sets several flags, as TF.js's `setFlags` (all checked before any is set). */
  setFlags(flags: Record<string, FlagValue>): void;
  /** Every flag and its value now. */
  getFlags(): Record<string, FlagValue>;
  /** The same as {@link Environment.getFlags} (TF.js's `features`). */
  readonly features: Record<string, FlagValue>;
}

const environment: Environment = {
  get: (flag) => read('get', flag),
  getBool: (flag) => read('getBool', flag, 'boolean') as boolean,
  getNumber: (flag) => read('getNumber', flag, 'number') as number,
  getAsync: async (flag) => read('getAsync', flag),
  set: (flag, value) => entry('set', flag, value)[1]!(value as boolean),
  setFlags(flags) {
    if (flags === null || typeof flags !== 'object' || Array.isArray(flags)) throw new InvalidArgumentError(`env().setFlags: expected an object of flags, got ${describe(flags)}`);
    const sets = Object.entries(flags).map(([k, v]) => [entry('setFlags', k, v)[1]!, v as boolean] as const);
    for (const [set, v] of sets) set(v);
  },
  getFlags: () => Object.fromEntries(NAMES.map((k) => [k, FLAGS[k][0]()])),
  get features() {
    return this.getFlags();
  },
};

/**
 * TF.js's `tf.env()`: reads neurite's flags (`IS_BROWSER`, `IS_NODE`, `IS_TEST`,
 * `WASM_HAS_SIMD_SUPPORT`, `WASM_HAS_MULTITHREAD_SUPPORT`) and sets `DEBUG` / `PROD` (as
 * {@link setDebug} and `enableProdMode()`). TF.js's WebGL/WebGPU/CPU flags are errors that say
 * they do not apply (TF.js too throws for flags no imported backend registered).
 *
 * @example
 * if (env().getBool('IS_NODE')) console.log('running in Node');
 * env().set('DEBUG', true); // = setDebug(true)
 */
export function env(): Environment {
  return environment;
}
