// file:// saves and loads of one folder take turns in one thread however the folder is reached:
// through a symlink to it, or to one of its parents, too (ts/io/handlers/files.ts keys the turn
// by the folder's real path, or its nearest existing parent's plus the rest when it does not
// exist yet). Skipped where symlinks cannot be made (Windows without the privilege).
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
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

/** A folder and a symlink to it, or `null` where symlinks cannot be made. */
function linked(): { real: string; link: string } | null {
  const real = fresh('real');
  mkdirSync(real, { recursive: true });
  const link = fresh('link');
  try {
    symlinkSync(real, link, 'dir');
  } catch {
    return null;
  }
  return { real, link };
}

const canLink = linked() !== null;

describe.skipIf(!canLink)('file:// turns through a symlink', () => {
  it('a load through a symlink to the folder waits for a save to the folder begun before it, and the other way round', async () => {
    const [a, b] = [mk(8, 3), mk(16, 4)];
    const { real, link } = linked()!;
    for (let i = 0; i < 20; i++) {
      const [saveTo, loadFrom] = i % 2 === 0 ? [real, link] : [link, real];
      await a.save(`file://${saveTo}`);
      const saving = b.save(`file://${saveTo}`);
      const loaded = (await nr.loadModel(`file://${loadFrom}${i % 4 < 2 ? '' : '/model.json'}`, { compile: false })) as nr.Sequential;
      await saving;
      expect(flat(loaded)).toEqual(flat(b));
      loaded.dispose();
    }
    for (const m of [a, b]) m.dispose();
  });

  it('saves to a folder and to a symlink to it, at once: the later one wins whole, every time', async () => {
    const [a, b] = [mk(8, 1), mk(16, 2)];
    const { real, link } = linked()!;
    for (let i = 0; i < 20; i++) {
      const [first, second] = i % 2 === 0 ? [`file://${real}`, `file://${link}/`] : [`file://${link}`, `file://${real}`];
      await Promise.all([a.save(first), b.save(second)]);
      const loaded = (await nr.loadModel(`file://${real}`, { compile: false })) as nr.Sequential;
      expect(flat(loaded)).toEqual(flat(b));
      loaded.dispose();
    }
    expect(readdirSync(real).sort()).toEqual(['model.json', 'weights.bin']);
    for (const m of [a, b]) m.dispose();
  });

  it('a folder not made yet, under a symlinked parent: saves through either spelling take turns', async () => {
    const [a, b] = [mk(8, 5), mk(16, 6)];
    const { real, link } = linked()!;
    for (let i = 0; i < 20; i++) {
      const sub = `new-${i}/deeper`;
      await Promise.all([a.save(`file://${join(real, sub)}`), b.save(`file://${join(link, sub)}`)]);
      const loaded = (await nr.loadModel(`file://${join(real, sub)}`, { compile: false })) as nr.Sequential;
      expect(flat(loaded)).toEqual(flat(b));
      loaded.dispose();
    }
    for (const m of [a, b]) m.dispose();
  });
});

describe('file:// saves that make the same new parents at once', () => {
  it('two saves to new folders under one new parent both succeed (one of them found the parent made meanwhile)', async () => {
    const [a, b] = [mk(8, 7), mk(16, 8)];
    for (let i = 0; i < 5; i++) {
      const parent = join(fresh('parent'), 'x', 'y');
      await Promise.all([a.save(`file://${join(parent, 'a')}`), b.save(`file://${join(parent, 'b')}`)]);
      expect(readdirSync(parent).sort()).toEqual(['a', 'b']);
    }
    for (const m of [a, b]) m.dispose();
  });
});
