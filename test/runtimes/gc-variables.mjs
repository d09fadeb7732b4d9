// Run with `node --expose-gc`: forgets variables without dispose() and checks that the
// FinalizationRegistry frees them (the live-variable list holds them weakly). Prints one JSON line.
import * as nr from '../../dist/index.js';
import { settle } from './gc-settle.mjs';

await nr.init();
const before = nr.memory();
(() => {
  const init = nr.ones([100]);
  for (let i = 0; i < 5; i++) nr.variable(init, true, `forgotten_${i}`);
  init.dispose();
})();
await settle();
const after = nr.memory();
// The names of collected variables are free again.
const again = nr.variable(nr.tidy(() => nr.zeros([1])), true, 'forgotten_0');
const reused = again.name;
again.dispose();
console.log(JSON.stringify({ before, after, reused }));
