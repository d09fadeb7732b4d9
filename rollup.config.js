// Bundles the TypeScript facade into two ESM entries, minified with terser:
//   dist/index.js      the default entry, with the .wasm inlined as text (no asset to ship):
//   dist/neurite.js    its code, which index.js re-exports
//   dist/wasm.js       its wasm, LZMA-packed as basE91 text (ts/wasm/inline.ts), imported by
//                      init() on first use: an app's bundler keeps code and text in two chunks,
//                      each under its chunk-size warning
//   dist/io.js         its storage code, imported on first use (as dist/url/io.js below)
//   dist/data.js       its dataset code, imported on first use (as dist/url/data.js below)
//   dist/url/index.js  loads dist/url/core.wasm via new URL('./core.wasm', import.meta.url)
//                      (core-relaxed.wasm for init({ relaxedSimd: true })), and starts its pool
//                      workers from dist/url/worker.js (new Worker(new URL('./worker.js', …)))
//   dist/url/worker.js the pool worker of neurite/url; the default entry inlines the same code
//   dist/url/neurite.js the code of neurite/url, which index.js re-exports (rollup keeps the
//                      entry's exports exactly the API, so what io.js imports lives here)
//   dist/url/io.js     the storage code (ts/io/store.ts: the save/load handlers and loadModel's
//                      reading), imported on first use (ts/io/lazy.ts)
//   dist/url/data.js   the dataset code (ts/data/run.ts: the stages' iterators, batching and the
//                      fitDataset/evaluateDataset loops), imported when a dataset is first
//                      iterated or trained on (ts/data/lazy.ts)
// Type declarations are emitted separately by `tsc -p tsconfig.build.json` into dist/types;
// each bundle starts with a `@ts-self-types` comment pointing at their Deno form
// (dist/types-deno, see scripts/finish-types.mjs), so Deno finds the types of a bundle imported
// by path (npm, bundlers, tsc and Deno importing by package name use the `types` conditions).
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { markThrowLines } from './scripts/rollup-throw-lines.mjs';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';

const ts = () => typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false }, include: ['ts/**/*.ts'] });

// Class names stay (errors report `name` from `new.target.name`); the @ts-self-types banner stays.
// Lines stay under 1,000 characters: Node prints the source line an uncaught error was made
// on, and one minified line of the whole bundle (475 kB with the inline wasm) buried the
// message (test/package.test.ts). The line breaks cost 0.4 kB gzipped. markThrowLines then
// keeps Node from printing the lines that make neurite's errors at all.
// Two compress passes: -0.2 kB gzipped (a third gains nothing).
const minify = () => terser({
  module: true,
  ecma: 2020,
  keep_classnames: true,
  compress: { passes: 2 },
  format: { comments: /@ts-self-types|webpackIgnore|@vite-ignore/, max_line_len: 1000, preserve_annotations: true },
});

// The pool worker's text, dist/url/worker.js (built first), as the string the entries start
// their workers from (ts/threads/worker.ts, workerSource): a bundler that re-bundles neurite
// leaves a string alone, where it rewrote the worker function's code with helpers the worker
// lacks (esbuild's keepNames with minify).
const workerScript = () => ({
  name: 'worker-script',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('ts/threads/worker.ts')) return null;
    const script = readFileSync('dist/url/worker.js', 'utf8').trim();
    return { code: code.replace("typeof __NEURITE_WORKER_SCRIPT__ === 'string'", 'true').replaceAll('__NEURITE_WORKER_SCRIPT__', JSON.stringify(script)), map: null };
  },
});

// Tensor <-> ops cycles are intended (methods delegate to ops; ops create tensors) and only
// evaluated at call time.
const onwarn = (w, warn) => { if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w); };

// The chunks: the lazily imported storage code (io.js) and dataset code (data.js), the default
// entry's wasm text (wasm.js) and the rest (neurite.js); test/package.test.ts checks that these
// are all. Only the entry carries the Deno types banner.
const chunkFileNames = (chunk) => {
  if (!chunk.isDynamicEntry) return 'neurite.js';
  const file = { store: 'io.js', run: 'data.js', 'fit-loop': 'train.js', inline: 'wasm.js' }[chunk.name];
  if (!file) throw new Error(`rollup.config.js: no file name for the dynamic chunk '${chunk.name}'`);
  return file;
};
const entryBanner = (types) => (chunk) => (chunk.isEntry ? `/* @ts-self-types="${types}" */` : '');

export default [
  // First: the entries below carry its text (workerScript).
  {
    input: 'ts/threads/worker-entry.ts',
    onwarn,
    output: { file: 'dist/url/worker.js', format: 'es', sourcemap: false },
    plugins: [ts(), minify()],
  },
  {
    input: 'ts/index.ts',
    output: { dir: 'dist', entryFileNames: 'index.js', chunkFileNames, format: 'es', sourcemap: false, banner: entryBanner('./types-deno/index.d.ts') },
    plugins: [ts(), workerScript(), minify(), markThrowLines()],
    onwarn,
  },
  {
    input: 'ts/url.ts',
    onwarn,
    output: { dir: 'dist/url', entryFileNames: 'index.js', chunkFileNames, format: 'es', sourcemap: false, banner: entryBanner('../types-deno/url.d.ts') },
    plugins: [
      ts(),
      workerScript(),
      minify(),
      markThrowLines(),
      {
        name: 'copy-wasm',
        writeBundle() {
          mkdirSync('dist/url', { recursive: true });
          copyFileSync('build/core.wasm', 'dist/url/core.wasm');
          copyFileSync('build/core-relaxed.wasm', 'dist/url/core-relaxed.wasm');
        },
      },
    ],
  },
];
