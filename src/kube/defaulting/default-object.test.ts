import { describe, expect, it } from "vitest";
import { defaultObject, hasBuiltinDefaults } from "./index.js";

describe("defaultObject", () => {
  it("applies SetDefaults_Service to a built-in kind", () => {
    const service = { metadata: { name: "web" }, spec: { ports: [{ port: 80 }] } };
    expect(defaultObject({ group: "", version: "v1", kind: "Service" }, service)).toEqual({
      metadata: { name: "web" },
      spec: {
        ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
        sessionAffinity: "None",
        type: "ClusterIP",
        internalTrafficPolicy: "Cluster",
      },
    });
  });

  it("leaves a kind without defaults unchanged", () => {
    const lease = { metadata: { name: "holder" }, spec: {} };
    const gvk = { group: "coordination.k8s.io", version: "v1", kind: "Lease" };
    expect(hasBuiltinDefaults(gvk)).toBe(false);
    expect(defaultObject(gvk, lease)).toBe(lease);
  });

  it("applies a CRD schema's defaults, never to metadata", () => {
    const schema = {
      type: "object",
      properties: {
        metadata: { type: "object", properties: { name: { type: "string", default: "x" } } },
        spec: { type: "object", properties: { size: { type: "integer", default: 3 } } },
      },
    };
    const widget = { metadata: {}, spec: {} };
    expect(defaultObject({ group: "example.com", version: "v1", kind: "Widget" }, widget, schema)).toEqual({
      metadata: {},
      spec: { size: 3 },
    });
  });
});
