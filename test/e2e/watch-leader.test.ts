/**
 * Issue 13, item 6: two `kubedrift watch --leader-elect` processes (the built CLI) against one
 * sandbox and one real PostgreSQL store. One leads (it holds the Lease), the other follows: both
 * answer /readyz 200 and evaluate (the follower's /metrics show the drift too), but only the leader
 * writes episodes, logs "drift opened" and notifies. The leader is killed with SIGKILL; objects are
 * changed during the gap (one of them put back); the survivor takes the Lease within 15 s of the
 * kill and catches up from the store: every changed object has exactly one open episode, the ones
 * opened before the kill keep their ids, the one put back is closed, and nothing is notified twice.
 * Every wait polls with a bound; the takeover time is the one duration asserted (the issue asks it).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answered } from "../../src/sandbox/https-client.test-helper.js";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import type { Episode } from "../../src/store/index.js";
import { openStore } from "../../src/store/index.js";
import type { TestPostgres } from "../../src/store/postgres.test-helper.js";
import { startPostgres } from "../../src/store/postgres.test-helper.js";
import { kubectlJson, kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import type { RunningWatch } from "../support/watch.js";
import { until, untilSynced, useWatchProcesses } from "../support/watch.js";
import type { Received } from "../support/webhook-server.js";
import { webhookServer } from "../support/webhook-server.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();

const namespace = "leader-e2e";
/** `--leader-elect-resource-namespace` is not given and POD_NAMESPACE is not set: the default. */
const leaseNamespace = "kubedrift";
const leaseName = "kubedrift";
const intruder = "leader-intruder";
const names = Array.from({ length: 10 }, (_, index) => `cm-${String(index).padStart(2, "0")}`);

/** Changed with kubectl while both run: the leader opens these. */
const beforeKill = ["cm-00", "cm-01", "cm-02"];
/** Changed right after the kill, while nobody leads. cm-00 changes once more; cm-02 is put back. */
const duringGap = ["cm-03", "cm-04", "cm-05"];
const changedAgain = "cm-00";
const putBack = "cm-02";
/** Changed once the survivor leads. */
const afterTakeover = "cm-06";

/** useSandbox's sandbox is a running one: what a direct HTTPS request to it needs. */
function endpointOf(sandbox: object): Pick<RunningSandbox, "url" | "token" | "certificateAuthority"> {
  if (!("certificateAuthority" in sandbox) || !("url" in sandbox) || !("token" in sandbox))
    throw new Error("the sandbox has no certificate authority");
  return sandbox as RunningSandbox;
}

function manifestOf(): string {
  return names
    .map(
      (name) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
  key: original
`,
    )
    .join("---\n");
}

/** A merge patch straight to the API server: fast enough that every one lands in the gap. */
async function patchDirectly(name: string, value: string): Promise<void> {
  const answer = await answered(
    endpointOf(fixture.sandbox()),
    `/api/v1/namespaces/${namespace}/configmaps/${name}?fieldManager=${intruder}`,
    { method: "PATCH", contentType: "application/merge-patch+json", body: { data: { key: value } } },
  );
  if (answer.status !== 200)
    throw new Error(`PATCH ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function episodesOf(storeUrl: string, openOnly: boolean): Promise<readonly Episode[]> {
  // Read only: `query` takes no write lock, while the watch processes run.
  const store = await openStore(storeUrl);
  try {
    return await store.query({ namespace, openOnly });
  } finally {
    await store.close();
  }
}

function logged(watch: RunningWatch, msg: string): Record<string, unknown>[] {
  return watch.lines().filter((line) => line["msg"] === msg);
}

function namesOf(lines: readonly Record<string, unknown>[]): string[] {
  return lines.map((line) => line["name"] as string).sort();
}

async function readyz(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

/** The value of `kubedrift_resource_drifted` for one ConfigMap, as `url`'s /metrics show it. */
async function driftedMetric(url: string, name: string): Promise<string | undefined> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const prefix = `kubedrift_resource_drifted{kind="ConfigMap",namespace="${namespace}",name="${name}"} `;
  return body
    .split("\n")
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length);
}

interface Notification {
  readonly event: string;
  readonly resource: { readonly kind: string; readonly name: string };
}

/** What one replica's webhook path received: `event resource-name`, sorted. */
function notified(received: readonly Received[], path: string): string[] {
  return received
    .filter((one) => one.path === path && one.status === 200)
    .map((one) => JSON.parse(one.body) as Notification)
    .map((one) => `${one.event} ${one.resource.name}`)
    .sort();
}

interface Lease {
  readonly holderIdentity?: string;
  readonly leaseTransitions?: number;
}

async function leaseOf(): Promise<Lease> {
  const lease = await kubectlJson(fixture.sandbox(), ["get", "lease", leaseName, "-n", leaseNamespace]);
  return (lease["spec"] ?? {}) as Lease;
}

describe("kubedrift watch --leader-elect: two replicas on one PostgreSQL store", () => {
  let postgres: TestPostgres | undefined;

  beforeAll(async () => {
    postgres = await startPostgres();
  });

  afterAll(async () => {
    await postgres?.stop();
  });

  it("only the leader records and notifies; kill -9 it: the other leads within 15 s, no episode lost or doubled", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const storeUrl = await postgres!.createDatabase();
    const file = writeManifest(directory, "configmaps.yaml", manifestOf());
    // `warn`: record, signal and notify (the default, `detect`, notifies nobody).
    writeManifest(
      directory,
      "kubedrift.yaml",
      "apiVersion: kubedrift.dev/v1\nkind: Config\npolicies:\n  - mode: warn\n",
    );
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["create", "namespace", leaseNamespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);
    const server = await webhookServer();
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const argsFor = (replica: string): string[] => [
        "-f",
        file,
        "--kubeconfig",
        sandbox.kubeconfigPath,
        "--store",
        storeUrl,
        "--listen",
        "127.0.0.1:0",
        "--no-events",
        "--webhook",
        `${base}/${replica}`,
        "--log-level",
        "debug",
        "--leader-elect",
        // Short, so that the takeover after a kill -9 (up to the lease duration and two retries)
        // is well within the 15 s.
        "--leader-elect-lease-duration",
        "6s",
        "--leader-elect-renew-deadline",
        "4s",
        "--leader-elect-retry-period",
        "1s",
      ];
      const replicas = { a: startWatch(argsFor("a"), directory), b: startWatch(argsFor("b"), directory) };
      const roles = await until(
        () => {
          const aLeads = logged(replicas.a, "leading").length > 0;
          const bLeads = logged(replicas.b, "leading").length > 0;
          if (aLeads && logged(replicas.b, "following").length > 0)
            return { leader: replicas.a, follower: replicas.b, leaderPath: "/a", followerPath: "/b" };
          if (bLeads && logged(replicas.a, "following").length > 0)
            return { leader: replicas.b, follower: replicas.a, leaderPath: "/b", followerPath: "/a" };
          return undefined;
        },
        `one replica leading, the other following (a: ${replicas.a.stderr()}\nb: ${replicas.b.stderr()})`,
        60_000,
      );
      const { leader, follower } = roles;
      const [leading] = logged(leader, "leading");
      const leaderIdentity = leading["identity"] as string;
      expect(leading).toMatchObject({ lease: `${leaseNamespace}/${leaseName}` });
      expect(logged(follower, "following")).toEqual([expect.objectContaining({ leader: leaderIdentity })]);
      expect(logged(follower, "leading")).toEqual([]);
      expect(await leaseOf()).toMatchObject({ holderIdentity: leaderIdentity });

      const urlOf = (watch: RunningWatch): Promise<string> =>
        until(
          () => logged(watch, "listening")[0]?.["url"] as string | undefined,
          `the listening line (stderr: ${watch.stderr()})`,
          60_000,
        );
      const leaderUrl = await urlOf(leader);
      const followerUrl = await urlOf(follower);
      // The follower is ready too: its caches are synced, it could take over at once.
      await until(async () => (await readyz(leaderUrl)) === 200, "the leader ready", 60_000);
      await until(async () => (await readyz(followerUrl)) === 200, "the follower ready", 60_000);
      expect(await episodesOf(storeUrl, false)).toEqual([]);

      for (const name of beforeKill)
        await kubectlOk(sandbox, [
          "patch",
          "configmap",
          name,
          "-n",
          namespace,
          "--type",
          "merge",
          "-p",
          '{"data":{"key":"changed"}}',
        ]);
      const opened = await until(async () => {
        const open = await episodesOf(storeUrl, true);
        return open.length === beforeKill.length ? open : undefined;
      }, "the leader's episodes in the store");
      // The follower evaluated the same changes (its metrics say drifted) and wrote nothing.
      for (const name of beforeKill)
        await until(
          async () => (await driftedMetric(followerUrl, name)) === "1",
          `the follower's drifted metric of ${name}`,
        );
      await until(
        () => notified(server.received, roles.leaderPath).length === beforeKill.length,
        "the leader's notifications",
      );
      expect(namesOf(logged(leader, "drift opened"))).toEqual(beforeKill);
      expect(logged(follower, "drift opened")).toEqual([]);
      expect(notified(server.received, roles.leaderPath)).toEqual(
        beforeKill.map((name) => `DriftDetected ${name}`),
      );
      expect(notified(server.received, roles.followerPath)).toEqual([]);
      expect(opened.map((episode) => episode.resource.name).sort()).toEqual(beforeKill);
      const idsBefore = new Map(opened.map((episode) => [episode.resource.name, episode.id]));

      leader.child.kill("SIGKILL");
      const killedAt = Date.now();
      // Changes while nobody leads: the follower sees them and records none of them yet.
      await Promise.all([
        ...duringGap.map((name) => patchDirectly(name, "changed-in-gap")),
        patchDirectly(changedAgain, "changed-again-in-gap"),
        patchDirectly(putBack, "original"),
      ]);
      expect(await leader.exited).toBeNull();
      expect(logged(follower, "leading"), "the changes were made before the takeover").toEqual([]);

      const [takeover] = await until(
        () => {
          const lines = logged(follower, "leading");
          return lines.length > 0 ? lines : undefined;
        },
        `the survivor leading (stderr: ${follower.stderr()})`,
        30_000,
      );
      const survivorIdentity = takeover["identity"] as string;
      expect(survivorIdentity).not.toBe(leaderIdentity);
      // The one duration asserted, because the issue asks for it: the survivor's own log time of
      // "leading" against the moment of the kill, both from this machine's clock. The lease
      // duration of 6 s plus two 1 s retry periods leaves a wide margin under 15 s.
      const takeoverMs = Date.parse(takeover["time"] as string) - killedAt;
      expect(takeoverMs, "ms from the kill to the survivor leading").toBeGreaterThan(0);
      expect(takeoverMs, "ms from the kill to the survivor leading").toBeLessThanOrEqual(15_000);
      expect(await leaseOf()).toMatchObject({ holderIdentity: survivorIdentity, leaseTransitions: 1 });

      // The new leader caught up from the store: its full evaluation after "leading" is done.
      await until(() => {
        const lines = follower.lines();
        const at = lines.findIndex((line) => line["msg"] === "leading");
        return lines.slice(at).some((line) => line["msg"] === "resynced");
      }, `the survivor's catch-up (stderr: ${follower.stderr()})`);
      await kubectlOk(sandbox, [
        "patch",
        "configmap",
        afterTakeover,
        "-n",
        namespace,
        "--type",
        "merge",
        "-p",
        '{"data":{"key":"changed"}}',
      ]);
      const changed = [...beforeKill.filter((name) => name !== putBack), ...duringGap, afterTakeover].sort();
      await until(async () => {
        const open = await episodesOf(storeUrl, true);
        return open.some((episode) => episode.resource.name === afterTakeover);
      }, "the survivor's episode of a change after the takeover");
      const expectedNotifications = [
        ...[...duringGap, afterTakeover].map((name) => `DriftDetected ${name}`),
        `DriftResolved ${putBack}`,
      ].sort();
      await until(
        () => notified(server.received, roles.followerPath).length >= expectedNotifications.length,
        "the survivor's notifications",
      );

      // None lost: every changed object has an open episode, those changed during the gap too.
      // None doubled: one open episode per object, and one episode in all per changed object.
      const open = await episodesOf(storeUrl, true);
      expect(open.map((episode) => episode.resource.name).sort()).toEqual(changed);
      const all = await episodesOf(storeUrl, false);
      expect(all.map((episode) => episode.resource.name).sort()).toEqual([...changed, putBack].sort());
      for (const name of [...idsBefore.keys()])
        expect(all.find((episode) => episode.resource.name === name)?.id, `${name}'s episode`).toBe(
          idsBefore.get(name),
        );
      expect(all.find((episode) => episode.resource.name === putBack)).toMatchObject({
        endedBy: "reverted",
      });
      expect(open.find((episode) => episode.resource.name === changedAgain)?.changes).toEqual([
        expect.objectContaining({ path: "/data/key", desired: "original", manager: intruder }),
      ]);
      for (const name of duringGap)
        expect(open.find((episode) => episode.resource.name === name)?.changes).toEqual([
          expect.objectContaining({
            path: "/data/key",
            type: "Changed",
            desired: "original",
            live: "changed-in-gap",
            manager: intruder,
          }),
        ]);
      // The survivor opened only what the dead leader had not, and continued the rest.
      expect(namesOf(logged(follower, "drift opened"))).toEqual([...duringGap, afterTakeover].sort());
      expect(logged(follower, "drift closed")).toEqual([
        expect.objectContaining({ name: putBack, how: "reverted", episode: idsBefore.get(putBack) }),
      ]);
      expect(notified(server.received, roles.followerPath)).toEqual(expectedNotifications);
      expect(notified(server.received, roles.leaderPath)).toEqual(
        beforeKill.map((name) => `DriftDetected ${name}`),
      );
      expect(await readyz(followerUrl)).toBe(200);

      follower.child.kill("SIGTERM");
      expect(await follower.exited).toBe(0);
      for (const watch of [leader, follower])
        expect(watch.lines().filter((line) => line["level"] === "error")).toEqual([]);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe("kubedrift watch --leader-elect on SQLite", () => {
  // Issue 13, item 6: "with SQLite the store refuses a second writer with a clear error".
  it("refuses a second watch on the same SQLite store in one line, exit status 1", async () => {
    const sandbox = fixture.sandbox();
    const directory = fixture.directory();
    const file = writeManifest(
      directory,
      "sqlite-one-writer.yaml",
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: one-writer
  namespace: default
data:
  v: "1"
`,
    );
    const database = join(directory, "one-writer.db");
    const args = [
      "-f",
      file,
      "--kubeconfig",
      sandbox.kubeconfigPath,
      "--listen",
      "127.0.0.1:0",
      "--store",
      `sqlite:${database}`,
      "--no-events",
    ];
    const first = startWatch(args, directory);
    await untilSynced(first, 60_000);
    const second = startWatch(args, directory);
    expect(await second.exited).toBe(1);
    const lines = second
      .stderr()
      .split("\n")
      .filter((line) => line !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: sqlite:${database} is written by another kubedrift watch \\(pid \\d+ on .+\\); a SQLite store takes one writer: give several replicas a postgres:// store`,
      ),
    );
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 120_000);
});
