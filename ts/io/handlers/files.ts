/**
 * `file://path` in Node and Deno, in the layout of tfjs-node's file system handler: a folder
 * holding `model.json` (topology + `weightsManifest: [{ paths: ['weights.bin'], weights }]`)
 * and `weights.bin`. Saving creates the folder; loading takes the folder or its `model.json`,
 * resolves weight paths relative to `model.json`, concatenates several shards, and checks
 * every file's size against the manifest before reading any weight byte. Only `model.json` and
 * the files its manifest names (inside its folder) are read.
 *
 * The path is what follows `file://`, percent-decoded as a file URL's path is: `file:///tmp/a`,
 * `file://./models/a` (relative to the working directory, as in TF.js), and
 * `url.pathToFileURL('/tmp/my model').href` (`file:///tmp/my%20model`) names `/tmp/my model`.
 * (tfjs-node does not decode: there it names a folder called `my%20model`.)
 */
import { filePath, isNode, nodeBuiltin } from '../../runtime.js';
import { InvalidArgumentError, IOError, isDenoDenial, isNodeDenial } from '../../errors.js';
import { noFiles, type IOHandler, type ModelArtifacts, type SaveResult, type WeightSpec } from '../router.js';
import { concat } from '../artifacts.js';
import { describe } from '../../ops/convert.js';
import {
  artifactsFromJSON, checkArtifactsToSave, jsonTooLarge, MAX_JSON_BYTES, modelJSONBytes, modelJSONFor, ownBuffer, parseModelJSON, planWeights, saveResult, sizeMismatch, withOrigin, type ModelJSON,
} from './manifest.js';

/** What the handler needs from a file system: Node's `fs/promises` or Deno's API behind one face. */
interface Fs {
  /** `null` when nothing is at `path`. */
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number } | null>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** Replaces `to` (if it exists) by `from`, in one step (a rename within a folder). */
  rename(from: string, to: string): Promise<void>;
  /** Removes the file at `path`, if any (cleanup: never throws). */
  remove(path: string): Promise<void>;
  /** The files in the folder `path` with their modification times (cleanup: `[]` when it cannot be read). */
  list(path: string): Promise<Array<{ name: string; mtimeMs: number }>>;
  mkdir(path: string): Promise<void>;
  /** The absolute form of `path`, so that two spellings of one folder are one key. */
  resolve(path: string): string;
  /** The real path of `path` (symlinks followed; an error when nothing is there or it cannot be read). */
  realPath(path: string): Promise<string>;
  /**
   * Whether reading `path` is permitted without asking (Deno: `--allow-read` covers it; a
   * rename and a folder listing read, and in a terminal Deno would stop to ask, naming the
   * temporary files). Always true in Node.
   */
  mayRead(path: string): boolean;
  /** `'deno'` makes permission errors name the flag to pass. */
  runtime: 'node' | 'deno';
  windows: boolean;
}

interface DenoApi {
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; size: number }>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  readDir(path: string): AsyncIterable<{ name: string; isFile: boolean }>;
  lstat(path: string): Promise<{ mtime: Date | null }>;
  realPath(path: string): Promise<string>;
  build: { os: string };
  permissions?: { querySync?(d: { name: 'read'; path: string }): { state: string } };
}

const deno = (globalThis as { Deno?: DenoApi }).Deno;
const nodeProcess = (globalThis as { process?: { platform?: string } }).process;

/** The file system of this runtime, or `undefined` in a browser. */
async function fileSystemApi(): Promise<Fs | undefined> {
  if (!deno && !isNode) return undefined;
  const paths = (await nodeBuiltin('path')) as typeof import('node:path');
  if (deno) {
    return {
      runtime: 'deno',
      windows: deno.build.os === 'windows',
      mayRead: (p) => {
        try {
          return deno.permissions?.querySync?.({ name: 'read', path: p }).state === 'granted';
        } catch {
          return false;
        }
      },
      stat: async (p) => {
        try {
          const s = await deno.stat(p);
          return { isFile: s.isFile, isDirectory: s.isDirectory, size: s.size };
        } catch (e) {
          if (kind(e) === 'notFound') return null;
          throw e;
        }
      },
      readFile: (p) => deno.readFile(p),
      writeFile: (p, d) => deno.writeFile(p, d),
      rename: (a, b) => deno.rename(a, b),
      remove: (p) => deno.remove(p).catch(() => undefined),
      list: async (p) => {
        const out: Array<{ name: string; mtimeMs: number }> = [];
        try {
          for await (const e of deno.readDir(p)) {
            if (e.isFile) out.push({ name: e.name, mtimeMs: (await deno.lstat(paths.join(p, e.name))).mtime?.getTime() ?? Date.now() });
          }
        } catch {
          // Not readable (Deno without --allow-read): nothing to clean.
        }
        return out;
      },
      mkdir: (p) => deno.mkdir(p, { recursive: true }),
      resolve: (p) => paths.resolve(p),
      realPath: (p) => deno.realPath(p),
    };
  }
  if (isNode) {
    const fs = (await nodeBuiltin('fs/promises')) as typeof import('node:fs/promises');
    return {
      runtime: 'node',
      windows: nodeProcess?.platform === 'win32',
      mayRead: () => true,
      stat: async (p) => {
        try {
          const s = await fs.stat(p);
          return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size };
        } catch (e) {
          if (kind(e) === 'notFound') return null;
          throw e;
        }
      },
      readFile: (p) => fs.readFile(p),
      writeFile: (p, d) => fs.writeFile(p, d),
      rename: (a, b) => fs.rename(a, b),
      remove: (p) => fs.rm(p, { force: true }).catch(() => undefined),
      list: async (p) => {
        try {
          const names = (await fs.readdir(p, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
          return await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await fs.lstat(paths.join(p, name))).mtimeMs })));
        } catch {
          return [];
        }
      },
      resolve: (p) => paths.resolve(p),
      realPath: (p) => fs.realpath(p),
      mkdir: (p) => makeFolders((q) => fs.mkdir(q).then(() => undefined), (q) => fs.stat(q).then((st) => st.isDirectory(), () => false), p, nodeProcess?.platform === 'win32'),
    };
  }
  return undefined;
}

/**
 * `mkdir -p` made of single `mkdir`s, each parent made only when its child failed for want of
 * it. Node's own `{ recursive: true }` never returns where `mkdir` answers "no such file"
 * although the parent exists (`/proc/x` on Linux, Node 20): this ends after one retry per
 * level of the path. A folder that exists already is fine; anything else there is an error.
 */
async function makeFolders(mkdir: (p: string) => Promise<void>, isFolder: (p: string) => Promise<boolean>, path: string, windows: boolean): Promise<void> {
  // A folder made meanwhile by another save (two saves to new folders under one new parent,
  // in other threads or processes too) is fine (the second mkdir's "exists" failed the save as
  // "exists and is not a folder").
  const made = (e: unknown) => (kind(e) === 'exists' ? isFolder(path) : Promise.resolve(false));
  try {
    await mkdir(path);
  } catch (e) {
    if (await made(e)) return;
    const up = dirname(path, windows);
    if (kind(e) !== 'notFound' || up === path) throw e;
    await makeFolders(mkdir, isFolder, up, windows);
    await mkdir(path).catch(async (e2: unknown) => {
      if (!(await made(e2))) throw e2;
    });
  }
}

/** What went wrong with a file call, across Node's codes and Deno's error classes. */
function kind(e: unknown): 'notFound' | 'denied' | 'exists' | 'other' {
  const { name, code } = (e ?? {}) as { name?: string; code?: string };
  if (name === 'NotFound' || code === 'ENOENT') return 'notFound';
  if (isDenoDenial(e) || code === 'EACCES' || code === 'EPERM') return 'denied';
  if (name === 'AlreadyExists' || name === 'NotADirectory' || name === 'IsADirectory' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return 'exists';
  return 'other';
}

/**
 * A clear error for a failed file call: Deno's denials name the `--allow-*` flag to pass (an
 * {@link InvalidArgumentError}: the script's permissions are the caller's). Reading, a missing
 * file, a denied access or a folder in the way are the path's fault (an
 * {@link InvalidArgumentError}); writing, only a file in the way is, as a save makes the
 * folders it needs: a folder that cannot be made or written (`/proc`, no permission, a
 * read-only or full disk) is an {@link IOError}, as is any other failure (a read error).
 */
function fileError(op: string, fs: Fs, access: 'read' | 'write', path: string, e: unknown): InvalidArgumentError | IOError {
  if (e instanceof InvalidArgumentError || e instanceof IOError) return e;
  const detail = `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
  const k = kind(e);
  if (k === 'denied' && fs.runtime === 'deno') {
    return new InvalidArgumentError(`${op}: Deno denied ${access} access to ${path}: run with --allow-${access}=${path} (or --allow-${access}) [${detail}]`);
  }
  if (isNodeDenial(e)) {
    return new InvalidArgumentError(`${op}: Node's permission model denied ${access} access to ${path}: run with --allow-fs-${access}=${path} [${detail}]`);
  }
  const message = k === 'denied' ? `${op}: permission denied to ${access} ${path} [${detail}]` : `${op}: cannot ${access} ${path} [${detail}]`;
  return k === 'exists' || (access === 'read' && k !== 'other') ? new InvalidArgumentError(message) : new IOError(message, { cause: e });
}

/** `a/b` joined, and the folder of a path (`.` for a bare name). */
function join(dir: string, name: string, windows: boolean): string {
  return /[/]$/.test(dir) || (windows && dir.endsWith('\\')) ? dir + name : `${dir}/${name}`;
}
function dirname(path: string, windows: boolean): string {
  const i = Math.max(path.lastIndexOf('/'), windows ? path.lastIndexOf('\\') : -1);
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}

/**
 * The part of `path` that exists and is not a folder (`path` itself, or the ancestor in
 * `/dev/null/x` that made `mkdir` fail), or `undefined` if none is found.
 */
async function notAFolder(fs: Fs, path: string): Promise<string | undefined> {
  for (let p = path; ; ) {
    const st = await fs.stat(p).catch(() => null);
    if (st && !st.isDirectory) return p;
    const up = dirname(p, fs.windows);
    if (up === p) return undefined;
    p = up;
  }
}

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * The saves and loads of each folder (by absolute path) in this process, one after another:
 * two saves to one path never interleave their files (the later one wins), and a load waits
 * for the saves begun before it.
 */
const pending = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task on `key`. */
function inTurn<T>(key: string, task: () => Promise<T>): Promise<T> {
  const before = pending.get(key) ?? Promise.resolve();
  const run = before.then(task, task);
  const settled = run.then(() => undefined, () => undefined);
  pending.set(key, settled);
  void settled.then(() => {
    if (pending.get(key) === settled) pending.delete(key);
  });
  return run;
}

/**
 * The folders' keys, found one call after another: finding a key waits (for the file system),
 * and a save begun after another must still take its turn after it.
 */
let keying: Promise<unknown> = Promise.resolve();

/** Runs `task` in the turn of `folder` ({@link inTurn} on {@link folderKey}), after the tasks of the calls made before this one. */
function inFolderTurn<T>(fs: Fs, folder: string, task: () => Promise<T>): Promise<T> {
  const queued = keying.then(() => folderKey(fs, folder)).then((key) => ({ run: inTurn(key, task) }));
  keying = queued.then(() => undefined, () => undefined);
  return queued.then(({ run }) => run);
}

/**
 * The key of `folder`'s turn: its real path, so that every spelling of it — relative, with
 * `..`, through a symlink to it or to a parent — is one key; for a folder not made yet, its
 * nearest existing parent's real path and the rest. Where the real path cannot be read (Deno
 * without read permission, which in a terminal would stop to ask), the absolute path. Never throws.
 */
async function folderKey(fs: Fs, folder: string): Promise<string> {
  const trimmed = folder.length > 1 ? folder.replace(fs.windows ? /[/\\]+$/ : /\/+$/, '') || folder : folder;
  const rest: string[] = [];
  for (let p = trimmed; ; ) {
    if (fs.mayRead(fs.resolve(p))) {
      try {
        const real = await fs.realPath(p);
        return fs.resolve(rest.reduceRight((at, name) => join(at, name, fs.windows), real));
      } catch {
        // Not there (yet), or not readable: try its parent.
      }
    }
    const up = dirname(p, fs.windows);
    if (up === p) return fs.resolve(trimmed);
    const name = p.slice(Math.max(p.lastIndexOf('/'), fs.windows ? p.lastIndexOf('\\') : -1) + 1);
    if (name) rest.push(name);
    p = up;
  }
}

/**
 * The key of `model.json` that holds the checksum of its `weights.bin` (TF.js's loaders ignore
 * keys they do not know; a file without it, TF.js's or an older neurite's, is not checked).
 */
const CHECKSUM = 'neuriteWeightsChecksum';

/** The largest weights.bin a save writes: Node's `readFile` refuses a file of 2 GiB or more. */
const MAX_WEIGHTS_FILE = 2 ** 31 - 1;

/**
 * The weights' checksum as `model.json` records it: `fnv1a32:` and 8 hex digits of FNV-1a over
 * the bytes' 32-bit little-endian words (weights are whole float32 and int32 values), then the
 * byte count. Not a defence against tampering: it tells two saves' files apart, and a weights
 * file changed since its save (edited, corrupted) from the one saved.
 */
function checksum(bytes: Uint8Array): string {
  // Whole words by division, not `>> 2` / `& ~3`: those are signed 32-bit, negative past 2 GiB.
  const whole = Math.floor(bytes.byteLength / 4);
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, whole) : new Uint32Array(bytes.slice(0, whole * 4).buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  for (let i = words.length * 4; i < bytes.byteLength; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `fnv1a32:${(h >>> 0).toString(16).padStart(8, '0')}:${bytes.byteLength}`;
}

/** A name for the temporary copy of `file` while it is written (same folder, so a rename replaces `file`). */
function temporary(file: string): string {
  return `${file}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/** The temporary files {@link temporary} names in a model's folder (`weights.bin.<random>.tmp`). */
const TEMPORARY = /^(?:weights\.bin|model\.json)\.[0-9a-z]+\.tmp$/;

/**
 * How long a temporary file must have been left unchanged before a save removes it as the
 * remains of a save that was killed (a save being written now, in another process too, keeps
 * changing its file): an hour.
 */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/**
 * Removes from `folder` the temporary files of saves that were killed before they renamed them
 * (a process killed mid-save leaves one; nothing else would ever remove it): those unchanged
 * for {@link STALE_TEMPORARY_MS}. Cleanup only: never throws.
 */
async function removeStaleTemporaries(fs: Fs, folder: string, now = Date.now()): Promise<void> {
  const stale = (await fs.list(folder)).filter((f) => TEMPORARY.test(f.name) && now - f.mtimeMs > STALE_TEMPORARY_MS);
  await Promise.all(stale.map((f) => fs.remove(join(folder, f.name, fs.windows))));
}

/** @internal The `file://` handler for `rest` (what follows `file://`; `url` is the whole URL, for messages), made by the router. */
export class FileSystemHandler implements IOHandler {
  /** The file system path, once decoded ({@link filePath}). */
  private path = '';
  constructor(
    private readonly rest: string,
    private readonly url: string,
    private readonly op: string,
    /** Loading: called after each weight file is read with the fraction of them read (`loadModel`'s `onProgress`). */
    private readonly onProgress?: (fraction: number) => void,
  ) {}

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { op } = this;
    const path = (this.path ||= await filePath(op, this.url, this.rest));
    // A save writes a folder; a path naming the model.json (loadModel takes one) would be a
    // folder named like a file.
    if (/\.json\/*$/i.test(path)) {
      const folder = path.replace(/\/*[^/]*\.json\/*$/i, '') || '.';
      throw new InvalidArgumentError(`${op}: '${this.url}' names a .json file, but a save writes a folder (model.json and weights.bin inside it); save to the folder, e.g. 'file://${folder === '.' ? './my-model' : folder}' (loadModel takes either the folder or its model.json)`);
    }
    const checked = checkArtifactsToSave(op, this.url, artifacts);
    // One weights.bin: past 2 GiB no runtime reads it back (Node's readFile refuses a file of
    // 2 GiB or more), so the save would leave a model that cannot load (it failed in the checksum
    // with a RangeError).
    if (checked.bytes.byteLength > MAX_WEIGHTS_FILE) {
      const gb = (checked.bytes.byteLength / 1e9).toFixed(2);
      throw new InvalidArgumentError(
        `${op}: ${this.url}: the weights are ${checked.bytes.byteLength} bytes (${gb} GB), more than one weights.bin can hold to be read back (2 GiB, Node's readFile): ` +
          `${checked.artifacts.weightSpecs?.some((w) => w.group === 'optimizer') ? 'save without the optimizer state (includeOptimizer: false), or ' : ''}keep the model in memory with toArtifacts(), or make it smaller; nothing was written`,
      );
    }
    // Before the folder is made: a model.json too large to load is refused with nothing written.
    const json = modelJSONBytes(op, this.url, { ...modelJSONFor(checked.artifacts, [WEIGHTS_BIN]), [CHECKSUM]: checksum(checked.bytes) } as ModelJSON);
    const fs = await api(op, this.url);
    return inFolderTurn(fs, this.#folder(fs), () => this.#save(fs, checked, json));
  }

  /** The folder whose turn this handler takes ({@link inFolderTurn}): its path (a load may name the folder's model.json). */
  #folder(fs: Fs): string {
    return /\.json\/*$/i.test(this.path) ? dirname(this.path.replace(/\/+$/, ''), fs.windows) : this.path;
  }

  /**
   * Writes both files under temporary names, then renames each over its final name: a save
   * that fails leaves the previous model whole, and (with {@link inTurn}) two saves to one
   * folder in this process never mix their files. `model.json` carries the checksum of its
   * `weights.bin` ({@link CHECKSUM}): a load that meets the files of two saves (a process killed
   * between the two renames, or another process saving while this one loads) refuses them,
   * never a model of one save's topology and another's weights. Where reading the folder is not
   * permitted (Deno without `--allow-read` for it: a rename reads) each file is written in
   * place, and a save that fails may leave the folder with one new file and one old.
   */
  async #save(fs: Fs, { artifacts: a, bytes }: ReturnType<typeof checkArtifactsToSave>, json: Uint8Array): Promise<SaveResult> {
    const { op, path } = this;
    try {
      await fs.mkdir(path);
    } catch (e) {
      if (kind(e) === 'exists') {
        const file = await notAFolder(fs, path);
        throw new InvalidArgumentError(
          file === undefined || file === path
            ? `${op}: ${this.url}: ${path} exists and is not a folder; save to a new path or to a folder`
            : `${op}: ${this.url}: ${file} exists and is not a folder, so ${path} cannot be made inside it; save to a path under a folder`,
        );
      }
      throw fileError(op, fs, 'write', path, e);
    }
    const files = ([[WEIGHTS_BIN, bytes], [MODEL_JSON, json]] as const).map(([name, data]) => {
      const file = join(path, name, fs.windows);
      return { file, temp: temporary(file), data };
    });
    let at = '';
    // Without read permission (Deno's --allow-write alone) a rename would ask for it, in a
    // terminal stopping the program at a prompt naming a temporary file: each file is written
    // in place (saves to one folder in this process still take turns).
    if (!fs.mayRead(path)) {
      for (const f of files) {
        at = f.file;
        await fs.writeFile(f.file, f.data).catch((e: unknown) => { throw fileError(op, fs, 'write', at, e); });
      }
      return saveResult(a, bytes.byteLength);
    }
    try {
      for (const f of files) {
        at = f.file;
        await fs.writeFile(f.temp, f.data);
      }
      for (const f of files) {
        at = f.file;
        try {
          await fs.rename(f.temp, f.file);
        } catch (e) {
          // Deno's rename needs read permission too: with --allow-write alone, write in place
          // (saves to one folder in this process still take turns).
          if (kind(e) !== 'denied') throw e;
          await fs.writeFile(f.file, f.data);
          await fs.remove(f.temp);
        }
      }
    } catch (e) {
      await Promise.all(files.map((f) => fs.remove(f.temp)));
      throw fileError(op, fs, 'write', at, e);
    }
    await removeStaleTemporaries(fs, path);
    return saveResult(a, bytes.byteLength);
  }

  async load(): Promise<ModelArtifacts> {
    const fs = await api(this.op, this.url);
    this.path ||= await filePath(this.op, this.url, this.rest);
    return inFolderTurn(fs, this.#folder(fs), () => this.#load(fs));
  }

  async #load(fs: Fs): Promise<ModelArtifacts> {
    const { op, path } = this;
    const st = await fs.stat(path).catch((e) => { throw fileError(op, fs, 'read', path, e); });
    if (st === null) throw new InvalidArgumentError(`${op}: ${this.url} does not exist (no file or folder at ${path})`);
    const jsonPath = st.isDirectory ? join(path, MODEL_JSON, fs.windows) : path;
    const jsonStat = st.isDirectory ? await fs.stat(jsonPath).catch((e) => { throw fileError(op, fs, 'read', jsonPath, e); }) : st;
    if (jsonStat === null) throw new InvalidArgumentError(`${op}: ${this.url} is a folder without a ${MODEL_JSON} (looked for ${jsonPath})`);
    const where = `file://${jsonPath}`;
    if (jsonStat.isDirectory) {
      throw new InvalidArgumentError(
        `${op}: ${this.url}: ${jsonPath} is a folder (a directory), not a file; a model.json is the file a save writes beside weights.bin: point at the folder that holds that file (or at the file), or remove the folder ${jsonPath} and save the model there again`,
      );
    }
    // A device or a pipe (/dev/zero, a FIFO, a link to one) reports no size and never ends.
    if (!jsonStat.isFile) throw new InvalidArgumentError(`${op}: ${this.url}: ${jsonPath} is not a regular file (a device, a pipe or a socket); a model.json is a file`);
    if (jsonStat.size > MAX_JSON_BYTES) throw jsonTooLarge(op, where, jsonStat.size);
    const bytes = await fs.readFile(jsonPath).catch((e) => { throw fileError(op, fs, 'read', jsonPath, e); });
    const json = parseModelJSON(op, where, bytes);
    if (json.weightsManifest === undefined) return withOrigin(artifactsFromJSON(json, undefined, undefined), where);
    const { specs, fields, data } = await this.#weights(fs, where, json.weightsManifest, dirname(jsonPath, fs.windows));
    const want = json[CHECKSUM];
    if (want !== undefined && typeof want !== 'string') throw new InvalidArgumentError(`${op}: ${where}: ${CHECKSUM} must be the string neurite wrote ('fnv1a32:…'), got ${describe(want)}`);
    if (want !== undefined && want !== checksum(new Uint8Array(data))) {
      // A save killed between its two renames (Ctrl-C) left the new weights in place and its
      // model.json, whole, under its temporary name: say which file and how to finish the save.
      const kept = await this.#unfinished(fs, dirname(jsonPath, fs.windows), checksum(new Uint8Array(data)));
      if (kept !== null) {
        throw new InvalidArgumentError(
          `${op}: ${where}: the weights do not belong to this model.json (their checksum is not the one it records): a save is between writing its two files — one running now in another thread or process (load again once it is done), or one cut short (the process killed, e.g. by Ctrl-C) — and its model.json is whole as ${kept}, ` +
            `which matches the weights: if no save is running, rename it to model.json (mv '${kept}' '${jsonPath}') to load that save, or save the model again`,
        );
      }
      throw new InvalidArgumentError(
        `${op}: ${where}: the weights do not belong to this model.json (their checksum is not the one it records). Either the folder holds the files of two saves — a save was cut short between writing its two files, or another thread or process saved to this folder at the same time, or is saving to it now (saves take turns only within one thread): load again once that save is done, or save the model again, and give each thread's saves a folder of their own — ` +
          `or the weights file was changed since the save (edited, replaced or corrupted on disk): load a good copy, or save the model again. To load the weights as they are anyway, remove "${CHECKSUM}" from the model.json (then nothing checks that they are the ones saved)`,
      );
    }
    return withOrigin(artifactsFromJSON(json, specs, data), where, fields);
  }

  /**
   * The path of a `model.json.<random>.tmp` in `folder` (the newest first) whose checksum is
   * `sum`, the weights' own: a save's model.json that was written whole but never renamed. `null`
   * when there is none (or the folder cannot be listed: this only improves a message).
   */
  async #unfinished(fs: Fs, folder: string, sum: string): Promise<string | null> {
    try {
      const temps = (await fs.list(folder)).filter((f) => /^model\.json\.[0-9a-z]+\.tmp$/.test(f.name)).sort((a, b) => b.mtimeMs - a.mtimeMs);
      for (const f of temps.slice(0, 8)) {
        const path = join(folder, f.name, fs.windows);
        const st = await fs.stat(path);
        if (st === null || !st.isFile || st.size > MAX_JSON_BYTES) continue;
        try {
          const json = JSON.parse(new TextDecoder().decode(await fs.readFile(path))) as Record<string, unknown>;
          if (json[CHECKSUM] === sum) return path;
        } catch {
          /* not whole JSON: not a save's finished model.json */
        }
      }
    } catch {
      /* a folder it cannot list: the general message */
    }
    return null;
  }

  /** The weights `manifest` names in folder `dir` (`where` names the manifest's file in messages): sizes checked first, then read. */
  async #weights(fs: Fs, where: string, manifest: unknown, dir: string): Promise<{ specs: WeightSpec[]; fields: string[]; data: ArrayBuffer }> {
    const { op } = this;
    const { groups, specs, fields } = planWeights(op, where, manifest);

    // Every size first, so that a truncated or oversized claim is refused before any read.
    const files: Array<{ file: string; size: number }> = [];
    for (const group of groups) {
      let got = 0;
      const names: string[] = [];
      for (const [i, p] of group.paths.entries()) {
        const file = join(dir, p, fs.windows);
        const s = await fs.stat(file).catch((e) => { throw fileError(op, fs, 'read', file, e); });
        if (s === null || !s.isFile) {
          throw new InvalidArgumentError(`${op}: ${where}: ${group.field}.paths[${i}] names '${p}', which ${s === null ? 'does not exist' : 'is not a file'} (${file})`);
        }
        got += s.size;
        names.push(`${p}: ${s.size} bytes`);
        files.push({ file, size: s.size });
      }
      if (got !== group.bytes) throw sizeMismatch(op, where, group, got, names);
    }
    const parts: Uint8Array[] = [];
    for (const { file, size } of files) {
      const data = await fs.readFile(file).catch((e) => { throw fileError(op, fs, 'read', file, e); });
      if (data.byteLength !== size) throw new InvalidArgumentError(`${op}: ${where}: ${file} changed while loading (${size} bytes, then ${data.byteLength})`);
      parts.push(data);
      this.onProgress?.(parts.length / files.length);
    }
    return { specs, fields, data: ownBuffer(concat(parts)) };
  }
}

/** The file system, or the error for a runtime without one. */
async function api(op: string, url: string): Promise<Fs> {
  const fs = await fileSystemApi();
  if (!fs) throw noFiles(op, url);
  return fs;
}
