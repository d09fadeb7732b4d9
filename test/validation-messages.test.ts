// fit's validation data is checked as fit's own x and y are, and its errors say so once: `fit:
// validationData: ` and then, word for word, what fit says of the same bad x or y (positions in
// the validation data). They read `fit (validationData): layer 'words' (embedding):
// validationData x[3,1] = …` (the op and the argument both named it), and an embedding that
// does not read a model input (after a rescaling, in a nested model) failed without naming the
// layer or the validation data.
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';

const { layers } = nr;
type Data = nr.Tensor | nr.Tensor[];

/** What the promise rejected with (it must reject with a neurite error). */
async function failure(p: Promise<unknown>): Promise<nr.NeuriteError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(nr.NeuriteError);
  return e as nr.NeuriteError;
}

const dense = () => {
  const m = nr.sequential({ seed: 1, layers: [layers.dense({ inputShape: [4], units: 2 })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
};
const words = () => {
  const m = nr.sequential({ seed: 1, layers: [layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3, name: 'words' }), layers.flatten(), layers.dense({ units: 1 })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
};
const recommender = () => {
  const u = nr.input({ shape: [1], name: 'user' });
  const i = nr.input({ shape: [1], name: 'item' });
  const ue = layers.embedding({ inputDim: 1000, outputDim: 4, name: 'user_emb' }).apply(u) as nr.SymbolicTensor;
  const ie = layers.embedding({ inputDim: 1000, outputDim: 4, name: 'item_emb' }).apply(i) as nr.SymbolicTensor;
  const both = layers.concatenate().apply([ue, ie]) as nr.SymbolicTensor;
  const m = nr.model({ inputs: [u, i], outputs: layers.dense({ units: 1 }).apply(layers.flatten().apply(both)) as nr.SymbolicTensor, seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
};
/** The embedding reads a rescaled input: its indices are checked in its forward only. */
const rescaled = () => {
  const inp = nr.input({ shape: [3] });
  const e = layers.embedding({ inputDim: 4, outputDim: 2, name: 'late' }).apply(layers.rescaling({ scale: 2 }).apply(inp));
  const m = nr.model({ inputs: inp, outputs: layers.dense({ units: 1 }).apply(layers.flatten().apply(e)) as nr.SymbolicTensor, seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
};
/** The embedding is the second layer of a nested model. */
const nested = () => {
  const inner = nr.sequential({ layers: [layers.rescaling({ inputShape: [3], scale: 1 }), layers.embedding({ inputDim: 4, outputDim: 2, name: 'inner_emb' }), layers.flatten()] });
  const m = nr.sequential({ seed: 1, layers: [inner, layers.dense({ units: 1 })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
};

const T = (v: number[][]) => nr.tensor(v);
/** [name, model, good x, good y, bad x, bad y, the message fit gives for the bad pair as its own x and y]. */
const CASES: Array<[string, () => nr.Sequential, () => [Data, nr.Tensor], () => [Data, nr.Tensor], string | RegExp]> = [
  ['NaN in x', dense, () => [T([[0, 0, 0, 0], [1, 1, 1, 1]]), T([[0, 0], [1, 1]])], () => [T([[0, 0, 0, 0], [1, NaN, 1, 1]]), T([[0, 0], [1, 1]])],
    'fit: x contains NaN at flat index 5 (shape [2,4]) (sample 1, feature 1); clean the data first'],
  ['NaN in y', dense, () => [T([[0, 0, 0, 0], [1, 1, 1, 1]]), T([[0, 0], [1, 1]])], () => [T([[0, 0, 0, 0], [1, 1, 1, 1]]), T([[0, 0], [Infinity, 1]])],
    'fit: meanSquaredError on y: target[2] (sample 1, output 0) is Infinity; targets must be finite numbers'],
  ['x of the wrong shape', dense, () => [T([[0, 0, 0, 0]]), T([[0, 0]])], () => [T([[0, 0, 0, 0, 0]]), T([[0, 0]])], /^fit: .*\[1,5\]/],
  ['x and y of different lengths', dense, () => [T([[0, 0, 0, 0]]), T([[0, 0]])], () => [T([[0, 0, 0, 0], [1, 1, 1, 1]]), T([[0, 0], [1, 1], [2, 2]])],
    'fit: x has 2 samples (shape [2,4]) but y has 3 (shape [3,2]); the first dimension of both is the batch'],
  ['y of the wrong shape', dense, () => [T([[0, 0, 0, 0]]), T([[0, 0]])], () => [T([[0, 0, 0, 0]]), T([[0, 0, 0]])],
    'fit: meanSquaredError on y: targets of shape [1,3] do not match predictions of shape [1,2]'],
  ['an id out of range', words, () => [T([[0, 1, 2]]), T([[0]])], () => [T([[0, 1, 2], [3, 0, 1], [0, 7, 0]]), T([[0], [0], [0]])],
    "fit: layer 'words' (embedding): x[2,1] = 7 is out of range [0, 4) of the embedding's rows (inputDim 4; x has shape [3,3])"],
  ['an id that is not an integer', words, () => [T([[0, 1, 2]]), T([[0]])], () => [T([[0, 1.5, 2]]), T([[0]])],
    "fit: layer 'words' (embedding): x[0,1] = 1.5 is not an integer (x has shape [1,3])"],
  ['an id out of range in one of two inputs', recommender, () => [[T([[1]]), T([[2]])], T([[0]])], () => [[T([[1], [2]]), T([[5], [1001]])], T([[0], [0]])],
    "fit: layer 'item_emb' (embedding) on input 'item': item[1,0] = 1001 is out of range [0, 1000) of the embedding's rows (inputDim 1000; item has shape [2,1])"],
  ['an id out of range after a rescaling', rescaled, () => [T([[0, 1, 1]]), T([[0]])], () => [T([[0, 1, 1], [1, 0, 2]]), T([[0], [0]])],
    "fit: layer 'late' (embedding): input[1,2] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [2,3])"],
  ['an id out of range inside a nested model', nested, () => [T([[0, 1, 1]]), T([[0]])], () => [T([[0, 1, 1], [1, 0, 9]]), T([[0], [0]])],
    "fit: layer 'inner_emb' (embedding): input[1,2] = 9 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [2,3])"],
];

describe('fit: errors in validationData name it once, and read as the same error in fit\'s own x and y', () => {
  it.each(CASES)('%s', async (_, make, good, bad, own) => {
    using m = make();
    const [gx, gy] = good();
    const [bx, by] = bad();
    const before = nr.tidy(() => m.getWeights().map((w) => w.data()));
    // fit's own x and y.
    const trained = await failure(m.fit(bx, by, { epochs: 1, verbose: 0 }));
    if (typeof own === 'string') expect(trained.message).toBe(own);
    else expect(trained.message).toMatch(own);
    // The same data as validationData: the same message after `fit: validationData: `, the same class.
    const validated = await failure(m.fit(gx, gy, { epochs: 1, verbose: 0, validationData: [bx, by] }));
    expect(validated.message).toBe(trained.message.replace(/^fit: /, 'fit: validationData: '));
    expect(validated.constructor).toBe(trained.constructor);
    expect(validated.message.split('validationData').length - 1).toBe(1);
    // fitDataset's validationData as tensors: the same, under fitDataset.
    if (!Array.isArray(gx)) {
      const [xv, yv] = [gx.arraySync() as number[][], gy.arraySync() as number[][]];
      const ds = nr.data.generator(function* () {
        yield { xs: nr.tensor(xv), ys: nr.tensor(yv) };
      });
      const viaDataset = await failure(m.fitDataset(ds, { epochs: 1, verbose: 0, validationData: [bx as nr.Tensor, by] }));
      expect(viaDataset.message).toBe(trained.message.replace(/^fit: /, 'fitDataset: validationData: '));
    }
    // Refused before a step that would have used it, or after one step on good data: never a trap.
    if (own !== CASES[8][4] && own !== CASES[9][4]) expect(nr.tidy(() => m.getWeights().map((w) => w.data()))).toEqual(before);
    nr.dispose([gx, gy, bx, by].flat());
  });

  it('validationSplit names the position in x, as before, and a forward-checked id says validationSplit', async () => {
    using m = rescaled();
    // Rows 0..2 train, row 3 validates: its bad id is found in the validation forward.
    using x = T([[0, 1, 1], [1, 0, 1], [0, 0, 0], [1, 1, 2]]);
    using y = nr.zeros([4, 1]);
    const e = await failure(m.fit(x, y, { epochs: 1, verbose: 0, validationSplit: 0.25 }));
    expect(e.message).toBe("fit: validationSplit: layer 'late' (embedding): input[0,2] = 4 is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [1,3])");
  });
});

describe('an embedding that does not read a model input names itself (layer name and kind)', () => {
  it('predict, evaluate and trainOnBatch after a rescaling and in a nested model', () => {
    for (const [make, name, bad] of [[rescaled, 'late', 4], [nested, 'inner_emb', 9]] as const) {
      using m = make();
      using x = T([[0, 1, 1], [1, 0, bad / (name === 'late' ? 2 : 1)]]);
      using y = nr.zeros([2, 1]);
      const tail = `(embedding): input[1,2] = ${bad} is out of range [0, 4) of the embedding's rows (inputDim 4; input has shape [2,3])`;
      expect(() => m.predict(x)).toThrow(`predict: layer '${name}' ${tail}`);
      expect(() => m.evaluate(x, y)).toThrow(`evaluate: layer '${name}' ${tail}`);
      expect(() => m.trainOnBatch(x, y)).toThrow(`trainOnBatch: layer '${name}' ${tail}`);
    }
  });
});
