import { stripVTControlCharacters, styleText } from "node:util";
import { describe, expect, it } from "vitest";
import type { DriftReport } from "../model/index.js";
import { renderReport } from "./index.js";
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

function text(value: DriftReport, extra: { readonly cwd?: string; readonly color?: boolean } = {}): string {
  return renderReport(value, "text", {
    color: extra.color ?? false,
    now,
    ...(extra.cwd !== undefined && { cwd: extra.cwd }),
    objects: mixedObjects,
  });
}

describe("text report", () => {
  it("summarizes, then shows each resource out of sync with only its drifted fields", () => {
    expect(text(mixed, { cwd: "/repo" }))
      .toBe(`7 resources in kind-dev: 3 drifted, 1 missing, 1 extra, 1 error, 1 in sync
- desired (Git)  + live (cluster)

Deployment shop/web  deploy/web.yaml:1  Drifted
  - spec.replicas: 3
  + spec.replicas: 5
    deploy/web.yaml:7, changed by kubectl (Update, subresource scale) 3m ago
  - spec.template.spec.containers[name=web].image: nginx:1.27
  + spec.template.spec.containers[name=web].image: nginx:1.28
    deploy/web.yaml:18, changed by kubectl-set (Update) 2h ago
  - spec.template.spec.containers[name=web].ports[containerPort=8080]:
  -   containerPort: 8080
  -   protocol: TCP
    deploy/web.yaml:20
  + metadata.labels.team: payments
    added by kubectl-label (Update) 5d ago

Secret shop/db-credentials  deploy/secret.yaml:1  Drifted
  - data.password: (redacted a1b2c3d4a1b2c3d4)
  + data.password: (redacted e5f6a7b8e5f6a7b8)
    deploy/secret.yaml:8, changed by kubectl-edit (Update) 30s ago

ConfigMap shop/settings  deploy/settings.yaml:1  Drifted
  - data["app.conf"]: |
  -   mode=fast
  -   workers=2
  + data["app.conf"]: |
  +   mode=fast
  +   workers=4
    deploy/settings.yaml:6

Service shop/api  deploy/api.yaml:1  Missing: not in the cluster

ConfigMap shop/leftover  Extra: in the cluster, not in the sources

Widget.example.com shop/w1  deploy/widget.yaml:1  Error: example.com/v1 Widget is not served by the cluster
`);
  });

  it("addresses list items by index and keeps paths as given without objects and cwd", () => {
    const output = renderReport(mixed, "text", { color: false, now });
    expect(output).toContain(`Deployment shop/web  /repo/deploy/web.yaml:1  Drifted
  - spec.replicas: 3
  + spec.replicas: 5
    /repo/deploy/web.yaml:7, changed by kubectl (Update, subresource scale) 3m ago
  - spec.template.spec.containers[0].image: nginx:1.27
  + spec.template.spec.containers[0].image: nginx:1.28
    /repo/deploy/web.yaml:18, changed by kubectl-set (Update) 2h ago
  - spec.template.spec.containers[0].ports[0]:
`);
  });

  it("says clearly that nothing drifted", () => {
    expect(text(inSyncOnly)).toBe("No drift in kind-dev: 3 resources in sync\n");
    expect(text(report([inSyncOnly.resources[0]]))).toBe("No drift in kind-dev: 1 resource in sync\n");
    expect(text(report([], "prod"))).toBe("No drift in prod: no resources to compare\n");
  });

  it("does not claim no drift when resources could not be evaluated", () => {
    const broken = report([inSyncOnly.resources[1], mixed.resources[6]]);
    expect(text(broken)).toBe(`2 resources in kind-dev: 1 error, 1 in sync

Widget.example.com shop/w1  /repo/deploy/widget.yaml:1  Error: example.com/v1 Widget is not served by the cluster
`);
  });

  it("shows a drift with neither source line nor attribution as its values alone", () => {
    const bare = report([
      {
        ref: ref("v1", "Namespace", "", "shop"),
        status: "Drifted",
        drifts: [{ path: "/metadata/labels/tier", type: "Changed", desired: "5", live: 5 }],
      },
    ]);
    expect(text(bare)).toBe(`1 resource in kind-dev: 1 drifted
- desired (Git)  + live (cluster)

Namespace shop  Drifted
  - metadata.labels.tier: "5"
  + metadata.labels.tier: 5
`);
  });

  it("shows an attribution without a time, and an empty value", () => {
    const untimed = report([
      {
        ref: ref("v1", "ConfigMap", "shop", "flags"),
        status: "Drifted",
        drifts: [
          {
            path: "/data/enabled",
            type: "Changed",
            desired: "on",
            live: "",
            attribution: { manager: "kubectl-patch", operation: "Update" },
          },
        ],
      },
    ]);
    expect(text(untimed)).toContain(`  - data.enabled: "on"
  + data.enabled: ""
    changed by kubectl-patch (Update), time unknown
`);
  });

  it("says a field deleted from the sources is still live and goes with the next apply (rule 4b)", () => {
    const undeclared = report([
      {
        ref: ref("apps/v1", "Deployment", "shop", "web"),
        status: "Drifted",
        source: { file: "/repo/deploy/web.yaml", line: 1 },
        drifts: [
          {
            path: "/metadata/labels/team",
            type: "Added",
            reason: "undeclared",
            live: "payments",
            source: { file: "/repo/deploy/web.yaml", line: 1 },
            attribution: { manager: "kubectl-client-side-apply", operation: "Update" },
          },
        ],
      },
    ]);
    expect(text(undeclared, { cwd: "/repo" })).toContain(`  + metadata.labels.team: payments
    no longer in deploy/web.yaml; the next apply removes it, set by kubectl-client-side-apply (Update), time unknown
`);
    expect(
      JSON.parse(renderReport(undeclared, "json", { now, color: false })).resources[0].drifts[0],
    ).toEqual({
      path: "/metadata/labels/team",
      type: "Added",
      live: "payments",
      source: { file: "/repo/deploy/web.yaml", line: 1 },
      manager: "kubectl-client-side-apply",
      operation: "Update",
      reason: "undeclared",
    });
    const sarif = JSON.parse(renderReport(undeclared, "sarif", { now, color: false, cwd: "/repo" }));
    expect(sarif.runs[0].results[0]).toMatchObject({
      ruleId: "drift/undeclared",
      message: {
        text: expect.stringContaining("no longer in the sources: the next apply removes it"),
      },
    });
  });

  it("colours only when asked, through styleText", () => {
    const style = (format: Parameters<typeof styleText>[0], value: string): string =>
      styleText(format, value, { validateStream: false });
    expect(text(designExample, { color: true })).toBe(
      `${style("bold", "4 resources in context-name: 1 drifted, 1 missing, 1 extra, 1 in sync")}\n` +
        `${style("red", "- desired (Git)")}  ${style("green", "+ live (cluster)")}\n` +
        "\n" +
        `${style("bold", "Deployment shop/web")}  deploy/web.yaml:1  ${style("yellow", "Drifted")}\n` +
        `  ${style("red", "- spec.replicas: 3")}\n` +
        `  ${style("green", "+ spec.replicas: 5")}\n` +
        `  ${style("dim", "  deploy/web.yaml:7, changed by kubectl (Update) 1m ago")}\n`,
    );
    expect(text(inSyncOnly, { color: true })).toBe(
      `${style("green", "No drift in kind-dev: 3 resources in sync")}\n`,
    );
    const coloured = text(mixed, { color: true });
    expect(coloured).toContain(`${style("red", "Missing")}: not in the cluster`);
    expect(coloured).toContain(`${style("yellow", "Extra")}: in the cluster`);
    expect(coloured).toContain(`${style("red", "Error")}: example.com/v1`);
    expect(stripVTControlCharacters(coloured)).not.toBe(coloured);
    for (const value of [mixed, inSyncOnly, designExample, provenanced]) {
      const plain = text(value);
      expect(stripVTControlCharacters(plain)).toBe(plain);
    }
  });

  it("puts the legend under the verdict only when something drifted", () => {
    expect(text(designExample)).toContain(
      "4 resources in context-name: 1 drifted, 1 missing, 1 extra, 1 in sync\n- desired (Git)  + live (cluster)\n\n",
    );
    const noDrifted = report(
      mixed.resources.filter((resource) => resource.status === "Missing" || resource.status === "Extra"),
    );
    expect(text(noDrifted)).toBe(`2 resources in kind-dev: 1 missing, 1 extra

Service shop/api  /repo/deploy/api.yaml:1  Missing: not in the cluster

ConfigMap shop/leftover  Extra: in the cluster, not in the sources
`);
    expect(text(inSyncOnly)).not.toContain("desired (Git)");
  });

  it("says 'time unknown' for an owner entry without a time, as a /scale write leaves it", () => {
    const scaled = report([
      {
        ref: ref("apps/v1", "Deployment", "shop", "web"),
        status: "Drifted",
        source: { file: "/repo/deploy/web.yaml", line: 1 },
        drifts: [
          {
            path: "/spec/replicas",
            type: "Changed",
            desired: 2,
            live: 5,
            source: { file: "/repo/deploy/web.yaml", line: 7 },
            attribution: { manager: "kubectl", operation: "Update", subresource: "scale" },
          },
        ],
      },
    ]);
    expect(text(scaled, { cwd: "/repo" })).toBe(`1 resource in kind-dev: 1 drifted
- desired (Git)  + live (cluster)

Deployment shop/web  deploy/web.yaml:1  Drifted
  - spec.replicas: 2
  + spec.replicas: 5
    deploy/web.yaml:7, changed by kubectl (Update, subresource scale), time unknown
`);
  });

  it("names the revision, each resource's origin, the commit behind a drifted line, and what was not evaluated", () => {
    expect(text(provenanced, { cwd: "/repo" }))
      .toBe(`4 resources in kind-dev: 1 drifted, 1 missing, 1 extra, 1 in sync
Sources at origin/main (0123456)
- desired (Git)  + live (cluster)

Deployment default/example-deployment  infra/main.tf:1 (terraform kubernetes_deployment.example)  Drifted
  - spec.replicas: 3
  + spec.replicas: 5
    infra/main.tf:6, changed by kubectl (Update, subresource scale) 3m ago
    last changed in abc1234 by Jane Doe, 2026-11-20: "Scale web to 3"

ConfigMap default/stray  Extra: in the cluster, not in the sources

Service monitoring/grafana  helm:monitoring/grafana@4:templates/service.yaml:1 (helm release grafana, chart grafana-8.5.1, revision 4)  Missing: not in the cluster

Not evaluated:
  infra/storage.tf:3  kubernetes_persistent_volume.data: resource type kubernetes_persistent_volume is not supported
`);
  });

  it("gives a Helm release's namespace where it is not the object's, and blame without attribution", () => {
    const clusterRole = provenanced.resources[3];
    const drifted = report([
      {
        ...clusterRole,
        status: "Drifted",
        drifts: [
          {
            path: "/rules/0/verbs/1",
            type: "Removed",
            desired: "list",
            blame: {
              commit: "fedcba9876543210",
              author: "Ops Bot",
              date: "2026-10-01T08:00:00Z",
              summary: 'Say "list"',
            },
          },
        ],
      },
    ]);
    expect(text(drifted)).toBe(`1 resource in kind-dev: 1 drifted
- desired (Git)  + live (cluster)

ClusterRole grafana-reader  helm:monitoring/grafana@4:templates/clusterrole.yaml:1 (helm release monitoring/grafana, chart grafana-8.5.1, revision 4)  Drifted
  - rules[0].verbs[1]: list
    last changed in fedcba9 by Ops Bot, 2026-10-01: "Say \\"list\\""
`);
  });

  it("keeps a clean verdict green with skipped sources listed after it", () => {
    const style = (format: Parameters<typeof styleText>[0], value: string): string =>
      styleText(format, value, { validateStream: false });
    expect(text({ ...inSyncOnly, skipped: provenanced.skipped ?? [] }, { color: true })).toBe(
      `${style("green", "No drift in kind-dev: 3 resources in sync")}\n` +
        "\n" +
        `${style("bold", "Not evaluated:")}\n` +
        "  /repo/infra/storage.tf:3  kubernetes_persistent_volume.data: resource type kubernetes_persistent_volume is not supported\n",
    );
  });
});
