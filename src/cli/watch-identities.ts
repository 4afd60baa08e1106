/**
 * `watch`'s flags for naming who made a change (issue 13, items 2 and 3): `--audit-token-file`
 * turns on `/audit` for kube-apiserver's audit webhook, `--admission-record` turns on
 * `/admission/record` (over HTTPS: kube-apiserver calls webhooks only so), `--attribution-wait`
 * bounds how long a fresh change waits for its record, `--emit-webhook-config` prints the
 * ValidatingWebhookConfiguration for the scope.
 */
import { readFileSync } from "node:fs";
import type { Endpoints } from "../server/http.js";
import type { WatchTarget } from "../controller/watch.js";
import type { WriteLog, WriteRecord } from "../controller/writes.js";
import { CliError, parseDuration } from "./errors.js";
import type { LogLine } from "./watch-log.js";

export interface IdentityFlags {
  readonly auditTokenFile?: string;
  readonly admissionRecord?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly attributionWait: string;
  readonly emitWebhookConfig?: boolean;
  readonly webhookUrl?: string;
  readonly webhookService?: string;
}

export interface IdentitySettings {
  readonly auditToken?: string;
  readonly admission: boolean;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  readonly waitMs: number;
}

function readSecretFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new CliError(`${flag}: cannot read ${path} (${code})`);
  }
}

function tlsOf(flags: IdentityFlags): IdentitySettings["tls"] {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new CliError("--tls-cert and --tls-key go together");
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) return undefined;
  return {
    cert: readSecretFile(flags.tlsCert, "--tls-cert"),
    key: readSecretFile(flags.tlsKey, "--tls-key"),
  };
}

function auditTokenOf(flags: IdentityFlags): string | undefined {
  if (flags.auditTokenFile === undefined) return undefined;
  const token = readSecretFile(flags.auditTokenFile, "--audit-token-file").toString("utf8").trim();
  if (token.length < 16)
    throw new CliError(
      `--audit-token-file: ${flags.auditTokenFile} holds no token of at least 16 characters`,
    );
  return token;
}

/** Checked before anything starts; the token's value never appears in a message. */
export function identitySettings(flags: IdentityFlags): IdentitySettings {
  const tls = tlsOf(flags);
  if (flags.admissionRecord === true && tls === undefined)
    throw new CliError(
      "--admission-record: give --tls-cert and --tls-key (kube-apiserver calls webhooks over HTTPS only)",
    );
  const auditToken = auditTokenOf(flags);
  return {
    ...(auditToken === undefined ? {} : { auditToken }),
    admission: flags.admissionRecord === true,
    ...(tls === undefined ? {} : { tls }),
    waitMs: parseDuration(flags.attributionWait, "--attribution-wait"),
  };
}

/** The endpoints that feed the write log, and the log itself; none when neither receiver is on. */
export async function identityEndpoints(
  settings: IdentitySettings,
  log: LogLine,
): Promise<
  { readonly writes: WriteLog; readonly endpoints: Pick<Endpoints, "audit" | "admission"> } | undefined
> {
  if (settings.auditToken === undefined && !settings.admission) return undefined;
  const { WriteLog } = await import("../controller/writes.js");
  const writes = new WriteLog({ now: () => Date.now() });
  const audit =
    settings.auditToken === undefined
      ? undefined
      : {
          token: settings.auditToken,
          receive: (records: readonly WriteRecord[]) => {
            for (const record of records) writes.add(record);
            if (records.length > 0) log("audit events received", { writes: records.length }, "debug");
          },
        };
  const admission = settings.admission
    ? { receive: (record: WriteRecord) => writes.add(record), now: () => Date.now() }
    : undefined;
  return {
    writes,
    endpoints: {
      ...(audit === undefined ? {} : { audit }),
      ...(admission === undefined ? {} : { admission }),
    },
  };
}

function serviceOf(text: string): {
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
} {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)(?::(\d+))?$/.exec(text);
  if (match === null)
    throw new CliError(
      `--webhook-service: expected NAMESPACE/NAME[:PORT] (kubedrift/kubedrift:443), got "${text}"`,
    );
  return { namespace: match[1] ?? "", name: match[2] ?? "", port: Number(match[3] ?? "443") };
}

/** `--emit-webhook-config`: the configuration for the scope, as YAML on stdout. */
export async function emitWebhookConfig(flags: IdentityFlags, target: WatchTarget): Promise<string> {
  const caFile = flags.tlsCa ?? flags.tlsCert;
  if (caFile === undefined)
    throw new CliError("--emit-webhook-config: give --tls-ca FILE (or --tls-cert) for the caBundle");
  if ((flags.webhookUrl === undefined) === (flags.webhookService === undefined))
    throw new CliError(
      "--emit-webhook-config: give --webhook-url URL or --webhook-service NAMESPACE/NAME[:PORT]",
    );
  if (flags.webhookUrl !== undefined && !flags.webhookUrl.startsWith("https://"))
    throw new CliError("--webhook-url: kube-apiserver calls webhooks over https:// only");
  const { recordWebhookConfiguration } = await import("../controller/webhook-config.js");
  const { stringify } = await import("yaml");
  const caBundle = readSecretFile(caFile, flags.tlsCa === undefined ? "--tls-cert" : "--tls-ca").toString(
    "utf8",
  );
  const url =
    flags.webhookUrl === undefined ? undefined : `${flags.webhookUrl.replace(/\/+$/, "")}/admission/record`;
  const configuration = recordWebhookConfiguration(target.scope, target.served, {
    caBundle,
    ...(url === undefined ? {} : { url }),
    ...(flags.webhookService === undefined ? {} : { service: serviceOf(flags.webhookService) }),
  });
  return stringify(configuration);
}
