/**
 * `codecs.learned`: an autoencoder trained on a data set becomes an image codec for that kind
 * of image. encoder → code → uniform quantisation of every code unit to `2^bits` levels →
 * arithmetic coding of the symbols with a per-unit probability table → bytes; decoding runs
 * the arithmetic decoder, maps symbols back to code values and runs the decoder.
 *
 * The encoder, the decoder, the quantiser's ranges and the probability tables are the codec
 * (both sides hold them, as both sides of JPEG hold the DCT); the stream holds only a small
 * header and the coded symbols, and the rate is counted from all of its bytes.
 *
 * Stream (version 3): magic `NL` (2 bytes), version (1 byte), `bits` (1 byte), then LEB128
 * varints: image height, image width, code size (units per image), `2·count + isArray`,
 * payload length in bytes; then a CRC-32 (4 bytes, little-endian), then a 32-bit binary
 * arithmetic code (Witten–Neal–Cleary, 16-bit frequency tables) of the `count · units` symbols
 * in image-major order, trailing zero bytes dropped (the decoder reads zeros past the end) as
 * long as the decoder reads at most {@link MAX_OVERREAD_BITS} bits (12 bytes) past the end:
 * the payload is exactly as long as that rule gives for its symbols, and a stream that is not
 * (whose decoder would read further, or that has other bytes than its code) is corrupt. So a
 * payload bounds the images it can hold: each image costs at least the sum over the units of
 * `−log2` of the unit's most probable symbol's probability, and a stream whose header claims
 * more images than its payload can hold is refused before anything is decoded.
 * The CRC-32 is that of the header before it, the payload, and the codec's fingerprint: the
 * 4-byte CRC-32 of what decoding depends on besides the stream (the code's per-sample shape, the
 * quantisation ranges, the probability tables and the decoder's weights, read at each call).
 * A stream decoded by a codec whose decoder has other weights (trained further, `setWeights`)
 * or whose ranges or tables differ fails that check instead of decoding to another image; the
 * fingerprint adds no byte. One 28×28 digit with a 16-unit code costs a 13-byte header plus the
 * payload. (Version 1 had an 8-bit check, which let about one corrupt stream in 256 decode to
 * another image; version 2 checked the stream's bytes only, not the model they need.)
 *
 * Why not `compression.huffman` on the symbols: its stream carries a 142-byte header and code
 * table, more than a whole digit's code, and one table for all units ignores that each unit has
 * its own distribution. The tables here are learned once, with the weights, and the arithmetic
 * coder (TypeScript: a few hundred symbols per image) spends within a few bits of their ideal
 * code length (`test/compression-learned.test.ts`).
 */
import { DisposedError, InvalidArgumentError } from '../../errors.js';
import { describe, f32String, makeTensor, show } from '../../ops/convert.js';
import { checkKeys } from '../../classic/common.js';
import { unknownOption } from '../../options.js';
import { Tensor } from '../../tensor.js';
import { Layer } from '../../layers/layer.js';
import { Sequential } from '../../models/sequential.js';
import { Autoencoder } from '../../models/autoencoder.js';
import { bytesArg, DEFAULT_MAX_IMAGE_BYTES, maxOutputArg, type Bytes, type DecodeOptions } from '../bytes.js';
import { call, check, outPtr, readOut } from '../../engine.js';
import { keep } from '../../scope.js';
import { crc32 } from '../crc32.js';
import { imageData, rgbaHint, type GrayImage, type GrayImageInput } from './image.js';
import type { LoadedModel } from '../../io/load.js';
import type { ArrayBufferBytes } from '../../web-types.js';

/** Options of {@link create} and {@link fromAutoencoder}. */
export interface LearnedCodecOptions {
  /** `[height, width]` of the images the autoencoder was trained on (its input has `height·width` values). */
  imageShape: [number, number];
  /** Quantisation levels per code unit: `2^bits`, `bits` in 1..8. Default 4. */
  bits?: number | undefined;
  /**
   * The range each code unit is quantised over: `[lo, hi]` for every unit (default `[0, 1]`,
   * for a sigmoid code), or `'data'` for each unit's own min and max over `data`. Values
   * outside it are clipped; with `data` and the default range, more than 1 % of data's codes
   * outside `[0, 1]` is an error (a code that is not a sigmoid's needs a range).
   */
  range?: [number, number] | 'data' | undefined;
  /**
   * Training images, pixel values in `[0, 1]` (others, e.g. 0..255, are an error), as a tensor `[n, height·width]` (or any shape
   * of `n·height·width` values). Their codes give the per-unit probability tables of the
   * entropy coder (counts + 1, so no symbol is impossible) and, with `range: 'data'`, the
   * ranges. Without `data`, the tables are uniform: every symbol costs exactly `bits` bits, and
   * the arithmetic code ends with about one more byte (32 units at 4 bits: a 13-byte header,
   * 16 bytes of symbols and 1 byte, 30 in all).
   */
  data?: Tensor | undefined;
}

/**
 * Options of {@link create} and {@link fromAutoencoder} that rebuild a codec from a
 * description ({@link LearnedCodec.toJSON}) instead of training data: the other side of a
 * stream (another process, a browser) needs the model and this description, not the training
 * set. `imageShape` and `bits` may be given too; they must then match the description's.
 */
export interface LearnedCodecRestoreOptions {
  /** What {@link LearnedCodec.toJSON} returned (or its `JSON.parse`d text). */
  description: LearnedCodecDescription;
  /** Must equal `description.imageShape` if given. */
  imageShape?: [number, number] | undefined;
  /** Must equal `description.bits` if given. */
  bits?: number | undefined;
}

/**
 * What a learned codec holds besides the autoencoder's weights: the quantisation ranges and
 * the probability tables, from {@link LearnedCodec.toJSON} (plain JSON: save it with the model,
 * e.g. next to `model.json`). A codec rebuilt from the same model and this description
 * (`fromAutoencoder(ae, { description })`) encodes and decodes bit for bit as the original.
 * Checked on load: every field's type and size, and `check`, a CRC-32 of the contents, so a
 * damaged or edited description is refused with an error naming the field rather than giving
 * a codec whose streams fail their CRC.
 */
export interface LearnedCodecDescription {
  /** Always `'neurite-learned-codec'`. */
  format: 'neurite-learned-codec';
  /** Layout version of this object: 1. */
  version: 1;
  /** `[height, width]`. */
  imageShape: [number, number];
  /** Bits per code unit (1..8). */
  bits: number;
  /** Code units per image (the encoder's output size, checked against the model). */
  codeSize: number;
  /** Each unit's quantisation range, `[lo₀, hi₀, lo₁, hi₁, …]` (`2·codeSize` numbers, lo ≤ hi). */
  ranges: number[];
  /**
   * Each unit's symbol frequencies, `2^bits` integers per unit (unit-major, `codeSize·2^bits`
   * in all), each ≥ 1, summing to at most 65536 per unit: symbol `s` of unit `j` has
   * probability `frequencies[j·2^bits + s] / Σ_s frequencies[j·2^bits + s]`.
   */
  frequencies: number[];
  /**
   * The CRC-32 of the fields above as bytes: `[height, width, bits, codeSize]` as uint32, the
   * ranges as float64 and the frequencies as uint32, all little-endian.
   */
  check: number;
}

/** A learned codec: see {@link create}. */
export interface LearnedCodec {
  /** Encodes one image, or an array of images (all `imageShape`), into one stream. */
  encode(image: GrayImageInput): ArrayBufferBytes;
  encode(images: GrayImageInput[]): ArrayBufferBytes;
  /**
   * Decodes a stream of one image (from `encode(image)`). A batch stream (from
   * `encode(images)`) is an `InvalidArgumentError` that says to use {@link decodeBatch}; so is a
   * stream encoded while the decoder had other weights (trained since, `setWeights`), or by a
   * codec with other quantisation ranges or probability tables ("damaged, or encoded with
   * different model weights"): the stream's CRC-32 covers a fingerprint of them.
   *
   * `maxOutputBytes` (default {@link DEFAULT_MAX_IMAGE_BYTES}, 64 MiB, as the other image
   * codecs) bounds the memory decoding takes, counted per image as its code (`codeSize`
   * symbols and as many float32 decoder inputs), the decoder's float32 output (`4·h·w` bytes)
   * and the image (`h·w` bytes): `5·(codeSize + h·w)` bytes, 4000 for a 28×28 digit with a
   * 16-unit code.
   * A stream whose header claims more is refused before anything is decoded.
   */
  decode(bytes: Bytes, options?: DecodeOptions): GrayImage;
  /**
   * Decodes any stream of this codec into an array: the images of a batch stream (from
   * `encode(images)`, `[]` for an empty batch), or `[image]` for a stream of one.
   * `maxOutputBytes` as in {@link LearnedCodec.decode}.
   */
  decodeBatch(bytes: Bytes, options?: DecodeOptions): GrayImage[];
  /** Frees the autoencoder if the codec made it ({@link create}); the codec is then unusable. Idempotent. */
  dispose(): void;
  [Symbol.dispose](): void;
  /** Bits per code unit. */
  readonly bits: number;
  /** Code units per image. */
  readonly codeSize: number;
  /** `[height, width]`. */
  readonly imageShape: [number, number];
  /** Each unit's quantisation range, `[lo₀, hi₀, lo₁, hi₁, …]`: a copy (the codec's own never change; its streams depend on them). */
  readonly ranges: Float64Array;
  /**
   * The ranges and probability tables as plain JSON (see {@link LearnedCodecDescription}):
   * with the model's weights, everything the other side needs to rebuild this codec exactly,
   * `codecs.learned.fromAutoencoder(loadedModel, { description })`. `JSON.stringify(codec)`
   * gives it as text.
   */
  toJSON(): LearnedCodecDescription;
}

const FORMAT = 'neurite-learned-codec';
const DESCRIPTION_VERSION = 1;

const MAGIC0 = 0x4e; // 'N'
const MAGIC1 = 0x4c; // 'L'
const VERSION = 3;
const FREQ_TOTAL = 1 << 16;
/**
 * The most bits the arithmetic decoder may read past the end of a payload (it reads zeros
 * there): its 32-bit register plus 64. The encoder keeps trailing zero bytes where dropping them
 * would need more, so a valid stream never does (an encoder before this rule dropped them all,
 * which needed more only when the code ended on 65 or more pending renormalisations: an
 * interval within 2^-65 of a midpoint).
 */
const MAX_OVERREAD_BITS = 96;

/**
 * A codec from an encoder and a decoder (sequential models or layers; shared, not copied,
 * as in `autoencoder`). The codec owns the autoencoder it assembles: `dispose()` frees it.
 *
 * @example
 * const codec = codecs.learned.create({ encoder, decoder, imageShape: [28, 28], bits: 4, data: xTrain });
 * const bytes = codec.encode({ data: digit, width: 28, height: 28 });
 * const back = codec.decode(bytes); // { data, width: 28, height: 28 }
 * // the other side: the same weights, and codec.toJSON() instead of the training data
 * const twin = codecs.learned.create({ encoder, decoder, description: codec.toJSON() });
 */
export function create(args: { encoder: Sequential | Layer; decoder: Sequential | Layer } & (LearnedCodecOptions | LearnedCodecRestoreOptions)): LearnedCodec {
  const op = 'codecs.learned.create';
  const o = checkKeys(op, args, ['encoder', 'decoder', 'imageShape', 'bits', 'range', 'data', 'description'], true);
  for (const part of ['encoder', 'decoder'] as const) {
    const v = o[part];
    if (!(v instanceof Sequential) && !(v instanceof Layer)) throw new InvalidArgumentError(`${op}: ${part} must be a sequential model or a layer, got ${describe(v)}`);
  }
  const opts = options(op, o);
  const ae = new Autoencoder({ encoder: o.encoder as Sequential | Layer, decoder: o.decoder as Sequential | Layer });
  try {
    return new Codec(op, ae, true, opts);
  } catch (err) {
    ae.dispose();
    throw err;
  }
}

/**
 * A codec from a trained autoencoder (not owned: disposing the codec leaves it alive).
 *
 * @example
 * const codec = codecs.learned.fromAutoencoder(ae, { imageShape: [28, 28], bits: 5, data: xTrain });
 * fs.writeFileSync('codec.json', JSON.stringify(codec)); // saved with the model (ae.save)
 * // elsewhere: the saved model and the description, no training data
 * const same = codecs.learned.fromAutoencoder(await loadModel(url), { description: JSON.parse(text) });
 */
export function fromAutoencoder(ae: LoadedModel, opts: LearnedCodecOptions | LearnedCodecRestoreOptions): LearnedCodec {
  const op = 'codecs.learned.fromAutoencoder';
  // Typed as what loadModel gives (its union), so that loadModel's result type-checks here.
  if (!(ae instanceof Autoencoder)) throw new InvalidArgumentError(`${op}: ae must be an Autoencoder (made by autoencoder(), or loaded from an autoencoder's save), got ${describe(ae)}`);
  return new Codec(op, ae, false, options(op, checkKeys(op, opts, ['imageShape', 'bits', 'range', 'data', 'description'], true)));
}

interface Opts {
  h: number;
  w: number;
  bits: number;
  range: [number, number] | 'data';
  /** Whether `range` is the default `[0, 1]` (not given). */
  defaultRange: boolean;
  data: Tensor | undefined;
  /** The ranges and frequencies of a description (then `range` and `data` are unused). */
  described?: { codeSize: number; ranges: Float64Array; frequencies: Uint32Array } | undefined;
}

/** @internal The CRC-32 {@link LearnedCodecDescription.check} holds: of the shape, bits, code size, ranges (f64) and frequencies (u32). */
export function descriptionCrc(h: number, w: number, bits: number, codeSize: number, ranges: Float64Array, frequencies: Uint32Array): number {
  return crc32([bytesOf(Uint32Array.of(h, w, bits, codeSize)), bytesOf(ranges), bytesOf(frequencies)]);
}

/** Validates a {@link LearnedCodecDescription}; every error names the field. */
function readDescription(op: string, d: unknown): NonNullable<Opts['described']> & { h: number; w: number; bits: number } {
  const bad = (what: string): never => {
    throw new InvalidArgumentError(`${op}: ${what}`);
  };
  if (typeof d === 'string') bad(`description is a string; pass the object: JSON.parse(text) of what JSON.stringify(codec) wrote`);
  if (d === null || typeof d !== 'object' || Array.isArray(d)) bad(`description must be the object codec.toJSON() returned (or its JSON.parse'd text), got ${describe(d)}`);
  const fields = ['format', 'version', 'imageShape', 'bits', 'codeSize', 'ranges', 'frequencies', 'check'];
  for (const key of Object.keys(d as object)) if (!fields.includes(key)) throw unknownOption(`${op}: description`, key, fields, 'field');
  const o = d as Record<string, unknown>;
  if (o.format !== FORMAT) bad(`description.format must be '${FORMAT}', got ${show(o.format)}: not a learned codec's description`);
  if (o.version !== DESCRIPTION_VERSION) bad(`description.version ${show(o.version)} is not supported (this library reads version ${DESCRIPTION_VERSION})`);
  const s = o.imageShape;
  if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535)) bad(`description.imageShape must be [height, width] with integers in [1, 65535], got ${show(s)}`);
  const bits = o.bits;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 8) bad(`description.bits must be an integer in [1, 8], got ${describe(bits)}`);
  const k = o.codeSize;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > 65535) bad(`description.codeSize must be an integer in [1, 65535], got ${describe(k)}`);
  const codeSize = k as number;
  const L = 1 << (bits as number);
  const r = o.ranges;
  if (!Array.isArray(r) || r.length !== 2 * codeSize) bad(`description.ranges must be an array of 2·codeSize = ${2 * codeSize} numbers, got ${Array.isArray(r) ? `${r.length}` : describe(r)}`);
  const ranges = new Float64Array(2 * codeSize);
  for (let i = 0; i < ranges.length; i++) {
    const v = (r as unknown[])[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`description.ranges[${i}] must be a finite number, got ${describe(v)}`);
    ranges[i] = v as number;
    if (i % 2 === 1 && !(ranges[i - 1] <= ranges[i])) bad(`description.ranges of unit ${(i - 1) / 2}: lo ${ranges[i - 1]} > hi ${ranges[i]}`);
  }
  const f = o.frequencies;
  if (!Array.isArray(f) || f.length !== codeSize * L) bad(`description.frequencies must be an array of codeSize·2^bits = ${codeSize}·${L} = ${codeSize * L} integers, got ${Array.isArray(f) ? `${f.length}` : describe(f)}`);
  const frequencies = new Uint32Array(codeSize * L);
  for (let j = 0; j < codeSize; j++) {
    let sum = 0;
    for (let t = 0; t < L; t++) {
      const i = j * L + t;
      const v = (f as unknown[])[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > FREQ_TOTAL) bad(`description.frequencies[${i}] must be an integer in [1, ${FREQ_TOTAL}], got ${describe(v)}`);
      frequencies[i] = v as number;
      sum += v as number;
    }
    if (sum > FREQ_TOTAL) bad(`description.frequencies of unit ${j} (entries ${j * L}..${j * L + L - 1}) sum to ${sum}, more than ${FREQ_TOTAL}`);
  }
  const [h, w] = s as [number, number];
  const want = descriptionCrc(h, w, bits as number, codeSize, ranges, frequencies);
  if (o.check !== want) bad(`description.check ${typeof o.check === 'number' ? `0x${(o.check >>> 0).toString(16).padStart(8, '0')}` : describe(o.check)} does not match its contents (their CRC-32 is 0x${want.toString(16).padStart(8, '0')}): the description is damaged or was edited`);
  return { h, w, bits: bits as number, codeSize, ranges, frequencies };
}

function options(op: string, o: Record<string, unknown>): Opts {
  if (o.description !== undefined) {
    for (const key of ['range', 'data'] as const) {
      if (o[key] !== undefined) throw new InvalidArgumentError(`${op}: pass either description (a saved codec) or ${key} (to build one), not both`);
    }
    const d = readDescription(op, o.description);
    const s = o.imageShape;
    if (s !== undefined && !(Array.isArray(s) && s.length === 2 && s[0] === d.h && s[1] === d.w)) throw new InvalidArgumentError(`${op}: imageShape ${show(s)} differs from description.imageShape [${d.h},${d.w}]`);
    if (o.bits !== undefined && o.bits !== d.bits) throw new InvalidArgumentError(`${op}: bits ${show(o.bits)} differs from description.bits ${d.bits}`);
    return { h: d.h, w: d.w, bits: d.bits, range: [0, 1], defaultRange: false, data: undefined, described: d };
  }
  const s = o.imageShape;
  if (!Array.isArray(s) || s.length !== 2 || !s.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 65535)) {
    throw new InvalidArgumentError(`${op}: imageShape must be [height, width] with integers in [1, 65535], got ${show(s)}`);
  }
  const bits = o.bits ?? 4;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new InvalidArgumentError(`${op}: bits must be an integer in [1, 8], got ${describe(bits)}`);
  }
  const range = o.range ?? [0, 1];
  if (range !== 'data') {
    const ok = Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === 'number' && Number.isFinite(v)) && range[0] < range[1];
    if (!ok) throw new InvalidArgumentError(`${op}: range must be [lo, hi] with finite lo < hi, or 'data', got ${show(range)}`);
  }
  const data = o.data;
  if (data !== undefined && !(data instanceof Tensor)) throw new InvalidArgumentError(`${op}: data must be a Tensor of images, got ${describe(data)}`);
  if (range === 'data' && data === undefined) throw new InvalidArgumentError(`${op}: range 'data' needs data (training images)`);
  return { h: s[0] as number, w: s[1] as number, bits, range: range as Opts['range'], defaultRange: o.range === undefined, data };
}

/**
 * Throws unless every value of `data` is a pixel in [0, 1] (the codec maps bytes to `b / 255`,
 * so data in 0..255 would give tables for codes the codec never sees).
 */
function checkPixels(op: string, data: Float32Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) throw new InvalidArgumentError(`${op}: data holds NaN at flat index ${i}; pixel values must be in [0, 1]`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min < 0 || max > 1) {
    const hint = max > 1 && max <= 255 && min >= 0 ? ' (pixels in 0..255? divide by 255)' : '';
    throw new InvalidArgumentError(`${op}: data must hold pixel values in [0, 1], but its values run from ${f32String(min)} to ${f32String(max)}${hint}`);
  }
}

class Codec implements LearnedCodec {
  readonly bits: number;
  readonly codeSize: number;
  readonly imageShape: [number, number];
  /** Each unit's range: set when made, then read only (the getter gives copies). */
  readonly #ranges: Float64Array;
  readonly #ae: Autoencoder;
  readonly #owned: boolean;
  readonly #inShape: number[];
  readonly #codeShape: number[];
  /** Cumulative frequencies, `codeSize` tables of `levels + 1` entries. */
  readonly #cum: Uint32Array;
  /** The CRC-32 of {@link Codec.#cum} (4 bytes), which never changes: part of {@link Codec.#fingerprint}. */
  readonly #tables: Uint8Array;
  /**
   * A lower bound on the payload bits of one image: the sum over the units of `−log2` of the
   * largest probability of a symbol (plus the coder's rounding, 2^-30). See {@link Codec.#decode}.
   */
  readonly #minBitsPerImage: number;
  /** The last fingerprint and what it was computed from: see {@link Codec.#fingerprint}. */
  #snapshot: Snapshot | null = null;
  #disposed = false;

  /** Each unit's quantisation range, a copy: writing into the codec's own array made streams no rebuilt codec reads (lo > hi, NaN). */
  get ranges(): Float64Array {
    return this.#ranges.slice();
  }

  constructor(op: string, ae: Autoencoder, owned: boolean, o: Opts) {
    this.#ae = ae;
    this.#owned = owned;
    this.bits = o.bits;
    this.imageShape = [o.h, o.w];
    const px = o.h * o.w;
    const declared = ae.inputDims;
    if (declared && declared.reduce((a, b) => a * b, 1) !== px) {
      throw new InvalidArgumentError(`${op}: the autoencoder takes per-sample shape [${declared.join(',')}] (${declared.reduce((a, b) => a * b, 1)} values) but imageShape [${o.h},${o.w}] has ${px} pixels`);
    }
    // An input with rows and columns ([h, w] or [h, w, c]) says the image's: a [14,56] image
    // passed as a [28,28,1] model's input was reshaped into it (the same pixel count) and came
    // back as noise.
    if (declared && declared.length >= 2 && (declared[0] !== o.h || declared[1] !== o.w)) {
      throw new InvalidArgumentError(`${op}: the autoencoder takes images of ${declared[0]} rows × ${declared[1]} columns (per-sample shape [${declared.join(',')}]) but imageShape is [${o.h},${o.w}]; give imageShape [${declared[0]},${declared[1]}]`);
    }
    this.#inShape = declared ?? [px];
    if (!declared) ae.build([px]);
    // Probe with a blank image: the code's shape, and a decoder that gives back an image.
    const probe = this.#run(op, 'encode', new Float32Array(px), 1, this.#inShape);
    const codeSize = probe.values.length;
    if (codeSize < 1 || codeSize > 65535) throw new InvalidArgumentError(`${op}: the encoder gives ${codeSize} code units per image (1..65535 supported)`);
    this.codeSize = codeSize;
    this.#codeShape = probe.shape;
    const back = this.#run(op, 'decode', new Float32Array(codeSize), 1, this.#codeShape);
    if (back.values.length !== px) throw new InvalidArgumentError(`${op}: the decoder gives ${back.values.length} values per image but imageShape [${o.h},${o.w}] has ${px} pixels`);

    const L = 1 << o.bits;
    const described = o.described;
    if (described && described.codeSize !== codeSize) throw new InvalidArgumentError(`${op}: description.codeSize is ${described.codeSize} but this autoencoder's encoder gives ${codeSize} code units per image (a description of another model?)`);
    let codes: Float32Array | null = null;
    let n = 0;
    if (o.data) {
      if (o.data.isDisposed) throw new DisposedError(`${op}: data is disposed`);
      if (o.data.size === 0 || o.data.size % px !== 0) throw new InvalidArgumentError(`${op}: data has ${o.data.size} values, not a positive multiple of ${o.h}×${o.w} = ${px} (shape [${o.data.shape.join(',')}])`);
      n = o.data.size / px;
      const pixels = o.data.dataSync();
      checkPixels(op, pixels);
      codes = this.#run(op, 'encode', pixels, n, this.#inShape).values;
      for (let i = 0; i < codes.length; i++) if (!Number.isFinite(codes[i])) throw new InvalidArgumentError(`${op}: the encoder gave a non-finite code value (${codes[i]}) for data image ${Math.floor(i / codeSize)}`);
    }
    this.#ranges = described ? described.ranges.slice() : new Float64Array(2 * codeSize);
    for (let j = 0; j < codeSize && !described; j++) {
      let lo: number, hi: number;
      if (o.range === 'data') {
        lo = Infinity;
        hi = -Infinity;
        for (let i = 0; i < n; i++) {
          const v = codes![i * codeSize + j];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      } else [lo, hi] = o.range;
      this.#ranges[2 * j] = lo;
      this.#ranges[2 * j + 1] = hi;
    }
    // The default [0, 1] (for a sigmoid code) on a code that goes well outside it would clip
    // silently: more than 1 % of the training codes beyond half a step is an error.
    if (codes && o.defaultRange) {
      const half = 0.5 / (L - 1);
      let out = 0, min = Infinity, max = -Infinity;
      for (const v of codes) {
        if (v < -half || v > 1 + half) out++;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (out > 0.01 * codes.length) {
        throw new InvalidArgumentError(`${op}: ${((100 * out) / codes.length).toFixed(1)} % of data's code values fall outside the default range [0, 1] (they span ${f32String(min)} to ${f32String(max)}) and would be clipped: pass range: 'data' (each unit's min and max over data) or range: [lo, hi]`);
      }
    }
    // Probability tables: counts over the training codes + 1, scaled to about 2^16.
    this.#cum = new Uint32Array(codeSize * (L + 1));
    const counts = new Float64Array(L);
    for (let j = 0; j < codeSize; j++) {
      const base = j * (L + 1);
      if (described) {
        for (let s = 0; s < L; s++) this.#cum[base + s + 1] = this.#cum[base + s] + described.frequencies[j * L + s];
        continue;
      }
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[this.#quantize(j, codes![i * codeSize + j])]++;
      for (let s = 0; s < L; s++) this.#cum[base + s + 1] = this.#cum[base + s] + 1 + (n ? Math.floor((counts[s] * (FREQ_TOTAL - L)) / n) : 0);
    }
    this.#tables = le32(crc32([bytesOf(this.#cum)]));
    let minBits = 0;
    for (let j = 0; j < codeSize; j++) {
      const base = j * (L + 1);
      let top = 0;
      for (let s = 0; s < L; s++) top = Math.max(top, this.#cum[base + s + 1] - this.#cum[base + s]);
      minBits -= Math.log2(Math.min(1, top / this.#cum[base + L] + 2 ** -30));
    }
    // Rounding of the sum can only make it smaller: a margin of 1e-9 relative.
    this.#minBitsPerImage = minBits * (1 - 1e-9);
    // The first fingerprint, and the weights it is kept with (so encode and decode leave the
    // count of live tensors as they found it).
    this.#fingerprint();
  }

  /**
   * The 4-byte CRC-32 of what decoding depends on besides the stream, which the stream's CRC-32
   * covers: the probability tables, the code's per-sample shape, the quantisation ranges (a
   * public array, so read each time) and the decoder's weights as float32 in `getWeights()`
   * order with their sizes (read each time: training or `setWeights` changes them).
   *
   * Computing it reads every weight (a CRC-32 of 400 kB for a 16-128-784 decoder, 10 times the
   * decoder's own forward pass), so the last one is kept with what it was computed from: the
   * ranges, and the `getWeights()` tensors themselves, kept alive. Those share the weights'
   * values copy-on-write (no copy), and a weight's values are only ever written where nothing
   * else shares them: anything that changes a weight (training, `setWeights`, an optimizer step,
   * loading, through this model or another that shares its layers) gives it a new buffer while
   * the kept tensor holds on to the old one, at an address nothing else can have. So the
   * fingerprint is still valid exactly when each weight's values are at the address the kept
   * tensor's are; otherwise it is computed afresh (and the kept tensors replaced). The kept
   * tensors (made by the constructor, replaced one for one) count in `memory().numTensors`
   * while the codec lives, and hold the old values of weights changed since (until the next
   * call, or `dispose()`).
   */
  #fingerprint(): Uint8Array {
    const weights = this.#ae.decoder.getWeights();
    let kept = false;
    try {
      const ptrs = weights.map(dataAddress);
      const snap = this.#snapshot;
      if (snap && snap.addresses.length === ptrs.length && snap.ranges.every((v, i) => Object.is(v, this.#ranges[i])) && snap.weights.every((w, i) => !w.isDisposed && w.size === weights[i].size && snap.addresses[i] === ptrs[i])) {
        return snap.fingerprint;
      }
      const parts = [this.#tables, bytesOf(Uint32Array.from(this.#codeShape)), bytesOf(this.#ranges), bytesOf(Uint32Array.from(weights, (w) => w.size))];
      for (const w of weights) parts.push(bytesOf(w.dataSync()));
      const fingerprint = le32(crc32(parts));
      this.#dropSnapshot();
      for (const w of weights) keep(w);
      this.#snapshot = { weights, addresses: ptrs, ranges: this.#ranges.slice(), fingerprint };
      snapshots.register(this, weights, this);
      kept = true;
      return fingerprint;
    } finally {
      if (!kept) for (const w of weights) w.dispose();
    }
  }

  #dropSnapshot(): void {
    const snap = this.#snapshot;
    if (!snap) return;
    this.#snapshot = null;
    snapshots.unregister(this);
    for (const w of snap.weights) {
      try {
        w.dispose();
      } catch {
        /* its instance is gone: nothing to free */
      }
    }
  }

  #quantize(j: number, v: number): number {
    const lo = this.#ranges[2 * j], hi = this.#ranges[2 * j + 1];
    if (!(hi > lo)) return 0;
    const L1 = (1 << this.bits) - 1;
    return Math.min(L1, Math.max(0, Math.round(((v - lo) / (hi - lo)) * L1)));
  }

  #dequantize(j: number, s: number): number {
    const lo = this.#ranges[2 * j], hi = this.#ranges[2 * j + 1];
    return hi > lo ? lo + ((hi - lo) * s) / ((1 << this.bits) - 1) : lo;
  }

  /** Runs half of the autoencoder on `n` flat samples; returns the flat output and its per-sample shape. */
  #run(op: string, half: 'encode' | 'decode', flat: Float32Array, n: number, shape: number[]): { values: Float32Array; shape: number[] } {
    const x = makeTensor(op, flat, [n, ...shape]);
    try {
      const y = half === 'encode' ? this.#ae.encode(x) : this.#ae.decode(x);
      try {
        return { values: y.dataSync(), shape: y.shape.slice(1) };
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  #live(op: string, model = true): void {
    if (this.#disposed) throw new DisposedError(`${op}: the codec is disposed`);
    // The caller's autoencoder (fromAutoencoder), disposed: its own error named its method
    // (`encode: model … is disposed`) or getWeights, not op.
    if (model && this.#ae.isDisposed) throw new DisposedError(`${op}: the codec's autoencoder ${this.#ae.name} is disposed (fromAutoencoder does not own it): dispose it after the codec`);
  }

  toJSON(): LearnedCodecDescription {
    this.#live('codecs.learned.toJSON', false);
    const L = 1 << this.bits;
    const frequencies = new Uint32Array(this.codeSize * L);
    for (let j = 0; j < this.codeSize; j++) for (let s = 0; s < L; s++) frequencies[j * L + s] = this.#cum[j * (L + 1) + s + 1] - this.#cum[j * (L + 1) + s];
    const [h, w] = this.imageShape;
    return {
      format: FORMAT,
      version: DESCRIPTION_VERSION,
      imageShape: [h, w],
      bits: this.bits,
      codeSize: this.codeSize,
      ranges: Array.from(this.#ranges),
      frequencies: Array.from(frequencies),
      check: descriptionCrc(h, w, this.bits, this.codeSize, this.#ranges, frequencies),
    };
  }

  encode(images: GrayImageInput | GrayImageInput[]): ArrayBufferBytes {
    const op = 'codecs.learned.encode';
    this.#live(op);
    const isArray = Array.isArray(images);
    const list = isArray ? images : [images];
    const [h, w] = this.imageShape;
    const px = h * w;
    const flat = new Float32Array(list.length * px);
    list.forEach((im, i) => {
      const at = isArray ? `images[${i}]` : 'image';
      const data = imageData(op, at, im);
      if (im.width !== w || im.height !== h || data.length !== px) {
        throw new InvalidArgumentError(`${op}: ${at} is ${describe(im.width)}×${describe(im.height)} with ${data.length} bytes, but this codec takes ${w}×${h} images (${px} bytes)${rgbaHint(data.length, px)}`);
      }
      for (let k = 0; k < px; k++) flat[i * px + k] = data[k] / 255;
    });
    const n = list.length;
    const k = this.codeSize;
    const symbols = new Uint8Array(n * k);
    if (n > 0) {
      const codes = this.#run(op, 'encode', flat, n, this.#inShape).values;
      for (let i = 0; i < codes.length; i++) {
        if (!Number.isFinite(codes[i])) throw new InvalidArgumentError(`${op}: the encoder gave a non-finite code value (${codes[i]}) for image ${Math.floor(i / k)}`);
        symbols[i] = this.#quantize(i % k, codes[i]);
      }
    }
    const L = 1 << this.bits;
    const enc = new ArithmeticEncoder();
    for (let i = 0; i < symbols.length; i++) {
      const base = (i % k) * (L + 1);
      enc.encode(this.#cum[base + symbols[i]], this.#cum[base + symbols[i] + 1], this.#cum[base + L]);
    }
    const payload = enc.finish();
    const head = [MAGIC0, MAGIC1, VERSION, this.bits];
    for (const v of [h, w, k, 2 * n + (isArray ? 1 : 0), payload.length]) pushVarint(head, v);
    head.push(...le32(crc32([head, payload, this.#fingerprint()])));
    const out = new Uint8Array(head.length + payload.length);
    out.set(head);
    out.set(payload, head.length);
    return out;
  }

  decode(bytes: Bytes, options?: DecodeOptions): GrayImage {
    const op = 'codecs.learned.decode';
    return this.#decode(op, bytes, options, true)[0];
  }

  decodeBatch(bytes: Bytes, options?: DecodeOptions): GrayImage[] {
    return this.#decode('codecs.learned.decodeBatch', bytes, options, false);
  }

  /** The images of a stream; `single` refuses a batch stream (before decoding it). */
  #decode(op: string, input: Bytes, options: DecodeOptions | undefined, single: boolean): GrayImage[] {
    this.#live(op);
    const bytes = bytesArg(op, input);
    const maxOut = maxOutputArg(op, options, DEFAULT_MAX_IMAGE_BYTES);
    const bad = (what: string): never => {
      throw new InvalidArgumentError(`${op}: ${what}`);
    };
    if (bytes.length < 4) bad(`truncated stream: ${bytes.length} bytes, shorter than the 4-byte start of the header`);
    if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1) bad(`wrong magic 0x${hex(bytes[0])}${hex(bytes[1])} (expected 0x4e4c, "NL"): not a learned-codec stream`);
    if (bytes[2] !== VERSION) bad(`unsupported version ${bytes[2]} (this decoder reads version ${VERSION})`);
    if (bytes[3] !== this.bits) bad(`the stream has ${bytes[3]}-bit symbols but this codec uses ${this.bits} bits`);
    const pos = { at: 4 };
    const field = (name: string) => readVarint(op, bytes, pos, name);
    const h = field('height'), w = field('width'), k = field('code size'), countField = field('image count'), len = field('payload length');
    if (h !== this.imageShape[0] || w !== this.imageShape[1]) bad(`the stream holds ${w}×${h} images but this codec decodes ${this.imageShape[1]}×${this.imageShape[0]} images`);
    if (k !== this.codeSize) bad(`the stream has a code of ${k} units per image but this codec's encoder gives ${this.codeSize} (a stream of another codec?)`);
    const isArray = (countField & 1) === 1;
    const n = Math.floor(countField / 2);
    if (!isArray && n !== 1) bad(`the stream says one image but holds ${n}`);
    // What decoding allocates per image: the symbols and the decoder's float32 input (5 bytes
    // per code unit), its float32 output and the image (5 bytes per pixel).
    const perImage = 5 * (k + h * w);
    if (n * perImage > maxOut) {
      bad(`the stream claims ${n} image${n === 1 ? '' : 's'} of ${w}×${h}, which take ${n * perImage} bytes to decode (${perImage} per image: 5 for each of its ${k} code units, the symbol and the decoder's float32 input, and 5 for each of its ${h * w} pixels, the decoder's float32 output and the byte), more than maxOutputBytes = ${maxOut}${options === undefined || (options as DecodeOptions).maxOutputBytes === undefined ? ` (the default, ${DEFAULT_MAX_IMAGE_BYTES / 2 ** 20} MiB)` : ''}; for a stream you trust, pass { maxOutputBytes } to raise it`);
    }
    if (pos.at + 4 > bytes.length) bad(`truncated stream: the header ends at byte ${bytes.length} inside its CRC-32`);
    const headEnd = pos.at;
    const sum = (bytes[pos.at] | (bytes[pos.at + 1] << 8) | (bytes[pos.at + 2] << 16) | (bytes[pos.at + 3] << 24)) >>> 0;
    pos.at += 4;
    const rest = bytes.length - pos.at;
    if (rest < len) bad(`truncated stream: the payload should have ${len} bytes but ${rest} remain`);
    if (rest > len) bad(`${rest - len} unexpected bytes after the ${len}-byte payload`);
    // The code always ends in a 1 bit, so a payload is never empty; and n images need at least
    // n · minBitsPerImage - 2 renormalisations, each a bit the decoder reads, of which at most
    // MAX_OVERREAD_BITS - 32 past the payload's end.
    if (len === 0) bad('corrupt stream: the payload is empty (an arithmetic code has at least one byte)');
    if (n * this.#minBitsPerImage > 8 * len + MAX_OVERREAD_BITS - 30) {
      const need = Math.ceil((n * this.#minBitsPerImage - (MAX_OVERREAD_BITS - 30)) / 8);
      bad(`corrupt stream: its ${len}-byte payload is too short for the ${n} images it claims (with this codec's probability tables an image takes at least ${this.#minBitsPerImage.toPrecision(3)} bits, so ${n} take at least ${need} bytes)`);
    }
    const payload = bytes.subarray(pos.at);
    const actual = crc32([bytes.subarray(0, headEnd), payload, this.#fingerprint()]);
    if (actual !== sum) {
      bad(`CRC-32 mismatch (the stream says 0x${sum.toString(16).padStart(8, '0')}, its bytes with this codec's model give 0x${actual.toString(16).padStart(8, '0')}): the stream is damaged, or was encoded with different model weights (or quantisation ranges or probability tables) than this codec has now`);
    }
    const L = 1 << this.bits;
    const symbols = new Uint8Array(n * k);
    const dec = new ArithmeticDecoder(payload);
    for (let i = 0; i < symbols.length; i++) {
      symbols[i] = dec.decode(this.#cum, (i % k) * (L + 1), L);
      if (dec.overrun) bad(`corrupt stream: the ${len}-byte payload ends before the code of image ${Math.floor(i / k)} of ${n} does (the decoder would read more than ${MAX_OVERREAD_BITS / 8} bytes past it)`);
    }
    const want = dec.codeLength();
    if (want !== len) bad(`corrupt stream: the code of its ${n} image${n === 1 ? '' : 's'} takes a ${want}-byte payload, but the payload has ${len} bytes`);
    // A batch given to decode: refused once the stream is known sound, before the decoder runs.
    if (single && isArray) bad(`the stream holds a batch of ${n} image${n === 1 ? '' : 's'} (from encode([...])); decode it with codec.decodeBatch(bytes)`);
    const images: GrayImage[] = [];
    if (n > 0) {
      const z = new Float32Array(n * k);
      for (let i = 0; i < z.length; i++) z[i] = this.#dequantize(i % k, symbols[i]);
      const px = h * w;
      const y = this.#run(op, 'decode', z, n, this.#codeShape).values;
      for (let i = 0; i < n; i++) {
        const data = new Uint8Array(px);
        for (let p = 0; p < px; p++) {
          const v = y[i * px + p];
          data[p] = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255);
        }
        images.push({ data, width: w, height: h });
      }
    }
    return images;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#dropSnapshot();
    if (this.#owned) this.#ae.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The decoder's weights a fingerprint was computed from (see `Codec.#fingerprint`). */
interface Snapshot {
  /** The `getWeights()` tensors, kept alive: they share the weights' values copy-on-write. */
  weights: Tensor[];
  /** Where each one's values are in WebAssembly memory. */
  addresses: number[];
  ranges: Float64Array;
  fingerprint: Uint8Array;
}

/** Frees the kept weights of a codec that was garbage-collected without `dispose()`. */
const snapshots: { register(codec: object, weights: Tensor[], token: object): void; unregister(token: object): void } =
  typeof FinalizationRegistry === 'undefined'
    ? { register: () => undefined, unregister: () => undefined }
    : (() => {
        const r = new FinalizationRegistry<Tensor[]>((weights) => {
          for (const w of weights) {
            try {
              w.dispose();
            } catch {
              /* its instance is gone: nothing to free */
            }
          }
        });
        return { register: (codec, weights, token) => r.register(codec, weights, token), unregister: (token) => void r.unregister(token) };
      })();

/** The address of `t`'s values in WebAssembly memory (shared by its copy-on-write copies). */
function dataAddress(t: Tensor): number {
  const h = t.handleFor('codecs.learned');
  return call((e) => {
    check(e.nr_tensor_data(h, outPtr(0)));
    return readOut(0);
  });
}

const hex = (b: number | undefined) => (b ?? 0).toString(16).padStart(2, '0');

/** `v` as 4 bytes, little-endian. */
const le32 = (v: number) => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);

/** The bytes of a typed array (the platform's order: little-endian on every JS engine in use). */
const bytesOf = (v: Float32Array | Float64Array | Uint32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function readVarint(op: string, b: Uint8Array, pos: { at: number }, name: string): number {
  let v = 0;
  for (let i = 0; i < 5; i++) {
    if (pos.at >= b.length) throw new InvalidArgumentError(`${op}: truncated stream: the header ends at byte ${b.length} inside the ${name}`);
    const x = b[pos.at++];
    v += (x & 0x7f) * 2 ** (7 * i);
    if (x < 0x80) {
      if (v > 0xffff_ffff) break;
      return v;
    }
  }
  throw new InvalidArgumentError(`${op}: the header's ${name} is not a varint below 2^32`);
}

const TOP = 2 ** 32;
const HALF = 2 ** 31;
const Q1 = 2 ** 30;
const Q3 = 3 * 2 ** 30;

/** Binary arithmetic coder with 32-bit registers (Witten, Neal & Cleary 1987), bits out MSB first. */
class ArithmeticEncoder {
  #low = 0;
  #high = TOP - 1;
  #pending = 0;
  /** Renormalisations so far: the decoder reads 32 bits plus one for each. */
  #shifts = 0;
  #out: number[] = [];
  #byte = 0;
  #nbits = 0;

  #bit(b: number): void {
    this.#byte = (this.#byte << 1) | b;
    if (++this.#nbits === 8) {
      this.#out.push(this.#byte);
      this.#byte = 0;
      this.#nbits = 0;
    }
  }

  #emit(b: number): void {
    this.#bit(b);
    for (; this.#pending > 0; this.#pending--) this.#bit(1 - b);
  }

  /** Codes the interval `[lo, hi)` of `total` (total ≤ 2^16, hi > lo). */
  encode(lo: number, hi: number, total: number): void {
    const range = this.#high - this.#low + 1;
    this.#high = this.#low + Math.floor((range * hi) / total) - 1;
    this.#low = this.#low + Math.floor((range * lo) / total);
    for (;;) {
      if (this.#high < HALF) this.#emit(0);
      else if (this.#low >= HALF) {
        this.#emit(1);
        this.#low -= HALF;
        this.#high -= HALF;
      } else if (this.#low >= Q1 && this.#high < Q3) {
        this.#pending++;
        this.#low -= Q1;
        this.#high -= Q1;
      } else break;
      this.#low *= 2;
      this.#high = 2 * this.#high + 1;
      this.#shifts++;
    }
  }

  /**
   * Two bits that select the final interval, padding with zeros, trailing zero bytes dropped
   * as long as the decoder reads at most {@link MAX_OVERREAD_BITS} past the end.
   */
  finish(): Uint8Array {
    this.#pending++;
    this.#emit(this.#low < Q1 ? 0 : 1);
    if (this.#nbits > 0) {
      this.#out.push(this.#byte << (8 - this.#nbits));
      this.#nbits = 0;
    }
    const keep = Math.ceil((32 + this.#shifts - MAX_OVERREAD_BITS) / 8);
    let n = this.#out.length;
    while (n > keep && n > 0 && this.#out[n - 1] === 0) n--;
    return Uint8Array.from(this.#out.slice(0, n));
  }
}

class ArithmeticDecoder {
  #low = 0;
  #high = TOP - 1;
  #value = 0;
  #pos = 0;
  /** Renormalisations so far (the encoder's too), and those that the encoder holds pending. */
  #shifts = 0;
  #pending = 0;
  readonly #b: Uint8Array;
  /** The bit position no valid stream makes the decoder read: {@link MAX_OVERREAD_BITS} past the end. */
  readonly #limit: number;
  /** Whether the decoder has read up to {@link ArithmeticDecoder.#limit}: the stream is corrupt. */
  overrun = false;

  constructor(b: Uint8Array) {
    this.#b = b;
    this.#limit = 8 * b.length + MAX_OVERREAD_BITS;
    for (let i = 0; i < 32; i++) this.#value = 2 * this.#value + this.#bit();
  }

  #bit(): number {
    const i = this.#pos++;
    if (i >= this.#limit) this.overrun = true;
    const byte = i >> 3 < this.#b.length ? this.#b[i >> 3] : 0;
    return (byte >> (7 - (i & 7))) & 1;
  }

  /**
   * The length of the payload the encoder gives for the symbols decoded so far: its code ends
   * with the bit that selects the final interval and the pending bits, one of which is a 1, and
   * trailing zero bytes are dropped as long as the decoder reads at most
   * {@link MAX_OVERREAD_BITS} past the end (see `ArithmeticEncoder.finish`).
   */
  codeLength(): number {
    // Bits written before `finish`: every renormalisation but the pending ones. `finish` adds
    // b = (low < Q1 ? 0 : 1) and pending + 1 bits of 1 - b.
    const written = this.#shifts - this.#pending;
    const lastOne = this.#low < Q1 ? written + this.#pending + 1 : written;
    return Math.max(Math.floor(lastOne / 8) + 1, Math.ceil((32 + this.#shifts - MAX_OVERREAD_BITS) / 8));
  }

  /** Decodes one symbol with the cumulative table `cum[base .. base + L]`. */
  decode(cum: Uint32Array, base: number, L: number): number {
    const total = cum[base + L];
    const range = this.#high - this.#low + 1;
    const scaled = Math.floor(((this.#value - this.#low + 1) * total - 1) / range);
    // The symbol s with cum[s] ≤ scaled < cum[s + 1] (a corrupt stream may give any in-range s).
    let a = 0, b = L - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (cum[base + m] <= scaled) a = m;
      else b = m - 1;
    }
    const s = a;
    this.#high = this.#low + Math.floor((range * cum[base + s + 1]) / total) - 1;
    this.#low = this.#low + Math.floor((range * cum[base + s]) / total);
    for (;;) {
      if (this.#high < HALF) {
        this.#pending = 0; // the encoder writes a bit and its pending ones
      } else if (this.#low >= HALF) {
        this.#low -= HALF;
        this.#high -= HALF;
        this.#value -= HALF;
        this.#pending = 0;
      } else if (this.#low >= Q1 && this.#high < Q3) {
        this.#low -= Q1;
        this.#high -= Q1;
        this.#value -= Q1;
        this.#pending++;
      } else break;
      this.#shifts++;
      this.#low *= 2;
      this.#high = 2 * this.#high + 1;
      this.#value = 2 * this.#value + this.#bit();
    }
    return s;
  }
}
