import { describe, expect, it } from "vitest";
import { jsonEqual } from "./equal.js";

describe("jsonEqual", () => {
  it("compares scalars, lists and objects structurally, key order aside", () => {
    expect(jsonEqual({ a: [1, "x", null], b: { c: true } }, { b: { c: true }, a: [1, "x", null] })).toBe(
      true,
    );
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual(undefined, undefined)).toBe(true);
    expect(jsonEqual(undefined, null)).toBe(false);
  });

  it("reads own keys only: an inherited name is not a key", () => {
    expect(jsonEqual({ a: 1 }, { constructor: 1 })).toBe(false);
    const withProto = JSON.parse('{"__proto__": 1}') as { readonly [key: string]: number };
    expect(jsonEqual(withProto, { b: 1 })).toBe(false);
    expect(jsonEqual(withProto, JSON.parse('{"__proto__": 1}') as typeof withProto)).toBe(true);
  });
});
