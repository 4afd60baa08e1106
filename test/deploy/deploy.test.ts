/**
 * deploy/ (issue 13, item 7): the overlays build with the real `kubectl kustomize` and apply to the
 * sandbox, whose RBAC then gives the ServiceAccount what watch needs and no more; the base's RBAC is
 * what `permissionsFor` computes for the example it watches, so that the two cannot drift apart. The
 * Dockerfile is checked for its shape only (it cannot be built here).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from "yaml";
import { connectCluster } from "../../src/cluster/index.js";
import { permissionsFor } from "../../src/controller/permissions.js";
import { parseEngineConfig } from "../../src/engine/index.js";
import { scopeOf } from "../../src/inspect/scope.js";
import { loadSources } from "../../src/sources/index.js";
import { describeFailure, kubectlBinary, kubectlOk, runKubectl } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import { until, untilSynced, useWatchProcesses } from "../support/watch.js";

const root = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

function documents(text: string): readonly Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((object): object is Manifest => object !== null);
}

function readDocuments(path: string): readonly Manifest[] {
  return documents(readFileSync(join(root, path), "utf8"));
}

async function kustomize(directory: string): Promise<readonly Manifest[]> {
  const { stdout } = await run(kubectlBinary, ["kustomize", join(root, directory)], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: "/nonexistent" },
  });
  return documents(stdout);
}

function find(objects: readonly Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

interface Container {
  readonly args: readonly string[];
  readonly env?: readonly { readonly name: string; readonly valueFrom?: unknown }[];
  readonly securityContext: Record<string, unknown>;
  readonly resources: { readonly limits: { readonly memory: string } };
  readonly livenessProbe: { readonly httpGet: { readonly path: string; readonly port: string } };
  readonly readinessProbe: { readonly httpGet: { readonly path: string; readonly port: string } };
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string }[];
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
}

interface PodSpec {
  readonly serviceAccountName: string;
  readonly securityContext: Record<string, unknown>;
  readonly containers: readonly Container[];
  readonly volumes: readonly { readonly name: string; readonly [source: string]: unknown }[];
}

function deploymentOf(objects: readonly Manifest[]): {
  readonly replicas: number;
  readonly strategy?: { readonly type: string };
  readonly pod: PodSpec;
  readonly container: Container;
} {
  const spec = find(objects, "Deployment", "kubedrift")["spec"] as {
    readonly replicas: number;
    readonly strategy?: { readonly type: string };
    readonly template: { readonly spec: PodSpec };
  };
  const container = spec.template.spec.containers[0];
  if (container === undefined) throw new Error("no container");
  return { ...spec, pod: spec.template.spec, container };
}

function sorted(objects: readonly object[]): readonly object[] {
  const key = (object: object): string => {
    const { kind, metadata } = object as Manifest;
    return `${kind}/${metadata.namespace ?? ""}/${metadata.name}`;
  };
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const isRbac = (object: Manifest): boolean => object.apiVersion === "rbac.authorization.k8s.io/v1";

describe("the overlays", () => {
  let sqlite: readonly Manifest[] = [];
  let postgres: readonly Manifest[] = [];
  beforeAll(async () => {
    [sqlite, postgres] = await Promise.all([
      kustomize("deploy/overlays/sqlite"),
      kustomize("deploy/overlays/postgres"),
    ]);
  });

  it("build with kubectl kustomize, deploy/ itself being the SQLite one", async () => {
    expect(await kustomize("deploy")).toEqual(sqlite);
    expect(
      sqlite
        .map((object) => `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`)
        .map((line) => line.replace(/^(ConfigMap kubedrift\/kubedrift-config)-[a-z0-9]+$/, "$1-<hash>"))
        .sort(),
    ).toEqual([
      "ClusterRole /kubedrift",
      "ClusterRoleBinding /kubedrift",
      "ConfigMap kubedrift/kubedrift-config-<hash>",
      "ConfigMap kubedrift/kubedrift-sources",
      "Deployment kubedrift/kubedrift",
      "Namespace /kubedrift",
      "PersistentVolumeClaim kubedrift/kubedrift-data",
      "Role default/kubedrift",
      "Role kubedrift/kubedrift",
      "Role shop/kubedrift",
      "RoleBinding default/kubedrift",
      "RoleBinding kubedrift/kubedrift",
      "RoleBinding shop/kubedrift",
      "Service kubedrift/kubedrift",
      "ServiceAccount kubedrift/kubedrift",
    ]);
    expect(postgres.some((object) => object.kind === "PodDisruptionBudget")).toBe(true);
    // The ServiceMonitor needs the Prometheus Operator's CRD: it is apart, in deploy/monitoring-operator.
    expect(
      [...sqlite, ...postgres].some((object) => object.apiVersion.startsWith("monitoring.coreos.com")),
    ).toBe(false);
    const monitoring = await kustomize("deploy/monitoring-operator");
    expect(monitoring.map((object) => object.kind)).toEqual(["ServiceMonitor"]);
    expect(monitoring[0]?.["spec"]).toMatchObject({
      selector: { matchLabels: { "app.kubernetes.io/name": "kubedrift" } },
      endpoints: [{ port: "metrics", honorLabels: true }],
    });
  });

  it("run one SQLite writer on a volume, and two replicas on PostgreSQL from a Secret", () => {
    const one = deploymentOf(sqlite);
    expect(one.replicas).toBe(1);
    expect(one.strategy?.type).toBe("Recreate");
    expect(one.container.args).toContain("--store=sqlite:/data/kubedrift.db");
    expect(one.container.volumeMounts).toContainEqual({ name: "data", mountPath: "/data" });
    expect(one.pod.volumes).toContainEqual({
      name: "data",
      persistentVolumeClaim: { claimName: "kubedrift-data" },
    });

    const two = deploymentOf(postgres);
    expect(two.replicas).toBe(2);
    expect(two.container.args).toContain("--store=$(KUBEDRIFT_STORE_URL)");
    expect(two.container.args.filter((arg) => arg.startsWith("--store"))).toHaveLength(1);
    expect(two.container.env).toContainEqual({
      name: "KUBEDRIFT_STORE_URL",
      valueFrom: { secretKeyRef: { name: "kubedrift-postgres", key: "url" } },
    });
  });

  it("run watch as a locked-down non-root pod with probes, resources and metrics", () => {
    const { pod, container } = deploymentOf(sqlite);
    expect(pod.serviceAccountName).toBe("kubedrift");
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.args.slice(0, 3)).toEqual(["watch", "-f", "/config/manifests"]);
    expect(container.args).toContain("0.0.0.0:9090");
    expect(container.ports).toEqual([{ name: "metrics", containerPort: 9090, protocol: "TCP" }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    // About 270 MB resident at 10,000 objects.
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(512);
    expect(container.volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "256Mi" } });
    // Git credentials: a reference to a Secret the user creates, never a Secret with data in deploy/.
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({
        name: "git-credentials",
        secret: expect.objectContaining({ secretName: "kubedrift-git", optional: true }),
      }),
    );
    expect(sqlite.some((object) => object.kind === "Secret")).toBe(false);
    expect(find(sqlite, "Service", "kubedrift")["spec"]).toMatchObject({
      ports: [{ name: "metrics", port: 9090 }],
    });
  });

  it("carry a kubedrift.yaml that kubedrift reads, and the shop example's manifests unchanged", () => {
    const configMap = sqlite.find(
      (object) => object.kind === "ConfigMap" && object.metadata.name.startsWith("kubedrift-config-"),
    );
    const config = configMap?.["data"] as Record<string, string>;
    expect(config["kubedrift.yaml"]).toBe(
      readFileSync(join(root, "deploy", "base", "kubedrift.yaml"), "utf8"),
    );
    expect(parseEngineConfig(config["kubedrift.yaml"] ?? "", "kubedrift.yaml").policies).toEqual([
      { mode: "detect" },
    ]);
    const sources = find(sqlite, "ConfigMap", "kubedrift-sources")["data"] as Record<string, string>;
    expect(Object.keys(sources).sort()).toEqual(["namespace.yaml", "web.yaml"]);
    for (const [file, text] of Object.entries(sources))
      expect(text).toBe(readFileSync(join(root, "examples", "shop", file), "utf8"));
  });
});

function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (match === null) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
}

describe("deploy/ against the sandbox", () => {
  const fixture = useSandbox();
  const startWatch = useWatchProcesses();

  it("is the least RBAC permissionsFor computes for examples/shop and the base's kubedrift.yaml", async () => {
    const cluster = connectCluster({ kubeconfig: fixture.sandbox().kubeconfigPath, env: {} });
    const served = new Map(
      (await cluster.resources()).map((resource) => [`${resource.group}/${resource.kind}`, resource]),
    );
    const { objects } = await loadSources({ filenames: ["examples/shop"], kustomize: [] }, { cwd: root });
    const config = parseEngineConfig(
      readFileSync(join(root, "deploy", "base", "kubedrift.yaml"), "utf8"),
      "kubedrift.yaml",
    );
    const expected = permissionsFor(
      scopeOf(objects),
      served,
      { rules: config.policies ?? [], fallback: "detect" },
      { name: "kubedrift", namespace: "kubedrift" },
    );
    expect(readDocuments("deploy/base/rbac.yaml")).toEqual(expected);
    // What kustomize makes of it is the same, and the base has no other RBAC.
    expect(sorted((await kustomize("deploy/base")).filter(isRbac))).toEqual(sorted(expected));
  });

  it("applies with kubectl apply -k, server-side dry run first", async () => {
    const sandbox = fixture.sandbox();
    // The Roles go into the watched namespaces, which exist before kubedrift is installed; and a
    // server-side dry run, as kube-apiserver's, does not create the namespace its other objects go in.
    await kubectlOk(sandbox, ["apply", "-f", join(root, "examples", "shop")]);
    await kubectlOk(sandbox, ["apply", "-f", join(root, "deploy", "base", "namespace.yaml")]);
    for (const overlay of ["deploy/overlays/sqlite", "deploy/overlays/postgres"]) {
      const args = ["apply", "-k", join(root, overlay), "--dry-run=server"];
      const result = await runKubectl(sandbox, args);
      expect(result.code, describeFailure(args, result)).toBe(0);
    }
    const args = ["apply", "-k", join(root, "deploy")];
    const result = await runKubectl(sandbox, args);
    expect(result.code, describeFailure(args, result)).toBe(0);
    const roles = await kubectlOk(sandbox, [
      "get",
      "roles,rolebindings",
      "-A",
      "-l",
      "app.kubernetes.io/name=kubedrift",
      "-o",
      "name",
    ]);
    expect(roles.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "role.rbac.authorization.k8s.io/kubedrift",
      "role.rbac.authorization.k8s.io/kubedrift",
      "role.rbac.authorization.k8s.io/kubedrift",
      "rolebinding.rbac.authorization.k8s.io/kubedrift",
      "rolebinding.rbac.authorization.k8s.io/kubedrift",
      "rolebinding.rbac.authorization.k8s.io/kubedrift",
    ]);
    const deployment = await kubectlOk(sandbox, [
      "-n",
      "kubedrift",
      "get",
      "deployment",
      "kubedrift",
      "-o",
      "yaml",
    ]);
    const live = parseYaml(deployment.stdout) as { spec: { template: { spec: PodSpec } } };
    expect(live.spec.template.spec.containers[0]?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      runAsUser: 10001,
    });
  });

  it("gives the ServiceAccount what watch reads and writes for the example, and nothing else", async () => {
    const sandbox = fixture.sandbox();
    // After the previous test's apply: the sandbox authorizes a ServiceAccount's token with RBAC.
    const token = (
      await kubectlOk(sandbox, ["-n", "kubedrift", "create", "token", "kubedrift"])
    ).stdout.trim();
    const canI = async (...question: readonly string[]): Promise<string> =>
      (await runKubectl(sandbox, ["--token", token, "auth", "can-i", ...question])).stdout.trim();
    const answers: Record<string, string> = {};
    for (const question of [
      "list deployments.apps -n shop",
      "watch services -n shop",
      "get configmaps -n shop",
      "list namespaces",
      "create events -n shop",
      "patch events -n default",
      "get leases.coordination.k8s.io -n kubedrift",
      "update leases.coordination.k8s.io -n kubedrift",
      "patch deployments.apps -n shop",
      "create configmaps -n shop",
      "delete deployments.apps -n shop",
      "list secrets -n shop",
      "list deployments.apps -n default",
      "create leases.coordination.k8s.io -n shop",
      "create namespaces",
    ])
      answers[question] = await canI(...question.split(" "));
    expect(answers).toEqual({
      "list deployments.apps -n shop": "yes",
      "watch services -n shop": "yes",
      "get configmaps -n shop": "yes",
      "list namespaces": "yes",
      "create events -n shop": "yes",
      "patch events -n default": "yes",
      "get leases.coordination.k8s.io -n kubedrift": "yes",
      "update leases.coordination.k8s.io -n kubedrift": "yes",
      "patch deployments.apps -n shop": "no",
      "create configmaps -n shop": "no",
      "delete deployments.apps -n shop": "no",
      "list secrets -n shop": "no",
      "list deployments.apps -n default": "no",
      "create leases.coordination.k8s.io -n shop": "no",
      "create namespaces": "no",
    });
  });

  it("lets watch run with the ServiceAccount's token: it reads, records, writes Events and leads, and cannot heal", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const token = (
      await kubectlOk(sandbox, ["-n", "kubedrift", "create", "token", "kubedrift"])
    ).stdout.trim();
    const admin = parseYaml(readFileSync(sandbox.kubeconfigPath, "utf8")) as {
      users: { name: string; user: Record<string, unknown> }[];
    };
    const kubeconfig = join(directory, "serviceaccount.kubeconfig");
    writeFileSync(
      kubeconfig,
      stringifyYaml({ ...admin, users: admin.users.map((user) => ({ ...user, user: { token } })) }),
    );
    const watch = startWatch(
      [
        "-f",
        join(root, "examples", "shop"),
        "--kubeconfig",
        kubeconfig,
        "--store",
        `sqlite:${join(directory, "serviceaccount.db")}`,
        "--listen",
        "127.0.0.1:0",
        "--leader-elect",
        "--heal",
        "--heal-after",
        "0s",
      ],
      directory,
    );
    await until(
      () => watch.lines().some((line) => line["msg"] === "leading"),
      `leading (stderr: ${watch.stderr()})`,
      60_000,
    );
    await untilSynced(watch, 60_000);
    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", "shop", "--replicas=5"]);
    const failed = await until(
      () => watch.lines().find((line) => line["msg"] === "heal failed"),
      `the refused heal (stderr: ${watch.stderr()})`,
    );
    // No more than it needs: patching a Deployment is outside the RBAC it was given.
    expect(String(failed["error"])).toMatch(
      /^403 Forbidden: deployments.apps "web" is forbidden: User "system:serviceaccount:kubedrift:kubedrift" cannot patch resource "deployments"/,
    );
    expect(watch.lines().some((line) => line["msg"] === "drift opened")).toBe(true);
    const events = await kubectlOk(sandbox, [
      "get",
      "events",
      "-n",
      "shop",
      "-o",
      "jsonpath={.items[*].reason}",
    ]);
    expect(events.stdout.split(" ")).toEqual(expect.arrayContaining(["DriftDetected", "HealFailed"]));
    expect(watch.lines().filter((line) => line["msg"] === "event write failed")).toEqual([]);
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
  }, 120_000);
});

describe("the Dockerfile", () => {
  const text = readFileSync(join(root, "Dockerfile"), "utf8");
  const instructions = text
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
  const stages = instructions.reduce<string[][]>((all, line) => {
    if (line.startsWith("FROM ")) all.push([]);
    all.at(-1)?.push(line);
    return all;
  }, []);

  it("builds on node:24-slim in two stages, keeps only production dependencies, and has git", () => {
    expect(stages.map((stage) => stage[0])).toEqual(["FROM node:24-slim AS build", "FROM node:24-slim"]);
    expect(stages[0]).toEqual(
      expect.arrayContaining(["RUN npm ci", "RUN npm run build", "RUN npm prune --omit=dev"]),
    );
    const runtime = stages[1] ?? [];
    // The one RUN of the runtime stage installs git and ssh for --git-url, and nothing of npm.
    const runs = runtime.filter((line) => line.startsWith("RUN "));
    expect(runs).toEqual(["RUN apt-get update \\"]);
    expect(text).toContain("apt-get install -y --no-install-recommends git openssh-client ca-certificates");
    expect(runtime.some((line) => line.includes("npm"))).toBe(false);
    expect(runtime).toContain("COPY --from=build /app/node_modules ./node_modules");
  });

  it("runs the kubedrift CLI as a non-root user, with no shell in between", () => {
    const runtime = stages[1] ?? [];
    const user = runtime.filter((line) => line.startsWith("USER ")).at(-1);
    expect(user).toBe("USER 10001:10001");
    const entrypoint = runtime.find((line) => line.startsWith("ENTRYPOINT "));
    expect(JSON.parse(entrypoint?.slice("ENTRYPOINT ".length) ?? "null")).toEqual(["/app/bin/kubedrift"]);
  });

  it("leaves out of the build context what the image does not need", () => {
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "dist", ".git", "test"]));
  });
});
