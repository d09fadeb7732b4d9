/**
 * `train.*`: the TF.js names of the optimizer factories (`tf.train.sgd`, `tf.train.momentum`,
 * `tf.train.adam`, `tf.train.rmsprop`, `tf.train.adagrad`, `tf.train.adamax`,
 * `tf.train.adadelta`), so that `tf.train.adam(0.01)` ports as `train.adam(0.01)`. They are the
 * functions of {@link optimizers}: each also takes an options object.
 */
export { sgd, momentum, adam, rmsprop, adagrad, adamax, adadelta } from './optimizers.js';
