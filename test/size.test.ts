// The footprint budget: the gzipped size of each entry as built (`npm run size` prints the same
// table and what takes the space in the wasm). Fails when an entry outgrows BUDGET in
// scripts/size.mjs; the figures are printed on every run so CI logs show the trend.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { BUDGET, measure, namedWasm, table } from '../scripts/size.mjs';
// @ts-expect-error: a plain .mjs script without declarations
import { analyse, demangleAll } from '../scripts/wasm-sizes.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDist, ROOT } from './runtimes/expect.js';

type Size = { raw: number; gzip: number };

describe('footprint', () => {
  it('neurite/url (JS + wasm) and neurite (inline) stay within their gzip budgets', () => {
    requireDist();
    const m = measure() as { urlJs: Size; wasm: Size; url: Size; inline: Size };
    console.log(table(m));
    expect(m.url.gzip, `neurite/url is ${m.url.gzip} B gzipped, over its budget of ${BUDGET.url} B`).toBeLessThanOrEqual(BUDGET.url);
    expect(m.inline.gzip, `neurite is ${m.inline.gzip} B gzipped, over its budget of ${BUDGET.inline} B`).toBeLessThanOrEqual(BUDGET.inline);
  });

  it('the bundles are minified (no comments or indentation left but the @ts-self-types banner)', () => {
    requireDist();
    const chunks = ['index.js', 'neurite.js', 'io.js', 'data.js', 'train.js'];
    for (const file of [...chunks.map((f) => `dist/${f}`), 'dist/wasm.js', ...chunks.map((f) => `dist/url/${f}`), 'dist/url/worker.js']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // Terser fills lines up to 1,000 characters (rollup.config.js keeps them that short, for
      // the source line Node prints with an uncaught error); unminified code averages under 40,
      // indented, with TSDoc blocks.
      const lines = text.split('\n').filter((l) => l.length < 10_000); // not the inline wasm
      const mean = lines.reduce((n, l) => n + l.length, 0) / lines.length;
      expect(mean, file).toBeGreaterThan(150);
      // (The inline wasm's basE91 text may hold "/**": only the code lines are searched.)
      expect(lines.join('\n').match(/\/\*\*/g) ?? [], file).toEqual([]);
      expect(text.match(/\n[ \t]{2,}\S/g) ?? [], file).toEqual([]);
    }
  });

  it('the wasm carries no core::fmt float formatting (messages print floats with js_number)', () => {
    requireDist();
    // `{}`, `{:?}`, `{:.N}` or `to_string()` on an f32/f64 anywhere in the wasm links Rust's
    // float printing (flt2dec: Grisu, Dragon4, bignum; ~22 kB of code, ~9 kB gzipped). Every
    // path through it uses Grisu's table of cached powers of ten, whose first entry (the
    // significand of 10^-348, 0xe61acf033d1a45df) then sits in the data section. To find the
    // culprit: `cargo rustc -p neurite-core --lib --release -- --emit=mir` (and -p neurite-wasm)
    // and grep target/release/deps/*.mir for `new_display::<f32>`, `f32 as ToString` or a
    // `new_debug` of something holding floats; route it through `neurite_core::error::js_number`.
    const grisuFirstPower = Buffer.alloc(8);
    grisuFirstPower.writeBigUInt64LE(0xe61acf033d1a45dfn);
    for (const file of ['dist/url/core.wasm', 'dist/url/core-relaxed.wasm']) {
      const at = readFileSync(join(ROOT, file)).indexOf(grisuFirstPower);
      expect(at, `${file} holds core::fmt's float tables (at byte ${at})`).toBe(-1);
    }
  });

  it('the wasm links no Debug list formatting (messages print integer lists with ints)', (ctx) => {
    requireDist();
    // `{:?}` on a Vec or slice links core::fmt's list builders (DebugList, DebugSet,
    // PadAdapter) and the integers' Debug with its hex paths, ~3 kB of code: messages print
    // lists with `neurite_core::error::ints(v)` (the same text). The names come from
    // build/core.names.wasm, which `npm run build:wasm` writes; skipped without it.
    const named = namedWasm() as Uint8Array | null;
    if (!named) return ctx.skip();
    const { bodies } = analyse(named) as { bodies: { name: string }[] };
    const names: string[] = demangleAll(bodies.map((b) => b.name));
    expect(names.length).toBeGreaterThan(1000);
    expect(names.filter((n) => /core::fmt::builders|as core::fmt::Debug>::fmt/.test(n) && /Vec|\[|builders/.test(n))).toEqual([]);
  });
});
