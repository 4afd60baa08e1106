/**
 * Checks no other linter has, because they are about drift: fields that something in the cluster
 * will write back (an autoscaler, a controller), so that every apply and every drift check fights
 * it; and defaults that change under the object when its API version is migrated.
 */
import { isJsonObject, type JsonObject, type JsonValue } from "../../kube/value/json.js";
import { splitApiVersion } from "../../kube/object.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, CheckResult, LintContext } from "../types.js";

const workloads = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

function at(value: JsonValue | undefined, ...keys: readonly string[]): JsonValue | undefined {
  let current = value;
  for (const key of keys) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

/** `scaleTargetRef`/`targetRef` naming this object (kind and name; the apiVersion's group when given). */
function targets(reference: JsonValue | undefined, object: DesiredObject): boolean {
  if (!isJsonObject(reference)) return false;
  const apiVersion = reference["apiVersion"];
  const group = typeof apiVersion === "string" ? splitApiVersion(apiVersion).group : object.ref.group;
  return (
    reference["kind"] === object.ref.kind &&
    reference["name"] === object.ref.name &&
    group === object.ref.group
  );
}

function sameNamespace(a: DesiredObject, b: DesiredObject): boolean {
  return a.ref.namespace === b.ref.namespace;
}

export const replicasManagedByAutoscaler: Check = {
  id: "replicas-managed-by-hpa",
  severity: "warning",
  category: "drift",
  summary:
    "spec.replicas is set in Git while a HorizontalPodAutoscaler scales the object: every apply resets the autoscaler's count",
  hint: "Remove spec.replicas from the manifest and let the HorizontalPodAutoscaler own it",
  run: (object, context) => {
    if (!workloads.has(object.ref.kind) || at(object.object, "spec", "replicas") === undefined) return [];
    const autoscaler = context
      .ofKind("autoscaling", "HorizontalPodAutoscaler")
      .find((hpa) => sameNamespace(hpa, object) && targets(at(hpa.object, "spec", "scaleTargetRef"), object));
    return autoscaler === undefined
      ? []
      : [
          {
            path: "/spec/replicas",
            message: `spec.replicas is ${JSON.stringify(at(object.object, "spec", "replicas"))} while HorizontalPodAutoscaler ${autoscaler.ref.name} scales it`,
          },
        ];
  },
};

/** The pod template's containers, with their pointers. */
function templateContainers(object: DesiredObject): readonly (readonly [string, JsonObject])[] {
  const containers = at(object.object, "spec", "template", "spec", "containers");
  return Array.isArray(containers)
    ? containers.flatMap((container, index) =>
        isJsonObject(container) ? [[`/spec/template/spec/containers/${index}`, container] as const] : [],
      )
    : [];
}

const evictingModes = new Set(["Auto", "Recreate", "InPlaceOrRecreate", "Initial"]);

function activeVerticalAutoscaler(object: DesiredObject, context: LintContext): DesiredObject | undefined {
  return context.ofKind("autoscaling.k8s.io", "VerticalPodAutoscaler").find((vpa) => {
    const mode = at(vpa.object, "spec", "updatePolicy", "updateMode");
    // The VPA's default updateMode is Auto.
    const updates = mode === undefined || (typeof mode === "string" && evictingModes.has(mode));
    return sameNamespace(vpa, object) && updates && targets(at(vpa.object, "spec", "targetRef"), object);
  });
}

export const requestsManagedByVerticalAutoscaler: Check = {
  id: "requests-managed-by-vpa",
  severity: "warning",
  category: "drift",
  summary:
    "Resource requests are set in Git while a VerticalPodAutoscaler rewrites them: pods and Git disagree after every update",
  hint: "Keep the requests as the VPA's starting point and ignore the fields in kubedrift.yaml, or set the VPA's updateMode to Off",
  run: (object, context) => {
    if (!["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(object.ref.kind)) return [];
    const vpa = activeVerticalAutoscaler(object, context);
    if (vpa === undefined) return [];
    return templateContainers(object).flatMap(([pointer, container]) =>
      at(container, "resources", "requests") === undefined
        ? []
        : [
            {
              path: `${pointer}/resources/requests`,
              message: `container ${JSON.stringify(container["name"])} declares requests that VerticalPodAutoscaler ${vpa.ref.name} rewrites`,
            },
          ],
    );
  },
};

interface OwnedField {
  readonly kinds: readonly string[];
  readonly path: readonly string[];
  readonly owner: string;
  /** A value the field may hold in Git without a fight (a headless Service's clusterIP: None). */
  readonly harmless?: JsonValue;
}

/** Fields that a controller or the API server writes: declaring them pins one cluster's value. */
const ownedFields: readonly OwnedField[] = [
  { kinds: ["Service"], path: ["spec", "clusterIP"], owner: "the Service IP allocator", harmless: "None" },
  { kinds: ["Service"], path: ["spec", "clusterIPs"], owner: "the Service IP allocator" },
  { kinds: ["Service"], path: ["spec", "healthCheckNodePort"], owner: "the Service node-port allocator" },
  { kinds: ["PersistentVolumeClaim"], path: ["spec", "volumeName"], owner: "the PersistentVolume binder" },
  { kinds: ["Pod"], path: ["spec", "nodeName"], owner: "the scheduler" },
  {
    kinds: ["Deployment"],
    path: ["metadata", "annotations", "deployment.kubernetes.io/revision"],
    owner: "the Deployment controller",
  },
  {
    kinds: ["Deployment", "StatefulSet", "DaemonSet"],
    path: ["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"],
    owner: "kubectl rollout restart",
  },
  { kinds: ["*"], path: ["status"], owner: "the object's controller (status is never applied)" },
];

function pointerOf(path: readonly string[]): string {
  return path.map((key) => `/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

export const controllerOwnedField: Check = {
  id: "controller-owned-field",
  severity: "warning",
  category: "drift",
  summary:
    "A field that a controller or the API server writes is declared in Git: it differs per cluster and drifts on every write",
  hint: "Remove the field from the manifest",
  run: (object) =>
    ownedFields.flatMap((field): readonly CheckResult[] => {
      if (!field.kinds.includes("*") && !field.kinds.includes(object.ref.kind)) return [];
      const value = at(object.object, ...field.path);
      if (value === undefined || (field.harmless !== undefined && value === field.harmless)) return [];
      return [
        { path: pointerOf(field.path), message: `${field.path.join(".")} is set; ${field.owner} owns it` },
      ];
    }),
};

interface ChangedDefault {
  readonly apiVersions: readonly string[];
  readonly kind: string;
  readonly path: readonly string[];
  /** The default in the old API version, and in the version that replaced it. */
  readonly was: string;
  readonly becomes: string;
}

/*
 * Defaults that apps/v1 changed from the extensions/v1beta1, apps/v1beta1 and apps/v1beta2 versions
 * (removed in Kubernetes 1.16): a manifest that leaves them out behaves differently once migrated.
 */
const changedDefaults: readonly ChangedDefault[] = [
  {
    apiVersions: ["extensions/v1beta1", "apps/v1beta1"],
    kind: "Deployment",
    path: ["spec", "revisionHistoryLimit"],
    was: "unlimited (extensions/v1beta1) or 2 (apps/v1beta1)",
    becomes: "10",
  },
  {
    apiVersions: ["extensions/v1beta1"],
    kind: "Deployment",
    path: ["spec", "progressDeadlineSeconds"],
    was: "2147483647 (no deadline)",
    becomes: "600",
  },
  {
    apiVersions: ["extensions/v1beta1"],
    kind: "Deployment",
    path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"],
    was: "1",
    becomes: "25%",
  },
  {
    apiVersions: ["extensions/v1beta1"],
    kind: "Deployment",
    path: ["spec", "strategy", "rollingUpdate", "maxSurge"],
    was: "1",
    becomes: "25%",
  },
  {
    apiVersions: ["extensions/v1beta1"],
    kind: "DaemonSet",
    path: ["spec", "updateStrategy", "type"],
    was: "OnDelete",
    becomes: "RollingUpdate",
  },
  {
    apiVersions: ["apps/v1beta1"],
    kind: "StatefulSet",
    path: ["spec", "updateStrategy", "type"],
    was: "OnDelete",
    becomes: "RollingUpdate",
  },
];

export const defaultChangesOnMigration: Check = {
  id: "default-changes-on-migration",
  severity: "info",
  category: "drift",
  summary:
    "The manifest relies on a default that its API version's replacement changed: migrating it changes behaviour",
  hint: "Set the field explicitly to the value you rely on before moving to the current API version",
  run: (object) => {
    const apiVersion = object.object["apiVersion"];
    return changedDefaults.flatMap((entry): readonly CheckResult[] =>
      entry.kind === object.ref.kind &&
      typeof apiVersion === "string" &&
      entry.apiVersions.includes(apiVersion) &&
      at(object.object, ...entry.path) === undefined
        ? [
            {
              path: pointerOf(entry.path.slice(0, 1)),
              message: `${entry.path.join(".")} is left to its default: ${entry.was} in ${apiVersion}, ${entry.becomes} in apps/v1`,
            },
          ]
        : [],
    );
  },
};

export const driftChecks: readonly Check[] = [
  replicasManagedByAutoscaler,
  requestsManagedByVerticalAutoscaler,
  controllerOwnedField,
  defaultChangesOnMigration,
];
