/**
 * Node's built-in modules, loaded where neurite runs in Node or Deno (files, the wasm's bytes,
 * worker threads, the core count). Internal: not part of the public API.
 */

/**
 * A Node built-in module (`fs/promises` → `node:fs/promises`), in Node and Deno. The specifier
 * is built at run time from `name`, so neither neurite's minifier nor an app's bundler can see
 * it: a browser build of an app neither resolves it nor warns that it externalized it
 * (test/bundler.test.ts). Node ≥ 20.16 and 22.3 hand it over without an import.
 */
export async function nodeBuiltin(name: string): Promise<unknown> {
  const id = `node:${name}`;
  const p = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process;
  return p?.getBuiltinModule?.(id) ?? import(/* @vite-ignore */ id);
}
