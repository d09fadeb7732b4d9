/**
 * A model's artifacts from what `model.ts` read at the call ({@link ArtifactsSnapshot}): the
 * Keras config, the weights in TF.js's order, the compile call as neurite's record and as
 * TF.js's trainingConfig where TF.js can hold it, and the training state. In the storage chunk.
 */
import { encodeWeights, type ModelArtifacts } from './artifacts.js';
import { GENERATED_BY, type ArtifactsSnapshot } from './model.js';
import { fileFingerprint, tfOptimizerParts, tfTrainingConfig, trainingStateParts } from './training.js';

/** @internal The artifacts of `s`. */
export function artifactsOf(s: ArtifactsSnapshot): ModelArtifacts {
  const neurite: Record<string, unknown> = {};
  const a: ModelArtifacts = { modelTopology: s.topology, format: 'layers-model', generatedBy: GENERATED_BY, convertedBy: null };
  const weights = s.weights.slice();
  let tf: ReturnType<typeof tfTrainingConfig> = null;
  let iter: number | undefined;
  if (s.compiled) {
    const p = s.compiled.tf;
    tf = tfTrainingConfig(p.loss, p.lossSpec, p.metrics, p.optimizer, p.many);
    if (tf && p.learningRate !== undefined) tf.optimizer_config.config.learningRate = p.learningRate;
    neurite.compile = s.compiled.record;
    if (tf && !s.state) a.trainingConfig = tf;
  }
  if (s.state) {
    const parts = trainingStateParts(s.state);
    neurite.training = parts.json;
    // In TF.js's form when it can hold the state exactly: TF.js then recompiles from
    // trainingConfig and resumes too. Otherwise neurite's own form and no trainingConfig (TF.js
    // would hand those slots to its optimizer's setWeights, another layout).
    const tfSlots = tf ? tfOptimizerParts(s.state, s.inOrder) : null;
    if (tfSlots) a.trainingConfig = tf!;
    weights.push(...(tfSlots ?? parts.weights));
    iter = tfSlots ? s.state.step : undefined;
  }
  const { specs, data } = encodeWeights(weights);
  a.weightSpecs = specs;
  a.weightData = data;
  // What the record goes with: loadModel sets it aside once another tool has re-saved the file.
  if (s.compiled) neurite.wrote = fileFingerprint(a.trainingConfig, specs.filter((w) => w.group === 'optimizer'), iter);
  // The user's metadata, with neurite's own record beside it (its key is refused there).
  const user = s.user;
  if (user !== undefined || Object.keys(neurite).length > 0) a.userDefinedMetadata = { ...user, ...(Object.keys(neurite).length > 0 ? { neurite } : {}) };
  return a;
}
