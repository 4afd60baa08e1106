import type { LiveObject } from "../model/index.js";
import { asList, isJsonObject } from "../kube/value/json.js";
import { childOf } from "./json.js";
import type { Scope } from "./types.js";
import { metadataOf } from "../kube/object.js";
import type { ObjectRef } from "../kube/object.js";

export function inScope(scope: Scope, ref: ObjectRef): boolean {
  if (scope.kinds.length > 0 && !scope.kinds.includes(`${ref.group}/${ref.kind}`)) return false;
  return scope.namespaces.length === 0 || ref.namespace === "" || scope.namespaces.includes(ref.namespace);
}

/** Kinds that only the control plane and kubelets write: never declared, never Extra. */
const systemKinds: ReadonlySet<string> = new Set([
  "/Event",
  "events.k8s.io/Event",
  "/Endpoints",
  "discovery.k8s.io/EndpointSlice",
  "/ComponentStatus",
  "/Node",
]);

/** Objects kube-apiserver and kube-controller-manager create in every cluster or namespace, by group/kind/namespace/name. */
const bootstrapObjects: Readonly<Record<string, (ref: ObjectRef) => boolean>> = {
  "/ServiceAccount": (ref) => ref.name === "default",
  "/ConfigMap": (ref) =>
    ref.name === "kube-root-ca.crt" ||
    (ref.namespace === "kube-public" && ref.name === "cluster-info") ||
    (ref.namespace === "kube-system" &&
      ["extension-apiserver-authentication", "kube-apiserver-legacy-service-account-token-tracking"].includes(
        ref.name,
      )),
  "/Service": (ref) => ref.namespace === "default" && ref.name === "kubernetes",
  "/Namespace": (ref) => ["default", "kube-system", "kube-public", "kube-node-lease"].includes(ref.name),
  "coordination.k8s.io/Lease": (ref) =>
    ref.namespace === "kube-node-lease" || ref.namespace === "kube-system",
  "scheduling.k8s.io/PriorityClass": (ref) => ref.name.startsWith("system-"),
};

function isBootstrapObject(ref: ObjectRef): boolean {
  const kind = `${ref.group}/${ref.kind}`;
  return Object.hasOwn(bootstrapObjects, kind) && bootstrapObjects[kind](ref);
}

/** RBAC defaults (`system:*` roles) carry `kubernetes.io/bootstrapping`; priority-and-fairness defaults an autoupdate annotation. */
function hasBootstrapMarks(live: LiveObject): boolean {
  const metadata = metadataOf(live.object);
  const labels = childOf(metadata, "labels");
  const annotations = childOf(metadata, "annotations");
  return (
    (isJsonObject(labels) && Object.hasOwn(labels, "kubernetes.io/bootstrapping")) ||
    (isJsonObject(annotations) && Object.hasOwn(annotations, "apf.kubernetes.io/autoupdate-spec"))
  );
}

function isServiceAccountToken(live: LiveObject): boolean {
  return (
    live.ref.group === "" &&
    live.ref.kind === "Secret" &&
    childOf(live.object, "type") === "kubernetes.io/service-account-token"
  );
}

export function isCreatedByKubernetes(live: LiveObject): boolean {
  return (
    systemKinds.has(`${live.ref.group}/${live.ref.kind}`) ||
    isBootstrapObject(live.ref) ||
    isServiceAccountToken(live) ||
    hasBootstrapMarks(live)
  );
}

/** Objects with an owner (ReplicaSets, Pods, ControllerRevisions …) belong to their owner's lifecycle. */
export function hasOwner(live: LiveObject): boolean {
  const owners = asList(childOf(metadataOf(live.object), "ownerReferences"));
  return owners !== undefined && owners.length > 0;
}

/**
 * A deployer's own bookkeeping: Helm 3 keeps each release revision in a Secret (type
 * `helm.sh/release.v1`) or, with the ConfigMap driver, a ConfigMap labelled `owner: helm`.
 */
export function isDeployerRecord(live: LiveObject): boolean {
  if (live.ref.group !== "" || !live.ref.name.startsWith("sh.helm.release.v1.")) return false;
  if (live.ref.kind === "Secret") return childOf(live.object, "type") === "helm.sh/release.v1";
  const labels = childOf(metadataOf(live.object), "labels");
  return live.ref.kind === "ConfigMap" && isJsonObject(labels) && labels["owner"] === "helm";
}

/** Rule 6: a live object nobody declares, within scope, that neither an owner nor Kubernetes accounts for. */
export function isExtra(scope: Scope, live: LiveObject): boolean {
  return (
    inScope(scope, live.ref) && !hasOwner(live) && !isCreatedByKubernetes(live) && !isDeployerRecord(live)
  );
}
