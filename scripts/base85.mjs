// Base85 for the inline wasm (ts/wasm/base85.ts decodes it; test/init.test.ts checks that the
// two agree on every tail length). 4 bytes -> 5 characters, big-endian, as Ascii85, with a
// final group of n < 4 bytes written as n + 1 characters; 1.25x the bytes where base64 is 1.33x
// (the inline entry's Vite chunk is 18 kB smaller). The 85 characters are printable ASCII
// without those that could need escaping or end something when the bundle is embedded
// (' " ` \ $ / < > &): the literal stays a plain single-quoted string in every bundler.
export const ALPHABET = [...Array(94)].map((_, i) => String.fromCharCode(33 + i)).filter((c) => !`'"\`\\$/<>&`.includes(c)).join('');
if (ALPHABET.length !== 85) throw new Error(`base85: the alphabet has ${ALPHABET.length} characters`);

/** Encodes `bytes` (a Uint8Array) as a base85 string. */
export function encodeBase85(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const n = Math.min(4, bytes.length - i);
    let v = 0;
    for (let k = 0; k < 4; k++) v = v * 256 + (k < n ? bytes[i + k] : 0);
    const digits = [];
    for (let k = 0; k < 5; k++, v = Math.floor(v / 85)) digits.unshift(ALPHABET[v % 85]);
    out += digits.slice(0, n + 1).join('');
  }
  return out;
}
