/** Internal: the `imageShape` option shared by the image metrics. */
import { describe } from '../ops/convert.js';
import { InvalidArgumentError } from '../errors.js';

/** @internal `imageShape` as `[has, h, w]` for the ABI. */
export function imageShapeWords(op: string, v: unknown): [number, number, number] {
  if (v === undefined) return [0, 0, 0];
  const ok = Array.isArray(v) && v.length === 2 && v.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 2 ** 31 - 1);
  if (!ok) throw new InvalidArgumentError(`${op}: imageShape must be [height, width] with positive integers, got ${describe(v)}`);
  return [1, v[0] as number, v[1] as number];
}
