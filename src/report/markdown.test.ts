import { describe, expect, it } from "vitest";
import type { DriftReport } from "../model/index.js";
import { renderReport } from "./index.js";
import { inSyncOnly, mixed, mixedObjects, now, provenanced, ref, report } from "./fixtures.test-helper.js";

function markdown(value: DriftReport, cwd?: string): string {
  return renderReport(value, "markdown", {
    color: true,
    now,
    ...(cwd !== undefined && { cwd }),
    objects: mixedObjects,
  });
}

describe("markdown report", () => {
  it("has a verdict heading, a table of what is out of sync and a diff block per drifted resource", () => {
    expect(markdown(mixed, "/repo")).toBe(`## kubedrift: 3 drifted, 1 missing, 1 extra, 1 error, 1 in sync

7 resources compared with \`kind-dev\` at 2026-11-22T12:00:00Z.

| Resource | Status | Source |
| --- | --- | --- |
| \`Deployment shop/web\` | Drifted: 4 fields | \`deploy/web.yaml:1\` |
| \`Secret shop/db-credentials\` | Drifted: 1 field | \`deploy/secret.yaml:1\` |
| \`ConfigMap shop/settings\` | Drifted: 1 field | \`deploy/settings.yaml:1\` |
| \`Service shop/api\` | Missing | \`deploy/api.yaml:1\` |
| \`ConfigMap shop/leftover\` | Extra |  |
| \`Widget.example.com shop/w1\` | Error: example.com/v1 Widget is not served by the cluster | \`deploy/widget.yaml:1\` |

### \`Deployment shop/web\`

\`\`\`diff
- spec.replicas: 3
+ spec.replicas: 5
  deploy/web.yaml:7, changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z
- spec.template.spec.containers[name=web].image: nginx:1.27
+ spec.template.spec.containers[name=web].image: nginx:1.28
  deploy/web.yaml:18, changed by kubectl-set (Update) at 2026-11-22T10:00:00Z
- spec.template.spec.containers[name=web].ports[containerPort=8080]:
-   containerPort: 8080
-   protocol: TCP
  deploy/web.yaml:20
+ metadata.labels.team: payments
  added by kubectl-label (Update) at 2026-11-17T09:00:00Z
\`\`\`

### \`Secret shop/db-credentials\`

\`\`\`diff
- data.password: (redacted a1b2c3d4a1b2c3d4)
+ data.password: (redacted e5f6a7b8e5f6a7b8)
  deploy/secret.yaml:8, changed by kubectl-edit (Update) at 2026-11-22T11:59:30Z
\`\`\`

### \`ConfigMap shop/settings\`

\`\`\`diff
- data["app.conf"]: |
-   mode=fast
-   workers=2
+ data["app.conf"]: |
+   mode=fast
+   workers=4
  deploy/settings.yaml:6
\`\`\`
`);
  });

  it("says no drift when everything is in sync, and has no colour codes", () => {
    expect(markdown(inSyncOnly)).toBe(`## kubedrift: no drift

3 resources compared with \`kind-dev\` at 2026-11-22T12:00:00Z: all in sync.
`);
    expect(markdown(report([], "prod"))).toBe(`## kubedrift: no drift

No resources to compare with \`prod\` at 2026-11-22T12:00:00Z.
`);
    expect(markdown(mixed)).not.toContain("\u001b");
  });

  it("keeps an error message inside its table cell", () => {
    const broken = report([
      {
        ref: ref("v1", "ConfigMap", "shop", "odd"),
        status: "Error",
        drifts: [],
        error: "bad | value\n<script>",
      },
    ]);
    expect(markdown(broken)).toContain("| `ConfigMap shop/odd` | Error: bad \\| value &lt;script> |  |\n");
  });

  it("fences values that contain backticks with a longer fence", () => {
    const fenced = report([
      {
        ref: ref("v1", "ConfigMap", "shop", "docs"),
        status: "Drifted",
        drifts: [
          { path: "/data/readme", type: "Changed", desired: "```\nold\n```\n", live: "```\nnew\n```\n" },
        ],
      },
    ]);
    expect(markdown(fenced)).toContain(`### \`ConfigMap shop/docs\`

\`\`\`\`diff
- data.readme: |
-   \`\`\`
-   old
-   \`\`\`
+ data.readme: |
+   \`\`\`
+   new
+   \`\`\`
\`\`\`\`
`);
  });

  it("names the revision and origins, shows blame in the diff, and lists what was not evaluated", () => {
    expect(markdown(provenanced, "/repo")).toBe(`## kubedrift: 1 drifted, 1 missing, 1 extra, 1 in sync

4 resources compared with \`kind-dev\` at 2026-11-22T12:00:00Z. Sources at \`origin/main\` (\`0123456\`).

| Resource | Status | Source |
| --- | --- | --- |
| \`Deployment default/example-deployment\` | Drifted: 1 field | \`infra/main.tf:1\` (\`terraform kubernetes_deployment.example\`) |
| \`ConfigMap default/stray\` | Extra |  |
| \`Service monitoring/grafana\` | Missing | \`helm:monitoring/grafana@4:templates/service.yaml:1\` (\`helm release grafana, chart grafana-8.5.1, revision 4\`) |

### \`Deployment default/example-deployment\` (\`terraform kubernetes_deployment.example\`)

\`\`\`diff
- spec.replicas: 3
+ spec.replicas: 5
  infra/main.tf:6, changed by kubectl (Update, subresource scale) at 2026-11-22T11:57:00Z
  last changed in abc1234 by Jane Doe, 2026-11-20: "Scale web to 3"
\`\`\`

### Not evaluated

| Source | What | Why |
| --- | --- | --- |
| \`infra/storage.tf:3\` | \`kubernetes_persistent_volume.data\` | resource type kubernetes_persistent_volume is not supported |
`);
  });
});
