// Seeded random tensors: known answers (Random123 vectors and an independent JS Philox),
// reproducibility, prefix stability, statistics, the global generator and validation.
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

/** Philox4x32-10 written independently from the paper (BigInt products), for cross-checks. */
function philox(ctr: number[], key: number[]): number[] {
  let c = ctr.map(BigInt);
  let k = key.map(BigInt);
  const M = 0xffffffffn;
  for (let round = 0; round < 10; round++) {
    if (round > 0) k = [(k[0] + 0x9e3779b9n) & M, (k[1] + 0xbb67ae85n) & M];
    const p0 = 0xd2511f53n * c[0];
    const p1 = 0xcd9e8d57n * c[2];
    c = [(p1 >> 32n) ^ c[1] ^ k[0], p1 & M, (p0 >> 32n) ^ c[3] ^ k[1], p0 & M];
  }
  return c.map(Number);
}

/** Uniform value `i` of `(seed, stream)` as the core defines it: `(u >> 8) · 2⁻²⁴`. */
function refUniform(seed: number, stream: number, i: number): number {
  const key = [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
  const block = Math.floor(i / 4);
  return (philox([block % 2 ** 32, Math.floor(block / 2 ** 32), stream, 0], key)[i % 4] >>> 8) / 2 ** 24;
}

function values(t: nr.Tensor): number[] {
  const v = Array.from(t.data());
  t.dispose();
  return v;
}

function stats(v: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(q / v.length) };
}

afterEach(() => nr.setSeed(0));

describe('known answers', () => {
  it('the JS reference reproduces the Random123 philox4x32_10 vectors', () => {
    expect(philox([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))
      .toEqual([0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
  });

  it('randomUniform with seed 0 is the counter-0 Philox block, bit for bit', () => {
    const got = values(nr.randomUniform([4], { seed: 0 }));
    expect(got).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8].map((u) => (u >>> 8) / 2 ** 24));
  });

  it('matches the JS reference for large seeds (both key words) and many blocks', () => {
    for (const seed of [1, 2 ** 32, 2 ** 32 + 5, 2 ** 53, 123456789012345]) {
      const got = values(nr.randomUniform([37], { seed }));
      expect(got).toEqual(Array.from({ length: 37 }, (_, i) => refUniform(seed, 0, i)));
    }
  });

  it('normals follow Box–Muller on the same bits', () => {
    const z = values(nr.randomNormal([2], { seed: 0 }));
    const [a, b] = [0x6627e8d5, 0xe169c58d];
    const u1 = ((a >>> 8) + 1) / 2 ** 24;
    const theta = 2 * Math.PI * ((b >>> 8) / 2 ** 24);
    const r = Math.sqrt(-2 * Math.log(u1));
    expect(z[0]).toBeCloseTo(r * Math.cos(theta), 5);
    expect(z[1]).toBeCloseTo(r * Math.sin(theta), 5);
  });
});

describe('reproducibility', () => {
  it("a null seed is no seed, as TF.js's (tfjs-examples' multinomial(logits, 1, null, true)): the global generator's next draw", () => {
    const draws = (seed: null | undefined): number[][] => {
      nr.setSeed(42);
      return nr.tidy(() => [
        nr.multinomial(nr.tensor([[0, 1, 2]]), 4, seed as never, true),
        nr.randomNormal([3], 0, 1, 'float32', seed as never),
        nr.randomUniform([3], { seed: seed as never }),
        nr.truncatedNormal([3], 0, 1, 'float32', seed as never),
        nr.dropout(nr.ones([6]), 0.5, undefined, seed as never),
      ].map((t) => Array.from(t.dataSync())));
    };
    const [a, b] = [draws(null), draws(undefined)];
    a.forEach((v, i) => expect(v, `draw ${i}`).toEqual(b[i]));
    expect(() => nr.setSeed(null as never)).toThrow(/^setSeed: seed must be an integer between 0 and 2\^53, got null$/);
  });

  it("randomUniform takes TF.js's and Keras's minval and maxval as min and max", () => {
    expect(values(nr.randomUniform([40], { minval: -3, maxval: 3, seed: 5 }))).toEqual(values(nr.randomUniform([40], { min: -3, max: 3, seed: 5 })));
    expect(values(nr.randomUniform([4], { maxval: 0.5, seed: 5 }))).toEqual(values(nr.randomUniform([4], { max: 0.5, seed: 5 })));
    expect(() => nr.randomUniform([2], { min: 0, minval: 1 })).toThrow(/^randomUniform: min and minval are two names of one option; give one$/);
    expect(() => nr.randomUniform([2], { maxval: NaN })).toThrow(/^randomUniform: maxval must be a finite number within float32 range, got NaN$/);
  });

  it('same seed → same bits; different seed → different values', () => {
    for (const f of [nr.randomUniform, nr.randomNormal, nr.truncatedNormal] as Array<(shape: number[], o: { seed: number }) => nr.Tensor>) {
      const a = values(f([3, 50], { seed: 42 }));
      const b = values(f([3, 50], { seed: 42 }));
      const c = values(f([3, 50], { seed: 43 }));
      expect(new Uint32Array(new Float32Array(a).buffer)).toEqual(new Uint32Array(new Float32Array(b).buffer));
      expect(a.filter((x, i) => x === c[i]).length).toBe(0);
    }
  });

  it('element i depends only on (seed, i): prefixes and reshapes agree', () => {
    for (const f of [nr.randomUniform, nr.randomNormal, nr.truncatedNormal] as Array<(shape: number[], o: { seed: number }) => nr.Tensor>) {
      const whole = values(f([1000], { seed: 9 }));
      for (const k of [1, 3, 4, 5, 37, 999]) expect(values(f([k], { seed: 9 }))).toEqual(whole.slice(0, k));
      expect(values(f([10, 10, 10], { seed: 9 }))).toEqual(whole);
    }
  });

  it('scalar and empty shapes', () => {
    const s = nr.randomNormal([], { seed: 1 });
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(values(nr.randomNormal([1], { seed: 1 }))[0]);
    s.dispose();
    const e = nr.randomUniform([0, 5], { seed: 1 });
    expect(e.shape).toEqual([0, 5]);
    expect(e.data().length).toBe(0);
    e.dispose();
  });
});

describe('distributions (1e5 samples)', () => {
  const N = 100_000;

  it('randomUniform: in [min, max), mean and std of U(min, max)', () => {
    const v = values(nr.randomUniform([N], { min: -3, max: 5, seed: 11 }));
    expect(v.every((x) => x >= -3 && x < 5)).toBe(true);
    const { mean, std } = stats(v);
    expect(Math.abs(mean - 1)).toBeLessThan(0.04); // standard error 0.0073
    expect(Math.abs(std - 8 / Math.sqrt(12))).toBeLessThan(0.03);
  });

  it('randomNormal: mean and stddev', () => {
    const v = values(nr.randomNormal([N], { mean: -2, stddev: 3, seed: 12 }));
    const { mean, std } = stats(v);
    expect(Math.abs(mean + 2)).toBeLessThan(0.05); // standard error 0.0095
    expect(Math.abs(std - 3)).toBeLessThan(0.05);
  });

  it('truncatedNormal: within mean ± 2·stddev, std of the truncated law', () => {
    const v = values(nr.truncatedNormal([N], { mean: 1, stddev: 0.5, seed: 13 }));
    expect(v.reduce((m, x) => Math.min(m, x), Infinity)).toBeGreaterThanOrEqual(0);
    expect(v.reduce((m, x) => Math.max(m, x), -Infinity)).toBeLessThanOrEqual(2);
    const { mean, std } = stats(v);
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(std - 0.5 * 0.8796)).toBeLessThan(0.01); // N(0,1) on [-2, 2] has std 0.8796
  });

  it('stddev 0 gives the mean exactly', () => {
    expect(values(nr.randomNormal([3], { mean: 2.5, stddev: 0, seed: 1 }))).toEqual([2.5, 2.5, 2.5]);
  });
});

describe('the global generator', () => {
  it('starts from seed 0 and setSeed restarts it', () => {
    nr.setSeed(7);
    const a = values(nr.randomNormal([8]));
    const b = values(nr.randomNormal([8]));
    expect(a).not.toEqual(b);
    nr.setSeed(7);
    expect(values(nr.randomNormal([8]))).toEqual(a);
    expect(values(nr.randomNormal([8]))).toEqual(b);
    // Unseeded calls never repeat the values of an explicit seed.
    expect(values(nr.randomNormal([8], { seed: 7 }))).not.toEqual(a);
    nr.setSeed(8);
    expect(values(nr.randomNormal([8]))).not.toEqual(a);
  });

  it('explicit seeds do not advance it', () => {
    nr.setSeed(3);
    const a = values(nr.randomUniform([4]));
    nr.setSeed(3);
    values(nr.randomUniform([4], { seed: 99 }));
    expect(values(nr.randomUniform([4]))).toEqual(a);
  });
});

describe('validation', () => {
  it('rejects bad options, naming the op, option and value', () => {
    expectNoLeak(() => {
      const bad: Array<[() => unknown, RegExp]> = [
        [() => nr.randomUniform([2], { min: 1, max: 1 }), /^randomUniform: min \(1\) must be less than max \(1\)$/],
        [() => nr.randomUniform([2], { min: 2 }), /randomUniform: min \(2\) must be less than max \(1\)/],
        [() => nr.randomUniform([2], { max: NaN }), /randomUniform: max must be a finite number within float32 range, got NaN/],
        [() => nr.randomUniform([2], { max: 1e39 }), /randomUniform: max must be a finite number .* got 1e\+39/],
        [() => nr.randomNormal([2], { stddev: -1 }), /^randomNormal: stddev must be >= 0, got -1$/],
        [() => nr.randomNormal([2], { mean: Infinity }), /randomNormal: mean must be a finite number .* got Infinity/],
        [() => nr.truncatedNormal([2], { stddev: '1' as never }), /truncatedNormal: stddev must be a finite number .* got the string "1"/],
        [() => nr.randomNormal([2], { seed: -1 }), /^randomNormal: seed must be an integer between 0 and 2\^53, got -1$/],
        [() => nr.randomNormal([2], { seed: 1.5 }), /seed must be an integer between 0 and 2\^53, got 1.5/],
        [() => nr.randomNormal([2], { seed: 2 ** 53 + 2 }), /seed must be an integer between 0 and 2\^53, got 9007199254740994/],
        [() => nr.randomNormal([2], { std: 2 } as never), /randomNormal: unknown option 'std' — did you mean 'stddev'\? \(known: mean, stddev, seed\)/],
        [() => nr.randomUniform([2], null as never), /randomUniform: options must be an object, got null/],
        [() => nr.randomUniform([2, -1]), /randomUniform: shape\[1\] must be a non-negative integer, got -1/],
        [() => nr.setSeed(-3), /^setSeed: seed must be an integer between 0 and 2\^53, got -3$/],
      ];
      for (const [f, re] of bad) {
        let err: unknown;
        try { f(); } catch (e) { err = e; }
        expect(err, String(re)).toBeInstanceOf(nr.InvalidArgumentError);
        expect((err as Error).message).toMatch(re);
      }
    });
  });

  it('an absurd shape is an OutOfMemoryError, not a trap', () => {
    expect(() => nr.randomNormal([65536, 65536, 4], { seed: 1 })).toThrow(nr.OutOfMemoryError);
    expect(nr.randomNormal([2], { seed: 1 }).dispose()).toBeUndefined();
  });
});

describe('cost', () => {
  it('1e6 normals are fast', () => {
    const t0 = performance.now();
    const t = nr.randomNormal([1_000_000], { seed: 5 });
    const ms = performance.now() - t0;
    t.dispose();
    console.log(`randomNormal 1e6: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
  });
});
