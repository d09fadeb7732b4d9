/**
 * Renders fuzz-call arguments as JS source, so that the printed call log reads like the code
 * that reproduces a failure: `sum(t3, 4294967296)`, `tensor(new DataView(new ArrayBuffer(8)))`.
 */

/** Source text printed as is (a function, an expression the generator wrote by hand). */
export class Code {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
  }
}

/** `new Code(text)`. */
export const code = (text) => new Code(text);

/** Names of tensors and models the driver holds (`t12`, `m3`), set by the driver. */
export const names = new WeakMap();

/** A number as JS source: keeps -0, NaN, ±Infinity and powers of two readable. */
export function num(v) {
  if (Object.is(v, -0)) return '-0';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  const a = Math.abs(v);
  if (Number.isInteger(a) && a >= 2 ** 20) {
    const p = Math.round(Math.log2(a));
    for (const d of [-1, 0, 1]) {
      if (2 ** p + d === a) return `${v < 0 ? '-' : ''}(2 ** ${p}${d === 0 ? '' : d > 0 ? ' + 1' : ' - 1'})`;
    }
  }
  return String(v);
}

/**
 * `v` as JS source. Arrays longer than `max` are shortened with a comment, so lines stay
 * readable; tensors appear by name.
 */
export function render(v, max = 24, depth = 0) {
  if (v instanceof Code) return v.text;
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return num(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) : v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return names.get(v) ?? (v.name ? `/* fn */ ${v.name}` : '() => {}');
  if (names.has(v)) return names.get(v);
  if (depth > 6) return '…';
  if (v instanceof DataView) return `new DataView(new ArrayBuffer(${v.byteLength}))`;
  if (ArrayBuffer.isView(v)) {
    const items = Array.from(v, (x) => (typeof x === 'bigint' ? `${x}n` : num(x)));
    return `new ${v.constructor.name}([${short(items, max)}])`;
  }
  if (Array.isArray(v)) {
    const items = [];
    for (let i = 0; i < v.length; i++) items.push(i in v ? render(v[i], max, depth + 1) : '');
    return `[${short(items, max)}]`;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `/* ${proto?.constructor?.name ?? 'object'} */ {}`;
    const items = Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${render(x, max, depth + 1)}`);
    return items.length === 0 ? '{}' : `{ ${items.join(', ')} }`;
  }
  return String(v);
}

function short(items, max) {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')}, /* …${items.length - max} more */`;
}

/** `op(a, b, …)` with rendered arguments. */
export function callLine(op, args) {
  return `${op}(${args.map((a) => render(a)).join(', ')})`;
}
