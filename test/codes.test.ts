// The TS enum tables must match the Rust enums member for member (one source of truth: Rust).
import { describe, expect, it } from 'vitest';
import './setup.js';
import { raw } from '../ts/engine.js';
import { errorFromStatus } from '../ts/errors.js';
import { CODEC } from '../ts/compression/bytes.js';
import { WAVELETS } from '../ts/compression/dwt.js';
import { BINARY_OPS, EnumKind, REDUCE_OPS, STATUS, UNARY_OPS } from '../ts/wasm/codes.js';
import { ACTIVATION_PARAMS, ACTIVATIONS, OPTIMIZERS } from '../ts/wasm/codes.js';
import { LAYER_KINDS } from '../ts/layers/layer.js';
import { INITIALIZERS } from '../ts/layers/initializers.js';
import { RBF_KERNELS } from '../ts/layers/rbf.js';
import { METRICS } from '../ts/models/compile.js';
import { CLIP_MODES, OPTIMIZER_PARAMS } from '../ts/optimizers.js';
import { OPTIONS as LOSS_OPTIONS, REDUCTIONS } from '../ts/options.js';
import { SPECS as SCHEDULE_SPECS } from '../ts/schedules.js';
import { LOSSES, SCHEDULES } from '../ts/wasm/codes.js';
import { CONSTRAINT_OPTIONS, CONSTRAINT_PARAMS, CONSTRAINTS } from '../ts/constraints.js';
import { LIMITS } from '../ts/compression/limits.js';

function rustNames(kind: number): string[] {
  const e = raw();
  const names: string[] = [];
  for (let id = 0; id < 1000; id++) {
    if (e.nr_enum_name(kind, id) !== 0) break;
    names.push(new TextDecoder().decode(new Uint8Array(e.memory.buffer, e.nr_last_error_ptr(), e.nr_last_error_len())));
  }
  return names;
}

describe('ABI enum tables', () => {
  it('status codes', () => expect(rustNames(EnumKind.Status)).toEqual([...STATUS]));
  it('codec ids and wavelets', () => {
    expect(rustNames(EnumKind.Codec)).toEqual(Object.entries(CODEC).sort((a, b) => a[1] - b[1]).map(([k]) => k));
    expect(Object.values(CODEC)).toEqual(Object.keys(CODEC).map((_, i) => i));
    expect(rustNames(EnumKind.Wavelet)).toEqual([...WAVELETS]);
  });
  it('each status becomes its error class (by name, so a renumbered status cannot pick the wrong one)', () => {
    const classes: Partial<Record<(typeof STATUS)[number], string>> = {
      InvalidArgument: 'InvalidArgumentError', ShapeMismatch: 'ShapeError', InvalidHandle: 'DisposedError', OutOfMemory: 'OutOfMemoryError', Internal: 'NeuriteError', NonFinite: 'NonFiniteError',
    };
    STATUS.forEach((name, i) => {
      if (name === 'Ok' || name === 'Panic') return; // not errors from a message (a panic is a WasmPanicError, engine.ts)
      const err = errorFromStatus(i, 'm');
      // A dead handle is a tensor disposed during the call (the facade checked it before): DisposedError's code.
      expect([err.constructor.name, err.code], name).toEqual([classes[name], name === 'InvalidHandle' ? 'Disposed' : name]);
    });
  });
  it('unary ops', () => expect(rustNames(EnumKind.UnaryOp)).toEqual([...UNARY_OPS]));
  it('binary ops', () => expect(rustNames(EnumKind.BinaryOp)).toEqual([...BINARY_OPS]));
  it('reduce ops', () => expect(rustNames(EnumKind.ReduceOp)).toEqual([...REDUCE_OPS]));
  it('activations', () => expect(rustNames(EnumKind.Activation)).toEqual([...ACTIVATIONS]));
  it('activation parameters and defaults', () => {
    const table = ACTIVATION_PARAMS as Partial<Record<string, ReadonlyArray<readonly [string, number]>>>;
    const ts = ACTIVATIONS.flatMap((kind) => (table[kind] ?? []).map(([p, d]) => `${kind}.${p}=${d}`));
    expect(rustNames(EnumKind.ActivationParam)).toEqual(ts);
  });
  it('layer kinds', () => expect(rustNames(EnumKind.LayerKind)).toEqual([...LAYER_KINDS]));
  it('loss reductions', () => expect(rustNames(EnumKind.Reduction)).toEqual([...REDUCTIONS]));
  it('metrics', () => expect(rustNames(EnumKind.Metric)).toEqual([...METRICS]));
  it('initializers', () => expect(rustNames(EnumKind.Initializer)).toEqual([...INITIALIZERS]));
  it('rbf kernels', () => expect(rustNames(EnumKind.RbfKernel)).toEqual([...RBF_KERNELS]));
  it('clipping modes (0 is none)', () => expect(rustNames(EnumKind.ClipMode)).toEqual(['none', ...CLIP_MODES]));
  it('optimizer parameters, in ABI order', () => {
    expect(rustNames(EnumKind.OptimizerParam)).toEqual(OPTIMIZERS.flatMap((o) => OPTIMIZER_PARAMS[o].map((p) => `${o}.${p}`)));
  });
  it('losses, optimizers and schedules', () => {
    expect(rustNames(EnumKind.Loss)).toEqual([...LOSSES]);
    expect(rustNames(EnumKind.Optimizer)).toEqual([...OPTIMIZERS]);
    expect(rustNames(EnumKind.Schedule)).toEqual([...SCHEDULES]);
  });
  it('loss parameters, in ABI order', () => {
    const table = LOSS_OPTIONS as Partial<Record<string, ReadonlyArray<readonly [string, unknown]>>>;
    expect(rustNames(EnumKind.LossParam)).toEqual(LOSSES.flatMap((l) => (table[l] ?? []).map(([p]) => `${l}.${p}`)));
  });
  it('schedule parameters, in ABI order', () => {
    expect(rustNames(EnumKind.ScheduleParam)).toEqual(SCHEDULES.flatMap((s) => Object.keys(SCHEDULE_SPECS[s]).map((p) => `${s}.${p}`)));
  });
  it('constraint kinds, parameters and options', () => {
    expect(rustNames(EnumKind.Constraint)).toEqual([...CONSTRAINTS]);
    expect(rustNames(EnumKind.ConstraintParam)).toEqual(CONSTRAINTS.flatMap((c) => CONSTRAINT_PARAMS[c].map(([p]) => `${c}.${p}`)));
    expect(rustNames(EnumKind.ConstraintOption)).toEqual([...CONSTRAINT_OPTIONS]);
  });
  it('the limits the facade checks before calling', () => {
    expect(rustNames(EnumKind.Limit)).toEqual(Object.entries(LIMITS).map(([k, v]) => `${k}=${v}`));
  });
  it('every family ends where its table does (an unknown id is an error, not a name)', () => {
    const e = raw();
    for (const kind of Object.values(EnumKind)) {
      const n = rustNames(kind).length;
      expect(n).toBeGreaterThan(0);
      expect(e.nr_enum_name(kind, n)).not.toBe(0);
    }
  });
});
