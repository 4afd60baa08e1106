import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadSources } from "../index.js";
import { SourceError } from "../types.js";
import { blameLine, checkoutRef } from "./index.js";

function deployment(replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: ${replicas}
`;
}

interface Commit {
  readonly author: string;
  readonly date: string;
  readonly message: string;
}

/** A repository whose commits are reproducible: fixed authors and dates, no user configuration read. */
function git(repository: string, args: readonly string[], commit?: Commit): string {
  return execFileSync("git", [...args], {
    cwd: repository,
    encoding: "utf8",
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: repository,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: commit?.author ?? "nobody",
      GIT_AUTHOR_EMAIL: "dev@example.com",
      GIT_AUTHOR_DATE: commit?.date ?? "2026-01-01T00:00:00Z",
      GIT_COMMITTER_NAME: commit?.author ?? "nobody",
      GIT_COMMITTER_EMAIL: "dev@example.com",
      GIT_COMMITTER_DATE: commit?.date ?? "2026-01-01T00:00:00Z",
    },
  });
}

function commitAll(repository: string, commit: Commit): string {
  git(repository, ["add", "--all"]);
  git(repository, ["commit", "--quiet", "--message", commit.message], commit);
  return git(repository, ["rev-parse", "HEAD"]).trim();
}

describe("checkoutRef and blameLine", () => {
  const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), "kubedrift-gitref-")));
  const repository = path.join(scratch, "infra");
  let first = "";
  let second = "";

  beforeAll(() => {
    mkdirSync(path.join(repository, "deploy"), { recursive: true });
    git(repository, ["init", "--quiet", "--initial-branch=main"]);
    writeFileSync(path.join(repository, "deploy", "web.yaml"), deployment(2));
    writeFileSync(path.join(repository, "README.md"), "infra\n");
    first = commitAll(repository, {
      author: "Ada",
      date: "2026-03-01T09:00:00+01:00",
      message: "web: two replicas",
    });
    git(repository, ["tag", "v1"]);
    writeFileSync(path.join(repository, "deploy", "web.yaml"), deployment(3));
    writeFileSync(
      path.join(repository, "deploy", "api.yaml"),
      deployment(1).replace("name: web", "name: api"),
    );
    second = commitAll(repository, {
      author: "Grace",
      date: "2026-03-02T10:30:00Z",
      message: "web: three replicas",
    });
    // A local edit that neither revision has: --git-ref must not see it, nor change it.
    writeFileSync(path.join(repository, "deploy", "web.yaml"), deployment(9));
    git(repository, ["add", "deploy/web.yaml"]);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("checks out each revision's files, leaving the working tree and index alone", async () => {
    const atFirst = await checkoutRef("v1", { cwd: repository });
    const atSecond = await checkoutRef("main", { cwd: repository });
    try {
      expect(atFirst.revision).toEqual({ ref: "v1", commit: first });
      expect(atSecond.revision).toEqual({ ref: "main", commit: second });
      expect(readFileSync(atFirst.toCheckout("deploy/web.yaml"), "utf8")).toBe(deployment(2));
      expect(readFileSync(atSecond.toCheckout("deploy/web.yaml"), "utf8")).toBe(deployment(3));
      expect(existsSync(atFirst.toCheckout("deploy/api.yaml"))).toBe(false);
      expect(existsSync(atSecond.toCheckout("deploy/api.yaml"))).toBe(true);
    } finally {
      await atFirst.cleanup();
      await atSecond.cleanup();
    }
    expect(existsSync(atFirst.root)).toBe(false);
    expect(readFileSync(path.join(repository, "deploy", "web.yaml"), "utf8")).toBe(deployment(9));
    expect(git(repository, ["status", "--porcelain"])).toBe("M  deploy/web.yaml\n");
  });

  it("maps paths between the user's working directory and the checkout, from a subdirectory too", async () => {
    const fromSubdirectory = await checkoutRef(first, { cwd: path.join(repository, "deploy") });
    try {
      const inCheckout = fromSubdirectory.toCheckout("web.yaml");
      expect(inCheckout).toBe(path.join(fromSubdirectory.root, "deploy", "web.yaml"));
      expect(fromSubdirectory.toCheckout(path.join(repository, "deploy", "web.yaml"))).toBe(inCheckout);
      expect(fromSubdirectory.fromCheckout(inCheckout)).toBe("web.yaml");
      expect(fromSubdirectory.fromCheckout(path.join(fromSubdirectory.root, "README.md"))).toBe(
        "../README.md",
      );
      expect(fromSubdirectory.fromCheckout("web.yaml")).toBe("web.yaml");
      expect(() => fromSubdirectory.toCheckout("../../elsewhere.yaml")).toThrow(
        new SourceError(
          `../../elsewhere.yaml is outside the Git repository ${repository}: --git-ref reads only files in it`,
        ),
      );
    } finally {
      await fromSubdirectory.cleanup();
    }
  });

  it("rewrites checkout paths in a loader's error message as the user's paths", async () => {
    const checkout = await checkoutRef("v1", { cwd: repository });
    try {
      const error = await loadSources({
        filenames: [checkout.toCheckout("deploy/missing.yaml")],
        kustomize: [],
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SourceError);
      expect(checkout.fromCheckoutMessage((error as SourceError).message)).toBe(
        "no such file or directory: deploy/missing.yaml",
      );
      expect(
        checkout.fromCheckoutMessage(
          `${checkout.toCheckout("deploy/web.yaml")}:7:3: bad indentation, "${checkout.root}"`,
        ),
      ).toBe('deploy/web.yaml:7:3: bad indentation, "."');
    } finally {
      await checkout.cleanup();
    }
  });

  it("lets the ordinary loaders read the checkout, with files named as the user wrote them", async () => {
    const checkout = await checkoutRef("v1", { cwd: repository });
    try {
      const loaded = await loadSources(
        { filenames: ["deploy"], kustomize: [] },
        { cwd: checkout.toCheckout(".") },
      );
      expect(loaded.objects.map((object) => [object.source.file, object.object["spec"]])).toEqual([
        ["deploy/web.yaml", { replicas: 2 }],
      ]);
      const absolute = await loadSources({ filenames: [checkout.toCheckout("deploy")], kustomize: [] });
      expect(absolute.objects.map((object) => checkout.fromCheckout(object.source.file))).toEqual([
        "deploy/web.yaml",
      ]);
    } finally {
      await checkout.cleanup();
    }
  });

  it("fails in one line for an unknown revision, outside a repository, and without git", async () => {
    await expect(checkoutRef("nope", { cwd: repository })).rejects.toThrow(
      new SourceError('unknown git revision "nope": not a branch, tag or commit of this repository'),
    );
    await expect(checkoutRef("--all", { cwd: repository })).rejects.toThrow(
      new SourceError('unknown git revision "--all": not a branch, tag or commit of this repository'),
    );
    const outside = path.join(scratch, "not-a-repository");
    mkdirSync(outside, { recursive: true });
    await expect(
      checkoutRef("main", {
        cwd: outside,
        env: { PATH: process.env["PATH"] ?? "", GIT_CEILING_DIRECTORIES: scratch },
      }),
    ).rejects.toThrow(
      new SourceError(
        `--git-ref needs a Git repository, and ${outside} is not in one: not a git repository (or any of the parent directories): .git`,
      ),
    );
    await expect(
      checkoutRef("main", { cwd: repository, gitPath: path.join(scratch, "no-git") }),
    ).rejects.toThrow(new SourceError("--git-ref needs the git binary on PATH"));
  });

  it("blames a line on the commit that last changed it, at a revision", async () => {
    expect(await blameLine("deploy/web.yaml", 7, { cwd: repository, ref: "main" })).toEqual({
      commit: second.slice(0, 12),
      author: "Grace",
      date: "2026-03-02T10:30:00Z",
      summary: "web: three replicas",
    });
    expect(await blameLine("deploy/web.yaml", 7, { cwd: repository, ref: "v1" })).toEqual({
      commit: first.slice(0, 12),
      author: "Ada",
      date: "2026-03-01T09:00:00+01:00",
      summary: "web: two replicas",
    });
    expect(await blameLine("web.yaml", 4, { cwd: path.join(repository, "deploy"), ref: "main" })).toEqual({
      commit: first.slice(0, 12),
      author: "Ada",
      date: "2026-03-01T09:00:00+01:00",
      summary: "web: two replicas",
    });
  });

  it("has no blame for a line not committed, past the end, or in a file the revision lacks", async () => {
    expect(await blameLine("deploy/web.yaml", 7, { cwd: repository })).toBeUndefined();
    expect(await blameLine("deploy/web.yaml", 4, { cwd: repository })).toEqual({
      commit: first.slice(0, 12),
      author: "Ada",
      date: "2026-03-01T09:00:00+01:00",
      summary: "web: two replicas",
    });
    expect(await blameLine("deploy/web.yaml", 99, { cwd: repository, ref: "main" })).toBeUndefined();
    expect(await blameLine("deploy/api.yaml", 1, { cwd: repository, ref: "v1" })).toBeUndefined();
  });
});
