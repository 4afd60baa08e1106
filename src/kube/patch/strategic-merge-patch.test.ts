import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import type { JsonObject, JsonValue } from "../value/json.js";
import { builtinSchema } from "../schema/builtin.js";
import type { Schema, SchemaType } from "../schema/types.js";
import { PatchError, PatchErrorKinds } from "./errors.js";
import { applyStrategicMergePatch } from "./strategic-merge-patch.js";

// The MergeItem type of strategicpatch/patch_test.go, as our schema describes it.
const mergeItem: SchemaType = { kind: "ref", name: "MergeItem" };
const text: SchemaType = { kind: "scalar", scalar: "string" };
const integer: SchemaType = { kind: "scalar", scalar: "integer" };
const mergingByName = {
  kind: "list",
  items: mergeItem,
  listType: "map",
  mapKeys: ["name"],
  patchStrategy: "merge",
  patchMergeKey: "name",
} as const;
const definitions: ReadonlyMap<string, Exclude<SchemaType, { kind: "ref" }>> = new Map([
  [
    "MergeItem",
    {
      kind: "struct",
      fields: {
        name: text,
        value: text,
        other: text,
        mergingList: mergingByName,
        mergeItemPtr: mergingByName,
        nonMergingList: { kind: "list", items: mergeItem, listType: "atomic" },
        mergingIntList: { kind: "list", items: integer, listType: "set", patchStrategy: "merge" },
        nonMergingIntList: { kind: "list", items: integer, listType: "atomic" },
        simpleMap: { kind: "map", values: text },
        retainKeysMap: { kind: "ref", name: "MergeItem" },
        retainKeysMergingList: { ...mergingByName, patchStrategy: "merge,retainKeys" },
        badStrategyList: { kind: "list", items: integer, listType: "atomic", patchStrategy: "merge,replace" },
      },
    },
  ],
]);
const testSchema: Schema = {
  rootType: () => mergeItem,
  resolve: (type) => (type.kind === "ref" ? definitions.get(type.name)! : type),
};

function yaml(source: string): JsonObject {
  return parse(source) as JsonObject;
}

function apply(original: string, patch: string): JsonObject {
  return applyStrategicMergePatch(yaml(original), yaml(patch), testSchema, mergeItem);
}

function failure(original: string, patch: JsonValue): PatchError {
  try {
    applyStrategicMergePatch(yaml(original), patch, testSchema, mergeItem);
  } catch (error: unknown) {
    if (error instanceof PatchError) return error;
    throw error;
  }
  throw new Error("expected a PatchError");
}

// Cases of strategicpatch/patch_test.go (three-way patch applied to "current", compared without sorting).
describe("ordering, ported from patch_test.go", () => {
  test("merge lists of scalars", () => {
    expect(
      apply(
        `mergingIntList: [1, 2, 4]`,
        `{ $setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3] }`,
      ),
    ).toEqual({
      mergingIntList: [1, 2, 3, 4],
    });
  });

  test("add an item in a list of primitives and preserve order", () => {
    expect(
      apply(
        `mergingIntList: [1, 4, 2]`,
        `{ $setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3] }`,
      ),
    ).toEqual({
      mergingIntList: [3, 1, 4, 2],
    });
  });

  test("delete an item in a list of primitives and preserve order", () => {
    expect(
      apply(
        `mergingIntList: [1, 2, 3]`,
        `{ $setElementOrder/mergingIntList: [2, 1], $deleteFromPrimitiveList/mergingIntList: [3] }`,
      ),
    ).toEqual({ mergingIntList: [2, 1] });
  });

  test("add multiple items in a int list and preserve order", () => {
    expect(
      apply(
        `mergingIntList: [1, 2]`,
        `{ $setElementOrder/mergingIntList: [1, 4, 2, 3], mergingIntList: [4, 3] }`,
      ),
    ).toEqual({
      mergingIntList: [1, 4, 2, 3],
    });
  });

  test("add an item in a list and preserve order", () => {
    const current = `
mergingList:
  - { name: 1, other: a }
  - { name: 2, value: 2, other: b }`;
    const patch = `
$setElementOrder/mergingList: [{ name: 3 }, { name: 1 }, { name: 2 }]
mergingList: [{ name: 3, value: 3 }]`;
    expect(apply(current, patch)).toEqual(
      yaml(`
mergingList:
  - { name: 3, value: 3 }
  - { name: 1, other: a }
  - { name: 2, value: 2, other: b }`),
    );
  });

  test("add multiple items in a list and preserve order", () => {
    const current = `
mergingList:
  - { name: 1, other: a }
  - { name: 2, value: 2, other: b }`;
    const patch = `
$setElementOrder/mergingList: [{ name: 1 }, { name: 4 }, { name: 2 }, { name: 3 }]
mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }]`;
    expect(apply(current, patch)).toEqual({
      mergingList: [
        { name: 1, other: "a" },
        { name: 4, value: 4 },
        { name: 2, value: 2, other: "b" },
        { name: 3, value: 3 },
      ],
    });
  });

  test("delete an item in a list and preserve order", () => {
    const current = `
mergingList:
  - { name: 1, other: a }
  - { name: 2, value: 2, other: b }
  - { name: 3, value: 3 }`;
    const patch = `
$setElementOrder/mergingList: [{ name: 2 }, { name: 1 }]
mergingList: [{ name: 3, $patch: delete }]`;
    expect(apply(current, patch)).toEqual({
      mergingList: [
        { name: 2, value: 2, other: "b" },
        { name: 1, other: "a" },
      ],
    });
  });

  test("add and delete an item in a list and preserve order", () => {
    const current = `
mergingList:
  - { name: 1, other: a }
  - { name: 2, value: 2, other: b }
  - { name: 3, value: 3 }`;
    const patch = `
$setElementOrder/mergingList: [{ name: 4 }, { name: 2 }, { name: 1 }]
mergingList: [{ name: 4, value: 4 }, { name: 3, $patch: delete }]`;
    expect(apply(current, patch)).toEqual({
      mergingList: [
        { name: 4, value: 4 },
        { name: 2, value: 2, other: "b" },
        { name: 1, other: "a" },
      ],
    });
  });

  test("set elements order in a list with server-only items 2", () => {
    const current = `
mergingList:
  - { name: 1, other: a }
  - { name: 2, value: 2 }
  - { name: 9 }
  - { name: 3, value: 3 }
  - { name: 4, value: 4 }`;
    const patch = `$setElementOrder/mergingList: [{ name: 2 }, { name: 1 }, { name: 4 }, { name: 3 }]`;
    expect(apply(current, patch)).toEqual({
      mergingList: [
        { name: 2, value: 2 },
        { name: 1, other: "a" },
        { name: 9 },
        { name: 4, value: 4 },
        { name: 3, value: 3 },
      ],
    });
  });

  test("set elements order in a list with server-only items 3", () => {
    const current = `
mergingList:
  - { name: 1, other: a }
  - { name: 2, value: 2 }
  - { name: 7 }
  - { name: 9 }
  - { name: 8 }
  - { name: 3, value: 3 }
  - { name: 4, value: 4 }`;
    const patch = `$setElementOrder/mergingList: [{ name: 2 }, { name: 1 }, { name: 4 }, { name: 3 }]`;
    expect(apply(current, patch)).toEqual({
      mergingList: [
        { name: 2, value: 2 },
        { name: 1, other: "a" },
        { name: 7 },
        { name: 9 },
        { name: 8 },
        { name: 4, value: 4 },
        { name: 3, value: 3 },
      ],
    });
  });

  test("add field to map in merging list by pointer with conflict (nested $setElementOrder)", () => {
    const current = `
mergeItemPtr:
  - name: 1
    other: a
    mergeItemPtr:
      - { name: 1, value: a }
      - { name: 2, value: 2, other: b }
  - { name: 2, other: b }`;
    const patch = `
$setElementOrder/mergeItemPtr: [{ name: 1 }, { name: 2 }]
mergeItemPtr:
  - $setElementOrder/mergeItemPtr: [{ name: 1 }, { name: 2 }]
    name: 1
    mergeItemPtr: [{ name: 1, value: 1 }]`;
    expect(apply(current, patch)).toEqual({
      mergeItemPtr: [
        {
          name: 1,
          other: "a",
          mergeItemPtr: [
            { name: 1, value: 1 },
            { name: 2, value: 2, other: "b" },
          ],
        },
        { name: 2, other: "b" },
      ],
    });
  });
});

describe("ordering without $setElementOrder", () => {
  test("new items of a merged list come first, as kubectl patch shows", () => {
    expect(apply(`mergingList: [{ name: a }, { name: b }]`, `mergingList: [{ name: c }]`)).toEqual({
      mergingList: [{ name: "c" }, { name: "a" }, { name: "b" }],
    });
    expect(apply(`mergingIntList: [1, 2]`, `mergingIntList: [3]`)).toEqual({ mergingIntList: [3, 1, 2] });
  });

  test("a new item is placed before server items that follow the first patched one", () => {
    expect(
      apply(
        `mergingList: [{ name: 1 }, { name: 2 }, { name: 3 }]`,
        `mergingList: [{ name: 2, value: x }, { name: 4 }]`,
      ),
    ).toEqual({ mergingList: [{ name: 1 }, { name: 2, value: "x" }, { name: 4 }, { name: 3 }] });
  });

  test("a patched item keeps its place", () => {
    expect(
      apply(`mergingList: [{ name: 1 }, { name: 2 }, { name: 3 }]`, `mergingList: [{ name: 3, value: x }]`),
    ).toEqual({
      mergingList: [{ name: 1 }, { name: 2 }, { name: 3, value: "x" }],
    });
  });

  test("scalars already present are not duplicated", () => {
    expect(apply(`mergingIntList: [1, 2, 3]`, `mergingIntList: [2, 4]`)).toEqual({
      mergingIntList: [1, 2, 4, 3],
    });
  });
});

describe("lists", () => {
  test("lists without a merge strategy are replaced", () => {
    expect(
      apply(
        `{ nonMergingList: [{ name: 1 }, { name: 2 }], nonMergingIntList: [1, 2] }`,
        `{ nonMergingList: [{ name: 3 }], nonMergingIntList: [3] }`,
      ),
    ).toEqual({
      nonMergingList: [{ name: 3 }],
      nonMergingIntList: [3],
    });
  });

  test("$patch: replace in a merged list replaces the whole list", () => {
    expect(
      apply(
        `mergingList: [{ name: 1, value: a }, { name: 2 }]`,
        `mergingList: [{ name: 3 }, { $patch: replace }]`,
      ),
    ).toEqual({
      mergingList: [{ name: 3 }],
    });
  });

  test("$patch: delete removes every element with that merge key", () => {
    expect(
      apply(
        `mergingList: [{ name: 1 }, { name: 2 }, { name: 1, value: dup }]`,
        `mergingList: [{ name: 1, $patch: delete }]`,
      ),
    ).toEqual({
      mergingList: [{ name: 2 }],
    });
  });

  test("$deleteFromPrimitiveList removes scalars and keeps the order", () => {
    expect(apply(`mergingIntList: [3, 1, 2]`, `$deleteFromPrimitiveList/mergingIntList: [1, 7]`)).toEqual({
      mergingIntList: [3, 2],
    });
  });

  test("$deleteFromPrimitiveList of an absent list does nothing", () => {
    expect(apply(`name: a`, `$deleteFromPrimitiveList/mergingIntList: [1]`)).toEqual({ name: "a" });
  });

  test("merging recurses into elements with the element type", () => {
    expect(
      apply(
        `mergingList: [{ name: a, mergingIntList: [1], simpleMap: { x: "1" } }]`,
        `mergingList: [{ name: a, mergingIntList: [2], simpleMap: { y: "2", x: null } }]`,
      ),
    ).toEqual({ mergingList: [{ name: "a", mergingIntList: [2, 1], simpleMap: { y: "2" } }] });
  });

  test("a list added where the original has none drops directive elements", () => {
    expect(
      apply(
        `name: a`,
        `{ $setElementOrder/mergingList: [{ name: 1 }], mergingList: [{ name: 1 }, { name: 2, $patch: delete }] }`,
      ),
    ).toEqual({
      name: "a",
      mergingList: [{ name: 1 }],
    });
  });
});

describe("maps and nulls", () => {
  test("null deletes a key; maps merge", () => {
    expect(
      apply(
        `{ name: a, value: b, simpleMap: { k1: v1, k2: v2 } }`,
        `{ value: null, simpleMap: { k2: null, k3: v3 } }`,
      ),
    ).toEqual({
      name: "a",
      simpleMap: { k1: "v1", k3: "v3" },
    });
  });

  test("$patch: replace on a map replaces it", () => {
    expect(apply(`simpleMap: { a: "1", b: "2" }`, `simpleMap: { $patch: replace, c: "3" }`)).toEqual({
      simpleMap: { c: "3" },
    });
  });

  test("$patch: delete on a map leaves an empty map, or nothing when it was absent", () => {
    expect(apply(`simpleMap: { a: "1" }`, `simpleMap: { $patch: delete }`)).toEqual({ simpleMap: {} });
    expect(apply(`name: x`, `simpleMap: { $patch: delete }`)).toEqual({ name: "x" });
  });

  test("$patch: replace at the top replaces the object", () => {
    expect(apply(`{ name: a, value: b }`, `{ $patch: replace, other: c }`)).toEqual({ other: "c" });
  });

  // TestUnknownField in patch_test.go
  test("nulls inside a new value are discarded, nulls in lists are kept", () => {
    expect(apply(`name: foo`, `complex_nullable: { key: { keynotnull: value, keynull: null } }`)).toEqual({
      name: "foo",
      complex_nullable: { key: { keynotnull: "value" } },
    });
    expect(apply(`{}`, `complex: { nested: null }`)).toEqual({ complex: {} });
    expect(apply(`{}`, `complex_nullable: [{ inner_one: { key_one: foo, key_two: null } }]`)).toEqual({
      complex_nullable: [{ inner_one: { key_one: "foo" } }],
    });
    expect(apply(`{}`, `complex_nullable: [key1, null, key2]`)).toEqual({
      complex_nullable: ["key1", null, "key2"],
    });
  });

  test("null values already in the original are preserved", () => {
    expect(apply(`{ complex: { key: null }, thing: null }`, `nested: { value: 5 }`)).toEqual({
      complex: { key: null },
      thing: null,
      nested: { value: 5 },
    });
  });

  test("a value of another type replaces the original", () => {
    expect(apply(`{ name: a, simpleMap: { a: b } }`, `{ name: { x: 1, y: null }, simpleMap: [1] }`)).toEqual({
      name: { x: 1 },
      simpleMap: [1],
    });
  });

  test("unknown fields merge maps and replace lists, like a merge patch", () => {
    expect(
      apply(
        `unknown: { a: 1, list: [{ name: x }], deep: { b: 2 } }`,
        `unknown: { list: [{ name: y }], deep: { c: 3 } }`,
      ),
    ).toEqual({
      unknown: { a: 1, list: [{ name: "y" }], deep: { b: 2, c: 3 } },
    });
  });
});

describe("$retainKeys", () => {
  test("clears the keys it does not name before merging", () => {
    expect(
      apply(
        `retainKeysMap: { name: foo, value: bar, other: baz }`,
        `retainKeysMap: { $retainKeys: [name, value], value: new }`,
      ),
    ).toEqual({ retainKeysMap: { name: "foo", value: "new" } });
  });

  test("works on the elements of a merged list", () => {
    expect(
      apply(
        `retainKeysMergingList: [{ name: a, value: 1, other: 2 }, { name: b, other: 3 }]`,
        `retainKeysMergingList: [{ name: a, $retainKeys: [name, other], other: 9 }]`,
      ),
    ).toEqual({
      retainKeysMergingList: [
        { name: "a", other: 9 },
        { name: "b", other: 3 },
      ],
    });
  });

  test("a patched key missing from the list is a 400", () => {
    const error = failure(
      `retainKeysMap: { name: foo }`,
      yaml(`retainKeysMap: { $retainKeys: [name], value: new }`),
    );
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.badRequest,
      "invalid patch format of retainKeys",
    ]);
  });

  test("a list is required", () => {
    const error = failure(`retainKeysMap: { name: foo }`, yaml(`retainKeysMap: { $retainKeys: name }`));
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.badRequest,
      "invalid patch format of retainKeys",
    ]);
  });
});

describe("errors worded as strategicpatch words them", () => {
  test("$patch: merge on a map", () => {
    const error = failure(`simpleMap: { a: "1" }`, yaml(`simpleMap: { $patch: merge, b: "2" }`));
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.internal,
      "unknown patch type: merge in map: map[$patch:merge b:2]",
    ]);
  });

  test("$patch: merge in a list", () => {
    const error = failure(`mergingList: [{ name: 1 }]`, yaml(`mergingList: [{ $patch: merge }]`));
    expect(error.message).toBe("merging lists cannot yet be specified in the patch");
  });

  test("an unknown directive in a list", () => {
    const error = failure(`mergingList: [{ name: 1 }]`, yaml(`mergingList: [{ name: 1, $patch: nope }]`));
    expect(error.message).toBe("unknown patch type: nope in map: map[$patch:nope name:1]");
  });

  test("an element without its merge key", () => {
    const error = failure(`mergingList: [{ name: 1 }]`, yaml(`mergingList: [{ value: x }]`));
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.internal,
      "map: map[value:x] does not contain declared merge key: name",
    ]);
  });

  test("a delete directive without its merge key", () => {
    const error = failure(`mergingList: [{ name: 1 }]`, yaml(`mergingList: [{ $patch: delete }]`));
    expect(error.message).toBe("map: map[$patch:delete] does not contain declared merge key: name");
  });

  test("patch items out of the $setElementOrder order", () => {
    const error = failure(
      `mergingList: [{ name: 1 }, { name: 2 }]`,
      yaml(
        `{ $setElementOrder/mergingList: [{ name: 1 }, { name: 2 }], mergingList: [{ name: 2 }, { name: 1 }] }`,
      ),
    );
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.internal,
      "the order in patch list:\n[map[name:2] map[name:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2]]",
    ]);
  });

  test("malformed parallel-list keys are 400s", () => {
    expect(failure(`mergingIntList: [1]`, yaml(`$deleteFromPrimitiveListmergingIntList: [1]`)).message).toBe(
      "invalid patch format of primitive list",
    );
    const error = failure(`mergingIntList: [1]`, yaml(`$setElementOrder: [1]`));
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.badRequest,
      "invalid patch format of setElementOrder list",
    ]);
  });

  test("lists of lists are a 422", () => {
    const error = failure(`mergingIntList: [[1]]`, yaml(`mergingIntList: [[2]]`));
    expect([error.kind, error.message]).toEqual([
      PatchErrorKinds.unprocessable,
      "lists of lists are not supported",
    ]);
  });

  test("mixed element types", () => {
    expect(failure(`mergingIntList: [1]`, yaml(`mergingIntList: [a]`)).message).toBe(
      "list element types are not identical: [[1] [a]]",
    );
  });

  test("a malformed patch strategy in the schema", () => {
    expect(failure(`badStrategyList: [1]`, yaml(`badStrategyList: [2]`)).message).toBe(
      "unexpected patch strategy: [merge replace]",
    );
  });

  test("a patch that is not an object is a 400; null is no change", () => {
    expect(failure(`name: a`, [1]).message).toBe(
      "json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
    expect(applyStrategicMergePatch({ name: "a" }, null, testSchema, mergeItem)).toEqual({ name: "a" });
  });
});

describe("safety", () => {
  test("inputs are left untouched", () => {
    const original = yaml(`{ mergingList: [{ name: 1, value: a }], simpleMap: { k: v } }`);
    const patch = yaml(`{ mergingList: [{ name: 1, value: b }], simpleMap: { $patch: replace } }`);
    const before = JSON.stringify([original, patch]);
    applyStrategicMergePatch(original, patch, testSchema, mergeItem);
    expect(JSON.stringify([original, patch])).toBe(before);
  });

  test("a __proto__ key is plain data", () => {
    const result = applyStrategicMergePatch(
      {},
      JSON.parse(`{"__proto__": {"polluted": true}}`) as JsonObject,
      testSchema,
      mergeItem,
    );
    expect(Object.keys(result)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});

describe("against the built-in Deployment schema", () => {
  const deploymentType = builtinSchema.rootType({ group: "apps", version: "v1", kind: "Deployment" })!;
  const deployment = (containers: JsonValue, volumes: JsonValue = []): JsonObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" } },
    spec: { template: { spec: { containers, volumes } } },
  });
  const containersOf = (object: JsonObject): JsonValue =>
    (((object["spec"] as JsonObject)["template"] as JsonObject)["spec"] as JsonObject)["containers"];

  test("containers merge by name and env by name", () => {
    const original = deployment([
      {
        name: "app",
        image: "app:1",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
      },
      { name: "sidecar", image: "side:1" },
    ]);
    const patch = {
      spec: {
        template: {
          spec: { containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "3" }] }] },
        },
      },
    };
    expect(containersOf(applyStrategicMergePatch(original, patch, builtinSchema, deploymentType))).toEqual([
      {
        name: "app",
        image: "app:2",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "3" },
        ],
      },
      { name: "sidecar", image: "side:1" },
    ]);
  });

  test("$setElementOrder/containers orders the containers", () => {
    const original = deployment([{ name: "a" }, { name: "b" }]);
    const patch = {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "b" }, { name: "c" }, { name: "a" }],
            containers: [{ name: "c", image: "c:1" }],
          },
        },
      },
    };
    expect(containersOf(applyStrategicMergePatch(original, patch, builtinSchema, deploymentType))).toEqual([
      { name: "b" },
      { name: "c", image: "c:1" },
      { name: "a" },
    ]);
  });

  test("volumes merge by name with retainKeys, labels merge, args replace", () => {
    const original = deployment(
      [{ name: "a", args: ["x", "y"] }],
      [
        { name: "data", emptyDir: {} },
        { name: "cfg", configMap: { name: "c" } },
      ],
    );
    const patch = {
      metadata: { labels: { tier: "web" } },
      spec: {
        template: {
          spec: {
            containers: [{ name: "a", args: ["z"] }],
            volumes: [{ name: "data", $retainKeys: ["name", "secret"], secret: { secretName: "s" } }],
          },
        },
      },
    };
    const result = applyStrategicMergePatch(original, patch, builtinSchema, deploymentType);
    expect(result["metadata"]).toEqual({ name: "web", labels: { app: "web", tier: "web" } });
    expect(((result["spec"] as JsonObject)["template"] as JsonObject)["spec"]).toEqual({
      containers: [{ name: "a", args: ["z"] }],
      volumes: [
        { name: "data", secret: { secretName: "s" } },
        { name: "cfg", configMap: { name: "c" } },
      ],
    });
  });

  test("ports merge by containerPort", () => {
    const original = deployment([
      { name: "a", ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }] },
    ]);
    const patch = {
      spec: {
        template: { spec: { containers: [{ name: "a", ports: [{ containerPort: 80, name: "web" }] }] } },
      },
    };
    expect(containersOf(applyStrategicMergePatch(original, patch, builtinSchema, deploymentType))).toEqual([
      { name: "a", ports: [{ containerPort: 80, name: "web" }, { containerPort: 443 }] },
    ]);
  });
});
