import { existsSync } from "node:fs";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { OnlyRef } from "../remediate/only.js";
import { matchesOnly, OnlyRefError, parseOnly } from "../remediate/only.js";
import type { Episode, HistoryQuery, ResourceKey, StoreLocation } from "../store/index.js";
import { episodeSelection } from "../store/selection.js";
import { CliError, parseDuration } from "./errors.js";
import { historyFormats, renderHistory, shortTime, type HistoryFormat } from "./history-render.js";
import { renderGroupsJson, renderGroupsText } from "./history-groups.js";
import { collect, nonEmpty, wantsColor } from "./terminal.js";

export interface HistoryFlags {
  readonly store?: string;
  /** `--cluster NAME` (repeatable): the episodes of these clusters only. */
  readonly cluster?: readonly string[];
  /** `--group-clusters`: the same drift in several clusters as one entry naming them. */
  readonly groupClusters?: boolean;
  readonly resource?: string;
  readonly namespace?: string;
  readonly kind?: string;
  readonly manager?: string;
  readonly user?: string;
  readonly since?: string;
  readonly until?: string;
  readonly open?: boolean;
  readonly limit: number;
  readonly output: HistoryFormat;
  /** commander's `--no-color`: false when it was given. */
  readonly color?: boolean;
}

export interface HistoryIO {
  readonly write: (text: string) => void;
  readonly color: boolean;
  readonly now: () => Date;
}

const defaultLimit = 100;
/** The store's default (src/store/open.ts), spelled here so that loading the CLI loads no database driver. */
const defaultStoreUrl = "sqlite:./kubedrift.db";

function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return Number(value);
}

/**
 * `--since 24h` (before now; also `7d`, `90m`, `30s`, as kubectl's durations plus days) or an RFC
 * 3339 time; the result is RFC 3339 UTC.
 */
export function parseTimeFlag(text: string, flag: string, now: Date): string {
  const trimmed = text.trim();
  const days = /^(\d+(?:\.\d+)?)d$/.exec(trimmed);
  if (days !== null) return new Date(now.getTime() - Number(days[1]) * 86_400_000).toISOString();
  if (/^\d+(?:\.\d+)?(ms|s|m|h)$/.test(trimmed))
    return new Date(now.getTime() - parseDuration(trimmed, flag)).toISOString();
  const time = new Date(trimmed);
  if (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed) &&
    !Number.isNaN(time.getTime())
  )
    return time.toISOString();
  throw new CliError(
    `${flag}: invalid time "${text}" (expected a duration before now such as 90m, 24h, 7d, or an RFC 3339 time such as 2026-12-01T10:00:00Z)`,
  );
}

function parseResource(text: string): OnlyRef {
  try {
    return parseOnly(text);
  } catch (error) {
    if (error instanceof OnlyRefError)
      throw new CliError(
        `--resource ${text}: expected KIND/NAMESPACE/NAME, or KIND/NAME for a cluster-scoped object`,
      );
    throw error;
  }
}

/** What the store is asked, and what is matched here: kinds case-insensitively, as `--only` does. */
export interface HistorySelection {
  readonly query: HistoryQuery;
  readonly keep: (episode: Episode) => boolean;
  /** The filter in words, for the summary and "No drift recorded". */
  readonly description: string;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function describe(flags: HistoryFlags, since: string | undefined, until: string | undefined): string {
  const parts: (string | false | undefined)[] = [
    flags.cluster !== undefined && `cluster ${flags.cluster.join(", ")}`,
    flags.resource !== undefined && `resource ${flags.resource}`,
    flags.namespace !== undefined && `namespace ${flags.namespace}`,
    flags.kind !== undefined && `kind ${flags.kind}`,
    flags.manager !== undefined && `manager ${flags.manager}`,
    flags.user !== undefined && `user ${flags.user}`,
    since !== undefined && `since ${shortTime(since)}`,
    until !== undefined && `until ${shortTime(until)}`,
    flags.open === true && "open only",
  ];
  return parts.filter((part): part is string => typeof part === "string").join(", ");
}

/**
 * The flags as a store query. A kind or a resource is matched here (case-insensitively, any group
 * unless one is named), so the store is then asked without its limit, which is applied after.
 */
export function historySelection(flags: HistoryFlags, now: Date): HistorySelection {
  const resource = flags.resource === undefined ? undefined : parseResource(flags.resource);
  const since = flags.since === undefined ? undefined : parseTimeFlag(flags.since, "--since", now);
  const until = flags.until === undefined ? undefined : parseTimeFlag(flags.until, "--until", now);
  const namespaces = [resource?.namespace, flags.namespace].filter((ns) => ns !== undefined);
  const selected = episodeSelection({
    ...optional("namespace", namespaces[0]),
    ...optional("manager", flags.manager),
    ...optional("user", flags.user),
    ...optional("since", since),
    ...optional("until", until),
    ...optional("kind", flags.kind),
    ...(flags.open === true ? { openOnly: true } : {}),
    ...(resource === undefined
      ? {}
      : { resource: (key: ResourceKey) => matchesOnly({ ...key, version: "" }, resource) }),
  });
  // Both namespaces must hold: `--resource` in one and `--namespace` another selects nothing.
  const keep = (episode: Episode): boolean =>
    namespaces.every((ns) => episode.resource.namespace === ns) && selected.keep(episode);
  const query: HistoryQuery = {
    ...selected.query,
    ...(flags.cluster === undefined ? {} : { clusters: [...new Set(flags.cluster)] }),
    ...(selected.filtersAfter ? {} : { limit: flags.limit }),
  };
  return { query, keep, description: describe(flags, since, until) };
}

/** A SQLite store that does not exist is not made here: history only reads. */
function checkStoreExists(location: StoreLocation): void {
  if (location.kind === "sqlite" && location.path !== ":memory:" && !existsSync(location.path))
    throw new CliError(`no history at ${location.path} (run kubedrift watch first)`);
}

/** What history prints: the episodes the selection keeps, newest first, and the clusters the store holds. */
interface Read {
  readonly episodes: readonly Episode[];
  readonly clusters: readonly string[];
}

/** Store errors (a bad URL, an unreadable store) as one line. */
async function readEpisodes(url: string, selection: HistorySelection, limit: number): Promise<Read> {
  // Loaded on use: the database drivers are needed by this command only.
  const { openStore, parseStoreUrl, StoreError } = await import("../store/index.js");
  try {
    checkStoreExists(parseStoreUrl(url));
    const store = await openStore(url);
    try {
      const episodes = await store.query(selection.query);
      return { episodes: episodes.filter(selection.keep).slice(0, limit), clusters: await store.clusters() };
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof StoreError) throw new CliError(`history: ${error.message}`, 1, { cause: error });
    throw error;
  }
}

/** `kubedrift history`: prints the episodes; 0 also when there are none, a one-line CliError otherwise. */
export async function runHistory(flags: HistoryFlags, io: HistoryIO): Promise<number> {
  const now = io.now();
  const selection = historySelection(flags, now);
  if (flags.groupClusters === true && flags.output === "csv")
    throw new CliError("--group-clusters: give -o text or -o json (CSV is one row per change of an episode)");
  const { episodes, clusters } = await readEpisodes(flags.store ?? defaultStoreUrl, selection, flags.limit);
  const color = io.color && flags.output === "text";
  if (flags.groupClusters === true) {
    io.write(
      flags.output === "json"
        ? renderGroupsJson(episodes)
        : renderGroupsText(episodes, { color, filter: selection.description }),
    );
    return 0;
  }
  io.write(
    renderHistory(episodes, flags.output, {
      color,
      now,
      filter: selection.description,
      limit: flags.limit,
      // A fleet's store: every line names its cluster, whatever the filter keeps.
      showClusters: clusters.length > 1 || flags.cluster !== undefined,
    }),
  );
  return 0;
}

export function registerHistory(program: Command): void {
  program
    .command("history")
    .description("Show the recorded drift episodes: who drifted what, when and for how long")
    .option(
      "--store <url>",
      `the history store: sqlite:PATH or postgres://… (default ${defaultStoreUrl})`,
      nonEmpty,
    )
    .option(
      "--cluster <name>",
      "only episodes of this cluster (its kubeconfig context, as watch recorded it); repeatable",
      collect,
    )
    .option(
      "--group-clusters",
      "the same drift (same resource, fields and values) seen in several clusters as one entry listing them, most clusters first",
    )
    .option("--resource <ref>", "one resource: KIND/NAMESPACE/NAME, or KIND/NAME if cluster-scoped", nonEmpty)
    .option("-n, --namespace <ns>", "only resources in this namespace", nonEmpty)
    .option("--kind <kind>", "only resources of this kind (any case)", nonEmpty)
    .option("--manager <name>", "only episodes with a change written by this field manager", nonEmpty)
    .option("--user <name>", "only episodes with a change made by this user", nonEmpty)
    .option(
      "--since <time>",
      "only episodes open at or after this time: a duration before now (24h, 90m, 7d) or RFC 3339",
      nonEmpty,
    )
    .option(
      "--until <time>",
      "only episodes started at or before this time: a duration before now or RFC 3339",
      nonEmpty,
    )
    .option("--open", "only episodes still open")
    .addOption(
      new Option("--limit <n>", "at most this many episodes, newest first")
        .argParser(positiveInteger)
        .default(defaultLimit),
    )
    .addOption(new Option("-o, --output <format>", "output format").choices(historyFormats).default("text"))
    .option("--no-color", "no colour, even on a terminal (also NO_COLOR=1 or TERM=dumb)")
    .addHelpText(
      "after",
      `
Exit status: 0 printed (also when nothing is recorded), 1 error.

A store shared by a fleet (one watch per cluster, docs/fleet.md) holds each cluster's episodes:
the text names each episode's cluster when the store holds more than one, JSON and CSV always do
("" for one recorded before clusters were, shown as "(unknown cluster)"). --group-clusters
collapses the episodes of the same resource whose fields drifted the same way (the same paths,
types, desired and live values) into one drift, naming the clusters it was seen in: a change
made everywhere at once stands out from one cluster's hotfix. JSON adds them as "groups".

Examples:
  kubedrift history                                   # the newest 100 episodes in ./kubedrift.db
  kubedrift history --since 24h                       # what was drifted at any time in the last day
  kubedrift history --open                            # what is drifted now, and since when
  kubedrift history --resource Deployment/shop/web    # one resource
  kubedrift history --manager kubectl-edit -o csv     # for a spreadsheet
  kubedrift history --store postgres://kubedrift@db:5432/kubedrift -o json
  kubedrift history --store postgres://… --open --group-clusters   # what drifted the same way across the fleet
  kubedrift history --store postgres://… --cluster prod-eu --cluster prod-us`,
    )
    .action(async (flags: HistoryFlags) => {
      process.exitCode = await runHistory(flags, {
        write: (text) => process.stdout.write(text),
        color: wantsColor(flags.color),
        now: () => new Date(),
      });
    });
}
