// How kubedrift talks to a Git server without leaking what it knows: the URL checked and masked, the
// credentials read from files or the environment at each fetch and handed to git through its
// environment only (never argv, never a config file), and the git child bounded in time.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";

import { SourceError } from "../types.js";

export interface RemoteAuth {
  /** A file holding an access token (a mounted Secret: re-read at every fetch, so rotation needs no restart). */
  readonly tokenFile?: string;
  /** An environment variable holding an access token. */
  readonly tokenEnv?: string;
  /** How the token is sent: as the password of HTTP basic auth (GitHub, GitLab, Gitea, Azure DevOps, Bitbucket), the default; or as `Authorization: Bearer`. */
  readonly tokenAs?: "basic" | "bearer";
  /** The user name of basic auth; with a token, the default is `x-access-token` (any non-empty name works for most servers). */
  readonly usernameFile?: string;
  readonly passwordFile?: string;
  /** SSH: the private key, and the known_hosts file the server's key must be in (checked strictly). */
  readonly sshKeyFile?: string;
  readonly knownHostsFile?: string;
}

/** A URL split into what may be shown and passed to git, and the credentials it carried (moved to a header). */
export interface ParsedUrl {
  /** The URL with no password or token in it: what git is given and what messages show. */
  readonly safe: string;
  readonly kind: "http" | "ssh" | "git";
  readonly userinfo?: { readonly username: string; readonly password: string };
}

const SCP_LIKE =
  /^(?<user>[A-Za-z0-9._-]+@)?(?<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(?!\/\/|:)(?<path>.+)$/;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function parseScpLike(url: string): ParsedUrl | undefined {
  const match = SCP_LIKE.exec(url);
  if (match === null || url.startsWith("-")) return undefined;
  return { safe: url, kind: "ssh" };
}

function kindOf(protocol: string): ParsedUrl["kind"] | undefined {
  if (protocol === "https:" || protocol === "http:") return "http";
  if (protocol === "ssh:") return "ssh";
  return protocol === "git:" ? "git" : undefined;
}

/** Plain HTTP would carry the credentials and the desired state in clear: loopback only unless allowed. */
function checkInsecure(parsed: URL, allowInsecureHttp: boolean): void {
  if (parsed.protocol !== "http:" || allowInsecureHttp || LOOPBACK.test(parsed.hostname)) return;
  throw new SourceError(
    `--git-url ${maskUrl(parsed.href)}: plain http:// is allowed only on loopback; use https://`,
  );
}

function splitUserinfo(parsed: URL, kind: ParsedUrl["kind"]): ParsedUrl {
  const username = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  // An SSH user name (git@) is not a secret; over HTTP a user name alone may be a token (https://TOKEN@host).
  if (kind === "ssh" && password === "") return { safe: parsed.href, kind };
  const bare = new URL(parsed.href);
  bare.username = "";
  bare.password = "";
  if (username === "" && password === "") return { safe: bare.href, kind };
  if (kind !== "http")
    throw new SourceError(`--git-url ${maskUrl(parsed.href)}: a password in an ${kind} URL is not supported`);
  return { safe: bare.href, kind, userinfo: { username, password } };
}

/** Accepts https://, http:// (loopback unless allowed), ssh://, git:// and scp-like user@host:path; nothing else (no file:// or ext::). */
export function parseRemoteUrl(url: string, allowInsecureHttp = false): ParsedUrl {
  const scp = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? undefined : parseScpLike(url);
  if (scp !== undefined) return scp;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SourceError(
      `--git-url ${maskUrl(url)}: not a URL (https://, ssh://, git:// or user@host:path)`,
    );
  }
  const kind = kindOf(parsed.protocol);
  if (kind === undefined)
    throw new SourceError(
      `--git-url ${maskUrl(url)}: unsupported scheme ${parsed.protocol} (https, http, ssh or git)`,
    );
  checkInsecure(parsed, allowInsecureHttp);
  return splitUserinfo(parsed, kind);
}

/** Any userinfo in a URL-looking string replaced: `https://***@host/…`; an SSH user name alone is kept. */
export function maskUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/gi, (_all, scheme: string, userinfo: string) => {
    const ssh = /^ssh:/i.test(scheme) && !userinfo.includes(":");
    return ssh ? `${scheme}${userinfo}@` : `${scheme}***@`;
  });
}

async function readSecretFile(file: string, what: string): Promise<string> {
  try {
    // Files mounted from Secrets often end with a newline the secret does not contain.
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new SourceError(`cannot read the Git ${what} file ${file} (${code})`);
  }
}

async function readToken(auth: RemoteAuth): Promise<string | undefined> {
  if (auth.tokenFile !== undefined) return readSecretFile(auth.tokenFile, "token");
  if (auth.tokenEnv === undefined) return undefined;
  const token = process.env[auth.tokenEnv];
  if (token === undefined || token === "")
    throw new SourceError(`the Git token variable ${auth.tokenEnv} is not set`);
  return token;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Credentials written in the URL (https://user:password@host, or https://TOKEN@host). */
function fromUserinfo(parsed: ParsedUrl): string | undefined {
  const userinfo = parsed.userinfo;
  if (userinfo === undefined) return undefined;
  return userinfo.password === ""
    ? basic("x-access-token", userinfo.username)
    : basic(userinfo.username, userinfo.password);
}

/** The Authorization header value for HTTP, or undefined to let the server decide (a public repository). */
async function authorization(auth: RemoteAuth, parsed: ParsedUrl): Promise<string | undefined> {
  const username =
    auth.usernameFile === undefined ? undefined : await readSecretFile(auth.usernameFile, "username");
  const token = await readToken(auth);
  if (token !== undefined)
    return auth.tokenAs === "bearer" ? `Bearer ${token}` : basic(username ?? "x-access-token", token);
  if (auth.passwordFile === undefined) return fromUserinfo(parsed);
  const password = await readSecretFile(auth.passwordFile, "password");
  return basic(username ?? parsed.userinfo?.username ?? "git", password);
}

/** GIT_SSH_COMMAND goes through a shell: quote every path. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function sshCommand(auth: RemoteAuth): string {
  // BatchMode: never ask for a passphrase or a host key confirmation; a server not in known_hosts is refused.
  const options = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"];
  if (auth.sshKeyFile !== undefined)
    options.push("-i", shellQuote(auth.sshKeyFile), "-o", "IdentitiesOnly=yes");
  if (auth.knownHostsFile !== undefined)
    options.push("-o", shellQuote(`UserKnownHostsFile=${auth.knownHostsFile}`));
  return options.join(" ");
}

/** What git is given for one fetch: its environment, and the secrets to scrub from anything it prints. */
export interface GitSession {
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: readonly string[];
}

/** Inherited variables that would point git elsewhere or make it print what it sends. */
const DROPPED =
  /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|NAMESPACE|CEILING_DIRECTORIES|TRACE.*|CURL_VERBOSE|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+|CONFIG_PARAMETERS|SSH|SSH_COMMAND|ASKPASS)$/;

function baseEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!DROPPED.test(name)) env[name] = value;
  return {
    ...env,
    // Messages are parsed and shown: English whatever the locale.
    LC_ALL: "C",
    LANGUAGE: "",
    // Never wait for a person: a missing or wrong credential is an error at once.
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "true",
    SSH_ASKPASS: "true",
    // No redirect or submodule may switch to file://, ext:: or another transport.
    GIT_ALLOW_PROTOCOL: "https:http:ssh:git",
  };
}

/** Configuration that lives only in this process's environment (GIT_CONFIG_COUNT), never in .git/config. */
function configEnvironment(entries: readonly (readonly [string, string])[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

export async function gitSession(parsed: ParsedUrl, auth: RemoteAuth | undefined): Promise<GitSession> {
  const entries: (readonly [string, string])[] = [["gc.autoDetach", "false"]];
  const secrets: string[] = [];
  const header = parsed.kind === "http" ? await authorization(auth ?? {}, parsed) : undefined;
  if (header !== undefined) {
    // The header is scoped to the repository's URL: a redirect to another host does not get it.
    entries.push([`http.${parsed.safe}.extraHeader`, `Authorization: ${header}`], ["credential.helper", ""]);
    secrets.push(header, header.replace(/^\w+ /, ""));
    if (parsed.userinfo !== undefined) secrets.push(parsed.userinfo.password, parsed.userinfo.username);
  }
  const ssh = parsed.kind === "ssh" && auth !== undefined ? { GIT_SSH_COMMAND: sshCommand(auth) } : {};
  return {
    env: { ...baseEnvironment(), ...configEnvironment(entries), ...ssh },
    secrets: secrets.filter((s) => s !== ""),
  };
}

export interface BoundedResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why git was killed, if it was. */
  readonly killed?: "timeout" | "aborted";
  readonly missing?: boolean;
}

export interface BoundedOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Kills git and its helpers (git-remote-https, ssh) together: a hanging server must not leave them behind. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Runs git in a process group of its own, killed when the time is up or the signal aborts. */
export function runBounded(args: readonly string[], options: BoundedOptions): Promise<BoundedResult> {
  return new Promise((resolve) => {
    const child = spawn("git", [...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let killed: BoundedResult["killed"];
    const stop = (why: "timeout" | "aborted"): void => {
      killed ??= why;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = (): void => stop("aborted");
    if (options.signal?.aborted === true) onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const finish = (result: BoundedResult): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    child.on("error", (error: NodeJS.ErrnoException) =>
      finish({ code: null, stdout: "", stderr: error.message, missing: error.code === "ENOENT" }),
    );
    child.on("close", (code) =>
      finish({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ...(killed === undefined ? {} : { killed }),
      }),
    );
  });
}
