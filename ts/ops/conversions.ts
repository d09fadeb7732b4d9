/**
 * @internal TF.js's reshaping conversions, as `Tensor` methods only (TF.js has no functions
 * for them): `flatten`, `asScalar`, `as1D` … `as5D` and `reshapeAs`. Each is a `reshape`
 * whose errors name the method. Also the errors of TF.js's `toInt` and `toBool` (casts to a
 * dtype neurite does not have).
 */
import { InvalidArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { describe, intArg, ONLY_FLOAT32 } from './convert.js';
import { reshape } from './shape.js';

const DIMS = ['rows', 'columns', 'depth', 'depth2', 'depth3'];

/** `x` with shape `[d0, …]` (the TF.js method `asND(rows, columns, …)`), dims named as TF.js names them. */
export function asRank(op: string, x: Tensor, dims: readonly unknown[]): Tensor {
  x.handleFor(op, 'tensor');
  const shape = dims.map((d, i) => intArg(op, DIMS[i], d, -1, 0xffffffff));
  return composite(op, () => reshape(x, shape));
}

/** `x` as a rank-0 tensor: it must hold exactly one value. */
export function asScalar(x: Tensor): Tensor {
  x.handleFor('asScalar', 'tensor');
  if (x.size !== 1) throw new InvalidArgumentError(`asScalar: tensor has ${x.size} elements (shape [${x.shape}]); asScalar needs exactly 1`);
  return composite('asScalar', () => reshape(x, []));
}

/** `x` with the shape of `like`. */
export function reshapeAs(x: Tensor, like: Tensor): Tensor {
  x.handleFor('reshapeAs', 'tensor');
  if (!(like instanceof Tensor)) throw new InvalidArgumentError(`reshapeAs: x must be a Tensor, got ${describe(like)}`);
  like.handleFor('reshapeAs', 'x');
  if (like.size !== x.size) throw new InvalidArgumentError(`reshapeAs: x has shape [${like.shape}] (${like.size} elements) but this tensor has shape [${x.shape}] (${x.size} elements)`);
  return composite('reshapeAs', () => reshape(x, like.shape));
}

/** What to do instead of a cast to `int32` or `bool`, for the common reasons to make one. */
const INSTEAD: Record<'int32' | 'bool', string> = {
  int32: 'For browser.toPixels(t.toInt(), canvas) pass values in [0, 1] instead: browser.toPixels(t.div(255), canvas); labels and indices stay float32 tensors of whole numbers (oneHot, gather and the losses take them as they are; t.round() or t.floor() makes whole numbers)',
  bool: 'Masks are float32 tensors of 0 and 1 (greater, equal, logicalAnd, … give them; notEqual(t, 0) makes one of any tensor), and where() and the logical ops take them as they are',
};

/**
 * The error of TF.js's `t.toInt()` / `t.toBool()` (`cast(t, dtype)` to a dtype neurite lacks):
 * the {@link InvalidArgumentError} `cast` gives, with what to do instead. A disposed `x` is a
 * `DisposedError` first, as every method.
 */
export function dtypeMethod(x: Tensor, op: 'toInt' | 'toBool', dtype: 'int32' | 'bool'): never {
  x.handleFor(op, 'tensor');
  throw new InvalidArgumentError(
    `${op}: ${dtype} is not a neurite dtype, as cast(t, '${dtype}') says: ${ONLY_FLOAT32}. ${INSTEAD[dtype]}`,
  );
}
