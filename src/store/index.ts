/**
 * The drift history (issue 12, item 3): `openStore(url)` gives a `HistoryStore` on SQLite
 * (`sqlite:PATH`, default `./kubedrift.db`; `sqlite::memory:` for a store that dies with the
 * process) or PostgreSQL (`postgres://…`), migrated to the newest schema. `watch` and `history`
 * depend on the interface only.
 */

export type {
  Episode,
  EpisodeChange,
  EpisodeEnd,
  HistoryQuery,
  HistoryStore,
  ObservationOptions,
  ObservedDrift,
  WriteIdentity,
  ResourceKey,
} from "./types.js";
export { EpisodeEnds, StoreError } from "./types.js";
export type { StoreLocation } from "./open.js";
export { defaultStoreUrl, openStore, parseStoreUrl } from "./open.js";
export { migrations } from "./migrations.js";
export { episodeSelection } from "./selection.js";
export type { EpisodeFilters, EpisodeSelection } from "./selection.js";
export { groupAcrossClusters, sharedByClusters } from "./groups.js";
export type { GroupedEpisode, SharedChange, SharedDrift } from "./groups.js";
