import { spawn } from "node:child_process";
import { KubeConfig } from "./client-node.js";
import type { User } from "./client-node.js";
import { isRecord, stringOf } from "../kube/value/json.js";

/**
 * A kubeconfig `users[].user.exec` credential plugin (client-go's ExecCredential protocol), run by
 * kubedrift rather than by client-node, whose runner waits for the plugin forever: a plugin that hangs
 * (a login page nobody answers, a wedged cloud CLI) would hang kubedrift. client-go has no bound of its
 * own either, but kubectl's requests are bounded by --request-timeout; so is the plugin here.
 */
export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly apiVersion: string;
  readonly installHint: string;
}

/** What the plugin answered: a bearer token, or a client certificate and key (PEM). */
export type ExecCredential =
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "certificate"; readonly certificate: string; readonly key: string };

export interface PluginRun {
  /** 0: wait as long as it takes. */
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
}

function stringList(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function envEntries(value: unknown): Readonly<Record<string, string>> {
  const entries = Array.isArray(value) ? (value as readonly unknown[]) : [];
  return Object.fromEntries(
    entries.filter(isRecord).map((entry) => [stringOf(entry["name"]), stringOf(entry["value"])] as const),
  );
}

/** The exec plugin of a user, as client-node reads it (`user.exec`, or an `exec` auth provider). */
export function execConfigOf(user: User | null): ExecConfig | undefined {
  const provider: unknown = user?.authProvider;
  const fromProvider =
    isRecord(provider) && isRecord(provider["config"]) ? provider["config"]["exec"] : undefined;
  const exec: unknown = user?.exec ?? fromProvider;
  if (!isRecord(exec) || typeof exec["command"] !== "string" || exec["command"] === "") return undefined;
  return {
    command: exec["command"],
    args: stringList(exec["args"]),
    env: envEntries(exec["env"]),
    apiVersion: stringOf(exec["apiVersion"]),
    installHint: stringOf(exec["installHint"]),
  };
}

function firstLine(output: string): string {
  const line = output
    .split("\n")
    .map((part) => part.trim())
    .find((part) => part !== "");
  if (line === undefined) return "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

function parseOutput(stdout: string, name: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`${name} did not print an ExecCredential (its output is not JSON)`);
  }
}

/** client-go insists that the plugin answers in the version the kubeconfig asks for. */
function checkApiVersion(parsed: unknown, exec: ExecConfig, name: string): void {
  const apiVersion = isRecord(parsed) ? stringOf(parsed["apiVersion"]) : "";
  if (exec.apiVersion !== "" && apiVersion !== "" && apiVersion !== exec.apiVersion)
    throw new Error(
      `${name} answered with apiVersion ${apiVersion}, but the kubeconfig asks for ${exec.apiVersion}`,
    );
}

/** The plugin's stdout holds the credential: messages never quote it. */
function parseCredential(stdout: string, exec: ExecConfig): ExecCredential {
  const name = `credential plugin "${exec.command}"`;
  const parsed = parseOutput(stdout, name);
  checkApiVersion(parsed, exec, name);
  const status = isRecord(parsed) ? parsed["status"] : undefined;
  if (!isRecord(status)) throw new Error(`${name} printed an ExecCredential without a status`);
  const token = stringOf(status["token"]);
  if (token !== "") return { kind: "token", token };
  const certificate = stringOf(status["clientCertificateData"]);
  const key = stringOf(status["clientKeyData"]);
  if (certificate !== "" && key !== "") return { kind: "certificate", certificate, key };
  throw new Error(`${name} printed an ExecCredential with neither a token nor a client certificate and key`);
}

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function failure(exec: ExecConfig, finished: Finished, stderr: string): Error {
  const name = `credential plugin "${exec.command}"`;
  const said = firstLine(stderr);
  const how =
    finished.signal === null
      ? `failed with exit status ${finished.code ?? "?"}`
      : `was killed by ${finished.signal}`;
  return new Error(`${name} ${how}${said === "" ? "" : `: ${said}`}`);
}

function notStarted(exec: ExecConfig, error: NodeJS.ErrnoException): Error {
  const name = `credential plugin "${exec.command}"`;
  if (error.code !== "ENOENT")
    return new Error(`${name} could not be started (${error.code ?? error.message})`, { cause: error });
  const hint = firstLine(exec.installHint);
  return new Error(`${name} was not found${hint === "" ? "" : ` (${hint})`}`, { cause: error });
}

/**
 * Runs the plugin as client-go does (KUBERNETES_EXEC_INFO set, not interactive: stdin closed, so a
 * plugin that would prompt fails instead of waiting). Past the timeout its process group is killed
 * and its pipes dropped, so that kubedrift can exit even if the plugin ignores the signal.
 */
export function runCredentialPlugin(exec: ExecConfig, run: PluginRun): Promise<ExecCredential> {
  const info = { kind: "ExecCredential", apiVersion: exec.apiVersion, spec: { interactive: false } };
  const child = spawn(exec.command, [...exec.args], {
    env: { ...run.env, ...exec.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer =
      run.timeoutMs > 0
        ? setTimeout(() => {
            abandon(child);
            reject(
              new Error(
                `credential plugin "${exec.command}" did not answer within ${seconds(run.timeoutMs)}`,
              ),
            );
          }, run.timeoutMs)
        : undefined;
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(notStarted(exec, error));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(failure(exec, { code, signal }, stderr));
      else {
        try {
          resolve(parseCredential(stdout, exec));
        } catch (error: unknown) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
  });
}

function abandon(child: ReturnType<typeof spawn>): void {
  try {
    // Negative: the whole group, so that `sh -c '…'` takes its children along.
    if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
  child.unref();
}

/**
 * The kubeconfig with the current user's plugin replaced by what it answered, so that client-node sets
 * up the token or client certificate (and the TLS dispatcher) as for any static credential.
 */
export function withCredential(config: KubeConfig, credential: ExecCredential): KubeConfig {
  const current = config.getCurrentUser();
  const resolved: User =
    credential.kind === "token"
      ? { name: current?.name ?? "", token: credential.token }
      : {
          name: current?.name ?? "",
          certData: Buffer.from(credential.certificate).toString("base64"),
          keyData: Buffer.from(credential.key).toString("base64"),
        };
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: config.clusters,
    contexts: config.contexts,
    users: config.users.map((user) =>
      user.name === resolved.name ? { ...resolved, ...impersonation(user) } : user,
    ),
    currentContext: config.getCurrentContext(),
  });
  return copy;
}

function impersonation(user: User): Partial<User> {
  return user.impersonateUser === undefined ? {} : { impersonateUser: user.impersonateUser };
}
