/**
 * Weight initializers (Keras names), all seeded through the model's seed. Pass a name
 * (`'heNormal'`) or a configured object (`initializers.randomNormal({ stddev: 0.1 })`).
 * Mirrors `crates/core/src/initializers.rs`; `INITIALIZERS` (ABI id = index) is compared with
 * Rust's `Initializer::KIND_NAMES` by `test/codes.test.ts`.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe, show } from '../ops/convert.js';
import { didYouMean, readOptions, type OptionSpec } from '../options.js';

export const INITIALIZERS = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
] as const;
/** An initializer by name, with its Keras defaults (see {@link INITIALIZERS}). */
export type InitializerName = (typeof INITIALIZERS)[number];
/** TF.js's spellings of Keras's names (`tf.initializers.leCunNormal`, `kernelInitializer: 'leCunNormal'`). */
export type InitializerAlias = 'leCunUniform' | 'leCunNormal';
const ALIASES: Readonly<Record<InitializerAlias, InitializerName>> = { leCunUniform: 'lecunUniform', leCunNormal: 'lecunNormal' };

/** A configured initializer. */
export interface Initializer {
  readonly name: InitializerName;
  readonly params: readonly [number, number];
}
/** What `kernelInitializer` and the other initializer options accept: a name, a TF.js alias, or a configured {@link Initializer} (`initializers.heNormal({ seed })`). */
export type InitializerSpec = InitializerName | InitializerAlias | Initializer;

const make = (name: InitializerName, a = 0, b = 0): Initializer => ({ name, params: [a, b] });

/** `randomUniform`'s bounds, checked as the core does (finite, `minval < maxval`). */
function uniform(op: string, minval: number, maxval: number): Initializer {
  if (!(minval < maxval)) throw new InvalidArgumentError(`${op}: minval must be less than maxval, got minval ${minval} and maxval ${maxval}`);
  return make('randomUniform', minval, maxval);
}

/** A normal's mean and standard deviation, checked as the core does (finite, `stddev >= 0`). */
function normal(op: string, name: 'randomNormal' | 'truncatedNormal', mean: number, stddev: number): Initializer {
  if (!(stddev >= 0)) throw new InvalidArgumentError(`${op}: stddev must be >= 0, got ${stddev}`);
  return make(name, mean, stddev);
}

/**
 * `readOptions` for `initializers.<name>`, with the TF.js habit of a per-initializer `seed`
 * answered by where the seed goes instead (it was "unknown option 'seed' (it takes no options)").
 */
function initOptions(name: string, options: unknown, defaults: OptionSpec): Record<string, number | boolean> {
  if (options !== null && typeof options === 'object' && 'seed' in options) {
    throw new InvalidArgumentError(`initializers.${name}: there is no per-initializer seed; every initializer draws from the model's seed: sequential({ seed, layers })`);
  }
  return readOptions(`initializers.${name}`, options, defaults);
}

/**
 * Initializer factories, as `tf.initializers`. The options are checked when the initializer is
 * made (an options object with finite numbers; unknown options, `null` or a non-object are
 * errors naming the initializer). There is no per-initializer `seed`: weights are drawn from
 * the model's seed.
 */
export const initializers = {
  /** All zeros (the Keras bias default). */
  zeros: (options?: Record<string, never>) => (initOptions('zeros', options, {}), make('zeros')),
  /** All ones. */
  ones: (options?: Record<string, never>) => (initOptions('ones', options, {}), make('ones')),
  /** Every weight `value` (default 0). @example initializers.constant({ value: 0.25 }) */
  constant: (options?: { value?: number }) => make('constant', initOptions('constant', options, { value: 0 }).value as number),
  /** U(`minval`, `maxval`), default U(−0.05, 0.05). */
  randomUniform: (options?: { minval?: number; maxval?: number }) => {
    const o = initOptions('randomUniform', options, { minval: -0.05, maxval: 0.05 });
    return uniform('initializers.randomUniform', o.minval as number, o.maxval as number);
  },
  /** N(`mean`, `stddev`), default N(0, 0.05). */
  randomNormal: (options?: { mean?: number; stddev?: number }) => {
    const o = initOptions('randomNormal', options, { mean: 0, stddev: 0.05 });
    return normal('initializers.randomNormal', 'randomNormal', o.mean as number, o.stddev as number);
  },
  /** N(`mean`, `stddev`) re-drawn beyond two standard deviations, default N(0, 0.05). */
  truncatedNormal: (options?: { mean?: number; stddev?: number }) => {
    const o = initOptions('truncatedNormal', options, { mean: 0, stddev: 0.05 });
    return normal('initializers.truncatedNormal', 'truncatedNormal', o.mean as number, o.stddev as number);
  },
  /** U(−l, l), l = √(6 / (fanIn + fanOut)): the Keras kernel default. */
  glorotUniform: (options?: Record<string, never>) => (initOptions('glorotUniform', options, {}), make('glorotUniform')),
  /** Truncated N(0, σ), σ = √(2 / (fanIn + fanOut)) / 0.8796 (the variance survives the truncation). */
  glorotNormal: (options?: Record<string, never>) => (initOptions('glorotNormal', options, {}), make('glorotNormal')),
  /** U(−l, l), l = √(6 / fanIn), for ReLU layers. */
  heUniform: (options?: Record<string, never>) => (initOptions('heUniform', options, {}), make('heUniform')),
  /** Truncated N(0, σ), σ = √(2 / fanIn) / 0.8796, for ReLU layers. */
  heNormal: (options?: Record<string, never>) => (initOptions('heNormal', options, {}), make('heNormal')),
  /** U(−l, l), l = √(3 / fanIn). */
  lecunUniform: (options?: Record<string, never>) => (initOptions('lecunUniform', options, {}), make('lecunUniform')),
  /** Truncated N(0, σ), σ = √(1 / fanIn) / 0.8796, for SELU layers. */
  lecunNormal: (options?: Record<string, never>) => (initOptions('lecunNormal', options, {}), make('lecunNormal')),
  /** TF.js's spelling of {@link initializers.lecunUniform}. */
  leCunUniform: (options?: Record<string, never>) => (initOptions('leCunUniform', options, {}), make('lecunUniform')),
  /** TF.js's spelling of {@link initializers.lecunNormal}. */
  leCunNormal: (options?: Record<string, never>) => (initOptions('leCunNormal', options, {}), make('lecunNormal')),
};

/**
 * @internal `[kind, p0, p1]` for the ABI. `spec` is a name or an initializer object
 * `{ name, params? }` (what the factories return; `params` defaults as the name's factory).
 * Anything else — an unknown name, other keys such as `seed`, params that are not two finite
 * numbers in the initializer's range — throws an error naming `op` and `field`.
 */
export function initializerAbi(op: string, field: string, spec: InitializerSpec): number[] {
  const where = `${op}: ${field}`;
  let name: unknown;
  let params: unknown;
  if (typeof spec === 'string') {
    name = Object.hasOwn(ALIASES, spec) ? ALIASES[spec as InitializerAlias] : spec;
  } else if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const k of Object.keys(spec)) {
      if (k !== 'name' && k !== 'params') {
        throw new InvalidArgumentError(`${where} has an unknown key '${k}' (an initializer is a name or { name, params }${k === 'seed' ? '; weights are drawn from the model\'s seed' : ''}), got ${show(spec)}`);
      }
    }
    name = (spec as Initializer).name;
    params = (spec as Initializer).params;
  } else {
    throw new InvalidArgumentError(`${where} must be an initializer name or an initializer object, got ${describe(spec)}; valid names: ${INITIALIZERS.join(', ')}`);
  }
  if (typeof name !== 'string' || !INITIALIZERS.includes(name as InitializerName)) {
    throw new InvalidArgumentError(`${op}: unknown ${field} ${show(name)}${didYouMean(name, INITIALIZERS)}; valid: ${INITIALIZERS.join(', ')}`);
  }
  const n = name as InitializerName;
  let p: [number, number] = defaults(n);
  if (params !== undefined) {
    if (!Array.isArray(params) || params.length !== 2 || params.some((x) => typeof x !== 'number' || !Number.isFinite(Math.fround(x)))) {
      throw new InvalidArgumentError(`${where}: params must be two finite numbers, got ${show(params)}`);
    }
    p = [params[0], params[1]];
  }
  const init = n === 'randomUniform' ? uniform(where, p[0], p[1]) : n === 'randomNormal' || n === 'truncatedNormal' ? normal(where, n, p[0], p[1]) : make(n, ...p);
  return [INITIALIZERS.indexOf(n), init.params[0], init.params[1]];
}
function defaults(name: InitializerName): [number, number] {
  if (name === 'randomUniform') return [-0.05, 0.05];
  if (name === 'randomNormal' || name === 'truncatedNormal') return [0, 0.05];
  return [0, 0];
}
