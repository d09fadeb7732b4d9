// data.csv on mutated valid CSV: bytes flipped, inserted (quotes, delimiters, CR, LF, invalid
// UTF-8, a BOM) and removed, the file cut short. Each mutant is read as one buffer and as a
// stream cut into random chunks: both give the same rows, or the same error, which is a
// NeuriteError (a readable message naming data.csv), never a raw TypeError or a hang.
// A new seed each run (printed); CSV_FUZZ_SEED replays one, CSV_FUZZ_CASES runs longer.
import { env } from 'node:process';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';
import './setup.js';

const SEED = env.CSV_FUZZ_SEED !== undefined ? Number(env.CSV_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const CASES = env.CSV_FUZZ_CASES !== undefined ? Number(env.CSV_FUZZ_CASES) : 400;

const VALID = '\uFEFFid,"na,me",x,y\r\n1,"é ""q""",0.5,-2\n2,"two\nlines 🙂",1e3,\r\n\r\n3,plain,  7 ,8\n4,"",-0,9';
const CONFIGS: nr.data.CSVConfig[] = [
  {},
  { columnConfigs: { y: { isLabel: true, default: 0 } } },
  { columnConfigs: { x: { dtype: 'float32', required: true } } },
  { hasHeader: false, columnNames: ['a', 'b', 'c', 'd'] },
  { delimiter: ';' },
  { delimWhitespace: true },
];
const INSERTS = [[0x22], [0x2c], [0x0d], [0x0a], [0x0d, 0x0a], [0x3b], [0x20], [0xff], [0xc3], [0xef, 0xbb, 0xbf], [0xf0, 0x9f]];

/** `bytes` with 1–4 random edits. */
function mutate(r: () => number, bytes: Uint8Array): Uint8Array {
  let b = Array.from(bytes);
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (b.length + 1));
    const kind = Math.floor(r() * 4);
    if (kind === 0 && b.length > 0) b[Math.min(at, b.length - 1)] = Math.floor(r() * 256);
    else if (kind === 1) b.splice(at, 0, ...INSERTS[Math.floor(r() * INSERTS.length)]);
    else if (kind === 2) b.splice(at, 1 + Math.floor(r() * 3));
    else b = b.slice(0, at);
  }
  return Uint8Array.from(b);
}

/** A stream of `bytes` in random chunks of 1–9 bytes. */
function chunked(r: () => number, bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      const n = 1 + Math.floor(r() * 9);
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** The rows, or `{ error }` with the message; a non-NeuriteError is rethrown (a bug). */
async function read(source: nr.data.CSVSource, config: nr.data.CSVConfig): Promise<unknown> {
  try {
    return await nr.data.csv(source, config).toArray();
  } catch (e) {
    if (!(e instanceof nr.NeuriteError)) throw e;
    expect(e.message).toMatch(/^data\.csv: /);
    return { error: e.message };
  }
}

describe('fuzz: data.csv on mutated valid CSV', () => {
  it(`${CASES} mutants, each as one buffer and as random chunks: the same rows or the same NeuriteError (seed ${SEED})`, async () => {
    console.log(`csv fuzz seed ${SEED} (replay with CSV_FUZZ_SEED=${SEED})`);
    const r = mulberry32(SEED);
    const valid = new TextEncoder().encode(VALID);
    const before = nr.memory().numTensors;
    let errors = 0;
    for (let i = 0; i < CASES; i++) {
      const bytes = mutate(r, valid);
      const config = CONFIGS[Math.floor(r() * CONFIGS.length)];
      const what = `case ${i} (seed ${SEED}): ${JSON.stringify(new TextDecoder().decode(bytes))} with ${JSON.stringify(config)}`;
      const whole = await read(bytes, config).catch((e: unknown) => { throw new Error(`${what}: ${String(e)}`); });
      const streamed = await read(chunked(r, bytes), config).catch((e: unknown) => { throw new Error(`${what} (streamed): ${String(e)}`); });
      expect(streamed, what).toEqual(whole);
      if (typeof whole === 'object' && whole !== null && 'error' in whole) errors++;
    }
    console.log(`csv fuzz: ${CASES - errors} of ${CASES} mutants parsed, ${errors} refused`);
    expect(nr.memory().numTensors).toBe(before);
  });
});
