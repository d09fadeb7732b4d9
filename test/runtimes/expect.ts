// Shared by the runtime suites (browser, Deno, package/Node): where things are, the checks on
// a smoke report, the Node reference bits, the CI rule for missing runtimes, and the child
// Node runs of the garbage-collector scripts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = {
  inline: join(ROOT, 'dist/index.js'),
  url: join(ROOT, 'dist/url/index.js'),
  wasm: join(ROOT, 'dist/url/core.wasm'),
  types: join(ROOT, 'dist/types/index.d.ts'),
};

/** Whether this is a CI run: then a missing runtime fails the suite instead of skipping it. */
export const CI = !!process.env.CI;

/**
 * A scratch project (a fresh temp folder) whose node_modules/neurite is this package, as after
 * `npm install`: `package.json` names it `name`, an ES module project. The caller removes it.
 */
export function consumerProject(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `neurite-${name}-`));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'neurite'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', private: true }));
  return dir;
}

/**
 * Throws a clear error if `dist/` has not been built (`npm test` builds it first), and warns if
 * it is older than the TypeScript sources.
 */
export function requireDist(): void {
  const missing = Object.values(DIST).filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`the built package is missing (${missing.map((f) => f.slice(ROOT.length)).join(', ')}): run \`npm run build\` first (\`npm test\` does)`);
  }
  const built = statSync(DIST.inline).mtimeMs;
  const newer = readdirSync(join(ROOT, 'ts'), { recursive: true })
    .map((f) => join(ROOT, 'ts', String(f)))
    .filter((f) => f.endsWith('.ts') && statSync(f).mtimeMs > built);
  if (newer.length > 0) console.warn(`dist/ is older than ${newer.length} file(s) in ts/ (e.g. ${newer[0].slice(ROOT.length)}); run \`npm run build\``);
}

/**
 * Runs `test/runtimes/<script>` in a child Node process with `--expose-gc` (after
 * {@link requireDist}) and returns the JSON of the last line it printed.
 */
export function runWithGc(script: string): any {
  requireDist();
  const out = execFileSync(process.execPath, ['--expose-gc', join(ROOT, 'test/runtimes', script)], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/**
 * Whether a runtime at `path` can be used. Locally a missing runtime skips its suite; on CI it
 * must exist, so the suite runs and {@link requireRuntime} fails it.
 */
export function runtimeAvailable(path: string): boolean {
  return existsSync(path) || CI;
}

/** Fails with a clear message when `path` is missing (only reached on CI). */
export function requireRuntime(name: string, path: string): void {
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}; CI is set, so this suite must run (install it, see .ci/run)`);
}

/** A smoke report from test/runtimes/smoke.mjs. */
export interface SmokeReport {
  runtime: string;
  entry: string;
  steps: string[];
  error?: string;
  initMs?: number;
  version?: string;
  randomHex?: string;
  sources?: Record<string, { sum: number; randomHex: string; staleTensor: string | null; live: number }>;
  [k: string]: unknown;
}

let reference: Promise<{ randomHex: string; trainHex: string; autoencoderHex: string }> | null = null;
/** The resolved reference, for `checkSmoke` (always called after awaiting `nodeReference`). */
let resolved: { autoencoderHex: string; resumeStateHex: string; graphHex: string; unseededHex: string } | null = null;

/**
 * What Node computes with the built bundle: the bits of `randomNormal([64], { seed: 42 })` and
 * of the weights after the seeded training run of smoke.mjs.
 */
export function nodeReference(): Promise<{ randomHex: string; trainHex: string; autoencoderHex: string }> {
  reference ??= (async () => {
    const nr = await import(/* @vite-ignore */ pathToFileURL(DIST.inline).href);
    const { hexBits, seededTraining, seededAutoencoder, seededResume, seededGraph, unseededModels } = await import(/* @vite-ignore */ pathToFileURL(join(ROOT, 'test/runtimes/smoke.mjs')).href);
    await nr.init();
    const r = nr.randomNormal([64], { seed: 42 });
    const randomHex: string = hexBits(r.data());
    r.dispose();
    const trainHex: string = (await seededTraining(nr)).hex;
    const autoencoderHex: string = await seededAutoencoder(nr);
    const resumeStateHex: string = (await seededResume(nr)).stateHex;
    const graphHex: string = await seededGraph(nr);
    const unseededHex: string = (await unseededModels(nr)).hex;
    resolved = { autoencoderHex, resumeStateHex, graphHex, unseededHex };
    return { randomHex, trainHex, autoencoderHex };
  })();
  return reference;
}

/** The bits of `randomNormal([64], { seed: 42 })` as Node computes them with the built bundle. */
export async function nodeReferenceHex(): Promise<string> {
  return (await nodeReference()).randomHex;
}

/** Checks a smoke report; `sources` lists the init() sources that must have been exercised. */
export function checkSmoke(r: SmokeReport, want: { runtime: string; entry: string; sources: string[]; randomHex: string; trainHex?: string; resumeVia?: string }): void {
  expect(r.error, `smoke failed after steps ${JSON.stringify(r.steps)}`).toBeUndefined();
  expect(r.runtime).toBe(want.runtime);
  expect(r.entry).toBe(want.entry);
  expect(r.steps.at(-1)).toBe('done');
  expect(r.matMul).toEqual([[19, 22], [43, 50]]);
  expect(r.broadcastAdd).toEqual([[11, 22], [13, 24]]);
  expect(r.sum).toBe(134);
  expect(r.sumAxis1).toEqual([33, 37]);
  expect(r.tidy).toBe(24);
  expect(r.shapeError).toEqual({ name: 'ShapeError', code: 'ShapeMismatch', message: 'matMul: inner dimensions differ: a is [2,2], b is [1,3]' });
  expect(r.shapeErrorIsShapeError).toBe(true);
  expect(r.disposedError).toEqual({ name: 'DisposedError', code: 'Disposed', message: 'add: a is a disposed tensor (shape [3])' });
  expect(r.disposedErrorIsDisposedError).toBe(true);
  expect(r.liveDuring).toBe(7);
  expect(r.liveAfter).toBe(0);
  expect(r.randomHex).toHaveLength(64 * 8);
  expect(r.randomHex).toBe(want.randomHex);
  // Training with a seed is bit-identical across runtimes: same weights, bit for bit.
  expect(typeof r.trainHex).toBe('string');
  expect((r.trainHex as string).length).toBe((8 * 16 + 16 + 16 * 3 + 3) * 8);
  if (want.trainHex !== undefined) expect(r.trainHex).toBe(want.trainHex);
  // So is an autoencoder with saltAndPepper, klSparsity, variational and sumOverFeatures.
  expect(typeof r.autoencoderHex).toBe('string');
  expect((r.autoencoderHex as string).length).toBe((12 * 6 + 6 + 4 * (6 * 2 + 2) / 2 + 2 * 12 + 12 + 3) * 8);
  if (resolved !== null && want.trainHex !== undefined) expect(r.autoencoderHex).toBe(resolved.autoencoderHex);
  // And a graph model with two inputs, two outputs and a layer applied to both inputs.
  expect(typeof r.graphHex).toBe('string');
  expect((r.graphHex as string).length).toBe((6 * 5 + 5 + 5 + 1 + 10 * 3 + 3 + 2 + 32 + 32 * 3) * 8);
  if (resolved !== null && want.trainHex !== undefined) expect(r.graphHex).toBe(resolved.graphHex);
  // Models made without a seed after setSeed(11) (their seeds drawn from the global generator),
  // one trained on shuffled batches with dropout, and an unseeded dataset shuffle: different
  // from each other, and the same bits in every runtime.
  expect(r.unseededDistinct).toBe(3);
  expect(typeof r.unseededHex).toBe('string');
  if (resolved !== null && want.trainHex !== undefined) expect(r.unseededHex).toBe(resolved.unseededHex);
  // Resume: 2 epochs, export, import into a fresh model, the third epoch = the 3-epoch run,
  // and the exported state has the same bits in every runtime.
  expect(r.resumeHex).toBe(r.trainHex);
  expect(r.resumeVia).toBe(want.resumeVia ?? 'memory');
  expect(r.resumeMismatches, 'optimizers whose resumed run differs from the uninterrupted one').toEqual([]);
  expect(typeof r.resumeStateHex).toBe('string');
  if (resolved !== null && want.trainHex !== undefined) expect(r.resumeStateHex).toBe(resolved.resumeStateHex);
  // browser.fromPixels / toPixels: RGBA bytes everywhere; canvases and ImageBitmaps in the
  // browsers, the bytes kept exactly on the way through.
  const { images, ...px } = r.pixels as { bytes: number; canvas: boolean; toPixels?: number; fromCanvas?: number; fromImageBitmap?: number; images?: string[] };
  expect(px.bytes, 'fromPixels({ data, width, height }) values that differ').toBe(0);
  if (want.runtime !== 'node' && want.runtime !== 'deno') expect(px.canvas, 'a 2-D canvas in a browser').toBe(true);
  if (px.canvas) expect(px, 'values that differ after the canvas round trip').toEqual({ bytes: 0, canvas: true, toPixels: 0, fromCanvas: 0, fromImageBitmap: 0 });
  if (images !== undefined) {
    expect(images).toEqual([
      "InvalidArgumentError: fromPixels: the image has no pixels: it failed to load or has no src (no src, naturalWidth 0); listen for its 'error' event",
      "InvalidArgumentError: fromPixels: the image has no pixels: it failed to load or has no src ('data:image/png;base64,AAAA', naturalWidth 0); listen for its 'error' event",
    ]);
  }
  expect(Object.keys(r.sources ?? {}).sort()).toEqual([...want.sources].sort());
  for (const [name, s] of Object.entries(r.sources ?? {})) {
    expect(s, `init(${name})`).toEqual({ sum: 6, randomHex: want.randomHex, staleTensor: 'DisposedError', live: 0 });
  }
}

/** What test/runtimes/threads.mjs's `relaxedReport` returns. */
export interface RelaxedReport {
  info: { relaxedSimd: boolean; relaxedReason: string | null; count: number };
  relaxed: number[];
  plain: number[];
  error?: string;
}

/**
 * Checks a relaxed-SIMD report: with support (`supported`), `core-relaxed.wasm` ran (on 2
 * threads) and agrees with the plain product within float32 rounding; without, the plain module
 * ran and `threads().relaxedReason` says why.
 */
export function checkRelaxed(r: RelaxedReport | undefined, supported: boolean): void {
  expect(r?.error).toBeUndefined();
  expect(r!.info.relaxedSimd).toBe(supported);
  if (!supported) {
    expect(r!.info.relaxedReason).toMatch(/does not support relaxed SIMD/);
    expect(r!.relaxed).toEqual(r!.plain);
    return;
  }
  expect(r!.info.relaxedReason).toBeNull();
  expect(r!.info.count).toBe(2);
  expect(r!.relaxed.length).toBe(67 * 45);
  for (let i = 0; i < r!.plain.length; i++) expect(Math.abs(r!.relaxed[i] - r!.plain[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(r!.plain[i])));
}
