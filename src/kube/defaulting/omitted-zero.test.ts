import { describe, expect, it } from "vitest";
import { builtinOpenAPIData, builtinSchema } from "../schema/builtin.js";
import type { SchemaType } from "../schema/types.js";
import { isRecord, type JsonValue, type KubeObject } from "../value/json.js";
import { omittedZeroFields, withoutOmittedZeros } from "./index.js";

function rootOf(group: string, version: string, kind: string): SchemaType {
  const type = builtinSchema.rootType({ group, version, kind });
  if (type === undefined) throw new Error(`no ${kind}`);
  return type;
}

const deploymentType = rootOf("apps", "v1", "Deployment");

function propertyType(definition: string, field: string): unknown {
  const properties = builtinOpenAPIData().definitions[definition]?.["properties"];
  const property = isRecord(properties) ? properties[field] : undefined;
  return isRecord(property) && property["format"] !== "byte" ? property["type"] : undefined;
}

describe("omittedZeroFields", () => {
  it("names only string, integer and boolean properties of 1.32 definitions", () => {
    const wrong: string[] = [];
    for (const [definition, fields] of omittedZeroFields) {
      for (const field of fields) {
        const type = propertyType(definition, field);
        if (type !== "string" && type !== "integer" && type !== "boolean")
          wrong.push(`${definition}.${field}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(omittedZeroFields.size).toBeGreaterThan(100);
  });

  it("holds the non-pointer omitempty scalars and none of the pointers", () => {
    const fields = (name: string) => [...(omittedZeroFields.get(name) ?? [])];
    expect(fields("io.k8s.api.apps.v1.DeploymentSpec")).toEqual(["minReadySeconds", "paused"]);
    expect(fields("io.k8s.api.core.v1.VolumeMount")).toEqual(["readOnly", "subPath", "subPathExpr"]);
    expect(fields("io.k8s.api.core.v1.ServicePort")).toEqual(["name", "protocol", "nodePort"]);
    expect(fields("io.k8s.api.core.v1.PodSpec")).toContain("hostNetwork");
    expect(fields("io.k8s.api.core.v1.PodSpec")).not.toContain("automountServiceAccountToken");
    expect(fields("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")).toContain("generateName");
    expect(omittedZeroFields.has("io.k8s.api.core.v1.SecurityContext")).toBe(false);
    expect(omittedZeroFields.has("io.k8s.api.core.v1.ConfigMap")).toBe(false);
    expect(fields("io.k8s.api.core.v1.Secret")).toEqual(["type"]);
  });
});

const podSpec = {
  hostNetwork: false,
  hostPID: false,
  automountServiceAccountToken: false,
  serviceAccountName: "",
  initContainers: [{ name: "init", image: "busybox", stdin: false }],
  containers: [
    {
      name: "app",
      image: "nginx",
      tty: false,
      stdin: false,
      workingDir: "",
      ports: [{ containerPort: 80, hostPort: 0, name: "" }],
      volumeMounts: [
        { name: "data", mountPath: "/data", readOnly: false, subPath: "" },
        { name: "conf", mountPath: "/conf", readOnly: true, subPath: "nginx.conf" },
      ],
      securityContext: { privileged: false, readOnlyRootFilesystem: false, runAsUser: 0 },
      readinessProbe: {
        httpGet: { path: "/", port: 80, host: "" },
        initialDelaySeconds: 0,
        periodSeconds: 5,
      },
    },
  ],
  volumes: [
    { name: "data", persistentVolumeClaim: { claimName: "data", readOnly: false } },
    { name: "conf", configMap: { name: "conf", optional: false, defaultMode: 0 } },
  ],
};

const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", generateName: "", labels: { app: "web" } },
  spec: {
    replicas: 0,
    minReadySeconds: 0,
    paused: false,
    revisionHistoryLimit: 0,
    template: { metadata: { labels: { app: "web" } }, spec: podSpec },
  },
};

describe("withoutOmittedZeros", () => {
  it("drops the zero values kube-apiserver never stores, at any depth, and keeps pointers' zeros", () => {
    expect(withoutOmittedZeros(builtinSchema, deploymentType, deployment)).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 0,
        revisionHistoryLimit: 0,
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            automountServiceAccountToken: false,
            initContainers: [{ name: "init", image: "busybox" }],
            containers: [
              {
                name: "app",
                image: "nginx",
                ports: [{ containerPort: 80 }],
                volumeMounts: [
                  { name: "data", mountPath: "/data" },
                  { name: "conf", mountPath: "/conf", readOnly: true, subPath: "nginx.conf" },
                ],
                securityContext: { privileged: false, readOnlyRootFilesystem: false, runAsUser: 0 },
                readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 5 },
              },
            ],
            volumes: [
              { name: "data", persistentVolumeClaim: { claimName: "data" } },
              { name: "conf", configMap: { name: "conf", optional: false, defaultMode: 0 } },
            ],
          },
        },
      },
    });
  });

  it("does not modify its argument", () => {
    const copy = structuredClone(deployment);
    withoutOmittedZeros(builtinSchema, deploymentType, deployment);
    expect(deployment).toEqual(copy);
  });

  it("reaches a CronJob's pod template through its job template", () => {
    const cronJob = {
      spec: {
        schedule: "* * * * *",
        concurrencyPolicy: "",
        jobTemplate: {
          spec: {
            template: { spec: { containers: [{ name: "job", ports: [{ containerPort: 1, hostPort: 0 }] }] } },
          },
        },
      },
    };
    expect(withoutOmittedZeros(builtinSchema, rootOf("batch", "v1", "CronJob"), cronJob)).toEqual({
      spec: {
        schedule: "* * * * *",
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: "job", ports: [{ containerPort: 1 }] }] } } },
        },
      },
    });
  });

  it("keeps non-zero values, required fields, unknown fields and values of the wrong type", () => {
    const service = {
      spec: {
        type: "",
        clusterIP: "",
        ports: [{ port: 0, nodePort: 0, protocol: "TCP", name: "" }],
        publishNotReadyAddresses: "false",
        unknown: false,
      },
    } satisfies JsonValue;
    expect(withoutOmittedZeros(builtinSchema, rootOf("", "v1", "Service"), service)).toEqual({
      spec: { ports: [{ port: 0, protocol: "TCP" }], publishNotReadyAddresses: "false", unknown: false },
    });
  });

  it("leaves values under a schema without definitions (a custom resource's spec) as they are", () => {
    const type: SchemaType = {
      kind: "struct",
      fields: { spec: { kind: "struct", fields: { paused: { kind: "scalar", scalar: "boolean" } } } },
    };
    expect(withoutOmittedZeros(builtinSchema, type, { spec: { paused: false } })).toEqual({
      spec: { paused: false },
    });
  });
});
