// Saving and loading the MNIST MLP (784-128-64-10, compiled with Adam) in memory, in the TF.js
// Layers format: neurite's `model.toArtifacts()` and `loadModel(artifacts)` against TF.js's
// `model.save(tf.io.withSaveHandler(…))` and `tf.loadLayersModel(tf.io.fromMemory(…))` (TF.js
// `cpu` backend), in the same process. Storage (files, IndexedDB) is left out: this measures
// the format work — topology JSON, weight encoding, checks, building the model.
// Each number is the median of several runs after a warm-up, contenders interleaved.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';
import { mnistMlp, stats } from './lib.mjs';

async function time(fn, reps) {
  await fn();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

export async function run(ctx) {
  await nr.init();
  await tf.setBackend('cpu');
  const reps = ctx.quick ? 5 : 25;
  const nm = mnistMlp(nr, { metrics: ['accuracy'] });
  const tm = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tfl.layers.dense({ units: 64, activation: 'relu' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  tm.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  let tfArtifacts;
  const tfSave = () => tm.save(tf.io.withSaveHandler(async (a) => {
    tfArtifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const nrArtifacts = await nm.toArtifacts();
  await tfSave();

  ctx.log('saveload: save …');
  const save = { neurite: await time(() => nm.toArtifacts(), reps), tfjs: await time(tfSave, reps) };
  ctx.log('saveload: load …');
  const load = {
    neurite: await time(async () => (await nr.loadModel(nrArtifacts)).dispose(), reps),
    tfjs: await time(async () => (await tfl.loadLayersModel(tf.io.fromMemory(tfArtifacts))).dispose(), reps),
  };
  nm.dispose();
  tm.dispose();
  const cell = (s) => `${ctx.fmt(s.median, 2)} (${ctx.fmt(s.min, 2)}–${ctx.fmt(s.max, 2)})`;
  const kb = (nrArtifacts.weightData.byteLength / 1024).toFixed(0);
  return {
    tables: [{
      title: `Save and load in memory: the MNIST MLP 784-128-64-10 (${kb} KiB of weights), ms`,
      columns: ['', 'neurite', 'TF.js cpu', 'TF.js / neurite'],
      rows: [
        ['save (toArtifacts / save(withSaveHandler))', cell(save.neurite), cell(save.tfjs), `**${(save.tfjs.median / save.neurite.median).toFixed(1)}×**`],
        ['load (loadModel / loadLayersModel(fromMemory)), incl. build and compile', cell(load.neurite), cell(load.tfjs), `**${(load.tfjs.median / load.neurite.median).toFixed(1)}×**`],
      ],
      notes: ['Median (min–max) of the runs after a warm-up; measured on a busy machine, re-measure on a quiet one.', 'Both load paths build the model, set the weights and recompile it from the saved training config.'],
    }],
    data: { save, load },
  };
}
