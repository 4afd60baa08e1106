import { isUtf8 } from "node:buffer";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { decodeUtf8, firstInvalidUtf8 } from "./text.js";

describe("UTF-8 validation", () => {
  it("agrees with Node's validator and names the first byte a strict decoder stops at", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const offset = firstInvalidUtf8(bytes);
        expect(offset === -1).toBe(isUtf8(bytes));
        if (offset >= 0) {
          // Everything before the offset is well-formed; the sequence starting there is not.
          expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
          expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(offset))).toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses overlong forms, surrogates and code points above U+10FFFF", () => {
    for (const bytes of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ])
      expect(firstInvalidUtf8(Uint8Array.from([0x41, ...bytes]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from("é€😀", "utf8"))).toBe(-1);
  });

  it("names file, byte and line, never the bytes", () => {
    expect(() => decodeUtf8(Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0xff]), "a.yaml")).toThrow(
      "a.yaml: invalid UTF-8 at byte 4 (line 3)",
    );
    expect(decodeUtf8(Buffer.from("ünïcode"), "a.yaml")).toBe("ünïcode");
  });
});
