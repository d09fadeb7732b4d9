// The threaded build's calling thread gets its TLS block before anything uses a thread-local:
// until `__wasm_init_tls` runs, `__tls_base` is 0, so a thread-local touched then lives at
// addresses 0 .. __tls_size (the bottom of the stack region). engine.ts used to allocate the
// block with nr_alloc, whose block list is a thread-local: the list was written there (and in
// an opt-level "s" build read back as a destroyed thread-local: a trap on the first call).
import { describe, expect, it } from 'vitest';
import { init } from '../ts/index.js';
import { raw } from '../ts/engine.js';

await init({ threads: 1 });

describe('TLS setup of the threaded build', () => {
  it('nothing is written through __tls_base 0 before the calling thread has its TLS block', () => {
    const e = raw() as unknown as { __tls_size?: WebAssembly.Global; memory: WebAssembly.Memory };
    // The plain (rustup) build has no TLS globals and no such window.
    if (!e.__tls_size) return;
    const size = Number(e.__tls_size.value);
    expect(size).toBeGreaterThan(0);
    const low = new Uint8Array(e.memory.buffer, 0, size);
    expect([...low].filter((b) => b !== 0).length).toBe(0);
  });
});
