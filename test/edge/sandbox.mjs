// A V8 context that compiles no WebAssembly from bytes, as Cloudflare Workers and Vercel Edge
// Functions are: `vm.createContext(…, { codeGeneration: { wasm: false } })`, the package's
// modules linked from dist/ as ES modules without `import.meta.url` (workerd gives none), and
// `neurite/core.wasm` imported as the module the host compiled (the platform does that at
// deploy time), which comes from another realm. Run by test/edge-runtime.test.ts:
//   node --experimental-vm-modules test/edge/sandbox.mjs <file.mjs> [request-json]
// (with EDGE_NO_WEAKREF=1 in the environment, the context has no WeakRef and no FinalizationRegistry)
// runs <file.mjs> there as a module. With request-json, the module is a Workers-style handler
// (`export default { fetch(request) }`): one POST with that body is sent to it. Prints one
// JSON line: { ok: true, value } (the module's `result` export, or the response's status and
// body) or { ok: false, name, message }.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [file, request] = process.argv.slice(2);
const host = { console, TextEncoder, TextDecoder, URL, atob, btoa, setTimeout, clearTimeout, queueMicrotask, performance, Request, Response, Headers };
const context = vm.createContext({ ...host }, { codeGeneration: { strings: false, wasm: false } });
// Workers before the 2025-05-05 compatibility date have neither WeakRef nor FinalizationRegistry.
if (process.env.EDGE_NO_WEAKREF) vm.runInContext('delete globalThis.WeakRef; delete globalThis.FinalizationRegistry;', context);
const hostModule = new WebAssembly.Module(readFileSync(join(root, 'dist/url/core.wasm')));

const PACKAGE = { neurite: 'dist/index.js', 'neurite/url': 'dist/url/index.js' };
const cache = new Map();
function load(path) {
  let m = cache.get(path);
  if (!m) {
    m =
      path === 'neurite/core.wasm'
        ? new vm.SyntheticModule(['default'], function () { this.setExport('default', hostModule); }, { identifier: path, context })
        : new vm.SourceTextModule(readFileSync(path, 'utf8'), {
            identifier: path,
            context,
            importModuleDynamically: async (spec) => {
              const dep = load(resolve(dirname(path), spec));
              await dep.link(link);
              await dep.evaluate();
              return dep;
            },
          });
    cache.set(path, m);
  }
  return m;
}
function link(spec, referrer) {
  if (spec === 'neurite/core.wasm') return load(spec);
  if (spec in PACKAGE) return load(join(root, PACKAGE[spec]));
  return load(resolve(dirname(referrer.identifier), spec));
}

let out;
try {
  const main = load(resolve(file));
  await main.link(link);
  await main.evaluate();
  const ns = main.namespace;
  if (request === undefined) out = { ok: true, value: await ns.result };
  else {
    const res = await ns.default.fetch(new Request('https://edge.example/predict', { method: 'POST', body: request }));
    out = { ok: true, value: { status: res.status, body: await res.text() } };
  }
} catch (e) {
  out = { ok: false, name: e?.name, message: e?.message ?? String(e) };
}
console.log(JSON.stringify(out));
