/**
 * @internal The stored form shared by the handlers: `model.json` (TF.js's `ModelJSON`: the
 * artifacts' fields plus a `weightsManifest` of file groups) and the checks every load runs
 * before it reads or allocates weight bytes: the manifest is an array of groups, each weight
 * spec has a shape of whole numbers and a known dtype, the claimed total fits a WebAssembly
 * memory, file paths stay inside the model's folder, and the bytes found match the bytes
 * claimed. Errors are {@link InvalidArgumentError}s naming the op, where, and the field.
 */
import { InvalidArgumentError } from '../../errors.js';
import { HTML_FALLBACK, htmlPageStart } from '../../http_error.js';
import { describe } from '../../ops/convert.js';
import { MAX_JSON_BYTES, weightDataBytes } from '../artifacts.js';
import { isObject } from '../keras.js';
import type { ModelArtifacts, SaveResult, WeightSpec } from '../router.js';

export { MAX_JSON_BYTES };

/** One group of `weightsManifest`: files whose concatenation holds `weights`, in order. */
export interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** The `model.json` of the TF.js Layers format (fields as TF.js writes them). */
export interface ModelJSON {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: ManifestGroup[];
  trainingConfig?: object;
  userDefinedMetadata?: Record<string, unknown>;
}

/**
 * The most weight bytes a load accepts: what one WebAssembly memory (wasm32) can address.
 * A manifest claiming more is refused before anything is read.
 */
export const MAX_WEIGHT_BYTES = 2 ** 32;

/**
 * The most weight files a manifest may name: TF.js writes shards of 4 MB, so 10,000 of them
 * hold more than a WebAssembly memory. Beyond it (a crafted manifest) each file would cost a
 * request or a read before any size check could refuse the load.
 */
export const MAX_WEIGHT_FILES = 10_000;

/** The error for a `model.json` over {@link MAX_JSON_BYTES}: `size` when known (a file), else read that far (HTTP). */
export function jsonTooLarge(op: string, where: string, size?: number): InvalidArgumentError {
  const why = '(a Keras topology is far smaller)';
  return fail(op, where, size === undefined
    ? `is longer than the ${MAX_JSON_BYTES} bytes a model.json may have ${why}; refused after reading that much`
    : `is ${size} bytes, more than the ${MAX_JSON_BYTES} a model.json may have ${why}; refused before reading`);
}

/** Bytes per value, as TF.js's `DTYPE_VALUE_SIZE_MAP` (strings have no fixed size). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint16: 2, uint8: 1, complex64: 8 };

/** `op: where: ` — the start of every message about a stored model. */
function fail(op: string, where: string, msg: string): InvalidArgumentError {
  return new InvalidArgumentError(`${op}: ${where}: ${msg}`);
}

/** The weight bytes as one `Uint8Array` view (accepts TF.js's `ArrayBuffer[]` and typed arrays too). */
export function weightBytes(op: string, where: string, data: unknown): Uint8Array {
  const bytes = weightDataBytes(data);
  if (bytes) return bytes;
  throw fail(op, where, `weightData must be an ArrayBuffer, got ${describe(data)}`);
}


/** A copy of exactly these bytes in their own `ArrayBuffer`. */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
}

/**
 * Checks one weight spec (`field` names it, e.g. `weightsManifest[0].weights[2]`) and returns
 * its size in bytes. Shapes must be arrays of non-negative integers, dtypes known to TF.js
 * with a fixed size (quantized weights count their quantized dtype).
 */
export function specBytes(op: string, where: string, field: string, spec: unknown): number {
  if (!isObject(spec)) throw fail(op, where, `${field} must be a weight spec { name, shape, dtype }, got ${describe(spec)}`);
  if (typeof spec.name !== 'string') throw fail(op, where, `${field}.name must be a string, got ${describe(spec.name)}`);
  const shape = spec.shape;
  if (!Array.isArray(shape)) throw fail(op, where, `${field}.shape (weight '${spec.name}') must be an array, got ${describe(shape)}`);
  let count = 1;
  for (const [i, d] of shape.entries()) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw fail(op, where, `${field}.shape[${i}] (weight '${spec.name}') must be a non-negative integer, got ${describe(d)}`);
    }
    count *= d;
  }
  // A zero dimension makes the weight empty even after huge ones (Infinity · 0 would be NaN).
  if (shape.includes(0)) count = 0;
  const q = spec.quantization;
  const dtype = isObject(q) ? q.dtype : spec.dtype;
  const size = typeof dtype === 'string' && Object.hasOwn(DTYPE_BYTES, dtype) ? DTYPE_BYTES[dtype] : undefined;
  if (size === undefined) {
    const f = isObject(q) ? `${field}.quantization.dtype` : `${field}.dtype`;
    throw fail(op, where, `${f} (weight '${spec.name}') must be one of ${Object.keys(DTYPE_BYTES).join(', ')}, got ${describe(dtype)}`);
  }
  return count * size;
}

/** Total bytes of `specs` (`field` names the array), refusing a claim over {@link MAX_WEIGHT_BYTES}. */
export function specsBytes(op: string, where: string, field: string, specs: unknown): number {
  if (!Array.isArray(specs)) throw fail(op, where, `${field} must be an array of weight specs, got ${describe(specs)}`);
  let total = 0;
  for (const [i, s] of specs.entries()) {
    total += specBytes(op, where, `${field}[${i}]`, s);
    if (total > MAX_WEIGHT_BYTES) {
      throw fail(op, where, `${field} claims ${total} bytes of weights (up to ${field}[${i}]), more than the ${MAX_WEIGHT_BYTES} a WebAssembly memory can hold; refused before reading`);
    }
  }
  return total;
}

/** Checks that `data` holds exactly the bytes `specs` describe (the artifacts read back). */
export function checkWeightData(op: string, where: string, specs: unknown, data: unknown, specsField = 'weightSpecs'): void {
  if (specs === undefined && (data === undefined || data === null)) return;
  const claimed = specsBytes(op, where, specsField, specs ?? []);
  const got = weightBytes(op, where, data).byteLength;
  if (got !== claimed) {
    throw fail(op, where, `weightData holds ${got} bytes but ${specsField} (${(specs as unknown[] | undefined)?.length ?? 0} weights) describe ${claimed}${got < claimed ? ' (truncated?)' : ''}`);
  }
}

/**
 * A path from `weightsManifest[g].paths[i]` (`field`), normalised (`./a/b` → `a/b`). Absolute
 * paths, URLs, backslashes and `..` segments (also percent-encoded) are refused: a manifest
 * may only name files inside the model's folder.
 */
export function relativePath(op: string, where: string, field: string, p: unknown): string {
  if (typeof p !== 'string' || p.length === 0) throw fail(op, where, `${field} must be a non-empty file name, got ${describe(p)}`);
  // Control characters (a NUL ends a path in the OS) are refused, and shown escaped.
  if (/[\u0000-\u001f\u007f]/.test(p)) throw fail(op, where, `${field} ${JSON.stringify(p)} holds a control character (a file name has none)`);
  if (p.startsWith('/') || p.includes('\\') || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(p)) {
    throw fail(op, where, `${field} '${p}' must be a path relative to the model's folder (no absolute path, URL or backslash)`);
  }
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => /^(\.|%2e){2}$/i.test(s))) throw fail(op, where, `${field} '${p}' leaves the model's folder ('..' is refused)`);
  if (segments.length === 0) throw fail(op, where, `${field} '${p}' names no file`);
  return segments.join('/');
}

/** A group of the manifest, checked: its normalised paths and the bytes its weights claim. */
export interface PlannedGroup {
  field: string;
  paths: string[];
  bytes: number;
}

/**
 * Checks `weightsManifest` (an array of `{ paths, weights }`) and returns each group's files and
 * claimed size plus the flat weight specs. Nothing is read yet; a claim over
 * {@link MAX_WEIGHT_BYTES} in total is refused here.
 */
export function planWeights(op: string, where: string, manifest: unknown): { groups: PlannedGroup[]; specs: WeightSpec[]; fields: string[] } {
  if (!Array.isArray(manifest)) throw fail(op, where, `weightsManifest must be an array of { paths, weights } groups, got ${describe(manifest)}`);
  const groups: PlannedGroup[] = [];
  const specs: WeightSpec[] = [];
  const fields: string[] = [];
  let total = 0;
  // Each file once: a manifest naming one file many times would read it as often.
  const seen = new Map<string, string>();
  for (const [g, group] of manifest.entries()) {
    const field = `weightsManifest[${g}]`;
    if (!isObject(group)) throw fail(op, where, `${field} must be a { paths, weights } group, got ${describe(group)}`);
    if (!Array.isArray(group.paths)) throw fail(op, where, `${field}.paths must be an array of file names, got ${describe(group.paths)}`);
    if (seen.size + group.paths.length > MAX_WEIGHT_FILES) throw fail(op, where, `weightsManifest names more than ${MAX_WEIGHT_FILES} weight files (up to ${field}); refused before reading (TF.js's shards of 4 MB: ${MAX_WEIGHT_FILES} of them hold more than a model may)`);
    const paths = group.paths.map((p, i) => {
      const path = relativePath(op, where, `${field}.paths[${i}]`, p);
      const other = seen.get(path);
      if (other !== undefined) throw fail(op, where, `${field}.paths[${i}] names '${path}', as ${other} does; each weight file holds its own bytes, so a manifest names it once`);
      seen.set(path, `${field}.paths[${i}]`);
      return path;
    });
    const bytes = specsBytes(op, where, `${field}.weights`, group.weights);
    total += bytes;
    if (total > MAX_WEIGHT_BYTES) {
      throw fail(op, where, `weightsManifest claims ${total} bytes of weights (up to ${field}), more than the ${MAX_WEIGHT_BYTES} a WebAssembly memory can hold; refused before reading`);
    }
    if (bytes > 0 && paths.length === 0) throw fail(op, where, `${field}.paths is empty but its weights need ${bytes} bytes`);
    groups.push({ field, paths, bytes });
    specs.push(...(group.weights as WeightSpec[]));
    fields.push(...(group.weights as WeightSpec[]).map((_, i) => `${field}.weights[${i}]`));
  }
  return { groups, specs, fields };
}

/** Where each handler's artifacts came from (see {@link withOrigin}). */
const origins = new WeakMap<object, { where: string; fields?: string[] }>();

/**
 * `artifacts`, noted as read from `where` (the model.json, or the store and name), their
 * `weightSpecs[i]` being `fields[i]` there (`weightsManifest[0].weights[2]`): the loader's
 * checks after the manifest stage then name the file and the field as these checks do.
 */
export function withOrigin<T extends object>(artifacts: T, where: string, fields?: string[]): T {
  origins.set(artifacts, { where, ...(fields ? { fields } : {}) });
  return artifacts;
}

/** Where `artifacts` came from, if a handler read them (see {@link withOrigin}). */
export function originOf(artifacts: unknown): { where: string; fields?: string[] } | undefined {
  return typeof artifacts === 'object' && artifacts !== null ? origins.get(artifacts) : undefined;
}

/** The error for a group whose files hold `got` bytes where its weights claim `group.bytes`. */
export function sizeMismatch(op: string, where: string, group: PlannedGroup, got: number, files: readonly string[] | string): InvalidArgumentError {
  // The first files only: a manifest of thousands would make a message of megabytes.
  const list = typeof files === 'string' ? files : files.length > 8 ? `${files.slice(0, 8).join(', ')}, and ${files.length - 8} more` : files.join(', ');
  return fail(
    op,
    where,
    `${group.field}.weights need ${group.bytes} bytes but ${group.field}.paths hold ${got} (${list})` +
      (got < group.bytes ? ': the weights file is truncated' : ': the weights file is longer than the manifest says'),
  );
}

/**
 * Parses a `model.json` (its bytes, decoded as UTF-8, or its text); anything but a JSON object
 * with a `modelTopology` object is refused. A file that is not JSON is described without its
 * bytes when it is binary (a weights file, an image): its size and first bytes in hex.
 */
export function parseModelJSON(op: string, where: string, data: Uint8Array | string): Record<string, unknown> {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(op, where, notJSON(data, text, e));
  }
  return checkModelJSON(op, where, json);
}

/** Characters that no JSON text holds outside a string, and that terminals and logs mangle. */
const BINARY = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\ufffd]/;

/**
 * What a model file given as `bytes` is, by its signature, when it is one that users of Keras
 * try to load (a `.keras` zip archive, an HDF5 `.h5`), with the way that works; else undefined.
 */
export function binaryKind(bytes: Uint8Array): string | undefined {
  const starts = (sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  const route = "load its topology with models.modelFromJSON(JSON.parse(model.to_json())) (or the config.json inside a .keras file) and copy the weights in with setWeights (README: Saving and loading), or convert it to a TF.js Layers model with tensorflowjs_converter";
  if (starts([0x50, 0x4b, 0x03, 0x04])) return `a zip archive (a Keras 3 .keras file?), which neurite does not read: ${route}`;
  if (starts([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return `an HDF5 file (a Keras .h5 model or .weights.h5?), which neurite does not read: ${route}`;
  return undefined;
}

/** Why `data` (decoded as `text`) is not JSON, `e` JSON.parse's error; never the binary bytes themselves. */
function notJSON(data: Uint8Array | string, text: string, e: unknown): string {
  if (BINARY.test(text.slice(0, 1024))) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(text) : data;
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return `is not JSON but binary data (${bytes.length} bytes, starting ${head}${bytes.length > 8 ? ' …' : ''}): ${binaryKind(bytes) ?? 'a weights file or another file, not the model.json?'}`;
  }
  const page = htmlPageStart(text);
  if (page !== null) return `is an HTML page, not JSON (starting ${JSON.stringify(page)}): is the path right? (${HTML_FALLBACK})`;
  // JSON.parse quotes the text around the error: escape what would not print.
  const why = String((e as Error)?.message ?? e).replace(new RegExp(BINARY.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `is not JSON (${why})`;
}

/** Checks a parsed `model.json` object (see {@link parseModelJSON}). */
export function checkModelJSON(op: string, where: string, json: unknown): Record<string, unknown> {
  if (!isObject(json)) throw fail(op, where, `must be a JSON object with modelTopology and weightsManifest, got ${describe(json)}`);
  if (!isObject(json.modelTopology)) {
    const keys = Object.keys(json).slice(0, 8).join(', ');
    // Keras 3's model.to_json(), or the config.json of a .keras file: a model config alone.
    const keras = typeof json.class_name === 'string' && isObject(json.config) ? `; it is a Keras model config (model.to_json(), or a .keras file's config.json): read it with models.modelFromJSON(config), then copy the weights in with setWeights` : '';
    throw fail(op, where, `modelTopology must be an object (the Keras model config), got ${describe(json.modelTopology)}: not a TF.js Layers model (its keys: ${keys || 'none'})${keras}`);
  }
  return json;
}

/** The artifacts of a checked `model.json` plus its weights (`specs`, `data`), as TF.js's `getModelArtifactsForJSON`. */
export function artifactsFromJSON(json: Record<string, unknown>, specs: WeightSpec[] | undefined, data: ArrayBuffer | undefined): ModelArtifacts {
  const out: ModelArtifacts = { modelTopology: json.modelTopology as object };
  if (json.format !== undefined) out.format = json.format as string;
  if (json.generatedBy !== undefined) out.generatedBy = json.generatedBy as string;
  if (json.convertedBy !== undefined) out.convertedBy = json.convertedBy as string | null;
  if (json.trainingConfig != null) out.trainingConfig = json.trainingConfig as ModelArtifacts['trainingConfig']; // checked by the loader
  if (json.userDefinedMetadata != null) out.userDefinedMetadata = json.userDefinedMetadata as Record<string, unknown>;
  if (specs !== undefined) {
    out.weightSpecs = specs;
    out.weightData = data ?? new ArrayBuffer(0);
  }
  return out;
}

/** The `model.json` for `artifacts` with its weights in `paths`, as TF.js's `getModelJSONForModelArtifacts`. */
export function modelJSONFor(artifacts: ModelArtifacts, paths: string[]): ModelJSON {
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  return json;
}

/**
 * The UTF-8 bytes of `json`, a `model.json` to write; over {@link MAX_JSON_BYTES} (which every
 * load refuses) an {@link InvalidArgumentError} naming the size, the limit and the share of
 * `userDefinedMetadata`, thrown before the handler writes anything.
 */
export function modelJSONBytes(op: string, where: string, json: ModelJSON): Uint8Array {
  const text = JSON.stringify(json);
  const size = jsonUtf8Length(text);
  if (size <= MAX_JSON_BYTES) return new TextEncoder().encode(text);
  const meta = json.userDefinedMetadata === undefined ? 0 : jsonUtf8Length(JSON.stringify(json.userDefinedMetadata));
  const share = meta > 0 ? `, ${meta} of them its userDefinedMetadata (keep large data out of the model file)` : '';
  throw fail(op, where, `the model.json would be ${size} bytes, more than the ${MAX_JSON_BYTES} a model.json may have (loadModel refuses a bigger one)${share}; nothing was written`);
}

/** The UTF-8 length of `JSON.stringify`'s output (well-formed: no lone surrogates), without encoding it. */
function jsonUtf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 1 byte below 0x80, 2 below 0x800, 3 above; a surrogate pair is 4 (2 per half).
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

/**
 * Checks artifacts handed to a save handler and returns their weight bytes: the topology is a
 * JSON object and the weight data holds exactly what the specs describe.
 */
export function checkArtifactsToSave(op: string, where: string, artifacts: unknown): { artifacts: ModelArtifacts; bytes: Uint8Array } {
  if (!isObject(artifacts)) throw fail(op, where, `the artifacts to save must be an object { modelTopology, weightSpecs, weightData }, got ${describe(artifacts)}`);
  if (!isObject(artifacts.modelTopology)) throw fail(op, where, `modelTopology must be an object (the Keras model config), got ${describe(artifacts.modelTopology)}`);
  checkWeightData(op, where, artifacts.weightSpecs, artifacts.weightData);
  return { artifacts: artifacts as unknown as ModelArtifacts, bytes: weightBytes(op, where, artifacts.weightData) };
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).byteLength;

/** The `SaveResult` of saving `artifacts`, as TF.js's `getModelArtifactsInfoForJSON`. */
export function saveResult(artifacts: ModelArtifacts, weightDataBytes: number): SaveResult {
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: utf8Length(JSON.stringify(artifacts.modelTopology)),
      weightSpecsBytes: artifacts.weightSpecs == null ? 0 : utf8Length(JSON.stringify(artifacts.weightSpecs)),
      weightDataBytes,
    },
  };
}

/** Base64 of `bytes` in every runtime (no Node `Buffer`). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

/** The number of bytes a base64 string decodes to (without decoding it). */
export function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}
