/**
 * The classic networks in TF.js's artifact format, as custom model classes TF.js does not know:
 * - `neurite>Perceptron`: config `{ inputs, output, learning_rate, threshold, seed }`, weights
 *   `perceptron/weights` (`[inputs]`) and `perceptron/bias` (`[]`);
 * - `neurite>RBFNetwork`: config `{ centers, kernel, seed, neighbors, width_scale, l2,
 *   max_iterations, model }` with `model` the fitted `[rbf, dense]` Sequential's config (or
 *   `null` before `fit`), and that model's weights.
 */
import type { Perceptron } from '../classic/perceptron.js';
import type { RBFNetwork } from '../classic/rbf.js';
import type { Sequential } from '../models/sequential.js';
import { encodeWeights, type ModelArtifacts } from './artifacts.js';
import { CUSTOM } from './keras.js';
import { GENERATED_BY, sequentialToArtifacts } from './model.js';
import { NEURITE_VERSION, type ModelConfig } from './topology.js';

const wrap = (class_name: string, config: Record<string, unknown>): ModelConfig => ({ class_name, config, keras_version: `neurite ${NEURITE_VERSION}`, backend: 'neurite' });

/** @internal The config of a perceptron. */
export function perceptronConfig(p: Perceptron): ModelConfig {
  return wrap(`${CUSTOM}Perceptron`, { inputs: p.inputs, output: p.output, learning_rate: p.learningRate, threshold: p.threshold, seed: p.seed });
}

/** @internal A perceptron's artifacts. */
export async function perceptronToArtifacts(p: Perceptron): Promise<ModelArtifacts> {
  const { specs, data } = encodeWeights([
    { name: 'perceptron/weights', shape: [p.inputs], data: Float32Array.from(p.weights) },
    { name: 'perceptron/bias', shape: [], data: Float32Array.of(p.bias) },
  ]);
  return { modelTopology: perceptronConfig(p), format: 'layers-model', generatedBy: GENERATED_BY, convertedBy: null, weightSpecs: specs, weightData: data };
}

/** @internal The config of an RBF network (with its fitted model's, or `null`). */
export function rbfNetworkConfig(n: RBFNetwork, model: Sequential | null): ModelConfig {
  return wrap(`${CUSTOM}RBFNetwork`, {
    centers: n.units, kernel: n.kernel, seed: n.seed, neighbors: n.neighbors, width_scale: n.widthScale, l2: n.l2, max_iterations: n.maxIterations,
    model: model ? model.getConfig() : null,
  });
}

/** @internal An RBF network's artifacts: its config and its fitted model's weights. */
export async function rbfNetworkToArtifacts(n: RBFNetwork, model: Sequential | null): Promise<ModelArtifacts> {
  const config = rbfNetworkConfig(n, model);
  if (!model) {
    const { specs, data } = encodeWeights([]);
    return { modelTopology: config, format: 'layers-model', generatedBy: GENERATED_BY, convertedBy: null, weightSpecs: specs, weightData: data };
  }
  const inner = await sequentialToArtifacts(model);
  return { ...inner, modelTopology: config };
}
