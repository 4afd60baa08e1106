/**
 * Availability of replicated workloads and the objects around them: replicas, disruption budgets,
 * spreading, selectors, autoscalers (kube-score's deployment-*, statefulset-*, poddisruptionbudget-*
 * and horizontalpodautoscaler-*, Polaris's reliability checks, kube-linter's mismatching-selector,
 * no-anti-affinity and pdb-* checks).
 */
import { labelValueErrors } from "../../kube/labels/validation.js";
import type { JsonValue } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import { valueAtPointer } from "../../kube/value/pointer.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, CheckResult, LintContext } from "../types.js";
import { finding, kindCheck, podCheck } from "./define.js";
import {
  integerOf,
  labelSelectorMatches,
  listOf,
  mapSelectorMatches,
  objectOf,
  ofKindIn,
  pointerJoin,
  stringMapOf,
} from "./support.js";
import type { PodTemplate } from "./workloads.js";
import { isReplicated, podTemplateOf, podTemplatesIn, replicasOf } from "./workloads.js";

const replicated = ["apps/Deployment", "apps/StatefulSet"];

const minimumReplicas = kindCheck(
  {
    id: "replicas-minimum",
    severity: "warning",
    category: "reliability",
    summary:
      "Deployments and StatefulSets run 2 or more replicas (or an HPA's minReplicas): one pod is down on every node drain.",
    hint: "Set spec.replicas (or the HorizontalPodAutoscaler's minReplicas) to 2 or more.",
  },
  replicated,
  (desired, context) => {
    const replicas = replicasOf(desired, context);
    return finding(
      replicas < 2,
      "/spec",
      `${desired.ref.kind} "${desired.ref.name}" runs ${replicas} replica`,
    );
  },
);

function hasBudget(template: PodTemplate, desired: DesiredObject, context: LintContext): boolean {
  return ofKindIn(context, { group: "policy", kind: "PodDisruptionBudget" }, desired.ref.namespace).some(
    (budget) => labelSelectorMatches(objectOf(budget.object["spec"])["selector"], template.labels),
  );
}

const disruptionBudget = podCheck(
  {
    id: "pod-disruption-budget",
    severity: "warning",
    category: "reliability",
    summary:
      "Replicated Deployments and StatefulSets are selected by a PodDisruptionBudget: otherwise a drain may evict every replica at once.",
    hint: "Add a PodDisruptionBudget (policy/v1) whose selector matches the pod template's labels.",
  },
  ({ desired, template, context }) =>
    finding(
      isReplicated(desired) && replicasOf(desired, context) >= 2 && !hasBudget(template, desired, context),
      template.metadataPointer,
      `no PodDisruptionBudget selects the pods of ${desired.ref.kind} "${desired.ref.name}"`,
    ),
);

function spreads(spec: Readonly<Record<string, JsonValue>>): boolean {
  const antiAffinity = objectOf(objectOf(spec["affinity"])["podAntiAffinity"]);
  const terms = [
    ...listOf(antiAffinity["requiredDuringSchedulingIgnoredDuringExecution"]),
    ...listOf(antiAffinity["preferredDuringSchedulingIgnoredDuringExecution"]),
  ];
  return terms.length > 0 || listOf(spec["topologySpreadConstraints"]).length > 0;
}

const spread = podCheck(
  {
    id: "pod-spread",
    severity: "warning",
    category: "reliability",
    summary:
      "Replicated Deployments and StatefulSets set podAntiAffinity or topologySpreadConstraints: otherwise all replicas may land on one node.",
    hint: "Add topologySpreadConstraints (topologyKey kubernetes.io/hostname) or a podAntiAffinity term selecting the pods.",
  },
  ({ desired, template, context }) =>
    finding(
      isReplicated(desired) && replicasOf(desired, context) >= 2 && !spreads(template.spec),
      template.pointer,
      `${desired.ref.kind} "${desired.ref.name}" has neither podAntiAffinity nor topologySpreadConstraints`,
    ),
);

const spreadSelector = podCheck(
  {
    id: "topology-spread-selector",
    severity: "warning",
    category: "reliability",
    summary:
      "Each topologySpreadConstraint's labelSelector selects the pod itself: otherwise the scheduler spreads nothing.",
    hint: "Set the constraint's labelSelector to the pod template's labels.",
  },
  ({ template }) =>
    listOf(template.spec["topologySpreadConstraints"]).flatMap((item, index) =>
      finding(
        !labelSelectorMatches(objectOf(item)["labelSelector"], template.labels),
        pointerJoin(template.pointer, "topologySpreadConstraints", index, "labelSelector"),
        `topologySpreadConstraints[${index}] does not select the pod's labels`,
      ),
    ),
);

function selectorMatchesTemplate(desired: DesiredObject, template: PodTemplate): boolean | undefined {
  const spec = objectOf(desired.object["spec"]);
  if (desired.ref.kind === "ReplicationController") {
    const selector = stringMapOf(spec["selector"]);
    return Object.keys(selector).length === 0 || mapSelectorMatches(selector, template.labels);
  }
  // A Job's selector is generated unless manualSelector is set; a Pod and a CronJob have none.
  if (desired.ref.kind === "Job" && spec["manualSelector"] !== true) return undefined;
  if (desired.ref.kind === "Pod" || desired.ref.kind === "CronJob") return undefined;
  return labelSelectorMatches(spec["selector"], template.labels);
}

const selectorMatches = podCheck(
  {
    id: "selector-matches-template",
    severity: "error",
    category: "reliability",
    summary:
      "A controller's selector matches its pod template's labels: kube-apiserver rejects the object, or the controller adopts other pods.",
    hint: "Make spec.selector and spec.template.metadata.labels agree.",
  },
  ({ desired, template }) =>
    finding(
      selectorMatchesTemplate(desired, template) === false,
      "/spec/selector",
      `the selector of ${desired.ref.kind} "${desired.ref.name}" does not match its template's labels`,
    ),
);

const hpaKinds = ["autoscaling/HorizontalPodAutoscaler"];

function hpaSpec(desired: DesiredObject): Readonly<Record<string, JsonValue>> {
  return objectOf(desired.object["spec"]);
}

const hpaTarget = kindCheck(
  {
    id: "hpa-target-exists",
    severity: "warning",
    category: "reliability",
    summary:
      "A HorizontalPodAutoscaler's scaleTargetRef names an object in the set: otherwise it scales nothing.",
    hint: "Fix scaleTargetRef (kind and name), or add the target to the manifests.",
  },
  hpaKinds,
  (desired, context) => {
    const target = objectOf(hpaSpec(desired)["scaleTargetRef"]);
    const exists = context.objects.some(
      (other) =>
        other.ref.namespace === desired.ref.namespace &&
        other.ref.kind === target["kind"] &&
        other.ref.name === target["name"],
    );
    return finding(
      !exists,
      "/spec/scaleTargetRef",
      `scale target ${textOf(target["kind"])} "${textOf(target["name"])}" is not in the set`,
    );
  },
);

const hpaMinimum = kindCheck(
  {
    id: "hpa-min-replicas",
    severity: "info",
    category: "reliability",
    summary:
      "A HorizontalPodAutoscaler keeps 2 or more replicas: scaled down to one, a drain takes the service down.",
    hint: "Set spec.minReplicas to 2 or more.",
  },
  hpaKinds,
  (desired) => {
    const minimum = integerOf(hpaSpec(desired)["minReplicas"]) ?? 1;
    return finding(minimum < 2, "/spec/minReplicas", `minReplicas is ${minimum}`);
  },
);

const hpaRange = kindCheck(
  {
    id: "hpa-max-above-min",
    severity: "warning",
    category: "reliability",
    summary: "A HorizontalPodAutoscaler's maxReplicas exceeds minReplicas: otherwise it never scales.",
    hint: "Raise spec.maxReplicas above spec.minReplicas.",
  },
  hpaKinds,
  (desired) => {
    const minimum = integerOf(hpaSpec(desired)["minReplicas"]) ?? 1;
    const maximum = integerOf(hpaSpec(desired)["maxReplicas"]);
    return finding(
      maximum !== undefined && maximum <= minimum,
      "/spec/maxReplicas",
      `maxReplicas ${String(maximum)} is not above minReplicas ${minimum}`,
    );
  },
);

const budgetKinds = ["policy/PodDisruptionBudget"];

function budgetedPods(budget: DesiredObject, context: LintContext) {
  const selector = objectOf(budget.object["spec"])["selector"];
  return podTemplatesIn(context, budget.ref.namespace).filter(({ template }) =>
    labelSelectorMatches(selector, template.labels),
  );
}

const budgetSelects = kindCheck(
  {
    id: "pdb-selects-pods",
    severity: "warning",
    category: "reliability",
    summary: "A PodDisruptionBudget's selector matches pods in the set: otherwise it protects nothing.",
    hint: "Set spec.selector to the labels of the workload's pod template.",
  },
  budgetKinds,
  (desired, context) =>
    finding(
      budgetedPods(desired, context).length === 0,
      "/spec/selector",
      `PodDisruptionBudget "${desired.ref.name}" selects no pods in the set`,
    ),
);

const budgetSet = kindCheck(
  {
    id: "pdb-budget-set",
    severity: "warning",
    category: "reliability",
    summary: "A PodDisruptionBudget sets minAvailable or maxUnavailable: an empty budget means nothing.",
    hint: "Set spec.maxUnavailable: 1 (or a minAvailable below the replicas).",
  },
  budgetKinds,
  (desired) => {
    const spec = objectOf(desired.object["spec"]);
    return finding(
      spec["minAvailable"] === undefined && spec["maxUnavailable"] === undefined,
      "/spec",
      `PodDisruptionBudget "${desired.ref.name}" sets neither minAvailable nor maxUnavailable`,
    );
  },
);

function blocksAll(value: JsonValue | undefined, field: "minAvailable" | "maxUnavailable"): boolean {
  return field === "maxUnavailable" ? value === 0 || value === "0%" : value === "100%";
}

/** What the budget's minAvailable blocks: a number at or above the replicas of a workload it selects. */
function minAvailableBlocks(desired: DesiredObject, context: LintContext): DesiredObject | undefined {
  const minimum = integerOf(objectOf(desired.object["spec"])["minAvailable"]);
  if (minimum === undefined) return undefined;
  return budgetedPods(desired, context)
    .map(({ owner }) => owner)
    .find((owner) => isReplicated(owner) && replicasOf(owner, context) <= minimum);
}

const budgetBlocks = kindCheck(
  {
    id: "pdb-blocks-eviction",
    severity: "warning",
    category: "reliability",
    summary:
      "A PodDisruptionBudget allows at least one disruption: maxUnavailable 0 or minAvailable ≥ replicas blocks every node drain.",
    hint: "Use maxUnavailable: 1, or a minAvailable below the workload's (minimum) replicas.",
  },
  budgetKinds,
  (desired, context): readonly CheckResult[] => {
    const spec = objectOf(desired.object["spec"]);
    for (const field of ["maxUnavailable", "minAvailable"] as const) {
      if (blocksAll(spec[field], field))
        return [
          { path: `/spec/${field}`, message: `${field} ${JSON.stringify(spec[field])} allows no disruption` },
        ];
    }
    const blocked = minAvailableBlocks(desired, context);
    return blocked === undefined
      ? []
      : [
          {
            path: "/spec/minAvailable",
            message: `minAvailable ${textOf(spec["minAvailable"])} is not below the ${replicasOf(blocked, context)} replicas of ${blocked.ref.kind} "${blocked.ref.name}"`,
          },
        ];
  },
);

const unhealthyEviction = kindCheck(
  {
    id: "pdb-unhealthy-pod-eviction-policy",
    severity: "info",
    category: "reliability",
    summary:
      "A PodDisruptionBudget sets unhealthyPodEvictionPolicy: the default keeps crash-looping pods from being drained.",
    hint: "Set spec.unhealthyPodEvictionPolicy: AlwaysAllow.",
  },
  budgetKinds,
  (desired) =>
    finding(
      objectOf(desired.object["spec"])["unhealthyPodEvictionPolicy"] === undefined,
      "/spec",
      `PodDisruptionBudget "${desired.ref.name}" has no unhealthyPodEvictionPolicy`,
    ),
);

const statefulSetService = kindCheck(
  {
    id: "statefulset-service-name",
    severity: "warning",
    category: "networking",
    summary:
      "A StatefulSet's serviceName names a headless Service in the set: its pods get their stable DNS names from it.",
    hint: "Set spec.serviceName to a Service with clusterIP: None that selects the pods.",
  },
  ["apps/StatefulSet"],
  (desired, context) => {
    const name = objectOf(desired.object["spec"])["serviceName"];
    const template = podTemplateOf(desired);
    const headless = ofKindIn(context, { group: "", kind: "Service" }, desired.ref.namespace).some(
      (service) => {
        const spec = objectOf(service.object["spec"]);
        return (
          service.ref.name === name &&
          spec["clusterIP"] === "None" &&
          mapSelectorMatches(stringMapOf(spec["selector"]), template?.labels ?? {})
        );
      },
    );
    return finding(
      !headless,
      "/spec/serviceName",
      typeof name === "string"
        ? `serviceName "${name}" is not a headless Service selecting the pods`
        : `StatefulSet "${desired.ref.name}" has no serviceName`,
    );
  },
);

const rollingUpdate = kindCheck(
  {
    id: "deployment-strategy",
    severity: "info",
    category: "reliability",
    summary:
      "Deployments roll out with RollingUpdate: Recreate stops every pod before starting the new ones.",
    hint: "Remove spec.strategy (RollingUpdate is the default) or set type: RollingUpdate.",
  },
  ["apps/Deployment"],
  (desired) => {
    const type = objectOf(objectOf(desired.object["spec"])["strategy"])["type"];
    return finding(
      type === "Recreate",
      "/spec/strategy/type",
      `Deployment "${desired.ref.name}" uses strategy Recreate`,
    );
  },
);

function labelProblems(labels: JsonValue | undefined, pointer: string): readonly CheckResult[] {
  return Object.entries(objectOf(labels)).flatMap(([key, value]) =>
    finding(
      typeof value !== "string" || labelValueErrors(value).length > 0,
      pointerJoin(pointer, key),
      `label ${key}=${JSON.stringify(value)} is not a valid label value`,
    ),
  );
}

const labelValues: Check = {
  id: "label-values",
  severity: "error",
  category: "api",
  summary:
    "Label values are valid (63 characters of [A-Za-z0-9-_.], alphanumeric at both ends): kube-apiserver rejects others.",
  hint: "Shorten the value or replace the characters that are not allowed.",
  run: (desired) => {
    const template = podTemplateOf(desired);
    const own = labelProblems(objectOf(desired.object["metadata"])["labels"], "/metadata/labels");
    if (template === undefined || template.metadataPointer === "/metadata") return own;
    const labelsPointer = `${template.metadataPointer}/labels`;
    return [...own, ...labelProblems(valueAtPointer(desired.object, labelsPointer), labelsPointer)];
  },
};

export const reliabilityChecks: readonly Check[] = [
  minimumReplicas,
  disruptionBudget,
  spread,
  spreadSelector,
  selectorMatches,
  hpaTarget,
  hpaMinimum,
  hpaRange,
  budgetSelects,
  budgetSet,
  budgetBlocks,
  unhealthyEviction,
  statefulSetService,
  rollingUpdate,
  labelValues,
];
