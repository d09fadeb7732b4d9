/**
 * Numeric limits of the core that the facade checks before calling, so that a bad option names
 * its range at once: the core's `compression::dct::LIMITS`, listed by the C ABI
 * (`nr_enum_name`'s `Limit` family) and compared with this table by test/codes.test.ts.
 */
export const LIMITS = {
  /** The largest block side of the 2-D DCT. */
  dct2dMaxBlock: 64,
  /** The longest block of the 1-D DCT (2^18). */
  dct1dMaxBlock: 262_144,
} as const;
