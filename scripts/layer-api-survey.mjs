#!/usr/bin/env node
// Survey of the layer and model introspection API against TF.js 4.22: builds the same small
// models in both libraries (sequential dense, conv2d and embedding + pooling; a graph with two
// inputs and two outputs; a layer shared by two inputs; sequences of unknown (null) length) and
// reads every property and method TF.js users commonly read on a Layer and a LayersModel. Each
// value is normalised (shapes, names, weight shapes, what a call threw) and the two libraries'
// values are compared; a difference is printed with both values.
//
//   npm run build:ts && node scripts/layer-api-survey.mjs [--all]
//
// `--all` prints every value, not only the differences. Exits 0 either way: it is a report
// (test/layer-api.test.ts asserts the properties that must agree).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../dist/index.js';

await nr.init();
await tf.setBackend('cpu');
const all = process.argv.includes('--all');

/** The same small models in one library (`L`: `tfl` or `nr`); every layer and input is named. */
function models(L) {
  const seq = (layers, name) => L.sequential({ layers, name });
  const out = {};
  out.dense = seq([L.layers.dense({ units: 3, activation: 'relu', inputShape: [4], name: 'd1' }), L.layers.dense({ units: 2, name: 'd2' })], 'mdense');
  out.conv = seq([
    L.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'c1' }),
    L.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
    L.layers.flatten({ name: 'f1' }),
    L.layers.dense({ units: 3, name: 'o1' }),
  ], 'mconv');
  out.embed = seq([
    L.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [5], name: 'e1' }),
    L.layers.globalAveragePooling1d({ name: 'g1' }),
    L.layers.dense({ units: 1, name: 'o2' }),
  ], 'membed');
  {
    const a = L.input({ shape: [4], name: 'a' });
    const b = L.input({ shape: [3], name: 'b' });
    const da = L.layers.dense({ units: 2, name: 'da' }).apply(a);
    const cat = L.layers.concatenate({ name: 'cat' }).apply([da, b]);
    const o = L.layers.dense({ units: 1, name: 'out' }).apply(cat);
    out.twoInputs = L.model({ inputs: [a, b], outputs: [o, da], name: 'mtwo' });
  }
  {
    const x1 = L.input({ shape: [4], name: 'x1' });
    const x2 = L.input({ shape: [4], name: 'x2' });
    const sh = L.layers.dense({ units: 2, name: 'sh' });
    const s = L.layers.add({ name: 'sum' }).apply([sh.apply(x1), sh.apply(x2)]);
    out.shared = L.model({ inputs: [x1, x2], outputs: s, name: 'mshared' });
  }
  out.varlen = seq([
    L.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [null], name: 'ev' }),
    L.layers.conv1d({ filters: 2, kernelSize: 1, name: 'cv' }),
    L.layers.globalMaxPooling1d({ name: 'gv' }),
  ], 'mvarlen');
  {
    const x = L.input({ shape: [null, 2], name: 'xv' });
    const y = L.layers.globalAveragePooling1d({ name: 'pv' }).apply(L.layers.dense({ units: 3, name: 'dv' }).apply(x));
    out.varlenGraph = L.model({ inputs: x, outputs: y, name: 'mvarlengraph' });
  }
  return out;
}

/** A value in a form both libraries share: shapes, names, what was thrown. */
function norm(v) {
  if (v === undefined) return '<undefined>';
  if (v === null || typeof v !== 'object') return typeof v === 'function' ? '<function>' : v;
  if (Array.isArray(v)) return v.map(norm);
  if ('sourceLayer' in v) return { symbolic: v.name, shape: v.shape };
  if (v.constructor?.name === 'LayerVariable') return { variable: v.name, shape: v.shape, trainable: v.trainable };
  if ('dataSync' in v || 'data' in v && 'shape' in v && 'rank' in v) return { tensor: v.shape };
  if ('getClassName' in v && 'name' in v) return { layer: v.name };
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
}

/** `f()` normalised, or `{ throws: message }`. */
function probe(f) {
  try {
    return norm(f());
  } catch (e) {
    return { throws: String(e?.message ?? e).split('\n')[0] };
  }
}

/** What TF.js users read on a layer. */
function layerProbes(l, L) {
  const T = L === tfl ? tf : nr;
  return {
    name: () => l.name,
    inputShape: () => l.inputShape,
    outputShape: () => l.outputShape,
    batchInputShape: () => l.batchInputShape,
    input: () => l.input,
    output: () => l.output,
    'inboundNodes.length': () => l.inboundNodes.length,
    'outboundNodes.length': () => l.outboundNodes.length,
    'getInputAt(0)': () => l.getInputAt(0),
    'getOutputAt(1)': () => l.getOutputAt(1),
    'countParams()': () => l.countParams(),
    'getWeights()': () => l.getWeights(),
    'getWeights(true)': () => l.getWeights(true),
    weights: () => l.weights,
    trainableWeights: () => l.trainableWeights,
    nonTrainableWeights: () => l.nonTrainableWeights,
    trainable: () => l.trainable,
    'trainable = false; trainableWeights': () => {
      l.trainable = false;
      try {
        return [l.trainableWeights.length, l.nonTrainableWeights.length];
      } finally {
        l.trainable = true;
      }
    },
    'setWeights(getWeights())': () => l.setWeights(l.getWeights()),
    'setWeights([])': () => l.setWeights(l.getWeights().length === 0 ? [T.zeros([1])] : []),
    'getConfig()': () => l.getConfig(),
    'getClassName()': () => l.getClassName(),
    'constructor.className': () => l.constructor.className,
    built: () => l.built,
    dtype: () => l.dtype,
  };
}

/** What TF.js users read on a model. */
function modelProbes(m, L) {
  const T = L === tfl ? tf : nr;
  return {
    name: () => m.name,
    layers: () => m.layers,
    'getLayer(name)': () => m.getLayer(m.layers.at(-1).name),
    'getLayer(undefined, 0)': () => m.getLayer(undefined, 0),
    'getLayer(0)': () => m.getLayer(0),
    "getLayer('nope')": () => m.getLayer('nope'),
    'getLayer(undefined, 99)': () => m.getLayer(undefined, 99),
    inputs: () => m.inputs,
    outputs: () => m.outputs,
    input: () => m.input,
    output: () => m.output,
    inputNames: () => m.inputNames,
    outputNames: () => m.outputNames,
    inputShape: () => m.inputShape,
    outputShape: () => m.outputShape,
    'countParams()': () => m.countParams(),
    'getWeights()': () => m.getWeights(),
    weights: () => m.weights,
    trainableWeights: () => m.trainableWeights,
    nonTrainableWeights: () => m.nonTrainableWeights,
    'setWeights(getWeights())': () => m.setWeights(m.getWeights()),
    'setWeights([zeros([1])])': () => m.setWeights([T.zeros([1])]),
    trainable: () => m.trainable,
    built: () => m.built,
    'getClassName()': () => m.getClassName(),
    'getConfig().layers.length': () => m.getConfig().layers.length,
    'summary() lines': () => {
      const lines = [];
      m.summary(undefined, undefined, (s) => lines.push(s));
      return lines;
    },
  };
}

/** TF.js's and neurite's values of each probe, compared (errors compare as "threw" only). */
function compare(where, tfProbes, nrProbes) {
  let differences = 0;
  for (const key of Object.keys(tfProbes)) {
    const a = probe(tfProbes[key]);
    const b = probe(nrProbes[key]);
    const same = a?.throws !== undefined && b?.throws !== undefined ? true : JSON.stringify(a) === JSON.stringify(b);
    if (same && !all) continue;
    if (!same) differences++;
    console.log(`${same ? '  ' : '≠ '}${where} ${key}\n    tfjs:    ${JSON.stringify(a)}\n    neurite: ${JSON.stringify(b)}`);
  }
  return differences;
}

const T = models(tfl);
const N = models(nr);
let total = 0;
for (const name of Object.keys(T)) {
  const [tm, nm] = [T[name], N[name]];
  total += compare(`${name}:`, modelProbes(tm, tfl), modelProbes(nm, nr));
  for (const tl of tm.layers) {
    const nl = nm.layers.find((l) => l.name === tl.name);
    if (!nl) {
      console.log(`≠ ${name}: layer ${tl.name} (${tl.getClassName()}) is not in neurite's model.layers`);
      total++;
      continue;
    }
    total += compare(`${name}.${tl.name}:`, layerProbes(tl, tfl), layerProbes(nl, nr));
  }
}
// Layers in no model: never called.
{
  const tfree = tfl.layers.dense({ units: 2, name: 'free' });
  const nfree = nr.layers.dense({ units: 2, name: 'free' });
  total += compare('free layer:', layerProbes(tfree, tfl), layerProbes(nfree, nr));
}
console.log(`\n${total} difference${total === 1 ? '' : 's'}`);
