//! Grayscale image codecs: [`dct_codec`] (JPEG-style) and [`wavelet_codec`] (CDF 9/7).

pub mod dct_codec;
pub mod wavelet_codec;

/// A decoded grayscale image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

/// Checks an image's size against its data.
pub fn check_image(op: &'static str, data: &[u8], width: usize, height: usize) -> crate::Result<()> {
    if width.checked_mul(height) != Some(data.len()) {
        return Err(crate::Error::invalid(op, format!("image data has {} bytes but width × height = {width} × {height}", data.len())));
    }
    if width > 1 << 16 || height > 1 << 16 {
        return Err(crate::Error::invalid(op, format!("image {width} × {height} is larger than 65536 on a side")));
    }
    Ok(())
}

/// Quality must be an integer in 1..=100.
pub fn check_quality(op: &'static str, quality: u32) -> crate::Result<()> {
    if !(1..=100).contains(&quality) {
        return Err(crate::Error::invalid(op, format!("quality must be in 1..=100, got {quality}")));
    }
    Ok(())
}
