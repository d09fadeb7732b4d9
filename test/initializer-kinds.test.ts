// The orthogonal, varianceScaling and identity initializers. References: TF.js 4.22 live
// (tf.initializers.*: its orthogonality, its variance formulas, its errors and its saved
// configs), Keras 3 through test/fixtures/keras3-initializers.json (bench/keras/initializers.py:
// a to_json() model using them, and the statistics of large draws), and the closed forms:
// orthogonal's WᵀW = gain²·I; varianceScaling's variance scale / fan, within 3 sigma.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops'; // TF.js's orthogonal uses tensor methods
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './oracle.js';
import { expectNoLeak } from './setup.js';
import * as nr from '../ts/index.js';

const { layers, initializers } = nr;

interface Draw { shape: number[]; mean: number; variance: number; max_abs: number; gram?: number[] }
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/keras3-initializers.json', import.meta.url), 'utf8')) as {
  model: unknown; kernels: Record<string, number[]>; draws: Record<string, Draw>; identity_config: Record<string, unknown>;
};

/** The kernel a one-layer model draws for `layer` on per-sample input `input` (model seed `seed`). */
function kernel(layer: nr.Layer, input: number[], seed = 1): { shape: readonly number[]; values: Float32Array; bits: string } {
  const m = nr.sequential({ seed, layers: [layers.inputLayer({ inputShape: input }), layer] });
  try {
    return nr.tidy(() => {
      const w = m.getWeights()[0];
      const values = w.dataSync().slice();
      return { shape: w.shape, values, bits: Array.from(new Uint32Array(values.buffer), (u) => u.toString(16)).join(',') };
    });
  } finally {
    m.dispose();
  }
}

/** Max |WᵀW − g²I| over the columns (tall) or |WWᵀ − g²I| over the rows (wide) of `v` read as [rows, cols]. */
function gramDefect(v: ArrayLike<number>, rows: number, cols: number, g2: number): number {
  const tall = rows >= cols;
  const [k, len] = tall ? [cols, rows] : [rows, cols];
  const at = (u: number, i: number) => (tall ? v[i * cols + u] : v[u * cols + i]);
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let i = 0; i < len; i++) s += at(a, i) * at(b, i);
      worst = Math.max(worst, Math.abs(s - (a === b ? g2 : 0)));
    }
  }
  return worst;
}

const moments = (v: ArrayLike<number>): [number, number] => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return [m, s / v.length];
};

describe('orthogonal', () => {
  it('orthonormal columns (tall) or rows (wide) times gain, for [3,5], [5,3], [2,3,4] (conv1d), [1,1], [64,32]; TF.js and Keras 3 draw the same kind', () => {
    expectNoLeak(() => {
      const cases: Array<[string, () => nr.Layer, number[], number, number, number]> = [
        ['[3,5]', () => layers.dense({ units: 5, kernelInitializer: initializers.orthogonal({ seed: 1 }) }), [3], 3, 5, 1],
        ['[5,3]', () => layers.dense({ units: 3, kernelInitializer: initializers.orthogonal({ gain: 0.5, seed: 1 }) }), [5], 5, 3, 0.5],
        ['[2,3,4]', () => layers.conv1d({ filters: 4, kernelSize: 2, kernelInitializer: initializers.orthogonal({ gain: 3 }) }), [6, 3], 6, 4, 3],
        ['[1,1]', () => layers.dense({ units: 1, kernelInitializer: 'orthogonal' }), [1], 1, 1, 1],
        ['[64,32]', () => layers.dense({ units: 32, kernelInitializer: initializers.orthogonal({ gain: 2, seed: 4 }) }), [64], 64, 32, 2],
      ];
      for (const [name, make, input, rows, cols, gain] of cases) {
        const k = kernel(make(), input);
        expect(k.values.length, name).toBe(rows * cols);
        expect(gramDefect(k.values, rows, cols, gain * gain), name).toBeLessThan(1e-5 * Math.max(1, gain * gain));
        // Same seed (the model's or its own), same bits.
        expect(kernel(make(), input).bits, name).toBe(k.bits);
      }
      // [1,1] is ±1: the sign of a normal draw.
      expect(Math.abs(kernel(layers.dense({ units: 1, kernelInitializer: 'orthogonal' }), [1]).values[0])).toBe(1);
    });
    // TF.js 4.22's orthogonal: the same property (its own random draw).
    for (const [shape, gain] of [[[3, 5], 1], [[5, 3], 0.5], [[64, 32], 2]] as Array<[number[], number]>) {
      const t = tfl.initializers.orthogonal({ gain, seed: 1 }).apply(shape);
      expect(gramDefect(t.dataSync(), shape[0], shape[1], gain * gain)).toBeLessThan(1e-4 * gain * gain);
      t.dispose();
    }
    // Keras 3's (the fixture): WᵀW = gain²·I too, and the variance is gain²·min/(rows·cols).
    for (const [key, rows, cols, gain] of [['orthogonal_64x32_gain2', 64, 32, 2], ['orthogonal_3x5', 3, 5, 1], ['orthogonal_2x3x4', 6, 4, 1]] as Array<[string, number, number, number]>) {
      const d = FIXTURE.draws[key];
      const k = Math.min(rows, cols);
      d.gram!.forEach((v, i) => expect(Math.abs(v - (Math.floor(i / k) === i % k ? gain * gain : 0))).toBeLessThan(1e-5 * gain * gain));
      expect(d.mean ** 2 + d.variance).toBeCloseTo((gain * gain * k) / (rows * cols), 6);
    }
    expectNoLeak(() => {
      const k = kernel(layers.dense({ units: 32, kernelInitializer: initializers.orthogonal({ gain: 2, seed: 1 }) }), [64]);
      const [m, v] = moments(k.values);
      expect(m * m + v).toBeCloseTo((4 * 32) / (64 * 32), 6);
    });
  });

  it('a bias, or another weight of rank < 2, is an error naming the layer and the shape (TF.js: "Shape must be at least 2D")', () => {
    expectNoLeak(() => {
      expect(() => kernel(layers.dense({ units: 2, biasInitializer: 'orthogonal' }), [3])).toThrow(/dense: the orthogonal initializer needs a weight of rank >= 2, got a weight of shape \[2\]/);
      expect(() => kernel(layers.prelu({ alphaInitializer: initializers.orthogonal() }), [3])).toThrow(/prelu: the orthogonal initializer needs a weight of rank >= 2, got a weight of shape \[3\]/);
      expect(() => initializers.orthogonal({ gian: 2 } as never)).toThrow(/^initializers\.orthogonal: unknown option 'gian' — did you mean 'gain'\?/);
      expect(() => initializers.orthogonal({ gain: Number.NaN })).toThrow(/gain/);
    });
    expect(() => tfl.initializers.orthogonal({}).apply([3])).toThrow(/Shape must be at least 2D/);
  });
});

describe('identity', () => {
  it('gain·I on a square kernel; another shape is TF.js\'s error, naming the layer and the shape', () => {
    expectNoLeak(() => {
      const k = kernel(layers.dense({ units: 3, kernelInitializer: initializers.identity({ gain: 2 }) }), [3]);
      expect(Array.from(k.values)).toEqual([2, 0, 0, 0, 2, 0, 0, 0, 2]);
      const t = tfl.initializers.identity({ gain: 2 }).apply([3, 3]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(k.values));
      t.dispose();
      expect(Array.from(kernel(layers.dense({ units: 1, kernelInitializer: 'identity' }), [1]).values)).toEqual([1]);
      expect(() => kernel(layers.dense({ units: 3, kernelInitializer: 'identity' }), [2])).toThrow(/dense: the identity initializer needs a square 2-D weight \(TF\.js's rule\), got a weight of shape \[2, 3\]/);
      expect(() => tfl.initializers.identity({}).apply([2, 3])).toThrow(/Identity matrix initializer can only be used for 2D square matrices/);
      expect(() => kernel(layers.conv1d({ filters: 2, kernelSize: 1, kernelInitializer: 'identity' }), [4, 2])).toThrow(/conv1d: .*the identity initializer needs a square 2-D weight .*shape \[1, 1, 2, 2\]/);
      expect(() => initializers.identity({ seed: 1 } as never)).toThrow(/initializers\.identity: unknown option 'seed'/);
    });
  });
});

describe('varianceScaling', () => {
  it('without options it is lecunNormal, bit for bit (today\'s meaning of the name): the factory, the string and the old alias', () => {
    expectNoLeak(() => {
      const lecun = kernel(layers.dense({ units: 7, kernelInitializer: 'lecunNormal' }), [9], 3).bits;
      expect(kernel(layers.dense({ units: 7, kernelInitializer: initializers.varianceScaling() }), [9], 3).bits).toBe(lecun);
      expect(kernel(layers.dense({ units: 7, kernelInitializer: 'varianceScaling' }), [9], 3).bits).toBe(lecun);
      expect(kernel(layers.dense({ units: 7, kernelInitializer: initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' }) }), [9], 3).bits).toBe(lecun);
      // Seeded: the same bits as lecunNormal with that seed.
      const a = kernel(layers.dense({ units: 7, kernelInitializer: initializers.varianceScaling({ seed: 5 }) }), [9], 1).bits;
      expect(kernel(layers.dense({ units: 7, kernelInitializer: initializers.lecunNormal({ seed: 5 }) }), [9], 2).bits).toBe(a);
    });
    // TF.js 4.22's defaults: scale 1, fanIn, normal.
    expect(tfl.initializers.varianceScaling({}).getConfig()).toEqual({ scale: 1, mode: 'fanIn', distribution: 'normal', seed: undefined });
  });

  it('every mode and distribution has variance scale / fan within 3 sigma (fans 400 and 300), as Keras 3\'s draws do; the bounds hold', () => {
    const [fanIn, fanOut, scale] = [400, 300, 2];
    const fans = { fanIn, fanOut, fanAvg: (fanIn + fanOut) / 2 };
    const n = fanIn * fanOut;
    expectNoLeak(() => {
      for (const mode of ['fanIn', 'fanOut', 'fanAvg'] as const) {
        for (const distribution of ['normal', 'uniform', 'truncatedNormal', 'untruncatedNormal'] as const) {
          const v = scale / fans[mode];
          const k = kernel(layers.dense({ units: fanOut, kernelInitializer: initializers.varianceScaling({ scale, mode, distribution, seed: 8 }) }), [fanIn]).values;
          const [m, vv] = moments(k);
          const max = k.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
          // sd of the sample mean √(v/n); of the sample variance √((μ₄ − v²)/n), μ₄ ≤ 3v² for these.
          const what = `${mode} ${distribution}`;
          expect(Math.abs(m), what).toBeLessThan(3 * Math.sqrt(v / n));
          expect(Math.abs(vv - v), what).toBeLessThan(3 * Math.sqrt((2 * v * v) / n));
          if (distribution === 'uniform') expect(max, what).toBeLessThanOrEqual(Math.sqrt(3 * v) * (1 + 1e-6));
          else if (distribution === 'untruncatedNormal') expect(max, what).toBeGreaterThan((2 * Math.sqrt(v)) / 0.87962566103423978);
          else expect(max, what).toBeLessThanOrEqual(((2 * Math.sqrt(v)) / 0.87962566103423978) * (1 + 1e-6));
          // Keras 3's draws (same formula, its own generator): within the same 3 sigma.
          const kd = FIXTURE.draws[`vs_${mode.replace('fan', 'fan_').toLowerCase()}_${distribution === 'uniform' ? 'uniform' : distribution === 'untruncatedNormal' ? 'untruncated_normal' : 'truncated_normal'}`];
          expect(Math.abs(kd.variance - v), `Keras ${what}`).toBeLessThan(3 * Math.sqrt((2 * v * v) / n));
        }
      }
    });
    // TF.js 4.22: the same uniform; its 'normal' is truncated without the 0.8796 correction
    // (variance 0.774·v), and its 'truncatedNormal' draws the uniform: the documented differences.
    const td = (distribution: string): number[] => {
      const t = tfl.initializers.varianceScaling({ scale, mode: 'fanAvg', distribution: distribution as never, seed: 3 }).apply([fanIn, fanOut]);
      const r = moments(t.dataSync());
      const max = Array.from(t.dataSync() as Float32Array).reduce((a, x) => Math.max(a, Math.abs(x)), 0);
      t.dispose();
      return [...r, max];
    };
    const v = scale / fans.fanAvg;
    const [, vu, mu] = td('uniform');
    expect(Math.abs(vu - v)).toBeLessThan(3 * Math.sqrt((2 * v * v) / n));
    expect(mu).toBeLessThanOrEqual(Math.sqrt(3 * v) * (1 + 1e-6));
    const [, vn] = td('normal');
    expect(Math.abs(vn - 0.7737413 * v)).toBeLessThan(3 * Math.sqrt((2 * v * v) / n));
    const [, vt, mt] = td('truncatedNormal');
    expect(mt).toBeLessThanOrEqual(Math.sqrt(3 * v) * (1 + 1e-6));
    expect(Math.abs(vt - v)).toBeLessThan(3 * Math.sqrt((2 * v * v) / n));
  });

  it('bad options: TF.js\'s checks, unknown names and keys suggest the nearest', () => {
    expect(() => initializers.varianceScaling({ scale: -1 })).toThrow(/^initializers\.varianceScaling: scale must be >= 0, got -1$/);
    expect(() => initializers.varianceScaling({ mode: 'fanin' as never })).toThrow(/^initializers\.varianceScaling: mode must be one of fanIn, fanOut, fanAvg, got "fanin" — did you mean 'fanIn'\?$/);
    expect(() => initializers.varianceScaling({ distribution: 'truncated' as never })).toThrow(/distribution must be one of normal, uniform, truncatedNormal, untruncatedNormal, got "truncated" — did you mean 'truncatedNormal'\?/);
    expect(() => initializers.varianceScaling({ scael: 2 } as never)).toThrow(/unknown option 'scael' — did you mean 'scale'\?/);
    expect(() => initializers.varianceScaling({ scale: Number.POSITIVE_INFINITY })).toThrow(/scale/);
    expect(() => tfl.initializers.varianceScaling({ scale: -1 })).toThrow(/scale must be a positive float/);
    expectNoLeak(() => {
      // scale 0 (TF.js allows it): all zeros.
      const k = kernel(layers.dense({ units: 3, kernelInitializer: initializers.varianceScaling({ scale: 0, distribution: 'uniform' }) }), [3]);
      expect(Array.from(k.values).every((x) => x === 0)).toBe(true);
    });
  });
});

describe('saving and loading: TF.js\'s and Keras 3\'s JSON forms', () => {
  it('a neurite model saves TF.js\'s configs (as TF.js writes them), and loads back to the same configs and the same seeded bits', async () => {
    const before = nr.memory().numTensors;
    const m = nr.sequential({ seed: 4, layers: [
      layers.dense({ inputShape: [4], units: 4, kernelInitializer: initializers.orthogonal({ gain: 1.5, seed: 3 }) }),
      layers.dense({ units: 4, kernelInitializer: initializers.identity({ gain: 0.5 }) }),
      layers.dense({ units: 6, kernelInitializer: initializers.varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform', seed: 5 }) }),
      layers.dense({ units: 3, kernelInitializer: initializers.varianceScaling({ scale: 0.5, mode: 'fanOut', distribution: 'untruncatedNormal' }) }),
      layers.dense({ units: 3, kernelInitializer: initializers.varianceScaling({ distribution: 'truncatedNormal', seed: 9 }) }),
    ] });
    const art = await m.toArtifacts();
    const inits = (t: unknown) => (t as { config: { layers: Array<{ config: { kernel_initializer: unknown } }> } }).config.layers.map((l) => l.config.kernel_initializer);
    const saved = inits(art.modelTopology);
    expect(saved).toEqual([
      { class_name: 'Orthogonal', config: { gain: 1.5, seed: 3 } },
      { class_name: 'Identity', config: { gain: 0.5 } },
      { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_avg', distribution: 'uniform', seed: 5 } },
      { class_name: 'VarianceScaling', config: { scale: 0.5, mode: 'fan_out', distribution: 'untruncated_normal', seed: null } },
      { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'truncated_normal', seed: 9 } },
    ]);
    // TF.js writes the same forms for its own initializers (its class names and snake_case values).
    const tm = tfl.sequential({ layers: [
      tfl.layers.dense({ inputShape: [4], units: 4, kernelInitializer: tfl.initializers.identity({ gain: 0.5 }) }),
      tfl.layers.dense({ units: 6, kernelInitializer: tfl.initializers.varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform', seed: 5 }) }),
    ] });
    const tjson = tm.toJSON(null, false) as unknown;
    expect(inits(tjson)).toEqual([saved[1], saved[2]]);
    tm.dispose();
    tf.disposeVariables();
    // Built again from the file (fromConfig, no weights): the same configs, the same seeded kernels.
    const again = await nr.models.modelFromJSON(art.modelTopology as never);
    expect(inits((await again.toArtifacts()).modelTopology)).toEqual(saved);
    const kb = (x: nr.Sequential, i: number) => nr.tidy(() => Array.from(x.getWeights()[2 * i].dataSync()));
    for (const i of [0, 1, 2, 4]) expect(kb(again, i), `layer ${i}`).toEqual(kb(m, i));
    // A name or a class name as a plain string reads as that initializer with its defaults.
    for (const spelled of ['orthogonal', 'Orthogonal', 'identity', 'Identity', 'VarianceScaling', 'variance_scaling']) {
      const topo = structuredClone(art.modelTopology) as { config: { layers: Array<{ config: { kernel_initializer: unknown } }> } };
      topo.config.layers[1].config.kernel_initializer = spelled;
      (await nr.models.modelFromJSON(topo as never)).dispose();
    }
    m.dispose();
    again.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });

  it('a Keras 3 to_json() with Orthogonal, Identity and VarianceScaling (bench/keras/initializers.py) is read, drawn and saved back in TF.js\'s form', async () => {
    const before = nr.memory().numTensors;
    const m = await nr.models.modelFromJSON(FIXTURE.model as never);
    const ws = nr.tidy(() => m.getWeights().filter((_, i) => i % 2 === 0).map((w) => ({ shape: w.shape, v: w.dataSync().slice() })));
    // orth (gain 1.5, seed 3), ident (Keras 3.15 writes no gain: 1), vs_uniform, vs_plain, orth_default, vs_trunc.
    expect(gramDefect(ws[0].v, 4, 4, 2.25)).toBeLessThan(1e-5 * 2.25);
    expect(gramDefect(FIXTURE.kernels.orth, 4, 4, 2.25)).toBeLessThan(1e-5 * 2.25);
    expect(FIXTURE.identity_config).toEqual({});
    expect(Array.from(ws[1].v)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const l = Math.sqrt(3 * (2 / 5));
    expect(Array.from(ws[2].v).every((x) => Math.abs(x) <= l * (1 + 1e-6))).toBe(true);
    expect(gramDefect(ws[4].v, 3, 3, 1)).toBeLessThan(1e-5);
    const saved = ((await m.toArtifacts()).modelTopology as { config: { layers: Array<{ class_name: string; config: { kernel_initializer: unknown } }> } }).config.layers.filter((x) => x.class_name === 'Dense').map((x) => x.config.kernel_initializer);
    expect(saved).toEqual([
      { class_name: 'Orthogonal', config: { gain: 1.5, seed: 3 } },
      // As read (a loaded config is written back as it was): Keras 3.15's Identity has no gain.
      { class_name: 'Identity', config: {} },
      { class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_avg', distribution: 'uniform', seed: 5 } },
      { class_name: 'VarianceScaling', config: { scale: 0.5, mode: 'fan_out', distribution: 'untruncated_normal', seed: null } },
      { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
      { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'truncated_normal', seed: 9 } },
    ]);
    // Keras 3.15's einsum axes are refused rather than ignored (by the Keras 3 reader).
    const withAxes = JSON.parse(JSON.stringify(FIXTURE.model).replace('"input_axes":null', '"input_axes":[0]'));
    await expect(nr.models.modelFromJSON(withAxes)).rejects.toThrow(/kernel_initializer\.config\.input_axes must be null/);
    m.dispose();
    expect(nr.memory().numTensors).toBe(before);
  });
});
