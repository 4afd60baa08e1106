/**
 * plan + apply of 1,000 drifted Deployments against the sandbox in its own process: list, compare,
 * build the plan, validate it with a server dry run, then apply it (aim: under 10 s).
 */
import { connectCluster } from "../src/cluster/index.js";
import type { ServedResource } from "../src/cluster/index.js";
import { compare, defaultEngineConfig } from "../src/engine/index.js";
import type { DesiredObject, LiveObject } from "../src/model/index.js";
import { applyPlan, buildPlan, defaultPlanOptions, validatePlan } from "../src/remediate/index.js";
import { join } from "node:path";
import { driftEstate } from "./estate.js";
import { median, repeat, runChild, type ChildRun, type Recorder } from "./figures.js";
import { benchManifest } from "./manifests.js";
import { startServer } from "./sandbox.js";
import { disposeEstate, kubedriftBin, prepareEstate, redactionKey, type Prepared } from "./scale.js";

const namespace = "bench-apply";

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let index = 0; index < items.length; index += size)
    await Promise.all(items.slice(index, index + size).map(task));
}

export async function benchApply(count = 1000): Promise<void> {
  const { child, kubeconfigPath, target } = await startServer();
  try {
    const cluster = connectCluster({ kubeconfig: kubeconfigPath, env: {} });
    const writer = cluster.writer;
    if (writer === undefined) throw new Error("no writer");
    const served = new Map(
      (await cluster.resources()).map((resource) => [`${resource.group}/${resource.kind}`, resource]),
    );
    const namespaces = served.get("/Namespace") as ServedResource;
    const deployments = served.get("apps/Deployment") as ServedResource;
    await writer.apply(
      namespaces,
      { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
      { fieldManager: "deployer" },
    );
    const desired: DesiredObject[] = Array.from({ length: count }, (_, index) => {
      const object = benchManifest("Deployment", `web-${index}`, namespace);
      return {
        ref: { group: "apps", version: "v1", kind: "Deployment", namespace, name: `web-${index}` },
        object,
        source: { file: "bench.yaml", line: 1 },
      };
    });
    await inBatches(desired, 32, (object) =>
      writer.apply(deployments, object.object, { fieldManager: "deployer" }),
    );
    // Drift: every object scaled by hand, as `kubectl edit` would.
    await inBatches(desired, 32, (object) =>
      writer.jsonPatch(
        deployments,
        { namespace, name: object.ref.name },
        [{ op: "replace", path: "/spec/replicas", value: 5 }],
        {
          fieldManager: "kubectl-edit",
        },
      ),
    );

    const planStart = process.hrtime.bigint();
    const live: readonly LiveObject[] = await cluster.list(deployments, namespace);
    const schema = await cluster.schema();
    const report = compare({
      desired,
      live,
      scope: { kinds: ["apps/Deployment"], namespaces: [namespace] },
      schema,
      config: defaultEngineConfig,
      cluster: cluster.name,
      generatedAt: new Date().toISOString(),
    });
    const plan = buildPlan({ report, desired, live, schema, options: defaultPlanOptions });
    const context = {
      writer,
      resourceFor: () => deployments,
      retry: {
        attempts: 4,
        initialDelayMs: 100,
        sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      },
    };
    const validated = await validatePlan(plan, context);
    const planSeconds = seconds(planStart);
    const applyStart = process.hrtime.bigint();
    const result = await applyPlan(validated, {
      ...context,
      dryRun: false,
      schema,
      config: defaultEngineConfig,
    });
    const applySeconds = seconds(applyStart);
    const rejected = validated.changes.filter((change) => change.verdict?.ok === false).length;
    console.log(
      `${`plan ${count} drifted (list, compare, dry run)`.padEnd(44)} ${planSeconds.toFixed(2).padStart(7)} s  (${plan.changes.length} changes, ${rejected} rejected)`,
    );
    console.log(
      `${`apply ${count} drifted (get, SSA, force)`.padEnd(44)} ${applySeconds.toFixed(2).padStart(7)} s  (${result.summary.applied} applied, ${result.summary.failed} failed)`,
    );
    console.log(`${"plan + apply".padEnd(44)} ${(planSeconds + applySeconds).toFixed(2).padStart(7)} s`);
  } finally {
    target.agent.destroy();
    child.kill("SIGTERM");
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) await benchApply();

// ---- the CLI on the estate (issue 17) ------------------------------------------------------------

async function driftAll(prepared: Prepared): Promise<void> {
  await driftEstate(prepared.started.target, prepared.started.kubeconfigPath, prepared.estate, 1);
}

function cli(prepared: Prepared, args: readonly string[]): Promise<ChildRun> {
  return runChild(kubedriftBin, [...args, "-f", "apps", "--kubeconfig", prepared.started.kubeconfigPath], {
    cwd: prepared.directory,
    env: { KUBEDRIFT_REDACTION_KEY: redactionKey },
  });
}

function kubectlApply(prepared: Prepared): Promise<ChildRun> {
  const args = [
    "--kubeconfig",
    prepared.started.kubeconfigPath,
    "apply",
    "--server-side",
    "--force-conflicts",
  ];
  return runChild("/usr/bin/kubectl", [...args, "-R", "-f", "apps"], {
    cwd: prepared.directory,
    env: { KUBECACHEDIR: join(prepared.directory, ".kube-cache"), TERM: "dumb" },
  });
}

function recordRuns(recorder: Recorder, name: string, runs: readonly ChildRun[], target?: number): number {
  const seconds = median(runs.map((run) => run.seconds));
  const statuses = [...new Set(runs.map((run) => String(run.status)))].join(",");
  const failed = runs.find((run) => run.status !== 0 && run.status !== 2);
  recorder.record({
    part: "apply",
    name,
    value: seconds,
    unit: "s",
    runs: runs.length,
    samples: runs.map((run) => run.seconds),
    ...(target === undefined ? {} : { target: `≤ ${target} s`, meets: seconds <= target }),
    note: `peak RSS ${Math.max(...runs.map((run) => run.peakRssMb)).toFixed(0)} MB, exit ${statuses}${failed === undefined ? "" : `: ${failed.stderr.trim().split("\n").slice(-2).join(" ")}`}`,
  });
  return seconds;
}

/**
 * `kubedrift plan` then `kubedrift apply --yes` of the estate of 1,000 objects, every one drifted
 * (re-drifted before each run), next to `kubectl apply --server-side --force-conflicts` of the same
 * files on the same drift: the built CLI, end to end, peak RSS by GNU time.
 */
export async function benchApplyCli(recorder: Recorder, runs: number, size = 1000): Promise<void> {
  recorder.heading(`kubedrift plan / apply and kubectl apply --server-side, ${size} objects all drifted`);
  const prepared = await prepareEstate(size);
  try {
    const plans: ChildRun[] = [];
    const applies: ChildRun[] = [];
    for (let run = 0; run < runs; run += 1) {
      await driftAll(prepared);
      plans.push(await cli(prepared, ["plan"]));
      applies.push(await cli(prepared, ["apply", "--yes"]));
    }
    const kubectl = await repeat(runs, async () => {
      await driftAll(prepared);
      return kubectlApply(prepared);
    });
    const plan = recordRuns(recorder, `kubedrift plan (${size} drifted)`, plans);
    const apply = recordRuns(recorder, `kubedrift apply --yes (${size} drifted)`, applies);
    recorder.record({
      part: "apply",
      name: `kubedrift plan + apply (${size} drifted)`,
      value: plan + apply,
      unit: "s",
      runs,
      target: "≤ 3 s",
      meets: plan + apply <= 3,
    });
    const theirs = recordRuns(recorder, `kubectl apply --server-side --force-conflicts (${size})`, kubectl);
    recorder.record({
      part: "apply",
      name: `  kubedrift apply vs kubectl apply --server-side`,
      value: theirs / apply,
      unit: "× faster",
    });
  } finally {
    await disposeEstate(prepared);
  }
}
