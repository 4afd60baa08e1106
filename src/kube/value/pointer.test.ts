import { describe, expect, it } from "vitest";
import {
  escapePointerToken,
  pointerOf,
  pointerTokens,
  unescapePointerToken,
  valueAtPointer,
} from "./pointer.js";

describe("JSON Pointer (RFC 6901)", () => {
  it("escapes ~ before / and unescapes ~1 before ~0", () => {
    expect(escapePointerToken("a/b~c")).toBe("a~1b~0c");
    expect(unescapePointerToken("~01")).toBe("~1");
    expect(pointerTokens("/a~1b/0/~0")).toEqual(["a/b", "0", "~"]);
    expect(pointerTokens("")).toEqual([]);
    expect(pointerOf(["metadata", "labels", "app.kubernetes.io/name"])).toBe(
      "/metadata/labels/app.kubernetes.io~1name",
    );
  });

  it("reads own keys and list items only", () => {
    const object = { spec: { ports: [{ port: 80 }] }, "a/b": 1 };
    expect(valueAtPointer(object, "/spec/ports/0/port")).toBe(80);
    expect(valueAtPointer(object, "/a~1b")).toBe(1);
    expect(valueAtPointer(object, "")).toBe(object);
    expect(valueAtPointer(object, "/spec/constructor")).toBeUndefined();
    expect(valueAtPointer(object, "/spec/ports/1/port")).toBeUndefined();
  });
});
