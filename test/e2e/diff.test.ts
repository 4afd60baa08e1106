/**
 * kubedrift diff end to end: manifests applied to the sandbox with the real kubectl, changed with
 * real kubectl commands, then the built `kubedrift diff` run as a process; its exit status and JSON
 * report are checked field by field.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk, runKubectl } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

/** The manifests of one namespace's app; line numbers below refer to this text. */
function manifests(namespace: string): Readonly<Record<string, string>> {
  return {
    "namespace.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
`,
    "web.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
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
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              cpu: "0.5"
              memory: 128Mi
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
`,
    "config.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
data:
  CACHE_TTL: "300"
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: ${namespace}
stringData:
  password: s3cret-value
`,
  };
}

interface Drift {
  readonly path: string;
  readonly type: string;
  readonly desired?: unknown;
  readonly live?: unknown;
  readonly source?: { readonly file: string; readonly line: number };
  readonly manager?: string;
  readonly operation?: string;
  readonly changedAt?: string;
}

interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: string;
  readonly drifts: readonly Drift[];
}

interface Report {
  readonly apiVersion: string;
  readonly kind: string;
  readonly cluster: string;
  readonly summary: Readonly<Record<string, number>>;
  readonly resources: readonly Resource[];
}

/** A scratch directory with the app's manifests, applied to the sandbox in its own namespace. */
async function deployApp(namespace: string): Promise<string> {
  const directory = join(fixture.directory(), namespace);
  mkdirSync(join(directory, "deploy"), { recursive: true });
  for (const [file, text] of Object.entries(manifests(namespace)))
    writeFileSync(join(directory, "deploy", file), text);
  await kubectlOk(fixture.sandbox(), ["apply", "-f", join(directory, "deploy", "namespace.yaml")]);
  await kubectlOk(fixture.sandbox(), ["apply", "-f", join(directory, "deploy")]);
  return directory;
}

async function diff(
  directory: string,
  extra: readonly string[] = [],
): Promise<{ code: number; report: Report; stderr: string }> {
  const result = await runKubedrift(
    ["diff", "-f", "deploy", "--kubeconfig", fixture.sandbox().kubeconfigPath, "-o", "json", ...extra],
    {
      cwd: directory,
    },
  );
  if (result.stdout === "")
    throw new Error(`kubedrift diff printed nothing (exit ${result.code}): ${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

function drifted(report: Report): readonly Resource[] {
  return report.resources.filter((resource) => resource.status !== "InSync");
}

const timestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) as unknown;

describe("kubedrift diff against the sandbox", () => {
  it("reports nothing when nothing changed: defaults, quantities and allocations are not drift", async () => {
    const directory = await deployApp("calm");
    const { code, report, stderr } = await diff(directory);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(report).toMatchObject({ apiVersion: "kubedrift.dev/v1", kind: "DriftReport", cluster: "sandbox" });
    expect(report.summary).toEqual({ total: 5, inSync: 5, drifted: 0, missing: 0, extra: 0, errors: 0 });
    expect(drifted(report)).toEqual([]);
  });

  it("reports a scaled Deployment once, with the file and line of the field and the manager that changed it", async () => {
    const directory = await deployApp("scaled");
    await kubectlOk(fixture.sandbox(), ["-n", "scaled", "scale", "deployment/web", "--replicas=5"]);
    const { code, report } = await diff(directory);
    expect(code).toBe(2);
    expect(report.summary).toEqual({ total: 5, inSync: 4, drifted: 1, missing: 0, extra: 0, errors: 0 });
    expect(drifted(report)).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "scaled",
        name: "web",
        status: "Drifted",
        source: { file: "deploy/web.yaml", line: 1 },
        drifts: [
          {
            path: "/spec/replicas",
            type: "Changed",
            desired: 2,
            live: 5,
            source: { file: "deploy/web.yaml", line: 7 },
            manager: "kubectl",
            operation: "Update",
            subresource: "scale",
          },
        ],
      },
    ]);
  });

  it("reports set image as Changed and set env as Added, both by kubectl-set", async () => {
    const directory = await deployApp("setters");
    await kubectlOk(fixture.sandbox(), ["-n", "setters", "set", "image", "deployment/web", "web=nginx:1.28"]);
    await kubectlOk(fixture.sandbox(), ["-n", "setters", "set", "env", "deployment/web", "DEBUG=1"]);
    const { code, report } = await diff(directory);
    expect(code).toBe(2);
    const [deployment] = drifted(report);
    expect(deployment?.drifts).toEqual([
      {
        path: "/spec/template/spec/containers/0/env/1",
        type: "Added",
        reason: "outOfBand",
        live: { name: "DEBUG", value: "1" },
        source: { file: "deploy/web.yaml", line: 1 },
        manager: "kubectl-set",
        operation: "Update",
        changedAt: timestamp,
      },
      {
        path: "/spec/template/spec/containers/0/image",
        type: "Changed",
        desired: "nginx:1.27",
        live: "nginx:1.28",
        source: { file: "deploy/web.yaml", line: 18 },
        manager: "kubectl-set",
        operation: "Update",
        changedAt: timestamp,
      },
    ]);
  });

  it("reports an added label as Added by kubectl-label and a removed port as Removed", async () => {
    const directory = await deployApp("labels");
    await kubectlOk(fixture.sandbox(), ["-n", "labels", "label", "deployment/web", "team=payments"]);
    await kubectlOk(fixture.sandbox(), [
      "-n",
      "labels",
      "patch",
      "deployment/web",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/spec/template/spec/containers/0/ports"}]',
    ]);
    const { report } = await diff(directory);
    const [deployment] = drifted(report);
    expect(deployment?.drifts).toEqual([
      {
        path: "/metadata/labels/team",
        type: "Added",
        reason: "outOfBand",
        live: "payments",
        source: { file: "deploy/web.yaml", line: 1 },
        manager: "kubectl-label",
        operation: "Update",
        changedAt: timestamp,
      },
      // The whole list went, so the list is what was removed.
      {
        path: "/spec/template/spec/containers/0/ports",
        type: "Removed",
        desired: [{ containerPort: 80 }],
        source: { file: "deploy/web.yaml", line: 19 },
      },
    ]);
  });

  it("reports a changed ConfigMap key by its manager, and a changed Secret without its values", async () => {
    const directory = await deployApp("config");
    await kubectlOk(fixture.sandbox(), [
      "-n",
      "config",
      "patch",
      "configmap/web-config",
      "-p",
      '{"data":{"CACHE_TTL":"60"}}',
    ]);
    await kubectlOk(fixture.sandbox(), [
      "-n",
      "config",
      "patch",
      "secret/web-secret",
      "-p",
      '{"stringData":{"password":"leaked-value"}}',
    ]);
    const { code, report } = await diff(directory);
    expect(code).toBe(2);
    const byKind = Object.fromEntries(drifted(report).map((resource) => [resource.kind, resource.drifts]));
    expect(byKind["ConfigMap"]).toEqual([
      {
        path: "/data/CACHE_TTL",
        type: "Changed",
        desired: "300",
        live: "60",
        source: { file: "deploy/config.yaml", line: 7 },
        manager: "kubectl-patch",
        operation: "Update",
        changedAt: timestamp,
      },
    ]);
    const [secretDrift] = byKind["Secret"] ?? [];
    expect(secretDrift).toMatchObject({
      path: "/stringData/password",
      type: "Changed",
      manager: "kubectl-patch",
    });
    expect(secretDrift?.desired).toBeUndefined();
    expect(secretDrift?.live).toBeUndefined();
    const text = JSON.stringify(report);
    expect(text).not.toContain("s3cret-value");
    expect(text).not.toContain("leaked-value");
    expect(text).not.toContain(Buffer.from("leaked-value").toString("base64"));
  });

  it("reports a deleted object as Missing and an object nobody declared as Extra", async () => {
    const directory = await deployApp("lifecycle");
    await kubectlOk(fixture.sandbox(), ["-n", "lifecycle", "delete", "configmap", "web-config"]);
    await kubectlOk(fixture.sandbox(), [
      "-n",
      "lifecycle",
      "create",
      "configmap",
      "hotfix",
      "--from-literal=a=1",
    ]);
    const { code, report } = await diff(directory);
    expect(code).toBe(2);
    expect(report.summary).toMatchObject({ missing: 1, extra: 1 });
    expect(
      drifted(report)
        .map((resource) => `${resource.status} ${resource.kind} ${resource.name}`)
        .sort(),
    ).toEqual(["Extra ConfigMap hotfix", "Missing ConfigMap web-config"]);
  });

  it("gives the same report from --live-file as from the cluster", async () => {
    const directory = await deployApp("offline");
    await kubectlOk(fixture.sandbox(), ["-n", "offline", "scale", "deployment/web", "--replicas=3"]);
    // --show-managed-fields: without it kubectl strips the ownership that attribution reads.
    const live = await kubectlOk(fixture.sandbox(), [
      "get",
      "deploy,svc,cm,secret",
      "-n",
      "offline",
      "-o",
      "yaml",
      "--show-managed-fields",
    ]);
    const namespaceYaml = await kubectlOk(fixture.sandbox(), [
      "get",
      "namespace",
      "offline",
      "-o",
      "yaml",
      "--show-managed-fields",
    ]);
    writeFileSync(join(directory, "live.yaml"), `${namespaceYaml.stdout}---\n${live.stdout}`);
    const online = await diff(directory);
    const offline = await diff(directory, ["--live-file", "live.yaml"]);
    expect(offline.code).toBe(online.code);
    expect(offline.report.summary).toEqual(online.report.summary);
    expect(offline.report.resources).toEqual(online.report.resources);
    expect(offline.report.cluster).toBe("live.yaml");
  });
});

describe("kubedrift diff with Kustomize and a config file", () => {
  it("reads a Kustomize overlay with -k and points drift at the base file's line", async () => {
    const directory = await deployApp("kustomized");
    writeFileSync(
      join(directory, "deploy", "kustomization.yaml"),
      "resources:\n  - web.yaml\n  - config.yaml\n",
    );
    await kubectlOk(fixture.sandbox(), ["-n", "kustomized", "scale", "deployment/web", "--replicas=4"]);
    const result = await runKubedrift(
      ["diff", "-k", "deploy", "--kubeconfig", fixture.sandbox().kubeconfigPath, "-o", "json"],
      {
        cwd: directory,
      },
    );
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.summary).toEqual({ total: 4, inSync: 3, drifted: 1, missing: 0, extra: 0, errors: 0 });
    expect(drifted(report)[0]?.drifts).toEqual([
      {
        path: "/spec/replicas",
        type: "Changed",
        desired: 2,
        live: 4,
        source: { file: "deploy/web.yaml", line: 7 },
        manager: "kubectl",
        operation: "Update",
        subresource: "scale",
      },
    ]);
  });

  it("ignores what kubedrift.yaml says to ignore: a path, and whatever a manager owns", async () => {
    const directory = await deployApp("ignored");
    await kubectlOk(fixture.sandbox(), ["-n", "ignored", "scale", "deployment/web", "--replicas=4"]);
    await kubectlOk(fixture.sandbox(), ["-n", "ignored", "label", "configmap/web-config", "owner=ops"]);
    writeFileSync(
      join(directory, "kubedrift.yaml"),
      `apiVersion: kubedrift.dev/v1
kind: Config
ignore:
  - path: /spec/replicas
    kinds: [Deployment]
  - manager: kubectl-label
`,
    );
    const { code, report } = await diff(directory);
    expect(code).toBe(0);
    expect(drifted(report)).toEqual([]);
    const strict = await diff(directory, ["--config", "/dev/null"]);
    expect(strict.code).toBe(2);
    expect(strict.report.summary.drifted).toBe(2);
  });

  it("rejects a config file with a mistake, naming the file and line", async () => {
    const directory = fixture.directory();
    writeFileSync(
      join(directory, "bad-config.yaml"),
      "apiVersion: kubedrift.dev/v1\nkind: Config\nignore:\n  - kinds: [Deployment]\n",
    );
    const result = await runKubedrift(
      ["diff", "-f", "-", "--kubeconfig", fixture.sandbox().kubeconfigPath, "--config", "bad-config.yaml"],
      { cwd: directory, input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: bad-config\.yaml:4: .+\n$/);
  });
});

describe("kubedrift diff on bad input", () => {
  async function failure(
    directory: string,
    args: readonly string[],
    input?: string,
  ): Promise<{ code: number; stderr: string; stdout: string }> {
    const result = await runKubedrift(["diff", ...args], {
      cwd: directory,
      ...(input === undefined ? {} : { input }),
    });
    return result;
  }

  it("names the file and line of malformed YAML", async () => {
    const directory = fixture.directory();
    writeFileSync(
      join(directory, "broken.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    );
    const result = await failure(directory, [
      "-f",
      "broken.yaml",
      "--kubeconfig",
      fixture.sandbox().kubeconfigPath,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: broken\.yaml:\d+(:\d+)?: .+\n$/);
  });

  it("says which document has no kind", async () => {
    const result = await failure(
      fixture.directory(),
      ["-f", "-", "--kubeconfig", fixture.sandbox().kubeconfigPath],
      "apiVersion: v1\nmetadata:\n  name: x\n",
    );
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(result.stderr).toContain('no "kind"');
  });

  it("says that a kind is not served by the cluster", async () => {
    const result = await failure(
      fixture.directory(),
      ["-f", "-", "--kubeconfig", fixture.sandbox().kubeconfigPath],
      "apiVersion: example.com/v1\nkind: Frobnicator\nmetadata:\n  name: x\n",
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*Frobnicator.* is not served by the cluster\n$/);
  });

  it("reports a missing kubeconfig, an unknown context and an unreachable server in one line each", async () => {
    const directory = fixture.directory();
    const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    const missing = await failure(
      directory,
      ["-f", "-", "--kubeconfig", "/nonexistent/kubeconfig"],
      manifest,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*\/nonexistent\/kubeconfig.*\n$/);
    const context = await failure(
      directory,
      ["-f", "-", "--kubeconfig", fixture.sandbox().kubeconfigPath, "--context", "nope"],
      manifest,
    );
    expect(context.code).toBe(1);
    expect(context.stderr).toMatch(/^error: .*context "nope".*\n$/);
    const unreachable = join(directory, "unreachable.kubeconfig");
    writeFileSync(
      unreachable,
      "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\n",
    );
    const down = await failure(directory, ["-f", "-", "--kubeconfig", unreachable], manifest);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: .*127\.0\.0\.1:1.*\n$/);
  });

  it("refuses a 401 with the context named", async () => {
    const directory = fixture.directory();
    const wrong = join(directory, "wrong-token.kubeconfig");
    const { readFileSync } = await import("node:fs");
    writeFileSync(
      wrong,
      readFileSync(fixture.sandbox().kubeconfigPath, "utf8").replace(/token: .*/, "token: wrong"),
    );
    const result = await failure(
      directory,
      ["-f", "-", "--kubeconfig", wrong],
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(result.stderr).toMatch(/unauthori[sz]ed/i);
  });

  it("fails in one line when the server fails mid-list", async () => {
    const directory = await deployApp("flaky");
    const sandbox = fixture.sandbox() as unknown as { faults: { set(options: object): void } };
    sandbox.faults.set({ errorRate: { list: 1 }, errorStatus: 500 });
    try {
      const result = await failure(directory, [
        "-f",
        "deploy",
        "--kubeconfig",
        fixture.sandbox().kubeconfigPath,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr.split("\n")).toHaveLength(2);
      expect(result.stderr).toMatch(/^error: .*(list|listing).*\n$/);
    } finally {
      sandbox.faults.set({});
    }
    const ok = await runKubectl(fixture.sandbox(), ["get", "ns", "flaky"]);
    expect(ok.code).toBe(0);
  });
});
