/**
 * Decoding the inline wasm's base85 text (scripts/base85.mjs writes it: 4 bytes as 5
 * characters, big-endian, a final group of n bytes as n + 1 characters).
 */

/** Printable ASCII without ' " ` \ $ / < > & — the encoder's alphabet, in the same order. */
const ALPHABET = '!#%()*+,-.0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~';

/** Decodes base85 text to bytes; a character outside the alphabet or a 1-character tail throws. */
export function decodeBase85(text: string): Uint8Array<ArrayBuffer> {
  const value = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) value[ALPHABET.charCodeAt(i)] = i;
  const tail = text.length % 5;
  if (tail === 1) throw new Error(`base85: ${text.length} characters cannot end in a 1-character group`);
  const out = new Uint8Array(Math.floor(text.length / 5) * 4 + (tail ? tail - 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 5) {
    const n = Math.min(5, text.length - i);
    let v = 0;
    for (let k = 0; k < 5; k++) {
      // A short group is padded with the largest digit, which rounds its bytes back up.
      let d = 84;
      if (k < n) {
        const c = text.charCodeAt(i + k);
        d = c < 128 ? value[c]! : -1;
        if (d < 0) throw new Error(`base85: character ${i + k} (${JSON.stringify(text[i + k])}) is not in the alphabet`);
      }
      v = v * 85 + d;
    }
    if (v > 0xffffffff) throw new Error(`base85: the group at character ${i} is out of range`);
    for (let k = 0; k < n - 1; k++) out[o++] = (v >>> (24 - 8 * k)) & 255;
  }
  return out;
}
