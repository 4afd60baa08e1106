import { describe, expect, it } from "vitest";
import { builtinSchema } from "../kube/schema/builtin.js";
import { ownedByManager } from "./owned.js";
import { sparseBody } from "./sparse.js";
import type { KubeObject } from "../kube/value/json.js";

const desired: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
      },
    },
  },
};

/** Live, as the server keeps it after kubedrift applied replicas, the port (keyed with its defaulted protocol) and a label. */
const live: KubeObject = {
  ...desired,
  metadata: {
    name: "web",
    namespace: "shop",
    labels: { app: "web", tier: "front" },
    managedFields: [
      {
        manager: "kubedrift",
        operation: "Apply",
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:tier": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:template": {
              "f:spec": {
                "f:containers": {
                  'k:{"name":"web"}': {
                    ".": {},
                    "f:name": {},
                    "f:ports": {
                      'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
      {
        manager: "kubectl-set",
        operation: "Update",
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:template": { "f:spec": { "f:containers": { 'k:{"name":"web"}': { "f:image": {} } } } },
          },
        },
      },
    ],
  },
};

const ref = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };

describe("what kubedrift applied before", () => {
  it("keeps every field of its Apply entry that desired still sets, matching keys the server defaulted", () => {
    const owned = ownedByManager(desired, live, "kubedrift");
    expect([...owned.kept].sort()).toEqual([
      "/spec/replicas",
      "/spec/template/spec/containers/0/name",
      "/spec/template/spec/containers/0/ports/0/containerPort",
    ]);
    expect(owned.released).toEqual([".metadata.labels.tier"]);
  });

  it("sends the kept fields again beside the drifted ones; only the drifted ones may be forced", () => {
    const owned = ownedByManager(desired, live, "kubedrift");
    const { body, fields } = sparseBody(builtinSchema, ref, desired, {
      drifted: ["/spec/template/spec/containers/0/image"],
      kept: owned.kept,
    });
    expect(body).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
      spec: {
        replicas: 2,
        template: {
          spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    expect(fields).toEqual(['.spec.template.spec.containers[name="web"].image']);
  });

  it("is nothing for an object kubedrift never applied", () => {
    expect(ownedByManager(desired, desired, "kubedrift")).toEqual({ kept: [], released: [] });
  });
});
