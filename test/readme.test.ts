// Every code block of README.md, run as written from the package as a user installs it (the
// tarball of `npm pack`, installed offline into an empty project): `js` blocks in Node, the
// `ts` blocks (the `using` declaration, not available in Node 20/22) in Deno, type-checked.
// Blocks that are not code to run say so by their fence language (`sh`, `text`); a second word
// says where a block runs instead of Node: `js edge`, a handler for an edge runtime, run by
// test/edge-runtime.test.ts; `js browser`, a file of a page or its Worker (named on its first
// line), and `js vite`, a vite.config.js, built with Vite and run in Chromium by
// test/bundler.test.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CI, ROOT, requireRuntime, runtimeAvailable } from './runtimes/expect.js';
import { codeBlocks, packAndInstall, type Packed } from './runtimes/packed.js';
import { instrument, mismatch, saidOf } from './runtimes/said.js';

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = codeBlocks(README);
const DENO = process.env.DENO_PATH ?? join(ROOT, 'node_modules/.bin/deno');
const RUNNABLE = { js: 'node', ts: 'deno' } as const;
const NOT_RUN = ['sh', 'text'];
/** The tags of `js` blocks run elsewhere than in Node (see the header). */
const ELSEWHERE = ['edge', 'browser', 'vite'];

let packed: Packed;
beforeAll(async () => {
  packed = await packAndInstall('neurite-readme-');
});
afterAll(() => packed?.cleanup());

/**
 * Runs `cmd args` in `cwd` (the scratch project by default); fails with both streams when it
 * exits non-zero. The temporary folder is one inside the scratch project, so what a block
 * writes there (the checkpoint block's `mkdtemp`) goes when the project does.
 */
async function exec(cmd: string, args: string[], what: string, cwd = packed.dir): Promise<string> {
  const tmp = join(packed.dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const { stdout } = await run(cmd, args, { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', TMPDIR: tmp } })
    .catch((e: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`${what} failed: ${e.message}\n--- stdout\n${e.stdout ?? ''}\n--- stderr\n${e.stderr ?? ''}`);
    });
  return stdout;
}

describe('README code blocks', () => {
  it('every block is labelled: js (run in Node), js edge (run in the edge sandbox), js browser or js vite (built with Vite, run in Chromium), ts (run in Deno), or sh/text (not run)', () => {
    const bad = blocks.filter((b) => (!(b.lang in RUNNABLE) && !NOT_RUN.includes(b.lang)) || (b.tag !== '' && !(b.lang === 'js' && ELSEWHERE.includes(b.tag))));
    expect(bad.map((b) => `README.md:${b.line} \`\`\`${b.lang}`)).toEqual([]);
    expect(blocks.filter((b) => b.lang === 'js').length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(1);
  });

  it('the install steps name the tarball npm pack writes for this version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const install = blocks.find((b) => b.lang === 'sh' && b.code.includes('npm pack'));
    expect(install, 'the sh block with npm pack').toBeTruthy();
    const named = install!.code.match(/neurite-[\w.-]+?\.tgz/g) ?? [];
    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named)]).toEqual([`neurite-${version}.tgz`]);
    const everywhere = README.match(/neurite-\d[\w.-]*?\.tgz/g) ?? [];
    expect([...new Set(everywhere)]).toEqual([`neurite-${version}.tgz`]);
  });

  it('no js block uses `using` (a syntax error on Node 20 and 22, which engines allows)', () => {
    const using = blocks.filter((b) => b.lang === 'js' && /^\s*(await\s+)?using\s+[\w$]+\s*=/m.test(b.code));
    expect(using.map((b) => `README.md:${b.line}`)).toEqual([]);
  });

  for (const b of blocks.filter((b) => b.lang === 'js' && b.tag === '')) {
    it(`README.md:${b.line} runs in Node from the installed tarball (and frees what it makes when it frees anything)`, async () => {
      const file = join(packed.dir, `readme-${b.line}.mjs`);
      // What the block leaves: every tensor, model and optimizer it made should be disposed
      // (a block teaches the pattern users copy). Asked of the entry the block imports.
      const entry = /from 'neurite\/url'/.test(b.code) ? 'neurite/url' : 'neurite';
      // A line `console.log(…); // [3, 4]` prints what its comment says (see runtimes/said.ts).
      const said = instrument(b.code, b.line + 1);
      writeFileSync(file, `${said.code}\n${said.report}\nconsole.log('memory: ' + JSON.stringify((await import('${entry}')).memory()));\n`);
      const out = await exec(process.execPath, [file], `node README.md:${b.line}`);
      console.log(`README.md:${b.line}\n${out.trim().split('\n').slice(-6).join('\n')}`);
      if (said.lines.size > 0) {
        const printed = new Map(JSON.parse(out.trim().split('\n').at(-2)!.replace(/^said: /, '')) as Array<[number, string]>);
        const wrong = [...said.lines].map(([line, comment]) => (printed.has(line) ? mismatch(comment, printed.get(line)!) : `the line never printed (its comment: ${comment})`)).map((m, i) => m && `README.md:${[...said.lines.keys()][i]}: ${m}`);
        expect(wrong.filter(Boolean)).toEqual([]);
      }
      // A block that frees anything frees everything (the short ones that free nothing end the
      // process right after, as TF.js's examples do).
      const mem = JSON.parse(out.trim().split('\n').at(-1)!.replace(/^memory: /, '')) as { numHandles: number };
      if (/\.dispose\(|tidy\(/.test(b.code)) expect(mem.numHandles, `README.md:${b.line} disposes some of what it makes but leaves ${mem.numHandles} live handles`).toBe(0);
    });
  }

  describe.skipIf(!runtimeAvailable(DENO))(`ts blocks in Deno (${CI ? 'required on CI' : 'skipped locally when missing'})`, () => {
    for (const b of blocks.filter((b) => b.lang === 'ts')) {
      it(`README.md:${b.line} type-checks and runs in Deno from the installed tarball`, async () => {
        requireRuntime('deno', DENO);
        const file = join(packed.dir, `readme-${b.line}.ts`);
        writeFileSync(file, b.code + '\n');
        await exec(DENO, ['check', '--quiet', file], `deno check README.md:${b.line}`);
        const out = await exec(DENO, ['run', '--no-prompt', file], `deno run README.md:${b.line}`);
        console.log(`README.md:${b.line} (deno)\n${out.trim()}`);
      });
    }
  });
});

describe('README snippets compute what they say', () => {
  it("the check of a logged line's comment (runtimes/said.ts) fails on a wrong value and passes what prints", () => {
    expect(mismatch('[3, 4]', '[ 3, 4 ]')).toBeNull();
    expect(mismatch('[3, 4]', '[ 3, 5 ]')).toMatch(/the comment says 4 \(of: \[3, 4\]\), but the line prints: \[ 3, 5 \]/);
    expect(mismatch('0.535… → 1', '0.51953125 → 1')).toMatch(/says 0\.535…/);
    expect(mismatch('0.519… → 1', '0.51953125 → 1')).toBeNull();
    expect(mismatch('2.3561945 2 5', '2.356194496154785 2 5')).toBeNull();
    expect(mismatch('true 4 [0, 1]', 'true 4 Float32Array(2) [ 0, 1 ]')).toBeNull();
    expect(mismatch('true 4 [0, 1]', 'true 4 Float32Array(2) [ 1, 0 ]')).not.toBeNull();
    expect(mismatch("true 'IO' undefined", 'true IO undefined')).toBeNull();
    expect(mismatch("[64, 3] ['dense_…/kernel', …]", "[ 64, 3 ] [ 'dense_1/kernel', 'dense_1/bias' ]")).toBeNull();
    expect(mismatch('[1, 4, 4, 1]: each pixel 2×2 times', '[ 1, 4, 4, 1 ]')).toBeNull();
    expect(mismatch('corners kept: 0 5 10', 'Float32Array(3) [ 0, 5, 10 ]')).toBeNull();
    expect(mismatch('41: the encoder\'s 36 once, the head\'s 5', '40')).not.toBeNull();
    expect(saidOf('console.log(x); // the same values')).toBeNull();
    expect(saidOf('console.log(threads()); // { count: 2 }')).toBeNull();
    expect(saidOf('  tidy(() => console.log(a.shape, b.shape)); // [2, 10] [2, 2]')).toBe('[2, 10] [2, 2]');
  });

  it("the demo's accuracies are the ones the README states", async () => {
    // `npm run demo` is seeded: its numbers change only when the numerics do, and then the
    // README's sentence about them must change too.
    const top1 = /reaches \*\*(\d+\.\d+)% test accuracy\*\*/.exec(README);
    const top3 = /and (\d+\.\d+)% top-3 accuracy/.exec(README);
    expect(top1 && top3, "README's sentence on the demo's test and top-3 accuracy").toBeTruthy();
    const out = await exec(process.execPath, [join(ROOT, 'examples/mnist.mjs')], 'npm run demo', ROOT);
    const got1 = /test accuracy (\d+\.\d+)%/.exec(out);
    const got3 = /top-3 (\d+\.\d+)%/.exec(out);
    expect(got1 && got3, `the demo's output:\n${out}`).toBeTruthy();
    const digits = (claim: string) => claim.split('.')[1].length;
    expect(Number(got1![1]).toFixed(digits(top1![1])), 'test accuracy (README vs npm run demo)').toBe(top1![1]);
    expect(Number(got3![1]).toFixed(digits(top3![1])), 'top-3 accuracy (README vs npm run demo)').toBe(top3![1]);
  });

  it('the custom training loop finds w ≈ 2', async () => {
    const b = blocks.find((x) => x.lang === 'js' && x.tag === '' && x.code.includes('opt.minimize') && x.code.includes('variable(zeros([1, 1])'));
    expect(b, 'the custom-loop block').toBeTruthy();
    const file = join(packed.dir, 'readme-loop-check.mjs');
    writeFileSync(file, `${b!.code}\nconsole.log(JSON.stringify(w.arraySync ? w.arraySync() : await w.array()));\n`);
    const out = (await exec(process.execPath, [file], 'custom loop')).trim().split('\n').at(-1)!;
    expect(JSON.parse(out)[0][0]).toBeCloseTo(2, 2);
  });

  it('the custom loop over a model\'s weights learns XOR', async () => {
    const b = blocks.find((x) => x.lang === 'js' && x.tag === '' && x.code.includes('xor.trainableWeights'));
    expect(b, 'the model custom-loop block').toBeTruthy();
    const file = join(packed.dir, 'readme-xor-check.mjs');
    // The check runs before the block's last line, which disposes the model.
    const code = b!.code.replace(/\n(for \(const d of \[[^\n]*\]\) d\.dispose\(\);)\s*$/, '\nconsole.log(JSON.stringify(Array.from(tidy(() => xor.predict(x).dataSync()))));\n$1\n');
    expect(code).toContain('console.log(JSON.stringify(Array.from(tidy(');
    writeFileSync(file, code);
    const lines = (await exec(process.execPath, [file], 'model custom loop')).trim().split('\n');
    expect(lines[0]).toContain("'dense_");
    const p = JSON.parse(lines.at(-1)!) as number[];
    p.forEach((v, i) => expect(Math.abs(v - [0, 1, 1, 0][i]), `xor ${i}: ${v}`).toBeLessThan(0.2));
  });

  it('the conv2d block learns the Sobel filter and leaves no tensor live', async () => {
    const b = blocks.find((x) => x.lang === 'js' && x.tag === '' && x.code.includes('conv2d(images, w'));
    expect(b, 'the conv2d ops block').toBeTruthy();
    const file = join(packed.dir, 'readme-conv-check.mjs');
    writeFileSync(file, `${b!.code.replace(" } from 'neurite';", ", memory } from 'neurite';")}\nconsole.log(JSON.stringify(memory()));\n`);
    const lines = (await exec(process.execPath, [file], 'conv2d block')).trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['[ 8, 6, 6, 1 ]', '[ 8, 12, 12, 1 ]']);
    expect(lines.slice(2, -1).join(' ').replace(/\s+/g, ' ')).toBe('[ 1, 0, -1, 2, 0, -2, 1, 0, -1 ]');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ numTensors: 0, numBytes: 0 });
  });

  it('the Memory block leaves no tensor live', async () => {
    const b = blocks.find((x) => x.lang === 'js' && x.tag === '' && x.code.includes('tidy('));
    expect(b, 'the Memory block').toBeTruthy();
    const file = join(packed.dir, 'readme-memory-check.mjs');
    writeFileSync(file, `${b!.code}\nconsole.log(JSON.stringify(memory()));\n`);
    const out = (await exec(process.execPath, [file], 'memory block')).trim().split('\n').at(-1)!;
    expect(JSON.parse(out)).toMatchObject({ numTensors: 0, numBytes: 0 });
  });
});
