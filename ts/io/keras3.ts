/**
 * Keras 3 model configs (`model.to_json()`, `model.get_config()`) read as the Keras 2 / TF.js
 * configs `topology.ts` reads. `isKeras3` (in `topology.ts`) tells the two apart by what only
 * Keras 3 writes; {@link fromKeras3} returns a copy in the Keras 2 form, path for path (so every
 * later error names the field where it is in the Keras 3 file), or refuses, naming the field,
 * what Keras 3 wrote that neurite does not implement:
 *
 * - `batch_shape` is `batch_input_shape`; a `DTypePolicy` named `'float32'` is `'float32'`
 *   (`mixed_float16`, `bfloat16`, … are refused with the policy's name).
 * - `module`, `registered_name`, `build_config`, `compile_config`, `build_input_shape` and
 *   `quantization_config: null` carry nothing neurite needs and are dropped; so are the
 *   Keras 3 keys whose value is the only one neurite implements (`groups: 1`, `renorm: false`,
 *   `rms_scaling: false`, `optional: false`, `ragged: false`, `keepdims: false`, …); another
 *   value is an error.
 * - An activation given as a layer object (`activation=layers.LeakyReLU(0.1)`) or as
 *   `{ class_name: 'function', config: 'relu' }` is the activation it names (a `LeakyReLU`
 *   layer's `negative_slope` is read by `topology.ts` itself, in any file). `hard_sigmoid` (Keras 3's is `relu6(x + 3) / 6`, neurite's TF.js's
 *   `clip(0.2·x + 0.5)`) and a bilinear `UpSampling2D` (Keras 3 samples at half-pixel centres)
 *   compute something else here, so they are refused rather than loaded with other outputs.
 * - Keras 3's inbound nodes (`{ args: [tensor or [tensors]], kwargs }`, each tensor a
 *   `__keras_tensor__` with `keras_history: [layer, node, 0]`) become TF.js's
 *   `[[layer, node, 0, {}], …]`; a nested model's calls count from 0 in Keras 3 and from 1 in
 *   TF.js. `input_layers`/`output_layers` of one entry (`['x', 0, 0]`, not nested) become lists.
 *
 * In the storage chunk (`lazy.ts`): `load.ts` gives it to the reader when the chunk loads, and
 * the main bundle carries only the detection.
 */
import { describe, show } from '../ops/convert.js';
import { bad, isInt, isObject, objectAt } from './keras.js';

/** Model classes: their configs hold `layers`, and TF.js numbers their calls from 1. */
const MODELS = ['Sequential', 'Functional', 'Model'];

/** `o` without Keras 3's bookkeeping keys. */
function withoutKeras3Keys(o: Record<string, unknown>, keys = ['module', 'registered_name', 'build_config', 'compile_config']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) if (!keys.includes(k)) out[k] = x;
  return out;
}

/**
 * A Keras 3 dtype (`'float32'` or `{ class_name: 'DTypePolicy', config: { name } }`) as the
 * `'float32'` neurite reads; another policy is refused with its name.
 */
function dtypeOf(op: string, where: string, d: unknown): unknown {
  if (!isObject(d)) return d;
  const name = isObject(d.config) ? d.config.name : undefined;
  if (name === 'float32') return 'float32';
  return bad(op, where, `is Keras 3's dtype policy ${show(name ?? d)} (${show(d.class_name)}): neurite computes in float32 and reads only the policy 'float32' (Keras's default)`);
}

/** A Keras 3 `{ module, class_name, config, registered_name }` object (an initializer, regularizer, constraint) in the Keras 2 form. */
function plainObject(op: string, where: string, v: unknown): unknown {
  if (!isObject(v) || typeof v.class_name !== 'string') return v;
  const o = withoutKeras3Keys(v);
  if (isObject(o.config)) {
    const c = { ...o.config };
    // Keras 3.12+ variance-scaling initializers: the axes of the fans (for EinsumDense kernels).
    for (const k of ['input_axes', 'output_axes']) {
      if (c[k] === null) delete c[k];
      else if (c[k] !== undefined) bad(op, `${where}.config.${k}`, `must be null: neurite computes an initializer's fans from the kernel's shape as Keras 2 and TF.js do, got ${show(c[k])}`);
    }
    o.config = c;
  }
  return o;
}

/**
 * A Keras 3 activation as the Keras 2 form neurite reads: a name, an activation layer given as
 * the activation (`LeakyReLU`, `ELU`, `ReLU`, `Softmax`, `Activation`), or Keras 3's
 * `{ class_name: 'function', config: name }`.
 */
function activationOf(op: string, where: string, v: unknown): unknown {
  if (v === 'hard_sigmoid' || v === 'hardSigmoid') {
    bad(op, where, `is Keras 3's 'hard_sigmoid', relu6(x + 3) / 6, which neurite does not have: neurite's hard_sigmoid is TF.js's and Keras 2's clip(0.2·x + 0.5, 0, 1)`);
  }
  if (!isObject(v)) return v;
  if (typeof v.class_name !== 'string') {
    return bad(op, where, `is a Python function Keras 3 serialized as its bytecode (a lambda or a custom activation), which neurite cannot read: use a built-in activation name, got ${show(v)}`);
  }
  const c = isObject(v.config) ? v.config : {};
  const at = `${where}.config`;
  switch (v.class_name) {
    case 'function':
      if (typeof v.config !== 'string') bad(op, at, `must be the name of a Keras activation, got ${show(v.config)}`);
      return activationOf(op, at, v.config);
    case 'LeakyReLU': return { class_name: 'neurite>leakyRelu', config: { alpha: c.negative_slope ?? c.alpha ?? 0.3 } };
    case 'ELU': return { class_name: 'neurite>elu', config: { alpha: c.alpha ?? 1 } };
    case 'Activation': return activationOf(op, `${at}.activation`, c.activation);
    case 'ReLU':
      if ((c.negative_slope ?? 0) === 0 && (c.threshold ?? 0) === 0) return c.max_value == null ? 'relu' : c.max_value === 6 ? 'relu6' : { class_name: 'neurite>cappedRelu', config: { max_value: c.max_value } };
      return bad(op, where, `is a ReLU layer with negative_slope/threshold ${show([c.negative_slope, c.threshold])}; neurite reads ReLU as 'relu', 'relu6' (max_value 6) or 'cappedRelu' (another max_value)`);
    case 'Softmax':
      if (c.axis === undefined || c.axis === -1 || (Array.isArray(c.axis) && c.axis.length === 1 && c.axis[0] === -1)) return 'softmax';
      return bad(op, `${at}.axis`, `must be -1: neurite's softmax activation is over the last axis, got ${show(c.axis)}`);
    default:
      return plainObject(op, where, v);
  }
}

/** Refuses a Keras 3 key whose value is not the one neurite implements (`want`), then drops it. */
function only(op: string, cw: string, c: Record<string, unknown>, key: string, want: unknown[], why: string): void {
  if (c[key] !== undefined && !want.some((w) => w === c[key])) bad(op, `${cw}.${key}`, `must be ${want.map((w) => show(w)).join(' or ')}: ${why}, got ${show(c[key])}`);
  delete c[key];
}

/** A layer config's Keras 3 keys in the Keras 2 form (`cls`: the layer's class name). */
function layerConfig(op: string, cw: string, cls: string, v: Record<string, unknown>): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'dtype') c[k] = dtypeOf(op, `${cw}.dtype`, x);
    else if (k === 'activation') c[k] = activationOf(op, `${cw}.activation`, x);
    else c[k] = plainObject(op, `${cw}.${k}`, x);
  }
  if (c.batch_shape !== undefined) {
    if (c.batch_input_shape === undefined) c.batch_input_shape = c.batch_shape;
    delete c.batch_shape;
  }
  switch (cls) {
    case 'InputLayer':
      only(op, cw, c, 'ragged', [false, null], 'neurite has no ragged tensors');
      only(op, cw, c, 'optional', [false, null], 'every input of a neurite model is given');
      if (c.sparse === true) bad(op, `${cw}.sparse`, 'must be false: neurite has no sparse tensors, got true');
      break;
    case 'Dense':
      only(op, cw, c, 'quantization_config', [null], 'neurite reads float32 weights, not a quantized layer');
      only(op, cw, c, 'lora_rank', [null, 0], 'a LoRA-enabled Dense has lora_kernel_a/lora_kernel_b weights neurite does not have (call layer.disable_lora() or merge them before saving)');
      delete c.lora_alpha;
      break;
    case 'Conv1D':
    case 'Conv2D':
      only(op, cw, c, 'groups', [1], `neurite's convolutions are not grouped`);
      break;
    case 'BatchNormalization':
      delete c.synchronized; // cross-device statistics in distributed training: nothing to compute here
      only(op, cw, c, 'renorm', [false, null], "neurite's batchNormalization has no batch renormalization");
      delete c.renorm_clipping;
      delete c.renorm_momentum;
      break;
    case 'LayerNormalization':
      only(op, cw, c, 'rms_scaling', [false, null], "neurite's layerNormalization centres and scales (no RMS scaling)");
      break;
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling1D':
      only(op, cw, c, 'data_format', ['channels_last', null], 'the only layout neurite has is [batch, steps, channels]');
      only(op, cw, c, 'keepdims', [false, null], "neurite's global pooling outputs [batch, channels]");
      break;
    case 'UpSampling2D':
      if (c.interpolation === 'bilinear') bad(op, `${cw}.interpolation`, `is 'bilinear', which Keras 3 samples at half-pixel centres; neurite's bilinear upSampling2d is TF.js's (no half-pixel centres), so its outputs would differ at the borders: only 'nearest' reads as Keras 3 computes it`);
      break;
    default:
      break;
  }
  return c;
}

/** A reference `[name, node, 0]` in a Keras 3 config, checked against the model's layers (`calls`: each layer's call count). */
function refOf(op: string, at: string, h: unknown, calls: Map<string, { cls: string; calls: number }>): [string, number, number] {
  if (!Array.isArray(h) || h.length !== 3 || typeof h[0] !== 'string' || !isInt(h[1], 0) || !isInt(h[2], 0)) bad(op, at, `must be [layerName, nodeIndex, tensorIndex], got ${show(h)}`);
  const [name, node, tensor] = h as [string, number, number];
  const l = calls.get(name);
  if (!l) bad(op, `${at}[0]`, `names '${name}', which is not in layers`);
  const n = l.cls === 'InputLayer' ? 1 : l.calls;
  if (node >= n) bad(op, `${at}[1]`, `is call ${node} of ${l.cls} '${name}', which has ${n === 1 ? 'one call (0)' : `${n} calls (0…${n - 1})`}`);
  if (tensor !== 0) bad(op, `${at}[2]`, `reads output ${tensor} of '${name}', but neurite's layers and nested models have one output`);
  // TF.js numbers a nested model's calls from 1 (its node 0 is its own input's).
  return [name, node + (MODELS.includes(l.cls) ? 1 : 0), 0];
}

/** One Keras 3 inbound node (`{ args, kwargs }`) as TF.js's `[[name, node, 0, {}], …]` (`{ training: false }` kept). */
function nodeOf(op: string, at: string, node: unknown, calls: Map<string, { cls: string; calls: number }>, masks: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(node)) return node; // Keras 2's form
  if (!isObject(node) || !Array.isArray(node.args)) bad(op, at, `must be Keras 3's { args: [tensor or [tensors]], kwargs: {} } or Keras 2's [[layerName, nodeIndex, 0, {}], …], got ${show(node)}`);
  const kw = node.kwargs ?? {};
  if (!isObject(kw)) bad(op, `${at}.kwargs`, `must be an object, got ${describe(kw)}`);
  for (const [k, x] of Object.entries(kw)) {
    if (x === null || (k === 'training' && x === false) || (k === 'mask' && masks.has(historyName(x) ?? ''))) continue;
    bad(op, `${at}.kwargs.${k}`, `must be null${k === 'training' ? ' or false' : ''}: neurite's layers take no call arguments (mask, …) but training: false, got ${show(x)}`);
  }
  const kept: Record<string, boolean> = kw.training === false ? { training: false } : {};
  const args = node.args as unknown[];
  if (args.length !== 1) bad(op, `${at}.args`, `must hold one input (a tensor, or a list of tensors for a merge layer): neurite's layers take no other positional arguments, got ${args.length} arguments`);
  const tensor = (t: unknown, w: string): [string, number, number, Record<string, boolean>] => {
    if (!isObject(t) || t.class_name !== '__keras_tensor__' || !isObject(t.config)) bad(op, w, `must be a Keras tensor { class_name: '__keras_tensor__', config: { shape, dtype, keras_history } }, got ${show(t)}`);
    return [...refOf(op, `${w}.config.keras_history`, t.config.keras_history, calls), kept];
  };
  const a = args[0];
  return Array.isArray(a) ? a.map((t, j) => tensor(t, `${at}.args[0][${j}]`)) : [tensor(a, `${at}.args[0]`)];
}

/** The layer name a Keras tensor `t` comes from (`keras_history[0]`), if it is one. */
function historyName(t: unknown): string | undefined {
  const h = isObject(t) && isObject(t.config) ? t.config.keras_history : undefined;
  return Array.isArray(h) && typeof h[0] === 'string' ? h[0] : undefined;
}

/**
 * The `NotEqual(ids, 0)` op layers Keras 3 writes for the mask of an `Embedding(mask_zero=True)`
 * that a layer takes as `kwargs.mask` (a functional text model): the ids are an embedding's
 * input, and every use is as a mask. neurite's embedding makes that mask itself, so they go.
 */
function maskOps(layers: readonly unknown[]): Set<string> {
  const maskedInputs = new Set<string>();
  for (const l of layers) {
    if (!isObject(l) || l.class_name !== 'Embedding' || !isObject(l.config) || l.config.mask_zero !== true || !Array.isArray(l.inbound_nodes)) continue;
    for (const n of l.inbound_nodes) if (isObject(n) && Array.isArray(n.args)) maskedInputs.add(historyName(n.args[0]) ?? '');
  }
  const found = new Set<string>();
  for (const l of layers) {
    if (!isObject(l) || l.class_name !== 'NotEqual' || typeof l.name !== 'string' || !Array.isArray(l.inbound_nodes) || l.inbound_nodes.length !== 1) continue;
    const n = l.inbound_nodes[0];
    if (isObject(n) && Array.isArray(n.args) && n.args.length === 2 && n.args[1] === 0 && maskedInputs.has(historyName(n.args[0]) ?? '')) found.add(l.name);
  }
  // Kept if anything reads one other than as a mask.
  const reads = (v: unknown, name: string): boolean => historyName(v) === name || (Array.isArray(v) && v.some((x) => reads(x, name)));
  for (const l of layers) {
    if (!isObject(l) || !Array.isArray(l.inbound_nodes)) continue;
    for (const n of l.inbound_nodes) {
      if (!isObject(n)) continue;
      for (const name of found) if (reads(n.args, name) || (isObject(n.kwargs) && Object.entries(n.kwargs).some(([k, v]) => k !== 'mask' && reads(v, name)))) found.delete(name);
    }
  }
  return found;
}

/** `input_layers`/`output_layers`: Keras 3 writes one entry unnested (`['x', 0, 0]`) and dict inputs as an object. */
function endsOf(op: string, where: string, v: unknown, calls: Map<string, { cls: string; calls: number }>): unknown {
  if (isObject(v)) bad(op, where, `is a dict (keys ${Object.keys(v).join(', ')}): neurite's models take their inputs and outputs as lists, so build the Keras model with keras.Model([inputs], [outputs])`);
  if (!Array.isArray(v)) return v;
  const list = typeof v[0] === 'string' ? [v] : v;
  return list.map((e, i) => (Array.isArray(e) && typeof e[0] === 'string' && calls.has(e[0]) ? refOf(op, `${where}${list === v ? `[${i}]` : ''}`, e.slice(0, 3), calls) : e));
}

/**
 * @internal The Keras 2 / TF.js form of a Keras 3 model config `v` at `where` (the whole
 * `{ class_name, config }` object, or a bare `{ name, layers }`); see the file comment.
 */
export function fromKeras3(op: string, where: string, v: Record<string, unknown>): Record<string, unknown> {
  if (v.class_name === undefined) return modelConfig(op, where, 'Sequential', v);
  const o = withoutKeras3Keys(v);
  const cls = String(o.class_name);
  if (!MODELS.includes(cls)) return o; // the caller's message names the class
  o.config = modelConfig(op, `${where}.config`, cls, objectAt(op, `${where}.config`, o.config ?? {}));
  return o;
}

/** A model's config (`{ name, layers, … }`) at `cw`, its layers in the Keras 2 form. */
function modelConfig(op: string, cw: string, cls: string, v: Record<string, unknown>): Record<string, unknown> {
  const c = withoutKeras3Keys(v, ['build_input_shape']);
  if (c.dtype !== undefined) {
    dtypeOf(op, `${cw}.dtype`, c.dtype);
    delete c.dtype;
  }
  if (!Array.isArray(c.layers)) return c; // the reader's message names it
  const graph = cls !== 'Sequential';
  const calls = new Map<string, { cls: string; calls: number }>();
  const masks = graph ? maskOps(c.layers) : new Set<string>();
  const layers = masks.size > 0 ? (c.layers as unknown[]).filter((l) => !(isObject(l) && masks.has(l.name as string))) : (c.layers as unknown[]);
  if (graph) {
    for (const l of layers) {
      if (!isObject(l)) continue;
      const n = l.name ?? (isObject(l.config) ? l.config.name : undefined);
      if (typeof n === 'string' && !calls.has(n)) calls.set(n, { cls: String(l.class_name), calls: Array.isArray(l.inbound_nodes) ? l.inbound_nodes.length : 0 });
    }
  }
  c.layers = layers.map((l: unknown, i: number) => {
    const w = `${cw}.layers[${i}]`;
    if (!isObject(l)) return l;
    const o = withoutKeras3Keys(l);
    const lc = String(o.class_name);
    if (MODELS.includes(lc)) {
      if (isObject(o.config)) o.config = modelConfig(op, `${w}.config`, lc, o.config);
    } else if (isObject(o.config)) {
      o.config = layerConfig(op, `${w}.config`, lc, o.config);
    }
    if (graph && Array.isArray(o.inbound_nodes)) o.inbound_nodes = o.inbound_nodes.map((n: unknown, u: number) => nodeOf(op, `${w}.inbound_nodes[${u}]`, n, calls, masks));
    return o;
  });
  if (graph) {
    c.input_layers = endsOf(op, `${cw}.input_layers`, c.input_layers, calls);
    c.output_layers = endsOf(op, `${cw}.output_layers`, c.output_layers, calls);
  }
  return c;
}
