// Mistakes a JS beginner makes, each with an error that says what went wrong and what to do.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { trainChunk } from '../ts/models/fit.js';

// The tests below load a second copy of neurite with vi.resetModules(), which also empties the
// module registry this copy's lazy import('./fit-loop.js') would read: this copy's training
// loop is loaded first, as it is in a bundle (its own file, train.js, per copy).
beforeAll(() => trainChunk('test'));

describe('JS operators on tensors', () => {
  it('throw instead of computing with a string or NaN', () => {
    const t = nr.tensor([1, 2]);
    const loss = nr.scalar(0.5);
    const cases: Array<[string, () => unknown]> = [
      ['loss + 0', () => (loss as unknown as number) + 0],
      ['total += loss', () => { let total = 0; total += loss as unknown as number; return total; }],
      ['t * 2', () => (t as unknown as number) * 2],
      ['t > 0', () => (t as unknown as number) > 0],
      ['Math.max', () => Math.max(loss as unknown as number, 0)],
      ['Number', () => Number(loss)],
      ['==', () => (loss as unknown) == 0.5], // eslint-disable-line eqeqeq
    ];
    for (const [name, f] of cases) {
      const e = thrown(f);
      expect(e, name).toBeInstanceOf(nr.InvalidArgumentError);
      expect((e as Error).message, name).toMatch(/JS operators do not work on tensors.*t\.item\(\).*t\.dataSync\(\)\[0\].*t\.add\(b\), t\.mul\(2\), t\.greater\(0\)/);
    }
    expect((thrown(() => (t as unknown as number) * 2) as Error).message).toMatch(/^a Tensor \(shape \[2\]\) was used as a number/);
    t.dispose();
    loss.dispose();
  });

  it('still print as strings', () => {
    const t = nr.tensor([1, 2]);
    expect(`${t}`).toBe(t.toString());
    expect(String(t)).toBe(t.toString());
    expect([t].join()).toBe(t.toString());
    t.dispose();
    expect(`${t}`).toBe('Tensor(disposed, shape=[2])');
  });
});

describe('tidy(async fn)', () => {
  it('throws a message that says what to do and leaves no unhandled rejection behind', async () => {
    const seen: unknown[] = [];
    const onRejection = (r: unknown) => seen.push(r);
    process.on('unhandledRejection', onRejection);
    try {
      const before = nr.memory().numTensors;
      const e = thrown(() =>
        nr.tidy((async () => {
          const t = nr.tensor([1]);
          await null;
          return t.add(1); // t was freed when tidy returned: this rejects
        }) as never),
      );
      expect(e).toBeInstanceOf(nr.InvalidArgumentError);
      expect((e as Error).message).toMatch(/^tidy: fn must not return a Promise \(an async function returns one\).*await outside tidy and tidy only the synchronous part/);
      await new Promise((r) => setTimeout(r, 30));
      expect(seen).toEqual([]);
      expect(nr.memory().numTensors).toBe(before);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('a tensor freed by tidy', () => {
  it('says so when used later', () => {
    let inner: nr.Tensor | undefined;
    nr.tidy(() => {
      inner = nr.tensor([1, 2]).mul(2);
    });
    const e = thrown(() => inner!.add(1));
    expect(e).toBeInstanceOf(nr.DisposedError);
    expect((e as Error).message).toBe('add: a is a disposed tensor (shape [2]) (freed at the end of the tidy() it was made in; return it from the function or keep() it)');
  });

  it('says nothing of tidy when the tensor was disposed by hand (inside tidy or not)', () => {
    const t = nr.tensor([1, 2]);
    t.dispose();
    expect((thrown(() => t.add(1)) as Error).message).toBe('add: a is a disposed tensor (shape [2])');
    let u: nr.Tensor | undefined;
    nr.tidy(() => {
      u = nr.tensor([3]);
      u.dispose();
    });
    expect((thrown(() => u!.sum()) as Error).message).toBe('sum: x is a disposed tensor (shape [1])');
  });

  it('says so when tidy freed it because fn threw', () => {
    let inner: nr.Tensor | undefined;
    thrown(() => nr.tidy(() => {
      inner = nr.tensor([1]);
      throw new Error('boom');
    }));
    expect((thrown(() => inner!.data()) as Error).message).toMatch(/freed at the end of the tidy\(\) it was made in/);
  });
});

describe('tidy returning a Map or Set', () => {
  it('throws naming the container, frees what fn made and nothing of the caller', () => {
    const outer = nr.tensor([5]);
    const before = nr.memory().numTensors;
    let e = thrown(() => nr.tidy(() => new Map([['w', nr.tensor([1, 2])]])));
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect((e as Error).message).toBe(
      'tidy: fn returned a Map holding tensors made inside it; tidy keeps the tensors fn returns directly or inside arrays and other objects, ' +
        'and would free those in a Map: return an array or a plain object instead (Object.fromEntries(map) or [...map]), or keep() each tensor',
    );
    e = thrown(() => nr.tidy(() => ({ ok: nr.tensor([1]), all: [outer, new Set([nr.tensor([2]), outer])] })));
    expect((e as Error).message).toMatch(/^tidy: fn returned a Set holding tensors made inside it \(at result\.all\[1\]\); .*\(\[\.\.\.set\]\), or keep\(\) each tensor$/);
    expect(nr.memory().numTensors).toBe(before);
    expect(outer.isDisposed).toBe(false);
    outer.dispose();
  });

  it('is fine when the Map holds only tensors that outlive the scope', () => {
    const outer = nr.tensor([5]);
    const r = nr.tidy(() => {
      const kept = nr.keep(nr.tensor([1]));
      return new Map<string, nr.Tensor>([['outer', outer], ['kept', kept]]);
    });
    expect([...r.values()].map((t) => t.isDisposed)).toEqual([false, false]);
    nr.dispose([...r.values()]);
  });
});

describe('two copies of neurite initialised in one program', () => {
  it("warn once naming the entries, and a call into the copy not yet initialised says another copy is (a library author's app on the other entry)", async () => {
    vi.resetModules();
    const C = (await import('../ts/index.js')) as typeof nr;
    expect((thrown(() => C.tensor([1, 2])) as Error).message).toMatch(
      /^neurite is not initialised: call `await init\(\)` first \(or TF\.js's `await ready\(\)`, the same\); another copy of neurite is \(imported as 'neurite'\): each copy — 'neurite' and 'neurite\/url', or two installs — has its own instance, so import one entry everywhere/,
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await C.init();
      await C.init();
      // The same entry and version evaluated again (vi.resetModules, a dev server's reload):
      // said as that, not as two installs or two entries (Next.js's next dev printed the
      // advice to import one entry and install one version at every edit).
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/^neurite: 'neurite' \d+\.\d+\.\d+\S* was initialised again in this program, by a second evaluation of its module \(a dev server's reload such as Next\.js's next dev, jest\.isolateModules or vi\.resetModules; else two installs of one version\): .*serverExternalPackages: \['neurite'\]/),
      ]);
    } finally {
      warn.mockRestore();
    }
    C.shutdown();
  });
});

describe('two installs of one version, both initialised (a library linked with npm link keeps its own node_modules)', () => {
  it('are said as two installs, naming both files and the fix (they were said as a dev server reload; helper-328)', async () => {
    vi.resetModules();
    const C = (await import('../ts/index.js')) as typeof nr;
    const { moduleFile } = await import('../ts/brand.js');
    expect(moduleFile()).toMatch(/\/ts\/brand\.ts$/);
    // The other install's record, as its copy writes it into the list every copy shares.
    const copies = (globalThis as Record<symbol, unknown[]>)[Symbol.for('neurite.copies')]!;
    const other = { copy: {}, entry: 'neurite', version: C.version, where: 'file:///work/lib/node_modules/neurite/dist/index.js' };
    copies.push(other);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await C.init();
      const said = warn.mock.calls.map((c) => String(c[0]));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/^neurite: 'neurite' \S+ is installed twice in this program, and both copies were initialised: this one at \S+\/ts\/brand\.ts, the first at file:\/\/\/work\/lib\/node_modules\/neurite\/dist\/index\.js\. /);
      expect(said[0]).toMatch(/make neurite a peerDependency of the library/);
    } finally {
      warn.mockRestore();
      copies.splice(copies.indexOf(other), 1);
    }
    C.shutdown();
  });
});

describe("a chunk bound to another copy of neurite (tsx in a CommonJS package: neurite.js turned into CommonJS, train.js loaded as ESM with a second neurite.js)", () => {
  it('is refused when it loads, with the fix (it failed later: "fit: x must be a Tensor, got a Tensor from another copy")', async () => {
    const chunkOfThisCopy = await import('../ts/models/fit-loop.js');
    vi.resetModules();
    const { lazyChunk } = await import('../ts/lazy_chunk.js'); // another copy's loader
    const load = lazyChunk(() => Promise.resolve(chunkOfThisCopy), 'train.js', 'training loop');
    const err = await load('fit').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(nr.NeuriteError);
    expect((err as nr.NeuriteError).code).toBe('NotInitialized');
    expect((err as Error).message).toBe(
      `fit: neurite's training loop (train.js) loaded a second copy of neurite: your loader turned neurite into CommonJS (tsx or ts-node running a file of a "type": "commonjs" package) but loads its chunks as ES modules. neurite is ESM only: run the program as an ES module (name the file .mts, or set "type": "module" in package.json), or load neurite with a dynamic import instead`,
    );
    // The chunk of the loader's own copy loads.
    const own = lazyChunk(() => import('../ts/models/fit-loop.js'), 'train.js', 'training loop');
    expect(typeof (await own('fit')).fitLoop).toBe('function');
  });
});

describe('a tensor from another copy of neurite', () => {
  it('is named as such (the neurite and neurite/url entries are two copies)', async () => {
    vi.resetModules();
    const B = (await import('../ts/index.js')) as typeof nr;
    expect(B.Tensor).not.toBe(nr.Tensor);
    await B.init();
    const a = nr.tensor([1, 2, 3]);
    const b = B.tensor([10, 20, 30]);
    const other = "a Tensor from another copy of neurite (e.g. 'neurite' and 'neurite/url' both imported, or two installs): a tensor belongs to the copy that made it; import everything from one entry";
    expect((thrown(() => nr.add(a, b as never)) as Error).message).toBe(`add: b must be a Tensor, a number or an array of numbers, got ${other}`);
    expect((thrown(() => a.add(b as never)) as Error).message).toBe(`add: b must be a Tensor, a number or an array of numbers, got ${other}`);
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 1 })] });
    expect((thrown(() => m.predict(B.tensor([[1, 2, 3]]) as never)) as Error).message).toMatch(/^predict: x must be a Tensor, got a Tensor from another copy of neurite/);
    // Dataset messages too (they describe elements with their own words).
    expect((thrown(() => nr.data.zip({ xs: b } as never)) as Error).message).toMatch(/a Tensor from another copy of neurite/);
    // TF.js tensors keep their own description.
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const t = tf.tensor([1, 2]);
    expect((thrown(() => a.add(t as never)) as Error).message).toMatch(/got a TF\.js tensor \(shape \[2\], dtype float32\)/);
    t.dispose();
    m.dispose();
    a.dispose();
    B.dispose(b);
  });

  it("so are its optimizers, schedules, layers, symbolic tensors and callbacks (a callback failed midway in fit with a TypeError)", async () => {
    vi.resetModules();
    const B = (await import('../ts/index.js')) as typeof nr;
    await B.init();
    const from = (cls: string) => new RegExp(`got an? ${cls} from another copy of neurite \\(e\\.g\\. 'neurite' and 'neurite/url' both imported, or two installs\\): an object belongs to the copy that made it; import everything from one entry`);
    using m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    expect((thrown(() => m.compile({ optimizer: B.optimizers.adam() as never, loss: 'mse' })) as Error).message).toMatch(from('AdamOptimizer'));
    expect((thrown(() => nr.optimizers.sgd({ learningRate: B.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) as never })) as Error).message).toMatch(from('LearningRateSchedule'));
    expect((thrown(() => nr.sequential({ layers: [B.layers.dense({ inputShape: [2], units: 1 }) as never] })) as Error).message).toMatch(from('Dense'));
    expect((thrown(() => nr.layers.dense({ units: 1 }).apply(B.input({ shape: [2] }) as never)) as Error).message).toMatch(from('SymbolicTensor'));
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    using x = nr.ones([4, 2]);
    using y = nr.ones([4, 1]);
    for (const [cb, cls] of [[B.callbacks.earlyStopping({ monitor: 'loss' }), 'EarlyStopping'], [B.callbacks.reduceLROnPlateau({ monitor: 'loss' }), 'ReduceLROnPlateau']] as const) {
      const err = await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [cb as never] }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(nr.InvalidArgumentError);
      expect((err as Error).message).toMatch(new RegExp(`^fit: callbacks\\[0\\] is an? ${cls} from another copy of neurite`));
    }
    // Its errors are instances of this copy's classes by name (a library's catch works for both).
    const shape = thrown(() => B.matMul(B.ones([2, 3]), B.ones([2, 3])));
    expect(Object.getPrototypeOf(shape)).toBe(B.ShapeError.prototype);
    expect([shape instanceof nr.NeuriteError, shape instanceof nr.ShapeError, shape instanceof nr.InvalidArgumentError, shape instanceof Error]).toEqual([true, true, false, true]);
    expect([new Error('x') instanceof nr.NeuriteError, ({ name: 'ShapeError' }) instanceof nr.ShapeError]).toEqual([false, false]);
    // Not by class name: a bundler renames or minifies classes (ShapeError2, qe).
    for (const C of [B.NeuriteError, B.ShapeError, B.InvalidArgumentError]) Object.defineProperty(C, 'name', { value: 'qe' });
    const renamed = thrown(() => B.matMul(B.ones([2, 3]), B.ones([2, 3])));
    expect([renamed instanceof nr.NeuriteError, renamed instanceof nr.ShapeError, renamed instanceof nr.DisposedError]).toEqual([true, true, false]);
    // This copy's own objects are not "from another copy".
    expect(nr.optimizers.adam()).toBeInstanceOf(nr.Optimizer);
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [nr.callbacks.earlyStopping({ monitor: 'loss' })] });
  });
});

describe('fit(x, options) and evaluate(x, options) with y forgotten', () => {
  it('say that y is missing, not that epochs is not an output', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.zeros([4, 2]);
    const before = nr.memory().numTensors;
    const fitErr = await m.fit(x, { epochs: 5, batchSize: 2 } as never).then(() => null, (e: unknown) => e);
    expect(fitErr).toBeInstanceOf(nr.InvalidArgumentError);
    expect((fitErr as Error).message).toBe(
      "fit(x, y, options): y is missing — the second argument looks like fit's options ('epochs', 'batchSize'); pass the targets second, " +
        'model.fit(x, y, { epochs: 5 }); for an autoencoder, which learns to reproduce x, use ae.fit(x, options)',
    );
    expect((thrown(() => m.evaluate(x, { batchSize: 2 } as never)) as Error).message).toMatch(
      /^evaluate\(x, y, options\): y is missing — the second argument looks like evaluate's options \('batchSize'\); pass the targets second, model\.evaluate\(x, y, \{ batchSize: 32 \}\); .*ae\.evaluate\(x, options\)$/,
    );
    // A key that is neither an output nor an option keeps the message about outputs.
    expect((thrown(() => m.evaluate(x, { dense_9: x } as never)) as Error).message).toMatch(/^evaluate: y has a key 'dense_9' that is not an output of the model/);
    expect(nr.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});

describe('arguments past those fit, evaluate and predict take', () => {
  it('are errors that say where callbacks and options go (a 4th argument of fit was ignored: its callbacks never ran)', async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = nr.zeros([4, 2]);
    const y = nr.zeros([4, 1]);
    const before = nr.memory().numTensors;
    let ran = 0;
    const cbs = { onEpochEnd: () => void ran++ };
    const fitErr = await (m.fit as (...a: unknown[]) => Promise<unknown>)(x, y, { epochs: 1, verbose: 0 }, cbs).then(() => null, (e: unknown) => e);
    expect(fitErr).toBeInstanceOf(nr.InvalidArgumentError);
    expect((fitErr as Error).message).toBe(
      'fit: takes 3 arguments (x, y, options), got 4; everything else goes in the options object, callbacks too: fit(x, y, { epochs: 10, callbacks: [...] }) ' +
        '(an argument after the options is never read, so its callbacks would never run)',
    );
    expect(ran).toBe(0);
    expect((thrown(() => (m.evaluate as (...a: unknown[]) => unknown)(x, y, {}, cbs)) as Error).message).toMatch(/^evaluate: takes 3 arguments \(x, y, options\), got 4; options go in one object: evaluate\(x, y, \{ batchSize: 32 \}\) .*fit\(x, y, \{ callbacks \}\)/);
    expect((thrown(() => (m.predict as (...a: unknown[]) => unknown)(x, {}, cbs)) as Error).message).toMatch(/^predict: takes 2 arguments \(x, options\), got 3; options go in one object: predict\(x, \{ batchSize: 32 \}\)/);
    expect((thrown(() => (m.predict as (...a: unknown[]) => unknown)(x, 32, 0)) as Error).message).toMatch(/^predict: takes 2 arguments/);
    expect(nr.memory().numTensors).toBe(before);
    // The forms that are right still work, undefined options included.
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: cbs });
    expect(ran).toBe(1);
    nr.dispose([m.evaluate(x, y), m.evaluate(x, y, undefined), m.predict(x), m.predict(x, undefined)]);
    // An autoencoder's fit and evaluate count their arguments too.
    const ae = nr.autoencoder({ encoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] }), decoder: nr.sequential({ layers: [nr.layers.dense({ inputShape: [1], units: 2 })] }) });
    ae.compile({ optimizer: 'sgd', loss: 'mse' });
    const aeErr = await (ae.fit as (...a: unknown[]) => Promise<unknown>)(x, x, { epochs: 1, verbose: 0 }, cbs).then(() => null, (e: unknown) => e);
    expect((aeErr as Error).message).toMatch(/^fit: takes 3 arguments \(x, y, options\), got 4/);
    expect((thrown(() => (ae.evaluate as (...a: unknown[]) => unknown)(x, x, {}, cbs)) as Error).message).toMatch(/^evaluate: takes 3 arguments/);
    nr.dispose([x, y, m, ae]);
  });
});

describe('t.dtype', () => {
  it('cannot be assigned (it stuck, and then misreported the values)', () => {
    const t = nr.tensor([1.5, 2]);
    const e = thrown(() => {
      (t as { dtype: string }).dtype = 'int32';
    });
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect((e as Error).message).toMatch(/^dtype: a tensor's dtype is read-only \(float32 is the only dtype neurite supports today; .*\); assigning the string "int32" would change nothing\. .*t\.round\(\)/);
    expect(t.dtype).toBe('float32');
    expect(Object.hasOwn(t, 'dtype')).toBe(false);
    expect(Array.from(t.data())).toEqual([1.5, 2]);
    t.dispose();
  });
});

describe('t.shape', () => {
  it('cannot be assigned (it stuck: rank, size and errors then described a shape the values do not have)', () => {
    const t = nr.tensor([1, 2, 3]);
    const e = thrown(() => {
      (t as unknown as { shape: number[] }).shape = [3, 1];
    });
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect((e as Error).message).toBe("shape: a tensor's shape is read-only (shape [3]); assigning [3,1] would change nothing. For the same values in another shape make a new tensor: t.reshape(newShape)");
    expect(t.shape).toEqual([3]);
    expect(t.rank).toBe(1);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(Object.hasOwn(t, 'shape')).toBe(false);
    // What TF.js code does with a shape still works: destructure, spread, copy and change.
    const [n] = t.shape;
    const s = [...t.shape, 1];
    expect([n, s]).toEqual([3, [3, 1]]);
    expect(t.reshape(s).shape).toEqual([3, 1]);
    t.dispose();
  });
});
