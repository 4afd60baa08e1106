/**
 * Who made a write: audit events and admission requests read into write records, and the join of
 * a drift to the write that made it — by resourceVersion, else by time and tool.
 */
import { describe, expect, it } from "vitest";
import { AdmissionBodyError, admissionRequest, allowedReview, writeOfAdmission } from "./admission.js";
import { AuditBodyError, writesOfAuditBody } from "./audit.js";
import type { WriteRecord } from "./writes.js";
import { WriteLog, managerOfUserAgent } from "./writes.js";
import { identifyDrifts } from "./identify.js";

const web = { group: "apps", resource: "deployments", namespace: "shop", name: "web" };

function auditEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "4b2c",
    stage: "ResponseComplete",
    requestURI: "/apis/apps/v1/namespaces/shop/deployments/web/scale",
    verb: "patch",
    user: { username: "alice", uid: "u-1", groups: ["devs", "system:authenticated"] },
    sourceIPs: ["127.0.0.1"],
    userAgent: "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
    objectRef: {
      resource: "deployments",
      namespace: "shop",
      name: "web",
      apiGroup: "apps",
      apiVersion: "v1",
      subresource: "scale",
    },
    responseStatus: { metadata: {}, code: 200 },
    responseObject: {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: "web", resourceVersion: "42" },
    },
    requestReceivedTimestamp: "2026-12-02T09:00:00.100000Z",
    stageTimestamp: "2026-12-02T09:00:00.120000Z",
    ...overrides,
  };
}

const eventList = (...items: readonly Record<string, unknown>[]): string =>
  JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items });

describe("audit events", () => {
  it("read completed successful writes with who, the object and the resourceVersion they left", () => {
    const [record, ...rest] = writesOfAuditBody(
      eventList(
        auditEvent(),
        auditEvent({ stage: "RequestReceived" }),
        auditEvent({ verb: "get" }),
        auditEvent({ responseStatus: { code: 409 } }),
      ),
    );
    expect(rest).toEqual([]);
    expect(record).toEqual({
      object: web,
      subresource: "scale",
      verb: "patch",
      at: Date.parse("2026-12-02T09:00:00.120Z"),
      resourceVersion: "42",
      identity: {
        user: "alice",
        groups: ["devs", "system:authenticated"],
        userAgent: "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
        sourceIPs: ["127.0.0.1"],
      },
      via: "audit",
    });
  });

  it("name the impersonated user as the one who made the change", () => {
    const [record] = writesOfAuditBody(
      eventList(auditEvent({ impersonatedUser: { username: "bob", groups: ["ops"] } })),
    );
    expect(record?.identity).toMatchObject({ user: "bob", groups: ["ops"] });
  });

  it("carry the break-glass reason the generated Audit policy noted", () => {
    const [noted, plain] = writesOfAuditBody(
      eventList(
        auditEvent({
          annotations: {
            "authorization.k8s.io/decision": "allow",
            "kubedrift-deployments.apps-break-glass/break-glass": "INC-4712",
          },
        }),
        auditEvent({ annotations: { "someone-else/break-glass": "not ours" } }),
      ),
    );
    expect(noted?.identity).toMatchObject({ user: "alice", breakGlass: "INC-4712" });
    expect(plain?.identity.breakGlass).toBeUndefined();
  });

  it("refuse what is not an EventList in one line", () => {
    expect(() => writesOfAuditBody("{")).toThrow(new AuditBodyError("not JSON"));
    expect(() => writesOfAuditBody(JSON.stringify({ kind: "Event" }))).toThrow(
      "expected an audit.k8s.io/v1 EventList",
    );
  });
});

describe("admission requests", () => {
  const review = (request: Record<string, unknown>): string =>
    JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
  const update = {
    uid: "705ab4f5",
    kind: { group: "apps", version: "v1", kind: "Scale" },
    resource: { group: "apps", version: "v1", resource: "deployments" },
    subResource: "scale",
    name: "web",
    namespace: "shop",
    operation: "UPDATE",
    userInfo: { username: "alice", groups: ["devs"] },
  };

  it("are always allowed, with the request's uid, and UPDATE and DELETE recorded", () => {
    const request = admissionRequest(review(update));
    expect(allowedReview(request)).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "705ab4f5", allowed: true },
    });
    expect(writeOfAdmission(request, 1000)).toEqual({
      object: web,
      subresource: "scale",
      verb: "update",
      at: 1000,
      identity: { user: "alice", groups: ["devs"] },
      via: "admission",
    });
    expect(writeOfAdmission(admissionRequest(review({ ...update, operation: "CREATE" })), 1)).toBeUndefined();
    expect(writeOfAdmission(admissionRequest(review({ ...update, dryRun: true })), 1)).toBeUndefined();
  });

  it("refuse a review without a request uid", () => {
    expect(() => admissionRequest(review({ ...update, uid: "" }))).toThrow(AdmissionBodyError);
  });
});

describe("WriteLog", () => {
  const record = (overrides: Partial<WriteRecord>): WriteRecord => ({
    object: web,
    verb: "patch",
    at: Date.parse("2026-12-02T09:00:00.400Z"),
    identity: { user: "alice", userAgent: "kubectl/v1.32.0" },
    via: "audit",
    ...overrides,
  });

  it("joins a drift to the write that left its resourceVersion, else the write near its time by its tool", () => {
    const log = new WriteLog({ now: () => Date.parse("2026-12-02T09:00:05Z") });
    log.add(
      record({ resourceVersion: "41", identity: { user: "carol" }, at: Date.parse("2026-12-02T08:59:50Z") }),
    );
    log.add(record({ identity: { user: "alice", userAgent: "kubectl/v1.32.0" } }));
    log.add(
      record({
        identity: { user: "helm-bot", userAgent: "Helm/3.16" },
        at: Date.parse("2026-12-02T09:00:00.700Z"),
      }),
    );
    expect(log.find({ object: web, resourceVersion: "41" })?.identity.user).toBe("carol");
    const byTime = { object: web, changedAt: "2026-12-02T09:00:00Z", resourceVersion: "99" };
    expect(log.find({ ...byTime, manager: "kubectl-edit" })?.identity.user).toBe("alice");
    expect(log.find(byTime)?.identity.user).toBe("helm-bot");
    expect(log.find({ ...byTime, changedAt: "2026-12-02T09:00:10Z" })).toBeUndefined();
    expect(log.find({ ...byTime, object: { ...web, name: "api" } })).toBeUndefined();
  });

  it("forgets records beyond its capacity and its retention, the oldest first", () => {
    let now = 0;
    const log = new WriteLog({ now: () => now, capacity: 2, retentionMs: 10_000 });
    log.add(record({ at: 0, resourceVersion: "1" }));
    log.add(record({ at: 1, resourceVersion: "2" }));
    log.add(record({ at: 2, resourceVersion: "3" }));
    expect(log.size).toBe(2);
    expect(log.find({ object: web, resourceVersion: "1" })).toBeUndefined();
    now = 20_000;
    log.add(record({ at: 19_999, resourceVersion: "4" }));
    expect(log.size).toBe(1);
  });

  it("wakes a waiter when a record of its object arrives", async () => {
    const log = new WriteLog({ now: () => 0 });
    const signal = new AbortController().signal;
    const sleep = (_ms: number, stop: AbortSignal): Promise<void> =>
      new Promise((resolve) => stop.addEventListener("abort", () => resolve()));
    const waited = log.waitFor(web, 60_000, { sleep, signal });
    log.add(record({}));
    await waited;
    expect(log.size).toBe(1);
  });

  it("takes the tool from the user agent as kube-apiserver does", () => {
    expect(managerOfUserAgent("kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9")).toBe("kubectl");
    expect(managerOfUserAgent(undefined)).toBeUndefined();
  });
});

describe("identifyDrifts", () => {
  const served = new Map([
    [
      "apps/Deployment",
      {
        group: "apps",
        version: "v1",
        kind: "Deployment",
        resource: "deployments",
        namespaced: true,
        verbs: [],
      },
    ],
  ]);
  const ref = { group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" };
  // A kubectl scale: managedFields gives no time for `subresource: scale`.
  const scaled = {
    path: "/spec/replicas",
    type: "Changed" as const,
    desired: 2,
    live: 5,
    attribution: { manager: "kubectl", operation: "Update" as const, subresource: "scale" },
  };

  it("waits for the record of a fresh change, joins it by resourceVersion, and does not wait twice", async () => {
    let now = 1000;
    const log = new WriteLog({ now: () => now });
    const sleeps: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        // The audit batch arrives while the change waits.
        log.add({
          object: web,
          verb: "patch",
          at: now,
          resourceVersion: "42",
          identity: { user: "alice", groups: ["devs"] },
          via: "audit",
        });
        await Promise.resolve();
      },
    };
    const identification = {
      writes: log,
      waitMs: 2000,
      served,
      clock,
      signal: new AbortController().signal,
      waited: new Set<string>(),
    };
    const named = await identifyDrifts(identification, {
      ref,
      drifts: [scaled],
      resourceVersion: "42",
      arrivedAt: now,
    });
    expect(named[0]).toMatchObject({ user: "alice", groups: ["devs"] });
    expect(sleeps).toEqual([2000]);
    // Seen again (a later event of the same object), with the record gone: no second wait.
    now = 5000;
    const again = await identifyDrifts(
      { ...identification, writes: new WriteLog({ now: () => now }) },
      { ref, drifts: [scaled], resourceVersion: "43", arrivedAt: now },
    );
    expect(again[0]?.user).toBeUndefined();
    expect(sleeps).toEqual([2000]);
  });

  it("does not settle for an earlier write in the same second while the record of this resourceVersion may come", async () => {
    const changedAt = Date.parse("2026-12-02T09:00:00Z");
    let now = changedAt + 600;
    const log = new WriteLog({ now: () => now });
    // The deployer's no-op scale, a moment before alice's patch, in the same second.
    log.add({
      object: web,
      verb: "patch",
      at: changedAt + 100,
      resourceVersion: "41",
      identity: { user: "ci-deployer", userAgent: "kubectl/v1.32.0" },
      via: "audit",
    });
    // A write in the second before is not this change's, whatever the slack.
    log.add({
      object: web,
      verb: "patch",
      at: changedAt - 200,
      resourceVersion: "40",
      identity: { user: "bob", userAgent: "kubectl/v1.32.0" },
      via: "audit",
    });
    const patched = {
      ...scaled,
      attribution: {
        manager: "kubectl-patch",
        operation: "Update" as const,
        changedAt: "2026-12-02T09:00:00Z",
      },
    };
    const clock = {
      now: () => now,
      sleep: async () => {
        now += 200;
        log.add({
          object: web,
          verb: "patch",
          at: changedAt + 500,
          resourceVersion: "42",
          identity: { user: "alice", userAgent: "kubectl/v1.32.0" },
          via: "audit",
        });
        await Promise.resolve();
      },
    };
    const named = await identifyDrifts(
      { writes: log, waitMs: 2000, served, clock, signal: new AbortController().signal, waited: new Set() },
      { ref, drifts: [patched], resourceVersion: "42", arrivedAt: now },
    );
    expect(named[0]?.user).toBe("alice");
    expect(
      log.find({ object: web, changedAt: "2026-12-02T09:00:00Z", resourceVersion: "99" })?.identity.user,
    ).toBe("alice");
  });

  it("waits for nothing on a resync (no event), and never beyond the deadline", async () => {
    const log = new WriteLog({ now: () => 0 });
    const clock = { now: () => 0, sleep: () => Promise.reject(new Error("no wait expected")) };
    const identification = {
      writes: log,
      waitMs: 2000,
      served,
      clock,
      signal: new AbortController().signal,
      waited: new Set<string>(),
    };
    expect(await identifyDrifts(identification, { ref, drifts: [scaled] })).toEqual([scaled]);
  });
});
