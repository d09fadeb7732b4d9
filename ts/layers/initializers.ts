/**
 * Weight initializers (Keras names), seeded through the model's seed unless given their own
 * (`initializers.glorotUniform({ seed: 7 })`). Pass a name (`'heNormal'`) or a configured
 * object (`initializers.randomNormal({ stddev: 0.1 })`).
 * Mirrors `crates/core/src/initializers.rs`; `INITIALIZERS` (ABI id = index) is compared with
 * Rust's `Initializer::KIND_NAMES` by `test/codes.test.ts`.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe, numberArg, show } from '../ops/convert.js';
import { checkArgs, didYouMean, readOptions, type OptionSpec, optionKeys } from '../options.js';

export const INITIALIZERS = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
  'orthogonal', 'varianceScaling', 'identity',
] as const;
/** An initializer by name, with its Keras defaults (see {@link INITIALIZERS}). */
export type InitializerName = (typeof INITIALIZERS)[number];
/** TF.js's spellings of Keras's names (`tf.initializers.leCunNormal`, `kernelInitializer: 'leCunNormal'`). */
export type InitializerAlias = 'leCunUniform' | 'leCunNormal';
const ALIASES: Readonly<Record<InitializerAlias, InitializerName>> = { leCunUniform: 'lecunUniform', leCunNormal: 'lecunNormal' };

/** A variance-scaling initializer's fan: `fanIn`, `fanOut` or their mean `fanAvg` (TF.js's names). */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/**
 * A variance-scaling initializer's distribution: TF.js's three and Keras 3's
 * `untruncatedNormal`. `normal` and `truncatedNormal` draw alike (see {@link initializers.varianceScaling}).
 */
export type VarianceDistribution = 'normal' | 'uniform' | 'truncatedNormal' | 'untruncatedNormal';
/** @internal The modes in ABI order (`FanMode` in `crates/core/src/initializers.rs`). */
export const FAN_MODES: readonly FanMode[] = ['fanIn', 'fanOut', 'fanAvg'];
/** @internal The distributions in ABI order (`Distribution` in `crates/core/src/initializers.rs`). */
export const DISTRIBUTIONS: readonly VarianceDistribution[] = ['normal', 'uniform', 'truncatedNormal', 'untruncatedNormal'];

/** @internal The initializer a name or TF.js alias stands for, or `undefined`. */
export function initializerNamed(name: string): InitializerName | undefined {
  if (Object.hasOwn(ALIASES, name)) return ALIASES[name as InitializerAlias];
  return INITIALIZERS.includes(name as InitializerName) ? (name as InitializerName) : undefined;
}

/**
 * A configured initializer. `params` are its two numbers: `constant`'s value, the random
 * ones' bounds or mean and standard deviation, `orthogonal`'s and `identity`'s gain;
 * `varianceScaling`'s scale and `mode + 3 · distribution` (indices in `fanIn, fanOut, fanAvg`
 * and `normal, uniform, truncatedNormal, untruncatedNormal`). Make one with a factory of
 * {@link initializers} rather than by hand.
 */
export interface Initializer {
  readonly name: InitializerName;
  readonly params: readonly [number, number];
  /**
   * TF.js's per-initializer seed (saved as `seed` in its Keras config). With one, the weight's
   * values come from this seed alone, whatever the model's seed (`sequential({ seed, layers })`)
   * and the weight's place: the same seeded initializer gives the same values in any model and
   * to every weight of one shape it fills, as in TF.js (and Keras 3 with an int seed). A
   * non-negative integer up to 2⁵³ keys the generator itself; any other finite number, its
   * float64 bits. Without one, each weight is drawn from the model's seed.
   */
  readonly seed?: number;
}
/** What `kernelInitializer` and the other initializer options accept: a name, a TF.js alias, or a configured {@link Initializer} (`initializers.heNormal({ seed })`). */
export type InitializerSpec = InitializerName | InitializerAlias | Initializer;

const make = (name: InitializerName, a = 0, b = 0, seed?: number): Initializer => (seed === undefined ? { name, params: [a, b] } : { name, params: [a, b], seed });

/** @internal A `seed` option: `undefined` or `null` for none, else a finite number (TF.js's seeds are numbers). */
export function seedArg(op: string, v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : numberArg(op, 'seed', v, true);
}

/** `randomUniform`'s bounds, checked as the core does (finite, `minval < maxval`). */
function uniform(op: string, minval: number, maxval: number, seed?: number): Initializer {
  if (!(minval < maxval)) throw new InvalidArgumentError(`${op}: minval must be less than maxval, got minval ${minval} and maxval ${maxval}`);
  return make('randomUniform', minval, maxval, seed);
}

/** A normal's mean and standard deviation, checked as the core does (finite, `stddev >= 0`). */
function normal(op: string, name: 'randomNormal' | 'truncatedNormal', mean: number, stddev: number, seed?: number): Initializer {
  if (!(stddev >= 0)) throw new InvalidArgumentError(`${op}: stddev must be >= 0, got ${stddev}`);
  return make(name, mean, stddev, seed);
}

/**
 * `readOptions` for `initializers.<name>`; the random ones (`seeded`) also take TF.js's `seed`,
 * returned apart (kept and saved, see {@link Initializer.seed}).
 */
function initOptions(name: string, options: unknown, defaults: OptionSpec, seeded = false): Record<string, number | boolean> & { seed?: number } {
  const op = `initializers.${name}`;
  if (!seeded) return readOptions(op, options, defaults);
  const { seed, ...rest } = checkArgs(op, options, [...Object.keys(defaults), 'seed']);
  const s = seedArg(op, seed);
  return { ...readOptions(op, rest, defaults), ...(s === undefined ? {} : { seed: s }) };
}

/** A variance-scaling (or other parameterless random) initializer, with TF.js's optional `seed`. */
const seededOnly = (name: InitializerName, alias: string = name) => (options?: { seed?: number | undefined }) => make(name, 0, 0, initOptions(alias, options, {}, true).seed);

/**
 * Initializer factories, as `tf.initializers`. The options are checked when the initializer is
 * made (an options object with finite numbers; unknown options, `null` or a non-object are
 * errors naming the initializer). The random ones take TF.js's `seed`: the weights they fill
 * are drawn from it alone, not from the model's seed (see {@link Initializer.seed}).
 */
export const initializers = {
  /** All zeros (the Keras bias default). */
  zeros: (options?: Record<string, never>) => (initOptions('zeros', options, {}), make('zeros')),
  /** All ones. */
  ones: (options?: Record<string, never>) => (initOptions('ones', options, {}), make('ones')),
  /** Every weight `value` (default 0). @example initializers.constant({ value: 0.25 }) */
  constant: (options?: { value?: number | undefined }) => make('constant', initOptions('constant', options, { value: 0 }).value as number),
  /** U(`minval`, `maxval`), default U(−0.05, 0.05). */
  randomUniform: (options?: { minval?: number | undefined; maxval?: number | undefined; seed?: number | undefined }) => {
    const o = initOptions('randomUniform', options, { minval: -0.05, maxval: 0.05 }, true);
    return uniform('initializers.randomUniform', o.minval as number, o.maxval as number, o.seed);
  },
  /** N(`mean`, `stddev`), default N(0, 0.05). */
  randomNormal: (options?: { mean?: number | undefined; stddev?: number | undefined; seed?: number | undefined }) => {
    const o = initOptions('randomNormal', options, { mean: 0, stddev: 0.05 }, true);
    return normal('initializers.randomNormal', 'randomNormal', o.mean as number, o.stddev as number, o.seed);
  },
  /** N(`mean`, `stddev`) re-drawn beyond two standard deviations, default N(0, 0.05). */
  truncatedNormal: (options?: { mean?: number | undefined; stddev?: number | undefined; seed?: number | undefined }) => {
    const o = initOptions('truncatedNormal', options, { mean: 0, stddev: 0.05 }, true);
    return normal('initializers.truncatedNormal', 'truncatedNormal', o.mean as number, o.stddev as number, o.seed);
  },
  /** U(−l, l), l = √(6 / (fanIn + fanOut)): the Keras kernel default. */
  glorotUniform: seededOnly('glorotUniform'),
  /** Truncated N(0, σ), σ = √(2 / (fanIn + fanOut)) / 0.8796 (the variance survives the truncation). */
  glorotNormal: seededOnly('glorotNormal'),
  /** U(−l, l), l = √(6 / fanIn), for ReLU layers. */
  heUniform: seededOnly('heUniform'),
  /** Truncated N(0, σ), σ = √(2 / fanIn) / 0.8796, for ReLU layers. */
  heNormal: seededOnly('heNormal'),
  /** U(−l, l), l = √(3 / fanIn). */
  lecunUniform: seededOnly('lecunUniform'),
  /** Truncated N(0, σ), σ = √(1 / fanIn) / 0.8796, for SELU layers. */
  lecunNormal: seededOnly('lecunNormal'),
  /** TF.js's spelling of {@link initializers.lecunUniform}. */
  leCunUniform: seededOnly('lecunUniform', 'leCunUniform'),
  /** TF.js's spelling of {@link initializers.lecunNormal}. */
  leCunNormal: seededOnly('lecunNormal', 'leCunNormal'),
  /**
   * A random orthogonal matrix times `gain` (default 1), as TF.js's and Keras 3's
   * `Orthogonal`: the weight is read as a `[prod(shape[:-1]), shape[-1]]` matrix; a standard
   * normal draw of `[max, min]` of those is factored `Q·R` ({@link linalg.qr}), `Q`'s columns
   * are multiplied by the signs of `R`'s diagonal (the factorisation with a positive
   * diagonal), and `Q` is transposed when there are fewer rows than columns. So the columns
   * (tall) or the rows (wide) are orthonormal times `gain`. For weights of rank >= 2 only: on a
   * bias the layer's build throws naming the layer and the shape. Keras 3's default recurrent
   * initializer.
   *
   * @example layers.dense({ units: 8, kernelInitializer: initializers.orthogonal({ gain: 2, seed: 1 }) })
   */
  orthogonal: (options?: { gain?: number | undefined; seed?: number | undefined }) => {
    const o = initOptions('orthogonal', options, { gain: 1 }, true);
    return make('orthogonal', o.gain as number, 0, o.seed);
  },
  /**
   * `gain` (default 1) times the identity matrix, as TF.js's `identity`: for a square 2-D
   * weight only (TF.js's rule; Keras 3 also fills a rectangular one with ones on the
   * diagonal); another shape is an error naming the layer and the shape when it is built.
   */
  identity: (options?: { gain?: number | undefined }) => make('identity', initOptions('identity', options, { gain: 1 }).gain as number),
  /**
   * Variance scaling, as TF.js's `varianceScaling`: with `fan` the `mode`'s fan (`fanIn`, the
   * default, `fanOut`, or their mean `fanAvg`; at least 1) and `v = scale / fan` (`scale`
   * >= 0, default 1): `uniform` draws U(−√(3v), √(3v)); `normal` (the default) and
   * `truncatedNormal` a normal of standard deviation √v / 0.87962566103423978 truncated at two
   * of them (Keras 3's `truncated_normal`: the variance is `v` after the truncation);
   * `untruncatedNormal` (Keras 3's) N(0, √v). With no options it is {@link initializers.lecunNormal},
   * bit for bit; glorot, he and lecun are its special cases.
   *
   * NOTE: TF.js 4.22 differs: its `normal` is truncated without the 0.8796 correction (a
   * variance of 0.774·v) and its `truncatedNormal` draws the uniform; neurite follows Keras
   * here, as its glorot/he/lecun normals always have, so that a weight has the variance the
   * formula promises.
   *
   * @example initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform', seed: 3 })
   */
  varianceScaling: (options?: { scale?: number | undefined; mode?: FanMode | undefined; distribution?: VarianceDistribution | undefined; seed?: number | undefined }) => {
    const op = 'initializers.varianceScaling';
    const { mode, distribution, ...rest } = checkArgs(op, options, ['scale', 'mode', 'distribution', 'seed']);
    const o = initOptions('varianceScaling', rest, { scale: 1 }, true);
    if (!((o.scale as number) >= 0)) throw new InvalidArgumentError(`${op}: scale must be >= 0, got ${o.scale}`);
    return make('varianceScaling', o.scale as number, varianceCode(op, mode ?? 'fanIn', distribution ?? 'normal'), o.seed);
  },
};

/** @internal `mode + 3 · distribution` for the ABI, each checked (unknown names suggest the nearest). */
export function varianceCode(op: string, mode: unknown, distribution: unknown): number {
  const m = FAN_MODES.indexOf(mode as FanMode);
  if (m < 0) throw new InvalidArgumentError(`${op}: mode must be one of ${FAN_MODES.join(', ')}, got ${show(mode)}${didYouMean(mode, FAN_MODES)}`);
  const d = DISTRIBUTIONS.indexOf(distribution as VarianceDistribution);
  if (d < 0) throw new InvalidArgumentError(`${op}: distribution must be one of ${DISTRIBUTIONS.join(', ')}, got ${show(distribution)}${didYouMean(distribution, DISTRIBUTIONS)}`);
  return m + 3 * d;
}

/**
 * @internal The canonical form `{ name, params, seed? }` of `spec`: a name (or TF.js alias) or
 * an initializer object `{ name, params?, seed? }` (what the factories return; `params`
 * defaults as the name's factory). Anything else — an unknown name, other keys, params that are
 * not two finite numbers in the initializer's range — throws an error naming `op` and `field`.
 */
export function initializerOf(op: string, field: string, spec: InitializerSpec): Initializer {
  const where = `${op}: ${field}`;
  let name: unknown;
  let params: unknown;
  let seed: number | undefined;
  if (typeof spec === 'string') {
    name = initializerNamed(spec) ?? spec;
  } else if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const k of optionKeys(op, spec)) {
      if (k !== 'name' && k !== 'params' && k !== 'seed') {
        throw new InvalidArgumentError(`${where} has an unknown key '${k}' (an initializer is a name or { name, params, seed }), got ${show(spec)}`);
      }
    }
    name = (spec as Initializer).name;
    params = (spec as Initializer).params;
    seed = seedArg(where, (spec as Initializer).seed);
  } else {
    throw new InvalidArgumentError(`${where} must be an initializer name or an initializer object, got ${describe(spec)}; valid names: ${INITIALIZERS.join(', ')}`);
  }
  if (typeof name !== 'string' || !INITIALIZERS.includes(name as InitializerName)) {
    const valid = [...INITIALIZERS, ...Object.keys(ALIASES)];
    throw new InvalidArgumentError(`${op}: unknown ${field} ${show(name)}${didYouMean(name, valid)}; valid: ${valid.join(', ')}`);
  }
  const n = name as InitializerName;
  let p: [number, number] = initializerDefaults(n);
  if (params !== undefined) {
    if (!Array.isArray(params) || params.length !== 2 || params.some((x) => typeof x !== 'number' || !Number.isFinite(Math.fround(x)))) {
      throw new InvalidArgumentError(`${where}: params must be two finite numbers, got ${show(params)}`);
    }
    p = [params[0], params[1]];
  }
  if (n === 'varianceScaling') {
    if (!(p[0] >= 0)) throw new InvalidArgumentError(`${where}: varianceScaling's scale must be >= 0, got ${p[0]}`);
    if (!Number.isInteger(p[1]) || p[1] < 0 || p[1] >= 12) throw new InvalidArgumentError(`${where}: varianceScaling's params[1] (mode + 3 · distribution) must be an integer in [0, 12), got ${p[1]}`);
  }
  return n === 'randomUniform' ? uniform(where, p[0], p[1], seed) : n === 'randomNormal' || n === 'truncatedNormal' ? normal(where, n, p[0], p[1], seed) : make(n, p[0], p[1], seed);
}

/** The flag on an initializer's ABI kind id when its seed follows (`WeightInit::SEEDED` in `crates/core/src/initializers.rs`). */
const SEEDED = 1 << 8;

/**
 * @internal A seed as the core's u64 key in three words of 22, 22 and 20 bits (exact in f32):
 * an integer in [0, 2⁵³] itself, any other finite number its float64 bits.
 */
export function seedWords(seed: number): [number, number, number] {
  let lo: number;
  let hi: number;
  if (Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 53) {
    lo = seed % 2 ** 32;
    hi = Math.floor(seed / 2 ** 32);
  } else {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, seed, true);
    lo = v.getUint32(0, true);
    hi = v.getUint32(4, true);
  }
  return [lo & 0x3fffff, (lo >>> 22) | ((hi & 0xfff) << 10), hi >>> 12];
}

/**
 * @internal `[kind, p0, p1]` for the ABI, `[kind + SEEDED, p0, p1, ...seedWords(seed)]` with a
 * seed (`Reader::initializer` in `crates/core/src/config.rs`): {@link initializerOf}'s checks.
 */
export function initializerAbi(op: string, field: string, spec: InitializerSpec): number[] {
  const init = initializerOf(op, field, spec);
  const kind = INITIALIZERS.indexOf(init.name);
  return init.seed === undefined ? [kind, init.params[0], init.params[1]] : [kind + SEEDED, init.params[0], init.params[1], ...seedWords(init.seed)];
}

/** @internal The parameters an initializer name has by default (its factory's). */
export function initializerDefaults(name: InitializerName): [number, number] {
  if (name === 'randomUniform') return [-0.05, 0.05];
  if (name === 'randomNormal' || name === 'truncatedNormal') return [0, 0.05];
  if (name === 'orthogonal' || name === 'identity' || name === 'varianceScaling') return [1, 0];
  return [0, 0];
}
