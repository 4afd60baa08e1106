import type { Command } from "commander";
import type { HistoryStore } from "../store/index.js";
import type { Watch, WatchListener, WatchTarget } from "../controller/watch.js";
import type { Notifier, Webhook } from "../controller/notify.js";
import type { HealSettings } from "../controller/heal.js";
import type { Policies } from "../controller/policy.js";
import type { EngineConfig } from "../engine/index.js";
import { CliError, parseDuration, rethrowAsCliError } from "./errors.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { inspectionIO } from "./plan.js";
import { nonEmpty } from "./terminal.js";
import type { LogLevel, LogLine } from "./watch-log.js";
import type { IdentityFlags, IdentitySettings } from "./watch-identities.js";
import { emitWebhookConfig, identityEndpoints, identitySettings } from "./watch-identities.js";
import { LogLevels, isLogLevel, logLines, logListener } from "./watch-log.js";

interface WatchFlags extends Omit<DiffFlags, "output">, IdentityFlags {
  readonly store: string;
  readonly resync: string;
  readonly listen: string;
  /** `--webhook`, `--slack-webhook` (repeatable) and `--notify-dedupe`. */
  readonly webhook: readonly string[];
  readonly slackWebhook: readonly string[];
  readonly notifyDedupe: string;
  /** `--no-events` turns the Kubernetes Events off. */
  readonly events: boolean;
  readonly heal?: boolean;
  readonly healAfter: string;
  readonly healRate: string;
  readonly fightFlips: string;
  readonly fightWindow: string;
  readonly logLevel: string;
  readonly gitPoll?: string;
}

/** The first SIGINT or SIGTERM, caught from the start: one during start-up also ends cleanly. */
interface StopSignal {
  readonly received: Promise<string>;
  readonly which: () => string | undefined;
  readonly dispose: () => void;
}

function stopSignal(): StopSignal {
  let which: string | undefined;
  let resolve: (signal: string) => void = () => undefined;
  const received = new Promise<string>((done) => (resolve = done));
  const stop = (signal: string): void => {
    which ??= signal;
    resolve(signal);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return {
    received,
    which: () => which,
    dispose: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}

async function loadTarget(flags: WatchFlags): Promise<WatchTarget> {
  const { hasSources, inspectDeclared } = await import("../inspect/index.js");
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  if (!hasSources(options))
    throw new CliError(
      "watch: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME",
    );
  if (options.liveFile !== undefined)
    throw new CliError("watch: --live-file cannot be watched: give a cluster");
  // The same inspection as diff: sources, namespaces, scope and the engine's config, checked once.
  const inspection = await inspectDeclared(options, inspectionIO({ ...flags, output: "text" })).catch(
    rethrowAsCliError,
  );
  return {
    desired: inspection.desired,
    cluster: inspection.cluster,
    served: inspection.served,
    schema: inspection.schema,
    config: inspection.config,
    scope: inspection.scope,
    ...(options.selector === undefined ? {} : { labelSelector: options.selector }),
  };
}

/** Until a signal, or until the first sync fails for good (a kind that cannot be watched). */
async function runUntilStopped(watch: Watch, log: LogLine, stop: StopSignal): Promise<void> {
  const failed = watch.synced.then(
    () => new Promise<never>(() => undefined),
    (error: unknown) => Promise.reject(error as Error),
  );
  const signal = await Promise.race([stop.received, failed]);
  log("stopping", { signal });
}

/** Everything the flags say, checked before the sources are read or the cluster asked. */
interface WatchSettings {
  readonly resyncMs: number;
  readonly listen: { readonly host: string; readonly port: number };
  readonly notify: NotifyFlags;
  readonly heal: HealSettings;
  readonly logLevel: LogLevel;
  readonly gitPollMs: number | undefined;
  readonly identities: IdentitySettings;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new CliError(`${flag}: expected a whole number of at least 1, got ${JSON.stringify(text)}`);
  return value;
}

function healSettings(flags: WatchFlags): HealSettings {
  return {
    afterMs: parseDuration(flags.healAfter, "--heal-after"),
    perMinute: positiveInteger(flags.healRate, "--heal-rate"),
    fightFlips: positiveInteger(flags.fightFlips, "--fight-flips"),
    fightWindowMs: parseDuration(flags.fightWindow, "--fight-window"),
  };
}

async function watchSettings(flags: WatchFlags): Promise<WatchSettings> {
  const resyncMs = parseDuration(flags.resync, "--resync");
  if (resyncMs < 1000) throw new CliError(`--resync: ${flags.resync} is too short (at least 1s)`);
  if (!isLogLevel(flags.logLevel))
    throw new CliError(
      `--log-level: expected one of ${LogLevels.join(", ")}, got ${JSON.stringify(flags.logLevel)}`,
    );
  const { parseListen } = await import("../server/http.js");
  const listen = (() => {
    try {
      return parseListen(flags.listen);
    } catch (error: unknown) {
      throw new CliError((error as Error).message);
    }
  })();
  const heal = healSettings(flags);
  if (flags.gitPoll !== undefined && flags.gitRef === undefined)
    throw new CliError("--git-poll: give --git-ref REF too (the revision to follow)");
  const gitPollMs = flags.gitPoll === undefined ? undefined : parseDuration(flags.gitPoll, "--git-poll");
  if (gitPollMs !== undefined && gitPollMs < 1000)
    throw new CliError(`--git-poll: ${flags.gitPoll ?? ""} is too short (at least 1s)`);
  const notify = await notifyFlags(flags);
  const identities = identitySettings(flags);
  return { resyncMs, listen, notify, heal, logLevel: flags.logLevel, gitPollMs, identities };
}

/** `kubedrift watch`: detects drift continuously until SIGINT/SIGTERM (exit 0). */
async function runWatch(flags: WatchFlags): Promise<void> {
  const settings = await watchSettings(flags);
  const { openStore, parseStoreUrl, StoreError } = await import("../store/index.js");
  // A malformed --store fails before the sources are read or the cluster asked.
  try {
    parseStoreUrl(flags.store);
  } catch (error: unknown) {
    throw error instanceof StoreError ? new CliError(`--store: ${error.message}`) : error;
  }
  const stop = stopSignal();
  try {
    const target = await loadTarget(flags);
    if (stop.which() !== undefined) return;
    if (flags.emitWebhookConfig === true) {
      process.stdout.write(await emitWebhookConfig(flags, target));
      return;
    }
    const policies = policiesOf(flags, target.config, target.cluster);
    const store = await openStore(flags.store).catch((error: unknown) => {
      throw error instanceof StoreError ? new CliError(error.message) : error;
    });
    await watchWith({ flags, target, store, stop, policies }, settings);
  } finally {
    stop.dispose();
  }
}

/** kubedrift.yaml's `policies:`, with `--heal` as the mode of what no rule names. */
function policiesOf(flags: WatchFlags, config: EngineConfig, cluster: WatchTarget["cluster"]): Policies {
  const policies: Policies = {
    rules: config.policies ?? [],
    fallback: flags.heal === true ? "heal" : "detect",
  };
  const heals = policies.fallback === "heal" || policies.rules.some((rule) => rule.mode === "heal");
  if (heals && cluster.writer === undefined)
    throw new CliError("watch: healing needs a cluster that can be written to (not a --live-file)");
  return policies;
}

interface NotifyFlags {
  readonly webhooks: readonly Webhook[];
  readonly dedupeMs: number;
}

/** The webhooks, checked before anything starts: https:// unless loopback, one line otherwise. */
async function notifyFlags(flags: WatchFlags): Promise<NotifyFlags> {
  const { webhooksFrom, WebhookUrlError } = await import("../controller/notify.js");
  const dedupeMs = parseDuration(flags.notifyDedupe, "--notify-dedupe");
  try {
    return { webhooks: webhooksFrom(flags.webhook, flags.slackWebhook), dedupeMs };
  } catch (error: unknown) {
    throw error instanceof WebhookUrlError ? new CliError(error.message) : error;
  }
}

/**
 * Webhook notifications of the episodes whose policy is `warn` or `heal`, and of contests and
 * failed heals; none without a webhook. Webhooks no policy can reach are said at the start.
 */
async function startNotifier(
  notify: NotifyFlags,
  { target, policies }: { readonly target: WatchTarget; readonly policies: Policies },
  log: LogLine,
): Promise<Notifier | undefined> {
  if (notify.webhooks.length === 0) return undefined;
  const { createNotifier } = await import("../controller/notify.js");
  const { episodeMode, mayUse } = await import("../controller/policy.js");
  if (!mayUse(policies, "warn") && !mayUse(policies, "heal"))
    log(
      "no policy is warn or heal: the webhooks will not be called; add `policies: [{mode: warn}]` to kubedrift.yaml",
      {},
      "warn",
    );
  const { systemClock } = await import("../controller/informer.js");
  const { refKey } = await import("../model/index.js");
  const versions = new Map(
    target.desired.map(({ ref }) => [
      refKey(ref),
      ref.group === "" ? ref.version : `${ref.group}/${ref.version}`,
    ]),
  );
  return createNotifier({
    webhooks: notify.webhooks,
    cluster: target.cluster.name,
    clock: systemClock,
    dedupeMs: notify.dedupeMs,
    log,
    apiVersionOf: (resource) => versions.get(refKey({ ...resource, version: "" })),
    wanted: (episode) => episodeMode(policies, episode) !== "detect",
  });
}

interface Started {
  readonly flags: WatchFlags;
  readonly target: WatchTarget;
  readonly store: HistoryStore;
  readonly stop: StopSignal;
  readonly policies: Policies;
}

/** Runs the loop and the endpoints on an open store until stopped; closes all three either way. */
async function watchWith(
  { flags, target, store, stop, policies }: Started,
  { resyncMs, listen, notify, heal, logLevel, gitPollMs, identities }: WatchSettings,
): Promise<void> {
  const { serve } = await import("../server/http.js");
  const { combineListeners, startWatch } = await import("../controller/watch.js");
  const { systemClock } = await import("../controller/informer.js");
  const { createWatchMetrics } = await import("../server/metrics.js");
  const log = logLines(process.stderr, { level: logLevel });
  let watch: Watch | undefined;
  if (stop.which() !== undefined) {
    await store.close();
    return;
  }
  const metrics = createWatchMetrics(() => (watch as Watch).state());
  const notifier = await startNotifier(notify, { target, policies }, log);
  const events = await eventRecorder(flags, target, log);
  const writes = await identityEndpoints(identities, log);
  try {
    watch = await startWatch({
      target,
      store,
      clock: systemClock,
      resyncMs,
      policies,
      heal,
      ...(writes === undefined ? {} : { writes: { log: writes.writes, waitMs: identities.waitMs } }),
      listener: combineListeners(
        metrics.listener,
        logListener(log),
        ...(notifier === undefined ? [] : [notifier.listener]),
        ...(events === undefined ? [] : [events.listener]),
      ),
    });
    const running = watch;
    const server = await serve(
      { registry: metrics.registry, ready: () => running.state().ready, ...writes?.endpoints },
      listen,
      identities.tls,
    ).catch((error: unknown) => {
      throw new CliError(`watch: --listen ${flags.listen}: ${(error as Error).message}`);
    });
    log("listening", { url: server.url, objects: target.desired.length });
    const { followSources } = await import("./watch-sources.js");
    const sources = await followSources({
      flags: { ...flags, output: "text" },
      target,
      watch: running,
      log,
      gitPollMs,
      policiesOf: (config) => policiesOf(flags, config, target.cluster),
    });
    try {
      await runUntilStopped(running, log, stop);
    } finally {
      await sources?.close();
      await server.close();
    }
  } finally {
    await watch?.stop();
    // What was detected just before the stop still goes out, for a few seconds at most.
    await notifier?.close(5000);
    await events?.flush();
    await store.close();
  }
}

/** The Kubernetes Events on drifted objects (`--no-events`: none); a failing write is logged once per kind. */
async function eventRecorder(
  flags: WatchFlags,
  target: WatchTarget,
  log: LogLine,
): Promise<{ readonly listener: WatchListener; readonly flush: () => Promise<void> } | undefined> {
  const writer = target.cluster.writer;
  if (!flags.events || writer === undefined) return undefined;
  const { createEventRecorder } = await import("../controller/events.js");
  const { hostname } = await import("node:os");
  return createEventRecorder({
    writer,
    served: target.served,
    clock: { now: () => Date.now() },
    host: hostname(),
    onFailure: (kind, message) => log("event write failed", { failure: kind, error: message }),
  });
}

function collect(value: string, previous: readonly string[]): readonly string[] {
  return [...previous, value];
}

export function registerWatch(program: Command): void {
  withDiffOptions(program.command("watch"))
    .description("Watch the cluster and record every drift as it happens, with its history and metrics")
    .option(
      "--store <url>",
      "the history store: sqlite:PATH or postgres://…",
      nonEmpty,
      "sqlite:./kubedrift.db",
    )
    .option("--resync <duration>", "evaluate everything again this often (e.g. 30s, 10m)", nonEmpty, "10m")
    .option("--listen <host:port>", "serve /metrics, /healthz and /readyz here", nonEmpty, "127.0.0.1:9090")
    .option(
      "--events",
      "write Kubernetes Events (DriftDetected, DriftResolved, HealFailed, DriftContested) on drifted objects",
      true,
    )
    .option("--no-events", "write no Kubernetes Events")
    .option(
      "--webhook <url>",
      "POST each drift of a warn or heal policy, opened or closed, as JSON here (repeatable)",
      collect,
      [],
    )
    .option(
      "--slack-webhook <url>",
      "post each drift of a warn or heal policy to this Slack incoming webhook (repeatable)",
      collect,
      [],
    )
    .option(
      "--notify-dedupe <duration>",
      "notify the same drift of the same resource once in this window",
      nonEmpty,
      "10m",
    )
    .option("--heal", "heal every drift in scope that no policy of kubedrift.yaml names (the policy heal)")
    .option("--heal-after <duration>", "let a drift stand this long before healing it", nonEmpty, "30s")
    .option("--heal-rate <n>", "heal at most this many times per minute", nonEmpty, "30")
    .option(
      "--fight-flips <n>",
      "a fight loop: another manager flips a healed field back this many times…",
      nonEmpty,
      "3",
    )
    .option(
      "--fight-window <duration>",
      "…within this window; then healing that field stops",
      nonEmpty,
      "10m",
    )
    .option(
      "--git-poll <duration>",
      "with --git-ref: fetch and read the ref this often, reloading the sources when it moves",
      nonEmpty,
    )
    .option(
      "--audit-token-file <file>",
      "serve /audit for kube-apiserver's audit webhook, whose requests carry this bearer token: drifts name the user",
      nonEmpty,
    )
    .option(
      "--admission-record",
      "serve /admission/record, a record-only admission webhook (always allows): drifts name the user",
    )
    .option("--tls-cert <file>", "serve over HTTPS with this certificate (PEM); webhooks need it", nonEmpty)
    .option("--tls-key <file>", "the certificate's private key (PEM)", nonEmpty)
    .option(
      "--attribution-wait <duration>",
      "how long a fresh change waits for its audit event or admission request",
      nonEmpty,
      "2s",
    )
    .option(
      "--emit-webhook-config",
      "print the ValidatingWebhookConfiguration for the scope (with --webhook-url or --webhook-service, --tls-ca) and exit",
    )
    .option(
      "--webhook-url <url>",
      "with --emit-webhook-config: where kube-apiserver reaches watch (https://…)",
      nonEmpty,
    )
    .option(
      "--webhook-service <ns/name:port>",
      "with --emit-webhook-config: the Service kube-apiserver reaches watch through",
      nonEmpty,
    )
    .option(
      "--tls-ca <file>",
      "with --emit-webhook-config: the CA of the serving certificate (default --tls-cert)",
      nonEmpty,
    )
    .option("--log-level <level>", `log from this level up (${LogLevels.join(", ")})`, nonEmpty, "info")
    .addHelpText(
      "after",
      [
        "",
        "Policies (kubedrift.yaml, the last matching rule wins):",
        "  policies:",
        "    - mode: warn                # detect (the default): record and signal; warn: also notify the webhooks",
        "    - kinds: [apps/Deployment]  # heal: also put the drifted fields back, after --heal-after",
        "      namespaces: [shop]",
        "      mode: heal",
        "    - path: /spec/replicas      # a field left to an autoscaler",
        "      mode: detect",
        "",
        "The sources (and kubedrift.yaml) are read again when their files change, and with",
        "--git-ref REF --git-poll DUR when the ref moves; an open drift the change ends is closed as",
        "sourceChanged. Logs one line per drift opened, closed, healed or contested on stderr (JSON",
        "lines when stderr is not a terminal). Stops on SIGINT or SIGTERM with exit status 0; 1 on an error.",
      ].join("\n"),
    )
    .action(async (flags: WatchFlags) => {
      await runWatch(flags).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        rethrowAsCliError(error);
      });
      process.exitCode = 0;
    });
}
