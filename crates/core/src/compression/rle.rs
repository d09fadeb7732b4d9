//! PackBits run-length encoding.
//!
//! Stream (after the [`header`](super::header), magic `NRRL`): a sequence of packets, each a
//! control byte `c` then data: `c` in `0..=127` copies the next `c + 1` bytes literally;
//! `c` in `129..=255` repeats the next byte `257 - c` times (2..=128); `c = 128` is reserved
//! and rejected.
//!
//! The encoder codes runs of 3 or more as run packets and everything else as literal packets
//! of up to 128 bytes. **Growth bound**: a literal segment of `L` bytes costs `⌈L/128⌉`
//! control bytes, and every run packet between two segments saves at least one byte, so the
//! payload of an `n`-byte input is at most `n + ⌊n/128⌋ + 1` bytes (+ the 14-byte header):
//! data without runs grows by at most 1/128 (0.8 %). A run packet yields at most 128 bytes
//! per 2 payload bytes, so a header claiming more than `64 × payload + 128` bytes is refused
//! before any allocation.

use super::header::{self, alloc_bytes};
use crate::{Error, Result};

const MAGIC: &[u8; 4] = b"NRRL";
const OP: &str = "compression.rle";

/// Length of the run of `x[i]` starting at `i` (not capped: the encoder splits it into packets).
///
/// Compares 16 bytes at a time with simd128 (8 with a `u64` elsewhere): long runs are
/// scanned at memory speed.
#[inline]
fn run_len(x: &[u8], i: usize) -> usize {
    let b = x[i];
    let mut j = i + 1;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let pattern = u8x16_splat(b);
        while j + 16 <= x.len() {
            // SAFETY: `j + 16 <= x.len()`, and wasm loads need no alignment.
            let v = unsafe { v128_load(x.as_ptr().add(j).cast()) };
            let equal = u32::from(i8x16_bitmask(i8x16_eq(v, pattern)));
            if equal != 0xffff {
                return j + (!equal).trailing_zeros() as usize - i;
            }
            j += 16;
        }
    }
    let pattern = u64::from_ne_bytes([b; 8]);
    while j + 8 <= x.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&x[j..j + 8]);
        let diff = u64::from_le_bytes(w) ^ pattern;
        if diff != 0 {
            return j + (diff.trailing_zeros() / 8) as usize - i;
        }
        j += 8;
    }
    while j < x.len() && x[j] == b {
        j += 1;
    }
    j - i
}

fn flush_literal(out: &mut Vec<u8>, lit: &[u8]) {
    for chunk in lit.chunks(128) {
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
}

/// Encodes `bytes`.
///
/// A run of `r ≥ 3` bytes becomes `⌊r/128⌋` packets of 128 and one of `r mod 128` when that
/// is at least 3; a remainder of 1 or 2 bytes starts the next literal segment.
pub fn encode(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = header::begin(MAGIC, 0, bytes.len(), OP)?;
    let n = bytes.len();
    let bound = n + n / 128 + 1;
    out.try_reserve(bound.min(n / 4 + 64)).map_err(|_| Error::OutOfMemory { op: OP, bytes: bound as u64 })?;
    let (mut i, mut lit) = (0usize, 0usize);
    while i < n {
        let b = bytes[i];
        // Most positions of data without runs fail here, before the run scan.
        if i + 2 < n && (bytes[i + 1] != b || bytes[i + 2] != b) {
            i += 1;
            continue;
        }
        let run = run_len(bytes, i);
        if run < 3 {
            i += run;
            continue;
        }
        flush_literal(&mut out, &bytes[lit..i]);
        for _ in 0..run / 128 {
            out.extend_from_slice(&[(257 - 128) as u8, b]);
        }
        let rest = run % 128;
        i += run;
        if rest >= 3 {
            out.extend_from_slice(&[(257 - rest) as u8, b]);
            lit = i;
        } else {
            lit = i - rest;
        }
    }
    flush_literal(&mut out, &bytes[lit..]);
    header::seal(&mut out);
    Ok(out)
}

/// Decodes a stream from [`encode`], refusing to produce more than `max_output` bytes.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode(stream: &[u8], max_output: usize) -> Result<Vec<u8>> {
    decode_capped(stream, max_output, usize::MAX)
}

/// [`decode`] for a caller's buffer of `output_cap` bytes: a stream whose header claims more is
/// refused before anything is decoded ([`header::check_output_cap`]). The parameter byte must
/// be 0 (RLE has no parameter and no stored mode).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode_capped(stream: &[u8], max_output: usize, output_cap: usize) -> Result<Vec<u8>> {
    let (h, payload) = header::open(OP, MAGIC, stream, max_output)?;
    if h.param != 0 {
        return Err(Error::invalid(OP, format!("parameter byte {:#04x} in a version 1 stream: RLE streams have 0x00 (no parameter, no stored mode)", h.param)));
    }
    header::check_output_cap(OP, h.raw_len, output_cap)?;
    decode_payload(h.raw_len, payload)
}

fn too_long(n: usize) -> Error {
    Error::invalid(OP, format!("the packets decode to more than the {n} bytes the header claims"))
}

/// Decodes the payload after the header (exposed for fuzzing below the checksum).
///
/// Consecutive run packets of the same byte (a run longer than 128) are merged into one fill,
/// and the output is written in place into its final allocation.
pub fn decode_payload(n: usize, p: &[u8]) -> Result<Vec<u8>> {
    if n as u64 > 64 * p.len() as u64 + 128 {
        return Err(Error::invalid(OP, format!("the header claims {n} bytes but {} payload bytes can hold at most {}", p.len(), 64 * p.len() + 128)));
    }
    let mut out = alloc_bytes(OP, n)?;
    let dst = out.spare_capacity_mut().as_mut_ptr().cast::<u8>();
    let (mut i, mut at) = (0usize, 0usize);
    while i < p.len() {
        let c = p[i];
        if c < 128 {
            let k = c as usize + 1;
            let Some(lit) = p.get(i + 1..i + 1 + k) else {
                return Err(Error::invalid(OP, format!("truncated stream: a literal packet of {k} bytes at payload offset {i} runs past the end")));
            };
            if k > n - at {
                return Err(too_long(n));
            }
            // SAFETY: `at + k <= n`, the capacity of `out`; `lit` is another allocation.
            unsafe { core::ptr::copy_nonoverlapping(lit.as_ptr(), dst.add(at), k) };
            at += k;
            i += 1 + k;
        } else if c == 128 {
            return Err(Error::invalid(OP, format!("reserved control byte 128 at payload offset {i}")));
        } else {
            let Some(&b) = p.get(i + 1) else {
                return Err(Error::invalid(OP, format!("truncated stream: a run packet at payload offset {i} has no byte")));
            };
            let mut k = 257 - c as usize;
            i += 2;
            while k <= n - at && i + 1 < p.len() && p[i] > 128 && p[i + 1] == b {
                k += 257 - p[i] as usize;
                i += 2;
            }
            if k > n - at {
                return Err(too_long(n));
            }
            // SAFETY: `at + k <= n`, the capacity of `out`.
            unsafe { core::ptr::write_bytes(dst.add(at), b, k) };
            at += k;
        }
    }
    if at != n {
        return Err(Error::invalid(OP, format!("truncated stream: the packets decode to {at} of the {n} bytes the header claims")));
    }
    // SAFETY: the loop above wrote all `n` bytes (`at == n`, written contiguously from 0).
    unsafe { out.set_len(n) };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_meets_the_growth_bound() {
        let mut alternating = Vec::new();
        for i in 0..1000u32 {
            alternating.extend_from_slice(&[(i % 251) as u8, (i % 251) as u8]);
        }
        let noruns: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let mixed: Vec<u8> = (0..5000u32).map(|i| if (i / 3) % 2 == 0 { 1 } else { (i % 256) as u8 }).collect();
        for input in [Vec::new(), vec![1], vec![5; 1], vec![5; 2], vec![5; 3], vec![0; 100_000], noruns, alternating, mixed] {
            let enc = encode(&input).unwrap();
            assert_eq!(decode(&enc, usize::MAX).unwrap(), input);
            let n = input.len();
            assert!(enc.len() - header::HEADER_BYTES <= n + n / 128 + 1, "{} > bound for {n}", enc.len());
        }
        assert_eq!(encode(&[0; 128 * 100]).unwrap().len(), header::HEADER_BYTES + 200);
    }

    /// The encoder as first written (runs capped at 128 per scan, one packet per scan): the
    /// fast encoder must write the same packets.
    fn reference_encode(x: &[u8]) -> Vec<u8> {
        let run_at = |i: usize| {
            let mut j = i + 1;
            while j < x.len() && j < i + 128 && x[j] == x[i] {
                j += 1;
            }
            j - i
        };
        let mut out = Vec::new();
        let (mut i, mut lit) = (0, 0);
        while i < x.len() {
            let run = run_at(i);
            if run >= 3 {
                flush_literal(&mut out, &x[lit..i]);
                out.extend_from_slice(&[(257 - run) as u8, x[i]]);
                lit = i + run;
            }
            i += run;
        }
        flush_literal(&mut out, &x[lit..]);
        out
    }

    #[test]
    fn writes_the_packets_of_the_reference_encoder() {
        let mut seed = 0x9e37_79b9u32;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for len in [1usize, 2, 3, 4, 15, 16, 17, 127, 128, 129, 130, 131, 255, 256, 257, 258, 259, 383, 384, 385, 1000] {
            inputs.push(vec![9; len]);
            let mut x = vec![1, 2];
            x.extend(vec![9; len]);
            x.extend([3, 3, 4]);
            x.extend(vec![9; len]);
            inputs.push(x);
        }
        for _ in 0..300 {
            let mut x = Vec::new();
            while x.len() < 3000 {
                let r = rand();
                let len = match r % 4 {
                    0 => 1 + (r >> 8) as usize % 3,
                    1 => 1 + (r >> 8) as usize % 40,
                    2 => 120 + (r >> 8) as usize % 20,
                    _ => 1 + (r >> 8) as usize % 600,
                };
                x.extend(std::iter::repeat_n((r >> 24) as u8 % 3, len));
            }
            inputs.push(x);
        }
        for x in &inputs {
            let enc = encode(x).unwrap();
            assert_eq!(&enc[header::HEADER_BYTES..], &reference_encode(x)[..], "input of {} bytes", x.len());
            assert_eq!(&decode(&enc, usize::MAX).unwrap(), x);
        }
    }

    #[test]
    fn decodes_consecutive_run_packets_of_one_byte_and_of_different_bytes() {
        // 128 + 2 sevens, 3 eights, a literal, then 128 + 128 + 5 sevens.
        let p = [0x81, 7, 0xff, 7, 0xfe, 8, 1, 5, 6, 0x81, 7, 0x81, 7, 0xfc, 7];
        let mut want = vec![7; 130];
        want.extend([8, 8, 8, 5, 6]);
        want.extend(vec![7; 261]);
        assert_eq!(decode_payload(want.len(), &p).unwrap(), want);
        assert!(decode_payload(want.len() - 1, &p).unwrap_err().to_string().contains("more than"));
        assert!(decode_payload(want.len() + 1, &p).unwrap_err().to_string().contains("decode to 396 of the 397"));
    }

    /// FORMATS.md: version 1, parameter 0. Any other parameter byte is refused (it was
    /// ignored), and so is a caller's `output` shorter than the header's length, before
    /// decoding; the output is one allocation of exactly that length.
    #[test]
    fn header_parameter_and_output_cap_are_checked() {
        let x: Vec<u8> = (0..5000u32).map(|i| if (i / 50) % 2 == 0 { 7 } else { (i % 256) as u8 }).collect();
        let enc = encode(&x).unwrap();
        assert_eq!((enc[4], enc[5]), (1, 0));
        let out = decode(&enc, usize::MAX).unwrap();
        assert_eq!((out == x, out.capacity()), (true, x.len()));
        for p in [0x80u8, 0x07, 0x01, 0xff] {
            let mut s = enc.clone();
            s[5] = p;
            header::seal(&mut s);
            let e = decode(&s, usize::MAX).unwrap_err().to_string();
            assert_eq!(e, format!("compression.rle: parameter byte {p:#04x} in a version 1 stream: RLE streams have 0x00 (no parameter, no stored mode)"));
        }
        let mut s = enc.clone();
        s[4] = 2;
        header::seal(&mut s);
        assert!(decode(&s, usize::MAX).unwrap_err().to_string().contains("unsupported version 2"));
        assert_eq!(decode_capped(&enc, usize::MAX, 5000).unwrap(), x);
        let e = decode_capped(&enc, usize::MAX, 4999).unwrap_err().to_string();
        assert_eq!(e, "compression.rle: output holds 4999 bytes but the stream decodes to 5000 (its header's length); pass an output of at least 5000 bytes (nothing was decoded)");
    }

    #[test]
    fn malformed_packets_are_errors() {
        assert!(decode_payload(3, &[128, 0]).unwrap_err().to_string().contains("reserved"));
        assert!(decode_payload(3, &[5, 1]).unwrap_err().to_string().contains("truncated"));
        assert!(decode_payload(3, &[0xff]).unwrap_err().to_string().contains("truncated"));
        assert!(decode_payload(3, &[0x81, 7]).unwrap_err().to_string().contains("more than"));
        assert!(decode_payload(5, &[0xfe, 7]).unwrap_err().to_string().contains("truncated"));
        assert!(decode_payload(1 << 30, &[0x81, 7]).unwrap_err().to_string().contains("claims"));
    }
}
