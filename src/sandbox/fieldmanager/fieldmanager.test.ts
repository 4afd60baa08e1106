import { describe, expect, it } from "vitest";
import { createdDeployment } from "./fixtures.test-helper.js";
import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import { ApiError } from "../api/status.js";
import { deploymentType, testSchema } from "../../kube/fieldpath/testschema.test-helper.js";
import type { FieldManagerContext, FieldManagerRequest } from "./fieldmanager.js";
import { applyConfiguration, updateManagedFields } from "./fieldmanager.js";
import { managerFromUserAgent, validateFieldManager } from "./useragent.js";

const context: FieldManagerContext = {
  schema: testSchema,
  type: deploymentType,
  gvk: { group: "apps", version: "v1", kind: "Deployment" },
  hasStatus: true,
};

const T1 = "2026-01-01T10:00:00Z";
const T2 = "2026-01-01T10:05:00Z";
const T3 = "2026-01-01T10:09:00Z";

function update(
  manager: string,
  time: string,
  extra: Partial<FieldManagerRequest> = {},
): FieldManagerRequest {
  return { manager, operation: "Update", apiVersion: "apps/v1", time, ...extra };
}

function apply(manager: string, time: string, extra: Partial<FieldManagerRequest> = {}): FieldManagerRequest {
  return { manager, operation: "Apply", apiVersion: "apps/v1", time, ...extra };
}

const created: KubeObject = createdDeployment;

function managedFieldsOf(object: KubeObject): readonly JsonObject[] {
  const metadata = object["metadata"] as JsonObject;
  return (metadata["managedFields"] ?? []) as readonly JsonObject[];
}

function withSpec(object: KubeObject, spec: JsonObject): KubeObject {
  return { ...object, spec: { ...(object["spec"] as JsonObject), ...spec } };
}

describe("Update operations", () => {
  const afterCreate = updateManagedFields(context, undefined, created, update("kubectl-create", T1));

  it("on create owns what differs from the Go zero value, with '.' where whole structs were added", () => {
    expect(managedFieldsOf(afterCreate)).toEqual([
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
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
        },
      },
    ]);
    // The wire JSON puts "." after the children, as SMD's serializer does.
    expect(JSON.stringify((managedFieldsOf(afterCreate)[0]["fieldsV1"] as JsonObject)["f:metadata"])).toBe(
      '{"f:labels":{"f:app":{},".":{}}}',
    );
  });

  it("moves a changed field to the editor and keeps the creator's time", () => {
    const edited = updateManagedFields(
      context,
      afterCreate,
      withSpec(afterCreate, { replicas: 3 }),
      update("kubectl-edit", T2),
    );
    const entries = managedFieldsOf(edited);
    expect(entries.map((entry) => [entry["manager"], entry["time"]])).toEqual([
      ["kubectl-create", T1],
      ["kubectl-edit", T2],
    ]);
    expect(entries[1]["fieldsV1"]).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(((entries[0]["fieldsV1"] as JsonObject)["f:spec"] as JsonObject)["f:replicas"]).toBeUndefined();
  });

  it("does not touch the entry or its time when nothing changed", () => {
    const same = updateManagedFields(context, afterCreate, afterCreate, update("kubectl-create", T3));
    expect(managedFieldsOf(same)).toEqual(managedFieldsOf(afterCreate));
  });

  it("removes deleted fields from every owner and never owns status on the main resource", () => {
    const next = {
      ...withSpec(afterCreate, { revisionHistoryLimit: undefined as never }),
      status: { replicas: 5 },
    };
    const cleaned = JSON.parse(JSON.stringify(next)) as KubeObject;
    const result = updateManagedFields(context, afterCreate, cleaned, update("kubectl-replace", T2));
    const entries = managedFieldsOf(result);
    expect(entries).toHaveLength(1);
    expect(
      ((entries[0]["fieldsV1"] as JsonObject)["f:spec"] as JsonObject)["f:revisionHistoryLimit"],
    ).toBeUndefined();
  });

  it("records /status writes with subresource status, owning only status", () => {
    const next = { ...afterCreate, status: { replicas: 1, observedGeneration: 1 } };
    const result = updateManagedFields(
      context,
      afterCreate,
      next,
      update("kube-controller-manager", T2, { subresource: "status" }),
    );
    expect(managedFieldsOf(result)[1]).toEqual({
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion: "apps/v1",
      time: T2,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:status": { "f:observedGeneration": {}, "f:replicas": {} } },
      subresource: "status",
    });
  });

  it("records /scale writes as owning spec.replicas on the parent", () => {
    const result = updateManagedFields(
      context,
      afterCreate,
      withSpec(afterCreate, { replicas: 4 }),
      update("kubectl", T2, { subresource: "scale" }),
    );
    const entries = managedFieldsOf(result);
    // A manager new to the parent gets no time: the scale handler keeps the parent's entry times.
    // Without a time the entry sorts first.
    expect(entries[0]).toEqual({
      manager: "kubectl",
      operation: "Update",
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      subresource: "scale",
    });
    expect(((entries[1]["fieldsV1"] as JsonObject)["f:spec"] as JsonObject)["f:replicas"]).toBeUndefined();
  });

  it("never records a time for a /scale write, even where the manager's entry had one", () => {
    const scaled = updateManagedFields(
      context,
      afterCreate,
      withSpec(afterCreate, { replicas: 4 }),
      update("kubectl", T2, { subresource: "scale" }),
    );
    const rescaled = updateManagedFields(
      context,
      scaled,
      withSpec(scaled, { replicas: 6 }),
      update("kubectl", T3, { subresource: "scale" }),
    );
    const scaleEntry = (object: KubeObject): JsonObject | undefined =>
      managedFieldsOf(object).find((entry) => entry["subresource"] === "scale");
    expect(scaleEntry(rescaled)).not.toHaveProperty("time");
    // A client may write managedFields itself (an Update that carries them): the entry then has a
    // time, which ScaleHandler.ToParent drops on the next /scale write (it looks the time up under
    // the Scale-side identifier, apiVersion autoscaling/v1, which no parent entry has).
    const stamped = managedFieldsOf(scaled).map((entry) =>
      entry["subresource"] === "scale" ? { ...entry, time: T2 } : entry,
    );
    const withTime = {
      ...scaled,
      metadata: { ...(scaled["metadata"] as JsonObject), managedFields: stamped },
    };
    expect(scaleEntry(withTime)).toHaveProperty("time", T2);
    const afterScale = updateManagedFields(
      context,
      withTime,
      withSpec(withTime, { replicas: 7 }),
      update("kubectl", T3, { subresource: "scale" }),
    );
    expect(scaleEntry(afterScale)).toEqual({
      manager: "kubectl",
      operation: "Update",
      apiVersion: "apps/v1",
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
      subresource: "scale",
    });
  });

  it("resets managedFields with [] and then stops tracking updates", () => {
    const reset = updateManagedFields(
      context,
      afterCreate,
      { ...afterCreate, metadata: { ...(afterCreate["metadata"] as JsonObject), managedFields: [] } },
      update("kubectl-edit", T2),
    );
    expect((reset["metadata"] as JsonObject)["managedFields"]).toBeUndefined();
    const later = updateManagedFields(
      context,
      reset,
      withSpec(reset, { replicas: 9 }),
      update("kubectl-edit", T3),
    );
    expect((later["metadata"] as JsonObject)["managedFields"]).toBeUndefined();
  });

  it("takes explicitly provided managedFields as they are", () => {
    const provided = [
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:spec": { "f:replicas": {} } },
      },
    ];
    const result = updateManagedFields(
      context,
      afterCreate,
      { ...afterCreate, metadata: { ...(afterCreate["metadata"] as JsonObject), managedFields: provided } },
      update("kubectl-client-side-apply", T2),
    );
    expect(managedFieldsOf(result)).toEqual(provided);
  });
});

const appliedConfig: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", finalizers: ["example.com/a"] },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "web", image: "nginx:1", ports: [{ containerPort: 80 }] }] },
    },
  },
};

describe("server-side apply", () => {
  const created1 = applyConfiguration(context, undefined, appliedConfig, apply("deployer", T1)).object;

  it("creates the object owned by the applier only", () => {
    expect(managedFieldsOf(created1)).toEqual([
      {
        manager: "deployer",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: T1,
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:finalizers": { 'v:"example.com/a"': {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"web"}': {
                    ".": {},
                    "f:image": {},
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
    ]);
    expect((created1["spec"] as JsonObject)["strategy"]).toEqual({});
    expect((created1["spec"] as JsonObject)["replicas"]).toBe(2);
  });

  it("removes a field the applier stops applying", () => {
    const specWithout = Object.fromEntries(
      Object.entries(appliedConfig["spec"] as JsonObject).filter(([key]) => key !== "replicas"),
    );
    const reapplied = applyConfiguration(
      context,
      created1,
      { ...appliedConfig, spec: specWithout },
      apply("deployer", T2),
    ).object;
    expect((reapplied["spec"] as JsonObject)["replicas"]).toBeUndefined();
    expect(
      ((managedFieldsOf(reapplied)[0]["fieldsV1"] as JsonObject)["f:spec"] as JsonObject)["f:replicas"],
    ).toBeUndefined();
  });

  it("keeps a dropped field that another manager also owns", () => {
    const shared = applyConfiguration(
      context,
      created1,
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 } },
      apply("other", T2),
    ).object;
    // "other" changed nothing, so its entry has no time and sorts first (time 0).
    expect(managedFieldsOf(shared).map((entry) => entry["manager"])).toEqual(["other", "deployer"]);
    const specWithout = Object.fromEntries(
      Object.entries(appliedConfig["spec"] as JsonObject).filter(([key]) => key !== "replicas"),
    );
    const reapplied = applyConfiguration(
      context,
      shared,
      { ...appliedConfig, spec: specWithout },
      apply("deployer", T3),
    ).object;
    expect((reapplied["spec"] as JsonObject)["replicas"]).toBe(2);
  });

  it("conflicts with an Update owner of a changed field, unless forced", () => {
    const edited = updateManagedFields(
      context,
      created1,
      withSpec(created1, { replicas: 5 }),
      update("kubectl-edit", T2),
    );
    let caught: unknown;
    try {
      applyConfiguration(context, edited, appliedConfig, apply("deployer", T3));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
      reason: "Conflict",
      details: {
        causes: [
          {
            reason: "FieldManagerConflict",
            message: 'conflict with "kubectl-edit" using apps/v1',
            field: ".spec.replicas",
          },
        ],
      },
      code: 409,
    });
    const forced = applyConfiguration(
      context,
      edited,
      appliedConfig,
      apply("deployer", T3, { force: true }),
    ).object;
    expect(managedFieldsOf(forced).map((entry) => entry["manager"])).toEqual(["deployer"]);
    expect((forced["spec"] as JsonObject)["replicas"]).toBe(2);
  });

  it("lists several conflicts grouped by manager", () => {
    const byEdit = updateManagedFields(
      context,
      created1,
      withSpec(created1, { replicas: 5 }),
      update("kubectl-edit", T2),
    );
    const byScale = applyConfiguration(
      context,
      byEdit,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", finalizers: ["example.com/a"] },
        spec: { selector: { matchLabels: { app: "x" } } },
      },
      apply("alpha", T2, { force: true }),
    ).object;
    expect(() => applyConfiguration(context, byScale, appliedConfig, apply("deployer", T3))).toThrow(
      'Apply failed with 2 conflicts: conflicts with "alpha":\n- .spec.selector\nconflicts with "kubectl-edit" using apps/v1:\n- .spec.replicas',
    );
  });

  it("lets two appliers share a field with an equal value", () => {
    const second = applyConfiguration(context, created1, appliedConfig, apply("second", T2));
    expect(second.changed).toBe(false);
    const entries = managedFieldsOf(second.object);
    expect(entries.map((entry) => [entry["manager"], entry["time"]])).toEqual([
      ["second", undefined],
      ["deployer", T1],
    ]);
    expect(entries[0]["fieldsV1"]).toEqual(entries[1]["fieldsV1"]);
  });

  it("merges set lists and map lists with the live object", () => {
    const merged = applyConfiguration(
      context,
      created1,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", finalizers: ["example.com/b"] },
        spec: { template: { spec: { containers: [{ name: "side", image: "busybox" }] } } },
      },
      apply("sidecar-injector", T2),
    ).object;
    expect((merged["metadata"] as JsonObject)["finalizers"]).toEqual(["example.com/a", "example.com/b"]);
    const containers = ((merged["spec"] as JsonObject)["template"] as JsonObject)["spec"] as JsonObject;
    expect((containers["containers"] as readonly JsonObject[]).map((container) => container["name"])).toEqual(
      ["web", "side"],
    );
  });

  it("rejects configurations the server rejects", () => {
    expect(() =>
      applyConfiguration(context, undefined, { ...appliedConfig, kind: "ReplicaSet" }, apply("x", T1)),
    ).toThrow("invalid object type: apps/v1, Kind=ReplicaSet");
    expect(() =>
      applyConfiguration(
        context,
        undefined,
        { ...appliedConfig, metadata: { name: "web", managedFields: [] } },
        apply("x", T1),
      ),
    ).toThrow("metadata.managedFields must be nil");
  });

  it("keeps a separate Update entry of the same manager name and conflicts with it", () => {
    const scaled = updateManagedFields(
      context,
      created1,
      withSpec(created1, { replicas: 7 }),
      update("deployer", T2, { subresource: "scale" }),
    );
    expect(() => applyConfiguration(context, scaled, appliedConfig, apply("deployer", T3))).toThrow(
      'Apply failed with 1 conflict: conflict with "deployer" with subresource "scale" using apps/v1: .spec.replicas',
    );
  });
});

describe("manager names", () => {
  it("takes the product token of the User-Agent", () => {
    expect(managerFromUserAgent("kubectl/v1.32.0 (linux/amd64) kubernetes/abcdef")).toBe("kubectl");
    expect(managerFromUserAgent("kubectl-edit")).toBe("kubectl-edit");
    expect(managerFromUserAgent("a\u0007b/1")).toBe("ab");
    expect(managerFromUserAgent("x".repeat(200))).toHaveLength(128);
    expect(managerFromUserAgent(undefined)).toBe("");
  });

  it("requires a manager for apply with kube-apiserver's 422", () => {
    expect(() => validateFieldManager(undefined, { isApply: true, optionsKind: "PatchOptions" })).toThrow(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    expect(() => validateFieldManager("ok", { isApply: true, optionsKind: "PatchOptions" })).not.toThrow();
  });
});
