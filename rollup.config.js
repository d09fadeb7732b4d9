// Bundles the TypeScript facade into two ESM entries:
//   dist/index.js      the default entry, with the .wasm inlined as base64 (no asset to ship)
//   dist/url/index.js  loads dist/url/core.wasm via new URL('./core.wasm', import.meta.url)
// Type declarations are emitted separately by `tsc -p tsconfig.build.json` into dist/types.
import typescript from '@rollup/plugin-typescript';
import { copyFileSync, mkdirSync } from 'node:fs';

const ts = () => typescript({ tsconfig: './tsconfig.json', compilerOptions: { noEmit: false, declaration: false }, include: ['ts/**/*.ts'] });

// Tensor <-> ops cycles are intended (methods delegate to ops; ops create tensors) and only
// evaluated at call time.
const onwarn = (w, warn) => { if (w.code !== 'CIRCULAR_DEPENDENCY') warn(w); };

export default [
  { input: 'ts/index.ts', output: { file: 'dist/index.js', format: 'es', sourcemap: false }, plugins: [ts()], onwarn },
  {
    input: 'ts/url.ts',
    onwarn,
    output: { file: 'dist/url/index.js', format: 'es', sourcemap: false },
    plugins: [
      ts(),
      {
        name: 'copy-wasm',
        writeBundle() {
          mkdirSync('dist/url', { recursive: true });
          copyFileSync('build/core.wasm', 'dist/url/core.wasm');
        },
      },
    ],
  },
];
