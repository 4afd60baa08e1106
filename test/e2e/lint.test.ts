/**
 * Issue 15, `kubedrift lint` as users run it: the corpus's good manifests pass and its bad ones
 * fail with exit 2, in text, JSON, SARIF (valid against the schema) and JUnit; a custom CEL check
 * and suppressions from kubedrift.yaml and annotations; a broken manifest is one line and exit 1;
 * `--live` checks what runs in the sandbox.
 */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sarifSchemaErrors } from "../../src/report/sarif-schema.test-helper.js";
import { kubectlOk, scratchDirectory, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useKubedriftProcesses } from "../support/kubedrift-process.js";

const scratch = scratchDirectory();
const processes = useKubedriftProcesses();
afterAll(() => scratch.remove());

const corpus = join(import.meta.dirname, "../fixtures/lint");

interface JsonFinding {
  readonly check: string;
  readonly severity: string;
  readonly object: { readonly kind: string; readonly name: string };
  readonly file: string;
  readonly line: number;
  readonly suppressed?: string;
}

function project(name: string): string {
  const directory = join(scratch.path, name);
  mkdirSync(directory, { recursive: true });
  cpSync(join(corpus, "good"), join(directory, "good"), { recursive: true });
  cpSync(join(corpus, "bad"), join(directory, "bad"), { recursive: true });
  return directory;
}

describe("kubedrift lint", () => {
  it("passes the good corpus and fails the bad one, in every format", async () => {
    const directory = project("formats");
    const good = await runKubedrift(["lint", "-f", "good", "--fail-on", "warning"], { cwd: directory });
    expect(good.stderr).toBe("");
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toMatch(/objects, \d+ checks: 0 error, 0 warning/);

    const text = await runKubedrift(["lint", "-f", "bad"], { cwd: directory });
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^bad\/workloads\.yaml:\d+: error [a-z-]+: Deployment /m);

    const json = await runKubedrift(["lint", "-f", "bad", "-o", "json"], { cwd: directory });
    expect(json.code).toBe(2);
    const findings = (JSON.parse(json.stdout) as { findings: JsonFinding[] }).findings;
    expect(findings.length).toBeGreaterThan(10);
    expect(findings.every((finding) => finding.file.startsWith("bad/") && finding.line > 0)).toBe(true);

    const sarif = await runKubedrift(["lint", "-f", "bad", "-o", "sarif"], { cwd: directory });
    const log = JSON.parse(sarif.stdout) as {
      runs: { results: unknown[]; tool: { driver: { rules: unknown[] } } }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0]?.results).toHaveLength(findings.length);

    const junit = await runKubedrift(["lint", "-f", "bad", "-o", "junit"], { cwd: directory });
    expect(junit.stdout).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="kubedrift lint" tests="\d+" failures="\d+">/,
    );
    expect(junit.stdout.match(/<failure /g)?.length).toBe(
      findings.filter((finding) => finding.severity !== undefined).length,
    );
  }, 60_000);

  it("runs custom CEL checks and keeps what kubedrift.yaml and annotations accept", async () => {
    const directory = project("custom");
    writeManifest(
      directory,
      "kubedrift.yaml",
      `apiVersion: kubedrift.dev/v1
kind: Config
lint:
  checks:
    - id: team-label
      severity: error
      kinds: [apps/Deployment]
      expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: every Deployment names its team
  ignore:
    - checks: [team-label]
      names: [worker]
      reason: the worker's team is being decided
guard:
  default: audit
  rules:
    - kinds: [apps/Deployment]
      action: deny
`,
    );
    const result = await runKubedrift(["lint", "-f", "good", "-o", "json"], { cwd: directory });
    const findings = (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings.filter(
      (finding) => finding.check === "team-label",
    );
    expect(findings.map((finding) => [finding.object.name, finding.suppressed])).toEqual(
      expect.arrayContaining([["worker", "kubedrift.yaml lint.ignore: the worker's team is being decided"]]),
    );
    expect(findings.some((finding) => finding.suppressed === undefined)).toBe(true);
    expect(result.code).toBe(2);
    // The guard protects the Deployments (deny), but for fields the generated policies cannot pin;
    // of the rest it only records writes.
    const unprotected = (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings.filter(
      (finding) => finding.check === "guard-unprotected",
    );
    expect(unprotected.length).toBeGreaterThan(0);
    const whole = unprotected.filter((finding) => (finding as JsonFinding & { path: string }).path === "");
    expect(whole.length).toBeGreaterThan(0);
    expect(whole.some((finding) => finding.object.kind === "Deployment")).toBe(false);

    writeManifest(
      directory,
      "kubedrift.yaml",
      "apiVersion: kubedrift.dev/v1\nkind: Config\nlint:\n  checks:\n    - id: x\n      expression: 'object.'\n      message: m\n",
    );
    const broken = await runKubedrift(["lint", "-f", "good"], { cwd: directory });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error: kubedrift\.yaml:6: lint\.checks\[0\]\.expression: .+\n$/);
  }, 60_000);

  it("names a broken manifest in one line and exits 1", async () => {
    const directory = join(scratch.path, "broken");
    mkdirSync(directory);
    writeManifest(directory, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n");
    const result = await runKubedrift(["lint", "-f", "bad.yaml"], { cwd: directory });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("bad.yaml:");
  });

  it("--live checks the objects that run in the cluster", async () => {
    const directory = project("live");
    const sandbox = await processes.startSandbox(directory, []);
    await kubectlOk(sandbox, ["create", "namespace", "shop"]);
    writeManifest(
      directory,
      "app.yaml",
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
`,
    );
    await kubectlOk(sandbox, ["apply", "-f", join(directory, "app.yaml")]);
    // What runs is not what Git says: someone moved it to :latest.
    await kubectlOk(sandbox, ["-n", "shop", "set", "image", "deployment/web", "web=nginx:latest"]);
    const live = await runKubedrift(
      ["lint", "-f", "app.yaml", "--live", "--kubeconfig", sandbox.kubeconfigPath, "-o", "json"],
      { cwd: directory },
    );
    expect(live.stderr).toBe("");
    const findings = (JSON.parse(live.stdout) as { findings: (JsonFinding & { message: string })[] })
      .findings;
    expect(
      findings.some((finding) => finding.file.startsWith("cluster:") && finding.message.includes("latest")),
    ).toBe(true);
    const manifests = await runKubedrift(["lint", "-f", "app.yaml", "-o", "json"], { cwd: directory });
    expect(manifests.stdout).not.toContain("nginx:latest");

    // A custom resource: its kind is unknown to the manifests alone, validated by the cluster's CRD.
    writeManifest(
      directory,
      "crd.yaml",
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {size: {type: integer}}}
`,
    );
    await kubectlOk(sandbox, ["apply", "-f", join(directory, "crd.yaml")]);
    writeManifest(
      directory,
      "widget.yaml",
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 3, colour: red}\n",
    );
    const checkOf = async (args: readonly string[]): Promise<readonly string[]> => {
      const result = await runKubedrift(["lint", "-f", "widget.yaml", "-o", "json", ...args], {
        cwd: directory,
      });
      return (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings
        .filter((finding) => finding.check.startsWith("schema-"))
        .map((finding) => finding.check);
    };
    expect(await checkOf([])).toEqual(["schema-unknown-kind"]);
    expect(await checkOf(["--kubeconfig", sandbox.kubeconfigPath])).toEqual(["schema-unknown-field"]);
  }, 90_000);
});
