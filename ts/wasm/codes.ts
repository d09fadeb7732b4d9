/**
 * Ids shared with the Rust core. The source of truth is Rust (`enum UnaryOp` etc.); the test
 * `test/codes.test.ts` asks the module for every name (`nr_enum_name`) and compares, so these
 * tables cannot drift silently.
 */

/** Enum families known to `nr_enum_name`. */
export const EnumKind = {
  Status: 0, UnaryOp: 1, BinaryOp: 2, ReduceOp: 3, Activation: 4, ActivationParam: 5, Loss: 10, Optimizer: 11, Schedule: 12,
  // Tables kept next to their users (checked all the same by test/codes.test.ts):
  // `LAYER_KINDS` (ts/layers/layer.ts), `METRICS` (ts/models/compile.ts), `INITIALIZERS`
  // (ts/layers/initializers.ts), `RBF_KERNELS` (ts/layers/rbf.ts), `CLIP_MODES` and
  // `OPTIMIZER_PARAMS` (ts/optimizers.ts).
  // `OPTIONS` (ts/options.ts) and `SPECS` (ts/schedules.ts) for the loss and schedule parameters.
  LayerKind: 20, Metric: 21, Initializer: 22, RbfKernel: 23, ClipMode: 24, OptimizerParam: 25, LossParam: 26, ScheduleParam: 27,
  // `REDUCTIONS` (ts/options.ts); `CODEC` (ts/compression/bytes.ts), `WAVELETS` (ts/compression/dwt.ts).
  Reduction: 28, Codec: 29, Wavelet: 30,
  // `CONSTRAINTS`, `CONSTRAINT_PARAMS` and `CONSTRAINT_OPTIONS` (ts/constraints.ts).
  Constraint: 31, ConstraintParam: 32, ConstraintOption: 33,
  // `LIMITS` (ts/compression/limits.ts): numeric limits checked here before calling, `name=value`.
  Limit: 34,
} as const;

export const STATUS = ['Ok', 'InvalidArgument', 'ShapeMismatch', 'InvalidHandle', 'OutOfMemory', 'Internal', 'Panic', 'NonFinite'] as const;

export const UNARY_OPS = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'sign', 'floor', 'ceil', 'round',
  'reciprocal', 'log1p', 'expm1', 'sin', 'cos',
  'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'erf', 'rsqrt',
] as const;
export type UnaryOpName = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual',
  'atan2', 'mod', 'floorDiv',
] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ['sum', 'mean', 'max', 'min', 'prod', 'argMax', 'argMin', 'variance'] as const;
export type ReduceOpName = (typeof REDUCE_OPS)[number];

/** Activation names; the ABI kind id is the index (Rust `Activation::KIND_NAMES`). */
export const ACTIVATIONS = [
  'linear', 'stairStep', 'unitStep', 'heaviside', 'sign', 'relu', 'leakyRelu', 'softplus',
  'sigmoid', 'tanh', 'softmax', 'logSoftmax', 'elu', 'selu', 'gelu', 'swish', 'hardSigmoid', 'softsign',
  'relu6', 'mish', 'geluNew', 'hardSilu', 'cappedRelu',
] as const;
/** An activation by name (see {@link ACTIVATIONS}), as `activation: 'relu'` takes it. */
export type ActivationName = (typeof ACTIVATIONS)[number];

/**
 * The parameters of each activation that has any, in ABI order, with their defaults (Rust
 * `Activation::PARAMS`; checked as `"<name>.<param>=<default>"` by `test/codes.test.ts`).
 * Flags (`straightThrough`) cross the ABI as 0 or 1.
 */
export const ACTIVATION_PARAMS = {
  linear: [['slope', 1], ['intercept', 0]],
  stairStep: [['step', 1], ['straightThrough', 0]],
  unitStep: [['threshold', 0], ['straightThrough', 0]],
  heaviside: [['atZero', 0.5], ['straightThrough', 0]],
  sign: [['straightThrough', 0], ['atZero', 1]],
  leakyRelu: [['alpha', 0.2]],
  elu: [['alpha', 1]],
  cappedRelu: [['maxValue', 6]],
} as const satisfies Partial<Record<ActivationName, ReadonlyArray<readonly [string, number]>>>;

/** Activations without parameters. */
type PlainActivation = Exclude<ActivationName, keyof typeof ACTIVATION_PARAMS>;

/**
 * An activation function: its name (`'silu'` is an alias of `'swish'`, TF.js's `'gelu_new'` of
 * `'geluNew'`, Keras's `'hardSwish'` of `'hardSilu'`, `'identity'` of `'linear'`; the snake_case
 * names a saved model holds, `'hard_silu'`, `'hard_swish'`, `'log_softmax'`, `'hard_sigmoid'`,
 * Keras 3's `'leaky_relu'`, too), or an object with
 * the name and parameters. `straightThrough` (step-like activations only) makes the backward
 * pass the straight-through estimator (`dx = dy`) instead of the true zero gradient.
 * `'sign'` is the bipolar unit: −1 below 0, +1 above, and `atZero` (default +1, in [−1, 1]) at
 * 0; the `sign` op, as NumPy's and TF.js's, gives 0 at 0. A `perceptron` fires only when
 * `w·x + b > 0`, so its bipolar unit is `{ name: 'sign', atZero: -1 }` (its binary one
 * `{ name: 'heaviside', atZero: 0 }`). `'heaviside'` gives `atZero` (0.5) at 0, `'unitStep'` 1
 * from its threshold up.
 *
 * @example 'relu'
 * @example { name: 'leakyRelu', alpha: 0.01 }
 * @example { name: 'stairStep', step: 0.25, straightThrough: true }
 */
export type ActivationSpec =
  | ActivationName
  | 'silu'
  | 'gelu_new'
  | 'hardSwish'
  | 'identity'
  | 'hard_silu'
  | 'hard_swish'
  | 'log_softmax'
  | 'hard_sigmoid'
  | 'leaky_relu'
  | { name: 'linear'; slope?: number | undefined; intercept?: number | undefined }
  | { name: 'stairStep'; step?: number | undefined; straightThrough?: boolean | undefined }
  | { name: 'unitStep'; threshold?: number | undefined; straightThrough?: boolean | undefined }
  | { name: 'heaviside'; atZero?: number | undefined; straightThrough?: boolean | undefined }
  | { name: 'sign'; atZero?: number | undefined; straightThrough?: boolean | undefined }
  | { name: 'leakyRelu'; alpha?: number | undefined }
  | { name: 'elu'; alpha?: number | undefined }
  | { name: 'cappedRelu'; maxValue?: number | undefined }
  | { name: PlainActivation | 'silu' | 'gelu_new' | 'hardSwish' | 'identity' | 'hard_silu' | 'hard_swish' | 'log_softmax' | 'hard_sigmoid' | 'leaky_relu' };

/** Losses (`neurite_core::losses::Loss`), by ABI id. */
export const LOSSES = [
  'meanSquaredError', 'meanAbsoluteError', 'huber', 'binaryCrossentropy', 'categoricalCrossentropy',
  'sparseCategoricalCrossentropy', 'kullbackLeiblerDivergence', 'hinge', 'meanAbsolutePercentageError',
  'meanSquaredLogarithmicError', 'logcosh', 'poisson', 'squaredHinge', 'categoricalHinge', 'cosineProximity', 'dice',
] as const;
/** A loss by name (see {@link LOSSES}), as `compile({ loss })` takes it. */
export type LossName = (typeof LOSSES)[number];

/** Optimizers (`neurite_core::optim::Optimizer`), by ABI id. */
export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adamax', 'adadelta'] as const;
/** An optimizer by name (see {@link OPTIMIZERS}), as `compile({ optimizer })` takes it for its defaults. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Learning-rate schedules (`neurite_core::optim::LrSchedule`), by ABI id. */
export const SCHEDULES = ['constant', 'exponentialDecay', 'stepDecay', 'cosineDecay'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** The id of `name` in `table`. */
export function idOf<T extends readonly string[]>(table: T, name: T[number]): number {
  return table.indexOf(name);
}
