// One form for an HTTP answer that is not 2xx (ts/http_error.ts), on every path that fetches:
// a model (loadModel), a CSV source (data.csv of a URL or of a Response) and the wasm (init of
// a URL or of a Response). Each is an IOError with the status, naming the URL, the status and
// its text, and quoting up to 200 characters of the body (data.csv and init quoted none, and
// data.csv's Response said "is HTTP 404 …, not a CSV").
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import * as data from '../ts/data/index.js';
import './setup.js';

/** What the promise rejected with (it must reject). */
async function failure(p: Promise<unknown>): Promise<nr.IOError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(nr.IOError);
  return e as nr.IOError;
}

describe('HTTP error answers', () => {
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = new URL(req.url!, 'http://x').pathname.split('/')[1];
      if (route === 'reason') res.writeHead(404, 'Not Found').end('no such file\n   on this server\n');
      // 250 characters of 4 bytes each: 200 are quoted, none cut in half.
      else if (route === 'long') res.writeHead(500, 'Internal Server Error').end('😀'.repeat(250));
      else if (route === 'empty') res.writeHead(503, 'Service Unavailable').end();
      // The status and the start of a body, then nothing: the message is not waited for forever.
      else if (route === 'stall') res.writeHead(502, 'Bad Gateway').write('upstream timed out ');
      else res.writeHead(200).end('');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  /** Each path's error for `url`, and the step its message names. */
  const paths: Array<[string, (url: string) => Promise<unknown>, (url: string) => string]> = [
    ['loadModel', (url) => nr.loadModel(url), (url) => `loadModel: fetching the model JSON from ${url}`],
    ['data.csv(url)', (url) => data.csv(url).toArray(), (url) => `data.csv: fetching ${url}`],
    ['data.csv(Response)', async (url) => data.csv(await fetch(url)).toArray(), (url) => `data.csv: reading the Response from ${url}`],
    ['init(url)', (url) => nr.init(url), (url) => `init: fetching the neurite wasm from ${url}`],
    ['init(fetch(url))', (url) => nr.init(fetch(url)), (url) => `init: fetching the neurite wasm from ${url}`],
  ];

  it.each(paths)('%s: the URL, the status and its text, the body quoted', async (_, run, what) => {
    const reason = await failure(run(`${origin}/reason/x`));
    expect(reason.message).toBe(`${what(`${origin}/reason/x`)} failed: HTTP 404 Not Found: "no such file on this server"`);
    expect(reason.status).toBe(404);
    expect(reason.code).toBe('IO');
    const long = await failure(run(`${origin}/long/x`));
    expect(long.message).toBe(`${what(`${origin}/long/x`)} failed: HTTP 500 Internal Server Error: "${'😀'.repeat(200)}…"`);
    expect(long.status).toBe(500);
    const empty = await failure(run(`${origin}/empty/x`));
    expect(empty.message).toBe(`${what(`${origin}/empty/x`)} failed: HTTP 503 Service Unavailable`);
    expect(empty.status).toBe(503);
  });

  it('a body that stalls after the status is quoted as far as it came, after 2 s, on every path', async () => {
    const t0 = performance.now();
    const errors = await Promise.all(paths.map(([, run]) => failure(run(`${origin}/stall/x`))));
    errors.forEach((e, i) => expect(e.message).toBe(`${paths[i][2](`${origin}/stall/x`)} failed: HTTP 502 Bad Gateway: "upstream timed out…"`));
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(1900);
    expect(ms).toBeLessThan(10000);
    // The failed inits left the instance alone.
    expect(nr.tensor([1, 2]).add(1).arraySync()).toEqual([2, 3]);
  });
});
