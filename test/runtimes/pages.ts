// One way to open a test page in any browser of the suites and get what it published
// (test/runtimes/publish.mjs): Chromium through playwright-core (one browser, a tab per page:
// chromium.ts), Firefox and WebKit without a driver (a process per page: headless.ts).
import type { Browser } from 'playwright-core';
import { CHROMIUM, closeChromium, launchChromium } from './chromium.js';
import { runtimeAvailable } from './expect.js';
import { headlessAvailable, runHeadless, startHeadlessServer, type Headless, type PageRun } from './headless.js';
import type { StaticServer } from './server.js';

export type BrowserKind = 'chromium' | Headless;
export const BROWSER_KINDS: readonly BrowserKind[] = ['chromium', 'firefox', 'webkit'];

/**
 * The timeout of a test that opens one page: the page's own 60 s, and once more as long for
 * the retry of a browser that never reported (runHeadless), with room to spare (a 90 s timeout
 * cut that retry short in a full local run: one WebKit page never reported in 60 s).
 */
export const PAGE_TEST_TIMEOUT = 150_000;

/** A browser ready to open pages from its static server. */
export interface Pages {
  server: StaticServer;
  /** Opens `path` (relative to the server) and resolves with what the page published. */
  open<T>(path: string, timeoutMs?: number): Promise<PageRun<T>>;
  close(): Promise<void>;
}

/** Whether the suite for `kind` runs: the browser is there, or this is CI (which then fails without it). */
export function browserAvailable(kind: BrowserKind): boolean {
  return kind === 'chromium' ? runtimeAvailable(CHROMIUM) : headlessAvailable(kind);
}

/**
 * Starts `kind` (Chromium) or checks it is there (Firefox, WebKit), with the static server
 * serving `allow` (default: dist/ and test/runtimes/).
 */
export async function startPages(kind: BrowserKind, allow?: string[]): Promise<Pages> {
  if (kind !== 'chromium') {
    const server = await startHeadlessServer(kind, allow);
    return { server, open: (path, timeoutMs) => runHeadless(kind, server, path, timeoutMs), close: () => server.close() };
  }
  const [browser, server] = await launchChromium(allow);
  return { server, open: (path, timeoutMs) => openInChromium(browser, server, path, timeoutMs), close: () => closeChromium(browser, server) };
}

/** A new tab on `path`; the page's errors and console lines as playwright sees them, its result from window.__result. */
async function openInChromium<T>(browser: Browser, server: StaticServer, path: string, timeoutMs = 60_000): Promise<PageRun<T>> {
  const page = await browser.newPage();
  const pageErrors: string[] = [];
  const info: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
    if (m.type() === 'info') info.push(m.text());
  });
  try {
    await page.goto(/^https?:/.test(path) ? path : `${server.origin}${path}`);
    await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result, null, { timeout: timeoutMs });
    const result = (await page.evaluate(() => (window as unknown as { __result: unknown }).__result)) as T;
    return { result, pageErrors, info, userAgent: await page.evaluate(() => navigator.userAgent) };
  } finally {
    await page.close();
  }
}
