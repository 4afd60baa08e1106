/**
 * Issue 13, items 3 and 7: `watch --emit-rbac` prints the least RBAC for the sources — exactly the
 * shipped deploy/base/rbac.yaml for examples/shop, as its header says — and
 * `watch --emit-webhook-config` the record-only ValidatingWebhookConfiguration scoped to them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";

const fixture = useSandbox();
const root = fileURLToPath(new URL("../..", import.meta.url));

function documents(text: string): unknown[] {
  return parseAllDocuments(text).map((document) => document.toJSON() as unknown);
}

describe("kubedrift watch --emit-…", () => {
  it("--emit-rbac prints deploy/base/rbac.yaml for examples/shop", async () => {
    const sandbox = fixture.sandbox();
    const emitted = await runKubedrift(
      ["watch", "-f", join(root, "examples/shop"), "--kubeconfig", sandbox.kubeconfigPath, "--emit-rbac"],
      { cwd: fixture.directory() },
    );
    expect(emitted.code, emitted.stderr).toBe(0);
    const shipped = readFileSync(join(root, "deploy/base/rbac.yaml"), "utf8");
    expect(documents(emitted.stdout)).toEqual(documents(shipped));
  });

  it("--emit-webhook-config prints the record-only configuration for the scope's kinds and namespaces", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const ca = join(directory, "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const emitted = await runKubedrift(
      [
        "watch",
        "-f",
        join(root, "examples/shop"),
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--emit-webhook-config",
        "--webhook-service",
        "kubedrift/kubedrift:9443",
        "--tls-ca",
        ca,
      ],
      { cwd: directory },
    );
    expect(emitted.code, emitted.stderr).toBe(0);
    const [configuration] = documents(emitted.stdout) as {
      kind: string;
      webhooks: {
        failurePolicy: string;
        sideEffects: string;
        clientConfig: { service: unknown; caBundle: string };
        namespaceSelector: unknown;
        rules: { resources: string[]; operations: string[] }[];
      }[];
    }[];
    expect(configuration?.kind).toBe("ValidatingWebhookConfiguration");
    const webhook = configuration?.webhooks[0];
    expect(webhook).toMatchObject({
      failurePolicy: "Ignore",
      sideEffects: "None",
      clientConfig: {
        service: { namespace: "kubedrift", name: "kubedrift", port: 9443, path: "/admission/record" },
      },
      namespaceSelector: {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["shop"] }],
      },
    });
    expect(Buffer.from(webhook?.clientConfig.caBundle ?? "", "base64").toString()).toContain(
      "BEGIN CERTIFICATE",
    );
    const resources = webhook?.rules.flatMap((rule) => rule.resources) ?? [];
    expect(resources).toEqual(expect.arrayContaining(["deployments", "deployments/*", "configmaps"]));
    expect(new Set(webhook?.rules.flatMap((rule) => rule.operations))).toEqual(new Set(["UPDATE", "DELETE"]));
  });

  it("refuses --emit-webhook-config without where kube-apiserver reaches it, in one line", async () => {
    const refused = await runKubedrift(
      [
        "watch",
        "-f",
        join(root, "examples/shop"),
        "--kubeconfig",
        fixture.sandbox().kubeconfigPath,
        "--emit-webhook-config",
        "--tls-ca",
        "/nonexistent",
      ],
      { cwd: fixture.directory() },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "error: --emit-webhook-config: give --webhook-url URL or --webhook-service NAMESPACE/NAME[:PORT]\n",
    );
  });
});
