//! An adaptive binary range coder (the LZMA coder: 11-bit probabilities adapting by 1/32),
//! used by the wavelet image codec.
//!
//! The decoder never panics: bytes past the end read as zero and are counted, and the caller
//! turns an overrun into a "truncated" error ([`Decoder::overrun`]).

const PROB_BITS: u32 = 11;
const ONE: u16 = 1 << PROB_BITS;
const MOVE: u32 = 5;
const TOP: u32 = 1 << 24;

/// A probability that the next bit is 0 (`ONE / 2` = no idea yet).
pub const HALF: u16 = ONE / 2;

pub struct Encoder {
    low: u64,
    range: u32,
    cache: u8,
    cache_size: u64,
    pub out: Vec<u8>,
}

impl Encoder {
    pub fn new(out: Vec<u8>) -> Self {
        Self { low: 0, range: u32::MAX, cache: 0, cache_size: 1, out }
    }

    fn shift_low(&mut self) {
        if (self.low as u32) < 0xFF00_0000 || (self.low >> 32) != 0 {
            let carry = (self.low >> 32) as u8;
            let mut temp = self.cache;
            loop {
                self.out.push(temp.wrapping_add(carry));
                temp = 0xFF;
                self.cache_size -= 1;
                if self.cache_size == 0 {
                    break;
                }
            }
            self.cache = ((self.low >> 24) & 0xFF) as u8;
        }
        self.cache_size += 1;
        self.low = (self.low & 0x00FF_FFFF) << 8;
    }

    #[inline]
    pub fn bit(&mut self, p: &mut u16, bit: bool) {
        let bound = (self.range >> PROB_BITS) * u32::from(*p);
        if !bit {
            self.range = bound;
            *p += (ONE - *p) >> MOVE;
        } else {
            self.low += u64::from(bound);
            self.range -= bound;
            *p -= *p >> MOVE;
        }
        while self.range < TOP {
            self.range <<= 8;
            self.shift_low();
        }
    }

    /// Equiprobable bits (sign bits, escape payloads), MSB first.
    pub fn direct(&mut self, value: u32, bits: u32) {
        for i in (0..bits).rev() {
            self.range >>= 1;
            if (value >> i) & 1 == 1 {
                self.low += u64::from(self.range);
            }
            while self.range < TOP {
                self.range <<= 8;
                self.shift_low();
            }
        }
    }

    pub fn finish(mut self) -> Vec<u8> {
        for _ in 0..5 {
            self.shift_low();
        }
        self.out
    }
}

pub struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    range: u32,
    code: u32,
    over: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        let mut d = Decoder { data, pos: 0, range: u32::MAX, code: 0, over: 0 };
        for _ in 0..5 {
            d.code = (d.code << 8) | u32::from(d.byte());
        }
        d
    }

    #[inline]
    fn byte(&mut self) -> u8 {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => {
                self.over += 1;
                0
            }
        }
    }

    #[inline]
    pub fn bit(&mut self, p: &mut u16) -> bool {
        let bound = (self.range >> PROB_BITS) * u32::from(*p);
        let bit = if self.code < bound {
            self.range = bound;
            *p += (ONE - *p) >> MOVE;
            false
        } else {
            self.code -= bound;
            self.range -= bound;
            *p -= *p >> MOVE;
            true
        };
        while self.range < TOP {
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(self.byte());
        }
        bit
    }

    pub fn direct(&mut self, bits: u32) -> u32 {
        let mut v = 0;
        for _ in 0..bits {
            self.range >>= 1;
            let b = if self.code >= self.range {
                self.code -= self.range;
                1
            } else {
                0
            };
            v = (v << 1) | b;
            while self.range < TOP {
                self.range <<= 8;
                self.code = (self.code << 8) | u32::from(self.byte());
            }
        }
        v
    }

    /// True when the decoder read past the end of the data.
    pub fn overrun(&self) -> bool {
        self.over > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        let bits: Vec<bool> = (0..20_000u32).map(|i| (i.wrapping_mul(2654435761) >> 29) == 0).collect();
        let mut e = Encoder::new(Vec::new());
        let mut p = [HALF; 2];
        for (i, &b) in bits.iter().enumerate() {
            e.bit(&mut p[i % 2], b);
            e.direct(i as u32 & 7, 3);
        }
        let out = e.finish();
        let mut d = Decoder::new(&out);
        let mut p = [HALF; 2];
        for (i, &b) in bits.iter().enumerate() {
            assert_eq!(d.bit(&mut p[i % 2]), b);
            assert_eq!(d.direct(3), i as u32 & 7);
        }
        assert!(!d.overrun());
    }
}
