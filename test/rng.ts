/** Seeded random numbers for tests, so failures reproduce (mulberry32). */

/** The raw generator: 32-bit unsigned integers. */
function mulberry32u(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  const u = mulberry32u(seed);
  return () => u() / 4294967296;
}

/** `normals(seed)(n, scale)`: `n` standard normals times `scale` (Box–Muller). */
export function normals(seed: number): (n: number, scale?: number) => Float32Array {
  const raw = mulberry32u(seed);
  const u = () => (raw() + 0.5) / 4294967296;
  return (n, scale = 1) => Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}
