/**
 * Helm releases and Git revisions as sources, end to end: a release Secret built the way Helm 3
 * stores it and the objects it describes, applied to the sandbox with the real kubectl; a Git
 * repository with two commits of a manifest. The built `kubedrift diff` runs as a process.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import type { KubeObject } from "../../src/kube/value/json.js";
import { encodeHelmRelease, loadHelmReleases } from "../../src/sources/helm/index.js";
import type { HelmReleaseRecord, ReleaseStore } from "../../src/sources/helm/index.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

/** Rendered as Helm renders: a `# Source:` comment per document; objects name no namespace. */
function chartManifest(replicas: number): string {
  return `---
# Source: shop-web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 80
---
# Source: shop-web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
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
`;
}

function helmRelease(
  version: number,
  status: HelmReleaseRecord["status"],
  replicas: number,
): HelmReleaseRecord {
  return {
    name: "web",
    namespace: "shop",
    version,
    status,
    chart: { name: "shop-web", version: `1.${version}.0`, appVersion: "1.27" },
    manifest: chartManifest(replicas),
    deployedAt: `2026-11-2${version}T10:00:00Z`,
  };
}

function writeJson(directory: string, name: string, object: KubeObject): string {
  const file = join(directory, name);
  writeFileSync(file, JSON.stringify(object));
  return file;
}

/** Revision 1 superseded by revision 2, then both stored and revision 2's objects applied, as `helm upgrade` leaves them. */
async function installRelease(sandbox: SandboxConnection, directory: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
  await kubectlOk(sandbox, ["create", "namespace", "shop"]);
  await kubectlOk(sandbox, [
    "apply",
    "-f",
    writeJson(directory, "v1.json", encodeHelmRelease(helmRelease(1, "superseded", 1))),
    "-f",
    writeJson(directory, "v2.json", encodeHelmRelease(helmRelease(2, "deployed", 2))),
  ]);
  writeFileSync(join(directory, "rendered.yaml"), chartManifest(2));
  await kubectlOk(sandbox, ["-n", "shop", "apply", "-f", join(directory, "rendered.yaml")]);
}

/** What the CLI's store does through client-node, done with kubectl: the Secrets as the API returns them. */
function kubectlReleaseStore(sandbox: SandboxConnection): ReleaseStore {
  const list = async (resource: string, namespace: string | undefined): Promise<readonly KubeObject[]> => {
    const scope = namespace === undefined ? ["--all-namespaces"] : ["-n", namespace];
    const result = await kubectlOk(sandbox, ["get", resource, ...scope, "-l", "owner=helm", "-o", "json"]);
    return (JSON.parse(result.stdout) as { readonly items: readonly KubeObject[] }).items;
  };
  return {
    secrets: (namespace) => list("secrets", namespace),
    configMaps: (namespace) => list("configmaps", namespace),
  };
}

interface Report {
  readonly summary: Readonly<Record<string, number>>;
  readonly revision?: { readonly ref: string; readonly commit: string };
  readonly resources: readonly {
    readonly kind: string;
    readonly name: string;
    readonly status: string;
    readonly helm?: unknown;
    readonly drifts: readonly unknown[];
  }[];
}

async function diffJson(
  args: readonly string[],
  cwd: string,
): Promise<{ readonly code: number; readonly report: Report }> {
  const result = await runKubedrift(
    ["diff", ...args, "--kubeconfig", fixture.sandbox().kubeconfigPath, "-o", "json"],
    { cwd },
  );
  if (result.stdout === "")
    throw new Error(`kubedrift diff printed nothing (exit ${result.code}): ${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

describe("Helm releases", () => {
  const directory = (): string => join(fixture.directory(), "helm");

  it("a release Secret stored through the API decodes to the newest deployed revision", async () => {
    await installRelease(fixture.sandbox(), directory());
    const loaded = await loadHelmReleases(
      { releases: ["web"], all: false, namespace: "shop" },
      kubectlReleaseStore(fixture.sandbox()),
    );
    expect(loaded.objects.map((object) => [object.source.file, object.ref.namespace, object.origin])).toEqual(
      [
        [
          "helm:shop/web@2:templates/service.yaml",
          "shop",
          {
            kind: "helm",
            release: "web",
            namespace: "shop",
            revision: 2,
            chart: "shop-web",
            chartVersion: "1.2.0",
          },
        ],
        [
          "helm:shop/web@2:templates/deployment.yaml",
          "shop",
          {
            kind: "helm",
            release: "web",
            namespace: "shop",
            revision: 2,
            chart: "shop-web",
            chartVersion: "1.2.0",
          },
        ],
      ],
    );
  });

  it("kubedrift diff --helm-release reports drift with the release and chart version", async () => {
    await kubectlOk(fixture.sandbox(), ["-n", "shop", "scale", "deployment/web", "--replicas=5"]);
    const { code, report } = await diffJson(["--helm-release", "web", "-n", "shop"], directory());
    expect(code).toBe(2);
    expect(report.summary).toEqual({ total: 2, inSync: 1, drifted: 1, missing: 0, extra: 0, errors: 0 });
    const drifted = report.resources.filter((resource) => resource.status === "Drifted");
    expect(drifted).toMatchObject([
      {
        kind: "Deployment",
        name: "web",
        source: { file: "helm:shop/web@2:templates/deployment.yaml", line: 1 },
        helm: { release: "web", namespace: "shop", chart: "shop-web", chartVersion: "1.2.0", revision: 2 },
        drifts: [
          {
            path: "/spec/replicas",
            type: "Changed",
            desired: 2,
            live: 5,
            source: { file: "helm:shop/web@2:templates/deployment.yaml", line: 6 },
            manager: "kubectl",
          },
        ],
      },
    ]);
  });

  it("an unknown release is one line on stderr and exit 1", async () => {
    const result = await runKubedrift(
      ["diff", "--helm-release", "api", "-n", "shop", "--kubeconfig", fixture.sandbox().kubeconfigPath],
      { cwd: directory() },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('helm release "api" not found in namespace "shop"');
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

function deployment(replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: gitref
spec:
  replicas: ${replicas}
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
`;
}

function git(
  repository: string,
  args: readonly string[],
  author = "Ada",
  date = "2026-03-01T09:00:00Z",
): string {
  return execFileSync("git", [...args], {
    cwd: repository,
    encoding: "utf8",
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: repository,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: author,
      GIT_AUTHOR_EMAIL: `${author.toLowerCase()}@example.com`,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: author,
      GIT_COMMITTER_EMAIL: `${author.toLowerCase()}@example.com`,
      GIT_COMMITTER_DATE: date,
    },
  });
}

/** Two commits of deploy/web.yaml (2 then 3 replicas) and a local edit to 9 that no revision has. */
function gitRepository(repository: string): { readonly first: string; readonly second: string } {
  mkdirSync(join(repository, "deploy"), { recursive: true });
  git(repository, ["init", "--quiet", "--initial-branch=main"]);
  writeFileSync(join(repository, "deploy", "web.yaml"), deployment(2));
  git(repository, ["add", "--all"]);
  git(repository, ["commit", "--quiet", "--message", "web: two replicas"]);
  const first = git(repository, ["rev-parse", "HEAD"]).trim();
  writeFileSync(join(repository, "deploy", "web.yaml"), deployment(3));
  git(
    repository,
    ["commit", "--quiet", "--all", "--message", "web: three replicas"],
    "Grace",
    "2026-03-02T10:30:00Z",
  );
  const second = git(repository, ["rev-parse", "HEAD"]).trim();
  writeFileSync(join(repository, "deploy", "web.yaml"), deployment(9));
  return { first, second };
}

describe("--git-ref", () => {
  it("compares the cluster with the sources at each revision, names the commit, and blames the line", async () => {
    const repository = join(fixture.directory(), "infra");
    const { first, second } = gitRepository(repository);
    await kubectlOk(fixture.sandbox(), ["create", "namespace", "gitref"]);
    writeFileSync(join(fixture.directory(), "live-web.yaml"), deployment(3));
    await kubectlOk(fixture.sandbox(), ["apply", "-f", join(fixture.directory(), "live-web.yaml")]);

    const atFirst = await diffJson(["-f", "deploy", "--git-ref", first], repository);
    expect(atFirst.code).toBe(2);
    expect(atFirst.report.revision).toEqual({ ref: first, commit: first });
    expect(atFirst.report.resources).toMatchObject([
      {
        kind: "Deployment",
        name: "web",
        status: "Drifted",
        source: { file: "deploy/web.yaml", line: 1 },
        drifts: [
          {
            path: "/spec/replicas",
            type: "Changed",
            desired: 2,
            live: 3,
            source: { file: "deploy/web.yaml", line: 7 },
          },
        ],
      },
    ]);

    const atSecond = await diffJson(["-f", "deploy", "--git-ref", "main"], repository);
    expect(atSecond.code).toBe(0);
    expect(atSecond.report.revision).toEqual({ ref: "main", commit: second });
    expect(atSecond.report.summary).toEqual({
      total: 1,
      inSync: 1,
      drifted: 0,
      missing: 0,
      extra: 0,
      errors: 0,
    });

    const blamed = await runKubedrift(
      [
        "diff",
        "-f",
        "deploy",
        "--git-ref",
        first,
        "--blame",
        "--kubeconfig",
        fixture.sandbox().kubeconfigPath,
      ],
      { cwd: repository },
    );
    expect(blamed.code).toBe(2);
    expect(blamed.stdout).toContain(first.slice(0, 7));
    expect(blamed.stdout).toContain("web: two replicas");
    // The local edit (9 replicas) was never read, nor touched.
    expect(git(repository, ["status", "--porcelain"])).toBe(" M deploy/web.yaml\n");
  });

  it("an unknown revision is one line on stderr and exit 1", async () => {
    const repository = join(fixture.directory(), "infra");
    const result = await runKubedrift(
      ["diff", "-f", "deploy", "--git-ref", "nope", "--kubeconfig", fixture.sandbox().kubeconfigPath],
      { cwd: repository },
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toContain('unknown git revision "nope"');
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
