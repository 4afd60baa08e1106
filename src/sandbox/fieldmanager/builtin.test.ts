import { describe, expect, it } from "vitest";
import { createdDeployment } from "./fixtures.test-helper.js";
import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { builtinSchema } from "../../kube/schema/builtin.js";
import { updateManagedFields } from "./fieldmanager.js";

const gvk = { group: "apps", version: "v1", kind: "Deployment" } as const;

describe("against the real apps/v1 Deployment schema", () => {
  it("reproduces kubectl create deployment's managedFields", () => {
    const type = builtinSchema.rootType(gvk);
    expect(type).toBeDefined();
    if (type === undefined) return;
    const created: KubeObject = createdDeployment;
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
