// Picked files (io.browserFiles), TF.js's pass-through handlers (io.fromMemory,
// io.withSaveHandler) and model management (io.listModels, removeModel, copyModel, moveModel)
// in Node: browserFiles against the file:// handler on the same folders (which
// test/io-handlers.test.ts checks against TF.js), TF.js's fromMemory as the oracle of ours,
// localstorage:// management on a Storage implemented here, and every error. The browsers' own
// stores, with TF.js's browserFiles and model management in the same page as the oracle, are in
// test/browser-storage.test.ts.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as nr from '../ts/index.js';
import type { ModelArtifacts } from '../ts/io/router.js';
import './setup.js';
import { artifacts, bytes, f32, folder, fresh, load, rejection, save, spec, thrown } from './io-helpers.js';

const { io } = nr;

/** A file of `dir` as a DOM File named `name` (default: its own name). */
const file = (dir: string, path: string, name = path) => new File([readFileSync(join(dir, path))], name);
const json = (v: unknown, name = 'model.json') => new File([typeof v === 'string' ? v : JSON.stringify(v)], name);

/** A model, its prediction on a fixed input, and its folder saved with file://. */
async function savedModel() {
  const model = nr.sequential({ layers: [nr.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), nr.layers.dense({ units: 2 })], seed: 11 });
  const x = nr.tensor([[0.5, -1, 2], [3, 0.25, -0.75]]);
  const y = model.predict(x) as nr.Tensor;
  const dir = fresh();
  await model.save(`file://${dir}`);
  return { model, x, y, dir };
}

describe('io.browserFiles', () => {
  it('loads a saved model from its two files (weights given by any name ending in the manifest\'s file name); predictions are the same bits', async () => {
    const { model, x, y, dir } = await savedModel();
    for (const weightsName of ['weights.bin', 'downloads/weights.bin']) {
      const back = (await nr.loadModel(io.browserFiles([file(dir, 'model.json'), file(dir, 'weights.bin', weightsName)]))) as nr.Sequential;
      const z = back.predict(x) as nr.Tensor;
      expect(new Uint32Array(z.data().buffer)).toEqual(new Uint32Array(y.data().buffer));
      z.dispose();
      back.dispose();
    }
    // Downloaded twice, the browser renamed the weights 'weights (1).bin': taken when it is the only such file.
    const again = (await nr.loadModel(io.browserFiles([file(dir, 'model.json'), file(dir, 'weights.bin', 'weights (1).bin')]))) as nr.Sequential;
    const z2 = again.predict(x) as nr.Tensor;
    expect(new Uint32Array(z2.data().buffer)).toEqual(new Uint32Array(y.data().buffer));
    z2.dispose();
    again.dispose();
    // Two such copies: which one is meant cannot be told.
    expect(await io.browserFiles([file(dir, 'model.json'), file(dir, 'weights.bin', 'weights (1).bin'), file(dir, 'weights.bin', 'weights (2).bin')]).load!().then(() => '', (e: Error) => e.message)).toMatch(/names 'weights\.bin', which is not among the weight files given \('weights \(1\)\.bin', 'weights \(2\)\.bin'\)/);
    // A FileList is array-like: any { length, [i] } works.
    const list = { length: 2, 0: file(dir, 'model.json'), 1: file(dir, 'weights.bin') };
    expect(bytes((await io.browserFiles(list).load!()).weightData)).toEqual(bytes((await load(`file://${dir}`)).weightData));
    [model, x, y].forEach((t) => t.dispose());
  });

  it('shards in several groups and subfolders, given in any order, concatenate as file:// concatenates them; no manifest is topology only', async () => {
    const manifest = [
      { paths: ['shards/a.bin', './shards/b.bin'], weights: [spec('k', [3, 5])] },
      { paths: ['c.bin'], weights: [spec('b', [5])] },
    ];
    const a = f32(9, 1), b = f32(6, 2), c = f32(5, 3);
    const dir = folder({ modelTopology: { class_name: 'Sequential' }, weightsManifest: manifest, format: 'layers-model' }, { 'shards/a.bin': a, 'shards/b.bin': b, 'c.bin': c });
    const got = await io.browserFiles([file(dir, 'model.json'), file(dir, 'c.bin'), file(dir, 'shards/b.bin', 'b.bin'), file(dir, 'shards/a.bin', 'a.bin')]).load!();
    const want = await load(`file://${dir}`);
    expect(bytes(got.weightData)).toEqual(bytes(want.weightData));
    expect({ ...got, weightData: undefined }).toEqual({ ...want, weightData: undefined });
    const bare = folder({ modelTopology: { class_name: 'Sequential' } });
    expect(await io.browserFiles([file(bare, 'model.json')]).load!()).toEqual(await load(`file://${bare}`));
  });

  it('loads only: saving to it says so', async () => {
    const h = io.browserFiles([json({ modelTopology: {} })]);
    expect(h.save).toBeUndefined();
    const m = nr.sequential({ layers: [nr.layers.dense({ units: 1, inputShape: [1] })] });
    await expect(m.save(h)).rejects.toThrow('save: the target handler has no save() method (it has load())');
    m.dispose();
  });

  it('bad arguments are refused at once', () => {
    expect(thrown(() => io.browserFiles('model.json' as never)).message).toBe(`browserFiles: files must be an array or FileList of File objects, the model.json first, got the string "model.json"`);
    expect(thrown(() => io.browserFiles(null as never)).message).toMatch(/^browserFiles: files must be an array or FileList of File objects, the model\.json first, got null$/);
    expect(thrown(() => io.browserFiles([])).message).toBe('browserFiles: files is empty; pass [modelJson, ...weightFiles], the model.json first');
    expect(thrown(() => io.browserFiles([json({}), new Uint8Array(4) as never])).message).toMatch(/^browserFiles: files\[1\] must be a File \(from an <input type="file">, a drop, or new File\(\[bytes\], name\)\), got an object \(Uint8Array\)$/);
    expect(thrown(() => io.browserFiles([new Blob(['{}']) as never])).message).toMatch(/^browserFiles: files\[0\] must be a File/);
  });

  it('the error catalogue: not JSON, not a model, weights missing, unnamed, doubled, truncated', async () => {
    const specs = [spec('k', [2, 3])];
    const good = { modelTopology: { class_name: 'Sequential' }, weightsManifest: [{ paths: ['w.bin'], weights: specs }] };
    const w = new File([f32(6)], 'w.bin');
    const fail = async (files: File[]) => (await rejection(() => nr.loadModel(io.browserFiles(files)))).message;
    expect(await fail([json('{ nope', 'model.json')])).toMatch(/^browserFiles: files\[0\] 'model\.json': is not JSON \(/);
    // With no file named *.json, files[0] is the model.json (as TF.js): binary, shown as its size and first bytes.
    expect(await fail([w, json(good, 'model')])).toMatch(/^browserFiles: files\[0\] 'w\.bin': is not JSON but binary data \(24 bytes, starting /);
    expect(await fail([json({ weightsManifest: [] })])).toMatch(/^browserFiles: files\[0\] 'model\.json': modelTopology must be an object .*\(its keys: weightsManifest\)$/);
    expect(await fail([json(good)])).toBe(
      "browserFiles: files[0] 'model.json': the weights need w.bin (weightsManifest[0].paths[0]) but no weight files were given; pass [modelJson, w.bin, …] (TF.js would load the topology alone, with new random weights)",
    );
    expect(await fail([json(good), new File([f32(6)], 'x.bin')])).toBe("browserFiles: files[0] 'model.json': weightsManifest[0].paths[0] names 'w.bin', which is not among the weight files given ('x.bin')");
    expect(await fail([json(good), w, new File([f32(1)], 'extra.bin')])).toBe(
      "browserFiles: files[0] 'model.json': weightsManifest does not name 'extra.bin'; give only the model's weight files (the manifest names 'w.bin')",
    );
    expect(await fail([json(good), w, new File([f32(6)], 'dir/w.bin')])).toBe("browserFiles: files[1] and files[2] are both named 'w.bin'; each weight file may be given once");
    const twice = { modelTopology: {}, weightsManifest: [{ paths: ['a/w.bin', 'b/w.bin'], weights: [spec('k', [12])] }] };
    expect(await fail([json(twice), w])).toBe("browserFiles: files[0] 'model.json': weightsManifest[0].paths[0] and weightsManifest[0].paths[1] both name a file 'w.bin', which files cannot tell apart");
    expect(await fail([json(good), new File([f32(5)], 'w.bin')])).toBe(
      "browserFiles: files[0] 'model.json': weightsManifest[0].weights need 24 bytes but weightsManifest[0].paths hold 20 (w.bin: 20 bytes): the weights file is truncated",
    );
    expect(await fail([json({ modelTopology: {} }), w])).toBe("browserFiles: files[0] 'model.json' has no weightsManifest, but 1 weight file(s) were given (w.bin); is files[0] the model.json?");
    expect(await fail([json({ ...good, weightsManifest: [{ paths: ['../w.bin'], weights: specs }] }), w])).toMatch(/weightsManifest\[0\]\.paths\[0\] '\.\.\/w\.bin' leaves the model's folder/);
  });

  it('a model.json over 256 MiB and a file that changes while loading are refused; a huge one is never read', async () => {
    let reads = 0;
    const huge = { name: 'model.json', size: 300 * 2 ** 20, arrayBuffer: async () => { reads++; return new ArrayBuffer(0); } };
    expect((await rejection(() => io.browserFiles([huge]).load!())).message).toMatch(/^browserFiles: files\[0\] 'model\.json': is 314572800 bytes, more than the 268435456 a model\.json may have .*refused before reading$/);
    expect(reads).toBe(0);
    const liar = { name: 'w.bin', size: 24, arrayBuffer: async () => new ArrayBuffer(8) };
    const m = json({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('k', [6])] }] });
    expect((await rejection(() => io.browserFiles([m, liar]).load!())).message).toBe("browserFiles: the file 'w.bin' changed while loading (24 bytes, then 8)");
    const broken = { name: 'w.bin', size: 24, arrayBuffer: async () => { throw new DOMException('gone', 'NotFoundError'); } };
    expect((await rejection(() => io.browserFiles([m, broken]).load!())).message).toBe("browserFiles: cannot read the file 'w.bin' [NotFoundError: gone]");
  });
});

describe('io.fromMemory and io.withSaveHandler (TF.js\'s pass-through handlers)', () => {
  it('a model saved through withSaveHandler loads through fromMemory, both forms, as TF.js\'s fromMemory returns them', async () => {
    const { model, x, y } = await savedModel();
    let captured: ModelArtifacts | undefined;
    const result = await model.save(io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }));
    expect(result.modelArtifactsInfo.dateSaved).toEqual(new Date(0));
    const a = captured!;
    expect(await io.fromMemory(a).load!()).toEqual(await tf.io.fromMemory(a as tf.io.ModelArtifacts).load!());
    const positional = await io.fromMemory(a.modelTopology as object, a.weightSpecs, a.weightData as ArrayBuffer, a.trainingConfig).load!();
    expect(positional).toEqual(await tf.io.fromMemory(a.modelTopology as object, a.weightSpecs as tf.io.WeightsManifestEntry[], a.weightData as ArrayBuffer, a.trainingConfig as tf.io.TrainingConfig).load!());
    for (const h of [io.fromMemory(a), io.fromMemory(positional)]) {
      const back = (await nr.loadModel(h)) as nr.Sequential;
      const z = back.predict(x) as nr.Tensor;
      expect(new Uint32Array(z.data().buffer)).toEqual(new Uint32Array(y.data().buffer));
      z.dispose();
      back.dispose();
    }
    expect(io.fromMemory(a).save).toBeUndefined();
    expect(io.withSaveHandler(async () => result).load).toBeUndefined();
    [model, x, y].forEach((t) => t.dispose());
  });

  it('bad arguments', () => {
    expect(thrown(() => io.fromMemory(null as never)).message).toBe('fromMemory: artifacts must be an object { modelTopology, weightSpecs, weightData } (or a model topology), got null');
    expect(thrown(() => io.withSaveHandler('file://x' as never)).message).toBe(`withSaveHandler: save must be a function (artifacts) => Promise<SaveResult>, got the string "file://x"`);
  });
});

describe('model management in Node (no browser stores)', () => {
  it('listModels is empty; removeModel says what this runtime or scheme lacks', async () => {
    expect(await io.listModels()).toEqual({});
    const fail = async (url: unknown) => (await rejection(() => io.removeModel(url as string))).message;
    expect(await fail('indexeddb://m')).toBe("removeModel: 'indexeddb://m': indexeddb:// needs a browser with IndexedDB (this runtime has none); in Node and Deno use file://");
    expect(await fail('localstorage://m')).toMatch(/^removeModel: 'localstorage:\/\/m': localstorage:\/\/ needs localStorage/);
    expect(await fail('file:///tmp/m')).toBe("removeModel: url 'file:///tmp/m': only indexeddb:// and localstorage:// models can be removed; a file:// model is a folder of files, which neurite does not delete");
    expect(await fail('my-model')).toMatch(/^removeModel: url 'my-model' has no URL scheme; use one of file:\/\//);
    expect(await fail('indexdb://m')).toBe("removeModel: unknown URL scheme 'indexdb://' in url 'indexdb://m' — did you mean 'indexeddb://'? (known: indexeddb://, localstorage://, file://, downloads://, http://, https://)");
    expect(await fail(42)).toBe("removeModel: url must be a URL string such as 'indexeddb://my-model', got 42");
  });

  it('copyModel copies file:// to file:// byte-exact and returns the copy\'s info; moveModel cannot move a folder, and nothing is written', async () => {
    const src = fresh();
    const a = artifacts();
    await save(`file://${src}`, a);
    const dst = fresh();
    const info = await io.copyModel(`file://${src}`, `file://${dst}`);
    expect(info).toMatchObject({ modelTopologyType: 'JSON', weightDataBytes: 28 * 4 });
    const back = await load(`file://${dst}`);
    expect(bytes(back.weightData)).toEqual(bytes(a.weightData));
    expect({ ...back, weightData: undefined }).toEqual({ ...a, weightData: undefined });
    const other = fresh();
    expect((await rejection(() => io.moveModel(`file://${src}`, `file://${other}`))).message).toBe(
      `moveModel: sourceURL 'file://${src}': only indexeddb:// and localstorage:// models can be moved (removed after the copy); a file:// model is a folder of files, which neurite does not delete`,
    );
    expect((await rejection(() => io.copyModel(`file://${src}`, `FILE://${src}`))).message).toBe(`copyModel: sourceURL and destURL are the same model ('file://${src}')`);
    expect((await rejection(() => io.copyModel(`file://${fresh()}`, `file://${other}`))).message).toMatch(/^copyModel: file:\/\/.* does not exist/);
    expect((await rejection(() => io.copyModel(`file://${src}`, 'downloads://x'))).message).toMatch(/^copyModel: 'downloads:\/\/x': downloads:\/\/ needs a browser page/);
    expect((await rejection(() => io.copyModel('downloads://x', `file://${other}`))).message).toMatch(/^copyModel: 'downloads:\/\/x': downloads:\/\/ can only save/);
    expect((await rejection(() => io.copyModel(`file://${src}`, 7 as never))).message).toBe('copyModel: destURL must be a URL string, got 7');
    expect((await rejection(() => io.copyModel('nowhere', `file://${other}`))).message).toMatch(/^copyModel: sourceURL 'nowhere' has no URL scheme/);
    expect(existsSync(other)).toBe(false);
    // URL objects are read as their href (pathToFileURL), as the strings they stand for.
    const byUrl = fresh();
    expect(await io.copyModel(pathToFileURL(src), pathToFileURL(byUrl))).toMatchObject({ weightDataBytes: 28 * 4 });
    expect(bytes((await load(`file://${byUrl}`)).weightData)).toEqual(bytes(a.weightData));
    expect((await rejection(() => io.removeModel(pathToFileURL(byUrl)))).message).toBe(`removeModel: url '${pathToFileURL(byUrl).href}': only indexeddb:// and localstorage:// models can be removed; a file:// model is a folder of files, which neurite does not delete`);
  });
});

/** localStorage as browsers implement it (insertion-ordered keys), with a quota in UTF-16 code units. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  constructor(public quota = Infinity) {}
  get length() { return this.items.size; }
  key(i: number) { return [...this.items.keys()][i] ?? null; }
  getItem(k: string) { return this.items.get(k) ?? null; }
  setItem(k: string, v: string) {
    let used = 0;
    for (const [key, value] of this.items) if (key !== k) used += key.length + value.length;
    if (used + k.length + v.length > this.quota) throw new DOMException('quota', 'QuotaExceededError');
    this.items.set(k, String(v));
  }
  removeItem(k: string) { this.items.delete(k); }
  clear() { this.items.clear(); }
  keys() { return [...this.items.keys()]; }
}

describe('model management of localstorage:// (a Storage implemented here, as in Deno and browsers)', () => {
  let ls: MemoryStorage;
  beforeAll(() => { ls = new MemoryStorage(); (globalThis as { localStorage?: Storage }).localStorage = ls; });
  afterAll(() => { delete (globalThis as { localStorage?: Storage }).localStorage; });

  it('lists every model with its saved info, moves, copies and removes them; nothing else in the store is touched', async () => {
    ls.setItem('unrelated', 'x');
    ls.setItem('tensorflowjs_models/info', 'not a model key');
    const a = artifacts();
    const savedA = (await save('localstorage://a', a)).modelArtifactsInfo;
    const savedB = (await save('localstorage://dir/b', { modelTopology: { class_name: 'Sequential' } })).modelArtifactsInfo;
    const list = await io.listModels();
    expect(Object.keys(list).sort()).toEqual(['localstorage://a', 'localstorage://dir/b']);
    expect(list['localstorage://a']).toEqual(savedA);
    expect(list['localstorage://a'].dateSaved).toBeInstanceOf(Date);
    expect(list['localstorage://dir/b']).toEqual(savedB);

    const moved = await io.moveModel('localstorage://a', 'localstorage://moved');
    expect(moved).toMatchObject({ weightDataBytes: savedA.weightDataBytes, modelTopologyBytes: savedA.modelTopologyBytes });
    expect(ls.keys().filter((k) => k.startsWith('tensorflowjs_models/a/'))).toEqual([]);
    expect(bytes((await load('localstorage://moved')).weightData)).toEqual(bytes(a.weightData));

    const dir = fresh();
    await io.copyModel('localstorage://moved', `file://${dir}`);
    await io.copyModel(`file://${dir}`, 'localstorage://c');
    const c = await load('localstorage://c');
    expect({ ...c, weightData: undefined }).toEqual({ ...a, weightData: undefined });
    expect(bytes(c.weightData)).toEqual(bytes(a.weightData));

    expect(await io.removeModel('localstorage://dir/b')).toEqual(savedB);
    expect((await rejection(() => io.removeModel('localstorage://dir/b'))).message).toBe("removeModel: 'localstorage://dir/b': no model named 'dir/b' in localStorage (no key tensorflowjs_models/dir/b/info)");
    expect(Object.keys(await io.listModels()).sort()).toEqual(['localstorage://c', 'localstorage://moved']);
    expect(ls.getItem('unrelated')).toBe('x');
    expect((await rejection(() => io.moveModel('localstorage://gone', 'localstorage://x'))).message).toBe("moveModel: 'localstorage://gone': no model named 'gone' in localStorage (no key tensorflowjs_models/gone/info)");
  });

  it('a move that the quota refuses leaves the source whole and no part of the copy', async () => {
    ls.clear();
    await save('localstorage://big');
    const before = new Map(ls.keys().map((k) => [k, ls.getItem(k)]));
    ls.quota = [...before].reduce((s, [k, v]) => s + k.length + v!.length, 0) + 600;
    const e = await rejection(() => io.moveModel('localstorage://big', 'localstorage://big2'), nr.IOError);
    expect(e.message).toMatch(/^moveModel: 'localstorage:\/\/big2': localStorage refused the model \(its quota, typically 5 MB, exceeded\?\)/);
    expect(new Map(ls.keys().map((k) => [k, ls.getItem(k)]))).toEqual(before);
    ls.quota = Infinity;
  });

  it('a save that the quota refuses keeps the model saved under that name before (an IOError), and leaves nothing of its own', async () => {
    ls.clear();
    await save('localstorage://m');
    const before = new Map(ls.keys().map((k) => [k, ls.getItem(k)]));
    ls.quota = [...before].reduce((s, [k, v]) => s + k.length + v!.length, 0) + 600;
    const big = artifacts();
    big.weightSpecs = [{ name: 'w', shape: [4000], dtype: 'float32' }];
    big.weightData = new Float32Array(4000).fill(0.5).buffer;
    const e = await rejection(() => save('localstorage://m', big), nr.IOError);
    expect(e.message).toMatch(/^save: 'localstorage:\/\/m': localStorage refused the model \(its quota, typically 5 MB, exceeded\?\): .*weightDataBytes=16000 .*the model saved as 'm' before is unchanged \[QuotaExceededError: quota\]$/);
    expect((e as nr.IOError).code).toBe('IO');
    expect(new Map(ls.keys().map((k) => [k, ls.getItem(k)]))).toEqual(before);
    expect(bytes((await load('localstorage://m')).weightData)).toEqual(bytes(artifacts().weightData));
    // A first save under a name leaves nothing when refused, and says nothing of a model before.
    const e2 = await rejection(() => save('localstorage://new', big), nr.IOError);
    expect(e2.message).not.toMatch(/before is unchanged/);
    expect(new Map(ls.keys().map((k) => [k, ls.getItem(k)]))).toEqual(before);
    ls.quota = Infinity;
  });

  it('a corrupt info record: listModels names the key and the fix; removeModel still removes it, its sizes measured', async () => {
    ls.clear();
    await save('localstorage://bad');
    ls.setItem('tensorflowjs_models/bad/info', '{ truncated');
    expect((await rejection(() => io.listModels())).message).toBe("listModels: localStorage key tensorflowjs_models/bad/info is not a model's info record; io.removeModel('localstorage://bad') removes that model");
    const info = await io.removeModel('localstorage://bad');
    const a = artifacts();
    expect(info).toMatchObject({ modelTopologyType: 'JSON', weightDataBytes: 28 * 4, modelTopologyBytes: JSON.stringify(a.modelTopology).length, weightSpecsBytes: JSON.stringify(a.weightSpecs).length });
    expect(Number.isNaN(info.dateSaved.getTime())).toBe(true);
    expect(ls.length).toBe(0);
    expect(await io.listModels()).toEqual({});
  });
});
