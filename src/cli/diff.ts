import { Option, type Command } from "commander";
import { CliError } from "./errors.js";
import { terminalProgress } from "./progress.js";
import type { DiffOptions } from "./run-diff.js";

const formats = ["text", "json", "yaml", "markdown"] as const;

function collect(value: string, previous: readonly string[] | undefined): readonly string[] {
  return [...(previous ?? []), value];
}

interface DiffFlags {
  readonly filename?: readonly string[];
  readonly kustomize?: readonly string[];
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly liveFile?: string;
  readonly output: (typeof formats)[number];
  readonly config?: string;
}

/** The source and cluster flags that diff, plan, apply and adopt share (DESIGN.md's command-line contract). */
export function withSourceAndClusterFlags(command: Command): Command {
  return command
    .option("-f, --filename <path>", "file, directory (recursive) or - for stdin; repeatable", collect)
    .option(
      "-k, --kustomize <dir>",
      "a kustomization directory (built with kubectl kustomize); repeatable",
      collect,
    )
    .option(
      "--kubeconfig <file>",
      "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)",
    )
    .option("--context <name>", "kubeconfig context to use")
    .option(
      "-n, --namespace <ns>",
      "namespace for objects that name none (default: the context's, else default)",
    )
    .option(
      "--live-file <path>",
      "compare offline against this file of live objects (kubectl get -o yaml|json output)",
    );
}

function diffOptions(flags: DiffFlags): DiffOptions {
  return {
    filenames: flags.filename ?? [],
    kustomize: flags.kustomize ?? [],
    output: flags.output,
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    ...(flags.liveFile === undefined ? {} : { liveFile: flags.liveFile }),
    ...(flags.config === undefined ? {} : { config: flags.config }),
  };
}

export function registerDiff(program: Command): void {
  withSourceAndClusterFlags(program.command("diff"))
    .description(
      "Show how the cluster differs from the desired state: field by field, who changed it and when",
    )
    .addOption(new Option("-o, --output <format>", "report format").choices(formats).default("text"))
    .option(
      "--config <file>",
      "ignore rules, redaction and trusted managers (default: ./kubedrift.yaml if present)",
    )
    .addHelpText(
      "after",
      `
Exit status: 0 no drift, 2 drift found (changed, missing or extra objects), 1 error.

Examples:
  kubedrift diff -f deploy/                 # a directory of manifests against the current context
  kubedrift diff -k overlays/prod -o json   # a Kustomize overlay, machine-readable
  kubectl get deploy,svc -n shop -o yaml > live.yaml
  kubedrift diff -f deploy/ --live-file live.yaml   # offline`,
    )
    .action(async (flags: DiffFlags) => {
      const color = process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === "";
      const machineReadable = flags.output !== "text";
      // Loaded on use: the cluster client is the heaviest import, and --help or other commands need none of it.
      const { runDiff } = await import("./run-diff.js");
      process.exitCode = await runDiff(diffOptions(flags), {
        cwd: process.cwd(),
        env: process.env,
        stdin: process.stdin,
        write: (text) => process.stdout.write(text),
        note: (line) => process.stderr.write(`note: ${line}\n`),
        progress: machineReadable
          ? { update: () => undefined, done: () => undefined }
          : terminalProgress(process.stderr),
        color,
        now: () => new Date(),
      }).catch((error: unknown) => {
        if (error instanceof CliError) throw error;
        throw new CliError(`diff: ${error instanceof Error ? error.message : String(error)}`, 1, {
          cause: error,
        });
      });
    });
}
