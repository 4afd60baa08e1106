/** Test support for the best-practice checks: YAML to desired objects, a lint context, results by check. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { refOf } from "../../kube/object.js";
import type { KubeObject } from "../../kube/value/json.js";
import { isJsonObject } from "../../kube/value/json.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, LintContext } from "../types.js";
import { lintContextOf } from "../run.js";
import { bestPracticeChecks } from "./index.js";

export function desiredFromYaml(text: string, file = "test.yaml"): readonly DesiredObject[] {
  const lineCounter = new LineCounter();
  return parseAllDocuments(text, { lineCounter }).flatMap((document): DesiredObject[] => {
    const object: unknown = document.toJS();
    if (!isJsonObject(object)) return [];
    const line = lineCounter.linePos(document.contents?.range[0] ?? 0).line;
    return [{ ref: refOf(object), object: object, source: { file, line } }];
  });
}

export function desiredFromDirectory(directory: string): readonly DesiredObject[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .flatMap((name) => desiredFromYaml(readFileSync(join(directory, name), "utf8"), name));
}

export function lintContext(objects: readonly DesiredObject[], kubernetesVersion = "1.32"): LintContext {
  return lintContextOf(objects, kubernetesVersion);
}

export interface ResultRow {
  readonly check: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly path: string;
}

export function checkById(id: string): Check {
  const check = bestPracticeChecks.find((candidate) => candidate.id === id);
  if (check === undefined) throw new Error(`no check ${id}`);
  return check;
}

/** Every result of the given checks (all by default) over the objects, as comparable rows. */
export function resultRows(
  objects: readonly DesiredObject[],
  checks: readonly Check[] = bestPracticeChecks,
  kubernetesVersion = "1.32",
): readonly ResultRow[] {
  const context = lintContext(objects, kubernetesVersion);
  return objects.flatMap((desired) =>
    checks.flatMap((check) =>
      check.run(desired, context).map((result) => ({
        check: check.id,
        kind: desired.ref.kind,
        namespace: desired.ref.namespace,
        name: desired.ref.name,
        path: result.path,
      })),
    ),
  );
}

/** The `path`s one check reports on YAML text (every object), as `Kind/name path`. */
export function findings(id: string, yaml: string, kubernetesVersion = "1.32"): readonly string[] {
  return resultRows(desiredFromYaml(yaml), [checkById(id)], kubernetesVersion).map(
    (row) => `${row.kind}/${row.name} ${row.path}`,
  );
}

/** The messages of one check's results, to assert they name the value. */
export function messages(id: string, yaml: string, kubernetesVersion = "1.32"): readonly string[] {
  const objects = desiredFromYaml(yaml);
  const context = lintContext(objects, kubernetesVersion);
  const check = checkById(id);
  return objects.flatMap((desired) => check.run(desired, context).map((result) => result.message));
}

export const goodDirectory = new URL("../../../test/fixtures/lint/good/", import.meta.url).pathname;
export const badDirectory = new URL("../../../test/fixtures/lint/bad/", import.meta.url).pathname;

/** Desired objects from object literals (in a file `test.yaml`, line 1). */
export function desiredOf(objects: readonly KubeObject[]): readonly DesiredObject[] {
  return objects.map((object) => ({ ref: refOf(object), object, source: { file: "test.yaml", line: 1 } }));
}

/** One check's results on object literals, as `Kind/name path`. */
export function run(id: string, objects: readonly object[], kubernetesVersion = "1.32"): readonly string[] {
  // Test literals are JSON by construction; their inferred types are wider than JsonObject.
  const desired = desiredOf(objects as readonly KubeObject[]);
  return resultRows(desired, [checkById(id)], kubernetesVersion).map(
    (row) => `${row.kind}/${row.name} ${row.path}`,
  );
}

export const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/** A container every container check accepts. */
export function goodContainer(name = "app"): KubeObject {
  return {
    name,
    image: `registry.example.com/${name}:1.0@${digest}`,
    ports: [{ name: "http", containerPort: 8080 }],
    resources: {
      requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "10Mi" },
      limits: { cpu: "1", memory: "64Mi", "ephemeral-storage": "10Mi" },
    },
    livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
    readinessProbe: { httpGet: { path: "/ready", port: "http" } },
    securityContext: {
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
  };
}

/** A pod spec every pod check accepts (its ServiceAccount is `app`, see `goodSet`). */
export function goodPodSpec(containers: readonly KubeObject[] = [goodContainer()]): KubeObject {
  return {
    serviceAccountName: "app",
    automountServiceAccountToken: false,
    priorityClassName: "standard",
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: "app" } },
      },
    ],
    containers,
  };
}

/** A Deployment of `replicas` pods labelled app=app; `spec` replaces parts of the pod spec. */
export function deployment(spec: KubeObject = {}, replicas = 2, name = "app"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "ns" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "app" } },
      template: { metadata: { labels: { app: "app" } }, spec: { ...goodPodSpec(), ...spec } },
    },
  };
}

/** The objects around a Deployment that its cross-object checks look for. */
export function goodSurroundings(): readonly KubeObject[] {
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "ns" } },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "app", namespace: "ns" },
      spec: {
        maxUnavailable: 1,
        unhealthyPodEvictionPolicy: "AlwaysAllow",
        selector: { matchLabels: { app: "app" } },
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "all", namespace: "ns" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "app", namespace: "ns" },
      spec: { selector: { app: "app" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
  ];
}
