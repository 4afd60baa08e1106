import { isUtf8 } from "node:buffer";

import { SourceError } from "./types.js";

interface Sequence {
  readonly length: number;
  /** The range the second byte must be in: no overlong forms, no surrogates, nothing above U+10FFFF. */
  readonly low: number;
  readonly high: number;
}

/** Well-formed UTF-8 (RFC 3629, Unicode table 3-7): lead bytes from..to, and what follows them. */
const sequences: readonly (Sequence & { readonly from: number; readonly to: number })[] = [
  { from: 0x00, to: 0x7f, length: 1, low: 0x80, high: 0xbf },
  { from: 0xc2, to: 0xdf, length: 2, low: 0x80, high: 0xbf },
  { from: 0xe0, to: 0xe0, length: 3, low: 0xa0, high: 0xbf },
  { from: 0xe1, to: 0xec, length: 3, low: 0x80, high: 0xbf },
  { from: 0xed, to: 0xed, length: 3, low: 0x80, high: 0x9f },
  { from: 0xee, to: 0xef, length: 3, low: 0x80, high: 0xbf },
  { from: 0xf0, to: 0xf0, length: 4, low: 0x90, high: 0xbf },
  { from: 0xf1, to: 0xf3, length: 4, low: 0x80, high: 0xbf },
  { from: 0xf4, to: 0xf4, length: 4, low: 0x80, high: 0x8f },
];

const invalid: Sequence = { length: 0, low: 0, high: 0 };

function sequenceOf(lead: number): Sequence {
  return sequences.find((sequence) => lead >= sequence.from && lead <= sequence.to) ?? invalid;
}

function validSequenceAt(bytes: Uint8Array, start: number): number {
  const { length, low, high } = sequenceOf(bytes[start]);
  if (length === 0 || start + length > bytes.length) return 0;
  if (length > 1 && (bytes[start + 1] < low || bytes[start + 1] > high)) return 0;
  for (let index = start + 2; index < start + length; index++)
    if (bytes[index] < 0x80 || bytes[index] > 0xbf) return 0;
  return length;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let index = 0; index < bytes.length;) {
    const length = validSequenceAt(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return -1;
}

/**
 * A file's bytes as text. kubectl refuses invalid UTF-8 rather than guess: so do we, where a silent
 * U+FFFD would turn a corrupted value into an equally wrong desired value. The error names the byte,
 * never the bytes around it (they may be a Secret's).
 */
export function decodeUtf8(bytes: Buffer, file: string): string {
  if (isUtf8(bytes)) return bytes.toString("utf8");
  const offset = firstInvalidUtf8(bytes);
  if (offset < 0) return bytes.toString("utf8");
  let line = 1;
  for (let index = bytes.indexOf(0x0a); index >= 0 && index < offset; index = bytes.indexOf(0x0a, index + 1))
    line++;
  throw new SourceError(`${file}: invalid UTF-8 at byte ${offset} (line ${line})`);
}
