/** Turning a user-supplied source into a compiled `WebAssembly.Module`. */
import { isDeno, isNode, nodeBuiltin } from '../runtime.js';
import { InvalidArgumentError } from '../errors.js';
import type { InitOptions } from '../init.js';

/**
 * A compiled `WebAssembly.Module`, as TypeScript sees it. The DOM library declares
 * `WebAssembly.Module` as an empty interface, which every object matches; the `never` keys
 * make an object literal that looks like misspelt {@link InitOptions} (`init({ thread: 2 })`,
 * `init({ threads: 'auto' })`, `init({ threads: 2, foo: 1 })`) a type error, while a real
 * module (which has none of these keys) still fits; `object` keeps numbers and booleans out.
 */
export type WasmModule = WebAssembly.Module & object & { readonly threads?: never; readonly relaxedSimd?: never; readonly source?: never };

/** Where the `.wasm` can come from: bytes, a URL (or string URL), a `Response`, or a compiled module. */
export type WasmSource =
  | WasmModule
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string
  | Response
  | Promise<Response>;

/**
 * Deno needs read permission for a file: URL and net permission for an http(s) one (the
 * `neurite/url` bundle imported from a server); a denial says which flag to pass, or to use the
 * default entry (wasm inline, no permission).
 */
async function denoFetch(url: URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'NotCapable' && name !== 'PermissionDenied') throw e;
    const [what, flag] = url.protocol === 'file:' ? ['read access to', 'read'] : ['net access to', 'net'];
    const target = url.protocol === 'file:' ? decodeURIComponent(url.pathname) : url.host;
    throw new InvalidArgumentError(
      `init: Deno denied ${what} ${target}: run with --allow-${flag}=${target} (or --allow-${flag}), ` +
        `pass the wasm to init() yourself, or import 'neurite' (the wasm inline, no permission needed) ` +
        `instead of 'neurite/url' [${name}: ${(e as Error).message}]`,
    );
  }
}

/**
 * Compiles `src`; `base` resolves relative URL strings. A source that yields no module — an
 * HTTP error status, a failed fetch, bytes that are not WebAssembly — is an
 * {@link InvalidArgumentError} naming `init` and the URL/status (never a plain `Error`).
 */
export async function compileFrom(src: WasmSource, base?: string): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return compileBytes(src as BufferSource, 'the bytes given');
  let where = 'the Response given';
  if (typeof src === 'string' || src instanceof URL) {
    const url = new URL(String(src), base);
    where = url.href;
    if (url.protocol === 'file:' && isNode) {
      const fs = (await nodeBuiltin('fs/promises')) as typeof import('node:fs/promises');
      let data: Uint8Array;
      try {
        data = await fs.readFile(url);
      } catch (err) {
        throw new InvalidArgumentError(`init: reading the neurite wasm from ${where} failed: ${(err as Error)?.message ?? String(err)}`);
      }
      return compileBytes(data as BufferSource, where);
    }
    src = isDeno ? denoFetch(url) : fetch(url);
  }
  let res: Response;
  try {
    res = (await src) as Response;
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError(`init: fetching the neurite wasm from ${where} failed: ${(err as Error)?.message ?? String(err)}`);
  }
  if (res.url) where = res.url;
  if (!res.ok) throw new InvalidArgumentError(`init: fetching the neurite wasm from ${where} failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  try {
    return await WebAssembly.compileStreaming(res.clone());
  } catch {
    // A server that does not send Content-Type: application/wasm.
    return compileBytes(await res.arrayBuffer(), where);
  }
}

/** Compiles bytes; an invalid module is an {@link InvalidArgumentError} naming `init` and `where`. */
async function compileBytes(bytes: BufferSource, where: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (err) {
    throw new InvalidArgumentError(`init: cannot compile ${where} as WebAssembly: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** Decodes base64 to bytes without Node's Buffer, so it runs in every runtime. */
export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
