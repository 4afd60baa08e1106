/**
 * Drives the real `kubectl` binary against a sandbox. Every invocation gets a
 * fresh HOME and discovery cache so that one test's discovery results (or a
 * stale cache written against an earlier sandbox on the same port) cannot
 * leak into another test.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonObject, JsonValue } from "../../src/kube/value/json.js";
import { isJsonObject } from "../../src/kube/value/json.js";

/** What a test needs from a running sandbox; a structural subset of `RunningSandbox`. */
export interface SandboxConnection {
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly token: string;
}

export interface KubectlOptions {
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `/usr/bin/kubectl` is the Google Cloud SDK dispatcher; it asks `/version` and then runs the matching kubectl. */
export const kubectlBinary = process.env["KUBECTL"] ?? "/usr/bin/kubectl";

function isolatedEnvironment(
  home: string,
  extra: Readonly<Record<string, string>> | undefined,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    KUBECACHEDIR: join(home, "cache"),
    // Colour and pagers would make output depend on the terminal.
    TERM: "dumb",
    TZ: "UTC",
    ...extra,
  };
}

/** Runs kubectl with the sandbox's kubeconfig; never rejects on a non-zero exit. */
export async function runKubectl(
  sandbox: SandboxConnection,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const home = mkdtempSync(join(tmpdir(), "kubedrift-kubectl-"));
  try {
    const child = spawn(kubectlBinary, ["--kubeconfig", sandbox.kubeconfigPath, ...args], {
      env: isolatedEnvironment(home, options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end(options.input ?? "");
    return await collect(child);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function collect(child: ChildProcess): Promise<KubectlResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr }),
    );
  });
}

/** The failure as one readable message, for assertions that expect success. */
export function describeFailure(args: readonly string[], result: KubectlResult): string {
  return `kubectl ${args.join(" ")} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

/** Runs kubectl and throws unless it exits 0. */
export async function kubectlOk(
  sandbox: SandboxConnection,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  const result = await runKubectl(sandbox, args, options);
  if (result.code !== 0) throw new Error(describeFailure(args, result));
  return result;
}

/**
 * Runs kubectl with `-o json` and parses the output. kubectl 1.21+ hides
 * `metadata.managedFields` in `-o json|yaml` unless asked, so it is asked.
 */
export async function kubectlJson(
  sandbox: SandboxConnection,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<JsonObject> {
  const fullArgs = [...args, "-o", "json", "--show-managed-fields"];
  const result = await kubectlOk(sandbox, fullArgs, options);
  const parsed: unknown = JSON.parse(result.stdout);
  if (!isJsonObject(parsed))
    throw new Error(`kubectl ${fullArgs.join(" ")} printed no JSON object: ${result.stdout}`);
  return parsed;
}

/** `kubectl get KIND NAME -o json --show-managed-fields`. */
export function getObject(sandbox: SandboxConnection, kind: string, name: string): Promise<JsonObject> {
  return kubectlJson(sandbox, ["get", kind, name]);
}

// ---------------------------------------------------------------------------
// managedFields

export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: string;
  readonly apiVersion: string;
  readonly fieldsType?: string;
  readonly fieldsV1?: JsonObject;
  readonly subresource?: string;
  readonly time?: string;
}

export interface EntrySelector {
  readonly operation?: "Apply" | "Update";
  readonly subresource?: string;
}

function asEntry(value: JsonValue): ManagedFieldsEntry {
  if (!isJsonObject(value)) throw new Error(`managedFields entry is not an object: ${JSON.stringify(value)}`);
  const { manager, operation, apiVersion } = value;
  if (typeof manager !== "string" || typeof operation !== "string" || typeof apiVersion !== "string") {
    throw new Error(`managedFields entry lacks manager/operation/apiVersion: ${JSON.stringify(value)}`);
  }
  return value as unknown as ManagedFieldsEntry;
}

export function managedFieldsOf(object: JsonObject): readonly ManagedFieldsEntry[] {
  const metadata = object["metadata"];
  if (!isJsonObject(metadata)) return [];
  const entries = metadata["managedFields"];
  return Array.isArray(entries) ? (entries as readonly JsonValue[]).map(asEntry) : [];
}

/** The entries of one manager (a manager has one entry per operation, API version and subresource). */
export function entriesOf(
  object: JsonObject,
  manager: string,
  selector: EntrySelector = {},
): readonly ManagedFieldsEntry[] {
  return managedFieldsOf(object).filter(
    (entry) =>
      entry.manager === manager &&
      (selector.operation === undefined || entry.operation === selector.operation) &&
      (selector.subresource === undefined || (entry.subresource ?? "") === selector.subresource),
  );
}

/** The single entry of a manager; throws when there is none or several, listing what there is. */
export function managedFieldsEntry(
  object: JsonObject,
  manager: string,
  selector: EntrySelector = {},
): ManagedFieldsEntry {
  const found = entriesOf(object, manager, selector);
  if (found.length !== 1) {
    throw new Error(
      `expected one managedFields entry of ${manager} ${JSON.stringify(selector)}, found ${found.length}; entries: ${summarizeManagers(object).join(", ")}`,
    );
  }
  return found[0];
}

/** `manager/Operation[/subresource]` for every entry, in the order the server returned them. */
export function summarizeManagers(object: JsonObject): readonly string[] {
  return managedFieldsOf(object).map((entry) =>
    [entry.manager, entry.operation, ...(entry.subresource === undefined ? [] : [entry.subresource])].join(
      "/",
    ),
  );
}

const rfc3339Seconds = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** An entry with `time` checked for shape and replaced by a placeholder, so that the rest can be compared literally. */
export function stableEntry(entry: ManagedFieldsEntry): ManagedFieldsEntry {
  if (entry.time === undefined) return entry;
  if (!rfc3339Seconds.test(entry.time))
    throw new Error(`managedFields time is not RFC 3339 in seconds: ${entry.time}`);
  return { ...entry, time: "<time>" };
}

// ---------------------------------------------------------------------------
// objects

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const resourceVersionPattern = /^[1-9][0-9]*$/;

function placeholder(value: JsonValue | undefined, pattern: RegExp, name: string): JsonValue {
  if (typeof value !== "string" || !pattern.test(value)) {
    throw new Error(`metadata.${name} has an unexpected shape: ${JSON.stringify(value)}`);
  }
  return `<${name}>`;
}

/**
 * The object with server-chosen values (uid, resourceVersion, creationTimestamp,
 * managedFields times) checked for shape and replaced by placeholders, so that
 * a test can compare the whole object, defaults included, with `toEqual`.
 */
export function stableObject(object: JsonObject): JsonObject {
  const metadata = object["metadata"];
  if (!isJsonObject(metadata)) throw new Error(`object has no metadata: ${JSON.stringify(object)}`);
  const stableMetadata: Record<string, JsonValue> = {
    ...metadata,
    uid: placeholder(metadata["uid"], uuidPattern, "uid"),
    resourceVersion: placeholder(metadata["resourceVersion"], resourceVersionPattern, "resourceVersion"),
    creationTimestamp: placeholder(metadata["creationTimestamp"], rfc3339Seconds, "creationTimestamp"),
  };
  if (metadata["managedFields"] !== undefined) {
    stableMetadata["managedFields"] = managedFieldsOf(object).map(stableEntry) as unknown as JsonValue;
  }
  return { ...object, metadata: stableMetadata };
}

export function resourceVersionOf(object: JsonObject): string {
  const metadata = object["metadata"];
  const version = isJsonObject(metadata) ? metadata["resourceVersion"] : undefined;
  if (typeof version !== "string") throw new Error("object has no metadata.resourceVersion");
  return version;
}

/** A value at a path of object keys, or undefined. */
export function valueAt(value: JsonValue | undefined, ...path: readonly string[]): JsonValue | undefined {
  let current = value;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * Go's encoding/json sorts map keys, and kubectl stores the
 * last-applied-configuration as that encoding followed by a newline.
 */
export function goJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(goJson).join(",")}]`;
  if (isJsonObject(value)) {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${goJson(value[key])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * kube-apiserver orders managedFields by operation (Apply before Update),
 * then by time in whole seconds (an entry without time counts as 0), then
 * by manager, apiVersion and subresource.
 */
export function isInServerOrder(entries: readonly ManagedFieldsEntry[]): boolean {
  const key = (entry: ManagedFieldsEntry): readonly [string, number, string, string, string] => [
    entry.operation,
    entry.time === undefined ? 0 : Math.floor(Date.parse(entry.time) / 1000),
    entry.manager,
    entry.apiVersion,
    entry.subresource ?? "",
  ];
  return entries.every(
    (entry, index) => index === 0 || compareKeys(key(entries[index - 1]), key(entry)) <= 0,
  );
}

function compareKeys(left: readonly (string | number)[], right: readonly (string | number)[]): number {
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index];
    const b = right[index];
    if (a < b) return -1;
    if (a > b) return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// files, editors and watches

/** A temporary directory removed by the returned function. */
export function scratchDirectory(): { readonly path: string; readonly remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), "kubedrift-kubectl-test-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeManifest(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/**
 * An executable for `KUBE_EDITOR`: kubectl edit runs it with the path of the
 * YAML it wants edited, and sends whatever the script leaves in that file.
 */
export function writeEditorScript(directory: string, sedExpression: string): string {
  const path = join(directory, `editor-${Math.random().toString(36).slice(2)}.sh`);
  const quoted = sedExpression.replaceAll("'", `'\\''`);
  writeFileSync(path, `#!/bin/sh\nexec sed -i '${quoted}' "$1"\n`);
  chmodSync(path, 0o755);
  return path;
}

export interface KubectlWatch {
  /** Everything printed on stdout so far. */
  readonly stdout: () => string;
  /** Resolves with stdout once `predicate` holds; rejects after `timeoutMs`. */
  readonly waitFor: (predicate: (stdout: string) => boolean, timeoutMs?: number) => Promise<string>;
  /** Ends this kubectl (SIGTERM to its pid) and returns what it printed. */
  readonly stop: () => Promise<KubectlResult>;
}

/** Starts a long-running kubectl (`get -w`) and keeps reading its output. */
export function startKubectl(sandbox: SandboxConnection, args: readonly string[]): KubectlWatch {
  const home = mkdtempSync(join(tmpdir(), "kubedrift-kubectl-"));
  const child = spawn(kubectlBinary, ["--kubeconfig", sandbox.kubeconfigPath, ...args], {
    env: isolatedEnvironment(home, undefined),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const finished = collect(child).finally(() => rmSync(home, { recursive: true, force: true }));
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const waitFor = async (predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`kubectl ${args.join(" ")}: condition not met; stdout so far:\n${stdout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return stdout;
  };
  const stop = async (): Promise<KubectlResult> => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    return finished;
  };
  return { stdout: () => stdout, waitFor, stop };
}

/** The sandbox's kubeconfig as a document. */
function readKubeconfig(sandbox: SandboxConnection): KubeconfigDocument {
  const parsed: unknown = parseYaml(readFileSync(sandbox.kubeconfigPath, "utf8"));
  if (!isKubeconfig(parsed))
    throw new Error(`${sandbox.kubeconfigPath} is not a kubeconfig with clusters and users`);
  return parsed;
}

interface KubeconfigDocument {
  readonly clusters: readonly {
    readonly name: string;
    readonly cluster: Readonly<Record<string, unknown>>;
  }[];
  readonly users: readonly { readonly name: string; readonly user: Readonly<Record<string, unknown>> }[];
  readonly [key: string]: unknown;
}

function isKubeconfig(value: unknown): value is KubeconfigDocument {
  return isJsonObject(value) && Array.isArray(value["clusters"]) && Array.isArray(value["users"]);
}

/**
 * A copy of the sandbox's kubeconfig whose token the server does not know.
 * (With no credentials at all kubectl would prompt for a username on a 401.)
 */
export function writeWrongTokenKubeconfig(directory: string, sandbox: SandboxConnection): string {
  const kubeconfig = readKubeconfig(sandbox);
  const path = join(directory, "wrong-token.kubeconfig");
  const users = kubeconfig.users.map((entry) => ({ ...entry, user: { token: "not-the-sandbox-token" } }));
  writeFileSync(path, stringifyYaml({ ...kubeconfig, users }));
  return path;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request to the sandbox, trusting the CA its kubeconfig names; no token unless given in headers. */
export function rawRequest(
  sandbox: SandboxConnection,
  path: string,
  headers: Readonly<Record<string, string>> = {},
): Promise<RawResponse> {
  const cluster = readKubeconfig(sandbox).clusters[0]?.cluster ?? {};
  const caData = cluster["certificate-authority-data"];
  const ca = typeof caData === "string" ? Buffer.from(caData, "base64").toString("utf8") : undefined;
  const url = new URL(path, sandbox.url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { headers, ...(ca === undefined ? {} : { ca }) }, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}
