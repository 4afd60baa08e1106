/**
 * `watch --git-url URL`: the desired state fetched from a Git server (issue 13, item 4), as a
 * controller in a cluster has no checkout. Fetched before the first sync, then every `--git-poll`
 * (1m) and at once on a verified push to `/hooks/git`; the `-f`/`-k`/`--terraform` paths are read
 * inside the checkout (`--git-path`). A failed fetch keeps the last good state — never an empty
 * one, which would make every object Missing — and `/readyz` and the metrics say so.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Fetched, RemotePoller, RemoteSource } from "../sources/git/index.js";
import { CliError, parseDuration } from "./errors.js";
import type { LogLine } from "./watch-log.js";

export interface GitFlags {
  readonly gitUrl?: string;
  readonly gitBranch?: string;
  readonly gitPath?: string;
  readonly gitRef?: string;
  readonly gitPoll?: string;
  readonly gitTokenFile?: string;
  readonly gitTokenEnv?: string;
  readonly gitUsernameFile?: string;
  readonly gitPasswordFile?: string;
  readonly gitSshKeyFile?: string;
  readonly gitKnownHosts?: string;
  readonly gitCache?: string;
  readonly gitHookSecretFile?: string;
}

export const defaultRemotePollMs = 60_000;

function definedEntries<T extends object>(entries: T): Partial<T> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The remote source the flags name; undefined without `--git-url`. */
export function remoteSourceOf(flags: GitFlags): RemoteSource | undefined {
  if (flags.gitUrl === undefined) {
    const stray = [flags.gitBranch, flags.gitPath, flags.gitHookSecretFile].some(
      (flag) => flag !== undefined,
    );
    if (stray) throw new CliError("--git-branch, --git-path and --git-hook-secret-file go with --git-url");
    return undefined;
  }
  if (flags.gitRef !== undefined)
    throw new CliError("--git-url and --git-ref: give one (--git-branch names the branch of --git-url)");
  const auth = definedEntries({
    tokenFile: flags.gitTokenFile,
    tokenEnv: flags.gitTokenEnv,
    usernameFile: flags.gitUsernameFile,
    passwordFile: flags.gitPasswordFile,
    sshKeyFile: flags.gitSshKeyFile,
    knownHostsFile: flags.gitKnownHosts,
  });
  // One cache per URL and branch: a restart starts from the last good checkout.
  const id = createHash("sha256")
    .update(`${flags.gitUrl}\u0000${flags.gitBranch ?? ""}`)
    .digest("hex")
    .slice(0, 16);
  return {
    url: flags.gitUrl,
    cacheDir: flags.gitCache ?? join(tmpdir(), `kubedrift-git-${id}`),
    ...(flags.gitBranch === undefined ? {} : { branch: flags.gitBranch }),
    ...(flags.gitPath === undefined ? {} : { path: flags.gitPath }),
    ...(Object.keys(auth).length === 0 ? {} : { auth }),
  };
}

export function hookSecretOf(flags: GitFlags): string | undefined {
  if (flags.gitHookSecretFile === undefined) return undefined;
  let secret: string;
  try {
    secret = readFileSync(flags.gitHookSecretFile, "utf8").trim();
  } catch (error: unknown) {
    throw new CliError(
      `--git-hook-secret-file: cannot read ${flags.gitHookSecretFile} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`,
    );
  }
  if (secret.length < 16)
    throw new CliError(
      `--git-hook-secret-file: ${flags.gitHookSecretFile} holds no secret of at least 16 characters`,
    );
  return secret;
}

export function remotePollMs(flags: GitFlags): number {
  if (flags.gitPoll === undefined) return defaultRemotePollMs;
  const ms = parseDuration(flags.gitPoll, "--git-poll");
  if (ms < 1000) throw new CliError(`--git-poll: ${flags.gitPoll} is too short (at least 1s)`);
  return ms;
}

export interface RunningRemote {
  readonly poller: RemotePoller;
  /** The first good checkout (fetched now, or left by an earlier run when the server is away). */
  readonly fetched: Fetched;
  /** Set once the loop runs: what a moved commit does. */
  onChange: (fetched: Fetched) => Promise<void>;
}

/**
 * Starts polling and waits for the first good checkout: without one there is no desired state to
 * watch (each failure is logged; SIGTERM still ends the wait through `signal`).
 */
export async function startRemote(
  source: RemoteSource,
  options: { readonly pollMs: number; readonly log: LogLine; readonly stopped: Promise<unknown> },
): Promise<RunningRemote | undefined> {
  const { pollRemote, maskUrl } = await import("../sources/git/index.js");
  const { log } = options;
  const running: { onChange: (fetched: Fetched) => Promise<void> } = { onChange: () => Promise.resolve() };
  const poller = pollRemote(source, {
    pollMs: options.pollMs,
    onChange: (fetched) => running.onChange(fetched),
    onError: (error) =>
      log("git fetch failed: the last good state stays in force", { error: error.message }, "warn"),
  });
  log("fetching the Git source", {
    url: maskUrl(source.url),
    branch: source.branch ?? "(the remote's HEAD)",
  });
  const fetched = await Promise.race([poller.ready, options.stopped.then(() => undefined)]);
  if (fetched === undefined) {
    await poller.close();
    return undefined;
  }
  log("fetched the Git source", { commit: fetched.commit.slice(0, 12) });
  return Object.assign(running, { poller, fetched });
}

/** `/readyz`'s check of the Git source: fine while the latest fetch succeeded. */
export function remoteReadiness(poller: RemotePoller): () => string | undefined {
  return () => {
    const state = poller.state();
    if (state.consecutiveFailures === 0 || state.lastError === undefined) return undefined;
    const since =
      state.lastSuccessAt === undefined ? "" : ` (last success ${state.lastSuccessAt.toISOString()})`;
    const commit =
      state.lastCommit === undefined ? "" : `; commit ${state.lastCommit.slice(0, 12)} stays in force`;
    return `${state.consecutiveFailures} fetch${state.consecutiveFailures === 1 ? "" : "es"} failed${since}: ${state.lastError}${commit}`;
  };
}
