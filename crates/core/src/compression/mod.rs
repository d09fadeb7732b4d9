//! Compression: lossless byte codes (Huffman, LZW, PackBits RLE), the transforms of transform
//! coding (orthonormal 1-D and 2-D DCTs, 2-D discrete wavelet transforms) and two grayscale image
//! codecs built on them.
//!
//! Every encoded stream starts with the same self-describing header ([`header`]): magic,
//! version, one parameter byte, the decoded length and an Adler-32 checksum of the rest of
//! the stream. Decoders take untrusted bytes: every malformed input is an
//! `InvalidArgument` error naming the codec and what is wrong, never a panic, a hang or an
//! allocation larger than `max_output` (see [`DEFAULT_MAX_OUTPUT`]).

pub mod bitio;
pub mod codecs;
pub mod dct;
pub mod dwt;
pub mod fft;
pub mod header;
pub mod huffman;
pub mod lzw;
pub mod range_coder;
pub mod rle;

/// The default cap on a decoder's output (256 MiB): larger claims are refused before any
/// allocation unless the caller raises `max_output`.
pub const DEFAULT_MAX_OUTPUT: usize = 256 << 20;

/// `n` pseudo-random bytes from a 64-bit LCG (the top byte of each state): incompressible
/// input for the codecs' tests.
#[cfg(test)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn lcg(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..n).map(|_| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 56) as u8
    }).collect()
}
