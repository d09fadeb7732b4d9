/**
 * Internal: reading option objects and encoding loss, optimizer and schedule options as the
 * `f32` lists the core's `from_abi` functions take. Not part of the public API.
 */
import { floatBits } from './engine.js';
import { InvalidArgumentError } from './errors.js';
import { describe } from './ops/convert.js';
import type { LossConfig, LossOptions } from './losses.js';
import { LOSSES, type LossName } from './wasm/codes.js';

/** @internal The bit patterns of `values` as float32, for passing `f32` lists to the core. */
export function f32Bits(values: readonly number[]): number[] {
  // One value at a time through a scratch float32 (two typed arrays per call were most of its time).
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatBits(values[i]);
  return out;
}

/**
 * Edit distance between `a` and `b` counting an adjacent transposition as one edit
 * (optimal string alignment), for option keys and names.
 */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Spellings other libraries use for a name neurite knows (normalised: lower case, no `_`). */
const SYNONYMS: Record<string, readonly string[] | undefined> = {
  lr: ['learningRate'],
  decay: ['rho'],
  inputdim: ['inputShape'],
  // brain.js's passes over the data (`net.train(data, { iterations })`).
  iterations: ['epochs'],
  // scikit-learn's (KMeans, PCA, Perceptron).
  randomstate: ['seed'],
  nclusters: ['k'],
  ncomponents: ['components'],
  eta0: ['learningRate'],
  maxiter: ['maxIterations', 'maxEpochs'],
  tol: ['tolerance'],
};

/** Names of things neurite does not have that are one edit from a name it has. */
const DISTINCT = new Set(['nadam', 'lion', 'ftrl', 'sgdw']);

/**
 * @internal The known name closest to `given`, comparing without case and `_`: one that
 * starts with it or that it starts with (`epoch` → `epochs`, `minval` → `min`), else the
 * nearest within 2 edits (1 for names of up to 5 letters; a swap of neighbours is one edit),
 * else `undefined`.
 */
export function nearest(given: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '');
  const g = norm(given);
  if (g.length === 0) return undefined;
  const exact = known.find((k) => norm(k) === g);
  if (exact !== undefined) return exact;
  // Other libraries' spellings of a known name (Keras 2's `lr`, TF.js rmsprop's `decay`).
  const synonym = Object.hasOwn(SYNONYMS, g) ? SYNONYMS[g]?.find((k) => known.includes(k)) : undefined;
  if (synonym !== undefined) return synonym;
  // Names of other algorithms one edit from a known one: no suggestion (nadam is not adam).
  if (DISTINCT.has(g)) return undefined;
  if (g.length >= 3) {
    const prefix = known.find((k) => norm(k).startsWith(g) || (norm(k).length >= 3 && g.startsWith(norm(k))));
    if (prefix !== undefined) return prefix;
  }
  // The end of exactly one longer key: `epochs` for `maxEpochs` (not `crossentropy`: three end so).
  if (g.length >= 5) {
    const suffix = known.filter((k) => norm(k).endsWith(g));
    if (suffix.length === 1) return suffix[0];
  }
  const limit = g.length <= 5 ? 1 : 2;
  let best: string | undefined;
  let bestD = limit + 1;
  for (const k of known) {
    const d = distance(g, norm(k));
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** @internal `" (did you mean 'x'?)"` for the nearest known name, or `''`. */
export function didYouMean(given: unknown, known: readonly string[]): string {
  if (typeof given !== 'string') return '';
  const n = nearest(given, known);
  return n === undefined ? '' : ` — did you mean '${n}'?`;
}

/**
 * @internal The error for an unknown option `key` of `op`: names the key, suggests the nearest
 * known one ("did you mean 'epochs'?") and lists the known keys.
 */
export function unknownOption(op: string, key: string, known: readonly string[], what = 'option'): InvalidArgumentError {
  const list = known.length ? `known: ${known.join(', ')}` : 'it takes no options';
  return new InvalidArgumentError(`${op}: unknown ${what} '${key}'${didYouMean(key, known)} (${list})`);
}

/** Built-ins whose data is not in their properties (`Object.prototype.toString` tags). */
const COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'Promise', 'URLSearchParams', 'FormData', 'Headers', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView']);

/**
 * @internal Throws when `o` is a built-in object that keeps its data out of its properties: a
 * `Map`, `Set`, `Date`, `URLSearchParams`, `RegExp`, `Promise`, buffer or typed array. Read as
 * options it would have no keys and its entries would be silently ignored (a `Map` of
 * `maxOutputBytes` would not lower the caller's cap). Plain objects, null-prototype ones,
 * module namespaces and instances of the user's own classes pass.
 */
export function plainOptions(op: string, o: object, what = 'options'): void {
  let builtIn: boolean;
  try {
    builtIn = ArrayBuffer.isView(o) || COLLECTIONS.has(Object.prototype.toString.call(o).slice(8, -1));
  } catch {
    builtIn = true; // a revoked proxy
  }
  if (builtIn) throw new InvalidArgumentError(`${op}: ${what} must be a plain object ({ … }), got ${describe(o)}`);
}

/**
 * @internal Whether `o` has the option `k`: as its own property, or from its own class (a
 * getter of a class instance), never from `Object.prototype` (which another package may have
 * modified).
 */
export function hasOption(o: object, k: string): boolean {
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.hasOwn(p, k)) return true;
  }
  return false;
}

/**
 * @internal The options `o` as a null-prototype object: its own enumerable keys (so unknown
 * ones can be reported) and each of `known` it has ({@link hasOption}: a class's getter too),
 * never a key of `Object.prototype`.
 */
export function optionValues(o: object, known: readonly string[]): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(o), ...known])) if (hasOption(o, k)) out[k] = (o as Record<string, unknown>)[k];
  return out;
}

/**
 * @internal The keys of an options object, which are its own: an object that inherits an
 * enumerable key (from a modified `Object.prototype`, or made by `Object.create(defaults)`) is
 * an error, since options are read as properties and would take values nobody passed here;
 * so is an object that is not plain ({@link plainOptions}: a `Map`, a `Date`, a class instance).
 */
export function optionKeys(op: string, o: object): string[] {
  plainOptions(op, o);
  for (const k in o) {
    if (!Object.prototype.hasOwnProperty.call(o, k)) {
      throw new InvalidArgumentError(`${op}: the options object inherits the key '${k}' from its prototype (was Object.prototype modified?); pass options as the object's own properties`);
    }
  }
  return Object.keys(o);
}

/**
 * @internal Rejects an options value that is not a plain object (`undefined` is accepted unless
 * `required`), and unknown keys with a suggestion. Returns the options as a null-prototype
 * object holding only the given object's own keys (an empty one for `undefined`), so that
 * reading an option that was not passed gives `undefined` even when `Object.prototype` was
 * modified (a polluted `Object.prototype.maxOutputBytes` must not lift a decoder's cap).
 */
export function checkArgs(op: string, args: unknown, known: readonly string[], required = false): Record<string, unknown> {
  if (args === undefined && !required) return Object.create(null) as Record<string, unknown>;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(args)}`);
  for (const k of optionKeys(op, args)) {
    if (!known.includes(k)) throw unknownOption(op, k, known);
  }
  return optionValues(args, known);
}

/** @internal Option defaults: a number or boolean, or `null` for a required number. */
export type OptionSpec = Record<string, number | boolean | null>;

/**
 * @internal Reads an options object against `spec`: rejects unknown keys, non-finite or
 * out-of-float32-range numbers, non-booleans where a boolean is expected, and missing
 * required options. Returns the options merged over the defaults.
 */
export function readOptions(op: string, options: unknown, spec: OptionSpec): Record<string, number | boolean> {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
  }
  // The given object is checked (a Map refused, unknown keys named); the values are read into a
  // null-prototype copy, so an option nobody passed is never read from a modified Object.prototype.
  for (const k of options === undefined ? [] : optionKeys(op, options as object)) {
    if (!Object.hasOwn(spec, k)) {
      throw unknownOption(op, k, Object.keys(spec));
    }
  }
  const given = options === undefined ? (Object.create(null) as Record<string, unknown>) : optionValues(options as object, Object.keys(spec));
  const out: Record<string, number | boolean> = {};
  for (const [k, def] of Object.entries(spec)) {
    const v = Object.hasOwn(given, k) ? given[k] : undefined;
    if (v === undefined) {
      if (def === null) throw new InvalidArgumentError(`${op}: option '${k}' is required`);
      out[k] = def;
    } else if (typeof def === 'boolean') {
      if (typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: ${k} must be a boolean, got ${describe(v)}`);
      out[k] = v;
    } else {
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
        throw new InvalidArgumentError(`${op}: ${k} must be a finite number within float32 range, got ${describe(v)}`);
      }
      out[k] = v;
    }
  }
  return out;
}

/**
 * Other names accepted wherever a loss name is: TF.js's and Keras's short names (`'mape'`,
 * `'MAPE'`, `'msle'`, `'MSLE'` as TF.js's `tf.metrics`/`tf.losses` exports them), and Keras 3's
 * names of TF.js's losses (`'cosineSimilarity'` for `cosine_similarity`, `'logCosh'` for
 * `log_cosh`, so a Keras file's camel-cased loss resolves too).
 */
export type LossAlias = 'mse' | 'mae' | 'kld' | 'mape' | 'MAPE' | 'msle' | 'MSLE' | 'cosineSimilarity' | 'logCosh';
const ALIASES: Record<LossAlias, LossName> = {
  mse: 'meanSquaredError', mae: 'meanAbsoluteError', kld: 'kullbackLeiblerDivergence',
  mape: 'meanAbsolutePercentageError', MAPE: 'meanAbsolutePercentageError', msle: 'meanSquaredLogarithmicError', MSLE: 'meanSquaredLogarithmicError',
  cosineSimilarity: 'cosineProximity', logCosh: 'logcosh',
};

/** @internal The options each loss takes, in ABI order, with defaults (Rust `Loss::PARAMS`, checked by test/codes.test.ts). */
export const OPTIONS: Partial<Record<LossName, Array<[keyof LossOptions, number | boolean]>>> = {
  huber: [['delta', 1]],
  binaryCrossentropy: [['fromLogits', false], ['labelSmoothing', 0]],
  categoricalCrossentropy: [['fromLogits', false], ['labelSmoothing', 0]],
  // ignoreClass: NaN is none (a given value must be finite; Rust checks it is an integer).
  sparseCategoricalCrossentropy: [['fromLogits', false], ['ignoreClass', NaN]],
};

/**
 * Loss reductions, by ABI id (Rust `Reduction::NAMES`, checked by test/codes.test.ts):
 * - `'mean'` (default, as TF.js and Keras): per-sample loss over the last axis (a mean for
 *   MSE, MAE, Huber, binary cross-entropy, the hinges, MAPE, MSLE, log-cosh and Poisson; a
 *   sum for the categorical cross-entropies and KL divergence; the row's value for
 *   categorical hinge and cosine proximity), averaged over the samples;
 * - `'sumOverFeatures'`: the per-sample *sum* over all of a sample's values (every axis but
 *   the batch: height, width and channels of an image), averaged over the samples — a VAE's
 *   reconstruction term in nats (for `[batch, classes]` and the losses that already sum over
 *   classes it equals `'mean'`);
 * - `'none'`: the per-row losses of `'mean'` themselves, one per row of the last axis (one per
 *   sample for `[batch, features]`; the tensor-level losses only: a training loss is one
 *   number).
 */
export const REDUCTIONS = ['mean', 'sumOverFeatures', 'none'] as const;
/** How a training loss reduces over each sample: `'mean'` (default) or `'sumOverFeatures'` (see {@link REDUCTIONS}). */
export type LossReduction = Exclude<(typeof REDUCTIONS)[number], 'none'>;

/**
 * @internal The ABI id of a reduction option, or an error listing the valid names; `'none'`
 * only where `perSample` (the tensor-level losses).
 */
export function reductionId(op: string, r: unknown, perSample = false): number {
  if (r === undefined) return 0;
  const valid = perSample ? REDUCTIONS : REDUCTIONS.filter((v) => v !== 'none');
  if (r === 'none' && !perSample) {
    throw new InvalidArgumentError(`${op}: reduction 'none' gives one loss per sample, and a training loss is one number: use ${valid.map((v) => `'${v}'`).join(' or ')}`);
  }
  const id = (valid as readonly unknown[]).indexOf(r);
  if (id < 0) throw unknownReduction(op, r, valid);
  return id;
}

/** @internal The error for reduction `r`, not one of `valid`: Keras's name for the mean said, else the nearest name. */
export function unknownReduction(op: string, r: unknown, valid: readonly string[], extra = ''): InvalidArgumentError {
  // Keras's names: its default, 'sum_over_batch_size', is the mean here; 'sum' is not here.
  const sum = valid.includes('none') ? "reduction 'none' and .sum()" : 'the mean times the batch size';
  const keras = r === 'sum_over_batch_size' || r === 'sumOverBatchSize' ? ` — Keras's '${r}' is 'mean' here` : r === 'sum' ? ` — Keras's 'sum' (the losses added over the batch) is ${sum}` : typeof r === 'string' ? didYouMean(r, valid) : '';
  return new InvalidArgumentError(`${op}: unknown reduction ${typeof r === 'string' ? `'${r}'` : describe(r)} (valid: ${valid.join(', ')})${extra}${keras}`);
}

/**
 * @internal Resolves a loss name (or alias) or config plus options to its ABI id, `f32`
 * parameters and reduction id, rejecting unknown names and options (and `reduction: 'none'`
 * unless `perSample`: the tensor-level losses take it, training does not).
 */
export function lossAbi(op: string, loss: LossName | LossAlias | LossConfig, options?: LossOptions, perSample = false): { name: LossName; kind: number; params: number[]; reduction: number } {
  let name: unknown = loss;
  let opts: object | undefined = options;
  if (loss !== null && typeof loss === 'object') {
    // The config's own keys only, as every options object (an inherited name or option is an
    // error, not read or dropped); options beside it are checked before they are merged.
    optionKeys(op, loss);
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
    }
    if (options !== undefined) optionKeys(op, options);
    const { name: n, ...rest } = loss as LossConfig;
    if (n === undefined) {
      // A misspelt `name` is the likely cause: say so rather than "unknown loss undefined".
      const keys = Object.keys(loss);
      const optionNames = new Set(['reduction', ...Object.values(OPTIONS).flatMap((o) => (o ?? []).map(([k]) => k as string))]);
      const stray = keys.find((k) => !optionNames.has(k));
      if (stray !== undefined) throw unknownOption(op, stray, ['name', ...optionNames], 'loss key');
      throw new InvalidArgumentError(`${op}: the loss object${keys.length ? ` { ${keys.join(', ')} }` : ' {}'} has no name: give one, e.g. { name: 'binaryCrossentropy'${keys.map((k) => `, ${k}: …`).join('')} }`);
    }
    name = n;
    opts = { ...rest, ...(options ?? {}) };
  }
  const canonical = typeof name === 'string' && Object.hasOwn(ALIASES, name) ? ALIASES[name as LossAlias] : name;
  const kind = LOSSES.indexOf(canonical as LossName);
  if (kind < 0 && typeof name === 'function') {
    throw new InvalidArgumentError(
      `${op}: a loss function is not supported here: ${op} takes a built-in loss (${LOSSES.join(', ')}) by name or as { name, ...options }; ` +
        'a function is a loss of compile({ loss: (yTrue, yPred) => … }), or call it yourself (README: Training)',
    );
  }
  if (kind < 0) {
    throw new InvalidArgumentError(`${op}: unknown loss ${typeof name === 'string' ? `'${name}'` : describe(name)}${didYouMean(name, [...LOSSES, ...Object.keys(ALIASES)])} (known: ${LOSSES.join(', ')}, ${Object.keys(ALIASES).join(', ')})`);
  }
  const spec = OPTIONS[canonical as LossName] ?? [];
  // Unknown keys name the loss and list every option it takes, `reduction` included.
  if (opts !== null && typeof opts === 'object' && !Array.isArray(opts)) {
    const known = [...spec.map(([k]) => k as string), 'reduction'];
    for (const k of optionKeys(op, opts)) if (!known.includes(k)) throw unknownOption(op, k, known, op === canonical ? 'option' : `${canonical as string} option`);
  }
  let reduction = 0;
  if (opts !== null && typeof opts === 'object' && !Array.isArray(opts) && Object.hasOwn(opts, 'reduction')) {
    const { reduction: r, ...rest } = opts as { reduction?: unknown };
    reduction = reductionId(op, r, perSample);
    opts = rest;
  }
  const values = readOptions(op, opts, Object.fromEntries(spec));
  const params = spec.map(([k]) => Number(values[k]));
  return { name: canonical as LossName, kind, params, reduction };
}

