/** Decoding the inline wasm's basE91 text (scripts/base91.mjs writes it and describes the scheme). */
import type { ArrayBufferBytes } from '../web-types.js';

/** Printable ASCII without ' ` \ — the encoder's alphabet, in the same order. */
const ALPHABET = '!"#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~';

/** Decodes basE91 text to bytes; a character outside the alphabet throws. */
export function decodeBase91(text: string): ArrayBufferBytes {
  const value = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) value[ALPHABET.charCodeAt(i)] = i;
  // Each pair of characters holds 13 or 14 bits, a last single character at most 8.
  const out = new Uint8Array(Math.ceil((Math.floor(text.length / 2) * 14 + 8) / 8));
  let o = 0;
  let acc = 0;
  let bits = 0;
  let v = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? value[c]! : -1;
    if (d < 0) throw new Error(`base91: character ${i} (${JSON.stringify(text[i])}) is not in the alphabet`);
    if (v < 0) {
      v = d;
      continue;
    }
    v += d * 91;
    acc |= v << bits;
    bits += (v & 8191) > 88 ? 13 : 14;
    do {
      out[o++] = acc & 255;
      acc >>>= 8;
      bits -= 8;
    } while (bits > 7);
    v = -1;
  }
  if (v >= 0) out[o++] = (acc | (v << bits)) & 255;
  return out.slice(0, o);
}
