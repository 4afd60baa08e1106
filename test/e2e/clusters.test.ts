/**
 * Several clusters in one run: two sandboxes behind one kubeconfig (contexts `eu` and `us`), the
 * same manifests applied to both with the real kubectl, a different drift made in each, then the
 * built `kubedrift diff`, `plan` and `lint --live` with `--context eu --context us` and
 * `--all-contexts`: one report, a cluster on each resource, a summary per cluster.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startSandbox } from "../../src/sandbox/index.js";
import { sarifSchemaErrors } from "../../src/report/sarif-schema.test-helper.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { kubectlOk, scratchDirectory } from "../support/kubectl.js";
import { runKubedrift, type KubedriftResult } from "../support/kubedrift.js";

const scratch = scratchDirectory();
const clusters: (SandboxConnection & { readonly stop: () => Promise<void> })[] = [];
const names = ["eu", "us"] as const;

const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  LOG_LEVEL: info
`;

interface KubeconfigFile {
  readonly clusters: readonly { readonly name: string; readonly cluster: object }[];
  readonly users: readonly { readonly name: string; readonly user: object }[];
}

/** One kubeconfig with a context per sandbox, as `kubectl config view --flatten` of two merged would give. */
function mergedKubeconfig(): string {
  const read = (path: string): KubeconfigFile => parse(readFileSync(path, "utf8")) as KubeconfigFile;
  const files = clusters.map((cluster) => read(cluster.kubeconfigPath));
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "eu",
    clusters: files.map((file, index) => ({ name: names[index], cluster: file.clusters[0]?.cluster })),
    users: files.map((file, index) => ({ name: names[index], user: file.users[0]?.user })),
    contexts: names.map((name) => ({ name, context: { cluster: name, user: name, namespace: "default" } })),
  });
}

const kubeconfig = (): string => join(scratch.path, "kubeconfig");

function kubedrift(args: readonly string[]): Promise<KubedriftResult> {
  return runKubedrift([...args, "--kubeconfig", kubeconfig()], { cwd: scratch.path });
}

beforeAll(async () => {
  for (const name of names)
    clusters.push(await startSandbox({ kubeconfigPath: join(scratch.path, `${name}.kubeconfig`) }));
  writeFileSync(kubeconfig(), mergedKubeconfig());
  mkdirSync(join(scratch.path, "deploy"));
  writeFileSync(join(scratch.path, "deploy", "shop.yaml"), manifest);
  for (const cluster of clusters) await kubectlOk(cluster, ["apply", "-f", join(scratch.path, "deploy")]);
  const [eu, us] = clusters;
  if (eu === undefined || us === undefined) throw new Error("two sandboxes");
  await kubectlOk(eu, ["scale", "deployment", "web", "-n", "shop", "--replicas", "5"]);
  await kubectlOk(us, [
    "patch",
    "configmap",
    "settings",
    "-n",
    "shop",
    "-p",
    '{"data":{"LOG_LEVEL":"debug"}}',
  ]);
}, 120_000);

afterAll(async () => {
  for (const cluster of clusters) await cluster.stop();
  scratch.remove();
});

interface Report {
  readonly cluster: string;
  readonly summary: Readonly<Record<string, number>>;
  readonly clusters: readonly { readonly name: string; readonly summary: Readonly<Record<string, number>> }[];
  readonly resources: readonly {
    readonly cluster: string;
    readonly kind: string;
    readonly name: string;
    readonly status: string;
    readonly drifts: readonly { readonly path: string; readonly desired: unknown; readonly live: unknown }[];
  }[];
}

/** `diff` of the manifests in both clusters, named one by one, as JSON. */
const diffBoth = ["diff", "-f", "deploy", "--context", "eu", "--context", "us", "-o", "json"] as const;

describe("diff over several clusters", () => {
  it("reports every resource once per cluster, with its cluster, and a summary per cluster", async () => {
    const result = await kubedrift(diffBoth);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.cluster).toBe("eu, us");
    expect(report.clusters).toEqual([
      { name: "eu", summary: { total: 3, inSync: 2, drifted: 1, missing: 0, extra: 0, errors: 0 } },
      { name: "us", summary: { total: 3, inSync: 2, drifted: 1, missing: 0, extra: 0, errors: 0 } },
    ]);
    expect(report.summary).toEqual({ total: 6, inSync: 4, drifted: 2, missing: 0, extra: 0, errors: 0 });
    const drifted = report.resources
      .filter((resource) => resource.status === "Drifted")
      .map((resource) => [
        resource.cluster,
        resource.kind,
        resource.drifts.map((drift) => [drift.path, drift.desired, drift.live]),
      ]);
    expect(drifted).toEqual([
      ["eu", "Deployment", [["/spec/replicas", 2, 5]]],
      ["us", "ConfigMap", [["/data/LOG_LEVEL", "info", "debug"]]],
    ]);
    expect(report.resources.map((resource) => resource.cluster)).toEqual([
      "eu",
      "eu",
      "eu",
      "us",
      "us",
      "us",
    ]);
  });

  it("--all-contexts checks every context of the kubeconfig, in its order", async () => {
    const named = await kubedrift(diffBoth);
    const all = await kubedrift(["diff", "-f", "deploy", "--all-contexts", "-o", "json"]);
    expect(all.code).toBe(2);
    const withoutTime = (text: string): unknown => ({ ...(JSON.parse(text) as object), generatedAt: "" });
    expect(withoutTime(all.stdout)).toEqual(withoutTime(named.stdout));
  });

  it("text and markdown give each cluster's verdict, then the total", async () => {
    const text = await kubedrift(["diff", "-f", "deploy", "--all-contexts", "--no-color"]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^3 resources in eu: 1 drifted, 2 in sync$/m);
    expect(text.stdout).toMatch(/^3 resources in us: 1 drifted, 2 in sync$/m);
    expect(text.stdout.trimEnd().split("\n").at(-1)).toBe("2 clusters: 2 drifted, 4 in sync");
    const markdown = await kubedrift(["diff", "-f", "deploy", "--all-contexts", "-o", "markdown"]);
    expect(markdown.stdout.match(/^## kubedrift: 1 drifted, 2 in sync$/gm)).toHaveLength(2);
    expect(markdown.stdout).toContain("compared with `eu` at");
    expect(markdown.stdout).toContain("compared with `us` at");
    expect(markdown.stdout.trimEnd().split("\n").at(-1)).toBe("**2 clusters: 2 drifted, 4 in sync**");
  });

  it("SARIF names the cluster of each result and keeps the same object in two clusters apart; JUnit has a suite per cluster", async () => {
    const sarif = await kubedrift(["diff", "-f", "deploy", "--all-contexts", "-o", "sarif"]);
    const log = JSON.parse(sarif.stdout) as {
      runs: readonly {
        properties: { clusters: readonly { name: string }[] };
        results: readonly { message: { text: string }; properties?: { cluster?: string } }[];
      }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    const [run] = log.runs;
    expect(run?.properties.clusters.map((cluster) => cluster.name)).toEqual(["eu", "us"]);
    expect(run?.results.map((result) => result.properties?.cluster)).toEqual(["eu", "us"]);
    expect(run?.results[0]?.message.text).toMatch(/^Deployment shop\/web in cluster eu: /);
    const junit = await kubedrift(["diff", "-f", "deploy", "--all-contexts", "-o", "junit"]);
    expect(junit.stdout.match(/<testsuite name="kubedrift \((eu|us)\)"/g)).toEqual([
      '<testsuite name="kubedrift (eu)"',
      '<testsuite name="kubedrift (us)"',
    ]);
    expect(junit.stdout).toMatch(
      /<testsuites name="kubedrift" tests="6" failures="2" errors="0" skipped="0">/,
    );
  });
});

describe("plan and lint --live over several clusters", () => {
  it("plan gives each cluster's plan (JSON: a PlanList) and the worst exit status", async () => {
    const result = await kubedrift(["plan", "-f", "deploy", "--all-contexts", "-o", "json"]);
    expect(result.code).toBe(2);
    const list = JSON.parse(result.stdout) as {
      kind: string;
      items: readonly { cluster: string; changes: readonly { kind: string }[] }[];
    };
    expect(list.kind).toBe("PlanList");
    expect(list.items.map((plan) => [plan.cluster, plan.changes.map((change) => change.kind)])).toEqual([
      ["eu", ["Deployment"]],
      ["us", ["ConfigMap"]],
    ]);
    const text = await kubedrift([
      "plan",
      "-f",
      "deploy",
      "--context",
      "eu",
      "--context",
      "us",
      "--no-color",
    ]);
    expect(text.stdout).toMatch(/^Cluster eu:$/m);
    expect(text.stdout).toMatch(/^Cluster us:$/m);
  });

  it("lint --live checks each cluster's live objects, each finding naming its cluster", async () => {
    const result = await kubedrift(["lint", "-f", "deploy", "--live", "--all-contexts", "-o", "json"]);
    const report = JSON.parse(result.stdout) as { findings: readonly { file: string }[] };
    const files = new Set(report.findings.map((finding) => finding.file));
    expect([...files].sort()).toEqual(["cluster:eu", "cluster:us"]);
  });
});

describe("naming clusters wrongly", () => {
  it("is one line, exit 1: two contexts where one is used, both ways of naming, a live file, an unknown context", async () => {
    const cases: readonly (readonly [readonly string[], RegExp])[] = [
      [
        ["apply", "-f", "deploy", "--context", "eu", "--context", "us"],
        /^error: --context: this command works on one cluster at a time, not 2/,
      ],
      [
        ["diff", "-f", "deploy", "--all-contexts", "--context", "eu"],
        /^error: --all-contexts and --context name the clusters twice/,
      ],
      [
        ["diff", "-f", "deploy", "--context", "eu", "--context", "us", "--live-file", "deploy/shop.yaml"],
        /^error: --live-file is one cluster's objects/,
      ],
      [
        ["diff", "-f", "deploy", "--context", "eu", "--context", "nope"],
        /^error: context "nope": context "nope" not found in /,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await kubedrift(args);
      expect({ args, code: result.code, lines: result.stderr.trimEnd().split("\n").length }).toEqual({
        args,
        code: 1,
        lines: 1,
      });
      expect(result.stderr).toMatch(message);
    }
  });
});
