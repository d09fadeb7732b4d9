// The published shape of the package: the `exports` map, types, zero runtime dependencies,
// self-contained bundles, what `npm pack` ships, bundle sizes, and the smoke script in Node
// against both built entries (also imported by package name from a consumer directory).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase91 } from '../ts/wasm/base91.js';
import { lzmaDecode } from '../ts/wasm/lzma.js';
import { checkSmoke, consumerProject, DIST, nodeReference, requireDist, ROOT, type SmokeReport } from './runtimes/expect.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Runs `node` with `args` in `cwd` and returns stdout. */
async function node(args: string[], cwd = ROOT): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd, timeout: 20_000 }).catch((e: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`node ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  });
  return stdout;
}

/** Every file path a conditional `exports` target names. */
function targets(entry: unknown): string[] {
  if (typeof entry === 'string') return [entry];
  if (entry && typeof entry === 'object') return Object.values(entry).flatMap(targets);
  return [];
}

describe('package', () => {
  let consumer = '';

  beforeAll(() => {
    requireDist();
    // A consumer project whose node_modules/neurite is this package, as after `npm install`.
    consumer = consumerProject('consumer');
  });

  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it('every target of the exports map, main, module and types exists', () => {
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './url', './core.wasm', './core-relaxed.wasm', './package.json']));
    const files = [...targets(pkg.exports), pkg.main, pkg.module, pkg.types];
    const missing = files.filter((f) => !existsSync(join(ROOT, f)));
    expect(missing, 'missing export targets').toEqual([]);
    for (const e of ['.', './url']) {
      expect(Object.keys(pkg.exports[e])[0], `${e}: "types" must come first`).toBe('types');
    }
  });

  it('has zero runtime dependencies, and the bundles import nothing but their own chunks', () => {
    for (const k of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) {
      expect(Object.keys(pkg[k] ?? {}), k).toEqual([]);
    }
    // Every module specifier in a minified bundle: `from"x"`, `import"x"`, `import("x")` (terser
    // prints no space there; messages such as "import 'neurite/url'" have one).
    // (Each once: a chunk re-exporting its copy's mark from neurite.js names it twice.)
    const specifiers = (f: string) => [...new Set([...readFileSync(f, 'utf8').matchAll(/(?:\bfrom|\bimport\(?)["'`]([^"'`]+)["'`]/g)].map((m) => m[1]))];
    const url = (f: string) => join(ROOT, 'dist/url', f);
    const inline = (f: string) => join(ROOT, 'dist', f);
    expect(specifiers(DIST.inline)).toEqual(['./neurite.js']);
    expect(specifiers(inline('neurite.js')).sort()).toEqual(['./data.js', './io.js', './train.js', './wasm.js']);
    expect(specifiers(inline('io.js'))).toEqual(['./neurite.js']);
    expect(specifiers(inline('data.js'))).toEqual(['./neurite.js']);
    expect(specifiers(inline('train.js'))).toEqual(['./neurite.js']);
    expect(specifiers(inline('wasm.js'))).toEqual(['./neurite.js']);
    expect(specifiers(url('worker.js'))).toEqual([]);
    expect(specifiers(DIST.url)).toEqual(['./neurite.js']);
    expect(specifiers(url('neurite.js')).sort()).toEqual(['./data.js', './io.js', './train.js']);
    expect(specifiers(url('io.js'))).toEqual(['./neurite.js']);
    expect(specifiers(url('data.js'))).toEqual(['./neurite.js']);
    expect(specifiers(url('train.js'))).toEqual(['./neurite.js']);
    const files = [...['index.js', 'neurite.js', 'io.js', 'data.js', 'train.js', 'wasm.js'].map(inline), DIST.url, url('neurite.js'), url('io.js'), url('data.js'), url('train.js'), url('worker.js')];
    for (const f of files) expect(readFileSync(f, 'utf8')).not.toMatch(/\brequire\(/);
    // Those are all the bundles.
    const js = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.js')).map((f) => join(ROOT, dir, f));
    expect([...js('dist'), ...js('dist/url')].sort()).toEqual([...files].sort());
    // An import() of a computed name (node:os, node:worker_threads before getBuiltinModule) tells
    // bundlers to leave it alone: webpack made it an empty context (a "Critical dependency"
    // warning in every consumer build, and "Cannot find module 'node:os'" on Node < 20.16).
    let computed = 0;
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bimport\((?!["'`])([^)]{0,80})\)/g)) {
        expect(m[1], `${f}: import(${m[1]})`).toMatch(/^\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/\w+$/);
        computed++;
      }
    }
    expect(computed).toBeGreaterThan(0);
  });

  it("neurite/url's storage code is a chunk of its own, imported only on the first save or load", async () => {
    // A copy of dist/url without io.js: everything but storage works; toArtifacts and loadModel
    // then say what is missing, and work once it is there.
    const dir = mkdtempSync(join(tmpdir(), 'neurite-no-io-'));
    try {
      for (const f of ['index.js', 'neurite.js', 'train.js', 'core.wasm', 'worker.js']) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'dist/url', f)));
      const script = `
        const nr = await import(${JSON.stringify(join(dir, 'index.js'))});
        await nr.init({ threads: 1 });
        const m = nr.sequential({ layers: [nr.layers.dense({ units: 2, inputShape: [3], activation: 'relu' })] });
        m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        await m.fit(nr.ones([4, 3]), nr.zeros([4, 2]), { epochs: 1, verbose: 0 });
        const handler = nr.io.getSaveHandler('file://./never-written');
        let err, err2;
        try { await m.toArtifacts(); } catch (e) { err = e; }
        try { await nr.loadModel({ modelTopology: {} }); } catch (e) { err2 = e; }
        const { copyFileSync } = await import('node:fs');
        copyFileSync(${JSON.stringify(join(ROOT, 'dist/url/io.js'))}, ${JSON.stringify(join(dir, 'io.js'))});
        const a = await m.toArtifacts();
        const saved = await m.save({ save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) });
        console.log(JSON.stringify({ weights: a.weightSpecs.length, saved: saved.modelArtifactsInfo.modelTopologyType, handler: typeof handler.save, name: err?.name, code: err?.code, message: err?.message, message2: err2?.message }));`;
      const out = JSON.parse(await node(['--input-type=module', '-e', script], dir));
      expect(out).toMatchObject({ weights: 2, saved: 'JSON', handler: 'function', name: 'IOError', code: 'IO' });
      expect(out.message).toMatch(/^toArtifacts: loading neurite's storage code \(io\.js next to the neurite bundle\) failed: /);
      expect(out.message2).toMatch(/^loadModel: loading neurite's storage code \(io\.js next to the neurite bundle\) failed: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the default entry's wasm is a chunk of its own, imported by init(); a failed import can be retried", async () => {
    // A copy of dist without wasm.js: init() says what is missing; with the file back, it runs.
    const dir = mkdtempSync(join(tmpdir(), 'neurite-no-wasm-'));
    try {
      for (const f of ['index.js', 'neurite.js', 'io.js', 'data.js', 'train.js']) writeFileSync(join(dir, f), readFileSync(join(ROOT, 'dist', f)));
      const script = `
        const nr = await import(${JSON.stringify(join(dir, 'index.js'))});
        let err;
        try { await nr.init({ threads: 1 }); } catch (e) { err = e; }
        const { copyFileSync } = await import('node:fs');
        copyFileSync(${JSON.stringify(join(ROOT, 'dist/wasm.js'))}, ${JSON.stringify(join(dir, 'wasm.js'))});
        await nr.init({ threads: 1 });
        console.log(JSON.stringify({ name: err?.name, code: err?.code, message: err?.message, sum: nr.tensor([1, 2]).sum().dataSync()[0] }));`;
      const out = JSON.parse(await node(['--input-type=module', '-e', script], dir));
      expect(out).toMatchObject({ name: 'IOError', code: 'IO', sum: 3 });
      expect(out.message).toMatch(/^init: loading neurite's inline wasm \(wasm\.js next to the neurite bundle\) failed: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(process.platform !== 'linux')('init under an address-space limit (ulimit -v 8 GB) is an OutOfMemoryError that says why (was a bare RangeError)', async () => {
    const script = `import(${JSON.stringify(DIST.inline)}).then((nr) => nr.init()).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ name: e.name, message: e.message })))`;
    const { stdout } = await run('bash', ['-c', `ulimit -v 8000000; exec ${JSON.stringify(process.execPath)} --input-type=module -e ${JSON.stringify(script).replaceAll('$', '\\$')}`], { timeout: 60_000 });
    const out = JSON.parse(stdout);
    expect(out.name).toBe('OutOfMemoryError');
    expect(out.message).toMatch(/^init: the runtime could not reserve neurite's WebAssembly memory \(.*\): is the process's address space limited \(ulimit -v\)\?/);
  });

  it('neurite/url bundled without import.meta.url (esbuild --format=cjs) says where the wasm can come from; given the wasm, it runs', async () => {
    // What such a bundler leaves: import.meta.url undefined (it was a bare "TypeError: Invalid URL").
    const dir = mkdtempSync(join(tmpdir(), 'neurite-no-meta-url-'));
    try {
      for (const f of readdirSync(join(ROOT, 'dist/url')).filter((f) => f.endsWith('.js'))) {
        writeFileSync(join(dir, f), readFileSync(join(ROOT, 'dist/url', f), 'utf8').replaceAll('import.meta.url', 'undefined'));
      }
      const script = `
        const nr = await import(${JSON.stringify(join(dir, 'index.js'))});
        let err;
        try { await nr.init({ threads: 1 }); } catch (e) { err = e; }
        const { readFileSync } = await import('node:fs');
        await nr.init({ source: readFileSync(${JSON.stringify(join(ROOT, 'dist/url/core.wasm'))}), threads: 1 });
        console.log(JSON.stringify({ name: err?.name, message: err?.message, sum: nr.tensor([1, 2]).sum().dataSync()[0] }));`;
      const out = JSON.parse(await node(['--input-type=module', '-e', script], dir));
      expect(out).toMatchObject({ name: 'InvalidArgumentError', sum: 3 });
      expect(out.message).toMatch(/^init: neurite\/url finds core\.wasm next to its module through .*, which this module does not have \(a CommonJS bundle, or an edge runtime such as Cloudflare Workers\): on an edge runtime, pass init\(\) the module .*; with a CommonJS bundle, import 'neurite' instead/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("under Node's permission model, a refused core.wasm and refused workers each name the flag to add", async () => {
    const flag = Number(process.versions.node.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
    const dir = mkdtempSync(join(tmpdir(), 'neurite-permission-'));
    try {
      const script = join(dir, 'main.mjs');
      writeFileSync(script, `
        const url = await import(${JSON.stringify(join(ROOT, 'dist/url/index.js'))});
        let err;
        try { await url.init({ threads: 1 }); } catch (e) { err = e; }
        const inline = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
        const info = console.info, warn = console.warn;
        console.info = console.warn = () => {};
        await inline.init({ threads: 2 });
        console.info = info; console.warn = warn;
        const m = inline.sequential({ layers: [inline.layers.dense({ units: 1, inputShape: [2] })] });
        let saveErr;
        try { await m.save('file://' + ${JSON.stringify(dir)} + '/saved'); } catch (e) { saveErr = e; }
        console.log(JSON.stringify({ name: err?.name, message: err?.message, threads: inline.threads().count, reason: inline.threads().reason, save: saveErr?.message }));`);
      // Every JS file of both entries may be read; core.wasm may not.
      const js = readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.js')).map((f) => join(ROOT, 'dist', f));
      const urlJs = readdirSync(join(ROOT, 'dist/url')).filter((f) => f.endsWith('.js')).map((f) => join(ROOT, 'dist/url', f));
      const args = [flag, ...[script, ...js, ...urlJs].map((f) => `--allow-fs-read=${f}`), '--no-warnings', script];
      const out = JSON.parse((await node(args, dir)).trim().split('\n').at(-1)!);
      const wasm = join(ROOT, 'dist/url/core.wasm');
      expect(out.name).toBe('InvalidArgumentError');
      expect(out.message).toMatch(/^init: reading the neurite wasm from .*core\.wasm failed: /);
      expect(out.message).toContain(`(Node's permission model: run with --allow-fs-read=${wasm}, or pass init() the wasm's bytes)`);
      expect(out.threads).toBe(1);
      expect(out.reason).toContain("Node's permission model: run with --allow-worker");
      expect(out.save).toMatch(new RegExp(`^save: Node's permission model denied write access to ${dir}/saved.*: run with --allow-fs-write=${dir}/saved`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without WebAssembly (node --jitless) both entries import, and init() says what is missing (was: a bare ReferenceError)', async () => {
    for (const entry of ['dist/index.js', 'dist/url/index.js']) {
      const script = `const nr = await import(${JSON.stringify(join(ROOT, entry))}); try { await nr.init(); } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }`;
      const out = JSON.parse((await node(['--jitless', '--input-type=module', '-e', script])).trim().split('\n').at(-1)!);
      expect(out).toEqual({ name: 'NeuriteError', message: expect.stringMatching(/^init: this runtime has no WebAssembly \(Node's or Deno's --jitless, /) });
    }
  });

  it("both entries carry the worker as dist/url/worker.js's text in a string, which a re-bundler leaves alone (esbuild --keep-names --minify rewrote the worker function's code: 'l is not defined')", () => {
    const script = readFileSync(join(ROOT, 'dist/url/worker.js'), 'utf8').trim();
    expect(script).not.toMatch(/[\n'\\]/); // so it stands as it is in a '…' literal
    for (const chunk of ['dist/neurite.js', 'dist/url/neurite.js']) {
      const src = readFileSync(join(ROOT, chunk), 'utf8');
      expect(src, chunk).toContain(`'${script}'`);
      // Once: the worker function's own code is not bundled beside it.
      expect(src.split('nr_worker_main(').length - 1, chunk).toBe(1);
    }
  });

  it('the inline bundle carries exactly dist/url/core.wasm (in dist/wasm.js)', () => {
    const src = readFileSync(join(ROOT, 'dist/wasm.js'), 'utf8');
    // The bundle is minified: the constant is the one long string literal (an .lzma stream in
    // basE91, whose alphabet has no quote, backtick or backslash). terser writes a `-->` in it as
    // `--\x3e` (its inline_script safety; the build refuses `</script` and `<!--`), so the
    // literal may hold \xNN escapes, which JS reads back as the character.
    const literal = src.match(/'((?:[^'`\\\n]|\\x[0-9a-f]{2}){10000,})'/i)?.[1];
    expect(literal, 'the basE91 wasm not found in dist/wasm.js').toBeTruthy();
    const text = literal!.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    const wasm = readFileSync(DIST.wasm);
    expect(Buffer.from(lzmaDecode(decodeBase91(text), wasm.length)).equals(wasm)).toBe(true);
  });

  it('Node resolves and runs both entries by package name', async () => {
    const script = `
      const out = {
        main: import.meta.resolve('neurite'), url: import.meta.resolve('neurite/url'),
        wasm: import.meta.resolve('neurite/core.wasm'), pkg: import.meta.resolve('neurite/package.json'),
      };
      for (const [name, spec] of [['inline', 'neurite'], ['urlEntry', 'neurite/url']]) {
        const nr = await import(spec);
        await nr.init();
        const t = nr.tensor([[1, 2], [3, 4]]);
        const s = t.matMul(t).sum();
        out[name] = s.item();
        await nr.init(new URL(out.wasm));
        out[name + 'AfterUrlInit'] = nr.tensor([1, 2]).sum().item();
      }
      console.log(JSON.stringify(out));`;
    const out = JSON.parse(await node(['--input-type=module', '-e', script], consumer));
    expect(out.main).toBe(`file://${DIST.inline}`);
    expect(out.url).toBe(`file://${DIST.url}`);
    expect(out.wasm).toBe(`file://${DIST.wasm}`);
    expect(out.pkg).toBe(`file://${join(ROOT, 'package.json')}`);
    expect(out).toMatchObject({ inline: 54, urlEntry: 54, inlineAfterUrlInit: 3, urlEntryAfterUrlInit: 3 });
  });

  it('the declarations type-check in a strict NodeNext consumer', async () => {
    writeFileSync(join(consumer, 'main.mts'), `
      import { init, randomNormal, tensor, setSeed, threads, ShapeError, type Tensor, type WasmSource, type InitOptions } from 'neurite';
      import * as url from 'neurite/url';
      const src: WasmSource = new URL('https://example.com/core.wasm');
      await init();
      await url.init(src);
      const opts: InitOptions = { threads: 2, relaxedSimd: false };
      await url.init(opts);
      const count: number = threads().count;
      setSeed(1);
      const t: Tensor = tensor([[1, 2]]).matMul(randomNormal([2, 3], { seed: 42, stddev: 0.1 }));
      const n: number = t.sum().item();
      const e: ShapeError | null = null;
      // @ts-expect-error: an unknown option is a type error
      randomNormal([2], { std: 1 });
      console.log(n, e, count, url.memory().numTensors);
    `);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        lib: ['ES2022', 'DOM', 'ESNext.Disposable'], types: [], skipLibCheck: false, skipDefaultLibCheck: true,
      },
      files: ['main.mts'],
    }));
    await node([join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(consumer, 'tsconfig.json')], consumer);
  });

  it('npm pack ships dist (and the README and FORMATS.md, which it links) and nothing of the sources', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, timeout: 20_000 });
    const [info] = JSON.parse(stdout) as Array<{ size: number; unpackedSize: number; files: Array<{ path: string }> }>;
    const paths = info.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'FORMATS.md', 'dist/index.js', 'dist/neurite.js', 'dist/wasm.js', 'dist/io.js', 'dist/data.js', 'dist/train.js', 'dist/url/index.js', 'dist/url/core.wasm', 'dist/url/core-relaxed.wasm', 'dist/url/worker.js', 'dist/types/index.d.ts']));
    expect(paths.filter((p) => !p.startsWith('dist/') && !/^(package\.json|README\.md|FORMATS\.md|LICENSE)$/i.test(p))).toEqual([]);
    const size = (f: string) => {
      const b = readFileSync(f);
      return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
    };
    const rows = {
      'dist/wasm.js (inline wasm)': size(join(ROOT, 'dist/wasm.js')),
      'dist/url/index.js': size(DIST.url),
      'dist/url/core.wasm': size(DIST.wasm),
      'npm tarball': { raw: info.unpackedSize, gzip: info.size },
    };
    console.log(Object.entries(rows).map(([k, v]) => `${k.padEnd(28)} ${String(v.raw).padStart(8)} B  ${String(v.gzip).padStart(7)} B gzip`).join('\n'));
    // The inline wasm is LZMA-packed as basE91 (about 0.3 × 1.23 of the module) plus its two
    // decoders: more than a third of the module, less than half of it.
    const wasm = statSync(DIST.wasm).size;
    expect(rows['dist/wasm.js (inline wasm)'].raw).toBeGreaterThan(wasm / 3);
    expect(rows['dist/wasm.js (inline wasm)'].raw).toBeLessThan(wasm / 2);
  });

  // Node prints the source line an uncaught error was made on, with a caret, above the message:
  // one minified line of the whole bundle (with the inline wasm, 475 kB) buried the message
  // under a screen of code, and a line of 1,000 characters still came first. The lines that
  // make errors carry Node's marker against it (scripts/rollup-throw-lines.mjs): the message is
  // the first thing printed, for an error thrown at once, from a rejected promise, from a
  // callback, and from the lazily loaded chunks (io.js).
  const uncaught = {
    sync: `await init({ threads: 1 });\ntensor1d([1, 2], 'int32');`,
    promise: `await init({ threads: 1 });\nconst m = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });\nm.compile({ loss: 'mse', optimizer: 'sgd' });\nm.fit(tensor1d([1, 2]), tensor1d([1]), { epoch: 1 });`,
    callback: `await init({ threads: 1 });\nsetTimeout(() => tensor1d([1, 2], 'int32'), 1);`,
    io: `await init({ threads: 1 });\nawait loadModel('file:///nonexistent/neurite-model.json');`,
  };
  const starts = {
    sync: "InvalidArgumentError: tensor1d: dtype must be 'float32'",
    promise: "InvalidArgumentError: fit: unknown option 'epoch'",
    callback: "InvalidArgumentError: tensor1d: dtype must be 'float32'",
    io: 'InvalidArgumentError: loadModel: file:///nonexistent/neurite-model.json does not exist',
  };
  for (const [entry, spec] of [['inline', 'neurite'], ['url', 'neurite/url']] as const) {
    for (const [how, code] of Object.entries(uncaught) as [keyof typeof uncaught, string][]) {
      it(`an uncaught error (${entry} entry, ${how}) prints its message first, not the bundle's source`, async () => {
        const file = join(consumer, `uncaught-${entry}-${how}.mjs`);
        writeFileSync(file, `import { init, tensor1d, sequential, layers, loadModel } from '${spec}';\n${code}\n`);
        const err = await run(process.execPath, [file], { cwd: consumer, timeout: 20_000 }).then(() => null, (e: { stderr: string }) => e);
        expect(err, 'the script must fail').not.toBeNull();
        expect(err!.stderr.trimStart().slice(0, 300)).toContain(starts[how]);
        expect(err!.stderr.trimStart().startsWith(starts[how].split(':')[0] + ':'), err!.stderr.slice(0, 300)).toBe(true);
        expect(err!.stderr.length, `stderr is ${err!.stderr.length} characters`).toBeLessThan(4000);
      });
    }
  }

  for (const entry of ['inline', 'url'] as const) {
    it(`Node smoke (${entry} entry): ops, errors, memory, seeded bits, init(bytes|URL|Module)`, async () => {
      const [out, ref] = await Promise.all([node([join(ROOT, 'test/runtimes/run.mjs'), entry]), nodeReference()]);
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as SmokeReport;
      checkSmoke(r, { runtime: 'node', entry, randomHex: ref.randomHex, trainHex: ref.trainHex, sources: ['bytes', 'url', 'module'] });
    });
  }
});
