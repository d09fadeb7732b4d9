/**
 * `train.*`: the TF.js names of the optimizer factories (`tf.train.sgd`, `tf.train.momentum`,
 * `tf.train.adam`, `tf.train.rmsprop`, `tf.train.adagrad`), so that `tf.train.adam(0.01)` ports
 * as `train.adam(0.01)`. They are the functions of {@link optimizers}: each also takes an
 * options object. TF.js's `adadelta` and `adamax` do not exist in neurite yet.
 */
export { sgd, momentum, adam, rmsprop, adagrad } from './optimizers.js';
