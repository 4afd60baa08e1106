import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

export const sandboxContext = "sandbox";

/** A kubeconfig for the sandbox: one cluster, one user with the bearer token, one context. */
export function kubeconfigText(server: string, token: string, certificateAuthorityPem: string): string {
  const certificateAuthorityData = Buffer.from(certificateAuthorityPem).toString("base64");
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": sandboxContext,
    clusters: [
      { name: sandboxContext, cluster: { server, "certificate-authority-data": certificateAuthorityData } },
    ],
    users: [{ name: "sandbox-admin", user: { token } }],
    contexts: [
      {
        name: sandboxContext,
        context: { cluster: sandboxContext, user: "sandbox-admin", namespace: "default" },
      },
    ],
    preferences: {},
  });
}

/** Written atomically and readable by the owner only: it holds a credential. */
export function writeKubeconfig(
  path: string,
  access: { server: string; token: string; certificateAuthorityPem: string },
): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, kubeconfigText(access.server, access.token, access.certificateAuthorityPem), {
    mode: 0o600,
  });
  renameSync(temporary, path);
}
