import type { Command } from "commander";
import { resolve } from "node:path";
import { exposureWarning, startSandbox } from "../sandbox/index.js";
import type { FaultOptions } from "../sandbox/index.js";
import type { AuditOptions } from "../sandbox/audit/index.js";
import { parseCompactionInterval, parseErrorRates, parseLostResponseRates } from "../sandbox/faults.js";
import { parsePortRange, parseServiceCIDR } from "../sandbox/allocation/ranges.js";
import { CliError, parseDuration } from "./errors.js";

interface SandboxFlags {
  readonly port: string;
  readonly host: string;
  readonly kubeconfig?: string;
  readonly data?: string;
  readonly tokenAuthFile?: string;
  readonly auditPolicyFile?: string;
  readonly auditWebhookConfigFile?: string;
  readonly auditWebhookBatchMaxWait?: string;
  readonly auditWebhookBatchMaxSize?: string;
  readonly faultLatency?: string;
  readonly faultErrorRate?: string;
  readonly faultDropWatches?: string;
  readonly faultLoseResponses?: string;
  readonly faultCompactEvery?: string;
  readonly serviceClusterIpRange?: string;
  readonly serviceNodePortRange?: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port: invalid port "${text}"`);
  return port;
}

function parsedFlag<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error: unknown) {
    throw new CliError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function faultOptions(flags: SandboxFlags): FaultOptions {
  return {
    ...(flags.faultLatency === undefined
      ? {}
      : { latencyMs: parseDuration(flags.faultLatency, "--fault-latency") }),
    ...(flags.faultErrorRate === undefined
      ? {}
      : { errorRate: parsedFlag("--fault-error-rate", flags.faultErrorRate, parseErrorRates) }),
    ...(flags.faultDropWatches === undefined
      ? {}
      : { dropWatchesAfterMs: parseDuration(flags.faultDropWatches, "--fault-drop-watches") }),
    ...(flags.faultLoseResponses === undefined
      ? {}
      : {
          loseResponses: parsedFlag(
            "--fault-lose-responses",
            flags.faultLoseResponses,
            parseLostResponseRates,
          ),
        }),
    ...(flags.faultCompactEvery === undefined
      ? {}
      : {
          compactJournalEvery: parsedFlag(
            "--fault-compact-every",
            flags.faultCompactEvery,
            parseCompactionInterval,
          ),
        }),
  };
}

function parseBatchSize(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1)
    throw new CliError(`--audit-webhook-batch-max-size: must be a positive integer, got "${text}"`);
  return size;
}

/** kube-apiserver's audit flags; the files are read (and checked) when the sandbox starts. */
function auditOptions(flags: SandboxFlags): AuditOptions {
  return {
    ...(flags.auditPolicyFile === undefined ? {} : { auditPolicyFile: resolve(flags.auditPolicyFile) }),
    ...(flags.auditWebhookConfigFile === undefined
      ? {}
      : { auditWebhookConfigFile: resolve(flags.auditWebhookConfigFile) }),
    ...(flags.auditWebhookBatchMaxWait === undefined
      ? {}
      : {
          auditWebhookBatchMaxWaitMs: parseDuration(
            flags.auditWebhookBatchMaxWait,
            "--audit-webhook-batch-max-wait",
          ),
        }),
    ...(flags.auditWebhookBatchMaxSize === undefined
      ? {}
      : { auditWebhookBatchMaxSize: parseBatchSize(flags.auditWebhookBatchMaxSize) }),
  };
}

/** kube-apiserver's Service ranges, checked here so that a bad one is a one-line error naming its flag. */
function serviceRangeOptions(flags: SandboxFlags): {
  readonly serviceClusterIPRange?: string;
  readonly serviceNodePortRange?: string;
} {
  const cidr = flags.serviceClusterIpRange;
  const ports = flags.serviceNodePortRange;
  if (cidr !== undefined) parsedFlag("--service-cluster-ip-range", cidr, parseServiceCIDR);
  if (ports !== undefined) parsedFlag("--service-node-port-range", ports, parsePortRange);
  return {
    ...(cidr === undefined ? {} : { serviceClusterIPRange: cidr }),
    ...(ports === undefined ? {} : { serviceNodePortRange: ports }),
  };
}

/** Runs the sandbox until SIGINT/SIGTERM; prints `{"server": URL, "kubeconfig": PATH}` once it accepts connections. */
export async function runSandbox(flags: SandboxFlags): Promise<void> {
  const sandbox = await startSandbox({
    host: flags.host,
    port: parsePort(flags.port),
    ...(flags.kubeconfig === undefined ? {} : { kubeconfigPath: resolve(flags.kubeconfig) }),
    ...(flags.data === undefined ? {} : { dataDir: resolve(flags.data) }),
    ...(flags.tokenAuthFile === undefined ? {} : { tokenAuthFile: resolve(flags.tokenAuthFile) }),
    ...auditOptions(flags),
    ...serviceRangeOptions(flags),
    faults: faultOptions(flags),
  }).catch((error: unknown) => {
    throw new CliError(
      `sandbox: cannot start: ${error instanceof Error ? error.message : String(error)}`,
      1,
      { cause: error },
    );
  });
  const warning = exposureWarning(flags.host);
  if (warning !== undefined) process.stderr.write(`${warning}\n`);
  // The handlers are in place before the ready line: a signal sent as soon as it is read must stop
  // the sandbox cleanly, not hit the default action of a process without handlers.
  const stopped = new Promise<void>((done) => {
    const shutdown = (): void => {
      sandbox.stop().then(done, done);
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  });
  process.stdout.write(`${JSON.stringify({ server: sandbox.url, kubeconfig: sandbox.kubeconfigPath })}\n`);
  await stopped;
}

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description(
      "Serve a Kubernetes API (a faithful subset of kube-apiserver 1.32) on loopback, for trying and testing kubedrift",
    )
    .option("--port <n>", "port to listen on (0 picks a free one)", "0")
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--kubeconfig <file>", "where to write the kubeconfig (default: a new temporary file)")
    .option("--data <dir>", "persist the cluster state in this directory (survives restarts)")
    .option(
      "--token-auth-file <file>",
      'more users, as kube-apiserver\'s static token file: CSV lines token,user,uid,"group1,group2" (RBAC decides what they may do)',
    )
    .option(
      "--audit-policy-file <file>",
      "audit requests as kube-apiserver does: an audit.k8s.io/v1 Policy (levels None, Metadata, Request, RequestResponse)",
    )
    .option(
      "--audit-webhook-config-file <file>",
      "send audit events (audit.k8s.io/v1 EventList, batched) to the server of this kubeconfig",
    )
    .option(
      "--audit-webhook-batch-max-wait <duration>",
      "send a batch this long after its first event even if it is not full (default 30s)",
    )
    .option("--audit-webhook-batch-max-size <n>", "send a batch once it holds this many events (default 400)")
    .option(
      "--service-cluster-ip-range <cidr>",
      "the IPv4 CIDR Service cluster IPs are allocated from, as kube-apiserver's flag (default 10.96.0.0/12)",
    )
    .option(
      "--service-node-port-range <from-to>",
      "the ports NodePort Services are allocated from, as kube-apiserver's flag (default 30000-32767)",
    )
    .option("--fault-latency <duration>", "add this latency to every API request (e.g. 200ms)")
    .option(
      "--fault-error-rate <rates>",
      "fail requests with 500 at these rates per verb (e.g. list=0.2,get=0.1)",
    )
    .option("--fault-drop-watches <duration>", "cut every watch connection after this long (e.g. 30s)")
    .option(
      "--fault-lose-responses <rates>",
      "handle requests but drop the connection instead of answering, at these rates per verb (e.g. patch=0.5)",
    )
    .option(
      "--fault-compact-every <records>",
      "with --data, snapshot and empty the journal after this many records (default 1000)",
    )
    .addHelpText(
      "after",
      `
Once it accepts connections it prints one JSON line, {"server": URL, "kubeconfig": PATH},
and serves until interrupted (SIGINT or SIGTERM). Requests need the bearer token of the
kubeconfig it wrote:

  kubedrift sandbox --kubeconfig /tmp/sandbox.kubeconfig &
  kubectl --kubeconfig /tmp/sandbox.kubeconfig get namespaces`,
    )
    .action(async (flags: SandboxFlags) => runSandbox(flags));
}
