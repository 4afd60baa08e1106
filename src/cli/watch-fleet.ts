/**
 * `kubedrift watch --context a --context b` (or `--all-contexts`): one loop per cluster in one
 * process, concurrently, into one store (each loop writing its own cluster's episodes), one
 * `/metrics` (every series labelled `cluster`), one dashboard, and with `--leader-elect` a Lease in
 * each cluster. Every log line names its cluster. For a fleet the documented pattern is still one
 * watch per cluster (docs/fleet.md); this is for a few clusters one person or one pod looks after.
 */
import { resolve } from "node:path";
import type { Watch, WatchListener, WatchTarget } from "../controller/watch.js";
import type { Notifier } from "../controller/notify.js";
import type { Policies } from "../controller/policy.js";
import type { HistoryStore } from "../store/index.js";
import type { Endpoints } from "../server/http.js";
import type { LiveEvents } from "../server/live.js";
import type { Leadership } from "./watch-leader.js";
import { campaign, leadership } from "./watch-leader.js";
import type { LogLine } from "./watch-log.js";
import { logLines, logListener } from "./watch-log.js";
import { CliError } from "./errors.js";
import type { StopSignal, WatchFlags, WatchSettings } from "./watch.js";
import {
  dashboardEndpoints,
  eventRecorder,
  loadTarget,
  optionalParts,
  policiesOf,
  startNotifier,
  stopSignal,
} from "./watch.js";

/** The contexts the flags name: each `--context` once, or every one of the kubeconfig; none: its current one. */
export async function watchedContexts(flags: WatchFlags): Promise<readonly string[]> {
  const named = [...new Set(flags.context ?? [])];
  if (flags.allContexts !== true) return named;
  if (named.length > 0)
    throw new CliError("--all-contexts and --context name the clusters twice: give one of them");
  // Loaded on use: the cluster client is bundled apart (ADR 0023).
  const { kubeconfigContexts } = await import("../cluster/index.js");
  try {
    return kubeconfigContexts({
      ...(flags.kubeconfig === undefined ? {} : { kubeconfig: resolve(flags.kubeconfig) }),
      env: process.env,
    });
  } catch (error: unknown) {
    throw new CliError(`--all-contexts: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** What one process watching several clusters cannot do (yet): each needs one cluster's endpoint or flag. */
function refuseOneClusterFlags(flags: WatchFlags, settings: WatchSettings): void {
  const refused: readonly (readonly [boolean, string])[] = [
    [settings.remote !== undefined, "--git-url"],
    [flags.emitWebhookConfig === true, "--emit-webhook-config"],
    [flags.emitRbac === true, "--emit-rbac"],
    [settings.identities.auditToken !== undefined, "--audit-token-file"],
    [settings.identities.admission, "--admission-record"],
    [settings.ui?.actions === true, "--ui-actions"],
    [flags.clusterName !== undefined, "--cluster-name"],
    [settings.shard !== undefined, "--shard"],
  ];
  const flag = refused.find(([given]) => given)?.[1];
  if (flag !== undefined)
    throw new CliError(
      `watch: ${flag} works with one cluster: run one watch per cluster for it (docs/fleet.md)`,
    );
}

/** One cluster of the process: its target, policies, and log lines that name it. */
interface Member {
  readonly name: string;
  readonly target: WatchTarget;
  readonly policies: Policies;
  readonly log: LogLine;
}

/** What runs for one member, stopped in `shutDown`'s order. */
interface Running {
  readonly member: Member;
  readonly watch: Watch;
  readonly leading: Leadership | undefined;
  readonly notifier: Notifier | undefined;
  readonly events: { readonly flush: () => Promise<void> } | undefined;
}

const named =
  (log: LogLine, cluster: string): LogLine =>
  (message, fields, level) =>
    log(message, { cluster, ...fields }, level);

/** Each context's sources and cluster, read at once; the first that fails stops the start, naming its context. */
async function loadMembers(flags: WatchFlags, contexts: readonly string[], log: LogLine): Promise<Member[]> {
  return Promise.all(
    contexts.map(async (context) => {
      const target = await loadTarget({ ...flags, context: [context], allContexts: false }).catch(
        (error: unknown) => {
          throw new CliError(
            `context "${context}": ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
      const name = target.cluster.name;
      return {
        name,
        target,
        policies: policiesOf(flags, target.config, target.cluster),
        log: named(log, name),
      };
    }),
  );
}

/** `watch` over several contexts until SIGINT/SIGTERM. */
export async function runFleet(
  flags: WatchFlags,
  settings: WatchSettings,
  contexts: readonly string[],
): Promise<void> {
  refuseOneClusterFlags(flags, settings);
  const stop = stopSignal();
  const log = logLines(process.stderr, { level: settings.logLevel });
  try {
    const members = await loadMembers(flags, contexts, log);
    if (stop.which() !== undefined) return;
    const { openStore, StoreError } = await import("../store/index.js");
    const store = await openStore(flags.store, { writer: true }).catch((error: unknown) => {
      throw error instanceof StoreError ? new CliError(error.message) : error;
    });
    await fleetWith({ flags, settings, members, store, stop, log });
  } finally {
    stop.dispose();
  }
}

interface Fleet {
  readonly flags: WatchFlags;
  readonly settings: WatchSettings;
  readonly members: readonly Member[];
  readonly store: HistoryStore;
  readonly stop: StopSignal;
  readonly log: LogLine;
}

async function startMember(
  fleet: Fleet,
  member: Member,
  shared: { readonly listener: WatchListener; readonly live: LiveEvents | undefined },
): Promise<Running> {
  const { combineListeners, startWatch } = await import("../controller/watch.js");
  const { systemClock } = await import("../controller/informer.js");
  const { settings, store, flags } = fleet;
  const { target, policies, log } = member;
  const notifier = await startNotifier(settings.notify, { target, policies }, log);
  const events = await eventRecorder(flags, target, log);
  const leading = leadership(settings.leader);
  const watch = await startWatch({
    target,
    store: store.forCluster(member.name),
    clock: systemClock,
    resyncMs: settings.resyncMs,
    policies,
    heal: settings.heal,
    ...optionalParts(undefined, leading, settings.identities.waitMs),
    listener: combineListeners(
      shared.listener,
      logListener(log),
      ...[notifier?.listener, events?.listener, shared.live?.listener()].filter((one) => one !== undefined),
    ),
  });
  if (settings.leader !== undefined && leading !== undefined)
    await campaign(settings.leader, { target, watch, log, state: leading });
  return { member, watch, leading, notifier, events };
}

async function fleetWith(fleet: Fleet): Promise<void> {
  const { settings, members, store } = fleet;
  const { createFleetMetrics } = await import("../server/metrics.js");
  const states = new Map<string, Watch>();
  const metrics = createFleetMetrics(
    members.map(({ name }) => ({ cluster: name, state: () => (states.get(name) as Watch).state() })),
  );
  const live = settings.ui === undefined ? undefined : new (await import("../server/live.js")).LiveEvents();
  const running: Running[] = [];
  try {
    // Every start settles before a failure is thrown: none is left running unstopped.
    const started = await Promise.allSettled(
      members.map(async (member, index) => {
        const one = await startMember(fleet, member, { listener: metrics.listeners[index] ?? {}, live });
        states.set(member.name, one.watch);
        running.push(one);
      }),
    );
    const failed = started.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    await serveFleet(fleet, { running, registry: metrics.registry, live });
  } finally {
    for (const one of running) {
      await one.leading?.election?.stop();
      await one.watch.stop();
      await one.notifier?.close(5000);
      await one.events?.flush();
    }
    await store.close();
  }
}

/** One server for every cluster: `/metrics`, `/readyz` (ready once every cluster synced), the dashboard. */
async function serveFleet(
  fleet: Fleet,
  parts: {
    readonly running: readonly Running[];
    readonly registry: Endpoints["registry"];
    readonly live: LiveEvents | undefined;
  },
): Promise<void> {
  const { serve } = await import("../server/http.js");
  const { settings, flags, log, stop } = fleet;
  const ordered = fleet.members.map(
    (member) => parts.running.find((one) => one.member === member) as Running,
  );
  const server = await serve(
    {
      registry: parts.registry,
      ready: () => ordered.every((one) => one.watch.state().ready),
      ...(await fleetDashboard(fleet, ordered, parts.live)),
    },
    settings.listen,
    settings.identities.tls,
  ).catch((error: unknown) => {
    throw new CliError(`watch: --listen ${flags.listen}: ${(error as Error).message}`);
  });
  log("listening", {
    url: server.url,
    clusters: ordered.map((one) => one.member.name),
    objects: ordered.reduce((sum, one) => sum + one.member.target.desired.length, 0),
  });
  const sources = await Promise.all(ordered.map((one) => followMember(fleet, one)));
  try {
    const failed = ordered.map((one) =>
      one.watch.synced.then(
        () => new Promise<never>(() => undefined),
        (error: unknown) => Promise.reject(error as Error),
      ),
    );
    const signal = await Promise.race([stop.received, ...failed]);
    log("stopping", { signal });
  } finally {
    for (const one of sources) await one?.close();
    await server.close();
  }
}

/** The dashboard of every cluster: each one's live view, the first's page without `?cluster=`. */
async function fleetDashboard(
  fleet: Fleet,
  ordered: readonly Running[],
  live: LiveEvents | undefined,
): Promise<Pick<Endpoints, "api" | "dashboard" | "actions">> {
  const [first] = ordered;
  if (first === undefined) return {};
  const endpoints = await dashboardEndpoints(fleet.settings, {
    watch: first.watch,
    store: fleet.store,
    live,
    target: first.member.target,
  });
  if (endpoints.api === undefined) return endpoints;
  const { eventsAbout } = await import("../controller/events.js");
  return {
    ...endpoints,
    api: {
      ...endpoints.api,
      watched: ordered.map(({ member, watch }) => ({
        name: member.name,
        resources: () => watch.resources(),
        events: (ref) => eventsAbout(member.target.cluster, ref),
      })),
    },
  };
}

/** Each cluster's loop reloads when the sources change (a `--git-ref` polled, edited files). */
async function followMember(fleet: Fleet, one: Running): Promise<{ close(): Promise<void> } | undefined> {
  const { followSources } = await import("./watch-sources.js");
  const { flags, settings } = fleet;
  return followSources({
    flags: { ...flags, context: [one.member.name], allContexts: false, output: "text" as const },
    target: one.member.target,
    watch: one.watch,
    log: one.member.log,
    gitPollMs: settings.gitPollMs,
    policiesOf: (config) => policiesOf(flags, config, one.member.target.cluster),
  });
}
