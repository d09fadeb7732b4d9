/** `einsum` (TF.js's subset): products and sums of one or two tensors named by an equation. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { composite } from './composite.js';
import { broadcastTo } from './broadcast_to.js';
import { checkShape, describe, firstNonFinite, show, withTensorList, type TensorLike } from './convert.js';
import { clone } from './creation.js';
import { matMul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape, transpose } from './shape.js';

/**
 * Einstein summation, as TF.js `einsum(equation, ...tensors)`: `equation` names the axes of
 * each input with one letter each and the axes of the result after `->`; labels missing from
 * the result are summed over, and a label shared by the two inputs multiplies their entries.
 *
 * | equation        | computes                                     |
 * |-----------------|----------------------------------------------|
 * | `'ij,jk->ik'`   | matrix product `matMul(a, b)`                |
 * | `'bij,bjk->bik'`| batched matrix product                       |
 * | `'i,j->ij'`     | outer product                                |
 * | `'i,i->'`       | dot product                                  |
 * | `'ij->ji'`      | transpose                                    |
 * | `'ij->i'`       | row sums                                     |
 * | `'ij,ij->ij'`   | element-wise product                         |
 *
 * One or two inputs (TF.js's subset), an explicit `->`, no ellipsis (`...`), no label twice in
 * one input (no traces or diagonals) or in the result; spaces are ignored. A label has the same
 * size wherever it appears (no broadcasting of 1s, as TF.js). Labels are letters (`a`–`z`,
 * `A`–`Z`). Computed as one batched {@link matMul} over the shared labels, with sums,
 * transposes and reshapes around it, so it is differentiable with respect to both inputs
 * (TF.js 4.22 has no gradient for einsum). The sums run in matMul's order, not TF.js's
 * (every product, then their sum), so results agree to float32 rounding; NaN and ±Infinity
 * come out as TF.js's (a label summed in one input only is summed before the product only
 * when the other input is finite, where that gives the same). Empty axes give zeros (an empty
 * sum) or empty results.
 *
 * Differences from TF.js 4.22: TF.js returns wrong shapes and values for some equations with
 * two inputs where a summed label is in one input only (`'ij,jk->'` gives shape `[2]` for
 * `[3, 5]·[5, 2]`, `'ij,jk->k'` shape `[2, 5]`); neurite gives the sums the equation defines.
 * A label twice in the result (`'ij->ii'`) is an error (TF.js returns a wrong result); a
 * label that is not a letter is an error (TF.js takes any character).
 *
 * @example einsum('ij,jk->ik', a, b)   // matMul(a, b)
 * @example einsum('bqd,bkd->bqk', q, k)  // attention scores
 * @throws {@link InvalidArgumentError} for an equation outside the subset (the message names
 *   what), a tensor count that does not match it, or a tensor whose rank differs from its
 *   labels'; {@link ShapeError} when one label has two sizes; {@link OutOfMemoryError} when the
 *   result would be too large.
 */
export function einsum(equation: string, ...tensors: TensorLike[]): Tensor {
  const op = 'einsum';
  const { inputs, output } = parse(op, equation);
  if (tensors.length !== inputs.length) {
    throw new InvalidArgumentError(`${op}: the equation ${show(equation)} has ${inputs.length} input(s) but ${tensors.length} tensor(s) were given`);
  }
  return withTensorList(op, 'tensors', tensors, (ts) => {
    const size = new Map<string, number>();
    ts.forEach((t, i) => {
      const labels = inputs[i];
      if (t.rank !== labels.length) {
        throw new InvalidArgumentError(`${op}: tensors[${i}] has rank ${t.rank} (shape [${t.shape}]) but the equation names ${labels.length} axes for it ('${labels.join('')}')`);
      }
      labels.forEach((l, k) => {
        const d = size.get(l);
        if (d === undefined) size.set(l, t.shape[k]);
        else if (d !== t.shape[k]) {
          throw new ShapeError(`${op}: label '${l}' has size ${d} in tensors[0] (shape [${ts[0].shape}]) but ${t.shape[k]} in tensors[${i}] (shape [${t.shape}])`);
        }
      });
    });
    checkShape(op, output.map((l) => size.get(l) as number), 'the result shape');
    return composite(op, () => (ts.length === 1 ? unary(ts[0], inputs[0], output) : binary(ts[0], inputs[0], ts[1], inputs[1], output, size)));
  });
}

/** The labels of each input and of the result; throws for anything outside TF.js's subset. */
function parse(op: string, equation: unknown): { inputs: string[][]; output: string[] } {
  if (typeof equation !== 'string') throw new InvalidArgumentError(`${op}: equation must be a string such as 'ij,jk->ik', got ${describe(equation)}`);
  const eq = equation.replace(/\s/g, '');
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError(`${op}: equation ${show(equation)} ${why}`);
  const arrows = eq.split('->').length - 1;
  if (arrows !== 1) throw bad(arrows === 0 ? "has no '->'; the output labels must be given explicitly (e.g. 'ij,jk->ik')" : "has more than one '->'");
  if (eq.includes('...')) throw bad("uses an ellipsis ('...'), which is not supported (as TF.js); name every axis");
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length > 2) throw bad(`has ${terms.length} inputs; einsum supports one or two (as TF.js)`);
  const labelsOf = (term: string, where: string): string[] => {
    const m = /[^A-Za-z]/.exec(term);
    if (m) throw bad(`has ${show(m[0])} in ${where}; labels are letters a-z and A-Z`);
    const labels = term.split('');
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice !== undefined) {
      throw bad(where === 'the output'
        ? `names label '${twice}' twice in the output`
        : `names label '${twice}' twice in ${where} ('${term}'); repeated labels in one input (traces, diagonals) are not supported (as TF.js)`);
    }
    return labels;
  };
  const inputs = terms.map((t, i) => labelsOf(t, `input ${i}`));
  const output = labelsOf(rhs, 'the output');
  for (const l of output) {
    if (!inputs.some((t) => t.includes(l))) throw bad(`has output label '${l}', which no input has`);
  }
  return { inputs, output };
}

/** `x` summed over the labels not in `output`, then its axes put in `output`'s order. */
function unary(x: Tensor, labels: string[], output: string[]): Tensor {
  const summed = labels.map((l, i) => (output.includes(l) ? -1 : i)).filter((i) => i >= 0);
  const kept = labels.filter((l) => output.includes(l));
  const r = summed.length > 0 ? sum(x, summed) : x;
  const perm = output.map((l) => kept.indexOf(l));
  if (perm.every((p, i) => p === i)) return r === x ? clone(x) : r;
  return transpose(r, perm);
}

/**
 * The two-input case as one batched matMul: `a`'s labels are sorted into batch (in `b` and the
 * result), free (only in `a`, in the result) and contracted (in `b`, not in the result); `b`'s
 * likewise. Then `[batch, freeA, contracted] · [batch, contracted, freeB]` gives
 * `[batch, freeA, freeB]`, reshaped and transposed to the result's order.
 *
 * A label only in `a` and not in the result (`i` in `'ij,jk->k'`) is summed out of `a` first
 * when `b` is finite: `Σᵢ aᵢ·y = y·Σᵢ aᵢ` then holds in IEEE arithmetic too (NaN, ±Infinity
 * and empty sums included; finite values to rounding), unless the sum of finite values
 * overflows (then `0·Σ` would be NaN). When `b` holds a NaN or ±Infinity
 * (`Σᵢ aᵢ·∞` is NaN for `a = [2, −1]`, `∞·Σᵢ aᵢ` is ∞; an empty sum times ∞ is 0, not NaN),
 * `b` is broadcast along the label instead and it is contracted as a shared one, so every
 * product is formed, as TF.js forms them. Likewise for `b`'s own labels.
 */
function binary(a: Tensor, la: string[], b: Tensor, lb: string[], output: string[], size: Map<string, number>): Tensor {
  const inOut = (l: string): boolean => output.includes(l);
  let [a2, la2, b2, lb2] = [a, la, b, lb];
  const own = (lx: string[], other: string[]): string[] => lx.filter((l) => !other.includes(l) && !inOut(l));
  const foldOwn = (x: Tensor, lx: string[], y: Tensor, ly: string[]): [Tensor, string[], Tensor, string[]] => {
    const labels = own(lx, ly);
    if (labels.length === 0) return [x, lx, y, ly];
    if (firstNonFinite(y.data()) < 0) {
      const summed = sum(x, labels.map((l) => lx.indexOf(l)));
      // A sum of finite values that overflows (3e38 + 3e38) would turn a product with 0 into NaN.
      if (firstNonFinite(summed.data()) < 0 || firstNonFinite(x.data()) >= 0) return [summed, lx.filter((l) => !labels.includes(l)), y, ly];
      summed.dispose();
    }
    const dims = labels.map((l) => size.get(l) as number);
    return [x, lx, broadcastTo(reshape(y, [...y.shape, ...dims.map(() => 1)]), [...y.shape, ...dims]), [...ly, ...labels]];
  };
  [a2, la2, b2, lb2] = foldOwn(a2, la2, b2, lb2);
  [b2, lb2, a2, la2] = foldOwn(b2, lb2, a2, la2);
  const batch = output.filter((l) => la2.includes(l) && lb2.includes(l));
  const freeA = la2.filter((l) => inOut(l) && !lb2.includes(l));
  const freeB = lb2.filter((l) => inOut(l) && !la2.includes(l));
  const contracted = la2.filter((l) => lb2.includes(l) && !inOut(l));
  const count = (ls: string[]): number => ls.reduce((n, l) => n * (size.get(l) as number), 1);
  const arrange = (x: Tensor, lx: string[], order: string[], dims: number[]): Tensor => {
    const perm = order.map((l) => lx.indexOf(l));
    return reshape(perm.every((p, i) => p === i) ? x : transpose(x, perm), dims);
  };
  const nb = count(batch);
  const a3 = arrange(a2, la2, [...batch, ...freeA, ...contracted], [nb, count(freeA), count(contracted)]);
  const b3 = arrange(b2, lb2, [...batch, ...contracted, ...freeB], [nb, count(contracted), count(freeB)]);
  const joined = [...batch, ...freeA, ...freeB];
  return finish(matMul(a3, b3), joined, output, size);
}

/** `c` (`[batch, freeA, freeB]` flattened) reshaped to its labels' sizes and put in `output`'s order. */
function finish(c: Tensor, joined: string[], output: string[], size: Map<string, number>): Tensor {
  const r = reshape(c, joined.map((l) => size.get(l) as number));
  const perm = output.map((l) => joined.indexOf(l));
  return perm.every((p, i) => p === i) ? r : transpose(r, perm);
}
