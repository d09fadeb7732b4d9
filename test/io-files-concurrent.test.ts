// file:// saves that overlap (ts/io/handlers/files.ts): two saves of different models to one
// folder at once must leave one model's files whole (the later save's), never a mix of
// model.json from one and weights.bin from the other, nor a half-written file (each is written
// under a temporary name, then renamed); a failed save leaves no temporary files behind; a
// load waits for a save to the same folder begun before it; a save removes the temporary
// files a killed save left (unchanged for an hour).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import './setup.js';
import { fresh } from './io-helpers.js';

/** A built model: dense(units) → dense(2), seeded. */
function mk(units: number, seed: number): nr.Sequential {
  const m = nr.sequential({ seed, layers: [nr.layers.dense({ inputShape: [4], units }), nr.layers.dense({ units: 2 })] });
  m.build();
  return m;
}

const flat = (m: { getWeights(): nr.Tensor[] }): number[] => nr.tidy(() => m.getWeights().flatMap((w) => Array.from(w.dataSync())));

describe('file:// saves that overlap', () => {
  it('two saves of different models to one folder at once: the later one wins whole, every time', async () => {
    const [a, b] = [mk(8, 1), mk(16, 2)];
    const dir = fresh();
    for (let i = 0; i < 25; i++) {
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      const results = await Promise.allSettled([first.save(`file://${dir}`), second.save(`file://${dir}`)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const loaded = (await nr.loadModel(`file://${dir}`)) as nr.Sequential;
      expect(flat(loaded)).toEqual(flat(second));
      loaded.dispose();
    }
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    a.dispose();
    b.dispose();
  });

  it('a load begun after a save to the same folder reads what that save wrote', async () => {
    const [a, b] = [mk(8, 3), mk(16, 4)];
    const dir = fresh();
    await a.save(`file://${dir}`);
    const saving = b.save(`file://${dir}/`); // another spelling of the same folder
    const loaded = (await nr.loadModel(`file://${dir}`)) as nr.Sequential;
    await saving;
    expect(flat(loaded)).toEqual(flat(b));
    for (const m of [a, b, loaded]) m.dispose();
  });

  it('a weights.bin changed since its save (edited, corrupted) is refused with both causes and what to do for each; without the checksum it loads as it is', async () => {
    const a = mk(3, 4);
    const d = fresh();
    await a.save(`file://${d}`);
    const bin = readFileSync(join(d, 'weights.bin'));
    bin.writeFloatLE(0.5, 0);
    writeFileSync(join(d, 'weights.bin'), bin);
    const e = await nr.loadModel(`file://${d}`).then(() => null, (err: unknown) => err as Error);
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e!.message).toBe(
      `loadModel: file://${d}/model.json: the weights do not belong to this model.json (their checksum is not the one it records). Either the folder holds the files of two saves — a save was cut short between writing its two files, or another thread or process saved to this folder at the same time, or is saving to it now (saves take turns only within one thread): load again once that save is done, or save the model again, and give each thread's saves a folder of their own — ` +
        'or the weights file was changed since the save (edited, replaced or corrupted on disk): load a good copy, or save the model again. To load the weights as they are anyway, remove "neuriteWeightsChecksum" from the model.json (then nothing checks that they are the ones saved)',
    );
    const json = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as Record<string, unknown>;
    delete json.neuriteWeightsChecksum;
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    const loaded = (await nr.loadModel(`file://${d}`)) as nr.Sequential;
    expect(flat(loaded)[0]).toBe(0.5);
    expect(flat(loaded).slice(1)).toEqual(flat(a).slice(1));
    for (const m of [a, loaded]) m.dispose();
  });

  it('a load of the folder\'s model.json waits for a save to the folder too (the turn is the folder\'s, however it is spelt)', async () => {
    const [a, b] = [mk(8, 3), mk(16, 4)];
    const dir = fresh();
    for (let i = 0; i < 10; i++) {
      await a.save(`file://${dir}`);
      const saving = b.save(`file://${dir}`);
      const loaded = (await nr.loadModel(`file://${dir}/model.json`)) as nr.Sequential;
      await saving;
      expect(flat(loaded)).toEqual(flat(b));
      loaded.dispose();
    }
    for (const m of [a, b]) m.dispose();
  });

  it("the files of two saves (a process killed between the two renames, or another process saving while this one loads) are refused, never loaded as one model; TF.js's loader ignores the checksum", async () => {
    const [a, b] = [mk(8, 6), mk(8, 7)]; // the same architecture: the sizes match, only the values differ
    const [da, db] = [fresh(), fresh()];
    await a.save(`file://${da}`);
    await b.save(`file://${db}`);
    const json = JSON.parse(readFileSync(join(da, 'model.json'), 'utf8')) as Record<string, unknown>;
    expect(json.neuriteWeightsChecksum).toMatch(/^fnv1a32:[0-9a-f]{8}:\d+$/);
    // a's model.json over b's weights: what a kill after the first rename leaves.
    copyFileSync(join(db, 'weights.bin'), join(da, 'weights.bin'));
    const e = await nr.loadModel(`file://${da}`).then(() => null, (err: unknown) => err as Error);
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e!.message).toMatch(/^loadModel: file:\/\/.*model\.json: the weights do not belong to this model\.json \(their checksum is not the one it records\)\. Either the folder holds the files of two saves/);
    // A checksum that is not neurite's string is named as such (it was reported as two saves).
    writeFileSync(join(da, 'model.json'), JSON.stringify({ ...json, neuriteWeightsChecksum: { a: 1 } }));
    expect((await nr.loadModel(`file://${da}`).then(() => null, (err: unknown) => err as Error))!.message).toBe(`loadModel: file://${da}/model.json: neuriteWeightsChecksum must be the string neurite wrote ('fnv1a32:…'), got an object (Object)`);
    // A file without the checksum (TF.js's, an older neurite's) loads as before.
    delete json.neuriteWeightsChecksum;
    writeFileSync(join(da, 'model.json'), JSON.stringify(json));
    const loaded = (await nr.loadModel(`file://${da}`)) as nr.Sequential;
    expect(flat(loaded)).toEqual(flat(b));
    for (const m of [a, b, loaded]) m.dispose();
  });

  it("a save killed between its two renames (Ctrl-C) left its model.json whole as model.json.<random>.tmp: the load's error names it and the rename that finishes the save", async () => {
    const [a, b] = [mk(8, 6), mk(8, 7)];
    const [da, db] = [fresh(), fresh()];
    await a.save(`file://${da}`);
    await b.save(`file://${db}`);
    // What the kill leaves: b's weights renamed into place, b's model.json still temporary.
    copyFileSync(join(db, 'weights.bin'), join(da, 'weights.bin'));
    const tmp = join(da, 'model.json.mxdjsrb2dkbj4c.tmp');
    copyFileSync(join(db, 'model.json'), tmp);
    writeFileSync(join(da, 'model.json.aaaaaaaa.tmp'), '{"truncated'); // another killed save's: not whole
    const e = await nr.loadModel(`file://${da}`).then(() => null, (err: unknown) => err as Error);
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e!.message).toBe(
      `loadModel: file://${da}/model.json: the weights do not belong to this model.json (their checksum is not the one it records): a save is between writing its two files — one running now in another thread or process (load again once it is done), or one cut short (the process killed, e.g. by Ctrl-C) — and its model.json is whole as ${tmp}, ` +
        `which matches the weights: if no save is running, rename it to model.json (mv '${tmp}' '${join(da, 'model.json')}') to load that save, or save the model again`,
    );
    renameSync(tmp, join(da, 'model.json'));
    const loaded = (await nr.loadModel(`file://${da}`)) as nr.Sequential;
    expect(flat(loaded)).toEqual(flat(b));
    for (const m of [a, b, loaded]) m.dispose();
  });

  it('a save that fails says which file and leaves no temporary files', async () => {
    const m = mk(8, 5);
    const broken = fresh();
    mkdirSync(join(broken, 'model.json'), { recursive: true }); // model.json cannot be replaced: it is a folder
    const e = await m.save(`file://${broken}`).then(() => null, (err: unknown) => err as Error);
    expect(e).toBeInstanceOf(nr.InvalidArgumentError);
    expect(e!.message).toMatch(/cannot write .*model\.json/);
    expect(readdirSync(broken).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    m.dispose();
  });

  it('a save removes the temporary files that saves killed before their rename left (unchanged for an hour), and nothing else', async () => {
    const m = mk(8, 6);
    const dir = fresh();
    await m.save(`file://${dir}`);
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    const left = {
      'weights.bin.mx9e4opi7lmyzk.tmp': hoursAgo(2), // a killed save's, two hours ago: removed
      'model.json.lq1b2c3d4e5f6.tmp': hoursAgo(30), // removed
      'weights.bin.abcdef123456.tmp': hoursAgo(0.1), // maybe a save being written by another process: kept
      'notes.tmp': hoursAgo(5), // not ours: kept
      'weights.bin.tmp.bak': hoursAgo(5), // not ours: kept
    };
    for (const [name, when] of Object.entries(left)) {
      writeFileSync(join(dir, name), 'x');
      utimesSync(join(dir, name), when, when);
    }
    await m.save(`file://${dir}`);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'notes.tmp', 'weights.bin', 'weights.bin.abcdef123456.tmp', 'weights.bin.tmp.bak']);
    const loaded = (await nr.loadModel(`file://${dir}`)) as nr.Sequential;
    expect(flat(loaded)).toEqual(flat(m));
    loaded.dispose();
    m.dispose();
  });
});
