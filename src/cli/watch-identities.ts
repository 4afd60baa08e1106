/**
 * `watch`'s flags for naming who made a change (issue 13, items 2 and 3): `--audit-token-file`
 * turns on `/audit` for kube-apiserver's audit webhook, `--admission-record` turns on
 * `/admission/record` (over HTTPS: kube-apiserver calls webhooks only so), `--attribution-wait`
 * bounds how long a fresh change waits for its record, `--emit-webhook-config` prints the
 * ValidatingWebhookConfiguration for the scope.
 */
import type { Endpoints } from "../server/http.js";
import type { WatchTarget } from "../controller/watch.js";
import type { WriteLog, WriteRecord } from "../controller/writes.js";
import { CliError, parseDuration } from "./errors.js";
import type { LogLine } from "./watch-log.js";
import { readFlagFile, servingCertificateOf, webhookEndpointOf } from "./webhook-flags.js";

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

/**
 * A bearer token from the file a flag names (`--audit-token-file`, `--ui-token-file`): trimmed, at
 * least 16 characters, so that a guessable one is refused at the start.
 */
export function bearerTokenOf(file: string | undefined, flag: string): string | undefined {
  if (file === undefined) return undefined;
  const token = readFlagFile(file, flag).toString("utf8").trim();
  if (token.length < 16) throw new CliError(`${flag}: ${file} holds no token of at least 16 characters`);
  return token;
}

function auditTokenOf(flags: IdentityFlags): string | undefined {
  return bearerTokenOf(flags.auditTokenFile, "--audit-token-file");
}

/** Checked before anything starts; the token's value never appears in a message. */
export function identitySettings(flags: IdentityFlags): IdentitySettings {
  const tls = servingCertificateOf(flags);
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

/** `--emit-webhook-config`: the configuration for the scope, as YAML on stdout. */
export async function emitWebhookConfig(flags: IdentityFlags, target: WatchTarget): Promise<string> {
  const endpoint = webhookEndpointOf(flags, "--emit-webhook-config");
  const { recordWebhookConfiguration } = await import("../controller/webhook-config.js");
  const { stringify } = await import("yaml");
  return stringify(recordWebhookConfiguration(target.scope, target.served, endpoint));
}
