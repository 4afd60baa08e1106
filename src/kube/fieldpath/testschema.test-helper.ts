import type { Schema, SchemaType } from "../schema/types.js";

/** A hand-built slice of the apps/v1 Deployment schema, enough to exercise SMD semantics. */
const definitions: Record<string, SchemaType> = {
  ObjectMeta: {
    kind: "struct",
    fields: {
      name: { kind: "scalar", scalar: "string" },
      namespace: { kind: "scalar", scalar: "string" },
      uid: { kind: "scalar", scalar: "string" },
      resourceVersion: { kind: "scalar", scalar: "string" },
      generation: { kind: "scalar", scalar: "integer" },
      creationTimestamp: { kind: "scalar", scalar: "time" },
      labels: { kind: "map", values: { kind: "scalar", scalar: "string" } },
      annotations: { kind: "map", values: { kind: "scalar", scalar: "string" } },
      finalizers: { kind: "list", listType: "set", items: { kind: "scalar", scalar: "string" } },
      managedFields: { kind: "list", listType: "atomic", items: { kind: "untyped" } },
    },
  },
  Deployment: {
    kind: "struct",
    fields: {
      apiVersion: { kind: "scalar", scalar: "string" },
      kind: { kind: "scalar", scalar: "string" },
      metadata: { kind: "ref", name: "ObjectMeta" },
      spec: { kind: "ref", name: "DeploymentSpec" },
      status: { kind: "ref", name: "DeploymentStatus" },
    },
  },
  DeploymentSpec: {
    kind: "struct",
    fields: {
      replicas: { kind: "scalar", scalar: "integer" },
      selector: { kind: "ref", name: "LabelSelector" },
      template: { kind: "ref", name: "PodTemplateSpec" },
      strategy: {
        kind: "struct",
        fields: {
          type: { kind: "scalar", scalar: "string" },
          rollingUpdate: {
            kind: "struct",
            fields: {
              maxSurge: { kind: "scalar", scalar: "int-or-string" },
              maxUnavailable: { kind: "scalar", scalar: "int-or-string" },
            },
          },
        },
      },
      revisionHistoryLimit: { kind: "scalar", scalar: "integer" },
      progressDeadlineSeconds: { kind: "scalar", scalar: "integer" },
    },
  },
  DeploymentStatus: {
    kind: "struct",
    fields: {
      replicas: { kind: "scalar", scalar: "integer" },
      observedGeneration: { kind: "scalar", scalar: "integer" },
    },
  },
  LabelSelector: {
    kind: "struct",
    atomic: true,
    fields: { matchLabels: { kind: "map", values: { kind: "scalar", scalar: "string" } } },
  },
  PodTemplateSpec: {
    kind: "struct",
    fields: { metadata: { kind: "ref", name: "ObjectMeta" }, spec: { kind: "ref", name: "PodSpec" } },
  },
  PodSpec: {
    kind: "struct",
    fields: {
      containers: {
        kind: "list",
        listType: "map",
        mapKeys: ["name"],
        items: { kind: "ref", name: "Container" },
      },
      dnsPolicy: { kind: "scalar", scalar: "string" },
      restartPolicy: { kind: "scalar", scalar: "string" },
      schedulerName: { kind: "scalar", scalar: "string" },
      securityContext: { kind: "struct", fields: { runAsUser: { kind: "scalar", scalar: "integer" } } },
      terminationGracePeriodSeconds: { kind: "scalar", scalar: "integer" },
    },
  },
  Container: {
    kind: "struct",
    fields: {
      name: { kind: "scalar", scalar: "string" },
      image: { kind: "scalar", scalar: "string" },
      imagePullPolicy: { kind: "scalar", scalar: "string" },
      args: { kind: "list", listType: "atomic", items: { kind: "scalar", scalar: "string" } },
      resources: {
        kind: "struct",
        fields: {
          limits: { kind: "map", values: { kind: "scalar", scalar: "quantity" } },
          requests: { kind: "map", values: { kind: "scalar", scalar: "quantity" } },
        },
      },
      terminationMessagePath: { kind: "scalar", scalar: "string" },
      terminationMessagePolicy: { kind: "scalar", scalar: "string" },
      ports: {
        kind: "list",
        listType: "map",
        mapKeys: ["containerPort", "protocol"],
        items: {
          kind: "struct",
          fields: {
            containerPort: { kind: "scalar", scalar: "integer" },
            protocol: { kind: "scalar", scalar: "string", default: "TCP" },
            name: { kind: "scalar", scalar: "string" },
          },
        },
      },
    },
  },
};

export const testSchema: Schema = {
  rootType: (gvk) => (gvk.kind === "Deployment" ? { kind: "ref", name: "Deployment" } : undefined),
  resolve: (type) => {
    let current = type;
    while (current.kind === "ref") {
      const next = definitions[current.name];
      if (next === undefined) throw new Error(`unknown definition ${current.name}`);
      current = next;
    }
    return current;
  },
};

export const deploymentType: SchemaType = { kind: "ref", name: "Deployment" };
