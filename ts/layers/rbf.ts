/**
 * `rbf`: a layer of radial basis functions. Mirrors `crates/core/src/layers/rbf.rs`, where the
 * math and its derivatives are documented.
 */
import { listOption } from '../classic/common.js';
import { InvalidArgumentError } from '../errors.js';
import { describe, intArg } from '../ops/convert.js';
import type { Tensor } from '../tensor.js';
import { initializerAbi, type InitializerSpec } from './initializers.js';
import { checkNumber, CLASS_NAMES, Layer, MAX_UNITS, type LayerArgs } from './layer.js';

/** The radial functions; the ABI id is the index (Rust `RbfKernel::NAMES`, compared by `test/codes.test.ts`). */
export const RBF_KERNELS = ['gaussian', 'multiquadric', 'inverseMultiquadric'] as const;
/**
 * The radial function φ of `u = r² = ‖x − c‖²/σ²`:
 * - `'gaussian'`: `exp(−u/2)` (σ is the standard deviation);
 * - `'multiquadric'`: `√(1 + u)`;
 * - `'inverseMultiquadric'`: `1/√(1 + u)`.
 */
export type RbfKernelName = (typeof RBF_KERNELS)[number];

/** Options of `layers.rbf`: a layer of radial basis units. */
export interface RBFArgs extends LayerArgs {
  /** The number of radial units (positive integer). */
  units: number;
  /** Default `'gaussian'`. */
  kernel?: RbfKernelName | undefined;
  /**
   * Starting centers, one row of `inputs` values per unit (`[units][inputs]`, or a flat
   * array of `units × inputs`; a tensor `[units, inputs]` or flat, whose values are copied).
   * Default: drawn by `centersInitializer`. Large sets of centers
   * are better set after building with `model.setWeights`.
   */
  centers?: ArrayLike<number> | ArrayLike<number>[] | Tensor | undefined;
  /** Starting widths σ: one number for every unit, or one per unit (numbers or a tensor, whose values are copied). Default 1. */
  widths?: number | ArrayLike<number> | Tensor | undefined;
  /** Default `initializers.randomUniform({ minval: -1, maxval: 1 })`. */
  centersInitializer?: InitializerSpec | undefined;
}

/** @internal The ABI id of a kernel name, or an error naming the valid ones. */
export function rbfKernelId(op: string, kernel: unknown): number {
  const i = RBF_KERNELS.indexOf(kernel as RbfKernelName);
  if (i < 0) throw new InvalidArgumentError(`${op}: kernel must be one of ${RBF_KERNELS.join(', ')}, got ${describe(kernel)}`);
  return i;
}

function numbers(op: string, field: string, v: ArrayLike<number>): number[] {
  const out = Array.from(v);
  out.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidArgumentError(`${op}: ${field}[${i}] must be a finite number, got ${describe(x)}`);
  });
  return out;
}

/**
 * Radial basis functions: unit `j` outputs `φ(‖x − cⱼ‖ / σⱼ)`. Centers (`[units, inputs]`) and
 * widths (`[units]`) are weights, learned by backpropagation like any other (set `trainable:
 * false` to freeze them). Output shape: the input's with the last axis replaced by `units`.
 * A width enters squared (`‖x − cⱼ‖² / σⱼ²`): one that training takes through 0 is negative and
 * acts as its absolute value, and the model saves, loads and `setWeights` it as it is; only a
 * width of 0 is refused (the starting widths given here are > 0). Distances and widths whose
 * squares leave float32's range (below ~1e-19, above ~1.8e19: data in SI units) are squared in
 * float64, so any scale float32 holds works; fine-tuning by backpropagation still wants inputs
 * of about unit scale (its steps are in the weights' units).
 *
 * @example layers.rbf({ inputShape: [2], units: 10, kernel: 'gaussian', widths: 0.5 })
 */
export class RBF extends Layer {
  /** @internal */
  readonly kind = 'rbf' as const;
  /** TF.js's class name, `'RBF'` (`layer.constructor.className`, as `layer.getClassName()`). */
  static readonly className = CLASS_NAMES.rbf;
  /** The number of radial units. */
  readonly units: number;
  /** The radial function of the distance to each center. */
  readonly kernel: RbfKernelName;
  readonly #centers: number[];
  readonly #widths: number[];
  /** How the centers start when `centers` is not given (default `randomUniform` in [-1, 1]). */
  readonly centersInitializer: InitializerSpec;

  constructor(args: RBFArgs) {
    super('rbf', args, ['units', 'kernel', 'centers', 'widths', 'centersInitializer']);
    if (!args || typeof args !== 'object') throw new InvalidArgumentError('rbf: expected an options object like { units: 10 }');
    this.units = intArg('rbf', 'units', args.units, 1, MAX_UNITS);
    this.kernel = args.kernel ?? 'gaussian';
    rbfKernelId('rbf', this.kernel);
    const c = args.centers;
    if (c === undefined) {
      this.#centers = [];
    } else {
      const list = listOption('rbf', 'centers', c, [1, 2]);
      if (list === null) throw new InvalidArgumentError(`rbf: centers must be an array of ${this.units} rows, a flat array or a tensor, got ${describe(c)}`);
      const rows = list.values;
      const nested = rows.length > 0 && typeof rows[0] === 'object' && rows[0] !== null;
      const count = list.shape?.length === 2 ? list.shape[0] : nested ? rows.length : null;
      if (count !== null && count !== this.units) {
        throw new InvalidArgumentError(`rbf: centers has ${count} rows but the layer has ${this.units} units`);
      }
      this.#centers = nested ? rows.flatMap((r, i) => numbers('rbf', `centers[${i}]`, r as ArrayLike<number>)) : numbers('rbf', 'centers', rows as number[]);
      if (this.#centers.length === 0 || this.#centers.length % this.units !== 0) {
        throw new InvalidArgumentError(`rbf: centers has ${this.#centers.length} values, which is not ${this.units} units × some number of inputs`);
      }
    }
    const w = args.widths ?? 1;
    const ws = typeof w === 'number' ? null : listOption('rbf', 'widths', w, [0, 1]);
    if (typeof w !== 'number' && ws === null) throw new InvalidArgumentError(`rbf: widths must be a number, an array of numbers or a tensor, got ${describe(w)}`);
    this.#widths = ws === null ? [w as number] : numbers('rbf', 'widths', ws.values as number[]);
    if (this.#widths.length !== 1 && this.#widths.length !== this.units) {
      throw new InvalidArgumentError(`rbf: widths must be one number or ${this.units} (one per unit), got ${this.#widths.length} values`);
    }
    this.#widths.forEach((v, i) => checkNumber('rbf', typeof w === 'number' ? 'widths' : `widths[${i}]`, v, (s) => Number.isFinite(s) && s > 0, 'a finite number > 0'));
    this.centersInitializer = args.centersInitializer ?? { name: 'randomUniform', params: [-1, 1] };
    this.abiParams();
  }

  /** @internal Layout of `RbfConfig::from_abi`. */
  abiParams(): number[] {
    return [
      this.units, rbfKernelId('rbf', this.kernel),
      this.#centers.length, ...this.#centers,
      this.#widths.length, ...this.#widths,
      ...initializerAbi('rbf', 'centersInitializer', this.centersInitializer),
    ];
  }

}
