/**
 * API versions kube-apiserver stops serving, by target Kubernetes version (the deprecation guide,
 * kubernetes.io/docs/reference/using-api/deprecation-guide): kube-score's stable-version and
 * kube-linter's no-extensions-v1beta, extended to every removal up to 1.32.
 */
import type { Check, LintContext } from "../types.js";
import type { DesiredObject } from "../../model/index.js";

export interface ApiRemoval {
  /** `group/version`. */
  readonly apiVersion: string;
  /** The kinds concerned; absent for every kind of the version. */
  readonly kinds?: readonly string[];
  readonly deprecatedIn: string;
  readonly removedIn: string;
  /** Where the kinds moved: `apps/v1`. */
  readonly replacement: string;
}

const workloads = ["Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "ControllerRevision"];

export const apiRemovals: readonly ApiRemoval[] = [
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["Ingress"],
    deprecatedIn: "1.14",
    removedIn: "1.22",
    replacement: "networking.k8s.io/v1",
  },
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["NetworkPolicy"],
    deprecatedIn: "1.9",
    removedIn: "1.16",
    replacement: "networking.k8s.io/v1",
  },
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["PodSecurityPolicy"],
    deprecatedIn: "1.11",
    removedIn: "1.16",
    replacement: "policy/v1beta1 (itself removed in 1.25)",
  },
  { apiVersion: "extensions/v1beta1", deprecatedIn: "1.9", removedIn: "1.16", replacement: "apps/v1" },
  {
    apiVersion: "apps/v1beta1",
    kinds: workloads,
    deprecatedIn: "1.9",
    removedIn: "1.16",
    replacement: "apps/v1",
  },
  {
    apiVersion: "apps/v1beta2",
    kinds: workloads,
    deprecatedIn: "1.9",
    removedIn: "1.16",
    replacement: "apps/v1",
  },
  {
    apiVersion: "policy/v1beta1",
    kinds: ["PodDisruptionBudget"],
    deprecatedIn: "1.21",
    removedIn: "1.25",
    replacement: "policy/v1",
  },
  {
    apiVersion: "policy/v1beta1",
    kinds: ["PodSecurityPolicy"],
    deprecatedIn: "1.21",
    removedIn: "1.25",
    replacement: "Pod Security Admission",
  },
  {
    apiVersion: "batch/v1beta1",
    kinds: ["CronJob"],
    deprecatedIn: "1.21",
    removedIn: "1.25",
    replacement: "batch/v1",
  },
  {
    apiVersion: "autoscaling/v2beta1",
    deprecatedIn: "1.22",
    removedIn: "1.25",
    replacement: "autoscaling/v2",
  },
  {
    apiVersion: "autoscaling/v2beta2",
    deprecatedIn: "1.23",
    removedIn: "1.26",
    replacement: "autoscaling/v2",
  },
  {
    apiVersion: "networking.k8s.io/v1beta1",
    kinds: ["Ingress", "IngressClass"],
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "networking.k8s.io/v1",
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1beta1",
    deprecatedIn: "1.17",
    removedIn: "1.22",
    replacement: "rbac.authorization.k8s.io/v1",
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1alpha1",
    deprecatedIn: "1.17",
    removedIn: "1.22",
    replacement: "rbac.authorization.k8s.io/v1",
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1beta1",
    kinds: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    deprecatedIn: "1.16",
    removedIn: "1.22",
    replacement: "admissionregistration.k8s.io/v1",
  },
  {
    apiVersion: "apiextensions.k8s.io/v1beta1",
    deprecatedIn: "1.16",
    removedIn: "1.22",
    replacement: "apiextensions.k8s.io/v1",
  },
  {
    apiVersion: "apiregistration.k8s.io/v1beta1",
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "apiregistration.k8s.io/v1",
  },
  {
    apiVersion: "authentication.k8s.io/v1beta1",
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "authentication.k8s.io/v1",
  },
  {
    apiVersion: "authorization.k8s.io/v1beta1",
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "authorization.k8s.io/v1",
  },
  {
    apiVersion: "certificates.k8s.io/v1beta1",
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "certificates.k8s.io/v1",
  },
  {
    apiVersion: "coordination.k8s.io/v1beta1",
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "coordination.k8s.io/v1",
  },
  {
    apiVersion: "scheduling.k8s.io/v1beta1",
    deprecatedIn: "1.14",
    removedIn: "1.22",
    replacement: "scheduling.k8s.io/v1",
  },
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIStorageCapacity"],
    deprecatedIn: "1.24",
    removedIn: "1.27",
    replacement: "storage.k8s.io/v1",
  },
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    deprecatedIn: "1.19",
    removedIn: "1.22",
    replacement: "storage.k8s.io/v1",
  },
  {
    apiVersion: "discovery.k8s.io/v1beta1",
    deprecatedIn: "1.21",
    removedIn: "1.25",
    replacement: "discovery.k8s.io/v1",
  },
  {
    apiVersion: "events.k8s.io/v1beta1",
    deprecatedIn: "1.19",
    removedIn: "1.25",
    replacement: "events.k8s.io/v1",
  },
  {
    apiVersion: "node.k8s.io/v1beta1",
    deprecatedIn: "1.20",
    removedIn: "1.25",
    replacement: "node.k8s.io/v1",
  },
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1",
    deprecatedIn: "1.23",
    removedIn: "1.26",
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2",
    deprecatedIn: "1.26",
    removedIn: "1.29",
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3",
    deprecatedIn: "1.29",
    removedIn: "1.32",
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
];

/** `1.32` → 1032, so versions compare as numbers. */
function versionNumber(version: string): number {
  const [major = "0", minor = "0"] = version.replace(/^v/, "").split(".");
  return Number(major) * 1000 + Number.parseInt(minor, 10);
}

export function removalOf(desired: DesiredObject): ApiRemoval | undefined {
  const apiVersion =
    desired.ref.group === "" ? desired.ref.version : `${desired.ref.group}/${desired.ref.version}`;
  return apiRemovals.find(
    (removal) =>
      removal.apiVersion === apiVersion &&
      (removal.kinds === undefined || removal.kinds.includes(desired.ref.kind)),
  );
}

function versionCheck(
  info: Omit<Check, "run">,
  applies: (removal: ApiRemoval, target: number) => boolean,
  describe: (removal: ApiRemoval, context: LintContext) => string,
): Check {
  return {
    ...info,
    run: (desired, context) => {
      const removal = removalOf(desired);
      if (removal === undefined || !applies(removal, versionNumber(context.kubernetesVersion))) return [];
      return [
        {
          path: "/apiVersion",
          message: `${desired.ref.kind} ${removal.apiVersion} ${describe(removal, context)}; use ${removal.replacement}`,
        },
      ];
    },
  };
}

export const apiVersionChecks: readonly Check[] = [
  versionCheck(
    {
      id: "api-version-removed",
      severity: "error",
      category: "api",
      summary:
        "Objects use an API version the target Kubernetes version serves: a removed one is rejected on apply.",
      hint: "Move the manifest to the replacement version (kubectl convert helps).",
    },
    (removal, target) => target >= versionNumber(removal.removedIn),
    (removal, context) => `was removed in ${removal.removedIn} (target ${context.kubernetesVersion})`,
  ),
  versionCheck(
    {
      id: "api-version-deprecated",
      severity: "warning",
      category: "api",
      summary:
        "Objects avoid API versions deprecated at the target Kubernetes version: they break on a later upgrade.",
      hint: "Move the manifest to the replacement version before the removal release.",
    },
    (removal, target) =>
      target >= versionNumber(removal.deprecatedIn) && target < versionNumber(removal.removedIn),
    (removal) => `is deprecated since ${removal.deprecatedIn} and removed in ${removal.removedIn}`,
  ),
];
