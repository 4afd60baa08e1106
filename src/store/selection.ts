import type { Episode, HistoryQuery, ResourceKey } from "./types.js";

/** What `kubedrift history` and the dashboard's `/api/episodes` select by. */
export interface EpisodeFilters {
  readonly namespace?: string;
  readonly manager?: string;
  readonly user?: string;
  /** RFC 3339. */
  readonly since?: string;
  readonly until?: string;
  readonly openOnly?: boolean;
  /** Any case. */
  readonly kind?: string;
  /** One resource, as `--resource KIND[.GROUP]/NAMESPACE/NAME` names it. */
  readonly resource?: (resource: ResourceKey) => boolean;
}

export interface EpisodeSelection {
  /** What the store selects (every filter it has a column for). */
  readonly query: HistoryQuery;
  /** What is matched after (kinds in any case, one resource). */
  readonly keep: (episode: Episode) => boolean;
  /** Whether `keep` drops rows: then the store must not stop at a page's worth. */
  readonly filtersAfter: boolean;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

export function episodeSelection(filters: EpisodeFilters): EpisodeSelection {
  const kind = filters.kind?.toLowerCase();
  const query: HistoryQuery = {
    ...optional("namespace", filters.namespace),
    ...optional("manager", filters.manager),
    ...optional("user", filters.user),
    ...optional("since", filters.since),
    ...optional("until", filters.until),
    ...(filters.openOnly === true ? { openOnly: true } : {}),
  };
  const keep = (episode: Episode): boolean =>
    (kind === undefined || episode.resource.kind.toLowerCase() === kind) &&
    (filters.resource === undefined || filters.resource(episode.resource));
  return { query, keep, filtersAfter: kind !== undefined || filters.resource !== undefined };
}
