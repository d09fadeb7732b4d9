/**
 * The names weights go by outside the core: TF.js's and Keras's (`moving_mean`,
 * `depthwise_kernel`), in `layer.weights`, `weightNames()`, saved files and error messages.
 * The core names its parameters in camelCase (`movingMean`); one-word names are the same.
 */
const TFJS_NAMES: Readonly<Record<string, string>> = {
  movingMean: 'moving_mean', movingVariance: 'moving_variance',
  meanKernel: 'mean_kernel', meanBias: 'mean_bias', logVarKernel: 'log_var_kernel', logVarBias: 'log_var_bias',
  depthwiseKernel: 'depthwise_kernel', pointwiseKernel: 'pointwise_kernel',
};

/** @internal TF.js's name for the core's parameter `param` (`movingMean` → `moving_mean`). */
export function tfjsWeightName(param: string): string {
  return TFJS_NAMES[param] ?? param;
}
