/**
 * `data.csv`: TF.js's `tf.data.csv` — a {@link Dataset} of the rows of a CSV file, one plain
 * object per row keyed by column name, or `{ xs, ys }` when some column is a label.
 *
 * This module is in the main bundle and only checks the arguments and records them (as the
 * other dataset makers do); reading the source chunk by chunk (`csv_source.ts`), parsing the
 * CSV and making the elements (`csv_parse.ts`) are in the dataset chunk loaded when the first
 * pass starts (see `lazy.ts`).
 */
import { InvalidArgumentError } from '../errors.js';
import { isA } from '../runtime.js';
import { didYouMean, unknownOption, optionKeys } from '../options.js';
import { Dataset } from './dataset.js';
import { describeElement, isPlainObject } from './describe.js';
import { dataChunk } from './lazy.js';
import type { WebBlob, WebRequest, WebResponse, WebURL } from '../web-types.js';

/**
 * A column's type, as TF.js's `ColumnConfig.dtype`. neurite tensors are float32, so every
 * numeric type gives JS numbers: `'float32'` the number, `'int32'` the number rounded down
 * (`Math.floor`, as TF.js), `'bool'` 1 for `true`/`1` and 0 for `false`/`0`; `'string'` keeps
 * the text as it is.
 */
export type CSVDtype = 'float32' | 'int32' | 'bool' | 'string';

/** How one column is read, as TF.js's `ColumnConfig`. */
export interface ColumnConfig {
  /**
   * A missing value in this column (an empty field, or a cell such as `NaN` or `NA`, see
   * {@link csv}) is an error naming the line, the column and the cell. Default false.
   */
  required?: boolean | undefined;
  /**
   * The value of a missing value in this column (an empty field, or a cell such as `NaN` or
   * `NA`); without one, such a cell is `NaN`, or `undefined` for an empty field of a column
   * without a `dtype` (as TF.js).
   */
  default?: number | string | undefined;
  /**
   * The column is a label: each element becomes `{ xs: features, ys: labels }`. A label's empty
   * field is an error unless it has a `default` (as TF.js).
   */
  isLabel?: boolean | undefined;
  /**
   * How the values are parsed. Without it a value that parses as a number (`Number(value)`)
   * is that number and any other stays a string, as TF.js. With `'float32'`, `'int32'` or
   * `'bool'`, an empty field is `NaN` (TF.js: `undefined`), as a missing-value cell is in any
   * column; `'string'` keeps every cell's text (`'NA'` stays `'NA'`).
   */
  dtype?: CSVDtype | undefined;
}

/** How `data.csv` reads its source, as TF.js's `CSVConfig`. */
export interface CSVConfig {
  /** The first row holds the column names (and is not data). Default true. */
  hasHeader?: boolean | undefined;
  /**
   * The column names, in order: required when `hasHeader` is false; with a header, they replace
   * its names (and must be as many).
   */
  columnNames?: readonly string[] | undefined;
  /** Per-column settings, keyed by column name (which must be a column of the CSV). */
  columnConfigs?: { readonly [column: string]: ColumnConfig } | undefined;
  /** Only the columns in `columnConfigs` are read. Default false. */
  configuredColumnsOnly?: boolean | undefined;
  /** The one character between fields. Default `','`. */
  delimiter?: string | undefined;
  /**
   * Fields are separated by runs of spaces and tabs (leading and trailing ones ignored); then
   * `delimiter` must not be given.
   */
  delimWhitespace?: boolean | undefined;
}

/**
 * A stream of byte chunks read with `getReader()`: a `ReadableStream<Uint8Array>` (a
 * `Response`'s `body`, `blob.stream()`, Deno's `file.readable`, Node's `Readable.toWeb(…)`).
 */
export interface CSVByteStream {
  getReader(): {
    read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
    cancel(reason?: unknown): Promise<void>;
    releaseLock(): void;
  };
}

/**
 * What `data.csv` reads at a pass: a URL (fetched), the file's bytes, a `Blob`/`File`, a
 * `Response`, or a stream of byte chunks — a {@link CSVByteStream} (`ReadableStream`) or an
 * async iterable of `Uint8Array`s (a Node `Readable` such as `fs.createReadStream(path)`). A
 * `Response` and a stream can be read once.
 */
export type CSVInput = string | WebURL | WebRequest | Uint8Array | ArrayBuffer | WebBlob | WebResponse | CSVByteStream | AsyncIterable<Uint8Array>;

/**
 * What `data.csv` reads: a {@link CSVInput}, or a function that returns one (or a Promise of
 * one), called at each pass — how a stream gives more than one pass:
 * `data.csv(() => fs.createReadStream(path))`.
 */
export type CSVSource = CSVInput | (() => CSVInput | PromiseLike<CSVInput>);

/** @internal How a source is read: what {@link sourceKind} tells. */
export type SourceKind = 'url' | 'bytes' | 'blob' | 'response' | 'stream' | 'iterable' | 'function';

/** One field's value: a number, a string, a column's `default`, or `undefined` when empty. */
export type CSVValue = number | string | undefined;

/** One row, keyed by column name. */
export type CSVRow = { [column: string]: CSVValue };

/** An element of a CSV dataset with label columns: the features and the labels, by column name. */
export type CSVLabeledRow = { xs: CSVRow; ys: CSVRow };

/** An element of a CSV dataset whose config is not known to the type checker. */
export type CSVElement = CSVRow | CSVLabeledRow;

type LabelKind<L> = [L] extends [true] ? 'yes' : [L] extends [false | undefined] ? 'no' : 'maybe';
type LabelKinds<M> = { [K in keyof M]: LabelKind<M[K] extends { isLabel: infer L } ? L : undefined> }[keyof M];

/**
 * The element type for the config `C`: `{ xs, ys }` when a column of `columnConfigs` has
 * `isLabel: true`, a plain row when none has, and {@link CSVElement} when it cannot be told.
 */
export type CSVElementOf<C> = C extends { columnConfigs?: infer M }
  ? string extends keyof NonNullable<M>
    ? CSVElement
    : 'yes' extends LabelKinds<NonNullable<M>>
      ? CSVLabeledRow
      : 'maybe' extends LabelKinds<NonNullable<M>>
        ? CSVElement
        : CSVRow
  : CSVElement;

/** @internal A column's config, checked. */
export interface ColumnPlan {
  required: boolean;
  default: number | string | undefined;
  isLabel: boolean;
  dtype: CSVDtype | undefined;
}

/** @internal `data.csv`'s arguments, checked and copied: what a pass reads. */
export interface CSVPlan {
  op: string;
  source: CSVSource;
  hasHeader: boolean;
  columnNames: string[] | null;
  columnConfigs: Map<string, ColumnPlan>;
  configuredColumnsOnly: boolean;
  /** The delimiter, or `null` for runs of whitespace. */
  delimiter: string | null;
}

const CONFIG_KEYS = ['hasHeader', 'columnNames', 'columnConfigs', 'configuredColumnsOnly', 'delimiter', 'delimWhitespace'];
const COLUMN_KEYS = ['required', 'default', 'isLabel', 'dtype'];
const DTYPES: readonly CSVDtype[] = ['float32', 'int32', 'bool', 'string'];

/**
 * @internal The first name of `names` that an earlier one repeats (the one at the earliest
 * second occurrence), or `undefined` when they all differ. Linear: a header may have 100,000
 * columns.
 */
export function repeatedName(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}

/** The most column names an error message lists. */
const LISTED = 30;

/**
 * @internal Column names for an error message: all of them, or the first {@link LISTED} and
 * how many there are (a header may have 100,000 columns).
 */
export function listNames(names: readonly string[]): string {
  if (names.length <= LISTED) return names.join(', ');
  return `${names.slice(0, LISTED).join(', ')}, … (${names.length} in all)`;
}

function flag(op: string, name: string, v: unknown, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${op}: ${name} must be true or false, got ${describeElement(v)}`);
  return v;
}

/**
 * @internal How `v` is read, or `null` when it is no source: a `ReadableStream` (anything with
 * `getReader()`) is read through its reader, and another object with `Symbol.asyncIterator` (a
 * Node `Readable`) through its iterator.
 */
export function sourceKind(v: unknown): SourceKind | null {
  if (typeof v === 'string' || isA(v, 'URL') || isA(v, 'Request')) return 'url';
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return 'bytes';
  if (isA(v, 'Blob')) return 'blob';
  if (isA(v, 'Response')) return 'response';
  if (typeof v === 'function') return 'function';
  if (v === null || typeof v !== 'object') return null;
  if (typeof (v as { getReader?: unknown }).getReader === 'function') return 'stream';
  return typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function' ? 'iterable' : null;
}

const STREAMS = 'a stream of byte chunks also works: a ReadableStream, a Node Readable such as fs.createReadStream(path) or another async iterable';

/** @internal Checks a source: what `data.csv` can read. */
export function checkSource(op: string, source: unknown): CSVSource {
  if (typeof source === 'string' && source.includes('\n')) {
    throw new InvalidArgumentError(`${op}: source is a string, which is a URL to fetch (as TF.js), but ${describeElement(source)} looks like CSV text; to parse text, pass its bytes: data.csv(new TextEncoder().encode(text))`);
  }
  if (sourceKind(source) === null) {
    throw new InvalidArgumentError(`${op}: source must be a URL (a string or URL, fetched), the CSV's bytes (a Uint8Array or ArrayBuffer), a Blob or a Response, got ${describeElement(source)} (${STREAMS}; or a function returning a fresh source at each pass)`);
  }
  return source as CSVSource;
}

/** Checks one entry of `columnConfigs`. */
function checkColumn(op: string, name: string, c: unknown): ColumnPlan {
  const at = `columnConfigs[${JSON.stringify(name)}]`;
  if (!isPlainObject(c)) throw new InvalidArgumentError(`${op}: ${at} must be an object with required, default, isLabel or dtype, got ${describeElement(c)}`);
  for (const k of optionKeys(op, c)) if (!COLUMN_KEYS.includes(k)) throw unknownOption(op, k, COLUMN_KEYS, `${at} option`);
  const dtype = c.dtype;
  if (dtype !== undefined && !DTYPES.includes(dtype as CSVDtype)) {
    throw new InvalidArgumentError(`${op}: ${at}.dtype must be one of ${DTYPES.join(', ')}, got ${describeElement(dtype)}${didYouMean(dtype, DTYPES)}`);
  }
  const def = c.default;
  if (def !== undefined && typeof def !== 'number' && typeof def !== 'string') throw new InvalidArgumentError(`${op}: ${at}.default must be a number or a string, got ${describeElement(def)}`);
  return { required: flag(op, `${at}.required`, c.required, false), default: def, isLabel: flag(op, `${at}.isLabel`, c.isLabel, false), dtype: dtype as CSVDtype | undefined };
}

/** @internal Checks `data.csv`'s arguments (synchronously, as the other dataset makers do). */
export function planCSV(op: string, source: unknown, csvConfig: unknown): CSVPlan {
  const src = checkSource(op, source);
  if (csvConfig !== undefined && !isPlainObject(csvConfig)) throw new InvalidArgumentError(`${op}: csvConfig must be an object, got ${describeElement(csvConfig)}`);
  const cfg = (csvConfig ?? {}) as Record<string, unknown>;
  for (const k of optionKeys(op, cfg)) if (!CONFIG_KEYS.includes(k)) throw unknownOption(op, k, CONFIG_KEYS, 'csvConfig option');
  const hasHeader = flag(op, 'hasHeader', cfg.hasHeader, true);
  let columnNames: string[] | null = null;
  if (cfg.columnNames !== undefined) {
    const names = cfg.columnNames;
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new InvalidArgumentError(`${op}: columnNames must be an array of strings, got ${describeElement(names)}`);
    const dup = repeatedName(names as string[]);
    if (dup !== undefined) throw new InvalidArgumentError(`${op}: columnNames has the name '${dup}' twice; column names must differ`);
    columnNames = [...names];
  }
  if (!hasHeader && columnNames === null) throw new InvalidArgumentError(`${op}: columnNames is required when hasHeader is false (there is no header line to name the columns)`);
  const columnConfigs = new Map<string, ColumnPlan>();
  if (cfg.columnConfigs !== undefined) {
    if (!isPlainObject(cfg.columnConfigs)) throw new InvalidArgumentError(`${op}: columnConfigs must be an object of column configs keyed by column name, got ${describeElement(cfg.columnConfigs)}`);
    const known = new Set(columnNames ?? []);
    for (const [name, c] of Object.entries(cfg.columnConfigs)) {
      if (columnNames !== null && !known.has(name)) {
        throw new InvalidArgumentError(`${op}: columnConfigs has the column '${name}', which is not in columnNames${didYouMean(name, columnNames)} (columns: ${listNames(columnNames)})`);
      }
      columnConfigs.set(name, checkColumn(op, name, c));
    }
  }
  const configuredColumnsOnly = flag(op, 'configuredColumnsOnly', cfg.configuredColumnsOnly, false);
  if (configuredColumnsOnly && columnConfigs.size === 0) throw new InvalidArgumentError(`${op}: configuredColumnsOnly reads only the columns in columnConfigs, but columnConfigs names none`);
  const delimWhitespace = flag(op, 'delimWhitespace', cfg.delimWhitespace, false);
  let delimiter: string | null = ',';
  if (delimWhitespace) {
    if (cfg.delimiter !== undefined) throw new InvalidArgumentError(`${op}: give either delimiter or delimWhitespace, not both (delimWhitespace splits fields on runs of spaces and tabs)`);
    delimiter = null;
  } else if (cfg.delimiter !== undefined) {
    const d = cfg.delimiter;
    if (typeof d !== 'string' || d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
      throw new InvalidArgumentError(`${op}: delimiter must be one character other than '"' and a line break, got ${describeElement(d)}${typeof d === 'string' && /^\s+$/.test(d) && d.length > 1 ? ' (for runs of whitespace use delimWhitespace: true)' : ''}`);
    }
    delimiter = d;
  }
  return { op, source: src, hasHeader, columnNames, columnConfigs, configuredColumnsOnly, delimiter };
}

/**
 * The dataset {@link csv} makes (TF.js's `CSVDataset`): a {@link Dataset} of the rows of a CSV
 * source, streamed, with {@link CSVDataset.columnNames}. Its size is unknown (`null`).
 *
 * @example
 * const ds = new data.CSVDataset(bytes, { columnConfigs: { y: { isLabel: true } } });
 * console.log(await ds.columnNames()); // ['x1', 'x2', 'y']
 */
export class CSVDataset<T = CSVElement> extends Dataset<T> {
  readonly #plan: CSVPlan;
  #names: Promise<string[]> | null = null;

  /**
   * A dataset of the rows of `source` read as `csvConfig` says; the same as
   * `data.csv(source, csvConfig)`, which see.
   *
   * @example
   * const ds = new data.CSVDataset(() => fs.createReadStream('iris.csv'));
   */
  constructor(source: CSVSource, csvConfig?: CSVConfig) {
    const plan = planCSV('data.csv', source, csvConfig);
    super(async () => (await dataChunk(plan.op)).csvPass<T>(plan), null);
    this.#plan = plan;
  }

  /**
   * The names of the columns the elements hold, as TF.js's: `columnNames` when given, else the
   * header's; with `configuredColumnsOnly`, those in `columnConfigs` (in the CSV's order).
   * Reads the header line from the source (fetching a URL), and no more, the first time it
   * needs it. A stream (read once) is kept open at the first row for the first pass, so
   * `columnNames()` then `fitDataset` reads it once; a stream a source function returns is
   * closed after its header, and the pass opens another.
   *
   * @example
   * const n = (await ds.columnNames()).length - 1; // features: all columns but the label
   */
  async columnNames(): Promise<string[]> {
    const p = (this.#names ??= dataChunk('columnNames').then((c) => c.csvColumnNames(this.#plan)));
    p.catch(() => {
      if (this.#names === p) this.#names = null;
    });
    return [...(await p)];
  }
}

/**
 * A dataset of the rows of a CSV file (TF.js's `tf.data.csv`), streamed: a pass reads the
 * source chunk by chunk and decodes it as UTF-8 as it comes (a byte-order mark is skipped), so
 * it holds the chunk the source gave, up to 64 kB of its text (more only for a longer record)
 * and a row, whatever the file's size; stopping early (`take(n)`, a `break`, an error) cancels
 * the read.
 *
 * `source` is one of:
 * - a URL (a string, `URL` or `Request`), fetched with `fetch` at each pass as TF.js does, its
 *   body read as it downloads. Node's `fetch` does not read `file:` URLs: pass a stream;
 * - the file's bytes, a `Uint8Array` (a Node `Buffer`) or `ArrayBuffer`, read in place at each
 *   pass; a `Blob`/`File`, read through `blob.stream()` at each pass;
 * - a stream of byte chunks: a `ReadableStream<Uint8Array>` (a `Response`'s `body`, Deno's
 *   `file.readable`) or an async iterable of `Uint8Array`s (a Node `Readable` such as
 *   `fs.createReadStream(path)`); or a `Response`, whose body is such a stream. A stream can be
 *   read once: a second pass (a second epoch, `repeat()`) is an error saying so, not an empty
 *   pass;
 * - a function returning any of these (or a Promise of one), called at each pass: how a stream
 *   gives every epoch, `data.csv(() => fs.createReadStream(path))` or
 *   `data.csv(() => fetch(url, init))`.
 *
 * A response whose `Content-Type` is `text/html` is an error naming the URL (TF.js parses the
 * page as CSV): a web app's server answers a path it has no file for with its HTML page and
 * status 200; any other type, or none, is read. A source that fails midway (a dropped
 * connection, a stream that errors) ends the pass with an error naming it and how many bytes
 * were read, the source's own error as its `cause`; the rows before it were given.
 *
 * Each element is an object keyed by column name, or, when some column of `columnConfigs` has
 * `isLabel: true`, `{ xs: features, ys: labels }`. A field that parses as a number is a
 * number, any other a string (unless its column has a `dtype`); an empty field is the column's
 * `default`, else `undefined` (as TF.js; `NaN` in a column with a numeric `dtype`).
 *
 * Missing values: a cell that pandas's `read_csv` reads as missing — `NaN`, `nan`, `-NaN`,
 * `NA`, `<NA>`, `N/A`, `n/a`, `#N/A`, `NULL`, `null`, `None`, `1.#IND`, `1.#QNAN` and their
 * kin (case as written, spaces around ignored) — is the column's `default`, an error naming
 * the line, the column and the cell when the column is `required` (or a label without a
 * default), and otherwise the number `NaN`, as pandas gives: TF.js keeps it as the string
 * `'NaN'` or `'NA'`, which in a column of numbers fails only later, when batching or training
 * meets a string. A column with `dtype: 'string'` keeps the text. Drop or fill such rows with
 * `filter`/`map`, or give the column a `default`. A label column is required unless it has a
 * default, so the error comes before any `filter` runs: to drop rows whose label is missing,
 * give the label `default: NaN` and filter them out:
 * `data.csv(src, { columnConfigs: { price: { isLabel: true, default: NaN } } }).filter(({ ys }) => !Number.isNaN(ys.price))`.
 *
 * Quoting follows RFC 4180 (delimiters, doubled quotes and line
 * breaks inside quotes); CRLF, LF and lone CR line ends (old Mac files, as Python's `csv`
 * reads them, where TF.js reads such a file as one header line and no rows) and a last line
 * break are read, and a CR inside quotes is kept; blank lines are skipped. A malformed row
 * (fields more or fewer than the columns, an empty required field, a value not of its column's
 * dtype, an unclosed quote) is an error naming its line and column.
 * Chunk boundaries change none of this: a stream parses as its bytes in one buffer do.
 *
 * @example
 * // Node: a file of any size, one epoch per fresh stream.
 * const ds = data.csv(() => fs.createReadStream('housing.csv'), { columnConfigs: { medv: { isLabel: true } } })
 *   .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: Object.values(ys) }))
 *   .batch(10);
 * await model.fitDataset(ds, { epochs: 3 });
 * // A browser: a URL (fetched at each pass) or a File from an <input>.
 * const rows = data.csv('https://example.com/housing.csv');
 * const picked = data.csv(input.files[0]);
 */
export function csv<const C extends CSVConfig = {}>(source: CSVSource, csvConfig?: C): CSVDataset<CSVElementOf<C>> {
  return new CSVDataset<CSVElementOf<C>>(source, csvConfig);
}
