/**
 * `perceptron`: Rosenblatt's perceptron, trained with the perceptron learning rule (not
 * gradient descent), with the pocket variant for data that is not linearly separable.
 * The state and the training loop live in WebAssembly (`crates/core/src/classic/perceptron.rs`,
 * where the rule is documented); this object holds one handle.
 */
import { argPtr, call, check, outPtr, readArgs, readOut } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';
import { describe, fromFlat } from '../ops/convert.js';
import { wrapHandle, type Tensor } from '../tensor.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../io/artifacts.js';
import { perceptronConfig, perceptronToArtifacts } from '../io/classic.js';
import { saveWith } from '../io/model.js';
import type { ModelConfig } from '../io/topology.js';
import { boolOption, checkKeys, intOption, listOption, numberOption, OwnedHandle, seedWords, tensorArg } from './common.js';
import { drawSeed } from '../ops/random.js';
import type { WebURL } from '../web-types.js';

(Symbol as { dispose?: symbol }).dispose ??= Symbol.for('Symbol.dispose');

/** The output conventions: `'bipolar'` outputs −1 or 1, `'binary'` outputs 0 or 1. */
export type PerceptronOutput = 'bipolar' | 'binary';

/** Options of {@link perceptron}: its inputs, output convention, learning rate, threshold and starting weights. */
export interface PerceptronArgs {
  /** The number of inputs (positive integer). */
  inputs: number;
  /** Default `'bipolar'`. Training labels must use the same convention. */
  output?: PerceptronOutput | undefined;
  /** η in `w ← w + η·(t − ŷ)·x` and `b ← b + η·(t − ŷ)`. Default 1. */
  learningRate?: number | undefined;
  /** θ: the output is 1 when `w·x + b > θ`. Default 0. */
  threshold?: number | undefined;
  /**
   * Seeds the per-epoch sample order. Default: drawn from the global generator when the
   * perceptron is made (see `setSeed`), so two unseeded perceptrons visit the samples in
   * different orders and the same program after the same `setSeed` repeats them; `seed`
   * tells the one drawn, and a saved perceptron keeps it.
   */
  seed?: number | undefined;
  /** Starting weights (one per input): numbers, or a 1-D tensor (its values are copied). Default zeros. */
  weights?: ArrayLike<number> | Tensor | undefined;
  /** Starting bias. Default 0. */
  bias?: number | undefined;
}

/** Options of {@link Perceptron.fit}. */
export interface PerceptronFitArgs {
  /**
   * Training stops after this many epochs even if the data is not separated. Default 100, at
   * most 1,000,000 (a run that has not separated the data by then never will; the result keeps
   * one error count per epoch).
   */
  maxEpochs?: number | undefined;
  /** Visit the samples in a seeded random order each epoch. Default `true`. */
  shuffle?: boolean | undefined;
  /**
   * Keep the best weights seen (fewest training mistakes) — for non-separable data. Default
   * `false`. The weights are scored on the whole training set after every update, so an
   * epoch costs one pass over the data per mistake: quadratic in the samples while many are
   * misclassified (20 features, 50 epochs: 2,000 samples ~0.3 s, 20,000 ~10 s, where 0.15 s
   * without it). On large data, fit the pocket on a subsample.
   */
  pocket?: boolean | undefined;
}

/** What {@link Perceptron.fit} reports. */
export interface PerceptronFitResult {
  /** Whether an epoch went by without a mistake (the data is linearly separated). */
  converged: boolean;
  /** Epochs run, including the clean one when converged; `maxEpochs` when not converged. */
  epochs: number;
  /** The mistakes (= weight updates) made in each epoch. */
  errorsPerEpoch: number[];
  /** Training-set mistakes of the final weights (the pocket's when `pocket: true`). */
  errors: number;
}

const FIT_KEYS = ['maxEpochs', 'shuffle', 'pocket'] as const;

/**
 * A perceptron: `ŷ = 1` if `w·x + b > θ`, else −1 (`bipolar`) or 0 (`binary`).
 * Free it with `dispose()` (or `using`).
 */
export class Perceptron {
  /** The number of inputs. */
  readonly inputs: number;
  /** `'bipolar'` (outputs −1 or 1) or `'binary'` (0 or 1). */
  readonly output: PerceptronOutput;
  /** η in `w ← w + η·(t − ŷ)·x` and `b ← b + η·(t − ŷ)` (t the label). */
  readonly learningRate: number;
  /** θ: the output is high when `w·x + b > θ`. */
  readonly threshold: number;
  /** The seed of the per-epoch sample order: the one given, or the one drawn when the perceptron was made. */
  readonly seed: number;
  readonly #h: OwnedHandle;

  constructor(args: PerceptronArgs) {
    const a = checkKeys('perceptron', args, ['inputs', 'output', 'learningRate', 'threshold', 'seed', 'weights', 'bias'], true);
    this.inputs = intOption('perceptron', 'inputs', a.inputs, 1, (1 << 24) - 1);
    const output = a.output ?? 'bipolar';
    if (output !== 'bipolar' && output !== 'binary') {
      throw new InvalidArgumentError(`perceptron: output must be 'bipolar' (−1/1) or 'binary' (0/1), got ${describe(output)}`);
    }
    this.output = output;
    this.learningRate = numberOption('perceptron', 'learningRate', a.learningRate ?? 1, (v) => v > 0, 'a finite number > 0');
    this.threshold = numberOption('perceptron', 'threshold', a.threshold ?? 0, () => true, 'a finite number');
    if (a.seed !== undefined) seedWords('perceptron', a.seed);
    let weights: number[] | null = null;
    if (a.weights !== undefined) {
      const w = listOption('perceptron', 'weights', a.weights, [1])?.values;
      if (w === undefined) throw new InvalidArgumentError(`perceptron: weights must be an array of ${this.inputs} numbers or a 1-D tensor, got ${describe(a.weights)}`);
      weights = w as number[];
      if (weights.length !== this.inputs) throw new InvalidArgumentError(`perceptron: weights has ${weights.length} values but inputs is ${this.inputs}`);
      weights.forEach((v, i) => numberOption('perceptron', `weights[${i}]`, v, () => true, 'a finite number'));
    }
    const bias = numberOption('perceptron', 'bias', a.bias ?? 0, () => true, 'a finite number');
    // Drawn once the options are checked: a bad option leaves the global generator as it was.
    this.seed = (a.seed as number | undefined) ?? drawSeed('perceptron');
    const [lo, hi] = seedWords('perceptron', this.seed);
    const h = call((e) => {
      check(e.nr_perceptron_new(this.inputs, output === 'binary' ? 1 : 0, this.learningRate, this.threshold, lo, hi, outPtr(0)));
      return readOut(0);
    });
    this.#h = new OwnedHandle(this, h, 'perceptron', 'the perceptron', (e, h) => e.nr_perceptron_free(h));
    if (weights !== null || bias !== 0) {
      try {
        this.#setWeights(weights ?? new Array<number>(this.inputs).fill(0), bias);
      } catch (err) {
        this.dispose();
        throw err;
      }
    }
  }

  #setWeights(weights: number[], bias: number): void {
    const h = this.#h.live('perceptron');
    const w = fromFlat('perceptron', weights, [weights.length]);
    try {
      call((e) => check(e.nr_perceptron_set_weights(h, w.handleFor('perceptron', 'weights'), bias)));
    } finally {
      w.dispose();
    }
  }

  /** A copy of the weights, one per input. */
  get weights(): number[] {
    return this.#read().weights;
  }

  /** The bias. */
  get bias(): number {
    return this.#read().bias;
  }

  #read(): { weights: number[]; bias: number } {
    const h = this.#h.live('weights');
    const t = call((e) => {
      check(e.nr_perceptron_weights(h, outPtr(0), outPtr(1)));
      return wrapHandle(readOut(0));
    });
    const bias = new Float32Array(new Uint32Array([readOut(1)]).buffer)[0];
    try {
      return { weights: Array.from(t.data()), bias };
    } finally {
      t.dispose();
    }
  }

  /**
   * Trains with the perceptron rule on `x` (`[n, inputs]`) and labels `y` (`[n]` or `[n, 1]`,
   * each −1/1 or 0/1 as `output` says). Stops at the first epoch without a mistake, or after
   * `maxEpochs` — it never loops forever; `converged` says which.
   *
   * Each call continues from the current weights and bias — the starting ones, or where the
   * last `fit` left them — as the perceptron rule does online: calling `fit` again, on the same
   * or on new samples, goes on learning (on another task, from the old task's weights). Each
   * call's epochs take the same seeded sample orders (epoch 1 of every call is ordered alike),
   * and `pocket` starts from the current weights. To start over, create a new perceptron
   * (`perceptron({ …, weights, bias })` sets the starting point). `RBFNetwork.fit`, by
   * contrast, starts over.
   */
  fit(x: Tensor | ArrayLike<number>[], y: Tensor | ArrayLike<number>, args: PerceptronFitArgs = {}): PerceptronFitResult {
    const a = checkKeys('fit', args, FIT_KEYS);
    const maxEpochs = intOption('fit', 'maxEpochs', a.maxEpochs ?? 100, 1, 1e6);
    const shuffle = boolOption('fit', 'shuffle', a.shuffle ?? true);
    const pocket = boolOption('fit', 'pocket', a.pocket ?? false);
    const h = this.#h.live('fit');
    const xs = tensorArg('fit', 'x', x);
    let ys: { t: Tensor; temp: boolean } | null = null;
    try {
      ys = tensorArg('fit', 'y', y);
      const yt = ys.t;
      const [errs, info] = call((e) => {
        check(e.nr_perceptron_fit(h, xs.t.handleFor('fit', 'x'), yt.handleFor('fit', 'y'), maxEpochs, shuffle ? 1 : 0, pocket ? 1 : 0, outPtr(0), argPtr()));
        const info = readArgs(3); // before wrapHandle, which reuses the argument area
        return [wrapHandle(readOut(0)), info] as const;
      });
      const errorsPerEpoch = Array.from(errs.data());
      errs.dispose();
      return { converged: info[0] === 1, epochs: info[1], errorsPerEpoch, errors: info[2] };
    } finally {
      if (xs.temp) xs.t.dispose();
      if (ys?.temp) ys.t.dispose();
    }
  }

  /**
   * Predicted labels. A batch `[n, inputs]` gives a tensor `[n]`; one sample given as numbers
   * gives a number; a 1-d tensor gives a 0-d tensor.
   */
  predict(x: ArrayLike<number>): number;
  /** Predicted labels of a batch `[n, inputs]` (numbers or a tensor): a tensor `[n]` (a 0-d tensor for a 1-d tensor). */
  predict(x: ArrayLike<number>[] | Tensor): Tensor;
  predict(x: ArrayLike<number> | ArrayLike<number>[] | Tensor): number | Tensor {
    const h = this.#h.live('predict');
    const { t, temp } = tensorArg('predict', 'x', x);
    try {
      const y = call((e) => {
        check(e.nr_perceptron_predict(h, t.handleFor('predict', 'x'), outPtr(0)));
        return wrapHandle(readOut(0));
      });
      if (!temp || y.rank !== 0) return y;
      const v = y.item();
      y.dispose();
      return v;
    } finally {
      if (temp) t.dispose();
    }
  }

  /**
   * The perceptron's config as a Keras-style object `{ class_name: 'neurite>Perceptron',
   * config: { inputs, output, learning_rate, threshold, seed } }` (TF.js cannot load it).
   */
  getConfig(): ModelConfig {
    this.#h.live('getConfig');
    return perceptronConfig(this);
  }

  /**
   * The perceptron as artifacts in TF.js's format: its config and two weights,
   * `perceptron/weights` (`[inputs]`) and `perceptron/bias` (`[]`). Load with `loadModel`.
   */
  toArtifacts(): Promise<ModelArtifacts> {
    this.#h.live('toArtifacts');
    return perceptronToArtifacts(this);
  }

  /** Saves {@link Perceptron.toArtifacts} through a storage handler (a URL or `{ save }`). */
  save(target: string | WebURL | IOHandler): Promise<SaveResult> {
    return saveWith('save', target, async () => {
      this.#h.live('save');
      return perceptronToArtifacts(this);
    });
  }

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#h.isDisposed;
  }

  /** Frees the perceptron. Idempotent. */
  dispose(): void {
    this.#h.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Creates a perceptron (Rosenblatt 1958) with zero (or given) starting weights.
 *
 * @example
 * using p = perceptron({ inputs: 2, output: 'binary' });
 * const r = p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1], { maxEpochs: 20 }); // AND
 * r.converged; // true
 */
export function perceptron(args: PerceptronArgs): Perceptron {
  return new Perceptron(args);
}
