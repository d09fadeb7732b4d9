/**
 * TF.js's order of a model's weights — what `model.getWeights()`, `setWeights`, `model.weights`,
 * `weightNames()` and saved files list — from the core's order, which `weights.ts` reads by
 * index: the layers in turn (nested models expanded), each layer's weights in its own order.
 *
 * TF.js (tfjs-layers 4.22, `Container.weights` in `engine/container.js` and the `Layer` getters
 * in `engine/topology.js`): `weights = trainableWeights.concat(nonTrainableWeights)`, each list
 * built over the model's layers, recursively. For a layer with weights trainable by nature
 * (`own`: a kernel, batch normalization's gamma and beta) and state (the moving statistics):
 * - a layer is trainable (T = own, N = state), or frozen — its `trainable` is false, or its
 *   model is frozen: TF.js's `container.trainable = false` also freezes the weights of the
 *   container's own layers — (T = [], N = own ++ state);
 * - a model is trainable (T = its layers' T, N = its layers' N, each concatenated), or frozen
 *   (T = [], N = its layers' T ++ its layers' N; a model nested inside keeps its own T).
 *
 * So `[dense, batchNormalization, prelu]` lists `kernel, bias, gamma, beta, alpha, moving_mean,
 * moving_variance`; a frozen layer's weights come after every trainable one; a frozen nested
 * model of two batch normalizations lists the first one's four weights, then the second's.
 *
 * A graph model's layers are in TF.js's order ({@link tfLayerOrder}): by depth from the
 * outputs, deepest first, layers of one depth in the order a walk from the outputs first
 * reaches them. That is not always neurite's `layers` order (each layer after what it reads).
 */

/**
 * @internal A model as TF.js's weight lists see it: a layer, with each of its weights' index in
 * the core's order and whether it is trainable by nature (not a moving statistic); or a model,
 * with its layers in TF.js's order.
 */
export type WeightTree =
  | { trainable: boolean; weights: ReadonlyArray<{ index: number; own: boolean }> }
  | { trainable: boolean; children: readonly WeightTree[] };

/**
 * @internal The core's weight indices in TF.js's order (see the module doc), and how many of
 * them, first, are trainable (`model.trainableWeights`; the rest are `nonTrainableWeights`).
 */
export function tfWeightOrder(tree: WeightTree): { order: number[]; trainable: number } {
  const { t, n } = lists(tree, false);
  return { order: [...t, ...n], trainable: t.length };
}

/** TF.js's `trainableWeights` (t) and `nonTrainableWeights` (n) of `node`; `parentFrozen`: its model is frozen. */
function lists(node: WeightTree, parentFrozen: boolean): { t: number[]; n: number[] } {
  if ('weights' in node) {
    const own = node.weights.filter((w) => w.own).map((w) => w.index);
    const state = node.weights.filter((w) => !w.own).map((w) => w.index);
    return node.trainable && !parentFrozen ? { t: own, n: state } : { t: [], n: [...own, ...state] };
  }
  // A frozen model freezes the weights of its own layers, not those inside a nested model.
  const parts = node.children.map((c) => lists(c, !node.trainable));
  const t = parts.flatMap((p) => p.t);
  const n = parts.flatMap((p) => p.n);
  return node.trainable ? { t, n } : { t: [], n: [...t, ...n] };
}

/**
 * @internal The index into a graph model's `layers` of the layer that makes value `v`, as
 * graph.rs numbers values: `0 .. k` the inputs (layers `0 .. k`), `k + i` layer `k + i`'s first
 * use, `k + n + e` the further use `extraUses[e]` of layer `k + layer`.
 */
export function valueLayer(k: number, n: number, extraUses: ReadonlyArray<{ layer: number }>, v: number): number {
  return v < k + n ? v : k + extraUses[v - k - n].layer;
}

/**
 * @internal TF.js's `model.layers` order of a graph model (`Container`'s constructor in
 * tfjs-layers `engine/container.js`), as indices into neurite's `layers`: values `0 .. k` are
 * the inputs (layers `0 .. k`), value `k + i` is layer `k + i`'s first use, which reads
 * `wiring[i]`, and value `k + n + e` is the further use `extraUses[e]` of layer `k + layer`;
 * the model outputs `outputs`. Each use is a node of TF.js's graph. A walk from each output in
 * turn numbers the layers as it first reaches them and lists the nodes after what they read;
 * in reverse, each node's depth is the longest way to an output (a layer takes its deepest
 * node's); the layers are sorted by depth, deepest first, then by that number.
 */
export function tfLayerOrder(k: number, wiring: readonly (readonly number[])[], extraUses: ReadonlyArray<{ layer: number; inputs: readonly number[] }>, outputs: readonly number[]): number[] {
  const n = wiring.length;
  const layerOf = (v: number): number => valueLayer(k, n, extraUses, v);
  const reads = (v: number): readonly number[] => (v < k ? [] : v < k + n ? wiring[v - k] : extraUses[v - k - n].inputs);
  const reached = new Map<number, number>();
  const done = new Set<number>();
  const post: number[] = [];
  // Depth-first on a stack of its own (recursion overflowed the call stack on a long chain).
  const walk = (root: number): void => {
    const path: Array<{ v: number; reads: readonly number[]; next: number }> = [];
    const enter = (v: number): void => {
      if (done.has(v)) return;
      if (!reached.has(layerOf(v))) reached.set(layerOf(v), reached.size);
      path.push({ v, reads: reads(v), next: 0 });
    };
    enter(root);
    while (path.length > 0) {
      const top = path[path.length - 1];
      if (top.next < top.reads.length) enter(top.reads[top.next++]);
      else {
        path.pop();
        done.add(top.v);
        post.push(top.v);
      }
    }
  };
  for (const o of outputs) walk(o);
  const nodeDepth = new Map<number, number>();
  const layerDepth = new Map<number, number>();
  for (const v of post.reverse()) {
    const d = Math.max(nodeDepth.get(v) ?? 0, layerDepth.get(layerOf(v)) ?? 0);
    layerDepth.set(layerOf(v), d);
    nodeDepth.set(v, d);
    for (const u of reads(v)) nodeDepth.set(u, Math.max(d + 1, nodeDepth.get(u) ?? 0));
  }
  return [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || reached.get(a)! - reached.get(b)!);
}
