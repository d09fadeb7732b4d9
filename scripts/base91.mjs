// basE91 for the inline wasm (ts/wasm/base91.ts decodes it; test/init.test.ts checks that the
// two agree). Joachim Henke's scheme: bits are taken 13 at a time (14 when the 13-bit value is
// at most 88, so that two base-91 digits always hold them) and written as two characters, low
// digit first; the last bits as one or two. About 1.23 characters per byte on packed data,
// where base64 is 1.33 and base85 1.25 (the inline entry's Vite chunk is 22 kB smaller than
// with base64). The 91 characters are printable ASCII without ' ` \ (the literal stays a plain
// single-quoted string); the build checks that the text holds no `</script` or `<!--`, which
// would matter if the bundle were pasted into an HTML <script> element.
export const ALPHABET = [...Array(94)].map((_, i) => String.fromCharCode(33 + i)).filter((c) => !"'`\\".includes(c)).join('');
if (ALPHABET.length !== 91) throw new Error(`base91: the alphabet has ${ALPHABET.length} characters`);

/** Encodes `bytes` (a Uint8Array) as basE91 text. */
export function encodeBase91(bytes) {
  let acc = 0;
  let bits = 0;
  const out = [];
  for (const byte of bytes) {
    acc |= byte << bits;
    bits += 8;
    if (bits > 13) {
      let v = acc & 8191;
      if (v > 88) {
        acc >>>= 13;
        bits -= 13;
      } else {
        v = acc & 16383;
        acc >>>= 14;
        bits -= 14;
      }
      out.push(ALPHABET[v % 91], ALPHABET[Math.floor(v / 91)]);
    }
  }
  if (bits > 0) {
    out.push(ALPHABET[acc % 91]);
    if (bits > 7 || acc > 90) out.push(ALPHABET[Math.floor(acc / 91)]);
  }
  return out.join('');
}
