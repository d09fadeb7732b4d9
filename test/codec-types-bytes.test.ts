// The byte codecs' results as TypeScript 5.7+ (whose Uint8Array is generic over its buffer) and
// the web platform see them (an exploratory tester's findings, lib es2022 + dom, strict):
// `crypto.subtle.digest('SHA-256', lzw.decode(s))`, `new Blob([stream])`, `new File([decoded], …)`
// were TS2345/TS2322 (a `Uint8Array<ArrayBufferLike>` may be on a SharedArrayBuffer), and
// `const r: Uint8Array<ArrayBuffer> = rle.decode(…, { output })` too. encode and decode with no
// `output` now return `ArrayBufferBytes` (`Uint8Array<ArrayBuffer>` in 5.7+, `Uint8Array` before),
// and decode into an `output` returns the output's own type. Checked on snippets against the
// sources (ts/index.ts as 'neurite') with the `typescript` dev dependency and with TypeScript 5.2
// (the oldest the README promises, whose Uint8Array is not generic); the check can fail (the
// snippet's @ts-expect-error lines, and the digest call on a shared buffer's bytes). Then at run
// time: the results are on an ArrayBuffer, digest and Blob take them, a Buffer output gives a
// Buffer; and the argument hints for a string or a bare ArrayBuffer where bytes go.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import ts52 from 'typescript-5.2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './setup.js';
import { ROOT } from './runtimes/expect.js';
import { codecs, compression, InvalidArgumentError } from '../ts/index.js';

/** The tester's program (TS 5.7+: it names `Uint8Array<ArrayBuffer>`). */
const MODERN = `
  import { compression, codecs } from 'neurite';
  const text = new TextEncoder().encode('hello hello hello');
  const s = compression.lzw.encode(text);
  const digest: Promise<ArrayBuffer> = crypto.subtle.digest('SHA-256', compression.lzw.decode(s));
  const blob = new Blob([s, compression.huffman.encode(text), compression.rle.encode(text)]);
  const file = new File([compression.huffman.decode(compression.huffman.encode(text))], 'hello.txt');
  const out = new Uint8Array(64);
  const r: Uint8Array<ArrayBuffer> = compression.rle.decode(compression.rle.encode(text), { output: out });
  const h: Uint8Array<ArrayBuffer> = compression.huffman.decode(compression.huffman.encode(text), { maxOutputBytes: 100 });
  const l: Uint8Array<ArrayBuffer> = compression.lzw.decode(s, { maxOutputBytes: undefined, output: undefined });
  const e: Uint8Array<ArrayBuffer> = compression.lzw.encode(text, { maxBits: 12 });
  const image = { data: new Uint8Array(64), width: 8, height: 8 };
  const images = new Blob([codecs.dct.encode(image), codecs.wavelet.encode(image, { quality: 50 })]);
  declare const learned: codecs.LearnedCodec;
  const learnedDigest = crypto.subtle.digest('SHA-256', learned.encode(image));
  // Into a canvas's Uint8ClampedArray: a Uint8Array over its memory.
  const clamped: Uint8Array = compression.lzw.decode(s, { output: new Uint8ClampedArray(64) });
  // Options known at run time: a Uint8Array.
  declare const options: compression.ByteDecodeOptions;
  const any: Uint8Array = compression.lzw.decode(s, options);
  // @ts-expect-error: bytes decoded into a shared buffer are on it
  const shared: Uint8Array<ArrayBuffer> = compression.rle.decode(s, { output: new Uint8Array(new SharedArrayBuffer(64)) });
  // @ts-expect-error: nor are options that may hold one
  const maybe: Uint8Array<ArrayBuffer> = compression.lzw.decode(s, options);
  console.log(digest, blob, file, r, h, l, e, images, learnedDigest, clamped, any, shared, maybe);
  export {};
`;

/** The same uses without naming the generic type, which TypeScript 5.2 does not have. */
const OLD = `
  import { compression, codecs } from 'neurite';
  const text = new TextEncoder().encode('hello hello hello');
  const s = compression.lzw.encode(text);
  const digest: Promise<ArrayBuffer> = crypto.subtle.digest('SHA-256', compression.lzw.decode(s));
  const blob = new Blob([s, compression.huffman.encode(text), compression.rle.encode(text)]);
  const file = new File([compression.huffman.decode(compression.huffman.encode(text))], 'hello.txt');
  const r: Uint8Array = compression.rle.decode(compression.rle.encode(text), { output: new Uint8Array(64) });
  const image = { data: new Uint8Array(64), width: 8, height: 8 };
  const images = new Blob([codecs.dct.encode(image), codecs.wavelet.encode(image)]);
  const clamped: Uint8Array = compression.lzw.decode(s, { output: new Uint8ClampedArray(64) });
  console.log(digest, blob, file, r, images, clamped);
  export {};
`;

describe("the codecs' results type as bytes on an ArrayBuffer (lib es2022 + dom, strict)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'neurite-codec-types-'));
    writeFileSync(join(dir, 'modern.ts'), MODERN);
    writeFileSync(join(dir, 'old.ts'), OLD);
    // Without its @ts-expect-error lines: each line is an error (the check can fail).
    writeFileSync(join(dir, 'negatives.ts'), MODERN.split('\n').filter((l) => !l.includes('@ts-expect-error')).join('\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The diagnostics of `file` alone (the sources are type-checked by `npm run typecheck`). */
  const diagnostics = (file: string, compiler: typeof ts = ts): string[] => {
    const { options } = compiler.parseJsonConfigFileContent({ extends: join(ROOT, 'tsconfig.json') }, compiler.sys, ROOT);
    const program = compiler.createProgram([join(dir, file)], {
      ...options, strict: true, noEmit: true, noUnusedLocals: false, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
      paths: { neurite: [join(ROOT, 'ts/index.ts')] },
    });
    const sf = program.getSourceFile(join(dir, file));
    if (!sf) throw new Error(`${file} is not in the program`);
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) =>
      `${sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1} TS${d.code}: ${compiler.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`);
  };

  it(`with TypeScript ${ts.version}: digest, Blob, File and Uint8Array<ArrayBuffer> take encode's and decode's results; a shared output stays shared`, () => {
    expect(Number(ts.versionMajorMinor.split('.')[1])).toBeGreaterThanOrEqual(7);
    expect(diagnostics('modern.ts')).toEqual([]);
  }, 120_000);

  it('the check can fail: without the directives, the shared output and the run-time options are the errors', () => {
    const lines = MODERN.split('\n').filter((l) => !l.includes('@ts-expect-error'));
    const at = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
    const errs = diagnostics('negatives.ts');
    expect(errs.map((e) => Number(e.split(' ')[0]))).toEqual([at('const shared'), at('const maybe')]);
    expect(errs.join('\n')).toMatch(/TS2322: Type 'Uint8Array<SharedArrayBuffer>' is not assignable to type 'Uint8Array<ArrayBuffer>'/);
  }, 120_000);

  it(`with TypeScript ${ts52.version}, the oldest the README promises (its Uint8Array is not generic)`, () => {
    expect(diagnostics('old.ts', ts52 as unknown as typeof ts)).toEqual([]);
  }, 120_000);
});

describe('at run time', () => {
  const text = new TextEncoder().encode('hello hello hello hello');
  const isArrayBuffer = (b: ArrayBufferLike) => Object.prototype.toString.call(b) === '[object ArrayBuffer]';

  it('encode and decode give fresh bytes on an ArrayBuffer, which digest and Blob take', async () => {
    for (const c of [compression.huffman, compression.lzw, compression.rle]) {
      const s = c.encode(text);
      const d = c.decode(s);
      expect(isArrayBuffer(s.buffer) && isArrayBuffer(d.buffer)).toBe(true);
      expect([s.byteOffset, d.byteOffset, d.buffer.byteLength]).toEqual([0, 0, text.length]);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', d));
      expect(digest).toEqual(new Uint8Array(await crypto.subtle.digest('SHA-256', text)));
      expect(new Uint8Array(await new Blob([s]).arrayBuffer())).toEqual(s);
    }
    const image = { data: new Uint8Array(64).fill(7), width: 8, height: 8 };
    for (const c of [codecs.dct, codecs.wavelet]) expect(isArrayBuffer(c.encode(image).buffer)).toBe(true);
  });

  it("decode into an output gives the output's own type over its memory (a Buffer's is a Buffer)", () => {
    const s = compression.rle.encode(text);
    const buf = Buffer.alloc(64);
    const r = compression.rle.decode(s, { output: buf });
    expect(r).toBeInstanceOf(Buffer);
    expect([r.buffer === buf.buffer, r.byteOffset === buf.byteOffset, r.length]).toEqual([true, true, text.length]);
    const out = new Uint8Array(64);
    const o = compression.lzw.decode(compression.lzw.encode(text), { output: out });
    expect([o.buffer === out.buffer, o.constructor === Uint8Array]).toEqual([true, true]);
  });
});

describe('a string or a bare ArrayBuffer where bytes go: the message says what to pass', () => {
  const throwsInvalid = (f: () => unknown, re: RegExp) => {
    expect(f).toThrow(InvalidArgumentError);
    expect(f).toThrow(re);
  };

  it("a text to encode: its bytes, new TextEncoder().encode(s)", () => {
    for (const n of ['huffman', 'lzw', 'rle'] as const) {
      throwsInvalid(() => compression[n].encode('hello hello' as never), new RegExp(`^compression\\.${n}\\.encode: bytes must be a Uint8Array \\(or a Uint8ClampedArray\\), got the string "hello hello"; to code a text, pass its bytes: new TextEncoder\\(\\)\\.encode\\(s\\) \\(and new TextDecoder\\(\\)\\.decode\\(bytes\\) on the decoded bytes\\)$`));
    }
  });

  it('a stream as a string: a stream is bytes, and base64 text is decoded first', () => {
    for (const n of ['huffman', 'lzw', 'rle'] as const) {
      throwsInvalid(() => compression[n].decode('TlJIRgIAAAA=' as never), new RegExp(`^compression\\.${n}\\.decode: bytes must be a Uint8Array \\(or a Uint8ClampedArray\\), got the string "TlJIRgIAAAA="; a stream is bytes, as encode returns them: if it came as base64 text, decode that to bytes first \\(Uint8Array\\.from\\(atob\\(s\\), \\(c\\) => c\\.charCodeAt\\(0\\)\\), or Buffer\\.from\\(s, 'base64'\\) in Node\\)$`));
    }
    throwsInvalid(() => codecs.dct.decode('abc' as never), /^codecs\.dct\.decode: bytes must be a Uint8Array .*got the string "abc"; a stream is bytes, as encode returns them: if it came as base64 text/);
  });

  it('an ArrayBuffer (or a SharedArrayBuffer): a view of it, new Uint8Array(buffer)', () => {
    const buffers = [new ArrayBuffer(8), new SharedArrayBuffer(8)];
    for (const [n, b] of [['huffman', buffers[0]], ['lzw', buffers[1]], ['rle', buffers[0]]] as const) {
      for (const f of ['encode', 'decode'] as const) {
        throwsInvalid(() => compression[n][f](b as never), new RegExp(`^compression\\.${n}\\.${f}: bytes must be a Uint8Array \\(or a Uint8ClampedArray\\), got an object \\((Shared)?ArrayBuffer\\); to read a buffer's bytes, pass a view of it: new Uint8Array\\(buffer\\)$`));
      }
    }
    // The hint is what it says: the view codes.
    const bytes = new TextEncoder().encode('abcabc');
    expect(compression.lzw.decode(compression.lzw.encode(new Uint8Array(bytes.buffer)))).toEqual(bytes);
  });

  it('other values keep their messages (no hint)', () => {
    throwsInvalid(() => compression.huffman.encode(42 as never), /^compression\.huffman\.encode: bytes must be a Uint8Array \(or a Uint8ClampedArray\), got 42$/);
    throwsInvalid(() => compression.huffman.encode({} as never), /^compression\.huffman\.encode: bytes must be a Uint8Array \(or a Uint8ClampedArray\), got an object \(Object\)$/);
  });
});
