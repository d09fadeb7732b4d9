//! Linear algebra on the last two axes of a tensor (batched over the leading ones), as
//! TF.js's `tf.linalg`: the QR decomposition by Householder reflections and the band part of a
//! matrix. (`gramSchmidt` is made of other ops in TS, `ts/ops/linalg.ts`.)

pub mod band_part;
pub mod qr;
