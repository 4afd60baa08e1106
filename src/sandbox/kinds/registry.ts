/** The built-in kinds the sandbox serves and their strategies, by group and kind. */
import type { KindStrategy } from "./types.js";
import {
  controllerRevisionStrategy,
  daemonSetStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
} from "./apps.js";
import { customResourceDefinitionStrategy } from "./apiextensions.js";
import { horizontalPodAutoscalerStrategy, podDisruptionBudgetStrategy } from "./autoscaling-policy.js";
import { cronJobStrategy, jobStrategy } from "./batch.js";
import { leaseStrategy } from "./coordination.js";
import {
  validatingAdmissionPolicyBindingStrategy,
  validatingAdmissionPolicyStrategy,
  validatingWebhookConfigurationStrategy,
} from "./admissionregistration.js";
import {
  configMapStrategy,
  eventStrategy,
  namespaceStrategy,
  persistentVolumeClaimStrategy,
  podStrategy,
  secretStrategy,
  serviceAccountStrategy,
} from "./core.js";
import { ingressStrategy, networkPolicyStrategy } from "./networking.js";
import {
  clusterRoleBindingStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  roleStrategy,
} from "./rbac.js";
import { serviceStrategy } from "./service.js";

const builtinStrategies: readonly KindStrategy[] = [
  namespaceStrategy,
  configMapStrategy,
  secretStrategy,
  serviceStrategy,
  serviceAccountStrategy,
  podStrategy,
  eventStrategy,
  persistentVolumeClaimStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
  daemonSetStrategy,
  controllerRevisionStrategy,
  jobStrategy,
  cronJobStrategy,
  ingressStrategy,
  networkPolicyStrategy,
  horizontalPodAutoscalerStrategy,
  podDisruptionBudgetStrategy,
  roleStrategy,
  roleBindingStrategy,
  clusterRoleStrategy,
  clusterRoleBindingStrategy,
  leaseStrategy,
  validatingWebhookConfigurationStrategy,
  validatingAdmissionPolicyStrategy,
  validatingAdmissionPolicyBindingStrategy,
  customResourceDefinitionStrategy,
];

const byGroupKind = new Map(
  builtinStrategies.map((strategy) => [`${strategy.gvk.kind}.${strategy.gvk.group}`, strategy]),
);

/** The strategy of a built-in kind the sandbox serves. Throws for anything else (custom resources use customResourceStrategy). */
export function strategyFor(group: string, kind: string): KindStrategy {
  const strategy = byGroupKind.get(`${kind}.${group}`);
  if (strategy === undefined) {
    throw new Error(`no strategy for kind ${group === "" ? kind : `${kind}.${group}`}`);
  }
  return strategy;
}

export function hasBuiltinStrategy(group: string, kind: string): boolean {
  return byGroupKind.has(`${kind}.${group}`);
}
