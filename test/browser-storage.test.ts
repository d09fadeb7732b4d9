// Browser storage in Chromium, Firefox and WebKit (test/runtimes/pages.ts): indexeddb:// and
// localstorage:// round trips byte-exact, both directions against TF.js core 4.22's own handlers
// (tf.io.getSaveHandlers / getLoadHandlers, its browser bundle loaded into the same page), a
// second save replacing the first, a topology-only model, the errors of a browser (file://,
// a missing model, a truncated entry, the localStorage quota, with nothing left behind), model
// management (listModels, moveModel, copyModel, removeModel) and browserFiles against TF.js's
// own (tf.io.listModels, …, tf.io.browserFiles) in the same page. The page
// (test/runtimes/storage.mjs) runs the same code in each browser and reports; this file judges.
// downloads:// needs a driver to catch the downloads: test/browser-io.test.ts, in Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI } from './runtimes/expect.js';
import { BROWSER_KINDS, browserAvailable, startPages, type Pages } from './runtimes/pages.js';
import { ARTIFACTS, WEIGHTS } from './runtimes/storage-fixture.mjs';

const TFJS = '/node_modules/@tensorflow/tfjs-core/dist/';

interface Report {
  error?: string;
  roundTrips: Record<string, { error?: string; info?: unknown; back?: unknown }>;
  twice: number[][];
  bare: unknown[];
  errors: Record<string, string | string[]>;
  relative: Record<string, unknown>;
  manage: {
    before: Record<'neurite' | 'tfjs', Record<string, Record<string, unknown>>>;
    after: Record<'neurite' | 'tfjs', Record<string, Record<string, unknown>>>;
    moved: number;
    movedBack: number[];
    copied: number;
    removedByNeurite: number;
    removedByTfjs: number;
    orphan: Record<string, unknown>;
    errors: Record<string, string>;
  };
  files: { tfjs: unknown; neurite: unknown; missing: string };
}

for (const kind of BROWSER_KINDS) {
  describe.skipIf(!browserAvailable(kind))(`${kind} storage: indexeddb://, localstorage:// (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
    let pages: Pages | undefined;
    let report: Report;

    beforeAll(async () => {
      pages = await startPages(kind, ['/dist/', '/test/runtimes/', TFJS]);
      const run = await pages.open<Report>('/test/runtimes/storage.html', 90_000);
      // The page fetches relative-model/none.json to see the 404's error: the browser logs it.
      expect(run.pageErrors.filter((e) => !/\b404\b/.test(e)), `server log: ${JSON.stringify(pages.server.requests)}`).toEqual([]);
      expect(run.result.error).toBeUndefined();
      report = run.result;
    }, 120_000);

    afterAll(() => pages?.close());

    for (const scheme of ['indexeddb', 'localstorage'] as const) {
      for (const [writer, reader] of [['neurite', 'neurite'], ['neurite', 'tfjs'], ['tfjs', 'neurite']] as const) {
        it(`${scheme}://: written by ${writer}, read by ${reader}, byte-exact with every field`, () => {
          const r = report.roundTrips[`${scheme}://${writer}-${reader}`];
          expect(r.error).toBeUndefined();
          expect(r.back).toEqual({ ...ARTIFACTS, weightData: WEIGHTS });
          expect(r.info).toEqual({ dateSaved: true, modelTopologyType: 'JSON', modelTopologyBytes: JSON.stringify(ARTIFACTS.modelTopology).length, weightSpecsBytes: JSON.stringify(ARTIFACTS.weightSpecs).length, weightDataBytes: 48 });
        });
      }
    }

    it('a second save under the same name replaces the first; a topology-only model round-trips (both schemes)', () => {
      expect(report.twice).toEqual([[2], [2]]);
      expect(report.bare).toEqual([{ modelTopology: { class_name: 'Sequential' } }, { modelTopology: { class_name: 'Sequential' }, weightSpecs: [], weightData: 0 }]);
    });

    it('errors in a browser: file://, a missing model, a truncated entry written by TF.js, the localStorage quota (nothing left behind)', () => {
      const r = report.errors;
      expect(r.file).toBe("InvalidArgumentError: save: 'file:///tmp/m': file:// needs Node or Deno (this runtime has no file system); in a browser use indexeddb://, localstorage:// or downloads://");
      expect(r.missingIdb).toBe("InvalidArgumentError: loadModel: 'indexeddb://nothing-here': no model named 'nothing-here' in IndexedDB (database 'tensorflowjs', store 'models_store')");
      expect(r.missingLs).toBe("InvalidArgumentError: loadModel: 'localstorage://nothing-here': no model named 'nothing-here' in localStorage (no key tensorflowjs_models/nothing-here/info)");
      expect(r.shortIdb).toBe('InvalidArgumentError: loadModel: indexeddb://short (IndexedDB models_store): weightData holds 8 bytes but weightSpecs (1 weights) describe 112 (truncated?)');
      expect(r.shortLs).toBe("InvalidArgumentError: loadModel: localstorage://short (localStorage): weight_data holds 8 bytes but weightSpecs describe 112 (truncated?); if nothing truncated it, the keys of 'short' come from two saves of this name at once (another tab or window: localStorage stores a model as five keys written one by one): save the model again, and give each tab a name of its own, or use indexeddb://, whose save is one transaction");
      expect(r.quota).toMatch(/^IOError: save: 'localstorage:\/\/big': localStorage refused the model \(its quota, typically 5 MB, exceeded\?\): .*weightDataBytes=8000000 .*use indexeddb:\/\/ for larger models \[QuotaExceededError/);
      expect(r.left).toEqual([]);
    });

    it('a load path without a scheme is fetched relative to the page, as TF.js\'s; a save refused by the quota keeps the model saved before', () => {
      const r = report.relative;
      const want = { modelTopology: ARTIFACTS.modelTopology, weightSpecs: ARTIFACTS.weightSpecs, weightData: WEIGHTS };
      expect(r['relative-model/model.json']).toEqual(want);
      expect(r['/test/runtimes/relative-model/model.json']).toEqual(want);
      expect(r.missing).toMatch(/^IOError: loadLayersModel: .*http:\/\/[^ ]*\/test\/runtimes\/relative-model\/none\.json.*404/);
      expect(r.save).toMatch(/^InvalidArgumentError: save: target 'relative-model' has no URL scheme; .*\(e\.g\. 'indexeddb:\/\/my-model'\)/);
      expect(r.keptError).toMatch(/^IOError: save: 'localstorage:\/\/keep': localStorage refused the model .*the model saved as 'keep' before is unchanged \[QuotaExceededError/);
      expect(r.kept).toEqual(WEIGHTS);
    });

    it('io.listModels lists what TF.js\'s tf.io.listModels lists (both stores, either writer), dateSaved a Date', () => {
      const { before } = report.manage;
      const urls = Object.keys(before.neurite);
      for (const scheme of ['indexeddb', 'localstorage']) {
        for (const name of ['neurite-neurite', 'neurite-tfjs', 'tfjs-neurite', 'twice', 'bare', 'short']) expect(urls).toContain(`${scheme}://${name}`);
      }
      expect(urls).not.toContain('localstorage://big');
      const sizes = (l: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(l).map(([u, { isDate, ...rest }]) => [u, rest]));
      expect(sizes(before.neurite)).toEqual(sizes(before.tfjs));
      expect(Object.values(before.neurite).every((i) => i.isDate && i.dateSaved)).toBe(true);
      expect(before.neurite['indexeddb://neurite-tfjs']).toMatchObject({ modelTopologyType: 'JSON', weightDataBytes: 48 });
    });

    it('moveModel, copyModel and removeModel: each library sees what the other did', () => {
      const m = report.manage;
      expect([m.moved, m.copied, m.removedByNeurite, m.removedByTfjs]).toEqual([4, 48, 48, 48]);
      expect(m.movedBack).toEqual([2]);
      // A model without an info record is removed too, its sizes measured from what was stored.
      expect(m.orphan).toEqual({ dateSaved: 'invalid', modelTopologyType: 'JSON', modelTopologyBytes: 7, weightSpecsBytes: JSON.stringify([{ name: 'w', shape: [2], dtype: 'float32' }]).length, weightDataBytes: 8, left: false });
      const after = Object.keys(m.after.tfjs);
      expect(Object.keys(m.after.neurite)).toEqual(after);
      expect(after).toEqual(expect.arrayContaining(['indexeddb://twice-moved', 'localstorage://copy', 'indexeddb://tf-copy']));
      for (const gone of ['localstorage://twice', 'indexeddb://tfjs-neurite', 'localstorage://neurite-neurite']) expect(after).not.toContain(gone);
      expect(m.errors).toEqual({
        missing: "InvalidArgumentError: removeModel: 'indexeddb://tfjs-neurite': no model named 'tfjs-neurite' in IndexedDB (database 'tensorflowjs', store 'models_store')",
        same: "InvalidArgumentError: moveModel: sourceURL and destURL are the same model ('indexeddb://tf-copy')",
        file: "InvalidArgumentError: removeModel: url 'file:///tmp/m': only indexeddb:// and localstorage:// models can be removed; a file:// model is a folder of files, which neurite does not delete",
      });
    });

    it('io.browserFiles reads DOM Files (shards in two groups, any order) as TF.js\'s tf.io.browserFiles does', () => {
      const f = report.files;
      expect(f.neurite).toEqual(f.tfjs);
      expect(f.neurite).toMatchObject({ modelTopology: ARTIFACTS.modelTopology, weightSpecs: ARTIFACTS.weightSpecs, weightData: WEIGHTS });
      expect(f.missing).toBe("InvalidArgumentError: browserFiles: files[0] 'model.json': weightsManifest[0].paths[1] names 'group1-shard2of2.bin', which is not among the weight files given ('group1-shard1of2.bin', 'group2-shard1of1.bin')");
    });
  });
}
