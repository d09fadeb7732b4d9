// The file:// handler in Deno (driven by test/deno-io.test.ts): saves hand-made artifacts to
// <dir>/saved, loads them back, loads <dir>/pre (written by Node), round-trips localstorage://
// (and lists, copies, moves and removes models there), tries http:// without --allow-net, and prints one JSON line with each step's
// outcome, so the test can check what each set of permissions allows and what the denials say.
//   deno run [--allow-read=DIR] [--allow-write=DIR] test/runtimes/io-files.mjs DIR
const nr = await import('../../dist/index.js');
const dir = Deno.args[0];

const weights = new Float32Array([0.5, -1.25, 3e-8, 7, -0, 1 / 3]);
const artifacts = {
  modelTopology: { class_name: 'Sequential', config: { layers: [] } },
  format: 'layers-model',
  generatedBy: 'neurite deno test',
  convertedBy: null,
  weightSpecs: [{ name: 'w', shape: [2, 3], dtype: 'float32' }],
  weightData: weights.slice().buffer,
};
const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/** `{ ok: value }` or `{ error: 'Name: message' }`. */
async function step(f) {
  try {
    return { ok: await f() };
  } catch (e) {
    return { error: `${e?.name}: ${e?.message}` };
  }
}

const report = {
  expected: hex(weights.buffer),
  save: await step(async () => (await nr.io.getSaveHandler(`file://${dir}/saved`, 'save').save(artifacts)).modelArtifactsInfo.weightDataBytes),
  loadSaved: await step(async () => hex((await nr.io.getLoadHandler(`file://${dir}/saved/model.json`, 'loadModel').load()).weightData)),
  loadPre: await step(async () => hex((await nr.io.getLoadHandler(`file://${dir}/pre`, 'loadModel').load()).weightData)),
  truncated: await step(async () => nr.io.getLoadHandler(`file://${dir}/truncated`, 'loadModel').load()),
  // No run passes --allow-net: Deno refuses the request before any connection.
  http: await step(async () => nr.io.getLoadHandler('http://127.0.0.1:4/m/model.json', 'loadModel').load()),
  localStorage: await step(async () => {
    await nr.io.getSaveHandler('localstorage://deno-test', 'save').save(artifacts);
    return hex((await nr.io.getLoadHandler('localstorage://deno-test', 'loadModel').load()).weightData);
  }),
  // Over Deno's 10 MB quota (12 MB of weights, 16 MB as base64): the hint names file://, not
  // indexeddb://, which Deno lacks.
  localStorageQuota: await step(async () => {
    const big = { ...artifacts, weightSpecs: [{ name: 'k', shape: [3_000_000], dtype: 'float32' }], weightData: new ArrayBuffer(12_000_000) };
    await nr.io.getSaveHandler('localstorage://deno-big', 'save').save(big);
  }),
  // Model management over Deno's localStorage: copy from the folder saved above, move, remove.
  manage: await step(async () => {
    const list = async () => Object.keys(await nr.io.listModels()).sort();
    const before = await list();
    await nr.io.copyModel(`file://${dir}/saved`, 'localstorage://deno-copy');
    await nr.io.moveModel('localstorage://deno-copy', 'localstorage://deno-moved');
    const moved = hex((await nr.io.getLoadHandler('localstorage://deno-moved', 'loadModel').load()).weightData);
    const removed = (await nr.io.removeModel('localstorage://deno-test')).weightDataBytes;
    const after = await list();
    await nr.io.removeModel('localstorage://deno-moved');
    return { before, moved, removed, after };
  }),
};
console.log(JSON.stringify(report));
