/**
 * Keras/TF.js config objects for the parts of a layer: activations, initializers and
 * regularizers, both ways. What TF.js knows is written under TF.js's names exactly as
 * `model.toJSON()` writes it (snake_case keys and values: `'hard_sigmoid'`,
 * `{ class_name: 'VarianceScaling', config: { scale, mode: 'fan_avg', distribution, seed } }`);
 * what only neurite has is a custom class `neurite>…` (`{ class_name: 'neurite>stairStep',
 * config: { step, straight_through } }`), which TF.js rejects with its own "Unknown activation"
 * error. Reading accepts TF.js's and Python Keras's spellings.
 */
import { constraintFrom, constraintKind, CONSTRAINT_PARAMS, type Constraint } from '../constraints.js';
import { encodeActivation } from '../activations.js';
import { InvalidArgumentError } from '../errors.js';
import { DISTRIBUTIONS, FAN_MODES, initializerDefaults, initializerNamed, varianceCode, type Initializer, type InitializerName } from '../layers/initializers.js';
import type { ActivityRegularizerSpec, Regularizer } from '../layers/regularizers.js';
import { describe, show } from '../ops/convert.js';
import { ACTIVATION_PARAMS, ACTIVATIONS, type ActivationName } from '../wasm/codes.js';

/** A Keras object config: `{ class_name, config }`. */
export interface KerasObject {
  class_name: string;
  config: Record<string, unknown>;
}

/** The prefix of classes only neurite knows; TF.js reports them as unknown. */
export const CUSTOM = 'neurite>';

/** `hardSigmoid` → `hard_sigmoid` (TF.js `toSnakeCase`). */
export function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** `hard_sigmoid` → `hardSigmoid` (TF.js `toCamelCase`). */
export function camel(s: string): string {
  return s.includes('_') ? s.replace(/_+(\w|$)/g, (_, c: string) => c.toUpperCase()) : s;
}

/** @internal Throws an InvalidArgumentError `op: where …`. */
export function bad(op: string, where: string, msg: string): never {
  throw new InvalidArgumentError(`${op}: ${where} ${msg}`);
}

/** @internal Whether `v` is an object and not an array: what a config or manifest entry must be. */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** @internal Whether `v` is an integer of at least `min`. */
export const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** @internal `v` as a plain object, else an error naming `where`. */
export function objectAt(op: string, where: string, v: unknown): Record<string, unknown> {
  if (!isObject(v)) bad(op, where, `must be an object, got ${describe(v)}`);
  return v;
}

/**
 * @internal A Keras `{ class_name, config }` object, else an error naming `where`. A
 * `Sequential`'s config may be Keras ≤ 2.2's list of its layers (TF.js's `Sequential.fromConfig`
 * reads it): it is returned as that list, which `modelFromKeras` reads.
 */
export function kerasObject(op: string, where: string, v: unknown): KerasObject {
  const o = objectAt(op, where, v);
  if (typeof o.class_name !== 'string') bad(op, `${where}.class_name`, `must be a string, got ${describe(o.class_name)}`);
  const list = o.class_name === 'Sequential' && Array.isArray(o.config);
  const config = o.config === undefined || o.config === null ? {} : list ? (o.config as unknown as Record<string, unknown>) : objectAt(op, `${where}.config`, o.config);
  return { class_name: o.class_name, config };
}

// ---------------------------------------------------------------------------------------------
// Activations

/**
 * Every activation's serialized name (with default parameters): TF.js layers' name where it
 * knows the activation; `hardSilu` as Keras 3's `'hard_silu'` (TF.js has none: it refuses the
 * file by that name, as it would `'neurite>hardSilu'`); `null` for neurite's own, saved as a
 * `neurite>` class with its parameters. A complete record, so that a new activation does not
 * type-check until it is given its saved form here.
 */
const TF_ACTIVATIONS: Readonly<Record<ActivationName, string | null>> = {
  linear: 'linear', relu: 'relu', softplus: 'softplus', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax',
  logSoftmax: 'log_softmax', elu: 'elu', selu: 'selu', gelu: 'gelu', swish: 'swish', hardSigmoid: 'hard_sigmoid', softsign: 'softsign',
  relu6: 'relu6', mish: 'mish', geluNew: 'gelu_new', hardSilu: 'hard_silu',
  stairStep: null, unitStep: null, heaviside: null, sign: null, leakyRelu: null, cappedRelu: null,
};

/** Names a file may use for an activation (camel-cased): Keras's `silu` and `hard_swish`. */
const FILE_ALIASES: Readonly<Record<string, ActivationName>> = { silu: 'swish', hardSwish: 'hardSilu' };

/** The parameters of `name`, in ABI order, with defaults. */
function paramTable(name: ActivationName): ReadonlyArray<readonly [string, number]> {
  return (ACTIVATION_PARAMS as Partial<Record<ActivationName, ReadonlyArray<readonly [string, number]>>>)[name] ?? [];
}

/** A normalized activation: its canonical name and every parameter (flags as booleans). */
export type ActivationValue = ActivationName | { name: ActivationName; [param: string]: number | boolean | string };

/** @internal `spec` (any accepted form) in canonical form: a name, or `{ name, ...all parameters }`. */
export function normalizeActivation(op: string, spec: unknown): ActivationValue {
  const a = encodeActivation(op, spec);
  const table = paramTable(a.name);
  if (table.length === 0) return a.name;
  const out: { name: ActivationName; [param: string]: number | boolean | string } = { name: a.name };
  table.forEach(([k], i) => (out[k] = k === 'straightThrough' ? a.params[i] === 1 : a.params[i]));
  return out;
}

/** @internal The Keras form of an activation: TF.js's name, or a `neurite>` class with its parameters. */
export function activationToKeras(op: string, spec: unknown): string | KerasObject {
  const a = encodeActivation(op, spec);
  const table = paramTable(a.name);
  const defaults = table.every(([, d], i) => a.params[i] === d);
  const tf = TF_ACTIVATIONS[a.name];
  if (tf !== null && defaults) return tf;
  const config: Record<string, unknown> = {};
  table.forEach(([k], i) => (config[snake(k)] = k === 'straightThrough' ? a.params[i] === 1 : a.params[i]));
  return { class_name: `${CUSTOM}${a.name}`, config };
}

/** @internal An activation from its Keras form (a name in any case style, or a `neurite>` class). */
export function activationFromKeras(op: string, where: string, v: unknown): ActivationValue {
  const known = [...ACTIVATIONS.flatMap((n) => TF_ACTIVATIONS[n] ?? []), ...ACTIVATIONS.filter((n) => TF_ACTIVATIONS[n] === null).map((n) => `${CUSTOM}${n}`)];
  if (v === null || v === undefined) return 'linear';
  let spec: unknown;
  if (typeof v === 'string') {
    const n = camel(v.startsWith(CUSTOM) ? v.slice(CUSTOM.length) : v);
    spec = FILE_ALIASES[n] ?? n;
  } else {
    const o = kerasObject(op, where, v);
    const n = o.class_name.startsWith(CUSTOM) ? o.class_name.slice(CUSTOM.length) : camel(o.class_name);
    spec = { name: n, ...Object.fromEntries(Object.entries(o.config).map(([k, x]) => [camel(k), x])) };
  }
  const name = typeof spec === 'string' ? spec : (spec as { name: string }).name;
  if (!ACTIVATIONS.includes(name as ActivationName)) bad(op, where, `is an activation neurite does not support: ${show(v)}; supported: ${known.join(', ')}`);
  try {
    return normalizeActivation(op, spec);
  } catch (err) {
    if (err instanceof InvalidArgumentError) bad(op, where, `is invalid: ${err.message}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Initializers

/** Variance-scaling initializers: scale, mode and distribution as TF.js writes them. */
const VARIANCE: Partial<Record<InitializerName, [number, string, string]>> = {
  glorotUniform: [1, 'fan_avg', 'uniform'], glorotNormal: [1, 'fan_avg', 'normal'],
  heUniform: [2, 'fan_in', 'uniform'], heNormal: [2, 'fan_in', 'normal'],
  lecunUniform: [1, 'fan_in', 'uniform'], lecunNormal: [1, 'fan_in', 'normal'],
};

/**
 * @internal The Keras form of an initializer. neurite's `*Normal` variance-scaling initializers
 * are written as TF.js writes its own (`distribution: 'normal'`, which TF.js draws from a
 * truncated normal); neurite draws them truncated with Keras's 0.8796 correction. A seed is
 * written as given (`null` when none).
 */
export function initializerToKeras(spec: Initializer): KerasObject {
  const [a, b] = spec.params;
  const seed = spec.seed ?? null;
  switch (spec.name) {
    case 'zeros': return { class_name: 'Zeros', config: {} };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'constant': return { class_name: 'Constant', config: { value: a } };
    case 'randomUniform': return { class_name: 'RandomUniform', config: { minval: a, maxval: b, seed } };
    case 'randomNormal': return { class_name: 'RandomNormal', config: { mean: a, stddev: b, seed } };
    case 'truncatedNormal': return { class_name: 'TruncatedNormal', config: { mean: a, stddev: b, seed } };
    case 'orthogonal': return { class_name: 'Orthogonal', config: { gain: a, seed } };
    case 'identity': return { class_name: 'Identity', config: { gain: a } };
    case 'varianceScaling': {
      const mode = snake(FAN_MODES[b % 3]!);
      const distribution = snake(DISTRIBUTIONS[Math.floor(b / 3)]!);
      return { class_name: 'VarianceScaling', config: { scale: a, mode, distribution, seed } };
    }
    default: {
      const [scale, mode, distribution] = VARIANCE[spec.name]!;
      return { class_name: 'VarianceScaling', config: { scale, mode, distribution, seed } };
    }
  }
}

const INIT_CLASSES = ['Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal', 'VarianceScaling', 'GlorotUniform', 'GlorotNormal', 'HeUniform', 'HeNormal', 'LeCunUniform', 'LeCunNormal', 'Orthogonal', 'Identity'];

/** A number in a config, else an error naming the field. */
function num(op: string, where: string, v: unknown, def?: number): number {
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(op, where, `must be a finite number, got ${describe(v)}`);
  return v;
}

/**
 * @internal An initializer from its Keras form (TF.js's classes, Python Keras's names, or a
 * name string), with its `seed`. Every initializer TF.js 4.22 and Keras 3 save is drawn
 * (`Orthogonal` and `Identity`, Keras 3's `OrthogonalInitializer` and `IdentityInitializer`
 * too, and a `VarianceScaling` of any scale, mode and distribution); the `null` (one neurite
 * cannot draw, left to the caller) is kept for a future class. A malformed value or an unknown
 * class is an error naming `where`.
 */
export function initializerFromKeras(op: string, where: string, v: unknown): Initializer | null {
  if (typeof v === 'string') {
    const n = initializerNamed(camel(v));
    if (n !== undefined) return { name: n, params: initializerDefaults(n) };
    // A class name as a string ('Orthogonal', 'VarianceScaling'): that class with its defaults.
    const cls = [...INIT_CLASSES, 'OrthogonalInitializer', 'IdentityInitializer'].find((k) => k.toLowerCase() === v.toLowerCase());
    if (cls !== undefined) return initializerFromKeras(op, where, { class_name: cls, config: {} });
    return bad(op, where, `is an initializer neurite does not support: ${show(v)}; supported: ${INIT_CLASSES.join(', ')}`);
  }
  const o = kerasObject(op, where, v);
  const c = o.config;
  const at = (k: string) => `${where}.config.${k}`;
  const seed = c.seed === undefined || c.seed === null ? {} : { seed: num(op, at('seed'), c.seed) };
  const named = (n: InitializerName, a = 0, b = 0): Initializer => ({ name: n, params: [a, b], ...seed });
  switch (o.class_name) {
    case 'Zeros': return named('zeros');
    case 'Ones': return named('ones');
    case 'Constant': return named('constant', num(op, at('value'), c.value, 0));
    case 'RandomUniform': return named('randomUniform', num(op, at('minval'), c.minval, -0.05), num(op, at('maxval'), c.maxval, 0.05));
    case 'RandomNormal': return named('randomNormal', num(op, at('mean'), c.mean, 0), num(op, at('stddev'), c.stddev, 0.05));
    case 'TruncatedNormal': return named('truncatedNormal', num(op, at('mean'), c.mean, 0), num(op, at('stddev'), c.stddev, 0.05));
    case 'GlorotUniform': return named('glorotUniform');
    case 'GlorotNormal': return named('glorotNormal');
    case 'HeUniform': return named('heUniform');
    case 'HeNormal': return named('heNormal');
    case 'LeCunUniform': case 'LecunUniform': return named('lecunUniform');
    case 'LeCunNormal': case 'LecunNormal': return named('lecunNormal');
    case 'Orthogonal': case 'OrthogonalInitializer': return named('orthogonal', num(op, at('gain'), c.gain, 1));
    case 'Identity': case 'IdentityInitializer': return named('identity', num(op, at('gain'), c.gain, 1));
    case 'VarianceScaling': {
      const scale = num(op, at('scale'), c.scale, 1);
      if (!(scale >= 0)) bad(op, at('scale'), `must be a number >= 0, got ${scale}`);
      const mode = camel(String(c.mode ?? 'fan_in'));
      if (!['fanIn', 'fanOut', 'fanAvg'].includes(mode)) bad(op, at('mode'), `must be 'fan_in', 'fan_out' or 'fan_avg', got ${show(c.mode)}`);
      const dist = camel(String(c.distribution ?? 'normal'));
      if (!['normal', 'uniform', 'truncatedNormal', 'untruncatedNormal'].includes(dist)) bad(op, at('distribution'), `must be 'normal', 'truncated_normal', 'untruncated_normal' or 'uniform', got ${show(c.distribution)}`);
      // The glorot/he/lecun forms TF.js writes read as those names (saved back alike); any
      // other is a varianceScaling that saves back its own scale, mode and distribution.
      for (const [n, [s, m, dd]] of Object.entries(VARIANCE)) {
        if (s === scale && camel(m) === mode && dd === dist) return named(n as InitializerName);
      }
      return named('varianceScaling', scale, varianceCode(op, mode, dist));
    }
    default:
      return bad(op, `${where}.class_name`, `'${o.class_name}' is an initializer neurite does not support; supported: ${INIT_CLASSES.join(', ')}`);
  }
}

/** @internal Whether two config values are the same JSON (objects compared key by key, in any order). */
export function sameConfig(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameConfig(x, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameConfig((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// ---------------------------------------------------------------------------------------------
// Constraints

/** @internal A constraint as TF.js's `serializeConstraint` writes it: `{ class_name: 'MaxNorm', config: { max_value, axis } }`; `null` for none. */
export function constraintToKeras(c: Constraint | null | undefined): KerasObject | null {
  if (!c) return null;
  return { class_name: c.getClassName(), config: Object.fromEntries(Object.entries(c.getConfig()).map(([k, v]) => [snake(k), v])) };
}

/**
 * @internal A constraint from its Keras form: `{ class_name, config }` with TF.js's or Keras's
 * class name (`MaxNorm`, `max_norm`), or a name alone (the defaults); `undefined` for none.
 * Unknown config keys and bad values are errors naming the field.
 */
export function constraintFromKeras(op: string, where: string, v: unknown): Constraint | undefined {
  if (v === null || v === undefined) return undefined;
  const supported = 'supported: MaxNorm, MinMaxNorm, NonNeg, UnitNorm';
  if (typeof v === 'string') {
    const kind = constraintKind(v);
    if (!kind) bad(op, where, `is a constraint neurite does not support: ${show(v)}; ${supported}`);
    return constraintFrom(`${op}: ${where}`, kind, {});
  }
  const o = kerasObject(op, where, v);
  const kind = constraintKind(o.class_name);
  if (!kind) return bad(op, `${where}.class_name`, `'${o.class_name}' is a constraint neurite does not support; ${supported}`);
  const known = [...CONSTRAINT_PARAMS[kind].map(([k]) => snake(k)), ...(kind === 'nonNeg' ? [] : ['axis'])];
  for (const k of Object.keys(o.config)) {
    if (!known.includes(k)) bad(op, `${where}.config.${k}`, `is not an option of ${o.class_name} (${known.length ? `its options: ${known.join(', ')}` : 'it takes none'})`);
  }
  return constraintFrom(`${op}: ${where}.config`, kind, Object.fromEntries(Object.entries(o.config).map(([k, x]) => [camel(k), x])));
}

// ---------------------------------------------------------------------------------------------
// Regularizers

/** @internal `{ l1, l2 }` from a spec already checked by the layer (zeros → null). */
export function regularizerToKeras(r: Regularizer | null): KerasObject | null {
  if (r === null || (r.l1 === 0 && r.l2 === 0)) return null;
  return { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } };
}

/** @internal An activity regularizer: `L1L2`, or `neurite>KlSparsity` (which TF.js does not know). */
export function activityToKeras(r: ActivityRegularizerSpec | null): KerasObject | null {
  if (r !== null && typeof r === 'object' && 'kind' in r) return { class_name: `${CUSTOM}KlSparsity`, config: { target: r.target, weight: r.weight } };
  return regularizerToKeras(r as Regularizer | null);
}

/** @internal A weight regularizer from its Keras form (`L1L2`, `L1`, `L2`, or a name); `null` for none. */
export function regularizerFromKeras(op: string, where: string, v: unknown, activity = false): ActivityRegularizerSpec | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') {
    const n = camel(v).toLowerCase();
    if (n === 'l1') return { l1: 0.01, l2: 0 };
    if (n === 'l2') return { l1: 0, l2: 0.01 };
    if (n === 'l1l2') return { l1: 0.01, l2: 0.01 };
    return bad(op, where, `is a regularizer neurite does not support: ${show(v)}; supported: L1L2, L1, L2${activity ? `, ${CUSTOM}KlSparsity` : ''}`);
  }
  const o = kerasObject(op, where, v);
  const at = (k: string) => `${where}.config.${k}`;
  switch (o.class_name) {
    case 'L1L2': return { l1: num(op, at('l1'), o.config.l1, 0.01), l2: num(op, at('l2'), o.config.l2, 0.01) };
    case 'L1': return { l1: num(op, at('l1'), o.config.l1, 0.01), l2: 0 };
    case 'L2': return { l1: 0, l2: num(op, at('l2'), o.config.l2, 0.01) };
    case `${CUSTOM}KlSparsity`:
      if (!activity) bad(op, where, 'is klSparsity, which is an activity regularizer (it belongs in activity_regularizer)');
      return { kind: 'klSparsity', target: num(op, at('target'), o.config.target), weight: num(op, at('weight'), o.config.weight) };
    default:
      return bad(op, `${where}.class_name`, `'${o.class_name}' is a regularizer neurite does not support; supported: L1L2, L1, L2${activity ? `, ${CUSTOM}KlSparsity` : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// TF.js's two forms of a config

/**
 * Keys whose string values TF.js's `getConfig()` writes in camelCase (`dataFormat:
 * 'channelsLast'`, an initializer's `mode: 'fanAvg'` and `distribution: 'truncatedNormal'`, an
 * activation's class name `'hardSigmoid'`) and `model.toJSON()` in snake_case. Every other
 * string (a name, a padding) is the same in both.
 */
const CASED_VALUES = new Set(['data_format', 'mode', 'distribution', 'activation']);
/** `getConfig()`'s form of string `v` under key `k` (TF.js's `gelu_new` activation is named so in both forms). */
const tsValue = (k: string, v: string): string => (CASED_VALUES.has(k) && v !== 'gelu_new' ? camel(v) : v);

/**
 * @internal A config as TF.js's `layer.getConfig()` returns it, from the form `model.toJSON()`
 * writes (TF.js's `convertTsToPythonic`, inverted): keys camelCase, `class_name` →
 * `className`, and the values of {@link CASED_VALUES} camelCase.
 */
export function tsConfig(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(tsConfig);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k === 'class_name' ? 'className' : camel(k)] = typeof x === 'string' ? tsValue(k, x) : tsConfig(x);
  return out;
}

/** @internal The inverse of {@link tsConfig}: TF.js's `getConfig()` form as `model.toJSON()` writes it. */
export function pythonicConfig(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pythonicConfig);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const key = k === 'className' ? 'class_name' : snake(k);
    out[key] = typeof x === 'string' && CASED_VALUES.has(key) ? snake(x) : pythonicConfig(x);
  }
  return out;
}

/** @internal Whether `v` is a TF.js serialized object, `{ className, config }` (what `getConfig()` writes for an initializer, regularizer or constraint). */
export const isSerialized = (v: unknown): boolean => isObject(v) && typeof v.className === 'string' && Object.hasOwn(v, 'config');
