/**
 * The CSV reader behind `data.csv` (see `csv.ts`), in the dataset chunk loaded when the first
 * pass starts (see `lazy.ts`): decoding the source's chunks as UTF-8 as they come
 * (`csv_source.ts` reads them), splitting the text into records (RFC 4180 quoting) across chunk
 * boundaries, checking the columns against the config and making each row's element. A pass
 * holds the text window being read (about one chunk, more only for a record longer than that)
 * and the row it makes, whatever the file's size.
 */
import { InvalidArgumentError } from '../errors.js';
import { didYouMean } from '../options.js';
import { done, LazyIterator, type Next } from './iterator.js';
import { checkSource, listNames, repeatedName, sourceKind, type ColumnPlan, type CSVInput, type CSVPlan, type CSVValue } from './csv.js';
import { openChunks, type ByteChunks } from './csv_source.js';
import { describeElement } from './describe.js';

/** A record: its fields and the (1-based) line it starts on. */
export interface CSVRecord {
  fields: string[];
  line: number;
}

/**
 * The most bytes decoded at once: a larger chunk (bytes given whole, a stream's big chunk) is
 * decoded in windows of this size, so the text a pass holds stays near it.
 */
const WINDOW = 1 << 16;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** The end of the spaces and tabs from `i`. */
function skipBlanks(t: string, i: number, n: number): number {
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c !== SPACE && c !== TAB) break;
    i++;
  }
  return i;
}

/**
 * Whether a line ends at `i` of the `n` characters of `t`: 1 at LF, CRLF or a lone CR (classic
 * Mac OS line ends, as Python's `csv` reads them); 2 at the end of the text; 0 elsewhere; -1
 * when it cannot be told yet (the end of the text read so far, or a CR there — it may be the
 * first half of a CRLF split between two chunks — before the source's end).
 */
function eolAt(t: string, i: number, n: number, final: boolean): number {
  if (i >= n) return final ? 2 : -1;
  const c = t.charCodeAt(i);
  if (c === LF) return 1;
  if (c !== CR) return 0;
  return i + 1 < n || final ? 1 : -1;
}

/** The line breaks in `s`, a quoted field's text before a quote: LFs, CRLFs and lone CRs. */
function lineBreaks(s: string): number {
  let count = 0;
  for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) count++;
  for (let k = s.indexOf('\r'); k >= 0; k = s.indexOf('\r', k + 1)) if (s.charCodeAt(k + 1) !== LF) count++;
  return count;
}

/**
 * @internal Reads records from a source's bytes one at a time (RFC 4180), decoding them as
 * UTF-8 as they come (a byte-order mark at the start is skipped; a character split between two
 * chunks is whole): fields are separated by `delimiter` (or, when it is `null`, by runs of
 * spaces and tabs, leading and trailing ones ignored) and records by LF, CRLF or a lone CR
 * (classic Mac OS files, as Python's `csv`; a CRLF split between two chunks is one line end); a
 * field that starts with `"` is quoted — it may hold delimiters, line breaks (a CR is kept) and
 * doubled quotes (`""` for `"`), and text after its closing quote is kept (as Python's `csv`).
 * Blank lines are skipped.
 *
 * The text read so far is a window: {@link CSVReader.take} gives the next record when the
 * window holds all of it, and {@link CSVReader.fill} moves the window on (keeping the part of a
 * record not read yet). A record is read from its start again when it did not fit, so `fill`
 * at least doubles what is left, and a record spanning many chunks costs a few reads of it.
 */
export class CSVReader {
  #text = '';
  #pos = 0;
  /** The line the next record starts on (1-based). */
  #line = 1;
  /** Whether the source has ended: `#text` holds the rest of the CSV. */
  #ended = false;
  readonly #decoder = new TextDecoder('utf-8');
  /** Whether a non-empty chunk has come (the first is checked for a UTF-16 byte-order mark). */
  #sawFirst = false;
  /** The part of the last chunk not decoded yet. */
  #chunk: Uint8Array | null = null;
  #at = 0;
  /**
   * After a fill that kept the start of a record: the text it added, which begins at `#joint` of
   * `#text`. The joined string is read only up to there: V8 reads a flat string (what
   * `TextDecoder` gives) faster than a joined one.
   */
  #added: string | null = null;
  #joint = 0;
  /** The delimiter's char code, or -1 for runs of spaces and tabs. */
  readonly #delim: number;

  constructor(private readonly chunks: ByteChunks, delimiter: string | null, private readonly op: string) {
    this.#delim = delimiter === null ? -1 : delimiter.charCodeAt(0);
  }

  /**
   * The next non-blank record; `null` at the end of the CSV; `undefined` when the text read so
   * far ends inside it (call {@link CSVReader.fill}, then again).
   */
  take(): CSVRecord | null | undefined {
    for (;;) {
      if (this.#added !== null && this.#pos >= this.#joint) {
        // Past the record that did not fit: read the decoded text itself, a flat string.
        this.#text = this.#added;
        this.#pos -= this.#joint;
        this.#added = null;
      }
      if (this.#pos >= this.#text.length) return this.#ended ? null : undefined;
      const line = this.#line;
      const fields = this.#record();
      if (fields === undefined) {
        this.#line = line;
        return undefined;
      }
      if (fields.length > 0) return { fields, line };
    }
  }

  /** The next non-blank record, or `null` at the end of the CSV (reading the source as needed). */
  async next(): Promise<CSVRecord | null> {
    let r = this.take();
    while (r === undefined) {
      await this.fill();
      r = this.take();
    }
    return r;
  }

  /**
   * Reads on: keeps the text not taken yet and adds at least as much again from the source
   * (all of it when the source ends).
   */
  async fill(): Promise<void> {
    const rest = this.#text.length - this.#pos;
    let add = '';
    while (!this.#ended && add.length <= rest) {
      if (this.#chunk === null) {
        const chunk = await this.chunks.next();
        if (chunk === null) {
          add += this.#decoder.decode();
          this.#ended = true;
          break;
        }
        // A UTF-16 file (Excel's "Unicode text") read as UTF-8 would be fields of U+FFFD and NULs.
        if (!this.#sawFirst && chunk.length > 0) {
          this.#sawFirst = true;
          if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
            const le = chunk[0] === 0xff;
            throw new InvalidArgumentError(`data.csv: the source starts with a UTF-16${le ? 'LE' : 'BE'} byte-order mark (${le ? 'FF FE' : 'FE FF'}); data.csv reads UTF-8: save the file as UTF-8 (Excel: "CSV UTF-8"), or decode it first, data.csv(new TextEncoder().encode(new TextDecoder('utf-16${le ? 'le' : 'be'}').decode(bytes)))`);
          }
        }
        this.#chunk = chunk;
        this.#at = 0;
      }
      const end = Math.min(this.#chunk.length, this.#at + WINDOW);
      add += this.#decoder.decode(this.#chunk.subarray(this.#at, end), { stream: true });
      this.#at = end;
      if (end >= this.#chunk.length) this.#chunk = null;
    }
    if (rest > 0) {
      this.#text = this.#text.slice(this.#pos) + add;
      this.#added = add;
      this.#joint = rest;
    } else {
      this.#text = add;
      this.#added = null;
    }
    this.#pos = 0;
  }

  /** Stops reading: frees the source (cancels a stream). */
  close(): Promise<void> {
    this.#chunk = null;
    return this.chunks.close();
  }

  /**
   * The fields of the record at the position (none for a blank line), moving past its line end;
   * `undefined`, moving nothing, when the text read so far ends before the record does. (Small,
   * with the scans in functions of their own, so that V8 inlines it into the pass's `pull`.)
   */
  #record(): string[] | undefined {
    const t = this.#text;
    const n = t.length;
    const final = this.#ended;
    const d = this.#delim;
    const fields: string[] = [];
    let i = d < 0 ? skipBlanks(t, this.#pos, n) : this.#pos;
    let eol = eolAt(t, i, n, final);
    if (eol < 0) return undefined;
    while (eol === 0) {
      let value = '';
      if (t.charCodeAt(i) === QUOTE) {
        const quoted = this.#quoted(t, i + 1, final);
        if (quoted === undefined) return undefined;
        value = quoted;
        i = this.#after;
      }
      const end = fieldEnd(t, i, n, final, d);
      if (end < 0) return undefined;
      value += t.slice(i, end);
      fields.push(value);
      i = d < 0 ? skipBlanks(t, end, n) : end;
      eol = eolAt(t, i, n, final);
      if (eol < 0) return undefined;
      if (eol === 0 && d >= 0) i++; // past the delimiter
    }
    if (i < n) {
      // eolAt told the line end: a CR here is followed by more text, or is the source's last.
      i += t.charCodeAt(i) === CR && i + 1 < n && t.charCodeAt(i + 1) === LF ? 2 : 1;
      this.#line++;
    }
    this.#pos = i;
    return fields;
  }

  /** Where the last quoted field ended: just past its closing quote. */
  #after = 0;

  /**
   * The value of the quoted field whose text starts at `i` (past its opening quote), with the
   * lines it spans counted and {@link CSVReader.#after} set; `undefined` when the text read so
   * far ends inside it.
   */
  #quoted(t: string, i: number, final: boolean): string | undefined {
    const opened = this.#line;
    let value = '';
    for (;;) {
      const j = t.indexOf('"', i);
      if (j < 0) {
        if (!final) return undefined;
        throw new InvalidArgumentError(`${this.op}: unterminated quoted field: the '"' opened on line ${opened} is never closed`);
      }
      const part = t.slice(i, j);
      this.#line += lineBreaks(part);
      value += part;
      i = j + 1;
      if (i >= t.length && !final) return undefined; // a '"' next would be a doubled quote
      if (t.charCodeAt(i) !== QUOTE) break;
      value += '"';
      i++;
    }
    this.#after = i;
    return value;
  }
}

/**
 * The end of the unquoted text from `i` of the `n` characters of `t`: the next delimiter (`d`,
 * or a space or tab when `d` is -1) or line end (LF or CR, a lone one too); -1 when the text
 * read so far ends first, before the source's end.
 */
function fieldEnd(t: string, i: number, n: number, final: boolean, d: number): number {
  if (d >= 0) {
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === d || c === LF || c === CR) return i;
      i++;
    }
  } else {
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === SPACE || c === TAB || c === LF || c === CR) return i;
      i++;
    }
  }
  return final ? n : -1;
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
      throw new InvalidArgumentError(`${op}: columnNames has ${names.length} names but the header line has ${header.length} columns (${listNames(header)})`);
    }
    if (names === null) {
      const dup = repeatedName(header);
      if (dup !== undefined) throw new InvalidArgumentError(`${op}: the header line names the column '${dup}' twice; column names must differ (give columnNames to rename them)`);
      names = header;
    }
  }
  const all = names as string[];
  if (p.columnConfigs.size > 0) {
    const known = new Set(all);
    for (const key of p.columnConfigs.keys()) {
      if (!known.has(key)) throw new InvalidArgumentError(`${op}: columnConfigs has the column '${key}', which the CSV does not have${didYouMean(key, all)} (columns: ${listNames(all)})`);
    }
  }
  const columns = all.map((name, index) => ({ index, name, config: p.columnConfigs.get(name) })).filter((c) => !p.configuredColumnsOnly || c.config !== undefined);
  return { names: all, columns, labeled: columns.some((c) => c.config?.isLabel === true) };
}

/**
 * The cells that mean a missing value, as pandas's `read_csv` reads them (its default
 * `na_values`, the empty field aside, which keeps TF.js's rule): compared with the field's
 * text without surrounding spaces, case and all.
 */
const MISSING = new Set(['NaN', 'nan', '-NaN', '-nan', 'NA', '<NA>', '#NA', 'N/A', 'n/a', '#N/A', '#N/A N/A', 'NULL', 'null', 'None', '1.#IND', '-1.#IND', '1.#QNAN', '-1.#QNAN']);

/** The value of field `raw` of column `name` on line `line`. */
function parseValue(op: string, raw: string, name: string, config: ColumnPlan | undefined, line: number): CSVValue {
  const where = `line ${line}, column '${name}'`;
  const dtype = config?.dtype;
  // A missing value: an empty field, or (but in a 'string' column) a cell such as NaN or NA.
  const na = raw !== '' && dtype !== 'string' && MISSING.has(raw.trim());
  if (raw === '' || na) {
    const cell = na ? `${JSON.stringify(raw)} (a missing value)` : 'empty';
    if (config?.default !== undefined) return config.default;
    if (config?.required) throw new InvalidArgumentError(`${op}: ${where} is ${cell} but the column is required (give it a default, or required: false)`);
    if (config?.isLabel) throw new InvalidArgumentError(`${op}: ${where} is ${cell} but the column is a label, and a label is required unless it has a default (as TF.js); to drop such rows, give it default: NaN and filter them out: columnConfigs: { ${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}: { isLabel: true, default: NaN } }, then .filter(({ ys }) => !Number.isNaN(ys.${/^[A-Za-z_$][\w$]*$/.test(name) ? name : `[${JSON.stringify(name)}]`}))`);
    // NaN where the value is a number (as pandas); TF.js's undefined for an empty field of a
    // column without a dtype.
    return na || (dtype !== undefined && dtype !== 'string') ? NaN : undefined;
  }
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

/**
 * Closes the source of a pass dropped without being closed (`await ds.iterator()` then
 * `next()`, and the iterator forgotten): its file or connection stays open otherwise, and a
 * process that peeks at a CSV in a loop runs out of file descriptors.
 */
const abandoned = new FinalizationRegistry<CSVReader>((reader) => void reader.close().catch(() => {}));

/** A pass over the records of a CSV source: one element per row. Closing it early (`take`, `break`) or a failure stops reading the source. */
class CSVIterator<T> extends LazyIterator<T> {
  constructor(private readonly reader: CSVReader, private readonly layout: Layout, private readonly p: CSVPlan) {
    super();
    abandoned.register(this, reader, this);
  }

  protected async pull(): Promise<Next<T>> {
    let r = this.reader.take();
    while (r === undefined) {
      await this.reader.fill();
      r = this.reader.take();
    }
    if (r === null) return done();
    const { names, columns, labeled } = this.layout;
    const { op } = this.p;
    if (r.fields.length !== names.length) {
      const f = r.fields;
      const hint = f.length === 1 && names.length > 1 ? [';', '\t', '|'].find((d) => d !== this.p.delimiter && f[0].includes(d)) : undefined;
      throw new InvalidArgumentError(
        `${op}: line ${r.line} has ${f.length} field${f.length === 1 ? '' : 's'} but the CSV has ${names.length} columns (${listNames(names)})${hint === undefined ? '' : ` — is the delimiter ${JSON.stringify(hint)}? (set delimiter)`}`,
      );
    }
    const xs: Record<string, CSVValue> = {};
    const ys: Record<string, CSVValue> = {};
    for (const { index, name, config } of columns) put(config?.isLabel ? ys : xs, name, parseValue(op, r.fields[index], name, config, r.line));
    return { value: (labeled ? { xs, ys } : xs) as T, done: false };
  }

  protected override async release(): Promise<void> {
    abandoned.unregister(this);
    await this.reader.close();
  }
}

/** A reader at the first row, and the header line's fields (`null` without a header). */
interface Opened {
  reader: CSVReader;
  header: string[] | null;
}

/** Starts reading `source` and, with a header, reads the header line (only that). */
async function open(p: CSVPlan, source: CSVInput): Promise<Opened> {
  const reader = new CSVReader(await openChunks(p.op, source), p.delimiter, p.op);
  try {
    let header: string[] | null = null;
    if (p.hasHeader) {
      const first = await reader.next();
      if (first === null) throw new InvalidArgumentError(`${p.op}: the CSV is empty: there is no header line (hasHeader is true)`);
      header = first.fields;
    }
    return { reader, header };
  } catch (err) {
    await reader.close();
    throw err;
  }
}

/**
 * A source that can be read once (a `Response`, a stream): the dataset that read it, its header,
 * and the reader `columnNames()` opened, kept at the first row for the first pass (`null` once a
 * pass took it). A second pass is an error, not an empty one.
 */
interface Once {
  plan: CSVPlan;
  header: Promise<string[] | null>;
  parked: Promise<Opened> | null;
}

/** The sources that can be read once and have been, by source. */
const onces = new WeakMap<object, Once>();

/** Starts the one read of a one-shot `source`, for `p`. */
function readOnce(p: CSVPlan, source: object): Once {
  const opened = open(p, source as CSVInput);
  const header = opened.then((o) => o.header);
  header.catch(() => {}); // the failure is reported by whoever awaits the reader or the header
  const once = { plan: p, header, parked: opened };
  onces.set(source, once);
  return once;
}

/** The error for a second read of a one-shot source. */
function readTwice(p: CSVPlan, source: object, made: boolean): InvalidArgumentError {
  const what = sourceKind(source) === 'response' ? "a Response's body" : 'a stream';
  if (made) return new InvalidArgumentError(`${p.op}: the source function returned a stream that was read before; ${what} can be read once, so the function must return a fresh one at each call`);
  const fresh = sourceKind(source) === 'response' ? 'a function returning a fresh Response (data.csv(() => fetch(url)))' : 'a function returning a fresh stream (data.csv(() => fs.createReadStream(path)))';
  return new InvalidArgumentError(`${p.op}: ${what} can be read once, and an earlier pass read this one: for more than one pass (epochs, repeat()), pass a URL, a Blob, bytes or ${fresh}`);
}

/** The source of a pass: the function's result, checked, when the source is a function. */
async function sourceOf(p: CSVPlan): Promise<{ source: CSVInput; made: boolean }> {
  if (typeof p.source !== 'function') return { source: p.source, made: false };
  const made = await p.source();
  const kind = sourceKind(made);
  if (kind === null || kind === 'function') {
    throw new InvalidArgumentError(`${p.op}: the source function must return a URL, the CSV's bytes, a Blob, a Response or a stream of byte chunks (or a Promise of one), got ${describeElement(made)}`);
  }
  return { source: checkSource(p.op, made) as CSVInput, made: true };
}

const oneShot = (source: CSVInput): source is CSVInput & object => {
  const kind = sourceKind(source);
  return kind === 'response' || kind === 'stream' || kind === 'iterable';
};

/** The reader of a one-shot source's one read (the one `columnNames()` opened, if it did); a second is an error. */
function takeOnce(p: CSVPlan, source: CSVInput & object, made: boolean): Promise<Opened> {
  const once = onces.get(source) ?? readOnce(p, source);
  if (once.plan !== p || once.parked === null) throw readTwice(p, source, made);
  const opened = once.parked;
  once.parked = null;
  return opened;
}

/** @internal A pass of `data.csv`: reads the source anew (a one-shot source once) and gives its rows. */
export async function csvPass<T>(p: CSVPlan): Promise<LazyIterator<T>> {
  const { source, made } = await sourceOf(p);
  const { reader, header } = await (oneShot(source) ? takeOnce(p, source, made) : open(p, source));
  let l: Layout;
  try {
    l = layout(p, header);
  } catch (err) {
    await reader.close();
    throw err;
  }
  return new CSVIterator<T>(reader, l, p);
}

/**
 * @internal `CSVDataset.columnNames()`: reads the header line when there is one (and no more).
 * A one-shot source's reader is kept at the first row for the first pass; one that a source
 * function made is closed, as a re-readable source's.
 */
export async function csvColumnNames(p: CSVPlan): Promise<string[]> {
  const names = (header: string[] | null): string[] => layout(p, header).columns.map((c) => c.name);
  if (!p.hasHeader) return names(null);
  const { source, made } = await sourceOf(p);
  if (oneShot(source) && !made) {
    const once = onces.get(source) ?? readOnce(p, source);
    if (once.plan !== p) throw readTwice(p, source, made);
    return names(await once.header);
  }
  const { reader, header } = await (oneShot(source) ? takeOnce(p, source, made) : open(p, source));
  await reader.close();
  return names(header);
}
