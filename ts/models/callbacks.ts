/**
 * Training callbacks: hooks on train/epoch/batch begin and end, plus `earlyStopping`,
 * `terminateOnNaN` and `reduceLROnPlateau`. A callback is any object with some of the hook
 * methods; hooks may be async (fit awaits them).
 */
import { InvalidArgumentError } from '../errors.js';

/** Values reported to callbacks: `loss`, each metric, and `val_*` after validation. */
export type Logs = Record<string, number>;

/** The part of a model a callback may steer (`Sequential` implements it). */
export interface TrainingModel {
  stopTraining: boolean;
  /** Current learning rate; setting it rescales the compiled schedule. */
  learningRate: number;
  getWeights(): import('../tensor.js').Tensor[];
  setWeights(w: import('../tensor.js').Tensor[]): void;
}

/** Hooks called by `fit`. All optional. */
export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
}

/** A base class for callbacks that need the model (`this.model` is set by `fit`). */
export class Callback {
  model!: TrainingModel;
  /** @internal */
  setModel(m: TrainingModel): void {
    this.model = m;
  }
}

type Mode = 'min' | 'max' | 'auto';

function better(mode: Mode, monitor: string, minDelta: number) {
  const m = mode === 'auto' ? (/acc|accuracy/.test(monitor) ? 'max' : 'min') : mode;
  return m === 'min' ? (a: number, b: number) => a < b - minDelta : (a: number, b: number) => a > b + minDelta;
}

export interface EarlyStoppingArgs {
  /** The log to watch. Default `'val_loss'`. */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (TF.js and Keras). Default 0: stop at the first. */
  patience?: number;
  /** Smallest change that counts as improvement. Default 0. */
  minDelta?: number;
  /** `'min'`, `'max'` or `'auto'` (max for accuracies). Default `'auto'`. */
  mode?: Mode;
  /** Put back the weights of the best epoch when stopping. Default `false`. */
  restoreBestWeights?: boolean;
}

/** Stops training when `monitor` stops improving. */
export class EarlyStopping extends Callback {
  readonly args: Required<EarlyStoppingArgs>;
  /** The epoch training stopped at, or 0. */
  stoppedEpoch = 0;
  #best = NaN;
  #wait = 0;
  #bestWeights: import('../tensor.js').Tensor[] | null = null;
  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.args = { monitor: 'val_loss', patience: 0, minDelta: 0, mode: 'auto', restoreBestWeights: false, ...args };
    if (!Number.isInteger(this.args.patience) || this.args.patience < 0) throw new InvalidArgumentError(`earlyStopping: patience must be a non-negative integer, got ${this.args.patience}`);
  }
  onTrainBegin(): void {
    this.#best = NaN;
    this.#wait = 0;
    this.stoppedEpoch = 0;
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const v = logs[this.args.monitor];
    if (v === undefined) {
      throw new InvalidArgumentError(`earlyStopping: monitor '${this.args.monitor}' is not in the logs (${Object.keys(logs).join(', ')}); pass validation data for val_* monitors`);
    }
    if (Number.isNaN(this.#best) || better(this.args.mode, this.args.monitor, Math.abs(this.args.minDelta))(v, this.#best)) {
      this.#best = v;
      this.#wait = 0;
      if (this.args.restoreBestWeights) {
        this.#bestWeights?.forEach((t) => t.dispose());
        this.#bestWeights = this.model.getWeights();
      }
      return;
    }
    this.#wait++;
    if (this.#wait >= this.args.patience) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.args.restoreBestWeights && this.#bestWeights) this.model.setWeights(this.#bestWeights);
    }
  }
  onTrainEnd(): void {
    this.#bestWeights?.forEach((t) => t.dispose());
    this.#bestWeights = null;
  }
}

/** Stops training as soon as the loss is NaN or infinite. */
export class TerminateOnNaN extends Callback {
  onBatchEnd(_batch: number, logs: Logs = {}): void {
    if (logs.loss !== undefined && !Number.isFinite(logs.loss)) this.model.stopTraining = true;
  }
}

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  /** Multiply the learning rate by this on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement first. Default 10. */
  patience?: number;
  minDelta?: number;
  mode?: Mode;
  /** Epochs to wait after a reduction. Default 0. */
  cooldown?: number;
  /** Lower bound. Default 0. */
  minLr?: number;
}

/** Lowers the learning rate when `monitor` stops improving. */
export class ReduceLROnPlateau extends Callback {
  readonly args: Required<ReduceLROnPlateauArgs>;
  #best = NaN;
  #wait = 0;
  #cool = 0;
  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.args = { monitor: 'val_loss', factor: 0.1, patience: 10, minDelta: 1e-4, mode: 'auto', cooldown: 0, minLr: 0, ...args };
    if (!(this.args.factor > 0 && this.args.factor < 1)) throw new InvalidArgumentError(`reduceLROnPlateau: factor must be in (0, 1), got ${this.args.factor}`);
  }
  onTrainBegin(): void {
    this.#best = NaN;
    this.#wait = 0;
    this.#cool = 0;
  }
  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const v = logs[this.args.monitor];
    if (v === undefined) throw new InvalidArgumentError(`reduceLROnPlateau: monitor '${this.args.monitor}' is not in the logs (${Object.keys(logs).join(', ')})`);
    if (this.#cool > 0) this.#cool--;
    if (Number.isNaN(this.#best) || better(this.args.mode, this.args.monitor, this.args.minDelta)(v, this.#best)) {
      this.#best = v;
      this.#wait = 0;
    } else if (this.#cool === 0 && ++this.#wait >= this.args.patience) {
      const lr = this.model.learningRate;
      this.model.learningRate = Math.max(lr * this.args.factor, this.args.minLr);
      this.#cool = this.args.cooldown;
      this.#wait = 0;
    }
  }
}

/** Callback factories, as `tf.callbacks`. */
export const callbacks = {
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  terminateOnNaN: () => new TerminateOnNaN(),
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args),
};
