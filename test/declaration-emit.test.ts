// Every type in neurite's public signatures can be named from 'neurite' (a tester's report: a
// library built on neurite failed `tsc --declaration` with TS2742, "the inferred type of 'x'
// cannot be named without a reference to '../node_modules/neurite/dist/types/layers/
// regularizers'", or emitted `import("../node_modules/neurite/dist/types/…")` paths, for
// `regularizers.l2()`'s L1L2, `keep`'s Disposable, the Autoencoder's fit arguments, predict's
// Verbose, the tensor methods' OpPadding and save's WebURL).
//
// How: one program over the sources (ts/index.ts through a `paths` mapping of 'neurite', so no
// build is needed) is used to list everything 'neurite' exports, recursively: the namespaces
// (`losses`, `io`, …) and object values (`layers`, `regularizers`, …), the classes' static
// and public instance members, the exported interfaces' and type aliases' members. For each a
// line of a generated module (in memory) makes TypeScript write the type out in a .d.ts: the
// value's or member's type, and, for anything callable or constructible, every overload's
// parameters and result as a tuple (`typeof nr.keep` alone would be written as just that).
// The module is then emitted with `declaration: true` (to memory) and must give no
// declaration diagnostic (TS2742, TS4xxx) and no `import("…")` type: each such path names a
// module of the sources, i.e. a type the user cannot import from 'neurite'.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The generated module: never written to disk. */
const GEN = join(ROOT, 'test', '__declaration_emit__.ts').replace(/\\/g, '/');
const OUT = join(ROOT, 'test', '__declaration_emit_out__').replace(/\\/g, '/');
const HEADER = `import * as nr from 'neurite';\ndeclare function expand<T>(x: T): T;\n`;

function compilerOptions(): ts.CompilerOptions {
  const file = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(file, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, file);
  return {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    skipLibCheck: true,
    rootDir: ROOT,
    outDir: OUT,
    baseUrl: ROOT,
    paths: { neurite: ['ts/index.ts'] },
  };
}

function makeHost(options: ts.CompilerOptions, text: () => string): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  const isGen = (f: string) => f.replace(/\\/g, '/') === GEN;
  host.getSourceFile = (f, lang, onError, create) =>
    isGen(f) ? ts.createSourceFile(f, text(), lang, true) : getSourceFile.call(host, f, lang, onError, create);
  host.fileExists = (f) => isGen(f) || fileExists.call(host, f);
  host.readFile = (f) => (isGen(f) ? text() : readFile.call(host, f));
  return host;
}

/** Whether a declaration is `@internal` (removed from dist/types by stripInternal). */
function isInternalNode(d: ts.Node): boolean {
  const nodes: ts.Node[] = [d];
  if (ts.isVariableDeclaration(d) && d.parent?.parent) nodes.push(d.parent.parent);
  return nodes.some((n) => {
    const sf = n.getSourceFile();
    const ranges = ts.getLeadingCommentRanges(sf.text, n.getFullStart()) ?? [];
    return ranges.some((r) => /@internal\b/.test(sf.text.slice(r.pos, r.end)));
  });
}
const isInternal = (sym: ts.Symbol) => (sym.declarations ?? []).some(isInternalNode);
/** Signatures all declared `@internal` (a constructor the build makes `protected constructor()`). */
const allInternal = (sigs: readonly ts.Signature[]) => sigs.every((s) => s.declaration !== undefined && isInternalNode(s.declaration));

interface Generated {
  text: string;
  /** The generated constant's name → what it stands for (`nr.regularizers.l2 (overloads)`). */
  what: Map<string, string>;
}

/** The generated module: a line per public value, member, type and overload list. */
function generate(checker: ts.TypeChecker, moduleSymbol: ts.Symbol): Generated {
  const lines: string[] = [];
  const what = new Map<string, string>();
  const arities = new Set<number>();
  const seen = new Set<ts.Symbol>();
  const seenTypes = new Set<ts.Type>();
  let n = 0;
  const line = (type: string, label: string) => {
    const name = `x${n++}`;
    what.set(name, label);
    lines.push(`export const ${name} = expand(null as unknown as ${type});`);
  };
  const isHidden = (p: ts.Symbol) =>
    p.name.startsWith('__@') || p.name.startsWith('__#') || p.name.startsWith('#') ||
    (p.declarations ?? []).some((d) => (ts.getCombinedModifierFlags(d as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0) ||
    isInternal(p);

  /** Every overload's parameters and result, of `typeExpr` (a type) of type `type`. */
  const signatures = (typeExpr: string, type: ts.Type, label: string) => {
    const calls = type.getCallSignatures().length;
    if (calls > 0 && !allInternal(type.getCallSignatures())) {
      arities.add(calls);
      line(`Sigs${calls}<${typeExpr}>`, `${label} (call signatures)`);
    }
    const news = type.getConstructSignatures();
    if (news.length > 0 && !allInternal(news)) line(`CSigs<${typeExpr}>`, `${label} (constructor)`);
  };

  /** The members of an object type: `typeExpr[k]` for each public property `k`. */
  const members = (typeExpr: string, type: ts.Type, label: string, depth: number) => {
    if (seenTypes.has(type)) return;
    seenTypes.add(type);
    for (const p of checker.getPropertiesOfType(type)) {
      if (isHidden(p) || p.name === 'prototype') continue;
      const expr = `${typeExpr}[${JSON.stringify(p.name)}]`;
      const pType = checker.getTypeOfSymbol(p);
      const pLabel = `${label}.${p.name}`;
      line(expr, pLabel);
      signatures(expr, pType, pLabel);
      // An object value such as `layers` or `regularizers`: its members too.
      if (depth > 0 && isPlainObject(pType)) members(expr, pType, pLabel, depth - 1);
      if (pType.getConstructSignatures().length > 0) instanceSide(expr, pType, pLabel);
    }
  };

  /** A class (or a value that constructs): its instances' public members. */
  const instanceSide = (ctorTypeExpr: string, ctorType: ts.Type, label: string) => {
    const sig = ctorType.getConstructSignatures()[0];
    if (!sig) return;
    const instance = checker.getReturnTypeOfSignature(sig);
    members(`InstanceType<${ctorTypeExpr}>`, instance, `${label}#`, 0);
  };

  const isPlainObject = (t: ts.Type): boolean =>
    ((t.flags & ts.TypeFlags.Object) !== 0 && ((t as ts.ObjectType).objectFlags & ts.ObjectFlags.Anonymous) !== 0 ||
      (t.isIntersection() && t.types.every((u) => isPlainObject(u) || (u.flags & ts.TypeFlags.Object) !== 0))) &&
    t.getCallSignatures().length === 0 &&
    t.getConstructSignatures().length === 0;

  /** A type's name with `any` for each type parameter (`nr.TensorBuffer<any, any>`). */
  const typeReference = (path: string, sym: ts.Symbol) => {
    const decl = sym.declarations?.find((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassDeclaration(d)) as
      | ts.InterfaceDeclaration
      | ts.TypeAliasDeclaration
      | ts.ClassDeclaration
      | undefined;
    const params = decl?.typeParameters ?? [];
    return params.length && params.some((p) => !p.default) ? `${path}<${params.map(() => 'any').join(', ')}>` : path;
  };

  const visit = (exported: ts.Symbol, path: string, depth: number) => {
    const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (isInternal(exported) || isInternal(sym)) return;
    const label = path.replace(/^nr\./, '');
    // A namespace: `export * as losses` (a module) or `declare namespace layers`.
    if (sym.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) {
      if (!seen.has(sym)) {
        seen.add(sym);
        for (const e of checker.getExportsOfModule(sym)) visit(e, `${path}.${e.name}`, depth + 1);
      }
    }
    if (sym.flags & ts.SymbolFlags.Class) {
      if (seen.has(sym)) return;
      seen.add(sym);
      const ctor = checker.getTypeOfSymbol(sym);
      line(`typeof ${path}`, label);
      signatures(`typeof ${path}`, ctor, label);
      members(`typeof ${path}`, ctor, label, 0); // statics
      members(typeReference(path, sym), checker.getDeclaredTypeOfSymbol(sym), `${label}#`, 0);
      return;
    }
    if (sym.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Variable)) {
      const type = checker.getTypeOfSymbol(sym);
      line(`typeof ${path}`, label);
      signatures(`typeof ${path}`, type, label);
      if (isPlainObject(type) && depth < 3) members(`typeof ${path}`, type, label, 2);
      if (type.getConstructSignatures().length > 0) instanceSide(`typeof ${path}`, type, label);
    }
    if (sym.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
      const ref = typeReference(path, sym);
      const type = checker.getDeclaredTypeOfSymbol(sym);
      line(ref, `type ${label}`);
      signatures(ref, type, `type ${label}`);
      if (type.flags & ts.TypeFlags.Object) members(ref, type, `type ${label}`, 0);
      // A union (`ActivationSpec`, `PixelSource`): each member written out.
      if (type.isUnion()) line(`Each<${ref}>`, `type ${label} (each member)`);
    }
  };

  for (const e of checker.getExportsOfModule(moduleSymbol)) visit(e, `nr.${e.name}`, 0);

  const sigs = [...arities].map((k) => {
    const idx = Array.from({ length: k }, (_, i) => i);
    return `type Sigs${k}<T> = T extends { ${idx.map((i) => `(...a: infer A${i}): infer R${i};`).join(' ')} } ? [${idx.map((i) => `A${i}, R${i}`).join(', ')}] : never;`;
  });
  sigs.push(`type Each<T> = T extends unknown ? [T] : never;`);
  sigs.push(`type CSigs<T> = T extends abstract new (...a: infer A) => infer R ? [A, R] : never;`);
  return { text: HEADER + sigs.join('\n') + '\n' + lines.join('\n') + '\n', what };
}

/**
 * Known, in files this test's author could not change; each entry must still occur (remove it
 * once fixed). Matched against the start of a reported problem.
 */
const KNOWN: { problem: string; why: string }[] = [];

describe('declaration emit of a library built on neurite', () => {
  it('names every type of the public API from neurite (no TS2742, no import("…") paths)', () => {
    const options = compilerOptions();
    let text = `${HEADER}export {};\n`;
    const host = makeHost(options, () => text);
    const first = ts.createProgram([GEN], options, host);
    const checker = first.getTypeChecker();
    const stub = first.getSourceFile(GEN)!;
    const importDecl = stub.statements.find(ts.isImportDeclaration)!;
    const ns = (importDecl.importClause!.namedBindings as ts.NamespaceImport).name;
    const moduleSymbol = checker.getAliasedSymbol(checker.getSymbolAtLocation(ns)!);
    expect(moduleSymbol.valueDeclaration?.getSourceFile().fileName).toMatch(/ts\/index\.ts$/);

    const gen = generate(checker, moduleSymbol);
    expect(gen.what.size).toBeGreaterThan(2000); // the walk reached the whole API
    text = gen.text;
    let program = ts.createProgram([GEN], options, host, first);

    // The generated module itself type-checks (a member it may not read is the generator's bug).
    const semantic = program.getSemanticDiagnostics(program.getSourceFile(GEN)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
    expect(semantic).toEqual([]);

    // A type declared but not exported in its module is a TS4xxx diagnostic, and then
    // TypeScript writes no .d.ts: those constants are reported and left out of a second emit,
    // which shows the `import("…")` paths (types exported by a module of the sources only).
    const problems: string[] = [];
    let dts = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const sf = program.getSourceFile(GEN)!;
      const lines = sf.text.split('\n');
      const nameAt = (pos: number) => /export const (x\d+)/.exec(lines[sf.getLineAndCharacterOfPosition(pos).line] ?? '')?.[1];
      dts = '';
      const emitted = program.emit(sf, (file, data) => { if (file.endsWith('.d.ts')) dts = data; }, undefined, true);
      const blocked = new Set<string>();
      for (const d of [...emitted.diagnostics, ...program.getDeclarationDiagnostics(sf)]) {
        const name = nameAt(d.start ?? 0);
        const message = `${name ? gen.what.get(name) : 'line ' + sf.getLineAndCharacterOfPosition(d.start ?? 0).line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/"[^"]*\/ts\//g, '"ts/')}`;
        if (!problems.includes(message)) problems.push(message);
        if (name) blocked.add(name);
      }
      if (!blocked.size) break;
      text = lines.filter((l) => !blocked.has(/export const (x\d+)/.exec(l)?.[1] ?? '')).join('\n');
      program = ts.createProgram([GEN], options, host, program);
    }
    expect(dts).toContain('export declare const x0');
    // DECLARATION_EMIT_DUMP=dir writes the generated module and its .d.ts there, to look at.
    const dump = process.env.DECLARATION_EMIT_DUMP;
    if (dump) {
      mkdirSync(dump, { recursive: true });
      writeFileSync(join(dump, 'generated.ts'), gen.text);
      writeFileSync(join(dump, 'generated.d.ts'), dts);
    }

    // Each declared constant whose written type goes through a module of the sources.
    for (const decl of dts.split(/(?=^export declare const )/m)) {
      const m = /^export declare const (x\d+)/.exec(decl);
      if (!m) continue;
      const refs = [...decl.matchAll(/import\("([^"]+)"\)((?:\.\w+)*)/g)].map((r) => `${r[1].replace(/^.*?\bts\//, 'ts/')}${r[2]}`);
      if (refs.length) problems.push(`${gen.what.get(m[1])}: ${[...new Set(refs)].join(', ')}`);
    }
    const isKnown = (p: string) => KNOWN.some((k) => p.startsWith(k.problem));
    expect(problems.filter((p) => !isKnown(p))).toEqual([]);
    // A known problem that is gone: remove it from KNOWN.
    expect(KNOWN.filter((k) => !problems.some((p) => p.startsWith(k.problem))).map((k) => k.problem)).toEqual([]);
  });
});
