/**
 * The storage code that is loaded on first use (see `lazy.ts`): the handler classes that read
 * and write files, IndexedDB, localStorage, downloads, HTTP and picked files, the listing and
 * removal of models in the browser stores, what reads a model back from its artifacts, and what
 * makes the artifacts of what a save read (`write.ts`), and an optimizer's `getWeights` and
 * `setWeights` (`optimizer-state.ts`). The
 * bundles put it, and what only it uses, in a chunk of its own.
 */
export { BrowserDownloads } from './handlers/downloads.js';
export { BrowserFiles } from './handlers/browser_files.js';
export { FileSystemHandler } from './handlers/files.js';
export { HTTPRequest } from './handlers/http.js';
export { BrowserIndexedDB } from './handlers/indexed_db.js';
export { BrowserLocalStorage } from './handlers/local_storage.js';
export { listModels, removeModel, cloneModel } from './manage.js';
export { loadModel, modelFromJSON } from './load.js';
export { artifactsOf } from './write.js';
export { optimizerWeights, setOptimizerWeights } from './optimizer-state.js';
// This copy's mark, which the loader checks (lazy_chunk.ts).
export { COPY } from '../brand.js';
