// Optimizer settings that tests run one by one (step bits, state round trips): each kind, with
// the options that add state (momentum, nesterov, amsgrad, centered, decay).
import * as nr from '../ts/index.js';

/** One of each optimizer and state-changing option, by name. */
export const OPTIMIZER_SETTINGS: ReadonlyArray<readonly [string, () => nr.Optimizer]> = [
  ['sgd', () => nr.optimizers.sgd(0.05)],
  ['momentum', () => nr.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 })],
  ['nesterov', () => nr.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
  ['adam', () => nr.optimizers.adam(0.01)],
  ['adam amsgrad', () => nr.optimizers.adam({ learningRate: 0.01, amsgrad: true })],
  ['adamw', () => nr.optimizers.adamw({ learningRate: 0.01, weightDecay: 0.1 })],
  ['rmsprop', () => nr.optimizers.rmsprop(0.01)],
  ['rmsprop centered momentum', () => nr.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true })],
  ['adagrad', () => nr.optimizers.adagrad(0.1)],
  ['adamax decay', () => nr.optimizers.adamax({ learningRate: 0.02, decay: 0.1 })],
  ['adadelta', () => nr.optimizers.adadelta(1)],
];
