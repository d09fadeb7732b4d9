// A forecaster's workflow, from an exploratory tester's time-series scripts: a train/validation
// split of a shuffled dataset (take/skip read their own passes: TF.js 4.22 does the same), a
// normalization layer used before its adapt(dataset) was awaited, inputs of the wrong rank for a
// model of unknown steps ([null, 1]), and the README's sliding-window recipe on a series
// shorter than its window and horizon.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failTestsThatLeak, invalidMessage } from './setup.js';
import { ROOT } from './runtimes/expect.js';
import * as nr from '../ts/index.js';

failTestsThatLeak();

/** `epochs` passes of each dataset, read one after the other as fitDataset reads them. */
async function passes(train: nr.data.Dataset<number>, val: nr.data.Dataset<number>, epochs: number): Promise<Array<[number[], number[]]>> {
  const out: Array<[number[], number[]]> = [];
  for (let e = 0; e < epochs; e++) out.push([await train.toArray(), await val.toArray()]);
  return out;
}

describe('time series: splitting, normalization, shapes, windows', () => {
  it('take/skip of one reshuffled dataset share elements (each reads its own pass), as the README and shuffle TSDoc say; split first, or reshuffleEachIteration false, gives a fixed split', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => i);
    // The leak the tester saw: validation shares elements with training in some epoch.
    const all = nr.data.array(ids).shuffle(20, 1);
    const leaky = await passes(all.take(15), all.skip(15), 3);
    const shared = leaky.map(([tr, va]) => va.filter((v) => tr.includes(v)).length);
    expect(shared.some((k) => k > 0)).toBe(true);
    // Split, then shuffle the training part: disjoint every epoch, training reshuffled.
    const base = nr.data.array(ids);
    const split = await passes(base.take(15).shuffle(15, 1), base.skip(15), 3);
    for (const [tr, va] of split) {
      expect(va).toEqual([15, 16, 17, 18, 19]);
      expect([...tr].sort((a, b) => a - b)).toEqual(ids.slice(0, 15));
    }
    expect(split[0][0]).not.toEqual(split[1][0]);
    // One order for every pass: the split is fixed, and together they are the whole set.
    const fixed = nr.data.array(ids).shuffle(20, 1, false);
    for (const [tr, va] of await passes(fixed.take(15), fixed.skip(15), 3)) {
      expect(va.filter((v) => tr.includes(v))).toEqual([]);
      expect([...tr, ...va].sort((a, b) => a - b)).toEqual(ids);
    }
    // The documentation says so where a reader looks.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('For the same reason\n`take` and `skip` of one shuffled dataset do not split it');
    const doc = readFileSync(join(ROOT, 'ts', 'data', 'dataset.ts'), 'utf8');
    expect(doc).toContain('`take` and `skip` of one shuffled\n   * dataset read different orders and share elements');
  });

  it("normalization.apply while its adapt(dataset) runs says to await it (was: 'no mean and variance yet: call layer.adapt(data)'); never adapted keeps that message", async () => {
    const norm = nr.layers.normalization();
    using x = nr.tensor([[1], [2]]);
    const pending = norm.adapt(nr.data.array([[1], [2], [4]]).batch(2)); // no await: the slip
    expect(invalidMessage(() => norm.apply(x))).toBe(
      `normalization.apply: layer ${norm.name} is still reading its statistics: adapt(dataset) returns a promise (Keras's adapt is synchronous); await layer.adapt(dataset) before apply`,
    );
    // A model holding it says the same (sequential.ts's check), for predict and compile's build.
    using m = nr.sequential({ layers: [nr.layers.inputLayer({ inputShape: [1] }), norm] });
    expect(invalidMessage(() => m.predict(x))).toContain(`predict: layer ${norm.name} of model ${m.name} is still reading its statistics`);
    expect(invalidMessage(() => m.compile({ loss: 'mse', optimizer: 'sgd' }))).toContain(`compile: layer ${norm.name} of model ${m.name} is still reading its statistics`);
    await pending;
    nr.tidy(() => {
      expect(Array.from((norm.apply(x) as nr.Tensor).dataSync()).every(Number.isFinite)).toBe(true);
    });
    // Never adapted: the old message.
    const fresh = nr.layers.normalization();
    expect(invalidMessage(() => fresh.apply(x))).toMatch(/^normalization\.apply: layer normalization_\d+ has no mean and variance yet: call layer\.adapt\(data\)/);
    // A failed adapt leaves nothing pending.
    const broken = nr.layers.normalization();
    await expect(broken.adapt(nr.data.array([[1, NaN]]).batch(1))).rejects.toThrow(/NaN/);
    expect(invalidMessage(() => broken.apply(x))).toMatch(/has no mean and variance yet/);
  });

  it('a model of unknown steps ([null, 1]) hints expandDims for one sample or a missing channel axis, as one of fixed steps does; "1 sample", not "1 samples"', () => {
    using free = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [null, 1], filters: 2, kernelSize: 3 }), nr.layers.globalAveragePooling1d()] });
    const head = 'predict: expected input of shape [batch,null,1] (the first dimension is the batch; null: any size from 1), got';
    const err = (shape: number[]): string => nr.tidy(() => {
      try {
        free.predict(nr.zeros(shape));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    });
    expect(err([16, 1])).toBe(`${head} [16,1]; for one sample, add the batch axis: x.reshape([1,16,1]) or x.expandDims(0)`);
    expect(err([1, 16])).toBe(`${head} [1,16]; for 1 sample of one channel, x.reshape([1,16,1]) or x.expandDims(-1)`);
    expect(err([2, 16])).toBe(`${head} [2,16]; for 2 samples of one channel, x.reshape([2,16,1]) or x.expandDims(-1)`);
    expect(err([16])).toBe(`${head} [16]; for one sample of one channel, add the batch and channel axes: x.reshape([1,16,1])`);
    // The hint is right: the suggested shape runs.
    nr.tidy(() => {
      expect(free.predict(nr.expandDims(nr.zeros([16, 1]), 0)).shape).toEqual([1, 2]);
    });
    // Fixed steps: one sample of a one-channel model is "1 sample".
    using fixed = nr.sequential({ layers: [nr.layers.conv1d({ inputShape: [16, 1], filters: 2, kernelSize: 3 }), nr.layers.globalAveragePooling1d()] });
    const fixedErr = nr.tidy(() => {
      try {
        fixed.predict(nr.zeros([1, 16]));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    });
    expect(fixedErr).toBe('predict: expected input of shape [batch,16,1] (the first dimension is the batch), got [1,16]; for 1 sample of one channel, x.reshape([1,16,1]) or x.expandDims(-1)');
  });

  it("the README's sliding-window recipe says what is wrong on a series shorter than window + horizon (was: gather's index out of range)", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('```js\n', readme.indexOf('Sliding windows of a series with several features'));
    const block = readme.slice(start + 6, readme.indexOf('```', start + 6));
    expect(block).toContain('const steps = 10;');
    // The block as a module of neurite: its import read from the sources.
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (nr: unknown, log: unknown) => Promise<void>;
    const made: nr.Tensor[] = [];
    const tensor = (...args: Parameters<typeof nr.tensor>): nr.Tensor => {
      const t = nr.tensor(...args);
      made.push(t);
      return t;
    };
    const run = (code: string): Promise<void> => new AsyncFunction('nr', 'console', code.replace(/^import \{([^}]*)\} from 'neurite';/m, 'const {$1} = nr;'))({ ...nr, tensor }, { log: () => {} });
    await run(block); // as written: runs
    await expect(run(block.replace('const steps = 10;', 'const steps = 5;'))).rejects.toThrow(
      'windows: the series has 5 steps, fewer than window + horizon = 6; use a longer series, or a shorter window or horizon',
    );
    nr.dispose(made.filter((t) => !t.isDisposed));
  });
});
