/**
 * `kubedrift lint`: the desired objects checked before they ship (issue 15) — schema validation,
 * best practices, drift-specific and custom checks — from the sources alone (CRDs among them give
 * their kinds' schemas); `--live` runs the same checks on the live objects in the sources' scope,
 * with the cluster's CRDs. Exit 2 on findings at or above `--fail-on`.
 */
import { Option, type Command } from "commander";
import type { Schema } from "../kube/schema/types.js";
import type { GuardConfig } from "../engine/index.js";
import type { Check, LintConfig, LintReport, Severity } from "../lint/index.js";
import type { DesiredObject } from "../model/index.js";
import { diffOptionsFromFlags, withDiffOptions, type DiffFlags } from "./diff.js";
import { CliError, rethrowAsCliError } from "./errors.js";
import { inspectionIO, severalContexts } from "./plan.js";
import { LintFormats, lintExitStatus, renderLint, type LintFormat } from "./lint-render.js";
import { oneContext, wantsColor, withAllContextsFlag } from "./terminal.js";

interface LintFlags extends Omit<DiffFlags, "output"> {
  readonly output: LintFormat;
  readonly failOn: Severity;
  readonly live?: boolean;
  readonly kubernetesVersion?: string;
  readonly showSuppressed?: boolean;
  readonly listChecks?: boolean;
}

interface Linted {
  readonly objects: readonly DesiredObject[];
  readonly schema: Schema;
}

function isCRD(object: DesiredObject): boolean {
  return object.ref.group === "apiextensions.k8s.io" && object.ref.kind === "CustomResourceDefinition";
}

/**
 * The kinds' schemas: the built-in tables, and the cluster's CRDs when a cluster is named
 * (`--kubeconfig` or `--context`); the sources' own CRDs are added on top by the caller.
 */
async function baseSchema(flags: LintFlags): Promise<Schema> {
  const { builtinSchema } = await import("../kube/schema/builtin.js");
  if (flags.kubeconfig === undefined && flags.context === undefined) return builtinSchema;
  const { connectCluster } = await import("../cluster/index.js");
  const path = await import("node:path");
  const context = oneContext(flags.context);
  try {
    return await connectCluster({
      ...(flags.kubeconfig === undefined ? {} : { kubeconfig: path.resolve(flags.kubeconfig) }),
      ...(context === undefined ? {} : { context }),
    }).schema();
  } catch (error: unknown) {
    return rethrowAsCliError(error);
  }
}

/**
 * The sources; no cluster is asked for anything unless one is named for its CRDs (a Helm
 * release in the cluster needs --live).
 */
async function fromSources(flags: LintFlags): Promise<Linted> {
  const { hasSources, loadDesiredState } = await import("../inspect/index.js");
  const { withCRDs } = await import("../kube/schema/crd.js");
  const options = diffOptionsFromFlags({ ...flags, output: "text" });
  if (!hasSources(options))
    throw new CliError("lint: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-chart DIR");
  const state = await loadDesiredState(
    options,
    {
      cwd: process.cwd(),
      stdin: process.stdin,
      namespace: () => Promise.resolve(flags.namespace ?? "default"),
    },
    () => Promise.reject(new CliError("lint: --helm-release reads the cluster: add --live")),
  ).catch(rethrowAsCliError);
  for (const note of state.notes) process.stderr.write(`note: ${note}\n`);
  const crds = state.objects.filter(isCRD).map((object) => object.object);
  return { objects: state.objects, schema: withCRDs(await baseSchema(flags), crds) };
}

/** The live objects in the sources' scope, and the cluster's schema (its CRDs included). */
async function fromCluster(flags: LintFlags): Promise<Linted> {
  const { inspectDrift } = await import("../inspect/index.js");
  const inspection = await inspectDrift(
    diffOptionsFromFlags({ ...flags, output: "text" }),
    inspectionIO({ ...flags, output: "text" }),
  ).catch(rethrowAsCliError);
  const where = `cluster:${inspection.cluster.name}`;
  return {
    objects: inspection.live.map((live) => ({ ...live, source: { file: where, line: 0 } })),
    schema: inspection.schema,
  };
}

interface Configured {
  readonly lint: LintConfig;
  readonly guard?: GuardConfig;
}

async function configOf(flags: LintFlags): Promise<Configured> {
  const { loadEngineConfig, readConfigText } = await import("../inspect/index.js");
  const { emptyLintConfig, LintConfigError, parseLintConfig } = await import("../lint/index.js");
  try {
    // The engine's part is checked as every command checks it; the lint section is read here.
    const { guard } = loadEngineConfig(flags.config, process.cwd());
    const read = readConfigText(flags.config, process.cwd());
    const lint = read === undefined ? emptyLintConfig : parseLintConfig(read.text, read.file);
    return guard === undefined ? { lint } : { lint, guard };
  } catch (error: unknown) {
    if (error instanceof LintConfigError) throw new CliError(error.message, 1, { cause: error });
    return rethrowAsCliError(error);
  }
}

function kubernetesVersionOf(flags: LintFlags, config: LintConfig): string {
  const version = flags.kubernetesVersion ?? config.kubernetesVersion ?? "1.32";
  if (!/^1\.\d+$/.test(version))
    throw new CliError(`lint: --kubernetes-version must be MAJOR.MINOR, as 1.32 (got "${version}")`);
  return version;
}

/** `guard-unprotected`: with a `guard:` section, what the guard would not stop (manifests only). */
async function guardCoverage(guard: GuardConfig | undefined, live: boolean): Promise<readonly Check[]> {
  if (guard === undefined || live) return [];
  const { unprotectedParts } = await import("../guard/coverage.js");
  return [
    {
      id: "guard-unprotected",
      severity: "info",
      category: "drift",
      summary:
        "A managed object, or a field of it, that the guard configured in kubedrift.yaml would not protect",
      hint: "Give the object a deny rule under guard.rules, or run the guard webhook for what the generated policies cannot pin",
      run: (object) => unprotectedParts(guard, object),
    },
  ];
}

export async function runLint(
  flags: LintFlags,
): Promise<{ readonly report: LintReport; readonly text: string }> {
  const { checksFor, lintObjects } = await import("../lint/index.js");
  const configured = await configOf(flags);
  const config = configured.lint;
  const kubernetesVersion = kubernetesVersionOf(flags, config);
  const live = flags.live === true;
  const lintOne = async (oneFlags: LintFlags): Promise<LintReport> => {
    const linted = live ? await fromCluster(oneFlags) : await fromSources(oneFlags);
    const checks = [
      ...checksFor(linted.schema, config, live ? "live" : "manifests"),
      ...(await guardCoverage(configured.guard, live)),
    ];
    return lintObjects(linted.objects, { checks, kubernetesVersion, ignore: config.ignore });
  };
  const contexts = live ? await severalContexts(flags) : [];
  // Each cluster with its own schema (its CRDs); a finding's file, `cluster:NAME`, says which.
  const report =
    contexts.length <= 1
      ? await lintOne(flags)
      : combineLintReports(
          await Promise.all(
            contexts.map((context) => lintOne({ ...flags, context: [context], allContexts: false })),
          ),
        );
  const text = renderLint(report, flags.output, {
    cwd: process.cwd(),
    color: flags.output === "text" && wantsColor(flags.color),
    showSuppressed: flags.showSuppressed === true,
  });
  return { report, text };
}

function combineLintReports(reports: readonly LintReport[]): LintReport {
  return {
    findings: reports.flatMap((report) => report.findings),
    checks: reports[0]?.checks ?? [],
    objects: reports.reduce((count, report) => count + report.objects, 0),
  };
}

async function listChecks(flags: LintFlags): Promise<string> {
  const { checksFor } = await import("../lint/index.js");
  const { builtinSchema } = await import("../kube/schema/builtin.js");
  const configured = await configOf(flags);
  const checks = [
    ...checksFor(builtinSchema, configured.lint, "manifests"),
    ...(await guardCoverage(configured.guard, false)),
  ];
  const width = Math.max(...checks.map((check) => check.id.length));
  return `${checks.map((check) => `${check.id.padEnd(width)}  ${check.severity.padEnd(7)}  ${check.category.padEnd(11)}  ${check.summary}`).join("\n")}\n`;
}

export function registerLint(program: Command): void {
  withAllContextsFlag(withDiffOptions(program.command("lint")))
    .description(
      "Check the desired objects before they ship: schema, best practices, drift-prone fields, your own CEL checks",
    )
    .addOption(new Option("-o, --output <format>", "report format").choices(LintFormats).default("text"))
    .addOption(
      new Option("--fail-on <severity>", "exit 2 when a finding is at least this severe")
        .choices(["info", "warning", "error"])
        .default("error"),
    )
    .option("--live", "check the live objects in the sources' scope instead of the manifests")
    .option(
      "--kubernetes-version <major.minor>",
      "the version the manifests target (deprecated APIs); default 1.32",
    )
    .option(
      "--show-suppressed",
      "also print the findings that kubedrift.dev/lint-ignore or lint.ignore accept",
    )
    .option("--list-checks", "list every check (id, severity, category, what it checks) and exit")
    .addHelpText(
      "after",
      `
Findings are suppressed per object with the annotation
  kubedrift.dev/lint-ignore: "check-id,other-id: the reason"
and per project under lint.ignore in kubedrift.yaml, where lint.checks adds CEL checks:
  lint:
    checks:
      - id: team-label
        severity: warning
        expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
        message: every object names its team

Examples:
  kubedrift lint -f deploy/
  kubedrift lint -k overlays/prod -o sarif > lint.sarif
  kubedrift lint -f deploy/ --live --fail-on warning`,
    )
    .action(async (flags: LintFlags) => {
      if (flags.listChecks === true) {
        process.stdout.write(await listChecks(flags));
        return;
      }
      const { report, text } = await runLint(flags);
      process.stdout.write(text);
      process.exitCode = lintExitStatus(report, flags.failOn);
    });
}
