// Plain-JS references of crates/core/src/kernels/transcendental.rs (Cephes `expf`/`logf`), step
// for step in float32, for the bit-for-bit kernel tests (test/simd.test.ts, test/unary-kernels.test.ts).
const f = Math.fround;

/** The scalar references of kernels/transcendental.rs (Cephes `expf`/`logf`), step for step in float32. */
export const EXP_P = [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1].map(f);
export const LN_Q = [7.037_683_6e-2, -1.151_461e-1, 1.167_699_9e-1, -1.242_014_1e-1, 1.424_932_3e-1, -1.666_805_8e-1, 2.000_071_4e-1, -2.499_999_4e-1, 3.333_333_1e-1].map(f);
export const [LOG2E, LN2_HI, LN2_LO, SQRT_HALF, ROUND] = [f(Math.LOG2E), 0.693359375, f(-2.121_944_4e-4), f(Math.SQRT1_2), 12582912];
const u32 = new Uint32Array(1);
const f32 = new Float32Array(u32.buffer);
export const fromBits = (b: number) => ((u32[0] = b >>> 0), f32[0]);
export const toBits = (x: number) => ((f32[0] = x), u32[0]);
export const pow2 = (k: number) => fromBits((k + 127) << 23);

/** The range reduction and polynomial expRef and expm1NegRef share: `[n, r, P(r)·r²]`. */
function reduceRef(x: number): [number, number, number] {
  const n = f(f(f(x * LOG2E) + ROUND) - ROUND);
  let r = f(x - f(n * LN2_HI));
  r = f(r - f(n * LN2_LO));
  const z = f(r * r);
  let y = EXP_P[0];
  for (const c of EXP_P.slice(1)) y = f(f(y * r) + c);
  return [n, r, f(y * z)];
}

export function expRef(x: number): number {
  x = 89 < x ? 89 : x;
  x = x < -104 ? -104 : x;
  const [n, r, yz] = reduceRef(x);
  const p = f(f(yz + r) + 1);
  const k = Number.isNaN(n) ? 0 : n;
  const k1 = k >> 1;
  return f(f(p * pow2(k1)) * pow2(k - k1));
}

/** `e^x − 1` for x ≤ 0 as kernels/transcendental.rs composes it (musl's expm1f on Cephes' polynomial). */
export function expm1NegRef(x: number): number {
  x = 0 < x ? 0 : x;
  x = x < -26 ? -26 : x;
  const [n, r, yz] = reduceRef(x);
  const p = f(yz + r);
  const s = pow2(Number.isNaN(n) ? 0 : n);
  const e = f(f(s * p) - f(1 - s));
  return fromBits(toBits(e) | (toBits(x) & 0x80000000));
}

export function lnRef(x: number): number {
  const sub = x < 1.1754943508222875e-38;
  const b = toBits(sub ? f(x * 8388608) : x);
  let e = ((b >>> 23) & 0xff) - 126 - (sub ? 23 : 0);
  let m = fromBits((b & 0x807fffff) | 0x3f000000);
  const small = m < SQRT_HALF;
  if (small) e -= 1;
  m = small ? f(f(m + m) - 1) : f(m - 1);
  const z = f(m * m);
  let y = LN_Q[0];
  for (const c of LN_Q.slice(1)) y = f(f(y * m) + c);
  y = f(f(y * m) * z);
  y = f(y + f(e * LN2_LO));
  y = f(y + f(-0.5 * z));
  const r = f(f(m + y) + f(e * LN2_HI));
  return x === Infinity ? Infinity : x === 0 ? -Infinity : !(x > 0) ? NaN : r;
}
