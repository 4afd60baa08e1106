/**
 * The dashboard's read-only JSON API (issue 16): `/api/resources` (the estate, filtered and paged),
 * `/api/resources/{group}/{kind}/{namespace}/{name}` (one resource's drifts and episodes) and
 * `/api/episodes` (the history, as `kubedrift history` filters it). It reads the watch's latest
 * evaluations and the history store; it writes nothing. Values the engine withheld (rule 7) are
 * only ever their keyed hashes here, as in the JSON report. Documented in docs/api.md.
 */
import type { ObjectEvent } from "../controller/events.js";
import type { ObjectRef } from "../kube/object.js";
import { readablePath } from "../kube/fieldpath/readable.js";
import { renderHistoryCsv } from "../store/csv.js";
import { diffMarkdown } from "./api-diff.js";
import { overviewOf } from "./api-overview.js";
import type { JsonValue } from "../kube/value/json.js";
import type { Blame, Drift, ResourceDrift, ResourceStatus, SourceLocation } from "../model/index.js";
import { ResourceStatuses, refKey } from "../model/index.js";
import type { Episode, EpisodeChange, HistoryQuery, HistoryStore, ResourceKey } from "../store/index.js";
import {
  ApiError,
  decodeToken,
  encodeToken,
  filterValue,
  pageSize,
  statusFilter,
  timeFilter,
} from "./api-query.js";
import { episodePage } from "./api-episodes.js";

/** What the API reads, and the bearer token it asks for. */
export interface Api {
  readonly token: string;
  /** The watch's latest evaluation of every tracked object, by `refKey`. */
  readonly resources: () => ReadonlyMap<string, ResourceDrift>;
  /**
   * The clusters this process watches, when it watches several (`watch --context a --context b`):
   * each one's live view. Absent: one, `cluster` with `resources` and `events`.
   */
  readonly watched?: readonly WatchedCluster[];
  readonly store: Pick<HistoryStore, "query">;
  readonly now: () => Date;
  /** The Kubernetes Events about an object, where the cluster is at hand (a resource page asks). */
  readonly events?: (ref: ObjectRef) => Promise<readonly ObjectEvent[]>;
  /**
   * The watched cluster's name (its kubeconfig context): its resources are the watch's live view;
   * the other clusters of a shared store (a fleet, docs/fleet.md) are their open episodes.
   */
  readonly cluster?: string;
  /** `--ui-blame`: a resource page's drifts with the commit that last changed each source line. */
  readonly blame?: (drifts: readonly Drift[]) => Promise<readonly Drift[]>;
}

/** One cluster this process watches: its name, the latest evaluations, its Events. */
export interface WatchedCluster {
  readonly name: string;
  readonly resources: () => ReadonlyMap<string, ResourceDrift>;
  readonly events?: (ref: ObjectRef) => Promise<readonly ObjectEvent[]>;
}

/** The clusters watched live here, the first the one whose resources need no `?cluster=`. */
function watchedClusters(api: Api): readonly WatchedCluster[] {
  return (
    api.watched ?? [
      {
        name: api.cluster ?? "",
        resources: api.resources,
        ...(api.events === undefined ? {} : { events: api.events }),
      },
    ]
  );
}

/** A status and a JSON body; http.ts adds the headers. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  /** An export that is not JSON (Markdown, CSV): sent as it is, with its type. */
  readonly text?: { readonly contentType: string; readonly body: string };
}

/** One resource in a list: the report's identity and status, and what the overview groups by. */
export interface ApiResource {
  /** The cluster (kubeconfig context) it is in; "" when the watch names none. */
  readonly cluster: string;
  readonly group: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Left out for cluster-scoped objects, as in the JSON report. */
  readonly namespace?: string;
  readonly name: string;
  readonly status: ResourceStatus;
  readonly error?: string;
  readonly source?: SourceLocation;
  readonly driftedFields: number;
  readonly managers: readonly string[];
  readonly users: readonly string[];
  /** RFC 3339: the start of the open episode, while the resource is out of sync. */
  readonly since?: string;
  /** This resource's own URL in the API. */
  readonly href: string;
}

/** One drifted field, in the JSON report's shape, with who made it and when kubedrift first saw it. */
export interface ApiDrift {
  readonly path: string;
  readonly type: Drift["type"];
  readonly desired?: JsonValue;
  readonly live?: JsonValue;
  readonly redacted?: true;
  readonly desiredHash?: string;
  readonly liveHash?: string;
  readonly reason?: string;
  readonly source?: SourceLocation;
  readonly manager?: string;
  readonly operation?: "Apply" | "Update";
  readonly subresource?: string;
  readonly changedAt?: string;
  /** The commit that last changed the source line (`--ui-blame`). */
  readonly blame?: Blame;
  readonly user?: string;
  readonly groups?: readonly string[];
  readonly firstSeen?: string;
}

/** A resource with what the list needs to know of it. */
interface Row {
  readonly cluster: string;
  readonly result: ResourceDrift;
  readonly open: Episode | undefined;
  readonly resource: ApiResource;
}

/** Out of sync first (what the on-call engineer opened the page for), in sync last. */
const statusRank: Readonly<Record<ResourceStatus, number>> = {
  Drifted: 0,
  Missing: 1,
  Error: 2,
  Extra: 3,
  InSync: 4,
};

type SortKey = readonly [number, string, string, string, string, string];

/** The same resource in several clusters is one line per cluster, side by side. */
function sortKey(row: Row): SortKey {
  const { ref } = row.result;
  return [statusRank[row.result.status], ref.kind, ref.namespace, ref.name, ref.group, row.cluster];
}

function compareKeys(a: SortKey, b: SortKey): number {
  for (let index = 0; index < a.length; index += 1) {
    const [x, y] = [a[index] ?? "", b[index] ?? ""];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function isSortKey(value: unknown): value is SortKey {
  return (
    Array.isArray(value) &&
    value.length === 6 &&
    typeof value[0] === "number" &&
    value.slice(1).every((part) => typeof part === "string")
  );
}

/** `core` for the core group and `_` for no namespace: a URL segment is never empty. */
export function resourceHref(ref: ResourceKey): string {
  const parts = [
    ref.group === "" ? "core" : ref.group,
    ref.kind,
    ref.namespace === "" ? "_" : ref.namespace,
    ref.name,
  ];
  return `/api/resources/${parts.map(encodeURIComponent).join("/")}`;
}

function unique(values: readonly (string | undefined)[]): readonly string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))].sort();
}

/** The open episode's changes that are still drift now; for a Missing object, its deletion (path ""). */
function currentChanges(result: ResourceDrift, open: Episode | undefined): readonly EpisodeChange[] {
  if (open === undefined) return [];
  if (result.status === ResourceStatuses.missing) return open.changes;
  const paths = new Set(result.drifts.map((drift) => drift.path));
  return open.changes.filter((change) => paths.has(change.path));
}

function apiResource(
  result: ResourceDrift,
  open: Episode | undefined,
  where: { readonly cluster: string; readonly own: boolean },
): ApiResource {
  const { ref } = result;
  const changes = currentChanges(result, open);
  return {
    cluster: where.cluster,
    group: ref.group,
    apiVersion: ref.group === "" ? ref.version : `${ref.group}/${ref.version}`,
    kind: ref.kind,
    ...(ref.namespace !== "" && { namespace: ref.namespace }),
    name: ref.name,
    status: result.status,
    ...(result.status === ResourceStatuses.error && { error: result.error }),
    ...(result.source !== undefined && { source: result.source }),
    driftedFields: result.drifts.length,
    managers: unique([
      ...result.drifts.map((drift) => drift.attribution?.manager),
      ...changes.map((change) => change.manager),
    ]),
    users: unique(changes.map((change) => change.user)),
    ...(open !== undefined && { since: open.startedAt }),
    href: where.own ? resourceHref(ref) : `${resourceHref(ref)}?cluster=${encodeURIComponent(where.cluster)}`,
  };
}

function fromFile(location: SourceLocation | undefined, file: string): boolean {
  return location !== undefined && (location.file === file || location.file.endsWith(`/${file}`));
}

/**
 * `driftedFor=1h`: out of sync for at least that long (the open episode started by then);
 * `driftedWithin=1h`: went out of sync within it. Durations or RFC 3339 times, as `since`.
 */
function ageFilter(params: URLSearchParams, now: Date): (row: Row) => boolean {
  const startedBy = timeFilter(params, "driftedFor", now);
  const startedAfter = timeFilter(params, "driftedWithin", now);
  if (startedBy === undefined && startedAfter === undefined) return () => true;
  return (row) => {
    const since = row.resource.since;
    if (since === undefined) return false;
    return (
      (startedBy === undefined || since <= startedBy) && (startedAfter === undefined || since >= startedAfter)
    );
  };
}

/** Every filter of the query but `status` (the summary counts by status across the others). */
function rowFilter(params: URLSearchParams, now: Date): (row: Row) => boolean {
  const named = filterValue(params, "cluster");
  const kind = filterValue(params, "kind")?.toLowerCase();
  const namespace = filterValue(params, "namespace");
  const manager = filterValue(params, "manager");
  const user = filterValue(params, "user");
  const file = filterValue(params, "file");
  const tests: readonly ((row: Row) => boolean)[] = [
    ageFilter(params, now),
    (row) => named === undefined || row.cluster === named,
    (row) => kind === undefined || row.resource.kind.toLowerCase() === kind,
    (row) => namespace === undefined || row.result.ref.namespace === namespace,
    (row) => manager === undefined || row.resource.managers.includes(manager),
    (row) => user === undefined || row.resource.users.includes(user),
    (row) =>
      file === undefined ||
      fromFile(row.result.source, file) ||
      row.result.drifts.some((drift) => fromFile(drift.source, file)),
  ];
  return (row) => tests.every((test) => test(row));
}

function countByStatus(rows: readonly Row[]): Record<string, number> {
  const count = (status: ResourceStatus): number => rows.filter((row) => row.result.status === status).length;
  return {
    total: rows.length,
    inSync: count(ResourceStatuses.inSync),
    drifted: count(ResourceStatuses.drifted),
    missing: count(ResourceStatuses.missing),
    extra: count(ResourceStatuses.extra),
    errors: count(ResourceStatuses.error),
  };
}

/** The key of a resource in a cluster: the same object in two clusters is two resources. */
function clusterKey(cluster: string, resource: ResourceKey): string {
  return `${cluster}\u0000${refKey({ ...resource, version: "" })}`;
}

/** The changes of an episode as the report's drifts (what the store kept of them). */
function driftOf(change: EpisodeChange): Drift {
  return {
    path: change.path,
    type: change.type,
    ...(change.desired !== undefined && { desired: change.desired }),
    ...(change.live !== undefined && { live: change.live }),
    ...(change.reason !== undefined && { reason: change.reason }),
    ...(change.redacted !== undefined && { redacted: change.redacted }),
    ...(change.manager !== undefined &&
      change.operation !== undefined && {
        attribution: {
          manager: change.manager,
          operation: change.operation,
          ...(change.subresource !== undefined && { subresource: change.subresource }),
          ...(change.changedAt !== undefined && { changedAt: change.changedAt }),
        },
      }),
  };
}

/**
 * Another cluster's resource, as its open episode in the shared store tells it: drifted, or missing
 * when the episode's one change is the whole object. Its version is the one this watch knows of the
 * kind (the fleet's clusters share their sources), else none.
 */
function resultOf(episode: Episode, versions: ReadonlyMap<string, string>): ResourceDrift {
  const { group, kind, namespace, name } = episode.resource;
  const ref = { group, kind, namespace, name, version: versions.get(`${group}/${kind}`) ?? "" };
  const missing = episode.changes.some((change) => change.path === "" && change.type === "Removed");
  return missing
    ? { ref, status: ResourceStatuses.missing, drifts: [] }
    : { ref, status: ResourceStatuses.drifted, drifts: episode.changes.map(driftOf) };
}

/**
 * Every resource of every cluster in view: this watch's latest evaluations of its own cluster, and
 * the open episodes that the store holds of the others (their watches write them). One read of
 * the store per request, whatever the page.
 */
async function estate(api: Api): Promise<readonly Row[]> {
  const watched = watchedClusters(api);
  const open = await api.store.query({ openOnly: true });
  const byKey = new Map(open.map((episode) => [clusterKey(episode.cluster, episode.resource), episode]));
  const versions = new Map<string, string>();
  const rows: Row[] = watched.flatMap(({ name, resources }, index) =>
    [...resources().values()].map((result) => {
      versions.set(`${result.ref.group}/${result.ref.kind}`, result.ref.version);
      // An episode of no recorded cluster (before the store knew clusters) is this watch's to continue.
      const episode = byKey.get(clusterKey(name, result.ref)) ?? byKey.get(clusterKey("", result.ref));
      const where = { cluster: name, own: index === 0 };
      return { cluster: name, result, open: episode, resource: apiResource(result, episode, where) };
    }),
  );
  const live = new Set(["", ...watched.map(({ name }) => name)]);
  for (const episode of open) {
    if (live.has(episode.cluster)) continue;
    const result = resultOf(episode, versions);
    const where = { cluster: episode.cluster, own: false };
    rows.push({
      cluster: episode.cluster,
      result,
      open: episode,
      resource: apiResource(result, episode, where),
    });
  }
  return rows;
}

/** Each cluster's counts, the watched ones first. Another cluster's are of its drifted and missing objects only. */
function clusterSummaries(
  rows: readonly Row[],
  watched: readonly WatchedCluster[],
): readonly { name: string; summary: Record<string, number> }[] {
  const names = [...new Set([...watched.map(({ name }) => name), ...rows.map((row) => row.cluster)])];
  return names.map((name) => ({
    name,
    summary: countByStatus(rows.filter((row) => row.cluster === name)),
  }));
}

async function listResources(api: Api, params: URLSearchParams): Promise<ApiAnswer> {
  const limit = pageSize(params);
  const statuses = statusFilter(params);
  const after = decodeToken(params, isSortKey);
  const keep = rowFilter(params, api.now());
  const all = await estate(api);
  const rows = all.filter(keep);
  const matched = rows
    .filter((row) => statuses === undefined || statuses.has(row.result.status))
    .map((row) => ({ row, key: sortKey(row) }))
    .sort((a, b) => compareKeys(a.key, b.key));
  const rest = after === undefined ? matched : matched.filter(({ key }) => compareKeys(key, after) > 0);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return {
    status: 200,
    body: {
      ...(api.cluster === undefined ? {} : { cluster: api.cluster }),
      summary: countByStatus(rows),
      clusters: clusterSummaries(all, watchedClusters(api)),
      matched: matched.length,
      resources: page.map(({ row }) => row.resource),
      ...(rest.length > limit && last !== undefined && { continue: encodeToken(last.key) }),
    },
  };
}

function driftValues(drift: Drift): Partial<ApiDrift> {
  if (drift.redacted !== undefined)
    return {
      redacted: true,
      ...(drift.redacted.desired !== undefined && { desiredHash: drift.redacted.desired }),
      ...(drift.redacted.live !== undefined && { liveHash: drift.redacted.live }),
    };
  return {
    ...(drift.desired !== undefined && { desired: drift.desired }),
    ...(drift.live !== undefined && { live: drift.live }),
  };
}

function identityOf(change: EpisodeChange | undefined): Partial<ApiDrift> {
  if (change === undefined) return {};
  return {
    ...(change.user !== undefined && { user: change.user }),
    ...(change.groups !== undefined && { groups: change.groups }),
    firstSeen: change.firstSeen,
  };
}

/** The report's drift (src/report/document.ts, which this layer may not import), with the episode's who and when. */
function apiDrift(drift: Drift, change: EpisodeChange | undefined): ApiDrift {
  const attribution = drift.attribution;
  return {
    path: drift.path,
    type: drift.type,
    ...driftValues(drift),
    ...(drift.reason !== undefined && { reason: drift.reason }),
    ...(drift.source !== undefined && { source: drift.source }),
    ...(drift.blame !== undefined && { blame: drift.blame }),
    ...(attribution !== undefined && {
      manager: attribution.manager,
      operation: attribution.operation,
      ...(attribution.subresource !== undefined && { subresource: attribution.subresource }),
      ...(attribution.changedAt !== undefined && { changedAt: attribution.changedAt }),
    }),
    ...identityOf(change),
  };
}

/** `{group}/{kind}/{namespace}/{name}`, `core` standing for the core group and `_` for no namespace. */
function parseResourcePath(rest: string): ResourceKey {
  const segments = rest.split("/");
  if (segments.length !== 4 || segments.some((segment) => segment === ""))
    throw new ApiError(404, "not found: expected /api/resources/{group}/{kind}/{namespace}/{name}");
  const [group = "", kind = "", namespace = "", name = ""] = segments.map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new ApiError(400, `invalid URL segment "${segment}"`);
    }
  });
  return { group: group === "core" ? "" : group, kind, namespace: namespace === "_" ? "" : namespace, name };
}

/** `?cluster=NAME` of another cluster of the store: that cluster's open episode, without Events. */
async function showOtherResource(
  api: Api,
  key: ResourceKey,
  cluster: string,
  params: URLSearchParams,
): Promise<ApiAnswer> {
  const episodes = await api.store.query({ resource: key, clusters: [cluster], limit: pageSize(params) });
  const open = episodes.find((episode) => episode.endedAt === null);
  if (open === undefined)
    throw new ApiError(
      404,
      `no drifted resource ${key.group === "" ? "core" : key.group}/${key.kind}/${key.namespace || "_"}/${key.name} in cluster ${cluster}`,
    );
  const versions = new Map(
    [...api.resources().values()].map((result) => [
      `${result.ref.group}/${result.ref.kind}`,
      result.ref.version,
    ]),
  );
  const result = resultOf(open, versions);
  const changes = new Map(open.changes.map((change) => [change.path, change]));
  return {
    status: 200,
    body: {
      resource: apiResource(result, open, { cluster, own: false }),
      drifts: result.drifts.map((drift) => apiDrift(drift, changes.get(drift.path))),
      episodes,
    },
  };
}

async function showResource(api: Api, rest: string, params: URLSearchParams): Promise<ApiAnswer> {
  const key = parseResourcePath(rest);
  const watched = watchedClusters(api);
  const cluster = filterValue(params, "cluster");
  const live = cluster === undefined ? watched[0] : watched.find(({ name }) => name === cluster);
  if (live === undefined) return showOtherResource(api, key, cluster ?? "", params);
  const result = live.resources().get(refKey({ ...key, version: "" }));
  if (result === undefined)
    throw new ApiError(
      404,
      `no resource ${key.group === "" ? "core" : key.group}/${key.kind}/${key.namespace || "_"}/${key.name} in scope`,
    );
  const query: HistoryQuery = { resource: key, clusters: [live.name, ""], limit: pageSize(params) };
  const episodes = await api.store.query(query);
  const open = episodes.find((episode) => episode.endedAt === null);
  const changes = new Map((open?.changes ?? []).map((change) => [change.path, change]));
  return {
    status: 200,
    body: {
      resource: apiResource(result, open, { cluster: live.name, own: live === watched[0] }),
      drifts: (api.blame === undefined ? result.drifts : await api.blame(result.drifts)).map((drift) =>
        apiDrift(drift, changes.get(drift.path)),
      ),
      episodes,
      ...(await eventsOf(live, result.ref)),
    },
  };
}

/** The object's Events; a cluster that cannot list them leaves the page without, saying why in one line. */
async function eventsOf(
  live: WatchedCluster,
  ref: ObjectRef,
): Promise<
  { readonly events: readonly ObjectEvent[] } | { readonly eventsError: string } | Record<string, never>
> {
  if (live.events === undefined) return {};
  try {
    return { events: await live.events(ref) };
  } catch (error: unknown) {
    return { eventsError: (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "" };
  }
}

/** The combined diff stops here: an export for a ticket, not a dump of the estate. */
const maxDiffResources = 1000;

/**
 * `GET /api/diff`: the drifted fields of every resource the filters of `/api/resources` select,
 * in one answer (`field`: only fields whose readable path contains it, `image` for instance);
 * `format=markdown` for a ticket.
 */
async function combinedDiff(api: Api, params: URLSearchParams): Promise<ApiAnswer> {
  const keep = rowFilter(params, api.now());
  const statuses = statusFilter(params);
  const field = filterValue(params, "field")?.toLowerCase();
  const rows = (await estate(api))
    .filter((row) => keep(row) && (statuses === undefined || statuses.has(row.result.status)))
    .sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
  const entries = rows.flatMap((row) => {
    const changes = new Map((row.open?.changes ?? []).map((change) => [change.path, change]));
    // A Missing object has no fields to compare: it is one change, of the whole object.
    const fields: readonly Drift[] =
      row.result.status === ResourceStatuses.missing ? [{ path: "", type: "Removed" }] : row.result.drifts;
    const drifts = fields
      .filter((drift) => field === undefined || readablePath(drift.path).toLowerCase().includes(field))
      .map((drift) => apiDrift(drift, changes.get(drift.path)));
    return drifts.length === 0 ? [] : [{ resource: row.resource, drifts }];
  });
  const shown = entries.slice(0, maxDiffResources);
  const truncated = entries.length > maxDiffResources;
  if (params.get("format") === "markdown")
    return {
      status: 200,
      body: null,
      text: { contentType: "text/markdown; charset=utf-8", body: diffMarkdown(shown, api.now(), truncated) },
    };
  return {
    status: 200,
    body: { matched: entries.length, resources: shown, ...(truncated && { truncated }) },
  };
}

/** `GET /api/episodes?format=csv`: the page of episodes as `kubedrift history -o csv` writes them. */
async function episodes(api: Api, params: URLSearchParams): Promise<ApiAnswer> {
  const page = await episodePage(api.store, params, api.now());
  if (params.get("format") !== "csv") return { status: 200, body: page };
  return {
    status: 200,
    body: null,
    text: { contentType: "text/csv; charset=utf-8", body: renderHistoryCsv(page.episodes) },
  };
}

/** The overview across the clusters in view, and the drifts that several of them share. */
async function overview(api: Api): Promise<ApiAnswer> {
  const rows = await estate(api);
  const byResult = new Map(rows.map((row) => [row.result, row]));
  const open = new Map(
    rows.flatMap((row) =>
      row.open === undefined ? [] : [[clusterKey(row.cluster, row.result.ref), row.open] as const],
    ),
  );
  return {
    status: 200,
    body: await overviewOf(
      rows.map((row) => row.result),
      {
        store: api.store,
        open,
        keyOf: (result) => {
          const row = byResult.get(result);
          return row === undefined ? "" : clusterKey(row.cluster, result.ref);
        },
        now: api.now(),
        clusters: clusterSummaries(rows, watchedClusters(api)).map(({ name }) => name),
      },
    ),
  };
}

/** The answer to a GET of an `/api/` path whose bearer token http.ts has checked; errors as JSON. */
export async function answerApi(api: Api, url: URL): Promise<ApiAnswer> {
  try {
    const path = url.pathname;
    if (path === "/api/resources") return await listResources(api, url.searchParams);
    if (path.startsWith("/api/resources/"))
      return await showResource(api, path.slice("/api/resources/".length), url.searchParams);
    if (path === "/api/episodes") return await episodes(api, url.searchParams);
    if (path === "/api/diff") return await combinedDiff(api, url.searchParams);
    if (path === "/api/overview") return await overview(api);
    return { status: 404, body: { error: "not found" } };
  } catch (error: unknown) {
    if (error instanceof ApiError) return { status: error.status, body: { error: error.message } };
    throw error;
  }
}
