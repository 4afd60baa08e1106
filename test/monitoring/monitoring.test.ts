/**
 * deploy/monitoring (issue 12, item 6): every metric the PrometheusRule and the Grafana dashboard use is one that
 * `kubedrift watch` exports, read from the exposition of the metrics registry itself (src/server/metrics.ts).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { WatchState } from "../../src/controller/watch.js";
import { createWatchMetrics } from "../../src/server/metrics.js";

const folder = fileURLToPath(new URL("../../deploy/monitoring/", import.meta.url));
const rule = parse(readFileSync(`${folder}prometheus-rule.yaml`, "utf8"));
const dashboard = JSON.parse(readFileSync(`${folder}grafana-dashboard.json`, "utf8"));

/** Metrics Prometheus itself gives every target, not kubedrift. */
const builtIn = new Set(["up"]);

/**
 * The metric names a PromQL expression uses: identifiers `kubedrift_…`, and `up`. String literals (label values,
 * Grafana's `$variables` inside them) are dropped first so that a label value is never taken for a metric.
 */
function metricNames(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const names = code.match(/(?<![A-Za-z0-9_:$])(?:kubedrift_[a-z0-9_]+|up)(?![A-Za-z0-9_:])/g) ?? [];
  return [...new Set(names)];
}

/** `# TYPE name type` lines of an exposition. */
function types(exposition: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) found.set(match[1], match[2]);
  return found;
}

/** The used names that no exported metric provides (a histogram provides `_bucket`, `_sum` and `_count`). */
function unexported(used: Iterable<string>, exposition: string): string[] {
  const exported = types(exposition);
  return [...used].filter((name) => {
    if (builtIn.has(name) || exported.has(name)) return false;
    const series = /^(.+)_(bucket|sum|count)$/.exec(name);
    if (series === null) return true;
    const type = exported.get(series[1]);
    return !(type === "histogram" || (type === "summary" && series[2] !== "bucket"));
  });
}

interface Expression {
  readonly where: string;
  readonly expr: string;
}

function ruleExpressions(): Expression[] {
  const groups = rule.spec.groups as { name: string; rules: { alert: string; expr: string }[] }[];
  return groups.flatMap((group) =>
    group.rules.map((r) => ({ where: `${group.name}/${r.alert}`, expr: String(r.expr) })),
  );
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; refId: string; datasource?: { type?: string; uid?: string } }[];
  panels?: Panel[];
}

function panels(): Panel[] {
  return (dashboard.panels as Panel[]).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

function dashboardExpressions(): Expression[] {
  const fromPanels = panels().flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      where: `${panel.title}/${target.refId}`,
      expr: target.expr ?? "",
    })),
  );
  const fromVariables = (
    dashboard.templating.list as { name: string; type: string; query: unknown; definition?: string }[]
  )
    .filter((variable) => variable.type === "query")
    .flatMap((variable) => {
      const query =
        typeof variable.query === "string" ? variable.query : (variable.query as { query: string }).query;
      return [query, variable.definition ?? ""].map((expr) => ({ where: `$${variable.name}`, expr }));
    });
  return [...fromPanels, ...fromVariables];
}

const state = (): WatchState => ({
  ready: true,
  statuses: new Map(),
  counts: { InSync: 0, Drifted: 0, Missing: 0, Extra: 0, Error: 0 },
  episodesOpened: 0,
  watchRestarts: 0,
});

let exposition = "";
beforeAll(async () => {
  // A fresh registry, as `watch` starts with: no object seen yet, so only what is registered, not what was observed.
  exposition = await createWatchMetrics(state).registry.metrics();
});

describe("the tokenizer", () => {
  it("finds metric names, including histogram series, and nothing in strings, labels or functions", () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(kubedrift_detection_latency_seconds_bucket{job="kubedrift_x"}[5m]))) > 1',
      ),
    ).toEqual(["kubedrift_detection_latency_seconds_bucket"]);
    expect(metricNames('absent(up{job="kubedrift"} == 1)')).toEqual(["up"]);
    expect(metricNames('label_values(kubedrift_resource_drifted{namespace=~"$namespace"}, kind)')).toEqual([
      "kubedrift_resource_drifted",
    ]);
    expect(metricNames("sum(kubedrift_a) / sum(kubedrift_b2) and kubedrift_a")).toEqual([
      "kubedrift_a",
      "kubedrift_b2",
    ]);
    expect(metricNames("group_left(up_to) backup")).toEqual([]);
  });

  it("knows a histogram's series and refuses a renamed metric", () => {
    expect(unexported(["kubedrift_detection_latency_seconds_count", "up"], exposition)).toEqual([]);
    expect(unexported(["kubedrift_resources_bucket", "kubedrift_resources_total"], exposition)).toEqual([
      "kubedrift_resources_bucket",
      "kubedrift_resources_total",
    ]);
    const renamed = exposition.replaceAll("kubedrift_resource_drifted", "kubedrift_resource_out_of_sync");
    expect(unexported(["kubedrift_resource_drifted"], renamed)).toEqual(["kubedrift_resource_drifted"]);
  });
});

describe("deploy/monitoring/prometheus-rule.yaml", () => {
  it("is a PrometheusRule", () => {
    expect(rule.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(rule.kind).toBe("PrometheusRule");
    expect(rule.metadata.name).toBe("kubedrift");
  });

  it("uses only metrics kubedrift exports", () => {
    const expressions = ruleExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(5);
    for (const { where, expr } of expressions) {
      const used = metricNames(expr);
      expect(used, `${where}: ${expr}`).not.toEqual([]);
      expect(unexported(used, exposition), where).toEqual([]);
    }
  });

  it("alerts on a lasting drift, many drifts, watch restarts, latency and kubedrift down", () => {
    const used = new Set(ruleExpressions().flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      "kubedrift_resource_drifted",
      "kubedrift_resources",
      "kubedrift_watch_restarts_total",
      "kubedrift_detection_latency_seconds_bucket",
      "up",
    ])
      expect(used).toContain(name);
  });

  it("gives each alert a unique name, a severity, a summary and a description, and no external link", () => {
    const alerts = rule.spec.groups.flatMap((group: { rules: unknown[] }) => group.rules);
    const names = alerts.map((alert: { alert: string }) => alert.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const alert of alerts) {
      expect(alert.alert, JSON.stringify(alert)).toMatch(/^Kubedrift[A-Z][A-Za-z]+$/);
      expect(["critical", "warning", "info"], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toEqual(expect.any(String));
      expect(alert.annotations?.description, alert.alert).toEqual(expect.any(String));
      expect(alert.for, alert.alert).toMatch(/^\d+[smh]$/);
      expect(JSON.stringify(alert.annotations), alert.alert).not.toMatch(/https?:/);
    }
  });

  it("has balanced brackets in every expression", () => {
    for (const { where, expr } of ruleExpressions()) expect(balanced(expr), where).toBe(true);
  });
});

describe("deploy/monitoring/grafana-dashboard.json", () => {
  it("has a Prometheus data source variable and namespace and kind variables from kubedrift_resource_drifted", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const variables = new Map<string, { type: string; query: unknown; definition?: string }>(
      dashboard.templating.list.map((variable: { name: string }) => [variable.name, variable]),
    );
    expect(variables.get("datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    expect(variables.get("namespace")?.definition).toBe(
      "label_values(kubedrift_resource_drifted, namespace)",
    );
    expect(variables.get("kind")?.definition).toMatch(
      /^label_values\(kubedrift_resource_drifted\b.*, kind\)$/,
    );
  });

  it("uses only metrics kubedrift exports", () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    for (const { where, expr } of expressions) {
      const used = metricNames(expr);
      expect(used, `${where}: ${expr}`).not.toEqual([]);
      expect(unexported(used, exposition), where).toEqual([]);
      expect(balanced(expr), where).toBe(true);
    }
  });

  it("shows drift by status and by object, episodes, latency, resyncs and watch restarts", () => {
    const used = new Set(dashboardExpressions().flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      "kubedrift_resources",
      "kubedrift_resource_drifted",
      "kubedrift_drifted_fields",
      "kubedrift_drift_started_timestamp_seconds",
      "kubedrift_drift_episodes_total",
      "kubedrift_detection_latency_seconds_bucket",
      "kubedrift_resync_duration_seconds",
      "kubedrift_watch_restarts_total",
    ])
      expect(used).toContain(name);
  });

  it("gives every panel and every target the ${datasource} data source, and unique panel ids", () => {
    const all = panels().filter((panel) => panel.type !== "row");
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const panel of all) {
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? [])
        expect(target.datasource ?? panel.datasource, `${panel.title}/${target.refId}`).toEqual(
          panel.datasource,
        );
    }
    const ids = all.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

function balanced(expr: string): boolean {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const open: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (const char of code) {
    if ("([{".includes(char)) open.push(char);
    else if (char in pairs && open.pop() !== pairs[char]) return false;
  }
  return open.length === 0;
}
