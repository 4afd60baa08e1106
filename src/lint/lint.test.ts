import { describe, expect, it } from "vitest";
import { parseManifests, ReadModes } from "../sources/index.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import { checksFor, emptyLintConfig, lintObjects, parseLintConfig } from "./index.js";
import { driftChecks } from "./drift/index.js";
import type { Check } from "./types.js";

function objects(yaml: string) {
  return parseManifests(yaml, "app.yaml", ReadModes.named).objects;
}

const deployment = (extra = "", annotations = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop${annotations}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
${extra}`;

const hpa = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
`;

function only(ids: readonly string[]): readonly Check[] {
  return checksFor(builtinSchema, emptyLintConfig, "manifests").filter((check) => ids.includes(check.id));
}

describe("lintObjects", () => {
  it("places a finding at its field's line and names the object", () => {
    const report = lintObjects(objects(deployment() + hpa), {
      checks: driftChecks,
      kubernetesVersion: "1.32",
    });
    expect(report.findings).toEqual([
      {
        check: "replicas-managed-by-hpa",
        severity: "warning",
        ref: expect.objectContaining({ kind: "Deployment", name: "web" }),
        path: "/spec/replicas",
        message: "spec.replicas is 3 while HorizontalPodAutoscaler web scales it",
        source: { file: "app.yaml", line: 7 },
      },
    ]);
  });

  it("reports a check that throws as lint-check-failed, and goes on", () => {
    const broken: Check = {
      ...driftChecks[0],
      id: "broken",
      run: () => {
        throw new Error("boom");
      },
    };
    const report = lintObjects(objects(deployment()), { checks: [broken], kubernetesVersion: "1.32" });
    expect(report.findings.map((finding) => [finding.check, finding.message])).toEqual([
      ["lint-check-failed", "broken failed on Deployment shop/web: boom"],
    ]);
  });

  it("keeps suppressed findings with the reason: by annotation, and by kubedrift.yaml", () => {
    const annotated = deployment(
      "",
      `\n  annotations:\n    kubedrift.dev/lint-ignore: "replicas-managed-by-hpa: the HPA is being removed"`,
    );
    const report = lintObjects(objects(annotated + hpa), { checks: driftChecks, kubernetesVersion: "1.32" });
    expect(report.findings.map((finding) => finding.suppressed)).toEqual([
      "kubedrift.dev/lint-ignore: the HPA is being removed",
    ]);
    const project = lintObjects(objects(deployment() + hpa), {
      checks: driftChecks,
      kubernetesVersion: "1.32",
      ignore: [
        {
          checks: ["replicas-managed-by-hpa"],
          kinds: ["apps/Deployment"],
          names: ["web"],
          reason: "migration",
        },
      ],
    });
    expect(project.findings.map((finding) => finding.suppressed)).toEqual([
      "kubedrift.yaml lint.ignore: migration",
    ]);
  });
});

describe("the drift checks", () => {
  it("find controller-owned fields, VPA-managed requests and defaults that change on migration", () => {
    const yaml = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.96.0.12
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: shop}
spec:
  clusterIP: None
  selector: {app: web}
---
${deployment("          resources: {requests: {cpu: 100m}}\n")}---
apiVersion: autoscaling.k8s.io/v1
kind: VerticalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
---
apiVersion: extensions/v1beta1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: agent, image: agent:1}]}}
`;
    const report = lintObjects(objects(yaml), { checks: driftChecks, kubernetesVersion: "1.32" });
    expect(report.findings.map((finding) => [finding.check, finding.ref.name, finding.path])).toEqual([
      ["controller-owned-field", "web", "/spec/clusterIP"],
      ["requests-managed-by-vpa", "web", "/spec/template/spec/containers/0/resources/requests"],
      ["default-changes-on-migration", "agent", "/spec"],
    ]);
  });
});

describe("lint configuration", () => {
  const config = `apiVersion: kubedrift.dev/v1
kind: Config
lint:
  kubernetesVersion: "1.30"
  disable: [controller-owned-field]
  checks:
    - id: team-label
      severity: error
      kinds: [apps/Deployment]
      expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: every Deployment names its team
  ignore:
    - checks: [team-label]
      namespaces: [legacy]
      reason: owned by nobody yet
`;

  it("reads custom CEL checks, suppressions and disabled checks", () => {
    const parsed = parseLintConfig(config, "kubedrift.yaml");
    expect(parsed.kubernetesVersion).toBe("1.30");
    const checks = checksFor(builtinSchema, parsed, "manifests");
    expect(checks.some((check) => check.id === "controller-owned-field")).toBe(false);
    const report = lintObjects(objects(deployment()), {
      checks: checks.filter((check) => check.id === "team-label"),
      kubernetesVersion: "1.30",
      ignore: parsed.ignore,
    });
    expect(report.findings.map((finding) => [finding.check, finding.severity, finding.message])).toEqual([
      ["team-label", "error", "every Deployment names its team"],
    ]);
  });

  it("names the file and line of what is wrong", () => {
    expect(() => parseLintConfig(config.replace("'team' in", "'team' inn"), "kubedrift.yaml")).toThrow(
      /^kubedrift\.yaml:10: lint\.checks\[0\]\.expression: /,
    );
    expect(() =>
      parseLintConfig(config.replace("severity: error", "severity: fatal"), "kubedrift.yaml"),
    ).toThrow('kubedrift.yaml:8: lint.checks[0].severity must be one of info, warning, error (got "fatal")');
    expect(() =>
      parseLintConfig(config.replace("      reason: owned by nobody yet\n", ""), "kubedrift.yaml"),
    ).toThrow("lint.ignore[0].reason must be a non-empty string");
  });

  it("runs every kind of check over the same objects", () => {
    const all = only(["schema-unknown-field", "replicas-managed-by-hpa"]);
    const report = lintObjects(
      objects(deployment().replace("replicas: 3", "replicas: 3\n  replica: 2") + hpa),
      {
        checks: all,
        kubernetesVersion: "1.32",
      },
    );
    expect(report.findings.map((finding) => finding.check).sort()).toEqual([
      "replicas-managed-by-hpa",
      "schema-unknown-field",
    ]);
  });
});
