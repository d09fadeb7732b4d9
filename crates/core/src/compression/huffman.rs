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
//! they come from package-merge instead: an optimal code among those limited to the limit
//! (see [`code_lengths`]).

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
///
/// When the Huffman tree is at most `max_len` deep, its lengths are returned; otherwise the
/// lengths are those of an optimal code limited to `max_len` bits (least total
/// `freq · length`, by package-merge: `package_merge` below). With two or more used symbols
/// the code is complete (Kraft sum exactly 1) either way. Ties are broken by symbol: of two
/// symbols of equal frequency, the higher-numbered never gets the longer code.
pub fn code_lengths(freqs: &[u32], max_len: u32) -> Result<Vec<u8>> {
    const OP: &str = "compression.huffman.codeLengths";
    if !(1..=MAX_LEN).contains(&max_len) {
        return Err(Error::invalid(OP, format!("maxLength must be in 1..={MAX_LEN}, got {max_len}")));
    }
    let n = freqs.iter().filter(|&&f| f > 0).count();
    if n > 1usize << max_len {
        return Err(Error::invalid(
            OP,
            format!("{n} symbols with non-zero frequency cannot have codes of at most {max_len} bits (at most {})", 1usize << max_len),
        ));
    }
    let mut lens = header::alloc_filled(OP, freqs.len(), 0u8)?;
    let mut used = header::alloc_filled(OP, n, 0usize)?;
    for (u, s) in used.iter_mut().zip((0..freqs.len()).filter(|&i| freqs[i] > 0)) {
        *u = s;
    }
    match n {
        0 => return Ok(lens),
        1 => {
            lens[used[0]] = 1;
            return Ok(lens);
        }
        _ => {}
    }
    // Leaves sorted by frequency (ties by symbol, so the result is deterministic).
    // As one u64 key each (frequency, then rank among the used symbols, below 2^15): a
    // plain integer sort.
    let mut keys = header::alloc_filled(OP, n, 0u64)?;
    for (j, (k, &s)) in keys.iter_mut().zip(&used).enumerate() {
        *k = u64::from(freqs[s]) << 32 | j as u64;
    }
    crate::sort::heapsort_by(&mut keys, |a, b| a < b);
    let mut leaves = header::alloc_filled(OP, n, 0usize)?;
    for (l, &k) in leaves.iter_mut().zip(&keys) {
        *l = used[(k & 0xffff_ffff) as usize];
    }
    // Two-queue construction: weights of leaves 0..n and internal nodes n..2n-1.
    let mut weight = header::alloc_filled(OP, 2 * n - 1, 0u64)?;
    for (w, &s) in weight.iter_mut().zip(&leaves) {
        *w = u64::from(freqs[s]);
    }
    let mut parent = header::alloc_filled(OP, 2 * n - 1, 0usize)?;
    let (mut li, mut ni) = (0usize, n);
    let pick = |weight: &[u64], internal_end: usize, li: &mut usize, ni: &mut usize| -> usize {
        if *li < n && (*ni >= internal_end || weight[*li] <= weight[*ni]) {
            *li += 1;
            *li - 1
        } else {
            *ni += 1;
            *ni - 1
        }
    };
    for node in n..2 * n - 1 {
        let a = pick(&weight, node, &mut li, &mut ni);
        let b = pick(&weight, node, &mut li, &mut ni);
        weight[node] = weight[a] + weight[b];
        parent[a] = node;
        parent[b] = node;
    }
    // Depths: the root (2n-2) has depth 0; parents come after children.
    let mut depth = header::alloc_filled(OP, 2 * n - 1, 0u32)?;
    for node in (0..2 * n - 2).rev() {
        depth[node] = depth[parent[node]] + 1;
    }
    if depth[..n].iter().any(|&d| d > max_len) {
        let limited = package_merge(&weight[..n], max_len)?;
        for (&s, &l) in leaves.iter().zip(&limited) {
            lens[s] = l;
        }
        return Ok(lens);
    }
    // Count codes per length, then give the shortest codes to the most frequent symbols.
    let mut count = [0u32; MAX_LEN as usize + 1];
    for &d in &depth[..n] {
        count[d as usize] += 1;
    }
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

/// Lengths of an optimal prefix code of at most `max_len` bits for `weights` (ascending, at
/// least 2 and at most `2^max_len` of them), in the same order, by package-merge (Larmore &
/// Hirschberg, "A fast algorithm for optimal length-restricted Huffman codes", 1990).
///
/// Each leaf is a coin of width `2^-d` at every level `d` in `1..=max_len`. The list of level
/// `max_len` is the leaves; that of level `d - 1` merges the leaves with the packages (sums
/// of consecutive pairs) of level `d`'s list, a leaf before a package of equal weight. The
/// cheapest `2n - 2` items of level 1 have width `n - 1`, and a leaf's length is the number
/// of its coins among them. Since every list is sorted, the items taken at each level are a
/// prefix: level 1 takes `2n - 2`, and a level below takes twice the packages taken above
/// it, so only which items are leaves (one bit each) is kept per level. The leaves taken at
/// a level are the lightest ones, so lengths never decrease towards the lighter leaves.
/// O(n · max_len) time; memory `2n` weights twice and `2n · max_len` bits.
fn package_merge(weights: &[u64], max_len: u32) -> Result<Vec<u8>> {
    const OP: &str = "compression.huffman.codeLengths";
    let n = weights.len();
    let levels = max_len as usize;
    // Lists hold fewer than 2n items: n leaves plus half of the list below. A package holds
    // at most one coin of each leaf per level, so weights stay below 15 · 2^15 · 2^32 < 2^51.
    let cap = 2 * n;
    let stride = cap.div_ceil(64);
    let mut is_leaf = header::alloc_filled(OP, stride * levels, 0u64)?;
    let mut len_of = header::alloc_filled(OP, levels, 0usize)?;
    let mut below = header::alloc_filled(OP, cap, 0u64)?;
    let mut list = header::alloc_filled(OP, cap, 0u64)?;
    // Level max_len (row max_len - 1): the leaves alone.
    below[..n].copy_from_slice(weights);
    let mut below_len = n;
    let row = &mut is_leaf[(levels - 1) * stride..levels * stride];
    for i in 0..n {
        row[i / 64] |= 1 << (i % 64);
    }
    len_of[levels - 1] = n;
    for r in (0..levels - 1).rev() {
        // Merge the leaves with the packages of row r + 1.
        let packages = below_len / 2;
        let row = &mut is_leaf[r * stride..(r + 1) * stride];
        let (mut i, mut j, mut k) = (0usize, 0usize, 0usize);
        while i < n || j < packages {
            let p = if j < packages { below[2 * j] + below[2 * j + 1] } else { u64::MAX };
            if i < n && weights[i] <= p {
                list[k] = weights[i];
                row[k / 64] |= 1 << (k % 64);
                i += 1;
            } else {
                list[k] = p;
                j += 1;
            }
            k += 1;
        }
        len_of[r] = k;
        core::mem::swap(&mut below, &mut list);
        below_len = k;
    }
    // Take 2n - 2 items at level 1 and follow the packages down.
    let mut lens = header::alloc_filled(OP, n, 0u8)?;
    let mut take = 2 * n - 2;
    for r in 0..levels {
        if take > len_of[r] {
            return Err(Error::Internal { msg: format!("huffman: package-merge takes {take} of {} items at level {}", len_of[r], r + 1) });
        }
        let row = &is_leaf[r * stride..(r + 1) * stride];
        let mut leaves: usize = row[..take / 64].iter().map(|b| b.count_ones() as usize).sum();
        if !take.is_multiple_of(64) {
            leaves += (row[take / 64] & ((1u64 << (take % 64)) - 1)).count_ones() as usize;
        }
        for l in &mut lens[..leaves] {
            *l += 1;
        }
        take = 2 * (take - leaves);
    }
    if take != 0 || lens[n - 1] == 0 {
        return Err(Error::Internal { msg: "huffman: package-merge left a leaf without a code".into() });
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
    decode_capped(stream, max_output, usize::MAX)
}

/// [`decode`] for a caller's buffer of `output_cap` bytes: a stream whose header claims more is
/// refused before anything is decoded ([`header::check_output_cap`]).
///
/// The header's version and parameter byte must be one of the pairs neurite writes: version 1
/// with 0 (plain), version 2 with [`STORED`](header::STORED), version 3 with [`RUNS`]. Any
/// other pairing (a version-2 stream without the stored flag, a stored flag in version 3) is
/// refused rather than guessed at.
pub fn decode_capped(stream: &[u8], max_output: usize, output_cap: usize) -> Result<Vec<u8>> {
    let (h, payload) = header::open_versions(OP, MAGIC, stream, max_output, VERSION_RUNS)?;
    let decoder: fn(usize, &[u8]) -> Result<Vec<u8>> = match (h.version, h.param) {
        (header::VERSION, 0) => decode_payload,
        (header::VERSION_STORED, header::STORED) => |n, p: &[u8]| header::decode_stored(OP, n, p),
        (VERSION_RUNS, RUNS) => decode_runs_payload,
        (v, p) => {
            return Err(Error::invalid(
                OP,
                format!("version {v} with parameter byte {p:#04x}: streams are version 1 with 0x00 (plain), version 2 with 0x80 (stored) or version 3 with 0x01 (runs)"),
            ))
        }
    };
    header::check_output_cap(OP, h.raw_len, output_cap)?;
    decoder(h.raw_len, payload)
}

/// Decodes the payload of a runs-mode stream (exposed for fuzzing below the checksum). Runs
/// let a few bits claim many bytes, so the output starts at 8 bytes per payload byte (at most
/// `n`) and is allocated for what the stream has not produced yet only when it outgrows that:
/// then once, to exactly `n`. It never takes more than `n` bytes, and the one reallocation
/// copies at most 8 bytes per payload byte (growing by doubling could take 1.5–3 times `n`).
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
    // Grows `out` to its final size `n` in one step (see above).
    let grow_to_n = |out: &mut Vec<u8>| -> Result<()> {
        out.try_reserve_exact(n - out.len()).map_err(|_| Error::OutOfMemory { op: OP, bytes: n as u64 })
    };
    let push_run = |out: &mut Vec<u8>, run: u64| -> Result<()> {
        let left = (n - out.len()) as u64;
        if run > left {
            return Err(Error::invalid(OP, format!("a run of {run} bytes at output byte {} decodes past the {n} bytes the header claims", out.len())));
        }
        if out.capacity() - out.len() < run as usize {
            grow_to_n(out)?;
        }
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
                    // More digits may follow: the run is at least this long.
                    return Err(Error::invalid(OP, format!("a run of at least {run} bytes at output byte {} decodes past the {n} bytes the header claims", out.len())));
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
                    grow_to_n(&mut out)?;
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

    /// A small xorshift generator for the tests below.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Σ freq · length.
    fn cost(freqs: &[u32], lens: &[u8]) -> u128 {
        freqs.iter().zip(lens).map(|(&f, &l)| u128::from(f) * u128::from(l)).sum()
    }

    /// The Kraft sum of the used codes, in units of 2^-15.
    fn kraft(lens: &[u8]) -> u64 {
        lens.iter().filter(|&&l| l > 0).map(|&l| 1u64 << (MAX_LEN - u32::from(l))).sum()
    }

    /// The least Σ freq · length of a prefix code of at most `max_len` bits, by dynamic
    /// programming over the levels of a full tree: with the used frequencies heaviest first
    /// (an optimal code never gives a heavier symbol a longer code), a state is the number of
    /// symbols placed and the number of free nodes at the current level; some of those nodes
    /// become the next symbols' leaves, the rest split into two nodes each one level deeper.
    fn optimal_cost(freqs: &[u32], max_len: u32) -> u128 {
        let mut w: Vec<u128> = freqs.iter().filter(|&&f| f > 0).map(|&f| u128::from(f)).collect();
        w.sort_unstable_by(|a, b| b.cmp(a));
        let n = w.len();
        if n <= 1 {
            return w.first().copied().unwrap_or(0);
        }
        let mut prefix = vec![0u128; n + 1];
        for i in 0..n {
            prefix[i + 1] = prefix[i] + w[i];
        }
        // dp[i][s]: least cost with i symbols placed and s free nodes at level d.
        let mut dp = vec![vec![None::<u128>; n + 1]; n + 1];
        dp[0][2] = Some(0);
        let mut best = None::<u128>;
        for d in 1..=max_len as usize {
            let mut next = vec![vec![None::<u128>; n + 1]; n + 1];
            for i in 0..n {
                for s in 1..=n - i {
                    let Some(c) = dp[i][s] else { continue };
                    for t in 0..=s {
                        let c = c + d as u128 * (prefix[i + t] - prefix[i]);
                        let (placed, open) = (i + t, 2 * (s - t));
                        if open == 0 {
                            if placed == n {
                                best = Some(best.map_or(c, |b| b.min(c)));
                            }
                        } else if open <= n - placed {
                            let e = &mut next[placed][open];
                            *e = Some(e.map_or(c, |b| b.min(c)));
                        }
                    }
                }
            }
            dp = next;
        }
        best.expect("a code exists when n <= 2^max_len")
    }

    /// The least cost over every length vector with a Kraft sum of at most 1 (tiny inputs).
    fn exhaustive_cost(freqs: &[u32], max_len: u32) -> u128 {
        let used: Vec<u32> = freqs.iter().copied().filter(|&f| f > 0).collect();
        if used.len() <= 1 {
            return used.first().map_or(0, |&f| u128::from(f));
        }
        let mut lens = vec![1u8; used.len()];
        let mut best = u128::MAX;
        loop {
            if kraft(&lens) <= 1 << MAX_LEN {
                best = best.min(cost(&used, &lens));
            }
            let Some(i) = lens.iter().position(|&l| u32::from(l) < max_len) else { return best };
            lens[i] += 1;
            lens[..i].fill(1);
        }
    }

    /// Checks `code_lengths(freqs, max_len)` against the optimum and the contract: lengths in
    /// `1..=max_len` for used symbols and 0 for the others, a complete code, and ties (and
    /// heavier symbols) never given a longer code than a lighter or lower-numbered one.
    fn check_optimal(freqs: &[u32], max_len: u32) -> Vec<u8> {
        let lens = code_lengths(freqs, max_len).unwrap();
        assert_eq!(lens.len(), freqs.len());
        let used = freqs.iter().filter(|&&f| f > 0).count();
        for (&f, &l) in freqs.iter().zip(&lens) {
            assert_eq!(f == 0, l == 0, "{freqs:?} limit {max_len}: {lens:?}");
            assert!(u32::from(l) <= max_len, "{freqs:?} limit {max_len}: {lens:?}");
        }
        if used >= 2 {
            assert_eq!(kraft(&lens), 1 << MAX_LEN, "{freqs:?} limit {max_len}: {lens:?}");
        }
        for a in 0..freqs.len() {
            for b in a + 1..freqs.len() {
                if freqs[a] > 0 && freqs[b] > 0 {
                    assert!((freqs[a] <= freqs[b]) == (lens[a] >= lens[b]) || lens[a] == lens[b], "{freqs:?} limit {max_len}: {lens:?}");
                }
            }
        }
        assert_eq!(cost(freqs, &lens), optimal_cost(freqs, max_len), "{freqs:?} limit {max_len}: {lens:?}");
        assert_eq!(code_lengths(freqs, max_len).unwrap(), lens, "deterministic");
        lens
    }

    #[test]
    fn the_dynamic_programme_agrees_with_exhaustive_search() {
        let mut st = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..400 {
            let n = 2 + (xorshift(&mut st) % 5) as usize;
            let freqs: Vec<u32> = (0..n).map(|_| if xorshift(&mut st).is_multiple_of(4) { 0 } else { (xorshift(&mut st) >> 40) as u32 >> (xorshift(&mut st) % 24) }).collect();
            let used = freqs.iter().filter(|&&f| f > 0).count().max(1);
            for max_len in used.next_power_of_two().trailing_zeros().max(1)..=5 {
                assert_eq!(optimal_cost(&freqs, max_len), exhaustive_cost(&freqs, max_len), "{freqs:?} limit {max_len}");
            }
        }
    }

    #[test]
    fn limited_lengths_are_optimal_on_small_random_frequencies() {
        let mut st = 0x2545_f491_4f6c_dd1du64;
        let mut limited = 0;
        for case in 0..3000 {
            let n = 2 + (xorshift(&mut st) % 11) as usize;
            let freqs: Vec<u32> = (0..n)
                .map(|_| {
                    let r = xorshift(&mut st);
                    match case % 5 {
                        0 => (r % 4) as u32,                                   // ties and zeros
                        1 => 1 + (r >> 32) as u32 % 1000,                      // flat
                        2 => ((r >> 32) as u32 >> (r % 32)).max(1),            // heavy-tailed
                        3 => 1u32 << (r % 32),                                 // powers of two: deep trees
                        _ => [u32::MAX, u32::MAX - 1, 1, 0][(r % 4) as usize], // extremes
                    }
                })
                .collect();
            let used = freqs.iter().filter(|&&f| f > 0).count().max(1);
            let unlimited = code_lengths(&freqs, MAX_LEN).unwrap().into_iter().max().unwrap_or(0);
            for max_len in used.next_power_of_two().trailing_zeros().max(1)..=8 {
                limited += usize::from(u32::from(unlimited) > max_len);
                check_optimal(&freqs, max_len);
            }
        }
        assert!(limited > 3000, "only {limited} cases needed the limit");
    }

    #[test]
    fn limited_lengths_are_optimal_on_zipf_fibonacci_and_huge_frequencies() {
        let bits = |f: &[u32], l: &[u8]| cost(f, l) as f64 / f.iter().map(|&x| x as f64).sum::<f64>();
        // Zipf over 300 symbols, limit 9 (clamping gave 4.74 bits/symbol and a Kraft sum of 0.834).
        let zipf: Vec<u32> = (0..300).map(|i| (1e6 / ((i + 1) as f64).powi(2)) as u32).collect();
        let lens = code_lengths(&zipf, 9).unwrap();
        assert_eq!(kraft(&lens), 1 << MAX_LEN);
        assert_eq!(*lens.iter().max().unwrap(), 9);
        assert!((bits(&zipf, &lens) - 3.36).abs() < 0.005, "{} bits/symbol", bits(&zipf, &lens));
        // Fibonacci frequencies (the deepest Huffman tree: 29 levels for 30 symbols) at every
        // limit, and at limit 5 the only optimum: the two heaviest at 4 bits, the rest at 5.
        let mut fib = vec![1u32, 1];
        while fib.len() < 30 {
            fib.push(fib[fib.len() - 1] + fib[fib.len() - 2]);
        }
        for max_len in 5..=MAX_LEN {
            check_optimal(&fib, max_len);
        }
        assert_eq!(code_lengths(&fib, 5).unwrap(), [[5u8; 28].as_slice(), &[4, 4]].concat());
        // Fibonacci up to u32::MAX (47 symbols) and frequencies near u32::MAX next to tiny ones.
        let mut big = vec![1u32, 1];
        while let Some(next) = big[big.len() - 1].checked_add(big[big.len() - 2]) {
            big.push(next);
        }
        assert_eq!(big.len(), 47);
        for max_len in 6..=MAX_LEN {
            check_optimal(&big, max_len);
        }
        let huge: Vec<u32> = (0..40).map(|i| u32::MAX - i).chain((0..40).map(|i| 1 + i % 2)).collect();
        for max_len in 7..=MAX_LEN {
            check_optimal(&huge, max_len);
        }
        // The most symbols the function accepts, all limited: 2^15 used ones at 15 bits (every
        // code 15 bits), skewed ones near u32::MAX, and one more is an error.
        let skewed: Vec<u32> = (0..1u32 << 15).map(|i| u32::MAX >> (i % 32)).collect();
        let lens = code_lengths(&skewed, 15).unwrap();
        assert!(lens.iter().all(|&l| l == 15));
        let skewed: Vec<u32> = (0..30_000u32).map(|i| u32::MAX >> (i % 32)).collect();
        let lens = code_lengths(&skewed, 15).unwrap();
        assert_eq!(kraft(&lens), 1 << MAX_LEN);
        assert!(lens.iter().all(|&l| (1..=15).contains(&l)));
        let mut sparse = vec![0u32; 100_000];
        for i in (0..100_000).step_by(7) {
            sparse[i] = u32::MAX >> (i % 29);
        }
        let lens = code_lengths(&sparse, 15).unwrap();
        assert_eq!(kraft(&lens), 1 << MAX_LEN);
        let e = code_lengths(&vec![1u32; (1 << 15) + 1], 15).unwrap_err().to_string();
        assert!(e.contains("32769 symbols with non-zero frequency cannot have codes of at most 15 bits (at most 32768)"), "{e}");
    }

    #[test]
    fn a_stream_whose_huffman_tree_is_too_deep_round_trips_with_optimal_codes() {
        // 26 symbols with Fibonacci counts: a 25-deep Huffman tree, limited to 15 bits.
        let mut counts = vec![1usize, 1];
        while counts.len() < 26 {
            counts.push(counts[counts.len() - 1] + counts[counts.len() - 2]);
        }
        let mut x: Vec<u8> = counts.iter().enumerate().flat_map(|(s, &c)| std::iter::repeat_n(b'A' + s as u8, c)).collect();
        let mut st = 7u64;
        for i in (1..x.len()).rev() {
            x.swap(i, (xorshift(&mut st) % (i as u64 + 1)) as usize);
        }
        // Shuffled, the most frequent byte forms runs: runs mode, whose code is limited too.
        let enc = encode(&x).unwrap();
        assert_eq!((enc[4], enc[5]), (VERSION_RUNS, RUNS));
        assert_eq!(decode(&enc, usize::MAX).unwrap(), x);
        // With that byte never twice in a row, the plain code wins.
        let top = b'A' + 25;
        let rest: Vec<u8> = x.iter().copied().filter(|&b| b != top).collect();
        let mut tops = counts[25];
        x.clear();
        for b in rest {
            x.push(b);
            if tops > 0 {
                x.push(top);
                tops -= 1;
            }
        }
        let enc = encode(&x).unwrap();
        assert_eq!((enc[4], enc[5]), (header::VERSION, 0), "coded");
        assert_eq!(decode(&enc, usize::MAX).unwrap(), x);
        let freqs = histogram(&x);
        let lens = check_optimal(&freqs, MAX_LEN);
        assert_eq!(lens.iter().max(), Some(&15));
        let bits = cost(&freqs, &lens) as usize;
        assert_eq!(enc.len(), header::HEADER_BYTES + 128 + bits.div_ceil(8));
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
        // FORMATS.md's pairs only (version 1 with 0, 2 with 0x80, 3 with 0x01): every other
        // pairing of version and parameter byte is refused, whatever the payload.
        let modes = "streams are version 1 with 0x00 (plain), version 2 with 0x80 (stored) or version 3 with 0x01 (runs)";
        let text = b"abracadabra ".repeat(100);
        let coded = encode(&text).unwrap();
        let runs = encode(&sparse_image(20_000, 9)).unwrap();
        assert_eq!([coded[4], coded[5], enc[4], enc[5], runs[4], runs[5]], [1, 0, 2, 0x80, 3, 1]);
        for base in [&coded, &enc, &runs] {
            for (v, p) in [(1u8, 0x80u8), (1, 1), (1, 0x40), (2, 0), (2, 1), (2, 0x81), (2, 0xff), (3, 0), (3, 0x80), (3, 0x81)] {
                let mut s = base.clone();
                (s[4], s[5]) = (v, p);
                let e = decode(&reseal(s), usize::MAX).unwrap_err().to_string();
                assert!(e.contains(&format!("version {v} with parameter byte {p:#04x}: {modes}")), "{e}");
            }
        }
        // Version 4 and up: unknown versions.
        let mut s = coded.clone();
        s[4] = 4;
        assert!(decode(&reseal(s), usize::MAX).unwrap_err().to_string().contains("unsupported version 4 (this decoder reads versions 1 to 3)"));
        // The output cap applies before the copy.
        assert!(decode(&enc, 999).unwrap_err().to_string().contains("maxOutputBytes = 999"));
    }

    /// A caller's `output` too small for the header's length is refused before decoding, in
    /// every mode; one of exactly that length decodes.
    #[test]
    fn an_output_too_small_is_refused_before_decoding() {
        let inputs = [b"abracadabra ".repeat(100), lcg(500, 3), sparse_image(20_000, 9), vec![0u8; 1 << 20]];
        for x in &inputs {
            let enc = encode(x).unwrap();
            let n = x.len();
            assert_eq!(decode_capped(&enc, usize::MAX, n).unwrap(), *x);
            let e = decode_capped(&enc, usize::MAX, 16).unwrap_err().to_string();
            assert_eq!(e, format!("compression.huffman: output holds 16 bytes but the stream decodes to {n} (its header's length); pass an output of at least {n} bytes (nothing was decoded)"));
        }
    }

    /// Runs mode takes at most the header's length: a stream of 1 MiB that alternates long runs
    /// and literals (its output outgrows the first reservation several times) ends with a
    /// capacity of exactly `n`; growing by doubling left 2 MiB.
    #[test]
    fn runs_mode_output_is_never_larger_than_the_headers_length() {
        let mut x = Vec::new();
        let mut k = 0;
        while x.len() < 1 << 20 {
            x.extend(std::iter::repeat_n(0u8, 1000 + k % 5000));
            x.extend((0..50).map(|i| (i * 7 + k) as u8 | 1));
            k += 1;
        }
        x.truncate(1 << 20);
        let enc = encode(&x).unwrap();
        assert_eq!((enc[4], enc[5]), (VERSION_RUNS, RUNS));
        let out = decode(&enc, usize::MAX).unwrap();
        assert_eq!(out, x);
        assert_eq!(out.capacity(), x.len());
        // A run longer than the header allows, found while its digits are read: "at least".
        let e = decode_runs_payload(10, &forged_runs(&[257, 257, 257, 256])).unwrap_err().to_string();
        assert_eq!(e, "compression.huffman: a run of at least 14 bytes at output byte 0 decodes past the 10 bytes the header claims");
    }

    /// A runs-mode payload (run byte 0) whose codes are `symbols`, with 2-bit codes for `A`,
    /// `B`, `RUNA` and `RUNB`.
    fn forged_runs(symbols: &[usize]) -> Vec<u8> {
        let mut lens = [0u8; 258];
        for s in [65, 66, RUNA, RUNB] {
            lens[s] = 2;
        }
        let codes = canonical_codes("t", &lens).unwrap();
        let mut p = vec![0u8];
        for pair in lens.chunks_exact(2) {
            p.push((pair[0] << 4) | pair[1]);
        }
        let mut w = BitWriter::new(p);
        for &s in symbols {
            w.put(codes[s], 2);
        }
        w.finish()
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
        // A header claiming fewer bytes than the codes hold (its checksum recomputed by whoever
        // edited it): the codes left over are trailing bytes or padding that is not zeros (the
        // last symbol, ' ', has a code with a 1 in it). One short decoded in silence before.
        assert_eq!(decode_payload(480, payload).unwrap(), b"abracadabra ".repeat(40));
        for k in 1..=12 {
            let e = decode_payload(480 - k, payload).unwrap_err().to_string();
            assert!(e.contains("not zero padding") || e.contains("trailing bytes"), "{k} short: {e}");
        }
        assert!(decode_payload(479, payload).unwrap_err().to_string().contains("bits after the codes of the 479 bytes the header claims are not zero padding"));
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
