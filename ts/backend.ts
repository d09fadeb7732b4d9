/**
 * TF.js's backend and engine calls, for code ported from TF.js: neurite has one backend, its
 * SIMD WebAssembly core, on every runtime. `ready()` loads it (as `init()` does), `getBackend()`
 * names it, `setBackend('wasm')` loads it, and TF.js's other backend names leave it in place
 * and answer `false`, as TF.js's `setBackend` does for a backend that cannot start.
 */
import { InvalidArgumentError } from './errors.js';
import { describe, withTensors, type TensorLike } from './ops/convert.js';
import { setDebug } from './scope.js';
import type { Tensor } from './tensor.js';

/** The entry's `init()` (the inline or the url entry registers its own). */
let entryInit: () => Promise<void> = () => Promise.reject(new Error('neurite: no entry registered its init()'));

/** @internal Called once by each entry (`neurite`, `neurite/url`) with its `init`. */
export function registerInit(init: () => Promise<void>): void {
  entryInit = init;
}

/** The backend names TF.js registers (`tfjs-backend-*`, `tfjs-node`). */
const TFJS_BACKENDS = ['wasm', 'cpu', 'webgl', 'webgpu', 'tensorflow'];

/**
 * Resolves once the WebAssembly core is loaded, as TF.js `tf.ready()`: the same as `init()`
 * without arguments (at once when it already ran).
 *
 * @example await ready();
 */
export function ready(): Promise<void> {
  return entryInit();
}

/** The backend in use, as TF.js `tf.getBackend()`: always `'wasm'`. */
export function getBackend(): 'wasm' {
  return 'wasm';
}

/**
 * TF.js's `tf.setBackend(name)`: loads the core and answers whether `name` is the backend now
 * in use. `'wasm'` answers `true`; TF.js's other backends (`'cpu'`, `'webgl'`, `'webgpu'`,
 * `'tensorflow'`) answer `false` and neurite keeps running on its WebAssembly core, as TF.js
 * keeps its current backend when the one asked for cannot start.
 *
 * @example await setBackend('wasm');   // true
 * @throws {@link InvalidArgumentError} (the promise rejects) for a name TF.js does not know.
 */
export async function setBackend(name: string): Promise<boolean> {
  if (typeof name !== 'string' || !TFJS_BACKENDS.includes(name)) {
    throw new InvalidArgumentError(`setBackend: unknown backend ${typeof name === 'string' ? `'${name}'` : describe(name)}: neurite runs on 'wasm' (TF.js's backends are ${TFJS_BACKENDS.map((b) => `'${b}'`).join(', ')})`);
  }
  await entryInit();
  return name === 'wasm';
}

/** TF.js's `tf.enableProdMode()`: turns neurite's debug mode off (see {@link setDebug}). */
export function enableProdMode(): void {
  setDebug(false);
}

/**
 * TF.js's `tf.enableDebugMode()`: turns neurite's debug mode on (see {@link setDebug}: creation
 * stacks for objects freed without `dispose()`). TF.js's also logs every kernel and checks each
 * result for NaN; neurite's ops refuse NaN where it is an error and leave the values alone.
 */
export function enableDebugMode(): void {
  setDebug(true);
}

/**
 * Logs `x` as TF.js `tf.print(x, verbose)` does (see {@link Tensor.print}); `x` may be any
 * TensorLike.
 *
 * @example print(tensor([1, 2]))
 */
export function print<T extends Tensor = Tensor>(x: T | TensorLike, verbose = false): void {
  withTensors('print', { x }, (t) => t.x.print(verbose));
}
