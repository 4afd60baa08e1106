/**
 * `kubedrift watch`'s notifications (issue 12, item 5): each episode opened or closed is POSTed to
 * generic JSON webhooks (`--webhook`) and Slack-compatible incoming webhooks (`--slack-webhook`).
 * The same resource, event and fields within the dedupe window are sent once; a delivery is retried
 * with bounded exponential backoff and jitter on network errors, 5xx and 429 (honouring
 * Retry-After), never on another 4xx. Deliveries go through a bounded queue (the oldest dropped,
 * counted, when full), so that sending never blocks nor fails the watch. Secret values never leave:
 * the engine's drifts carry hashes instead of withheld values, and webhook URLs (Slack's are
 * secrets) are logged with their path and query masked. Time and randomness are injected.
 */
import { readablePath } from "../kube/fieldpath/readable.js";
import type { JsonValue } from "../kube/value/json.js";
import type { Episode, EpisodeChange, ResourceKey } from "../store/index.js";
import type { Clock } from "./informer.js";
import type { WatchListener } from "./watch.js";
import { formatDuration } from "../kube/time.js";

/** What is notified; contested and heal-failed come with healing and fight loops. */
export const NotificationEvents = {
  detected: "DriftDetected",
  resolved: "DriftResolved",
  contested: "DriftContested",
  healFailed: "HealFailed",
} as const;
export type NotificationEvent = (typeof NotificationEvents)[keyof typeof NotificationEvents];

/** `json`: the generic DriftNotification document; `slack`: `{ text, blocks }`. */
export type WebhookFormat = "json" | "slack";

export interface Webhook {
  readonly format: WebhookFormat;
  readonly url: URL;
}

export interface Notification {
  readonly event: NotificationEvent;
  readonly episode: Episode;
  /** Why (a heal's error, the contesting manager's proposed ignore rule); free text, no values. */
  readonly message?: string;
}

/** The answer of one POST: its status and Retry-After header. A network error rejects. */
export interface PostResult {
  readonly status: number;
  readonly retryAfter?: string | null;
}

export type Post = (
  url: URL,
  body: string,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
) => Promise<PostResult>;

export type NotifyLog = (message: string, fields: Readonly<Record<string, unknown>>) => void;

export interface NotifierOptions {
  readonly webhooks: readonly Webhook[];
  readonly cluster: string;
  readonly clock: Clock;
  /** In [0, 1): the backoff's jitter. */
  readonly random?: () => number;
  /** `--notify-dedupe` (default 10 minutes); 0 sends every notification. */
  readonly dedupeMs?: number;
  /** Tries per delivery, the first included (default 5). */
  readonly maxAttempts?: number;
  /** The n-th failure waits min(maxMs, initialMs × 2ⁿ⁻¹) × (1 + random()) / 2 (equal jitter). */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Deliveries waiting at most (default 200); the oldest is dropped when full. */
  readonly queueSize?: number;
  /** Each POST's time limit (default 10 s). */
  readonly timeoutMs?: number;
  readonly post?: Post;
  readonly log?: NotifyLog;
  /**
   * Whether an episode's opening and end are notified: by its policy (`warn` or `heal`); all
   * unless told. Contests and failed heals always are.
   */
  readonly wanted?: (episode: Episode) => boolean;
  /** The apiVersion of a resource (the store keeps its group only). */
  readonly apiVersionOf?: (resource: ResourceKey) => string | undefined;
}

export interface NotifierStats {
  readonly queued: number;
  readonly delivered: number;
  readonly failed: number;
  readonly deduplicated: number;
  readonly dropped: number;
}

export interface Notifier {
  /** Opened → DriftDetected, closed → DriftResolved, contested → DriftContested, a failed heal → HealFailed. */
  readonly listener: WatchListener;
  /** Queues the notification to every webhook (unless deduplicated); never throws, never waits. */
  notify(notification: Notification): void;
  /** Resolves once the queue is empty and nothing is being sent (for tests and a clean stop). */
  idle(): Promise<void>;
  /**
   * Stops: first waits up to `graceMs` (default 0) for the queue to empty, then backoff waits end
   * and what is still queued is dropped (counted in one line).
   */
  close(graceMs?: number): Promise<void>;
  stats(): NotifierStats;
}

export const defaultDedupeMs = 10 * 60_000;
const defaults = {
  maxAttempts: 5,
  backoff: { initialMs: 1000, maxMs: 60_000 },
  queueSize: 200,
  timeoutMs: 10_000,
};

/** One line, when a webhook URL cannot be used. */
export class WebhookUrlError extends Error {}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * A webhook URL as it may be logged: no credentials, the path and the query masked (a Slack
 * webhook's path is its secret, a generic one may carry a token).
 */
export function maskUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    return "(an invalid URL)";
  }
  const hasPath = parsed.pathname !== "" && parsed.pathname !== "/";
  const masked = hasPath || parsed.search !== "" || parsed.hash !== "";
  return `${parsed.protocol}//${parsed.host}${masked ? "/***" : "/"}`;
}

/** `--webhook`/`--slack-webhook`: https://, or http:// to a loopback host only. */
export function parseWebhookUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError(`${flag}: ${maskUrl(text)} is not a URL (expected https://host/path)`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return url;
  if (url.protocol === "http:")
    throw new WebhookUrlError(
      `${flag}: ${maskUrl(url)} must use https:// (plain http:// only to a loopback host)`,
    );
  throw new WebhookUrlError(`${flag}: ${maskUrl(url)}: only https:// URLs are supported`);
}

function durationMs(episode: Episode): number | undefined {
  if (episode.endedAt === null) return undefined;
  const ms = Date.parse(episode.endedAt) - Date.parse(episode.startedAt);
  return Number.isFinite(ms) ? ms : undefined;
}

function apiVersionFor(resource: ResourceKey, options: NotifierOptions): string {
  const known = options.apiVersionOf?.(resource);
  if (known !== undefined) return known;
  return resource.group === "" ? "v1" : resource.group;
}

/** The fields of `from` that are set. */
function defined(from: Readonly<Record<string, JsonValue | undefined>>): Record<string, JsonValue> {
  return Object.fromEntries(
    Object.entries(from).filter((entry): entry is [string, JsonValue] => entry[1] !== undefined),
  );
}

/** A drift as the JSON report has it; withheld values only as their hashes. */
function driftOf(change: EpisodeChange): Record<string, JsonValue> {
  const withheld = change.redacted !== undefined;
  return {
    path: change.path,
    type: change.type,
    ...defined({
      reason: change.reason,
      desired: withheld ? undefined : change.desired,
      live: withheld ? undefined : change.live,
      redacted: change.redacted === undefined ? undefined : { ...change.redacted },
    }),
    manager: change.manager ?? null,
    operation: change.operation ?? null,
    ...defined({
      subresource: change.subresource,
      changedAt: change.changedAt,
      user: change.user,
      groups: change.groups === undefined ? undefined : [...change.groups],
      userAgent: change.userAgent,
      sourceIPs: change.sourceIPs === undefined ? undefined : [...change.sourceIPs],
      contestedBy: change.contestedBy,
    }),
  };
}

/** The generic webhook's document. */
export function jsonPayload(notification: Notification, options: NotifierOptions): Record<string, JsonValue> {
  const { episode } = notification;
  const duration = durationMs(episode);
  return {
    apiVersion: "kubedrift.dev/v1",
    kind: "DriftNotification",
    event: notification.event,
    cluster: options.cluster,
    resource: {
      apiVersion: apiVersionFor(episode.resource, options),
      kind: episode.resource.kind,
      namespace: episode.resource.namespace,
      name: episode.resource.name,
    },
    episode: {
      id: episode.id,
      startedAt: episode.startedAt,
      ...(episode.endedAt === null ? {} : { endedAt: episode.endedAt }),
      ...(duration === undefined
        ? {}
        : { duration: formatDuration(duration), durationSeconds: duration / 1000 }),
      ...(episode.endedBy === null ? {} : { endedBy: episode.endedBy }),
      ...(episode.contested ? { contested: true, contestedBy: episode.contestedBy } : {}),
    },
    ...(notification.message === undefined ? {} : { message: notification.message }),
    drifts: episode.changes.map(driftOf),
  };
}

function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function readableField(path: string): string {
  return path === "" ? "(the whole object)" : readablePath(path);
}

function describeResource(resource: ResourceKey): string {
  const name = resource.namespace === "" ? resource.name : `${resource.namespace}/${resource.name}`;
  return `${resource.kind} ${name}`;
}

function changedBy(change: EpisodeChange): string {
  const manager = change.manager ?? "an unknown manager";
  const how = [change.operation, change.subresource].filter((part) => part !== undefined).join(", ");
  const tool = how === "" ? manager : `${manager} (${how})`;
  return change.user === undefined ? tool : `${tool} as ${change.user}`;
}

const slackFieldLimit = 10;

/** The Slack-compatible message: a one-line `text` (the fallback) and blocks with the fields. */
export function slackPayload(
  notification: Notification,
  options: NotifierOptions,
): Record<string, JsonValue> {
  const { episode, event } = notification;
  const what = slackEscape(describeResource(episode.resource));
  const managers = [...new Set(episode.changes.flatMap((change) => change.manager ?? []))];
  const duration = durationMs(episode);
  const headline = (() => {
    switch (event) {
      case NotificationEvents.detected:
        return `:warning: Drift detected on ${what}${managers.length === 0 ? "" : ` by ${slackEscape(managers.join(", "))}`}`;
      case NotificationEvents.resolved:
        return `:white_check_mark: ${what} is back in sync${duration === undefined ? "" : ` after ${formatDuration(duration)}`}${episode.endedBy === null ? "" : ` (${episode.endedBy})`}`;
      case NotificationEvents.contested:
        return `:crossed_swords: Drift on ${what} is contested${episode.contestedBy === null ? "" : ` by ${slackEscape(episode.contestedBy)}`}: healing stopped`;
      case NotificationEvents.healFailed:
        return `:x: Healing ${what} failed`;
    }
  })();
  const text = `${headline} (cluster ${slackEscape(options.cluster)})`;
  const lines = episode.changes
    .slice(0, slackFieldLimit)
    .map(
      (change) =>
        `• \`${slackEscape(readableField(change.path))}\` ${change.type} by ${slackEscape(changedBy(change))}`,
    );
  if (episode.changes.length > slackFieldLimit)
    lines.push(`…and ${episode.changes.length - slackFieldLimit} more`);
  const blocks: JsonValue[] = [{ type: "section", text: { type: "mrkdwn", text: headline } }];
  if (lines.length > 0) blocks.push({ type: "section", text: { type: "mrkdwn", text: lines.join("\n") } });
  if (notification.message !== undefined)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: slackEscape(notification.message) } });
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `cluster *${slackEscape(options.cluster)}* · episode ${slackEscape(episode.id)} · started ${episode.startedAt}`,
      },
    ],
  });
  return { text, blocks };
}

/** The default POST: fetch, JSON, with the URL's credentials (if any) as basic authentication. */
export const fetchPost: Post = async (url, body, headers, signal) => {
  const target = new URL(url.href);
  const auth: Record<string, string> = {};
  if (target.username !== "" || target.password !== "") {
    const user = decodeURIComponent(target.username);
    const password = decodeURIComponent(target.password);
    auth["authorization"] = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  const response = await fetch(target, { method: "POST", body, headers: { ...headers, ...auth }, signal });
  await response.arrayBuffer().catch(() => undefined);
  return { status: response.status, retryAfter: response.headers.get("retry-after") };
};

/** Retry-After in milliseconds: seconds, or an HTTP date from now. */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

interface Delivery {
  readonly webhook: Webhook;
  readonly body: string;
  readonly event: NotificationEvent;
  readonly resource: string;
}

function errorText(error: unknown, url: URL): string {
  const base = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  // Never the URL itself in a log line: a message that quotes it gets the masked form.
  return `${base}${cause}`.split(url.href).join(maskUrl(url));
}

/** The POST, or its abort (close, or the time limit) even when the POST does not heed the signal. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("aborted: stopping or timed out"));
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

class QueueNotifier implements Notifier {
  readonly listener: WatchListener;
  readonly #options: NotifierOptions;
  readonly #queue: Delivery[] = [];
  readonly #sent = new Map<string, number>();
  readonly #abort = new AbortController();
  #worker: Promise<void> | undefined;
  #closed = false;
  #delivered = 0;
  #failed = 0;
  #deduplicated = 0;
  #dropped = 0;

  constructor(options: NotifierOptions) {
    this.#options = options;
    const wanted = options.wanted ?? ((): boolean => true);
    this.listener = {
      onEpisodeOpened: (episode) => {
        if (wanted(episode)) this.notify({ event: NotificationEvents.detected, episode });
      },
      onEpisodeClosed: (episode) => {
        if (wanted(episode)) this.notify({ event: NotificationEvents.resolved, episode });
      },
      onEpisodeContested: (episode, contest) =>
        this.notify({
          event: NotificationEvents.contested,
          episode,
          message: `${contest.field} flipped back ${contest.flips} times by ${contest.manager}: healing it stopped. To end the fight, add to kubedrift.yaml's ignore: ${contest.rule}`,
        }),
      onHeal: (episode, outcome) => {
        if (outcome.result === "failed")
          this.notify({
            event: NotificationEvents.healFailed,
            episode,
            message: outcome.error ?? "unknown error",
          });
      },
    };
  }

  stats(): NotifierStats {
    return {
      queued: this.#queue.length,
      delivered: this.#delivered,
      failed: this.#failed,
      deduplicated: this.#deduplicated,
      dropped: this.#dropped,
    };
  }

  notify(notification: Notification): void {
    try {
      this.#notify(notification);
    } catch (error: unknown) {
      this.#log("notification error", { error: error instanceof Error ? error.message : String(error) });
    }
  }

  #notify(notification: Notification): void {
    if (this.#closed || this.#options.webhooks.length === 0) return;
    if (this.#duplicate(notification)) {
      this.#deduplicated += 1;
      return;
    }
    const resource = describeResource(notification.episode.resource);
    let json: string | undefined;
    let slack: string | undefined;
    for (const webhook of this.#options.webhooks) {
      const body =
        webhook.format === "json"
          ? (json ??= JSON.stringify(jsonPayload(notification, this.#options)))
          : (slack ??= JSON.stringify(slackPayload(notification, this.#options)));
      this.#enqueue({ webhook, body, event: notification.event, resource });
    }
  }

  /** The same resource, event and fields within the window; records it otherwise. */
  #duplicate({ event, episode }: Notification): boolean {
    const window = this.#options.dedupeMs ?? defaultDedupeMs;
    if (window <= 0) return false;
    const now = this.#options.clock.now();
    for (const [key, at] of this.#sent) if (now - at >= window) this.#sent.delete(key);
    const { group, kind, namespace, name } = episode.resource;
    const paths = [...new Set(episode.changes.map((change) => change.path))].sort();
    const key = JSON.stringify([event, group, kind, namespace, name, paths]);
    if (this.#sent.has(key)) return true;
    this.#sent.set(key, now);
    return false;
  }

  #enqueue(delivery: Delivery): void {
    const size = this.#options.queueSize ?? defaults.queueSize;
    this.#queue.push(delivery);
    while (this.#queue.length > Math.max(1, size)) {
      const dropped = this.#queue.shift() as Delivery;
      this.#dropped += 1;
      this.#log("notification dropped: queue full", {
        webhook: maskUrl(dropped.webhook.url),
        event: dropped.event,
        resource: dropped.resource,
        dropped: this.#dropped,
      });
    }
    this.#worker ??= this.#drain().finally(() => (this.#worker = undefined));
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      if (this.#closed) {
        this.#queue.unshift(next);
        return;
      }
      await this.#deliver(next).catch((error: unknown) =>
        this.#log("notification error", { error: errorText(error, next.webhook.url) }),
      );
    }
  }

  /** One POST: delivered, rejected for good (`final`), or to be retried (after `wait`, if told). */
  async #attempt(
    delivery: Delivery,
  ): Promise<{ readonly outcome: "ok" | "final" | "retry"; readonly error: string; readonly wait?: number }> {
    const post = this.#options.post ?? fetchPost;
    const timeoutMs = this.#options.timeoutMs ?? defaults.timeoutMs;
    try {
      const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(timeoutMs)]);
      const result = await untilAborted(
        post(
          delivery.webhook.url,
          delivery.body,
          { "content-type": "application/json", "user-agent": "kubedrift" },
          signal,
        ),
        signal,
      );
      const error = `HTTP ${result.status}`;
      if (result.status >= 200 && result.status < 300) return { outcome: "ok", error };
      if (result.status !== 429 && result.status < 500) return { outcome: "final", error };
      const after = retryAfterMs(result.retryAfter, Date.now());
      return { outcome: "retry", error, ...(after === undefined ? {} : { wait: after }) };
    } catch (error: unknown) {
      return { outcome: "retry", error: errorText(error, delivery.webhook.url) };
    }
  }

  /** After the n-th failure: Retry-After (at most maxMs), else the exponential backoff with jitter. */
  #backoffMs(failures: number, retryAfter: number | undefined): number {
    const backoff = this.#options.backoff ?? defaults.backoff;
    if (retryAfter !== undefined) return Math.min(retryAfter, backoff.maxMs);
    const random = this.#options.random ?? Math.random;
    return (Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1)) * (1 + random())) / 2;
  }

  async #deliver(delivery: Delivery): Promise<void> {
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? defaults.maxAttempts);
    const where = {
      webhook: maskUrl(delivery.webhook.url),
      event: delivery.event,
      resource: delivery.resource,
    };
    let last = "";
    let tries = 0;
    while (tries < maxAttempts && !this.#closed) {
      tries += 1;
      const { outcome, error, wait } = await this.#attempt(delivery);
      last = error;
      if (outcome === "ok") {
        this.#delivered += 1;
        return;
      }
      if (outcome === "final") {
        this.#failed += 1;
        this.#log("notification rejected", { ...where, error });
        return;
      }
      if (tries === maxAttempts || this.#closed) break;
      await this.#options.clock.sleep(this.#backoffMs(tries, wait), this.#abort.signal);
    }
    this.#failed += 1;
    this.#log("notification failed", { ...where, attempts: tries, error: last });
  }

  async idle(): Promise<void> {
    while (this.#worker !== undefined) await this.#worker;
  }

  async close(graceMs = 0): Promise<void> {
    if (this.#closed) return;
    if (graceMs > 0 && this.#worker !== undefined) {
      const grace = new AbortController();
      await Promise.race([this.idle(), this.#options.clock.sleep(graceMs, grace.signal)]);
      grace.abort();
    }
    this.#closed = true;
    this.#abort.abort();
    await this.#worker;
    if (this.#queue.length > 0) {
      this.#dropped += this.#queue.length;
      this.#log("notifications not sent: stopping", { count: this.#queue.length });
      this.#queue.length = 0;
    }
  }

  #log(message: string, fields: Readonly<Record<string, unknown>>): void {
    try {
      this.#options.log?.(message, fields);
    } catch {
      // A log that throws must not stop the notifications.
    }
  }
}

export function createNotifier(options: NotifierOptions): Notifier {
  return new QueueNotifier(options);
}

/** `--webhook` (generic JSON) and `--slack-webhook`, each repeatable; a bad URL throws one line. */
export function webhooksFrom(
  json: readonly string[],
  slack: readonly string[],
  flags: { readonly json: string; readonly slack: string } = { json: "--webhook", slack: "--slack-webhook" },
): readonly Webhook[] {
  return [
    ...json.map((text) => ({ format: "json" as const, url: parseWebhookUrl(text, flags.json) })),
    ...slack.map((text) => ({ format: "slack" as const, url: parseWebhookUrl(text, flags.slack) })),
  ];
}
