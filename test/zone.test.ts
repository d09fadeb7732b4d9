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
    // The call's own macrotask beside each yield's.
    expect([z.pending, z.most]).toEqual([0, 2]);
    nr.dispose([x, y, m]);
  });

  it('init(), fit and fitDataset are one macrotask each from the call to the end (the first call waited on a chunk import and a compile zone.js does not count: whenStable() resolved 10 ms into a 164 ms init)', async () => {
    const z = fakeZone();
    const i = nr.init();
    expect(z.pending).toBe(1);
    await i;
    expect(z.pending).toBe(0);
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const [x, y] = [nr.ones([8, 2]), nr.ones([8, 1])];
    const f = m.fit(x, y, { epochs: 1, verbose: 0, yieldEvery: 'never' });
    expect(z.pending).toBe(1);
    await f;
    const ds = nr.data.zip({ xs: nr.data.array([[1, 2], [3, 4]]), ys: nr.data.array([[1], [2]]) }).batch(2);
    const d = m.fitDataset(ds, { epochs: 1, verbose: 0 });
    expect(z.pending).toBeGreaterThanOrEqual(1);
    await d;
    expect(z.pending).toBe(0);
    // A refused call settles its task too.
    const bad = m.fit(x, y, { epochs: -1 });
    await expect(bad).rejects.toThrow(/epochs/);
    expect(z.pending).toBe(0);
    nr.dispose([x, y, m]);
  });

  it("a zone that refuses unknown tasks (Angular's fakeAsync) runs the calls as without zone.js (init() and fit threw 'Unknown macroTask scheduled in fake async test' synchronously)", async () => {
    let refused = 0;
    (globalThis as { Zone?: unknown }).Zone = {
      current: {
        scheduleMacroTask(source: string) {
          refused++;
          throw new Error(`Unknown macroTask scheduled in fake async test: ${source}`);
        },
      },
    };
    await nr.init();
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const [x, y] = [nr.ones([16, 2]), nr.ones([16, 1])];
    const h = await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, yieldEvery: 'batch' });
    expect(h.history.loss).toHaveLength(2);
    expect(refused).toBeGreaterThan(2);
    nr.dispose([x, y, m]);
  });
});
