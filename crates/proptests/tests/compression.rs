//! Compression properties: every lossless codec rebuilds any input bit for bit, PackBits
//! keeps its growth bound, code lengths are prefix-free and limited, cdf53 is exactly
//! reversible, the 1-D DCT of any length keeps the energy and inverts, and no decoder panics
//! on arbitrary payloads below the checksum.

use neurite_core::compression::codecs::{dct_codec, wavelet_codec};
use neurite_core::compression::dwt::{forward53, inverse53};
use neurite_core::compression::{dct, huffman, lzw, rle};
use neurite_core::{Shape, Tensor};
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Inputs mixing runs, small alphabets and noise (what the codecs treat differently).
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        prop::collection::vec(0u8..3, 0..2000),
        prop::collection::vec((any::<u8>(), 1usize..300), 0..20).prop_map(|runs| runs.into_iter().flat_map(|(b, n)| std::iter::repeat(b).take(n)).collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(600), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn lossless_codecs_round_trip(x in bytes(), bits in 12u32..=20) {
        prop_assert_eq!(huffman::decode(&huffman::encode(&x).unwrap(), usize::MAX).unwrap(), x.clone());
        prop_assert_eq!(lzw::decode(&lzw::encode(&x, bits).unwrap(), usize::MAX).unwrap(), x.clone());
        let r = rle::encode(&x).unwrap();
        prop_assert!(r.len() - 14 <= x.len() + x.len() / 128 + 1);
        prop_assert_eq!(rle::decode(&r, usize::MAX).unwrap(), x);
    }

    #[test]
    fn code_lengths_are_prefix_free_and_limited(freqs in prop::collection::vec(0u32..100_000, 0..300), max in 9u32..=15) {
        let lens = huffman::code_lengths(&freqs, max).unwrap();
        let kraft: f64 = lens.iter().filter(|&&l| l > 0).map(|&l| 0.5f64.powi(i32::from(l))).sum();
        prop_assert!(kraft <= 1.0 + 1e-12);
        for (f, l) in freqs.iter().zip(&lens) {
            prop_assert_eq!(*f == 0, *l == 0);
            prop_assert!(u32::from(*l) <= max);
        }
    }

    #[test]
    fn cdf53_lifting_is_exactly_reversible(x in prop::collection::vec(-100_000i64..100_000, 2..200)) {
        let mut y = x.clone();
        forward53(&mut y);
        inverse53(&mut y);
        prop_assert_eq!(y, x);
    }

    #[test]
    fn dct1d_keeps_energy_and_inverts_at_any_length(x in prop::collection::vec(-1000f32..1000.0, 1..700), rows in 1usize..3) {
        let n = x.len();
        let data: Vec<f32> = (0..rows).flat_map(|r| x.iter().map(move |v| v * (r + 1) as f32)).collect();
        let t = Tensor::new("x", Shape::from([rows, n]), data.clone()).unwrap();
        let y = dct::dct1d(&t, None, false).unwrap();
        let energy = |v: &[f32]| v.iter().map(|&a| f64::from(a) * f64::from(a)).sum::<f64>();
        let (ex, ey) = (energy(&data), energy(y.data()));
        prop_assert!((ex - ey).abs() <= 1e-6 * ex.max(1e-30), "Parseval: {} vs {}", ex, ey);
        let back = dct::dct1d(&y, None, true).unwrap();
        let scale = data.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-30);
        for (a, b) in back.data().iter().zip(&data) {
            prop_assert!((a - b).abs() <= 1e-5 * scale, "round trip n={}: {} vs {}", n, a, b);
        }
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_payloads(p in prop::collection::vec(any::<u8>(), 0..300), n in 0usize..5000, param in 0u32..120) {
        let _ = huffman::decode_payload(n, &p);
        let _ = lzw::decode_payload(n, 12 + param % 9, &p);
        let _ = rle::decode_payload(n, &p);
        let _ = dct_codec::decode_payload(n, param, &p);
        let _ = wavelet_codec::decode_payload(n, param, &p);
        // Every version and parameter byte, stored flag included.
        for v in 0..=5u8 {
            let _ = dct_codec::decode_version(v, n, (param as u8).wrapping_mul(3), &p);
            let _ = wavelet_codec::decode_version(v, n, (param as u8).wrapping_mul(3), &p);
        }
    }
}
