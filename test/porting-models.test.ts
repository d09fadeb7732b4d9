// What a TF.js app's model code needs beyond layers (a porting report): userDefinedMetadata,
// loadLayersModel's LoadOptions (onProgress, strict, requestInit, weightPathPrefix, fetchFunc),
// toJSON and models.modelFromJSON, inputNames/outputNames, model.optimizer, CustomCallback,
// TF.js's type names, predict's verbose, fit and evaluate by input and output name, fit's
// options that TF.js 4.22 ignores or refuses, and what loading says about a file that is not
// what it should be. TF.js 4.22 (tfjs-layers, CPU backend) is the oracle wherever it has the
// behaviour: the same calls on both, the same results.
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expectNoLeak } from './setup.js';
import { fresh, rejection, thrown } from './io-helpers.js';
import { normals } from './rng.js';
import * as nr from '../ts/index.js';

await tf.setBackend('cpu');
const Invalid = nr.InvalidArgumentError;

/** The same small dense model in both libraries (names given, so weight names agree). */
function pair(units = 3): { n: nr.Sequential; t: tfl.Sequential } {
  const n = nr.sequential({ name: 'pm', layers: [nr.layers.dense({ inputShape: [4], units, name: 'pm_d' }), nr.layers.dense({ units: 2, name: 'pm_o' })] });
  const t = tfl.sequential({ name: 'pm', layers: [tfl.layers.dense({ inputShape: [4], units, name: 'pm_d' }), tfl.layers.dense({ units: 2, name: 'pm_o' })] });
  return { n, t };
}

/** TF.js's artifacts of `m` (its save handler's argument). */
async function tfArtifactsOf(m: tfl.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let a: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (x) => ((a = x), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), { includeOptimizer });
  return a!;
}

/**
 * A fetch over `files` (URL without its query string → bytes or JSON) that records each request, for both libraries'
 * http handlers (TF.js's `fetchFunc` takes the same function).
 */
function server(files: Record<string, Uint8Array | object>): { fetch: (u: string, init?: RequestInit) => Promise<Response>; calls: Array<{ url: string; init?: RequestInit }> } {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      const f = files[url.replace(/\?.*$/, '')];
      if (f === undefined) return new Response('', { status: 404, statusText: 'Not Found' });
      return new Response(f instanceof Uint8Array ? (f as Uint8Array<ArrayBuffer>) : JSON.stringify(f), { status: 200 });
    },
  };
}

/** `a` as a model.json and its weights split into two shards at `base` (a folder URL ending in /). */
function served(a: nr.ModelArtifacts, base: string): Record<string, Uint8Array | object> {
  const bytes = new Uint8Array(a.weightData as ArrayBuffer);
  const cut = Math.floor(bytes.length / 8) * 4;
  return {
    [`${base}model.json`]: { modelTopology: a.modelTopology, format: a.format, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: a.weightSpecs }] },
    [`${base}group1-shard1of2.bin`]: bytes.slice(0, cut),
    [`${base}group1-shard2of2.bin`]: bytes.slice(cut),
  };
}

const values = (ts: Array<nr.Tensor | tf.Tensor>): number[][] => ts.map((w) => Array.from(w.dataSync()));

describe('userDefinedMetadata (TF.js setUserDefinedMetadata / getUserDefinedMetadata)', () => {
  it('is saved, loaded and saved again beside neurite\'s own record; TF.js reads it from neurite\'s file and neurite from TF.js\'s', async () => {
    const { n, t } = pair();
    expect(n.getUserDefinedMetadata()).toBe(t.getUserDefinedMetadata()); // undefined in both
    const meta = { labels: ['cat', 'dog'], version: 2, nested: { ok: true, none: null } };
    n.setUserDefinedMetadata(meta);
    t.setUserDefinedMetadata(meta);
    expect(n.getUserDefinedMetadata()).toBe(meta);
    n.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const a = await n.toArtifacts();
    expect(Object.keys(a.userDefinedMetadata!).sort()).toEqual(['labels', 'nested', 'neurite', 'version']);
    // load → save keeps it (it was dropped), and getUserDefinedMetadata leaves neurite's key out.
    const back = await nr.loadLayersModel(a);
    expect(back.getUserDefinedMetadata()).toEqual(meta);
    expect((await back.toArtifacts()).userDefinedMetadata).toEqual(a.userDefinedMetadata);
    // TF.js reads neurite's file, and neurite TF.js's.
    const tfBack = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    expect(tfBack.getUserDefinedMetadata()).toEqual(a.userDefinedMetadata);
    const fromTf = await nr.loadLayersModel((await tfArtifactsOf(t)) as nr.ModelArtifacts);
    expect(fromTf.getUserDefinedMetadata()).toEqual(meta);
    // A file without metadata gives undefined, as in TF.js; undefined clears it.
    n.setUserDefinedMetadata(undefined);
    expect((await n.toArtifacts()).userDefinedMetadata).toEqual({ neurite: a.userDefinedMetadata!.neurite });
    for (const m of [n, back, fromTf]) m.dispose();
    for (const m of [t, tfBack]) m.dispose();
  });

  it('what TF.js refuses (not a plain JSON object) is an InvalidArgumentError naming where; the key neurite is refused', () => {
    const { n, t } = pair();
    const bad: unknown[] = [null, 1, 'x', [1], new Date(0), { a: new Date(0) }, { f: () => 1 }, Object.create(null)];
    for (const [i, v] of bad.entries()) {
      expect(() => t.setUserDefinedMetadata(v as object), `TF.js on bad[${i}]`).toThrow('User-defined metadata is expected to be a JSON object');
      expect(() => n.setUserDefinedMetadata(v as never)).toThrow(Invalid);
    }
    expect(() => n.setUserDefinedMetadata(null as never)).toThrow('setUserDefinedMetadata: userDefinedMetadata must be a plain JSON object such as { labels: [\'cat\', \'dog\'] }, got null');
    expect(() => n.setUserDefinedMetadata({ a: [1, { when: new Date(0) }] })).toThrow(/^setUserDefinedMetadata: userDefinedMetadata must be plain JSON \(objects, arrays, strings, finite numbers, booleans, null\), but userDefinedMetadata\.a\[1\]\.when is /);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => n.setUserDefinedMetadata(cyclic)).toThrow('but userDefinedMetadata.self is the object it is inside (a cycle)');
    // What JSON cannot hold, which TF.js takes (a file then says null, or drops the key): refused, naming where.
    for (const [v, what] of [[NaN, 'NaN, which JSON cannot hold (a model file would say null)'], [-Infinity, '-Infinity, which JSON cannot hold (a model file would say null)'], [undefined, 'undefined'], [10n, 'the bigint 10n'], [() => 1, 'a function']] as const) {
      if (typeof v === 'number') t.setUserDefinedMetadata({ threshold: v }); // TF.js takes these
      const e = thrown(() => n.setUserDefinedMetadata({ model: { threshold: v } }));
      expect(e.message.startsWith('setUserDefinedMetadata: userDefinedMetadata must be plain JSON (objects, arrays, strings, finite numbers, booleans, null), but userDefinedMetadata.model.threshold is '), e.message).toBe(true);
      expect(e.message).toContain(`threshold is ${what}`);
    }
    expect(() => n.setUserDefinedMetadata({ scores: [1, 2, Infinity] })).toThrow('but userDefinedMetadata.scores[2] is Infinity, which JSON cannot hold');
    expect(() => n.setUserDefinedMetadata({ neurite: { mine: 1 } })).toThrow("setUserDefinedMetadata: userDefinedMetadata.neurite is reserved: neurite keeps its own record there in saved files (the exact compile call and optimizer state); put your data under another key");
    expect(n.getUserDefinedMetadata()).toBe(undefined);
    n.dispose();
    t.dispose();
  });

  it('setting and saving warn past 1 MiB of JSON, as TF.js; a key neurite put in later is refused at save', async () => {
    const { n, t } = pair();
    const big = { blob: 'x'.repeat(1024 * 1024) };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      n.setUserDefinedMetadata(big);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^setUserDefinedMetadata: the userDefinedMetadata of model pm is 1048587 characters long as JSON, more than the 1048576 TF\.js recommends/);
      await n.toArtifacts();
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1][0])).toMatch(/^toArtifacts: the userDefinedMetadata of model pm is 1048587 characters long as JSON/);
      t.setUserDefinedMetadata(big);
      await tfArtifactsOf(t);
      expect(String(warn.mock.calls[2][0])).toMatch(/is too large in size \(length=1048587 when serialized\)/);
    } finally {
      warn.mockRestore();
    }
    const meta: Record<string, unknown> = { a: 1 };
    n.setUserDefinedMetadata(meta);
    meta.neurite = 'mine';
    expect((await rejection(() => n.toArtifacts())).message).toMatch(/^toArtifacts: userDefinedMetadata\.neurite is reserved/);
    n.dispose();
    t.dispose();
  });
});

describe("loadModel's LoadOptions, as TF.js's loadLayersModel", () => {
  it('onProgress, requestInit, weightPathPrefix and fetchFunc over http: the same requests and fractions as TF.js', async () => {
    const { n, t } = pair(5);
    const a = await n.toArtifacts();
    const files = { ...served(a, 'https://models.example/m/'), ...served(a, 'https://cdn.example/w/') };
    const requestInit = { headers: { Authorization: 'Bearer x' } };
    const run = async (load: (fetchFunc: (u: string, init?: RequestInit) => Promise<Response>, onProgress: (f: number) => void) => Promise<{ getWeights(): Array<nr.Tensor | tf.Tensor>; dispose(): unknown }>) => {
      const s = server(files);
      const fractions: number[] = [];
      const m = await load(s.fetch, (f) => fractions.push(f));
      const w = values(m.getWeights());
      m.dispose();
      return { urls: s.calls.map((c) => c.url), inits: s.calls.map((c) => c.init), fractions, w };
    };
    const url = 'https://models.example/m/model.json?token=1';
    const mine = await run((fetchFunc, onProgress) => nr.loadLayersModel(url, { fetchFunc, onProgress, requestInit, weightPathPrefix: 'https://cdn.example/w/' }));
    const theirs = await run((fetchFunc, onProgress) => tfl.loadLayersModel(url, { fetchFunc: fetchFunc as typeof fetch, onProgress, requestInit, weightPathPrefix: 'https://cdn.example/w/' }));
    expect(mine.urls).toEqual(theirs.urls);
    expect(mine.urls).toEqual([url, 'https://cdn.example/w/group1-shard1of2.bin?token=1', 'https://cdn.example/w/group1-shard2of2.bin?token=1']);
    expect(mine.inits.map((i) => (i?.headers as Record<string, string>).Authorization)).toEqual(theirs.inits.map((i) => (i?.headers as Record<string, string>).Authorization));
    expect(mine.fractions).toEqual(theirs.fractions);
    expect(mine.fractions).toEqual([0.25, 0.5, 0.75, 1]);
    expect(mine.w).toEqual(theirs.w);
    // io.http takes the same options.
    const s = server(files);
    const viaHandler = await nr.loadLayersModel(nr.io.http(url, { fetchFunc: s.fetch, weightPathPrefix: 'https://cdn.example/w/' }));
    expect(values(viaHandler.getWeights())).toEqual(mine.w);
    viaHandler.dispose();
    n.dispose();
    t.dispose();
  });

  it('strict: false ignores extra weights and leaves missing ones as drawn (as TF.js); strict (the default) names them', async () => {
    const { n, t } = pair();
    const a = await n.toArtifacts();
    // Drop pm_o/bias and add a weight the model does not have.
    const specs = a.weightSpecs!.filter((w) => w.name !== 'pm_o/bias');
    const data = new Float32Array(a.weightData as ArrayBuffer).slice(0, 4 * 3 + 3 + 3 * 2);
    const extra: nr.ModelArtifacts = { ...a, userDefinedMetadata: undefined, weightSpecs: [...specs, { name: 'other/w', shape: [2], dtype: 'float32' }], weightData: Float32Array.from([...data, 7, 8]).buffer };
    const tfm = await tfl.loadLayersModel(tf.io.fromMemory(extra as tf.io.ModelArtifacts), { strict: false });
    const m = await nr.loadLayersModel(extra, { strict: false });
    const [mine, theirs] = [values(m.getWeights()), values(tfm.getWeights())];
    expect(mine.slice(0, 3)).toEqual(values(n.getWeights()).slice(0, 3));
    expect(mine.slice(0, 3)).toEqual(theirs.slice(0, 3));
    expect(mine[3]).toEqual([0, 0]); // the bias initializer's zeros, as in TF.js
    expect(theirs[3]).toEqual([0, 0]);
    await expect(tfl.loadLayersModel(tf.io.fromMemory(extra as tf.io.ModelArtifacts))).rejects.toThrow(/Provided weight data has no target variable: other\/w/);
    expect((await rejection(() => nr.loadLayersModel(extra))).message).toBe("loadLayersModel: weightSpecs has no weight 'pm_o/bias' (the layer at modelTopology.config.layers[1] needs it, shape [2]); pass { strict: false } to load the weights the file has and draw the others");
    for (const x of [n, m]) x.dispose();
    for (const x of [t, tfm]) x.dispose();
  });

  it('an option that cannot apply to the source is an error that says where it applies', async () => {
    const { n } = pair();
    const a = await n.toArtifacts();
    const folder = fresh('opts');
    await n.save(`file://${folder}`);
    const onProgress = () => {};
    expect((await rejection(() => nr.loadModel(a, { onProgress }))).message).toBe('loadModel: onProgress applies when loadModel reads a URL (http(s):// or file://); the artifacts given are in memory already');
    expect((await rejection(() => nr.loadModel(nr.io.fromMemory(a), { requestInit: {} }))).message).toBe("loadModel: requestInit applies to an http(s):// URL (it is how the files are fetched), not to a handler object, which loads on its own (give it to the handler: io.http(url, { requestInit }))");
    expect((await rejection(() => nr.loadModel(`file://${folder}`, { weightPathPrefix: 'x/' }))).message).toBe(`loadModel: weightPathPrefix applies to an http(s):// URL (it is how the files are fetched), not to 'file://${folder}'`);
    expect((await rejection(() => nr.loadModel(`file://${folder}`, { onProgress: 1 as never }))).message).toBe('loadModel: onProgress must be a function (fraction) => void, got 1');
    expect((await rejection(() => nr.loadModel(`file://${folder}`, { strict: 'no' as never }))).message).toBe('loadModel: strict must be true or false, got the string "no"');
    expect((await rejection(() => nr.loadModel(`file://${folder}`, { onProgres: onProgress } as never))).message).toBe("loadModel: unknown option 'onProgres' — did you mean 'onProgress'? (known: compile, allowNonFinite, strict, onProgress, requestInit, fetchFunc, weightPathPrefix)");
    // file:// reports each weight file read.
    const fractions: number[] = [];
    const m = await nr.loadModel(`file://${folder}`, { onProgress: (f) => fractions.push(f) });
    expect(fractions).toEqual([1]);
    m.dispose();
    n.dispose();
  });
});

describe('toJSON, models.modelFromJSON, inputNames, outputNames, optimizer', () => {
  it('toJSON is the topology as TF.js gives it; modelFromJSON reads TF.js\'s and TF.js reads neurite\'s', async () => {
    const { n, t } = pair();
    expect(n.toJSON()).toBe(JSON.stringify(n.getConfig()));
    expect(n.toJSON(null, false)).toEqual(n.getConfig());
    expect(typeof t.toJSON()).toBe('string');
    expect(() => n.toJSON(null, 'no' as never)).toThrow('toJSON: returnString must be true or false, got the string "no"');
    const fromTf = await nr.models.modelFromJSON(JSON.parse(t.toJSON() as string));
    expect(fromTf.layers.map((l) => l.name)).toEqual(['pm_d', 'pm_o']);
    expect(fromTf.weightNames()).toEqual(t.weights.map((w) => w.originalName));
    const inTf = await tfl.models.modelFromJSON(JSON.parse(n.toJSON()));
    expect(inTf.weights.map((w) => w.originalName)).toEqual(n.weightNames());
    // With a weights manifest, the weights are fetched from pathPrefix (as TF.js: pathPrefix/<path>).
    const a = await n.toArtifacts();
    const files = served(a, 'https://models.example/p/');
    const json = files['https://models.example/p/model.json'] as Record<string, unknown>;
    const s = server(files);
    vi.stubGlobal('fetch', s.fetch);
    try {
      const m = await nr.models.modelFromJSON({ modelTopology: json.modelTopology as object, weightsManifest: json.weightsManifest, pathPrefix: 'https://models.example/p' });
      expect(s.calls.map((c) => c.url)).toEqual(['https://models.example/p/group1-shard1of2.bin', 'https://models.example/p/group1-shard2of2.bin']);
      expect(values(m.getWeights())).toEqual(values(n.getWeights()));
      m.dispose();
      expect((await rejection(() => nr.models.modelFromJSON({ modelTopology: json.modelTopology as object, weightsManifest: json.weightsManifest })))).toHaveProperty('message', 'models.modelFromJSON: pathPrefix must be the URL of the folder holding the weight files weightsManifest names, got undefined');
    } finally {
      vi.unstubAllGlobals();
    }
    expect((await rejection(() => nr.models.modelFromJSON(JSON.parse(n.toJSON()), {} as never))).message).toBe('models.modelFromJSON: customObjects is not supported: neurite has no registry of custom classes (every layer is one of its own), got an object (Object)');
    for (const m of [n, fromTf]) m.dispose();
    for (const m of [t, inTf]) m.dispose();
  });

  it("modelFromJSON refuses a file:// pathPrefix: the JSON would choose which local files become weights (any file's bytes, as float32)", async () => {
    using n = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [3], units: 2 })] });
    const dir = join(fresh('mfj'), 'with space');
    await n.save(`file://${dir}`);
    // The saved model.json as it is, its checksum key included (it was an unknown option).
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: unknown };
    for (const pathPrefix of [`file://${dir}`, `${pathToFileURL(dir).href}/`, 'FILE:///etc/']) {
      const e = await rejection(() => nr.models.modelFromJSON({ ...json, pathPrefix }));
      expect(e).toBeInstanceOf(nr.InvalidArgumentError);
      expect(e.message).toBe(`models.modelFromJSON: pathPrefix ${JSON.stringify(pathPrefix)} is a file:// URL, and modelFromJSON does not read local files (the JSON would choose which files become weights); load a saved folder with loadModel('file://…'), or pass { modelTopology } alone for fresh weights`);
    }
    using m = await nr.models.modelFromJSON({ modelTopology: json.modelTopology });
    expect(nr.tidy(() => m.getWeights().map((w) => w.shape))).toEqual([[3, 2], [2]]);
  });

  it('save() of a disposed model names save (it named toArtifacts, which the caller never called)', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.dispose();
    const e = await m.save({ save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) }).then(() => null, (err: unknown) => err as Error);
    expect(e).toBeInstanceOf(nr.DisposedError);
    expect(e!.message).toBe(`save: model ${m.name} is disposed`);
    const p = new nr.Perceptron({ inputs: 2 });
    p.dispose();
    expect((await p.save({ save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) }).then(() => null, (err: unknown) => err as Error))!.message).toMatch(/^save: /);
  });

  it('inputNames and outputNames are TF.js\'s (a sequential model\'s input is <first layer>_input)', () => {
    const built = <T extends { build(): unknown }>(m: T): T => (m.build(), m);
    const cases: Array<[nr.Sequential, tfl.LayersModel]> = [];
    cases.push([nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2, name: 'nd' })] }), built(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'nd' })] }))]);
    cases.push([nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [3], name: 'myin' }), nr.layers.dense({ units: 2, name: 'nk' })] }), built(tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [3], name: 'myin' }), tfl.layers.dense({ units: 2, name: 'nk' })] }))]);
    const nInner = nr.sequential({ name: 'n_inn', layers: [nr.layers.dense({ inputShape: [2], units: 2, name: 'nh' })] });
    const tInner = tfl.sequential({ name: 'n_inn', layers: [tfl.layers.dense({ inputShape: [2], units: 2, name: 'nh' })] });
    cases.push([nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 2, name: 'ng' }), nInner] }), built(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'ng' }), tInner] }))]);
    const nx = nr.input({ shape: [3], name: 'xin' });
    const tx = tfl.input({ shape: [3], name: 'xin' });
    cases.push([nr.model({ inputs: nx, outputs: [nr.layers.dense({ units: 1, name: 'o1' }).apply(nx), nr.layers.dense({ units: 1, name: 'o2' }).apply(nx)] }), tfl.model({ inputs: tx, outputs: [tfl.layers.dense({ units: 1, name: 'o1' }).apply(tx) as tfl.SymbolicTensor, tfl.layers.dense({ units: 1, name: 'o2' }).apply(tx) as tfl.SymbolicTensor] })]);
    for (const [n, t] of cases) {
      expect(n.inputNames).toEqual(t.inputNames);
      expect(n.outputNames).toEqual(t.outputNames);
      // The symbolic inputs carry the same names (a sequential model's was 'input_1').
      expect(n.inputs.map((s) => s.name)).toEqual(t.inputs.map((s) => s.name));
    }
    for (const [n, t] of cases) {
      n.dispose();
      t.dispose();
    }
    nInner.dispose();
  });

  it('model.optimizer: undefined before compile, then what TF.js users call on it (getClassName, getConfig), also after loading a trainingConfig', async () => {
    const { n, t } = pair();
    expect(n.optimizer).toBe(t.optimizer); // undefined
    const named: Array<[string, string]> = [['sgd', 'SGD'], ['adam', 'Adam'], ['rmsprop', 'RMSProp'], ['adagrad', 'Adagrad'], ['adamax', 'Adamax'], ['adadelta', 'Adadelta']];
    for (const [name, cls] of named) {
      n.compile({ optimizer: name as 'sgd', loss: 'meanSquaredError' });
      t.compile({ optimizer: name, loss: 'meanSquaredError' });
      expect(n.optimizer!.getClassName()).toBe(cls);
      expect(t.optimizer.getClassName()).toBe(cls);
      expect(n.optimizer!.getConfig().learningRate).toBe(name === 'adadelta' ? 0.001 : (t.optimizer.getConfig() as { learningRate: number }).learningRate);
    }
    const momentum = nr.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 });
    n.compile({ optimizer: momentum, loss: 'meanSquaredError' });
    expect(n.optimizer).toBe(momentum);
    expect(momentum.getClassName()).toBe(tf.train.momentum(0.1, 0.9).getClassName());
    expect(nr.optimizers.adamw().getClassName()).toBe('AdamW');
    // A file TF.js saved with its compile config.
    t.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const loaded = await nr.loadLayersModel((await tfArtifactsOf(t, true)) as nr.ModelArtifacts);
    expect(loaded.optimizer!.getClassName()).toBe('Adam');
    expect(loaded.optimizer!.getConfig().learningRate).toBe(0.05);
    for (const m of [n, loaded]) m.dispose();
    t.dispose();
  });
});

describe('CustomCallback and TF.js\'s type names', () => {
  it('CustomCallback calls its hooks as fit calls a plain object\'s, with this.model set', async () => {
    const { n, t } = pair();
    n.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    t.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = normals(1)(8 * 4);
    const y = normals(2)(8 * 2);
    const seen = { nr: [] as string[], tf: [] as string[] };
    const hooks = (out: string[]) => ({
      onTrainBegin: () => void out.push('trainBegin'),
      onEpochBegin: (e: number) => void out.push(`epochBegin ${e}`),
      onBatchEnd: (b: number) => void out.push(`batchEnd ${b}`),
      onEpochEnd: (e: number, logs?: { loss?: unknown }) => void out.push(`epochEnd ${e} ${typeof logs?.loss}`),
      onTrainEnd: () => void out.push('trainEnd'),
    });
    let model: unknown;
    const cb = new nr.CustomCallback({ ...hooks(seen.nr), onTrainEnd() { model = this.model; seen.nr.push('trainEnd'); } }); // this: the callback (typed so, ThisType)
    const [xs, ys] = [nr.tensor(x, [8, 4]), nr.tensor(y, [8, 2])];
    await n.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [cb] });
    xs.dispose();
    ys.dispose();
    const [tx, ty] = [tf.tensor(x, [8, 4]), tf.tensor(y, [8, 2])];
    await t.fit(tx, ty, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [new tfl.CustomCallback(hooks(seen.tf))] });
    tf.dispose([tx, ty]);
    expect(seen.nr).toEqual(seen.tf);
    expect(model).toBe(n);
    expect(() => new nr.CustomCallback({ onEpochEnd: 1 as never })).toThrow('CustomCallback: onEpochEnd must be a function, got 1');
    expect(() => new nr.CustomCallback({ onEpochEndd: () => {} } as never)).toThrow("CustomCallback: unknown option 'onEpochEndd' — did you mean 'onEpochEnd'?");
    expect(() => new nr.CustomCallback({ nowFunc: () => 0 } as never)).toThrow('CustomCallback: nowFunc is not supported: fit yields to the event loop itself (its yieldEvery or yieldEveryMs option says when)');
    expect(() => new nr.CustomCallback({}, 'epoch' as never)).toThrow("CustomCallback: yieldEvery (the second argument, the string \"epoch\") is fit's option here: fit(x, y, { callbacks, yieldEvery })");
    n.dispose();
    t.dispose();
  });

  it('LayersModel, layers.Layer, TensorContainer and Rank name what TF.js\'s do', () => {
    const m: nr.LayersModel = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    expect(m).toBeInstanceOf(nr.LayersModel);
    const l: nr.layers.Layer = m.layers[0] as nr.Layer;
    expect(l).toBeInstanceOf(nr.layers.Layer);
    expect(nr.layers.Layer).toBe(nr.Layer);
    const kept: nr.TensorContainer = nr.tidy((): nr.TensorContainer => ({ a: [nr.ones([1])], n: 1 }));
    nr.dispose(kept as never);
    expect({ ...nr.Rank }).toEqual({ ...tf.Rank });
    const r: nr.Rank = nr.Rank.R2;
    expect(r).toBe('R2');
    m.dispose();
  });
});

describe('predict, fit and evaluate as TF.js takes them', () => {
  it('predict accepts verbose (TF.js ignores it); fit and evaluate take x and y by input and output name', async () => {
    const build = () => {
      const a = nr.input({ shape: [2], name: 'ia' });
      const b = nr.input({ shape: [3], name: 'ib' });
      const h = nr.layers.dense({ units: 4, name: 'h' }).apply(nr.layers.concatenate().apply([a, b]));
      const m = nr.model({ inputs: [a, b], outputs: [nr.layers.dense({ units: 1, name: 'oa' }).apply(h), nr.layers.dense({ units: 2, name: 'ob' }).apply(h)], seed: 3 });
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return m;
    };
    const [m1, m2] = [build(), build()];
    const xa = nr.tensor(normals(3)(12), [6, 2]), xb = nr.tensor(normals(4)(18), [6, 3]);
    const ya = nr.tensor(normals(5)(6), [6, 1]), yb = nr.tensor(normals(6)(12), [6, 2]);
    const h1 = await m1.fit([xa, xb], [ya, yb], { epochs: 2, batchSize: 3, verbose: 0 });
    const h2 = await m2.fit({ ib: xb, ia: xa }, { ob: yb, oa: ya }, { epochs: 2, batchSize: 3, verbose: 0 });
    expect(h2.history).toEqual(h1.history);
    expect(m2.evaluate({ ia: xa, ib: xb }, { oa: ya, ob: yb }, { returnDict: true })).toEqual(m1.evaluate([xa, xb], [ya, yb], { returnDict: true }));
    await expect(m2.fit({ ia: xa, ic: xb }, [ya, yb], { verbose: 0 })).rejects.toThrow("fit: x has a key 'ic' that is not an input of the model — did you mean 'ia'? (its inputs: ia, ib)");
    expect(() => m2.evaluate({ ia: xa }, [ya, yb])).toThrow("evaluate: x has no key 'ib' for the model's input ib (its inputs: ia, ib)");
    // A sequential model by TF.js's names (<first layer>_input, its last layer).
    const s = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1, name: 'sq' })] });
    s.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const hs = await s.fit({ sq_input: xa }, { sq: ya }, { epochs: 1, verbose: 0 });
    expect(hs.history.loss).toHaveLength(1);
    expectNoLeak(() => nr.tidy(() => {
      expect(Array.from(s.predict(xa, { verbose: true }).dataSync())).toEqual(Array.from(s.predict(xa).dataSync()));
    }));
    expect(() => s.predict(xa, { verbose: 3 as never })).toThrow("predict: verbose must be 0, 1, 2, 'auto' or a boolean (Keras's values; true is 1), got 3");
    for (const t of [xa, xb, ya, yb]) t.dispose();
    for (const x of [m1, m2, s]) x.dispose();
  });

  it('fit options TF.js 4.22 ignores or refuses are errors that say what to use', async () => {
    const { n, t } = pair();
    n.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    t.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = normals(7)(8 * 4), y = normals(8)(8 * 2);
    // TF.js: shuffle 'batch' throws; stepsPerEpoch is ignored (an epoch is still every batch).
    const [tx, ty] = [tf.tensor(x, [8, 4]), tf.tensor(y, [8, 2])];
    await expect(t.fit(tx, ty, { shuffle: 'batch' as never, verbose: 0 })).rejects.toThrow('batch shuffling is not implemneted yet');
    let batches = 0;
    await t.fit(tx, ty, { epochs: 1, batchSize: 2, stepsPerEpoch: 1, verbose: 0, callbacks: { onBatchEnd: async () => void batches++ } });
    expect(batches).toBe(4);
    tf.dispose([tx, ty]);
    const [nx, ny] = [nr.tensor(x, [8, 4]), nr.tensor(y, [8, 2])];
    const fit = async (args: object) => (await rejection(() => n.fit(nx, ny, { verbose: 0, ...args } as never))).message;
    expect(await fit({ shuffle: 'batch' })).toBe("fit: shuffle 'batch' (Keras's shuffling in batch-sized chunks, for HDF5 data) is not supported, as in TF.js 4.22, whose fit throws \"batch shuffling is not implemented yet\"; use shuffle: true (or false)");
    expect(await fit({ stepsPerEpoch: 2 })).toBe("fit: stepsPerEpoch is not supported: TF.js's fit ignores it (an epoch is one pass over x); for a set number of batches per epoch use fitDataset with batchesPerEpoch, or give fit one epoch's samples");
    expect(await fit({ validationSteps: 2 })).toBe("fit: validationSteps is not supported: TF.js's fit ignores it (it belongs with stepsPerEpoch); validationData and validationSplit are evaluated whole, in batches of batchSize");
    expect(await fit({ validationBatchSize: 2 })).toBe("fit: validationBatchSize is not supported: fit evaluates validation data in batches of batchSize (TF.js's fit ignores validationBatchSize); it is fitDataset's option, for validationData given as tensors");
    expect(await fit({ epoch: 2 })).toBe("fit: unknown option 'epoch' — did you mean 'epochs'? (known: epochs, batchSize, shuffle, seed, validationSplit, validationData, callbacks, verbose, yieldEveryMs, yieldEvery, initialEpoch, classWeight, sampleWeight)");
    for (const v of [nx, ny]) v.dispose();
    n.dispose();
    t.dispose();
  });
});

describe('what loading says about a file that is not what it should be', () => {
  it('a topology alone loads with fresh weights, as in TF.js; a parsed model.json in io.fromMemory says what it is', async () => {
    const { n, t } = pair();
    const topology = { modelTopology: n.getConfig() };
    const tfm = await tfl.loadLayersModel(tf.io.fromMemory(topology as tf.io.ModelArtifacts));
    const m = await nr.loadLayersModel(topology);
    expect(m.weightNames()).toEqual(tfm.weights.map((w) => w.originalName));
    // The initializers' draws (glorotUniform kernels), not zeros left unset.
    expect(values(m.getWeights())[0].some((v) => v !== 0)).toBe(true);
    const json = { modelTopology: n.getConfig(), weightsManifest: [{ paths: ['weights.bin'], weights: (await n.toArtifacts()).weightSpecs }] };
    expect((await rejection(() => nr.loadLayersModel(nr.io.fromMemory(json)))).message).toBe('loadLayersModel: weightsManifest is a model.json\'s: its weights are in the files it names ("weights.bin"), which artifacts in memory do not hold; load the model.json by its URL (loadModel(\'https://…/model.json\'), \'file://…\') or with io.browserFiles([json, ...weightFiles]), or give artifacts with weightSpecs and weightData');
    // The same json with its weights spread in ({ ...json, weightData }): the specs are in the manifest.
    const arts = await n.toArtifacts();
    const spread = await rejection(() => nr.loadModel({ ...json, weightData: arts.weightData } as never));
    expect(spread).toBeInstanceOf(nr.InvalidArgumentError);
    expect(spread.message).toBe("loadModel: weightSpecs is missing: a model.json keeps the weights' specs in weightsManifest[i].weights, which loadModel does not read from artifacts in memory; pass weightSpecs: json.weightsManifest.flatMap((g) => g.weights) beside weightData");
    const fixed = await nr.loadLayersModel({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: arts.weightData } as never);
    expect(values(fixed.getWeights())).toEqual(values(n.getWeights()));
    fixed.dispose();
    // A fetch's Response (init takes one): named, with what to pass instead.
    const res = await rejection(() => nr.loadModel(new Response(JSON.stringify(json)) as never));
    expect(res).toBeInstanceOf(nr.InvalidArgumentError);
    expect(res.message).toBe("loadModel: got a Response, which loadModel does not read (init takes one; a model.json names weight files beside it that a Response cannot fetch): pass the model.json's URL (loadModel('https://…/model.json'), with fetchFunc or requestInit in the options if the request needs them), or artifacts { modelTopology, weightSpecs, weightData }");
    for (const x of [n, m]) x.dispose();
    for (const x of [t, tfm]) x.dispose();
  });

  it('checks after the manifest name the file and the manifest field, as the manifest checks do', async () => {
    const { n } = pair();
    const folder = fresh('named');
    await n.save(`file://${folder}`);
    const file = join(folder, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    // Swap two dims of the first kernel's shape: the sizes still add up, the topology disagrees.
    json.weightsManifest[0].weights[0].shape = [3, 4];
    writeFileSync(file, JSON.stringify(json));
    expect((await rejection(() => nr.loadModel(`file://${folder}`))).message).toBe(`loadModel: file://${file}: weightsManifest[0].weights[0].shape of 'pm_d/kernel' is [3,4], but the topology needs [4,3]`);
    json.modelTopology.config.layers[0].config.units = 0;
    writeFileSync(file, JSON.stringify(json));
    expect((await rejection(() => nr.loadModel(`file://${folder}`))).message).toMatch(new RegExp(`^loadModel: file://${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: modelTopology\\.config\\.layers\\[0\\]`));
    n.dispose();
  });

  it('an unknown loss in a trainingConfig is quoted as the file writes it', async () => {
    const { n } = pair();
    n.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const a = await n.toArtifacts();
    const bad = { ...a, userDefinedMetadata: undefined, trainingConfig: { ...a.trainingConfig!, loss: 'foo_loss' } };
    expect((await rejection(() => nr.loadModel(bad))).message).toMatch(/^loadModel: trainingConfig\.loss 'foo_loss' is a loss neurite does not know \(known, as TF\.js writes them: mean_squared_error, /);
    const near = { ...bad, trainingConfig: { ...a.trainingConfig!, loss: 'mean_squared_eror' } };
    expect((await rejection(() => nr.loadModel(near))).message).toMatch(/^loadModel: trainingConfig\.loss 'mean_squared_eror' is a loss neurite does not know — did you mean 'mean_squared_error'\?/);
    // { compile: false } skips the compile config, as the message says.
    const m = await nr.loadModel(bad, { compile: false });
    m.dispose();
    n.dispose();
  });
});

describe('shapes at add, as TF.js', () => {
  it("outputShape is known from the first layer's inputShape on; a layer that does not fit is refused at add and not added", () => {
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 6 })] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 6 })] });
    expect(n.outputShape).toEqual(t.outputShape);
    n.add(nr.layers.reshape({ targetShape: [3, 2] }));
    t.add(tfl.layers.reshape({ targetShape: [3, 2] }));
    expect(n.outputShape).toEqual(t.outputShape);
    // Both refuse a 2-D layer on a rank-2 sample at add, and leave the model as it was.
    expect(() => t.add(tfl.layers.maxPooling2d({}))).toThrow(/expected ndim=4, found ndim=3/);
    expect(() => n.add(nr.layers.maxPooling2d())).toThrow(/^add: .*\(maxPooling2d maxPooling2d_\d+\) expects per-sample inputs of shape \[height, width, channels\].*got per-sample shape \[3,2\]$/);
    expect([n.layers.length, t.layers.length]).toEqual([2, 2]);
    expect(n.outputShape).toEqual(t.outputShape);
    // A reshape to the wrong size: TF.js 4.22 takes it at add and fails at predict; neurite
    // refuses it at add.
    expect(() => n.add(nr.layers.reshape({ targetShape: [5] }))).toThrow(/^add: sequential_\d+\.layers\[2\] \(reshape reshape_\d+\): targetShape \[5\] does not fit the per-sample input shape \[3,2\] \(6 values\)$/);
    expect(n.layers.length).toBe(2);
    // The model is as before the refused adds: it builds, runs and takes a fitting layer.
    n.add(nr.layers.flatten());
    expect(n.outputShape).toEqual([null, 6]);
    expect(nr.tidy(() => n.predict(nr.zeros([2, 4])).shape)).toEqual([2, 6]);
    n.dispose();
    t.dispose();
  });

  it('a model without an input shape checks at build; a nested model is checked where it is added', () => {
    const late = nr.sequential({ layers: [nr.layers.dense({ units: 6 }), nr.layers.reshape({ targetShape: [5] })] });
    expect(late.outputShape).toBeUndefined();
    expect(() => late.build([4])).toThrow(/reshape/);
    late.dispose();
    const inner = nr.sequential({ layers: [nr.layers.reshape({ targetShape: [2, 2] })] });
    const outer = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 4 })] });
    outer.add(inner);
    expect(outer.outputShape).toEqual([null, 2, 2]);
    const wrong = nr.sequential({ layers: [nr.layers.reshape({ targetShape: [3, 3] })] });
    expect(() => outer.add(wrong)).toThrow(/^add: sequential_\d+\.layers\[2\]\.config\.layers\[0\] \(reshape reshape_\d+\): targetShape \[3,3\] does not fit the per-sample input shape \[2,2\] \(4 values\)$/);
    // A nested model that changes after it was added: the outer model's next add sees it.
    const grows = nr.sequential({ layers: [nr.layers.dense({ units: 6 })] });
    const host = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 4 }), grows] });
    grows.add(nr.layers.reshape({ targetShape: [2, 3] }));
    expect(host.outputShape).toEqual([null, 2, 3]);
    expect(() => host.add(nr.layers.reshape({ targetShape: [5] }))).toThrow(/does not fit the per-sample input shape \[2,3\] \(6 values\)$/);
    host.add(nr.layers.flatten());
    // model.layers cannot be edited by hand (a frozen copy): add still checks against the model's own list.
    expect(() => {
      (host.layers as unknown[])[2] = nr.layers.dense({ units: 5 });
    }).toThrow(TypeError);
    expect(() => host.add(nr.layers.reshape({ targetShape: [5] }))).toThrow(/^add: .*per-sample input shape \[6\]/);
    nr.dispose([host, grows]);
    // The refused model is free to go elsewhere.
    const other = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 9 }), wrong] });
    expect(other.outputShape).toEqual([null, 3, 3]);
    nr.dispose([outer, inner, wrong, other]);
  });
});
