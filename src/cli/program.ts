import { basename } from "node:path";
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";
import { kubedriftVersion } from "./version.js";

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when it is needed: a run pays for its own command's imports
 * (diff's cluster client, sandbox's certificates, watch's store), not for every command's. The
 * order is the order of `--help`.
 */
const commandModules: Readonly<Record<string, () => Promise<Register>>> = {
  diff: async () => (await import("./diff.js")).registerDiff,
  plan: async () => (await import("./plan.js")).registerPlan,
  apply: async () => (await import("./apply.js")).registerApply,
  adopt: async () => (await import("./adopt.js")).registerAdopt,
  watch: async () => (await import("./watch.js")).registerWatch,
  guard: async () => (await import("./guard.js")).registerGuard,
  lint: async () => (await import("./lint.js")).registerLint,
  rbac: async () => (await import("./rbac.js")).registerRbac,
  sandbox: async () => (await import("./sandbox.js")).registerSandbox,
  demo: async () => (await import("./demo.js")).registerDemo,
  history: async () => (await import("./history.js")).registerHistory,
  version: async () => (await import("./version.js")).registerVersion,
  completion: async () => (await import("./completion.js")).registerCompletion,
};

/**
 * The commands `argv` needs registered: the one it names; none for `--version`; all of them when
 * it names none, an unknown one (for commander's "did you mean"), `help`, or `completion` (which
 * describes them all).
 */
export function commandsFor(argv: readonly string[] | undefined): readonly string[] {
  const all = Object.keys(commandModules);
  const named = argv?.find((argument) => !argument.startsWith("-"));
  if (named === undefined && argv?.some((argument) => argument === "-V" || argument === "--version"))
    return [];
  if (named === undefined || named === "completion" || !all.includes(named)) return all;
  return [named];
}

/**
 * commander's usage errors as one line, like every other error, with where to read more:
 * `kubedrift: unknown option '--bogus' (did you mean --blame?) (see 'kubedrift diff --help')`.
 */
export function usageLine(text: string, commandPath: string): string {
  const problem = text
    .trim()
    .replace(/^error: /, "")
    .replace(/ argument '' is invalid\. /, " ")
    .replace(/\n\(Did you mean/g, " (did you mean")
    .replace(/\s*\n\s*/g, " ");
  return `kubedrift: ${problem} (see '${commandPath} --help')\n`;
}

/** What bin/kubectl-drift sets, so that help and errors say `kubectl drift` where kubectl ran the plugin. */
export const invokedAsVariable = "KUBEDRIFT_INVOKED_AS";

/**
 * The name to show in usage lines: `kubectl drift` when run as the kubectl plugin (the launcher
 * says so in KUBEDRIFT_INVOKED_AS, as it execs node with dist/cli/main.js, which hides its own
 * name; a script run directly as `kubectl-drift` shows in argv[1]), else `kubedrift`.
 */
export function invokedAs(
  env: Readonly<Record<string, string | undefined>> = process.env,
  argv: readonly string[] = process.argv,
): string {
  const said = env[invokedAsVariable] ?? "";
  const name = said !== "" ? basename(said) : basename(argv[1] ?? "").replace(/\.[cm]?js$/, "");
  return name === "kubectl-drift" || name === "kubectl drift" ? "kubectl drift" : "kubedrift";
}

function withOneLineUsageErrors(command: Command, parentPath: string): void {
  const path = parentPath === "" ? command.name() : `${parentPath} ${command.name()}`;
  command.configureOutput({ outputError: (text, write) => write(usageLine(text, path)) });
  for (const subcommand of command.commands) withOneLineUsageErrors(subcommand, path);
}

/** The program with the commands `argv` needs (all of them without `argv`). */
export async function buildProgram(name: string = invokedAs(), argv?: readonly string[]): Promise<Command> {
  const program = new Command(name)
    .description("Detect, explain and prevent configuration drift between Git and Kubernetes")
    .version(kubedriftVersion)
    .exitOverride();
  const registers = await Promise.all(commandsFor(argv).map((command) => commandModules[command]?.()));
  for (const register of registers) register?.(program);
  withOneLineUsageErrors(program, "");
  return program;
}

function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  return 1;
}

/**
 * `kubedrift diff --help | head -1`: the reader closed the pipe, and what was left to write has
 * nobody to read it. As a program killed by SIGPIPE, end quietly (exit 0: the reader got what it
 * wanted) rather than with Node's stack trace for the unhandled EPIPE.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  try {
    const program = await buildProgram(invokedAs(), argv);
    await program.parseAsync([...argv], { from: "user" });
    // Commands that report an outcome (diff: 0 clean, 2 drift) set process.exitCode.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error: unknown) {
    return report(error);
  }
}
