import { describe, expect, it } from "vitest";
import { builtinSchema, definitionName } from "./builtin.js";
import { builtinEnums } from "./enums.js";
import type { SchemaType } from "./types.js";

const schema = builtinSchema;

/** Follows a path of struct field names from a kind's root. */
function fieldAt(root: SchemaType | undefined, ...path: string[]): SchemaType {
  if (root === undefined) throw new Error("no root type");
  let current = schema.resolve(root);
  for (const name of path) {
    if (current.kind === "list") current = schema.resolve(current.items);
    if (current.kind !== "struct") throw new Error(`${name}: not a struct but ${current.kind}`);
    const next = current.fields[name];
    if (next === undefined) throw new Error(`${name}: no such field`);
    current = schema.resolve(next);
  }
  return current;
}

const deployment = { group: "apps", version: "v1", kind: "Deployment" };
const service = { group: "", version: "v1", kind: "Service" };
const pod = { group: "", version: "v1", kind: "Pod" };

describe("builtinSchema", () => {
  it("maps kinds to their definitions through x-kubernetes-group-version-kind", () => {
    expect(definitionName(deployment)).toBe("io.k8s.api.apps.v1.Deployment");
    expect(definitionName(service)).toBe("io.k8s.api.core.v1.Service");
    expect(definitionName({ group: "autoscaling", version: "v1", kind: "Scale" })).toBe(
      "io.k8s.api.autoscaling.v1.Scale",
    );
    expect(definitionName({ group: "apps", version: "v1beta1", kind: "Deployment" })).toBeUndefined();
    expect(schema.rootType(deployment)).toEqual({ kind: "ref", name: "io.k8s.api.apps.v1.Deployment" });
    expect(schema.rootType({ group: "example.com", version: "v1", kind: "Widget" })).toBeUndefined();
  });

  it("knows containers as a map list keyed by name with patch merge key name", () => {
    const containers = fieldAt(schema.rootType(deployment), "spec", "template", "spec", "containers");
    expect(containers).toMatchObject({
      kind: "list",
      listType: "map",
      mapKeys: ["name"],
      patchStrategy: "merge",
      patchMergeKey: "name",
      items: { kind: "ref", name: "io.k8s.api.core.v1.Container" },
    });
  });

  it("keys Service ports by port and protocol, merging them by port", () => {
    expect(fieldAt(schema.rootType(service), "spec", "ports")).toMatchObject({
      kind: "list",
      listType: "map",
      mapKeys: ["port", "protocol"],
      patchMergeKey: "port",
    });
  });

  it("keeps atomic structs, sets and atomic lists", () => {
    expect(fieldAt(schema.rootType(deployment), "spec", "selector")).toMatchObject({
      kind: "struct",
      atomic: true,
    });
    expect(fieldAt(schema.rootType(pod), "metadata", "finalizers")).toEqual({
      kind: "list",
      listType: "set",
      patchStrategy: "merge",
      items: { kind: "scalar", scalar: "string" },
    });
    expect(fieldAt(schema.rootType(pod), "spec", "containers", "args")).toEqual({
      kind: "list",
      listType: "atomic",
      items: { kind: "scalar", scalar: "string" },
    });
  });

  it("recognises quantities, int-or-string, bytes, times and free-form objects", () => {
    const resources = fieldAt(schema.rootType(pod), "spec", "containers", "resources", "limits");
    expect(resources).toEqual({
      kind: "map",
      values: { kind: "ref", name: "io.k8s.apimachinery.pkg.api.resource.Quantity" },
    });
    expect(schema.resolve({ kind: "ref", name: "io.k8s.apimachinery.pkg.api.resource.Quantity" })).toEqual({
      kind: "scalar",
      scalar: "quantity",
    });
    expect(fieldAt(schema.rootType(service), "spec", "ports", "targetPort")).toEqual({
      kind: "scalar",
      scalar: "int-or-string",
    });
    expect(fieldAt(schema.rootType({ group: "", version: "v1", kind: "Secret" }), "data")).toEqual({
      kind: "map",
      values: { kind: "scalar", scalar: "bytes" },
    });
    expect(fieldAt(schema.rootType(pod), "metadata", "creationTimestamp")).toEqual({
      kind: "scalar",
      scalar: "time",
    });
    expect(fieldAt(schema.rootType(pod), "metadata", "managedFields", "fieldsV1")).toEqual({
      kind: "untyped",
    });
    const crd = { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition" };
    expect(fieldAt(schema.rootType(crd), "spec", "versions", "schema", "openAPIV3Schema", "default")).toEqual(
      { kind: "untyped" },
    );
    // JSONSchemaProps has a property named "description": slimming must not drop it.
    expect(
      fieldAt(schema.rootType(crd), "spec", "versions", "schema", "openAPIV3Schema", "description"),
    ).toEqual({
      kind: "scalar",
      scalar: "string",
    });
  });

  it("carries the enums of built-in fields that the v2 document lacks, on scalars and lists of scalars", () => {
    expect(fieldAt(schema.rootType(pod), "spec", "containers", "imagePullPolicy")).toEqual({
      kind: "scalar",
      scalar: "string",
      enum: ["Always", "IfNotPresent", "Never", ""],
    });
    expect(fieldAt(schema.rootType(service), "spec", "type")).toMatchObject({
      enum: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort", ""],
    });
    expect(fieldAt(schema.rootType(service), "spec", "ipFamilyPolicy")).toMatchObject({
      enum: ["PreferDualStack", "RequireDualStack", "SingleStack"],
    });
    expect(fieldAt(schema.rootType(deployment), "spec", "strategy", "type")).toMatchObject({
      enum: ["Recreate", "RollingUpdate", ""],
    });
    const pvc = { group: "", version: "v1", kind: "PersistentVolumeClaim" };
    expect(fieldAt(schema.rootType(pvc), "spec", "accessModes")).toEqual({
      kind: "list",
      listType: "atomic",
      items: {
        kind: "scalar",
        scalar: "string",
        enum: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"],
      },
    });
    const ingress = { group: "networking.k8s.io", version: "v1", kind: "Ingress" };
    expect(fieldAt(schema.rootType(ingress), "spec", "rules", "http", "paths", "pathType")).toMatchObject({
      enum: ["Exact", "ImplementationSpecific", "Prefix"],
    });
  });

  it("names only definitions and string fields the 1.32 schema has", () => {
    for (const [name, properties] of Object.entries(builtinEnums)) {
      const type = schema.resolve({ kind: "ref", name });
      if (type.kind !== "struct") throw new Error(`${name}: not a struct`);
      for (const property of Object.keys(properties)) {
        const field = type.fields[property];
        const scalar = field?.kind === "list" ? field.items : field;
        expect(scalar, `${name}.${property}`).toMatchObject({ kind: "scalar", scalar: "string" });
      }
    }
  });

  it("leaves fields without a closed set as they were", () => {
    expect(fieldAt(schema.rootType(pod), "spec", "containers", "image")).toEqual({
      kind: "scalar",
      scalar: "string",
    });
  });

  it("leaves unknown references untyped", () => {
    expect(schema.resolve({ kind: "ref", name: "io.example.Nothing" })).toEqual({ kind: "untyped" });
  });
});
