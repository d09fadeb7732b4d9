/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib, PNG and gzip: reflected 0xEDB88320, initial and
 * final XOR 0xFFFFFFFF), for the streams the facade writes itself (`codecs.learned`). It catches
 * every error burst up to 32 bits long and misses other corruption with probability 2^−32.
 */

/**
 * Eight tables of 256 entries for slicing-by-8 (Intel's, as zlib's `crc32_z` braids): `T[k·256 + n]`
 * is the CRC contribution of byte `n` followed by `k` zero bytes. Eight bytes per step run 2.7×
 * faster than one in Node 20 (0.20 against 0.55 ms for 208 kB): the learned codec runs its
 * decoder's weights through a CRC at every encode and decode.
 */
const T = /* @__PURE__ */ (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) for (let n = 0; n < 256; n++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  return t;
})();

/** @internal The one-byte table (`T`'s first 256 entries), for code that steps the register itself. */
export const CRC32_TABLE: Uint32Array = /* @__PURE__ */ T.subarray(0, 256);

/**
 * @internal The CRC-32 of the bytes of `parts`, in order, as one message (the learned codecs'
 * fingerprint; not exported).
 *
 * @example crc32([new TextEncoder().encode('123456789')]) // 0xcbf43926
 */
export function crc32(parts: readonly ArrayLike<number>[]): number {
  let c = 0xffffffff;
  for (const p of parts) {
    const n = p.length;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const a = c ^ (p[i] | (p[i + 1] << 8) | (p[i + 2] << 16) | (p[i + 3] << 24));
      c = T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^ T[768 + p[i + 4]] ^ T[512 + p[i + 5]] ^ T[256 + p[i + 6]] ^ T[p[i + 7]];
    }
    for (; i < n; i++) c = T[(c ^ p[i]) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
