// The browser side of the Chromium, Firefox and WebKit suites: loads a built entry, runs the smoke
// script with every kind of init() source, and publishes the report (publish.mjs).
import { publish } from './publish.mjs';
import { smoke } from './smoke.mjs';

const entry = new URLSearchParams(location.search).get('entry');
const wasmUrl = new URL('/dist/url/core.wasm', location.href);
const ua = navigator.userAgent;
const runtime = /Firefox\//.test(ua) ? 'firefox' : /Chrom(e|ium)\//.test(ua) ? 'chromium' : /AppleWebKit\//.test(ua) ? 'webkit' : ua;

try {
  if (entry !== 'inline' && entry !== 'url') throw new Error(`page: ?entry must be inline or url, got ${entry}`);
  const nr = entry === 'url' ? await import('/dist/url/index.js') : await import('/dist/index.js');
  // Each source makes a new instance (the smoke checks that a tensor of the one before is
  // stale), so no two neighbours are the same source: a URL and its text are (init keeps the
  // instance for them).
  const sources = {
    bytes: async () => (await fetch(wasmUrl)).arrayBuffer(),
    url: async () => wasmUrl,
    module: async () => WebAssembly.compileStreaming(fetch(wasmUrl)),
    urlString: async () => wasmUrl.href,
    response: async () => fetch(wasmUrl),
  };
  // The resume checkpoint goes through IndexedDB, as a browser app would keep it.
  const report = await smoke(nr, { runtime, entry, sources, saveTarget: `indexeddb://neurite-smoke-resume-${entry}` });
  report.version = ua.match(/(?:Firefox|Chrom(?:e|ium)|AppleWebKit)\/([\d.]+)/)?.[1] ?? ua;
  await publish(report);
} catch (e) {
  await publish({ runtime, entry, error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` });
}
