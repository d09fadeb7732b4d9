// data.csv streaming: the source is read chunk by chunk (a ReadableStream, a Node Readable or
// another async iterable, a Blob's stream(), a URL's body), decoded as UTF-8 as it comes, and
// parsed across chunk boundaries exactly as one buffer is — quotes, doubled quotes, line breaks
// inside quotes, CRLF split between chunks, multi-byte characters and the BOM split anywhere,
// the same line numbers in errors. A stream can be read once: a second pass is an error saying
// what to pass instead, and a function returning a fresh stream gives every pass. A failing
// source reaches the caller as a readable error and its reader is released; a pass that stops
// early (take, a parse error) cancels the source; memory does not grow with the file.
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as nr from '../ts/index.js';
import * as data from '../ts/data/index.js';
import { rejection } from './fit-helpers.js';
import './setup.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const failure = (p: Promise<unknown>): Promise<Error> => rejection(p);

/** A ReadableStream giving `bytes` in chunks of `size` bytes (copies, as a network would). */
function inChunks(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

/** An async iterable giving `bytes` in two chunks, cut at `k` (the first may be empty). */
async function* cutAt(bytes: Uint8Array, k: number): AsyncGenerator<Uint8Array> {
  yield bytes.slice(0, k);
  yield bytes.slice(k);
}

/** What a dataset gives: its elements, or the message of the error it ends with. */
async function outcome(ds: { toArray(): Promise<unknown[]> }): Promise<unknown> {
  try {
    return await ds.toArray();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

// A BOM, a quoted header name with a delimiter, doubled quotes, a quoted line break, CRLF, LF
// and lone CR line ends, a blank line, "é" (2 bytes) and "🙂" (4 bytes), a lone CR inside a
// quoted field, an empty quoted field, and a last line without a line break.
const TRICKY = '\uFEFF"na,me",note,n\r\n"é ""quoted""","two\nlines 🙂",1\r\n\r\nplain é,"a\r\nb",2\r"🙂🙂","x\ry",3\r\n"",,4\nlast,"q""",5';
const TRICKY_ROWS = [
  { 'na,me': 'é "quoted"', note: 'two\nlines 🙂', n: 1 },
  { 'na,me': 'plain é', note: 'a\r\nb', n: 2 },
  { 'na,me': '🙂🙂', note: 'x\ry', n: 3 },
  { 'na,me': undefined, note: undefined, n: 4 },
  { 'na,me': 'last', note: 'q"', n: 5 },
];

/** Files and configs whose one-buffer parse each split must match: rows, or an error naming a line. */
const CASES: Array<[string, string, data.CSVConfig]> = [
  ['tricky', TRICKY, {}],
  ['tricky, no header', TRICKY, { hasHeader: false, columnNames: ['p', 'q', 'r'] }],
  ['a last CR ends the line', 'a,b\r\n1,é\r\n2,🙂\r', {}],
  ['lone CR line ends', 'a,b\r1,é\r\r2,"x\ry"\r3,🙂', {}],
  ['mixed CR, CRLF and LF line ends', '\ra,b\r\n1,2\r3,"p\r\nq"\n\r\n4,5\r\r\n6,7\n\r', {}],
  ['lone CR line ends, whitespace runs', 'a b \r 1 "x\ry"\r\r2\t3 \r\n', { delimWhitespace: true }],
  ['an error after lone CR line ends', 'a,b\r1,2\r"x\ry",3\r4\r', {}],
  ['whitespace runs', 'a  b\t c\n  "x y"   ""  z  \r\n\n 1 2 3', { delimWhitespace: true }],
  ['";" and quotes', 'a;b\n"1;2";"x\r\n""y"""\n', { delimiter: ';' }],
  ['too few fields after quoted line breaks', 'a,b\n"x\ny",1\n\n2\n', {}],
  ['too many fields', 'a,b\n1,🙂\n3,4,5\n', {}],
  ['an unterminated quote', 'a,b\n1,2\n3,"abc\n\ndef\n', {}],
  ['a required field missing', 'a,b\r\n1,\r\n', { columnConfigs: { b: { required: true } } }],
];

describe('data.csv across chunk boundaries', () => {
  it('the tricky file gives the rows it should, from bytes and from a stream', async () => {
    const bytes = enc(TRICKY);
    expect(bytes.slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    expect(await data.csv(bytes).toArray()).toEqual(TRICKY_ROWS);
    expect(await data.csv(inChunks(bytes, 1)).toArray()).toEqual(TRICKY_ROWS);
  });

  it('1-, 2- and 7-byte chunks, and two chunks cut at every byte, give what one buffer gives (rows or the same error)', async () => {
    for (const [name, text, cfg] of CASES) {
      const bytes = enc(text);
      const want = await outcome(data.csv(bytes, cfg));
      for (const size of [1, 2, 7]) expect(await outcome(data.csv(inChunks(bytes, size), cfg)), `${name}, ${size}-byte chunks`).toEqual(want);
      for (let k = 0; k <= bytes.length; k++) expect(await outcome(data.csv(cutAt(bytes, k), cfg)), `${name}, cut at ${k}`).toEqual(want);
    }
    // The cases reach both outcomes, and errors name their line as one buffer does.
    const text = (name: string): string => (CASES.find((c) => c[0] === name) as [string, string, data.CSVConfig])[1];
    expect(await outcome(data.csv(inChunks(enc(text('too few fields after quoted line breaks')), 1)))).toEqual({ error: 'data.csv: line 5 has 1 field but the CSV has 2 columns (a, b)' });
    expect(await outcome(data.csv(inChunks(enc(text('an unterminated quote')), 1)))).toEqual({ error: 'data.csv: unterminated quoted field: the \'"\' opened on line 3 is never closed' });
    // A lone CR inside quotes is a line too, as in the error's line number.
    expect(await outcome(data.csv(inChunks(enc(text('an error after lone CR line ends')), 1)))).toEqual({ error: 'data.csv: line 5 has 1 field but the CSV has 2 columns (a, b)' });
    expect(await outcome(data.csv(enc(text('mixed CR, CRLF and LF line ends'))))).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 'p\r\nq' },
      { a: 4, b: 5 },
      { a: 6, b: 7 },
    ]);
    expect(await outcome(data.csv(enc(text('lone CR line ends, whitespace runs')), { delimWhitespace: true }))).toEqual([{ a: 1, b: 'x\ry' }, { a: 2, b: 3 }]);
  });

  it('lone CR, CRLF and LF line ends: the rows they should give, with the chunks cut at every pair of positions (a CRLF split between chunks is one line end)', async () => {
    const files: Array<[string, unknown]> = [
      ['a,b\r1,2\r3,"x\ry"\r', [{ a: 1, b: 2 }, { a: 3, b: 'x\ry' }]],
      ['a,b\r\n1,2\r3,4\n\r\n5,"\r"\r\r\n', [{ a: 1, b: 2 }, { a: 3, b: 4 }, { a: 5, b: '\r' }]],
      ['a,b\r1,2\r3\r', { error: 'data.csv: line 3 has 1 field but the CSV has 2 columns (a, b)' }],
      // A CRLF read as CR then LF would be a blank line more, seen in the line number.
      ['a,b\r\n1,2\r\n\r3,4\r\n5\r\n', { error: 'data.csv: line 5 has 1 field but the CSV has 2 columns (a, b)' }],
    ];
    for (const [text, want] of files) {
      const bytes = enc(text);
      expect(await outcome(data.csv(bytes)), JSON.stringify(text)).toEqual(want);
      for (let j = 0; j <= bytes.length; j++) {
        for (let k = j; k <= bytes.length; k++) {
          const chunks = [bytes.slice(0, j), bytes.slice(j, k), bytes.slice(k)];
          const stream = (async function* () {
            yield* chunks;
          })();
          expect(await outcome(data.csv(stream)), `${JSON.stringify(text)} cut at ${j} and ${k}`).toEqual(want);
        }
      }
    }
  });

  it('a record longer than many chunks (a 300 kB quoted field) is read whole', async () => {
    const long = 'x"\n'.repeat(100_000);
    const text = `a,b\n1,"${long.replace(/"/g, '""')}"\n2,ok\n`;
    const want = [{ a: 1, b: long }, { a: 2, b: 'ok' }];
    expect(await data.csv(enc(text)).toArray()).toEqual(want);
    expect(await data.csv(inChunks(enc(text), 1000)).toArray()).toEqual(want);
    // Lines inside it are counted: the error is on the line after it.
    const bad = `a,b\n1,"${long.replace(/"/g, '""')}"\n2\n`;
    expect((await failure(data.csv(inChunks(enc(bad), 4096)).toArray())).message).toBe('data.csv: line 100003 has 1 field but the CSV has 2 columns (a, b)');
  });

  it('invalid UTF-8 becomes U+FFFD, as one buffer decodes it', async () => {
    const bytes = new Uint8Array([...enc('a,b\n'), 0xc3, ...enc(',x\n'), 0xf0, 0x9f, ...enc(',y\n')]);
    const want = await data.csv(bytes).toArray();
    expect(want).toEqual([{ a: '\uFFFD', b: 'x' }, { a: '\uFFFD', b: 'y' }]);
    for (let k = 0; k <= bytes.length; k++) expect(await data.csv(cutAt(bytes, k)).toArray()).toEqual(want);
  });
});

describe('data.csv stream sources and passes', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'neurite-csv-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a Node Readable (fs.createReadStream), a ReadableStream, an async generator and a Blob are read', async () => {
    const path = join(dir, 'tricky.csv');
    writeFileSync(path, TRICKY);
    expect(await data.csv(createReadStream(path, { highWaterMark: 5 })).toArray()).toEqual(TRICKY_ROWS);
    expect(await data.csv(Readable.from([Buffer.from(enc(TRICKY))])).toArray()).toEqual(TRICKY_ROWS);
    expect(await data.csv(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>).toArray()).toEqual(TRICKY_ROWS);
    expect(await data.csv(cutAt(enc(TRICKY), 20)).toArray()).toEqual(TRICKY_ROWS);
    expect(await data.csv(new Blob([TRICKY])).toArray()).toEqual(TRICKY_ROWS);
    expect(await data.csv(new Blob([TRICKY]).stream()).toArray()).toEqual(TRICKY_ROWS);
    // ArrayBuffer chunks are bytes too (beyond the type, which says Uint8Array).
    const buffers = (async function* () {
      yield enc('a\n1\n').buffer;
    })();
    expect(await data.csv(buffers as unknown as AsyncIterable<Uint8Array>).toArray()).toEqual([{ a: 1 }]);
  });

  it('a second pass over a stream is an error naming the cause and what to pass instead, never an empty pass', async () => {
    const want = [{ a: 1, b: 2 }];
    const message = 'data.csv: a stream can be read once, and an earlier pass read this one: for more than one pass (epochs, repeat()), pass a URL, a Blob, bytes or a function returning a fresh stream (data.csv(() => fs.createReadStream(path)))';
    for (const make of [() => inChunks(enc('a,b\n1,2\n'), 3), () => Readable.from([Buffer.from('a,b\n1,2\n')]), () => cutAt(enc('a,b\n1,2\n'), 5)]) {
      const ds = data.csv(make());
      expect(await ds.toArray()).toEqual(want);
      const e = await failure(ds.toArray());
      expect(e).toBeInstanceOf(nr.InvalidArgumentError);
      expect(e.message).toBe(message);
      // repeat() and epochs reach the same error at the second pass.
      expect((await failure(data.csv(make()).repeat(2).toArray())).message).toBe(message);
      // The header the first pass read is still known.
      expect(await ds.columnNames()).toEqual(['a', 'b']);
    }
    // fitDataset over several epochs says so too (at epoch 2), rather than training on nothing.
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [1], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    try {
      const ds = data.csv(inChunks(enc('x,y\n1,2\n2,4\n'), 4), { columnConfigs: { y: { isLabel: true } } }).map(({ xs, ys }) => ({ xs: Object.values(xs), ys: Object.values(ys) })).batch(2);
      expect((await failure(m.fitDataset(ds, { epochs: 2, verbose: 0 }))).message).toBe(message);
    } finally {
      m.dispose();
    }
    // Two datasets over one stream: the second cannot read it either.
    const shared = inChunks(enc('a\n1\n'), 2);
    expect(await data.csv(shared).toArray()).toEqual([{ a: 1 }]);
    expect((await failure(data.csv(shared).toArray())).message).toBe(message);
  });

  it('columnNames() reads only the header; with a stream the first pass goes on from there', async () => {
    let pulls = 0;
    const rows = 'a,b\n' + '1,2\n'.repeat(1000);
    const bytes = enc(rows);
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          const at = pulls++ * 1000;
          if (at >= bytes.length) c.close();
          else c.enqueue(bytes.slice(at, at + 1000));
        },
      },
      { highWaterMark: 0 },
    );
    const ds = data.csv(stream);
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect(pulls).toBe(1);
    const all = await ds.toArray();
    expect(all).toHaveLength(1000);
    expect(all[999]).toEqual({ a: 1, b: 2 });
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect((await failure(ds.toArray())).message).toMatch(/^data\.csv: a stream can be read once/);
  });

  it('a function returning a fresh stream gives every pass; columnNames() closes the one it opens', async () => {
    const path = join(dir, 'fn.csv');
    writeFileSync(path, 'a,b\n1,2\n3,4\n');
    const opened: Readable[] = [];
    const ds = data.csv(() => {
      const s = createReadStream(path, { highWaterMark: 4 });
      opened.push(s);
      return s;
    });
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect(opened[0].destroyed).toBe(true);
    const want = [{ a: 1, b: 2 }, { a: 3, b: 4 }];
    expect(await ds.toArray()).toEqual(want);
    expect(await ds.repeat(3).toArray()).toEqual([...want, ...want, ...want]);
    expect(opened).toHaveLength(5);
    // A promise of a source works too; a function that returns the same stream again, or no source, is an error.
    expect(await data.csv(async () => new Blob(['a\n7\n'])).toArray()).toEqual([{ a: 7 }]);
    const once = inChunks(enc('a\n1\n'), 2);
    const same = data.csv(() => once);
    expect(await same.toArray()).toEqual([{ a: 1 }]);
    expect((await failure(same.toArray())).message).toBe("data.csv: the source function returned a stream that was read before; a stream can be read once, so the function must return a fresh one at each call");
    expect((await failure(data.csv((() => 5) as never).toArray())).message).toBe('data.csv: the source function must return a URL, the CSV\'s bytes, a Blob, a Response or a stream of byte chunks (or a Promise of one), got the number 5');
    // What the function throws reaches the caller as it is.
    expect((await failure(data.csv(() => { throw new RangeError('no such file'); }).toArray())).message).toBe('no such file');
  });

  it('a locked or ended stream, and string chunks, are errors that say why', async () => {
    const locked = inChunks(enc('a\n1\n'), 2);
    const reader = locked.getReader();
    expect((await failure(data.csv(locked).toArray())).message).toBe('data.csv: the stream is locked: something else is reading it (a stream can be read once, by one reader)');
    reader.releaseLock();
    const ended = Readable.from([Buffer.from('a\n1\n')]);
    for await (const _ of ended);
    expect((await failure(data.csv(ended).toArray())).message).toBe('data.csv: the stream has ended: it was read before (a stream can be read once: pass a function returning a fresh one, e.g. data.csv(() => fs.createReadStream(path)))');
    const path = join(dir, 'text.csv');
    writeFileSync(path, 'a\n1\n');
    const e = await failure(data.csv(createReadStream(path, { encoding: 'utf8' })).toArray());
    expect(e.message).toBe('data.csv: the stream gave the string "a\\n1\\n" as a chunk; a CSV source must give bytes (Uint8Array chunks) (a Node stream gives strings when it has an encoding: do not call setEncoding on it)');
    // What is no source lists the streams too.
    expect(() => data.csv({ read() {} } as never)).toThrow(/a stream of byte chunks also works: a ReadableStream, a Node Readable such as fs\.createReadStream\(path\) or another async iterable; or a function returning a fresh source at each pass\)$/);
  });
});

describe('data.csv: failures and early stops release the source', () => {
  it("a reader that errors mid-stream: the rows before it, then a readable error with the source's as cause; the reader is released", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          sent++;
          if (sent === 1) c.enqueue(enc('a,b\n'));
          else if (sent <= 3) c.enqueue(enc(`${sent},x\n`));
          else c.error(new Error('disk on fire'));
        },
      },
      { highWaterMark: 0 },
    );
    const it = await data.csv(stream).iterator();
    expect(await it.next()).toEqual({ value: { a: 2, b: 'x' }, done: false });
    expect(await it.next()).toEqual({ value: { a: 3, b: 'x' }, done: false });
    const e = await failure(it.next());
    // A failure outside the arguments (README: such a read is an IOError; it was an InvalidArgumentError).
    expect(e).toBeInstanceOf(nr.IOError);
    expect(e.message).toBe('data.csv: reading the stream failed after 12 bytes [Error: disk on fire]');
    expect((e.cause as Error).message).toBe('disk on fire');
    expect(stream.locked).toBe(false);
    expect(await it.next()).toEqual({ value: null, done: true });
    // An async generator and a Node stream that fail: the same kind of error.
    const gen = (async function* () {
      yield enc('a,b\n1,2\n');
      throw new Error('connection reset');
    })();
    const genErr = await failure(data.csv(gen).toArray());
    expect(genErr).toBeInstanceOf(nr.IOError);
    expect(genErr.message).toBe('data.csv: reading the stream failed after 8 bytes [Error: connection reset]');
    const node = new Readable({ read() {} });
    node.push(Buffer.from('a\n1\n'));
    setTimeout(() => node.destroy(new Error('EIO: i/o error')), 5);
    const nodeErr = await failure(data.csv(node).toArray());
    expect(nodeErr).toBeInstanceOf(nr.IOError);
    expect(nodeErr.message).toBe('data.csv: reading the stream failed after 4 bytes [Error: EIO: i/o error]');
    // The tester's case: a stream that errors before its first byte.
    const none = await failure(data.csv(new ReadableStream({ pull: (c) => c.error(new Error('socket reset')) })).toArray());
    expect(none).toBeInstanceOf(nr.IOError);
    expect(none.message).toBe('data.csv: reading the stream failed after 0 bytes [Error: socket reset]');
  });

  it('a parse error mid-stream cancels the rest of the stream', async () => {
    const cancel = vi.fn();
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          c.enqueue(enc(pulls++ === 0 ? 'a,b\n1,2\n3\n' : '4,5\n'.repeat(100)));
        },
        cancel,
      },
      { highWaterMark: 0 },
    );
    expect((await failure(data.csv(stream).toArray())).message).toBe('data.csv: line 3 has 1 field but the CSV has 2 columns (a, b)');
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(stream.locked).toBe(false);
  });

  it('take(2) on an endless stream reads a chunk or two and cancels it; a Node stream is destroyed', async () => {
    const cancel = vi.fn();
    let pulls = 0;
    const rows = enc('1,2\n'.repeat(1000));
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          c.enqueue(pulls++ === 0 ? enc('a,b\n') : rows);
        },
        cancel,
      },
      { highWaterMark: 0 },
    );
    expect(await data.csv(endless).take(2).toArray()).toEqual([{ a: 1, b: 2 }, { a: 1, b: 2 }]);
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(pulls).toBeLessThanOrEqual(3);
    expect(endless.locked).toBe(false);
    // A for-await loop that breaks does the same.
    const node = Readable.from((function* () {
      yield Buffer.from('a,b\n');
      for (;;) yield Buffer.from(rows);
    })());
    for await (const row of await data.csv(node).iterator()) {
      expect(row).toEqual({ a: 1, b: 2 });
      break;
    }
    expect(node.destroyed).toBe(true);
  });

  describe('over HTTP', () => {
    let server: Server;
    let base = '';
    let written = 0;
    let closed: Promise<void> = Promise.resolve();

    beforeAll(async () => {
      // An endless CSV (up to 64 MB), written as fast as the client reads it; `closed` resolves when the client hangs up.
      server = createServer((req, res) => {
        if (req.url === '/cut.csv') {
          // A connection that drops after two rows.
          res.writeHead(200, { 'content-type': 'text/csv', 'content-length': 1000 });
          res.write('a,b\n1,2\n3,4\n');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        }
        written = 0;
        closed = new Promise((resolve) => res.on('close', () => resolve()));
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.write('a,b\n');
        const block = '1,2\n'.repeat(4096);
        const more = (): void => {
          while (written < 64e6 && !res.destroyed) {
            written += block.length;
            if (!res.write(block)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('a URL is streamed: take(3) and columnNames() stop the download', async () => {
      expect(await data.csv(`${base}/big.csv`).take(3).toArray()).toEqual([{ a: 1, b: 2 }, { a: 1, b: 2 }, { a: 1, b: 2 }]);
      await closed;
      expect(written).toBeLessThan(32e6);
      expect(await data.csv(`${base}/big.csv`).columnNames()).toEqual(['a', 'b']);
      await closed;
      expect(written).toBeLessThan(32e6);
      // A Response is streamed the same way.
      expect(await data.csv(await fetch(`${base}/big.csv`)).take(1).toArray()).toEqual([{ a: 1, b: 2 }]);
      await closed;
      expect(written).toBeLessThan(32e6);
    });

    it('a dropped connection: the rows before it, then an error naming the URL and how far it got', async () => {
      const it = await data.csv(`${base}/cut.csv`).iterator();
      expect(await it.next()).toEqual({ value: { a: 1, b: 2 }, done: false });
      expect(await it.next()).toEqual({ value: { a: 3, b: 4 }, done: false });
      const e = await failure(it.next());
      expect(e).toBeInstanceOf(nr.IOError);
      expect(e.message).toMatch(new RegExp(`^data\\.csv: reading ${base.replace(/[./]/g, '\\$&')}/cut\\.csv failed after 12 bytes \\[TypeError: terminated.*\\]$`));
    });

    it("a Response whose body is locked by another reader is an error saying so", async () => {
      const res = await fetch(`${base}/cut.csv`);
      const reader = res.body!.getReader();
      expect((await failure(data.csv(res).toArray())).message).toBe("data.csv: the Response's body is being read elsewhere (its body stream is locked); pass a fresh Response (or response.clone())");
      await reader.cancel();
    });
  });
});

describe('data.csv memory', () => {
  it('a 50 MB stream is read with a live heap that does not grow with the file', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const row = '0.123456,-7.5,"quoted, text",42,abc\n';
    const block = enc(row.repeat(Math.floor(65536 / row.length)));
    const total = 50 * 2 ** 20;
    let sent = 0;
    let nextCheck = 0;
    const heap: number[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (sent === 0) c.enqueue(enc('x,y,note,n,s\n'));
          if (sent >= total) return c.close();
          if (sent >= nextCheck) {
            gc();
            heap.push(process.memoryUsage().heapUsed - before);
            nextCheck += 5 * 2 ** 20;
          }
          c.enqueue(block);
          sent += block.length;
        },
      },
      { highWaterMark: 0 },
    );
    let rows = 0;
    await data.csv(stream).forEachAsync(() => void rows++);
    expect(rows).toBe(Math.ceil(total / block.length) * Math.floor(65536 / row.length));
    expect(heap.length).toBeGreaterThanOrEqual(10);
    // The file is 50 MB (100 MB as a JS string); what stays live is a window and a row (~3 MB
    // measured, with the dataset code).
    expect(Math.max(...heap)).toBeLessThan(8 * 2 ** 20);
  });
});

describe('data.csv passes left open', () => {
  it.runIf(existsSync('/proc/self/fd'))('a pass dropped without return() closes its file when collected (a peek loop ran out of file descriptors)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const dir = mkdtempSync(join(tmpdir(), 'neurite-csv-fd-'));
    const file = join(dir, 'peek.csv');
    writeFileSync(file, 'a,b\n1,2\n3,4\n');
    const open = () => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) === file; } catch { return false; } }).length;
    const ds = data.csv(pathToFileURL(file).href);
    const peek = async (): Promise<unknown> => {
      const it = await ds.iterator();
      return (await it.next()).value; // and the iterator is dropped
    };
    for (let i = 0; i < 30; i++) expect(await peek()).toEqual({ a: 1, b: 2 });
    expect(open()).toBe(30);
    for (let i = 0; i < 20 && open() > 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(open()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('data.csv stream types', () => {
  it('the sources a Node, Deno or browser program has type-check as a CSVSource', () => {
    const typed = (path: string, res: Response): data.CSVSource[] => [
      createReadStream(path),
      Readable.from([Buffer.from('a\n')]),
      new Blob(['a\n']).stream(),
      res.body!,
      new ReadableStream<Uint8Array>(),
      cutAt(enc('a\n'), 1),
      () => createReadStream(path),
      () => fetch(path),
      async () => new Uint8Array(0),
      // @ts-expect-error: a stream of strings is not a CSV source (decode nothing twice)
      new ReadableStream<string>(),
    ];
    expect(typeof typed).toBe('function');
  });
});
