// http(s):// (ts/io/handlers/http.ts): loading through the global fetch from a local server and
// through a fetchFunc, TF.js's query-string and requestInit handling, saving as TF.js's
// multipart POST, HTTP errors, and bodies read no further than the manifest claims.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../ts/io/router.js';
import { loadModel as nrLoadModel } from '../ts/index.js';
import { InvalidArgumentError, IOError } from '../ts/errors.js';
import { artifacts, bytes, f32, fetchFrom, folder, fresh, load, rejection, save, spec, thrown } from './io-helpers.js';

describe('http(s)://', () => {
  let server: Server;
  let origin: string;
  const posts: Array<{ url: string; files: Record<string, Uint8Array>; types: Record<string, string> }> = [];
  const served = fresh('served');
  let chunked = new Uint8Array(0);

  beforeAll(async () => {
    await save(`file://${join(served, 'm')}`);
    server = createServer(async (req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'POST') {
        const body: Buffer[] = [];
        for await (const c of req) body.push(c as Buffer);
        const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: Buffer.concat(body) }).formData();
        const files: Record<string, Uint8Array> = {};
        const types: Record<string, string> = {};
        const entries: Array<[string, Blob]> = [];
        form.forEach((v, k) => entries.push([k, v as Blob]));
        for (const [k, v] of entries) {
          files[k] = new Uint8Array(await v.arrayBuffer());
          types[k] = v.type;
        }
        posts.push({ url: req.url!, files, types });
        if (url.pathname === '/forbidden') res.writeHead(403).end('no write access\n   for this key');
        else if (url.pathname === '/full') res.writeHead(507).end(`disk full ${'x'.repeat(5000)}`);
        else res.writeHead(200).end('saved');
        return;
      }
      // A server that never answers (/hang), or stalls in the middle of the weights (/stall).
      if (url.pathname === '/hang/model.json') return;
      if (url.pathname === '/stall/model.json') {
        res.writeHead(200).end(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [250])] }] }));
        return;
      }
      if (url.pathname === '/stall/w.bin') {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write(new Uint8Array(4));
        return;
      }
      if (url.pathname === '/chunked/model.json') {
        res.writeHead(200).end(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [2])] }] }));
        return;
      }
      // The connection drops after part of the body (Content-Length promises more).
      if (url.pathname === '/dropped/model.json' || url.pathname === '/dropped-weights/w.bin') {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write(url.pathname.endsWith('.json') ? '{"modelTopology":' : new Uint8Array(4));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      if (url.pathname === '/dropped-weights/model.json') {
        res.writeHead(200).end(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [250])] }] }));
        return;
      }
      if (url.pathname === '/chunked/w.bin') {
        res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
        res.write(chunked);
        res.end();
        return;
      }
      try {
        const data = readFileSync(join(served, decodeURIComponent(url.pathname)));
        res.writeHead(200, { 'Content-Length': data.byteLength }).end(data);
      } catch {
        res.writeHead(404, 'Not Found').end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  it('loads model.json and weights resolved relative to it, through the global fetch', async () => {
    const b = await load(`${origin}/m/model.json`);
    expect(bytes(b.weightData)).toEqual(bytes(artifacts().weightData));
    expect(b.userDefinedMetadata).toEqual(artifacts().userDefinedMetadata);
  });

  it('takes a URL object (its href) where it takes a URL string: loadModel, io.http, save', async () => {
    const m = await nrLoadModel(new URL('m/model.json', `${origin}/`), { allowNonFinite: true, compile: false }).catch((e: Error) => e);
    // The served artifacts are hand-made (not a buildable model): the load got past the URL to the topology.
    expect(m).toBeInstanceOf(InvalidArgumentError);
    expect((m as Error).message).toMatch(new RegExp(`^loadModel: ${origin}/m/model\\.json`));
    expect(bytes((await http(new URL(`${origin}/m/model.json`)).load!()).weightData)).toEqual(bytes(artifacts().weightData));
    const r = await save(new URL(`${origin}/upload?via=url`) as never);
    expect(r.responses?.map((x) => x.status)).toEqual([200]);
    expect(posts.at(-1)!.url).toBe('/upload?via=url');
  });

  it('carries the JSON URL\'s query string to the weight files and passes requestInit, as TF.js', async () => {
    const { fetchFunc, asked } = fetchFrom(join(served, 'm'));
    const inits: Array<RequestInit | undefined> = [];
    const handler = http('http://models.test/model.json?token=abc', {
      requestInit: { headers: { authorization: 'Bearer t' } },
      fetchFunc: (u, i) => { inits.push(i); return fetchFunc(u); },
    });
    await handler.load!();
    expect(asked).toEqual(['http://models.test/model.json?token=abc', 'http://models.test/weights.bin?token=abc']);
    expect(inits.map((i) => (i?.headers as Record<string, string>).authorization)).toEqual(['Bearer t', 'Bearer t']);
  });

  it('saves as TF.js does: a multipart POST of model.json and model.weights.bin', async () => {
    const a = artifacts();
    const r = await save(`${origin}/upload`, a);
    expect(r.modelArtifactsInfo.weightDataBytes).toBe(112);
    // The server's response, as TF.js's SaveResult.responses.
    expect(r.responses?.map((x) => x.status)).toEqual([200]);
    expect(await r.responses![0].text()).toBe('saved');
    const post = posts.at(-1)!;
    expect(post.url).toBe('/upload');
    expect(post.types).toEqual({ 'model.json': 'application/json', 'model.weights.bin': 'application/octet-stream' });
    expect(post.files['model.weights.bin']).toEqual(bytes(a.weightData));
    const json = JSON.parse(new TextDecoder().decode(post.files['model.json']));
    expect(json.weightsManifest).toEqual([{ paths: ['./model.weights.bin'], weights: a.weightSpecs }]);
    expect(json.modelTopology).toEqual(a.modelTopology);
  });

  it('HTTP errors name the op, the URL and what was fetched', async () => {
    expect((await rejection(() => load(`${origin}/nope/model.json`), IOError)).message).toBe(`loadModel: fetching the model JSON from ${origin}/nope/model.json failed: HTTP 404 Not Found`);
    // The server's reason (the start of its answer's body) is quoted, at most 200 characters.
    expect((await rejection(() => save(`${origin}/forbidden`), IOError)).message).toBe(`save: posting the model to ${origin}/forbidden failed: HTTP 403 Forbidden: "no write access for this key"`);
    const full = await rejection(() => save(`${origin}/full`), IOError);
    expect(full.message).toBe(`save: posting the model to ${origin}/full failed: HTTP 507 Insufficient Storage: "disk full ${'x'.repeat(190)}…"`);
    // A weight file missing on the server.
    const { fetchFunc } = fetchFrom(folder({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [2])] }] }));
    const e = await rejection(() => http('http://models.test/model.json', { fetchFunc }, 'loadModel').load!(), IOError);
    expect(e.message).toBe(`loadModel: fetching weightsManifest[0].paths[0] 'w.bin' from http://models.test/w.bin failed: HTTP 404 Not Found: "not found"`);
    // A server that does not answer at all.
    const down = await rejection(() => load('http://127.0.0.1:1/model.json'), IOError);
    expect(down.message).toMatch(/^loadModel: fetching the model JSON from http:\/\/127\.0\.0\.1:1\/model\.json failed \[TypeError/);
    expect(down.message).not.toMatch(/origin/); // not in a page
    // In a page, a fetch of another origin that fails bare is most often CORS: said with both
    // origins (a student's page said only "[TypeError: Failed to fetch]"); not for its own origin.
    const g = globalThis as { location?: unknown };
    g.location = { origin: 'http://localhost:8080', href: 'http://localhost:8080/app/index.html' };
    try {
      const failing = async () => { throw new TypeError('Failed to fetch'); };
      const cross = await rejection(() => http('http://localhost:8082/m/model.json', { fetchFunc: failing }, 'loadModel').load!(), IOError);
      expect(cross.message).toBe("loadModel: fetching the model JSON from http://localhost:8082/m/model.json failed [TypeError: Failed to fetch]; http://localhost:8082 is not this page's origin (http://localhost:8080): a server that sends no Access-Control-Allow-Origin header for it fails this way too (the browser console says which)");
      const same = await rejection(() => http('/m/model.json', { fetchFunc: failing }, 'loadModel').load!(), IOError);
      expect(same.message).toBe('loadModel: fetching the model JSON from /m/model.json failed [TypeError: Failed to fetch]');
    } finally {
      delete g.location;
    }
  });

  it('failures of the network or the server are IOErrors (status: the HTTP status), not the InvalidArgumentError of a bad argument', async () => {
    for (const [e, status] of [
      [await rejection(() => load(`${origin}/nope/model.json`), IOError), 404],
      [await rejection(() => save(`${origin}/forbidden`), IOError), 403],
      [await rejection(() => save(`${origin}/full`), IOError), 507],
      [await rejection(() => load('http://127.0.0.1:1/model.json'), IOError), undefined],
      [await rejection(() => load(`${origin}/dropped/model.json`), IOError), undefined],
    ] as const) {
      expect(e, e.message).toBeInstanceOf(IOError);
      expect(e).not.toBeInstanceOf(InvalidArgumentError);
      expect([(e as IOError).code, (e as IOError).status, e.name]).toEqual(['IO', status, 'IOError']);
    }
    // An abort by the caller's signal: the AbortError is the cause.
    const ac = new AbortController();
    ac.abort();
    const aborted = await rejection(() => http(`${origin}/nope/model.json`, { requestInit: { signal: ac.signal } }, 'loadModel').load!(), IOError);
    expect(aborted).toBeInstanceOf(IOError);
    expect((aborted.cause as Error).name).toBe('AbortError');
    // A bad argument stays one.
    expect(thrown(() => http(`${origin}/nope/model.json`, { requestInit: 'yes' } as never, 'loadModel'))).toBeInstanceOf(InvalidArgumentError);
  });

  it("no default timeout (as TF.js); requestInit: { signal: AbortSignal.timeout(ms) } ends a load that hangs, before the answer or mid-body, in an IOError with the signal's reason as cause (the README's line)", async () => {
    for (const path of ['hang/model.json', 'stall/model.json']) {
      const t0 = performance.now();
      const e = await rejection(() => nrLoadModel(`${origin}/${path}`, { requestInit: { signal: AbortSignal.timeout(100) } }), IOError);
      expect(performance.now() - t0, path).toBeLessThan(3000);
      expect(e.message, path).toContain(`${origin}/${path.replace('model.json', '')}`);
      expect((e.cause as Error).name, path).toBe('TimeoutError'); // AbortSignal.timeout's reason (a plain abort() gives an AbortError, above)
    }
  });

  it('a connection dropped mid-body is an IOError naming the op, the file and the URL, with the network error as its cause', async () => {
    const json = await rejection(() => load(`${origin}/dropped/model.json`), IOError);
    expect(json).toBeInstanceOf(IOError);
    expect(json.message).toMatch(new RegExp(`^loadModel: reading the model JSON from ${origin}/dropped/model\\.json failed \\[TypeError: terminated: other side closed\\]$`));
    expect((json.cause as Error).message).toBe('terminated');
    const weights = await rejection(() => load(`${origin}/dropped-weights/model.json`), IOError);
    expect(weights).toBeInstanceOf(IOError);
    expect(weights.message).toMatch(new RegExp(`^loadModel: reading weightsManifest\\[0\\]\\.paths\\[0\\] 'w\\.bin' from ${origin}/dropped-weights/w\\.bin failed \\[TypeError: terminated`));
    expect(weights.cause).toBeInstanceOf(TypeError);
    // A fetch that rejects keeps its error as the cause too.
    const down = await rejection(() => load('http://127.0.0.1:1/model.json'), IOError);
    expect((down.cause as Error).message).toBe('fetch failed');
  });

  it('a body longer or shorter than claimed is refused; without Content-Length it is read no further than claimed + 1 byte', async () => {
    chunked = new Uint8Array(4096);
    expect((await rejection(() => load(`${origin}/chunked/model.json`))).message).toBe(
      `loadModel: ${origin}/chunked/model.json: weightsManifest[0].weights need 8 bytes but weightsManifest[0].paths hold 9 (more than claimed): the weights file is longer than the manifest says`,
    );
    chunked = new Uint8Array(5);
    expect((await rejection(() => load(`${origin}/chunked/model.json`))).message).toMatch(/weightsManifest\[0\]\.weights need 8 bytes but weightsManifest\[0\]\.paths hold 5 \(w\.bin\): the weights file is truncated$/);
    chunked = new Uint8Array(8);
    expect(bytes((await load(`${origin}/chunked/model.json`)).weightData).byteLength).toBe(8);
  });

  it('an endless body is read no further than the claim (+ one chunk); Content-Length is not trusted (gzip counts compressed bytes)', async () => {
    let pulled = 0;
    const endless = () => new ReadableStream<Uint8Array>({ pull(c) { pulled += 1000; c.enqueue(new Uint8Array(1000)); } }, { highWaterMark: 0 });
    const manifest = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [spec('w', [1000])] }] });
    const e = await rejection(() => http('http://models.test/model.json', { fetchFunc: async (url) => new Response(url.endsWith('model.json') ? manifest : endless()) }, 'loadModel').load!());
    expect(e.message).toBe('loadModel: http://models.test/model.json: weightsManifest[0].weights need 4000 bytes but weightsManifest[0].paths hold 4001 (more than claimed): the weights file is longer than the manifest says');
    expect(pulled).toBeLessThanOrEqual(5000);
    // A gzip-served file: Content-Length 10 (compressed) for 4000 decoded bytes loads.
    const w = f32(1000);
    const gz = async (url: string) => url.endsWith('model.json') ? new Response(manifest) : new Response(w.slice(), { headers: { 'content-length': '10', 'content-encoding': 'gzip' } });
    expect(bytes((await http('http://models.test/model.json', { fetchFunc: gz }).load!()).weightData)).toEqual(w);
  });

  it('a model.json body longer than 256 MiB is refused once that much has arrived', async () => {
    const chunk = new Uint8Array(16 * 2 ** 20).fill(32);
    let pulled = 0;
    const body = () => new ReadableStream<Uint8Array>({ pull(c) { pulled += chunk.byteLength; c.enqueue(chunk); } }, { highWaterMark: 0 });
    const e = await rejection(() => http('http://models.test/model.json', { fetchFunc: async () => new Response(body()) }, 'loadModel').load!());
    expect(e.message).toBe('loadModel: http://models.test/model.json: is longer than the 268435456 bytes a model.json may have (a Keras topology is far smaller); refused after reading that much');
    expect(pulled).toBe(17 * chunk.byteLength);
  });

  it('a model.json whose Content-Length is beyond 256 MiB is refused before its body is read (it waited for the body)', async () => {
    let pulled = 0;
    const body = () => new ReadableStream<Uint8Array>({ pull(c) { pulled++; c.enqueue(new Uint8Array(16)); } }, { highWaterMark: 0 });
    const e = await rejection(() => http('http://models.test/model.json', { fetchFunc: async () => new Response(body(), { headers: { 'content-length': String(2 ** 40) } }) }, 'loadModel').load!());
    expect(e.message).toBe('loadModel: http://models.test/model.json: is 1099511627776 bytes, more than the 268435456 a model.json may have (a Keras topology is far smaller); refused before reading');
    expect(pulled).toBe(0);
  });

  it('http() options are checked', () => {
    expect(thrown(() => http('http://x/model.json', { fetchFun: fetch } as never)).message).toMatch(/^http: unknown option 'fetchFun' — did you mean 'fetchFunc'\?/);
    expect(thrown(() => http('http://x/model.json', { fetchFunc: 3 } as never)).message).toBe('http: options.fetchFunc must be a function like fetch, got 3');
    expect(thrown(() => http('http://x/model.json', { requestInit: { body: 'x' } })).message).toBe('http: options.requestInit must not have a body (the handler sets it)');
    expect(thrown(() => http('' as string)).message).toMatch(/^http: url must be a non-empty string/);
  });
});
