import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectlJson, kubectlOk, scratchDirectory } from "../../test/support/kubectl.js";
import { connectCluster } from "../cluster/index.js";
import type { ClusterWriter, ServedResource, WriteOptions } from "../cluster/types.js";
import { defaultEngineConfig } from "../engine/index.js";
import { startSandbox } from "../sandbox/index.js";
import type { RunningSandbox } from "../sandbox/index.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { applyPlan } from "./apply.js";
import { withRetries } from "./execute.js";
import { validatePlan } from "./validate.js";
import type { ApplyChange, Plan } from "./types.js";
import type { KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";

const scratch = scratchDirectory();
let sandbox: RunningSandbox;
let writer: ClusterWriter;
/** The applies sent, as `name force dryRun`. */
let sent: string[] = [];

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
  const real = cluster.writer;
  // The real writer, with a note of each apply it sends: how many requests a change costs.
  writer = {
    get: (resource, namespace, name) => real.get(resource, namespace, name),
    apply: (resource: ServedResource, object: KubeObject, options: WriteOptions) => {
      const name = String((object["metadata"] as Record<string, unknown>)["name"]);
      sent.push(`${name} force=${options.force === true} dryRun=${options.dryRun === true}`);
      return real.apply(resource, object, options);
    },
    jsonPatch: (resource, target, patch, options) => real.jsonPatch(resource, target, patch, options),
    delete: (resource, target, options) => real.delete(resource, target, options),
  };
});
afterAll(async () => {
  await sandbox.stop();
  scratch.remove();
});

/** A ConfigMap created by kubectl (kubectl-create owns a and b), and a change setting both, of which `fields` drifted. */
async function changeFor(name: string, fields: readonly string[]): Promise<ApplyChange> {
  await kubectlOk(sandbox, ["create", "configmap", name, "--from-literal=a=1", "--from-literal=b=2"]);
  const live = await kubectlJson(sandbox, ["get", "configmap", name, "--show-managed-fields"]);
  const resourceVersion = String((live["metadata"] as Record<string, unknown>)["resourceVersion"]);
  const ref: ObjectRef = { group: "", version: "v1", kind: "ConfigMap", namespace: "default", name };
  const body: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
    data: { a: "9", b: "8" },
  };
  return {
    action: "apply",
    ref,
    resourceVersion,
    body,
    fields,
    removals: [],
    desired: { ref, object: body, source: { file: "cm.yaml", line: 1 } },
    live,
  };
}

const retry = { attempts: 1, initialDelayMs: 0, sleep: async (): Promise<void> => {} };

function planOf(...changes: ApplyChange[]): Plan {
  return { cluster: "sandbox", changes, withheld: [], validated: false };
}

describe("validatePlan and applyPlan, one dry run and one write per drifted object", () => {
  it("reads what force takes over off one dry run; a conflict on a field that did not drift is the server's refusal", async () => {
    const plan = planOf(
      await changeFor("all-drifted", [".data.a", ".data.b"]),
      await changeFor("one-drifted", [".data.a"]),
    );
    sent = [];
    const validated = await validatePlan(plan, { writer, resourceFor: () => configMaps, retry });
    expect(validated.changes.map((change) => change.verdict)).toEqual([
      { ok: true, takesOver: [".data.a", ".data.b"] },
      {
        ok: false,
        code: 409,
        message:
          'Apply failed with 2 conflicts: conflicts with "kubectl-create" using v1:\n- .data.a\n- .data.b',
      },
    ]);
    // The second is asked again without force, so that the server names the conflicts itself.
    expect(sent.sort()).toEqual([
      "all-drifted force=true dryRun=true",
      "one-drifted force=false dryRun=true",
      "one-drifted force=true dryRun=true",
    ]);

    sent = [];
    const result = await applyPlan(validated, {
      writer,
      resourceFor: () => configMaps,
      retry,
      dryRun: false,
      schema: builtinSchema,
      config: defaultEngineConfig,
    });
    expect(result.outcomes.map(({ ref, status, forced }) => ({ name: ref.name, status, forced }))).toEqual([
      { name: "all-drifted", status: "applied", forced: [".data.a", ".data.b"] },
      { name: "one-drifted", status: "rejected", forced: undefined },
    ]);
    expect(sent).toEqual(["all-drifted force=true dryRun=false"]);
    expect((await kubectlJson(sandbox, ["get", "configmap", "all-drifted"]))["data"]).toEqual({
      a: "9",
      b: "8",
    });
    expect((await kubectlJson(sandbox, ["get", "configmap", "one-drifted"]))["data"]).toEqual({
      a: "1",
      b: "2",
    });
  });

  it("does not force what the dry run saw once the object moved on: it is planned again and asked without force", async () => {
    const plan = await validatePlan(planOf(await changeFor("moved", [".data.a", ".data.b"])), {
      writer,
      resourceFor: () => configMaps,
      retry,
    });
    expect(plan.changes[0]?.verdict).toEqual({ ok: true, takesOver: [".data.a", ".data.b"] });
    // A deployer adds a field the change does not set: not drift, but the object is not as judged.
    await kubectlOk(sandbox, [
      "patch",
      "configmap",
      "moved",
      "--field-manager=helm",
      "-p",
      '{"data":{"c":"3"}}',
    ]);
    sent = [];
    const result = await applyPlan(plan, {
      writer,
      resourceFor: () => configMaps,
      retry,
      dryRun: false,
      schema: builtinSchema,
      config: defaultEngineConfig,
    });
    expect(sent[0]).toBe("moved force=false dryRun=false");
    expect(result.outcomes[0]).toMatchObject({ status: "applied", replanned: true });
    expect((await kubectlJson(sandbox, ["get", "configmap", "moved"]))["data"]).toEqual({
      a: "9",
      b: "8",
      c: "3",
    });
  });

  it("waits before a retry at least as long as the server's 429 asks", async () => {
    const slept: number[] = [];
    const recorded = {
      attempts: 3,
      initialDelayMs: 100,
      sleep: (ms: number): Promise<void> => {
        slept.push(ms);
        return Promise.resolve();
      },
    };
    const body: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "busy", namespace: "default" },
    };
    sandbox.faults.set({ errorRate: { patch: 1 }, errorStatus: 429 });
    try {
      const { outcome } = await withRetries(recorded, () =>
        writer.apply(configMaps, body, { fieldManager: "kubedrift", dryRun: true }),
      );
      expect(outcome.ok === false && outcome.code).toBe(429);
    } finally {
      sandbox.faults.set({});
    }
    // Retry-After: 1 (second) over the backoff of 100 and 200 ms.
    expect(slept).toEqual([1000, 1000]);
  });
});
