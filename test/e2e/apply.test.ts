/**
 * plan and apply end to end: manifests applied to the sandbox with the real kubectl, changed with
 * real kubectl commands, then planned, dry-run validated and applied through the remediation API
 * (the CLI commands wrap it), and checked with the built `kubedrift diff` and kubectl.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultEngineConfig } from "../../src/engine/index.js";
import type { EngineConfig } from "../../src/engine/index.js";
import {
  applyExitCode,
  applyPlan,
  renderApplyResult,
  renderPlan,
  validatePlan,
} from "../../src/remediate/index.js";
import type { ApplyResult, PlanOptions } from "../../src/remediate/index.js";
import { startSandbox } from "../../src/sandbox/index.js";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import type { JsonObject } from "../../src/kube/value/json.js";
import { kubectlJson, kubectlOk, runKubectl, scratchDirectory } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import type { Compared } from "../support/remediation.js";
import { applyCompared, contextOf, deploy as deployManifests, planFor } from "../support/remediation.js";

const scratch = scratchDirectory();
let sandbox: RunningSandbox;
/** Fault injection decides with this: tests set a sequence to make injected failures predictable. */
let nextRandom: () => number = () => 0.99;

beforeAll(async () => {
  sandbox = await startSandbox({
    kubeconfigPath: join(scratch.path, "kubeconfig"),
    random: () => nextRandom(),
  });
});
afterAll(async () => {
  await sandbox.stop();
  scratch.remove();
});

const deploy = (namespace: string, text?: string): Promise<string> =>
  deployManifests(sandbox, scratch.path, namespace, text);
const plan = (
  namespace: string,
  options: Partial<PlanOptions> = {},
  config: EngineConfig = defaultEngineConfig,
): Promise<Compared> => planFor(sandbox, namespace, options, config);
const apply = applyCompared;

async function diffExitCode(directory: string): Promise<{ code: number; stdout: string }> {
  const result = await runKubedrift(["diff", "-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath], {
    cwd: directory,
  });
  return { code: result.code, stdout: result.stdout + result.stderr };
}

function summaryOf(result: ApplyResult): string {
  return result.outcomes
    .map((outcome) => `${outcome.status} ${outcome.action} ${outcome.ref.kind}/${outcome.ref.name}`)
    .join("\n");
}

function managedBy(object: JsonObject, manager: string): readonly JsonObject[] {
  const metadata = object["metadata"] as JsonObject;
  return (metadata["managedFields"] as readonly JsonObject[]).filter((entry) => entry["manager"] === manager);
}

describe("kubedrift apply", () => {
  it("puts back scale, image and labels, owning exactly the corrected fields", async () => {
    const directory = await deploy("fix");
    await kubectlOk(sandbox, ["-n", "fix", "scale", "deployment/web", "--replicas=5"]);
    await kubectlOk(sandbox, ["-n", "fix", "set", "image", "deployment/web", "web=nginx:1.28"]);
    await kubectlOk(sandbox, [
      "-n",
      "fix",
      "label",
      "deployment/web",
      "team=ops",
      "hotfix=yes",
      "--overwrite",
    ]);
    expect((await diffExitCode(directory)).code).toBe(2);

    const planned = await plan("fix");
    const validated = await validatePlan(planned.plan, contextOf(planned));
    expect(validated.changes.length).toBe(1);
    const change = validated.changes[0];
    expect(change?.action).toBe("apply");
    if (change?.action !== "apply") return;
    expect(change.body).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "fix", labels: { team: "shop" } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } },
    });
    expect(change.removals).toEqual([
      { op: "test", path: "/metadata/labels/hotfix", value: "yes" },
      { op: "remove", path: "/metadata/labels/hotfix" },
    ]);
    expect(change.verdict).toEqual({
      ok: true,
      takesOver: [
        ".metadata.labels.team",
        ".spec.replicas",
        '.spec.template.spec.containers[name="web"].image',
      ],
    });
    expect(renderPlan(validated, "text")).toContain(
      "~ Deployment fix/web: server-side apply of the drifted fields  [dry run: ok, takes over",
    );

    const result = await apply({ ...planned, plan: validated });
    expect(summaryOf(result)).toBe("applied apply Deployment/web");
    expect(result.outcomes[0]?.forced).toEqual([
      ".metadata.labels.team",
      ".spec.replicas",
      '.spec.template.spec.containers[name="web"].image',
    ]);
    expect(applyExitCode(result)).toBe(0);
    expect(renderApplyResult(result, "text")).toContain(
      "Apply: 1 applied, 0 unchanged, 0 skipped, 0 failed.",
    );

    expect(await diffExitCode(directory)).toEqual({ code: 0, stdout: expect.any(String) as unknown });
    const live = await kubectlJson(sandbox, ["-n", "fix", "get", "deployment", "web"]);
    const spec = live["spec"] as JsonObject;
    expect(spec["replicas"]).toBe(2);
    expect(
      ((((spec["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[])[0] ?? {})[
        "image"
      ],
    ).toBe("nginx:1.27");
    expect((live["metadata"] as JsonObject)["labels"]).toEqual({ app: "web", team: "shop" });
    expect(managedBy(live, "kubedrift").map((entry) => [entry["operation"], entry["fieldsV1"]])).toEqual([
      [
        "Apply",
        {
          "f:metadata": { "f:labels": { "f:team": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:template": {
              "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } },
            },
          },
        },
      ],
    ]);
    // A second plan has nothing left to do.
    expect((await plan("fix")).plan.changes).toEqual([]);
  });

  it("creates a missing Service, and deletes an extra ConfigMap only with prune", async () => {
    const directory = await deploy("gaps");
    await kubectlOk(sandbox, ["-n", "gaps", "delete", "service", "web"]);
    await kubectlOk(sandbox, ["-n", "gaps", "create", "configmap", "leftover", "--from-literal=a=1"]);

    const first = await plan("gaps");
    expect(
      first.plan.changes.map((change) => `${change.action} ${change.ref.kind}/${change.ref.name}`),
    ).toEqual(["create Service/web"]);
    expect(first.plan.withheld.map((item) => `${item.ref.kind}/${item.ref.name}: ${item.reason}`)).toEqual([
      "ConfigMap/leftover: extra: not deleted without --prune",
    ]);
    expect(summaryOf(await apply(first))).toBe("applied create Service/web");
    await kubectlOk(sandbox, ["-n", "gaps", "get", "service", "web"]);
    expect((await runKubectl(sandbox, ["-n", "gaps", "get", "configmap", "leftover"])).code).toBe(0);

    const pruned = await plan("gaps", { prune: true });
    expect(
      pruned.plan.changes.map((change) => `${change.action} ${change.ref.kind}/${change.ref.name}`),
    ).toEqual(["delete ConfigMap/leftover"]);
    expect(summaryOf(await apply(pruned))).toBe("applied delete ConfigMap/leftover");
    expect((await runKubectl(sandbox, ["-n", "gaps", "get", "configmap", "leftover"])).code).toBe(1);
    expect((await diffExitCode(directory)).code).toBe(0);
  });

  it("creates a whole app in a new namespace, the Namespace first; --only limits what is written", async () => {
    const planned = await plan("fresh");
    expect(
      planned.plan.changes.map((change) => `${change.action} ${change.ref.kind}/${change.ref.name}`),
    ).toEqual([
      "create Namespace/fresh",
      "create ConfigMap/web-config",
      "create Deployment/web",
      "create Service/web",
    ]);
    const validated = await validatePlan(planned.plan, contextOf(planned));
    expect(validated.changes.map((change) => change.verdict)).toEqual([
      { ok: true, takesOver: [] },
      { ok: true, takesOver: [], note: "not validated: namespace fresh is created first" },
      { ok: true, takesOver: [], note: "not validated: namespace fresh is created first" },
      { ok: true, takesOver: [], note: "not validated: namespace fresh is created first" },
    ]);
    const limited = await applyPlan(validated, {
      ...contextOf(planned),
      dryRun: false,
      schema: await planned.cluster.schema(),
      config: planned.config,
      only: ["Namespace/fresh", "configmap/fresh/web-config"],
    });
    expect(summaryOf(limited)).toBe(
      [
        "skipped create Deployment/web",
        "skipped create Service/web",
        "applied create Namespace/fresh",
        "applied create ConfigMap/web-config",
      ].join("\n"),
    );
    expect(summaryOf(await apply(await plan("fresh")))).toBe(
      ["applied create Deployment/web", "applied create Service/web"].join("\n"),
    );
    expect((await plan("fresh")).plan.changes).toEqual([]);
  });

  it("re-plans an object that changed between plan and apply, keeping the other writer's change", async () => {
    await deploy("race");
    await kubectlOk(sandbox, ["-n", "race", "scale", "deployment/web", "--replicas=7"]);
    const config: EngineConfig = { ...defaultEngineConfig, trustedManagers: ["release-bot"] };
    const planned = await plan("race", {}, config);
    expect(planned.plan.changes.map((change) => change.action)).toEqual(["apply"]);

    // Another writer, between plan and apply: an unrelated annotation.
    await kubectlOk(sandbox, [
      "-n",
      "race",
      "annotate",
      "deployment/web",
      "release=42",
      "--field-manager=release-bot",
    ]);
    const result = await apply(planned);
    expect(result.outcomes).toEqual([
      {
        ref: expect.objectContaining({ kind: "Deployment", name: "web" }) as unknown,
        action: "apply",
        status: "applied",
        replanned: true,
        forced: [".spec.replicas"],
      },
    ]);
    const live = await kubectlJson(sandbox, ["-n", "race", "get", "deployment", "web"]);
    expect(((live["metadata"] as JsonObject)["annotations"] as JsonObject)["release"]).toBe("42");
    expect((live["spec"] as JsonObject)["replicas"]).toBe(2);
  });

  it("skips an object that is back in sync by apply time instead of reporting a write", async () => {
    await deploy("healed");
    await kubectlOk(sandbox, ["-n", "healed", "scale", "deployment/web", "--replicas=4"]);
    const planned = await plan("healed");
    await kubectlOk(sandbox, ["-n", "healed", "scale", "deployment/web", "--replicas=2"]);
    const result = await apply(planned);
    expect(summaryOf(result)).toBe("skipped apply Deployment/web");
    expect(result.outcomes[0]?.message).toBe("changed since the plan, and now in sync");
  });

  it("reports failed writes under injected 5xx, exits 1, and converges on a second apply", async () => {
    const names = ["a", "b", "c", "d", "e", "f"];
    await deploy("faulty");
    for (const name of names) {
      await kubectlOk(sandbox, [
        "-n",
        "faulty",
        "create",
        "configmap",
        `extra-${name}`,
        "--from-literal=a=1",
      ]);
    }
    await kubectlOk(sandbox, ["-n", "faulty", "scale", "deployment/web", "--replicas=6"]);
    await kubectlOk(sandbox, ["-n", "faulty", "delete", "service", "web"]);
    await kubectlOk(sandbox, ["-n", "faulty", "label", "configmap", "web-config", "hotfix=1"]);
    const planned = await plan("faulty", { prune: true });
    expect(planned.plan.changes.length).toBe(3 + names.length);

    let calls = 0;
    // Every other PATCH and DELETE fails with 500: no write is retried here, so failures surface.
    nextRandom = () => (calls++ % 2 === 0 ? 0.1 : 0.9);
    sandbox.faults.set({ errorRate: { patch: 0.5, delete: 0.5 } });
    const failing = await apply(planned, 1);
    sandbox.faults.set({});
    nextRandom = () => 0.99;
    const { applied, unchanged, skipped, failed } = failing.summary;
    expect(failed).toBeGreaterThan(0);
    expect(applied + unchanged + skipped + failed).toBe(planned.plan.changes.length);
    expect(applyExitCode(failing)).toBe(1);
    expect(
      failing.outcomes
        .filter((outcome) => outcome.status === "failed")
        .every((outcome) => (outcome.message ?? "") !== ""),
    ).toBe(true);
    expect(renderApplyResult(failing, "text")).toContain(`${failed} failed.`);

    const again = await plan("faulty", { prune: true });
    const second = await apply(again);
    expect(second.summary.failed).toBe(0);
    expect(applyExitCode(second)).toBe(0);
    expect((await plan("faulty", { prune: true })).plan.changes).toEqual([]);
  });

  it("converges over ten rounds of out-of-band changes and applies, never losing a field it applied before", async () => {
    // Server-side apply takes kubedrift's applied configuration as its whole intent: an apply that
    // sent only the fields drifted *now* removed the ones it had corrected in earlier rounds.
    await deploy("rounds");
    const outOfBand: readonly (readonly string[])[] = [
      ["scale", "deployment/web", "--replicas=5"],
      ["set", "image", "deployment/web", "web=nginx:1.28"],
      ["patch", "configmap", "web-config", "--type=merge", "-p", '{"data":{"CACHE_TTL":"1"}}'],
      ["label", "deployment/web", "team=ops", "--overwrite"],
      [
        "patch",
        "service",
        "web",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/spec/ports/0/targetPort","value":8080}]',
      ],
      ["scale", "deployment/web", "--replicas=1"],
      ["patch", "configmap", "web-config", "--type=merge", "-p", '{"data":{"CACHE_TTL":"2"}}'],
      ["set", "image", "deployment/web", "web=nginx:1.29"],
      ["patch", "service", "web", "--type=merge", "-p", '{"spec":{"selector":{"app":"other"}}}'],
      ["label", "deployment/web", "team=x", "--overwrite"],
    ];
    for (const [round, command] of outOfBand.entries()) {
      await kubectlOk(sandbox, ["-n", "rounds", ...command]);
      const planned = await plan("rounds");
      expect(planned.plan.changes.length, `round ${round}: ${command.join(" ")}`).toBe(1);
      const validated = await validatePlan(planned.plan, contextOf(planned));
      const result = await apply({ ...planned, plan: validated });
      expect(result.summary, `round ${round}`).toEqual({
        applied: 1,
        unchanged: 0,
        skipped: 0,
        stale: 0,
        rejected: 0,
        failed: 0,
      });
      expect((await plan("rounds")).plan.changes, `round ${round}: in sync after apply`).toEqual([]);
      const deployment = await kubectlJson(sandbox, ["-n", "rounds", "get", "deployment", "web"]);
      const spec = deployment["spec"] as JsonObject;
      const container = (
        ((spec["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[]
      )[0];
      expect([spec["replicas"], container?.["image"]], `round ${round}`).toEqual([2, "nginx:1.27"]);
      expect((deployment["metadata"] as JsonObject)["labels"]).toEqual({ app: "web", team: "shop" });
      const configMap = await kubectlJson(sandbox, ["-n", "rounds", "get", "configmap", "web-config"]);
      expect(configMap["data"], `round ${round}`).toEqual({ CACHE_TTL: "300" });
      const service = await kubectlJson(sandbox, ["-n", "rounds", "get", "service", "web"]);
      expect((service["spec"] as JsonObject)["selector"]).toEqual({ app: "web" });
      expect(((service["spec"] as JsonObject)["ports"] as JsonObject[])[0]?.["targetPort"]).toBe(80);
    }
    // What kubedrift applied over the rounds is still its own, and nothing more.
    const live = await kubectlJson(sandbox, ["-n", "rounds", "get", "deployment", "web"]);
    expect(managedBy(live, "kubedrift").map((entry) => entry["fieldsV1"])).toEqual([
      {
        "f:metadata": { "f:labels": { "f:team": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:template": {
            "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } },
          },
        },
      },
    ]);
  });

  it("never writes beyond the confirmed plan: another writer's label and annotation survive, and the object is reported as changed since the plan", async () => {
    await deploy("confirmed");
    await kubectlOk(sandbox, ["-n", "confirmed", "scale", "deployment/web", "--replicas=4"]);
    const planned = await plan("confirmed");
    const validated = await validatePlan(planned.plan, contextOf(planned));
    // While the confirmation prompt is open, somebody labels and annotates the Deployment.
    await kubectlOk(sandbox, ["-n", "confirmed", "label", "deployment/web", "oncall=alice"]);
    await kubectlOk(sandbox, ["-n", "confirmed", "annotate", "deployment/web", "ticket=INC-7"]);
    const result = await apply({ ...planned, plan: validated });
    expect(result.outcomes.map(({ status, message }) => ({ status, message }))).toEqual([
      { status: "stale", message: "changed since the plan; run again" },
    ]);
    expect(applyExitCode(result)).toBe(1);
    expect(renderApplyResult(result, "text")).toContain(
      "Apply: 0 applied, 0 unchanged, 0 skipped, 1 changed since the plan, 0 failed.",
    );
    const live = await kubectlJson(sandbox, ["-n", "confirmed", "get", "deployment", "web"]);
    const metadata = live["metadata"] as JsonObject;
    expect((metadata["labels"] as JsonObject)["oncall"]).toBe("alice");
    expect((metadata["annotations"] as JsonObject)["ticket"]).toBe("INC-7");
    // Nothing was written: the drift the user confirmed is still there for the next run.
    expect((live["spec"] as JsonObject)["replicas"]).toBe(4);
  });

  it("reports what the cluster shows when a write's answer is lost: applied, removed and deleted, not failed", async () => {
    await deploy("lost");
    // A removed label: put back without a conflict, so one write carries the whole change.
    await kubectlOk(sandbox, ["-n", "lost", "label", "deployment/web", "team-"]);
    await kubectlOk(sandbox, ["-n", "lost", "label", "configmap", "web-config", "hotfix=1"]);
    await kubectlOk(sandbox, ["-n", "lost", "create", "configmap", "leftover", "--from-literal=a=1"]);
    const planned = await plan("lost", { prune: true });
    expect(
      planned.plan.changes.map((change) => `${change.action} ${change.ref.kind}/${change.ref.name}`),
    ).toEqual(["remove ConfigMap/web-config", "apply Deployment/web", "delete ConfigMap/leftover"]);
    // Every write is carried out and stored, and its answer never arrives; each is tried twice.
    sandbox.faults.set({ loseResponses: { patch: 1, delete: 1 } });
    const result = await apply(planned, 2);
    sandbox.faults.set({});
    expect(result.outcomes.map(({ action, status, message }) => ({ action, status, message }))).toEqual([
      { action: "remove", status: "applied", message: "no answer came, but the cluster shows the change" },
      { action: "apply", status: "applied", message: "no answer came, but the cluster shows the change" },
      { action: "delete", status: "applied", message: "no answer came, but the cluster shows the change" },
    ]);
    expect(applyExitCode(result)).toBe(0);
    expect((await plan("lost", { prune: true })).plan.changes).toEqual([]);
  });

  it("retries transient failures and succeeds in one apply", async () => {
    await deploy("retry");
    await kubectlOk(sandbox, ["-n", "retry", "scale", "deployment/web", "--replicas=3"]);
    const planned = await plan("retry");
    let calls = 0;
    nextRandom = () => (calls++ % 2 === 0 ? 0.1 : 0.9);
    sandbox.faults.set({ errorRate: { patch: 0.5 }, errorStatus: 503 });
    const result = await apply(planned, 4);
    sandbox.faults.set({});
    nextRandom = () => 0.99;
    expect(summaryOf(result)).toBe("applied apply Deployment/web");
  });
});
