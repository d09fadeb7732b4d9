/**
 * `downloads://name` in browsers: as TF.js, two downloads started by clicking anchors,
 * `name.json` (the `model.json`, whose manifest names `./name.weights.bin`) and
 * `name.weights.bin`. `downloads://` alone saves `model.json` and `model.weights.bin`. The
 * files load with `tf.loadLayersModel` or neurite's `file://` once they sit in one folder.
 */
import type { IOHandler, ModelArtifacts, SaveResult } from '../router.js';
import { checkArtifactsToSave, modelJSONBytes, modelJSONFor, saveResult } from './manifest.js';

/** Resolves on the next macrotask: Firefox keeps only the last of several synchronous downloads. */
const nextTask = () => new Promise<void>((r) => setTimeout(r));

/** @internal The `downloads://` handler saving `<prefix>.json` and `<prefix>.weights.bin` (made by the router). */
export class BrowserDownloads implements IOHandler {
  constructor(
    private readonly prefix: string,
    private readonly url: string,
    private readonly op: string,
  ) {}

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const { artifacts: a, bytes } = checkArtifactsToSave(this.op, this.url, artifacts);
    const jsonName = `${this.prefix}.json`;
    const binName = `${this.prefix}.weights.bin`;
    const json = modelJSONBytes(this.op, this.url, modelJSONFor(a, [`./${binName}`]));
    const urls = [
      URL.createObjectURL(new Blob([json as Uint8Array<ArrayBuffer>], { type: 'application/json' })),
      URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' })),
    ];
    for (const [i, name] of [jsonName, binName].entries()) {
      const anchor = document.createElement('a');
      anchor.download = name;
      anchor.href = urls[i];
      await nextTask();
      anchor.dispatchEvent(new MouseEvent('click'));
    }
    // The browser has taken the blobs once the downloads started; free them a little later.
    setTimeout(() => urls.forEach((u) => URL.revokeObjectURL(u)), 60_000);
    return saveResult(a, bytes.byteLength);
  }
}
