/**
 * `kubedrift lint` (issue 15): checks of desired (and live) objects — schema validation,
 * best practices, drift-specific checks and custom CEL checks — each a `Check` with an id, a
 * severity, a one-line summary and a fix hint, reporting `Finding`s at a JSON Pointer of an
 * object, which the runner places at `file:line` from the object's field lines.
 */
import type { ObjectRef } from "../kube/object.js";
import type { DesiredObject, SourceLocation } from "../model/index.js";

/** In increasing order: `--fail-on` compares by position. */
export const Severities = ["info", "warning", "error"] as const;
export type Severity = (typeof Severities)[number];

export const CheckCategories = [
  "schema",
  "reliability",
  "security",
  "resources",
  "networking",
  "rbac",
  "api",
  "drift",
  "custom",
] as const;
export type CheckCategory = (typeof CheckCategories)[number];

/** What one check says of one object: where (a JSON Pointer into the object, "" for the whole) and what. */
export interface CheckResult {
  readonly path: string;
  /** One line naming the value and what is wrong with it. */
  readonly message: string;
}

/** The objects a check may look across (a Service's pods, a Deployment's PodDisruptionBudget, …). */
export interface LintContext {
  readonly objects: readonly DesiredObject[];
  /** The objects of one kind (`apps/Deployment`, `/Service` for the core group), in source order. */
  readonly ofKind: (group: string, kind: string) => readonly DesiredObject[];
  /** The Kubernetes version the manifests target (`--kubernetes-version`, default 1.32): `1.32`. */
  readonly kubernetesVersion: string;
  /**
   * A value built once per run and shared by every object's check (an index of pods by namespace):
   * a check that looks across the set must not scan it for each object, or 10,000 objects cost 10⁸.
   */
  readonly once: <T>(key: string, build: () => T) => T;
}

export interface Check {
  /** Stable, kebab-case: `container-resources-set`, `schema-unknown-field`. */
  readonly id: string;
  readonly severity: Severity;
  readonly category: CheckCategory;
  /** One line: what it checks and why it matters. */
  readonly summary: string;
  /** One line: how to fix a finding. */
  readonly hint: string;
  readonly run: (object: DesiredObject, context: LintContext) => readonly CheckResult[];
}

/** A check's result, placed and named. */
export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  readonly ref: ObjectRef;
  readonly path: string;
  readonly message: string;
  /** The field's line where the source knows it, else the object's. */
  readonly source: SourceLocation;
  /** Why it is accepted (`kubedrift.dev/lint-ignore` or `kubedrift.yaml`); reported, never failing. */
  readonly suppressed?: string;
}

export interface LintReport {
  readonly findings: readonly Finding[];
  /** Every check that ran, for renderers that list rules (SARIF) and for `--list-checks`. */
  readonly checks: readonly Check[];
  readonly objects: number;
}
