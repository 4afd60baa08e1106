import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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

const reasons: Readonly<Record<string, string>> = {
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOENT: "no such file or directory",
  ENOTDIR: "a parent is not a directory",
  ENOSPC: "no space left on device",
};

function reasonOf(error: unknown): string {
  const code = error instanceof Error && "code" in error ? String(error.code) : "";
  return reasons[code] ?? (error instanceof Error ? error.message : String(error));
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync loops forever on a parent where
 * nothing can be created (under /proc, say) instead of failing.
 */
function makeDirectories(directory: string): void {
  if (existsSync(directory)) return;
  const parent = dirname(directory);
  if (parent !== directory) makeDirectories(parent);
  mkdirSync(directory);
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error: unknown) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Written atomically and readable by the owner only: it holds a credential. Fails with one line
 * naming the path, without leaving a temporary file behind.
 */
export function writeKubeconfig(
  path: string,
  access: { server: string; token: string; certificateAuthorityPem: string },
): void {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true)
      throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    makeDirectories(dirname(path));
    writeAtomically(path, kubeconfigText(access.server, access.token, access.certificateAuthorityPem));
  } catch (error: unknown) {
    throw new Error(`cannot write the kubeconfig ${path} (${reasonOf(error)})`, { cause: error });
  }
}
