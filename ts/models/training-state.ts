/**
 * Training state export and import: what a compiled model needs, beside its weights, to
 * continue training exactly where it stopped (Keras's `include_optimizer`).
 *
 * The state lives in WebAssembly with the model's trainer (`neurite_core::model::Trainer`):
 * the optimizer's slots per weight (Adam's `m` and `v`, momentum's accumulation, …), the
 * number of optimizer steps taken (the learning-rate schedule's position and Adam's bias
 * correction), the seed of the training randomness, and the factor `reduceLROnPlateau` (or
 * setting `model.learningRate`) puts on the scheduled rate. Everything else that shapes the
 * next steps is a pure function of what is restored: the shuffle of epoch `e` depends on the
 * model seed, `fit`'s `seed` and `e` only, and dropout, gaussianNoise, saltAndPepper and
 * variational masks on the seed and the step number only. So after
 * `setWeights(saved)` and `importTrainingState(model, state)`,
 * `fit(x, y, { epochs: 5, initialEpoch: 3, seed })` gives bit for bit the weights of one
 * uninterrupted `fit(x, y, { epochs: 5, seed })`.
 *
 * @example
 * await model.fit(x, y, { epochs: 3, seed: 1 });
 * const state = exportTrainingState(model), weights = model.getWeights();
 * // ... later, or in another process: the same architecture, compiled the same way
 * fresh.setWeights(weights);
 * fresh.compile({ optimizer: 'adam', loss: 'mse' });
 * importTrainingState(fresh, state);
 * await fresh.fit(x, y, { epochs: 5, initialEpoch: 3, seed: 1 });
 */
import { argPtr, call, check, readArgs, readString, withWords, words } from '../engine.js';
import { InvalidArgumentError, NeuriteError, ShapeError } from '../errors.js';
import { attachedArg, describe, firstNonFinite } from '../ops/convert.js';
import { didYouMean, unknownOption } from '../options.js';
import { runOp } from '../ops/run.js';
import { tensor } from '../ops/creation.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, type OptimizerConfig } from '../optimizers.js';
import { LearningRateSchedule } from '../schedules.js';
import { OPTIMIZERS, SCHEDULES, type OptimizerName, type ScheduleName } from '../wasm/codes.js';
import { Sequential } from './sequential.js';
import { epochsCompleted, setEpochsCompleted } from './fit.js';
import { weightSpecs } from './weights.js';

/**
 * A compiled model's training state, JSON-able except for the `Float32Array`s of `tensors`
 * (which a model file stores as binary weights). Made by {@link exportTrainingState}, taken
 * by {@link importTrainingState}.
 */
export interface TrainingState {
  /** The compiled optimizer's config (`optimizer.getConfig()`, with the learning rate as compiled: `extra.lrScale` holds what changed it since): name, learning rate or schedule config, options, clipping. */
  optimizer: unknown;
  /** Optimizer steps taken (the next step is `step + 1`; the schedule's position). */
  step: number;
  /**
   * Everything else resume needs, as numbers and strings:
   * - `formatVersion`: 1;
   * - `seed`: the seed of the training randomness (dropout and noise masks; with `fit`'s
   *   `seed` and the epoch, the shuffles) — the model's seed when it was compiled;
   * - `lrScale`: the factor on the scheduled learning rate (1 unless `reduceLROnPlateau` or
   *   `model.learningRate = …` changed it);
   * - `epochsCompleted` (when the model was trained with `fit`): the epochs `fit` completed
   *   on the model, counted on across `fit` calls (see `FitArgs.initialEpoch`): the
   *   `initialEpoch` to continue with;
   * - `applySteps` (when the model ran `apply(x, { training: true })`, as a custom training
   *   loop does): how many such calls it made, which keys their dropout and noise draws, so a
   *   resumed custom loop draws what the uninterrupted one would.
   */
  extra: Record<string, number | string>;
  /**
   * The optimizer's slots, for every weight in `getWeights()` order and every slot in the
   * optimizer's order, named `<weightName>/<slot>` (e.g. `dense_1/kernel/m`), each of its
   * weight's shape. Slot names follow TF.js: sgd with momentum `momentum`; adam and adamw
   * `m`, `v` (and `vhat` with amsgrad, as Keras); rmsprop `rms` (then `momentum` with
   * momentum, `mg` when centered); adagrad `accumulator`; adamax `m`, `v`; adadelta
   * `accum_grad`, `accum_var`. Plain sgd has none. A weight not
   * updated yet carries the fresh state its first update would start from (zeros; adagrad's
   * initial accumulator). `importTrainingState` also takes each `data` as an array of numbers
   * (a state stored as JSON with `Array.from(data)`), rounded to float32.
   */
  tensors: Array<{ name: string; shape: number[]; data: Float32Array }>;
}

const OP_EXPORT = 'exportTrainingState';
const OP_IMPORT = 'importTrainingState';
const STATE_KEYS = ['optimizer', 'step', 'extra', 'tensors'] as const;
const EXTRA_KEYS = ['formatVersion', 'seed', 'lrScale', 'epochsCompleted', 'applySteps'] as const;
const FORMAT_VERSION = 1;

/** The Rust-side header: step, seed, lrScale, weight count, slots per value, optimizer id, training-mode applies, slot names. */
interface Header {
  step: number;
  seed: number;
  lrScale: number;
  weights: number;
  slots: number;
  kind: number;
  applies: number;
  slotNames: string[];
}

/** @internal The optimizer steps a compiled model's trainer has taken and the factor on its scheduled rate (`lrScale`), without its slots. */
export function trainingPosition(h: number, op: string): { step: number; lrScale: number } {
  const { step, lrScale } = readHeader(h, op);
  return { step, lrScale };
}

/** @internal The optimizer steps a compiled model's trainer has taken (exact, unlike `nr_model_lr`'s f32). */
export function trainingStep(h: number, op: string): number {
  return readHeader(h, op).step;
}

function readHeader(h: number, op: string): Header {
  return call((e) => {
    check(e.nr_model_train_state(h, argPtr()));
    const w = readArgs(11);
    const names = readString(e.nr_last_error_ptr(), e.nr_last_error_len());
    // Steps and seeds above 2^53 cannot happen from JS (seeds are safe integers; 2^53 steps
    // would take centuries), but the JSON form must never round one.
    if (w[1] >= 2 ** 21 || w[3] >= 2 ** 21 || w[10] >= 2 ** 21) throw new InvalidArgumentError(`${op}: the step, the seed or the count of applies is above 2^53 and does not fit in a JavaScript number`);
    return {
      step: w[0] + w[1] * 2 ** 32,
      seed: w[2] + w[3] * 2 ** 32,
      lrScale: new Float64Array(Uint32Array.of(w[4], w[5]).buffer)[0],
      weights: w[6],
      slots: w[7],
      kind: w[8],
      applies: w[9] + w[10] * 2 ** 32,
      slotNames: names === '' ? [] : names.split(','),
    };
  });
}

/** The model, checked to be a live, built and compiled `Sequential`; returns its handle. */
function compiledHandle(op: string, model: unknown): { model: Sequential; h: number } {
  if (!(model instanceof Sequential)) throw new InvalidArgumentError(`${op}: model must be a sequential model (or an autoencoder), got ${describe(model)}`);
  model.compiledInfo(op); // disposed, or not compiled: a clear error
  return { model, h: model.handle(op) };
}

/**
 * The training state of a compiled model: optimizer slots, step count, seed and learning-rate
 * scale (see {@link TrainingState}). With `getWeights()`, it is everything needed to continue
 * training bit-identically, in this runtime or another one: save both, then in a model of the
 * same architecture compiled with the same optimizer, `setWeights` and
 * {@link importTrainingState}. `save(…, { includeOptimizer: true })` stores it in the model
 * file.
 *
 * The tensors are copies: the state does not change as training continues.
 *
 * @throws {InvalidArgumentError} if `model` is not a model, is disposed, or is not compiled.
 *
 * @example
 * await model.fit(x, y, { epochs: 3, seed: 1 });
 * const state = exportTrainingState(model); // { optimizer, step, extra, tensors }
 */
export function exportTrainingState(model: Sequential): TrainingState {
  const { model: m, h } = compiledHandle(OP_EXPORT, model);
  const info = m.compiledInfo(OP_EXPORT);
  const head = readHeader(h, OP_EXPORT);
  const tensors: TrainingState['tensors'] = [];
  const { names, shapes, order } = weightsInOrder(OP_EXPORT, m, h);
  if (head.slots > 0) {
    order.forEach((i, j) => {
      const n = shapes[j].reduce((a, b) => a * b, 1);
      // The core keeps the slots by its own weight index.
      const t: Tensor = runOp((e, out) => e.nr_model_get_slots(h, i, out));
      let all: Float32Array;
      try {
        all = t.data();
      } finally {
        t.dispose();
      }
      head.slotNames.forEach((slot, k) => {
        tensors.push({ name: `${names[j]}/${slot}`, shape: shapes[j].slice(), data: all.slice(k * n, (k + 1) * n) });
      });
    });
  }
  const extra: Record<string, number | string> = { formatVersion: FORMAT_VERSION, seed: head.seed, lrScale: head.lrScale };
  const done = epochsCompleted(m);
  if (done !== undefined) extra.epochsCompleted = done;
  if (head.applies > 0) extra.applySteps = head.applies;
  // The compiled rate: `lrScale` carries what changed it since.
  return { optimizer: info.optimizer.compiledConfig(), step: head.step, extra, tensors };
}

/**
 * The names and shapes of `m`'s weights in `getWeights()` order (TF.js's), and `order`: the
 * core's index of each (the core keeps the optimizer's slots by its own index).
 */
function weightsInOrder(op: string, m: Sequential, h: number): { names: string[]; shapes: number[][]; order: number[] } {
  const { order } = m.tfWeightOrder(op);
  const names = m.coreWeightNames(op);
  const shapes = weightSpecs(op, { handle: h, path: [] }).map((w) => w.shape);
  return { names: order.map((i) => names[i]), shapes: order.map((i) => shapes[i]), order };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
const isFloat32Array = (v: unknown): v is Float32Array => Object.prototype.toString.call(v) === '[object Float32Array]';
const integerIn = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/**
 * Restores a training state from {@link exportTrainingState} into a compiled model, so that
 * the next `fit` (with `initialEpoch` set to where the first run stopped, and the same `fit`
 * seed) continues exactly as the first run would have. Restore the weights separately
 * (`setWeights`), before or after.
 *
 * What must match, checked before anything changes (a failed import leaves the model as it
 * was):
 * - the optimizer kind (`state.optimizer.name`) and its slot layout (e.g. momentum or not,
 *   amsgrad or not) — its hyper-parameters may differ: as in Keras, the model's own compiled
 *   optimizer settings are used from here on (a lower learning rate for fine-tuning is fine);
 * - the weights: one tensor per weight and slot, in `getWeights()` order, whose names end in
 *   the weight's own name and the slot (`…/kernel/m`) and whose shapes are the weight's. The
 *   layer part of a name may differ: generated layer names (`dense_1`, `dense_2`, …) differ
 *   between two models of one architecture built in one program, so tensors are matched by
 *   position, as Keras and TF.js load optimizer weights;
 * - the numbers: `step` and `extra.seed` integers in [0, 2^53], `extra.lrScale` >= 0 and
 *   finite, every slot value finite, and non-negative where the optimizer keeps squares
 *   (`v`, `vhat`, `rms`, `accumulator`).
 *
 * The seed of the training randomness comes with the state, so the model continues the
 * first run's dropout masks and shuffles even if it was created with another seed.
 *
 * @throws {InvalidArgumentError} (or {@link ShapeError} for a shape) naming the field, e.g.
 * `importTrainingState: tensors[3].name …`.
 *
 * @example
 * fresh.setWeights(weights);
 * fresh.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
 * importTrainingState(fresh, state);
 * await fresh.fit(x, y, { epochs: 5, initialEpoch: state.extra.epochsCompleted as number, seed: 1 });
 */
export function importTrainingState(model: Sequential, state: TrainingState): void {
  const op = OP_IMPORT;
  const { model: m, h } = compiledHandle(op, model);
  const info = m.compiledInfo(op);
  if (!isPlainObject(state)) throw new InvalidArgumentError(`${op}: state must be an object { optimizer, step, extra, tensors } from exportTrainingState, got ${describe(state)}`);
  for (const k of Object.keys(state)) if (!(STATE_KEYS as readonly string[]).includes(k)) throw unknownOption(op, k, STATE_KEYS, 'field');
  for (const k of STATE_KEYS) if (state[k] === undefined) throw new InvalidArgumentError(`${op}: state.${k} is missing (a state has ${STATE_KEYS.join(', ')})`);

  // The optimizer kind.
  const opt = state.optimizer as unknown;
  if (!isPlainObject(opt) || typeof opt.name !== 'string') throw new InvalidArgumentError(`${op}: state.optimizer must be an optimizer config { name, learningRate, … }, got ${describe(opt)}`);
  if (opt.name !== info.optimizer.name) {
    throw new InvalidArgumentError(`${op}: state.optimizer is ${JSON.stringify(opt.name)} but model ${m.name} is compiled with ${info.optimizer.name}; compile it with ${JSON.stringify(opt.name)} (optimizerFromConfig(state.optimizer) rebuilds it)`);
  }
  if (!integerIn(state.step, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`${op}: state.step must be an integer in [0, 2^53), got ${describe(state.step)}`);

  // extra
  const extra = state.extra as unknown;
  if (!isPlainObject(extra)) throw new InvalidArgumentError(`${op}: state.extra must be an object, got ${describe(extra)}`);
  for (const [k, v] of Object.entries(extra)) {
    if (!(EXTRA_KEYS as readonly string[]).includes(k)) throw unknownOption(op, k, EXTRA_KEYS, 'state.extra field');
    if (typeof v !== 'number' && typeof v !== 'string') throw new InvalidArgumentError(`${op}: state.extra.${k} must be a number or a string, got ${describe(v)}`);
  }
  if (extra.formatVersion !== FORMAT_VERSION) throw new InvalidArgumentError(`${op}: state.extra.formatVersion must be ${FORMAT_VERSION} (this version of neurite reads only that), got ${describe(extra.formatVersion)}`);
  if (!integerIn(extra.seed, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`${op}: state.extra.seed must be an integer in [0, 2^53), got ${describe(extra.seed)}`);
  const lrScale = extra.lrScale;
  if (typeof lrScale !== 'number' || !(lrScale >= 0) || !Number.isFinite(Math.fround(lrScale))) throw new InvalidArgumentError(`${op}: state.extra.lrScale must be a finite number >= 0, got ${describe(lrScale)}`);
  if (extra.epochsCompleted !== undefined && !integerIn(extra.epochsCompleted, 0x7fffffff)) throw new InvalidArgumentError(`${op}: state.extra.epochsCompleted must be an integer in [0, 2^31), got ${describe(extra.epochsCompleted)}`);
  if (extra.applySteps !== undefined && !integerIn(extra.applySteps, Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError(`${op}: state.extra.applySteps must be an integer in [0, 2^53), got ${describe(extra.applySteps)}`);

  // tensors: one per weight and slot, in order.
  const head = readHeader(h, op);
  const list = state.tensors as unknown;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${op}: state.tensors must be an array of { name, shape, data }, got ${describe(list)}`);
  const { names, shapes, order } = weightsInOrder(op, m, h);
  const want = head.weights * head.slots;
  if (list.length !== want) {
    const layout = head.slots === 0 ? `${info.optimizer.name} as compiled keeps no state` : `${head.weights} weights × ${head.slots} slots (${head.slotNames.join(', ')})`;
    throw new InvalidArgumentError(`${op}: state.tensors has ${list.length} tensors but model ${m.name} needs ${want}: ${layout}; was the state saved from another architecture or optimizer setting?`);
  }
  const flat: Float32Array[] = [];
  for (let i = 0; i < head.weights; i++) {
    const n = shapes[i].reduce((a, b) => a * b, 1);
    const buf = new Float32Array(head.slots * n);
    const param = names[i].slice(names[i].lastIndexOf('/') + 1);
    head.slotNames.forEach((slot, k) => {
      const at = i * head.slots + k;
      const t = list[at] as unknown;
      const where = `state.tensors[${at}]`;
      if (!isPlainObject(t)) throw new InvalidArgumentError(`${op}: ${where} must be { name, shape, data }, got ${describe(t)}`);
      const stray = Object.keys(t).find((key) => key !== 'name' && key !== 'shape' && key !== 'data');
      if (stray !== undefined) throw unknownOption(op, stray, ['name', 'shape', 'data'], `${where} field`);
      if (ArrayBuffer.isView(t.data)) attachedArg(op, `${where}.data`, t.data);
      const suffix = `/${param}/${slot}`;
      if (typeof t.name !== 'string' || !t.name.endsWith(suffix)) {
        throw new InvalidArgumentError(`${op}: ${where}.name is ${typeof t.name === 'string' ? JSON.stringify(t.name) : describe(t.name)} but it must be slot '${slot}' of weight ${i} (${names[i]}), a name ending in '${suffix}'${didYouMean(t.name, [`${names[i]}/${slot}`])}`);
      }
      const shape = t.shape as unknown;
      if (!Array.isArray(shape) || shape.length !== shapes[i].length || shape.some((d, j) => d !== shapes[i][j])) {
        throw new ShapeError(`${op}: ${where} (${t.name}) has shape ${Array.isArray(shape) ? `[${shape.map((d) => describe(d)).join(', ')}]` : describe(shape)} but weight ${names[i]} has shape [${shapes[i].join(', ')}]`);
      }
      const data = jsonData(t.data);
      if (data === null) {
        // JSON.stringify writes a Float32Array as { "0": …, "1": … }.
        const hint = isPlainObject(t.data) && '0' in t.data ? ' (JSON.stringify writes a Float32Array as an object of indices: store Array.from(data) instead)' : '';
        throw new InvalidArgumentError(`${op}: ${where}.data (${t.name}) must be a Float32Array or an array of numbers, got ${describe(t.data)}${hint}`);
      }
      if (data.length !== n) throw new ShapeError(`${op}: ${where}.data (${t.name}) has ${data.length} values but shape [${shapes[i].join(', ')}] needs ${n}`);
      const bad = firstNonFinite(data);
      if (bad >= 0) throw new InvalidArgumentError(`${op}: ${where}.data (${t.name}) holds ${data[bad]} at index ${bad}; optimizer state must be finite`);
      buf.set(data, k * n);
    });
    flat.push(buf);
  }

  // Into WebAssembly: one tensor per weight (slot-major), in the core's order, checked again
  // and copied by Rust, then freed here whatever happens.
  const made: Tensor[] = [];
  const inCore: Float32Array[] = [];
  order.forEach((i, j) => (inCore[i] = flat[j]));
  try {
    const hs: number[] = [];
    for (const buf of inCore) {
      if (buf.length === 0) {
        hs.push(0); // no state (an optimizer without slots, or an empty weight)
        continue;
      }
      const t = tensor(buf, [buf.length]);
      made.push(t);
      hs.push(t.handleFor(op, 'state.tensors'));
    }
    const seed = extra.seed as number;
    // A state without applySteps (saved before it was kept, or with none made) counts from 0.
    const applies = (extra.applySteps as number | undefined) ?? 0;
    const header = [state.step % 2 ** 32, Math.floor(state.step / 2 ** 32), seed % 2 ** 32, Math.floor(seed / 2 ** 32), ...f64Words(lrScale), head.kind, head.slots, applies % 2 ** 32, Math.floor(applies / 2 ** 32)];
    const all = [...header, ...hs];
    call((e) =>
      withWords(op, all.length, (ptr) => {
        words(ptr, all.length).set(all);
        check(e.nr_model_set_train_state(h, ptr, header.length, ptr + 4 * header.length, hs.length));
      }),
    );
  } finally {
    for (const t of made) t.dispose();
  }
  setEpochsCompleted(m, extra.epochsCompleted as number | undefined);
  m.setTrainingSeed(extra.seed as number);
}

/**
 * A slot's values as float32: a Float32Array as it is, an array of numbers (a state that went
 * through JSON, as `setWeights` takes them) rounded to float32; `null` for anything else.
 */
function jsonData(v: unknown): Float32Array | null {
  if (isFloat32Array(v)) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Float32Array.from(v as number[]);
  return null;
}

/** A float64's bits as two u32 words, low first (the core's header order). */
function f64Words(v: number): [number, number] {
  const w = new Uint32Array(Float64Array.of(v).buffer);
  return [w[0], w[1]];
}

/**
 * Rebuilds an optimizer from its config (`optimizer.getConfig()`, as `state.optimizer`
 * holds it): the same kind, options, clipping and learning rate or schedule.
 *
 * @example model.compile({ optimizer: optimizerFromConfig(state.optimizer), loss: 'mse' });
 */
export function optimizerFromConfig(config: unknown): Optimizer {
  const op = 'optimizerFromConfig';
  if (!isPlainObject(config) || typeof config.name !== 'string') throw new InvalidArgumentError(`${op}: config must be an optimizer config { name, learningRate, … } (optimizer.getConfig()), got ${describe(config)}`);
  const { name, learningRate, ...options } = config as OptimizerConfig;
  if (!(OPTIMIZERS as readonly string[]).includes(name)) throw new InvalidArgumentError(`${op}: unknown optimizer ${JSON.stringify(name)}${didYouMean(name, OPTIMIZERS)} (known: ${OPTIMIZERS.join(', ')})`);
  try {
    let lr: number | LearningRateSchedule | undefined;
    if (isPlainObject(learningRate)) {
      const { name: sName, ...sOptions } = learningRate as Record<string, unknown>;
      if (typeof sName !== 'string' || !(SCHEDULES as readonly string[]).includes(sName)) {
        throw new InvalidArgumentError(`${op}: learningRate.name must be one of ${SCHEDULES.join(', ')}, got ${describe(sName)}${didYouMean(sName, SCHEDULES)}`);
      }
      lr = new LearningRateSchedule(sName as ScheduleName, sOptions);
    } else {
      lr = learningRate as number | undefined;
    }
    return new Optimizer(name as OptimizerName, { ...options, ...(lr === undefined ? {} : { learningRate: lr }) });
  } catch (err) {
    // The factories name themselves (`optimizers.adam: …`); say which call met them.
    if (err instanceof NeuriteError && !err.message.startsWith(`${op}:`)) err.message = `${op}: ${err.message}`;
    throw err;
  }
}
