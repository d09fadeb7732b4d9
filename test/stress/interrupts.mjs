// Stress for stopped calls (Ctrl-C / vm timeouts), not run by `npm test` (which runs 200
// rounds of the same in test/interrupt.test.ts):
//
//   node test/stress/interrupts.mjs [threads=2] [rounds=300]
//
// Stops a `minimize` loop with vm timeouts of 5–11 ms, and after each stop runs `memory()`, a
// turn of the event loop and one `minimize` in `tidy`, as a REPL user would. Every stop must end
// in a recovery ("neurite recovered" on console.warn) or an instance replacement ("the instance
// was replaced": the tensors are made again); `why` counts the replacements by the call stopped.
// Exits 1 on anything else. Session 42 found, with 2 threads, a trap after ~30–70 stops (a stop
// inside nr_tape_end, which was unguarded: the next nr_tape_begin found the tape's cell
// borrowed) and "a gradient tape is already recording" after ~130 (a stop between the TS tape
// state and the core's); session 43 fixed both: 3000 rounds clean.
import vm from 'node:vm';
import * as nr from '../../dist/index.js';

const threads = Number(process.argv[2] ?? 2);
const rounds = Number(process.argv[3] ?? 300);
await nr.init({ threads });
globalThis.nr = nr;
let recovered = 0;
console.warn = (m) => {
  if (String(m).includes('recovered')) recovered++;
};
let x, w, opt;
const make = () => {
  x = nr.randomNormal([4000, 3], { seed: 1 });
  w = nr.variable(nr.randomNormal([3, 1], { seed: 2 }));
  opt = nr.optimizers.sgd(1e-6);
  globalThis.g = { x, w, opt };
};
make();
const loops = [
  'for (;;) nr.tidy(() => g.opt.minimize(() => nr.matMul(g.x, g.w).square().sum(), false, [g.w]))',
  'for (;;) nr.tidy(() => g.opt.minimize(() => nr.matMul(g.x, g.w).abs().sum(), false, [g.w]))',
];
let replaced = 0;
const why = {};
const failures = [];
for (let i = 0; i < rounds; i++) {
  try {
    vm.runInThisContext(loops[i % loops.length], { timeout: 5 + (i % 7) });
  } catch (e) {
    if (e.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      failures.push(`round ${i}, in the loop: ${e.constructor.name}: ${e.message.slice(0, 160)}`);
      if (failures.length >= 5) break;
      continue;
    }
  }
  try {
    nr.memory();
    await new Promise((r) => setTimeout(r, 0));
    const loss = nr.tidy(() => opt.minimize(() => nr.matMul(x, w).square().sum(), true, [w]).dataSync()[0]);
    if (!Number.isFinite(loss)) throw new Error(`loss ${loss}`);
  } catch (e) {
    if (/instance was replaced/.test(e.message) && !/trapped/.test(e.message)) { replaced++; const k = e.message.replace(/^.*?\(([^)]*)\) was interrupted \(Ctrl-C or a vm timeout\) /, "$1 ").replace(/; the instance.*/, ""); why[k] = (why[k] ?? 0) + 1; }
    else failures.push(`round ${i}: ${e.constructor.name}: ${e.message.slice(0, 160)}`);
    make();
    if (failures.length >= 5) break;
  }
}
console.log(JSON.stringify({ threads, rounds, recovered, replaced, why, failures }, null, 1));
process.exit(failures.length ? 1 : 0);
