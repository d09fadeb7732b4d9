/**
 * The seeds and the generator behind `Dataset.shuffle` (and `util.shuffle`). neurite is
 * deterministic: every random choice comes from a seed, and a shuffle without one draws its
 * seed from the global generator (`setSeed`, `ops/random.ts`), so the same program gives the
 * same order on every run (TF.js seeds an unseeded shuffle from the clock).
 *
 * This module reads the seed (`shuffle()` checks it synchronously) and holds the generator
 * ({@link uniform}); the pass that draws from it is in `stages.ts`, in the dataset chunk (see
 * `lazy.ts`).
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';

/** A 32-bit finalizer (lowbias32): mixes every input bit into every output bit. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** The 32-bit FNV-1a hash of `text`'s UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A 32-bit seed from a shuffle seed: a non-negative integer (up to 2^53), or a string (TF.js's
 * seeds are strings; hashed with FNV-1a).
 */
export function seedOf(op: string, seed: unknown): number {
  if (typeof seed === 'string') return fnv1a(seed);
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
    throw new InvalidArgumentError(`${op}: seed must be a non-negative integer or a string, got ${describe(seed)}`);
  }
  return (seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32));
}

/** Fisher–Yates over `n` places: calls `swap(i, j)` for i = n−1 … 1, with j uniform in [0, i]. */
export function fisherYates(n: number, random: () => number, swap: (i: number, j: number) => void): void {
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    if (j !== i) swap(i, j);
  }
}

/**
 * A uniform generator on [0, 1) with 32 random bits per draw (a SplitMix-style counter through
 * {@link mix32}), from a 32-bit seed (see {@link seedOf}).
 */
export function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    return mix32(s) / 2 ** 32;
  };
}
