import type { KubeObject } from "../../kube/value/json.js";
import type { ObjectKey } from "./types.js";

/** One acknowledged write, as the journal records it. */
export type JournalRecord =
  | {
      readonly op: "put";
      readonly key: ObjectKey;
      readonly object: KubeObject;
      readonly resourceVersion: number;
    }
  | { readonly op: "delete"; readonly key: ObjectKey; readonly resourceVersion: number };

export interface StoredObject {
  readonly key: ObjectKey;
  readonly object: KubeObject;
}

/** The whole store: every object and the resourceVersion counter (which must never go backwards). */
export interface PersistedState {
  readonly resourceVersion: number;
  readonly objects: readonly StoredObject[];
}

/**
 * Durable storage behind the in-memory store. `append` returns only once the record is on
 * disk, so that an acknowledged write survives a crash.
 */
export interface Persistence {
  /** The state at the last acknowledged write. */
  load(): PersistedState;
  /** Appends a record durably (fsynced) before the store changes its memory. */
  append(record: JournalRecord): void;
  /**
   * Called once memory holds every appended record: may replace the journal by a snapshot of
   * `state`. Compacting earlier (from `append`) would snapshot a state without the record being
   * written and then truncate the journal that held it, losing the write.
   */
  compactIfDue(state: () => PersistedState): void;
  /** Writes a final snapshot and releases files. */
  close(state: PersistedState): void;
}
