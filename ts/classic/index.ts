/**
 * Classic networks from first principles: the neuron, the perceptron, linear stacks, and
 * radial-basis-function networks (with k-means and least squares). Mirrors
 * `crates/core/src/classic/`.
 */
export { neuron, Neuron, type NeuronArgs } from './neuron.js';
export { perceptron, Perceptron, type PerceptronArgs, type PerceptronFitArgs, type PerceptronFitResult, type PerceptronOutput } from './perceptron.js';
export { kmeans, type KMeansArgs, type KMeansResult } from './kmeans.js';
export { leastSquares, type LeastSquaresArgs } from './least_squares.js';
export { rbfNetwork, RBFNetwork, rbfFeatures, rbfWidths, type RBFNetworkArgs, type RBFNetworkFitArgs, type RBFNetworkFitResult, type RbfWidthsArgs } from './rbf.js';
export { collapseLinear } from './linear.js';
