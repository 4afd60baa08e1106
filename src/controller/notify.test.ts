import { describe, expect, it } from "vitest";
import { formatDuration } from "../kube/time.js";
import type { Episode } from "../store/index.js";
import type { Clock } from "./informer.js";
import type { NotifierOptions, Post, PostResult } from "./notify.js";
import {
  createNotifier,
  jsonPayload,
  maskUrl,
  parseWebhookUrl,
  retryAfterMs,
  slackPayload,
} from "./notify.js";

/** Time moves only when told; every sleep is recorded and returns at once. */
function fakeClock(): Clock & { sleeps: number[]; at: number } {
  const clock = {
    at: 0,
    sleeps: [] as number[],
    now: () => clock.at,
    sleep: (ms: number) => {
      clock.sleeps.push(ms);
      clock.at += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

const episode: Episode = {
  id: "ep-1",
  cluster: "",
  resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" },
  startedAt: "2026-12-01T10:00:00.000Z",
  endedAt: null,
  endedBy: null,
  contested: false,
  contestedBy: null,
  contestedField: null,
  changes: [
    {
      path: "/spec/replicas",
      type: "Changed",
      desired: 2,
      live: 5,
      manager: "kubectl",
      operation: "Update",
      subresource: "scale",
      changedAt: "2026-12-01T10:00:00Z",
      firstSeen: "2026-12-01T10:00:00.000Z",
      lastSeen: "2026-12-01T10:00:00.000Z",
    },
  ],
};

const closed: Episode = { ...episode, endedAt: "2026-12-01T10:04:12.000Z", endedBy: "reverted" };

const secretEpisode: Episode = {
  ...episode,
  resource: { group: "", kind: "Secret", namespace: "shop", name: "db" },
  changes: [
    {
      path: "/data/password",
      type: "Changed",
      redacted: { desired: "sha256:aaa", live: "sha256:bbb" },
      // Even were a value passed along with its hashes, it is not sent.
      live: "hunter2",
      manager: "kubectl-edit",
      operation: "Update",
      firstSeen: "2026-12-01T10:00:00.000Z",
      lastSeen: "2026-12-01T10:00:00.000Z",
    },
  ],
};

interface Sent {
  readonly url: string;
  readonly body: unknown;
}

function recorder(answers: readonly (PostResult | Error)[] = []): { post: Post; sent: Sent[] } {
  const sent: Sent[] = [];
  let index = 0;
  const post: Post = (url, body) => {
    sent.push({ url: url.href, body: JSON.parse(body) as unknown });
    const answer = answers[index++] ?? { status: 200 };
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { post, sent };
}

function options(overrides: Partial<NotifierOptions>): NotifierOptions {
  return {
    webhooks: [{ format: "json", url: new URL("http://127.0.0.1:1/hook?token=abc") }],
    cluster: "dev",
    clock: fakeClock(),
    random: () => 0.5,
    ...overrides,
  };
}

describe("webhook URLs", () => {
  it("are logged with their credentials, path and query masked", () => {
    expect(maskUrl("https://hooks.slack.com/services/T000/B000/XXXXSECRET")).toBe(
      "https://hooks.slack.com/***",
    );
    expect(maskUrl("https://user:pass@example.com/hook?token=t")).toBe("https://example.com/***");
    expect(maskUrl("https://example.com:8443/")).toBe("https://example.com:8443/");
    expect(maskUrl("not a url/with/secret")).toBe("(an invalid URL)");
  });

  it("need https:// unless the host is loopback, refused in one line with the URL masked", () => {
    expect(parseWebhookUrl("https://example.com/a", "--webhook").href).toBe("https://example.com/a");
    for (const ok of ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x"])
      expect(parseWebhookUrl(ok, "--webhook").protocol).toBe("http:");
    expect(() => parseWebhookUrl("http://hooks.example.com/T/B/SECRET", "--slack-webhook")).toThrow(
      "--slack-webhook: http://hooks.example.com/*** must use https:// (plain http:// only to a loopback host)",
    );
    let message = "";
    try {
      parseWebhookUrl("ftp://example.com/SECRET", "--webhook");
    } catch (error: unknown) {
      message = (error as Error).message;
    }
    expect(message).not.toContain("SECRET");
    expect(message).not.toContain("\n");
    expect(() => parseWebhookUrl("nope SECRET", "--webhook")).toThrow(/^--webhook: \(an invalid URL\)/);
  });
});

describe("payloads", () => {
  it("the generic JSON document, with JSON Pointers and the episode's duration", () => {
    const payload = jsonPayload(
      { event: "DriftResolved", episode: closed },
      options({
        apiVersionOf: () => "apps/v1",
      }),
    );
    expect(payload).toMatchObject({
      apiVersion: "kubedrift.dev/v1",
      kind: "DriftNotification",
      event: "DriftResolved",
      cluster: "dev",
      resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
      episode: {
        startedAt: closed.startedAt,
        endedAt: closed.endedAt,
        duration: "4m12s",
        durationSeconds: 252,
        endedBy: "reverted",
      },
      drifts: [
        {
          path: "/spec/replicas",
          type: "Changed",
          desired: 2,
          live: 5,
          manager: "kubectl",
          operation: "Update",
          subresource: "scale",
        },
      ],
    });
  });

  it("withheld values only as their hashes, in both formats", () => {
    const json = JSON.stringify(jsonPayload({ event: "DriftDetected", episode: secretEpisode }, options({})));
    const slack = JSON.stringify(
      slackPayload({ event: "DriftDetected", episode: secretEpisode }, options({})),
    );
    expect(json).toContain("sha256:bbb");
    for (const text of [json, slack]) expect(text).not.toContain("hunter2");
  });

  it("Slack: a readable summary with the fields, the managers and the duration", () => {
    const opened = slackPayload({ event: "DriftDetected", episode }, options({}));
    expect(opened["text"]).toBe(":warning: Drift detected on Deployment shop/web by kubectl (cluster dev)");
    expect(JSON.stringify(opened["blocks"])).toContain(
      "• `spec.replicas` Changed by kubectl (Update, scale)",
    );
    const resolved = slackPayload({ event: "DriftResolved", episode: closed }, options({}));
    expect(resolved["text"]).toBe(
      ":white_check_mark: Deployment shop/web is back in sync after 4m12s (reverted) (cluster dev)",
    );
  });

  it("durations and Retry-After", () => {
    expect(formatDuration(252_000)).toBe("4m12s");
    expect(formatDuration(3_723_000)).toBe("1h2m3s");
    expect(formatDuration(400)).toBe("0s");
    expect(retryAfterMs("7", 0)).toBe(7000);
    expect(retryAfterMs(new Date(5000).toUTCString(), 1000)).toBe(4000);
    expect(retryAfterMs("soon", 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
  });
});

describe("the notifier", () => {
  it("sends opened and closed to every webhook in its format", async () => {
    const { post, sent } = recorder();
    const notifier = createNotifier(
      options({
        post,
        webhooks: [
          { format: "json", url: new URL("http://127.0.0.1:1/hook") },
          { format: "slack", url: new URL("http://127.0.0.1:1/slack") },
        ],
      }),
    );
    notifier.listener.onEpisodeOpened?.(episode);
    notifier.listener.onEpisodeClosed?.(closed);
    await notifier.idle();
    expect(sent.map((one) => one.url)).toEqual([
      "http://127.0.0.1:1/hook",
      "http://127.0.0.1:1/slack",
      "http://127.0.0.1:1/hook",
      "http://127.0.0.1:1/slack",
    ]);
    expect(sent.map((one) => (one.body as Record<string, unknown>)["event"] ?? "slack")).toEqual([
      "DriftDetected",
      "slack",
      "DriftResolved",
      "slack",
    ]);
    expect(notifier.stats()).toMatchObject({ delivered: 4, failed: 0 });
  });

  it("sends the same resource, event and fields once within the dedupe window", async () => {
    const clock = fakeClock();
    const { post, sent } = recorder();
    const notifier = createNotifier(options({ post, clock, dedupeMs: 60_000 }));
    notifier.notify({ event: "DriftDetected", episode });
    clock.at += 59_999;
    notifier.notify({ event: "DriftDetected", episode: { ...episode, id: "ep-2" } });
    // Another event, or other fields, are not the same notification.
    notifier.notify({ event: "DriftResolved", episode: closed });
    notifier.notify({ event: "DriftDetected", episode: secretEpisode });
    clock.at += 1;
    notifier.notify({ event: "DriftDetected", episode });
    await notifier.idle();
    expect(sent).toHaveLength(4);
    expect(notifier.stats().deduplicated).toBe(1);
  });

  it("retries network errors, 5xx and 429 with exponential backoff and jitter, then gives up in one line", async () => {
    const clock = fakeClock();
    const lines: [string, Record<string, unknown>][] = [];
    const { post, sent } = recorder([
      new TypeError("fetch failed", {
        cause: new Error("connect ECONNREFUSED http://127.0.0.1:1/hook?token=abc"),
      }),
      { status: 503 },
      { status: 429, retryAfter: "7" },
      { status: 500 },
      { status: 502 },
    ]);
    const notifier = createNotifier(
      options({
        post,
        clock,
        random: () => 0.5,
        backoff: { initialMs: 1000, maxMs: 3000 },
        maxAttempts: 5,
        log: (message, fields) => lines.push([message, { ...fields }]),
      }),
    );
    notifier.notify({ event: "DriftDetected", episode });
    await notifier.idle();
    expect(sent).toHaveLength(5);
    // (min(max, initial × 2ⁿ⁻¹) × (1 + 0.5)) / 2; Retry-After 7s capped at the maximum 3s.
    expect(clock.sleeps).toEqual([750, 1500, 3000, 2250]);
    expect(lines).toEqual([
      [
        "notification failed",
        {
          webhook: "http://127.0.0.1:1/***",
          event: "DriftDetected",
          resource: "Deployment shop/web",
          attempts: 5,
          error: "HTTP 502",
        },
      ],
    ]);
    expect(notifier.stats()).toMatchObject({ delivered: 0, failed: 1 });
  });

  it("delivers once after two 503s; never logs the URL's path or query", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const { post, sent } = recorder([
      new Error("boom at http://127.0.0.1:1/hook?token=abc"),
      { status: 503 },
    ]);
    const notifier = createNotifier(
      options({ post, clock, log: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`) }),
    );
    notifier.notify({ event: "DriftDetected", episode });
    await notifier.idle();
    expect(sent).toHaveLength(3);
    expect(clock.sleeps).toEqual([750, 1500]);
    expect(notifier.stats()).toMatchObject({ delivered: 1, failed: 0 });
    expect(lines).toEqual([]);
  });

  it("does not retry a 4xx other than 429", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const { post, sent } = recorder([{ status: 404 }]);
    const notifier = createNotifier(
      options({ post, clock, log: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`) }),
    );
    notifier.notify({ event: "DriftDetected", episode });
    await notifier.idle();
    expect(sent).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("notification rejected");
    expect(lines[0]).not.toContain("token");
  });

  it("never blocks: a bounded queue drops the oldest, counted; close drops what is left", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const post: Post = async (_url, body) => {
      sent.push((JSON.parse(body) as { resource: { name: string } }).resource.name);
      await gate;
      return { status: 200 };
    };
    const lines: [string, Record<string, unknown>][] = [];
    const notifier = createNotifier(
      options({
        post,
        queueSize: 2,
        dedupeMs: 0,
        log: (message, fields) => lines.push([message, { ...fields }]),
      }),
    );
    for (const name of ["a", "b", "c", "d"])
      notifier.notify({
        event: "DriftDetected",
        episode: { ...episode, resource: { ...episode.resource, name } },
      });
    // "a" is being sent; "b" was dropped for "d".
    expect(notifier.stats()).toMatchObject({ queued: 2, dropped: 1 });
    expect(lines.map(([message, fields]) => [message, fields["dropped"]])).toEqual([
      ["notification dropped: queue full", 1],
    ]);
    release();
    await notifier.idle();
    expect(sent).toEqual(["a", "c", "d"]);
    await notifier.close();
    notifier.notify({ event: "DriftDetected", episode });
    await notifier.idle();
    expect(sent).toHaveLength(3);
  });

  it("a post that throws synchronously or a log that throws never reach the watch", async () => {
    const post: Post = () => {
      throw new Error("sync");
    };
    const notifier = createNotifier(
      options({
        post,
        maxAttempts: 1,
        log: () => {
          throw new Error("log");
        },
      }),
    );
    expect(() => notifier.notify({ event: "DriftDetected", episode })).not.toThrow();
    await notifier.idle();
    expect(notifier.stats().failed).toBe(1);
  });
});

describe("closing", () => {
  it("waits up to its grace for the queue to empty, then drops what is left", async () => {
    const clock = fakeClock();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const post: Post = async () => {
      await gate;
      return { status: 200 };
    };
    // A grace that does not end by itself: the delivery ends it.
    const patient: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve())),
    };
    const notifier = createNotifier(options({ post, clock: patient }));
    notifier.notify({ event: "DriftDetected", episode });
    const closing = notifier.close(5000);
    release();
    await closing;
    expect(notifier.stats()).toMatchObject({ delivered: 1, dropped: 0 });

    const stuck = createNotifier(options({ post: () => new Promise<PostResult>(() => undefined), clock }));
    stuck.notify({ event: "DriftDetected", episode });
    stuck.notify({ event: "DriftResolved", episode: closed });
    await stuck.close(1000);
    expect(clock.sleeps).toContain(1000);
    expect(stuck.stats()).toMatchObject({ delivered: 0, dropped: 1 });
  });
});
