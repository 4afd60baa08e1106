import type { KubeObject } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import { ApiError, badRequest } from "../api/status.js";
import type { StoreEvent, WatchEventType, WatchSubscription } from "../store/types.js";
import type { ServerContext } from "./context.js";
import { compileListFilter } from "./filters.js";
import type { ResourceRequest } from "./request-info.js";
import { withTypeMeta } from "./reads.js";
import type { ApiResponse, StreamSink } from "./response.js";
import { apiVersionOf } from "../../kube/schema/gvk.js";
import { includeObjectParam, toTable } from "./table.js";
import { metadataOf, resourceVersionOf } from "../../kube/object.js";

export interface WatchSettings {
  /** How often BOOKMARK events are sent to watchers that allow them. */
  readonly bookmarkIntervalMs: number;
  /** The watch timeout when the client gives none (kube-apiserver: 30-60 minutes). */
  readonly defaultTimeoutSeconds: number;
  /** Every open watch registers here, so that fault injection can drop them all. */
  readonly openWatches: Set<() => void>;
  /** Fault injection: cut each watch after this long (undefined: never). */
  readonly dropAfterMs: () => number | undefined;
}

interface WatchParams {
  readonly sinceResourceVersion: number | undefined;
  readonly timeoutMs: number;
  readonly bookmarks: boolean;
  readonly initialEvents: boolean;
}

function parseResourceVersion(value: string | null): number | undefined {
  if (value === null || value === "" || value === "0") return undefined;
  if (!/^\d+$/.test(value))
    throw badRequest(`resourceVersion: Invalid value: "${value}": must be a non-negative integer`);
  return Number(value);
}

function parseWatchParams(query: URLSearchParams, settings: WatchSettings): WatchParams {
  const since = parseResourceVersion(query.get("resourceVersion"));
  const timeout = Number(query.get("timeoutSeconds") ?? settings.defaultTimeoutSeconds);
  const sendInitialEvents = query.get("sendInitialEvents");
  // Without a resourceVersion a watch starts with the current state as ADDED events ("Get State and Start at Most Recent").
  const initialEvents = sendInitialEvents === null ? since === undefined : sendInitialEvents === "true";
  return {
    sinceResourceVersion: since,
    timeoutMs: Math.max(0, Number.isFinite(timeout) ? timeout : settings.defaultTimeoutSeconds) * 1000,
    bookmarks: query.get("allowWatchBookmarks") === "true",
    initialEvents,
  };
}

interface Encoder {
  readonly encode: (type: WatchEventType | "BOOKMARK", object: KubeObject) => string;
}

function encoderFor(
  context: ServerContext,
  request: ResourceRequest,
  options: { table: boolean; query: URLSearchParams },
): Encoder {
  const include = includeObjectParam(options.query);
  const printerColumns = context.machinery.kind(request.info).printerColumns;
  return {
    encode: (type, object) => {
      const typed = withTypeMeta(object, request.info);
      const payload =
        options.table && type !== "BOOKMARK"
          ? toTable([object], request.info, {
              printerColumns,
              now: context.now(),
              include,
              listMetadata: { resourceVersion: resourceVersionOf(object) },
            })
          : typed;
      return `${JSON.stringify({ type, object: payload })}\n`;
    },
  };
}

function bookmark(request: ResourceRequest, resourceVersion: number, initialEventsEnd: boolean): KubeObject {
  const annotations = initialEventsEnd ? { annotations: { "k8s.io/initial-events-end": "true" } } : {};
  return {
    apiVersion: apiVersionOf(request.info),
    kind: request.info.kind,
    metadata: { resourceVersion: String(resourceVersion), ...annotations },
  };
}

/** Tracks which objects this watcher has seen, so that selector transitions become ADDED/DELETED as in the watch cache. */
function eventTypeFor(visible: Set<string>, event: StoreEvent, matches: boolean): WatchEventType | undefined {
  const id = objectId(event.object);
  if (event.type === "DELETED") return visible.delete(id) ? "DELETED" : undefined;
  if (matches) {
    const seen = visible.has(id);
    visible.add(id);
    return seen ? event.type : "ADDED";
  }
  return visible.delete(id) ? "DELETED" : undefined;
}

interface WatchCall {
  readonly context: ServerContext;
  readonly request: ResourceRequest;
  readonly query: URLSearchParams;
  readonly table: boolean;
  readonly settings: WatchSettings;
}

function errorEvent(error: ApiError): string {
  return `${JSON.stringify({ type: "ERROR", object: error.toStatus() })}\n`;
}

export function watchObjects(call: WatchCall): ApiResponse {
  const params = parseWatchParams(call.query, call.settings);
  const filter = compileListFilter(call.request.info, call.query);
  const encoder = encoderFor(call.context, call.request, { table: call.table, query: call.query });
  return {
    kind: "stream",
    status: 200,
    contentType: "application/json",
    start: (sink) =>
      startWatch(call, { params, selective: filter.selective, matches: filter.matches, encoder, sink }),
  };
}

interface ActiveWatch {
  readonly params: WatchParams;
  /** With a selector, objects move in and out of view: the watch cache turns that into ADDED/DELETED. */
  readonly selective: boolean;
  readonly matches: (object: KubeObject) => boolean;
  readonly encoder: Encoder;
  readonly sink: StreamSink;
}

function initialState(call: WatchCall, watch: ActiveWatch, visible: Set<string>): number {
  const namespace = call.request.namespace === "" ? undefined : call.request.namespace;
  const listed = call.context.store.list(
    { group: call.request.info.group, resource: call.request.info.resource },
    namespace,
  );
  for (const object of listed.items) {
    if (!watch.matches(object)) continue;
    visible.add(objectId(object));
    watch.sink.write(watch.encoder.encode("ADDED", object));
  }
  return listed.resourceVersion;
}

function objectId(object: KubeObject): string {
  const metadata = metadataOf(object);
  return `${textOf(metadata["namespace"] ?? "")}/${textOf(metadata["name"])}`;
}

/** What a watch resumed from `since` has already seen: the matching objects as they were then. */
function visibleAt(call: WatchCall, watch: ActiveWatch, since: number): Set<string> {
  const namespace = call.request.namespace === "" ? undefined : call.request.namespace;
  const resource = { group: call.request.info.group, resource: call.request.info.resource };
  let items: readonly KubeObject[];
  try {
    items = call.context.store.listAt(resource, namespace, since).items;
  } catch {
    items = call.context.store.list(resource, namespace).items;
  }
  return new Set(items.filter(watch.matches).map(objectId));
}

function subscribe(
  call: WatchCall,
  watch: ActiveWatch,
  visible: Set<string>,
  since: number | undefined,
): WatchSubscription {
  return call.context.store.watch({
    resource: { group: call.request.info.group, resource: call.request.info.resource },
    ...(call.request.namespace === "" ? {} : { namespace: call.request.namespace }),
    ...(since === undefined ? {} : { sinceResourceVersion: since }),
    onEvent: (event) => {
      const type = watch.selective ? eventTypeFor(visible, event, watch.matches(event.object)) : event.type;
      if (type !== undefined) watch.sink.write(watch.encoder.encode(type, event.object));
    },
  });
}

function startWatch(call: WatchCall, watch: ActiveWatch): () => void {
  const resumeFrom = watch.params.initialEvents ? undefined : watch.params.sinceResourceVersion;
  const visible =
    watch.selective && resumeFrom !== undefined ? visibleAt(call, watch, resumeFrom) : new Set<string>();
  let since = resumeFrom;
  if (watch.params.initialEvents) {
    since = initialState(call, watch, visible);
    // sendInitialEvents (the WatchList protocol) marks the end of the initial state with a bookmark.
    if (watch.params.bookmarks && call.query.get("sendInitialEvents") === "true") {
      watch.sink.write(watch.encoder.encode("BOOKMARK", bookmark(call.request, since, true)));
    }
  }
  try {
    return keepAlive(call, watch, subscribe(call, watch, visible, since));
  } catch (error: unknown) {
    if (!(error instanceof ApiError)) throw error;
    // A watch that cannot start answers 200 with one ERROR event (410 Expired), as the watch cache does.
    watch.sink.write(errorEvent(error));
    watch.sink.end();
    return () => undefined;
  }
}

function keepAlive(call: WatchCall, watch: ActiveWatch, subscription: WatchSubscription): () => void {
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    subscription.close();
    for (const timer of timers) clearTimeout(timer);
    call.settings.openWatches.delete(drop);
  };
  const drop = (): void => {
    stop();
    watch.sink.end();
  };
  call.settings.openWatches.add(drop);
  timers.push(setTimeout(drop, watch.params.timeoutMs));
  const dropAfter = call.settings.dropAfterMs();
  if (dropAfter !== undefined) timers.push(setTimeout(drop, dropAfter));
  if (watch.params.bookmarks) {
    const interval = setInterval(() => {
      watch.sink.write(
        watch.encoder.encode("BOOKMARK", bookmark(call.request, call.context.store.resourceVersion, false)),
      );
    }, call.settings.bookmarkIntervalMs);
    timers.push(interval);
  }
  return stop;
}
