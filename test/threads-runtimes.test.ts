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
import type { Browser } from 'playwright-core';
import { checkRelaxed, CI, nodeReference, requireDist, requireRuntime, ROOT, runtimeAvailable, type RelaxedReport } from './runtimes/expect.js';
import { CHROMIUM, closeChromium, launchChromium } from './runtimes/chromium.js';
import { headlessAvailable, runHeadless, startHeadlessServer } from './runtimes/headless.js';
import type { StaticServer } from './runtimes/server.js';

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

/** Which browsers run relaxed-SIMD code (`init({ relaxedSimd: true })` loads core-relaxed.wasm). */
const RELAXED_SIMD = { chromium: true, firefox: true, webkit: false } as const;

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

describe.skipIf(!runtimeAvailable(CHROMIUM))(`Chromium threads (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;

  beforeAll(async () => {
    [browser, server] = await launchChromium();
  });

  afterAll(() => closeChromium(browser, server));

  async function page(path: string): Promise<{ report: Report; pageErrors: string[]; info: string[] }> {
    const p = await browser!.newPage();
    const pageErrors: string[] = [];
    const info: string[] = [];
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    p.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
      if (m.type() === 'info') info.push(m.text());
    });
    try {
      await p.goto(`${server!.origin}${path}`);
      await p.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, null, { timeout: 50_000 });
      return { report: (await p.evaluate(() => (window as unknown as { __result: unknown }).__result)) as Report, pageErrors, info };
    } finally {
      await p.close();
    }
  }

  for (const entry of ['inline', 'url'] as const) {
    for (const where of ['main', 'worker'] as const) {
      it(`isolated page, ${entry} entry, on the ${where === 'main' ? 'main thread' : 'Worker'}: 1, 2, 3, 8 threads give the same bits${entry === 'url' ? '; relaxed SIMD loads' : ''}`, async () => {
        const counts = [1, 2, 3, 8];
        const { report, pageErrors } = await page(`/coi/test/runtimes/threads.html?entry=${entry}&in=${where}&threads=${counts.join(',')}${entry === 'url' ? '&relaxed' : ''}`);
        if (entry === 'url') checkRelaxed(report.relaxed, RELAXED_SIMD.chromium);
        expect(pageErrors, `server log: ${JSON.stringify(server!.requests.slice(-20))}`).toEqual([]);
        expect(report.crossOriginIsolated).toBe(true);
        expect(report.where).toBe(where);
        await sameBits(report, counts);
        expect(report.runs.map((x) => x.count)).toEqual(counts);
        expect(report.notices).toEqual([]);
      });
    }
  }

  it('a page that is not cross-origin isolated runs on one thread and says so once (threads().reason + one console.info)', async () => {
    const { report, pageErrors, info } = await page('/test/runtimes/threads.html?entry=inline&threads=4,4,2');
    expect(pageErrors).toEqual([]);
    expect(report.crossOriginIsolated).toBe(false);
    expect(report.error).toBeUndefined();
    expect(report.runs.map((x) => x.count)).toEqual([1, 1, 1]);
    expect(report.runs[0].reason).toMatch(/not cross-origin isolated/);
    const notices = info.filter((m) => /neurite: running on 1 of/.test(m));
    expect(notices.length, notices.join('\n')).toBe(1);
    expect(report.runs[1].mlpHex).toBe(report.runs[0].mlpHex);
  });
});

// Firefox shares memory with workers on an isolated page; WebKitGTK has no SharedArrayBuffer
// even there (Safari has), so it must run on one thread and say why (not "not isolated").
const SHARES_MEMORY = { firefox: true, webkit: false } as const;

for (const kind of ['firefox', 'webkit'] as const) {
  describe.skipIf(!headlessAvailable(kind))(`${kind} threads (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
    let server: StaticServer | undefined;

    beforeAll(async () => {
      server = await startHeadlessServer(kind);
    });

    afterAll(() => server?.close());

    // The browser's main thread may not block (Atomics.wait throws there): the pool's calling
    // thread spins, which this checks in more engines.
    for (const entry of ['inline', 'url'] as const) {
      for (const where of ['main', 'worker'] as const) {
        it(`isolated page, ${entry} entry, on the ${where === 'main' ? 'main thread' : 'Worker'}: 1, 2, 3, 8 threads give the same bits${entry === 'url' ? '; relaxed SIMD' : ''}`, async () => {
          const counts = [1, 2, 3, 8];
          const { result, pageErrors } = await runHeadless<Report>(kind, server!, `/coi/test/runtimes/threads.html?entry=${entry}&in=${where}&threads=${counts.join(',')}${entry === 'url' ? '&relaxed' : ''}`);
          if (entry === 'url') checkRelaxed(result.relaxed, RELAXED_SIMD[kind]);
          expect(pageErrors, `server log: ${JSON.stringify(server!.requests.slice(-20))}`).toEqual([]);
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
        }, 90_000);
      }
    }

    it('a page that is not cross-origin isolated runs on one thread and says so once (threads().reason + one console.info)', async () => {
      const { result, pageErrors, info } = await runHeadless<Report>(kind, server!, '/test/runtimes/threads.html?entry=inline&threads=4,4,2');
      expect(pageErrors).toEqual([]);
      expect(result.crossOriginIsolated).toBe(false);
      expect(result.error).toBeUndefined();
      expect(result.runs.map((x) => x.count)).toEqual([1, 1, 1]);
      expect(result.runs[0].reason).toMatch(/not cross-origin isolated/);
      const notices = info.filter((m) => /neurite: running on 1 of/.test(m));
      expect(notices.length, notices.join('\n')).toBe(1);
      expect(result.runs[1].mlpHex).toBe(result.runs[0].mlpHex);
    }, 90_000);
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

  it('url entry with --allow-read: threads work and the process exits', async () => {
    const r = await deno(['--allow-read'], ['url', '1,3']);
    await sameBits(r, [1, 3]);
    expect(r.runs.map((x) => x.count)).toEqual([1, 3]);
  });
});
