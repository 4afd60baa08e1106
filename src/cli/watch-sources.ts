/**
 * `watch` follows its sources: the files and directories the flags name (and kubedrift.yaml) are
 * watched, a `--git-ref` is polled every `--git-poll`; when they change, the sources are read again
 * against the cluster already connected and the loop reloads. A source that no longer reads
 * (malformed YAML mid-edit) keeps the previous state and says why, once per change.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Policies } from "../controller/policy.js";
import type { Watch, WatchTarget } from "../controller/watch.js";
import type { EngineConfig } from "../engine/index.js";
import type { SourceChanges } from "../sources/changes.js";
import type { DiffFlags } from "./diff.js";
import { diffOptionsFromFlags } from "./diff.js";
import { inspectionIO } from "./plan.js";
import type { LogLine } from "./watch-log.js";

/** Every path the sources are read from: what editing changes the desired state. */
export function sourcePaths(flags: DiffFlags, cwd: string): readonly string[] {
  const config = flags.config ?? "kubedrift.yaml";
  const paths = [
    ...(flags.filename ?? []),
    ...(flags.kustomize ?? []),
    ...(flags.terraform ?? []),
    ...(flags.varFile ?? []),
    ...(flags.values ?? []),
    ...(flags.helmChart === undefined ? [] : [flags.helmChart]),
  ].filter((path) => path !== "-");
  // kubedrift.yaml is optional; --config must exist (it was read at the start).
  const withConfig = flags.config !== undefined || existsSync(resolve(cwd, config)) ? [config] : [];
  return [...paths, ...withConfig].map((path) => resolve(cwd, path));
}

export interface FollowContext {
  readonly flags: DiffFlags;
  readonly target: WatchTarget;
  readonly watch: Watch;
  readonly log: LogLine;
  /** `--git-poll`, with `--git-ref`. */
  readonly gitPollMs: number | undefined;
  readonly policiesOf: (config: EngineConfig) => Policies;
}

/**
 * Reads the sources again (from `cwd`: a new checkout of the Git source) and reloads the loop; a
 * failure is logged and the previous state kept.
 */
export async function reloadSources(
  context: Omit<FollowContext, "gitPollMs">,
  why: string,
  cwd?: string,
): Promise<void> {
  const { flags, target, watch, log } = context;
  const { readDeclaredState, silentProgress } = await import("../inspect/index.js");
  log("sources changed: reloading", { why });
  try {
    const options = diffOptionsFromFlags({ ...flags, output: "text" });
    const io = {
      ...inspectionIO({ ...flags, output: "text" }),
      progress: silentProgress,
      note: (line: string) => log(line, {}, "warn"),
      ...(cwd === undefined ? {} : { cwd }),
    };
    const state = await readDeclaredState(options, io, { cluster: target.cluster, served: target.served });
    await watch.reload({
      target: { desired: state.desired, config: state.config, scope: state.scope },
      policies: context.policiesOf(state.config),
    });
    log("reloaded", { objects: state.desired.length });
  } catch (error: unknown) {
    log(
      "reload failed: the previous sources stay in force",
      { why, error: error instanceof Error ? error.message : String(error) },
      "warn",
    );
  }
}

/**
 * Starts following the sources (none with only stdin or a Helm release to read, which cannot
 * change under a file watch); resolves once the files are watched and the Git ref read.
 */
export async function followSources(context: FollowContext): Promise<SourceChanges | undefined> {
  const { flags, log, gitPollMs } = context;
  const { watchSourceChanges } = await import("../sources/changes.js");
  const cwd = process.cwd();
  const git =
    flags.gitRef === undefined || gitPollMs === undefined
      ? undefined
      : { ref: flags.gitRef, cwd, pollMs: gitPollMs };
  // Under --git-ref the sources are read from the revision: the working tree's edits do not count.
  const paths = flags.gitRef === undefined ? sourcePaths(flags, cwd) : [];
  if (paths.length === 0 && git === undefined) return undefined;
  const changes = watchSourceChanges({
    paths,
    ...(git === undefined ? {} : { git }),
    onChange: (why) => reloadSources(context, why),
    onError: (error) => log("cannot follow the sources", { error: error.message }, "warn"),
  });
  await changes.ready;
  return changes;
}
