/**
 * The storage code that is loaded on first use (see `lazy.ts`): the handler classes that read
 * and write files, IndexedDB, localStorage, downloads and HTTP, and what reads a model back
 * from its artifacts. The bundles put it, and what only it uses, in a chunk of its own.
 */
export { BrowserDownloads } from './handlers/downloads.js';
export { FileSystemHandler } from './handlers/files.js';
export { HTTPRequest } from './handlers/http.js';
export { BrowserIndexedDB } from './handlers/indexed_db.js';
export { BrowserLocalStorage } from './handlers/local_storage.js';
export { loadModel } from './load.js';
