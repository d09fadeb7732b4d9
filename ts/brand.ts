/**
 * Which copy of neurite made an object. Two copies can meet in one program (`neurite` and
 * `neurite/url` both imported, or a library's install beside the app's); each has its own
 * WebAssembly instance and classes, so an optimizer, layer, model or callback of one is not an
 * instance of the other's and would be read as a plain object. Every neurite class carries this
 * copy's mark (`Symbol.for`, shared across copies and realms) so that an object of the other
 * copy is named as such in errors instead.
 */

const MARK = Symbol.for('neurite.copy');
/** This copy's identity. */
const COPY = Object.freeze({});

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
