// The built bundles in headless Chromium (playwright-core + Debian's /usr/bin/chromium), Firefox
// and WebKit (Debian's firefox-esr and WebKitGTK's MiniBrowser, test/runtimes/headless.ts),
// served from 127.0.0.1 with
// `Content-Type: application/wasm`. Both entries run test/runtimes/smoke.mjs with every init()
// source (default, bytes, URL, URL string, Module, Response) and must produce the same bits as
// Node: random numbers, seeded training, an autoencoder, a resume through IndexedDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { checkSmoke, CI, nodeReference, runtimeAvailable, type SmokeReport } from './runtimes/expect.js';
import { CHROMIUM, closeChromium, launchChromium } from './runtimes/chromium.js';
import { headlessAvailable, runHeadless, startHeadlessServer } from './runtimes/headless.js';
import type { StaticServer } from './runtimes/server.js';

const SOURCES = ['bytes', 'url', 'urlString', 'module', 'response'];

describe.skipIf(!runtimeAvailable(CHROMIUM))(`Chromium (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;

  beforeAll(async () => {
    [browser, server] = await launchChromium();
  });

  afterAll(() => closeChromium(browser, server));

  /** Loads the page for `entry` and returns its report plus any page errors. */
  async function run(entry: 'inline' | 'url'): Promise<{ report: SmokeReport; pageErrors: string[] }> {
    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    try {
      await page.goto(`${server!.origin}/test/runtimes/page.html?entry=${entry}`);
      await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, null, { timeout: 15_000 });
      const report = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as SmokeReport;
      return { report, pageErrors };
    } finally {
      await page.close();
    }
  }

  for (const entry of ['inline', 'url'] as const) {
    it(`${entry} entry: ops, errors, memory, seeded bits and every init() source`, async () => {
      const [{ report, pageErrors }, ref] = await Promise.all([run(entry), nodeReference()]);
      expect(pageErrors, `server log: ${JSON.stringify(server!.requests)}`).toEqual([]);
      checkSmoke(report, { runtime: 'chromium', entry, randomHex: ref.randomHex, trainHex: ref.trainHex, sources: SOURCES, resumeVia: 'indexeddb' });
      console.log(`chromium ${report.version} ${entry}: init ${report.initMs} ms`);
    });
  }

  it('the server sends application/wasm and serves only dist/ and test/runtimes/', async () => {
    const wasm = await fetch(`${server!.origin}/dist/url/core.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);
    for (const path of ['/package.json', '/dist/../package.json', '/test/runtimes/%2e%2e/%2e%2e/package.json', '/dist/nope.js']) {
      expect((await fetch(`${server!.origin}${path}`)).status, path).toBe(404);
    }
  });
});

for (const kind of ['firefox', 'webkit'] as const) {
  describe.skipIf(!headlessAvailable(kind))(`${kind} (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
    let server: StaticServer | undefined;

    beforeAll(async () => {
      server = await startHeadlessServer(kind);
    });

    afterAll(() => server?.close());

    for (const entry of ['inline', 'url'] as const) {
      it(`${entry} entry: ops, errors, memory, seeded bits and every init() source`, async () => {
        const [run, ref] = await Promise.all([runHeadless<SmokeReport>(kind, server!, `/test/runtimes/page.html?entry=${entry}`), nodeReference()]);
        expect(run.pageErrors, `server log: ${JSON.stringify(server!.requests)}`).toEqual([]);
        checkSmoke(run.result, { runtime: kind, entry, randomHex: ref.randomHex, trainHex: ref.trainHex, sources: SOURCES, resumeVia: 'indexeddb' });
        console.log(`${kind} ${run.result.version} ${entry}: init ${run.result.initMs} ms`);
      }, 90_000);
    }
  });
}
