import type { DriftReport, ResourceDrift, SkippedSource } from "../model/index.js";
import { describeRef, ResourceStatuses, unreachable } from "../model/index.js";
import { formatAge } from "./age.js";
import type { Paint } from "./ansi.js";
import { painter } from "./ansi.js";
import type { DiffLine, DiffLineOptions, ObjectsByRef } from "./drift-lines.js";
import { driftLines } from "./drift-lines.js";
import { formatLocation } from "./location.js";
import { originText, revisionText } from "./origin.js";
import { hasDrift, summaryLine } from "./summary.js";

export interface TextOptions {
  readonly color: boolean;
  readonly now: Date;
  readonly cwd?: string;
  readonly objects?: ObjectsByRef;
}

function statusText(resource: ResourceDrift, paint: Paint): string {
  switch (resource.status) {
    case ResourceStatuses.inSync:
      return paint("green", "InSync");
    case ResourceStatuses.drifted:
      return paint("yellow", "Drifted");
    case ResourceStatuses.missing:
      return `${paint("red", "Missing")}: not in the cluster`;
    case ResourceStatuses.extra:
      return `${paint("yellow", "Extra")}: in the cluster, not in the sources`;
    case ResourceStatuses.error:
      return `${paint("red", "Error")}: ${resource.error}`;
    default:
      return unreachable(resource);
  }
}

function headerLine(resource: ResourceDrift, paint: Paint, cwd: string | undefined): string {
  const location = resource.source === undefined ? "" : `  ${formatLocation(resource.source, cwd)}`;
  const origin = resource.origin === undefined ? "" : ` (${originText(resource.origin, resource.ref)})`;
  return `${paint("bold", describeRef(resource.ref))}${location}${origin}  ${statusText(resource, paint)}`;
}

const signStyles = { "-": "red", "+": "green", " ": "dim" } as const;

function paintDiffLine(line: DiffLine, paint: Paint): string {
  return `  ${paint(signStyles[line.sign], `${line.sign} ${line.text}`)}`;
}

function resourceBlock(
  resource: ResourceDrift,
  paint: Paint,
  lineOptions: DiffLineOptions,
): readonly string[] {
  const diff = resource.drifts.flatMap((drift) => driftLines(resource, drift, lineOptions));
  return [headerLine(resource, paint, lineOptions.cwd), ...diff.map((line) => paintDiffLine(line, paint))];
}

/** Listed after the resources: what a reader must know to trust an "in sync" that left these out. */
function skippedBlock(skipped: readonly SkippedSource[], paint: Paint, cwd: string | undefined): string {
  const lines = skipped.map(
    (entry) => `  ${formatLocation(entry.source, cwd)}  ${entry.what}: ${entry.reason}`,
  );
  return [paint("bold", "Not evaluated:"), ...lines].join("\n");
}

/** Says which side is which once, above the first diff, as `diff -u` does with its `---`/`+++` header. */
export function legendLine(paint: Paint): string {
  return `${paint("red", "- desired (Git)")}  ${paint("green", "+ live (cluster)")}`;
}

function verdictBlock(report: DriftReport, paint: Paint): string {
  const { summary } = report;
  const verdict = summaryLine(summary, report.cluster);
  const clean = !hasDrift(summary) && summary.errors === 0;
  const lines = [clean ? paint("green", verdict) : paint("bold", verdict)];
  if (report.revision !== undefined) lines.push(`Sources at ${revisionText(report.revision)}`);
  if (summary.drifted > 0) lines.push(legendLine(paint));
  return lines.join("\n");
}

/**
 * The default report, for people at a terminal: the verdict on one line, then each resource that is
 * not in sync, with a unified-diff view of only its drifted fields (`-` desired, `+` live), and what
 * the sources held that could not be evaluated. In-sync resources are only counted. A legend under
 * the verdict says which side is which when anything drifted. Colour (through `styleText`) only
 * when the caller asks for it.
 */
export function renderText(report: DriftReport, options: TextOptions): string {
  const paint = painter(options.color);
  const lineOptions: DiffLineOptions = {
    cwd: options.cwd,
    objects: options.objects,
    when: (changedAt) => formatAge(changedAt, options.now),
  };
  const blocks = report.resources
    .filter((resource) => resource.status !== ResourceStatuses.inSync)
    .map((resource) => resourceBlock(resource, paint, lineOptions).join("\n"));
  const skipped = report.skipped ?? [];
  if (skipped.length > 0) blocks.push(skippedBlock(skipped, paint, options.cwd));
  return [verdictBlock(report, paint), ...blocks].join("\n\n") + "\n";
}
