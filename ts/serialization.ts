/**
 * TF.js's `tf.serialization`, for code ported from TF.js: `registerClass(cls)` is how TF.js
 * learns a custom layer, initializer, regularizer or constraint so that saved models can name
 * it. neurite runs and saves only its own classes, so a class with code of its own is refused
 * here, with what to use instead, before anything is built from it; a layer subclass that only
 * adds fields or methods (saved and loaded as its built-in class) needs no registration, and
 * registering it changes nothing.
 */
import { InvalidArgumentError } from './errors.js';
import { Layer, refuseRunOverrides } from './layers/layer.js';
import { describe } from './ops/convert.js';

/**
 * TF.js's `tf.serialization.registerClass(cls)`: returns `cls` for a layer subclass that adds
 * no code neurite would have to run; otherwise an `InvalidArgumentError` saying why (a custom
 * layer's `call`, `build` or `computeOutputShape` never runs in neurite's core) and what to use.
 *
 * @example serialization.registerClass(Antirectifier); // throws: custom layer code does not run in neurite: …
 */
export function registerClass<T extends { readonly prototype: unknown }>(cls: T): T {
  const c = cls as unknown;
  if (typeof c !== 'function') throw new InvalidArgumentError(`serialization.registerClass: cls must be a class, got ${describe(c)}`);
  const where = `serialization.registerClass(${c.name || 'class'})`;
  if (!((c.prototype as object) instanceof Layer)) {
    throw new InvalidArgumentError(`${where}: neurite saves and loads only its own classes (layers, initializers, regularizers, constraints, optimizers and schedules), so a class of your own cannot be registered: use the built-in ones (initializers.*, regularizers.*, constraints.*), or write the computation with tensor ops in a custom training loop`);
  }
  refuseRunOverrides(where, c as { readonly name: string; readonly prototype: object });
  if (typeof (c.prototype as { abiParams?: unknown }).abiParams !== 'function') {
    throw new InvalidArgumentError(`${where}: a subclass of Layer itself is none of neurite's layers, so it cannot be made, saved or loaded; a subclass of a built-in layer (class MyDense extends Dense) is saved and loaded as that layer`);
  }
  return cls;
}
