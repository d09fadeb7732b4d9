/**
 * Which copy of neurite made an object. Two copies can meet in one program (`neurite` and
 * `neurite/url` both imported, or a library's install beside the app's); each has its own
 * WebAssembly instance and classes, so an optimizer, layer, model or callback of one is not an
 * instance of the other's and would be read as a plain object. Every neurite class carries this
 * copy's mark (`Symbol.for`, shared across copies and realms) so that an object of the other
 * copy is named as such in errors instead.
 */

const MARK = Symbol.for('neurite.copy');
/** @internal This copy's identity (the lazily loaded chunks re-export it: `lazy_chunk.ts`). */
export const COPY = Object.freeze({});

/** Marks the instances of `cls` (call it in a class's static block: `static { brand(this); }`). */
export function brand(cls: { prototype: object }): void {
  Object.defineProperty(cls.prototype, MARK, { value: COPY });
}

/**
 * "a X from another copy of neurite …" when `v` was made by another copy (X its class name),
 * else `undefined`.
 */
export function otherCopy(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  let name: string;
  try {
    const mark = (v as { [MARK]?: unknown })[MARK];
    if (mark === undefined || mark === COPY) return undefined;
    name = String((v as object).constructor?.name ?? 'object');
  } catch {
    return undefined; // a throwing getter or a revoked proxy
  }
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} from another copy of neurite (e.g. 'neurite' and 'neurite/url' both imported, or two installs): an object belongs to the copy that made it; import everything from one entry`;
}

/** The copies initialised in this program (`Symbol.for`, so every copy sees one list). */
const COPIES = Symbol.for('neurite.copies');

/** A copy initialised in this program: its entry and version (an older copy's record may lack the version). */
interface CopyRecord {
  copy: object;
  entry: string;
  version?: string;
  /** The entry module's URL, when known (an older copy's record lacks it). */
  where?: string | undefined;
}

function initialised(): CopyRecord[] {
  const g = globalThis as { [COPIES]?: CopyRecord[] };
  return (g[COPIES] ??= []);
}

/**
 * Records that this copy (of `version`) was initialised through `entry` (`'neurite'` or
 * `'neurite/url'`, whose module is at `where` when known) and returns the other copies initialised before it (none in a program that
 * imports one entry from one install and evaluates it once).
 */
export function initialisedThrough(entry: string, version: string, where?: string): Array<{ entry: string; version?: string | undefined; where?: string | undefined }> {
  const all = initialised();
  if (!all.some((c) => c.copy === COPY)) all.push({ copy: COPY, entry, version, where });
  return all.filter((c) => c.copy !== COPY).map(({ entry, version, where }) => ({ entry, version, where }));
}

/** Why this copy is not initialised when another copy is (`''` when none is). */
export function otherCopyInitialised(): string {
  const others = initialised().filter((c) => c.copy !== COPY);
  if (others.length === 0) return '';
  const which = [...new Set(others.map((c) => `'${c.entry}'`))].join(' and ');
  return `; another copy of neurite is (imported as ${which}): each copy — 'neurite' and 'neurite/url', or two installs — has its own instance, so import one entry everywhere (a library and its app both from 'neurite', or alias 'neurite' to 'neurite/url' in the bundler)`;
}

/**
 * The file this code runs from, read from a stack trace (`file:///…/node_modules/neurite/dist/
 * index.js`, a page's script URL), or `undefined`: tells a module evaluated again (the same file)
 * from two installs (two files) when two copies meet. Not `import.meta.url`: a CommonJS
 * transform of neurite (Jest's) cannot parse it, and webpack writes its build machine's path.
 */
export function moduleFile(): string | undefined {
  const stack = new Error().stack;
  if (typeof stack !== 'string') return undefined;
  const m = /(?:file:\/\/|https?:\/\/|\/)[^\s()@]+?(?=:\d+:\d+)/.exec(stack);
  return m?.[0];
}

/** Forgets that this copy was initialised (`shutdown()`). */
export function uninitialisedCopy(): void {
  const all = initialised();
  const i = all.findIndex((c) => c.copy === COPY);
  if (i >= 0) all.splice(i, 1);
}
