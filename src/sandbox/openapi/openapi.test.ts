import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtinOpenAPIData } from "../../kube/schema/builtin.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import {
  builtinDescriptions,
  createOpenAPIServer,
  customDefinitionName,
  describeSchema,
  groupVersionPath,
} from "./index.js";
import type { ResourceInfo } from "../registry/types.js";
import { StandardVerbs } from "../registry/types.js";

const deployments: ResourceInfo = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  listKind: "DeploymentList",
  resource: "deployments",
  singular: "deployment",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  verbs: StandardVerbs,
  subresources: ["status", "scale"],
};
const namespaces: ResourceInfo = {
  group: "",
  version: "v1",
  kind: "Namespace",
  listKind: "NamespaceList",
  resource: "namespaces",
  singular: "namespace",
  namespaced: false,
  shortNames: ["ns"],
  categories: [],
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  subresources: ["status"],
};
const configMaps: ResourceInfo = {
  ...namespaces,
  kind: "ConfigMap",
  listKind: "ConfigMapList",
  resource: "configmaps",
  singular: "configmap",
  namespaced: true,
  subresources: [],
  verbs: StandardVerbs,
};
const cronTabs: ResourceInfo = {
  group: "stable.example.com",
  version: "v1",
  kind: "CronTab",
  listKind: "CronTabList",
  resource: "crontabs",
  singular: "crontab",
  namespaced: true,
  shortNames: ["ct"],
  categories: [],
  verbs: StandardVerbs,
  subresources: [],
};
const cronTabSchema = {
  type: "object",
  properties: { spec: { type: "object", properties: { cronSpec: { type: "string" } } } },
};

function server() {
  return createOpenAPIServer(
    [deployments, namespaces, configMaps, cronTabs],
    new Map([["stable.example.com/v1/CronTab", cronTabSchema]]),
  );
}

function at(value: JsonValue | undefined, ...path: string[]): JsonValue | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as JsonObject)[key];
  }
  return current;
}

function parameterNames(operation: JsonValue | undefined): string[] {
  const parameters = at(operation, "parameters");
  if (!Array.isArray(parameters)) return [];
  return (parameters as readonly JsonObject[]).map((parameter) => {
    const name = parameter["name"];
    return typeof name === "string" ? name : "";
  });
}

describe("createOpenAPIServer", () => {
  it("indexes one document per group/version with a content hash", () => {
    const index = server().index();
    expect(Object.keys(at(index, "paths") as JsonObject)).toEqual([
      "api/v1",
      "apis/apps/v1",
      "apis/stable.example.com/v1",
    ]);
    const url = at(index, "paths", "apis/apps/v1", "serverRelativeURL");
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    expect(server().index()).toEqual(index);
    const withoutConfigMaps = createOpenAPIServer([deployments, namespaces]).index();
    expect(at(withoutConfigMaps, "paths", "apis/apps/v1")).toEqual(at(index, "paths", "apis/apps/v1"));
    expect(at(withoutConfigMaps, "paths", "api/v1")).not.toEqual(at(index, "paths", "api/v1"));
  });

  it("serves the PATCH operation kubectl's QueryParamVerifierV3 looks for", () => {
    const document = server().document("apis/apps/v1");
    const patch = at(document, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch");
    expect(at(patch, "x-kubernetes-group-version-kind")).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    expect(at(patch, "x-kubernetes-action")).toBe("patch");
    expect(at(patch, "operationId")).toBe("patchAppsV1NamespacedDeployment");
    expect(parameterNames(patch)).toEqual(["dryRun", "fieldManager", "fieldValidation", "force"]);
    expect(Object.keys(at(patch, "requestBody", "content") as JsonObject)).toEqual([
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/strategic-merge-patch+json",
      "application/apply-patch+yaml",
    ]);
    // The status subresource's PATCH carries the same GVK, so it must list fieldValidation too.
    const statusPatch = at(
      document,
      "paths",
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
      "patch",
    );
    expect(parameterNames(statusPatch)).toContain("fieldValidation");
    const scalePatch = at(
      document,
      "paths",
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
      "patch",
    );
    expect(at(scalePatch, "x-kubernetes-group-version-kind")).toEqual({
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
    });
    expect(at(document, "paths", "/apis/apps/v1/deployments", "get", "operationId")).toBe(
      "listAppsV1DeploymentForAllNamespaces",
    );
    expect(Object.keys(at(document, "paths") as JsonObject)).toEqual([
      "/apis/apps/v1/namespaces/{namespace}/deployments",
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
      "/apis/apps/v1/deployments",
    ]);
  });

  it("carries the referenced schemas with patch facts and GVK extensions, refs rewritten", () => {
    const schemas = at(server().document("apis/apps/v1"), "components", "schemas") as JsonObject;
    expect(at(schemas, "io.k8s.api.apps.v1.Deployment", "x-kubernetes-group-version-kind")).toEqual([
      { group: "apps", kind: "Deployment", version: "v1" },
    ]);
    expect(at(schemas, "io.k8s.api.apps.v1.Deployment", "properties", "spec")).toEqual({
      description: "Specification of the desired behavior of the Deployment.",
      allOf: [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }],
    });
    expect(at(schemas, "io.k8s.api.core.v1.PodSpec", "properties", "containers")).toEqual({
      description:
        "List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.",
      items: { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" },
      type: "array",
      "x-kubernetes-list-map-keys": ["name"],
      "x-kubernetes-list-type": "map",
      "x-kubernetes-patch-merge-key": "name",
      "x-kubernetes-patch-strategy": "merge",
    });
    for (const name of [
      "io.k8s.api.apps.v1.DeploymentList",
      "io.k8s.api.autoscaling.v1.Scale",
      "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
      "io.k8s.apimachinery.pkg.api.resource.Quantity",
    ]) {
      expect(schemas[name], name).toBeDefined();
    }
    expect(schemas["io.k8s.api.core.v1.Service"]).toBeUndefined();
    expect(JSON.stringify(schemas)).not.toContain("#/definitions/");
  });

  it("publishes custom kinds under their reversed-group names, without strategic merge patch", () => {
    expect(customDefinitionName({ group: "stable.example.com", version: "v1", kind: "CronTab" })).toBe(
      "com.example.stable.v1.CronTab",
    );
    const document = server().document("apis/stable.example.com/v1");
    const schema = at(document, "components", "schemas", "com.example.stable.v1.CronTab");
    expect(at(schema, "properties", "metadata")).toEqual({
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }],
    });
    expect(at(schema, "properties", "spec")).toEqual({
      type: "object",
      properties: { cronSpec: { type: "string" } },
    });
    expect(at(schema, "x-kubernetes-group-version-kind")).toEqual([
      { group: "stable.example.com", kind: "CronTab", version: "v1" },
    ]);
    expect(
      at(
        document,
        "components",
        "schemas",
        "com.example.stable.v1.CronTabList",
        "properties",
        "items",
        "items",
      ),
    ).toEqual({
      $ref: "#/components/schemas/com.example.stable.v1.CronTab",
    });
    const list = at(document, "components", "schemas", "com.example.stable.v1.CronTabList");
    expect(at(list, "description")).toBe("CronTabList is a list of CronTab");
    expect(at(list, "properties", "items", "description")).toBe(
      "List of crontabs. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md",
    );
    const patch = at(
      document,
      "paths",
      "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}",
      "patch",
    );
    expect(parameterNames(patch)).toContain("fieldValidation");
    expect(Object.keys(at(patch, "requestBody", "content") as JsonObject)).not.toContain(
      "application/strategic-merge-patch+json",
    );
  });

  it("serves cluster-scoped core resources under api/v1", () => {
    const document = server().document(groupVersionPath(namespaces));
    expect(at(document, "paths", "/api/v1/namespaces/{name}", "patch", "operationId")).toBe(
      "patchCoreV1Namespace",
    );
    expect(at(document, "paths", "/api/v1/namespaces/{name}", "delete", "x-kubernetes-action")).toBe(
      "delete",
    );
    expect(server().document("apis/batch/v1")).toBeUndefined();
  });

  it("serves a Swagger 2.0 document of everything", () => {
    const v2 = server().v2();
    expect(at(v2, "swagger")).toBe("2.0");
    const patch = at(v2, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch");
    expect(parameterNames(patch)).toEqual(["body", "dryRun", "fieldManager", "fieldValidation", "force"]);
    // Swagger 2.0 keeps a description beside its $ref, as kube-apiserver's /openapi/v2 does.
    expect(at(v2, "definitions", "io.k8s.api.apps.v1.Deployment", "properties", "spec")).toEqual({
      $ref: "#/definitions/io.k8s.api.apps.v1.DeploymentSpec",
      description: "Specification of the desired behavior of the Deployment.",
    });
    expect(at(v2, "definitions", "io.k8s.api.apps.v1.DeploymentSpec", "properties", "replicas")).toEqual({
      description:
        "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.",
      format: "int32",
      type: "integer",
    });
    expect(at(v2, "definitions", "com.example.stable.v1.CronTab", "properties", "metadata")).toEqual({
      $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
      description:
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    });
  });
});

describe("descriptions for kubectl explain", () => {
  const schemas = () => at(server().document("apis/apps/v1"), "components", "schemas") as JsonObject;

  it("describes definitions and their fields", () => {
    expect(at(schemas(), "io.k8s.api.apps.v1.Deployment", "description")).toBe(
      "Deployment enables declarative updates for Pods and ReplicaSets.",
    );
    expect(at(schemas(), "io.k8s.api.apps.v1.DeploymentSpec", "properties", "replicas")).toEqual({
      description:
        "Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.",
      format: "int32",
      type: "integer",
    });
    expect(at(schemas(), "io.k8s.api.autoscaling.v1.Scale", "description")).toBe(
      "Scale represents a scaling request for a resource.",
    );
  });

  it("keeps patch extensions and v3-only defaults beside the descriptions", () => {
    expect(at(schemas(), "io.k8s.api.apps.v1.DeploymentSpec", "properties", "strategy")).toEqual({
      description: "The deployment strategy to use to replace existing pods with new ones.",
      allOf: [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy" }],
      "x-kubernetes-patch-strategy": "retainKeys",
    });
    expect(at(schemas(), "io.k8s.api.core.v1.ContainerPort", "properties", "protocol")).toEqual({
      default: "TCP",
      description: 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".',
      type: "string",
    });
  });

  it("leaves a custom resource's own schema as its CRD wrote it", () => {
    const document = server().document("apis/stable.example.com/v1");
    const cronTab = at(document, "components", "schemas", "com.example.stable.v1.CronTab");
    expect(at(cronTab, "description")).toBeUndefined();
    expect(at(cronTab, "properties", "spec")).toEqual(cronTabSchema.properties.spec);
  });

  it("keeps the engine's schema data free of descriptions", () => {
    const deployment = builtinOpenAPIData().definitions["io.k8s.api.apps.v1.Deployment"];
    expect(deployment?.["description"]).toBeUndefined();
    expect(builtinDescriptions()["io.k8s.api.apps.v1.Deployment"]).toEqual(
      expect.objectContaining({
        description: "Deployment enables declarative updates for Pods and ReplicaSets.",
      }),
    );
  });

  it("reads a gzip file whose header carries no time or build platform", () => {
    const bytes = readFileSync(
      new URL("../../../data/kubernetes-openapi-descriptions-v1.32.json.gz", import.meta.url),
    );
    expect([...bytes.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(bytes.readUInt32LE(4)).toBe(0);
    expect(bytes[9]).toBe(255);
  });
});

describe("describeSchema", () => {
  const described = {
    description: "outer",
    properties: {
      labels: { additionalProperties: "a label value" },
      ports: { description: "the ports", items: { properties: { port: "the port number" } } },
      owner: "who owns it",
      missing: "a field the schema lacks",
    },
  } as const;
  const schema = {
    type: "object",
    properties: {
      labels: { type: "object", additionalProperties: { type: "string" } },
      ports: { type: "array", items: { type: "object", properties: { port: { type: "integer" } } } },
      owner: { $ref: "#/definitions/Owner", "x-kubernetes-patch-strategy": "retainKeys" },
      plain: { type: "string" },
    },
  };

  it("lays descriptions on nested properties, items and map values, dropping unknown fields", () => {
    expect(describeSchema(schema, described, "v2")).toEqual({
      type: "object",
      description: "outer",
      properties: {
        labels: { type: "object", additionalProperties: { type: "string", description: "a label value" } },
        ports: {
          type: "array",
          description: "the ports",
          items: {
            type: "object",
            properties: { port: { type: "integer", description: "the port number" } },
          },
        },
        owner: {
          $ref: "#/definitions/Owner",
          description: "who owns it",
          "x-kubernetes-patch-strategy": "retainKeys",
        },
        plain: { type: "string" },
      },
    });
  });

  it("wraps a described $ref in allOf for OpenAPI v3, whose $ref ignores its siblings", () => {
    const properties = describeSchema(schema, described, "v3")["properties"] as JsonObject;
    expect(properties["owner"]).toEqual({
      description: "who owns it",
      allOf: [{ $ref: "#/definitions/Owner" }],
      "x-kubernetes-patch-strategy": "retainKeys",
    });
    expect(describeSchema({ $ref: "#/definitions/Owner" }, { properties: {} }, "v3")).toEqual({
      $ref: "#/definitions/Owner",
    });
  });

  it("describes a field named description as a field, not as the schema's text", () => {
    const jsonSchemaProps = { type: "object", properties: { description: { type: "string" } } };
    expect(describeSchema(jsonSchemaProps, { properties: { description: "the text" } }, "v2")).toEqual({
      type: "object",
      properties: { description: { type: "string", description: "the text" } },
    });
  });
});
