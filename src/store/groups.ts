/**
 * The same drift seen in several clusters (issue 17): episodes of the same resource whose fields
 * drifted the same way (the same paths, types and values, or the same keyed hashes of withheld
 * values) are one drift of a fleet, whichever cluster recorded them. `kubedrift history
 * --group-clusters` and the dashboard's overview show them so.
 */
import type { JsonValue } from "../kube/value/json.js";
import type { AddedReason, DriftType } from "../model/index.js";
import { compact } from "./sql.js";
import type { Episode, EpisodeChange, ResourceKey } from "./types.js";

/** A drifted field as the clusters share it: what changed, not who changed it or when. */
export interface SharedChange {
  readonly path: string;
  readonly type: DriftType;
  readonly reason?: AddedReason;
  readonly desired?: JsonValue;
  readonly live?: JsonValue;
  readonly redacted?: { readonly desired?: string; readonly live?: string };
}

/** One episode of a group: where and when. */
export interface GroupedEpisode {
  readonly id: string;
  readonly cluster: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

export interface SharedDrift {
  readonly resource: ResourceKey;
  readonly changes: readonly SharedChange[];
  /** Sorted; "" is a cluster the store does not know (an episode recorded before clusters were). */
  readonly clusters: readonly string[];
  /** Newest first. */
  readonly episodes: readonly GroupedEpisode[];
  /** Of how many of `episodes` are still open. */
  readonly open: number;
  /** RFC 3339: the earliest start among the episodes. */
  readonly firstSeen: string;
}

function sharedChange(change: EpisodeChange): SharedChange {
  return compact<SharedChange>({
    path: change.path,
    type: change.type,
    reason: change.reason,
    desired: change.redacted === undefined ? change.desired : undefined,
    live: change.redacted === undefined ? change.live : undefined,
    redacted: change.redacted,
  });
}

/*
 * JSON.stringify of values read back from the store: their keys are in the order the engine wrote
 * them, which is the desired object's for `desired` and the live object's for `live`. Keys are
 * sorted here so that two clusters' equal values are one signature.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "";
}

function signature(episode: Episode, changes: readonly SharedChange[]): string {
  const { group, kind, namespace, name } = episode.resource;
  return canonical([group, kind, namespace, name, changes]);
}

const byPath = (a: SharedChange, b: SharedChange): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

interface Building {
  readonly resource: ResourceKey;
  readonly changes: readonly SharedChange[];
  readonly episodes: GroupedEpisode[];
}

function finish(group: Building): SharedDrift {
  const episodes = [...group.episodes].sort((a, b) => newer(a.startedAt, b.startedAt));
  return {
    resource: group.resource,
    changes: group.changes,
    clusters: [...new Set(episodes.map((episode) => episode.cluster))].sort(),
    episodes,
    open: episodes.filter((episode) => episode.endedAt === null).length,
    firstSeen: episodes.reduce(
      (first, episode) => (episode.startedAt < first ? episode.startedAt : first),
      episodes[0]?.startedAt ?? "",
    ),
  };
}

const newest = (group: SharedDrift): string => group.episodes[0]?.startedAt ?? "";
const newer = (a: string, b: string): number => (a === b ? 0 : a < b ? 1 : -1);

/**
 * The episodes grouped by resource and drift: most clusters first, then the newest. An episode
 * without changes (none recorded) is a group of its own resource with no fields.
 */
export function groupAcrossClusters(episodes: readonly Episode[]): readonly SharedDrift[] {
  const groups = new Map<string, Building>();
  for (const episode of episodes) {
    const changes = episode.changes.map(sharedChange).sort(byPath);
    const key = signature(episode, changes);
    const group = groups.get(key) ?? { resource: episode.resource, changes, episodes: [] };
    group.episodes.push({
      id: episode.id,
      cluster: episode.cluster,
      startedAt: episode.startedAt,
      endedAt: episode.endedAt,
    });
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(finish)
    .sort((a, b) => b.clusters.length - a.clusters.length || newer(newest(a), newest(b)));
}

/** The groups seen in at least two clusters. */
export function sharedByClusters(episodes: readonly Episode[]): readonly SharedDrift[] {
  return groupAcrossClusters(episodes).filter((group) => group.clusters.length > 1);
}
