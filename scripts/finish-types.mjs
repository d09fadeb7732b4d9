#!/usr/bin/env node
// Runs after `tsc -p tsconfig.build.json` (in `npm run build:ts`) and makes dist/types usable by
// every consumer setup (test/types.test.ts compiles against it without skipLibCheck):
//  - `Symbol.dispose` exists in TypeScript's lib only with `lib: esnext.disposable` (or esnext);
//    neurite's classes declare `[Symbol.dispose]()`, which breaks `tsc --target es2022` with the
//    default lib, and a `using` declaration needs the global `Disposable` interface ("Cannot
//    find global type 'Disposable'"). dist/types/disposable.d.ts declares both the way
//    lib.esnext.disposable.d.ts and @types/node do (identical declarations merge), and both
//    entry points reference it. Not `AsyncDisposable`/`Symbol.asyncDispose`: neurite's objects
//    are disposed synchronously, and tensor.ts polyfills only `Symbol.dispose` at run time.
//  - the inline entry's packed wasm must never appear in a declaration (it is typed `string`).
//  - no `/// <reference lib="dom" />`: it gave every Node program that imports neurite the DOM
//    globals (`document.body` type-checked with `lib: ["es2022"]`). The declarations name web
//    types (`Response`, `URL`, `WebAssembly.Module`, `Worker`, `ImageData`…) only through the
//    aliases of ts/web-types.ts, which are the consumer's own global types where its program
//    declares them and `never` elsewhere (test/types.test.ts type-checks the declarations in a
//    program without DOM and one without any web globals, so a bare DOM name fails there).
//  - dist/types-deno/: the same declarations with their relative imports naming the `.d.ts`
//    files (`./tensor.d.ts`, not `./tensor.js`), which is how Deno resolves a declaration file's
//    imports when a bundle is imported by path; tsc rejects that form, so it is a second copy.
//    Each bundle's `@ts-self-types` comment (rollup.config.js) points there.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const types = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'types');
const DISPOSABLE = `// Symbol.dispose and Disposable (what a \`using\` declaration needs) for consumers whose lib
// lacks esnext.disposable: the same declarations as TypeScript's lib.esnext.disposable.d.ts and
// @types/node, so they merge. At run time neurite uses Symbol.dispose when the runtime has it,
// else Symbol.for('Symbol.dispose').
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
}
export {};
`;
writeFileSync(join(types, 'disposable.d.ts'), DISPOSABLE);
const ref = '/// <reference path="./disposable.d.ts" />\n';
for (const entry of ['index.d.ts', 'url.d.ts']) {
  const f = join(types, entry);
  if (!existsSync(f)) throw new Error(`finish-types: ${f} is missing (did tsc run?)`);
  const src = readFileSync(f, 'utf8');
  if (!src.includes(ref)) writeFileSync(f, ref + src);
}
const inline = join(types, 'wasm', 'inline.generated.d.ts');
if (existsSync(inline)) {
  const src = readFileSync(inline, 'utf8');
  if (src.length > 1000) throw new Error(`finish-types: ${inline} is ${src.length} characters: the packed wasm leaked into the declarations`);
}

// Classes whose constructor is `@internal` (made by ops and factories: Tensor, Optimizer, …):
// stripInternal removes it, and a class without one in a declaration has a public constructor
// of no arguments, so `new Tensor()` type-checked (and failed at run time). Each gets
// `protected constructor();` (their subclasses' declarations still extend them). The classes
// are found in the sources: a constructor whose doc comment says @internal.
const sources = join(types, '..', '..', 'ts');
const hidden = new Set();
for (const f of readdirSync(sources, { recursive: true })) {
  if (!String(f).endsWith('.ts') || String(f).endsWith('.d.ts')) continue;
  const src = readFileSync(join(sources, String(f)), 'utf8');
  for (const m of src.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*constructor\(/g)) {
    if (!m[1].includes('@internal')) continue;
    const before = src.slice(0, m.index);
    const cls = [...before.matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)].at(-1);
    if (cls) hidden.add(cls[1]);
  }
}
const protectedCtors = new Set();
for (const f of readdirSync(types, { recursive: true })) {
  if (!String(f).endsWith('.d.ts')) continue;
  const p = join(types, String(f));
  const src = readFileSync(p, 'utf8');
  const out = src.replace(/^(export )?declare (abstract )?class (\w+)\b[^\n]*\{\n/gm, (line, _e, _a, name, at) => {
    if (!hidden.has(name)) return line;
    // The class body up to its end (a line `}` at the start): no constructor of its own.
    const end = src.indexOf('\n}', at);
    protectedCtors.add(name);
    if (/^\s*(?:protected |private )?constructor\(/m.test(src.slice(at, end))) return line; // declared (or a second run)
    return `${line}    /** Made by neurite's functions and factories (see the class's documentation), not with \`new\`. */\n    protected constructor();\n`;
  });
  if (out !== src) writeFileSync(p, out);
}
const missing = [...hidden].filter((n) => !protectedCtors.has(n));
if (missing.length > 0) throw new Error(`finish-types: no declaration found for the classes with an @internal constructor: ${missing.join(', ')}`);

const deno = join(types, '..', 'types-deno');
rmSync(deno, { recursive: true, force: true });
cpSync(types, deno, { recursive: true });
for (const f of readdirSync(deno, { recursive: true })) {
  if (!String(f).endsWith('.d.ts')) continue;
  const p = join(deno, String(f));
  const src = readFileSync(p, 'utf8');
  const out = src.replace(/((?:from|import\()\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g, '$1$2.d.ts$3');
  if (out !== src) writeFileSync(p, out);
}
