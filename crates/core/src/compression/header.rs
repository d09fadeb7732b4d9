//! The self-describing header every encoded stream starts with, and its checksum.
//!
//! ```text
//! offset  size  field
//! 0       4     magic: b"NRHF" huffman, b"NRLZ" lzw, b"NRRL" rle, b"NRDC" dct image, b"NRWV" wavelet image
//! 4       1     version (1, or 2 for a stored stream)
//! 5       1     parameter (LZW: maximum code width; image codecs: quality; else 0),
//!               bit 7 ([`STORED`]) set in a stored stream
//! 6       4     decoded length in bytes, u32 little-endian (image codecs: width × height)
//! 10      4     Adler-32 of bytes 0..10 followed by the payload, u32 little-endian: the
//!               stream as written, not the decoded bytes (zlib's covers those)
//! 14      …     payload
//! ```
//!
//! Stored streams (version 2, Huffman and LZW only). When coding would not make the input
//! smaller, as on random bytes, the encoder writes the input itself as the payload, sets
//! [`STORED`] in the parameter byte and writes version [`VERSION_STORED`] — as deflate falls
//! back to stored blocks. Incompressible input then costs only the 14-byte header and decodes
//! at the speed of a copy (plus the checksum). Coded streams are still written as version 1,
//! byte for byte as before, so version-1 decoders read them; they refuse a stored stream with
//! "unsupported version 2" instead of misreading it. Version-2 decoders read both. A stored
//! payload must be exactly the decoded length ([`decode_stored`]). RLE has no stored mode and
//! accepts only version 1 with parameter 0. The image codecs store too: a stored DCT stream is
//! version 2 (coded ones stay version 1); wavelet streams are version 5, stored or coded
//! (versions 4 and 3, and 2, the older quantiser scale, still decode). Each decoder accepts
//! only the pairs of version and parameter byte that FORMATS.md lists (a version names a mode).
//!
//! The checksum makes a flipped bit anywhere a clear "checksum mismatch" instead of silently
//! different output. Adler-32 catches every single-bit error but not every pattern of two or
//! more: one byte up by d and another 65,521 bytes later down by d (two flipped bits) cancel,
//! as do one byte up and its neighbour down with a flipped checksum bit, and short streams do
//! not fill its 32 bits; so a rare corruption decodes to different bytes without an error: a
//! tester's targeted 3-bit patterns passed in 1–98 % of trials by codec, random mutations once
//! in 200,000, and the two-bit pattern 65,521 bytes apart always. Data that must not come back wrong
//! needs a stronger hash of the decoded output beside the stream. Decoders still validate
//! everything they read, so a stream with a valid checksum but malformed contents is an error
//! too, never a panic. The header holds no compressed length: a stream with bytes after its end
//! fails the checksum, and the message says that this is one of the causes.

use crate::{Error, Result};

pub const HEADER_BYTES: usize = 14;
/// The version of coded streams (every codec).
pub const VERSION: u8 = 1;
/// The version of streams that may carry the [`STORED`] flag (Huffman and LZW).
pub const VERSION_STORED: u8 = 2;
/// Bit 7 of the parameter byte: the payload is the input itself.
pub const STORED: u8 = 0x80;

/// A parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: u8,
    pub param: u8,
    pub raw_len: usize,
}

/// Adler-32 (RFC 1950) continuing from `adler`.
///
/// Blocks of 16 bytes are summed per byte position (16 lanes, which the compiler turns into
/// SIMD): for a chunk of `k` blocks, `a += Σ x` and
/// `b += N·a₀ + 16·Σᵢ (Pᵢ + Cᵢ) − Σᵢ i·Cᵢ`, where `Cᵢ` is the sum of the bytes at position `i`
/// of each block and `Pᵢ` the sum, over blocks, of `Cᵢ` before that block. Chunks of 5552
/// bytes keep every sum below 2³² (zlib's NMAX).
pub fn adler32(adler: u32, data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    const NMAX: usize = 5552; // 347 blocks of 16
    let (mut a, mut b) = (adler & 0xffff, adler >> 16);
    for chunk in data.chunks(NMAX) {
        let (blocks, rest) = chunk.as_chunks::<16>();
        let (col, pre) = columns(blocks);
        let n = (chunk.len() & !15) as u64;
        let (mut sum, mut weighted, mut inner) = (0u64, 0u64, 0u64);
        for i in 0..16 {
            sum += u64::from(col[i]);
            weighted += u64::from(pre[i]) + u64::from(col[i]);
            inner += i as u64 * u64::from(col[i]);
        }
        let b64 = u64::from(b) + n * u64::from(a) + 16 * weighted - inner;
        a = ((u64::from(a) + sum) % u64::from(MOD)) as u32;
        b = (b64 % u64::from(MOD)) as u32;
        for &x in rest {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Adler-32's column sums `Cᵢ` and their running totals `Pᵢ` over `blocks` (at most 347).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn columns(blocks: &[[u8; 16]]) -> ([u32; 16], [u32; 16]) {
    let mut col = [0u32; 16];
    let mut pre = [0u32; 16];
    for blk in blocks {
        for i in 0..16 {
            pre[i] += col[i];
            col[i] += u32::from(blk[i]);
        }
    }
    (col, pre)
}

/// The simd128 twin of the scalar `columns`: four `u32x4` column sums and four running totals.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn columns(blocks: &[[u8; 16]]) -> ([u32; 16], [u32; 16]) {
    use core::arch::wasm32::*;
    let mut c = [u32x4_splat(0); 4];
    let mut p = [u32x4_splat(0); 4];
    for blk in blocks {
        for k in 0..4 {
            p[k] = u32x4_add(p[k], c[k]);
        }
        // SAFETY: `blk` is 16 readable bytes; wasm loads need no alignment.
        let v = unsafe { v128_load(blk.as_ptr().cast()) };
        let (lo, hi) = (u16x8_extend_low_u8x16(v), u16x8_extend_high_u8x16(v));
        c[0] = u32x4_add(c[0], u32x4_extend_low_u16x8(lo));
        c[1] = u32x4_add(c[1], u32x4_extend_high_u16x8(lo));
        c[2] = u32x4_add(c[2], u32x4_extend_low_u16x8(hi));
        c[3] = u32x4_add(c[3], u32x4_extend_high_u16x8(hi));
    }
    let lanes = |v: &[v128; 4]| {
        let mut out = [0u32; 16];
        for (k, q) in v.iter().enumerate() {
            out[4 * k] = u32x4_extract_lane::<0>(*q);
            out[4 * k + 1] = u32x4_extract_lane::<1>(*q);
            out[4 * k + 2] = u32x4_extract_lane::<2>(*q);
            out[4 * k + 3] = u32x4_extract_lane::<3>(*q);
        }
        out
    };
    (lanes(&c), lanes(&p))
}

fn checksum(head: &[u8], payload: &[u8]) -> u32 {
    adler32(adler32(1, head), payload)
}

/// Starts a stream: the header with a zero checksum, to be sealed by [`seal`].
pub fn begin(magic: &[u8; 4], param: u8, raw_len: usize, op: &'static str) -> Result<Vec<u8>> {
    begin_version(magic, VERSION, param, raw_len, op)
}

/// [`begin`] for a codec whose coded streams carry another version (the wavelet codec's are 2).
pub fn begin_version(magic: &[u8; 4], version: u8, param: u8, raw_len: usize, op: &'static str) -> Result<Vec<u8>> {
    let len = u32::try_from(raw_len).map_err(|_| Error::invalid(op, format!("input of {raw_len} bytes is longer than 4 GiB - 1")))?;
    let mut v = Vec::with_capacity(HEADER_BYTES + 64);
    v.extend_from_slice(magic);
    v.push(version);
    v.push(param);
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(&[0; 4]);
    Ok(v)
}

/// Writes the checksum of a finished stream.
pub fn seal(stream: &mut [u8]) {
    let sum = checksum(&stream[..10], &stream[HEADER_BYTES..]);
    stream[10..14].copy_from_slice(&sum.to_le_bytes());
}

/// A stored stream (version [`VERSION_STORED`], `param | STORED`): the header, then `bytes`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn stored(op: &'static str, magic: &[u8; 4], param: u8, bytes: &[u8]) -> Result<Vec<u8>> {
    let len = u32::try_from(bytes.len()).map_err(|_| Error::invalid(op, format!("input of {} bytes is longer than 4 GiB - 1", bytes.len())))?;
    let total = HEADER_BYTES + bytes.len();
    let mut v = Vec::new();
    v.try_reserve_exact(total).map_err(|_| Error::OutOfMemory { op, bytes: total as u64 })?;
    v.extend_from_slice(magic);
    v.push(VERSION_STORED);
    v.push(param | STORED);
    v.extend_from_slice(&len.to_le_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(bytes);
    seal(&mut v);
    Ok(v)
}

/// The payload of a stored stream: exactly `n` bytes, copied.
pub fn decode_stored(op: &'static str, n: usize, payload: &[u8]) -> Result<Vec<u8>> {
    if payload.len() != n {
        return Err(Error::invalid(
            op,
            format!("stored stream: the header claims {n} bytes but the payload holds {} (truncated or corrupt)", payload.len()),
        ));
    }
    let mut out = alloc_bytes(op, n)?;
    out.extend_from_slice(payload);
    Ok(out)
}

/// Checks magic, version 1, checksum and the output cap; returns the header and the payload.
pub fn open<'a>(op: &'static str, magic: &[u8; 4], bytes: &'a [u8], max_output: usize) -> Result<(Header, &'a [u8])> {
    open_versions(op, magic, bytes, max_output, VERSION)
}

/// [`open`] for a codec that reads versions 1 to `max_version`.
pub fn open_versions<'a>(op: &'static str, magic: &[u8; 4], bytes: &'a [u8], max_output: usize, max_version: u8) -> Result<(Header, &'a [u8])> {
    open_range(op, magic, bytes, max_output, VERSION, max_version)
}

/// `bytes` in double quotes, printable ASCII as is and any other byte (and `"`, `\`) as `\xNN`:
/// `"NRLE"`, `"\x00\xffAB"`. (Not `{:?}` of a string: that links Rust's Unicode escape
/// tables into the wasm, ~1.7 kB, for one message.)
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn quoted(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s.push('"');
    s
}

/// [`open`] for a codec that reads versions `min_version` to `max_version`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn open_range<'a>(op: &'static str, magic: &[u8; 4], bytes: &'a [u8], max_output: usize, min_version: u8, max_version: u8) -> Result<(Header, &'a [u8])> {
    if bytes.len() < HEADER_BYTES {
        return Err(Error::invalid(op, format!("truncated stream: {} bytes, shorter than the {HEADER_BYTES}-byte header", bytes.len())));
    }
    if &bytes[..4] != magic {
        return Err(Error::invalid(
            op,
            format!("wrong magic {} (expected {}): not a {op} stream", quoted(&bytes[..4]), quoted(magic)),
        ));
    }
    let version = bytes[4];
    if !(min_version..=max_version).contains(&version) {
        let reads = if max_version == min_version { format!("version {min_version}") } else { format!("versions {min_version} to {max_version}") };
        return Err(Error::invalid(op, format!("unsupported version {version} (this decoder reads {reads})")));
    }
    let raw_len = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize;
    let stored = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
    let payload = &bytes[HEADER_BYTES..];
    let actual = checksum(&bytes[..10], payload);
    if stored != actual {
        return Err(Error::invalid(
            op,
            format!("checksum mismatch (stored {stored:#010x}, computed {actual:#010x}): the stream is corrupt or truncated, or has bytes after its end (decode takes exactly one stream)"),
        ));
    }
    if raw_len > max_output {
        return Err(Error::invalid(
            op,
            format!("the header claims {raw_len} output bytes, more than maxOutputBytes = {max_output}; raise maxOutputBytes if the stream is trusted"),
        ));
    }
    Ok((Header { version, param: bytes[5], raw_len }, payload))
}

/// Refuses a stream whose header's length `raw_len` does not fit a caller's buffer of `cap`
/// bytes (`compression.*.decode(stream, { output })`): the header gives the length up front,
/// so nothing is decoded or allocated for a result that could not be delivered.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check_output_cap(op: &'static str, raw_len: usize, cap: usize) -> Result<()> {
    if raw_len > cap {
        return Err(Error::invalid(
            op,
            format!("output holds {cap} bytes but the stream decodes to {raw_len} (its header's length); pass an output of at least {raw_len} bytes (nothing was decoded)"),
        ));
    }
    Ok(())
}

/// Reserves `n` bytes (fallibly).
pub fn alloc_bytes(op: &'static str, n: usize) -> Result<Vec<u8>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::OutOfMemory { op, bytes: n as u64 })?;
    Ok(v)
}

/// `n` default values, reserved fallibly (large images must not abort on a failed allocation).
pub fn alloc_filled<T: Clone>(op: &'static str, n: usize, value: T) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::OutOfMemory { op, bytes: (n as u64).saturating_mul(core::mem::size_of::<T>() as u64) })?;
    v.resize(n, value);
    Ok(v)
}

/// LEB128 unsigned varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a LEB128 varint at `*pos` (at most 5 bytes).
pub fn get_varint(op: &'static str, what: &str, data: &[u8], pos: &mut usize) -> Result<u32> {
    let mut v: u64 = 0;
    for i in 0..5 {
        let Some(&b) = data.get(*pos) else {
            return Err(Error::invalid(op, format!("truncated stream while reading the {what}")));
        };
        *pos += 1;
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(v).map_err(|_| Error::invalid(op, format!("the {what} {v} does not fit in 32 bits")));
        }
    }
    Err(Error::invalid(op, format!("the {what} is a varint longer than 5 bytes")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_magic_quotes_the_bytes_it_got() {
        assert_eq!(quoted(b"NRLE"), "\"NRLE\"");
        assert_eq!(quoted(&[0, 0xff, b'"', b'\\', b'A']), "\"\\x00\\xff\\x22\\x5cA\"");
        let mut bytes = vec![0u8; HEADER_BYTES];
        bytes[..4].copy_from_slice(&[b'X', 0x01, 0xc3, b'E']);
        let e = open("rle", b"NRLE", &bytes, usize::MAX).unwrap_err().to_string();
        assert_eq!(e, "rle: wrong magic \"X\\x01\\xc3E\" (expected \"NRLE\"): not a rle stream");
    }

    #[test]
    fn adler32_misses_a_change_undone_65521_bytes_later() {
        // What the module doc (and the README's Limitations) say Adler-32 cannot see: bit 0 set
        // in one byte and cleared 65,521 bytes later leaves a unchanged and moves b by 65,521.
        let mut data: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
        (data[10], data[10 + 65_521]) = (2, 3);
        let mut two = data.clone();
        (two[10], two[10 + 65_521]) = (3, 2);
        assert_ne!(two, data);
        assert_eq!(adler32(1, &two), adler32(1, &data));
    }

    #[test]
    fn adler32_matches_rfc_examples() {
        assert_eq!(adler32(1, b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(1, b""), 1);
        let big = vec![255u8; 100_000];
        // Same as the byte-at-a-time definition.
        let (mut a, mut b) = (1u64, 0u64);
        for &x in &big {
            a = (a + u64::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!(adler32(1, &big), ((b << 16) | a) as u32);
        // Random bytes, every remainder length, continuing from a non-trivial value.
        let data = crate::compression::lcg(20_000, 8);
        let slow = |start: u32, d: &[u8]| {
            let (mut a, mut b) = (u64::from(start & 0xffff), u64::from(start >> 16));
            for &x in d {
                a = (a + u64::from(x)) % 65521;
                b = (b + a) % 65521;
            }
            ((b << 16) | a) as u32
        };
        for len in (0..40).chain([5551, 5552, 5553, 11_104, 11_120, 20_000]) {
            assert_eq!(adler32(0xfff0_fff0, &data[..len]), slow(0xfff0_fff0, &data[..len]), "len {len}");
            assert_eq!(adler32(1, &data[..len]), slow(1, &data[..len]), "len {len}");
        }
    }

    #[test]
    fn open_rejects_bad_headers() {
        let mut s = begin(b"NRHF", 0, 5, "t").unwrap();
        s.extend_from_slice(b"abc");
        seal(&mut s);
        assert_eq!(open("huffman", b"NRHF", &s, 100).unwrap().0, Header { version: 1, param: 0, raw_len: 5 });
        assert!(open("huffman", b"NRLZ", &s, 100).unwrap_err().to_string().contains("wrong magic"));
        assert!(open("huffman", b"NRHF", &s[..10], 100).unwrap_err().to_string().contains("truncated"));
        assert!(open("huffman", b"NRHF", &s, 4).unwrap_err().to_string().contains("maxOutputBytes"));
        let mut v = s.clone();
        v[4] = 9;
        assert!(open("huffman", b"NRHF", &v, 100).unwrap_err().to_string().contains("version 9"));
        for i in 5..s.len() {
            let mut f = s.clone();
            f[i] ^= 0x10;
            assert!(open("huffman", b"NRHF", &f, 100).unwrap_err().to_string().contains("checksum"), "byte {i}");
        }
    }

    #[test]
    fn stored_streams_are_header_plus_input_and_version_2() {
        let s = stored("t", b"NRHF", 0, b"hello").unwrap();
        assert_eq!(s.len(), HEADER_BYTES + 5);
        assert_eq!(&s[HEADER_BYTES..], b"hello");
        assert_eq!((s[4], s[5]), (VERSION_STORED, STORED));
        // Version 1 decoders (RLE, images) refuse it clearly; version 2 decoders open it.
        assert!(open("t", b"NRHF", &s, 100).unwrap_err().to_string().contains("unsupported version 2 (this decoder reads version 1)"));
        let (h, p) = open_versions("t", b"NRHF", &s, 100, VERSION_STORED).unwrap();
        assert_eq!(h, Header { version: 2, param: STORED, raw_len: 5 });
        assert_eq!(decode_stored("t", h.raw_len, p).unwrap(), b"hello");
        let mut v = s.clone();
        v[4] = 3;
        assert!(open_versions("t", b"NRHF", &v, 100, 2).unwrap_err().to_string().contains("unsupported version 3 (this decoder reads versions 1 to 2)"));
        assert!(decode_stored("t", 6, p).unwrap_err().to_string().contains("claims 6 bytes but the payload holds 5"));
        assert!(decode_stored("t", 4, p).unwrap_err().to_string().contains("claims 4 bytes"));
        assert_eq!(decode_stored("t", 0, &[]).unwrap(), b"");
    }

    #[test]
    fn varints_round_trip_and_reject_garbage() {
        let mut v = Vec::new();
        for x in [0, 1, 127, 128, 300, u32::MAX] {
            put_varint(&mut v, x);
        }
        let mut p = 0;
        for x in [0, 1, 127, 128, 300, u32::MAX] {
            assert_eq!(get_varint("t", "width", &v, &mut p).unwrap(), x);
        }
        assert!(get_varint("t", "width", &v, &mut p).is_err());
        assert!(get_varint("t", "width", &[0xff; 6], &mut 0).is_err());
    }
}
