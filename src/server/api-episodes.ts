/**
 * `GET /api/episodes`: the history across the estate with `kubedrift history`'s filters (its
 * parser lives in src/cli, which this layer may not import: the same names and meanings are read
 * here), newest first, paged.
 */
import type { Episode, EpisodeSelection, HistoryQuery, HistoryStore, ResourceKey } from "../store/index.js";
import { episodeSelection } from "../store/index.js";
import {
  ApiError,
  booleanFilter,
  decodeToken,
  encodeToken,
  filterValue,
  pageSize,
  timeFilter,
} from "./api-query.js";

/** Where a page ended: the start of its last episode, and how many episodes starting then it held. */
interface EpisodeCursor {
  readonly at: string;
  readonly skip: number;
}

function isCursor(value: unknown): value is EpisodeCursor {
  if (typeof value !== "object" || value === null) return false;
  const { at, skip } = value as Record<string, unknown>;
  return typeof at === "string" && Number.isInteger(skip) && (skip as number) >= 0;
}

/** `KIND[.GROUP]`: the kind, and the group when one is named (`core` for the core group), both lower-case. */
function kindAndGroup(text: string): { readonly kind: string; readonly group: string | undefined } {
  const dot = text.indexOf(".");
  if (dot < 0) return { kind: text.toLowerCase(), group: undefined };
  const group = text.slice(dot + 1).toLowerCase();
  return { kind: text.slice(0, dot).toLowerCase(), group: group === "core" ? "" : group };
}

/** `resource=KIND[.GROUP]/NAMESPACE/NAME`, or `KIND[.GROUP]/NAME` for a cluster-scoped object, as `history --resource`. */
function resourceFilter(params: URLSearchParams): ((resource: ResourceKey) => boolean) | undefined {
  const text = filterValue(params, "resource");
  if (text === undefined) return undefined;
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => part === ""))
    throw new ApiError(
      400,
      `resource: expected KIND/NAMESPACE/NAME, or KIND/NAME for a cluster-scoped object, got "${text}"`,
    );
  const [named = "", namespace = "", name = ""] = parts.length === 3 ? parts : [parts[0], "", parts[1]];
  const { kind, group } = kindAndGroup(named);
  return (resource) =>
    resource.kind.toLowerCase() === kind &&
    (group === undefined || resource.group.toLowerCase() === group) &&
    resource.namespace === namespace &&
    resource.name === name;
}

/** The store's query and what is matched here: kinds and resources case-insensitively, as `history` does. */
function filterSelection(params: URLSearchParams, now: Date): EpisodeSelection {
  const resource = resourceFilter(params);
  return episodeSelection({
    ...optional("kind", filterValue(params, "kind")),
    ...optional("namespace", filterValue(params, "namespace")),
    ...optional("manager", filterValue(params, "manager")),
    ...optional("user", filterValue(params, "user")),
    ...optional("since", timeFilter(params, "since", now)),
    ...optional("until", timeFilter(params, "until", now)),
    ...(booleanFilter(params, "open") ? { openOnly: true } : {}),
    ...(resource === undefined ? {} : { resource }),
  });
}

/** `cluster=NAME`: the episodes one cluster's watch recorded in a store a fleet shares. */
function selection(params: URLSearchParams, now: Date): EpisodeSelection {
  const selected = filterSelection(params, now);
  const cluster = filterValue(params, "cluster");
  return cluster === undefined
    ? selected
    : { ...selected, query: { ...selected.query, clusters: [cluster] } };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** The earlier of two RFC 3339 UTC times (as the store writes them, they sort as text). */
function earlier(a: string | undefined, b: string): string {
  return a === undefined || b < a ? b : a;
}

/**
 * One page, newest first. The next page asks the store for what started at or before the last
 * episode's start and skips those of that same instant already given: episodes opened in the same
 * millisecond (a first sync) are neither lost nor repeated, and new ones do not shift the pages.
 */
export async function episodePage(
  store: Pick<HistoryStore, "query">,
  params: URLSearchParams,
  now: Date,
): Promise<{ readonly episodes: readonly Episode[]; readonly continue?: string }> {
  const limit = pageSize(params);
  const cursor = decodeToken(params, isCursor);
  const { query, keep, filtersAfter } = selection(params, now);
  const skip = cursor?.skip ?? 0;
  const asked: HistoryQuery = {
    ...query,
    ...(cursor === undefined ? {} : { until: earlier(query.until, cursor.at) }),
    // A filter matched here needs every row; otherwise the store stops one past the page.
    ...(filtersAfter ? {} : { limit: skip + limit + 1 }),
  };
  const found = (await store.query(asked)).filter(keep);
  const rest = found.slice(cursor === undefined ? 0 : countFrom(found, cursor));
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  if (rest.length <= limit || last === undefined) return { episodes: page };
  const sameInstant = page.filter((episode) => episode.startedAt === last.startedAt).length;
  const carried = cursor !== undefined && cursor.at === last.startedAt ? cursor.skip : 0;
  return { episodes: page, continue: encodeToken({ at: last.startedAt, skip: sameInstant + carried }) };
}

/** How many of the first episodes, those that started at the cursor's instant, were on earlier pages. */
function countFrom(found: readonly Episode[], cursor: EpisodeCursor): number {
  let index = 0;
  while (index < cursor.skip && found[index]?.startedAt === cursor.at) index += 1;
  return index;
}
