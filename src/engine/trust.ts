import type { Attribution } from "../model/index.js";
import { matchesAnyName } from "./patterns.js";

/**
 * Managers whose Update writes deploy the desired state or are Kubernetes' own (rule 4). Names
 * as they appear in managedFields:
 * - kubectl: client-side apply records `kubectl-client-side-apply`; `kubectl create -f` records
 *   `kubectl-create` and owns the defaults of the object it created; `before-first-apply` is
 *   kube-apiserver's placeholder when an object first meets server-side apply.
 * - Helm 3 `helm`; Flux `kustomize-controller` and `helm-controller`; Argo CD
 *   `argocd-controller` (server-side apply and most syncs) and `argocd-application-controller`
 *   (client-side apply of some kinds, argo-cd#20815).
 * - Terraform's Kubernetes provider: `Terraform` (its defaultFieldManagerName); typed resources
 *   written before provider 2.15 carry the User-Agent prefix `HashiCorp`.
 * - Kubernetes: kube-controller-manager (every built-in controller, HPA scale writes included),
 *   kube-scheduler, kubelet, kube-apiserver.
 * Every `Apply` operation is trusted besides: server-side apply is how deployers write.
 */
export const defaultTrustedManagers: readonly string[] = [
  "kubedrift",
  "kubectl-client-side-apply",
  "kubectl-create",
  "before-first-apply",
  "helm",
  "helm-controller",
  "kustomize-controller",
  "argocd-controller",
  "argocd-application-controller",
  "Terraform",
  "HashiCorp",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
  "kube-apiserver",
];

export type TrustPolicy = (attribution: Attribution) => boolean;

/** The configured managers are added to the defaults. */
export function trustPolicy(configured: readonly string[]): TrustPolicy {
  const trusted = [...defaultTrustedManagers, ...configured];
  return (attribution) => attribution.operation === "Apply" || matchesAnyName(trusted, attribution.manager);
}
