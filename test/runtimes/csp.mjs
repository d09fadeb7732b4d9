// init() under a Content-Security-Policy that forbids compiling WebAssembly (csp.html): the
// error must name the module and the directive to add (ts/wasm/load.ts compileError).
import { publish } from './publish.mjs';

const entry = new URLSearchParams(location.search).get('entry') ?? 'inline';
const nr = await import(entry === 'url' ? '../../dist/url/index.js' : '../../dist/index.js');
try {
  await nr.init({ threads: 1 });
  await publish({ entry, error: null });
} catch (e) {
  await publish({ entry, error: { name: e?.name, code: e?.code, message: e?.message, neurite: e instanceof nr.NeuriteError } });
}
