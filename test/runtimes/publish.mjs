// The page side of a browser run: collects what the page reports about itself (uncaught errors,
// unhandled rejections, console.error and console.info lines) and publishes the result. The
// Chromium suites read window.__result through playwright; a browser run without a driver
// (Firefox, test/runtimes/firefox.ts) loads the page with ?report=<id>, and the result is POSTed
// to the test server's /__report/<id> (test/runtimes/server.ts). Import it first: module imports
// run in order, so the collectors are in place before the page's own code runs.
const pageErrors = [];
const info = [];

if (typeof window !== 'undefined') {
  addEventListener('error', (e) => pageErrors.push(`${e.message} (${e.filename}:${e.lineno})`));
  addEventListener('unhandledrejection', (e) => pageErrors.push(`unhandled rejection: ${e.reason?.stack ?? e.reason}`));
  for (const [level, into] of [['error', pageErrors], ['info', info]]) {
    const original = console[level];
    console[level] = (...args) => {
      into.push(args.join(' '));
      original.apply(console, args);
    };
  }
}

/** Leaves `result` in window.__result and, when the page was opened with ?report=<id>, POSTs it with what was collected. */
export async function publish(result) {
  window.__result = result;
  const id = new URLSearchParams(location.search).get('report');
  if (id === null) return;
  const body = JSON.stringify({ result, pageErrors, info, userAgent: navigator.userAgent });
  await fetch(`/__report/${encodeURIComponent(id)}`, { method: 'POST', body });
}
