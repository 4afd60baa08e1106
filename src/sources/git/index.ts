import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { Blame, SourceRevision } from "../../model/index.js";
import { SourceError } from "../types.js";
import { formatTime } from "../../kube/time.js";

/** The sources as they are at a revision, in a directory of their own. */
export interface GitCheckout {
  /** A temporary directory mirroring the repository's tree at the revision. */
  readonly root: string;
  readonly revision: SourceRevision;
  /** A path as the user wrote it (relative to cwd, or absolute) → the same file in the checkout. */
  readonly toCheckout: (userPath: string) => string;
  /** A path in the checkout → the path as the user would write it (relative to cwd); other paths unchanged. */
  readonly fromCheckout: (checkoutPath: string) => string;
  /** A message (a loader's error) with every checkout path in it written as the user's path. */
  readonly fromCheckoutMessage: (message: string) => string;
  readonly cleanup: () => Promise<void>;
}

export interface GitOptions {
  readonly cwd: string;
  readonly gitPath?: string;
  readonly env?: NodeJS.ProcessEnv;
}

type GitResult =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly missing: boolean; readonly stderr: string };

function runGit(args: readonly string[], options: GitOptions): Promise<GitResult> {
  // Messages are parsed and shown: keep them in English whatever the user's locale.
  const env = { ...(options.env ?? process.env), LC_ALL: "C", LANGUAGE: "" };
  return new Promise((resolve) => {
    execFile(
      options.gitPath ?? "git",
      [...args],
      { cwd: options.cwd, env, maxBuffer: 1024 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ ok: true, stdout });
        const missing = "code" in error && error.code === "ENOENT";
        resolve({ ok: false, missing, stderr });
      },
    );
  });
}

function firstLine(stderr: string): string {
  const line = stderr.split("\n").find((text) => text.trim() !== "") ?? "git failed";
  return line.replace(/^(fatal|error):\s*/, "");
}

async function gitOk(args: readonly string[], options: GitOptions, what: string): Promise<string> {
  const result = await runGit(args, options);
  if (result.ok) return result.stdout;
  if (result.missing) throw new SourceError("--git-ref needs the git binary on PATH");
  throw new SourceError(`${what}: ${firstLine(result.stderr)}`);
}

interface Repository {
  readonly toplevel: string;
  /** The working directory relative to the top level, `/`-separated, "" at the top. */
  readonly prefix: string;
}

async function findRepository(options: GitOptions): Promise<Repository> {
  const output = await gitOk(
    ["rev-parse", "--show-toplevel", "--show-prefix"],
    options,
    `--git-ref needs a Git repository, and ${options.cwd} is not in one`,
  );
  const [toplevel = "", prefix = ""] = output.split("\n");
  return { toplevel, prefix: prefix.replace(/\/$/, "") };
}

async function resolveCommit(ref: string, options: GitOptions): Promise<string> {
  const result = await runGit(["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], options);
  if (result.ok) return result.stdout.trim();
  if (result.missing) throw new SourceError("--git-ref needs the git binary on PATH");
  throw new SourceError(`unknown git revision "${ref}": not a branch, tag or commit of this repository`);
}

/**
 * Writes the tree through an index file of our own: the user's index and working tree are never
 * read or written, and checkout-index gives files as Git would check them out (symbolic links,
 * executable bits, line-ending attributes), which `git archive` would not for export-ignored files.
 */
async function materialize(commit: string, root: string, options: GitOptions): Promise<void> {
  const env = { ...(options.env ?? process.env), GIT_INDEX_FILE: path.join(root, "index") };
  const tree = path.join(root, "tree");
  await gitOk(["read-tree", commit], { ...options, env }, `cannot read the tree of ${commit}`);
  await gitOk(
    ["checkout-index", "--all", "--force", `--prefix=${tree}${path.sep}`],
    { ...options, env },
    `cannot check out ${commit}`,
  );
}

function isOutside(relative: string): boolean {
  return relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

interface PathMapping {
  readonly repository: Repository;
  readonly tree: string;
  readonly cwd: string;
}

/** Relative paths go through git's prefix, so a symbolic link in the way to cwd does not matter. */
function repositoryPath(userPath: string, mapping: PathMapping): string {
  if (!path.isAbsolute(userPath)) return path.join(mapping.repository.prefix, userPath);
  const fromTop = path.relative(mapping.repository.toplevel, userPath);
  if (!isOutside(fromTop)) return fromTop;
  return path.join(mapping.repository.prefix, path.relative(mapping.cwd, userPath));
}

function checkoutPath(userPath: string, mapping: PathMapping): string {
  const inRepository = repositoryPath(userPath, mapping);
  if (isOutside(inRepository))
    throw new SourceError(
      `${userPath} is outside the Git repository ${mapping.repository.toplevel}: --git-ref reads only files in it`,
    );
  return path.join(mapping.tree, inRepository);
}

function userPathOf(checkoutFile: string, mapping: PathMapping): string {
  const inRepository = path.relative(mapping.tree, checkoutFile);
  if (isOutside(inRepository) || !path.isAbsolute(checkoutFile)) return checkoutFile;
  const fromCwd = path.relative(mapping.repository.prefix, inRepository);
  return fromCwd === "" ? "." : fromCwd;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Paths in messages end at whitespace, a quote or a `:line` suffix. */
function messageFromCheckout(message: string, mapping: PathMapping): string {
  const inTree = new RegExp(`${escapeRegExp(mapping.tree)}(?:${escapeRegExp(path.sep)}[^\\s:"'\`]*)?`, "g");
  return message.replace(inTree, (found) => userPathOf(found, mapping));
}

/**
 * The repository enclosing `cwd` as it is at `ref`, checked out into a temporary directory, so that
 * the ordinary loaders read it: run them on `toCheckout(path)` (or with `toCheckout(".")` as their
 * cwd, which keeps relative paths as written) and report `fromCheckout(source.file)`.
 */
export async function checkoutRef(ref: string, options: GitOptions): Promise<GitCheckout> {
  const repository = await findRepository(options);
  const commit = await resolveCommit(ref, options);
  const root = await mkdtemp(path.join(tmpdir(), "kubedrift-git-"));
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    await materialize(commit, root, options);
  } catch (error: unknown) {
    await cleanup();
    throw error;
  }
  const mapping: PathMapping = { repository, tree: path.join(root, "tree"), cwd: path.resolve(options.cwd) };
  return {
    root: mapping.tree,
    revision: { ref, commit },
    toCheckout: (userPath) => checkoutPath(userPath, mapping),
    fromCheckout: (checkoutFile) => userPathOf(checkoutFile, mapping),
    fromCheckoutMessage: (message) => messageFromCheckout(message, mapping),
    cleanup,
  };
}

export interface BlameOptions {
  readonly cwd: string;
  /** The revision the line is read at; the working tree's file when absent. */
  readonly ref?: string;
  readonly gitPath?: string;
}

const shortCommitLength = 12;

/** `+0130` → `+01:30`; UTC as `Z`. */
function rfc3339(seconds: number, zone: string): string {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (match === null || (match[2] === "00" && match[3] === "00")) return formatTime(new Date(seconds * 1000));
  const offsetMinutes = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  const local = formatTime(new Date((seconds + offsetMinutes * 60) * 1000)).slice(0, -1);
  return `${local}${match[1]}${match[2]}:${match[3]}`;
}

function porcelainHeaders(output: string): ReadonlyMap<string, string> {
  const headers = new Map<string, string>();
  for (const line of output.split("\n")) {
    if (line.startsWith("\t")) break;
    const space = line.indexOf(" ");
    if (space > 0 && !headers.has(line.slice(0, space)))
      headers.set(line.slice(0, space), line.slice(space + 1));
  }
  return headers;
}

function parsePorcelain(output: string): Blame | undefined {
  const commit = /^([0-9a-f]{40,64}) /.exec(output)?.[1];
  // All zeros: a line not committed yet, which no commit can be named for.
  if (commit === undefined || /^0+$/.test(commit)) return undefined;
  const headers = porcelainHeaders(output);
  const time = Number(headers.get("author-time"));
  return {
    commit: commit.slice(0, shortCommitLength),
    author: headers.get("author") ?? "",
    date: Number.isFinite(time) ? rfc3339(time, headers.get("author-tz") ?? "+0000") : "",
    summary: headers.get("summary") ?? "",
  };
}

/**
 * The commit that last changed one line of a file (`git blame --porcelain`): undefined where Git
 * cannot say (a file or line not in the revision, a line not committed yet, no repository), since a
 * missing blame must not fail a drift report.
 */
export async function blameLine(
  file: string,
  line: number,
  options: BlameOptions,
): Promise<Blame | undefined> {
  // git blame takes no --end-of-options (2.39): a revision that looks like an option is refused here.
  if (options.ref?.startsWith("-") === true) return undefined;
  const revision = options.ref === undefined ? [] : [options.ref];
  const result = await runGit(
    ["blame", "--porcelain", "-L", `${line},${line}`, ...revision, "--", file],
    options,
  );
  return result.ok ? parsePorcelain(result.stdout) : undefined;
}
