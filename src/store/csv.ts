/**
 * The history as CSV (RFC 4180, one row per change), for `kubedrift history -o csv` and the
 * dashboard's export: withheld values appear as their keyed hashes only, as the store holds them.
 */
import type { JsonValue } from "../kube/value/json.js";
import type { Episode, EpisodeChange } from "./types.js";

/**
 * A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return) as a
 * formula: a manager or user name like `=HYPERLINK(…)` would be one. Such a cell gets a leading `'`,
 * as OWASP's CSV-injection guidance says; a plain number (`-1`) stays as it is.
 */
function spreadsheetSafe(value: string): string {
  if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  const safe = spreadsheetSafe(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const csvColumns = [
  "episode",
  "group",
  "kind",
  "namespace",
  "name",
  "startedAt",
  "endedAt",
  "endedBy",
  "contestedBy",
  "path",
  "type",
  "reason",
  "desired",
  "live",
  "desiredHash",
  "liveHash",
  "manager",
  "operation",
  "subresource",
  "user",
  "changedAt",
  "firstSeen",
  "lastSeen",
  "groups",
  "userAgent",
  "sourceIPs",
  "breakGlass",
  // Last, so that the columns before keep their places for readers written before fleets.
  "cluster",
] as const;

const json = (value: JsonValue | undefined): string => (value === undefined ? "" : JSON.stringify(value));

function episodeCells(episode: Episode): string[] {
  const { group, kind, namespace, name } = episode.resource;
  return [
    episode.id,
    group,
    kind,
    namespace,
    name,
    episode.startedAt,
    episode.endedAt ?? "",
    episode.endedBy ?? "",
    episode.contestedBy ?? "",
  ];
}

function changeCells(change: EpisodeChange | undefined): string[] {
  if (change === undefined) return csvColumns.slice(9, -1).map(() => "");
  const cells: (string | undefined)[] = [
    change.path,
    change.type,
    change.reason,
    json(change.desired),
    json(change.live),
    change.redacted?.desired,
    change.redacted?.live,
    change.manager,
    change.operation,
    change.subresource,
    change.user,
    change.changedAt,
    change.firstSeen,
    change.lastSeen,
    change.groups?.join(" "),
    change.userAgent,
    change.sourceIPs?.join(" "),
    change.breakGlass,
  ];
  return cells.map((cell) => cell ?? "");
}

/** One row per change (an episode without changes gets one row of its own); values as JSON text. */
export function renderHistoryCsv(episodes: readonly Episode[]): string {
  const rows = episodes.flatMap((episode) =>
    (episode.changes.length === 0 ? [undefined] : episode.changes).map((change) => [
      ...episodeCells(episode),
      ...changeCells(change),
      episode.cluster,
    ]),
  );
  return [[...csvColumns], ...rows].map((row) => `${row.map(csvField).join(",")}\r\n`).join("");
}
