// The built bundles in headless Chromium, Firefox and WebKit (Debian's chromium through
// playwright-core, firefox-esr and WebKitGTK's MiniBrowser without a driver:
// test/runtimes/pages.ts), served from 127.0.0.1 with `Content-Type: application/wasm`. Both
// entries run test/runtimes/smoke.mjs with every init() source (default, bytes, URL, URL string,
// Module, Response) and must produce the same bits as Node: random numbers, seeded training, an
// autoencoder, a resume through IndexedDB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSmoke, CI, nodeReference, ROOT, type SmokeReport } from './runtimes/expect.js';
import { BROWSER_KINDS, browserAvailable, PAGE_TEST_TIMEOUT, startPages, type Pages } from './runtimes/pages.js';
import { startServer } from './runtimes/server.js';

const SOURCES = ['bytes', 'url', 'urlString', 'module', 'response'];

for (const kind of BROWSER_KINDS) {
  describe.skipIf(!browserAvailable(kind))(`${kind} (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
    let pages: Pages | undefined;

    beforeAll(async () => {
      pages = await startPages(kind);
    });

    afterAll(() => pages?.close());

    for (const entry of ['inline', 'url'] as const) {
      it(`${entry} entry: ops, errors, memory, seeded bits and every init() source`, async () => {
        const [run, ref] = await Promise.all([pages!.open<SmokeReport>(`/test/runtimes/page.html?entry=${entry}`), nodeReference()]);
        expect(run.pageErrors, `server log: ${JSON.stringify(pages!.server.requests)}`).toEqual([]);
        checkSmoke(run.result, { runtime: kind, entry, randomHex: ref.randomHex, trainHex: ref.trainHex, sources: SOURCES, resumeVia: 'indexeddb' });
        console.log(`${kind} ${run.result.version} ${entry}: init ${run.result.initMs} ms`);
      }, PAGE_TEST_TIMEOUT);
    }

    // A user's report: a page whose CSP lacks 'wasm-unsafe-eval' got "init: cannot compile the
    // bytes given as WebAssembly" from the default entry, which was given no bytes.
    for (const entry of ['inline', 'url'] as const) {
      it(`${entry} entry under a Content-Security-Policy without 'wasm-unsafe-eval': init() names the module and the directive to add`, async () => {
        type CspRun = { entry: string; error: { name: string; code: string; message: string; neurite: boolean } | null };
        const run = await pages!.open<CspRun>(`/csp/test/runtimes/csp.html?entry=${entry}`);
        const module = entry === 'inline' ? "neurite's inline wasm" : `${pages!.server.origin}/csp/dist/url/core.wasm`;
        expect(run.result.error, `server log: ${JSON.stringify(pages!.server.requests)}`).toMatchObject({ name: 'NeuriteError', code: 'Internal', neurite: true });
        expect(run.result.error!.message).toContain(`init: this page's Content-Security-Policy does not allow WebAssembly, so ${module} cannot be compiled or instantiated: add 'wasm-unsafe-eval' to its script-src directive`);
      }, PAGE_TEST_TIMEOUT);
    }

    // A tester's report: on an isolated page whose CSP allows only same-origin workers, the
    // default entry ran on one thread and threads().reason said only that the script failed.
    it.skipIf(kind !== 'chromium')("an isolated page whose CSP refuses Blob URL workers: the default entry runs on one thread and threads().reason names worker-src blob:; neurite/url's worker.js runs", async () => {
      type Run = { entry: string; error: unknown; threads: { count: number; reason: string | null } };
      const inline = await pages!.open<Run>('/cspw/test/runtimes/csp.html?entry=inline&threads');
      expect(inline.result.error, `server log: ${JSON.stringify(pages!.server.requests)}`).toBe(null);
      expect(inline.result.threads.count).toBe(1);
      expect(inline.result.threads.reason).toContain('the worker script failed to load (from a Blob URL: a Content-Security-Policy must allow it with worker-src blob:');
      const url = await pages!.open<Run>('/cspw/test/runtimes/csp.html?entry=url&threads');
      expect(url.result).toMatchObject({ error: null, threads: { count: 2, reason: null } });
    }, PAGE_TEST_TIMEOUT);

    // A tester's report: a host that sets COOP/COEP on the page but not on worker.js; the reason
    // asked only whether worker.js was served and whether a CSP allowed it.
    it.skipIf(kind !== 'chromium')('an isolated page whose worker.js lacks COEP: one thread, and threads().reason names the header', async () => {
      type Run = { entry: string; error: unknown; threads: { count: number; reason: string | null } };
      const url = await pages!.open<Run>('/coip/test/runtimes/csp.html?entry=url&threads');
      expect(url.result.error, `server log: ${JSON.stringify(pages!.server.requests)}`).toBe(null);
      expect(url.result.threads.count).toBe(1);
      expect(url.result.threads.reason).toContain('is it served with Cross-Origin-Embedder-Policy: require-corp (on a cross-origin-isolated page a worker script needs the header too, not just the page)');
    }, PAGE_TEST_TIMEOUT);
  });
}

describe('the test server', () => {
  it('sends application/wasm and serves only dist/ and test/runtimes/', async () => {
    const server = await startServer(ROOT);
    try {
      const wasm = await fetch(`${server.origin}/dist/url/core.wasm`);
      expect(wasm.status).toBe(200);
      expect(wasm.headers.get('content-type')).toBe('application/wasm');
      expect(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);
      for (const path of ['/package.json', '/dist/../package.json', '/test/runtimes/%2e%2e/%2e%2e/package.json', '/dist/nope.js']) {
        expect((await fetch(`${server.origin}${path}`)).status, path).toBe(404);
      }
    } finally {
      await server.close();
    }
  });
});
