import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { rethrowAsCliError } from "./errors.js";
import { nonEmpty, oneContext, withContextFlags } from "./terminal.js";
import { parseVerbosity, traceOf } from "./verbosity.js";

/** The version `kubedrift --version` prints and reports carry (SARIF's tool.driver.version). */
export const kubedriftVersion = "0.1.0";

interface VersionFlags {
  readonly client?: boolean;
  readonly output: "text" | "json" | "yaml";
  readonly kubeconfig?: string;
  readonly context?: readonly string[];
  readonly requestTimeout?: string;
  /** `-v` alone is `true` (commander calls no parser without a value), `-v=6` a level. */
  readonly verbose?: number | true;
  readonly debug?: boolean;
  readonly color?: boolean;
}

/** What `kubectl version -o json` calls clientVersion, for kubedrift: its version, and the Node and platform it runs on. */
export function clientVersion(): Readonly<Record<string, string>> {
  return {
    gitVersion: `v${kubedriftVersion}`,
    nodeVersion: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}

type VersionDocument = { clientVersion: Readonly<Record<string, string>>; serverVersion?: unknown };

async function render(document: VersionDocument, format: VersionFlags["output"]): Promise<string> {
  if (format === "json") return `${JSON.stringify(document, null, 2)}\n`;
  if (format === "yaml") return (await import("yaml")).stringify(document);
  const server = document.serverVersion as { gitVersion?: unknown } | undefined;
  const lines = [`Client Version: ${document.clientVersion["gitVersion"] ?? ""}`];
  if (server !== undefined) {
    const version = typeof server.gitVersion === "string" ? server.gitVersion : "unknown";
    lines.push(`Server Version: ${version}`);
  }
  return `${lines.join("\n")}\n`;
}

async function askServer(flags: VersionFlags): Promise<unknown> {
  const { serverVersion } = await import("../cluster/index.js");
  const { requestTimeoutMs } = await import("./diff.js");
  const timeout = requestTimeoutMs(flags.requestTimeout);
  const trace = traceOf(flags);
  const answer = await serverVersion({
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: resolve(flags.kubeconfig) }),
    ...(flags.context === undefined ? {} : { context: oneContext(flags.context) ?? "" }),
    ...(timeout === undefined ? {} : { requestTimeoutMs: timeout }),
    ...(trace === undefined ? {} : { trace }),
    // One answer is enough to know the server is not there: no retries for a version.
    retry: { attempts: 1 },
  });
  return answer.info;
}

/**
 * `kubedrift version`: as `kubectl version`, the client's version, then the server's of the
 * current context; the client's is printed even when the server cannot be reached (exit 1).
 */
async function runVersion(flags: VersionFlags): Promise<number> {
  const client = clientVersion();
  if (flags.client === true) {
    process.stdout.write(await render({ clientVersion: client }, flags.output));
    return 0;
  }
  try {
    const server = await askServer(flags);
    process.stdout.write(await render({ clientVersion: client, serverVersion: server }, flags.output));
    return 0;
  } catch (error: unknown) {
    process.stdout.write(await render({ clientVersion: client }, flags.output));
    return rethrowAsCliError(error);
  }
}

export function registerVersion(program: Command): void {
  const command = program
    .command("version")
    .description(
      "Print the client version and the server version of the current context (as kubectl version)",
    )
    .option("--client", "the client version only: no request to the server")
    .addOption(
      new Option("-o, --output <format>", "output format").choices(["text", "json", "yaml"]).default("text"),
    );
  withContextFlags(command)
    .option(
      "--request-timeout <duration>",
      "give up on the server after this long (e.g. 10s; 0: never; default 30s)",
      nonEmpty,
    )
    .addOption(
      new Option("-v, --verbose [level]", "show the request on stderr (method, URL, status, time)").argParser(
        parseVerbosity,
      ),
    )
    .option("--debug", "the most of -v: also the kubeconfig used and request headers (credentials masked)")
    .option("--no-color", "no colour (version prints none; accepted as on every command)")
    .addHelpText(
      "after",
      `
Exit status: 0 printed, 1 the server could not be asked (the client version is printed all the same).

Examples:
  kubedrift version                  # Client Version: v${kubedriftVersion}, Server Version: v1.32.0
  kubedrift version --client         # no cluster needed
  kubedrift version -o json          # {"clientVersion": {...}, "serverVersion": {...}}`,
    )
    .action(async (flags: VersionFlags) => {
      process.exitCode = await runVersion(flags);
    });
}
