//! Grayscale image codecs: [`dct_codec`] (JPEG-style) and [`wavelet_codec`] (CDF 9/7).

pub mod dct_codec;
pub mod wavelet_codec;

use super::header::{self, get_varint, put_varint};
use crate::{Error, Result};

/// A decoded grayscale image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

/// Checks an image's size against its data.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check_image(op: &'static str, data: &[u8], width: usize, height: usize) -> Result<()> {
    if width.checked_mul(height) != Some(data.len()) {
        return Err(Error::invalid(op, format!("image data has {} bytes but width × height = {width} × {height}", data.len())));
    }
    if width > 1 << 16 || height > 1 << 16 {
        return Err(Error::invalid(op, format!("image {width} × {height} is larger than 65536 on a side")));
    }
    Ok(())
}

/// Quality must be an integer in 1..=100.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn check_quality(op: &'static str, quality: u32) -> Result<()> {
    if !(1..=100).contains(&quality) {
        return Err(Error::invalid(op, format!("quality must be in 1..=100, got {quality}")));
    }
    Ok(())
}

/// Checks an image and its quality and starts its stream: the header (parameter = quality,
/// decoded length = width × height), then varint width and varint height.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn begin_stream(op: &'static str, magic: &[u8; 4], data: &[u8], width: usize, height: usize, quality: u32) -> Result<Vec<u8>> {
    begin_stream_version(op, magic, header::VERSION, data, width, height, quality)
}

/// [`begin_stream`] writing `version` in the header.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn begin_stream_version(op: &'static str, magic: &[u8; 4], version: u8, data: &[u8], width: usize, height: usize, quality: u32) -> Result<Vec<u8>> {
    check_image(op, data, width, height)?;
    check_quality(op, quality)?;
    let mut out = header::begin_version(magic, version, quality as u8, data.len(), op)?;
    put_varint(&mut out, width as u32);
    put_varint(&mut out, height as u32);
    Ok(out)
}

/// Reads what [`begin_stream`] wrote after the header: checks the header's quality and that
/// width × height is its `n` pixels. Returns `(width, height, bytes read)`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn open_payload(op: &'static str, n: usize, quality: u32, p: &[u8]) -> Result<(usize, usize, usize)> {
    check_quality(op, quality).map_err(|_| Error::invalid(op, format!("the header's quality {quality} is not in 1..=100")))?;
    let mut pos = 0;
    let width = get_varint(op, "width", p, &mut pos)? as usize;
    let height = get_varint(op, "height", p, &mut pos)? as usize;
    if width > 1 << 16 || height > 1 << 16 {
        return Err(Error::invalid(op, format!("image size {width} × {height} has a side over 65536, which no stream written here has")));
    }
    if (width as u64) * (height as u64) != n as u64 {
        return Err(Error::invalid(op, format!("image size {width} × {height} does not match the header's {n} pixels")));
    }
    Ok((width, height, pos))
}

/// Refuses `extra` bytes left after a coded image's last code: the header holds no compressed
/// length, so bytes appended after a stream (another stream, say) would otherwise decode as if
/// absent, while the byte codecs refuse them.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn check_no_trailing(op: &'static str, extra: usize, width: usize, height: usize) -> Result<()> {
    if extra > 0 {
        return Err(Error::invalid(
            op,
            format!("{extra} trailing bytes after the end of the {width} × {height} image's codes: decode takes exactly one stream (bytes appended after it, or a second stream, are refused)"),
        ));
    }
    Ok(())
}

/// Bit 7 of an image stream's parameter byte (a quality uses bits 0..6): the stream is
/// stored, its payload varint width, varint height and the pixels as they are.
pub(crate) const STORED: u8 = header::STORED;

/// `coded`, or the stored form of the image (version `stored_version`, parameter `quality |
/// STORED`) when that is smaller: on incompressible input (noise at a high quality) a coded
/// stream can take more than the 8 bits per pixel of the pixels themselves. A stored image is
/// exact, so it is at least as good at any quality.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn smaller_of(op: &'static str, magic: &[u8; 4], stored_version: u8, coded: Vec<u8>, data: &[u8], width: usize, height: usize, quality: u32) -> Result<Vec<u8>> {
    let mut out = begin_stream_version(op, magic, stored_version, data, width, height, quality)?;
    if coded.len() <= out.len() + data.len() {
        return Ok(coded);
    }
    out[5] |= STORED;
    out.try_reserve_exact(data.len()).map_err(|_| Error::OutOfMemory { op, bytes: (out.len() + data.len()) as u64 })?;
    out.extend_from_slice(data);
    header::seal(&mut out);
    Ok(out)
}

/// Decodes a stored image's payload (after the header): its size, then exactly `n` pixels.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn decode_stored(op: &'static str, n: usize, quality: u32, p: &[u8]) -> Result<Image> {
    let (width, height, pos) = open_payload(op, n, quality, p)?;
    let data = header::decode_stored(op, n, &p[pos..])?;
    Ok(Image { width, height, data })
}

/// A synthetic photograph for the codecs' tests: smooth shading plus hard-edged tiles.
#[cfg(test)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn test_photo(w: usize, h: usize) -> Vec<u8> {
    (0..h)
        .flat_map(|y| (0..w).map(move |x| {
            let v = 128.0 + 60.0 * ((x as f32) * 0.07).sin() * ((y as f32) * 0.05).cos() + if (x / 9 + y / 13) % 2 == 0 { 30.0 } else { -30.0 };
            v.clamp(0.0, 255.0) as u8
        }))
        .collect()
}

/// The root-mean-square difference of two images of the same size.
#[cfg(test)]
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub(crate) fn rmse(a: &[u8], b: &[u8]) -> f64 {
    (a.iter().zip(b).map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}
