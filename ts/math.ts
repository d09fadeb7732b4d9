/**
 * `math`: TF.js's `tf.math` namespace — `confusionMatrix` (the only op TF.js keeps there).
 */
export { confusionMatrix } from './ops/confusion_matrix.js';
