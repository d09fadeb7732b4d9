// A tiny static file server for the browser suite: 127.0.0.1 on a free port, correct
// Content-Types (instantiateStreaming/compileStreaming need `application/wasm`), and only the
// folders the pages need. The root is an argument: a module the test harness imports must not
// read it from process.argv.
// Paths under /coi/ serve the same files with Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, which make the page (and its workers)
// cross-origin isolated: SharedArrayBuffer and threads (issue 12).
// Paths under /cors/ serve the same files to other origins (Access-Control-Allow-Origin: *,
// Cross-Origin-Resource-Policy: cross-origin), as a CDN does: an isolated page of another
// server imports the bundle from there.
// Paths under /csp/ serve the same files with a Content-Security-Policy whose script-src lacks
// 'wasm-unsafe-eval', which forbids compiling WebAssembly (test/runtimes/csp.html).
// Paths under /cspw/ serve them cross-origin isolated with a CSP that compiles WebAssembly but
// allows only same-origin worker scripts (`worker-src 'self'`): no Blob URL workers.
// Paths under /coip/ serve them cross-origin isolated, but worker.js without the headers, as a
// host that sets them on HTML documents only: the browser refuses that worker.
// A POST to /__report/<id> is a page's result when no driver can read it (Firefox:
// test/runtimes/publish.mjs sends it, `report(id)` hands it to the test).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A running server: its origin, a log of `[status, path]` for diagnostics, and `close`. */
export interface StaticServer {
  origin: string;
  requests: Array<[number, string]>;
  /** The body POSTed to /__report/<id>, whenever it comes (before or after this call). */
  report(id: string): Promise<string>;
  close(): Promise<void>;
}

const REPORT = '/__report/';
const REPORT_MAX = 1 << 24;

/** Serves files under `root` whose URL path starts with one of `allow`. */
export function startServer(root: string, allow = ['/dist/', '/test/runtimes/']): Promise<StaticServer> {
  const requests: Array<[number, string]> = [];
  const reports = new Map<string, { body: Promise<string>; deliver(body: string): void }>();
  const slot = (id: string) => {
    let s = reports.get(id);
    if (!s) {
      let deliver!: (body: string) => void;
      s = { body: new Promise<string>((r) => (deliver = r)), deliver };
      reports.set(id, s);
    }
    return s;
  };
  const server = createServer(async (req, res) => {
    const full = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'POST' && full.startsWith(REPORT)) {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => { size += c.length; if (size <= REPORT_MAX) chunks.push(c); });
      req.on('end', () => {
        const ok = size <= REPORT_MAX;
        res.writeHead(ok ? 204 : 413);
        res.end();
        requests.push([ok ? 204 : 413, full]);
        if (ok) slot(full.slice(REPORT.length)).deliver(Buffer.concat(chunks).toString('utf8'));
      });
      return;
    }
    const prefix = ['/coi/', '/coip/', '/cors/', '/csp/', '/cspw/'].find((p) => full.startsWith(p));
    const path = prefix ? full.slice(prefix.length - 1) : full;
    const isolation: Record<string, string> = {
      '/coi/': { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
      '/cors/': { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
      '/csp/': { 'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-inline'" },
      '/cspw/': {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self'",
      },
      '/coip/': path.endsWith('/worker.js') ? {} : { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    }[prefix ?? ''] ?? {};
    const file = normalize(join(root, path));
    const ok = allow.some((p) => path.startsWith(p)) && file.startsWith(resolve(root) + sep) && !path.includes('..');
    try {
      if (!ok) throw Object.assign(new Error('forbidden'), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store', ...isolation });
      res.end(body);
      requests.push([200, full]);
    } catch (e) {
      const status = (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR' ? 404 : 500;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(`${status} ${path}`);
      requests.push([status, full]);
    }
  });
  return new Promise((done, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      done({
        origin: `http://127.0.0.1:${port}`,
        requests,
        report: (id) => slot(id).body,
        close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
