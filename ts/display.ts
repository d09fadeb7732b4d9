/**
 * How Node's and Deno's `console.log` (`util.inspect`, a REPL's echo) show neurite objects:
 * a line of what a reader needs (a tensor's values, a weight's shape) rather than private
 * fields. Installed under the runtimes' registered symbols, so the public types do not change.
 */

/** Shows instances of `cls` as `show(instance)`; call it in a class's static block. `show` must not throw. */
export function displayAs<T>(cls: { prototype: T }, show: (self: T) => string): void {
  for (const key of ['nodejs.util.inspect.custom', 'Deno.customInspect']) {
    Object.defineProperty(cls.prototype, Symbol.for(key), {
      value(this: T): string {
        return show(this);
      },
      writable: true,
      configurable: true,
    });
  }
}
