/**
 * kubedrift diff --terraform end to end: the kubernetes_deployment, applied to the sandbox the
 * way the provider would (server-side, field manager Terraform), scaled with kubectl, then the built
 * `kubedrift diff --terraform` run as a process.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();

const mainTf = `resource "kubernetes_deployment" "example" {
  metadata {
    name = "example-deployment"
  }
  spec {
    replicas = 3
    selector { match_labels = { app = "example" } }
    template {
      metadata { labels = { app = "example" } }
      spec {
        container {
          name  = "example"
          image = "nginx:1.25.3"
        }
      }
    }
  }
}

resource "kubernetes_persistent_volume" "data" {
  metadata { name = "data" }
}
`;

/** What the provider sends for the resource above (it adds automountServiceAccountToken: true). */
const providerManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: example-deployment
  namespace: default
spec:
  replicas: 3
  selector:
    matchLabels:
      app: example
  template:
    metadata:
      labels:
        app: example
    spec:
      automountServiceAccountToken: true
      containers:
        - name: example
          image: nginx:1.25.3
`;

function project(name: string, files: Readonly<Record<string, string>>): string {
  const directory = join(fixture.directory(), name);
  mkdirSync(join(directory, "infra"), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(directory, "infra", file), text);
  return directory;
}

describe("kubedrift diff --terraform", () => {
  it("reports the issue's scaled Deployment: desired 3, live 5, by kubectl, at the .tf line", async () => {
    const directory = project("scaled", { "main.tf": mainTf });
    await kubectlOk(fixture.sandbox(), ["apply", "--server-side", "--field-manager=Terraform", "-f", "-"], {
      input: providerManifest,
    });
    await kubectlOk(fixture.sandbox(), ["scale", "deployment", "example-deployment", "--replicas=5"]);
    const result = await runKubedrift(
      ["diff", "--terraform", "./infra", "--kubeconfig", fixture.sandbox().kubeconfigPath, "-o", "json"],
      { cwd: directory },
    );
    expect(result.stdout, result.stderr).not.toBe("");
    const report = JSON.parse(result.stdout) as {
      summary: Record<string, number>;
      resources: readonly Record<string, unknown>[];
      skipped?: readonly unknown[];
    };
    expect(result.code).toBe(2);
    expect(report.summary).toMatchObject({ total: 1, drifted: 1 });
    const [deployment] = report.resources;
    expect(deployment).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "default",
      name: "example-deployment",
      status: "Drifted",
      terraformAddress: "kubernetes_deployment.example",
      source: { file: "infra/main.tf", line: 1 },
    });
    const drifts = deployment["drifts"] as readonly Record<string, unknown>[];
    expect(drifts).toHaveLength(1);
    // changedAt and subresource depend on what the server records for the scale; the contract fields do not.
    expect(drifts[0]).toMatchObject({
      path: "/spec/replicas",
      type: "Changed",
      desired: 3,
      live: 5,
      source: { file: "infra/main.tf", line: 6 },
      manager: "kubectl",
      operation: "Update",
    });
    expect(report.skipped).toEqual([
      {
        file: "infra/main.tf",
        line: 20,
        what: "kubernetes_persistent_volume.data",
        reason: "resource type kubernetes_persistent_volume is not supported",
      },
    ]);
  });

  it("fails with the file and line of an HCL syntax error", async () => {
    const directory = project("broken", {
      "main.tf": `resource "kubernetes_namespace" "x" {\n  metadata {\n    name = \n  }\n}\n`,
    });
    const result = await runKubedrift(
      ["diff", "--terraform", "infra", "--kubeconfig", fixture.sandbox().kubeconfigPath, "-o", "json"],
      { cwd: directory },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("infra/main.tf:3:12: Invalid expression");
  });
});
