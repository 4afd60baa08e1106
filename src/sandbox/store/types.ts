import type { KubeObject } from "../../kube/value/json.js";

/** A resource collection: `deployments` in group `apps`. Versions share one storage, as in etcd. */
export interface ResourceKey {
  readonly group: string;
  readonly resource: string;
}

/** One object. `namespace` is "" for cluster-scoped resources. */
export interface ObjectKey extends ResourceKey {
  readonly namespace: string;
  readonly name: string;
}

export const WatchEventTypes = {
  added: "ADDED",
  modified: "MODIFIED",
  deleted: "DELETED",
} as const;
export type WatchEventType = (typeof WatchEventTypes)[keyof typeof WatchEventTypes];

/** A change to the store. `object` carries the resourceVersion of the change (for DELETED: of the deletion). */
export interface StoreEvent {
  readonly type: WatchEventType;
  readonly key: ObjectKey;
  readonly object: KubeObject;
  readonly resourceVersion: number;
}

export interface ListResult {
  readonly items: readonly KubeObject[];
  /** The store's resourceVersion at the time of the list (the list's metadata.resourceVersion). */
  readonly resourceVersion: number;
}

export interface WatchSubscription {
  /** Stops delivery; idempotent. */
  close(): void;
}

export interface WatchRequest {
  readonly resource: ResourceKey;
  /** Only this namespace; undefined for all. */
  readonly namespace?: string;
  /** Deliver the events after this resourceVersion first (resume); undefined = from now. */
  readonly sinceResourceVersion?: number;
  readonly onEvent: (event: StoreEvent) => void;
}

/**
 * The sandbox's storage, standing in for etcd: one global resourceVersion
 * counter, objects stored deep-frozen (never mutated after a write), a bounded
 * history of events for watch resumption.
 */
export interface ObjectStore {
  /** The resourceVersion of the last write. */
  readonly resourceVersion: number;
  get(key: ObjectKey): KubeObject | undefined;
  /** Objects of a resource, sorted by namespace then name (as etcd keys sort). */
  list(resource: ResourceKey, namespace?: string): ListResult;
  /**
   * Stores a new object, setting metadata.resourceVersion to the next counter value.
   * Throws ApiError AlreadyExists when the key is taken.
   */
  create(key: ObjectKey, object: KubeObject): KubeObject;
  /**
   * Replaces an object. When `expectedResourceVersion` is given and differs from the stored
   * one, throws ApiError Conflict ("the object has been modified; please apply your changes
   * to the latest version and try again"). Throws NotFound when absent.
   */
  update(key: ObjectKey, object: KubeObject, expectedResourceVersion?: string): KubeObject;
  /** Removes an object; returns it with the resourceVersion of the deletion. Throws NotFound, Conflict. */
  delete(key: ObjectKey, expectedResourceVersion?: string): KubeObject;
  /**
   * Subscribes to changes. Throws ApiError 410 Expired ("too old resource version: N (M)") when
   * `sinceResourceVersion` is older than the retained history.
   */
  watch(request: WatchRequest): WatchSubscription;
  /** Flushes and closes persistence; the store is unusable afterwards. */
  close(): void;
}
