export type {
  Check,
  CheckCategory,
  CheckResult,
  Finding,
  LintContext,
  LintReport,
  Severity,
} from "./types.js";
export { CheckCategories, Severities } from "./types.js";
export { lintObjects, lintContextOf, checkFailed } from "./run.js";
export type { LintOptions } from "./run.js";
export { parseLintConfig, emptyLintConfig, LintConfigError } from "./config.js";
export type { LintConfig } from "./config.js";
export { lintIgnoreAnnotation } from "./suppress.js";
export type { ProjectSuppression } from "./suppress.js";

import type { Schema } from "../kube/schema/types.js";
import { bestPracticeChecks } from "./checks/index.js";
import type { LintConfig } from "./config.js";
import { customChecks } from "./custom.js";
import { driftChecks } from "./drift/index.js";
import { schemaChecks } from "./schema/index.js";
import type { Check } from "./types.js";

/** What only a manifest can be blamed for: live objects carry server-written fields by nature. */
const manifestOnly = new Set(["controller-owned-field", "default-changes-on-migration"]);

/**
 * Every check for a run: schema validation against `schema`, the best practices, the drift checks
 * and the project's own, less the ones kubedrift.yaml turns off.
 */
export function checksFor(
  schema: Schema,
  config: LintConfig,
  target: "manifests" | "live",
): readonly Check[] {
  const all = [
    ...schemaChecks(schema),
    ...bestPracticeChecks,
    ...driftChecks,
    ...customChecks(config.checks),
  ];
  return all.filter(
    (check) => !config.disable.includes(check.id) && !(target === "live" && manifestOnly.has(check.id)),
  );
}
