/**
 * @internal TF.js's reshaping conversions, as `Tensor` methods only (TF.js has no functions
 * for them): `flatten`, `asScalar`, `as1D` … `as5D` and `reshapeAs`. Each is a `reshape`
 * whose errors name the method.
 */
import { InvalidArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { describe, intArg } from './convert.js';
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
