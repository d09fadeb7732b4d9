/** Turning a user-supplied source into a compiled `WebAssembly.Module`. */

/** Where the `.wasm` can come from: bytes, a URL (or string URL), a `Response`, or a compiled module. */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string
  | Response
  | Promise<Response>;

const isNode =
  typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node &&
  typeof (globalThis as { Deno?: unknown }).Deno === 'undefined';

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/**
 * Deno needs read permission for a file: URL; a denial says which flag to pass, or to use the
 * default entry (wasm inline, no permission).
 */
async function denoFetch(url: URL): Promise<Response> {
  try {
    return await fetch(url);
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'NotCapable' && name !== 'PermissionDenied') throw e;
    const path = decodeURIComponent(url.pathname);
    const err = new Error(
      `init: Deno denied read access to ${path}: run with --allow-read=${path} (or --allow-read), ` +
        `pass the wasm to init() yourself, or import 'neurite' (the wasm inline, no permission needed) ` +
        `instead of 'neurite/url' [${name}: ${(e as Error).message}]`,
    );
    err.name = name;
    throw err;
  }
}

/** Compiles `src`; `base` resolves relative URL strings. */
export async function compileFrom(src: WasmSource, base?: string): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return WebAssembly.compile(src as BufferSource);
  if (typeof src === 'string' || src instanceof URL) {
    const url = new URL(String(src), base);
    if (url.protocol === 'file:' && isNode) {
      // Node's fetch cannot read file: URLs. The module name is hidden from browser bundlers.
      const fsName = 'node:fs/promises';
      const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
      return WebAssembly.compile(await fs.readFile(url));
    }
    src = url.protocol === 'file:' && isDeno ? denoFetch(url) : fetch(url);
  }
  const res = (await src) as Response;
  if (!res.ok) throw new Error(`init: fetching the neurite wasm failed: ${res.status} ${res.statusText} (${res.url})`);
  try {
    return await WebAssembly.compileStreaming(res.clone());
  } catch {
    // A server that does not send Content-Type: application/wasm.
    return WebAssembly.compile(await res.arrayBuffer());
  }
}

/** Decodes base64 to bytes without Node's Buffer, so it runs in every runtime. */
export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
