/**
 * The web platform types that neurite's declarations name (`Response`, `URL`, `ImageData`,
 * `WebAssembly.Module`, `Worker`…), without making a consumer's program depend on the DOM lib.
 * Each alias is the consumer's own global type when its program declares that global (lib
 * "dom" or "webworker", @types/node, Deno's libs), so real objects fit exactly as before; where
 * the program has no such global (a Node project with `lib: ["es2022"]` and no @types/node) it
 * is `never`: nothing of that type can be made there, and the rest of the signature still
 * type-checks. The declarations therefore carry no `/// <reference lib="dom" />`, which would
 * add `document`, `window`… to every Node program that imports neurite (test/types.test.ts).
 * In neurite's own build the DOM lib is present, so each alias is the DOM type.
 */

type Globals = typeof globalThis;

/** The instance type of global class `K` (its `prototype`), or `never` where the program has no such global. */
type GlobalInstance<K extends string> = Globals extends { [P in K]: { prototype: infer T } } ? T : never;

/** The instance type of `WebAssembly[K]`, or `never` where the program has no `WebAssembly`. */
type WasmInstance<K extends string> = Globals extends { WebAssembly: { [P in K]: { prototype: infer T } } } ? T : never;

/** The global `URL` (a parsed URL). */
export type WebURL = GlobalInstance<'URL'>;
/** The global `Request` (fetch's request). */
export type WebRequest = GlobalInstance<'Request'>;
/** The global `Response` (what `fetch` resolves to). */
export type WebResponse = GlobalInstance<'Response'>;
/** The global `Blob` (a `File` is one). */
export type WebBlob = GlobalInstance<'Blob'>;
/** The second argument of the global `fetch` (`RequestInit`). */
export type WebRequestInit = Globals extends { fetch: (input: never, init?: infer I) => unknown } ? NonNullable<I> : never;
/** The global `ImageData` (a canvas's RGBA pixels). */
export type WebImageData = GlobalInstance<'ImageData'>;
/** The global `ImageBitmap`. */
export type WebImageBitmap = GlobalInstance<'ImageBitmap'>;
/** The global `OffscreenCanvas`. */
export type WebOffscreenCanvas = GlobalInstance<'OffscreenCanvas'>;
/** The global `Worker` (a browser or Deno Web Worker). */
export type WebWorker = GlobalInstance<'Worker'>;
/** `WebAssembly.Module`, a compiled module. */
export type WebAssemblyModule = WasmInstance<'Module'>;
/** `WebAssembly.Memory`, a linear memory. */
export type WebAssemblyMemory = WasmInstance<'Memory'>;
/** `WebAssembly.Global`, an exported global. */
export type WebAssemblyGlobal = WasmInstance<'Global'>;

/**
 * Bytes on an `ArrayBuffer` (not a `SharedArrayBuffer`): `Uint8Array<ArrayBuffer>` in
 * TypeScript 5.7+, whose `Uint8Array` is generic, and `Uint8Array` before, which is not; written
 * so that the declarations type-check with either (`Uint8Array<ArrayBuffer>` is an error before 5.7).
 */
export type ArrayBufferBytes = ReturnType<typeof Uint8Array.from>;
