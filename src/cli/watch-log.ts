/**
 * `watch`'s log on stderr: JSON lines when stderr is not a terminal (for log collectors), words on a
 * terminal; `--log-level` drops what is below it.
 */
import type { WatchListener } from "../controller/watch.js";
import { describeRef } from "../model/index.js";
import type { Episode } from "../store/index.js";

export const LogLevels = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LogLevels)[number];

/** One log line; `info` unless told. */
export type LogLine = (message: string, fields: Readonly<Record<string, unknown>>, level?: LogLevel) => void;

export function isLogLevel(text: string): text is LogLevel {
  return (LogLevels as readonly string[]).includes(text);
}

function words(message: string, fields: Readonly<Record<string, unknown>>, level: LogLevel): string {
  const said = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const prefix = level === "warn" ? "warning: " : level === "error" ? "error: " : "";
  return `${prefix}${message}${said === "" ? "" : ` ${said}`}\n`;
}

export function logLines(
  stream: { readonly isTTY?: boolean; write(text: string): unknown },
  options: { readonly level?: LogLevel; readonly now?: () => Date } = {},
): LogLine {
  const threshold = LogLevels.indexOf(options.level ?? "info");
  const now = options.now ?? ((): Date => new Date());
  return (message, fields, level = "info") => {
    if (LogLevels.indexOf(level) < threshold) return;
    if (stream.isTTY === true) stream.write(words(message, fields, level));
    else stream.write(`${JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields })}\n`);
  };
}

function episodeFields(episode: Episode): Record<string, unknown> {
  const { kind, namespace, name } = episode.resource;
  return {
    resource: describeRef({ ...episode.resource, version: "" }),
    kind,
    namespace,
    name,
    episode: episode.id,
    fields: episode.changes.map((change) => change.path),
    managers: [...new Set(episode.changes.flatMap((change) => change.manager ?? []))],
  };
}

/**
 * One line per episode opened, extended, closed or contested, per heal, and per error the loop
 * reports (it goes on); watch restarts and heals put off by the rate limit at debug.
 */
export function logListener(log: LogLine): WatchListener {
  return {
    onEpisodeOpened: (episode) => log("drift opened", { ...episodeFields(episode), at: episode.startedAt }),
    onEpisodeExtended: (episode, paths) => log("drift extended", { ...episodeFields(episode), added: paths }),
    onEpisodeClosed: (episode) =>
      log("drift closed", { ...episodeFields(episode), at: episode.endedAt, how: episode.endedBy }),
    onEpisodeContested: (episode, contest) =>
      log(
        "drift contested: healing this field stopped",
        {
          ...episodeFields(episode),
          field: contest.field,
          by: contest.manager,
          flips: contest.flips,
          ignoreRule: contest.rule,
        },
        "warn",
      ),
    onHeal: (episode, outcome) => {
      const fields = {
        resource: describeRef({ ...episode.resource, version: "" }),
        episode: episode.id,
        fields: outcome.fields,
      };
      if (outcome.result === "succeeded") log("healed", fields);
      else if (outcome.result === "failed") log("heal failed", { ...fields, error: outcome.error }, "warn");
      else log("heal put off: rate limit", fields, "debug");
    },
    onWatchRestart: (end) => log("watch restarted", { end: end.kind }, "debug"),
    onFullSync: (seconds, first) => log(first ? "synced" : "resynced", { seconds }, first ? "info" : "debug"),
    onError: (error) => log("error", { error: error.message }, "error"),
  };
}
