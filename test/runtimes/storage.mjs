// The page side of test/browser-storage.test.ts, the same in Chromium, Firefox and WebKit:
// indexeddb:// and localstorage:// round trips written and read by neurite and by TF.js core's
// own handlers (its browser bundle), a second save replacing the first, a topology-only model,
// the errors of a browser (file://, a missing model, a truncated entry written by TF.js,
// the localStorage quota, with nothing left behind and the model saved before kept), paths
// without a scheme loaded relative to the page, model management (io.listModels,
// moveModel, copyModel, removeModel) and io.browserFiles, each against TF.js's own in the same
// page. Reports plain data; the test judges.
import { publish } from './publish.mjs';
import { ARTIFACTS, WEIGHTS } from './storage-fixture.mjs';

const message = async (f) => {
  try {
    await f();
    return 'no error';
  } catch (e) {
    return `${e?.name}: ${e?.message}`;
  }
};

async function run() {
  const nr = await import('/dist/index.js');
  const tf = await import('/node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.min.js');
  const saver = (who, url) => (who === 'neurite' ? nr.io.getSaveHandler(url, 'save') : tf.io.getSaveHandlers(url)[0]);
  const loader = (who, url) => (who === 'neurite' ? nr.io.getLoadHandler(url, 'loadModel') : tf.io.getLoadHandlers(url)[0]);

  const roundTrips = {};
  for (const scheme of ['indexeddb', 'localstorage']) {
    for (const [writer, reader] of [['neurite', 'neurite'], ['neurite', 'tfjs'], ['tfjs', 'neurite']]) {
      const url = `${scheme}://${writer}-${reader}`;
      try {
        const info = (await saver(writer, url).save({ ...ARTIFACTS, weightData: new Uint8Array(WEIGHTS).buffer })).modelArtifactsInfo;
        const back = await loader(reader, url).load();
        roundTrips[url] = { info: { ...info, dateSaved: info.dateSaved instanceof Date }, back: { ...back, weightData: Array.from(new Uint8Array(back.weightData)) } };
      } catch (e) {
        roundTrips[url] = { error: `${e?.name}: ${e?.message}` };
      }
    }
  }

  const twice = [];
  const bare = [];
  for (const scheme of ['indexeddb', 'localstorage']) {
    const a = { modelTopology: { class_name: 'Sequential' }, weightSpecs: [{ name: 'w', shape: [1], dtype: 'float32' }] };
    await nr.io.getSaveHandler(`${scheme}://twice`).save({ ...a, weightData: new Float32Array([1]).buffer });
    await nr.io.getSaveHandler(`${scheme}://twice`).save({ ...a, weightData: new Float32Array([2]).buffer });
    twice.push(Array.from(new Float32Array((await nr.io.getLoadHandler(`${scheme}://twice`).load()).weightData)));
    await nr.io.getSaveHandler(`${scheme}://bare`).save({ modelTopology: { class_name: 'Sequential' } });
    const b = await nr.io.getLoadHandler(`${scheme}://bare`).load();
    bare.push({ ...b, weightData: b.weightData === undefined ? undefined : b.weightData.byteLength });
  }

  const specs = [{ name: 'k', shape: [4, 7], dtype: 'float32' }];
  await tf.io.getSaveHandlers('indexeddb://short')[0].save({ modelTopology: {}, weightSpecs: specs, weightData: new ArrayBuffer(8) });
  await tf.io.getSaveHandlers('localstorage://short')[0].save({ modelTopology: {}, weightSpecs: specs, weightData: new ArrayBuffer(8) });
  const big = { modelTopology: {}, weightSpecs: [{ name: 'k', shape: [2_000_000], dtype: 'float32' }], weightData: new ArrayBuffer(8_000_000) };
  const quota = await message(() => nr.io.getSaveHandler('localstorage://big', 'save').save(big));
  const errors = {
    file: await message(async () => nr.io.getSaveHandler('file:///tmp/m', 'save')),
    missingIdb: await message(() => nr.io.getLoadHandler('indexeddb://nothing-here', 'loadModel').load()),
    missingLs: await message(() => nr.io.getLoadHandler('localstorage://nothing-here', 'loadModel').load()),
    shortIdb: await message(() => nr.io.getLoadHandler('indexeddb://short', 'loadModel').load()),
    shortLs: await message(() => nr.io.getLoadHandler('localstorage://short', 'loadModel').load()),
    quota,
    left: Object.keys(localStorage).filter((k) => k.startsWith('tensorflowjs_models/big/')),
  };

  // As TF.js's loadLayersModel: a path without a scheme is fetched relative to the page
  // (test/runtimes/relative-model holds ARTIFACTS as files); a save needs a scheme.
  const relative = {};
  for (const path of ['relative-model/model.json', '/test/runtimes/relative-model/model.json']) {
    const a = await nr.io.getLoadHandler(path, 'loadModel').load();
    relative[path] = { modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: Array.from(new Uint8Array(a.weightData)) };
  }
  relative.missing = await message(() => nr.loadLayersModel('relative-model/none.json'));
  relative.save = await message(async () => nr.io.getSaveHandler('relative-model', 'save'));
  // A save the quota refuses keeps the model saved under that name before.
  await nr.io.getSaveHandler('localstorage://keep').save({ ...ARTIFACTS, weightData: new Uint8Array(WEIGHTS).buffer });
  relative.keptError = await message(() => nr.io.getSaveHandler('localstorage://keep', 'save').save(big));
  relative.kept = Array.from(new Uint8Array((await nr.io.getLoadHandler('localstorage://keep').load()).weightData));

  // Model management: neurite's and TF.js's listings agree on what both wrote, and each sees
  // what the other moved, copied and removed.
  const listing = async (who) => {
    const all = await (who === 'neurite' ? nr.io.listModels() : tf.io.listModels());
    const out = {};
    for (const url of Object.keys(all).sort()) {
      const { dateSaved, ...sizes } = all[url];
      out[url] = { ...sizes, dateSaved: new Date(dateSaved).getTime() > 0, isDate: dateSaved instanceof Date };
    }
    return out;
  };
  const manage = { before: { neurite: await listing('neurite'), tfjs: await listing('tfjs') } };
  manage.moved = await nr.io.moveModel('localstorage://twice', 'indexeddb://twice-moved').then((i) => i.weightDataBytes);
  manage.movedBack = Array.from(new Float32Array((await tf.io.getLoadHandlers('indexeddb://twice-moved')[0].load()).weightData));
  manage.copied = await nr.io.copyModel('indexeddb://tfjs-neurite', 'localstorage://copy').then((i) => i.weightDataBytes);
  await tf.io.copyModel('localstorage://neurite-tfjs', 'indexeddb://tf-copy');
  manage.removedByNeurite = await nr.io.removeModel('indexeddb://tfjs-neurite').then((i) => i.weightDataBytes);
  manage.removedByTfjs = await tf.io.removeModel('localstorage://neurite-neurite').then((i) => i.weightDataBytes);
  manage.after = { neurite: await listing('neurite'), tfjs: await listing('tfjs') };
  // A models_store record without its info record (written by something else): removed too,
  // its sizes measured from the stored artifacts.
  await new Promise((resolve, reject) => {
    const req = indexedDB.open('tensorflowjs', 1);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const tx = req.result.transaction('models_store', 'readwrite');
      tx.objectStore('models_store').put({ modelPath: 'orphan', modelArtifacts: { modelTopology: { a: 1 }, weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }], weightData: new ArrayBuffer(8) } });
      tx.oncomplete = () => { req.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  });
  const orphan = await nr.io.removeModel('indexeddb://orphan');
  manage.orphan = { ...orphan, dateSaved: Number.isNaN(orphan.dateSaved.getTime()) ? 'invalid' : 'valid', left: Object.keys(await nr.io.listModels()).includes('indexeddb://orphan') };
  manage.errors = {
    missing: await message(() => nr.io.removeModel('indexeddb://tfjs-neurite')),
    same: await message(() => nr.io.moveModel('indexeddb://tf-copy', 'indexeddb://tf-copy')),
    file: await message(() => nr.io.removeModel('file:///tmp/m')),
  };

  // Picked files: neurite's browserFiles reads what TF.js's reads, from real DOM Files (two
  // groups, one of two shards), given in another order.
  const w = new Uint8Array(WEIGHTS);
  const manifest = [
    { paths: ['./group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: ARTIFACTS.weightSpecs.slice(0, 1) },
    { paths: ['group2-shard1of1.bin'], weights: ARTIFACTS.weightSpecs.slice(1) },
  ];
  const { weightSpecs, ...rest } = ARTIFACTS;
  const json = new File([JSON.stringify({ ...rest, weightsManifest: manifest })], 'model.json', { type: 'application/json' });
  const shards = [new File([w.slice(0, 16)], 'group1-shard1of2.bin'), new File([w.slice(16, 40)], 'group1-shard2of2.bin'), new File([w.slice(40)], 'group2-shard1of1.bin')];
  // TF.js gives the weights as one ArrayBuffer per file (its WeightData may be ArrayBuffer[]).
  const plain = (a) => ({ ...a, weightData: [a.weightData].flat().flatMap((b) => Array.from(new Uint8Array(b))) });
  const files = {
    tfjs: plain(await tf.io.browserFiles([json, ...shards]).load()),
    neurite: plain(await nr.io.browserFiles([json, shards[2], shards[0], shards[1]]).load()),
    missing: await message(() => nr.io.browserFiles([json, shards[0], shards[2]]).load()),
  };
  return { roundTrips, twice, bare, errors, relative, manage, files };
}

let result;
try {
  result = await run();
} catch (e) {
  result = { error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` };
}
await publish(result);
