// What takes the space in a .wasm: section sizes, and (when the module has a name section, as
// build/core.names.wasm has) the code bytes by area (layers, kernels, exports, fmt/panic…), by
// module and by function, from the demangled names; and the per-function change between two
// builds. Used by scripts/size.mjs (`npm run size`); also
//   node scripts/wasm-sizes.mjs file.wasm [top]
//   node scripts/wasm-sizes.mjs --diff before.names.wasm after.names.wasm [top]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

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
 * (crate first; good enough to group by crate and module, not a full demangler). Used where
 * c++filt is missing; [`demangleAll`] prefers it.
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

/**
 * Every symbol of `syms` demangled, in order: by c++filt (binutils; it reads Rust's v0
 * mangling: `<neurite_core::model::Sequential as neurite_core::layers::Layer>::build`,
 * `gemm_packed::{closure#0}`) when it is installed, else by [`demangle`]. The crates' hashes
 * (`neurite_core[a840b96aa6150b37]`, printed without leading zeros: `std[229675b15c2ffb3]`) are
 * dropped.
 */
export function demangleAll(syms) {
  const r = spawnSync('c++filt', [], { input: syms.join('\n'), encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = r.status === 0 ? r.stdout.split('\n') : [];
  return syms.map((s, i) => (out.length > syms.length - 1 && /^_R/.test(s) ? out[i] : demangle(s)).replace(/\[[0-9a-f]{1,16}\]/g, ''));
}

/**
 * The module path a function's bytes count for: the impl's type for a trait method
 * (`<a::b::T as c::Trait>::f` counts for `a::b`), up to `depth` segments; an export
 * (`nr_*`) counts for `exports (nr_*)`.
 */
export function modulePath(name, depth = 2) {
  if (/^nr_/.test(name)) return 'exports (nr_*)';
  const d = name.replace(/^<+/, '').replace(/^(&|&mut |\*const |\*mut |dyn )+/, '');
  const segs = [];
  for (const seg of d.split('::')) {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(seg);
    if (!m || m[0] !== seg || /^[A-Z]/.test(seg)) break; // a type, generics or `as`: the module ends here
    segs.push(seg);
    if (segs.length === depth) break;
  }
  return segs.length ? segs.join('::') : d.split(/[<\s]/)[0];
}

/** What a function is, for the totals by area (first match wins). */
const AREAS = [
  ['exports (C ABI)', /^(exports \(nr_|neurite_wasm)/],
  ['kernels', /^neurite_core::(kernels|parallel)/],
  ['layers', /^neurite_core::layers/],
  ['model (trainer, graphs)', /^neurite_core::model/],
  ['ops', /^neurite_core::(ops|image|shape|tensor|sort|rng|initializers)/],
  ['autodiff (tape rules)', /^neurite_core::autodiff/],
  ['activations', /^neurite_core::activations/],
  ['losses', /^neurite_core::losses/],
  ['optimizers', /^neurite_core::optim/],
  ['constraints, regularizers', /^neurite_core::(constraints|regularizers)/],
  ['compression', /^neurite_core::compression/],
  ['classic, decomposition', /^neurite_core::(classic|decomposition)/],
  ['config, errors', /^neurite_core::(config|error)/],
  ['neurite_core (other)', /^neurite_core/],
  ['fmt, panic, strings', /^(core::(fmt|panicking|panic|str|unicode|char|result::unwrap_failed|option::expect_failed)|alloc::(fmt|string|str)|std::(panicking|io))/],
  ['allocator', /^(dlmalloc|alloc::(alloc|raw_vec)|std::alloc|__rust_(alloc|dealloc|realloc)|__rdl_|__rg_)/],
  ['libm, compiler builtins', /^(compiler_builtins|libm)/],
  ['core/alloc/std generics', /^(core|alloc|std)::/],
];

export function area(path) {
  return AREAS.find(([, re]) => re.test(path))?.[0] ?? 'other';
}

/** Sums `bodies`' sizes by `key(body)`, largest first. */
function totals(bodies, key) {
  const groups = new Map();
  for (const b of bodies) groups.set(key(b), (groups.get(key(b)) ?? 0) + b.size);
  return [...groups.entries()].sort((a, b) => b[1] - a[1]);
}

/** Groups code bytes by the first two path segments of the demangled name (e.g. `neurite_core::ops`). */
export function byModule(bodies, depth = 2) {
  const names = demangleAll(bodies.map((b) => b.name));
  return totals(bodies.map((b, i) => ({ size: b.size, path: modulePath(names[i], depth) })), (b) => b.path);
}

export function report(bytes, top = 15) {
  const { sections, bodies, hasNames } = analyse(bytes);
  const lines = ['sections:'];
  for (const s of [...sections].sort((a, b) => b.size - a.size)) lines.push(`  ${s.name.padEnd(24)} ${String(s.size).padStart(8)} B`);
  const code = bodies.reduce((a, b) => a + b.size, 0);
  lines.push(`functions: ${bodies.length}, code ${code} B`);
  const pct = (v) => `${(100 * v / code).toFixed(1).padStart(5)}%`;
  const names = hasNames ? demangleAll(bodies.map((b) => b.name)) : bodies.map((b) => b.name);
  const named = bodies.map((b, i) => ({ size: b.size, name: names[i], path: modulePath(names[i], 3) }));
  if (hasNames) {
    lines.push('code bytes by area:');
    for (const [k, v] of totals(named, (b) => area(b.path))) lines.push(`  ${String(v).padStart(8)} B ${pct(v)}  ${k}`);
    lines.push('largest modules (code bytes):');
    for (const [k, v] of totals(named, (b) => b.path).slice(0, top)) lines.push(`  ${String(v).padStart(8)} B ${pct(v)}  ${k}`);
  }
  lines.push('largest functions:');
  for (const b of [...named].sort((a, b) => b.size - a.size).slice(0, top)) lines.push(`  ${String(b.size).padStart(8)} B  ${b.name.slice(0, 130)}`);
  if (!hasNames) lines.push('  (no name section: `npm run build:wasm` writes build/core.names.wasm, which has one)');
  return lines.join('\n');
}

/**
 * Per-function change from module `a` to module `b` (both with names): the functions that
 * grew, shrank, appeared or went, largest change first, and the totals. Functions are matched
 * by demangled name (several of one name, e.g. closures, are summed).
 */
export function diff(a, b, top = 40) {
  const sum = (bytes) => {
    const { bodies } = analyse(bytes);
    const names = demangleAll(bodies.map((f) => f.name));
    const m = new Map();
    bodies.forEach((f, i) => m.set(names[i], (m.get(names[i]) ?? 0) + f.size));
    return m;
  };
  const [ma, mb] = [sum(a), sum(b)];
  const rows = [];
  for (const k of new Set([...ma.keys(), ...mb.keys()])) {
    const d = (mb.get(k) ?? 0) - (ma.get(k) ?? 0);
    if (d) rows.push([d, ma.get(k) ?? 0, mb.get(k) ?? 0, k]);
  }
  rows.sort((x, y) => Math.abs(y[0]) - Math.abs(x[0]));
  const total = (m) => [...m.values()].reduce((x, y) => x + y, 0);
  const byArea = new Map();
  for (const [d, , , k] of rows) byArea.set(area(modulePath(k, 3)), (byArea.get(area(modulePath(k, 3))) ?? 0) + d);
  const lines = [`code ${total(ma)} -> ${total(mb)} B (${total(mb) - total(ma)}), file ${a.length} -> ${b.length} B, gzipped ${gzipSync(a, { level: 9 }).length} -> ${gzipSync(b, { level: 9 }).length} B`];
  lines.push('by area:');
  for (const [k, v] of [...byArea].sort((x, y) => x[1] - y[1])) lines.push(`  ${String(v).padStart(8)} B  ${k}`);
  lines.push('functions (change, before, after):');
  for (const [d, x, y, k] of rows.slice(0, top)) lines.push(`  ${String(d).padStart(7)} ${String(x).padStart(7)} ${String(y).padStart(7)}  ${k.slice(0, 120)}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--diff' && args.length >= 3) {
    console.log(diff(readFileSync(args[1]), readFileSync(args[2]), Number(args[3] ?? 40)));
  } else if (args[0] && args[0] !== '--diff') {
    console.log(report(readFileSync(args[0]), Number(args[1] ?? 25)));
  } else {
    console.error('usage: node scripts/wasm-sizes.mjs file.wasm [top]\n       node scripts/wasm-sizes.mjs --diff before.wasm after.wasm [top]   (modules with names)');
    process.exit(2);
  }
}
