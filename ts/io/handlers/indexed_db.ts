/**
 * `indexeddb://name` in browsers, in TF.js's layout so that either library reads what the other
 * wrote: database `tensorflowjs` (version 1) with the object stores `models_store` (records
 * `{ modelPath, modelArtifacts, modelArtifactsInfo }`) and `model_info_store` (records
 * `{ modelPath, modelArtifactsInfo }`), both keyed by `modelPath`. neurite writes both records in
 * one transaction, so a failed save leaves neither. `listIndexedDB` and `removeIndexedDB` serve
 * `io.listModels` and `io.removeModel`.
 */
import { InvalidArgumentError, IOError } from '../../errors.js';
import { artifactsInfo, type ModelArtifactsInfo } from '../artifacts.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../router.js';
import { checkArtifactsToSave, checkModelJSON, checkWeightData, ownBuffer, saveResult, weightBytes, withOrigin } from './manifest.js';

const DATABASE = 'tensorflowjs';
const VERSION = 1;
const MODELS = 'models_store';
const INFO = 'model_info_store';

/** The request's result, or its error wrapped as an {@link IOError} (the storage failed). */
function request<T>(req: IDBRequest<T>, what: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new IOError(`${what()} [${req.error?.name}: ${req.error?.message}]`, { cause: req.error }));
  });
}

/** Opens TF.js's database, creating its two stores on first use; `who` starts the error message. */
function open(factory: IDBFactory, who: string): Promise<IDBDatabase> {
  const req = factory.open(DATABASE, VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'modelPath' });
    if (!db.objectStoreNames.contains(INFO)) db.createObjectStore(INFO, { keyPath: 'modelPath' });
  };
  return request(req, () => `${who}: cannot open the IndexedDB database '${DATABASE}'`);
}

/** @internal The `indexeddb://` handler for one model name (made by the router). */
export class BrowserIndexedDB implements IOHandler {
  constructor(
    private readonly factory: IDBFactory,
    private readonly name: string,
    private readonly url: string,
    private readonly op: string,
  ) {}

  private open(): Promise<IDBDatabase> {
    return open(this.factory, `${this.op}: '${this.url}'`);
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { artifacts: a, bytes } = checkArtifactsToSave(this.op, this.url, artifacts);
    // A plain copy with the weights in one ArrayBuffer, as TF.js stores it (structured clone).
    const stored: ModelArtifacts = { modelTopology: a.modelTopology };
    for (const k of ['format', 'generatedBy', 'convertedBy', 'weightSpecs', 'trainingConfig', 'userDefinedMetadata'] as const) {
      if (a[k] !== undefined) (stored as unknown as Record<string, unknown>)[k] = a[k];
    }
    if (a.weightData !== undefined) stored.weightData = ownBuffer(bytes.slice());
    const result = saveResult(a, bytes.byteLength);
    const { modelArtifactsInfo } = result;
    const db = await this.open();
    try {
      const tx = db.transaction([INFO, MODELS], 'readwrite');
      const done = new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        const failed = () => reject(new IOError(
          `${this.op}: '${this.url}': IndexedDB refused the model (${bytes.byteLength} weight bytes; storage quota?) [${tx.error?.name}: ${tx.error?.message}]`,
          { cause: tx.error },
        ));
        tx.onerror = failed;
        tx.onabort = failed;
      });
      try {
        tx.objectStore(INFO).put({ modelPath: this.name, modelArtifactsInfo });
        tx.objectStore(MODELS).put({ modelPath: this.name, modelArtifacts: stored, modelArtifactsInfo });
      } catch (e) {
        tx.abort();
        throw new InvalidArgumentError(`${this.op}: '${this.url}': IndexedDB cannot store the model [${(e as Error).name}: ${(e as Error).message}]`);
      }
      await done;
    } finally {
      db.close();
    }
    return result;
  }

  async load(): Promise<ModelArtifacts> {
    const db = await this.open();
    let record: unknown;
    try {
      const store = db.transaction(MODELS, 'readonly').objectStore(MODELS);
      record = await request(store.get(this.name), () => `${this.op}: '${this.url}': reading IndexedDB failed`);
    } finally {
      db.close();
    }
    if (record == null) throw new InvalidArgumentError(`${this.op}: '${this.url}': no model named '${this.name}' in IndexedDB (database '${DATABASE}', store '${MODELS}')`);
    const where = `${this.url} (IndexedDB ${MODELS})`;
    const a = checkModelJSON(this.op, where, (record as { modelArtifacts?: unknown }).modelArtifacts);
    checkWeightData(this.op, where, a.weightSpecs, a.weightData);
    const out = { ...a } as unknown as ModelArtifacts;
    if (a.weightData !== undefined) out.weightData = ownBuffer(weightBytes(this.op, where, a.weightData));
    return withOrigin(out, where);
  }
}

/** @internal The models in IndexedDB (TF.js's `model_info_store`) by name. */
export async function listIndexedDB(factory: IDBFactory, op: string): Promise<Record<string, ModelArtifactsInfo>> {
  const db = await open(factory, op);
  try {
    const store = db.transaction(INFO, 'readonly').objectStore(INFO);
    const records = await request(store.getAll(), () => `${op}: reading IndexedDB's ${INFO} failed`);
    const out: Record<string, ModelArtifactsInfo> = {};
    for (const r of records as Array<{ modelPath: string; modelArtifactsInfo: ModelArtifactsInfo }>) out[r.modelPath] = r.modelArtifactsInfo;
    return out;
  } finally {
    db.close();
  }
}

/**
 * @internal Removes model `name` from both stores in one transaction and returns its info. A
 * model without an info record (written by something else) is removed too; its info is then
 * measured from the stored artifacts, `dateSaved` an invalid `Date`.
 */
export async function removeIndexedDB(factory: IDBFactory, name: string, url: string, op: string): Promise<ModelArtifactsInfo> {
  const who = `${op}: '${url}'`;
  const db = await open(factory, who);
  try {
    const tx = db.transaction([INFO, MODELS], 'readwrite');
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(new IOError(`${who}: removing the model from IndexedDB failed [${tx.error?.name}: ${tx.error?.message}]`, { cause: tx.error }));
    });
    // Both reads are requested at once: awaiting one before asking for the other would let the transaction commit.
    const [info, model] = await Promise.all([
      request(tx.objectStore(INFO).get(name), () => `${who}: reading IndexedDB failed`),
      request(tx.objectStore(MODELS).get(name), () => `${who}: reading IndexedDB failed`),
    ]) as [{ modelArtifactsInfo?: ModelArtifactsInfo } | undefined, { modelArtifacts?: ModelArtifacts } | undefined];
    if (info === undefined && model === undefined) {
      tx.abort();
      await done.catch(() => undefined);
      throw new InvalidArgumentError(`${who}: no model named '${name}' in IndexedDB (database '${DATABASE}', store '${MODELS}')`);
    }
    tx.objectStore(INFO).delete(name);
    tx.objectStore(MODELS).delete(name);
    await done;
    return info?.modelArtifactsInfo ?? { ...artifactsInfo(model?.modelArtifacts ?? {}), dateSaved: new Date(NaN) };
  } finally {
    db.close();
  }
}
