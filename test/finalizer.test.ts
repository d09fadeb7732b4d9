// The FinalizationRegistry safety net, in a child Node process with --expose-gc: forgotten
// tensors, a tensor escaping tidy and a forgotten model are freed when collected, counted in
// memory().numLeaked, and debug mode prints where the leaked tensor was created.
import { describe, expect, it } from 'vitest';
import { runWithGc } from './runtimes/expect.js';
import '../ts/index.js'; // first: scope.js alone starts a cycle of imports mid-way
import { firstFrameFile, frameLines } from '../ts/scope.js';

describe('FinalizationRegistry', () => {
  it('frees and counts what users forget; debug mode names the allocation site, each place\'s stack once', () => {
    const r = runWithGc('gc.mjs');
    // 10 forgotten ones + the tidy result (the intermediate was freed by tidy itself).
    expect(r.afterPlain.numLeaked - r.before.numLeaked).toBe(11);
    expect(r.afterPlain.numTensors).toBe(r.before.numTensors);
    expect(r.afterPlain.numBytes).toBe(r.before.numBytes);
    // 150 forgotten `ones` and their 150 forgotten sums.
    expect(r.afterBurst.numLeaked - r.afterPlain.numLeaked).toBe(300);
    expect(r.afterBurst.numTensors).toBe(r.before.numTensors);
    // Disposed in their own job or a later one: nothing leaked, nothing left.
    expect(r.afterDisposed.numLeaked).toBe(r.afterBurst.numLeaked);
    expect(r.afterDisposed.numTensors).toBe(r.before.numTensors);
    expect(r.afterDebug.numLeaked - r.afterDisposed.numLeaked).toBe(10);
    expect(r.debugWarning).toMatch(/a tensor was garbage-collected without dispose\(\)/);
    expect(r.debugWarning).toMatch(/makeTheLeak/);
    // The first leak and the loop's first each print their stack; the loop's other 8 (one
    // place) print no stack, only counts at 2, 4 and 8 naming the place (was: 10 stacks).
    expect(r.debugWarnings.length).toBe(5);
    expect((r.debugWarnings as string[]).slice(0, 2).every((w) => /created at:\n/.test(w) && /makeTheLeak/.test(w))).toBe(true);
    expect((r.debugWarnings as string[]).slice(2).map((w) => /^neurite: (\d+) objects created at the same place \(at makeTheLeak \(.*gc\.mjs:\d+:\d+\); the whole stack was printed for the first\) have been garbage-collected without dispose\(\)$/.exec(w)?.[1])).toEqual(['2', '4', '8']);
    // Made before setDebug(true): no stack was recorded, and the warning says so (it printed
    // "(no stack)"), then counts them together (at 2).
    expect(r.afterEarly.numLeaked - r.afterDebug.numLeaked).toBe(3);
    expect(r.beforeDebugWarnings).toEqual([
      'neurite: a tensor was garbage-collected without dispose(); it was created before setDebug(true), so no creation stack was recorded (call setDebug(true) before it is made, e.g. at startup, to see where)',
      'neurite: 2 objects created before setDebug(true) (so no creation stack was recorded) have been garbage-collected without dispose()',
    ]);
    // The model's handle is freed too (live handles back to the start), and it is no longer
    // counted as a live model.
    expect(r.afterModel.numHandles).toBe(r.before.numHandles);
    expect(r.whileModel.numModels).toBe(r.before.numModels + 1);
    expect(r.afterModel.numModels).toBe(r.before.numModels);
    expect(r.afterModel.numLeaked - r.afterWeights.numLeaked).toBe(1);
    // getWeights' copies forgotten: 6 tensors from one place of the caller's, though made by
    // built-ins inside neurite (the place was 'Function.from (<anonymous>)', kernels and
    // biases counted apart).
    expect(r.afterWeights.numLeaked - r.afterEarly.numLeaked).toBe(6);
    const w = r.weightWarnings as string[];
    expect(w.length).toBe(3);
    expect(w[0]).toMatch(/created at:\n/);
    expect(w.slice(1).map((x) => /^neurite: (\d+) objects created at the same place \(at forgetWeights \(.*gc\.mjs:\d+:\d+\);/.exec(x)?.[1])).toEqual(['2', '4']);
    // Composed ops leaked on three lines: each line is named (a loss's stack had no frame of
    // the caller's, and norm's leak was counted with another op's as "the same place").
    const c = r.composedWarnings as string[];
    const lines = r.composedLines as Record<string, number>;
    const named = (line: number) => c.filter((x) => new RegExp(`gc\\.mjs:${line}:\\d+`).test(x)).length;
    expect([named(lines.loss), named(lines.norm), named(lines.moments)]).toEqual([1, 1, 2]);
    expect(c.length).toBe(4);
    expect(c.every((x) => /created at:\n/.test(x))).toBe(false); // the moments pair: one stack, then a count
  });

  it('a model built and disposed leaves no JS memory behind (a service builds one per request), also in a loop that never yields', () => {
    const r = runWithGc('model-heap.mjs');
    // Before: 65–140 bytes per model (the live-model list and the layer maps kept an entry
    // each); now under 12.
    expect(r.builtBytesPerModel).toBeLessThan(30);
    expect(r.unbuiltBytesPerModel).toBeLessThan(30);
    expect(r.nestedBytesPerModel).toBeLessThan(30);
    expect(r.memory.numHandles).toBe(0);
    // In one job (a loop that never yields): before LateWeakRef, 2.9 kB per built model, 3.7 kB
    // compiled, 4.5 kB with its symbolic inputs, 380 B per variable (a WeakRef keeps its target
    // alive to the end of the job); now 6–62 B.
    expect(r.sync.built).toBeLessThan(100);
    expect(r.sync.compiled).toBeLessThan(100);
    expect(r.sync.symbolic).toBeLessThan(200);
    expect(r.sync.variable).toBeLessThan(100);
    // Loaded in an async loop of settled promises only (a service tester's 20,000 loadModel
    // calls): 4.6 kB per model while LateWeakRef settled on a microtask; now settled on a macrotask.
    expect(r.sync.loaded).toBeLessThan(300);
  });
});

describe("reading Firefox's and Safari's stacks (debug mode's leak places)", () => {
  // V8 starts a stack with an `Error: message` line; SpiderMonkey and JavaScriptCore do not, so
  // the first frame was dropped as a header and the bundle's own file read as '' there: every
  // leak was then grouped at one of neurite's lines (600 leaks of three functions as one).
  const v8 = 'Error\n    at vt (http://h/neurite/dist/neurite.js:30:972)\n    at myLeak (http://h/app.js:8:59)';
  const firefox = 'vt@http://h/neurite/dist/neurite.js:30:972\nmyLeak@http://h/app.js:8:59\n@http://h/app.js:20:72\n';
  const safari = 'vt@http://h/neurite/dist/neurite.js:30:972\nforEach@[native code]\nmodule code@http://h/app.js:20:72';
  it('the frames and the first frame\'s file, in each engine\'s form', () => {
    expect(frameLines(v8)).toEqual(['    at vt (http://h/neurite/dist/neurite.js:30:972)', '    at myLeak (http://h/app.js:8:59)']);
    expect(frameLines(firefox)).toEqual(['vt@http://h/neurite/dist/neurite.js:30:972', 'myLeak@http://h/app.js:8:59', '@http://h/app.js:20:72']);
    expect(frameLines(safari)).toHaveLength(3);
    for (const s of [v8, firefox, safari]) expect(firstFrameFile(s)).toBe('http://h/neurite/dist/neurite.js');
    expect(firstFrameFile(undefined)).toBe('');
  });
});
