import { createHmac } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RunningServer, TestRepository } from "../../../test/support/git-server.js";
import {
  createRepository,
  startGitDaemon,
  startHangingServer,
  startHttpGitServer,
} from "../../../test/support/git-server.js";
import type { Fetched, RemoteSource } from "./index.js";
import { fetchRemote, maskUrl, pollRemote, verifyPushSignature } from "./index.js";

function deployment(replicas: number): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: ${replicas}\n`;
}

const PASSWORD = "s3cret-Pa55word";
const TOKEN = "tok-0123456789abcdef";

describe("fetchRemote over HTTP (git http-backend, basic auth)", () => {
  const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), "kubedrift-remote-")));
  const secrets = path.join(scratch, "secrets");
  let repository: TestRepository;
  let server: RunningServer;
  let source: RemoteSource;
  let first = "";

  beforeAll(async () => {
    const root = path.join(scratch, "served");
    repository = createRepository(root, "infra");
    first = repository.commit({ "deploy/web.yaml": deployment(2), "README.md": "infra\n" });
    server = await startHttpGitServer(root, { username: "ada", password: PASSWORD });
    rmSync(secrets, { recursive: true, force: true });
    mkdirSync(secrets);
    writeFileSync(path.join(secrets, "username"), "ada\n");
    writeFileSync(path.join(secrets, "password"), `${PASSWORD}\n`);
    source = {
      url: `${server.url}/infra.git`,
      path: "deploy",
      cacheDir: path.join(scratch, "cache"),
      auth: { usernameFile: path.join(secrets, "username"), passwordFile: path.join(secrets, "password") },
    };
  });

  afterAll(async () => {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("fetches the branch, then sees a new commit, then no change; nothing secret is kept on disk", async () => {
    const fetched = await fetchRemote(source, { timeoutMs: 20_000 });
    expect(fetched).toEqual({ commit: first, directory: expect.stringContaining(first), changed: true });
    expect(readFileSync(path.join(fetched.directory, "web.yaml"), "utf8")).toBe(deployment(2));
    expect(existsSync(path.join(fetched.directory, "README.md"))).toBe(false);

    const second = repository.commit({ "deploy/web.yaml": deployment(5) });
    const moved = await fetchRemote(source, { timeoutMs: 20_000 });
    expect(moved.commit).toBe(second);
    expect(moved.changed).toBe(true);
    expect(readFileSync(path.join(moved.directory, "web.yaml"), "utf8")).toBe(deployment(5));
    // The reader of the earlier directory still has it: trees are replaced, never rewritten.
    expect(readFileSync(path.join(fetched.directory, "web.yaml"), "utf8")).toBe(deployment(2));
    expect(realpathSync(path.join(source.cacheDir, "current"))).toBe(path.dirname(moved.directory));

    const again = await fetchRemote(source, { timeoutMs: 20_000 });
    expect(again).toEqual({ commit: second, directory: moved.directory, changed: false });

    const config = readFileSync(path.join(source.cacheDir, "repository.git", "config"), "utf8");
    expect(config).not.toContain(PASSWORD);
    expect(config).not.toContain("Authorization");
    expect(config).not.toContain(server.url);
  });

  it("follows a named branch", async () => {
    const feature = repository.commit({ "deploy/web.yaml": deployment(9) }, "feature");
    const fetched = await fetchRemote(
      { ...source, branch: "feature", cacheDir: path.join(scratch, "cache-feature") },
      { timeoutMs: 20_000 },
    );
    expect(fetched.commit).toBe(feature);
    expect(readFileSync(path.join(fetched.directory, "web.yaml"), "utf8")).toBe(deployment(9));
  });

  it("refuses wrong credentials with one line that holds no secret", async () => {
    writeFileSync(path.join(secrets, "wrong"), "not-the-password-XYZ\n");
    const wrong: RemoteSource = {
      ...source,
      cacheDir: path.join(scratch, "cache-wrong"),
      auth: { usernameFile: path.join(secrets, "username"), passwordFile: path.join(secrets, "wrong") },
    };
    const error = (await fetchRemote(wrong, { timeoutMs: 20_000 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/authentication failed/);
    expect(error.message).not.toContain("\n");
    expect(error.message).not.toContain("not-the-password-XYZ");
    expect(error.message).not.toContain(Buffer.from("ada:not-the-password-XYZ").toString("base64"));
  });

  it("takes credentials in the URL off the command line and masks them in messages", async () => {
    const inUrl = `${server.url.replace("//", `//ada:${PASSWORD}@`)}/infra.git`;
    const fetched = await fetchRemote(
      { url: inUrl, cacheDir: path.join(scratch, "cache-url") },
      { timeoutMs: 20_000 },
    );
    expect(fetched.changed).toBe(true);
    const missing = `${server.url.replace("//", `//ada:${PASSWORD}@`)}/nothing-here.git`;
    const error = (await fetchRemote(
      { url: missing, cacheDir: path.join(scratch, "cache-url-missing") },
      { timeoutMs: 20_000 },
    ).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain(PASSWORD);
    expect(maskUrl(`see https://ada:${PASSWORD}@example.com/x.git`)).toBe(
      "see https://***@example.com/x.git",
    );
    expect(maskUrl("ssh://git@example.com/x.git")).toBe("ssh://git@example.com/x.git");
  });

  it("refuses URLs it must not use", async () => {
    const refuse = (url: string): Promise<unknown> =>
      fetchRemote({ url, cacheDir: path.join(scratch, "cache-refused") }).catch((e: unknown) => e);
    expect(String(await refuse("http://example.com/infra.git"))).toMatch(/only on loopback/);
    expect(String(await refuse("file:///etc"))).toMatch(/unsupported scheme/);
    expect(String(await refuse("ext::sh -c touch% /tmp/pwned"))).toMatch(/not a URL|unsupported scheme/);
    expect(
      String(await fetchRemote({ ...source, branch: "--upload-pack=x" }).catch((e: unknown) => e)),
    ).toMatch(/not a valid branch/);
  });

  it("keeps the last checkout when the server goes away", async () => {
    const local = { ...source, cacheDir: path.join(scratch, "cache-away") };
    const root = path.join(scratch, "served");
    const own = await startHttpGitServer(root, { username: "ada", password: PASSWORD });
    const viaOwn = { ...local, url: `${own.url}/infra.git` };
    const good = await fetchRemote(viaOwn, { timeoutMs: 20_000 });
    await own.close();
    const error = (await fetchRemote(viaOwn, { timeoutMs: 20_000 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^git fetch http:\/\/127\.0\.0\.1:\d+\/infra\.git: /);
    expect(error.message).not.toContain("\n");
    expect(readFileSync(path.join(good.directory, "web.yaml"), "utf8")).toContain("replicas");
    expect(realpathSync(path.join(local.cacheDir, "current"))).toBe(path.dirname(good.directory));
  });
});

describe("fetchRemote with a bearer token, and against a hanging server", () => {
  const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), "kubedrift-remote-")));
  let server: RunningServer;
  let hanging: RunningServer;
  let commit = "";

  beforeAll(async () => {
    const root = path.join(scratch, "served");
    commit = createRepository(root, "infra").commit({ "web.yaml": deployment(1) });
    server = await startHttpGitServer(root, { token: TOKEN });
    hanging = await startHangingServer();
  });

  afterAll(async () => {
    await server.close();
    await hanging.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("sends a token from the environment as a bearer token", async () => {
    process.env["KUBEDRIFT_TEST_GIT_TOKEN"] = TOKEN;
    const fetched = await fetchRemote(
      {
        url: `${server.url}/infra.git`,
        cacheDir: path.join(scratch, "cache"),
        auth: { tokenEnv: "KUBEDRIFT_TEST_GIT_TOKEN", tokenAs: "bearer" },
      },
      { timeoutMs: 20_000 },
    );
    expect(fetched.commit).toBe(commit);
  });

  it("cuts off a server that accepts the connection and never answers", async () => {
    const error = (await fetchRemote(
      { url: `${hanging.url}/infra.git`, cacheDir: path.join(scratch, "cache-hang") },
      { timeoutMs: 500 },
    ).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/timed out/);
    expect(hanging.requests()).toBeGreaterThan(0);
  });
});

describe("fetchRemote over git:// (git daemon)", () => {
  const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), "kubedrift-remote-")));
  let daemon: RunningServer;
  let repository: TestRepository;

  beforeAll(async () => {
    const root = path.join(scratch, "served");
    repository = createRepository(root, "infra");
    repository.commit({ "web.yaml": deployment(1) });
    daemon = await startGitDaemon(root);
  });

  afterAll(async () => {
    await daemon.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("polls: ready with the first commit, onChange on a new one (on trigger), errors kept in state", async () => {
    const changes: Fetched[] = [];
    const errors: Error[] = [];
    const source: RemoteSource = { url: `${daemon.url}/infra.git`, cacheDir: path.join(scratch, "cache") };
    const poller = pollRemote(source, {
      pollMs: 60_000,
      timeoutMs: 20_000,
      onChange: (fetched) => {
        changes.push(fetched);
      },
      onError: (error) => errors.push(error),
    });
    const ready = await poller.ready;
    expect(readFileSync(path.join(ready.directory, "web.yaml"), "utf8")).toBe(deployment(1));
    expect(poller.state()).toMatchObject({ lastCommit: ready.commit, consecutiveFailures: 0 });

    const next = repository.commit({ "web.yaml": deployment(4) });
    poller.trigger();
    await expect.poll(() => changes.length, { timeout: 20_000, interval: 50 }).toBe(1);
    expect(changes[0]?.commit).toBe(next);
    expect(readFileSync(path.join(changes[0]?.directory ?? "", "web.yaml"), "utf8")).toBe(deployment(4));

    await daemon.close();
    poller.trigger();
    await expect
      .poll(() => poller.state().lastError, { timeout: 20_000, interval: 50 })
      .toMatch(/^git fetch git:\/\//);
    expect(errors.length).toBeGreaterThan(0);
    expect(poller.state()).toMatchObject({ lastCommit: next, consecutiveFailures: 1 });
    expect(readFileSync(path.join(changes[0]?.directory ?? "", "web.yaml"), "utf8")).toBe(deployment(4));
    expect(changes).toHaveLength(1);
    await poller.close();
    expect(
      readdirSync(path.join(source.cacheDir, "trees")).filter((name) => !name.endsWith(".git")),
    ).toHaveLength(2);
  });

  it("starts from the cached checkout when the server is down at start", async () => {
    const source: RemoteSource = { url: `${daemon.url}/infra.git`, cacheDir: path.join(scratch, "cache") };
    const errors: Error[] = [];
    const poller = pollRemote(source, {
      pollMs: 60_000,
      timeoutMs: 5_000,
      onChange: () => undefined,
      onError: (e) => errors.push(e),
    });
    const ready = await poller.ready;
    expect(readFileSync(path.join(ready.directory, "web.yaml"), "utf8")).toBe(deployment(4));
    expect(errors).toHaveLength(1);
    expect(poller.state().lastError).toMatch(/git fetch/);
    await poller.close();
  });

  it("polls on its own every pollMs", async () => {
    const root = path.join(scratch, "served");
    const again = await startGitDaemon(root);
    const changes: Fetched[] = [];
    const poller = pollRemote(
      { url: `${again.url}/infra.git`, cacheDir: path.join(scratch, "cache-poll") },
      { pollMs: 50, timeoutMs: 20_000, onChange: (fetched) => void changes.push(fetched) },
    );
    await poller.ready;
    const next = repository.commit({ "web.yaml": deployment(7) });
    await expect.poll(() => changes.at(-1)?.commit, { timeout: 20_000, interval: 50 }).toBe(next);
    await poller.close();
    await again.close();
  });
});

describe("fetchRemote over SSH", () => {
  const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), "kubedrift-remote-")));

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // No sshd here: a stand-in `ssh` on PATH records what git runs it with and refuses, as a server would.
  it("runs ssh with the key, only that key, and strict checking against the given known_hosts", async () => {
    const bin = path.join(scratch, "bin");
    const record = path.join(scratch, "ssh-args");
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, "ssh"),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\necho 'git@example.com: Permission denied (publickey).' >&2\nexit 255\n`,
      { mode: 0o755 },
    );
    const saved = process.env["PATH"];
    process.env["PATH"] = `${bin}:${saved ?? ""}`;
    try {
      const error = (await fetchRemote(
        {
          url: "git@example.com:team/infra.git",
          cacheDir: path.join(scratch, "cache"),
          auth: { sshKeyFile: "/keys/id ed25519", knownHostsFile: "/keys/known_hosts" },
        },
        { timeoutMs: 20_000 },
      ).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/^git fetch git@example\.com:team\/infra\.git: /);
      expect(error.message).not.toContain("\n");
    } finally {
      process.env["PATH"] = saved;
    }
    const args = readFileSync(record, "utf8").split("\n");
    expect(args).toEqual(
      expect.arrayContaining([
        "BatchMode=yes",
        "StrictHostKeyChecking=yes",
        "-i",
        "/keys/id ed25519",
        "IdentitiesOnly=yes",
        "UserKnownHostsFile=/keys/known_hosts",
        "git@example.com",
      ]),
    );
  });
});

describe("verifyPushSignature", () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const secret = "hook-secret";
  const hmac = createHmac("sha256", secret).update(body).digest("hex");

  it("accepts GitHub's, Gitea's, GitLab's and a bearer proof of the secret", () => {
    expect(verifyPushSignature(body, { "x-hub-signature-256": `sha256=${hmac}` }, secret)).toBe(true);
    expect(verifyPushSignature(body, { "X-Gitea-Signature": hmac }, secret)).toBe(true);
    expect(verifyPushSignature(body, { "x-gitlab-token": secret }, secret)).toBe(true);
    expect(verifyPushSignature(body, { authorization: `Bearer ${secret}` }, secret)).toBe(true);
  });

  it("refuses a wrong signature, a changed body, a wrong token, no proof, and an empty secret", () => {
    expect(verifyPushSignature(body, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` }, secret)).toBe(
      false,
    );
    expect(verifyPushSignature(Buffer.from("{}"), { "x-hub-signature-256": `sha256=${hmac}` }, secret)).toBe(
      false,
    );
    expect(verifyPushSignature(body, { "x-gitlab-token": "hook-secreT" }, secret)).toBe(false);
    expect(verifyPushSignature(body, { authorization: `Basic ${secret}` }, secret)).toBe(false);
    expect(verifyPushSignature(body, {}, secret)).toBe(false);
    expect(verifyPushSignature(body, { authorization: "Bearer " }, "")).toBe(false);
  });
});
