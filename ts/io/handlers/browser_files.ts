/**
 * `io.browserFiles([modelJson, ...weightFiles])`: a model from `File`s the user picked (an
 * `<input type="file" multiple>`, a drop, or `new File(…)` anywhere `File` exists), as TF.js's
 * `tf.io.browserFiles`: one file is the `model.json` (the router picks it: the one named `*.json`
 * when exactly one is, else the first), the others its weight files, matched to
 * `weightsManifest` paths by file name (the last segment of each path), concatenated in
 * manifest order. The same checks as every load (`manifest.ts`): sizes are compared with the
 * manifest before any weight byte is read.
 *
 * Unlike TF.js, a manifest with weights but no weight files given is an error (TF.js returns the
 * topology alone, which would build a model with fresh random weights), and so is a given file
 * the manifest does not name.
 */
import { InvalidArgumentError } from '../../errors.js';
import { concat } from '../artifacts.js';
import type { IOHandler, ModelArtifacts } from '../router.js';
import { artifactsFromJSON, jsonTooLarge, MAX_JSON_BYTES, ownBuffer, parseModelJSON, planWeights, sizeMismatch, withOrigin } from './manifest.js';

/** What the handler reads of a `File` (a `Blob` with a name). */
export interface NamedBlob {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A file with its index in the list the caller gave (for messages). */
export interface Picked {
  readonly file: NamedBlob;
  readonly index: number;
}

/** The last segment of a path or file name (`a/b/c.bin` → `c.bin`). */
const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** @internal The handler of `io.browserFiles` (made, its arguments checked, by the router). */
export class BrowserFiles implements IOHandler {
  constructor(
    private readonly json: Picked,
    private readonly weightFiles: readonly Picked[],
    private readonly op: string,
  ) {}

  async load(): Promise<ModelArtifacts> {
    const { op, weightFiles } = this;
    const { file, index } = this.json;
    const weights = weightFiles.map((g) => g.file);
    const where = `files[${index}] '${file.name}'`;
    if (file.size > MAX_JSON_BYTES) throw jsonTooLarge(op, where, file.size);
    const json = parseModelJSON(op, where, await read(op, file, file.size));
    if (json.weightsManifest === undefined) {
      if (weights.length > 0) {
        throw new InvalidArgumentError(`${op}: ${where} has no weightsManifest, but ${weights.length} weight file(s) were given (${weights.map((f) => f.name).join(', ')}); is files[${index}] the model.json?`);
      }
      return withOrigin(artifactsFromJSON(json, undefined, undefined), where);
    }
    const { groups, specs, fields } = planWeights(op, where, json.weightsManifest);

    const byName = new Map<string, { file: NamedBlob; index: number }>();
    for (const g of weightFiles) {
      const name = basename(g.file.name);
      const seen = byName.get(name);
      if (seen) throw new InvalidArgumentError(`${op}: files[${seen.index}] and files[${g.index}] are both named '${name}'; each weight file may be given once`);
      byName.set(name, g);
    }
    const given = () => (weights.length ? weights.map((f) => `'${f.name}'`).join(', ') : 'none');

    // Every file found and every size compared before any weight byte is read.
    const order: NamedBlob[] = [];
    const used = new Map<string, string>();
    /** The given files' names taken, by the manifest's name or as a browser renamed it. */
    const taken = new Set<string>();
    // A browser saving a download again names it 'm.weights (1).bin': that file, if it is the only one so named.
    const renamed = (name: string) => {
      const dot = name.lastIndexOf('.');
      const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
      const hits = [...byName.keys()].filter((k) => k.startsWith(`${stem} (`) && k.endsWith(`)${ext}`) && /^\d+$/.test(k.slice(stem.length + 2, k.length - ext.length - 1)) && !taken.has(k));
      return hits.length === 1 ? byName.get(hits[0]) : undefined;
    };
    for (const group of groups) {
      let got = 0;
      const sizes: string[] = [];
      for (const [i, p] of group.paths.entries()) {
        const field = `${group.field}.paths[${i}]`;
        const name = basename(p);
        const other = used.get(name);
        if (other !== undefined) throw new InvalidArgumentError(`${op}: ${where}: ${other} and ${field} both name a file '${name}', which files cannot tell apart`);
        used.set(name, field);
        const found = byName.get(name) ?? renamed(name);
        if (!found) {
          throw new InvalidArgumentError(
            weights.length === 0
              ? `${op}: ${where}: the weights need ${name} (${field}) but no weight files were given; pass [modelJson, ${name}, …] (TF.js would load the topology alone, with new random weights)`
              : `${op}: ${where}: ${field} names '${name}', which is not among the weight files given (${given()})`,
          );
        }
        taken.add(basename(found.file.name));
        got += found.file.size;
        sizes.push(`${name}: ${found.file.size} bytes`);
        order.push(found.file);
      }
      if (got !== group.bytes) throw sizeMismatch(op, where, group, got, sizes);
    }
    const extra = weights.filter((f) => !taken.has(basename(f.name)));
    if (extra.length > 0) {
      throw new InvalidArgumentError(`${op}: ${where}: weightsManifest does not name ${extra.map((f) => `'${f.name}'`).join(', ')}; give only the model's weight files (the manifest names ${[...used.keys()].map((n) => `'${n}'`).join(', ') || 'none'})`);
    }
    const parts: Uint8Array[] = [];
    for (const f of order) parts.push(await read(op, f, f.size));
    return withOrigin(artifactsFromJSON(json, specs, ownBuffer(concat(parts))), where, fields);
  }
}

/** The bytes of `f`, which must be the `size` it had when checked (a file changed in between is an error). */
async function read(op: string, f: NamedBlob, size: number): Promise<Uint8Array> {
  let data: ArrayBuffer;
  try {
    data = await f.arrayBuffer();
  } catch (e) {
    throw new InvalidArgumentError(`${op}: cannot read the file '${f.name}' [${(e as Error)?.name}: ${(e as Error)?.message}]`);
  }
  if (data.byteLength !== size) throw new InvalidArgumentError(`${op}: the file '${f.name}' changed while loading (${size} bytes, then ${data.byteLength})`);
  return new Uint8Array(data);
}
