import { describe, expect, it } from "vitest";
import { readPackedVarints, readWireFields, splitPackedFixed } from "./wire.js";

describe("readWireFields", () => {
  it("reads a multi-byte varint and its field number", () => {
    // field 3, varint 300 = 0xac 0x02
    expect(readWireFields(Uint8Array.from([0x18, 0xac, 0x02]))).toEqual([
      { kind: "varint", number: 3, value: 300n },
    ]);
  });

  it("reads a negative int32 as its 10-byte two's-complement varint", () => {
    const bytes = Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(readWireFields(bytes)).toEqual([{ kind: "varint", number: 1, value: 0xffffffffffffffffn }]);
  });

  it("reads length-delimited, 64-bit and 32-bit records", () => {
    const bytes = Uint8Array.from([
      0x12, 0x02, 0x68, 0x69, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 9, 10, 11, 12,
    ]);
    expect(readWireFields(bytes)).toEqual([
      { kind: "bytes", number: 2, value: Uint8Array.from([0x68, 0x69]) },
      { kind: "fixed64", number: 3, value: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
      { kind: "fixed32", number: 4, value: Uint8Array.from([9, 10, 11, 12]) },
    ]);
  });

  it("rejects a length running past the end", () => {
    expect(() => readWireFields(Uint8Array.from([0x0a, 0x05, 0x61]))).toThrow(
      /runs past the end|exceeds the message size/,
    );
  });

  it("rejects a truncated varint", () => {
    expect(() => readWireFields(Uint8Array.from([0x08, 0x80]))).toThrow(
      "protobuf: truncated varint at byte 2",
    );
  });

  it("rejects an over-long varint", () => {
    expect(() => readWireFields(Uint8Array.from([0x08, ...new Array<number>(11).fill(0x80), 0x01]))).toThrow(
      /varint longer than 10 bytes/,
    );
  });

  it("rejects group wire types and field number 0", () => {
    expect(() => readWireFields(Uint8Array.from([0x0b]))).toThrow(
      "protobuf: unsupported wire type 3 for field 1 at byte 0",
    );
    expect(() => readWireFields(Uint8Array.from([0x00, 0x01]))).toThrow(
      "protobuf: invalid field number 0 at byte 0",
    );
  });
});

describe("packed repeated fields", () => {
  it("splits packed varints", () => {
    expect(readPackedVarints(Uint8Array.from([0x01, 0xac, 0x02, 0x00]))).toEqual([1n, 300n, 0n]);
  });

  it("rejects packed fixed32 data of the wrong size", () => {
    expect(() => splitPackedFixed(Uint8Array.from([1, 2, 3]), 4)).toThrow("not a multiple of 4");
  });
});
