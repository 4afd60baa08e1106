/**
 * `kubedrift history --group-clusters`: the episodes of a fleet's store as drifts, each the same
 * resource drifted the same way (the same fields, types and values) with the clusters it was seen
 * in, the drifts seen in most clusters first. What an SRE asks of a fleet: "is this one cluster's
 * hotfix, or did someone kubectl the same change everywhere?"
 */
import { readablePath } from "../kube/fieldpath/readable.js";
import { withheldMarker } from "../model/index.js";
import { painter, type Paint } from "../report/ansi.js";
import type { Episode, SharedChange, SharedDrift } from "../store/index.js";
import { groupAcrossClusters } from "../store/groups.js";
import { shortTime } from "./history-render.js";

/** A cluster as people read it: "" is one the store does not know (recorded before clusters were). */
export function clusterName(cluster: string): string {
  return cluster === "" ? "(unknown cluster)" : cluster;
}

function resourceName(group: SharedDrift): string {
  const { kind, namespace, name } = group.resource;
  return `${kind} ${namespace === "" ? name : `${namespace}/${name}`}`;
}

function side(change: SharedChange, which: "desired" | "live"): string {
  if (change.redacted !== undefined) return withheldMarker(change.redacted[which]);
  const value = change[which];
  return value === undefined ? "(not set)" : JSON.stringify(value);
}

function changeLine(change: SharedChange, paint: Paint): string {
  const values =
    change.type === "Added"
      ? `added ${paint("green", side(change, "live"))}`
      : change.type === "Removed"
        ? `removed ${paint("red", side(change, "desired"))}`
        : `${paint("red", side(change, "desired"))} → ${paint("green", side(change, "live"))}`;
  return `  ${readablePath(change.path)}: ${values}`;
}

function headerLine(group: SharedDrift, paint: Paint): string {
  const count = group.clusters.length;
  const where = `in ${count} cluster${count === 1 ? "" : "s"}: ${group.clusters.map(clusterName).join(", ")}`;
  const episodes = group.episodes.length;
  const open = group.open === 0 ? "none open" : paint("yellow", `${group.open} open`);
  const seen = `first seen ${shortTime(group.firstSeen)}`;
  return `${paint("bold", resourceName(group))}  ${count > 1 ? paint("yellow", where) : where}  (${episodes} episode${episodes === 1 ? "" : "s"}, ${open}), ${seen}`;
}

export function renderGroupsText(
  episodes: readonly Episode[],
  options: { readonly color: boolean; readonly filter: string },
): string {
  const filter = options.filter === "" ? "" : ` (${options.filter})`;
  if (episodes.length === 0) return `No drift recorded${filter}\n`;
  const paint = painter(options.color);
  const groups = groupAcrossClusters(episodes);
  const shared = groups.filter((group) => group.clusters.length > 1).length;
  const summary = `${groups.length} drift${groups.length === 1 ? "" : "s"} in ${episodes.length} episode${episodes.length === 1 ? "" : "s"}, ${shared} seen in several clusters${filter}`;
  const blocks = groups.map((group) =>
    [headerLine(group, paint), ...group.changes.map((change) => changeLine(change, paint))].join("\n"),
  );
  return `${summary}\n\n${blocks.join("\n\n")}\n`;
}

/** The JSON history with its groups beside the episodes: `groups[].episodes[].id` names them. */
export function renderGroupsJson(episodes: readonly Episode[]): string {
  const groups = groupAcrossClusters(episodes);
  return `${JSON.stringify({ apiVersion: "kubedrift.dev/v1", kind: "DriftHistory", episodes, groups }, null, 2)}\n`;
}
