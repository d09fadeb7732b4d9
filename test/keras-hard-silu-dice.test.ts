// Keras 3's hard_silu activation and Dice loss against Keras 3 itself (TF.js has neither):
// test/fixtures/keras3-hard-silu-dice.json, written by bench/keras/hard_silu_dice.py (Keras 3 on
// JAX), holds hard_silu's values and gradients, a to_json() model with activation 'hard_silu',
// Dice's values and gradients (pred and target) on several cases, and one train_on_batch with
// loss 'dice'. Plus central differences, the kinks, and the errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectClose, failTestsThatLeak, invalidMessage } from './setup.js';
import { centralDiff } from './oracle.js';
import * as nr from '../ts/index.js';

interface Arr { shape: number[]; data: number[] }
interface DiceCase { name: string; shape: number[]; yTrue: number[]; yPred: number[]; loss: number; dPred: number[]; dTrue: number[] }
const F: {
  versions: { keras: string; backend: string };
  hardSilu: { x: number[]; y: number[]; dx: number[] };
  model: { topology: Record<string, unknown>; weights: Arr[]; input: Arr; output: Arr };
  dice: DiceCase[];
  fit: { x: Arr; y: Arr; learningRate: number; weightsBefore: Arr[]; loss: number; weightsAfter: Arr[] };
} = JSON.parse(readFileSync(new URL('./fixtures/keras3-hard-silu-dice.json', import.meta.url), 'utf8'));

failTestsThatLeak();

const data = (t: nr.Tensor): Float32Array => t.dataSync() as Float32Array;

describe('hardSilu against Keras 3', () => {
  it('the fixture is Keras 3 on JAX', () => {
    expect(F.versions.keras.startsWith('3.')).toBe(true);
    expect(F.versions.backend).toBe('jax');
  });

  it("values are Keras's float32 bits (-0 below -3 included), gradients Keras's within 1 ulp, kinks included", () => {
    nr.tidy(() => {
      const x = nr.tensor(F.hardSilu.x);
      const y = data(nr.hardSilu(x));
      // Bit for bit (the sign of zero included).
      expect(Array.from(y, (v) => Object.is(v, -0) ? '-0' : v)).toEqual(F.hardSilu.y.map((v) => Object.is(v, -0) ? '-0' : Math.fround(v)));
      const dx = data(nr.grad((t: nr.Tensor) => nr.sum(nr.hardSilu(t)))(x));
      expectClose(dx, F.hardSilu.dx, 2e-7, 0);
      // The kinks: 0 at -3, 1 at 3, and 1 just below 3 where x + 3 rounds to 6 (Keras's bits).
      const at = (v: number) => F.hardSilu.dx[F.hardSilu.x.indexOf(v)];
      expect([at(-3), at(3), at(2.9999998)]).toEqual([0, 1, 1]);
      expect(Array.from(data(nr.grad((t: nr.Tensor) => nr.sum(nr.hardSilu(t)))(nr.tensor([-3, 3, 2.9999998]))))).toEqual([0, 1, 1]);
    });
  });

  it('gradients match central differences away from the kinks, for any dy', () => {
    nr.tidy(() => {
      const xs = new Float32Array(Array.from({ length: 41 }, (_, i) => -5.05 + i * 0.25));
      const dy = new Float32Array(xs.map((_, i) => Math.sin(i) + 0.5));
      const g = data(nr.grad((t: nr.Tensor) => nr.sum(nr.mul(nr.hardSilu(t), nr.tensor(dy))))(nr.tensor(xs)));
      const fd = centralDiff((v) => nr.tidy(() => data(nr.hardSilu(nr.tensor(v)))).reduce((s, y, i) => s + y * dy[i], 0), xs, 1e-2);
      expectClose(g, fd, 1e-3, 1e-3);
      // And Keras's formula for the derivative, (2x + 3)/6 inside, 0 below, 1 above.
      xs.forEach((x, i) => expect(g[i]).toBeCloseTo(dy[i] * (x <= -3 ? 0 : x >= 3 ? 1 : (2 * x + 3) / 6), 5));
    });
  });

  it("is a layer activation by name ('hardSilu', Keras's 'hardSwish'), NaN stays NaN, ±∞ give their limits", () => {
    nr.tidy(() => {
      const y = data(nr.activation(nr.tensor([Number.NaN, -Infinity, Infinity, 1]), 'hardSwish'));
      expect(Number.isNaN(y[0])).toBe(true);
      expect(Array.from(y.slice(1))).toEqual([-0, Infinity, Math.fround(4 / 6)]);
      expect(Array.from(data(nr.activation(nr.tensor([-1]), { name: 'hardSilu' })))).toEqual([-Math.fround(2 / 6)]);
    });
  });

  it("a Keras 3 model with activation 'hard_silu' (to_json) loads and predicts as Keras, and saves 'hard_silu' back", async () => {
    const m = await nr.models.modelFromJSON(structuredClone(F.model.topology));
    try {
      const ws = F.model.weights.map((w) => nr.tensor(w.data, w.shape));
      m.setWeights(ws);
      ws.forEach((t) => t.dispose());
      nr.tidy(() => expectClose(data(m.predict(nr.tensor(F.model.input.data, F.model.input.shape)) as nr.Tensor), F.model.output.data, 1e-6, 1e-6));
      const saved = JSON.stringify((await m.toArtifacts()).modelTopology);
      expect(saved.match(/"activation":"[a-z_]+"/g)).toEqual(['"activation":"hard_silu"', '"activation":"hard_silu"']);
      const back = await nr.loadModel(await m.toArtifacts());
      nr.tidy(() => expectClose(data(back.predict(nr.tensor(F.model.input.data, F.model.input.shape)) as nr.Tensor), F.model.output.data, 1e-6, 1e-6));
      back.dispose();
    } finally {
      m.dispose();
    }
    // Keras's alias in a file.
    const alias = JSON.parse(JSON.stringify(F.model.topology).replaceAll('"hard_silu"', '"hard_swish"'));
    const a = await nr.models.modelFromJSON(alias);
    try {
      const ws = F.model.weights.map((w) => nr.tensor(w.data, w.shape));
      a.setWeights(ws);
      ws.forEach((t) => t.dispose());
      nr.tidy(() => expectClose(data(a.predict(nr.tensor(F.model.input.data, F.model.input.shape)) as nr.Tensor), F.model.output.data, 1e-6, 1e-6));
      // A loaded layer keeps the file's spelling (Keras's alias), as it keeps 'silu'.
      expect(JSON.stringify((await a.toArtifacts()).modelTopology).match(/"activation":"[a-z_]+"/g)).toEqual(['"activation":"hard_swish"', '"activation":"hard_swish"']);
    } finally {
      a.dispose();
    }
  });
});

describe('dice against Keras 3 (keras.losses.Dice, axis=None)', () => {
  for (const c of F.dice) {
    it(`${c.name}: loss, d/dyPred (lossGradient and grad) and d/dyTrue`, () => {
      nr.tidy(() => {
        const t = nr.tensor(c.yTrue, c.shape);
        const p = nr.tensor(c.yPred, c.shape);
        const loss = nr.losses.dice(t, p);
        expect(loss.shape).toEqual([]);
        expectClose(data(loss), [c.loss], 2e-6, 1e-7);
        expectClose(data(nr.losses.lossGradient('dice', t, p)), c.dPred, 1e-5, 1e-7);
        expectClose(data(nr.grad((q: nr.Tensor) => nr.losses.dice(t, q))(p)), c.dPred, 1e-5, 1e-7);
        expectClose(data(nr.grad((s: nr.Tensor) => nr.losses.dice(s, p))(t)), c.dTrue, 1e-5, 1e-7);
      });
    });
  }

  it('matches central differences in both arguments, and one overlap over the batch (not a mean of rows)', () => {
    nr.tidy(() => {
      const t = new Float32Array([1, 0, 1, 1, 0, 0.5]);
      const half = (a: Float32Array, i: number) => a.slice(3 * i, 3 * i + 3);
      const p = new Float32Array([0.8, 0.3, 0.4, 0.9, 0.2, 0.6]);
      const f = (a: Float32Array, b: Float32Array) => nr.tidy(() => data(nr.losses.dice(nr.tensor(a, [2, 3]), nr.tensor(b, [2, 3])))[0]);
      expectClose(data(nr.losses.lossGradient('dice', nr.tensor(t, [2, 3]), nr.tensor(p, [2, 3]))), centralDiff((v) => f(t, v), p, 1e-3), 1e-3, 1e-4);
      expectClose(data(nr.grad((s: nr.Tensor) => nr.losses.dice(s, nr.tensor(p, [2, 3])))(nr.tensor(t, [2, 3]))), centralDiff((v) => f(v, p), t, 1e-3), 1e-3, 1e-4);
      // By hand: I = 0.8 + 0.4 + 0.9 + 0.3 = 2.4, D = 3.5 + 3.2 = 6.7: 1 − 4.8/6.7.
      expect(f(t, p)).toBeCloseTo(1 - 4.8 / 6.7, 6);
      const g = (a: Float32Array, b: Float32Array) => nr.tidy(() => data(nr.losses.dice(nr.tensor(a, [1, 3]), nr.tensor(b, [1, 3])))[0]);
      const rows = [g(half(t, 0), half(p, 0)), g(half(t, 1), half(p, 1))];
      expect(Math.abs(f(t, p) - (rows[0] + rows[1]) / 2)).toBeGreaterThan(1e-3);
    });
  });

  it("compile({ loss: 'dice' }): one trainOnBatch gives Keras's loss and weights after SGD", async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 3, activation: 'sigmoid' })] });
    try {
      const ws = F.fit.weightsBefore.map((w) => nr.tensor(w.data, w.shape));
      m.setWeights(ws);
      ws.forEach((w) => w.dispose());
      m.compile({ optimizer: nr.optimizers.sgd({ learningRate: F.fit.learningRate }), loss: 'dice' });
      const x = nr.tensor(F.fit.x.data, F.fit.x.shape);
      const y = nr.tensor(F.fit.y.data, F.fit.y.shape);
      const loss = await m.trainOnBatch(x, y);
      expect(typeof loss).toBe('number');
      expectClose([Array.isArray(loss) ? loss[0] : loss], [F.fit.loss], 1e-6, 1e-7);
      m.getWeights().forEach((w, i) => {
        expectClose(data(w), F.fit.weightsAfter[i].data, 1e-5, 1e-6);
        w.dispose();
      });
      // Saved under Keras's name in neurite's record; no TF.js trainingConfig (TF.js has no dice).
      const a = await m.toArtifacts();
      expect(a.trainingConfig).toBeUndefined();
      const back = await nr.loadLayersModel(a);
      nr.tidy(() => {
        expect(back.evaluate(x, y) instanceof nr.Tensor).toBe(true);
      });
      back.dispose();
      nr.dispose([x, y]);
    } finally {
      m.dispose();
    }
  });

  it("a Keras trainingConfig with loss 'dice' compiles", async () => {
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const a = await m.toArtifacts();
    m.dispose();
    a.trainingConfig = { ...a.trainingConfig!, loss: 'dice' };
    delete (a as { userDefinedMetadata?: unknown }).userDefinedMetadata;
    const back = await nr.loadLayersModel(a);
    nr.tidy(() => {
      const e = back.evaluate(nr.tensor([[1, 0], [0, 1]]), nr.tensor([[1], [0]])) as nr.Tensor;
      expect(Number.isFinite(data(e)[0])).toBe(true);
    });
    back.dispose();
  });

  it('errors: other reductions, sample weights, shapes, NaN targets', async () => {
    nr.tidy(() => {
      const t = nr.tensor([[1, 0]]);
      const p = nr.tensor([[0.5, 0.5]]);
      expect(invalidMessage(() => nr.losses.dice(t, p, { reduction: 'none' } as never))).toBe("dice: dice is one value over the whole batch (Keras's Dice with axis=None), so it has only the reduction 'mean', got 'none'");
      expect(invalidMessage(() => nr.losses.dice(t, p, { reduction: 'sumOverFeatures' } as never))).toContain("only the reduction 'mean', got 'sumOverFeatures'");
      expect(invalidMessage(() => nr.losses.dice(t, p, { delta: 1 } as never))).toContain('delta');
      expect(() => nr.losses.dice(nr.tensor([[1, 0, 1]]), p)).toThrow(/dice/);
      expect(() => nr.losses.dice(nr.tensor([[Number.NaN, 0]]), p)).toThrow(/target\[0\]/);
    });
    const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2, activation: 'sigmoid' })] });
    try {
      expect(invalidMessage(() => m.compile({ optimizer: 'sgd', loss: { name: 'dice', reduction: 'sumOverFeatures' } }))).toContain("only the reduction 'mean'");
      m.compile({ optimizer: 'sgd', loss: 'dice' });
      const x = nr.tensor([[1, 0], [0, 1]]);
      const y = nr.tensor([[1, 0], [0, 1]]);
      const w = nr.tensor([1, 2]);
      try {
        await expect(m.fit(x, y, { epochs: 1, sampleWeight: w, verbose: 0 })).rejects.toThrow('takes no sample or class weights');
      } finally {
        nr.dispose([x, y, w]);
      }
    } finally {
      m.dispose();
    }
  });
});
