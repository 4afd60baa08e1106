import type { DriftReport, DriftSummary } from "./drift.js";
import { summarize } from "./drift.js";

function total(summaries: readonly DriftSummary[]): DriftSummary {
  const sum = (key: keyof DriftSummary): number =>
    summaries.reduce((count, summary) => count + summary[key], 0);
  return {
    total: sum("total"),
    inSync: sum("inSync"),
    drifted: sum("drifted"),
    missing: sum("missing"),
    extra: sum("extra"),
    errors: sum("errors"),
  };
}

/**
 * One report of several clusters' reports (`diff --context a --context b`): every resource names its
 * cluster, `clusters` holds each one's summary and `summary` their total. The clusters keep the
 * order they were given in; one report stays as it is, so a single cluster's report never changes shape.
 */
export function combineReports(reports: readonly DriftReport[]): DriftReport {
  const [first] = reports;
  if (first === undefined) throw new Error("combineReports: no report");
  if (reports.length === 1) return first;
  const skipped = reports.flatMap((report) => report.skipped ?? []);
  return {
    generatedAt: first.generatedAt,
    cluster: reports.map((report) => report.cluster).join(", "),
    summary: total(reports.map((report) => report.summary)),
    resources: reports.flatMap((report) =>
      report.resources.map((resource) => ({ ...resource, cluster: report.cluster })),
    ),
    // The same sources were read for every cluster: their skipped entries and revision once.
    ...(skipped.length === 0 ? {} : { skipped: reports[0]?.skipped ?? [] }),
    ...(first.revision === undefined ? {} : { revision: first.revision }),
    clusters: reports.map((report) => ({ name: report.cluster, summary: report.summary })),
  };
}

/** Each cluster's own report out of a combined one, in order; a report of one cluster as it is. */
export function reportsByCluster(report: DriftReport): readonly DriftReport[] {
  if (report.clusters === undefined) return [report];
  return report.clusters.map(({ name }) => {
    const resources = report.resources
      .filter((resource) => resource.cluster === name)
      .map(({ cluster: _cluster, ...resource }) => resource);
    const { clusters: _clusters, ...rest } = report;
    return { ...rest, cluster: name, resources, summary: summarize(resources) };
  });
}
