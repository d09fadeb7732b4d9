// What loadModel says about sources it cannot read, and the weightData it takes: a folder named
// model.json (ts/io/handlers/files.ts), a handler whose load() gives nothing a model is read
// from, an object that is neither artifacts nor a handler (ts/io/load.ts), and weightData in a
// SharedArrayBuffer (copied) or of a kind it does not take (ts/io/artifacts.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';
import { fresh } from './io-helpers.js';

function mk(seed: number): nr.Sequential {
  const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [3], units: 4 }), nr.layers.dense({ units: 2 })] });
  m.build();
  return m;
}

const flat = (m: { getWeights(): nr.Tensor[] }): number[] => nr.tidy(() => m.getWeights().flatMap((w) => Array.from(w.dataSync())));

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => null, (err: unknown) => err as Error);
  expect(e).toBeInstanceOf(nr.InvalidArgumentError);
  return e!;
}

describe('loadModel: sources it cannot read say what they are', () => {
  it('a folder named model.json is called a folder, with what to do', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'model.json'), { recursive: true });
    const e = await failure(nr.loadModel(`file://${dir}`));
    const json = join(dir, 'model.json');
    expect(e.message).toBe(
      `loadModel: file://${dir}: ${json} is a folder (a directory), not a file; a model.json is the file a save writes beside weights.bin: point at the folder that holds that file (or at the file), or remove the folder ${json} and save the model there again`,
    );
  });

  it("a handler whose load() returns null, a number or an object without artifacts: it was a handler, and its load() is named", async () => {
    for (const [value, shown] of [
      [null, 'null'],
      [7, '7'],
      [{ hello: 1 }, 'an object (Object) with the key hello'],
    ] as const) {
      const e = await failure(nr.loadModel({ load: async () => value } as never));
      expect(e.message).toBe(
        `loadModel: the handler's load() returned ${shown}; expected model artifacts { modelTopology, weightSpecs, weightData } (what model.toArtifacts() gives, and TF.js's handlers' load() returns)`,
      );
    }
  });

  it('an object that is neither artifacts nor a handler says so (it was "modelTopology must be an object, got undefined")', async () => {
    const sources = "pass model artifacts { modelTopology, weightSpecs, weightData } (model.toArtifacts() gives them), an IOHandler with load() returning them, or a URL ('file://…', 'https://…')";
    expect((await failure(nr.loadModel({} as never))).message).toBe(`loadModel: got an object (Object) with no keys, which is neither model artifacts (it has no modelTopology) nor an IOHandler (it has no load()); ${sources}`);
    expect((await failure(nr.loadModel({ hello: 'world' } as never))).message).toBe(`loadModel: got an object (Object) with the key hello, which is neither model artifacts (it has no modelTopology) nor an IOHandler (it has no load()); ${sources}`);
    // Artifacts without their topology still name the field.
    expect((await failure(nr.loadModel({ weightSpecs: [], weightData: new ArrayBuffer(0) } as never))).message).toBe('loadModel: modelTopology must be an object, got undefined');
  });
});

describe('loadModel: weightData', () => {
  it('in a SharedArrayBuffer (or a view of one) loads, copied: writes to it afterwards change nothing', async () => {
    const m = mk(1);
    const a = await m.toArtifacts();
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    const shared = new SharedArrayBuffer(bytes.byteLength + 8);
    new Uint8Array(shared).set(bytes, 8);
    for (const weightData of [shared.slice(8), new Uint8Array(shared, 8), [shared.slice(8, 16), shared.slice(16)]]) {
      const loaded = (await nr.loadModel({ ...a, weightData } as never, { compile: false })) as nr.Sequential;
      expect(flat(loaded)).toEqual(flat(m));
      new Uint8Array(shared).fill(0);
      expect(flat(loaded)).toEqual(flat(m));
      new Uint8Array(shared).set(bytes, 8);
      loaded.dispose();
    }
    m.dispose();
  });

  it('of a kind it does not take: the message lists what it takes', async () => {
    const m = mk(2);
    const a = await m.toArtifacts();
    const e = await failure(nr.loadModel({ ...a, weightData: 'abc' } as never));
    expect(e.message).toBe(
      "loadModel: weightData must be an ArrayBuffer (or a list of them), got the string \"abc\"; it takes an ArrayBuffer or a SharedArrayBuffer (copied), a view of one (a typed array such as a Float32Array or Uint8Array, a DataView, a Node Buffer), or a list of ArrayBuffers (TF.js's sharded weights, concatenated)",
    );
    m.dispose();
  });
});
