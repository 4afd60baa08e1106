import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox } from "../sandbox/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { kubectlOk, scratchDirectory } from "../../test/support/kubectl.js";
import { connectCluster } from "./kube-cluster.js";
import type { ClusterWriter, ServedResource, WriteOutcome } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";

const scratch = scratchDirectory();
let sandbox: RunningSandbox;
let writer: ClusterWriter;

const configMaps: ServedResource = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  resource: "configmaps",
  namespaced: true,
  verbs: ["get", "list", "patch", "delete"],
};

beforeAll(async () => {
  sandbox = await startSandbox({ kubeconfigPath: join(scratch.path, "kubeconfig") });
  const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
  if (cluster.writer === undefined) throw new Error("a real cluster has a writer");
  writer = cluster.writer;
});
afterAll(async () => {
  await sandbox.stop();
  scratch.remove();
});

function configMap(name: string, data: Readonly<Record<string, string>>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data };
}

function objectOf(outcome: WriteOutcome): KubeObject {
  if (!outcome.ok) throw new Error(`write refused: ${outcome.code} ${outcome.message}`);
  return outcome.object;
}

function metadataOf(object: KubeObject | undefined): Record<string, unknown> {
  return (object?.["metadata"] ?? {}) as Record<string, unknown>;
}

function managers(object: KubeObject | undefined): string[] {
  const entries = (metadataOf(object)["managedFields"] ?? []) as readonly Record<string, unknown>[];
  return entries.map((entry) => `${String(entry["manager"])}/${String(entry["operation"])}`).sort();
}

describe("the cluster writer", () => {
  it("creates with server-side apply, and a dry run stores nothing", async () => {
    const dry = await writer.apply(configMaps, configMap("dry", { a: "1" }), {
      fieldManager: "kubedrift",
      dryRun: true,
    });
    expect(objectOf(dry)["data"]).toEqual({ a: "1" });
    expect(await writer.get(configMaps, "default", "dry")).toBeUndefined();

    const created = objectOf(
      await writer.apply(configMaps, configMap("made", { a: "1" }), { fieldManager: "kubedrift" }),
    );
    expect(created["data"]).toEqual({ a: "1" });
    const fetched = await writer.get(configMaps, "default", "made");
    expect(fetched?.["data"]).toEqual({ a: "1" });
    expect(managers(fetched)).toEqual(["kubedrift/Apply"]);
  });

  it("answers a conflict with 409 and one cause per field, and takes it over with force", async () => {
    await kubectlOk(sandbox, ["create", "configmap", "owned", "--from-literal=a=1", "--from-literal=b=2"]);
    const conflict = await writer.apply(configMaps, configMap("owned", { a: "9" }), {
      fieldManager: "kubedrift",
    });
    expect(conflict).toEqual({
      ok: false,
      code: 409,
      reason: "Conflict",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.a',
      causes: [
        {
          field: ".data.a",
          message: 'conflict with "kubectl-create" using v1',
          reason: "FieldManagerConflict",
        },
      ],
    });
    const forced = objectOf(
      await writer.apply(configMaps, configMap("owned", { a: "9" }), {
        fieldManager: "kubedrift",
        force: true,
      }),
    );
    expect(forced["data"]).toEqual({ a: "9", b: "2" });
  });

  it("removes a field with a JSON patch, guarded by a test", async () => {
    await kubectlOk(sandbox, ["create", "configmap", "patched", "--from-literal=a=1", "--from-literal=b=2"]);
    const target = { namespace: "default", name: "patched" };
    const stale = await writer.jsonPatch(
      configMaps,
      target,
      [
        { op: "test", path: "/data/b", value: "3" },
        { op: "remove", path: "/data/b" },
      ],
      { fieldManager: "kubedrift" },
    );
    expect(stale.ok ? 200 : stale.code).toBe(422);
    const removed = await writer.jsonPatch(
      configMaps,
      target,
      [
        { op: "test", path: "/data/b", value: "2" },
        { op: "remove", path: "/data/b" },
      ],
      { fieldManager: "kubedrift" },
    );
    expect(objectOf(removed)["data"]).toEqual({ a: "1" });
  });

  it("deletes only at the precondition's resourceVersion", async () => {
    await kubectlOk(sandbox, ["create", "configmap", "doomed", "--from-literal=a=1"]);
    const before = await writer.get(configMaps, "default", "doomed");
    const planned = String(metadataOf(before)["resourceVersion"]);
    await kubectlOk(sandbox, ["label", "configmap", "doomed", "changed=yes"]);
    const refused = await writer.delete(
      configMaps,
      { namespace: "default", name: "doomed", resourceVersion: planned },
      {},
    );
    expect(refused.ok ? 200 : refused.code).toBe(409);
    expect(await writer.get(configMaps, "default", "doomed")).toBeDefined();

    const now = String(metadataOf(await writer.get(configMaps, "default", "doomed"))["resourceVersion"]);
    const deleted = await writer.delete(
      configMaps,
      { namespace: "default", name: "doomed", resourceVersion: now },
      {},
    );
    expect(deleted.ok).toBe(true);
    expect(await writer.get(configMaps, "default", "doomed")).toBeUndefined();
  });

  it("passes on how long a 429 asks the client to wait", async () => {
    sandbox.faults.set({ errorRate: { patch: 1 }, errorStatus: 429 });
    try {
      const outcome = await writer.apply(configMaps, configMap("busy", { a: "1" }), {
        fieldManager: "kubedrift",
      });
      expect(
        outcome.ok === false && { code: outcome.code, retryAfterSeconds: outcome.retryAfterSeconds },
      ).toEqual({
        code: 429,
        retryAfterSeconds: 1,
      });
    } finally {
      sandbox.faults.set({});
    }
  });

  it("reports a server that cannot be reached as code 0, not an exception", async () => {
    const gone = await startSandbox({ kubeconfigPath: join(scratch.path, "gone-kubeconfig") });
    const cluster = connectCluster({ kubeconfig: gone.kubeconfigPath, env: {} });
    await gone.stop();
    const outcome = await cluster.writer?.apply(configMaps, configMap("x", {}), {
      fieldManager: "kubedrift",
    });
    expect(outcome?.ok === false && { code: outcome.code, reason: outcome.reason }).toEqual({
      code: 0,
      reason: "Unreachable",
    });
  });
});
