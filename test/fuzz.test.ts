// The API fuzzer in CI (issue 7): a new random seed each run (printed) plus fixed seeds, each
// for FUZZ_CALLS calls against the built library (dist/, which `npm test` builds first). Every
// failure is printed with its seed, its reproduction and the last calls, and fails the test.
// Locally: `npm run fuzz -- --seed N --calls K` replays a seed; `--keep-going` lists every
// distinct failure of a seed. See test/fuzz/driver.mjs for what is checked after every call.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatReport, fuzzSeed, ROOT, type FuzzSummary } from './fuzz/run.mjs';
// @ts-expect-error: a plain .mjs module without declarations
import { NAMES as FUZZED_LOSSES, UNCOVERED as UNFUZZED_LOSSES } from './fuzz/families/keras_losses.mjs';
import { LOSSES } from '../ts/wasm/codes.js';

/** Calls per seed: 4 seeds × 10⁴ calls per CI run. */
const FUZZ_CALLS = Number(process.env.NEURITE_FUZZ_CALLS ?? 10000);
/** Fixed seeds, run every time besides the random one. */
const FIXED_SEEDS = [1, 7, 2026];
const envSeed = process.env.NEURITE_FUZZ_SEED;
const randomSeed = envSeed !== undefined ? Number(envSeed) : Math.floor(Math.random() * 2 ** 32);

describe('API fuzzer coverage', () => {
  it('the loss family fuzzes every loss, or says why it leaves one out', () => {
    expect([...(FUZZED_LOSSES as string[]), ...Object.keys(UNFUZZED_LOSSES as object)].sort()).toEqual([...LOSSES].sort());
  });
});

describe('API fuzzer', () => {
  const seeds = envSeed !== undefined ? [randomSeed] : [randomSeed, ...FIXED_SEEDS];
  for (const [i, seed] of seeds.entries()) {
    it(`${i === 0 && envSeed === undefined ? 'random' : 'fixed'} seed ${seed}: ${FUZZ_CALLS} calls with no failure`, async () => {
      console.log(`neurite fuzz: seed ${seed}, ${FUZZ_CALLS} calls (replay: npm run fuzz -- --seed ${seed} --calls ${FUZZ_CALLS})`);
      const s: FuzzSummary = await fuzzSeed({ seed, calls: FUZZ_CALLS });
      const report = formatReport(s);
      console.log(report);
      // One line per failure in the assertion message; the full report with the call log is above.
      expect(s.failures.map((f) => `[${f.cls}] ${f.op} at call ${f.index} (seed ${seed}): ${f.message.slice(0, 300)}`), report).toEqual([]);
      expect(s.calls).toBe(FUZZ_CALLS);
    }, 120_000);
  }
});

describe('API fuzzer self-test (planted defects in test/fuzz/mutant.mjs)', () => {
  const mutant = join(ROOT, 'test', 'fuzz', 'mutant.mjs');

  it('reports a wrong result, a leak, a raw TypeError, a disposed input, an accepted bad axis and an unnamed op', async () => {
    const s: FuzzSummary = await fuzzSeed({ seed: 5, calls: 3000, keepGoing: true, families: ['elementwise', 'shape', 'reductions', 'memory'], dist: mutant });
    const seen = new Set(s.failures.map((f) => `${f.cls} ${f.op}`));
    for (const want of ['wrong-result sub', 'leak neg', 'raw TypeError transpose', 'disposed-input expandDims', 'accepted-invalid argMin', 'op-not-named floor']) {
      expect(seen, `${want} not reported; seen: ${[...seen].join(', ')}`).toContain(want);
    }
    const f = s.failures.find((x) => x.cls === 'wrong-result' && x.op === 'sub')!;
    expect(f.replay).toBe(`npm run fuzz -- --seed 5 --calls ${f.index + 1} --keep-going --family elementwise,reductions,shape,memory`);
    expect(f.snippet).toMatch(/sub\(/);
    // The replay ends with the same failure at the same call: a failure is its own reproduction.
    const again: FuzzSummary = await fuzzSeed({ seed: 5, calls: f.index + 1, keepGoing: true, families: ['elementwise', 'shape', 'reductions', 'memory'], dist: mutant });
    expect(again.failures.some((x) => x.cls === f.cls && x.op === f.op && x.index === f.index)).toBe(true);
  }, 60_000);

  it('terminates a call that blocks and names it', async () => {
    process.env.NEURITE_FUZZ_MUTANT_HANG = '1';
    try {
      const s: FuzzSummary = await fuzzSeed({ seed: 1, calls: 1000, keepGoing: true, hangMs: 1500, dist: mutant });
      expect(s.hung).toBe(true);
      const hang = s.failures.at(-1)!;
      expect(hang.cls).toBe('hang');
      expect(hang.line).toMatch(/^r\d+ = /);
    } finally {
      delete process.env.NEURITE_FUZZ_MUTANT_HANG;
    }
  }, 30_000);
});
