import type { LiveObject } from "../model/index.js";
import type { Schema } from "../kube/schema/types.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import type { ApiStatus } from "./transport.js";

/** A resource the cluster serves, from discovery. */
export interface ServedResource {
  readonly group: string;
  /** The preferred version of the group. */
  readonly version: string;
  readonly kind: string;
  /** Plural: "deployments". */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** What a LIST may narrow by, as kubectl's `-l`. */
export interface ListOptions {
  /** A label selector in kubectl's syntax (`app=web,tier!=db`), sent as `labelSelector`. */
  readonly labelSelector?: string;
  /** A field selector (`involvedObject.name=web`), sent as `fieldSelector`; a live file ignores it. */
  readonly fieldSelector?: string;
}

/** A LIST and the resourceVersion of the snapshot it came from. */
export interface ListSnapshot {
  readonly items: readonly LiveObject[];
  /** The List's `metadata.resourceVersion`: opaque, compared for equality only ("" when unknown). */
  readonly resourceVersion: string;
}

/** What one WATCH asks for (`?watch=1&…`). */
export interface WatchOptions extends ListOptions {
  /** One namespace, or every namespace (undefined); ignored for cluster-scoped resources. */
  readonly namespace?: string;
  /** Events after this resourceVersion (a List's or the last event's or bookmark's). */
  readonly resourceVersion: string;
  /**
   * Watch bookmarks (`allowWatchBookmarks`): the server sends BOOKMARK events carrying only a newer
   * resourceVersion, so that a quiet watch still has a recent point to resume from.
   */
  readonly allowWatchBookmarks: boolean;
  /** The server ends the stream after this long (client-go asks 5–10 minutes). */
  readonly timeoutSeconds: number;
  /** Ends the watch (the result is `aborted`). */
  readonly signal?: AbortSignal;
}

/** One event of a watch stream, as the API server sends it. */
export type WatchEvent =
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: LiveObject }
  | { readonly type: "BOOKMARK"; readonly resourceVersion: string }
  /** A Status in the stream; 410 (Expired/Gone) means the resourceVersion is older than the server's history. */
  | { readonly type: "ERROR"; readonly status: ApiStatus };

/** Why a watch stream ended. */
export type WatchEnd =
  /** The server ended the stream: its timeout, a restart, or after an ERROR event. */
  | { readonly kind: "closed" }
  /** No stream, or it broke: the server could not be reached, the connection dropped, a line was not JSON. */
  | { readonly kind: "dropped"; readonly message: string }
  /** The server refused the watch with an HTTP error (410 when the resourceVersion is too old). */
  | { readonly kind: "status"; readonly status: ApiStatus }
  /** The caller's signal ended it. */
  | { readonly kind: "aborted" }
  /** This cluster cannot be watched (a live file). */
  | { readonly kind: "unsupported"; readonly message: string };

/**
 * `-v` and `--debug`: where the lines about requests go. Level 1: one line per request (method,
 * URL, status, duration) and the cause of a request that got no answer; level 2 also the
 * kubeconfig used, request headers (credentials masked) and retries. Never a body, token or secret.
 */
export interface Trace {
  readonly level: number;
  readonly write: (line: string) => void;
}

/**
 * Live state behind one small interface (kubedrift's "Dialect"): a real cluster through
 * @kubernetes/client-node, or a file of live objects for offline comparison.
 */
export interface Cluster {
  /** The kubeconfig context, or the live file's path: what the report's `cluster` says. */
  readonly name: string;
  /** The default namespace for namespaced objects that name none (the context's, else "default"). */
  readonly namespace: string;
  /** Discovery: every listable resource. */
  resources(): Promise<readonly ServedResource[]>;
  /**
   * Every object of a resource, in one namespace or (undefined) all: paged LISTs, never a GET per
   * object. A label selector is the server's to apply where there is a server; a caller that needs
   * it applied everywhere (a live file ignores it) filters the answer too.
   */
  list(
    resource: ServedResource,
    namespace: string | undefined,
    options?: ListOptions,
  ): Promise<readonly LiveObject[]>;
  /**
   * The same LIST with the collection's `metadata.resourceVersion`: the point from which a watch of
   * the collection continues without a gap (client-go's ListWatch). A live file answers with
   * resourceVersion "" (it cannot be watched).
   */
  listSnapshot(
    resource: ServedResource,
    namespace: string | undefined,
    options?: ListOptions,
  ): Promise<ListSnapshot>;
  /**
   * One WATCH of a collection from `options.resourceVersion`: every event is handed to `onEvent` as
   * it arrives, and the promise resolves (never rejects) with why the stream ended.
   */
  watch(
    resource: ServedResource,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
  ): Promise<WatchEnd>;
  /** The built-in schema plus the schemas of the cluster's CRDs. */
  schema(): Promise<Schema>;
  /** Writes, where the cluster can take them (a live file cannot). */
  readonly writer?: ClusterWriter;
  /**
   * What was degraded rather than failed so far (CRDs not readable, so custom kinds go without
   * schemas; an API group whose discovery failed): one line each, for the CLI to print on stderr.
   */
  warnings?(): readonly string[];
}

/** How a write went: the object as stored, or the server's refusal (a Status), never an exception for a 4xx/5xx. */
export type WriteOutcome =
  | { readonly ok: true; readonly object: KubeObject }
  | {
      readonly ok: false;
      /** HTTP status: 409 conflict, 422 invalid, 404 … (0 when the server could not be reached). */
      readonly code: number;
      readonly reason: string;
      readonly message: string;
      /** `details.causes` of a Status: for a 409 apply conflict, one per conflicting field (`.spec.replicas`). */
      readonly causes: readonly {
        readonly field?: string;
        readonly message: string;
        readonly reason?: string;
      }[];
      /** `details.retryAfterSeconds` of a 429 or 503 Status: how long the server asks the client to wait. */
      readonly retryAfterSeconds?: number;
    };

export interface WriteOptions {
  readonly fieldManager: string;
  /** Server-side apply: take over fields other managers own. */
  readonly force?: boolean;
  /** `dryRun=All`: validated and admitted, not stored. */
  readonly dryRun?: boolean;
}

/** Writes, for remediation (apply). A live file cannot write. */
export interface ClusterWriter {
  /** One object as it is now (GET), or undefined when it does not exist. */
  get(resource: ServedResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  /** Server-side apply (`application/apply-patch+yaml`); creates the object when it does not exist. */
  apply(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome>;
  /**
   * A plain create (POST to the collection), as client-go's EventSink creates an Event: 409 when the
   * name is taken. Optional: a writer without it cannot create.
   */
  create?(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome>;
  /**
   * A replace (PUT) of the whole object with its `metadata.resourceVersion` as the precondition: 409
   * Conflict when another writer changed it since (client-go's LeaseLock updates its Lease so).
   * Optional: a writer without it cannot replace.
   */
  update?(resource: ServedResource, object: KubeObject, options: WriteOptions): Promise<WriteOutcome>;
  /** A JSON patch (RFC 6902) as an Update of `fieldManager` (used to remove fields another manager added). */
  jsonPatch(
    resource: ServedResource,
    target: { readonly namespace: string | undefined; readonly name: string },
    patch: readonly JsonObject[],
    options: WriteOptions,
  ): Promise<WriteOutcome>;
  /** Delete with a resourceVersion precondition, so a changed object is not deleted blindly. */
  delete(
    resource: ServedResource,
    target: {
      readonly namespace: string | undefined;
      readonly name: string;
      readonly resourceVersion?: string;
    },
    options: { readonly dryRun?: boolean },
  ): Promise<WriteOutcome>;
}

/**
 * The one error class at the cluster edge: one line that names the endpoint or object at fault
 * (unreachable server, 401/403 with the missing permission, a failing LIST, a missing kubeconfig).
 */
export class ClusterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClusterError";
  }
}
