/**
 * The dashboard's live updates: `GET /api/stream` as server-sent events (the WHATWG HTML living
 * standard's `text/event-stream`), fed by the watch's listener. A page's EventSource reconnects
 * by itself; the stream sends a comment every 15 s so that proxies do not close an idle one.
 */
import type { ResourceStatus } from "../model/index.js";
import type { ObjectRef } from "../kube/object.js";
import type { WatchListener } from "../controller/watch.js";
import type { Episode } from "../store/index.js";

export interface LiveEvent {
  readonly event: "status" | "episode";
  readonly data: Readonly<Record<string, unknown>>;
}

export type LiveSubscriber = (event: LiveEvent) => void;

/** Fans the watch's news out to the open streams. */
export class LiveEvents {
  readonly #subscribers = new Set<LiveSubscriber>();

  subscribe(subscriber: LiveSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  publish(event: LiveEvent): void {
    for (const subscriber of this.#subscribers) subscriber(event);
  }

  /** What the watch tells, as events: a status change, an episode opened or ended. */
  listener(): WatchListener {
    const resource = (ref: ObjectRef) => ({
      group: ref.group,
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
    });
    const episode = (state: "opened" | "ended") => (opened: Episode) =>
      this.publish({
        event: "episode",
        data: { id: opened.id, resource: resource({ ...opened.resource, version: "" }), state },
      });
    return {
      onStatus: (ref: ObjectRef, status: ResourceStatus | undefined, drifts: number) =>
        this.publish({ event: "status", data: { ...resource(ref), status: status ?? "Untracked", drifts } }),
      onEpisodeOpened: episode("opened"),
      onEpisodeClosed: episode("ended"),
    };
  }
}

/** One event in the stream's wire form: `event:` and one `data:` line of JSON, then a blank line. */
export function eventText(event: LiveEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
