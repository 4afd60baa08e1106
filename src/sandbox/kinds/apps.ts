import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy, replicasScale } from "./define.js";
import {
  ensureObject,
  objectField,
  updateItems,
  updateObject,
  withDefaults,
  withField,
  withoutField,
} from "./json-edit.js";
import { defaultClaimSpec, updatePodTemplate, withTemplateMetadata } from "./pod-template.js";
import { forbidden, immutable, required } from "./validation/field.js";
import { isDNS1123Label } from "./validation/names.js";
import {
  validateNonNegative,
  validateReplicatedSpec,
  validateSelectorUnchanged,
} from "./validation/workload.js";
import { jsonEqual } from "../../kube/value/equal.js";

/** k8s.io/kubernetes/pkg/apis/apps/v1/defaults.go and pkg/registry/apps/*. */

function defaultDeploymentStrategy(strategy: JsonObject): JsonObject {
  const typed = withDefaults(strategy, { type: "RollingUpdate" });
  if (typed["type"] !== "RollingUpdate") return typed;
  return ensureObject(typed, "rollingUpdate", (rollingUpdate) =>
    withDefaults(rollingUpdate, { maxUnavailable: "25%", maxSurge: "25%" }),
  );
}

function defaultDeployment(object: KubeObject): KubeObject {
  const withSpec = ensureObject(object, "spec", (spec) =>
    ensureObject(
      withDefaults(spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 }),
      "strategy",
      defaultDeploymentStrategy,
    ),
  );
  return updatePodTemplate(withSpec);
}

function defaultReplicaSet(object: KubeObject): KubeObject {
  return updatePodTemplate(ensureObject(object, "spec", (spec) => withDefaults(spec, { replicas: 1 })));
}

/** SetDefaults_StatefulSet: rollingUpdate.partition only when the type was defaulted or rollingUpdate given. */
function defaultStatefulSetUpdateStrategy(strategy: JsonObject): JsonObject {
  const typeWasEmpty = strategy["type"] === undefined || strategy["type"] === "";
  let result = withDefaults(strategy, { type: "RollingUpdate" });
  if (typeWasEmpty && objectField(result, "rollingUpdate") === undefined)
    result = withField(result, "rollingUpdate", {});
  if (result["type"] !== "RollingUpdate") return result;
  return updateObject(result, "rollingUpdate", (rollingUpdate) =>
    withDefaults(rollingUpdate, { partition: 0 }),
  );
}

/**
 * volumeClaimTemplates are whole PersistentVolumeClaims: they get the PVC's
 * defaults, a Pending status, and the apiVersion/kind the apps registry fills in.
 */
function defaultClaimTemplate(claim: JsonObject): JsonObject {
  const typed = withDefaults(claim, { apiVersion: "v1", kind: "PersistentVolumeClaim" });
  const shaped = ensureObject(withTemplateMetadata(typed), "spec", defaultClaimSpec);
  return ensureObject(shaped, "status", (status) => withDefaults(status, { phase: "Pending" }));
}

function defaultStatefulSetSpec(spec: JsonObject): JsonObject {
  const scalars = withDefaults(spec, {
    podManagementPolicy: "OrderedReady",
    replicas: 1,
    revisionHistoryLimit: 10,
  });
  const withStrategy = ensureObject(scalars, "updateStrategy", defaultStatefulSetUpdateStrategy);
  const withRetention = ensureObject(withStrategy, "persistentVolumeClaimRetentionPolicy", (policy) =>
    withDefaults(policy, { whenDeleted: "Retain", whenScaled: "Retain" }),
  );
  return updateItems(withRetention, "volumeClaimTemplates", defaultClaimTemplate);
}

function defaultStatefulSet(object: KubeObject): KubeObject {
  return updatePodTemplate(ensureObject(object, "spec", defaultStatefulSetSpec));
}

function defaultDaemonSetStrategy(strategy: JsonObject): JsonObject {
  const typed = withDefaults(strategy, { type: "RollingUpdate" });
  if (typed["type"] !== "RollingUpdate") return typed;
  return ensureObject(typed, "rollingUpdate", (rollingUpdate) =>
    withDefaults(rollingUpdate, { maxUnavailable: 1, maxSurge: 0 }),
  );
}

function defaultDaemonSet(object: KubeObject): KubeObject {
  const withSpec = ensureObject(object, "spec", (spec) =>
    ensureObject(
      withDefaults(spec, { revisionHistoryLimit: 10 }),
      "updateStrategy",
      defaultDaemonSetStrategy,
    ),
  );
  return updatePodTemplate(withSpec);
}

function validateDeploymentStrategy(object: KubeObject): readonly StatusCause[] {
  const strategy = objectField(objectField(object, "spec") ?? {}, "strategy");
  if (strategy?.["type"] === "Recreate" && objectField(strategy, "rollingUpdate") !== undefined) {
    return [
      forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"),
    ];
  }
  return [];
}

/** Fields of a StatefulSet spec that ValidateStatefulSetUpdate lets change. */
const mutableStatefulSetFields = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
] as const;

function frozenStatefulSetSpec(object: KubeObject): JsonObject {
  return mutableStatefulSetFields.reduce<JsonObject>(
    (spec, field) => withoutField(spec, field),
    objectField(object, "spec") ?? {},
  );
}

function validateStatefulSetUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  if (jsonEqual(frozenStatefulSetSpec(object), frozenStatefulSetSpec(old))) return [];
  return [
    forbidden(
      "spec",
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export const deploymentStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "Deployment" },
  tracksGeneration: true,
  hasStatus: true,
  scale: replicasScale,
  defaults: defaultDeployment,
  initialStatus: () => ({}),
  validateSpec: (object) => [
    ...validateReplicatedSpec(object, "empty selector is invalid for deployment"),
    ...validateDeploymentStrategy(object),
  ],
  validateUpdate: validateSelectorUnchanged,
});

export const replicaSetStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "ReplicaSet" },
  tracksGeneration: true,
  hasStatus: true,
  scale: replicasScale,
  defaults: defaultReplicaSet,
  initialStatus: () => ({ replicas: 0 }),
  validateSpec: (object) => validateReplicatedSpec(object, "empty selector is invalid for deployment"),
  validateUpdate: validateSelectorUnchanged,
});

export const statefulSetStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "StatefulSet" },
  tracksGeneration: true,
  hasStatus: true,
  scale: replicasScale,
  // A StatefulSet's name becomes its pods' hostnames (`web-0`), so it must be a DNS label.
  nameValidator: isDNS1123Label,
  defaults: defaultStatefulSet,
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  validateSpec: (object) => validateReplicatedSpec(object, "empty selector is invalid for statefulset"),
  validateUpdate: validateStatefulSetUpdate,
});

export const daemonSetStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "DaemonSet" },
  tracksGeneration: true,
  hasStatus: true,
  defaults: defaultDaemonSet,
  initialStatus: () => ({
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  }),
  validateSpec: (object) => validateReplicatedSpec(object, "empty selector is invalid for daemonset"),
  validateUpdate: validateSelectorUnchanged,
});

// ControllerRevision -------------------------------------------------------------------------

function validateControllerRevision(object: KubeObject): readonly StatusCause[] {
  // An absent or null RawExtension converts to a nil runtime.Object.
  const data = object["data"];
  const missingData = data === undefined || data === null ? [required("data", "data is mandatory")] : [];
  return [...missingData, ...validateNonNegative(object["revision"], "revision")];
}

/** ValidateControllerRevisionUpdate: a revision's data is a snapshot and never changes. */
function validateControllerRevisionUpdate(object: KubeObject, old: KubeObject): readonly StatusCause[] {
  if (jsonEqual(object["data"], old["data"])) return [];
  // Go prints the internal runtime.Object (a *runtime.Unknown holding the raw JSON) with its String method.
  return [immutable("data", { goLiteral: "&Unknown{…}" })];
}

/** The immutable snapshots of pod templates that StatefulSets and DaemonSets roll between. */
export const controllerRevisionStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "ControllerRevision" },
  tracksGeneration: false,
  hasStatus: false,
  // `revision` is an int64 without omitempty: Go always writes it, 0 when the client left it out.
  defaults: (object) => withDefaults(object, { revision: 0 }),
  validateSpec: validateControllerRevision,
  validateUpdate: validateControllerRevisionUpdate,
});
