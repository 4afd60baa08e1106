import type { KubeObject } from "../../kube/value/json.js";
import { ApiError, StatusReasons } from "../api/status.js";
import type { StoreEvent } from "./types.js";

/** One change and the object it replaced (undefined for ADDED), so that past states can be rebuilt. */
export interface HistoryEntry {
  readonly event: StoreEvent;
  readonly previous: KubeObject | undefined;
}

/**
 * The retained events of one resource, oldest first, in a fixed-size ring — kube-apiserver's
 * watch cache keeps a bounded window of events per resource in the same way.
 */
export class EventHistory {
  private readonly ring: (HistoryEntry | undefined)[];
  private start = 0;
  private size = 0;
  private evicted = false;
  private compactedTo = 0;

  /** `initialFloor`: the store's resourceVersion when this history began (nothing older is known). */
  constructor(
    private readonly capacity: number,
    private readonly initialFloor: number,
  ) {
    this.ring = new Array<HistoryEntry | undefined>(capacity);
  }

  push(entry: HistoryEntry): void {
    if (this.size === this.capacity) {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
      this.evicted = true;
      return;
    }
    this.ring[(this.start + this.size) % this.capacity] = entry;
    this.size += 1;
  }

  /**
   * The resourceVersion from which every later event of this resource is retained. Like the
   * watch cache, it is one less than the oldest retained event once events have been dropped.
   */
  get floor(): number {
    const retained = this.evicted ? this.at(0).event.resourceVersion - 1 : this.initialFloor;
    return Math.max(retained, this.compactedTo);
  }

  /** Forgets the events up to `resourceVersion`, as an etcd compaction does: resuming from before it gets 410. */
  compact(resourceVersion: number): void {
    this.compactedTo = Math.max(this.compactedTo, resourceVersion);
  }

  /** Entries with resourceVersion > `since`, oldest first. Throws 410 Expired when they are no longer all retained. */
  since(since: number): readonly HistoryEntry[] {
    const floor = this.floor;
    if (since < floor) {
      // The watch cache's wording (k8s.io/apiserver/pkg/storage/cacher/watch_cache.go).
      throw new ApiError(410, StatusReasons.expired, `too old resource version: ${since} (${floor})`);
    }
    const entries: HistoryEntry[] = [];
    for (let index = this.firstAfter(since); index < this.size; index += 1) entries.push(this.at(index));
    return entries;
  }

  private at(index: number): HistoryEntry {
    const entry = this.ring[(this.start + index) % this.capacity];
    if (entry === undefined) throw new Error(`history slot ${index} is empty`);
    return entry;
  }

  private firstAfter(since: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).event.resourceVersion > since) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
