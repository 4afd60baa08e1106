/**
 * The remediation path as `kubedrift plan` and `apply` run it, in-process against a sandbox:
 * manifests applied with the real kubectl, sources → cluster → compare → plan → apply.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectCluster } from "../../src/cluster/index.js";
import type { Cluster, ServedResource } from "../../src/cluster/index.js";
import { compare, defaultEngineConfig } from "../../src/engine/index.js";
import type { EngineConfig } from "../../src/engine/index.js";
import type { ObjectRef } from "../../src/kube/object.js";
import type { DesiredObject, LiveObject } from "../../src/model/index.js";
import { refKey } from "../../src/model/index.js";
import { applyPlan, buildPlan, defaultPlanOptions } from "../../src/remediate/index.js";
import type { ApplyResult, Plan, PlanOptions } from "../../src/remediate/index.js";
import { parseManifests, ReadModes } from "../../src/sources/index.js";
import type { SandboxConnection } from "./kubectl.js";
import { kubectlOk } from "./kubectl.js";

/** A Namespace with a Deployment, a Service and a ConfigMap in it. */
export function manifests(namespace: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
  labels:
    app: web
    team: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${namespace}
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
data:
  CACHE_TTL: "300"
`;
}

const noWait = { attempts: 4, initialDelayMs: 0, sleep: async (): Promise<void> => {} };

export interface Compared {
  readonly plan: Plan;
  readonly cluster: Cluster;
  readonly served: ReadonlyMap<string, ServedResource>;
  readonly config: EngineConfig;
}

const groupKind = (ref: Pick<ObjectRef, "group" | "kind">): string => `${ref.group}/${ref.kind}`;

/** Writes the manifests under `scratch` and applies them with kubectl; returns the directory with `deploy/app.yaml`. */
export async function deploy(
  sandbox: SandboxConnection,
  scratch: string,
  namespace: string,
  text = manifests(namespace),
): Promise<string> {
  const directory = join(scratch, namespace);
  mkdirSync(join(directory, "deploy"), { recursive: true });
  writeFileSync(join(directory, "deploy", "app.yaml"), text);
  await kubectlOk(sandbox, ["apply", "-f", join(directory, "deploy", "app.yaml")]);
  return directory;
}

/** sources → cluster → compare → plan, as `kubedrift plan` does it. */
export async function planFor(
  sandbox: SandboxConnection & { readonly kubeconfigPath: string },
  namespace: string,
  options: Partial<PlanOptions> = {},
  config: EngineConfig = defaultEngineConfig,
): Promise<Compared> {
  const desired: readonly DesiredObject[] = parseManifests(
    manifests(namespace),
    "deploy/app.yaml",
    ReadModes.named,
  ).objects;
  const cluster = connectCluster({ kubeconfig: sandbox.kubeconfigPath, env: {} });
  const served = new Map((await cluster.resources()).map((resource) => [groupKind(resource), resource]));
  const kinds = [...new Set(desired.map((object) => groupKind(object.ref)))];
  const live: LiveObject[] = [];
  const declared = new Set(desired.map((object) => refKey(object.ref)));
  for (const kind of kinds) {
    const resource = served.get(kind);
    if (resource === undefined) throw new Error(`${kind} is not served`);
    const listed = await cluster.list(resource, resource.namespaced ? namespace : undefined);
    live.push(
      ...(resource.namespaced ? listed : listed.filter((object) => declared.has(refKey(object.ref)))),
    );
  }
  const schema = await cluster.schema();
  const report = compare({
    desired,
    live,
    scope: { kinds, namespaces: [namespace] },
    schema,
    config,
    cluster: cluster.name,
    generatedAt: "2026-11-22T12:00:00Z",
  });
  const built = buildPlan({ report, desired, live, schema, options: { ...defaultPlanOptions, ...options } });
  return { plan: built, cluster, served, config };
}

export function contextOf(compared: Compared, attempts = 4) {
  if (compared.cluster.writer === undefined) throw new Error("no writer");
  return {
    writer: compared.cluster.writer,
    resourceFor: (ref: ObjectRef) => compared.served.get(groupKind(ref)),
    retry: { ...noWait, attempts },
  };
}

export async function applyCompared(compared: Compared, attempts = 4): Promise<ApplyResult> {
  return applyPlan(compared.plan, {
    ...contextOf(compared, attempts),
    dryRun: false,
    schema: await compared.cluster.schema(),
    config: compared.config,
  });
}
