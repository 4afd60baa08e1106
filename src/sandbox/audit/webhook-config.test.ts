import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseWebhookConfig, readWebhookConfig } from "./webhook-config.js";

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "kubedrift-audit-webhook-"));
});

afterEach(() => rmSync(directory, { recursive: true, force: true }));

const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("the audit webhook's kubeconfig", () => {
  it("names the current context's server, CA data and token", () => {
    const target = parseWebhookConfig(
      `
apiVersion: v1
kind: Config
clusters:
  - name: other
    cluster: { server: "https://other.example:443" }
  - name: audit
    cluster:
      server: https://127.0.0.1:8443/audit
      certificate-authority-data: ${Buffer.from(pem).toString("base64")}
users:
  - name: sandbox
    user: { token: audit-token }
contexts:
  - name: audit
    context: { cluster: audit, user: sandbox }
current-context: audit
`,
      directory,
    );
    expect(target).toMatchObject({
      server: "https://127.0.0.1:8443/audit",
      certificateAuthority: pem,
      insecureSkipTlsVerify: false,
    });
    expect(target.token?.()).toBe("audit-token");
  });

  it("reads files relative to the kubeconfig, the token file again on every send", () => {
    writeFileSync(join(directory, "ca.crt"), pem);
    writeFileSync(join(directory, "token"), "first\n");
    const target = parseWebhookConfig(
      `
clusters: [{ name: a, cluster: { server: "http://127.0.0.1:9000/", certificate-authority: ca.crt, insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { tokenFile: token } }]
`,
      directory,
    );
    expect(target).toMatchObject({ certificateAuthority: pem, insecureSkipTlsVerify: true });
    expect(target.token?.()).toBe("first");
    writeFileSync(join(directory, "token"), "rotated\n");
    expect(target.token?.()).toBe("rotated");
  });

  it("refuses a malformed file in one line naming it", () => {
    const file = join(directory, "webhook.kubeconfig");
    writeFileSync(file, "clusters: [{ name: a, cluster: { server: ftp://x } }]\n");
    expect(() => readWebhookConfig(file)).toThrow(
      `audit webhook config ${file}: server ftp://x: must be an http(s) URL`,
    );
    writeFileSync(file, "clusters: []\n");
    expect(() => readWebhookConfig(file)).toThrow(`audit webhook config ${file}: no cluster defined`);
    writeFileSync(
      file,
      "current-context: missing\ncontexts: []\nclusters: [{ name: a, cluster: { server: https://x } }]\n",
    );
    expect(() => readWebhookConfig(file)).toThrow(
      `audit webhook config ${file}: context "missing" is not defined`,
    );
  });
});
