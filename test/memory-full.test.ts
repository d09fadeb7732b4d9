// memory() at the very top of wasm32's memory: 65,536 pages, 4 GiB, one more byte than a u32
// holds. The core's value wrapped to 0 there (a tester's health check, "restart past 3.5 GB",
// never fired at the moment memory was full). Its own file: the process that filled 4 GiB ends
// with it.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

describe('memory() with the WebAssembly memory full', () => {
  it('reports 4 GiB of WebAssembly memory, not 0', () => {
    const held: nr.Tensor[] = [];
    try {
      // Big blocks first, then smaller ones until the memory cannot grow.
      for (const size of [2 ** 26, 2 ** 18, 2 ** 12]) {
        for (;;) {
          try {
            held.push(nr.zeros([size]));
          } catch (e) {
            expect(e).toBeInstanceOf(nr.OutOfMemoryError);
            break;
          }
        }
      }
      const m = nr.memory();
      expect(m.numBytes).toBeGreaterThan(4.2e9);
      expect(m.wasmBytes).toBeGreaterThanOrEqual(m.numBytes);
      expect(m.wasmBytes).toBe(2 ** 32);
    } finally {
      held.forEach((t) => t.dispose());
    }
    expect(nr.memory().numTensors).toBe(0);
  }, 120_000);
});
