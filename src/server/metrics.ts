/**
 * `watch`'s Prometheus metrics (issue 12, item 5), named as kube-state-metrics names its own:
 * labels only of bounded sets (the declared objects, the statuses), never a field path.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { WatchListener, WatchState } from "../controller/watch.js";
import type { ObjectRef } from "../kube/object.js";
import type { ResourceStatus } from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";

export interface WatchMetrics {
  readonly registry: Registry;
  /** Keeps the metrics up to date; combine it with the other listeners of the loop. */
  readonly listener: WatchListener;
}

function outOfSync(status: ResourceStatus): boolean {
  return status === ResourceStatuses.drifted || status === ResourceStatuses.missing;
}

type Labels = Record<string, string>;

/** One loop's metrics as the registry sees them: its `cluster` label, when the process watches several. */
interface Watched {
  readonly cluster?: string;
  readonly state: () => WatchState;
}

/** The labels of a metric of the loop of `cluster` (none added when the process watches one cluster). */
function labelsOf(cluster: string | undefined, labels: Labels = {}): Labels {
  return cluster === undefined ? labels : { cluster, ...labels };
}

function resourceLabels(ref: Pick<ObjectRef, "kind" | "namespace" | "name">, cluster?: string): Labels {
  return labelsOf(cluster, { kind: ref.kind, namespace: ref.namespace, name: ref.name });
}

/** The metrics of one loop; `state` is read at each scrape for the counts by status. */
export function createWatchMetrics(state: () => WatchState): WatchMetrics {
  const { registry, listeners } = createMetrics([{ state }]);
  return { registry, listener: listeners[0] ?? {} };
}

/**
 * The metrics of several loops in one process (`watch --context a --context b`): one registry,
 * every series labelled with its `cluster`; the listeners in the order of `watched`.
 */
export function createFleetMetrics(
  watched: readonly { readonly cluster: string; readonly state: () => WatchState }[],
): { readonly registry: Registry; readonly listeners: readonly WatchListener[] } {
  return createMetrics(watched);
}

function createMetrics(watched: readonly Watched[]): {
  readonly registry: Registry;
  readonly listeners: readonly WatchListener[];
} {
  const registry = new Registry();
  const registers = [registry];
  const fleet = watched.some((one) => one.cluster !== undefined);
  const named = (labels: readonly string[]): string[] => (fleet ? ["cluster", ...labels] : [...labels]);
  const resource = named(["kind", "namespace", "name"]);
  const drifted = new Gauge({
    name: "kubedrift_resource_drifted",
    help: "Whether the declared object is out of sync with its sources (drifted fields or missing): 1 or 0",
    labelNames: resource,
    registers,
  });
  new Gauge({
    name: "kubedrift_resources",
    help: "Objects watched, by status (InSync, Drifted, Missing, Extra, Error)",
    labelNames: named(["status"]),
    registers,
    collect() {
      for (const { cluster, state } of watched)
        for (const [status, count] of Object.entries(state().counts))
          this.set(labelsOf(cluster, { status }), count);
    },
  });
  const fields = new Gauge({
    name: "kubedrift_drifted_fields",
    help: "How many fields of the declared object differ from its sources",
    labelNames: resource,
    registers,
  });
  const started = new Gauge({
    name: "kubedrift_drift_started_timestamp_seconds",
    help: "When the open drift episode of the object started (Unix time); absent while it is in sync",
    labelNames: resource,
    registers,
  });
  const episodes = new Counter({
    name: "kubedrift_drift_episodes_total",
    help: "Drift episodes opened",
    labelNames: named(["kind", "namespace"]),
    registers,
  });
  const restarts = new Counter({
    name: "kubedrift_watch_restarts_total",
    help: "Watch streams that ended and were started again (timeouts, drops, 410 Gone)",
    labelNames: named([]),
    registers,
  });
  const latency = new Histogram({
    name: "kubedrift_detection_latency_seconds",
    help: "From a change (its managedFields time, else the watch event's arrival) to its drift recorded",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    labelNames: named([]),
    registers,
  });
  const resync = new Gauge({
    name: "kubedrift_resync_duration_seconds",
    help: "How long the latest full evaluation of every object (the first sync or a resync) took",
    labelNames: named([]),
    registers,
  });
  const heals = new Counter({
    name: "kubedrift_heals_total",
    help: "Heals tried by result: succeeded, failed, or throttled (put off by --heal-rate)",
    labelNames: named(["result"]),
    registers,
  });
  const listenerOf = (cluster: string | undefined): WatchListener => {
    for (const result of ["succeeded", "failed", "throttled"]) heals.inc(labelsOf(cluster, { result }), 0);
    return {
      onStatus: (ref, status, drifts) => {
        const labels = resourceLabels(ref, cluster);
        if (status === undefined) {
          drifted.remove(labels);
          fields.remove(labels);
        } else if (status !== ResourceStatuses.extra) {
          drifted.set(labels, outOfSync(status) ? 1 : 0);
          fields.set(labels, drifts);
        }
      },
      onEpisodeOpened: (episode) => {
        episodes.inc(
          labelsOf(cluster, { kind: episode.resource.kind, namespace: episode.resource.namespace }),
        );
        started.set(resourceLabels(episode.resource, cluster), Date.parse(episode.startedAt) / 1000);
      },
      onEpisodeContinued: (episode) =>
        started.set(resourceLabels(episode.resource, cluster), Date.parse(episode.startedAt) / 1000),
      onEpisodeClosed: (episode) => started.remove(resourceLabels(episode.resource, cluster)),
      onWatchRestart: () => restarts.inc(labelsOf(cluster)),
      onHeal: (_episode, outcome) => heals.inc(labelsOf(cluster, { result: outcome.result })),
      onDetectionLatency: (seconds) => latency.observe(labelsOf(cluster), seconds),
      onFullSync: (seconds) => resync.set(labelsOf(cluster), seconds),
    };
  };
  return { registry, listeners: watched.map(({ cluster }) => listenerOf(cluster)) };
}

/** What the metrics read of a Git source (`--git-url`): its poller's state. */
export interface RemoteFetchState {
  readonly lastSuccessAt?: Date;
  readonly consecutiveFailures: number;
}

/** `kubedrift_git_last_fetch_success_timestamp_seconds` and `kubedrift_git_fetch_failures`, read at each scrape. */
export function addRemoteMetrics(registry: Registry, state: () => RemoteFetchState): void {
  new Gauge({
    name: "kubedrift_git_last_fetch_success_timestamp_seconds",
    help: "When the Git source (--git-url) was last fetched successfully (Unix time)",
    registers: [registry],
    collect() {
      const at = state().lastSuccessAt;
      if (at !== undefined) this.set(at.getTime() / 1000);
    },
  });
  new Gauge({
    name: "kubedrift_git_fetch_failures",
    help: "Fetches of the Git source that failed since the last success (0 when the latest succeeded)",
    registers: [registry],
    collect() {
      this.set(state().consecutiveFailures);
    },
  });
}
