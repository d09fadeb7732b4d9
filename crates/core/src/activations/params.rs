//! The parameters of the activations: how each is validated when it arrives over the ABI.
//! The table itself is [`Activation::PARAMS`](super::Activation::PARAMS).

use crate::{bail, Result};
use crate::error::js_number;

/// How a parameter is validated by [`Activation::from_abi`](super::Activation::from_abi).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamCheck {
    /// Any finite number.
    Finite,
    /// A finite number `> 0`.
    Positive,
    /// A finite number `≥ 0`.
    NonNegative,
    /// A finite number in `[0, 1]`.
    UnitInterval,
    /// A finite number in `[-1, 1]`.
    SignedUnitInterval,
    /// `0` (false) or `1` (true).
    Flag,
}

/// One parameter of an activation: its public (TS) name, its default and its check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub default: f32,
    pub check: ParamCheck,
}

pub(crate) const fn p(name: &'static str, default: f32, check: ParamCheck) -> ParamSpec {
    ParamSpec { name, default, check }
}

pub(crate) const ST: ParamSpec = p("straightThrough", 0.0, ParamCheck::Flag);

/// Validates one parameter value against its check; the message names the activation, the
/// parameter and the value.
pub(crate) fn checked(op: &'static str, ps: &ParamSpec, v: f32) -> Result<f32> {
    let ok = v.is_finite()
        && match ps.check {
            ParamCheck::Finite => true,
            ParamCheck::Positive => v > 0.0,
            ParamCheck::NonNegative => v >= 0.0,
            ParamCheck::UnitInterval => (0.0..=1.0).contains(&v),
            ParamCheck::SignedUnitInterval => (-1.0..=1.0).contains(&v),
            ParamCheck::Flag => v == 0.0 || v == 1.0,
        };
    if !ok {
        let want = match ps.check {
            ParamCheck::Finite => "a finite number",
            ParamCheck::Positive => "a finite number > 0",
            ParamCheck::NonNegative => "a finite number >= 0",
            ParamCheck::UnitInterval => "a finite number in [0, 1]",
            ParamCheck::SignedUnitInterval => "a finite number in [-1, 1]",
            ParamCheck::Flag => "0 (false) or 1 (true)",
        };
        bail!(op, "{} must be {want}, got {v}", ps.name, v = js_number(v));
    }
    Ok(v)
}
