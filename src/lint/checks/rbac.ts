/**
 * Risky grants in the Roles, ClusterRoles and bindings of the set (Polaris's *PodExecAttach and
 * *ClusterAdmin checks, kube-linter's wildcard-in-rules, access-to-secrets, cluster-admin-role-binding).
 * What a subject can do across the cluster's roles is `kubedrift rbac`'s question (src/guard); these
 * look at one manifest at a time.
 */
import type { JsonObject, JsonValue } from "../../kube/value/json.js";
import { textOf } from "../../kube/value/json.js";
import type { DesiredObject } from "../../model/index.js";
import type { Check, CheckResult, LintContext } from "../types.js";
import { finding, kindCheck } from "./define.js";
import { listOf, objectOf, ofKindIn, pointerJoin } from "./support.js";

const roleKinds = ["rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole"];
const bindingKinds = [
  "rbac.authorization.k8s.io/RoleBinding",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
];

interface Rule {
  readonly rule: JsonObject;
  readonly pointer: string;
}

function rulesOf(role: DesiredObject): readonly Rule[] {
  return listOf(role.object["rules"]).map((rule, index) => ({
    rule: objectOf(rule),
    pointer: `/rules/${index}`,
  }));
}

function strings(value: JsonValue | undefined): readonly string[] {
  return listOf(value).filter((item): item is string => typeof item === "string");
}

/** Whether a rule grants one of `verbs` on one of `resources` of the core group ("*" grants all). */
function grants(rule: JsonObject, resources: readonly string[], verbs: readonly string[]): boolean {
  const groups = strings(rule["apiGroups"]);
  const ruleResources = strings(rule["resources"]);
  const ruleVerbs = strings(rule["verbs"]);
  return (
    (groups.includes("") || groups.includes("*")) &&
    (ruleResources.includes("*") || resources.some((resource) => ruleResources.includes(resource))) &&
    (ruleVerbs.includes("*") || verbs.some((verb) => ruleVerbs.includes(verb)))
  );
}

function ruleCheck(
  info: Omit<Check, "run">,
  test: (rule: Rule, role: DesiredObject) => readonly CheckResult[],
): Check {
  return kindCheck(info, roleKinds, (role) => rulesOf(role).flatMap((rule) => test(rule, role)));
}

const wildcard = ruleCheck(
  {
    id: "rbac-wildcard",
    severity: "warning",
    category: "rbac",
    summary:
      "Role rules name their verbs and resources: a wildcard also grants whatever a later version or CRD adds.",
    hint: "Replace '*' with the verbs and resources the subject needs.",
  },
  ({ rule, pointer }) =>
    (["verbs", "resources"] as const).flatMap((field) =>
      finding(strings(rule[field]).includes("*"), pointerJoin(pointer, field), `rule grants '*' ${field}`),
    ),
);

/** escalate and bind let a subject grant more than it holds; impersonate lets it act as anyone. */
const escalationVerbs = ["escalate", "bind", "impersonate"];

const escalation = ruleCheck(
  {
    id: "rbac-escalation-verbs",
    severity: "error",
    category: "rbac",
    summary:
      "Roles do not grant escalate, bind or impersonate: each lets the holder exceed its own permissions.",
    hint: "Remove the verb; grant the needed roles to the subject directly.",
  },
  ({ rule, pointer }) => {
    const verbs = strings(rule["verbs"]).filter((verb) => escalationVerbs.includes(verb));
    return finding(verbs.length > 0, pointerJoin(pointer, "verbs"), `rule grants ${verbs.join(", ")}`);
  },
);

const secretsAccess = ruleCheck(
  {
    id: "rbac-secrets-access",
    severity: "warning",
    category: "rbac",
    summary:
      "Roles do not read Secrets broadly: get, list or watch on secrets discloses every credential in scope.",
    hint: "Drop the grant, or restrict it with resourceNames to the Secrets the subject needs.",
  },
  ({ rule, pointer }) =>
    finding(
      grants(rule, ["secrets"], ["get", "list", "watch"]) && strings(rule["resourceNames"]).length === 0,
      pointer,
      `rule grants ${strings(rule["verbs"]).join(", ")} on secrets`,
    ),
);

const execResources = ["pods/exec", "pods/attach"];
// Since Kubernetes 1.31 a WebSocket exec is a GET that also needs create; Polaris checks both.
const execVerbs = ["create", "get"];

const podExec = ruleCheck(
  {
    id: "rbac-pod-exec",
    severity: "warning",
    category: "rbac",
    summary:
      "Roles do not grant pods/exec or pods/attach: a shell in a pod carries its ServiceAccount and secrets.",
    hint: "Remove pods/exec and pods/attach from the rule; use logs or ephemeral debug access instead.",
  },
  ({ rule, pointer }) =>
    finding(
      grants(rule, execResources, execVerbs),
      pointerJoin(pointer, "resources"),
      "rule grants exec or attach into pods",
    ),
);

function roleRefOf(binding: DesiredObject): JsonObject {
  return objectOf(binding.object["roleRef"]);
}

const clusterAdmin = kindCheck(
  {
    id: "rbac-cluster-admin-binding",
    severity: "error",
    category: "rbac",
    summary:
      "No binding grants cluster-admin: it is every permission on every object, for whoever the subjects are.",
    hint: "Bind a role with the permissions the subjects need instead.",
  },
  bindingKinds,
  (binding) =>
    finding(
      roleRefOf(binding)["name"] === "cluster-admin",
      "/roleRef/name",
      `${binding.ref.kind} "${binding.ref.name}" grants ${textOf(roleRefOf(binding)["kind"])} cluster-admin`,
    ),
);

/** The role a binding refers to, when the set has it (a RoleBinding may refer to a ClusterRole). */
function boundRole(binding: DesiredObject, context: LintContext): DesiredObject | undefined {
  const { kind, name } = roleRefOf(binding);
  const namespace = kind === "Role" ? binding.ref.namespace : "";
  return ofKindIn(context, { group: "rbac.authorization.k8s.io", kind: textOf(kind) }, namespace).find(
    (role) => role.ref.name === name,
  );
}

const bindingExec = kindCheck(
  {
    id: "rbac-binding-pod-exec",
    severity: "warning",
    category: "rbac",
    summary: "No binding hands out a role of the set that grants pods/exec or pods/attach.",
    hint: "Bind a role without exec and attach, or narrow the subjects.",
  },
  bindingKinds,
  (binding, context) => {
    const role = boundRole(binding, context);
    const execs =
      role !== undefined && rulesOf(role).some(({ rule }) => grants(rule, execResources, execVerbs));
    return finding(
      execs,
      "/roleRef",
      `${binding.ref.kind} "${binding.ref.name}" grants ${role?.ref.kind ?? ""} "${role?.ref.name ?? ""}", which allows exec into pods`,
    );
  },
);

export const rbacChecks: readonly Check[] = [
  wildcard,
  escalation,
  secretsAccess,
  podExec,
  clusterAdmin,
  bindingExec,
];
