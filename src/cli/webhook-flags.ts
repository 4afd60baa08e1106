/**
 * The flags `watch` and `guard` share as webhooks kube-apiserver calls: the serving certificate
 * (`--tls-cert`/`--tls-key`), and where they are reached for the configurations they print
 * (`--webhook-url` or `--webhook-service`, trusting `--tls-ca`, else the certificate itself).
 */
import { readFileSync } from "node:fs";
import type { WebhookEndpoint } from "../kube/admission.js";
import { CliError } from "./errors.js";

/** A file a flag names, read whole; one line naming the flag when it cannot be. */
export function readFlagFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new CliError(`${flag}: cannot read ${path} (${code})`);
  }
}

export interface ServingFlags {
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/** The certificate and key to serve HTTPS with; undefined when neither flag is given. */
export function servingCertificateOf(
  flags: ServingFlags,
): { readonly cert: Buffer; readonly key: Buffer } | undefined {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new CliError("--tls-cert and --tls-key go together");
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) return undefined;
  return { cert: readFlagFile(flags.tlsCert, "--tls-cert"), key: readFlagFile(flags.tlsKey, "--tls-key") };
}

export interface EndpointFlags extends ServingFlags {
  readonly tlsCa?: string;
  readonly webhookUrl?: string;
  readonly webhookService?: string;
}

function serviceOf(text: string): NonNullable<WebhookEndpoint["service"]> {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+)(?::(\d+))?$/.exec(text);
  if (match === null)
    throw new CliError(
      `--webhook-service: expected NAMESPACE/NAME[:PORT] (kubedrift/kubedrift:443), got "${text}"`,
    );
  return { namespace: match[1] ?? "", name: match[2] ?? "", port: Number(match[3] ?? "443") };
}

/** Where kube-apiserver reaches the webhook, for `command` (`--emit-config`) to print; checked in one line each. */
export function webhookEndpointOf(flags: EndpointFlags, command: string): WebhookEndpoint {
  const caFile = flags.tlsCa ?? flags.tlsCert;
  if (caFile === undefined)
    throw new CliError(`${command}: give --tls-ca FILE (or --tls-cert) for the caBundle`);
  if ((flags.webhookUrl === undefined) === (flags.webhookService === undefined))
    throw new CliError(`${command}: give --webhook-url URL or --webhook-service NAMESPACE/NAME[:PORT]`);
  if (flags.webhookUrl !== undefined && !flags.webhookUrl.startsWith("https://"))
    throw new CliError("--webhook-url: kube-apiserver calls webhooks over https:// only");
  const caBundle = readFlagFile(caFile, flags.tlsCa === undefined ? "--tls-cert" : "--tls-ca").toString(
    "utf8",
  );
  return flags.webhookUrl !== undefined
    ? { caBundle, url: flags.webhookUrl }
    : { caBundle, service: serviceOf(flags.webhookService ?? "") };
}
