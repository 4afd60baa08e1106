import type { DriftReport, ResourceDrift, SkippedSource } from "../model/index.js";
import { describeRef, reportsByCluster, ResourceStatuses, summarize, unreachable } from "../model/index.js";
import type { DiffLineOptions, ObjectsByRef } from "./drift-lines.js";
import { driftLines } from "./drift-lines.js";
import { formatLocation, relativeFile } from "./location.js";
import { originText } from "./origin.js";
import { formatTime } from "../kube/time.js";

/*
 * JUnit XML, the test-report format that CI servers (GitLab `reports: junit`, Jenkins, Azure
 * Pipelines, GitHub test-report actions) all read: one test case per resource, so that a CI view
 * lists each object as passed or failed. Decisions:
 * - One `<testsuite name="kubedrift">` inside `<testsuites>`, the root that every reader accepts.
 * - `classname` is the namespace (`(cluster)` for cluster-scoped objects), `name` is `Kind/name`:
 *   readers group test cases by classname, and people think of drift per namespace.
 * - Drifted, Missing and Extra are `<failure type="…">` (the check ran and found a difference), an
 *   object that could not be checked is an `<error>`, as JUnit tells a failed assertion from a test
 *   that broke. The failure text is the `diff` view of the markdown report.
 * - Sources that could not be evaluated are `<skipped>` test cases, classname their file.
 * - No `time`: nothing is timed per object, and a made-up zero would read as measured. The suite's
 *   `timestamp` is the report's, in the XML Schema form the JUnit schema gives it (no zone; UTC).
 */

export interface JunitOptions {
  readonly cwd?: string;
  readonly objects?: ObjectsByRef | undefined;
  /** A report of several clusters: each one's objects (`objects` is keyed by ref alone). */
  readonly objectsByCluster?: ReadonlyMap<string, ObjectsByRef>;
}

const clusterScoped = "(cluster)";

/*
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab and line breaks, lone
 * surrogates, U+FFFE/U+FFFF) become U+FFFD: a live value may hold anything, the report must parse.
 * With the `u` flag a surrogate range matches only unpaired halves. Matching control characters is
 * the point here, hence the lint exception.
 */
// eslint-disable-next-line no-control-regex
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

export function escapeXmlText(text: string): string {
  return text.replace(notXml, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Also quotes, and line breaks and tabs as references, which attribute normalization would otherwise turn into spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

type Attributes = readonly (readonly [string, string | number | undefined])[];

function element(name: string, attributes: Attributes, body?: string): string {
  const text = attributes
    .filter((entry): entry is readonly [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join("");
  return body === undefined || body === "" ? `<${name}${text}/>` : `<${name}${text}>${body}</${name}>`;
}

/** `2026-11-22T12:00:00`; an unreadable time is passed through rather than dropped. */
function junitTimestamp(generatedAt: string): string {
  const time = Date.parse(generatedAt);
  return Number.isNaN(time) ? generatedAt : formatTime(new Date(time)).slice(0, -1);
}

function testCaseName(resource: ResourceDrift): string {
  // describeRef gives `Kind namespace/name` or `Kind name`; the namespace is the classname already.
  const described = describeRef(resource.ref);
  return `${described.slice(0, described.indexOf(" "))}/${resource.ref.name}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function failureBody(resource: ResourceDrift, lineOptions: DiffLineOptions): string {
  const origin = resource.origin === undefined ? [] : [originText(resource.origin, resource.ref)];
  const diff = resource.drifts
    .flatMap((drift) => driftLines(resource, drift, lineOptions))
    .map((line) => `${line.sign} ${line.text}`);
  return escapeXmlText([...origin, ...diff].join("\n"));
}

function outcome(resource: ResourceDrift, lineOptions: DiffLineOptions): string | undefined {
  const body = failureBody(resource, lineOptions);
  switch (resource.status) {
    case ResourceStatuses.inSync:
      return undefined;
    case ResourceStatuses.drifted: {
      const message = `${plural(resource.drifts.length, "field")} drifted`;
      return element(
        "failure",
        [
          ["message", message],
          ["type", resource.status],
        ],
        body,
      );
    }
    case ResourceStatuses.missing:
      return element(
        "failure",
        [
          ["message", "not in the cluster"],
          ["type", resource.status],
        ],
        body,
      );
    case ResourceStatuses.extra: {
      const message = "in the cluster, not in the sources";
      return element(
        "failure",
        [
          ["message", message],
          ["type", resource.status],
        ],
        body,
      );
    }
    case ResourceStatuses.error:
      return element(
        "error",
        [
          ["message", resource.error],
          ["type", resource.status],
        ],
        body,
      );
    default:
      return unreachable(resource);
  }
}

function testCase(resource: ResourceDrift, lineOptions: DiffLineOptions): string {
  const file =
    resource.source === undefined ? undefined : relativeFile(resource.source.file, lineOptions.cwd);
  const attributes: Attributes = [
    ["classname", resource.ref.namespace === "" ? clusterScoped : resource.ref.namespace],
    ["name", testCaseName(resource)],
    ["file", file],
  ];
  const inner = outcome(resource, lineOptions);
  return `    ${element("testcase", attributes, inner === undefined ? undefined : `\n      ${inner}\n    `)}`;
}

function skippedCase(skipped: SkippedSource, cwd: string | undefined): string {
  const file = relativeFile(skipped.source.file, cwd);
  const attributes: Attributes = [
    ["classname", file],
    ["name", skipped.what],
    ["file", file],
  ];
  const reason = `${formatLocation(skipped.source, cwd)}: ${skipped.reason}`;
  return `    ${element("testcase", attributes, `\n      ${element("skipped", [["message", reason]])}\n    `)}`;
}

function properties(report: DriftReport): string {
  const entries: (readonly [string, string])[] = [["cluster", report.cluster]];
  if (report.revision !== undefined) {
    entries.push(["revision.ref", report.revision.ref], ["revision.commit", report.revision.commit]);
  }
  const lines = entries.map(
    ([name, value]) =>
      `      ${element("property", [
        ["name", name],
        ["value", value],
      ])}`,
  );
  return `    <properties>\n${lines.join("\n")}\n    </properties>`;
}

/** One `<testsuite>` per cluster (named `kubedrift (CLUSTER)` when there are several), in one `<testsuites>`. */
export function renderJunit(report: DriftReport, options: JunitOptions): string {
  const several = report.clusters !== undefined;
  const suites = reportsByCluster(report).map((clusterReport) =>
    junitSuite(clusterReport, {
      ...options,
      name: several ? `kubedrift (${clusterReport.cluster})` : "kubedrift",
      ...(several && { objects: options.objectsByCluster?.get(clusterReport.cluster) }),
    }),
  );
  const total = (key: keyof SuiteCounts): number => suites.reduce((sum, suite) => sum + suite.counts[key], 0);
  const counts: Attributes = [
    ["tests", total("tests")],
    ["failures", total("failures")],
    ["errors", total("errors")],
    ["skipped", total("skipped")],
  ];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `${element("testsuites", [["name", "kubedrift"], ...counts], `\n${suites.map((suite) => `  ${suite.xml}\n`).join("")}`)}`,
    "",
  ].join("\n");
}

interface SuiteCounts {
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
}

function junitSuite(
  report: DriftReport,
  options: JunitOptions & { readonly name: string },
): { readonly xml: string; readonly counts: SuiteCounts } {
  const lineOptions: DiffLineOptions = {
    cwd: options.cwd,
    objects: options.objects,
    when: (changedAt) => `at ${changedAt}`,
  };
  // Counted from the resources, not taken from the report's summary, so that they match the test cases.
  const summary = summarize(report.resources);
  const skipped = report.skipped ?? [];
  const tally: SuiteCounts = {
    tests: summary.total + skipped.length,
    failures: summary.drifted + summary.missing + summary.extra,
    errors: summary.errors,
    skipped: skipped.length,
  };
  const counts: Attributes = [
    ["tests", tally.tests],
    ["failures", tally.failures],
    ["errors", tally.errors],
    ["skipped", tally.skipped],
  ];
  const cases = [
    ...report.resources.map((resource) => testCase(resource, lineOptions)),
    ...skipped.map((entry) => skippedCase(entry, options.cwd)),
  ];
  const suiteAttributes: Attributes = [
    ["name", options.name],
    ...counts,
    ["timestamp", junitTimestamp(report.generatedAt)],
  ];
  const xml = element("testsuite", suiteAttributes, `\n${[properties(report), ...cases].join("\n")}\n  `);
  return { xml, counts: tally };
}
