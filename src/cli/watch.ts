import type { Command } from "commander";
import type { Episode, HistoryStore } from "../store/index.js";
import type { Watch, WatchListener, WatchTarget } from "../controller/watch.js";
import type { Notifier, Webhook } from "../controller/notify.js";
import { describeRef } from "../model/index.js";
import { CliError, parseDuration, rethrowAsCliError } from "./errors.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { inspectionIO } from "./plan.js";
import { nonEmpty } from "./terminal.js";

interface WatchFlags extends Omit<DiffFlags, "output"> {
  readonly store: string;
  readonly resync: string;
  readonly listen: string;
  /** `--webhook`, `--slack-webhook` (repeatable) and `--notify-dedupe`. */
  readonly webhook: readonly string[];
  readonly slackWebhook: readonly string[];
  readonly notifyDedupe: string;
  /** `--no-events` turns the Kubernetes Events off. */
  readonly events: boolean;
}

/** One log line: JSON when stderr is not a terminal (for log collectors), else words. */
export type LogLine = (message: string, fields: Readonly<Record<string, unknown>>) => void;

export function logLines(
  stream: { readonly isTTY?: boolean; write(text: string): unknown },
  now: () => Date = () => new Date(),
): LogLine {
  return (message, fields) => {
    if (stream.isTTY === true) {
      const said = Object.entries(fields)
        .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
        .join(" ");
      stream.write(`${message}${said === "" ? "" : ` ${said}`}\n`);
    } else stream.write(`${JSON.stringify({ time: now().toISOString(), msg: message, ...fields })}\n`);
  };
}

function episodeFields(episode: Episode): Record<string, unknown> {
  const { kind, namespace, name } = episode.resource;
  return {
    resource: describeRef({ ...episode.resource, version: "" }),
    kind,
    namespace,
    name,
    episode: episode.id,
    fields: episode.changes.map((change) => change.path),
    managers: [...new Set(episode.changes.flatMap((change) => change.manager ?? []))],
  };
}

/** One line per episode opened or closed, and each error the loop reports (it goes on). */
export function logListener(log: LogLine): WatchListener {
  return {
    onEpisodeOpened: (episode) => log("drift opened", { ...episodeFields(episode), at: episode.startedAt }),
    onEpisodeExtended: (episode, paths) => log("drift extended", { ...episodeFields(episode), added: paths }),
    onEpisodeClosed: (episode) =>
      log("drift closed", { ...episodeFields(episode), at: episode.endedAt, how: episode.endedBy }),
    onFullSync: (seconds, first) => {
      if (first) log("synced", { seconds });
    },
    onError: (error) => log("error", { error: error.message }),
  };
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
  const { hasSources, inspectDrift } = await import("../inspect/index.js");
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  if (!hasSources(options))
    throw new CliError(
      "watch: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME",
    );
  if (options.liveFile !== undefined)
    throw new CliError("watch: --live-file cannot be watched: give a cluster");
  // The same inspection as diff: sources, namespaces, scope and the engine's config, checked once.
  const inspection = await inspectDrift(options, inspectionIO({ ...flags, output: "text" })).catch(
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

/** `kubedrift watch`: detects drift continuously until SIGINT/SIGTERM (exit 0). */
async function runWatch(flags: WatchFlags): Promise<void> {
  const resyncMs = parseDuration(flags.resync, "--resync");
  if (resyncMs < 1000) throw new CliError(`--resync: ${flags.resync} is too short (at least 1s)`);
  const { parseListen } = await import("../server/http.js");
  const listen = (() => {
    try {
      return parseListen(flags.listen);
    } catch (error: unknown) {
      throw new CliError((error as Error).message);
    }
  })();
  const notify = await notifyFlags(flags);
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
    const store = await openStore(flags.store).catch((error: unknown) => {
      throw error instanceof StoreError ? new CliError(error.message) : error;
    });
    await watchWith({ flags, target, store, stop }, { resyncMs, listen, notify });
  } finally {
    stop.dispose();
  }
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

/** Webhook notifications of episodes opened and closed; none without a webhook. */
async function startNotifier(
  notify: NotifyFlags,
  target: WatchTarget,
  log: LogLine,
): Promise<Notifier | undefined> {
  if (notify.webhooks.length === 0) return undefined;
  const { createNotifier } = await import("../controller/notify.js");
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
  });
}

interface Started {
  readonly flags: WatchFlags;
  readonly target: WatchTarget;
  readonly store: HistoryStore;
  readonly stop: StopSignal;
}

/** Runs the loop and the endpoints on an open store until stopped; closes all three either way. */
async function watchWith(
  { flags, target, store, stop }: Started,
  {
    resyncMs,
    listen,
    notify,
  }: {
    readonly resyncMs: number;
    readonly listen: { host: string; port: number };
    readonly notify: NotifyFlags;
  },
): Promise<void> {
  const { serve } = await import("../server/http.js");
  const { combineListeners, startWatch } = await import("../controller/watch.js");
  const { systemClock } = await import("../controller/informer.js");
  const { createWatchMetrics } = await import("../server/metrics.js");
  const log = logLines(process.stderr);
  let watch: Watch | undefined;
  if (stop.which() !== undefined) {
    await store.close();
    return;
  }
  const metrics = createWatchMetrics(() => (watch as Watch).state());
  const notifier = await startNotifier(notify, target, log);
  const events = await eventRecorder(flags, target, log);
  try {
    watch = await startWatch({
      target,
      store,
      clock: systemClock,
      resyncMs,
      listener: combineListeners(
        metrics.listener,
        logListener(log),
        ...(notifier === undefined ? [] : [notifier.listener]),
        ...(events === undefined ? [] : [events.listener]),
      ),
    });
    const running = watch;
    const server = await serve(
      { registry: metrics.registry, ready: () => running.state().ready },
      listen,
    ).catch((error: unknown) => {
      throw new CliError(`watch: --listen ${flags.listen}: ${(error as Error).message}`);
    });
    log("listening", { url: server.url, objects: target.desired.length });
    try {
      await runUntilStopped(running, log, stop);
    } finally {
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
    .option("--events", "write Kubernetes Events (DriftDetected, DriftResolved) on drifted objects", true)
    .option("--no-events", "write no Kubernetes Events")
    .option("--webhook <url>", "POST each drift opened or closed as JSON here (repeatable)", collect, [])
    .option(
      "--slack-webhook <url>",
      "post each drift opened or closed to this Slack incoming webhook (repeatable)",
      collect,
      [],
    )
    .option(
      "--notify-dedupe <duration>",
      "notify the same drift of the same resource once in this window",
      nonEmpty,
      "10m",
    )
    .addHelpText(
      "after",
      "\nLogs one line per drift opened or closed on stderr (JSON lines when stderr is not a terminal).\nStops on SIGINT or SIGTERM with exit status 0; 1 on an error.",
    )
    .action(async (flags: WatchFlags) => {
      await runWatch(flags).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        rethrowAsCliError(error);
      });
      process.exitCode = 0;
    });
}
