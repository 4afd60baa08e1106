import { describe, expect, test } from "vitest";
import type { JsonValue } from "../value/json.js";
import { PatchError, PatchErrorKinds } from "./errors.js";
import { applyMergePatch } from "./merge-patch.js";

describe("applyMergePatch", () => {
  // RFC 7386 appendix A.
  const rfcCases: readonly (readonly [JsonValue, JsonValue, JsonValue])[] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  test.each(rfcCases)("RFC 7386 example %#", (original, patch, expected) => {
    expect(applyMergePatch(original, patch)).toEqual(expected);
  });

  test("nulls are pruned from objects inside a new array, null elements stay (evanphx v4)", () => {
    expect(applyMergePatch({}, { l: [{ a: 1, b: null }, null] })).toEqual({ l: [{ a: 1 }, null] });
  });

  test("a null original member is replaced by the pruned patch value", () => {
    expect(applyMergePatch({ a: null }, { a: { b: null, c: 1 } })).toEqual({ a: { c: 1 } });
  });

  test("a patch of null or a scalar is a 400 Invalid JSON Patch", () => {
    for (const patch of [null, 5, "x"] as const) {
      let caught: unknown;
      try {
        applyMergePatch({ a: 1 }, patch);
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PatchError);
      expect([(caught as PatchError).kind, (caught as PatchError).message]).toEqual([
        PatchErrorKinds.badRequest,
        "Invalid JSON Patch",
      ]);
    }
  });

  test("the input is not modified", () => {
    const original = { a: { b: 1 } };
    applyMergePatch(original, { a: { b: null, c: 2 } });
    expect(original).toEqual({ a: { b: 1 } });
  });
});
