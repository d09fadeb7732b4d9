// Runs the smoke script against a built bundle and prints its report as one JSON line.
// The same file runs in Node and in Deno:
//   node test/runtimes/run.mjs inline|url
//   deno run test/runtimes/run.mjs inline              (no permissions at all)
//   deno run --allow-read test/runtimes/run.mjs url    (core.wasm is read from disk)
//   deno run --allow-read --allow-write=DIR test/runtimes/run.mjs url DIR   (resume through file://DIR)
import { smoke } from './smoke.mjs';

const isDeno = typeof globalThis.Deno !== 'undefined';
const entry = (isDeno ? globalThis.Deno.args : process.argv.slice(2))[0];
if (entry !== 'inline' && entry !== 'url') throw new Error(`run.mjs: entry must be "inline" or "url", got ${entry}`);

const nr = entry === 'url' ? await import('../../dist/url/index.js') : await import('../../dist/index.js');
const wasmUrl = new URL('../../dist/url/core.wasm', import.meta.url);

async function readBytes() {
  if (isDeno) return globalThis.Deno.readFile(wasmUrl);
  const fsName = 'node:fs/promises';
  const fs = await import(fsName);
  return fs.readFile(wasmUrl);
}

/** Whether this process may read files (always in Node; in Deno only with --allow-read). */
const canRead = isDeno ? globalThis.Deno.permissions.querySync({ name: 'read' }).state === 'granted' : true;

const sources = {};
if (canRead) {
  sources.bytes = readBytes;
  sources.url = async () => wasmUrl;
  sources.module = async () => WebAssembly.compile(await readBytes());
  // Deno's fetch reads file: URLs (with --allow-read); Node's does not.
  if (isDeno) sources.response = async () => fetch(wasmUrl);
}

// An optional second argument: a folder to save the resume checkpoint in (file://).
const saveDir = (isDeno ? globalThis.Deno.args : process.argv.slice(2))[1];
const saveTarget = saveDir ? `file://${saveDir}/resume` : undefined;
const report = await smoke(nr, { runtime: isDeno ? 'deno' : 'node', entry, sources, saveTarget });
report.readPermission = isDeno ? globalThis.Deno.permissions.querySync({ name: 'read' }).state : 'node';
report.version = isDeno ? globalThis.Deno.version.deno : process.versions.node;
console.log(JSON.stringify(report));
