//! A JPEG-style grayscale codec: 8×8 orthonormal DCT, the JPEG luminance quantisation table
//! scaled by quality (the IJG formula), zig-zag order, DC differences and AC (zero-run, size)
//! symbols as in JPEG baseline, and canonical Huffman codes built for each image.
//!
//! Stream (after the [`header`](super::super::header), magic `NRDC`, parameter = quality,
//! decoded length = width × height): varint width, varint height, then one MSB-first bit
//! stream: the DC table (16 symbols) and the AC table (256 symbols), each as a 9-bit count
//! of used symbols followed either by `(symbol: 8 bits, length: 4 bits)` pairs (when that is
//! smaller) or by 4-bit lengths for every symbol; then the blocks in raster order.
//!
//! Stored streams: when the coded stream would be longer than the pixels themselves (noise
//! at a high quality), the encoder writes the header with version 2 and parameter
//! `quality | 0x80`, then varint width, varint height and the pixels (exact), as Huffman and
//! LZW do. Coded streams are still version 1, byte for byte as before; a version-1 decoder
//! refuses a stored stream ("unsupported version 2") instead of misreading it.
//!
//! Images of any size: the last block row and column are padded by repeating the edge pixel,
//! and the decoder crops. Error bound: the DCT is orthonormal and each coefficient is off by
//! at most half its step `Q[k]`, so a block's mean squared error is at most `mean(Q²)/4`
//! before the final rounding to 8 bits (which adds at most 0.5 per pixel).

use super::super::bitio::{BitReader, BitWriter};
use super::super::header;
use super::super::huffman::{canonical_codes, code_lengths, Table, MAX_LEN};
use super::{begin_stream, check_no_trailing, decode_stored, open_payload, smaller_of, Image, STORED};
use crate::compression::dct;
use crate::{Error, Result};

const MAGIC: &[u8; 4] = b"NRDC";
const OP: &str = "codecs.dct";

/// The JPEG (ITU T.81 Annex K) luminance quantisation table, row-major.
pub const LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68,
    109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/// The quantisation table for `quality` (1..=100), row-major, as libjpeg scales it.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn quant_table(quality: u32) -> [u16; 64] {
    let q = quality.clamp(1, 100);
    let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
    let mut t = [0u16; 64];
    for (o, &b) in t.iter_mut().zip(&LUMA) {
        *o = ((u32::from(b) * scale + 50) / 100).clamp(1, 255) as u16;
    }
    t
}

/// Zig-zag order: `ZIGZAG[i]` is the row-major index of the i-th coefficient.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn zigzag() -> [usize; 64] {
    let mut z = [0usize; 64];
    let mut i = 0;
    for s in 0..15usize {
        let range: Vec<usize> = (0..=s).filter(|&r| r < 8 && s - r < 8).collect();
        let rows: Vec<usize> = if s % 2 == 0 { range.into_iter().rev().collect() } else { range };
        for r in rows {
            z[i] = r * 8 + (s - r);
            i += 1;
        }
    }
    z
}

#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn category(v: i32) -> u32 {
    32 - v.unsigned_abs().leading_zeros()
}

#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn extra_bits(v: i32, cat: u32) -> u32 {
    if v >= 0 { v as u32 } else { (v + (1 << cat) - 1) as u32 }
}

#[inline]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn from_extra(bits: u32, cat: u32) -> i32 {
    if cat == 0 {
        0
    } else if bits >> (cat - 1) == 1 {
        bits as i32
    } else {
        bits as i32 - (1 << cat) + 1
    }
}

/// One coded symbol: Huffman symbol (table 0 = DC, 1 = AC), then raw bits.
#[derive(Clone, Copy)]
struct Sym {
    table: u8,
    sym: u8,
    extra: u16,
    extra_len: u8,
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn write_table(w: &mut BitWriter, lens: &[u8]) {
    let used = lens.iter().filter(|&&l| l > 0).count();
    w.put(used as u32, 9);
    if used * 12 <= lens.len() * 4 {
        for (s, &l) in lens.iter().enumerate() {
            if l > 0 {
                w.put(s as u32, 8);
                w.put(u32::from(l), 4);
            }
        }
    } else {
        for &l in lens {
            w.put(u32::from(l), 4);
        }
    }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn read_table(r: &mut BitReader<'_>, n: usize, what: &str) -> Result<Vec<u8>> {
    let used = r.get(9) as usize;
    if used > n {
        return Err(Error::invalid(OP, format!("the {what} Huffman table claims {used} symbols (at most {n})")));
    }
    let mut lens = vec![0u8; n];
    if used * 12 <= n * 4 {
        for _ in 0..used {
            let s = r.get(8) as usize;
            let l = r.get(4) as u8;
            if r.overrun() {
                return Err(Error::invalid(OP, format!("truncated stream in the {what} Huffman table")));
            }
            if s >= n || l == 0 || lens[s] != 0 {
                return Err(Error::invalid(OP, format!("the {what} Huffman table has a bad entry (symbol {s}, length {l})")));
            }
            lens[s] = l;
        }
    } else {
        for l in lens.iter_mut() {
            *l = r.get(4) as u8;
        }
    }
    if r.overrun() {
        return Err(Error::invalid(OP, format!("truncated stream in the {what} Huffman table")));
    }
    Ok(lens)
}

/// Encodes a grayscale image at `quality` (1..=100): coded, or stored when that is smaller.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn encode(data: &[u8], width: usize, height: usize, quality: u32) -> Result<Vec<u8>> {
    let coded = encode_coded(data, width, height, quality)?;
    smaller_of(OP, MAGIC, header::VERSION_STORED, coded, data, width, height, quality)
}

/// The coded (version-1) stream of [`encode`].
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn encode_coded(data: &[u8], width: usize, height: usize, quality: u32) -> Result<Vec<u8>> {
    let mut out = begin_stream(OP, MAGIC, data, width, height, quality)?;
    if data.is_empty() {
        header::seal(&mut out);
        return Ok(out);
    }
    let qt = quant_table(quality);
    let zz = zigzag();
    let c = dct::matrix(8);
    let (bw, bh) = (width.div_ceil(8), height.div_ceil(8));
    let mut syms: Vec<Sym> = Vec::new();
    let mut freq = [[0u32; 256]; 2];
    let (mut x, mut y, mut tmp) = ([0f32; 64], [0f32; 64], [0f32; 64]);
    let mut prev_dc = 0i32;
    let mut push = |syms: &mut Vec<Sym>, table: u8, sym: u8, v: i32, cat: u32| {
        freq[table as usize][sym as usize] += 1;
        syms.push(Sym { table, sym, extra: extra_bits(v, cat) as u16, extra_len: cat as u8 });
    };
    for by in 0..bh {
        for bx in 0..bw {
            // At most 64 symbols per block; grow fallibly (a huge image is an error, not an abort).
            syms.try_reserve(64).map_err(|_| Error::OutOfMemory { op: OP, bytes: ((syms.len() + 64) * core::mem::size_of::<Sym>()) as u64 })?;
            for r in 0..8 {
                let row = (by * 8 + r).min(height - 1) * width;
                for cc in 0..8 {
                    x[r * 8 + cc] = f32::from(data[row + (bx * 8 + cc).min(width - 1)]) - 128.0;
                }
            }
            dct::block(&c, 8, &x, &mut y, &mut tmp, false);
            let q: Vec<i32> = zz.iter().map(|&k| (y[k] / f32::from(qt[k])).round() as i32).collect();
            let diff = q[0] - prev_dc;
            prev_dc = q[0];
            let cat = category(diff);
            push(&mut syms, 0, cat as u8, diff, cat);
            let mut run = 0u32;
            for &v in &q[1..] {
                if v == 0 {
                    run += 1;
                    continue;
                }
                while run >= 16 {
                    push(&mut syms, 1, 0xF0, 0, 0);
                    run -= 16;
                }
                let cat = category(v);
                push(&mut syms, 1, ((run << 4) | cat) as u8, v, cat);
                run = 0;
            }
            if run > 0 {
                push(&mut syms, 1, 0x00, 0, 0);
            }
        }
    }
    let dc_lens = code_lengths(&freq[0][..16], MAX_LEN)?;
    let ac_lens = code_lengths(&freq[1], MAX_LEN)?;
    let dc_codes = canonical_codes(OP, &dc_lens)?;
    let ac_codes = canonical_codes(OP, &ac_lens)?;
    let mut w = BitWriter::new(out);
    write_table(&mut w, &dc_lens);
    write_table(&mut w, &ac_lens);
    for s in &syms {
        let (code, len) = if s.table == 0 {
            (dc_codes[s.sym as usize], dc_lens[s.sym as usize])
        } else {
            (ac_codes[s.sym as usize], ac_lens[s.sym as usize])
        };
        w.put(code, u32::from(len));
        w.put(u32::from(s.extra), u32::from(s.extra_len));
    }
    let mut out = w.finish();
    header::seal(&mut out);
    Ok(out)
}

/// Decodes a stream from [`encode`] (coded, version 1, or stored, version 2).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode(stream: &[u8], max_output: usize) -> Result<Image> {
    let (h, payload) = header::open_versions(OP, MAGIC, stream, max_output, header::VERSION_STORED)?;
    decode_version(h.version, h.raw_len, h.param, payload)
}

/// Decodes the payload after a header of `version` and parameter byte `param` (exposed for
/// fuzzing below the checksum).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode_version(version: u8, n: usize, param: u8, p: &[u8]) -> Result<Image> {
    let quality = u32::from(param & !STORED);
    match (version, param & STORED != 0) {
        (header::VERSION, false) => decode_payload(n, quality, p),
        (header::VERSION_STORED, true) => decode_stored(OP, n, quality, p),
        _ => Err(Error::invalid(OP, format!("version {version} with parameter byte {param}: version 1 streams are coded (parameter = quality), version 2 stored (128 + quality)"))),
    }
}

/// Decodes the payload after the header (exposed for fuzzing below the checksum).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn decode_payload(n: usize, quality: u32, p: &[u8]) -> Result<Image> {
    let (width, height, pos) = open_payload(OP, n, quality, p)?;
    if n == 0 {
        return Ok(Image { width, height, data: Vec::new() });
    }
    let (bw, bh) = (width.div_ceil(8), height.div_ceil(8));
    let bits = (p.len() - pos) as u64 * 8;
    // Every block costs at least 2 bits (a DC symbol and an EOB or a coefficient).
    if (bw * bh) as u64 * 2 > bits {
        return Err(Error::invalid(OP, format!("truncated stream or corrupt size: {} blocks need more than the {bits} bits present", bw * bh)));
    }
    let mut r = BitReader::new(&p[pos..]);
    let dc = Table::new(OP, &read_table(&mut r, 16, "DC")?)?;
    let ac = Table::new(OP, &read_table(&mut r, 256, "AC")?)?;
    let qt = quant_table(quality);
    let zz = zigzag();
    let c = dct::matrix(8);
    let mut out = header::alloc_bytes(OP, n)?;
    out.resize(n, 0);
    let (mut coef, mut y, mut tmp) = ([0f32; 64], [0f32; 64], [0f32; 64]);
    let mut prev_dc = 0i32;
    for by in 0..bh {
        for bx in 0..bw {
            coef.fill(0.0);
            let cat = dc.decode(OP, &mut r)?;
            if cat > 15 {
                return Err(Error::invalid(OP, format!("DC category {cat} is out of range")));
            }
            prev_dc = prev_dc.saturating_add(from_extra(r.get(cat), cat));
            coef[zz[0]] = prev_dc as f32 * f32::from(qt[zz[0]]);
            let mut k = 1;
            while k < 64 {
                let s = ac.decode(OP, &mut r)?;
                let (run, size) = (s >> 4, s & 15);
                if size == 0 {
                    if run == 0 {
                        break;
                    }
                    if run != 15 {
                        return Err(Error::invalid(OP, format!("invalid AC symbol {s:#04x} in block ({bx}, {by})")));
                    }
                    k += 16;
                    if k > 64 {
                        return Err(Error::invalid(OP, format!("zero run past the end of block ({bx}, {by})")));
                    }
                    continue;
                }
                k += run as usize;
                if k > 63 {
                    return Err(Error::invalid(OP, format!("AC run past the end of block ({bx}, {by})")));
                }
                coef[zz[k]] = from_extra(r.get(size), size) as f32 * f32::from(qt[zz[k]]);
                k += 1;
            }
            if r.overrun() {
                return Err(Error::invalid(OP, format!("truncated stream: the data ends in block ({bx}, {by})")));
            }
            dct::block(&c, 8, &coef, &mut y, &mut tmp, true);
            for row in 0..8 {
                let py = by * 8 + row;
                if py >= height {
                    break;
                }
                for col in 0..8 {
                    let px = bx * 8 + col;
                    if px >= width {
                        break;
                    }
                    out[py * width + px] = (y[row * 8 + col] + 128.0).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
    // The codes end in the last byte (zero-padded); whole bytes after it are not this stream's.
    let used = r.consumed_bits().div_ceil(8) as usize;
    check_no_trailing(OP, (p.len() - pos).saturating_sub(used), width, height)?;
    Ok(Image { width, height, data: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compression::codecs::{rmse, test_photo as photo};


    #[test]
    fn zigzag_is_a_permutation_starting_like_jpeg() {
        let z = zigzag();
        assert_eq!(&z[..6], &[0, 1, 8, 16, 9, 2]);
        let mut s = z.to_vec();
        s.sort();
        assert_eq!(s, (0..64).collect::<Vec<_>>());
        assert_eq!(quant_table(50), LUMA);
        assert!(quant_table(100).iter().all(|&q| q == 1));
    }

    #[test]
    fn round_trips_within_the_bound_on_any_size() {
        for (w, h) in [(1, 1), (8, 8), (13, 7), (40, 33), (0, 5)] {
            let img = photo(w, h);
            for q in [1, 25, 50, 75, 100] {
                let enc = encode(&img, w, h, q).unwrap();
                let dec = decode(&enc, usize::MAX).unwrap();
                assert_eq!((dec.width, dec.height), (w, h));
                if w * h == 0 {
                    continue;
                }
                let rmse = rmse(&img, &dec.data);
                let qt = quant_table(q);
                let block_bound = qt.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / 64.0 / 4.0;
                let padded = (w.div_ceil(8) * h.div_ceil(8) * 64) as f64 / (w * h) as f64;
                let bound = (block_bound * padded).sqrt() + 0.5;
                assert!(rmse <= bound, "{w}x{h} q{q}: rmse {rmse} > {bound}");
            }
        }
    }

    #[test]
    fn malformed_streams_are_errors() {
        let img = photo(32, 24);
        let enc = encode(&img, 32, 24, 60).unwrap();
        let p = &enc[header::HEADER_BYTES..];
        assert!(decode_payload(32 * 24, 0, p).unwrap_err().to_string().contains("quality"));
        assert!(decode_payload(99, 60, p).unwrap_err().to_string().contains("does not match"));
        let e = decode_payload(32 * 24, 60, &p[..6]).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
        for k in 0..4000 {
            let mut m = p.to_vec();
            let i = 2 + (k * 7919) % (m.len() - 2);
            m[i] ^= 1 << (k % 8);
            let _ = decode_payload(32 * 24, 60, &m);
            let _ = decode_payload(32 * 24, 60, &p[..p.len() * (k % 7 + 1) / 8]);
        }
    }

    /// Bytes after a coded stream's last code (appended bytes, a second stream) are refused,
    /// naming how many; they decoded as if absent. Every stream the encoder writes ends exactly.
    #[test]
    fn trailing_bytes_are_refused() {
        for (w, h) in [(1, 1), (8, 8), (13, 7), (64, 48), (100, 75)] {
            for q in [1, 30, 75, 100] {
                let enc = encode(&photo(w, h), w, h, q).unwrap();
                if enc[4] != header::VERSION {
                    continue;
                }
                let p = &enc[header::HEADER_BYTES..];
                assert!(decode_payload(w * h, q, p).is_ok());
                for extra in [&[0u8][..], &[0xde, 0xad, 0xbe, 0xef], p] {
                    let long = [p, extra].concat();
                    let e = decode_payload(w * h, q, &long).unwrap_err().to_string();
                    assert_eq!(e, format!("codecs.dct: {} trailing bytes after the end of the {w} × {h} image's codes: decode takes exactly one stream (bytes appended after it, or a second stream, are refused)", extra.len()));
                }
            }
        }
    }

    /// Noise at quality 100 coded took 8.4 bpp; now it is stored (version 2), exact. Coded
    /// streams are still version 1.
    #[test]
    fn incompressible_images_are_stored_exactly() {
        use crate::compression::codecs::STORED;
        let (w, h) = (120, 100);
        let mut s = 0x2545_f491u32;
        let img: Vec<u8> = (0..w * h).map(|_| { s ^= s << 13; s ^= s >> 17; s ^= s << 5; (s >> 24) as u8 }).collect();
        assert!(encode_coded(&img, w, h, 100).unwrap().len() > w * h + 16);
        let e = encode(&img, w, h, 100).unwrap();
        assert_eq!((e.len(), e[4], e[5]), (header::HEADER_BYTES + 2 + w * h, header::VERSION_STORED, 100 | STORED));
        let d = decode(&e, usize::MAX).unwrap();
        assert_eq!((d.width, d.height, d.data == img), (w, h, true));
        let c = encode(&img, w, h, 50).unwrap();
        assert_eq!((c[4], c[5]), (header::VERSION, 50));
        assert_eq!(encode(&photo(40, 30), 40, 30, 100).unwrap()[4], header::VERSION);
        // Malformed: a stored flag in version 1, a coded stream claiming version 2, a short payload.
        let p = &e[header::HEADER_BYTES..];
        let err = |r: Result<Image>| r.unwrap_err().to_string();
        assert!(err(decode_version(1, w * h, 100 | STORED, p)).contains("version 2 stored"));
        assert!(err(decode_version(2, w * h, 50, &c[header::HEADER_BYTES..])).contains("version 1 streams are coded"));
        assert!(err(decode_version(2, w * h, 100 | STORED, &p[..p.len() - 3])).contains("payload holds 11997"));
        let mut t = e[..e.len() - 1].to_vec();
        header::seal(&mut t);
        assert!(decode(&t, usize::MAX).unwrap_err().to_string().contains("stored stream"));
        let mut v3 = e.clone();
        v3[4] = 3;
        header::seal(&mut v3);
        assert!(decode(&v3, usize::MAX).unwrap_err().to_string().contains("unsupported version 3 (this decoder reads versions 1 to 2)"));
    }
}
