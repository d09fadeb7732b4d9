// Variables are held weakly (issue 7, item 8): a variable nobody references is freed by the
// FinalizationRegistry like any tensor. Runs in a child Node process with --expose-gc.
import { describe, expect, it } from 'vitest';
import { runWithGc } from './runtimes/expect.js';

describe('variables and the garbage collector', () => {
  it('forgotten variables are freed and their names become free', () => {
    const r = runWithGc('gc-variables.mjs');
    expect(r.after.numLeaked - r.before.numLeaked).toBe(5);
    expect(r.after.numTensors).toBe(r.before.numTensors);
    expect(r.after.numBytes).toBe(r.before.numBytes);
    expect(r.reused).toBe('forgotten_0');
  });
});
