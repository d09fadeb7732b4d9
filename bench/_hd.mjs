import * as nr from '../dist/index.js';
import { deflateSync, inflateSync } from 'fflate';
import { readFileSync } from 'node:fs';
await nr.init();
for (const f of ['/tmp/text.bin', '/tmp/mnist.bin']) {
  const x = new Uint8Array(readFileSync(f));
  const h = nr.compression.huffman.encode(x), d = deflateSync(x, { level: 1 });
  const t = (fn) => { const s = []; for (let r = 0; r < 15; r++) { const c0 = process.cpuUsage(); fn(); const c = process.cpuUsage(c0); s.push((c.user + c.system) / 1e3); } s.sort((a, b) => a - b); return s[7]; };
  for (let k = 0; k < 2; k++) {
    const he = t(() => nr.compression.huffman.encode(x)), de = t(() => deflateSync(x, { level: 1 }));
    const hd = t(() => nr.compression.huffman.decode(h)), dd = t(() => inflateSync(d));
    console.log(f, 'huff enc', (1/he*1e3).toFixed(0), 'MB/s; deflate', (1/de*1e3).toFixed(0), '| huff dec', (1/hd*1e3).toFixed(0), 'inflate', (1/dd*1e3).toFixed(0));
  }
}
