import type { KubeObject } from "../../kube/value/json.js";
import { ApiError, StatusReasons, alreadyExists, conflict, notFound } from "../api/status.js";
import { deepFreeze, withResourceVersion } from "./freeze.js";
import { EventHistory } from "./history.js";
import type { HistoryEntry } from "./history.js";
import type { Persistence, PersistedState, StoredObject } from "./persistence.js";
import { WatchEventTypes } from "./types.js";
import type {
  ListResult,
  ObjectKey,
  ObjectStore,
  ResourceKey,
  StoreEvent,
  WatchEventType,
  WatchRequest,
  WatchSubscription,
} from "./types.js";
import { resourceVersionOf } from "../../kube/object.js";

export interface MemoryStoreOptions {
  /** Events retained per resource for watch resumption (default 10,000). */
  readonly historySize?: number;
  readonly persistence?: Persistence;
}

/** The in-memory store, with what list paging needs beyond `ObjectStore`. */
export interface MemoryObjectStore extends ObjectStore {
  /**
   * The list as it was at `resourceVersion`, rebuilt from the retained history. Throws 410 Expired
   * ("The resourceVersion for the provided list is too old.") when that history is gone.
   */
  listAt(resource: ResourceKey, namespace: string | undefined, resourceVersion: number): ListResult;
  /** Compacts every resource's history up to the current resourceVersion (fault injection: forces 410 on resume). */
  compactHistory(): void;
  /** The oldest resourceVersion from which the resource's history is complete. */
  oldestResourceVersion(resource: ResourceKey): number;
}

export const DEFAULT_HISTORY_SIZE = 10_000;

const MODIFIED_WHY =
  "the object has been modified; please apply your changes to the latest version and try again";
/** kube-apiserver's message when etcd has compacted the requested revision (storage/etcd3). */
export const LIST_TOO_OLD_MESSAGE = "The resourceVersion for the provided list is too old.";

/** Objects of one namespace (or of a cluster-scoped resource, under ""), with a lazily sorted view. */
class NamespaceTable {
  readonly objects = new Map<string, KubeObject>();
  private sorted: readonly KubeObject[] | undefined;

  items(): readonly KubeObject[] {
    this.sorted ??= Object.freeze(
      [...this.objects.keys()].sort(compareStrings).map((name) => this.objects.get(name) as KubeObject),
    );
    return this.sorted;
  }

  invalidate(): void {
    this.sorted = undefined;
  }
}

class ResourceTable {
  readonly namespaces = new Map<string, NamespaceTable>();
  readonly history: EventHistory;
  private allSorted: readonly KubeObject[] | undefined;

  constructor(
    readonly resource: ResourceKey,
    historySize: number,
    floor: number,
  ) {
    this.history = new EventHistory(historySize, floor);
  }

  namespace(namespace: string): NamespaceTable {
    let table = this.namespaces.get(namespace);
    if (table === undefined) {
      table = new NamespaceTable();
      this.namespaces.set(namespace, table);
    }
    return table;
  }

  /** All objects in etcd key order: "namespace/name" compared as strings. */
  items(): readonly KubeObject[] {
    if (this.allSorted !== undefined) return this.allSorted;
    // Each namespace's keys share the prefix "namespace/", so ordering namespaces by that prefix
    // and names within them yields exactly the order of the full keys.
    const order = [...this.namespaces.keys()].sort((a, b) => compareStrings(`${a}/`, `${b}/`));
    const items: KubeObject[] = [];
    for (const namespace of order) items.push(...(this.namespaces.get(namespace) as NamespaceTable).items());
    this.allSorted = Object.freeze(items);
    return this.allSorted;
  }

  invalidate(namespace: string): void {
    this.namespaces.get(namespace)?.invalidate();
    this.allSorted = undefined;
  }
}

interface Subscription {
  readonly namespace: string | undefined;
  readonly onEvent: (event: StoreEvent) => void;
  /** Guards against delivering an event twice when a watch starts while events are being delivered. */
  lastDelivered: number;
  closed: boolean;
}

const EMPTY: readonly KubeObject[] = Object.freeze([]);

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function resourceId(resource: ResourceKey): string {
  return `${resource.group}/${resource.resource}`;
}

/** The key of an object under its list's prefix, as etcd sorts it: "name" in a namespace, "namespace/name" across them. */
export function listKey(key: Pick<ObjectKey, "namespace" | "name">, namespaced: boolean): string {
  return namespaced || key.namespace === "" ? key.name : `${key.namespace}/${key.name}`;
}

class MemoryStore implements MemoryObjectStore {
  private rv: number;
  private readonly tables = new Map<string, ResourceTable>();
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly pending: StoreEvent[] = [];
  private delivering = false;
  private closed = false;
  private readonly historySize: number;
  private readonly persistence: Persistence | undefined;
  /** The resourceVersion at which this process's history starts: older events are unknown. */
  private startedAt: number;

  constructor(options: MemoryStoreOptions) {
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    if (!Number.isInteger(this.historySize) || this.historySize < 1) {
      throw new Error(`historySize must be a positive integer, got ${this.historySize}`);
    }
    this.persistence = options.persistence;
    const state = this.persistence?.load() ?? { resourceVersion: 0, objects: [] };
    this.rv = state.resourceVersion;
    this.startedAt = state.resourceVersion;
    for (const entry of state.objects) this.place(entry.key, deepFreeze(entry.object));
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get(key: ObjectKey): KubeObject | undefined {
    return this.tables.get(resourceId(key))?.namespaces.get(key.namespace)?.objects.get(key.name);
  }

  list(resource: ResourceKey, namespace?: string): ListResult {
    const table = this.tables.get(resourceId(resource));
    if (table === undefined) return { items: EMPTY, resourceVersion: this.rv };
    if (namespace === undefined) return { items: table.items(), resourceVersion: this.rv };
    return { items: table.namespaces.get(namespace)?.items() ?? EMPTY, resourceVersion: this.rv };
  }

  create(key: ObjectKey, object: KubeObject): KubeObject {
    this.assertOpen();
    if (this.get(key) !== undefined) throw alreadyExists(key, key.name);
    return this.write(key, object, undefined);
  }

  update(key: ObjectKey, object: KubeObject, expectedResourceVersion?: string): KubeObject {
    this.assertOpen();
    const existing = this.existing(key, expectedResourceVersion);
    // etcd3's GuaranteedUpdate skips a write whose bytes equal the stored ones: no new
    // resourceVersion and no watch event, which is how `kubectl apply` of an unchanged object stays quiet.
    const candidate = withResourceVersion(object, Number(resourceVersionOf(existing)));
    if (JSON.stringify(candidate) === JSON.stringify(existing)) return existing;
    return this.write(key, object, existing);
  }

  delete(key: ObjectKey, expectedResourceVersion?: string): KubeObject {
    this.assertOpen();
    const existing = this.existing(key, expectedResourceVersion);
    const resourceVersion = this.rv + 1;
    this.persistence?.append({ op: "delete", key, resourceVersion });
    const deleted = deepFreeze(withResourceVersion(existing, resourceVersion));
    this.rv = resourceVersion;
    const table = this.table(key);
    const namespaceTable = table.namespace(key.namespace);
    namespaceTable.objects.delete(key.name);
    if (namespaceTable.objects.size === 0) table.namespaces.delete(key.namespace);
    table.invalidate(key.namespace);
    this.persistence?.compactIfDue(() => this.snapshot());
    this.record(table, { type: WatchEventTypes.deleted, key, object: deleted, resourceVersion }, existing);
    return deleted;
  }

  watch(request: WatchRequest): WatchSubscription {
    this.assertOpen();
    const table = this.table(request.resource);
    const replay =
      request.sinceResourceVersion === undefined ? [] : table.history.since(request.sinceResourceVersion);
    const subscription: Subscription = {
      namespace: request.namespace,
      onEvent: request.onEvent,
      lastDelivered: request.sinceResourceVersion ?? this.rv,
      closed: false,
    };
    const id = resourceId(request.resource);
    let set = this.subscriptions.get(id);
    if (set === undefined) {
      set = new Set();
      this.subscriptions.set(id, set);
    }
    set.add(subscription);
    for (const entry of replay) this.deliver(subscription, entry.event);
    const subscriptions = set;
    return {
      close: () => {
        subscription.closed = true;
        subscriptions.delete(subscription);
      },
    };
  }

  listAt(resource: ResourceKey, namespace: string | undefined, resourceVersion: number): ListResult {
    if (resourceVersion >= this.rv) return this.list(resource, namespace);
    const table = this.table(resource);
    let entries: readonly HistoryEntry[];
    try {
      entries = table.history.since(resourceVersion);
    } catch (error: unknown) {
      if (error instanceof ApiError) throw new ApiError(410, StatusReasons.expired, LIST_TOO_OLD_MESSAGE);
      throw error;
    }
    return { items: rewind(table, entries, namespace), resourceVersion };
  }

  compactHistory(): void {
    for (const table of this.tables.values()) table.history.compact(this.rv);
    this.startedAt = this.rv;
  }

  oldestResourceVersion(resource: ResourceKey): number {
    return this.tables.get(resourceId(resource))?.history.floor ?? this.startedAt;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.subscriptions.values()) for (const subscription of set) subscription.closed = true;
    this.subscriptions.clear();
    this.persistence?.close(this.snapshot());
  }

  private existing(key: ObjectKey, expectedResourceVersion: string | undefined): KubeObject {
    const existing = this.get(key);
    if (existing === undefined) throw notFound(key, key.name);
    if (expectedResourceVersion !== undefined && expectedResourceVersion !== resourceVersionOf(existing)) {
      throw conflict(key, key.name, MODIFIED_WHY);
    }
    return existing;
  }

  private write(key: ObjectKey, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    const resourceVersion = this.rv + 1;
    const stored = deepFreeze(withResourceVersion(object, resourceVersion));
    // Write-ahead: the journal has the record before memory changes, so a failed append changes nothing.
    this.persistence?.append({ op: "put", key, object: stored, resourceVersion });
    this.rv = resourceVersion;
    const table = this.place(key, stored);
    // Only now would a snapshot that replaces the journal include this write.
    this.persistence?.compactIfDue(() => this.snapshot());
    const type: WatchEventType = previous === undefined ? WatchEventTypes.added : WatchEventTypes.modified;
    this.record(table, { type, key, object: stored, resourceVersion }, previous);
    return stored;
  }

  private place(key: ObjectKey, object: KubeObject): ResourceTable {
    const table = this.table(key);
    table.namespace(key.namespace).objects.set(key.name, object);
    table.invalidate(key.namespace);
    return table;
  }

  private table(resource: ResourceKey): ResourceTable {
    const id = resourceId(resource);
    let table = this.tables.get(id);
    if (table === undefined) {
      table = new ResourceTable(
        { group: resource.group, resource: resource.resource },
        this.historySize,
        this.startedAt,
      );
      this.tables.set(id, table);
    }
    return table;
  }

  private record(table: ResourceTable, event: StoreEvent, previous: KubeObject | undefined): void {
    table.history.push({ event, previous });
    this.pending.push(event);
    if (this.delivering) return;
    // A listener may write to the store; its events queue behind the current one so that every
    // subscriber sees events in resourceVersion order.
    this.delivering = true;
    try {
      for (let index = 0; index < this.pending.length; index += 1) this.broadcast(this.pending[index]);
    } finally {
      this.pending.length = 0;
      this.delivering = false;
    }
  }

  private broadcast(event: StoreEvent): void {
    const set = this.subscriptions.get(resourceId(event.key));
    if (set === undefined) return;
    for (const subscription of set) this.deliver(subscription, event);
  }

  private deliver(subscription: Subscription, event: StoreEvent): void {
    if (subscription.closed || event.resourceVersion <= subscription.lastDelivered) return;
    if (subscription.namespace !== undefined && subscription.namespace !== event.key.namespace) return;
    subscription.lastDelivered = event.resourceVersion;
    try {
      subscription.onEvent(event);
    } catch {
      // A failing listener (a broken connection) must not stop the write or other watchers.
      subscription.closed = true;
      this.subscriptions.get(resourceId(event.key))?.delete(subscription);
    }
  }

  private snapshot(): PersistedState {
    const objects: StoredObject[] = [];
    for (const table of this.tables.values()) {
      for (const [namespace, namespaceTable] of table.namespaces) {
        for (const [name, object] of namespaceTable.objects)
          objects.push({ key: { ...table.resource, namespace, name }, object });
      }
    }
    return { resourceVersion: this.rv, objects };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the store is closed");
  }
}

/** Undoes the events after the wanted resourceVersion, newest first, on a copy of the current objects. */
function rewind(
  table: ResourceTable,
  entries: readonly HistoryEntry[],
  namespace: string | undefined,
): readonly KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  for (const [objectNamespace, namespaceTable] of table.namespaces) {
    if (namespace !== undefined && objectNamespace !== namespace) continue;
    for (const [name, object] of namespaceTable.objects)
      byKey.set(listKey({ namespace: objectNamespace, name }, false), object);
  }
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const { event, previous } = entries[index];
    if (namespace !== undefined && event.key.namespace !== namespace) continue;
    const key = listKey(event.key, false);
    if (previous === undefined) byKey.delete(key);
    else byKey.set(key, previous);
  }
  return Object.freeze([...byKey.keys()].sort(compareStrings).map((key) => byKey.get(key) as KubeObject));
}

/** A store held in memory, optionally made durable by `persistence` (see `openStore`). */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryObjectStore {
  return new MemoryStore(options);
}
