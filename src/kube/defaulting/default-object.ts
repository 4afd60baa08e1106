import type { GroupVersionKind } from "../schema/types.js";
import type { KubeObject } from "../value/json.js";
import { defaultCrd } from "./apiextensions.js";
import {
  defaultControllerRevision,
  defaultDaemonSet,
  defaultDeployment,
  defaultReplicaSet,
  defaultStatefulSet,
} from "./apps.js";
import { defaultHorizontalPodAutoscaler } from "./autoscaling.js";
import { defaultCronJob, defaultJob } from "./batch.js";
import { defaultNamespace, defaultPersistentVolumeClaim, defaultPod, defaultSecret } from "./core.js";
import { defaultNetworkPolicy } from "./networking.js";
import { defaultBinding, rbacGroup } from "./rbac.js";
import { defaultService } from "./service.js";
import { defaultCustomResource, type JsonSchema } from "./structural.js";

type Defaulter = (object: KubeObject) => KubeObject;

/** The built-in kinds with defaults, by `group/version/kind`; the others have none. */
const builtinDefaulters: ReadonlyMap<string, Defaulter> = new Map<string, Defaulter>([
  ["/v1/Namespace", defaultNamespace],
  ["/v1/Secret", defaultSecret],
  ["/v1/PersistentVolumeClaim", defaultPersistentVolumeClaim],
  ["/v1/Pod", defaultPod],
  ["/v1/Service", defaultService],
  ["apps/v1/Deployment", defaultDeployment],
  ["apps/v1/ReplicaSet", defaultReplicaSet],
  ["apps/v1/StatefulSet", defaultStatefulSet],
  ["apps/v1/DaemonSet", defaultDaemonSet],
  ["apps/v1/ControllerRevision", defaultControllerRevision],
  ["batch/v1/Job", defaultJob],
  ["batch/v1/CronJob", defaultCronJob],
  ["networking.k8s.io/v1/NetworkPolicy", defaultNetworkPolicy],
  ["autoscaling/v2/HorizontalPodAutoscaler", defaultHorizontalPodAutoscaler],
  [`${rbacGroup}/v1/RoleBinding`, defaultBinding],
  [`${rbacGroup}/v1/ClusterRoleBinding`, defaultBinding],
  ["apiextensions.k8s.io/v1/CustomResourceDefinition", defaultCrd],
]);

function keyOf(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** Whether kube-apiserver 1.32 defaults anything on this built-in kind. */
export function hasBuiltinDefaults(gvk: GroupVersionKind): boolean {
  return builtinDefaulters.has(keyOf(gvk));
}

/**
 * The object as kube-apiserver 1.32 decodes a write of it: with a CRD version's structural
 * schema, that schema's defaults (metadata untouched); otherwise the built-in kind's defaults,
 * or the object unchanged for a kind without any.
 */
export function defaultObject(gvk: GroupVersionKind, object: KubeObject, schema?: JsonSchema): KubeObject {
  if (schema !== undefined) return defaultCustomResource(object, schema);
  const defaulter = builtinDefaulters.get(keyOf(gvk));
  return defaulter === undefined ? object : defaulter(object);
}
