/**
 * Public functions whose `name` users read keep it through any minifier (neurite's own and an
 * app's bundler rename functions): compile logs a metric function under its name, as TF.js
 * does, and a loss function passed to compile is named in its errors. `fns` maps each name to
 * its function (an alias is left out: `mse` is named `meanSquaredError`, as in TF.js).
 */
export function pinNames(fns: Record<string, (...args: never[]) => unknown>): void {
  for (const [name, f] of Object.entries(fns)) Object.defineProperty(f, 'name', { value: name });
}
