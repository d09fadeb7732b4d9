// Headless Firefox and WebKit for the browser suites, without a driver: the browser opens one
// page in a fresh profile, the page POSTs its result to the static server
// (test/runtimes/publish.mjs → server.ts), and the browser is killed. (playwright-core drives
// only its own patched Firefox and WebKit builds; its WebDriver BiDi mode needs commands that
// Firefox ESR lacks.) One process per page: 1–4 s each here.
//   firefox  Debian's firefox-esr, --headless
//   webkit   WebKitGTK's MiniBrowser, the engine of Safari (JavaScriptCore), on a virtual X
//            display (xvfb-run)
// Where they are and which packages give them: scripts/browsers.mjs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDist, requireRuntime, ROOT, runtimeAvailable } from './expect.js';
import { startServer, type StaticServer } from './server.js';
import { BROWSERS as WHERE } from '../../scripts/browsers.mjs';

export type Headless = 'firefox' | 'webkit';

// A quiet Firefox profile: no first-run pages, updates, telemetry or background connections.
const FIREFOX_PREFS = {
  'app.update.disabledForTesting': true,
  'browser.aboutwelcome.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'datareporting.policy.dataSubmissionEnabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'services.settings.server': 'data:,',
};

/** The command line and extra environment that open `url` with the browser's data under `profile` (`run`: this process's launch count). */
type Launch = (url: string, profile: string, run: number) => { cmd: string; args: string[]; env: Record<string, string> };

const LAUNCH: Record<Headless, Launch> = {
  firefox(url, profile) {
    writeFileSync(join(profile, 'user.js'), Object.entries(FIREFOX_PREFS).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
    return { cmd: WHERE.firefox.paths[0], args: ['--headless', '--no-remote', '--profile', profile, url], env: { MOZ_CRASHREPORTER_DISABLE: '1' } };
  },
  webkit(url, profile, run) {
    // WebKit keeps IndexedDB, caches and settings under the XDG folders, and xvfb-run its
    // Xauthority in TMPDIR: all in the profile.
    const dirs = Object.fromEntries(['DATA', 'CACHE', 'CONFIG'].map((k) => [`XDG_${k}_HOME`, join(profile, k.toLowerCase())]));
    dirs.TMPDIR = join(profile, 'tmp');
    for (const dir of Object.values(dirs)) mkdirSync(dir);
    const [miniBrowser, xvfbRun] = WHERE.webkit.paths;
    // A display number of this process's own (vitest runs test files in parallel processes):
    // `xvfb-run -a` picks the first free one, and two starting at once can race for it.
    const display = 100 + (process.pid % 4000) * 16 + (run % 16);
    return { cmd: xvfbRun, args: ['-n', String(display), miniBrowser, url], env: dirs };
  },
};

/** Whether the suite for `kind` runs: its executables are there, or this is CI (which then fails without them). */
export function headlessAvailable(kind: Headless): boolean {
  return WHERE[kind].paths.every((p) => runtimeAvailable(p));
}

/** Checks dist/ and the browser are there, then starts the static server (serving `allow`, default dist/ and test/runtimes/). */
export async function startHeadlessServer(kind: Headless, allow?: string[]): Promise<StaticServer> {
  requireDist();
  for (const p of WHERE[kind].paths) requireRuntime(kind, p);
  return allow ? startServer(ROOT, allow) : startServer(ROOT);
}

/** What a page published: its result, the errors and console.info lines it saw, the user agent. */
export interface PageRun<T> {
  result: T;
  pageErrors: string[];
  info: string[];
  userAgent: string;
}

let runs = 0;

/**
 * Opens `path` (relative to the server, query string allowed) in a new headless `kind` browser
 * with a fresh profile and resolves with what the page published; a browser that ends or
 * times out (`timeoutMs`) before the page reports is launched once more, then the error names
 * the end of its output. The browser and its profile are gone when it settles.
 */
export async function runHeadless<T>(kind: Headless, server: StaticServer, path: string, timeoutMs = 60_000): Promise<PageRun<T>> {
  try {
    return await launchOnce<T>(kind, server, path, timeoutMs);
  } catch (err) {
    // A browser that never reported (it did not start, or hung before the page ran) gets one
    // more try, said in the log; a page that reported an error is not retried.
    if (!(err instanceof NoReport)) throw err;
    console.warn(`${(err as Error).message}\nretrying once`);
    return launchOnce<T>(kind, server, path, timeoutMs);
  }
}

/** The browser ended, or the time ran out, before the page reported. */
class NoReport extends Error {}

async function launchOnce<T>(kind: Headless, server: StaticServer, path: string, timeoutMs: number): Promise<PageRun<T>> {
  const run = ++runs;
  const id = `${kind}${process.pid}-${run}`;
  const url = `${server.origin}${path}${path.includes('?') ? '&' : '?'}report=${id}`;
  const profile = mkdtempSync(join(tmpdir(), `neurite-${kind}-`));
  const { cmd, args, env } = LAUNCH[kind](url, profile, run);
  // Its own process group, so that the content processes (and Xvfb) go with it.
  const browser = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } });
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-4000); };
  browser.stdout.on('data', keep);
  browser.stderr.on('data', keep);
  const exited = new Promise<void>((done) => browser.once('exit', () => done()));
  let timer: NodeJS.Timeout | undefined;
  try {
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NoReport(`${kind}: no report from ${path} within ${timeoutMs} ms; its output ended with:\n${output}`)), timeoutMs);
      browser.once('error', (e) => reject(new Error(`${kind}: could not start ${cmd}: ${e.message}`)));
      void exited.then(() => reject(new NoReport(`${kind} exited (${browser.exitCode ?? browser.signalCode}) before ${path} reported; its output ended with:\n${output}`)));
    });
    failed.catch(() => {}); // it also rejects when the browser is killed after the report
    const body = await Promise.race([server.report(id), failed]);
    const run = JSON.parse(body) as { result: T; pageErrors: string[]; info: string[]; userAgent: string };
    return { result: run.result, pageErrors: run.pageErrors, info: run.info, userAgent: run.userAgent };
  } finally {
    clearTimeout(timer);
    // SIGTERM first, so that Xvfb removes its lock file and xvfb-run its temp folder.
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (browser.exitCode !== null || browser.signalCode !== null) break;
      try { process.kill(-browser.pid!, signal); } catch { browser.kill(signal); }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
