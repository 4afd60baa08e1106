import { X509Certificate, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServingCertificate } from "./tls.js";
import { createServingCertificate } from "./tls.js";

/** What clients know the sandbox by: the certificate they trust and the token they send. */
export interface ServingIdentity {
  readonly certificate: ServingCertificate;
  readonly token: string;
}

interface StoredIdentity {
  readonly hosts: readonly string[];
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly token: string;
}

const fileName = "identity.json";
const day = 24 * 3_600_000;

function readStored(dataDir: string): StoredIdentity | undefined {
  try {
    const stored = JSON.parse(readFileSync(join(dataDir, fileName), "utf8")) as Partial<StoredIdentity>;
    const { hosts, certificatePem, keyPem, token } = stored;
    if (!Array.isArray(hosts) || typeof certificatePem !== "string") return undefined;
    if (typeof keyPem !== "string" || typeof token !== "string") return undefined;
    return { hosts, certificatePem, keyPem, token };
  } catch {
    // None yet, or unreadable: a new identity replaces it.
    return undefined;
  }
}

/** Still good for a day, and valid for every name the sandbox serves now. */
function stillServes(stored: StoredIdentity, hosts: readonly string[], now: Date): boolean {
  const validTo = new Date(new X509Certificate(stored.certificatePem).validTo);
  return validTo.getTime() - now.getTime() > day && hosts.every((host) => stored.hosts.includes(host));
}

export interface IdentityOptions {
  /** `--data`: the identity is kept there (mode 0600) and used again on the next start. */
  readonly dataDir: string | undefined;
  readonly hosts: readonly string[];
  readonly now: Date;
  /** A token given by the caller wins, and is not stored. */
  readonly token: string | undefined;
}

/**
 * A sandbox with `--data` is a cluster that restarts, and like kube-apiserver, which keeps its
 * serving certificate and service-account keys across restarts, it keeps its certificate and its
 * bearer token: a kubeconfig written before, kubectl, and a running `watch` reconnect after a
 * restart. Without `--data`, a fresh identity per start. The file holds a key and a token, as the
 * data directory holds the cluster's Secrets: owner-only.
 */
export async function servingIdentity(options: IdentityOptions): Promise<ServingIdentity> {
  const { dataDir, hosts, now } = options;
  const stored = dataDir === undefined ? undefined : readStored(dataDir);
  if (stored !== undefined && stillServes(stored, hosts, now)) {
    const certificate = { certificatePem: stored.certificatePem, keyPem: stored.keyPem };
    return { certificate, token: options.token ?? stored.token };
  }
  const certificate = await createServingCertificate(hosts, now);
  const storedToken = stored?.token ?? randomBytes(24).toString("base64url");
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const identity: StoredIdentity = { hosts: [...new Set(hosts)], ...certificate, token: storedToken };
    writeFileSync(join(dataDir, fileName), `${JSON.stringify(identity)}\n`, { mode: 0o600 });
  }
  return { certificate, token: options.token ?? storedToken };
}
