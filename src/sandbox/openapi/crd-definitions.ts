/** The definitions apiextensions-apiserver publishes for custom resources: kind, list and their descriptions. */
import type { OpenAPISchema } from "../../kube/schema/convert.js";
import { gvkKey } from "../../kube/schema/gvk.js";
import type { GroupVersionKind } from "../../kube/schema/types.js";
import { type JsonObject, type JsonValue, isRecord } from "../../kube/value/json.js";
import type { ResourceInfo } from "../registry/types.js";
import { type Catalogue, isCustom, kindNames, metaV1 } from "./paths.js";
import type { DescriptionNode } from "./load.js";

function gvkExtension(gvk: GroupVersionKind): JsonValue {
  return [{ group: gvk.group, kind: gvk.kind, version: gvk.version }];
}

const objectMetaRef = { $ref: `#/definitions/${metaV1}.ObjectMeta` };
const listMetaRef = { $ref: `#/definitions/${metaV1}.ListMeta` };

/** A custom kind's schema as apiextensions-apiserver publishes it: apiVersion, kind and ObjectMeta added. */
function customKindDefinition(gvk: GroupVersionKind, openAPIV3Schema: unknown): OpenAPISchema {
  const schema = isRecord(openAPIV3Schema)
    ? (openAPIV3Schema as JsonObject)
    : { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
  return {
    ...schema,
    type: "object",
    properties: {
      ...properties,
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: objectMetaRef,
    },
    "x-kubernetes-group-version-kind": gvkExtension(gvk),
  };
}

function customListDefinition(listGVK: GroupVersionKind, itemDefinition: string): OpenAPISchema {
  return {
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { type: "string" },
      items: { type: "array", items: { $ref: `#/definitions/${itemDefinition}` } },
      kind: { type: "string" },
      metadata: listMetaRef,
    },
    "x-kubernetes-group-version-kind": gvkExtension(listGVK),
  };
}

export interface CustomDefinition {
  readonly schema: OpenAPISchema;
  readonly descriptions: DescriptionNode;
}

// apiextensions-apiserver copies apiVersion and kind from meta/v1 TypeMeta and describes
// metadata as PartialObjectMetadata(List) does (builder.go in apiextensions-apiserver).
const conventions = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md";
const typeMetaDescriptions = {
  apiVersion: `APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: ${conventions}#resources`,
  kind: `Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: ${conventions}#types-kinds`,
} as const;

function customKindDescriptions(): DescriptionNode {
  return {
    properties: {
      ...typeMetaDescriptions,
      metadata: `Standard object's metadata. More info: ${conventions}#metadata`,
    },
  };
}

function customListDescriptions(resource: ResourceInfo): DescriptionNode {
  return {
    description: `${resource.listKind} is a list of ${resource.kind}`,
    properties: {
      ...typeMetaDescriptions,
      items: `List of ${resource.resource}. More info: ${conventions}`,
      metadata: `Standard list metadata. More info: ${conventions}#types-kinds`,
    },
  };
}

export function customDefinitions(
  catalogue: Catalogue,
  resources: readonly ResourceInfo[],
): Map<string, CustomDefinition> {
  const definitions = new Map<string, CustomDefinition>();
  for (const resource of resources) {
    const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
    if (!isCustom(catalogue, gvk)) continue;
    const names = kindNames(catalogue, resource);
    definitions.set(names.kind, {
      schema: customKindDefinition(gvk, catalogue.customSchemas.get(gvkKey(gvk))),
      descriptions: customKindDescriptions(),
    });
    definitions.set(names.list, {
      schema: customListDefinition({ ...gvk, kind: resource.listKind }, names.kind),
      descriptions: customListDescriptions(resource),
    });
  }
  return definitions;
}
