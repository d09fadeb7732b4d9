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

/**
 * The seed of stream `stream` of `seed` in `domain`: both words of `seed` (an integer in
 * [0, 2⁵³)) mixed with the stream, an integer in [0, 2⁵³). Domain 0 is the global generator's
 * draws (`drawSeed`, `ops/random.ts`); another domain gives other seeds for the same streams
 * (a nested model's parts: `Sequential`'s `nestedSeed`).
 */
export function mixSeed(seed: number, stream: number, domain = 0): number {
  const d = mix32(domain >>> 0);
  const lo = mix32(((seed % 2 ** 32) ^ mix32(((stream ^ d) + 0x9e3779b9) >>> 0)) >>> 0);
  const hi = mix32((Math.floor(seed / 2 ** 32) ^ mix32((lo ^ 0x85ebca6b) >>> 0) ^ stream ^ d) >>> 0);
  return (hi & 0x1fffff) * 2 ** 32 + lo;
}

/** The 32-bit FNV-1a hash of `text`'s UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A shuffle's 64-bit key: two 32-bit words, low first. */
export type ShuffleKey = readonly [number, number];

/**
 * A 64-bit hash of `text`'s UTF-16 code units: two multiplicative lanes, each mixed with the
 * other at the end (so strings that collide in one 32-bit lane still differ).
 */
function hash64(text: string): ShuffleKey {
  let a = 0x811c9dc5;
  let b = 0x6a09e667;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  const lo = mix32((a ^ mix32(b >>> 0)) >>> 0);
  return [lo, mix32((b ^ mix32((lo ^ 0x85ebca6b) >>> 0)) >>> 0)];
}

/**
 * The 64-bit key of a shuffle seed: a non-negative integer up to 2^53 (as the random ops'
 * seeds; two integers never share a key), or a string (TF.js's seeds are strings; hashed to 64
 * bits).
 */
export function seedOf(op: string, seed: unknown): ShuffleKey {
  if (typeof seed === 'string') return hash64(seed);
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 2 ** 53) {
    throw new InvalidArgumentError(`${op}: seed must be an integer between 0 and 2^53, or a string, got ${describe(seed)}`);
  }
  return [seed >>> 0, Math.floor(seed / 2 ** 32)];
}

/** The key of stream `n` (a pass, or a draw of the global generator) of `key`: one to one for each `n`. */
export function derive([lo, hi]: ShuffleKey, n: number): ShuffleKey {
  return [mix32((lo ^ mix32((n + 0x9e3779b9) >>> 0)) >>> 0), mix32((hi ^ mix32((n ^ 0x85ebca6b) >>> 0)) >>> 0)];
}

/** Fisher–Yates over `n` places: calls `swap(i, j)` for i = n−1 … 1, with j uniform in [0, i]. */
export function fisherYates(n: number, random: () => number, swap: (i: number, j: number) => void): void {
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    if (j !== i) swap(i, j);
  }
}

/**
 * A uniform generator on [0, 1) with 32 random bits per draw from a 64-bit key (see
 * {@link seedOf}): a SplitMix-style counter from the low word through {@link mix32}, each
 * draw mixed with the high word.
 */
export function uniform([lo, hi]: ShuffleKey): () => number {
  let s = lo >>> 0;
  const k = mix32((hi ^ 0x85ebca6b) >>> 0);
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    return mix32((mix32(s) ^ k) >>> 0) / 2 ** 32;
  };
}
