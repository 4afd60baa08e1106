/**
 * The dashboard's JSON API through `handle()` (no sockets): resources evaluated by the real engine
 * (controller/evaluate.ts) and episodes in a real SQLite store in a temporary directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvaluationContext } from "../controller/evaluate.js";
import { evaluateObject, observedDrifts } from "../controller/evaluate.js";
import { refOf } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { KubeObject } from "../kube/value/json.js";
import type { DesiredObject, ResourceDrift } from "../model/index.js";
import { refKey } from "../model/index.js";
import type { HistoryStore, ObservedDrift } from "../store/index.js";
import { openStore } from "../store/index.js";
import type { Endpoints, EndpointResponse } from "./http.js";
import { handle } from "./http.js";

const token = "ui-token-0123456789abcdef";
const desiredSecret = "hunter2-desired-value";
const liveSecret = "s3cret-live-value";
const base64 = (text: string): string => Buffer.from(text).toString("base64");

const context: EvaluationContext = {
  scope: {
    kinds: ["apps/Deployment", "/ConfigMap", "/Secret", "/Namespace"],
    namespaces: ["shop", "other", "bulk"],
  },
  schema: builtinSchema,
  config: { trustedManagers: [], ignore: [], redact: [], redactionKey: "0123456789abcdef0123456789abcdef" },
  cluster: "test",
};

function managed(manager: string, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    managedFields: [
      {
        manager,
        operation: "Update",
        apiVersion: "v1",
        time: "2026-12-02T08:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: fields,
      },
    ],
  };
}

function deployment(replicas: number, manager?: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      ...(manager === undefined ? {} : managed(manager, { "f:spec": { "f:replicas": {} } })),
    },
    spec: { replicas },
  };
}

function configMap(namespace: string, name: string, value: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { v: value } };
}

function secret(password: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "db",
      namespace: "shop",
      ...managed("kubectl-edit", { "f:data": { "f:password": {} } }),
    },
    type: "Opaque",
    data: { password: base64(password) },
  };
}

function declared(object: KubeObject, file: string): DesiredObject {
  return {
    ref: refOf(object),
    object,
    source: { file, line: 1 },
    fieldLines: new Map([["/spec/replicas", 7]]),
  };
}

const bulk = Array.from({ length: 25 }, (_, index) =>
  configMap("bulk", `cm-${String(index).padStart(2, "0")}`, "x"),
);

/** Desired and live pairs: drifted, redacted, in sync, missing, cluster-scoped, extra, and a bulk of in-sync ones. */
const pairs: readonly (readonly [DesiredObject | undefined, KubeObject | undefined])[] = [
  [declared(deployment(3), "deploy/web.yaml"), deployment(5, "kubectl")],
  [declared(secret(desiredSecret), "deploy/secret.yaml"), secret(liveSecret)],
  [declared(configMap("shop", "settings", "a"), "deploy/settings.yaml"), configMap("shop", "settings", "a")],
  [declared(configMap("other", "cfg", "b"), "other/cfg.yaml"), undefined],
  [
    declared({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } }, "deploy/ns.yaml"),
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
  ],
  [undefined, configMap("shop", "stray", "c")],
  ...bulk.map((object) => [declared(object, "bulk/all.yaml"), object] as const),
];

const results = new Map<string, ResourceDrift>();
for (const [desired, live] of pairs) {
  const result = evaluateObject(
    context,
    desired,
    live === undefined ? undefined : { ref: refOf(live), object: live },
  );
  if (result !== undefined) results.set(refKey(result.ref), result);
}

function resultOf(kind: string, namespace: string, name: string): ResourceDrift {
  const found = [...results.values()].find(
    ({ ref }) => ref.kind === kind && ref.namespace === namespace && ref.name === name,
  );
  if (found === undefined) throw new Error(`no result for ${kind} ${namespace}/${name}`);
  return found;
}

/** What the watch records: the observed drifts, with who made them where an audit event told. */
function observed(result: ResourceDrift, user?: string): readonly ObservedDrift[] {
  return (observedDrifts(result) ?? []).map((drift) => (user === undefined ? drift : { ...drift, user }));
}

let tmp = "";
let store: HistoryStore;
let endpoints: Endpoints;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kubedrift-api-"));
  store = await openStore(`sqlite:${join(tmp, "kubedrift.db")}`, { writer: true });
  const web = resultOf("Deployment", "shop", "web");
  // An earlier episode of web, put back by someone, then the current one.
  await store.recordObservation(web.ref, observed(web, "bob"), "2026-12-01T10:00:00.000Z");
  await store.recordObservation(web.ref, [], "2026-12-01T10:05:00.000Z");
  await store.recordObservation(web.ref, observed(web, "alice"), "2026-12-02T08:00:05.000Z");
  const db = resultOf("Secret", "shop", "db");
  await store.recordObservation(db.ref, observed(db), "2026-12-02T08:01:00.000Z");
  const cfg = resultOf("ConfigMap", "other", "cfg");
  await store.recordObservation(cfg.ref, observed(cfg, "carol"), "2026-12-02T08:02:00.000Z");
  // Five episodes opened in the same millisecond, as a first sync does, and closed again.
  for (const object of bulk.slice(0, 5)) {
    const ref = refOf(object);
    await store.recordObservation(
      ref,
      [{ path: "/data/v", type: "Changed", desired: "x", live: "y" }],
      "2026-12-01T09:00:00.000Z",
    );
    await store.recordObservation(ref, [], "2026-12-01T09:01:00.000Z");
  }
  endpoints = {
    registry: new Registry(),
    ready: () => true,
    api: { token, resources: () => results, store, now: () => new Date("2026-12-02T09:00:00.000Z") },
  };
});

afterAll(async () => {
  await store.close();
  await rm(tmp, { recursive: true, force: true });
});

const every: EndpointResponse[] = [];

async function get(url: string, authorization: string | null = `Bearer ${token}`): Promise<EndpointResponse> {
  const answer = await handle(endpoints, {
    method: "GET",
    url,
    headers: authorization === null ? {} : { authorization },
  });
  every.push(answer);
  return answer;
}

async function body(url: string): Promise<Record<string, unknown>> {
  const answer = await get(url);
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body) as Record<string, unknown>;
}

interface Listed {
  readonly summary: Record<string, number>;
  readonly matched: number;
  readonly resources: readonly Record<string, unknown>[];
  readonly continue?: string;
}

const list = async (url: string): Promise<Listed> => (await body(url)) as unknown as Listed;
const names = (listed: Listed): readonly string[] =>
  listed.resources.map((resource) => `${String(resource["kind"])}/${String(resource["name"])}`);

describe("GET /api/resources", () => {
  it("lists every resource, out of sync first, with the summary by status and the open episode's start", async () => {
    const listed = await list("/api/resources?limit=6");
    expect(listed.summary).toEqual({ total: 31, inSync: 27, drifted: 2, missing: 1, extra: 1, errors: 0 });
    expect(listed.matched).toBe(31);
    expect(names(listed)).toEqual([
      "Deployment/web",
      "Secret/db",
      "ConfigMap/cfg",
      "ConfigMap/stray",
      "ConfigMap/cm-00",
      "ConfigMap/cm-01",
    ]);
    expect(listed.resources[0]).toEqual({
      cluster: "",
      group: "apps",
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "shop",
      name: "web",
      status: "Drifted",
      source: { file: "deploy/web.yaml", line: 1 },
      driftedFields: 1,
      managers: ["kubectl"],
      users: ["alice"],
      since: "2026-12-02T08:00:05.000Z",
      href: "/api/resources/apps/Deployment/shop/web",
    });
    expect(listed.resources[2]).toMatchObject({
      status: "Missing",
      users: ["carol"],
      since: "2026-12-02T08:02:00.000Z",
    });
    expect(listed.resources[3]).toMatchObject({ status: "Extra", driftedFields: 0, managers: [], users: [] });
    expect(listed.resources[3]).not.toHaveProperty("since");
  });

  it("pages with continue tokens: every resource once, in order, never more than the limit", async () => {
    const seen: string[] = [];
    let url = "/api/resources?limit=10";
    for (let pages = 0; pages < 10; pages += 1) {
      const listed = await list(url);
      expect(listed.resources.length).toBeLessThanOrEqual(10);
      seen.push(...listed.resources.map((resource) => String(resource["href"])));
      if (listed.continue === undefined) break;
      url = `/api/resources?limit=10&continue=${listed.continue}`;
    }
    expect(seen).toHaveLength(31);
    expect(new Set(seen).size).toBe(31);
    expect(seen.at(-1)).toBe("/api/resources/core/Namespace/_/shop");
    expect((await list("/api/resources")).resources).toHaveLength(31);
  });

  it("filters by status, kind, namespace, manager, user and source file; the summary ignores the status filter only", async () => {
    const drifted = await list("/api/resources?status=Drifted,Missing");
    expect(names(drifted)).toEqual(["Deployment/web", "Secret/db", "ConfigMap/cfg"]);
    expect(drifted.summary["total"]).toBe(31);
    expect(drifted.matched).toBe(3);
    expect(names(await list("/api/resources?kind=deployment"))).toEqual(["Deployment/web"]);
    const shop = await list("/api/resources?namespace=shop");
    expect(names(shop)).toEqual(["Deployment/web", "Secret/db", "ConfigMap/stray", "ConfigMap/settings"]);
    expect(shop.summary).toEqual({ total: 4, inSync: 1, drifted: 2, missing: 0, extra: 1, errors: 0 });
    expect(names(await list("/api/resources?manager=kubectl-edit"))).toEqual(["Secret/db"]);
    expect(names(await list("/api/resources?user=alice"))).toEqual(["Deployment/web"]);
    expect(names(await list("/api/resources?user=bob"))).toEqual([]);
    expect(names(await list("/api/resources?file=deploy/web.yaml"))).toEqual(["Deployment/web"]);
    expect(names(await list("/api/resources?file=cfg.yaml"))).toEqual(["ConfigMap/cfg"]);
    expect((await list("/api/resources?file=all.yaml&status=InSync&limit=1000")).matched).toBe(25);
  });

  it("refuses bad parameters with 400 and says which", async () => {
    for (const [query, message] of [
      ["status=Broken", /status: unknown status "Broken"/],
      ["limit=0", /limit: expected a whole number from 1 to 1000/],
      ["limit=1001", /limit:/],
      ["continue=garbage", /continue: not a token of this API/],
      ["kind=", /kind: empty/],
    ] as const) {
      const answer = await get(`/api/resources?${query}`);
      expect(answer.status, query).toBe(400);
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(message);
    }
  });
});

describe("GET /api/resources/{group}/{kind}/{namespace}/{name}", () => {
  it("gives the drifts with manager, user and source line, and the episodes newest first", async () => {
    const shown = await body("/api/resources/apps/Deployment/shop/web");
    expect(shown["resource"]).toMatchObject({
      name: "web",
      status: "Drifted",
      since: "2026-12-02T08:00:05.000Z",
    });
    expect(shown["drifts"]).toEqual([
      {
        path: "/spec/replicas",
        type: "Changed",
        desired: 3,
        live: 5,
        source: { file: "deploy/web.yaml", line: 7 },
        manager: "kubectl",
        operation: "Update",
        changedAt: "2026-12-02T08:00:00Z",
        user: "alice",
        firstSeen: "2026-12-02T08:00:05.000Z",
      },
    ]);
    const episodes = shown["episodes"] as readonly Record<string, unknown>[];
    expect(episodes.map((episode) => [episode["startedAt"], episode["endedBy"]])).toEqual([
      ["2026-12-02T08:00:05.000Z", null],
      ["2026-12-01T10:00:00.000Z", "reverted"],
    ]);
  });

  it("names the core group `core` and no namespace `_`", async () => {
    const shown = await body("/api/resources/core/Namespace/_/shop");
    expect(shown["resource"]).toMatchObject({
      group: "",
      apiVersion: "v1",
      kind: "Namespace",
      status: "InSync",
    });
    expect(shown["resource"]).not.toHaveProperty("namespace");
    expect(shown["drifts"]).toEqual([]);
    expect(shown["episodes"]).toEqual([]);
  });

  it("answers 404 as JSON for a resource out of scope or a malformed path", async () => {
    const unknown = await get("/api/resources/apps/Deployment/shop/nope");
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(unknown.body)).toEqual({ error: "no resource apps/Deployment/shop/nope in scope" });
    expect((await get("/api/resources/apps/Deployment/web")).status).toBe(404);
    expect((await get("/api/nothing")).status).toBe(404);
  });
});

describe("GET /api/episodes", () => {
  it("lists the history newest first with history's filters", async () => {
    const all = (await body("/api/episodes")) as { episodes: readonly { resource: { name: string } }[] };
    expect(all.episodes.map((episode) => episode.resource.name)).toEqual([
      "cfg",
      "db",
      "web",
      "web",
      "cm-04",
      "cm-03",
      "cm-02",
      "cm-01",
      "cm-00",
    ]);
    const open = (await body("/api/episodes?open=true&kind=deployment")) as { episodes: readonly unknown[] };
    expect(open.episodes).toHaveLength(1);
    const byUser = (await body("/api/episodes?user=bob")) as { episodes: readonly { endedBy: string }[] };
    expect(byUser.episodes.map((episode) => episode.endedBy)).toEqual(["reverted"]);
    const one = (await body(
      "/api/episodes?resource=Deployment.apps/shop/web&since=2026-12-01T11:00:00Z",
    )) as {
      episodes: readonly unknown[];
    };
    expect(one.episodes).toHaveLength(1);
    const lastHour = (await body("/api/episodes?since=90m&namespace=shop")) as {
      episodes: readonly unknown[];
    };
    expect(lastHour.episodes).toHaveLength(2);
    expect((await get("/api/episodes?since=yesterday")).status).toBe(400);
    expect((await get("/api/episodes?resource=web")).status).toBe(400);
  });

  it("pages through episodes opened in the same millisecond without losing or repeating one", async () => {
    for (const filter of ["", "&kind=ConfigMap"]) {
      const seen: string[] = [];
      let url = `/api/episodes?limit=2${filter}`;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = (await body(url)) as { episodes: readonly { id: string }[]; continue?: string };
        expect(page.episodes.length).toBeLessThanOrEqual(2);
        seen.push(...page.episodes.map((episode) => episode.id));
        if (page.continue === undefined) break;
        url = `/api/episodes?limit=2${filter}&continue=${page.continue}`;
      }
      const expected = filter === "" ? 9 : 6;
      expect(seen, filter).toHaveLength(expected);
      expect(new Set(seen).size, filter).toBe(expected);
    }
  });
});

describe("GET /api/diff and the exports", () => {
  it("combines the drifted fields of every selected resource, filtered by field, as JSON and Markdown", async () => {
    const all = (await body("/api/diff")) as {
      matched: number;
      resources: { resource: { name: string }; drifts: { path: string }[] }[];
    };
    expect(all.resources.map((entry) => entry.resource.name)).toEqual(["web", "db", "cfg"]);
    expect((await get("/api/diff?status=Missing&format=markdown")).body).toContain(
      "| ConfigMap other/cfg | (the object) Missing |",
    );
    const replicas = (await body("/api/diff?field=replicas")) as typeof all;
    expect(
      replicas.resources.map((entry) => [entry.resource.name, entry.drifts.map((drift) => drift.path)]),
    ).toEqual([["web", ["/spec/replicas"]]]);
    const markdown = await get("/api/diff?kind=deployment&format=markdown");
    expect(markdown.headers["content-type"]).toBe("text/markdown; charset=utf-8");
    expect(markdown.body).toContain("## Drift: 1 field in 1 resource");
    expect(markdown.body).toContain(
      "| Deployment shop/web | spec.replicas Changed | 3 (deploy/web.yaml:7) | 5 | kubectl | alice |",
    );
    const secretRow = (await get("/api/diff?kind=secret&format=markdown")).body;
    expect(secretRow).toMatch(/\(withheld, hash [0-9a-f]{12}\)/);
  });

  it("exports the episodes as CSV, as kubedrift history -o csv writes them", async () => {
    const csv = await get("/api/episodes?format=csv&user=carol");
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const lines = csv.body.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^episode,group,kind,namespace,name,startedAt,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(",ConfigMap,other,cfg,");
  });
});

describe("the age of drift", () => {
  it("selects what has been out of sync for at least, or went out of sync within, a duration", async () => {
    // now is 09:00; web's episode started 08:00:05, db's 08:01, cfg's 08:02.
    expect(names(await list("/api/resources?driftedFor=59m"))).toEqual(["Deployment/web", "Secret/db"]);
    expect(names(await list("/api/resources?driftedWithin=59m"))).toEqual(["Secret/db", "ConfigMap/cfg"]);
    expect(names(await list("/api/resources?driftedFor=2h"))).toEqual([]);
    expect((await get("/api/resources?driftedFor=soon")).status).toBe(400);
  });

  it("names the one cluster it watches; a cluster filter naming another selects nothing", async () => {
    const single = {
      ...endpoints,
      api: { ...(endpoints.api as NonNullable<Endpoints["api"]>), cluster: "prod-eu" },
    };
    const answer = async (url: string): Promise<Listed & { cluster?: string }> =>
      JSON.parse(
        (await handle(single, { method: "GET", url, headers: { authorization: `Bearer ${token}` } })).body,
      ) as Listed & {
        cluster?: string;
      };
    expect((await answer("/api/resources?status=Drifted")).cluster).toBe("prod-eu");
    expect(names(await answer("/api/resources?status=Drifted&cluster=prod-eu"))).toEqual([
      "Deployment/web",
      "Secret/db",
    ]);
    expect(names(await answer("/api/resources?cluster=prod-us"))).toEqual([]);
  });
});

describe("GET /api/overview", () => {
  it("gives per-namespace bars, the causes shared by the out-of-sync objects, and a timeline of episodes", async () => {
    const overview = (await body("/api/overview")) as {
      namespaces: { namespace: string; inSync: number; outOfSync: number }[];
      causes: { by: string; value: string; resources: number }[];
      timeline: { lastDay: { at: string; opened: number }[]; lastWeek: { at: string; opened: number }[] };
    };
    expect(overview.namespaces.slice(0, 2)).toEqual([
      { namespace: "shop", inSync: 1, outOfSync: 3 },
      { namespace: "other", inSync: 0, outOfSync: 1 },
    ]);
    expect(overview.causes).toEqual(
      expect.arrayContaining([
        { by: "manager", value: "kubectl", resources: 1 },
        { by: "user", value: "alice", resources: 1 },
        { by: "field", value: "spec.replicas", resources: 1 },
      ]),
    );
    const { lastDay, lastWeek } = overview.timeline;
    expect(lastDay).toHaveLength(24);
    expect(lastDay.at(-1)).toEqual({ at: "2026-12-02T08:00:00.000Z", opened: 3 });
    expect(lastDay.reduce((sum, bucket) => sum + bucket.opened, 0)).toBe(9);
    expect(lastWeek).toHaveLength(7);
    expect(lastWeek.reduce((sum, bucket) => sum + bucket.opened, 0)).toBe(9);
  });
});

describe("access", () => {
  it("asks for the bearer token: 401 JSON without it or with another", async () => {
    for (const authorization of [null, "Bearer wrong-token-0123456789ab", `Basic ${token}`]) {
      const refused = await get("/api/resources", authorization);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toEqual({ error: "unauthorized" });
      expect(refused.headers["cache-control"]).toBe("no-store");
    }
    const allowed = await get("/api/resources");
    expect(allowed.headers).toMatchObject({
      "content-type": "application/json",
      "cache-control": "no-store",
    });
    const posted = await handle(endpoints, {
      method: "POST",
      url: "/api/resources",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(posted.status).toBe(405);
  });

  it("has no /api/ paths without a UI token", async () => {
    const plain = { registry: endpoints.registry, ready: () => true };
    const answer = await handle(plain, {
      method: "GET",
      url: "/api/resources",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(404);
  });

  it("never answers a Secret's value: only its keyed hashes", async () => {
    const shown = await body("/api/resources/core/Secret/shop/db");
    const [drift] = shown["drifts"] as readonly Record<string, unknown>[];
    expect(drift).toMatchObject({
      path: "/data/password",
      type: "Changed",
      redacted: true,
      manager: "kubectl-edit",
    });
    expect(drift?.["desiredHash"]).toMatch(/^[0-9a-f]{16}$/);
    expect(drift).not.toHaveProperty("desired");
    expect(drift).not.toHaveProperty("live");
    await get("/api/episodes?kind=Secret");
    await get("/api/resources?namespace=shop");
    const answered = every.map((answer) => answer.body).join("\n");
    for (const value of [desiredSecret, liveSecret, base64(desiredSecret), base64(liveSecret)])
      expect(answered).not.toContain(value);
  });
});

describe("a store shared by a fleet", () => {
  let fleet: HistoryStore;
  let fleetEndpoints: Endpoints;

  beforeAll(async () => {
    fleet = await openStore(`sqlite:${join(tmp, "fleet.db")}`);
    const web = resultOf("Deployment", "shop", "web");
    const cfg = resultOf("ConfigMap", "other", "cfg");
    // This watch's cluster, and another whose watch writes the same store: the same drift of web in both.
    await fleet.forCluster("prod-eu").recordObservation(web.ref, observed(web), "2026-12-02T08:00:00.000Z");
    await fleet.forCluster("prod-us").recordObservation(web.ref, observed(web), "2026-12-02T08:03:00.000Z");
    await fleet
      .forCluster("prod-us")
      .recordObservation(
        { ...cfg.ref, name: "only-us" },
        [{ path: "/data/mode", type: "Changed", desired: "a", live: "b" }],
        "2026-12-02T08:04:00.000Z",
      );
    fleetEndpoints = {
      registry: new Registry(),
      ready: () => true,
      api: {
        token,
        resources: () => results,
        store: fleet,
        now: () => new Date("2026-12-02T09:00:00.000Z"),
        cluster: "prod-eu",
      },
    };
  });

  afterAll(async () => {
    await fleet.close();
  });

  const fleetBody = async (url: string): Promise<Record<string, unknown>> => {
    const answer = await handle(fleetEndpoints, {
      method: "GET",
      url,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status, answer.body).toBe(200);
    return JSON.parse(answer.body) as Record<string, unknown>;
  };
  const where = (listed: Listed): readonly string[] =>
    listed.resources.map(
      (resource) => `${String(resource["cluster"])}:${String(resource["kind"])}/${String(resource["name"])}`,
    );

  it("lists this watch's cluster live and the others' open episodes, each resource once with its cluster", async () => {
    const listed = (await fleetBody("/api/resources?status=Drifted")) as unknown as Listed & {
      clusters: readonly { name: string; summary: Record<string, number> }[];
    };
    expect(where(listed)).toEqual([
      "prod-us:ConfigMap/only-us",
      "prod-eu:Deployment/web",
      "prod-us:Deployment/web",
      "prod-eu:Secret/db",
    ]);
    const us = listed.resources.find(
      (resource) => resource["cluster"] === "prod-us" && resource["name"] === "web",
    );
    expect(us).toMatchObject({
      apiVersion: "apps/v1",
      status: "Drifted",
      driftedFields: 1,
      since: "2026-12-02T08:03:00.000Z",
      href: "/api/resources/apps/Deployment/shop/web?cluster=prod-us",
    });
    expect(listed.clusters.map((cluster) => [cluster.name, cluster.summary["drifted"]])).toEqual([
      ["prod-eu", 2],
      ["prod-us", 2],
    ]);
    const onlyUs = (await fleetBody("/api/resources?cluster=prod-us")) as unknown as Listed;
    expect(where(onlyUs)).toEqual(["prod-us:ConfigMap/only-us", "prod-us:Deployment/web"]);
    const page = (await fleetBody("/api/resources/apps/Deployment/shop/web?cluster=prod-us")) as {
      resource: Record<string, unknown>;
      drifts: readonly Record<string, unknown>[];
    };
    expect(page.resource).toMatchObject({ cluster: "prod-us", name: "web" });
    expect(page.drifts.map((drift) => drift["path"])).toEqual(["/spec/replicas"]);
  });

  it("reads the episodes of one cluster, and groups the drift open in several in the overview", async () => {
    const episodes = (await fleetBody("/api/episodes?cluster=prod-us")) as {
      episodes: readonly { cluster: string; resource: { name: string } }[];
    };
    expect(episodes.episodes.map((episode) => `${episode.cluster}:${episode.resource.name}`)).toEqual([
      "prod-us:only-us",
      "prod-us:web",
    ]);
    const overview = (await fleetBody("/api/overview")) as {
      clusters: readonly string[];
      shared: readonly { resource: { name: string }; clusters: readonly string[]; open: number }[];
    };
    expect(overview.clusters).toEqual(["prod-eu", "prod-us"]);
    expect(overview.shared).toMatchObject([
      { resource: { name: "web" }, clusters: ["prod-eu", "prod-us"], open: 2 },
    ]);
  });
});
