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

  it("asks core.wasm's URL, never import.meta.url alone (a bundler's file:// path) nor a second worker.js URL (Vite's data: URL); an inline worker's blob: URL, against which core.wasm's throws, starts the code", () => {
    const src = readFileSync(new URL('../ts/url.ts', import.meta.url), 'utf8');
    const web = /web: \(\) => \{\n([\s\S]*?)\n {8}\},\n/.exec(src)?.[1] ?? '';
    expect(web).toContain("wasm = new URL('./core.wasm', import.meta.url);");
    expect(web).toMatch(/catch \(err\) \{\s*if \(inlineUrl\(import\.meta\.url\)\) return null;\s*throw err;\s*\}/);
    expect(web).toMatch(/return foreignOrigin\(wasm\) \? null : new Worker\(new URL\('\.\/worker\.js', import\.meta\.url\), \{ type: 'module' \}\);$/);
    expect(web.match(/import\.meta\.url/g), 'core.wasm, the inline check, worker.js').toHaveLength(3);
  });
});

// An inline worker (Vite's ?worker&inline) runs from a blob: URL (a data: URL where a Blob is
// refused): a chunk neurite imports on first use is not found next to it. test/bundler.test.ts
// runs that in Chromium; here the message's parts, with the realm's location stubbed.
describe('a chunk that fails to load in an inline worker', () => {
  afterEach(() => vi.unstubAllGlobals());
  const fail = async () => {
    const { lazyChunk } = await import('../ts/lazy_chunk.js');
    const load = lazyChunk(() => Promise.reject(new TypeError("Failed to resolve module specifier './io-Ab3dE_9x.js'")), 'io.js', 'storage code');
    return (await load('loadModel').catch((e: unknown) => e)) as Error;
  };
  const own = "loadModel: loading neurite's storage code (io.js next to the neurite bundle) failed: Failed to resolve module specifier './io-Ab3dE_9x.js'";

  it('from a blob: or data: URL says so and what works; elsewhere the message is the load\'s own', async () => {
    vi.stubGlobal('location', { href: 'http://localhost:5173/assets/worker-x.js' });
    expect((await fail()).message).toBe(own);
    vi.stubGlobal('location', { href: 'blob:http://localhost:5173/0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d' });
    const blob = await fail();
    expect(blob.name).toBe('IOError');
    expect(blob.message).toBe(
      `${own}: neurite runs from a blob: URL here (blob:http://localhost:5173/0b6c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d), an inline worker (Vite's ?worker&inline with worker.format 'es'), so the chunks neurite imports on first use (train.js, io.js, data.js, and the default entry's wasm.js) cannot be found next to it. Start the worker from its file (Vite: import MyWorker from './worker.ts?worker', without &inline), or set Vite's worker.format to 'iife' (its default), which inlines them into the worker (see the README's Training in a Web Worker)`,
    );
    // A data: URL holds the whole script: only its start is shown.
    vi.stubGlobal('location', { href: `data:text/javascript;base64,${'A'.repeat(5000)}` });
    expect((await fail()).message).toContain(': neurite runs from a data: URL here (data:text/javascript;base64,AA…), an inline worker');
  });
});
