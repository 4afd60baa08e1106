export { planAdoption } from "./plan.js";
export { renderAdoption } from "./render.js";
export { writeAdoption } from "./write.js";
export type { AdoptWriteOutcome } from "./write.js";
export { RefusalReasons } from "./types.js";
export type { AdoptPlan, AdoptRequest, AdoptedField, FileEdit, Refusal } from "./types.js";
