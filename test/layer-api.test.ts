// The layer and model introspection API against TF.js 4.22 (the oracle, built from the same
// code): the same small models in both libraries, and every property TF.js users read on a
// Layer and a LayersModel compared (scripts/layer-api-survey.mjs prints the full survey,
// differences included). Where TF.js has no such property (`layer.inputShape`: undefined in
// TF.js), the oracle is TF.js's own record of it (`inboundNodes[i].inputShapes`, Keras's
// definition of `input_shape`). Then the error cases, each compared with TF.js's.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './oracle.js';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { summaryText } from '../ts/models/summary.js';
import { LAYER_KINDS } from '../ts/layers/layer.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = { input: any; layers: any; model: any; sequential: any };
const TF: Lib = tfl;
const NR: Lib = nr;

/** The models of the survey; every layer and input named, so that the two can be matched. */
const MODELS: Record<string, (L: Lib) => any> = {
  dense: (L) => L.sequential({ name: 'mdense', layers: [L.layers.dense({ units: 3, activation: 'relu', inputShape: [4], name: 'd1' }), L.layers.dense({ units: 2, name: 'd2' })] }),
  conv: (L) => L.sequential({ name: 'mconv', layers: [
    L.layers.conv2d({ inputShape: [8, 7, 1], filters: 2, kernelSize: 3, name: 'c1' }),
    L.layers.batchNormalization({ name: 'bn' }),
    L.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
    L.layers.flatten({ name: 'f1' }),
    L.layers.dense({ units: 3, name: 'o1' }),
  ] }),
  embed: (L) => L.sequential({ name: 'membed', layers: [
    L.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [5], name: 'e1' }),
    L.layers.globalAveragePooling1d({ name: 'g1' }),
    L.layers.dense({ units: 1, name: 'o2' }),
  ] }),
  twoInputs: (L) => {
    const a = L.input({ shape: [4], name: 'a' });
    const b = L.input({ shape: [3], name: 'b' });
    const da = L.layers.dense({ units: 2, name: 'da' }).apply(a);
    const o = L.layers.dense({ units: 1, name: 'out' }).apply(L.layers.concatenate({ name: 'cat' }).apply([da, b]));
    return L.model({ inputs: [a, b], outputs: [o, da], name: 'mtwo' });
  },
  shared: (L) => {
    const x1 = L.input({ shape: [4], name: 'x1' });
    const x2 = L.input({ shape: [4], name: 'x2' });
    const sh = L.layers.dense({ units: 2, name: 'sh' });
    return L.model({ inputs: [x1, x2], outputs: L.layers.add({ name: 'sum' }).apply([sh.apply(x1), sh.apply(x2)]), name: 'mshared' });
  },
  varlen: (L) => L.sequential({ name: 'mvarlen', layers: [
    L.layers.embedding({ inputDim: 10, outputDim: 3, inputShape: [null], name: 'ev' }),
    L.layers.conv1d({ filters: 2, kernelSize: 1, name: 'cv' }),
    L.layers.globalMaxPooling1d({ name: 'gv' }),
  ] }),
  varlenGraph: (L) => {
    const x = L.input({ shape: [null, 2], name: 'xv' });
    const y = L.layers.globalAveragePooling1d({ name: 'pv' }).apply(L.layers.dense({ units: 3, name: 'dv' }).apply(x));
    return L.model({ inputs: x, outputs: y, name: 'mvarlengraph' });
  },
};

/** A symbolic tensor as both libraries name and shape it. */
const sym = (t: any) => ({ name: t.name, shape: t.shape });
const syms = (ts: any) => (Array.isArray(ts) ? ts.map(sym) : sym(ts));
/** Variables by name, shape and trainability. */
const vars = (vs: any[]) => vs.map((v) => [v.name, v.shape, v.trainable]);

/** A layer's inbound nodes: shapes, the layers and symbolic tensors read and made. */
const nodesView = (l: any) => l.inboundNodes.map((n: any) => ({ inputShapes: n.inputShapes, outputShapes: n.outputShapes, inboundLayers: n.inboundLayers.map((x: any) => x.name), inputTensors: n.inputTensors.map(sym), outputTensors: n.outputTensors.map(sym) }));

/** A layer's outbound nodes (the nodes of the layers reading its output), as {@link nodesView}. */
const outView = (l: any) => l.outboundNodes.map((n: any) => ({ inputShapes: n.inputShapes, outputShapes: n.outputShapes, inboundLayers: n.inboundLayers.map((x: any) => x.name), inputTensors: n.inputTensors.map(sym), outputTensors: n.outputTensors.map(sym) }));

/** What a layer shows (TF.js's names), normalised for comparison. */
function layerView(l: any) {
  return {
    name: l.name,
    className: l.getClassName(),
    staticClassName: l.constructor.className,
    outbound: outView(l),
    outputShape: l.outputShape,
    batchInputShape: l.batchInputShape,
    nodes: nodesView(l),
    input: l.inboundNodes.length === 1 ? syms(l.input) : null,
    output: l.inboundNodes.length === 1 ? syms(l.output) : null,
    countParams: l.countParams(),
    weights: vars(l.weights),
    trainableWeights: vars(l.trainableWeights),
    nonTrainableWeights: vars(l.nonTrainableWeights),
    getWeights: l.getWeights().map((w: any) => w.shape),
    trainableOnly: l.getWeights(true).map((w: any) => w.shape),
    trainable: l.trainable,
    built: l.built,
  };
}

/** What a model shows, normalised; the layers by name (TF.js orders a graph's layers by depth). */
function modelView(m: any) {
  return {
    name: m.name,
    layerNames: m.layers.map((l: any) => l.name).sort(),
    inputs: m.inputs.map(sym),
    outputs: m.outputs.map(sym),
    input: syms(m.input),
    output: syms(m.output),
    outputShape: m.outputShape,
    countParams: m.countParams(),
    getWeights: m.getWeights().map((w: any) => w.shape),
    weights: vars(m.weights),
    trainableWeights: vars(m.trainableWeights),
    nonTrainableWeights: vars(m.nonTrainableWeights),
    built: m.built,
    className: m.getClassName(),
  };
}

describe('introspection as TF.js', () => {
  for (const [name, make] of Object.entries(MODELS)) {
    it(name, () => {
      const t = make(TF);
      const n = make(NR) as nr.Sequential;
      try {
        const mv = modelView(n);
        expect(mv).toEqual(modelView(t));
        // TF.js lists a sequential model's input and output names once compiled; a graph's at once.
        if (t.inputNames.length > 0) expect([n.inputNames, n.outputNames]).toEqual([t.inputNames, t.outputNames]);
        // TF.js's model has no inputShape: Keras's is the inputs' shapes.
        expect(n.inputShape).toEqual(t.inputs.length === 1 ? t.inputs[0].shape : t.inputs.map((x: any) => x.shape));
        for (const tl of t.layers) {
          const nl = n.getLayer(tl.name);
          expect(layerView(nl), `${name}.${tl.name}`).toEqual(layerView(tl));
          // layer.inputShape: what each node reads (TF.js's record), one shape or a merge's list.
          const ins = tl.inboundNodes[0].inputShapes;
          expect(nl.inputShape, `${name}.${tl.name}.inputShape`).toEqual(ins.length === 1 ? ins[0] : ins);
          expect((nl as nr.Layer).dtype).toBe('float32');
          // getLayer by index and by (name, index) find the same layer as in TF.js's list.
          const i = t.layers.indexOf(tl);
          expect(n.layers.indexOf(nl) >= 0).toBe(true);
          expect(t.getLayer(undefined, i).name).toBe(tl.name);
          // setWeights takes getWeights back, in both.
          nl.setWeights(nl.getWeights());
          tl.setWeights(tl.getWeights());
        }
        n.setWeights(n.getWeights());
        t.setWeights(t.getWeights());
        // trainable is settable: a frozen layer lists its weights as non-trainable, as TF.js.
        const [tl, nl] = [t.layers.at(-1), n.getLayer(t.layers.at(-1).name) as nr.Layer];
        tl.trainable = false;
        nl.trainable = false;
        expect(layerView(nl)).toEqual(layerView(tl));
        expect(modelView(n)).toEqual(modelView(t));
      } finally {
        n.dispose();
        t.dispose();
      }
    });
  }

  it('a sequential model shows its input layer in inputs and getInputAt, with TF.js\'s names', () => {
    const t = MODELS.dense(TF);
    const n = MODELS.dense(NR) as nr.Sequential;
    // (TF.js numbers a name made before, d1_input_1 for the second model's: neurite does not.)
    const unnumbered = (x: any) => ({ ...sym(x), name: x.name.replace(/_\d+$/, '') });
    expect(unnumbered(n.layers[0].getInputAt(0))).toEqual(unnumbered(t.layers[0].getInputAt(0)));
    expect(unnumbered(n.getLayer('d2').getOutputAt(0))).toEqual(unnumbered(t.getLayer('d2').getOutputAt(0)));
    n.dispose();
    t.dispose();
  });

  it('a layer applied twice at different shapes: TF.js\'s inbound nodes, and outputShape an error', () => {
    const run = (L: Lib) => {
      const d = L.layers.dense({ units: 2, name: 'twice' });
      d.apply(L.input({ shape: [3], name: 'p' }));
      d.apply(L.input({ shape: [5, 3], name: 'q' }));
      return d;
    };
    const [t, n] = [run(TF), run(NR) as nr.Layer];
    expect(nodesView(n)).toEqual(nodesView(t));
    expect(() => t.outputShape).toThrow(/multiple inbound nodes with different output shapes/);
    expect(thrown(() => n.outputShape)).toMatchObject({ name: 'InvalidArgumentError', message: 'outputShape: layer twice (dense) has been applied 2 times with different output shapes (0: [null,2], 1: [null,5,2]), so its outputShape is ambiguous; use getOutputAt(i).shape' });
    expect(thrown(() => n.inputShape)).toMatchObject({ message: 'inputShape: layer twice (dense) has been applied 2 times with different input shapes (0: [[null,3]], 1: [[null,5,3]]), so its inputShape is ambiguous; use getInputAt(i).shape' });
    expect(n.getOutputAt(1).shape).toEqual(t.getOutputAt(1).shape);
  });

  it('a model with several outputs gives a list of output shapes, as TF.js; several inputs a list of input shapes', () => {
    const t = MODELS.twoInputs(TF);
    const n = MODELS.twoInputs(NR) as nr.Sequential;
    expect(n.outputShape).toEqual(t.outputShape);
    expect(n.outputShape).toEqual([[null, 1], [null, 2]]);
    expect(n.inputShape).toEqual([[null, 4], [null, 3]]);
    // The merge layer's inputShape is its list.
    expect(n.getLayer('cat').inputShape).toEqual([[null, 2], [null, 3]]);
    n.dispose();
    t.dispose();
  });

  it('input layers: untrainable, built, one node reading nothing, and setWeights([]) accepted', () => {
    const t = MODELS.shared(TF);
    const n = MODELS.shared(NR) as nr.Sequential;
    const [ti, ni] = [t.getLayer('x1'), n.getLayer('x1') as nr.Layer];
    expect([ni.trainable, ni.built, ni.inboundNodes.length, ni.inboundNodes[0].inboundLayers]).toEqual([ti.trainable, ti.built, ti.inboundNodes.length, ti.inboundNodes[0].inboundLayers]);
    ni.setWeights([]);
    ti.setWeights([]);
    expect(thrown(() => ni.setWeights([nr.zeros([1])]))).toMatchObject({ message: expect.stringMatching(/^setWeights: layer x1 is an input layer, which has no weights, got /) });
    n.dispose();
    t.dispose();
  });

  it('outboundNodes: a layer read twice by one merge (add([x, x])) and by two layers, as TF.js; [] for an output', () => {
    const run = (L: Lib) => {
      const x = L.input({ shape: [3], name: 'ox' });
      const h = L.layers.dense({ units: 3, name: 'oh' });
      const hx = h.apply(x);
      const twice = L.layers.add({ name: 'otwice' }).apply([hx, hx]);
      const other = L.layers.dense({ units: 3, name: 'oother' }).apply(hx);
      const out = L.layers.concatenate({ name: 'ocat' }).apply([twice, other]);
      return { m: L.model({ inputs: x, outputs: out, name: 'mout' }), h };
    };
    const [t, n] = [run(TF), run(NR)];
    for (const name of ['ox', 'oh', 'otwice', 'oother', 'ocat']) {
      expect(outView(n.m.getLayer(name)), name).toEqual(outView(t.m.getLayer(name)));
    }
    expect(outView(n.h).map((o: any) => o.inboundLayers)).toEqual([['oh', 'oh'], ['oh', 'oh'], ['oh']]);
    expect(n.m.getLayer('ocat').outboundNodes).toEqual([]);
    // A layer in a sequential model is connected there, as for inboundNodes.
    // (TF.js numbers the names of a second model's tensors, c1/c1_1: neurite does not.)
    const [ts, ns] = [MODELS.conv(TF), MODELS.conv(NR) as nr.Sequential];
    const unnumbered = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/("name":"[^"]*?)_\d+"/g, '$1"'));
    for (const tl of ts.layers) expect(unnumbered(outView(ns.getLayer(tl.name))), tl.name).toEqual(unnumbered(outView(tl)));
    // A layer connected nowhere has none.
    expect(nr.layers.dense({ units: 1 }).outboundNodes).toEqual([]);
    for (const m of [n.m, t.m, ns, ts]) m.dispose();
  });

  it('every layer class has TF.js\'s static className, the one getClassName() gives', () => {
    // The smallest options of each factory (one per layer kind; the input layer's).
    const made: Record<string, object> = {
      dense: { units: 1 }, activation: { activation: 'relu' }, prelu: {}, dropout: { rate: 0.1 }, gaussianNoise: { stddev: 1 },
      batchNormalization: {}, layerNormalization: {}, flatten: {}, reshape: { targetShape: [1] }, rbf: { units: 1 }, saltAndPepper: { rate: 0.1 },
      variational: { units: 1 }, conv2d: { filters: 1, kernelSize: 1 }, maxPooling2d: { poolSize: 1 }, averagePooling2d: { poolSize: 1 },
      globalMaxPooling2d: {}, globalAveragePooling2d: {}, upSampling2d: {}, conv2dTranspose: { filters: 1, kernelSize: 1 }, zeroPadding2d: {},
      cropping2d: { cropping: 1 }, depthwiseConv2d: { kernelSize: 1 }, separableConv2d: { filters: 1, kernelSize: 1 }, conv1d: { filters: 1, kernelSize: 1 },
      maxPooling1d: {}, averagePooling1d: {}, globalMaxPooling1d: {}, globalAveragePooling1d: {}, embedding: { inputDim: 2, outputDim: 1 },
      repeatVector: { n: 2 }, permute: { dims: [1] }, rescaling: { scale: 1 }, thresholdedReLU: {}, gaussianDropout: { rate: 0.1 },
      alphaDropout: { rate: 0.1 }, spatialDropout1d: { rate: 0.1 }, dot: { axes: 1 }, add: {}, subtract: {}, multiply: {}, average: {},
      maximum: {}, minimum: {}, concatenate: {}, inputLayer: { inputShape: [1] }, normalization: {}, masking: {}, conv1dTranspose: { filters: 1, kernelSize: 1 },
      upSampling1d: {}, zeroPadding1d: {}, cropping1d: {},
      // TF.js's activation layers: activation layers (kind 'activation') of TF.js's classes.
      leakyReLU: {}, elu: {}, reLU: {}, softmax: {},
    };
    const kinds = new Set<string>();
    for (const [f, args] of Object.entries(made)) {
      const l = (nr.layers as any)[f](args) as nr.Layer;
      kinds.add(l.kind);
      const cls = (l.constructor as any).className;
      expect(cls, f).toBe(l.getClassName());
      const tfMake = (tfl.layers as any)[f];
      if (tfMake === undefined) continue;
      expect(cls, `${f} as TF.js`).toBe(tfMake(args).constructor.className);
    }
    // Every kind (a new layer must be listed above).
    expect([...kinds].sort()).toEqual([...LAYER_KINDS, 'input'].sort());
    expect([nr.Dense.className, nr.Concatenate.className, nr.InputLayer.className]).toEqual(['Dense', 'Concatenate', 'InputLayer']);
    expect(nr.layers.add().constructor).not.toBe(nr.layers.multiply().constructor);
    expect(nr.layers.add()).toBeInstanceOf(nr.Merge);
  });

  it("models have TF.js's static className and getClassName(): Sequential, and LayersModel ('Model') for a graph model", () => {
    expect(nr.Sequential.className).toBe(tfl.Sequential.className);
    expect(nr.LayersModel.className).toBe(tfl.LayersModel.className);
    expect([nr.Sequential.className, nr.LayersModel.className]).toEqual(['Sequential', 'Model']);
    for (const name of ['dense', 'twoInputs', 'shared']) {
      const [t, n] = [MODELS[name](TF), MODELS[name](NR) as nr.Sequential];
      expect((n.constructor as any).className, name).toBe(t.constructor.className);
      expect(n.getClassName(), name).toBe(t.getClassName());
      // Every model is a LayersModel, as TF.js's Sequential extends LayersModel.
      expect([n instanceof nr.LayersModel, n instanceof nr.Sequential], name).toEqual([t instanceof tfl.LayersModel, true]);
      n.dispose();
      t.dispose();
    }
    // A graph model loaded from its config (fromConfig, as loadModel builds it) is a LayersModel too.
    const g = MODELS.twoInputs(NR) as nr.Sequential;
    const copy = nr.sequential.fromConfig(g.getConfig());
    expect([copy.constructor, copy.getClassName()]).toEqual([nr.LayersModel, 'Model']);
    const s = nr.sequential.fromConfig((MODELS.dense(NR) as nr.Sequential).getConfig());
    expect([s.constructor, s.getClassName()]).toEqual([nr.Sequential, 'Sequential']);
    // An autoencoder is saved as a Sequential (marked neurite_class) and says so.
    const ae = nr.autoencoder({ encoder: nr.layers.dense({ units: 2, inputShape: [4] }), decoder: nr.layers.dense({ units: 4 }) });
    expect(ae.getClassName()).toBe('Sequential');
    for (const m of [g, copy, s, ae]) m.dispose();
  });

  it('batchInputShape keeps a given batch size, as TF.js', () => {
    expect(nr.layers.dense({ units: 1, batchInputShape: [8, 3] }).batchInputShape).toEqual(tfl.layers.dense({ units: 1, batchInputShape: [8, 3] }).batchInputShape);
    expect(nr.layers.dense({ units: 1, inputShape: [3] }).batchInputShape).toEqual(tfl.layers.dense({ units: 1, inputShape: [3] }).batchInputShape);
    expect(nr.layers.dense({ units: 1 }).batchInputShape).toBe(tfl.layers.dense({ units: 1 }).batchInputShape);
    // A layer never connected has no inputShape unless declared (TF.js has no inputShape at all).
    expect(nr.layers.dense({ units: 1 }).inputShape).toBeUndefined();
    expect(nr.layers.dense({ units: 1, inputShape: [3] }).inputShape).toEqual([null, 3]);
  });

  it("summary() shows a shape as TF.js writes it: [null] for no per-sample axes (it showed [null,]), null for an unknown size", () => {
    const row = { name: 'x', kind: 'dense', params: 0, trainableParams: 0 };
    const text = summaryText('m', [{ ...row, shape: [] }, { ...row, name: 'y', shape: [0, 3] }]);
    expect(text).toMatch(/^x \(Dense\) +\[null\] +0$/m);
    expect(text).toMatch(/^y \(Dense\) +\[null,null,3\] +0$/m);
    // TF.js's own text of a shape: JSON, batch first.
    const t = tfl.sequential({ layers: [tfl.layers.embedding({ inputDim: 4, outputDim: 3, inputShape: [null] })] });
    const lines: string[] = [];
    t.summary(undefined, undefined, (l: string) => lines.push(l));
    expect(lines.join('\n')).toContain(JSON.stringify(t.outputShape));
    const n = nr.sequential({ layers: [nr.layers.embedding({ inputDim: 4, outputDim: 3, inputShape: [null] })] });
    expect(n.summary(null)).toContain(JSON.stringify(n.layers[0].outputShape));
    n.dispose();
    t.dispose();
  });
});

describe('errors, each against TF.js\'s', () => {
  it('outputShape of a layer never connected', () => {
    const t = tfl.layers.dense({ units: 2, name: 'lonely' });
    const n = nr.layers.dense({ units: 2, name: 'lonely' });
    expect(() => t.outputShape).toThrow('The layer lonely has never been called and thus has no defined output shape.');
    expect(thrown(() => n.outputShape)).toMatchObject({ name: 'InvalidArgumentError', message: "outputShape: layer lonely (dense) is not connected yet, so it has no output shape: apply it to a symbolic tensor (layer.apply(x)), or put it in a model whose input shape is known" });
    // Declared input shape, in no model: TF.js throws the same (never called).
    expect(() => tfl.layers.dense({ units: 2, inputShape: [3] }).outputShape).toThrow(/never been called/);
    expect(() => nr.layers.dense({ units: 2, inputShape: [3] }).outputShape).toThrow(/^outputShape: layer dense_\d+ \(dense\) is not connected yet/);
    // In a model that does not know its input shape: not connected either; built, it is.
    const m = nr.sequential({ layers: [n] });
    expect(() => n.outputShape).toThrow(/not connected yet/);
    expect([n.built, m.built]).toEqual([false, false]);
    m.build([3]);
    expect([n.outputShape, n.inputShape, n.built, m.built]).toEqual([[null, 2], [null, 3], true, true]);
    m.dispose();
  });

  it('a layer in two sequential models (never applied to a symbolic tensor) shows the shapes it was built for', () => {
    const shared = nr.layers.dense({ units: 2, name: 'both' });
    const a = nr.sequential({ layers: [nr.layers.dense({ units: 4, inputShape: [3] }), shared] });
    const b = nr.sequential({ layers: [nr.layers.dense({ units: 4, inputShape: [5] }), shared] });
    expect([shared.inputShape, shared.outputShape]).toEqual([[null, 4], [null, 2]]);
    const t = tfl.layers.dense({ units: 2, name: 'both' });
    tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3] }), t] });
    tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [5] }), t] });
    expect(shared.outputShape).toEqual(t.outputShape);
    nr.dispose([a, b]);
  });

  it('getLayer: unknown name, index out of range, neither given', () => {
    const t = MODELS.dense(TF);
    const n = MODELS.dense(NR) as nr.Sequential;
    expect(() => t.getLayer('nope')).toThrow('No such layer: nope');
    expect(thrown(() => n.getLayer('nope'))).toMatchObject({ name: 'InvalidArgumentError', message: "getLayer: model mdense has no layer named 'nope' (its layers: d1, d2)" });
    expect((thrown(() => n.getLayer('d')) as Error).message).toMatch(/did you mean/);
    expect(() => t.getLayer(undefined, 5)).toThrow('Was asked to retrieve layer at index 5, but model only has 2 layer(s).');
    expect(thrown(() => n.getLayer(undefined, 5))).toMatchObject({ message: 'getLayer: index 5 is out of range: model mdense has 2 layers (d1, d2)' });
    expect(thrown(() => n.getLayer(-1))).toMatchObject({ message: 'getLayer: index must be a non-negative integer, got -1' });
    expect(() => t.getLayer()).toThrow('Provide either a layer name or layer index');
    expect(thrown(() => (n.getLayer as (this: nr.Sequential) => unknown).call(n))).toMatchObject({ message: 'getLayer: expected a layer name or index, got undefined' });
    n.dispose();
    t.dispose();
  });

  it('setWeights: wrong count and wrong shapes, on a layer and on a model', () => {
    const t = MODELS.dense(TF);
    const n = MODELS.dense(NR) as nr.Sequential;
    const [tl, nl] = [t.getLayer('d1'), n.getLayer('d1') as nr.Layer];
    // Count: TF.js names the layer and the count.
    expect(() => tl.setWeights([tf.zeros([4, 3])])).toThrow(/on layer "d1" with a weight list of length 1, but the layer was expecting 2 weights/);
    nr.tidy(() => {
      expect(thrown(() => nl.setWeights([nr.zeros([4, 3])]))).toMatchObject({ name: 'InvalidArgumentError', message: 'setWeights: layer d1 has 2 weights (kernel [4,3], bias [3]), got 1 tensor ([4,3])' });
      // Shapes: TF.js names the shapes only (not the layer or the weight).
      expect(() => tl.setWeights([tf.zeros([4, 2]), tf.zeros([3])])).toThrow('Layer weight shape 4,3 not compatible with provided weight shape 4,2');
      expect(thrown(() => nl.setWeights([nr.zeros([4, 2]), nr.zeros([3])]))).toMatchObject({ name: 'ShapeError', message: 'setWeights: layer d1: weight 0 (`kernel`) has shape [4,3] but the value has shape [4,2]' });
      // The model: the count, and its weights' shapes in getWeights() order.
      expect(() => t.setWeights([tf.zeros([4, 3])])).toThrow(/with a weight list of length 1, but the layer was expecting 4 weights/);
      expect(thrown(() => n.setWeights([nr.zeros([4, 3])]))).toMatchObject({ message: 'setWeights: model mdense has 4 weights ([4,3], [3], [3,2], [2]), got 1 tensor ([4,3])' });
      expect(thrown(() => n.setWeights('w' as never))).toMatchObject({ message: "setWeights: model mdense has 4 weights ([4,3], [3], [3,2], [2]), got the string \"w\"" });
      // A model of more than 8 weights gives the counts only (a fuzz case: it read past the list).
      const big = nr.sequential({ layers: [4, 4, 4, 4, 4].map((units, i) => nr.layers.dense({ units, ...(i === 0 ? { inputShape: [3] } : {}) })) });
      expect(thrown(() => big.setWeights(big.getWeights().slice(1)))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^setWeights: model sequential_\d+ has 10 weights, got 9 tensors$/) });
      big.dispose();
    });
    n.dispose();
    t.dispose();
  });

  it("assigning a name is an error that says how to get one (it took the name and left the weights' names and the models' checks behind)", async () => {
    const n = MODELS.dense(NR) as nr.Sequential;
    const d1 = n.getLayer('d1') as nr.Layer;
    expect(thrown(() => ((d1 as { name: string }).name = 'd2'))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^name: a layer's name is fixed when it is made .*so layer d1 cannot be renamed to the string "d2"; give it when making the layer/) });
    expect(thrown(() => ((n as { name: string }).name = 'm2'))).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^name: a model's name is fixed when it is made .*so model mdense cannot be renamed to the string "m2"; .*from its config \(the recipe is in model\.name's documentation\)$/) });
    expect([d1.name, n.name, n.layers.map((l) => l.name).join()]).toEqual(['d1', 'mdense', 'd1,d2']);
    // The copy the message suggests: its own name, the same outputs.
    // The copy model.name's TSDoc gives: its name and its layers' new, the same outputs, and a
    // graph ensemble of both saves (layer names unique).
    const c = n.getConfig() as unknown as { config: { layers: Array<{ config: { name: string } }> } };
    const copy = nr.sequential.fromConfig({ ...c, config: { ...c.config, name: 'm2', layers: c.config.layers.map((l) => ({ ...l, config: { ...l.config, name: 'm2_' + l.config.name } })) } } as never) as nr.Sequential;
    nr.tidy(() => copy.setWeights(n.getWeights()));
    expect([copy.name, copy.layers.map((l) => l.name).join()]).toEqual(['m2', 'm2_d1,m2_d2']);
    nr.tidy(() => {
      const x = nr.ones([2, 4]);
      expect(Array.from((copy.predict(x) as nr.Tensor).dataSync())).toEqual(Array.from((n.predict(x) as nr.Tensor).dataSync()));
    });
    const inp = nr.input({ shape: [4] });
    const ensemble = nr.model({ inputs: inp, outputs: nr.layers.average().apply([n.apply(inp), copy.apply(inp)] as never) as never });
    expect((await ensemble.toArtifacts()).weightSpecs?.length).toBe(8);
    ensemble.dispose();
    copy.dispose();
    n.dispose();
  });
});
