import { describe, expect, it } from "vitest";
import { customResourceStrategy, establishedStatus, strategyFor } from "./index.js";
import { storedForm, testContext } from "./test-context.js";
import { createSandboxCore, type SandboxCore } from "../sandbox.js";

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

describe("custom resources' x-kubernetes-validations through the API", () => {
  const token = "test-token";

  interface Answer {
    readonly status: number;
    // Responses are JSON of any shape; the tests read fields they know to be there.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly body: any;
  }

  function send(core: SandboxCore, method: string, url: string, body: unknown): Answer {
    const response = core.app.handle({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(body)),
    });
    if (response.kind !== "json") throw new Error(`expected a JSON response, got ${response.kind}`);
    return { status: response.status, body: response.body };
  }

  const gadgets = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "gadgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "gadgets", kind: "Gadget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  "x-kubernetes-validations": [
                    {
                      rule: "self.replicas <= self.maxReplicas",
                      message: "replicas must not exceed maxReplicas",
                    },
                  ],
                  properties: {
                    replicas: { type: "integer" },
                    maxReplicas: { type: "integer" },
                    storageClass: {
                      type: "string",
                      "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "is immutable" }],
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };

  function gadget(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
    return { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g", ...metadata }, spec };
  }

  it("refuses a create that breaks a rule and an update a transition rule refuses, with 422", () => {
    const core = createSandboxCore({ token, rootCA: "CA" });
    try {
      expect(
        send(core, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", gadgets).status,
      ).toBe(201);
      const url = "/apis/example.com/v1/namespaces/default/gadgets";
      expect(send(core, "POST", url, gadget({ replicas: 5, maxReplicas: 3 }))).toMatchObject({
        status: 422,
        body: {
          reason: "Invalid",
          message:
            'Gadget.example.com "g" is invalid: spec: Invalid value: "object": replicas must not exceed maxReplicas',
          details: {
            causes: [
              {
                reason: "FieldValueInvalid",
                message: 'Invalid value: "object": replicas must not exceed maxReplicas',
                field: "spec",
              },
            ],
          },
        },
      });
      const created = send(core, "POST", url, gadget({ replicas: 1, maxReplicas: 3, storageClass: "fast" }));
      expect(created.status).toBe(201);
      const resourceVersion = created.body.metadata.resourceVersion;
      expect(
        send(
          core,
          "PUT",
          `${url}/g`,
          gadget({ replicas: 2, maxReplicas: 3, storageClass: "slow" }, { resourceVersion }),
        ),
      ).toMatchObject({
        status: 422,
        body: {
          message:
            'Gadget.example.com "g" is invalid: spec.storageClass: Invalid value: "string": is immutable',
        },
      });
      expect(
        send(
          core,
          "PUT",
          `${url}/g`,
          gadget({ replicas: 2, maxReplicas: 3, storageClass: "fast" }, { resourceVersion }),
        ).status,
      ).toBe(200);
    } finally {
      core.close();
    }
  });

  it("refuses a CRD whose rule does not compile", () => {
    const core = createSandboxCore({ token, rootCA: "CA" });
    try {
      const broken = structuredClone(gadgets);
      broken.spec.versions[0].schema.openAPIV3Schema.properties.spec["x-kubernetes-validations"] = [
        { rule: "self.replicas <=", message: "broken" },
      ];
      const answer = send(core, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", broken);
      expect(answer.status).toBe(422);
      expect(answer.body.details.causes).toEqual([
        {
          reason: "FieldValueInvalid",
          message: expect.stringContaining("compilation failed: ERROR: <input>:1:17: Unexpected token: EOF"),
          field: "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule",
        },
      ]);
    } finally {
      core.close();
    }
  });
});
