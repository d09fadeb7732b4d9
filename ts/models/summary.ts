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
}

export function summaryText(model: string, rows: SummaryRow[]): string {
  const graph = rows.some((r) => r.connected !== undefined);
  const head = ['Layer (type)', 'Output shape', 'Param #', ...(graph ? ['Connected to'] : [])];
  const body = rows.map((r) => [`${r.name} (${className(r.kind)})`, r.shape ? `[${[null, ...r.shape].map((d) => (d === 0 || d === null ? 'null' : d)).join(',')}]` : '?', String(r.params ?? 0), ...(graph ? [r.connected ?? ''] : [])]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)) + 2);
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 2 ? c.padStart(w[i] - 2) + (graph ? '  ' : '') : c.padEnd(w[i]))).join('').trimEnd();
  const rule = (ch: string) => ch.repeat(w.reduce((a, b) => a + b, 0));
  const total = rows.reduce((a, r) => a + (r.params ?? 0), 0);
  const trainable = rows.reduce((a, r) => a + r.trainableParams, 0);
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
