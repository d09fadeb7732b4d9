// data.csv (TF.js's tf.data.csv): parsing (RFC 4180 quoting, CRLF, BOM, blank lines, other
// delimiters), every csvConfig option and error, columnNames(), the sources (bytes, Blob,
// Response, Request, a URL fetched from a local HTTP server, a file: URL's error), batching and
// an end-to-end fitDataset. The elements are compared with @tensorflow/tfjs-data's csv (a dev
// dependency) where the two agree by design (see the README for where neurite differs).
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as nr from '../ts/index.js';
import * as data from '../ts/data/index.js';
import { rejection } from './fit-helpers.js';
import './setup.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const rows = (text: string, cfg?: data.CSVConfig): Promise<data.CSVElement[]> => data.csv(enc(text), cfg).toArray();
const failure = (p: Promise<unknown>): Promise<Error> => rejection(p);
const live = (): number => nr.memory().numTensors;
const FIXTURE = new URL('./fixtures/linear.csv', import.meta.url);

/** Every element of `ds` with its tensors read as { shape, values } (and disposed). */
async function read(ds: data.Dataset<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  await ds.forEachAsync((e) => {
    out.push(JSON.parse(JSON.stringify(e, (_k, v) => (v instanceof nr.Tensor ? { shape: v.shape, values: Array.from(v.data()) } : v))));
  });
  return out;
}

describe('data.csv parsing', () => {
  it('a header and rows: numbers parse to numbers, other values stay strings (as TF.js)', async () => {
    expect(await rows('a,b,c\n1,x,2.5\n-3,y z,1e3\n')).toEqual([{ a: 1, b: 'x', c: 2.5 }, { a: -3, b: 'y z', c: 1000 }]);
    // Number(value), as TF.js: hex, Infinity and surrounding spaces parse; words do not (NaN is a missing value, below).
    expect(await rows('a,b,c,d,e\n0x10, 7 ,Infinity,NaN,1_000\n')).toEqual([{ a: 16, b: 7, c: Infinity, d: NaN, e: '1_000' }]);
    // A field of spaces only is not a number (TF.js would give 0).
    expect(await rows('a,b\n1,  \n')).toEqual([{ a: 1, b: '  ' }]);
    // Element keys keep the CSV's column order.
    expect(Object.keys((await rows('z,a,m\n1,2,3\n'))[0])).toEqual(['z', 'a', 'm']);
  });

  it('quoted fields: delimiters, doubled quotes and line breaks inside quotes; text after a closing quote is kept', async () => {
    const text = 'name,note,n\n"Smith, J.","said ""hi""",1\n"two\nlines","a\r\nb",2\n"ab"c,a"b,3\n"",x,4\n';
    expect(await rows(text)).toEqual([
      { name: 'Smith, J.', note: 'said "hi"', n: 1 },
      { name: 'two\nlines', note: 'a\r\nb', n: 2 },
      { name: 'abc', note: 'a"b', n: 3 },
      { name: undefined, note: 'x', n: 4 },
    ]);
    // A quoted header name, a quoted number (still a number, as TF.js), an empty quoted last field.
    expect(await rows('"a,1",b\n"12",""\n')).toEqual([{ 'a,1': 12, b: undefined }]);
  });

  it('line numbers count the lines inside quotes and blank lines', async () => {
    const e = await failure(rows('a,b\n"x\ny",1\n\n2\n'));
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toBe('data.csv: line 5 has 1 field but the CSV has 2 columns (a, b)');
  });

  it('CRLF and LF line ends, a last line without a line end, a trailing line end, blank lines skipped', async () => {
    const want = [{ a: 1, b: 'x' }, { a: 3, b: 'y' }];
    expect(await rows('a,b\r\n1,x\r\n3,y\r\n')).toEqual(want);
    expect(await rows('a,b\r\n1,x\r\n3,y')).toEqual(want);
    expect(await rows('a,b\n1,x\n3,y')).toEqual(want);
    expect(await rows('\n\na,b\n\n1,x\r\n\r\n\n3,y\n\n\n')).toEqual(want);
    expect(await rows('a,b\n1,x\r\n3,"y"\r\n')).toEqual(want);
  });

  it('lone CR line ends (classic Mac OS files) are line ends, as Python\'s csv reads them; a CR inside quotes is kept', async () => {
    // TF.js 4.22 reads 'a,b\r1,2\r3,4' as one header line (columns 'a', 'b\r1', '2\r3', '4') and
    // no rows, without an error; Python's csv (a file opened with newline='') gives the rows.
    const want = [{ a: 1, b: 2 }, { a: 3, b: 4 }];
    expect(await data.csv(enc('a,b\r1,2\r3,4')).columnNames()).toEqual(['a', 'b']);
    expect(await rows('a,b\r1,2\r3,4')).toEqual(want);
    expect(await rows('a,b\r1,2\r3,4\r')).toEqual(want);
    // Mixed with CRLF and LF; blank lines of any of them are skipped (CR CRLF is a blank line).
    expect(await rows('a,b\r\r1,2\r\r\n3,4\n\r')).toEqual(want);
    expect(await rows('\ra,b\r\n1,2\n3,4\r\r\r')).toEqual(want);
    // Inside quotes a CR (lone or in a CRLF) is the field's text.
    expect(await rows('a,b\r"x\ry","p\r\nq"\r"\r",z\r')).toEqual([{ a: 'x\ry', b: 'p\r\nq' }, { a: '\r', b: 'z' }]);
    // An unquoted CR ends the line, so a CR meant as data must be quoted: this row is cut short.
    expect((await failure(rows('a,b\n1,x\ry\n'))).message).toBe('data.csv: line 3 has 1 field but the CSV has 2 columns (a, b)');
    // Whitespace-delimited and other delimiters too.
    expect(await rows('a b\r 1 2 \r3\t4', { delimWhitespace: true })).toEqual(want);
    expect(await rows('a;b\r1;2\r3;4\r', { delimiter: ';' })).toEqual(want);
  });

  it('line numbers in errors count lone CRs as line ends, inside quotes too', async () => {
    expect((await failure(rows('a,b\r1,2\r\r3\r'))).message).toBe('data.csv: line 4 has 1 field but the CSV has 2 columns (a, b)');
    expect((await failure(rows('a,b\r"x\ry\r\nz",1\r2\r'))).message).toBe('data.csv: line 5 has 1 field but the CSV has 2 columns (a, b)');
    expect((await failure(rows('a,b\r1,2\r3,"x\ry'))).message).toBe('data.csv: unterminated quoted field: the \'"\' opened on line 3 is never closed');
  });

  it('UTF-8 with a byte-order mark (stripped), from a Uint8Array, an ArrayBuffer or a Node Buffer', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('näme,b\n1,ü\n')]);
    const want = [{ näme: 1, b: 'ü' }];
    expect(await data.csv(bytes).toArray()).toEqual(want);
    expect(await data.csv(bytes.slice().buffer).toArray()).toEqual(want);
    expect(await data.csv(Buffer.from(bytes)).toArray()).toEqual(want);
    expect(await data.csv(bytes).columnNames()).toEqual(['näme', 'b']);
  });

  it('delimWhitespace: runs of spaces and tabs, leading and trailing ones ignored; quotes still work', async () => {
    expect(await rows('a  b\tc\n  1 2 \t 3  \n"x y"   "" z\n', { delimWhitespace: true })).toEqual([
      { a: 1, b: 2, c: 3 },
      { a: 'x y', b: undefined, c: 'z' },
    ]);
    expect(await rows('a b\n   \n1 2\n', { delimWhitespace: true })).toEqual([{ a: 1, b: 2 }]);
  });

  it('other delimiters: ";", tab, "|"; the comma is then text', async () => {
    expect(await rows('a;b\n1,5;"x;y"\n', { delimiter: ';' })).toEqual([{ a: '1,5', b: 'x;y' }]);
    expect(await rows('a\tb\n1\t2\n', { delimiter: '\t' })).toEqual([{ a: 1, b: 2 }]);
    expect(await rows('a|b\n1|\n', { delimiter: '|' })).toEqual([{ a: 1, b: undefined }]);
  });

  it('empty CSVs: a header only gives no elements; no header line at all is an error; hasHeader false gives none', async () => {
    expect(await rows('a,b\n')).toEqual([]);
    expect(await rows('', { hasHeader: false, columnNames: ['a'] })).toEqual([]);
    expect((await failure(rows('\n\n'))).message).toBe('data.csv: the CSV is empty: there is no header line (hasHeader is true)');
  });

  it('rows with too many or too few fields are errors naming the line and the counts (with a delimiter hint)', async () => {
    expect((await failure(rows('a,b\n1,2\n3,4,5\n'))).message).toBe('data.csv: line 3 has 3 fields but the CSV has 2 columns (a, b)');
    expect((await failure(rows('a,b,c\n1,2\n'))).message).toBe('data.csv: line 2 has 2 fields but the CSV has 3 columns (a, b, c)');
    // The rows before the bad one were given.
    const it0 = await data.csv(enc('a,b\n1,2\n3\n')).iterator();
    expect(await it0.next()).toEqual({ value: { a: 1, b: 2 }, done: false });
    expect((await failure(it0.next())).message).toMatch(/^data\.csv: line 3 has 1 field/);
    // A ';'-separated file read with ',' gives one column; its rows do not fit a 2-column header.
    expect((await failure(rows('a,b\n1;2\n'))).message).toBe('data.csv: line 2 has 1 field but the CSV has 2 columns (a, b) — is the delimiter ";"? (set delimiter)');
  });

  it('an unterminated quote is an error naming the line it opened on', async () => {
    const e = await failure(rows('a,b\n1,2\n3,"abc\n\ndef\n'));
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toBe('data.csv: unterminated quoted field: the \'"\' opened on line 3 is never closed');
    expect((await failure(rows('"a,b\n1,2\n'))).message).toMatch(/opened on line 1 is never closed/);
  });

  it('a column named __proto__ is an own key', async () => {
    const [r] = (await rows('__proto__,b\n1,2\n')) as data.CSVRow[];
    expect(Object.keys(r)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });
});

describe('data.csv config', () => {
  it('hasHeader false with columnNames: every line is data', async () => {
    expect(await rows('1,2\n3,4\n', { hasHeader: false, columnNames: ['a', 'b'] })).toEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }]);
  });

  it('columnNames with a header: they replace its names (as TF.js) and must be as many', async () => {
    const ds = data.csv(enc('A,B\n1,2\n'), { columnNames: ['a', 'b'] });
    expect(await ds.toArray()).toEqual([{ a: 1, b: 2 }]);
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect((await failure(rows('A,B,C\n1,2,3\n', { columnNames: ['a', 'b'] }))).message).toBe('data.csv: columnNames has 2 names but the header line has 3 columns (A, B, C)');
  });

  it('isLabel: elements are { xs: features, ys: labels }, keyed by column name in the CSV\'s order', async () => {
    const text = 'y1,a,b,y2\n1,2,3,4\n5,6,7,8\n';
    expect(await rows(text, { columnConfigs: { y1: { isLabel: true }, y2: { isLabel: true } } })).toEqual([
      { xs: { a: 2, b: 3 }, ys: { y1: 1, y2: 4 } },
      { xs: { a: 6, b: 7 }, ys: { y1: 5, y2: 8 } },
    ]);
    // isLabel false (or a config without it) keeps plain rows.
    expect(await rows(text, { columnConfigs: { y1: { isLabel: false }, a: {} } })).toEqual([{ y1: 1, a: 2, b: 3, y2: 4 }, { y1: 5, a: 6, b: 7, y2: 8 }]);
  });

  it('required and default: an empty field takes the default, else is undefined; empty and required is an error naming line and column', async () => {
    const text = 'a,b,c\n1,,\n,2,3\n';
    expect(await rows(text)).toEqual([{ a: 1, b: undefined, c: undefined }, { a: undefined, b: 2, c: 3 }]);
    expect(await rows(text, { columnConfigs: { b: { default: -1 }, c: { default: 'none', required: true }, a: { required: false } } })).toEqual([
      { a: 1, b: -1, c: 'none' },
      { a: undefined, b: 2, c: 3 },
    ]);
    const e = await failure(rows(text, { columnConfigs: { a: { required: true } } }));
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toBe("data.csv: line 3, column 'a' is empty but the column is required (give it a default, or required: false)");
    // A label is required unless it has a default (as TF.js).
    expect((await failure(rows(text, { columnConfigs: { b: { isLabel: true } } }))).message).toBe("data.csv: line 2, column 'b' is empty but the column is a label, and a label is required unless it has a default (as TF.js); to drop such rows, give it default: NaN and filter them out: columnConfigs: { b: { isLabel: true, default: NaN } }, then .filter(({ ys }) => !Number.isNaN(ys.b))");
    expect(await rows(text, { columnConfigs: { b: { isLabel: true, default: 0 } } })).toEqual([
      { xs: { a: 1, c: undefined }, ys: { b: 0 } },
      { xs: { a: undefined, c: 3 }, ys: { b: 2 } },
    ]);
  });

  it("missing values as pandas reads them (NaN, NA, nan, N/A, NULL, None, …) are NaN, the column's default, or an error naming line, column and cell when required (TF.js keeps the string 'NaN', which broke training later)", async () => {
    // A Titanic-like file: the missing values a spreadsheet, R (NA) or pandas (NaN, empty) writes.
    const text = [
      'id,age,fare,embarked,country,survived',
      '1,22,7.25,S,GB,0',
      '2,NA,71.2833,C,FR,1',
      '3,26,,S,NA,1', // NA is also Namibia's country code
      '4, NaN ,8.05,,US,0',
      '5,35,nan,Q,N/A,N/A',
      '6,null,-NaN,None,#N/A,1',
      '7,1e2,<NA>,S,NULL,0',
    ].join('\n');
    expect(await rows(text)).toEqual([
      { id: 1, age: 22, fare: 7.25, embarked: 'S', country: 'GB', survived: 0 },
      { id: 2, age: NaN, fare: 71.2833, embarked: 'C', country: 'FR', survived: 1 },
      { id: 3, age: 26, fare: undefined, embarked: 'S', country: NaN, survived: 1 },
      { id: 4, age: NaN, fare: 8.05, embarked: undefined, country: 'US', survived: 0 },
      { id: 5, age: 35, fare: NaN, embarked: 'Q', country: NaN, survived: NaN },
      { id: 6, age: NaN, fare: NaN, embarked: NaN, country: NaN, survived: 1 },
      { id: 7, age: 100, fare: NaN, embarked: 'S', country: NaN, survived: 0 },
    ]);
    // Declared columns: numeric dtypes give NaN for an empty field too; 'string' keeps every cell's text; a default fills both.
    const typed = await rows(text, { columnConfigs: { age: { dtype: 'float32' }, fare: { dtype: 'float32' }, embarked: { default: 'S' }, country: { dtype: 'string' }, survived: { dtype: 'int32', default: -1 } } });
    expect(typed.map((r) => Object.values(r))).toEqual([
      [1, 22, 7.25, 'S', 'GB', 0],
      [2, NaN, 71.2833, 'C', 'FR', 1],
      [3, 26, NaN, 'S', 'NA', 1],
      [4, NaN, 8.05, 'S', 'US', 0],
      [5, 35, NaN, 'Q', 'N/A', -1],
      [6, NaN, NaN, 'S', '#N/A', 1],
      [7, 100, NaN, 'S', 'NULL', 0],
    ]);
    expect(await rows('b\ntrue\nNA\n\n0\n', { columnConfigs: { b: { dtype: 'bool' } } })).toEqual([{ b: 1 }, { b: NaN }, { b: 0 }]);
    // Required: an error naming line, column and cell; a label without a default too (as an empty one).
    const required = await failure(rows(text, { columnConfigs: { age: { dtype: 'float32', required: true } } }));
    expect(required).toBeInstanceOf(nr.InvalidArgumentError);
    expect(required.message).toBe('data.csv: line 3, column \'age\' is "NA" (a missing value) but the column is required (give it a default, or required: false)');
    expect((await failure(rows(text, { columnConfigs: { age: { required: true, default: 30 }, survived: { isLabel: true } } }))).message).toBe(
      'data.csv: line 6, column \'survived\' is "N/A" (a missing value) but the column is a label, and a label is required unless it has a default (as TF.js); to drop such rows, give it default: NaN and filter them out: columnConfigs: { survived: { isLabel: true, default: NaN } }, then .filter(({ ys }) => !Number.isNaN(ys.survived))',
    );
    // The pattern the error and the TSDoc give: default: NaN, then filter; the rows with a label are kept.
    const kept = await data.csv(enc(text), { columnConfigs: { survived: { isLabel: true, default: NaN } } }).filter(({ ys }) => !Number.isNaN(ys.survived)).toArray();
    expect(kept.map(({ xs, ys }) => [xs.id, ys.survived])).toEqual([[1, 0], [2, 1], [3, 1], [4, 0], [6, 1], [7, 0]]);
    expect((await failure(rows('a,b\n1, NaN \n', { columnConfigs: { b: { required: true } } }))).message).toBe('data.csv: line 2, column \'b\' is " NaN " (a missing value) but the column is required (give it a default, or required: false)');
    // Not missing values: other spellings and words stay text, as in pandas (Na, nA, NAN, n.a.).
    expect(await rows('a,b,c,d\nNa,nA,NAN,n.a.\n')).toEqual([{ a: 'Na', b: 'nA', c: 'NAN', d: 'n.a.' }]);
    // Batched and trained on: a NaN feature is a number (TF.js's 'NA' string made the batch fail with a type error).
    const before = live();
    const ds = data.csv(enc(text), { columnConfigs: { id: {}, age: { default: 30 }, fare: { dtype: 'float32', default: 0 }, survived: { isLabel: true, default: 0 } }, configuredColumnsOnly: true }).map((e) => {
      const { xs, ys } = e as data.CSVLabeledRow;
      return { xs: Object.values(xs) as number[], ys: Object.values(ys) as number[] };
    }).batch(4);
    expect(await read(ds)).toEqual([
      { xs: { shape: [4, 3], values: [1, 22, 7.25, 2, 30, Math.fround(71.2833), 3, 26, 0, 4, 30, Math.fround(8.05)] }, ys: { shape: [4, 1], values: [0, 1, 1, 0] } },
      { xs: { shape: [3, 3], values: [5, 35, 0, 6, 30, 0, 7, 100, 0] }, ys: { shape: [3, 1], values: [0, 1, 0] } },
    ]);
    expect(live()).toBe(before);
  });

  it("dtype: 'float32' forces numbers (a non-number is an error naming line and column), 'int32' rounds down, 'bool' gives 1/0, 'string' keeps the text", async () => {
    const text = 'f,i,b,s\n1.5,2.7,true,007\n-2,-1.5,0,1e2\n3,4,FALSE,x\n4,5,1,\n';
    const cfg = { columnConfigs: { f: { dtype: 'float32' }, i: { dtype: 'int32' }, b: { dtype: 'bool' }, s: { dtype: 'string' } } } as const;
    expect(await rows(text, cfg)).toEqual([
      { f: 1.5, i: 2, b: 1, s: '007' },
      { f: -2, i: -2, b: 0, s: '1e2' },
      { f: 3, i: 4, b: 0, s: 'x' },
      { f: 4, i: 5, b: 1, s: undefined },
    ]);
    expect((await failure(rows('f,g\n1,2\nabc,3\n', { columnConfigs: { f: { dtype: 'float32' } } }))).message).toBe(
      'data.csv: line 3, column \'f\': "abc" is not a number (the column\'s dtype is float32)',
    );
    expect((await failure(rows('f\n1\n \n', { columnConfigs: { f: { dtype: 'int32' } } }))).message).toBe('data.csv: line 3, column \'f\': " " is not a number (the column\'s dtype is int32)');
    expect((await failure(rows('b\nyes\n', { columnConfigs: { b: { dtype: 'bool' } } }))).message).toBe(
      'data.csv: line 2, column \'b\': "yes" is not a boolean (the column\'s dtype is bool: true, false, 1 or 0)',
    );
    // A default is given as it is, whatever the dtype.
    expect(await rows('f\n\n""\n', { columnConfigs: { f: { dtype: 'float32', default: 0.5 } } })).toEqual([{ f: 0.5 }]);
  });

  it('configuredColumnsOnly: only the columns of columnConfigs, in the CSV\'s order; columnNames() gives them', async () => {
    const ds = data.csv(enc('a,b,c,d\n1,2,3,4\n'), { configuredColumnsOnly: true, columnConfigs: { d: { isLabel: true }, b: {} } });
    expect(await ds.toArray()).toEqual([{ xs: { b: 2 }, ys: { d: 4 } }]);
    expect(await ds.columnNames()).toEqual(['b', 'd']);
    expect(await data.csv(enc('a,b,c,d\n1,2,3,4\n'), { configuredColumnsOnly: false, columnConfigs: { b: {} } }).toArray()).toEqual([{ a: 1, b: 2, c: 3, d: 4 }]);
  });

  it('columnNames(): the header\'s, the given ones, or the configured ones; without a header it does not read the source', async () => {
    expect(await data.csv(enc('x,y\n1,2\n')).columnNames()).toEqual(['x', 'y']);
    // Nothing listens on port 9: a read would fail.
    const noRead = data.csv('http://127.0.0.1:9/never.csv', { hasHeader: false, columnNames: ['p', 'q'], configuredColumnsOnly: true, columnConfigs: { q: {} } });
    expect(await noRead.columnNames()).toEqual(['q']);
    // A failed read rejects, and the next call reads again.
    const bytes = enc('');
    const ds = data.csv(bytes);
    expect((await failure(ds.columnNames())).message).toMatch(/the CSV is empty/);
    expect((await failure(ds.columnNames())).message).toMatch(/the CSV is empty/);
    // The array is the caller's.
    const kept = data.csv(enc('x,y\n'));
    (await kept.columnNames()).push('z');
    expect(await kept.columnNames()).toEqual(['x', 'y']);
  });
});

describe('data.csv wide files (100,000 columns)', () => {
  // The column checks are linear (a Set, not indexOf per name): before, a 672 kB header of
  // 100,000 names took 6–8 s in columnNames() and as many columnNames in csvConfig 7 s, and
  // columnConfigs for every column another O(columns²) scan each. Now each step takes ~0.1–0.3 s,
  // well within the test's timeout, which the quadratic checks were far over (~15 s together).
  const W = 100_000;
  const names = Array.from({ length: W }, (_, i) => `c${i}`);

  it('a header line of 100,000 names: columnNames() and a pass parse (linear checks: within the test timeout, which the quadratic ones were far over)', async () => {
    const bytes = enc(`${names.join(',')}\n${names.map((_, i) => i).join(',')}\n`);
    const got = await data.csv(bytes).columnNames();
    expect(got).toEqual(names);
    const pass = await data.csv(bytes).toArray();
    expect(pass).toHaveLength(1);
    expect((pass[0] as data.CSVRow).c99999).toBe(99999);
    // A duplicate is still named (the first name repeated), at any position.
    const dup = enc(`${[...names.slice(0, W - 1), 'c5'].join(',')}\n`);
    const e = await failure(data.csv(dup).columnNames());
    expect(e.message).toBe("data.csv: the header line names the column 'c5' twice; column names must differ (give columnNames to rename them)");
  });

  it('csvConfig.columnNames and columnConfigs of 100,000 columns are checked (linear checks, as above)', async () => {
    const columnConfigs = Object.fromEntries(names.map((n) => [n, { dtype: 'float32' as const }]));
    const row = enc(`${names.map((_, i) => i).join(',')}\n`);
    const made = await data.csv(row, { hasHeader: false, columnNames: names, columnConfigs });
    const pass = await made.toArray();
    expect((pass[0] as data.CSVRow).c12345).toBe(12345);
    // With a header too: columnConfigs checked against its names per pass.
    const withHeader = await data.csv(enc(`${names.join(',')}\n${names.map((_, i) => i).join(',')}\n`), { columnConfigs }).toArray();
    expect(withHeader).toHaveLength(1);
    const dup = await rejection(Promise.resolve().then(() => data.csv(row, { hasHeader: false, columnNames: [...names, 'c7'] })));
    expect(dup.message).toBe("data.csv: columnNames has the name 'c7' twice; column names must differ");
  });

  it('errors list the first 30 column names and how many there are, not all 100,000', async () => {
    const e = await failure(data.csv(enc(`${names.join(',')}\n1,2\n`)).toArray());
    expect(e.message).toBe(`data.csv: line 2 has 2 fields but the CSV has 100000 columns (${names.slice(0, 30).join(', ')}, … (100000 in all))`);
    expect(() => data.csv(enc('1\n'), { hasHeader: false, columnNames: names, columnConfigs: { x: {} } })).toThrow(
      `data.csv: columnConfigs has the column 'x', which is not in columnNames (columns: ${names.slice(0, 30).join(', ')}, … (100000 in all))`,
    );
  });
});

describe('data.csv argument errors', () => {
  const bytes = enc('a,b\n1,2\n');

  it('unknown csvConfig and columnConfigs keys get a suggestion; a non-object config is an error', () => {
    expect(() => data.csv(bytes, { hasHeadr: true } as never)).toThrow("data.csv: unknown csvConfig option 'hasHeadr' — did you mean 'hasHeader'? (known: hasHeader, columnNames, columnConfigs, configuredColumnsOnly, delimiter, delimWhitespace)");
    expect(() => data.csv(bytes, { delimeter: ';' } as never)).toThrow(/unknown csvConfig option 'delimeter' — did you mean 'delimiter'\?/);
    expect(() => data.csv(bytes, { columnConfigs: { a: { islabel: true } } } as never)).toThrow(/^data\.csv: unknown columnConfigs\["a"\] option 'islabel' — did you mean 'isLabel'\? \(known: required, default, isLabel, dtype\)$/);
    expect(() => data.csv(bytes, 'a,b' as never)).toThrow('data.csv: csvConfig must be an object, got the string "a,b"');
    expect(() => data.csv(bytes, { columnConfigs: { a: 1 } } as never)).toThrow(/columnConfigs\["a"\] must be an object/);
    expect(() => data.csv(bytes, { columnConfigs: [] } as never)).toThrow(/columnConfigs must be an object of column configs/);
  });

  it('option types: booleans, dtype names, defaults, columnNames', () => {
    expect(() => data.csv(bytes, { hasHeader: 'no' } as never)).toThrow('data.csv: hasHeader must be true or false, got the string "no"');
    expect(() => data.csv(bytes, { configuredColumnsOnly: 1 } as never)).toThrow(/configuredColumnsOnly must be true or false/);
    expect(() => data.csv(bytes, { delimWhitespace: 'yes' } as never)).toThrow(/delimWhitespace must be true or false/);
    expect(() => data.csv(bytes, { columnConfigs: { a: { required: 1 } } } as never)).toThrow(/columnConfigs\["a"\]\.required must be true or false, got the number 1/);
    expect(() => data.csv(bytes, { columnConfigs: { a: { isLabel: 'y' } } } as never)).toThrow(/columnConfigs\["a"\]\.isLabel must be true or false/);
    expect(() => data.csv(bytes, { columnConfigs: { a: { dtype: 'float' } } } as never)).toThrow(/columnConfigs\["a"\]\.dtype must be one of float32, int32, bool, string, got the string "float" — did you mean 'float32'\?/);
    expect(() => data.csv(bytes, { columnConfigs: { a: { default: [1] } } } as never)).toThrow(/columnConfigs\["a"\]\.default must be a number or a string/);
    expect(() => data.csv(bytes, { columnNames: 'a,b' } as never)).toThrow(/columnNames must be an array of strings, got the string "a,b"/);
    expect(() => data.csv(bytes, { columnNames: ['a', 1] } as never)).toThrow(/columnNames must be an array of strings/);
    expect(() => data.csv(bytes, { columnNames: ['a', 'a'] })).toThrow("data.csv: columnNames has the name 'a' twice; column names must differ");
  });

  it('hasHeader false needs columnNames; configuredColumnsOnly needs columnConfigs; columnConfigs must name columns', async () => {
    expect(() => data.csv(bytes, { hasHeader: false })).toThrow('data.csv: columnNames is required when hasHeader is false (there is no header line to name the columns)');
    expect(() => data.csv(bytes, { configuredColumnsOnly: true })).toThrow(/configuredColumnsOnly reads only the columns in columnConfigs, but columnConfigs names none/);
    expect(() => data.csv(bytes, { columnNames: ['a', 'b'], columnConfigs: { rate: {} } })).toThrow("data.csv: columnConfigs has the column 'rate', which is not in columnNames (columns: a, b)");
    // Against the header, when a pass starts (and for columnNames()), as TF.js.
    const ds = data.csv(enc('medv,rm\n1,2\n'), { columnConfigs: { mdev: { isLabel: true } } });
    expect((await failure(ds.toArray())).message).toBe("data.csv: columnConfigs has the column 'mdev', which the CSV does not have — did you mean 'medv'? (columns: medv, rm)");
    expect((await failure(ds.columnNames())).message).toMatch(/columnConfigs has the column 'mdev'/);
    expect((await failure(rows('a,b,a\n1,2,3\n'))).message).toBe("data.csv: the header line names the column 'a' twice; column names must differ (give columnNames to rename them)");
    expect(await rows('a,b,a\n1,2,3\n', { columnNames: ['a', 'b', 'c'] })).toEqual([{ a: 1, b: 2, c: 3 }]);
  });

  it('delimiter: one character, not a quote or a line break, and not with delimWhitespace', () => {
    expect(() => data.csv(bytes, { delimiter: ';', delimWhitespace: true })).toThrow('data.csv: give either delimiter or delimWhitespace, not both (delimWhitespace splits fields on runs of spaces and tabs)');
    expect(() => data.csv(bytes, { delimiter: '' })).toThrow(/delimiter must be one character other than '"' and a line break, got the string ""/);
    expect(() => data.csv(bytes, { delimiter: ';;' })).toThrow(/delimiter must be one character/);
    expect(() => data.csv(bytes, { delimiter: '"' })).toThrow(/delimiter must be one character/);
    expect(() => data.csv(bytes, { delimiter: '\n' })).toThrow(/delimiter must be one character/);
    expect(() => data.csv(bytes, { delimiter: '  ' })).toThrow(/for runs of whitespace use delimWhitespace: true/);
    expect(() => data.csv(bytes, { delimiter: 5 } as never)).toThrow(/delimiter must be one character .*got the number 5/);
  });

  it('sources: what is not a URL, bytes, a Blob or a Response is an error; CSV text in a string gets a hint', () => {
    expect(() => data.csv(5 as never)).toThrow('data.csv: source must be a URL (a string or URL, fetched), the CSV\'s bytes (a Uint8Array or ArrayBuffer), a Blob or a Response, got the number 5');
    expect(() => data.csv([1, 2] as never)).toThrow(/source must be a URL/);
    expect(() => data.csv('a,b\n1,2\n')).toThrow(/looks like CSV text; to parse text, pass its bytes: data\.csv\(new TextEncoder\(\)\.encode\(text\)\)/);
  });
});

describe('data.csv sources and passes', () => {
  let server: Server;
  let base = '';
  let content = 'a,b\n1,x\n2,y\n';
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/data.csv') {
        res.writeHead(200, { 'content-type': 'text/csv' });
        res.end(content);
      } else if (req.url === '/linear.csv') {
        void readFile(FIXTURE).then((b) => res.end(b));
      } else if (req.url?.startsWith('/typed/')) {
        // /typed/<content type, URI-encoded; "none" for no header>/x.csv: the CSV with that Content-Type.
        const type = decodeURIComponent(req.url.split('/')[2]);
        res.writeHead(200, type === 'none' ? {} : { 'content-type': type });
        res.end(content);
      } else if (req.url?.startsWith('/app/')) {
        // A single-page app's server: any path it has no file for gets its index.html, status 200.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html>\n<html><head><title>App</title></head><body><div id="root"></div></body></html>\n');
      } else {
        res.writeHead(404, 'Not Found');
        res.end('no');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a URL (string or URL) is fetched at every pass; columnNames() reads it once', async () => {
    content = 'a,b\n1,x\n2,y\n';
    hits.length = 0;
    const ds = data.csv(`${base}/data.csv`);
    expect(hits).toEqual([]);
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect(await ds.columnNames()).toEqual(['a', 'b']);
    expect(hits).toEqual(['/data.csv']);
    expect(await ds.toArray()).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    content = 'a,b\n3,z\n';
    expect(await ds.toArray()).toEqual([{ a: 3, b: 'z' }]);
    expect(hits).toEqual(['/data.csv', '/data.csv', '/data.csv']);
    expect(await data.csv(new URL('/data.csv', base)).toArray()).toEqual([{ a: 3, b: 'z' }]);
    expect(await data.csv(new Request(`${base}/data.csv`)).toArray()).toEqual([{ a: 3, b: 'z' }]);
  });

  it('an HTTP error names the status and the URL; a network error names the URL', async () => {
    const e = await failure(data.csv(`${base}/missing.csv`).toArray());
    expect(e).toBeInstanceOf(nr.IOError);
    expect((e as nr.IOError).status).toBe(404);
    expect(e.message).toBe(`data.csv: fetching ${base}/missing.csv failed: HTTP 404 Not Found: "no"`);
    expect((await failure(data.csv(`${base}/missing.csv`).columnNames())).message).toMatch(/HTTP 404/);
    // A port nothing listens on: the one of a server that was closed.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = `http://127.0.0.1:${port}/x.csv`;
    const downErr = await failure(data.csv(down).toArray());
    expect(downErr).toBeInstanceOf(nr.IOError);
    expect(downErr.message).toMatch(new RegExp(`^data\\.csv: fetching ${down.replace(/[./]/g, '\\$&')} failed \\[TypeError: fetch failed: .*\\]$`));
  });

  it('an HTML page (a web app\'s fallback for a missing file, status 200) is an error naming the URL and the type; other types are read', async () => {
    content = 'a,b\n1,x\n';
    const url = `${base}/app/data/train.csv`;
    const e = await failure(data.csv(url).toArray());
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toBe(`data.csv: fetching ${url}: the server sent text/html, not CSV (Content-Type: text/html; charset=utf-8) — is the path right? A web app's server often answers a missing file with its HTML page`);
    expect((await failure(data.csv(url).columnNames())).message).toBe(e.message);
    expect((await failure(data.csv(`${base}/typed/TEXT%2FHTML/x.csv`).toArray())).message).toMatch(/: the server sent text\/html, not CSV \(Content-Type: TEXT\/HTML\)/);
    // TF.js reads the page as CSV: its header line is a column name.
    const tfjsData = createRequire(import.meta.url)('@tensorflow/tfjs-data') as { csv(url: string): { columnNames(): Promise<string[]> } };
    expect(await tfjsData.csv(url).columnNames()).toEqual(['<!doctype html>']);
    // A Response the caller fetched: the same check.
    const res = await fetch(url);
    expect((await failure(data.csv(res).toArray())).message).toMatch(new RegExp(`^data\\.csv: the Response from ${url.replace(/[./]/g, '\\$&')}: the server sent text/html, not CSV`));
    // Every other type, or none, is read as CSV.
    for (const type of ['text/csv', 'text/csv; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel', 'none']) {
      expect(await data.csv(`${base}/typed/${encodeURIComponent(type)}/x.csv`).toArray(), type).toEqual([{ a: 1, b: 'x' }]);
    }
    expect(await data.csv(new Response('a\n5\n', { headers: { 'content-type': 'text/plain' } })).toArray()).toEqual([{ a: 5 }]);
  });

  it("a file: URL is read from the disk in Node, as TF.js's tf.data.csv reads one there (absolute, percent-encoded, and TF.js's file://./relative); a missing file names its path; a bare path is a URL", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv url '));
    const file = join(dir, 'my data.csv');
    writeFileSync(file, 'a,b\n1,x\n2,y\n');
    try {
      const want = [{ a: 1, b: 'x' }, { a: 2, b: 'y' }];
      const rel = `file://./${relative(process.cwd(), file)}`;
      for (const src of [pathToFileURL(file), pathToFileURL(file).href, rel]) expect(await data.csv(src).toArray(), String(src)).toEqual(want);
      // TF.js 4.22 in Node reads the same URLs to the same rows.
      const tfjsData = createRequire(import.meta.url)('@tensorflow/tfjs-data') as { csv(url: string): { toArray(): Promise<unknown[]> } };
      expect(await tfjsData.csv(`file://${file}`).toArray()).toEqual(want);
      // Read at every pass; a pass stopped early closes the file.
      const ds = data.csv(pathToFileURL(file));
      expect(await ds.take(1).toArray()).toEqual([want[0]]);
      expect(await ds.toArray()).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const e = await failure(data.csv(pathToFileURL('/tmp/no such dir/x.csv')).toArray());
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e.message).toMatch(/^data\.csv: cannot read file:\/\/\/tmp\/no%20such%20dir\/x\.csv \(\/tmp\/no such dir\/x\.csv\): no such file \[Error: ENOENT/);
    // A NUL in the path (raw or %00) is the URL's fault, shown escaped (was Node's own TypeError, not a NeuriteError).
    for (const url of ['file:///tmp/a\0b.csv', 'file:///tmp/a%00b.csv']) {
      const nul = await failure(data.csv(url).toArray());
      expect(nul).toBeInstanceOf(nr.InvalidArgumentError);
      expect(nul.message).toBe(`data.csv: ${JSON.stringify(url)}: a file path cannot hold a NUL character (\\u0000 or %00)`);
    }
    expect((await failure(data.csv('data/x.csv').toArray())).message).toMatch(/^data\.csv: fetching data\/x\.csv failed .*\(a string source is a URL, as in TF\.js; to read a local file give its file: URL, data\.csv\(pathToFileURL\(path\)\) with pathToFileURL from 'node:url', which streams it\)$/);
    // What it advises works (a tester's first try was a plain path).
    const pathDir = mkdtempSync(join(tmpdir(), 'neurite-csv-path-'));
    try {
      writeFileSync(join(pathDir, 'x.csv'), 'a,b\n1,2\n');
      expect(await data.csv(pathToFileURL(join(pathDir, 'x.csv'))).toArray()).toEqual([{ a: 1, b: 2 }]);
      // A UTF-16 file (Excel's "Unicode text") is said, not read as fields of U+FFFD.
      const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from(Buffer.from('a,b\n1,2\n', 'utf16le'))]);
      expect((await failure(data.csv(utf16).toArray())).message).toBe(`data.csv: the source starts with a UTF-16LE byte-order mark (FF FE); data.csv reads UTF-8: save the file as UTF-8 (Excel: "CSV UTF-8"), or decode it first, data.csv(new TextEncoder().encode(new TextDecoder('utf-16le').decode(bytes)))`);
    } finally {
      rmSync(pathDir, { recursive: true, force: true });
    }
  });

  it('bytes are parsed anew at every pass (so changes show); a Blob is read at every pass', async () => {
    const bytes = enc('a\n1\n');
    const ds = data.csv(bytes);
    expect(await ds.toArray()).toEqual([{ a: 1 }]);
    bytes[2] = '7'.charCodeAt(0);
    expect(await ds.toArray()).toEqual([{ a: 7 }]);
    const blob = data.csv(new Blob(['a,b\n', '1,2\n']));
    expect(await blob.toArray()).toEqual([{ a: 1, b: 2 }]);
    expect(await blob.toArray()).toEqual([{ a: 1, b: 2 }]);
    // Passes run side by side.
    const [p, q] = await Promise.all([ds.toArray(), ds.toArray()]);
    expect(p).toEqual(q);
  });

  it('a Response is streamed once: a second pass is an error saying what to pass instead; a used or failed one is an error', async () => {
    const res = await fetch(`${base}/data.csv`);
    const ds = data.csv(res);
    const first = await ds.toArray();
    expect(first.length).toBeGreaterThan(0);
    expect((await failure(ds.toArray())).message).toBe(
      "data.csv: a Response's body can be read once, and an earlier pass read this one: for more than one pass (epochs, repeat()), pass a URL, a Blob, bytes or a function returning a fresh Response (data.csv(() => fetch(url)))",
    );
    expect(await ds.columnNames()).toEqual(['a', 'b']); // the header the pass read
    // A function returning a fresh Response makes a pass each time.
    const fresh = data.csv(() => fetch(`${base}/data.csv`));
    expect(await fresh.toArray()).toEqual(first);
    expect(await fresh.toArray()).toEqual(first);
    const used = new Response('a\n1\n');
    await used.text();
    expect((await failure(data.csv(used).toArray())).message).toBe("data.csv: the Response's body was already read; pass a fresh Response (or response.clone())");
    expect((await failure(data.csv(await fetch(`${base}/nope`)).toArray())).message).toBe(`data.csv: reading the Response from ${base}/nope failed: HTTP 404 Not Found: "no"`);
    expect(await data.csv(new Response('x\n5\n')).toArray()).toEqual([{ x: 5 }]);
  });

  it('the same elements as TF.js\'s tf.data.csv over HTTP', async () => {
    const require = createRequire(import.meta.url);
    require('@tensorflow/tfjs-core');
    const tfd: { csv(url: string, cfg?: object): { toArray(): Promise<unknown[]>; columnNames(): Promise<string[]> } } = require('@tensorflow/tfjs-data');
    content = 'a,b,c,d\n1,x,,true\n2.5,"y, z",3,0\n-1,w,4,1\n';
    const configs: object[] = [{}, { columnConfigs: { a: { isLabel: true } } }, { columnConfigs: { c: { default: 9 }, d: { dtype: 'bool' } } }, { configuredColumnsOnly: true, columnConfigs: { b: {}, c: { isLabel: true, default: 0 } } }];
    for (const cfg of configs) {
      expect(await data.csv(`${base}/data.csv`, cfg as data.CSVConfig).toArray()).toEqual(await tfd.csv(`${base}/data.csv`, cfg).toArray());
    }
    expect(await data.csv(`${base}/data.csv`).columnNames()).toEqual(await tfd.csv(`${base}/data.csv`).columnNames());
  });

  it("missing-value cells: TF.js's tf.data.csv keeps them as strings, neurite gives NaN (or the column's default); every other value the same", async () => {
    const require = createRequire(import.meta.url);
    require('@tensorflow/tfjs-core');
    const tfd: { csv(url: string, cfg?: object): { toArray(): Promise<unknown[]> } } = require('@tensorflow/tfjs-data');
    content = 'id,age,fare,city\n1,22,7.25,Oslo\n2,NA,nan,NULL\n3,NaN,,N/A\n4,None,8,#N/A\n';
    const missing = new Set(['NA', 'nan', 'NULL', 'NaN', 'N/A', 'None', '#N/A']);
    let differ = 0;
    for (const cfg of [{}, { columnConfigs: { fare: { default: 0 } } }, { columnConfigs: { id: { isLabel: true } } }]) {
      const ours = (await data.csv(`${base}/data.csv`, cfg as data.CSVConfig).toArray()) as Array<Record<string, unknown>>;
      const theirs = (await tfd.csv(`${base}/data.csv`, cfg).toArray()) as Array<Record<string, unknown>>;
      const flat = (r: Record<string, unknown>) => ('xs' in r ? { ...(r.xs as object), ...(r.ys as object) } : r) as Record<string, unknown>;
      expect(ours.length).toBe(theirs.length);
      ours.forEach((row, i) => {
        for (const [k, v] of Object.entries(flat(theirs[i]))) {
          if (typeof v === 'string' && missing.has(v)) {
            // The column's default, else NaN.
            const d = (cfg as data.CSVConfig).columnConfigs?.[k]?.default;
            if (d !== undefined) expect(flat(row)[k], `${i} ${k}`).toBe(d);
            else expect(flat(row)[k], `${i} ${k}`).toBeNaN();
            differ++;
          } else expect(flat(row)[k], `${i} ${k}`).toEqual(v);
        }
      });
    }
    expect(differ).toBe(3 * 7);
  });

  it('batch: objects of numbers batch into a 1-D tensor per column, { xs, ys } into { xs: {…}, ys: {…} }; nothing leaks', async () => {
    const before = live();
    const ds = data.csv(enc('a,b,y\n1,2,0\n3,4,1\n5,6,0\n'), { columnConfigs: { y: { isLabel: true } } }).batch(2);
    expect(await read(ds)).toEqual([
      { xs: { a: { shape: [2], values: [1, 3] }, b: { shape: [2], values: [2, 4] } }, ys: { y: { shape: [2], values: [0, 1] } } },
      { xs: { a: { shape: [1], values: [5] }, b: { shape: [1], values: [6] } }, ys: { y: { shape: [1], values: [0] } } },
    ]);
    expect(await read(data.csv(enc('a,b\n1,2\n3,4\n')).map((r) => Object.values(r)).batch(2))).toEqual([{ shape: [2, 2], values: [1, 2, 3, 4] }]);
    // A string column cannot be batched: batch's error names it.
    expect((await failure(data.csv(enc('a,b\n1,x\n')).batch(1).toArray())).message).toMatch(/batch: cannot batch the string "x" at b/);
    expect(live()).toBe(before);
  });

  it('end to end: fitDataset on the rows of a CSV (the TF.js docs\' pipeline) trains and leaks no tensor', async () => {
    const numFeatures = (await data.csv(await readFile(FIXTURE), { columnConfigs: { y: { isLabel: true } } }).columnNames()).length - 1;
    expect(numFeatures).toBe(2);
    const m = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [numFeatures], units: 1 })] });
    m.compile({ optimizer: nr.optimizers.sgd({ learningRate: 0.2 }), loss: 'meanSquaredError' });
    try {
      const before = live();
      for (const source of [await readFile(FIXTURE), `${base}/linear.csv`]) {
        const ds = data.csv(source, { columnConfigs: { y: { isLabel: true } } })
          .map(({ xs, ys }) => ({ xs: Object.values(xs), ys: Object.values(ys) }))
          .shuffle(32, 1)
          .batch(8);
        const h = await m.fitDataset(ds, { epochs: 12, verbose: 0 });
        const loss = h.history.loss as number[];
        expect(loss).toHaveLength(12);
        expect(loss[11]).toBeLessThan(loss[0] * 0.5);
      }
      expect(live()).toBe(before);
      // The learned map is close to y = 2 x1 - 3 x2 + 0.5.
      const [w, b] = m.getWeights().map((t) => Array.from(t.data()));
      expect(w[0]).toBeCloseTo(2, 0);
      expect(w[1]).toBeCloseTo(-3, 0);
      expect(b[0]).toBeCloseTo(0.5, 1);
    } finally {
      m.dispose();
    }
  });

  it("an empty field batched into features is an error that says a column default fixes it (a Kaggle user's report: it only said 'undefined')", async () => {
    const text = 'a,b,y\n1,2,0\n3,,1\n';
    const ds = (cfg: data.CSVConfig) => data.csv(enc(text), cfg).map((e) => ({ xs: Object.values((e as { xs: object }).xs), ys: Object.values((e as { ys: object }).ys) })).batch(2);
    const e = await failure(ds({ columnConfigs: { y: { isLabel: true } } }).toArray());
    expect(e.message).toBe("batch: the elements' arrays at xs do not make one tensor: element 1 of the batch (its xs[1]) is undefined, not a number; an empty field of data.csv is undefined (as in TF.js): give its column a default in columnConfigs ({ default: 0 }), or required: true to refuse such rows");
    const fixed = await read(ds({ columnConfigs: { y: { isLabel: true }, b: { default: 0 } } }));
    expect(fixed).toEqual([{ xs: { shape: [2, 2], values: [1, 2, 3, 0] }, ys: { shape: [2, 1], values: [0, 1] } }]);
  });
});

describe('data.csv types', () => {
  it('the element type follows the config: { xs, ys } with a label column, rows without', async () => {
    const labeled = data.csv(enc('a,y\n1,2\n'), { columnConfigs: { y: { isLabel: true } } });
    const [e] = await labeled.toArray();
    const ys: data.CSVRow = e.ys; // compiles: the element is { xs, ys }
    expect(ys).toEqual({ y: 2 });
    const plain = data.csv(enc('a,y\n1,2\n'));
    const [r] = await plain.toArray();
    const a: data.CSVValue = r.a; // compiles: the element is a row
    expect(a).toBe(1);
    expectTypeOf(labeled).toEqualTypeOf<data.CSVDataset<data.CSVLabeledRow>>();
    expectTypeOf(plain).toEqualTypeOf<data.CSVDataset<data.CSVRow>>();
    expectTypeOf(data.csv(enc(''), { columnConfigs: { y: { isLabel: false }, z: { dtype: 'int32' } } })).toEqualTypeOf<data.CSVDataset<data.CSVRow>>();
    const unknownCfg: data.CSVConfig = {};
    expectTypeOf(data.csv(enc(''), unknownCfg)).toEqualTypeOf<data.CSVDataset<data.CSVElement>>();
    const flag = Math.random() > 2;
    expectTypeOf(data.csv(enc(''), { columnConfigs: { y: { isLabel: flag } } })).toEqualTypeOf<data.CSVDataset<data.CSVElement>>();
    expect(labeled).toBeInstanceOf(data.CSVDataset);
    expect(labeled).toBeInstanceOf(data.Dataset);
    expect(labeled.size).toBeNull();
  });
});

describe('data.csv on mutated valid input', () => {
  it('3,000 seeded mutations of valid CSVs (bytes flipped, inserted, deleted; quotes, delimiters and line ends among them) give rows or a NeuriteError, never another error, a hang or a leak', async () => {
    const seeds = [
      'a,b,y\n1,2,0\n3,4,1\n5,6,0\n',
      'name,"note, quoted",v\r\n"x ""1""",plain,7\r\n"multi\nline",z,-2.5\r\n',
      'p q r\n1 2 3\n  4   5 6  \n',
    ];
    const configs: data.CSVConfig[] = [{}, { columnConfigs: { y: { isLabel: true } } }, { delimWhitespace: true }, { columnConfigs: { v: { dtype: 'float32', required: true } } }];
    const special = [...enc(',"\n\r \t;0.5e')];
    let s = 12345;
    const rand = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
    const before = nr.memory().numTensors;
    let rows = 0, errors = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = [...enc(seeds[i % seeds.length])];
      for (let k = 1 + rand(4); k > 0; k--) {
        const at = rand(bytes.length + 1);
        const b = rand(3) === 0 ? rand(256) : special[rand(special.length)];
        const kind = rand(3);
        if (kind === 0 && at < bytes.length) bytes[at] = b;
        else if (kind === 1) bytes.splice(at, 0, b);
        else bytes.splice(at, 1);
      }
      const cfg = configs[rand(configs.length)];
      try {
        const ds = data.csv(Uint8Array.from(bytes), cfg);
        rows += (await ds.toArray()).length;
        await ds.columnNames();
      } catch (e) {
        expect(e, `mutation ${i}: ${JSON.stringify(new TextDecoder().decode(Uint8Array.from(bytes)))}`).toBeInstanceOf(nr.NeuriteError);
        errors++;
      }
    }
    // Both outcomes occur, so the mutations reach the reader's checks and its success paths.
    expect(rows).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
    expect(nr.memory().numTensors).toBe(before);
  });
});
