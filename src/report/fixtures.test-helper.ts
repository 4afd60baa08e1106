import type { DriftReport, ResourceDrift } from "../model/index.js";
import { refKey, summarize } from "../model/index.js";
import type { ObjectsByRef } from "./drift-lines.js";
import type { KubeObject } from "../kube/value/json.js";
import type { ObjectRef } from "../kube/object.js";
import { splitApiVersion } from "../kube/object.js";

/** Hand-written reports shared by the renderer tests. */

export const now = new Date("2026-11-22T12:00:00Z");

export function ref(apiVersion: string, kind: string, namespace: string, name: string): ObjectRef {
  return { ...splitApiVersion(apiVersion), kind, namespace, name };
}

export function report(resources: readonly ResourceDrift[], cluster = "kind-dev"): DriftReport {
  return { generatedAt: "2026-11-22T12:00:00Z", cluster, summary: summarize(resources), resources };
}

const web = ref("apps/v1", "Deployment", "shop", "web");

/** DESIGN.md's example of the JSON report, summary and all (its other three resources are elided there). */
export const designExample: DriftReport = {
  generatedAt: "2026-11-22T12:00:00Z",
  cluster: "context-name",
  summary: { total: 4, inSync: 1, drifted: 1, missing: 1, extra: 1, errors: 0 },
  resources: [
    {
      ref: web,
      status: "Drifted",
      source: { file: "deploy/web.yaml", line: 1 },
      drifts: [
        {
          path: "/spec/replicas",
          type: "Changed",
          desired: 3,
          live: 5,
          source: { file: "deploy/web.yaml", line: 7 },
          attribution: { manager: "kubectl", operation: "Update", changedAt: "2026-11-22T11:58:03Z" },
        },
      ],
    },
  ],
};

export const inSyncOnly: DriftReport = report([
  {
    ref: ref("v1", "Namespace", "", "shop"),
    status: "InSync",
    source: { file: "deploy/ns.yaml", line: 1 },
    drifts: [],
  },
  { ref: web, status: "InSync", source: { file: "deploy/web.yaml", line: 1 }, drifts: [] },
  {
    ref: ref("v1", "Service", "shop", "web"),
    status: "InSync",
    source: { file: "deploy/web.yaml", line: 30 },
    drifts: [],
  },
]);

/** Every status and kind of drift: with and without attribution, redacted, multi-line, a removed list item. */
export const mixed: DriftReport = report([
  {
    ref: web,
    status: "Drifted",
    source: { file: "/repo/deploy/web.yaml", line: 1 },
    drifts: [
      {
        path: "/spec/replicas",
        type: "Changed",
        desired: 3,
        live: 5,
        source: { file: "/repo/deploy/web.yaml", line: 7 },
        attribution: {
          manager: "kubectl",
          operation: "Update",
          subresource: "scale",
          changedAt: "2026-11-22T11:57:00Z",
        },
      },
      {
        path: "/spec/template/spec/containers/0/image",
        type: "Changed",
        desired: "nginx:1.27",
        live: "nginx:1.28",
        source: { file: "/repo/deploy/web.yaml", line: 18 },
        attribution: { manager: "kubectl-set", operation: "Update", changedAt: "2026-11-22T10:00:00Z" },
      },
      {
        path: "/spec/template/spec/containers/0/ports/0",
        type: "Removed",
        desired: { containerPort: 8080, protocol: "TCP" },
        source: { file: "/repo/deploy/web.yaml", line: 20 },
      },
      {
        path: "/metadata/labels/team",
        type: "Added",
        live: "payments",
        attribution: { manager: "kubectl-label", operation: "Update", changedAt: "2026-11-17T09:00:00Z" },
      },
    ],
  },
  {
    ref: ref("v1", "Secret", "shop", "db-credentials"),
    status: "Drifted",
    source: { file: "/repo/deploy/secret.yaml", line: 1 },
    drifts: [
      {
        path: "/data/password",
        type: "Changed",
        redacted: { desired: "a1b2c3d4a1b2c3d4", live: "e5f6a7b8e5f6a7b8" },
        source: { file: "/repo/deploy/secret.yaml", line: 8 },
        attribution: { manager: "kubectl-edit", operation: "Update", changedAt: "2026-11-22T11:59:30Z" },
      },
    ],
  },
  {
    ref: ref("v1", "ConfigMap", "shop", "settings"),
    status: "Drifted",
    source: { file: "/repo/deploy/settings.yaml", line: 1 },
    drifts: [
      {
        path: "/data/app.conf",
        type: "Changed",
        desired: "mode=fast\nworkers=2\n",
        live: "mode=fast\nworkers=4\n",
        source: { file: "/repo/deploy/settings.yaml", line: 6 },
      },
    ],
  },
  {
    ref: ref("v1", "Namespace", "", "shop"),
    status: "InSync",
    source: { file: "/repo/deploy/ns.yaml", line: 1 },
    drifts: [],
  },
  {
    ref: ref("v1", "Service", "shop", "api"),
    status: "Missing",
    source: { file: "/repo/deploy/api.yaml", line: 1 },
    drifts: [],
  },
  { ref: ref("v1", "ConfigMap", "shop", "leftover"), status: "Extra", drifts: [] },
  {
    ref: ref("example.com/v1", "Widget", "shop", "w1"),
    status: "Error",
    source: { file: "/repo/deploy/widget.yaml", line: 1 },
    drifts: [],
    error: "example.com/v1 Widget is not served by the cluster",
  },
]);

const webDesired: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 8080, protocol: "TCP" }] }],
      },
    },
  },
};

const webLive: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", labels: { team: "payments" } },
  spec: { replicas: 5, template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } },
};

export const mixedObjects: ObjectsByRef = new Map([[refKey(web), { desired: webDesired, live: webLive }]]);

/**
 * Desired state from Terraform and Helm, read at a Git revision, with blame and a skipped source: the
 * fields that later sources add to a report.
 */
export const provenanced: DriftReport = {
  ...report([
    {
      ref: ref("apps/v1", "Deployment", "default", "example-deployment"),
      status: "Drifted",
      source: { file: "/repo/infra/main.tf", line: 1 },
      origin: { kind: "terraform", address: "kubernetes_deployment.example" },
      drifts: [
        {
          path: "/spec/replicas",
          type: "Changed",
          desired: 3,
          live: 5,
          source: { file: "/repo/infra/main.tf", line: 6 },
          attribution: {
            manager: "kubectl",
            operation: "Update",
            subresource: "scale",
            changedAt: "2026-11-22T11:57:00Z",
          },
          blame: {
            commit: "abc1234def567890abc1234def567890abc1234d",
            author: "Jane Doe",
            date: "2026-11-20T16:30:00+01:00",
            summary: "Scale web to 3",
          },
        },
      ],
    },
    { ref: ref("v1", "ConfigMap", "default", "stray"), status: "Extra", drifts: [] },
    {
      ref: ref("v1", "Service", "monitoring", "grafana"),
      status: "Missing",
      source: { file: "helm:monitoring/grafana@4:templates/service.yaml", line: 1 },
      origin: {
        kind: "helm",
        release: "grafana",
        namespace: "monitoring",
        revision: 4,
        chart: "grafana",
        chartVersion: "8.5.1",
      },
      drifts: [],
    },
    {
      ref: ref("rbac.authorization.k8s.io/v1", "ClusterRole", "", "grafana-reader"),
      status: "InSync",
      source: { file: "helm:monitoring/grafana@4:templates/clusterrole.yaml", line: 1 },
      origin: {
        kind: "helm",
        release: "grafana",
        namespace: "monitoring",
        revision: 4,
        chart: "grafana",
        chartVersion: "8.5.1",
      },
      drifts: [],
    },
  ]),
  revision: { ref: "origin/main", commit: "0123456789abcdef0123456789abcdef01234567" },
  skipped: [
    {
      source: { file: "/repo/infra/storage.tf", line: 3 },
      what: "kubernetes_persistent_volume.data",
      reason: "resource type kubernetes_persistent_volume is not supported",
    },
  ],
};
