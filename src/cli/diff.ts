import { Option, type Command } from "commander";
import type { InspectIO, InspectOptions } from "../inspect/index.js";
import { silentProgress } from "../inspect/progress.js";
import type { DriftReport } from "../model/index.js";
import { reportsByCluster } from "../model/clusters.js";
import { ReportFormats, renderReport, type RenderOptions, type ReportFormat } from "../report/index.js";
import type { ClusterChoice } from "../inspect/clusters.js";
import { CliError, rethrowAsCliError, parseDuration } from "./errors.js";
import { terminalProgress } from "./progress.js";
import {
  collect,
  nonEmpty,
  nonNegativeInteger,
  oneContext,
  wantsColor,
  withAllContextsFlag,
  withContextFlags,
} from "./terminal.js";
import { parseVerbosity, traceOf, verbosityOf } from "./verbosity.js";
import { kubedriftVersion } from "./version.js";
import type { HistoryFlags, RunHistory } from "./diff-history.js";
import { recordRun, runHistoryOf } from "./diff-history.js";

// The renderers decide which formats exist.
const formats: readonly ReportFormat[] = Object.values(ReportFormats);

/** The flags of `kubedrift diff` (and of the commands that share its sources and cluster flags). */
export interface DiffOptions extends InspectOptions {
  readonly output: ReportFormat;
  /** diff and plan: the clusters (`--context` more than once, or `--all-contexts`); empty for one. */
  readonly clusters?: ClusterChoice;
}

/** The inspection's I/O, plus where the report goes and whether it is coloured. */
export interface DiffIO extends InspectIO {
  readonly write: (text: string) => void;
  readonly color: boolean;
}

/** Exit status of diff, plan and lint: the convention of `terraform plan -detailed-exitcode`. */
export const DiffExitCodes = { clean: 0, error: 1, drift: 2 } as const;

/** The exit status `kubedrift diff` gives a report: 1 if any resource could not be evaluated, 2 drift, 0 clean. */
export function diffExitCode(report: DriftReport): number {
  if (report.summary.errors > 0) return DiffExitCodes.error;
  const { drifted, missing, extra } = report.summary;
  return drifted + missing + extra > 0 ? DiffExitCodes.drift : DiffExitCodes.clean;
}

/** One cluster's inspection, or several clusters' combined: the report and the objects behind its drifts. */
async function inspectOneOrMany(
  options: DiffOptions,
  io: DiffIO,
): Promise<{
  readonly report: DriftReport;
  readonly objects: Pick<RenderOptions, "objects" | "objectsByCluster">;
}> {
  const { chosenContexts, inspectClusters, inspectDrift, objectsByRef } = await import("../inspect/index.js");
  if (options.clusters === undefined) {
    const inspection = await inspectDrift(options, io);
    return { report: inspection.report, objects: { objects: objectsByRef(inspection) } };
  }
  const fleet = await inspectClusters(options, chosenContexts(options.clusters, options, io), io);
  return { report: fleet.report, objects: { objectsByCluster: fleet.objects } };
}

/** `kubedrift diff`: prints the report; returns 0 (no drift), 2 (drift) or throws a one-line CliError. */
export async function runDiff(options: DiffOptions, io: DiffIO, history?: RunHistory): Promise<number> {
  // Loaded on use: the cluster client is the heaviest import, and --help or other commands need none of it.
  const { hasSources, tracePhase } = await import("../inspect/index.js");
  tracePhase(io.trace, "start-up", 0);
  if (!hasSources(options)) {
    throw new CliError(
      "diff: no sources: give -f FILE|DIR|-, -k DIR, --terraform PATH or --helm-release NAME (see kubedrift diff --help)",
    );
  }
  const { report, objects } = await inspectOneOrMany(options, io).catch(rethrowAsCliError);
  const rendering = performance.now();
  io.write(
    renderReport(report, options.output, {
      color: io.color && options.output === "text",
      now: io.now(),
      cwd: io.cwd,
      toolVersion: kubedriftVersion,
      ...objects,
    }),
  );
  tracePhase(io.trace, "render", rendering);
  // Each cluster's episodes are its own, in a store shared by a fleet.
  if (history !== undefined)
    for (const clusterReport of reportsByCluster(report))
      io.note(await recordRun(clusterReport, history, io.note));
  return diffExitCode(report);
}

export interface DiffFlags {
  readonly filename?: readonly string[];
  readonly kustomize?: readonly string[];
  readonly terraform?: readonly string[];
  readonly terraformMode: "config" | "state";
  readonly var?: readonly string[];
  readonly varFile?: readonly string[];
  readonly helmRelease?: readonly string[];
  readonly all?: boolean;
  readonly allNamespaces?: boolean;
  readonly helmChart?: string;
  readonly values?: readonly string[];
  readonly gitRef?: string;
  readonly kubeconfig?: string;
  /** Repeatable; only diff, plan and lint take more than one. */
  readonly context?: readonly string[];
  readonly allContexts?: boolean;
  readonly namespace?: string;
  readonly liveFile?: string;
  readonly requestTimeout?: string;
  readonly chunkSize?: number;
  readonly selector?: string;
  /** `-v` alone is `true` (commander calls no parser without a value), `-v=6` a level. */
  readonly verbose?: number | true;
  readonly debug?: boolean;
  /** commander's `--no-color`: false when it was given. */
  readonly color?: boolean;
  readonly output: ReportFormat;
  readonly config?: string;
  readonly blame?: boolean;
}

/** Where the desired state comes from: the source flags of DESIGN.md's command-line contract. */
function withSourceFlags(command: Command): Command {
  return command
    .option("-f, --filename <path>", "file, directory (recursive) or - for stdin; repeatable", collect)
    .option(
      "-k, --kustomize <dir>",
      "a kustomization directory (built with kubectl kustomize); repeatable",
      collect,
    )
    .option(
      "--terraform <path>",
      "a directory of .tf files, a terraform.tfstate, or `terraform show -json` output; repeatable",
      collect,
    )
    .addOption(
      new Option("--terraform-mode <mode>", "with both .tf files and state in a directory, read which")
        .choices(["config", "state"])
        .default("config"),
    )
    .option("--var <name=value>", "a Terraform variable, as terraform -var; repeatable", collect)
    .option("--var-file <file>", "a Terraform .tfvars file; repeatable", collect)
    .option("--helm-release <name>", "the manifest of a deployed Helm release (with -n); repeatable", collect)
    .option("--all", "with --helm-release: every release in the namespace")
    .option(
      "-A, --all-namespaces",
      "every namespace: an undeclared object of a declared kind anywhere is Extra (and --helm-release looks in every namespace)",
    )
    .option("--helm-chart <dir>", "render a local chart with `helm template` (needs helm on PATH)", nonEmpty)
    .option("--values <file>", "a values file for --helm-chart; repeatable", collect)
    .option(
      "--git-ref <ref>",
      "read the sources as they are at this revision of their Git repository",
      nonEmpty,
    );
}

/** Which cluster: the cluster flags of DESIGN.md's command-line contract. */
function withClusterFlags(command: Command): Command {
  return withContextFlags(command)
    .option(
      "-n, --namespace <ns>",
      "namespace for objects that name none (default: the context's, else default); a manifest that names another is an error, as in kubectl",
      nonEmpty,
    )
    .option(
      "-l, --selector <selector>",
      "only objects whose labels match, in kubectl's syntax (app=web,tier!=db,env in (a,b),!legacy): desired and live objects, and Extra",
      nonEmpty,
    )
    .option(
      "--request-timeout <duration>",
      "give up on a server request, or a credential plugin, after this long (e.g. 10s, 1m; 0: never; default 30s)",
      nonEmpty,
    )
    .option(
      "--chunk-size <n>",
      "list large collections in pages of this many objects, as kubectl (default 500; 0: all at once)",
      nonNegativeInteger,
    )
    .option(
      "--live-file <path>",
      "compare offline against this file of live objects (kubectl get -o yaml|json output)",
      nonEmpty,
    )
    .addOption(
      new Option(
        "-v, --verbose [level]",
        "show each request on stderr (method, URL, status, time) and why one got no answer; kubectl's -v=6 and -v=7 work too",
      ).argParser(parseVerbosity),
    )
    .option(
      "--debug",
      "the most of -v: also the kubeconfig used, request headers (credentials masked) and retries",
    );
}

/** The source and cluster flags that diff, plan, apply and adopt share. */
export function withSourceAndClusterFlags(command: Command): Command {
  return withClusterFlags(withSourceFlags(command));
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** kubectl's --request-timeout: a duration, or 0 for no limit. */
export function requestTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  return text.trim() === "0" ? 0 : parseDuration(text, "--request-timeout");
}

/** `clusters` when several are named (`--all-contexts`, or `--context` more than once) and taken, else `context`. */
function clusterOptions(
  flags: DiffFlags,
  several: "several" | "one",
): Pick<DiffOptions, "clusters" | "context"> {
  const named = flags.allContexts === true || (flags.context?.length ?? 0) > 1;
  if (several === "several" && named)
    return { clusters: { contexts: flags.context ?? [], allContexts: flags.allContexts === true } };
  return optional("context", oneContext(flags.context));
}

/**
 * The options of the flags. A command that checks several clusters at once passes `several`: the
 * contexts go to `clusters`; any other refuses more than one `--context`.
 */
export function diffOptionsFromFlags(flags: DiffFlags, several: "several" | "one" = "one"): DiffOptions {
  return {
    ...clusterOptions(flags, several),
    filenames: flags.filename ?? [],
    kustomize: flags.kustomize ?? [],
    terraform: flags.terraform ?? [],
    terraformMode: flags.terraformMode,
    vars: flags.var ?? [],
    varFiles: flags.varFile ?? [],
    helmReleases: flags.helmRelease ?? [],
    helmAll: flags.all === true,
    allNamespaces: flags.allNamespaces === true,
    values: flags.values ?? [],
    output: flags.output,
    blame: flags.blame === true,
    ...optional("helmChart", flags.helmChart),
    ...optional("gitRef", flags.gitRef),
    ...optional("kubeconfig", flags.kubeconfig),
    ...optional("namespace", flags.namespace),
    ...optional("liveFile", flags.liveFile),
    ...optional("selector", flags.selector),
    ...optional("requestTimeoutMs", requestTimeoutMs(flags.requestTimeout)),
    ...optional("chunkSize", flags.chunkSize),
    ...optional("config", flags.config),
  };
}

/** Sources, cluster and the engine's config file: what every command that computes drift takes. */
export function withDiffOptions(command: Command): Command {
  return withSourceAndClusterFlags(command)
    .option(
      "--config <file>",
      "ignore rules, redaction and trusted managers (default: ./kubedrift.yaml if present)",
      nonEmpty,
    )
    .option("--no-color", "no colour, even on a terminal (also NO_COLOR=1 or TERM=dumb)");
}

export function registerDiff(program: Command): void {
  withAllContextsFlag(withDiffOptions(program.command("diff")))
    .description(
      "Show how the cluster differs from the desired state: field by field, who changed it and when",
    )
    .addOption(
      new Option("-o, --output <format>", "report format").choices(formats).default(ReportFormats.text),
    )
    .option("--blame", "show the commit that last changed each drifted field's source line (git blame)")
    .option(
      "--store <url>",
      "record the drift as episodes in this history store (sqlite:PATH or postgres://…)",
      nonEmpty,
    )
    .option(
      "--notify <url>",
      "with --store: POST each episode opened or ended as JSON here (repeatable)",
      collect,
    )
    .option(
      "--notify-slack <url>",
      "with --store: post each episode opened or ended to this Slack incoming webhook (repeatable)",
      collect,
    )
    .addHelpText(
      "after",
      `
Exit status: 0 no drift, 2 drift found (changed, missing or extra objects), 1 error.

Examples:
  kubedrift diff -f deploy/                          # manifests against the current context
  kubedrift diff -k overlays/prod -o json            # a Kustomize overlay, machine-readable
  kubedrift diff --terraform infra/                  # what Terraform declares, without terraform plan
  kubedrift diff --helm-release web -n shop          # a deployed Helm release
  kubedrift diff -f deploy/ -l app=web               # only what is labelled app=web, in Git and live
  kubedrift diff -f deploy/ -A                       # undeclared objects in every namespace are Extra
  kubedrift diff -f deploy/ -v                       # each request on stderr
  kubedrift diff -f deploy/ --git-ref origin/main    # what is merged, not the local edit
  kubedrift diff -f deploy/ -o sarif > drift.sarif   # for code-scanning views
  kubedrift diff -f deploy/ --store sqlite:drift.db  # a scheduled run recorded in kubedrift history
  kubectl get deploy,svc -n shop -o yaml --show-managed-fields > live.yaml
  kubedrift diff -f deploy/ --live-file live.yaml    # offline`,
    )
    .action(async (flags: DiffFlags & HistoryFlags) => {
      const history = await runHistoryOf(flags);
      const color = wantsColor(flags.color);
      const trace = traceOf(flags);
      // The progress line would be torn by the request lines of -v.
      const progress = flags.output === "text" && verbosityOf(flags) === 0;
      process.exitCode = await runDiff(
        diffOptionsFromFlags(flags, "several"),
        {
          cwd: process.cwd(),
          env: process.env,
          stdin: process.stdin,
          write: (text) => process.stdout.write(text),
          note: (line) => process.stderr.write(`note: ${line}\n`),
          progress: progress ? terminalProgress(process.stderr) : silentProgress,
          color,
          now: () => new Date(),
          ...(trace === undefined ? {} : { trace }),
        },
        history,
      ).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        throw new CliError(`diff: ${error instanceof Error ? error.message : String(error)}`, 1, {
          cause: error,
        });
      });
    });
}
