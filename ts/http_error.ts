/**
 * @internal The one error for an HTTP answer whose status is not 2xx, wherever neurite fetches:
 * model files (`io/handlers/http.ts`), CSV sources (`data/csv_source.ts`) and the wasm
 * (`wasm/load.ts`). Each message has one form, `<what, naming the URL> failed: HTTP 404 Not
 * Found: "<the start of the body>"`, and the error is an {@link IOError} carrying the `status`.
 */
import { IOError } from './errors.js';

/** Why a server sends an HTML page for a file: a web app's fallback for what it does not have. */
export const HTML_FALLBACK = "a web app's server often answers a file it does not have with its index.html";

/**
 * The start of `text` (up to 24 characters) if it begins an HTML page (`<!doctype`, `<html`,
 * `<head`, `<body`, `<!--`, after a BOM and white space), else null: the wasm or a model.json
 * answered by a single-page app's fallback page (status 200).
 */
export function htmlPageStart(text: string): string | null {
  const t = text.slice(0, 64).replace(/^\uFEFF?\s*/, '');
  return /^<(!doctype|html|head|body|!--)/i.test(t) ? t.slice(0, 24) : null;
}

/** The most characters of an error answer's body a message quotes (a server's reason, not a page). */
const BODY_QUOTED = 200;

/** How long the body of an error answer is waited for (a server may send the status, then stall). */
const BODY_WAIT_MS = 2000;

/** `HTTP 404 Not Found` (`HTTP 503` when the answer has no status text). */
const httpStatus = (res: Response): string => `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;

/**
 * The start of `res`'s body as text: up to `limit` bytes, read for at most {@link BODY_WAIT_MS};
 * the rest is cancelled (the connection freed). `cut` when the body went on (or stalled) past
 * what was read. A character cut at the limit is dropped, not shown as U+FFFD.
 */
async function bodyStart(res: Response, limit: number): Promise<{ text: string; cut: boolean }> {
  const reader = res.body?.getReader();
  if (!reader) return { text: typeof res.text === 'function' ? await res.text() : '', cut: false };
  const decoder = new TextDecoder();
  let [text, n] = ['', 0];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), BODY_WAIT_MS)));
  try {
    for (;;) {
      const step = await Promise.race([reader.read(), late]);
      if (step === 'late') return { text, cut: true };
      if (step.done) return { text: text + decoder.decode(), cut: false };
      const take = Math.min(step.value.byteLength, limit - n);
      text += decoder.decode(step.value.subarray(0, take), { stream: true });
      n += take;
      if (n >= limit) return { text, cut: true };
    }
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
}

/**
 * @internal The error for `res`, an answer whose status is not 2xx: `what` names the step and
 * the URL (`loadModel: fetching the model JSON from https://…/model.json`), then the status and
 * up to {@link BODY_QUOTED} characters of the body the server sent with it, whitespace folded
 * (`… failed: HTTP 500 Internal Server Error: "disk full"`, `…` when there was more). A body
 * that cannot be read is left out.
 */
export async function httpError(what: string, res: Response): Promise<IOError> {
  let body = '';
  try {
    // UTF-8 takes at most 4 bytes a character: this many bytes hold more than BODY_QUOTED.
    const { text, cut } = await bodyStart(res, 4 * (BODY_QUOTED + 1));
    const chars = Array.from(text.replace(/\s+/g, ' ').trim());
    const more = cut || chars.length > BODY_QUOTED;
    if (chars.length) body = `: ${JSON.stringify(chars.slice(0, BODY_QUOTED).join('') + (more ? '…' : ''))}`;
  } catch {
    // The body could not be read: the status says enough.
  }
  return new IOError(`${what} failed: ${httpStatus(res)}${body}`, { status: res.status });
}
