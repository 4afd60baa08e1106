import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlJson, kubectlOk, scratchDirectory } from "../../test/support/kubectl.js";
import { connectCluster } from "../cluster/index.js";
import type { ClusterWriter, ServedResource } from "../cluster/types.js";
import { defaultEngineConfig } from "../engine/index.js";
import { startSandbox } from "../sandbox/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { applyPlan } from "./apply.js";
import type { ApplyChange, Plan } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";

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

/** A ConfigMap created by kubectl (so kubectl-create owns a and b), and a hand-made apply change for it. */
async function changeFor(name: string, fields: readonly string[]): Promise<Plan> {
  await kubectlOk(sandbox, ["create", "configmap", name, "--from-literal=a=1", "--from-literal=b=2"]);
  const live = await kubectlJson(sandbox, ["get", "configmap", name]);
  const resourceVersion = String((live["metadata"] as Record<string, unknown>)["resourceVersion"]);
  const ref: ObjectRef = { group: "", version: "v1", kind: "ConfigMap", namespace: "default", name };
  const body: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
    data: { a: "9", b: "8" },
  };
  const change: ApplyChange = {
    action: "apply",
    ref,
    resourceVersion,
    body,
    fields,
    removals: [],
    desired: { ref, object: body, source: { file: "cm.yaml", line: 1 } },
  };
  return { cluster: "sandbox", changes: [change], withheld: [], validated: false };
}

function context() {
  return {
    writer,
    resourceFor: () => configMaps,
    retry: { attempts: 1, initialDelayMs: 0, sleep: async (): Promise<void> => {} },
    dryRun: false,
    schema: builtinSchema,
    config: defaultEngineConfig,
  };
}

describe("the force rule", () => {
  it("reports a conflict on a field that did not drift, and writes nothing", async () => {
    const result = await applyPlan(await changeFor("guarded", [".data.a"]), context());
    expect(result.outcomes.map(({ status, message }) => ({ status, message }))).toEqual([
      {
        status: "failed",
        message:
          'Apply failed with 2 conflicts: conflicts with "kubectl-create" using v1:\n- .data.a\n- .data.b',
      },
    ]);
    expect((await kubectlJson(sandbox, ["get", "configmap", "guarded"]))["data"]).toEqual({ a: "1", b: "2" });
  });

  it("takes over conflicting fields when every one of them drifted", async () => {
    const result = await applyPlan(await changeFor("taken", [".data.a", ".data.b"]), context());
    expect(result.outcomes.map(({ status, forced }) => ({ status, forced }))).toEqual([
      { status: "applied", forced: [".data.a", ".data.b"] },
    ]);
    expect((await kubectlJson(sandbox, ["get", "configmap", "taken"]))["data"]).toEqual({ a: "9", b: "8" });
  });
});
