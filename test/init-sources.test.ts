// Where init() looks for a URL string given to it, in both entries: relative to the page (in a
// browser or a worker), never to neurite's own module (a bundler may have rewritten that to the
// build machine's path); and when neurite/url's browser workers start from worker.js.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as url from '../ts/url.js';
import { readFileSync } from 'node:fs';
import { foreignOrigin } from '../ts/init.js';

const message = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  return 'resolved';
};

describe('init(source) with a URL string', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("neurite/url refuses a relative path where there is no page (Node), as 'neurite' does: it resolved against its own folder", async () => {
    expect(await message(url.init({ source: './core.wasm', threads: 1 }))).toMatch(/^init: source "\.\/core\.wasm" is not a URL \(there is no page to resolve a relative URL against\)/);
  });

  it('resolves a relative path against the page, in neurite/url too', async () => {
    const asked: string[] = [];
    vi.stubGlobal('location', { href: 'http://page.test/app/index.html', origin: 'http://page.test' });
    vi.stubGlobal('fetch', async (u: string | URL) => {
      asked.push(String(u));
      throw new TypeError('Failed to fetch');
    });
    const m = await message(url.init({ source: 'models/my-core.wasm', threads: 1 }));
    expect(asked).toEqual(['http://page.test/app/models/my-core.wasm']);
    expect(m).toContain('http://page.test/app/models/my-core.wasm');
  });
});

describe("neurite/url's worker file in a browser", () => {
  afterEach(() => vi.unstubAllGlobals());

  it('starts from worker.js unless core.wasm, emitted beside it, is of another origin', () => {
    vi.stubGlobal('location', { href: 'http://page.test/', origin: 'http://page.test' });
    // Served next to the page (Vite, and webpack and Parcel, whose import.meta.url is the build
    // machine's file:// path, though they serve what they emit).
    expect(foreignOrigin(new URL('http://page.test/assets/core-abc.wasm'))).toBe(false);
    expect(foreignOrigin(new URL('http://page.test/d7ce456e.wasm'))).toBe(false);
    // A CDN (a Blob URL instead).
    expect(foreignOrigin(new URL('https://cdn.test/neurite/dist/url/core.wasm'))).toBe(true);
  });

  it("asks core.wasm's URL, never import.meta.url alone (a bundler's file:// path) nor a second worker.js URL (Vite's data: URL)", () => {
    const src = readFileSync(new URL('../ts/url.ts', import.meta.url), 'utf8');
    const web = /web: \(\) => \((.*)\),\n/.exec(src)?.[1] ?? '';
    expect(web).toMatch(/^foreignOrigin\(new URL\('\.\/core\.wasm', import\.meta\.url\)\) \? null : new Worker\(new URL\('\.\/worker\.js', import\.meta\.url\), \{ type: 'module' \}\)$/);
  });
});
