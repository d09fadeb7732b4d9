/**
 * The functional API (TF.js `tf.input`, `tf.model`): models whose layers form a graph — skip
 * and residual connections, merges — rather than a stack.
 *
 * `input({ shape })` gives a symbolic tensor; `layer.apply(x)` records a layer reading it (and
 * checks the shapes as Keras does, through the layer's own build in `crates/core`);
 * `model({ inputs, outputs })` collects the layers the output depends on, in an order where
 * each comes after what it reads, and makes a model of them with their wiring
 * (`crates/core/src/model/graph.rs`). The result is a {@link Sequential} in all but its
 * wiring: `compile`, `fit` (a whole training step in one WebAssembly call), `predict`,
 * `evaluate`, `getWeights`, nesting and sharing work as for a sequential model.
 *
 * A graph model may have several inputs and outputs: the core then takes each sample's values
 * of every input packed into one row (and gives the outputs packed likewise), which `predict`,
 * `fit` and `evaluate` do and undo here with tensor ops (`packing.ts`). A layer may be applied
 * more than once (a shared encoder on two inputs): the core runs its uses as one batch.
 * `save`/`loadModel` and `getConfig`/`fromConfig` use TF.js's functional format
 * (`class_name: 'Model'`, `inbound_nodes` with a node per call).
 */
import { DisposedError, inOp, InvalidArgumentError } from '../errors.js';
import { describe, dtypeArg, show } from '../ops/convert.js';
import { checkArgs } from '../options.js';
import { InputLayer } from '../layers/core.js';
import { checkBoundInputs, Layer, showShape } from '../layers/layer.js';
import { nextName } from '../names.js';
import { graphModel, layerShape, Sequential } from './sequential.js';
import { forgetUse, inputOwner, setApplier, SymbolicTensor, usesOf } from './symbolic.js';
import { setMergeHolder } from './eager.js';
import { setGraphMaker } from '../io/topology.js';
import { MERGE_KINDS } from '../io/spec.js';

export { SymbolicTensor } from './symbolic.js';

/** Options of {@link input} (TF.js `tf.input`). */
export interface InputArgs {
  /** The per-sample shape (without the batch dimension), e.g. `[784]` or `[28, 28, 1]`; `null` for a size not known in advance (`[null]`: sequences of any length). */
  shape?: Array<number | null> | undefined;
  /** The shape with the batch dimension first (`null` or a number), instead of `shape`. */
  batchShape?: Array<number | null> | undefined;
  /** A unique name; `input_1`, … if omitted. */
  name?: string | undefined;
  /** `'float32'`, the only dtype. */
  dtype?: 'float32' | undefined;
}

/**
 * The input of a graph model: a symbolic tensor of shape `[null, ...shape]` (TF.js
 * `tf.input`). Apply layers to it, then make a model with {@link model}.
 *
 * @example
 * const x = input({ shape: [784] });
 */
export function input(args: InputArgs): SymbolicTensor {
  const a = checkArgs('input', args, ['shape', 'batchShape', 'name', 'dtype']);
  if (a.dtype !== undefined) dtypeArg('input', a.dtype);
  if (a.shape !== undefined && a.batchShape !== undefined) throw new InvalidArgumentError('input: give shape or batchShape, not both');
  if (a.shape === undefined && a.batchShape === undefined) throw new InvalidArgumentError('input: shape is required (the per-sample shape, without the batch dimension), e.g. input({ shape: [784] })');
  const layer = new InputLayer({
    ...(a.name !== undefined ? { name: a.name as string } : {}),
    ...(a.shape !== undefined ? { inputShape: a.shape as number[] } : { batchInputShape: a.batchShape as Array<number | null> }),
  });
  return new SymbolicTensor(layer, [], layer.inputDims as number[]);
}

/** Options of {@link model} (TF.js `tf.model`). */
export interface ModelArgs {
  /** The model's input: what {@link input} returned, or a list of them for several inputs. */
  inputs: SymbolicTensor | SymbolicTensor[];
  /**
   * The model's output: a symbolic tensor computed from `inputs`, or a list of them for several
   * outputs (`predict` then returns a list, and `compile` takes a loss per output).
   */
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string | undefined;
  /**
   * Seed for weight initialisation, dropout and noise masks and shuffling. Default: drawn from
   * the global generator when the model is made (see `setSeed` and `SequentialArgs.seed`).
   */
  seed?: number | undefined;
}

/** The merge layer kinds (several inputs): the one list of `io/spec.ts`. */
const MERGES: ReadonlySet<string> = new Set(MERGE_KINDS);

/** What `model` got for `arg`: a symbolic tensor or a non-empty list of different ones. */
function list(arg: string, v: unknown): SymbolicTensor[] {
  const all = Array.isArray(v) ? v : [v];
  if (all.length === 0) throw new InvalidArgumentError(`model: ${arg} must be a symbolic tensor or a list of them, got an empty list`);
  all.forEach((t, i) => {
    const at = Array.isArray(v) ? `${arg}[${i}]` : arg;
    if (!(t instanceof SymbolicTensor)) throw new InvalidArgumentError(`model: ${at} must be a symbolic tensor (from input() or layer.apply()), got ${describe(t)}`);
    const j = all.indexOf(t);
    if (j < i) throw new InvalidArgumentError(`model: ${arg}[${i}] is ${arg}[${j}] again (${t.name}); each must be a different value`);
  });
  return all as SymbolicTensor[];
}

/**
 * A model from its input and output (TF.js `tf.model`): every layer the output depends on,
 * wired as they were applied. Built right away (its input shape is known): `compile` and `fit`
 * it as a sequential model. `model.layers` lists the input layer first, then the layers in an
 * order where each comes after the layers it reads.
 *
 * @example
 * const x = input({ shape: [4] });
 * const h = layers.dense({ units: 4, activation: 'relu' }).apply(x);
 * const y = layers.dense({ units: 1 }).apply(layers.add().apply([x, h]));
 * const m = model({ inputs: x, outputs: y });
 */
export function model(args: ModelArgs): Sequential {
  const a = checkArgs('model', args, ['inputs', 'outputs', 'name', 'seed']);
  if (a.inputs === undefined) throw new InvalidArgumentError('model: inputs is required (what input({ shape }) returned)');
  if (a.outputs === undefined) throw new InvalidArgumentError('model: outputs is required (a symbolic tensor computed from inputs)');
  const xs = list('inputs', a.inputs);
  const ys = list('outputs', a.outputs);
  xs.forEach((x, i) => {
    if (!(x.sourceLayer instanceof InputLayer)) throw new InvalidArgumentError(`model: inputs must come from input({ shape }), but ${xs.length > 1 ? `inputs[${i}]` : 'inputs'} (${x.name}) is the output of layer ${x.sourceLayer.name}`);
  });
  const ins = (xs.length > 1 ? 'inputs ' : 'input ') + xs.map((x) => x.sourceLayer.name).join(', ');
  // Every value an output depends on (depth-first from each output in turn; a stack of its
  // own, not recursion: a chain of thousands of layers overflowed the call stack).
  const reached = new Set<SymbolicTensor>();
  const visit = (y: SymbolicTensor): void => {
    const stack = [y];
    for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
      if (xs.includes(t) || reached.has(t)) continue;
      if (t.sourceLayer instanceof InputLayer) {
        throw new InvalidArgumentError(`model: the output depends on ${t.sourceLayer.name} (per-sample shape ${show(t.sampleShape)}), which is not the model's ${ins}: the graph is disconnected${nestedHint(t, xs)}`);
      }
      reached.add(t);
      for (let i = t.inputs.length - 1; i >= 0; i--) stack.push(t.inputs[i]);
    }
  };
  ys.forEach((y, i) => {
    if (xs.includes(y)) throw new InvalidArgumentError(`model: ${ys.length > 1 ? `outputs[${i}]` : 'outputs'} is the input ${y.sourceLayer.name} itself; every output must be computed by a layer`);
    visit(y);
  });
  const read = new Set([...reached].flatMap((t) => t.inputs));
  const unused = xs.find((x) => !read.has(x));
  if (unused) throw new InvalidArgumentError(`model: the input ${unused.sourceLayer.name} is not used by any output; remove it from inputs`);
  // Each layer's uses in the order they were applied (TF.js's call order).
  const usesOf = new Map<object, SymbolicTensor[]>();
  for (const t of [...reached].sort((a, b) => a.id - b.id)) {
    const list = usesOf.get(t.sourceLayer);
    if (list) list.push(t);
    else usesOf.set(t.sourceLayer, [t]);
  }
  // The layers in an order where each comes after the layers its uses read (depth-first from
  // each output in turn). A layer's uses run together (as one batch), so none may read a value
  // computed from the layer's own output.
  const order: Array<Layer | Sequential> = [];
  const state = new Map<object, 'visiting' | 'done'>();
  const visitLayer = (root: object, rootVia: SymbolicTensor): void => {
    // Each layer on the path with the values its uses read and how many it has visited.
    const path: Array<{ l: object; reads: SymbolicTensor[]; next: number }> = [];
    const enter = (l: object, via: SymbolicTensor): void => {
      if (state.get(l) === 'done') return;
      if (state.get(l) === 'visiting') throw new InvalidArgumentError(`model: layer ${(l as Layer | Sequential).name} is applied to ${via.name}, which is computed from its own output; the uses of a layer run together (as one batch), so none can read another's result`);
      state.set(l, 'visiting');
      path.push({ l, reads: (usesOf.get(l) ?? []).flatMap((u) => u.inputs.filter((v) => !xs.includes(v))), next: 0 });
    };
    enter(root, rootVia);
    while (path.length > 0) {
      const top = path[path.length - 1];
      if (top.next < top.reads.length) {
        const v = top.reads[top.next++];
        enter(v.sourceLayer, v);
      } else {
        path.pop();
        state.set(top.l, 'done');
        order.push(top.l as Layer | Sequential);
      }
    }
  };
  ys.forEach((y) => visitLayer(y.sourceLayer, y));
  // (A layer's uses may take other shapes where its weights fit them: each apply checked it.)
  const uses = order.map((l) => usesOf.get(l) as SymbolicTensor[]);
  // The layers applied with training: false. A layer's uses run as one batch, so in one mode.
  const held: number[] = [];
  uses.forEach((list, i) => {
    const odd = list.find((t) => t.training !== list[0].training);
    if (odd) {
      const [a, b] = list[0].training === false ? [list[0], odd] : [odd, list[0]];
      throw new InvalidArgumentError(`model: layer ${order[i].name} is applied with training: false (${a.name}) and without it (${b.name}); the uses of a layer in a model run as one batch, in one mode, so give each the same training option (or use another layer, sharing weights through setWeights)`);
    }
    if (list[0].training === false) held.push(i);
  });
  // Value j: the inputs, then each layer's first use, then the further uses in layer order.
  const k = xs.length;
  const id = new Map<SymbolicTensor, number>(xs.map((x, i) => [x, i]));
  uses.forEach((list, i) => id.set(list[0], k + i));
  let next = k + order.length;
  uses.forEach((list) => list.slice(1).forEach((t) => id.set(t, next++)));
  const ids = (t: SymbolicTensor): number[] => t.inputs.map((i) => id.get(i) as number);
  const wiring = uses.map((list) => ids(list[0]));
  const extraUses = uses.flatMap((list, i) => list.slice(1).map((t) => ({ layer: i, inputs: ids(t), shape: t.sampleShape })));
  const layers = [...xs.map((x) => x.sourceLayer as InputLayer), ...order];
  // A layer both used directly and inside a nested model (or inside two nested models): a
  // layer's uses run as one batch at one level of a model, which cannot span levels yet (the
  // model's add said "add: layer … is already in model …", a call the user never made).
  // Each node's level: the nested model of `order` it is inside, or null (used directly).
  const level = new Map<Layer | Sequential, Sequential | null>();
  const within = (n: Layer | Sequential): Array<Layer | Sequential> => (n instanceof Sequential ? n.layers.flatMap((l) => [l, ...within(l)]) : []);
  const where = (m: Sequential | null) => (m === null ? 'directly' : `inside nested model ${m.name}`);
  for (const l of order) {
    const at = l instanceof Sequential ? l : null;
    for (const n of [l, ...within(l)]) {
      const was = level.get(n);
      if (was !== undefined && was !== at) {
        const nested = [was, at].filter((m): m is Sequential => m !== null).map((m) => m.name);
        throw new InvalidArgumentError(`model: ${n instanceof Sequential ? 'model' : 'layer'} ${n.name} is used ${where(was)} and ${where(at)}; a layer can be used at one level of a model for now (several times there, as in a siamese graph): apply the layers of ${nested.join(' and ')} directly in this graph instead of nesting ${nested.length === 1 ? 'it' : 'them'}`);
      }
      level.set(n, at);
    }
  }
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new InvalidArgumentError(`model: two layers are named '${l.name}'; layer names must be unique in a model`);
    names.add(l.name);
  }
  const m = graphModel({ name: a.name === undefined ? nextName('model') : (a.name as string), ...(a.seed !== undefined ? { seed: a.seed as number } : {}), layers }, { wiring, extraUses, held, inputs: xs, outputs: ys, outputNodes: ys.map((y) => id.get(y) as number) });
  try {
    m.build();
  } catch (err) {
    m.dispose();
    // The core names layers by their index: give their names.
    if (err instanceof Error) err.message = err.message.replace(/\blayer (\d+)\b/g, (w, i: string) => (order[Number(i)] ? `layer ${order[Number(i)].name}` : w));
    throw err;
  }
  return m;
}

/**
 * For `model`'s "disconnected" error when the stray input `t` is a model's own input: the
 * output was computed inside that model (e.g. `encoder.getLayer('code').output`, the encoder
 * nested in an autoencoder), so the new model must start from that model's inputs; the outer
 * model's inputs reach a nested model as one step, not the layers inside it.
 */
function nestedHint(t: SymbolicTensor, xs: SymbolicTensor[]): string {
  const owner = inputOwner(t);
  // Inputs shared with that model (it was built from them too): t was merely left out.
  if (!(owner instanceof Sequential) || xs.some((x) => owner.inputs.includes(x))) return '';
  const holds = (m: Sequential): boolean => m.layers.some((l) => l === owner || (l instanceof Sequential && holds(l)));
  const outer = xs.map(inputOwner).find((m): m is Sequential => m instanceof Sequential && holds(m));
  const via = outer ? `, and ${outer.name}'s inputs reach ${owner.name} as one step, not the layers inside it` : '';
  return `. ${t.sourceLayer.name} is the input of model ${owner.name}${via}: to output a value computed inside ${owner.name}, build the model from that model's own inputs: model({ inputs: ${owner.name}.inputs, outputs: … })`;
}

// A merge layer applied to tensors runs in a hidden graph model of one input per tensor (eager.ts).
setMergeHolder((layer, samples, name) => {
  const ins = samples.map((shape, i) => input({ shape, name: `${name}.input${i}` }));
  const out = layer.apply(ins) as SymbolicTensor;
  try {
    return model({ inputs: ins, outputs: out, name });
  } finally {
    // Not a use of the user's (TF.js's eager call makes no node): layer.output stays theirs.
    forgetUse(out);
  }
});

/** `node.apply(inputs)` for symbolic inputs: checks and records the use; see {@link Layer.apply}. */
setApplier((node, inputs, training) => {
  const n = node as Layer | Sequential;
  const list: unknown[] = Array.isArray(inputs) ? inputs : [inputs];
  list.forEach((v, i) => {
    if (!(v instanceof SymbolicTensor)) throw new InvalidArgumentError(`apply: input ${i} of ${n.name} is ${describe(v)}, not a symbolic tensor; give every input as one (from input() or layer.apply())`);
  });
  const xs = list as SymbolicTensor[];
  if (n instanceof InputLayer) throw new InvalidArgumentError(`apply: ${n.name} is an input layer; use input({ shape }) to start a graph`);
  if (n instanceof Sequential && !n.isDisposed && n.isPacked) throw new InvalidArgumentError(`apply: model ${n.name} has ${n.inputs.length} inputs and ${n.outputs.length} outputs; a model with several inputs or outputs cannot be nested in another model yet`);
  const merge = n instanceof Layer && MERGES.has(n.kind);
  if (merge && !Array.isArray(inputs)) throw new InvalidArgumentError(`apply: ${n.name} (${(n as Layer).kind}) merges a list of symbolic tensors, e.g. apply([a, b]); got one`);
  if (!merge && xs.length !== 1) throw new InvalidArgumentError(`apply: ${n.name} takes one input, got a list of ${xs.length}; merge layers (add, concatenate, …) take lists`);
  // A layer (or model) of a sequential model whose input shape is known has its node 0 there,
  // as in TF.js, which connects it when that model is made: connect it before this use.
  usesOf(n);
  if (n instanceof Sequential) {
    if (n.isDisposed) throw new DisposedError(`apply: model ${n.name} is disposed`);
    const s = xs[0].sampleShape;
    if (n.inputDims === undefined) n.build(s);
    if (show(n.inputDims) !== show(s)) throw new InvalidArgumentError(`apply: model ${n.name} takes per-sample input shape ${show(showShape(n.inputDims as number[]))}, but ${xs[0].name} has ${show(showShape(s))}`);
    n.handle('apply');
    return new SymbolicTensor(n, xs, n.outputDims as number[], training);
  }
  // At another shape than the one it was declared with or built for (a pretrained trunk on
  // larger images), as far as its weights fit (TF.js warns, Keras 3 ignores input_shape here).
  checkBoundInputs('apply', n, xs.map((x) => x.sampleShape), !merge);
  return new SymbolicTensor(n, xs, outputShape(n, xs), training);
});

/**
 * Loading and `fromConfig`: the graph model of a spec (`layers[0 .. k]` its input layers,
 * `wiring[i]` the values `layers[k + i]`'s first use reads, `extraUses` the further uses,
 * `outputs` the values it outputs; value `j` numbered as in {@link model}), made by applying
 * each layer as the user's code did.
 */
setGraphMaker((s, wiring, layers, io, extraUses = []) => {
  const k = io?.inputs ?? 1;
  const n = wiring.length;
  const syms: SymbolicTensor[] = layers.slice(0, k).map((inp) => {
    if (!(inp instanceof InputLayer)) throw new InvalidArgumentError(`${s.where}: a graph model's first ${k === 1 ? 'layer' : `${k} layers`} must be its InputLayer${k === 1 ? '' : 's'}`);
    return new SymbolicTensor(inp, [], inp.inputDims as number[]);
  });
  const apply = (l: Layer | Sequential, ins: number[], i: number): SymbolicTensor => {
    const xs = ins.map((j) => syms[j]);
    if (xs.some((x) => x === undefined)) throw new InvalidArgumentError(`${s.where}: layer ${l.name} reads a value computed after it`);
    const kw = s.held?.includes(i) ? { training: false } : undefined;
    return l instanceof Layer && MERGES.has(l.kind) ? l.apply(xs, kw) : l.apply(xs[0], kw);
  };
  // The further uses of each layer (value k + n + j for extraUses[j]), applied after its first.
  const further = new Map<number, number[]>();
  extraUses.forEach((u, j) => {
    const list = further.get(u.layer);
    if (list) list.push(j);
    else further.set(u.layer, [j]);
  });
  wiring.forEach((ins, i) => {
    syms[k + i] = apply(layers[k + i], ins, i);
    for (const j of further.get(i) ?? []) syms[k + n + j] = apply(layers[k + i], extraUses[j].inputs, i);
  });
  const outputs = (io?.outputs ?? [k + n - 1]).map((j) => syms[j]);
  return model({ inputs: syms.slice(0, k), outputs, name: s.name, seed: s.seed });
});

/** The per-sample output shape of `layer` on `xs`, from the layer's own build (its errors). */
function outputShape(layer: Layer, xs: SymbolicTensor[]): number[] {
  const shapes = xs.map((x) => x.sampleShape);
  if (!shapes.some((x) => x.includes(0))) return builtShape(layer, shapes);
  // Unknown (null) axes: as the core (model/varlen.rs), at two stand-in sizes; an output axis that differs is unknown.
  if (layer.kind === 'flatten') {
    const shown = JSON.stringify(showShape(shapes[0]));
    throw new InvalidArgumentError(`apply: layer ${layer.name}: The shape of the input to "Flatten" is not fully defined (got ${shown}): it cannot flatten an axis of unknown (null) size; give the input a size on that axis, or pool it away first (globalAveragePooling1d, globalMaxPooling1d)`);
  }
  const at = (p: number) => shapes.map((x) => x.map((d) => (d === 0 ? p : d)));
  const [a, b] = [builtShape(layer, at(512)), builtShape(layer, at(1031))];
  return a.map((d, i) => (d === b[i] ? d : 0));
}

/** The per-sample output shape of `layer` on inputs of per-sample `shapes`, from the layer's own build. */
function builtShape(layer: Layer, xs: number[][]): number[] {
  try {
    return layerShape(layer, xs);
  } catch (err) {
    throw inOp(`apply: layer ${layer.name}`, err);
  }
}
