// The footprint budget: the gzipped size of each entry as built (`npm run size` prints the same
// table and what takes the space in the wasm). Fails when an entry outgrows BUDGET in
// scripts/size.mjs; the figures are printed on every run so CI logs show the trend.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { BUDGET, measure, table } from '../scripts/size.mjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDist, ROOT } from './runtimes/expect.js';

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
    requireDist();
    for (const file of ['dist/url/index.js', 'dist/index.js']) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // Rollup + terser print the bundle on a handful of lines; unminified it has thousands,
      // indented, with TSDoc blocks.
      expect(text.split('\n').length, file).toBeLessThan(10);
      expect(text.match(/\/\*\*/g) ?? [], file).toEqual([]);
      expect(text.match(/\n[ \t]{2,}\S/g) ?? [], file).toEqual([]);
    }
  });
});
