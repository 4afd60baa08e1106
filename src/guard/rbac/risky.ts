/**
 * Grants that widen who can change a managed object beyond the bindings that name it: a holder can
 * give itself or borrow more rights (escalate, bind, impersonate, a ServiceAccount's token, a pod
 * that runs as any ServiceAccount of the namespace), reach into running workloads or nodes, read
 * credentials, or switch admission off. The catalogue follows what rbac-police, KubiScan and
 * rbac-tool look for.
 */
import type { Grant, Subject } from "./bindings.js";
import { subjectKey } from "./bindings.js";
import type { PolicyRule } from "./rules.js";
import { wildcard } from "./rules.js";

export const Severities = ["critical", "high", "medium"] as const;
export type Severity = (typeof Severities)[number];

/** What a check looks for: these verbs on this resource (named explicitly: `*` is the wildcard checks'). */
interface RiskTarget {
  readonly group: string;
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Cluster-scoped: a RoleBinding cannot grant it. */
  readonly clusterScoped: boolean;
  /** `create` of a top-level object names none, so a rule listing resourceNames never allows it. */
  readonly unnamed?: boolean;
}

export interface RiskCheck {
  readonly id: string;
  readonly severity: Severity;
  /** One line: why the grant is risky. */
  readonly summary: string;
  readonly help: string;
  readonly targets: readonly RiskTarget[];
}

const rbacGroup = "rbac.authorization.k8s.io";
const writes = ["create", "update", "patch", "delete", "deletecollection"];

export const riskChecks: readonly RiskCheck[] = [
  {
    id: "rbac-escalate",
    severity: "critical",
    summary: "may escalate: write Roles and ClusterRoles granting rights it does not hold",
    help: "Remove `escalate` on roles/clusterroles; only the clusterrole-aggregation controller needs it.",
    targets: [
      { group: rbacGroup, resources: ["roles", "clusterroles"], verbs: ["escalate"], clusterScoped: false },
    ],
  },
  {
    id: "rbac-bind",
    severity: "critical",
    summary: "may bind any role, cluster-admin included, to anyone (itself too)",
    help: "Remove `bind` on roles/clusterroles, or limit it with resourceNames to the roles it hands out.",
    targets: [
      { group: rbacGroup, resources: ["roles", "clusterroles"], verbs: ["bind"], clusterScoped: false },
    ],
  },
  {
    id: "rbac-impersonate",
    severity: "critical",
    summary: "may impersonate users, groups or ServiceAccounts and act with their rights",
    help: "Remove `impersonate`, or limit it with resourceNames to the identities it must act as.",
    targets: [
      { group: "", resources: ["users", "groups", "uids"], verbs: ["impersonate"], clusterScoped: true },
      { group: "", resources: ["serviceaccounts"], verbs: ["impersonate"], clusterScoped: false },
      {
        group: "authentication.k8s.io",
        resources: ["userextras/*", "uids"],
        verbs: ["impersonate"],
        clusterScoped: true,
      },
    ],
  },
  {
    id: "rbac-create-workloads",
    severity: "high",
    summary:
      "may create pods or workloads, which run as any ServiceAccount of the namespace and hold its rights",
    help: "Let a deployer create workloads; give people read access and the deployer's pipeline for changes.",
    targets: [
      {
        group: "",
        resources: ["pods", "replicationcontrollers"],
        verbs: ["create"],
        clusterScoped: false,
        unnamed: true,
      },
      {
        group: "apps",
        resources: ["deployments", "daemonsets", "statefulsets", "replicasets"],
        verbs: ["create"],
        clusterScoped: false,
        unnamed: true,
      },
      {
        group: "batch",
        resources: ["jobs", "cronjobs"],
        verbs: ["create"],
        clusterScoped: false,
        unnamed: true,
      },
    ],
  },
  {
    id: "rbac-pods-exec",
    severity: "high",
    summary: "may run commands in, attach to or forward ports of running pods (their tokens and data)",
    help: "Remove pods/exec, pods/attach and pods/portforward outside break-glass roles.",
    targets: [
      {
        group: "",
        resources: ["pods/exec", "pods/attach", "pods/portforward"],
        verbs: ["create", "get"],
        clusterScoped: false,
      },
    ],
  },
  {
    id: "rbac-read-secrets",
    severity: "high",
    summary:
      "may read Secrets (ServiceAccount tokens and credentials among them); list and watch return every value",
    help: "Limit get on secrets with resourceNames; grant list and watch on secrets to controllers only.",
    targets: [{ group: "", resources: ["secrets"], verbs: ["get", "list", "watch"], clusterScoped: false }],
  },
  {
    id: "rbac-create-token",
    severity: "high",
    summary: "may mint tokens for ServiceAccounts (serviceaccounts/token) and act as them",
    help: "Remove create on serviceaccounts/token, or limit it with resourceNames.",
    targets: [{ group: "", resources: ["serviceaccounts/token"], verbs: ["create"], clusterScoped: false }],
  },
  {
    id: "rbac-approve-csr",
    severity: "critical",
    summary:
      "may approve certificate signing requests (with approve on a signer): client certificates for any user or group",
    help: "Keep certificatesigningrequests/approval and signers `approve` to the control plane's approvers.",
    targets: [
      {
        group: "certificates.k8s.io",
        resources: ["certificatesigningrequests/approval"],
        verbs: ["update", "patch"],
        clusterScoped: true,
      },
      { group: "certificates.k8s.io", resources: ["signers"], verbs: ["approve"], clusterScoped: true },
    ],
  },
  {
    id: "rbac-admission-control",
    severity: "critical",
    summary:
      "may change admission webhooks or policies, the guard's among them, and so switch off what blocks writes",
    help: "Keep write access to admissionregistration.k8s.io to the cluster's administrators and installers.",
    targets: [
      {
        group: "admissionregistration.k8s.io",
        resources: [
          "validatingwebhookconfigurations",
          "mutatingwebhookconfigurations",
          "validatingadmissionpolicies",
          "validatingadmissionpolicybindings",
          "mutatingadmissionpolicies",
          "mutatingadmissionpolicybindings",
        ],
        verbs: writes,
        clusterScoped: true,
      },
    ],
  },
  {
    id: "rbac-nodes-proxy",
    severity: "critical",
    summary: "may reach the kubelet API through nodes/proxy: exec in any pod of the node, unaudited",
    help: "Remove nodes/proxy; monitoring needs nodes/metrics or nodes/stats instead.",
    targets: [{ group: "", resources: ["nodes/proxy"], verbs: ["get", "create"], clusterScoped: true }],
  },
  {
    id: "rbac-wildcard-all",
    severity: "critical",
    summary: "every verb on every resource of every API group: cluster-admin",
    help: "Bind cluster-admin to a break-glass group only; give everyone else the rules they use.",
    targets: [],
  },
  {
    id: "rbac-wildcard-verbs",
    severity: "high",
    summary: "verbs `*`: every verb, escalate, bind and impersonate included, and those of future versions",
    help: "List the verbs the holder uses.",
    targets: [],
  },
  {
    id: "rbac-wildcard-resources",
    severity: "high",
    summary: "resources `*`: every resource of the groups, Secrets and subresources (exec, token) included",
    help: "List the resources the holder uses.",
    targets: [],
  },
  {
    id: "rbac-wildcard-api-groups",
    severity: "medium",
    summary: "apiGroups `*`: the resources named in every API group, those of CRDs installed later included",
    help: "List the API groups the holder uses.",
    targets: [],
  },
  {
    id: "rbac-system-masters",
    severity: "critical",
    summary: "bound to system:masters, the group no RBAC rule or webhook can restrict",
    help: "Do not bind system:masters: its members bypass authorization; use a group bound to cluster-admin.",
    targets: [],
  },
];

export interface RiskyGrant {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly subjects: readonly Subject[];
  readonly grant: Omit<Grant, "subject" | "rules">;
  /** The rule that grants it; none for a binding to system:masters. */
  readonly rule?: PolicyRule["origin"];
}

const includes = (values: readonly string[], value: string): boolean =>
  values.includes(wildcard) || values.includes(value);

function targetMatches(rule: PolicyRule, target: RiskTarget, namespaced: boolean): boolean {
  if (namespaced && target.clusterScoped) return false;
  if (target.unnamed === true && rule.resourceNames.length > 0) return false;
  return (
    includes(rule.apiGroups, target.group) &&
    target.verbs.some((verb) => includes(rule.verbs, verb)) &&
    target.resources.some((resource) => rule.resources.includes(resource))
  );
}

function wildcardIds(rule: PolicyRule): readonly string[] {
  const verbs = rule.verbs.includes(wildcard);
  const resources = rule.resources.includes(wildcard);
  const groups = rule.apiGroups.includes(wildcard);
  if (verbs && resources && groups) return ["rbac-wildcard-all"];
  return [
    ...(verbs ? ["rbac-wildcard-verbs"] : []),
    ...(resources ? ["rbac-wildcard-resources"] : []),
    ...(groups ? ["rbac-wildcard-api-groups"] : []),
  ];
}

/** The catalogue's ids a rule matches, wildcard ones first. */
export function riskyIdsOf(rule: PolicyRule, namespaced: boolean): readonly string[] {
  const named = riskChecks
    .filter((check) => check.targets.some((target) => targetMatches(rule, target, namespaced)))
    .map((check) => check.id);
  return [...wildcardIds(rule), ...named];
}

const checkById = new Map(riskChecks.map((check) => [check.id, check]));

export function riskCheck(id: string): RiskCheck {
  const check = checkById.get(id);
  if (check === undefined) throw new Error(`no risky-grant check ${id}`);
  return check;
}

function grantKey(grant: Grant): string {
  const { binding } = grant;
  return `${binding.kind}/${binding.namespace ?? ""}/${binding.name}`;
}

function riskyOf(id: string, grant: Grant, rule?: PolicyRule): RiskyGrant {
  const check = riskCheck(id);
  const { subject: _subject, rules: _rules, ...where } = grant;
  return {
    id,
    severity: check.severity,
    summary: check.summary,
    subjects: [grant.subject],
    grant: where,
    ...(rule === undefined ? {} : { rule: rule.origin }),
  };
}

function grantRisks(grant: Grant): readonly RiskyGrant[] {
  const masters =
    grant.subject.kind === "Group" && grant.subject.name === "system:masters"
      ? [riskyOf("rbac-system-masters", grant)]
      : [];
  const rules = grant.rules.flatMap((rule) =>
    riskyIdsOf(rule, grant.namespace !== undefined).map((id) => riskyOf(id, grant, rule)),
  );
  return [...masters, ...rules];
}

const severityRank = (severity: Severity): number => Severities.indexOf(severity);

/**
 * The risky grants, one per (check, binding, rule) with the binding's subjects that hold it, most
 * severe first.
 */
export function riskyGrants(grants: readonly Grant[]): readonly RiskyGrant[] {
  const merged = new Map<string, RiskyGrant>();
  for (const grant of grants)
    for (const risky of grantRisks(grant)) {
      const key = `${risky.id}\u0000${grantKey(grant)}\u0000${JSON.stringify(risky.rule ?? null)}`;
      const known = merged.get(key);
      const subjects = known === undefined ? [] : known.subjects;
      if (subjects.some((subject) => subjectKey(subject) === subjectKey(grant.subject))) continue;
      merged.set(key, { ...risky, subjects: [...subjects, ...risky.subjects] });
    }
  return [...merged.values()].sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}
