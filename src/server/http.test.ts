/** The endpoints as a function of the request (no sockets), and the metrics a loop's listener keeps. */
import { describe, expect, it } from "vitest";
import type { WatchState } from "../controller/watch.js";
import type { Episode } from "../store/index.js";
import { handle, parseListen } from "./http.js";
import { createWatchMetrics } from "./metrics.js";
import type { WriteRecord } from "../controller/writes.js";

const ref = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };

function state(ready: boolean): WatchState {
  return {
    ready,
    statuses: new Map(),
    counts: { InSync: 3, Drifted: 1, Missing: 0, Extra: 2, Error: 0 },
    episodesOpened: 1,
    watchRestarts: 0,
  };
}

const episode: Episode = {
  id: "1",
  cluster: "",
  resource: { group: "apps", kind: "Deployment", namespace: "shop", name: "web" },
  startedAt: "2026-12-02T07:00:00.000Z",
  endedAt: null,
  endedBy: null,
  contested: false,
  contestedBy: null,
  contestedField: null,
  changes: [],
};

function setUp(ready: { value: boolean }): ReturnType<typeof createWatchMetrics> & {
  get: (url: string, method?: string) => ReturnType<typeof handle>;
} {
  const metrics = createWatchMetrics(() => state(ready.value));
  const endpoints = { registry: metrics.registry, ready: () => ready.value };
  return { ...metrics, get: (url, method = "GET") => handle(endpoints, { method, url }) };
}

describe("endpoints", () => {
  it("/readyz is 503 until the first sync is done, then 200; /healthz is 200 throughout", async () => {
    const ready = { value: false };
    const { get } = setUp(ready);
    expect((await get("/readyz")).status).toBe(503);
    expect((await get("/healthz")).status).toBe(200);
    ready.value = true;
    expect((await get("/readyz")).status).toBe(200);
    expect((await get("/healthz?verbose")).status).toBe(200);
  });

  it("answers 404 for other paths and 405 for other methods", async () => {
    const { get } = setUp({ value: true });
    expect((await get("/")).status).toBe(404);
    expect((await get("/metrics/extra")).status).toBe(404);
    const refused = await get("/metrics", "POST");
    expect(refused.status).toBe(405);
    expect(refused.headers["allow"]).toBe("GET, HEAD");
  });

  it("/metrics: the issue's names, labels of bounded sets only", async () => {
    const { get, listener } = setUp({ value: true });
    listener.onStatus?.(ref, "Drifted", 2);
    listener.onStatus?.({ ...ref, name: "api" }, "InSync", 0);
    listener.onStatus?.({ ...ref, name: "stray" }, "Extra", 0);
    listener.onEpisodeOpened?.(episode);
    listener.onWatchRestart?.({ kind: "closed" });
    listener.onDetectionLatency?.(0.2);
    listener.onFullSync?.(1.5, true);
    const answer = await get("/metrics");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = answer.body.split("\n");
    expect(lines).toContain('kubedrift_resource_drifted{kind="Deployment",namespace="shop",name="web"} 1');
    expect(lines).toContain('kubedrift_resource_drifted{kind="Deployment",namespace="shop",name="api"} 0');
    expect(answer.body).not.toContain('name="stray"');
    expect(lines).toContain('kubedrift_resources{status="Drifted"} 1');
    expect(lines).toContain('kubedrift_resources{status="Extra"} 2');
    expect(lines).toContain('kubedrift_drift_episodes_total{kind="Deployment",namespace="shop"} 1');
    expect(lines).toContain("kubedrift_watch_restarts_total 1");
    expect(lines).toContain('kubedrift_detection_latency_seconds_bucket{le="0.25"} 1');
    expect(lines).toContain("kubedrift_detection_latency_seconds_count 1");
    expect(lines).toContain("kubedrift_resync_duration_seconds 1.5");
    expect(lines).toContain('kubedrift_drifted_fields{kind="Deployment",namespace="shop",name="web"} 2');
    expect(lines).toContain(
      `kubedrift_drift_started_timestamp_seconds{kind="Deployment",namespace="shop",name="web"} ${Date.UTC(2026, 11, 2, 7) / 1000}`,
    );

    listener.onStatus?.(ref, "InSync", 0);
    listener.onStatus?.({ ...ref, name: "api" }, undefined, 0);
    listener.onEpisodeClosed?.({ ...episode, endedAt: "2026-12-02T07:05:00.000Z", endedBy: "reverted" });
    const later = (await get("/metrics")).body.split("\n");
    expect(later).toContain('kubedrift_resource_drifted{kind="Deployment",namespace="shop",name="web"} 0');
    expect(later.some((line) => line.includes('name="api"'))).toBe(false);
    expect(later).toContain('kubedrift_drifted_fields{kind="Deployment",namespace="shop",name="web"} 0');
    expect(later.some((line) => line.startsWith("kubedrift_drift_started_timestamp_seconds{"))).toBe(false);
  });
});

describe("parseListen", () => {
  it("reads HOST:PORT, [IPv6]:PORT and :PORT (loopback)", () => {
    expect(parseListen("127.0.0.1:9090")).toEqual({ host: "127.0.0.1", port: 9090 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen(":8080")).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(() => parseListen("9090")).toThrow(/expected HOST:PORT/);
    expect(() => parseListen("localhost:99999")).toThrow(/expected HOST:PORT/);
  });
});

describe("the write receivers", () => {
  const token = "audit-token-0123456789";
  const received: WriteRecord[] = [];
  const endpoints = {
    registry: createWatchMetrics(() => state(true)).registry,
    ready: () => true,
    audit: { token, receive: (records: readonly WriteRecord[]) => received.push(...records) },
    admission: { receive: (record: WriteRecord) => received.push(record), now: () => 5000 },
  };
  const post = (url: string, body: unknown, authorization?: string): ReturnType<typeof handle> =>
    handle(endpoints, {
      method: "POST",
      url,
      headers: authorization === undefined ? {} : { authorization },
      body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    });
  const events = {
    kind: "EventList",
    apiVersion: "audit.k8s.io/v1",
    items: [
      {
        stage: "ResponseComplete",
        verb: "patch",
        user: { username: "alice", groups: ["devs"] },
        objectRef: { resource: "deployments", apiGroup: "apps", namespace: "shop", name: "web" },
        responseStatus: { code: 200 },
        stageTimestamp: "2026-12-02T09:00:00.000000Z",
      },
    ],
  };

  it("/audit takes EventLists with the bearer token only, and refuses what is not one", async () => {
    expect((await post("/audit", events)).status).toBe(401);
    expect((await post("/audit", events, "Bearer wrong-token-0123456789")).status).toBe(401);
    expect((await post("/audit", "{", `Bearer ${token}`)).status).toBe(400);
    const accepted = await post("/audit", events, `Bearer ${token}`);
    expect(accepted.status).toBe(200);
    expect(received.at(-1)).toMatchObject({ identity: { user: "alice", groups: ["devs"] }, via: "audit" });
    expect((await handle(endpoints, { method: "GET", url: "/audit" })).status).toBe(405);
  });

  it("/admission/record always allows, with the request's uid, and records the user", async () => {
    const answer = await post("/admission/record", {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "u-9",
        operation: "DELETE",
        resource: { group: "", version: "v1", resource: "configmaps" },
        namespace: "shop",
        name: "settings",
        userInfo: { username: "bob" },
      },
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u-9", allowed: true },
    });
    expect(received.at(-1)).toMatchObject({ verb: "delete", at: 5000, identity: { user: "bob" } });
  });

  it("neither path exists unless configured", async () => {
    const plain = { registry: endpoints.registry, ready: () => true };
    expect((await handle(plain, { method: "POST", url: "/audit" })).status).toBe(404);
    expect((await handle(plain, { method: "POST", url: "/admission/record" })).status).toBe(404);
  });
});
