// Weight constraints: the projection against TF.js's constraint objects, training trajectories
// against a TF.js custom loop that applies TF.js's constraint after each optimizer step (TF.js's
// own fit never applies it: tensorflow/tfjs#3345), every update path (fit, trainOnBatch,
// fitDataset, minimize with the compiled optimizer and with another), shared layers, what does
// not apply it (initialization, setWeights, write), saving and loading both ways, and errors.
import { describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import * as nr from '../ts/index.js';
import { failTestsThatLeak, invalidMessage } from './setup.js';
import { rng, tf, tfArtifacts } from './oracle.js';

failTestsThatLeak();
const { layers, constraints } = nr;
const invalid = invalidMessage;

/** Values of `shape` from a seeded uniform [-2, 2), times `scale`. */
function values(shape: number[], seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() * 4 - 2) * scale);
}

/** `|got − want| <= rel·|want| + abs` element by element, with the first miss named. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]) + abs)) expect.fail(`${what}: [${i}] ${got[i]} vs TF.js ${want[i]}`);
  }
}

type Spec = { name: 'maxNorm' | 'minMaxNorm' | 'nonNeg' | 'unitNorm'; args?: Record<string, unknown> };
const nrOf = (s: Spec): nr.Constraint => (constraints[s.name] as (a?: unknown) => nr.Constraint)(s.args);
const tfOf = (s: Spec) => (tfl.constraints[s.name] as (a?: unknown) => { apply(w: tf.Tensor): tf.Tensor })(s.args ?? {});

describe('the projection matches TF.js constraint.apply', () => {
  const specs: Spec[] = [
    { name: 'maxNorm' }, { name: 'maxNorm', args: { maxValue: 0.7, axis: 1 } }, { name: 'maxNorm', args: { maxValue: 0 } },
    { name: 'minMaxNorm', args: { minValue: 1.5, maxValue: 2.5, rate: 0.6 } }, { name: 'minMaxNorm', args: { axis: -1 } },
    { name: 'nonNeg' }, { name: 'unitNorm' }, { name: 'unitNorm', args: { axis: 1 } },
  ];
  const cases: Array<{ shape: number[]; axes?: Array<number | number[]>; scale?: number; zeroCol?: boolean }> = [
    { shape: [3, 5] }, { shape: [1, 1] }, { shape: [3, 5], zeroCol: true }, { shape: [7] },
    { shape: [3, 3, 2, 4], axes: [[0, 1, 2], 3, [0, 3], -2] },
    { shape: [4, 6], scale: 1e15 }, { shape: [4, 6], scale: 1e-20 }, { shape: [2, 3], scale: 1e-4 },
  ];
  for (const c of cases) {
    it(`shape ${JSON.stringify(c.shape)}${c.scale ? ` × ${c.scale}` : ''}${c.zeroCol ? ', a zero column' : ''}`, () => {
      const v = values(c.shape, c.shape.length * 7 + 1, c.scale ?? 1);
      if (c.zeroCol) for (let i = 0; i < c.shape[0]; i++) v[i * c.shape[1] + 2] = 0;
      const all = c.axes ? [...specs.filter((s) => s.name === 'nonNeg'), ...c.axes.flatMap((axis) => [{ name: 'maxNorm', args: { maxValue: 1.1, axis } }, { name: 'unitNorm', args: { axis } }, { name: 'minMaxNorm', args: { minValue: 0.5, maxValue: 0.9, rate: 0.5, axis } }] as Spec[])] : specs.filter((s) => c.shape.length > 1 || !s.args?.axis);
      for (const s of all) {
        const want = tf.tidy(() => tfOf(s).apply(tf.tensor(v, c.shape)).dataSync().slice());
        const got = nr.tidy(() => nrOf(s).apply(nr.tensor(v, c.shape)).dataSync());
        // TF.js rounds five times in float32 (norm, clip, ε + n, quotient, product); neurite once from float64.
        expectClose(got, want, 6e-7, 1e-35, `${s.name} ${JSON.stringify(s.args ?? {})}`);
      }
    });
  }

  it('a norm beyond float32 (|w| ≈ 1e20): neurite scales it, TF.js overflows to zero', () => {
    // Columns [1e20, 3] and [-1e20, 4]: norms 1e20, scaled to 2.
    const w = [1e20, -1e20, 3, 4];
    const got = nr.tidy(() => constraints.maxNorm({ maxValue: 2 }).apply(nr.tensor(w, [2, 2])).dataSync());
    expectClose(got, [2, -2, 6e-20, 8e-20], 1e-6, 0, 'maxNorm');
    expect(Array.from(tf.tidy(() => tfl.constraints.maxNorm({ maxValue: 2 }).apply(tf.tensor(w, [2, 2])).dataSync()), Math.abs)).toEqual([0, 0, 0, 0]);
  });

  it('apply checks its tensor and axis', () => {
    using z = nr.zeros([3, 5]);
    expect(invalid(() => constraints.maxNorm({ axis: 2 }).apply(z))).toBe('maxNorm.apply: the constraint (maxNorm): axis 2 is out of range for weight `w` of shape [3, 5] (rank 2: axes -2 to 1)');
    expect(invalid(() => constraints.unitNorm().apply([1, 2] as never))).toMatch(/^unitNorm\.apply: w must be a Tensor, got/);
  });
});

/**
 * A TF.js custom loop: dense(3) on 4 inputs, MSE, `opt.minimize`, then TF.js's constraints on
 * the kernel (maxNorm 0.5 per unit) and the bias (nonNeg) after each step.
 */
function tfTrajectory(opt: 'sgd' | 'adam', w0: Float32Array, b0: Float32Array, batches: Array<[Float32Array, Float32Array]>): Float32Array[][] {
  const W = tf.variable(tf.tensor(w0, [4, 3]));
  const b = tf.variable(tf.tensor(b0, [3]));
  const o = opt === 'sgd' ? tf.train.sgd(0.3) : tf.train.adam(0.05);
  const kc = tfl.constraints.maxNorm({ maxValue: 0.5, axis: 0 });
  const out: Float32Array[][] = [];
  for (const [x, y] of batches) {
    o.minimize(() => tf.losses.meanSquaredError(tf.tensor(y, [y.length / 3, 3]), tf.add(tf.matMul(tf.tensor(x, [x.length / 4, 4]), W), b)) as tf.Scalar, false, [W, b]);
    tf.tidy(() => {
      W.assign(kc.apply(W));
      b.assign(tf.relu(b));
    });
    out.push([W.dataSync().slice() as Float32Array, b.dataSync().slice() as Float32Array]);
  }
  W.dispose();
  b.dispose();
  o.dispose();
  return out;
}

describe('training applies the constraint after every update, as a TF.js loop that applies it', () => {
  const w0 = values([4, 3], 3, 0.8);
  const b0 = Float32Array.from([0.05, -0.02, 0.01]);
  const batches: Array<[Float32Array, Float32Array]> = [0, 1, 2, 3, 4].map((k) => [values([5, 4], 10 + k), values([5, 3], 20 + k, 2)]);
  const make = (name?: string) => {
    const l = layers.dense({ units: 3, inputShape: [4], kernelConstraint: constraints.maxNorm({ maxValue: 0.5 }), biasConstraint: 'nonNeg', ...(name ? { name } : {}) });
    const m = nr.sequential({ layers: [l] });
    const ws = [nr.tensor(w0, [4, 3]), nr.tensor(b0, [3])];
    m.setWeights(ws);
    nr.dispose(ws);
    return { m, l };
  };
  const weightsOf = (m: nr.Sequential) => m.getWeights().map((t) => {
    const d = t.dataSync();
    t.dispose();
    return d;
  });
  const optimizer = (opt: 'sgd' | 'adam') => (opt === 'sgd' ? nr.optimizers.sgd(0.3) : nr.optimizers.adam(0.05));

  for (const opt of ['sgd', 'adam'] as const) {
    const want = tfTrajectory(opt, w0, b0, batches);
    // Adam divides by √v̂ + ε: float32 differences in the gradient grow to ~1e-6 relative.
    // (5 Adam steps of lr 0.05: up to 1.3e-6 apart here, 2.5e-5 of a step).
    const [rel, abs] = opt === 'sgd' ? [2e-6, 1e-7] : [1e-5, 5e-6];
    const check = (m: nr.Sequential, k: number, path: string) => {
      const [w, b] = weightsOf(m);
      expectClose(w, want[k][0], rel, abs, `${opt} ${path} step ${k + 1} kernel`);
      expectClose(b, want[k][1], rel, abs, `${opt} ${path} step ${k + 1} bias`);
    };

    it(`${opt}: fit (the fused step), one batch per call`, async () => {
      const { m } = make();
      m.compile({ optimizer: optimizer(opt), loss: 'meanSquaredError' });
      for (const [k, [x, y]] of batches.entries()) {
        const [xt, yt] = [nr.tensor(x, [5, 4]), nr.tensor(y, [5, 3])];
        await m.fit(xt, yt, { epochs: 1, batchSize: 5, shuffle: false, verbose: 0 });
        nr.dispose([xt, yt]);
        check(m, k, 'fit');
      }
      m.dispose();
    });

    it(`${opt}: trainOnBatch and fitDataset`, async () => {
      const { m } = make();
      m.compile({ optimizer: optimizer(opt), loss: 'meanSquaredError' });
      for (const [k, [x, y]] of batches.slice(0, 3).entries()) {
        const [xt, yt] = [nr.tensor(x, [5, 4]), nr.tensor(y, [5, 3])];
        m.trainOnBatch(xt, yt);
        nr.dispose([xt, yt]);
        check(m, k, 'trainOnBatch');
      }
      const rows = (v: Float32Array, n: number) => Array.from({ length: v.length / n }, (_, i) => Array.from(v.subarray(n * i, n * i + n)));
      const ds = nr.data.zip({ xs: nr.data.array(batches.slice(3).flatMap(([x]) => rows(x, 4))), ys: nr.data.array(batches.slice(3).flatMap(([, y]) => rows(y, 3))) }).batch(5);
      await m.fitDataset(ds, { epochs: 1, verbose: 0 });
      check(m, 4, 'fitDataset (two batches)');
      m.dispose();
    });

    it(`${opt}: optimizer.minimize on the weights, compiled and not compiled`, () => {
      for (const compiled of [true, false]) {
        const { m } = make();
        const o = optimizer(opt);
        if (compiled) m.compile({ optimizer: o, loss: 'meanSquaredError' });
        for (const [k, [x, y]] of batches.entries()) {
          const [xt, yt] = [nr.tensor(x, [5, 4]), nr.tensor(y, [5, 3])];
          o.minimize(() => nr.losses.meanSquaredError(yt, m.predict(xt) as nr.Tensor), false, m.trainableWeights);
          nr.dispose([xt, yt]);
          check(m, k, compiled ? 'minimize (compiled)' : 'minimize (another optimizer)');
        }
        m.dispose();
        o.dispose();
      }
    });
  }

  it('a layer shared by two models is constrained whichever model trains it', async () => {
    const { m: a, l } = make();
    const b = nr.sequential({ seed: 0, layers: [l, layers.dense({ units: 2 })] }); // a start sgd(1) trains from without diverging
    b.compile({ optimizer: nr.optimizers.sgd(1), loss: 'meanSquaredError' });
    const x = nr.tensor(values([8, 4], 5, 3), [8, 4]);
    const y = nr.tensor(values([8, 2], 6, 30), [8, 2]);
    await b.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    const [w, bias] = weightsOf(a);
    for (let j = 0; j < 3; j++) expect(Math.hypot(w[j], w[3 + j], w[6 + j], w[9 + j])).toBeLessThanOrEqual(0.5 + 1e-6);
    expect(Array.from(bias).every((v) => v >= 0)).toBe(true);
    expect(Array.from(w).some((v) => Math.abs(v) > 0.01)).toBe(true);
    nr.dispose([x, y]);
    a.dispose();
    b.dispose();
  });

  it('initialization, setWeights and write do not apply it (Keras); a frozen layer is not projected', () => {
    const l = layers.dense({ units: 2, inputShape: [3], kernelInitializer: nr.initializers.constant({ value: 5 }), kernelConstraint: constraints.unitNorm() });
    const m = nr.sequential({ layers: [l] });
    expect(Array.from(weightsOf(m)[0])).toEqual([5, 5, 5, 5, 5, 5]);
    const ws = [nr.tensor([[3, 0], [4, 0], [0, 0]]), nr.tensor([-1, -1])];
    m.setWeights(ws);
    nr.dispose(ws);
    expect(Array.from(weightsOf(m)[0])).toEqual([3, 0, 4, 0, 0, 0]);
    nr.tidy(() => m.weights[0].write(nr.tensor([[9, 0], [0, 0], [0, 0]])));
    expect(Array.from(weightsOf(m)[0])).toEqual([9, 0, 0, 0, 0, 0]);
    m.dispose();
  });
});

describe('saving and loading', () => {
  const tfModel = () => tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [3], units: 4, kernelConstraint: tfl.constraints.maxNorm({ maxValue: 1.5, axis: 0 }), biasConstraint: tfl.constraints.nonNeg() }),
    tfl.layers.dense({ units: 2, kernelConstraint: tfl.constraints.minMaxNorm({ minValue: 0.2, maxValue: 0.8, rate: 0.5, axis: 1 }), biasConstraint: tfl.constraints.unitNorm({ axis: 0 }) }),
  ] });

  it("neurite writes TF.js's JSON for each constraint, and loads TF.js's", async () => {
    const tm = tfModel();
    const a = await tfArtifacts(tm);
    const m = (await nr.loadModel(a as nr.ModelArtifacts)) as nr.Sequential;
    const cfg = (x: unknown) => (x as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers.map((l) => [l.config.kernel_constraint, l.config.bias_constraint]);
    expect(cfg(m.getConfig())).toEqual(cfg(a.modelTopology));
    expect(cfg(m.getConfig())[0][0]).toEqual({ class_name: 'MaxNorm', config: { max_value: 1.5, axis: 0 } });
    expect((m.layers[1] as unknown as { args: Record<string, unknown> }).args.kernelConstraint).toEqual(constraints.minMaxNorm({ minValue: 0.2, maxValue: 0.8, rate: 0.5, axis: 1 }));
    // TF.js reads neurite's file back with the same constraints.
    const back = await tfl.loadLayersModel(tf.io.fromMemory(await m.toArtifacts() as tf.io.ModelArtifacts));
    expect(cfg(back.toJSON(null, false))).toEqual(cfg(a.modelTopology));
    // And the loaded model trains constrained (a huge step: the projection is active).
    m.compile({ optimizer: nr.optimizers.sgd(10), loss: 'meanSquaredError' });
    const [x, y] = [nr.tensor(values([6, 3], 1), [6, 3]), nr.tensor(values([6, 2], 2, 50), [6, 2])];
    m.trainOnBatch(x, y);
    const w = m.getWeights();
    const k = w[0].dataSync();
    for (let j = 0; j < 4; j++) expect(Math.hypot(k[j], k[4 + j], k[8 + j])).toBeLessThanOrEqual(1.5 + 1e-5);
    expect(Array.from(w[1].dataSync()).every((v) => v >= 0)).toBe(true);
    expect(Math.hypot(...(w[3].dataSync() as Float32Array))).toBeCloseTo(1, 5);
    nr.dispose([x, y, ...w]);
    m.dispose();
    tm.dispose();
    back.dispose();
  });

  it("round-trips in neurite's own format, conv and separable weights included", async () => {
    const m = nr.sequential({ layers: [
      layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, kernelConstraint: constraints.maxNorm({ maxValue: 1, axis: [0, 1, 2] }), biasConstraint: 'nonNeg' }),
      layers.separableConv2d({ filters: 2, kernelSize: 2, depthwiseConstraint: constraints.unitNorm({ axis: [0, 1] }), pointwiseConstraint: 'nonNeg' }),
      layers.batchNormalization({ gammaConstraint: constraints.nonNeg(), betaConstraint: constraints.maxNorm({ maxValue: 3 }) }),
      layers.flatten(), layers.prelu({ alphaConstraint: constraints.minMaxNorm({ maxValue: 0.25 }) }),
    ] });
    const m2 = (await nr.loadModel(await m.toArtifacts())) as nr.Sequential;
    expect(m2.getConfig()).toEqual(m.getConfig());
    const conv = (m2.getConfig() as unknown as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config;
    expect(conv.kernel_constraint).toEqual({ class_name: 'MaxNorm', config: { max_value: 1, axis: [0, 1, 2] } });
    m.dispose();
    m2.dispose();
  });

  it('a bad constraint in a file is refused naming the field; a bias constraint without a bias is dropped (TF.js ignores it)', async () => {
    const tm = tfModel();
    const a = await tfArtifacts(tm);
    const edit = async (f: (c: Record<string, unknown>) => void) => {
      const t = structuredClone(a.modelTopology) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
      f(t.config.layers[0].config);
      return (await nr.loadModel({ ...(a as nr.ModelArtifacts), modelTopology: t })) as nr.Sequential;
    };
    const at = 'loadModel: modelTopology.config.layers[0].config.kernel_constraint';
    await expect(edit((c) => (c.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2, axis: 0, maxValue: 1 } }))).rejects.toThrow(`${at}.config.maxValue is not an option of MaxNorm (its options: max_value, axis)`);
    await expect(edit((c) => (c.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: -1 } }))).rejects.toThrow(`${at}.config: maxValue must be a finite number >= 0, got -1`);
    await expect(edit((c) => (c.kernel_constraint = { class_name: 'MinMaxNorm', config: { rate: 2 } }))).rejects.toThrow(`${at}.config: rate must be in [0, 1], got 2`);
    await expect(edit((c) => (c.kernel_constraint = { class_name: 'RadialConstraint', config: {} }))).rejects.toThrow(`${at}.class_name 'RadialConstraint' is a constraint neurite does not support; supported: MaxNorm, MinMaxNorm, NonNeg, UnitNorm`);
    await expect(edit((c) => (c.kernel_constraint = { class_name: 'UnitNorm', config: { axis: 2 } }))).rejects.toThrow('dense dense_');
    tm.dispose();
    // TF.js writes a bias constraint of a layer without a bias (and ignores it): loaded without it.
    // Keras's snake_case names and a bare name (the defaults) load too.
    const nb = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, useBias: false, biasConstraint: 'nonNeg', kernelConstraint: 'unitNorm' })] });
    const na = await tfArtifacts(nb);
    const cfg0 = (na.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config;
    expect(cfg0.bias_constraint).toEqual({ class_name: 'NonNeg', config: {} });
    cfg0.kernel_constraint = 'max_norm';
    const m = (await nr.loadModel(na as nr.ModelArtifacts)) as nr.Sequential;
    expect((m.layers[0] as unknown as { args: Record<string, unknown> }).args.kernelConstraint).toEqual(constraints.maxNorm());
    expect((m.layers[0] as unknown as { args: Record<string, unknown> }).args.biasConstraint).toBeUndefined();
    m.dispose();
    nb.dispose();
  });
});

describe("PReLU's alpha: TF.js's layout, [1, channels] with sharedAxes [1]", () => {
  it('an axis list with the last axis takes the norm over the channels, one without it each value alone', async () => {
    for (const axis of [-1, 0, [0, 1]]) {
      const m = nr.sequential({ layers: [layers.prelu({ inputShape: [4, 3], sharedAxes: [1], alphaInitializer: nr.initializers.constant({ value: 0.3 }), alphaConstraint: constraints.unitNorm({ axis }) })] });
      m.compile({ optimizer: nr.optimizers.sgd(0), loss: 'meanSquaredError' });
      const [was] = m.getWeights();
      const a0 = nr.tensor([0.5, -2, 0.25], was.shape);
      m.setWeights([a0]);
      was.dispose();
      const [x, y] = [nr.ones([2, 4, 3]), nr.ones([2, 4, 3])];
      m.trainOnBatch(x, y);
      const [a] = m.getWeights();
      const want = tf.tidy(() => tfl.constraints.unitNorm({ axis: axis as number }).apply(tf.tensor([0.5, -2, 0.25], [1, 3])).dataSync());
      expectClose(a.dataSync(), want, 6e-7, 0, `axis ${JSON.stringify(axis)}`);
      nr.dispose([a0, x, y, a]);
      m.dispose();
    }
  });
});

describe('errors', () => {
  it('factories check their options', () => {
    expect(invalid(() => constraints.maxNorm({ maxValue: -1 }))).toBe('constraints.maxNorm: maxValue must be a finite number >= 0, got -1');
    expect(invalid(() => constraints.maxNorm({ maxValue: NaN }))).toBe('constraints.maxNorm: maxValue must be a finite number >= 0, got NaN');
    expect(invalid(() => constraints.minMaxNorm({ rate: 1.5 }))).toBe('constraints.minMaxNorm: rate must be in [0, 1], got 1.5');
    expect(invalid(() => constraints.minMaxNorm({ minValue: 2 }))).toBe('constraints.minMaxNorm: minValue (2) must not exceed maxValue (1)');
    expect(invalid(() => constraints.unitNorm({ axis: 0.5 }))).toBe('constraints.unitNorm: axis must be an integer or a non-empty list of distinct integers (the axes the norms are taken over), got 0.5');
    expect(invalid(() => constraints.unitNorm({ axis: [0, 0] }))).toMatch(/got \[0,0\]$/);
    expect(invalid(() => constraints.maxNorm({ maxvalue: 1 } as never))).toMatch(/^constraints\.maxNorm: unknown option 'maxvalue' — did you mean 'maxValue'\?/);
  });

  it('layers check the axis against the weight, the weight exists, and the names', () => {
    expect(invalid(() => layers.dense({ units: 5, name: 'd', kernelConstraint: constraints.maxNorm({ axis: 2 }) }))).toBe('dense d: kernelConstraint (maxNorm): axis 2 is out of range for the kernel weight, of rank 2 ([inputSize, units]): axes -2 to 1');
    expect(invalid(() => layers.conv2d({ filters: 2, kernelSize: 3, name: 'c', biasConstraint: constraints.unitNorm({ axis: 1 }) }))).toBe('conv2d c: biasConstraint (unitNorm): axis 1 is out of range for the bias weight, of rank 1 (one value per unit or channel): axes -1 to 0');
    expect(invalid(() => layers.dense({ units: 2, name: 'n', useBias: false, biasConstraint: 'nonNeg' }))).toBe('dense n: biasConstraint is set but useBias is false, so the layer has no bias weight to constrain (TF.js ignores it); remove one of the two');
    expect(invalid(() => layers.batchNormalization({ name: 'bn', scale: false, gammaConstraint: 'nonNeg' }))).toMatch(/^batchNormalization bn: gammaConstraint is set but scale is false/);
    expect(invalid(() => layers.dense({ units: 2, kernelConstraint: 'maxnorm2' as never }))).toMatch(/^dense dense_\d+: kernelConstraint must be one of 'maxNorm', 'minMaxNorm', 'nonNeg', 'unitNorm' or a constraints\.\* object, got "maxnorm2" — did you mean 'maxNorm'\?$/);
    expect(invalid(() => layers.dense({ units: 2, kernelConstraint: { maxValue: 2 } as never }))).toMatch(/kernelConstraint must be a constraint \(constraints\.maxNorm\(\), …\)/);
    // PReLU's alpha has the shape of a sample, 1s on the shared axes: checked when the model is built.
    const m = nr.sequential({ layers: [layers.prelu({ inputShape: [4, 3], sharedAxes: [1], alphaConstraint: constraints.unitNorm({ axis: 2 }) })] });
    expect(invalid(() => m.build())).toBe('prelu: alphaConstraint (unitNorm): axis 2 is out of range for weight `alpha` of shape [1, 3] (rank 2: axes -2 to 1)');
    m.dispose();
    // String names as TF.js's identifiers, and its class names.
    for (const s of ['maxNorm', 'MaxNorm', 'max_norm', 'unitNorm', 'NonNeg', 'min_max_norm']) layers.dense({ units: 2, kernelConstraint: s as never });
  });
});
