// Compares two V8 heap snapshots (from test/stress/soak.mjs, or v8.writeHeapSnapshot) by object
// counts per constructor (node type and name), the way DevTools' "Comparison" view does:
//
//   node test/stress/snapshot-diff.mjs a.heapsnapshot b.heapsnapshot [rows=25]
//
// Prints the groups whose count or self size changed most from a to b.
import { readFileSync } from 'node:fs';

function groups(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const f = meta.node_fields;
  const width = f.length;
  const iType = f.indexOf('type'), iName = f.indexOf('name'), iSize = f.indexOf('self_size');
  const types = meta.node_types[0];
  const out = new Map();
  const nodes = snap.nodes;
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]];
    let name = snap.strings[nodes[i + iName]];
    // Strings and numbers are grouped by type alone (their names are their values).
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number') name = '';
    const key = `${type} ${name.length > 60 ? name.slice(0, 60) + '…' : name}`;
    const g = out.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += nodes[i + iSize];
    total += nodes[i + iSize];
    out.set(key, g);
  }
  return { out, total, count: nodes.length / width };
}

const [a, b] = [groups(process.argv[2]), groups(process.argv[3])];
const rows = Number(process.argv[4] ?? 25);
const keys = new Set([...a.out.keys(), ...b.out.keys()]);
const diff = [...keys].map((k) => {
  const x = a.out.get(k) ?? { count: 0, size: 0 }, y = b.out.get(k) ?? { count: 0, size: 0 };
  return { k, dc: y.count - x.count, ds: y.size - x.size, count: y.count };
});
console.log(`nodes ${a.count} -> ${b.count} (${b.count - a.count}), self size ${a.total} -> ${b.total} (${b.total - a.total} bytes)`);
console.log('by count change:');
for (const d of diff.sort((p, q) => Math.abs(q.dc) - Math.abs(p.dc)).slice(0, rows)) console.log(`  ${String(d.dc).padStart(7)} objects ${String(d.ds).padStart(9)} bytes  (now ${d.count})  ${d.k}`);
console.log('by size change:');
for (const d of diff.sort((p, q) => Math.abs(q.ds) - Math.abs(p.ds)).slice(0, rows)) console.log(`  ${String(d.ds).padStart(9)} bytes ${String(d.dc).padStart(7)} objects  (now ${d.count})  ${d.k}`);
