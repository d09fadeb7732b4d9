// The page (and Worker) side of the browser thread checks (Chromium, Firefox, WebKit): see threads.html.
import { publish } from './publish.mjs';
import { relaxedReport, threadsReport } from './threads.mjs';

/**
 * Imports the entry relative to this file (so /coi/ pages load /coi/dist/…), or from `lib` (a
 * folder of another origin, as a CDN), and runs the report, then (`relaxed`) the relaxed-SIMD one.
 */
export async function runThreads(entry, counts, relaxed, lib) {
  if (entry !== 'inline' && entry !== 'url') throw new Error(`threads page: entry must be inline or url, got ${entry}`);
  const file = entry === 'url' ? 'dist/url/index.js' : 'dist/index.js';
  const nr = await import(lib ? `${lib}/${file}` : `../../${file}`);
  const notices = [];
  const info = console.info;
  console.info = (...a) => { notices.push(a.join(' ')); info(...a); };
  const report = await threadsReport(nr, counts);
  report.notices = notices;
  report.crossOriginIsolated = globalThis.crossOriginIsolated === true;
  report.sharedArrayBuffer = typeof SharedArrayBuffer !== 'undefined';
  report.where = typeof window === 'undefined' ? 'worker' : 'main';
  if (relaxed) report.relaxed = await relaxedReport(nr);
  return report;
}

if (typeof window !== 'undefined') {
  const q = new URLSearchParams(location.search);
  const entry = q.get('entry');
  const counts = (q.get('threads') ?? '1,2').split(',').map(Number);
  const relaxed = q.has('relaxed');
  const lib = q.get('lib');
  try {
    if (q.get('in') === 'worker') {
      const w = new Worker(new URL('./threads-page.mjs', import.meta.url), { type: 'module' });
      w.onmessage = (e) => publish(e.data);
      w.onerror = (e) => publish({ error: `worker error: ${e.message}` });
      w.postMessage({ entry, counts, relaxed, lib });
    } else {
      await publish(await runThreads(entry, counts, relaxed, lib));
    }
  } catch (e) {
    await publish({ error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` });
  }
} else {
  self.onmessage = async (e) => {
    try {
      self.postMessage(await runThreads(e.data.entry, e.data.counts, e.data.relaxed, e.data.lib));
    } catch (err) {
      self.postMessage({ error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` });
    }
  };
}
