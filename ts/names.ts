/**
 * Generated names: `dense_1`, `dense_2`, … for layers, `sequential_1`, `model_1`,
 * `autoencoder_1` for models, `variable_1` for variables, one counter per prefix. Names must
 * stay unique among live objects (weights are found by name), so a given name of the generated
 * form moves its counter past it.
 */

const counters = new Map<string, number>();

/**
 * The next generated name of `prefix` (`dense_1`, `dense_2`, …; `sequential_1`,
 * `model_1` for models), past every name of that form seen so far (see {@link sawName}).
 */
export function nextName(prefix: string): string {
  const n = (counters.get(prefix) ?? 0) + 1;
  counters.set(prefix, n);
  return `${prefix}_${n}`;
}

/**
 * Records a given name (a loaded model's, a user's): one of the generated form
 * `<prefix>_<n>` moves `prefix`'s counter past `n`, so a layer made after a model is loaded
 * does not take a name the loaded one has (`dense_1/kernel` twice made `variableGrads`,
 * `applyGradients` and `optimizer.setWeights` refuse as ambiguous; TF.js renames the weights).
 */
export function sawName(name: string): void {
  const m = /^(.+)_([1-9]\d{0,8})$/.exec(name);
  if (m === null) return;
  const n = Number(m[2]);
  if (n > (counters.get(m[1]!) ?? 0)) counters.set(m[1]!, n);
}

/** The last layer or model id given (see {@link nextId}). */
let lastId = 0;

/** A layer's or model's `id`: a number no other layer or model of this program has (TF.js's `layer.id`). */
export function nextId(): number {
  return ++lastId;
}
