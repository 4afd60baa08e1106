import { describe, expect, it } from "vitest";
import {
  displayPath,
  fieldPath,
  keyElement,
  pathToJsonPointer,
  serializeElement,
  valueElement,
} from "./element.js";
import { decodeFieldsV1, encodeFieldsV1 } from "./fieldsv1.js";
import { FieldSet } from "./set.js";
import { compareObjects, fieldSetOfObject } from "./typed.js";
import { mergeObjects, removeItems } from "./merge.js";
import { deploymentType, testSchema } from "./testschema.test-helper.js";

const containerKey = keyElement([{ name: "name", value: "web" }]);

describe("path elements", () => {
  it("serializes keys sorted and compact, values as Go JSON", () => {
    const port = keyElement([
      { name: "protocol", value: "TCP" },
      { name: "containerPort", value: 80 },
    ]);
    expect(serializeElement(port)).toBe('k:{"containerPort":80,"protocol":"TCP"}');
    expect(serializeElement(valueElement("a<b"))).toBe('v:"a\\u003cb"');
    expect(
      displayPath([
        ...fieldPath("spec", "template", "spec", "containers"),
        containerKey,
        ...fieldPath("image"),
      ]),
    ).toBe('.spec.template.spec.containers[name="web"].image');
    expect(displayPath([...fieldPath("spec", "ports"), port])).toBe(
      '.spec.ports[containerPort=80,protocol="TCP"]',
    );
    expect(displayPath([...fieldPath("metadata", "finalizers"), valueElement("x")])).toBe(
      '.metadata.finalizers[="x"]',
    );
  });

  it("turns keyed paths into JSON pointers against an object", () => {
    const object = {
      spec: { containers: [{ name: "side" }, { name: "web", image: "nginx" }] },
      metadata: { annotations: { "a/b": "1" } },
    };
    expect(
      pathToJsonPointer([...fieldPath("spec", "containers"), containerKey, ...fieldPath("image")], object),
    ).toBe("/spec/containers/1/image");
    expect(pathToJsonPointer(fieldPath("metadata", "annotations", "a/b"), object)).toBe(
      "/metadata/annotations/a~1b",
    );
    expect(
      pathToJsonPointer(
        [...fieldPath("spec", "containers"), keyElement([{ name: "name", value: "gone" }])],
        object,
      ),
    ).toBeUndefined();
  });
});

describe("FieldSet", () => {
  const a = FieldSet.of([
    fieldPath("spec", "replicas"),
    fieldPath("spec", "selector"),
    fieldPath("metadata", "labels", "app"),
  ]);
  const b = FieldSet.of([fieldPath("spec", "replicas"), fieldPath("status", "replicas")]);

  it("has set algebra", () => {
    expect(a.union(b).size).toBe(4);
    expect(a.intersection(b).paths()).toEqual([fieldPath("spec", "replicas")]);
    expect(a.difference(b).has(fieldPath("spec", "replicas"))).toBe(false);
    expect(a.difference(b).has(fieldPath("spec", "selector"))).toBe(true);
    expect(a.has(fieldPath("spec"))).toBe(false);
  });

  it("recursive difference drops everything under a member", () => {
    const withStatus = a.union(b);
    expect(withStatus.recursiveDifference(FieldSet.of([fieldPath("status")])).equals(a)).toBe(true);
    expect(
      withStatus.difference(FieldSet.of([fieldPath("status")])).has(fieldPath("status", "replicas")),
    ).toBe(true);
  });

  it("leaves exclude members that have children", () => {
    const set = FieldSet.of([
      [...fieldPath("c"), containerKey],
      [...fieldPath("c"), containerKey, ...fieldPath("image")],
    ]);
    expect(set.leaves().paths()).toEqual([[...fieldPath("c"), containerKey, ...fieldPath("image")]]);
  });
});

describe("FieldsV1", () => {
  it("encodes with '.' after the children and decodes back", () => {
    const set = FieldSet.of([
      fieldPath("metadata", "labels"),
      fieldPath("metadata", "labels", "app"),
      fieldPath("spec", "replicas"),
      [...fieldPath("spec", "template", "spec", "containers"), containerKey],
      [...fieldPath("spec", "template", "spec", "containers"), containerKey, ...fieldPath("name")],
      fieldPath("metadata", "finalizers"),
      [...fieldPath("metadata", "finalizers"), valueElement("b")],
      [...fieldPath("metadata", "finalizers"), valueElement("a")],
    ]);
    const encoded = encodeFieldsV1(set);
    expect(JSON.stringify(encoded)).toBe(
      '{"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{},".":{}},"f:labels":{"f:app":{},".":{}}},' +
        '"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{"f:name":{},".":{}}}}}}}',
    );
    expect(decodeFieldsV1(encoded).equals(set)).toBe(true);
    // Member keys sorted field < key < value < index, whatever the input order.
    expect(
      decodeFieldsV1({ "i:1": {}, "f:z": {}, "v:1": {}, "f:a": { ".": {}, "f:b": {} } })
        .paths()
        .map(displayPath),
    ).toEqual([".a", ".z", "[=1]", "[1]", ".a.b"]);
  });
});

describe("fieldSetOfObject", () => {
  it("owns leaves, list items, map entries, atomic nodes, empty and null struct fields", () => {
    const applied = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" }, finalizers: ["x"] },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          spec: {
            containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }] }],
            securityContext: {},
          },
        },
        strategy: null,
      },
    };
    const set = fieldSetOfObject(testSchema, deploymentType, applied);
    expect(set.paths().map(displayPath).sort()).toEqual(
      [
        ".apiVersion",
        ".kind",
        ".metadata.name",
        ".metadata.labels.app",
        '.metadata.finalizers[="x"]',
        ".spec.selector",
        ".spec.strategy",
        ".spec.template.spec.securityContext",
        '.spec.template.spec.containers[name="web"]',
        '.spec.template.spec.containers[name="web"].name',
        '.spec.template.spec.containers[name="web"].image',
        '.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
        '.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].containerPort',
      ].sort(),
    );
  });

  it("rejects keyed items without their key", () => {
    const object = { spec: { template: { spec: { containers: [{ image: "nginx" }] } } } };
    expect(() => fieldSetOfObject(testSchema, deploymentType, object)).toThrow(
      '.spec.template.spec.containers[0]: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
  });
});

describe("compareObjects", () => {
  it("marks whole added structs as added, null-to-value as children only", () => {
    const result = compareObjects(
      testSchema,
      deploymentType,
      { spec: { strategy: {}, selector: null, template: { spec: { containers: null } } } },
      {
        spec: {
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%" } },
          selector: { matchLabels: { a: "b" } },
          template: { spec: { containers: [{ name: "c" }] } },
        },
      },
    );
    expect(result.added.paths().map(displayPath).sort()).toEqual(
      [
        ".spec.strategy.type",
        ".spec.strategy.rollingUpdate",
        ".spec.strategy.rollingUpdate.maxSurge",
        '.spec.template.spec.containers[name="c"]',
        '.spec.template.spec.containers[name="c"].name',
      ].sort(),
    );
    expect(result.modified.paths().map(displayPath)).toEqual([".spec.selector"]);
    expect(result.removed.isEmpty()).toBe(true);
  });

  it("reports removed keys and changed atomic lists", () => {
    const result = compareObjects(
      testSchema,
      deploymentType,
      {
        metadata: { labels: { a: "1", b: "2" } },
        spec: { template: { spec: { containers: [{ name: "c", args: ["x"] }] } } },
      },
      {
        metadata: { labels: { a: "1" } },
        spec: { template: { spec: { containers: [{ name: "c", args: ["y"] }] } } },
      },
    );
    expect(result.removed.paths().map(displayPath)).toEqual([".metadata.labels.b"]);
    expect(result.modified.paths().map(displayPath)).toEqual([
      '.spec.template.spec.containers[name="c"].args',
    ]);
  });
});

describe("merge and removeItems", () => {
  it("merges map lists by key, set lists by value, replaces atomic nodes", () => {
    const live = {
      metadata: { finalizers: ["a", "b"], labels: { x: "1" } },
      spec: {
        selector: { matchLabels: { a: "1", b: "2" } },
        template: {
          spec: {
            containers: [
              { name: "side", image: "s" },
              { name: "web", image: "old", args: ["1", "2"] },
            ],
          },
        },
      },
    };
    const config = {
      metadata: { finalizers: ["c", "a"], labels: { y: "2" } },
      spec: {
        selector: { matchLabels: { a: "1" } },
        template: { spec: { containers: [{ name: "web", image: "new", args: ["3"] }] } },
      },
    };
    expect(mergeObjects(testSchema, deploymentType, live, config)).toEqual({
      metadata: { finalizers: ["c", "a", "b"], labels: { x: "1", y: "2" } },
      spec: {
        selector: { matchLabels: { a: "1" } },
        template: {
          spec: {
            containers: [
              { name: "side", image: "s" },
              { name: "web", image: "new", args: ["3"] },
            ],
          },
        },
      },
    });
  });

  it("removes members and drops containers it empties", () => {
    const object = { metadata: { labels: { a: "1" }, finalizers: ["x", "y"] }, spec: { replicas: 2 } };
    const toRemove = FieldSet.of([
      fieldPath("metadata", "labels", "a"),
      [...fieldPath("metadata", "finalizers"), valueElement("x")],
    ]);
    expect(removeItems(testSchema, deploymentType, object, toRemove)).toEqual({
      metadata: { finalizers: ["y"] },
      spec: { replicas: 2 },
    });
  });
});
