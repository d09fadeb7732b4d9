/**
 * Printing tensors as TF.js 4.22 does (tfjs-core's `tensorToString`): a `Tensor` line, with
 * `verbose` the dtype, rank and shape, then the values indented by four spaces. A value is
 * `parseFloat(v.toFixed(7))` (a scalar is `String(v)`), left-aligned to its column's widest
 * over the whole tensor (rank 2 and up); an axis longer than 20 shows its first and last 3.
 * TF.js's quirks are kept, so logs diff clean across a port: `[[1, 2],]` for one row, widths
 * counted over hidden values too, ` []` for an empty tensor.
 */

/** TF.js's FORMAT_LIMIT_NUM_VALS: a longer axis shows its first and last 3 values or rows. */
const LIMIT = 20;

const num = (v: number) => String(parseFloat(v.toFixed(7)));

/** TF.js's `tensor.toString(verbose)` text for float32 `values` of `shape`. */
export function formatTensor(values: Float32Array, shape: readonly number[], verbose = false): string {
  const rank = shape.length;
  const cols = shape[rank - 1];
  const pad: number[] = [];
  if (rank > 1) values.forEach((v, i) => (pad[i % cols] = Math.max(pad[i % cols] ?? 0, num(v).length)));
  // The lines of the sub-tensor at `off` from axis `dim` (TF.js's subTensorToString).
  const sub = (off: number, dim: number, isLast: boolean): string[] => {
    const n = shape[dim];
    const idx = n > LIMIT ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
    if (dim === rank - 1) return [`[${idx.map((i) => (i < 0 ? '...' : num(values[off + i]).padEnd(pad[i] ?? 0))).join(', ')}]`];
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const lines = idx.flatMap((i) => (i < 0 ? ['...'] : sub(off + i * stride, dim + 1, i === n - 1)));
    const sep = rank - dim === 2 ? ',' : '';
    lines[0] = '[' + (n > 0 ? lines[0] + sep : '');
    for (let i = 1; i < lines.length - 1; i++) lines[i] = ` ${lines[i]}${sep}`;
    lines[lines.length - 1] = ` ${lines[lines.length - 1]}]${isLast ? '' : ',\n' + '\n'.repeat(rank - dim - 2)}`;
    return lines;
  };
  const head = verbose ? `\n  dtype: float32\n  rank: ${rank}\n  shape: [${shape}]\n  values:` : '';
  const lines = rank ? sub(0, 0, true) : [String(values[0])];
  return `Tensor${head}\n${lines.map((l) => '    ' + l).join('\n')}`;
}

/**
 * A log value (loss, metric, learning rate) in at most 10 characters, as training prints it:
 * four decimals for ordinary magnitudes (`0.1234`, `-1234.5678`), else a short exponent form
 * (`1.72e+29`, `3.00e-12`), and `nan`/`inf`/`-inf`.
 */
export function formatLog(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a === 0 || (a >= 1e-3 && a < 9999.99995)) {
    const s = v.toFixed(4);
    return s === '-0.0000' ? '0.0000' : s;
  }
  return v.toExponential(2);
}
