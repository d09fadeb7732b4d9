// The handlers' loaders on mutated valid folders (structure, text and file-size mutations,
// seeded): each load either returns weights that match their specs exactly or fails with an
// InvalidArgumentError naming the op (over http, a file the server lacks is its 404: an
// IOError), never a TypeError, RangeError or a hang.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, IOError } from '../ts/errors.js';
import { getLoadHandler } from '../ts/io/router.js';
import { browserFiles, http } from '../ts/io/router.js';
import { bytes, f32, fetchFrom, fresh, spec } from './io-helpers.js';
import { mulberry32 } from './rng.js';

describe('fuzz: mutated valid files load or fail with an InvalidArgumentError, never anything else', () => {
  const ODD: unknown[] = [null, -1, 0, 2.5, 1e20, 2 ** 53, NaN, '', 'x', '../w.bin', '/etc/passwd', '%2e%2e', [], {}, [1, 2], true, 'float64', 'int32', [2 ** 40, 2 ** 40, 0], { dtype: 'uint8' }];

  /** Replaces one random node of the JSON tree (or deletes a key) with something odd. */
  function mutateTree(v: unknown, r: () => number): unknown {
    if (v === null || typeof v !== 'object') return ODD[Math.floor(r() * ODD.length)];
    const keys = Object.keys(v);
    if (keys.length === 0 || r() < 0.15) return ODD[Math.floor(r() * ODD.length)];
    const copy: Record<string, unknown> = Array.isArray(v) ? [...v] as never : { ...(v as Record<string, unknown>) };
    const k = keys[Math.floor(r() * keys.length)];
    if (!Array.isArray(v) && r() < 0.1) delete copy[k];
    else copy[k] = mutateTree(copy[k], r);
    return copy;
  }

  // Seeded per case (mulberry32(case + 1)), so a failure reproduces from the case number it prints.
  it('600 structure-, text- and size-mutated folders through file://, http:// and io.browserFiles', async () => {
    const base = {
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 3 } }] } },
      format: 'layers-model',
      weightsManifest: [
        { paths: ['a.bin', 'b.bin'], weights: [spec('k', [2, 3]), spec('b', [3])] },
        { paths: ['c.bin'], weights: [{ name: 'q', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }] },
      ],
    };
    const w = f32(9, 11);
    const dir = fresh('fuzz');
    const outcomes = { loaded: 0, refused: 0 };
    for (let c = 0; c < 600; c++) {
      const r = mulberry32(c + 1);
      let json = JSON.stringify(c % 3 === 0 ? base : mutateTree(base, r));
      if (c % 3 === 1) {
        // Text mutations: flip, drop or insert characters.
        const chars = [...json];
        for (let m = 0; m < 1 + Math.floor(r() * 3); m++) {
          const at = Math.floor(r() * chars.length);
          const op = r();
          if (op < 0.4) chars[at] = '{}[]",:0-e.9a/'[Math.floor(r() * 15)];
          else if (op < 0.7) chars.splice(at, 1);
          else chars.splice(at, 0, '0[,"'[Math.floor(r() * 4)]);
        }
        json = chars.join('');
      }
      const cut = (n: number) => (c % 3 === 0 ? Math.max(0, n + Math.floor(r() * 7) - 3) : n);
      const files = { 'a.bin': w.subarray(0, cut(20)), 'b.bin': w.subarray(20, 20 + cut(16)), 'c.bin': new Uint8Array(cut(4)) };
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), json);
      for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
      // Picked files: the same bytes as File objects, the weight files in a seeded order.
      const picked = Object.entries(files).map(([name, data]) => new File([data], name)).sort(() => r() - 0.5);
      const got: Record<string, string> = {};
      for (const via of ['file', 'http', 'files'] as const) {
        const handler = via === 'file' ? getLoadHandler(`file://${dir}`, 'loadModel')
          : via === 'http' ? http('http://models.test/model.json', { fetchFunc: fetchFrom(dir).fetchFunc }, 'loadModel')
          : browserFiles([new File([json], 'model.json'), ...picked], 'loadModel');
        try {
          const a = await handler.load!();
          // Whatever loads is consistent: the data holds exactly what the specs describe.
          const claimed = (a.weightSpecs ?? []).reduce((s, sp) => s + sp.shape.reduce((p, d) => p * d, 1) * ((sp as { quantization?: unknown }).quantization ? 1 : 4), 0);
          expect(bytes(a.weightData ?? new ArrayBuffer(0)).byteLength, `case ${c} ${via}: ${json}`).toBe(claimed);
          got[via] = `loaded ${bytes(a.weightData ?? new ArrayBuffer(0)).join(',')}`;
          outcomes.loaded++;
        } catch (e) {
          // A file the manifest names but the server does not have is the server's 404 (an IOError).
          if (via === 'http' && e instanceof IOError) expect(e.status, `case ${c} ${via}: ${json}`).toBe(404);
          else expect(e, `case ${c} ${via}: ${json}\n${(e as Error)?.stack}`).toBeInstanceOf(InvalidArgumentError);
          expect((e as Error).message, `case ${c} ${via}`).toMatch(/^loadModel: /);
          got[via] = `refused: ${(e as Error).message.replace(/^.*?weightsManifest/, 'weightsManifest')}`;
          outcomes.refused++;
        }
      }
      // The readers agree on what loads and its bytes; browserFiles alone also refuses files the
      // manifest (or a model.json without one) no longer names, and two paths with one file name.
      const kind = (o: string) => o.slice(0, o.startsWith('loaded') ? undefined : 7);
      expect(kind(got.http), `case ${c}: ${json}`).toBe(kind(got.file));
      if (kind(got.files) !== kind(got.file)) expect(`${got.file.slice(0, 6)} ${got.files}`, `case ${c}: ${json}`).toMatch(/^loaded refused: (weightsManifest does not name|weightsManifest\[\d\]\.paths\[\d\] and|weightsManifest, but \d weight file)/);
    }
    console.log(`fuzz: ${outcomes.loaded} loaded, ${outcomes.refused} refused`);
    // Both outcomes are exercised: mutations that keep the manifest and sizes intact load.
    expect(outcomes.loaded).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(300);
  });
});
