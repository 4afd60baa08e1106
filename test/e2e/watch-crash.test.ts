/**
 * `kubedrift watch` (the built CLI, as a process) killed with SIGKILL mid-write loses nothing it
 * acknowledged, and its store opens again. Forty ConfigMaps are applied and watched; another manager
 * patches them one after the other, round after round, and the watch is killed the moment it has
 * logged its tenth "drift opened" (a line written only once the store's write resolved) while the
 * patches go on. Then every episode a "drift opened" line named is in the store with its fields, the
 * store is intact (SQLite's integrity_check), and a second watch on it starts, syncs and ends with one
 * open episode per changed ConfigMap: the ones recorded before the kill continued, none opened twice.
 * On SQLite and on a real PostgreSQL server. Every wait polls with a bound; no duration is asserted.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answered } from "../../src/sandbox/https-client.test-helper.js";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import type { Episode } from "../../src/store/index.js";
import { openStore } from "../../src/store/index.js";
import type { TestPostgres } from "../../src/store/postgres.test-helper.js";
import { startPostgres } from "../../src/store/postgres.test-helper.js";
import { kubectlOk, writeManifest } from "../support/kubectl.js";
import { useSandbox } from "../support/sandbox.js";
import { untilSynced, useWatchProcesses } from "../support/watch.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();

const objects = 40;
/** The watch is killed once it has logged this many "drift opened" lines. */
const killAfter = 10;
const manager = "crash-intruder";
const names = Array.from({ length: objects }, (_, index) => `cm-${String(index).padStart(2, "0")}`);

/** useSandbox's sandbox is a running one: what a direct HTTPS request to it needs. */
function endpointOf(sandbox: object): Pick<RunningSandbox, "url" | "token" | "certificateAuthority"> {
  if (!("certificateAuthority" in sandbox) || !("url" in sandbox) || !("token" in sandbox))
    throw new Error("the sandbox has no certificate authority");
  return sandbox as RunningSandbox;
}

function manifestOf(namespace: string): string {
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

/** How many patches are sent at once: faster than the watch records, so that it has a backlog. */
const inFlight = 8;

/**
 * Patches every ConfigMap as `manager`, `inFlight` at a time, round after round. Told to stop, it
 * still sends one whole round more: every object is changed at least once, and changes go on
 * arriving after whatever happened before the stop.
 */
function startPatching(namespace: string): {
  readonly started: () => number;
  readonly stop: () => Promise<number>;
} {
  const endpoint = endpointOf(fixture.sandbox());
  let stopping = false;
  let started = 0;
  let applied = 0;
  const patch = async (name: string, round: number): Promise<void> => {
    started += 1;
    const answer = await answered(
      endpoint,
      `/api/v1/namespaces/${namespace}/configmaps/${name}?fieldManager=${manager}`,
      {
        method: "PATCH",
        contentType: "application/merge-patch+json",
        body: { data: { key: `changed-${round}` } },
      },
    );
    if (answer.status !== 200)
      throw new Error(`PATCH ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    applied += 1;
  };
  const done = (async () => {
    for (let round = 0; ; round += 1) {
      const last = stopping;
      for (let first = 0; first < names.length; first += inFlight)
        await Promise.all(names.slice(first, first + inFlight).map((name) => patch(name, round)));
      if (last) return applied;
    }
  })();
  return {
    started: () => started,
    stop: () => {
      stopping = true;
      return done;
    },
  };
}

async function episodesOf(storeUrl: string, namespace: string): Promise<readonly Episode[]> {
  const store = await openStore(storeUrl);
  try {
    return await store.query({ namespace });
  } finally {
    await store.close();
  }
}

function openedLines(lines: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => line["msg"] === "drift opened");
}

/** Counts the "drift opened" lines as they arrive and kills the watch with SIGKILL at the `killAfter`th. */
function killAtOpened(child: ReturnType<typeof startWatch>["child"], onKill: () => void): void {
  let text = "";
  let killed = false;
  child.stderr.on("data", (chunk: Buffer) => {
    if (killed) return;
    text += chunk.toString();
    if (text.split('"msg":"drift opened"').length - 1 >= killAfter) {
      killed = true;
      child.kill("SIGKILL");
      onKill();
    }
  });
}

async function crashAndRecover(
  storeUrl: string,
  namespace: string,
  checkIntact: () => void | Promise<void>,
): Promise<void> {
  const sandbox = fixture.sandbox();
  const directory = fixture.directory();
  const file = writeManifest(directory, `${namespace}.yaml`, manifestOf(namespace));
  await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", file]);
  const args = [
    "-f",
    file,
    "--kubeconfig",
    sandbox.kubeconfigPath,
    "--store",
    storeUrl,
    "--listen",
    "127.0.0.1:0",
    "--no-events",
  ];

  const first = startWatch(args, directory);
  const exitSignal = new Promise<NodeJS.Signals | null>((resolve) =>
    first.child.on("exit", (_code, signal) => resolve(signal)),
  );
  await untilSynced(first, 60_000);
  expect(openedLines(first.lines())).toEqual([]);

  let patchesAtKill = -1;
  killAtOpened(first.child, () => (patchesAtKill = patching.started()));
  // Faster than the watch records: when it dies, writes are in flight and patches still coming.
  const patching = startPatching(namespace);
  expect(await exitSignal, `the watch ended by itself: ${first.stderr()}`).toBe("SIGKILL");
  await first.exited;
  const acknowledged = openedLines(first.lines());
  // Killed mid-stream: some objects were changed and not yet recorded when it died.
  expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
  expect(acknowledged.length).toBeLessThan(objects);
  // Changes went on arriving after the kill: a whole round more, every ConfigMap changed.
  const patchesSent = await patching.stop();
  expect(patchesAtKill).toBeGreaterThanOrEqual(acknowledged.length);
  expect(patchesSent).toBeGreaterThanOrEqual(patchesAtKill + objects);

  await checkIntact();
  const afterCrash = await episodesOf(storeUrl, namespace);
  const byId = new Map(afterCrash.map((episode) => [episode.id, episode]));
  for (const line of acknowledged) {
    const episode = byId.get(line["episode"] as string);
    expect(episode, `the acknowledged episode of ${String(line["name"])}`).toBeDefined();
    expect(episode).toMatchObject({
      resource: { kind: "ConfigMap", namespace, name: line["name"] },
      startedAt: line["at"],
      endedAt: null,
      endedBy: null,
    });
    expect(episode!.changes.map((change) => change.path)).toEqual(line["fields"]);
    expect(line["fields"]).toEqual(["/data/key"]);
    expect(line["managers"]).toEqual([manager]);
    expect(episode!.changes).toEqual([
      expect.objectContaining({
        path: "/data/key",
        type: "Changed",
        desired: "original",
        live: expect.stringMatching(/^changed-\d+$/) as unknown,
        manager,
      }),
    ]);
  }
  // Written before the kill or not at all: never one resource twice.
  expect(new Set(afterCrash.map((episode) => episode.resource.name)).size).toBe(afterCrash.length);

  const second = startWatch(args, directory);
  await untilSynced(second, 60_000, "the second watch's first sync");
  // The first sync evaluated and recorded every object once: all of them are open now, once each.
  const store = await openStore(storeUrl);
  try {
    const open = await store.query({ namespace, openOnly: true });
    expect(open.map((episode) => episode.resource.name).sort()).toEqual(names);
    expect(await store.query({ namespace })).toHaveLength(objects);
    for (const episode of afterCrash)
      expect(open.find((candidate) => candidate.resource.name === episode.resource.name)?.id).toBe(
        episode.id,
      );
  } finally {
    await store.close();
  }
  // Episodes recorded before the kill are continued, not opened again.
  const reopened = openedLines(second.lines()).map((line) => line["name"] as string);
  expect(reopened.length).toBe(objects - afterCrash.length);
  for (const episode of afterCrash) expect(reopened).not.toContain(episode.resource.name);

  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
  expect(second.lines().filter((line) => line["msg"] === "error")).toEqual([]);
}

describe("kubedrift watch killed with SIGKILL mid-write", () => {
  it("loses no acknowledged episode on SQLite, which opens intact and is continued by the next watch", async () => {
    const path = join(fixture.directory(), "crash.db");
    await crashAndRecover(`sqlite:${path}`, "crash-sqlite", () => {
      const db = new DatabaseSync(path);
      try {
        expect(db.prepare("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
      } finally {
        db.close();
      }
    });
  }, 90_000);

  describe("on PostgreSQL", () => {
    let postgres: TestPostgres | undefined;

    beforeAll(async () => {
      postgres = await startPostgres();
    });

    afterAll(async () => {
      await postgres?.stop();
    });

    it("loses no acknowledged episode, and the store is continued by the next watch", async () => {
      const url = await postgres!.createDatabase();
      await crashAndRecover(url, "crash-postgres", () => undefined);
    }, 90_000);
  });
});
