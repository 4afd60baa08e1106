import { X509Certificate, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServingCertificate } from "./tls.js";
import { createServingCertificate } from "./tls.js";

/**
 * What clients know the sandbox by: the certificate they trust and the token they send; and the
 * key it signs service account tokens with, so that they stay valid across restarts.
 */
export interface ServingIdentity {
  readonly certificate: ServingCertificate;
  readonly token: string;
  readonly serviceAccountKey: Buffer;
}

interface StoredIdentity {
  readonly hosts: readonly string[];
  readonly certificatePem: string;
  readonly keyPem: string;
  readonly token: string;
  /** base64url; absent in the identity.json of sandboxes older than service account tokens. */
  readonly serviceAccountKey?: string;
}

const fileName = "identity.json";
const day = 24 * 3_600_000;

function readStored(dataDir: string): StoredIdentity | undefined {
  try {
    const stored = JSON.parse(readFileSync(join(dataDir, fileName), "utf8")) as Partial<StoredIdentity>;
    const { hosts, certificatePem, keyPem, token, serviceAccountKey } = stored;
    if (!Array.isArray(hosts) || typeof certificatePem !== "string") return undefined;
    if (typeof keyPem !== "string" || typeof token !== "string") return undefined;
    return {
      hosts,
      certificatePem,
      keyPem,
      token,
      ...(typeof serviceAccountKey === "string" ? { serviceAccountKey } : {}),
    };
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
 * serving certificate and service-account keys across restarts, it keeps its certificate, its
 * bearer token and the key of its service account tokens: a kubeconfig written before, kubectl, and a running `watch` reconnect after a
 * restart. Without `--data`, a fresh identity per start. The file holds a key and a token, as the
 * data directory holds the cluster's Secrets: owner-only.
 */
function writeStored(dataDir: string, identity: StoredIdentity): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, fileName), `${JSON.stringify(identity)}\n`, { mode: 0o600 });
}

function newKey(): string {
  return randomBytes(32).toString("base64url");
}

function reused(options: IdentityOptions, stored: StoredIdentity): ServingIdentity {
  const certificate = { certificatePem: stored.certificatePem, keyPem: stored.keyPem };
  const serviceAccountKey = stored.serviceAccountKey ?? newKey();
  if (options.dataDir !== undefined && stored.serviceAccountKey === undefined)
    writeStored(options.dataDir, { ...stored, serviceAccountKey });
  const key = Buffer.from(serviceAccountKey, "base64url");
  return { certificate, token: options.token ?? stored.token, serviceAccountKey: key };
}

export async function servingIdentity(options: IdentityOptions): Promise<ServingIdentity> {
  const { dataDir, hosts, now } = options;
  const stored = dataDir === undefined ? undefined : readStored(dataDir);
  if (stored !== undefined && stillServes(stored, hosts, now)) return reused(options, stored);
  const certificate = await createServingCertificate(hosts, now);
  const token = stored?.token ?? randomBytes(24).toString("base64url");
  const serviceAccountKey = stored?.serviceAccountKey ?? newKey();
  if (dataDir !== undefined)
    writeStored(dataDir, { hosts: [...new Set(hosts)], ...certificate, token, serviceAccountKey });
  const key = Buffer.from(serviceAccountKey, "base64url");
  return { certificate, token: options.token ?? token, serviceAccountKey: key };
}
