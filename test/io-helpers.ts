// Shared by the storage-handler suites (test/io-*.test.ts): a tmp folder per file, hand-made
// artifacts with deterministic weights, folders written by hand, a fetch over a folder, and
// checks that a call failed with an InvalidArgumentError.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { InvalidArgumentError } from '../ts/errors.js';
import { getLoadHandler, getSaveHandler, type IOHandler, type ModelArtifacts, type WeightSpec } from '../ts/io/router.js';

export const root = mkdtempSync(join(tmpdir(), 'neurite-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh folder under the test's tmp dir. */
export const fresh = (name = 'm') => join(root, `${name}-${n++}`);

/** Deterministic float32 values (not all representable as short decimals, so byte-exactness is a real check). */
export function values(count: number, seed: number): Float32Array<ArrayBuffer> {
  const v = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 2 ** 32 - 0.5) * 3.7;
  }
  return v;
}

/** Hand-made artifacts: a dense 3→4 kernel and bias, an optimizer slot, metadata of every kind. */
export function artifacts(): ModelArtifacts {
  const specs: WeightSpec[] = [
    { name: 'dense_1/kernel', shape: [3, 4], dtype: 'float32' },
    { name: 'dense_1/bias', shape: [4], dtype: 'float32' },
    { name: 'dense_1/kernel/m', shape: [3, 4], dtype: 'float32', group: 'optimizer' },
  ];
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { units: 4 } }] }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
    format: 'layers-model',
    generatedBy: 'neurite test',
    convertedBy: null,
    weightSpecs: specs,
    weightData: values(28, 7).buffer,
    trainingConfig: { loss: 'meanSquaredError', optimizer_config: { class_name: 'Adam', config: { learning_rate: 0.01 } } },
    userDefinedMetadata: { epoch: 3, note: 'äöü ✓' },
  };
}

/** The error `fn` rejects with, checked to be a `cls` (an InvalidArgumentError unless said). */
export async function rejection<E extends Error = InvalidArgumentError>(fn: () => Promise<unknown>, cls: abstract new (...a: never[]) => E = InvalidArgumentError as never): Promise<E> {
  const e = await fn().then(() => undefined, (err: unknown) => err);
  expect(e, 'expected a rejection').toBeInstanceOf(cls);
  return e as E;
}
export function thrown(fn: () => unknown): InvalidArgumentError {
  let e: unknown;
  try { fn(); } catch (err) { e = err; }
  expect(e, 'expected a throw').toBeInstanceOf(InvalidArgumentError);
  return e as InvalidArgumentError;
}

export const save = (target: string | IOHandler, a: ModelArtifacts = artifacts()) => getSaveHandler(target, 'save').save!(a);
export const load = (source: string | IOHandler) => getLoadHandler(source, 'loadModel').load!();

/** Writes a folder: model.json (an object, or raw text) and binary files. */
export function folder(json: unknown, files: Record<string, Uint8Array> = {}): string {
  const dir = fresh('hand');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}
/** The weight bytes of loaded artifacts (always one ArrayBuffer from these handlers). */
export const bytes = (a: unknown) => new Uint8Array(a as ArrayBuffer);
export const f32 = (count: number, seed = 1) => new Uint8Array(values(count, seed).buffer);
export const spec = (name: string, shape: number[]): WeightSpec => ({ name, shape, dtype: 'float32' });

/** A fetch over the files of `dir` at http://models.test/…, recording every URL asked for. */
export function fetchFrom(dir: string) {
  const asked: string[] = [];
  const fetchFunc = async (url: string): Promise<Response> => {
    asked.push(url);
    const path = new URL(url).pathname.slice(1);
    try {
      return new Response(readFileSync(join(dir, decodeURIComponent(path))), { status: 200 });
    } catch {
      return new Response('not found', { status: 404, statusText: 'Not Found' });
    }
  };
  return { asked, fetchFunc };
}
