// Run with `node --expose-gc`: a tidy() stopped by a vm timeout (as Ctrl-C in the Node REPL
// stops it: no finally runs) must not keep every tensor made afterwards alive. Prints one JSON line.
import vm from 'node:vm';
import * as nr from '../../dist/index.js';
import { settle } from './gc-settle.mjs';

await nr.init();
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
globalThis.nr = nr;
const before = nr.memory();
let code = null;
try {
  // Five tensors in the scope, then a loop the timeout stops (in JS: a stop inside a neurite
  // call is test/interrupt.test.ts's subject).
  vm.runInThisContext('nr.tidy(() => { for (let i = 0; i < 5; i++) nr.ones([10]); for (;;); })', { timeout: 200 });
} catch (e) {
  code = e.code;
}
const interrupted = nr.memory();
// The REPL's next line runs in a later job: the scope is detected as abandoned there.
await settle();
// Forgotten tensors, made after the interrupt: the finalizer frees and counts them.
(() => {
  for (let i = 0; i < 20; i++) nr.ones([100]);
})();
const closed = nr.memory();
await settle();
const afterForgotten = nr.memory();
// tidy works again.
const t = nr.tidy(() => nr.scalar(1).add(1));
const two = t.dataSync()[0];
t.dispose();
await settle();
console.log(JSON.stringify({
  code,
  before,
  interrupted,
  closed,
  afterForgotten,
  two,
  after: nr.memory(),
  warnings: warnings.filter((w) => w.includes('tidy() was interrupted')),
}));
