// What takes the space in a .wasm: section sizes, and (when the module has a name section) the
// largest functions and the largest crates/modules by code bytes, from the demangled names.
// Used by scripts/size.mjs (`npm run size`); also `node scripts/wasm-sizes.mjs file.wasm [top]`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(buf, pos) {
  let result = 0, shift = 0, b;
  do {
    b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

const SECTION = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];

/** Parses `bytes` into sections, function body sizes and function names (if present). */
export function analyse(bytes) {
  const sections = [];
  const names = new Map();
  let bodies = [];
  let imported = 0;
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    let size;
    [size, pos] = leb(bytes, pos + 1);
    const start = pos, end = pos + size;
    let name = SECTION[id] ?? `#${id}`;
    if (id === 0) {
      let n;
      [n, pos] = leb(bytes, pos);
      name = `custom:${Buffer.from(bytes.subarray(pos, pos + n)).toString('utf8')}`;
      pos += n;
      if (name === 'custom:name') readNames(bytes, pos, end, names);
    } else if (id === 2) {
      let count;
      [count, pos] = leb(bytes, pos);
      for (let i = 0; i < count; i++) {
        let n;
        [n, pos] = leb(bytes, pos); pos += n; // module
        [n, pos] = leb(bytes, pos); pos += n; // field
        const kind = bytes[pos++];
        if (kind === 0) { [, pos] = leb(bytes, pos); imported++; }
        else if (kind === 1) { pos++; const f = bytes[pos++]; [, pos] = leb(bytes, pos); if (f & 1) [, pos] = leb(bytes, pos); }
        else if (kind === 2) { const f = bytes[pos++]; [, pos] = leb(bytes, pos); if (f & 1) [, pos] = leb(bytes, pos); }
        else if (kind === 3) { pos += 2; }
      }
    } else if (id === 10) {
      let count;
      [count, pos] = leb(bytes, pos);
      bodies = [];
      for (let i = 0; i < count; i++) {
        let n;
        [n, pos] = leb(bytes, pos);
        bodies.push({ index: imported + i, size: n });
        pos += n;
      }
    }
    sections.push({ name, size: end - start });
    pos = end;
  }
  for (const b of bodies) b.name = names.get(b.index) ?? `func[${b.index}]`;
  return { sections, bodies, hasNames: names.size > 0 };
}

function readNames(bytes, pos, end, names) {
  while (pos < end) {
    const sub = bytes[pos++];
    let size;
    [size, pos] = leb(bytes, pos);
    const subEnd = pos + size;
    if (sub === 1) {
      let count;
      [count, pos] = leb(bytes, pos);
      for (let i = 0; i < count; i++) {
        let idx, n;
        [idx, pos] = leb(bytes, pos);
        [n, pos] = leb(bytes, pos);
        names.set(idx, Buffer.from(bytes.subarray(pos, pos + n)).toString('utf8'));
        pos += n;
      }
    }
    pos = subEnd;
  }
}

/**
 * Turns a Rust symbol (legacy `_ZN…E` or v0 `_R…`) into its path of identifiers `a::b::c`
 * (crate first; good enough to group by crate and module, not a full demangler).
 */
export function demangle(sym) {
  const legacy = /^_ZN(.*)E$/.exec(sym);
  const v0 = /^_R/.test(sym);
  if (!legacy && !v0) return sym;
  let s = legacy ? legacy[1] : sym.slice(sym.search(/C[s0-9a-zA-Z]*?_?\d/) >= 0 ? sym.search(/Cs[0-9a-zA-Z]*_\d/) : 2);
  if (v0) s = s.replace(/^Cs[0-9a-zA-Z]*_/, '');
  const parts = [];
  let i = 0;
  while (i < s.length) {
    const d = /^(\d+)_?/.exec(s.slice(i));
    if (!d) {
      // v0 tags (Nt, Nv, M, X, I, E, back-references B…_, crate roots Cs…_): skip.
      const skip = /^(B[0-9a-zA-Z]*_|Cs[0-9a-zA-Z]*_|s[0-9a-zA-Z]*_|K[a-z]|[A-Za-z])/.exec(s.slice(i));
      i += skip ? skip[0].length : 1;
      continue;
    }
    const n = Number(d[1]);
    const start = i + d[0].length;
    parts.push(s.slice(start, start + n));
    i = start + n;
  }
  if (legacy && /^h[0-9a-f]{16}$/.test(parts.at(-1) ?? '')) parts.pop();
  return parts.join('::').replace(/\$LT\$/g, '<').replace(/\$GT\$/g, '>').replace(/\$u20\$/g, ' ')
    .replace(/\$RF\$/g, '&').replace(/\$C\$/g, ',').replace(/\.\./g, '::');
}

/** Groups code bytes by the first two path segments of the demangled name (e.g. `neurite_core::ops`). */
export function byModule(bodies) {
  const groups = new Map();
  for (const b of bodies) {
    const d = demangle(b.name).replace(/^</, '');
    const key = d.split('::').slice(0, 2).join('::').split(' as ')[0];
    groups.set(key, (groups.get(key) ?? 0) + b.size);
  }
  return [...groups.entries()].sort((a, b) => b[1] - a[1]);
}

export function report(bytes, top = 15) {
  const { sections, bodies, hasNames } = analyse(bytes);
  const lines = ['sections:'];
  for (const s of [...sections].sort((a, b) => b.size - a.size)) lines.push(`  ${s.name.padEnd(24)} ${String(s.size).padStart(8)} B`);
  const code = bodies.reduce((a, b) => a + b.size, 0);
  lines.push(`functions: ${bodies.length}, code ${code} B`);
  if (hasNames) {
    lines.push(`largest modules (code bytes):`);
    for (const [k, v] of byModule(bodies).slice(0, top)) lines.push(`  ${String(v).padStart(8)} B ${(100 * v / code).toFixed(1).padStart(5)}%  ${k}`);
  }
  lines.push(`largest functions:`);
  for (const b of [...bodies].sort((a, b) => b.size - a.size).slice(0, top)) lines.push(`  ${String(b.size).padStart(8)} B  ${demangle(b.name).slice(0, 110)}`);
  if (!hasNames) lines.push('  (no name section: build with CARGO_PROFILE_RELEASE_STRIP=none for names)');
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/wasm-sizes.mjs file.wasm [top]');
    process.exit(2);
  }
  console.log(report(readFileSync(file), Number(top ?? 25)));
}
