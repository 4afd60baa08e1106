import type { LiveObject } from "../model/index.js";
import type { UnknownRecord } from "../kube/value/json.js";
import { isRecord, stringOf } from "../kube/value/json.js";
import type { ApiStatus, ApiTransport } from "./transport.js";
import { ClusterError } from "./types.js";
import type { WatchEnd, WatchEvent, WatchOptions } from "./types.js";

/** The query of one WATCH: `?watch=1&resourceVersion=…&allowWatchBookmarks=true&timeoutSeconds=…`. */
export function watchQuery(options: WatchOptions): Record<string, string> {
  const query: Record<string, string> = {
    watch: "1",
    resourceVersion: options.resourceVersion,
    timeoutSeconds: String(Math.max(1, Math.round(options.timeoutSeconds))),
  };
  if (options.allowWatchBookmarks) query["allowWatchBookmarks"] = "true";
  const selector = options.labelSelector ?? "";
  if (selector !== "") query["labelSelector"] = selector;
  return query;
}

/**
 * A server that disappears without closing the connection (a half-open TCP connection) would
 * leave the stream waiting forever: past the server's own timeout and this grace, the client ends it.
 */
const overdueGraceMs = 30_000;

function statusOfEvent(object: unknown): ApiStatus {
  const record = isRecord(object) ? object : {};
  const code = typeof record["code"] === "number" ? record["code"] : 0;
  return { code, reason: stringOf(record["reason"]), message: stringOf(record["message"]) };
}

/** One line of the stream; undefined when it is not a watch event. */
function eventOf(line: string, toLive: (item: UnknownRecord) => LiveObject): WatchEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || !isRecord(parsed["object"])) return undefined;
  const object = parsed["object"];
  switch (parsed["type"]) {
    case "ADDED":
    case "MODIFIED":
    case "DELETED":
      return { type: parsed["type"], object: toLive(object) };
    case "BOOKMARK": {
      // A bookmark's object carries only metadata.resourceVersion (and maybe annotations).
      const metadata = object["metadata"];
      return {
        type: "BOOKMARK",
        resourceVersion: isRecord(metadata) ? stringOf(metadata["resourceVersion"]) : "",
      };
    }
    case "ERROR":
      return { type: "ERROR", status: statusOfEvent(object) };
    default:
      return undefined;
  }
}

interface StreamReading {
  readonly body: ReadableStream<Uint8Array>;
  readonly toLive: (item: UnknownRecord) => LiveObject;
  readonly onEvent: (event: WatchEvent) => void;
}

/** Hands each complete line (JSON per line, as kube-apiserver streams watch events) to `onEvent`. */
async function readEvents(reading: StreamReading): Promise<WatchEnd> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of reading.body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
      if (line === "") continue;
      const event = eventOf(line, reading.toLive);
      // A line that is not an event: the stream cannot be trusted past it; resuming from the last event is safe.
      if (event === undefined) return { kind: "dropped", message: `not a watch event: ${line.slice(0, 80)}` };
      reading.onEvent(event);
    }
  }
  return { kind: "closed" };
}

export interface WatchCall {
  readonly transport: ApiTransport;
  readonly path: string;
  readonly options: WatchOptions;
  /** A watch event's object as a LiveObject (its apiVersion and kind filled in where missing). */
  readonly toLive: (item: UnknownRecord) => LiveObject;
}

function endOf(error: unknown, signal: AbortSignal | undefined): WatchEnd {
  if (signal?.aborted === true) return { kind: "aborted" };
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: "dropped",
    message: error instanceof ClusterError ? message : `watch stream broke: ${message}`,
  };
}

/**
 * One WATCH over HTTP(S): streams the events to `onEvent` and resolves with how the stream ended;
 * never rejects (an exception of `onEvent` ends the stream as dropped, after the event).
 */
export async function watchCollection(
  call: WatchCall,
  onEvent: (event: WatchEvent) => void,
): Promise<WatchEnd> {
  const controller = new AbortController();
  const outer = call.options.signal;
  const signal = outer === undefined ? controller.signal : AbortSignal.any([outer, controller.signal]);
  const overdue = setTimeout(
    () => controller.abort(new ClusterError("the server did not end the watch in time")),
    call.options.timeoutSeconds * 1000 + overdueGraceMs,
  );
  try {
    if (outer?.aborted === true) return { kind: "aborted" };
    const answer = await call.transport.openStream(call.path, watchQuery(call.options), signal);
    if (answer.kind === "status") return { kind: "status", status: answer.status };
    return await readEvents({ body: answer.body, toLive: call.toLive, onEvent });
  } catch (error: unknown) {
    return endOf(error, outer);
  } finally {
    clearTimeout(overdue);
    // Releases the connection when the stream ended early (a malformed line, an exception).
    controller.abort();
  }
}
