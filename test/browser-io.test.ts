// downloads:// in headless Chromium (as test/browser.test.ts: playwright-core + Debian's
// /usr/bin/chromium, pages served from 127.0.0.1): a save starts the two downloads TF.js starts,
// whose files then load with file:// in Node. (It needs a driver to catch the downloads; the
// indexeddb:// and localstorage:// suite runs in every browser: test/browser-storage.test.ts.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { CI, runtimeAvailable } from './runtimes/expect.js';
import { CHROMIUM, closeChromium, launchChromium } from './runtimes/chromium.js';
import type { StaticServer } from './runtimes/server.js';
import { getLoadHandler } from '../ts/io/router.js';
import { ARTIFACTS, WEIGHTS } from './runtimes/storage-fixture.mjs';

describe.skipIf(!runtimeAvailable(CHROMIUM))(`Chromium downloads:// (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let page: Page;
  const downloads: Download[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'neurite-browser-io-'));

  beforeAll(async () => {
    [browser, server] = await launchChromium();
    page = await browser.newPage({ acceptDownloads: true });
    page.on('download', (d) => downloads.push(d));
    await page.goto(`${server.origin}/test/runtimes/io.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: string }).__ready, null, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __ready: string }).__ready), `server log: ${JSON.stringify(server.requests)}`).toBe('ok');
  });

  afterAll(async () => {
    await closeChromium(browser, server);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('downloads:// starts two downloads, name.json and name.weights.bin, in TF.js\'s format; the pair loads with file:// in Node', async () => {
    downloads.length = 0;
    const r = await page.evaluate(async ({ a, w }) => {
      const { nr } = window as unknown as { nr: any };
      const info = (await nr.io.getSaveHandler('downloads://my-net', 'save').save({ ...a, weightData: new Uint8Array(w).buffer })).modelArtifactsInfo;
      return { weightDataBytes: info.weightDataBytes };
    }, { a: ARTIFACTS, w: WEIGHTS });
    expect(r).toEqual({ weightDataBytes: 48 });
    const deadline = Date.now() + 10_000;
    while (downloads.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(downloads.map((d) => d.suggestedFilename())).toEqual(['my-net.json', 'my-net.weights.bin']);
    const dir = join(tmp, 'downloaded');
    mkdirSync(dir);
    for (const d of downloads) writeFileSync(join(dir, d.suggestedFilename()), readFileSync((await d.path())!));
    const json = JSON.parse(readFileSync(join(dir, 'my-net.json'), 'utf8'));
    expect(json).toEqual({ ...ARTIFACTS, weightsManifest: [{ paths: ['./my-net.weights.bin'], weights: ARTIFACTS.weightSpecs }], weightSpecs: undefined });
    const back = await getLoadHandler(`file://${join(dir, 'my-net.json')}`, 'loadModel').load!();
    expect(Array.from(new Uint8Array(back.weightData as ArrayBuffer))).toEqual(WEIGHTS);
    expect(back.weightSpecs).toEqual(ARTIFACTS.weightSpecs);
  });
});
