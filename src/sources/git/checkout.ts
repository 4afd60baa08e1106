import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { SourceRevision } from "../../model/index.js";
import { SourceError } from "../types.js";
import type { GitOptions } from "./run.js";
import { firstLine, runGit } from "./run.js";

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
