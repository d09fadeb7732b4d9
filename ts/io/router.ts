/**
 * Where model artifacts go and come from: a URL string (`file://`, `indexeddb://`,
 * `localstorage://`, `downloads://`, `http(s)://`) or a `{ save, load }` object is turned into
 * an {@link IOHandler}. The types are those of TF.js's `tf.io`, so handlers written for TF.js
 * work here and the stored forms interoperate (see `ts/io/handlers/`).
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import { didYouMean } from '../options.js';
import { browserDownloads } from './handlers/downloads.js';
import { fileSystem } from './handlers/files.js';
import { http } from './handlers/http.js';
import { browserIndexedDB } from './handlers/indexed_db.js';
import { browserLocalStorage } from './handlers/local_storage.js';

import type { IOHandler } from './artifacts.js';
export type { IOHandler, ModelArtifacts, SaveResult, WeightsManifestEntry as WeightSpec } from './artifacts.js';

/** The URL schemes, and which of save/load each supports. */
const SCHEMES = ['file://', 'indexeddb://', 'localstorage://', 'downloads://', 'http://', 'https://'];

/**
 * The handler that saves to `target`: a URL string (`file://path`, `indexeddb://name`,
 * `localstorage://name`, `downloads://name`, `http(s)://…` which POSTs as TF.js does) or an
 * object with a `save` method, returned as is. `op` names the caller in error messages. An
 * unknown scheme, a scheme this runtime lacks (`indexeddb://` in Node, `file://` in a browser)
 * or an object without `save` is an {@link InvalidArgumentError}.
 */
export function getSaveHandler(target: string | IOHandler, op = 'save'): IOHandler {
  return route(target, op, 'save');
}

/**
 * The handler that loads from `source`: a URL string (`file://path` to a folder or its
 * `model.json`, `indexeddb://name`, `localstorage://name`, `http(s)://…/model.json`) or an
 * object with a `load` method, returned as is. `op` names the caller in error messages.
 */
export function getLoadHandler(source: string | IOHandler, op = 'loadModel'): IOHandler {
  return route(source, op, 'load');
}

function route(where: string | IOHandler, op: string, method: 'save' | 'load'): IOHandler {
  const arg = method === 'save' ? 'target' : 'source';
  if (typeof URL !== 'undefined' && where instanceof URL) {
    throw new InvalidArgumentError(`${op}: ${arg} is a URL object; pass a string such as 'file:///tmp/my-model' or '${where.href}'`);
  }
  if (typeof where === 'object' && where !== null && !Array.isArray(where)) {
    if (typeof (where as IOHandler)[method] !== 'function') {
      const has = (['save', 'load'] as const).filter((m) => typeof (where as IOHandler)[m] === 'function');
      throw new InvalidArgumentError(
        `${op}: the ${arg} handler has no ${method}() method` +
          (has.length ? ` (it has ${has.map((m) => `${m}()`).join(' and ')})` : ` (it has neither save() nor load())`) +
          `; pass an object with ${method}() or a URL such as ${SCHEMES.slice(0, 3).map((s) => `'${s}…'`).join(', ')}`,
      );
    }
    return where;
  }
  if (typeof where !== 'string') {
    throw new InvalidArgumentError(`${op}: ${arg} must be a URL string (${SCHEMES.join(', ')}) or an object with ${method}(), got ${describe(where)}`);
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(where);
  if (!m) {
    throw new InvalidArgumentError(`${op}: ${arg} '${where}' has no URL scheme; use one of ${SCHEMES.join(', ')} (e.g. 'file://./my-model'), or pass an object with ${method}()`);
  }
  const scheme = m[1].toLowerCase();
  const rest = where.slice(m[0].length);
  switch (scheme) {
    case 'file': return fileSystem(rest, where, op);
    case 'indexeddb': return browserIndexedDB(rest, where, op);
    case 'localstorage': return browserLocalStorage(rest, where, op);
    case 'downloads':
      if (method === 'load') {
        throw new InvalidArgumentError(`${op}: '${where}': downloads:// can only save (a page cannot read the user's downloads); load from indexeddb://, localstorage://, http(s):// or a { load } handler`);
      }
      return browserDownloads(rest, where, op);
    case 'http':
    case 'https':
      return http(where, undefined, op);
    default:
      throw new InvalidArgumentError(
        `${op}: unknown URL scheme '${m[1]}://' in ${arg} '${where}'${didYouMean(`${scheme}://`, SCHEMES)} (known: ${SCHEMES.join(', ')})`,
      );
  }
}
