// Headless Firefox for the browser suites, without a driver: Debian's /usr/bin/firefox-esr (or
// FIREFOX_PATH) opens one page in a fresh profile, the page POSTs its result to the static
// server (test/runtimes/publish.mjs → server.ts), and Firefox is killed. (playwright-core
// drives only its own patched Firefox builds; its WebDriver BiDi mode needs commands that ESR
// lacks.) One process per page: ~3 s each here.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDist, requireRuntime, ROOT } from './expect.js';
import { startServer, type StaticServer } from './server.js';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

// A quiet profile: no first-run pages, updates, telemetry or background connections.
const PREFS = {
  'app.update.disabledForTesting': true,
  'browser.aboutwelcome.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.tabs.remote.autostart': true,
  'datareporting.policy.dataSubmissionEnabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'services.settings.server': 'data:,',
};

/** What a page published: its result, the errors and console.info lines it saw, the user agent. */
export interface PageRun<T> {
  result: T;
  pageErrors: string[];
  info: string[];
  userAgent: string;
}

/** Checks dist/ and Firefox are there, then starts the static server (serving `allow`, or its default paths). */
export async function startFirefoxServer(allow?: string[]): Promise<StaticServer> {
  requireDist();
  requireRuntime('firefox', FIREFOX);
  return allow ? startServer(ROOT, allow) : startServer(ROOT);
}

let runs = 0;

/**
 * Opens `path` (relative to the server, query string allowed) in a new headless Firefox with a
 * fresh profile and resolves with what the page published; rejects after `timeoutMs` with the
 * end of Firefox's output. Firefox and its profile are gone when it settles.
 */
export async function runInFirefox<T>(server: StaticServer, path: string, timeoutMs = 60_000): Promise<PageRun<T>> {
  const id = `ff${process.pid}-${++runs}`;
  const url = `${server.origin}${path}${path.includes('?') ? '&' : '?'}report=${id}`;
  const profile = mkdtempSync(join(tmpdir(), 'neurite-firefox-'));
  writeFileSync(join(profile, 'user.js'), Object.entries(PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
  // Its own process group, so that the content processes go with it.
  const ff = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, url], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' } });
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-4000); };
  ff.stdout.on('data', keep);
  ff.stderr.on('data', keep);
  const exited = new Promise<void>((done) => ff.once('exit', () => done()));
  let timer: NodeJS.Timeout | undefined;
  try {
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`firefox: no report from ${path} within ${timeoutMs} ms; its output ended with:\n${output}`)), timeoutMs);
      ff.once('error', (e) => reject(new Error(`firefox: could not start ${FIREFOX}: ${e.message}`)));
      void exited.then(() => reject(new Error(`firefox exited (${ff.exitCode ?? ff.signalCode}) before ${path} reported; its output ended with:\n${output}`)));
    });
    failed.catch(() => {}); // it also rejects when Firefox is killed after the report
    const body = await Promise.race([server.report(id), failed]);
    const run = JSON.parse(body) as { result: T; pageErrors: string[]; info: string[]; userAgent: string };
    return { result: run.result, pageErrors: run.pageErrors, info: run.info, userAgent: run.userAgent };
  } finally {
    clearTimeout(timer);
    if (ff.exitCode === null && ff.signalCode === null) {
      try { process.kill(-ff.pid!, 'SIGKILL'); } catch { ff.kill('SIGKILL'); }
      await exited;
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
