/**
 * `GET /api/diff?format=markdown`: the drifted fields of many resources at once, as a Markdown table
 * an on-call engineer pastes into an incident ticket. Withheld values stay hashes; long values are
 * shortened; a `|` in a value is escaped so that it cannot break the table.
 */
import { readablePath } from "../kube/fieldpath/readable.js";
import type { JsonValue } from "../kube/value/json.js";
import type { ApiDrift, ApiResource } from "./api.js";

export interface DiffEntry {
  readonly resource: ApiResource;
  readonly drifts: readonly ApiDrift[];
}

const longestValue = 80;

function cell(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll(/\r?\n/g, " ");
}

function valueText(value: JsonValue | undefined, hash: string | undefined, redacted: boolean): string {
  if (redacted) return hash === undefined ? "(withheld)" : `(withheld, hash ${hash.slice(0, 12)})`;
  if (value === undefined) return "(not set)";
  const json = JSON.stringify(value);
  return json.length > longestValue ? `${json.slice(0, longestValue - 1)}…` : json;
}

function subject(resource: ApiResource): string {
  const where = resource.namespace === undefined ? resource.name : `${resource.namespace}/${resource.name}`;
  return `${resource.kind} ${where}`;
}

function managerText(drift: ApiDrift): string {
  if (drift.manager === undefined) return "";
  return drift.subresource === undefined ? drift.manager : `${drift.manager} (${drift.subresource})`;
}

function row(resource: ApiResource, drift: ApiDrift): string {
  const redacted = drift.redacted === true;
  const source = drift.source === undefined ? "" : ` (${drift.source.file}:${drift.source.line})`;
  return `| ${[
    subject(resource),
    drift.path === "" ? "(the object) Missing" : `${readablePath(drift.path)} ${drift.type}`,
    `${valueText(drift.desired, drift.desiredHash, redacted)}${source}`,
    valueText(drift.live, drift.liveHash, redacted),
    managerText(drift),
    drift.user ?? "",
    drift.changedAt ?? drift.firstSeen ?? "",
  ]
    .map(cell)
    .join(" | ")} |`;
}

export function diffMarkdown(entries: readonly DiffEntry[], at: Date, truncated: boolean): string {
  const fields = entries.reduce((total, entry) => total + entry.drifts.length, 0);
  const lines = [
    `## Drift: ${fields} field${fields === 1 ? "" : "s"} in ${entries.length} resource${entries.length === 1 ? "" : "s"}`,
    "",
    `_kubedrift, ${at.toISOString()}${truncated ? "; the first 1,000 resources only" : ""}_`,
    "",
    "| Resource | Field | Desired (source) | Live | Manager | User | Changed |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...entries.flatMap((entry) => entry.drifts.map((drift) => row(entry.resource, drift))),
  ];
  return `${lines.join("\n")}\n`;
}
