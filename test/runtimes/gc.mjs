// Run with `node --expose-gc`: forgets tensors (and one model) without dispose(), collects
// garbage, and reports what the FinalizationRegistry freed. Prints one JSON line.
import * as nr from '../../dist/index.js';
import { readFileSync } from 'node:fs';
import { settle } from './gc-settle.mjs';

await nr.init();
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
const before = nr.memory();

// 1. Plain tensors, forgotten.
(() => {
  for (let i = 0; i < 10; i++) nr.ones([100]);
})();
// 2. A tensor returned from tidy (it escapes the scope, so the finalizer must own it).
(() => {
  nr.tidy(() => nr.ones([5]).add(1));
})();
await settle();
const afterPlain = nr.memory();

// 2b. A burst of forgotten tensors in one synchronous job, longer than the queue of tensors
// waiting to join the finalizer (scope.ts, PENDING_MAX), collected before the job ends.
(() => {
  for (let i = 0; i < 150; i++) nr.ones([10]).add(1); // both the ones and the sum leak
})();
globalThis.gc();
await settle();
const afterBurst = nr.memory();

// 2c. Tensors disposed in the job that made them (never registered) and after it (registered,
// then unregistered): none is counted as leaked.
const later = [];
(() => {
  for (let i = 0; i < 100; i++) nr.ones([10]).dispose();
  for (let i = 0; i < 100; i++) nr.tidy(() => nr.ones([5]).add(1)).dispose();
  for (let i = 0; i < 100; i++) later.push(nr.ones([10]));
})();
await settle();
for (const t of later) t.dispose();
later.length = 0;
await settle();
const afterDisposed = nr.memory();

// 3. Debug mode: the warning names where the tensor was made.
nr.setDebug(true);
(function makeTheLeak() {
  nr.zeros([3]);
})();
await settle();
// The same leak 9 times more from one place: its stack is not printed again; counts at 2, 4, 8.
for (let i = 0; i < 9; i++) {
  (function makeTheLeak() {
    nr.zeros([3]);
  })();
}
await settle();
nr.setDebug(false);
const afterDebug = nr.memory();
const debugWarnings = warnings.filter((w) => w.includes('without dispose()'));
const debugWarning = warnings.find((w) => w.includes('garbage-collected without dispose()')) ?? null;

// 3a. Tensors made while debug mode was off, forgotten once it is on: no stack was recorded,
// and the warning says why (it printed "(no stack)"); the three are counted together.
let early = [nr.zeros([2]), nr.zeros([2]), nr.zeros([2])];
await settle();
nr.setDebug(true);
warnings.length = 0;
early = null;
await settle();
nr.setDebug(false);
const beforeDebugWarnings = warnings.filter((w) => w.includes('without dispose()'));
const afterEarly = nr.memory();

// 3b. A model's getWeights() forgotten, 3 times: its copies are made inside neurite (through
// Array.from and map, built-ins whose frames are not the place), at the caller's one place for
// the kernels and the biases: one stack, then counts at 2 and 4 naming forgetWeights.
const wm = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 2 })] });
wm.build();
nr.setDebug(true);
function forgetWeights() {
  wm.getWeights();
}
warnings.length = 0;
for (let i = 0; i < 3; i++) forgetWeights();
await settle();
nr.setDebug(false);
const weightWarnings = warnings.filter((w) => w.includes('without dispose()'));
wm.dispose();
const afterWeights = nr.memory();

// 4. A model, forgotten (counted in numModels while it lives).
let whileModel;
(() => {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
  m.build();
  whileModel = nr.memory();
})();
await settle();
const afterModel = nr.memory();

// 5. Composed ops (a loss, norm, moments) forgotten on three lines of their own: each
// warning names its line (V8's 10 frames were all neurite's, and two of them were counted as
// one place, the first frame they shared).
nr.setDebug(true);
warnings.length = 0;
const ya = nr.ones([4, 3]), yb = nr.zeros([4, 3]);
(function composedLeaks() {
  nr.losses.meanSquaredError(ya, yb); // LEAK-LOSS
  nr.norm(ya); // LEAK-NORM
  nr.moments(ya, 0).mean; // LEAK-MOMENTS (and its variance)
})();
await settle();
nr.setDebug(false);
nr.dispose([ya, yb]);
const composedWarnings = warnings.filter((w) => w.includes('without dispose()'));
const lineOf = (tag) => readFileSync(new URL(import.meta.url), 'utf8').split('\n').findIndex((l) => l.includes(`// ${tag}`)) + 1;
const composedLines = { loss: lineOf('LEAK-LOSS'), norm: lineOf('LEAK-NORM'), moments: lineOf('LEAK-MOMENTS') };

console.log(JSON.stringify({
  before,
  afterPlain,
  afterBurst,
  afterDisposed,
  afterDebug,
  whileModel,
  afterModel,
  debugWarning,
  debugWarnings,
  afterWeights,
  weightWarnings,
  composedWarnings,
  composedLines,
  beforeDebugWarnings,
  afterEarly,
}));
