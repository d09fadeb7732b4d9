/**
 * The plain-data description of a model between its Keras config and live objects: a tree of
 * layer specs (each the normalized options of a neurite layer constructor) and model specs.
 * From a spec and an input shape this file infers every per-sample shape and the weights each
 * layer owns (names, shapes, which are trainable) without touching WebAssembly, so a loader can
 * check a file completely before allocating anything.
 */
import { InvalidArgumentError } from '../errors.js';
import { MAX_ELEMENTS, show } from '../ops/convert.js';
import type { LayerKind } from '../layers/layer.js';

/** One layer: its kind and the options its constructor takes (normalized, defaults resolved). */
export interface LeafSpec {
  type: 'layer';
  kind: LayerKind | 'input';
  name: string;
  trainable: boolean;
  inputShape?: number[];
  args: Record<string, unknown>;
  /** Where it sits in the config, for messages. */
  where: string;
  /**
   * Config values of a loaded layer written back verbatim (snake_case key → the file's value):
   * those neurite reads as something it would write otherwise (see `kept` in `topology.ts`).
   */
  keep?: Record<string, unknown>;
}

/** A sequential model (possibly nested, possibly an autoencoder), or a graph model. */
export interface ModelSpec {
  type: 'model';
  name: string;
  /** The seed given to the model (saved); `undefined` when it drew one (not saved: a model made from the spec draws its own). */
  seed: number | undefined;
  trainable: boolean;
  autoencoder: boolean;
  layers: NodeSpec[];
  where: string;
  /**
   * A graph model's wiring (`model({ inputs, outputs })`): `layers[0 .. k]` are its input
   * layers (`k` = `io.inputs`, 1 without `io`) and `wiring[i]` lists the layers whose outputs
   * `layers[k + i]` reads, each before it; the model outputs `io.outputs` (indices into
   * `layers`), without `io` the last layer's output.
   */
  wiring?: number[][];
  io?: { inputs: number; outputs: number[] };
  /**
   * A graph model's further uses of its layers (a shared encoder on two inputs): `layer` is
   * the index among the layers after the inputs, `inputs` the values that use reads. Values
   * are numbered as `layers`, then the `j`-th further use is value `layers.length + j`.
   */
  extraUses?: Array<{ layer: number; inputs: number[] }>;
  /**
   * A graph model's layers (indices among the layers after the inputs) applied with
   * `training: false`: every call of each runs with inference behaviour. Saved as the calls'
   * `{ training: false }` kwargs.
   */
  held?: number[];
}

/** The merge layer kinds: several inputs (graph models only). */
export const MERGE_KINDS: readonly string[] = ['add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate', 'dot'];

/**
 * @internal The per-sample output shape of merge layer `s` on per-sample inputs `xs`, with the core's
 * checks (`crates/core/src/layers/merge.rs`): element-wise, shapes equal or 1 where they differ,
 * met at their last axes (TF.js's `computeElementwiseOpOutputShape`: a lower-rank input gets
 * axes of 1 after the batch axis); concatenate, the same rank and equal except on the axis.
 */
export function mergeOutput(op: string, s: LeafSpec, xs: number[][]): number[] {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}): ${why}, got per-sample shapes ${xs.map((x) => show(x)).join(', ')}`);
  };
  const two = s.kind === 'subtract' || s.kind === 'dot';
  if (xs.length < 2 || (two && xs.length !== 2)) fail(`takes ${two ? 'exactly 2' : 'at least 2'} inputs`);
  if (s.kind === 'dot') {
    // crates/core/src/layers/dot.rs: ranks 1 or 2 per sample, TF.js's negative axes, no batch axis.
    const given = s.args.axes as number | number[];
    const axes = (typeof given === 'number' ? [given, given] : given).map((a, i) => {
      const full = xs[i].length + 1;
      if (full < 2 || full > 3) fail(`input ${i} must be [batch, d] or [batch, n, d]`);
      const r = a < 0 ? ((a % full) + full) % full : a;
      if (r < 1 || r >= full) fail(`axes ${show(given)}: axis ${a} is not an axis of the sample of input ${i}`);
      return r - 1;
    });
    if (xs[0][axes[0]] !== xs[1][axes[1]]) fail(`the axes ${show(given)} must have the same size in both inputs`);
    const out = xs.flatMap((x, i) => x.filter((_, j) => j !== axes[i]));
    return out.length === 0 ? [1] : out;
  }
  const rank = Math.max(...xs.map((x) => x.length));
  if (s.kind === 'concatenate') {
    if (xs.some((x) => x.length !== rank)) fail('inputs must have the same rank');
    const axis = (s.args.axis as number | undefined) ?? -1;
    const a = axis < 0 ? axis + rank + 1 : axis;
    if (a < 1 || a > rank) fail(`axis ${axis} is not an axis of the sample`);
    const out = xs[0].slice();
    for (const x of xs.slice(1)) {
      if (x.some((d, i) => i !== a - 1 && d !== out[i])) fail(`inputs must match except on the concatenation axis ${axis}`);
      out[a - 1] += x[a - 1];
    }
    return out;
  }
  return Array.from({ length: rank }, (_, i) => {
    const ds = new Set(xs.map((x) => x[i - rank + x.length] ?? 1).filter((d) => d !== 1));
    if (ds.size > 1) fail('inputs must have the same per-sample shape (or 1 where they differ; shapes of other ranks meet at their last axes)');
    return ds.size === 0 ? 1 : [...ds][0];
  });
}

export type NodeSpec = LeafSpec | ModelSpec;

/** A weight a layer owns, in the core's order. */
export interface WeightSpec {
  /** `layerName/weight_name` as TF.js writes it. */
  name: string;
  /** The name of the layer that owns it (inside nested models too). */
  layer: string;
  /** The shape, in the core and in the file. */
  shape: number[];
  trainable: boolean;
  where: string;
}

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);


/**
 * A transposed convolution's output length along one axis for an input of `n` (the core's
 * `Window::transposed_len` and, with Keras 3's output padding `o`, `transposed_padded`):
 * `n·s` with 'same' and `n·s + max(k_eff − s, 0)` with 'valid' (TF.js's `deconvLength`), or
 * `(n − 1)·s + k_eff − 2·⌊k_eff/2⌋·[same] + o`; negative when `n` is 0 with an output padding.
 */
function transposedLength(n: number, k: number, s: number, d: number, same: boolean, o: number | null): number {
  const ke = (k - 1) * d + 1;
  if (o === null) return same ? n * s : n * s + Math.max(ke - s, 0);
  return (n - 1) * s + (same ? ke % 2 : ke) + o;
}

/**
 * The per-sample output `[oh, ow, channels]` of a sliding window on input `x` (TensorFlow's
 * sizes: `valid` ⌊(n − k_eff) / s⌋ + 1, `same` ⌈n / s⌉), as `crates/core/src/ops/window.rs`.
 */
function windowOutput(op: string, s: LeafSpec, x: number[], size: number[], strides: number[], dilation: number[], same: boolean, given = x): number[] {
  if (x.length !== 3) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}) expects per-sample inputs of shape [height, width, channels] (channels last), got per-sample shape ${show(x)}`);
  const out = [0, 1].map((i) => {
    const k = (size[i] - 1) * dilation[i] + 1;
    if (same) return Math.ceil(x[i] / strides[i]);
    if (x[i] < k) {
      if (given.length === 2) {
        // A 1-D layer runs as an image one row high (`given` is its [steps, channels] input):
        // said in its own terms, as the core says it (`layers/one_d.rs`).
        const [option, fix] = s.kind === 'conv1d' ? ['kernelSize', "padding 'same' or 'causal'"] : ['poolSize', "padding 'same'"];
        const at = dilation[i] > 1 ? ` at dilationRate ${dilation[i]}` : '';
        throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}): ${option} ${size[i]}${at} needs sequences of at least ${k} steps with padding 'valid', got ${x[i]} (per-sample input ${show(given)}); use ${fix}, a smaller ${option} or longer sequences`);
      }
      throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}): the window (${k}) does not fit the input's ${['height', 'width'][i]} of ${x[i]} with padding 'valid' (per-sample input ${show(given)}); use padding 'same' or a smaller window`);
    }
    return Math.floor((x[i] - k) / strides[i]) + 1;
  });
  return [out[0], out[1], x[2]];
}

/** The first layer's input shape, looking into nested models. */
export function specInputShape(s: NodeSpec): number[] | undefined {
  if (s.type === 'layer') return s.inputShape;
  const k = s.io?.inputs ?? 1;
  if (k > 1) {
    // Several inputs: the core's packed per-sample shape (see `models/packing.ts`).
    const shapes = s.layers.slice(0, k).map(specInputShape);
    return shapes.every((x) => x !== undefined) ? [shapes.reduce((a, x) => a + prod(x as number[]), 0)] : undefined;
  }
  return s.layers.length > 0 ? specInputShape(s.layers[0]) : undefined;
}

/** The stand-in sizes of an unknown axis (0), as the core's (`model/varlen.rs`). */
const STAND_IN = 512;
const CHECK = 1031;

/**
 * {@link inferWeights} of layer `s` on `x` with unknown axes (0): as the core, the layer at two
 * stand-in sizes for them; an output axis that differs is unknown. A flatten of an unknown axis
 * (TF.js's error; a reshape with -1 takes it there, as TF.js's) and a layer whose weights depend
 * on one are errors naming it.
 */
function inferFree(op: string, s: LeafSpec, x: number[], out: WeightSpec[], frozen: boolean): number[] {
  const shown = `[${x.map((d) => (d === 0 ? 'null' : d)).join(',')}]`;
  if (s.kind === 'flatten') {
    throw new InvalidArgumentError(
      `${op}: The shape of the input to "Flatten" is not fully defined (got ${shown}): ${s.where} (flatten ${s.name}) cannot flatten an axis of unknown (null) size; give the model's input a size on that axis, or pool it away first (globalAveragePooling1d, globalMaxPooling1d)`,
    );
  }
  const at = (p: number) => x.map((d) => (d === 0 ? p : d));
  const [w1, w2]: WeightSpec[][] = [[], []];
  const o1 = inferWeights(op, s, at(STAND_IN), w1, frozen);
  const o2 = inferWeights(op, s, at(CHECK), w2, frozen);
  if (w1.some((w, i) => show(w.shape) !== show(w2[i].shape))) {
    throw new InvalidArgumentError(
      `${op}: ${s.where} (${s.kind} ${s.name}) cannot take per-sample input shape ${shown}: its weights depend on the size of the unknown (null) axis; give the model's input a size there, ${s.kind === 'prelu' ? `or share one slope along it: sharedAxes ${show(x.flatMap((d, i) => (d === 0 ? [i + 1] : [])))}` : 'or pool the axis away first (globalAveragePooling1d, globalMaxPooling1d)'}`,
    );
  }
  out.push(...w1);
  return o1.map((d, i) => (d === o2[i] ? d : 0));
}

/**
 * @internal Per-sample output shape of `s` for input `x`, pushing each leaf's weights onto `out`
 * in the core's order. `frozen` is true inside a model with `trainable: false`. Throws an
 * InvalidArgumentError naming the layer when a shape does not fit (`op` prefixes it).
 */
export function inferWeights(op: string, s: NodeSpec, x: number[], out: WeightSpec[], frozen = false): number[] {
  if (s.type === 'layer' && x.includes(0)) return inferFree(op, s, x, out, frozen);
  if (s.type === 'model') {
    const inner = frozen || !s.trainable;
    if (s.wiring) {
      const shapes = graphShapes(op, s, s.wiring, x, out, inner);
      const outs = (s.io?.outputs ?? [s.layers.length - 1]).map((j) => shapes[j]);
      return outs.length === 1 ? outs[0] : [outs.reduce((a, o) => a + prod(o), 0)];
    }
    let cur = x;
    for (const l of s.layers) cur = inferWeights(op, l, cur, out, inner);
    return cur;
  }
  const a = s.args;
  const c = x.at(-1);
  const trainable = s.trainable && !frozen;
  const add = (param: string, shape: number[], state = false) =>
    out.push({ name: `${s.name}/${param}`, layer: s.name, shape, trainable: trainable && !state, where: s.where });
  const needLast = (): number => {
    if (c === undefined) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}) needs inputs with at least one dimension per sample, got per-sample shape []`);
    return c;
  };
  switch (s.kind) {
    case 'input':
      return x;
    case 'dense': {
      const units = a.units as number;
      add('kernel', [needLast(), units]);
      if (a.useBias !== false) add('bias', [units]);
      return [...x.slice(0, -1), units];
    }
    case 'batchNormalization':
    case 'layerNormalization': {
      const n = needLast();
      if (a.scale !== false) add('gamma', [n]);
      if (a.center !== false) add('beta', [n]);
      if (s.kind === 'batchNormalization') {
        add('moving_mean', [n], true);
        add('moving_variance', [n], true);
      }
      return x;
    }
    case 'normalization': {
      // One mean and variance per index of the kept axes (Keras's numbering: batch axis 0).
      const ax = a.axis === undefined ? [-1] : a.axis === null ? [] : typeof a.axis === 'number' ? [a.axis] : (a.axis as number[]);
      const keep = [...new Set(ax.map((k) => (k < 0 ? k + x.length + 1 : k)))].sort((p, q) => p - q);
      const bad = keep.find((k) => k < 1 || k > x.length || x[k - 1] === 0);
      if (bad !== undefined) throw new InvalidArgumentError(`${op}: ${s.where} (normalization ${s.name}): axis ${show(a.axis)} does not fit per-sample inputs ${show(x)} (axes 1 to ${x.length}, each of a fixed size; the batch axis is 0)`);
      const dims = keep.map((k) => x[k - 1]);
      add('mean', dims, true);
      add('variance', dims, true);
      return x;
    }
    case 'prelu': {
      needLast();
      const shared = (a.sharedAxes as number[] | null | undefined) ?? [];
      const beyond = shared.find((ax) => ax > x.length);
      if (beyond !== undefined) throw new InvalidArgumentError(`${op}: ${s.where} (prelu ${s.name}): sharedAxes has axis ${beyond}, but the per-sample input ${show(x)} has axes 1 to ${x.length} (the batch is axis 0)`);
      add('alpha', x.map((d, i) => (shared.includes(i + 1) ? 1 : d)));
      return x;
    }
    case 'rbf': {
      const units = a.units as number;
      add('centers', [units, needLast()]);
      add('widths', [units]);
      return [...x.slice(0, -1), units];
    }
    case 'variational': {
      const units = a.units as number;
      const n = needLast();
      add('mean_kernel', [n, units]);
      add('mean_bias', [units]);
      add('log_var_kernel', [n, units]);
      add('log_var_bias', [units]);
      return [...x.slice(0, -1), units];
    }
    case 'conv2d':
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const conv = s.kind === 'conv2d';
      const [oh, ow, ch] = windowOutput(op, s, x, (conv ? a.kernelSize : a.poolSize) as number[], a.strides as number[], conv ? (a.dilationRate as number[]) : [1, 1], a.padding === 'same');
      if (!conv) return [oh, ow, ch];
      const f = a.filters as number;
      add('kernel', [...(a.kernelSize as number[]), ch, f]);
      if (a.useBias !== false) add('bias', [f]);
      return [oh, ow, f];
    }
    case 'depthwiseConv2d':
    case 'separableConv2d': {
      const [oh, ow, ch] = windowOutput(op, s, x, a.kernelSize as number[], a.strides as number[], a.dilationRate as number[], a.padding === 'same');
      const m = a.depthMultiplier as number;
      add('depthwise_kernel', [...(a.kernelSize as number[]), ch, m]);
      const units = s.kind === 'separableConv2d' ? (a.filters as number) : ch * m;
      if (s.kind === 'separableConv2d') add('pointwise_kernel', [1, 1, ch * m, units]);
      if (a.useBias !== false) add('bias', [units]);
      return [oh, ow, units];
    }
    case 'conv2dTranspose': {
      const [h, w, ch] = windowOutput(op, s, x, [1, 1], [1, 1], [1, 1], false);
      const [k, st, d, f] = [a.kernelSize as number[], a.strides as number[], (a.dilationRate ?? [1, 1]) as number[], a.filters as number];
      const o = (a.outputPadding ?? null) as number[] | null;
      const [oh, ow] = [h, w].map((n, i) => transposedLength(n, k[i], st[i], d[i], a.padding === 'same', o && o[i]));
      if (oh < 0 || ow < 0) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}): per-sample input ${show(x)} has no output with outputPadding ${show(o)} (an input needs at least one row and column)`);
      add('kernel', [...k, f, ch]);
      if (a.useBias !== false) add('bias', [f]);
      return [oh, ow, f];
    }
    case 'zeroPadding2d':
    case 'cropping2d': {
      const [h, w, ch] = windowOutput(op, s, x, [1, 1], [1, 1], [1, 1], false);
      const amounts = (s.kind === 'cropping2d' ? a.cropping : a.padding) as number[][];
      const sign = s.kind === 'cropping2d' ? -1 : 1;
      const [oh, ow] = [h + sign * (amounts[0][0] + amounts[0][1]), w + sign * (amounts[1][0] + amounts[1][1])];
      if (oh < 1 || ow < 1) throw new InvalidArgumentError(`${op}: ${s.where} (cropping2d ${s.name}): cropping ${show(amounts)} leaves nothing of the per-sample input ${show(x)}`);
      return [oh, ow, ch];
    }
    case 'globalMaxPooling2d':
    case 'globalAveragePooling2d':
      return [windowOutput(op, s, x, [1, 1], [1, 1], [1, 1], false)[2]];
    case 'upSampling2d': {
      const [h, w, ch] = windowOutput(op, s, x, [1, 1], [1, 1], [1, 1], false);
      const size = a.size as number[];
      return [h * size[0], w * size[1], ch];
    }
    case 'conv1d':
    case 'maxPooling1d':
    case 'averagePooling1d':
    case 'globalMaxPooling1d':
    case 'globalAveragePooling1d': {
      // The 2-D rules on each sample as an image one row high (crates/core/src/layers/one_d.rs).
      if (x.length !== 2) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}) expects per-sample inputs of shape [steps, channels], got per-sample shape ${show(x)}`);
      if (s.kind.startsWith('global')) return [x[1]];
      const conv = s.kind === 'conv1d';
      const [k, d] = conv ? [a.kernelSize as number, a.dilationRate as number] : [a.poolSize as number, 1];
      const steps = a.padding === 'causal' ? x[0] + (k - 1) * d : x[0];
      const [, ow, ch] = windowOutput(op, s, [1, steps, x[1]], [1, k], [1, a.strides as number], [1, d], a.padding === 'same', x);
      if (!conv) return [ow, ch];
      const f = a.filters as number;
      add('kernel', [k, ch, f]);
      if (a.useBias !== false) add('bias', [f]);
      return [ow, f];
    }
    case 'spatialDropout1d':
      // Checked where the shape is known, as the other 1-D layers (it failed at the first predict).
      if (x.length !== 2) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}) expects per-sample inputs of shape [steps, channels], got per-sample shape ${show(x)}`);
      return x;
    case 'upSampling1d':
    case 'zeroPadding1d':
    case 'cropping1d': {
      // The 2-D rules along the steps (crates/core/src/layers/{up_sampling,border}.rs).
      if (x.length !== 2) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}) expects per-sample inputs of shape [steps, channels], got per-sample shape ${show(x)}`);
      if (s.kind === 'upSampling1d') return [x[0] * (a.size as number), x[1]];
      const [start, end] = (s.kind === 'cropping1d' ? a.cropping : a.padding) as number[];
      if (s.kind === 'zeroPadding1d') return [start + x[0] + end, x[1]];
      if (x[0] - start - end < 1) throw new InvalidArgumentError(`${op}: ${s.where} (cropping1d ${s.name}): cropping ${show([start, end])} leaves nothing of the per-sample input ${show(x)}: the steps cut (${start + end}) must be fewer than the input's ${x[0]} steps`);
      return [x[0] - start - end, x[1]];
    }
    case 'conv1dTranspose': {
      // Keras 3's lengths (crates/core/src/layers/conv2d_transpose.rs, Window::transposed_padded).
      if (x.length !== 2) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}) expects per-sample inputs of shape [steps, channels], got per-sample shape ${show(x)}`);
      const [k, st, d, f] = [a.kernelSize as number, a.strides as number, a.dilationRate as number, a.filters as number];
      const o = (a.outputPadding ?? null) as number | null;
      const len = transposedLength(x[0], k, st, d, a.padding === 'same', o);
      if (len < 0) throw new InvalidArgumentError(`${op}: ${s.where} (${s.kind} ${s.name}): per-sample input ${show(x)} has no output with outputPadding ${o} (an input needs at least one step)`);
      add('kernel', [k, f, x[1]]);
      if (a.useBias !== false) add('bias', [f]);
      return [len, f];
    }
    case 'embedding': {
      add('embeddings', [a.inputDim as number, a.outputDim as number]);
      return [...x, a.outputDim as number];
    }
    case 'repeatVector':
      if (x.length !== 1) throw new InvalidArgumentError(`${op}: ${s.where} (repeatVector ${s.name}) expects per-sample inputs of shape [features], got per-sample shape ${show(x)}`);
      return [a.n as number, x[0]];
    case 'permute': {
      const dims = a.dims as number[];
      if (x.length !== dims.length) throw new InvalidArgumentError(`${op}: ${s.where} (permute ${s.name}): dims ${show(dims)} has ${dims.length} entries but the per-sample input shape ${show(x)} has ${x.length} axes`);
      return dims.map((d) => x[d - 1]);
    }
    case 'flatten':
      return [prod(x)];
    case 'reshape': {
      const t = a.targetShape as number[];
      const known = prod(t.filter((d) => d !== -1));
      const size = prod(x);
      const shape = t.includes(-1) && known > 0 && size % known === 0 ? t.map((d) => (d === -1 ? size / known : d)) : t;
      if (prod(shape) !== size) throw new InvalidArgumentError(`${op}: ${s.where} (reshape ${s.name}): targetShape ${show(t)} does not fit the per-sample input shape ${show(x)} (${size} values)`);
      return shape;
    }
    default:
      return x;
  }
}

/**
 * @internal The per-sample shape of every value of graph spec `s` (its `wiring`: the input
 * layers', each layer's, then each further use's) for input `x` (with several inputs, each
 * input layer's own shape), pushing each leaf's weights onto `out` as {@link inferWeights} does.
 */
export function graphShapes(op: string, s: ModelSpec, wiring: number[][], x: number[], out: WeightSpec[], frozen = false): number[][] {
  const k = s.io?.inputs ?? 1;
  const extra = s.extraUses ?? [];
  const shapes = s.layers.slice(0, k).map((l) => inferWeights(op, l, k === 1 ? x : (specInputShape(l) ?? []), out, frozen));
  // A further use's value has its own shape (a layer takes other shapes where its weights fit
  // them) and adds no weights; its inputs are computed before its layer, as the first use's.
  const further: number[][] = [];
  const shapeOf = (j: number): number[] => (j < s.layers.length ? shapes[j] : further[j - s.layers.length]);
  const output = (l: NodeSpec, xs: number[][], into: WeightSpec[]): number[] => (l.type === 'layer' && MERGE_KINDS.includes(l.kind) ? mergeOutput(op, l, xs) : inferWeights(op, l, xs[0], into, frozen));
  wiring.forEach((ins, i) => {
    const l = s.layers[k + i];
    shapes.push(output(l, ins.map(shapeOf), out));
    extra.forEach((u, j) => {
      if (u.layer === i) further[j] = output(l, u.inputs.map(shapeOf), []);
    });
  });
  return [...shapes, ...further];
}

/**
 * @internal The weights of `s` for input `x` in the core's order, plus the output shape. Every
 * weight's size is checked against {@link MAX_ELEMENTS} here, so a config claiming a huge
 * layer fails before anything is allocated.
 */
export function expectedWeights(op: string, s: NodeSpec, x: number[]): { weights: WeightSpec[]; output: number[] } {
  const weights: WeightSpec[] = [];
  const output = inferWeights(op, s, x, weights);
  for (const w of weights) {
    const n = prod(w.shape);
    if (n > MAX_ELEMENTS) throw new InvalidArgumentError(`${op}: ${w.where}: weight '${w.name}' would have shape ${show(w.shape)} (${n} values), more than the ${MAX_ELEMENTS} one tensor can hold`);
  }
  return { weights, output };
}

/** @internal Every layer and nested model name in `s`, depth-first (for the uniqueness check). */
export function specNames(s: NodeSpec): Array<{ name: string; where: string }> {
  if (s.type === 'layer') return [{ name: s.name, where: s.where }];
  return [{ name: s.name, where: s.where }, ...s.layers.flatMap(specNames)];
}

/**
 * @internal Throws unless every layer in `s` has a unique name (weight names are
 * `layerName/weight`; TF.js requires unique layer names too).
 */
export function checkUniqueNames(op: string, s: ModelSpec): void {
  const seen = new Map<string, string>();
  for (const { name, where } of specNames(s).slice(1)) {
    const prev = seen.get(name);
    if (prev !== undefined) throw new InvalidArgumentError(`${op}: the name '${name}' is used twice (${prev} and ${where}); every layer and nested model of a saved model needs its own name (its weights are saved under it, as TF.js's): give the layers names when a function builds them (layers.dense({ units, name: \`\${prefix}_hidden\` }))`);
    seen.set(name, where);
  }
}
