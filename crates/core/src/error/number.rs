//! Floats as text for messages, without `core::fmt`'s float code.
//!
//! `{}`, `{:?}` or `to_string()` on an `f32`/`f64` links Rust's float formatting into the wasm
//! (Grisu with a Dragon4 fallback, their bignum and tables: ~22 kB of code) for values that
//! only ever reach error messages. [`js_number`] prints the same text as Rust's `Display`
//! (`format!("{v}")`): the shortest decimal that parses back to the same value, never with an
//! exponent (`0.1`, `0.0000001`, `-0`, `340282350000000000000000000000000000000`), except that
//! the non-finite values are spelled as JavaScript spells them (`Infinity`, `-Infinity`, `NaN`).
//! That is also what JS prints from 1e-6 up to 1e21, but for `-0` (JS: `0`). An `f64` gets the
//! shortest text for an `f64` (a bound that came from JS prints as JS prints it), an `f32` the
//! shortest for an `f32` (`0.1f32` is `0.1`, not `0.10000000149011612`).
//!
//! The digits come from the free-format algorithm of Steele & White ("How to print
//! floating-point numbers accurately", 1990; Dragon4) in exact integer arithmetic over a
//! fixed 1280-bit number, step for step the `format_shortest` of `core::num::flt2dec::dragon`
//! (same interval bounds, same tie rule), so the text is Rust's. It takes microseconds, which
//! does not matter for a message; the tests compare it with `format!("{}")` on every power of
//! two and ten, the extremes, 10^6 random `f32` and 2·10^5 `f64` bit patterns, and (ignored,
//! ~50 core-minutes) on every `f32`, which passed when this file was written.

use core::cmp::Ordering;
use core::fmt;

/// A float ready to print: `format!("got {}", js_number(v))`. Implements `Display` (the text
/// described in the module doc; width and precision flags are ignored).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsNumber {
    neg: bool,
    kind: Kind,
    /// Significant digits (ASCII), `len` of them: the value is `0.d₁d₂… × 10^exp`.
    digits: [u8; MAX_DIGITS],
    len: u8,
    exp: i16,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Nan,
    Infinite,
    Zero,
    Finite,
}

/// Shortest round-trip digits of an `f64` are at most 17 (`f32`: 9).
const MAX_DIGITS: usize = 17;

/// A float that [`js_number`] can print: `f32` or `f64`.
pub trait Float: Copy {
    /// The IEEE bits, widened to 64.
    fn bits(self) -> u64;
    /// Stored fraction bits (23 or 52).
    const FRACTION_BITS: u32;
    /// Exponent bits (8 or 11).
    const EXPONENT_BITS: u32;
}

impl Float for f32 {
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
    const FRACTION_BITS: u32 = 23;
    const EXPONENT_BITS: u32 = 8;
}

impl Float for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
    const FRACTION_BITS: u32 = 52;
    const EXPONENT_BITS: u32 = 11;
}

/// `v` as text: Rust's `Display` digits, JS's `Infinity`/`-Infinity`/`NaN`.
#[inline]
pub fn js_number<T: Float>(v: T) -> JsNumber {
    from_bits(v.bits(), T::FRACTION_BITS, T::EXPONENT_BITS)
}

/// The one copy of [`js_number`]'s body (the generic wrapper is inlined in each caller).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn from_bits(bits: u64, fb: u32, eb: u32) -> JsNumber {
    let mut out = JsNumber { neg: bits >> (fb + eb) != 0, kind: Kind::Finite, digits: [b'0'; MAX_DIGITS], len: 0, exp: 0 };
    match decode(bits, fb, eb) {
        Err(kind) => out.kind = kind,
        Ok(d) => {
            let (len, exp) = shortest(&d, &mut out.digits);
            (out.len, out.exp) = (len as u8, exp);
        }
    }
    out
}

/// The value `mant · 2^exp`, with the numbers that round to it strictly between
/// `(mant - minus) · 2^exp` and `(mant + plus) · 2^exp` (bounds included when `inclusive`), as
/// `core::num::flt2dec::decoder::decode` gives them.
struct Decoded {
    mant: u64,
    minus: u64,
    plus: u64,
    exp: i32,
    inclusive: bool,
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn decode(bits: u64, fb: u32, eb: u32) -> Result<Decoded, Kind> {
    let max_e = (1u64 << eb) - 1;
    let biased = (bits >> fb) & max_e;
    let frac = bits & ((1u64 << fb) - 1);
    let shift = ((1i32 << (eb - 1)) - 1) + fb as i32; // bias + fraction bits
    if biased == max_e {
        return Err(if frac == 0 { Kind::Infinite } else { Kind::Nan });
    }
    if biased == 0 {
        if frac == 0 {
            return Err(Kind::Zero);
        }
        // Subnormal: Rust decodes it as `(frac << 1) · 2^-shift`, neighbours 2 apart.
        return Ok(Decoded { mant: frac << 1, minus: 1, plus: 1, exp: -shift, inclusive: true });
    }
    let mant = frac | (1u64 << fb);
    let exp = biased as i32 - shift;
    let inclusive = mant & 1 == 0;
    Ok(if frac == 0 {
        // A power of two: the neighbour below is half as far as the one above (Rust assumes
        // so at the smallest normal too, where it is not; the interval is then a little narrow).
        Decoded { mant: mant << 2, minus: 1, plus: 2, exp: exp - 2, inclusive }
    } else {
        Decoded { mant: mant << 1, minus: 1, plus: 1, exp: exp - 1, inclusive }
    })
}

/// The shortest digits in the rounding interval of `d`, closest to the value (Dragon4, as
/// `core::num::flt2dec::strategy::dragon::format_shortest`): writes them to `buf` and returns
/// their count `n` and the exponent `k` with value `0.d₁…dₙ × 10^k`.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
fn shortest(d: &Decoded, buf: &mut [u8; MAX_DIGITS]) -> (usize, i16) {
    // `a < b`, or `a <= b` when the bounds are included.
    let below = |a: &Big, b: &Big| match a.cmp(b) {
        Ordering::Less => true,
        Ordering::Equal => d.inclusive,
        Ordering::Greater => false,
    };
    // An estimate of `k` with `10^(k-1) < high <= 10^(k+1)`: floor(bits(high) · log10 2), from
    // `core::num::flt2dec::estimator`, exact or one low.
    let high = d.mant + d.plus;
    let nbits = 64 - i64::from((high - 1).leading_zeros());
    let mut k = (((nbits + i64::from(d.exp)) * 1_292_913_986) >> 32) as i32;

    // v = mant / scale, low = (mant - minus) / scale, high = (mant + plus) / scale.
    let [mut mant, mut minus, mut plus, mut scale] = [d.mant, d.minus, d.plus, 1].map(Big::from);
    if d.exp < 0 {
        scale.mul_pow2(d.exp.unsigned_abs());
    } else {
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_pow2(d.exp as u32);
        }
    }
    // Divide by 10^k: now scale / 10 < mant + plus <= scale · 10.
    if k >= 0 {
        scale.mul_pow10(k as u32);
    } else {
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_pow10(k.unsigned_abs());
        }
    }
    // Fix the estimate: scale < mant + plus <= scale · 10.
    if below(&scale, &mant.sum(&plus)) {
        k += 1;
    } else {
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_small(10);
        }
    }

    let mut n = 0;
    let (mut down, mut up);
    loop {
        // The next digit: floor(mant / scale) < 10, by subtraction.
        let mut digit = 0;
        while mant.cmp(&scale) != Ordering::Less {
            mant.sub(&scale);
            digit += 1;
        }
        buf[n] = b'0' + digit;
        n += 1;
        // Stop when the digits so far (`down`), or with the last one raised (`up`), are inside
        // the interval; the invariants are Rust's (see dragon.rs).
        down = below(&mant, &minus);
        up = below(&scale, &mant.sum(&plus));
        if down || up || n == MAX_DIGITS {
            break;
        }
        for b in [&mut mant, &mut minus, &mut plus] {
            b.mul_small(10);
        }
    }
    // Round up when only `up` holds, or both do and the rest is at least half a digit.
    if up && (!down || mant.sum(&mant).cmp(&scale) != Ordering::Less) {
        match buf[..n].iter().rposition(|&c| c != b'9') {
            Some(i) => {
                buf[i] += 1;
                buf[i + 1..n].fill(b'0');
            }
            None => {
                // 9…9 + 1: one more digit and a larger exponent (as Rust does; not seen in practice).
                buf[0] = b'1';
                buf[1..n].fill(b'0');
                if n < MAX_DIGITS {
                    buf[n] = b'0';
                    n += 1;
                }
                k += 1;
            }
        }
    }
    (n, k as i16)
}

impl fmt::Display for JsNumber {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.neg && self.kind != Kind::Nan {
            f.write_str("-")?;
        }
        let digits = &self.digits[..usize::from(self.len)];
        let zeros = |f: &mut fmt::Formatter<'_>, n: usize| (0..n).try_for_each(|_| f.write_str("0"));
        // The digits are ASCII, so `from_utf8` cannot fail.
        let text = |f: &mut fmt::Formatter<'_>, d: &[u8]| f.write_str(core::str::from_utf8(d).unwrap_or("?"));
        match self.kind {
            Kind::Nan => f.write_str("NaN"),
            Kind::Infinite => f.write_str("Infinity"),
            Kind::Zero => f.write_str("0"),
            Kind::Finite => {
                let exp = i32::from(self.exp);
                if exp <= 0 {
                    // 0.000ddd
                    f.write_str("0.")?;
                    zeros(f, exp.unsigned_abs() as usize)?;
                    text(f, digits)
                } else if (exp as usize) < digits.len() {
                    // dd.ddd
                    text(f, &digits[..exp as usize])?;
                    f.write_str(".")?;
                    text(f, &digits[exp as usize..])
                } else {
                    // ddd000
                    text(f, digits)?;
                    zeros(f, exp as usize - digits.len())
                }
            }
        }
    }
}

impl fmt::Debug for JsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `[a, b, c]` with each value through [`js_number`] (for messages that show a list of floats).
pub fn js_numbers<T: Float>(values: &[T]) -> JsNumbers<'_, T> {
    JsNumbers(values)
}

/// See [`js_numbers`].
pub struct JsNumbers<'a, T>(&'a [T]);

impl<T: Float> fmt::Display for JsNumbers<'_, T> {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, &v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            fmt::Display::fmt(&js_number(v), f)?;
        }
        f.write_str("]")
    }
}

/// Limbs of [`Big`]: 1280 bits. The largest number `shortest` builds is below 2^1090 (an
/// `f64` subnormal: 2^1075 for the scale, times 10 and the factor 8 of the digit loop's
/// bounds), so nothing carries out of the top limb.
const LIMBS: usize = 40;

/// An unsigned integer of `LIMBS` 32-bit limbs, least significant first; the limbs from `len`
/// on are zero (so the loops touch only the few limbs an `f32` needs).
#[derive(Clone)]
struct Big {
    d: [u32; LIMBS],
    len: usize,
}

impl Big {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn from(v: u64) -> Big {
        let mut d = [0; LIMBS];
        (d[0], d[1]) = (v as u32, (v >> 32) as u32);
        Big { d, len: 2 }
    }

    /// Appends a carry out of the used limbs.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn carry(&mut self, carry: u64) {
        if carry != 0 && self.len < LIMBS {
            self.d[self.len] = carry as u32;
            self.len += 1;
        }
        debug_assert!(carry >> 32 == 0 && (carry == 0 || self.d[self.len - 1] == carry as u32));
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for x in &mut self.d[..self.len] {
            let t = u64::from(*x) * u64::from(m) + carry;
            *x = t as u32;
            carry = t >> 32;
        }
        self.carry(carry);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn mul_pow2(&mut self, n: u32) {
        let (limbs, bits) = ((n / 32) as usize, n % 32);
        let len = (self.len + limbs + 1).min(LIMBS);
        debug_assert!(self.len + limbs < LIMBS);
        for i in (0..len).rev() {
            let hi = if i >= limbs { self.d[i - limbs] } else { 0 };
            let lo = if i > limbs { self.d[i - limbs - 1] } else { 0 };
            self.d[i] = if bits == 0 { hi } else { (hi << bits) | (lo >> (32 - bits)) };
        }
        self.len = len;
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n));
    }

    /// `self + o`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn sum(&self, o: &Big) -> Big {
        let mut s = self.clone();
        s.len = self.len.max(o.len);
        let mut carry = 0u64;
        for (x, &y) in s.d[..s.len].iter_mut().zip(&o.d) {
            let t = u64::from(*x) + u64::from(y) + carry;
            *x = t as u32;
            carry = t >> 32;
        }
        s.carry(carry);
        s
    }

    /// `self -= o`, for `self >= o`.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn sub(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for (x, &y) in self.d[..self.len].iter_mut().zip(&o.d) {
            let t = i64::from(*x) - i64::from(y) - borrow;
            *x = t as u32;
            borrow = i64::from(t < 0);
        }
        debug_assert_eq!(borrow, 0);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    fn cmp(&self, o: &Big) -> Ordering {
        let n = self.len.max(o.len);
        self.d[..n].iter().rev().cmp(o.d[..n].iter().rev())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Rust's `Display` prints, with JS's names for the non-finite values.
    fn rust32(v: f32) -> String {
        if v.is_infinite() {
            return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
        }
        if v.is_nan() { "NaN".into() } else { format!("{v}") }
    }

    fn rust64(v: f64) -> String {
        if v.is_infinite() {
            return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
        }
        if v.is_nan() { "NaN".into() } else { format!("{v}") }
    }

    fn check32(v: f32) {
        assert_eq!(js_number(v).to_string(), rust32(v), "f32 bits {:#010x}", v.to_bits());
    }

    fn check64(v: f64) {
        assert_eq!(js_number(v).to_string(), rust64(v), "f64 bits {:#018x}", v.to_bits());
    }

    /// xorshift64: a fixed sequence of bit patterns.
    fn xorshift(mut s: u64) -> impl FnMut() -> u64 {
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        }
    }

    #[test]
    fn hand_checked_values() {
        for (v, want) in [
            (0.1f32, "0.1"),
            (1e-7, "0.0000001"),
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0 / 3.0, "0.33333334"),
            (16777216.0, "16777216"),
            (1e10, "10000000000"),
            (f32::MAX, "340282350000000000000000000000000000000"),
            (f32::INFINITY, "Infinity"),
            (f32::NEG_INFINITY, "-Infinity"),
            (f32::NAN, "NaN"),
            (-f32::NAN, "NaN"),
        ] {
            assert_eq!(js_number(v).to_string(), want);
        }
        assert_eq!(js_number(0.1f64).to_string(), "0.1");
        assert_eq!(js_number(0.1f32 as f64).to_string(), "0.10000000149011612");
        assert_eq!(js_number(f64::MIN_POSITIVE * f64::EPSILON).to_string().len(), "0.".len() + 323 + 1);
        assert_eq!(js_numbers(&[1.5f32, f32::NAN, -0.25]).to_string(), "[1.5, NaN, -0.25]");
        assert_eq!(js_numbers::<f32>(&[]).to_string(), "[]");
    }

    #[test]
    fn f32_powers_extremes_and_subnormals_match_display() {
        for e in -149..=127 {
            let p = 2f32.powi(e);
            for v in [p, -p, p * 1.5, f32::from_bits(p.to_bits() + 1), f32::from_bits(p.to_bits().saturating_sub(1))] {
                check32(v);
            }
        }
        for e in -45..=38 {
            let t: f32 = format!("1e{e}").parse().unwrap();
            for v in [t, -t, f32::from_bits(t.to_bits() + 1), f32::from_bits(t.to_bits() - 1), t * 3.0, t * 7.0] {
                check32(v);
            }
        }
        for bits in (1..2000).chain(0x007f_f000..0x0080_1000) {
            check32(f32::from_bits(bits));
        }
        for v in [f32::MAX, f32::MIN, f32::MIN_POSITIVE, f32::EPSILON, 0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            check32(v);
        }
        // Integers where the bounds of the interval are themselves short decimals.
        for i in (1u32 << 24)..(1u32 << 24) + 4000 {
            check32(i as f32);
            check32((i * 37) as f32);
        }
    }

    #[test]
    fn f32_random_bit_patterns_match_display() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..1_000_000 {
            check32(f32::from_bits(next() as u32));
        }
    }

    #[test]
    fn f64_matches_display() {
        for e in -1074..=1023 {
            let p = 2f64.powi(e);
            for v in [p, -p, p * 1.5, f64::from_bits(p.to_bits() + 1), f64::from_bits(p.to_bits().saturating_sub(1))] {
                check64(v);
            }
        }
        for e in -324..=308 {
            let t: f64 = format!("1e{e}").parse().unwrap();
            for v in [t, f64::from_bits(t.to_bits() + 1), f64::from_bits(t.to_bits().saturating_sub(1))] {
                check64(v);
            }
        }
        for v in [f64::MAX, f64::MIN, f64::MIN_POSITIVE, f64::EPSILON, 0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 0.1, 1e21, 1e-7] {
            check64(v);
        }
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..100_000 {
            check64(f64::from_bits(next()));
            // f32 values widened, as JS hands them back.
            check64(f64::from(f32::from_bits(next() as u32)));
        }
    }

    /// Every f32, on every core: `cargo test --release -p neurite-core every_f32 -- --ignored`
    /// (about 0.7 µs per value: ~50 core-minutes). Run it when this file changes;
    /// `NEURITE_F32_STRIDE=k` checks every k-th bit pattern only.
    #[test]
    #[ignore]
    fn every_f32_matches_display() {
        let stride: u64 = std::env::var("NEURITE_F32_STRIDE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        std::thread::scope(|s| {
            for t in 0..threads {
                s.spawn(move || {
                    let mut bits = t * stride;
                    while bits <= u64::from(u32::MAX) {
                        check32(f32::from_bits(bits as u32));
                        bits += threads * stride;
                    }
                });
            }
        });
    }
}
