// Security review findings on untrusted inputs (streams and options objects):
// - a 15-byte learned-codec stream claiming 342,000 images with an empty payload decoded them
//   all (2.6 GB RSS): a payload too short for the images its header claims is now corrupt, the
//   arithmetic decoder may not read more than 12 bytes past the payload, and the default cap is
//   the image codecs' 64 MiB counted over what decoding allocates (float32 decoder input and
//   output per image, not only the output bytes);
// - with no options, a decoder read `maxOutputBytes` from a fresh `{}`, so a polluted
//   `Object.prototype.maxOutputBytes` replaced the decompression-bomb cap;
// - a Map, Date, Set or URLSearchParams given as options was read as an object with no keys
//   (its entries silently ignored), or refused with a misleading message.
// The CRC-32 of a learned-codec stream is no obstacle to forging one: the 4-byte model
// fingerprint it covers comes back from any one valid stream (CRC-32 is invertible), as below.
import { afterEach, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { crc32, CRC32_TABLE } from '../ts/compression/crc32.js';
import { invalidMessage } from './setup.js';

const { codecs, compression, layers, sequential } = nr;

// --- forging learned-codec streams (what an attacker can do with the public encoder) ---------

const register = (bytes: ArrayLike<number>, c = 0xffffffff) => {
  for (let i = 0; i < bytes.length; i++) c = (CRC32_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)) >>> 0;
  return c >>> 0;
};
const top = new Map<number, number>();
for (let i = 0; i < 256; i++) top.set(CRC32_TABLE[i] >>> 24, i);
/** 4 bytes that take the CRC register from `from` to `to`. */
function bridge(from: number, to: number): number[] {
  const idx: number[] = [];
  let x = to >>> 0;
  for (let k = 0; k < 4; k++) {
    const i = top.get(x >>> 24)!;
    idx.unshift(i);
    x = ((x ^ CRC32_TABLE[i]) << 8) >>> 0;
  }
  const out: number[] = [];
  let c = from >>> 0;
  for (const i of idx) {
    out.push((c ^ i) & 0xff);
    c = (CRC32_TABLE[i] ^ (c >>> 8)) >>> 0;
  }
  return out;
}
const varint = (v: number) => {
  const o: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) o.push((v & 0x7f) | 0x80);
  o.push(v);
  return o;
};
function headerEnd(s: Uint8Array): number {
  let at = 4;
  for (let f = 0; f < 5; f++) while (s[at++] >= 0x80);
  return at;
}
/** The codec's 4-byte fingerprint, recovered from one valid stream. */
function fingerprintOf(s: Uint8Array): number[] {
  const end = headerEnd(s);
  const sum = new DataView(s.buffer, s.byteOffset).getUint32(end, true);
  return bridge(register([...s.subarray(0, end), ...s.subarray(end + 4)]), (sum ^ 0xffffffff) >>> 0);
}
/** A stream with a valid CRC-32 that claims `n` images (a batch) over `payload`. */
function forge(bits: number, h: number, w: number, k: number, n: number, payload: number[], fp: number[]): Uint8Array {
  const head = [0x4e, 0x4c, 3, bits, ...varint(h), ...varint(w), ...varint(k), ...varint(2 * n + 1), ...varint(payload.length)];
  const sum = crc32([Uint8Array.from(head), Uint8Array.from(payload), Uint8Array.from(fp)]);
  return Uint8Array.from([...head, sum & 0xff, (sum >>> 8) & 0xff, (sum >>> 16) & 0xff, sum >>> 24, ...payload]);
}

/** The repro's codec: an untrained 784 → 16 → 784 sigmoid autoencoder, 4 bits, no tables. */
function reproCodec(seed = 1, data?: nr.Tensor, bits = 4): nr.codecs.learned.LearnedCodec {
  const encoder = sequential({ seed, layers: [layers.flatten({ inputShape: [28, 28] }), layers.dense({ units: 16, activation: 'sigmoid' })] });
  const decoder = sequential({ seed: seed + 1, layers: [layers.dense({ inputShape: [16], units: 784, activation: 'sigmoid' }), layers.reshape({ targetShape: [28, 28] })] });
  return codecs.learned.create({ encoder, decoder, imageShape: [28, 28], bits, ...(data ? { data } : {}) });
}
const blank = (v = 7) => ({ data: new Uint8Array(784).fill(v), width: 28, height: 28 });

describe('codecs.learned: a stream whose payload is too short for the images it claims', () => {
  it('the 15-byte stream claiming 342,000 images with an empty payload is refused at once', () => {
    using codec = reproCodec();
    const fp = fingerprintOf(codec.encode(blank()));
    const bomb = forge(4, 28, 28, 16, 342_000, [], fp);
    expect(bomb.length).toBe(15);
    const t = performance.now();
    // With room for them (the cap is checked first), still corrupt: the payload is empty.
    expect(invalidMessage(() => codec.decodeBatch(bomb, { maxOutputBytes: 2 ** 32 - 1 }))).toMatch(/^codecs\.learned\.decodeBatch: corrupt stream: the payload is empty/);
    for (const n of [1, 5000]) {
      expect(invalidMessage(() => codec.decodeBatch(forge(4, 28, 28, 16, n, [], fp)))).toMatch(/corrupt stream: the payload is empty/);
    }
    expect(performance.now() - t).toBeLessThan(500);
  });

  it('a payload shorter than the least its images can take is refused before decoding', () => {
    using codec = reproCodec();
    const fp = fingerprintOf(codec.encode(blank()));
    // Without tables every symbol costs its 4 bits: 64 bits an image. 20 bytes cannot hold 5,000.
    const msg = invalidMessage(() => codec.decodeBatch(forge(4, 28, 28, 16, 5000, Array(20).fill(0x55), fp)));
    expect(msg).toMatch(/^codecs\.learned\.decodeBatch: corrupt stream: its 20-byte payload is too short for the 5000 images it claims \(with this codec's probability tables an image takes at least 64\.0 bits, so 5000 take at least 39992 bytes\)$/);
  });

  it('a payload the arithmetic decoder would read far past is refused (tables that make images cheap)', () => {
    // Tables from blank images: one symbol per unit takes 65281/65536 of the probability at 8
    // bits, so an image costs ~0.09 bits and a 1-byte payload passes the bound for ~800 images;
    // the decoder then runs off the end of the payload, which is corruption.
    const data = nr.zeros([64, 784]);
    using codec = reproCodec(1, data, 8);
    data.dispose();
    const fp = fingerprintOf(codec.encode(blank(0)));
    for (const payload of [[0x80], [0x40], [0xff], [0x01, 0x23]]) {
      const msg = invalidMessage(() => codec.decodeBatch(forge(8, 28, 28, 16, 700, payload, fp)));
      expect(msg).toMatch(/^codecs\.learned\.decodeBatch: corrupt stream: /);
    }
    // Valid streams of such images (many images in a few bytes) still decode.
    for (const n of [0, 1, 2, 10, 100, 700]) {
      const s = codec.encode(Array.from({ length: n }, () => blank(0)));
      expect(codec.decodeBatch(s).length).toBe(n);
    }
  });

  it('valid streams decode as before: many batches, tables and bits (the payload length is exact)', () => {
    const r = (() => {
      let a = 99;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    })();
    const data = nr.randomUniform([40, 784], 0, 1, 'float32', 5);
    for (const bits of [1, 2, 3, 5, 8]) {
      using codec = reproCodec(bits, data, bits);
      for (let trial = 0; trial < 8; trial++) {
        const n = Math.floor(r() * 30);
        const images = Array.from({ length: n }, () => ({ data: Uint8Array.from({ length: 784 }, () => Math.floor(r() * 256)), width: 28, height: 28 }));
        const s = codec.encode(images);
        const back = codec.decodeBatch(s);
        expect(back.length).toBe(n);
        // The same images as decoding each one's stream alone.
        back.forEach((im, i) => expect(Buffer.compare(im.data, codec.decode(codec.encode(images[i])).data)).toBe(0));
        // A zero byte more in the payload (header fixed up, CRC forged) decodes to the same
        // symbols, whose code is a byte shorter: corrupt.
        const fp = fingerprintOf(s);
        const payload = [...s.subarray(headerEnd(s) + 4)];
        expect(Buffer.compare(forge(bits, 28, 28, 16, n, payload, fp), s)).toBe(0);
        expect(invalidMessage(() => codec.decodeBatch(forge(bits, 28, 28, 16, n, [...payload, 0], fp)))).toBe(
          `codecs.learned.decodeBatch: corrupt stream: the code of its ${n} image${n === 1 ? '' : 's'} takes a ${payload.length}-byte payload, but the payload has ${payload.length + 1} bytes`,
        );
      }
    }
    data.dispose();
  });

  it('the default cap is the image codecs\' 64 MiB, counted over the float32 decoder input and output per image', () => {
    using codec = reproCodec();
    const fp = fingerprintOf(codec.encode(blank()));
    // 17,000 images of 28×28 are 13 MB of pixels, but 68 MB to decode (4000 bytes each).
    const s = forge(4, 28, 28, 16, 17_000, [0x55], fp);
    expect(invalidMessage(() => codec.decodeBatch(s))).toBe(
      'codecs.learned.decodeBatch: the stream claims 17000 images of 28×28, which take 68000000 bytes to decode (4000 per image: 5 for each of its 16 code units, the symbol and the decoder\'s float32 input, and 5 for each of its 784 pixels, the decoder\'s float32 output and the byte), more than maxOutputBytes = 67108864 (the default, 64 MiB); for a stream you trust, pass { maxOutputBytes } to raise it',
    );
    expect(compression.DEFAULT_MAX_IMAGE_BYTES).toBe(67108864);
    // Raised, the cap lets it through to the payload check.
    expect(invalidMessage(() => codec.decodeBatch(s, { maxOutputBytes: 68_000_000 }))).toMatch(/corrupt stream: its 1-byte payload is too short for the 17000 images/);
  });
});

// --- options objects --------------------------------------------------------------------------

const proto = Object.prototype as Record<string, unknown>;
afterEach(() => {
  for (const k of ['maxOutputBytes', 'learningRate', 'inputShape']) delete proto[k];
});

describe('options read on the default path ignore a modified Object.prototype', () => {
  it('decoders called without options keep their default cap (an enumerable inherited maxOutputBytes)', () => {
    const stream = compression.rle.encode(new Uint8Array(100_000));
    const image = codecs.dct.encode({ data: new Uint8Array(64 * 64).fill(9), width: 64, height: 64 });
    const huff = compression.huffman.encode(new Uint8Array(5000).fill(3));
    const lzw = compression.lzw.encode(new Uint8Array(5000));
    try {
      // A small inherited cap shows whether it is read (each call would refuse its stream); a
      // huge one (the repro's 4294967295) would lift the cap the same way.
      proto.maxOutputBytes = 10;
      expect(compression.rle.decode(stream).length).toBe(100_000);
      expect(compression.huffman.decode(huff).length).toBe(5000);
      expect(compression.lzw.decode(lzw).length).toBe(5000);
      expect(codecs.dct.decode(image).width).toBe(64);
      // An options object that inherits the key is refused, naming it (as before).
      expect(invalidMessage(() => compression.rle.decode(stream, {}))).toMatch(/inherits the key 'maxOutputBytes' from its prototype/);
    } finally {
      delete proto.maxOutputBytes;
    }
  });

  it('a non-enumerable inherited option is not read either, with or without an options object', () => {
    const stream = compression.rle.encode(new Uint8Array(100_000));
    try {
      Object.defineProperty(proto, 'maxOutputBytes', { value: 10, configurable: true, writable: true, enumerable: false });
      expect(compression.rle.decode(stream).length).toBe(100_000);
      expect(compression.rle.decode(stream, {}).length).toBe(100_000);
      expect(compression.rle.decode(stream, { output: new Uint8Array(100_000) }).length).toBe(100_000);
      Object.defineProperty(proto, 'learningRate', { value: 5, configurable: true, writable: true, enumerable: false });
      const sgd = nr.train.sgd();
      expect(sgd.learningRate).toBe(0.01);
      sgd.dispose();
      const adam = nr.train.adam({});
      expect(adam.learningRate).toBe(0.001);
      adam.dispose();
    } finally {
      delete proto.maxOutputBytes;
      delete proto.learningRate;
    }
  });

  it('a layer made without options does not take an inherited inputShape', () => {
    try {
      proto.inputShape = [3];
      expect(invalidMessage(() => layers.flatten())).toMatch(/^flatten: the options object inherits the key 'inputShape' from its prototype/);
      expect(invalidMessage(() => layers.dropout({ rate: 0.5 }))).toMatch(/inherits the key 'inputShape'/);
    } finally {
      delete proto.inputShape;
    }
    expect(layers.flatten().inputShape).toBeUndefined();
  });
});

describe('options must be a plain object', () => {
  const stream = () => compression.rle.encode(new Uint8Array(1_000_000));
  const kinds: Array<[string, () => object, string]> = [
    ['Map', () => new Map([['maxOutputBytes', 1000]]), 'an object (Map)'],
    ['URLSearchParams', () => new URLSearchParams('maxOutputBytes=1000'), 'an object (URLSearchParams)'],
    ['Date', () => new Date(0), 'an object (Date)'],
    ['Set', () => new Set(['maxOutputBytes']), 'an object (Set)'],
  ];
  for (const [label, make, described] of kinds) {
    it(`a ${label} is refused with what it is, not ignored`, () => {
      const s = stream();
      expect(invalidMessage(() => compression.rle.decode(s, make() as never))).toBe(`compression.rle.decode: options must be a plain object ({ … }), got ${described}`);
      expect(invalidMessage(() => compression.huffman.decode(s, make() as never))).toMatch(/^compression\.huffman\.decode: options must be a plain object/);
      expect(invalidMessage(() => codecs.dct.encode({ data: new Uint8Array(64), width: 8, height: 8 }, make() as never))).toMatch(/^codecs\.dct\.encode: options must be a plain object/);
      expect(invalidMessage(() => nr.train.sgd(make() as never))).toMatch(/^optimizers\.sgd: options must be a plain object/);
      expect(invalidMessage(() => layers.dense(make() as never))).toMatch(/^dense: options must be a plain object/);
      expect(invalidMessage(() => nr.softmax(nr.tensor([1, 2]), make() as never))).toMatch(/^softmax: options must be a plain object/);
      // Readers that copy the values first check the object itself (they took a Map in silence).
      expect(invalidMessage(() => nr.matMul(nr.ones([2, 2]), nr.ones([2, 2]), make() as never))).toMatch(/^matMul: options must be a plain object/);
      expect(invalidMessage(() => nr.randomNormal([2], make() as never))).toMatch(/^randomNormal: options must be a plain object/);
      expect(invalidMessage(() => layers.dense({ units: 1, activation: make() as never }))).toMatch(/^dense: activation must be a plain object/);
    });
  }

  it('plain objects, null-prototype ones included, are read', () => {
    const s = stream();
    expect(invalidMessage(() => compression.rle.decode(s, { maxOutputBytes: 1000 }))).toMatch(/maxOutputBytes/);
    const bare = Object.assign(Object.create(null) as object, { maxOutputBytes: 1000 });
    expect(invalidMessage(() => compression.rle.decode(s, bare))).toMatch(/maxOutputBytes/);
    expect(compression.rle.decode(s, JSON.parse('{"maxOutputBytes": 1000000}') as object).length).toBe(1_000_000);
    // Options of the user's own making are read however they hold the value: a class's getter,
    // a non-enumerable property, a module namespace, a Symbol.toStringTag, an iterable object.
    class Getter { get maxOutputBytes() { return 1000; } }
    const hidden = Object.defineProperty({}, 'maxOutputBytes', { value: 1000, enumerable: false });
    const ns = { [Symbol.toStringTag]: 'Module', maxOutputBytes: 1000 };
    const iterable = { maxOutputBytes: 1000, *[Symbol.iterator]() { yield 1; } };
    for (const o of [new Getter(), hidden, ns, iterable]) expect(invalidMessage(() => compression.rle.decode(s, o as never))).toMatch(/maxOutputBytes/);
    expect(nr.train.adam(new (class { get learningRate() { return 0.5; } })() as never).learningRate).toBe(0.5);
    // An instance of the user's own class is read by its own fields.
    expect(invalidMessage(() => compression.rle.decode(s, new (class Opts { maxOutputBytes = 1000; })()))).toMatch(/maxOutputBytes/);
  });
});

// --- the learned codec's fingerprint of the decoder's weights ---------------------------------

describe('codecs.learned: the decoder fingerprint is computed once per weights', () => {
  it('encode and decode do not read the weights again until they change; a stale fingerprint is never used', async () => {
    const ae = nr.autoencoder({
      encoder: sequential({ seed: 1, layers: [layers.dense({ inputShape: [16], units: 4, activation: 'sigmoid' })] }),
      decoder: sequential({ seed: 2, layers: [layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), layers.dense({ units: 16, activation: 'sigmoid' })] }),
    });
    ae.compile({ optimizer: 'adam', loss: 'mse' });
    const codec = codecs.learned.fromAutoencoder(ae, { imageShape: [4, 4], bits: 4 });
    const img = { data: Uint8Array.from({ length: 16 }, (_, i) => i * 16), width: 4, height: 4 };
    const reads = () => {
      let n = 0;
      const orig = nr.Tensor.prototype.dataSync;
      nr.Tensor.prototype.dataSync = function (this: nr.Tensor) {
        n++;
        return orig.call(this);
      };
      return { count: () => n, restore: () => void (nr.Tensor.prototype.dataSync = orig) };
    };
    const spy = reads();
    let s: Uint8Array;
    const before = nr.memory().numTensors;
    try {
      for (let i = 0; i < 10; i++) s = codec.encode(img);
      for (let i = 0; i < 10; i++) codec.decode(s!);
      // One read per call: the code (encode) or the decoder's output (decode), not the 4 weights.
      expect(spy.count()).toBe(20);
    } finally {
      spy.restore();
    }
    expect(nr.memory().numTensors).toBe(before);
    // Inside tidy too (the kept weights outlive the scope).
    nr.tidy(() => void codec.decode(codec.encode(img)));
    expect(codec.decode(s!).width).toBe(4);

    // Training changes the weights: the old stream fails the check.
    const original = ae.decoder.getWeights();
    const x = nr.randomUniform([32, 16], 0, 1, 'float32', 7);
    await ae.fit(x, { epochs: 2, verbose: 0 });
    expect(invalidMessage(() => codec.decode(s!))).toMatch(/CRC-32 mismatch/);
    const fresh = codec.encode(img);
    expect(codec.decode(fresh).width).toBe(4);
    // Back to the old weights: the old stream decodes again, the new one does not.
    ae.decoder.setWeights(original);
    expect(codec.decode(s!).width).toBe(4);
    expect(invalidMessage(() => codec.decode(fresh))).toMatch(/CRC-32 mismatch/);
    // A layer of the decoder trained through another model that shares it.
    const other = sequential({ seed: 3, layers: [layers.dense({ inputShape: [16], units: 8 }), ae.decoder.layers[1]] });
    other.compile({ optimizer: 'sgd', loss: 'mse' });
    await other.fit(x, x, { epochs: 1, verbose: 0 });
    const shared = ae.decoder.getWeights().some((w, i) => Buffer.compare(Buffer.from(w.dataSync().buffer), Buffer.from(original[i].dataSync().buffer)) !== 0);
    if (shared) expect(invalidMessage(() => codec.decode(s!))).toMatch(/CRC-32 mismatch/);
    else expect(codec.decode(s!).width).toBe(4);
    // An optimizer step on the decoder's variables.
    ae.decoder.setWeights(original);
    expect(codec.decode(s!).width).toBe(4);
    const opt = nr.train.sgd({ learningRate: 0.5 });
    const vars = ae.decoder.trainableWeights;
    opt.minimize(() => nr.sum(nr.square(ae.decoder.apply(nr.ones([1, 4])) as nr.Tensor)), false, vars as never);
    expect(invalidMessage(() => codec.decode(s!))).toMatch(/CRC-32 mismatch/);
    // The ranges are read as a copy: writing into it changes nothing.
    ae.decoder.setWeights(original);
    codec.ranges[0] += 0.5;
    expect(codec.decode(s!).width).toBe(4);
    const live = nr.memory().numTensors;
    codec.dispose();
    expect(nr.memory().numTensors).toBe(live - 4); // the kept copies of the decoder's 4 weights
    for (const t of [...original, x]) t.dispose();
    for (const m of [opt, other, ae]) m.dispose();
  });
});
