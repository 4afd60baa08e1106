/**
 * plan + apply of 1,000 drifted Deployments against the sandbox in its own process: list, compare,
 * build the plan, validate it with a server dry run, then apply it (aim: under 10 s).
 */
import { connectCluster } from "../src/cluster/index.js";
import type { ServedResource } from "../src/cluster/index.js";
import { compare, defaultEngineConfig } from "../src/engine/index.js";
import type { DesiredObject, LiveObject } from "../src/model/index.js";
import { applyPlan, buildPlan, defaultPlanOptions, validatePlan } from "../src/remediate/index.js";
import { benchManifest } from "./manifests.js";
import { startServer } from "./sandbox.js";

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
