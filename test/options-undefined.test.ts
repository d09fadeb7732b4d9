// An option given as `undefined` means its default, at run time and in the types (a user's
// report: under `exactOptionalPropertyTypes`, `init({ threads: maybeUndefined })` and
// `fit(x, y, { batchSize: undefined })` were type errors although they run). For each options
// type below, the TypeScript compiler lists its optional keys (inherited ones included), and
// the call with every one of them `undefined` must give what the call without them gives;
// the public options types must declare those keys `?: T | undefined` (checked over every
// exported `…Options`/`…Args`/`…Config` type and the inline options of public functions, under
// exactOptionalPropertyTypes). test/types.test.ts checks a user program against the shipped
// declarations with the same flag.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nr from '../ts/index.js';
import { ROOT } from './runtimes/expect.js';

/** One options type: how TS names it (`nr` is ts/index.ts), the keys that stay given, and a call whose result is compared. */
interface Case {
  type: string;
  given?: Record<string, unknown>;
  run: (opts: Record<string, unknown>) => unknown;
}

/** Drops what differs between two equal objects made one after the other (auto-numbered names). */
function comparable(v: unknown): unknown {
  if (v instanceof nr.Tensor) return { shape: v.shape, data: Array.from(v.data()) };
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'name').map(([k, x]) => [k, comparable(x)]));
  }
  return v;
}

const config = (l: { getConfig(): unknown }) => comparable(l.getConfig());
const x22 = () => nr.tensor([[1, -2], [3, 4]]);
const img = () => nr.randomUniform([1, 16, 16, 1], { seed: 3 });

/** A small compiled model (same seed, so the same weights) for fit/predict/evaluate/save. */
function model(): nr.Sequential {
  const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })], seed: 7 });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

const CASES: Record<string, Case> = {
  'layers.dense': { type: 'Parameters<typeof nr.layers.dense>[0]', given: { units: 3 }, run: (o) => config(nr.layers.dense(o as never)) },
  'layers.conv2d': { type: 'Parameters<typeof nr.layers.conv2d>[0]', given: { filters: 2, kernelSize: 3 }, run: (o) => config(nr.layers.conv2d(o as never)) },
  'layers.conv1d': { type: 'Parameters<typeof nr.layers.conv1d>[0]', given: { filters: 2, kernelSize: 3 }, run: (o) => config(nr.layers.conv1d(o as never)) },
  'layers.conv1dTranspose': { type: 'Parameters<typeof nr.layers.conv1dTranspose>[0]', given: { filters: 2, kernelSize: 3 }, run: (o) => config(nr.layers.conv1dTranspose(o as never)) },
  'layers.conv2dTranspose': { type: 'Parameters<typeof nr.layers.conv2dTranspose>[0]', given: { filters: 2, kernelSize: 3 }, run: (o) => config(nr.layers.conv2dTranspose(o as never)) },
  'layers.separableConv2d': { type: 'Parameters<typeof nr.layers.separableConv2d>[0]', given: { filters: 2, kernelSize: 3 }, run: (o) => config(nr.layers.separableConv2d(o as never)) },
  'layers.depthwiseConv2d': { type: 'Parameters<typeof nr.layers.depthwiseConv2d>[0]', given: { kernelSize: 3 }, run: (o) => config(nr.layers.depthwiseConv2d(o as never)) },
  'layers.maxPooling2d': { type: 'NonNullable<Parameters<typeof nr.layers.maxPooling2d>[0]>', given: { poolSize: 2 }, run: (o) => config(nr.layers.maxPooling2d(o as never)) },
  'layers.averagePooling1d': { type: 'NonNullable<Parameters<typeof nr.layers.averagePooling1d>[0]>', given: { poolSize: 2 }, run: (o) => config(nr.layers.averagePooling1d(o as never)) },
  'layers.globalMaxPooling2d': { type: 'NonNullable<Parameters<typeof nr.layers.globalMaxPooling2d>[0]>', run: (o) => config(nr.layers.globalMaxPooling2d(o as never)) },
  'layers.upSampling2d': { type: 'NonNullable<Parameters<typeof nr.layers.upSampling2d>[0]>', run: (o) => config(nr.layers.upSampling2d(o as never)) },
  'layers.zeroPadding2d': { type: 'NonNullable<Parameters<typeof nr.layers.zeroPadding2d>[0]>', run: (o) => config(nr.layers.zeroPadding2d(o as never)) },
  'layers.upSampling1d': { type: 'NonNullable<Parameters<typeof nr.layers.upSampling1d>[0]>', run: (o) => config(nr.layers.upSampling1d(o as never)) },
  'layers.zeroPadding1d': { type: 'NonNullable<Parameters<typeof nr.layers.zeroPadding1d>[0]>', run: (o) => config(nr.layers.zeroPadding1d(o as never)) },
  'layers.cropping1d': { type: 'NonNullable<Parameters<typeof nr.layers.cropping1d>[0]>', run: (o) => config(nr.layers.cropping1d(o as never)) },
  'layers.batchNormalization': { type: 'NonNullable<Parameters<typeof nr.layers.batchNormalization>[0]>', run: (o) => config(nr.layers.batchNormalization(o as never)) },
  'layers.layerNormalization': { type: 'NonNullable<Parameters<typeof nr.layers.layerNormalization>[0]>', run: (o) => config(nr.layers.layerNormalization(o as never)) },
  'layers.prelu': { type: 'NonNullable<Parameters<typeof nr.layers.prelu>[0]>', run: (o) => config(nr.layers.prelu(o as never)) },
  'layers.dropout': { type: 'Parameters<typeof nr.layers.dropout>[0]', given: { rate: 0.5 }, run: (o) => config(nr.layers.dropout(o as never)) },
  'layers.flatten': { type: 'NonNullable<Parameters<typeof nr.layers.flatten>[0]>', run: (o) => config(nr.layers.flatten(o as never)) },
  'layers.leakyReLU': { type: 'NonNullable<Parameters<typeof nr.layers.leakyReLU>[0]>', run: (o) => config(nr.layers.leakyReLU(o as never)) },
  'layers.reLU': { type: 'NonNullable<Parameters<typeof nr.layers.reLU>[0]>', run: (o) => config(nr.layers.reLU(o as never)) },
  'layers.softmax': { type: 'NonNullable<Parameters<typeof nr.layers.softmax>[0]>', run: (o) => config(nr.layers.softmax(o as never)) },
  'layers.concatenate': { type: 'NonNullable<Parameters<typeof nr.layers.concatenate>[0]>', run: (o) => config(nr.layers.concatenate(o as never)) },
  'optimizers.sgd': { type: 'src.SgdOptions', run: (o) => config(nr.optimizers.sgd(o as never)) },
  'optimizers.adam': { type: 'src.AdamOptions', run: (o) => config(nr.optimizers.adam(o as never)) },
  'optimizers.adamw': { type: 'src.AdamWOptions', run: (o) => config(nr.optimizers.adamw(o as never)) },
  'optimizers.rmsprop': { type: 'src.RmsPropOptions', run: (o) => config(nr.optimizers.rmsprop(o as never)) },
  'optimizers.adagrad': { type: 'src.AdagradOptions', run: (o) => config(nr.optimizers.adagrad(o as never)) },
  'optimizers.adamax': { type: 'src.AdamaxOptions', run: (o) => config(nr.optimizers.adamax(o as never)) },
  'optimizers.adadelta': { type: 'src.AdadeltaOptions', run: (o) => config(nr.optimizers.adadelta(o as never)) },
  'schedules.exponentialDecay': {
    type: 'Parameters<typeof nr.schedules.exponentialDecay>[0]',
    given: { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 },
    run: (o) => [1, 5, 25].map((s) => nr.schedules.exponentialDecay(o as never).at(s)),
  },
  'schedules.cosineDecay': {
    type: 'Parameters<typeof nr.schedules.cosineDecay>[0]',
    given: { initialLearningRate: 0.1, decaySteps: 10 },
    run: (o) => [1, 5, 25].map((s) => nr.schedules.cosineDecay(o as never).at(s)),
  },
  'random normal and uniform': {
    type: 'nr.RandomNormalOptions & nr.RandomUniformOptions',
    given: { seed: 5 },
    run: (o) => {
      const { mean, stddev, min, max, seed } = o;
      return nr.tidy(() => [comparable(nr.randomNormal([3], { mean, stddev, seed } as never)), comparable(nr.randomUniform([3], { min, max, seed } as never))]);
    },
  },
  matMul: { type: 'nr.MatMulOptions', run: (o) => nr.tidy(() => comparable(nr.matMul(x22(), x22(), o as never))) },
  'activations (leakyRelu, elu, softmax)': {
    type: 'Exclude<NonNullable<Parameters<typeof nr.leakyRelu>[1]>, number> & NonNullable<Parameters<typeof nr.elu>[1]>',
    run: (o) => nr.tidy(() => [nr.leakyRelu(x22(), o as never), nr.elu(x22(), o as never)].map(comparable)),
  },
  'activations (stairStep, unitStep, heaviside, linear)': {
    type: 'NonNullable<Parameters<typeof nr.stairStep>[1]> & NonNullable<Parameters<typeof nr.unitStep>[1]> & NonNullable<Parameters<typeof nr.heaviside>[1]> & NonNullable<Parameters<typeof nr.linear>[1]>',
    run: (o) => {
      const { step, threshold, atZero, slope, intercept, straightThrough } = o;
      return nr.tidy(() => [
        nr.stairStep(x22(), { step, straightThrough } as never), nr.unitStep(x22(), { threshold, straightThrough } as never),
        nr.heaviside(x22(), { atZero, straightThrough } as never), nr.linear(x22(), { slope, intercept } as never),
      ].map(comparable));
    },
  },
  'initializers.randomNormal': {
    type: 'NonNullable<Parameters<typeof nr.initializers.randomNormal>[0]>',
    given: { seed: 2 },
    run: (o) => comparable(nr.initializers.randomNormal(o as never)),
  },
  'regularizers.l1l2': { type: 'NonNullable<Parameters<typeof nr.regularizers.l1l2>[0]>', run: (o) => comparable(nr.regularizers.l1l2(o as never)) },
  'callbacks.earlyStopping': { type: 'NonNullable<Parameters<typeof nr.callbacks.earlyStopping>[0]>', given: { monitor: 'loss' }, run: (o) => fitLosses({ epochs: 3, callbacks: [nr.callbacks.earlyStopping(o as never)] }) },
  'callbacks.reduceLROnPlateau': { type: 'NonNullable<Parameters<typeof nr.callbacks.reduceLROnPlateau>[0]>', given: { monitor: 'loss' }, run: (o) => fitLosses({ epochs: 3, callbacks: [nr.callbacks.reduceLROnPlateau(o as never)] }) },
  'callbacks.modelCheckpoint': {
    type: 'NonNullable<Parameters<typeof nr.callbacks.modelCheckpoint>[0]>',
    given: { filepath: { save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) }, monitor: 'loss' },
    run: (o) => fitLosses({ epochs: 3, callbacks: [nr.callbacks.modelCheckpoint(o as never)] }),
  },
  'model.fit': { type: 'nr.FitArgs', given: { epochs: 3, seed: 1, verbose: 0 }, run: (o) => fitLosses(o) },
  'model.compile': {
    type: 'Parameters<nr.Sequential["compile"]>[0]',
    given: { optimizer: 'sgd', loss: 'mse' },
    run: (o) => {
      const m = nr.sequential({ layers: [nr.layers.dense({ inputShape: [2], units: 1 })], seed: 7 });
      m.compile(o as never);
      const out = comparable(m.evaluate(x22(), nr.tensor([[1], [2]])));
      m.dispose();
      return out;
    },
  },
  'model.predict and evaluate': {
    type: 'NonNullable<Parameters<nr.Sequential["predict"]>[1]> & NonNullable<Parameters<nr.Sequential["evaluate"]>[2]>',
    run: (o) => {
      const m = model();
      const { batchSize, verbose, returnDict } = o;
      const out = nr.tidy(() => [comparable(m.predict(x22(), { batchSize, verbose } as never)), comparable(m.evaluate(x22(), nr.tensor([[1], [2]]), { batchSize, returnDict } as never))]);
      m.dispose();
      return out;
    },
  },
  sequential: {
    type: 'NonNullable<Parameters<typeof nr.sequential>[0]>',
    run: (o) => {
      const m = nr.sequential(o as never);
      const out = m.layers.length;
      m.dispose();
      return out;
    },
  },
  'classic.kmeans': {
    type: 'Parameters<typeof nr.kmeans>[1]',
    given: { k: 2, seed: 4 },
    run: (o) => {
      const r = nr.kmeans([[0, 0], [0, 1], [5, 5], [5, 6]], o as never);
      const out = comparable(r.centers);
      for (const v of Object.values(r)) if (v instanceof nr.Tensor) v.dispose();
      return out;
    },
  },
  'classic.perceptron and its fit': {
    type: 'Parameters<typeof nr.perceptron>[0]',
    given: { inputs: 2, seed: 3 },
    run: (o) => {
      const p = nr.perceptron(o as never);
      const out = comparable(p.getConfig());
      p.dispose();
      return out;
    },
  },
  'image.psnr and ssim': {
    type: 'NonNullable<Parameters<typeof nr.image.psnr>[2]> & NonNullable<Parameters<typeof nr.image.ssim>[2]>',
    run: (o) => {
      const { maxValue, imageShape, windowSize, sigma, k1, k2 } = o;
      return nr.tidy(() => [comparable(nr.image.psnr(img(), img().mul(0.9), { maxValue, imageShape } as never)), comparable(nr.image.ssim(img(), img().mul(0.9), { maxValue, imageShape, windowSize, sigma, k1, k2 } as never))]);
    },
  },
  'compression.dct and dwt': {
    type: 'NonNullable<Parameters<typeof nr.compression.dct.forward2d>[1]> & NonNullable<Parameters<typeof nr.compression.dwt.forward2d>[1]>',
    run: (o) => {
      const { blockSize, wavelet, levels } = o;
      return nr.tidy(() => [comparable(nr.compression.dct.forward2d(nr.ones([8, 8]), { blockSize } as never)), comparable(nr.compression.dwt.forward2d(nr.ones([8, 8]), { wavelet, levels } as never))]);
    },
  },
  'compression.huffman.decode': {
    type: 'NonNullable<Parameters<typeof nr.compression.huffman.decode>[1]>',
    run: (o) => Array.from(nr.compression.huffman.decode(nr.compression.huffman.encode(new Uint8Array([1, 2, 2, 3])), o as never)),
  },
  'codecs.dct.encode': {
    type: 'NonNullable<Parameters<typeof nr.codecs.dct.encode>[1]>',
    run: (o) => Array.from(nr.codecs.dct.encode({ data: new Uint8Array(64).fill(9), width: 8, height: 8 }, o as never)),
  },
  'data.csv': {
    type: 'NonNullable<Parameters<typeof nr.data.csv>[1]>',
    run: (o) => nr.data.csv(new TextEncoder().encode('a,b\n1,2\n3,4\n'), o as never).toArray(),
  },
  'io: save and loadModel': {
    type: 'NonNullable<Parameters<nr.Sequential["save"]>[1]> & NonNullable<Parameters<typeof nr.loadModel>[1]>',
    run: async (o) => {
      const m = model();
      const { includeOptimizer, ...load } = o;
      let saved: nr.io.ModelArtifacts | undefined;
      await m.save({ save: async (a: nr.io.ModelArtifacts) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) } as never, { includeOptimizer } as never);
      const back = await nr.loadModel(nr.io.fromMemory(saved!), load as never);
      const out = comparable((back as nr.Sequential).predict(x22()));
      for (const d of [m, back]) d.dispose();
      return out;
    },
  },
};

/** The losses of a seeded 3-epoch fit of the small model with `args` (verbose 0 unless given). */
async function fitLosses(args: Record<string, unknown>): Promise<unknown> {
  const m = model();
  const [x, y] = [x22(), nr.tensor([[1], [2]])];
  const h = await m.fit(x, y, { seed: 1, verbose: 0, ...args } as never);
  for (const d of [m, x, y]) d.dispose();
  return h.history;
}

let dir: string;
let program: ts.Program;
let checker: ts.TypeChecker;
const keysOf = new Map<string, string[]>();
beforeAll(async () => {
  await nr.init();
  dir = mkdtempSync(join(tmpdir(), 'neurite-options-undefined-'));
  const lines = Object.values(CASES).map((c, i) => `export type T${i} = ${c.type};`);
  writeFileSync(join(dir, 'types.ts'), `import * as nr from '${join(ROOT, 'ts/index.js')}';\nimport type * as src from '${join(ROOT, 'ts/optimizers.js')}';\n${lines.join('\n')}\n`);
  const { options } = ts.parseJsonConfigFileContent({ extends: join(ROOT, 'tsconfig.json') }, ts.sys, ROOT);
  program = ts.createProgram([join(dir, 'types.ts')], { ...options, noEmit: true, exactOptionalPropertyTypes: true });
  checker = program.getTypeChecker();
  const sf = program.getSourceFile(join(dir, 'types.ts'))!;
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!);
  Object.keys(CASES).forEach((name, i) => {
    const sym = exports.find((s) => s.name === `T${i}`)!;
    const type = checker.getDeclaredTypeOfSymbol(sym);
    keysOf.set(name, checker.getPropertiesOfType(type).filter((p) => p.flags & ts.SymbolFlags.Optional).map((p) => p.name));
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an option given as undefined is its default', () => {
  it('init({ threads: undefined, relaxedSimd: undefined, source: undefined }) keeps what init() set up', async () => {
    await nr.init();
    const before = nr.threads();
    await nr.init({ threads: undefined, relaxedSimd: undefined, source: undefined });
    expect(nr.threads()).toEqual(before);
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: every optional key undefined gives the default`, async () => {
      const keys = keysOf.get(name)!.filter((k) => !(c.given && k in c.given));
      expect(keys.length, `${c.type} has optional keys`).toBeGreaterThan(0);
      const undef = Object.fromEntries(keys.map((k) => [k, undefined]));
      const plain = await c.run({ ...c.given });
      const withUndefined = await c.run({ ...c.given, ...undef });
      expect(comparable(withUndefined)).toStrictEqual(comparable(plain));
    });
  }
});

describe('the options types say so (exactOptionalPropertyTypes)', () => {
  it('each optional key of the types above may be given as undefined', () => {
    const lines = Object.keys(CASES).map((name, i) => {
      const keys = keysOf.get(name)!.map((k) => `'${k}'`).join(' | ');
      const init = keysOf.get(name)!.map((k) => `${k}: undefined`).join(', ');
      return `export const ok${i}: Pick<T${i}, ${keys || 'never'}> = { ${init} };`;
    });
    writeFileSync(join(dir, 'undefined.ts'), `import type { ${Object.keys(CASES).map((_, i) => `T${i}`).join(', ')} } from './types.js';\n${lines.join('\n')}\n`);
    const p = ts.createProgram([join(dir, 'undefined.ts')], program.getCompilerOptions(), undefined, program);
    const sf = p.getSourceFile(join(dir, 'undefined.ts'))!;
    const diags = [...ts.getPreEmitDiagnostics(p, p.getSourceFile(join(dir, 'types.ts'))), ...ts.getPreEmitDiagnostics(p, sf)];
    expect(diags.map((d) => `line ${d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1 : '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)).toEqual([]);
  });

  it('every exported …Options, …Args and …Config type, the activation, initializer, regularizer and constraint specs, and the inline options of public functions declare their optional keys `?: T | undefined`', () => {
    const gaps: string[] = [];
    for (const f of program.getSourceFiles()) {
      if (!f.fileName.startsWith(join(ROOT, 'ts') + '/')) continue;
      const rel = f.fileName.slice(join(ROOT, 'ts').length + 1);
      // Internal: runtime probes, the worker protocol, the file handlers' own records.
      if (/^(runtime|performance|scope|errors|index|url|options)\.ts$|^threads\/|^io\/handlers\/|^wasm\/load\.ts$/.test(rel)) continue;
      const visit = (n: ts.Node, owner: { name: string; options: boolean; param: boolean }): void => {
        if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) {
          const exported = n.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
          owner = { name: n.name.text, options: exported && /(Options|Args|Config)$|^(Activation|Initializer|Regularizer|Constraint)Spec$/.test(n.name.text) && !['CSVElementOf', 'ModelConfig'].includes(n.name.text), param: false };
        } else if (ts.isParameter(n)) owner = { ...owner, param: true };
        else if (ts.isAsExpression(n)) owner = { ...owner, options: false, param: false };
        if (ts.isPropertySignature(n) && n.questionToken && n.type && (owner.options || owner.param)) {
          const t = n.type;
          const undef = t.kind === ts.SyntaxKind.UndefinedKeyword || t.kind === ts.SyntaxKind.NeverKeyword || (ts.isUnionTypeNode(t) && t.types.some((u) => u.kind === ts.SyntaxKind.UndefinedKeyword));
          if (!undef) gaps.push(`${rel} ${owner.name}.${n.name.getText()}`);
        }
        ts.forEachChild(n, (c) => visit(c, owner));
      };
      visit(f, { name: '(param)', options: false, param: false });
    }
    expect(gaps).toEqual([]);
  });
});
