// The desired state from a Git server: a shallow fetch of one branch into a bare cache, each commit
// checked out into a directory of its own, and a `current` pointer switched only once the tree is
// complete — a reader holds a directory that never changes under it.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readlink, rename, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";

import { SourceError } from "../types.js";
import type { GitSession, ParsedUrl, RemoteAuth } from "./remote-auth.js";
import { gitSession, maskUrl, parseRemoteUrl, runBounded } from "./remote-auth.js";

export type { RemoteAuth } from "./remote-auth.js";
export { maskUrl } from "./remote-auth.js";

export interface RemoteSource {
  /** https://…, http://… (loopback only unless allowInsecureHttp), ssh://…, git://…, or scp-like git@host:path. */
  readonly url: string;
  /** Default: the remote's HEAD (its default branch). */
  readonly branch?: string;
  /** A sub-directory of the repository the -f/-k/--terraform paths are relative to. */
  readonly path?: string;
  readonly auth?: RemoteAuth;
  /** Where the clone lives: a directory the caller owns; one fetch at a time per directory. */
  readonly cacheDir: string;
  /** Allows plain http:// to a host other than loopback. */
  readonly allowInsecureHttp?: boolean;
}

export interface Fetched {
  readonly commit: string;
  /** The checkout of `commit` (its `path` sub-directory): it does not change while it exists. */
  readonly directory: string;
  /** The commit differs from the one the cache held before (true on the first fetch into an empty cache). */
  readonly changed: boolean;
}

export interface FetchOptions {
  readonly signal?: AbortSignal;
  /** Per git command; default 60 s. A server that stops answering is cut off, never waited on. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** The current tree and the one before it: a reader that took the previous directory may still be reading it. */
const KEPT_TREES = 2;
const FETCHED_REF = "refs/kubedrift/fetched";

interface Layout {
  readonly repository: string;
  readonly trees: string;
  readonly current: string;
}

function layoutOf(cacheDir: string): Layout {
  const root = path.resolve(cacheDir);
  return {
    repository: path.join(root, "repository.git"),
    trees: path.join(root, "trees"),
    current: path.join(root, "current"),
  };
}

/** A branch name goes into a refspec: no option look-alikes, no refspec syntax. */
function checkBranch(branch: string | undefined): void {
  if (branch === undefined) return;
  const bad = branch === "" || branch.startsWith("-") || /[\s:^~?*[\\]|\.\.|@\{|\/$|\.lock$/.test(branch);
  if (bad) throw new SourceError(`--git-branch "${branch}" is not a valid branch name`);
}

/** The sub-directory, relative and inside the repository. */
function subPath(sourcePath: string | undefined): string {
  if (sourcePath === undefined) return "";
  const normal = path.normalize(sourcePath).replace(/\/+$/, "");
  const outside = path.isAbsolute(normal) || normal === ".." || normal.startsWith(`..${path.sep}`);
  if (outside) throw new SourceError(`--git-path ${sourcePath} must be a directory inside the repository`);
  return normal === "." ? "" : normal;
}

interface Context {
  readonly source: RemoteSource;
  readonly parsed: ParsedUrl;
  readonly layout: Layout;
  readonly session: GitSession;
  readonly options: FetchOptions;
}

function scrub(text: string, context: Context): string {
  let shown = maskUrl(text);
  for (const secret of context.session.secrets) shown = shown.split(secret).join("***");
  return shown;
}

/** git's own first error line, without its prefixes, credentials and secrets. */
function gitReason(stderr: string, context: Context): string {
  const lines = stderr.split("\n").map((line) => line.trim());
  const line =
    lines.find((text) => /^(fatal|error):/.test(text)) ?? lines.find((text) => text !== "") ?? "git failed";
  const reason = line.replace(/^(fatal|error):\s*/, "");
  if (/Authentication failed|could not read (Username|Password)|\b40[13]\b/.test(reason))
    return `authentication failed (${scrub(reason, context)})`;
  return scrub(reason, context);
}

function what(context: Context): string {
  const branch = context.source.branch === undefined ? "" : ` (branch ${context.source.branch})`;
  return `git fetch ${context.parsed.safe}${branch}`;
}

async function git(args: readonly string[], context: Context, cwd: string): Promise<string> {
  const timeoutMs = context.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const result = await runBounded(args, {
    cwd,
    env: context.session.env,
    timeoutMs,
    signal: context.options.signal,
  });
  if (result.code === 0) return result.stdout;
  if (result.missing === true) throw new SourceError("--git-url needs the git binary on PATH");
  if (result.killed === "timeout")
    throw new SourceError(
      `${what(context)}: timed out after ${Math.round(timeoutMs / 100) / 10} s (no answer from the server)`,
    );
  if (result.killed === "aborted") throw new SourceError(`${what(context)}: stopped`);
  throw new SourceError(`${what(context)}: ${gitReason(result.stderr, context)}`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function ensureRepository(context: Context): Promise<void> {
  const { repository } = context.layout;
  if (await exists(path.join(repository, "HEAD"))) return;
  await mkdir(context.layout.trees, { recursive: true });
  // No remote is configured: the URL is given to each fetch, so .git/config never holds it.
  await git(["init", "--quiet", "--bare", repository], context, context.layout.trees);
}

async function fetchCommit(context: Context): Promise<string> {
  const { repository } = context.layout;
  const from = context.source.branch === undefined ? "HEAD" : `refs/heads/${context.source.branch}`;
  const args = [
    "--git-dir",
    repository,
    "fetch",
    "--quiet",
    "--depth",
    "1",
    "--no-tags",
    "--no-write-fetch-head",
  ];
  await git([...args, "--", context.parsed.safe, `+${from}:${FETCHED_REF}`], context, repository);
  const commit = await git(
    ["--git-dir", repository, "rev-parse", "--verify", `${FETCHED_REF}^{commit}`],
    context,
    repository,
  );
  return commit.trim();
}

/** The commit the `current` pointer names, if any: the last good checkout, kept across restarts. */
async function currentCommit(layout: Layout): Promise<string | undefined> {
  const target = await readlink(layout.current).catch(() => undefined);
  return target === undefined ? undefined : path.basename(target);
}

/** Writes the commit's tree through an index of our own into a scratch directory, then renames it into place. */
async function materialize(commit: string, context: Context): Promise<string> {
  const tree = path.join(context.layout.trees, commit);
  if (await exists(tree)) return tree;
  const scratch = path.join(context.layout.trees, `.incoming-${randomBytes(6).toString("hex")}`);
  const env = { ...context.session.env, GIT_INDEX_FILE: `${scratch}.index` };
  const local: Context = { ...context, session: { ...context.session, env } };
  // A bare repository has no work tree: the scratch directory is one for these two commands.
  const gitDir = ["--git-dir", context.layout.repository, "--work-tree", scratch];
  try {
    await mkdir(scratch, { recursive: true });
    await git([...gitDir, "read-tree", commit], local, scratch);
    await git([...gitDir, "checkout-index", "--all", "--force"], local, scratch);
    await rename(scratch, tree);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(`${scratch}.index`, { force: true });
  }
  return tree;
}

/** A symbolic link replaced by rename: readers of `current` see the old tree or the new, never neither. */
async function pointAt(commit: string, layout: Layout): Promise<void> {
  const temporary = `${layout.current}.${randomBytes(6).toString("hex")}`;
  await symlink(path.join("trees", commit), temporary);
  await rename(temporary, layout.current);
}

async function pruneTrees(keep: readonly string[], layout: Layout): Promise<void> {
  const entries = await readdir(layout.trees).catch(() => [] as string[]);
  const stale = entries.filter((name) => !keep.includes(name) && !name.endsWith(".git"));
  await Promise.all(stale.map((name) => rm(path.join(layout.trees, name), { recursive: true, force: true })));
}

async function directoryAt(tree: string, context: Context, commit: string): Promise<string> {
  const sub = subPath(context.source.path);
  const directory = path.join(tree, sub);
  const found = await stat(directory).catch(() => undefined);
  if (found?.isDirectory() !== true)
    throw new SourceError(
      `--git-path ${sub} is not a directory of ${context.parsed.safe} at ${commit.slice(0, 7)}`,
    );
  return directory;
}

async function contextOf(source: RemoteSource, options: FetchOptions): Promise<Context> {
  const parsed = parseRemoteUrl(source.url, source.allowInsecureHttp === true);
  checkBranch(source.branch);
  subPath(source.path);
  const session = await gitSession(parsed, source.auth);
  return { source, parsed, layout: layoutOf(source.cacheDir), session, options };
}

/**
 * Fetches the branch's tip and checks it out under `cacheDir` (see `Fetched`). A failure throws a
 * `SourceError` with a one-line message (URL masked, no secret) and leaves the last checkout as it was.
 */
export async function fetchRemote(source: RemoteSource, options: FetchOptions = {}): Promise<Fetched> {
  const context = await contextOf(source, options);
  await ensureRepository(context);
  const commit = await fetchCommit(context);
  const previous = await currentCommit(context.layout);
  const tree = await materialize(commit, context);
  const directory = await directoryAt(tree, context, commit);
  if (previous !== commit) await pointAt(commit, context.layout);
  await pruneTrees(
    [commit, ...(previous === undefined ? [] : [previous])].slice(0, KEPT_TREES),
    context.layout,
  );
  return { commit, directory, changed: previous !== commit };
}

/** The checkout the cache holds from an earlier run (the last good state), without asking the server. */
export async function cachedRemote(source: RemoteSource): Promise<Fetched | undefined> {
  const layout = layoutOf(source.cacheDir);
  const commit = await currentCommit(layout);
  if (commit === undefined) return undefined;
  const directory = path.join(layout.trees, commit, subPath(source.path));
  return (await exists(directory)) ? { commit, directory, changed: false } : undefined;
}
