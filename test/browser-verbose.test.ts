// fit's verbose in headless Chromium (as test/browser-io.test.ts: playwright-core + Debian's
// /usr/bin/chromium, the built dist/ served from 127.0.0.1): a page has no stdout, so the
// default (verbose omitted, 'auto') prints nothing, as TF.js; an explicit verbose 1 or 2 prints
// Keras's one line per epoch through console.log, with the epoch's logs; verbose 0 nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CI, runtimeAvailable } from './runtimes/expect.js';
import { CHROMIUM, closeChromium, launchChromium } from './runtimes/chromium.js';
import type { StaticServer } from './runtimes/server.js';

describe.skipIf(!runtimeAvailable(CHROMIUM))(`Chromium: fit's verbose prints through console.log (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let page: Page;
  const said: string[] = [];

  beforeAll(async () => {
    [browser, server] = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => said.push(`${m.type()}: ${m.text()}`));
    await page.goto(`${server.origin}/test/runtimes/io.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: string }).__ready, null, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __ready: string }).__ready), `server log: ${JSON.stringify(server.requests)}`).toBe('ok');
  });

  afterAll(() => closeChromium(browser, server));

  /** The console lines of one fit of 3 epochs on 10 samples in batches of 4 (an uneven last batch), with `verbose` (undefined: omitted). */
  async function fitSays(verbose: 0 | 1 | 2 | undefined): Promise<{ lines: string[]; loss: number[]; live: number }> {
    said.length = 0;
    const r = await page.evaluate(async (v) => {
      const { nr } = window as unknown as { nr: any };
      await nr.init();
      const start = nr.memory().numTensors;
      const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ units: 3, activation: 'relu', inputShape: [2] }), nr.layers.dense({ units: 1 })] });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
      const x = nr.tensor(Array.from({ length: 20 }, (_, i) => (i % 7) / 7), [10, 2]);
      const y = nr.tensor(Array.from({ length: 10 }, (_, i) => i / 10), [10, 1]);
      const h = await m.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.2, ...(v === undefined ? {} : { verbose: v }) });
      x.dispose();
      y.dispose();
      m.dispose();
      return { loss: h.history.loss as number[], live: nr.memory().numTensors - start };
    }, verbose);
    // Only console.log's lines (init's note on threads is console.info).
    return { ...r, lines: said.filter((l) => l.startsWith('log: ')) };
  }

  it('verbose 1 and 2: one console.log line per epoch, with loss, metrics and validation', async () => {
    for (const v of [1, 2] as const) {
      const { lines, loss, live } = await fitSays(v);
      expect(live).toBe(0);
      expect(lines.length, `verbose ${v}: ${JSON.stringify(lines)}`).toBe(3);
      lines.forEach((l, e) => {
        // 8 training samples (validationSplit 0.2 of 10) in batches of 4: 2 batches; the line
        // is the one Node prints per epoch to a pipe (the full bar, the time, samples/s, logs).
        expect(l, `verbose ${v}`).toMatch(new RegExp(`^log: Epoch ${e + 1}/3 2/2 \\[=+\\] - [0-9.]+s( - \\d+ samples/s)? - loss: \\S+ - mae: \\S+ - val_loss: \\S+ - val_mae: \\S+$`));
        // The logged loss is the history's (as the line formats it: 4 significant digits).
        expect(Number(/loss: (\S+)/.exec(l)![1])).toBeCloseTo(loss[e], 3);
        expect(l).not.toMatch(/[\r\x1b]/);
      });
    }
  }, 60_000);

  it('verbose omitted (auto) and 0: nothing, as TF.js in a browser', async () => {
    for (const v of [undefined, 0] as const) {
      const { live } = await fitSays(v);
      expect(live).toBe(0);
      expect(said.filter((l) => !l.startsWith('info: neurite: ')), `verbose ${v}`).toEqual([]);
    }
  }, 60_000);
});
