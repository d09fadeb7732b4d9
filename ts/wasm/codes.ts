/**
 * Ids shared with the Rust core. The source of truth is Rust (`enum UnaryOp` etc.); the test
 * `test/codes.test.ts` asks the module for every name (`nr_enum_name`) and compares, so these
 * tables cannot drift silently.
 */

/** Enum families known to `nr_enum_name`. */
export const EnumKind = { Status: 0, UnaryOp: 1, BinaryOp: 2, ReduceOp: 3 } as const;

export const STATUS = ['Ok', 'InvalidArgument', 'ShapeMismatch', 'InvalidHandle', 'OutOfMemory', 'Internal', 'Panic'] as const;

export const UNARY_OPS = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'sign', 'floor', 'ceil', 'round',
  'reciprocal', 'log1p', 'expm1', 'sin', 'cos',
] as const;
export type UnaryOpName = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual',
] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ['sum', 'mean', 'max', 'min', 'prod', 'argMax', 'argMin', 'variance'] as const;
export type ReduceOpName = (typeof REDUCE_OPS)[number];

/** The id of `name` in `table`. */
export function idOf<T extends readonly string[]>(table: T, name: T[number]): number {
  return table.indexOf(name);
}
