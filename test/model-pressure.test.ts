// Forgotten models filling WebAssembly memory: a brain.js habit (a new network per experiment,
// never disposed: its networks are plain JS objects) grew memory to 1.47 GB with 3,000 models of
// ~1 MB before the garbage collector reclaimed them, without a word. memory() counts live models
// (numModels) beside what they hold (modelBytes), and neurite warns once many live models hold
// half of a memory past the threshold (then again only when memory doubles), as it does for
// tensors (test/memory.test.ts).
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';
import { setPressureThreshold } from '../ts/scope.js';
import { oomHint } from '../ts/engine.js';

const { layers, optimizers } = nr;

/** A 512 → 512 dense model: 262,656 weights, 1,050,624 bytes once built. */
const PER_MODEL = (512 * 512 + 512) * 4;

function model(inputs = 512, units = 512): nr.Sequential {
  return nr.sequential({ layers: [layers.dense({ inputShape: [inputs], units })] });
}

/** What must come back to where it started once every model is disposed. */
const live = () => {
  const m = nr.memory();
  return { numModels: m.numModels, modelBytes: m.modelBytes, numTensors: m.numTensors, numBytes: m.numBytes, numHandles: m.numHandles };
};

/** The size in MB that a models' warning names, and its live-model count. */
function parsed(msg: unknown): { mb: number; models: number; held: number } {
  const m = /^neurite: WebAssembly memory has grown to (\d+) MB, and (\d+) live models hold (\d+) MB of it/.exec(String(msg));
  if (!m) throw new Error(`not a models' warning: ${String(msg)}`);
  return { mb: Number(m[1]), models: Number(m[2]), held: Number(m[3]) };
}

const MESSAGE =
  /^neurite: WebAssembly memory has grown to \d+ MB, and \d+ live models hold \d+ MB of it \(weights, gradients, optimizer state\)\. A model dropped without model\.dispose\(\) is freed only when the garbage collector finalizes it, which happens between jobs of the event loop \(never during a synchronous loop\).*call model\.dispose\(\) when you are done with a model.*memory\(\) counts them \(numModels, modelBytes\)\.$/;

describe('forgotten models filling WebAssembly memory', () => {
  let warn: MockInstance<typeof console.warn>;
  let start: ReturnType<typeof live>;
  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    start = live();
  });
  afterEach(() => {
    setPressureThreshold(2 ** 30);
    warn.mockRestore();
    expect(live()).toEqual(start);
  });

  it('memory() counts built models until they are disposed (nested ones too; an unbuilt model holds nothing)', () => {
    const a = model(3, 2);
    expect(nr.memory().numModels).toBe(start.numModels); // not built yet
    a.build();
    expect(nr.memory().numModels).toBe(start.numModels + 1);
    const inner = model(4, 3);
    const outer = nr.sequential({ layers: [inner, layers.dense({ units: 1 })] });
    outer.build();
    expect(nr.memory().numModels).toBe(start.numModels + 3);
    // The inner weights are counted once in modelBytes, the models each once in numModels.
    expect(nr.memory().modelBytes - start.modelBytes).toBe(4 * (3 * 2 + 2 + 4 * 3 + 3 + 3 * 1 + 1));
    outer.dispose();
    expect(nr.memory().numModels).toBe(start.numModels + 2); // inner was made by the user: still live
    inner.dispose();
    a.dispose();
    a.dispose(); // idempotent: counted down once
    expect(nr.memory().numModels).toBe(start.numModels);
  });

  it('a few large models filling memory on purpose are not blamed (fewer than 16)', async () => {
    setPressureThreshold(1);
    const kept: nr.Sequential[] = [];
    try {
      // 6 models of 8 MB: most of memory, but 6 models are an ensemble, not a leak.
      for (let i = 0; i < 6; i++) {
        const m = model(2048, 1024);
        m.build();
        kept.push(m);
        await Promise.resolve();
      }
      const m = nr.memory();
      expect(m.modelBytes).toBeGreaterThan(m.wasmBytes / 2);
      expect(m.numModels).toBe(start.numModels + 6);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      for (const m of kept) m.dispose();
    }
  });

  it('does not warn for a program that disposes each model (a new model per experiment, trained, then disposed)', async () => {
    setPressureThreshold(1); // always past it: only what is live decides
    using x = nr.randomNormal([8, 512], 0, 1, 'float32', 1);
    using y = nr.randomNormal([8, 512], 0, 1, 'float32', 2);
    for (let i = 0; i < 40; i++) {
      const m = model();
      m.compile({ optimizer: optimizers.adam(0.01), loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
      expect(nr.memory().numModels).toBe(start.numModels + 1);
      m.dispose();
      expect(nr.memory().numModels).toBe(start.numModels);
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns once 16 forgotten models hold half of a memory past the threshold, then once per doubling of memory (an async experiment loop)', async () => {
    const w0 = nr.memory().wasmBytes;
    setPressureThreshold(w0 + 1);
    using x = nr.randomNormal([8, 512], 0, 1, 'float32', 3);
    using y = nr.randomNormal([8, 512], 0, 1, 'float32', 4);
    const forgotten: nr.Sequential[] = []; // held here only to dispose them at the end
    try {
      // Each experiment: weights, gradients and Adam's two moments, 4 × 1 MB. Enough of them
      // to grow memory past 4 × w0 whatever the earlier tests left in it.
      const n = Math.max(48, Math.ceil((5 * w0) / (4 * PER_MODEL)));
      const seenAt: number[] = [];
      for (let i = 0; i < n; i++) {
        const m = model();
        m.compile({ optimizer: optimizers.adam(0.01), loss: 'meanSquaredError' });
        await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
        forgotten.push(m);
        await Promise.resolve();
        seenAt.push(warn.mock.calls.length);
      }
      // Fewer than 16 live models are never blamed; the 16th (or the first past the threshold
      // and half of memory after it) is.
      expect(seenAt.slice(0, 15 - start.numModels).every((c) => c === 0)).toBe(true);
      expect(seenAt[seenAt.length - 1]).toBeGreaterThanOrEqual(1);
      const first = seenAt.findIndex((c) => c > 0);
      expect(first).toBeGreaterThanOrEqual(15 - start.numModels);
      const msgs = warn.mock.calls.map((c) => c[0]);
      for (const msg of msgs) expect(String(msg)).toMatch(MESSAGE);
      const ws = msgs.map(parsed);
      expect(ws[0].models).toBe(start.numModels + first + 1);
      expect(ws[0].held).toBeGreaterThanOrEqual(ws[0].mb / 2 - 1);
      // At most once per doubling: each warning names at least twice the memory of the one
      // before, so there are at most 1 + log2(final / first) of them.
      for (let k = 1; k < ws.length; k++) expect(ws[k].mb).toBeGreaterThanOrEqual(2 * ws[k - 1].mb - 1);
      const finalMb = nr.memory().wasmBytes / 2 ** 20;
      expect(ws.length).toBeLessThanOrEqual(1 + Math.floor(Math.log2(finalMb / ws[0].mb) + 1e-9));
      expect(finalMb).toBeGreaterThan(2 * ws[0].mb); // memory did double: the second look happened
      expect(ws.length).toBeGreaterThanOrEqual(2);
      expect(nr.memory().numModels).toBe(start.numModels + n);
    } finally {
      for (const m of forgotten) m.dispose();
    }
  });

  it('warns inside a loop that never yields (where the finalizer cannot run), then not again until memory doubles', () => {
    setPressureThreshold(1);
    const forgotten: nr.Sequential[] = [];
    try {
      // Built models only (1 MB of weights each), until they hold half of today's memory and a
      // queue of 64 registrations has been flushed after that.
      const n = Math.ceil(nr.memory().wasmBytes / PER_MODEL) + 200;
      let warnedAt = -1;
      for (let i = 0; i < n; i++) {
        const m = model();
        m.build();
        forgotten.push(m);
        if (warnedAt < 0 && warn.mock.calls.length > 0) warnedAt = i;
      }
      // No await above: the warning came from inside the loop.
      expect(warnedAt).toBeGreaterThanOrEqual(15);
      const ws = warn.mock.calls.map((c) => parsed(c[0]));
      for (let k = 1; k < ws.length; k++) expect(ws[k].mb).toBeGreaterThanOrEqual(2 * ws[k - 1].mb - 1);
      expect(ws[0].models).toBeGreaterThanOrEqual(16);
    } finally {
      for (const m of forgotten) m.dispose();
    }
  });

  it("an out-of-memory error's hint names many live models and what they hold (and tensors beside them)", () => {
    expect(oomHint(10, 1e6, 15, 2 ** 31)).toBe(''); // an ensemble of 15 big models is not blamed
    const models = '3000 models are live, holding 3000 MB: model.dispose() the ones you no longer need (one dropped without it is freed only when the garbage collector finalizes it, between jobs of the event loop)';
    expect(oomHint(10, 1e6, 3000, 3000 * 2 ** 20)).toBe(` (${models}; memory() counts them)`);
    expect(oomHint(5000, 300 * 2 ** 20, 3000, 3000 * 2 ** 20)).toBe(` (5000 tensors are live, holding 300 MB: dispose() the ones you no longer need, or compute temporaries inside tidy(); ${models}; memory() counts them)`);
    expect(oomHint(5000, 300 * 2 ** 20)).toBe(' (5000 tensors are live, holding 300 MB: dispose() the ones you no longer need, or compute temporaries inside tidy(); memory() counts them)');
    // Little live in a large memory (a tester filled 3.75 GiB with 256 MiB tensors, freed them
    // all, and a 768 MiB one did not fit): the free memory is split, and the error said nothing.
    // Much live and a large block: the 4 GiB end and what training holds (it said nothing).
    expect(oomHint(3, 2.1e9, 1, 4e6, 3.5 * 2 ** 30, 2147418112)).toBe(' (2007 MB are live in tensors and models, and this needs 2048 MB more: WebAssembly memory ends at 4 GiB (wasm32), and training also holds each weight\'s gradient and the optimizer\'s slots beside it (Adam: 4× the weights in all): dispose what you no longer need, or make the model smaller)');
    expect(oomHint(3, 1e6, 1, 1e6, 2 ** 28, 1e6)).toBe('');
    expect(oomHint(5, 3e6, 1, 1e6, 3.75 * 2 ** 30)).toBe(' (only 3.8 MB of the 3840 MB of WebAssembly memory are live in tensors and models: the rest is free, but not in one block this large; make the largest tensors first, or shutdown() then init() to start from an empty memory)');
    expect(oomHint(5, 3e6, 1, 1e6, 2 ** 29)).toBe(''); // a memory under 1 GiB: not that
    expect(oomHint(5, 2 ** 31, 1, 0, 3 * 2 ** 30)).toBe(''); // most of it live: not that
  });
});
