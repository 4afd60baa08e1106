import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseErrorRates, parseLostResponseRates } from "./faults.js";
import { answered, call } from "./https-client.test-helper.js";
import { startSandbox, type RunningSandbox } from "./sandbox.js";

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox.stop();
});

const configMaps = "/api/v1/namespaces/default/configmaps";

describe("the loseResponses fault", () => {
  it("stores a patch but destroys the connection instead of answering", async () => {
    const created = await answered(sandbox, configMaps, {
      method: "POST",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "lost" }, data: { a: "1" } },
    });
    expect(created.status).toBe(201);
    sandbox.faults.set({ loseResponses: { patch: 1 } });
    try {
      const patched = await call(sandbox, `${configMaps}/lost`, {
        method: "PATCH",
        body: { data: { a: "2" } },
        contentType: "application/merge-patch+json",
      });
      expect(patched).toEqual({ kind: "error", code: "ECONNRESET", message: "socket hang up" });
      // Other verbs are answered, and the patch took effect although its answer never came.
      const read = await answered(sandbox, `${configMaps}/lost`);
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual({ a: "2" });
      expect(Number(read.body.metadata.resourceVersion)).toBeGreaterThan(
        Number(created.body.metadata.resourceVersion),
      );
    } finally {
      sandbox.faults.set({});
    }
  });

  it("never hits discovery or OpenAPI", async () => {
    sandbox.faults.set({ loseResponses: { get: 1, list: 1 } });
    try {
      for (const path of ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/openapi/v3", "/version"]) {
        expect([path, (await answered(sandbox, path)).status]).toEqual([path, 200]);
      }
      expect((await call(sandbox, configMaps)).kind).toBe("error");
    } finally {
      sandbox.faults.set({});
    }
  });
});

// Rule (issue 11): injected latency and failures are for resource requests; discovery and OpenAPI
// stay answered, as the README says, so that a client can always find out what the server serves.
describe("faults and discovery", () => {
  it("never fail discovery, OpenAPI or /version, even at rate 1 for every verb", async () => {
    const all = { get: 1, list: 1, watch: 1, create: 1, update: 1, patch: 1, delete: 1, deletecollection: 1 };
    sandbox.faults.set({ errorRate: all, errorStatus: 503 });
    try {
      for (const path of [
        "/api",
        "/api/v1",
        "/apis",
        "/apis/apps",
        "/apis/apps/v1",
        "/openapi/v2",
        "/openapi/v3",
        "/openapi/v3/api/v1",
        "/version",
      ]) {
        expect([path, (await answered(sandbox, path)).status]).toEqual([path, 200]);
      }
      expect((await answered(sandbox, configMaps)).status).toBe(503);
    } finally {
      sandbox.faults.set({});
    }
  });
});

// Rule (issue 11): kube-apiserver's bearer token authenticator compares the scheme case-insensitively.
describe("bearer tokens", () => {
  it("accepts the scheme in any case, as kube-apiserver does, and nothing but the token", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const outcome = await answered(sandbox, configMaps, {
        authorize: false,
        headers: { authorization: `${scheme} ${sandbox.token}` },
      });
      expect([scheme, outcome.status]).toEqual([scheme, 200]);
    }
    for (const header of [
      `Basic ${sandbox.token}`,
      `Bearer  ${sandbox.token}`,
      `Bearer ${sandbox.token}x`,
      "Bearer",
    ]) {
      const outcome = await answered(sandbox, configMaps, {
        authorize: false,
        headers: { authorization: header },
      });
      expect([header, outcome.status]).toEqual([header, 401]);
    }
  });
});

describe("per-verb rates of the CLI", () => {
  it("parses --fault-lose-responses like --fault-error-rate", () => {
    expect(parseLostResponseRates("patch=0.5, create=1")).toEqual({ patch: 0.5, create: 1 });
    expect(parseErrorRates("list=0.2")).toEqual({ list: 0.2 });
    expect(() => parseLostResponseRates("patch=2")).toThrow(
      'lost-response rate for patch must be between 0 and 1, got "2"',
    );
    expect(() => parseLostResponseRates("poke=1")).toThrow('unknown verb "poke" in lost-response rates');
  });
});
