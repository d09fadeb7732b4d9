/**
 * The default entry's module, carried as text: `inline.generated.ts` (written by
 * scripts/build-wasm.mjs) holds it LZMA-packed in basE91. This file is a chunk of its own
 * (`dist/wasm.js`), imported by `init()` on first use (ts/index.ts): the ~300 kB of text stays
 * out of the code's chunk, so an app's bundler keeps both under its chunk-size warning, and the
 * LZMA and basE91 decoders travel with the text they decode.
 */
import type { ArrayBufferBytes } from '../web-types.js';
import { NeuriteError } from '../errors.js';
import { decodeBase91 } from './base91.js';
import { WASM_BYTES, WASM_LZMA } from './inline.generated.js';
import { lzmaDecode, lzmaDecodeSliced } from './lzma.js';
import { yieldNow } from '../runtime.js';

/**
 * Unpacks a module: `text` is an `.lzma` stream in basE91 (see scripts/build-wasm.mjs), `size`
 * the module's length. Unpacked in JS (ts/wasm/lzma.ts: ~80 ms for the 903 kB module, ~115 ms
 * the first time in a process, Node 20 on 2 cores), so it needs nothing from the runtime; a
 * damaged copy is a {@link NeuriteError}.
 */
export function unpackInline(text: string, size: number): ArrayBufferBytes {
  try {
    return lzmaDecode(decodeBase91(text), size);
  } catch (err) {
    throw unpackError(err);
  }
}

function unpackError(err: unknown): NeuriteError {
  return new NeuriteError('Internal', `init: the inline wasm does not unpack (a damaged bundle?): ${(err as Error)?.message ?? String(err)}`);
}

/** Output bytes unpacked between two turns of the event loop in {@link inlineModuleSliced}: a few ms each. */
const SLICE = 1 << 16;

/**
 * The neurite core module this bundle carries, unpacked as {@link unpackInline} does but in
 * slices with a turn of the event loop between them ({@link yieldNow}), so that
 * `init()` on a page's main thread leaves it responsive instead of one long task (~100 ms or
 * more in a browser); the same bytes and errors.
 */
export async function inlineModuleSliced(): Promise<ArrayBufferBytes> {
  let packed: Uint8Array;
  try {
    packed = decodeBase91(WASM_LZMA);
  } catch (err) {
    throw unpackError(err);
  }
  await yieldNow();
  try {
    return await lzmaDecodeSliced(packed, WASM_BYTES, SLICE, yieldNow);
  } catch (err) {
    throw unpackError(err);
  }
}
