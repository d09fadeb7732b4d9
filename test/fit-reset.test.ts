// Issue 7, item 5: after an instance reset inside a callback, `fit` kept its old integer
// handles and trained another model — the one the new instance gave the same handle — on other
// tensors. This file starts from a fresh instance and creates the model and data first, so the
// handles the callback's new objects get are the very values fit holds (the original repro).
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { unpackInline } from '../ts/wasm/inline.js';
import { WASM_BYTES, WASM_LZMA } from '../ts/wasm/inline.generated.js';
import { data, model, rejection } from './fit-helpers.js';
import './setup.js';

describe('fit across an instance reset', () => {
  it('an instance reset inside a callback stops fit; it never trains a model of the new instance', async () => {
    const m = model();
    const { x, y } = data(10);
    type Fresh = { m: nr.Sequential; x: nr.Tensor; y: nr.Tensor; w0: Float32Array[] };
    let fresh = null as Fresh | null;
    const reset = {
      onEpochEnd: async () => {
        if (fresh) return;
        // A new instance, then the same model and data in it: its handles are the values the
        // old ones had, so fit's integers now name these objects.
        // A new instance for another source is refused during a fit; after shutdown() it is made.
        await expect(nr.init(unpackInline(WASM_LZMA, WASM_BYTES))).rejects.toThrow(/^init: another wasm source needs a new neurite instance, which would end the running one and its models while model \S+ trains/);
        nr.shutdown();
        await nr.init(unpackInline(WASM_LZMA, WASM_BYTES));
        const m2 = model();
        const d2 = data(10);
        const ws = m2.getWeights();
        fresh = { m: m2, x: d2.x, y: d2.y, w0: ws.map((t) => t.data()) };
        ws.forEach((t) => t.dispose());
      },
    };
    const err = await rejection(m.fit(x, y, { epochs: 3, verbose: 0, callbacks: reset }));
    expect(err).toBeInstanceOf(nr.DisposedError);
    expect(err.message).toBe('fit: the neurite instance was shut down (shutdown() was called) during training (end of epoch 1/3); fit stopped');
    const f = fresh as Fresh;
    // Before: fit went on with its old handles and trained m2 on x2/y2.
    const ws = f.m.getWeights();
    ws.forEach((t, i) => expect(Array.from(t.data())).toEqual(Array.from(f.w0[i])));
    ws.forEach((t) => t.dispose());
    expect(() => x.add(1)).toThrow(/belongs to a neurite instance that was shut down \(shutdown\(\) was called\)/);
    f.x.dispose(); f.y.dispose(); f.m.dispose();
    expect(nr.memory().numTensors).toBe(0);
  });

  it('fit on a model of a replaced instance says so, as evaluate and trainOnBatch do (not InvalidHandle)', async () => {
    const m = model();
    await nr.init(unpackInline(WASM_LZMA, WASM_BYTES));
    const { x, y } = data(4);
    const said = (e: unknown) => [(e as Error).constructor.name, (e as Error).message];
    const reset = 'belongs to a neurite instance that was replaced by a new init(); it is no longer valid';
    expect(said(await rejection(m.fit(x, y, { epochs: 1, verbose: 0 })))).toEqual(['DisposedError', `fit: model ${m.name} ${reset}`]);
    expect(() => m.evaluate(x, y)).toThrow(`evaluate: model ${m.name} ${reset}`);
    const ds = nr.data.zip({ xs: nr.data.array([[0, 0]]), ys: nr.data.array([[0]]) }).batch(1);
    expect(said(await rejection(m.fitDataset(ds, { epochs: 1, verbose: 0 })))).toEqual(['DisposedError', `fitDataset: model ${m.name} ${reset}`]);
    x.dispose(); y.dispose(); m.dispose();
    expect(nr.memory().numTensors).toBe(0);
  });

  it('fit stopped by shutdown() (a graceful shutdown) says so, not that the instance was replaced', async () => {
    const m = model();
    const { x, y } = data(10);
    const stop = { onEpochEnd: () => nr.shutdown() };
    const err = await rejection(m.fit(x, y, { epochs: 3, verbose: 0, callbacks: stop }));
    expect(err).toBeInstanceOf(nr.DisposedError);
    expect(err.message).toBe('fit: the neurite instance was shut down (shutdown() was called) during training (end of epoch 1/3); fit stopped');
    await nr.init(unpackInline(WASM_LZMA, WASM_BYTES));
    expect(() => x.add(1)).toThrow(/belongs to a neurite instance that was shut down \(shutdown\(\) was called\); it is no longer valid$/);
  });

  it('shutdown() while fitDataset awaits its data pipeline stops it with the DisposedError fit gives (was a ShapeError from the batch stage)', async () => {
    const m = model();
    const rows = Array.from({ length: 40 }, (_, i) => ({ xs: [i / 40, 1, 0], ys: [i / 40, 0] }));
    // Once batch 2 has trained, the next element's stage shuts neurite down (a SIGTERM handler
    // running while the pipeline waits): the batch stage then fails to make its tensor.
    let due = false;
    const ds = nr.data.array(rows).mapAsync(async (r) => {
      if (due) (due = false, nr.shutdown());
      await new Promise((res) => setTimeout(res, 1));
      return r;
    }).batch(4);
    const seen: number[] = [];
    const stop = { onBatchEnd: (b: number) => void (seen.push(b), (due = b === 2)) };
    const err = await rejection(m.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: stop }));
    expect(err).toBeInstanceOf(nr.DisposedError);
    expect(err.message).toBe('fitDataset: the neurite instance was shut down (shutdown() was called) during training (epoch 1/1, batch 4); fitDataset stopped');
    expect(seen).toEqual([0, 1, 2]);
    await nr.init(unpackInline(WASM_LZMA, WASM_BYTES));
  });

  it('a loss function that calls shutdown() stops fit with the same message (was a bare NotInitialized naming no op)', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: (yt: nr.Tensor, yp: nr.Tensor) => { nr.shutdown(); return nr.mean(nr.square(nr.sub(yt, yp))); } });
    const { x, y } = data(10);
    const err = await rejection(m.fit(x, y, { epochs: 1, verbose: 0 }));
    expect(err).toBeInstanceOf(nr.DisposedError);
    expect(err.message).toBe('fit: the neurite instance was shut down (shutdown() was called) during training (epoch 1/1, batch 1); fit stopped');
    await nr.init(unpackInline(WASM_LZMA, WASM_BYTES));
  });
});
