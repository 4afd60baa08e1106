/**
 * `kubedrift history` (issue 12, item 3) as users run it: the built bin/kubedrift against a SQLite
 * store this test fills through the store's own interface, with times relative to now so that
 * `--since 24h` has something on each side. No assertion depends on how long anything takes.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedDrift, ResourceKey } from "../../src/store/index.js";
import { openStore } from "../../src/store/index.js";
import type { TestPostgres } from "../../src/store/postgres.test-helper.js";
import { startPostgres } from "../../src/store/postgres.test-helper.js";
import { runKubedrift } from "../support/kubedrift.js";

const web: ResourceKey = { group: "apps", kind: "Deployment", namespace: "shop", name: "web" };
const api: ResourceKey = { group: "apps", kind: "Deployment", namespace: "shop", name: "api" };
const db: ResourceKey = { group: "", kind: "Secret", namespace: "shop", name: "db" };
const cache: ResourceKey = { group: "", kind: "ConfigMap", namespace: "infra", name: "cache" };

/** Must never appear in any output: the store keeps the hashes only. */
const secretValue = "hunter2-Sup3rSecret-Value";

const replicas: ObservedDrift = {
  path: "/spec/replicas",
  type: "Changed",
  desired: 3,
  live: 5,
  attribution: { manager: "kubectl", operation: "Update", subresource: "scale" },
};
const image: ObservedDrift = {
  path: "/spec/template/spec/containers/0/image",
  type: "Changed",
  desired: "api:1",
  live: "api:2",
  user: "alice",
  attribution: { manager: "kubectl-set", operation: "Update", changedAt: "2026-01-01T00:00:00Z" },
};
const password: ObservedDrift = {
  path: "/data/password",
  type: "Changed",
  // A careless caller leaves the values beside the hashes: the store drops them (rule 7).
  desired: secretValue,
  live: `${secretValue}-new`,
  redacted: { desired: "83930f25e67c4250", live: "2c5cafc49850e30d" },
  attribution: { manager: "kubectl-edit", operation: "Update" },
};
const note: ObservedDrift = {
  path: "/data/note",
  type: "Added",
  reason: "outOfBand",
  live: 'a, "quoted"\nnote',
  attribution: { manager: "kubectl-edit", operation: "Update" },
};

let dir = "";
let store = "";
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** The episodes every test reads, written through the store's own interface. */
async function fill(url: string): Promise<void> {
  const history = await openStore(url);
  try {
    // Closed three days ago: reverted after 4m12s.
    await history.recordObservation(web, [replicas], ago(3 * day));
    await history.recordObservation(web, [], new Date(Date.parse(ago(3 * day)) + 252_000).toISOString());
    // Open for two hours, a second field joining, contested.
    await history.recordObservation(api, [image], ago(2 * hour));
    await history.recordObservation(api, [image, { ...replicas, desired: 2, live: 4 }], ago(90 * minute));
    await history.markContested(api, "/spec/replicas", "hpa-controller");
    // A Secret, closed ten minutes ago.
    await history.recordObservation(db, [password], ago(30 * minute));
    await history.recordObservation(db, [], ago(10 * minute));
    // Open, in another namespace, with a value CSV must quote.
    await history.recordObservation(cache, [note], ago(5 * minute));
  } finally {
    await history.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kubedrift-history-"));
  store = `sqlite:${join(dir, "data", "kubedrift.db")}`;
  await fill(store);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function history(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKubedrift(["history", "--store", store, ...args], { cwd: dir });
}

/** The resources in the order of the text blocks. */
function blocks(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => /^[A-Z]\w* \S+ {2}drifted /.test(line))
    .map((line) => line.split("  ")[0] ?? "");
}

describe("kubedrift history", () => {
  it("text: a summary, then one block per episode, newest first, exit 0", async () => {
    const result = await history();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("4 episodes, 2 open");
    expect(blocks(result.stdout)).toEqual([
      "ConfigMap infra/cache",
      "Secret shop/db",
      "Deployment shop/api",
      "Deployment shop/web",
    ]);
    expect(result.stdout).toMatch(/^Deployment shop\/web {2}drifted \S+Z – \S+Z \(4m12s\), reverted$/m);
    expect(result.stdout).toMatch(
      /^Deployment shop\/api {2}drifted \S+Z, open for \S+, contested by hpa-controller$/m,
    );
    expect(result.stdout).toMatch(/^Secret shop\/db {2}drifted \S+Z – \S+Z \(20m\), reverted$/m);
    expect(result.stdout).toContain(
      '  spec.template.spec.containers[0].image: "api:1" → "api:2"  by kubectl-set (Update), user alice, seen ',
    );
    expect(result.stdout).toContain("  spec.replicas: 3 → 5  by kubectl (Update, subresource scale), seen ");
    expect(result.stdout).toContain(
      "  data.password: (redacted 83930f25e67c4250) → (redacted 2c5cafc49850e30d)  by kubectl-edit (Update), seen ",
    );
    expect(result.stdout).toContain(
      "  to end the fight, add to kubedrift.yaml: ignore: [{path: /spec/replicas, kinds: [apps/Deployment], namespaces: [shop], names: [api]}]",
    );
    // Not a terminal: no colour; with FORCE_COLOR colour, and --no-color wins over it.
    expect(result.stdout).not.toContain("\u001b");
    const forced = await runKubedrift(["history", "--store", store], { cwd: dir, env: { FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain("\u001b[");
    const plain = await runKubedrift(["history", "--store", store, "--no-color"], {
      cwd: dir,
      env: { FORCE_COLOR: "1" },
    });
    expect(plain.stdout).not.toContain("\u001b");
  });

  it("no secret value in any format", async () => {
    for (const output of ["text", "json", "csv"]) {
      const result = await history("-o", output);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("2c5cafc49850e30d");
      expect(result.stdout + result.stderr).not.toContain(secretValue);
      expect(result.stdout).not.toContain("hunter2");
    }
  });

  it("JSON: a DriftHistory with the store's fields", async () => {
    const result = await history("-o", "json", "--kind", "Secret");
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.apiVersion).toBe("kubedrift.dev/v1");
    expect(document.kind).toBe("DriftHistory");
    expect(document.episodes).toHaveLength(1);
    const [episode] = document.episodes;
    expect(episode.resource).toEqual(db);
    expect(episode.endedBy).toBe("reverted");
    expect(episode.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(episode.changes).toEqual([
      expect.objectContaining({
        path: "/data/password",
        redacted: { desired: "83930f25e67c4250", live: "2c5cafc49850e30d" },
        manager: "kubectl-edit",
      }),
    ]);
    expect(episode.changes[0]).not.toHaveProperty("desired");
    expect(episode.changes[0]).not.toHaveProperty("live");
  });

  it("CSV: a header, one row per change, values quoted as RFC 4180 says", async () => {
    const result = await history("-o", "csv");
    expect(result.code).toBe(0);
    const records = result.stdout.split("\r\n");
    expect(records[0]).toMatch(/^episode,group,kind,namespace,name,startedAt,/);
    // 4 episodes, 5 changes (api has two), a header and the final empty string after the last CRLF.
    expect(records).toHaveLength(7);
    expect(result.stdout).toContain(`"""a, \\""quoted\\""\\nnote"""`);
  });

  it("filters: resource, namespace, kind, manager, user, open, since, until, limit", async () => {
    const cases: [readonly string[], readonly string[]][] = [
      [["--resource", "Deployment/shop/web"], ["Deployment shop/web"]],
      [["--resource", "deployment.apps/shop/api"], ["Deployment shop/api"]],
      [["--resource", "Deployment.batch/shop/api"], []],
      [["-n", "infra"], ["ConfigMap infra/cache"]],
      [
        ["--namespace", "shop", "--kind", "deployment"],
        ["Deployment shop/api", "Deployment shop/web"],
      ],
      [["--kind", "Secret"], ["Secret shop/db"]],
      [
        ["--manager", "kubectl-edit"],
        ["ConfigMap infra/cache", "Secret shop/db"],
      ],
      [
        ["--manager", "kubectl"],
        ["Deployment shop/api", "Deployment shop/web"],
      ],
      [["--user", "alice"], ["Deployment shop/api"]],
      [["--open"], ["ConfigMap infra/cache", "Deployment shop/api"]],
      [
        ["--since", "24h"],
        ["ConfigMap infra/cache", "Secret shop/db", "Deployment shop/api"],
      ],
      [
        ["--since", "8m"],
        ["ConfigMap infra/cache", "Deployment shop/api"],
      ],
      [
        ["--since", "7d"],
        ["ConfigMap infra/cache", "Secret shop/db", "Deployment shop/api", "Deployment shop/web"],
      ],
      [
        ["--since", ago(day)],
        ["ConfigMap infra/cache", "Secret shop/db", "Deployment shop/api"],
      ],
      [["--until", "1d"], ["Deployment shop/web"]],
      [
        ["--until", "1h"],
        ["Deployment shop/api", "Deployment shop/web"],
      ],
      [
        ["--limit", "2"],
        ["ConfigMap infra/cache", "Secret shop/db"],
      ],
      [["--kind", "deployment", "--limit", "1"], ["Deployment shop/api"]],
    ];
    for (const [args, expected] of cases) {
      const result = await history(...args);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: "" });
      expect({ args, resources: blocks(result.stdout) }).toEqual({ args, resources: expected });
    }
  });

  it("nothing recorded for a filter: says so, names the filter, exit 0", async () => {
    const result = await history("--user", "mallory", "--open");
    expect(result).toEqual({ code: 0, stdout: "No drift recorded (user mallory, open only)\n", stderr: "" });
    const json = await history("--user", "mallory", "-o", "json");
    expect(JSON.parse(json.stdout).episodes).toEqual([]);
  });

  it("errors are one line with exit 1; a missing store is not created", async () => {
    const missing = await runKubedrift(["history"], { cwd: dir });
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: no history at ./kubedrift.db (run kubedrift watch first)\n",
    });
    expect(existsSync(join(dir, "kubedrift.db"))).toBe(false);
    const elsewhere = await runKubedrift(["history", "--store", `sqlite:${join(dir, "none", "h.db")}`], {
      cwd: dir,
    });
    expect(elsewhere.stderr).toBe(
      `error: no history at ${join(dir, "none", "h.db")} (run kubedrift watch first)\n`,
    );
    expect(existsSync(join(dir, "none"))).toBe(false);
    const failures: readonly (readonly string[])[] = [
      ["--since", "yesterday"],
      ["--until", "2026-13-45T00:00:00Z"],
      ["--resource", "web"],
      ["--limit", "0"],
      ["-o", "yaml"],
      ["--store", "mysql://db/x"],
    ];
    for (const args of failures) {
      const result = await history(...args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 1, stdout: "" });
      expect(result.stderr).toMatch(/^(error|kubedrift): [^\n]+\n$/);
    }
    expect((await history("--since", "yesterday")).stderr).toBe(
      'error: --since: invalid time "yesterday" (expected a duration before now such as 90m, 24h, 7d, or an RFC 3339 time such as 2026-12-01T10:00:00Z)\n',
    );
    expect((await history("--resource", "web")).stderr).toBe(
      "error: --resource web: expected KIND/NAMESPACE/NAME, or KIND/NAME for a cluster-scoped object\n",
    );
  });
});

describe("kubedrift history --store postgres://", () => {
  let postgres: TestPostgres | undefined;
  let url = "";

  beforeAll(async () => {
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    await fill(url);
  });

  afterAll(async () => {
    await postgres?.stop();
  });

  it("reads the same history from PostgreSQL, with filters, and no secret value", async () => {
    const all = await runKubedrift(["history", "--store", url], { cwd: dir });
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    expect(all.stdout.split("\n")[0]).toBe("4 episodes, 2 open");
    expect(blocks(all.stdout)).toEqual([
      "ConfigMap infra/cache",
      "Secret shop/db",
      "Deployment shop/api",
      "Deployment shop/web",
    ]);
    const recent = await runKubedrift(["history", "--store", url, "--since", "24h", "--kind", "deployment"], {
      cwd: dir,
    });
    expect(blocks(recent.stdout)).toEqual(["Deployment shop/api"]);
    for (const output of ["text", "json", "csv"]) {
      const result = await runKubedrift(["history", "--store", url, "-o", output], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("2c5cafc49850e30d");
      expect(result.stdout).not.toContain("hunter2");
    }
  });

  it("a server that does not answer is one line, without the password", async () => {
    const result = await runKubedrift(
      ["history", "--store", "postgres://kubedrift:pa55word@127.0.0.1:1/history"],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: history: [^\n]*127\.0\.0\.1:1[^\n]*\n$/);
    expect(result.stderr).not.toContain("pa55word");
  });
});
