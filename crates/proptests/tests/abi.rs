//! The C ABI under random arguments: reshape and transpose through `nr_*` exports never panic,
//! return a defined status, and on success produce what the core op produces.

use neurite_core::{Shape, Status, Tensor};
use neurite_wasm::exports::ops::{nr_reshape, nr_transpose};
use neurite_wasm::handles::{self, Object};
use proptest::prelude::*;

fn put(dims: &[usize]) -> u32 {
    let n: usize = dims.iter().product();
    let t = Tensor::new("t", Shape::from(dims), (0..n).map(|v| v as f32).collect()).unwrap();
    handles::with(|h| h.insert(Object::Tensor(t))).unwrap()
}

fn take(h: u32) -> Tensor {
    let t = handles::with(|hs| hs.tensor(h).cloned()).unwrap();
    handles::with(|hs| hs.remove(h)).unwrap();
    t
}

fn known(status: i32) -> bool {
    Status::ALL.iter().any(|s| *s as i32 == status && *s != Status::Panic)
}

/// `PROPTEST_CASES` from the environment (for longer runs), else `default`. Failures print
/// their minimal input and are not persisted to files.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn reshape_through_the_abi(dims in prop::collection::vec(0usize..4, 0..4), req in prop::collection::vec(prop_oneof![-2i32..6, Just(i32::MAX), Just(i32::MIN)], 0..5)) {
        let x = put(&dims);
        let mut out = 0u32;
        // SAFETY: `req` is readable for its length, `out` is writable.
        let st = unsafe { nr_reshape(x, req.as_ptr(), req.len(), &mut out) };
        prop_assert!(known(st), "status {st}");
        let req64: Vec<i64> = req.iter().map(|&v| i64::from(v)).collect();
        let want = neurite_core::ops::reshape::reshape(&take(x), &req64);
        prop_assert_eq!(st == 0, want.is_ok());
        if st == 0 {
            prop_assert_eq!(take(out), want.unwrap());
        }
    }

    #[test]
    fn transpose_through_the_abi(dims in prop::collection::vec(0usize..4, 0..4), perm in prop::collection::vec(-5i32..5, 0..5), has in any::<bool>()) {
        let x = put(&dims);
        let mut out = 0u32;
        // SAFETY: as above.
        let st = unsafe { nr_transpose(x, perm.as_ptr(), perm.len(), u32::from(has), &mut out) };
        prop_assert!(known(st), "status {st}");
        let p64: Vec<i64> = perm.iter().map(|&v| i64::from(v)).collect();
        let want = neurite_core::ops::transpose::transpose(&take(x), has.then_some(&p64[..]));
        prop_assert_eq!(st == 0, want.is_ok());
        if st == 0 {
            prop_assert_eq!(take(out), want.unwrap());
        }
    }
}
