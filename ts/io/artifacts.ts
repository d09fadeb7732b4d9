/**
 * The in-memory form of a saved model, as TF.js defines it (`tf.io.ModelArtifacts`): the
 * Keras model config (`modelTopology`), the weights manifest (`weightSpecs`: name, shape,
 * dtype) and the weights themselves (`weightData`: float32, little endian, in manifest order),
 * plus the compile config (`trainingConfig`) and free-form `userDefinedMetadata`. Storage
 * handlers (`file://`, `indexeddb://`, …) move these objects; `model.json` is the same object
 * with `weightSpecs` moved into `weightsManifest[0].weights`.
 *
 * Reading is untrusted input: {@link readWeightSpecs} checks every field and every size against
 * `weightData` before anything is allocated, and {@link decodeWeights} refuses non-finite values
 * unless asked not to.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe, firstNonFinite, MAX_ELEMENTS, show } from '../ops/convert.js';
import type { ArrayBufferBytes, WebResponse } from '../web-types.js';

/** One weight in the manifest (TF.js `WeightsManifestEntry`). neurite writes and reads `float32` only. */
export interface WeightsManifestEntry {
  /** `layerName/weightName`, e.g. `dense_1/kernel`; optimizer state has the prefix `optimizer/`. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  /** `'optimizer'` for optimizer state (TF.js `includeOptimizer`). */
  group?: 'model' | 'optimizer';
  /**
   * Quantized weights, as the TF.js converter writes them (`--quantize_uint8`,
   * `--quantize_uint16`, `--quantize_float16`): stored as `dtype` (`'uint8'`/`'uint16'`: each
   * value `q · scale + min`; `'float16'`: IEEE half precision), read back as float32 when
   * loaded, as TF.js does. neurite writes float32 only.
   */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string } | undefined;
}

/** The compile config as TF.js writes it (`loss`, `metrics`, `optimizer_config`). */
export interface TrainingConfig {
  loss: string | string[] | Record<string, string>;
  metrics?: string[] | Record<string, string | string[]> | undefined;
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  [key: string]: unknown;
}

/** A saved model in memory (TF.js `ModelArtifacts`, Layers format). */
export interface ModelArtifacts {
  /** The Keras model config: `{ class_name, config, keras_version, backend }`. */
  modelTopology?: object | ArrayBuffer;
  /** `'layers-model'` (TF.js graph models are `'graph-model'`, which neurite does not read). */
  format?: string;
  /** Who wrote the file, e.g. `'neurite 0.1.0'`. */
  generatedBy?: string;
  /** Who converted it (`null` when not converted). */
  convertedBy?: string | null;
  /** The compile config, present when the model was compiled (and TF.js can represent it). */
  trainingConfig?: TrainingConfig;
  /** Names, shapes and dtypes of the weights, in `weightData` order. */
  weightSpecs?: WeightsManifestEntry[];
  /** The weights, concatenated in `weightSpecs` order (TF.js may also give a list of buffers). */
  weightData?: ArrayBuffer | ArrayBuffer[];
  /** Free-form JSON; neurite keeps its own exact compile and training state under `neurite`. */
  userDefinedMetadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What a save reports (TF.js `SaveResult`). */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  responses?: WebResponse[];
  errors?: Array<unknown>;
}

/** Sizes of what was saved (TF.js `ModelArtifactsInfo`). */
export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

/** A storage handler (TF.js `IOHandler`): an object with `save`, `load` or both. */
export interface IOHandler {
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
  load?(): Promise<ModelArtifacts>;
}

/**
 * The largest `model.json` (UTF-8 bytes) a load reads and a save writes: a Keras topology is
 * kilobytes to a few megabytes, so a bigger file is refused before it is read, and a save that
 * would write one (large `userDefinedMetadata`) is refused before it writes anything.
 */
export const MAX_JSON_BYTES = 256 * 2 ** 20;

/**
 * TF.js's `MAX_USER_DEFINED_METADATA_SERIALIZED_LENGTH` (1 MiB): `userDefinedMetadata` longer as
 * JSON is saved with a console warning.
 */
export const MAX_USER_METADATA_LENGTH = 1024 * 1024;

/**
 * @internal Throws an {@link InvalidArgumentError} (`op: …`) unless `v` is a plain JSON object,
 * as TF.js's `checkUserDefinedMetadata` (`user_defined_metadata.js`): an object made by `{}`
 * (prototype `Object.prototype`) whose values are `null`, strings, numbers, booleans, arrays of
 * them and such objects, nested (a `Date`, a typed array, a function, `undefined`, a BigInt,
 * a cycle name the path), and — unlike TF.js, which saves them as `null` — no NaN or
 * ±Infinity. The key `neurite` is refused: it is neurite's own in saved files. With `checkSize`
 * (setting and saving; TF.js checks at save only), more than {@link MAX_USER_METADATA_LENGTH}
 * characters of JSON is a console warning, as TF.js's.
 */
export function checkUserDefinedMetadata(op: string, v: unknown, modelName: string, checkSize = false): void {
  const plain = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype;
  if (!plain(v)) throw new InvalidArgumentError(`${op}: userDefinedMetadata must be a plain JSON object such as { labels: ['cat', 'dog'] }, got ${describe(v)}`);
  if (Object.hasOwn(v, 'neurite')) {
    throw new InvalidArgumentError(`${op}: userDefinedMetadata.neurite is reserved: neurite keeps its own record there in saved files (the exact compile call and optimizer state); put your data under another key`);
  }
  const seen = new Set<object>();
  const walk = (x: unknown, at: string): void => {
    if (x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)) || typeof x === 'boolean') return;
    const fail = (what: string) => new InvalidArgumentError(`${op}: userDefinedMetadata must be plain JSON (objects, arrays, strings, finite numbers, booleans, null), but ${at} is ${what}`);
    // JSON has no NaN or ±Infinity: a file would hold null where memory holds the number.
    if (typeof x === 'number') throw fail(`${x}, which JSON cannot hold (a model file would say null)`);
    if (typeof x !== 'object' || !(Array.isArray(x) || plain(x))) throw fail(describe(x));
    if (seen.has(x)) throw fail('the object it is inside (a cycle)');
    seen.add(x);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${at}[${i}]`));
    else for (const [k, y] of Object.entries(x)) walk(y, /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`);
    seen.delete(x);
  };
  walk(v, 'userDefinedMetadata');
  if (checkSize) {
    const n = JSON.stringify(v).length;
    const unsaveable = n > MAX_JSON_BYTES ? `; past the ${MAX_JSON_BYTES} bytes a model.json may have, saving to file://, http(s):// or downloads:// is refused` : '';
    if (n > MAX_USER_METADATA_LENGTH) console.warn(`${op}: the userDefinedMetadata of model ${modelName} is ${n} characters long as JSON, more than the ${MAX_USER_METADATA_LENGTH} TF.js recommends${unsaveable}; keep large data out of the model file`);
  }
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** @internal The `modelArtifactsInfo` of `a`, sizes in bytes as TF.js counts them (UTF-8 JSON). */
export function artifactsInfo(a: ModelArtifacts): ModelArtifactsInfo {
  const data = a.weightData;
  const bytes = data === undefined ? 0 : Array.isArray(data) ? data.reduce((s, b) => s + b.byteLength, 0) : data.byteLength;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: a.modelTopology === undefined ? 0 : utf8Length(JSON.stringify(a.modelTopology)),
    weightSpecsBytes: a.weightSpecs === undefined ? 0 : utf8Length(JSON.stringify(a.weightSpecs)),
    weightDataBytes: bytes,
  };
}

/** A float32 weight to encode: its manifest name, shape and values. */
export interface NamedWeight {
  name: string;
  shape: number[];
  /**
   * The values, or a function that writes them (as many as the shape holds) into `out`: saving
   * copies a model's weights straight from WebAssembly memory into `weightData` that way.
   */
  data: Float32Array | ((out: Float32Array) => void);
  group?: 'optimizer';
}

/** An int32 entry to encode (TF.js's optimizer step `iter`): integers past float32's 2^24 stay exact. */
export interface NamedInts {
  name: string;
  shape: number[];
  data: Int32Array;
  group?: 'optimizer';
  dtype: 'int32';
}

const sizeOf = (w: NamedWeight | NamedInts): number => (typeof w.data === 'function' ? w.shape.reduce((a, b) => a * b, 1) : w.data.length);

/** Whether this platform stores floats little endian (every platform neurite runs on does). */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/**
 * Concatenates `weights` into one little-endian float32 buffer with its manifest (TF.js
 * `encodeWeights`, float32 only).
 */
export function encodeWeights(weights: ReadonlyArray<NamedWeight | NamedInts>): { specs: WeightsManifestEntry[]; data: ArrayBuffer } {
  const total = weights.reduce((s, w) => s + sizeOf(w), 0);
  const out = new ArrayBuffer(total * 4);
  const f32 = new Float32Array(out);
  const view = new DataView(out);
  let at = 0;
  const specs: WeightsManifestEntry[] = [];
  for (const w of weights) {
    const n = sizeOf(w);
    if ('dtype' in w) {
      w.data.forEach((x, i) => view.setInt32((at + i) * 4, x, true));
    } else if (LITTLE_ENDIAN) {
      if (typeof w.data === 'function') w.data(f32.subarray(at, at + n));
      else f32.set(w.data, at);
    } else {
      const v = typeof w.data === 'function' ? new Float32Array(n) : w.data;
      if (typeof w.data === 'function') w.data(v);
      v.forEach((x, i) => view.setFloat32((at + i) * 4, x, true));
    }
    at += n;
    specs.push({ name: w.name, shape: w.shape.slice(), dtype: 'dtype' in w ? w.dtype : 'float32', ...(w.group ? { group: w.group } : {}) });
  }
  return { specs, data: out };
}

/** A checked manifest entry and where its values sit in `weightData`. */
export interface WeightSlot {
  name: string;
  shape: number[];
  size: number;
  /** Offset in float32 elements. */
  offset: number;
  group?: 'optimizer';
  dtype: 'float32' | 'int32';
  /** Where the entry came from, for messages (`weightSpecs[3]`). */
  where: string;
}

/** A checked `quantization` of a manifest entry: its stored width and how a value reads back. */
interface Quantized {
  dtype: 'uint8' | 'uint16' | 'float16';
  bytes: 1 | 2;
  scale: number;
  min: number;
}

/** `e.quantization` checked as TF.js's `decodeWeight` reads it (float32 weights only), or null. */
function quantizationOf(op: string, where: string, e: Record<string, unknown>): Quantized | null {
  const q = e.quantization;
  if (q === undefined || q === null) return null;
  const what = `${op}: ${where}.quantization of '${String(e.name)}'`;
  if (typeof q !== 'object' || Array.isArray(q)) throw new InvalidArgumentError(`${what} must be an object { dtype, scale, min }, got ${describe(q)}`);
  const { dtype, scale, min } = q as Record<string, unknown>;
  if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'float16') {
    throw new InvalidArgumentError(`${what} has dtype ${describe(dtype)}; the quantized dtypes are 'uint8', 'uint16' and 'float16' (as TF.js's)`);
  }
  if (e.dtype !== 'float32') throw new InvalidArgumentError(`${what}: quantized weights must be float32 ones (dtype 'float32'), got ${describe(e.dtype)}`);
  if (dtype === 'float16') return { dtype, bytes: 2, scale: 1, min: 0 };
  for (const [k, v] of [['scale', scale], ['min', min]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`${what}: a ${dtype} weight needs a finite ${k} (each value is q · scale + min), got ${describe(v)}`);
  }
  return { dtype, bytes: dtype === 'uint8' ? 1 : 2, scale: scale as number, min: min as number };
}

/** IEEE half-precision bits to the float32 of the same value (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24; // zero and subnormals
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/**
 * The values of a quantized weight (`count` stored values from `at` in `bytes`, little endian)
 * as float32, as TF.js's `decodeWeight`: `q · scale + min` in double precision, rounded once.
 */
function dequantize(q: Quantized, bytes: Uint8Array, at: number, count: number, out: DataView, to: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, count * q.bytes);
  // Written little endian, as weightData's float32 values are (decodeWeights reads them so).
  if (q.dtype === 'uint8') for (let i = 0; i < count; i++) out.setFloat32(4 * (to + i), view.getUint8(i) * q.scale + q.min, true);
  else if (q.dtype === 'uint16') for (let i = 0; i < count; i++) out.setFloat32(4 * (to + i), view.getUint16(2 * i, true) * q.scale + q.min, true);
  else for (let i = 0; i < count; i++) out.setFloat32(4 * (to + i), halfToFloat(view.getUint16(2 * i, true)), true);
}

/**
 * @internal Checks `weightSpecs` against `weightData` (each entry a name, a shape of integers,
 * dtype `float32`, unique names; the sizes add up to exactly the bytes given) without
 * allocating anything, and returns where each weight is. Quantized entries (the TF.js
 * converter's uint8, uint16 and float16) are read back as float32, as TF.js loads them: the
 * bytes returned are then a new float32 buffer. `op` prefixes messages, which name entry `i`
 * as `fields[i]` (where it was in a file: `weightsManifest[0].weights[2]`) or `weightSpecs[i]`.
 */
export function readWeightSpecs(op: string, specs: unknown, data: unknown, fields?: readonly string[]): { slots: WeightSlot[]; bytes: Uint8Array } {
  if (specs === undefined && data === undefined) return { slots: [], bytes: new Uint8Array(0) };
  if (!Array.isArray(specs)) throw new InvalidArgumentError(`${op}: weightSpecs must be an array of { name, shape, dtype } entries, got ${describe(specs)}`);
  const bytes = weightBytes(op, data);
  const slots: WeightSlot[] = [];
  const seen = new Set<string>();
  let offset = 0;
  /** Where each entry's stored values start in `bytes`, and its quantization (null: 4-byte values). */
  const stored: Array<{ at: number; q: Quantized | null }> = [];
  let at = 0;
  specs.forEach((s: unknown, i) => {
    const where = fields?.[i] ?? `weightSpecs[${i}]`;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new InvalidArgumentError(`${op}: ${where} must be an object { name, shape, dtype }, got ${describe(s)}`);
    const e = s as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name === '') throw new InvalidArgumentError(`${op}: ${where}.name must be a non-empty string, got ${describe(e.name)}`);
    if (seen.has(e.name)) throw new InvalidArgumentError(`${op}: ${where}.name '${e.name}' appears twice in the manifest`);
    seen.add(e.name);
    const q = quantizationOf(op, where, e);
    if (e.group !== undefined && e.group !== 'model' && e.group !== 'optimizer') throw new InvalidArgumentError(`${op}: ${where}.group of '${e.name}' must be 'model' or 'optimizer', got ${describe(e.group)}`);
    // TF.js writes its optimizer's step counter as int32 (4 bytes too); model weights are float32.
    if (e.dtype !== 'float32' && !(e.group === 'optimizer' && e.dtype === 'int32')) throw new InvalidArgumentError(`${op}: ${where}.dtype of '${e.name}' must be 'float32', got ${describe(e.dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.length > 31) throw new InvalidArgumentError(`${op}: ${where}.shape of '${e.name}' must be an array of non-negative integers, got ${show(shape)}`);
    let size = 1;
    shape.forEach((d: unknown, k) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_ELEMENTS) {
        throw new InvalidArgumentError(`${op}: ${where}.shape[${k}] of '${e.name}' must be an integer in [0, ${MAX_ELEMENTS}], got ${describe(d)}`);
      }
      size *= d;
    });
    if (size > MAX_ELEMENTS) throw new InvalidArgumentError(`${op}: ${where}.shape of '${e.name}' is ${show(shape)}: ${size} values, more than the ${MAX_ELEMENTS} one tensor can hold`);
    const claimed = at + size * (q?.bytes ?? 4);
    if (claimed > bytes.byteLength) {
      const stores = q === null ? '' : ` of ${q.dtype} values`;
      throw new InvalidArgumentError(`${op}: weightData is too short: ${where} ('${e.name}', shape ${show(shape)}${stores}) ends at byte ${claimed}, but weightData has ${bytes.byteLength} bytes`);
    }
    slots.push({ name: e.name, shape: shape.slice() as number[], size, offset, where, dtype: e.dtype, ...(e.group === 'optimizer' ? { group: 'optimizer' as const } : {}) });
    stored.push({ at, q });
    offset += size;
    at = claimed;
  });
  const quantized = stored.some((w) => w.q !== null);
  if (at !== bytes.byteLength) {
    const values = quantized ? `${offset} values, some quantized` : `${offset} float32 values`;
    throw new InvalidArgumentError(`${op}: weightData is too long: weightSpecs describe ${at} bytes (${values}), but weightData has ${bytes.byteLength} bytes`);
  }
  if (!quantized) return { slots, bytes };
  // Quantized entries: every weight read into one float32 buffer (4-byte entries copied as they are).
  if (offset * 4 > 2 ** 32) {
    throw new InvalidArgumentError(`${op}: the quantized weights read back as ${offset} float32 values (${offset * 4} bytes), more than a WebAssembly memory can hold`);
  }
  const raw = new Uint8Array(offset * 4);
  const out = new DataView(raw.buffer);
  slots.forEach((slot, i) => {
    const { at: from, q } = stored[i];
    if (q === null) raw.set(bytes.subarray(from, from + slot.size * 4), slot.offset * 4);
    else dequantize(q, bytes, from, slot.size, out, slot.offset);
  });
  return { slots, bytes: raw };
}

/** An ArrayBuffer, also one from another realm (a worker, an iframe, Node's `vm`), where `instanceof` fails. */
function isArrayBuffer(v: unknown): v is ArrayBuffer {
  return v instanceof ArrayBuffer || Object.prototype.toString.call(v) === '[object ArrayBuffer]';
}

/** Whether `v` is a `SharedArrayBuffer` (of this realm or another; `false` where there is none). */
function isSharedBuffer(v: unknown): v is SharedArrayBuffer {
  return (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer) || Object.prototype.toString.call(v) === '[object SharedArrayBuffer]';
}

/** Concatenates byte arrays into a fresh buffer. */
export function concat(parts: Uint8Array[]): ArrayBufferBytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * @internal `weightData` as bytes — a buffer, a view, or TF.js's list of buffers
 * (concatenated); nothing gives no bytes — or `null` for anything else (the caller words the
 * error: the loader and the storage handlers name different places). A `SharedArrayBuffer`, or a
 * view of one, is copied: another thread may write it while the weights are checked and read.
 */
export function weightDataBytes(data: unknown): Uint8Array | null {
  if (data === undefined || data === null) return new Uint8Array(0);
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (isSharedBuffer(data)) return new Uint8Array(data).slice();
  if (ArrayBuffer.isView(data)) {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return isSharedBuffer(data.buffer) ? view.slice() : view;
  }
  if (Array.isArray(data)) {
    // Array.from: a hole is undefined (every and map skip holes).
    const parts = Array.from(data as unknown[]);
    return parts.every((b) => isArrayBuffer(b) || isSharedBuffer(b)) ? concat(parts.map((b) => new Uint8Array(b as ArrayBuffer))) : null;
  }
  return null;
}

/** What `weightData` may be, for the messages that refuse something else. */
const WEIGHT_DATA_KINDS = 'it takes an ArrayBuffer or a SharedArrayBuffer (copied), a view of one (a typed array such as a Float32Array or Uint8Array, a DataView, a Node Buffer), or a list of ArrayBuffers (TF.js\'s sharded weights, concatenated)';

/** {@link weightDataBytes}, or an error naming the first entry of a list that is not a buffer. */
function weightBytes(op: string, data: unknown): Uint8Array {
  let bytes: Uint8Array | null;
  try {
    bytes = weightDataBytes(data);
  } catch (err) {
    // A view of a detached buffer cannot be made (V8: "Cannot perform Construct on a detached ArrayBuffer").
    if (err instanceof TypeError && /detached/i.test(err.message)) {
      const viewless = (b: unknown): boolean => {
        try {
          return void new Uint8Array(b as ArrayBuffer), false;
        } catch {
          return true;
        }
      };
      const at = Array.isArray(data) ? `weightData[${Array.from(data as unknown[]).findIndex(viewless)}]` : 'weightData';
      throw new InvalidArgumentError(`${op}: ${at} is a detached ArrayBuffer (it was transferred, by postMessage or structuredClone with transfer, and holds nothing here any more)`);
    }
    throw err;
  }
  if (bytes) return bytes;
  const bad = Array.isArray(data) ? data.findIndex((b) => !isArrayBuffer(b) && !isSharedBuffer(b)) : -1;
  // An ArrayBuffer that went through JSON.stringify/JSON.parse comes back as {}: its bytes are gone.
  const emptied = (v: unknown): boolean => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0;
  const viaJson = emptied(bad >= 0 ? (data as unknown[])[bad] : data)
    ? ' (an empty object: JSON.stringify turns an ArrayBuffer into {}, so artifacts that went through JSON have lost their weights; keep weightData binary — save with a handler such as file:// or indexeddb://, or encode the bytes yourself, e.g. as base64, and decode them back to an ArrayBuffer)'
    : '';
  if (bad >= 0) throw new InvalidArgumentError(`${op}: weightData[${bad}] must be an ArrayBuffer, got ${describe((data as unknown[])[bad])}${viaJson}`);
  throw new InvalidArgumentError(`${op}: weightData must be an ArrayBuffer (or a list of them), got ${describe(data)}${viaJson}; ${WEIGHT_DATA_KINDS}`);
}

/**
 * The float32 values of `slot`: a view of `bytes` where they are aligned (no copy; the loaders
 * only read it, and copy it into WebAssembly before they return), else a copy. Non-finite
 * values (NaN, ±Infinity) are an {@link InvalidArgumentError} naming the weight and the first
 * bad index (its message ends with `fix`), unless `allowNonFinite`.
 */
export function decodeWeights(op: string, bytes: Uint8Array, slot: WeightSlot, allowNonFinite = false, fix = ALLOW_NON_FINITE): Float32Array {
  if (slot.dtype !== 'float32') throw new InvalidArgumentError(`${op}: ${slot.where}.dtype of '${slot.name}' must be 'float32', got '${slot.dtype}'`);
  const start = bytes.byteOffset + slot.offset * 4;
  let out: Float32Array;
  if (LITTLE_ENDIAN && start % 4 === 0) {
    out = new Float32Array(bytes.buffer, start, slot.size);
  } else {
    out = new Float32Array(slot.size);
    const view = new DataView(bytes.buffer, start, slot.size * 4);
    for (let i = 0; i < slot.size; i++) out[i] = view.getFloat32(i * 4, true);
  }
  const bad = allowNonFinite ? -1 : firstNonFinite(out);
  if (bad >= 0) throw nonFiniteWeight(op, slot, out[bad], bad, fix);
  return out;
}

/** The way out a non-finite model weight's error suggests. */
const ALLOW_NON_FINITE = 'pass { allowNonFinite: true } to load it anyway';

/** @internal The error for a weight holding `value` (NaN or ±Infinity) at flat `index`, ending with `fix`. */
export function nonFiniteWeight(op: string, slot: WeightSlot, value: number, index: number, fix = ALLOW_NON_FINITE): InvalidArgumentError {
  return new InvalidArgumentError(`${op}: weight '${slot.name}' (${slot.where}) has a non-finite value ${value} at index ${index}; ${fix}`);
}
