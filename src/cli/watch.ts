import type { Command } from "commander";
import type { HistoryStore } from "../store/index.js";
import type { Watch, WatchListener, WatchOptions, WatchTarget } from "../controller/watch.js";
import type { Notifier, Webhook } from "../controller/notify.js";
import type { HealSettings } from "../controller/heal.js";
import type { Policies } from "../controller/policy.js";
import type { EngineConfig } from "../engine/index.js";
import { CliError, parseDuration, rethrowAsCliError } from "./errors.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { inspectionIO } from "./plan.js";
import { withWatchFlags } from "./watch-flags.js";
import type { Registry } from "prom-client";
import type { Api } from "../server/api.js";
import type { LiveEvents } from "../server/live.js";
import type { Endpoints } from "../server/http.js";
import type { LogLevel, LogLine } from "./watch-log.js";
import type { IdentityFlags, IdentitySettings } from "./watch-identities.js";
import type { GitFlags, RunningRemote } from "./watch-git.js";
import type { Leadership, LeaderFlags, LeaderSettings } from "./watch-leader.js";
import type { WriteLog } from "../controller/writes.js";
import { campaign, leaderSettings, leadership, podNamespace } from "./watch-leader.js";
import { hookSecretOf, remotePollMs, remoteReadiness, remoteSourceOf, startRemote } from "./watch-git.js";
import type { RemoteSource } from "../sources/git/index.js";
import { bearerTokenOf, emitWebhookConfig, identityEndpoints, identitySettings } from "./watch-identities.js";
import { LogLevels, isLogLevel, logLines, logListener } from "./watch-log.js";
import type { ShardFlags } from "./watch-shard.js";
import { addShardMetric, shardSettings, shardedLeader, shardedLog, shardedStore } from "./watch-shard.js";
import type { Shard } from "../controller/shard.js";
import { inShard } from "../controller/shard.js";

export interface WatchFlags
  extends Omit<DiffFlags, "output">, IdentityFlags, GitFlags, LeaderFlags, ShardFlags {
  readonly store: string;
  /** `--cluster-name`: the name the cluster is recorded under, instead of its context's. */
  readonly clusterName?: string;
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
  readonly emitRbac?: boolean;
  readonly serviceAccount: string;
  readonly serviceAccountNamespace?: string;
  /** `--ui-token-file`: the bearer token of the dashboard's API; no `/api/` without it. */
  readonly uiTokenFile?: string;
  /** `--ui-actions`: the dashboard may heal; read-only without. */
  readonly uiActions?: boolean;
  readonly uiBlame?: boolean;
  /** `--ui-auth token|proxy` and, with proxy, `--ui-proxy-header`. */
  readonly uiAuth: string;
  readonly uiProxyHeader: string;
}

/** The name the cluster is recorded under: `--cluster-name`, else its kubeconfig context's. */
export function clusterNameOf(target: Pick<WatchTarget, "cluster" | "clusterName">): string {
  return target.clusterName ?? target.cluster.name;
}

/** The first SIGINT or SIGTERM, caught from the start: one during start-up also ends cleanly. */
export interface StopSignal {
  readonly received: Promise<string>;
  readonly which: () => string | undefined;
  readonly dispose: () => void;
}

export function stopSignal(): StopSignal {
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

export async function loadTarget(flags: WatchFlags, cwd?: string): Promise<WatchTarget> {
  const { hasSources, inspectDeclared } = await import("../inspect/index.js");
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  if (!hasSources(options))
    throw new CliError(
      "watch: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME",
    );
  if (options.liveFile !== undefined)
    throw new CliError("watch: --live-file cannot be watched: give a cluster");
  // The same inspection as diff: sources, namespaces, scope and the engine's config, checked once.
  const io = { ...inspectionIO({ ...flags, output: "text" }), ...(cwd === undefined ? {} : { cwd }) };
  const inspection = await inspectDeclared(options, io).catch(rethrowAsCliError);
  return {
    desired: inspection.desired,
    cluster: inspection.cluster,
    ...(flags.clusterName === undefined ? {} : { clusterName: flags.clusterName }),
    served: inspection.served,
    schema: inspection.schema,
    config: inspection.config,
    scope: inspection.scope,
    ...(options.selector === undefined ? {} : { labelSelector: options.selector }),
  };
}

/** Until a signal, or until the first sync fails for good (a kind that cannot be watched). */
export async function runUntilStopped(watch: Watch, log: LogLine, stop: StopSignal): Promise<void> {
  const failed = watch.synced.then(
    () => new Promise<never>(() => undefined),
    (error: unknown) => Promise.reject(error as Error),
  );
  const signal = await Promise.race([stop.received, failed]);
  log("stopping", { signal });
}

/** Everything the flags say, checked before the sources are read or the cluster asked. */
export interface WatchSettings {
  readonly resyncMs: number;
  readonly listen: { readonly host: string; readonly port: number };
  readonly notify: NotifyFlags;
  readonly heal: HealSettings;
  readonly logLevel: LogLevel;
  readonly gitPollMs: number | undefined;
  readonly identities: IdentitySettings;
  /** `--git-url`: the Git server the desired state comes from, and the push hook's secret. */
  readonly remote?: { readonly source: RemoteSource; readonly pollMs: number; readonly hookSecret?: string };
  readonly leader?: LeaderSettings;
  /** `--shard I/N`: this watch's namespaces of a cluster split across N replicas. */
  readonly shard?: Shard;
  /** The dashboard: the bearer token `/api/` asks for, its write actions and its auth proxy; absent, none. */
  readonly ui?: UiSettings;
}

interface UiSettings {
  readonly token: string;
  readonly actions: boolean;
  /** `--ui-blame`: a resource page names the commit behind each drifted field's source line. */
  readonly blame: boolean;
  /** `--ui-auth proxy`: the header naming the user, lower case. */
  readonly proxyHeader?: string;
}

/**
 * The dashboard's flags: served with `--ui-token-file`, or behind an auth proxy (where the token,
 * if any, is for scripts only: without one, a random one nobody knows keeps the bearer door shut).
 */
async function uiSettings(flags: WatchFlags): Promise<UiSettings | undefined> {
  if (flags.uiAuth !== "token" && flags.uiAuth !== "proxy")
    throw new CliError(`--ui-auth: expected token or proxy, got ${JSON.stringify(flags.uiAuth)}`);
  const token = bearerTokenOf(flags.uiTokenFile, "--ui-token-file");
  const actions = flags.uiActions === true;
  const blame = flags.uiBlame === true;
  if (flags.uiAuth === "proxy") {
    const { randomBytes } = await import("node:crypto");
    const header = flags.uiProxyHeader.trim().toLowerCase();
    if (!/^[a-z0-9-]+$/.test(header))
      throw new CliError(
        `--ui-proxy-header: expected a header name, got ${JSON.stringify(flags.uiProxyHeader)}`,
      );
    return { token: token ?? randomBytes(32).toString("base64url"), actions, blame, proxyHeader: header };
  }
  if (token === undefined && actions)
    throw new CliError("--ui-actions: the dashboard needs --ui-token-file FILE or --ui-auth proxy");
  return token === undefined ? undefined : { token, actions, blame };
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
  const notify = await notifyFlags(flags);
  const identities = identitySettings(flags);
  const shard = shardSettings(flags);
  const leader = shardedLeader(leaderSettings(flags, process.env), shard);
  const ui = await uiSettings(flags);
  return {
    resyncMs,
    listen,
    notify,
    heal,
    logLevel: flags.logLevel,
    identities,
    ...gitSettings(flags),
    ...(leader === undefined ? {} : { leader }),
    ...(shard === undefined ? {} : { shard }),
    ...(ui === undefined ? {} : { ui }),
  };
}

/** `--git-poll` of a `--git-ref`, or the Git server of `--git-url` with its poll and push hook. */
function gitSettings(flags: WatchFlags): Pick<WatchSettings, "gitPollMs" | "remote"> {
  if (flags.gitPoll !== undefined && flags.gitRef === undefined && flags.gitUrl === undefined)
    throw new CliError("--git-poll: give --git-ref REF or --git-url URL too (the revision to follow)");
  const gitPollMs = flags.gitPoll === undefined ? undefined : remotePollMs(flags);
  const source = remoteSourceOf(flags);
  const hookSecret = hookSecretOf(flags);
  if (source === undefined) return { gitPollMs };
  return {
    gitPollMs,
    remote: { source, pollMs: remotePollMs(flags), ...(hookSecret === undefined ? {} : { hookSecret }) },
  };
}

/** `kubedrift watch`: detects drift continuously until SIGINT/SIGTERM (exit 0). */
async function runWatch(flags: WatchFlags): Promise<void> {
  const settings = await watchSettings(flags);
  const { parseStoreUrl, StoreError } = await import("../store/index.js");
  // A malformed --store fails before the sources are read or the cluster asked.
  try {
    parseStoreUrl(flags.store);
  } catch (error: unknown) {
    throw error instanceof StoreError ? new CliError(`--store: ${error.message}`) : error;
  }
  const { runFleet, watchedContexts } = await import("./watch-fleet.js");
  const contexts = await watchedContexts(flags);
  if (contexts.length > 1) await runFleet(flags, settings, contexts);
  else await runOne(contexts.length === 1 ? { ...flags, context: contexts } : flags, settings);
}

/** One cluster, as watch always watched one. */
async function runOne(flags: WatchFlags, settings: WatchSettings): Promise<void> {
  const { openStore, StoreError } = await import("../store/index.js");
  const stop = stopSignal();
  const log = shardedLog(logLines(process.stderr, { level: settings.logLevel }), settings.shard);
  let remote: RunningRemote | undefined;
  try {
    if (settings.remote !== undefined) {
      remote = await startRemote(settings.remote.source, { ...settings.remote, log, stopped: stop.received });
      if (remote === undefined) return;
    }
    const target = shardOf(await loadTarget(flags, remote?.fetched.directory), settings.shard);
    if (stop.which() !== undefined) return;
    if (flags.emitWebhookConfig === true) {
      process.stdout.write(await emitWebhookConfig(flags, target));
      return;
    }
    const policies = policiesOf(flags, target.config, target.cluster);
    if (flags.emitRbac === true) {
      process.stdout.write(await emitRbac(flags, { target, policies }));
      return;
    }
    const store = await openStore(flags.store, { writer: true }).catch((error: unknown) => {
      throw error instanceof StoreError ? new CliError(error.message) : error;
    });
    await watchWith({ flags, target, store, stop, policies, log, remote }, settings);
  } finally {
    await remote?.poller.close();
    stop.dispose();
  }
}

/** The shard's desired objects only (the loop filters them too, and again at each reload). */
function shardOf(target: WatchTarget, shard: Shard | undefined): WatchTarget {
  return shard === undefined ? target : { ...target, desired: inShard(target.desired, shard) };
}

/**
 * `--emit-rbac`: the least RBAC this watch needs (its kinds and namespaces, the verbs its policies
 * heal with, Events, the Lease), bound to `--service-account`, as YAML on stdout.
 */
async function emitRbac(
  flags: WatchFlags,
  { target, policies }: { readonly target: WatchTarget; readonly policies: Policies },
): Promise<string> {
  const { permissionsFor, renderManifests } = await import("../controller/permissions.js");
  const helm = (flags.helmRelease ?? []).length > 0 || flags.all === true;
  const helmNamespace =
    flags.allNamespaces === true ? undefined : (flags.namespace ?? target.cluster.namespace);
  const scope = { ...target.scope, ...(helm ? { helmReleases: { namespace: helmNamespace } } : {}) };
  const serviceAccount = {
    name: flags.serviceAccount,
    namespace: flags.serviceAccountNamespace ?? podNamespace(process.env),
  };
  return renderManifests(permissionsFor(scope, target.served, policies, serviceAccount));
}

/** kubedrift.yaml's `policies:`, with `--heal` as the mode of what no rule names. */
export function policiesOf(
  flags: WatchFlags,
  config: EngineConfig,
  cluster: WatchTarget["cluster"],
): Policies {
  const policies: Policies = {
    rules: config.policies ?? [],
    fallback: flags.heal === true ? "heal" : "detect",
  };
  const heals = policies.fallback === "heal" || policies.rules.some((rule) => rule.mode === "heal");
  if (heals && cluster.writer === undefined)
    throw new CliError("watch: healing needs a cluster that can be written to (not a --live-file)");
  return policies;
}

export interface NotifyFlags {
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
export async function startNotifier(
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
    cluster: clusterNameOf(target),
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
  readonly log: LogLine;
  readonly remote: RunningRemote | undefined;
}

/** Runs the loop and the endpoints on an open store until stopped; closes all three either way. */
async function watchWith(started: Started, settings: WatchSettings): Promise<void> {
  const { flags, target, store, stop, policies, log } = started;
  const { combineListeners, startWatch } = await import("../controller/watch.js");
  const { systemClock } = await import("../controller/informer.js");
  const { createWatchMetrics } = await import("../server/metrics.js");
  let watch: Watch | undefined;
  if (stop.which() !== undefined) {
    await store.close();
    return;
  }
  const metrics = createWatchMetrics(() => (watch as Watch).state());
  await addShardMetric(metrics.registry, settings.shard);
  const notifier = await startNotifier(settings.notify, { target, policies }, log);
  const events = await eventRecorder(flags, target, log);
  const writes = await identityEndpoints(settings.identities, log);
  const leading = leadership(settings.leader);
  const live = settings.ui === undefined ? undefined : new (await import("../server/live.js")).LiveEvents();
  try {
    watch = await startWatch({
      target,
      // Its own cluster's episodes only: a fleet's watches share one store (docs/fleet.md).
      store: store.forCluster(clusterNameOf(target)),
      clock: systemClock,
      resyncMs: settings.resyncMs,
      policies,
      heal: settings.heal,
      ...(settings.shard === undefined ? {} : { shard: settings.shard }),
      ...optionalParts(writes, leading, settings.identities.waitMs),
      listener: combineListeners(
        metrics.listener,
        logListener(log),
        ...[notifier?.listener, events?.listener, live?.listener()].filter((one) => one !== undefined),
      ),
    });
    if (settings.leader !== undefined && leading !== undefined)
      await campaign(settings.leader, { target, watch, log, state: leading });
    await serveUntilStopped(started, settings, {
      watch,
      endpoints: { registry: metrics.registry, ...writes?.endpoints },
      live,
    });
  } finally {
    await shutDown({ leading, watch, notifier, events, store });
  }
}

/** In order: the Lease released (a follower takes over while this one finishes), the loop, then what it told. */
async function shutDown(parts: {
  readonly leading: Leadership | undefined;
  readonly watch: Watch | undefined;
  readonly notifier: Notifier | undefined;
  readonly events: { readonly flush: () => Promise<void> } | undefined;
  readonly store: HistoryStore;
}): Promise<void> {
  await parts.leading?.election?.stop();
  await parts.watch?.stop();
  // What was detected just before the stop still goes out, for a few seconds at most.
  await parts.notifier?.close(5000);
  await parts.events?.flush();
  await parts.store.close();
}

export function optionalParts(
  writes: { readonly writes: WriteLog } | undefined,
  leading: Leadership | undefined,
  waitMs: number,
): Pick<WatchOptions, "writes" | "leadership"> {
  return {
    ...(writes === undefined ? {} : { writes: { log: writes.writes, waitMs } }),
    ...(leading === undefined ? {} : { leadership: leading }),
  };
}

/** The endpoints served and the sources followed while the loop runs, until a signal. */
async function serveUntilStopped(
  { flags, target, stop, log, remote, store }: Started,
  settings: WatchSettings,
  running: {
    readonly watch: Watch;
    readonly endpoints: Omit<Endpoints, "ready">;
    readonly live: LiveEvents | undefined;
  },
): Promise<void> {
  const { serve } = await import("../server/http.js");
  const { watch } = running;
  const server = await serve(
    {
      ...running.endpoints,
      ready: () => watch.state().ready,
      ...(await remoteEndpoints(remote, settings.remote?.hookSecret, running.endpoints.registry)),
      ...(await dashboardEndpoints(settings, {
        watch,
        store: shardedStore(store, clusterNameOf(target), settings.shard),
        live: running.live,
        target,
      })),
    },
    settings.listen,
    settings.identities.tls,
  ).catch((error: unknown) => {
    throw new CliError(`watch: --listen ${flags.listen}: ${(error as Error).message}`);
  });
  log("listening", { url: server.url, objects: target.desired.length });
  const sources = await follow({ ...running, flags, target, log, remote }, settings.gitPollMs);
  try {
    await runUntilStopped(watch, log, stop);
  } finally {
    await sources?.close();
    await server.close();
  }
}

/**
 * The dashboard with `--ui-token-file` or `--ui-auth proxy` only: `/api/` reads the loop's verdicts
 * and the store, `/api/stream` tells the page what changes, `/login` trades the token for a session
 * cookie; with `--ui-actions`, `Heal` goes through the loop's healer.
 */
export async function dashboardEndpoints(
  settings: WatchSettings,
  parts: {
    readonly watch: Watch;
    readonly store: HistoryStore;
    readonly live: LiveEvents | undefined;
    readonly target: WatchTarget;
  },
): Promise<Pick<Endpoints, "api" | "dashboard" | "actions">> {
  const ui = settings.ui;
  if (ui === undefined || parts.live === undefined) return {};
  const { token, proxyHeader } = ui;
  const { Sessions } = await import("../server/session.js");
  const { uiAsset } = await import("../server/ui-assets.js");
  const { randomBytes } = await import("node:crypto");
  const { eventsAbout } = await import("../controller/events.js");
  const { watch } = parts;
  const cluster = parts.target.cluster;
  return {
    api: {
      token,
      resources: () => watch.resources(),
      store: parts.store,
      now: () => new Date(),
      events: (ref) => eventsAbout(cluster, ref),
      cluster: clusterNameOf(parts.target),
      ...(ui.blame ? { blame: await blameOf() } : {}),
    },
    dashboard: {
      sessions: new Sessions({ token, now: () => Date.now() }),
      live: parts.live,
      asset: uiAsset,
      secure: settings.identities.tls !== undefined,
      ...(proxyHeader === undefined ? {} : { proxy: { header: proxyHeader, key: randomBytes(32) } }),
    },
    ...(ui.actions ? { actions: { heal: (resource, user) => watch.healNow(resource, user) } } : {}),
  };
}

/** `git blame` of the sources' lines, from the working directory the sources are read in. */
async function blameOf(): Promise<NonNullable<Api["blame"]>> {
  const { blameDrifts } = await import("../inspect/blame.js");
  const cwd = process.cwd();
  return (drifts) => blameDrifts(drifts, { cwd });
}

/** Reloads on a moved commit of `--git-url`, else on edited files or a moved `--git-ref`. */
async function follow(
  context: Pick<Started, "flags" | "target" | "log" | "remote"> & { readonly watch: Watch },
  gitPollMs: number | undefined,
): Promise<{ close(): Promise<void> } | undefined> {
  const { flags, target, log, remote, watch } = context;
  const { followSources, reloadSources } = await import("./watch-sources.js");
  const following = {
    flags: { ...flags, output: "text" as const },
    target,
    watch,
    log,
    gitPollMs,
    policiesOf: (config: EngineConfig) => policiesOf(flags, config, target.cluster),
  };
  if (remote === undefined) return followSources(following);
  remote.onChange = (fetched) =>
    reloadSources(following, `the Git source moved to ${fetched.commit.slice(0, 12)}`, fetched.directory);
  return undefined;
}

/** `/hooks/git` (with a secret), `/readyz`'s check of the Git source and its metrics; none without `--git-url`. */
async function remoteEndpoints(
  remote: RunningRemote | undefined,
  hookSecret: string | undefined,
  registry: Registry,
): Promise<Pick<Endpoints, "gitHook" | "checks">> {
  if (remote === undefined) return {};
  const { verifyPushSignature } = await import("../sources/git/index.js");
  const { addRemoteMetrics } = await import("../server/metrics.js");
  addRemoteMetrics(registry, () => remote.poller.state());
  return {
    checks: [{ name: "git", failure: remoteReadiness(remote.poller) }],
    ...(hookSecret === undefined
      ? {}
      : {
          gitHook: {
            verify: (body, headers) => verifyPushSignature(body, headers, hookSecret),
            trigger: () => remote.poller.trigger(),
          },
        }),
  };
}

/** The Kubernetes Events on drifted objects (`--no-events`: none); a failing write is logged once per kind. */
export async function eventRecorder(
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

export function registerWatch(program: Command): void {
  withWatchFlags(withDiffOptions(program.command("watch")))
    .description("Watch the cluster and record every drift as it happens, with its history and metrics")
    .action(async (flags: WatchFlags) => {
      await runWatch(flags).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        rethrowAsCliError(error);
      });
      process.exitCode = 0;
    });
}
