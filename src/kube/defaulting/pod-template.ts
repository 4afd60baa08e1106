import type { JsonObject, JsonValue } from "../value/json.js";
import { isJsonObject } from "../value/json.js";
import {
  ensureObject,
  isUnset,
  objectField,
  updateItems,
  updateObject,
  withDefaults,
  withField,
} from "./edit.js";

/**
 * The defaulting of k8s.io/kubernetes/pkg/apis/core/v1/defaults.go (and the
 * declarative `+default` markers of k8s.io/api/core/v1) for a PodSpec, shared
 * by Pods and every pod template.
 */

/**
 * parsers.ParseImageName: an image without tag and digest means `:latest`; a
 * digest without tag has no tag; an unparsable reference has none either.
 */
export function imageTag(image: string): string {
  const withoutDigest = image.split("@")[0] ?? "";
  const hasDigest = withoutDigest.length !== image.length;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  if (colon >= 0) return lastSegment.slice(colon + 1);
  if (hasDigest || image === "" || /[A-Z]/.test(withoutDigest)) return "";
  return "latest";
}

export function defaultPullPolicy(image: JsonValue | undefined): string {
  return typeof image === "string" && imageTag(image) === "latest" ? "Always" : "IfNotPresent";
}

function defaultHttpGet(action: JsonObject): JsonObject {
  return withDefaults(action, { path: "/", scheme: "HTTP" });
}

/** The handler fields shared by probes and lifecycle hooks. */
function defaultHandler(handler: JsonObject): JsonObject {
  const withHttp = updateObject(handler, "httpGet", defaultHttpGet);
  // GRPCAction.Service carries `+default=""`, so the empty string is stored.
  return updateObject(withHttp, "grpc", (grpc) =>
    "service" in grpc ? grpc : withField(grpc, "service", ""),
  );
}

/** SetDefaults_Probe: a zero means unset for these int32 fields. */
function defaultProbe(probe: JsonObject): JsonObject {
  const defaults = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
  const zeroed = Object.fromEntries(
    Object.entries(defaults).filter(
      ([field]) => probe[field] === undefined || probe[field] === 0 || probe[field] === null,
    ),
  );
  return defaultHandler({ ...probe, ...zeroed });
}

function defaultLifecycle(lifecycle: JsonObject): JsonObject {
  return updateObject(updateObject(lifecycle, "postStart", defaultHandler), "preStop", defaultHandler);
}

function defaultFieldRef(holder: JsonObject): JsonObject {
  return updateObject(holder, "fieldRef", (fieldRef) => withDefaults(fieldRef, { apiVersion: "v1" }));
}

function defaultEnvVar(envVar: JsonObject): JsonObject {
  return updateObject(envVar, "valueFrom", defaultFieldRef);
}

function defaultContainerPort(port: JsonObject): JsonObject {
  return withDefaults(port, { protocol: "TCP" });
}

export function defaultContainer(container: JsonObject): JsonObject {
  let result = withDefaults(container, {
    imagePullPolicy: defaultPullPolicy(container["image"]),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  });
  // ResourceRequirements is a struct, not a pointer: Go always serialises it, `resources: {}` at least.
  if (!isJsonObject(result["resources"])) result = withField(result, "resources", {});
  result = updateItems(result, "ports", defaultContainerPort);
  result = updateItems(result, "env", defaultEnvVar);
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    result = updateObject(result, probe, defaultProbe);
  }
  return updateObject(result, "lifecycle", defaultLifecycle);
}

function defaultKeyToPathModes(source: JsonObject): JsonObject {
  return withDefaults(source, { defaultMode: 420 });
}

function defaultDownwardAPI(source: JsonObject): JsonObject {
  return updateItems(withDefaults(source, { defaultMode: 420 }), "items", defaultFieldRef);
}

function defaultProjectionSource(source: JsonObject): JsonObject {
  const withToken = updateObject(source, "serviceAccountToken", (token) =>
    withDefaults(token, { expirationSeconds: 3600 }),
  );
  return updateObject(withToken, "downwardAPI", (downward) =>
    updateItems(downward, "items", defaultFieldRef),
  );
}

function defaultProjected(source: JsonObject): JsonObject {
  return updateItems(withDefaults(source, { defaultMode: 420 }), "sources", defaultProjectionSource);
}

/** SetDefaults_PersistentVolumeClaimSpec. */
export function defaultClaimSpec(spec: JsonObject): JsonObject {
  return withDefaults(spec, { volumeMode: "Filesystem" });
}

function defaultEphemeral(source: JsonObject): JsonObject {
  return updateObject(source, "volumeClaimTemplate", (template) =>
    updateObject(withTemplateMetadata(template), "spec", defaultClaimSpec),
  );
}

const volumeSourceDefaulters: Readonly<Record<string, (source: JsonObject) => JsonObject>> = {
  configMap: defaultKeyToPathModes,
  secret: defaultKeyToPathModes,
  downwardAPI: defaultDownwardAPI,
  projected: defaultProjected,
  ephemeral: defaultEphemeral,
  // HostPathType's `HostPathUnset` is the empty string, stored as `type: ""`.
  hostPath: (source) => ("type" in source ? source : withField(source, "type", "")),
};

export function defaultVolume(volume: JsonObject): JsonObject {
  const sources = Object.keys(volume).filter((field) => field !== "name");
  // SetDefaults_Volume: a volume without any source is an emptyDir.
  if (sources.length === 0) return withField(volume, "emptyDir", {});
  let result = volume;
  for (const [source, defaulter] of Object.entries(volumeSourceDefaulters)) {
    result = updateObject(result, source, defaulter);
  }
  return result;
}

/** v1 conversion keeps the deprecated `serviceAccount` and `serviceAccountName` in step. */
function syncServiceAccount(spec: JsonObject): JsonObject {
  const name = spec["serviceAccountName"];
  const deprecated = spec["serviceAccount"];
  if (!isUnset(name) && isUnset(deprecated)) return withField(spec, "serviceAccount", name ?? "");
  if (isUnset(name) && !isUnset(deprecated)) return withField(spec, "serviceAccountName", deprecated ?? "");
  return spec;
}

/** SetDefaults_PodSpec and the defaulting of everything a PodSpec contains. */
export function defaultPodSpec(spec: JsonObject): JsonObject {
  let result = withDefaults(spec, {
    dnsPolicy: "ClusterFirst",
    restartPolicy: "Always",
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: "default-scheduler",
  });
  for (const containers of ["containers", "initContainers", "ephemeralContainers"]) {
    result = updateItems(result, containers, defaultContainer);
  }
  result = updateItems(result, "volumes", defaultVolume);
  return syncServiceAccount(result);
}

/**
 * A template's ObjectMeta is a struct whose zero creationTimestamp Go serialises
 * as `null` (until apimachinery learned omitzero); 1.32 still stores it.
 */
export function withTemplateMetadata(template: JsonObject): JsonObject {
  return ensureObject(template, "metadata", (metadata) =>
    "creationTimestamp" in metadata ? metadata : withField(metadata, "creationTimestamp", null),
  );
}

/** A PodTemplateSpec: metadata shape plus PodSpec defaulting. */
export function defaultPodTemplate(template: JsonObject): JsonObject {
  return ensureObject(withTemplateMetadata(template), "spec", defaultPodSpec);
}

/** Applies `update` to `spec.template` of a workload, when present. */
export function updatePodTemplate(
  object: JsonObject,
  update: (template: JsonObject) => JsonObject = defaultPodTemplate,
): JsonObject {
  return updateObject(object, "spec", (spec) => updateObject(spec, "template", update));
}

export function hasObject(object: JsonObject, key: string): boolean {
  return objectField(object, key) !== undefined;
}
