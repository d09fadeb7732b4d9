// Saves a model to file://DIR/saved twice (driven by test/deno-io.test.ts in a pseudo-terminal,
// with --allow-write=DIR alone): a save must not ask for read permission (a rename reads, and
// in a terminal Deno stopped the program at a prompt naming a temporary file).
//   deno run --allow-write=DIR test/runtimes/deno-save-prompt.mjs DIR
const nr = await import('../../dist/index.js');
const dir = Deno.args[0];
const artifacts = {
  modelTopology: { class_name: 'Sequential', config: { layers: [] } },
  weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }],
  weightData: new Float32Array([1, 2]).buffer,
};
for (let i = 0; i < 2; i++) await nr.io.getSaveHandler(`file://${dir}/saved`, 'save').save(artifacts);
console.log('saved twice');
