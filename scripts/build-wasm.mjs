#!/usr/bin/env node
// Builds crates/wasm for wasm32-unknown-unknown with simd128 and writes:
//   build/core.wasm                 the release module (LLVM -O3 + LTO, then binaryen's wasm-opt -O3)
//   build/core-relaxed.wasm         the same with +relaxed-simd (fused multiply-add in the GEMM
//                                   micro-kernel): `init({ relaxedSimd: true })`, neurite/url only
//   build/core.names.wasm           core.wasm with its name section (function names), never
//                                   shipped: `npm run size` lists the largest functions from it
//   ts/wasm/inline.generated.ts     core.wasm packed by `xz --format=lzma` and basE91-encoded, for
//                                   the default (inline) entry; init() unpacks it (ts/wasm/lzma.ts)
//
// Toolchain detection (WASM_TOOLCHAIN=rustup|debian forces one):
//   rustup  - the `rustc` on PATH has a prebuilt wasm32 std (`rustup target add wasm32-unknown-unknown`)
//   debian  - Debian's rustc-web + rust-web-src + lld: std is rebuilt with -Z build-std, linked by wasm-ld
// On a fresh Debian machine as root, the Debian packages are installed when neither is present.
//
// Threads: in the debian mode both modules are the THREADED build (TOOLCHAIN.md section 4):
// std rebuilt with +atomics, a shared memory imported as env.memory (--shared-memory
// --import-memory --max-memory=4 GiB) and the TLS/stack globals exported for the workers. The
// same module runs single-threaded wherever workers are unavailable, so one .wasm ships.
// In the rustup mode (stable, prebuilt std without atomics) build-std is unavailable: the
// modules are plain (exported, non-shared memory) and neurite runs on one thread;
// `threads()` says so. `NEURITE_WASM_THREADS=0` forces the plain build in the debian mode too.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBase91 } from './base91.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 'wasm32-unknown-unknown';
const DEBIAN_PKGS = ['rustc-web', 'cargo-web', 'rust-web-src', 'lld'];
const log = (m) => console.error(`[build-wasm] ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function capture(cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); }
  catch { return null; }
}

function hasWasmStd(rustc) {
  const dir = capture(rustc, ['--print', 'target-libdir', '--target', TARGET]);
  return !!dir && existsSync(dir) && readdirSync(dir).some((f) => /^libstd-.*\.rlib$/.test(f));
}

function debianReady() {
  if (!existsSync('/usr/bin/rustc') || !existsSync('/usr/bin/cargo')) return false;
  const sysroot = capture('/usr/bin/rustc', ['--print', 'sysroot']);
  return !!sysroot && existsSync(join(sysroot, 'lib/rustlib/src/rust/library/vendor')) && !!capture('which', ['wasm-ld']);
}

/**
 * Installs Debian packages with apt-get (`why` goes to the log) when this is a Debian machine
 * and we are root (and NO_INSTALL is unset); returns false, having done nothing, otherwise.
 */
function aptInstall(pkgs, why) {
  if (!existsSync('/etc/debian_version') || process.getuid?.() !== 0 || process.env.NO_INSTALL) return false;
  log(`installing ${pkgs.join(' ')} with apt-get (${why})`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...pkgs], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return true;
}

function pickToolchain() {
  const forced = process.env.WASM_TOOLCHAIN;
  if (forced === 'rustup' || (!forced && capture('rustc', ['--version']) && hasWasmStd('rustc'))) return 'rustup';
  if (forced === 'debian' || debianReady()) return 'debian';
  if (aptInstall(DEBIAN_PKGS, 'the wasm toolchain') && debianReady()) return 'debian';
  console.error(`[build-wasm] no Rust toolchain for ${TARGET} found. Run one of:
    rustup target add ${TARGET}
    sudo apt-get install -y ${DEBIAN_PKGS.join(' ')}    (Debian 12+)`);
  process.exit(2);
}

/** `xz --format=lzma --lzma1=<options>` of `bytes` (xz-utils is installed on Debian when missing). */
function packLzma(bytes, options = 'preset=9e,pb=0') {
  if (!capture('xz', ['--version']) && !aptInstall(['xz-utils'], 'packs the inline wasm')) {
    console.error('[build-wasm] xz is needed to pack the inline wasm: install xz-utils (Debian/Ubuntu), xz (Fedora, Homebrew)');
    process.exit(2);
  }
  return execFileSync('xz', ['--format=lzma', `--lzma1=${options}`, '--stdout'], { input: bytes, maxBuffer: 4 * bytes.length + (1 << 20) });
}

const mode = pickToolchain();
const threaded = mode === 'debian' && process.env.NEURITE_WASM_THREADS !== '0';
const MAX_MEMORY = 4 * 2 ** 30; // the wasm32 limit, as the plain build has
const THREAD_LINK_ARGS = [
  '--shared-memory', '--import-memory', `--max-memory=${MAX_MEMORY}`,
  '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__tls_base', '--export=__stack_pointer',
];
const userFlags = (process.env.RUSTFLAGS ?? '').split(/\s+/).filter(Boolean);
const vendor = mode === 'debian' ? join(capture('/usr/bin/rustc', ['--print', 'sysroot']), 'lib/rustlib/src/rust/library/vendor') : null;

/** Builds one variant into its own target dir (they would evict each other's std) and returns the bytes. */
function build(name, features, dir) {
  const feats = ['+simd128', ...features, ...(threaded ? ['+atomics', '+bulk-memory', '+mutable-globals'] : [])];
  // CARGO_ENCODED_RUSTFLAGS wins over RUSTFLAGS and config; keep the features and append the user's flags.
  // -Z location-detail=none: panics carry no file, line and column (each panic site's
  // `Location` and every source path were 24 kB of the data section; the module is 11.5 kB
  // smaller gzipped). A panic is a bug; its message ("index out of bounds: the len is 3 but the
  // index is 9") still reaches WasmPanicError, without " at file:line". `=file` keeps the file
  // for 2.9 kB. (Nightly flag: the build already needs RUSTC_BOOTSTRAP/nightly for
  // `optimize_attribute` and build-std.)
  // -unroll-runtime=false: LLVM does not unroll loops whose trip count is known only at run
  // time (wasm's TTI asks for it, with a remainder loop after each): -8.2 kB gzipped (459.4 ->
  // 451.2 kB, -29.5 kB raw; the GEMM micro-kernels unchanged). The loops that needed it, the
  // element-wise zip of two slices (add, mul, …) and the accumulating update of the column
  // sums, take four 4-lane chunks per iteration by hand (kernels/simd128_{elementwise,reduce}.rs);
  // without that, add and sum over axis 0 were 8-15% slower (s51, Cargo.toml).
  const flags = ['-C', `target-feature=${feats.join(',')}`, ...(threaded ? THREAD_LINK_ARGS.flatMap((a) => ['-C', `link-arg=${a}`]) : []), '-Zlocation-detail=none', '-Cllvm-args=-unroll-runtime=false', ...userFlags];
  // Symbols kept through the link (strip "debuginfo", not the profile's "symbols"): they become
  // the name section of build/core.names.wasm; the shipped module is the same code without it.
  const env = { ...process.env, CARGO_ENCODED_RUSTFLAGS: flags.join('\x1f'), CARGO_PROFILE_RELEASE_STRIP: 'debuginfo' };
  delete env.RUSTFLAGS;
  const targetDir = join(root, 'target', dir);
  let cargo = 'cargo';
  const args = ['build', '--release', '--target', TARGET, '-p', 'neurite-wasm', '--target-dir', targetDir];
  if (mode === 'debian') {
    cargo = '/usr/bin/cargo';
    Object.assign(env, { RUSTC: '/usr/bin/rustc', RUSTDOC: '/usr/bin/rustdoc', RUSTC_BOOTSTRAP: '1' });
    delete env.RUSTUP_TOOLCHAIN;
    args.push(
      // optimize_for_size: core's smaller integer formatting, str counting, rotate and
      // escapes (cold code only: the sorts it also changes are not used) in place of std's
      // default features, which do nothing on wasm32-unknown-unknown with panic=abort: -1.3 kB
      // gzipped.
      '-Z', 'build-std=std,panic_abort', '-Z', 'build-std-features=optimize_for_size', '--offline',
      '--config', 'source.crates-io.replace-with="rust-std-vendor"',
      '--config', `source.rust-std-vendor.directory="${vendor}"`,
      '--config', `target.${TARGET}.linker="wasm-ld"`,
    );
  }
  log(`${name}: mode=${mode} threaded=${threaded} features=${feats.join(',')}`);
  const t0 = Date.now();
  run(cargo, args, { env });
  const out = join(targetDir, TARGET, 'release', 'neurite_wasm.wasm');
  const named = optimize(out, features);
  const bytes = stripCustomSections(named);
  log(`${name}: ${bytes.length} bytes (${named.length} with names) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { bytes, named };
}

/** Reads an unsigned LEB128 at `pos`: [value, next position]. */
function leb(buf, pos) {
  let v = 0, shift = 0, b;
  do { b = buf[pos++]; v += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return [v, pos];
}

/**
 * The module without its custom sections (name, producers, target_features): what ships. The
 * code is byte for byte the named module's (names do not change what wasm-opt emits: checked by
 * comparing with a build stripped at the link).
 */
function stripCustomSections(bytes) {
  const parts = [bytes.subarray(0, 8)];
  let pos = 8;
  while (pos < bytes.length) {
    const [size, body] = leb(bytes, pos + 1);
    if (bytes[pos] !== 0) parts.push(bytes.subarray(pos, body + size));
    pos = body + size;
  }
  return Buffer.concat(parts);
}

/**
 * Binaryen's `wasm-opt -O3` (npm `binaryen`, a dev dependency) over the linked module: -3.3%
 * gzipped on top of LLVM's -O3 + LTO (259.9 -> 251.4 kB), training and predict as fast
 * (interleaved A/B, 1 and 2 threads) and the same bits (no fast-math passes; the thread and
 * determinism suites run on its output). -Oz saves 0.8% more but made 2-thread training ~3%
 * slower. The features are listed because the release profile strips the target_features
 * section. The result is cached next to the input, keyed by the input's hash.
 * Running the pipeline twice (`-O3 -O3`) saves 1.2 kB gzipped more (0.6 kB raw; a third round
 * 0.15 kB) but rewrites the GEMM's and other kernels' control flow (gemm_packed's closure
 * -25 B): not taken until a quiet-machine benchmark shows the kernels as fast (s41).
 */
function optimize(file, features) {
  const input = readFileSync(file);
  // -g keeps the name section (wasm-opt drops it otherwise); it is removed before shipping.
  const flags = ['-O3', '-g', '--enable-simd', '--enable-threads', '--enable-bulk-memory', '--enable-mutable-globals', '--enable-sign-ext', '--enable-nontrapping-float-to-int', ...(features.includes('+relaxed-simd') ? ['--enable-relaxed-simd'] : [])];
  const key = createHash('sha256').update(input).update(flags.join(' ')).digest('hex');
  const cached = `${file}.opt`;
  if (existsSync(`${cached}.key`) && readFileSync(`${cached}.key`, 'utf8') === key && existsSync(cached)) return readFileSync(cached);
  const wasmOpt = join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
  if (!existsSync(wasmOpt)) {
    console.error(`[build-wasm] ${wasmOpt} is missing: run \`npm ci\` (binaryen is a dev dependency)`);
    process.exit(2);
  }
  run(process.execPath, [wasmOpt, ...flags, file, '-o', cached]);
  writeFileSync(`${cached}.key`, key);
  return readFileSync(cached);
}

mkdirSync(join(root, 'build'), { recursive: true });
const { bytes, named } = build('core', [], threaded ? 'wasm-mt' : 'wasm');
writeFileSync(join(root, 'build', 'core.wasm'), bytes);
writeFileSync(join(root, 'build', 'core.names.wasm'), named);
// `--core-only` (for size work: half the build time) leaves build/core-relaxed.wasm as it was.
const relaxed = process.argv.includes('--core-only') ? null : build('core-relaxed', ['+relaxed-simd'], threaded ? 'wasm-mt-relaxed' : 'wasm-relaxed').bytes;
if (relaxed) writeFileSync(join(root, 'build', 'core-relaxed.wasm'), relaxed);
mkdirSync(join(root, 'ts', 'wasm'), { recursive: true });
// Packed first: base64 of the raw module is 1.33x its size and gzips poorly (the inline entry
// was 1.18 MB, 424 kB gzipped). LZMA (xz -9e, pb=0: wasm is byte-oriented) packs the module to
// 0.27x, 24% smaller than deflate -9 (0.36x). basE91 (scripts/base91.mjs) carries it in ~1.23x
// its size (base64: 1.33x, base85: 1.25x) and gzips back to about the packed size as base64 did.
// The text must not hold `</script` or `<!--` (harmless in a JS module, but the bundle may be
// pasted into an HTML <script>). Such a run turns up by chance (about 1 build in 200); the
// match finder's `nice` length changes the stream a little (a few bytes), so the first of these
// variants whose text is clean is taken. Deterministic: the same module gives the same text.
const HTML_HAZARD = /<\/script|<!--/i;
let packed;
let text;
let htmlHazard = null;
for (const nice of [273, 272, 271, 270, 269, 268, 267, 266]) {
  packed = packLzma(bytes, `preset=9e,pb=0,nice=${nice}`);
  text = encodeBase91(packed);
  htmlHazard = HTML_HAZARD.exec(text);
  if (!htmlHazard) break;
  log(`the packed text holds ${JSON.stringify(htmlHazard[0])} with nice=${nice}; packing again`);
}
if (htmlHazard) throw new Error(`[build-wasm] the inline wasm's text holds ${JSON.stringify(htmlHazard[0])} at ${htmlHazard.index} in every packing tried: change the alphabet`);
const inlineTs = `// GENERATED by scripts/build-wasm.mjs from crates/wasm: do not edit, do not commit.
/** The neurite core module as an \`.lzma\` stream (xz --format=lzma), basE91 (${packed.length} bytes packed). */
export const WASM_LZMA: string = '${text}';
/** The size of the module once unpacked, in bytes. */
export const WASM_BYTES = ${bytes.length};
`;
const inlinePath = join(root, 'ts', 'wasm', 'inline.generated.ts');
if (!existsSync(inlinePath) || readFileSync(inlinePath, 'utf8') !== inlineTs) writeFileSync(inlinePath, inlineTs);
log(`wrote build/core.wasm (${bytes.length} bytes)${relaxed ? ` and build/core-relaxed.wasm (${relaxed.length} bytes)` : ''}`);
