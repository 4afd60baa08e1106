import type { DriftSummary } from "../model/index.js";

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** True when something is out of sync: the `diff` exit status 2 and the "no drift" wording hang on it. */
export function hasDrift(summary: DriftSummary): boolean {
  return summary.drifted + summary.missing + summary.extra > 0;
}

/**
 * `1 drifted, 1 missing, 1 extra, 1 error, 1 in sync`: what needs attention first, zero counts left
 * out, so that the common case (a few drifted among many in sync) stays short.
 */
export function countsText(summary: DriftSummary): string {
  const counts = [
    [summary.drifted, "drifted"],
    [summary.missing, "missing"],
    [summary.extra, "extra"],
    [summary.errors, summary.errors === 1 ? "error" : "errors"],
    [summary.inSync, "in sync"],
  ] as const;
  return counts
    .filter(([count]) => count > 0)
    .map(([count, label]) => `${count} ${label}`)
    .join(", ");
}

/**
 * The one-line verdict: `4 resources in prod: 1 drifted, 1 missing, 1 extra, 1 in sync`, or
 * `No drift in prod: 3 resources in sync`. "No drift" is said only when every resource could be
 * evaluated; with errors the counts speak instead.
 */
export function summaryLine(summary: DriftSummary, cluster: string): string {
  if (summary.total === 0) return `No drift in ${cluster}: no resources to compare`;
  if (!hasDrift(summary) && summary.errors === 0) {
    return `No drift in ${cluster}: ${plural(summary.inSync, "resource")} in sync`;
  }
  return `${plural(summary.total, "resource")} in ${cluster}: ${countsText(summary)}`;
}
