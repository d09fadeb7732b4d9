// What a model used only for inference holds in WebAssembly memory, and how far loading one
// grows that memory. Its own file (its own WebAssembly instance): the memory's growth is only
// measurable before other tests have grown it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import './setup.js';
import * as nr from '../ts/index.js';

const MiB = 2 ** 20;

/** TF.js layers artifacts of `k` dense layers `n → n` without bias (weights `w(layer, i)`), written by hand. */
function artifacts(k: number, n: number, w: (layer: number, i: number) => number): nr.io.ModelArtifacts {
  const layers = Array.from({ length: k }, (_, l) => ({
    class_name: 'Dense',
    config: { name: `d${l}`, units: n, use_bias: false, activation: 'linear', dtype: 'float32', trainable: true, ...(l === 0 ? { batch_input_shape: [null, n] } : {}) },
  }));
  const data = new Float32Array(k * n * n);
  for (let l = 0; l < k; l++) for (let i = 0; i < n * n; i++) data[l * n * n + i] = w(l, i);
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'm', layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    format: 'layers-model',
    weightSpecs: layers.map((_, l) => ({ name: `d${l}/kernel`, shape: [n, n], dtype: 'float32' as const })),
    weightData: data.buffer,
  };
}

describe('an inference-only model holds its weights once', () => {
  // First in the file, so that the memory has not grown for anything else yet.
  it('loading 4 weights of 16 MiB grows WebAssembly memory by the weights once (was 3x: a tensor per weight, the zero weights and gradients)', async () => {
    const a = artifacts(4, 2048, (l, i) => (l + 1) * ((i % 7) - 3) * 1e-3);
    const weights = 4 * 2048 * 2048 * 4; // 64 MiB
    const before = nr.memory();
    const m = await nr.loadLayersModel(a, { compile: false });
    const after = nr.memory();
    expect(after.modelBytes - before.modelBytes).toBe(weights);
    // The memory grows in pages and the allocator keeps a little slack: 8 MiB of room (one
    // more 16 MiB copy of any weight would not fit).
    expect(after.wasmBytes - before.wasmBytes).toBeLessThanOrEqual(weights + 8 * MiB);
    // The values arrived (each layer its own): y = x·W for x = e_0 reads row 0 of W0, then through W1..W3.
    const e0 = new Float32Array(2048);
    e0[0] = 1;
    const x = nr.tensor(e0, [1, 2048]);
    const got = nr.tidy(() => (m.predict(x) as nr.Tensor).dataSync());
    let ref = Float64Array.from({ length: 2048 }, (_, j) => 1e-3 * ((j % 7) - 3));
    for (let l = 1; l < 4; l++) {
      const next = new Float64Array(2048);
      for (let i = 0; i < 2048; i++) for (let j = 0; j < 2048; j++) next[j] += ref[i] * (l + 1) * (((i * 2048 + j) % 7) - 3) * 1e-3;
      ref = next;
    }
    const scale = Math.max(...ref.map(Math.abs));
    for (let j = 0; j < 2048; j += 97) expect(Math.abs(got[j] - ref[j])).toBeLessThanOrEqual(1e-5 * scale);
    // A second model live beside it (a hot swap) adds its weights once.
    const m2 = await nr.loadLayersModel(a, { compile: false });
    expect(nr.memory().modelBytes - before.modelBytes).toBe(2 * weights);
    // predict and evaluate leave modelBytes as it was; one fit step adds gradients (and SGD's none).
    m2.compile({ optimizer: 'sgd', loss: 'mse' });
    const y = nr.zeros([1, 2048]);
    nr.tidy(() => m2.evaluate(x, y));
    expect(nr.memory().modelBytes - before.modelBytes).toBe(2 * weights);
    await m2.fit(x, y, { epochs: 1, verbose: 0 });
    expect(nr.memory().modelBytes - before.modelBytes).toBe(3 * weights);
    [m, m2, x, y].forEach((t) => t.dispose());
    expect(nr.memory().modelBytes).toBe(before.modelBytes);
  });

  it('a model loaded from file:// (compile: false, and compiled) holds its weights once until it trains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurite-lazygrad-'));
    try {
      const src = nr.sequential({ seed: 3, layers: [nr.layers.dense({ inputShape: [33], units: 65 }), nr.layers.batchNormalization(), nr.layers.dense({ units: 7 })] });
      src.compile({ optimizer: 'adam', loss: 'mse' });
      await src.save(`file://${dir}`);
      // dense 33·65 + 65, batch norm 4·65 (2 moving statistics, never with a gradient), dense 65·7 + 7.
      const values = 33 * 65 + 65 + 4 * 65 + 65 * 7 + 7;
      expect(src.countParams()).toBe(values);
      const before = nr.memory();
      for (const compile of [false, true]) {
        const m = await nr.loadLayersModel(`file://${dir}`, { compile });
        expect(nr.memory().modelBytes - before.modelBytes).toBe(values * 4);
        // The weights are the file's, bit for bit.
        const [w, ref] = [m.getWeights(), src.getWeights()];
        w.forEach((t, i) => expect(t.dataSync()).toEqual(ref[i].dataSync()));
        nr.dispose([...w, ...ref]);
        const x = nr.tensor(Float32Array.from({ length: 5 * 33 }, (_, i) => Math.sin(i)), [5, 33]);
        nr.tidy(() => m.predict(x));
        expect(nr.memory().modelBytes - before.modelBytes).toBe(values * 4);
        if (compile) {
          // One Adam step: a gradient and two moments for each trained value (the moving statistics have none).
          const trained = values - 2 * 65;
          await m.fit(x, nr.tidy(() => nr.zeros([5, 7])), { epochs: 1, verbose: 0 });
          expect(nr.memory().modelBytes - before.modelBytes).toBe(values * 4 + trained * 12);
        }
        x.dispose();
        m.dispose();
      }
      src.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a non-finite weight in the file is still refused, naming it, and nothing is left allocated', async () => {
    const a = artifacts(3, 16, (l, i) => (l === 2 && i === 5 ? NaN : 0.1));
    const before = nr.memory();
    await expect(nr.loadLayersModel(a)).rejects.toThrow(/weight 'd2\/kernel' \(weightSpecs\[2\]\) has a non-finite value NaN at index 5/);
    expect(nr.memory().modelBytes).toBe(before.modelBytes);
    expect(nr.memory().numTensors).toBe(before.numTensors);
    expect(nr.memory().numHandles).toBe(before.numHandles);
    // strict: false takes the path that sets the given weights one at a time: refused the same way.
    await expect(nr.loadLayersModel(a, { strict: false })).rejects.toThrow(/d2\/kernel.*non-finite value NaN at index 5/);
    expect(nr.memory().numHandles).toBe(before.numHandles);
  });
});
