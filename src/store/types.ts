/**
 * The drift history's model: episodes of one resource and the fields that drifted in them, and the
 * `HistoryStore` boundary that `watch` and `history` depend on instead of a database.
 */

import type { ObjectRef } from "../kube/object.js";
import type { JsonValue } from "../kube/value/json.js";
import type { AddedReason, Attribution, Drift, DriftType } from "../model/index.js";

/** Identity of a resource (rule 1); the version is not part of it, so `ObjectRef` fits. */
export type ResourceKey = Pick<ObjectRef, "group" | "kind" | "namespace" | "name">;

/** How an episode ended. */
export const EpisodeEnds = {
  /** Someone (not kubedrift) put the live state back. */
  reverted: "reverted",
  /** kubedrift's heal put it back. */
  healed: "healed",
  /** The live values were adopted into the sources. */
  adopted: "adopted",
  /** The sources changed so that the live state is desired now. */
  sourceChanged: "sourceChanged",
  /** The object is gone. */
  deleted: "deleted",
} as const;
export type EpisodeEnd = (typeof EpisodeEnds)[keyof typeof EpisodeEnds];

/**
 * Who made a change, when an audit event or an admission request names the person: the user, the
 * groups, the client's user agent (as it reported it) and the source IPs.
 */
export interface WriteIdentity {
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly userAgent?: string;
  readonly sourceIPs?: readonly string[];
  /** The reason given in `kubedrift.dev/break-glass` when `guard` let the change through. */
  readonly breakGlass?: string;
}

/** A drift as observed, with who made it where known. */
export type ObservedDrift = Drift & WriteIdentity;

/** One drifted field of an episode. Withheld values (rule 7) are kept as their keyed hashes only. */
export interface EpisodeChange {
  readonly path: string;
  readonly type: DriftType;
  readonly reason?: AddedReason;
  readonly desired?: JsonValue;
  readonly live?: JsonValue;
  /** Set instead of `desired` and `live` when the engine withheld the values. */
  readonly redacted?: { readonly desired?: string; readonly live?: string };
  readonly manager?: string;
  readonly operation?: Attribution["operation"];
  readonly subresource?: string;
  /** RFC 3339, from managedFields. */
  readonly changedAt?: string;
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly userAgent?: string;
  readonly sourceIPs?: readonly string[];
  readonly breakGlass?: string;
  /** RFC 3339 UTC: the first and the latest observation of this field in the episode. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The other manager that keeps flipping this field back (a fight loop). */
  readonly contestedBy?: string;
}

/** A resource's stretch of time out of sync, from the first drifted observation to its end. */
export interface Episode {
  readonly id: string;
  /**
   * The cluster's name (its kubeconfig context) as the writer knew it; "" for an episode recorded
   * without one (before schema 5, or by a writer that names no cluster): the cluster is unknown.
   */
  readonly cluster: string;
  readonly resource: ResourceKey;
  /** RFC 3339 UTC. */
  readonly startedAt: string;
  /** RFC 3339 UTC; null while the episode is open. */
  readonly endedAt: string | null;
  readonly endedBy: EpisodeEnd | null;
  /** Ended `healed` by a heal a person asked for (the dashboard's `Heal`): who. */
  readonly healedBy?: string;
  readonly contested: boolean;
  /** The other manager of the latest contested field, and that field. */
  readonly contestedBy: string | null;
  readonly contestedField: string | null;
  /** In order of first observation. */
  readonly changes: readonly EpisodeChange[];
}

export interface HistoryQuery {
  /**
   * Episodes of any of these clusters ("" for those of no recorded cluster). Absent: every cluster,
   * except in a store of one cluster (`forCluster`), which reads its own (and those of none).
   */
  readonly clusters?: readonly string[];
  readonly resource?: ResourceKey;
  readonly namespace?: string;
  readonly kind?: string;
  /** Episodes with a change written by this manager. */
  readonly manager?: string;
  /** Episodes with a change made by this user. */
  readonly user?: string;
  /** RFC 3339: episodes still open at or after this time. */
  readonly since?: string;
  /** RFC 3339: episodes started at or before this time. */
  readonly until?: string;
  readonly openOnly?: boolean;
  readonly limit?: number;
}

export interface ObservationOptions {
  /** How the open episode ends when the observation finds no drift; `reverted` unless told. */
  readonly endedBy?: EpisodeEnd;
  /** With `endedBy: healed`: who asked for the heal (the dashboard's user). */
  readonly healedBy?: string;
}

/**
 * The history of drift episodes. Every write is one transaction and durable once its promise
 * resolves. Times are RFC 3339 strings; they are stored in UTC.
 */
export interface HistoryStore {
  /**
   * Records what one evaluation of `ref` found: drifts open an episode or extend the open one (a new
   * field joins it as a change); no drifts close the open one. Returns the episode as it now
   * stands, or null when nothing was or is open.
   */
  recordObservation(
    ref: ResourceKey,
    drifts: readonly ObservedDrift[],
    observedAt: string,
    options?: ObservationOptions,
  ): Promise<Episode | null>;
  /** Closes the open episode of `ref` (`healedBy`: who asked for the heal); null when none is open. */
  closeEpisode(ref: ResourceKey, how: EpisodeEnd, at: string, healedBy?: string): Promise<Episode | null>;
  /** Marks the open episode (and its change at `field`) as contested by `otherManager`; null when none is open. */
  markContested(ref: ResourceKey, field: string, otherManager: string): Promise<Episode | null>;
  /** Newest first. */
  query(filter?: HistoryQuery): Promise<readonly Episode[]>;
  /** The clusters the store holds episodes of, sorted ("" for those of no recorded cluster). */
  clusters(): Promise<readonly string[]>;
  /**
   * The same store (the same connection) as one cluster writes it: every episode it opens carries
   * `cluster`, it only ever extends or ends episodes of that cluster (or one of no recorded cluster,
   * which it then claims), and its queries read that cluster's unless they name `clusters`. Closing
   * the view closes nothing: close the store that was opened.
   */
  forCluster(cluster: string): HistoryStore;
  close(): Promise<void>;
}

/** A store error meant to be shown as one line: a bad URL, a schema newer than the code. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}
