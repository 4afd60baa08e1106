import type { JsonObject, JsonValue, KubeObject } from "../value/json.js";
import { metadataOf } from "../object.js";
import {
  ensureObject,
  isUnset,
  objectField,
  updateItems,
  withDefaults,
  withField,
  withoutField,
} from "./edit.js";
import { defaultClaimSpec, defaultPodSpec } from "./pod-template.js";

/** Core v1 kinds other than Service: pkg/apis/core/v1/defaults.go (SetDefaults_*) and the v1 conversion. */

/** SetDefaults_Namespace (re)writes the immutable name label on every decode, so the writer owns it. */
export function defaultNamespace(object: KubeObject): KubeObject {
  const name = metadataOf(object)["name"];
  if (typeof name !== "string" || name === "") return object;
  return ensureObject(object, "metadata", (metadata) =>
    ensureObject(metadata, "labels", (labels) => withField(labels, "kubernetes.io/metadata.name", name)),
  );
}

/** The v1 → internal conversion folds the write-only `stringData` into `data`, stringData winning. */
function foldStringData(object: KubeObject): KubeObject {
  const stringData = objectField(object, "stringData");
  if (stringData === undefined) return withoutField(object, "stringData");
  const encoded = Object.entries(stringData).map(([dataKey, value]): [string, JsonValue] => [
    dataKey,
    Buffer.from(typeof value === "string" ? value : "", "utf8").toString("base64"),
  ]);
  const data = { ...(objectField(object, "data") ?? {}), ...Object.fromEntries(encoded) };
  return withField(withoutField(object, "stringData"), "data", data);
}

/** SetDefaults_Pod: requests default to limits, on Pods only (not on templates). */
function requestsFromLimits(container: JsonObject): JsonObject {
  return ensureObject(container, "resources", (resources) => {
    const limits = objectField(resources, "limits");
    if (limits === undefined) return resources;
    return withField(resources, "requests", { ...limits, ...(objectField(resources, "requests") ?? {}) });
  });
}

function hostNetworkPorts(container: JsonObject): JsonObject {
  return updateItems(container, "ports", (port) =>
    isUnset(port["hostPort"]) || port["hostPort"] === 0
      ? withField(port, "hostPort", port["containerPort"] ?? 0)
      : port,
  );
}

/** SetDefaults_Pod and SetDefaults_PodSpec. */
export function defaultPod(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", (rawSpec) => {
    let spec = updateItems(defaultPodSpec(rawSpec), "containers", requestsFromLimits);
    spec = updateItems(spec, "initContainers", requestsFromLimits);
    spec = withDefaults(spec, { enableServiceLinks: true });
    if (spec["hostNetwork"] === true) {
      spec = updateItems(
        updateItems(spec, "containers", hostNetworkPorts),
        "initContainers",
        hostNetworkPorts,
      );
    }
    return spec;
  });
}

export function defaultSecret(object: KubeObject): KubeObject {
  return withDefaults(foldStringData(object), { type: "Opaque" });
}

export function defaultPersistentVolumeClaim(object: KubeObject): KubeObject {
  return ensureObject(object, "spec", defaultClaimSpec);
}
