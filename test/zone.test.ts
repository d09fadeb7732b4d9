// zone.js (Angular): neurite's yields (fit's, a dataset pass's, the default entry's unpacking)
// are macrotasks of the current zone, so the app is not "stable" (whenStable(), SSR's render)
// in the middle of an init or a fit. They were a message to itself and Node's own
// setImmediate, which zone.js does not count: whenStable() resolved 11 ms into a 921 ms fit.
import { afterEach, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { yieldNow } from '../ts/runtime.js';
import './setup.js';

/** The part of zone.js a yield uses, counting the macrotasks pending as zone.js does. */
function fakeZone() {
  const z = { pending: 0, most: 0, scheduled: 0 };
  const current = {
    scheduleMacroTask(_source: string, callback: () => void, _data: unknown, customSchedule: (task: { invoke(): void }) => void) {
      z.pending++;
      z.scheduled++;
      z.most = Math.max(z.most, z.pending);
      const task = { invoke: () => { z.pending--; callback(); } };
      customSchedule(task);
      return task;
    },
  };
  (globalThis as { Zone?: unknown }).Zone = { current };
  return z;
}

afterEach(() => {
  delete (globalThis as { Zone?: unknown }).Zone;
});

describe('zone.js sees the yields as pending work', () => {
  it('a yield is one macrotask of the current zone, pending until the event loop came round', async () => {
    const z = fakeZone();
    const y = yieldNow();
    expect(z.pending).toBe(1);
    await y;
    expect(z.pending).toBe(0);
  });

  it("a fit's yields are macrotasks, each settled when it resumes", async () => {
    const z = fakeZone();
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const [x, y] = [nr.ones([64, 2]), nr.ones([64, 1])];
    await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, yieldEvery: 'batch' });
    expect(z.scheduled).toBeGreaterThanOrEqual(3 * 8);
    expect([z.pending, z.most]).toEqual([0, 1]);
    nr.dispose([x, y, m]);
  });
});
