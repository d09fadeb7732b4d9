//! Compression: lossless byte codecs, the image codecs and the DCT/DWT transforms.
//! The algorithms live in `neurite_core::compression`.
//!
//! Byte buffers: TS copies the input into an `nr_alloc` block (or the scratch) and passes
//! its address and length, which are bounds-checked like every pointer. The result stays in
//! a buffer owned by this module until the next compression call or
//! [`nr_compress_release`]; the call writes its address and length to `out` for TS to copy.

use super::tape::emit_rec;
use neurite_core::autodiff::Recorded;
use crate::ffi::{check_out, check_region, guard, read_u32s, write_slice};
use crate::handles;
use core::cell::RefCell;
use neurite_core::compression::codecs::{dct_codec, wavelet_codec, Image};
use neurite_core::compression::dwt::Wavelet;
use neurite_core::compression::{dct, dwt, huffman, lzw, rle};
use neurite_core::{Error, Result};

thread_local! {
    /// The last result, kept until TS has copied it.
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Codec ids (the ABI's numbering; append only).
pub const CODECS: [&str; 5] = ["huffman", "lzw", "rle", "dct", "wavelet"];

/// Borrows `len` input bytes at `ptr` after the region check.
///
/// # Safety
/// If `ptr` passes `check_region`, it points to `len` readable bytes (TS wrote them).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn input<'a>(op: &'static str, ptr: *const u8, len: usize) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    check_region(op, "input bytes", ptr as usize, len, 1)?;
    // SAFETY: checked above; guaranteed by the caller.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// Keeps `bytes` as the current output and writes `[address, length, width, height]` to `out`.
///
/// # Safety
/// `out` points to 4 writable u32 values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
unsafe fn finish(op: &'static str, bytes: Vec<u8>, width: usize, height: usize, out: *mut u32) -> Result<()> {
    check_out(op, out, 4)?;
    let info = OUTPUT.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |o| {
        let mut o = o.borrow_mut();
        *o = bytes;
        [o.as_ptr() as usize as u32, o.len() as u32, width as u32, height as u32]
    });
    // SAFETY: checked above.
    unsafe { write_slice(op, out, 4, &info) }
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn codec_op(codec: u32, decode: bool) -> &'static str {
    match (codec, decode) {
        (0, false) => "compression.huffman.encode",
        (0, true) => "compression.huffman.decode",
        (1, false) => "compression.lzw.encode",
        (1, true) => "compression.lzw.decode",
        (2, false) => "compression.rle.encode",
        (2, true) => "compression.rle.decode",
        (3, false) => "codecs.dct.encode",
        (3, true) => "codecs.dct.decode",
        (4, false) => "codecs.wavelet.encode",
        (4, true) => "codecs.wavelet.decode",
        _ => "compression",
    }
}

/// Encodes `len` bytes at `ptr` with codec `codec` (see [`CODECS`]). `param` is LZW's
/// maximum code width or an image codec's quality; `width`/`height` describe an image.
/// Writes `[address, length, 0, 0]` of the encoded stream to `out`.
///
/// # Safety
/// `ptr` points to `len` readable bytes; `out` to 4 writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_compress(codec: u32, ptr: *const u8, len: usize, param: u32, width: u32, height: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = codec_op(codec, false);
        // SAFETY: forwarded caller contract.
        let bytes = unsafe { input(op, ptr, len) }?;
        let enc = match codec {
            0 => huffman::encode(bytes)?,
            1 => lzw::encode(bytes, param)?,
            2 => rle::encode(bytes)?,
            3 => dct_codec::encode(bytes, width as usize, height as usize, param)?,
            4 => wavelet_codec::encode(bytes, width as usize, height as usize, param)?,
            _ => return Err(Error::invalid(op, format!("unknown codec id {codec} (0..{})", CODECS.len()))),
        };
        // SAFETY: forwarded caller contract.
        unsafe { finish(op, enc, 0, 0, out) }
    })
}

/// Decodes `len` bytes at `ptr` with codec `codec`, producing at most `max_output` bytes.
/// `output_cap` is the length of the caller's `output` buffer (byte codecs; `u32::MAX` when
/// there is none): a stream whose header claims more is refused before it is decoded.
/// Writes `[address, length, width, height]` of the result to `out` (width and height are 0
/// for the byte codecs).
///
/// # Safety
/// As [`nr_compress`].
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_decompress(codec: u32, ptr: *const u8, len: usize, max_output: usize, output_cap: usize, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = codec_op(codec, true);
        // SAFETY: forwarded caller contract.
        let bytes = unsafe { input(op, ptr, len) }?;
        let (data, w, h) = match codec {
            0 => (huffman::decode_capped(bytes, max_output, output_cap)?, 0, 0),
            1 => (lzw::decode_capped(bytes, max_output, output_cap)?, 0, 0),
            2 => (rle::decode_capped(bytes, max_output, output_cap)?, 0, 0),
            3 | 4 => {
                let Image { width, height, data } =
                    if codec == 3 { dct_codec::decode(bytes, max_output)? } else { wavelet_codec::decode(bytes, max_output)? };
                (data, width, height)
            }
            _ => return Err(Error::invalid(op, format!("unknown codec id {codec} (0..{})", CODECS.len()))),
        };
        // SAFETY: forwarded caller contract.
        unsafe { finish(op, data, w, h, out) }
    })
}

/// Frees the last result.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub extern "C" fn nr_compress_release() -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        OUTPUT.with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |o| *o.borrow_mut() = Vec::new());
        Ok(())
    })
}

/// Huffman code lengths (at most `max_len` bits) of the `n` frequencies at `freqs`, written
/// to `out` (capacity `cap` u32 values).
///
/// # Safety
/// `freqs` points to `n` u32 values; `out` to `cap` writable u32 values.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_huffman_code_lengths(freqs: *const u32, n: usize, max_len: u32, out: *mut u32, cap: usize) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        const OP: &str = "compression.huffman.codeLengths";
        // SAFETY: forwarded caller contract.
        let f = unsafe { read_u32s(OP, freqs, n) }?;
        let lens: Vec<u32> = huffman::code_lengths(&f, max_len)?.into_iter().map(u32::from).collect();
        // SAFETY: forwarded caller contract.
        unsafe { write_slice(OP, out, cap, &lens) }
    })
}

/// Orthonormal DCT (`inverse` = 0: DCT-II, else DCT-III). `dims` 2: blockwise 2-D on the last
/// two axes of `[…, H, W]`, in `block`×`block` blocks; `dims` 1: over the last axis, in blocks of
/// `block` values (0: the whole axis).
///
/// # Safety
/// `out` points to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_dct(x: u32, block: u32, inverse: u32, dims: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let (two_d, inverse) = (dims == 2, inverse != 0);
        let block = (two_d || block != 0).then_some(block as usize);
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| dct::dct(h.tensor(x)?, block, two_d, inverse))?;
        let rec = Recorded::Dct { block, two_d, inverse };
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("dct", y, out, || (rec, vec![x])) }
    })
}

/// Multi-level 2-D DWT (`wavelet`: 0 haar, 1 cdf53, 2 cdf97) of a `[…, H, W]` tensor.
///
/// # Safety
/// `out` points to a writable u32.
#[no_mangle]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub unsafe extern "C" fn nr_dwt2d(x: u32, wavelet: u32, levels: u32, inverse: u32, out: *mut u32) -> i32 {
    guard(#[cfg_attr(target_arch = "wasm32", optimize(size))] || {
        let op = if inverse != 0 { "compression.dwt.inverse2d" } else { "compression.dwt.forward2d" };
        let w = Wavelet::from_abi(wavelet, op)?;
        let y = handles::with(#[cfg_attr(target_arch = "wasm32", optimize(size))] |h| dwt::dwt2d(h.tensor(x)?, w, levels as usize, inverse != 0))?;
        // Recorded for every wavelet: cdf53 (floor in each lift) has no gradient, and its
        // backward rule is the error that says so and names haar and cdf97 (recorded as an op
        // without a rule, the error blamed the whole transform).
        let rec = Recorded::Dwt { wavelet: w, levels: levels as usize, inverse: inverse != 0 };
        // SAFETY: forwarded caller contract.
        unsafe { emit_rec("dwt", y, out, || (rec, vec![x])) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_ids_dispatch_to_the_named_codec() {
        // CODECS is what TS checks its ids against (nr_enum_name family 29); the dispatch uses
        // the ids: each id's op names the codec CODECS gives it.
        for (id, name) in CODECS.iter().enumerate() {
            assert!(codec_op(id as u32, false).contains(name) && codec_op(id as u32, true).contains(name), "codec {id} = {name}");
        }
        assert_eq!(codec_op(CODECS.len() as u32, false), "compression");
    }

    #[test]
    fn round_trip_through_the_abi_and_errors_name_the_codec() {
        let data = b"abracadabra, abracadabra".to_vec();
        let mut info = [0u32; 4];
        for codec in 0..3 {
            // SAFETY: valid buffers.
            assert_eq!(unsafe { nr_compress(codec, data.as_ptr(), data.len(), 16, 0, 0, info.as_mut_ptr()) }, 0);
            let enc = OUTPUT.with(|o| o.borrow().clone());
            assert_eq!(info[1] as usize, enc.len());
            // SAFETY: valid buffers.
            assert_eq!(unsafe { nr_decompress(codec, enc.as_ptr(), enc.len(), 1 << 20, data.len(), info.as_mut_ptr()) }, 0);
            assert_eq!(OUTPUT.with(|o| o.borrow().clone()), data);
            // An output one byte short: refused, naming it.
            // SAFETY: valid buffers.
            assert_eq!(unsafe { nr_decompress(codec, enc.as_ptr(), enc.len(), 1 << 20, data.len() - 1, info.as_mut_ptr()) }, 1);
            assert!(crate::ffi::LAST_ERROR.as_str().contains("output holds 23 bytes but the stream decodes to 24"), "{}", crate::ffi::LAST_ERROR.as_str());
            // SAFETY: valid buffers.
            let s = unsafe { nr_decompress(codec, enc.as_ptr(), enc.len() - 1, 1 << 20, u32::MAX as usize, info.as_mut_ptr()) };
            assert_eq!(s, 1);
            assert!(crate::ffi::LAST_ERROR.as_str().starts_with(codec_op(codec, true).trim_end_matches(".decode")), "{}", crate::ffi::LAST_ERROR.as_str());
        }
        assert_eq!(nr_compress_release(), 0);
        // SAFETY: null output is rejected before any write.
        assert_eq!(unsafe { nr_compress(0, data.as_ptr(), data.len(), 0, 0, 0, core::ptr::null_mut()) }, 1);
        // SAFETY: valid buffers.
        assert_eq!(unsafe { nr_compress(9, data.as_ptr(), data.len(), 0, 0, 0, info.as_mut_ptr()) }, 1);
    }
}
