/**
 * Issue 13, item 4: `kubedrift watch --git-url` against a real Git server on loopback (`git
 * http-backend` behind basic auth). A commit that changes `replicas` is the new desired state
 * within one `--git-poll` — the open episode it ends closes as `sourceChanged` — and at once on a
 * signed push to `/hooks/git` (with a 10-minute poll, so that only the hook explains the reload;
 * a wrong signature is refused). When the server goes away the last good state stays in force:
 * the open episode stays open, nothing turns Missing, `/readyz` is 503 naming the failed fetch and
 * `kubedrift_git_fetch_failures` counts it. Every wait polls with a bound.
 */
import { createHmac } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunningServer, TestRepository } from "../support/git-server.js";
import { createRepository, startHttpGitServer } from "../support/git-server.js";
import { kubectlOk } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useSandbox } from "../support/sandbox.js";
import type { RunningWatch } from "../support/watch.js";
import { until, useWatchProcesses, webDeployment } from "../support/watch.js";

const fixture = useSandbox();
const startWatch = useWatchProcesses();
const namespace = "watch-git-url";
const credentials = { username: "kubedrift", password: "s3cret-over-loopback" };
const hookSecret = "a-push-hook-secret-of-some-length";

interface HistoryChange {
  readonly path: string;
  readonly type: string;
  readonly desired?: unknown;
  readonly live?: unknown;
}

interface HistoryEpisode {
  readonly id: string;
  readonly resource: { readonly kind: string; readonly namespace: string; readonly name: string };
  readonly endedBy: string | null;
  readonly changes: readonly HistoryChange[];
}

/** What the three parts share: the server, the repository, the files and the store. */
interface Scene {
  readonly directory: string;
  readonly repository: TestRepository;
  readonly server: RunningServer;
  readonly store: string;
  readonly args: (poll: string) => string[];
  readonly commits: string[];
  /** The episode part 2 opens, which part 3 must find still open. */
  openEpisode?: HistoryEpisode;
}

let scene: Scene | undefined;

function theScene(): Scene {
  if (scene === undefined) throw new Error("part 1 did not set the scene up");
  return scene;
}

function deployment(replicas: number): string {
  return webDeployment(namespace).replace("replicas: 2", `replicas: ${replicas}`);
}

function secretFile(directory: string, name: string, content: string): string {
  const file = join(directory, name);
  writeFileSync(file, `${content}\n`, { mode: 0o600 });
  return file;
}

function linesWith(watch: RunningWatch, msg: string): Record<string, unknown>[] {
  return watch.lines().filter((line) => line["msg"] === msg);
}

async function logged(watch: RunningWatch, msg: string, count = 1): Promise<Record<string, unknown>> {
  return until(
    () => linesWith(watch, msg)[count - 1],
    `"${msg}" #${count} (stderr: ${watch.stderr()})`,
    60_000,
  );
}

async function listening(watch: RunningWatch): Promise<string> {
  const line = await logged(watch, "listening");
  await logged(watch, "synced");
  return String(line["url"]);
}

async function history(store: string, directory: string, open = false): Promise<HistoryEpisode[]> {
  const args = ["history", "--store", store, "-o", "json", ...(open ? ["--open"] : [])];
  const result = await runKubedrift(args, { cwd: directory });
  if (result.code !== 0) throw new Error(`kubedrift ${args.join(" ")}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { episodes: HistoryEpisode[] }).episodes;
}

async function stop(watch: RunningWatch): Promise<void> {
  expect(watch.child.exitCode, watch.stderr()).toBeNull();
  // The basic-auth password reaches git through its environment only, never the log.
  expect(watch.stderr()).not.toContain(credentials.password);
  watch.child.kill("SIGTERM");
  expect(await watch.exited).toBe(0);
}

function push(body: string, headers: Record<string, string>, url: string): Promise<Response> {
  return fetch(`${url}/hooks/git`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "push", ...headers },
    body,
  });
}

async function readyz(url: string): Promise<{ readonly status: number; readonly body: string }> {
  const response = await fetch(`${url}/readyz?verbose`);
  return { status: response.status, body: await response.text() };
}

async function fetchFailures(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const match = /^kubedrift_git_fetch_failures (\d+)$/m.exec(metrics);
  if (match === null) throw new Error(`no kubedrift_git_fetch_failures in\n${metrics}`);
  return Number(match[1]);
}

describe("kubedrift watch --git-url against a Git server on loopback", () => {
  it("uses a commit that changes replicas within one poll, closing the episode it ends", async () => {
    const sandbox = fixture.sandbox();
    const directory = join(fixture.directory(), "git-url");
    const root = join(directory, "server");
    mkdirSync(root, { recursive: true });
    const repository = createRepository(root, "repo");
    const commits = [repository.commit({ "deploy/web.yaml": deployment(2), "README.md": "kubedrift\n" })];
    const server = await startHttpGitServer(root, credentials);
    const username = secretFile(directory, "username", credentials.username);
    const password = secretFile(directory, "password", credentials.password);
    const secret = secretFile(directory, "hook-secret", hookSecret);
    const store = `sqlite:${join(directory, "kubedrift.db")}`;
    // The -f path is read inside the checkout's --git-path: `.` is deploy/ of the repository.
    const args = (poll: string): string[] => [
      "--git-url",
      `${server.url}/repo.git`,
      "--git-branch",
      "main",
      "--git-path",
      "deploy",
      "-f",
      ".",
      "--git-poll",
      poll,
      "--git-username-file",
      username,
      "--git-password-file",
      password,
      "--git-hook-secret-file",
      secret,
      "--git-cache",
      join(directory, "cache"),
      "--kubeconfig",
      sandbox.kubeconfigPath,
      "--listen",
      "127.0.0.1:0",
      "--store",
      store,
    ];
    scene = { directory, repository, server, store, args, commits };
    const file = join(directory, "web.yaml");
    writeFileSync(file, deployment(2));
    await kubectlOk(sandbox, ["create", "namespace", namespace]);
    await kubectlOk(sandbox, ["apply", "-f", file]);

    const watch = startWatch(args("2s"), directory);
    await listening(watch);
    expect((await logged(watch, "fetched the Git source"))["commit"]).toBe(commits[0]?.slice(0, 12));
    expect(server.requests()).toBeGreaterThan(0);

    await kubectlOk(sandbox, ["scale", "deployment", "web", "-n", namespace, "--replicas=3"]);
    const opened = await logged(watch, "drift opened");
    expect(opened).toMatchObject({ kind: "Deployment", name: "web", fields: ["/spec/replicas"] });

    commits.push(repository.commit({ "deploy/web.yaml": deployment(3) }));
    const reload = await logged(watch, "sources changed: reloading");
    expect(reload["why"]).toBe(`the Git source moved to ${commits[1]?.slice(0, 12)}`);
    expect((await logged(watch, "reloaded"))["objects"]).toBe(1);
    expect((await logged(watch, "drift closed"))["how"]).toBe("sourceChanged");
    const [episode] = await until(async () => {
      const episodes = await history(store, directory);
      return episodes[0]?.endedBy === null ? undefined : episodes;
    }, "the episode closed in the store");
    expect(episode).toMatchObject({
      endedBy: "sourceChanged",
      resource: { kind: "Deployment", name: "web" },
    });
    expect(await history(store, directory, true)).toEqual([]);
    expect(linesWith(watch, "git fetch failed: the last good state stays in force")).toEqual([]);
    await stop(watch);
  }, 120_000);

  it("fetches at once on a signed push to /hooks/git, and refuses a wrong signature", async () => {
    const { directory, repository, store, args, commits } = theScene();
    // A poll of 10 minutes: only the hook can explain a reload within this test.
    const watch = startWatch(args("10m"), directory);
    const url = await listening(watch);
    expect((await logged(watch, "fetched the Git source"))["commit"]).toBe(commits[1]?.slice(0, 12));
    expect(await history(store, directory, true)).toEqual([]);

    commits.push(repository.commit({ "deploy/web.yaml": deployment(4) }));
    const body = JSON.stringify({ ref: "refs/heads/main", after: commits[2] });
    const wrong = createHmac("sha256", "not-the-shared-secret-at-all").update(body).digest("hex");
    const refused = await push(body, { "x-hub-signature-256": `sha256=${wrong}` }, url);
    expect(refused.status).toBe(401);
    const signature = createHmac("sha256", hookSecret).update(body).digest("hex");
    const accepted = await push(body, { "x-hub-signature-256": `sha256=${signature}` }, url);
    expect(accepted.status).toBe(202);

    const reload = await logged(watch, "sources changed: reloading");
    expect(reload["why"]).toBe(`the Git source moved to ${commits[2]?.slice(0, 12)}`);
    await logged(watch, "reloaded");
    // The Deployment, still at 3 from part 1, is now drifted against the 4 the commit wants.
    const opened = await logged(watch, "drift opened");
    expect(opened).toMatchObject({ kind: "Deployment", name: "web", fields: ["/spec/replicas"] });
    const open = await until(async () => (await history(store, directory, true))[0], "the open episode");
    expect(open.changes).toEqual([
      expect.objectContaining({ path: "/spec/replicas", desired: 4, live: 3 }) as HistoryChange,
    ]);
    theScene().openEpisode = open;
    expect(linesWith(watch, "sources changed: reloading")).toHaveLength(1);
    await stop(watch);
  }, 120_000);

  it("keeps the last good state when the server goes away, and /readyz says why", async () => {
    const { directory, server, store, args, commits, openEpisode } = theScene();
    if (openEpisode === undefined) throw new Error("part 2 opened no episode");
    const watch = startWatch(args("2s"), directory);
    const url = await listening(watch);
    expect((await logged(watch, "fetched the Git source"))["commit"]).toBe(commits[2]?.slice(0, 12));
    const healthy = await readyz(url);
    expect(healthy.status, healthy.body).toBe(200);
    expect(healthy.body).toContain("[+]git ok");

    await server.close();
    const failed = await logged(watch, "git fetch failed: the last good state stays in force");
    expect(failed["level"]).toBe("warn");
    expect(String(failed["error"])).toContain(`${server.url}/repo.git`);
    const notReady = await until(async () => {
      const answer = await readyz(url);
      return answer.status === 503 ? answer : undefined;
    }, "/readyz to be 503");
    expect(notReady.body).toMatch(/^\[\+\]sync ok$/m);
    expect(notReady.body).toMatch(
      new RegExp(
        `^\\[-\\]git failed: \\d+ fetch(es)? failed \\(last success [^)]+\\): .+; commit ${commits[2]?.slice(0, 12)} stays in force$`,
        "m",
      ),
    );
    expect(notReady.body).toContain(String(failed["error"]).split("\n")[0]);
    expect(notReady.body).not.toContain(credentials.password);
    const brief = await (await fetch(`${url}/readyz`)).text();
    expect(brief).toMatch(/^not ready: git: \d+ fetch(es)? failed/);
    expect(await fetchFailures(url)).toBeGreaterThanOrEqual(1);

    // Another poll fails too: still nothing reloaded, nothing Missing, the episode of part 2 open.
    await until(async () => (await fetchFailures(url)) >= 2, "a second failed fetch");
    expect(linesWith(watch, "sources changed: reloading")).toEqual([]);
    expect(linesWith(watch, "drift opened")).toEqual([]);
    const open = await history(store, directory, true);
    expect(open.map((episode) => episode.id)).toEqual([openEpisode.id]);
    expect(open[0]?.changes.map((change) => [change.path, change.type])).toEqual(
      openEpisode.changes.map((change) => [change.path, change.type]),
    );
    expect((await readyz(url)).status).toBe(503);
    await stop(watch);
  }, 120_000);
});
