/**
 * The CSV reader behind `data.csv` (see `csv.ts`), in the dataset chunk loaded when the first
 * pass starts (see `lazy.ts`): reading the source (fetching a URL, decoding bytes as UTF-8),
 * splitting the text into records (RFC 4180 quoting), checking the columns against the config
 * and making each row's element.
 */
import { InvalidArgumentError } from '../errors.js';
import { didYouMean } from '../options.js';
import { done, LazyIterator, type Next } from './iterator.js';
import type { ColumnPlan, CSVPlan, CSVSource, CSVValue } from './csv.js';

const isA = (v: unknown, name: string): boolean => {
  const C = (globalThis as Record<string, unknown>)[name];
  return typeof C === 'function' && v instanceof (C as new () => unknown);
};

/** The bytes of each `Response` source: a body can be read once, so later passes reuse them. */
const responses = new WeakMap<Response, Promise<ArrayBuffer>>();

const status = (res: Response): string => `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;

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

/** Fetches a URL source; a failure names the URL (and says what to do for a file). */
async function fetchBytes(op: string, input: string | URL | Request): Promise<ArrayBuffer> {
  const url = typeof input === 'string' ? input : isA(input, 'URL') ? (input as URL).href : (input as Request).url;
  let res: Response;
  try {
    res = await fetch(isA(input, 'Request') ? (input as Request).clone() : input);
  } catch (e) {
    const err = e as { name?: string; message?: string; cause?: { message?: string } };
    const why = `[${err?.name ?? 'Error'}: ${err?.message ?? String(e)}${err?.cause?.message ? `: ${err.cause.message}` : ''}]`;
    if (/^file:/i.test(url)) {
      throw new InvalidArgumentError(`${op}: cannot fetch ${url}: this runtime's fetch does not read file: URLs (Node's does not); pass the file's bytes instead, e.g. data.csv(await fs.readFile(path)) ${why}`);
    }
    const relative = !/^[a-z][a-z0-9+.-]*:/i.test(url) && typeof (globalThis as { location?: unknown }).location === 'undefined';
    const hint = relative ? ' (a string source is a URL, as in TF.js; to read a local file pass its bytes, e.g. data.csv(await fs.readFile(path)))' : '';
    throw new InvalidArgumentError(`${op}: fetching ${url} failed ${why}${hint}`);
  }
  if (!res.ok) throw new InvalidArgumentError(`${op}: fetching ${url} failed: ${status(res)}`);
  try {
    checkNotHTML(op, `fetching ${url}`, res);
  } catch (e) {
    await res.body?.cancel().catch(() => {}); // the page is not read: free the connection
    throw e;
  }
  return res.arrayBuffer();
}

/** The bytes of a source, read anew (a `Response` only once). */
async function sourceBytes(op: string, source: CSVSource): Promise<ArrayBuffer | Uint8Array> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  if (isA(source, 'Response')) {
    const res = source as Response;
    let p = responses.get(res);
    if (p === undefined) {
      if (!res.ok) throw new InvalidArgumentError(`${op}: the Response${res.url ? ` from ${res.url}` : ''} is ${status(res)}, not a CSV`);
      if (res.bodyUsed) throw new InvalidArgumentError(`${op}: the Response's body was already read; pass a fresh Response (or response.clone())`);
      checkNotHTML(op, `the Response${res.url ? ` from ${res.url}` : ''}`, res);
      p = res.arrayBuffer();
      responses.set(res, p);
      p.catch(() => responses.delete(res));
    }
    return p;
  }
  if (isA(source, 'Blob')) return (source as Blob).arrayBuffer();
  return fetchBytes(op, source as string | URL | Request);
}

/** A record: its fields and the (1-based) line it starts on. */
export interface CSVRecord {
  fields: string[];
  line: number;
}

/**
 * @internal Reads records from CSV text one at a time (RFC 4180): fields are separated by
 * `delimiter` (or, when it is `null`, by runs of spaces and tabs, leading and trailing ones
 * ignored) and records by LF or CRLF; a field that starts with `"` is quoted — it may hold
 * delimiters, line breaks and doubled quotes (`""` for `"`), and text after its closing quote
 * is kept (as Python's `csv`). Blank lines are skipped.
 */
export class CSVReader {
  #pos = 0;
  /** The line the next record starts on (1-based). */
  #line = 1;
  constructor(private readonly text: string, private readonly delimiter: string | null, private readonly op: string) {}

  /** The next non-blank record, or `null` at the end of the text. */
  next(): CSVRecord | null {
    while (this.#pos < this.text.length) {
      const line = this.#line;
      const fields = this.#record();
      if (fields.length > 0) return { fields, line };
    }
    return null;
  }

  /** Whether a line ends at `i` (LF, CRLF, or a CR that ends the text). */
  #eol(i: number): boolean {
    const c = this.text[i];
    return c === '\n' || (c === '\r' && (i + 1 === this.text.length || this.text[i + 1] === '\n'));
  }

  #isDelimiter(c: string): boolean {
    return this.delimiter === null ? c === ' ' || c === '\t' : c === this.delimiter;
  }

  #skipBlanks(i: number): number {
    if (this.delimiter === null) while (this.text[i] === ' ' || this.text[i] === '\t') i++;
    return i;
  }

  /** The end of the unquoted text from `i`: the next delimiter, line end or the end of the text. */
  #fieldEnd(i: number): number {
    const n = this.text.length;
    while (i < n && !this.#isDelimiter(this.text[i]) && !this.#eol(i)) i++;
    return i;
  }

  /** The fields of the record at the position (none for a blank line); moves past its line end. */
  #record(): string[] {
    const t = this.text;
    const n = t.length;
    const fields: string[] = [];
    let i = this.#skipBlanks(this.#pos);
    if (i < n && !this.#eol(i)) {
      for (;;) {
        let value = '';
        if (t[i] === '"') {
          const opened = this.#line;
          i++;
          for (;;) {
            const j = t.indexOf('"', i);
            if (j < 0) throw new InvalidArgumentError(`${this.op}: unterminated quoted field: the '"' opened on line ${opened} is never closed`);
            const part = t.slice(i, j);
            for (let k = part.indexOf('\n'); k >= 0; k = part.indexOf('\n', k + 1)) this.#line++;
            value += part;
            i = j + 1;
            if (t[i] !== '"') break;
            value += '"';
            i++;
          }
        }
        const end = this.#fieldEnd(i);
        value += t.slice(i, end);
        fields.push(value);
        i = this.#skipBlanks(end);
        if (i >= n || this.#eol(i)) break;
        if (this.delimiter !== null) i++;
      }
    }
    if (i < n) {
      i += t[i] === '\r' ? 2 : 1;
      this.#line++;
    }
    this.#pos = i;
    return fields;
  }
}

/** The columns of a pass: every name, and those the elements hold with their configs. */
interface Layout {
  names: string[];
  columns: Array<{ index: number; name: string; config: ColumnPlan | undefined }>;
  labeled: boolean;
}

/** Checks the column names (given, or the header's) against the config. */
function layout(p: CSVPlan, header: string[] | null): Layout {
  const { op } = p;
  let names = p.columnNames;
  if (header !== null) {
    if (names !== null && names.length !== header.length) {
      throw new InvalidArgumentError(`${op}: columnNames has ${names.length} names but the header line has ${header.length} columns (${header.join(', ')})`);
    }
    if (names === null) {
      const dup = header.find((h, i) => header.indexOf(h) !== i);
      if (dup !== undefined) throw new InvalidArgumentError(`${op}: the header line names the column '${dup}' twice; column names must differ (give columnNames to rename them)`);
      names = header;
    }
  }
  const all = names as string[];
  for (const key of p.columnConfigs.keys()) {
    if (!all.includes(key)) throw new InvalidArgumentError(`${op}: columnConfigs has the column '${key}', which the CSV does not have${didYouMean(key, all)} (columns: ${all.join(', ')})`);
  }
  const columns = all.map((name, index) => ({ index, name, config: p.columnConfigs.get(name) })).filter((c) => !p.configuredColumnsOnly || c.config !== undefined);
  return { names: all, columns, labeled: columns.some((c) => c.config?.isLabel === true) };
}

/** The value of field `raw` of column `name` on line `line`. */
function parseValue(op: string, raw: string, name: string, config: ColumnPlan | undefined, line: number): CSVValue {
  const where = `line ${line}, column '${name}'`;
  if (raw === '') {
    if (config?.default !== undefined) return config.default;
    if (config?.required) throw new InvalidArgumentError(`${op}: ${where} is empty but the column is required (give it a default, or required: false)`);
    if (config?.isLabel) throw new InvalidArgumentError(`${op}: ${where} is empty but the column is a label, and a label is required unless it has a default (as TF.js)`);
    return undefined;
  }
  const dtype = config?.dtype;
  if (dtype === 'string') return raw;
  if (dtype === 'bool') {
    const b = raw.trim().toLowerCase();
    if (b === 'true' || b === '1') return 1;
    if (b === 'false' || b === '0') return 0;
    throw new InvalidArgumentError(`${op}: ${where}: ${JSON.stringify(raw)} is not a boolean (the column's dtype is bool: true, false, 1 or 0)`);
  }
  const num = raw.trim() === '' ? NaN : Number(raw);
  if (dtype === undefined) return Number.isNaN(num) ? raw : num;
  if (Number.isNaN(num)) throw new InvalidArgumentError(`${op}: ${where}: ${JSON.stringify(raw)} is not a number (the column's dtype is ${dtype})`);
  return dtype === 'int32' ? Math.floor(num) : num;
}

/** Sets `o[key]` as an own property (a column may be named `__proto__`). */
function put(o: Record<string, CSVValue>, key: string, v: CSVValue): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}

/** A pass over the records of a CSV text: one element per row. */
class CSVIterator<T> extends LazyIterator<T> {
  constructor(private readonly reader: CSVReader, private readonly layout: Layout, private readonly p: CSVPlan) {
    super();
  }

  protected async pull(): Promise<Next<T>> {
    const r = this.reader.next();
    if (r === null) return done();
    const { names, columns, labeled } = this.layout;
    const { op } = this.p;
    if (r.fields.length !== names.length) {
      const f = r.fields;
      const hint = f.length === 1 && names.length > 1 ? [';', '\t', '|'].find((d) => d !== this.p.delimiter && f[0].includes(d)) : undefined;
      throw new InvalidArgumentError(
        `${op}: line ${r.line} has ${f.length} field${f.length === 1 ? '' : 's'} but the CSV has ${names.length} columns (${names.join(', ')})${hint === undefined ? '' : ` — is the delimiter ${JSON.stringify(hint)}? (set delimiter)`}`,
      );
    }
    const xs: Record<string, CSVValue> = {};
    const ys: Record<string, CSVValue> = {};
    for (const { index, name, config } of columns) put(config?.isLabel ? ys : xs, name, parseValue(op, r.fields[index], name, config, r.line));
    return { value: (labeled ? { xs, ys } : xs) as T, done: false };
  }
}

/** Reads the source and, with a header, the header line: the reader at the first row, and the layout. */
async function start(p: CSVPlan): Promise<{ reader: CSVReader; layout: Layout }> {
  const bytes = await sourceBytes(p.op, p.source);
  const reader = new CSVReader(new TextDecoder('utf-8').decode(bytes), p.delimiter, p.op);
  let header: string[] | null = null;
  if (p.hasHeader) {
    const first = reader.next();
    if (first === null) throw new InvalidArgumentError(`${p.op}: the CSV is empty: there is no header line (hasHeader is true)`);
    header = first.fields;
  }
  return { reader, layout: layout(p, header) };
}

/** @internal A pass of `data.csv`: reads the source anew and gives its rows. */
export async function csvPass<T>(p: CSVPlan): Promise<LazyIterator<T>> {
  const { reader, layout: l } = await start(p);
  return new CSVIterator<T>(reader, l, p);
}

/** @internal `CSVDataset.columnNames()`: reads the header when there is one. */
export async function csvColumnNames(p: CSVPlan): Promise<string[]> {
  const l = p.hasHeader ? (await start(p)).layout : layout(p, null);
  return l.columns.map((c) => c.name);
}
