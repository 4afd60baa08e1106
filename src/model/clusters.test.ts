import { describe, expect, it } from "vitest";
import { combineReports, reportsByCluster } from "./clusters.js";
import type { DriftReport, ResourceDrift } from "./drift.js";
import { summarize } from "./drift.js";

function resource(name: string, status: "InSync" | "Drifted"): ResourceDrift {
  return {
    ref: { group: "", version: "v1", kind: "ConfigMap", namespace: "shop", name },
    status,
    drifts: status === "InSync" ? [] : [{ path: "/data/a", type: "Changed", desired: "1", live: "2" }],
  };
}

function report(cluster: string, resources: readonly ResourceDrift[]): DriftReport {
  return { generatedAt: "2026-12-02T15:00:00Z", cluster, summary: summarize(resources), resources };
}

describe("reports of several clusters", () => {
  const eu = report("eu", [resource("a", "Drifted"), resource("b", "InSync")]);
  const us = report("us", [resource("a", "InSync")]);

  it("combine into one: each resource names its cluster, the summary is the total, each cluster keeps its own", () => {
    const combined = combineReports([eu, us]);
    expect(combined.cluster).toBe("eu, us");
    expect(combined.resources.map((entry) => [entry.cluster, entry.ref.name, entry.status])).toEqual([
      ["eu", "a", "Drifted"],
      ["eu", "b", "InSync"],
      ["us", "a", "InSync"],
    ]);
    expect(combined.summary).toEqual({ total: 3, inSync: 2, drifted: 1, missing: 0, extra: 0, errors: 0 });
    expect(combined.clusters).toEqual([
      { name: "eu", summary: eu.summary },
      { name: "us", summary: us.summary },
    ]);
  });

  it("split back into each cluster's report as it was; one cluster's report never changes shape", () => {
    expect(reportsByCluster(combineReports([eu, us]))).toEqual([eu, us]);
    expect(combineReports([eu])).toBe(eu);
    expect(reportsByCluster(eu)).toEqual([eu]);
  });
});
