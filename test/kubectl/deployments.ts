/**
 * Deployment manifests and what kube-apiserver 1.32 makes of them: the
 * defaulted spec (pkg/apis/apps/v1/defaults.go, pkg/apis/core/v1/defaults.go)
 * and the fieldsV1 trees its field manager records.
 */
import type { JsonObject } from "../../src/kube/value/json.js";

export interface WebManifest {
  readonly name: string;
  readonly replicas: number;
  readonly image: string;
  /** The containerPort to declare, or none. */
  readonly port?: number;
}

export function deploymentManifest(manifest: WebManifest): string {
  const ports =
    manifest.port === undefined ? [] : ["        ports:", `        - containerPort: ${manifest.port}`];
  return [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${manifest.name}`,
    "  labels:",
    `    app: ${manifest.name}`,
    "spec:",
    `  replicas: ${manifest.replicas}`,
    "  selector:",
    "    matchLabels:",
    `      app: ${manifest.name}`,
    "  template:",
    "    metadata:",
    "      labels:",
    `        app: ${manifest.name}`,
    "    spec:",
    "      containers:",
    `      - name: ${manifest.name}`,
    `        image: ${manifest.image}`,
    ...ports,
    "",
  ].join("\n");
}

/** The spec a Deployment gets from one container of `image`, after defaulting. */
export function defaultedDeploymentSpec(
  manifest: WebManifest & { readonly containerName?: string },
): JsonObject {
  const ports =
    manifest.port === undefined ? {} : { ports: [{ containerPort: manifest.port, protocol: "TCP" }] };
  return {
    progressDeadlineSeconds: 600,
    replicas: manifest.replicas,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: manifest.name } },
    strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" }, type: "RollingUpdate" },
    template: {
      // ObjectMeta.creationTimestamp is a struct without omitempty effect in 1.32, so an unset one prints as null.
      metadata: { creationTimestamp: null, labels: { app: manifest.name } },
      spec: {
        containers: [
          {
            image: manifest.image,
            // A tag other than :latest defaults to IfNotPresent.
            imagePullPolicy:
              manifest.image.includes(":") && !manifest.image.endsWith(":latest") ? "IfNotPresent" : "Always",
            name: manifest.containerName ?? manifest.name,
            ...ports,
            resources: {},
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
          },
        ],
        dnsPolicy: "ClusterFirst",
        restartPolicy: "Always",
        schedulerName: "default-scheduler",
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    },
  };
}

/**
 * What an `Update` that creates a Deployment owns: every field of the
 * defaulted object that differs from Go's zero Deployment. Members present in
 * the zero value (spec, strategy, template…) carry no "." marker; pointers,
 * maps and lists that appear (labels, rollingUpdate, a container) do.
 */
export function createdDeploymentFields(containerName: string, port?: number): JsonObject {
  const ports =
    port === undefined
      ? {}
      : {
          "f:ports": {
            ".": {},
            [`k:{"containerPort":${port},"protocol":"TCP"}`]: {
              ".": {},
              "f:containerPort": {},
              "f:protocol": {},
            },
          },
        };
  return {
    "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    "f:spec": {
      "f:progressDeadlineSeconds": {},
      "f:replicas": {},
      "f:revisionHistoryLimit": {},
      // LabelSelector is x-kubernetes-map-type: atomic in 1.32.
      "f:selector": {},
      "f:strategy": {
        "f:rollingUpdate": { ".": {}, "f:maxSurge": {}, "f:maxUnavailable": {} },
        "f:type": {},
      },
      "f:template": {
        "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
        "f:spec": {
          "f:containers": {
            [`k:{"name":"${containerName}"}`]: {
              ".": {},
              "f:image": {},
              "f:imagePullPolicy": {},
              "f:name": {},
              ...ports,
              "f:resources": {},
              "f:terminationMessagePath": {},
              "f:terminationMessagePolicy": {},
            },
          },
          "f:dnsPolicy": {},
          "f:restartPolicy": {},
          "f:schedulerName": {},
          "f:securityContext": {},
          "f:terminationGracePeriodSeconds": {},
        },
      },
    },
  };
}

/**
 * What an `Apply` of `deploymentManifest` owns: exactly the fields in the
 * applied configuration (no defaults), and "." only on list items.
 */
export function appliedDeploymentFields(name: string, port?: number): JsonObject {
  const ports =
    port === undefined
      ? {}
      : {
          // The key carries the schema default of the list-map key "protocol" (structured-merge-diff defaults
          // missing keys since Kubernetes 1.21, kubernetes#98576); unverified: f:protocol itself stays unowned.
          "f:ports": { [`k:{"containerPort":${port},"protocol":"TCP"}`]: { ".": {}, "f:containerPort": {} } },
        };
  return {
    "f:metadata": { "f:labels": { "f:app": {} } },
    "f:spec": {
      "f:replicas": {},
      "f:selector": {},
      "f:template": {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:containers": {
            [`k:{"name":"${name}"}`]: { ".": {}, "f:image": {}, "f:name": {}, ...ports },
          },
        },
      },
    },
  };
}
