/**
 * The storage code (`store.ts`: the handler classes and `loadModel`'s reading of artifacts),
 * loaded on first use with a dynamic `import()`, so that `neurite/url` carries it as a chunk of
 * its own (`dist/url/io.js`) which an app that never saves or loads does not download (the
 * default entry, one file, keeps it inside). Everything that takes a snapshot of a model
 * (`toArtifacts`, the start of `save`) stays synchronous and in the main bundle: the weights
 * saved are those of the call.
 */
import { NeuriteError } from '../errors.js';
import type { IOHandler, ModelArtifacts } from './artifacts.js';
import type { LoadedModel } from './load.js';
import type { LoadOptions } from './model.js';

/** @internal The storage chunk's exports. */
export type StorageChunk = typeof import('./store.js');

let chunk: Promise<StorageChunk> | undefined;

/**
 * @internal The storage chunk, loaded once; `op` names the caller if loading fails (a missing
 * file next to the bundle, a network error), which is a {@link NeuriteError} and can be retried.
 */
export function storage(op: string): Promise<StorageChunk> {
  chunk ??= import('./store.js').catch((err: unknown) => {
    chunk = undefined;
    throw new NeuriteError(
      'Internal',
      `${op}: loading neurite's storage code (io.js next to the neurite bundle) failed: ${(err as Error)?.message ?? String(err)}`,
      { cause: err },
    );
  });
  return chunk;
}

/**
 * Loads a model saved by neurite or by TF.js (`model.save`, Layers format).
 *
 * `source` is the artifacts themselves (`{ modelTopology, weightSpecs, weightData, … }`, e.g.
 * from `model.toArtifacts()` or a TF.js save handler), a handler object with `load()`, or a URL
 * (`file://…`, `indexeddb://…`, `http(s)://…/model.json`, … where a storage handler exists).
 *
 * What it returns depends on the file:
 * - a `Sequential` for a Keras `Sequential` topology (neurite's or TF.js's), built, with its
 *   weights, recompiled when the file has a compile config (`trainingConfig`) unless
 *   `{ compile: false }`; an {@link Autoencoder} when it was saved from one; nested models are
 *   models of their own (dispose them too, as models you build);
 * - a {@link Perceptron} for `neurite>Perceptron`; an {@link RBFNetwork} for `neurite>RBFNetwork`.
 *
 * The type is the union {@link LoadedModel} (`Sequential | Autoencoder | Perceptron |
 * RBFNetwork`): narrow with `instanceof` before using what one class has
 * (`if (m instanceof Autoencoder) m.encode(x)`).
 *
 * Loading is untrusted input: the topology, the manifest (names, shapes, dtype float32), the
 * sizes against `weightData` (before anything is allocated), every weight against the
 * topology, non-finite values (an error unless `allowNonFinite`) and the compile config are
 * checked first; each failure is an {@link InvalidArgumentError} naming the field
 * (`weightSpecs[3].shape`, `modelTopology.config.layers[2].class_name`, …), and nothing is left
 * allocated.
 *
 * @example
 * const artifacts = await model.toArtifacts();
 * const copy = await loadModel(artifacts);
 */
export async function loadModel(source: string | IOHandler | ModelArtifacts, options: LoadOptions = {}): Promise<LoadedModel> {
  return (await storage('loadModel')).loadModel(source, options);
}
