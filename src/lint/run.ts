/**
 * Runs checks over a set of objects. A check that throws is a finding of `lint-check-failed`, not
 * an aborted run (checks report results, as the engine does). Suppressed findings stay in the
 * report with the reason, as SARIF's suppressions do, and never fail the run.
 */
import type { DesiredObject } from "../model/index.js";
import { describeRef, fieldSource } from "../model/index.js";
import type { Check, CheckResult, Finding, LintContext, LintReport } from "./types.js";
import { suppressionOf, type ProjectSuppression } from "./suppress.js";

export interface LintOptions {
  readonly checks: readonly Check[];
  /** `1.32`. */
  readonly kubernetesVersion: string;
  /** `lint.ignore` in kubedrift.yaml. */
  readonly ignore?: readonly ProjectSuppression[];
}

/** The check a throwing check's finding is reported under. */
export const checkFailed: Check = {
  id: "lint-check-failed",
  severity: "error",
  category: "custom",
  summary: "A check could not evaluate an object",
  hint: "The message names the check and why; report it if it is one of kubedrift's own checks",
  run: () => [],
};

/** The context of a run over `objects`: their index by kind, and values built once. */
export function lintContextOf(objects: readonly DesiredObject[], kubernetesVersion: string): LintContext {
  const byKind = new Map<string, DesiredObject[]>();
  for (const object of objects) {
    const key = `${object.ref.group}/${object.ref.kind}`;
    const list = byKind.get(key) ?? [];
    list.push(object);
    byKind.set(key, list);
  }
  const built = new Map<string, unknown>();
  const once = <T>(key: string, build: () => T): T => {
    if (!built.has(key)) built.set(key, build());
    return built.get(key) as T;
  };
  return { objects, ofKind: (group, kind) => byKind.get(`${group}/${kind}`) ?? [], kubernetesVersion, once };
}

/** What a check says of an object, under the check that says it (`lint-check-failed` when it threw). */
function resultsOf(
  check: Check,
  object: DesiredObject,
  context: LintContext,
): readonly (readonly [Check, CheckResult])[] {
  try {
    return check.run(object, context).map((result) => [check, result] as const);
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    return [[checkFailed, { path: "", message: `${check.id} failed on ${describeRef(object.ref)}: ${why}` }]];
  }
}

function findingsOf(object: DesiredObject, context: LintContext, options: LintOptions): readonly Finding[] {
  return options.checks.flatMap((check) =>
    resultsOf(check, object, context).map(([reported, result]) => {
      const suppressed = suppressionOf(object, reported.id, options.ignore ?? []);
      return {
        check: reported.id,
        severity: reported.severity,
        ref: object.ref,
        path: result.path,
        message: result.message,
        source: fieldSource(object, result.path),
        ...(suppressed === undefined ? {} : { suppressed }),
      };
    }),
  );
}

export function lintObjects(objects: readonly DesiredObject[], options: LintOptions): LintReport {
  const context = lintContextOf(objects, options.kubernetesVersion);
  return {
    findings: objects.flatMap((object) => findingsOf(object, context, options)),
    checks: [...options.checks, checkFailed],
    objects: objects.length,
  };
}
