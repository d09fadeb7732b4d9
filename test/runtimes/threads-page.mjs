// The page (and Worker) side of the browser thread checks (Chromium, Firefox, WebKit): see threads.html.
import { publish } from './publish.mjs';
import { threadsReport } from './threads.mjs';

/** Imports the entry relative to this file (so /coi/ pages load /coi/dist/…) and runs the report. */
export async function runThreads(entry, counts) {
  if (entry !== 'inline' && entry !== 'url') throw new Error(`threads page: entry must be inline or url, got ${entry}`);
  const nr = await import(entry === 'url' ? '../../dist/url/index.js' : '../../dist/index.js');
  const notices = [];
  const info = console.info;
  console.info = (...a) => { notices.push(a.join(' ')); info(...a); };
  const report = await threadsReport(nr, counts);
  report.notices = notices;
  report.crossOriginIsolated = globalThis.crossOriginIsolated === true;
  report.sharedArrayBuffer = typeof SharedArrayBuffer !== 'undefined';
  report.where = typeof window === 'undefined' ? 'worker' : 'main';
  return report;
}

if (typeof window !== 'undefined') {
  const q = new URLSearchParams(location.search);
  const entry = q.get('entry');
  const counts = (q.get('threads') ?? '1,2').split(',').map(Number);
  try {
    if (q.get('in') === 'worker') {
      const w = new Worker(new URL('./threads-page.mjs', import.meta.url), { type: 'module' });
      w.onmessage = (e) => publish(e.data);
      w.onerror = (e) => publish({ error: `worker error: ${e.message}` });
      w.postMessage({ entry, counts });
    } else {
      await publish(await runThreads(entry, counts));
    }
  } catch (e) {
    await publish({ error: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` });
  }
} else {
  self.onmessage = async (e) => {
    try {
      self.postMessage(await runThreads(e.data.entry, e.data.counts));
    } catch (err) {
      self.postMessage({ error: `${err?.name}: ${err?.message}\n${err?.stack ?? ''}` });
    }
  };
}
