import { describe, expect, it } from "vitest";
import type { DriftReport } from "../model/index.js";
import { renderReport } from "./index.js";
import type { SarifLog } from "./index.js";
import {
  designExample,
  inSyncOnly,
  mixed,
  mixedObjects,
  now,
  provenanced,
  ref,
  report,
} from "./fixtures.test-helper.js";
import { sarifSchemaErrors } from "./sarif-schema.test-helper.js";

function sarifText(value: DriftReport, cwd?: string): string {
  return renderReport(value, "sarif", {
    color: false,
    now,
    ...(cwd !== undefined && { cwd }),
    objects: mixedObjects,
    toolVersion: "0.1.0",
  });
}

function sarif(value: DriftReport, cwd?: string): SarifLog {
  return JSON.parse(sarifText(value, cwd)) as SarifLog;
}

function expectValid(value: DriftReport, cwd?: string): void {
  expect(sarifSchemaErrors(sarif(value, cwd))).toEqual([]);
}

describe("sarif report", () => {
  it("is valid SARIF 2.1.0 for every status, the new fields, an empty report and without cwd", () => {
    for (const value of [mixed, provenanced, designExample, inSyncOnly, report([])]) {
      expectValid(value, "/repo");
      expectValid(value);
    }
  });

  it("rejects what the schema rejects, so that the validation above means something", () => {
    const log = JSON.parse(sarifText(mixed, "/repo")) as { runs: { results: Record<string, unknown>[] }[] };
    log.runs[0].results[0].level = "fatal";
    delete log.runs[0].results[1].message;
    expect(sarifSchemaErrors(log).length).toBeGreaterThanOrEqual(2);
  });

  it("describes the tool and one rule per drift type and resource status", () => {
    const log = sarif(mixed, "/repo");
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    const { driver } = log.runs[0].tool;
    // No informationUri: the project has no public home yet, and SARIF does not require one.
    expect(driver).toMatchObject({ name: "kubedrift", version: "0.1.0" });
    expect("informationUri" in driver).toBe(false);
    expect(driver.rules.map((rule) => [rule.id, rule.defaultConfiguration.level])).toEqual([
      ["drift/changed", "warning"],
      ["drift/removed", "warning"],
      ["drift/added", "warning"],
      ["resource/missing", "warning"],
      ["resource/extra", "warning"],
      ["resource/error", "error"],
      ["drift/undeclared", "warning"],
    ]);
    expect(driver.rules[0]).toEqual({
      id: "drift/changed",
      name: "FieldChanged",
      shortDescription: { text: "A field has a different value in the cluster than in the sources" },
      fullDescription: {
        text: "A field that the sources set has another value in the cluster: it was changed out of band after it was applied.",
      },
      help: {
        text: "Apply the sources again to restore the desired value, or, if the change was intended, write the live value into the sources so that the next deployment does not undo it. The message names the field manager that made the change, from the object's managedFields.",
      },
      defaultConfiguration: { level: "warning" },
      properties: { tags: ["kubernetes", "drift"] },
    });
  });

  it("has one result per drifted field and one per missing, extra or unreadable object, none for in sync", () => {
    const results = sarif(mixed, "/repo").runs[0].results;
    expect(
      results.map((result) => {
        const physical = result.locations[0].physicalLocation;
        const where =
          physical === undefined ? "-" : `${physical.artifactLocation.uri}:${physical.region.startLine}`;
        return `${result.ruleId} #${result.ruleIndex} ${result.level} ${where} ${result.message.text}`;
      }),
    ).toEqual([
      "drift/changed #0 warning deploy/web.yaml:7 Deployment shop/web: spec.replicas is 5 in the cluster, 3 in the sources. Changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z.",
      'drift/changed #0 warning deploy/web.yaml:18 Deployment shop/web: spec.template.spec.containers[name=web].image is "nginx:1.28" in the cluster, "nginx:1.27" in the sources. Changed by kubectl-set (Update) at 2026-11-22T10:00:00Z.',
      'drift/removed #1 warning deploy/web.yaml:20 Deployment shop/web: spec.template.spec.containers[name=web].ports[containerPort=8080] is set in the sources ({"containerPort":8080,"protocol":"TCP"}) but absent in the cluster.',
      'drift/added #2 warning deploy/web.yaml:1 Deployment shop/web: metadata.labels.team is set in the cluster ("payments") but not in the sources. Added by kubectl-label (Update) at 2026-11-17T09:00:00Z.',
      "drift/changed #0 warning deploy/secret.yaml:8 Secret shop/db-credentials: data.password differs from the sources (value hidden). Changed by kubectl-edit (Update) at 2026-11-22T11:59:30Z.",
      'drift/changed #0 warning deploy/settings.yaml:6 ConfigMap shop/settings: data["app.conf"] is "mode=fast\\nworkers=4\\n" in the cluster, "mode=fast\\nworkers=2\\n" in the sources.',
      "resource/missing #3 warning deploy/api.yaml:1 Service shop/api is in the sources but not in the cluster.",
      "resource/extra #4 warning deploy/ns.yaml:1 ConfigMap shop/leftover is in the cluster but not in the sources. It has no source file; this result is shown at Namespace shop.",
      "resource/error #5 error deploy/widget.yaml:1 Widget.example.com shop/w1 could not be checked: example.com/v1 Widget is not served by the cluster",
    ]);
  });

  it("locates a drift at its source line relative to %SRCROOT%, with the object as logical location", () => {
    const log = sarif(mixed, "/repo");
    expect(log.runs[0].originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: "file:///repo/" } });
    expect(log.runs[0].results[0]).toEqual({
      ruleId: "drift/changed",
      ruleIndex: 0,
      level: "warning",
      message: {
        text: "Deployment shop/web: spec.replicas is 5 in the cluster, 3 in the sources. Changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z.",
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "deploy/web.yaml", uriBaseId: "%SRCROOT%" },
            region: { startLine: 7 },
          },
          logicalLocations: [{ name: "web", fullyQualifiedName: "Deployment/shop/web", kind: "object" }],
        },
      ],
      partialFingerprints: { "kubedriftField/v1": "41b7e712b75b2d9338b1be4974f281d5" },
    });
  });

  it("keeps a fingerprint per object and field that does not move with the line", () => {
    const fingerprints = (value: DriftReport): string[] =>
      sarif(value, "/repo").runs[0].results.map((result) => result.partialFingerprints["kubedriftField/v1"]);
    const first = fingerprints(mixed);
    expect(new Set(first).size).toBe(first.length);
    const web = mixed.resources[0];
    const moved: DriftReport = {
      ...mixed,
      resources: [
        {
          ...web,
          source: { file: "/repo/deploy/web.yaml", line: 11 },
          drifts: web.drifts.map((drift) =>
            drift.source === undefined
              ? drift
              : { ...drift, source: { ...drift.source, line: drift.source.line + 10 } },
          ),
        },
        ...mixed.resources.slice(1),
      ],
    };
    expect(fingerprints(moved)).toEqual(first);
  });

  it("shows an Extra object at its namespace's manifest, else at a neighbour, else logically only", () => {
    const extra = (value: DriftReport) =>
      sarif(value, "/repo").runs[0].results.find((result) => result.ruleId === "resource/extra");
    expect(extra(provenanced)).toEqual({
      ruleId: "resource/extra",
      ruleIndex: 4,
      level: "warning",
      message: {
        text: "ConfigMap default/stray is in the cluster but not in the sources. It has no source file; this result is shown at Deployment default/example-deployment.",
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "infra/main.tf", uriBaseId: "%SRCROOT%" },
            region: { startLine: 1 },
          },
          logicalLocations: [
            { name: "stray", fullyQualifiedName: "ConfigMap/default/stray", kind: "object" },
          ],
        },
      ],
      partialFingerprints: { "kubedriftField/v1": "9da4cd0ed37ce2395b045278d9aa6bc4" },
    });
    const onlyStdin = report([
      {
        ref: ref("v1", "ConfigMap", "shop", "wanted"),
        status: "InSync",
        source: { file: "<stdin>", line: 1 },
        drifts: [],
      },
      { ref: ref("v1", "ConfigMap", "shop", "stray"), status: "Extra", drifts: [] },
    ]);
    expect(extra(onlyStdin)?.locations).toEqual([
      { logicalLocations: [{ name: "stray", fullyQualifiedName: "ConfigMap/shop/stray", kind: "object" }] },
    ]);
    expect(extra(onlyStdin)?.message.text).toBe(
      "ConfigMap shop/stray is in the cluster but not in the sources.",
    );
  });

  it("gives files outside the working directory as file URIs, percent-encoded", () => {
    const elsewhere = report([
      {
        ref: ref("v1", "ConfigMap", "shop", "a"),
        status: "Missing",
        source: { file: "/other place/a.yaml", line: 3 },
        drifts: [],
      },
      {
        ref: ref("v1", "ConfigMap", "shop", "b"),
        status: "Missing",
        source: { file: "./deploy/my app/b#1.yaml", line: 1 },
        drifts: [],
      },
    ]);
    const locations = sarif(elsewhere, "/repo").runs[0].results.map(
      (result) => result.locations[0].physicalLocation,
    );
    expect(locations).toEqual([
      { artifactLocation: { uri: "file:///other%20place/a.yaml" }, region: { startLine: 3 } },
      {
        artifactLocation: { uri: "deploy/my%20app/b%231.yaml", uriBaseId: "%SRCROOT%" },
        region: { startLine: 1 },
      },
    ]);
    expect(sarif(elsewhere).runs[0].originalUriBaseIds).toBeUndefined();
  });

  it("carries origin, blame, the revision and what was not evaluated", () => {
    const run = sarif(provenanced, "/repo").runs[0];
    expect(run.results[0].message.text).toBe(
      'Deployment default/example-deployment (terraform kubernetes_deployment.example): spec.replicas is 5 in the cluster, 3 in the sources. Changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z. Source line last changed in abc1234 by Jane Doe, 2026-11-20: "Scale web to 3".',
    );
    expect(run.results[0].properties).toEqual({ terraformAddress: "kubernetes_deployment.example" });
    // A Helm release's templates are not files in the repository: located logically only.
    expect(run.results[2].locations).toEqual([
      {
        logicalLocations: [
          { name: "grafana", fullyQualifiedName: "Service/monitoring/grafana", kind: "object" },
        ],
      },
    ]);
    expect(run.results[2].properties).toEqual({
      helm: {
        release: "grafana",
        namespace: "monitoring",
        chart: "grafana",
        chartVersion: "8.5.1",
        revision: 4,
      },
    });
    expect(run.properties).toEqual({
      cluster: "kind-dev",
      summary: { total: 4, inSync: 1, drifted: 1, missing: 1, extra: 1, errors: 0 },
      revision: { ref: "origin/main", commit: "0123456789abcdef0123456789abcdef01234567" },
    });
    expect(run.invocations).toEqual([
      {
        executionSuccessful: true,
        endTimeUtc: "2026-11-22T12:00:00Z",
        toolExecutionNotifications: [
          {
            level: "warning",
            message: {
              text: "kubernetes_persistent_volume.data was not evaluated: resource type kubernetes_persistent_volume is not supported",
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: "infra/storage.tf", uriBaseId: "%SRCROOT%" },
                  region: { startLine: 3 },
                },
              },
            ],
          },
        ],
      },
    ]);
  });

  it("shortens long values to keep messages on one line", () => {
    const long = report([
      {
        ref: ref("v1", "ConfigMap", "shop", "big"),
        status: "Drifted",
        drifts: [{ path: "/data/blob", type: "Changed", desired: "a".repeat(200), live: "b" }],
      },
    ]);
    expect(sarif(long).runs[0].results[0].message.text).toBe(
      `ConfigMap shop/big: data.blob is "b" in the cluster, "${"a".repeat(78)}… in the sources.`,
    );
  });

  it("is two-space indented JSON with a trailing newline", () => {
    expect(sarifText(report([]))).toMatch(
      /^\{\n {2}"\$schema": "https:\/\/json\.schemastore\.org\/sarif-2\.1\.0\.json",\n/,
    );
    expect(sarifText(report([])).endsWith("}\n")).toBe(true);
  });
});
