/**
 * Symbolic tensors: the values of a graph model before it exists. `input({ shape })` makes
 * one; `layer.apply(x)` (or `layer.apply([a, b])` for a merge layer) makes another, recording
 * the layer and what it reads; `model({ inputs, outputs })` turns the recorded graph into a
 * model. They hold no data and no WebAssembly memory (nothing to dispose).
 */
import { InvalidArgumentError } from '../errors.js';

let count = 0;

/** A value of a graph model being assembled (TF.js `SymbolicTensor`): its shape, no data. */
export class SymbolicTensor {
  /** The shape, `null` for the batch dimension: `[null, ...perSample]`. */
  readonly shape: Array<number | null>;
  readonly dtype = 'float32' as const;
  readonly name: string;
  /** A number unique to this symbolic tensor. */
  readonly id: number;
  /**
   * The layer (or model) that computes it; an `InputLayer` for an {@link input}. Typed as the
   * layer interface's name and kind to keep this module free of the layer classes.
   */
  readonly sourceLayer: { readonly name: string };
  /** The symbolic tensors its layer reads (none for an input). */
  readonly inputs: readonly SymbolicTensor[];

  /** @internal Made by `input()` and `layer.apply()`. */
  constructor(sourceLayer: { readonly name: string }, inputs: readonly SymbolicTensor[], perSample: readonly number[]) {
    this.id = ++count;
    this.sourceLayer = sourceLayer;
    this.inputs = inputs;
    this.shape = [null, ...perSample];
    this.name = `${sourceLayer.name}/out`;
  }

  /** The rank, batch included. */
  get rank(): number {
    return this.shape.length;
  }

  /** @internal The per-sample shape. */
  get sampleShape(): number[] {
    return this.shape.slice(1) as number[];
  }

  toString(): string {
    return `SymbolicTensor ${this.name} [${this.shape.map((d) => (d === null ? 'null' : d)).join(',')}]`;
  }
}

type Applier = (node: object, inputs: unknown) => SymbolicTensor;
let applier: Applier | null = null;

/** @internal Set by `functional.ts`, which knows the layer and model classes. */
export function setApplier(a: Applier): void {
  applier = a;
}

/** @internal `node.apply(inputs)` on symbolic inputs. */
export function applySymbolic(node: object, inputs: unknown): SymbolicTensor {
  if (!applier) throw new InvalidArgumentError('apply: the functional API is not loaded');
  return applier(node, inputs);
}

/** Whether `x` is a symbolic tensor or a list holding one. */
export function isSymbolic(x: unknown): boolean {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.some((v) => v instanceof SymbolicTensor));
}
