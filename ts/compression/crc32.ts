/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib, PNG and gzip: reflected 0xEDB88320, initial and
 * final XOR 0xFFFFFFFF), for the streams the facade writes itself (`codecs.learned`). It catches
 * every error burst up to 32 bits long and misses other corruption with probability 2^−32.
 */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * The CRC-32 of the bytes of `parts`, in order, as one message.
 *
 * @example crc32([new TextEncoder().encode('123456789')]) // 0xcbf43926
 */
export function crc32(parts: readonly ArrayLike<number>[]): number {
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = TABLE[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
