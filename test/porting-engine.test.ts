// TF.js's engine and browser calls that ported code starts with (ts/backend.ts,
// ts/browser/pixels.ts) and the rank-specific op forms (ts/ops/ranked.ts), against TF.js 4.22
// (cpu backend). fromPixels/toPixels from canvases and images run in the browsers (the smoke
// test's pixels step); here the RGBA-bytes sources, which every runtime takes.
import { describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { mulberry32 } from './rng.js';

await tf.setBackend('cpu');

const msg = (f: () => unknown): string => {
  const before = nr.memory().numHandles;
  const s = String(thrown(f));
  expect(nr.memory().numHandles, 'numHandles').toBe(before);
  return s;
};
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String(e);
  }
  return 'resolved';
}

/** `w × h` RGBA bytes from a seed (alpha varies too). */
function rgba(seed: number, w: number, h: number): Uint8Array {
  const r = mulberry32(seed);
  return Uint8Array.from({ length: w * h * 4 }, () => Math.floor(r() * 256));
}

describe('ready, getBackend, setBackend, enableProdMode, print', () => {
  it('ready() resolves at once once the core runs, and keeps every tensor', async () => {
    const t = nr.tensor([1, 2]);
    await nr.ready();
    expect(Array.from(t.data())).toEqual([1, 2]);
    t.dispose();
  });

  it("getBackend() is 'wasm'; setBackend('wasm') is true, TF.js's other backends false (neurite keeps running), unknown names reject", async () => {
    expect(nr.getBackend()).toBe('wasm');
    const t = nr.tensor([3]);
    expect(await nr.setBackend('wasm')).toBe(true);
    for (const name of ['cpu', 'webgl', 'webgpu', 'tensorflow']) expect(await nr.setBackend(name), name).toBe(false);
    expect(t.item()).toBe(3);
    t.dispose();
    expect(await rejection(nr.setBackend('webgpl'))).toBe(
      "InvalidArgumentError: setBackend: unknown backend 'webgpl': neurite runs on 'wasm' (TF.js's backends are 'wasm', 'cpu', 'webgl', 'webgpu', 'tensorflow')",
    );
    expect(await rejection(nr.setBackend(1 as unknown as string))).toMatch(/^InvalidArgumentError: setBackend: unknown backend 1/);
  });

  it("enableDebugMode() turns debug mode on (TF.js's name; it was missing, a bare TypeError)", () => {
    nr.enableDebugMode();
    expect(nr.env().get('DEBUG')).toBe(true);
    nr.enableProdMode();
    expect(nr.env().get('DEBUG')).toBe(false);
  });

  it('enableProdMode() turns debug mode off; print(x) logs what x.print() logs', () => {
    nr.setDebug(true);
    nr.enableProdMode();
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const t = nr.tensor([[1, 2], [3, 4]]);
      nr.print(t, true);
      t.print(true);
      nr.print([5, 6]);
      expect(log.mock.calls[0]).toEqual(log.mock.calls[1]);
      expect(String(log.mock.calls[2][0])).toContain('5');
      t.dispose();
    } finally {
      log.mockRestore();
    }
    expect(msg(() => nr.print({} as unknown as number[]))).toMatch(/^InvalidArgumentError: print: x must be a Tensor/);
  });

  it("env(): TF.js's flags that mean something here (as TF.js's values in Node), DEBUG/PROD settable, backend flags and unknown names are errors as in TF.js", async () => {
    const e = nr.env();
    // TF.js's own values in this runtime (Node).
    for (const flag of ['IS_BROWSER', 'IS_NODE', 'IS_TEST']) expect(e.get(flag), flag).toBe(flag === 'IS_TEST' ? false : tf.env().get(flag));
    expect([e.getBool('WASM_HAS_SIMD_SUPPORT'), e.getBool('WASM_HAS_MULTITHREAD_SUPPORT')]).toEqual([true, true]);
    expect(await e.getAsync('IS_NODE')).toBe(true);
    try {
      e.set('DEBUG', true);
      expect([e.get('DEBUG'), e.get('PROD')]).toEqual([true, false]);
      nr.enableProdMode();
      expect([e.get('DEBUG'), e.features.PROD]).toEqual([false, true]);
      e.setFlags({ PROD: false });
      expect(e.getFlags().DEBUG).toBe(true);
    } finally {
      nr.setDebug(false);
    }
    expect(Object.keys(e.getFlags())).toEqual(['IS_BROWSER', 'IS_NODE', 'IS_TEST', 'DEBUG', 'PROD', 'WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT']);
    // TF.js throws for a flag no imported backend registered; so does neurite, saying why.
    expect(() => tf.env().set('WEBGL_PACK', false)).toThrow(/not been registered/);
    expect(msg(() => e.set('WEBGL_PACK', false))).toBe("InvalidArgumentError: env().set: no flag 'WEBGL_PACK' (neurite has one backend, its WebAssembly core: TF.js's backend flags do not apply here; drop the call); neurite's flags are IS_BROWSER, IS_NODE, IS_TEST, DEBUG, PROD, WASM_HAS_SIMD_SUPPORT, WASM_HAS_MULTITHREAD_SUPPORT");
    expect(msg(() => e.get('IS_CHROME'))).toMatch(/^InvalidArgumentError: env\(\)\.get: no flag 'IS_CHROME'; neurite's flags are IS_BROWSER, /);
    expect(msg(() => e.get(3 as never))).toMatch(/^InvalidArgumentError: env\(\)\.get: no flag 3;/);
    expect(msg(() => e.set('IS_NODE', false))).toBe("InvalidArgumentError: env().set: flag 'IS_NODE' is read-only; set changes DEBUG and PROD");
    expect(msg(() => e.set('DEBUG', 1))).toBe("InvalidArgumentError: env().set: flag 'DEBUG' takes true or false, got 1");
    expect(msg(() => e.getNumber('DEBUG'))).toBe("InvalidArgumentError: env().getNumber: flag 'DEBUG' is not a number (it is false)");
    // setFlags checks every flag before setting any.
    expect(msg(() => e.setFlags({ DEBUG: true, WEBGL_VERSION: 2 }))).toMatch(/^InvalidArgumentError: env\(\)\.setFlags: no flag 'WEBGL_VERSION' \(neurite has one backend/);
    expect(e.get('DEBUG')).toBe(false);
    await expect(e.getAsync('NOPE')).rejects.toThrow(/no flag 'NOPE'/);
  });
});

describe('browser.fromPixels / toPixels vs TF.js (RGBA bytes)', () => {
  it('fromPixels: 1, 3 and 4 channels from { data, width, height } and ImageData-like bytes, odd and empty sizes', () => {
    for (const [w, h] of [[1, 1], [5, 3], [2, 7], [0, 4], [3, 0]]) {
      const data = rgba(w * 10 + h, w, h);
      for (const c of [1, 3, 4]) {
        const want = tf.browser.fromPixels({ data, width: w, height: h }, c);
        for (const src of [{ data, width: w, height: h }, { data: new Uint8ClampedArray(data), width: w, height: h }]) {
          const got = nr.browser.fromPixels(src, c);
          expect(got.shape, `${w}x${h} c${c}`).toEqual(want.shape);
          expect(Array.from(got.data())).toEqual(Array.from(want.dataSync()));
          got.dispose();
        }
        want.dispose();
      }
    }
    const t = nr.browser.fromPixels({ data: rgba(1, 2, 2), width: 2, height: 2 });
    expect(t.shape).toEqual([2, 2, 3]);
    t.dispose();
  });

  it('toPixels: a tensor in [0, 1] (×255, rounded) and an array of 0–255 (truncated), every depth, as TF.js', async () => {
    const r = mulberry32(5);
    for (const shape of [[3, 2], [2, 3, 1], [4, 1, 3], [1, 5, 4], [0, 3, 3]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const unit = Float32Array.from({ length: n }, () => r());
      if (n > 2) [unit[0], unit[1]] = [0, 1];
      const tt: tf.Tensor = tf.tensor(unit, shape);
      const want = await tf.browser.toPixels(tt as tf.Tensor3D);
      tt.dispose();
      const t = nr.tensor(unit, shape);
      expect(Array.from(await nr.browser.toPixels(t)), `[${shape}]`).toEqual(Array.from(want));
      t.dispose();
      if (n === 0) continue; // (TF.js reads the nested array [] as rank 1)
      const bytes = Array.from(unit, (v) => v * 255);
      const arr = nr.tensor(bytes, shape);
      const asArray = arr.array() as number[][];
      arr.dispose();
      const wantInt = await tf.browser.toPixels(asArray as unknown as tf.Tensor3D);
      expect(Array.from(await nr.browser.toPixels(asArray)), `array [${shape}]`).toEqual(Array.from(wantInt));
    }
  });

  it('fromPixels then toPixels(x / 255) gives the bytes back (alpha 255 without the fourth channel)', async () => {
    const data = rgba(9, 4, 3);
    const x = nr.tidy(() => nr.browser.fromPixels({ data, width: 4, height: 3 }, 4).div(255));
    const bytes = await nr.browser.toPixels(x);
    x.dispose();
    expect(Array.from(bytes)).toEqual(Array.from(data));
  });

  it('name what is wrong', async () => {
    expect(msg(() => nr.browser.fromPixels({ data: new Uint8Array(7), width: 1, height: 2 }))).toBe(
      'InvalidArgumentError: fromPixels: pixels.data has 7 bytes but a 1x2 RGBA image has 8 (4 per pixel)',
    );
    expect(msg(() => nr.browser.fromPixels({ data: new Uint8Array(4), width: 1, height: 1 }, 2))).toBe('InvalidArgumentError: fromPixels: numChannels must be 1, 3 or 4, got 2');
    expect(msg(() => nr.browser.fromPixels({ data: new Uint8Array(4), width: 1.5, height: 1 }))).toMatch(/^InvalidArgumentError: fromPixels: pixels.width must be an integer/);
    expect(msg(() => nr.browser.fromPixels(null as unknown as ImageData))).toMatch(/^InvalidArgumentError: fromPixels: pixels must be an ImageData, \{ data, width, height \} RGBA bytes, an image, a video, a canvas or an ImageBitmap, got null/);
    expect(msg(() => nr.browser.fromPixels({ width: 1, height: 1, getContext: () => null } as unknown as HTMLCanvasElement))).toMatch(
      /^InvalidArgumentError: fromPixels: this runtime has no 2-D canvas \(no OffscreenCanvas or document\) to read the image with; pass an ImageData or \{ data, width, height \} RGBA bytes instead/,
    );
    // A canvas tainted by a cross-origin image (as a browser's OffscreenCanvas answers it): the
    // browser's SecurityError named neurite's scratch canvas; the message says what to do.
    const g = globalThis as { OffscreenCanvas?: unknown };
    const had = 'OffscreenCanvas' in g;
    const prev = g.OffscreenCanvas;
    const ctx = {
      canvas: { width: 0, height: 0 },
      clearRect() {},
      drawImage() {},
      getImageData() {
        throw Object.assign(new Error("Failed to execute 'getImageData' on 'OffscreenCanvasRenderingContext2D': The canvas has been tainted by cross-origin data."), { name: 'SecurityError' });
      },
    };
    g.OffscreenCanvas = class { getContext() { return ctx; } };
    try {
      expect(msg(() => nr.browser.fromPixels({ width: 2, height: 2, getContext: () => null } as unknown as HTMLCanvasElement))).toBe(
        "InvalidArgumentError: fromPixels: the browser does not let the pixels be read: it holds pixels from another origin without CORS (a canvas drawn with such an image, or its ImageBitmap) (Failed to execute 'getImageData' on 'OffscreenCanvasRenderingContext2D': The canvas has been tainted by cross-origin data.); serve the image with an Access-Control-Allow-Origin header and set img.crossOrigin = 'anonymous' before its src (or fetch it and pass await createImageBitmap(await response.blob()))",
      );
    } finally {
      if (had) g.OffscreenCanvas = prev;
      else delete g.OffscreenCanvas;
    }
    // The tainted scratch canvas was dropped: without a canvas, the next call says so again.
    expect(msg(() => nr.browser.fromPixels({ width: 1, height: 1, getContext: () => null } as unknown as HTMLCanvasElement))).toMatch(/this runtime has no 2-D canvas/);
    const t = nr.tensor([0.5, 255], [1, 2]);
    expect(await rejection(nr.browser.toPixels(t))).toBe('InvalidArgumentError: toPixels: img[0,1] = 255 is not in [0, 1] (a tensor of 0–255 values, as fromPixels gives, must be divided by 255 first)');
    t.dispose();
    expect(await rejection(nr.browser.toPixels(nr.tidy(() => nr.keep(nr.tensor([NaN], [1, 1])))))).toBe('InvalidArgumentError: toPixels: img[0,0] = NaN is not in [0, 1]');
    expect(await rejection(nr.browser.toPixels([[[1, 2]]]))).toBe("InvalidArgumentError: toPixels: img's depth (last axis) must be 1, 3 or 4, got shape [1,1,2]");
    expect(await rejection(nr.browser.toPixels([1, 2]))).toBe('InvalidArgumentError: toPixels: img must have rank 2 or 3 ([height, width] or [height, width, depth]), got shape [2]');
    expect(await rejection(nr.browser.toPixels([[300]]))).toBe('InvalidArgumentError: toPixels: img[0,0] = 300 is not in [0, 255]');
    expect(await rejection(nr.browser.toPixels([[0.5]], {} as HTMLCanvasElement))).toBe('InvalidArgumentError: toPixels: canvas must be a canvas with a 2-D context, got an object (Object)');
  });
});

describe('slice1d…4d, reverse1d…4d, pad1d…4d, concat1d…4d vs TF.js', () => {
  const v = (n: number) => Array.from({ length: n }, (_, i) => i * 1.5 - 3);
  const eq = (got: nr.Tensor, want: tf.Tensor, what: string) => {
    expect(got.shape, what).toEqual(want.shape);
    expect(Array.from(got.data()), what).toEqual(Array.from(want.dataSync()));
    got.dispose();
    want.dispose();
  };

  it('compute the general op', () => {
    eq(nr.slice1d(v(7), 2, 3), tf.slice1d(tf.tensor1d(v(7)), 2, 3), 'slice1d');
    eq(nr.slice2d(nr.tensor(v(12), [3, 4]), [1, 1], [2, -1]), tf.slice2d(tf.tensor2d(v(12), [3, 4]), [1, 1], [2, -1]), 'slice2d');
    eq(nr.slice3d(nr.tensor(v(24), [2, 3, 4]), [0, 1, 2], [2, 2, 2]), tf.slice3d(tf.tensor3d(v(24), [2, 3, 4]), [0, 1, 2], [2, 2, 2]), 'slice3d');
    eq(nr.slice4d(nr.tensor(v(24), [2, 3, 2, 2]), [1, 0, 1, 0], [1, 3, 1, 2]), tf.slice4d(tf.tensor4d(v(24), [2, 3, 2, 2]), [1, 0, 1, 0], [1, 3, 1, 2]), 'slice4d');
    eq(nr.reverse1d(v(5)), tf.reverse1d(tf.tensor1d(v(5))), 'reverse1d');
    eq(nr.reverse2d(nr.tensor(v(6), [2, 3]), 1), tf.reverse2d(tf.tensor2d(v(6), [2, 3]), 1), 'reverse2d');
    eq(nr.reverse3d(nr.tensor(v(24), [2, 3, 4]), [0, 2]), tf.reverse3d(tf.tensor3d(v(24), [2, 3, 4]), [0, 2]), 'reverse3d');
    eq(nr.reverse4d(nr.tensor(v(24), [2, 3, 2, 2])), tf.reverse4d(tf.tensor4d(v(24), [2, 3, 2, 2])), 'reverse4d');
    eq(nr.pad1d(v(3), [1, 2], 9), tf.pad1d(tf.tensor1d(v(3)), [1, 2], 9), 'pad1d');
    eq(nr.pad2d(nr.tensor(v(6), [2, 3]), [[1, 0], [0, 2]]), tf.pad2d(tf.tensor2d(v(6), [2, 3]), [[1, 0], [0, 2]]), 'pad2d');
    eq(nr.pad3d(nr.tensor(v(8), [2, 2, 2]), [[0, 1], [1, 0], [1, 1]], -1), tf.pad3d(tf.tensor3d(v(8), [2, 2, 2]), [[0, 1], [1, 0], [1, 1]], -1), 'pad3d');
    eq(nr.pad4d(nr.tensor(v(4), [1, 2, 2, 1]), [[0, 0], [1, 1], [0, 1], [0, 0]]), tf.pad4d(tf.tensor4d(v(4), [1, 2, 2, 1]), [[0, 0], [1, 1], [0, 1], [0, 0]]), 'pad4d');
    eq(nr.concat1d([v(2), nr.tensor(v(3))]), tf.concat1d([tf.tensor1d(v(2)), tf.tensor1d(v(3))]), 'concat1d');
    eq(nr.concat2d([nr.tensor(v(6), [2, 3]), nr.tensor(v(4), [2, 2])], 1), tf.concat2d([tf.tensor2d(v(6), [2, 3]), tf.tensor2d(v(4), [2, 2])], 1), 'concat2d');
    eq(nr.concat3d([nr.tensor(v(8), [2, 2, 2]), nr.tensor(v(8), [2, 2, 2])], 0), tf.concat3d([tf.tensor3d(v(8), [2, 2, 2]), tf.tensor3d(v(8), [2, 2, 2])], 0), 'concat3d');
    eq(nr.concat4d([nr.tensor(v(4), [1, 2, 2, 1]), nr.tensor(v(4), [1, 2, 2, 1])], 3), tf.concat4d([tf.tensor4d(v(4), [1, 2, 2, 1]), tf.tensor4d(v(4), [1, 2, 2, 1])], 3), 'concat4d');
  });

  it('check the rank and name the form in the errors of the general op', () => {
    expect(msg(() => nr.slice2d(v(4), [0, 0], [1, 1]))).toBe('InvalidArgumentError: slice2d: x must have rank 2, got shape [4]');
    expect(msg(() => nr.reverse1d([[1]]))).toBe('InvalidArgumentError: reverse1d: x must have rank 1, got shape [1,1]');
    expect(msg(() => nr.pad1d([1, 2], [-1, 0]))).toMatch(/^InvalidArgumentError: pad1d: /);
    expect(msg(() => nr.concat2d([[[1]], [1]], 0))).toBe('InvalidArgumentError: concat2d: tensors[1] must have rank 2, got shape [1]');
    expect(msg(() => nr.slice1d(v(4), 3, 2))).toMatch(/^InvalidArgumentError: slice1d: /);
  });
});
