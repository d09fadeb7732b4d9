// What a README line like `console.log(net.outputShape); // [3, 4]` says it prints, checked
// against what it prints. The block is run with each such `console.log(` replaced by a
// recorder; the comment's values (numbers, true/false/null/undefined/NaN/Infinity and quoted
// strings) must then appear in the printed text in the same order (other printed text may lie
// between them: an object's further keys, a typed array's name and length). Comment words are
// prose and ignored; a number matches what prints rounded or cut to the comment's digits
// (`2.3561945`, `0.042`), `…` ends a prefix (`0.535…`, `'dense_…/kernel'`), and prose after a
// colon that follows the values is dropped (`[1, 4, 4, 1]: each pixel 2×2 times`), as is a
// lead-in before one (`corners kept: 0 5 10`).

/** A `console.log(…); // comment` line: the text before the comment and the comment. */
const LOGGED = /^(.*\bconsole\.log\(.*\))\s*;?\s+\/\/ (.*)$/;

/** The comment of `line` when it is a logged line with a comment that names values. */
export function saidOf(line: string): string | null {
  const m = LOGGED.exec(line);
  // `≈` says the value is approximate; threads() and memory().threads depend on the machine's cores.
  if (!m || /≈/.test(m[2]) || /threads\(\)|memory\(\)\.threads/.test(m[1])) return null;
  return valuesOf(m[2]).length > 0 ? m[2] : null;
}

/**
 * `code` (a README block whose first line is README line `first`) with each logged line that
 * has a value comment recording what it prints: `__said(line, …args)` prints as console.log and
 * keeps the text; `report()` is the statement that prints them, one JSON line.
 */
export function instrument(code: string, first: number): { code: string; lines: Map<number, string>; report: string } {
  const lines = new Map<number, string>();
  const out = code.split('\n').map((l, k) => {
    const said = saidOf(l);
    if (said === null) return l;
    lines.set(first + k, said);
    return l.replace('console.log(', `__said(${first + k}, `);
  });
  if (lines.size === 0) return { code, lines, report: '' };
  const prelude = "import { format as __format } from 'node:util';\nconst __printed = [];\nconst __said = (line, ...a) => { console.log(...a); __printed.push([line, __format(...a)]); };\n";
  return { code: prelude + out.join('\n'), lines, report: "console.log('said: ' + JSON.stringify(__printed));" };
}

type Atom = { kind: 'number'; text: string; prefix: boolean } | { kind: 'word'; text: string; prefix: boolean };

const KEYWORDS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);
const TOKEN = /'([^']*)'|(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)(…)?|([A-Za-z_$][\w$]*)/g;

/** The values a comment names, in order (see the module notes). */
export function valuesOf(comment: string): Atom[] {
  let text = comment;
  if (/^[{[]/.test(text)) {
    // A printed object or list, then maybe prose after a colon: `[1, 4, 4, 1]: each pixel 2×2 times`.
    let depth = 0;
    const end = [...text].findIndex((ch) => (depth += ch === '[' || ch === '{' ? 1 : ch === ']' || ch === '}' ? -1 : 0) === 0);
    if (end >= 0 && /^:\s/.test(text.slice(end + 1))) text = text.slice(0, end + 1);
  } else {
    const parts = text.split(/:\s/);
    const first = parts.findIndex((p) => atoms(p, false).length > 0);
    text = first < 0 ? '' : parts[first];
  }
  return atoms(text.replace(/\([^()]*[A-Za-z]{3}[^()]*\)/g, ''), false);
}

function atoms(text: string, printed: boolean): Atom[] {
  const out: Atom[] = [];
  for (const m of text.matchAll(TOKEN)) {
    if (m[1] !== undefined) out.push({ kind: 'word', text: m[1].replace(/…$/, ''), prefix: m[1].includes('…') });
    else if (m[2] !== undefined) out.push({ kind: 'number', text: m[2], prefix: m[3] !== undefined });
    else if (printed || KEYWORDS.has(m[4])) out.push({ kind: 'word', text: m[4], prefix: false });
  }
  return out;
}

/** Whether the printed atom `p` is what the comment's `c` says. */
function same(c: Atom, p: Atom): boolean {
  if (c.kind === 'word') {
    if (c.text.includes('…')) {
      const [head, tail] = c.text.split('…');
      return p.text.startsWith(head) && p.text.endsWith(tail) && p.text.length >= head.length + tail.length;
    }
    return c.prefix ? p.text.startsWith(c.text) : p.text === c.text;
  }
  if (p.kind !== 'number') return false;
  if (c.prefix) return p.text.startsWith(c.text);
  const digits = (c.text.split('.')[1] ?? '').replace(/e.*/, '').length;
  const v = Number(p.text);
  if (c.text.includes('e')) return Number(c.text) === v || v.toExponential(digits) === Number(c.text).toExponential(digits);
  return v.toFixed(digits) === c.text || (Math.trunc(v * 10 ** digits) / 10 ** digits).toFixed(digits) === c.text || Number(c.text) === v;
}

/** Null when `printed` shows every value `comment` names, in order; else what is missing. */
export function mismatch(comment: string, printed: string): string | null {
  const want = valuesOf(comment);
  const got = atoms(printed, true);
  let i = 0;
  for (const w of want) {
    while (i < got.length && !same(w, got[i])) i++;
    if (i === got.length) return `the comment says ${w.kind === 'word' ? `'${w.text}'` : w.text}${w.prefix ? '…' : ''} (of: ${comment}), but the line prints: ${printed}`;
    i++;
  }
  return null;
}
