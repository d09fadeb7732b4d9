/**
 * The custom-loop steps give the same bits as the build before the per-call work (session
 * 36): `test/fixtures/optimizer-step-bits.json` was written by that build
 * (`NEURITE_RECORD_BITS=1 npx vitest run test/optimizer-step-bits.test.ts`), before any of the
 * changes to how `minimize`, `variableGrads` and `applyGradients` reach the weights (the shared
 * layer's tanh case re-recorded in session 48, when tanh became the simd128 kernel: every other
 * case kept its bits). Every
 * optimizer and option that changes the update (momentum, Nesterov, AMSGrad, centering, decay,
 * the three clipping modes, a schedule) steps
 * - a model's weights with an optimizer not compiled into it (`minimize`, a weight constraint on
 *   the first layer),
 * - plain variables (`minimize`),
 * - a compiled model's weights and a variable in one `applyGradients` (the trainer's path and
 *   the optimizer's own),
 * - an uncompiled model's weights and a variable in one `applyGradients`;
 * and a few paths once: `variableGrads`' gradients, an RBF layer's widths (a weight with a
 * domain), a frozen layer in the list, a layer shared by two models. Values are compared as
 * float32 bit patterns, and each scenario must leave no tensor behind.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import './setup.js';
import * as nr from '../ts/index.js';
import { OPTIMIZER_SETTINGS } from './optimizer-cases.js';
import { normals } from './rng.js';

const FIXTURE = new URL('./fixtures/optimizer-step-bits.json', import.meta.url);
const RECORD = process.env.NEURITE_RECORD_BITS === '1';
const STEPS = 3;

/** Float32 values as base64 of their bytes: equal strings are equal bits (NaN payloads and −0 included). */
const enc = (v: ArrayLike<number>): string => Buffer.from(Float32Array.from(v).buffer).toString('base64');
type Record_ = Record<string, string[]>;

const OPTIMIZERS: Array<readonly [string, () => nr.Optimizer]> = [
  ...OPTIMIZER_SETTINGS,
  ['sgd clipNorm', () => nr.optimizers.sgd({ learningRate: 0.05, clipNorm: 0.1 })],
  ['adam clipValue', () => nr.optimizers.adam({ learningRate: 0.01, clipValue: 0.01 })],
  ['adam globalClipNorm', () => nr.optimizers.adam({ learningRate: 0.01, globalClipNorm: 0.1 })],
  ['sgd schedule', () => nr.optimizers.sgd({ learningRate: nr.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) })],
];

const N = 9; // an odd batch
const IN = 5;
const OUT = 3;
const data = (seed: number) => {
  const r = normals(seed);
  return { x: nr.tensor(r(N * IN), [N, IN]), y: nr.tensor(r(N * OUT), [N, OUT]) };
};
const mlp = (seed: number, constrained = true) =>
  nr.sequential({
    seed,
    layers: [
      nr.layers.dense({ units: 7, activation: 'relu', inputShape: [IN], ...(constrained ? { kernelConstraint: nr.constraints.maxNorm({ maxValue: 0.5 }) } : {}) }),
      nr.layers.dense({ units: OUT }),
    ],
  });
/** A variable from values (the initial tensor is freed: a variable outlives tidy). */
const vbl = (v: Float32Array, shape: number[], name: string): nr.Variable => nr.tidy(() => nr.variable(nr.tensor(v, shape), true, name));
const weightsOf = (m: nr.Sequential): string[] => m.getWeights().map((w) => {
  const s = enc(w.data());
  w.dispose();
  return s;
});

/** Runs `f` and checks that it leaves no tensor behind. */
function clean(f: () => Record_): Record_ {
  const before = nr.memory().numTensors;
  const r = f();
  expect(nr.memory().numTensors).toBe(before);
  return r;
}

const SCENARIOS: Record<string, (make: () => nr.Optimizer) => Record_> = {
  'minimize on an uncompiled model': (make) => {
    const { x, y } = data(1);
    const m = mlp(2);
    const opt = make();
    const costs: number[] = [];
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      const c = opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x) as nr.Tensor), true, m.trainableWeights) as nr.Tensor;
      costs.push(c.item());
      c.dispose();
      ws.push(...weightsOf(m));
    }
    nr.dispose([x, y, m, opt]);
    return { costs: [enc(costs)], weights: ws };
  },
  'minimize on variables': (make) => {
    const { x, y } = data(3);
    const r = normals(4);
    const w = vbl(r(IN * OUT, 0.5), [IN, OUT], 'bits_w');
    const b = vbl(r(OUT, 0.1), [OUT], 'bits_b');
    const opt = make();
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      opt.minimize(() => nr.losses.meanSquaredError(y, x.matMul(w).add(b)), false, [w, b]);
      ws.push(enc(w.data()), enc(b.data()));
    }
    nr.dispose([x, y, w, b, opt]);
    return { weights: ws };
  },
  'applyGradients: a compiled model and a variable': (make) => {
    const { x, y } = data(5);
    const m = mlp(6);
    const opt = make();
    m.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const v = vbl(normals(7)(OUT, 0.3), [OUT], 'bits_v');
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      const { value, grads } = nr.variableGrads(() => nr.losses.meanSquaredError(y, (m.predict(x) as nr.Tensor).add(v)), [...m.trainableWeights, v]);
      opt.applyGradients(grads);
      ws.push(enc([value.item()]), ...weightsOf(m), enc(v.data()));
      nr.dispose([value, ...Object.values(grads)]);
    }
    nr.dispose([x, y, m, v, opt]);
    return { weights: ws };
  },
  'applyGradients: an uncompiled model and a variable': (make) => {
    const { x, y } = data(8);
    const m = mlp(9);
    const opt = make();
    const v = vbl(normals(10)(OUT, 0.3), [OUT], 'bits_v');
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      const { value, grads } = nr.variableGrads(() => nr.losses.meanSquaredError(y, (m.predict(x) as nr.Tensor).add(v)), [...m.trainableWeights, v]);
      // Pairs in another order than the model's weights.
      opt.applyGradients(Object.entries(grads).reverse().map(([name, grad]) => ({ name, tensor: grad })));
      ws.push(enc([value.item()]), ...weightsOf(m), enc(v.data()));
      nr.dispose([value, ...Object.values(grads)]);
    }
    nr.dispose([x, y, m, v, opt]);
    return { weights: ws };
  },
};

const ONCE: Record<string, () => Record_> = {
  'variableGrads through predict and a variable': () => {
    const { x, y } = data(11);
    const m = mlp(12, false);
    const v = vbl(normals(13)(OUT, 0.3), [OUT], 'bits_v');
    const { value, grads } = nr.variableGrads(() => nr.losses.meanSquaredError(y, (m.predict(x) as nr.Tensor).add(v)), [...m.trainableWeights, v]);
    const out = { value: [enc([value.item()])], ...Object.fromEntries(Object.entries(grads).map(([k, g]) => [k.replace(/^[^/]*\//, ''), [enc(g.data())]])) };
    nr.dispose([value, ...Object.values(grads), x, y, m, v]);
    return out;
  },
  'minimize: an RBF layer (widths must stay > 0) and a dense layer, adam': () => {
    const { x, y } = data(14);
    const m = nr.sequential({ seed: 15, layers: [nr.layers.rbf({ units: 4, inputShape: [IN], widths: 2 }), nr.layers.dense({ units: OUT })] });
    const opt = nr.optimizers.adam(0.05);
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x) as nr.Tensor));
      ws.push(...weightsOf(m));
    }
    nr.dispose([x, y, m, opt]);
    return { weights: ws };
  },
  'minimize: a frozen layer in varList, momentum': () => {
    const { x, y } = data(16);
    const m = mlp(17);
    m.layers[0].trainable = false;
    const opt = nr.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 });
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      opt.minimize(() => nr.losses.meanSquaredError(y, m.predict(x) as nr.Tensor), false, m.weights);
      ws.push(...weightsOf(m));
    }
    nr.dispose([x, y, m, opt]);
    return { weights: ws };
  },
  'minimize: a layer shared by two models, adam (default list: every live model)': () => {
    const { x, y } = data(18);
    const shared = nr.layers.dense({ units: 6, activation: 'tanh', inputShape: [IN], name: 'bits_shared' });
    const a = nr.sequential({ seed: 19, layers: [shared, nr.layers.dense({ units: OUT, name: 'bits_a_out' })] });
    const b = nr.sequential({ seed: 20, layers: [shared, nr.layers.dense({ units: OUT, name: 'bits_b_out' })] });
    const opt = nr.optimizers.adam(0.02);
    const ws: string[] = [];
    for (let s = 0; s < STEPS; s++) {
      opt.minimize(() => nr.losses.meanSquaredError(y, (a.predict(x) as nr.Tensor).add(b.predict(x) as nr.Tensor)));
      ws.push(...weightsOf(a), ...weightsOf(b));
    }
    nr.dispose([x, y, a, b, opt]);
    return { weights: ws };
  },
};

const cases: Array<[string, () => Record_]> = [
  ...Object.entries(SCENARIOS).flatMap(([s, run]) => OPTIMIZERS.map(([o, make]): [string, () => Record_] => [`${s}, ${o}`, () => run(make)])),
  ...Object.entries(ONCE),
];

describe('custom-loop steps give the bits of the build before the per-call work', () => {
  if (RECORD) {
    const out: Record<string, Record_> = {};
    for (const [name, run] of cases) it(`records ${name}`, () => void (out[name] = clean(run)));
    it('writes the fixture', () => {
      expect(Object.keys(out).length).toBe(cases.length);
      writeFileSync(FIXTURE, `${JSON.stringify(out)}\n`);
    });
    return;
  }
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Record_>;
  it('has every case (a renamed case is not silently skipped)', () => {
    expect(Object.keys(fixture).sort()).toEqual(cases.map(([n]) => n).sort());
  });
  for (const [name, run] of cases) {
    it(name, () => {
      expect(clean(run)).toEqual(fixture[name]);
    });
  }
});
