import type { Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";

import { SourceError } from "../types.js";
import type { LoadedSources } from "../types.js";
import { loadConfiguration } from "./config.js";
import { regularFiles } from "./directory.js";
import { loadState } from "./state.js";

export interface TerraformSpec {
  /** Directories of `.tf` files, `terraform.tfstate` files or `terraform show -json` output. */
  readonly paths: readonly string[];
  /** Whether a directory holding both `.tf` files and a state is read as configuration or as state. */
  readonly mode: "config" | "state";
  /** -var name=value. */
  readonly vars: Readonly<Record<string, string>>;
  /** -var-file, relative to cwd. */
  readonly varFiles: readonly string[];
}

interface Located {
  readonly absolute: string;
  readonly shown: string;
}

async function kindOf(path: Located): Promise<"directory" | "file"> {
  let stats: Stats;
  try {
    stats = await stat(path.absolute);
  } catch (error: unknown) {
    throw new SourceError(`${path.shown}: no such file or directory`, { cause: error });
  }
  if (stats.isDirectory()) return "directory";
  // Reading a FIFO would wait for a writer forever.
  if (!stats.isFile()) throw new SourceError(`${path.shown}: not a regular file`);
  return "file";
}

async function readState(path: Located): Promise<LoadedSources> {
  let text: string;
  try {
    text = await readFile(path.absolute, "utf8");
  } catch (error: unknown) {
    throw new SourceError(`${path.shown}: cannot read file`, { cause: error });
  }
  return loadState(text, path.shown);
}

async function loadDirectory(path: Located, spec: TerraformSpec, cwd: string): Promise<LoadedSources> {
  const names = await regularFiles(path.absolute);
  const tfFiles = names.filter((name) => name.endsWith(".tf"));
  const hasState = names.includes("terraform.tfstate");
  if (hasState && (spec.mode === "state" || tfFiles.length === 0))
    return readState({
      absolute: join(path.absolute, "terraform.tfstate"),
      shown: join(path.shown, "terraform.tfstate"),
    });
  if (spec.mode === "state")
    throw new SourceError(`${path.shown}: no terraform.tfstate (--terraform-mode state)`);
  if (tfFiles.length === 0) throw new SourceError(`${path.shown}: no .tf files and no terraform.tfstate`);
  return loadConfiguration({ path: path.absolute, shown: path.shown }, tfFiles, spec, cwd);
}

async function loadPath(path: Located, spec: TerraformSpec, cwd: string): Promise<LoadedSources> {
  if ((await kindOf(path)) === "directory") return loadDirectory(path, spec, cwd);
  if (path.absolute.endsWith(".tf")) {
    const directory = { path: dirname(path.absolute), shown: dirname(path.shown) };
    return loadConfiguration(directory, [basename(path.absolute)], spec, cwd);
  }
  return readState(path);
}

/**
 * Desired state from Terraform: the `kubernetes_*` resources of `.tf` files (expressions kubedrift cannot
 * evaluate are left out and noted), or what a state last applied. Throws a SourceError naming file and line.
 */
export async function loadTerraform(
  spec: TerraformSpec,
  options: { readonly cwd: string },
): Promise<LoadedSources> {
  const objects = [];
  const notes = [];
  const skipped = [];
  for (const given of spec.paths) {
    const absolute = isAbsolute(given) ? given : join(options.cwd, given);
    const loaded = await loadPath({ absolute, shown: join(given) }, spec, options.cwd);
    objects.push(...loaded.objects);
    notes.push(...loaded.notes);
    skipped.push(...(loaded.skipped ?? []));
  }
  return { objects, notes, skipped };
}
