import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, defaultEngineConfig, parseEngineConfig } from "../engine/index.js";
import type { EngineConfig } from "../engine/types.js";
import { InspectError } from "./errors.js";

const configFileName = "kubedrift.yaml";

const fileProblems: Readonly<Record<string, string>> = {
  EISDIR: "is a directory",
  ENOENT: "no such file",
  ENOTDIR: "no such file (a part of the path is not a directory)",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/** The file's text, or one line in plain words naming it (`--config DIR: is a directory`). */
function readConfigFile(path: string, shown: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error: unknown) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "";
    const problem = fileProblems[code] ?? `cannot be read (${code === "" ? String(error) : code})`;
    throw new InspectError(`${shown}: ${problem}`, { cause: error });
  }
}

/** `--config FILE`, else `kubedrift.yaml` in the working directory: its text and the name errors give it. */
export function readConfigText(
  configPath: string | undefined,
  cwd: string,
): { readonly text: string; readonly file: string } | undefined {
  const path = configPath === undefined ? resolve(cwd, configFileName) : resolve(cwd, configPath);
  if (!existsSync(path)) {
    if (configPath !== undefined) throw new InspectError(`--config ${configPath}: no such file`);
    return undefined;
  }
  const text = readConfigFile(path, configPath === undefined ? configFileName : `--config ${configPath}`);
  return { text, file: configPath ?? configFileName };
}

/** `--config FILE`, else `kubedrift.yaml` in the working directory, else the defaults. */
export function loadEngineConfig(configPath: string | undefined, cwd: string): EngineConfig {
  const read = readConfigText(configPath, cwd);
  if (read === undefined) return defaultEngineConfig;
  try {
    return parseEngineConfig(read.text, read.file);
  } catch (error: unknown) {
    // The parser's messages already name the file and line; anything else is a bug, not a bad config.
    if (error instanceof ConfigError) throw new InspectError(error.message, { cause: error });
    throw error;
  }
}
