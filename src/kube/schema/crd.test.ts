import { describe, expect, it } from "vitest";
import { builtinSchema } from "./builtin.js";
import { crdVersionSchemas, schemaFromCRDValidation, withCRDs, withCustomKinds } from "./crd.js";

const cronTabSchema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["cronSpec"],
      properties: {
        cronSpec: { type: "string", pattern: "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$" },
        replicas: { type: "integer", default: 1, minimum: 1 },
        mode: { type: "string", enum: ["Fast", "Slow"] },
        port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
        memory: { "x-kubernetes-int-or-string": true, pattern: "^.*$" },
        ports: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
          items: {
            type: "object",
            properties: { containerPort: { type: "integer" }, protocol: { type: "string", default: "TCP" } },
          },
        },
        tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
        command: { type: "array", items: { type: "string" } },
        labels: {
          type: "object",
          additionalProperties: { type: "string" },
          "x-kubernetes-map-type": "atomic",
        },
        config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        settings: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { level: { type: "integer" } },
        },
        empty: { type: "object" },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          "x-kubernetes-preserve-unknown-fields": true,
        },
        selector: {
          type: "object",
          "x-kubernetes-map-type": "atomic",
          properties: { app: { type: "string" } },
        },
      },
    },
  },
};

describe("schemaFromCRDValidation", () => {
  const root = schemaFromCRDValidation(cronTabSchema);

  it("implies apiVersion, kind and an ObjectMeta at the root", () => {
    expect(root.fields["apiVersion"]).toEqual({ kind: "scalar", scalar: "string" });
    expect(root.fields["kind"]).toEqual({ kind: "scalar", scalar: "string" });
    expect(root.fields["metadata"]).toEqual({
      kind: "ref",
      name: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    });
    expect(root.preserveUnknownFields).toBeUndefined();
  });

  it("converts the structural schema", () => {
    const spec = root.fields["spec"];
    if (spec?.kind !== "struct") throw new Error("spec is not a struct");
    expect(spec.required).toEqual(["cronSpec"]);
    expect(spec.fields).toEqual({
      cronSpec: { kind: "scalar", scalar: "string" },
      replicas: { kind: "scalar", scalar: "integer", default: 1 },
      mode: { kind: "scalar", scalar: "string", enum: ["Fast", "Slow"] },
      port: { kind: "scalar", scalar: "int-or-string" },
      memory: { kind: "scalar", scalar: "int-or-string" },
      ports: {
        kind: "list",
        listType: "map",
        mapKeys: ["containerPort", "protocol"],
        items: {
          kind: "struct",
          fields: {
            containerPort: { kind: "scalar", scalar: "integer" },
            protocol: { kind: "scalar", scalar: "string", default: "TCP" },
          },
        },
      },
      tags: { kind: "list", listType: "set", items: { kind: "scalar", scalar: "string" } },
      command: { kind: "list", listType: "atomic", items: { kind: "scalar", scalar: "string" } },
      labels: { kind: "map", atomic: true, values: { kind: "scalar", scalar: "string" } },
      config: { kind: "untyped" },
      settings: {
        kind: "struct",
        preserveUnknownFields: true,
        fields: { level: { kind: "scalar", scalar: "integer" } },
      },
      // A structural object without properties keeps no fields at all.
      empty: { kind: "struct", fields: {} },
      template: {
        kind: "struct",
        embeddedResource: true,
        preserveUnknownFields: true,
        fields: {
          apiVersion: { kind: "scalar", scalar: "string" },
          kind: { kind: "scalar", scalar: "string" },
          metadata: { kind: "ref", name: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
        },
      },
      selector: { kind: "struct", atomic: true, fields: { app: { kind: "scalar", scalar: "string" } } },
    });
  });

  it("keeps every field when there is no schema or the root preserves unknown fields", () => {
    expect(schemaFromCRDValidation(undefined).preserveUnknownFields).toBe(true);
    const preserved = schemaFromCRDValidation({
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    expect(preserved.preserveUnknownFields).toBe(true);
    expect(Object.keys(preserved.fields)).toEqual(["apiVersion", "kind", "metadata"]);
  });
});

describe("withCustomKinds", () => {
  it("answers for custom kinds and falls back to the base", () => {
    const gvk = { group: "stable.example.com", version: "v1", kind: "CronTab" };
    const root = schemaFromCRDValidation(cronTabSchema);
    const schema = withCustomKinds(builtinSchema, new Map([["stable.example.com/v1/CronTab", root]]));
    expect(schema.rootType(gvk)).toBe(root);
    expect(schema.rootType({ ...gvk, version: "v2" })).toBeUndefined();
    expect(schema.rootType({ group: "apps", version: "v1", kind: "Deployment" })).toEqual({
      kind: "ref",
      name: "io.k8s.api.apps.v1.Deployment",
    });
    expect(schema.resolve(root.fields["metadata"])).toMatchObject({ kind: "struct" });
  });
});

describe("crdVersionSchemas", () => {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      names: { kind: "Widget", plural: "widgets" },
      scope: "Namespaced",
      versions: [
        { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } },
        { name: "v1beta1", served: false, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
        { name: "v1alpha1", served: true, storage: false },
      ],
    },
  };

  it("reads served versions only, as kube-apiserver serves and publishes them", () => {
    expect(crdVersionSchemas(crd)).toEqual([
      ["example.com/v1/Widget", { type: "object" }],
      ["example.com/v1alpha1/Widget", undefined],
    ]);
  });

  it("types the served versions and leaves the others to the base", () => {
    const schema = withCRDs(builtinSchema, [crd]);
    expect(schema.rootType({ group: "example.com", version: "v1", kind: "Widget" })).toBeDefined();
    expect(schema.rootType({ group: "example.com", version: "v1beta1", kind: "Widget" })).toBeUndefined();
  });
});
