// The storage handlers in Node (ts/io/router.ts, ts/io/handlers/*): file:// round trips of
// hand-made artifacts (byte-exact), the on-disk format against TF.js 4.22's own reader and
// writer (tf.io.http with a fetchFunc over the folder), http(s):// loading and saving against a
// local server, custom handlers, and the error catalogue (each an InvalidArgumentError naming
// the op, the URL/path and the field). Browser schemes run in test/browser-io.test.ts, Deno in
// test/deno.test.ts.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../ts/errors.js';
import { getLoadHandler, getSaveHandler, type IOHandler, type ModelArtifacts, type WeightSpec } from '../ts/io/router.js';
import { http } from '../ts/io/handlers/http.js';

await tf.setBackend('cpu');

const root = mkdtempSync(join(tmpdir(), 'neurite-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh folder under the test's tmp dir. */
const fresh = (name = 'm') => join(root, `${name}-${n++}`);

/** Deterministic float32 values (not all representable as short decimals, so byte-exactness is a real check). */
function values(count: number, seed: number): Float32Array<ArrayBuffer> {
  const v = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 2 ** 32 - 0.5) * 3.7;
  }
  return v;
}

/** Hand-made artifacts: a dense 3→4 kernel and bias, an optimizer slot, metadata of every kind. */
function artifacts(): ModelArtifacts {
  const specs: WeightSpec[] = [
    { name: 'dense_1/kernel', shape: [3, 4], dtype: 'float32' },
    { name: 'dense_1/bias', shape: [4], dtype: 'float32' },
    { name: 'dense_1/kernel/m', shape: [3, 4], dtype: 'float32', group: 'optimizer' },
  ];
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { units: 4 } }] }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    format: 'layers-model',
    generatedBy: 'neurite test',
    convertedBy: null,
    weightSpecs: specs,
    weightData: values(28, 7).buffer,
    trainingConfig: { loss: 'meanSquaredError', optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.01 } } },
    userDefinedMetadata: { epoch: 3, note: 'äöü ✓' },
  };
}

/** What `fn` rejected with, checked to be an InvalidArgumentError. */
async function rejection(fn: () => Promise<unknown>): Promise<InvalidArgumentError> {
  const e = await fn().then(() => undefined, (err: unknown) => err);
  expect(e, 'expected a rejection').toBeInstanceOf(InvalidArgumentError);
  return e as InvalidArgumentError;
}
function thrown(fn: () => unknown): InvalidArgumentError {
  let e: unknown;
  try { fn(); } catch (err) { e = err; }
  expect(e, 'expected a throw').toBeInstanceOf(InvalidArgumentError);
  return e as InvalidArgumentError;
}

const save = (target: string | IOHandler, a: ModelArtifacts = artifacts()) => getSaveHandler(target, 'save').save!(a);
const load = (source: string | IOHandler) => getLoadHandler(source, 'loadModel').load!();

/** Writes a folder: model.json (an object, or raw text) and binary files. */
function folder(json: unknown, files: Record<string, Uint8Array> = {}): string {
  const dir = fresh('hand');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}
/** The weight bytes of loaded artifacts (always one ArrayBuffer from these handlers). */
const bytes = (a: unknown) => new Uint8Array(a as ArrayBuffer);
const f32 = (count: number, seed = 1) => new Uint8Array(values(count, seed).buffer);
const spec = (name: string, shape: number[]): WeightSpec => ({ name, shape, dtype: 'float32' });

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

  it('writes tfjs-node\'s layout: model.json = { modelTopology, format, generatedBy, convertedBy, weightsManifest: [{ paths: [weights.bin], weights }], trainingConfig, userDefinedMetadata }', async () => {
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
    });
  });

  it('creates missing parent folders, overwrites an earlier save, and takes a path relative to the working directory', async () => {
    const dir = join(fresh(), 'deeper', 'still');
    await save(`file://${dir}`);
    const other = { ...artifacts(), weightData: values(28, 99).buffer };
    await save(`file://${relative(process.cwd(), dir)}`, other);
    expect(bytes((await load(`file://${dir}`)).weightData)).toEqual(bytes(other.weightData));
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

/** A fetch over the files of `dir` at http://models.test/…, recording every URL asked for. */
function fetchFrom(dir: string) {
  const asked: string[] = [];
  const fetchFunc = async (url: string): Promise<Response> => {
    asked.push(url);
    const path = new URL(url).pathname.slice(1);
    try {
      return new Response(readFileSync(join(dir, decodeURIComponent(path))), { status: 200 });
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
  };
  return { asked, fetchFunc };
}

/** A small TF.js model (dense + batchNormalization + dense), built with a fixed seed. */
function tfModel(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ units: 5, inputShape: [3], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  return m;
}
const X = () => tf.tensor2d(values(12, 5), [4, 3]);

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

describe('http(s)://', () => {
  let server: Server;
  let origin: string;
  const posts: Array<{ url: string; files: Record<string, Uint8Array>; types: Record<string, string> }> = [];
  const served = fresh('served');
  let chunked = new Uint8Array(0);

  beforeAll(async () => {
    await save(`file://${join(served, 'm')}`);
    server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'POST') {
        const body: Buffer[] = [];
        for await (const c of req) body.push(c as Buffer);
        const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: Buffer.concat(body) }).formData();
        const files: Record<string, Uint8Array> = {};
        const types: Record<string, string> = {};
        const entries: Array<[string, Blob]> = [];
        form.forEach((v, k) => entries.push([k, v as Blob]));
        for (const [k, v] of entries) {
          files[k] = new Uint8Array(await v.arrayBuffer());
          types[k] = v.type;
        }
        posts.push({ url: req.url!, files, types });
        res.writeHead(url.pathname === '/forbidden' ? 403 : 200).end('saved');
        return;
      }
      if (url.pathname === '/chunked/model.json') {
        res.writeHead(200).end(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [2])] }] }));
        return;
      }
      if (url.pathname === '/chunked/w.bin') {
        res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        res.write(chunked);
        res.end();
        return;
      }
      try {
        const data = readFileSync(join(served, decodeURIComponent(url.pathname)));
        res.writeHead(200, { 'Content-Length': data.byteLength }).end(data);
      } catch {
        res.writeHead(404, 'Not Found').end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  it('loads model.json and weights resolved relative to it, through the global fetch', async () => {
    const b = await load(`${origin}/m/model.json`);
    expect(bytes(b.weightData)).toEqual(bytes(artifacts().weightData));
    expect(b.userDefinedMetadata).toEqual(artifacts().userDefinedMetadata);
  });

  it('carries the JSON URL\'s query string to the weight files and passes requestInit, as TF.js', async () => {
    const { fetchFunc, asked } = fetchFrom(join(served, 'm'));
    const inits: Array<RequestInit | undefined> = [];
    const handler = http('http://models.test/model.json?token=abc', {
      requestInit: { headers: { authorization: 'Bearer t' } },
      fetchFunc: (u, i) => { inits.push(i); return fetchFunc(u); },
    });
    await handler.load!();
    expect(asked).toEqual(['http://models.test/model.json?token=abc', 'http://models.test/weights.bin?token=abc']);
    expect(inits.map((i) => (i?.headers as Record<string, string>).authorization)).toEqual(['Bearer t', 'Bearer t']);
  });

  it('saves as TF.js does: a multipart POST of model.json and model.weights.bin', async () => {
    const a = artifacts();
    const r = await save(`${origin}/upload`, a);
    expect(r.modelArtifactsInfo.weightDataBytes).toBe(112);
    const post = posts.at(-1)!;
    expect(post.url).toBe('/upload');
    expect(post.types).toEqual({ 'model.json': 'application/json', 'model.weights.bin': 'application/octet-stream' });
    expect(post.files['model.weights.bin']).toEqual(bytes(a.weightData));
    const json = JSON.parse(new TextDecoder().decode(post.files['model.json']));
    expect(json.weightsManifest).toEqual([{ paths: ['./model.weights.bin'], weights: a.weightSpecs }]);
    expect(json.modelTopology).toEqual(a.modelTopology);
  });

  it('HTTP errors name the op, the URL and what was fetched', async () => {
    expect((await rejection(() => load(`${origin}/nope/model.json`))).message).toBe(`loadModel: fetching the model JSON from ${origin}/nope/model.json failed: HTTP 404 Not Found`);
    expect((await rejection(() => save(`${origin}/forbidden`))).message).toBe(`save: posting the model to ${origin}/forbidden failed: HTTP 403 Forbidden`);
    // A weight file missing on the server.
    const { fetchFunc } = fetchFrom(folder({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [2])] }] }));
    const e = await rejection(() => http('http://models.test/model.json', { fetchFunc }, 'loadModel').load!());
    expect(e.message).toBe(`loadModel: fetching weightsManifest[0].paths[0] 'w.bin' from http://models.test/w.bin failed: HTTP 404 Not Found`);
    // A server that does not answer at all.
    const down = await rejection(() => load('http://127.0.0.1:1/model.json'));
    expect(down.message).toMatch(/^loadModel: fetching the model JSON from http:\/\/127\.0\.0\.1:1\/model\.json failed \[TypeError/);
  });

  it('a body longer or shorter than claimed is refused; without Content-Length it is read no further than claimed + 1 byte', async () => {
    chunked = new Uint8Array(4096);
    expect((await rejection(() => load(`${origin}/chunked/model.json`))).message).toBe(
      `loadModel: ${origin}/chunked/model.json: weightsManifest[0].weights need 8 bytes but weightsManifest[0].paths hold 9 (more than claimed): the weights file is longer than the manifest says`,
    );
    chunked = new Uint8Array(5);
    expect((await rejection(() => load(`${origin}/chunked/model.json`))).message).toMatch(/weightsManifest\[0\]\.weights need 8 bytes but weightsManifest\[0\]\.paths hold 5 \(w\.bin\): the weights file is truncated$/);
    chunked = new Uint8Array(8);
    expect(bytes((await load(`${origin}/chunked/model.json`)).weightData).byteLength).toBe(8);
  });

  it('an endless body is read no further than the claim (+ one chunk); Content-Length is not trusted (gzip counts compressed bytes)', async () => {
    let pulled = 0;
    const endless = () => new ReadableStream<Uint8Array>({ pull(c) { pulled += 1000; c.enqueue(new Uint8Array(1000)); } }, { highWaterMark: 0 });
    const manifest = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [1000])] }] });
    const e = await rejection(() => http('http://models.test/model.json', { fetchFunc: async (url) => new Response(url.endsWith('model.json') ? manifest : endless()) }, 'loadModel').load!());
    expect(e.message).toBe('loadModel: http://models.test/model.json: weightsManifest[0].weights need 4000 bytes but weightsManifest[0].paths hold 4001 (more than claimed): the weights file is longer than the manifest says');
    expect(pulled).toBeLessThanOrEqual(5000);
    // A gzip-served file: Content-Length 10 (compressed) for 4000 decoded bytes loads.
    const w = f32(1000);
    const gz = async (url: string) => url.endsWith('model.json') ? new Response(manifest) : new Response(w.slice(), { headers: { 'content-length': '10', 'content-encoding': 'gzip' } });
    expect(bytes((await http('http://models.test/model.json', { fetchFunc: gz }).load!()).weightData)).toEqual(w);
  });

  it('http() options are checked', () => {
    expect(thrown(() => http('http://x/model.json', { fetchFun: fetch } as never)).message).toMatch(/^http: unknown option 'fetchFun' — did you mean 'fetchFunc'\?/);
    expect(thrown(() => http('http://x/model.json', { fetchFunc: 3 } as never)).message).toBe('http: options.fetchFunc must be a function like fetch, got 3');
    expect(thrown(() => http('http://x/model.json', { requestInit: { body: 'x' } })).message).toBe('http: options.requestInit must not have a body (the handler sets it)');
    expect(thrown(() => http('' as string)).message).toMatch(/^http: url must be a non-empty string/);
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

  it('a handler without the method needed, a non-handler, no scheme, or an unknown scheme is refused', () => {
    expect(thrown(() => getSaveHandler({ load: async () => artifacts() }, 'save')).message).toBe(
      "save: the target handler has no save() method (it has load()); pass an object with save() or a URL such as 'file://…', 'indexeddb://…', 'localstorage://…'",
    );
    expect(thrown(() => getLoadHandler({}, 'loadModel')).message).toMatch(/^loadModel: the source handler has no load\(\) method \(it has neither save\(\) nor load\(\)\)/);
    expect(thrown(() => getLoadHandler(new URL('file:///tmp/m') as never, 'loadModel')).message).toBe("loadModel: source is a URL object; pass a string such as 'file:///tmp/my-model' or 'file:///tmp/m'");
    expect(thrown(() => getLoadHandler(42 as never, 'loadModel')).message).toMatch(/^loadModel: source must be a URL string \(file:\/\/, .*\) or an object with load\(\), got 42$/);
    expect(thrown(() => getSaveHandler('my-model', 'save')).message).toMatch(/^save: target 'my-model' has no URL scheme; use one of file:\/\/, indexeddb:\/\//);
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
    dir = folder('[1, 2]');
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(`loadModel: file://${dir}/model.json: must be a JSON object with modelTopology and weightsManifest, got an array of length 2`);
    dir = folder({ name: 'x', weights: [] });
    expect((await rejection(() => load(`file://${dir}`))).message).toBe(
      `loadModel: file://${dir}/model.json: modelTopology must be an object (the Keras model config), got undefined: not a TF.js Layers model (its keys: name, weights)`,
    );
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
    ] as const) {
      const manifest = { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin', p], weights: [spec('k', [3, 3])] }] };
      const dir = folder(manifest, { 'weights.bin': new Uint8Array(0) });
      expect((await rejection(() => load(`file://${dir}`))).message, p).toBe(`loadModel: file://${dir}/model.json: weightsManifest[0].paths[1] '${p}' ${why}`);
      const { fetchFunc, asked } = fetchFrom(dir);
      await rejection(() => http('http://models.test/model.json', { fetchFunc }).load!());
      expect(asked).toEqual(['http://models.test/model.json']);
    }
  });

  it('saving: a target that is a file, artifacts whose weight data disagree with the specs, no topology', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect((await rejection(() => save(`file://${file}`))).message).toBe(`save: file://${file}: ${file} exists and is not a folder; save to a new path or to a folder`);
    const dir = fresh();
    const short = { ...artifacts(), weightData: new ArrayBuffer(100) };
    expect((await rejection(() => save(`file://${dir}`, short))).message).toBe(`save: file://${dir}: weightData holds 100 bytes but weightSpecs (3 weights) describe 112 (truncated?)`);
    expect((await rejection(() => save(`file://${dir}`, { weightSpecs: [] } as never))).message).toBe(`save: file://${dir}: modelTopology must be an object (the Keras model config), got undefined`);
    expect((await rejection(() => save(`file://${dir}`, { ...artifacts(), weightData: 'abc' } as never))).message).toBe(`save: file://${dir}: weightData must be an ArrayBuffer, got the string "abc"`);
    // Nothing was written by the refused saves.
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow(/ENOENT/);
  });
});

describe('fuzz: mutated valid files load or fail with an InvalidArgumentError, never anything else', () => {
  /** A seeded generator (mulberry32) so a failure reproduces from its case number. */
  function rand(seed: number) {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
  }
  const ODD: unknown[] = [null, -1, 0, 2.5, 1e20, 2 ** 53, NaN, '', 'x', '../w.bin', '/etc/passwd', '%2e%2e', [], {}, [1, 2], true, 'float64', 'int32', [2 ** 40, 2 ** 40, 0], { dtype: 'uint8' }];

  /** Replaces one random node of the JSON tree (or deletes a key) with something odd. */
  function mutateTree(v: unknown, r: () => number): unknown {
    if (v === null || typeof v !== 'object') return ODD[Math.floor(r() * ODD.length)];
    const keys = Object.keys(v);
    if (keys.length === 0 || r() < 0.15) return ODD[Math.floor(r() * ODD.length)];
    const copy: Record<string, unknown> = Array.isArray(v) ? [...v] as never : { ...(v as Record<string, unknown>) };
    const k = keys[Math.floor(r() * keys.length)];
    if (!Array.isArray(v) && r() < 0.1) delete copy[k];
    else copy[k] = mutateTree(copy[k], r);
    return copy;
  }

  it('600 structure-, text- and size-mutated folders through file:// and http://', async () => {
    const base = {
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 3 } }] } },
      format: 'layers-model',
      weightsManifest: [
        { paths: ['a.bin', 'b.bin'], weights: [spec('k', [2, 3]), spec('b', [3])] },
        { paths: ['c.bin'], weights: [{ name: 'q', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }] },
      ],
    };
    const w = f32(9, 11);
    const dir = fresh('fuzz');
    const outcomes = { loaded: 0, refused: 0 };
    for (let c = 0; c < 600; c++) {
      const r = rand(c + 1);
      let json = JSON.stringify(c % 3 === 0 ? base : mutateTree(base, r));
      if (c % 3 === 1) {
        // Text mutations: flip, drop or insert characters.
        const chars = [...json];
        for (let m = 0; m < 1 + Math.floor(r() * 3); m++) {
          const at = Math.floor(r() * chars.length);
          const op = r();
          if (op < 0.4) chars[at] = '{}[]",:0-e.9a/'[Math.floor(r() * 15)];
          else if (op < 0.7) chars.splice(at, 1);
          else chars.splice(at, 0, '0[,"'[Math.floor(r() * 4)]);
        }
        json = chars.join('');
      }
      const cut = (n: number) => (c % 3 === 0 ? Math.max(0, n + Math.floor(r() * 7) - 3) : n);
      const files = { 'a.bin': w.subarray(0, cut(20)), 'b.bin': w.subarray(20, 20 + cut(16)), 'c.bin': new Uint8Array(cut(4)) };
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), json);
      for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
      for (const via of ['file', 'http'] as const) {
        const handler = via === 'file' ? getLoadHandler(`file://${dir}`, 'loadModel') : http('http://models.test/model.json', { fetchFunc: fetchFrom(dir).fetchFunc }, 'loadModel');
        try {
          const a = await handler.load!();
          // Whatever loads is consistent: the data holds exactly what the specs describe.
          const claimed = (a.weightSpecs ?? []).reduce((s, sp) => s + sp.shape.reduce((p, d) => p * d, 1) * ((sp as { quantization?: unknown }).quantization ? 1 : 4), 0);
          expect(bytes(a.weightData ?? new ArrayBuffer(0)).byteLength, `case ${c} ${via}: ${json}`).toBe(claimed);
          outcomes.loaded++;
        } catch (e) {
          expect(e, `case ${c} ${via}: ${json}\n${(e as Error)?.stack}`).toBeInstanceOf(InvalidArgumentError);
          expect((e as Error).message, `case ${c} ${via}`).toMatch(/^loadModel: /);
          outcomes.refused++;
        }
      }
    }
    console.log(`fuzz: ${outcomes.loaded} loaded, ${outcomes.refused} refused`);
    // Both outcomes are exercised: mutations that keep the manifest and sizes intact load.
    expect(outcomes.loaded).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(300);
  });
});
