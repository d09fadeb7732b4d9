/**
 * Model management, as TF.js's `tf.io.listModels`, `removeModel`, `copyModel` and `moveModel`,
 * on the same stores: `indexeddb://` and `localstorage://` can be listed and removed (where
 * the runtime has them); a copy or move goes from any URL that loads to any that saves. Part of
 * the storage chunk (`store.ts`); the public functions, with their docs, are in `lazy.ts`.
 *
 * One difference from TF.js, on purpose: `moveModel` removes the source only after the copy is
 * saved (TF.js removes it first within one store, so a failed save loses the model).
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import type { ModelArtifactsInfo } from './artifacts.js';
import { listIndexedDB, removeIndexedDB } from './handlers/indexed_db.js';
import { listLocalStorage, removeLocalStorage } from './handlers/local_storage.js';
import { indexedDBOrNone, localStorageOrNone, needIndexedDB, needLocalStorage, route, splitURL, unknownScheme, urlString } from './router.js';
import type { WebURL } from '../web-types.js';

/** The schemes whose models can be listed and removed. */
const MANAGED = ['indexeddb://', 'localstorage://'];
const OTHER = ['file://', 'downloads://', 'http://', 'https://'];

/** @internal `io.listModels` (see `lazy.ts`). */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const op = 'listModels';
  const out: Record<string, ModelArtifactsInfo> = {};
  const factory = indexedDBOrNone();
  const ls = localStorageOrNone();
  if (factory) for (const [name, info] of Object.entries(await listIndexedDB(factory, op))) out[`indexeddb://${name}`] = info;
  if (ls) for (const [name, info] of Object.entries(listLocalStorage(ls, op))) out[`localstorage://${name}`] = info;
  return out;
}

/** @internal `io.removeModel` (see `lazy.ts`). */
export async function removeModel(given: string | WebURL): Promise<ModelArtifactsInfo> {
  const op = 'removeModel';
  const url = urlString<string>(given);
  return remove(op, managed(op, url, 'url'), url);
}

/** @internal `io.copyModel` and `io.moveModel` (see `lazy.ts`). */
export async function cloneModel(op: string, sourceGiven: string | WebURL, destGiven: string | WebURL, move: boolean): Promise<ModelArtifactsInfo> {
  const sourceURL = urlString<string>(sourceGiven);
  const destURL = urlString<string>(destGiven);
  for (const [arg, v] of [['sourceURL', sourceURL], ['destURL', destURL]]) {
    if (typeof v !== 'string') throw new InvalidArgumentError(`${op}: ${arg} must be a URL string, got ${describe(v)}`);
  }
  // Everything that can be refused is refused before anything is read or written.
  const source = move ? managed(op, sourceURL, 'sourceURL') : undefined;
  const load = route(sourceURL, op, 'load', 'sourceURL');
  const save = route(destURL, op, 'save', 'destURL');
  const key = (u: string) => u.replace(/^[^:]*/, (m) => m.toLowerCase());
  if (key(sourceURL) === key(destURL)) throw new InvalidArgumentError(`${op}: sourceURL and destURL are the same model ('${sourceURL}')`);
  const { modelArtifactsInfo } = await save.save!(await load.load!());
  if (source) await remove(op, source, sourceURL);
  return modelArtifactsInfo;
}

/** A model in a store of this runtime. */
type Managed = { idb: IDBFactory; name: string } | { ls: Storage; name: string };

/** `url` checked as a model in a store this runtime has (`arg` names it in messages). */
function managed(op: string, url: unknown, arg: string): Managed {
  if (typeof url !== 'string') throw new InvalidArgumentError(`${op}: ${arg} must be a URL string such as 'indexeddb://my-model', got ${describe(url)}`);
  const { scheme, rest: name } = splitURL(url, op, arg, '');
  if (scheme === 'indexeddb') return { idb: needIndexedDB(name, url, op), name };
  if (scheme === 'localstorage') return { ls: needLocalStorage(name, url, op), name };
  if (OTHER.includes(`${scheme}://`)) {
    throw new InvalidArgumentError(`${op}: ${arg} '${url}': only ${MANAGED.join(' and ')} models can be ${op === 'moveModel' ? 'moved (removed after the copy)' : 'removed'}${scheme === 'file' ? '; a file:// model is a folder of files, which neurite does not delete' : ''}`);
  }
  throw unknownScheme(op, arg, url, [...MANAGED, ...OTHER]);
}

function remove(op: string, m: Managed, url: string): Promise<ModelArtifactsInfo> | ModelArtifactsInfo {
  return 'idb' in m ? removeIndexedDB(m.idb, m.name, url, op) : removeLocalStorage(m.ls, m.name, url, op);
}
