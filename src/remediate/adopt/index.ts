export { planAdoption } from "./plan.js";
export { renderAdoption } from "./render.js";
export { describeWriteOutcome, nodeFileSystem, writeAdoption } from "./write.js";
export type { AdoptFileSystem, AdoptWriteFailure, AdoptWriteOutcome, AdoptWriteProblem } from "./write.js";
export { RefusalReasons } from "./types.js";
export type { AdoptPlan, AdoptRequest, AdoptedField, FileEdit, Refusal } from "./types.js";
