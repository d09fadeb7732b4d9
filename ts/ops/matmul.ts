/** Matrix products: `matMul` (batched, with transposes), `dot`, `outerProduct`. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { composite } from './composite.js';
import type { Tensor, Tensor2D } from '../tensor.js';
import { boolArg, describe, withTensors, type TensorLike } from './convert.js';
import { readOptions } from '../options.js';
import { runOp } from './run.js';
import { reshape } from './shape.js';

/** The transposes of {@link matMul} as an options object. */
export interface MatMulOptions {
  /** Transpose the last two dimensions of `a` first. Default `false`. */
  transposeA?: boolean | undefined;
  /** Transpose the last two dimensions of `b` first. Default `false`. */
  transposeB?: boolean | undefined;
}

/**
 * Reads matMul's transposes: positional booleans (TF.js: `matMul(a, b, true, false)`) or one
 * options object (`matMul(a, b, { transposeA: true })`). Anything else is an error — an object
 * is never read as `true`.
 */
function transposesOf(third: unknown, fourth: unknown): [boolean, boolean] {
  if (third !== null && typeof third === 'object' && !Array.isArray(third)) {
    if (fourth !== undefined) {
      throw new InvalidArgumentError(`matMul: with an options object as the third argument, there is no fourth argument (got ${describe(fourth)})`);
    }
    const o = readOptions('matMul', third, { transposeA: false, transposeB: false });
    return [o.transposeA as boolean, o.transposeB as boolean];
  }
  return [boolArg('matMul', 'transposeA', third), boolArg('matMul', 'transposeB', fourth)];
}

/**
 * `op(a) · op(b)` where `op` transposes the last two dimensions when asked. Leading (batch)
 * dimensions broadcast. `a: [..., m, k]`, `b: [..., k, n]` → `[..., m, n]`.
 *
 * The transposes are positional booleans, as TF.js, or an options object. Any other value
 * (a number, a string, an object with other keys) throws an {@link InvalidArgumentError}.
 * `a` and `b` may be nested arrays (TF.js's TensorLike: `matMul([[1, 2]], [[3], [4]])`), as
 * temporary tensors freed after the op.
 *
 * @example matMul(x, w)                          // [batch, in] · [in, out]
 * @example matMul(x, dy, true)                   // xᵀ · dy, as a weight gradient — as fast as the plain form
 * @example matMul(a, b, { transposeB: true })    // a · bᵀ
 */
export function matMul<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike, transposeA?: boolean, transposeB?: boolean): T;
/**
 * `op(a) · op(b)` with the transposes as options (`transposeA`, `transposeB`, default
 * `false`); otherwise as the positional form.
 *
 * @example matMul(a, b, { transposeB: true }) // a · bᵀ
 */
export function matMul<T extends Tensor = Tensor>(a: TensorLike, b: TensorLike, options: MatMulOptions): T;
export function matMul(a: TensorLike, b: TensorLike, transposeA?: boolean | MatMulOptions, transposeB?: boolean): Tensor {
  return withTensors('matMul', { a, b }, ({ a, b }) => matMulOf(a, b, transposeA, transposeB));
}

function matMulOf(a: Tensor, b: Tensor, transposeA: unknown, transposeB: unknown): Tensor {
  const ha = a.handleFor('matMul', 'a');
  const hb = b.handleFor('matMul', 'b');
  // The usual forms (no transposes, or two booleans) skip transposesOf and its array.
  let ta: boolean;
  let tb: boolean;
  if ((transposeA === undefined || typeof transposeA === 'boolean') && (transposeB === undefined || typeof transposeB === 'boolean')) {
    ta = transposeA === true;
    tb = transposeB === true;
  } else {
    [ta, tb] = transposesOf(transposeA, transposeB);
  }
  return runOp((e, out) => e.nr_matmul(ha, hb, ta ? 1 : 0, tb ? 1 : 0, out));
}

/**
 * Dot product of vectors and matrices, as TF.js `dot`: vector·vector → scalar,
 * vector·matrix and matrix·vector → vector, matrix·matrix → matrix. `a` and `b` may be
 * arrays (`dot([1, 2], [3, 4])`).
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  return withTensors('dot', { a, b }, ({ a, b }) => dotOf(a, b));
}

function dotOf(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 1 || a.rank > 2 || b.rank < 1 || b.rank > 2) {
    throw new InvalidArgumentError(`dot: needs vectors or matrices: a is [${a.shape}], b is [${b.shape}]`);
  }
  const ka = a.shape[a.rank - 1];
  const kb = b.shape[0];
  if (ka !== kb) throw new ShapeError(`dot: inner dimensions differ: a is [${a.shape}], b is [${b.shape}]`);
  const a2 = a.rank === 1 ? reshape(a, [1, ka]) : a;
  const b2 = b.rank === 1 ? reshape(b, [kb, 1]) : b;
  try {
    const m = matMul(a2, b2);
    const outShape = [...(a.rank === 2 ? [a.shape[0]] : []), ...(b.rank === 2 ? [b.shape[1]] : [])];
    if (outShape.length === 2) return m;
    try { return reshape(m, outShape); } finally { m.dispose(); }
  } finally {
    if (a2 !== a) a2.dispose();
    if (b2 !== b) b2.dispose();
  }
}

/** Outer product of two vectors: `[m] ⊗ [n]` → `[m, n]`. `a` and `b` may be arrays. */
export function outerProduct(a: TensorLike, b: TensorLike): Tensor2D {
  return withTensors('outerProduct', { a, b }, ({ a, b }) => outerOf(a, b));
}

function outerOf(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 1 || b.rank !== 1) throw new InvalidArgumentError(`outerProduct: needs two vectors: a is [${a.shape}], b is [${b.shape}]`);
  // composite: the reshapes freed, and the product's errors (out of memory for [m, n]) this op's.
  return composite('outerProduct', () => matMul(reshape(a, [a.shape[0], 1]), reshape(b, [1, b.shape[0]])));
}
