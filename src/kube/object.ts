import type { JsonObject, KubeObject } from "./value/json.js";
import { isJsonObject, stringOf } from "./value/json.js";

/** Identity of an object (DESIGN.md, drift semantics rule 1): group, kind, namespace, name. */
export interface ObjectRef {
  /** "" for the core group. */
  readonly group: string;
  /** The version the object was written in (not part of identity). */
  readonly version: string;
  readonly kind: string;
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

/** `apps/v1` → { group: "apps", version: "v1" }; `v1` → { group: "", version: "v1" }. */
export function splitApiVersion(apiVersion: string): { readonly group: string; readonly version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `metadata` of an object, or an empty object. */
export function metadataOf(object: JsonObject): JsonObject {
  const metadata = object["metadata"];
  return isJsonObject(metadata) ? metadata : {};
}

function text(object: JsonObject, key: string): string {
  return stringOf(object[key]);
}

/** The identity an object declares: apiVersion, kind, metadata.namespace and metadata.name ("" when absent). */
export function refOf(object: KubeObject): ObjectRef {
  const { group, version } = splitApiVersion(text(object, "apiVersion"));
  const metadata = metadataOf(object);
  return {
    group,
    version,
    kind: text(object, "kind"),
    namespace: text(metadata, "namespace"),
    name: text(metadata, "name"),
  };
}

/** `metadata.labels` with string values only. */
export function labelsOf(object: KubeObject): Readonly<Record<string, string>> {
  const labels = metadataOf(object)["labels"];
  if (!isJsonObject(labels)) return {};
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) if (typeof value === "string") result[key] = value;
  return result;
}

/** `metadata.resourceVersion` ("" when absent). */
export function resourceVersionOf(object: KubeObject): string {
  return text(metadataOf(object), "resourceVersion");
}
