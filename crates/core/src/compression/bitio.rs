//! MSB-first bit writer and reader over byte buffers, with a 64-bit accumulator.
//!
//! The reader never panics: reading past the end yields zero bits and counts the overrun,
//! which the caller turns into a "truncated" error ([`BitReader::overrun`]).

/// Appends bits, most significant first.
pub struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    /// Bits held in `acc` (< 32 between calls).
    n: u32,
}

impl BitWriter {
    pub fn new(out: Vec<u8>) -> Self {
        Self { out, acc: 0, n: 0 }
    }

    /// Writes the low `len` bits of `code` (`len <= 32`).
    #[inline]
    pub fn put(&mut self, code: u32, len: u32) {
        debug_assert!(len <= 32);
        self.acc = (self.acc << len) | u64::from(code) & ((1u64 << len) - 1);
        self.n += len;
        if self.n >= 32 {
            self.n -= 32;
            let word = (self.acc >> self.n) as u32;
            self.out.extend_from_slice(&word.to_be_bytes());
        }
    }

    /// Pads the last byte with zero bits and returns the buffer.
    pub fn finish(mut self) -> Vec<u8> {
        while self.n >= 8 {
            self.n -= 8;
            self.out.push((self.acc >> self.n) as u8);
        }
        if self.n > 0 {
            self.out.push((self.acc << (8 - self.n)) as u8);
        }
        self.out
    }

    /// Bytes written so far (whole 32-bit words only).
    pub fn bytes_so_far(&self) -> usize {
        self.out.len()
    }
}

/// Reads bits, most significant first.
pub struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    /// Valid bits at the top of `acc`.
    n: u32,
    /// Zero bytes supplied past the end.
    over: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0, acc: 0, n: 0, over: 0 }
    }

    /// Tops the accumulator up to at least 57 bits.
    #[inline]
    pub fn refill(&mut self) {
        if let Some(chunk) = self.data.get(self.pos..self.pos + 8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            // Loads 8 bytes at bit position `n`; bits beyond the whole bytes counted are the
            // stream's next bits, which the next refill ORs in again unchanged.
            self.acc |= u64::from_be_bytes(b) >> self.n;
            let take = (63 - self.n) >> 3;
            self.pos += take as usize;
            self.n += 8 * take;
            return;
        }
        while self.n <= 56 {
            let byte = match self.data.get(self.pos) {
                Some(&b) => {
                    self.pos += 1;
                    b
                }
                None => {
                    self.over += 1;
                    0
                }
            };
            self.acc |= u64::from(byte) << (56 - self.n);
            self.n += 8;
        }
    }

    /// The next `len` bits (`1..=32`) without consuming them; call [`refill`] first.
    #[inline]
    pub fn peek(&self, len: u32) -> u32 {
        (self.acc >> (64 - len)) as u32
    }

    #[inline]
    pub fn consume(&mut self, len: u32) {
        self.acc <<= len;
        self.n -= len;
    }

    /// Bits available without refilling.
    #[inline]
    pub fn available(&self) -> u32 {
        self.n
    }

    /// Reads `len` bits (`0..=32`).
    #[inline]
    pub fn get(&mut self, len: u32) -> u32 {
        if len == 0 {
            return 0;
        }
        if self.n < len {
            self.refill();
        }
        let v = self.peek(len);
        self.consume(len);
        v
    }

    /// Bits consumed so far (including zero bits past the end).
    pub fn consumed_bits(&self) -> u64 {
        (self.pos + self.over) as u64 * 8 - u64::from(self.n)
    }

    /// Fails if whole bytes remain after the last code (the stream carries trailing data), or
    /// if the bits padding the last byte are not zeros, as the writer leaves them (a header
    /// claiming fewer bytes than the codes hold).
    #[inline(never)]
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn check_end(&self, op: &'static str, n: usize) -> crate::Result<()> {
        let total = self.data.len() as u64 * 8;
        let used = self.consumed_bits();
        if used + 8 <= total {
            return Err(crate::Error::invalid(op, format!("{} trailing bytes after the codes of the {n} bytes the header claims", (total - used) / 8)));
        }
        let pad = total.saturating_sub(used) as u32;
        if pad > 0 && self.data.last().is_some_and(|&b| u32::from(b) & ((1 << pad) - 1) != 0) {
            return Err(crate::Error::invalid(op, format!("the {pad} bits after the codes of the {n} bytes the header claims are not zero padding: the header's length or the codes are corrupt")));
        }
        Ok(())
    }

    /// True when bits past the end of the data were consumed (the stream is truncated).
    pub fn overrun(&self) -> bool {
        // Zero bytes loaded into the accumulator but not consumed do not count.
        let loaded_beyond = self.over as u64 * 8;
        loaded_beyond > u64::from(self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        let mut w = BitWriter::new(Vec::new());
        let items: Vec<(u32, u32)> = (0..1000u32).map(|i| (i.wrapping_mul(2654435761) >> (32 - (i % 32 + 1)), i % 32 + 1)).collect();
        for &(c, l) in &items {
            w.put(c, l);
        }
        let bytes = w.finish();
        let mut r = BitReader::new(&bytes);
        for &(c, l) in &items {
            assert_eq!(r.get(l), c & ((1u64 << l) - 1) as u32);
        }
        assert!(!r.overrun());
        r.get(32);
        assert!(r.overrun());
    }
}
