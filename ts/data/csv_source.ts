/**
 * The bytes of a `data.csv` source, chunk by chunk, for one pass (what a source may be is in
 * `csv.ts`): a URL is fetched and its body read as it arrives, a `Response`'s body and a
 * `ReadableStream` through their reader, a `Blob` through `blob.stream()`, an async iterable (a
 * Node `Readable` such as `fs.createReadStream(path)`) through its iterator, and bytes in place.
 * Nothing here holds more than the chunk the source last gave; `close()` stops a pass early and
 * frees the source (cancels the stream, closes the connection or the file). In the dataset
 * chunk, with the reader (`csv_parse.ts`).
 */
import { InvalidArgumentError, IOError, isDenoDenial } from '../errors.js';
import { httpError } from '../http_error.js';
import { filePath, isA, isDeno, isNode, nodeBuiltin } from '../runtime.js';
import { sourceKind, type CSVInput } from './csv.js';
import { describeElement } from './describe.js';

/** One pass's bytes: `next()` gives each chunk, then `null`; `close()` stops reading and frees the source. */
export interface ByteChunks {
  next(): Promise<Uint8Array | null>;
  close(): Promise<void>;
}


/** `[Name: message]` of what a fetch or a read threw, with its cause's message (Node's fetch puts the reason there). */
function reason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { message?: string } } | null;
  return `[${err?.name ?? 'Error'}: ${err?.message ?? String(e)}${err?.cause?.message ? `: ${err.cause.message}` : ''}]`;
}

/**
 * Refuses a response whose `Content-Type` is `text/html`: a web page, not CSV — most often a
 * single-page app's server answering a path it has no file for with its `index.html` (status
 * 200). Every other type (`text/csv`, `text/plain`, `application/octet-stream`, none) is read.
 */
function checkNotHTML(op: string, what: string, res: Response): void {
  const type = res.headers?.get?.('content-type') ?? null;
  if (type === null || type.split(';')[0].trim().toLowerCase() !== 'text/html') return;
  throw new InvalidArgumentError(`${op}: ${what}: the server sent text/html, not CSV (Content-Type: ${type}) — is the path right? A web app's server often answers a missing file with its HTML page`);
}

/** Fetches a URL source; a failure names the URL (and says what to do for a file). The body is not read yet. */
async function fetchResponse(op: string, input: string | URL | Request, url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(isA(input, 'Request') ? (input as Request).clone() : input);
  } catch (e) {
    if (/^file:/i.test(url)) {
      throw new InvalidArgumentError(`${op}: cannot fetch ${url}: this runtime's fetch does not read file: URLs (Node's does not); pass the file's bytes instead, e.g. data.csv(await fs.readFile(path)), or stream it: data.csv(() => fs.createReadStream(path)) ${reason(e)}`);
    }
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(url) && typeof (globalThis as { location?: unknown }).location === 'undefined';
    const hint = relative ? " (a string source is a URL, as in TF.js; to read a local file give its file: URL, data.csv(pathToFileURL(path)) with pathToFileURL from 'node:url', which streams it)" : '';
    // A relative path in a runtime without a page is the argument's fault; else the network's.
    if (relative) throw new InvalidArgumentError(`${op}: fetching ${url} failed ${reason(e)}${hint}`);
    throw new IOError(`${op}: fetching ${url} failed ${reason(e)}`, { cause: e });
  }
  if (!res.ok) throw await httpError(`${op}: fetching ${url}`, res);
  try {
    checkNotHTML(op, `fetching ${url}`, res);
  } catch (e) {
    await res.body?.cancel().catch(() => {}); // the page is not read: free the connection
    throw e;
  }
  return res;
}

/**
 * The read that failed (a stream that errored, a dropped connection): an {@link IOError}, a
 * failure outside the arguments, naming the source and how far it got, with the source's own
 * error as `cause`.
 */
function readFailure(op: string, what: string, bytes: number, e: unknown): IOError {
  return new IOError(`${op}: reading ${what} failed after ${bytes} bytes ${reason(e)}`, { cause: e });
}

/** A chunk as bytes (a `Uint8Array` as it is, an `ArrayBuffer` or another view wrapped); anything else is an error. */
function asBytes(op: string, what: string, chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const hint = typeof chunk === 'string' ? ' (a Node stream gives strings when it has an encoding: do not call setEncoding on it)' : '';
  throw new InvalidArgumentError(`${op}: ${what} gave ${describeElement(chunk)} as a chunk; a CSV source must give bytes (Uint8Array chunks)${hint}`);
}

/** The bytes as one chunk (the reader decodes them in windows). */
function bytesChunks(bytes: Uint8Array): ByteChunks {
  let given = false;
  return {
    next: async () => (given ? null : ((given = true), bytes)),
    close: async () => void (given = true),
  };
}

/** The chunks of a `ReadableStream` through its reader: released at the end or on an error, cancelled by `close()`. */
function streamChunks(op: string, what: string, stream: ReadableStream<unknown>): ByteChunks {
  let reader: ReadableStreamDefaultReader<unknown> | null = stream.getReader();
  let bytes = 0;
  const release = (): void => {
    try {
      reader?.releaseLock();
    } catch {
      // An old implementation with a read still pending: the stream is done with either way.
    }
    reader = null;
  };
  return {
    async next() {
      if (reader === null) return null;
      let r: ReadableStreamReadResult<unknown>;
      try {
        r = await reader.read();
      } catch (e) {
        release();
        throw readFailure(op, what, bytes, e);
      }
      if (r.done) {
        release();
        return null;
      }
      const chunk = asBytes(op, what, r.value);
      bytes += chunk.byteLength;
      return chunk;
    },
    async close() {
      if (reader === null) return;
      try {
        await reader.cancel();
      } catch {
        // Cancelling an errored stream rejects; it is done with either way.
      }
      release();
    },
  };
}

/** The chunks of an async iterable (a Node `Readable`): `close()` calls its iterator's `return()`, which destroys a Node stream. */
function iterableChunks(op: string, what: string, iterable: AsyncIterable<unknown>): ByteChunks {
  let it: AsyncIterator<unknown> | null = iterable[Symbol.asyncIterator]();
  let bytes = 0;
  return {
    async next() {
      if (it === null) return null;
      let r: IteratorResult<unknown>;
      try {
        r = await it.next();
      } catch (e) {
        it = null;
        throw readFailure(op, what, bytes, e);
      }
      if (r.done) {
        it = null;
        return null;
      }
      const chunk = asBytes(op, what, r.value);
      bytes += chunk.byteLength;
      return chunk;
    },
    async close() {
      const i = it;
      it = null;
      try {
        await i?.return?.();
      } catch {
        // The pass is over either way.
      }
    },
  };
}

/** The chunks of a response's body (none for a body-less one). */
function bodyChunks(op: string, what: string, res: Response): ByteChunks {
  if (res.body === null) return bytesChunks(new Uint8Array(0));
  if (res.body.locked) throw new InvalidArgumentError(`${op}: the Response's body is being read elsewhere (its body stream is locked); pass a fresh Response (or response.clone())`);
  return streamChunks(op, what, res.body);
}

/**
 * @internal Starts reading `source` for a pass: fetches a URL (checking the status and the
 * type), checks a `Response` or a stream can still be read, and gives its chunks.
 */
export async function openChunks(op: string, source: CSVInput): Promise<ByteChunks> {
  const kind = sourceKind(source);
  if (kind === 'bytes') return bytesChunks(source instanceof Uint8Array ? source : new Uint8Array(source as ArrayBuffer));
  if (kind === 'blob') {
    const blob = source as Blob;
    return typeof blob.stream === 'function' ? streamChunks(op, 'the Blob', blob.stream()) : bytesChunks(new Uint8Array(await blob.arrayBuffer()));
  }
  if (kind === 'response') {
    const res = source as Response;
    const what = `the Response${res.url ? ` from ${res.url}` : ''}`;
    if (!res.ok) throw await httpError(`${op}: reading ${what}`, res);
    if (res.bodyUsed) throw new InvalidArgumentError(`${op}: the Response's body was already read; pass a fresh Response (or response.clone())`);
    checkNotHTML(op, what, res);
    return bodyChunks(op, what, res);
  }
  if (kind === 'stream') {
    const stream = source as ReadableStream<unknown>;
    if (stream.locked) throw new InvalidArgumentError(`${op}: the stream is locked: something else is reading it (a stream can be read once, by one reader)`);
    return streamChunks(op, 'the stream', stream);
  }
  if (kind === 'iterable') {
    const node = source as { readableEnded?: unknown; destroyed?: unknown };
    if (node.readableEnded === true || node.destroyed === true) {
      throw new InvalidArgumentError(`${op}: the stream has ${node.readableEnded === true ? 'ended' : 'been destroyed'}: it was read before (a stream can be read once: pass a function returning a fresh one, e.g. data.csv(() => fs.createReadStream(path)))`);
    }
    return iterableChunks(op, 'the stream', source as AsyncIterable<unknown>);
  }
  const input = source as string | URL | Request;
  const url = typeof input === 'string' ? input : isA(input, 'URL') ? (input as URL).href : (input as Request).url;
  if ((isNode || isDeno) && /^file:/i.test(url) && !isA(input, 'Request')) return fileChunks(op, url);
  return bodyChunks(op, url, await fetchResponse(op, input, url));
}

/**
 * A `file://` URL in Node or Deno, read as a stream, as TF.js's `tf.data.csv` reads one in Node:
 * `file:///abs/path` or `file://./relative` (from the working directory, TF.js's form), decoded
 * as the `file://` model handler decodes ({@link filePath}). A missing or unreadable file names
 * its path.
 */
async function fileChunks(op: string, url: string): Promise<ByteChunks> {
  const path = await filePath(op, url, url.replace(/^file:(\/\/)?/i, ''));
  const fs = (await nodeBuiltin('fs')) as typeof import('node:fs');
  const stream = fs.createReadStream(path);
  try {
    await new Promise((resolve, reject) => stream.once('open', resolve).once('error', reject));
  } catch (e) {
    stream.destroy();
    const code = (e as { code?: string }).code;
    if (code === 'EMFILE' || code === 'ENFILE') {
      throw new IOError(`${op}: cannot open ${url} (${path}): the process has too many files open ${reason(e)}; passes left open keep their file until they are collected: end them (break, take(n), or iterator.return())`);
    }
    const why = isDenoDenial(e) ? `Deno denied read access: run with --allow-read=${path}` : code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new InvalidArgumentError(`${op}: cannot read ${url} (${path}): ${why} ${reason(e)}`);
  }
  return iterableChunks(op, url, stream);
}
