// Issue 12 in Chromium, Firefox, WebKit and Deno, against the built bundles: the seeded MLP
// gives the same bits with 1, 2, 3 and 8 threads in a cross-origin-isolated page, inside a
// Worker of that page, and in Deno (both entries); a page that is not isolated runs on one
// thread and says so once (so does WebKitGTK, which has no SharedArrayBuffer even when
// isolated, with its own reason); a Deno script with workers exits by itself.
// test/runtimes/threads.mjs does the work.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRelaxed, CI, nodeReference, requireDist, requireRuntime, ROOT, runtimeAvailable, type RelaxedReport } from './runtimes/expect.js';
import { BROWSER_KINDS, browserAvailable, PAGE_TEST_TIMEOUT, startPages, type Pages } from './runtimes/pages.js';
import { startServer } from './runtimes/server.js';
import { INSECURE_HOST } from './runtimes/chromium.js';

const DENO = process.env.DENO_PATH ?? join(ROOT, 'node_modules/.bin/deno');
const run = promisify(execFile);

interface Report {
  runs: Array<{ threads: number; count: number; reason: string | null; memoryThreads: number; mlpHex: string; predictHex: string; trainHex: string }>;
  error?: string;
  notices?: string[];
  crossOriginIsolated?: boolean;
  sharedArrayBuffer?: boolean;
  where?: string;
  busy?: number[];
  relaxed?: RelaxedReport;
}

/** All runs give the bits of the first, and the smoke model matches Node's single-process reference. */
async function sameBits(r: Report, counts: number[]): Promise<void> {
  expect(r.error).toBeUndefined();
  expect(r.runs.map((x) => x.threads)).toEqual(counts);
  for (const x of r.runs.slice(1)) {
    expect(x.mlpHex === r.runs[0].mlpHex, `MLP weights with ${x.threads} threads`).toBe(true);
    expect(x.predictHex === r.runs[0].predictHex, `predictions with ${x.threads} threads`).toBe(true);
    expect(x.trainHex, `smoke model with ${x.threads} threads`).toBe(r.runs[0].trainHex);
  }
  expect(r.runs[0].trainHex).toBe((await nodeReference()).trainHex);
}

// Chromium and Firefox share memory with workers on an isolated page; WebKitGTK has no
// SharedArrayBuffer even there (Safari has), so it runs on one thread and says why (not "not
// isolated"). Chromium and Firefox run relaxed-SIMD code, WebKitGTK 2.50 does not.
const SHARES_MEMORY = { chromium: true, firefox: true, webkit: false } as const;
const RELAXED_SIMD = { chromium: true, firefox: true, webkit: false } as const;

for (const kind of BROWSER_KINDS) {
  describe.skipIf(!browserAvailable(kind))(`${kind} threads (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
    let pages: Pages | undefined;

    beforeAll(async () => {
      pages = await startPages(kind);
    });

    afterAll(() => pages?.close());

    // The browser's main thread may not block (Atomics.wait throws there): the pool's calling
    // thread spins, which the main-thread runs check in every engine.
    for (const entry of ['inline', 'url'] as const) {
      for (const where of ['main', 'worker'] as const) {
        it(`isolated page, ${entry} entry, on the ${where === 'main' ? 'main thread' : 'Worker'}: 1, 2, 3, 8 threads give the same bits${entry === 'url' ? '; relaxed SIMD' : ''}`, async () => {
          const counts = [1, 2, 3, 8];
          const { result, pageErrors } = await pages!.open<Report>(`/coi/test/runtimes/threads.html?entry=${entry}&in=${where}&threads=${counts.join(',')}${entry === 'url' ? '&relaxed' : ''}`);
          expect(pageErrors, `server log: ${JSON.stringify(pages!.server.requests.slice(-20))}`).toEqual([]);
          expect(result.crossOriginIsolated).toBe(true);
          expect(result.where).toBe(where);
          await sameBits(result, counts);
          expect(result.sharedArrayBuffer).toBe(SHARES_MEMORY[kind]);
          if (SHARES_MEMORY[kind]) {
            expect(result.runs.map((x) => x.count)).toEqual(counts);
            expect(result.notices).toEqual([]);
          } else {
            expect(result.runs.map((x) => x.count)).toEqual(counts.map(() => 1));
            for (const x of result.runs.slice(1)) expect(x.reason).toBe('this browser does not let workers share memory (it has no SharedArrayBuffer, although the page is cross-origin isolated)');
            expect(result.notices!.filter((m) => /neurite: running on 1 of/.test(m))).toHaveLength(1);
          }
          if (entry === 'url') checkRelaxed(result.relaxed, RELAXED_SIMD[kind]);
        }, PAGE_TEST_TIMEOUT);
      }
    }

    // neurite/url from a CDN: the browser refuses a module Worker from the bundle's origin, so
    // the workers start from a Blob URL of the same code (they ran on one thread before).
    for (const where of ['main', 'worker'] as const) {
      it(`isolated page, url entry from another origin (a CDN), on the ${where === 'main' ? 'main thread' : 'Worker'}: the workers start, same bits`, async () => {
        const cdn = await startServer(ROOT);
        try {
          const counts = [1, 2, 3];
          const { result, pageErrors } = await pages!.open<Report>(`/coi/test/runtimes/threads.html?entry=url&in=${where}&threads=${counts.join(',')}&lib=${encodeURIComponent(`${cdn.origin}/cors`)}`);
          expect(pageErrors, `server log: ${JSON.stringify(cdn.requests.slice(-20))}`).toEqual([]);
          expect(cdn.requests.some(([status, path]) => status === 200 && path === '/cors/dist/url/core.wasm'), 'the wasm came from the other origin').toBe(true);
          expect(cdn.requests.some(([, path]) => path.endsWith('/worker.js')), 'no worker.js request to the other origin').toBe(false);
          await sameBits(result, counts);
          expect(result.runs.map((x) => x.count)).toEqual(SHARES_MEMORY[kind] ? counts : counts.map(() => 1));
          if (SHARES_MEMORY[kind]) expect(result.notices).toEqual([]);
        } finally {
          await cdn.close();
        }
      }, PAGE_TEST_TIMEOUT);
    }

    it('a page that is not cross-origin isolated runs on one thread and says so once (threads().reason + one console.info)', async () => {
      const { result, pageErrors, info } = await pages!.open<Report>('/test/runtimes/threads.html?entry=inline&threads=4,4,2');
      expect(pageErrors).toEqual([]);
      expect(result.crossOriginIsolated).toBe(false);
      expect(result.error).toBeUndefined();
      expect(result.runs.map((x) => x.count)).toEqual([1, 1, 1]);
      expect(result.runs[0].reason).toMatch(/not cross-origin isolated/);
      const notices = info.filter((m) => /neurite: running on 1 of/.test(m));
      expect(notices.length, notices.join('\n')).toBe(1);
      expect(result.runs[1].mlpHex).toBe(result.runs[0].mlpHex);
    }, PAGE_TEST_TIMEOUT);

    it.skipIf(kind !== 'chromium')('an http:// page on a host other than localhost, sent COOP/COEP, says it is not a secure context (browsers ignore COOP there)', async () => {
      const url = new URL('/coi/test/runtimes/threads.html?entry=inline&threads=2', pages!.server.origin);
      url.hostname = INSECURE_HOST;
      const { result, pageErrors } = await pages!.open<Report>(url.href);
      // Chromium's own console error says it ignored the header; nothing else is logged.
      expect(pageErrors.filter((e) => !/Cross-Origin-Opener-Policy header has been ignored, because the URL's origin was untrustworthy/.test(e))).toEqual([]);
      expect(result.crossOriginIsolated).toBe(false);
      expect(result.runs.map((x) => x.count)).toEqual([1]);
      expect(result.runs[0].reason).toMatch(/not a secure context \(http:\/\/ from an address other than localhost.*serve it over https, or open it as http:\/\/localhost/);
    }, PAGE_TEST_TIMEOUT);
  });
}

describe.skipIf(!runtimeAvailable(DENO))(`Deno threads (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  beforeAll(() => {
    requireDist();
    requireRuntime('deno', DENO);
  });

  async function deno(flags: string[], args: string[]): Promise<Report> {
    const all = ['run', '--no-prompt', '--no-config', '--no-lock', ...flags, join(ROOT, 'test/runtimes/threads.mjs'), ...args];
    // The timeout doubles as the exit check: the script ends without shutdown().
    const { stdout } = await run(DENO, all, { cwd: ROOT, timeout: 90_000, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Report;
  }

  it('inline entry, no permissions: 1, 2, 3, 8 threads give the same bits, and the process exits with workers busy', async () => {
    const r = await deno([], ['inline', '1,2,3,8', 'busy']);
    await sameBits(r, [1, 2, 3, 8]);
    expect(r.runs.map((x) => x.count)).toEqual([1, 2, 3, 8]);
    expect(r.busy).toEqual([512, 512]);
  });

  it("inline entry, the default init(): no workers until the training's first large call, then they start; the same bits, and the process exits with workers busy", async () => {
    const r = await deno([], ['inline', '1,default', 'busy']);
    await sameBits(r, [1, 'default'] as never);
    const d = r.runs[1] as Report['runs'][number] & { ready: number; requested: number };
    expect(d.count).toBe(1);
    if (d.requested > 1) expect(d.reason).toMatch(/first call large enough to split/);
    expect(d.ready).toBe(d.requested);
    expect(r.busy).toEqual([512, 512]);
  });

  it('url entry with --allow-read: threads work and the process exits', async () => {
    const r = await deno(['--allow-read'], ['url', '1,3']);
    await sameBits(r, [1, 3]);
    expect(r.runs.map((x) => x.count)).toEqual([1, 3]);
  });
});
