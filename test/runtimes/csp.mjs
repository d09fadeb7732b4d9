// init() under a Content-Security-Policy that forbids compiling WebAssembly (csp.html): the
// error must name the module and the directive to add (ts/wasm/load.ts compileError). With
// ?threads, init() with its default threads, and what threads() says (under /cspw/, a CSP
// whose worker-src refuses Blob URLs).
import { publish } from './publish.mjs';

const entry = new URLSearchParams(location.search).get('entry') ?? 'inline';
const nr = await import(entry === 'url' ? '../../dist/url/index.js' : '../../dist/index.js');
const threads = new URLSearchParams(location.search).has('threads');
try {
  await nr.init(threads ? {} : { threads: 1 });
  if (threads) {
    // The default init() starts its workers at the first call large enough to split (this
    // product); they join, or fail to load, after it: threadsReady() waits for either.
    nr.tidy(() => nr.randomNormal([300, 300], { seed: 1 }).matMul(nr.ones([300, 300])).dataSync());
    await nr.threadsReady();
  }
  await publish({ entry, error: null, threads: nr.threads() });
} catch (e) {
  await publish({ entry, error: { name: e?.name, code: e?.code, message: e?.message, neurite: e instanceof nr.NeuriteError } });
}
