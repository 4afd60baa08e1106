import type { DesiredObject, SkippedSource } from "../model/index.js";

/**
 * Where the desired state comes from: every way `diff`, `plan`, `apply` and `adopt` can be told
 * what the cluster should look like (the CLI's source flags). `loadSources` reads `-f` and `-k`;
 * inspect assembles the rest (Terraform, Helm, `--git-ref`).
 */
export interface SourceSpec {
  /** -f/--filename: files, directories (recursive) or "-" for stdin. */
  readonly filenames: readonly string[];
  /** -k/--kustomize: kustomization directories. */
  readonly kustomize: readonly string[];
  readonly terraform: readonly string[];
  readonly terraformMode: "config" | "state";
  /** `-var NAME=VALUE`. */
  readonly vars: readonly string[];
  readonly varFiles: readonly string[];
  readonly helmReleases: readonly string[];
  readonly helmAll: boolean;
  readonly allNamespaces: boolean;
  readonly helmChart?: string;
  readonly values: readonly string[];
  readonly gitRef?: string;
}

export interface LoadedSources {
  readonly objects: readonly DesiredObject[];
  /** Files skipped, with why ("not a manifest: README.md"), for a note on stderr. */
  readonly notes: readonly string[];
  /** Entries that could not be evaluated (unsupported Terraform resource types): listed in the report. */
  readonly skipped?: readonly SkippedSource[];
}

/**
 * The one error class of the sources: a message that names the file and line at fault, e.g.
 * `deploy/web.yaml:12: bad indentation of a mapping entry`.
 */
export class SourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SourceError";
  }
}
