// What a program with thousands of small models needs from handles: the cheap live counts
// (`nr_live_counts`), `model.dispose()`'s DisposeResult against TF.js 4.22 live, and running
// out of handles as an OutOfMemoryError.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { check, outPtr, raw, readOut } from '../ts/engine.js';

await tf.setBackend('cpu');

/** The core's counters: `[live objects, live tensors, live models]`. */
function counts(): number[] {
  const e = raw();
  check(e.nr_live_counts(outPtr(0)));
  return [readOut(0), readOut(1), readOut(2)];
}

/** A dense network `sizes[0]`-`sizes[1]`-…, built. */
function mlp(sizes: number[], layers?: nr.Layer[]): nr.Sequential {
  const m = nr.sequential({ layers: layers ?? sizes.slice(1).map((units, i) => nr.layers.dense({ units, ...(i === 0 ? { inputShape: [sizes[0]] } : {}) })) });
  m.build();
  return m;
}

describe('nr_live_counts', () => {
  it('gives memory()’s handle, tensor and model counts without its walk', () => {
    const start = nr.memory();
    expect(counts()).toEqual([start.numHandles, start.numTensors, start.numModels]);
    const ts = [nr.scalar(1), nr.zeros([3, 4]), nr.tensor([])];
    const inner = mlp([4, 3]);
    const outer = nr.sequential({ layers: [inner, nr.layers.dense({ units: 2 })] });
    outer.build();
    const m = nr.memory();
    expect(m.numTensors).toBe(start.numTensors + 3);
    expect(m.numModels).toBe(start.numModels + 2);
    expect(counts()).toEqual([m.numHandles, m.numTensors, m.numModels]);
    for (const t of ts) t.dispose();
    outer.dispose();
    inner.dispose();
    expect(counts()).toEqual([start.numHandles, start.numTensors, start.numModels]);
  });
});

describe('model.dispose() returns TF.js’s DisposeResult', () => {
  /** The same architecture in both: dense layers of `units`, the first taking `inputs`. */
  const both = (inputs: number, units: number[]) => ({
    n: nr.sequential({ layers: units.map((u, i) => nr.layers.dense({ units: u, ...(i === 0 ? { inputShape: [inputs] } : {}) })) }),
    t: tfl.sequential({ layers: units.map((u, i) => tfl.layers.dense({ units: u, ...(i === 0 ? { inputShape: [inputs] } : {}) })) }),
  });

  it('a plain model: every weight, as TF.js', () => {
    const start = nr.memory();
    for (const units of [[8, 2], [1], [3, 4, 5]]) {
      const { n, t } = both(5, units);
      n.build();
      expect(n.dispose()).toEqual(t.dispose());
    }
    // Moving statistics count as TF.js's variables too (batch normalization: 4).
    const n = nr.sequential({ layers: [nr.layers.dense({ inputShape: [3], units: 4 }), nr.layers.batchNormalization()] });
    const t = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4 }), tfl.layers.batchNormalization()] });
    n.build();
    expect(n.dispose()).toEqual(t.dispose());
    expect(t.layers.length).toBe(2);
    expect(nr.memory().modelBytes).toBe(start.modelBytes);
    expect(counts()).toEqual([start.numHandles, start.numTensors, start.numModels]);
  });

  it('two models sharing a layer: the first frees its own layers, the last the shared one, as TF.js', () => {
    const start = nr.memory();
    const shared = nr.layers.dense({ units: 3 });
    const a = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 5 }), shared] });
    const b = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 5 }), shared] });
    a.build();
    b.build();
    const tShared = tfl.layers.dense({ units: 3 });
    const ta = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 5 }), tShared] });
    const tb = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 5 }), tShared] });
    const [ra, tra] = [a.dispose(), ta.dispose()];
    expect(ra).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(ra).toEqual(tra);
    // b still works with the shared layer's weights.
    expect(nr.tidy(() => b.predict(nr.ones([1, 4])).shape)).toEqual([1, 3]);
    expect(b.dispose()).toEqual(tb.dispose());
    expect(nr.memory().modelBytes).toBe(start.modelBytes);
  });

  it('disposing twice: nothing more is freed (TF.js throws)', () => {
    const { n, t } = both(5, [8, 2]);
    n.build();
    expect(n.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    t.dispose();
    expect(n.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 0 });
    expect(String(thrown(() => t.dispose()))).toMatch(/is already disposed/);
    // A model never built holds no weights.
    expect(nr.sequential({ layers: [nr.layers.dense({ units: 2 })] }).dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 0 });
  });

  it('a nested model keeps its weights while a live model holds it (TF.js frees them and breaks the outer model)', () => {
    const start = nr.memory();
    const inner = mlp([4, 3]);
    const outer = nr.sequential({ layers: [inner, nr.layers.dense({ units: 2 })] });
    const other = nr.sequential({ layers: [inner, nr.layers.dense({ units: 1 })] });
    outer.build();
    other.build();
    expect(inner.dispose()).toEqual({ refCountAfterDispose: 2, numDisposedVariables: 0 });
    expect(outer.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(nr.tidy(() => other.predict(nr.ones([2, 4])).shape)).toEqual([2, 1]);
    expect(other.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    expect(nr.memory().modelBytes).toBe(start.modelBytes);
    // TF.js: the inner model's dispose frees its weights although the outer model uses them.
    const ti = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3 })] });
    const to = tfl.sequential({ layers: [ti, tfl.layers.dense({ units: 2 })] });
    expect(ti.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(String(thrown(() => to.predict(tf.ones([1, 4]))))).toMatch(/disposed/);
  });

  it('a loaded model counts the models nested in it, which it disposes too', async () => {
    const inner = mlp([4, 3]);
    const outer = nr.sequential({ layers: [inner, nr.layers.dense({ units: 2 })] });
    outer.build();
    const copy = await nr.loadModel(await outer.toArtifacts());
    expect(copy.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    outer.dispose();
    inner.dispose();
  });
});

describe('running out of handles', () => {
  it('is an OutOfMemoryError that says how many are live and what frees them', () => {
    // The cheapest handle: a clone of one scalar shares its values, so the ~1 million handles
    // take ~80 MB and ~0.4 s through the raw export (the facade's tensors cost ~3x more).
    const start = nr.memory();
    const x = nr.scalar(1);
    const e = raw();
    const made: number[] = [];
    const hx = x.handleFor('test');
    for (;;) {
      const status = e.nr_tensor_clone(hx, outPtr(0));
      if (status !== 0) break;
      made.push(readOut(0));
    }
    try {
      const live = start.numHandles + 1 + made.length;
      expect(live).toBe(2 ** 20 - 2);
      const err = thrown(() => nr.zeros([2]));
      expect(err).toBeInstanceOf(nr.OutOfMemoryError);
      expect((err as Error).message).toBe(
        `out of handles: ${live} objects (tensors, models, ...) are live, the most at once (each holds one handle, whatever its size); ` +
          'dispose() the tensors and models you no longer need, or compute each step inside tidy() (a tensor dropped without dispose() is freed only when the ' +
          `garbage collector finalizes it: never during a synchronous loop, and in Node often not for a long while in a loop that awaits) (${live - start.numHandles + start.numTensors} tensors are live, holding 4 bytes: dispose() the ones you ` +
          'no longer need, or compute temporaries inside tidy(); memory() counts them)',
      );
      // A model's build needs a handle too.
      const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })] });
      expect(thrown(() => m.build())).toBeInstanceOf(nr.OutOfMemoryError);
      m.dispose();
    } finally {
      for (const h of made) e.nr_tensor_free(h);
      x.dispose();
    }
    // Freed, everything works again.
    expect(nr.tidy(() => nr.add(nr.scalar(1), 2).dataSync()[0])).toBe(3);
    expect(counts()).toEqual([start.numHandles, start.numTensors, start.numModels]);
  });
});
