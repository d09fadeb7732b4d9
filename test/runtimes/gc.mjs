// Run with `node --expose-gc`: forgets tensors (and one model) without dispose(), collects
// garbage, and reports what the FinalizationRegistry freed. Prints one JSON line.
import * as nr from '../../dist/index.js';
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

// 3. Debug mode: the warning names where the tensor was made.
nr.setDebug(true);
(function makeTheLeak() {
  nr.zeros([3]);
})();
await settle();
nr.setDebug(false);
const afterDebug = nr.memory();

// 4. A model, forgotten.
(() => {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [4], units: 2 })] });
  m.build();
})();
await settle();
const afterModel = nr.memory();

console.log(JSON.stringify({
  before,
  afterPlain,
  afterDebug,
  afterModel,
  debugWarning: warnings.find((w) => w.includes('garbage-collected without dispose()')) ?? null,
}));
