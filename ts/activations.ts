/**
 * Activation functions as tensor ops, and their gradients.
 *
 * Each function maps a tensor to a tensor of the same shape. The math (and its derivative)
 * lives in Rust, one file per activation under `crates/core/src/activations/`; this file
 * validates options and encodes them. {@link activation} applies any activation by name,
 * {@link activationGrad} computes its vector-Jacobian product.
 *
 * `x` (and `dy`, and prelu's `alpha`) may be any TensorLike (`relu([-1, 2])`, as TF.js), a
 * temporary tensor freed after the op.
 *
 * Conventions: NaN inputs give NaN; at kinks the derivative follows TF.js (`relu'(0) = 0`,
 * `leakyRelu'(0) = alpha`, ...); step-like activations have a zero gradient unless their
 * `straightThrough` option is set.
 */
import { didYouMean, unknownOption, optionKeys, optionValues, plainOptions } from './options.js';
import { call, check, outPtr, readOut, writeF32Args } from './engine.js';
import { InvalidArgumentError } from './errors.js';
import { describe, intArg, resolve, withTensors, type TensorLike } from './ops/convert.js';
import { runOp } from './ops/run.js';
import { add, mul, sub } from './ops/binary.js';
import { tidy } from './scope.js';
import { wrapHandle, type Tensor } from './tensor.js';
import { ACTIVATION_PARAMS, ACTIVATIONS, type ActivationName, type ActivationSpec } from './wasm/codes.js';

/**
 * Other names accepted for an activation: Keras's and TF.js's snake_case names, those a saved
 * model holds (`'hard_silu'`, `'log_softmax'`, `'hard_sigmoid'`, `'gelu_new'`, Keras 3's `'leaky_relu'`; neurite writes
 * them to `model.json`), so that a name read from a file works as a layer's `activation` too.
 */
const ALIASES: Readonly<Record<string, ActivationName>> = {
  silu: 'swish', gelu_new: 'geluNew', hardSwish: 'hardSilu', identity: 'linear',
  hard_silu: 'hardSilu', hard_swish: 'hardSilu', log_softmax: 'logSoftmax', hard_sigmoid: 'hardSigmoid', leaky_relu: 'leakyRelu',
};
const VALID_NAMES: readonly string[] = [...ACTIVATIONS, ...Object.keys(ALIASES)];

/** Options of the softmax-like functions. */
export interface AxisOptions {
  /** The axis to normalise over; negative counts from the end. Default -1 (the last). */
  axis?: number | undefined;
}

/** @internal An activation as it crosses the ABI: kind id and f32 parameters in ABI order. */
export interface EncodedActivation {
  name: ActivationName;
  kind: number;
  params: number[];
}

/** An element-wise op that CPPNs and SIRENs use as units: 'sin' is not a misspelt 'sign'. */
const periodic = (op: string): string => `${op} is an element-wise op, not a layer activation in TF.js or Keras: apply it with the op, e.g. ${op}(matMul(x, w)) in a custom model or loop`;

/**
 * Names users try as activations that are something else in TF.js or Keras, by lower-case
 * name, with what to use instead ({@link encodeActivation}'s error says it in place of a
 * "did you mean", which would point at an unrelated name).
 */
const NOT_ACTIVATIONS: Readonly<Record<string, string>> = {
  sin: periodic('sin'),
  cos: periodic('cos'),
  tan: periodic('tan'),
  // prelu learns its alpha: not a misspelt 'relu'.
  prelu: 'PReLU learns its alpha, so it is a layer, as in TF.js and Keras: add layers.prelu() after this layer',
  p_relu: 'PReLU learns its alpha, so it is a layer, as in TF.js and Keras: add layers.prelu() after this layer',
  // TF.js's tf.step(x, alpha): x > 0 ? 1 : alpha (NaN stays NaN), an op and not an activation name.
  step: "step is TF.js's tf.step op (1 for x > 0, alpha, default 0, for x <= 0), not an activation: as an activation, { name: 'heaviside', atZero: 0 } is tf.step(x) (0 at 0), and 'unitStep' is 1 from 0 up",
};

/** Every key an activation spec may have: `name` and each activation's parameters. */
const SPEC_KEYS: readonly string[] = ['name', ...new Set((Object.values(ACTIVATION_PARAMS) as ReadonlyArray<ReadonlyArray<readonly [string, number]>>).flatMap((t) => t.map(([k]) => k)))];

/**
 * @internal Validates an {@link ActivationSpec} and encodes it for the ABI. Unknown names,
 * unknown parameters and non-number values throw here; value ranges (`step > 0`,
 * `alpha >= 0`, ...) are checked by Rust, with messages naming the parameter.
 */
export function encodeActivation(op: string, spec: unknown, arg = 'activation'): EncodedActivation {
  let name: unknown;
  // A null prototype: a parameter nobody passed is never read from a modified Object.prototype.
  let given: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (typeof spec === 'string') {
    name = spec;
  } else if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    plainOptions(op, spec, arg);
    given = optionValues(spec, SPEC_KEYS);
    name = given.name;
    // new String('relu'), or an object with a toString: no name to read ("unknown activation undefined").
    if (name === undefined) throw new InvalidArgumentError(`${op}: ${arg} must be an activation name (a string) or an object { name, ...parameters }, got ${describe(spec)}, which has no name`);
  } else {
    throw new InvalidArgumentError(`${op}: ${arg} must be an activation name or an object { name, ...parameters }, got ${describe(spec)}`);
  }
  if (typeof name !== 'string' || !VALID_NAMES.includes(name)) {
    const what = typeof name === 'string' ? `'${name}'` : describe(name);
    const instead = typeof name === 'string' && Object.hasOwn(NOT_ACTIVATIONS, name.toLowerCase()) ? NOT_ACTIVATIONS[name.toLowerCase()] : undefined;
    const hint = typeof name !== 'string' ? '' : instead !== undefined ? ` (${instead})` : didYouMean(name, VALID_NAMES);
    throw new InvalidArgumentError(`${op}: unknown activation ${what}${hint}; valid names: ${VALID_NAMES.join(', ')}`);
  }
  const canonical = (ALIASES[name] ?? name) as ActivationName;
  const table: ReadonlyArray<readonly [string, number]> = (ACTIVATION_PARAMS as Partial<Record<ActivationName, ReadonlyArray<readonly [string, number]>>>)[canonical] ?? [];
  const known = table.map(([k]) => k);
  for (const k of typeof spec === 'object' && spec !== null ? optionKeys(op, spec) : []) {
    if (k !== 'name' && !known.includes(k)) {
      const has = known.length > 0 ? `its parameters are: ${known.join(', ')}` : 'it takes no parameters';
      throw new InvalidArgumentError(`${op}: ${canonical} has no parameter '${k}' (${has})`);
    }
  }
  const params = table.map(([k, def]) => {
    const v = Object.hasOwn(given, k) ? given[k] : undefined;
    // `leakyRelu: alpha ...` from leakyRelu(), `activation: leakyRelu.alpha ...` from activation().
    const what = op === canonical ? k : `${canonical}.${k}`;
    if (v === undefined) return def;
    if (k === 'straightThrough') {
      if (typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: ${what} must be a boolean, got ${describe(v)}`);
      return v ? 1 : 0;
    }
    if (typeof v !== 'number') throw new InvalidArgumentError(`${op}: ${what} must be a number, got ${describe(v)}`);
    if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
      throw new InvalidArgumentError(`${op}: ${what} = ${v} is outside the float32 range`);
    }
    return v;
  });
  return { name: canonical, kind: ACTIVATIONS.indexOf(canonical), params };
}

/**
 * The range of each activation parameter, as the core checks it when an activation arrives over
 * the ABI (Rust `Activation::PARAMS` and `params::checked`, on the float32 value): `[ok, rule]`.
 * `test/layer-factory-config.test.ts` compares the two at and around each boundary.
 */
const PARAM_RANGES: Readonly<Record<string, readonly [(v: number) => boolean, string]>> = (() => {
  const finite: readonly [(v: number) => boolean, string] = [() => true, 'a finite number'];
  const positive: readonly [(v: number) => boolean, string] = [(v) => v > 0, 'a finite number > 0'];
  const nonNegative: readonly [(v: number) => boolean, string] = [(v) => v >= 0, 'a finite number >= 0'];
  return {
    'linear.slope': finite, 'linear.intercept': finite, 'stairStep.step': positive, 'unitStep.threshold': finite,
    'heaviside.atZero': [(v) => v >= 0 && v <= 1, 'a finite number in [0, 1]'], 'sign.atZero': [(v) => v >= -1 && v <= 1, 'a finite number in [-1, 1]'],
    'leakyRelu.alpha': finite, 'elu.alpha': nonNegative, 'cappedRelu.maxValue': nonNegative,
  };
})();

/**
 * @internal Checks the parameters of an encoded activation against the core's ranges, so that a
 * layer given `{ name: 'cappedRelu', maxValue: -1 }` is refused when it is made (not at compile or
 * predict): `dense: activation: cappedRelu: maxValue must be a finite number >= 0, got -1`. The
 * value is checked as the float32 the core receives. `op` and `arg` start the message.
 */
export function checkActivationParams(op: string, a: EncodedActivation, arg = 'activation'): void {
  const table: ReadonlyArray<readonly [string, number]> = (ACTIVATION_PARAMS as Partial<Record<ActivationName, ReadonlyArray<readonly [string, number]>>>)[a.name] ?? [];
  table.forEach(([k], i) => {
    const range = PARAM_RANGES[`${a.name}.${k}`];
    if (range === undefined) return; // a flag (straightThrough), checked as a boolean
    const v = a.params[i];
    const f = Math.fround(v);
    if (Number.isFinite(f) && range[0](f)) return;
    const as32 = Object.is(f, v) || Number.isNaN(v) ? '' : ` (${describe(f)} as a float32)`;
    // `activation: activation: …` said once for the activation layer.
    throw new InvalidArgumentError(`${op === arg ? op : `${op}: ${arg}`}: ${a.name}: ${k} must be ${range[1]}, got ${describe(v)}${as32}`);
  });
}

/** Writes f32 parameters (as their bit patterns) to the argument area. */
function writeParams(op: string, params: readonly number[]): number {
  return writeF32Args(op, params);
}

/** Reads an options object, rejecting anything but an object with the `known` keys. */
function readOptions(op: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return Object.create(null) as Record<string, unknown>;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
  }
  for (const k of optionKeys(op, options)) {
    if (!known.includes(k)) {
      throw unknownOption(op, k, known);
    }
  }
  return options as Record<string, unknown>;
}

/** The axis option: an integer, default -1. */
function axisOf(op: string, options: unknown): number {
  // TF.js passes the axis positionally: softmax(x, dim).
  const { axis = -1 } = (typeof options === 'number' ? { axis: options } : readOptions(op, options, ['axis'])) as { axis?: unknown };
  return intArg(op, 'axis', axis);
}

function apply<T extends Tensor>(op: string, x: TensorLike, a: EncodedActivation, axis = -1): T {
  const r = resolve(op, 'x', x);
  return runOp((e, out) => e.nr_activation(a.kind, writeParams(op, a.params), a.params.length, r.handle, axis, out), r.temp ? [r.temp] : undefined) as T;
}

/** {@link named}'s encodings of the activations called without options, by name. */
const defaults: Partial<Record<ActivationName, EncodedActivation>> = Object.create(null) as Partial<Record<ActivationName, EncodedActivation>>;

/** Applies the activation `name` with the options `options` (whose keys are its parameters, `straightThrough` included). */
function named<T extends Tensor>(name: ActivationName, x: TensorLike, options?: unknown): T {
  // Without options (`relu(x)`) the encoding is the defaults', the same every call.
  if (options === undefined) return apply(name, x, (defaults[name] ??= encodeActivation(name, { name })));
  const known = ((ACTIVATION_PARAMS as Partial<Record<ActivationName, ReadonlyArray<readonly [string, number]>>>)[name] ?? []).map(([k]) => k);
  const given = readOptions(name, options, known);
  return apply(name, x, encodeActivation(name, { ...given, name }));
}

/**
 * Applies an activation given by name or `{ name, ...parameters }`. Softmax and logSoftmax
 * normalise along `options.axis` (default -1); the others ignore it.
 *
 * @example activation(x, 'relu')
 * @example activation(x, { name: 'leakyRelu', alpha: 0.01 })
 * @throws InvalidArgumentError for an unknown name (the message lists the valid names) or parameter.
 */
export function activation(x: TensorLike, spec: ActivationSpec, options?: AxisOptions): Tensor {
  const op = 'activation';
  return apply(op, x, encodeActivation(op, spec), axisOf(op, options));
}

/**
 * The vector-Jacobian product of an activation: `dx = dyᵀ·∂f(x)/∂x`, i.e. the gradient of
 * `sum(dy ⊙ f(x))` with respect to `x` (for element-wise activations simply
 * `dy ⊙ f'(x)`). `dy` must have the shape of `x`. Step-like activations give zeros unless
 * `straightThrough` is set, in which case `dx = dy`.
 *
 * @example activationGrad(x, onesLike(x), 'sigmoid') // σ'(x) element-wise
 */
export function activationGrad(x: TensorLike, dy: TensorLike, spec: ActivationSpec, options?: AxisOptions): Tensor {
  const op = 'activationGrad';
  const a = encodeActivation(op, spec);
  const axis = axisOf(op, options);
  return withTensors(op, { x, dy }, ({ x, dy }) => {
    const hx = x.handleFor(op, 'x');
    const hdy = dy.handleFor(op, 'dy');
    return runOp((e, out) => e.nr_activation_grad(a.kind, writeParams(op, a.params), a.params.length, hx, hdy, axis, out));
  });
}

/** `max(x, 0)`. The gradient at 0 is 0. */
export const relu = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('relu', x);

/**
 * `x` for `x > 0`, `alpha·x` otherwise. Default `alpha` 0.2, as TF.js `tf.leakyRelu` (the
 * Keras/TF.js `LeakyReLU` *layer* defaults to 0.3). `alpha` is any finite number (a negative
 * one too, as TF.js; Keras 3 refuses it); it may be passed as a number (TF.js
 * `leakyRelu(x, alpha)`) or as `{ alpha }`. The gradient at 0 is `alpha` (as TF.js and PyTorch).
 *
 * @example leakyRelu(x, 0.1) // same as leakyRelu(x, { alpha: 0.1 })
 */
export function leakyRelu<T extends Tensor = Tensor>(x: T | TensorLike, alpha?: number | { alpha?: number | undefined }): T {
  if (alpha !== undefined && typeof alpha !== 'number' && (alpha === null || typeof alpha !== 'object' || Array.isArray(alpha))) {
    throw new InvalidArgumentError(`leakyRelu: alpha must be a number or { alpha }, got ${describe(alpha)}`);
  }
  return named('leakyRelu', x, typeof alpha === 'number' ? { alpha } : alpha);
}

/**
 * Parametric ReLU: `x` for `x > 0`, `alpha·x` otherwise, with `alpha` a number, a scalar
 * tensor, one slope per unit of the last axis (shape `[units]`), or any shape that broadcasts
 * to `x`'s (as `tf.prelu`: `[channels, 1]`, `x`'s own shape, …). The output has `x`'s shape.
 */
export function prelu<T extends Tensor = Tensor>(x: T | TensorLike, alpha: T | TensorLike): T {
  const op = 'prelu';
  return withTensors(op, { x, alpha }, ({ x, alpha }) => {
    const hx = x.handleFor(op, 'x');
    const ha = alpha.handleFor(op, 'alpha');
    return runOp((e, out) => e.nr_prelu(hx, ha, out));
  }) as T;
}

/**
 * Gradients of `sum(dy ⊙ prelu(x, alpha))`: `dx` (shaped like `x`) and `dAlpha` (shaped like
 * `alpha`, summed over everything but the units). At `x = 0` the slope `alpha` is used.
 */
export function preluGrad(x: TensorLike, alpha: TensorLike, dy: TensorLike): { dx: Tensor; dAlpha: Tensor } {
  const op = 'preluGrad';
  return withTensors(op, { x, dy, alpha }, ({ x, dy, alpha }) => {
    const hx = x.handleFor(op, 'x');
    const hdy = dy.handleFor(op, 'dy');
    const ha = alpha.handleFor(op, 'alpha');
    return call((e) => {
      check(e.nr_prelu_grad(hx, ha, hdy, outPtr(0), outPtr(1)));
      const hda = readOut(1);
      const dx = wrapHandle(readOut(0));
      return { dx, dAlpha: wrapHandle(hda) };
    });
  });
}

/** `ln(1 + eˣ)`, computed without overflow (`softplus(100) = 100`). Its derivative is `sigmoid`. */
export const softplus = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('softplus', x);
/**
 * The logistic function `σ(x) = 1 / (1 + e⁻ˣ)`, stable for large `|x|`. Its derivative is
 * `σ(x)(1 − σ(x))`, computed from the output in float32 (as TF.js): for x beyond about 10 its
 * relative error grows, and from about 17 it is 0 (σ rounds to 1), while at −x it stays exact.
 */
export const sigmoid = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('sigmoid', x);
/** The hyperbolic tangent. Its derivative is `1 − tanh²(x)`. */
export const tanh = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('tanh', x);

/**
 * `eˣ / Σ eˣ` along `axis` (default -1), stable for large logits (the maximum is subtracted
 * first). Any axis works (TF.js supports only the last). Its Jacobian along the axis is
 * `diag(s) − s sᵀ` for `s = softmax(x)`, so its gradient is `s ⊙ (dy − Σ dy ⊙ s)`.
 */
export const softmax = <T extends Tensor = Tensor>(x: T | TensorLike, options?: AxisOptions | number): T => apply('softmax', x, encodeActivation('softmax', 'softmax'), axisOf('softmax', options));

/** `log(softmax(x))` along `axis` (default -1), computed directly so it stays finite where softmax underflows. */
export const logSoftmax = <T extends Tensor = Tensor>(x: T | TensorLike, options?: AxisOptions | number): T => apply('logSoftmax', x, encodeActivation('logSoftmax', 'logSoftmax'), axisOf('logSoftmax', options));

/** `x` for `x > 0`, `alpha·(eˣ − 1)` otherwise (default `alpha` 1, ≥ 0). The gradient at 0 is 1 (as TF.js). */
export const elu = <T extends Tensor = Tensor>(x: T | TensorLike, options?: { alpha?: number | undefined }): T => named('elu', x, options);
/** Scaled ELU with the constants of Klambauer et al. 2017 (λ ≈ 1.0507, α ≈ 1.6733), as TF.js. */
export const selu = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('selu', x);
/** `x·Φ(x)` with `Φ` the standard normal CDF: the exact (erf) GELU, as TF.js layers `'gelu'` and Keras `approximate=False`. */
export const gelu = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('gelu', x);
/**
 * The tanh approximation of {@link gelu}, `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`: TF.js
 * layers' `'gelu_new'` (also accepted as a name) and Keras `gelu(approximate=True)`.
 *
 * @example geluNew(tensor([-1, 0, 1]))  // [-0.1588, 0, 0.8412]
 */
export const geluNew = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('geluNew', x);
/** `x·sigmoid(x)` (also called SiLU). */
export const swish = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('swish', x);
/** Same as {@link swish}. */
export const silu = swish;
/** `clip(0.2·x + 0.5, 0, 1)`, as TF.js layers and Keras 2 (Keras 3 uses `relu6(x + 3) / 6`). */
export const hardSigmoid = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('hardSigmoid', x);
/** `x / (1 + |x|)`. */
export const softsign = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('softsign', x);
/**
 * `min(max(x, 0), 6)`, MobileNet's activation (TF.js's `relu6` op and layer activation); NaN
 * stays NaN. The gradient is 1 on `(0, 6]` and 0 elsewhere (TF.js's rule: 0 at 0, 1 at 6).
 *
 * @example relu6(tensor([-1, 2, 8]))  // [0, 2, 6]
 */
export const relu6 = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('relu6', x);
/**
 * `min(max(x, 0), maxValue)`: relu capped at `maxValue` (a finite number >= 0, default 6,
 * where it is {@link relu6}), TF.js's `ReLU` layer with `maxValue` as an op and as an
 * activation (`{ name: 'cappedRelu', maxValue }`); NaN stays NaN. The gradient is TF.js's
 * layer's: 1 on `(0, maxValue]`, 0 elsewhere (0 at 0, 1 at the cap).
 *
 * @example cappedRelu(tensor([-1, 0.5, 2]), { maxValue: 1 })  // [0, 0.5, 1]
 */
export const cappedRelu = (x: TensorLike, options?: { maxValue?: number | undefined }): Tensor => named('cappedRelu', x, options);
/**
 * `x·tanh(softplus(x))` (Misra 2019), as TF.js's and Keras 3's `'mish'` layer activation: smooth,
 * with a minimum of about −0.31 near `x = −1.19`.
 *
 * @example mish(tensor([-1, 0, 1]))  // [-0.3034, 0, 0.8651]
 */
export const mish = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('mish', x);
/**
 * Hard SiLU (hard swish, MobileNetV3), `x·relu6(x + 3)/6`: 0 for `x ≤ −3`, `x` for `x ≥ 3`,
 * `x·(x + 3)/6` between; Keras 3's `hard_silu` (alias `hard_swish`, accepted as `'hardSwish'`),
 * which TF.js does not have. Its gradient is `(2x + 3)/6` on `(−3, 3)`, 0 below and 1 above,
 * Keras's values at the kinks (0 at −3, 1 at 3). Saved in a model file as Keras's `'hard_silu'`.
 *
 * @example hardSilu(tensor([-4, -1, 0, 1, 4]))  // [0, -0.3333, 0, 0.6667, 4]
 */
export const hardSilu = <T extends Tensor = Tensor>(x: T | TensorLike): T => named('hardSilu', x);

/** `slope·x + intercept` (defaults 1 and 0: the identity). */
export const linear = <T extends Tensor = Tensor>(x: T | TensorLike, options?: { slope?: number | undefined; intercept?: number | undefined }): T => named('linear', x, options);
/**
 * The option of the step-like activations (`stairStep`, `unitStep`, `heaviside`, and the
 * `sign` op): their derivative is 0 wherever it exists, so by default no gradient passes them
 * (as TF.js's `step`, `floor`, `sign`). `straightThrough: true` makes the backward pass the
 * straight-through estimator instead (Bengio et al. 2013): `dx = dy`, as if the step were the
 * identity (NaN stays NaN). The values do not change. The same flag as in an activation spec
 * (`{ name: 'unitStep', straightThrough: true }`), with the same gradient.
 */
export interface StraightThroughOptions {
  /** Pass the gradient through unchanged (`dx = dy`) instead of the true zero. Default false. */
  straightThrough?: boolean | undefined;
}

/**
 * `floor(x / step)·step`, quantising to multiples of `step` (default 1, must be > 0). Its
 * gradient is 0, or `dy` with `straightThrough` ({@link StraightThroughOptions}). Computed in
 * float32, as TF.js's `floor(x / step) * step`: a step that binary cannot hold exactly (0.1,
 * 0.3) can put a multiple of it one stair lower (`stairStep(1.3, { step: 0.1 })` is 1.2, since
 * `1.3 / 0.1` rounds to 12.999999); steps that are powers of two (0.25) are exact.
 *
 * @example stairStep(x, { step: 0.25, straightThrough: true }) // quantisation-aware training
 */
export const stairStep = <T extends Tensor = Tensor>(x: T | TensorLike, options?: { step?: number | undefined } & StraightThroughOptions): T => named('stairStep', x, options);
/**
 * 1 where `x ≥ threshold` (default 0), else 0. Its gradient is 0, or `dy` with
 * `straightThrough` ({@link StraightThroughOptions}).
 *
 * @example unitStep(x, { straightThrough: true }) // a step that trains (straight-through estimator)
 */
export const unitStep = <T extends Tensor = Tensor>(x: T | TensorLike, options?: { threshold?: number | undefined } & StraightThroughOptions): T => named('unitStep', x, options);
/**
 * The Heaviside step: 0 for `x < 0`, 1 for `x > 0`, `atZero` (default 0.5, in [0, 1]) at 0.
 * Its gradient is 0, or `dy` with `straightThrough` ({@link StraightThroughOptions}).
 */
export const heaviside = <T extends Tensor = Tensor>(x: T | TensorLike, options?: { atZero?: number | undefined } & StraightThroughOptions): T => named('heaviside', x, options);

/**
 * TF.js's `tf.step`: 1 for `x > 0`, `alpha` (default 0) for `x ≤ 0`; NaN stays NaN. Its
 * gradient is 0. With `alpha` 0 it is `heaviside(x, { atZero: 0 })`.
 *
 * @example step(tensor([-1, 0, 2]))      // [0, 0, 1]
 * @example step(tensor([-1, 0, 2]), 0.5) // [0.5, 0.5, 1]
 */
export function step<T extends Tensor = Tensor>(x: T | TensorLike, alpha = 0): T {
  const op = 'step';
  if (typeof alpha !== 'number') throw new InvalidArgumentError(`${op}: alpha must be a number, got ${describe(alpha)}`);
  if (!Number.isFinite(Math.fround(alpha)) && !Number.isNaN(alpha)) throw new InvalidArgumentError(`${op}: alpha = ${alpha} is outside the float32 range`);
  const heaviside0 = (): T => apply(op, x, encodeActivation(op, { name: 'heaviside', atZero: 0 }));
  if (alpha === 0) return heaviside0();
  // h + alpha·(1 − h): exactly 1, alpha or NaN.
  return tidy(() => {
    const h = heaviside0();
    return add(h, mul(sub(1, h), alpha));
  });
}
