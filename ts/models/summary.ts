/** The text of `model.summary()`: layers, output shapes and parameter counts, as Keras prints. */
import { CLASS_NAMES } from '../layers/layer.js';

export interface SummaryRow {
  name: string;
  /** The type shown: TF.js's class name (`Dense`, `Sequential`), or a layer kind (`dense`, `sequential`), shown as its class name. */
  kind: string;
  /** Per-sample output shape. */
  shape: number[] | undefined;
  params: number | undefined;
  /** How many of `params` training updates. */
  trainableParams: number;
  /** In a graph model, the layers it reads (Keras's "Connected to"). */
  connected?: string;
  /**
   * How deep in nested models the layer is (0 or absent: the model's own layer): a row of an
   * expanded nested model, indented as Keras 3 (`   └ name` per level) and left out of the
   * totals (its model's row counts it).
   */
  level?: number;
  /** Whether training updates its weights (the "Trainable" column: `Y`, `N`, or `-` without weights). */
  trains?: boolean;
}

/**
 * Options of `model.summary({ ... })` (Keras 3's `summary(expand_nested=…, print_fn=…)`
 * keywords, in TF.js's spelling).
 */
export interface SummaryOptions {
  /**
   * Also list the layers of each nested model (a sequential or graph model used as a layer, an
   * autoencoder's encoder and decoder) under its row, indented `   └ ` per level, as Keras 3's
   * `expand_nested=True` (TF.js has none). Their parameters are counted once, in the totals of
   * the model's own rows. Default `false`.
   */
  expandNested?: boolean | undefined;
  /**
   * Add a "Trainable" column, as Keras 3's `show_trainable=True` (TF.js has none): `Y` for a
   * layer (or nested model) that training updates, `N` for a frozen one (by its own
   * `trainable`, or by a model holding it), `-` for one without weights. Default `false`.
   */
  showTrainable?: boolean | undefined;
  /**
   * Who gets the text: `undefined` (the default) prints it with `console.log` and `summary`
   * returns nothing, `null` only returns it, a function gets it and `summary` also returns it
   * (as `summary(print)`).
   */
  print?: ((text: string) => void) | null | undefined;
  /** TF.js's and Keras 3's `printFn`: gets each line in turn, instead of `print` (which must then be left out). */
  printFn?: ((line: string) => void) | undefined;
}

export function summaryText(model: string, rows: SummaryRow[], showTrainable = false): string {
  const graph = rows.some((r) => r.connected !== undefined);
  const head = ['Layer (type)', 'Output shape', 'Param #', ...(graph ? ['Connected to'] : []), ...(showTrainable ? ['Trainable'] : [])];
  const trains = (r: SummaryRow) => (r.params ? (r.trains ? 'Y' : 'N') : '-');
  const body = rows.map((r) => [`${r.level ? `${'   '.repeat(r.level)}└ ` : ''}${r.name} (${className(r.kind)})`, r.shape ? `[${[null, ...r.shape].map((d) => (d === 0 || d === null ? 'null' : d)).join(',')}]` : '?', String(r.params ?? 0), ...(graph ? [r.connected ?? ''] : []), ...(showTrainable ? [trains(r)] : [])]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)) + 2);
  // Param # right-aligned; Keras 3 centres the Trainable column.
  const last = head.length - 1;
  const centre = (c: string, n: number) => c.padStart((n + c.length) >> 1).padEnd(n);
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 2 ? c.padStart(w[i] - 2) + (graph || showTrainable ? '  ' : '') : showTrainable && i === last ? centre(c, w[i] - 2) : c.padEnd(w[i]))).join('').trimEnd();
  const rule = (ch: string) => ch.repeat(w.reduce((a, b) => a + b, 0));
  const own = rows.filter((r) => !r.level);
  const total = own.reduce((a, r) => a + (r.params ?? 0), 0);
  const trainable = own.reduce((a, r) => a + r.trainableParams, 0);
  return [
    `Model: ${model}`,
    rule('_'),
    fmt(head),
    rule('='),
    ...body.map(fmt),
    rule('='),
    `Total params: ${total}`,
    `Trainable params: ${trainable}`,
    `Non-trainable params: ${total - trainable}`,
    rule('_'),
  ].join('\n');
}

/** TF.js's class name for a layer kind (`dense` → `Dense`, `sequential` → `Sequential`); a class name stays. */
function className(kind: string): string {
  if (kind === 'sequential') return 'Sequential';
  return Object.hasOwn(CLASS_NAMES, kind) ? CLASS_NAMES[kind as keyof typeof CLASS_NAMES] : kind;
}
