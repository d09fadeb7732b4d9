/**
 * `model.fitDataset` and `model.evaluateDataset` (TF.js's): training and evaluation on a
 * dataset whose elements are batches, `{ xs, ys }` or `[xs, ys]`. This module, in the main
 * bundle, checks their options and arguments (each failure a rejection before any element is
 * pulled, as before the loops existed in a chunk of their own) and joins validation tensors;
 * then it loads the dataset chunk (see `../data/lazy.ts`) and runs the loops in
 * `fit-dataset-loop.ts`: `fit`'s training loop with a runner that pulls one element per step,
 * each element's tensors disposed after its step, as TF.js does.
 */
import { unknownOption, optionKeys } from '../options.js';
import { InvalidArgumentError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { need } from '../ops/convert.js';
import { describeElement } from '../data/describe.js';
import type { IteratorLike } from '../data/iterator.js';
import { isDataset } from '../data/dataset.js';
import { dataChunk } from '../data/lazy.js';
import { checkSamples, FIT_DATASET_KEYS, intOption, readClassWeights, readLoopArgs, type FitArgs, type History, type LoopArgs, type SampleWeight } from './fit.js';
import { batchSizeOf, type Sequential } from './sequential.js';
import { readVerbose, type Verbose } from './progress.js';

/** What `fitDataset` and `evaluateDataset` read: a neurite `Dataset`, or anything with `iterator()` giving an object with `next()`. */
export interface DatasetLike<T = unknown> {
  iterator(): IteratorLike<T> | Promise<IteratorLike<T>>;
  readonly size?: number | null;
}

/**
 * One element of a dataset `fitDataset` trains on: a batch of inputs and one of targets, each a
 * tensor, a list of tensors (one per input or output of a model with several), or an object of
 * tensors by input or output name.
 */
export type FitDatasetElement =
  | { xs: Tensor | Tensor[] | Record<string, Tensor>; ys: Tensor | Tensor[] | Record<string, Tensor>; sampleWeight?: SampleWeight | null | undefined }
  | [Tensor | Tensor[] | Record<string, Tensor>, Tensor | Tensor[] | Record<string, Tensor>]
  | [Tensor | Tensor[] | Record<string, Tensor>, Tensor | Tensor[] | Record<string, Tensor>, SampleWeight | null];

/** Options of `fitDataset`, as TF.js's `ModelFitDatasetArgs` (with `fit`'s `yieldEveryMs`; `yieldEvery` as TF.js's, see `fit`). */
export interface FitDatasetArgs extends Pick<FitArgs, 'callbacks' | 'verbose' | 'yieldEveryMs' | 'yieldEvery' | 'initialEpoch' | 'classWeight'> {
  /** Passes over the dataset (or groups of `batchesPerEpoch` batches). Default 1. */
  epochs?: number | undefined;
  /**
   * Batches per epoch. Without it an epoch is one pass over the dataset (a new pass each epoch).
   * With it, as TF.js, one pass runs through all epochs, so the dataset should give at least
   * `batchesPerEpoch × epochs` batches (use `repeat()`); an endless dataset needs it. When it
   * runs out first, training stops there with a `console.warn` (as TF.js and Keras), and
   * `fitDataset` returns the History of the epochs that ran (the short one if it had a batch).
   */
  batchesPerEpoch?: number | undefined;
  /**
   * Validation after each epoch (`val_*` logs): a dataset of `{ xs, ys }` batches (a new pass
   * each epoch; an element's `sampleWeight` weighs `val_loss`), or `[x, y]` tensors (lists for a
   * model with several inputs or outputs), or `[x, y, sampleWeight]` (Keras's 3-tuple). `null`
   * is none.
   */
  validationData?: DatasetLike | [Tensor | Tensor[], Tensor | Tensor[]] | [Tensor | Tensor[], Tensor | Tensor[], SampleWeight | null] | null | undefined;
  /**
   * With a validation dataset: the batches of it used each epoch (each epoch a new pass). Default:
   * all of one pass; an endless validation dataset (size `Infinity`, after `repeat()`) needs it.
   * A dataset that gives fewer is used as it is, with one `console.warn` (as TF.js): before
   * training when its size says so, else at the first short validation.
   */
  validationBatches?: number | undefined;
  /** With validation tensors: the batch size of their evaluation. Default 32. */
  validationBatchSize?: number | undefined;
}

/** Options of `evaluateDataset`, as TF.js's `ModelEvaluateDatasetArgs` (with `evaluate`'s `returnDict`). */
export interface EvaluateDatasetArgs {
  /**
   * Batches to evaluate. Default: all of one pass; an endless dataset (size `Infinity`, after
   * `repeat()`) needs it. A dataset that ends first is evaluated on the batches it gave, with a
   * `console.warn` (as TF.js).
   */
  batches?: number | undefined;
  /** As `evaluate`'s: 1, 2, `true` or `'auto'` print one line with the results (Keras's last progress line); default 0, nothing (TF.js accepts only 0). */
  verbose?: Verbose | undefined;
  /** Numbers by name (as `evaluate`'s `returnDict`) instead of scalar tensors. */
  returnDict?: boolean | undefined;
}

/**
 * @internal What the checks of `fitDataset`'s arguments give its loop (`fitOnDataset` in
 * `fit-dataset-loop.ts`): the options read, and the validation tensors joined for the core.
 */
export interface FitDatasetPlan {
  dataset: DatasetLike;
  loop: LoopArgs;
  batchesPerEpoch: number | null;
  /** The dataset's size when known (a number), else null. */
  size: number | null;
  valDataset: DatasetLike | null;
  valBatches: number | null;
  valX: Tensor | null;
  valY: Tensor | null;
  /** The validation tensors' sample weights (the core's form), or null. */
  valW: Tensor | null;
  valBatchSize: number;
  outputNames: string[] | null;
  classWeights: ReturnType<typeof readClassWeights>;
}

const EVALUATE_KEYS: ReadonlyArray<keyof EvaluateDatasetArgs> = ['batches', 'verbose', 'returnDict'];

/** `fit` options that have no place in `fitDataset`, and where their job is done instead. */
const MISPLACED: Record<string, string> = {
  batchSize: "the dataset's elements are the batches: batch it with dataset.batch(batchSize)",
  shuffle: 'shuffle the dataset itself, before batch(): dataset.shuffle(bufferSize, seed)',
  seed: "seed the dataset's shuffle: dataset.shuffle(bufferSize, seed)",
  validationSplit: 'pass validationData (a dataset or [x, y]); TF.js does not take validationSplit in fitDataset either',
};

/**
 * `model.evaluateDataset` behind its `inOp`: checks the options and the dataset, then loads the
 * dataset chunk and runs its loop. The loss and metrics (means over the batches, weighted by
 * their samples), in the core's order, and whether to return them by name. `dataset` may also
 * be an iterator (TF.js's `LazyIterator`): it is read from where it stands and left open.
 */
export async function evaluateDatasetLoop(model: Sequential, dataset: unknown, args: EvaluateDatasetArgs): Promise<{ values: number[]; returnDict: boolean }> {
  const op = 'evaluateDataset';
  model.compiledInfo(op);
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new InvalidArgumentError(`${op}: options must be an object like { batches: 10 }, got ${describeElement(args)}`);
  for (const k of optionKeys(op, args)) if (!(EVALUATE_KEYS as readonly string[]).includes(k)) throw unknownOption(op, k, EVALUATE_KEYS);
  const batches = args.batches === undefined || args.batches === null ? null : intOption(op, 'batches', args.batches, 1);
  const verbose = readVerbose(op, args.verbose, 0);
  const returnDict = args.returnDict ?? false;
  if (typeof returnDict !== 'boolean') throw new InvalidArgumentError(`${op}: returnDict must be true or false, got ${describeElement(returnDict)}`);
  const given = dataset as { next?: unknown; iterator?: unknown } | null;
  const isIterator = given !== null && typeof given === 'object' && typeof given.next === 'function' && typeof given.iterator !== 'function';
  if (!isIterator && !isDataset(dataset)) throw new InvalidArgumentError(`${op}: dataset must be a Dataset (data.array, data.zip, data.generator, …), got ${describeElement(dataset)}`);
  if (!isIterator && batches === null && (dataset as DatasetLike).size === Infinity) {
    throw new InvalidArgumentError(`${op}: the dataset is endless (size Infinity, e.g. after repeat()), so the evaluation would never end; pass batches (the number of batches to evaluate), or evaluate a dataset without repeat()`);
  }
  const { evaluateOnDataset } = await dataChunk(op);
  const t0 = performance.now();
  const values = await evaluateOnDataset(model, dataset, isIterator, batches);
  if (verbose !== 0) model.printResults(verbose, values, batches, performance.now() - t0);
  return { values, returnDict };
}

/**
 * `model.fitDataset` behind its checks of the model's state (the model is compiled, not
 * training, its trainable flags synced): checks the options and the dataset, joins validation
 * tensors, then loads the dataset chunk and runs the training loop.
 */
export async function fitDatasetLoop(model: Sequential, dataset: unknown, args: FitDatasetArgs): Promise<History> {
  const op = 'fitDataset';
  model.compiledInfo(op);
  for (const k of optionKeys(op, args)) {
    if (Object.hasOwn(MISPLACED, k)) throw new InvalidArgumentError(`${op}: ${k} is not an option of fitDataset: ${MISPLACED[k]}`);
    if (!(FIT_DATASET_KEYS as readonly string[]).includes(k)) throw unknownOption(op, k, FIT_DATASET_KEYS);
  }
  if (!isDataset(dataset)) {
    const hint = dataset instanceof Tensor ? '; to train on tensors use fit(x, y), or make a dataset: data.zip({ xs: data.array(xs), ys: data.array(ys) }).batch(32)' : '';
    throw new InvalidArgumentError(`${op}: dataset must be a Dataset (data.array, data.zip, data.generator, …), got ${describeElement(dataset)}${hint}`);
  }
  const loop = readLoopArgs(op, args);
  const bpe = args.batchesPerEpoch === undefined || args.batchesPerEpoch === null ? null : intOption(op, 'batchesPerEpoch', args.batchesPerEpoch, 1);
  const size = typeof dataset.size === 'number' ? dataset.size : null;
  if (bpe === null && size === Infinity) throw new InvalidArgumentError(`${op}: the dataset is endless (size Infinity, e.g. after repeat()), so an epoch would never end; pass batchesPerEpoch`);
  const vd = args.validationData ?? null;
  const valDataset = vd !== null && isDataset(vd) ? vd : null;
  if (vd !== null && valDataset === null && (!Array.isArray(vd) || vd.length < 2 || vd.length > 3)) {
    throw new InvalidArgumentError(`${op}: validationData must be a dataset of { xs, ys } batches or [x, y] (or [x, y, sampleWeight]) tensors, got ${describeElement(vd)}`);
  }
  let valBatches: number | null = null;
  if (args.validationBatches !== undefined && args.validationBatches !== null) {
    if (valDataset === null) throw new InvalidArgumentError(`${op}: validationBatches applies to validationData given as a dataset${vd === null ? ', and there is no validationData' : '; for [x, y] tensors use validationBatchSize'}`);
    valBatches = intOption(op, 'validationBatches', args.validationBatches, 1);
  }
  if (valDataset !== null && valBatches === null && valDataset.size === Infinity) {
    throw new InvalidArgumentError(`${op}: validationData is an endless dataset (size Infinity, e.g. after repeat()), so each validation would never end; pass validationBatches (the batches of it to evaluate each epoch), or validate on a dataset without repeat()`);
  }
  let valBatchSize = 32;
  if (args.validationBatchSize !== undefined && args.validationBatchSize !== null) {
    if (vd === null || valDataset !== null) throw new InvalidArgumentError(`${op}: validationBatchSize applies to validationData given as [x, y] tensors${vd === null ? ', and there is no validationData' : '; a validation dataset is evaluated one element (batch) at a time, use validationBatches to limit it'}`);
    valBatchSize = batchSizeOf(op, args.validationBatchSize);
  }
  const outputNames = model.isPacked && model.outputs.length > 1 ? model.outputs.map((t) => t.sourceLayer.name) : null;
  const classWeights = readClassWeights(args.classWeight, outputNames, op);

  // Validation tensors, joined for the core as fit does (a model with several inputs or outputs).
  const owned: Tensor[] = [];
  let valX: Tensor | null = null, valY: Tensor | null = null, valW: Tensor | null = null;
  if (vd !== null && valDataset === null) {
    const [vx, vy, vw] = vd as [unknown, unknown, unknown];
    try {
      [valX, valY] = model.coreData(op, vx, vy, owned, ['validationData[0]', 'validationData[1]']);
      need(op, 'validationData[0]', valX);
      need(op, 'validationData[1]', valY);
      checkSamples(`${op}: validationData`, valX, valY, 'x', 'y');
      valW = model.sampleWeightTensor(op, vw, valX, owned, 'validationData[2]');
    } catch (err) {
      for (const t of owned) t.dispose();
      throw err;
    }
  }
  try {
    const { fitOnDataset } = await dataChunk(op);
    return await fitOnDataset(model, { dataset, loop, batchesPerEpoch: bpe, size, valDataset, valBatches, valX, valY, valW, valBatchSize, outputNames, classWeights });
  } finally {
    for (const t of owned) t.dispose();
  }
}
