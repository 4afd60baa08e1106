export type {
  Episode,
  EpisodeChange,
  EpisodeEnd,
  HistoryQuery,
  HistoryStore,
  ObservationOptions,
  ObservedDrift,
  ResourceKey,
} from "./types.js";
export { EpisodeEnds, StoreError } from "./types.js";
export type { StoreLocation } from "./open.js";
export { defaultStoreUrl, openStore, parseStoreUrl } from "./open.js";
export { migrations } from "./migrations.js";
