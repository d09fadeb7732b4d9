// The browser storage handlers in headless Chromium (as test/browser.test.ts: playwright-core +
// Debian's /usr/bin/chromium, pages served from 127.0.0.1): indexeddb:// and localstorage://
// round trips byte-exact, both directions against TF.js core 4.22's own handlers
// (tf.io.getSaveHandlers / getLoadHandlers, its browser bundle loaded into the same page), the
// errors of a browser (file://, a missing model, a truncated entry, the localStorage quota), and
// downloads:// starting the two downloads TF.js starts, whose files then load with file:// in Node.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { CI, runtimeAvailable } from './runtimes/expect.js';
import { CHROMIUM, closeChromium, launchChromium } from './runtimes/chromium.js';
import type { StaticServer } from './runtimes/server.js';
import { getLoadHandler } from '../ts/io/router.js';

const TFJS = '/node_modules/@tensorflow/tfjs-core/dist/';

/** Artifacts as plain data for page.evaluate: the weights as bytes. */
const WEIGHTS = Array.from(new Uint8Array(new Float32Array([0.1, -2.5, 3.75, 1e-7, -0, 42, 7.125, -1 / 3, 0.3, 1e30, -5, 2]).buffer));
const ARTIFACTS = {
  modelTopology: { class_name: 'Sequential', config: { name: 'io', layers: [{ class_name: 'Dense', config: { units: 2 } }] }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
  format: 'layers-model',
  generatedBy: 'neurite browser test',
  convertedBy: null,
  weightSpecs: [
    { name: 'dense/kernel', shape: [5, 2], dtype: 'float32' },
    { name: 'dense/bias', shape: [2], dtype: 'float32' },
  ],
  trainingConfig: { loss: 'meanSquaredError' },
  userDefinedMetadata: { epoch: 2 },
};

type Result = { error?: string; [k: string]: unknown };

describe.skipIf(!runtimeAvailable(CHROMIUM))(`Chromium storage: indexeddb://, localstorage://, downloads:// (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let page: Page;
  const downloads: Download[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'neurite-browser-io-'));

  beforeAll(async () => {
    [browser, server] = await launchChromium(['/dist/', '/test/runtimes/', TFJS]);
    page = await browser.newPage({ acceptDownloads: true });
    page.on('download', (d) => downloads.push(d));
    await page.goto(`${server.origin}/test/runtimes/io.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: string }).__ready, null, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __ready: string }).__ready), `server log: ${JSON.stringify(server.requests)}`).toBe('ok');
  });

  afterAll(async () => {
    await closeChromium(browser, server);
    rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Saves ARTIFACTS with `writer` and loads them with `reader` ('neurite' or 'tfjs') at `url`;
   * returns what was loaded (weights as bytes) and the save info.
   */
  function roundTrip(url: string, writer: 'neurite' | 'tfjs', reader: 'neurite' | 'tfjs'): Promise<Result> {
    return page.evaluate(async ({ url, a, w, writer, reader }) => {
      const { nr, tf } = window as unknown as { nr: any; tf: any };
      try {
        const artifacts = { ...a, weightData: new Uint8Array(w).buffer };
        const saver = writer === 'neurite' ? nr.io.getSaveHandler(url, 'save') : tf.io.getSaveHandlers(url)[0];
        const info = (await saver.save(artifacts)).modelArtifactsInfo;
        const loader = reader === 'neurite' ? nr.io.getLoadHandler(url, 'loadModel') : tf.io.getLoadHandlers(url)[0];
        const back = await loader.load();
        const weightData = Array.from(new Uint8Array(back.weightData));
        return { info: { ...info, dateSaved: info.dateSaved instanceof Date }, back: { ...back, weightData } };
      } catch (e) {
        return { error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    }, { url, a: ARTIFACTS, w: WEIGHTS, writer, reader });
  }

  for (const scheme of ['indexeddb', 'localstorage'] as const) {
    for (const [writer, reader] of [['neurite', 'neurite'], ['neurite', 'tfjs'], ['tfjs', 'neurite']] as const) {
      it(`${scheme}://: written by ${writer}, read by ${reader}, byte-exact with every field`, async () => {
        const r = await roundTrip(`${scheme}://${writer}-${reader}`, writer, reader);
        expect(r.error).toBeUndefined();
        expect(r.back).toEqual({ ...ARTIFACTS, weightData: WEIGHTS });
        expect(r.info).toEqual({ dateSaved: true, modelTopologyType: 'JSON', modelTopologyBytes: JSON.stringify(ARTIFACTS.modelTopology).length, weightSpecsBytes: JSON.stringify(ARTIFACTS.weightSpecs).length, weightDataBytes: 48 });
      });
    }
  }

  it('a second save under the same name replaces the first (both schemes)', async () => {
    const r = await page.evaluate(async () => {
      const { nr } = window as unknown as { nr: any };
      const out: number[][] = [];
      for (const url of ['indexeddb://twice', 'localstorage://twice']) {
        const a = { modelTopology: { class_name: 'Sequential' }, weightSpecs: [{ name: 'w', shape: [1], dtype: 'float32' }] };
        await nr.io.getSaveHandler(url).save({ ...a, weightData: new Float32Array([1]).buffer });
        await nr.io.getSaveHandler(url).save({ ...a, weightData: new Float32Array([2]).buffer });
        out.push(Array.from(new Float32Array((await nr.io.getLoadHandler(url).load()).weightData)));
      }
      return out;
    });
    expect(r).toEqual([[2], [2]]);
  });

  it('a topology-only model (no weights) round-trips in both schemes', async () => {
    const r = await page.evaluate(async () => {
      const { nr } = window as unknown as { nr: any };
      const out: unknown[] = [];
      for (const url of ['indexeddb://bare', 'localstorage://bare']) {
        await nr.io.getSaveHandler(url).save({ modelTopology: { class_name: 'Sequential' } });
        const a = await nr.io.getLoadHandler(url).load();
        out.push({ ...a, weightData: a.weightData === undefined ? undefined : a.weightData.byteLength });
      }
      return out;
    });
    expect(r).toEqual([{ modelTopology: { class_name: 'Sequential' } }, { modelTopology: { class_name: 'Sequential' }, weightSpecs: [], weightData: 0 }]);
  });

  it('errors in a browser: file://, a missing model, a truncated entry written by TF.js, the localStorage quota (nothing left behind)', async () => {
    const r = await page.evaluate(async () => {
      const { nr, tf } = window as unknown as { nr: any; tf: any };
      const msg = async (f: () => Promise<unknown>) => {
        try { await f(); return 'no error'; } catch (e) { return `${(e as Error).name}: ${(e as Error).message}`; }
      };
      const specs = [{ name: 'k', shape: [4, 7], dtype: 'float32' }];
      await tf.io.getSaveHandlers('indexeddb://short')[0].save({ modelTopology: {}, weightSpecs: specs, weightData: new ArrayBuffer(8) });
      await tf.io.getSaveHandlers('localstorage://short')[0].save({ modelTopology: {}, weightSpecs: specs, weightData: new ArrayBuffer(8) });
      const big = { modelTopology: {}, weightSpecs: [{ name: 'k', shape: [2_000_000], dtype: 'float32' }], weightData: new ArrayBuffer(8_000_000) };
      const quota = await msg(() => nr.io.getSaveHandler('localstorage://big', 'save').save(big));
      const left = Object.keys(localStorage).filter((k) => k.startsWith('tensorflowjs_models/big/'));
      return {
        file: await msg(async () => nr.io.getSaveHandler('file:///tmp/m', 'save')),
        missingIdb: await msg(() => nr.io.getLoadHandler('indexeddb://nothing-here', 'loadModel').load()),
        missingLs: await msg(() => nr.io.getLoadHandler('localstorage://nothing-here', 'loadModel').load()),
        shortIdb: await msg(() => nr.io.getLoadHandler('indexeddb://short', 'loadModel').load()),
        shortLs: await msg(() => nr.io.getLoadHandler('localstorage://short', 'loadModel').load()),
        quota,
        left,
      };
    });
    expect(r.file).toBe("InvalidArgumentError: save: 'file:///tmp/m': file:// needs Node or Deno (this runtime has no file system); in a browser use indexeddb://, localstorage:// or downloads://");
    expect(r.missingIdb).toBe("InvalidArgumentError: loadModel: 'indexeddb://nothing-here': no model named 'nothing-here' in IndexedDB (database 'tensorflowjs', store 'models_store')");
    expect(r.missingLs).toBe("InvalidArgumentError: loadModel: 'localstorage://nothing-here': no model named 'nothing-here' in localStorage (no key tensorflowjs_models/nothing-here/info)");
    expect(r.shortIdb).toBe('InvalidArgumentError: loadModel: indexeddb://short (IndexedDB models_store): weightData holds 8 bytes but weightSpecs (1 weights) describe 112 (truncated?)');
    expect(r.shortLs).toBe('InvalidArgumentError: loadModel: localstorage://short (localStorage): weight_data holds 8 bytes but weightSpecs describe 112 (truncated?)');
    expect(r.quota).toMatch(/^InvalidArgumentError: save: 'localstorage:\/\/big': localStorage refused the model \(its quota, typically 5 MB, exceeded\?\): .*weightDataBytes=8000000 .*use indexeddb:\/\/ for larger models \[QuotaExceededError/);
    expect(r.left).toEqual([]);
  });

  it('downloads:// starts two downloads, name.json and name.weights.bin, in TF.js\'s format; the pair loads with file:// in Node', async () => {
    downloads.length = 0;
    const r = await page.evaluate(async ({ a, w }) => {
      const { nr } = window as unknown as { nr: any };
      const info = (await nr.io.getSaveHandler('downloads://my-net', 'save').save({ ...a, weightData: new Uint8Array(w).buffer })).modelArtifactsInfo;
      return { weightDataBytes: info.weightDataBytes };
    }, { a: ARTIFACTS, w: WEIGHTS });
    expect(r).toEqual({ weightDataBytes: 48 });
    const deadline = Date.now() + 10_000;
    while (downloads.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    expect(downloads.map((d) => d.suggestedFilename())).toEqual(['my-net.json', 'my-net.weights.bin']);
    const dir = join(tmp, 'downloaded');
    mkdirSync(dir);
    for (const d of downloads) writeFileSync(join(dir, d.suggestedFilename()), readFileSync((await d.path())!));
    const json = JSON.parse(readFileSync(join(dir, 'my-net.json'), 'utf8'));
    expect(json).toEqual({ ...ARTIFACTS, weightsManifest: [{ paths: ['./my-net.weights.bin'], weights: ARTIFACTS.weightSpecs }], weightSpecs: undefined });
    const back = await getLoadHandler(`file://${join(dir, 'my-net.json')}`, 'loadModel').load!();
    expect(Array.from(new Uint8Array(back.weightData as ArrayBuffer))).toEqual(WEIGHTS);
    expect(back.weightSpecs).toEqual(ARTIFACTS.weightSpecs);
  });
});
