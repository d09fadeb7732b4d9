// f32String: float32 values in messages as the shortest decimal that reads back as the same float32.
import { describe, expect, it } from 'vitest';
import { f32String } from '../ts/ops/convert.js';

describe('f32String', () => {
  it('prints the shortest decimal that rounds back to the same float32', () => {
    const f = Math.fround;
    expect(f32String(f(0.1))).toBe('0.1');
    expect(f32String(f(254.99))).toBe('254.99');
    expect(f32String(f(1 / 3))).toBe('0.33333334');
    expect(f32String(f(16777217))).toBe('16777216');
    expect(f32String(f(3.4028234663852886e38))).toBe('3.4028235e+38');
    expect(f32String(f(1.401298464324817e-45))).toBe('1e-45');
    expect(f32String(1)).toBe('1');
    expect(f32String(-0)).toBe('-0');
    expect(f32String(NaN)).toBe('NaN');
    expect(f32String(-Infinity)).toBe('-Infinity');
  });

  it('round-trips 10,000 random float32 bit patterns and is never longer than the double', () => {
    const bits = new Uint32Array(1);
    const view = new Float32Array(bits.buffer);
    let s = 12345;
    for (let i = 0; i < 10_000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      bits[0] = s;
      const v = view[0];
      if (!Number.isFinite(v)) continue;
      const text = f32String(v);
      expect(Math.fround(Number(text)), text).toBe(v);
      expect(text.length).toBeLessThanOrEqual(String(v).length);
    }
  });
});
