/** The fuzzer's seeded PRNG (mulberry32, as test/rng.ts) with the draws the generators need. */

export class Rng {
  /** @param {number} seed */
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float() {
    return this.u32() / 4294967296;
  }

  /** An integer in [lo, hi] (both included). */
  int(lo, hi) {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p) {
    return this.float() < p;
  }

  /** One element of `list`. */
  pick(list) {
    return list[Math.floor(this.float() * list.length)];
  }

  /** One key of `weights` ({ key: weight }), chosen with probability proportional to its weight. */
  weighted(weights) {
    const entries = Object.entries(weights);
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.float() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return entries[entries.length - 1][0];
  }

  /** Uniform in [lo, hi), rounded to float32. */
  uniform(lo, hi) {
    return Math.fround(lo + (hi - lo) * this.float());
  }

  /** A copy of `list` in random order. */
  shuffle(list) {
    const a = list.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}
