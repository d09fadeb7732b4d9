// Variables are held weakly (issue 7, item 8): a variable nobody references is freed by the
// FinalizationRegistry like any tensor. Runs in a child Node process with --expose-gc.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireDist, ROOT } from './runtimes/expect.js';

describe('variables and the garbage collector', () => {
  it('forgotten variables are freed and their names become free', () => {
    requireDist();
    const out = execFileSync(process.execPath, ['--expose-gc', join(ROOT, 'test/runtimes/gc-variables.mjs')], { encoding: 'utf8', timeout: 60_000 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(r.after.numLeaked - r.before.numLeaked).toBe(5);
    expect(r.after.numTensors).toBe(r.before.numTensors);
    expect(r.after.numBytes).toBe(r.before.numBytes);
    expect(r.reused).toBe('forgotten_0');
  });
});
