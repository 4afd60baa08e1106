import type { JsonObject, KubeObject } from "../../kube/value/json.js";
import type { StatusCause } from "../api/status.js";
import type { KindStrategy } from "./types.js";
import { defineStrategy, replicasScale } from "./define.js";
import { objectAt, objectField, withoutField } from "../../kube/defaulting/edit.js";
import { forbidden, immutable, required } from "./validation/field.js";
import { isDNS1123Label } from "./validation/names.js";
import {
  validateNonNegative,
  validateReplicatedSpec,
  validateSelectorUnchanged,
} from "./validation/workload.js";
import { jsonEqual } from "../../kube/value/equal.js";

/** k8s.io/kubernetes/pkg/apis/apps/v1/defaults.go and pkg/registry/apps/*. */

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
  initialStatus: () => ({ replicas: 0 }),
  validateSpec: (object) => validateReplicatedSpec(object, "empty selector is invalid for deployment"),
  validateUpdate: validateSelectorUnchanged,
});

/** ValidateStatefulSetSpec: a StatefulSet's pods run until deleted. */
function validateNoActiveDeadline(object: KubeObject): readonly StatusCause[] {
  const spec = objectAt(object, ["spec", "template", "spec"]);
  if (spec?.["activeDeadlineSeconds"] === undefined) return [];
  return [
    forbidden(
      "spec.template.spec.activeDeadlineSeconds",
      "activeDeadlineSeconds in StatefulSet is not Supported",
    ),
  ];
}

export const statefulSetStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "StatefulSet" },
  tracksGeneration: true,
  hasStatus: true,
  scale: replicasScale,
  // A StatefulSet's name becomes its pods' hostnames (`web-0`), so it must be a DNS label.
  nameValidator: isDNS1123Label,
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  validateSpec: (object) => [
    ...validateReplicatedSpec(object, "empty selector is invalid for statefulset", { podSpec: false }),
    ...validateNoActiveDeadline(object),
  ],
  validateUpdate: validateStatefulSetUpdate,
});

export const daemonSetStrategy: KindStrategy = defineStrategy({
  gvk: { group: "apps", version: "v1", kind: "DaemonSet" },
  tracksGeneration: true,
  hasStatus: true,
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
  validateSpec: validateControllerRevision,
  validateUpdate: validateControllerRevisionUpdate,
});
