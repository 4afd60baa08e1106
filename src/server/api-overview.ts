/**
 * `GET /api/overview`: what the overview draws besides the table — per namespace, how many objects
 * are in sync and how many are not (a bar each); the drift grouped by cause (the same manager or
 * user behind many objects, the same field drifted across many), biggest first; and a timeline of
 * episodes opened per hour over the last day and per day over the last week, from the store.
 */
import { readablePath } from "../kube/fieldpath/readable.js";
import type { ResourceDrift } from "../model/index.js";
import { ResourceStatuses } from "../model/index.js";
import type { Episode, HistoryStore } from "../store/index.js";
import { sharedByClusters } from "../store/index.js";

export interface NamespaceBar {
  readonly namespace: string;
  readonly inSync: number;
  readonly outOfSync: number;
}

export interface Cause {
  readonly by: "manager" | "user" | "field";
  readonly value: string;
  /** How many out-of-sync objects share it. */
  readonly resources: number;
}

export interface TimelineBucket {
  /** RFC 3339: the bucket's start. */
  readonly at: string;
  readonly opened: number;
}

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;
/** Causes shown: the biggest, enough for a glance. */
const maxCauses = 10;

function namespaceBars(results: readonly ResourceDrift[]): readonly NamespaceBar[] {
  const bars = new Map<string, { inSync: number; outOfSync: number }>();
  for (const result of results) {
    const namespace = result.ref.namespace === "" ? "(cluster)" : result.ref.namespace;
    const bar = bars.get(namespace) ?? { inSync: 0, outOfSync: 0 };
    if (result.status === ResourceStatuses.inSync) bar.inSync += 1;
    else bar.outOfSync += 1;
    bars.set(namespace, bar);
  }
  return [...bars.entries()]
    .map(([namespace, bar]) => ({ namespace, ...bar }))
    .sort((a, b) => b.outOfSync - a.outOfSync || a.namespace.localeCompare(b.namespace));
}

/** Each value counted once per object, however many of its fields it explains. */
function countCauses(
  results: readonly ResourceDrift[],
  open: ReadonlyMap<string, Episode>,
  keyOf: (result: ResourceDrift) => string,
): readonly Cause[] {
  const counts = new Map<string, number>();
  const add = (by: Cause["by"], value: string | undefined): void => {
    if (value !== undefined && value !== "")
      counts.set(`${by}\u0000${value}`, (counts.get(`${by}\u0000${value}`) ?? 0) + 1);
  };
  for (const result of results) {
    const users = new Set((open.get(keyOf(result))?.changes ?? []).map((change) => change.user));
    const managers = new Set(result.drifts.map((drift) => drift.attribution?.manager));
    const fields = new Set(result.drifts.map((drift) => readablePath(drift.path)));
    for (const manager of managers) add("manager", manager);
    for (const user of users) add("user", user);
    for (const field of fields) add("field", field);
  }
  return [...counts.entries()]
    .map(([key, resources]) => {
      const [by = "", value = ""] = key.split("\u0000");
      return { by: by as Cause["by"], value, resources };
    })
    .sort((a, b) => b.resources - a.resources || a.value.localeCompare(b.value))
    .slice(0, maxCauses);
}

function timeline(
  episodes: readonly Episode[],
  end: number,
  span: { readonly step: number; readonly count: number },
): readonly TimelineBucket[] {
  const start = end - span.step * span.count;
  const counts = new Array<number>(span.count).fill(0);
  for (const episode of episodes) {
    const at = Date.parse(episode.startedAt);
    if (at < start || at >= end) continue;
    const index = Math.floor((at - start) / span.step);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((opened, index) => ({ at: new Date(start + index * span.step).toISOString(), opened }));
}

export async function overviewOf(
  results: readonly ResourceDrift[],
  parts: {
    readonly store: Pick<HistoryStore, "query">;
    readonly open: ReadonlyMap<string, Episode>;
    readonly keyOf: (result: ResourceDrift) => string;
    readonly now: Date;
    /** The clusters in view, this watch's first. */
    readonly clusters?: readonly string[];
  },
): Promise<Record<string, unknown>> {
  const end = Math.ceil(parts.now.getTime() / hourMs) * hourMs;
  const week = await parts.store.query({ since: new Date(end - 7 * dayMs).toISOString() });
  const outOfSync = results.filter((result) => result.status !== ResourceStatuses.inSync);
  return {
    ...(parts.clusters === undefined ? {} : { clusters: parts.clusters }),
    // The same drift (resource, fields, values) open in several clusters: one entry naming them.
    shared: sharedByClusters([...parts.open.values()]),
    namespaces: namespaceBars(results),
    causes: countCauses(outOfSync, parts.open, parts.keyOf),
    timeline: {
      lastDay: timeline(week, end, { step: hourMs, count: 24 }),
      lastWeek: timeline(week, Math.ceil(parts.now.getTime() / dayMs) * dayMs, { step: dayMs, count: 7 }),
    },
  };
}
