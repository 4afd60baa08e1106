import { execFile } from "node:child_process";
import path from "node:path";

import { SourceError } from "../types.js";
import type { LoadedSources } from "../types.js";
import { parseRenderedManifest, withinChart } from "./manifest.js";

export interface RenderOptions {
  readonly valuesFiles: readonly string[];
  /** helm template's default, `release-name`, when absent. */
  readonly releaseName?: string;
  /** Objects that name none take it; when absent they are left to the CLI's -n. */
  readonly namespace?: string;
  readonly cwd: string;
  readonly helmPath?: string;
}

type RenderResult =
  | { readonly ok: true; readonly stdout: string }
  | { readonly ok: false; readonly missing: boolean; readonly message: string };

function helmFailure(stderr: string, error: Error): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("WARNING"));
  return (lines.at(-1) ?? error.message.split("\n")[0]).replace(/^Error:\s*/, "");
}

function runHelm(helm: string, args: readonly string[], cwd: string): Promise<RenderResult> {
  return new Promise((resolve) => {
    execFile(
      helm,
      [...args],
      { cwd, maxBuffer: 1024 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ ok: true, stdout });
        const missing = "code" in error && (error.code === "ENOENT" || error.code === "EACCES");
        resolve({ ok: false, missing, message: helmFailure(stderr, error) });
      },
    );
  });
}

function templateArgs(chartDir: string, options: RenderOptions): readonly string[] {
  return [
    "template",
    options.releaseName ?? "release-name",
    chartDir,
    ...options.valuesFiles.flatMap((file) => ["--values", file]),
    ...(options.namespace === undefined ? [] : ["--namespace", options.namespace]),
  ];
}

/**
 * A chart rendered locally with `helm template` (hooks and tests left out, as for releases). Objects
 * are reported at `<chartDir>/<template path>`, lines counted within that template's rendered output:
 * for a template without control flow they are close to the template's own lines.
 */
export async function renderHelmChart(chartDir: string, options: RenderOptions): Promise<LoadedSources> {
  const result = await runHelm(options.helmPath ?? "helm", templateArgs(chartDir, options), options.cwd);
  if (!result.ok) {
    if (result.missing) {
      const which = options.helmPath === undefined ? "" : ` (${options.helmPath} cannot be run)`;
      throw new SourceError(`--helm-chart needs the helm binary on PATH${which}`);
    }
    throw new SourceError(`helm template ${chartDir}: ${result.message}`);
  }
  const objects = parseRenderedManifest({
    text: result.stdout,
    label: `${chartDir} (rendered)`,
    templateFile: (template) => path.join(chartDir, withinChart(template)),
    namespace: options.namespace,
  });
  return { objects, notes: [] };
}
