// The API fuzzer in CI (issue 7): a new random seed each run (printed) plus fixed seeds, each
// for FUZZ_CALLS calls against the built library (dist/, which `npm test` builds first). Every
// failure is printed with its seed, its reproduction and the last calls, and fails the test.
// Locally: `npm run fuzz -- --seed N --calls K` replays a seed; `--keep-going` lists every
// distinct failure of a seed. See test/fuzz/driver.mjs for what is checked after every call.
import { describe, expect, it } from 'vitest';
import { formatReport, fuzzSeed, type FuzzSummary } from './fuzz/run.mjs';

/** Calls per seed; the CI run is the random seed plus the fixed ones (≥ 10⁴ calls in total). */
const FUZZ_CALLS = Number(process.env.NEURITE_FUZZ_CALLS ?? 10000);
/** Seeds that once found defects (see the report in the README's reliability section). */
const FIXED_SEEDS = [1, 7, 2026];
const envSeed = process.env.NEURITE_FUZZ_SEED;
const randomSeed = envSeed !== undefined ? Number(envSeed) : Math.floor(Math.random() * 2 ** 32);

describe('API fuzzer', () => {
  const seeds = envSeed !== undefined ? [randomSeed] : [randomSeed, ...FIXED_SEEDS];
  for (const [i, seed] of seeds.entries()) {
    it(`${i === 0 && envSeed === undefined ? 'random ' : 'fixed '}seed ${seed}: ${FUZZ_CALLS} calls with no failure`, async () => {
      console.log(`neurite fuzz: seed ${seed}, ${FUZZ_CALLS} calls (replay: npm run fuzz -- --seed ${seed} --calls ${FUZZ_CALLS})`);
      const s: FuzzSummary = await fuzzSeed({ seed, calls: FUZZ_CALLS });
      const report: string = formatReport(s);
      console.log(report);
      // One line per failure in the assertion message; the full report with the call log is above.
      expect(s.failures.map((f) => `[${f.cls}] ${f.op} at call ${f.index} (seed ${seed}): ${f.message.slice(0, 300)}`), report).toEqual([]);
      expect(s.calls).toBe(FUZZ_CALLS);
    }, 120_000);
  }
});
