import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";

/**
 * Where and how a webhook backend sends (`--audit-webhook-config-file`, a kubeconfig): the
 * server, whom to trust, and the client credentials. Secrets are held here only, never logged.
 */
export interface WebhookTarget {
  readonly server: string;
  /** PEM; undefined trusts the system's roots. */
  readonly certificateAuthority?: string;
  readonly insecureSkipTlsVerify: boolean;
  /** The bearer token, read again on every send when it comes from a token-file (as client-go does). */
  readonly token?: () => string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
}

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface Named {
  readonly name: string;
  readonly body: Fields;
}

function namedEntries(document: Fields, list: string, field: string): readonly Named[] {
  const entries = document[list];
  if (entries === undefined || entries === null) return [];
  if (!Array.isArray(entries)) throw new Error(`${list}: must be a list`);
  return entries.map((entry, index) => {
    if (!isFields(entry) || !isFields(entry[field]))
      throw new Error(`${list}[${index}]: must have a ${field} object`);
    return { name: typeof entry["name"] === "string" ? entry["name"] : "", body: entry[field] };
  });
}

function pick(entries: readonly Named[], name: string | undefined, what: string): Fields | undefined {
  if (name === undefined) return entries[0]?.body;
  const found = entries.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`${what} "${name}" is not defined`);
  return found.body;
}

function text(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new Error(`${key}: must be a string`);
  return value;
}

/** A PEM from `NAME-data` (base64) or from the file NAME (relative to the kubeconfig). */
function pemOf(fields: Fields, key: string, base: string): string | undefined {
  const data = text(fields, `${key}-data`);
  if (data !== undefined) return Buffer.from(data, "base64").toString("utf8");
  const file = text(fields, key);
  return file === undefined ? undefined : readFileSync(resolve(base, file), "utf8");
}

function current(document: Fields): { readonly cluster?: string; readonly user?: string } {
  const name = typeof document["current-context"] === "string" ? document["current-context"] : undefined;
  const contexts = namedEntries(document, "contexts", "context");
  const context = name === undefined || name === "" ? contexts[0]?.body : pick(contexts, name, "context");
  if (context === undefined) return {};
  const cluster = text(context, "cluster");
  const user = text(context, "user");
  return { ...(cluster === undefined ? {} : { cluster }), ...(user === undefined ? {} : { user }) };
}

function tokenOf(user: Fields, base: string): (() => string) | undefined {
  const token = text(user, "token");
  if (token !== undefined) return () => token;
  const file = text(user, "tokenFile") ?? text(user, "token-file");
  if (file === undefined) return undefined;
  const path = resolve(base, file);
  readFileSync(path); // unreadable: fail the start, not the first send
  return () => readFileSync(path, "utf8").trim();
}

function clusterTarget(cluster: Fields, base: string): WebhookTarget {
  const server = text(cluster, "server");
  if (server === undefined) throw new Error("the cluster has no server");
  const url = new URL(server);
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(`server ${server}: must be an http(s) URL`);
  const ca = pemOf(cluster, "certificate-authority", base);
  return {
    server,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    ...(ca === undefined ? {} : { certificateAuthority: ca }),
  };
}

function userCredentials(user: Fields | undefined, base: string): Partial<WebhookTarget> {
  if (user === undefined) return {};
  const token = tokenOf(user, base);
  const certificate = pemOf(user, "client-certificate", base);
  const key = pemOf(user, "client-key", base);
  return {
    ...(token === undefined ? {} : { token }),
    ...(certificate === undefined ? {} : { clientCertificate: certificate }),
    ...(key === undefined ? {} : { clientKey: key }),
  };
}

/** The webhook target of a kubeconfig's current context (or its first cluster and user). */
export function parseWebhookConfig(source: string, base: string): WebhookTarget {
  const document: unknown = parseYaml(source);
  if (!isFields(document)) throw new Error("not a kubeconfig");
  const names = current(document);
  const cluster = pick(namedEntries(document, "clusters", "cluster"), names.cluster, "cluster");
  if (cluster === undefined) throw new Error("no cluster defined");
  const user = pick(namedEntries(document, "users", "user"), names.user, "user");
  return { ...clusterTarget(cluster, base), ...userCredentials(user, base) };
}

/** kube-apiserver's `--audit-webhook-config-file`: read at start; anything wrong stops the start. */
export function readWebhookConfig(file: string): WebhookTarget {
  try {
    return parseWebhookConfig(readFileSync(file, "utf8"), dirname(file));
  } catch (error: unknown) {
    throw new Error(
      `audit webhook config ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
