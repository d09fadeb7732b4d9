#!/usr/bin/env node
/**
 * `npm run fuzz -- [--seed N] [--calls K] [--seeds a,b,c] [--keep-going] [--heavy] [--family f,g] [--dist file] [--json]`
 *
 * Fuzzes the built library (dist/; run `npm run build` first). Defaults: a random seed, 100000
 * calls (the environment variables NEURITE_FUZZ_SEED and NEURITE_FUZZ_CALLS also set them).
 * `--seed N --calls K` replays a failure reported at call K-1. `--keep-going` continues past
 * failures and lists each distinct one once (with its shortest reproduction). `--heavy` adds
 * multi-GiB size requests. `--dist` fuzzes another build of the library (e.g. dist/url/index.js).
 * Exits 1 if any failure was found.
 */
import { resolve } from 'node:path';
import { DIST, formatReport, fuzzSeed } from './run.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const flag = (name) => argv.includes(`--${name}`);

const calls = Number(opt('calls') ?? process.env.NEURITE_FUZZ_CALLS ?? 100000);
const seedArg = opt('seed') ?? process.env.NEURITE_FUZZ_SEED;
const seeds = opt('seeds')?.split(',').map(Number) ?? [seedArg !== undefined ? Number(seedArg) : Math.floor(Math.random() * 2 ** 32)];
const families = opt('family')?.split(',');
const dist = opt('dist') ? resolve(opt('dist')) : DIST;
if (!Number.isInteger(calls) || calls < 0 || seeds.some((s) => !Number.isInteger(s) || s < 0 || s >= 2 ** 32)) {
  console.error('usage: npm run fuzz -- [--seed N (0..2**32-1)] [--calls K] [--seeds a,b] [--keep-going] [--heavy] [--family creation,models] [--dist file] [--json]');
  process.exit(2);
}

let failed = false;
for (const seed of seeds) {
  console.log(`neurite fuzz: seed ${seed}, ${calls} calls${flag('keep-going') ? ', keep going' : ''}`);
  const s = await fuzzSeed({ seed, calls, keepGoing: flag('keep-going'), heavy: flag('heavy'), families, dist });
  if (flag('json')) console.log(JSON.stringify(s, null, 1));
  else console.log(formatReport(s));
  if (s.failures?.length) failed = true;
}
process.exit(failed ? 1 : 0);
