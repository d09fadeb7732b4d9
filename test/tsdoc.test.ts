// Every public declaration of `neurite` and `neurite/url` has a doc comment, as an editor shows
// it on hover: each signature of an overloaded function or method (an editor shows only the
// matched overload's own comment, so `optimizers.adam(0.01)` showed nothing while
// `optimizers.adam({ … })` was documented), each class, interface, type alias and enum, each
// public method, property and accessor, and the members of exported factory objects
// (`initializers.heNormal`). Walks the sources from ts/index.ts and ts/url.ts with the
// TypeScript compiler API (what `npm run build:ts` turns into dist/types, which may be older
// than the sources) and reads the comments as the language service does:
//  - `@internal` declarations are stripped from the shipped .d.ts (tsconfig.build.json's
//    stripInternal) and skipped, and so are overrides of an `@internal` base member
//    (`Dense.abiParams`);
//  - an undocumented override inherits its base member's comment, as on hover;
//  - a function, method or constructor with one signature falls back to its symbol's comment
//    (a constructor to its class's), as on hover; an overload never does.
// Interface members (option fields) are not checked here.
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './runtimes/expect.js';

/**
 * Known gaps in files other changes are editing right now; document them there and remove the
 * entry (an entry that is no longer a gap fails the test below, so the list only shrinks).
 * Nothing here is internal: an internal declaration gets `@internal` instead.
 */
const PENDING = new Set<string>([
]);

/**
 * The public declarations reachable from `entries` that an editor would show without a doc
 * comment (`gaps`, as `name (what)` → `file:line`), and the names of all those checked.
 */
function undocumented(program: ts.Program, entries: string[]): { gaps: Map<string, string>; checked: Set<string> } {
  const checker = program.getTypeChecker();
  const gaps = new Map<string, string>();
  const checked = new Set<string>();
  const seen = new Set<ts.Symbol>();
  const doc = (parts: ts.SymbolDisplayPart[]): boolean => ts.displayPartsToString(parts).trim() !== '';
  const internal = (d: ts.Declaration): boolean => {
    const tagged = (n: ts.Node) => ts.getJSDocTags(n).some((t) => t.tagName.text === 'internal');
    return tagged(d) || (ts.isVariableDeclaration(d) && tagged(d.parent.parent));
  };
  const add = (key: string, d: ts.Node): void => {
    const sf = d.getSourceFile();
    const where = `${sf.fileName.startsWith(ROOT) ? sf.fileName.slice(ROOT.length) : sf.fileName}:${sf.getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
    if (!gaps.has(key)) gaps.set(key, where);
  };
  const check = (name: string, ok: boolean, what: string, d: ts.Node): void => {
    checked.add(name);
    if (!ok) add(`${name} (${what})`, d);
  };
  /** The signatures a caller sees: every overload, not the implementation behind them. */
  const signatures = (decls: readonly ts.Declaration[]): ts.SignatureDeclaration[] => {
    const fns = decls.filter((d): d is ts.SignatureDeclaration => ts.isFunctionLike(d));
    return fns.length > 1 ? fns.filter((d) => !('body' in d && d.body)) : fns;
  };
  /** Each signature without its own (or inherited) comment; a lone one may use `fallback`. */
  const checkSignatures = (name: string, what: string, decls: readonly ts.Declaration[], fallback: ts.Symbol): void => {
    const sigs = signatures(decls);
    sigs.forEach((d, i) => {
      const own = doc(checker.getSignatureFromDeclaration(d)!.getDocumentationComment(checker));
      const ok = own || (sigs.length === 1 && doc(fallback.getDocumentationComment(checker)));
      check(name, ok, sigs.length > 1 ? `${what} overload ${i + 1} of ${sigs.length}` : what, d);
    });
  };
  /** Whether a base class declares `member` as `@internal` (an override of it is internal too). */
  const overridesInternal = (cls: ts.Symbol, member: string): boolean => {
    const bases = (t: ts.Type): ts.Type[] => (t.isClassOrInterface() ? checker.getBaseTypes(t) : []);
    const todo = bases(checker.getDeclaredTypeOfSymbol(cls));
    for (const t of todo) {
      if (t.getProperty(member)?.declarations?.some(internal)) return true;
      todo.push(...bases(t));
    }
    return false;
  };
  const walkMember = (cls: ts.Symbol, m: ts.Symbol, name: string): void => {
    const decls = (m.declarations ?? []).filter((d) => !internal(d));
    const d0 = decls[0];
    if (!d0 || m.flags & ts.SymbolFlags.Prototype) return;
    if (ts.getCombinedModifierFlags(d0) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return;
    if ((d0 as ts.NamedDeclaration).name && ts.isPrivateIdentifier((d0 as ts.NamedDeclaration).name!)) return;
    if (overridesInternal(cls, m.getName())) return;
    if (m.flags & ts.SymbolFlags.Method) checkSignatures(name, 'method', decls, m);
    else if (m.flags & ts.SymbolFlags.Constructor) checkSignatures(name, 'constructor', decls, cls);
    else if (m.flags & (ts.SymbolFlags.Property | ts.SymbolFlags.Accessor)) check(name, doc(m.getDocumentationComment(checker)), 'property', d0);
  };
  const walk = (s: ts.Symbol, name: string): void => {
    if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    if (seen.has(s)) return;
    seen.add(s);
    const decls = (s.declarations ?? []).filter((d) => !internal(d));
    if (decls.length === 0) return;
    if (decls.some((d) => ts.isSourceFile(d) || ts.isModuleDeclaration(d))) {
      for (const e of checker.getExportsOfModule(s)) walk(e, `${name}.${e.getName()}`);
      // A namespace of types merged with a factory object (`layers` and its `layers.Layer` type): the object too.
      if (!(s.flags & ts.SymbolFlags.Variable)) return;
    }
    const documented = doc(s.getDocumentationComment(checker));
    if (s.flags & ts.SymbolFlags.Function) {
      checkSignatures(name, 'function', decls, s);
      // Members assigned to the function (`autoencoder.fromConfig = …`).
      s.exports?.forEach((m) => walk(m, `${name}.${m.getName()}`));
    } else if (s.flags & ts.SymbolFlags.Class) {
      check(name, documented, 'class', decls[0]);
      s.members?.forEach((m) => walkMember(s, m, m.flags & ts.SymbolFlags.Constructor ? `new ${name}` : `${name}#${m.getName()}`));
      s.exports?.forEach((m) => walkMember(s, m, `${name}.${m.getName()}`));
    } else if (s.flags & (ts.SymbolFlags.Property | ts.SymbolFlags.Method)) {
      check(name, documented, 'member', decls[0]);
    } else if (s.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Enum)) {
      const what = s.flags & ts.SymbolFlags.Interface ? 'interface' : s.flags & ts.SymbolFlags.Enum ? 'enum' : 'type';
      check(name, documented, what, decls[0]);
    }
    if (s.flags & ts.SymbolFlags.Variable) {
      check(name, documented, 'const', decls[0]);
      // A factory object (`layers`, `initializers`, `callbacks`): each of its members.
      const v = decls.find(ts.isVariableDeclaration);
      let init = v?.initializer;
      while (init && (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
      // A factory object passed through a one-argument wrapper (`f({ … })`).
      if (init && ts.isCallExpression(init) && init.arguments.length === 1 && ts.isObjectLiteralExpression(init.arguments[0])) init = init.arguments[0];
      if (init && ts.isObjectLiteralExpression(init)) {
        for (const m of checker.getTypeOfSymbol(s).getProperties()) {
          const md = m.declarations?.[0];
          if (md && !internal(md)) check(`${name}.${m.getName()}`, doc(m.getDocumentationComment(checker)), 'member', md);
        }
      }
    }
  };
  for (const f of entries) {
    const sf = program.getSourceFile(f);
    if (!sf) throw new Error(`${f} is not in the program`);
    for (const e of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) walk(e, e.getName());
  }
  return { gaps, checked };
}

const list = (gaps: Map<string, string>): string[] => [...gaps].map(([k, where]) => `${k} ${where}`);

describe('doc comments on the public API (what an editor shows on hover)', () => {
  const entries = ['ts/index.ts', 'ts/url.ts'].map((f) => join(ROOT, f));
  let gaps: Map<string, string>;
  let checked: Set<string>;
  beforeAll(() => {
    const { options } = ts.parseJsonConfigFileContent({ extends: join(ROOT, 'tsconfig.build.json') }, ts.sys, ROOT);
    ({ gaps, checked } = undocumented(ts.createProgram(entries, { ...options, noEmit: true }), entries));
  });

  it('every exported function and overload, class, method, property, interface, type and factory member of neurite and neurite/url has a doc comment', () => {
    expect(list(gaps).filter((g) => !PENDING.has(g.slice(0, g.lastIndexOf(' '))))).toEqual([]);
    // The walk reaches every corner it is meant to: namespaces, overloads, classes and their
    // members (static ones too), functions' own members, factory objects, neurite/url's init.
    for (const name of ['optimizers.adam', 'losses.meanSquaredError', 'tidy', 'Sequential#getOutputAt', 'Sequential#summary', 'Sequential#inputs', 'new Autoencoder', 'Autoencoder.fromConfig', 'autoencoder.fromConfig', 'Layer#output', 'layers.dense', 'initializers.heNormal', 'AutoencoderArgs', 'LoadedModel', 'init']) {
      expect(checked, name).toContain(name);
    }
    expect(checked.size).toBeGreaterThan(1000);
  });

  it('the pending list holds only real gaps (remove an entry once its declaration is documented)', () => {
    expect([...PENDING].filter((k) => !gaps.has(k))).toEqual([]);
  });
});

describe('the check itself', () => {
  it('flags what an editor would show without a comment, and nothing else', () => {
    const files: Record<string, string> = {
      '/v/index.ts': `
        export * as opt from './opt.js';
        export { Base, Thing, type Options, type Name, lone, internalFn, factory } from './things.js';`,
      '/v/opt.ts': `
        /** Adam with options. */
        export function adam(options?: { lr?: number }): number;
        export function adam(lr: number, beta1?: number): number;
        export function adam(...args: unknown[]): number { return args.length; }
        /** Documented once, one signature: fine. */
        export function sgd(lr: number): number { return lr; }`,
      '/v/things.ts': `
        /** A base. */
        export abstract class Base {
          /** @internal */
          abstract abi(): number[];
          /** Shown for overrides too. */
          run(): void {}
        }
        /** A thing. */
        export class Thing extends Base {
          size = 1;
          /** Documented. */
          readonly name = 't';
          #secret = 0;
          private hidden = 0;
          constructor() { super(); }
          abi(): number[] { return [this.#secret, this.hidden]; }
          override run(): void {}
          fit(): void {}
          /** One overload documented. */
          predict(x: number): number;
          predict(x: string): string;
          predict(x: unknown): unknown { return x; }
        }
        export interface Options { a?: number }
        export type Name = 'a' | 'b';
        /** Lone. */
        export function lone(): void {}
        /** @internal */
        export function internalFn(): void {}
        /** Factories. */
        export const factory = {
          /** Made. */
          made: () => 1,
          bare: () => 2,
        };`,
    };
    // An in-memory project (TypeScript's own lib from disk).
    const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: true, strict: true, skipLibCheck: true, types: [] };
    const host = ts.createCompilerHost(options);
    const real = { fileExists: host.fileExists, readFile: host.readFile, getSourceFile: host.getSourceFile, directoryExists: host.directoryExists };
    Object.assign(host, {
      fileExists: (f: string) => f in files || real.fileExists(f),
      readFile: (f: string) => files[f] ?? real.readFile(f),
      directoryExists: (d: string) => d === '/v' || (real.directoryExists?.(d) ?? false),
      getSourceFile: (f: string, lang: ts.ScriptTarget) => (f in files ? ts.createSourceFile(f, files[f], lang, true) : real.getSourceFile(f, lang)),
    });
    const program = ts.createProgram(['/v/index.ts'], options, host);
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(list(undocumented(program, ['/v/index.ts']).gaps)).toEqual([
      'opt.adam (function overload 2 of 2) /v/opt.ts:4',
      'Thing#size (property) /v/things.ts:11',
      'Thing#fit (method) /v/things.ts:19',
      'Thing#predict (method overload 2 of 2) /v/things.ts:22',
      'Options (interface) /v/things.ts:25',
      'Name (type) /v/things.ts:26',
      'factory.bare (member) /v/things.ts:35',
    ]);
  });
});
