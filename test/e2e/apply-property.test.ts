/**
 * The data-safety property of remediation, over random histories: whatever people do to the
 * objects out of band (scale, set image, label, annotate, set env, edit ConfigMap keys, patch the
 * Service), `apply` interleaved with it always brings back every field the desired state sets,
 * and after the last apply `kubedrift diff` finds nothing. Run against the sandbox with the real
 * kubectl; fast-check shrinks a failing history to its shortest form and prints it with its seed.
 */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validatePlan } from "../../src/remediate/index.js";
import type { JsonObject } from "../../src/kube/value/json.js";
import { kubectlJson, runKubectl } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { applyCompared, contextOf, deploy, planFor } from "../support/remediation.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

type Step = { readonly kind: "apply" } | { readonly kind: "kubectl"; readonly args: readonly string[] };

const kubectlStep = (...args: readonly string[]): Step => ({ kind: "kubectl", args });

const outOfBand: fc.Arbitrary<Step> = fc.oneof(
  fc
    .integer({ min: 0, max: 9 })
    .map((replicas) => kubectlStep("scale", "deployment/web", `--replicas=${replicas}`)),
  fc
    .constantFrom("nginx:1.28", "nginx:1.29", "busybox:1.36")
    .map((image) => kubectlStep("set", "image", "deployment/web", `web=${image}`)),
  fc
    .tuple(fc.constantFrom("team", "hotfix", "owner"), fc.constantFrom("ops", "x", "shop"))
    .map(([key, value]) => kubectlStep("label", "deployment/web", `${key}=${value}`, "--overwrite")),
  fc.constant(kubectlStep("label", "deployment/web", "team-")),
  fc
    .tuple(fc.constantFrom("ticket", "note"), fc.constantFrom("INC-1", "paged"))
    .map(([key, value]) => kubectlStep("annotate", "deployment/web", `${key}=${value}`, "--overwrite")),
  fc
    .tuple(fc.constantFrom("MODE", "DEBUG"), fc.constantFrom("1", "fast"))
    .map(([name, value]) => kubectlStep("set", "env", "deployment/web", `${name}=${value}`)),
  fc
    .tuple(fc.constantFrom("CACHE_TTL", "EXTRA"), fc.constantFrom("0", "600"))
    .map(([key, value]) =>
      kubectlStep(
        "patch",
        "configmap",
        "web-config",
        "--type=merge",
        "-p",
        JSON.stringify({ data: { [key]: value } }),
      ),
    ),
  fc.constant(
    kubectlStep(
      "patch",
      "configmap",
      "web-config",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/data/CACHE_TTL"}]',
    ),
  ),
  fc
    .constantFrom(8080, 81)
    .map((port) =>
      kubectlStep(
        "patch",
        "service",
        "web",
        "--type=json",
        "-p",
        JSON.stringify([{ op: "replace", path: "/spec/ports/0/targetPort", value: port }]),
      ),
    ),
);

const history: fc.Arbitrary<readonly Step[]> = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: outOfBand },
    { weight: 2, arbitrary: fc.constant<Step>({ kind: "apply" }) },
  ),
  { minLength: 2, maxLength: 8 },
);

let runs = 0;

/** plan, dry run, apply: what `kubedrift apply --yes` does. Nothing else writes meanwhile, so all of it must be written. */
async function applyAll(namespace: string): Promise<void> {
  const sandbox = fixture.sandbox();
  const planned = await planFor(sandbox, namespace);
  const validated = await validatePlan(planned.plan, contextOf(planned));
  const result = await applyCompared({ ...planned, plan: validated });
  expect(result.outcomes.filter((outcome) => outcome.status !== "applied")).toEqual([]);
  expect((await planFor(sandbox, namespace)).plan.changes).toEqual([]);
}

/** Every field the manifests set is there with its desired value, and nothing added out of band stayed. */
async function expectDesiredState(namespace: string): Promise<void> {
  const sandbox = fixture.sandbox();
  const deployment = await kubectlJson(sandbox, ["-n", namespace, "get", "deployment", "web"]);
  const spec = deployment["spec"] as JsonObject;
  const container = (
    ((spec["template"] as JsonObject)["spec"] as JsonObject)["containers"] as JsonObject[]
  )[0];
  const metadata = deployment["metadata"] as JsonObject;
  expect({
    replicas: spec["replicas"],
    image: container?.["image"],
    // Removing the last item leaves `env: []`, which means what no env means (rule 5).
    env: container?.["env"] ?? [],
    labels: metadata["labels"],
    annotations: Object.keys((metadata["annotations"] as JsonObject | undefined) ?? {}).filter(
      (key) => !key.startsWith("kubectl.kubernetes.io/") && !key.startsWith("deployment.kubernetes.io/"),
    ),
  }).toEqual({
    replicas: 2,
    image: "nginx:1.27",
    env: [],
    labels: { app: "web", team: "shop" },
    annotations: [],
  });
  const configMap = await kubectlJson(sandbox, ["-n", namespace, "get", "configmap", "web-config"]);
  expect(configMap["data"]).toEqual({ CACHE_TTL: "300" });
  const service = await kubectlJson(sandbox, ["-n", namespace, "get", "service", "web"]);
  expect(((service["spec"] as JsonObject)["ports"] as JsonObject[])[0]?.["targetPort"]).toBe(80);
}

describe("remediation over random histories of out-of-band changes", () => {
  it("always ends in the desired state, with diff exit 0, and never loses a field the desired state sets", async () => {
    await fc.assert(
      fc.asyncProperty(history, async (steps) => {
        runs += 1;
        const namespace = `history-${runs}`;
        const directory = await deploy(fixture.sandbox(), fixture.directory(), namespace);
        for (const step of steps) {
          if (step.kind === "kubectl") {
            // A person's command may fail (the key is already gone): then it changed nothing, as for them.
            await runKubectl(fixture.sandbox(), ["-n", namespace, ...step.args]);
          } else {
            await applyAll(namespace);
            await expectDesiredState(namespace);
          }
        }
        await applyAll(namespace);
        await expectDesiredState(namespace);
        const diff = await runKubedrift(
          ["diff", "-f", join(directory, "deploy"), "--kubeconfig", fixture.sandbox().kubeconfigPath],
          { cwd: directory },
        );
        expect({ code: diff.code, stderr: diff.stderr }).toEqual({ code: 0, stderr: "" });
      }),
      { numRuns: 10 },
    );
  }, 240_000);
});
