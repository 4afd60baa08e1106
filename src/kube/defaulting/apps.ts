import type { JsonObject, KubeObject } from "../value/json.js";
import { ensureObject, objectField, updateItems, updateObject, withDefaults, withField } from "./edit.js";
import { defaultClaimSpec, updatePodTemplate, withTemplateMetadata } from "./pod-template.js";

/** k8s.io/kubernetes/pkg/apis/apps/v1/defaults.go. */

function defaultDeploymentStrategy(strategy: JsonObject): JsonObject {
  const typed = withDefaults(strategy, { type: "RollingUpdate" });
  if (typed["type"] !== "RollingUpdate") return typed;
  return ensureObject(typed, "rollingUpdate", (rollingUpdate) =>
    withDefaults(rollingUpdate, { maxUnavailable: "25%", maxSurge: "25%" }),
  );
}

export function defaultDeployment(object: KubeObject): KubeObject {
  const withSpec = ensureObject(object, "spec", (spec) =>
    ensureObject(
      withDefaults(spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 }),
      "strategy",
      defaultDeploymentStrategy,
    ),
  );
  return updatePodTemplate(withSpec);
}

export function defaultReplicaSet(object: KubeObject): KubeObject {
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

export function defaultStatefulSet(object: KubeObject): KubeObject {
  return updatePodTemplate(ensureObject(object, "spec", defaultStatefulSetSpec));
}

function defaultDaemonSetStrategy(strategy: JsonObject): JsonObject {
  const typed = withDefaults(strategy, { type: "RollingUpdate" });
  if (typed["type"] !== "RollingUpdate") return typed;
  return ensureObject(typed, "rollingUpdate", (rollingUpdate) =>
    withDefaults(rollingUpdate, { maxUnavailable: 1, maxSurge: 0 }),
  );
}

export function defaultDaemonSet(object: KubeObject): KubeObject {
  const withSpec = ensureObject(object, "spec", (spec) =>
    ensureObject(
      withDefaults(spec, { revisionHistoryLimit: 10 }),
      "updateStrategy",
      defaultDaemonSetStrategy,
    ),
  );
  return updatePodTemplate(withSpec);
}

/** `revision` is an int64 without omitempty: Go always writes it, 0 when the client left it out. */
export function defaultControllerRevision(object: KubeObject): KubeObject {
  return withDefaults(object, { revision: 0 });
}
