import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { call, type Outcome } from "../../src/sandbox/https-client.test-helper.js";

// Rule (issue 8): `kubedrift sandbox --data DIR` loses no acknowledged write and revives no
// acknowledged delete when it is killed with SIGKILL at any point, compactions included.

const root = fileURLToPath(new URL("../..", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "kubedrift-kill-"));
const configMaps = "/api/v1/namespaces/default/configmaps";

/** Sandboxes still running (a failed assertion must not leave one behind). */
const children = new Set<ChildProcessWithoutNullStreams>();

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

interface Target {
  readonly url: string;
  readonly token: string;
  readonly certificateAuthority: string;
}

interface Process {
  readonly child: ChildProcessWithoutNullStreams;
  readonly target: Target;
}

/** A small seeded generator, so that a failure can be replayed from the seed in its message. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function targetOf(kubeconfig: string, server: string): Target {
  const config = parse(readFileSync(kubeconfig, "utf8")) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: { token: string } }[];
  };
  const authority = config.clusters[0]?.cluster["certificate-authority-data"] ?? "";
  return {
    url: server,
    token: config.users[0]?.user.token ?? "",
    certificateAuthority: Buffer.from(authority, "base64").toString(),
  };
}

async function start(compactEvery: number): Promise<Process> {
  const kubeconfig = join(directory, "kubeconfig");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "sandbox",
      "--data",
      join(directory, "state"),
      "--kubeconfig",
      kubeconfig,
      "--fault-compact-every",
      String(compactEvery),
    ],
    { cwd: root, env: { ...process.env, NO_COLOR: "1" } },
  );
  children.add(child);
  child.once("exit", () => children.delete(child));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0] ?? "");
    });
    child.once("exit", (code) => reject(new Error(`exited with ${String(code)}: ${stderr}`)));
  });
  const ready = JSON.parse(line) as { server: string };
  return { child, target: targetOf(kubeconfig, ready.server) };
}

/** What a name holds: nothing, or a value at a resourceVersion (unknown for a write never answered). */
type State =
  { readonly present: false } | { readonly present: true; readonly value: string; readonly rv?: string };

interface Known {
  /** The state after the last write that got a 2xx answer. */
  acknowledged: State;
  /** A write sent without an answer (the kill came first): it may or may not have happened. */
  unanswered?: State;
}

interface Round {
  readonly target: Target;
  readonly random: () => number;
  readonly known: Map<string, Known>;
  readonly label: string;
  /** Acknowledged writes so far; the kill comes when it reaches `killAfter`. */
  acknowledged: number;
  readonly killAfter: number;
  readonly kill: () => void;
  killed: boolean;
}

function write(round: Round, name: string, next: State, current: State): Promise<Outcome> {
  const body = (value: string, rv?: string): unknown => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, ...(rv === undefined ? {} : { resourceVersion: rv }) },
    data: { v: value },
  });
  if (!next.present) return call(round.target, `${configMaps}/${name}`, { method: "DELETE" });
  if (!current.present) return call(round.target, configMaps, { method: "POST", body: body(next.value) });
  if (round.random() < 0.5) {
    return call(round.target, `${configMaps}/${name}`, {
      method: "PATCH",
      body: { data: { v: next.value } },
      contentType: "application/merge-patch+json",
    });
  }
  return call(round.target, `${configMaps}/${name}`, { method: "PUT", body: body(next.value, current.rv) });
}

/** One client: writes to the names it owns, one at a time, until the sandbox dies under it. */
async function worker(round: Round, names: readonly string[]): Promise<void> {
  for (let sequence = 0; !round.killed; sequence += 1) {
    const name = names[Math.floor(round.random() * names.length)] ?? "";
    const known = round.known.get(name) ?? { acknowledged: { present: false } };
    round.known.set(name, known);
    const current = known.acknowledged;
    const next: State =
      current.present && round.random() < 0.3
        ? { present: false }
        : { present: true, value: `${round.label}-${name}-${sequence}` };
    known.unanswered = next;
    const outcome = await write(round, name, next, current);
    if (outcome.kind === "error") return;
    if (outcome.status >= 300)
      throw new Error(`${name}: ${outcome.status} ${JSON.stringify(outcome.body)} (${round.label})`);
    known.acknowledged = next.present
      ? { ...next, rv: (outcome.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion }
      : next;
    delete known.unanswered;
    round.acknowledged += 1;
    if (round.acknowledged === round.killAfter) round.kill();
  }
}

function matches(observed: State, expected: State): boolean {
  if (!observed.present || !expected.present) return observed.present === expected.present;
  return observed.value === expected.value && (expected.rv === undefined || observed.rv === expected.rv);
}

async function observe(target: Target): Promise<Map<string, State>> {
  const list = await call(target, configMaps);
  if (list.kind !== "answer" || list.status !== 200) throw new Error(`list failed: ${JSON.stringify(list)}`);
  const items = (
    list.body as { items: { metadata: { name: string; resourceVersion: string }; data?: { v?: string } }[] }
  ).items;
  return new Map(
    items.map((item) => [
      item.metadata.name,
      { present: true, value: item.data?.v ?? "", rv: item.metadata.resourceVersion },
    ]),
  );
}

/** Every name is as its last acknowledged write left it, or as its unanswered write would. */
function lostWrites(known: Map<string, Known>, observed: Map<string, State>): string[] {
  const lost: string[] = [];
  for (const [name, state] of known) {
    const now = observed.get(name) ?? { present: false };
    const allowed = [state.acknowledged, ...(state.unanswered === undefined ? [] : [state.unanswered])];
    if (!allowed.some((candidate) => matches(now, candidate)))
      lost.push(`${name}: found ${JSON.stringify(now)}, acknowledged ${JSON.stringify(state.acknowledged)}`);
    // From here on, what the restarted sandbox holds is what is known.
    known.set(name, { acknowledged: now });
  }
  return lost;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

describe("kubedrift sandbox --data killed with SIGKILL", () => {
  it("keeps every acknowledged create, update and delete across 20 kills at random points", async () => {
    const seed = Number(process.env["KUBEDRIFT_CRASH_SEED"] ?? Date.now() % 1_000_000);
    const random = generator(seed);
    const known = new Map<string, Known>();
    const workers = 4;
    const namesPerWorker = 6;
    for (let kill = 1; kill <= 20; kill += 1) {
      // Small intervals put compactions (snapshot, then journal truncation) among the writes.
      const running = await start(1 + Math.floor(random() * 7));
      const label = `seed ${seed}, kill ${kill}`;
      expect(lostWrites(known, await observe(running.target)), label).toEqual([]);
      const round: Round = {
        target: running.target,
        random,
        known,
        label: `k${kill}`,
        acknowledged: 0,
        killAfter: 5 + Math.floor(random() * 40),
        killed: false,
        kill: () => {
          round.killed = true;
          running.child.kill("SIGKILL");
        },
      };
      await Promise.all(
        Array.from({ length: workers }, (_, index) =>
          worker(
            round,
            Array.from({ length: namesPerWorker }, (_, item) => `w${index}-${item}`),
          ),
        ),
      );
      await exited(running.child);
    }
    const last = await start(1000);
    expect(lostWrites(known, await observe(last.target)), `seed ${seed}, after the last kill`).toEqual([]);
    last.child.kill("SIGTERM");
    await exited(last.child);
    // About 30 s on an idle 2-core machine (20 starts of the CLI); room for a loaded one.
  }, 120_000);
});
