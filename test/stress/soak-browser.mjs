// test/stress/soak.mjs in a Chromium tab (playwright-core and Debian's chromium, as the browser
// suites use), not run by `npm test`:
//
//   node test/stress/soak-browser.mjs [threads=1] [cycles=120] [gc=1] [out.json]
//
// Serves dist/ and test/stress/ cross-origin isolated (threads need SharedArrayBuffer), runs
// the cycles of test/stress/soak-page.mjs one page.evaluate at a time and samples after each
// (with gc=1 after a collection through the DevTools protocol, HeapProfiler.collectGarbage):
// the page's JS heap (Runtime.getHeapUsage), the WebAssembly memory's size and neurite's
// memory(). Prints a least-squares slope per cycle over the last 50 cycles.
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BROWSERS } from '../../scripts/browsers.mjs';
import { summarize } from './soak-cycle.mjs';

const threads = Number(process.argv[2] ?? 1);
const cycles = Number(process.argv[3] ?? 120);
const forceGc = (process.argv[4] ?? '1') === '1';
const outPath = process.argv[5] ?? null;
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  if (path === '/') {
    res.writeHead(200, { ...headers, 'Content-Type': 'text/html' });
    res.end('<!doctype html><script type="module" src="/test/stress/soak-page.mjs"></script>');
    return;
  }
  if (!path.startsWith('/dist/') && !path.startsWith('/test/stress/') && path !== '/examples/data/rng.mjs') { res.writeHead(404); res.end(); return; }
  try {
    const body = await readFile(join(ROOT, path));
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: BROWSERS.chromium.paths[0], args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await page.context().newCDPSession(page);
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => globalThis.soakReady === true, null, { timeout: 60_000 });
  const info = await page.evaluate((t) => globalThis.soak.init(t), threads);
  console.log(`threads ${info.count}${info.reason ? ` (${info.reason})` : ''}`);
  const rows = [];
  for (let c = 1; c <= cycles; c++) {
    const r = await page.evaluate((k) => globalThis.soak.cycle(k), c);
    if (forceGc) await cdp.send('HeapProfiler.collectGarbage');
    const h = await cdp.send('Runtime.getHeapUsage');
    rows.push({ cycle: c, heapUsed: h.usedSize, heapTotal: h.totalSize, ...r });
    if (c % 10 === 0 || c === 1) console.log(`cycle ${c}: heap ${(h.usedSize / 1048576).toFixed(2)} MB wasm ${(r.wasmBytes / 1048576).toFixed(1)} MB; tensors ${r.numTensors} models ${r.numModels} handles ${r.numHandles} leaked ${r.numLeaked}; acc ${r.acc.toFixed(3)}`);
  }
  if (errors.length) console.log('page errors:', errors);
  const summary = summarize(rows, ['heapUsed', 'wasmBytes', 'numHandles', 'numTensors', 'numModels']);
  console.log(JSON.stringify({ threads, gc: forceGc, cycles, summary }, null, 1));
  if (outPath) await writeFile(outPath, JSON.stringify({ threads, gc: forceGc, cycles, rows, summary }));
} finally {
  await browser.close();
  server.close();
}
