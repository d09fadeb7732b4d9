// Types of scripts/base85.mjs for the TypeScript tests (test/init.test.ts).
/** The 85 characters, in digit order. */
export const ALPHABET: string;
/** Encodes bytes as base85: 4 bytes as 5 characters, a final group of n bytes as n + 1. */
export function encodeBase85(bytes: Uint8Array): string;
