//! Matrix multiply kernels: `C[m,n] = op(A)·op(B)`, where `op` is identity or transpose.
//!
//! Row-major storage. `A` is `[m,k]` (or `[k,m]` when `trans_a`), `B` is `[k,n]` (or `[n,k]`
//! when `trans_b`). `C` is overwritten.

/// The reference kernel (i-k-j order so the inner loop is contiguous in `B` and `C`).
pub fn gemm_reference(
    m: usize,
    k: usize,
    n: usize,
    a: &[f32],
    trans_a: bool,
    b: &[f32],
    trans_b: bool,
    c: &mut [f32],
) {
    c[..m * n].fill(0.0);
    for i in 0..m {
        for p in 0..k {
            let av = if trans_a { a[p * m + i] } else { a[i * k + p] };
            let row = &mut c[i * n..(i + 1) * n];
            if trans_b {
                for (j, cv) in row.iter_mut().enumerate() {
                    *cv += av * b[j * k + p];
                }
            } else {
                for (cv, &bv) in row.iter_mut().zip(&b[p * n..(p + 1) * n]) {
                    *cv += av * bv;
                }
            }
        }
    }
}

/// The kernel used by `matMul`.
#[allow(clippy::too_many_arguments)]
pub fn gemm(m: usize, k: usize, n: usize, a: &[f32], trans_a: bool, b: &[f32], trans_b: bool, c: &mut [f32]) {
    gemm_reference(m, k, n, a, trans_a, b, trans_b, c)
}
