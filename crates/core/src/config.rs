//! Reading layer, activation and training configurations from the flat `f32` parameter lists
//! that cross the C ABI. Each config's `from_abi` documents its layout; this cursor gives
//! every read a name, so a malformed list becomes an error that names the missing field.

use crate::activations::Activation;
use crate::initializers::{Initializer, WeightInit};
use crate::regularizers::Regularizer;
use crate::{bail, Result};
use crate::error::js_number;

/// A cursor over ABI parameters.
pub struct Reader<'a> {
    op: &'static str,
    p: &'a [f32],
    at: usize,
}

impl<'a> Reader<'a> {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(op: &'static str, p: &'a [f32]) -> Reader<'a> {
        Reader { op, p, at: 0 }
    }

    /// The operation named in this reader's errors.
    pub fn op(&self) -> &'static str {
        self.op
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn f32(&mut self, field: &str) -> Result<f32> {
        let Some(&v) = self.p.get(self.at) else {
            bail!(self.op, "config is missing `{field}` (parameter {})", self.at);
        };
        self.at += 1;
        Ok(v)
    }

    /// A finite number.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn finite(&mut self, field: &str) -> Result<f32> {
        let v = self.f32(field)?;
        if !v.is_finite() {
            bail!(self.op, "`{field}` must be a finite number, got {v}", v = js_number(v));
        }
        Ok(v)
    }

    /// A non-negative integer below 2^24 (exact in f32).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn usize(&mut self, field: &str) -> Result<usize> {
        let v = self.f32(field)?;
        if !(v >= 0.0 && v.fract() == 0.0 && v < 16_777_216.0) {
            bail!(self.op, "`{field}` must be a non-negative integer, got {v}", v = js_number(v));
        }
        Ok(v as usize)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn bool(&mut self, field: &str) -> Result<bool> {
        Ok(self.f32(field)? != 0.0)
    }

    /// `[kind, n, p0..pn)` → an activation.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn activation(&mut self) -> Result<Activation> {
        let kind = self.usize("activation")? as u32;
        let n = self.usize("activation parameter count")?;
        let params = self.slice(n, "activation parameters")?;
        Activation::from_abi(kind, params)
    }

    /// `[kind, p0, p1]` → an initializer; `[kind + SEEDED, p0, p1, s0, s1, s2]` one with its
    /// own seed `s0 + s1·2²² + s2·2⁴⁴` (22-bit words, exact in f32; see [`WeightInit`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn initializer(&mut self, field: &str) -> Result<WeightInit> {
        let kind = self.usize(field)? as u32;
        let p = self.slice(2, field)?;
        let seeded = kind & WeightInit::SEEDED != 0;
        let kind = Initializer::from_abi(kind & !WeightInit::SEEDED, p)?;
        if !seeded {
            return Ok(kind.into());
        }
        let words = self.slice(3, field)?;
        let mut seed = 0u64;
        for (i, &w) in words.iter().enumerate() {
            // 22, 22 and 20 bits: integers exact in f32.
            if !(w >= 0.0 && w.fract() == 0.0 && w < (1u32 << (22 - 2 * (i as u32 / 2))) as f32) {
                bail!(self.op, "`{field}` has a malformed seed (words of 22, 22 and 20 bits), got {}", js_number(w));
            }
            seed |= (w as u64) << (22 * i);
        }
        Ok(WeightInit { kind, seed: Some(seed) })
    }

    /// `[l1, l2]` → an optional regularizer.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn regularizer(&mut self) -> Result<Option<Regularizer>> {
        let l1 = self.f32("l1")?;
        let l2 = self.f32("l2")?;
        Regularizer::from_abi(l1, l2)
    }

    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn slice(&mut self, n: usize, field: &str) -> Result<&'a [f32]> {
        if self.at + n > self.p.len() {
            bail!(self.op, "config is missing `{field}` ({n} parameters at {})", self.at);
        }
        let s = &self.p[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    /// The rest of the list.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn rest(&mut self) -> &'a [f32] {
        let s = &self.p[self.at.min(self.p.len())..];
        self.at = self.p.len();
        s
    }
}
