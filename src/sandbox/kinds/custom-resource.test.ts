import { describe, expect, it } from "vitest";
import { customResourceStrategy, establishedStatus, strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";

const crd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural: "widgets", kind: "Widget" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: {
          status: {},
          scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
        },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "string", enum: ["small", "large"] },
                  replicas: { type: "integer", minimum: 0, default: 1 },
                  tuning: {
                    type: "object",
                    default: {},
                    properties: { level: { type: "integer", default: 3 } },
                  },
                  ports: {
                    type: "array",
                    items: { type: "object", properties: { protocol: { type: "string", default: "TCP" } } },
                  },
                },
              },
              status: { type: "object", properties: { replicas: { type: "integer" } } },
            },
          },
        },
      },
    ],
  },
};

describe("CustomResourceDefinition", () => {
  it("defaults names and conversion and is established at once", () => {
    const strategy = strategyFor("apiextensions.k8s.io", "CustomResourceDefinition");
    const defaulted = storedForm(strategy, crd, undefined, testContext());
    expect(defaulted["spec"]).toMatchObject({
      names: { plural: "widgets", kind: "Widget", singular: "widget", listKind: "WidgetList" },
      conversion: { strategy: "None" },
    });
    expect(establishedStatus(defaulted, new Date("2026-11-22T12:00:00.123Z"))).toEqual({
      acceptedNames: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      conditions: [
        {
          lastTransitionTime: "2026-11-22T12:00:00Z",
          message: "no conflicts found",
          reason: "NoConflicts",
          status: "True",
          type: "NamesAccepted",
        },
        {
          lastTransitionTime: "2026-11-22T12:00:00Z",
          message: "the initial names have been accepted",
          reason: "InitialNamesAccepted",
          status: "True",
          type: "Established",
        },
      ],
      storedVersions: ["v1"],
    });
    expect(strategy.validate(defaulted, undefined)).toEqual([]);
    // The controllers' status is written after the field manager; decoding sets none.
    expect(strategy.applyDefaults(crd, undefined, testContext())).not.toHaveProperty("status");
    expect(defaulted["status"]).toMatchObject({ storedVersions: ["v1"] });
  });

  it("requires the name to be plural.group", () => {
    const strategy = strategyFor("apiextensions.k8s.io", "CustomResourceDefinition");
    const wrong = { ...crd, metadata: { name: "widget.example.com" } };
    expect(strategy.validate(wrong, undefined)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group',
        field: "metadata.name",
      },
    ]);
  });
});

describe("custom resources", () => {
  const strategy = customResourceStrategy(crd, "v1");

  it("takes status and scale from the CRD version and tracks generation", () => {
    expect(strategy.gvk).toEqual({ group: "example.com", version: "v1", kind: "Widget" });
    expect(strategy.hasStatus).toBe(true);
    expect(strategy.tracksGeneration).toBe(true);
    expect(strategy.scale).toEqual({
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
    });
  });

  it("applies schema defaults at any depth, inside defaulted objects and list items, and drops status on create", () => {
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: "small", ports: [{}, { protocol: "UDP" }] },
      status: { replicas: 9 },
    };
    expect(storedForm(strategy, widget, undefined, testContext())).toEqual({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: {
        size: "small",
        replicas: 1,
        tuning: { level: 3 },
        ports: [{ protocol: "TCP" }, { protocol: "UDP" }],
      },
    });
    // Decoding keeps the status; PrepareForCreate drops it, and PrepareForUpdate leaves it to the caller.
    expect(strategy.applyDefaults(widget, undefined, testContext())["status"]).toEqual({ replicas: 9 });
    expect(strategy.prepare(widget, widget, testContext())).toEqual(widget);
  });

  it("reports required fields, types, enums and minimums with the server's messages", () => {
    const widget = { metadata: { name: "w" }, spec: { replicas: -1, tuning: { level: "high" } } };
    expect(strategy.validate(widget, undefined)).toEqual([
      { reason: "FieldValueRequired", message: "Required value", field: "spec.size" },
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
        field: "spec.replicas",
      },
      {
        reason: "FieldValueTypeInvalid",
        message: 'Invalid value: "string": spec.tuning.level in body must be of type integer: "string"',
        field: "spec.tuning.level",
      },
    ]);
    expect(strategy.validate({ metadata: { name: "w" }, spec: { size: "huge" } }, undefined)).toEqual([
      {
        reason: "FieldValueNotSupported",
        message: 'Unsupported value: "huge": supported values: "small", "large"',
        field: "spec.size",
      },
    ]);
  });

  it("treats a CRD without the version as schemaless", () => {
    const unknown = customResourceStrategy(crd, "v2");
    expect(unknown.hasStatus).toBe(false);
    expect(
      storedForm(unknown, { metadata: { name: "w" }, spec: { a: 1 } }, undefined, testContext()),
    ).toEqual({
      metadata: { name: "w" },
      spec: { a: 1 },
    });
  });
});
