import type { DriftReport, ResourceDrift, SkippedSource } from "../model/index.js";
import { describeRef, ResourceStatuses, unreachable } from "../model/index.js";
import type { DiffLineOptions, ObjectsByRef } from "./drift-lines.js";
import { driftLines } from "./drift-lines.js";
import { formatLocation } from "./location.js";
import { originText, shortCommit } from "./origin.js";
import { countsText, hasDrift } from "./summary.js";

export interface MarkdownOptions {
  readonly cwd?: string;
  readonly objects?: ObjectsByRef;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/** A code span that survives backticks in its content (CommonMark: a longer delimiter run). */
function code(text: string): string {
  const fence = "`".repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Free text (error messages) in a table cell: one line, no cell breaks, no HTML. */
function cellText(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function statusCell(resource: ResourceDrift): string {
  switch (resource.status) {
    case ResourceStatuses.drifted:
      return `Drifted: ${plural(resource.drifts.length, "field")}`;
    case ResourceStatuses.error:
      return `Error: ${cellText(resource.error)}`;
    case ResourceStatuses.inSync:
    case ResourceStatuses.missing:
    case ResourceStatuses.extra:
      return resource.status;
    default:
      return unreachable(resource);
  }
}

/** `(`terraform kubernetes_deployment.example`)`; empty for plain manifests. */
function originSuffix(resource: ResourceDrift): string {
  return resource.origin === undefined ? "" : ` (${code(originText(resource.origin, resource.ref))})`;
}

function tableRow(resource: ResourceDrift, cwd: string | undefined): string {
  const location = resource.source === undefined ? "" : code(formatLocation(resource.source, cwd));
  const source = `${location}${originSuffix(resource)}`.trim();
  return `| ${code(describeRef(resource.ref))} | ${statusCell(resource)} | ${source} |`;
}

function skippedSection(skipped: readonly SkippedSource[], cwd: string | undefined): string {
  const rows = skipped.map(
    (entry) =>
      `| ${code(formatLocation(entry.source, cwd))} | ${code(entry.what)} | ${cellText(entry.reason)} |`,
  );
  return ["### Not evaluated", ["| Source | What | Why |", "| --- | --- | --- |", ...rows].join("\n")].join(
    "\n\n",
  );
}

function diffSection(resource: ResourceDrift, lineOptions: DiffLineOptions): string {
  const body = resource.drifts
    .flatMap((drift) => driftLines(resource, drift, lineOptions))
    .map((line) => `${line.sign} ${line.text}`)
    .join("\n");
  const fence = "`".repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `### ${code(describeRef(resource.ref))}${originSuffix(resource)}\n\n${fence}diff\n${body}\n${fence}`;
}

function introduction(report: DriftReport): string {
  return report.revision === undefined
    ? verdictSentence(report)
    : `${verdictSentence(report)} Sources at ${code(report.revision.ref)} (${code(shortCommit(report.revision.commit))}).`;
}

function verdictSentence(report: DriftReport): string {
  const { summary } = report;
  const where = `${code(report.cluster)} at ${report.generatedAt}`;
  if (summary.total === 0) return `No resources to compare with ${where}.`;
  if (!hasDrift(summary) && summary.errors === 0) {
    return `${plural(summary.total, "resource")} compared with ${where}: all in sync.`;
  }
  return `${plural(summary.total, "resource")} compared with ${where}.`;
}

/**
 * For a pull-request comment: a heading with the verdict, a table of the resources that are not in
 * sync (in-sync ones only counted: a comment has a size limit and readers want the exceptions), a
 * `diff` block per drifted resource, then what the sources held that could not be evaluated. Times
 * of changes are timestamps, not "3m ago", because a comment is read long after it is written.
 */
export function renderMarkdown(report: DriftReport, options: MarkdownOptions): string {
  const { summary } = report;
  const clean = !hasDrift(summary) && summary.errors === 0;
  const heading = `## kubedrift: ${clean ? "no drift" : countsText(summary)}`;
  const outOfSync = report.resources.filter((resource) => resource.status !== ResourceStatuses.inSync);
  const sections = [heading, introduction(report)];
  if (outOfSync.length > 0) {
    const rows = outOfSync.map((resource) => tableRow(resource, options.cwd));
    sections.push(["| Resource | Status | Source |", "| --- | --- | --- |", ...rows].join("\n"));
  }
  const lineOptions: DiffLineOptions = {
    cwd: options.cwd,
    objects: options.objects,
    when: (changedAt) => `at ${changedAt}`,
  };
  for (const resource of outOfSync) {
    if (resource.drifts.length > 0) sections.push(diffSection(resource, lineOptions));
  }
  const skipped = report.skipped ?? [];
  if (skipped.length > 0) sections.push(skippedSection(skipped, options.cwd));
  return sections.join("\n\n") + "\n";
}
