/**
 * The least RBAC that `watch` needs for its scope and policies (issue 13, item 7), for
 * `kubedrift watch --emit-rbac` and the Role-based example in deploy/base: read (get, list, watch)
 * on every kind in scope; `patch` where a heal policy can put fields back, and `create` as well
 * where it can put back a Missing object (server-side apply creates through a PATCH, and
 * kube-apiserver then also asks the authorizer for `create`); Events (`create`, `patch`) where the
 * drifted objects are; the leader-election Lease in watch's own namespace. Discovery needs no
 * grant: `system:discovery` is bound to every authenticated user.
 */
import { stringify } from "yaml";
import type { ServedResource } from "../cluster/index.js";
import type { PolicyRule, RuleScope, Scope } from "../engine/index.js";
import { inRuleScope } from "../engine/rules.js";
import type { ObjectRef } from "../kube/object.js";
import { builtinSchema } from "../kube/schema/builtin.js";
import type { Policies } from "./policy.js";

export interface ServiceAccountRef {
  readonly name: string;
  readonly namespace: string;
}

/** What the sources read from the cluster besides the objects in scope (given with the scope). */
export interface PermissionOptions {
  /**
   * `--helm-release`/`--helm-all`: the releases are read from Helm's storage, Secrets (and
   * ConfigMaps, for its ConfigMap driver) labelled `owner=helm` in this namespace (undefined: every
   * namespace, `-A`). RBAC cannot narrow a list by label: this reads every Secret there.
   */
  readonly helmReleases?: { readonly namespace: string | undefined };
}

/** One rule of a Role or ClusterRole. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

interface RbacMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: { readonly "app.kubernetes.io/name": "kubedrift" };
}

interface RoleRef {
  readonly apiGroup: "rbac.authorization.k8s.io";
  readonly kind: "Role" | "ClusterRole";
  readonly name: string;
}

interface ServiceAccountSubject {
  readonly kind: "ServiceAccount";
  readonly name: string;
  readonly namespace: string;
}

export type RbacObject =
  | {
      readonly apiVersion: "rbac.authorization.k8s.io/v1";
      readonly kind: "ClusterRole" | "Role";
      readonly metadata: RbacMetadata;
      readonly rules: readonly RbacRule[];
    }
  | {
      readonly apiVersion: "rbac.authorization.k8s.io/v1";
      readonly kind: "ClusterRoleBinding" | "RoleBinding";
      readonly metadata: RbacMetadata;
      readonly roleRef: RoleRef;
      readonly subjects: readonly ServiceAccountSubject[];
    };

/** Verbs in the order kubectl and the bootstrap roles list them. */
const verbOrder = ["get", "list", "watch", "create", "update", "patch"] as const;
type Verb = (typeof verbOrder)[number];

const read: readonly Verb[] = ["get", "list", "watch"];
const labels = { "app.kubernetes.io/name": "kubedrift" } as const;

/** Where a grant lives: the ClusterRole (cluster-wide) or the Role of one namespace. */
const clusterWide = Symbol("cluster-wide");
type Place = typeof clusterWide | string;

/** What a heal policy can ask of one kind in one namespace (undefined: any namespace). */
interface HealReach {
  /** Some field of some object can be healed: `patch`. */
  readonly patch: boolean;
  /** A Missing object can be put back (a rule without a path heals it): `create` too. */
  readonly create: boolean;
}

/**
 * Over-approximates with exact shadowing: a later rule that covers every object and every field of
 * the kind there (no names, no path) decides alone; after it, any rule that may match some object
 * (names are not RBAC's to narrow here) counts.
 */
function healReach(policies: Policies, resource: ServedResource, namespace: string | undefined): HealReach {
  const ref: ObjectRef = {
    group: resource.group,
    version: resource.version,
    kind: resource.kind,
    namespace: namespace ?? "",
    name: "",
  };
  const widened = (rule: PolicyRule): RuleScope => ({
    ...(rule.kinds === undefined ? {} : { kinds: rule.kinds }),
    ...(namespace === undefined || rule.namespaces === undefined ? {} : { namespaces: rule.namespaces }),
  });
  const mayMatch = (rule: PolicyRule): boolean => inRuleScope(widened(rule), ref);
  const coversAll = (rule: PolicyRule): boolean =>
    rule.path === undefined &&
    rule.names === undefined &&
    (namespace !== undefined || rule.namespaces === undefined) &&
    mayMatch(rule);
  let base = policies.fallback;
  let from = 0;
  policies.rules.forEach((rule, index) => {
    if (!coversAll(rule)) return;
    base = rule.mode;
    from = index + 1;
  });
  const later = policies.rules.slice(from).filter((rule) => rule.mode === "heal" && mayMatch(rule));
  return {
    patch: base === "heal" || later.length > 0,
    create: base === "heal" || later.some((rule) => rule.path === undefined),
  };
}

class Grants {
  readonly #places = new Map<Place, Map<string, Set<Verb>>>();

  add(place: Place, apiGroup: string, resource: string, verbs: readonly Verb[]): void {
    const grants = this.#places.get(place) ?? new Map<string, Set<Verb>>();
    this.#places.set(place, grants);
    const key = `${apiGroup}/${resource}`;
    const granted = grants.get(key) ?? new Set<Verb>();
    grants.set(key, granted);
    for (const verb of verbs) granted.add(verb);
  }

  has(place: Place): boolean {
    return this.#places.has(place);
  }

  namespaces(): readonly string[] {
    return [...this.#places.keys()].filter((place) => typeof place === "string").sort();
  }

  /** One rule per API group and set of verbs, resources sorted; rules by group, then resources. */
  rules(place: Place): readonly RbacRule[] {
    const merged = new Map<string, { apiGroup: string; verbs: readonly Verb[]; resources: string[] }>();
    for (const [key, granted] of this.#places.get(place) ?? []) {
      const slash = key.indexOf("/");
      const apiGroup = key.slice(0, slash);
      const verbs = verbOrder.filter((verb) => granted.has(verb));
      const id = `${apiGroup}\u0000${verbs.join(",")}`;
      const rule = merged.get(id) ?? { apiGroup, verbs, resources: [] };
      merged.set(id, rule);
      rule.resources.push(key.slice(slash + 1));
    }
    return [...merged.values()]
      .map((rule) => ({ apiGroup: rule.apiGroup, verbs: rule.verbs, resources: rule.resources.sort() }))
      .sort(
        (a, b) =>
          compare(a.apiGroup, b.apiGroup) ||
          compare(a.resources.join(","), b.resources.join(",")) ||
          compare(a.verbs.join(","), b.verbs.join(",")),
      )
      .map((rule) => ({ apiGroups: [rule.apiGroup], resources: rule.resources, verbs: rule.verbs }));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A kind the built-in schema does not know comes from a CRD: its schema is read from the CRDs. */
function isCustom(resource: ServedResource): boolean {
  return (
    builtinSchema.rootType({ group: resource.group, version: resource.version, kind: resource.kind }) ===
    undefined
  );
}

/** Where a kind is read (and healed): cluster-wide, or in each namespace in scope. */
function placesOf(
  resource: ServedResource,
  namespaces: readonly string[],
): readonly (readonly [Place, string | undefined])[] {
  if (!resource.namespaced) return [[clusterWide, ""]];
  if (namespaces.length === 0) return [[clusterWide, undefined]];
  return namespaces.map((namespace) => [namespace, namespace] as const);
}

/** Read, and what heal policies may write, on every served kind in scope; what the kinds imply. */
function grantKinds(
  grants: Grants,
  scope: Scope,
  served: ReadonlyMap<string, ServedResource>,
  policies: Policies,
): { readonly clusterScoped: boolean; readonly custom: boolean } {
  const namespaces = [...new Set(scope.namespaces)].sort();
  let clusterScoped = false;
  let custom = false;
  for (const key of [...new Set(scope.kinds)].sort()) {
    const resource = served.get(key);
    if (resource === undefined) continue;
    custom ||= isCustom(resource);
    clusterScoped ||= !resource.namespaced;
    for (const [place, namespace] of placesOf(resource, namespaces)) {
      const reach = healReach(policies, resource, namespace);
      const verbs: readonly Verb[] = [
        ...read,
        ...(reach.create ? (["create"] as const) : []),
        ...(reach.patch ? (["patch"] as const) : []),
      ];
      grants.add(place, resource.group, resource.resource, verbs);
    }
  }
  return { clusterScoped, custom };
}

function roleObjects(
  kind: "ClusterRole" | "Role",
  rules: readonly RbacRule[],
  serviceAccount: ServiceAccountRef,
  namespace?: string,
): readonly RbacObject[] {
  const name = serviceAccount.name;
  const metadata: RbacMetadata = namespace === undefined ? { name, labels } : { name, namespace, labels };
  return [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata, rules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: kind === "Role" ? "RoleBinding" : "ClusterRoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name },
      subjects: [{ kind: "ServiceAccount", name, namespace: serviceAccount.namespace }],
    },
  ];
}

/**
 * The Roles, ClusterRole and bindings that let `serviceAccount` run `watch` over `scope` with
 * `policies`, and nothing more: a ClusterRole (and its binding) for cluster-scoped kinds and, when
 * the scope spans every namespace, for namespaced ones; otherwise a Role and RoleBinding in each
 * namespace in scope, and one in the service account's namespace for the leader-election Lease.
 * Kinds in scope that the cluster does not serve get nothing (watch cannot watch them either);
 * `scope.helmReleases` adds what the sources themselves read (Helm's release storage).
 * Deterministic: ClusterRole and ClusterRoleBinding first, then Role and RoleBinding by namespace.
 */
export function permissionsFor(
  scope: Scope & PermissionOptions,
  served: ReadonlyMap<string, ServedResource>,
  policies: Policies,
  serviceAccount: ServiceAccountRef,
): readonly RbacObject[] {
  const grants = new Grants();
  if (scope.helmReleases !== undefined) {
    const place = scope.helmReleases.namespace ?? clusterWide;
    grants.add(place, "", "configmaps", ["list"]);
    grants.add(place, "", "secrets", ["list"]);
  }
  const { clusterScoped, custom } = grantKinds(grants, scope, served, policies);
  // Events go where the drifted object is; those of cluster-scoped objects to "default", as client-go's.
  const eventPlaces: readonly Place[] =
    scope.namespaces.length === 0
      ? [clusterWide]
      : [...new Set(scope.namespaces), ...(clusterScoped ? ["default"] : [])];
  for (const place of eventPlaces) grants.add(place, "", "events", ["create", "patch"]);
  grants.add(serviceAccount.namespace, "coordination.k8s.io", "leases", ["get", "create", "update"]);
  if (custom) grants.add(clusterWide, "apiextensions.k8s.io", "customresourcedefinitions", ["list"]);
  return [
    ...(grants.has(clusterWide) ? roleObjects("ClusterRole", grants.rules(clusterWide), serviceAccount) : []),
    ...grants
      .namespaces()
      .flatMap((namespace) => roleObjects("Role", grants.rules(namespace), serviceAccount, namespace)),
  ];
}

/** Multi-document YAML, `---` between objects, keys in the order given: what `--emit-rbac` prints. */
export function renderManifests(objects: readonly object[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join("---\n");
}
