import type { KubeObject } from "../api/json.js";
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
  /** Appends a record durably; may compact, reading the current state (after the record) from `state`. */
  append(record: JournalRecord, state: () => PersistedState): void;
  /** Writes a final snapshot and releases files. */
  close(state: PersistedState): void;
}
