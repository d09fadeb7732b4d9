/**
 * `io`: where models are saved and loaded from, as TF.js's `tf.io`. `model.save(target)` and
 * `loadModel(source)` take a URL (`file://`, `indexeddb://`, `localstorage://`, `downloads://`,
 * `http(s)://`) or an {@link IOHandler}; these are the same handlers for direct use.
 */
export { getSaveHandler, getLoadHandler, type IOHandler, type ModelArtifacts, type SaveResult, type WeightSpec } from '../router.js';
export { http, type HttpOptions } from '../router.js';
