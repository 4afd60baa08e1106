/** Remediation: plan what would put the cluster back to the desired state, validate it, apply it. */
export { buildPlan, changeFor, orderChanges, planExitCode, rejectedChanges, removalPatch } from "./plan.js";
export type { Counterparts, PlanInput } from "./plan.js";
export { validatePlan } from "./validate.js";
export type { ValidateContext } from "./validate.js";
export { applyPlan, applyExitCode, changedSincePlan, summarizeOutcomes } from "./apply.js";
export type { ApplyContext } from "./apply.js";
export { defaultWriteRetry, executeChange, fieldManager } from "./execute.js";
export type { WriteRetry } from "./execute.js";
export { OnlyRefError, parseOnly, matchesOnly, onlySelector, unmatchedOnly } from "./only.js";
export { sparseBody, isCoveredBy } from "./sparse.js";
export { renderPlan, renderApplyResult } from "./render.js";
export type { PlanFormat } from "./render.js";
export * from "./types.js";
