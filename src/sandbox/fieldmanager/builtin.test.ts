import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../api/json.js";
import { builtinSchema } from "../../schema/builtin.js";
import { updateManagedFields } from "./fieldmanager.js";

const gvk = { group: "apps", version: "v1", kind: "Deployment" } as const;

describe("against the real apps/v1 Deployment schema", () => {
  it("reproduces kubectl create deployment's managedFields", () => {
    const type = builtinSchema.rootType(gvk);
    expect(type).toBeDefined();
    if (type === undefined) return;
    const created: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default", labels: { app: "web" }, creationTimestamp: null },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "web" } },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "nginx",
                resources: {},
                terminationMessagePath: "/dev/termination-log",
                terminationMessagePolicy: "File",
                imagePullPolicy: "Always",
              },
            ],
            restartPolicy: "Always",
            terminationGracePeriodSeconds: 30,
            dnsPolicy: "ClusterFirst",
            securityContext: {},
            schedulerName: "default-scheduler",
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    };
    const context = { schema: builtinSchema, type, gvk, hasStatus: true };
    const result = updateManagedFields(context, undefined, created, {
      manager: "kubectl-create",
      operation: "Update",
      apiVersion: "apps/v1",
      time: "2026-01-01T00:00:00Z",
    });
    const entry = ((result["metadata"] as JsonObject)["managedFields"] as readonly JsonObject[])[0];
    expect(entry["fieldsV1"]).toEqual({
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:progressDeadlineSeconds": {},
        "f:replicas": {},
        "f:revisionHistoryLimit": {},
        "f:selector": {},
        "f:strategy": {
          "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} },
          "f:type": {},
        },
        "f:template": {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:image": {},
                "f:imagePullPolicy": {},
                "f:name": {},
                "f:resources": {},
                "f:terminationMessagePath": {},
                "f:terminationMessagePolicy": {},
              },
            },
            "f:dnsPolicy": {},
            "f:restartPolicy": {},
            "f:schedulerName": {},
            "f:securityContext": {},
            "f:terminationGracePeriodSeconds": {},
          },
        },
      },
    });
  });
});
