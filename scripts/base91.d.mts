// Types of scripts/base91.mjs for the TypeScript tests (test/init.test.ts).
/** The 91 characters, in digit order. */
export const ALPHABET: string;
/** Encodes bytes as basE91 text. */
export function encodeBase91(bytes: Uint8Array): string;
