/**
 * `watch --leader-elect`: several replicas, one leader (issue 13, item 6), with the flags
 * kube-controller-manager has for the same (`--leader-elect-lease-duration`, …). The Lease is in
 * the pod's namespace unless told, as the shipped RBAC grants it there.
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { LeaderElection } from "../controller/leader.js";
import type { Watch, WatchTarget } from "../controller/watch.js";
import { CliError, parseDuration } from "./errors.js";
import type { LogLine } from "./watch-log.js";

export interface LeaderFlags {
  readonly leaderElect?: boolean;
  readonly leaderElectResourceNamespace?: string;
  readonly leaderElectResourceName: string;
  readonly leaderElectLeaseDuration: string;
  readonly leaderElectRenewDeadline: string;
  readonly leaderElectRetryPeriod: string;
}

export interface LeaderSettings {
  readonly lease: { readonly namespace: string; readonly name: string };
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** The namespace the pod runs in (the downward API's `POD_NAMESPACE`), else `kubedrift`. */
export function podNamespace(env: NodeJS.ProcessEnv): string {
  const namespace = env["POD_NAMESPACE"];
  return namespace === undefined || namespace === "" ? "kubedrift" : namespace;
}

export function leaderSettings(flags: LeaderFlags, env: NodeJS.ProcessEnv): LeaderSettings | undefined {
  if (flags.leaderElect !== true) return undefined;
  const settings = {
    lease: {
      namespace: flags.leaderElectResourceNamespace ?? podNamespace(env),
      name: flags.leaderElectResourceName,
    },
    leaseDurationMs: parseDuration(flags.leaderElectLeaseDuration, "--leader-elect-lease-duration"),
    renewDeadlineMs: parseDuration(flags.leaderElectRenewDeadline, "--leader-elect-renew-deadline"),
    retryPeriodMs: parseDuration(flags.leaderElectRetryPeriod, "--leader-elect-retry-period"),
  };
  // client-go's own checks: a leader must give up before a follower may take over.
  if (settings.leaseDurationMs <= settings.renewDeadlineMs)
    throw new CliError("--leader-elect-lease-duration must be longer than --leader-elect-renew-deadline");
  if (settings.renewDeadlineMs <= 1.2 * settings.retryPeriodMs)
    throw new CliError("--leader-elect-renew-deadline must be longer than 1.2 × --leader-elect-retry-period");
  return settings;
}

/** The election's state the loop asks before each write; false until an election says otherwise. */
export interface Leadership {
  readonly isLeader: () => boolean;
  election?: LeaderElection;
}

export function leadership(settings: LeaderSettings | undefined): Leadership | undefined {
  if (settings === undefined) return undefined;
  const state: Leadership = { isLeader: () => state.election?.isLeader() ?? false };
  return state;
}

/** Starts campaigning once the loop runs; taking the lead makes the loop catch up from the store. */
export async function campaign(
  settings: LeaderSettings,
  context: {
    readonly target: WatchTarget;
    readonly watch: Watch;
    readonly log: LogLine;
    readonly state: Leadership;
  },
): Promise<LeaderElection> {
  const writer = context.target.cluster.writer;
  if (writer === undefined) throw new CliError("--leader-elect: the cluster cannot be written to");
  const { startLeaderElection } = await import("../controller/leader.js");
  const { systemClock } = await import("../controller/informer.js");
  const { log, watch } = context;
  const identity = `${hostname()}_${randomBytes(4).toString("hex")}`;
  const election = startLeaderElection({
    ...settings,
    writer,
    identity,
    clock: systemClock,
    onStartedLeading: () => {
      log("leading", { identity, lease: `${settings.lease.namespace}/${settings.lease.name}` });
      watch
        .lead()
        .catch((error: unknown) =>
          log(
            "catching up as leader failed",
            { error: error instanceof Error ? error.message : String(error) },
            "error",
          ),
        );
    },
    onStoppedLeading: () => log("stopped leading", { identity }, "warn"),
    onNewLeader: (leader) => {
      if (leader !== identity) log("following", { leader });
    },
    log: (line) => log(line, {}, "debug"),
  });
  context.state.election = election;
  return election;
}
