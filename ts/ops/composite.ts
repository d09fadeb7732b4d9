/**
 * @internal Helpers for the ops composed in TypeScript from other ops (`logSumExp`, `norm`,
 * `addN`, `unstack`, …): they run in a tidy scope (every intermediate is freed, also when
 * one throws), their errors name the public op, and their axis arguments are checked before
 * anything runs. Composed ops need no backward rule of their own: the tape records the ops
 * they are made of.
 */
import { InvalidArgumentError, NeuriteError } from '../errors.js';
import { tidy } from '../scope.js';
import type { Tensor } from '../tensor.js';
import { axesOf, show } from './convert.js';

/**
 * Runs `f` (made of other ops) in a tidy scope and returns what it returns (a tensor, or an
 * array of them). An error an inner op raises (`sub: shapes [2] and [3] cannot be broadcast
 * together`) is reported as `op`'s (`squaredDifference: shapes …`): the same object, so its
 * class and code are kept.
 */
export function composite<T extends Tensor | Tensor[]>(op: string, f: () => T): T {
  try {
    return tidy(f);
  } catch (e) {
    if (e instanceof NeuriteError && !e.message.startsWith(`${op}:`)) e.message = e.message.replace(/^[A-Za-z0-9]+: /, `${op}: `);
    throw e;
  }
}

/**
 * The axes a reduction of `x` runs over: checked by {@link axesOf} as the reductions check
 * them (integers in `[-rank, rank)`), none listed twice, and normalised to non-negative, in
 * the order given. `undefined` or `null` is every axis.
 */
export function reductionAxes(op: string, x: Tensor, axis: unknown): number[] {
  const out: number[] = [];
  for (const a of axesOf(op, x, axis as number | number[] | undefined)) {
    const n = a < 0 ? a + x.rank : a;
    if (out.includes(n)) throw new InvalidArgumentError(`${op}: axis ${show(a)} is listed twice in axes ${show(axis)}`);
    out.push(n);
  }
  return out;
}

/** The shape of `x` reduced over `axes` (non-negative), the reduced axes kept as 1. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The shape of `x` reduced over `axes` (non-negative), the reduced axes removed. */
export function reducedShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}
