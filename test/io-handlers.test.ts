// The storage handlers in Node (ts/io/router.ts, ts/io/handlers/*): file:// round trips of
// hand-made artifacts (byte-exact), the on-disk format against TF.js 4.22's own reader and
// writer (tf.io.http with a fetchFunc over the folder), custom handlers and routing, and the
// error catalogue of loading untrusted files (each an InvalidArgumentError naming the op, the
// URL/path and the field). http(s):// is in test/io-http.test.ts, the fuzz in
// test/io-fuzz.test.ts, browsers in test/browser-storage.test.ts (and downloads:// in
// test/browser-io.test.ts), Deno in test/deno-io.test.ts.
import { mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { getLoadHandler, getSaveHandler, http, type IOHandler, type ModelArtifacts } from '../ts/io/router.js';
import * as nr from '../ts/index.js';
import './setup.js';
import { artifacts, bytes, f32, fetchFrom, folder, fresh, load, rejection, root, save, spec, thrown, values } from './io-helpers.js';

await tf.setBackend('cpu');

describe('file:// round trip', () => {
  it('saves a folder with model.json + weights.bin and loads it back byte-exact, from the folder and from model.json', async () => {
    const dir = fresh();
    const a = artifacts();
    const result = await save(`file://${dir}`, a);
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(28 * 4);
    expect(result.modelArtifactsInfo.modelTopologyBytes).toBe(Buffer.byteLength(JSON.stringify(a.modelTopology)));
    expect(result.modelArtifactsInfo.weightSpecsBytes).toBe(Buffer.byteLength(JSON.stringify(a.weightSpecs)));
    expect(result.modelArtifactsInfo.dateSaved).toBeInstanceOf(Date);
    expect(readFileSync(join(dir, 'weights.bin'))).toEqual(Buffer.from(a.weightData as ArrayBuffer));
    for (const source of [`file://${dir}`, `file://${dir}/`, `file://${dir}/model.json`]) {
      const b = await load(source);
      expect(bytes(b.weightData)).toEqual(bytes(a.weightData));
      expect({ ...b, weightData: undefined }).toEqual({ ...a, weightData: undefined });
    }
  });

  it('writes tfjs-node\'s layout: model.json = { modelTopology, format, generatedBy, convertedBy, weightsManifest: [{ paths: [weights.bin], weights }], trainingConfig, userDefinedMetadata }, plus the weights\' checksum (TF.js ignores it)', async () => {
    const dir = fresh();
    const a = artifacts();
    await save(`file://${dir}`, a);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json).toEqual({
      modelTopology: a.modelTopology,
      format: 'layers-model',
      generatedBy: 'neurite test',
      convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      trainingConfig: a.trainingConfig,
      userDefinedMetadata: a.userDefinedMetadata,
      neuriteWeightsChecksum: expect.stringMatching(/^fnv1a32:[0-9a-f]{8}:112$/),
    });
  });

  it("reads a URL object's href (pathToFileURL) and file:/abs without '//' as Node does; file:./relative says how Node would read it and what to write", async () => {
    const dir = fresh('url object');
    const a = artifacts();
    await save(pathToFileURL(dir) as never, a);
    expect(readdirSync(join(dir, '..'))).toContain(dir.split(sep).at(-1)); // /…/url object-N, not url%20object-N
    expect(bytes((await load(pathToFileURL(join(dir, 'model.json')) as never)).weightData)).toEqual(bytes(a.weightData));
    // file: + an absolute path: file:///… (RFC 8089's short form; Node's URL reads it so).
    expect(bytes((await load(`file:${dir}`)).weightData)).toEqual(bytes(a.weightData));
    const b = fresh('short');
    await save(`FILE:${b}`, a);
    expect(bytes((await load(`file://${b}`)).weightData)).toEqual(bytes(a.weightData));
    // The public functions take a URL object wherever they take a URL string.
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    const c = fresh('saved by url');
    await m.save(pathToFileURL(c));
    using back = await nr.loadLayersModel(pathToFileURL(c), { compile: false });
    using back2 = await nr.loadModel(new URL(`file:${c}/model.json`), { compile: false });
    expect(back.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(m.getWeights().map((w) => Array.from(w.dataSync())));
    expect(back2).toBeInstanceOf(nr.Sequential);
    // file:./x, file:x: Node's URL reads them from the root (/x); tfjs-node reads only file://.
    expect(thrown(() => getLoadHandler('file:./models/m', 'loadModel')).message).toBe(
      "loadModel: source 'file:./models/m' is a relative path in a file: URL without '//': Node's URL and fileURLToPath read it from the root (file:///models/m), " +
        "and tfjs-node reads only file://; write 'file://./models/m' for ./models/m in the working directory (as TF.js), or 'file:///models/m' for /models/m",
    );
    expect(new URL('file:./models/m').pathname).toBe('/models/m'); // what the message says of Node
    expect(thrown(() => getSaveHandler('file:my model', 'save')).message).toMatch(/^save: target 'file:my model' is a relative path .*\(file:\/\/\/my%20model\).* write 'file:\/\/\.\/my model' for \.\/my model in the working directory \(as TF\.js\), or 'file:\/\/\/my%20model' for \/my%20model$/);
    expect((await rejection(() => nr.loadModel('file:../m'))).message).toMatch(/^loadModel: source 'file:\.\.\/m' is a relative path in a file: URL without '\/\/'.*write 'file:\/\/\.\.\/m' for \.\.\/m/);
    expect(thrown(() => getLoadHandler('file:', 'loadModel')).message).toBe("loadModel: 'file:' names no path; write file://./my-model or file:///absolute/folder");
  });

  it('creates missing parent folders, overwrites an earlier save, and takes a path relative to the working directory', async () => {
    const dir = join(fresh(), 'deeper', 'still');
    await save(`file://${dir}`);
    const other = { ...artifacts(), weightData: values(28, 99).buffer };
    await save(`file://${relative(process.cwd(), dir)}`, other);
    expect(bytes((await load(`file://${dir}`)).weightData)).toEqual(bytes(other.weightData));
  });

  it("percent-decodes the path as a file URL's (pathToFileURL(path).href saves and loads at path), absolute or relative; # and ? stay part of the path", async () => {
    const dir = join(fresh(), 'model v2 ü #1?');
    const url = pathToFileURL(dir).href;
    expect(url).toMatch(/model%20v2%20%C3%BC%20%231%3F$/);
    const a = artifacts();
    await save(url, a);
    expect(readdirSync(join(dir, '..'))).toEqual(['model v2 ü #1?']); // not a folder named model%20v2…
    expect(bytes((await load(url)).weightData)).toEqual(bytes(a.weightData));
    // The same folder spelt raw (as before; # and ? are not a URL's fragment and query here) and relative, encoded.
    expect(bytes((await load(`file://${dir}`)).weightData)).toEqual(bytes(a.weightData));
    const rel = relative(process.cwd(), dir).split(sep).map(encodeURIComponent).join('/');
    expect(bytes((await load(`file://${rel}/model.json`)).weightData)).toEqual(bytes(a.weightData));
    // A % that starts no escape cannot be decoded: an error that says how to write it.
    expect((await rejection(() => load(`file://${dir}/100%`))).message).toBe(`loadModel: 'file://${dir}/100%': a file:// path is percent-decoded, and this one cannot be [URI malformed]; write % as %25 (url.pathToFileURL(path).href encodes a path)`);
  });

  it('loads several shards in several groups, concatenated in manifest order (paths with ./ and subfolders)', async () => {
    const w = f32(40, 3);
    const dir = folder({
      modelTopology: { class_name: 'Sequential' },
      weightsManifest: [
        { paths: ['./group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [spec('a', [5, 4]), spec('b', [6])] },
        { paths: ['shards/group2.bin'], weights: [spec('c', [2, 7])] },
      ],
    }, { 'group1-shard1of2.bin': w.subarray(0, 50), 'group1-shard2of2.bin': w.subarray(50, 104), 'shards/group2.bin': w.subarray(104) });
    const b = await load(`file://${dir}`);
    expect(bytes(b.weightData)).toEqual(w);
    expect(b.weightSpecs!.map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('saves weights given as a typed array or as TF.js\'s ArrayBuffer[] the same as one ArrayBuffer', async () => {
    const a = artifacts();
    const all = bytes(a.weightData);
    for (const weightData of [new Float32Array(a.weightData as ArrayBuffer), [all.slice(0, 40).buffer, all.slice(40).buffer]]) {
      const dir = fresh();
      await save(`file://${dir}`, { ...a, weightData: weightData as unknown as ArrayBuffer });
      expect(new Uint8Array(readFileSync(join(dir, 'weights.bin')))).toEqual(all);
    }
  });

  it('a weight with a zero dimension is empty, however large its other dimensions (no Infinity · 0 = NaN)', async () => {
    const huge = [...new Array<number>(21).fill(Number.MAX_SAFE_INTEGER), 0];
    const dir = folder({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [spec('empty', huge), spec('b', [2])] }] }, { 'weights.bin': f32(2) });
    const b = await load(`file://${dir}`);
    expect(bytes(b.weightData)).toEqual(f32(2));
  });

  it('a model.json without weightsManifest loads as topology only', async () => {
    const dir = folder({ modelTopology: { class_name: 'Sequential' }, format: 'layers-model' });
    const b = await load(`file://${dir}/model.json`);
    expect(b).toEqual({ modelTopology: { class_name: 'Sequential' }, format: 'layers-model' });
  });
});

/** A small TF.js model (dense + batchNormalization + dense), built with a fixed seed. */
function tfModel(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 5, inputShape: [3], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}
const X = () => tf.tensor2d(values(12, 5), [4, 3]);

describe('when save takes its snapshot', () => {
  it('model.save(url) saves the weights of the call, though the handler code loads later (ts/io/lazy.ts)', async () => {
    const dir = fresh();
    const m = nr.sequential({ layers: [nr.layers.dense({ units: 3, inputShape: [2] })], seed: 7 });
    const ws = m.getWeights();
    const before = ws.map((t) => t.data());
    const saving = m.save(`file://${dir}`);
    // Changed before the save's first await can resume: the file must still hold `before`.
    const changed = ws.map((t) => t.add(1));
    m.setWeights(changed);
    [...ws, ...changed].forEach((t) => t.dispose());
    await saving;
    const back = (await nr.loadModel(`file://${dir}`)) as nr.Sequential;
    const loaded = back.getWeights();
    expect(loaded.map((t) => Array.from(t.data()))).toEqual(before.map((w) => Array.from(w)));
    loaded.forEach((t) => t.dispose());
    back.dispose();
    m.dispose();
  });
});

describe('TF.js file format compatibility (tfjs-layers 4.22)', () => {
  it('a folder written by neurite loads in TF.js (tf.loadLayersModel through tf.io.http) and predicts the same', async () => {
    const model = tfModel();
    let captured: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => { captured = a; return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) }; }));
    const dir = fresh('for-tfjs');
    await save(`file://${dir}`, captured as unknown as ModelArtifacts);
    const { fetchFunc, asked } = fetchFrom(dir);
    const back = await tfl.loadLayersModel(tf.io.http('http://models.test/model.json', { fetchFunc: fetchFunc as typeof fetch }));
    expect(asked).toEqual(['http://models.test/model.json', 'http://models.test/weights.bin']);
    const x = X();
    expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  it('files written by TF.js itself (its http save: model.json + model.weights.bin) load in neurite byte-exact', async () => {
    const model = tfModel();
    const posted: Record<string, Uint8Array> = {};
    const capture = async (_url: string, init?: RequestInit) => {
      const blobs: Array<[string, Blob]> = [];
      (init!.body as FormData).forEach((blob, name) => blobs.push([name, blob as Blob]));
      for (const [name, blob] of blobs) posted[name] = new Uint8Array(await blob.arrayBuffer());
      return new Response('ok', { status: 200 });
    };
    await model.save(tf.io.http('http://models.test/upload', { fetchFunc: capture as typeof fetch }));
    let captured: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => { captured = a; return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) }; }));
    expect(Object.keys(posted).sort()).toEqual(['model.json', 'model.weights.bin']);
    const dir = fresh('from-tfjs');
    mkdirSync(dir);
    for (const [name, data] of Object.entries(posted)) writeFileSync(join(dir, name), data);
    const b = await load(`file://${dir}`);
    expect(b.format).toBe('layers-model');
    expect(b.generatedBy).toMatch(/TensorFlow\.js tfjs-layers/);
    expect(b.modelTopology).toEqual(captured!.modelTopology);
    expect(b.weightSpecs).toEqual(captured!.weightSpecs);
    expect(bytes(b.weightData)).toEqual(new Uint8Array(captured!.weightData as ArrayBuffer));
    // …and the same through neurite's http:// loader.
    const { fetchFunc } = fetchFrom(dir);
    const c = await http('http://models.test/model.json', { fetchFunc }).load!();
    expect(bytes(c.weightData)).toEqual(bytes(b.weightData));
    // Saved again by neurite, TF.js reads it back to the same model.
    const again = fresh();
    await save(`file://${again}`, b);
    const back = await tfl.loadLayersModel(tf.io.http('http://models.test/model.json', { fetchFunc: fetchFrom(again).fetchFunc as typeof fetch }));
    const x = X();
    expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });
});

describe('custom handlers and routing', () => {
  it('an object with save()/load() passes through unchanged', async () => {
    let saved: ModelArtifacts | undefined;
    const h: IOHandler = {
      save: async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; },
      load: async () => saved!,
    };
    expect(getSaveHandler(h, 'save')).toBe(h);
    expect(getLoadHandler(h, 'loadModel')).toBe(h);
    const a = artifacts();
    await save(h, a);
    expect(await load(h)).toBe(a);
  });

  it('a handler without the method needed, a non-handler, no scheme, a scheme without its //, or an unknown scheme is refused', async () => {
    expect(thrown(() => getSaveHandler({ load: async () => artifacts() }, 'save')).message).toBe(
      "save: the target handler has no save() method (it has load()); pass an object with save() or a URL such as 'file://…', 'indexeddb://…', 'localstorage://…'",
    );
    expect(thrown(() => getLoadHandler({}, 'loadModel')).message).toMatch(/^loadModel: the source handler has no load\(\) method \(it has neither save\(\) nor load\(\)\)/);
    expect(thrown(() => getLoadHandler(42 as never, 'loadModel')).message).toMatch(/^loadModel: source must be a URL \(file:\/\/, .*; a string or a URL object\) or an object with load\(\), got 42$/);
    // It said 'has no URL scheme' of these, which have one.
    expect(thrown(() => getLoadHandler('indexeddb:my-model', 'loadModel')).message).toBe("loadModel: source 'indexeddb:my-model' lacks the '//' of 'indexeddb://'; write 'indexeddb://my-model'");
    expect(thrown(() => getSaveHandler('https:/example.com/up', 'save')).message).toBe("save: target 'https:/example.com/up' lacks the '//' of 'https://'; write 'https://example.com/up'");
    expect(thrown(() => getLoadHandler('C:\\models\\m', 'loadModel')).message).toBe("loadModel: source 'C:\\models\\m' is a Windows path, not a URL; write url.pathToFileURL(path) (a URL object, or its href: 'file:///C:/models/m')");
    expect(thrown(() => getSaveHandler('my-model', 'save')).message).toMatch(/^save: target 'my-model' has no URL scheme; use one of file:\/\/, indexeddb:\/\/.*\(e\.g\. 'file:\/\/\.\/my-model'\)/);
    // An absolute path (a CLI's argument) is suggested as its own URL.
    expect(thrown(() => getLoadHandler('/srv/models/m1', 'loadModel')).message).toMatch(/^loadModel: source '\/srv\/models\/m1' has no URL scheme; .*\(e\.g\. 'file:\/\/\/srv\/models\/m1'\)/);
    expect(thrown(() => getSaveHandler('indexdb://m', 'save')).message).toBe(
      "save: unknown URL scheme 'indexdb://' in target 'indexdb://m' — did you mean 'indexeddb://'? (known: file://, indexeddb://, localstorage://, downloads://, http://, https://)",
    );
    expect(thrown(() => getLoadHandler('s3://bucket/model.json', 'loadModel')).message).toMatch(/^loadModel: unknown URL scheme 's3:\/\/' in source 's3:\/\/bucket\/model\.json' \(known: /);
  });

  it('browser schemes in Node say what this runtime lacks and what to use instead', () => {
    expect(thrown(() => getSaveHandler('indexeddb://m', 'save')).message).toBe("save: 'indexeddb://m': indexeddb:// needs a browser with IndexedDB (this runtime has none); in Node and Deno use file://");
    expect(thrown(() => getLoadHandler('localstorage://m', 'loadModel')).message).toBe("loadModel: 'localstorage://m': localstorage:// needs localStorage (a browser or Deno; this runtime has none); in Node use file://");
    expect(thrown(() => getSaveHandler('downloads://m', 'save')).message).toBe("save: 'downloads://m': downloads:// needs a browser page (this runtime has no document); in Node and Deno use file://");
    expect(thrown(() => getLoadHandler('downloads://m', 'loadModel')).message).toMatch(/^loadModel: 'downloads:\/\/m': downloads:\/\/ can only save/);
    expect(thrown(() => getLoadHandler('file://', 'loadModel')).message).toBe("loadModel: 'file://' names no path; write file://./my-model or file:///absolute/folder");
  });

  it("a beginner's paths: ~ (not expanded) and a save to a .json name (a save writes a folder)", async () => {
    expect(thrown(() => getSaveHandler('file://~/models/m', 'save')).message).toBe("save: 'file://~/models/m': ~ is not expanded in a file:// path (it would name a folder called '~' in the working directory); write the absolute path, e.g. file://${os.homedir()}/models/m in a template");
    expect(thrown(() => getLoadHandler('file://~', 'loadModel')).message).toMatch(/^loadModel: 'file:\/\/~': ~ is not expanded/);
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    const target = join(root, 'beginner', 'model.json');
    expect((await rejection(() => m.save(`file://${target}`))).message).toBe(`save: 'file://${target}' names a .json file, but a save writes a folder (model.json and weights.bin inside it); save to the folder, e.g. 'file://${join(root, 'beginner')}' (loadModel takes either the folder or its model.json)`);
  });
});

describe('loading untrusted files: the error catalogue', () => {
  const valid = () => ({ modelTopology: { class_name: 'Sequential' }, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: [spec('k', [2, 3]), spec('b', [3])] }] });

  it('a path that does not exist, and a folder without model.json', async () => {
    const missing = join(root, 'no-such-model');
    expect((await rejection(() => load(`file://${missing}`))).message).toBe(`loadModel: file://${missing} does not exist (no file or folder at ${missing})`);
    const empty = fresh('empty');
    mkdirSync(empty);
    expect((await rejection(() => load(`file://${empty}`))).message).toBe(`loadModel: file://${empty} is a folder without a model.json (looked for ${empty}/model.json)`);
  });

  it('model.json that is not JSON, not an object, or not a model', async () => {
    let dir = folder('{"modelTopology": {');
    expect((await rejection(() => load(`file://${dir}`))).message).toMatch(new RegExp(`^loadModel: file://${dir}/model\\.json: is not JSON \\(`));
    // A web app's fallback page saved or served in place of the model.json.
    dir = folder('<!doctype html>\n<html lang="en"><head></head><body><div id="app"></div></body></html>');
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: is an HTML page, not JSON (starting "<!doctype html>\\n<html la"): is the path right? (a web app's server often answers a file it does not have with its index.html)`,
    );
    dir = folder('[1, 2]');
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(`loadModel: file://${dir}/model.json: must be a JSON object with modelTopology and weightsManifest, got an array of length 2`);
    dir = folder({ name: 'x', weights: [] });
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: modelTopology must be an object (the Keras model config), got undefined: not a TF.js Layers model (its keys: name, weights)`,
    );
    // Keras 3's config.json (of a .keras file) or model.to_json(): the way that reads it.
    dir = folder({ module: 'keras', class_name: 'Sequential', config: { name: 's', layers: [] }, registered_name: null });
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: modelTopology must be an object (the Keras model config), got undefined: not a TF.js Layers model (its keys: module, class_name, config, registered_name); it is a Keras model config (model.to_json(), or a .keras file's config.json): read it with models.modelFromJSON(config), then copy the weights in with setWeights`,
    );
  });

  it('a model.json over 256 MiB is refused before it is read (a sparse file here)', async () => {
    const dir = fresh('huge-json');
    mkdirSync(dir);
    const file = join(dir, 'model.json');
    writeFileSync(file, '');
    truncateSync(file, 300 * 2 ** 20);
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${file}: is 314572800 bytes, more than the 268435456 a model.json may have (a Keras topology is far smaller); refused before reading`,
    );
  });

  it('a save whose model.json would pass 256 MiB (large userDefinedMetadata) is refused before anything is written, in UTF-8 bytes; other handlers take it', async () => {
    // 94 M characters of '€' (under 256 Mi characters) are 283 MiB of UTF-8: loadModel would refuse the file.
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    const warn = console.warn;
    console.warn = () => {}; // over TF.js's 1 MiB: a warning at every set and save
    try {
      m.setUserDefinedMetadata({ notes: '€'.repeat(94 * 2 ** 20) });
      const dir = fresh('big-metadata');
      const e = await rejection(() => m.save(`file://${dir}`));
      expect(e.message).toMatch(new RegExp(`^save: file://${dir}: the model.json would be (\\d+) bytes, more than the 268435456 a model.json may have \\(loadModel refuses a bigger one\\), 295698444 of them its userDefinedMetadata \\(keep large data out of the model file\\); nothing was written$`));
      expect(Number(/would be (\d+) bytes/.exec(e.message)![1])).toBeGreaterThan(295698444);
      expect(() => readdirSync(dir)).toThrow(/ENOENT/);
      let posts = 0;
      const fetchFunc = async () => (posts++, new Response('{}'));
      const viaHttp = await rejection(() => m.save(nr.io.http('http://models.test/save', { fetchFunc })));
      expect(viaHttp.message).toMatch(/^http: http:\/\/models\.test\/save: the model\.json would be \d+ bytes, more than the 268435456/);
      expect(posts).toBe(0);
      // A handler of the caller's own has no model.json to keep small.
      let got: nr.ModelArtifacts | undefined;
      await m.save(nr.io.withSaveHandler(async (a) => ((got = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      expect((got!.userDefinedMetadata!.notes as string).length).toBe(94 * 2 ** 20);
    } finally {
      console.warn = warn;
      m.dispose();
    }
  });

  it('weightsManifest not an array, a group without paths, a bad spec', async () => {
    const cases: Array<[unknown, string]> = [
      [{ paths: ['weights.bin'] }, 'weightsManifest must be an array of { paths, weights } groups, got an object (Object)'],
      [[null], 'weightsManifest[0] must be a { paths, weights } group, got null'],
      [[{ weights: [] }], 'weightsManifest[0].paths must be an array of file names, got undefined'],
      [[{ paths: ['weights.bin'], weights: 'k' }], 'weightsManifest[0].weights must be an array of weight specs, got the string "k"'],
      [[{ paths: ['weights.bin'], weights: [spec('k', [2, -3])] }], "weightsManifest[0].weights[0].shape[1] (weight 'k') must be a non-negative integer, got -3"],
      [[{ paths: ['weights.bin'], weights: [spec('k', [2.5])] }], "weightsManifest[0].weights[0].shape[0] (weight 'k') must be a non-negative integer, got 2.5"],
      [[{ paths: ['weights.bin'], weights: [{ name: 'k', shape: [2], dtype: 'string' }] }], "weightsManifest[0].weights[0].dtype (weight 'k') must be one of float32, int32, bool, float16, uint16, uint8, complex64, got the string \"string\""],
      [[{ paths: [], weights: [spec('k', [2])] }], 'weightsManifest[0].paths is empty but its weights need 8 bytes'],
    ];
    for (const [weightsManifest, msg] of cases) {
      const dir = folder({ modelTopology: {}, weightsManifest }, { 'weights.bin': f32(2) });
      expect((await rejection(() => load(`file://${dir}`))).message).toBe(`loadModel: file://${dir}/model.json: ${msg}`);
    }
  });

  it('missing, truncated and over-long weight files, checked before any weight byte is read', async () => {
    let dir = folder(valid());
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: weightsManifest[0].paths[0] names 'weights.bin', which does not exist (${dir}/weights.bin)`,
    );
    dir = folder(valid(), { 'weights.bin': f32(8) });
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: weightsManifest[0].weights need 36 bytes but weightsManifest[0].paths hold 32 (weights.bin: 32 bytes): the weights file is truncated`,
    );
    dir = folder(valid(), { 'weights.bin': f32(10) });
    expect((await rejection(() => load(`file://${dir}`))).message).toMatch(/weightsManifest\[0\]\.weights need 36 bytes but weightsManifest\[0\]\.paths hold 40 \(weights\.bin: 40 bytes\): the weights file is longer than the manifest says$/);
    // Groups are checked one by one: bytes moved from one group's file to the next are caught too.
    dir = folder({ modelTopology: {}, weightsManifest: [{ paths: ['a.bin'], weights: [spec('a', [2])] }, { paths: ['b.bin'], weights: [spec('b', [2])] }] }, { 'a.bin': f32(1), 'b.bin': f32(3) });
    expect((await rejection(() => load(`file://${dir}`))).message).toMatch(/weightsManifest\[0\]\.weights need 8 bytes but weightsManifest\[0\]\.paths hold 4 \(a\.bin: 4 bytes\)/);
    // A folder named like a weights file.
    dir = folder(valid());
    mkdirSync(join(dir, 'weights.bin'));
    expect((await rejection(() => load(`file://${dir}`))).message).toMatch(/weightsManifest\[0\]\.paths\[0\] names 'weights\.bin', which is not a file/);
  });

  it("a handler whose load is not a function is named as such (it was read as artifacts: 'modelTopology must be an object')", async () => {
    expect((await rejection(() => nr.loadModel({ load: 5 } as never))).message).toBe("loadModel: source.load must be a function (an IOHandler's load, returning the artifacts), got 5");
  });

  it('a model.json that is a device, or a link to one, is refused before reading (it read /dev/zero without end)', async () => {
    expect((await rejection(() => load('file:///dev/zero'))).message).toBe('loadModel: file:///dev/zero: /dev/zero is not a regular file (a device, a pipe or a socket); a model.json is a file');
    const dir = fresh('device');
    mkdirSync(dir);
    symlinkSync('/dev/zero', join(dir, 'model.json'));
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(`loadModel: file://${dir}: ${dir}/model.json is not a regular file (a device, a pipe or a socket); a model.json is a file`);
  });

  it('a manifest names each weight file once, and at most 10,000 of them (it read one file 100,000 times)', async () => {
    const twice = { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [spec('a', [2])] }, { paths: ['./weights.bin'], weights: [spec('b', [2])] }] };
    let dir = folder(twice, { 'weights.bin': f32(2) });
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: weightsManifest[1].paths[0] names 'weights.bin', as weightsManifest[0].paths[0] does; each weight file holds its own bytes, so a manifest names it once`,
    );
    const many = { modelTopology: {}, weightsManifest: [{ paths: Array.from({ length: 10_001 }, (_, i) => `w${i}.bin`), weights: [spec('a', [2])] }] };
    dir = folder(many);
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: weightsManifest names more than 10000 weight files (up to weightsManifest[0]); refused before reading (TF.js's shards of 4 MB: 10000 of them hold more than a model may)`,
    );
    // A size mismatch over many files lists the first few, not every one.
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`w${i}.bin`, f32(1)]));
    dir = folder({ modelTopology: {}, weightsManifest: [{ paths: Object.keys(twenty), weights: [spec('a', [21])] }] }, twenty);
    expect((await rejection(() => load(`file://${dir}`))).message).toMatch(/paths hold 80 \(w0\.bin: 4 bytes, (w\d\.bin: 4 bytes, ){7}and 12 more\): the weights file is truncated$/);
  });

  it('a claimed 10 GB is refused before reading or allocating, for files and over http', async () => {
    const huge = { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [spec('k', [50_000, 50_000])] }] };
    const dir = folder(huge, { 'weights.bin': f32(4) });
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: weightsManifest[0].weights claims 10000000000 bytes of weights (up to weightsManifest[0].weights[0]), more than the 4294967296 a WebAssembly memory can hold; refused before reading`,
    );
    // Split over many specs and groups, the running total is what counts.
    const split = { modelTopology: {}, weightsManifest: Array.from({ length: 5 }, (_, g) => ({ paths: [`g${g}.bin`], weights: [spec(`w${g}`, [25_000, 25_000]), spec(`v${g}`, [1])] })) };
    const dir2 = folder(split);
    expect((await rejection(() => load(`file://${dir2}`))).message).toMatch(/: weightsManifest claims 5000000008 bytes of weights \(up to weightsManifest\[1\]\), more than the 4294967296/);
    // Under the cap but more than the file has: refused by the size check, still before reading.
    const big = folder({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [spec('k', [30_000, 30_000])] }] }, { 'weights.bin': f32(4) });
    expect((await rejection(() => load(`file://${big}`))).message).toMatch(/weightsManifest\[0\]\.weights need 3600000000 bytes but weightsManifest\[0\]\.paths hold 16 \(weights\.bin: 16 bytes\)/);
    // Over http, the weights are never requested.
    const { fetchFunc, asked } = fetchFrom(dir);
    await rejection(() => http('http://models.test/model.json', { fetchFunc }).load!());
    expect(asked).toEqual(['http://models.test/model.json']);
  });

  it('paths that leave the model folder are refused, and the file outside is never read', async () => {
    const outside = fresh('secret');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.bin'), f32(9));
    const name = outside.split('/').at(-1)!;
    for (const [p, why] of [
      [`../${name}/secret.bin`, 'leaves the model\'s folder (\'..\' is refused)'],
      [`sub/../../${name}/secret.bin`, 'leaves the model\'s folder (\'..\' is refused)'],
      [`%2e%2e/${name}/secret.bin`, 'leaves the model\'s folder (\'..\' is refused)'],
      [`${outside}/secret.bin`, 'must be a path relative to the model\'s folder (no absolute path, URL or backslash)'],
      ['..\\secret.bin', 'must be a path relative to the model\'s folder (no absolute path, URL or backslash)'],
      ['http://evil.test/w.bin', 'must be a path relative to the model\'s folder (no absolute path, URL or backslash)'],
      ['./', 'names no file'],
      // A NUL (which ends a path in the OS) was said to be an absolute path or URL, and printed raw.
      ['w.bin\u0000.png', 'holds a control character (a file name has none)'],
    ] as const) {
      const manifest = { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin', p], weights: [spec('k', [3, 3])] }] };
      const dir = folder(manifest, { 'weights.bin': new Uint8Array(0) });
      const shown = why.startsWith('holds') ? JSON.stringify(p) : `'${p}'`;
      expect((await rejection(() => load(`file://${dir}`))).message, p).toBe(`loadModel: file://${dir}/model.json: weightsManifest[0].paths[1] ${shown} ${why}`);
      const { fetchFunc, asked } = fetchFrom(dir);
      await rejection(() => http('http://models.test/model.json', { fetchFunc }).load!());
      expect(asked).toEqual(['http://models.test/model.json']);
    }
  });

  it('saving: a target that is a file, artifacts whose weight data disagree with the specs, no topology', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect((await rejection(() => save(`file://${file}`))).message).toBe(`save: file://${file}: ${file} exists and is not a folder; save to a new path or to a folder`);
    // A file further up the path is the one named, not the folder that could not be made.
    expect((await rejection(() => save(`file://${file}/sub/m`))).message).toBe(
      `save: file://${file}/sub/m: ${file} exists and is not a folder, so ${file}/sub/m cannot be made inside it; save to a path under a folder`,
    );
    const dir = fresh();
    const short = { ...artifacts(), weightData: new ArrayBuffer(100) };
    expect((await rejection(() => save(`file://${dir}`, short))).message).toBe(`save: file://${dir}: weightData holds 100 bytes but weightSpecs (3 weights) describe 112 (truncated?)`);
    expect((await rejection(() => save(`file://${dir}`, { weightSpecs: [] } as never))).message).toBe(`save: file://${dir}: modelTopology must be an object (the Keras model config), got undefined`);
    expect((await rejection(() => save(`file://${dir}`, { ...artifacts(), weightData: 'abc' } as never))).message).toBe(`save: file://${dir}: weightData must be an ArrayBuffer, got the string "abc"`);
    // Nothing was written by the refused saves.
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow(/ENOENT/);
  });

  it('saving makes the missing folders, and ends with an error where a folder cannot be made (Node\'s recursive mkdir spins forever under /proc)', async () => {
    const deep = join(fresh(), 'a', 'b', 'c');
    await save(`file://${deep}`);
    expect(JSON.parse(readFileSync(join(deep, 'model.json'), 'utf8')).format).toBe('layers-model');
    await save(`file://${deep}`); // into the folder it made
    if (process.platform === 'linux') {
      // The file system's refusal, not the caller's mistake (a save makes the folders it needs): an IOError (was an InvalidArgumentError).
      const err = await rejection(() => save('file:///proc/neurite-test/model'), nr.IOError);
      expect(err.message).toMatch(/^save: cannot write \/proc\/neurite-test\/model \[Error: ENOENT: no such file or directory, mkdir '\/proc\/neurite-test'\]$/);
      expect((err.cause as { code?: string }).code).toBe('ENOENT');
    }
  }, 10_000);

  it('a NUL in a file:// path (raw or %00) is an InvalidArgumentError showing it escaped, before any file call (was an IOError from Node\'s fs)', async () => {
    const dir = fresh('nul');
    for (const url of [`file://${dir}/a\0b`, `file://${dir}/a%00b`]) {
      const saved = await rejection(() => save(url));
      expect(saved.message).toBe(`save: ${JSON.stringify(url)}: a file path cannot hold a NUL character (\\u0000 or %00)`);
      expect(saved.message).not.toContain('\0');
      expect((await rejection(() => load(url))).message).toBe(`loadModel: ${JSON.stringify(url)}: a file path cannot hold a NUL character (\\u0000 or %00)`);
    }
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });
});

describe('file:// weights past 2 GiB', () => {
  // One weights.bin of 2 GiB or more cannot be read back (Node's readFile refuses it); the save
  // failed with a RangeError from its checksum (a signed shift) and wrote nothing usable.
  it('a save of weights past 2 GiB is refused before anything is written, saying why and what to do', async () => {
    const dir = fresh();
    const bytes = 2 ** 31; // [2^29] float32 values: untouched pages, never resident
    const artifacts: ModelArtifacts = {
      modelTopology: { class_name: 'Sequential', config: { name: 'big', layers: [] } },
      weightSpecs: [{ name: 'w', shape: [2 ** 29], dtype: 'float32' }],
      weightData: new ArrayBuffer(bytes),
    };
    const e = await getSaveHandler(`file://${dir}/m`, 'save').save!(artifacts).then(() => null, (err: Error) => err);
    expect(e?.message).toBe(`save: file://${dir}/m: the weights are 2147483648 bytes (2.15 GB), more than one weights.bin can hold to be read back (2 GiB, Node's readFile): keep the model in memory with toArtifacts(), or make it smaller; nothing was written`);
    expect(() => readdirSync(join(dir, 'm'))).toThrow(/ENOENT/);
  });
});
