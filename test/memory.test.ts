// Handles, dispose, tidy/keep, `using`, memory() and the panic → new instance path.
import { describe, expect, it, vi } from 'vitest';
import vm from 'node:vm';
import { expectNoLeak } from './setup.js';
import { tf } from './oracle.js';
import * as nr from '../ts/index.js';
import { raw, call, callOp } from '../ts/engine.js';
import { setLiveTensorThreshold, setPressureThreshold } from '../ts/scope.js';

describe('dispose', () => {
  it('is idempotent and frees memory', () => {
    const before = nr.memory();
    const t = nr.zeros([256, 256]);
    expect(nr.memory().numTensors).toBe(before.numTensors + 1);
    expect(nr.memory().numBytes).toBe(before.numBytes + 256 * 256 * 4);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(nr.memory().numTensors).toBe(before.numTensors);
    expect(nr.memory().numBytes).toBe(before.numBytes);
  });

  it("numBytes counts a shared buffer once, as TF.js counts a data id once: getWeights() copies and clones (a porter's loop of getWeights read 2.1 GB)", () => {
    const before = nr.memory();
    const m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [256], units: 256 })] });
    m.build();
    const copies = Array.from({ length: 50 }, () => m.layers[0].getWeights()).flat();
    const t = nr.ones([64]);
    const clones = Array.from({ length: 20 }, () => t.clone());
    expect(nr.memory().numTensors).toBe(before.numTensors + 100 + 21);
    // One kernel, one bias, one t: the copies share the model's buffers, the clones t's.
    expect(nr.memory().numBytes).toBe(before.numBytes + (256 * 256 + 256 + 64) * 4);
    // numDataBuffers (TF.js's name) counts those three buffers; TF.js's own count for 20 clones of
    // one tensor is one buffer too.
    expect(nr.memory().numDataBuffers).toBe(before.numDataBuffers + 3);
    const tfBefore = tf.memory().numDataBuffers;
    const tfT = tf.ones([64]);
    const tfClones = Array.from({ length: 20 }, () => tfT.clone());
    expect(tf.memory().numDataBuffers - tfBefore).toBe(1);
    tf.dispose([tfT, ...tfClones]);
    nr.dispose(copies);
    expect(nr.memory().numBytes).toBe(before.numBytes + 64 * 4 * 1);
    expect(nr.memory().numDataBuffers).toBe(before.numDataBuffers + 1);
    // A written clone has its own buffer.
    const written = clones[0].add(0);
    expect(nr.memory().numBytes).toBe(before.numBytes + 64 * 4 * 2);
    expect(nr.memory().numDataBuffers).toBe(before.numDataBuffers + 2);
    nr.dispose([t, written, ...clones, m]);
    expect(nr.memory().numBytes).toBe(before.numBytes);
    expect(nr.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it('modelBytes counts weights, the gradients once a backward has made them, optimizer state, and a shared layer once', async () => {
    const before = nr.memory();
    const hidden = nr.layers.dense({ units: 16 });
    const a = nr.sequential({ layers: [nr.layers.dense({ inputShape: [7], units: 5 }), hidden] });
    a.build();
    // 7·5 + 5 and 5·16 + 16 weights (4 bytes each); no gradient buffer until a backward needs one.
    const params = 7 * 5 + 5 + 5 * 16 + 16;
    expect(a.countParams()).toBe(params);
    expect(nr.memory().modelBytes - before.modelBytes).toBe(params * 4);
    // A second model holding the same layer adds only its own dense layer.
    const b = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 5 }), hidden] });
    b.build();
    const own = 3 * 5 + 5;
    expect(nr.memory().modelBytes - before.modelBytes).toBe((params + own) * 4);
    // Inference allocates nothing that stays: predict, evaluate, a compiled model.
    a.compile({ optimizer: 'adam', loss: 'mse' });
    const [x, y] = [nr.ones([4, 7]), nr.zeros([4, 16])];
    nr.tidy(() => {
      a.predict(x);
      a.evaluate(x, y);
    });
    expect(nr.memory().modelBytes - before.modelBytes).toBe((params + own) * 4);
    // One fit step: each trained weight's gradient (4 bytes) and Adam's two moments (8).
    await a.fit(x, y, { epochs: 1, verbose: 0 });
    expect(nr.memory().modelBytes - before.modelBytes).toBe((params + own) * 4 + params * 12);
    // Kept once made (the next step reuses them): a second epoch adds nothing.
    await a.fit(x, y, { epochs: 1, verbose: 0 });
    expect(nr.memory().modelBytes - before.modelBytes).toBe((params + own) * 4 + params * 12);
    expect(nr.memory().numBytes).toBe(before.numBytes + (4 * 7 + 4 * 16) * 4); // tensors only
    // b's own layer gets its gradients from b's first backward (the tape's grad here).
    nr.tidy(() => nr.grad((v: nr.Tensor) => (b.predict(v) as nr.Tensor).sum())(nr.ones([2, 3])));
    expect(nr.memory().modelBytes - before.modelBytes).toBe((params + own) * 8 + params * 8);
    [a, b, x, y].forEach((t) => t.dispose());
    expect(nr.memory().modelBytes).toBe(before.modelBytes);
  });

  it('use after dispose throws DisposedError naming the op and argument', () => {
    const t = nr.tensor([1, 2, 3]);
    t.dispose();
    expect(() => t.add(1)).toThrow(nr.DisposedError);
    expect(() => nr.matMul(nr.zeros([1, 3]), t)).toThrow(/matMul: b is a disposed tensor \(shape \[3\]\)/);
    expect(() => t.data()).toThrow(/data: tensor is a disposed tensor/);
    expect(String(t)).toContain('disposed');
    // Each reading method names itself (arraySync, dataSync, array, item said "data").
    for (const m of ['dataSync', 'array', 'arraySync', 'bufferSync'] as const) {
      expect(() => t[m]()).toThrow(new nr.DisposedError(`${m}: tensor is a disposed tensor (shape [3])`));
    }
    const one = nr.scalar(1);
    one.dispose();
    expect(() => one.item()).toThrow(new nr.DisposedError('item: tensor is a disposed tensor (shape [])'));
    expect(() => t.item()).toThrow(new nr.DisposedError('item: tensor is a disposed tensor (shape [3])'));
    // A Proxy of a tensor still gets the message (the reading goes through the public handleFor).
    const p = new Proxy(nr.tensor([1]), {});
    expect(() => p.arraySync()).toThrow(/^arraySync: tensor is an object made from a Tensor \(a Proxy of it/);
  });

  it('a tensor disposed during the call (by an option getter) is a DisposedError, and an object made from a tensor is named (were a bare InvalidHandle NeuriteError and a TypeError)', () => {
    expectNoLeak(() => {
      const a = nr.tensor([[1, 2]]);
      const b = nr.tensor([[3], [4]]);
      const err = (() => {
        try {
          nr.matMul(a, b, { get transposeA(): boolean { a.dispose(); return false; } } as never);
        } catch (e) {
          return e as Error;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(nr.DisposedError);
      expect(err?.message).toMatch(/is not live.*\(disposed during the call: by a getter, a Proxy or a callback it ran\?\)$/);
      const x = nr.tensor([1, 2]);
      expect(() => nr.add(x, new Proxy(x, {}))).toThrow(/^add: b is an object made from a Tensor \(a Proxy of it, or Object\.create\(tensor\)\), not a Tensor: pass the tensor itself$/);
      expect(() => nr.matMul(Object.create(b) as nr.Tensor, b)).toThrow(/^matMul: a is an object made from a Tensor/);
      nr.dispose([a, b, x]);
    });
  });

  it('dispose(container) frees tensors and models in arrays and objects, as tf.dispose', () => {
    const before = nr.memory();
    const [a, b, c] = [nr.ones([3]), nr.zeros([2, 2]), nr.tensor(5)];
    const model = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    a.dispose(); // already disposed: skipped
    nr.dispose([a, { b, nested: [[c], { model, n: 1, s: 'x', none: null }] }]);
    expect([a, b, c, model].every((x) => x.isDisposed)).toBe(true);
    nr.dispose(nr.ones([4]));
    expect(nr.memory().numTensors).toBe(before.numTensors);
    expect(nr.memory().numHandles).toBe(before.numHandles);
    // As tf.dispose: nothing to free in a value that is not an object (cleanup code's
    // dispose(this.last) before the first call, a single-output trainOnBatch's loss number).
    for (const v of [undefined, null, 3, 'x', true]) expect(() => nr.dispose(v)).not.toThrow();
    expect(() => nr.dispose(nr.tensor)).toThrow(/^dispose: container must be a Tensor, or an array or plain object of tensors, got a function$/);
  });

  it("dispose and tidy see tensors under an array's named keys, as TF.js's for…in (tfjs-examples' cart-pole leaked every step's gradients)", () => {
    const before = nr.memory().numTensors;
    const rec = [] as unknown as Record<string, nr.Tensor[]>;
    rec['dense/kernel'] = [nr.scalar(1), nr.scalar(2)];
    nr.dispose(rec);
    expect(nr.memory().numTensors).toBe(before);
    const kept = nr.tidy(() => {
      const r = [] as unknown as Record<string, nr.Tensor>;
      r.k = nr.scalar(3);
      return r as unknown as nr.Tensor[];
    }) as unknown as Record<string, nr.Tensor>;
    expect(kept.k.isDisposed).toBe(false);
    kept.k.dispose();
    expect(nr.memory().numTensors).toBe(before);
    // Beside indices, and in a sparse array with as many keys as its length ([, t] and k).
    const both = [nr.scalar(4), 5] as unknown as Record<string, nr.Tensor>;
    both.k = nr.scalar(6);
    const holes = [] as unknown as Record<string, nr.Tensor>;
    (holes as unknown as unknown[])[1] = nr.scalar(7);
    holes.k = nr.scalar(8);
    expect([Object.keys(holes).length, (holes as unknown as unknown[]).length]).toEqual([2, 2]);
    nr.dispose([both, holes]);
    expect(nr.memory().numTensors).toBe(before);
  });

  it('supports `using`', () => {
    const before = nr.memory().numTensors;
    {
      using t = nr.ones([4]);
      expect(t.sum().item()).toBe(4); // the sum leaks on purpose here
    }
    expect(nr.memory().numTensors).toBe(before + 1);
  });
});

describe('models made by the library', () => {
  const parts = () => ({
    encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [12], units: 4 })] }),
    decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 12 })] }),
  });

  it('a loaded or fromConfig model disposes the models nested in it (it made them)', async () => {
    const p = parts();
    const ae = nr.autoencoder(p);
    const x = nr.input({ shape: [12] });
    const net = nr.model({ inputs: x, outputs: nr.sequential({ layers: [nr.layers.dense({ inputShape: [12], units: 3 })] }).apply(x) as nr.SymbolicTensor });
    const artifacts = [await ae.toArtifacts(), await net.toArtifacts()];
    const { numHandles: base, numLeaked } = nr.memory();
    for (let i = 0; i < 20; i++) {
      for (const a of artifacts) {
        const m = await nr.loadModel(a);
        expect(m instanceof nr.Sequential && m.layers.some((l) => l instanceof nr.Sequential)).toBe(true);
        m.dispose();
      }
      const copy = nr.autoencoder.fromConfig(ae.getConfig());
      copy.build();
      copy.dispose();
      expect((copy.encoder as nr.Sequential).isDisposed && (copy.decoder as nr.Sequential).isDisposed).toBe(true);
    }
    // Less what the finalizer freed meanwhile: the awaits let the garbage collector run, and it
    // frees what earlier tests dropped on purpose (CI once saw 5 handles for 7).
    const after = nr.memory();
    expect(after.numHandles).toBe(base - (after.numLeaked - numLeaked));
    for (const d of [ae, p.encoder, p.decoder, net, ...net.layers.filter((l) => l instanceof nr.Sequential)]) d.dispose();
  });

  it('a model the user nests stays the user\'s: disposing the outer model leaves it working', () => {
    const p = parts();
    const ae = nr.autoencoder(p);
    const x = nr.ones([2, 12]);
    ae.build();
    ae.dispose();
    expect(p.encoder.isDisposed).toBe(false);
    const code = p.encoder.predict(x) as nr.Tensor;
    expect(code.shape).toEqual([2, 4]);
    for (const d of [x, code, p.encoder, p.decoder]) d.dispose();
  });
});

describe('tidy', () => {
  it('frees intermediates and keeps the result', () => {
    const x = nr.tensor([1, 2, 3]);
    const before = nr.memory().numTensors;
    const y = nr.tidy(() => x.mul(2).add(1).square());
    expect(nr.memory().numTensors).toBe(before + 1);
    expect(Array.from(y.data())).toEqual([9, 25, 49]);
    x.dispose();
    y.dispose();
  });

  it('keeps tensors returned in arrays and objects, and kept ones', () => {
    const before = nr.memory().numTensors;
    let kept!: nr.Tensor;
    const r = nr.tidy(() => {
      kept = nr.keep(nr.scalar(1));
      nr.scalar(2);
      return { a: nr.scalar(3), b: [nr.scalar(4)] };
    });
    expect(nr.memory().numTensors).toBe(before + 3);
    expect(kept.item()).toBe(1);
    for (const t of [kept, r.a, r.b[0]]) t.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });

  it('nests: a result escapes to the enclosing scope', () => {
    const before = nr.memory().numTensors;
    nr.tidy(() => {
      const inner = nr.tidy(() => nr.scalar(1).add(1));
      expect(inner.isDisposed).toBe(false);
      return undefined;
    });
    expect(nr.memory().numTensors).toBe(before);
  });

  it('cleans up when fn throws, and rejects async functions', () => {
    const before = nr.memory().numTensors;
    expect(() => nr.tidy(() => { nr.zeros([3]); throw new Error('boom'); })).toThrow('boom');
    expect(() => nr.tidy((async () => nr.zeros([3])) as never)).toThrow(/must not return a Promise/);
    // What was passed, named (it said "got undefined" for tidy(3)).
    expect(() => nr.tidy(3 as never)).toThrow(/^tidy: expected a function \(tidy\(fn\) or tidy\(name, fn\)\), got 3$/);
    expect(() => nr.tidy('scope', 'x' as never)).toThrow(/got a name and the string "x"$/);
    expect(nr.memory().numTensors).toBe(before);
  });

  it('closes its scope when reading the result throws (a getter, a Proxy): later tensors are not held by it', () => {
    const before = nr.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      expect(() => nr.tidy(() => {
        nr.zeros([2]);
        return { get then(): never { throw new Error('then'); } };
      })).toThrow('then');
      expect(() => nr.tidy(() => new Proxy({ t: nr.zeros([2]) }, { ownKeys() { throw new Error('keys'); } }))).toThrow('keys');
    }
    expect(nr.memory().numTensors).toBe(before);
    // An enclosing tidy still frees what is made after the failure (the orphaned scope held it).
    nr.tidy(() => {
      expect(() => nr.tidy(() => ({ get then(): never { throw new Error('then'); } }))).toThrow('then');
      nr.ones([3]);
    });
    expect(nr.memory().numTensors).toBe(before);
  });

  it('keeps tensors returned in any object, as TF.js: null-prototype, class instances, another realm, deep, cyclic', () => {
    const before = nr.memory().numTensors;
    class Box {
      constructor(readonly t: nr.Tensor) {}
    }
    const bare = nr.tidy(() => Object.assign(Object.create(null) as { t: nr.Tensor }, { t: nr.scalar(1) }));
    const boxed = nr.tidy(() => new Box(nr.scalar(2)));
    const foreign = nr.tidy(() => {
      const o = vm.runInNewContext('({})') as { t?: nr.Tensor };
      o.t = nr.scalar(3);
      return o;
    });
    const deep = nr.tidy(() => {
      let o: { next?: unknown; t?: nr.Tensor } = { t: nr.scalar(4) };
      for (let i = 0; i < 40; i++) o = { next: o };
      return o;
    });
    const cyclic = nr.tidy(() => {
      const o: { self?: unknown; t: nr.Tensor } = { t: nr.scalar(5) };
      o.self = o;
      return o;
    });
    let leaf: unknown = deep;
    while ((leaf as { next?: unknown }).next) leaf = (leaf as { next: unknown }).next;
    const all = [bare.t, boxed.t, foreign.t!, (leaf as { t: nr.Tensor }).t, cyclic.t];
    expect(all.map((t) => t.isDisposed)).toEqual([false, false, false, false, false]);
    expect(all.map((t) => t.item())).toEqual([1, 2, 3, 4, 5]);
    expect(nr.memory().numTensors).toBe(before + 5);
    // dispose() walks arrays and plain objects (null-prototype, another realm's, deep, cyclic),
    // not class instances: one may hold a model it does not own (a callback's model).
    nr.dispose([bare, boxed, foreign, deep, cyclic]);
    expect(boxed.t.isDisposed).toBe(false);
    expect(nr.memory().numTensors).toBe(before + 1);
    boxed.t.dispose();
    // Big arrays of numbers are skipped fast (each value was queued: 5,000,000 took 2.7 s).
    const big = new Array(5e6).fill(1);
    const r = nr.tidy(() => ({ t: nr.scalar(6), big }));
    nr.dispose(r);
    expect(nr.memory().numTensors).toBe(before);
  });
});

describe('joining the FinalizationRegistry', () => {
  const spies = () => ({
    register: vi.spyOn(FinalizationRegistry.prototype, 'register'),
    unregister: vi.spyOn(FinalizationRegistry.prototype, 'unregister'),
  });

  it('a tensor disposed in the job that made it is never registered', async () => {
    const x = nr.tensor([1, 2]);
    await Promise.resolve(); // x joins the finalizer now
    const s = spies();
    try {
      for (let i = 0; i < 300; i++) x.add(x).dispose();
      for (let i = 0; i < 300; i++) nr.tidy(() => x.mul(x).add(x)).dispose();
      expect(s.register).not.toHaveBeenCalled();
      expect(s.unregister).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
      x.dispose();
    }
  });

  it('a live tensor is registered at the end of the job, and unregistered on dispose', async () => {
    const s = spies();
    try {
      const a = nr.ones([2]);
      const b = nr.tidy(() => nr.ones([2]).add(1));
      expect(s.register).not.toHaveBeenCalled();
      await Promise.resolve();
      expect(s.register).toHaveBeenCalledTimes(2);
      expect(s.register.mock.calls.map((c) => c[0])).toEqual([a, b]);
      a.dispose();
      b.dispose();
      expect(s.unregister).toHaveBeenCalledTimes(2);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a long synchronous run registers its live tensors before the job ends', () => {
    const s = spies();
    const kept: nr.Tensor[] = [];
    try {
      for (let i = 0; i < 1000; i++) kept.push(nr.ones([1]));
      // At most one batch of waiting tensors is held strongly; the rest are registered.
      expect(s.register.mock.calls.length).toBeGreaterThan(900);
    } finally {
      vi.restoreAllMocks();
      nr.dispose(kept);
    }
  });
});

describe('forgotten tensors filling WebAssembly memory', () => {
  it('warn once when many live tensors hold half of a memory past the threshold, naming dispose() and tidy()', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const w0 = nr.memory().wasmBytes;
    // Each tensor holds 2% of today's memory; they escape every scope (as forgotten ones do).
    const per = Math.ceil((0.02 * w0) / 4);
    const kept: nr.Tensor[] = [];
    const make = async (n: number) => {
      for (let i = 0; i < n; i++) kept.push(nr.zeros([per]));
      await Promise.resolve();
    };
    setPressureThreshold(w0 + 1);
    try {
      // Past the threshold, but 50 tensors are too few to blame (under 100 live).
      await make(50);
      expect(nr.memory().wasmBytes).toBeGreaterThan(w0);
      expect(warn).not.toHaveBeenCalled();
      // 110 tensors holding 2.2× the starting memory: more than half of it now.
      await make(60);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^neurite: WebAssembly memory has grown to \d+ MB, and \d+ live tensors hold \d+ MB of it\. A tensor dropped without dispose\(\) is freed only when the garbage collector finalizes it.*dispose\(\) what you no longer need, or compute each step inside tidy\(\)/);
      // The next look is at twice that memory.
      await make(10);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      for (const t of kept) t.dispose();
      setPressureThreshold(2 ** 30);
      warn.mockRestore();
    }
  });
});

describe('the result record and out slots', () => {
  it('are read right after memory grows (the cached view covers them)', () => {
    const a = nr.tensor([[1, 2], [3, 4]]);
    const before = nr.memory().wasmBytes;
    const big = nr.zeros([1 << 22, 4]); // 64 MiB: memory grows
    expect(nr.memory().wasmBytes).toBeGreaterThan(before);
    const b = a.matMul(a);
    expect(b.shape).toEqual([2, 2]);
    expect(Array.from(b.data())).toEqual([7, 10, 15, 22]);
    const c = b.sum(0);
    expect(c.shape).toEqual([2]);
    expect(Array.from(c.data())).toEqual([22, 32]);
    nr.dispose([a, big, b, c]);
  });

  it('results of the same shape share one frozen shape array, and others get their own', () => {
    const a = nr.tensor([[1, 2], [3, 4]]);
    const [x, y, z] = [a.add(1), a.mul(2), a.sum(0)];
    expect(Object.isFrozen(x.shape)).toBe(true);
    expect(y.shape).toEqual([2, 2]);
    expect(z.shape).toEqual([2]);
    expect(Object.isFrozen(z.shape)).toBe(true);
    expect(() => (x.shape as number[]).push(1)).toThrow(TypeError);
    expect(x.shape).toEqual([2, 2]);
    nr.dispose([a, x, y, z]);
  });
});

describe('memory()', () => {
  it('stays flat in a loop that creates and disposes tensors', () => {
    const x = nr.fill([32, 32], 0.5);
    // Warm up so that the allocator has its working set.
    for (let i = 0; i < 50; i++) nr.tidy(() => x.matMul(x).add(1).sum()).dispose();
    const before = nr.memory();
    for (let i = 0; i < 500; i++) nr.tidy(() => x.matMul(x).add(1).sum()).dispose();
    const after = nr.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.wasmBytes).toBe(before.wasmBytes);
    x.dispose();
  });

  // A tester's report: 12 "nightly retrain" cycles in one process grew RSS 119 -> 139 MB.
  // test/stress/soak.mjs (150 cycles on MNIST-sized data) found nothing of neurite's growing
  // once the allocator had its working set; this is its small, deterministic form. A model's
  // core bookkeeping (~2.4 kB for a small MLP) kept per cycle would cross a 64 KiB page within
  // the 30 cycles.
  it('stays flat over retrain cycles: build, fit, save and load through memory, predict, dispose (models of varying sizes)', async () => {
    const x = nr.randomUniform([128, 48], { seed: 1 });
    const y = nr.tidy(() => nr.oneHot(nr.randomUniformInt([128], 0, 4, { seed: 2 }), 4));
    const cycle = async (c: number) => {
      const mlp = nr.sequential({ seed: c, layers: [
        nr.layers.dense({ inputShape: [48], units: 8 + 8 * (c % 4), activation: 'relu' }),
        nr.layers.dropout({ rate: 0.1 }),
        nr.layers.dense({ units: 4, activation: 'softmax' }) ] });
      mlp.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      await mlp.fit(x, y, { epochs: 1, batchSize: 32, validationSplit: 0.25, verbose: 0 });
      let saved: nr.io.ModelArtifacts | null = null;
      await mlp.save(nr.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
      const loaded = [await nr.loadModel(nr.io.fromMemory(saved!)), await nr.loadModel(await mlp.toArtifacts())];
      for (const m of loaded) nr.tidy(() => (m as nr.Sequential).predict(x).sum().dataSync());
      const code = 4 + 2 * (c % 3);
      const ae = nr.autoencoder({
        encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [48], units: code, activation: 'relu' })] }),
        decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [code], units: 48, activation: 'sigmoid' })] }),
      });
      ae.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      await ae.fit(x, { epochs: 1, batchSize: 64, verbose: 0 });
      const again = await nr.loadModel(await ae.toArtifacts());
      nr.dispose([mlp, ...loaded, ae, ae.encoder, ae.decoder, again]);
    };
    for (let c = 0; c < 6; c++) await cycle(c);
    const before = nr.memory();
    for (let c = 6; c < 36; c++) await cycle(c);
    const after = nr.memory();
    expect({ ...after, threads: 0 }).toEqual({ ...before, threads: 0 });
    nr.dispose([x, y]);
  }, 60_000);
});

describe('errors from the core', () => {
  it('absurd sizes are OutOfMemoryError, not a trap', () => {
    expect(() => nr.zeros([1e9, 1e9])).toThrow(nr.OutOfMemoryError);
    expect(() => nr.zeros([30000, 30000])).toThrow(/zeros: out of memory allocating 3600000000 bytes/);
    // An op's output too big for one tensor names the op's arguments and the output's shape.
    expectNoLeak(() => nr.tidy(() => {
      expect(() => nr.image.resizeBilinear(nr.zeros([1, 2, 2, 1]), [2 ** 15, 2 ** 14])).toThrow(/^resizeBilinear: out of memory allocating 2147483648 bytes: the output \[1,32768,16384,1\] \(images \[1,2,2,1\] to size \[32768, 16384\]\) has 536870912 elements, more than the 536870911/);
      expect(() => nr.image.resizeNearestNeighbor(nr.zeros([2, 2, 3]), [2 ** 15, 2 ** 13])).toThrow(/^resizeNearestNeighbor: out of memory .*the output \[32768,8192,3\]/);
    }));
    expectNoLeak(() => nr.zeros([2, 2]).dispose());
  });

  it("a batch whose layer output is beyond one tensor: fit and trainOnBatch name the layer and the fix (the batch size)", async () => {
    using m = nr.sequential({ seed: 1, layers: [nr.layers.dense({ inputShape: [1], units: 4e6 }), nr.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    using x = nr.ones([200, 1]);
    using y = nr.ones([200, 1]);
    const big = 'dense: out of memory allocating 3200000000 bytes, more than one tensor may hold (2^29 - 1 float32 values, 2 GiB): the result of this call is too large, whatever is freed';
    await expect(m.fit(x, y, { batchSize: 200, verbose: 0 })).rejects.toThrow(`fit: ${big}; fit runs each batch through a layer as one tensor (here a dense layer's output): pass a smaller batchSize, or make the layer narrower`);
    expect(() => m.trainOnBatch(x, y)).toThrow(`trainOnBatch: ${big}; trainOnBatch runs each batch through a layer as one tensor (here a dense layer's output): pass fewer rows, or make the layer narrower`);
    // The model still trains at a batch that fits.
    using xs = x.slice(0, 8);
    using ys = y.slice(0, 8);
    const h = await m.fit(xs, ys, { batchSize: 8, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });

  it("an optimizer's state beyond one block (Adam's m and v for a 268.7M-value kernel) is said to be that, not a layer's output to shrink with the batch size", async () => {
    // 16384 × 16400 = 268,697,600 values (1.07 GB), within one tensor; Adam's two slots are not.
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [16384], units: 16400, useBias: false, kernelInitializer: 'zeros' })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    using x = nr.zeros([1, 16384]);
    using y = nr.zeros([1, 16400]);
    const e = await m.fit(x, y, { batchSize: 1, verbose: 0 }).then(() => null, (err: Error) => err);
    expect(e).toBeInstanceOf(nr.OutOfMemoryError);
    expect(e!.message).toMatch(/^fit: out of memory allocating 2149580800 bytes, .*; not a layer's output but the step's own state, most likely the optimizer's: .*adam and adamax 2 values per weight value.*whatever the batch size: use an optimizer with fewer slots, or make the largest layer smaller$/);
    expect(e!.message).not.toMatch(/batchSize/);
  }, 60_000);

  // call() and callOp() (as every op runs) turn a trap into a WasmPanicError the same way.
  const paths: Array<[string, (f: (e: ReturnType<typeof raw>) => number) => unknown]> = [
    ['call', (f) => call(f)],
    ['callOp', (f) => callOp((e) => f(e), () => 0)],
  ];
  for (const [name, through] of paths) {
    it(`a panic (through ${name}) becomes WasmPanicError with the message, and a new instance takes over`, () => {
      const old = nr.tensor([1, 2]);
      let err: unknown;
      try {
        through((e) => e.nr_debug_panic(9));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(nr.WasmPanicError);
      // The message of the panic, read though the trap left the call's phase word set (it was
      // taken for a Ctrl-C: the message lost, the instance replaced twice).
      expect((err as Error).message).toMatch(/index out of bounds: the len is 3 but the index is 9/);
      expect((err as Error).message).not.toMatch(/interrupted/);
      // The new instance works...
      expect(nr.tensor([1, 2]).add(1).data()).toEqual(new Float32Array([2, 3]));
      // ...and old handles say clearly what happened.
      expect(() => old.add(1)).toThrow(/belongs to a neurite instance that was replaced after a panic \(a WasmPanicError\); it is no longer valid/);
      expect(raw().nr_debug_panic(1)).toBe(2);
    });
  }

  it('a failing status through callOp is the error of that status, as from call()', () => {
    expect(() => callOp((e, out) => e.nr_matmul(0, 0, 0, 0, out), () => 0)).toThrow(/not live/);
  });
});

describe('forgotten models', () => {
  it('warn once when many models are live, however small (100,000 forgotten 5-8-2 brains gave no warning: they never fill memory), and not again before the count doubles', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kept: nr.Sequential[] = [];
    const base = nr.memory().numModels;
    setLiveTensorThreshold(2 ** 17, base + 40);
    const brain = () => {
      const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [5], units: 8, activation: 'tanh' }), nr.layers.dense({ units: 2 })] });
      m.build();
      return m;
    };
    try {
      for (let i = 0; i < 30; i++) kept.push(brain());
      expect(warn).not.toHaveBeenCalled();
      // The check runs when new objects join the finalizer (the end of the job, or 64 waiting).
      for (let i = 0; i < 100; i++) kept.push(brain());
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^neurite: \d+ models are live \(each holds a handle and ~2\.5 kB of WebAssembly memory beside its weights, and memory\(\) walks them all\)\. A model dropped without model\.dispose\(\) is freed only when the garbage collector finalizes it, .*dispose\(\) the models you replace \(a population's losers, last run's model\), or keep a fixed pool and write new weights into it \(model\.setWeights\); memory\(\)\.numModels counts them\.$/);
      for (let i = 0; i < 20; i++) kept.push(brain());
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      for (const m of kept) m.dispose();
      setLiveTensorThreshold(2 ** 17, 2 ** 14);
      warn.mockRestore();
    }
    expect(nr.memory().numModels).toBe(base);
  });
});

describe('forgotten tensors filling the handle table', () => {
  it('warn once when many small tensors are live, before the ~1 million handles run out (a synchronous loop never lets the finalizer run, a server\'s handler lets it run late)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kept: nr.Tensor[] = [];
    const base = nr.memory().numTensors;
    setLiveTensorThreshold(base + 2000);
    try {
      // A synchronous loop that forgets its tensors (kept here only to free them after).
      for (let i = 0; i < 1900; i++) kept.push(nr.scalar(i));
      expect(warn).not.toHaveBeenCalled();
      for (let i = 0; i < 600; i++) kept.push(nr.scalar(i));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^neurite: \d+ tensors are live, of at most about a million \(each tensor and model holds one handle, whatever its size\)\. A tensor dropped without dispose\(\) is freed only when the garbage collector finalizes it, which happens between jobs of the event loop: never during a synchronous loop, and late in a server whose request handler forgets them \(the collector sees only their small JS wrappers\)\. dispose\(\) what you no longer need, or compute each step or request inside tidy\(\)\. memory\(\) counts what is live; setDebug\(true\) reports where forgotten tensors were made\.$/);
      // Not again before the count doubles.
      for (let i = 0; i < 1000; i++) kept.push(nr.scalar(i));
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      for (const t of kept) t.dispose();
      setLiveTensorThreshold(2 ** 17);
      warn.mockRestore();
    }
  });
});
