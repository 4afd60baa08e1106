import type { DesiredObject, SkippedSource } from "../model/index.js";

/** Where the desired state comes from (the CLI's source flags). */
export interface SourceSpec {
  /** -f/--filename: files, directories (recursive) or "-" for stdin. */
  readonly filenames: readonly string[];
  /** -k/--kustomize: kustomization directories. */
  readonly kustomize: readonly string[];
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
