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
    src = fetch(url);
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
