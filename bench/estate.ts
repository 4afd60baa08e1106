/**
 * A realistic estate of N objects, deterministic (fixed names, no randomness), for the scale
 * benchmarks and the behaviour-equivalence test (test/scale/): apps in a few namespaces, one YAML
 * file per app as users keep them (`apps/<namespace>/<app>.yaml`: a Deployment with 2–3 containers,
 * env, probes and resources, a Service, a ConfigMap, every other app a Secret, every third a
 * `Backup` of a CRD). Written to a directory, seeded into a sandbox as `kubectl apply` would, then
 * ~5% drifted by real writes (HTTP PATCHes as kubectl sends them, a handful through the real
 * kubectl), and dumped as live files with `kubectl get -o json|yaml`, as users do.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../src/kube/value/json.js";
import { measure, ok, type Target } from "./sandbox.js";

export const namespaces = ["shop", "payments", "search", "identity", "media", "platform"] as const;
const nouns = ["cart", "checkout", "catalog", "pricing", "ledger", "index", "auth", "thumbs", "gateway"];

export const crdGroup = "ops.example.com";
export const crdPlural = "backups";
/** What `kubectl get` is given to dump the live state of every kind of the estate. */
export const liveKinds = `deployments.apps,services,configmaps,secrets,${crdPlural}.${crdGroup}`;

export interface App {
  readonly namespace: string;
  readonly name: string;
  /** Relative to the estate's directory. */
  readonly file: string;
  readonly objects: readonly KubeObject[];
}

export interface Estate {
  readonly size: number;
  readonly apps: readonly App[];
  /** Every object, in file order. */
  readonly objects: readonly KubeObject[];
}

const pad = (index: number): string => String(index).padStart(5, "0");

function labelsOf(app: string, namespace: string, index: number): Record<string, string> {
  return {
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/part-of": namespace,
    "app.kubernetes.io/version": `1.${index % 20}.0`,
    team: `team-${index % 7}`,
  };
}

function mainContainer(app: string, namespace: string, index: number): KubeObject {
  return {
    name: "app",
    image: `registry.example.com/${namespace}/${app}:1.${index % 20}.0`,
    ports: [
      { name: "http", containerPort: 8080 },
      { name: "metrics", containerPort: 9090 },
    ],
    env: [
      { name: "LOG_LEVEL", value: index % 5 === 0 ? "debug" : "info" },
      { name: "PORT", value: "8080" },
      { name: "APP_NAME", value: app },
      { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "FEATURE_FLAGS", valueFrom: { configMapKeyRef: { name: app, key: "FEATURE_FLAGS" } } },
    ],
    envFrom: [{ configMapRef: { name: app } }],
    resources: {
      requests: { cpu: index % 2 === 0 ? "100m" : "0.25", memory: "128Mi" },
      limits: { cpu: "1", memory: index % 3 === 0 ? "1Gi" : "512Mi" },
    },
    livenessProbe: {
      httpGet: { path: "/healthz", port: "http" },
      initialDelaySeconds: 10,
      periodSeconds: 10,
    },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5, failureThreshold: 3 },
    volumeMounts: [{ name: "config", mountPath: "/etc/app", readOnly: true }],
  };
}

function sidecars(index: number): KubeObject[] {
  const proxy: KubeObject = {
    name: "proxy",
    image: "envoyproxy/envoy:v1.31.2",
    args: ["--config-path", "/etc/envoy/envoy.yaml", "--log-level", "warn"],
    ports: [{ name: "proxy", containerPort: 15001 }],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    readinessProbe: { tcpSocket: { port: 15001 }, periodSeconds: 10 },
  };
  if (index % 3 !== 0) return [proxy];
  const shipper: KubeObject = {
    name: "log-shipper",
    image: "fluent/fluent-bit:3.1",
    env: [{ name: "FLUENT_ELASTICSEARCH_HOST", value: "logs.platform.svc" }],
    resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  };
  return [proxy, shipper];
}

function deployment(app: string, namespace: string, index: number): KubeObject {
  const selector = { "app.kubernetes.io/name": app };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app, namespace, labels: labelsOf(app, namespace, index) },
    spec: {
      replicas: 2 + (index % 3),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      ...(index % 4 === 0
        ? { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } } }
        : {}),
      template: {
        metadata: {
          labels: { ...selector, team: `team-${index % 7}` },
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9090" },
        },
        spec: {
          containers: [mainContainer(app, namespace, index), ...sidecars(index)],
          volumes: [{ name: "config", configMap: { name: app } }],
          terminationGracePeriodSeconds: 45,
        },
      },
    },
  };
}

function service(app: string, namespace: string, index: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: app, namespace, labels: labelsOf(app, namespace, index) },
    spec: {
      selector: { "app.kubernetes.io/name": app },
      ports: [
        { name: "http", port: 80, targetPort: "http" },
        { name: "metrics", port: 9090, targetPort: 9090, protocol: "TCP" },
      ],
    },
  };
}

function configMap(app: string, namespace: string, index: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: app, namespace, labels: labelsOf(app, namespace, index) },
    data: {
      FEATURE_FLAGS: index % 2 === 0 ? "search,recommendations" : "search",
      CACHE_TTL: String(60 * (1 + (index % 10))),
      UPSTREAM: `http://${nouns[(index + 1) % nouns.length]}.${namespace}.svc:80`,
      "app.yaml": `server:\n  port: 8080\n  timeout: 30s\ndatabase:\n  host: db-${index % 4}.${namespace}.svc\n  pool: ${5 + (index % 20)}\n`,
    },
  };
}

function secret(app: string, namespace: string, index: number): KubeObject {
  const metadata = { name: `${app}-credentials`, namespace, labels: labelsOf(app, namespace, index) };
  const values = {
    username: `${app}-user`,
    password: `s3cret-${index * 7919}`,
    "api-key": `key-${pad(index)}`,
  };
  if (index % 4 === 0)
    return { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque", stringData: values };
  const data = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString("base64")]),
  );
  return { apiVersion: "v1", kind: "Secret", metadata, type: "Opaque", data };
}

function backup(app: string, namespace: string, index: number): KubeObject {
  return {
    apiVersion: `${crdGroup}/v1`,
    kind: "Backup",
    metadata: { name: app, namespace, labels: labelsOf(app, namespace, index) },
    spec: {
      schedule: `${index % 60} ${index % 24} * * *`,
      retention: { days: 7 + (index % 3) * 7, copies: 3 },
      target: { kind: "Deployment", name: app },
      storage: { bucket: `backups-${namespace}`, prefix: `${app}/`, encrypted: true },
    },
  };
}

/** The CustomResourceDefinition of `Backup`, applied before the estate (not one of its N objects). */
export function backupCrd(): KubeObject {
  const schema: KubeObject = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        required: ["schedule", "target"],
        properties: {
          schedule: { type: "string" },
          suspend: { type: "boolean" },
          retention: {
            type: "object",
            properties: { days: { type: "integer" }, copies: { type: "integer" } },
          },
          target: {
            type: "object",
            properties: { kind: { type: "string" }, name: { type: "string" } },
          },
          storage: {
            type: "object",
            properties: {
              bucket: { type: "string" },
              prefix: { type: "string" },
              encrypted: { type: "boolean" },
            },
          },
        },
      },
      status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${crdPlural}.${crdGroup}` },
    spec: {
      group: crdGroup,
      scope: "Namespaced",
      names: { plural: crdPlural, singular: "backup", kind: "Backup", listKind: "BackupList" },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

function appObjects(app: string, namespace: string, index: number): KubeObject[] {
  return [
    deployment(app, namespace, index),
    service(app, namespace, index),
    configMap(app, namespace, index),
    ...(index % 2 === 0 ? [secret(app, namespace, index)] : []),
    ...(index % 3 === 0 ? [backup(app, namespace, index)] : []),
  ];
}

/** N objects exactly: whole apps in turn, the last one cut short if need be. */
export function estate(size: number): Estate {
  const apps: App[] = [];
  let count = 0;
  for (let index = 0; count < size; index += 1) {
    const namespace = namespaces[index % namespaces.length] ?? "shop";
    const name = `${nouns[index % nouns.length] ?? "app"}-${pad(index)}`;
    const objects = appObjects(name, namespace, index).slice(0, size - count);
    count += objects.length;
    apps.push({ namespace, name, file: join("apps", namespace, `${name}.yaml`), objects });
  }
  return { size, apps, objects: apps.flatMap((app) => app.objects) };
}

/** The first apps holding `size` objects: the same objects as in the larger estate. */
export function subset(of: Estate, size: number): Estate {
  return estate(Math.min(size, of.size));
}

/** One file per app under `directory` (YAML 1.1 quoting, as kubectl reads manifests). */
export function writeEstate(directory: string, of: Estate): void {
  for (const namespace of namespaces) mkdirSync(join(directory, "apps", namespace), { recursive: true });
  for (const app of of.apps)
    writeFileSync(
      join(directory, app.file),
      app.objects.map((object) => stringify(object, { version: "1.1" })).join("---\n"),
    );
}

// ---- the sandbox -------------------------------------------------------------------------------

export function pathOf(object: KubeObject, withName: boolean): string {
  const metadata = object["metadata"] as { name: string; namespace: string };
  const resources: Readonly<Record<string, string>> = {
    Deployment: "/apis/apps/v1/namespaces/NS/deployments",
    Service: "/api/v1/namespaces/NS/services",
    ConfigMap: "/api/v1/namespaces/NS/configmaps",
    Secret: "/api/v1/namespaces/NS/secrets",
    Backup: `/apis/${crdGroup}/v1/namespaces/NS/${crdPlural}`,
  };
  const collection = (resources[object["kind"] as string] ?? "").replace("NS", metadata.namespace);
  return withName ? `${collection}/${metadata.name}` : collection;
}

/** As `kubectl apply` creates an object: the manifest in the last-applied-configuration annotation. */
function asKubectlApplyCreates(object: KubeObject): KubeObject {
  const metadata = object["metadata"] as Record<string, unknown>;
  const annotations = {
    ...(metadata["annotations"] as Record<string, string> | undefined),
    "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(object)}\n`,
  };
  return { ...object, metadata: { ...metadata, annotations } };
}

async function waitForCrd(target: Target): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await ok(target, { method: "GET", path: `/apis/${crdGroup}/v1/${crdPlural}?limit=1` });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the CRD ${crdPlural}.${crdGroup} was not served within 10 s`);
}

/** Namespaces, the CRD, then every object as `kubectl apply` creates it; returns the seconds taken. */
export async function seedEstate(target: Target, of: Estate, concurrency = 16): Promise<number> {
  const started = performance.now();
  for (const name of namespaces)
    await ok(target, { method: "POST", path: "/api/v1/namespaces", body: { metadata: { name } } });
  await ok(target, {
    method: "POST",
    path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldManager=kubectl-client-side-apply",
    body: asKubectlApplyCreates(backupCrd()),
  });
  await waitForCrd(target);
  await measure("seed", of.objects.length, concurrency, (index) => {
    const object = of.objects[index];
    return ok(target, {
      method: "POST",
      path: `${pathOf(object, false)}?fieldManager=kubectl-client-side-apply`,
      body: asKubectlApplyCreates(object),
    });
  });
  return (performance.now() - started) / 1000;
}

// ---- drift -------------------------------------------------------------------------------------

/** One out-of-band write, as the kubectl command named would send it. */
export interface Drift {
  readonly object: KubeObject;
  readonly command: string;
  readonly subresource?: string;
  readonly manager: string;
  readonly contentType: string;
  readonly patch: unknown;
  /** The same change through the real kubectl (a handful of the drifts). */
  readonly kubectl?: readonly string[];
}

const strategic = "application/strategic-merge-patch+json";
const merge = "application/merge-patch+json";

function nameAndNamespace(object: KubeObject): { name: string; namespace: string } {
  return object["metadata"] as { name: string; namespace: string };
}

function deploymentDrift(object: KubeObject, turn: number): Drift {
  const { name, namespace } = nameAndNamespace(object);
  const base = { object, contentType: strategic };
  switch (turn % 5) {
    case 0:
      return {
        ...base,
        command: "kubectl scale",
        subresource: "scale",
        manager: "kubectl-scale",
        contentType: merge,
        patch: { spec: { replicas: 7 } },
        kubectl: ["scale", `deployment/${name}`, "-n", namespace, "--replicas=7"],
      };
    case 1:
      return {
        ...base,
        command: "kubectl set image",
        manager: "kubectl-set",
        patch: {
          spec: {
            template: { spec: { containers: [{ name: "app", image: "registry.example.com/hotfix:2.0.1" }] } },
          },
        },
        kubectl: [
          "set",
          "image",
          `deployment/${name}`,
          "-n",
          namespace,
          "app=registry.example.com/hotfix:2.0.1",
        ],
      };
    case 2:
      return {
        ...base,
        command: "kubectl edit",
        manager: "kubectl-edit",
        patch: {
          spec: {
            template: {
              spec: { containers: [{ name: "app", env: [{ name: "LOG_LEVEL", value: "trace" }] }] },
            },
          },
        },
      };
    case 3:
      return {
        ...base,
        command: "kubectl edit",
        manager: "kubectl-edit",
        patch: {
          spec: {
            template: { spec: { containers: [{ name: "app", resources: { limits: { memory: "2Gi" } } }] } },
          },
        },
      };
    default:
      return {
        ...base,
        command: "kubectl label",
        manager: "kubectl-label",
        contentType: merge,
        patch: { metadata: { labels: { "hotfix-by": "oncall" } } },
        kubectl: ["label", `deployment/${name}`, "-n", namespace, "hotfix-by=oncall"],
      };
  }
}

function otherDrift(object: KubeObject, turn: number): Drift {
  const { name, namespace } = nameAndNamespace(object);
  switch (object["kind"]) {
    case "Service":
      return turn % 2 === 0
        ? {
            object,
            command: "kubectl edit",
            manager: "kubectl-edit",
            contentType: strategic,
            patch: { spec: { ports: [{ port: 80, targetPort: 8081 }] } },
          }
        : {
            object,
            command: "kubectl label",
            manager: "kubectl-label",
            contentType: merge,
            patch: { metadata: { labels: { exposed: "true" } } },
            kubectl: ["label", `service/${name}`, "-n", namespace, "exposed=true"],
          };
    case "ConfigMap":
      return {
        object,
        command: "kubectl edit",
        manager: "kubectl-edit",
        contentType: strategic,
        patch: { data: { CACHE_TTL: "5", DEBUG: "1" } },
      };
    case "Secret":
      return {
        object,
        command: "kubectl edit",
        manager: "kubectl-edit",
        contentType: strategic,
        patch: { data: { password: Buffer.from("rotated-by-hand").toString("base64") } },
      };
    default:
      return {
        object,
        command: "kubectl edit",
        manager: "kubectl-edit",
        contentType: merge,
        patch: { spec: { retention: { days: 1 }, suspend: true } },
      };
  }
}

/**
 * Every `every`th object (20: 5%), the change by kind in turn; the first `throughKubectl` that have a
 * kubectl command go through the real kubectl.
 */
export function drifts(of: Estate, every = 20, throughKubectl = 6): readonly Drift[] {
  const chosen = of.objects.filter((_, index) => index % every === Math.floor(every / 2));
  const turns = new Map<unknown, number>();
  let viaKubectl = 0;
  return chosen.map((object) => {
    // Each kind's changes in turn, counted by kind so that every change of a kind comes up.
    const turn = turns.get(object["kind"]) ?? 0;
    turns.set(object["kind"], turn + 1);
    const drift = object["kind"] === "Deployment" ? deploymentDrift(object, turn) : otherDrift(object, turn);
    if (drift.kubectl === undefined || viaKubectl >= throughKubectl) {
      const { kubectl: _, ...http } = drift;
      return http;
    }
    viaKubectl += 1;
    return drift;
  });
}

export interface KubectlRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The real kubectl with a HOME and discovery cache of its own. */
export function runKubectl(
  kubeconfigPath: string,
  args: readonly string[],
  options: { readonly stdoutFile?: string } = {},
): Promise<KubectlRun> {
  const home = mkdtempSync(join(tmpdir(), "kubedrift-bench-kubectl-"));
  return new Promise<KubectlRun>((resolve, reject) => {
    const child = spawn("/usr/bin/kubectl", ["--kubeconfig", kubeconfigPath, ...args], {
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: home,
        KUBECACHEDIR: join(home, "cache"),
        TERM: "dumb",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      rmSync(home, { recursive: true, force: true });
      const text = Buffer.concat(stdout);
      if (options.stdoutFile !== undefined) writeFileSync(options.stdoutFile, text);
      resolve({ code: code ?? -1, stdout: options.stdoutFile === undefined ? text.toString() : "", stderr });
    });
  });
}

/** Applies the drifts: HTTP PATCHes 8 at a time, then the kubectl ones one by one. Returns how many. */
export async function driftEstate(
  target: Target,
  kubeconfigPath: string,
  of: Estate,
  every = 20,
): Promise<number> {
  const all = drifts(of, every);
  const http = all.filter((drift) => drift.kubectl === undefined);
  await measure("drift", http.length, 8, (index) => {
    const drift = http[index];
    const sub = drift.subresource === undefined ? "" : `/${drift.subresource}`;
    return ok(target, {
      method: "PATCH",
      path: `${pathOf(drift.object, true)}${sub}?fieldManager=${drift.manager}`,
      body: drift.patch,
      contentType: drift.contentType,
    });
  });
  for (const drift of all) {
    if (drift.kubectl === undefined) continue;
    const result = await runKubectl(kubeconfigPath, drift.kubectl);
    if (result.code !== 0) throw new Error(`kubectl ${drift.kubectl.join(" ")}: ${result.stderr}`);
  }
  return all.length;
}

/** `kubectl get <every kind> -A -o json|yaml --show-managed-fields > live.<format>`, as users make one. */
export async function dumpLive(kubeconfigPath: string, file: string, format: "json" | "yaml"): Promise<void> {
  const args = ["get", liveKinds, "-A", "-o", format, "--show-managed-fields"];
  const result = await runKubectl(kubeconfigPath, args, { stdoutFile: file });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
}
