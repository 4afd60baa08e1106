/**
 * `kubedrift rbac`: who can change what Git manages, and whether the guard stops them (issue 15).
 * Reads the sources and connects as `guard` does, lists the cluster's Roles, ClusterRoles and
 * bindings, and hands both to src/guard/rbac.
 */
import { Option, type Command } from "commander";
import type { DeclaredTarget } from "../inspect/index.js";
import type { ManagedTarget } from "../guard/rbac/access.js";
import type { RbacAnalysis } from "../guard/rbac/analyze.js";
import type { RbacObjects } from "../guard/rbac/bindings.js";
import type { KubeObject } from "../kube/value/json.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { CliError, rethrowAsCliError } from "./errors.js";
import { inspectionIO } from "./plan.js";
import { kubedriftVersion } from "./version.js";

const formats = ["text", "json", "sarif"] as const;
type RbacFormat = (typeof formats)[number];

interface RbacFlags extends Omit<DiffFlags, "output"> {
  readonly output: RbacFormat;
  readonly emitRole?: boolean;
}

async function loadDeclared(flags: RbacFlags): Promise<DeclaredTarget> {
  const { hasSources, inspectDeclared } = await import("../inspect/index.js");
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  if (!hasSources(options))
    throw new CliError(
      "rbac: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME",
    );
  return inspectDeclared(options, inspectionIO({ ...flags, output: "text" })).catch(rethrowAsCliError);
}

/** Each desired object with its kind's plural from discovery; a kind the cluster does not serve cannot be written. */
function managedTargets(declared: DeclaredTarget): readonly ManagedTarget[] {
  return declared.desired.flatMap((desired): readonly ManagedTarget[] => {
    const served = declared.served.get(`${desired.ref.group}/${desired.ref.kind}`);
    if (served === undefined) return [];
    return [
      { ref: desired.ref, source: desired.source, resource: served.resource, namespaced: served.namespaced },
    ];
  });
}

const rbacGroup = "rbac.authorization.k8s.io";

async function listKind(declared: DeclaredTarget, kind: string): Promise<readonly KubeObject[]> {
  const served = declared.served.get(`${rbacGroup}/${kind}`);
  if (served === undefined) return [];
  const listed = await declared.cluster.list(served, undefined).catch(rethrowAsCliError);
  return listed.map((live) => live.object);
}

async function listRbac(declared: DeclaredTarget): Promise<RbacObjects> {
  const kinds = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
  if (!kinds.some((kind) => declared.served.has(`${rbacGroup}/${kind}`)))
    throw new CliError(`rbac: ${declared.cluster.name} serves no ${rbacGroup} kinds: nothing to analyse`);
  const [roles, clusterRoles, roleBindings, clusterRoleBindings] = await Promise.all(
    kinds.map((kind) => listKind(declared, kind)),
  );
  return {
    roles: roles ?? [],
    clusterRoles: clusterRoles ?? [],
    roleBindings: roleBindings ?? [],
    clusterRoleBindings: clusterRoleBindings ?? [],
  };
}

async function emitRole(targets: readonly ManagedTarget[]): Promise<string> {
  const { deployerRoles, deployerRoleNotes } = await import("../guard/rbac/emit-role.js");
  const { stringify } = await import("yaml");
  const notes = deployerRoleNotes.map((note) => `# ${note}\n`).join("");
  return (
    notes +
    deployerRoles(targets)
      .map((role) => `---\n${stringify(role)}`)
      .join("")
  );
}

async function render(flags: RbacFlags, declared: DeclaredTarget, rbac: RbacObjects): Promise<number> {
  const { analyzeRbac, hasUnblockedOutsider } = await import("../guard/rbac/analyze.js");
  const analysis = analyzeRbac(managedTargets(declared), rbac, declared.config.guard);
  process.stdout.write(await rendered(flags.output, analysis, declared.cluster.name));
  return hasUnblockedOutsider(analysis) ? 2 : 0;
}

async function rendered(format: RbacFormat, analysis: RbacAnalysis, cluster: string): Promise<string> {
  if (format === "json") {
    const { rbacDocument } = await import("../guard/rbac/document.js");
    const document = rbacDocument(analysis, { generatedAt: new Date().toISOString(), cluster });
    return `${JSON.stringify(document, null, 2)}\n`;
  }
  if (format === "sarif") {
    const { rbacSarifEntries, rbacSarifRules } = await import("../guard/rbac/sarif.js");
    const { checkSarif } = await import("../report/sarif-log.js");
    const log = checkSarif(rbacSarifRules, rbacSarifEntries(analysis), {
      cwd: process.cwd(),
      toolVersion: kubedriftVersion,
      fingerprintKey: "kubedriftRbac/v1",
    });
    return `${JSON.stringify(log, null, 2)}\n`;
  }
  const { renderRbacText } = await import("../guard/rbac/text.js");
  return renderRbacText(analysis);
}

async function runRbac(flags: RbacFlags): Promise<number> {
  const declared = await loadDeclared(flags);
  if (flags.emitRole === true) {
    process.stdout.write(await emitRole(managedTargets(declared)));
    return 0;
  }
  return render(flags, declared, await listRbac(declared));
}

export function registerRbac(program: Command): void {
  withDiffOptions(program.command("rbac"))
    .description(
      "Show who can update, patch, delete or scale each object Git manages, through which binding and rule, and whether the guard blocks them",
    )
    .addOption(new Option("-o, --output <format>", "report format").choices(formats).default("text"))
    .option(
      "--emit-role",
      "print the least Role (per namespace) and ClusterRole a deployer needs for the managed objects, and exit",
    )
    .addHelpText(
      "after",
      `
Reads the cluster's Roles, ClusterRoles (aggregation resolved), RoleBindings and ClusterRoleBindings.
For each managed object it lists the users, groups and service accounts that can update, patch,
delete (also by deletecollection) or scale it, and what the guard: section of kubedrift.yaml does to
such a write when it makes the object drift: blocked (a deny rule; the break-glass annotation
still lets a write through, logged), passes (guard.allow), or not blocked (warn, audit, no guard). It also flags risky grants where the objects are: wildcards,
escalate, bind, impersonate, creating pods or workloads, pods/exec, reading Secrets, creating
tokens, approving CSRs, writing admission webhooks or policies, nodes/proxy, system:masters.

Exit status: 0 nothing writable unblocked by others, 2 a subject outside guard.allow can change a
managed object and admission does not block it, 1 error.

Examples:
  kubedrift rbac -f deploy/                       # a table per object, then the risky grants
  kubedrift rbac -f deploy/ -o json               # the RbacReport document
  kubedrift rbac -f deploy/ -o sarif > rbac.sarif # for code-scanning views
  kubedrift rbac -f deploy/ --emit-role | kubectl apply -f -`,
    )
    .action(async (flags: RbacFlags) => {
      process.exitCode = await runRbac(flags).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        rethrowAsCliError(error);
      });
    });
}
