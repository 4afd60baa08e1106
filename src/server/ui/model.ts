/**
 * The API's shapes the page reads (docs/api.md), and the cells every view draws a drifted field or
 * an episode with: the resource page, the combined diff and the history page show them alike.
 * A redacted value is only ever shown as its hash.
 */
import type { Json, Source } from "./dom.js";
import { element, fieldName, list, when } from "./dom.js";

export interface Resource {
  /** Its cluster (kubeconfig context); the page names it when there is more than one. */
  readonly cluster?: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: string;
  readonly error?: string;
  readonly source?: Source;
  readonly driftedFields: number;
  readonly managers: readonly string[];
  readonly users: readonly string[];
  readonly since?: string;
  readonly href: string;
}

export interface DriftRow {
  readonly path: string;
  readonly type: string;
  readonly desired?: Json;
  readonly live?: Json;
  readonly redacted?: true;
  readonly desiredHash?: string;
  readonly liveHash?: string;
  readonly source?: Source;
  /** `watch --ui-blame`: the commit that last changed the source line. */
  readonly blame?: {
    readonly commit: string;
    readonly author: string;
    readonly date: string;
    readonly summary: string;
  };
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly changedAt?: string;
  readonly user?: string;
  readonly firstSeen?: string;
}

export interface EpisodeChange {
  readonly path: string;
  readonly type: string;
  readonly manager?: string;
  readonly user?: string;
}

export interface Episode {
  readonly id: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly endedBy: string | null;
  /** Who asked for the heal that ended it (the dashboard's Heal). */
  readonly healedBy?: string;
  readonly contested: boolean;
  /** The object (on `/api/episodes`; a resource page's episodes are all its own). */
  readonly resource?: {
    readonly group: string;
    readonly kind: string;
    readonly namespace?: string;
    readonly name: string;
  };
  readonly changes: readonly EpisodeChange[];
}

export function value(shown: Json | undefined): Node {
  if (shown === undefined) return element("span", { class: "absent" }, "(absent)");
  return element("code", {}, typeof shown === "string" ? shown : JSON.stringify(shown));
}

export function hashOnly(hash: string | undefined): Node {
  return element("span", { class: "redacted" }, hash === undefined ? "(absent)" : `redacted, hash ${hash}`);
}

/** Desired with its file:line, and live; a redacted value only ever as its hash. */
export function sides(drift: DriftRow): readonly [Node, Node] {
  if (drift.redacted === true) return [hashOnly(drift.desiredHash), hashOnly(drift.liveHash)];
  return [value(drift.desired), value(drift.live)];
}

/** A drifted field's cells after its name: desired (with file:line), live, manager, user, when. */
export function driftCells(drift: DriftRow): readonly HTMLElement[] {
  const [desired, live] = sides(drift);
  const where = drift.source === undefined ? "" : `${drift.source.file}:${drift.source.line}`;
  const commit =
    drift.blame === undefined
      ? []
      : [
          element(
            "div",
            { class: "blame", title: drift.blame.summary },
            `${drift.blame.commit.slice(0, 8)} ${drift.blame.author}, ${drift.blame.date.slice(0, 10)}`,
          ),
        ];
  const manager =
    drift.manager === undefined
      ? "—"
      : `${drift.manager}${drift.subresource === undefined ? "" : ` (${drift.subresource})`}`;
  return [
    element("td", { class: "desired" }, desired, element("div", { class: "source" }, where), ...commit),
    element("td", { class: "live" }, live),
    element("td", {}, manager),
    element("td", {}, drift.user ?? "—"),
    element("td", {}, when(drift.changedAt ?? drift.firstSeen)),
  ];
}

/** The field's name cell: readable path, and the kind of change under it. */
export function fieldCell(drift: DriftRow): HTMLElement {
  return element(
    "th",
    { scope: "row" },
    element("code", {}, fieldName(drift.path)),
    element("span", { class: "type" }, drift.type),
  );
}

/** An episode's cells after its id: started, ended, how it ended, fields, users. */
export function episodeCells(episode: Episode): readonly HTMLElement[] {
  const fields = episode.changes.map((change) => fieldName(change.path));
  const users = [
    ...new Set(episode.changes.map((change) => change.user).filter((user) => user !== undefined)),
  ];
  const by = episode.healedBy === undefined ? "" : ` by ${episode.healedBy}`;
  const ended = episode.endedAt === null ? "open" : `${episode.endedBy ?? "ended"}${by}`;
  return [
    element("td", {}, when(episode.startedAt)),
    element("td", {}, when(episode.endedAt)),
    element("td", {}, episode.contested ? `${ended} (contested)` : ended),
    element("td", {}, list(fields)),
    element("td", {}, list(users)),
  ];
}
