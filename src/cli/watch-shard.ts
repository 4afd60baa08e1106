/**
 * `watch --shard I/N` (issue 17, part 4; docs/fleet.md "Sharding one large cluster"): one replica
 * of N, watching the namespaces the stable hash of src/controller/shard.ts gives it. Its log lines
 * and /metrics name the shard, and with `--leader-elect` its Lease is the shard's own, so that each
 * shard elects its own leader.
 */
import type { Registry } from "prom-client";
import type { Shard } from "../controller/shard.js";
import { ShardError, namespaceInShard, parseShard, shardLeaseName, shardText } from "../controller/shard.js";
import type { Episode, HistoryStore } from "../store/index.js";
import { CliError } from "./errors.js";
import type { LeaderSettings } from "./watch-leader.js";
import type { LogLine } from "./watch-log.js";

export interface ShardFlags {
  /** `--shard I/N`. */
  readonly shard?: string;
}

/** The shard the flags name, checked before anything starts; undefined without `--shard`. */
export function shardSettings(flags: ShardFlags): Shard | undefined {
  if (flags.shard === undefined) return undefined;
  try {
    return parseShard(flags.shard);
  } catch (error: unknown) {
    throw error instanceof ShardError ? new CliError(error.message) : error;
  }
}

/** The Lease of the shard's replicas: `--leader-elect-resource-name`, suffixed `-shard-I-of-N`. */
export function shardedLeader(
  leader: LeaderSettings | undefined,
  shard: Shard | undefined,
): LeaderSettings | undefined {
  if (leader === undefined || shard === undefined) return leader;
  return { ...leader, lease: { ...leader.lease, name: shardLeaseName(leader.lease.name, shard) } };
}

/** Every log line names the shard (`"shard":"0/2"`). */
export function shardedLog(log: LogLine, shard: Shard | undefined): LogLine {
  if (shard === undefined) return log;
  const text = shardText(shard);
  return (message, fields, level) => log(message, { ...fields, shard: text }, level);
}

/** `kubedrift_watch_shard_info{shard="0",shards="2"} 1`: which replica of which split this is. */
export async function addShardMetric(registry: Registry, shard: Shard | undefined): Promise<void> {
  if (shard === undefined) return;
  const { Gauge } = await import("prom-client");
  new Gauge({
    name: "kubedrift_watch_shard_info",
    help: "This watch's shard (--shard I/N): it watches the namespaces whose hash modulo shards is shard",
    labelNames: ["shard", "shards"],
    registers: [registry],
  }).set({ shard: String(shard.index), shards: String(shard.count) }, 1);
}

/**
 * The store as a shard's dashboard reads it: of its own cluster, the episodes of its own
 * namespaces only (the other shards of the cluster write theirs into the same store); of other
 * clusters, everything. Writes go through unchanged (the dashboard writes none).
 */
export function shardedStore(store: HistoryStore, cluster: string, shard: Shard | undefined): HistoryStore {
  if (shard === undefined) return store;
  const ours = (episode: Episode): boolean =>
    episode.cluster !== cluster || namespaceInShard(episode.resource.namespace, shard);
  return {
    recordObservation: (...args) => store.recordObservation(...args),
    closeEpisode: (...args) => store.closeEpisode(...args),
    markContested: (...args) => store.markContested(...args),
    query: async (filter) => (await store.query(filter)).filter(ours),
    clusters: () => store.clusters(),
    forCluster: (name) => shardedStore(store.forCluster(name), cluster, shard),
    close: () => store.close(),
  };
}
