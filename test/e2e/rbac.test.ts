/**
 * Issue 15, `kubedrift rbac` against the sandbox as a process, seeded as a team's cluster is: the
 * bootstrap cluster-admin (system:masters) and aggregated admin/edit/view, a team Role bound to a
 * user and a group, a CI ServiceAccount with edit through a RoleBinding (the guard's deployer), a
 * wildcard ClusterRole bound to a group, an impersonator, a cluster-admin user, a scaler limited
 * by resourceNames, and bindings that must not count (view, another object's name, another
 * namespace). The report lists exactly who can write each managed object, the risky grants, what
 * the guard blocks, and exits 2; `kubectl auth can-i --as` agrees with every verdict, for every
 * subject and every write, the negative ones included.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapLimit } from "../../src/inspect/concurrency.js";
import { sarifSchemaErrors } from "../../src/report/sarif-schema.test-helper.js";
import type { SandboxConnection } from "../support/kubectl.js";
import { kubectlOk, runKubectl, scratchDirectory, writeManifest } from "../support/kubectl.js";
import { runKubedrift } from "../support/kubedrift.js";
import { useKubedriftProcesses } from "../support/kubedrift-process.js";
import { webDeployment } from "../support/watch.js";

const scratch = scratchDirectory();
const processes = useKubedriftProcesses();
afterAll(() => scratch.remove());

const namespace = "shop";

const managed = `${webDeployment(namespace)}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: ${namespace}
data:
  mode: blue
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: ${namespace}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

const guardConfig = `apiVersion: kubedrift.dev/v1
kind: Config
guard:
  default: warn
  allow:
    serviceAccounts: [${namespace}/ci-deployer]
  rules:
    - kinds: [apps/Deployment]
      action: deny
`;

const rbacApi = "rbac.authorization.k8s.io/v1";

/** What a team's cluster holds besides the bootstrap policy. */
const seed = `apiVersion: v1
kind: Namespace
metadata: {name: billing}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ci-deployer, namespace: ${namespace}}
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: ci-deploy, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: ci-deployer, namespace: ${namespace}}]
---
apiVersion: ${rbacApi}
kind: Role
metadata: {name: shop-team, namespace: ${namespace}}
rules:
  - {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch, update, patch]}
  - {apiGroups: [""], resources: [configmaps], verbs: [get, list, update, patch, delete]}
  - {apiGroups: [""], resources: [services], verbs: [get, list]}
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: shop-team, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: shop-team}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: team-shop}
  - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: bob-admin, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}]
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: carol-view, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}]
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: dave-edit, namespace: billing}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dave}]
---
apiVersion: ${rbacApi}
kind: Role
metadata: {name: web-scaler, namespace: ${namespace}}
rules:
  - {apiGroups: [apps], resources: [deployments/scale], resourceNames: [web], verbs: [get, update, patch]}
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: web-scaler, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web-scaler}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: scaler}]
---
apiVersion: ${rbacApi}
kind: Role
metadata: {name: other-config, namespace: ${namespace}}
rules:
  - {apiGroups: [""], resources: [configmaps], resourceNames: [other], verbs: [update, patch, delete]}
---
apiVersion: ${rbacApi}
kind: RoleBinding
metadata: {name: other-config, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: other-config}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: eve}]
---
apiVersion: ${rbacApi}
kind: ClusterRole
metadata: {name: platform-apps}
rules:
  - {apiGroups: [apps], resources: ["*"], verbs: ["*"]}
---
apiVersion: ${rbacApi}
kind: ClusterRoleBinding
metadata: {name: platform-apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: platform-apps}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: platform}]
---
apiVersion: ${rbacApi}
kind: ClusterRole
metadata: {name: impersonator}
rules:
  - {apiGroups: [""], resources: [users, groups, serviceaccounts], verbs: [impersonate]}
---
apiVersion: ${rbacApi}
kind: ClusterRoleBinding
metadata: {name: impersonator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonator}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: mallory}]
---
apiVersion: ${rbacApi}
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ops-admin}]
`;

interface Write {
  readonly verb: string;
  readonly subresource?: string;
  readonly guard: string;
}

interface ReportSubject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly allowed: boolean;
  readonly unblocked: boolean;
  readonly writes: readonly Write[];
}

interface ReportObject {
  readonly kind: string;
  readonly name: string;
  readonly subjects: readonly ReportSubject[];
}

interface RiskyGrantJson {
  readonly id: string;
  readonly severity: string;
  readonly subjects: readonly { readonly kind: string; readonly name: string; readonly namespace?: string }[];
  readonly binding: { readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly rule?: { readonly role: string; readonly index: number };
}

interface RbacReportJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly summary: Record<string, number>;
  readonly objects: readonly ReportObject[];
  readonly riskyGrants: readonly RiskyGrantJson[];
}

function subjectName(subject: {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}): string {
  return subject.kind === "ServiceAccount"
    ? `ServiceAccount ${subject.namespace ?? ""}/${subject.name}`
    : `${subject.kind} ${subject.name}`;
}

function writeName(write: Omit<Write, "guard">): string {
  return write.subresource === undefined ? write.verb : `${write.verb} ${write.subresource}`;
}

/** `Subject: verb=verdict, …` for each subject of the object. */
function writersOf(report: RbacReportJson, kind: string): readonly string[] {
  const object = report.objects.find((candidate) => candidate.kind === kind);
  return (object?.subjects ?? []).map(
    (subject) =>
      `${subjectName(subject)}: ${subject.writes.map((write) => `${writeName(write)}=${write.guard}`).join(", ")}`,
  );
}

const allWrites = "update, patch, delete, deletecollection";
const scaleWrites = "update scale, patch scale";

function verdicts(writes: string, verdict: string): string {
  return writes
    .split(", ")
    .map((write) => `${write}=${verdict}`)
    .join(", ");
}

let sandbox: SandboxConnection;
let directory: string;

beforeAll(async () => {
  directory = join(scratch.path, "rbac");
  mkdirSync(join(directory, "deploy"), { recursive: true });
  const tokenFile = writeManifest(
    directory,
    "tokens.csv",
    `alice-token-0123456789abcdef,alice,u-alice,"team-shop"\n`,
  );
  sandbox = await processes.startSandbox(directory, ["--token-auth-file", tokenFile]);
  writeManifest(join(directory, "deploy"), "web.yaml", managed);
  writeManifest(directory, "kubedrift.yaml", guardConfig);
  writeManifest(directory, "seed.yaml", seed);
  await kubectlOk(sandbox, ["create", "namespace", namespace]);
  await kubectlOk(sandbox, ["apply", "-f", join(directory, "deploy")]);
  await kubectlOk(sandbox, ["apply", "-f", join(directory, "seed.yaml")]);
}, 120_000);

async function rbacReport(): Promise<{ readonly code: number; readonly report: RbacReportJson }> {
  const result = await runKubedrift(
    ["rbac", "-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath, "-o", "json"],
    {
      cwd: directory,
    },
  );
  expect(result.stderr).toBe("");
  return { code: result.code, report: JSON.parse(result.stdout) as RbacReportJson };
}

/** Who `kubectl auth can-i --as` is asked as: a group is probed by a user with only that group. */
function impersonation(subject: string): readonly string[] {
  const [kind, name = ""] = subject.split(" ");
  if (kind === "Group") return ["--as", "rbac-probe", "--as-group", name];
  if (kind === "ServiceAccount") return ["--as", `system:serviceaccount:${name.replace("/", ":")}`];
  return ["--as", name];
}

const resources: Readonly<Record<string, string>> = {
  Deployment: "deployments",
  ConfigMap: "configmaps",
  Service: "services",
};

/** kubectl auth can-i's answer for one write (exit 0 "yes", 1 "no"). */
async function canI(subject: string, kind: string, name: string, write: string): Promise<boolean> {
  const [verb = "", subresource] = write.split(" ");
  const resource = resources[kind] ?? "";
  const target = verb === "deletecollection" ? [resource] : [`${resource}/${name}`];
  const args = [
    "auth",
    "can-i",
    verb,
    ...target,
    ...(subresource === undefined ? [] : [`--subresource=${subresource}`]),
    "-n",
    namespace,
    ...impersonation(subject),
  ];
  const result = await runKubectl(sandbox, args);
  if (result.code > 1 || !["yes", "no"].includes(result.stdout.trim()))
    throw new Error(`kubectl ${args.join(" ")}: ${result.code} ${result.stdout} ${result.stderr}`);
  return result.stdout.trim() === "yes";
}

describe("kubedrift rbac", () => {
  it("lists exactly who can write each managed object, and what the guard blocks, and exits 2", async () => {
    const { code, report } = await rbacReport();
    expect(code).toBe(2);
    expect(report.apiVersion).toBe("kubedrift.dev/v1");
    expect(report.kind).toBe("RbacReport");
    const everything = `${allWrites}, ${scaleWrites}`;
    expect(writersOf(report, "Deployment")).toEqual([
      `User alice: ${verdicts("update, patch", "blocked")}`,
      `User bob: ${verdicts(everything, "blocked")}`,
      `User ops-admin: ${verdicts(everything, "blocked")}`,
      `User scaler: ${verdicts(scaleWrites, "blocked")}`,
      `Group platform: ${verdicts(everything, "blocked")}`,
      `Group system:masters: ${verdicts(everything, "blocked")}`,
      `Group team-shop: ${verdicts("update, patch", "blocked")}`,
      `ServiceAccount shop/ci-deployer: ${verdicts(everything, "deployer")}`,
    ]);
    expect(writersOf(report, "ConfigMap")).toEqual([
      `User alice: ${verdicts("update, patch, delete", "warn")}`,
      `User bob: ${verdicts(allWrites, "warn")}`,
      `User ops-admin: ${verdicts(allWrites, "warn")}`,
      `Group system:masters: ${verdicts(allWrites, "warn")}`,
      `Group team-shop: ${verdicts("update, patch, delete", "warn")}`,
      `ServiceAccount shop/ci-deployer: ${verdicts(allWrites, "deployer")}`,
    ]);
    expect(writersOf(report, "Service")).toEqual([
      `User bob: ${verdicts(allWrites, "warn")}`,
      `User ops-admin: ${verdicts(allWrites, "warn")}`,
      `Group system:masters: ${verdicts(allWrites, "warn")}`,
      `ServiceAccount shop/ci-deployer: ${verdicts(allWrites, "deployer")}`,
    ]);
    const unblocked = report.objects.map((object) =>
      object.subjects.filter((subject) => subject.unblocked).map(subjectName),
    );
    expect(unblocked).toEqual([
      [],
      ["User alice", "User bob", "User ops-admin", "Group system:masters", "Group team-shop"],
      ["User bob", "User ops-admin", "Group system:masters"],
    ]);
  });

  it("names the risky grants where the managed objects are, and not those elsewhere", async () => {
    const { report } = await rbacReport();
    const found = report.riskyGrants.map(
      (risky) =>
        `${risky.severity} ${risky.id} ${risky.binding.kind} ${risky.binding.namespace === undefined ? "" : `${risky.binding.namespace}/`}${risky.binding.name}${risky.rule === undefined ? "" : ` ${risky.rule.role}#${risky.rule.index}`}: ${risky.subjects.map(subjectName).join(", ")}`,
    );
    const editBindings = ["RoleBinding shop/ci-deploy", "RoleBinding shop/bob-admin"];
    const editHolders = {
      "RoleBinding shop/ci-deploy": "ServiceAccount shop/ci-deployer",
      "RoleBinding shop/bob-admin": "User bob",
    };
    const throughEdit = (severity: string, id: string, index: number): readonly string[] =>
      editBindings.map(
        (binding) =>
          `${severity} ${id} ${binding} system:aggregate-to-edit#${index}: ${editHolders[binding as keyof typeof editHolders]}`,
      );
    expect([...found].sort()).toEqual(
      [
        "critical rbac-system-masters ClusterRoleBinding cluster-admin: Group system:masters",
        "critical rbac-wildcard-all ClusterRoleBinding cluster-admin cluster-admin#0: Group system:masters",
        "critical rbac-wildcard-all ClusterRoleBinding ops-admin cluster-admin#0: User ops-admin",
        "critical rbac-escalate ClusterRoleBinding system:controller:clusterrole-aggregation-controller system:controller:clusterrole-aggregation-controller#0: ServiceAccount kube-system/clusterrole-aggregation-controller",
        "critical rbac-impersonate ClusterRoleBinding impersonator impersonator#0: User mallory",
        ...throughEdit("critical", "rbac-impersonate", 0),
        "high rbac-wildcard-verbs ClusterRoleBinding platform-apps platform-apps#0: Group platform",
        "high rbac-wildcard-resources ClusterRoleBinding platform-apps platform-apps#0: Group platform",
        ...throughEdit("high", "rbac-create-workloads", 1),
        ...throughEdit("high", "rbac-read-secrets", 3),
        ...throughEdit("high", "rbac-create-token", 4),
        ...throughEdit("high", "rbac-create-workloads", 5),
        ...throughEdit("high", "rbac-create-workloads", 7),
      ].sort(),
    );
    // dave's edit is in billing, where nothing is managed.
    expect(found.join("\n")).not.toContain("dave");
  });

  it("agrees with kubectl auth can-i --as on every write of every subject, the refused ones included", async () => {
    const { report } = await rbacReport();
    const candidates = [
      "User alice",
      "User bob",
      "User carol",
      "User dave",
      "User eve",
      "User mallory",
      "User ops-admin",
      "User scaler",
      "User nobody",
      "Group platform",
      "Group system:masters",
      "Group team-shop",
      "ServiceAccount shop/ci-deployer",
      "ServiceAccount shop/default",
    ];
    const writes = [...allWrites.split(", "), ...scaleWrites.split(", ")];
    const cases = report.objects.flatMap((object) =>
      candidates.flatMap((subject) =>
        writes
          .filter((write) => object.kind === "Deployment" || !write.endsWith(" scale"))
          .map((write) => {
            const holder = object.subjects.find((candidate) => subjectName(candidate) === subject);
            const reported = holder?.writes.some((candidate) => writeName(candidate) === write) ?? false;
            return { subject, kind: object.kind, name: object.name, write, reported };
          }),
      ),
    );
    const answers = await mapLimit(cases, 4, (check) =>
      canI(check.subject, check.kind, check.name, check.write),
    );
    const disagreements = cases
      .filter((check, index) => answers[index] !== check.reported)
      .map(
        (check) => `${check.subject} ${check.write} ${check.kind}/${check.name}: report ${check.reported}`,
      );
    expect(disagreements).toEqual([]);
    expect(cases.length).toBe(14 * (6 + 4 + 4));
    expect(cases.filter((check) => check.reported).length).toBe(74);
  }, 240_000);

  it("prints a table per object and valid SARIF with a rule per risky-grant id and one for unblocked writes", async () => {
    const text = await runKubedrift(["rbac", "-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath], {
      cwd: directory,
    });
    expect(text.code).toBe(2);
    expect(text.stdout).toContain("Deployment shop/web (deploy/web.yaml:1)");
    expect(text.stdout).toMatch(
      /alice +User +update, patch +RoleBinding shop\/shop-team → Role shop-team \(rule 0\) +blocked\n/,
    );
    expect(text.stdout).toMatch(
      /shop\/ci-deployer +ServiceAccount +update, patch, delete, deletecollection, scale +RoleBinding shop\/ci-deploy → ClusterRole edit \(rule 5 of system:aggregate-to-edit\) +passes \(allowed identity\)\n/,
    );
    const sarif = await runKubedrift(
      ["rbac", "-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath, "-o", "sarif"],
      {
        cwd: directory,
      },
    );
    expect(sarif.code).toBe(2);
    const log = JSON.parse(sarif.stdout) as {
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: { ruleId: string; message: { text: string } }[];
      }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    const run = log.runs[0];
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toContain("rbac-unblocked-mutation");
    const unblocked = run?.results.filter((result) => result.ruleId === "rbac-unblocked-mutation") ?? [];
    expect(unblocked.length).toBe(8);
  });

  it("--emit-role prints the least Role for the managed objects, which the sandbox accepts", async () => {
    const result = await runKubedrift(
      ["rbac", "-f", "deploy", "--kubeconfig", sandbox.kubeconfigPath, "--emit-role"],
      {
        cwd: directory,
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("# create, list and watch cannot be limited to names");
    expect(result.stdout).toContain(`kind: Role
metadata:
  name: kubedrift-deployer
  namespace: shop`);
    expect(result.stdout).toContain(`  - apiGroups:
      - apps
    resources:
      - deployments
    verbs:
      - get
      - update
      - patch
      - delete
    resourceNames:
      - web`);
    await kubectlOk(sandbox, ["apply", "-f", "-"], { input: result.stdout });
    await kubectlOk(sandbox, [
      "create",
      "rolebinding",
      "kubedrift-deployer",
      "--role=kubedrift-deployer",
      "--user=deployer",
      "-n",
      namespace,
    ]);
    const can = (args: readonly string[]): Promise<boolean> =>
      runKubectl(sandbox, ["auth", "can-i", ...args, "-n", namespace, "--as", "deployer"]).then(
        (answer) => answer.stdout.trim() === "yes",
      );
    expect(await can(["patch", "deployments/web"])).toBe(true);
    expect(await can(["delete", "services/web"])).toBe(true);
    expect(await can(["patch", "deployments/other"])).toBe(false);
    expect(await can(["get", "secrets"])).toBe(false);
  });

  it("fails with one line when there are no sources", async () => {
    const result = await runKubedrift(["rbac", "--kubeconfig", sandbox.kubeconfigPath], { cwd: directory });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: rbac: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME\n",
    );
  });
});
