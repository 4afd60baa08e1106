// The trigger of `kubedrift watch`'s reload: it says when the desired state may have changed (a source
// file, or the commit a Git ref names), never what it now is; the caller reloads.
import type { Dirent, FSWatcher } from "node:fs";
import { readdirSync, statSync, watch } from "node:fs";
import path from "node:path";

import type { GitResult } from "./git/run.js";
import { firstLine, runGit } from "./git/run.js";
import { SourceError } from "./types.js";

export interface SourceChangeOptions {
  /** Files and directories to watch (recursive for directories): the -f/-k/--terraform paths. "-" (stdin) is skipped. */
  readonly paths: readonly string[];
  /** Poll this Git revision (e.g. "main", "origin/main", a tag) in the repository at `cwd`; with fetch when the repo has a remote. */
  readonly git?: { readonly ref: string; readonly cwd: string; readonly pollMs: number };
  /** Changes that arrive within this window are one reload (editors write files in several steps). Default 300 ms. */
  readonly debounceMs?: number;
  /** Called once per settled change; `why` says what moved ("deploy/web.yaml changed", "main moved to 1a2b3c4"). Never called concurrently: a change during a running onChange triggers one more call after it. */
  readonly onChange: (why: string) => Promise<void> | void;
  readonly onError?: (error: Error) => void;
}

export interface SourceChanges {
  /**
   * Settles once the paths are watched and the Git ref's current commit is known (it never rejects).
   * Load the desired state after it: a change between the two is then one extra reload, not a missed one.
   */
  readonly ready: Promise<void>;
  /** Stops watching and polling; settles when a running onChange has returned. No onChange call follows. */
  close(): Promise<void>;
}

const DEFAULT_DEBOUNCE_MS = 300;
const SHOWN_REASONS = 3;
const MAX_WAIT_DEBOUNCES = 10;

/** Editors' scratch files (vim's swap and backup files, emacs' lock files) come and go around every save. */
const SCRATCH = /(\.sw[a-px]|~)$|^\.#/;

interface Sink {
  notify(why: string): void;
  report(error: Error): void;
}

export function watchSourceChanges(options: SourceChangeOptions): SourceChanges {
  const report = options.onError ?? ((error: Error) => process.emitWarning(error));
  const trigger = new Trigger(options.debounceMs ?? DEFAULT_DEBOUNCE_MS, options.onChange, report);
  const sink: Sink = { notify: (why) => trigger.notify(why), report };
  const watches = watchPaths(options.paths, sink);
  const poller = options.git === undefined ? undefined : new GitPoller(options.git, sink);
  const ready = poller?.start() ?? Promise.resolve();
  const close = async (): Promise<void> => {
    poller?.stop();
    for (const watched of watches) watched.close();
    await trigger.close();
  };
  return { ready, close };
}

/** Turns bursts of reasons into one onChange call at a time. */
class Trigger {
  private readonly reasons = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private cap: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly debounceMs: number,
    private readonly onChange: SourceChangeOptions["onChange"],
    private readonly report: (error: Error) => void,
  ) {}

  notify(why: string): void {
    if (this.closed) return;
    this.reasons.add(why);
    // Restarted on every event: an editor's save or a checkout is many events, the reload wants their end.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), this.debounceMs).unref();
    // But a file that never stops changing (a log beside the manifests) must not hold reloads off forever.
    this.cap ??= setTimeout(() => this.settle(), this.debounceMs * MAX_WAIT_DEBOUNCES).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopTimers();
    await this.running;
  }

  private stopTimers(): void {
    clearTimeout(this.timer);
    clearTimeout(this.cap);
    this.timer = undefined;
    this.cap = undefined;
  }

  private settle(): void {
    this.stopTimers();
    // A running drain takes these reasons when its call returns.
    if (this.closed || this.running !== undefined) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    // While a timer runs, events are still arriving: its settle() starts the next call.
    while (!this.closed && this.reasons.size > 0 && this.timer === undefined) {
      const why = summary(this.reasons);
      this.reasons.clear();
      await this.deliver(why);
    }
  }

  private async deliver(why: string): Promise<void> {
    try {
      await this.onChange(why);
    } catch (error) {
      this.report(asError(error));
    }
  }
}

/** The reasons of one call, the first few spelled out: a checkout can touch hundreds of files. */
function summary(reasons: ReadonlySet<string>): string {
  const shown = [...reasons].slice(0, SHOWN_REASONS).join(", ");
  const more = reasons.size - SHOWN_REASONS;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

interface Closable {
  close(): void;
}

function watchPaths(paths: readonly string[], sink: Sink): readonly Closable[] {
  const watches: Closable[] = [];
  // Plain files are watched through their directory, one watcher per directory: file name → path shown.
  const files = new Map<string, Map<string, string>>();
  for (const given of paths) {
    const kind = given === "-" ? undefined : kindOf(given, sink);
    if (kind === "directory") watches.push(new TreeWatch(given, sink));
    if (kind !== "file") continue;
    const directory = path.resolve(path.dirname(given));
    const names = files.get(directory) ?? new Map<string, string>();
    files.set(directory, names.set(path.basename(given), given));
  }
  for (const [directory, names] of files) {
    const watcher = watchDirectory(directory, (name) => notifyNamed(names, name, sink), sink);
    if (watcher !== undefined) watches.push(watcher);
  }
  return watches;
}

/**
 * The kubelet updates a mounted ConfigMap or Secret by swapping the `..data` symlink its files
 * point through (its atomic writer): the file's own name never shows up in the directory's events.
 */
const kubeletDataLink = "..data";

function notifyNamed(names: ReadonlyMap<string, string>, name: string | null, sink: Sink): void {
  if (name === kubeletDataLink) {
    for (const shown of names.values()) sink.notify(`${shown} changed`);
    return;
  }
  const shown = name === null ? undefined : names.get(name);
  if (shown !== undefined) sink.notify(`${shown} changed`);
}

function kindOf(given: string, sink: Sink): "directory" | "file" | undefined {
  try {
    return statSync(given).isDirectory() ? "directory" : "file";
  } catch (error) {
    sink.report(new SourceError(`cannot watch ${given}: ${fsReason(error)}`, { cause: error }));
    return undefined;
  }
}

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file or directory" : asError(error).message;
}

/**
 * A directory watched recursively with one non-recursive watcher per directory. Node's own recursive
 * watch on Linux watches each file's inode, and so goes deaf to a file once it has been replaced by
 * rename, which is how editors and `git checkout` write; a directory's watcher hears its entries whatever
 * their inode.
 */
class TreeWatch implements Closable {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly root: string;

  constructor(
    private readonly shown: string,
    private readonly sink: Sink,
  ) {
    this.root = path.resolve(shown);
    this.add(this.root);
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private add(directory: string): void {
    if (this.watchers.has(directory)) return;
    const watcher = watchDirectory(directory, (name) => this.changed(directory, name), this.sink);
    if (watcher === undefined) return;
    this.watchers.set(directory, watcher);
    for (const entry of entriesOf(directory))
      if (entry.isDirectory() && !ignored(entry.name)) this.add(path.join(directory, entry.name));
  }

  private changed(directory: string, name: string | null): void {
    if (name === null) return this.sink.notify(`${this.shown} changed`);
    if (ignored(name)) return;
    const changed = path.join(directory, name);
    this.sink.notify(`${path.join(this.shown, path.relative(this.root, changed))} changed`);
    if (isDirectory(changed)) this.add(changed);
    else this.drop(changed);
  }

  /** Closes the watchers of a directory that went away, and of everything that was below it. */
  private drop(gone: string): void {
    for (const [directory, watcher] of this.watchers) {
      if (directory !== gone && !directory.startsWith(gone + path.sep)) continue;
      watcher.close();
      this.watchers.delete(directory);
    }
  }
}

function ignored(name: string): boolean {
  return name === ".git" || SCRATCH.test(name);
}

function entriesOf(directory: string): readonly Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    // Gone between its event and this read: its parent's watcher reports that.
    return [];
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function watchDirectory(
  directory: string,
  onName: (name: string | null) => void,
  sink: Sink,
): FSWatcher | undefined {
  try {
    // Not persistent: the watch loop, not its trigger, decides how long the process lives.
    const watcher = watch(directory, { persistent: false }, (_event, name) => onName(name));
    watcher.on("error", (error) => sink.report(asError(error)));
    return watcher;
  } catch (error) {
    // A directory removed since it was listed is no error; anything else (EACCES, ENOSPC) is.
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") sink.report(asError(error));
    return undefined;
  }
}

type GitSpec = NonNullable<SourceChangeOptions["git"]>;

/** Polls the commit a Git ref names, fetching first when the repository has a remote. */
class GitPoller {
  private commit: string | undefined;
  private remotes: readonly string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last error shown per operation: a failure repeated on every poll is shown once. */
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly spec: GitSpec,
    private readonly sink: Sink,
  ) {}

  async start(): Promise<void> {
    this.remotes = await this.listRemotes();
    this.commit = await this.resolve();
    // The first poll comes at once: a remote ahead of the local copy is a change to load now.
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    // The next poll is timed from the end of this one: a slow fetch never piles polls up.
    this.timer = setTimeout(() => void this.poll(), delayMs).unref();
  }

  private async poll(): Promise<void> {
    await this.fetch();
    const commit = await this.resolve();
    if (!this.stopped && commit !== undefined && commit !== this.commit) {
      this.commit = commit;
      this.sink.notify(`${this.spec.ref} moved to ${commit.slice(0, 7)}`);
    }
    this.schedule(this.spec.pollMs);
  }

  private async listRemotes(): Promise<readonly string[]> {
    const result = await this.git("remote", ["remote"]);
    return result === undefined ? [] : result.split("\n").filter((line) => line.trim() !== "");
  }

  private async fetch(): Promise<void> {
    if (this.remotes.length === 0) return;
    // "upstream/main" is fetched from upstream; anything else from the remote git picks (the upstream or origin).
    const remote = this.remotes.find((name) => this.spec.ref.startsWith(`${name}/`));
    await this.git("fetch", ["fetch", "--quiet", ...(remote === undefined ? [] : [remote])]);
  }

  private async resolve(): Promise<string | undefined> {
    const ref = this.spec.ref;
    const commit = await this.git("rev-parse", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return commit?.trim();
  }

  /** stdout, or undefined after telling onError (once per kind of failure). */
  private async git(operation: string, args: readonly string[]): Promise<string | undefined> {
    // No credential prompt: nobody is there to answer it, and the poll would hang on it.
    const env = { ...process.env, GIT_TERMINAL_PROMPT: "0" };
    const result = await runGit(args, { cwd: this.spec.cwd, env });
    if (result.ok) this.shown.delete(operation);
    else this.failed(operation, this.describe(operation, result));
    return result.ok ? result.stdout : undefined;
  }

  private describe(operation: string, result: Extract<GitResult, { ok: false }>): string {
    if (result.missing) return "git is not installed (or not on PATH)";
    // rev-parse --quiet says nothing when the ref names no commit.
    if (operation === "rev-parse" && result.stderr.trim() === "")
      return `${this.spec.ref} names no commit in ${this.spec.cwd}`;
    return `git ${operation} in ${this.spec.cwd} failed: ${firstLine(result.stderr)}`;
  }

  private failed(operation: string, message: string): void {
    if (this.stopped || this.shown.get(operation) === message) return;
    this.shown.set(operation, message);
    this.sink.report(new SourceError(message));
  }
}
