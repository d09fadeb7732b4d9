/**
 * `localstorage://name` wherever `localStorage` exists (browsers, Deno), in TF.js's key layout:
 * `tensorflowjs_models/<name>/info` (the save info), `/model_topology` (JSON), `/weight_specs`
 * (JSON), `/weight_data` (base64) and `/model_metadata` (`format`, `generatedBy`, `convertedBy`,
 * `userDefinedMetadata`, `trainingConfig`). A save that hits the quota removes what it wrote and
 * puts back the model saved under that name before, if any (an {@link IOError}).
 * `listLocalStorage` and `removeLocalStorage` serve `io.listModels` and `io.removeModel`.
 */
import { InvalidArgumentError, IOError } from '../../errors.js';
import { isDeno } from '../../runtime.js';
import { decodeBase64 } from '../../wasm/load.js';
import type { ModelArtifactsInfo } from '../artifacts.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../router.js';
import { base64Bytes, checkArtifactsToSave, checkModelJSON, encodeBase64, saveResult, specsBytes, withOrigin } from './manifest.js';

const PREFIX = 'tensorflowjs_models';
const INFO = '/info';

/** The five keys of model `name`. */
function keys(name: string) {
  const k = (suffix: string) => `${PREFIX}/${name}/${suffix}`;
  return { info: k('info'), topology: k('model_topology'), weightSpecs: k('weight_specs'), weightData: k('weight_data'), metadata: k('model_metadata') };
}

/** @internal The `localstorage://` handler for one model name (made by the router). */
export class BrowserLocalStorage implements IOHandler {
  private readonly keys: ReturnType<typeof keys>;
  constructor(
    private readonly ls: Storage,
    private readonly name: string,
    private readonly url: string,
    private readonly op: string,
  ) {
    this.keys = keys(name);
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { op, url, ls, keys: k } = this;
    const { artifacts: a, bytes } = checkArtifactsToSave(op, url, artifacts);
    const result = saveResult(a, bytes.byteLength);
    const metadata = {
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      userDefinedMetadata: a.userDefinedMetadata ?? undefined,
      trainingConfig: a.trainingConfig ?? undefined,
    };
    // A model saved under this name before stays if this save fails (the quota): its entries
    // are kept here and put back, which fits, since they fitted before.
    const previous = Object.values(k).map((key) => [key, ls.getItem(key)] as const);
    // Every value made first, then the five writes back to back: another tab saving this name
    // at the same time (localStorage has no transaction) has the shortest window to interleave
    // its writes with these (the weights' base64 was made between two writes).
    const values: Array<[string, string]> = [
      [k.info, JSON.stringify(result.modelArtifactsInfo)],
      [k.topology, JSON.stringify(a.modelTopology)],
      [k.weightSpecs, JSON.stringify(a.weightSpecs ?? [])],
      [k.weightData, encodeBase64(bytes)],
      [k.metadata, JSON.stringify(metadata)],
    ];
    try {
      for (const [key, value] of values) ls.setItem(key, value);
    } catch (e) {
      for (const key of Object.values(k)) ls.removeItem(key);
      for (const [key, value] of previous) if (value !== null) ls.setItem(key, value);
      const info = result.modelArtifactsInfo;
      const kept = previous[0][1] !== null ? `; the model saved as '${this.name}' before is unchanged` : '';
      throw new IOError(
        `${op}: '${url}': localStorage refused the model (its quota, typically ${isDeno ? '10 MB in Deno' : '5 MB'}, exceeded?): ` +
          `modelTopologyBytes=${info.modelTopologyBytes}, weightSpecsBytes=${info.weightSpecsBytes}, weightDataBytes=${info.weightDataBytes} ` +
          `(base64 adds a third); use ${isDeno ? 'file://' : 'indexeddb://'} for larger models${kept} [${(e as Error).name}: ${(e as Error).message}]`,
        { cause: e },
      );
    }
    return result;
  }

  async load(): Promise<ModelArtifacts> {
    const { op, url, ls, keys: k } = this;
    const where = `${url} (localStorage)`;
    if (ls.getItem(k.info) === null) throw new InvalidArgumentError(`${op}: '${url}': no model named '${this.name}' in localStorage (no key ${k.info})`);
    const json = (key: string, field: string): unknown => {
      const text = ls.getItem(key);
      if (text === null) throw new InvalidArgumentError(`${op}: ${where}: the ${field} of '${this.name}' is missing (no key ${key})`);
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new InvalidArgumentError(`${op}: ${where}: ${field} (key ${key}) is not JSON (${(e as Error).message})`);
      }
    };
    const out = checkModelJSON(op, where, { modelTopology: json(k.topology, 'modelTopology') }) as unknown as ModelArtifacts;
    const specs = json(k.weightSpecs, 'weightSpecs');
    const claimed = specsBytes(op, where, 'weightSpecs', specs);
    out.weightSpecs = specs as ModelArtifacts['weightSpecs'];
    if (ls.getItem(k.metadata) !== null) {
      const m = json(k.metadata, 'model_metadata') as Record<string, unknown> | null;
      if (m !== null && typeof m === 'object') {
        for (const f of ['format', 'generatedBy', 'convertedBy', 'userDefinedMetadata', 'trainingConfig'] as const) {
          if (m[f] !== undefined && m[f] !== null) (out as unknown as Record<string, unknown>)[f] = m[f];
          else if (f === 'convertedBy' && m[f] === null) out.convertedBy = null;
        }
      }
    }
    const b64 = ls.getItem(k.weightData);
    if (b64 === null) throw new InvalidArgumentError(`${op}: ${where}: the weight data of '${this.name}' is missing (no key ${k.weightData})`);
    // Sizes first: a claim that disagrees with the stored data is refused before decoding.
    const stored = base64Bytes(b64);
    if (stored !== claimed) {
      // The likely cause: two saves of this name at once (two tabs), whose key-by-key writes interleaved.
      throw new InvalidArgumentError(
        `${op}: ${where}: weight_data holds ${stored} bytes but weightSpecs describe ${claimed}${stored < claimed ? ' (truncated?)' : ''}; ` +
          `if nothing truncated it, the keys of '${this.name}' come from two saves of this name at once (another tab or window: localStorage stores a model as five keys written one by one): ` +
          'save the model again, and give each tab a name of its own, or use indexeddb://, whose save is one transaction',
      );
    }
    try {
      out.weightData = decodeBase64(b64).buffer;
    } catch (e) {
      throw new InvalidArgumentError(`${op}: ${where}: weight_data (key ${k.weightData}) is not base64 (${(e as Error).message})`);
    }
    return withOrigin(out, where);
  }
}

/** A stored `info` record as TF.js writes it (`dateSaved` as an ISO string), or `null` if it is not one. */
function parseInfo(text: string | null): ModelArtifactsInfo | null {
  let v: unknown;
  try {
    v = JSON.parse(text ?? '');
  } catch {
    return null;
  }
  const i = v as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || typeof i.dateSaved !== 'string' || typeof i.modelTopologyType !== 'string') return null;
  return { ...(i as unknown as ModelArtifactsInfo), dateSaved: new Date(i.dateSaved) };
}

/**
 * @internal The models in `localStorage` (every `tensorflowjs_models/<name>/info` key) by name,
 * their info's `dateSaved` a `Date`. An info that is not TF.js's record is an error naming the key.
 */
export function listLocalStorage(ls: Storage, op: string): Record<string, ModelArtifactsInfo> {
  const out: Record<string, ModelArtifactsInfo> = {};
  for (let i = 0; i < ls.length; i++) {
    const key = ls.key(i);
    if (key === null || !key.startsWith(`${PREFIX}/`) || !key.endsWith(INFO) || key.length <= PREFIX.length + INFO.length + 1) continue;
    const name = key.slice(PREFIX.length + 1, -INFO.length);
    const info = parseInfo(ls.getItem(key));
    if (!info) throw new InvalidArgumentError(`${op}: localStorage key ${key} is not a model's info record; io.removeModel('localstorage://${name}') removes that model`);
    out[name] = info;
  }
  return out;
}

/**
 * @internal Removes model `name` from `localStorage` (its five keys) and returns its info. A
 * model whose info record is unreadable is removed too; its info is then measured from what was
 * stored, `dateSaved` an invalid `Date`.
 */
export function removeLocalStorage(ls: Storage, name: string, url: string, op: string): ModelArtifactsInfo {
  const k = keys(name);
  const text = ls.getItem(k.info);
  if (text === null) throw new InvalidArgumentError(`${op}: '${url}': no model named '${name}' in localStorage (no key ${k.info})`);
  const size = (key: string) => new TextEncoder().encode(ls.getItem(key) ?? '').byteLength;
  const data = ls.getItem(k.weightData);
  const info = parseInfo(text) ?? {
    dateSaved: new Date(NaN), modelTopologyType: 'JSON', modelTopologyBytes: size(k.topology), weightSpecsBytes: size(k.weightSpecs), weightDataBytes: data === null ? 0 : base64Bytes(data),
  };
  for (const key of Object.values(k)) ls.removeItem(key);
  return info;
}
