/**
 * An LZMA decoder for the `.lzma` ("LZMA alone") streams `xz --format=lzma` writes: the default
 * entry carries its wasm this way (scripts/build-wasm.mjs), 24 % smaller than deflate, and no
 * runtime has LZMA built in. It follows the reference decoder of the LZMA SDK (`LzmaSpec.cpp`,
 * public domain) step for step: a range decoder, adaptive bit probabilities, literals coded
 * with the previous byte as context (and the byte at the last distance after a match), lengths
 * in three bands, distances by slot, and four repeated distances.
 *
 * The output size is given; decoding stops there or at the stream's end marker, whichever
 * comes first. Every loop writes at least one byte or reads input, so a damaged stream ends in
 * an error (or wrong bytes, which the caller's size and compile checks catch), never a hang.
 */
import type { ArrayBufferBytes } from '../web-types.js';

const PROB_INIT = 1024; // 0.5 in 11-bit fixed point
const END_MARKER = 0xffffffff;

/** A damaged or unsupported stream. */
export class LzmaError extends Error {}

/** The range decoder over `input` from `pos`, with its adaptive bit model. */
class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;

  constructor(
    private readonly input: Uint8Array,
    private pos: number,
  ) {
    if (this.byte() !== 0) throw new LzmaError('the range coder does not start with 0');
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.byte();
    if (this.code === this.range) throw new LzmaError('the range coder starts corrupt');
  }

  private byte(): number {
    if (this.pos >= this.input.length) throw new LzmaError('the stream ends early');
    return this.input[this.pos++];
  }

  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range *= 256;
      this.code = this.code * 256 + this.byte();
    }
  }

  /** One bit with probability `probs[i]` (of a 0, out of 2048), which then adapts. */
  bit(probs: Uint16Array, i: number): number {
    const p = probs[i];
    const bound = (this.range >>> 11) * p;
    let b: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    this.normalize();
    return b;
  }

  /** `n` bits of equal probability, most significant first. */
  direct(n: number): number {
    let r = 0;
    for (let i = 0; i < n; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      r = r * 2 + b;
      this.normalize();
    }
    return r;
  }

  /** A `bits`-bit symbol from the bit tree at `probs[base + 1 … base + 2^bits - 1]`, most significant bit first. */
  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }

  /** As {@link tree}, least significant bit first. */
  reverse(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let r = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(probs, base + m);
      m = (m << 1) | b;
      r |= b << i;
    }
    return r;
  }
}

/** A match or repeat length (0-based: the bytes copied are this plus 2). */
class LengthDecoder {
  private readonly choice = new Uint16Array(2).fill(PROB_INIT);
  private readonly low: Uint16Array;
  private readonly mid: Uint16Array;
  private readonly high = new Uint16Array(256).fill(PROB_INIT);

  constructor(posStates: number) {
    this.low = new Uint16Array(posStates << 3).fill(PROB_INIT);
    this.mid = new Uint16Array(posStates << 3).fill(PROB_INIT);
  }

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return rc.tree(this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + rc.tree(this.mid, posState << 3, 3);
    return 16 + rc.tree(this.high, 0, 8);
  }
}

/**
 * Decodes the `.lzma` stream `input` (13-byte header: properties, dictionary size, size) into
 * `size` bytes. Throws {@link LzmaError} on a damaged stream or one that ends too soon.
 */
export function lzmaDecode(input: Uint8Array, size: number): ArrayBufferBytes {
  const steps = decodeSteps(input, size, Infinity);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link lzmaDecode} in slices of about `every` output bytes, awaiting `pause()` between them,
 * so that unpacking on a page's main thread leaves it responsive (no long task) at the cost of
 * the pauses. The same bytes and errors as {@link lzmaDecode}.
 */
export async function lzmaDecodeSliced(input: Uint8Array, size: number, every: number, pause: () => Promise<void>): Promise<ArrayBufferBytes> {
  const steps = decodeSteps(input, size, every);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await pause();
  }
}

/** The decoder, yielding the bytes written so far after each `every` of them (or more: a match is copied whole). */
function* decodeSteps(input: Uint8Array, size: number, every: number): Generator<number, ArrayBufferBytes, void> {
  if (input.length < 13) throw new LzmaError(`the stream is ${input.length} bytes, shorter than its header`);
  let props = input[0];
  if (props >= 9 * 5 * 5) throw new LzmaError(`bad properties byte ${props}`);
  const lc = props % 9;
  props = (props / 9) | 0;
  const lp = props % 5;
  const pb = (props / 5) | 0;
  const out = new Uint8Array(size);
  const rc = new RangeDecoder(input, 13);

  const lpMask = (1 << lp) - 1;
  const pbMask = (1 << pb) - 1;
  const literals = new Uint16Array(0x300 << (lc + lp)).fill(PROB_INIT);
  const isMatch = new Uint16Array(12 << 4).fill(PROB_INIT);
  const isRep = new Uint16Array(12).fill(PROB_INIT);
  const isRepG0 = new Uint16Array(12).fill(PROB_INIT);
  const isRepG1 = new Uint16Array(12).fill(PROB_INIT);
  const isRepG2 = new Uint16Array(12).fill(PROB_INIT);
  const isRep0Long = new Uint16Array(12 << 4).fill(PROB_INIT);
  const posSlot = new Uint16Array(4 << 6).fill(PROB_INIT);
  const posSpecial = new Uint16Array(115).fill(PROB_INIT); // 1 + 128 full distances - 14
  const align = new Uint16Array(16).fill(PROB_INIT);
  const lengths = new LengthDecoder(1 << pb);
  const repLengths = new LengthDecoder(1 << pb);

  let state = 0;
  let rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0;
  let n = 0;
  let pauseAt = every;
  while (n < size) {
    if (n >= pauseAt) {
      yield n;
      pauseAt = n + every;
    }
    const posState = n & pbMask;
    if (rc.bit(isMatch, (state << 4) + posState) === 0) {
      const prev = n > 0 ? out[n - 1] : 0;
      const base = 0x300 * (((n & lpMask) << lc) + (prev >>> (8 - lc)));
      let symbol = 1;
      if (state >= 7) {
        // After a match: the byte at the last distance steers the model until a bit differs.
        let matchByte = out[n - rep0 - 1];
        while (symbol < 0x100) {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const b = rc.bit(literals, base + ((1 + matchBit) << 8) + symbol);
          symbol = (symbol << 1) | b;
          if (matchBit !== b) break;
        }
      }
      while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(literals, base + symbol);
      out[n++] = symbol & 0xff;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len: number;
    if (rc.bit(isRep, state) !== 0) {
      if (n === 0) throw new LzmaError('a repeated match before any output');
      if (rc.bit(isRepG0, state) === 0) {
        if (rc.bit(isRep0Long, (state << 4) + posState) === 0) {
          // One byte at the last distance.
          state = state < 7 ? 9 : 11;
          out[n] = out[n - rep0 - 1];
          n++;
          continue;
        }
      } else {
        let dist: number;
        if (rc.bit(isRepG1, state) === 0) dist = rep1;
        else {
          if (rc.bit(isRepG2, state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = repLengths.decode(rc, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = lengths.decode(rc, posState);
      state = state < 7 ? 7 : 10;
      rep0 = distance(rc, len, posSlot, posSpecial, align);
      if (rep0 === END_MARKER) break;
      if (rep0 >= n) throw new LzmaError(`a match reaches ${rep0 + 1} bytes back from byte ${n}`);
    }
    const end = Math.min(n + len + 2, size);
    for (; n < end; n++) out[n] = out[n - rep0 - 1];
  }
  if (n !== size) throw new LzmaError(`the stream ends after ${n} of ${size} bytes`);
  return out;
}

/** A match distance (0-based), or {@link END_MARKER}. */
function distance(rc: RangeDecoder, len: number, posSlot: Uint16Array, posSpecial: Uint16Array, align: Uint16Array): number {
  const slot = rc.tree(posSlot, (len < 3 ? len : 3) << 6, 6);
  if (slot < 4) return slot;
  const directBits = (slot >>> 1) - 1;
  let dist = ((2 | (slot & 1)) << directBits) >>> 0;
  if (slot < 14) return dist + rc.reverse(posSpecial, dist - slot, directBits);
  dist += rc.direct(directBits - 4) * 16;
  return dist + rc.reverse(align, 0, 4);
}
