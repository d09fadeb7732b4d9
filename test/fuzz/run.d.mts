/** Types of run.mjs for test/fuzz.test.ts. */
export interface FuzzFailure {
  cls: string;
  op: string;
  index: number;
  line: string;
  message: string;
  seed: number;
  replay: string;
  snippet: string;
  recent: string[];
  count: number;
}
export interface FuzzSummary {
  seed: number;
  calls: number;
  requested: number;
  valid?: number;
  invalid?: number;
  either?: number;
  ms?: number;
  callsPerSecond?: number;
  errorsByClass: Record<string, number>;
  errorsByOp: Record<string, number>;
  failuresByClass?: Record<string, number>;
  callsByOp: Record<string, number>;
  failures: FuzzFailure[];
  unhandled?: string[];
  hung?: boolean;
  crashed?: boolean;
}
export const ROOT: string;
export const DIST: string;
export function fuzzSeed(opts: { seed: number; calls: number; keepGoing?: boolean; heavy?: boolean; hangMs?: number; families?: string[]; dist?: string }): Promise<FuzzSummary>;
export function formatReport(s: FuzzSummary, opts?: { full?: boolean }): string;
