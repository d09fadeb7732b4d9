// The autoencoder API as a new user meets it (issue 8's new-user pass over issue 9's
// autoencoder): the target defaults to the input wherever fit's does, errors name the method
// called, options are checked, shapes are checked early, names and configs say "autoencoder".
import { describe, expect, it } from 'vitest';
import './setup.js';
import * as nr from '../ts/index.js';

const { layers } = nr;

/** Seeded values in [0, 1). */
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
}

function live() {
  const m = nr.memory();
  return { numHandles: m.numHandles, numTensors: m.numTensors, numBytes: m.numBytes };
}

/** A seeded 12-3-12 autoencoder, and its parts. */
function make(seed = 3) {
  const encoder = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [12], units: 3, activation: 'relu' })] });
  const decoder = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [3], units: 12, activation: 'sigmoid' })] });
  const ae = nr.autoencoder({ encoder, decoder, seed });
  return { ae, encoder, decoder, dispose: () => [ae, encoder, decoder].forEach((m) => m.dispose()) };
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('autoencoder: the input is the target wherever fit defaults it', () => {
  it('evaluate(x) and evaluate(x, options) equal evaluate(x, x, ...)', async () => {
    const before = live();
    const x = nr.tensor(rand(16 * 12, 5), [16, 12]);
    const m = make();
    m.ae.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const explicit = m.ae.evaluate(x, x) as nr.Tensor[];
    const implicit = m.ae.evaluate(x) as nr.Tensor[];
    expect(implicit.map((t) => t.dataSync()[0])).toEqual(explicit.map((t) => t.dataSync()[0]));
    expect(m.ae.evaluate(x, { returnDict: true, batchSize: 4 })).toEqual(m.ae.evaluate(x, x, { returnDict: true, batchSize: 4 }));
    // Explicit targets still work, and options in third place need a tensor in second (as fit).
    const y = nr.tensor(rand(16 * 12, 6), [16, 12]);
    expect(m.ae.evaluate(x, y, { returnDict: true }).loss).not.toBe(m.ae.evaluate(x, { returnDict: true }).loss);
    // evaluate(x, undefined, options) and fit(x, undefined, options) take x as the target
    // (Keras's None; fit threw synchronously, outside its promise); another value is refused.
    expect(m.ae.evaluate(x, undefined as never, { returnDict: true, batchSize: 4 })).toEqual(m.ae.evaluate(x, x, { returnDict: true, batchSize: 4 }));
    expect(() => m.ae.evaluate(x, 3 as never, { returnDict: true })).toThrow(/^evaluate: the second argument must be the targets y \(a tensor\), or undefined for x itself, when options come third, got 3$/);
    const refused = m.ae.fit(x, 'y' as never, { epochs: 1 });
    await expect(refused).rejects.toThrow(/^fit: the second argument must be the targets y \(a tensor\), or undefined for x itself, when options come third, got the string "y"$/);
    const h = await m.ae.fit(x, undefined, { epochs: 1, verbose: 0, batchSize: 4 });
    expect(h.history.loss).toHaveLength(1);
    expect(() => m.ae.evaluate(x, { returnDict: true, batch: 4 } as never)).toThrow(/^evaluate: unknown option 'batch' — did you mean 'batchSize'\?/);
    for (const t of [...explicit, ...implicit, x, y]) t.dispose();
    m.dispose();
    expect(live()).toEqual(before);
  });

  it('trainOnBatch(x) trains towards x exactly as trainOnBatch(x, x)', () => {
    const x = nr.tensor(rand(8 * 12, 7), [8, 12]);
    const [a, b] = [make(), make()];
    for (const m of [a, b]) m.ae.compile({ optimizer: 'sgd', loss: 'mse' });
    const la = [a.ae.trainOnBatch(x), a.ae.trainOnBatch(x)];
    const lb = [b.ae.trainOnBatch(x, x), b.ae.trainOnBatch(x, x)];
    expect(la).toEqual(lb);
    expect(typeof la[0]).toBe('number');
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('fit: validationData may be one tensor, its own target', async () => {
    const x = nr.tensor(rand(16 * 12, 8), [16, 12]);
    const xv = nr.tensor(rand(8 * 12, 9), [8, 12]);
    const [a, b] = [make(), make()];
    for (const m of [a, b]) m.ae.compile({ optimizer: 'sgd', loss: 'mse' });
    const ha = await a.ae.fit(x, { epochs: 2, batchSize: 8, verbose: 0, validationData: xv });
    const hb = await b.ae.fit(x, x, { epochs: 2, batchSize: 8, verbose: 0, validationData: [xv, xv] });
    expect(ha.history.val_loss).toHaveLength(2);
    expect(ha.history).toEqual(hb.history);
    // With explicit targets (noisy → clean) a lone tensor would validate the identity instead.
    const before = nr.memory().numHandles;
    await expect(b.ae.fit(x, x, { epochs: 1, verbose: 0, validationData: xv })).rejects.toThrow(/^fit: validationData is a single tensor \(shape \[8,12\]\), which an autoencoder uses as its own target, but fit was given targets y: pass validationData: \[xVal, yVal\]/);
    expect(nr.memory().numHandles).toBe(before);
    for (const t of [x, xv]) t.dispose();
    a.dispose();
    b.dispose();
  });

  it('fitDataset and evaluateDataset: batches of inputs alone (tensors, or { xs }) are their own targets, as fit(x, x) on the same batches', async () => {
    const x = nr.tensor(rand(24 * 12, 10), [24, 12]);
    const xv = nr.tensor(rand(8 * 12, 11), [8, 12]);
    const rows = (t: nr.Tensor) => t.arraySync() as number[][];
    const [a, b, c] = [make(), make(), make()];
    for (const m of [a, b, c]) m.ae.compile({ optimizer: 'sgd', loss: 'mse' });
    const opts = { epochs: 2, verbose: 0 as const };
    const ha = await a.ae.fitDataset(nr.data.array(rows(x)).batch(8), { ...opts, validationData: nr.data.array(rows(xv)).batch(4) });
    const hb = await b.ae.fitDataset(nr.data.array(rows(x)).map((r) => ({ xs: r })).batch(8), { ...opts, validationData: nr.data.array(rows(xv)).map((r) => ({ xs: r })).batch(4) });
    const hc = await c.ae.fit(x, x, { ...opts, batchSize: 8, shuffle: false, validationData: [xv, xv] });
    expect(ha.history.loss).toEqual(hc.history.loss);
    expect(hb.history.loss).toEqual(hc.history.loss);
    expect(ha.history.val_loss).toHaveLength(2);
    expect(hb.history.val_loss).toEqual(ha.history.val_loss);
    const ev = await a.ae.evaluateDataset(nr.data.array(rows(xv)).batch(4), { returnDict: true });
    expect(ev.loss).toBeCloseTo(a.ae.evaluate(xv, { returnDict: true }).loss, 6);
    // A plain model still needs targets: the message is unchanged.
    const plain = nr.sequential({ layers: [layers.dense({ inputShape: [12], units: 12 })] });
    plain.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(plain.fitDataset(nr.data.array(rows(x)).batch(8), opts)).rejects.toThrow(/^fitDataset: each element of the dataset must be \{ xs, ys \} or \[xs, ys\]/);
    for (const t of [x, xv]) t.dispose();
    [a, b, c].forEach((m) => m.dispose());
    plain.dispose();
  });

  it('an output that does not have the input shape is an error naming both, when x is the target', async () => {
    const ae = nr.autoencoder({ encoder: layers.dense({ inputShape: [12], units: 3 }), decoder: layers.dense({ units: 10 }) });
    ae.compile({ optimizer: 'sgd', loss: 'mse' });
    using x = nr.ones([4, 12]);
    using y = nr.ones([4, 10]);
    const msg = (op: string) => new RegExp(`^${op}: autoencoder autoencoder_\\d+ takes per-sample shape \\[12\\] but its decoder dense_\\d+ outputs \\[10\\]; ${op}\\(x\\) uses x as the target, so the output must have the input's shape \\(or pass targets: ${op}\\(x, y\\)\\)$`);
    await expect(ae.fit(x, { epochs: 1, verbose: 0 })).rejects.toThrow(msg('fit'));
    expect(() => ae.evaluate(x)).toThrow(msg('evaluate'));
    expect(() => ae.trainOnBatch(x)).toThrow(msg('trainOnBatch'));
    // Explicit targets of the output's shape are fine.
    expect(typeof ae.trainOnBatch(x, y)).toBe('number');
    ae.dispose();
  });
});

describe('autoencoder: errors and options name the method called', () => {
  it('encode, decode, reconstruct and encodeDistribution name themselves on a wrong shape', () => {
    const m = make();
    using bad = nr.ones([2, 5]);
    for (const [op, f] of [['encode', () => m.ae.encode(bad)], ['decode', () => m.ae.decode(bad)], ['reconstruct', () => m.ae.reconstruct(bad)]] as const) {
      const err = thrown(f);
      expect(err).toBeInstanceOf(nr.ShapeError);
      expect(err.message).toMatch(new RegExp(`^${op}: expected input of shape \\[batch,${op === 'decode' ? 3 : 12}\\] \\(the first dimension is the batch\\), got \\[2,5\\]$`));
    }
    const enc = nr.sequential({ layers: [layers.dense({ inputShape: [8], units: 4 }), layers.variational({ units: 2 })] });
    const vae = nr.autoencoder({ encoder: enc, decoder: layers.dense({ units: 8 }) });
    expect(() => vae.encodeDistribution(bad)).toThrow(/^encodeDistribution: expected input of shape \[batch,8\]/);
    // The TS-side checks name the method too.
    expect(() => m.ae.reconstruct([[1]] as never)).toThrow(/^reconstruct: x must be a Tensor/);
    expect(() => m.ae.decode(bad, { batchSize: 0 })).toThrow(/^decode: batchSize must be a positive integer, got 0$/);
    for (const x of [vae, enc]) x.dispose();
    m.dispose();
  });

  it('unknown option keys of encode, decode and reconstruct are errors with a suggestion', async () => {
    const m = make();
    using x = nr.ones([2, 12]);
    using z = nr.ones([2, 3]);
    expect(() => m.ae.encode(x, { batch: 1 } as never)).toThrow(/^encode: unknown option 'batch' — did you mean 'batchSize'\? \(known: batchSize\)$/);
    expect(() => m.ae.decode(z, { batchsize: 1 } as never)).toThrow(/^decode: unknown option 'batchsize' — did you mean 'batchSize'\?/);
    expect(() => m.ae.reconstruct(x, { bachSize: 1 } as never)).toThrow(/^reconstruct: unknown option 'bachSize' — did you mean 'batchSize'\?/);
    expect(() => m.ae.encode(x, null as never)).toThrow(/^encode: options must be an object, got null$/);
    m.ae.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.ae.fit(x, { epoch: 1 } as never)).rejects.toThrow(/^fit: unknown option 'epoch' — did you mean 'epochs'\?/);
    using ok = m.ae.encode(x, { batchSize: 1 });
    expect(ok.shape).toEqual([2, 3]);
    m.dispose();
  });
});

describe('autoencoder: encoder/decoder shape mismatch', () => {
  it('is caught by autoencoder() from the configs, before anything is built', () => {
    const before = live();
    const encoder = nr.sequential({ layers: [layers.dense({ inputShape: [784], units: 32 })] });
    const decoder = nr.sequential({ layers: [layers.dense({ inputShape: [16], units: 784 })] });
    expect(() => nr.autoencoder({ encoder, decoder })).toThrow(/^autoencoder: encoder sequential_\d+ outputs per-sample shape \[32\] but decoder sequential_\d+ expects \[16\]$/);
    // Deeper encoders and a layer as encoder or decoder.
    const deep = nr.sequential({ layers: [layers.dense({ inputShape: [10], units: 6 }), layers.reshape({ targetShape: [2, 3] }), layers.flatten(), layers.dense({ units: 5 })] });
    expect(() => nr.autoencoder({ encoder: deep, decoder: layers.dense({ inputShape: [4], units: 10 }) })).toThrow(/outputs per-sample shape \[5\] but decoder dense_\d+ expects \[4\]$/);
    expect(() => nr.autoencoder({ encoder: layers.dense({ inputShape: [10], units: 3 }), decoder })).toThrow(/^autoencoder: encoder dense_\d+ outputs per-sample shape \[3\] but decoder sequential_\d+ expects \[16\]$/);
    expect(live()).toEqual(before); // nothing was built
    // Matching widths, or an unknown side, are fine.
    const ok = nr.autoencoder({ encoder: deep, decoder: layers.dense({ inputShape: [5], units: 10 }) });
    const open = nr.autoencoder({ encoder: layers.dense({ units: 3 }), decoder });
    for (const m of [ok, open, deep, encoder, decoder]) m.dispose();
  });

  it('a layer or nested model built for another input shape: the error names both shapes and why', () => {
    // At add, as TF.js: a nested model that declares another input shape than it receives.
    const inner = nr.sequential({ layers: [layers.dense({ inputShape: [12], units: 2 })] });
    const m = nr.sequential({ layers: [layers.dense({ inputShape: [2], units: 5 })] });
    const err = thrown(() => m.add(inner));
    expect(err).toBeInstanceOf(nr.InvalidArgumentError);
    expect(err.message).toMatch(/^add: model sequential_\d+ declares per-sample input shape \[12\], but here it receives \[5\]; a model keeps the input shape its weights are made for \(also when it is nested in other models\): leave out its first layer's inputShape, or use a new model here$/);
    // Shared: the same model, built and used on its own first, then placed where it does not fit.
    inner.build();
    expect(thrown(() => m.add(inner)).message).toMatch(/^add: model sequential_\d+ was built for per-sample input shape \[12\], but here it receives \[5\]; .*: use a new model here$/);
    // Where add cannot know (the input shape given at build), the core's error names both shapes and why.
    const late = nr.sequential({ layers: [layers.dense({ units: 5 }), inner] });
    const core = thrown(() => late.build([2]));
    expect(core).toBeInstanceOf(nr.ShapeError);
    expect(core.message).toMatch(/already built for per-sample input shape \[12\], but here it receives \[5\]; a built layer keeps the input shape its weights were made for \(also when it is shared between models\)$/);
    for (const x of [m, inner, late]) x.dispose();
  });
});

describe("autoencoder({ seed }): the seed covers parts built with it", () => {
  it('an unseeded sequential part (no input shape) draws from the autoencoder\'s seed and its place: the same seed, the same weights (it drew from the global generator)', () => {
    const weightsOf = (seed: number, seeded?: number) => {
      const ae = nr.autoencoder({
        seed,
        encoder: nr.layers.dense({ inputShape: [6], units: 2 }),
        decoder: nr.sequential({ ...(seeded === undefined ? {} : { seed: seeded }), layers: [nr.layers.dense({ units: 6 })] }),
        ownsParts: true,
      });
      ae.build();
      const w = ae.getWeights().map((t) => Array.from(t.dataSync()));
      nr.dispose(ae.getWeights());
      ae.dispose();
      return w;
    };
    const [a, b, c] = [weightsOf(5), weightsOf(5), weightsOf(6)];
    expect(b).toEqual(a);
    expect(c[2]).not.toEqual(a[2]); // the decoder's kernel follows the seed
    expect(weightsOf(5, 9)).toEqual(weightsOf(5, 9));
  });
});

describe('autoencoder: names and configs', () => {
  it('is named autoencoder_N by default, keeps a given name, and saves and loads its name', async () => {
    const m = make();
    expect(m.ae.name).toMatch(/^autoencoder_\d+$/);
    expect(m.ae.summary(null)).toMatch(/^Model: autoencoder_\d+\n/);
    const gone = make();
    gone.ae.dispose();
    using x = nr.ones([2, 12]);
    expect(() => gone.ae.encode(x)).toThrow(/^encode: model autoencoder_\d+ is disposed$/);
    gone.dispose();
    const named = nr.autoencoder({ encoder: layers.dense({ inputShape: [4], units: 2 }), decoder: layers.dense({ units: 4 }), name: 'my_ae' });
    expect(named.name).toBe('my_ae');
    expect(() => nr.autoencoder({ encoder: layers.dense({ units: 2 }), decoder: layers.dense({ units: 4 }), name: 3 as never })).toThrow(/^autoencoder: name must be a string, got 3$/);
    // Round trips keep the name: config, and artifacts with weights.
    expect(nr.sequential.fromConfig(m.ae.getConfig()).name).toBe(m.ae.name);
    const loaded = await nr.loadModel(await m.ae.toArtifacts());
    expect(loaded).toBeInstanceOf(nr.Autoencoder);
    expect((loaded as nr.Autoencoder).name).toBe(m.ae.name);
    // A file saved before (an autoencoder named sequential_7) loads with that name.
    const old = await m.ae.toArtifacts();
    (old.modelTopology as { config: { name: string } }).config.name = 'sequential_7';
    const legacy = await nr.loadModel(old);
    expect(legacy).toBeInstanceOf(nr.Autoencoder);
    expect((legacy as nr.Autoencoder).name).toBe('sequential_7');
    for (const d of [named, loaded, legacy]) d.dispose();
    m.dispose();
  });

  it('sequential.fromConfig of an autoencoder config gives an Autoencoder; others stay Sequential', () => {
    const m = make();
    const cfg = JSON.parse(JSON.stringify(m.ae.getConfig()));
    for (const copy of [nr.sequential.fromConfig(cfg), nr.Sequential.fromConfig(cfg), nr.Autoencoder.fromConfig(cfg), nr.autoencoder.fromConfig(cfg)]) {
      expect(copy).toBeInstanceOf(nr.Autoencoder);
      const ae = copy as nr.Autoencoder;
      using x = nr.ones([2, 12]);
      using z = ae.encode(x);
      expect(z.shape).toEqual([2, 3]);
      expect(ae.encoder).toBe(ae.layers[0]);
      ae.dispose();
      (ae.encoder as nr.Sequential).dispose();
      (ae.decoder as nr.Sequential).dispose();
    }
    const plain = nr.sequential.fromConfig(m.encoder.getConfig());
    expect(plain).not.toBeInstanceOf(nr.Autoencoder);
    // An autoencoder nested in a plain model comes back as one too.
    const outer = nr.sequential({ layers: [m.ae] });
    const back = nr.sequential.fromConfig(outer.getConfig());
    expect(back).not.toBeInstanceOf(nr.Autoencoder);
    expect(back.layers[0]).toBeInstanceOf(nr.Autoencoder);
    for (const d of [plain, outer, back]) d.dispose();
    m.dispose();
  });
});

describe('codecs.learned.fromAutoencoder: checks its options', () => {
  it('rejects data outside [0, 1], naming the values found, and shows an inverted range', () => {
    const encoder = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [16], units: 4, activation: 'sigmoid' })] });
    const decoder = nr.sequential({ seed: 2, layers: [layers.dense({ inputShape: [4], units: 16, activation: 'sigmoid' })] });
    const ae = nr.autoencoder({ encoder, decoder });
    using x = nr.tensor(rand(8 * 16, 11), [8, 16]);
    using big = x.mul(255);
    using neg = x.sub(0.5);
    using nan = nr.tensor([...rand(16, 1).slice(0, 15), NaN], [1, 16]);
    const from = (o: object) => () => nr.codecs.learned.fromAutoencoder(ae, { imageShape: [4, 4], ...o });
    expect(from({ data: big })).toThrow(/^codecs\.learned\.fromAutoencoder: data must hold pixel values in \[0, 1\], but its values run from [\d.]+ to 2\d\d\.\d+ \(pixels in 0\.\.255\? divide by 255\)$/);
    expect(from({ data: neg })).toThrow(/^codecs\.learned\.fromAutoencoder: data must hold pixel values in \[0, 1\], but its values run from -0\.4\d+ to 0\.4\d+$/);
    // The bounds print as the float32 values they are (shortest form), not as doubles.
    using exact = nr.tensor([0.1, 0.5, 254.99, 0.25], [1, 4]);
    const e4 = nr.autoencoder({ encoder: layers.dense({ inputShape: [4], units: 2 }), decoder: layers.dense({ inputShape: [2], units: 4 }) });
    expect(() => nr.codecs.learned.fromAutoencoder(e4, { imageShape: [2, 2], data: exact })).toThrow(/values run from 0\.1 to 254\.99 \(pixels in 0\.\.255\? divide by 255\)$/);
    e4.dispose();
    expect(from({ data: nan })).toThrow(/^codecs\.learned\.fromAutoencoder: data holds NaN at flat index 15; pixel values must be in \[0, 1\]$/);
    expect(from({ range: [1, 0] })).toThrow(/^codecs\.learned\.fromAutoencoder: range must be \[lo, hi\] with finite lo < hi, or 'data', got \[1,0\]$/);
    expect(from({ data: big })).toThrow(nr.InvalidArgumentError);
    const codec = nr.codecs.learned.fromAutoencoder(ae, { imageShape: [4, 4], data: x, range: 'data' });
    expect(codec.codeSize).toBe(4);
    codec.dispose();
    for (const m of [ae, encoder, decoder]) m.dispose();
  });
});

describe('autoencoder: who frees the parts', () => {
  const counts = () => {
    const m = nr.memory();
    return { numModels: m.numModels, modelBytes: m.modelBytes, numHandles: m.numHandles, numTensors: m.numTensors };
  };
  const train = async (ae: nr.Autoencoder) => {
    ae.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    using x = nr.tensor(rand(8 * 6, 4), [8, 6]);
    await ae.fit(x, { epochs: 1, batchSize: 4, verbose: 0 });
  };

  it("parts passed in (inline too) are the caller's: they work after ae.dispose() and go with their own dispose(); layer parts go with the autoencoder", async () => {
    const start = counts();
    const ae = nr.autoencoder({ encoder: nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [6], units: 2 })] }), decoder: nr.sequential({ seed: 2, layers: [layers.dense({ units: 6 })] }) });
    await train(ae);
    expect(counts().numModels).toBe(start.numModels + 3);
    ae.dispose();
    // Still the caller's: the encoder predicts, and the models and weights are not freed yet.
    const encoder = ae.encoder;
    expect(encoder.isDisposed).toBe(false);
    {
      using x = nr.ones([1, 6]);
      using z = encoder.predict(x) as nr.Tensor;
      expect(z.shape).toEqual([1, 2]);
    }
    expect(counts().numModels).toBe(start.numModels + 2);
    ae.encoder.dispose();
    ae.decoder.dispose();
    expect(counts()).toEqual(start);
    // Layers hold no state of their own: the autoencoder was the last model holding them.
    const byLayers = nr.autoencoder({ encoder: layers.dense({ inputShape: [6], units: 2 }), decoder: layers.dense({ units: 6 }) });
    await train(byLayers);
    expect(counts().modelBytes).toBeGreaterThan(start.modelBytes);
    byLayers.dispose();
    expect(counts()).toEqual(start);
  });

  it('ownsParts: true makes the parts passed in the autoencoder\'s: ae.dispose() frees them (once, also a part given twice or shared)', async () => {
    const start = counts();
    const ae = nr.autoencoder({ encoder: nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [6], units: 2 })] }), decoder: nr.sequential({ seed: 2, layers: [layers.dense({ units: 6 })] }), ownsParts: true });
    await train(ae);
    expect(counts().numModels).toBe(start.numModels + 3);
    expect(ae.dispose().numDisposedVariables).toBe(4);
    expect([ae.encoder.isDisposed, ae.decoder.isDisposed]).toEqual([true, true]);
    expect(counts()).toEqual(start);
    // An owned encoder that another live autoencoder shares keeps working there.
    const encoder = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [6], units: 2 })] });
    const a = nr.autoencoder({ encoder, decoder: layers.dense({ units: 6 }), ownsParts: true });
    const b = nr.autoencoder({ encoder, decoder: layers.dense({ units: 6 }) });
    await train(a);
    await train(b);
    a.dispose();
    expect(encoder.isDisposed).toBe(true);
    {
      using x = nr.ones([2, 6]);
      using r = b.reconstruct(x);
      expect(r.shape).toEqual([2, 6]);
    }
    b.dispose();
    expect(counts()).toEqual(start);
    // Layer parts are fine too; a non-boolean is an error.
    const byLayers = nr.autoencoder({ encoder: layers.dense({ inputShape: [6], units: 2 }), decoder: layers.dense({ units: 6 }), ownsParts: true });
    await train(byLayers);
    byLayers.dispose();
    expect(counts()).toEqual(start);
    expect(() => nr.autoencoder({ encoder: layers.dense({ units: 2 }), decoder: layers.dense({ units: 6 }), ownsParts: 1 as never })).toThrow(/^autoencoder: ownsParts must be a boolean, got 1$/);
    expect(() => nr.autoencoder({ encoder: layers.dense({ units: 2 }), decoder: layers.dense({ units: 6 }), ownParts: true } as never)).toThrow(/ownsParts/);
    expect(counts()).toEqual(start);
  });

  it('parts the library made (fromConfig, loadModel) are the autoencoder\'s: ae.dispose() frees them', async () => {
    const src = nr.autoencoder({ encoder: nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [6], units: 2 })] }), decoder: nr.sequential({ seed: 2, layers: [layers.dense({ units: 6 })] }), name: 'src' });
    await train(src);
    const artifacts = await src.toArtifacts();
    const config = src.getConfig();
    src.dispose();
    src.encoder.dispose();
    src.decoder.dispose();
    const start = counts();
    for (const make of [() => nr.autoencoder.fromConfig(config), async () => (await nr.loadModel(artifacts)) as nr.Autoencoder]) {
      const ae = await make();
      expect(ae).toBeInstanceOf(nr.Autoencoder);
      await train(ae);
      expect(counts().numModels).toBe(start.numModels + 3);
      ae.dispose();
      expect((ae.encoder as nr.Sequential).isDisposed && (ae.decoder as nr.Sequential).isDisposed).toBe(true);
      expect(counts()).toEqual(start);
    }
  });
});
