/**
 * `rbac --emit-role`: the least rights a deployer needs to keep the managed objects as Git says — a
 * Role per namespace, a ClusterRole for the cluster-scoped kinds — on exactly those kinds, and on
 * those names where RBAC can say so.
 */
import type { KubeObject } from "../../kube/value/json.js";
import type { ManagedTarget } from "./access.js";

/** The verbs RBAC checks against the object's name: a rule with resourceNames can allow them. */
const namedVerbs = ["get", "update", "patch", "delete"] as const;
/**
 * create names no object when it is authorized, and kubedrift lists whole collections: a rule
 * with resourceNames never allows these, so they go without.
 */
const collectionVerbs = ["create", "list", "watch"] as const;

export const deployerRoleName = "kubedrift-deployer";

export const deployerRoleNotes: readonly string[] = [
  "create, list and watch cannot be limited to names (a create names no object when RBAC checks it): they hold for the whole kind",
  "Roles and RoleBindings among the managed objects also need what they grant, or escalate/bind",
];

function rulesOf(targets: readonly ManagedTarget[]): readonly KubeObject[] {
  const byGroup = new Map<string, Map<string, Set<string>>>();
  for (const { ref, resource } of targets) {
    const resources = byGroup.get(ref.group) ?? new Map<string, Set<string>>();
    resources.set(resource, (resources.get(resource) ?? new Set()).add(ref.name));
    byGroup.set(ref.group, resources);
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([group, resources]) => {
      const plural = [...resources.keys()].sort();
      return [
        { apiGroups: [group], resources: plural, verbs: [...collectionVerbs] },
        ...plural.map((resource) => ({
          apiGroups: [group],
          resources: [resource],
          verbs: [...namedVerbs],
          resourceNames: [...(resources.get(resource) ?? [])].sort(),
        })),
      ];
    });
}

function roleFor(namespace: string, targets: readonly ManagedTarget[]): KubeObject {
  const metadata = namespace === "" ? { name: deployerRoleName } : { name: deployerRoleName, namespace };
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: namespace === "" ? "ClusterRole" : "Role",
    metadata: { ...metadata, labels: { "app.kubernetes.io/managed-by": "kubedrift" } },
    rules: [...rulesOf(targets)],
  };
}

/** A ClusterRole for the cluster-scoped objects (if any) first, then a Role per namespace in name order. */
export function deployerRoles(targets: readonly ManagedTarget[]): readonly KubeObject[] {
  const byNamespace = new Map<string, ManagedTarget[]>();
  for (const target of targets) {
    const namespace = target.namespaced ? target.ref.namespace : "";
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), target]);
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, inNamespace]) => roleFor(namespace, inNamespace));
}
