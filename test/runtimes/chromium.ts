// Headless Chromium for the browser suites (playwright-core + Debian's /usr/bin/chromium, or
// CHROMIUM_PATH: scripts/browsers.mjs), with the static test server next to it.
import { chromium, type Browser } from 'playwright-core';
import { requireDist, requireRuntime, ROOT } from './expect.js';
import { startServer, type StaticServer } from './server.js';
import { BROWSERS } from '../../scripts/browsers.mjs';

export const CHROMIUM: string = BROWSERS.chromium.paths[0];
// TOOLCHAIN.md section 7. The host `insecure.test` is the local server under a name that is not
// localhost: an http:// page there is not a secure context (a phone on the LAN, as a user sees).
export const INSECURE_HOST = 'insecure.test';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`];

/**
 * Checks dist/ and Chromium are there, then starts Chromium and the server (serving `allow`, or
 * its default paths, under `root`: the repository, or an app a test built).
 */
export async function launchChromium(allow?: string[], root = ROOT): Promise<[Browser, StaticServer]> {
  requireDist();
  requireRuntime('chromium', CHROMIUM);
  return Promise.all([chromium.launch({ executablePath: CHROMIUM, args: ARGS }), allow ? startServer(root, allow) : startServer(root)]);
}

/** Closes what {@link launchChromium} started (either may be missing after a failed launch). */
export async function closeChromium(browser: Browser | undefined, server: StaticServer | undefined): Promise<void> {
  await browser?.close();
  await server?.close();
}
