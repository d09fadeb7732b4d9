// Shared by the scripts that run under `node --expose-gc` (gc.mjs, gc-variables.mjs).

/** Collects garbage 20 times, 10 ms apart, so the FinalizationRegistry callbacks have run. */
export async function settle() {
  for (let i = 0; i < 20; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}
