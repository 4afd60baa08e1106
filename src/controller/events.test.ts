import { describe, expect, it } from "vitest";
import { formatDuration } from "../kube/time.js";
import type { ServedResource } from "../cluster/index.js";
import type { ClusterWriter, WriteOutcome } from "../cluster/types.js";
import type { JsonObject, KubeObject } from "../kube/value/json.js";
import { stringOf } from "../kube/value/json.js";
import type { Episode, EpisodeChange } from "../store/index.js";
import {
  contestedMessage,
  createEventRecorder,
  detectedMessage,
  maxMessageLength,
  resolvedMessage,
} from "./events.js";

const deployments: ServedResource = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  resource: "deployments",
  namespaced: true,
  verbs: [],
};

function change(path: string, more: Partial<EpisodeChange> = {}): EpisodeChange {
  return {
    path,
    type: "Changed",
    firstSeen: "2026-01-01T00:00:00Z",
    lastSeen: "2026-01-01T00:00:00Z",
    ...more,
  };
}

function episode(more: Partial<Episode> = {}): Episode {
  return {
    id: "e1",
    cluster: "",
    resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" },
    startedAt: "2026-01-01T00:00:00Z",
    endedAt: null,
    endedBy: null,
    contested: false,
    contestedBy: null,
    contestedField: null,
    changes: [change("/spec/replicas", { desired: 2, live: 5, manager: "kubectl", subresource: "scale" })],
    ...more,
  };
}

interface Call {
  readonly verb: "create" | "patch";
  readonly name: string;
  readonly body: KubeObject | readonly JsonObject[];
}

/** A writer that keeps Events in memory; `fail` answers every write with that refusal. */
function fakeWriter(options: { fail?: WriteOutcome; getFails?: boolean } = {}): {
  writer: ClusterWriter;
  calls: Call[];
  events: Map<string, KubeObject>;
} {
  const calls: Call[] = [];
  const events = new Map<string, KubeObject>();
  const live: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", uid: "uid-1", resourceVersion: "42" },
  };
  const writer: ClusterWriter = {
    get: () => (options.getFails === true ? Promise.reject(new Error("forbidden")) : Promise.resolve(live)),
    apply: () => Promise.reject(new Error("not used")),
    delete: () => Promise.reject(new Error("not used")),
    create: (_resource, object) => {
      const name = stringOf((object["metadata"] as JsonObject)["name"]);
      calls.push({ verb: "create", name, body: object });
      if (options.fail !== undefined) return Promise.resolve(options.fail);
      events.set(name, object);
      return Promise.resolve({ ok: true, object });
    },
    jsonPatch: (_resource, target, patch) => {
      calls.push({ verb: "patch", name: target.name, body: patch });
      const event = events.get(target.name);
      if (event === undefined)
        return Promise.resolve({ ok: false, code: 404, reason: "NotFound", message: "gone", causes: [] });
      const next: KubeObject = {
        ...event,
        ...Object.fromEntries(patch.map((op) => [stringOf(op["path"]).slice(1), op["value"] ?? null])),
      };
      events.set(target.name, next);
      return Promise.resolve({ ok: true, object: next });
    },
  };
  return { writer, calls, events };
}

function recorder(writer: ClusterWriter, clock: { t: number }, failures: string[] = []) {
  return createEventRecorder({
    writer,
    served: new Map([["apps/Deployment", deployments]]),
    clock: { now: () => clock.t },
    host: "laptop",
    onFailure: (kind) => failures.push(kind),
  });
}

describe("event messages", () => {
  it("name the fields in the readable notation with their managers, never a value", () => {
    const message = detectedMessage(
      episode({
        changes: [
          change("/spec/replicas", { desired: 2, live: 5, manager: "kubectl", subresource: "scale" }),
          change("/spec/template/spec/containers/0/image", { manager: "helm", user: "alice" }),
          change("/metadata/labels/app.kubernetes.io~1name", { type: "Added" }),
        ],
      }),
      { spec: { template: { spec: { containers: [{ name: "web" }] } } } },
    );
    expect(message).toBe(
      "Drifted from the declared state: spec.replicas changed by kubectl (scale), " +
        "spec.template.spec.containers[name=web].image changed by helm as alice, " +
        'metadata.labels["app.kubernetes.io/name"] added',
    );
    expect(message).not.toContain("5");
  });

  it("hold no Secret value: the redacted hashes are not shown either", () => {
    const message = detectedMessage(
      episode({
        resource: { group: "", kind: "Secret", namespace: "shop", name: "db" },
        changes: [change("/data/password", { redacted: { desired: "h1", live: "h2" }, manager: "kubectl" })],
      }),
    );
    expect(message).toBe("Drifted from the declared state: data.password changed by kubectl");
  });

  it("name a missing object, and stay within 1 kB", () => {
    expect(detectedMessage(episode({ changes: [change("", { type: "Removed" })] }))).toBe(
      "Drifted from the declared state: the object is missing",
    );
    const many = Array.from({ length: 100 }, (_, index) => change(`/metadata/labels/label-${index}`));
    const message = detectedMessage(episode({ changes: many }));
    expect(message.length).toBeLessThanOrEqual(maxMessageLength);
    expect(message).toMatch(/ and \d+ more$/);
  });

  it("tell how long the episode lasted and how it ended", () => {
    expect(formatDuration(252_000)).toBe("4m12s");
    expect(formatDuration(3_603_000)).toBe("1h0m3s");
    expect(formatDuration(400)).toBe("0s");
    expect(resolvedMessage(episode({ endedAt: "2026-01-01T00:04:12Z", endedBy: "reverted" }))).toBe(
      "Back in sync after 4m12s (put back out of band)",
    );
    expect(
      contestedMessage(episode({ contested: true, contestedBy: "hpa", contestedField: "/spec/replicas" })),
    ).toBe(
      "spec.replicas is contested by hpa: healing it stopped; to end the fight, add to kubedrift.yaml's ignore: {path: /spec/replicas, kinds: [apps/Deployment], namespaces: [shop], names: [web]}",
    );
  });
});

describe("the event recorder", () => {
  it("creates a Warning DriftDetected on the object, as client-go fills it", async () => {
    const { writer, calls } = fakeWriter();
    const clock = { t: Date.parse("2026-01-01T00:00:01.500Z") };
    const events = recorder(writer, clock);
    events.listener.onEpisodeOpened?.(episode());
    await events.flush();
    expect(calls).toHaveLength(1);
    const nanos = (BigInt(clock.t) * 1_000_000n).toString(16);
    expect(calls[0]).toEqual({
      verb: "create",
      name: `web.${nanos}`,
      body: {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `web.${nanos}`, namespace: "shop" },
        involvedObject: {
          apiVersion: "apps/v1",
          kind: "Deployment",
          namespace: "shop",
          name: "web",
          uid: "uid-1",
          resourceVersion: "42",
        },
        reason: "DriftDetected",
        message: "Drifted from the declared state: spec.replicas changed by kubectl (scale)",
        type: "Warning",
        source: { component: "kubedrift", host: "laptop" },
        firstTimestamp: "2026-01-01T00:00:01Z",
        lastTimestamp: "2026-01-01T00:00:01Z",
        count: 1,
        reportingComponent: "kubedrift",
        reportingInstance: "laptop",
      },
    });
    expect(events.stats()).toEqual({ created: 1, updated: 0, failed: {} });
  });

  it("updates the same Event (count, lastTimestamp) for the same reason and message, a new one otherwise", async () => {
    const { writer, calls, events: stored } = fakeWriter();
    const clock = { t: Date.parse("2026-01-01T00:00:00Z") };
    const events = recorder(writer, clock);
    events.listener.onEpisodeOpened?.(episode());
    clock.t += 60_000;
    events.listener.onEpisodeClosed?.(episode({ endedAt: "2026-01-01T00:01:00Z", endedBy: "reverted" }));
    clock.t += 60_000;
    events.listener.onEpisodeOpened?.(episode({ id: "e2" }));
    await events.flush();
    expect(calls.map((call) => call.verb)).toEqual(["create", "create", "patch"]);
    const [first, , again] = calls;
    expect(again?.name).toBe(first?.name);
    expect(again?.body).toEqual([
      { op: "replace", path: "/count", value: 2 },
      { op: "replace", path: "/lastTimestamp", value: "2026-01-01T00:02:00Z" },
    ]);
    expect(stored.get(first?.name ?? "")).toMatchObject({
      count: 2,
      firstTimestamp: "2026-01-01T00:00:00Z",
      lastTimestamp: "2026-01-01T00:02:00Z",
    });
    // Another field joins: another message, so another Event (client-go's key holds the message).
    events.listener.onEpisodeExtended?.(
      episode({ id: "e2", changes: [change("/spec/replicas"), change("/spec/paused")] }),
      ["/spec/paused"],
    );
    await events.flush();
    expect(calls.map((call) => call.verb)).toEqual(["create", "create", "patch", "create"]);
    expect(events.stats()).toEqual({ created: 3, updated: 1, failed: {} });
  });

  it("creates the Event again under its name when the update finds it gone", async () => {
    const { writer, calls, events: stored } = fakeWriter();
    const clock = { t: Date.parse("2026-01-01T00:00:00Z") };
    const events = recorder(writer, clock);
    events.listener.onEpisodeOpened?.(episode());
    await events.flush();
    stored.clear();
    clock.t += 3_600_000;
    events.listener.onEpisodeOpened?.(episode({ id: "e2" }));
    await events.flush();
    expect(calls.map((call) => call.verb)).toEqual(["create", "patch", "create"]);
    expect(calls[2]?.name).toBe(calls[0]?.name);
    expect(calls[2]?.body).toMatchObject({ count: 2, firstTimestamp: "2026-01-01T00:00:00Z" });
  });

  it("counts failed writes and tells each kind of failure once; the watch's listener never throws", async () => {
    const forbidden: WriteOutcome = {
      ok: false,
      code: 403,
      reason: "Forbidden",
      message: 'events is forbidden: cannot create resource "events"',
      causes: [],
    };
    const { writer } = fakeWriter({ fail: forbidden, getFails: true });
    const failures: string[] = [];
    const clock = { t: 0 };
    const events = recorder(writer, clock, failures);
    for (let index = 0; index < 3; index += 1) {
      clock.t += 1000;
      expect(() => events.listener.onEpisodeOpened?.(episode({ id: `e${index}` }))).not.toThrow();
    }
    await events.flush();
    expect(failures).toEqual(["get", "create 403 Forbidden"]);
    expect(events.stats()).toEqual({ created: 0, updated: 0, failed: { get: 3, "create 403 Forbidden": 3 } });
  });

  it("writes a DriftContested once per contested field", async () => {
    const { writer, calls } = fakeWriter();
    const events = recorder(writer, { t: 1000 });
    const contested = episode({ contested: true, contestedBy: "hpa", contestedField: "/spec/replicas" });
    events.listener.onEpisodeExtended?.(contested, ["/spec/replicas"]);
    events.listener.onEpisodeExtended?.(contested, ["/spec/other"]);
    await events.flush();
    const reasons = calls.map((call) => (call.body as KubeObject)["reason"]);
    expect(reasons.filter((reason) => reason === "DriftContested")).toHaveLength(1);
  });
});
