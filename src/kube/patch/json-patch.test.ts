import { describe, expect, test } from "vitest";
import type { JsonValue } from "../value/json.js";
import { PatchError, PatchErrorKinds } from "./errors.js";
import { applyJsonPatch } from "./json-patch.js";

function failure(document: JsonValue, patch: JsonValue): PatchError {
  try {
    applyJsonPatch(document, patch);
  } catch (error: unknown) {
    if (error instanceof PatchError) return error;
    throw error;
  }
  throw new Error("expected a PatchError");
}

describe("operations", () => {
  test("add sets object members, replacing existing ones", () => {
    expect(
      applyJsonPatch({ a: 1 }, [
        { op: "add", path: "/a", value: 2 },
        { op: "add", path: "/b", value: { c: [1] } },
      ]),
    ).toEqual({ a: 2, b: { c: [1] } });
  });

  test("add inserts into arrays; '-' appends; index == length appends", () => {
    expect(
      applyJsonPatch({ l: [1, 2] }, [
        { op: "add", path: "/l/0", value: 0 },
        { op: "add", path: "/l/-", value: 9 },
        { op: "add", path: "/l/4", value: 10 },
      ]),
    ).toEqual({ l: [0, 1, 2, 9, 10] });
  });

  test("negative indices count from the end (evanphx SupportNegativeIndices)", () => {
    expect(
      applyJsonPatch({ l: [1, 2, 3] }, [
        { op: "remove", path: "/l/-1" },
        { op: "add", path: "/l/-1", value: 7 },
      ]),
    ).toEqual({ l: [1, 2, 7] });
  });

  test("remove deletes members and elements", () => {
    expect(
      applyJsonPatch({ a: 1, b: null, l: [1, 2] }, [
        { op: "remove", path: "/a" },
        { op: "remove", path: "/b" },
        { op: "remove", path: "/l/0" },
      ]),
    ).toEqual({ l: [2] });
  });

  test("replace changes a value; on a missing member it adds it, as json-patch v4 does", () => {
    expect(
      applyJsonPatch({ a: 1, l: [1] }, [
        { op: "replace", path: "/a", value: "x" },
        { op: "replace", path: "/l/0", value: 5 },
        { op: "replace", path: "/n", value: true },
      ]),
    ).toEqual({
      a: "x",
      l: [5],
      n: true,
    });
  });

  test("replace of the whole document", () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }])).toEqual({ b: 2 });
  });

  test("move and copy", () => {
    expect(
      applyJsonPatch({ a: { x: 1 }, l: [1, 2] }, [
        { op: "move", from: "/a/x", path: "/y" },
        { op: "copy", from: "/l", path: "/m" },
        { op: "move", from: "/l/0", path: "/l/-" },
      ]),
    ).toEqual({
      a: {},
      y: 1,
      l: [2, 1],
      m: [1, 2],
    });
  });

  test("copy from a missing member copies null (json-patch v4)", () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: "copy", from: "/missing", path: "/b" }])).toEqual({
      a: 1,
      b: null,
    });
  });

  test("copies are independent of their source", () => {
    expect(
      applyJsonPatch({ a: { x: 1 } }, [
        { op: "copy", from: "/a", path: "/b" },
        { op: "add", path: "/b/x", value: 2 },
      ]),
    ).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });

  test("test compares by JSON value; null matches a missing member", () => {
    expect(
      applyJsonPatch({ a: { b: [1, { c: "d" }] } }, [
        { op: "test", path: "/a", value: { b: [1, { c: "d" }] } },
        { op: "test", path: "/missing", value: null },
        { op: "add", path: "/ok", value: true },
      ]),
    ).toEqual({ a: { b: [1, { c: "d" }] }, ok: true });
  });

  test("pointer escapes: ~1 is '/', ~0 is '~'", () => {
    expect(
      applyJsonPatch({ metadata: { annotations: { "example.com/a~b": "x" } } }, [
        { op: "replace", path: "/metadata/annotations/example.com~1a~0b", value: "y" },
        { op: "add", path: "/metadata/annotations/~01", value: "z" },
      ]),
    ).toEqual({ metadata: { annotations: { "example.com/a~b": "y", "~1": "z" } } });
  });

  test("the input is not modified", () => {
    const document = { l: [1], m: { a: 1 } };
    applyJsonPatch(document, [
      { op: "add", path: "/l/-", value: 2 },
      { op: "remove", path: "/m/a" },
    ]);
    expect(document).toEqual({ l: [1], m: { a: 1 } });
  });

  test("a null patch changes nothing", () => {
    expect(applyJsonPatch({ a: 1 }, null)).toEqual({ a: 1 });
  });
});

describe("failures, worded as evanphx/json-patch v4", () => {
  const cases: readonly (readonly [string, JsonValue, string])[] = [
    ["failed test", [{ op: "test", path: "/a", value: 2 }], "testing value /a failed: test failed"],
    [
      "test of a missing member against a value",
      [{ op: "test", path: "/x", value: 1 }],
      "testing value /x failed: test failed",
    ],
    [
      "remove of a missing member",
      [{ op: "remove", path: "/x" }],
      "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value",
    ],
    [
      "add below a missing parent",
      [{ op: "add", path: "/x/y", value: 1 }],
      'add operation does not apply: doc is missing path: "/x/y": missing value',
    ],
    [
      "add at the root",
      [{ op: "add", path: "", value: 1 }],
      'add operation does not apply: doc is missing path: "": missing value',
    ],
    [
      "add past the end",
      [{ op: "add", path: "/l/3", value: 1 }],
      "error in add for path: '/l/3': Unable to access invalid index: 3: invalid index referenced",
    ],
    [
      "add with a bad index",
      [{ op: "add", path: "/l/x", value: 1 }],
      `error in add for path: '/l/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    ],
    [
      "remove out of range",
      [{ op: "remove", path: "/l/2" }],
      "error in remove for path: '/l/2': Unable to access invalid index: 2: invalid index referenced",
    ],
    [
      "replace out of range",
      [{ op: "replace", path: "/l/5", value: 1 }],
      "replace operation does not apply: doc is missing key: /l/5: missing value",
    ],
    [
      "move from a missing member",
      [{ op: "move", from: "/x", path: "/y" }],
      "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
    ],
    [
      "copy to a missing parent",
      [{ op: "copy", from: "/a", path: "/x/y" }],
      "copy operation does not apply: doc is missing destination path: /x/y: missing value",
    ],
    [
      "path through a scalar",
      [{ op: "replace", path: "/a/b", value: 1 }],
      "replace operation does not apply: doc is missing path: /a/b: missing value",
    ],
    ["missing path", [{ op: "add", value: 1 }], "add operation failed to decode path: missing value"],
    [
      "missing from",
      [{ op: "move", path: "/a" }],
      "move operation failed to decode from: operation, missing from field: missing value",
    ],
    ["unknown op", [{ op: "frobnicate", path: "/a" }], "Unexpected kind: frobnicate"],
    ["missing op", [{ path: "/a" }], "Unexpected kind: unknown"],
  ];
  test.each(cases)("%s", (_name, patch, message) => {
    const error = failure({ a: 1, l: [1, 2] }, patch);
    expect([error.kind, error.message]).toEqual([PatchErrorKinds.unprocessable, message]);
  });

  test("an operation failing after others leaves the input unchanged", () => {
    const document = { a: 1 };
    failure(document, [
      { op: "add", path: "/b", value: 2 },
      { op: "test", path: "/a", value: 3 },
    ]);
    expect(document).toEqual({ a: 1 });
  });

  test("a patch that is not a list of objects is a 400", () => {
    expect([failure({}, { op: "add" }).kind, failure({}, { op: "add" }).message]).toEqual([
      PatchErrorKinds.badRequest,
      "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
    ]);
    expect(failure({}, ["add"]).message).toBe(
      "json: cannot unmarshal string into Go value of type jsonpatch.Operation",
    );
  });
});
