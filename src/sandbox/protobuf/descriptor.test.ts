import { describe, expect, it } from "vitest";
import { messageTable, readFileDescriptor } from "./descriptor.js";
import { goDurationString } from "./wellknown.js";

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest === 0 ? low : low | 0x80);
  } while (rest !== 0);
  return out;
}
const int = (field: number, value: number): number[] => [...varint(field * 8), ...varint(value)];
const bytes = (field: number, value: number[]): number[] => [
  ...varint(field * 8 + 2),
  ...varint(value.length),
  ...value,
];
const str = (field: number, value: string): number[] => bytes(field, [...Buffer.from(value)]);
const msg = (field: number, ...parts: number[][]): number[] => bytes(field, parts.flat());

const typeInt32 = 5;
const typeString = 9;
const typeMessage = 11;
const notNullable = int(65001, 0);

function field(name: string, number: number, type: number, ...more: number[][]): number[] {
  return msg(2, str(1, name), int(3, number), int(4, 1), int(5, type), ...more);
}

const descriptor = Uint8Array.from([
  ...str(1, "k8s.io/test/generated.proto"),
  ...str(2, "k8s.io.test"),
  ...msg(
    4,
    str(1, "Thing"),
    field("count", 1, typeInt32),
    field("size", 2, typeInt32, msg(8, notNullable)),
    msg(
      2,
      str(1, "labels"),
      int(3, 3),
      int(4, 3),
      int(5, typeMessage),
      str(6, ".k8s.io.test.Thing.LabelsEntry"),
    ),
    field("ref", 4, typeMessage, str(6, ".k8s.io.test.Ref"), msg(8, notNullable, str(65004, "Ref"))),
    msg(
      3,
      str(1, "LabelsEntry"),
      field("key", 1, typeString),
      field("value", 2, typeString),
      msg(7, int(7, 1)),
    ),
  ),
  ...msg(4, str(1, "Ref"), field("name", 1, typeString, msg(8, notNullable))),
]);

describe("readFileDescriptor and messageTable", () => {
  it("folds map entries, marks pointers by gogoproto.nullable and inlines named embedded structs", () => {
    const file = readFileDescriptor(descriptor);
    expect(file.name).toBe("k8s.io/test/generated.proto");
    expect(messageTable([file], new Set(["k8s.io.test.Thing.ref"]))).toEqual({
      "k8s.io.test.Ref": { "1": { name: "name", type: "string" } },
      "k8s.io.test.Thing": {
        "1": { name: "count", type: "int32", pointer: true },
        "2": { name: "size", type: "int32" },
        "3": { name: "labels", type: "string", map: true },
        "4": { name: "ref", type: "k8s.io.test.Ref", inline: true },
      },
    });
  });

  it("refuses to inline a field that cannot be an embedded struct", () => {
    const file = readFileDescriptor(descriptor);
    expect(() => messageTable([file], new Set(["k8s.io.test.Thing.size"]))).toThrow(
      "descriptor: k8s.io.test.Thing.size is not a non-pointer field named after its message type, so not an embedded struct",
    );
  });
});

describe("goDurationString", () => {
  it("formats as Go's time.Duration.String", () => {
    expect(goDurationString(0n)).toBe("0s");
    expect(goDurationString(1n)).toBe("1ns");
    expect(goDurationString(1_500n)).toBe("1.5µs");
    expect(goDurationString(2_000_000n)).toBe("2ms");
    expect(goDurationString(1_000_000_000n)).toBe("1s");
    expect(goDurationString(61_500_000_000n)).toBe("1m1.5s");
    expect(goDurationString(3_600_000_000_000n)).toBe("1h0m0s");
    expect(goDurationString(-90_000_000_000n)).toBe("-1m30s");
  });
});
