// The browsers the test suites run in: where their executables are (an environment variable
// overrides the Debian path), the Debian packages that provide them, and the suites that need
// them. One table for scripts/ensure-deps.mjs (installs what is missing), scripts/test-summary.mjs
// (names what was skipped) and test/runtimes/ (launches them).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** WebKitGTK's MiniBrowser (package libwebkit2gtk-4.1-0) under /usr/lib/<multiarch>/. */
function miniBrowser() {
  const lib = '/usr/lib';
  const arch = existsSync(lib) ? readdirSync(lib).find((d) => existsSync(join(lib, d, 'webkit2gtk-4.1/MiniBrowser'))) : undefined;
  return join(lib, arch ?? 'x86_64-linux-gnu', 'webkit2gtk-4.1/MiniBrowser');
}

/**
 * `paths[0]` is the browser; `overridden` when an environment variable chose it (then nothing is
 * installed for it).
 */
export const BROWSERS = {
  chromium: {
    name: 'Chromium',
    paths: [process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'],
    overridden: process.env.CHROMIUM_PATH !== undefined,
    packages: ['chromium'],
    suites: 'test/browser.test.ts, test/browser-storage.test.ts, test/browser-io.test.ts, test/threads-runtimes.test.ts',
  },
  firefox: {
    name: 'Firefox',
    paths: [process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'],
    overridden: process.env.FIREFOX_PATH !== undefined,
    packages: ['firefox-esr'],
    suites: 'test/browser.test.ts, test/browser-storage.test.ts, test/threads-runtimes.test.ts',
  },
  webkit: {
    name: 'WebKit',
    paths: [process.env.WEBKIT_PATH ?? miniBrowser(), '/usr/bin/xvfb-run'],
    overridden: process.env.WEBKIT_PATH !== undefined,
    packages: ['libwebkit2gtk-4.1-0', 'xvfb', 'xauth'],
    suites: 'test/browser.test.ts, test/browser-storage.test.ts, test/threads-runtimes.test.ts',
  },
};

/** The executables of `browser` that are not there. */
export function missingPaths(browser) {
  return browser.paths.filter((p) => !existsSync(p));
}
