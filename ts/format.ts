/**
 * Printing tensors the way NumPy's `print(array)` does: aligned columns, `1.` for whole
 * numbers, scientific notation for very large or small magnitudes, and `...` summaries for
 * tensors of more than 1000 elements (3 items at each edge).
 */

const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 8;

/** Shortest decimal string with at most PRECISION fractional digits that is the same float32. */
function shortestFixed(v: number): string {
  for (let d = 0; d <= PRECISION; d++) {
    const s = v.toFixed(d);
    if (Math.fround(Number(s)) === v) return s;
  }
  return v.toFixed(PRECISION);
}

function shortestExp(v: number): string {
  for (let d = 0; d <= PRECISION; d++) {
    const s = v.toExponential(d);
    if (Math.fround(Number(s)) === v) return s;
  }
  return v.toExponential(PRECISION);
}

/** Formats all shown values to strings of equal width. */
function formatter(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v !== 0);
  const maxAbs = abs.length ? Math.max(...abs) : 0;
  const minAbs = abs.length ? Math.min(...abs) : 0;
  const sci = maxAbs >= 1e8 || (abs.length > 0 && (minAbs < 1e-4 || maxAbs / minAbs > 1e3));
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  let parts: Array<[string, string]>;
  if (sci) {
    const mant = finite.map((v) => shortestExp(v).split('e')[0].split('.')[1]?.length ?? 0);
    const digits = Math.max(0, ...mant);
    parts = values.map((v) => {
      if (!Number.isFinite(v)) return [special(v), ''];
      const [m0, e] = v.toExponential(digits).split('e');
      const m = Object.is(v, -0) ? `-${m0}` : m0; // toExponential drops the sign of −0
      const exp = (e[0] === '-' ? '-' : '+') + e.replace(/^[-+]/, '').padStart(2, '0');
      const [ip, fp = ''] = m.split('.');
      return [ip, `.${fp}e${exp}`];
    });
  } else {
    parts = values.map((v) => {
      if (!Number.isFinite(v)) return [special(v), ''];
      const s = shortestFixed(v);
      const [ip, fp = ''] = s.split('.');
      return [ip === '0' && Object.is(v, -0) ? '-0' : ip, `.${fp}`];
    });
  }
  // As NumPy: the columns are as wide as the finite values' integer and fraction parts, or as
  // a `nan`/`-inf` if that is wider, which is right-aligned in the whole width.
  const numbers = parts.filter((_, i) => Number.isFinite(values[i]));
  const fracW = Math.max(0, ...numbers.map((p) => p[1].length));
  const width = Math.max(fracW + Math.max(0, ...numbers.map((p) => p[0].length)), ...parts.map((p) => (p[1] === '' ? p[0].length : 0)));
  const intW = width - fracW;
  // Keyed by the value, −0 apart from +0 (a Map alone would take them for one key).
  const key = (v: number) => (Object.is(v, -0) ? '-0' : v);
  const table = new Map<number | string, string>();
  values.forEach((v, i) => {
    if (!table.has(key(v))) table.set(key(v), Number.isFinite(v) ? parts[i][0].padStart(intW) + parts[i][1].padEnd(fracW) : parts[i][0].padStart(width));
  });
  return (v: number) => table.get(key(v)) ?? String(v);
}

/** The indices shown along a dimension of length n. */
function shown(n: number, summarize: boolean): Array<number | null> {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

/** NumPy-style text for `values` of `shape`. */
export function formatTensor(values: Float32Array, shape: readonly number[]): string {
  const size = values.length;
  const summarize = size > THRESHOLD;
  const rank = shape.length;
  if (rank === 0) return formatter([values[0]])(values[0]).replace(/\.$/, '.0');
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  // Gather the values that will be shown, to size the columns.
  const visible: number[] = [];
  const gather = (dim: number, off: number) => {
    for (const i of shown(shape[dim], summarize)) {
      if (i === null) continue;
      if (dim === rank - 1) visible.push(values[off + i]);
      else gather(dim + 1, off + i * strides[dim]);
    }
  };
  gather(0, 0);
  const fmt = formatter(visible);
  const render = (dim: number, off: number, indent: string): string => {
    if (shape[dim] === 0) return '[]';
    if (dim === rank - 1) {
      const items = shown(shape[dim], summarize).map((i) => (i === null ? '...' : fmt(values[off + i])));
      return `[${items.join(' ')}]`;
    }
    const sep = '\n'.repeat(rank - dim - 1) + indent + ' ';
    const rows = shown(shape[dim], summarize).map((i) => (i === null ? '...' : render(dim + 1, off + i * strides[dim], indent + ' ')));
    return `[${rows.join(sep)}]`;
  };
  return render(0, 0, '');
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
