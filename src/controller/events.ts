/**
 * `kubedrift watch`'s Kubernetes Events (issue 12, item 5): a `Warning` `DriftDetected` on the
 * drifted object when an episode opens (and when further fields join it), a `Normal`
 * `DriftResolved` when it closes, a `Warning` `DriftContested` when a field is contested. They are
 * deduplicated as client-go's EventRecorder does (its EventCorrelator's EventLogger): an Event with
 * the same source, involved object, type, reason and message as one written before updates that one
 * (count + 1, lastTimestamp) by a PATCH instead of creating another; an update that finds the Event
 * gone (404: its TTL expired) creates it again under the same name. Names are `<object>.<hex of the
 * time in nanoseconds>`, as client-go makes them. Messages name fields and managers only, never a
 * value (so never a Secret's). A failing write (RBAC 403, 5xx, unreachable) never stops the watch:
 * it is counted, and told once per kind of failure.
 */
import type { ServedResource } from "../cluster/index.js";
import type { Cluster, ClusterWriter } from "../cluster/types.js";
import type { ObjectRef } from "../kube/object.js";
import { readablePath } from "../kube/fieldpath/readable.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";
import type { Episode, EpisodeChange } from "../store/index.js";
import { missingObjectPath } from "./evaluate.js";
import type { WatchListener } from "./watch.js";
import { formatDuration } from "../kube/time.js";
import type { HealOutcome } from "./heal.js";
import { proposedIgnoreRule } from "./policy.js";

export const eventComponent = "kubedrift";

export const EventReasons = {
  detected: "DriftDetected",
  resolved: "DriftResolved",
  healFailed: "HealFailed",
  contested: "DriftContested",
} as const;
export type EventReason = (typeof EventReasons)[keyof typeof EventReasons];

/** client-go's `maxLruCacheEntries`: how many Events are remembered for deduplication. */
export const defaultCacheSize = 4096;

/** events.k8s.io caps a note at 1 kB; core/v1 messages are kept within the same bound. */
export const maxMessageLength = 1024;

const eventsResource: ServedResource = {
  group: "",
  version: "v1",
  kind: "Event",
  resource: "events",
  namespaced: true,
  verbs: ["create", "patch", "get", "list", "watch"],
};

function changeText(change: EpisodeChange, object: JsonValue | undefined): string {
  if (change.path === missingObjectPath) return "the object is missing";
  const field = readablePath(change.path, object);
  const by =
    change.manager === undefined
      ? ""
      : ` by ${change.manager}${change.subresource === undefined ? "" : ` (${change.subresource})`}`;
  const user = change.user === undefined ? "" : ` as ${change.user}`;
  return `${field} ${change.type.toLowerCase()}${by}${user}`;
}

/** Joins the parts within `maxMessageLength`, naming how many did not fit. */
function bounded(head: string, parts: readonly string[]): string {
  let text = head;
  for (const [index, part] of parts.entries()) {
    const next = `${text}${index === 0 ? "" : ", "}${part}`;
    const rest = parts.length - index - 1;
    const tail = rest === 0 ? "" : ` and ${rest} more`;
    if (`${next}${tail}`.length > maxMessageLength) return `${text} and ${parts.length - index} more`;
    text = next;
  }
  return text;
}

/**
 * `Drifted from the declared state: spec.replicas changed by kubectl (scale)`: every field of the
 * episode with its manager (and user, where known), in the readable notation. No value is named:
 * the engine withholds Secret values (the episode keeps only their hashes) and the message needs none.
 */
export function detectedMessage(episode: Episode, object?: JsonValue): string {
  return bounded(
    "Drifted from the declared state: ",
    episode.changes.map((change) => changeText(change, object)),
  );
}

const endings: Readonly<Record<string, string>> = {
  reverted: "put back out of band",
  healed: "healed by kubedrift",
  adopted: "adopted into the sources",
  sourceChanged: "the sources changed",
  deleted: "the object was deleted",
};

/** `Back in sync after 4m12s (put back out of band)`. */
export function resolvedMessage(episode: Episode): string {
  const started = Date.parse(episode.startedAt);
  const ended = Date.parse(episode.endedAt ?? episode.startedAt);
  const how = episode.endedBy === null ? "" : ` (${endings[episode.endedBy] ?? episode.endedBy})`;
  return `Back in sync after ${formatDuration(ended - started)}${how}`;
}

/**
 * `spec.replicas is contested by hpa-controller: healing it stopped; to end the fight, add to
 * kubedrift.yaml's ignore: {path: /spec/replicas, …}`.
 */
export function contestedMessage(episode: Episode): string {
  const field = episode.contestedField === null ? "a field" : readablePath(episode.contestedField);
  const rule =
    episode.contestedField === null
      ? ""
      : `; to end the fight, add to kubedrift.yaml's ignore: ${proposedIgnoreRule(episode.resource, episode.contestedField)}`;
  return `${field} is contested by ${episode.contestedBy ?? "another manager"}: healing it stopped${rule}`;
}

/** `Healing spec.replicas failed: 422 Invalid: …` (the server's line, bounded). */
export function healFailedMessage(outcome: HealOutcome): string {
  const fields = outcome.fields.map((field) => (field === "" ? "the object" : readablePath(field)));
  const error = (outcome.error ?? "unknown error").slice(0, 300);
  return bounded(`Healing failed (${error}): `, fields);
}

/** The object an Event is about, as `involvedObject` names it. */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/** client-go's `getEventKey`: what makes two Events the same one. */
export function eventKey(event: {
  readonly involved: InvolvedObject;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly host: string;
}): string {
  const { involved, type, reason, message, host } = event;
  return JSON.stringify([
    eventComponent,
    host,
    involved.kind,
    involved.namespace ?? "",
    involved.name,
    involved.uid ?? "",
    involved.apiVersion,
    type,
    reason,
    message,
  ]);
}

export interface EventRecorderOptions {
  readonly writer: ClusterWriter;
  /** Discovery, by `group/kind`: the involved object's version, and where to GET it. */
  readonly served: ReadonlyMap<string, ServedResource>;
  readonly clock: { now(): number };
  /** `reportingInstance` and `source.host`: the host name. */
  readonly host: string;
  /** Told once per kind of failure (`create 403 Forbidden`); the count goes on in `stats()`. */
  readonly onFailure?: (kind: string, message: string) => void;
  readonly cacheSize?: number;
}

export interface EventStats {
  readonly created: number;
  readonly updated: number;
  /** Failed writes by kind (`create 403 Forbidden`, `patch 0 Unreachable`). */
  readonly failed: Readonly<Record<string, number>>;
}

export interface EventRecorder {
  /** Plugs into the watch loop (`combineListeners`). */
  readonly listener: WatchListener;
  /** Waits until every Event told so far is written (or has failed). */
  flush(): Promise<void>;
  stats(): EventStats;
}

/** What is remembered of a written Event. */
interface Observation {
  readonly name: string;
  readonly namespace: string;
  readonly count: number;
  readonly firstTimestamp: string;
}

interface Occurrence {
  readonly episode: Episode;
  readonly type: "Normal" | "Warning";
  readonly reason: EventReason;
  readonly message: (object: JsonValue | undefined) => string;
  /** When it was told (ms): the Event's time, though the write may come later. */
  readonly at: number;
}

/** What an Event says, besides its name and count. */
interface Written {
  readonly occurrence: Occurrence;
  readonly involved: InvolvedObject;
  readonly message: string;
  /** RFC 3339, to the second. */
  readonly now: string;
}

/** The uid and resourceVersion of the object as read (none when it could not be read). */
function identityOf(object: KubeObject | undefined): Pick<InvolvedObject, "uid" | "resourceVersion"> {
  const metadata = isRecord(object?.["metadata"]) ? object["metadata"] : {};
  const uid = stringOf(metadata["uid"]);
  const resourceVersion = stringOf(metadata["resourceVersion"]);
  return {
    ...(uid === "" ? {} : { uid }),
    ...(resourceVersion === "" ? {} : { resourceVersion }),
  };
}

class Recorder implements EventRecorder {
  readonly listener: WatchListener;
  readonly #options: EventRecorderOptions;
  readonly #cache = new Map<string, Observation>();
  readonly #failed = new Map<string, number>();
  readonly #contested = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #created = 0;
  #updated = 0;
  #lastNanos = 0n;

  constructor(options: EventRecorderOptions) {
    this.#options = options;
    const detected = (episode: Episode): void => {
      this.#enqueue({
        episode,
        type: "Warning",
        reason: EventReasons.detected,
        message: (object) => detectedMessage(episode, object),
      });
      this.#checkContested(episode);
    };
    this.listener = {
      onEpisodeOpened: detected,
      onEpisodeExtended: detected,
      onEpisodeClosed: (episode) =>
        this.#enqueue({
          episode,
          type: "Normal",
          reason: EventReasons.resolved,
          message: () => resolvedMessage(episode),
        }),
      onEpisodeContested: (episode) => this.#checkContested(episode),
      onHeal: (episode, outcome) => {
        if (outcome.result !== "failed") return;
        this.#enqueue({
          episode,
          type: "Warning",
          reason: EventReasons.healFailed,
          message: () => healFailedMessage(outcome),
        });
      },
    };
  }

  flush(): Promise<void> {
    return this.#queue;
  }

  stats(): EventStats {
    return { created: this.#created, updated: this.#updated, failed: Object.fromEntries(this.#failed) };
  }

  #checkContested(episode: Episode): void {
    if (!episode.contested || episode.contestedBy === null) return;
    const key = `${episode.id}\u0000${episode.contestedField ?? ""}\u0000${episode.contestedBy}`;
    if (this.#contested.has(key)) return;
    this.#contested.add(key);
    this.#enqueue({
      episode,
      type: "Warning",
      reason: EventReasons.contested,
      message: () => contestedMessage(episode),
    });
  }

  /** One write at a time, in order: the dedupe cache sees every Event before the next. */
  #enqueue(told: Omit<Occurrence, "at">): void {
    const occurrence: Occurrence = { ...told, at: this.#options.clock.now() };
    this.#queue = this.#queue.then(() =>
      this.#record(occurrence).catch((error: unknown) =>
        this.#fail("record", error instanceof Error ? error.message : String(error)),
      ),
    );
  }

  #fail(kind: string, message: string): void {
    const seen = this.#failed.get(kind) ?? 0;
    this.#failed.set(kind, seen + 1);
    if (seen === 0) this.#options.onFailure?.(kind, message);
  }

  /** The involved object with its uid and resourceVersion (a GET), and the object for field names. */
  async #involved(
    episode: Episode,
  ): Promise<{ readonly involved: InvolvedObject; readonly object: KubeObject | undefined }> {
    const { group, kind, namespace, name } = episode.resource;
    const resource = this.#options.served.get(`${group}/${kind}`);
    const version = resource?.version ?? "v1";
    const base: InvolvedObject = {
      apiVersion: group === "" ? version : `${group}/${version}`,
      kind,
      ...(namespace === "" ? {} : { namespace }),
      name,
    };
    if (resource === undefined) return { involved: base, object: undefined };
    const object = await this.#options.writer
      .get(resource, namespace === "" ? undefined : namespace, name)
      .catch((error: unknown) => {
        this.#fail("get", error instanceof Error ? error.message : String(error));
        return undefined;
      });
    return { involved: { ...base, ...identityOf(object) }, object };
  }

  /** client-go's name: `<object>.<hex of UnixNano>`, never the same twice in this process. */
  #name(objectName: string, at: number): string {
    let nanos = BigInt(at) * 1_000_000n;
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    return `${objectName}.${nanos.toString(16)}`;
  }

  async #record(occurrence: Occurrence): Promise<void> {
    const { writer, host } = this.#options;
    const { involved, object } = await this.#involved(occurrence.episode);
    const message = occurrence.message(object);
    const key = eventKey({ involved, type: occurrence.type, reason: occurrence.reason, message, host });
    const now = new Date(occurrence.at).toISOString().replace(/\.\d{3}Z$/, "Z");
    const seen = this.#cache.get(key);
    if (seen !== undefined) {
      this.#cache.delete(key);
      const count = seen.count + 1;
      const patched = await writer.jsonPatch(
        eventsResource,
        { namespace: seen.namespace, name: seen.name },
        [
          { op: "replace", path: "/count", value: count },
          { op: "replace", path: "/lastTimestamp", value: now },
        ],
        { fieldManager: eventComponent },
      );
      if (patched.ok) {
        this.#updated += 1;
        this.#remember(key, { ...seen, count });
        return;
      }
      if (patched.code !== 404) {
        this.#fail(`patch ${patched.code} ${patched.reason || "Error"}`, patched.message);
        // Still counted as seen, as client-go keeps its observation when the sink fails.
        this.#remember(key, { ...seen, count });
        return;
      }
      // Gone (its TTL expired): created again under the same name, as client-go does.
      await this.#create(key, { occurrence, involved, message, now }, { ...seen, count });
      return;
    }
    const namespace = involved.namespace ?? "default";
    await this.#create(
      key,
      { occurrence, involved, message, now },
      { name: this.#name(involved.name, occurrence.at), namespace, count: 1, firstTimestamp: now },
    );
  }

  async #create(key: string, what: Written, observation: Observation): Promise<void> {
    const { writer, host } = this.#options;
    const { occurrence, involved, message, now } = what;
    if (writer.create === undefined) {
      this.#fail("create unsupported", "the cluster's writer cannot create objects");
      return;
    }
    const event: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: observation.name, namespace: observation.namespace },
      involvedObject: { ...involved },
      reason: occurrence.reason,
      message,
      type: occurrence.type,
      source: { component: eventComponent, host },
      firstTimestamp: observation.firstTimestamp,
      lastTimestamp: now,
      count: observation.count,
      reportingComponent: eventComponent,
      reportingInstance: host,
    };
    const created = await writer.create(eventsResource, event, { fieldManager: eventComponent });
    if (!created.ok) {
      this.#fail(`create ${created.code} ${created.reason || "Error"}`, created.message);
      return;
    }
    this.#created += 1;
    this.#remember(key, observation);
  }

  /** Least recently used out first, as client-go's LRU cache. */
  #remember(key: string, observation: Observation): void {
    this.#cache.delete(key);
    this.#cache.set(key, observation);
    const size = this.#options.cacheSize ?? defaultCacheSize;
    while (this.#cache.size > size) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  return new Recorder(options);
}

/** An Event about an object, as the dashboard's resource page shows it. */
export interface ObjectEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  /** RFC 3339: when it last happened. */
  readonly lastSeen?: string;
  /** Who told it (`kubedrift`, `deployment-controller`, …). */
  readonly source?: string;
}

/** Events about cluster-scoped objects are kept in the `default` namespace, as kubectl describe looks for them. */
const clusterScopedEventsNamespace = "default";

/** A non-empty string, else undefined (an Event's optional fields are often "" on the wire). */
function presentText(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The newest time an Event says it happened: events.k8s.io's eventTime, core/v1's timestamps. */
function lastSeenOf(object: KubeObject): string | undefined {
  return (
    presentText(object["lastTimestamp"]) ??
    presentText(object["eventTime"]) ??
    presentText(object["firstTimestamp"])
  );
}

function reporterOf(object: KubeObject): string | undefined {
  const source = object["source"];
  return (
    presentText(object["reportingComponent"]) ??
    (isRecord(source) ? presentText(source["component"]) : undefined)
  );
}

function objectEvent(object: KubeObject): ObjectEvent {
  const last = lastSeenOf(object);
  const reporter = reporterOf(object);
  return {
    type: presentText(object["type"]) ?? "Normal",
    reason: presentText(object["reason"]) ?? "",
    message: presentText(object["message"]) ?? "",
    count: typeof object["count"] === "number" ? object["count"] : 1,
    ...(last === undefined ? {} : { lastSeen: last }),
    ...(reporter === undefined ? {} : { source: reporter }),
  };
}

function isAbout(object: KubeObject, ref: ObjectRef): boolean {
  const involved = object["involvedObject"];
  if (!isRecord(involved)) return false;
  return (
    involved["kind"] === ref.kind &&
    involved["name"] === ref.name &&
    (involved["namespace"] ?? "") === ref.namespace
  );
}

/**
 * The Events about one object, newest first (at most `limit`), as `kubectl describe` finds them: by
 * `involvedObject` field selector; filtered here too, for a cluster (a live file) that ignores it.
 */
export async function eventsAbout(
  cluster: Cluster,
  ref: ObjectRef,
  limit = 50,
): Promise<readonly ObjectEvent[]> {
  const namespace = ref.namespace === "" ? clusterScopedEventsNamespace : ref.namespace;
  const fieldSelector = [`involvedObject.kind=${ref.kind}`, `involvedObject.name=${ref.name}`].join(",");
  const listed = await cluster.list(eventsResource, namespace, { fieldSelector });
  return listed
    .filter((live) => isAbout(live.object, ref))
    .map((live) => objectEvent(live.object))
    .sort((a, b) => (b.lastSeen ?? "").localeCompare(a.lastSeen ?? ""))
    .slice(0, limit);
}
