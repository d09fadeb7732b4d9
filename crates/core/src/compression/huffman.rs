//! Canonical Huffman coding of bytes, with code lengths limited to [`MAX_LEN`] bits and
//! table-driven decoding.
//!
//! Stream (after the [`header`](super::header), magic `NRHF`): when the input is not empty,
//! 128 bytes holding the 256 code lengths as 4-bit nibbles (high nibble first, 0 = unused),
//! then the codes of the input bytes, MSB first, zero-padded to a byte. A one-symbol input
//! gets a 1-bit code, so the payload is at least `raw_len / 8` bytes: a header claiming more
//! is refused before any allocation. The parameter byte is 0.
//!
//! Stored mode (format version 2, see [`header`](super::header)): when the coded payload
//! (table plus codes, known exactly from the histogram before any code is written) would not
//! be smaller than the input — random bytes, and every input shorter than about 130 bytes —
//! the stream is the header with version 2 and parameter [`STORED`](super::header::STORED),
//! followed by the input itself. Coded streams keep version 1 and parameter 0, unchanged.
//!
//! Runs mode (format version 3, parameter [`RUNS`]): when one byte `z` dominates — the
//! background of an image, MNIST's zeros (78 % of its bytes) — a Huffman code of bytes spends
//! at least one bit on each `z` although `z` carries a fraction of a bit, and lands far above
//! the order-0 entropy (MNIST: 2.36 bits/byte against 2.11). In runs mode every maximal run
//! of `z` of length `k` becomes the bijective base-2 digits of `k`, least significant first,
//! written with two extra symbols `RUNA` (digit 1) and `RUNB` (digit 2) — bzip2's scheme —
//! so a run of `k` costs about `log2 k` symbols. The payload is `z`, then 129 bytes holding
//! the 258 code lengths (bytes, `RUNA`, `RUNB`; 4-bit nibbles, high first),
//! then the codes. The encoder computes the exact size of both payloads from two histograms
//! and writes the smaller (ties: plain). Version-1/2 decoders refuse these streams
//! ("unsupported version 3") rather than misread them.
//!
//! Lengths come from the textbook Huffman construction; if the longest exceeds the limit,
//! lengths are clamped and the Kraft sum is repaired by lengthening the deepest codes that are
//! still short enough (as zlib/miniz do), then given back to symbols in order of frequency.

use super::bitio::{BitReader, BitWriter};
use super::header::{self, alloc_bytes};
use crate::{Error, Result};

pub const MAX_LEN: u32 = 15;
/// The version of streams in runs mode.
pub const VERSION_RUNS: u8 = 3;
/// The parameter byte of a runs-mode stream.
pub const RUNS: u8 = 0x01;
const RUNA: usize = 256;
const RUNB: usize = 257;
const MAGIC: &[u8; 4] = b"NRHF";
const OP: &str = "compression.huffman";

/// Code lengths (`0` for a symbol of frequency 0) of a Huffman code for `freqs`, at most
/// `max_len` bits each. A single used symbol gets length 1.
pub fn code_lengths(freqs: &[u32], max_len: u32) -> Result<Vec<u8>> {
    const OP: &str = "compression.huffman.codeLengths";
    if !(1..=MAX_LEN).contains(&max_len) {
        return Err(Error::invalid(OP, format!("maxLength must be in 1..={MAX_LEN}, got {max_len}")));
    }
    let used: Vec<usize> = (0..freqs.len()).filter(|&i| freqs[i] > 0).collect();
    if used.len() > 1usize << max_len {
        return Err(Error::invalid(
            OP,
            format!("{} symbols with non-zero frequency cannot have codes of at most {max_len} bits (at most {})", used.len(), 1usize << max_len),
        ));
    }
    let mut lens = vec![0u8; freqs.len()];
    match used.len() {
        0 => return Ok(lens),
        1 => {
            lens[used[0]] = 1;
            return Ok(lens);
        }
        _ => {}
    }
    // Leaves sorted by frequency (ties by symbol, so the result is deterministic).
    // As one u64 key each (frequency, then symbol): a plain integer sort.
    let mut keys: Vec<u64> = used.iter().map(|&s| u64::from(freqs[s]) << 32 | s as u64).collect();
    crate::sort::heapsort_by(&mut keys, |a, b| a < b);
    let leaves: Vec<usize> = keys.iter().map(|&k| (k & 0xffff_ffff) as usize).collect();
    let n = leaves.len();
    // Two-queue construction: weights of leaves 0..n and internal nodes n..2n-1.
    let mut weight: Vec<u64> = leaves.iter().map(|&s| u64::from(freqs[s])).collect();
    weight.reserve(n - 1);
    let mut parent = vec![0usize; 2 * n - 1];
    let (mut li, mut ni) = (0usize, n);
    let pick = |weight: &Vec<u64>, li: &mut usize, ni: &mut usize| -> usize {
        let internal_end = weight.len();
        if *li < n && (*ni >= internal_end || weight[*li] <= weight[*ni]) {
            *li += 1;
            *li - 1
        } else {
            *ni += 1;
            *ni - 1
        }
    };
    for node in n..2 * n - 1 {
        let a = pick(&weight, &mut li, &mut ni);
        let b = pick(&weight, &mut li, &mut ni);
        weight.push(weight[a] + weight[b]);
        parent[a] = node;
        parent[b] = node;
    }
    // Depths: the root (2n-2) has depth 0; parents come after children.
    let mut depth = vec![0u32; 2 * n - 1];
    for node in (0..2 * n - 2).rev() {
        depth[node] = depth[parent[node]] + 1;
    }
    // Count codes per length, clamped to max_len, then repair the Kraft sum.
    let mut count = vec![0u64; max_len as usize + 1];
    for &d in &depth[..n] {
        count[d.min(max_len) as usize] += 1;
    }
    let full = 1u64 << max_len;
    let mut kraft: u64 = (1..=max_len as usize).map(|l| count[l] << (max_len as usize - l)).sum();
    while kraft > full {
        let l = (1..max_len as usize).rev().find(|&l| count[l] > 0).ok_or_else(|| Error::Internal { msg: "huffman: Kraft repair found no short code".into() })?;
        count[l] -= 1;
        count[l + 1] += 1;
        kraft -= 1u64 << (max_len as usize - l - 1);
    }
    // Shortest codes to the most frequent symbols.
    let mut l = 1usize;
    for &s in leaves.iter().rev() {
        while count[l] == 0 {
            l += 1;
        }
        count[l] -= 1;
        lens[s] = l as u8;
    }
    Ok(lens)
}

/// Canonical codes for `lens` (codes of equal length are consecutive, in symbol order).
/// Fails if the lengths are over-subscribed (not a prefix-free code).
pub fn canonical_codes(op: &'static str, lens: &[u8]) -> Result<Vec<u32>> {
    let mut count = [0u32; MAX_LEN as usize + 1];
    for &l in lens {
        if u32::from(l) > MAX_LEN {
            return Err(Error::invalid(op, format!("code length {l} exceeds {MAX_LEN}")));
        }
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut kraft: u64 = 0;
    for l in 1..=MAX_LEN as usize {
        kraft += u64::from(count[l]) << (MAX_LEN as usize - l);
    }
    if kraft > 1 << MAX_LEN {
        return Err(Error::invalid(op, "code table is not prefix-free: the code lengths over-subscribe the code space (Kraft sum > 1)"));
    }
    let mut next = [0u32; MAX_LEN as usize + 2];
    let mut code = 0u32;
    for l in 1..=MAX_LEN as usize {
        code = (code + count[l - 1]) << 1;
        next[l] = code;
    }
    Ok(lens
        .iter()
        .map(|&l| {
            if l == 0 {
                0
            } else {
                let c = next[l as usize];
                next[l as usize] += 1;
                c
            }
        })
        .collect())
}

/// A decoding table: `2^bits` entries of `(symbol << 4) | length`, 0 where no code lands.
pub struct Table {
    pub bits: u32,
    pub entries: Vec<u16>,
}

impl Table {
    pub fn new(op: &'static str, lens: &[u8]) -> Result<Table> {
        let codes = canonical_codes(op, lens)?;
        let bits = u32::from(lens.iter().copied().max().unwrap_or(0)).max(1);
        if lens.len() > 1 << 12 {
            return Err(Error::invalid(op, format!("{} symbols are too many for a decoding table", lens.len())));
        }
        let mut entries = vec![0u16; 1 << bits];
        for (sym, (&l, &c)) in lens.iter().zip(&codes).enumerate() {
            if l == 0 {
                continue;
            }
            let shift = bits - u32::from(l);
            let start = (c << shift) as usize;
            let entry = ((sym as u16) << 4) | u16::from(l);
            entries[start..start + (1 << shift)].fill(entry);
        }
        Ok(Table { bits, entries })
    }

    /// Decodes one symbol (refills as needed).
    #[inline]
    pub fn decode(&self, op: &'static str, r: &mut BitReader<'_>) -> Result<u32> {
        if r.available() < self.bits {
            r.refill();
        }
        let e = self.entries[r.peek(self.bits) as usize];
        if e == 0 {
            return Err(Error::invalid(op, "invalid Huffman code in the stream (no symbol has it)"));
        }
        r.consume(u32::from(e & 15));
        Ok(u32::from(e >> 4))
    }
}

fn histogram(bytes: &[u8]) -> [u32; 256] {
    let mut h = [[0u32; 256]; 4];
    let mut quads = bytes.chunks_exact(4);
    for q in &mut quads {
        h[0][q[0] as usize] += 1;
        h[1][q[1] as usize] += 1;
        h[2][q[2] as usize] += 1;
        h[3][q[3] as usize] += 1;
    }
    for &b in quads.remainder() {
        h[0][b as usize] += 1;
    }
    let mut out = [0u32; 256];
    for (i, o) in out.iter_mut().enumerate() {
        *o = h[0][i] + h[1][i] + h[2][i] + h[3][i];
    }
    out
}

/// Encodes `bytes` (at most 4 GiB - 1): coded, or stored when coding would not make the
/// payload smaller than the input.
pub fn encode(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = header::begin(MAGIC, 0, bytes.len(), OP)?;
    if !bytes.is_empty() {
        let freqs = histogram(bytes);
        let lens = code_lengths(&freqs, MAX_LEN)?;
        let code_bits: u64 = freqs.iter().zip(&lens).map(|(&f, &l)| u64::from(f) * u64::from(l)).sum();
        let plain = 128 + code_bits.div_ceil(8);
        let z = (0..256).max_by_key(|&b| (freqs[b], std::cmp::Reverse(b))).unwrap_or(0) as u8;
        let run_freqs = run_histogram(bytes, z);
        let run_lens = code_lengths(&run_freqs, MAX_LEN)?;
        let run_bits: u64 = run_freqs.iter().zip(&run_lens).map(|(&f, &l)| u64::from(f) * u64::from(l)).sum();
        let runs = 1 + 129 + run_bits.div_ceil(8);
        if plain.min(runs) >= bytes.len() as u64 {
            return header::stored(OP, MAGIC, 0, bytes);
        }
        if runs < plain {
            return encode_runs(bytes, z, &run_lens, runs as usize);
        }
        let codes = canonical_codes(OP, &lens)?;
        for pair in lens.chunks_exact(2) {
            out.push((pair[0] << 4) | pair[1]);
        }
        let mut table = [(0u32, 0u32); 256];
        for (t, (&l, &c)) in table.iter_mut().zip(lens.iter().zip(&codes)) {
            *t = (c, u32::from(l));
        }
        out.try_reserve(bytes.len() / 2).map_err(|_| Error::OutOfMemory { op: OP, bytes: bytes.len() as u64 })?;
        let mut w = BitWriter::new(out);
        for &b in bytes {
            let (c, l) = table[b as usize];
            w.put(c, l);
        }
        out = w.finish();
    }
    header::seal(&mut out);
    Ok(out)
}

/// The symbols of runs mode for `bytes`: each maximal run of `z` as the bijective base-2
/// digits of its length (`RUNA` = 1, `RUNB` = 2, least significant first), other bytes as
/// themselves. Calls `emit` for each.
#[inline]
fn run_symbols(bytes: &[u8], z: u8, mut emit: impl FnMut(usize)) {
    let mut run: u64 = 0;
    let flush = |mut k: u64, emit: &mut dyn FnMut(usize)| {
        while k > 0 {
            if k & 1 == 1 {
                emit(RUNA);
                k = (k - 1) / 2;
            } else {
                emit(RUNB);
                k = (k - 2) / 2;
            }
        }
    };
    for &b in bytes {
        if b == z {
            run += 1;
        } else {
            flush(run, &mut emit);
            run = 0;
            emit(usize::from(b));
        }
    }
    flush(run, &mut emit);
}

fn run_histogram(bytes: &[u8], z: u8) -> [u32; 258] {
    let mut h = [0u32; 258];
    run_symbols(bytes, z, |s| h[s] += 1);
    h
}

/// Writes a runs-mode stream of `size` payload bytes (computed by the caller).
fn encode_runs(bytes: &[u8], z: u8, lens: &[u8], size: usize) -> Result<Vec<u8>> {
    let mut out = header::begin_version(MAGIC, VERSION_RUNS, RUNS, bytes.len(), OP)?;
    out.try_reserve(size).map_err(|_| Error::OutOfMemory { op: OP, bytes: size as u64 })?;
    out.push(z);
    for pair in lens.chunks_exact(2) {
        out.push((pair[0] << 4) | pair[1]);
    }
    let codes = canonical_codes(OP, lens)?;
    let mut w = BitWriter::new(out);
    run_symbols(bytes, z, |s| w.put(codes[s], u32::from(lens[s])));
    let mut out = w.finish();
    debug_assert_eq!(out.len(), header::HEADER_BYTES + size);
    header::seal(&mut out);
    Ok(out)
}

/// Decodes a stream from [`encode`] (coded, runs mode or stored), refusing to produce more
/// than `max_output` bytes.
pub fn decode(stream: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let (h, payload) = header::open_versions(OP, MAGIC, stream, max_output, VERSION_RUNS)?;
    match (h.version, h.param) {
        (_, 0) => decode_payload(h.raw_len, payload),
        (header::VERSION_STORED.., header::STORED) => header::decode_stored(OP, h.raw_len, payload),
        (VERSION_RUNS, RUNS) => decode_runs_payload(h.raw_len, payload),
        (v, p) => Err(Error::invalid(
            OP,
            format!(
                "parameter byte {p:#04x} is not valid in a version {v} stream (0 = coded{}{})",
                if v >= header::VERSION_STORED { ", 0x80 = stored" } else { "" },
                if v >= VERSION_RUNS { ", 0x01 = runs" } else { "" }
            ),
        )),
    }
}

/// Decodes the payload of a runs-mode stream (exposed for fuzzing below the checksum). The
/// output grows as it is decoded: runs let a few bits claim many bytes, so nothing is
/// allocated for what the stream has not produced yet.
pub fn decode_runs_payload(n: usize, payload: &[u8]) -> Result<Vec<u8>> {
    if payload.len() < 130 {
        return Err(Error::invalid(OP, format!("truncated stream: runs mode needs the run byte and a 129-byte code-length table, {} bytes present", payload.len())));
    }
    let z = payload[0];
    let mut lens = [0u8; 258];
    for (i, &b) in payload[1..130].iter().enumerate() {
        lens[2 * i] = b >> 4;
        lens[2 * i + 1] = b & 15;
    }
    if lens[usize::from(z)] != 0 {
        return Err(Error::invalid(OP, format!("the run byte {z} also has a code of its own (length {})", lens[usize::from(z)])));
    }
    let table = Table::new(OP, &lens)?;
    let mut out = alloc_bytes(OP, n.min(payload.len().saturating_mul(8)))?;
    let mut r = BitReader::new(&payload[130..]);
    // The pending run: its length so far and the weight of the next digit.
    let (mut run, mut weight) = (0u64, 1u64);
    let push_run = |out: &mut Vec<u8>, run: u64| -> Result<()> {
        let left = (n - out.len()) as u64;
        if run > left {
            return Err(Error::invalid(OP, format!("a run of {run} bytes at output byte {} decodes past the {n} bytes the header claims", out.len())));
        }
        out.try_reserve(run as usize).map_err(|_| Error::OutOfMemory { op: OP, bytes: (out.len() as u64) + run })?;
        out.resize(out.len() + run as usize, z);
        Ok(())
    };
    let (bits, entries) = (table.bits, &table.entries[..]);
    'symbols: while (out.len() as u64 + run) < n as u64 {
        // 57 bits after a refill hold three codes of at most 15 bits. Past the end the reader
        // yields zeros: checked once per refill, so a truncated stream stops within 3 symbols.
        r.refill();
        if r.overrun() {
            return Err(Error::invalid(OP, format!("truncated stream: the codes end after {} of {n} bytes", out.len() as u64 + run)));
        }
        for _ in 0..3 {
            let e = entries[r.peek(bits) as usize];
            if e == 0 {
                return Err(Error::invalid(OP, format!("invalid Huffman code at output byte {}: no symbol has it", out.len() as u64 + run)));
            }
            r.consume(u32::from(e & 15));
            let s = usize::from(e >> 4);
            if s >= RUNA {
                // RUNA adds the digit's weight, RUNB twice it.
                run += weight << (s - RUNA);
                weight <<= 1;
                if run > (n - out.len()) as u64 {
                    return Err(Error::invalid(OP, format!("a run of {run} bytes at output byte {} decodes past the {n} bytes the header claims", out.len())));
                }
            } else {
                if run > 0 {
                    push_run(&mut out, run)?;
                    (run, weight) = (0, 1);
                }
                if out.len() >= n {
                    return Err(Error::invalid(OP, format!("the codes decode to more than the {n} bytes the header claims")));
                }
                if out.len() == out.capacity() {
                    let more = out.len().max(1 << 16).min(n - out.len());
                    out.try_reserve(more).map_err(|_| Error::OutOfMemory { op: OP, bytes: (out.len() + more) as u64 })?;
                }
                out.push(s as u8);
            }
            if out.len() as u64 + run >= n as u64 {
                break 'symbols;
            }
        }
    }
    if r.overrun() {
        return Err(Error::invalid(OP, format!("truncated stream: the codes of {n} bytes run past the end of the input")));
    }
    push_run(&mut out, run)?;
    r.check_end(OP, n)?;
    Ok(out)
}

/// Decodes the payload after the header (exposed for fuzzing below the checksum).
pub fn decode_payload(n: usize, payload: &[u8]) -> Result<Vec<u8>> {
    if n == 0 {
        if !payload.is_empty() {
            return Err(Error::invalid(OP, format!("{} trailing bytes after an empty stream", payload.len())));
        }
        return Ok(Vec::new());
    }
    if payload.len() < 128 {
        return Err(Error::invalid(OP, format!("truncated stream: the code-length table needs 128 bytes, {} present", payload.len())));
    }
    let bits_avail = (payload.len() as u64 - 128) * 8;
    if n as u64 > bits_avail {
        return Err(Error::invalid(OP, format!("truncated stream or corrupt header: the header claims {n} bytes but the stream holds only {bits_avail} code bits (at least 1 bit per byte)")));
    }
    let mut lens = [0u8; 256];
    for (i, &b) in payload[..128].iter().enumerate() {
        lens[2 * i] = b >> 4;
        lens[2 * i + 1] = b & 15;
    }
    let table = Table::new(OP, &lens)?;
    let mut out = alloc_bytes(OP, n)?;
    out.resize(n, 0);
    let mut r = BitReader::new(&payload[128..]);
    let bits = table.bits;
    let entries = &table.entries[..];
    let mut i = 0;
    // 57 bits after a refill hold three codes of at most 15 bits.
    while i + 3 <= n {
        r.refill();
        for _ in 0..3 {
            let e = entries[r.peek(bits) as usize];
            if e == 0 {
                return Err(Error::invalid(OP, format!("invalid Huffman code at output byte {i}: no symbol has it")));
            }
            r.consume(u32::from(e & 15));
            out[i] = (e >> 4) as u8;
            i += 1;
        }
    }
    while i < n {
        out[i] = table.decode(OP, &mut r)? as u8;
        i += 1;
    }
    if r.overrun() {
        return Err(Error::invalid(OP, format!("truncated stream: the codes of {n} bytes run past the end of the input")));
    }
    r.check_end(OP, n)?;
    Ok(out)
}

/// Order-0 entropy of `bytes` in bits per byte.
pub fn entropy_bits(bytes: &[u8]) -> f64 {
    let h = histogram(bytes);
    let n = bytes.len() as f64;
    h.iter().filter(|&&c| c > 0).map(|&c| {
        let p = f64::from(c) / n;
        -p * p.log2()
    }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compression::lcg;

    /// Bytes where `z` dominates in runs (an MNIST-like image: 0 background, strokes of
    /// varied values).
    fn sparse_image(n: usize, seed: u64) -> Vec<u8> {
        let noise = lcg(n, seed);
        let mut out = vec![0u8; n];
        let mut on = false;
        for i in 0..n {
            if noise[i] < 12 {
                on = !on;
            }
            if on {
                out[i] = noise[(i * 7) % n] | 1;
            }
        }
        out
    }

    #[test]
    fn runs_mode_round_trips_and_beats_the_order_0_entropy_on_sparse_bytes() {
        for (n, seed) in [(1, 1), (2, 2), (300, 3), (5000, 4), (100_000, 5)] {
            let x = sparse_image(n, seed);
            let enc = encode(&x).unwrap();
            assert_eq!(decode(&enc, usize::MAX).unwrap(), x, "n {n}");
            if n >= 5000 {
                assert_eq!((enc[4], enc[5]), (VERSION_RUNS, RUNS), "n {n}");
                let h = entropy_bits(&x) * n as f64 / 8.0;
                assert!((enc.len() as f64) < h, "n {n}: {} bytes vs entropy {h:.0}", enc.len());
            }
        }
        // Runs at the start, at the end, the whole input, lengths around powers of two, a
        // dominant byte other than 0, and runs broken by every other byte.
        let mut cases: Vec<Vec<u8>> = vec![vec![7; 1], vec![7; 2], vec![7; 3], vec![7; 1 << 16], [vec![9; 5000], vec![1, 2, 3]].concat()];
        for k in [1usize, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 255, 256, 257, 1023, 1024, 1025] {
            let mut v = Vec::new();
            for i in 0..400 {
                v.extend(std::iter::repeat(200u8).take(k + i % 3));
                v.push((i % 199) as u8);
            }
            cases.push(v);
        }
        cases.push((0..40_000).map(|i| if i % 2 == 0 { 0 } else { (i % 251) as u8 }).collect());
        for x in cases {
            let enc = encode(&x).unwrap();
            assert_eq!(decode(&enc, usize::MAX).unwrap(), x, "len {}", x.len());
        }
        // Text keeps the plain code (no dominant byte): same stream as before.
        let text = b"the quick brown fox jumps over the lazy dog; ".repeat(200);
        assert_eq!(encode(&text).unwrap()[4..6], [header::VERSION, 0]);
    }

    #[test]
    fn bad_runs_streams_are_errors() {
        let x = sparse_image(20_000, 9);
        let enc = encode(&x).unwrap();
        let p = &enc[header::HEADER_BYTES..];
        let err = |n: usize, p: &[u8]| decode_runs_payload(n, p).unwrap_err().to_string();
        assert!(err(20_000, &p[..100]).contains("129-byte code-length table"));
        assert!(err(20_000, &p[..p.len() / 2]).contains("truncated"));
        assert!(err(19_000, p).contains("19000 bytes"), "{}", err(19_000, p));
        let mut q = p.to_vec();
        q[0] = 5; // the run byte now has a code of its own
        assert!(err(20_000, &q).contains("also has a code"));
        let mut q = p.to_vec();
        q[129] = 0x11; // RUNA and RUNB of length 1 with every byte code: over-subscribed
        assert!(err(20_000, &q).contains("prefix-free"), "{}", err(20_000, &q));
        // A version-2 decoder's view: version 3 is refused by open_versions(.., 2).
        assert!(header::open_versions(OP, MAGIC, &enc, usize::MAX, header::VERSION_STORED).unwrap_err().to_string().contains("unsupported version 3"));
        // A runs payload claiming 2^28 bytes from a handful of digits is an error, not an allocation.
        let e = err(1 << 28, p);
        assert!(e.contains("truncated") || e.contains("past"), "{e}");
        for k in 0..3000 {
            let mut m = p.to_vec();
            let i = (k * 7919) % m.len();
            m[i] ^= 1 << (k % 8);
            let _ = decode_runs_payload(20_000, &m);
        }
    }

    #[test]
    fn code_lengths_are_huffman_and_limited() {
        assert_eq!(code_lengths(&[5, 0, 0], 15).unwrap(), vec![1, 0, 0]);
        assert_eq!(code_lengths(&[1, 1, 2, 4], 15).unwrap(), vec![3, 3, 2, 1]);
        // Fibonacci frequencies give a maximally deep tree (length n-1 unlimited).
        let mut fib = vec![1u32, 1];
        while fib.len() < 30 {
            fib.push(fib[fib.len() - 1] + fib[fib.len() - 2]);
        }
        let lens = code_lengths(&fib, 15).unwrap();
        assert_eq!(*lens.iter().max().unwrap(), 15);
        let kraft: f64 = lens.iter().map(|&l| 2f64.powi(-(l as i32))).sum();
        assert!(kraft <= 1.0 + 1e-12);
        assert!(canonical_codes("t", &lens).is_ok());
        assert!(code_lengths(&[1, 1, 1], 1).is_err());
        assert!(code_lengths(&[1], 0).is_err());
    }

    #[test]
    fn round_trips() {
        let text = b"the quick brown fox jumps over the lazy dog ".repeat(200);
        for input in [Vec::new(), vec![7], vec![9; 1000], lcg(10_000, 1), text.clone(), (0..=255).collect::<Vec<u8>>()] {
            let enc = encode(&input).unwrap();
            assert_eq!(decode(&enc, usize::MAX).unwrap(), input);
        }
    }

    #[test]
    fn incompressible_input_is_stored_as_header_plus_input() {
        use header::{HEADER_BYTES, STORED, VERSION, VERSION_STORED};
        let text = b"the quick brown fox jumps over the lazy dog ".repeat(200);
        for input in [lcg(100_000, 3), vec![7], (0..=255).collect::<Vec<u8>>(), b"short text".to_vec()] {
            let enc = encode(&input).unwrap();
            assert_eq!(enc.len(), HEADER_BYTES + input.len());
            assert_eq!((enc[4], enc[5]), (VERSION_STORED, STORED));
            assert_eq!(&enc[HEADER_BYTES..], &input[..]);
            assert_eq!(decode(&enc, usize::MAX).unwrap(), input);
        }
        // Compressible input stays coded, in the unchanged version-1 format.
        let enc = encode(&text).unwrap();
        assert_eq!((enc[4], enc[5]), (VERSION, 0));
        assert!(enc.len() < text.len() * 6 / 10);
        assert_eq!(decode(&enc, usize::MAX).unwrap(), text);
    }

    #[test]
    fn bad_stored_and_parameter_bytes_are_errors() {
        let reseal = |mut s: Vec<u8>| {
            header::seal(&mut s);
            s
        };
        let enc = encode(&lcg(1000, 4)).unwrap();
        // Length field one more or less than the payload (checksum made valid).
        for n in [999u32, 1001, 0] {
            let mut s = enc.clone();
            s[6..10].copy_from_slice(&n.to_le_bytes());
            let e = decode(&reseal(s), usize::MAX).unwrap_err().to_string();
            assert!(e.contains(&format!("stored stream: the header claims {n} bytes but the payload holds 1000")), "{e}");
        }
        // Payload cut or extended and re-signed.
        assert!(decode(&reseal(enc[..enc.len() - 1].to_vec()), usize::MAX).unwrap_err().to_string().contains("payload holds 999"));
        // The stored flag in a version 1 stream, and unknown parameter bits.
        let mut s = enc.clone();
        s[4] = 1;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("parameter byte 0x80 is not valid in a version 1 stream"));
        let mut s = enc.clone();
        s[5] = 0x81;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("parameter byte 0x81"));
        let mut s = encode(&b"abracadabra ".repeat(100)).unwrap();
        s[5] = 1;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("parameter byte 0x01 is not valid in a version 1 stream (0 = coded)"));
        // A coded stream relabelled as version 2 (parameter 0) still decodes; a stored one's
        // flag cleared makes its payload a (bad) coded one: an error, never a panic.
        let text = b"abracadabra ".repeat(100);
        let mut s = encode(&text).unwrap();
        s[4] = 2;
        assert_eq!(decode(&reseal(s), usize::MAX).unwrap(), text);
        let mut s = enc.clone();
        s[5] = 0;
        assert!(decode(&reseal(s), usize::MAX).is_err());
        // The output cap applies before the copy.
        assert!(decode(&enc, 999).unwrap_err().to_string().contains("maxOutputBytes = 999"));
    }

    #[test]
    fn within_one_percent_of_entropy_on_text_and_random() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/compression/huffman.rs")).unwrap();
        for input in [text.into_bytes(), lcg(200_000, 2)] {
            let enc = encode(&input).unwrap();
            let bits = ((enc.len() - header::HEADER_BYTES - 128) * 8) as f64;
            let ideal = entropy_bits(&input) * input.len() as f64;
            assert!(bits <= ideal * 1.01 + 8.0, "{bits} vs {ideal}");
        }
    }

    #[test]
    fn bad_tables_and_truncation_are_errors() {
        let enc = encode(&b"abracadabra ".repeat(40)).unwrap();
        assert_eq!(enc[5], 0, "coded, not stored");
        let payload = &enc[header::HEADER_BYTES..];
        // All lengths 1: over-subscribed.
        let mut p = payload.to_vec();
        p[..128].fill(0x11);
        assert!(decode_payload(480, &p).unwrap_err().to_string().contains("not prefix-free"));
        assert!(decode_payload(480, &payload[..130]).unwrap_err().to_string().contains("truncated"));
        assert!(decode_payload(1 << 20, payload).unwrap_err().to_string().contains("claims"));
        // Mutations below the checksum never panic.
        // 32 random symbols: coded (5 bits a byte), not stored.
        let big = encode(&lcg(3000, 5).iter().map(|b| b & 31).collect::<Vec<u8>>()).unwrap();
        assert_eq!(big[5], 0);
        for k in 0..3000 {
            let mut m = big[header::HEADER_BYTES..].to_vec();
            let i = (k * 7919) % m.len();
            m[i] ^= 1 << (k % 8);
            let _ = decode_payload(3000, &m);
            let _ = decode_payload(3000, &m[..m.len() * (k % 5 + 1) / 6]);
        }
    }
}
