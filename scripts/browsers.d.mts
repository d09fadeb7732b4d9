// Types of scripts/browsers.mjs for the TypeScript test harness (test/runtimes/).
export interface Browser {
  name: string;
  /** The browser's executable first, then any helper it needs (xvfb-run for WebKit). */
  paths: string[];
  overridden: boolean;
  packages: string[];
  suites: string;
}
export const BROWSERS: { chromium: Browser; firefox: Browser; webkit: Browser };
export function missingPaths(browser: Browser): string[];
