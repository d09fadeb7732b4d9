/**
 * Finds the storage handler for a save target or a load source. This minimal version accepts
 * handler objects (`{ save, load }`) only; URL schemes (`file://`, `indexeddb://`, …) are added
 * by the storage handlers in `ts/io/handlers/`.
 */
import { InvalidArgumentError } from '../errors.js';
import { describe } from '../ops/convert.js';
import type { IOHandler } from './artifacts.js';

function handlerOf(source: unknown, op: string, method: 'save' | 'load'): IOHandler {
  if (typeof source === 'string') throw new InvalidArgumentError(`${op}: URL ${JSON.stringify(source)}: no storage handlers are available in this build; pass a handler object { ${method} }`);
  if (source === null || typeof source !== 'object' || typeof (source as IOHandler)[method] !== 'function') {
    throw new InvalidArgumentError(`${op}: expected a URL string or a handler object with a ${method}() method, got ${describe(source)}`);
  }
  return source as IOHandler;
}

/** The handler that loads from `source` (a URL string or a handler object with `load`). */
export function getLoadHandler(source: string | IOHandler, op: string): IOHandler {
  return handlerOf(source, op, 'load');
}

/** The handler that saves to `target` (a URL string or a handler object with `save`). */
export function getSaveHandler(target: string | IOHandler, op: string): IOHandler {
  return handlerOf(target, op, 'save');
}
