/**
 * The secret key of the hashes that stand in for withheld values (DESIGN.md, rule 7). The engine
 * does no I/O, so inspect finds the key and hands it over in the engine config: the environment
 * (CI), else `redactionKey` in kubedrift.yaml, else the installation's key file, made on first use.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { redactionKeyProblem } from "../engine/redact.js";
import type { EngineConfig } from "../engine/types.js";
import { InspectError } from "./errors.js";

export const redactionKeyVariable = "KUBEDRIFT_REDACTION_KEY";

export interface RedactionKeyEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** One line for stderr: the key file could not be made, or others can read it. */
  readonly note: (line: string) => void;
}

/** `$XDG_CONFIG_HOME/kubedrift/redaction.key`, else `~/.config/kubedrift/redaction.key`. */
export function redactionKeyPath(env: NodeJS.ProcessEnv): string {
  const xdg = env["XDG_CONFIG_HOME"];
  // The XDG spec says a relative value is invalid and is to be ignored.
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env["HOME"] ?? homedir(), ".config");
  return join(base, "kubedrift", "redaction.key");
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** The stored key, or undefined when there is none yet. Never echoes the file's content. */
function readKey(path: string, note: (line: string) => void): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error: unknown) {
    // ENOTDIR: a file where the directory should be; making the key will say so.
    if (["ENOENT", "ENOTDIR"].includes(errorCode(error) ?? "")) return undefined;
    throw new InspectError(`redaction key ${path}: ${errorCode(error) ?? String(error)}`, { cause: error });
  }
  const key = text.trim();
  if (redactionKeyProblem(key) !== undefined)
    throw new InspectError(
      `redaction key ${path}: not a kubedrift key (too short); remove it to have a new one made`,
    );
  if ((statSync(path).mode & 0o077) !== 0)
    note(`kubedrift: ${path} can be read by other users; run: chmod 600 ${path}`);
  return key;
}

/**
 * Writes the key whole into a file of its own (O_EXCL, mode 0600, fsynced), then links it into
 * place: link(2) fails if the name exists, so of two first runs one key wins and both use it, and a
 * reader never sees a half-written file.
 */
function createKey(path: string): string | undefined {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("hex");
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString("hex")}`;
  const descriptor = openSync(temporary, "wx", 0o600);
  try {
    writeSync(descriptor, `${key}\n`);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  try {
    linkSync(temporary, path);
    return key;
  } catch (error: unknown) {
    if (errorCode(error) === "EEXIST") return undefined;
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function installationKey(environment: RedactionKeyEnvironment): string {
  const path = redactionKeyPath(environment.env);
  const stored = readKey(path, environment.note);
  if (stored !== undefined) return stored;
  try {
    // Undefined: another run made it first; its key is the one.
    return createKey(path) ?? readKey(path, environment.note) ?? randomBytes(32).toString("hex");
  } catch (error: unknown) {
    // A read-only home must not stop a diff: the values stay hidden, only the hashes change per run.
    environment.note(
      `kubedrift: cannot store a redaction key at ${path} (${errorCode(error) ?? String(error)}): ` +
        `hashes of hidden values will differ from run to run; set ${redactionKeyVariable} to keep them stable`,
    );
    return randomBytes(32).toString("hex");
  }
}

/** The key from the environment, else from kubedrift.yaml, else the installation's own. */
export function resolveRedactionKey(
  configured: string | undefined,
  environment: RedactionKeyEnvironment,
): string {
  // Trimmed as the key file is, so a key copied from that file into a CI secret hashes alike.
  const fromEnv = environment.env[redactionKeyVariable]?.trim();
  if (fromEnv !== undefined && fromEnv !== "") {
    const problem = redactionKeyProblem(fromEnv);
    if (problem !== undefined) throw new InspectError(`${redactionKeyVariable} ${problem}`);
    return fromEnv;
  }
  return configured ?? installationKey(environment);
}

/** The engine config with the key that hashes its withheld values. */
export function withRedactionKey(config: EngineConfig, environment: RedactionKeyEnvironment): EngineConfig {
  return { ...config, redactionKey: resolveRedactionKey(config.redactionKey, environment) };
}
