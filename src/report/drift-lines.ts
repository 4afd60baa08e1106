import YAML from "yaml";
import type { Attribution, Blame, Drift, ResourceDrift } from "../model/index.js";
import { AddedReasons, refKey, withheldMarker } from "../model/index.js";
import { formatLocation, relativeFile } from "./location.js";
import { shortCommit } from "./origin.js";
import { readablePath } from "./paths.js";
import type { JsonValue, KubeObject } from "../kube/value/json.js";

/** The objects behind a resource, when the caller has them: they let paths name list items by key. */
export interface ResourceObjects {
  readonly desired?: KubeObject;
  readonly live?: KubeObject;
}

/** By `refKey(ref)`. */
export type ObjectsByRef = ReadonlyMap<string, ResourceObjects>;

/** One line of a resource's diff: `-` desired, `+` live, ` ` where the field is declared and who changed it. */
export interface DiffLine {
  readonly sign: "-" | "+" | " ";
  readonly text: string;
}

export interface DiffLineOptions {
  readonly cwd: string | undefined;
  readonly objects: ObjectsByRef | undefined;
  /** How the time of a change reads: `3m ago` in a terminal, a timestamp in a comment read later. */
  readonly when: (changedAt: string) => string | undefined;
}

export const hiddenValue = withheldMarker(undefined);

function isNonEmptyCollection(value: JsonValue): boolean {
  if (value === null || typeof value !== "object") return false;
  return Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0;
}

/*
 * Values are written as YAML, the language the manifests are in: strings unquoted unless YAML would
 * read them as something else (YAML 1.1 rules, so `"on"` and `"5"` stay visibly strings), maps and
 * lists and multi-line strings as indented blocks under the field.
 */
export function valueLines(label: string, value: JsonValue): readonly string[] {
  const lines = YAML.stringify(value, { version: "1.1", lineWidth: 0 }).trimEnd().split("\n");
  const indented = (line: string): string => (line === "" ? line : `  ${line}`);
  if (isNonEmptyCollection(value)) return [`${label}:`, ...lines.map(indented)];
  return [`${label}: ${lines[0]}`, ...lines.slice(1).map(indented)];
}

/**
 * `changed by kubectl-edit (Update) 3m ago`; the verb says whether the field was added. An owner entry
 * without a time reads `time unknown`: kube-apiserver records none for writes through `/scale`
 * (`changed by kubectl (Update, subresource scale), time unknown`), and saying so keeps a reader from
 * taking the missing age for an omission of the report.
 */
export function attributionText(
  attribution: Attribution,
  verb: string,
  options: Pick<DiffLineOptions, "when">,
): string {
  const how =
    attribution.subresource === undefined
      ? attribution.operation
      : `${attribution.operation}, subresource ${attribution.subresource}`;
  const who = `${verb} by ${attribution.manager} (${how})`;
  if (attribution.changedAt === undefined) return `${who}, time unknown`;
  const when = options.when(attribution.changedAt);
  return when === undefined ? who : `${who} ${when}`;
}

/** `no longer in deploy/web.yaml; the next apply removes it`: a field deleted from the sources (rule 4b). */
export function undeclaredText(drift: Drift, cwd: string | undefined): string | undefined {
  if (drift.reason !== AddedReasons.undeclared) return undefined;
  const where = drift.source === undefined ? "the sources" : relativeFile(drift.source.file, cwd);
  return `no longer in ${where}; the next apply removes it`;
}

function attributionVerb(drift: Drift): string {
  if (drift.reason === AddedReasons.undeclared) return "set";
  return drift.type === "Added" ? "added" : "changed";
}

function detailText(drift: Drift, options: DiffLineOptions): string {
  const parts: string[] = [];
  const undeclared = undeclaredText(drift, options.cwd);
  if (undeclared !== undefined) parts.push(undeclared);
  else if (drift.source !== undefined) parts.push(formatLocation(drift.source, options.cwd));
  if (drift.attribution !== undefined)
    parts.push(attributionText(drift.attribution, attributionVerb(drift), options));
  return parts.join(", ");
}

/**
 * `last changed in abc1234 by Jane Doe, 2026-11-20: "Scale web to 3"`: the commit that put the desired
 * value into the sources, shortened as git shows it, dated by the author's own calendar day.
 */
export function blameText(blame: Blame): string {
  const summary = JSON.stringify(blame.summary);
  return `last changed in ${shortCommit(blame.commit)} by ${blame.author}, ${blame.date.slice(0, 10)}: ${summary}`;
}

function sideLines(sign: "-" | "+", label: string, drift: Drift): DiffLine[] {
  const value = sign === "-" ? drift.desired : drift.live;
  if (drift.redacted !== undefined) {
    const hash = sign === "-" ? drift.redacted.desired : drift.redacted.live;
    return [{ sign, text: `${label}: ${withheldMarker(hash)}` }];
  }
  // A Changed drift always has both values; this guards a report built by hand or by an older engine.
  if (value === undefined) return [{ sign, text: `${label}: (not set)` }];
  return valueLines(label, value).map((text) => ({ sign, text }));
}

/**
 * A drift as a unified diff reads: the desired value on `-` lines, the live one on `+` lines (so a
 * Removed field has only `-`, an Added one only `+`), then a context line with where the field is
 * declared and who changed it, and one with the commit behind the desired value when blame is known.
 */
export function driftLines(
  resource: ResourceDrift,
  drift: Drift,
  options: DiffLineOptions,
): readonly DiffLine[] {
  const objects = options.objects?.get(refKey(resource.ref));
  const label = readablePath(drift.path, drift.type === "Added" ? objects?.live : objects?.desired);
  const detail = detailText(drift, options);
  return [
    ...(drift.type === "Added" ? [] : sideLines("-", label, drift)),
    ...(drift.type === "Removed" ? [] : sideLines("+", label, drift)),
    ...(detail === "" ? [] : [{ sign: " " as const, text: detail }]),
    ...(drift.blame === undefined ? [] : [{ sign: " " as const, text: blameText(drift.blame) }]),
  ];
}
