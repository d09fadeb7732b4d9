// The TS enum tables must match the Rust enums member for member (one source of truth: Rust).
import { describe, expect, it } from 'vitest';
import './setup.js';
import { raw } from '../ts/engine.js';
import { BINARY_OPS, EnumKind, REDUCE_OPS, STATUS, UNARY_OPS } from '../ts/wasm/codes.js';
import { ACTIVATION_PARAMS, ACTIVATIONS } from '../ts/wasm/codes.js';

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
  it('unary ops', () => expect(rustNames(EnumKind.UnaryOp)).toEqual([...UNARY_OPS]));
  it('binary ops', () => expect(rustNames(EnumKind.BinaryOp)).toEqual([...BINARY_OPS]));
  it('reduce ops', () => expect(rustNames(EnumKind.ReduceOp)).toEqual([...REDUCE_OPS]));
  it('activations', () => expect(rustNames(EnumKind.Activation)).toEqual([...ACTIVATIONS]));
  it('activation parameters and defaults', () => {
    const table = ACTIVATION_PARAMS as Partial<Record<string, ReadonlyArray<readonly [string, number]>>>;
    const ts = ACTIVATIONS.flatMap((kind) => (table[kind] ?? []).map(([p, d]) => `${kind}.${p}=${d}`));
    expect(rustNames(EnumKind.ActivationParam)).toEqual(ts);
  });
});
