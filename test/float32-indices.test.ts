// Integers past 2^24 and float32 (neurite's only dtype): every op that turns a caller's integers
// into float32 indices, or returns indices, positions or counts as float32, refuses the ones
// float32 cannot hold exactly with one InvalidArgumentError (ops/convert.ts `exactInt`) naming
// the argument, the value and why, instead of rounding them (a break-testing report: with
// x[i] = i % 7 and 2^24 + 4 entries, gather(x, [16777217]) gave x[16777216]'s value and
// argMax on a longer axis gave rounded indices). 2^24 itself is exact and accepted.
//
// Checks on a value need no big tensor (zero-size tensors carry the long axes); the ones on an
// axis longer than 2^24 use two 64 MB tensors, made once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thrown } from './setup.js';
import * as nr from '../ts/index.js';
import { gatherND } from '../ts/ops/gather_nd.js';
import { scatterND, sparseToDense, tensorScatterUpdate } from '../ts/ops/scatter.js';
import { unsortedSegmentSum } from '../ts/ops/segment.js';
import { bincount, denseBincount } from '../ts/ops/bincount.js';
import { unique } from '../ts/ops/unique.js';
import { stridedSlice } from '../ts/ops/strided_slice.js';
import { booleanMaskAsync, whereAsync } from '../ts/ops/masking.js';
import { inTopKAsync } from '../ts/ops/in_top_k.js';
import { confusionMatrix } from '../ts/ops/confusion_matrix.js';

const E = 2 ** 24;
const WHY = "past 2^24: float32, neurite's only dtype, holds integers exactly only up to 2^24 = 16777216";

/** The InvalidArgumentError `f` throws, checking that it left no tensor or handle behind. */
function refused(f: () => unknown): string {
  const before = nr.memory();
  const err = thrown(() => nr.tidy(() => void f()));
  const after = nr.memory();
  expect(after.numTensors, 'tensors left behind').toBe(before.numTensors);
  expect(after.numHandles, 'handles left behind').toBe(before.numHandles);
  expect(err, 'expected an InvalidArgumentError').toBeInstanceOf(nr.InvalidArgumentError);
  return (err as Error).message;
}

async function rejected(f: () => Promise<unknown>): Promise<string> {
  const err = await f().then(() => undefined, (e: unknown) => e);
  expect(err, 'expected an InvalidArgumentError').toBeInstanceOf(nr.InvalidArgumentError);
  return (err as Error).message;
}

const values = (t: nr.Tensor): number[] => Array.from(nr.tidy(() => t.data()));

describe('index arguments: a value past 2^24 is refused before it becomes float32', () => {
  it('gather and oneHot, from arrays, typed arrays and numbers; 2^24 passes to the range check', () => {
    const x = nr.tensor([1, 2, 3]);
    expect(refused(() => nr.gather(x, [0, 16777217]))).toBe(`gather: indices[1] is 16777217, ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => nr.gather(x, Int32Array.of(16777217)))).toBe(`gather: indices[0] is 16777217, ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => nr.gather(x, new Float64Array([16777219])))).toBe(`gather: indices[0] is 16777219, ${WHY} (16777219 would be stored as 16777220)`);
    expect(refused(() => nr.gather(x, [[0], [-16777217]]))).toBe(`gather: indices[1,0] is -16777217, ${WHY} (-16777217 would be stored as -16777216)`);
    expect(refused(() => nr.gather(x, 16777218))).toBe(`gather: indices is 16777218, ${WHY}`);
    expect(refused(() => x.gather([2 ** 31]))).toMatch(/^gather: indices\[0\] is 2147483648, past 2\^24/);
    // 2^24 is exact: the core's range check answers, naming the value passed.
    expect(refused(() => nr.gather(x, [E]))).toMatch(/^gather: .*16777216/);
    expect(refused(() => nr.gather(x, [E]))).not.toMatch(/past 2\^24/);
    expect(refused(() => nr.oneHot([16777217], 16777218))).toBe(`oneHot: indices[0] is 16777217, ${WHY} (16777217 would be stored as 16777216)`);
    expect(values(nr.oneHot([E, 1], 3))).toEqual([0, 0, 0, 0, 1, 0]);
    // The values are read as tensor() reads them: a huge array is refused as such, at once.
    const t0 = performance.now();
    expect(String(thrown(() => nr.gather(x, new Array(2 ** 15).fill(new Array(2 ** 15).fill(0)))))).toMatch(/^OutOfMemoryError: gather: /);
    expect(performance.now() - t0).toBeLessThan(250);
    x.dispose();
  });

  it('a tensor of indices is checked where a value past 2^24 could be in range (no allocation first)', () => {
    const before = nr.memory().wasmBytes;
    expect(refused(() => nr.oneHot(nr.tensor([2, 16777218]), E + 3))).toBe(`oneHot: indices[1] is 16777218, ${WHY}`);
    expect(refused(() => unsortedSegmentSum(nr.zeros([2, 0]), nr.tensor([0, 16777218]), E + 3))).toBe(`unsortedSegmentSum: segmentIds[1] is 16777218, ${WHY}`);
    expect(refused(() => gatherND(nr.zeros([E + 3, 0]), nr.tensor([[16777218]])))).toBe(`gatherND: indices[0,0] is 16777218 (x shape [16777219,0], indices shape [1,1]), ${WHY}`);
    expect(nr.memory().wasmBytes).toBe(before);
    // Where every value past 2^24 is out of range, the op's own rule applies (an id at or past
    // numSegments is an error, as TensorFlow's; a negative one is dropped).
    expect(refused(() => unsortedSegmentSum(nr.tensor([[5], [7]]), nr.tensor([1, 16777218]), 2))).toMatch(/^unsortedSegmentSum: segmentIds\[1\] = 16777218 is out of range: numSegments is 2/);
    expect(values(unsortedSegmentSum(nr.tensor([[5], [7]]), nr.tensor([1, -16777218]), 2))).toEqual([0, 5]);
  });

  it('gatherND, the scatters, unsortedSegmentSum, bincount, inTopKAsync, confusionMatrix, cropAndResize', async () => {
    expect(refused(() => gatherND(nr.zeros([E + 2, 0]), [[16777217]]))).toBe(`gatherND: indices[0,0] is 16777217, ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => scatterND([[16777217]], [1], [E + 2]))).toMatch(/^scatterND: indices\[0,0\] is 16777217, past 2\^24/);
    expect(refused(() => tensorScatterUpdate(nr.zeros([E + 2, 0]), [[16777217]], nr.zeros([1, 0])))).toMatch(/^tensorScatterUpdate: indices\[0,0\] is 16777217, past 2\^24/);
    expect(refused(() => sparseToDense([16777217], 1, [E + 2]))).toMatch(/^sparseToDense: sparseIndices\[0\] is 16777217, past 2\^24/);
    expect(refused(() => unsortedSegmentSum(nr.zeros([1, 0]), [16777217], E + 2))).toBe(`unsortedSegmentSum: segmentIds[0] is 16777217, ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => bincount([3, 16777217], [], E + 2))).toMatch(/^bincount: x\[1\] is 16777217, past 2\^24/);
    expect(refused(() => denseBincount([[16777217]], [], 3))).toMatch(/^denseBincount: x\[0,0\] is 16777217, past 2\^24/);
    expect(refused(() => confusionMatrix([0, 16777217], [0, 0], 2))).toMatch(/^confusionMatrix: labels\[1\] is 16777217, past 2\^24/);
    expect(await rejected(() => inTopKAsync([[1, 2]], [16777217]))).toMatch(/^inTopKAsync: targets\[0\] is 16777217, past 2\^24/);
    expect(refused(() => nr.image.cropAndResize(nr.zeros([1, 2, 2, 1]), [[0, 0, 1, 1]], [16777217], [1, 1]))).toMatch(/^cropAndResize: boxInd\[0\] is 16777217, past 2\^24/);
  });

  it('flattened positions past 2^24: gather with batchDims, weighted bincount', () => {
    // gather with batchDims folds the batches into one axis of 2·(2^23 + 1) entries.
    const x = nr.zeros([2, 2 ** 23 + 1, 0]);
    expect(refused(() => nr.gather(x, nr.zeros([2, 1]), 1, 1))).toBe(`gather: the last index of the axis that the 2 batches of axis 1 fold into is 16777217 (x shape [2,8388609,0], batchDims 1), ${WHY} (16777217 would be stored as 16777216)`);
    x.dispose();
    expect(nr.tidy(() => nr.gather(nr.zeros([2, 2 ** 23, 0]), nr.zeros([2, 1]), 1, 1).shape)).toEqual([2, 1, 0]);
    expect(refused(() => denseBincount([[0], [0], [0]], [1, 1, 1], 2 ** 23))).toBe(`denseBincount: the last bin of the weighted counts is 25165823 (x shape [3,1], size 8388608), ${WHY} (25165823 would be stored as 25165824)`);
  });
});

describe('an axis longer than 2^24 + 1 (two 64 MB tensors)', () => {
  // x[i] = i % 7 (the report's tensor); z is zeros with a 1 at the end.
  const N = E + 8;
  let x: nr.Tensor;
  let z: nr.Tensor;
  beforeAll(() => {
    const v = new Float32Array(N);
    for (let i = 0; i < N; i++) v[i] = i % 7;
    x = nr.tensor(v);
    const w = new Float32Array(E + 2);
    w[E + 1] = 1;
    z = nr.tensor(w);
  });
  afterAll(() => {
    x.dispose();
    z.dispose();
  });

  it('gather reads entries up to 2^24 and refuses the indices past it, rather than reading a neighbour', () => {
    expect(values(nr.gather(x, [16777216, 16777215]))).toEqual([16777216 % 7, 16777215 % 7]);
    expect(refused(() => nr.gather(x, [16777217]))).toBe(`gather: indices[0] is 16777217, ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => nr.gather(x, Int32Array.of(16777217)))).toMatch(/^gather: indices\[0\] is 16777217, past 2\^24/);
    // Reported as passed, not as the 16777220 float32 makes of it.
    expect(refused(() => nr.gather(x, [16777219]))).toBe(`gather: indices[0] is 16777219, ${WHY} (16777219 would be stored as 16777220)`);
    // A tensor holds float32 already: past 2^24 it may be a rounded index, so it is refused too.
    expect(refused(() => nr.gather(x, nr.tensor([16777218])))).toBe(`gather: indices[0] is 16777218, ${WHY}`);
  });

  it('argMax, argMin, topk, unique and multinomial refuse the axis; 2^24 + 1 entries are fine', () => {
    expect(refused(() => nr.argMax(z))).toBe(`argMax: the last index along axis 0 of x is 16777217 (x shape [16777218]), ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => nr.argMin(x, -1))).toMatch(/^argMin: the last index along axis -1 of x is 16777223 \(x shape \[16777224\]\), past 2\^24/);
    expect(refused(() => z.argMax())).toMatch(/^argMax: /);
    expect(refused(() => nr.topk(z))).toMatch(/^topk: the last index along the last axis of x is 16777217 \(x shape \[16777218\]\), past 2\^24/);
    expect(refused(() => unique(z))).toMatch(/^unique: the last index along axis 0 of x is 16777217 \(x shape \[16777218\]\), past 2\^24/);
    expect(refused(() => nr.multinomial(nr.reshape(z, [1, E + 2]), 1, 1))).toMatch(/^multinomial: the last outcome index of logits is 16777217/);
    // The last 2^24 + 1 entries of z: its 1 is at index 2^24, exact.
    const tail = nr.slice(z, 1);
    expect(values(nr.argMax(tail))).toEqual([E]);
    const { values: top, indices } = nr.topk(tail, 1);
    expect(values(indices)).toEqual([E]);
    top.dispose();
    tail.dispose();
  });

  it('stridedSlice with a stride over more than 2^24 entries picks the right ones (it gathered rounded indices)', () => {
    // Entry k·3 of x for k up to 5592410; 16777221 = 3 · 5592407 is odd, float32 made it 16777220.
    const got = nr.tidy(() => stridedSlice(x, [0], [N], [3]).data());
    expect(got.length).toBe(Math.ceil(N / 3));
    const bad = got.findIndex((v, k) => v !== (3 * k) % 7);
    expect(bad, `entry ${bad}: ${got[bad]}, expected ${(3 * bad) % 7}`).toBe(-1);
    // Backwards, with a begin past 2^24.
    const back = nr.tidy(() => stridedSlice(x, [N - 1], [0], [-3]).data());
    expect(back.findIndex((v, k) => v !== (N - 1 - 3 * k) % 7)).toBe(-1);
  });

  it('counts past 2^24 are refused (bincount, confusionMatrix); positions past 2^24 as before', async () => {
    expect(refused(() => bincount(z, [], 2))).toBe(`bincount: the count of 0 in x is 16777217 (so far; x shape [16777218]), ${WHY} (16777217 would be stored as 16777216)`);
    expect(refused(() => confusionMatrix(z, z, 2))).toBe(`confusionMatrix: the count of label 0 predicted as 0 is 16777217 (16777218 examples), ${WHY} (16777217 would be stored as 16777216)`);
    expect(await rejected(() => whereAsync(z))).toBe(`whereAsync: a coordinate of the true entry of condition at [16777217] is 16777217 (condition shape [16777218]), ${WHY} (16777217 would be stored as 16777216)`);
    expect(await rejected(() => booleanMaskAsync(z, z))).toMatch(/^booleanMaskAsync: the flat position of a true entry of mask is 16777217 \(mask shape \[16777218\]\), past 2\^24/);
  });
});
