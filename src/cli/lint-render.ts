/**
 * `kubedrift lint`'s output: text for people (grouped by file, the line first, as compilers
 * print), JSON for tools, SARIF for code scanning (rules with help, suppressions kept), JUnit for
 * CI test views (one test case per object, a failure per finding).
 */
import { styleText } from "node:util";
import type { Check, Finding, LintReport, Severity } from "../lint/types.js";
import { Severities } from "../lint/types.js";
import { describeRef, refKey } from "../model/index.js";
import { relativeFile } from "../report/location.js";
import { escapeXmlAttribute, escapeXmlText } from "../report/junit.js";
import { checkSarif, type SarifLevel } from "../report/sarif-log.js";
import { kubedriftVersion } from "./version.js";

export const LintFormats = ["text", "json", "sarif", "junit"] as const;
export type LintFormat = (typeof LintFormats)[number];

export interface LintRenderOptions {
  readonly cwd: string;
  readonly color: boolean;
  /** Whether to print suppressed findings in text (always in the others). */
  readonly showSuppressed?: boolean;
}

const sarifLevels: Readonly<Record<Severity, SarifLevel>> = {
  error: "error",
  warning: "warning",
  info: "note",
};
const colours = { error: "red", warning: "yellow", info: "cyan" } as const;

function place(finding: Finding, cwd: string): string {
  return `${relativeFile(finding.source.file, cwd)}:${finding.source.line}`;
}

function countsLine(findings: readonly Finding[]): string {
  const active = findings.filter((finding) => finding.suppressed === undefined);
  const counts = [...Severities]
    .reverse()
    .map((severity) => `${active.filter((finding) => finding.severity === severity).length} ${severity}`);
  const suppressed = findings.length - active.length;
  return `${counts.join(", ")}${suppressed === 0 ? "" : `; ${suppressed} suppressed`}`;
}

function renderText(report: LintReport, options: LintRenderOptions): string {
  const paint = (severity: Severity, text: string): string =>
    options.color ? styleText(colours[severity], text) : text;
  const shown = report.findings.filter(
    (finding) => finding.suppressed === undefined || options.showSuppressed === true,
  );
  const sorted = [...shown].sort(
    (a, b) =>
      a.source.file.localeCompare(b.source.file) ||
      a.source.line - b.source.line ||
      a.check.localeCompare(b.check),
  );
  const lines = sorted.map((finding) => {
    const accepted = finding.suppressed === undefined ? "" : ` (suppressed: ${finding.suppressed})`;
    return `${place(finding, options.cwd)}: ${paint(finding.severity, finding.severity)} ${finding.check}: ${describeRef(finding.ref)}: ${finding.message}${accepted}`;
  });
  const summary = `${report.objects} objects, ${report.checks.length} checks: ${countsLine(report.findings)}`;
  return `${[...lines, summary].join("\n")}\n`;
}

function renderJson(report: LintReport, cwd: string): string {
  return `${JSON.stringify(
    {
      apiVersion: "kubedrift.dev/v1",
      kind: "LintReport",
      objects: report.objects,
      summary: Object.fromEntries(
        Severities.map((severity) => [
          severity,
          report.findings.filter(
            (finding) => finding.severity === severity && finding.suppressed === undefined,
          ).length,
        ]),
      ),
      findings: report.findings.map((finding) => ({
        check: finding.check,
        severity: finding.severity,
        object: finding.ref,
        path: finding.path,
        message: finding.message,
        file: relativeFile(finding.source.file, cwd),
        line: finding.source.line,
        ...(finding.suppressed === undefined ? {} : { suppressed: finding.suppressed }),
      })),
    },
    null,
    2,
  )}\n`;
}

function renderSarif(report: LintReport, cwd: string): string {
  const rules = report.checks.map((check: Check) => ({
    id: check.id,
    level: sarifLevels[check.severity],
    summary: check.summary,
    help: check.hint,
    tags: ["kubernetes", "lint", check.category],
  }));
  const entries = report.findings.map((finding) => ({
    ruleId: finding.check,
    level: sarifLevels[finding.severity],
    message: `${describeRef(finding.ref)}: ${finding.message}`,
    ref: finding.ref,
    source: finding.source,
    detail: finding.path,
    ...(finding.suppressed === undefined
      ? {}
      : {
          suppressed: {
            justification: finding.suppressed,
            inSource: finding.suppressed.startsWith("kubedrift.dev/"),
          },
        }),
  }));
  return `${JSON.stringify(checkSarif(rules, entries, { cwd, toolVersion: kubedriftVersion, fingerprintKey: "kubedriftLint/v1" }), null, 2)}\n`;
}

function renderJunit(report: LintReport, cwd: string): string {
  const byObject = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    if (finding.suppressed !== undefined) continue;
    const list = byObject.get(refKey(finding.ref)) ?? [];
    list.push(finding);
    byObject.set(refKey(finding.ref), list);
  }
  const cases = [...byObject.values()].map((findings) => {
    const first = findings[0];
    const failures = findings
      .map(
        (finding) =>
          `      <failure type="${escapeXmlAttribute(finding.check)}" message="${escapeXmlAttribute(`${finding.severity}: ${finding.message}`)}">${escapeXmlText(`${place(finding, cwd)}: ${finding.check}: ${finding.message}`)}</failure>`,
      )
      .join("\n");
    return `    <testcase classname="kubedrift.lint" name="${escapeXmlAttribute(describeRef(first.ref))}" file="${escapeXmlAttribute(relativeFile(first.source.file, cwd))}">\n${failures}\n    </testcase>`;
  });
  const failing = byObject.size;
  const passing = Math.max(0, report.objects - failing);
  const passed =
    passing === 0
      ? []
      : [`    <testcase classname="kubedrift.lint" name="${passing} objects without findings"/>`];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="kubedrift lint" tests="${cases.length + passed.length}" failures="${failing}">`,
    `  <testsuite name="kubedrift lint" tests="${cases.length + passed.length}" failures="${failing}">`,
    ...cases,
    ...passed,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

export function renderLint(report: LintReport, format: LintFormat, options: LintRenderOptions): string {
  switch (format) {
    case "text":
      return renderText(report, options);
    case "json":
      return renderJson(report, options.cwd);
    case "sarif":
      return renderSarif(report, options.cwd);
    case "junit":
      return renderJunit(report, options.cwd);
  }
}

/** Exit status 2 when an unsuppressed finding is at or above `failOn`, else 0. */
export function lintExitStatus(report: LintReport, failOn: Severity): number {
  const threshold = Severities.indexOf(failOn);
  return report.findings.some(
    (finding) => finding.suppressed === undefined && Severities.indexOf(finding.severity) >= threshold,
  )
    ? 2
    : 0;
}
