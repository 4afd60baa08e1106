import { describe, expect, it } from "vitest";
import YAML from "yaml";
import type { DriftReport } from "../model/index.js";
import { isReportFormat, renderReport } from "./index.js";
import { designExample, mixed, now, provenanced, ref, report } from "./fixtures.test-helper.js";
import { withheldMarker } from "../model/index.js";

/** DESIGN.md, "The JSON report", verbatim. */
const designContract = `{
  "apiVersion": "kubedrift.dev/v1",
  "kind": "DriftReport",
  "generatedAt": "2026-11-22T12:00:00Z",
  "cluster": "context-name",
  "summary": { "total": 4, "inSync": 1, "drifted": 1, "missing": 1, "extra": 1, "errors": 0 },
  "resources": [
    {
      "apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web",
      "status": "Drifted",
      "source": { "file": "deploy/web.yaml", "line": 1 },
      "drifts": [
        { "path": "/spec/replicas", "type": "Changed", "desired": 3, "live": 5,
          "source": { "file": "deploy/web.yaml", "line": 7 },
          "manager": "kubectl", "operation": "Update", "changedAt": "2026-11-22T11:58:03Z" }
      ]
    }
  ]
}`;

const designJson = `{
  "apiVersion": "kubedrift.dev/v1",
  "kind": "DriftReport",
  "generatedAt": "2026-11-22T12:00:00Z",
  "cluster": "context-name",
  "summary": {
    "total": 4,
    "inSync": 1,
    "drifted": 1,
    "missing": 1,
    "extra": 1,
    "errors": 0
  },
  "resources": [
    {
      "apiVersion": "apps/v1",
      "kind": "Deployment",
      "namespace": "shop",
      "name": "web",
      "status": "Drifted",
      "source": {
        "file": "deploy/web.yaml",
        "line": 1
      },
      "drifts": [
        {
          "path": "/spec/replicas",
          "type": "Changed",
          "desired": 3,
          "live": 5,
          "source": {
            "file": "deploy/web.yaml",
            "line": 7
          },
          "manager": "kubectl",
          "operation": "Update",
          "changedAt": "2026-11-22T11:58:03Z"
        }
      ]
    }
  ]
}
`;

const designYaml = `apiVersion: kubedrift.dev/v1
kind: DriftReport
generatedAt: "2026-11-22T12:00:00Z"
cluster: context-name
summary:
  total: 4
  inSync: 1
  drifted: 1
  missing: 1
  extra: 1
  errors: 0
resources:
  - apiVersion: apps/v1
    kind: Deployment
    namespace: shop
    name: web
    status: Drifted
    source:
      file: deploy/web.yaml
      line: 1
    drifts:
      - path: /spec/replicas
        type: Changed
        desired: 3
        live: 5
        source:
          file: deploy/web.yaml
          line: 7
        manager: kubectl
        operation: Update
        changedAt: "2026-11-22T11:58:03Z"
`;

function json(value: DriftReport, cwd?: string): string {
  return renderReport(value, "json", { color: false, now, ...(cwd !== undefined && { cwd }) });
}

function parsed(value: DriftReport, cwd?: string): { resources: Record<string, unknown>[] } {
  return JSON.parse(json(value, cwd)) as { resources: Record<string, unknown>[] };
}

describe("json report", () => {
  it("is DESIGN.md's example, in its field order, two-space indented with a trailing newline", () => {
    expect(json(designExample)).toBe(designJson);
    expect(JSON.parse(json(designExample))).toEqual(JSON.parse(designContract));
  });

  it("gives files relative to cwd when they lie under it", () => {
    const resources = parsed(mixed, "/repo").resources;
    expect(resources[0].source).toEqual({ file: "deploy/web.yaml", line: 1 });
    expect(parsed(mixed, "/elsewhere").resources[0].source).toEqual({
      file: "/repo/deploy/web.yaml",
      line: 1,
    });
    expect(parsed(mixed).resources[0].source).toEqual({ file: "/repo/deploy/web.yaml", line: 1 });
  });

  it("carries a subresource, leaves out unknown attribution, and the side a Removed or Added drift lacks", () => {
    const drifts = parsed(mixed, "/repo").resources[0].drifts;
    expect(drifts).toEqual([
      {
        path: "/spec/replicas",
        type: "Changed",
        desired: 3,
        live: 5,
        source: { file: "deploy/web.yaml", line: 7 },
        manager: "kubectl",
        operation: "Update",
        subresource: "scale",
        changedAt: "2026-11-22T11:57:00Z",
      },
      {
        path: "/spec/template/spec/containers/0/image",
        type: "Changed",
        desired: "nginx:1.27",
        live: "nginx:1.28",
        source: { file: "deploy/web.yaml", line: 18 },
        manager: "kubectl-set",
        operation: "Update",
        changedAt: "2026-11-22T10:00:00Z",
      },
      {
        path: "/spec/template/spec/containers/0/ports/0",
        type: "Removed",
        desired: { containerPort: 8080, protocol: "TCP" },
        source: { file: "deploy/web.yaml", line: 20 },
      },
      {
        path: "/metadata/labels/team",
        type: "Added",
        live: "payments",
        manager: "kubectl-label",
        operation: "Update",
        changedAt: "2026-11-17T09:00:00Z",
      },
    ]);
  });

  it("gives redacted drifts hashes in place of values", () => {
    const secret = parsed(mixed, "/repo").resources[1];
    expect(json(mixed)).toContain(
      `{
          "path": "/data/password",
          "type": "Changed",
          "redacted": true,
          "desiredHash": "a1b2c3d4a1b2c3d4",
          "liveHash": "e5f6a7b8e5f6a7b8",
          "source": {`,
    );
    expect(secret.drifts).toEqual([
      {
        path: "/data/password",
        type: "Changed",
        redacted: true,
        desiredHash: "a1b2c3d4a1b2c3d4",
        liveHash: "e5f6a7b8e5f6a7b8",
        source: { file: "deploy/secret.yaml", line: 8 },
        manager: "kubectl-edit",
        operation: "Update",
        changedAt: "2026-11-22T11:59:30Z",
      },
    ]);
  });

  it("leaves out the namespace of cluster-scoped objects and the source of Extra ones; says what an Error is", () => {
    const resources = parsed(mixed, "/repo").resources;
    expect(resources.slice(3)).toEqual([
      {
        apiVersion: "v1",
        kind: "Namespace",
        name: "shop",
        status: "InSync",
        source: { file: "deploy/ns.yaml", line: 1 },
        drifts: [],
      },
      {
        apiVersion: "v1",
        kind: "Service",
        namespace: "shop",
        name: "api",
        status: "Missing",
        source: { file: "deploy/api.yaml", line: 1 },
        drifts: [],
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "shop",
        name: "leftover",
        status: "Extra",
        drifts: [],
      },
      {
        apiVersion: "example.com/v1",
        kind: "Widget",
        namespace: "shop",
        name: "w1",
        status: "Error",
        error: "example.com/v1 Widget is not served by the cluster",
        source: { file: "deploy/widget.yaml", line: 1 },
        drifts: [],
      },
    ]);
    expect(Object.keys(resources[6])).toEqual([
      "apiVersion",
      "kind",
      "namespace",
      "name",
      "status",
      "error",
      "source",
      "drifts",
    ]);
  });

  it("lists nothing drifted for an empty report", () => {
    expect(json(report([], "prod"))).toBe(`{
  "apiVersion": "kubedrift.dev/v1",
  "kind": "DriftReport",
  "generatedAt": "2026-11-22T12:00:00Z",
  "cluster": "prod",
  "summary": {
    "total": 0,
    "inSync": 0,
    "drifted": 0,
    "missing": 0,
    "extra": 0,
    "errors": 0
  },
  "resources": []
}
`);
  });
});

describe("json report: origins, blame, revision and skipped sources", () => {
  it("adds them after the contract's fields, in a fixed order", () => {
    const document = JSON.parse(json(provenanced, "/repo"));
    expect(Object.keys(document)).toEqual([
      "apiVersion",
      "kind",
      "generatedAt",
      "cluster",
      "summary",
      "resources",
      "revision",
      "skipped",
    ]);
    expect(document.revision).toEqual({
      ref: "origin/main",
      commit: "0123456789abcdef0123456789abcdef01234567",
    });
    expect(document.skipped).toEqual([
      {
        file: "infra/storage.tf",
        line: 3,
        what: "kubernetes_persistent_volume.data",
        reason: "resource type kubernetes_persistent_volume is not supported",
      },
    ]);
    expect(json(provenanced, "/repo")).toContain(`      "drifts": [
        {
          "path": "/spec/replicas",
          "type": "Changed",
          "desired": 3,
          "live": 5,
          "source": {
            "file": "infra/main.tf",
            "line": 6
          },
          "manager": "kubectl",
          "operation": "Update",
          "subresource": "scale",
          "changedAt": "2026-11-22T11:57:00Z",
          "blame": {
            "commit": "abc1234def567890abc1234def567890abc1234d",
            "author": "Jane Doe",
            "date": "2026-11-20T16:30:00+01:00",
            "summary": "Scale web to 3"
          }
        }
      ],
      "terraformAddress": "kubernetes_deployment.example"
    },`);
    expect(document.resources[2]).toEqual({
      apiVersion: "v1",
      kind: "Service",
      namespace: "monitoring",
      name: "grafana",
      status: "Missing",
      source: { file: "helm:monitoring/grafana@4:templates/service.yaml", line: 1 },
      drifts: [],
      helm: {
        release: "grafana",
        namespace: "monitoring",
        chart: "grafana",
        chartVersion: "8.5.1",
        revision: 4,
      },
    });
    expect(Object.keys(document.resources[2])).toEqual([
      "apiVersion",
      "kind",
      "namespace",
      "name",
      "status",
      "source",
      "drifts",
      "helm",
    ]);
  });

  it("leaves them out when the run has none, and an empty skipped list too", () => {
    const document = JSON.parse(json({ ...designExample, skipped: [] }));
    expect(Object.keys(document)).toEqual([
      "apiVersion",
      "kind",
      "generatedAt",
      "cluster",
      "summary",
      "resources",
    ]);
    expect(json({ ...designExample, skipped: [] })).toBe(designJson);
  });

  it("carries them into YAML as well", () => {
    const yaml = renderReport(provenanced, "yaml", { color: false, now, cwd: "/repo" });
    expect(YAML.parse(yaml)).toEqual(JSON.parse(json(provenanced, "/repo")));
    expect(yaml).toContain(`revision:
  ref: origin/main
  commit: 0123456789abcdef0123456789abcdef01234567
skipped:
  - file: infra/storage.tf
    line: 3
`);
  });
});

describe("yaml report", () => {
  it("is the JSON document as YAML", () => {
    expect(renderReport(designExample, "yaml", { color: false, now })).toBe(designYaml);
    const yaml = renderReport(mixed, "yaml", { color: false, now, cwd: "/repo" });
    expect(YAML.parse(yaml)).toEqual(JSON.parse(json(mixed, "/repo")));
  });

  it("writes multi-line values as block scalars and keeps YAML 1.1 look-alikes strings", () => {
    const configMap = ref("v1", "ConfigMap", "shop", "flags");
    const flags = report([
      {
        ref: configMap,
        status: "Drifted",
        drifts: [
          { path: "/data/enabled", type: "Changed", desired: "on", live: "off" },
          { path: "/data/script", type: "Changed", desired: "a\nb\n", live: "a\nc\n" },
        ],
      },
    ]);
    expect(renderReport(flags, "yaml", { color: false, now })).toContain(`    drifts:
      - path: /data/enabled
        type: Changed
        desired: "on"
        live: "off"
      - path: /data/script
        type: Changed
        desired: |
          a
          b
        live: |
          a
          c
`);
  });
});

describe("redaction", () => {
  it("never shows a redacted drift's values, even when a report carries them", () => {
    const leaky = report([
      {
        ref: ref("v1", "Secret", "shop", "db"),
        status: "Drifted",
        source: { file: "deploy/secret.yaml", line: 1 },
        drifts: [
          {
            path: "/data/password",
            type: "Changed",
            desired: "hunter2",
            live: "s3cr3t",
            redacted: { desired: "1111", live: "2222" },
          },
          { path: "/data/token", type: "Removed", desired: "tok-abc", redacted: { desired: "3333" } },
          { path: "/data/extra", type: "Added", live: "xyz-live", redacted: { live: "4444" } },
        ],
      },
    ]);
    for (const format of ["text", "json", "yaml", "markdown", "sarif", "junit"] as const) {
      const output = renderReport(leaky, format, { color: true, now });
      for (const secret of ["hunter2", "s3cr3t", "tok-abc", "xyz-live"]) expect(output).not.toContain(secret);
    }
    expect(parsed(leaky).resources[0].drifts).toEqual([
      { path: "/data/password", type: "Changed", redacted: true, desiredHash: "1111", liveHash: "2222" },
      { path: "/data/token", type: "Removed", redacted: true, desiredHash: "3333" },
      { path: "/data/extra", type: "Added", redacted: true, liveHash: "4444" },
    ]);
  });

  it("prints the marker plan, apply and adopt print: the keyed hash, or only that the value is hidden", () => {
    expect(withheldMarker("0123456789abcdef")).toBe("(redacted 0123456789abcdef)");
    expect(withheldMarker(undefined)).toBe("(value hidden)");
    const unkeyed = report([
      {
        ref: ref("v1", "Secret", "shop", "db"),
        status: "Drifted",
        source: { file: "deploy/secret.yaml", line: 1 },
        drifts: [{ path: "/data/password", type: "Changed", redacted: {} }],
      },
    ]);
    expect(renderReport(unkeyed, "text", { color: false, now })).toContain(
      "  - data.password: (value hidden)\n  + data.password: (value hidden)\n",
    );
  });
});

describe("isReportFormat", () => {
  it("accepts the formats this version renders", () => {
    expect(["text", "json", "yaml", "markdown", "sarif", "junit", "html"].filter(isReportFormat)).toEqual([
      "text",
      "json",
      "yaml",
      "markdown",
      "sarif",
      "junit",
    ]);
  });
});
