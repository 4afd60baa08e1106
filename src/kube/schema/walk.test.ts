import { describe, expect, it } from "vitest";
import { builtinSchema } from "./builtin.js";
import { schemaFromCRDValidation, withCustomKinds } from "./crd.js";
import type { SchemaType } from "./types.js";
import { canonicalizeQuantities, pruneUnknownFields, unknownFields } from "./walk.js";

const deploymentType: SchemaType = { kind: "ref", name: "io.k8s.api.apps.v1.Deployment" };
const podType: SchemaType = { kind: "ref", name: "io.k8s.api.core.v1.Pod" };

const widget = schemaFromCRDValidation({
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        size: { type: "integer" },
        items: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
        extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { spec: { type: "object" } },
        },
      },
    },
  },
});
const schema = withCustomKinds(builtinSchema, new Map([["example.com/v1/Widget", widget]]));

describe("unknownFields", () => {
  it("reports unknown fields of a built-in kind as strict decoding spells them", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" }, colour: "blue" },
      spec: {
        replicas: 2,
        foo: 1,
        template: {
          spec: {
            containers: [
              { name: "a", image: "nginx", resources: { limits: { cpu: "1" } } },
              { name: "b", image: "nginx", requests: { cpu: "1" } },
            ],
          },
        },
      },
      status: null,
    };
    expect(unknownFields(schema, deploymentType, deployment)).toEqual([
      "metadata.colour",
      "spec.foo",
      "spec.template.spec.containers[1].requests",
    ]);
  });

  it("accepts anything under untyped values", () => {
    const pod = {
      metadata: { managedFields: [{ manager: "kubectl", fieldsV1: { "f:spec": { "f:anything": {} } } }] },
      spec: { containers: [] },
    };
    expect(unknownFields(schema, podType, pod)).toEqual([]);
  });

  it("honours preserve-unknown-fields and reports under embedded resources", () => {
    const object = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", bogus: true },
      spec: {
        size: 1,
        colour: "red",
        items: [{ name: "x" }, { name: "y", weight: 2 }],
        extra: { anything: { goes: [1] } },
        template: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p", nope: 1 },
          spec: { dropped: true },
          status: {},
        },
      },
      status: {},
    };
    expect(unknownFields(schema, widget, object)).toEqual([
      "metadata.bogus",
      "spec.colour",
      "spec.items[1].weight",
      "spec.template.metadata.nope",
      "spec.template.spec.dropped",
      "spec.template.status",
      "status",
    ]);
  });
});

describe("pruneUnknownFields", () => {
  it("drops what the structural schema does not declare", () => {
    const object = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", bogus: true },
      spec: { size: 1, colour: "red", items: [{ name: "y", weight: 2 }], extra: { anything: { goes: [1] } } },
      status: { ready: true },
    };
    expect(pruneUnknownFields(schema, widget, object)).toEqual({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 1, items: [{ name: "y" }], extra: { anything: { goes: [1] } } },
    });
  });
});

describe("canonicalizeQuantities", () => {
  it("rewrites quantity-typed values only", () => {
    const pod = {
      metadata: { name: "p", annotations: { note: "0.5" } },
      spec: {
        containers: [
          {
            name: "a",
            image: "0.5",
            resources: {
              requests: { cpu: "0.5", memory: 1024 },
              limits: { memory: "1.5Gi", cpu: "1000m", gpu: "bad" },
            },
          },
        ],
        overhead: { cpu: "2048Ki" },
      },
    };
    expect(canonicalizeQuantities(schema, podType, pod)).toEqual({
      metadata: { name: "p", annotations: { note: "0.5" } },
      spec: {
        containers: [
          {
            name: "a",
            image: "0.5",
            resources: {
              requests: { cpu: "500m", memory: "1024" },
              limits: { memory: "1536Mi", cpu: "1", gpu: "bad" },
            },
          },
        ],
        overhead: { cpu: "2Mi" },
      },
    });
  });
});
