/**
 * Where each pod-template-bearing kind keeps its pod spec, and the views the container and pod
 * checks read: every container (init containers too: they run with the same privileges and count
 * towards the pod's resource requests), the effective security context, the replicas a controller
 * keeps, and the HorizontalPodAutoscalers that own that count.
 */
import type { Labels } from "../../kube/labels/selector.js";
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { valueAtPointer } from "../../kube/value/pointer.js";
import type { DesiredObject } from "../../model/index.js";
import type { LintContext } from "../types.js";
import { integerOf, isKind, listOf, objectOf, ofKindIn, pointerJoin, stringMapOf } from "./support.js";

export interface PodTemplate {
  /** The pod spec and its pointer in the object. */
  readonly spec: JsonObject;
  readonly pointer: string;
  /** The labels the pods get (the Pod's own, a template's metadata.labels). */
  readonly labels: Labels;
  readonly metadataPointer: string;
}

/** Kinds whose objects carry a pod template, and the pointer of that template's metadata. */
export const podTemplateKinds: readonly {
  readonly group: string;
  readonly kind: string;
  readonly template: string;
}[] = [
  { group: "", kind: "Pod", template: "" },
  { group: "apps", kind: "Deployment", template: "/spec/template" },
  { group: "apps", kind: "StatefulSet", template: "/spec/template" },
  { group: "apps", kind: "DaemonSet", template: "/spec/template" },
  { group: "apps", kind: "ReplicaSet", template: "/spec/template" },
  { group: "", kind: "ReplicationController", template: "/spec/template" },
  { group: "batch", kind: "Job", template: "/spec/template" },
  { group: "batch", kind: "CronJob", template: "/spec/jobTemplate/spec/template" },
];

export function podTemplateOf(desired: DesiredObject): PodTemplate | undefined {
  const kind = podTemplateKinds.find((candidate) => isKind(desired, candidate.group, candidate.kind));
  if (kind === undefined) return undefined;
  const template = objectOf(valueAtPointer(desired.object, kind.template));
  const metadata = objectOf(template["metadata"]);
  return {
    spec: objectOf(template["spec"]),
    pointer: `${kind.template}/spec`,
    labels: stringMapOf(metadata["labels"]),
    metadataPointer: `${kind.template}/metadata`,
  };
}

export function isBatch(desired: DesiredObject): boolean {
  return desired.ref.group === "batch";
}

export interface ContainerView {
  readonly name: string;
  readonly container: JsonObject;
  readonly pointer: string;
  readonly init: boolean;
}

export function containersOf(template: PodTemplate): readonly ContainerView[] {
  const views: ContainerView[] = [];
  for (const field of ["initContainers", "containers"] as const) {
    listOf(template.spec[field]).forEach((item, index) => {
      const container = objectOf(item);
      const name = typeof container["name"] === "string" ? container["name"] : `#${index}`;
      views.push({
        name,
        container,
        pointer: pointerJoin(template.pointer, field, index),
        init: field === "initContainers",
      });
    });
  }
  return views;
}

/**
 * A securityContext field as the kubelet applies it: the container's own value, else the pod's
 * (runAsUser, runAsNonRoot, runAsGroup, seccompProfile, seLinuxOptions are inherited this way).
 */
export function effectiveSecurityField(
  template: PodTemplate,
  view: ContainerView,
  field: string,
): { readonly value: JsonValue | undefined; readonly pointer: string } {
  const own = objectOf(view.container["securityContext"])[field];
  if (own !== undefined) return { value: own, pointer: pointerJoin(view.pointer, "securityContext", field) };
  const inherited = objectOf(template.spec["securityContext"])[field];
  if (inherited !== undefined)
    return { value: inherited, pointer: pointerJoin(template.pointer, "securityContext", field) };
  return { value: undefined, pointer: pointerJoin(view.pointer, "securityContext") };
}

/** The kinds whose replicas a PodDisruptionBudget and spreading protect (as kube-score and Polaris scope them). */
export function isReplicated(desired: DesiredObject): boolean {
  return isKind(desired, "apps", "Deployment") || isKind(desired, "apps", "StatefulSet");
}

export function hpasTargeting(desired: DesiredObject, context: LintContext): readonly DesiredObject[] {
  return ofKindIn(
    context,
    { group: "autoscaling", kind: "HorizontalPodAutoscaler" },
    desired.ref.namespace,
  ).filter((hpa) => {
    const target = objectOf(objectOf(hpa.object["spec"])["scaleTargetRef"]);
    return target["kind"] === desired.ref.kind && target["name"] === desired.ref.name;
  });
}

/** How many pods the controller keeps: `spec.replicas` (defaulted to 1), or an HPA's minReplicas (defaulted to 1). */
export function replicasOf(desired: DesiredObject, context: LintContext): number {
  const hpas = hpasTargeting(desired, context);
  if (hpas.length > 0)
    return Math.min(...hpas.map((hpa) => integerOf(objectOf(hpa.object["spec"])["minReplicas"]) ?? 1));
  return integerOf(objectOf(desired.object["spec"])["replicas"]) ?? 1;
}

export interface OwnedTemplate {
  readonly owner: DesiredObject;
  readonly template: PodTemplate;
}

/** Every pod template in a namespace, for the Services, budgets and policies that select pods. */
export function podTemplatesIn(context: LintContext, namespace: string): readonly OwnedTemplate[] {
  return context.once(`best-practice/pod-templates/${namespace}`, () =>
    podTemplateKinds.flatMap((kind) =>
      ofKindIn(context, kind, namespace).flatMap((owner) => {
        const template = podTemplateOf(owner);
        return template === undefined ? [] : [{ owner, template }];
      }),
    ),
  );
}
