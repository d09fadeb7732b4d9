/**
 * The storage code (`store.ts`: the handler classes and `loadModel`'s reading of artifacts),
 * loaded on first use with a dynamic `import()`, so that `neurite/url` carries it as a chunk of
 * its own (`dist/url/io.js`) which an app that never saves or loads does not download (the
 * default entry, one file, keeps it inside). What `toArtifacts` and `save` read of a model is
 * read synchronously, at the call, in the main bundle (the weights saved are those of the
 * call); this chunk makes the artifacts of it (`write.ts`).
 */
import { Perceptron } from '../classic/perceptron.js';
import { InvalidArgumentError } from '../errors.js';
import { Sequential } from '../models/sequential.js';
import type { IOHandler, ModelArtifacts, ModelArtifactsInfo } from './artifacts.js';
import type { LoadedModel } from './load.js';
import type { LoadOptions } from './model.js';
import type { ModelConfig } from './topology.js';
import type { WebURL } from '../web-types.js';
import { storage } from './storage_chunk.js';

/**
 * Loads a model saved by neurite or by TF.js (`model.save`, Layers format).
 *
 * `source` is the artifacts themselves (`{ modelTopology, weightSpecs, weightData, … }`, e.g.
 * from `model.toArtifacts()` or a TF.js save handler), a handler object with `load()`, or a URL
 * (`file://…`, `indexeddb://…`, `http(s)://…/model.json`, … where a storage handler exists) as
 * a string or a `URL` object (`url.pathToFileURL(path)`, `new URL('model.json', base)`), whose
 * `href` is read. `file:/abs/path` (no `//`) is `file:///abs/path`, as Node reads it; a relative
 * path is written `file://./models/m` (relative to the working directory, as in TF.js).
 * In a page or a worker served over http(s), a path without a scheme (`'/models/m/model.json'`,
 * `'model.json'`) is fetched relative to the page's (or the worker's) URL, as TF.js does.
 *
 * What it returns depends on the file:
 * - a `Sequential` for a Keras `Sequential` topology (neurite's or TF.js's), built, with its
 *   weights, recompiled when the file has a compile config (`trainingConfig`) unless
 *   `{ compile: false }`, with the optimizer state saved by `includeOptimizer` (neurite's or
 *   TF.js's); an {@link Autoencoder} when it was saved from one; nested models are
 *   models of their own (dispose them too, as models you build);
 * - a {@link Perceptron} for `neurite>Perceptron`; an {@link RBFNetwork} for `neurite>RBFNetwork`.
 *
 * The type is the union {@link LoadedModel} (`Sequential | Autoencoder | Perceptron |
 * RBFNetwork`): narrow with `instanceof` before using what one class has
 * (`if (m instanceof Autoencoder) m.encode(x)`). The file's `userDefinedMetadata` (without
 * neurite's own key) is the model's `getUserDefinedMetadata()`.
 *
 * `options` are {@link LoadOptions}: neurite's `compile` and `allowNonFinite`, and TF.js's
 * `strict`, `onProgress`, `requestInit`, `fetchFunc` and `weightPathPrefix` with TF.js's meanings
 * (the last three for an `http(s)://` URL, `onProgress` for it and `file://`; given for another
 * source, each is an error that says where it applies). As in TF.js, artifacts with a topology
 * and no weights at all load with the initializers' weights.
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
export async function loadModel(source: string | WebURL | IOHandler | ModelArtifacts, options: LoadOptions = {}): Promise<LoadedModel> {
  return (await storage('loadModel')).loadModel(source, options);
}

/** {@link loadModel}, its messages naming `op`. */
async function loadAs(op: string, source: string | WebURL | IOHandler | ModelArtifacts, options: LoadOptions): Promise<LoadedModel> {
  return (await storage(op)).loadModel(source, options, op);
}

/**
 * TF.js's `tf.loadLayersModel`: {@link loadModel} for a Keras (Layers) model — sequential,
 * functional or an {@link Autoencoder} — typed as the {@link Sequential} it returns, so that
 * what a graph model takes (`model.predict([a, b])`) type-checks without narrowing the
 * {@link LoadedModel} union first. A file that holds a neurite {@link Perceptron} or
 * {@link RBFNetwork} is an {@link InvalidArgumentError} naming its class (load those with
 * `loadModel`), and nothing is left allocated. Other errors are `loadModel`'s.
 *
 * @example
 * const model = await loadLayersModel(artifacts); // or a URL, as loadModel
 * const [label, image] = model.predict<Tensor[]>([digit, noise]);
 */
export async function loadLayersModel(source: string | WebURL | IOHandler | ModelArtifacts, options: LoadOptions = {}): Promise<Sequential> {
  const m = await loadAs('loadLayersModel', source, options);
  if (m instanceof Sequential) return m;
  const kind = m instanceof Perceptron ? 'Perceptron' : 'RBFNetwork';
  m.dispose();
  throw new InvalidArgumentError(`loadLayersModel: the file holds a neurite ${kind}, not a layers model; load it with loadModel`);
}

/**
 * TF.js's `tf.models.modelFromJSON`: a model from its topology — what `model.toJSON()` gives,
 * parsed (`JSON.parse(model.toJSON())`), or a model.json's fields `{ modelTopology,
 * weightsManifest, pathPrefix }` — with fresh weights, or with the weights `weightsManifest`
 * names, fetched from `pathPrefix` (`pathPrefix/<path>`, as TF.js). The model is not compiled
 * (TF.js ignores a `trainingConfig` here too); the manifest's weights must be exactly the
 * model's (TF.js skips weights the model does not have). `customObjects`, TF.js's registry of
 * custom classes, is an error: neurite has none. For a model.json at a URL, `loadLayersModel`
 * does it all. It also reads Keras 3's own configs: `model.to_json()` from Python, or the
 * `config.json` inside a `.keras` file (then copy the weights in with `setWeights`, see the
 * README's "Saving and loading").
 *
 * @example const copy = await models.modelFromJSON(JSON.parse(model.toJSON()));
 */
export async function modelFromJSON(modelAndWeightsConfig: ModelConfig | Record<string, unknown>, customObjects?: never): Promise<Sequential> {
  return (await storage('models.modelFromJSON')).modelFromJSON(modelAndWeightsConfig, customObjects);
}

/** TF.js's `tf.models` namespace: {@link modelFromJSON}. */
export const models: {
  /** TF.js's `tf.models.modelFromJSON` (see the property). */
  modelFromJSON(modelAndWeightsConfig: ModelConfig | Record<string, unknown>, customObjects?: never): Promise<Sequential>;
} = {
  /**
   * TF.js's `tf.models.modelFromJSON`: a model from its topology (`JSON.parse(model.toJSON())`)
   * or a model.json's `{ modelTopology, weightsManifest, pathPrefix }`; see {@link modelFromJSON}.
   *
   * @example const copy = await models.modelFromJSON(JSON.parse(model.toJSON()));
   */
  modelFromJSON,
};

/**
 * Every model in this runtime's browser stores, by URL (`indexeddb://name`,
 * `localstorage://name`), with the sizes saved and `dateSaved`, as TF.js's `tf.io.listModels`
 * (Deno has `localStorage`). Where neither store exists (Node) it is `{}`: `file://` models are
 * folders on disk.
 *
 * @example
 * for (const [url, info] of Object.entries(await io.listModels())) console.log(url, info.dateSaved);
 */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  return (await storage('listModels')).listModels();
}

/**
 * Removes the model at `url` (`indexeddb://name` or `localstorage://name`) and returns its
 * info, as TF.js's `tf.io.removeModel`. A model that is not there is an
 * {@link InvalidArgumentError}; other schemes cannot be removed (a `file://` model is a folder).
 * A `URL` object is read as its `href`, here and in {@link copyModel} and {@link moveModel}.
 */
export async function removeModel(url: string | WebURL): Promise<ModelArtifactsInfo> {
  return (await storage('removeModel')).removeModel(url);
}

/**
 * Copies the model at `sourceURL` to `destURL` and returns the copy's info, as TF.js's
 * `tf.io.copyModel`: from any URL that loads to any that saves (`localstorage://a` to
 * `indexeddb://a`, `http(s)://…/model.json` to `indexeddb://cache`, `file://` to `file://`).
 * The artifacts are copied as stored, without building the model.
 */
export async function copyModel(sourceURL: string | WebURL, destURL: string | WebURL): Promise<ModelArtifactsInfo> {
  return (await storage('copyModel')).cloneModel('copyModel', sourceURL, destURL, false);
}

/**
 * Moves the model at `sourceURL` (`indexeddb://` or `localstorage://`) to `destURL`, as
 * TF.js's `tf.io.moveModel`, but safely: the source is removed only after the copy is saved, so
 * a failed save (a full quota) leaves it as it was (TF.js removes it first within one store).
 */
export async function moveModel(sourceURL: string | WebURL, destURL: string | WebURL): Promise<ModelArtifactsInfo> {
  return (await storage('moveModel')).cloneModel('moveModel', sourceURL, destURL, true);
}
