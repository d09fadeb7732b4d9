/**
 * `io`: where models are saved and loaded from, as TF.js's `tf.io`. `model.save(target)` and
 * `loadModel(source)` take a URL (`file://`, `indexeddb://`, `localstorage://`, `downloads://`,
 * `http(s)://`) or an {@link IOHandler}; these are the same handlers for direct use, plus
 * `browserFiles` (picked files), `fromMemory`/`withSaveHandler` (TF.js's pass-through handlers)
 * and the model management of the browser stores (`listModels`, `removeModel`, `copyModel`,
 * `moveModel`).
 */
export { getSaveHandler, getLoadHandler, type IOHandler, type ModelArtifacts, type SaveResult, type WeightSpec } from '../router.js';
export { http, browserFiles, fromMemory, withSaveHandler, type HttpOptions, type FileLike } from '../router.js';
export { listModels, removeModel, copyModel, moveModel } from '../lazy.js';
export type { ModelArtifactsInfo } from '../artifacts.js';
