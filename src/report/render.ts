import YAML from "yaml";
import type { DriftReport } from "../model/index.js";
import { reportsByCluster } from "../model/index.js";
import { countsText, hasDrift } from "./summary.js";
import { reportDocument } from "./document.js";
import type { ObjectsByRef } from "./drift-lines.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { sarifLog } from "./sarif.js";
import { renderText } from "./text.js";

/** The `diff -o` formats; a new one goes here and into renderReport's switch, which the compiler keeps exhaustive. */
export const ReportFormats = {
  text: "text",
  json: "json",
  yaml: "yaml",
  markdown: "markdown",
  sarif: "sarif",
  junit: "junit",
} as const;
export type ReportFormat = (typeof ReportFormats)[keyof typeof ReportFormats];

export function isReportFormat(value: string): value is ReportFormat {
  return Object.values<string>(ReportFormats).includes(value);
}

export interface RenderOptions {
  /** ANSI colour in the text report; the CLI turns it on for a TTY without NO_COLOR. */
  readonly color: boolean;
  /** The moment ages ("3m ago") are measured from. */
  readonly now: Date;
  /** Source files under this directory are shown relative to it. */
  readonly cwd?: string;
  /**
   * The desired and live objects by `refKey(ref)`, when the caller has them: text and markdown then
   * name list items by a key (`containers[name=web]`) rather than by index.
   */
  readonly objects?: ObjectsByRef;
  /** kubedrift's own version, for SARIF's `tool.driver.version`. */
  readonly toolVersion?: string;
  /** A report of several clusters: each one's objects by `refKey(ref)`, as `objects` for one. */
  readonly objectsByCluster?: ReadonlyMap<string, ObjectsByRef>;
}

/**
 * A report of several clusters in a format made for people: each cluster's report as for one
 * cluster (its verdict names it), then the total across them.
 */
function perCluster(
  report: DriftReport,
  options: RenderOptions,
  render: (report: DriftReport, options: RenderOptions) => string,
  total: (line: string) => string,
): string {
  if (report.clusters === undefined) return render(report, options);
  const parts = reportsByCluster(report).map((clusterReport) => {
    const objects = options.objectsByCluster?.get(clusterReport.cluster);
    const { objects: _shared, ...rest } = options;
    return render(clusterReport, objects === undefined ? rest : { ...rest, objects });
  });
  const clean = !hasDrift(report.summary) && report.summary.errors === 0;
  const counts = clean ? "no drift" : countsText(report.summary);
  return `${parts.join("\n")}\n${total(`${report.clusters.length} clusters: ${counts}`)}\n`;
}

/** Renders a drift report; every format ends with a newline. */
export function renderReport(report: DriftReport, format: ReportFormat, options: RenderOptions): string {
  switch (format) {
    case ReportFormats.text:
      return perCluster(report, options, renderText, (line) => line);
    case ReportFormats.json:
      return `${JSON.stringify(reportDocument(report, options), null, 2)}\n`;
    case ReportFormats.yaml:
      // YAML 1.1 quoting, so that strings like "on" or "0755" stay strings for 1.1 readers (PyYAML, go-yaml v2).
      return YAML.stringify(reportDocument(report, options), { version: "1.1", lineWidth: 0 });
    case ReportFormats.markdown:
      return perCluster(report, options, renderMarkdown, (line) => `**${line}**`);
    case ReportFormats.sarif:
      return `${JSON.stringify(sarifLog(report, options), null, 2)}\n`;
    case ReportFormats.junit:
      return renderJunit(report, options);
  }
}
