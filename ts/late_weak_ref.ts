/**
 * Weak references that do not keep their target alive to the end of the job that made them.
 *
 * JavaScript keeps the target of a `WeakRef` alive until the end of the job in which the
 * `WeakRef` was made or dereferenced (ECMAScript's KeepDuringJob). A loop that makes and
 * disposes models, optimizers or variables without yielding, each registered through a
 * `WeakRef`, therefore kept every one of them (~3 kB of JS heap per model) until it yielded:
 * a Node script of 100,000 neuroevolution generations ran out of heap. A {@link LateWeakRef}
 * holds its target strongly until a later task and only then makes the `WeakRef`; the
 * owner {@link LateWeakRef.clear}s it on `dispose()`, so an object disposed in the job that
 * made it never gets one, and a loop that disposes what it makes holds nothing.
 */
import { hostTimers, microtask } from './runtime.js';

const fresh = new Set<LateWeakRef<object>>();
let queued = false;

/** Runs `f` in a later task: Node's and Deno's `setImmediate`, else a 0 ms timeout (the runtime's own, not a test's fakes). */
const later = (f: () => void): void => {
  try {
    (hostTimers.setImmediate ?? ((h: () => void) => hostTimers.setTimeout(h, 0)))(f);
  } catch {
    // No timer here: Cloudflare Workers refuse one in a module's global scope ("Disallowed
    // operation called within global scope"), where building a model once per isolate failed
    // with it. A microtask still makes the WeakRef (kept to the end of this job, not later).
    microtask(f);
  }
};

function settle(): void {
  queued = false;
  for (const r of fresh) r.settle();
  fresh.clear();
}

/** A weak reference made weak at the end of the current job (see the module notes). */
export class LateWeakRef<T extends object> {
  #strong: T | undefined;
  #weak: WeakRef<T> | undefined;

  constructor(target: T) {
    this.#strong = target;
    fresh.add(this);
    if (!queued) {
      queued = true;
      // A task, not a microtask: an async loop whose awaits are already settled (loadModel
      // from artifacts, then dispose) runs as one job however long it loops, and a WeakRef
      // made on a microtask inside it kept every model it loaded (~3.7 kB each).
      later(settle);
    }
  }

  /** The target, or undefined once it was collected or {@link clear}ed. */
  deref(): T | undefined {
    return this.#strong ?? this.#weak?.deref();
  }

  /** Forgets the target (its owner disposed it). */
  clear(): void {
    this.#strong = undefined;
    this.#weak = undefined;
    fresh.delete(this);
  }

  /**
   * @internal The end of the job that made this reference. Where there is no `WeakRef`
   * (Cloudflare Workers before the 2025-05-05 compatibility date), the target stays held until
   * its owner clears it on `dispose()`, as there is no `FinalizationRegistry` there either.
   */
  settle(): void {
    if (typeof WeakRef !== 'function') return;
    if (this.#strong !== undefined) this.#weak = new WeakRef(this.#strong);
    this.#strong = undefined;
  }
}
