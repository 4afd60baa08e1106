/**
 * `kubedrift history`'s outputs (issue 12, item 3): the episodes of the history store as text (one
 * block per episode, newest first, readable field paths), JSON (`DriftHistory`, the store's fields:
 * RFC 3339 times, JSON Pointer paths) and CSV (RFC 4180, one row per change). Withheld values exist
 * in the store as their keyed hashes only, and only those are shown.
 */

import type { JsonValue } from "../kube/value/json.js";
import { proposedIgnoreRule } from "../controller/policy.js";
import { readablePath } from "../kube/fieldpath/readable.js";
import { withheldMarker } from "../model/index.js";
import { painter, type Paint } from "../report/ansi.js";
import type { Episode, EpisodeChange } from "../store/index.js";
import { renderHistoryCsv } from "../store/csv.js";
export { csvField, renderHistoryCsv } from "../store/csv.js";

export const historyFormats = ["text", "json", "csv"] as const;
export type HistoryFormat = (typeof historyFormats)[number];

export interface HistoryRenderOptions {
  readonly color: boolean;
  /** For the age of open episodes. */
  readonly now: Date;
  /** The filter in words (`namespace shop, since 2026-12-01T10:00:00Z`), "" for none. */
  readonly filter: string;
  /** The limit the query had: a full page says there may be more. */
  readonly limit?: number;
  /**
   * Each episode's cluster on its line: when they are of more than one cluster, or clusters were
   * asked for. Unset: when the episodes shown are of more than one.
   */
  readonly showClusters?: boolean;
}

/** Whether the text names each episode's cluster (a fleet's store); JSON and CSV always do. */
function showsClusters(episodes: readonly Episode[], options: HistoryRenderOptions): boolean {
  return options.showClusters ?? new Set(episodes.map((episode) => episode.cluster)).size > 1;
}

/** `2026-12-02T10:00:00Z`: the store's times to the second, as people read them. */
export function shortTime(time: string): string {
  return time.replace(/\.\d+Z$/, "Z");
}

/** The end of a span in the start's day reads as its time of day only: `10:04:12Z`. */
function endTime(start: string, end: string): string {
  const short = shortTime(end);
  return start.slice(0, 10) === end.slice(0, 10) ? short.slice(11) : short;
}

/** `4m12s`, `2h`, `3d4h`: the two largest units, rounded down; `0s` under a second. */
export function formatSpan(ms: number): string {
  const units: readonly (readonly [string, number])[] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  let rest = Math.max(0, Math.floor(ms));
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  const shown = parts.slice(0, 2).filter((part, index) => index === 0 || !part.startsWith("0"));
  return shown.length === 0 ? "0s" : shown.join("");
}

const span = (from: string, to: string | Date): number =>
  (typeof to === "string" ? Date.parse(to) : to.getTime()) - Date.parse(from);

function resourceName(episode: Episode): string {
  const { kind, namespace, name } = episode.resource;
  return `${kind} ${namespace === "" ? name : `${namespace}/${name}`}`;
}

function outcome(episode: Episode, options: HistoryRenderOptions, paint: Paint): string {
  const parts: string[] = [];
  if (episode.endedAt === null) {
    parts.push(paint("yellow", `open for ${formatSpan(span(episode.startedAt, options.now))}`));
  } else if (episode.endedBy !== null) {
    const by = episode.healedBy === undefined ? "" : ` by ${episode.healedBy}`;
    parts.push(paint("green", `${episode.endedBy}${by}`));
  }
  if (episode.contestedBy !== null) parts.push(paint("red", `contested by ${episode.contestedBy}`));
  return parts.join(", ");
}

function clusterPrefix(episode: Episode, shown: boolean, paint: Paint): string {
  if (!shown) return "";
  return `${paint("dim", `[${episode.cluster === "" ? "(unknown cluster)" : episode.cluster}]`)} `;
}

function headerLine(episode: Episode, options: HistoryRenderOptions, paint: Paint, clusters = false): string {
  const start = shortTime(episode.startedAt);
  const when =
    episode.endedAt === null
      ? `drifted ${start}`
      : `drifted ${start} – ${endTime(episode.startedAt, episode.endedAt)} (${formatSpan(span(episode.startedAt, episode.endedAt))})`;
  const end = outcome(episode, options, paint);
  return `${clusterPrefix(episode, clusters, paint)}${paint("bold", resourceName(episode))}  ${when}${end === "" ? "" : `, ${end}`}`;
}

const oneLine = (value: JsonValue): string => JSON.stringify(value);

function side(change: EpisodeChange, which: "desired" | "live"): string {
  if (change.redacted !== undefined) return withheldMarker(change.redacted[which]);
  const value = change[which];
  return value === undefined ? "(not set)" : oneLine(value);
}

function valuesText(change: EpisodeChange, paint: Paint): string {
  if (change.type === "Added") return `added ${paint("green", side(change, "live"))}`;
  if (change.type === "Removed") return `removed ${paint("red", side(change, "desired"))}`;
  return `${paint("red", side(change, "desired"))} → ${paint("green", side(change, "live"))}`;
}

/** `user alice (devs), break glass: INC-4711`, where an audit record, admission or the guard told. */
function userText(change: EpisodeChange): string | undefined {
  if (change.user === undefined) return undefined;
  const groups = (change.groups ?? []).filter((group) => group !== "system:authenticated");
  const glass = change.breakGlass === undefined ? "" : `, break glass: ${change.breakGlass}`;
  return `user ${change.user}${groups.length === 0 ? "" : ` (${groups.join(", ")})`}${glass}`;
}

function whoText(change: EpisodeChange): string {
  const user = userText(change);
  if (change.manager === undefined) return user === undefined ? "" : `by ${user}`;
  const how = [
    change.operation,
    change.subresource === undefined ? undefined : `subresource ${change.subresource}`,
  ]
    .filter((part) => part !== undefined)
    .join(", ");
  const who = `by ${change.manager}${how === "" ? "" : ` (${how})`}`;
  return user === undefined ? who : `${who}, ${user}`;
}

function changeLine(change: EpisodeChange, paint: Paint): string {
  const first = shortTime(change.firstSeen);
  const last = endTime(change.firstSeen, change.lastSeen);
  const seen = first.endsWith(last) ? `seen ${first}` : `seen ${first} – ${last}`;
  const contested =
    change.contestedBy === undefined ? "" : `, ${paint("red", `contested by ${change.contestedBy}`)}`;
  const who = whoText(change);
  return `  ${readablePath(change.path)}: ${valuesText(change, paint)}${who === "" ? "" : `  ${who}`}, ${paint("dim", seen)}${contested}`;
}

/** The ignore rule (README, kubedrift.yaml) that would end a fight over the contested field. */
function proposedRule(episode: Episode): string | undefined {
  if (episode.contestedField === null) return undefined;
  return `  to end the fight, add to kubedrift.yaml: ignore: [${proposedIgnoreRule(episode.resource, episode.contestedField)}]`;
}

function summaryLine(episodes: readonly Episode[], options: HistoryRenderOptions): string {
  const open = episodes.filter((episode) => episode.endedAt === null).length;
  const count = `${episodes.length} episode${episodes.length === 1 ? "" : "s"}, ${open} open`;
  const more =
    options.limit !== undefined && episodes.length === options.limit
      ? ` (the newest ${options.limit}; --limit for more)`
      : "";
  return `${count}${more}${options.filter === "" ? "" : ` (${options.filter})`}`;
}

export function renderHistoryText(episodes: readonly Episode[], options: HistoryRenderOptions): string {
  if (episodes.length === 0)
    return `No drift recorded${options.filter === "" ? "" : ` (${options.filter})`}\n`;
  const paint = painter(options.color);
  const clusters = showsClusters(episodes, options);
  const blocks = episodes.map((episode) => {
    const rule = proposedRule(episode);
    return [
      headerLine(episode, options, paint, clusters),
      ...episode.changes.map((change) => changeLine(change, paint)),
      ...(rule === undefined ? [] : [rule]),
    ].join("\n");
  });
  return `${summaryLine(episodes, options)}\n\n${blocks.join("\n\n")}\n`;
}

export function renderHistoryJson(episodes: readonly Episode[]): string {
  return `${JSON.stringify({ apiVersion: "kubedrift.dev/v1", kind: "DriftHistory", episodes }, null, 2)}\n`;
}

export function renderHistory(
  episodes: readonly Episode[],
  format: HistoryFormat,
  options: HistoryRenderOptions,
): string {
  if (format === "json") return renderHistoryJson(episodes);
  if (format === "csv") return renderHistoryCsv(episodes);
  return renderHistoryText(episodes, options);
}
