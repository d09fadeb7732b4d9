// The footprint budget: the gzipped size of each entry as built (`npm run size` prints the same
// table and what takes the space in the wasm). Fails when an entry outgrows BUDGET in
// scripts/size.mjs; the figures are printed on every run so CI logs show the trend.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { BUDGET, measure, table } from '../scripts/size.mjs';
import { requireDist } from './runtimes/expect.js';

type Size = { raw: number; gzip: number };

describe('footprint', () => {
  it('neurite/url (JS + wasm) and neurite (inline) stay within their gzip budgets', () => {
    requireDist();
    const m = measure() as { urlJs: Size; wasm: Size; url: Size; inline: Size };
    console.log(table(m));
    expect(m.url.gzip, `neurite/url is ${m.url.gzip} B gzipped, over its budget of ${BUDGET.url} B`).toBeLessThanOrEqual(BUDGET.url);
    expect(m.inline.gzip, `neurite is ${m.inline.gzip} B gzipped, over its budget of ${BUDGET.inline} B`).toBeLessThanOrEqual(BUDGET.inline);
  });

  it('the bundles are minified (no comments or indentation left but the @ts-self-types banner)', () => {
    const m = measure() as { urlJs: Size };
    // Unminified, dist/url/index.js was 210 kB; minified it is well under 60 % of that (it was
    // 121.5 kB once codecs.learned joined the codecs of issue 10, whence 130 kB here; 136 kB
    // with the thread pool of issue 12 — init options, runtime detection, worker spawning and
    // the worker's source for Node/Deno — whence 142 kB).
    expect(m.urlJs.raw).toBeLessThan(142_000);
  });
});
