/**
 * `http(s)://…/model.json` through `fetch`, as TF.js's `tf.io.http`: loading fetches the JSON,
 * then each weight file at the JSON's folder + the manifest path + the JSON URL's query string;
 * saving POSTs a `multipart/form-data` body with the files `model.json` and
 * `model.weights.bin`, as TF.js does. Loading takes TF.js's `weightPathPrefix` and `onProgress`.
 * Every response must be OK, and each weight group must
 * hold exactly the bytes its manifest claims: bodies are streamed and never read past the
 * claimed size (plus one byte, to tell a longer file).
 */
import { InvalidArgumentError, IOError, isDenoDenial, thrownDetail } from '../../errors.js';
import { httpError } from '../../http_error.js';
import type { HttpOptions, IOHandler, ModelArtifacts, SaveResult, WeightSpec } from '../router.js';
import { concat } from '../artifacts.js';
import { artifactsFromJSON, checkArtifactsToSave, jsonTooLarge, MAX_JSON_BYTES, modelJSONBytes, modelJSONFor, ownBuffer, parseModelJSON, planWeights, saveResult, sizeMismatch, withOrigin } from './manifest.js';

/**
 * The error for a request or a body read that threw (the network, not the server's answer):
 * `what` names the step and the URL; `[Name: message: cause]` ends it (Node's fetch puts the
 * reason in the cause: "other side closed"), and the error is kept as `cause`. A Deno
 * permission denial is an {@link InvalidArgumentError} naming the `--allow-net` flag.
 */
function failed(what: string, e: unknown, url = ''): IOError | InvalidArgumentError {
  const detail = thrownDetail(e);
  // Deno's refusal is the caller's to fix, never worth a retry (an IOError is the retryable
  // class): name the flag, as init and the file handlers do.
  if (isDenoDenial(e)) {
    let host = url;
    try {
      host = new URL(url).host;
    } catch {
      // keep the URL as given
    }
    return new InvalidArgumentError(`${what}: Deno denied net access to ${host}: run with --allow-net=${host} (or --allow-net) ${detail}`);
  }
  return new IOError(`${what} failed ${detail}${corsHint(e, url)}`, { cause: e });
}

/**
 * In a page (or a worker), a fetch of another origin that fails with a bare TypeError ("Failed
 * to fetch", "NetworkError…") is most often a server that sends no Access-Control-Allow-Origin:
 * the browser tells the console, not the script. Said with the two origins; '' otherwise.
 */
function corsHint(e: unknown, url: string): string {
  const here = (globalThis as { location?: { origin?: unknown; href?: unknown } }).location;
  if (!(e instanceof TypeError) || url === '' || typeof here?.origin !== 'string' || typeof here.href !== 'string') return '';
  let origin: string;
  try {
    origin = new URL(url, here.href).origin;
  } catch {
    return '';
  }
  if (origin === here.origin || origin === 'null') return '';
  return `; ${origin} is not this page's origin (${here.origin}): a server that sends no Access-Control-Allow-Origin header for it fails this way too (the browser console says which)`;
}

/** @internal The handler {@link http} makes (after checking its arguments). */
export class HTTPRequest implements IOHandler {
  private readonly fetch: NonNullable<HttpOptions['fetchFunc']>;
  private readonly init: RequestInit;
  private readonly weightPathPrefix: string | undefined;
  private readonly onProgress: HttpOptions['onProgress'];
  constructor(
    private readonly path: string,
    options: HttpOptions,
    private readonly op: string,
  ) {
    this.fetch = options.fetchFunc ?? ((u, i) => fetch(u, i));
    this.init = options.requestInit ?? {};
    this.weightPathPrefix = options.weightPathPrefix;
    this.onProgress = options.onProgress;
  }

  /** `fetch`, with a network failure turned into an error naming the URL and the field. */
  private async get(url: string, what: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetch(url, this.init);
    } catch (e) {
      throw failed(`${this.op}: fetching ${what} from ${url}`, e, url);
    }
    if (!res.ok) throw await httpError(`${this.op}: fetching ${what} from ${url}`, res);
    return res;
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { artifacts: a, bytes } = checkArtifactsToSave(this.op, this.path, artifacts);
    const body = new FormData();
    const json = modelJSONBytes(this.op, this.path, modelJSONFor(a, ['./model.weights.bin']));
    body.append('model.json', new Blob([json as Uint8Array<ArrayBuffer>], { type: 'application/json' }), 'model.json');
    body.append('model.weights.bin', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), 'model.weights.bin');
    let res: Response;
    try {
      res = await this.fetch(this.path, { method: 'POST', ...this.init, body });
    } catch (e) {
      throw failed(`${this.op}: posting the model to ${this.path}`, e, this.path);
    }
    if (!res.ok) throw await httpError(`${this.op}: posting the model to ${this.path}`, res);
    // As TF.js: the server's response (its status, headers, body) with the result.
    return { ...saveResult(a, bytes.byteLength), responses: [res] };
  }

  async load(): Promise<ModelArtifacts> {
    const { op, path } = this;
    const res = await this.get(path, 'the model JSON');
    // A declared length beyond the cap is refused before waiting for the body (without a
    // Content-Encoding it counts the bytes that would be read).
    const declared = Number(res.headers?.get?.('content-length') ?? NaN);
    if (declared > MAX_JSON_BYTES && !res.headers.get('content-encoding')) {
      await res.body?.cancel().catch(() => undefined);
      throw jsonTooLarge(op, path, declared);
    }
    const head: Uint8Array[] = [];
    const size = await readInto(head, res, MAX_JSON_BYTES + 1, `${op}: reading the model JSON from ${path}`);
    if (size > MAX_JSON_BYTES) throw jsonTooLarge(op, path);
    const json = parseModelJSON(op, path, concat(head));
    if (json.weightsManifest === undefined) return withOrigin(artifactsFromJSON(json, undefined, undefined), path);
    // As TF.js: the folder of the JSON URL (or weightPathPrefix, as is), and its query string
    // (signed URLs) on every file.
    const q = path.lastIndexOf('?');
    const base = q < 0 ? path : path.slice(0, q);
    const prefix = this.weightPathPrefix ?? base.slice(0, base.lastIndexOf('/') + 1);
    const { specs, fields, data } = await this.loadWeights(json.weightsManifest, prefix, q < 0 ? '' : path.slice(q));
    return withOrigin(artifactsFromJSON(json, specs, data), path, fields);
  }

  /**
   * @internal The weights a model.json's `manifest` names, fetched from `prefix` + each path +
   * `suffix`, checked against the bytes claimed: their specs, where each spec is in the
   * manifest (`weightsManifest[0].weights[2]`), and the bytes. `onProgress` is called as TF.js
   * does: each file's response moves it through [0, 0.5], each file read through [0.5, 1].
   */
  async loadWeights(manifest: unknown, prefix: string, suffix: string): Promise<{ specs: WeightSpec[]; fields: string[]; data: ArrayBuffer }> {
    const { op, path } = this;
    const { groups, specs, fields } = planWeights(op, path, manifest);
    const files = groups.reduce((n, g) => n + g.paths.length, 0);
    let [arrived, read] = [0, 0];
    const progress = (): void => this.onProgress?.(0.5 * (arrived / files) + 0.5 * (read / files));
    // Chunks are kept as they arrive (memory grows with what the server sends, never with what
    // the manifest claims) and joined once at the end.
    const parts = await Promise.all(groups.map(async (group) => {
      const responses = await Promise.all(group.paths.map(async (p, i) => {
        const url = prefix + p + suffix;
        const what = `${group.field}.paths[${i}] '${p}'`;
        const r = await this.get(url, what);
        arrived++;
        progress();
        return { r, what: `${op}: reading ${what} from ${url}` };
      }));
      // NOTE: Content-Length is not trusted for the check: under Content-Encoding (gzip) it counts
      // the compressed bytes, and a browser hides that header on cross-origin responses.
      const chunks: Uint8Array[] = [];
      let got = 0;
      for (const { r, what } of responses) {
        // Past the claim already: the rest is not read, only released.
        if (got > group.bytes) await r.body?.cancel().catch(() => undefined);
        else got += await readInto(chunks, r, group.bytes - got + 1, what);
        read++;
        progress();
      }
      if (got !== group.bytes) throw sizeMismatch(op, path, group, got, got > group.bytes ? 'more than claimed' : group.paths);
      return chunks;
    }));
    return { specs, fields, data: ownBuffer(concat(parts.flat())) };
  }
}

/**
 * Appends a response body to `chunks`, reading no more than `limit` bytes (then the stream is
 * cancelled); returns the bytes appended. A read that throws (the connection dropped mid-body)
 * is an error naming `what` (the step and the URL).
 */
async function readInto(chunks: Uint8Array[], res: Response, limit: number, what: string): Promise<number> {
  try {
    return await readBody(chunks, res, limit);
  } catch (e) {
    throw failed(what, e);
  }
}

async function readBody(chunks: Uint8Array[], res: Response, limit: number): Promise<number> {
  const reader = res.body?.getReader();
  if (!reader) {
    const b = new Uint8Array(await res.arrayBuffer());
    chunks.push(b.byteLength > limit ? b.subarray(0, limit) : b);
    return Math.min(b.byteLength, limit);
  }
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    const take = Math.min(value.byteLength, limit - n);
    chunks.push(take < value.byteLength ? value.subarray(0, take) : value);
    n += take;
    if (n >= limit) {
      await reader.cancel().catch(() => undefined);
      return n;
    }
  }
}
