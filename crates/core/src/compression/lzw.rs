//! Lempel–Ziv–Welch with variable code width (9 bits up to `max_bits`, 12..=20; 17 by
//! default) and an adaptive dictionary reset, as in `compress`.
//!
//! Stream (after the [`header`](super::header), magic `NRLZ`, parameter byte = `max_bits`):
//! codes MSB first, zero-padded to a byte. Codes 0..=255 are the bytes, 256 is CLEAR, new
//! entries start at 257. A code is written with `max(9, bit length of (next - 1))` bits,
//! where `next` is the encoder's next free code, so the width grows exactly when a code
//! needing one more bit may appear. Once the dictionary is full (`next` reaches
//! `2^max_bits`) no entries are added and codes keep `max_bits` bits. From the moment the
//! dictionary is half full, the encoder checks its compression ratio since the last CLEAR
//! every [`CHECK_GAP`] input bytes and writes CLEAR (with the current width) when the ratio
//! stopped improving — `compress`'s rule, which checks only once full — and starts again
//! from 9 bits. The decoder needs no rule: it stops adding entries when full and restarts at
//! every CLEAR, so streams that clear exactly when full (GIF's rule, this encoder's first
//! one) decode unchanged. The decoded length in the header ends the stream (no STOP code).
//!
//! Measured on the bench's 1 MiB of this repository's sources (compressed size): compress's
//! rule 43.6 % (16 bits), 42.7 % (17); checking from half
//! full 43.0 % (16), 41.2 % (17), 42.7 % (18: the dictionary hardly fills, so it rarely
//! clears, and a dictionary built on one kind of file serves the next badly). lz-string,
//! whose dictionary never resets, gives 43.1 %. Hence 17 bits by default.
//!
//! Stored mode (format version 2, see [`header`](super::header)): when the codes would not
//! be smaller than the input (random bytes grow by about 37 % under LZW), the encoder stops
//! as soon as its output reaches the input's length and writes the header with version 2 and
//! parameter `STORED | max_bits`, followed by the input itself. Coded streams keep version 1
//! and parameter `max_bits`, unchanged.

use super::bitio::{BitReader, BitWriter};
use super::header::{self, alloc_bytes};
use crate::{Error, Result};

const MAGIC: &[u8; 4] = b"NRLZ";
const OP: &str = "compression.lzw";
const CLEAR: u32 = 256;
const FIRST: u32 = 257;
/// The default maximum code width (see the module notes; `compress` and GIF stop at 16 and
/// 12 bits). At 17 bits the encoder's hash table takes 2 MiB; the decoder's table grows with
/// the codes the stream defines, 12 bytes per code.
pub const DEFAULT_MAX_BITS: u32 = 17;
/// The widest codes (a dictionary of 2^20 strings).
pub const MAX_BITS: u32 = 20;
/// Input bytes between two ratio checks (`compress` uses 10 000; on text 16 KiB did best
/// among 4–256 KiB).
const CHECK_GAP: usize = 16 * 1024;

#[inline]
fn width(next: u32) -> u32 {
    (32 - (next - 1).leading_zeros()).max(9)
}

/// A decoder dictionary entry: the string is `prefix`'s string followed by `last`.
#[derive(Clone, Copy)]
struct Entry {
    prefix: u32,
    last: u8,
    first: u8,
    len: u32,
}

/// Open-addressing map `(prefix code, byte) → code` for the encoder.
struct Dict {
    keys: Vec<u32>,
    vals: Vec<u32>,
    shift: u32,
}

impl Dict {
    /// A table for at most `entries` strings, at most half full.
    fn new(entries: usize) -> Dict {
        let bits = (usize::BITS - entries.max(256).leading_zeros()) + 1;
        Dict { keys: vec![0; 1 << bits], vals: vec![0; 1 << bits], shift: 32 - bits }
    }
    #[inline]
    fn slot(&self, key: u32) -> (usize, bool) {
        let mask = self.keys.len() - 1;
        let mut i = (key.wrapping_mul(0x9E37_79B1) >> self.shift) as usize;
        loop {
            let k = self.keys[i];
            if k == key {
                return (i, true);
            }
            if k == 0 {
                return (i, false);
            }
            i = (i + 1) & mask;
        }
    }
    fn clear(&mut self) {
        self.keys.fill(0);
    }
}

/// Encodes `bytes` with codes of at most `max_bits` (12..=20) bits: coded, or stored when
/// the codes would not be smaller than the input.
pub fn encode(bytes: &[u8], max_bits: u32) -> Result<Vec<u8>> {
    if !(12..=MAX_BITS).contains(&max_bits) {
        return Err(Error::invalid(OP, format!("maxBits must be in 12..={MAX_BITS}, got {max_bits}")));
    }
    let out = header::begin(MAGIC, max_bits as u8, bytes.len(), OP)?;
    // The output may not reach this many bytes (header included) before it is stored instead.
    let cap = header::HEADER_BYTES + bytes.len();
    let mut w = BitWriter::new(out);
    if let Some((&first, rest)) = bytes.split_first() {
        let limit = 1u32 << max_bits;
        // Never more strings than codes, nor than input bytes: small inputs get small tables.
        let mut dict = Dict::new((limit as usize).min(bytes.len() + FIRST as usize));
        let mut next = FIRST;
        let mut cur = u32::from(first);
        // Since the last CLEAR: where it was (input index, output bytes), and the best ratio
        // seen at a checkpoint of the full dictionary.
        let (mut in0, mut out0, mut best) = (0usize, 0usize, 0f64);
        let mut check = usize::MAX;
        for (i, &b) in rest.iter().enumerate() {
            // Keys are stored +1 so that 0 marks an empty slot (cur < 2^20: 28 bits).
            let key = ((cur << 8) | u32::from(b)) + 1;
            let (slot, found) = dict.slot(key);
            if found {
                cur = dict.vals[slot];
                continue;
            }
            w.put(cur, width(next));
            if w.bytes_so_far() >= cap {
                return header::stored(OP, MAGIC, max_bits as u8, bytes);
            }
            if next < limit {
                dict.keys[slot] = key;
                dict.vals[slot] = next;
                next += 1;
                if next == FIRST + (limit - FIRST) / 2 {
                    check = i + CHECK_GAP;
                }
            }
            if i >= check {
                check = i + CHECK_GAP;
                let ratio = (i - in0) as f64 / (w.bytes_so_far() - out0).max(1) as f64;
                if ratio > best {
                    best = ratio;
                } else {
                    w.put(CLEAR, width(next));
                    dict.clear();
                    next = FIRST;
                    (in0, out0, best, check) = (i, w.bytes_so_far(), 0.0, usize::MAX);
                }
            }
            cur = u32::from(b);
        }
        w.put(cur, width(next));
    }
    let mut out = w.finish();
    if !bytes.is_empty() && out.len() >= cap {
        return header::stored(OP, MAGIC, max_bits as u8, bytes);
    }
    header::seal(&mut out);
    Ok(out)
}

/// Decodes a stream from [`encode`] (coded or stored), refusing to produce more than
/// `max_output` bytes.
pub fn decode(stream: &[u8], max_output: usize) -> Result<Vec<u8>> {
    decode_capped(stream, max_output, usize::MAX)
}

/// [`decode`] for a caller's buffer of `output_cap` bytes: a stream whose header claims more is
/// refused before anything is decoded ([`header::check_output_cap`]).
///
/// The header's version and parameter byte must be one of the pairs neurite writes: version 1
/// with the maximum code width (coded), version 2 with [`STORED`](header::STORED) `|` width
/// (stored). Any other pairing is refused rather than guessed at.
pub fn decode_capped(stream: &[u8], max_output: usize, output_cap: usize) -> Result<Vec<u8>> {
    let (h, payload) = header::open_versions(OP, MAGIC, stream, max_output, header::VERSION_STORED)?;
    let stored = h.param & header::STORED != 0;
    if stored != (h.version == header::VERSION_STORED) {
        return Err(Error::invalid(
            OP,
            format!(
                "version {} with parameter byte {:#04x}: version 1 streams are coded (parameter = the maximum code width, 12..=20), version 2 streams stored (0x80 | width)",
                h.version, h.param
            ),
        ));
    }
    let max_bits = u32::from(h.param & !header::STORED);
    if !(12..=MAX_BITS).contains(&max_bits) {
        return Err(Error::invalid(OP, format!("the header's maximum code width {max_bits} is not in 12..={MAX_BITS}")));
    }
    header::check_output_cap(OP, h.raw_len, output_cap)?;
    if stored {
        return header::decode_stored(OP, h.raw_len, payload);
    }
    decode_payload(h.raw_len, max_bits, payload)
}

/// The most bytes `payload_len` payload bytes of codes at most `max_bits` wide can decode to.
///
/// Every code takes at least 9 bits, so there are at most `c = ⌊8·payload_len / 9⌋` codes
/// (CLEARs included). Counting from the start or the last CLEAR, code `k` (0-based) names a
/// string of at most `k + 1` bytes: code 0 is a byte, and the entry added after code `k` is the
/// string of code `k - 1` plus one byte, which a later code (or code `k` itself, the `KwKwK`
/// case) may name. No string is longer than the last entry, `2^max_bits − 1`, made after code
/// `2^max_bits − 257`: at most `L = 2^max_bits − 256` bytes. So `c` codes give at most
/// `Σ_{k<c} min(k + 1, L)` bytes: `c(c + 1)/2` while `c ≤ L`, then `L` per further code. A
/// CLEAR restarts the count, which only lowers the sum (it is convex in `c`).
fn max_decoded_len(payload_len: usize, max_bits: u32) -> u64 {
    let c = payload_len as u64 * 8 / 9;
    let l = (1u64 << max_bits) - 256;
    if c <= l { c * (c + 1) / 2 } else { l * (l + 1) / 2 + (c - l) * l }
}

/// Decodes the payload after the header (exposed for fuzzing below the checksum).
pub fn decode_payload(n: usize, max_bits: u32, payload: &[u8]) -> Result<Vec<u8>> {
    if !(12..=MAX_BITS).contains(&max_bits) {
        return Err(Error::invalid(OP, format!("the header's maximum code width {max_bits} is not in 12..={MAX_BITS}")));
    }
    let limit = 1u32 << max_bits;
    // Entry k: its previous code, its last byte, its first byte and its length. The table
    // grows with the codes the stream defines (entries are added in code order), so a short
    // stream with 20-bit codes allocates little; CLEAR truncates it.
    let mut dict: Vec<Entry> = Vec::new();
    let grow = |dict: &mut Vec<Entry>, e: Entry| -> Result<()> {
        dict.try_reserve(1).map_err(|_| Error::OutOfMemory { op: OP, bytes: (dict.len() * std::mem::size_of::<Entry>()) as u64 })?;
        dict.push(e);
        Ok(())
    };
    for b in 0..=256u32 {
        // 256 is CLEAR: a placeholder that no code reaches as an entry.
        grow(&mut dict, Entry { prefix: 0, last: b as u8, first: b as u8, len: 1 })?;
    }
    // One allocation of exactly `n` bytes, made only when the payload could decode to them
    // (see `max_decoded_len`): the output never grows, so it is never copied to a larger
    // block (growing by doubling kept ~2.5 times the output at its peak).
    let most = max_decoded_len(payload.len(), max_bits);
    if n as u64 > most {
        let codes = payload.len() as u64 * 8 / 9;
        return Err(Error::invalid(
            OP,
            format!(
                "truncated stream or corrupt header: the header claims {n} bytes but {} payload bytes hold at most {codes} code{}, which decode to at most {most} bytes",
                payload.len(),
                if codes == 1 { "" } else { "s" }
            ),
        ));
    }
    let mut out = alloc_bytes(OP, n)?;
    let mut r = BitReader::new(payload);
    let mut next = FIRST;
    let mut prev: Option<u32> = None;
    while out.len() < n {
        let enc_next = match prev {
            Some(_) => (next + 1).min(limit),
            None => next,
        };
        let code = r.get(width(enc_next));
        if r.overrun() {
            return Err(Error::invalid(OP, format!("truncated stream: codes end after {} of {n} bytes", out.len())));
        }
        if code == CLEAR {
            if prev.is_none() {
                return Err(Error::invalid(OP, "CLEAR code right after a CLEAR or at the start"));
            }
            next = FIRST;
            dict.truncate(FIRST as usize);
            prev = None;
            continue;
        }
        let start = out.len();
        let (entry_len, head) = if code < next {
            let e = dict[code as usize];
            (e.len, e.first)
        } else if code == next && next < limit {
            match prev {
                Some(p) => (dict[p as usize].len + 1, dict[p as usize].first),
                None => return Err(Error::invalid(OP, format!("code {code} at output byte {start} is beyond the dictionary (next free code {next})"))),
            }
        } else {
            return Err(Error::invalid(OP, format!("code {code} at output byte {start} is beyond the dictionary (next free code {next})")));
        };
        let entry_len = entry_len as usize;
        if start + entry_len > n {
            return Err(Error::invalid(OP, format!("the codes decode to more than the {n} bytes the header claims")));
        }
        // Within the capacity reserved above (`start + entry_len <= n`): no reallocation.
        out.resize(start + entry_len, 0);
        // Write the entry backwards along its prefix chain.
        if code < next {
            let mut c = code;
            for slot in out[start..].iter_mut().rev() {
                let e = dict[c as usize];
                *slot = e.last;
                c = e.prefix;
            }
        } else {
            // KwKwK: the entry is prev's string followed by prev's first byte.
            let p = prev.unwrap_or(0);
            let mut c = p;
            let end = start + entry_len - 1;
            for slot in out[start..end].iter_mut().rev() {
                let e = dict[c as usize];
                *slot = e.last;
                c = e.prefix;
            }
            out[end] = head;
        }
        if let Some(p) = prev {
            if next < limit {
                let e = dict[p as usize];
                grow(&mut dict, Entry { prefix: p, last: head, first: e.first, len: e.len + 1 })?;
                next += 1;
            }
        }
        prev = Some(code);
    }
    r.check_end(OP, n)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compression::lcg;

    #[test]
    fn round_trips_at_every_width_including_resets() {
        let text = b"TOBEORNOTTOBEORTOBEORNOT#".repeat(3000);
        for bits in 12..=20 {
            for input in [Vec::new(), vec![3], vec![0; 100_000], lcg(70_000, bits as u64), text.clone(), b"aaaaaaa".to_vec()] {
                let enc = encode(&input, bits).unwrap();
                assert_eq!(decode(&enc, usize::MAX).unwrap(), input, "bits {bits} len {}", input.len());
            }
        }
    }

    #[test]
    fn incompressible_input_is_stored_as_header_plus_input() {
        use header::{HEADER_BYTES, STORED, VERSION, VERSION_STORED};
        let text = b"TOBEORNOTTOBEORTOBEORNOT#".repeat(3000);
        for bits in 12..=20 {
            for input in [lcg(50_000, 7), vec![5], b"abcdefgh".to_vec()] {
                let enc = encode(&input, bits).unwrap();
                assert_eq!(enc.len(), HEADER_BYTES + input.len(), "bits {bits} len {}", input.len());
                assert_eq!((enc[4], enc[5]), (VERSION_STORED, STORED | bits as u8));
                assert_eq!(&enc[HEADER_BYTES..], &input[..]);
                assert_eq!(decode(&enc, usize::MAX).unwrap(), input);
            }
            let enc = encode(&text, bits).unwrap();
            assert_eq!((enc[4], enc[5]), (VERSION, bits as u8));
            assert_eq!(decode(&enc, usize::MAX).unwrap(), text);
        }
        // Input LZW leaves exactly as long or longer is stored: never more than the header.
        for n in 0..400 {
            let input = lcg(n, n as u64);
            assert!(encode(&input, 12).unwrap().len() <= HEADER_BYTES + n);
        }
    }

    #[test]
    fn bad_stored_streams_are_errors() {
        let reseal = |mut s: Vec<u8>| {
            header::seal(&mut s);
            s
        };
        let enc = encode(&lcg(1000, 4), 14).unwrap();
        for n in [999u32, 1001, 0] {
            let mut s = enc.clone();
            s[6..10].copy_from_slice(&n.to_le_bytes());
            let e = decode(&reseal(s), usize::MAX).unwrap_err().to_string();
            assert!(e.contains(&format!("stored stream: the header claims {n} bytes but the payload holds 1000")), "{e}");
        }
        let mut s = enc.clone();
        s[4] = 1;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("version 1 with parameter byte 0x8e: version 1 streams are coded"));
        let mut s = enc.clone();
        s[5] = 0x80 | 21;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("maximum code width 21"));
        assert!(decode(&enc, 999).unwrap_err().to_string().contains("maxOutputBytes = 999"));
        // FORMATS.md's pairs only: a coded stream relabelled as version 2 (no stored flag) is
        // refused, as is version 3; every stream neurite wrote (version 1 coded, version 2
        // stored) still decodes.
        let text = b"TOBEORNOTTOBEORTOBEORNOT#".repeat(30);
        let coded = encode(&text, 12).unwrap();
        assert_eq!((coded[4], coded[5]), (1, 12));
        assert_eq!(decode(&coded, usize::MAX).unwrap(), text);
        let mut s = coded.clone();
        s[4] = 2;
        let e = decode(&reseal(s), usize::MAX).unwrap_err().to_string();
        assert!(e.contains("version 2 with parameter byte 0x0c: version 1 streams are coded (parameter = the maximum code width, 12..=20), version 2 streams stored (0x80 | width)"), "{e}");
        let mut s = coded.clone();
        s[4] = 3;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("unsupported version 3"));
    }

    /// The output is one allocation of the header's length: never a larger block, never grown
    /// (a 256 MiB stream of zeros kept 653 MB of WebAssembly memory when it doubled). A header
    /// claiming more than its payload can decode to is refused before any allocation.
    #[test]
    fn the_output_is_one_allocation_of_the_headers_length() {
        for input in [vec![0u8; 3 << 20], b"TOBEORNOTTOBEORTOBEORNOT#".repeat(40_000), lcg(100_000, 2).iter().map(|b| b & 7).collect()] {
            for bits in [12, 17, 20] {
                let enc = encode(&input, bits).unwrap();
                assert_eq!(enc[4], 1);
                let out = decode(&enc, usize::MAX).unwrap();
                assert_eq!(out, input);
                assert_eq!(out.capacity(), input.len(), "bits {bits}");
                let payload = &enc[header::HEADER_BYTES..];
                assert!(max_decoded_len(payload.len(), bits) >= input.len() as u64);
            }
        }
        // The bound is reached: zeros make code k the string of k + 1 zeros (a 9-byte payload
        // holds 8 codes: 1 + 2 + … + 8 = 36 bytes). One byte more is refused up front.
        let enc = encode(&[0u8; 36], 12).unwrap();
        let payload = &enc[header::HEADER_BYTES..];
        assert_eq!((payload.len(), max_decoded_len(payload.len(), 12)), (9, 36));
        let e = decode_payload(37, 12, payload).unwrap_err().to_string();
        assert!(e.contains("truncated stream or corrupt header: the header claims 37 bytes but 9 payload bytes hold at most 8 codes, which decode to at most 36 bytes"), "{e}");
        // Past the longest string (2^12 − 256 bytes at 12 bits), L bytes per further code.
        let l = (1u64 << 12) - 256;
        assert_eq!(max_decoded_len((9 * (l as usize + 1)).div_ceil(8), 12), l * (l + 1) / 2 + l);
        // A 30-byte stream claiming 256 MiB: an error, not 256 MiB of memory.
        assert!(decode_payload(256 << 20, 17, &[0; 30]).unwrap_err().to_string().contains("at most 26 codes, which decode to at most 351 bytes"));
    }

    /// A caller's `output` too small for the header's length is refused before decoding, after
    /// the checks of the stream itself (magic, version, checksum, maxOutputBytes).
    #[test]
    fn an_output_too_small_is_refused_before_decoding() {
        let text = b"TOBEORNOTTOBEORTOBEORNOT#".repeat(30);
        for enc in [encode(&text, 12).unwrap(), encode(&lcg(500, 1), 12).unwrap()] {
            let n = if enc[4] == 1 { text.len() } else { 500 };
            assert_eq!(decode_capped(&enc, usize::MAX, n).unwrap().len(), n);
            let e = decode_capped(&enc, usize::MAX, n - 1).unwrap_err().to_string();
            assert_eq!(e, format!("compression.lzw: output holds {} bytes but the stream decodes to {n} (its header's length); pass an output of at least {n} bytes (nothing was decoded)", n - 1));
            assert!(decode_capped(&enc, n - 1, 0).unwrap_err().to_string().contains("maxOutputBytes"));
        }
    }

    /// Input whose statistics change half-way: the dictionary fills on the first half and
    /// keeps coding full, the ratio drops on the second and the encoder CLEARs; it round-trips.
    /// A GIF-style stream (CLEAR the moment the dictionary fills, written here by hand, as the
    /// first encoder did) decodes too.
    #[test]
    fn full_dictionary_then_adaptive_reset_round_trips() {
        let mut input: Vec<u8> = lcg(200_000, 3).iter().map(|b| b"etaoin shrdlu"[(*b % 13) as usize]).collect();
        input.extend(lcg(200_000, 5).iter().map(|b| b"0123456789+-*/"[(*b % 14) as usize]));
        for bits in [12, 13] {
            let enc = encode(&input, bits).unwrap();
            assert_eq!(decode(&enc, usize::MAX).unwrap(), input);
        }
        // GIF-style: 8 distinct 2-byte pairs fill a 12-bit dictionary quickly; CLEAR at full.
        let data: Vec<u8> = lcg(60_000, 11).iter().map(|b| b % 4).collect();
        let limit = 1u32 << 12;
        let mut w = BitWriter::new(Vec::new());
        let mut dict = std::collections::HashMap::new();
        let (mut next, mut cur) = (FIRST, u32::from(data[0]));
        for &b in &data[1..] {
            if let Some(&c) = dict.get(&(cur, b)) {
                cur = c;
                continue;
            }
            w.put(cur, width(next));
            dict.insert((cur, b), next);
            next += 1;
            if next == limit {
                w.put(CLEAR, 12);
                dict.clear();
                next = FIRST;
            }
            cur = u32::from(b);
        }
        w.put(cur, width(next));
        assert_eq!(decode_payload(data.len(), 12, &w.finish()).unwrap(), data);
    }

    #[test]
    fn compresses_text() {
        let text = b"TOBEORNOTTOBEORTOBEORNOT#".repeat(3000);
        assert!(encode(&text, 16).unwrap().len() < text.len() / 10);
    }

    #[test]
    fn bad_codes_are_errors_not_panics() {
        // 9-bit code 300 with an empty dictionary.
        let mut w = BitWriter::new(Vec::new());
        w.put(300, 9);
        let p = w.finish();
        assert!(decode_payload(1, 12, &p).unwrap_err().to_string().contains("beyond the dictionary"));
        assert!(decode_payload(5, 12, &p).unwrap_err().to_string().contains("2 payload bytes hold at most 1 code, which decode to at most 1 bytes"));
        assert!(decode_payload(5, 21, &p).unwrap_err().to_string().contains("12..=20"));
        // 16 random symbols: coded, not stored.
        let enc = encode(&lcg(5000, 9).iter().map(|b| b & 15).collect::<Vec<u8>>(), 12).unwrap();
        assert_eq!(enc[5], 12);
        let payload = &enc[header::HEADER_BYTES..];
        assert!(decode_payload(5000, 12, &payload[..payload.len() / 2]).unwrap_err().to_string().contains("truncated"));
        let e = decode_payload(100, 12, payload).unwrap_err().to_string();
        assert!(e.contains("trailing") || e.contains("more than the 100 bytes"), "{e}");
        for k in 0..3000 {
            let mut m = payload.to_vec();
            let i = (k * 7919) % m.len();
            m[i] ^= 1 << (k % 8);
            let _ = decode_payload(5000, 12, &m);
        }
    }
}
