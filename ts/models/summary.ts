/** The text of `model.summary()`: layers, output shapes and parameter counts, as Keras prints. */

export interface SummaryRow {
  name: string;
  kind: string;
  /** Per-sample output shape. */
  shape: number[] | undefined;
  params: number | undefined;
  /** How many of `params` training updates. */
  trainableParams: number;
}

export function summaryText(model: string, rows: SummaryRow[]): string {
  const head = ['Layer (type)', 'Output shape', 'Param #'];
  const body = rows.map((r) => [`${r.name} (${r.kind})`, r.shape ? `[null,${r.shape.join(',')}]` : '?', String(r.params ?? 0)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)) + 2);
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 2 ? c.padStart(w[i] - 2) : c.padEnd(w[i]))).join('');
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
