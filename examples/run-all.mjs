// Runs every example in turn (`npm run examples`, part of `npm test`); each checks its own
// bar and exits non-zero if it misses it. Exits non-zero if any example fails.
// Set EXAMPLES=xor,activations to run only some.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = ['activations', 'xor', 'rbf-regression', 'rbf-iris', 'mnist', 'cnn', 'unet', 'multi-task', 'siamese', 'saliency', 'adversarial', 'core-api', 'compression', 'autoencoders', 'denoise1d'];
// Extra arguments per example: the autoencoders' full run (50 epochs × 5 models) is for
// measurements (`node examples/autoencoders.mjs`); the test suite runs its quick mode.
const ARGS = { autoencoders: ['--quick'] };
const only = process.env.EXAMPLES?.split(',').map((s) => s.trim()).filter(Boolean);
const names = only?.length ? only : ALL;
const failed = [];
for (const name of names) {
  console.log(`\n=== examples/${name}.mjs ===`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`), ...(ARGS[name] ?? [])], { stdio: 'inherit', env: { ...process.env, CI: process.env.CI ?? '1' } });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) console.log(`=== ${name}: ok (${secs} s)`);
  else {
    console.log(`=== ${name}: FAILED with exit code ${r.status ?? r.signal} (${secs} s)`);
    failed.push(name);
  }
}
console.log(`\nimages are in ${join(here, 'out')}`);
// The plain summary line CI reads.
console.log(`examples: ${names.length - failed.length} passed, ${failed.length} failed`);
if (failed.length) {
  console.error(`${failed.length} example(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
