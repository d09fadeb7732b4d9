/**
 * Weight initializers (Keras names), all seeded through the model's seed. Pass a name
 * (`'heNormal'`) or a configured object (`initializers.randomNormal({ stddev: 0.1 })`).
 * Mirrors `crates/core/src/initializers.rs`; `INITIALIZERS` (ABI id = index) is compared with
 * Rust's `Initializer::KIND_NAMES` by `test/codes.test.ts`.
 */
import { InvalidArgumentError } from '../errors.js';

export const INITIALIZERS = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

/** A configured initializer. */
export interface Initializer {
  readonly name: InitializerName;
  readonly params: readonly [number, number];
}
export type InitializerSpec = InitializerName | Initializer;

const make = (name: InitializerName, a = 0, b = 0): Initializer => ({ name, params: [a, b] });

/** Initializer factories, as `tf.initializers`. */
export const initializers = {
  zeros: () => make('zeros'),
  ones: () => make('ones'),
  constant: ({ value = 0 }: { value?: number } = {}) => make('constant', value),
  randomUniform: ({ minval = -0.05, maxval = 0.05 }: { minval?: number; maxval?: number } = {}) => make('randomUniform', minval, maxval),
  randomNormal: ({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}) => make('randomNormal', mean, stddev),
  truncatedNormal: ({ mean = 0, stddev = 0.05 }: { mean?: number; stddev?: number } = {}) => make('truncatedNormal', mean, stddev),
  glorotUniform: () => make('glorotUniform'),
  glorotNormal: () => make('glorotNormal'),
  heUniform: () => make('heUniform'),
  heNormal: () => make('heNormal'),
  lecunUniform: () => make('lecunUniform'),
  lecunNormal: () => make('lecunNormal'),
};

/** @internal `[kind, p0, p1]` for the ABI. */
export function initializerAbi(op: string, field: string, spec: InitializerSpec): number[] {
  const init = typeof spec === 'string' ? (INITIALIZERS.includes(spec) ? make(spec, ...defaults(spec)) : null) : spec;
  if (!init || !INITIALIZERS.includes(init.name)) {
    throw new InvalidArgumentError(`${op}: unknown ${field} ${JSON.stringify(typeof spec === 'string' ? spec : (spec as Initializer)?.name)}; valid: ${INITIALIZERS.join(', ')}`);
  }
  return [INITIALIZERS.indexOf(init.name), init.params[0], init.params[1]];
}

function defaults(name: InitializerName): [number, number] {
  if (name === 'randomUniform') return [-0.05, 0.05];
  if (name === 'randomNormal' || name === 'truncatedNormal') return [0, 0.05];
  return [0, 0];
}
