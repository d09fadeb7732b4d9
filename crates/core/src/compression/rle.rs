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

/// Length of the run of `x[i]` starting at `i`, at most 128.
#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn run_at(x: &[u8], i: usize) -> usize {
    let b = x[i];
    let end = (i + 128).min(x.len());
    let pattern = u64::from_ne_bytes([b; 8]);
    let mut j = i + 1;
    while j + 8 <= end {
        let mut w = [0u8; 8];
        w.copy_from_slice(&x[j..j + 8]);
        let diff = u64::from_le_bytes(w) ^ pattern;
        if diff != 0 {
            return j + (diff.trailing_zeros() / 8) as usize - i;
        }
        j += 8;
    }
    while j < end && x[j] == b {
        j += 1;
    }
    j - i
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn flush_literal(out: &mut Vec<u8>, lit: &[u8]) {
    for chunk in lit.chunks(128) {
        out.push((chunk.len() - 1) as u8);
        out.extend_from_slice(chunk);
    }
}

/// Encodes `bytes`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn encode(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = header::begin(MAGIC, 0, bytes.len(), OP)?;
    let bound = bytes.len() + bytes.len() / 128 + 1;
    out.try_reserve(bound.min(bytes.len() / 4 + 64)).map_err(|_| Error::OutOfMemory { op: OP, bytes: bound as u64 })?;
    let (mut i, mut lit) = (0usize, 0usize);
    while i < bytes.len() {
        let run = run_at(bytes, i);
        if run >= 3 {
            flush_literal(&mut out, &bytes[lit..i]);
            out.extend_from_slice(&[(257 - run) as u8, bytes[i]]);
            i += run;
            lit = i;
        } else {
            i += run;
        }
    }
    flush_literal(&mut out, &bytes[lit..]);
    header::seal(&mut out);
    Ok(out)
}

/// Decodes a stream from [`encode`], refusing to produce more than `max_output` bytes.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode(stream: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let (h, payload) = header::open(OP, MAGIC, stream, max_output)?;
    decode_payload(h.raw_len, payload)
}

/// Decodes the payload after the header (exposed for fuzzing below the checksum).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode_payload(n: usize, p: &[u8]) -> Result<Vec<u8>> {
    if n as u64 > 64 * p.len() as u64 + 128 {
        return Err(Error::invalid(OP, format!("the header claims {n} bytes but {} payload bytes can hold at most {}", p.len(), 64 * p.len() + 128)));
    }
    let mut out = alloc_bytes(OP, n)?;
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        let at = out.len();
        if c < 128 {
            let k = c as usize + 1;
            let Some(lit) = p.get(i + 1..i + 1 + k) else {
                return Err(Error::invalid(OP, format!("truncated stream: a literal packet of {k} bytes at payload offset {i} runs past the end")));
            };
            if at + k > n {
                return Err(Error::invalid(OP, format!("the packets decode to more than the {n} bytes the header claims")));
            }
            out.extend_from_slice(lit);
            i += 1 + k;
        } else if c == 128 {
            return Err(Error::invalid(OP, format!("reserved control byte 128 at payload offset {i}")));
        } else {
            let k = 257 - c as usize;
            let Some(&b) = p.get(i + 1) else {
                return Err(Error::invalid(OP, format!("truncated stream: a run packet at payload offset {i} has no byte")));
            };
            if at + k > n {
                return Err(Error::invalid(OP, format!("the packets decode to more than the {n} bytes the header claims")));
            }
            out.resize(at + k, b);
            i += 2;
        }
    }
    if out.len() != n {
        return Err(Error::invalid(OP, format!("truncated stream: the packets decode to {} of the {n} bytes the header claims", out.len())));
    }
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
