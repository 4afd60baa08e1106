import type { DesiredObject, DriftReport, LiveObject } from "../../model/index.js";
import type { ObjectRef } from "../../kube/object.js";

export interface AdoptRequest {
  readonly report: DriftReport;
  readonly desired: readonly DesiredObject[];
  readonly live: readonly LiveObject[];
  /** `KIND/NAMESPACE/NAME` (or `KIND/NAME` for cluster-scoped objects); all drifted objects when absent. */
  readonly only?: readonly string[];
  readonly cwd: string;
  /** The -k directories, so that a field an overlay patch sets is written into that patch. */
  readonly kustomizations?: readonly string[];
}

export interface AdoptedField {
  readonly ref: ObjectRef;
  /** The drift's JSON Pointer, as the report has it. */
  readonly path: string;
}

export interface FileEdit {
  /** As the report names it (relative to cwd when the user gave a relative path). */
  readonly file: string;
  /** Absolute, for writing. */
  readonly absolute: string;
  readonly before: string;
  readonly after: string;
  readonly adopted: readonly AdoptedField[];
}

export interface Refusal extends AdoptedField {
  readonly reason: string;
}

export interface AdoptPlan {
  readonly edits: readonly FileEdit[];
  readonly refused: readonly Refusal[];
}

export const RefusalReasons = {
  secret: "Secret values are never written into files",
  helm: "rendered by Helm: change the chart's values instead",
  missingOrExtra: "nothing to adopt: use kubedrift apply --prune or add the manifest",
  stdin: "read from standard input: there is no file to write to",
  redacted: "the value is withheld by a redaction rule",
  patch: "set by a patch kubedrift cannot locate",
  state: "read from a Terraform state: change the configuration instead",
} as const;
