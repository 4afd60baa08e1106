/**
 * `kubedrift guard`: the admission webhook that keeps what Git manages from drifting (issue 14).
 * Serves `/validate` over HTTPS (`--tls-cert/--tls-key`; plain HTTP only on loopback with
 * `--insecure`), logs every decision about a managed object, follows its sources as `watch` does,
 * and with `--emit-config` prints the ValidatingWebhookConfiguration for them.
 */
import type { Command } from "commander";
import type { DeclaredTarget } from "../inspect/index.js";
import type { GuardTarget } from "../guard/decide.js";
import type { Reviewed } from "../guard/review.js";
import { describeRef, refKey } from "../model/index.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { CliError, rethrowAsCliError } from "./errors.js";
import { inspectionIO } from "./plan.js";
import { nonEmpty } from "./terminal.js";
import type { LogLine } from "./watch-log.js";
import { isLogLevel, logLines, LogLevels } from "./watch-log.js";
import { sourcePaths } from "./watch-sources.js";
import { servingCertificateOf, webhookEndpointOf } from "./webhook-flags.js";

interface GuardFlags extends Omit<DiffFlags, "output"> {
  readonly listen: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly insecure?: boolean;
  readonly emitConfig?: boolean;
  readonly emitPolicy?: boolean;
  readonly webhookUrl?: string;
  readonly webhookService?: string;
  readonly logLevel: string;
  readonly store?: string;
}

/** The sources read and the cluster's discovery, as the decision needs them; nothing listed. */
interface LoadedGuard {
  readonly target: GuardTarget;
  readonly served: ReadonlyMap<string, GuardServed>;
}

async function loadGuardTarget(flags: GuardFlags): Promise<LoadedGuard> {
  const { hasSources, inspectDeclared } = await import("../inspect/index.js");
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  if (!hasSources(options))
    throw new CliError(
      "guard: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME",
    );
  if (options.liveFile !== undefined)
    throw new CliError("guard: --live-file cannot guard anything: give a cluster");
  const declared = await inspectDeclared(options, inspectionIO({ ...flags, output: "text" })).catch(
    rethrowAsCliError,
  );
  return {
    target: guardTarget(declared),
    served: new Map([...declared.served].map(([key, resource]) => [key, resource])),
  };
}

type GuardServed = {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly resource: string;
  readonly namespaced: boolean;
};

function guardTarget(declared: DeclaredTarget): GuardTarget {
  const kinds = new Map(
    [...declared.served.values()].map((resource) => [
      `${resource.group}/${resource.resource}`,
      resource.kind,
    ]),
  );
  return {
    desired: new Map(declared.desired.map((object) => [refKey(object.ref), object])),
    schema: declared.schema,
    config: declared.config,
    scope: declared.scope,
    cluster: declared.cluster.name,
    kindOf: (group, resource) => kinds.get(`${group}/${resource}`),
  };
}

/** Serving: HTTPS with a certificate; plain HTTP only on loopback, and only when asked for. */
function servingOf(
  flags: GuardFlags,
  host: string,
): { readonly cert: Buffer; readonly key: Buffer } | undefined {
  const serving = servingCertificateOf(flags);
  if (serving !== undefined) return serving;
  if (flags.insecure !== true)
    throw new CliError(
      "guard: give --tls-cert and --tls-key (kube-apiserver calls webhooks over HTTPS only), or --insecure for plain HTTP on loopback",
    );
  if (!["127.0.0.1", "::1", "localhost"].includes(host))
    throw new CliError(`guard: --insecure serves plain HTTP on loopback only, not on ${host}`);
  return undefined;
}

/** Worth a line: a decision about a managed object that a write would make drift. */
function newsOf(reviewed: Reviewed): Required<Reviewed> | undefined {
  const { decision, request } = reviewed;
  if (decision === undefined || request === undefined || decision.ref === undefined) return undefined;
  if (decision.allowed && (decision.reason === "unmanaged" || decision.reason === "no drift"))
    return undefined;
  return { ...reviewed, decision, request };
}

/** One line per decision about a managed object (the unmanaged and the unchanged are not news). */
function logDecision(log: LogLine, reviewed: Reviewed): void {
  const news = newsOf(reviewed);
  if (news === undefined) return;
  const { decision, request } = news;
  const fields = {
    resource: describeRef(decision.ref ?? { group: "", version: "", kind: "", namespace: "", name: "" }),
    operation: request.operation,
    ...(request.subResource === undefined ? {} : { subresource: request.subResource }),
    user: request.userInfo.username,
    fields: decision.violations.map((violation) => violation.path),
  };
  if (!decision.allowed) {
    log("denied", fields, "warn");
    return;
  }
  const breakGlass = decision.breakGlass === undefined ? {} : { breakGlass: decision.breakGlass };
  log(decision.reason === "warn" ? "warned" : `allowed (${decision.reason})`, { ...fields, ...breakGlass });
}

async function emitConfig(flags: GuardFlags, loaded: LoadedGuard): Promise<string> {
  const webhook = webhookEndpointOf(flags, "--emit-config");
  const { guardWebhookConfiguration } = await import("../guard/webhook-config.js");
  const { stringify } = await import("yaml");
  const { target } = loaded;
  const configuration = guardWebhookConfiguration([...target.desired.values()], loaded.served, {
    scope: target.scope,
    guard: target.config.guard ?? { default: "warn", allow: { users: [], groups: [] }, rules: [] },
    target: webhook,
  });
  return stringify(configuration);
}

/**
 * `--emit-policy`: ValidatingAdmissionPolicies and bindings on stdout; what CEL cannot say exactly
 * is named on stderr (and left to the webhook).
 */
async function emitPolicy(loaded: LoadedGuard): Promise<string> {
  const { guardPolicies } = await import("../guard/policy.js");
  const { stringify } = await import("yaml");
  const { target } = loaded;
  const guard = target.config.guard ?? { default: "warn", allow: { users: [], groups: [] }, rules: [] };
  const generated = guardPolicies([...target.desired.values()], loaded.served, guard, target.schema);
  for (const why of generated.refused) process.stderr.write(`note: not expressed in CEL: ${why}\n`);
  return generated.objects.map((object) => `---\n${stringify(object)}`).join("");
}

/** Serves until SIGINT or SIGTERM, reloading the sources when their files change. */
async function serveGuard(flags: GuardFlags, loaded: LoadedGuard, log: LogLine): Promise<void> {
  const { parseListen, serve } = await import("../server/http.js");
  const { reviewAdmission } = await import("../guard/review.js");
  const { Registry } = await import("prom-client");
  const listen = (() => {
    try {
      return parseListen(flags.listen);
    } catch (error: unknown) {
      throw new CliError((error as Error).message);
    }
  })();
  const tls = servingOf(flags, listen.host);
  let target = loaded.target;
  const record = await recorder(flags, log);
  const server = await serve(
    {
      registry: new Registry(),
      ready: () => true,
      validate: (body) => {
        const reviewed = reviewAdmission(target, body);
        logDecision(log, reviewed);
        record?.(reviewed);
        return reviewed.response;
      },
    },
    listen,
    tls,
  ).catch((error: unknown) => {
    throw new CliError(`guard: --listen ${flags.listen}: ${(error as Error).message}`);
  });
  log("listening", { url: `${server.url}/validate`, objects: target.desired.size });
  const changes = await followGuardSources(flags, log, (next) => (target = next));
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  log("stopping", {});
  await changes?.close();
  await server.close();
  await record?.close();
}

type Recorder = ((reviewed: Reviewed) => void) & { readonly close: () => Promise<void> };

/**
 * `--store`: audited and break-glass writes recorded as observations with their user. The answer
 * to kube-apiserver never waits for the store; a failed write is logged.
 */
async function recorder(flags: GuardFlags, log: LogLine): Promise<Recorder | undefined> {
  if (flags.store === undefined) return undefined;
  const { openStore, StoreError } = await import("../store/index.js");
  const { recordedDrifts } = await import("../guard/record.js");
  const store = await openStore(flags.store).catch((error: unknown) => {
    throw error instanceof StoreError ? new CliError(error.message) : error;
  });
  let pending: Promise<unknown> = Promise.resolve();
  const record = (reviewed: Reviewed): void => {
    const { decision, request } = reviewed;
    if (decision?.ref === undefined || request === undefined) return;
    const drifts = recordedDrifts(decision, request);
    if (drifts.length === 0) return;
    const ref = decision.ref;
    pending = pending
      .then(() => store.recordObservation(ref, drifts, new Date().toISOString()))
      .catch((error: unknown) => log("recording failed", { error: (error as Error).message }, "warn"));
  };
  return Object.assign(record, {
    close: async () => {
      await pending;
      await store.close();
    },
  });
}

async function followGuardSources(
  flags: GuardFlags,
  log: LogLine,
  replace: (target: GuardTarget) => void,
): Promise<{ close(): Promise<void> } | undefined> {
  const paths = sourcePaths({ ...flags, output: "text" }, process.cwd());
  if (paths.length === 0) return undefined;
  const { watchSourceChanges } = await import("../sources/changes.js");
  const changes = watchSourceChanges({
    paths,
    onChange: async (why) => {
      try {
        replace((await loadGuardTarget(flags)).target);
        log("reloaded", { why });
      } catch (error: unknown) {
        log(
          "reload failed: the previous sources stay in force",
          { why, error: (error as Error).message },
          "warn",
        );
      }
    },
    onError: (error) => log("cannot follow the sources", { error: error.message }, "warn"),
  });
  await changes.ready;
  return changes;
}

async function runGuard(flags: GuardFlags): Promise<void> {
  if (!isLogLevel(flags.logLevel)) throw new CliError(`--log-level: expected one of ${LogLevels.join(", ")}`);
  const loaded = await loadGuardTarget(flags);
  if (flags.emitConfig === true) {
    process.stdout.write(await emitConfig(flags, loaded));
    return;
  }
  if (flags.emitPolicy === true) {
    process.stdout.write(await emitPolicy(loaded));
    return;
  }
  await serveGuard(flags, loaded, logLines(process.stderr, { level: flags.logLevel }));
}

export function registerGuard(program: Command): void {
  withDiffOptions(program.command("guard"))
    .description(
      "Refuse, warn about or audit writes that would make what Git manages drift (a validating admission webhook)",
    )
    .option("--listen <host:port>", "serve /validate here", nonEmpty, "127.0.0.1:9443")
    .option("--tls-cert <file>", "the serving certificate (PEM)", nonEmpty)
    .option("--tls-key <file>", "its private key (PEM)", nonEmpty)
    .option("--insecure", "serve plain HTTP (on loopback only), for trying it out")
    .option("--emit-config", "print the ValidatingWebhookConfiguration for the managed objects and exit")
    .option(
      "--emit-policy",
      "print ValidatingAdmissionPolicies and bindings (Kubernetes ≥ 1.30) that decide as the guard does, and exit",
    )
    .option(
      "--webhook-url <url>",
      "with --emit-config: where kube-apiserver reaches the guard (https://…)",
      nonEmpty,
    )
    .option(
      "--webhook-service <ns/name:port>",
      "with --emit-config: the Service kube-apiserver reaches it through",
      nonEmpty,
    )
    .option(
      "--tls-ca <file>",
      "with --emit-config: the CA of the serving certificate (default --tls-cert)",
      nonEmpty,
    )
    .option(
      "--store <url>",
      "record audited and break-glass writes, with their user, in this history store",
      nonEmpty,
    )
    .option("--log-level <level>", `log from this level up (${LogLevels.join(", ")})`, nonEmpty, "info")
    .addHelpText(
      "after",
      [
        "",
        "What it does is in kubedrift.yaml:",
        "  guard:",
        "    default: warn                 # deny | warn (kubectl prints a warning) | audit (recorded)",
        "    allow:                        # the deployers: their writes pass",
        "      serviceAccounts: [argocd/argocd-application-controller]",
        "    rules:",
        "      - kinds: [apps/Deployment]",
        "        namespaces: [shop]",
        "        action: deny",
        "",
        `A write with the annotation kubedrift.dev/break-glass: "<reason>" passes and is logged with its reason.`,
      ].join("\n"),
    )
    .action(async (flags: GuardFlags) => {
      await runGuard(flags).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        rethrowAsCliError(error);
      });
      process.exitCode = 0;
    });
}
