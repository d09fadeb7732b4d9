// The seeded PRNG of the examples (and of test/stress's browser page, which cannot import the
// `mnist` package that mnist.mjs reads).

/** A small, fast, seeded PRNG (mulberry32) for reproducible splits. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
