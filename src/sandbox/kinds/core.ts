import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy } from "./define.js";
import {
  ensureObject,
  isUnset,
  listField,
  objectField,
  objectItems,
  updateItems,
  withField,
  withoutField,
} from "../../kube/defaulting/edit.js";
import { admitPodCreate } from "./pod-admission.js";
import { forbidden, immutable, key, invalid, notSupported, required } from "./validation/field.js";
import { isConfigMapKey, isDNS1123Label } from "./validation/names.js";
import { validatePodSpec } from "./validation/pod-spec.js";
import { jsonEqual } from "../../kube/value/equal.js";
import { metadataOf } from "../../kube/object.js";

/** Core v1 kinds other than Service: pkg/apis/core/v1/defaults.go and pkg/registry/core/*. */

// Namespace --------------------------------------------------------------------------------

/**
 * PrepareForCreate adds the `kubernetes` finalizer (not a default: it may later be removed
 * through /finalize); PrepareForUpdate keeps the stored finalizers, which only /finalize changes.
 */
function prepareNamespace(object: KubeObject, old: KubeObject | undefined): KubeObject {
  if (old !== undefined) {
    const oldFinalizers = objectField(old, "spec")?.["finalizers"];
    return ensureObject(object, "spec", (spec) =>
      oldFinalizers === undefined
        ? withoutField(spec, "finalizers")
        : withField(spec, "finalizers", oldFinalizers),
    );
  }
  return ensureObject(object, "spec", (spec) => {
    const finalizers = listField(spec, "finalizers") ?? [];
    return finalizers.includes("kubernetes")
      ? spec
      : withField(spec, "finalizers", [...finalizers, "kubernetes"]);
  });
}

export const namespaceStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "Namespace" },
  tracksGeneration: false,
  hasStatus: true,
  nameValidator: isDNS1123Label,
  prepare: prepareNamespace,
  initialStatus: () => ({ phase: "Active" }),
});

// ConfigMap and Secret ---------------------------------------------------------------------

function validateDataKeys(object: KubeObject, field: string): readonly StatusCause[] {
  const data = objectField(object, field) ?? {};
  return Object.keys(data).flatMap((dataKey) =>
    isConfigMapKey(dataKey).map((message) => invalid(key(field, dataKey), dataKey, message)),
  );
}

function validateConfigMapKeysUnique(object: KubeObject): readonly StatusCause[] {
  const binary = objectField(object, "binaryData") ?? {};
  return Object.keys(objectField(object, "data") ?? {})
    .filter((dataKey) => dataKey in binary)
    .map((dataKey) => invalid(key("data", dataKey), dataKey, "duplicate of key present in binaryData"));
}

/** An `immutable: true` ConfigMap or Secret keeps its data (and its immutability) forever. */
function validateImmutableData(
  object: KubeObject,
  old: KubeObject,
  fields: readonly string[],
): readonly StatusCause[] {
  if (old["immutable"] !== true) return [];
  const message = "field is immutable when `immutable` is set";
  const flag = object["immutable"] === true ? [] : [forbidden("immutable", message)];
  const changed = fields.filter((field) => !jsonEqual(object[field] ?? {}, old[field] ?? {}));
  return [...flag, ...changed.map((field) => forbidden(field, message))];
}

export const configMapStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "ConfigMap" },
  tracksGeneration: false,
  hasStatus: false,
  validateSpec: (object) => [
    ...validateDataKeys(object, "data"),
    ...validateDataKeys(object, "binaryData"),
    ...validateConfigMapKeysUnique(object),
  ],
  validateUpdate: (object, old) => validateImmutableData(object, old, ["data", "binaryData"]),
});

/** Keys each secret type must carry (ValidateSecret). */
const requiredSecretKeys: Readonly<Record<string, readonly string[]>> = {
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

function validateSecretType(object: KubeObject): readonly StatusCause[] {
  const type = typeof object["type"] === "string" ? object["type"] : "";
  const data = objectField(object, "data") ?? {};
  const missing = (requiredSecretKeys[type] ?? []).filter((dataKey) => !(dataKey in data));
  const errors = missing.map((dataKey) => required(key("data", dataKey)));
  if (type === "kubernetes.io/service-account-token") {
    const annotations = objectField(metadataOf(object), "annotations") ?? {};
    if (isUnset(annotations["kubernetes.io/service-account.name"])) {
      errors.push(required("metadata.annotations[kubernetes.io/service-account.name]"));
    }
  }
  return errors;
}

function validateSecretUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  const typeChanged = object["type"] !== old["type"] ? [immutable("type", object["type"] ?? "")] : [];
  return [...typeChanged, ...validateImmutableData(object, old, ["data"])];
}

export const secretStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "Secret" },
  tracksGeneration: false,
  hasStatus: false,
  validateSpec: (object) => [...validateDataKeys(object, "data"), ...validateSecretType(object)],
  validateUpdate: validateSecretUpdate,
});

export const serviceAccountStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "ServiceAccount" },
  tracksGeneration: false,
  hasStatus: false,
});

export const eventStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "Event" },
  tracksGeneration: false,
  hasStatus: false,
  validateSpec: (object) =>
    objectField(object, "involvedObject") === undefined ? [required("involvedObject")] : [],
});

// PersistentVolumeClaim ---------------------------------------------------------------------

const accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"] as const;

function validateClaimSpec(object: KubeObject): readonly StatusCause[] {
  const spec = objectField(object, "spec") ?? {};
  const modes = listField(spec, "accessModes") ?? [];
  const modeErrors =
    modes.length === 0
      ? [required("spec.accessModes", "at least 1 access mode is required")]
      : modes.flatMap((mode, position) =>
          typeof mode === "string" && (accessModes as readonly string[]).includes(mode)
            ? []
            : [notSupported(`spec.accessModes[${position}]`, mode, accessModes)],
        );
  const storage = objectField(objectField(spec, "resources") ?? {}, "requests")?.["storage"];
  return [...modeErrors, ...(isUnset(storage) ? [required("spec.resources[storage]")] : [])];
}

function specWithoutRequests(object: KubeObject): JsonObject {
  const spec = objectField(object, "spec") ?? {};
  const resources = objectField(spec, "resources");
  return resources === undefined ? spec : withField(spec, "resources", withoutField(resources, "requests"));
}

function validateClaimUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  if (jsonEqual(specWithoutRequests(object), specWithoutRequests(old))) return [];
  return [
    forbidden(
      "spec",
      "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
    ),
  ];
}

export const persistentVolumeClaimStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "PersistentVolumeClaim" },
  tracksGeneration: false,
  hasStatus: true,
  initialStatus: () => ({ phase: "Pending" }),
  validateSpec: validateClaimSpec,
  validateUpdate: validateClaimUpdate,
});

// Pod ---------------------------------------------------------------------------------------

function containerResources(spec: JsonObject): readonly JsonObject[] {
  return [...objectItems(spec, "containers"), ...objectItems(spec, "initContainers")].map(
    (container) => objectField(container, "resources") ?? {},
  );
}

/** qos.GetPodQOS, comparing quantities as the strings the defaulting copied. */
export function podQOSClass(spec: JsonObject): string {
  const resources = containerResources(spec);
  const hasAny = resources.some(
    (item) =>
      Object.keys(objectField(item, "requests") ?? {}).length > 0 ||
      Object.keys(objectField(item, "limits") ?? {}).length > 0,
  );
  if (!hasAny) return "BestEffort";
  const guaranteed = resources.every((item) => {
    const limits = objectField(item, "limits") ?? {};
    const requests = objectField(item, "requests") ?? {};
    const complete = ["cpu", "memory"].every((resource) => !isUnset(limits[resource]));
    return (
      complete && Object.entries(requests).every(([resource, value]) => jsonEqual(limits[resource], value))
    );
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Images, activeDeadlineSeconds and tolerations are what ValidatePodUpdate lets change. */
function mutablePodFieldsCleared(object: KubeObject): JsonObject {
  const spec = objectField(object, "spec") ?? {};
  const clearImage = (container: JsonObject): JsonObject => withoutField(container, "image");
  let result = updateItems(updateItems(spec, "containers", clearImage), "initContainers", clearImage);
  for (const field of ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"]) {
    result = withoutField(result, field);
  }
  return result;
}

function validatePodUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  if (jsonEqual(mutablePodFieldsCleared(object), mutablePodFieldsCleared(old))) return [];
  return [
    forbidden(
      "spec",
      "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ),
  ];
}

export const podStrategy: KindStrategy = defineStrategy({
  gvk: { group: "", version: "v1", kind: "Pod" },
  tracksGeneration: false,
  hasStatus: true,
  // Admission mutates only creates; an update's spec is validated against the stored one.
  prepare: (object, old, context) => (old === undefined ? admitPodCreate(object, context) : object),
  initialStatus: (object) => ({ phase: "Pending", qosClass: podQOSClass(objectField(object, "spec") ?? {}) }),
  validateSpec: (object) => validatePodSpec(objectField(object, "spec"), "spec"),
  validateUpdate: validatePodUpdate,
});
